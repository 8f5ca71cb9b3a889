#include "types/quicklist.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include "memory/alloc.h"
#include "types/listpack.h"
#include "../test_util.h"

namespace ember {
namespace {

using test_util::Hex;

std::vector<std::string> Forward(Quicklist* q) {
  std::vector<std::string> out;
  Quicklist::Iterator it(q, QlDir::kForward);
  QuicklistEntry e;
  while (it.Next(&e)) out.push_back(e.ToString());
  return out;
}

std::vector<std::string> Backward(Quicklist* q) {
  std::vector<std::string> out;
  Quicklist::Iterator it(q, QlDir::kBackward);
  QuicklistEntry e;
  while (it.Next(&e)) out.push_back(e.ToString());
  std::reverse(out.begin(), out.end());
  return out;
}

std::vector<size_t> NodeCounts(const Quicklist& q) {
  std::vector<size_t> out;
  q.ForEachNode([&](const QuicklistNodeView& v) { out.push_back(v.count); });
  return out;
}

// Restores the default packed threshold even if a test fails.
struct ThresholdGuard {
  explicit ThresholdGuard(size_t sz) { ql::SetPackedThreshold(sz); }
  ~ThresholdGuard() { ql::SetPackedThreshold(0); }
};

TEST(QuicklistLimits, NodeLimitsFollowFill) {
  size_t sz, cnt;
  ql::NodeLimit(-1, &sz, &cnt);
  EXPECT_EQ(sz, 4096u);
  EXPECT_EQ(cnt, SIZE_MAX);
  ql::NodeLimit(-2, &sz, &cnt);
  EXPECT_EQ(sz, 8192u);
  ql::NodeLimit(-5, &sz, &cnt);
  EXPECT_EQ(sz, 65536u);
  ql::NodeLimit(-9, &sz, &cnt);
  EXPECT_EQ(sz, 65536u);
  ql::NodeLimit(0, &sz, &cnt);
  EXPECT_EQ(cnt, 1u);
  ql::NodeLimit(128, &sz, &cnt);
  EXPECT_EQ(sz, SIZE_MAX);
  EXPECT_EQ(cnt, 128u);
  // Positive fill: count limit, and still never past 8 KB.
  EXPECT_FALSE(ql::NodeExceedsLimit(128, 8192, 128));
  EXPECT_TRUE(ql::NodeExceedsLimit(128, 8193, 2));
  EXPECT_TRUE(ql::NodeExceedsLimit(128, 100, 129));
  EXPECT_FALSE(ql::NodeExceedsLimit(-1, 4096, 100000));
  EXPECT_TRUE(ql::NodeExceedsLimit(-1, 4097, 1));
  EXPECT_TRUE(ql::ListpackFitsNode(8192, 10, -2));
  EXPECT_FALSE(ql::ListpackFitsNode(8193, 10, -2));
}

TEST(QuicklistLimits, Redis72ListpackConversionDecisions) {
  // listpack -> quicklist when the listpack plus what is added exceeds one node.
  EXPECT_FALSE(ql::ListpackNeedsQuicklist(8000, 10, 192, 1, -2));
  EXPECT_TRUE(ql::ListpackNeedsQuicklist(8000, 10, 193, 1, -2));
  EXPECT_TRUE(ql::ListpackNeedsQuicklist(100, 128, 1, 1, 128));
  // quicklist -> listpack: one packed node within the limits, halved when shrinking.
  EXPECT_TRUE(ql::QuicklistFitsListpack(1, true, 8192, 5, -2, false));
  EXPECT_FALSE(ql::QuicklistFitsListpack(1, true, 4097, 5, -2, true));
  EXPECT_TRUE(ql::QuicklistFitsListpack(1, true, 4096, 5, -2, true));
  EXPECT_FALSE(ql::QuicklistFitsListpack(2, true, 100, 5, -2, true));
  EXPECT_FALSE(ql::QuicklistFitsListpack(1, false, 100, 1, -2, true));
  EXPECT_TRUE(ql::QuicklistFitsListpack(1, true, 100, 64, 128, true));
  EXPECT_FALSE(ql::QuicklistFitsListpack(1, true, 100, 65, 128, true));

  uint8_t* lp = lp::New();
  for (int i = 0; i < 10; i++) lp = lp::Append(lp, "e" + std::to_string(i));
  Quicklist q = Quicklist::FromListpack(lp, -2, 0);
  EXPECT_EQ(q.Count(), 10u);
  EXPECT_EQ(q.NodeCount(), 1u);
  EXPECT_TRUE(q.FitsListpack(true));
  uint8_t* back = q.ReleaseAsListpack();
  EXPECT_EQ(lp::Length(back), 10u);
  EXPECT_EQ(q.Count(), 0u);
  EXPECT_EQ(q.NodeCount(), 0u);
  lp::Free(back);
}

TEST(QuicklistLayout, NodeOverheadFiguresHold) {
  // Figures stated in quicklist.h.
  EXPECT_LE(sizeof(QuicklistNode), kQuicklistNodeOverhead);
#ifndef EMBER_HAVE_JEMALLOC
  GTEST_SKIP() << "size classes are jemalloc's";
#endif
  EXPECT_EQ(mem::SizeClassOf(sizeof(QuicklistNode)), kQuicklistNodeOverhead);
  EXPECT_EQ(sizeof(Quicklist), 40u);
  Quicklist q;
  q.PushTail("abc");
  // One node: node struct + listpack (7 + 5 bytes) rounded to its size class + the list object.
  EXPECT_EQ(q.Bytes(), 12u);
  EXPECT_EQ(q.AllocatedBytes(),
            mem::SizeClassOf(sizeof(Quicklist)) + kQuicklistNodeOverhead + mem::SizeClassOf(12));
}

TEST(QuicklistLayout, SmallListNodeMatchesRedisDump) {
  // Redis 7.0.15: RPUSH l a b c 1 2 3; DUMP = 12 (LIST_QUICKLIST_2), 01 node, 02 PACKED, 0x16 bytes.
  Quicklist q;
  for (const char* s : {"a", "b", "c", "1", "2", "3"}) q.PushTail(s);
  std::vector<std::string> blobs;
  q.ForEachNode([&](const QuicklistNodeView& v) {
    EXPECT_FALSE(v.plain);
    blobs.push_back(Hex(v.data, v.size));
  });
  ASSERT_EQ(blobs.size(), 1u);
  EXPECT_EQ(blobs[0], "160000000600816102816202816302010102010301ff");
}

TEST(QuicklistLayout, NodeBoundariesMatchRedisForFillMinus2) {
  // Redis 7.0.15 split 1000 RPUSHed 20-byte strings into nodes of 371/371/258 entries, 8169 bytes.
  Quicklist q(-2, 0);
  char buf[32];
  for (int i = 0; i < 1000; i++) {
    std::snprintf(buf, sizeof(buf), i % 3 ? "%020d" : "v%019d", i);
    q.PushTail(buf);
  }
  EXPECT_EQ(NodeCounts(q), (std::vector<size_t>{371, 371, 258}));
  std::vector<size_t> sizes;
  q.ForEachNode([&](const QuicklistNodeView& v) { sizes.push_back(v.size); });
  EXPECT_EQ(sizes, (std::vector<size_t>{8169, 8169, 5683}));
  // Positive fill: count-limited nodes.
  Quicklist c(5, 0);
  for (int i = 0; i < 12; i++) c.PushHead(std::to_string(i));
  EXPECT_EQ(NodeCounts(c), (std::vector<size_t>{2, 5, 5}));
}

TEST(QuicklistOps, PushPopIndexBothEnds) {
  Quicklist q(-2, 0);
  EXPECT_FALSE(q.Pop(QlEnd::kHead, nullptr));
  q.PushTail("b");
  q.PushHead("a");
  q.PushTail("123");
  std::string out;
  EXPECT_TRUE(q.Index(0, &out));
  EXPECT_EQ(out, "a");
  EXPECT_TRUE(q.Index(-1, &out));
  EXPECT_EQ(out, "123");
  EXPECT_FALSE(q.Index(3, &out));
  EXPECT_FALSE(q.Index(-4, &out));
  EXPECT_TRUE(q.Pop(QlEnd::kTail, &out));
  EXPECT_EQ(out, "123");
  EXPECT_TRUE(q.Pop(QlEnd::kHead, &out));
  EXPECT_EQ(out, "a");
  EXPECT_EQ(q.Count(), 1u);
  EXPECT_TRUE(q.ReplaceAtIndex(0, "z"));
  EXPECT_EQ(Forward(&q), std::vector<std::string>{"z"});
}

TEST(QuicklistOps, PlainNodesForLargeElements) {
  ThresholdGuard guard(100);
  Quicklist q(-2, 1);
  std::string big(150, 'B');
  q.PushTail("small");
  q.PushTail(big);
  q.PushHead(big + "2");
  EXPECT_EQ(q.NodeCount(), 3u);
  std::vector<bool> plain;
  q.ForEachNode([&](const QuicklistNodeView& v) { plain.push_back(v.plain); });
  EXPECT_EQ(plain, (std::vector<bool>{true, false, true}));
  // Replace a packed element by a large one and a plain one by a small one.
  EXPECT_TRUE(q.ReplaceAtIndex(1, big + "3"));
  EXPECT_TRUE(q.ReplaceAtIndex(2, "tiny"));
  EXPECT_EQ(Forward(&q), (std::vector<std::string>{big + "2", big + "3", "tiny"}));
  std::string why;
  EXPECT_TRUE(q.CheckInvariants(&why)) << why;
  std::string out;
  EXPECT_TRUE(q.Pop(QlEnd::kHead, &out));
  EXPECT_EQ(out, big + "2");
}

TEST(QuicklistOps, IteratorDeleteAllBothDirections) {
  for (QlDir dir : {QlDir::kForward, QlDir::kBackward}) {
    Quicklist q(4, 1);
    for (int i = 0; i < 50; i++) q.PushTail(std::to_string(i));
    Quicklist::Iterator it(&q, dir);
    QuicklistEntry e;
    std::vector<std::string> seen;
    while (it.Next(&e)) {
      seen.push_back(e.ToString());
      if (e.ival % 2 == 0) it.DelEntry(&e);
    }
    EXPECT_EQ(seen.size(), 50u);
    std::vector<std::string> odd;
    for (int i = 1; i < 50; i += 2) odd.push_back(std::to_string(i));
    EXPECT_EQ(Forward(&q), odd);
    std::string why;
    EXPECT_TRUE(q.CheckInvariants(&why)) << why;
  }
}

TEST(QuicklistCompression, InteriorNodesAreLz4CompressedAndReadBack) {
  Quicklist q(-1, 1);
  std::string val(200, 'x');
  for (int i = 0; i < 200; i++) q.PushTail(val + std::to_string(i));
  ASSERT_GT(q.NodeCount(), 4u);
  size_t compressed = 0;
  for (const QuicklistNode* n = q.head(); n; n = n->next) compressed += n->IsCompressed();
  EXPECT_EQ(compressed, q.NodeCount() - 2);  // every interior node
  EXPECT_FALSE(q.head()->IsCompressed());
  EXPECT_FALSE(q.tail()->IsCompressed());
  EXPECT_LT(q.AllocatedBytes(), q.Bytes() / 2);
  std::string out;
  ASSERT_TRUE(q.Index(100, &out));
  EXPECT_EQ(out, val + "100");
  // Reading decompressed the node for use only; it is compressed again afterwards.
  compressed = 0;
  for (const QuicklistNode* n = q.head(); n; n = n->next) compressed += n->IsCompressed();
  EXPECT_EQ(compressed, q.NodeCount() - 2);
  // Incompressible small nodes are left raw.
  Quicklist tiny(1, 1);
  for (int i = 0; i < 5; i++) tiny.PushTail("a");
  for (const QuicklistNode* n = tiny.head(); n; n = n->next) EXPECT_FALSE(n->IsCompressed());
}

TEST(QuicklistRdb, NodeBlobsRoundTrip) {
  ThresholdGuard guard(300);
  Quicklist q(-1, 2);
  std::mt19937_64 rng(3);
  std::vector<std::string> model;
  for (int i = 0; i < 2000; i++) {
    std::string v = rng() % 50 == 0 ? std::string(400, 'P') : std::string(rng() % 40, 'a') +
                                                                  std::to_string(i);
    q.PushTail(v);
    model.push_back(v);
  }
  Quicklist copy(-1, 2);
  size_t nodes = 0;
  q.ForEachNode([&](const QuicklistNodeView& v) {
    nodes++;
    if (v.plain) {
      copy.AppendPlain({reinterpret_cast<const char*>(v.data), v.size});
    } else {
      ASSERT_TRUE(lp::ValidateListpack(v.data, v.size, true));
      copy.AppendListpack(lp::FromBlob(v.data, v.size));
    }
  });
  EXPECT_EQ(nodes, q.NodeCount());
  EXPECT_EQ(copy.NodeCount(), q.NodeCount());
  EXPECT_EQ(Forward(&copy), model);
  std::string why;
  EXPECT_TRUE(copy.CheckInvariants(&why)) << why;
  Quicklist dup = q.Dup();
  EXPECT_EQ(Backward(&dup), model);
  dup.DelRange(0, 10);
  EXPECT_EQ(q.Count(), 2000u);
  EXPECT_EQ(dup.Count(), 1990u);
  copy.AppendListpack(lp::New());  // empty listpacks are dropped
  EXPECT_EQ(copy.NodeCount(), q.NodeCount());
}

// Randomized operations against std::deque, in several fill/compression/threshold settings.
void RunModel(int fill, int depth, size_t threshold, uint64_t seed, int ops) {
  ThresholdGuard guard(threshold);
  std::mt19937_64 rng(seed);
  Quicklist q(fill, depth);
  std::deque<std::string> model;
  auto rand_val = [&]() -> std::string {
    switch (rng() % 5) {
      case 0: return std::to_string(static_cast<int64_t>(rng()) >> (rng() % 64));
      case 1: return std::string(rng() % 300, static_cast<char>('a' + rng() % 3));
      case 2: return std::string(threshold + rng() % 10, 'L');  // PLAIN-sized
      default: return "v" + std::to_string(rng() % 1000);
    }
  };
  size_t max_nodes = 0, compressed_seen = 0, plain_seen = 0;
  for (int op = 0; op < ops; op++) {
    max_nodes = std::max(max_nodes, q.NodeCount());
    for (const QuicklistNode* n = q.head(); n && op % 50 == 0; n = n->next) {
      compressed_seen += n->IsCompressed();
      plain_seen += n->IsPlain();
    }
    int kind = static_cast<int>(rng() % 12);
    if (model.empty() && kind >= 2) kind = rng() % 2;
    long idx = model.empty() ? 0 : static_cast<long>(rng() % model.size());
    long signed_idx = rng() % 2 ? idx : idx - static_cast<long>(model.size());
    switch (kind) {
      case 0: {
        std::string v = rand_val();
        q.PushHead(v);
        model.push_front(v);
        break;
      }
      case 1: {
        std::string v = rand_val();
        q.PushTail(v);
        model.push_back(v);
        break;
      }
      case 2: {
        std::string out;
        ASSERT_TRUE(q.Pop(QlEnd::kHead, &out));
        ASSERT_EQ(out, model.front());
        model.pop_front();
        break;
      }
      case 3: {
        std::string out;
        ASSERT_TRUE(q.Pop(QlEnd::kTail, &out));
        ASSERT_EQ(out, model.back());
        model.pop_back();
        break;
      }
      case 4: {
        std::string out;
        ASSERT_TRUE(q.Index(signed_idx, &out));
        ASSERT_EQ(out, model[idx]);
        break;
      }
      case 5: {
        std::string v = rand_val();
        ASSERT_TRUE(q.ReplaceAtIndex(signed_idx, v));
        model[idx] = v;
        break;
      }
      case 6:
      case 7: {
        // LINSERT-like: find by index through an iterator, insert before/after.
        bool after = rng() % 2;
        std::string v = rand_val();
        Quicklist::Iterator it(&q, rng() % 2 ? QlDir::kForward : QlDir::kBackward, signed_idx);
        QuicklistEntry e;
        ASSERT_TRUE(it.Next(&e));
        ASSERT_TRUE(e.Equals(model[idx]));
        q.Insert(&it, e, v, after);
        EXPECT_FALSE(it.Next(&e));  // reset by the insert
        model.insert(model.begin() + idx + (after ? 1 : 0), v);
        break;
      }
      case 8: {
        size_t n = rng() % 40;
        size_t deleted = q.DelRange(signed_idx, n);
        size_t expect = std::min(n, model.size() - idx);
        ASSERT_EQ(deleted, expect);
        model.erase(model.begin() + idx, model.begin() + idx + expect);
        break;
      }
      case 9: {
        // LREM-like: delete every element equal to a chosen one, in a random direction.
        std::string target = model[idx];
        bool fwd = rng() % 2;
        Quicklist::Iterator it(&q, fwd ? QlDir::kForward : QlDir::kBackward);
        QuicklistEntry e;
        while (it.Next(&e))
          if (e.Equals(target)) it.DelEntry(&e);
        model.erase(std::remove(model.begin(), model.end(), target), model.end());
        break;
      }
      case 10: {
        // Iterate from an index in a direction, checking the values seen.
        bool fwd = rng() % 2;
        Quicklist::Iterator it(&q, fwd ? QlDir::kForward : QlDir::kBackward, signed_idx);
        QuicklistEntry e;
        long i = idx;
        for (int steps = 0; steps < 30 && it.Next(&e); steps++) {
          ASSERT_TRUE(e.Equals(model[i])) << "op " << op << " at " << i;
          i += fwd ? 1 : -1;
        }
        break;
      }
      default: {
        // Bulk pushes, so nodes fill up and get split.
        int n = static_cast<int>(rng() % 50);
        for (int i = 0; i < n; i++) {
          std::string v = "bulk" + std::to_string(rng() % 100000);
          q.PushTail(v);
          model.push_back(v);
        }
      }
    }
    ASSERT_EQ(q.Count(), model.size()) << "op " << op;
    if (op % 100 == 0 || model.size() < 3) {
      std::string why;
      ASSERT_TRUE(q.CheckInvariants(&why)) << why << " op " << op;
      std::vector<std::string> want(model.begin(), model.end());
      ASSERT_EQ(Forward(&q), want) << "op " << op;
      ASSERT_EQ(Backward(&q), want) << "op " << op;
    }
    if (model.size() > 3000) {
      q.DelRange(0, 1500);
      model.erase(model.begin(), model.begin() + 1500);
    }
  }
  // The run must have exercised many nodes, PLAIN nodes and (when enabled) compression.
  EXPECT_GT(max_nodes, 20u);
  EXPECT_GT(plain_seen, 0u);
  if (depth > 0) {
    EXPECT_GT(compressed_seen, 0u);
  }
}

TEST(QuicklistModel, RandomOpsDefaultFillNoCompression) { RunModel(-2, 0, 1000, 1, 4000); }
TEST(QuicklistModel, RandomOpsSmallNodesCompressed) { RunModel(-1, 1, 600, 2, 4000); }
TEST(QuicklistModel, RandomOpsCountFillDeepCompression) { RunModel(4, 3, 200, 3, 4000); }
TEST(QuicklistModel, RandomOpsOneEntryPerNode) { RunModel(0, 2, 500, 4, 2000); }

}  // namespace
}  // namespace ember
