#include "persist/rdb/lzf.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "test_util.h"

namespace ember::rdb {
namespace {

using testing::Unhex;

TEST(Lzf, CompressibleRoundTrip) {
  std::string in(1000, 'a');
  std::string comp;
  ASSERT_TRUE(LzfCompressForRdb(in.data(), in.size(), &comp));
  EXPECT_LE(comp.size(), in.size() - 4);
  std::string out(in.size(), '\0');
  ASSERT_TRUE(LzfDecompress(comp.data(), comp.size(), out.data(), out.size()).ok());
  EXPECT_EQ(out, in);
}

TEST(Lzf, RefusesWhenSavingIsUnderFourBytes) {
  std::mt19937 rng(1);
  std::string in(200, '\0');
  for (auto& c : in) c = static_cast<char>(rng());
  std::string comp;
  EXPECT_FALSE(LzfCompressForRdb(in.data(), in.size(), &comp));
  EXPECT_FALSE(LzfCompressForRdb("abcd", 4, &comp));
}

// Debian's liblzf produces the same bytes as the LZF bundled in Redis 7.0.15 (DUMP of 'a' x 100).
TEST(Lzf, SameOutputAsRedis) {
  std::string in(100, 'a');
  std::string comp;
  ASSERT_TRUE(LzfCompressForRdb(in.data(), in.size(), &comp));
  EXPECT_EQ(testing::Hex(comp), "016161e05700016161");
}

TEST(Lzf, DecompressRequiresExactLength) {
  std::string comp = Unhex("01 61 61 e0 57 00 01 61 61");  // 'a' x 100
  std::string out(100, '\0');
  EXPECT_TRUE(LzfDecompress(comp.data(), comp.size(), out.data(), 100).ok());
  std::string small(99, '\0');
  Status st = LzfDecompress(comp.data(), comp.size(), small.data(), 99);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  std::string big(101, '\0');
  st = LzfDecompress(comp.data(), comp.size(), big.data(), 101);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
}

TEST(Lzf, CorruptInputIsAnErrorNotACrash) {
  std::mt19937 rng(3);
  std::string in;
  for (int i = 0; i < 2000; i++) in += "word" + std::to_string(i % 37) + " ";
  std::string comp;
  ASSERT_TRUE(LzfCompressForRdb(in.data(), in.size(), &comp));
  std::string out(in.size(), '\0');
  int failures = 0;
  for (int trial = 0; trial < 3000; trial++) {
    std::string bad = comp;
    int flips = 1 + rng() % 4;
    for (int f = 0; f < flips; f++) bad[rng() % bad.size()] = static_cast<char>(rng());
    if (rng() % 4 == 0) bad.resize(rng() % bad.size() + 1);
    Status st = LzfDecompress(bad.data(), bad.size(), out.data(), out.size());
    if (!st.ok()) failures++;
  }
  EXPECT_GT(failures, 100);
  // A back-reference before the start of the output.
  std::string back = Unhex("e0 10 ff");
  EXPECT_FALSE(LzfDecompress(back.data(), back.size(), out.data(), out.size()).ok());
}

TEST(Lzf, PlausibleLengthBound) {
  EXPECT_TRUE(LzfLengthsPlausible(9, 100));
  EXPECT_TRUE(LzfLengthsPlausible(3, 264));
  EXPECT_FALSE(LzfLengthsPlausible(3, 1000));
  EXPECT_FALSE(LzfLengthsPlausible(0, 10));
  EXPECT_FALSE(LzfLengthsPlausible(10, 0));
  EXPECT_FALSE(LzfLengthsPlausible(1, UINT64_MAX));
}

}  // namespace
}  // namespace ember::rdb
