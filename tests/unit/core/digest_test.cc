// DEBUG DIGEST parity: the figures below come from Debian's redis-server 7.0.15 holding the same
// dataset (SET a b; SET n 123; SET e x PX 100000000; SELECT 2; SET big <100 x>).
#include "core/digest.h"

#include <gtest/gtest.h>

namespace ember {
namespace {

TEST(DigestTest, MatchesRedisForStringsTtlsAndDatabases) {
  KeyspaceEnv env;
  std::vector<std::unique_ptr<Database>> dbs;
  for (int i = 0; i < 16; i++) dbs.push_back(std::make_unique<Database>(i, &env));
  EXPECT_EQ(DatasetDigest(dbs), std::string(40, '0'));
  dbs[0]->Set("a", ValueInit::FromString("b"));
  dbs[0]->Set("n", ValueInit::FromString("123"));
  Record* e = dbs[0]->Set("e", ValueInit::FromString("x"));
  dbs[0]->SetExpire(e, 1'900'000'000'000);
  dbs[2]->Set("big", ValueInit::FromString(std::string(100, 'x')));
  EXPECT_EQ(DatasetDigest(dbs), "6f92a00f0d5338539add57b134a7ed05f270b885");
  EXPECT_EQ(ValueDigest(dbs[0]->Find("a")), "b78559cd22bce6e6df712eb99ce7f3b08e8f8f1f");
  EXPECT_EQ(ValueDigest(dbs[0]->Find("n")), "89f7f51b707418f666d5b45e053bd5bbbf82ac2b");
  EXPECT_EQ(ValueDigest(nullptr), std::string(40, '0'));
}

}  // namespace
}  // namespace ember
