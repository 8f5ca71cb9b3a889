// Contracts of core/object.h and core/database.h: the record layout, lookups with lazy expiry,
// TTL bookkeeping across record reallocation, and the per-key memory budget.
#include "core/database.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>

#include "base/hash.h"
#include "../db_fixture.h"
#include "memory/alloc.h"

namespace ember {
namespace {

class DatabaseTest : public test_util::DbFixture {};

TEST(RecordTest, SmallStringKeyFitsOneThirtyTwoByteClass) {
  Record* r = Record::New("key:1234567", ValueInit::FromString("0123456789"));
  EXPECT_EQ(r->key(), "key:1234567");
  EXPECT_EQ(r->encoding(), Encoding::kEmbstr);
  EXPECT_EQ(r->embstr(), "0123456789");
  EXPECT_EQ(r->AllocSize(), mem::SizeClassOf(27));
  EXPECT_LE(r->AllocSize(), 32u);
  Record* e = Record::WithExpire(r, true, 1'700'000'000'000);
  EXPECT_EQ(e->AllocSize(), mem::SizeClassOf(33));
  Record* s = Record::New("key:123456", ValueInit::FromString("0123456789"), true, 1'700'000'000'000);
  EXPECT_LE(s->AllocSize(), 32u) << "a TTL on key:NNNNNN must stay in the 32-byte class";
  Record::Free(s);
  r = e;
  Record::Free(r);
}

TEST(RecordTest, EncodingsFollowRedisRules) {
  char buf[32];
  Record* a = Record::New("a", ValueInit::FromString("12345"));
  EXPECT_EQ(a->encoding(), Encoding::kInt);
  EXPECT_EQ(a->StringValue(buf), "12345");
  Record* b = Record::New("b", ValueInit::FromString(std::string(44, 'x')));
  EXPECT_EQ(b->encoding(), Encoding::kEmbstr);
  Record* c = Record::New("c", ValueInit::FromString(std::string(45, 'x')));
  EXPECT_EQ(c->encoding(), Encoding::kRaw);
  EXPECT_EQ(c->StringValue(buf), std::string(45, 'x'));
  Record* d = Record::New("d", ValueInit::FromString("0123"));  // leading zero: not an integer
  EXPECT_EQ(d->encoding(), Encoding::kEmbstr);
  for (Record* r : {a, b, c, d}) Record::Free(r);
}

TEST(RecordTest, ExpireAddsEightBytesAndKeepsValue) {
  Record* r = Record::New("k", ValueInit::FromString("v"));
  Record* e = Record::WithExpire(r, true, 12345);
  EXPECT_TRUE(e->has_expire());
  EXPECT_EQ(e->expire_ms(), 12345);
  EXPECT_EQ(e->key(), "k");
  EXPECT_EQ(e->embstr(), "v");
  Record* n = Record::WithExpire(e, false, 0);
  EXPECT_FALSE(n->has_expire());
  EXPECT_EQ(n->embstr(), "v");
  Record::Free(n);
}

TEST(RecordTest, FarFutureExpiresUseTheWideForm) {
  Record* r = Record::New("k", ValueInit::FromString("v"), true, 1000);
  r = Record::WithExpire(r, true, INT64_MAX);
  EXPECT_EQ(r->expire_ms(), INT64_MAX);
  EXPECT_EQ(r->key(), "k");
  EXPECT_EQ(r->embstr(), "v");
  r = Record::WithExpire(r, true, 5);
  EXPECT_EQ(r->expire_ms(), 5);
  EXPECT_EQ(r->embstr(), "v");
  Record::Free(r);
}

TEST(RecordTest, LongKeysUseWiderLengthFields) {
  std::string k(70000, 'k');
  Record* r = Record::New(k, ValueInit::FromString("v"));
  EXPECT_EQ(r->key(), k);
  EXPECT_EQ(r->embstr(), "v");
  Record::Free(r);
}

TEST_F(DatabaseTest, SetGetOverwriteDelete) {
  db_->Set("a", ValueInit::FromString("1"));
  char buf[32];
  ASSERT_NE(db_->LookupRead("a"), nullptr);
  EXPECT_EQ(db_->LookupRead("a")->StringValue(buf), "1");
  db_->Set("a", ValueInit::FromString(std::string(100, 'z')));
  EXPECT_EQ(db_->LookupRead("a")->StringValue(buf), std::string(100, 'z'));
  EXPECT_EQ(db_->Size(), 1u);
  EXPECT_TRUE(db_->Delete("a"));
  EXPECT_FALSE(db_->Delete("a"));
  EXPECT_EQ(db_->LookupRead("a"), nullptr);
}

TEST_F(DatabaseTest, LazyExpiryIsStrictlyAfterTheExpireTime) {
  Record* r = db_->Set("k", ValueInit::FromString("v"));
  db_->SetExpire(r, env_.now_ms + 100);
  EXPECT_EQ(db_->ExpiresSize(), 1u);
  env_.now_ms += 100;  // now == expire time: still alive
  EXPECT_NE(db_->LookupRead("k"), nullptr);
  env_.now_ms += 1;
  EXPECT_EQ(db_->LookupRead("k"), nullptr);
  EXPECT_EQ(db_->Size(), 0u);
  EXPECT_EQ(db_->ExpiresSize(), 0u);
  EXPECT_EQ(env_.stats.expired_keys, 1u);
}

TEST_F(DatabaseTest, SetWithoutKeepTtlClearsTheTtl) {
  Record* r = db_->Set("k", ValueInit::FromString("v"));
  db_->SetExpire(r, env_.now_ms + 1000);
  db_->Set("k", ValueInit::FromString("w"), /*keep_ttl=*/true);
  EXPECT_TRUE(db_->Find("k")->has_expire());
  EXPECT_EQ(db_->ExpiresSize(), 1u);
  db_->Set("k", ValueInit::FromString(std::string(60, 'q')), /*keep_ttl=*/true);
  EXPECT_TRUE(db_->Find("k")->has_expire());
  EXPECT_EQ(db_->expires_table().Get("k"), db_->Find("k"));
  db_->Set("k", ValueInit::FromString("x"));
  EXPECT_FALSE(db_->Find("k")->has_expire());
  EXPECT_EQ(db_->ExpiresSize(), 0u);
}

TEST_F(DatabaseTest, RandomOpsMatchAReferenceModel) {
  std::mt19937 rng(7);
  std::map<std::string, std::pair<std::string, int64_t>> model;  // value, expire (0 = none)
  char buf[32];
  for (int i = 0; i < 20000; i++) {
    std::string k = "k" + std::to_string(rng() % 500);
    switch (rng() % 5) {
      case 0:
      case 1: {
        std::string v(rng() % 80, static_cast<char>('a' + rng() % 26));
        bool keep = rng() % 2;
        db_->Set(k, ValueInit::FromString(v), keep);
        int64_t exp = keep && model.count(k) ? model[k].second : 0;
        model[k] = {v, exp};
        break;
      }
      case 2: {
        bool had = model.erase(k) > 0;
        EXPECT_EQ(db_->Delete(k), had);
        break;
      }
      case 3: {
        Record* r = db_->Find(k);
        ASSERT_EQ(r != nullptr, model.count(k) > 0);
        if (r) {
          int64_t when = env_.now_ms + 1 + rng() % 1000;
          if (rng() % 3 == 0) {
            db_->RemoveExpire(r);
            model[k].second = 0;
          } else {
            db_->SetExpire(r, when);
            model[k].second = when;
          }
        }
        break;
      }
      case 4: {
        Record* r = db_->Find(k);
        ASSERT_EQ(r != nullptr, model.count(k) > 0);
        if (r) {
          EXPECT_EQ(r->StringValue(buf), model[k].first);
          EXPECT_EQ(r->has_expire(), model[k].second != 0);
          if (model[k].second) {
            EXPECT_EQ(r->expire_ms(), model[k].second);
          }
        }
        break;
      }
    }
  }
  size_t volatile_keys = 0;
  for (auto& [k, v] : model) volatile_keys += v.second != 0;
  EXPECT_EQ(db_->Size(), model.size());
  EXPECT_EQ(db_->ExpiresSize(), volatile_keys);
}

// The foundation issue's memory target: <= 0.6x Redis 7.0's ~88 bytes of used_memory per
// `key:N -> 10-byte value` key, with and without a TTL on every key.
TEST_F(DatabaseTest, BytesPerSmallStringKeyMeetTheTarget) {
  constexpr int kKeys = 1000000;
  size_t before = mem::UsedMemory();
  for (int i = 0; i < kKeys; i++) {
    db_->Set("key:" + std::to_string(i), ValueInit::FromString("0123456789"));
  }
  while (db_->main_table().RehashSteps(1000)) {
  }
  double per_key = static_cast<double>(mem::UsedMemory() - before) / kKeys;
  std::printf("bytes per key without TTL: %.1f\n", per_key);
  EXPECT_LE(per_key, 0.6 * 88);
  for (int i = 0; i < kKeys; i++) {
    Record* r = db_->Find("key:" + std::to_string(i));
    db_->SetExpire(r, env_.now_ms + 100000);
  }
  while (db_->expires_table().RehashSteps(1000)) {
  }
  double per_key_ttl = static_cast<double>(mem::UsedMemory() - before) / kKeys;
  std::printf("bytes per key with TTL: %.1f\n", per_key_ttl);
  EXPECT_LE(per_key_ttl, 0.6 * 120);
}

}  // namespace
}  // namespace ember
