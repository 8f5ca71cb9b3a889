#include "types/skiplist.h"

#include <gtest/gtest.h>

#include <cmath>
#include <iterator>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "memory/alloc.h"
#include "types/hashtable.h"

namespace ember {
namespace {

using Elem = std::pair<double, std::string>;
// std::pair<double, std::string> orders by score, then std::string's compare, which is
// char_traits<char>::compare: memcmp-like unsigned bytes, shorter first. Same as sdscmp.
using Model = std::set<Elem>;

constexpr double kInf = std::numeric_limits<double>::infinity();

std::vector<Elem> Dump(const ZSkiplist& zsl) {
  std::vector<Elem> out;
  for (ZslNode* x = zsl.First(); x; x = x->Next()) out.emplace_back(x->score(), std::string(x->member()));
  return out;
}

bool InScore(double v, const ZRangeSpec& r) { return ScoreGteMin(v, r) && ScoreLteMax(v, r); }

std::vector<Elem> ModelScoreRange(const Model& m, const ZRangeSpec& r) {
  std::vector<Elem> out;
  for (auto& e : m)
    if (InScore(e.first, r)) out.push_back(e);
  return out;
}

ZRangeSpec RandomScoreRange(std::mt19937_64& rng) {
  static const double kVals[] = {-kInf, -3, -1, 0, 0.5, 1, 2, 2.5, 3, 7, kInf};
  ZRangeSpec r;
  r.min = kVals[rng() % 11];
  r.max = kVals[rng() % 11];
  r.minex = rng() % 2;
  r.maxex = rng() % 2;
  return r;
}

std::string RandomMember(std::mt19937_64& rng) {
  // Short members over an alphabet with NUL and 0xff, so byte order and length ties matter.
  static const char kAlpha[] = {'a', 'b', 'c', '\0', '\xff', 'Z'};
  std::string s;
  int len = static_cast<int>(rng() % 4);
  for (int i = 0; i < len; i++) s.push_back(kAlpha[rng() % 6]);
  return s;
}

double RandomScore(std::mt19937_64& rng) {
  static const double kScores[] = {-kInf, -2, -1, 0, 0.5, 1, 1, 2, 2.5, 3, 3, 100, kInf};
  return kScores[rng() % 13];
}

TEST(ZSkiplist, RandomOpsMatchOrderedSet) {
  std::mt19937_64 rng(4242);
  ZSkiplist zsl;
  Model model;
  std::map<std::string, double> score_of;
  for (int op = 0; op < 30000; op++) {
    std::string m = RandomMember(rng);
    int r = static_cast<int>(rng() % 100);
    auto it = score_of.find(m);
    if (r < 40) {
      if (it == score_of.end()) {
        double s = RandomScore(rng);
        ZslNode* n = zsl.Insert(s, m);
        ASSERT_EQ(n->member(), m);
        ASSERT_EQ(n->score(), s);
        model.emplace(s, m);
        score_of[m] = s;
      }
    } else if (r < 60) {
      if (it != score_of.end()) {
        ASSERT_TRUE(zsl.Delete(it->second, m));
        model.erase({it->second, m});
        score_of.erase(it);
      } else {
        ASSERT_FALSE(zsl.Delete(RandomScore(rng), m));
      }
    } else if (r < 80) {
      if (it != score_of.end()) {
        double s = RandomScore(rng);
        ZslNode* before = zsl.GetByRank(zsl.GetRank(it->second, m));
        ZslNode* n = zsl.UpdateScore(it->second, m, s);
        ASSERT_EQ(n, before);  // the node is kept: a member table entry stays valid
        ASSERT_EQ(n->score(), s);
        model.erase({it->second, m});
        model.emplace(s, m);
        it->second = s;
      }
    } else {
      // Rank and by-rank against the model's order.
      if (it != score_of.end()) {
        size_t want = std::distance(model.begin(), model.find({it->second, m})) + 1;
        ASSERT_EQ(zsl.GetRank(it->second, m), want);
        ZslNode* n = zsl.GetByRank(want);
        ASSERT_NE(n, nullptr);
        ASSERT_EQ(n->member(), m);
      } else {
        ASSERT_EQ(zsl.GetRank(RandomScore(rng), m), 0u);
      }
    }
    ASSERT_EQ(zsl.Size(), model.size());
    if (op % 1000 == 0) {
      zsl.Verify();
      ASSERT_EQ(Dump(zsl), std::vector<Elem>(model.begin(), model.end()));
    }
  }
  zsl.Verify();
  EXPECT_EQ(zsl.GetByRank(0), nullptr);
  EXPECT_EQ(zsl.GetByRank(zsl.Size() + 1), nullptr);
  // Walking backwards from the tail gives the reverse order.
  std::vector<Elem> rev;
  for (ZslNode* x = zsl.Last(); x; x = x->Prev()) rev.emplace_back(x->score(), std::string(x->member()));
  EXPECT_EQ(rev, std::vector<Elem>(model.rbegin(), model.rend()));
}

TEST(ZSkiplist, ScoreRangeQueriesMatchModel) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 300; round++) {
    ZSkiplist zsl;
    Model model;
    int n = static_cast<int>(rng() % 40);
    std::set<std::string> used;
    for (int i = 0; i < n; i++) {
      std::string m = "m" + std::to_string(rng() % 1000);
      if (!used.insert(m).second) continue;
      double s = RandomScore(rng);
      zsl.Insert(s, m);
      model.emplace(s, m);
    }
    for (int q = 0; q < 20; q++) {
      ZRangeSpec r = RandomScoreRange(rng);
      auto want = ModelScoreRange(model, r);
      ZslNode* first = zsl.FirstInRange(r);
      ZslNode* last = zsl.LastInRange(r);
      if (!want.empty()) {
        ASSERT_TRUE(zsl.IsInRange(r));
      }
      if (want.empty()) {
        ASSERT_EQ(first, nullptr);
        ASSERT_EQ(last, nullptr);
        ASSERT_EQ(zsl.CountInRange(r), 0u);
        continue;
      }
      ASSERT_NE(first, nullptr);
      ASSERT_EQ(Elem(first->score(), std::string(first->member())), want.front());
      ASSERT_EQ(Elem(last->score(), std::string(last->member())), want.back());
      ASSERT_EQ(zsl.CountInRange(r), want.size());
    }
    // Delete a random score range; on_remove sees exactly the removed elements.
    ZRangeSpec r = RandomScoreRange(rng);
    auto want = ModelScoreRange(model, r);
    std::vector<Elem> removed;
    size_t cnt = zsl.DeleteRangeByScore(
        r, [&](ZslNode* x) { removed.emplace_back(x->score(), std::string(x->member())); });
    ASSERT_EQ(cnt, want.size());
    ASSERT_EQ(removed, want);
    for (auto& e : want) model.erase(e);
    zsl.Verify();
    ASSERT_EQ(Dump(zsl), std::vector<Elem>(model.begin(), model.end()));
  }
}

TEST(ZSkiplist, DeleteRangeByRankMatchesModel) {
  std::mt19937_64 rng(99);
  for (int round = 0; round < 200; round++) {
    ZSkiplist zsl;
    Model model;
    int n = 1 + static_cast<int>(rng() % 60);
    for (int i = 0; i < n; i++) {
      double s = static_cast<double>(rng() % 10);
      std::string m = "k" + std::to_string(i);
      zsl.Insert(s, m);
      model.emplace(s, m);
    }
    size_t start = 1 + rng() % n;
    size_t end = start + rng() % (n + 3);  // may run past the end
    std::vector<Elem> all(model.begin(), model.end());
    std::vector<Elem> want(all.begin() + (start - 1), all.begin() + std::min<size_t>(end, n));
    std::vector<Elem> removed;
    size_t cnt = zsl.DeleteRangeByRank(
        start, end, [&](ZslNode* x) { removed.emplace_back(x->score(), std::string(x->member())); });
    ASSERT_EQ(cnt, want.size());
    ASSERT_EQ(removed, want);
    for (auto& e : want) model.erase(e);
    zsl.Verify();
    ASSERT_EQ(Dump(zsl), std::vector<Elem>(model.begin(), model.end()));
  }
}

// Lex ranges are defined for sets whose scores are all equal (as in Redis).
TEST(ZSkiplist, LexRangeQueriesAndDeletesMatchModel) {
  std::mt19937_64 rng(1234);
  const char* kItems[] = {"-", "+", "[", "(", "[a", "(a", "[b", "(b", "[ab", "(ab", "[c", "(\xff",
                          "[\xff", "[Z"};
  for (int round = 0; round < 300; round++) {
    ZSkiplist zsl;
    std::set<std::string> model;
    int n = static_cast<int>(rng() % 30);
    for (int i = 0; i < n; i++) {
      std::string m = RandomMember(rng);
      if (model.insert(m).second) zsl.Insert(0, m);
    }
    auto in_range = [](const std::string& v, const ZLexRangeSpec& r) {
      return LexGteMin(v, r) && LexLteMax(v, r);
    };
    for (int q = 0; q < 20; q++) {
      ZLexRangeSpec r;
      std::string a = kItems[rng() % 14], b = kItems[rng() % 14];
      if (a == "[a") a.push_back(static_cast<char>(rng() % 2 ? 'b' : '\0'));
      ASSERT_TRUE(ParseLexRange(a, b, &r));
      std::vector<std::string> want;
      for (auto& m : model)
        if (in_range(m, r)) want.push_back(m);
      ZslNode* first = zsl.FirstInLexRange(r);
      ZslNode* last = zsl.LastInLexRange(r);
      if (want.empty()) {
        ASSERT_EQ(first, nullptr) << a << " " << b;
        ASSERT_EQ(last, nullptr);
        ASSERT_EQ(zsl.CountInLexRange(r), 0u);
        continue;
      }
      ASSERT_NE(first, nullptr) << a << " " << b;
      ASSERT_EQ(std::string(first->member()), want.front());
      ASSERT_EQ(std::string(last->member()), want.back());
      ASSERT_EQ(zsl.CountInLexRange(r), want.size());
    }
    ZLexRangeSpec r;
    ASSERT_TRUE(ParseLexRange(kItems[rng() % 14], kItems[rng() % 14], &r));
    std::vector<std::string> removed;
    size_t cnt = zsl.DeleteRangeByLex(r, [&](ZslNode* x) { removed.emplace_back(x->member()); });
    std::vector<std::string> want;
    for (auto& m : model)
      if (in_range(m, r)) want.push_back(m);
    ASSERT_EQ(cnt, want.size());
    ASSERT_EQ(removed, want);
    for (auto& m : want) model.erase(m);
    zsl.Verify();
    ASSERT_EQ(zsl.Size(), model.size());
  }
}

TEST(ZSkiplist, LexBoundsFollowRedisRules) {
  ZLexBound b;
  EXPECT_FALSE(ParseLexBound("", &b));
  EXPECT_FALSE(ParseLexBound("a", &b));
  EXPECT_FALSE(ParseLexBound("+a", &b));
  EXPECT_FALSE(ParseLexBound("--", &b));
  ASSERT_TRUE(ParseLexBound("-", &b));
  EXPECT_EQ(b.kind, ZLexBound::Kind::kMinusInf);
  EXPECT_TRUE(b.exclusive);
  ASSERT_TRUE(ParseLexBound("(x", &b));
  EXPECT_TRUE(b.exclusive);
  EXPECT_EQ(b.value, "x");
  ASSERT_TRUE(ParseLexBound("[", &b));
  EXPECT_FALSE(b.exclusive);
  EXPECT_EQ(b.value, "");
  ZLexRangeSpec r;
  ASSERT_TRUE(ParseLexRange("-", "+", &r));
  EXPECT_TRUE(LexRangeNonEmpty(r));
  ASSERT_TRUE(ParseLexRange("-", "-", &r));  // "-" counts as exclusive: empty
  EXPECT_FALSE(LexRangeNonEmpty(r));
  ASSERT_TRUE(ParseLexRange("+", "-", &r));
  EXPECT_FALSE(LexRangeNonEmpty(r));
  ASSERT_TRUE(ParseLexRange("[a", "[a", &r));
  EXPECT_TRUE(LexRangeNonEmpty(r));
  ASSERT_TRUE(ParseLexRange("[a", "(a", &r));
  EXPECT_FALSE(LexRangeNonEmpty(r));
}

TEST(ZSkiplist, ScoreBoundsParseLikeRedis) {
  ZRangeSpec r;
  ASSERT_TRUE(ParseScoreRange("(1.5", "inf", &r));
  EXPECT_TRUE(r.minex);
  EXPECT_EQ(r.min, 1.5);
  EXPECT_FALSE(r.maxex);
  EXPECT_EQ(r.max, kInf);
  ASSERT_TRUE(ParseScoreRange("-inf", "(+inf", &r));
  EXPECT_EQ(r.min, -kInf);
  EXPECT_TRUE(r.maxex);
  EXPECT_FALSE(ParseScoreRange("nan", "1", &r));
  EXPECT_FALSE(ParseScoreRange("1", "1x", &r));
  EXPECT_FALSE(ParseScoreRange("((1", "2", &r));
  ASSERT_TRUE(ParseScoreRange("1e400", " 2", &r));  // strtod: overflow to inf, leading space
  EXPECT_EQ(r.min, kInf);
  EXPECT_EQ(r.max, 2);
  EXPECT_FALSE(ScoreRangeNonEmpty(ZRangeSpec{2, 1, false, false}));
  EXPECT_FALSE(ScoreRangeNonEmpty(ZRangeSpec{1, 1, true, false}));
  EXPECT_TRUE(ScoreRangeNonEmpty(ZRangeSpec{1, 1, false, false}));
}

TEST(ZSkiplist, UpdateScoreInPlaceAndRelinked) {
  ZSkiplist zsl;
  ZslNode* a = zsl.Insert(1, "a");
  ZslNode* b = zsl.Insert(2, "b");
  ZslNode* c = zsl.Insert(3, "c");
  EXPECT_EQ(zsl.UpdateScore(b, 2.5), b);  // between 1 and 3: in place
  EXPECT_EQ(zsl.GetRank(b), 2u);
  EXPECT_EQ(zsl.UpdateScore(a, 10), a);  // moves to the end
  EXPECT_EQ(zsl.Last(), a);
  EXPECT_EQ(zsl.First(), b);
  EXPECT_EQ(zsl.GetRank(10, "a"), 3u);
  EXPECT_EQ(zsl.UpdateScore(c, -1), c);
  EXPECT_EQ(zsl.First(), c);
  zsl.Verify();
}

// UpdateScore walks to the node and to its new position at once, on the list before the unlink, and
// then corrects the second walk for the removal (its own node as a predecessor, ranks after it, levels
// the removal drops). Every relink in small lists, with many ties, is checked against a model.
TEST(ZSkiplist, RelinkAfterTheLockstepWalkMatchesAModel) {
  std::mt19937_64 rng(777);
  for (int size : {1, 2, 3, 5, 17, 60}) {
    ZSkiplist zsl;
    std::vector<ZslNode*> nodes;
    std::set<std::pair<double, std::string>> model;
    for (int i = 0; i < size; i++) {
      double s = RandomScore(rng);
      std::string m = "m" + std::to_string(i);
      nodes.push_back(zsl.Insert(s, m));
      model.emplace(s, m);
    }
    for (int op = 0; op < 3000; op++) {
      ZslNode* n = nodes[rng() % nodes.size()];
      std::string m(n->member());
      double s = (rng() % 4 == 0) ? n->score() : RandomScore(rng);  // sometimes the same score
      model.erase({n->score(), m});
      ASSERT_EQ(zsl.UpdateScore(n, s), n);
      model.emplace(s, m);
      zsl.Verify();
      size_t want = std::distance(model.begin(), model.find({s, m})) + 1;
      ASSERT_EQ(zsl.GetRank(n), want);
      ASSERT_EQ(zsl.GetByRank(want), n);
    }
    size_t rank = 1;
    for (const auto& [s, m] : model) {
      ZslNode* x = zsl.GetByRank(rank++);
      ASSERT_EQ(x->score(), s);
      ASSERT_EQ(x->member(), m);
    }
  }
}

TEST(ZSkiplist, NodesWorkAsHashTableEntriesKeyedByMember) {
  ZSkiplist zsl;
  HashTable<ZslNodeTraits> dict;
  for (int i = 0; i < 1000; i++) {
    std::string m = "member:" + std::to_string(i);
    ASSERT_TRUE(dict.Insert(zsl.Insert(i % 17, m)));
  }
  ZslNode* n = dict.Get("member:500");
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->score(), 500 % 17);
  zsl.UpdateScore(n, 1e6);
  EXPECT_EQ(dict.Get("member:500"), n);
  EXPECT_EQ(zsl.Last(), n);
  size_t removed = zsl.DeleteRangeByScore(ZRangeSpec{0, 3, false, true},
                                          [&](ZslNode* x) { ASSERT_EQ(dict.Delete(x->member()), x); });
  EXPECT_EQ(dict.Size(), zsl.Size());
  EXPECT_EQ(dict.Size(), 1000u - removed);
  dict.Verify();
  zsl.Verify();
}

TEST(ZSkiplist, LevelDistributionAndMemoryPerElement) {
  constexpr int kN = 100000;
  size_t before = mem::UsedMemory();
  {
    ZSkiplist zsl;
    size_t level_counts[ZSkiplist::kMaxLevel + 1] = {};
    for (int i = 0; i < kN; i++) {
      char m[16];
      std::snprintf(m, sizeof(m), "m%09d", i);  // 10-byte members
      ZslNode* n = zsl.Insert(i * 0.5, m);
      level_counts[n->level()]++;
    }
    // P(level 1) = 0.75, P(level 2) = 0.1875.
    EXPECT_NEAR(level_counts[1] / double(kN), 0.75, 0.01);
    EXPECT_NEAR(level_counts[2] / double(kN), 0.1875, 0.01);
    size_t used = mem::UsedMemory() - before;
    EXPECT_EQ(used, zsl.MemoryUsage());
    double per = static_cast<double>(zsl.MemoryUsage()) / kN;
    std::printf("[ skiplist ] %d elements, 10-byte members: %.2f bytes/element\n", kN, per);
    // 24 + 12 + 10 = 46 -> 48 at level 1 (75%); 58 -> 64 at level 2; 70 -> 80 at 3: ~53.
    EXPECT_LT(per, 55.0);
    zsl.Verify();
    // Ranks across a large list.
    EXPECT_EQ(zsl.GetRank(zsl.GetByRank(77777)), 77777u);
    EXPECT_EQ(zsl.CountInRange(ZRangeSpec{100, 200, true, false}), 200u);
  }
  EXPECT_EQ(mem::UsedMemory(), before);
}

}  // namespace
}  // namespace ember
