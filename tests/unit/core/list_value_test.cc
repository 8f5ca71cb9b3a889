// List values: every operation against a std::deque model, with the 7.2 encoding conversions
// (listpack <-> quicklist) checked after each step, and the documented per-element cost.
#include "core/list_value.h"

#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <string>
#include <vector>

#include "memory/alloc.h"

namespace ember {
namespace {

struct Harness {
  ListValue v = ListValue::NewListpack();
  ListOptions o;
  std::deque<std::string> model;
  ~Harness() { FreeListValue(v.enc, v.ptr); }

  std::vector<std::string> All() {
    std::vector<std::string> out;
    size_t n = list::Length(v);
    list::ForRange(&v, 0, n, false, [&](std::string_view s) { out.emplace_back(s); });
    return out;
  }
  void Check() {
    std::vector<std::string> want(model.begin(), model.end());
    ASSERT_EQ(list::Length(v), model.size());
    ASSERT_EQ(All(), want);
    if (!v.IsListpack()) {
      std::string why;
      ASSERT_TRUE(v.ql()->CheckInvariants(&why)) << why;
    }
  }
  // The encoding Redis 7.2 would have: a listpack must fit one node's limits.
  void CheckEncodingSane() {
    if (v.IsListpack()) {
      // The growth check counts raw string lengths, so entry headers may pass the byte limit a
      // little (as in Redis); the count limit is exact.
      size_t size_limit, count_limit;
      ql::NodeLimit(o.fill, &size_limit, &count_limit);
      ASSERT_LE(lp::Length(v.lp()), count_limit);
      if (size_limit != SIZE_MAX) { ASSERT_LE(lp::Bytes(v.lp()), size_limit + 64); }
    } else {
      // After a shrinking operation a quicklist never stays when it fits half the limits.
      EXPECT_FALSE(ql::QuicklistFitsListpack(v.ql()->NodeCount(),
                                             v.ql()->head() && !v.ql()->head()->IsPlain(),
                                             v.ql()->head() ? v.ql()->head()->sz : 0,
                                             v.ql()->Count(), o.fill, true) &&
                   shrunk_last);
    }
  }
  bool shrunk_last = false;
};

std::string RandomElement(std::mt19937_64& rng) {
  switch (rng() % 4) {
    case 0: return std::to_string(static_cast<int64_t>(rng() % 2000) - 1000);
    case 1: return std::string(1 + rng() % 8, static_cast<char>('a' + rng() % 3));
    case 2: return "v" + std::to_string(rng() % 50);
    default: return std::string(rng() % 100, 'x');
  }
}

class ListValueRandomTest : public ::testing::TestWithParam<std::tuple<int, int>> {};

TEST_P(ListValueRandomTest, MatchesDequeModelAcrossConversions) {
  auto [fill, depth] = GetParam();
  Harness h;
  h.o.fill = fill;
  h.o.compress_depth = depth;
  std::mt19937_64 rng(fill * 1000 + depth);
  int saw_quicklist = 0, saw_back_to_listpack = 0;
  for (int step = 0; step < 4000; step++) {
    bool was_ql = !h.v.IsListpack();
    h.shrunk_last = false;
    // Bias towards growth for the first half, shrinkage for the second.
    int op = static_cast<int>(rng() % 12);
    bool grow = step < 2000 ? rng() % 3 != 0 : rng() % 4 == 0;
    if (grow && op >= 8) op = static_cast<int>(rng() % 2);
    if (!grow && op < 2) op = 2 + static_cast<int>(rng() % 2);
    size_t n = h.model.size();
    switch (op) {
      case 0:
      case 1: {  // push batch
        std::vector<std::string> items;
        size_t k = 1 + rng() % 5;
        for (size_t i = 0; i < k; i++) items.push_back(RandomElement(rng));
        std::vector<std::string_view> views(items.begin(), items.end());
        QlEnd where = op == 0 ? QlEnd::kHead : QlEnd::kTail;
        list::Push(&h.v, where, views, h.o);
        for (auto& s : items) {
          if (where == QlEnd::kHead) {
            h.model.push_front(s);
          } else {
            h.model.push_back(s);
          }
        }
        break;
      }
      case 2:
      case 3: {  // pop
        QlEnd where = op == 2 ? QlEnd::kHead : QlEnd::kTail;
        std::string out;
        bool ok = list::Pop(&h.v, where, &out);
        ASSERT_EQ(ok, n > 0);
        if (ok) {
          ASSERT_EQ(out, where == QlEnd::kHead ? h.model.front() : h.model.back());
          if (where == QlEnd::kHead) {
            h.model.pop_front();
          } else {
            h.model.pop_back();
          }
          list::TryShrink(&h.v, h.o);
          h.shrunk_last = true;
        }
        break;
      }
      case 4: {  // index
        long idx = static_cast<long>(rng() % (n + 3)) - static_cast<long>((n + 3) / 2);
        std::string out;
        long real = idx < 0 ? static_cast<long>(n) + idx : idx;
        bool ok = list::Index(&h.v, idx, &out);
        ASSERT_EQ(ok, real >= 0 && real < static_cast<long>(n));
        if (ok) { ASSERT_EQ(out, h.model[static_cast<size_t>(real)]); }
        break;
      }
      case 5: {  // set
        long idx = n ? static_cast<long>(rng() % (n + 1)) : 0;
        std::string s = RandomElement(rng);
        bool ok = list::Set(&h.v, idx, s, h.o);
        ASSERT_EQ(ok, idx < static_cast<long>(n));
        if (ok) h.model[static_cast<size_t>(idx)] = s;
        break;
      }
      case 6: {  // insert at pivot
        std::string pivot = n && rng() % 4 ? h.model[rng() % n] : "nope";
        std::string s = RandomElement(rng);
        bool after = rng() % 2;
        bool ok = list::InsertAtPivot(&h.v, pivot, s, after, h.o);
        auto it = std::find(h.model.begin(), h.model.end(), pivot);
        ASSERT_EQ(ok, it != h.model.end());
        if (ok) h.model.insert(after ? it + 1 : it, s);
        break;
      }
      case 7: {  // range read reversed
        if (!n) break;
        long from = static_cast<long>(rng() % n);
        size_t cnt = 1 + rng() % 10;
        bool rev = rng() % 2;
        std::vector<std::string> got;
        list::ForRange(&h.v, from, cnt, rev, [&](std::string_view s) { got.emplace_back(s); });
        std::vector<std::string> want;
        for (long i = from; i >= 0 && i < static_cast<long>(n) && want.size() < cnt;
             i += rev ? -1 : 1) {
          want.push_back(h.model[static_cast<size_t>(i)]);
        }
        ASSERT_EQ(got, want);
        break;
      }
      case 8: {  // remove
        std::string elem = n && rng() % 3 ? h.model[rng() % n] : "v1";
        long count = static_cast<long>(rng() % 5) - 2;
        size_t removed = list::Remove(&h.v, count, elem);
        size_t want = 0;
        size_t limit = count == 0 ? SIZE_MAX : static_cast<size_t>(std::labs(count));
        if (count >= 0) {
          for (auto it = h.model.begin(); it != h.model.end() && want < limit;) {
            if (*it == elem) {
              it = h.model.erase(it);
              want++;
            } else {
              ++it;
            }
          }
        } else {
          for (size_t i = h.model.size(); i-- > 0 && want < limit;) {
            if (h.model[i] == elem) {
              h.model.erase(h.model.begin() + static_cast<long>(i));
              want++;
            }
          }
        }
        ASSERT_EQ(removed, want);
        list::TryShrink(&h.v, h.o);
        h.shrunk_last = true;
        break;
      }
      case 9: {  // delete range (LTRIM / pop with count)
        if (!n) break;
        size_t cnt = 1 + rng() % 20;
        bool head = rng() % 2;
        size_t k = std::min(cnt, n);
        list::DelRange(&h.v, head ? 0 : -static_cast<long>(k), k);
        for (size_t i = 0; i < k; i++) {
          if (head) {
            h.model.pop_front();
          } else {
            h.model.pop_back();
          }
        }
        list::TryShrink(&h.v, h.o);
        h.shrunk_last = true;
        break;
      }
      case 10: {  // dup
        ListValue d = list::Dup(h.v);
        ASSERT_EQ(d.enc, h.v.enc);
        ASSERT_EQ(list::Length(d), n);
        FreeListValue(d.enc, d.ptr);
        break;
      }
      default: {  // cursor delete while walking backwards
        if (!n) break;
        ListCursor cur(&h.v, -1, true);
        size_t i = n;
        while (cur.Next()) {
          --i;
          ASSERT_EQ(cur.Value(), h.model[i]);
          if (rng() % 7 == 0) {
            cur.Delete();
            h.model.erase(h.model.begin() + static_cast<long>(i));
          }
        }
        ASSERT_EQ(i, 0u);
        list::TryShrink(&h.v, h.o);
        h.shrunk_last = true;
        break;
      }
    }
    ASSERT_NO_FATAL_FAILURE(h.Check()) << "step " << step << " op " << op;
    ASSERT_NO_FATAL_FAILURE(h.CheckEncodingSane()) << "step " << step << " op " << op;
    if (!was_ql && !h.v.IsListpack()) saw_quicklist++;
    if (was_ql && h.v.IsListpack()) saw_back_to_listpack++;
  }
  EXPECT_GT(saw_quicklist, 0);
  EXPECT_GT(saw_back_to_listpack, 0);
}

INSTANTIATE_TEST_SUITE_P(FillsAndDepths, ListValueRandomTest,
                         ::testing::Values(std::make_tuple(8, 0), std::make_tuple(16, 1),
                                           std::make_tuple(-1, 0), std::make_tuple(-1, 1),
                                           std::make_tuple(3, 2)));

TEST(ListValueTest, ConvertsToQuicklistExactlyAtTheNodeLimit) {
  // fill 4: at most 4 entries per node. Pushing the 5th converts, as Redis 7.2.
  ListOptions o{4, 0};
  ListValue v = ListValue::NewListpack();
  for (int i = 0; i < 4; i++) {
    std::string_view s[1] = {"a"};
    list::Push(&v, QlEnd::kTail, s, o);
    ASSERT_TRUE(v.IsListpack()) << i;
  }
  std::string_view s[1] = {"a"};
  list::Push(&v, QlEnd::kTail, s, o);
  ASSERT_EQ(v.enc, Encoding::kQuicklist);
  // Shrinking back needs half the limits: 2 entries in one node.
  std::string out;
  list::Pop(&v, QlEnd::kTail, &out);
  list::TryShrink(&v, o);
  ASSERT_EQ(v.enc, Encoding::kQuicklist);  // 4 entries in the remaining node? two nodes/4 > 2
  while (list::Length(v) > 2) {
    list::Pop(&v, QlEnd::kTail, &out);
    list::TryShrink(&v, o);
  }
  EXPECT_EQ(v.enc, Encoding::kListpack);
  EXPECT_EQ(list::Length(v), 2u);
  FreeListValue(v.enc, v.ptr);
}

TEST(ListValueTest, ByteLimitCountsStringLengthsOfTheBatch) {
  // fill -1 = 4096 bytes: listpack bytes + added string lengths > 4096 converts before the push.
  ListOptions o{-1, 0};
  ListValue v = ListValue::NewListpack();
  std::string big(4000, 'x');
  std::string_view one[1] = {big};
  list::Push(&v, QlEnd::kTail, one, o);
  ASSERT_TRUE(v.IsListpack());
  std::string small(lp::Bytes(v.lp()) <= 4096 ? 4096 - lp::Bytes(v.lp()) : 0, 'y');
  std::string_view two[1] = {small};
  list::Push(&v, QlEnd::kTail, two, o);  // exactly at the limit: still fits (strict >)
  ASSERT_TRUE(v.IsListpack());
  std::string_view three[1] = {"z"};
  list::Push(&v, QlEnd::kTail, three, o);
  EXPECT_EQ(v.enc, Encoding::kQuicklist);
  FreeListValue(v.enc, v.ptr);
}

TEST(ListValueTest, LsetConvertsBeforeReplacingEvenWhenOutOfRange) {
  ListOptions o{-1, 0};
  ListValue v = ListValue::NewListpack();
  std::string_view s[1] = {"a"};
  list::Push(&v, QlEnd::kTail, s, o);
  std::string big(5000, 'b');
  EXPECT_FALSE(list::Set(&v, 5, big, o));
  EXPECT_EQ(v.enc, Encoding::kQuicklist);  // Redis 7.2 converts first
  FreeListValue(v.enc, v.ptr);
}

TEST(ListValueTest, PerElementCostOfSmallListsMatchesTheHeader) {
  // 100 short strings (len 10) in a listpack: 12 bytes each + 7, in one allocation.
  ListOptions o;
  ListValue v = ListValue::NewListpack();
  std::vector<std::string> items;
  for (int i = 0; i < 100; i++) items.push_back("value:" + std::to_string(1000 + i));
  std::vector<std::string_view> views(items.begin(), items.end());
  list::Push(&v, QlEnd::kTail, views, o);
  ASSERT_TRUE(v.IsListpack());
  EXPECT_EQ(lp::Bytes(v.lp()), 7u + 100 * 12);
  size_t usable = ListValueMemory(v.enc, v.ptr, 0);
  EXPECT_GE(usable, lp::Bytes(v.lp()));
  EXPECT_LE(usable, lp::Bytes(v.lp()) * 5 / 4 + 16);  // allocator rounding only
  FreeListValue(v.enc, v.ptr);
}

TEST(ListValueTest, QuicklistMemoryIsSampledPerNode) {
  ListOptions o{-2, 1};
  ListValue v = ListValue::NewListpack();
  std::vector<std::string> items;
  for (int i = 0; i < 20000; i++) items.push_back("value:" + std::to_string(i));
  std::vector<std::string_view> views(items.begin(), items.end());
  list::Push(&v, QlEnd::kTail, views, o);
  ASSERT_EQ(v.enc, Encoding::kQuicklist);
  size_t exact = ListValueMemory(v.enc, v.ptr, 0);
  EXPECT_EQ(exact, v.ql()->AllocatedBytes());
  size_t sampled = ListValueMemory(v.enc, v.ptr, 5);
  EXPECT_GT(sampled, exact / 4);
  EXPECT_LT(sampled, exact * 4);
  // Interior nodes are compressed: less than one byte of overhead per 12-byte entry on average.
  EXPECT_LT(exact, 20000u * 12);
  EXPECT_EQ(ListFreeEffort(v.enc, v.ptr), v.ql()->NodeCount());
  FreeListValue(v.enc, v.ptr);
}

TEST(ListValueTest, CursorInsertAndDeleteOnListpack) {
  ListOptions o;
  ListValue v = ListValue::NewListpack();
  std::string_view items[] = {"a", "b", "c"};
  list::Push(&v, QlEnd::kTail, items, o);
  EXPECT_TRUE(list::InsertAtPivot(&v, "c", "d", true, o));
  EXPECT_TRUE(list::InsertAtPivot(&v, "a", "0", false, o));
  EXPECT_FALSE(list::InsertAtPivot(&v, "zz", "0", false, o));
  std::vector<std::string> got;
  list::ForRange(&v, 0, 10, false, [&](std::string_view s) { got.emplace_back(s); });
  EXPECT_EQ(got, (std::vector<std::string>{"0", "a", "b", "c", "d"}));
  EXPECT_EQ(list::Remove(&v, -1, "0"), 1u);
  EXPECT_EQ(list::Length(v), 4u);
  FreeListValue(v.enc, v.ptr);
}

}  // namespace
}  // namespace ember
