#include "persist/rdb/crc64.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>

#include "test_util.h"

namespace ember::rdb {
namespace {

using testing::Unhex;

TEST(Crc64, CheckValueMatchesRedis) {
  EXPECT_EQ(Crc64(0, "123456789", 9), kCrc64CheckValue);
  EXPECT_EQ(Crc64(0, "123456789", 9), 0xe9c6d914c4b8d9caULL);
  EXPECT_EQ(Crc64Bitwise(0, "123456789", 9), 0xe9c6d914c4b8d9caULL);
}

TEST(Crc64, EmptyInputLeavesCrcUnchanged) {
  EXPECT_EQ(Crc64(0, nullptr, 0), 0u);
  EXPECT_EQ(Crc64(0x1234, "", 0), 0x1234u);
}

// The test vector from Redis's crc64.c self-test: "This is a test of the emergency broadcast system."
TEST(Crc64, RedisSelfTestVector) {
  const char* s = "This is a test of the emergency broadcast system.";
  EXPECT_EQ(Crc64(0, s, strlen(s)), Crc64Bitwise(0, s, strlen(s)));
}

TEST(Crc64, SlicedMatchesBitwiseAtEveryLengthAndAlignment) {
  std::mt19937_64 rng(42);
  std::string data(300, '\0');
  for (auto& c : data) c = static_cast<char>(rng());
  for (size_t off = 0; off < 8; off++) {
    for (size_t len = 0; off + len <= data.size(); len += (len < 40 ? 1 : 13)) {
      ASSERT_EQ(Crc64(0, data.data() + off, len), Crc64Bitwise(0, data.data() + off, len))
          << "off " << off << " len " << len;
    }
  }
}

TEST(Crc64, IncrementalEqualsOneShot) {
  std::mt19937_64 rng(7);
  std::string data(10000, '\0');
  for (auto& c : data) c = static_cast<char>(rng());
  uint64_t whole = Crc64(0, data.data(), data.size());
  for (int trial = 0; trial < 50; trial++) {
    uint64_t crc = 0;
    size_t pos = 0;
    while (pos < data.size()) {
      size_t n = std::min<size_t>(rng() % 97, data.size() - pos);
      crc = Crc64(crc, data.data() + pos, n);
      pos += n;
    }
    ASSERT_EQ(crc, whole);
  }
  EXPECT_EQ(Crc64(Crc64(0, "1234"), "56789"), kCrc64CheckValue);
}

// CRCs of DUMP payloads produced by Redis 7.0.15.
TEST(Crc64, MatchesRedisDumpFooters) {
  std::string v = Unhex("00 01 76 0a 00");
  EXPECT_EQ(Crc64(0, v), 0xce8a3819b2ce0891ULL);  // stored LE as 91 08 ce b2 19 38 8a ce
  std::string n = Unhex("00 c1 39 30 0a 00");
  EXPECT_EQ(Crc64(0, n), 0xb908fc9327ea949dULL);  // stored LE as 9d 94 ea 27 93 fc 08 b9
}

}  // namespace
}  // namespace ember::rdb
