// Zset values: both encodings against a reference model (std::set of (score, member)), the Redis
// 7.2 conversion rules at the thresholds in both size directions, byte-identical listpacks (a blob
// captured from redis-server's DUMP), and the per-element memory cost the header states.
#include "core/zset_value.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/database.h"
#include "memory/alloc.h"
#include "types/listpack.h"

namespace ember {
namespace {

using Elem = std::pair<double, std::string>;  // orders like a zset: score, then bytes
using Model = std::set<Elem>;
constexpr double kInf = std::numeric_limits<double>::infinity();

std::vector<Elem> Dump(const Zset& z) {
  std::vector<Elem> out;
  z.ForEach([&](std::string_view m, double s) {
    out.emplace_back(s, std::string(m));
    return true;
  });
  return out;
}

std::string Hex(const uint8_t* p, size_t n) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; i++) {
    s.push_back(d[p[i] >> 4]);
    s.push_back(d[p[i] & 15]);
  }
  return s;
}

struct Holder {  // frees the zset at scope end
  Zset z;
  ~Holder() { z.Free(); }
};

bool Add(Zset& z, double score, std::string_view m, const ZsetLimits& lim, int flags = kZaddNone,
         int* out = nullptr, double* ns = nullptr) {
  int o;
  return z.Add(score, m, flags, lim, out ? out : &o, ns);
}

TEST(ZsetValue, ListpackBytesMatchRedis) {
  // redis-server 7.0.15, rdbcompression no: ZADD zz 3 c 1 a 2.5 b 100 10 -7 neg 1 aa 4611686018427387904 huge
  // DUMP -> type 17 + this listpack (scores whose text is the same in 7.0 and 7.2).
  const std::string want =
      "3b0000000e00836e656704dff902816102010182616103010181620283322e350481630203010a016401846875"
      "676505f4000000000000004009ff";
  ZsetLimits lim;
  Holder h{Zset::Create(1, 1, lim)};
  Add(h.z, 3, "c", lim);
  Add(h.z, 1, "a", lim);
  Add(h.z, 2.5, "b", lim);
  Add(h.z, 100, "10", lim);
  Add(h.z, -7, "neg", lim);
  Add(h.z, 1, "aa", lim);
  Add(h.z, 4611686018427387904.0, "huge", lim);
  ASSERT_EQ(h.z.encoding(), Encoding::kListpack);
  EXPECT_EQ(Hex(h.z.lp(), lp::Bytes(h.z.lp())), want);
  // A skiplist converted back produces the same bytes.
  h.z.ConvertToSkiplist(0);
  h.z.ConvertToListpack();
  EXPECT_EQ(Hex(h.z.lp(), lp::Bytes(h.z.lp())), want);
  // Scores that are not integral use 7.2's shortest text.
  Holder g{Zset::NewListpack()};
  Add(g.z, 0.1, "x", lim);
  lp::Scratch s;
  EXPECT_EQ(lp::GetString(lp::Seek(g.z.lp(), 1), &s), "0.1");
  Add(g.z, 1e300, "y", lim);
  EXPECT_EQ(lp::GetString(lp::Seek(g.z.lp(), 3), &s), "1e+300");
}

TEST(ZsetValue, CreateFollowsHints) {
  ZsetLimits lim{4, 8};
  Holder a{Zset::Create(4, 8, lim)};
  EXPECT_EQ(a.z.encoding(), Encoding::kListpack);
  Holder b{Zset::Create(5, 1, lim)};
  EXPECT_EQ(b.z.encoding(), Encoding::kSkiplist);
  Holder c{Zset::Create(1, 9, lim)};
  EXPECT_EQ(c.z.encoding(), Encoding::kSkiplist);
  ZsetLimits zero{0, 64};
  Holder d{Zset::Create(1, 1, zero)};
  EXPECT_EQ(d.z.encoding(), Encoding::kSkiplist);
}

TEST(ZsetValue, ConvertsAtThresholds) {
  ZsetLimits lim{4, 8};
  Holder h{Zset::NewListpack()};
  for (int i = 0; i < 4; i++) Add(h.z, i, "m" + std::to_string(i), lim);
  EXPECT_EQ(h.z.encoding(), Encoding::kListpack);  // count == entries still fits
  Add(h.z, 1, "m1", lim);                          // update: no conversion
  EXPECT_EQ(h.z.encoding(), Encoding::kListpack);
  Add(h.z, 9, "m9", lim);  // count+1 > entries
  EXPECT_EQ(h.z.encoding(), Encoding::kSkiplist);
  EXPECT_EQ(h.z.Length(), 5u);
  h.z.Verify();

  Holder v{Zset::NewListpack()};
  Add(v.z, 1, "12345678", lim);  // length == value fits
  EXPECT_EQ(v.z.encoding(), Encoding::kListpack);
  Add(v.z, 1, "123456789", lim);
  EXPECT_EQ(v.z.encoding(), Encoding::kSkiplist);

  Holder m{Zset::NewListpack()};
  Add(m.z, 1, "a", lim);
  m.z.MaybeConvert(4, lim);
  EXPECT_EQ(m.z.encoding(), Encoding::kListpack);
  m.z.MaybeConvert(5, lim);
  EXPECT_EQ(m.z.encoding(), Encoding::kSkiplist);

  // Back to a listpack only when everything fits (store results).
  m.z.ConvertToListpackIfNeeded(9, 9, lim);
  EXPECT_EQ(m.z.encoding(), Encoding::kSkiplist);
  m.z.ConvertToListpackIfNeeded(8, 8, lim);
  EXPECT_EQ(m.z.encoding(), Encoding::kListpack);
  EXPECT_EQ(Dump(m.z), (std::vector<Elem>{{1, "a"}}));
}

TEST(ZsetValue, AddFlagsAndNan) {
  ZsetLimits lim;
  for (bool skiplist : {false, true}) {
    Holder h{skiplist ? Zset::NewSkiplist() : Zset::NewListpack()};
    int out;
    double ns = 0;
    EXPECT_TRUE(Add(h.z, 1, "a", lim, kZaddXx, &out));
    EXPECT_EQ(out, kZaddOutNop);
    EXPECT_TRUE(Add(h.z, 1, "a", lim, kZaddNx, &out));
    EXPECT_EQ(out, kZaddOutAdded);
    EXPECT_TRUE(Add(h.z, 5, "a", lim, kZaddNx, &out));
    EXPECT_EQ(out, kZaddOutNop);
    EXPECT_TRUE(Add(h.z, 0, "a", lim, kZaddGt, &out));
    EXPECT_EQ(out, kZaddOutNop);
    EXPECT_TRUE(Add(h.z, 2, "a", lim, kZaddGt, &out, &ns));
    EXPECT_EQ(out, kZaddOutUpdated);
    EXPECT_EQ(ns, 2);
    EXPECT_TRUE(Add(h.z, 3, "a", lim, kZaddLt, &out));
    EXPECT_EQ(out, kZaddOutNop);
    EXPECT_TRUE(Add(h.z, 2, "a", lim, kZaddIncr, &out, &ns));
    EXPECT_EQ(ns, 4);
    EXPECT_TRUE(Add(h.z, 0, "a", lim, kZaddIncr, &out, &ns));
    EXPECT_EQ(out, 0);  // same score: neither added nor updated
    EXPECT_TRUE(Add(h.z, kInf, "a", lim));
    EXPECT_FALSE(Add(h.z, -kInf, "a", lim, kZaddIncr, &out));  // inf + -inf
    EXPECT_EQ(out, kZaddOutNan);
    double s;
    ASSERT_TRUE(h.z.Score("a", &s));
    EXPECT_EQ(s, kInf);  // unchanged
    EXPECT_FALSE(Add(h.z, std::nan(""), "b", lim, kZaddNone, &out));
    EXPECT_EQ(h.z.Length(), 1u);
  }
}

// Randomized: both encodings (tiny limits so values convert up often, and converted back through
// ConvertToListpackIfNeeded) against the model.
TEST(ZsetValue, RandomizedAgainstModel) {
  std::mt19937_64 rng(42);
  static const double kScores[] = {-kInf, -2, -1, 0, 0.5, 1, 1, 2, 3.25, 7, kInf};
  ZsetLimits lim{6, 5};
  for (int round = 0; round < 40; round++) {
    Holder h{Zset::Create(1, 1, lim)};
    Model model;
    std::map<std::string, double> scores;
    auto member = [&] {
      static const char* kM[] = {"a", "b", "c", "aa", "ab", "1", "2", "10", "-5", "longmember", "x\0y", "zz"};
      size_t i = rng() % 12;
      return std::string(kM[i], i == 10 ? 3 : std::strlen(kM[i]));
    };
    for (int op = 0; op < 300; op++) {
      std::string m = member();
      switch (rng() % 9) {
        case 0: case 1: case 2: {
          double s = kScores[rng() % 11];
          int flags = static_cast<int>(rng() % 4 == 0 ? kZaddIncr : kZaddNone);
          int out;
          double ns;
          bool ok = h.z.Add(s, m, flags, lim, &out, &ns);
          auto it = scores.find(m);
          double want = flags == kZaddIncr && it != scores.end() ? it->second + s : s;
          if (std::isnan(want)) {
            EXPECT_FALSE(ok);
            break;
          }
          EXPECT_TRUE(ok);
          if (it != scores.end()) model.erase({it->second, m});
          scores[m] = want;
          model.insert({want, m});
          break;
        }
        case 3: {
          bool had = scores.count(m);
          EXPECT_EQ(h.z.Delete(m), had);
          if (had) {
            model.erase({scores[m], m});
            scores.erase(m);
          }
          break;
        }
        case 4: {
          double lo = kScores[rng() % 11], hi = kScores[rng() % 11];
          ZRangeSpec r{lo, hi, rng() % 2 == 0, rng() % 2 == 0};
          size_t want = 0;
          for (auto& e : model) want += ScoreGteMin(e.first, r) && ScoreLteMax(e.first, r);
          EXPECT_EQ(h.z.CountInRange(r), want);
          if (rng() % 3 == 0) {
            EXPECT_EQ(h.z.DeleteRangeByScore(r), want);
            for (auto it = model.begin(); it != model.end();) {
              if (ScoreGteMin(it->first, r) && ScoreLteMax(it->first, r)) {
                scores.erase(it->second);
                it = model.erase(it);
              } else {
                ++it;
              }
            }
          }
          break;
        }
        case 5: {
          if (model.empty()) break;
          bool max = rng() % 2;
          std::string pm;
          double ps;
          h.z.PopEdge(max, &pm, &ps);
          Elem want = max ? *model.rbegin() : *model.begin();
          EXPECT_EQ(Elem(ps, pm), want);
          model.erase(want);
          scores.erase(pm);
          break;
        }
        case 6: {
          size_t n = model.size();
          if (n == 0) break;
          size_t a = rng() % n, b = rng() % n;
          if (a > b) std::swap(a, b);
          EXPECT_EQ(h.z.DeleteRangeByRank(a, b), b - a + 1);
          auto first = std::next(model.begin(), static_cast<long>(a));
          auto last = std::next(model.begin(), static_cast<long>(b + 1));
          for (auto it = first; it != last; ++it) scores.erase(it->second);
          model.erase(first, last);
          break;
        }
        case 7: {
          double s;
          long rank = h.z.Rank(m, rng() % 2 == 0, &s);
          EXPECT_EQ(rank >= 0, scores.count(m) == 1);
          if (rank >= 0) {
            EXPECT_EQ(s, scores[m]);
          }
          break;
        }
        case 8: {
          // Store-style round trip through the other encoding.
          if (h.z.encoding() == Encoding::kListpack) {
            h.z.ConvertToSkiplist(0);
          } else {
            size_t maxlen = 0, tot = 0;
            for (auto& e : model) {
              maxlen = std::max(maxlen, e.second.size());
              tot += e.second.size();
            }
            h.z.ConvertToListpackIfNeeded(maxlen, tot, lim);
          }
          break;
        }
      }
      ASSERT_EQ(Dump(h.z), std::vector<Elem>(model.begin(), model.end())) << "round " << round << " op " << op;
      ASSERT_EQ(h.z.Length(), model.size());
      h.z.Verify();
    }
  }
}

TEST(ZsetValue, IteratorsAndLexRangesAgreeAcrossEncodings) {
  ZsetLimits lim;
  Holder lpz{Zset::NewListpack()};
  Holder slz{Zset::NewSkiplist()};
  for (std::string m : {"a", "b", "c", "d", "e", "1", "22"}) {
    Add(lpz.z, 0, m, lim);
    Add(slz.z, 0, m, lim);
  }
  const char* bounds[] = {"-", "+", "[a", "(a", "[c", "(e", "[1", "(22", "[z"};
  for (const char* lo : bounds) {
    for (const char* hi : bounds) {
      ZLexRangeSpec r;
      ASSERT_TRUE(ParseLexRange(lo, hi, &r));
      EXPECT_EQ(lpz.z.CountInLexRange(r), slz.z.CountInLexRange(r)) << lo << " " << hi;
      ZsetIter a = lpz.z.FirstInLexRange(r), b = slz.z.FirstInLexRange(r);
      EXPECT_EQ(a.Valid(), b.Valid());
      if (a.Valid() && b.Valid()) {
        EXPECT_EQ(a.Member(), b.Member());
      }
      a = lpz.z.LastInLexRange(r);
      b = slz.z.LastInLexRange(r);
      EXPECT_EQ(a.Valid(), b.Valid());
      if (a.Valid() && b.Valid()) {
        EXPECT_EQ(a.Member(), b.Member());
      }
    }
  }
  // Walking backwards from the last rank visits everything in reverse.
  std::vector<std::string> rev;
  for (ZsetIter it = lpz.z.AtRank(6); it.Valid(); it.Prev()) rev.emplace_back(it.Member());
  EXPECT_EQ(rev, (std::vector<std::string>{"e", "d", "c", "b", "a", "22", "1"}));
  int64_t v;
  ZsetIter first = lpz.z.AtRank(0);
  EXPECT_TRUE(first.MemberInt(&v));
  EXPECT_EQ(v, 1);
  EXPECT_FALSE(lpz.z.AtRank(7).Valid());
}

TEST(ZsetValue, RandomDistinctAndDup) {
  ZsetLimits lim;
  for (size_t n : {10u, 300u}) {
    Holder h{Zset::Create(n, 4, lim)};
    for (size_t i = 0; i < n; i++) Add(h.z, static_cast<double>(i), "m" + std::to_string(i), lim);
    for (size_t count : {1u, 5u, 9u}) {
      std::vector<std::pair<std::string, double>> out;
      h.z.RandomDistinct(count, &out);
      ASSERT_EQ(out.size(), count);
      std::set<std::string> uniq;
      for (auto& [m, s] : out) {
        uniq.insert(m);
        double want;
        ASSERT_TRUE(h.z.Score(m, &want));
        EXPECT_EQ(s, want);
      }
      EXPECT_EQ(uniq.size(), count);
    }
    std::vector<std::pair<std::string, double>> rep;
    h.z.RandomWithReplacement(50, &rep);
    EXPECT_EQ(rep.size(), 50u);
    Holder d{h.z.Dup()};
    EXPECT_EQ(d.z.encoding(), h.z.encoding());
    EXPECT_EQ(Dump(d.z), Dump(h.z));
    d.z.Verify();
    EXPECT_EQ(ZsetFreeEffort(h.z.encoding(), h.z.ptr()), n > 128 ? n : 1u);
  }
}

// The per-element costs stated in zset_value.h.
TEST(ZsetValue, MemoryPerElement) {
  ZsetLimits lim;
  constexpr size_t kN = 100000;
  size_t before = mem::UsedMemory();
  Holder h{Zset::NewSkiplist()};
  char buf[16];
  for (size_t i = 0; i < kN; i++) {
    std::snprintf(buf, sizeof(buf), "mem:%06zu", i);  // 10 bytes
    Add(h.z, static_cast<double>(i % 1000) * 1.5, buf, lim);
  }
  // Finish the incremental rehash of the last doubling (100k is just past one), as later
  // operations would: the figure is then the steady-state cost.
  while (h.z.sl()->dict.RehashSteps(1000)) {
  }
  size_t used = mem::UsedMemory() - before;
  double per = static_cast<double>(used) / kN;
  EXPECT_LT(per, 80.0) << per;  // header: ~70 B (Redis 7.0: ~110 B)
  EXPECT_GT(per, 50.0) << per;
  // MEMORY USAGE: exact with samples 0, and the sampled estimate is close.
  size_t exact = h.z.Memory(0);
  EXPECT_NEAR(static_cast<double>(exact), static_cast<double>(used), used * 0.02);
  EXPECT_NEAR(static_cast<double>(h.z.Memory(5)), static_cast<double>(exact), exact * 0.35);

  // Listpack: the bench shape (member:J, score J*1.5) is 144 bytes for 10 members, as in Redis.
  Holder l{Zset::NewListpack()};
  for (int j = 0; j < 10; j++) Add(l.z, j * 1.5, "member:" + std::to_string(j), lim);
  EXPECT_EQ(lp::Bytes(l.z.lp()), 144u);
  EXPECT_EQ(l.z.Memory(5), mem::UsableSize(l.z.lp()));
}

// The bench shape (utils/bench/memory.py zset10): 100k keys `zset:N`, each ZADD of 10 pairs
// (J*1.5, member:J), through the keyspace as the ZADD handler stores them. Redis 7.0.15 on this
// machine: 234.9 B/key of used_memory (dictEntry 32 + key sds 16 + robj 16 + bucket 10.5 +
// listpack 160). The listpack is byte-identical, so the difference is record + table.
TEST(ZsetValue, KeyspaceCostOfSmallZsets) {
  KeyspaceEnv env;
  ZsetLimits lim;
  size_t before = mem::UsedMemory();
  {
    Database db(0, &env);
    constexpr size_t kKeys = 100000;
    char key[32];
    for (size_t i = 0; i < kKeys; i++) {
      std::snprintf(key, sizeof(key), "zset:%zu", i);
      // As ZADD on a new key: fill, then add (the 144-byte listpack goes inline in the record).
      Zset z = Zset::Create(10, 8, lim);
      for (int j = 0; j < 10; j++) Add(z, j * 1.5, "member:" + std::to_string(j), lim);
      Record* r = db.Add(key, z.ToValueInit());
      EXPECT_TRUE(r->value_inline());
    }
    while (db.main_table().RehashSteps(1000)) {
    }
    double per = static_cast<double>(mem::UsedMemory() - before) / kKeys;
    std::printf("zset10 keyspace cost: %.1f B/key (Redis 7.0.15: 234.9)\n", per);
    // 160-byte record (key + inline listpack) + ~21 B of table slot; 213 B with the listpack apart.
    EXPECT_LT(per, 234.9 * 0.85);
  }
}

}  // namespace
}  // namespace ember
