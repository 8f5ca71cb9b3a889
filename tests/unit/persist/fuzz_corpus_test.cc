// Replays the fuzz corpus (tests/fuzz/corpus/{rdb_load,restore_payload}) through the same checks the libFuzzer
// targets run (tests/fuzz/fuzz_targets.h), with g++ and no libFuzzer, as part of `make test`.
//
// Corpus naming: files named `ok-*` must be accepted, `bad-*` (corrupt) and `refused-*` (valid for
// Redis, but holding what Ember cannot represent) must be refused; any other name
// (inputs the fuzzer found, regression inputs named `crash-*`) only has to keep the invariants.
// Regression inputs for bugs the fuzzer found live in the corpus too, so they run here forever.
#include <dirent.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "../../fuzz/fuzz_targets.h"

namespace ember::fuzz {
namespace {

// The corpus sits in the source tree: <root>/tests/fuzz/corpus, where the unit-test binary is
// <root>/build*/ember-unit-tests (the runner starts it in a temporary directory).
std::string CorpusRoot() {
  if (const char* r = std::getenv("EMBER_ROOT")) return std::string(r) + "/tests/fuzz/corpus";
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n > 0) {
    std::string exe(buf, static_cast<size_t>(n));
    std::string dir = exe.substr(0, exe.rfind('/'));
    std::string root = dir.substr(0, dir.rfind('/'));
    std::string c = root + "/tests/fuzz/corpus";
    if (access(c.c_str(), R_OK) == 0) return c;
  }
  return "tests/fuzz/corpus";
}

struct Input {
  std::string name;
  std::string bytes;
};

std::vector<Input> ReadCorpus(const std::string& sub) {
  std::vector<Input> out;
  std::string dir = CorpusRoot() + "/" + sub;
  DIR* d = opendir(dir.c_str());
  if (!d) return out;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    std::ifstream f(dir + "/" + e->d_name, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    out.push_back({e->d_name, ss.str()});
  }
  closedir(d);
  std::sort(out.begin(), out.end(), [](const Input& a, const Input& b) { return a.name < b.name; });
  return out;
}

bool StartsWith(const std::string& s, const char* p) { return s.rfind(p, 0) == 0; }

const uint8_t* U8(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

// EMBER_FUZZ_VERBOSE=1 prints each input's verdict (to review what the corpus exercises).
void Show(const Input& in, const Outcome& o) {
  if (std::getenv("EMBER_FUZZ_VERBOSE") == nullptr) return;
  std::printf("%-34s %s\n", in.name.c_str(),
              o.loaded ? ("loaded, " + std::to_string(o.keys) + " keys").c_str() : o.error.c_str());
}

// Replays one target's corpus through its checker: no input may break an invariant, every "ok-"
// input must load and every "bad-"/"refused-" one must not; the corpus must hold at least
// min_ok and min_bad of them (so a missing corpus fails).
template <class Check>
void ReplayCorpus(const char* target, Check check, int min_ok, int min_bad) {
  int ok = 0, bad = 0;
  for (const Input& in : ReadCorpus(target)) {
    SCOPED_TRACE(in.name);
    Outcome o = check(U8(in.bytes), in.bytes.size());
    Show(in, o);
    EXPECT_EQ(o.violation, "");
    if (StartsWith(in.name, "ok-")) {
      EXPECT_TRUE(o.loaded) << o.error;
      ok++;
    } else if (StartsWith(in.name, "bad-") || StartsWith(in.name, "refused-")) {
      EXPECT_FALSE(o.loaded);
      bad++;
    }
  }
  EXPECT_GE(ok, min_ok);
  EXPECT_GE(bad, min_bad);
}

TEST(FuzzCorpus, RdbFilesKeepTheLoaderInvariants) {
  // Valid files of every kind and their broken variants.
  ReplayCorpus("rdb_load", CheckRdbFile, 5, 10);
}

TEST(FuzzCorpus, RestorePayloadsKeepTheRestoreInvariants) {
  auto check = [](const uint8_t* d, size_t n) { return CheckRestorePayload(d, n); };
  ReplayCorpus("restore_payload", check, 3, 5);
}

// The checks themselves must be able to fail: a chunked source that loses bytes would make the two
// loads disagree, and a bad file must be refused with an offset.
TEST(FuzzCorpus, ChecksDetectATruncatedFile) {
  auto corpus = ReadCorpus("rdb_load");
  auto it = std::find_if(corpus.begin(), corpus.end(),
                         [](const Input& i) { return StartsWith(i.name, "ok-"); });
  ASSERT_NE(it, corpus.end());
  std::string cut = it->bytes.substr(0, it->bytes.size() - 3);
  Outcome o = CheckRdbFile(U8(cut), cut.size());
  EXPECT_FALSE(o.loaded);
  EXPECT_EQ(o.violation, "");
  EXPECT_NE(o.error.find("offset"), std::string::npos) << o.error;
}

}  // namespace
}  // namespace ember::fuzz
