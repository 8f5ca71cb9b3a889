// Contracts of core/active_expire.h: keys nobody reads are reclaimed, persistent keys never are,
// and the stats move.
#include "core/active_expire.h"

#include <gtest/gtest.h>

#include "base/time.h"
#include "core/database.h"

namespace ember {
namespace {

TEST(ActiveExpireTest, ReclaimsExpiredKeysAndKeepsPersistentOnes) {
  KeyspaceEnv env;
  env.now_ms = UnixMs();
  std::vector<std::unique_ptr<Database>> dbs;
  dbs.push_back(std::make_unique<Database>(0, &env));
  dbs.push_back(std::make_unique<Database>(1, &env));
  for (int i = 0; i < 20000; i++) {
    Record* r = dbs[i % 2]->Set("v" + std::to_string(i), ValueInit::FromString("x"));
    dbs[i % 2]->SetExpire(r, env.now_ms - 1);  // already expired
    dbs[i % 2]->Set("p" + std::to_string(i), ValueInit::FromString("y"));
  }
  Record* live = dbs[0]->Set("live", ValueInit::FromString("z"));
  dbs[0]->SetExpire(live, env.now_ms + 3600000);
  ActiveExpire ae;
  for (int i = 0; i < 2000 && (dbs[0]->ExpiresSize() + dbs[1]->ExpiresSize()) > 1; i++) {
    ae.Cycle(dbs, ExpireCycleType::kSlow, 1, 10);
  }
  EXPECT_EQ(dbs[0]->ExpiresSize() + dbs[1]->ExpiresSize(), 1u);
  EXPECT_EQ(dbs[0]->Size() + dbs[1]->Size(), 20001u);
  EXPECT_EQ(env.stats.expired_keys, 20000u);
  EXPECT_NE(dbs[0]->Find("live"), nullptr);
  EXPECT_GT(ae.stats().stale_perc, 0.0);
}

TEST(ActiveExpireTest, FastCycleRunsOnlyAfterATimeLimitExit) {
  KeyspaceEnv env;
  env.now_ms = UnixMs();
  std::vector<std::unique_ptr<Database>> dbs;
  dbs.push_back(std::make_unique<Database>(0, &env));
  Record* r = dbs[0]->Set("k", ValueInit::FromString("x"));
  dbs[0]->SetExpire(r, env.now_ms - 1);
  ActiveExpire ae;
  ae.Cycle(dbs, ExpireCycleType::kFast, 1, 10);
  EXPECT_EQ(dbs[0]->Size(), 1u) << "no previous time-limit exit: the fast cycle must not run";
  ae.Cycle(dbs, ExpireCycleType::kSlow, 1, 10);
  EXPECT_EQ(dbs[0]->Size(), 0u);
}

}  // namespace
}  // namespace ember
