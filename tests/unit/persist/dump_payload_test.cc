#include "persist/rdb/dump_payload.h"

#include <gtest/gtest.h>

#include <string>

#include "test_util.h"

namespace ember::rdb {
namespace {

using testing::Unhex;

TEST(DumpPayload, FooterMatchesRedis) {
  std::string body = Unhex("00 01 76");
  AppendDumpFooter(&body, 10);
  EXPECT_EQ(testing::Hex(body), "0001760a009108ceb219388ace");
  std::string n = Unhex("00 c1 39 30");
  AppendDumpFooter(&n, 10);
  EXPECT_EQ(testing::Hex(n), "00c139300a009d94ea2793fc08b9");
}

TEST(DumpPayload, VerifyAcceptsRedisPayloads) {
  int ver = 0;
  EXPECT_TRUE(VerifyDumpPayload(Unhex("0001760a009108ceb219388ace"), 10, false, &ver).ok());
  EXPECT_EQ(ver, 10);
  EXPECT_EQ(DumpPayloadBody(Unhex("0001760a009108ceb219388ace")), Unhex("000176"));
}

TEST(DumpPayload, RejectsShortNewerOrCorruptPayloadsWithTheClientError) {
  std::string good = Unhex("0001760a009108ceb219388ace");
  auto check = [](std::string_view p, int max = 10, bool skip = false) {
    Status st = VerifyDumpPayload(p, max, skip);
    if (!st.ok()) {
      EXPECT_EQ(st.message(), "ERR DUMP payload version or checksum are wrong");
    }
    return st.ok();
  };
  EXPECT_TRUE(check(good));
  EXPECT_FALSE(check(good.substr(0, 9)));
  EXPECT_FALSE(check(""));
  EXPECT_FALSE(check(good, 9));  // version 10 > 9
  EXPECT_TRUE(check(good, 12));
  std::string bad = good;
  bad[2] = 'w';
  EXPECT_FALSE(check(bad));
  EXPECT_TRUE(check(bad, 10, /*skip_checksum=*/true));
  // A payload written as version 11 (Redis 7.2) is refused by a 7.0-level reader.
  std::string v11 = Unhex("000176");
  AppendDumpFooter(&v11, 11);
  EXPECT_FALSE(check(v11, 10));
  EXPECT_TRUE(check(v11, 11));
  // Exactly 10 bytes (empty body) passes the footer checks.
  std::string empty;
  AppendDumpFooter(&empty, 10);
  EXPECT_TRUE(check(empty));
}

}  // namespace
}  // namespace ember::rdb
