// SetValue: Redis 7.2's set encodings and conversion rules, checked against a reference model.
#include "core/set_value.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "base/strutil.h"
#include "memory/alloc.h"

namespace ember {
namespace {

std::set<std::string> Contents(const SetValue& s) {
  std::set<std::string> out;
  s.ForEach([&](const SetElem& e) {
    EXPECT_TRUE(out.insert(e.ToString()).second) << "duplicate member " << e.ToString();
    return true;
  });
  return out;
}

SetValue Build(const std::vector<std::string>& members, const SetLimits& lim) {
  SetValue s = SetValue::Create(members.at(0), members.size(), lim);
  for (const auto& m : members) s.Add(m, lim);
  return s;
}

std::vector<std::string> Ints(int from, int to) {
  std::vector<std::string> v;
  for (int i = from; i < to; i++) v.push_back(std::to_string(i));
  return v;
}

TEST(SetValueEncoding, CreateFollowsFirstMemberAndSizeHint) {
  SetLimits lim;
  SetValue a = SetValue::Create("12", 1, lim);
  EXPECT_EQ(a.encoding(), Encoding::kIntset);
  SetValue b = SetValue::Create("x", 1, lim);
  EXPECT_EQ(b.encoding(), Encoding::kListpack);
  SetValue c = SetValue::Create("12", 513, lim);  // too many for an intset, too many for a listpack
  EXPECT_EQ(c.encoding(), Encoding::kHashtable);
  SetValue d = SetValue::Create("12", 129, lim);
  EXPECT_EQ(d.encoding(), Encoding::kIntset);
  SetValue e = SetValue::Create("x", 129, lim);
  EXPECT_EQ(e.encoding(), Encoding::kHashtable);
  SetValue f = SetValue::Create("012", 1, lim);  // not canonical: a string
  EXPECT_EQ(f.encoding(), Encoding::kListpack);
  for (SetValue* s : {&a, &b, &c, &d, &e, &f}) s->Free();
}

TEST(SetValueEncoding, IntsetBecomesHashtablePastTheIntsetLimit) {
  SetLimits lim;
  SetValue s = Build(Ints(0, 512), lim);
  EXPECT_EQ(s.encoding(), Encoding::kIntset);
  EXPECT_FALSE(s.Add("5", lim));
  EXPECT_TRUE(s.Add("512", lim));
  EXPECT_EQ(s.encoding(), Encoding::kHashtable);
  EXPECT_EQ(s.Size(), 513u);
  EXPECT_TRUE(s.Contains("0"));
  s.Free();
}

TEST(SetValueEncoding, StringIntoIntsetPicksListpackOrHashtable) {
  SetLimits lim;
  SetValue s = Build(Ints(0, 127), lim);  // 127 < 128: room for one more in a listpack
  EXPECT_TRUE(s.Add("abc", lim));
  EXPECT_EQ(s.encoding(), Encoding::kListpack);
  EXPECT_EQ(s.Size(), 128u);
  EXPECT_TRUE(s.Contains("126"));
  EXPECT_TRUE(s.Add("def", lim));  // the listpack is full: hashtable
  EXPECT_EQ(s.encoding(), Encoding::kHashtable);
  s.Free();

  SetValue t = Build(Ints(0, 128), lim);  // intset length == listpack-entries: straight to hashtable
  EXPECT_TRUE(t.Add("abc", lim));
  EXPECT_EQ(t.encoding(), Encoding::kHashtable);
  t.Free();

  SetValue u = Build({"1", "2"}, lim);
  EXPECT_TRUE(u.Add(std::string(65, 'x'), lim));  // longer than set-max-listpack-value
  EXPECT_EQ(u.encoding(), Encoding::kHashtable);
  u.Free();

  SetLimits small = lim;
  small.max_listpack_value = 3;
  SetValue v = Build({"1", "-1000"}, small);  // "-1000" has 5 characters > 3
  EXPECT_TRUE(v.Add("a", small));
  EXPECT_EQ(v.encoding(), Encoding::kHashtable);
  v.Free();
}

TEST(SetValueEncoding, ListpackBecomesHashtableOnCountOrLength) {
  SetLimits lim;
  std::vector<std::string> m;
  for (int i = 0; i < 128; i++) m.push_back("m" + std::to_string(i));
  SetValue s = Build(m, lim);
  EXPECT_EQ(s.encoding(), Encoding::kListpack);
  EXPECT_FALSE(s.Add("m5", lim));
  EXPECT_EQ(s.encoding(), Encoding::kListpack);
  EXPECT_TRUE(s.Add("new", lim));
  EXPECT_EQ(s.encoding(), Encoding::kHashtable);
  EXPECT_EQ(Contents(s).size(), 129u);
  s.Free();

  SetValue t = Build({"a"}, lim);
  EXPECT_TRUE(t.Add(std::string(64, 'y'), lim));  // exactly the limit still fits
  EXPECT_EQ(t.encoding(), Encoding::kListpack);
  EXPECT_TRUE(t.Add(std::string(65, 'y'), lim));
  EXPECT_EQ(t.encoding(), Encoding::kHashtable);
  t.Free();
}

TEST(SetValueEncoding, MaybeConvertUsesTheSizeHint) {
  SetLimits lim;
  SetValue s = Build({"a"}, lim);
  s.MaybeConvert(128, lim);
  EXPECT_EQ(s.encoding(), Encoding::kListpack);
  s.MaybeConvert(129, lim);
  EXPECT_EQ(s.encoding(), Encoding::kHashtable);
  s.Free();
  SetValue t = Build({"1"}, lim);
  t.MaybeConvert(512, lim);
  EXPECT_EQ(t.encoding(), Encoding::kIntset);
  t.MaybeConvert(513, lim);
  EXPECT_EQ(t.encoding(), Encoding::kHashtable);
  t.Free();
}

TEST(SetValueEncoding, RemovingNeverConvertsBack) {
  SetLimits lim;
  SetValue s = Build({"1", "a"}, lim);
  EXPECT_EQ(s.encoding(), Encoding::kListpack);
  EXPECT_TRUE(s.Remove("a"));
  EXPECT_FALSE(s.Remove("a"));
  EXPECT_EQ(s.encoding(), Encoding::kListpack);
  s.MaybeConvertToIntset(lim);  // what SINTERSTORE does with an all-integer result
  EXPECT_EQ(s.encoding(), Encoding::kIntset);
  EXPECT_EQ(Contents(s), (std::set<std::string>{"1"}));
  s.Free();
}

TEST(SetValueEncoding, IntegerTextMatchesAcrossEncodings) {
  SetLimits lim;
  for (size_t n : {3, 200, 600}) {  // listpack, hashtable (via conversion), hashtable
    std::vector<std::string> m = {"x"};
    for (size_t i = 0; i < n; i++) m.push_back(std::to_string(static_cast<int64_t>(i) * 7 - 50));
    SetValue s = Build(m, lim);
    EXPECT_TRUE(s.ContainsElem(SetElem::Int(-50)));
    EXPECT_TRUE(s.Contains("-50"));
    EXPECT_FALSE(s.Contains("-050"));
    EXPECT_FALSE(s.Add("-50", lim));
    EXPECT_TRUE(s.RemoveElem(SetElem::Int(-50)));
    EXPECT_FALSE(s.Contains("-50"));
    s.Free();
  }
}

// Thousands of random operations with small limits so every conversion happens, against a
// std::set model; checks encoding invariants after every step.
TEST(SetValueRandomized, MatchesModelThroughConversions) {
  std::mt19937_64 rng(12345);
  lp::SeedRandom(99);
  SetLimits lim{16, 8, 6};
  for (int round = 0; round < 40; round++) {
    std::set<std::string> model;
    SetValue s;
    auto rand_member = [&]() -> std::string {
      switch (rng() % 4) {
        case 0: return std::to_string(static_cast<int64_t>(rng() % 40) - 20);
        case 1: return std::to_string(static_cast<int64_t>(rng()));  // wide integers
        case 2: return "s" + std::to_string(rng() % 30);
        default: return std::string(1 + rng() % 9, static_cast<char>('a' + rng() % 3));
      }
    };
    for (int op = 0; op < 400; op++) {
      int kind = static_cast<int>(rng() % 10);
      if (!s.valid()) {
        std::string m = rand_member();
        s = SetValue::Create(m, 1 + rng() % 3, lim);
        EXPECT_TRUE(s.Add(m, lim));
        model.insert(m);
        continue;
      }
      if (kind < 5) {
        std::string m = rand_member();
        EXPECT_EQ(s.Add(m, lim), model.insert(m).second) << m;
      } else if (kind < 7) {
        std::string m = rand_member();
        EXPECT_EQ(s.Remove(m), model.erase(m) == 1) << m;
      } else if (kind == 7) {
        std::string m = s.PopRandom();
        EXPECT_EQ(model.erase(m), 1u) << m;
      } else if (kind == 8 && s.Size() > 1) {
        size_t count = 1 + rng() % (s.Size() - 1);
        std::vector<std::string> out;
        s.PopMany(count, lim, &out);
        EXPECT_EQ(out.size(), count);
        for (const auto& m : out) EXPECT_EQ(model.erase(m), 1u) << m;
      } else if (s.Size() > 1) {
        size_t count = 1 + rng() % (s.Size() - 1);
        std::vector<std::string> out;
        s.RandomDistinct(count, &out);
        std::set<std::string> uniq(out.begin(), out.end());
        EXPECT_EQ(uniq.size(), count);
        for (const auto& m : out) EXPECT_TRUE(model.count(m)) << m;
        EXPECT_TRUE(model.count(s.Random().ToString()));
      }
      ASSERT_EQ(s.Size(), model.size());
      if (model.empty()) {
        s.Free();
        s = SetValue();
        continue;
      }
      ASSERT_EQ(Contents(s), model);
      if (s.encoding() == Encoding::kIntset) {
        for (const auto& m : model) {
          int64_t v;
          ASSERT_TRUE(ParseInt64(m, &v)) << m;
        }
        ASSERT_LE(model.size(), lim.max_intset_entries);
      } else if (s.encoding() == Encoding::kListpack) {
        ASSERT_LE(model.size(), lim.max_listpack_entries);
      }
    }
    if (s.valid()) {
      SetValue d = s.Dup();
      EXPECT_EQ(d.encoding(), s.encoding());
      EXPECT_EQ(Contents(d), model);
      d.Free();
      s.Free();
    }
  }
}

TEST(SetValueOps, PopManyKeepsSurvivorsWhenMostOfTheSetGoes) {
  SetLimits lim;
  std::vector<std::string> m;
  for (int i = 0; i < 1000; i++) m.push_back("k" + std::to_string(i));
  SetValue s = Build(m, lim);
  ASSERT_EQ(s.encoding(), Encoding::kHashtable);
  std::vector<std::string> out;
  s.PopMany(900, lim, &out);  // 100 survivors go into a new set: a listpack (100 <= 128)
  EXPECT_EQ(out.size(), 900u);
  EXPECT_EQ(s.Size(), 100u);
  EXPECT_EQ(s.encoding(), Encoding::kListpack);
  std::set<std::string> all(out.begin(), out.end());
  for (const auto& x : Contents(s)) all.insert(x);
  EXPECT_EQ(all.size(), 1000u);
  s.Free();
}

TEST(SetMemberCost, HashtableEntryIsOneSmallAllocation) {
  // setmember layout: 1-byte length below 255, else 9 bytes of header.
  SetMember* a = setmember::New("0123456789");
  EXPECT_EQ(setmember::View(a), "0123456789");
  EXPECT_LE(mem::UsableSize(a), 16u);
  std::string big(300, 'z');
  SetMember* b = setmember::New(big);
  EXPECT_EQ(setmember::View(b), big);
  setmember::Free(a);
  setmember::Free(b);
}

TEST(SetMemberCost, PerMemberBytesMatchTheHeader) {
  SetLimits lim;
  // hashtable: 10-byte members cost one 16-byte allocation plus ~16 bytes of table.
  size_t before = mem::UsedMemory();
  SetValue s = SetValue::NewHashtable();
  const size_t n = 150000;  // mid growth cycle (32K buckets, 65% of slots used)
  for (size_t i = 0; i < n; i++) {
    char buf[16];
    snprintf(buf, sizeof buf, "m:%08zu", i);
    s.Add(buf, lim);
  }
  while (s.table()->RehashSteps(1 << 20)) {
  }
  double per = static_cast<double>(mem::UsedMemory() - before) / n;
  EXPECT_LT(per, 32.0);  // Redis 7.0 at this size: ~47 (24 dictEntry + 16 sds + 7 of buckets)
  EXPECT_GT(per, 16.0);
  size_t est = s.Memory(0);
  EXPECT_NEAR(static_cast<double>(est), static_cast<double>(mem::UsedMemory() - before),
              0.1 * static_cast<double>(est));
  s.Free();

  // listpack: len+2 per short string; intset: 2 bytes per small integer.
  SetValue l = Build({"abcdefghij"}, lim);
  size_t b0 = lp::Bytes(l.blob());
  l.Add("0123456789x", lim);
  EXPECT_EQ(lp::Bytes(l.blob()) - b0, 13u);
  l.Free();
  SetValue is = Build(Ints(0, 10), lim);
  EXPECT_EQ(intset::Bytes(is.blob()), 8u + 10 * 2);
  EXPECT_EQ(is.Memory(0), mem::UsableSize(is.blob()));
  is.Free();
}

}  // namespace
}  // namespace ember
