// List values: the data part of the list type (encodings, conversions, operations), independent of
// replies and sockets. Commands are in src/commands/list_family.cc.
//
// Encodings (Redis 7.2):
//
//   kListpack   the record points straight at a listpack blob (types/listpack.h), no wrapper:
//               <u32 bytes><u16 count> entry entry ... 0xFF
//   kQuicklist  the record points at a Quicklist (types/quicklist.h): listpack / PLAIN nodes, interior
//               nodes LZ4-compressed when list-compress-depth > 0
//
// Conversions, with the server's list-max-listpack-size (`fill`) at the time of the change:
//   listpack -> quicklist  before adding elements, when listpack bytes + the added strings' lengths
//                          or the element count would pass one quicklist node's limit
//                          (ql::ListpackNeedsQuicklist, Redis's listTypeTryConvertListpack);
//   quicklist -> listpack  after removing elements, when the list is one PACKED node within HALF the
//                          limits (Redis's listTypeTryConvertQuicklist with shrinking), so a list at
//                          the boundary does not flip on every push/pop.
//
// Per-element cost: a listpack entry (2 B for 0..127, len+2 for strings up to 63 bytes, see
// listpack.h) plus, for a listpack list, 7 bytes per list and allocator rounding of the blob. A
// quicklist adds its 40-byte object and 48 bytes per node (each node holds up to 8 KB of entries
// at the default fill -2, so ~0.6% for short strings), less whatever LZ4 saves on interior nodes.
//
// Ownership: a ListValue is a (encoding, pointer) pair borrowed from a record; operations may
// replace the pointer or the encoding (the caller writes them back: Record::set_ptr/set_encoding).
// Strings handed to callbacks point into the list (or a cursor's scratch) and are valid until the
// cursor moves or the list changes. Not thread-safe; read-only walks are fork-child safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/strutil.h"
#include "core/object.h"
#include "types/listpack.h"
#include "types/quicklist.h"

namespace ember {

struct ListOptions {
  int fill = ql::kDefaultFill;  // list-max-listpack-size
  int compress_depth = 0;       // list-compress-depth
};

struct ListValue {
  Encoding enc = Encoding::kListpack;
  void* ptr = nullptr;

  static ListValue NewListpack() { return {Encoding::kListpack, lp::New()}; }
  bool IsListpack() const { return enc == Encoding::kListpack; }
  uint8_t* lp() const { return static_cast<uint8_t*>(ptr); }
  Quicklist* ql() const { return static_cast<Quicklist*>(ptr); }
};

// Walks a list from an index in one direction; can delete or read the current element, or
// insert next to it. One cursor at a time per list; the list may change only through it.
class ListCursor {
 public:
  // index: start position (negative counts from the tail); reverse walks towards the head.
  ListCursor(ListValue* v, long index, bool reverse);
  ~ListCursor();
  ListCursor(const ListCursor&) = delete;
  ListCursor& operator=(const ListCursor&) = delete;

  // Moves to the next element (the first call lands on `index`). False at the end.
  bool Next();
  // The current element's text (integers formatted into the cursor's scratch).
  std::string_view Value();
  // Whether the current element equals s as text (Redis's lpCompare).
  bool Equals(std::string_view s) const;
  // Deletes the current element; Next() continues with the one after it in the walk direction.
  void Delete();
  // Inserts s before/after the current element. The cursor is finished afterwards.
  void Insert(std::string_view s, bool after);

 private:
  ListValue* v_;
  bool reverse_;
  long index_;
  // listpack
  const uint8_t* p_ = nullptr;
  const uint8_t* pending_ = nullptr;  // after Delete: the element Next() must return
  bool started_ = false;
  bool deleted_ = false;
  lp::Scratch scratch_;
  // quicklist
  std::optional<Quicklist::Iterator> it_;
  QuicklistEntry e_;
  char ibuf_[24];
};

namespace list {

size_t Length(const ListValue& v);

// Growth conversion for adding `items` (Redis's listTypeTryConversionAppend); no-op for quicklists.
void ConvertForAppend(ListValue* v, std::span<const std::string_view> items, const ListOptions& o);
// Shrink conversion after removals (quicklist of one small PACKED node -> listpack): within half
// the limits when `shrinking` (so a list at the boundary does not flip), else within the limits
// (what a list built by pushes would be: the RDB loader's rule).
void TryShrink(ListValue* v, const ListOptions& o, bool shrinking = true);

// Pushes items one by one at `where` (so LPUSH a b c leaves c b a), converting first if needed.
void Push(ListValue* v, QlEnd where, std::span<const std::string_view> items, const ListOptions& o);
// Removes the head/tail element into *out. False when empty. No shrink conversion (call TryShrink).
bool Pop(ListValue* v, QlEnd where, std::string* out);
// Element at index (negative from the tail) into *out; false when out of range.
bool Index(ListValue* v, long index, std::string* out);
// LSET: growth conversion (even if the index turns out to be out of range, as Redis), replace,
// then shrink conversion. False when out of range.
bool Set(ListValue* v, long index, std::string_view s, const ListOptions& o);
// LINSERT: growth conversion, then inserts s before/after the first element equal to pivot.
// False when the pivot is missing.
bool InsertAtPivot(ListValue* v, std::string_view pivot, std::string_view s, bool after,
                   const ListOptions& o);
// Deletes count elements from index start (negative from the tail).
void DelRange(ListValue* v, long start, size_t count);
// LREM: removes up to |count| elements equal to elem from the head (count > 0) or tail (count < 0);
// count 0 removes all. Returns how many were removed.
size_t Remove(ListValue* v, long count, std::string_view elem);

// Calls fn(std::string_view) for n elements from absolute index `from` (0 <= from < length),
// towards the tail, or towards the head when reverse.
template <typename Fn>
void ForRange(ListValue* v, long from, size_t n, bool reverse, Fn&& fn) {
  if (n == 0) return;
  if (v->IsListpack()) {
    const uint8_t* l = v->lp();
    const uint8_t* p = lp::Seek(l, from);
    lp::Scratch sc;
    while (p && n--) {
      fn(lp::GetString(p, &sc));
      p = reverse ? lp::Prev(l, p) : lp::Next(l, p);
    }
    return;
  }
  Quicklist::Iterator it(v->ql(), reverse ? QlDir::kBackward : QlDir::kForward, from);
  QuicklistEntry e;
  char buf[24];
  while (n-- && it.Next(&e)) {
    if (e.IsInt()) {
      fn(std::string_view(buf, Int64ToChars(e.ival, buf)));
    } else {
      fn(e.View());
    }
  }
}

// Deep copy (COPY). Same encoding.
ListValue Dup(const ListValue& v);

}  // namespace list

// Hooks used by the generic value code (core/value_free.cc, MEMORY USAGE, lazy free, COPY).
void FreeListValue(Encoding enc, void* ptr);
// Redis's lazy-free effort: the quicklist node count, 1 for a listpack.
size_t ListFreeEffort(Encoding enc, const void* ptr);
void* DupListValue(Encoding enc, const void* ptr);
// MEMORY USAGE of the value, as Redis's objectComputeSize: a listpack's allocation; for a
// quicklist its object plus the average of the first `samples` nodes (0 = all) times the node count.
size_t ListValueMemory(Encoding enc, const void* ptr, size_t samples);

}  // namespace ember
