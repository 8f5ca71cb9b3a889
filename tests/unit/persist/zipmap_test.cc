#include "persist/rdb/zipmap.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "test_util.h"

namespace ember::rdb {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

// Builds a zipmap from the format description.
std::string BuildZipmap(const Pairs& pairs, bool unknown_count = false, uint8_t free_bytes = 0) {
  auto len = [](size_t n) {
    std::string s;
    if (n < 254) {
      s.push_back(static_cast<char>(n));
    } else {
      s.push_back(static_cast<char>(254));
      for (int i = 0; i < 4; i++) s.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
    }
    return s;
  };
  std::string out;
  out.push_back(static_cast<char>(unknown_count || pairs.size() >= 254 ? 254 : pairs.size()));
  for (const auto& [f, v] : pairs) {
    out += len(f.size()) + f + len(v.size());
    out.push_back(static_cast<char>(free_bytes));
    out += v + std::string(free_bytes, '?');
  }
  out.push_back(static_cast<char>(0xFF));
  return out;
}

Pairs Decode(std::string_view blob, Status* st) {
  Pairs out;
  *st = ForEachZipmapPair(blob, [&](std::string_view f, std::string_view v) {
    out.emplace_back(std::string(f), std::string(v));
    return Status::OK();
  });
  return out;
}

// zipmap.c's example: {"foo" => "bar", "hello" => "world"}
TEST(Zipmap, HandAssembledBytes) {
  std::string blob = testing::Unhex("02 03 666f6f 03 00 626172 05 68656c6c6f 05 00 776f726c64 ff");
  Status st;
  Pairs p = Decode(blob, &st);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(p, (Pairs{{"foo", "bar"}, {"hello", "world"}}));
  EXPECT_EQ(BuildZipmap(p), blob);
}

TEST(Zipmap, LongLengthsFreeBytesAndUnknownCount) {
  Pairs pairs = {{"", ""}, {std::string(253, 'a'), "x"}, {"k", std::string(254, 'b')},
                 {std::string(1000, 'c'), std::string(70000, 'd')}};
  for (bool unknown : {false, true}) {
    for (uint8_t free_bytes : {0, 3}) {
      Status st;
      Pairs got = Decode(BuildZipmap(pairs, unknown, free_bytes), &st);
      ASSERT_TRUE(st.ok()) << st.ToString();
      EXPECT_EQ(got, pairs);
    }
  }
  Pairs many;
  for (int i = 0; i < 300; i++) many.emplace_back("f" + std::to_string(i), std::to_string(i));
  size_t n = 0;
  ASSERT_TRUE(ValidateZipmap(BuildZipmap(many), &n).ok());
  EXPECT_EQ(n, 300u);
}

TEST(Zipmap, StructuralErrorsAreCorruption) {
  std::string good = BuildZipmap({{"foo", "bar"}, {"hello", "world"}});
  std::vector<std::pair<const char*, std::string>> cases = {
      {"empty", testing::Unhex("00 ff")},
      {"too short", testing::Unhex("ff")},
      {"no end", good.substr(0, good.size() - 1)},
      {"count", "\x03" + good.substr(1)},
      {"field past end", "\x02\x7f" + good.substr(2)},
      {"value len 0xff", testing::Unhex("01 01 61 ff 00 ff")},
      {"value past end", testing::Unhex("01 01 61 05 00 62 ff")},
      {"free past end", testing::Unhex("01 01 61 01 09 62 ff")},
      {"big len past end", testing::Unhex("01 fe ff ff ff ff 61 ff")},
      {"early end", testing::Unhex("01 01 61 01 00 62 ff 00 ff")},
  };
  for (const auto& [what, blob] : cases) {
    Status st = ValidateZipmap(blob);
    EXPECT_EQ(st.code(), StatusCode::kCorruption) << what;
    EXPECT_NE(st.message().find("Corrupt zipmap"), std::string::npos) << what;
  }
}

TEST(Zipmap, RandomCorruptionNeverCrashes) {
  std::mt19937 rng(11);
  Pairs pairs;
  for (int i = 0; i < 30; i++) {
    pairs.emplace_back(std::string(rng() % 20, 'f'), std::string(rng() % (i == 7 ? 600 : 40), 'v'));
  }
  std::string good = BuildZipmap(pairs, false, 2);
  ASSERT_TRUE(ValidateZipmap(good).ok());
  int errors = 0;
  for (int trial = 0; trial < 20000; trial++) {
    std::string bad = good;
    int flips = 1 + static_cast<int>(rng() % 3);
    for (int f = 0; f < flips; f++) bad[rng() % bad.size()] = static_cast<char>(rng());
    if (trial % 5 == 0) bad.resize(rng() % bad.size());
    std::unique_ptr<char[]> copy(new char[bad.size() + 1]);
    memcpy(copy.get(), bad.data(), bad.size());
    if (!ValidateZipmap(std::string_view(copy.get(), bad.size())).ok()) errors++;
  }
  EXPECT_GT(errors, 5000);
}

}  // namespace
}  // namespace ember::rdb
