// Page release in a fork child. See dismiss.h for what is released and why it is safe.
//
// Pending range: Add() keeps one [pend_begin_, pend_end_) range; a new range that starts where the
// pending one ends (or ends where it begins) extends it, anything else first flushes it with one
// madvise(MADV_DONTNEED). Values allocated one after another (big strings loaded or written in
// sequence sit in adjacent extents) thus cost one syscall per run instead of one per value.
#include "persist/dismiss.h"

#include <sys/mman.h>
#include <sys/prctl.h>

#include <cstdlib>
#include <cstring>

#include "base/log.h"
#include "core/hash_value.h"
#include "core/set_value.h"
#include "core/zset_value.h"
#include "memory/alloc.h"
#include "sys/proc.h"
#include "types/quicklist.h"

namespace ember {

PageRange PageRangeInside(uintptr_t addr, size_t len, size_t page) {
  PageRange r;
  uintptr_t mask = page - 1;
  if (len < page || addr + len < addr) return r;  // too small, or wraps
  uintptr_t begin = (addr + mask) & ~mask;
  uintptr_t end = (addr + len) & ~mask;
  if (end > begin) {
    r.begin = begin;
    r.end = end;
  }
  return r;
}

ThpSetting ParseThpSetting(const char* text) {
  if (!text) return ThpSetting::kUnknown;
  if (strstr(text, "[always]")) return ThpSetting::kAlways;
  if (strstr(text, "[madvise]")) return ThpSetting::kMadvise;
  if (strstr(text, "[never]")) return ThpSetting::kNever;
  return ThpSetting::kUnknown;
}

bool DismissAllowed(ThpSetting thp, bool process_thp_disabled) {
  return thp != ThpSetting::kAlways || process_thp_disabled;
}

bool DismissAllowedHere() {
  const char* env = getenv("EMBER_CHILD_DISMISS");
  if (env && strcmp(env, "0") == 0) return false;
  char buf[128];
  ThpSetting thp = ThpSetting::kUnknown;
  if (sys::ReadSmallFile("/sys/kernel/mm/transparent_hugepage/enabled", buf, sizeof(buf)) > 0) {
    thp = ParseThpSetting(buf);
  }
  bool disabled = prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0) == 1;
  return DismissAllowed(thp, disabled);
}

PageDismisser::PageDismisser(bool enabled, size_t page_size)
    : enabled_(enabled), page_(page_size ? page_size : sys::SystemPageSize()) {}

void PageDismisser::Flush() {
  if (pend_end_ == pend_begin_) return;
  void* p = reinterpret_cast<void*>(pend_begin_);
  size_t n = pend_end_ - pend_begin_;
  pend_begin_ = pend_end_ = 0;
  calls_++;
  if (madvise(p, n, MADV_DONTNEED) == 0) bytes_ += n;
}

void PageDismisser::Add(PageRange r) {
  if (r.empty()) return;
  if (pend_end_ != pend_begin_) {
    if (r.begin == pend_end_) {
      pend_end_ = r.end;
      return;
    }
    if (r.end == pend_begin_) {
      pend_begin_ = r.begin;
      return;
    }
    Flush();
  }
  pend_begin_ = r.begin;
  pend_end_ = r.end;
}

void PageDismisser::Range(const void* p, size_t len) {
  if (!enabled_ || !p) return;
  Add(PageRangeInside(reinterpret_cast<uintptr_t>(p), len, page_));
}

void PageDismisser::Allocation(const void* p) {
  if (!enabled_ || !p) return;
  size_t usable = mem::UsableSize(p);
  if (usable < page_) return;
  Add(PageRangeInside(reinterpret_cast<uintptr_t>(p), usable, page_));
}

void PageDismisser::LogSummary(const char* what) const {
  if (!enabled_) {
    LOG_NOTICE("Fork child for %s: page release off", what);
    return;
  }
  LOG_NOTICE("Fork child for %s: released %llu MB of memory in %llu madvise calls", what,
             static_cast<unsigned long long>(bytes_ >> 20),
             static_cast<unsigned long long>(calls_));
}

namespace {
// Whether an aggregate's entries are worth visiting one by one: Redis walks them when the
// serialized size per element reaches the page size; half a page here, since an entry that big
// often spans one whole page.
bool EntriesBig(uint64_t serialized_bytes, size_t count, size_t page) {
  return count > 0 && serialized_bytes / count >= page / 2;
}
}  // namespace

void PageDismisser::ValueInner(ObjType type, Encoding enc, const void* ptr,
                               uint64_t serialized_bytes) {
  switch (enc) {
    case Encoding::kInt:
    case Encoding::kEmbstr: return;  // inside the record
    case Encoding::kRaw:             // RawString
    case Encoding::kListpack:        // listpack / hpack blob
    case Encoding::kIntset: Allocation(ptr); return;
    case Encoding::kQuicklist: {
      // Node structs (48 B) stay; only their buffers go. The next pointer is read from the node,
      // which is never released.
      const auto* ql = static_cast<const Quicklist*>(ptr);
      for (const QuicklistNode* n = ql->head(); n; n = n->next) Allocation(n->entry);
      return;
    }
    case Encoding::kHashtable: {
      auto tables = [&](const auto& t) {
        t.ForEachBucketArray([&](const void* b, size_t len) { Range(b, len); });
      };
      if (type == ObjType::kHash) {
        const HashDict* d = static_cast<const HashDict*>(ptr);
        if (EntriesBig(serialized_bytes, d->Size(), page_)) {
          d->ForEach([&](const HashEntry* e) { Allocation(e); });
        }
        tables(*d);
      } else if (type == ObjType::kSet) {
        const SetTable* t = static_cast<const SetTable*>(ptr);
        if (EntriesBig(serialized_bytes, t->Size(), page_)) {
          t->ForEach([&](const SetMember* m) { Allocation(m); });
        }
        tables(*t);
      }
      return;
    }
    case Encoding::kSkiplist: {
      // Nodes are found through the member table (whose buckets are read, never released before
      // the walk ends), not through the skiplist links inside the nodes being released.
      const auto* z = static_cast<const ZsetSkiplist*>(ptr);
      if (EntriesBig(serialized_bytes, z->dict.Size(), page_)) {
        z->dict.ForEach([&](const ZslNode* n) { Allocation(n); });
      }
      z->dict.ForEachBucketArray([&](const void* b, size_t len) { Range(b, len); });
      return;
    }
  }
}

void PageDismisser::Value(const Record* r, uint64_t serialized_bytes) {
  if (!enabled_) return;
  // int, embstr and inline listpacks live inside the record: no allocation of their own (ptr()
  // of an inline value points into the record, never to the start of a block).
  if (!r->has_external_value()) return;
  ValueInner(r->type(), r->encoding(), r->ptr(), serialized_bytes);
}

}  // namespace ember
