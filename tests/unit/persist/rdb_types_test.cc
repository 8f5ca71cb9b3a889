// Round trips of every aggregate encoding through the RDB value layouts, with the encodings Redis
// would choose on load, and rejection of duplicate members and lying blobs.
#include <gtest/gtest.h>

#include "core/digest.h"
#include "core/hash_value.h"
#include "core/list_value.h"
#include "core/zset_value.h"
#include "persist/rdb/rdb_format.h"
#include "persist/rdb/rdb_object.h"
#include "persist/rdb/rdb_reader.h"
#include "persist/rdb/rdb_writer.h"

namespace ember::rdb {
namespace {

std::string SaveOne(const Record* r) {
  BufferSink sink;
  RdbWriter w(&sink, {true, true});
  EXPECT_TRUE(SaveTypedValue(w, r, RDB_VERSION).ok());
  return sink.Release();
}

Record* LoadOne(std::string_view bytes, const LoadLimits& lim = {}) {
  MemorySource src(bytes);
  RdbReader rd(&src);
  auto t = rd.LoadType();
  EXPECT_TRUE(t.ok());
  auto v = LoadValue(rd, *t, lim, "k");
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  if (!v.ok()) return nullptr;
  return NewRecordFromLoaded("k", *v, false, 0);
}

void ExpectSameDigest(const Record* a, const Record* b) {
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(a->type(), b->type());
  EXPECT_EQ(a->encoding(), b->encoding());
  EXPECT_EQ(ValueDigest(a), ValueDigest(b));
}

TEST(RdbTypesTest, ListsRoundTripInBothEncodings) {
  for (int n : {3, 2000}) {
    ListValue lv = ListValue::NewListpack();
    ListOptions o;
    for (int i = 0; i < n; i++) {
      std::string s = i % 3 ? "item:" + std::to_string(i) : std::to_string(i);
      std::string_view sv = s;
      list::Push(&lv, QlEnd::kTail, std::span<const std::string_view>(&sv, 1), o);
    }
    Record* a = Record::New("k", ValueInit::Ptr(ObjType::kList, lv.enc, lv.ptr));
    EXPECT_EQ(a->encoding(), n < 100 ? Encoding::kListpack : Encoding::kQuicklist);
    std::string bytes = SaveOne(a);
    EXPECT_EQ(static_cast<uint8_t>(bytes[0]), RDB_TYPE_LIST_QUICKLIST_2);
    Record* b = LoadOne(bytes);
    ExpectSameDigest(a, b);
    Record::Free(a);
    Record::Free(b);
  }
}

TEST(RdbTypesTest, HashesRoundTripInBothEncodings) {
  for (int n : {5, 1000}) {
    HashRef h = NewHash();
    for (int i = 0; i < n; i++) HashSet(&h, "f" + std::to_string(i), "v" + std::to_string(i), {});
    Record* a = Record::New("k", ValueInit::Ptr(ObjType::kHash, h.enc, h.ptr));
    std::string bytes = SaveOne(a);
    EXPECT_EQ(static_cast<uint8_t>(bytes[0]), n < 512 ? RDB_TYPE_HASH_LISTPACK : RDB_TYPE_HASH);
    Record* b = LoadOne(bytes);
    ExpectSameDigest(a, b);
    Record::Free(a);
    Record::Free(b);
  }
}

TEST(RdbTypesTest, ZsetsRoundTripInBothEncodings) {
  for (int n : {4, 500}) {
    Zset z = Zset::NewListpack();
    int out;
    for (int i = 0; i < n; i++) z.Add(i * 1.5 - 7, "m" + std::to_string(i), 0, {}, &out, nullptr);
    Record* a = Record::New("k", z.ToValueInit());
    std::string bytes = SaveOne(a);
    EXPECT_EQ(static_cast<uint8_t>(bytes[0]), n < 128 ? RDB_TYPE_ZSET_LISTPACK : RDB_TYPE_ZSET_2);
    Record* b = LoadOne(bytes);
    ExpectSameDigest(a, b);
    Record::Free(a);
    Record::Free(b);
  }
}

TEST(RdbTypesTest, LoadAppliesTheCurrentLimits) {
  HashRef h = NewHash();
  for (int i = 0; i < 20; i++) HashSet(&h, "f" + std::to_string(i), "v", {});
  Record* a = Record::New("k", ValueInit::Ptr(ObjType::kHash, h.enc, h.ptr));
  LoadLimits lim;
  lim.hash_max_listpack_entries = 10;
  Record* b = LoadOne(SaveOne(a), lim);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->encoding(), Encoding::kHashtable);
  EXPECT_EQ(ValueDigest(a), ValueDigest(b));
  Record::Free(a);
  Record::Free(b);
}

TEST(RdbTypesTest, DuplicatesAndCorruptBlobsAreRejected) {
  // A plain hash with the same field twice.
  BufferSink sink;
  RdbWriter w(&sink, {false, true});
  ASSERT_TRUE(w.SaveType(RDB_TYPE_HASH).ok());
  ASSERT_TRUE(w.SaveLen(2).ok());
  for (int i = 0; i < 2; i++) {
    ASSERT_TRUE(w.SaveString("f").ok());
    ASSERT_TRUE(w.SaveString("v").ok());
  }
  std::string dup = sink.Release();
  MemorySource src(dup);
  RdbReader rd(&src);
  auto t = rd.LoadType();
  EXPECT_FALSE(LoadValue(rd, *t, {}, "k").ok());
  // Every single-byte corruption of a listpack zset blob fails cleanly or loads a valid value.
  Zset z = Zset::NewListpack();
  int out;
  for (int i = 0; i < 5; i++) z.Add(i, "member" + std::to_string(i), 0, {}, &out, nullptr);
  Record* a = Record::New("k", z.ToValueInit());
  std::string good = SaveOne(a);
  for (size_t pos = 1; pos < good.size(); pos++) {
    for (uint8_t delta : {0x01, 0x80, 0xff}) {
      std::string bad = good;
      bad[pos] = static_cast<char>(bad[pos] ^ delta);
      MemorySource s2(bad);
      RdbReader r2(&s2);
      auto t2 = r2.LoadType();
      auto v = LoadValue(r2, *t2, {}, "k");
      if (v.ok()) DiscardValue(*v);
    }
  }
  Record::Free(a);
}

}  // namespace
}  // namespace ember::rdb

#include "core/set_value.h"

namespace ember::rdb {
namespace {

TEST(RdbTypesTest, SetsRoundTripInEveryEncoding) {
  struct Case {
    int n;
    bool ints;
    uint8_t type;
    Encoding enc;
  } cases[] = {{10, true, RDB_TYPE_SET_INTSET, Encoding::kIntset},
               {10, false, RDB_TYPE_SET, Encoding::kListpack},
               {1000, false, RDB_TYPE_SET, Encoding::kHashtable}};
  for (const Case& c : cases) {
    SetValue s = SetValue::NewIntset();
    SetLimits lim;
    for (int i = 0; i < c.n; i++) s.Add(c.ints ? std::to_string(i * 7) : "m" + std::to_string(i), lim);
    Record* a = Record::New("k", s.ToValueInit());
    EXPECT_EQ(a->encoding(), c.enc);
    std::string bytes = SaveOne(a);
    EXPECT_EQ(static_cast<uint8_t>(bytes[0]), c.type);
    Record* b = LoadOne(bytes);
    ExpectSameDigest(a, b);
    Record::Free(a);
    Record::Free(b);
  }
}


// A truncated plain set or hash names the offset once, where the read failed.
TEST(RdbTypesTest, TruncatedPlainValuesNameTheOffsetOnce) {
  for (uint8_t type : {RDB_TYPE_SET, RDB_TYPE_HASH}) {
    BufferSink sink;
    RdbWriter w(&sink, {false, true});
    ASSERT_TRUE(w.SaveType(type).ok());
    ASSERT_TRUE(w.SaveLen(2).ok());
    ASSERT_TRUE(w.SaveString("member-one").ok());
    ASSERT_TRUE(w.SaveString("value-one").ok());
    std::string bytes = sink.Release();
    bytes.resize(bytes.size() - 3);
    MemorySource src(bytes);
    RdbReader rd(&src);
    auto t = rd.LoadType();
    ASSERT_TRUE(t.ok());
    auto v = LoadValue(rd, *t, {}, "k");
    ASSERT_FALSE(v.ok());
    const std::string m = v.status().message();  // status() returns a copy
    size_t first = m.find("at offset");
    ASSERT_NE(first, std::string::npos) << m;
    EXPECT_EQ(m.find("at offset", first + 1), std::string::npos) << m;
  }
}

}  // namespace
}  // namespace ember::rdb
