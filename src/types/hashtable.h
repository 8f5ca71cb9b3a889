// HashTable: the cache-line bucketed open hash table behind the keyspace and large hash/set/zset values.
//
// Entries are pointer-sized opaque values (Traits::Entry, a pointer type) that embed their key; the
// table stores only the pointer, never a copy of the key, and never owns or frees an entry (Clear
// can call a destructor callback). Traits:
//
//   struct MyTraits {
//     using Entry = MyKey*;                                  // required, a pointer type
//     static std::string_view KeyOf(Entry e);                // required
//     static uint64_t Hash(std::string_view key);            // optional (default: HashBytes)
//     static bool Equal(std::string_view a, std::string_view b);   // optional (default: ==)
//     static bool ExpandAllowed(size_t bytes, double fill);  // optional: veto an automatic grow
//   };
//
// Bucket layout: exactly one 64-byte cache line, 7 slots.
//
//   byte  0       1 .. 7           8 .. 15   16 .. 23        56 .. 63
//        +------+----------------+---------+---------+ ... +---------+
//        | meta | tag0 .. tag6   | slot 0  | slot 1  |     | slot 6  |
//        +------+----------------+---------+---------+ ... +---------+
//   meta: bit i (i < 7) = slot i holds an entry; bit 7 = "chained": slot 6 is not an entry but a
//         pointer to a child bucket (same layout) that continues this bucket's chain.
//   tag i: the top 8 bits of the entry's hash. A lookup compares all 7 tags against its own with one
//         SSE2 compare and only dereferences entries whose tag matches (1/256 false-positive rate).
//
//   table:  [B0][B1][B2] ... [B(2^k - 1)]        bucket index = hash & (2^k - 1)
//                 |
//                 +--slot 6--> [child] --slot 6--> [child]   (only when a bucket overflows)
//
// An entry lives in the chain of bucket (hash & mask). Inserting into a full bucket allocates a
// child: the entry in slot 6 moves to the child's slot 0 and slot 6 becomes the child pointer.
// Deleting keeps chains compact (every bucket but the last is full; the last child is freed when
// it empties or folds back into its parent's slot 6 when it holds a single entry).
//
// Growth and memory per entry. The table grows (doubling) when Size() would exceed 6 per bucket
// (a fill of 6/7 = 86% of the slots) and shrinks when under 10% of the slots are used (to a fill
// of 21-43%). With a uniform hash the number of entries per bucket is close to Poisson, so at the
// maximum fill about 25% of buckets have a child. Table bytes per entry (buckets + children):
//     fill 43% (just after doubling) ~ 21.6 B;  fill 60% ~ 16.2 B;  fill 86% (before growing) ~ 13.5 B
//     average over a growth cycle (entries uniform between two doublings) ~ 16 B.
// Measured by the unit test (jemalloc, UsedMemory delta): 17.5 B/entry at 1M entries (fill 54%,
// 4% of buckets chained), 15.3 B/entry averaged over the 393K..786K growth cycle.
// Compare Redis 7.0's dict: 8-byte bucket pointer + 24-byte dictEntry = 32 B/entry at fill 1.0, plus
// the 8 B bucket slot per empty bucket. During incremental rehashing both tables exist (the old
// one shrinks to nothing as buckets move), so the transient peak is ~3x the buckets of the old table.
//
// Incremental rehashing. A resize allocates a second table and moves one non-empty bucket chain per
// Find/Insert/Delete (and more via RehashSteps / RehashMicroseconds from the server cron). Lookups
// search the old table (buckets not yet moved) and the new one; inserts go to the new one.
//
// Resize policy (process-wide, SetHashTableResizePolicy), because a fork child shares memory
// copy-on-write with the parent and every touched page gets copied:
//   kAllow  : normal.
//   kAvoid  : (a fork child exists) no rehash steps and no resizes, unless the fill is extreme: grow
//             only past 5x the slots (35 entries per bucket on average), shrink only under 2%, and
//             rehash steps run only for such a forced resize (tables differ by >= 5x in size).
//   kForbid : (inside the fork child) never resize or rehash; chains just grow.
// Expand() is an explicit request and ignores the policy.
//
// SCAN. Scan(cursor, fn) uses Redis's reverse-binary cursor: the cursor's bits are incremented from
// the top bit of the mask down, so the buckets already visited in a table of 2^k buckets map to
// buckets already visited in a table of 2^(k±j) buckets. Every entry present from the first to the
// last call is returned at least once, across grows, shrinks and incremental rehashing (some
// entries may be returned twice). Each call visits one full bucket chain (in both tables while
// rehashing: the small table's bucket and all the large table's buckets that expand from it).
//
// Thread safety: none; one thread owns a table. A fork child may read a table (Get, iterators, Scan)
// if the policy is kForbid (so nothing is written). Pointers returned by Find stay valid until the
// next non-const call on the table (any of them may move entries while rehashing or compacting).
//
// Complexity: Find/Insert/Delete O(1) expected (one cache line for the bucket, one per matching tag,
// plus one rehash step); Scan O(entries in the visited chains); RandomEntry O(1/fill) expected.
#pragma once

#include <emmintrin.h>

#include <algorithm>
#include <bit>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>
#include <utility>

#include "base/assert.h"
#include "base/hash.h"
#include "base/time.h"
#include "memory/alloc.h"

namespace ember {

enum class HashTableResizePolicy : uint8_t { kAllow = 0, kAvoid = 1, kForbid = 2 };

// Process-wide; the server sets kAvoid while a fork child exists, the child sets kForbid.
void SetHashTableResizePolicy(HashTableResizePolicy policy);

namespace hashtable_internal {
extern HashTableResizePolicy g_resize_policy;
// Fast thread-local PRNG for sampling (not cryptographic).
uint64_t Random64();

template <typename T>
concept HasHash = requires(std::string_view k) {
  { T::Hash(k) } -> std::convertible_to<uint64_t>;
};
template <typename T>
concept HasEqual = requires(std::string_view a, std::string_view b) {
  { T::Equal(a, b) } -> std::convertible_to<bool>;
};
template <typename T>
concept HasExpandAllowed = requires(size_t n, double f) {
  { T::ExpandAllowed(n, f) } -> std::convertible_to<bool>;
};
}  // namespace hashtable_internal

inline HashTableResizePolicy GetHashTableResizePolicy() {
  return hashtable_internal::g_resize_policy;
}

template <typename Traits>
class HashTable {
 public:
  using Entry = typename Traits::Entry;
  static_assert(std::is_pointer_v<Entry>, "HashTable entries must be pointers");

  static constexpr int kSlots = 7;
  static constexpr size_t kBucketBytes = 64;
  static constexpr size_t kMaxPerBucket = 6;      // grow past 6 entries per bucket (86% fill)
  static constexpr size_t kMinFillPercent = 10;   // shrink under 10% of slots used
  static constexpr size_t kForceResizeRatio = 5;  // kAvoid: only resize when 5x off

 private:
  struct Bucket;
  union Slot {
    Entry entry;
    Bucket* child;
  };
  struct alignas(64) Bucket {
    uint8_t meta;
    uint8_t tags[kSlots];
    Slot slots[kSlots];
  };
  static_assert(sizeof(Bucket) == kBucketBytes, "a bucket is one cache line");
  static constexpr uint8_t kPresentMask = 0x7f;
  static constexpr uint8_t kChainedBit = 0x80;
  static constexpr int kChildSlot = kSlots - 1;

  struct Table {
    Bucket* buckets = nullptr;
    size_t count = 0;  // number of buckets: 0 or a power of two
    size_t mask() const { return count - 1; }
  };

 public:
  // Where FindPositionForInsert found room; valid until the next non-const call except
  // InsertAtPosition with it.
  struct InsertPosition {
    Bucket* bucket = nullptr;
    int8_t slot = -1;  // -1: `bucket` is the full last bucket of its chain; a child is added
    uint8_t tag = 0;
  };
  // An existing entry found by FindForDelete; valid until the next non-const call except
  // DeleteAtPosition with it.
  struct Position {
    Bucket* head = nullptr;
    Bucket* bucket = nullptr;
    int slot = -1;
  };

  struct Stats {
    size_t size = 0;
    size_t buckets = 0;        // both tables
    size_t child_buckets = 0;
    size_t empty_buckets = 0;  // heads with no entry
    size_t max_chain = 0;      // longest chain, in buckets
    bool rehashing = false;
  };

  HashTable() = default;
  ~HashTable() { FreeAll(); }
  HashTable(const HashTable&) = delete;
  HashTable& operator=(const HashTable&) = delete;
  HashTable(HashTable&& o) noexcept { Swap(o); }
  HashTable& operator=(HashTable&& o) noexcept {
    if (this != &o) {
      FreeAll();
      Swap(o);
    }
    return *this;
  }

  static uint64_t HashKey(std::string_view key) {
    if constexpr (hashtable_internal::HasHash<Traits>) {
      return Traits::Hash(key);
    } else {
      return HashBytes(key);
    }
  }

  size_t Size() const { return size_; }
  bool Empty() const { return size_ == 0; }
  bool IsRehashing() const { return rehash_idx_ >= 0; }
  // Next old-table bucket to move (-1 when not rehashing); for diagnostics and tests.
  ptrdiff_t RehashIndex() const { return rehash_idx_; }
  size_t BucketCount() const { return t_[0].count + t_[1].count; }
  // Bytes owned by the table: bucket arrays and child buckets (each block is an exact jemalloc size
  // class: 64 * 2^k). Excludes sizeof(HashTable) (64 bytes) and the entries themselves.
  size_t MemoryUsage() const { return (t_[0].count + t_[1].count + children_) * kBucketBytes; }

  // ---- Lookup ----------------------------------------------------------------------------------

  // Returns the slot holding the entry with `key`, or null. The caller may overwrite *slot with
  // another entry with the same key (e.g. after reallocating the object). May do a rehash step.
  Entry* Find(std::string_view key) { return FindHashed(key, HashKey(key)); }
  Entry* FindHashed(std::string_view key, uint64_t hash) {
    if (size_ == 0) return nullptr;
    RehashStepOnOp();
    return Lookup(key, hash, nullptr);
  }
  // Read-only lookup: no rehash step, never writes (usable from a fork child). Null if absent.
  Entry Get(std::string_view key) const { return GetHashed(key, HashKey(key)); }
  Entry GetHashed(std::string_view key, uint64_t hash) const {
    if (size_ == 0) return nullptr;
    Entry* e = const_cast<HashTable*>(this)->Lookup(key, hash, nullptr);
    return e ? *e : nullptr;
  }
  // Brings the bucket(s) for `hash` into cache, for callers that hash a batch of keys first.
  void Prefetch(uint64_t hash) const {
    for (int t = 0; t < (IsRehashing() ? 2 : 1); t++) {
      if (t_[t].count) __builtin_prefetch(&t_[t].buckets[hash & t_[t].mask()]);
    }
  }

  // ---- Insert ----------------------------------------------------------------------------------

  // Phase one of an insert: hashes nothing (the caller passes the hash), grows the table if needed,
  // and looks for `key`. If it exists returns false and sets *existing (if given) to its slot.
  // Otherwise returns true and fills *pos; then call InsertAtPosition(*pos, entry) with an entry
  // whose key is `key`, with no other non-const call on the table in between.
  bool FindPositionForInsert(std::string_view key, uint64_t hash, InsertPosition* pos,
                             Entry** existing = nullptr) {
    RehashStepOnOp();
    if (!IsRehashing()) GrowIfNeeded(size_ + 1);
    if (size_ > 0) {
      if (Entry* e = Lookup(key, hash, nullptr)) {
        if (existing) *existing = e;
        return false;
      }
    }
    Table& t = t_[IsRehashing() ? 1 : 0];
    Bucket* b = &t.buckets[hash & t.mask()];
    pos->tag = TagOf(hash);
    for (;;) {
      uint32_t free_slots = ~b->meta & (IsChained(b) ? 0x3f : kPresentMask);
      if (free_slots) {
        pos->bucket = b;
        pos->slot = static_cast<int8_t>(std::countr_zero(free_slots));
        return true;
      }
      if (!IsChained(b)) {
        pos->bucket = b;
        pos->slot = -1;
        return true;
      }
      b = Child(b);
    }
  }
  bool FindPositionForInsert(std::string_view key, InsertPosition* pos, Entry** existing = nullptr) {
    return FindPositionForInsert(key, HashKey(key), pos, existing);
  }
  // Phase two: stores `entry` at `pos`. Never fails (a child bucket is allocated if needed).
  // Returns the slot, valid as Find's result is.
  Entry* InsertAtPosition(const InsertPosition& pos, Entry entry) {
    Bucket* b = pos.bucket;
    int s = pos.slot;
    if (s < 0) {
      b = AddChild(b);
      s = 1;
    }
    b->slots[s].entry = entry;
    b->tags[s] = pos.tag;
    b->meta |= static_cast<uint8_t>(1u << s);
    size_++;
    return &b->slots[s].entry;
  }
  // Inserts `entry` unless an entry with its key exists (then returns false and changes nothing).
  bool Insert(Entry entry) {
    std::string_view key = Traits::KeyOf(entry);
    InsertPosition pos;
    if (!FindPositionForInsert(key, HashKey(key), &pos)) return false;
    InsertAtPosition(pos, entry);
    return true;
  }

  // ---- Delete ----------------------------------------------------------------------------------

  // Removes the entry with `key` and returns it (null if absent). The entry is not freed.
  Entry Delete(std::string_view key) { return DeleteHashed(key, HashKey(key)); }
  Entry DeleteHashed(std::string_view key, uint64_t hash) {
    Position pos;
    Entry* e = FindForDelete(key, hash, &pos);
    return e ? DeleteAtPosition(pos) : nullptr;
  }
  // Two-phase delete (pop): returns the slot of `key` (null if absent) and fills *pos. The caller
  // may use the entry, then calls DeleteAtPosition(*pos) with no other non-const call in between.
  Entry* FindForDelete(std::string_view key, uint64_t hash, Position* pos) {
    if (size_ == 0) return nullptr;
    RehashStepOnOp();
    return Lookup(key, hash, pos);
  }
  Entry* FindForDelete(std::string_view key, Position* pos) {
    return FindForDelete(key, HashKey(key), pos);
  }
  // Removes the entry at `pos` and returns it (not freed). May compact the chain or start a shrink.
  Entry DeleteAtPosition(const Position& pos) {
    Entry e = pos.bucket->slots[pos.slot].entry;
    pos.bucket->meta &= static_cast<uint8_t>(~(1u << pos.slot));
    size_--;
    if (pause_ == 0) {
      if (IsChained(pos.head)) CompactChain(pos.head);
      if (size_ == 0) {
        FreeAll();
      } else if (!IsRehashing()) {
        ShrinkIfNeeded();
      }
    }
    return e;
  }

  // ---- Whole table -----------------------------------------------------------------------------

  // Frees all buckets; the entries are not touched. Not allowed while a safe iterator is alive.
  void Clear() {
    EMBER_CHECK(pause_ == 0);
    FreeAll();
  }
  // Calls destroy(entry) for every entry, then frees all buckets.
  template <typename Fn>
  void Clear(Fn&& destroy) {
    EMBER_CHECK(pause_ == 0);
    for (int t = 0; t < 2; t++) {
      for (size_t i = 0; i < t_[t].count; i++) {
        for (Bucket* b = &t_[t].buckets[i];; b = Child(b)) {
          for (uint32_t m = b->meta & kPresentMask; m; m &= m - 1) {
            destroy(b->slots[std::countr_zero(m)].entry);
          }
          if (!IsChained(b)) break;
        }
      }
    }
    FreeAll();
  }
  void Swap(HashTable& o) noexcept {
    std::swap(t_, o.t_);
    std::swap(size_, o.size_);
    std::swap(children_, o.children_);
    std::swap(rehash_idx_, o.rehash_idx_);
    std::swap(pause_, o.pause_);
  }
  // Pre-sizes for `n` entries (RDB RESIZEDB, bulk loads). An empty table is allocated at once;
  // otherwise a rehash to the new size starts. Returns false if rehashing already or the table is
  // already big enough. Ignores the resize policy (it is an explicit request).
  bool Expand(size_t n) {
    if (IsRehashing()) return false;
    size_t target = BucketsFor(n);
    if (target <= t_[0].count) return false;
    StartResize(target);
    return true;
  }
  // Starts a shrink if the table is under the minimum fill (the server cron calls this for tables
  // that only see lookups). Returns true if a resize started.
  bool ShrinkIfNeeded() {
    if (IsRehashing() || t_[0].count <= 1) return false;
    HashTableResizePolicy p = GetHashTableResizePolicy();
    if (p == HashTableResizePolicy::kForbid) return false;
    size_t slots = t_[0].count * kSlots;
    size_t scaled = size_ * 100 * (p == HashTableResizePolicy::kAvoid ? kForceResizeRatio : 1);
    if (scaled >= slots * kMinFillPercent) return false;
    size_t target = std::bit_ceil(std::max<size_t>(1, (size_ + 2) / 3));
    if (target >= t_[0].count) return false;
    StartResize(target);
    return true;
  }

  // ---- Rehashing -------------------------------------------------------------------------------

  // Moves up to n non-empty bucket chains (visiting at most 10n empty buckets). Returns true while
  // a rehash is still in progress. Does nothing if the policy or a safe iterator forbids it.
  bool RehashSteps(size_t n) {
    if (IsRehashing() && RehashAllowed()) DoRehash(n);
    return IsRehashing();
  }
  // Rehashes in batches of 100 chains for about `us` microseconds. Returns chains moved.
  size_t RehashMicroseconds(int64_t us) {
    if (!IsRehashing() || !RehashAllowed()) return 0;
    int64_t start = MonotonicUs();
    size_t moved = 0;
    while (IsRehashing()) {
      moved += DoRehash(100);
      if (MonotonicUs() - start >= us) break;
    }
    return moved;
  }

  // ---- Scan ------------------------------------------------------------------------------------

  // Calls fn(entry) for the entries of the chain(s) at `cursor` and returns the next cursor (0 when
  // the scan is complete). Start with cursor 0. Guarantee: see the file comment. fn receives an
  // Entry& and may replace the entry with another one with the same key; it must not insert or
  // delete. Never rehashes.
  template <typename Fn>
  size_t Scan(size_t cursor, Fn&& fn) {
    if (size_ == 0) return 0;
    size_t v = cursor;
    if (!IsRehashing()) {
      size_t m0 = t_[0].mask();
      VisitChain(&t_[0].buckets[v & m0], fn);
      return NextCursor(v, m0);
    }
    const Table* small = &t_[0];
    const Table* large = &t_[1];
    if (small->count > large->count) std::swap(small, large);
    size_t m0 = small->mask(), m1 = large->mask();
    VisitChain(&small->buckets[v & m0], fn);
    // Visit every bucket of the large table that expands from the small table's bucket.
    do {
      VisitChain(&large->buckets[v & m1], fn);
      v = NextCursor(v, m1);
    } while (v & (m0 ^ m1));
    return v;
  }

  // ---- Sampling --------------------------------------------------------------------------------

  // A random entry, or null when empty. Buckets are drawn uniformly and accepted with probability
  // (entries in chain)/7, so entries in buckets of up to 7 are equally likely; entries in longer
  // chains are slightly under-sampled. Expected work O(1/fill). May do a rehash step.
  Entry RandomEntry() {
    if (size_ == 0) return nullptr;
    RehashStepOnOp();
    for (int attempt = 0;; attempt++) {
      uint64_t r = hashtable_internal::Random64();
      Bucket* head;
      if (IsRehashing()) {
        size_t old_left = t_[0].count - static_cast<size_t>(rehash_idx_);
        size_t i = r % (old_left + t_[1].count);
        head = i < old_left ? &t_[0].buckets[rehash_idx_ + i] : &t_[1].buckets[i - old_left];
      } else {
        head = &t_[0].buckets[r & t_[0].mask()];
      }
      size_t n = ChainSize(head);
      if (n == 0) continue;
      uint64_t r2 = hashtable_internal::Random64();
      if (n < static_cast<size_t>(kSlots) && attempt < 64 && (r2 >> 32) % kSlots >= n) continue;
      size_t k = (r2 & 0xffffffff) % n;
      for (Bucket* b = head;; b = Child(b)) {
        for (uint32_t m = b->meta & kPresentMask; m; m &= m - 1) {
          if (k-- == 0) return b->slots[std::countr_zero(m)].entry;
        }
      }
    }
  }
  static constexpr size_t kMaxSampleChain = 64;  // entries of one chain SampleEntries considers
  // Fills out[0..] with up to n distinct entries from consecutive bucket chains starting at a
  // random bucket (both tables while rehashing), like Redis's dictGetSomeKeys: bounded work
  // (at most 10n bucket visits), not uniformly random; within a bucket chain the entries are taken
  // from a random position, so every slot (and overflow bucket) is sampled alike. Returns how many were stored.
  // A walk that jumped (after a run of empty buckets, or over the moved part of the old table) or
  // went all the way round may meet a chain twice; its result is then sorted and deduplicated
  // (Redis's function returns the duplicates). A walk that found nothing falls back to
  // RandomEntry(), so the result is never empty for a table that is not.
  size_t SampleEntries(size_t n, Entry* out) {
    if (size_ == 0 || n == 0) return 0;
    n = std::min(n, size_);
    for (size_t j = 0; j < n && IsRehashing(); j++) RehashStepOnOp();
    int tables = IsRehashing() ? 2 : 1;
    size_t maxmask = t_[0].mask();
    if (tables == 2) maxmask = std::max(maxmask, t_[1].mask());
    size_t steps = n * 10;
    size_t i = hashtable_internal::Random64() & maxmask;
    uint64_t rnd = hashtable_internal::Random64();
    size_t empty_run = 0, stored = 0, walked = 0;
    bool revisits = false;
    auto finish = [&] {
      if (stored == 0) {
        // All 10n buckets visited were empty (a sparse table, small n): one entry the slow way,
        // so a caller never gets nothing from a table that has entries.
        out[stored++] = RandomEntry();
      }
      if (revisits && stored > 1) {
        std::sort(out, out + stored);
        stored = static_cast<size_t>(std::unique(out, out + stored) - out);
      }
      return stored;
    };
    while (stored < n && steps--) {
      for (int t = 0; t < tables; t++) {
        if (tables == 2 && t == 0 && i < static_cast<size_t>(rehash_idx_)) {
          // Old-table buckets below the rehash index are empty; if the new table is smaller
          // than i, jump ahead to the first unmoved bucket.
          if (i >= t_[1].count) {
            i = static_cast<size_t>(rehash_idx_);
            revisits = true;  // the walk may now wrap round to buckets it saw before the jump
          } else {
            continue;
          }
        }
        if (i >= t_[t].count) continue;
        Bucket* head = &t_[t].buckets[i];
        if (head->meta == 0) {
          empty_run++;
          if (empty_run >= 5 && empty_run > n) {
            i = hashtable_internal::Random64() & maxmask;
            empty_run = 0;
            revisits = true;
          }
          continue;
        }
        empty_run = 0;
        // Take the chain's entries from a random position on (cyclically): inserts reuse the
        // lowest free slot and overflow goes to child buckets, so a walk that always began at the
        // head's slot 0 would keep sampling (and evicting) the same positions and almost never
        // the keys parked in high slots or children.
        Entry chain[kMaxSampleChain];
        size_t cn = 0;
        for (Bucket* b = head; cn < kMaxSampleChain; b = Child(b)) {
          for (uint32_t m = b->meta & kPresentMask; m && cn < kMaxSampleChain; m &= m - 1) {
            chain[cn++] = b->slots[std::countr_zero(m)].entry;
          }
          if (!IsChained(b)) break;
        }
        if (cn == 0) continue;  // a chain whose head was emptied by deletions
        size_t first = static_cast<size_t>(rnd % cn);
        rnd = hashtable_internal::Random64();
        size_t take = std::min(cn, n - stored);
        for (size_t j = 0; j < take; j++) out[stored++] = chain[(first + j) % cn];
        if (stored == n) return finish();
      }
      i = (i + 1) & maxmask;
      if (++walked > maxmask) revisits = true;  // went all the way round
    }
    return finish();
  }

  // ---- Iteration -------------------------------------------------------------------------------

  // Iterator over all entries (old table from the rehash index, then the new table).
  //  - Safe (MakeSafeIterator): pauses rehash steps and chain compaction while alive. The caller may
  //    delete the entry last returned (or earlier ones) and insert (new entries may or may not be
  //    returned); it must not delete entries not yet returned.
  //  - Plain (MakeIterator): the table must not be modified at all while it is alive (checked by a
  //    fingerprint when the iterator is destroyed; a mismatch panics).
  // Each entry present for the whole iteration is returned exactly once.
  class Iterator {
   public:
    Iterator(Iterator&& o) noexcept { *this = std::move(o); }
    Iterator& operator=(Iterator&& o) noexcept {
      std::swap(ht_, o.ht_);
      std::swap(safe_, o.safe_);
      std::swap(table_, o.table_);
      std::swap(cursor_, o.cursor_);
      std::swap(next_bucket_, o.next_bucket_);
      std::swap(n_, o.n_);
      std::swap(pos_, o.pos_);
      std::swap(fingerprint_, o.fingerprint_);
      std::memcpy(buf_, o.buf_, sizeof(buf_));
      return *this;
    }
    Iterator(const Iterator&) = delete;
    Iterator& operator=(const Iterator&) = delete;
    ~Iterator() {
      if (!ht_) return;
      if (safe_) {
        ht_->pause_--;
      } else if (ht_->Fingerprint() != fingerprint_) {
        EMBER_PANIC("hashtable modified during plain iteration (size %zu)", ht_->size_);
      }
    }
    // Stores the next entry in *out; false when done.
    bool Next(Entry* out) {
      while (pos_ == n_) {
        if (next_bucket_) {
          Load(next_bucket_);
          continue;
        }
        const Table* t = &ht_->t_[table_];
        if (table_ == 0 && ht_->IsRehashing() && cursor_ < static_cast<size_t>(ht_->rehash_idx_)) {
          cursor_ = static_cast<size_t>(ht_->rehash_idx_);
        }
        if (cursor_ >= t->count) {
          if (table_ == 1 || !ht_->IsRehashing()) return false;
          table_ = 1;
          cursor_ = 0;
          continue;
        }
        Load(&t->buckets[cursor_++]);
      }
      *out = buf_[pos_++];
      return true;
    }

   private:
    friend class HashTable;
    Iterator(HashTable* ht, bool safe) : ht_(ht), safe_(safe) {
      if (safe_) {
        ht_->pause_++;
      } else {
        fingerprint_ = ht_->Fingerprint();
      }
    }
    // Copies the bucket's entries, so moves within a chain (slot 6 to a new child) cannot make an
    // entry appear twice, and remembers the child as of now.
    void Load(Bucket* b) {
      n_ = 0;
      pos_ = 0;
      for (uint32_t m = b->meta & kPresentMask; m; m &= m - 1) {
        buf_[n_++] = b->slots[std::countr_zero(m)].entry;
      }
      next_bucket_ = IsChained(b) ? Child(b) : nullptr;
    }

    HashTable* ht_ = nullptr;
    bool safe_ = false;
    int table_ = 0;
    size_t cursor_ = 0;
    Bucket* next_bucket_ = nullptr;
    int n_ = 0, pos_ = 0;
    uint64_t fingerprint_ = 0;
    Entry buf_[kSlots];
  };
  Iterator MakeIterator() { return Iterator(this, false); }
  Iterator MakeSafeIterator() { return Iterator(this, true); }

  // Calls fn(entry) for every entry (a plain iteration: fn must not modify the table).
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (int t = 0; t < (IsRehashing() ? 2 : 1); t++) {
      for (size_t i = 0; i < t_[t].count; i++) VisitChain(&t_[t].buckets[i], fn);
    }
  }

  // Calls fn(const void* buckets, size_t bytes) for each bucket array (one, two while rehashing);
  // child buckets are not included. For a fork child that releases pages it has finished reading
  // (persist/dismiss.h).
  template <typename Fn>
  void ForEachBucketArray(Fn&& fn) const {
    for (int t = 0; t < 2; t++) {
      if (t_[t].count) fn(static_cast<const void*>(t_[t].buckets), t_[t].count * kBucketBytes);
    }
  }

  // ---- Diagnostics -----------------------------------------------------------------------------

  Stats GetStats() const {
    Stats s;
    s.size = size_;
    s.child_buckets = children_;
    s.rehashing = IsRehashing();
    for (int t = 0; t < 2; t++) {
      s.buckets += t_[t].count;
      for (size_t i = 0; i < t_[t].count; i++) {
        size_t len = 1;
        const Bucket* b = &t_[t].buckets[i];
        if (b->meta == 0) s.empty_buckets++;
        while (IsChained(b)) {
          b = Child(b);
          len++;
        }
        s.max_chain = std::max(s.max_chain, len);
      }
    }
    return s;
  }
  // Checks every structural invariant (entry count, child count, tags, placement, moved buckets
  // empty); panics on a violation. O(n); for tests.
  void Verify() const {
    size_t n = 0, children = 0;
    for (int t = 0; t < 2; t++) {
      for (size_t i = 0; i < t_[t].count; i++) {
        const Bucket* b = &t_[t].buckets[i];
        if (t == 0 && IsRehashing() && i < static_cast<size_t>(rehash_idx_)) {
          EMBER_CHECK(b->meta == 0);
          continue;
        }
        for (;; b = Child(b)) {
          if (IsChained(b)) EMBER_CHECK((b->meta & (1u << kChildSlot)) == 0);
          for (uint32_t m = b->meta & kPresentMask; m; m &= m - 1) {
            int s = std::countr_zero(m);
            uint64_t h = HashKey(Traits::KeyOf(b->slots[s].entry));
            EMBER_CHECK(b->tags[s] == TagOf(h));
            EMBER_CHECK((h & t_[t].mask()) == i);
            n++;
          }
          if (!IsChained(b)) break;
          children++;
        }
      }
      if (!IsRehashing()) break;
    }
    EMBER_CHECK(n == size_);
    EMBER_CHECK(children == children_);
  }

 private:
  static uint8_t TagOf(uint64_t hash) { return static_cast<uint8_t>(hash >> 56); }
  static bool IsChained(const Bucket* b) { return b->meta & kChainedBit; }
  static Bucket* Child(const Bucket* b) { return b->slots[kChildSlot].child; }
  static bool KeyEquals(std::string_view a, std::string_view b) {
    if constexpr (hashtable_internal::HasEqual<Traits>) {
      return Traits::Equal(a, b);
    } else {
      return a == b;
    }
  }
  // Bit i set when slot i holds an entry whose tag equals `tag`. One SSE2 compare over meta+tags.
  static uint32_t MatchTags(const Bucket* b, uint8_t tag) {
    __m128i v = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(b));
    __m128i eq = _mm_cmpeq_epi8(v, _mm_set1_epi8(static_cast<char>(tag)));
    return (static_cast<uint32_t>(_mm_movemask_epi8(eq)) >> 1) & b->meta & kPresentMask;
  }
  // Reverse-binary increment of the cursor's bits under `mask`.
  static size_t NextCursor(size_t v, size_t mask) {
    v |= ~mask;
    v = ReverseBits(v);
    v++;
    return ReverseBits(v);
  }
  static size_t ReverseBits(size_t v) {
    static_assert(sizeof(size_t) == 8);
    v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
    v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
    v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((v & 0x0F0F0F0F0F0F0F0FULL) << 4);
    return __builtin_bswap64(v);
  }
  static size_t BucketsFor(size_t n) {
    return std::bit_ceil(std::max<size_t>(1, (n + kMaxPerBucket - 1) / kMaxPerBucket));
  }
  static size_t ChainSize(const Bucket* b) {
    size_t n = 0;
    for (;; b = Child(b)) {
      n += std::popcount(static_cast<unsigned>(b->meta & kPresentMask));
      if (!IsChained(b)) return n;
    }
  }
  template <typename Fn>
  static void VisitChain(Bucket* b, Fn& fn) {
    for (;; b = Child(b)) {
      for (uint32_t m = b->meta & kPresentMask; m; m &= m - 1) {
        fn(b->slots[std::countr_zero(m)].entry);
      }
      if (!IsChained(b)) return;
    }
  }

  Entry* Lookup(std::string_view key, uint64_t hash, Position* pos) {
    uint8_t tag = TagOf(hash);
    for (int t = 0; t < 2; t++) {
      const Table& tab = t_[t];
      if (tab.count == 0) break;
      size_t idx = hash & tab.mask();
      if (t == 0 && IsRehashing() && idx < static_cast<size_t>(rehash_idx_)) continue;
      Bucket* head = &tab.buckets[idx];
      for (Bucket* b = head;; b = Child(b)) {
        for (uint32_t m = MatchTags(b, tag); m; m &= m - 1) {
          int s = std::countr_zero(m);
          if (KeyEquals(Traits::KeyOf(b->slots[s].entry), key)) {
            if (pos) *pos = Position{head, b, s};
            return &b->slots[s].entry;
          }
        }
        if (!IsChained(b)) break;
      }
      if (!IsRehashing()) break;
    }
    return nullptr;
  }

  static Bucket* NewBuckets(size_t count) {
    // Big arrays purge their pages at free (memory/alloc.h): a finished rehash returns the old
    // array to the OS at once.
    return static_cast<Bucket*>(mem::AllocateLargeZeroed(count * kBucketBytes, kBucketBytes));
  }
  // Makes full bucket b (7 entries, not chained) chained; returns the child, whose slot 0 holds
  // the entry that was in b's slot 6 and whose slot 1 is free.
  Bucket* AddChild(Bucket* b) {
    Bucket* c = NewBuckets(1);
    children_++;
    c->slots[0] = b->slots[kChildSlot];
    c->tags[0] = b->tags[kChildSlot];
    c->meta = 1;
    b->slots[kChildSlot].child = c;
    b->meta = static_cast<uint8_t>((b->meta & ~(1u << kChildSlot)) | kChainedBit);
    return c;
  }
  void FreeChild(Bucket* c) {
    mem::Free(c);
    children_--;
  }
  // Puts (tag, entry) into the first free slot of the chain at `head`.
  void Place(Bucket* b, uint8_t tag, Entry e) {
    for (;;) {
      uint32_t free_slots = ~b->meta & (IsChained(b) ? 0x3f : kPresentMask);
      if (free_slots) {
        int s = std::countr_zero(free_slots);
        b->slots[s].entry = e;
        b->tags[s] = tag;
        b->meta |= static_cast<uint8_t>(1u << s);
        return;
      }
      if (!IsChained(b)) {
        Bucket* c = AddChild(b);
        c->slots[1].entry = e;
        c->tags[1] = tag;
        c->meta |= 2;
        return;
      }
      b = Child(b);
    }
  }
  // Restores "every bucket but the last is full, and the last child holds >= 2 entries" after
  // deletions. Each round moves one entry or frees one child; normally one or two rounds.
  void CompactChain(Bucket* head) {
    while (IsChained(head)) {
      Bucket* parent = head;
      Bucket* last = Child(head);
      while (IsChained(last)) {
        parent = last;
        last = Child(last);
      }
      uint32_t last_mask = last->meta & kPresentMask;
      if (last_mask == 0) {
        FreeChild(last);
        parent->meta &= static_cast<uint8_t>(~kChainedBit);
        continue;
      }
      Bucket* hole_bucket = head;
      uint32_t holes = 0;
      for (; hole_bucket != last; hole_bucket = Child(hole_bucket)) {
        holes = ~hole_bucket->meta & 0x3f;
        if (holes) break;
      }
      if (hole_bucket != last) {
        int src = 31 - std::countl_zero(last_mask);
        int dst = std::countr_zero(holes);
        hole_bucket->slots[dst] = last->slots[src];
        hole_bucket->tags[dst] = last->tags[src];
        hole_bucket->meta |= static_cast<uint8_t>(1u << dst);
        last->meta &= static_cast<uint8_t>(~(1u << src));
        continue;
      }
      if (std::popcount(last_mask) == 1) {
        int src = std::countr_zero(last_mask);
        Entry e = last->slots[src].entry;
        uint8_t tag = last->tags[src];
        FreeChild(last);
        parent->slots[kChildSlot].entry = e;
        parent->tags[kChildSlot] = tag;
        parent->meta = static_cast<uint8_t>((parent->meta & ~kChainedBit) | (1u << kChildSlot));
      }
      return;
    }
  }

  bool RehashAllowed() const {
    if (pause_ != 0) return false;
    HashTableResizePolicy p = GetHashTableResizePolicy();
    if (p == HashTableResizePolicy::kAllow) return true;
    if (p == HashTableResizePolicy::kForbid) return false;
    size_t a = t_[0].count, b = t_[1].count;
    return (a > b ? a / b : b / a) >= kForceResizeRatio;
  }
  void RehashStepOnOp() {
    if (IsRehashing() && RehashAllowed()) DoRehash(1);
  }
  // Moves up to n non-empty chains from the old table; returns how many moved.
  size_t DoRehash(size_t n) {
    size_t empty_visits = n * 10;
    size_t moved = 0;
    while (n > 0 && IsRehashing()) {
      size_t idx = static_cast<size_t>(rehash_idx_);
      size_t count = t_[0].count;
      while (idx < count && t_[0].buckets[idx].meta == 0 && empty_visits > 0) {
        idx++;
        empty_visits--;
      }
      bool out_of_budget = false;
      if (idx < count && t_[0].buckets[idx].meta != 0) {
        MoveChain(&t_[0].buckets[idx]);
        idx++;
        moved++;
        n--;
      } else if (idx < count) {
        out_of_budget = true;
      }
      rehash_idx_ = static_cast<ptrdiff_t>(idx);
      if (idx >= count) {
        FinishRehash();
      } else if (out_of_budget) {
        break;
      }
    }
    return moved;
  }
  void MoveChain(Bucket* head) {
    Table& dst = t_[1];
    for (Bucket* b = head;;) {
      uint32_t present = b->meta & kPresentMask;
      for (uint32_t m = present; m; m &= m - 1) __builtin_prefetch(b->slots[std::countr_zero(m)].entry);
      for (uint32_t m = present; m; m &= m - 1) {
        Entry e = b->slots[std::countr_zero(m)].entry;
        uint64_t h = HashKey(Traits::KeyOf(e));
        Place(&dst.buckets[h & dst.mask()], TagOf(h), e);
      }
      bool chained = IsChained(b);
      Bucket* next = chained ? Child(b) : nullptr;
      if (b != head) FreeChild(b);
      if (!chained) break;
      b = next;
    }
    head->meta = 0;
  }
  void FinishRehash() {
    mem::Free(t_[0].buckets);
    t_[0] = t_[1];
    t_[1] = Table{};
    rehash_idx_ = -1;
  }
  void StartResize(size_t count) {
    if (t_[0].count == 0 || (size_ == 0 && pause_ == 0)) {
      FreeAll();
      t_[0].buckets = NewBuckets(count);
      t_[0].count = count;
      return;
    }
    t_[1].buckets = NewBuckets(count);
    t_[1].count = count;
    rehash_idx_ = 0;
  }
  void GrowIfNeeded(size_t n) {
    if (t_[0].count == 0) {
      StartResize(BucketsFor(n));
      return;
    }
    if (n <= t_[0].count * kMaxPerBucket) return;
    HashTableResizePolicy p = GetHashTableResizePolicy();
    if (p == HashTableResizePolicy::kForbid) return;
    if (p == HashTableResizePolicy::kAvoid && n <= t_[0].count * kSlots * kForceResizeRatio) return;
    size_t target = BucketsFor(n);
    if constexpr (hashtable_internal::HasExpandAllowed<Traits>) {
      double fill = static_cast<double>(n) / static_cast<double>(t_[0].count * kSlots);
      if (!Traits::ExpandAllowed(target * kBucketBytes, fill)) return;
    }
    StartResize(target);
  }
  void FreeAll() {
    for (int t = 0; t < 2; t++) {
      if (!t_[t].buckets) continue;
      if (children_ > 0) {
        for (size_t i = 0; i < t_[t].count; i++) {
          Bucket* b = &t_[t].buckets[i];
          if (!IsChained(b)) continue;
          for (Bucket* c = Child(b);;) {
            Bucket* next = IsChained(c) ? Child(c) : nullptr;
            FreeChild(c);
            if (!next) break;
            c = next;
          }
        }
      }
      mem::Free(t_[t].buckets);
      t_[t] = Table{};
    }
    size_ = 0;
    rehash_idx_ = -1;
  }
  uint64_t Fingerprint() const {
    uint64_t parts[7] = {reinterpret_cast<uintptr_t>(t_[0].buckets), t_[0].count,
                         reinterpret_cast<uintptr_t>(t_[1].buckets), t_[1].count,
                         size_, children_, static_cast<uint64_t>(rehash_idx_)};
    uint64_t h = 0;
    for (uint64_t p : parts) h = (h ^ p) * 0x100000001b3ULL + (h >> 29);
    return h;
  }

  Table t_[2];
  size_t size_ = 0;
  size_t children_ = 0;
  ptrdiff_t rehash_idx_ = -1;  // next old-table bucket to move; -1 when not rehashing
  uint32_t pause_ = 0;         // live safe iterators: no rehash steps, no chain compaction
};

}  // namespace ember
