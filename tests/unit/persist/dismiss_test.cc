// Contracts of persist/dismiss.h: only whole pages inside an allocation are released; neighbours
// and the parent's data are never affected; a fork child that releases values while saving still
// writes a complete, correct snapshot; THP [always] turns release off.
#include "persist/dismiss.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "base/time.h"
#include "core/database.h"
#include "core/digest.h"
#include "core/hash_value.h"
#include "core/list_value.h"
#include "core/set_value.h"
#include "core/zset_value.h"
#include "memory/alloc.h"
#include "persist/aof/aof_rewrite.h"
#include "persist/rdb/rdb_reader.h"
#include "persist/rdb/rdb_snapshot.h"
#include "persist/rdb/rdb_writer.h"
#include "sys/proc.h"

namespace ember {
namespace {

constexpr size_t kPage = 4096;

// Reference model: the pages [k*page, (k+1)*page) with addr <= k*page and (k+1)*page <= addr+len.
PageRange SlowRange(uintptr_t addr, size_t len, size_t page) {
  uintptr_t first = 0, last = 0;
  bool any = false;
  for (uintptr_t k = addr / page; k * page < addr + len + page; k++) {
    if (k * page >= addr && (k + 1) * page <= addr + len) {
      if (!any) first = k * page;
      last = (k + 1) * page;
      any = true;
    }
  }
  PageRange r;
  if (any) {
    r.begin = first;
    r.end = last;
  }
  return r;
}

TEST(DismissPageRangeTest, WholePagesOnly) {
  // Aligned allocation of exactly one page: that page.
  PageRange r = PageRangeInside(0x10000, kPage, kPage);
  EXPECT_EQ(r.begin, 0x10000u);
  EXPECT_EQ(r.end, 0x11000u);
  // One byte short of a page, or one page starting one byte in: nothing.
  EXPECT_TRUE(PageRangeInside(0x10000, kPage - 1, kPage).empty());
  EXPECT_TRUE(PageRangeInside(0x10001, kPage, kPage).empty());
  // A 5 KB region straddling a boundary without holding a whole page: nothing.
  EXPECT_TRUE(PageRangeInside(0x10800, 5120, kPage).empty());
  // 0x10800 + 8192 = 0x12800: only the page 0x11000..0x12000 is whole.
  r = PageRangeInside(0x10800, 8192, kPage);
  EXPECT_EQ(r.begin, 0x11000u);
  EXPECT_EQ(r.end, 0x12000u);
  // Unaligned head and tail are kept.
  r = PageRangeInside(0x10010, 3 * kPage, kPage);
  EXPECT_EQ(r.begin, 0x11000u);
  EXPECT_EQ(r.end, 0x13000u);
  // Empty and wrapping ranges.
  EXPECT_TRUE(PageRangeInside(0x10000, 0, kPage).empty());
  EXPECT_TRUE(PageRangeInside(UINTPTR_MAX - 100, 2 * kPage, kPage).empty());
}

TEST(DismissPageRangeTest, MatchesReferenceModelRandomized) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20000; i++) {
    size_t page = size_t{1} << (9 + rng() % 5);  // 512 .. 8192
    uintptr_t addr = 0x100000 + rng() % (1 << 20);
    size_t len = rng() % (6 * page);
    PageRange a = PageRangeInside(addr, len, page);
    PageRange b = SlowRange(addr, len, page);
    ASSERT_EQ(a.empty(), b.empty()) << addr << " " << len << " " << page;
    if (!a.empty()) {
      ASSERT_EQ(a.begin, b.begin);
      ASSERT_EQ(a.end, b.end);
      ASSERT_EQ(a.begin % page, 0u);
      ASSERT_GE(a.begin, addr);
      ASSERT_LE(a.end, addr + len);
    }
  }
}

TEST(DismissThpTest, AlwaysDisablesUnlessTheProcessOptedOut) {
  EXPECT_EQ(ParseThpSetting("[always] madvise never\n"), ThpSetting::kAlways);
  EXPECT_EQ(ParseThpSetting("always [madvise] never\n"), ThpSetting::kMadvise);
  EXPECT_EQ(ParseThpSetting("always madvise [never]\n"), ThpSetting::kNever);
  EXPECT_EQ(ParseThpSetting("garbage"), ThpSetting::kUnknown);
  EXPECT_EQ(ParseThpSetting(nullptr), ThpSetting::kUnknown);
  EXPECT_FALSE(DismissAllowed(ThpSetting::kAlways, false));
  EXPECT_TRUE(DismissAllowed(ThpSetting::kAlways, true));
  EXPECT_TRUE(DismissAllowed(ThpSetting::kMadvise, false));
  EXPECT_TRUE(DismissAllowed(ThpSetting::kNever, false));
  EXPECT_TRUE(DismissAllowed(ThpSetting::kUnknown, false));
}

// In this process (the allocation is ours): the whole pages read back as zero, the unaligned head
// and tail and a neighbouring allocation keep their bytes.
TEST(PageDismisserTest, ReleasesWholePagesOfOneAllocationOnly) {
  size_t page = sys::SystemPageSize();
  char* a = static_cast<char*>(mem::Allocate(10 * page + 100));
  char* b = static_cast<char*>(mem::Allocate(10 * page + 100));
  size_t ua = mem::UsableSize(a), ub = mem::UsableSize(b);
  memset(a, 0xAB, ua);
  memset(b, 0xCD, ub);
  PageRange r = PageRangeInside(reinterpret_cast<uintptr_t>(a), ua, page);
  ASSERT_FALSE(r.empty());
  {
    PageDismisser off(false);
    off.Allocation(a);
    off.Flush();
    EXPECT_EQ(off.calls(), 0u);
    EXPECT_EQ(static_cast<uint8_t>(a[ua / 2]), 0xAB);
  }
  PageDismisser d(true);
  d.Allocation(a);
  d.Allocation(nullptr);
  d.Flush();
  EXPECT_EQ(d.calls(), 1u);
  EXPECT_EQ(d.bytes(), r.bytes());
  for (size_t i = 0; i < ua; i++) {
    uintptr_t p = reinterpret_cast<uintptr_t>(a + i);
    uint8_t want = (p >= r.begin && p < r.end) ? 0 : 0xAB;
    ASSERT_EQ(static_cast<uint8_t>(a[i]), want) << i;
  }
  for (size_t i = 0; i < ub; i++) ASSERT_EQ(static_cast<uint8_t>(b[i]), 0xCD) << i;
  mem::Free(a);
  mem::Free(b);
}

TEST(PageDismisserTest, SmallAllocationsCostNoSyscall) {
  PageDismisser d(true);
  std::vector<void*> v;
  // (4000 would get the 4096-byte class: one whole page, which is released.)
  for (size_t sz : {16, 100, 1000, 3000, 3500}) v.push_back(mem::Allocate(sz));
  for (void* p : v) {
    ASSERT_LT(mem::UsableSize(p), sys::SystemPageSize());
    memset(p, 1, mem::UsableSize(p));
    d.Allocation(p);
  }
  d.Flush();
  EXPECT_EQ(d.calls(), 0u);
  for (void* p : v) {
    EXPECT_EQ(static_cast<char*>(p)[0], 1);
    mem::Free(p);
  }
}

// Values that live inside their record (an inline zset listpack) have no allocation of their own:
// Value() must leave them alone (ptr() points into the record, not to a block's start).
TEST(PageDismisserTest, InlineValuesAreNeverTreatedAsAllocations) {
  Zset z = Zset::NewListpack();
  int out;
  for (int i = 0; i < 10; i++) z.Add(i, "member:" + std::to_string(i), 0, {}, &out, nullptr);
  Record* r = Record::New("zset:1", z.ToValueInit());
  ASSERT_TRUE(r->value_inline());
  std::string before = ValueDigest(r);
  PageDismisser d(true);
  d.Value(r, 4 * sys::SystemPageSize());  // as if the value were big in the output
  d.Flush();
  EXPECT_EQ(d.calls(), 0u);
  EXPECT_EQ(ValueDigest(r), before);
  Record::Free(r);
}

TEST(PageDismisserTest, AdjacentRangesMergeIntoOneCall) {
  size_t page = sys::SystemPageSize();
  char* a = static_cast<char*>(mem::Allocate(8 * page));
  memset(a, 7, 8 * page);
  char* base = reinterpret_cast<char*>(
      (reinterpret_cast<uintptr_t>(a) + page - 1) & ~(static_cast<uintptr_t>(page) - 1));
  PageDismisser d(true);
  d.Range(base + page, page);      // pages 1, 2, 0 in this order: one run
  d.Range(base + 2 * page, page);
  d.Range(base, page);
  d.Range(base + 4 * page, page);  // not adjacent: a second call
  d.Flush();
  EXPECT_EQ(d.calls(), 2u);
  EXPECT_EQ(d.bytes(), 4 * page);
  EXPECT_EQ(base[0], 0);
  EXPECT_EQ(base[3 * page], 7);
  EXPECT_EQ(base[4 * page], 0);
  mem::Free(a);
}

// ---- a fork child that releases values while saving ---------------------------------------------

std::string Big(char c, size_t n, int salt) {
  std::string s(n, c);
  for (size_t i = 0; i < n; i += 97) s[i] = static_cast<char>('a' + (i + salt) % 26);
  return s;
}

// Every encoding with big allocations, plus small keys between them.
void Fill(Database& db) {
  for (int i = 0; i < 40; i++) {
    db.Set("str:" + std::to_string(i), ValueInit::FromString(Big('s', 40000 + i * 100, i)));
    db.Set("small:" + std::to_string(i), ValueInit::FromString("v" + std::to_string(i)));
  }
  ListOptions lo;
  lo.fill = -2;
  ListValue lv = ListValue::NewListpack();
  for (int i = 0; i < 3000; i++) {
    std::string e = Big('l', 100, i);
    std::string_view ev = e;
    list::Push(&lv, QlEnd::kTail, std::span<const std::string_view>(&ev, 1), lo);
  }
  ASSERT_EQ(lv.enc, Encoding::kQuicklist);
  db.Set("list", ValueInit::Ptr(ObjType::kList, lv.enc, lv.ptr));

  HashLimits hl;
  HashRef h = NewHash();
  for (int i = 0; i < 30; i++) HashSet(&h, "f" + std::to_string(i), Big('h', 9000, i), hl);
  ASSERT_EQ(h.enc, Encoding::kHashtable);
  db.Set("hash:big", ValueInit::Ptr(ObjType::kHash, h.enc, h.ptr));
  HashRef h2 = NewHash();
  for (int i = 0; i < 20000; i++) HashSet(&h2, "f" + std::to_string(i), "v", hl);
  db.Set("hash:many", ValueInit::Ptr(ObjType::kHash, h2.enc, h2.ptr));

  SetLimits sl;
  SetValue s = SetValue::NewHashtable();
  for (int i = 0; i < 30; i++) s.Add(Big('m', 6000, i), sl);
  db.Set("set", s.ToValueInit());

  ZsetLimits zl;
  Zset z = Zset::NewListpack();
  int out = 0;
  for (int i = 0; i < 30; i++) z.Add(i * 1.5, Big('z', 7000, i), kZaddNone, zl, &out, nullptr);
  ASSERT_EQ(z.ToValueInit().encoding, Encoding::kSkiplist);
  db.Set("zset", z.ToValueInit());
}

std::vector<std::unique_ptr<Database>> MakeDbs(KeyspaceEnv* env) {
  std::vector<std::unique_ptr<Database>> dbs;
  for (int i = 0; i < 2; i++) dbs.push_back(std::make_unique<Database>(i, env));
  return dbs;
}

// Runs `job` in a fork child (which exits with its return value) and returns the exit code.
template <typename Fn>
int InChild(Fn job) {
  pid_t pid = fork();
  if (pid == 0) _exit(job());
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
}

class ChildDismissTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.now_ms = UnixMs();
    dbs_ = MakeDbs(&env_);
    Fill(*dbs_[0]);
    digest_ = DatasetDigest(dbs_);
    char tmpl[] = "/tmp/ember-dismiss-XXXXXX";
    int fd = mkstemp(tmpl);
    ASSERT_GE(fd, 0);
    close(fd);
    path_ = tmpl;
  }
  void TearDown() override { unlink(path_.c_str()); }
  std::string ReadFile() {
    std::string s;
    FILE* f = fopen(path_.c_str(), "rb");
    char buf[65536];
    size_t n;
    while (f && (n = fread(buf, 1, sizeof(buf), f)) > 0) s.append(buf, n);
    if (f) fclose(f);
    return s;
  }

  KeyspaceEnv env_;
  std::vector<std::unique_ptr<Database>> dbs_;
  std::string digest_;
  std::string path_;
};

TEST_F(ChildDismissTest, SnapshotIsCompleteAndTheParentKeepsItsData) {
  std::string raw_key = "str:7";
  int code = InChild([&]() -> int {
    SetHashTableResizePolicy(HashTableResizePolicy::kForbid);
    PageDismisser d(true);
    FILE* f = fopen(path_.c_str(), "wb");
    if (!f) return 2;
    rdb::FdSink sink(fileno(f));
    rdb::SaveOptions so;
    so.now_ms = env_.now_ms;
    so.dismiss = &d;
    Status st = rdb::SaveSnapshot(&sink, dbs_, so, nullptr);
    if (!st.ok()) return 3;
    fclose(f);
    // Released: well over half of the ~2 MB of big values.
    if (d.bytes() < 1500000) return 4;
    // The child's view of a released string is zero in the middle; small keys are intact.
    Record* r = dbs_[0]->Find(raw_key);
    if (!r) return 5;
    const char* p = r->as<RawString>()->data();
    if (p[20000] != 0) return 6;
    char buf[32];
    for (int i = 0; i < 40; i++) {
      Record* s = dbs_[0]->Find("small:" + std::to_string(i));
      if (!s || s->StringValue(buf) != "v" + std::to_string(i)) return 7;
    }
    return 0;
  });
  ASSERT_EQ(code, 0);
  // The parent still has every byte.
  EXPECT_EQ(DatasetDigest(dbs_), digest_);
  // The child's file holds the full dataset.
  std::string file = ReadFile();
  KeyspaceEnv env2;
  auto loaded = MakeDbs(&env2);
  rdb::MemorySource src(file);
  rdb::LoadOptions lo;
  lo.now_ms = env_.now_ms;
  rdb::LoadResult lr;
  Status st = rdb::LoadSnapshot(&src, loaded, lo, &lr);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(DatasetDigest(loaded), digest_);
}

TEST_F(ChildDismissTest, AofCommandsRewriteIsCompleteToo) {
  int code = InChild([&]() -> int {
    SetHashTableResizePolicy(HashTableResizePolicy::kForbid);
    PageDismisser d(true);
    aof::BaseWriteOptions o;
    o.rdb_preamble = false;
    o.incremental_fsync = false;
    o.now_ms = env_.now_ms;
    o.dismiss = &d;
    Status st = aof::WriteBaseFile(path_, dbs_, o, nullptr);
    if (!st.ok()) return 3;
    return d.bytes() >= 1500000 ? 0 : 4;
  });
  ASSERT_EQ(code, 0);
  EXPECT_EQ(DatasetDigest(dbs_), digest_);
  // Same bytes as a rewrite without release (the order of a hash table walk is deterministic).
  std::string with = ReadFile();
  aof::BaseWriteOptions o;
  o.rdb_preamble = false;
  o.incremental_fsync = false;
  o.now_ms = env_.now_ms;
  ASSERT_TRUE(aof::WriteBaseFile(path_, dbs_, o, nullptr).ok());
  EXPECT_EQ(ReadFile(), with);
}

}  // namespace
}  // namespace ember
