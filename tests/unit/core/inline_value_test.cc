// Contracts of inline listpack values (core/object.h, "Inline listpacks"): a small sorted-set
// listpack is copied into its record (one allocation, freed external blob, no leak), readers see
// encoding kListpack and the same bytes through ptr(), the write cycle (move out with kNever, change,
// store back with kAuto) keeps the record tight, and RENAME/COPY/TTL paths copy the inline bytes.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <random>
#include <string>

#include "core/database.h"
#include "../db_fixture.h"
#include "core/object.h"
#include "core/zset_value.h"
#include "memory/alloc.h"
#include "types/listpack.h"

namespace ember {
namespace {

// A listpack zset with n members "member:J" scored J*1.5 (the memory bench's shape).
Zset MakeZset(size_t n) {
  Zset z = Zset::NewListpack();
  ZsetLimits lim;
  lim.max_listpack_entries = 1000;
  for (size_t j = 0; j < n; j++) {
    int out = 0;
    z.Add(static_cast<double>(j) * 1.5, "member:" + std::to_string(j), kZaddNone, lim, &out,
          nullptr);
  }
  return z;
}

// A listpack's bytes, copied into a stack buffer (a std::string would count in UsedMemory).
struct Blob {
  char b[1024];
  size_t n = 0;
  bool operator==(const Blob& o) const { return n == o.n && std::memcmp(b, o.b, n) == 0; }
  size_t size() const { return n; }
};
Blob Bytes(const void* lp) {
  Blob x;
  x.n = lp::Bytes(static_cast<const uint8_t*>(lp));
  EMBER_CHECK(x.n <= sizeof(x.b));
  std::memcpy(x.b, lp, x.n);
  return x;
}

size_t Prefix(const Record* r) {
  std::string_view k = r->key();
  return static_cast<size_t>(k.data() + k.size() - reinterpret_cast<const char*>(r));
}

// What OpenForWrite does to an inline zset: the listpack is copied out and the record keeps a
// pointer to the copy (ValueInit::Inline::kNever), at the same address and size.
ValueInit CopyOut(const Record* r) {
  ValueInit out = ValueInit::Ptr(ObjType::kZSet, Encoding::kListpack,
                                 lp::Dup(static_cast<const uint8_t*>(r->ptr())));
  out.inline_mode = ValueInit::Inline::kNever;
  return out;
}
Record* MoveOut(Record* r) { return Record::ReplaceValue(r, CopyOut(r)); }

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAsanSizes = true;
#else
constexpr bool kAsanSizes = false;
#endif

TEST(InlineValueTest, SmallZsetListpackIsCopiedIntoOneTightRecord) {
  size_t before = mem::UsedMemory();
  Zset z = MakeZset(10);
  Blob blob = Bytes(z.ptr());
  ASSERT_EQ(blob.size(), 144u);  // Redis's exact bytes for the bench shape
  Record* r = Record::New("zset:12345", z.ToValueInit());  // frees z's blob
  EXPECT_TRUE(r->value_inline());
  EXPECT_FALSE(r->has_external_value());
  EXPECT_EQ(r->type(), ObjType::kZSet);
  EXPECT_EQ(r->encoding(), Encoding::kListpack);
  EXPECT_EQ(Bytes(r->ptr()), blob);
  EXPECT_EQ(r->AllocSize(), mem::SizeClassOf(Prefix(r) + 144));
  if (!kAsanSizes) {  // ASan has no size classes (its usable size is the size asked for)
    EXPECT_EQ(r->AllocSize(), 160u) << "record + listpack of the zset10 shape share one 160-byte class";
  }
  EXPECT_EQ(mem::UsedMemory() - before, r->AllocSize()) << "the external blob must be freed";
  Zset view = Zset::Of(r);
  EXPECT_EQ(view.Length(), 10u);
  double score = 0;
  EXPECT_TRUE(view.Score("member:7", &score));
  EXPECT_EQ(score, 10.5);
  Record::Free(r);
  EXPECT_EQ(mem::UsedMemory(), before);
}

TEST(InlineValueTest, OnlySmallZsetListpacksGoInline) {
  Zset big = MakeZset(60);
  ASSERT_GT(lp::Bytes(big.lp()), kMaxInlineValue);
  Record* a = Record::New("a", big.ToValueInit());
  EXPECT_FALSE(a->value_inline());
  EXPECT_TRUE(a->has_external_value());
  EXPECT_EQ(a->ptr(), big.ptr());
  // A hash listpack (another type) stays external.
  uint8_t* hl = lp::New();
  Record* b = Record::New("b", ValueInit::Ptr(ObjType::kHash, Encoding::kListpack, hl));
  EXPECT_FALSE(b->value_inline());
  // kNever keeps even a small zset listpack external.
  Zset small = MakeZset(3);
  ValueInit v = small.ToValueInit();
  v.inline_mode = ValueInit::Inline::kNever;
  Record* c = Record::New("c", v);
  EXPECT_FALSE(c->value_inline());
  EXPECT_EQ(c->ptr(), small.ptr());
  // A skiplist zset is never inline.
  Zset sl = Zset::NewSkiplist();
  Record* d = Record::New("d", sl.ToValueInit());
  EXPECT_FALSE(d->value_inline());
  for (Record* r : {a, b, c, d}) Record::Free(r);
}

TEST(InlineValueTest, SetPtrOnInlineRecordPanics) {
  Record* r = Record::New("k", MakeZset(2).ToValueInit());
  ASSERT_TRUE(r->value_inline());
  EXPECT_DEATH(r->set_ptr(nullptr), "");
  EXPECT_DEATH(r->set_encoding(Encoding::kSkiplist), "");
  Record::Free(r);
}

TEST(InlineValueTest, WriteCycleMovesOutInPlaceAndBackTight) {
  size_t before = mem::UsedMemory();
  Record* r = Record::New("zset:1", MakeZset(10).ToValueInit());
  size_t inline_size = r->AllocSize();
  // Move out (what OpenForWrite does): same address, same size, external copy.
  Record* r2 = MoveOut(r);
  EXPECT_EQ(r2, r);
  EXPECT_FALSE(r2->value_inline());
  EXPECT_EQ(r2->AllocSize(), inline_size);
  // Change and store back: inline again, and tight.
  Zset z = Zset::Of(r2);
  int flags = 0;
  z.Add(99, "new", kZaddNone, ZsetLimits{}, &flags, nullptr);
  Blob blob = Bytes(z.ptr());
  Record* r3 = Record::ReplaceValue(r2, z.ToValueInit());
  EXPECT_TRUE(r3->value_inline());
  EXPECT_EQ(Bytes(r3->ptr()), blob);
  EXPECT_EQ(r3->AllocSize(), mem::SizeClassOf(Prefix(r3) + blob.size()));
  EXPECT_EQ(mem::UsedMemory() - before, r3->AllocSize());
  // Shrinking to 1 member: the record goes down to its own class.
  Record* r4 = MoveOut(r3);
  z = Zset::Of(r4);
  for (int j = 0; j < 10; j++) z.Delete("member:" + std::to_string(j));
  ASSERT_EQ(z.Length(), 1u);
  Record* r5 = Record::ReplaceValue(r4, z.ToValueInit());
  EXPECT_TRUE(r5->value_inline());
  EXPECT_EQ(r5->AllocSize(), mem::SizeClassOf(Prefix(r5) + lp::Bytes(static_cast<uint8_t*>(r5->ptr()))));
  EXPECT_LE(r5->AllocSize(), 48u);
  // Converting to a skiplist leaves a pointer-sized, tight record.
  Record* r6 = MoveOut(r5);
  z = Zset::Of(r6);
  z.ConvertToSkiplist(1);
  Record* r7 = Record::ReplaceValue(r6, z.ToValueInit());
  EXPECT_EQ(r7->encoding(), Encoding::kSkiplist);
  EXPECT_EQ(r7->AllocSize(), mem::SizeClassOf(Prefix(r7) + 8));
  Record::Free(r7);
  // The same from a full 160-byte inline record (ZADD past zset-max-listpack-entries).
  Record* s1 = Record::New("zset:1", MakeZset(10).ToValueInit());
  ASSERT_EQ(s1->AllocSize(), mem::SizeClassOf(Prefix(s1) + 144));
  Record* s2 = MoveOut(s1);
  z = Zset::Of(s2);
  z.ConvertToSkiplist(10);
  Record* s3 = Record::ReplaceValue(s2, z.ToValueInit());
  EXPECT_EQ(s3->AllocSize(), mem::SizeClassOf(Prefix(s3) + 8));
  Record::Free(s3);
  EXPECT_EQ(mem::UsedMemory(), before);
}

TEST(InlineValueTest, ExpireRenameAndCopyCarryTheBytes) {
  size_t before = mem::UsedMemory();
  Record* r = Record::New("src", MakeZset(10).ToValueInit());
  Blob blob = Bytes(r->ptr());
  // TTL on and off (the record is rebuilt from Value(), a kBorrowed copy).
  Record* e = Record::WithExpire(r, true, 1'700'000'000'000);
  EXPECT_TRUE(e->value_inline());
  EXPECT_EQ(Bytes(e->ptr()), blob);
  EXPECT_EQ(e->expire_ms(), 1'700'000'000'000);
  Record* f = Record::WithExpire(e, false, 0);
  EXPECT_TRUE(f->value_inline());
  EXPECT_EQ(Bytes(f->ptr()), blob);
  // RENAME: a new record from Value(), then the old shell freed.
  ValueInit v = f->Value();
  EXPECT_EQ(v.inline_mode, ValueInit::Inline::kBorrowed);
  Record* g = Record::New("dst", v);
  Record::FreeShell(f);
  EXPECT_TRUE(g->value_inline());
  EXPECT_EQ(Bytes(g->ptr()), blob);
  // COPY: an inline value is copied straight from the source record.
  Record* h = Record::New("copy", g->Value());
  EXPECT_EQ(Bytes(h->ptr()), blob);
  EXPECT_NE(h->ptr(), g->ptr());
  EXPECT_EQ(mem::UsedMemory() - before, g->AllocSize() + h->AllocSize());
  Record::Free(g);
  Record::Free(h);
  EXPECT_EQ(mem::UsedMemory(), before);
}

class InlineDbTest : public test_util::DbFixture {};

TEST_F(InlineDbTest, OverwriteDeleteAndTtlFreeEverything) {
  size_t before = mem::UsedMemory();
  db_->Add("a", MakeZset(10).ToValueInit());
  Record* r = db_->Find("a");
  ASSERT_TRUE(r->value_inline());
  r = db_->SetExpire(r, 5'000'000);
  EXPECT_TRUE(r->value_inline());
  EXPECT_EQ(db_->Find("a"), r);
  // Overwrite an inline zset with a string, and a string with an inline zset.
  db_->Set("a", ValueInit::FromString("x"));
  db_->Set("b", ValueInit::FromString("y"));
  db_->Set("b", MakeZset(4).ToValueInit(), true);
  EXPECT_TRUE(db_->Find("b")->value_inline());
  db_->Set("b", MakeZset(5).ToValueInit());  // inline over inline
  EXPECT_EQ(Zset::Of(db_->Find("b")).Length(), 5u);
  EXPECT_TRUE(db_->Delete("a"));
  EXPECT_TRUE(db_->Delete("b", /*lazy=*/true));
  EXPECT_EQ(db_->Size(), 0u);
  // Only the tables' own memory may remain.
  EXPECT_EQ(mem::UsedMemory() - before, db_->MainOverheadBytes() + db_->ExpiresOverheadBytes());
}

// Random adds/removes through the write cycle the zset commands use, against a std::map model;
// the record's bytes must always equal a freshly built listpack of the model (Redis's layout).
TEST_F(InlineDbTest, RandomWritesMatchModelAndStayTight) {
  std::mt19937_64 rng(7);
  std::map<std::string, double> model;
  ZsetLimits lim;
  lim.max_listpack_entries = 64;
  size_t seen_inline = 0, seen_external = 0;
  for (int step = 0; step < 3000; step++) {
    Record* r = db_->LookupWrite("k");
    std::string m = "member" + std::to_string(rng() % 48);
    double score = static_cast<double>(rng() % 200) / 2;
    bool add = rng() % 3 != 0;
    Zset z;
    if (!r) {
      if (!add) continue;
      z = Zset::NewListpack();
    } else {
      if (r->value_inline()) r = db_->ReplaceValue(r, CopyOut(r));
      z = Zset::Of(r);
    }
    int out = 0;
    if (add) {
      z.Add(score, m, kZaddNone, lim, &out, nullptr);
      model[m] = score;
    } else {
      z.Delete(m);
      model.erase(m);
    }
    if (!r) {
      r = db_->Add("k", z.ToValueInit());
    } else if (z.Length() == 0) {
      r->set_ptr(z.ptr());
      db_->Delete("k");
      r = nullptr;
    } else {
      r = db_->ReplaceValue(r, z.ToValueInit());
    }
    ASSERT_EQ(db_->Find("k"), r);
    if (!r) {
      ASSERT_TRUE(model.empty());
      continue;
    }
    Zset now = Zset::Of(r);
    now.Verify();
    ASSERT_EQ(now.Length(), model.size());
    for (const auto& [mm, sc] : model) {
      double got = 0;
      ASSERT_TRUE(now.Score(mm, &got)) << mm;
      ASSERT_EQ(got, sc);
    }
    if (r->encoding() == Encoding::kListpack) {
      size_t bytes = lp::Bytes(static_cast<const uint8_t*>(r->ptr()));
      ASSERT_EQ(r->value_inline(), bytes <= kMaxInlineValue);
      (r->value_inline() ? seen_inline : seen_external)++;
      if (r->value_inline()) {
        ASSERT_EQ(r->AllocSize(), mem::SizeClassOf(Prefix(r) + bytes));
      }
    }
  }
  EXPECT_GT(seen_inline, 100u);
  EXPECT_GT(seen_external, 100u) << "the walk should cross kMaxInlineValue both ways";
}

// ZADD-like growth of many small zsets while the keyspace table grows and rehashes: each store
// moves the record to a bigger class, and the slot fix-up's lookup (with its rehash step, which may
// allocate a bucket) must not run after the old record was freed (the bucket could reuse it, and
// the lookup then compares against garbage). Crashed the server in redis-benchmark ZADD runs.
TEST_F(InlineDbTest, StoresDuringRehashKeepTablesConsistent) {
  std::mt19937_64 rng(11);
  ZsetLimits lim;
  char key[32], member[32];
  for (int op = 0; op < 120000; op++) {
    std::snprintf(key, sizeof(key), "zk:%06d", static_cast<int>(rng() % 30000));
    std::snprintf(member, sizeof(member), "member:%04d", static_cast<int>(rng() % 10000));
    Record* r = db_->LookupWrite(key);
    int out = 0;
    if (!r) {
      Zset z = Zset::NewListpack();
      z.Add(1, member, kZaddNone, lim, &out, nullptr);
      db_->Add(key, z.ToValueInit());
      continue;
    }
    if (rng() % 8 == 0) r = db_->SetExpire(r, 9'000'000 + static_cast<int64_t>(rng() % 1000));
    ValueInit ext = ValueInit::Ptr(ObjType::kZSet, Encoding::kListpack,
                                   lp::Dup(static_cast<const uint8_t*>(r->ptr())));
    ext.inline_mode = ValueInit::Inline::kNever;
    r = db_->ReplaceValue(r, ext);
    Zset z = Zset::Of(r);
    z.Add(static_cast<double>(rng() % 100), member, kZaddNone, lim, &out, nullptr);
    r = db_->ReplaceValue(r, z.ToValueInit());
    ASSERT_EQ(db_->Find(key), r);
    if (r->has_expire()) {
      Record** es = db_->expires_table().Find(key);
      ASSERT_TRUE(es && *es == r);
    }
  }
  size_t n = 0;
  db_->main_table().ForEach([&](Record* r) {
    n++;
    Zset::Of(r).Verify();
  });
  EXPECT_EQ(n, db_->Size());
}

}  // namespace
}  // namespace ember
