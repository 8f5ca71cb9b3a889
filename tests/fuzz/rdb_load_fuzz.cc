// libFuzzer target: rdb::LoadSnapshot over arbitrary bytes (see fuzz_targets.h for the invariants).
//   make fuzz                     builds build-fuzz/rdb_load_fuzz and runs it over tests/fuzz/corpus/rdb_load
//   build-fuzz/rdb_load_fuzz -runs=0 tests/fuzz/corpus/rdb_load    replays the corpus
#include <cstdio>
#include <cstdlib>

#include "fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ember::fuzz::Outcome o = ember::fuzz::CheckRdbFile(data, size);
  if (!o.violation.empty()) {
    std::fprintf(stderr, "rdb_load_fuzz: invariant broken: %s\n", o.violation.c_str());
    std::abort();
  }
  return 0;
}
