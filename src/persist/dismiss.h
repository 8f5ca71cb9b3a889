// Releasing memory a fork child no longer needs, to lower copy-on-write (Redis's dismissObject /
// dismissMemoryInChild).
//
// After fork() parent and child share every page. When the parent writes a shared page the kernel
// copies it, and the copy is charged to the fork: that is the copy-on-write (CoW) cost reported as
// rdb_last_cow_size. A child that saves the dataset reads each value exactly once; once a value is
// serialized the child can drop its mapping of the value's pages with madvise(MADV_DONTNEED):
//
//   - a page the parent has not written yet is then mapped by the parent only, so a later write
//     by the parent reuses it in place: no copy is ever made;
//   - a page the parent already wrote (the child holds the old, now private copy) is freed at once.
//
// Which pages. Only whole pages that lie entirely inside one live allocation's usable size
// [p, p + UsableSize(p)) are released: no other allocation and no allocator metadata shares them
// (jemalloc keeps slab and extent metadata outside the regions it hands out; glibc's chunk header
// sits before p and the next chunk's size field after the usable size). Allocations smaller than
// a page are skipped without a syscall, and a region that spans a page but contains no whole page
// (e.g. a 5 KB region that straddles two pages) costs no syscall either. Adjacent ranges (big
// allocations that sit back to back, which large extents often do) are merged into one madvise.
//
//      p                                                p + usable
//      |....[ page ][ page ][ page ]......|                |
//           ^ PageRangeInside(p, usable).begin          end ^ (both page-aligned)
//
// What is released, per encoding, after the record's value was written (Redis's choices; small
// allocations are never touched):
//   string raw                 the RawString allocation
//   list listpack / quicklist  the listpack blob / every node's buffer (listpack, LZ4 block, plain)
//   hash/set/zset listpack,    the blob
//     intset
//   hash/set hashtable         the bucket arrays; the entries too when they average >= half a page
//                              in the serialized form (otherwise walking them costs more than it saves)
//   zset skiplist              the member->node table's bucket arrays; the nodes when they average
//                              >= half a page (found through the table, never through the
//                              skiplist links, so no released node is read to find the next)
//   int / embstr / inline      nothing (they live in the record, which the keyspace table scan
//   listpacks, records         and the expire data may still read)
// Client buffers (query buffers, reply chunks) are released once, right after the fork: the child
// never reads them and the parent keeps writing them.
//
// Safety rules the callers follow: the child never reads a value again after dismissing it (a
// save visits each record once: the keyspace table does not rehash in the child); values are never
// shared between keys in Ember (COPY deep-copies, RENAME moves); nothing reads client buffers in the
// child; the sink copies or writes synchronously (no I/O is left in flight that points into a value).
// Only ever used in a fork child: in the parent it would destroy data.
//
// Transparent huge pages. With THP `[always]` (and not disabled for the process with
// PR_SET_THP_DISABLE, which `disable-thp yes` does at start-up) the heap may be backed by 2 MB
// pages; MADV_DONTNEED on a 4 KB range then splits the huge page in the child and, depending on the
// kernel, does not avoid the copy. Redis skips dismissal in that case and so does Ember
// (DismissAllowedHere()). With `[madvise]` or `[never]` jemalloc's data pages are 4 KB (Ember does not
// ask jemalloc for THP), so dismissal works.
//
// Switch for measurements: the environment variable EMBER_CHILD_DISMISS=0 disables dismissal (the
// server then behaves as before this feature); anything else, or unset, leaves it on.
//
// Thread safety: one dismisser per child, used by the child's only thread. No heap on any path.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/object.h"

namespace ember {

// The page-aligned part [begin, end) of the byte range [addr, addr + len): whole pages only.
// Empty (begin == end) when the range holds no whole page. page must be a power of two.
struct PageRange {
  uintptr_t begin = 0;
  uintptr_t end = 0;
  size_t bytes() const { return end - begin; }
  bool empty() const { return begin == end; }
};
PageRange PageRangeInside(uintptr_t addr, size_t len, size_t page);

// THP setting as /sys/kernel/mm/transparent_hugepage/enabled shows it ("always [madvise] never").
enum class ThpSetting { kUnknown, kAlways, kMadvise, kNever };
ThpSetting ParseThpSetting(const char* text);
// Whether releasing 4 KB ranges is worthwhile: not with THP [always] unless the process opted out.
bool DismissAllowed(ThpSetting thp, bool process_thp_disabled);
// The above for this process (reads /sys and prctl(PR_GET_THP_DISABLE), and EMBER_CHILD_DISMISS).
bool DismissAllowedHere();

class PageDismisser {
 public:
  // A disabled dismisser does nothing (no syscalls). page_size 0 = the system page size.
  explicit PageDismisser(bool enabled, size_t page_size = 0);
  ~PageDismisser() { Flush(); }
  PageDismisser(const PageDismisser&) = delete;
  PageDismisser& operator=(const PageDismisser&) = delete;

  bool enabled() const { return enabled_; }
  size_t page_size() const { return page_; }

  // Releases the whole pages inside the live allocation p (p from mem::Allocate & co; may be
  // null). Allocations smaller than a page cost nothing.
  void Allocation(const void* p);
  // Releases the whole pages inside [p, p + len), which the caller guarantees belong to one
  // allocation it will not read again.
  void Range(const void* p, size_t len);
  // After the value of `r` was written: releases the value's big allocations (see the table at the
  // top). `serialized_bytes` is what the value took in the output (Redis's size hint): aggregates
  // whose entries average less than half a page are not walked entry by entry.
  void Value(const Record* r, uint64_t serialized_bytes);
  // Issues the pending (merged) madvise. Call before a final CoW reading.
  void Flush();

  // Logs (NOTICE) what was released, or that release was off; `what` names the job ("RDB").
  void LogSummary(const char* what) const;

  // Bytes released and madvise calls made so far (after Flush).
  uint64_t bytes() const { return bytes_; }
  uint64_t calls() const { return calls_; }

 private:
  void Add(PageRange r);
  void ValueInner(ObjType type, Encoding enc, const void* ptr, uint64_t serialized_bytes);

  bool enabled_;
  size_t page_;
  uintptr_t pend_begin_ = 0;
  uintptr_t pend_end_ = 0;
  uint64_t bytes_ = 0;
  uint64_t calls_ = 0;
};

}  // namespace ember
