#include "persist/rdb/ziplist.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "test_util.h"

namespace ember::rdb {
namespace {

using Value = std::variant<int64_t, std::string>;

// Builds a ziplist byte by byte from the format description (independently of the reader).
class ZiplistBuilder {
 public:
  ZiplistBuilder& Str(const std::string& s) {
    std::string enc;
    if (s.size() <= 63) {
      enc.push_back(static_cast<char>(s.size()));
    } else if (s.size() <= 16383) {
      enc.push_back(static_cast<char>(0x40 | (s.size() >> 8)));
      enc.push_back(static_cast<char>(s.size() & 0xff));
    } else {
      enc.push_back(static_cast<char>(0x80));
      for (int i = 3; i >= 0; i--) enc.push_back(static_cast<char>((s.size() >> (8 * i)) & 0xff));
    }
    return Add(enc + s);
  }
  ZiplistBuilder& Int(int64_t v) {
    std::string e;
    auto le = [&](int bytes) {
      for (int i = 0; i < bytes; i++) e.push_back(static_cast<char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xff));
    };
    if (v >= 0 && v <= 12) {
      e.push_back(static_cast<char>(0xF1 + v));
    } else if (v >= INT8_MIN && v <= INT8_MAX) {
      e.push_back(static_cast<char>(0xFE));
      le(1);
    } else if (v >= INT16_MIN && v <= INT16_MAX) {
      e.push_back(static_cast<char>(0xC0));
      le(2);
    } else if (v >= -(1 << 23) && v <= (1 << 23) - 1) {
      e.push_back(static_cast<char>(0xF0));
      le(3);
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
      e.push_back(static_cast<char>(0xD0));
      le(4);
    } else {
      e.push_back(static_cast<char>(0xE0));
      le(8);
    }
    return Add(e);
  }
  // An entry whose prevlen uses the 5-byte form even though it would fit in one (legal).
  ZiplistBuilder& ForceLargePrevlen() {
    force_large_ = true;
    return *this;
  }
  std::string Build(bool unknown_count = false) const {
    std::string out(10, '\0');
    out += body_;
    out.push_back(static_cast<char>(0xFF));
    Put32(&out, 0, static_cast<uint32_t>(out.size()));
    Put32(&out, 4, static_cast<uint32_t>(entries_ == 0 ? 10 : 10 + last_));
    uint16_t n = unknown_count ? 0xFFFF : static_cast<uint16_t>(entries_);
    out[8] = static_cast<char>(n & 0xff);
    out[9] = static_cast<char>(n >> 8);
    return out;
  }

 private:
  static void Put32(std::string* s, size_t at, uint32_t v) {
    for (int i = 0; i < 4; i++) (*s)[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
  }
  ZiplistBuilder& Add(const std::string& enc_and_data) {
    std::string prev;
    if (prev_len_ < 254 && !force_large_) {
      prev.push_back(static_cast<char>(prev_len_));
    } else {
      prev.push_back(static_cast<char>(0xFE));
      for (int i = 0; i < 4; i++) prev.push_back(static_cast<char>((prev_len_ >> (8 * i)) & 0xff));
    }
    force_large_ = false;
    last_ = body_.size();
    std::string entry = prev + enc_and_data;
    body_ += entry;
    prev_len_ = entry.size();
    entries_++;
    return *this;
  }
  std::string body_;
  size_t prev_len_ = 0;
  size_t last_ = 0;
  size_t entries_ = 0;
  bool force_large_ = false;
};

std::vector<Value> Decode(const std::string& blob, Status* st) {
  std::vector<Value> out;
  *st = ForEachZiplistEntry(blob, [&](const ZiplistEntry& e) {
    if (e.is_int) out.emplace_back(e.int_value);
    else out.emplace_back(std::string(e.str));
    return Status::OK();
  });
  return out;
}

TEST(Ziplist, EmptyZiplist) {
  std::string blob = testing::Unhex("0b000000 0a000000 0000 ff");
  EXPECT_EQ(ZiplistBuilder().Build(), blob);
  size_t n = 99;
  ASSERT_TRUE(ValidateZiplist(blob, &n).ok());
  EXPECT_EQ(n, 0u);
}

// A hand-assembled blob: ["a", 7, -2, 300]
TEST(Ziplist, HandAssembledBytes) {
  std::string blob = testing::Unhex(
      "17000000"  // zlbytes 23
      "12000000"  // zltail 18
      "0400"      // zllen 4
      "00 01 61"  // prevlen 0, str len 1, 'a'
      "03 f8"     // prevlen 3, immediate 7
      "02 fe fe"  // prevlen 2, int8 -2
      "03 c0 2c 01"  // prevlen 3, int16 300
      "ff");
  Status st;
  auto v = Decode(blob, &st);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(v.size(), 4u);
  EXPECT_EQ(std::get<std::string>(v[0]), "a");
  EXPECT_EQ(std::get<int64_t>(v[1]), 7);
  EXPECT_EQ(std::get<int64_t>(v[2]), -2);
  EXPECT_EQ(std::get<int64_t>(v[3]), 300);
  EXPECT_EQ(ZiplistBuilder().Str("a").Int(7).Int(-2).Int(300).Build(), blob);
}

TEST(Ziplist, EveryEncodingRoundTrips) {
  std::vector<Value> values = {
      int64_t{0}, int64_t{12}, int64_t{13}, int64_t{-1}, int64_t{127}, int64_t{-128},
      int64_t{128}, int64_t{32767}, int64_t{-32768}, int64_t{32768}, int64_t{8388607},
      int64_t{-8388608}, int64_t{8388608}, int64_t{-8388609}, int64_t{INT32_MAX},
      int64_t{INT32_MIN}, int64_t{int64_t{1} << 40}, INT64_MAX, INT64_MIN,
      std::string(), std::string("x"), std::string(63, 'a'), std::string(64, 'b'),
      std::string(253, 'c'), std::string(300, 'd'),  // makes the next prevlen 5 bytes
      std::string("after-big"), std::string(16383, 'e'), std::string(16384, 'f'),
      std::string("tail")};
  ZiplistBuilder b;
  for (const auto& v : values) {
    if (std::holds_alternative<int64_t>(v)) b.Int(std::get<int64_t>(v));
    else b.Str(std::get<std::string>(v));
  }
  for (bool unknown : {false, true}) {
    Status st;
    auto got = Decode(b.Build(unknown), &st);
    ASSERT_TRUE(st.ok()) << st.ToString();
    EXPECT_EQ(got, values);
  }
  ZiplistEntry e{true, -5, {}};
  EXPECT_EQ(e.ToString(), "-5");
}

TEST(Ziplist, FiveBytePrevlenForSmallValueIsAccepted) {
  std::string blob = ZiplistBuilder().Str("ab").ForceLargePrevlen().Str("cd").Build();
  Status st;
  auto v = Decode(blob, &st);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(v.size(), 2u);
}

std::string Corrupt(std::string blob, size_t at, uint8_t byte) {
  blob[at] = static_cast<char>(byte);
  return blob;
}

TEST(Ziplist, StructuralErrorsAreCorruption) {
  std::string good = ZiplistBuilder().Str("a").Int(7).Int(-2).Int(300).Build();
  ASSERT_TRUE(ValidateZiplist(good).ok());
  std::vector<std::pair<std::string, std::string>> cases = {
      {"short", good.substr(0, 10)},
      {"zlbytes", Corrupt(good, 0, 0x18)},
      {"zltail", Corrupt(good, 4, 0x13)},
      {"zltail", Corrupt(good, 4, 0x09)},
      {"zltail", Corrupt(good, 4, 0xff)},
      {"zllen", Corrupt(good, 8, 3)},
      {"end marker", Corrupt(good, good.size() - 1, 0x00)},
      {"prevlen", Corrupt(good, 13, 4)},
      {"invalid entry encoding", Corrupt(good, 16, 0xC1)},
      {"invalid entry encoding", Corrupt(good, 19, 0xFF)},
      {"entry runs past the end", Corrupt(good, 11, 0x3f)},
      {"end marker before the end", Corrupt(good, 15, 0xFF)},
  };
  for (const auto& [what, blob] : cases) {
    Status st = ValidateZiplist(blob);
    ASSERT_EQ(st.code(), StatusCode::kCorruption) << what;
    EXPECT_NE(st.message().find("Corrupt ziplist"), std::string::npos);
  }
  // zlbytes/size mismatch via truncation, with zlbytes fixed up: entries past the end.
  std::string big = ZiplistBuilder().Str(std::string(100, 'z')).Build();
  std::string cut = big.substr(0, 50) + "\xff";
  cut[0] = static_cast<char>(cut.size());
  EXPECT_EQ(ValidateZiplist(cut).code(), StatusCode::kCorruption);
  // A 32-bit string length near 4 GB must not wrap the bounds check.
  std::string huge = testing::Unhex("14000000 0a000000 0100 00 80 ff ff ff f0 41 42 43 ff");
  huge[0] = static_cast<char>(huge.size());
  EXPECT_EQ(ValidateZiplist(huge).code(), StatusCode::kCorruption);
}

TEST(Ziplist, RandomCorruptionNeverCrashes) {
  std::mt19937 rng(5);
  ZiplistBuilder b;
  for (int i = 0; i < 40; i++) {
    if (i % 3 == 0) b.Int(static_cast<int64_t>(rng()) - (1ll << 31));
    else b.Str(std::string(rng() % (i == 20 ? 400 : 30), 'k'));
  }
  std::string good = b.Build();
  ASSERT_TRUE(ValidateZiplist(good).ok());
  int errors = 0;
  for (int trial = 0; trial < 20000; trial++) {
    std::string bad = good;
    int flips = 1 + static_cast<int>(rng() % 3);
    for (int f = 0; f < flips; f++) bad[rng() % bad.size()] = static_cast<char>(rng());
    if (trial % 5 == 0) bad.resize(rng() % bad.size());
    // Walk through a heap copy of exactly the blob's size so any over-read is caught by ASan.
    std::unique_ptr<char[]> copy(new char[bad.size() + 1]);
    memcpy(copy.get(), bad.data(), bad.size());
    Status st = ForEachZiplistEntry(std::string_view(copy.get(), bad.size()),
                                    [](const ZiplistEntry& e) {
                                      volatile size_t sink = e.str.size();
                                      (void)sink;
                                      return Status::OK();
                                    });
    if (!st.ok()) errors++;
  }
  EXPECT_GT(errors, 2000);  // flips inside string data go unnoticed, as in Redis
}

TEST(Ziplist, CallbackErrorStopsTheWalk) {
  std::string blob = ZiplistBuilder().Int(1).Int(2).Int(3).Build();
  int seen = 0;
  Status st = ForEachZiplistEntry(blob, [&](const ZiplistEntry&) {
    return ++seen == 2 ? Status::InvalidArgument("stop") : Status::OK();
  });
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(seen, 2);
}

}  // namespace
}  // namespace ember::rdb
