#include "base/strutil.h"

#include <gtest/gtest.h>

namespace ember {
namespace {

TEST(ParseInt64, AcceptsWhatRedisString2llAccepts) {
  int64_t v;
  EXPECT_TRUE(ParseInt64("0", &v));
  EXPECT_EQ(v, 0);
  EXPECT_TRUE(ParseInt64("-9223372036854775808", &v));
  EXPECT_EQ(v, INT64_MIN);
  EXPECT_TRUE(ParseInt64("9223372036854775807", &v));
  EXPECT_EQ(v, INT64_MAX);
  EXPECT_TRUE(ParseInt64("-17", &v));
  EXPECT_EQ(v, -17);
}

TEST(ParseInt64, RejectsWhatRedisString2llRejects) {
  int64_t v;
  for (const char* s : {"", "01", "-0", "+1", " 1", "1 ", "9223372036854775808",
                        "-9223372036854775809", "1a", "-", "00"}) {
    EXPECT_FALSE(ParseInt64(s, &v)) << s;
  }
}

TEST(ParseDouble, RejectsSpacesNanAndTrailingBytes) {
  double d;
  EXPECT_TRUE(ParseDouble("1.5", &d));
  EXPECT_EQ(d, 1.5);
  EXPECT_TRUE(ParseDouble("inf", &d));
  EXPECT_TRUE(ParseDouble("-inf", &d));
  EXPECT_FALSE(ParseDouble("nan", &d));
  EXPECT_FALSE(ParseDouble(" 1", &d));
  EXPECT_FALSE(ParseDouble("1x", &d));
  EXPECT_FALSE(ParseDouble("", &d));
  EXPECT_FALSE(ParseDouble("1e999", &d));
}

TEST(DoubleToString, ShortestRoundTrip) {
  EXPECT_EQ(DoubleToString(1.1), "1.1");
  EXPECT_EQ(DoubleToString(3), "3");
  EXPECT_EQ(DoubleToString(-2.5), "-2.5");
  EXPECT_EQ(DoubleToString(1.0 / 0.0), "inf");
}

TEST(LongDoubleToHumanString, TrimsZeros) {
  std::string s;
  ASSERT_TRUE(LongDoubleToHumanString(10.5L, &s));
  EXPECT_EQ(s, "10.5");
  ASSERT_TRUE(LongDoubleToHumanString(3.0L, &s));
  EXPECT_EQ(s, "3");
  ASSERT_TRUE(LongDoubleToHumanString(-0.0L, &s));
  EXPECT_EQ(s, "0");
}

TEST(GlobMatch, RedisPatterns) {
  EXPECT_TRUE(GlobMatch("*", "anything"));
  EXPECT_TRUE(GlobMatch("h?llo", "hello"));
  EXPECT_TRUE(GlobMatch("h*llo", "heeeello"));
  EXPECT_TRUE(GlobMatch("h[ae]llo", "hallo"));
  EXPECT_FALSE(GlobMatch("h[ae]llo", "hillo"));
  EXPECT_TRUE(GlobMatch("h[^e]llo", "hallo"));
  EXPECT_FALSE(GlobMatch("h[^e]llo", "hello"));
  EXPECT_TRUE(GlobMatch("h[a-b]llo", "hbllo"));
  EXPECT_TRUE(GlobMatch("a\\*b", "a*b"));
  EXPECT_FALSE(GlobMatch("a\\*b", "axb"));
  EXPECT_TRUE(GlobMatch("key:*", "key:1"));
  EXPECT_FALSE(GlobMatch("key:*", "kez:1"));
  EXPECT_TRUE(GlobMatch("MAXMEMORY*", "maxmemory-policy", true));
  EXPECT_TRUE(GlobMatch("a*", "a"));
  EXPECT_FALSE(GlobMatch("a?", "a"));
}

TEST(BytesToHuman, InfoFormat) {
  EXPECT_EQ(BytesToHuman(12), "12B");
  EXPECT_EQ(BytesToHuman(939408), "917.39K");
  EXPECT_EQ(BytesToHuman(1048576), "1.00M");
}

}  // namespace
}  // namespace ember
