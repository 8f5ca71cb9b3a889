// Contracts of core/hash_pack.h and core/hash_value.h: the packed small-hash format (canonical
// entries, integer encoding, count varint), operations against a reference model across both
// encodings and the one-way conversions at the thresholds, listpack round trips, sampling, scan,
// MEMORY USAGE, and the per-element memory budget against Redis 7.0.
#include "core/hash_value.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/database.h"
#include "memory/alloc.h"
#include "types/listpack.h"

namespace ember {
namespace {

std::map<std::string, std::string> Contents(const HashRef& h) {
  std::map<std::string, std::string> m;
  HashForEach(h, [&](std::string_view f, std::string_view v) {
    EXPECT_TRUE(m.emplace(std::string(f), std::string(v)).second) << "duplicate field " << f;
  });
  return m;
}

// ---- hpack ----

TEST(HashPackTest, IntegersAreStoredOnlyWhenSmaller) {
  EXPECT_EQ(hpack::Key("7").EntryBytes(), 2u);          // string: tag + 1 byte
  EXPECT_EQ(hpack::Key("12345").EntryBytes(), 3u);      // int16
  EXPECT_EQ(hpack::Key("-9223372036854775808").EntryBytes(), 9u);
  EXPECT_EQ(hpack::Key("007").EntryBytes(), 4u);        // not an integer by string2ll rules
  EXPECT_EQ(hpack::Key("field:1").EntryBytes(), 8u);
  EXPECT_EQ(hpack::Key(std::string(127, 'x')).EntryBytes(), 128u);
  EXPECT_EQ(hpack::Key(std::string(128, 'x')).EntryBytes(), 130u);
  EXPECT_EQ(hpack::Key(std::string(16384, 'x')).EntryBytes(), 16389u);
}

TEST(HashPackTest, GetFormatsIntegersAndMatchesByText) {
  uint8_t* hp = hpack::New();
  bool ins;
  for (const char* s : {"0", "-1", "127", "128", "-32768", "32767", "2147483648",
                        "9223372036854775807", "-9223372036854775808", "1.5", "", "abc"}) {
    hp = hpack::Set(hp, hpack::Key(s), hpack::Key(s), &ins);
    EXPECT_TRUE(ins) << s;
  }
  hpack::Scratch sc;
  for (const char* s : {"0", "-1", "127", "128", "-32768", "32767", "2147483648",
                        "9223372036854775807", "-9223372036854775808", "1.5", "", "abc"}) {
    const uint8_t* f = hpack::Find(hp, hpack::Key(s));
    ASSERT_NE(f, nullptr) << s;
    EXPECT_EQ(hpack::Get(hpack::Next(f), &sc), s);
    EXPECT_EQ(hpack::TextLength(hpack::Next(f)), std::string_view(s).size());
  }
  EXPECT_EQ(hpack::Find(hp, hpack::Key("00")), nullptr);
  EXPECT_EQ(hpack::Find(hp, hpack::Key("12")), nullptr);
  hpack::Free(hp);
}

TEST(HashPackTest, CountVarintGrowsAndShrinksAcross128And16384) {
  uint8_t* hp = hpack::New();
  bool flag;
  size_t payload = 0;
  for (int i = 0; i < 200; i++) {
    hp = hpack::Set(hp, hpack::Key("f" + std::to_string(i)), hpack::Key("v"), &flag);
    ASSERT_TRUE(flag);
    ASSERT_EQ(hpack::Count(hp), static_cast<size_t>(i + 1));
    payload += 1 + ("f" + std::to_string(i)).size() + 2;
    ASSERT_EQ(hpack::Bytes(hp), (i + 1 < 128 ? 1u : 2u) + payload);
  }
  EXPECT_EQ(mem::UsableSize(hp), mem::SizeClassOf(hpack::Bytes(hp)));
  for (int i = 199; i >= 0; i--) {
    hp = hpack::Delete(hp, hpack::Key("f" + std::to_string(i)), &flag);
    ASSERT_TRUE(flag);
    ASSERT_EQ(hpack::Count(hp), static_cast<size_t>(i));
  }
  EXPECT_EQ(hpack::Bytes(hp), 1u);
  hpack::Free(hp);

  // 16383 pairs built in one pass from a listpack, then across the 2 -> 3 byte count boundary.
  std::vector<std::string> items;
  for (int i = 0; i < 16383; i++) {
    items.push_back("f" + std::to_string(i));
    items.push_back("v");
  }
  std::vector<std::string_view> views(items.begin(), items.end());
  uint8_t* lp = lp::BatchAppend(lp::New(), views);
  hp = hpack::FromListpack(lp);
  lp::Free(lp);
  size_t base = hpack::Bytes(hp);
  hp = hpack::Set(hp, hpack::Key("x"), hpack::Key("y"), &flag);
  ASSERT_TRUE(flag);
  EXPECT_EQ(hpack::Count(hp), 16384u);
  EXPECT_EQ(hpack::Bytes(hp), base + 4 + 1);  // the pair + one more count byte
  ASSERT_NE(hpack::Find(hp, hpack::Key("f16382")), nullptr);
  hp = hpack::Delete(hp, hpack::Key("f0"), &flag);
  ASSERT_TRUE(flag);
  EXPECT_EQ(hpack::Count(hp), 16383u);
  EXPECT_EQ(hpack::Bytes(hp), base - 1);  // "x","y" in, "f0","v" (5 bytes) out, count 2 bytes
  hpack::Scratch sc;
  EXPECT_EQ(hpack::Get(hpack::First(hp), &sc), "f1");
  hpack::Free(hp);
}

TEST(HashPackTest, ListpackRoundTripKeepsPairsAndOrder) {
  uint8_t* hp = hpack::New();
  bool ins;
  std::vector<std::pair<std::string, std::string>> pairs = {
      {"a", "1"}, {"12345", "-7"}, {"big", std::string(300, 'z')}, {"", "empty field"},
      {"n", "9223372036854775807"}};
  for (auto& [f, v] : pairs) hp = hpack::Set(hp, hpack::Key(f), hpack::Key(v), &ins);
  std::string lp_buf;
  hpack::ToListpack(hp, &lp_buf);
  auto* lp = reinterpret_cast<uint8_t*>(lp_buf.data());
  ASSERT_TRUE(lp::ValidateListpack(lp, lp_buf.size(), true));
  ASSERT_EQ(lp::Length(lp), pairs.size() * 2);
  lp::Scratch ls;
  const uint8_t* p = lp::First(lp);
  for (auto& [f, v] : pairs) {
    EXPECT_EQ(lp::GetString(p, &ls), f);
    p = lp::Next(lp, p);
    EXPECT_EQ(lp::GetString(p, &ls), v);
    p = lp::Next(lp, p);
  }
  EXPECT_LE(lp::Bytes(lp), hpack::ListpackBytesBound(hp));
  uint8_t* back = hpack::FromListpack(lp);
  ASSERT_EQ(hpack::Bytes(back), hpack::Bytes(hp));
  EXPECT_EQ(std::memcmp(back, hp, hpack::Bytes(hp)), 0);
  hpack::Free(back);
  hpack::Free(hp);
}

// ---- hash values against a model ----

std::string RandomString(std::mt19937_64& rng) {
  switch (rng() % 8) {
    case 0: return std::to_string(static_cast<int64_t>(rng() % 2000) - 1000);
    case 1: return std::to_string(static_cast<int64_t>(rng()));
    case 2: return std::string(rng() % 90, 'a' + static_cast<char>(rng() % 3));
    case 3: return std::string(120 + rng() % 20, 'q');
    default: return "f" + std::to_string(rng() % 60);
  }
}

// ToListpack writes exactly the listpack lp::Append would build from the same texts, and
// FromListpack exactly the blob Set would build: random pairs of every entry kind (small and big
// integers, digit strings kept as strings in the blob, strings over 127 and 16383 bytes).
TEST(HashPackTest, OnePassConversionsMatchEntryByEntryBuilds) {
  std::mt19937_64 rng(11);
  std::string got;  // reused across rounds, as the RDB writer reuses it
  for (int round = 0; round < 300; round++) {
    uint8_t* hp = hpack::New();
    uint8_t* want_lp = lp::New();
    std::set<std::string> fields;
    size_t n = rng() % 40;
    for (size_t i = 0; i < n; i++) {
      std::string f = RandomString(rng), v = RandomString(rng);
      if (rng() % 50 == 0) v = std::string(16384 + rng() % 100, 'w');
      if (!fields.insert(f).second) continue;
      bool ins;
      hp = hpack::Set(hp, hpack::Key(f), hpack::Key(v), &ins);
      want_lp = lp::Append(want_lp, f);
      want_lp = lp::Append(want_lp, v);
    }
    hpack::ToListpack(hp, &got);
    ASSERT_EQ(got.size(), lp::Bytes(want_lp)) << "round " << round;
    EXPECT_EQ(std::memcmp(got.data(), want_lp, lp::Bytes(want_lp)), 0) << "round " << round;
    uint8_t* back = hpack::FromListpack(want_lp);
    ASSERT_EQ(hpack::Bytes(back), hpack::Bytes(hp)) << "round " << round;
    EXPECT_EQ(std::memcmp(back, hp, hpack::Bytes(hp)), 0) << "round " << round;
    EXPECT_EQ(mem::UsableSize(back), mem::UsableSize(hp));  // exact-size allocation, as Set's
    lp::Free(want_lp);
    hpack::Free(back);
    hpack::Free(hp);
  }
}

TEST(HashValueTest, RandomOperationsMatchModelAcrossConversions) {
  std::mt19937_64 rng(42);
  for (int round = 0; round < 40; round++) {
    HashLimits lim{8 + rng() % 40, 16 + rng() % 60};
    HashRef h = NewHash();
    std::map<std::string, std::string> model;
    bool converted = false;
    for (int op = 0; op < 400; op++) {
      std::string f = RandomString(rng);
      std::string v = RandomString(rng);
      if (op % 7 == 0) f = "f" + std::to_string(rng() % 10);  // mostly short fields
      switch (rng() % 6) {
        case 0:
        case 1:
        case 2: {
          std::string_view fv[2] = {f, v};
          HashTryConversion(&h, fv, lim);
          bool created = HashSet(&h, f, v, lim);
          EXPECT_EQ(created, model.count(f) == 0);
          model[f] = v;
          if (f.size() > lim.max_listpack_value || v.size() > lim.max_listpack_value ||
              model.size() > lim.max_listpack_entries) {
            converted = true;
          }
          break;
        }
        case 3: {
          bool del = HashDelete(&h, f);
          EXPECT_EQ(del, model.erase(f) == 1);
          break;
        }
        case 4: {
          hpack::Scratch sc;
          std::string_view got;
          bool found = HashGet(h, f, &sc, &got);
          ASSERT_EQ(found, model.count(f) == 1);
          if (found) { EXPECT_EQ(got, model[f]); }
          EXPECT_EQ(HashStrlen(h, f), found ? model[f].size() : 0u);
          break;
        }
        default:
          EXPECT_EQ(HashExists(h, f), model.count(f) == 1);
      }
      ASSERT_EQ(h.enc, converted ? Encoding::kHashtable : Encoding::kListpack)
          << "round " << round << " op " << op;
      ASSERT_EQ(HashLength(h), model.size());
    }
    EXPECT_EQ(Contents(h), model);
    void* dup = DupHashValue(h.enc, h.ptr);
    EXPECT_EQ(Contents(HashRef{h.enc, dup}), model);
    FreeHashValue(h.enc, dup);
    if (h.enc == Encoding::kHashtable) h.dict()->Verify();
    FreeHashValue(h.enc, h.ptr);
  }
}

TEST(HashValueTest, ConversionThresholdsAreStrict) {
  HashLimits lim{4, 10};
  HashRef h = NewHash();
  for (int i = 0; i < 4; i++) HashSet(&h, "f" + std::to_string(i), "v", lim);
  EXPECT_EQ(h.enc, Encoding::kListpack);
  HashSet(&h, "f1", std::string(10, 'x'), lim);  // equal to the limit still fits
  EXPECT_EQ(h.enc, Encoding::kListpack);
  HashSet(&h, "f4", "v", lim);  // count 5 > 4
  EXPECT_EQ(h.enc, Encoding::kHashtable);
  EXPECT_EQ(HashLength(h), 5u);
  FreeHashValue(h.enc, h.ptr);

  h = NewHash();
  HashSet(&h, "k", std::string(11, 'x'), lim);  // HINCRBY path: value longer than the limit
  EXPECT_EQ(h.enc, Encoding::kHashtable);
  FreeHashValue(h.enc, h.ptr);
}

TEST(HashValueTest, TryConversionPresizesForManyNewFieldsEvenWithRepeats) {
  HashLimits lim{2, 64};
  HashRef h = NewHash();
  std::vector<std::string_view> fv = {"a", "1", "a", "2", "a", "3"};  // 3 "new" fields > 2
  HashTryConversion(&h, fv, lim);
  EXPECT_EQ(h.enc, Encoding::kHashtable);
  for (size_t i = 0; i < fv.size(); i += 2) HashSet(&h, fv[i], fv[i + 1], lim);
  EXPECT_EQ(HashLength(h), 1u);
  FreeHashValue(h.enc, h.ptr);

  h = NewHash();
  std::vector<std::string_view> two = {"a", "1", "b", std::string_view("0123456789", 10)};
  HashTryConversion(&h, two, HashLimits{512, 9});
  EXPECT_EQ(h.enc, Encoding::kHashtable);
  FreeHashValue(h.enc, h.ptr);
}

TEST(HashValueTest, RandomPairsAndScanCoverEverything) {
  for (Encoding enc : {Encoding::kListpack, Encoding::kHashtable}) {
    HashRef h = NewHash();
    HashLimits lim{512, 64};
    for (int i = 0; i < 200; i++) HashSet(&h, "f" + std::to_string(i), std::to_string(i), lim);
    if (enc == Encoding::kHashtable) HashConvertToDict(&h);
    ASSERT_EQ(h.enc, enc);
    hpack::Scratch sf, sv;
    for (size_t count : {1u, 5u, 66u, 67u, 150u, 199u}) {
      std::vector<HashPairHandle> picks;
      HashRandomDistinctPairs(h, count, &picks);
      ASSERT_EQ(picks.size(), count);
      std::set<std::string> seen;
      for (HashPairHandle p : picks) {
        std::string f(HashPairField(h, p, &sf));
        EXPECT_EQ("f" + std::string(HashPairValue(h, p, &sv)), f);
        seen.insert(f);
      }
      EXPECT_EQ(seen.size(), count);
    }
    std::set<std::string> hit;
    for (int i = 0; i < 5000; i++) hit.insert(std::string(HashPairField(h, HashRandomPair(h), &sf)));
    EXPECT_EQ(hit.size(), 200u) << "every pair should be drawn in 5000 draws";
    if (enc == Encoding::kHashtable) {
      std::set<std::string> scanned;
      uint64_t cursor = 0;
      int steps = 0;
      do {
        cursor = HashScanStep(h, cursor, [&](std::string_view f, std::string_view) {
          scanned.insert(std::string(f));
        });
        steps++;
      } while (cursor != 0 && steps < 100000);
      EXPECT_EQ(scanned.size(), 200u);
    }
    FreeHashValue(h.enc, h.ptr);
  }
}

TEST(HashValueTest, MemoryUsageIsExactForListpackAndSampledForTables) {
  HashRef h = NewHash();
  HashLimits lim{512, 64};
  for (int i = 0; i < 10; i++) HashSet(&h, "field:" + std::to_string(i), "0123456789", lim);
  EXPECT_EQ(HashValueMemory(h.enc, h.ptr, 5), mem::UsableSize(h.ptr));
  HashConvertToDict(&h);
  size_t all = HashValueMemory(h.enc, h.ptr, 0);
  size_t expect = mem::UsableSize(h.ptr) + h.dict()->MemoryUsage() + 10 * mem::SizeClassOf(19);
  EXPECT_EQ(all, expect);
  EXPECT_EQ(HashValueMemory(h.enc, h.ptr, 3), all);  // uniform entries: same average
  EXPECT_EQ(HashFreeEffort(h.enc, h.ptr), 10u);
  FreeHashValue(h.enc, h.ptr);
}

TEST(HashValueTest, ListpackPersistenceRoundTripAppliesTheEntriesLimit) {
  HashRef h = NewHash();
  HashLimits lim{512, 64};
  for (int i = 0; i < 6; i++) HashSet(&h, "f" + std::to_string(i), std::to_string(i * 1000), lim);
  std::string lp_buf;
  HashToListpack(h, &lp_buf);
  const auto* lp = reinterpret_cast<const uint8_t*>(lp_buf.data());
  HashRef small = HashFromListpack(lp, lim);
  EXPECT_EQ(small.enc, Encoding::kListpack);
  EXPECT_EQ(Contents(small), Contents(h));
  HashRef big = HashFromListpack(lp, HashLimits{5, 64});
  EXPECT_EQ(big.enc, Encoding::kHashtable);
  EXPECT_EQ(Contents(big), Contents(h));
  for (HashRef* r : {&h, &small, &big}) FreeHashValue(r->enc, r->ptr);
}

// ---- memory budget ----

// Redis 7.0.15 measured (used_memory delta, bench shape hash10): 299.3 bytes per key for
// `HSET hash:N field:0 %010d ... field:9 %010d` (listpack of 217 -> 224 bytes, robj, key sds,
// dictEntry, bucket). Target: <= 0.9x.
TEST(HashValueTest, HundredThousandSmallHashesCostUnderNinetyPercentOfRedis) {
  KeyspaceEnv env;
  auto db = std::make_unique<Database>(0, &env);
  HashLimits lim{512, 64};
  size_t before = mem::UsedMemory();
  const int kKeys = 100000;
  char val[16];
  for (int i = 0; i < kKeys; i++) {
    HashRef h = NewHash();
    for (int j = 0; j < 10; j++) {
      std::snprintf(val, sizeof(val), "%010d", i * 10 + j);
      HashSet(&h, "field:" + std::to_string(j), val, lim);
    }
    if (i == 0) {
      EXPECT_EQ(mem::UsableSize(h.ptr), mem::SizeClassOf(191)) << "10 pairs pack into 191 bytes";
    }
    db->Add("hash:" + std::to_string(i), ValueInit::Ptr(ObjType::kHash, h.enc, h.ptr));
  }
  while (db->main_table().RehashSteps(1000)) {
  }  // the server cron finishes a rehash within milliseconds
  double per_key = static_cast<double>(mem::UsedMemory() - before) / kKeys;
  EXPECT_LE(per_key, 0.9 * 299.3) << per_key;
  std::printf("[ info ] hash10 shape: %.1f bytes/key (Redis 7.0: 299.3, ratio %.3f)\n", per_key,
              per_key / 299.3);
  db.reset();
  EXPECT_LE(mem::UsedMemory(), before + 4096);
}

// Redis 7.0 per field of a hashtable hash: dictEntry (24 -> 32-byte class) + field sds + value sds
// + 8-byte bucket slot (at fill 1.0). With 100-byte values and "field:N" names: 32+16+112+8 = 168.
TEST(HashValueTest, LargeHashIsLeanerThanRedisDict) {
  HashLimits lim{512, 64};
  std::string v(100, 'v');
  size_t before = mem::UsedMemory();
  HashRef h = NewHash();
  for (int i = 0; i < 1000; i++) HashSet(&h, "field:" + std::to_string(i), v, lim);
  ASSERT_EQ(h.enc, Encoding::kHashtable);
  double per_field = static_cast<double>(mem::UsedMemory() - before) / 1000;
  EXPECT_LE(per_field, 0.85 * 168) << per_field;
  // Replacing values in place keeps the size.
  for (int i = 0; i < 1000; i++) HashSet(&h, "field:" + std::to_string(i), std::string(100, 'w'), lim);
  EXPECT_EQ(static_cast<double>(mem::UsedMemory() - before) / 1000, per_field);
  FreeHashValue(h.enc, h.ptr);
  EXPECT_EQ(mem::UsedMemory(), before);
  std::printf("[ info ] 1000 x 100-byte values: %.1f bytes/field (Redis 7.0 dict: ~168)\n",
              per_field);
}

}  // namespace
}  // namespace ember
