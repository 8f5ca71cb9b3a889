// A test fixture with one Database (index 0) over its own KeyspaceEnv, clock at 1,000,000 ms.
// Shared by the keyspace unit tests; the env and the database live as long as the test.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "core/database.h"
#include "core/keyspace_env.h"

namespace ember::test_util {

class DbFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.now_ms = 1'000'000;
    db_ = std::make_unique<Database>(0, &env_);
  }
  KeyspaceEnv env_;
  std::unique_ptr<Database> db_;
};

}  // namespace ember::test_util
