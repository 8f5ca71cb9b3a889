#include "types/hashtable.h"

#include <gtest/gtest.h>

#include <algorithm>

#include <cstdio>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/hash.h"
#include "memory/alloc.h"

namespace ember {
namespace {

struct StrTraits {
  using Entry = std::string*;
  static std::string_view KeyOf(Entry e) { return *e; }
};
using Table = HashTable<StrTraits>;

// Every key hashes to the same bucket (and tag): forces long chains.
struct CollideTraits {
  using Entry = std::string*;
  static std::string_view KeyOf(Entry e) { return *e; }
  static uint64_t Hash(std::string_view) { return 0x5a00000000000000ULL; }
};

// Restores the global resize policy after a test.
struct PolicyGuard {
  ~PolicyGuard() { SetHashTableResizePolicy(HashTableResizePolicy::kAllow); }
};

// Owns the key strings a test stores as entries.
class Keys {
 public:
  std::string* Make(std::string s) {
    owned_.push_back(std::make_unique<std::string>(std::move(s)));
    return owned_.back().get();
  }
  std::string* Make(int i) { return Make("key:" + std::to_string(i)); }

 private:
  std::vector<std::unique_ptr<std::string>> owned_;
};

std::vector<std::string*> Collect(Table& t) {
  std::vector<std::string*> out;
  auto it = t.MakeIterator();
  std::string* e;
  while (it.Next(&e)) out.push_back(e);
  return out;
}

TEST(HashBytes, SeedChangesHashesAndNoCaseFoldsAscii) {
  uint64_t saved = HashSeed();
  SetHashSeed(1);
  uint64_t a = HashBytes("hello");
  SetHashSeed(2);
  uint64_t b = HashBytes("hello");
  EXPECT_NE(a, b);
  EXPECT_EQ(HashBytesNoCase("GeT"), HashBytes("get"));
  std::string upper(1000, 'X'), lower(1000, 'x');
  upper[500] = '#';
  lower[500] = '#';
  EXPECT_EQ(HashBytesNoCase(upper), HashBytes(lower));
  EXPECT_NE(HashBytesNoCase(upper), HashBytes(upper));
  EXPECT_TRUE(EqualsNoCase("CONFIG", "config"));
  EXPECT_FALSE(EqualsNoCase("CONFIG", "confi"));
  EXPECT_FALSE(EqualsNoCase("[", "{"));  // only A-Z fold
  EXPECT_EQ(HashBytes(nullptr, 0), HashBytes(""));
  SetHashSeed(saved);
}

TEST(HashTable, BucketIsOneCacheLineAndEmptyTableOwnsNothing) {
  Table t;
  EXPECT_EQ(t.MemoryUsage(), 0u);
  EXPECT_EQ(t.Find("x"), nullptr);
  EXPECT_EQ(t.Delete("x"), nullptr);
  EXPECT_EQ(t.RandomEntry(), nullptr);
  EXPECT_EQ(t.Scan(0, [](std::string*) {}), 0u);
  Keys keys;
  ASSERT_TRUE(t.Insert(keys.Make(1)));
  EXPECT_EQ(t.MemoryUsage(), 64u);
  EXPECT_FALSE(t.Insert(keys.Make(1)));  // same key, different object
  EXPECT_EQ(t.Size(), 1u);
  EXPECT_NE(t.Delete("key:1"), nullptr);
  EXPECT_EQ(t.MemoryUsage(), 0u);  // emptied tables release their buckets
}

TEST(HashTable, FindReturnsSlotThatCanBeReplacedInPlace) {
  Table t;
  Keys keys;
  for (int i = 0; i < 100; i++) ASSERT_TRUE(t.Insert(keys.Make(i)));
  std::string* replacement = keys.Make(42);
  std::string** slot = t.Find("key:42");
  ASSERT_NE(slot, nullptr);
  *slot = replacement;
  EXPECT_EQ(*t.Find("key:42"), replacement);
  EXPECT_EQ(t.Get("key:42"), replacement);
  t.Verify();
}

TEST(HashTable, TwoPhaseInsertAndPop) {
  Table t;
  Keys keys;
  Table::InsertPosition pos;
  uint64_t h = Table::HashKey("a");
  ASSERT_TRUE(t.FindPositionForInsert("a", h, &pos));
  std::string* a = keys.Make("a");
  t.InsertAtPosition(pos, a);
  std::string** existing = nullptr;
  EXPECT_FALSE(t.FindPositionForInsert("a", &pos, &existing));
  ASSERT_NE(existing, nullptr);
  EXPECT_EQ(*existing, a);

  Table::Position dpos;
  std::string** slot = t.FindForDelete("a", &dpos);
  ASSERT_NE(slot, nullptr);
  EXPECT_EQ(*slot, a);
  EXPECT_EQ(t.DeleteAtPosition(dpos), a);
  EXPECT_EQ(t.Size(), 0u);
  EXPECT_EQ(t.FindForDelete("a", &dpos), nullptr);
}

// Randomized operations against std::unordered_map, with incremental rehashing in progress much
// of the time (grows and shrinks both happen).
TEST(HashTable, RandomOpsMatchUnorderedMapIncludingDuringRehash) {
  std::mt19937_64 rng(12345);
  Table t;
  Keys keys;
  std::unordered_map<std::string, std::string*> model;
  size_t ops_while_rehashing = 0, grows = 0, shrinks = 0;
  size_t last_buckets = 0;
  for (int op = 0; op < 200000; op++) {
    // Phases: mostly inserts, then mostly deletes, to cycle through grow and shrink.
    int phase = (op / 20000) % 2;
    int key = static_cast<int>(rng() % 5000);
    std::string k = "key:" + std::to_string(key);
    int r = static_cast<int>(rng() % 100);
    if (t.IsRehashing()) ops_while_rehashing++;
    bool do_insert = phase == 0 ? r < 60 : r < 5;
    if (do_insert) {
      if (r % 2 == 0) {
        std::string* e = keys.Make(k);
        bool inserted = t.Insert(e);
        EXPECT_EQ(inserted, model.count(k) == 0);
        if (inserted) model[k] = e;
      } else {
        Table::InsertPosition pos;
        std::string** existing = nullptr;
        bool fresh = t.FindPositionForInsert(k, &pos, &existing);
        ASSERT_EQ(fresh, model.count(k) == 0) << k;
        if (fresh) {
          std::string* e = keys.Make(k);
          t.InsertAtPosition(pos, e);
          model[k] = e;
        } else {
          ASSERT_EQ(*existing, model[k]);
        }
      }
    } else if (r < 85) {
      std::string* got = t.Delete(k);
      auto it = model.find(k);
      if (it == model.end()) {
        ASSERT_EQ(got, nullptr);
      } else {
        ASSERT_EQ(got, it->second);
        model.erase(it);
      }
    } else {
      std::string** slot = t.Find(k);
      auto it = model.find(k);
      if (it == model.end()) {
        ASSERT_EQ(slot, nullptr);
      } else {
        ASSERT_NE(slot, nullptr);
        ASSERT_EQ(*slot, it->second);
      }
    }
    ASSERT_EQ(t.Size(), model.size());
    size_t buckets = t.IsRehashing() ? 0 : t.BucketCount();
    if (buckets && last_buckets && buckets > last_buckets) grows++;
    if (buckets && last_buckets && buckets < last_buckets) shrinks++;
    if (buckets) last_buckets = buckets;
    if (op % 5000 == 0) t.Verify();
  }
  t.Verify();
  for (auto& [k, e] : model) ASSERT_EQ(t.Get(k), e);
  EXPECT_GT(ops_while_rehashing, 1000u);
  EXPECT_GT(grows, 3u);
  EXPECT_GT(shrinks, 0u);
}

TEST(HashTable, CollidingKeysChainAndCompactBackToOneBucket) {
  HashTable<CollideTraits> t;
  Keys keys;
  std::vector<std::string*> all;
  for (int i = 0; i < 40; i++) {
    all.push_back(keys.Make(i));
    ASSERT_TRUE(t.Insert(all.back()));
  }
  t.Verify();
  auto st = t.GetStats();
  EXPECT_GE(st.max_chain, 6u);  // 40 entries in one chain: 7 + 6 + ... buckets
  for (int i = 0; i < 40; i++) ASSERT_EQ(t.Get("key:" + std::to_string(i)), all[i]);
  // Delete down to 7: the chain must fold back into a single bucket (no child buckets left).
  for (int i = 0; i < 33; i++) {
    ASSERT_EQ(t.Delete("key:" + std::to_string(i * 7 % 40)), all[i * 7 % 40]);
    t.Verify();
  }
  EXPECT_EQ(t.Size(), 7u);
  EXPECT_EQ(t.GetStats().child_buckets, 0u);
}

// The SCAN guarantee: every entry present for the whole scan is returned at least once, while
// other entries come and go and the table grows, shrinks and rehashes between calls.
TEST(HashTable, ScanReturnsEveryStableEntryAcrossResizes) {
  std::mt19937_64 rng(777);
  for (int round = 0; round < 20; round++) {
    Table t;
    Keys keys;
    std::vector<std::string*> stable;
    for (int i = 0; i < 300; i++) {
      stable.push_back(keys.Make("stable:" + std::to_string(i)));
      ASSERT_TRUE(t.Insert(stable.back()));
    }
    std::vector<std::string*> volatile_live;
    int next_volatile = 0;
    std::unordered_set<std::string*> seen;
    size_t cursor = 0, calls = 0;
    size_t min_buckets = SIZE_MAX, max_buckets = 0;
    bool saw_rehash = false;
    do {
      cursor = t.Scan(cursor, [&](std::string* e) { seen.insert(e); });
      calls++;
      // Churn: waves of inserts (grow) and deletes (shrink), plus explicit rehash steps.
      int mode = static_cast<int>((calls / 8 + round) % 3);
      int n = static_cast<int>(rng() % 400);
      if (mode == 0) {
        for (int i = 0; i < n; i++) {
          volatile_live.push_back(keys.Make("v:" + std::to_string(next_volatile++)));
          t.Insert(volatile_live.back());
        }
      } else if (mode == 1) {
        for (int i = 0; i < n && !volatile_live.empty(); i++) {
          size_t j = rng() % volatile_live.size();
          ASSERT_EQ(t.Delete(*volatile_live[j]), volatile_live[j]);
          volatile_live[j] = volatile_live.back();
          volatile_live.pop_back();
        }
      } else {
        t.RehashSteps(rng() % 4);
      }
      saw_rehash |= t.IsRehashing();
      min_buckets = std::min(min_buckets, t.BucketCount());
      max_buckets = std::max(max_buckets, t.BucketCount());
    } while (cursor != 0 && calls < 1000000);
    ASSERT_EQ(cursor, 0u);
    for (std::string* e : stable) ASSERT_TRUE(seen.count(e)) << *e << " round " << round;
    EXPECT_TRUE(saw_rehash);
    EXPECT_LT(min_buckets * 4, max_buckets) << "round " << round;  // really resized mid-scan
    t.Verify();
  }
}

TEST(HashTable, ScanOfQuietTableReturnsEachEntryExactlyOnce) {
  Table t;
  Keys keys;
  for (int i = 0; i < 5000; i++) t.Insert(keys.Make(i));
  while (t.RehashSteps(1000)) {
  }
  std::multiset<std::string*> seen;
  size_t cursor = 0;
  do {
    cursor = t.Scan(cursor, [&](std::string* e) { seen.insert(e); });
  } while (cursor != 0);
  EXPECT_EQ(seen.size(), 5000u);
  EXPECT_EQ(std::set<std::string*>(seen.begin(), seen.end()).size(), 5000u);
}

TEST(HashTable, SamplingReturnsOnlyLiveEntries) {
  std::mt19937_64 rng(99);
  Table t;
  Keys keys;
  std::unordered_set<std::string*> live;
  for (int i = 0; i < 20000; i++) {
    std::string* e = keys.Make(i);
    t.Insert(e);
    live.insert(e);
  }
  std::vector<std::string*> buf(64);
  for (int round = 0; round < 400; round++) {
    // Delete a chunk (triggers shrinking and rehashing at some point).
    for (int i = 0; i < 45 && !live.empty(); i++) {
      std::string* e = *live.begin();
      ASSERT_EQ(t.Delete(*e), e);
      live.erase(e);
    }
    if (live.empty()) break;
    std::string* r = t.RandomEntry();
    ASSERT_TRUE(live.count(r));
    size_t want = 1 + rng() % 40;
    size_t got = t.SampleEntries(want, buf.data());
    ASSERT_LE(got, want);
    ASSERT_GT(got, 0u);
    std::set<std::string*> distinct(buf.begin(), buf.begin() + got);
    ASSERT_EQ(distinct.size(), got);
    for (size_t i = 0; i < got; i++) ASSERT_TRUE(live.count(buf[i]));
  }
}

TEST(HashTable, SamplingWhileShrinkingNeverRepeatsNorComesBackEmpty) {
  // Tables emptied chunk by chunk, sampled between chunks: the walk meets long empty runs (and
  // jumps), wraps round small tables and crosses shrinking rehashes. Every sample must be distinct,
  // live and non-empty. (Before the fix about 3% of runs of SamplingReturnsOnlyLiveEntries saw a
  // duplicate or an empty sample; this runs 40 such tables.)
  std::mt19937_64 rng(7);
  std::vector<std::string*> buf(64);
  for (int round = 0; round < 40; round++) {
    Table t;
    Keys keys;
    std::vector<std::string*> all;
    int n = 2000 + static_cast<int>(rng() % 20000);
    for (int i = 0; i < n; i++) {
      all.push_back(keys.Make(i));
      t.Insert(all.back());
    }
    std::shuffle(all.begin(), all.end(), rng);
    std::unordered_set<std::string*> live(all.begin(), all.end());
    size_t chunk = 20 + rng() % 200;
    for (size_t next = 0; next + 1 < all.size();) {
      for (size_t i = 0; i < chunk && next + 1 < all.size(); i++, next++) {
        ASSERT_EQ(t.Delete(*all[next]), all[next]);
        live.erase(all[next]);
      }
      size_t want = 1 + rng() % 40;
      size_t got = t.SampleEntries(want, buf.data());
      ASSERT_GT(got, 0u) << "round " << round << ", " << live.size() << " live";
      ASSERT_LE(got, want);
      std::set<std::string*> distinct(buf.begin(), buf.begin() + got);
      ASSERT_EQ(distinct.size(), got) << "round " << round << ", " << live.size() << " live";
      for (size_t i = 0; i < got; i++) ASSERT_TRUE(live.count(buf[i]));
    }
  }
}

TEST(HashTable, RandomEntryIsRoughlyUniform) {
  Table t;
  Keys keys;
  std::unordered_map<std::string*, int> counts;
  for (int i = 0; i < 100; i++) {
    std::string* e = keys.Make(i);
    t.Insert(e);
    counts[e] = 0;
  }
  const int kDraws = 200000;
  for (int i = 0; i < kDraws; i++) counts[t.RandomEntry()]++;
  ASSERT_EQ(counts.size(), 100u);
  for (auto& [e, c] : counts) {
    EXPECT_GT(c, kDraws / 100 * 0.6) << *e;
    EXPECT_LT(c, kDraws / 100 * 1.4) << *e;
  }
}

// Eviction samples 5 entries at a time; inserts reuse the lowest free slot of a bucket. If the
// sampling walk always began at slot 0, entries parked in high slots would almost never be
// sampled (so never evicted). Every entry must come up about as often as the others.
TEST(HashTable, SampleEntriesReachesEverySlotAlike) {
  Table t;
  Keys keys;
  std::unordered_map<std::string*, int> counts;
  for (int i = 0; i < 3000; i++) {
    std::string* e = keys.Make(i);
    t.Insert(e);
    counts[e] = 0;
  }
  std::vector<std::string*> buf(5);
  const int kSamples = 30000;
  size_t draws = 0;
  for (int i = 0; i < kSamples; i++) {
    size_t got = t.SampleEntries(5, buf.data());
    for (size_t j = 0; j < got; j++) counts[buf[j]]++;
    draws += got;
  }
  std::vector<int> c;
  for (auto& [e, n] : counts) c.push_back(n);
  std::sort(c.begin(), c.end());
  double mean = static_cast<double>(draws) / c.size();
  EXPECT_GE(c[c.size() / 20], mean * 0.4) << "5th percentile of per-entry sample counts";
  EXPECT_GT(c[0], 0) << "some entry was never sampled";
}

TEST(HashTable, SafeIteratorAllowsDeletingCurrentAndInserting) {
  Table t;
  Keys keys;
  for (int i = 0; i < 3000; i++) t.Insert(keys.Make(i));
  std::unordered_set<std::string*> before;
  for (std::string* e : Collect(t)) before.insert(e);
  std::unordered_map<std::string*, int> seen;
  int deleted = 0, added = 0;
  {
    auto it = t.MakeSafeIterator();
    std::string* e;
    while (it.Next(&e)) {
      seen[e]++;
      if (seen.size() % 2 == 0) {
        ASSERT_EQ(t.Delete(*e), e);
        deleted++;
      }
      if (seen.size() % 3 == 0 && added < 2000) {
        t.Insert(keys.Make("new:" + std::to_string(added++)));  // grows the table mid-iteration
      }
    }
  }
  for (std::string* e : before) ASSERT_EQ(seen[e], 1) << *e;  // old entries exactly once
  for (auto& [e, c] : seen) ASSERT_EQ(c, 1);
  EXPECT_EQ(t.Size(), 3000u - deleted + added);
  t.Verify();
  // Rehashing resumes once the iterator is gone.
  while (t.RehashSteps(100)) {
  }
  t.Verify();
}

TEST(HashTable, SafeIteratorSeesEachEntryOnceWhileChainsGrow) {
  HashTable<CollideTraits> t;
  Keys keys;
  for (int i = 0; i < 7; i++) t.Insert(keys.Make(i));  // one full bucket
  std::unordered_map<std::string*, int> seen;
  auto it = t.MakeSafeIterator();
  std::string* e;
  int added = 0;
  while (it.Next(&e)) {
    seen[e]++;
    if (added < 20) t.Insert(keys.Make("n" + std::to_string(added++)));  // chains the bucket
  }
  for (auto& [k, c] : seen) ASSERT_EQ(c, 1) << *k;
  EXPECT_GE(seen.size(), 7u);
}

TEST(HashTable, PlainIteratorVisitsAllAndDetectsModification) {
  Table t;
  Keys keys;
  for (int i = 0; i < 1000; i++) t.Insert(keys.Make(i));
  EXPECT_EQ(Collect(t).size(), 1000u);
  size_t n = 0;
  t.ForEach([&](std::string*) { n++; });
  EXPECT_EQ(n, 1000u);
  EXPECT_DEATH(
      {
        auto it = t.MakeIterator();
        std::string* e = nullptr;
        if (it.Next(&e)) t.Delete(*e);
      },
      "modified during plain iteration");
}

TEST(HashTable, ExpandPresizesWithoutRehash) {
  Table t;
  Keys keys;
  ASSERT_TRUE(t.Expand(1000));
  EXPECT_FALSE(t.IsRehashing());
  size_t buckets = t.BucketCount();
  EXPECT_EQ(buckets, 256u);  // ceil(1000 / 6) = 167 -> 256
  for (int i = 0; i < 1000; i++) t.Insert(keys.Make(i));
  EXPECT_EQ(t.BucketCount(), buckets);
  EXPECT_FALSE(t.Expand(10));
  EXPECT_TRUE(t.Expand(100000));  // non-empty: starts an incremental rehash
  EXPECT_TRUE(t.IsRehashing());
  t.RehashMicroseconds(1000000);
  EXPECT_FALSE(t.IsRehashing());
  EXPECT_EQ(t.BucketCount(), 32768u);
  t.Verify();
}

TEST(HashTable, ClearCallsDestroyOncePerEntryAndFreesBuckets) {
  size_t before = mem::UsedMemory();
  std::multiset<std::string*> destroyed;
  {
    Table t;
    Keys keys;
    std::set<std::string*> all;
    for (int i = 0; i < 777; i++) {
      std::string* e = keys.Make(i);
      t.Insert(e);
      all.insert(e);
    }
    t.Clear([&](std::string* e) { destroyed.insert(e); });
    EXPECT_EQ(t.Size(), 0u);
    EXPECT_EQ(t.MemoryUsage(), 0u);
    EXPECT_EQ(std::set<std::string*>(destroyed.begin(), destroyed.end()), all);
    EXPECT_EQ(destroyed.size(), 777u);
  }
  destroyed.clear();
  EXPECT_LE(mem::UsedMemory(), before + 4096);
}

TEST(HashTable, SwapAndMoveExchangeContents) {
  Table a, b;
  Keys keys;
  for (int i = 0; i < 50; i++) a.Insert(keys.Make(i));
  a.Swap(b);
  EXPECT_EQ(a.Size(), 0u);
  EXPECT_EQ(b.Size(), 50u);
  Table c(std::move(b));
  EXPECT_EQ(c.Size(), 50u);
  EXPECT_EQ(b.Size(), 0u);
  EXPECT_NE(c.Get("key:7"), nullptr);
}

TEST(HashTable, ResizePolicyAvoidAndForbidHoldOffResizes) {
  PolicyGuard guard;
  Keys keys;
  {
    Table t;
    t.Expand(6 * 64);  // 64 buckets
    SetHashTableResizePolicy(HashTableResizePolicy::kAvoid);
    for (int i = 0; i < 64 * 30; i++) t.Insert(keys.Make(i));  // 30 per bucket: not extreme
    EXPECT_EQ(t.BucketCount(), 64u);
    EXPECT_FALSE(t.IsRehashing());
    for (int i = 64 * 30; i < 64 * 36; i++) t.Insert(keys.Make(i));  // past 35 per bucket
    EXPECT_TRUE(t.IsRehashing());  // a forced grow (>= 8x), which may rehash under kAvoid
    t.RehashSteps(1000000);
    EXPECT_FALSE(t.IsRehashing());
    t.Verify();
  }
  {
    SetHashTableResizePolicy(HashTableResizePolicy::kAllow);
    Table t;
    t.Expand(6 * 64);
    for (int i = 0; i < 6 * 64 + 1; i++) t.Insert(keys.Make(i));  // normal grow starts
    ASSERT_TRUE(t.IsRehashing());
    SetHashTableResizePolicy(HashTableResizePolicy::kAvoid);
    ptrdiff_t idx = t.RehashIndex();
    for (int i = 0; i < 100; i++) ASSERT_NE(t.Find("key:" + std::to_string(i)), nullptr);
    EXPECT_TRUE(t.RehashSteps(100));  // still rehashing: an ordinary 2x grow makes no steps
    EXPECT_EQ(t.RehashMicroseconds(1000), 0u);
    EXPECT_EQ(t.RehashIndex(), idx);
    SetHashTableResizePolicy(HashTableResizePolicy::kAllow);
    EXPECT_FALSE(t.RehashSteps(1000000));
    // Deletes do not shrink under kAvoid unless the fill drops under 2% (10% / 5).
    SetHashTableResizePolicy(HashTableResizePolicy::kAvoid);
    size_t buckets = t.BucketCount();
    ASSERT_EQ(buckets, 128u);  // 896 slots
    int total = 6 * 64 + 1;
    int i = 0;
    for (; i < total - 30; i++) t.Delete("key:" + std::to_string(i));  // 30 left = 3.3%
    EXPECT_EQ(t.BucketCount(), buckets);
    EXPECT_FALSE(t.IsRehashing());
    for (; i < total - 17; i++) t.Delete("key:" + std::to_string(i));  // 17 left = 1.9%
    EXPECT_TRUE(t.IsRehashing());  // shrinking 128 -> 8 buckets: 16x, so steps are allowed
    t.RehashSteps(1000);
    EXPECT_EQ(t.BucketCount(), 8u);
    t.Verify();
  }
  {
    SetHashTableResizePolicy(HashTableResizePolicy::kForbid);
    Table t;
    t.Expand(6);  // 1 bucket
    for (int i = 0; i < 500; i++) t.Insert(keys.Make(i));
    EXPECT_EQ(t.BucketCount(), 1u);  // never resized, however extreme: one long chain
    EXPECT_GT(t.GetStats().max_chain, 80u);
    EXPECT_FALSE(t.IsRehashing());
    for (int i = 0; i < 500; i++) ASSERT_NE(t.Get("key:" + std::to_string(i)), nullptr);
    t.Verify();
    SetHashTableResizePolicy(HashTableResizePolicy::kAllow);
    t.Insert(keys.Make(501));
    EXPECT_TRUE(t.IsRehashing());
    t.RehashSteps(1000);
    EXPECT_FALSE(t.IsRehashing());
    EXPECT_EQ(t.BucketCount(), 128u);
    EXPECT_LE(t.GetStats().max_chain, 3u);
    t.Verify();
  }
}

// Keys laid out back to back in one arena, as one-allocation key objects would be: the entries
// point at [u32 length][bytes].
struct ArenaTraits {
  using Entry = const char*;
  static std::string_view KeyOf(Entry e) {
    uint32_t len;
    std::memcpy(&len, e, 4);
    return {e + 4, len};
  }
};

TEST(HashTable, MemoryPerEntryForOneMillionEntries) {
  constexpr int kN = 1000000;
  std::vector<char> arena;
  arena.reserve(kN * 20);
  std::vector<size_t> offsets;
  offsets.reserve(kN);
  for (int i = 0; i < kN; i++) {
    std::string k = "key:" + std::to_string(i);
    uint32_t len = static_cast<uint32_t>(k.size());
    offsets.push_back(arena.size());
    arena.insert(arena.end(), reinterpret_cast<char*>(&len), reinterpret_cast<char*>(&len) + 4);
    arena.insert(arena.end(), k.begin(), k.end());
  }
  size_t before = mem::UsedMemory();
  HashTable<ArenaTraits> t;
  double cycle_sum = 0;
  int cycle_samples = 0;
  for (int i = 0; i < kN; i++) {
    ASSERT_TRUE(t.Insert(arena.data() + offsets[i]));
    // Average over one growth cycle (between two doublings), sampled every 1024 entries.
    if (i > (6 << 16) && i <= (6 << 17) && (i & 1023) == 0 && !t.IsRehashing()) {
      cycle_sum += static_cast<double>(t.MemoryUsage()) / t.Size();
      cycle_samples++;
    }
  }
  while (t.RehashSteps(10000)) {
  }
  size_t used = mem::UsedMemory() - before;
  double per_entry = static_cast<double>(used) / kN;
  double cycle_avg = cycle_sum / cycle_samples;
  auto st = t.GetStats();
  std::printf("[ hashtable ] 1M entries: %.2f bytes/entry (accounted), MemoryUsage %zu, buckets %zu, "
              "children %zu; growth-cycle average %.2f bytes/entry\n",
              per_entry, t.MemoryUsage(), st.buckets, st.child_buckets, cycle_avg);
  EXPECT_EQ(used, t.MemoryUsage());
  // 1M entries sit at a 54.5% fill of 2^18 buckets: 16.8 B of buckets + ~0.7 B of children.
  EXPECT_LT(per_entry, 18.5);
  EXPECT_LT(cycle_avg, 17.0);
  for (int i = 0; i < kN; i += 997) ASSERT_EQ(t.Get(ArenaTraits::KeyOf(arena.data() + offsets[i])),
                                               arena.data() + offsets[i]);
}

}  // namespace
}  // namespace ember
