// The loaders' fast paths (rdb_types.h, "using a blob as it is"): which blobs are taken whole, that
// what is taken is byte-for-byte the blob, and that every blob the check refuses still loads (or
// fails) exactly as element by element. Blobs are built by hand so they can be what Ember itself
// never writes: string entries holding digits, Redis 7.0's %.17g scores, unsorted pairs.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/digest.h"
#include "core/hash_value.h"
#include "core/list_value.h"
#include "core/set_value.h"
#include "core/zset_value.h"
#include "persist/rdb/rdb_format.h"
#include "persist/rdb/rdb_object.h"
#include "persist/rdb/rdb_reader.h"
#include "persist/rdb/rdb_types.h"
#include "persist/rdb/rdb_writer.h"
#include "types/intset.h"
#include "types/listpack.h"

namespace ember::rdb {
namespace {

// A listpack written entry by entry: S(x) is always a string entry (even "12"), I(v) an integer.
class RawListpack {
 public:
  RawListpack& S(std::string_view s) {
    EXPECT_LT(s.size(), 64u);
    std::string e(1, static_cast<char>(0x80 | s.size()));
    e += s;
    return Entry(e);
  }
  RawListpack& I(int64_t v) {
    // 16-bit integers are enough for these tests: 0xF1 + 2 bytes little-endian.
    EXPECT_TRUE(v >= INT16_MIN && v <= INT16_MAX);
    std::string e(1, static_cast<char>(0xF1));
    auto u = static_cast<uint16_t>(v);
    e += static_cast<char>(u & 0xff);
    e += static_cast<char>(u >> 8);
    return Entry(e);
  }
  std::string Bytes() const {
    std::string out(6, '\0');
    uint32_t total = static_cast<uint32_t>(6 + body_.size() + 1);
    std::memcpy(&out[0], &total, 4);
    uint16_t n = static_cast<uint16_t>(count_);
    std::memcpy(&out[4], &n, 2);
    out += body_;
    out += static_cast<char>(0xFF);
    return out;
  }

 private:
  RawListpack& Entry(const std::string& e) {
    EXPECT_LT(e.size(), 128u);  // one backlen byte
    body_ += e;
    body_ += static_cast<char>(e.size());
    count_++;
    return *this;
  }
  std::string body_;
  size_t count_ = 0;
};

// An RDB value: the type byte, then each blob as an RDB string (with a length prefix), preceded
// for lists by the node count and each node's container.
std::string BlobValue(uint8_t type, const std::string& blob) {
  BufferSink sink;
  RdbWriter w(&sink, {false, true});
  EXPECT_TRUE(w.SaveType(type).ok());
  EXPECT_TRUE(w.SaveString(blob).ok());
  return sink.Release();
}

std::string ListValueOfNodes(const std::vector<std::string>& nodes) {
  BufferSink sink;
  RdbWriter w(&sink, {false, true});
  EXPECT_TRUE(w.SaveType(RDB_TYPE_LIST_QUICKLIST_2).ok());
  EXPECT_TRUE(w.SaveLen(nodes.size()).ok());
  for (const std::string& n : nodes) {
    EXPECT_TRUE(w.SaveLen(2).ok());  // PACKED
    EXPECT_TRUE(w.SaveString(n).ok());
  }
  return sink.Release();
}

Expected<ValueInit> Load(std::string_view bytes, const LoadLimits& lim = {}) {
  MemorySource src(bytes);
  RdbReader rd(&src);
  auto t = rd.LoadType();
  EXPECT_TRUE(t.ok());
  return LoadValue(rd, *t, lim, "k");
}

Record* LoadRecord(std::string_view bytes, const LoadLimits& lim = {}) {
  auto v = Load(bytes, lim);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  if (!v.ok()) return nullptr;
  return NewRecordFromLoaded("k", *v, false, 0);
}

std::string ErrorOf(std::string_view bytes, const LoadLimits& lim = {}) {
  auto v = Load(bytes, lim);
  if (v.ok()) {
    DiscardValue(*v);
    return "";
  }
  return v.status().message();
}

// Whether the listpack at p is exactly `blob` (its own header gives its length).
bool SameListpack(const void* p, const std::string& blob) {
  const auto* lp = static_cast<const uint8_t*>(p);
  return lp::Bytes(lp) == blob.size() && std::memcmp(lp, blob.data(), blob.size()) == 0;
}

// ---- duplicate detection ----

// Random keys from a small alphabet, some written as integers, some as strings of digits (the same
// key either way), checked against a model of the keys' text. Both the few-keys and the many-keys
// sizes, with stride 1 (sets) and 2 (fields of pairs: duplicate values must not count).
TEST(RdbFastPathTest, DuplicateCheckMatchesAModel) {
  std::mt19937 rng(7);
  for (int round = 0; round < 3000; round++) {
    unsigned stride = 1 + round % 2;
    size_t keys = 1 + rng() % (round % 3 == 0 ? 80 : 12);
    RawListpack raw;
    std::set<std::string> seen;
    bool dup = false;
    for (size_t i = 0; i < keys; i++) {
      int v = static_cast<int>(rng() % (keys * 3)) - 5;
      std::string text = std::to_string(v);
      switch (rng() % 3) {
        case 0: raw.I(v); break;
        case 1: raw.S(text); break;
        default: text = "k" + text; raw.S(text); break;
      }
      dup |= !seen.insert(text).second;
      if (stride == 2) raw.S("same-value");
    }
    std::string blob = raw.Bytes();
    size_t entries = 0;
    ASSERT_TRUE(ValidListpack(blob, &entries));
    ASSERT_EQ(entries, keys * stride);
    DuplicateCheck check;
    const auto* lp = reinterpret_cast<const uint8_t*>(blob.data());
    size_t i = 0;
    for (const uint8_t* p = lp::First(lp); p; p = lp::Next(lp, p), i++) {
      if (i % stride == 0) check.Add(p);
    }
    EXPECT_EQ(check.Found(), dup)
        << "round " << round;
  }
}

// ---- sorted sets ----

TEST(RdbFastPathTest, ZsetListpackInOrderIsTakenAsItIs) {
  // Redis 7.0 writes non-integral scores with %.17g: 0.1 is "0.10000000000000001".
  // Members with equal scores are ordered by their bytes: "7" before "b".
  std::string blob = RawListpack().S("a").S("0.10000000000000001").I(7).I(2).S("b").I(2).Bytes();
  Record* r = LoadRecord(BlobValue(RDB_TYPE_ZSET_LISTPACK, blob));
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->encoding(), Encoding::kListpack);
  const auto* lp = static_cast<const uint8_t*>(r->ptr());
  ASSERT_EQ(lp::Bytes(lp), blob.size());
  EXPECT_TRUE(SameListpack(lp, blob));
  Zset z = Zset::Of(r);
  double score = 0;
  ASSERT_TRUE(z.Score("a", &score));
  EXPECT_EQ(score, 0.1);
  ASSERT_TRUE(z.Score("7", &score));
  EXPECT_EQ(score, 2);
  Record::Free(r);
}

// Whatever the fast path refuses loads as element by element would: the same members and scores,
// re-encoded in order.
TEST(RdbFastPathTest, ZsetListpackTheCheckRefusesStillLoadsOrFails) {
  // Out of order: loads, sorted.
  std::string unsorted = RawListpack().S("z").I(1).S("a").I(5).S("m").S("-2.5").Bytes();
  Record* r = LoadRecord(BlobValue(RDB_TYPE_ZSET_LISTPACK, unsorted));
  ASSERT_NE(r, nullptr);
  Zset z = Zset::Of(r);
  EXPECT_FALSE(SameListpack(r->ptr(), unsorted));
  std::vector<std::string> order;
  for (ZsetIter it = z.AtRank(0); it.Valid(); it.Next()) order.emplace_back(it.Member());
  EXPECT_EQ(order, (std::vector<std::string>{"m", "z", "a"}));
  Record::Free(r);

  // A score written with a '+', and one longer than the 127 bytes ListpackScore reads, go the slow
  // way and keep their values.
  std::string odd = RawListpack().S("p").S("+3").Bytes();
  r = LoadRecord(BlobValue(RDB_TYPE_ZSET_LISTPACK, odd));
  ASSERT_NE(r, nullptr);
  double score = 0;
  ASSERT_TRUE(Zset::Of(r).Score("p", &score));
  EXPECT_EQ(score, 3);
  Record::Free(r);
  uint8_t* l = lp::Append(lp::New(), "q");
  l = lp::Append(l, "2." + std::string(130, '0') + "1");
  std::string long_score(reinterpret_cast<const char*>(l), lp::Bytes(l));
  lp::Free(l);
  r = LoadRecord(BlobValue(RDB_TYPE_ZSET_LISTPACK, long_score));
  ASSERT_NE(r, nullptr);
  ASSERT_TRUE(Zset::Of(r).Score("q", &score));
  EXPECT_EQ(score, 2);
  EXPECT_LT(lp::Bytes(static_cast<const uint8_t*>(r->ptr())), long_score.size());  // re-encoded
  Record::Free(r);

  // Duplicates, including an integer member and the same digits as a string.
  EXPECT_EQ(ErrorOf(BlobValue(RDB_TYPE_ZSET_LISTPACK,
                              RawListpack().I(5).I(1).S("5").I(2).Bytes())),
            "bad zset: Duplicate zset fields detected at offset 24");
  // A NaN score.
  EXPECT_EQ(ErrorOf(BlobValue(RDB_TYPE_ZSET_LISTPACK, RawListpack().S("x").S("nan").Bytes())),
            "bad zset: bad zset score at offset 17");
  // An odd number of entries, and no entries.
  EXPECT_NE(ErrorOf(BlobValue(RDB_TYPE_ZSET_LISTPACK, RawListpack().S("x").Bytes())), "");
  EXPECT_NE(ErrorOf(BlobValue(RDB_TYPE_ZSET_LISTPACK, RawListpack().Bytes())), "");
}

TEST(RdbFastPathTest, ZsetListpackAboveTheLimitBecomesASkiplist) {
  RawListpack raw;
  for (int i = 0; i < 6; i++) raw.S("m" + std::to_string(i)).I(i);
  LoadLimits lim;
  lim.zset_max_listpack_entries = 5;
  Record* r = LoadRecord(BlobValue(RDB_TYPE_ZSET_LISTPACK, raw.Bytes()), lim);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->encoding(), Encoding::kSkiplist);
  EXPECT_EQ(Zset::Of(r).Length(), 6u);
  Record::Free(r);
}

// ---- hashes ----

TEST(RdbFastPathTest, HashListpackLoadsWholeWithRedisRules) {
  std::string big_value(60, 'v');
  uint8_t* l = lp::New();  // Redis's own encoding of each entry (12 as a 7-bit integer)
  for (std::string_view e : {std::string_view("f1"), std::string_view("v1"), std::string_view("12"),
                             std::string_view("x"), std::string_view("f2"), std::string_view(big_value)}) {
    l = lp::Append(l, e);
  }
  std::string blob(reinterpret_cast<const char*>(l), lp::Bytes(l));
  lp::Free(l);
  LoadLimits lim;
  lim.hash_max_listpack_value = 10;  // Redis converts a loaded listpack on its count only
  Record* r = LoadRecord(BlobValue(RDB_TYPE_HASH_LISTPACK, blob), lim);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->encoding(), Encoding::kListpack);
  HashRef h{r->encoding(), r->ptr()};
  EXPECT_EQ(HashLength(h), 3u);
  hpack::Scratch sc;
  std::string_view v;
  ASSERT_TRUE(HashGet(h, "12", &sc, &v));
  EXPECT_EQ(v, "x");
  ASSERT_TRUE(HashGet(h, "f2", &sc, &v));
  EXPECT_EQ(v, big_value);
  // Written back, the listpack is the same bytes.
  std::string back;
  HashToListpack(h, &back);
  EXPECT_EQ(back, blob);
  Record::Free(r);

  // A field as an integer and again as digits; duplicate VALUES are fine.
  EXPECT_EQ(ErrorOf(BlobValue(RDB_TYPE_HASH_LISTPACK,
                              RawListpack().I(12).S("a").S("12").S("b").Bytes())),
            "bad hash: Duplicate hash fields detected at offset 23");
  r = LoadRecord(BlobValue(RDB_TYPE_HASH_LISTPACK, RawListpack().S("a").S("v").S("b").S("v").Bytes()));
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(HashLength(HashRef{r->encoding(), r->ptr()}), 2u);
  Record::Free(r);
}

// ---- sets ----

TEST(RdbFastPathTest, IntsetWithinTheLimitIsTakenAsItIs) {
  // An int32-encoded intset of small values (what remains after removing a big member): kept as
  // it is, as Redis keeps it.
  uint8_t* is = intset::New();
  bool added;
  is = intset::Add(is, 100000, &added);
  for (int v : {-3, 5, 9}) is = intset::Add(is, v, &added);
  is = intset::Remove(is, 100000, &added);
  std::string blob(reinterpret_cast<const char*>(is), intset::Bytes(is));
  intset::Free(is);
  Record* r = LoadRecord(BlobValue(RDB_TYPE_SET_INTSET, blob));
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->encoding(), Encoding::kIntset);
  ASSERT_EQ(intset::Bytes(static_cast<const uint8_t*>(r->ptr())), blob.size());
  EXPECT_EQ(std::memcmp(r->ptr(), blob.data(), blob.size()), 0);
  Record::Free(r);

  LoadLimits lim;
  lim.set_max_intset_entries = 2;  // above the limit: member by member, as before
  r = LoadRecord(BlobValue(RDB_TYPE_SET_INTSET, blob), lim);
  ASSERT_NE(r, nullptr);
  EXPECT_NE(r->encoding(), Encoding::kIntset);
  EXPECT_EQ(SetValue::Of(r).Size(), 3u);
  Record::Free(r);
}

// ---- lists ----

std::vector<std::string> Elements(Record* r) {
  ListValue lv{r->encoding(), r->ptr()};
  std::vector<std::string> out;
  list::ForRange(&lv, 0, list::Length(lv), false, [&](std::string_view s) { out.emplace_back(s); });
  return out;
}

// The loaded list as a quicklist of `nodes` nodes whose invariants hold; null (and a failure) if
// it is not a quicklist.
const Quicklist* LoadedQuicklist(const Record* r, size_t nodes) {
  if (r == nullptr || r->encoding() != Encoding::kQuicklist) {
    ADD_FAILURE() << "not a quicklist";
    return nullptr;
  }
  const auto* q = static_cast<const Quicklist*>(r->ptr());
  EXPECT_EQ(q->NodeCount(), nodes);
  std::string why;
  EXPECT_TRUE(q->CheckInvariants(&why)) << why;
  return q;
}

TEST(RdbFastPathTest, QuicklistNodesWithinTheLimitsAreTakenWhole) {
  std::string n1 = RawListpack().S("a").I(1).S("b").Bytes();
  std::string n2 = RawListpack().I(2).S("c").Bytes();
  std::string empty = RawListpack().Bytes();
  std::vector<std::string> want = {"a", "1", "b", "2", "c"};

  // One node: a listpack, the same bytes.
  Record* r = LoadRecord(ListValueOfNodes({n1}));
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->encoding(), Encoding::kListpack);
  EXPECT_TRUE(SameListpack(r->ptr(), n1));
  Record::Free(r);

  // One node between half and all of the limits (3 entries, 4 per node): still a listpack, as
  // pushing its elements would have left it (the after-removal rule would keep a quicklist).
  LoadLimits four;
  four.list_max_listpack_size = 4;
  r = LoadRecord(ListValueOfNodes({n1}), four);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->encoding(), Encoding::kListpack);
  EXPECT_TRUE(SameListpack(r->ptr(), n1));
  Record::Free(r);

  // Two nodes and an empty one (skipped, as Redis does): a quicklist of the two, as they were.
  r = LoadRecord(ListValueOfNodes({n1, empty, n2}));
  ASSERT_NE(LoadedQuicklist(r, 2), nullptr);
  EXPECT_EQ(Elements(r), want);
  Record::Free(r);

  // Nodes too big for the current fill (2 entries per node): pushed element by element.
  LoadLimits lim;
  lim.list_max_listpack_size = 2;
  r = LoadRecord(ListValueOfNodes({n1, n2}), lim);
  ASSERT_NE(LoadedQuicklist(r, 3), nullptr);
  EXPECT_EQ(Elements(r), want);
  Record::Free(r);

  // Only empty nodes: the key is skipped (NotFound), as Redis skips an empty list.
  auto v = Load(ListValueOfNodes({empty, empty}));
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().message(), "empty list");
}

TEST(RdbFastPathTest, TakenNodesAreCompressedByDepth) {
  std::vector<std::string> nodes;
  std::vector<std::string> want;
  for (int n = 0; n < 5; n++) {
    RawListpack raw;
    for (int i = 0; i < 8; i++) {
      std::string s = "element-" + std::to_string(n) + "-" + std::string(20, 'x');
      raw.S(s);
      want.push_back(s);
    }
    nodes.push_back(raw.Bytes());
  }
  LoadLimits lim;
  lim.list_compress_depth = 1;
  Record* r = LoadRecord(ListValueOfNodes(nodes), lim);
  const Quicklist* q = LoadedQuicklist(r, 5);
  ASSERT_NE(q, nullptr);
  int compressed = 0;
  for (const QuicklistNode* n = q->head(); n; n = n->next) compressed += n->IsCompressed();
  EXPECT_EQ(compressed, 3);
  EXPECT_EQ(Elements(r), want);
  Record::Free(r);
}

}  // namespace
}  // namespace ember::rdb
