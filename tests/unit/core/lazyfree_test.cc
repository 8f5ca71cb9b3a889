// Contracts of core/lazyfree.h: small values are freed inline, detached tables are freed on the
// worker, counters and used_memory stay exact across threads.
#include "core/lazyfree.h"

#include <gtest/gtest.h>

#include "core/database.h"
#include "memory/alloc.h"

namespace ember {
namespace {

TEST(LazyFreeTest, SmallValuesAreFreedInline) {
  LazyFree lf;
  RawString* s = RawString::New(std::string(100, 'x'));
  EXPECT_FALSE(lf.FreeValue(ObjType::kString, Encoding::kRaw, s));
  EXPECT_EQ(lf.Pending(), 0u);
  EXPECT_EQ(lf.Freed(), 0u);
}

TEST(LazyFreeTest, AsyncFlushFreesEveryRecordOnTheWorkerAndAccountsExactly) {
  LazyFree lf;
  KeyspaceEnv env;
  env.lazyfree = &lf;
  size_t before = mem::UsedMemory();
  {
    Database db(0, &env);
    for (int i = 0; i < 100000; i++) {
      Record* r = db.Set("key:" + std::to_string(i), ValueInit::FromString(std::string(50, 'v')));
      if (i % 2) db.SetExpire(r, 1'000'000'000'000);
    }
    EXPECT_GT(mem::UsedMemory(), before + 100000 * 50);
    db.Clear(/*lazy=*/true);
    EXPECT_EQ(db.Size(), 0u);
    EXPECT_EQ(db.ExpiresSize(), 0u);
    lf.Drain();
    EXPECT_EQ(lf.Pending(), 0u);
    EXPECT_EQ(lf.Freed(), 100000u);
    // The database keeps working after its tables were handed off.
    db.Set("again", ValueInit::FromString("v"));
    EXPECT_EQ(db.Size(), 1u);
  }
  EXPECT_EQ(mem::UsedMemory(), before);
}

}  // namespace
}  // namespace ember
