// libFuzzer target: RESTORE payloads (VerifyDumpPayload with the checksum skipped, then
// rdb::LoadValue with sanitize-dump-payload on). See fuzz_targets.h for the invariants.
//   make fuzz                     builds build-fuzz/restore_payload_fuzz and runs it over
//                                 tests/fuzz/corpus/restore_payload
#include <cstdio>
#include <cstdlib>

#include "fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ember::fuzz::Outcome o = ember::fuzz::CheckRestorePayload(data, size);
  if (!o.violation.empty()) {
    std::fprintf(stderr, "restore_payload_fuzz: invariant broken: %s\n", o.violation.c_str());
    std::abort();
  }
  return 0;
}
