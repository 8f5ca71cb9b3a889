// Helpers shared by the persist unit tests: hex <-> bytes (tests/unit/test_util.h).
#pragma once

#include "../test_util.h"

namespace ember::rdb::testing {

using ::ember::test_util::Hex;
using ::ember::test_util::Unhex;

}  // namespace ember::rdb::testing
