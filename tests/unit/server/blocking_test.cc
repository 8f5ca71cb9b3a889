// Blocking-timeout parsing: Redis's getTimeoutFromObjectOrReply rules and exact error texts.
#include "server/blocking.h"

#include <gtest/gtest.h>

#include "proto/reply_builder.h"

namespace ember {
namespace {

std::string Parse(std::string_view arg, int64_t now, int64_t* deadline) {
  proto::ReplyBuilder rb;
  *deadline = -42;
  bool ok = ParseBlockTimeout(arg, now, deadline, &rb);
  std::string out = rb.TakeAll();
  EXPECT_EQ(ok, out.empty()) << arg;
  return out;
}

TEST(BlockTimeoutTest, SecondsBecomeAnAbsoluteMsDeadline) {
  int64_t d;
  EXPECT_EQ(Parse("0", 1000, &d), "");
  EXPECT_EQ(d, 0);  // forever
  EXPECT_EQ(Parse("1.5", 1000, &d), "");
  EXPECT_EQ(d, 2500);
  EXPECT_EQ(Parse("0.0001", 1000, &d), "");  // truncates to 0 ms: forever, as Redis
  EXPECT_EQ(d, 0);
  EXPECT_EQ(Parse("-0.0001", 1000, &d), "");  // -0.1 ms truncates to 0 too
  EXPECT_EQ(d, 0);
  EXPECT_EQ(Parse("1e3", 0, &d), "");
  EXPECT_EQ(d, 1000000);
}

TEST(BlockTimeoutTest, BadInputsGetRedisErrors) {
  int64_t d;
  EXPECT_EQ(Parse("abc", 0, &d), "-ERR timeout is not a float or out of range\r\n");
  EXPECT_EQ(Parse("", 0, &d), "-ERR timeout is not a float or out of range\r\n");
  EXPECT_EQ(Parse(" 1", 0, &d), "-ERR timeout is not a float or out of range\r\n");
  EXPECT_EQ(Parse("nan", 0, &d), "-ERR timeout is not a float or out of range\r\n");
  EXPECT_EQ(Parse("-1", 0, &d), "-ERR timeout is negative\r\n");
  EXPECT_EQ(Parse("inf", 0, &d), "-ERR timeout is negative\r\n");  // C cast gives LLONG_MIN
  EXPECT_EQ(Parse("1e300", 0, &d), "-ERR timeout is negative\r\n");
  EXPECT_EQ(Parse("9223372036854775", 1700000000000, &d), "-ERR timeout is out of range\r\n");
  EXPECT_EQ(d, -42);  // untouched on error
}

}  // namespace
}  // namespace ember
