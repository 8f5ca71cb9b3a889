// List values: conversions and operations over the two encodings. See list_value.h.
#include "core/list_value.h"

#include <algorithm>

#include "base/assert.h"
#include "memory/alloc.h"

namespace ember {

// ---- ListCursor -----------------------------------------------------------------------------

ListCursor::ListCursor(ListValue* v, long index, bool reverse)
    : v_(v), reverse_(reverse), index_(index) {
  if (!v->IsListpack()) {
    it_.emplace(v->ql(), reverse ? QlDir::kBackward : QlDir::kForward, index);
  }
}

ListCursor::~ListCursor() = default;

bool ListCursor::Next() {
  if (v_->IsListpack()) {
    const uint8_t* l = v_->lp();
    if (!started_) {
      started_ = true;
      p_ = lp::Seek(l, index_);
    } else if (deleted_) {
      deleted_ = false;
      p_ = pending_;
    } else if (p_) {
      p_ = reverse_ ? lp::Prev(l, p_) : lp::Next(l, p_);
    }
    return p_ != nullptr;
  }
  if (!it_) return false;
  return it_->Next(&e_);
}

std::string_view ListCursor::Value() {
  if (v_->IsListpack()) return lp::GetString(p_, &scratch_);
  if (e_.IsInt()) return {ibuf_, Int64ToChars(e_.ival, ibuf_)};
  return e_.View();
}

bool ListCursor::Equals(std::string_view s) const {
  if (v_->IsListpack()) return lp::Equals(p_, s);
  return e_.Equals(s);
}

void ListCursor::Delete() {
  if (v_->IsListpack()) {
    const uint8_t* next = nullptr;
    uint8_t* l = lp::Delete(v_->lp(), p_, &next);
    v_->ptr = l;
    if (reverse_) {
      pending_ = next ? lp::Prev(l, next) : lp::Last(l);
    } else {
      pending_ = next;
    }
    deleted_ = true;
    p_ = nullptr;
    return;
  }
  it_->DelEntry(&e_);
}

void ListCursor::Insert(std::string_view s, bool after) {
  if (v_->IsListpack()) {
    uint8_t* l = v_->lp();
    if (after) {
      const uint8_t* nx = lp::Next(l, p_);
      l = lp::Insert(l, nx ? nx : lp::End(l), lp::Where::kBefore, s);
    } else {
      l = lp::Insert(l, p_, lp::Where::kBefore, s);
    }
    v_->ptr = l;
    p_ = nullptr;
    started_ = true;
    return;
  }
  v_->ql()->Insert(&*it_, e_, s, after);
  it_.reset();
}

// ---- operations -----------------------------------------------------------------------------

namespace list {

size_t Length(const ListValue& v) {
  if (v.IsListpack()) return lp::Length(v.lp());
  return v.ql()->Count();
}

void ConvertForAppend(ListValue* v, std::span<const std::string_view> items, const ListOptions& o) {
  if (!v->IsListpack()) return;
  size_t add_bytes = 0;
  for (auto s : items) add_bytes += s.size();
  uint8_t* l = v->lp();
  if (!ql::ListpackNeedsQuicklist(lp::Bytes(l), lp::Length(l), add_bytes, items.size(), o.fill)) {
    return;
  }
  auto* q = new Quicklist(o.fill, o.compress_depth);
  q->AppendListpack(l);  // frees an empty listpack
  v->ptr = q;
  v->enc = Encoding::kQuicklist;
}

void TryShrink(ListValue* v, const ListOptions& o, bool shrinking) {
  if (v->IsListpack()) return;
  Quicklist* q = v->ql();
  const QuicklistNode* h = q->head();
  if (!ql::QuicklistFitsListpack(q->NodeCount(), h && !h->IsPlain(), h ? h->sz : 0, q->Count(),
                                 o.fill, shrinking)) {
    return;
  }
  uint8_t* l = q->ReleaseAsListpack();
  delete q;
  v->ptr = l;
  v->enc = Encoding::kListpack;
}

void Push(ListValue* v, QlEnd where, std::span<const std::string_view> items,
          const ListOptions& o) {
  ConvertForAppend(v, items, o);
  if (v->IsListpack()) {
    uint8_t* l = v->lp();
    if (where == QlEnd::kTail) {
      l = items.size() == 1 ? lp::Append(l, items[0]) : lp::BatchAppend(l, items);
    } else {
      for (auto s : items) l = lp::Prepend(l, s);
    }
    v->ptr = l;
    return;
  }
  Quicklist* q = v->ql();
  for (auto s : items) q->Push(where, s);
}

bool Pop(ListValue* v, QlEnd where, std::string* out) {
  if (!v->IsListpack()) return v->ql()->Pop(where, out);
  uint8_t* l = v->lp();
  const uint8_t* p = where == QlEnd::kHead ? lp::First(l) : lp::Last(l);
  if (!p) return false;
  lp::Scratch sc;
  out->assign(lp::GetString(p, &sc));
  v->ptr = lp::Delete(l, p);
  return true;
}

bool Index(ListValue* v, long index, std::string* out) {
  if (!v->IsListpack()) return v->ql()->Index(index, out);
  const uint8_t* p = lp::Seek(v->lp(), index);
  if (!p) return false;
  lp::Scratch sc;
  out->assign(lp::GetString(p, &sc));
  return true;
}

bool Set(ListValue* v, long index, std::string_view s, const ListOptions& o) {
  std::string_view one[1] = {s};
  ConvertForAppend(v, one, o);
  if (v->IsListpack()) {
    uint8_t* l = v->lp();
    const uint8_t* p = lp::Seek(l, index);
    if (!p) return false;
    v->ptr = lp::Replace(l, &p, s);
  } else {
    if (!v->ql()->ReplaceAtIndex(index, s)) return false;
    TryShrink(v, o);
  }
  return true;
}

bool InsertAtPivot(ListValue* v, std::string_view pivot, std::string_view s, bool after,
                   const ListOptions& o) {
  std::string_view one[1] = {s};
  ConvertForAppend(v, one, o);
  ListCursor cur(v, 0, false);
  while (cur.Next()) {
    if (cur.Equals(pivot)) {
      cur.Insert(s, after);
      return true;
    }
  }
  return false;
}

void DelRange(ListValue* v, long start, size_t count) {
  if (count == 0) return;
  if (v->IsListpack()) {
    v->ptr = lp::DeleteRange(v->lp(), start, count);
  } else {
    v->ql()->DelRange(start, count);
  }
}

size_t Remove(ListValue* v, long count, std::string_view elem) {
  bool reverse = count < 0;
  size_t limit = count == 0 ? SIZE_MAX
                            : (count < 0 ? static_cast<size_t>(-(count + 1)) + 1
                                         : static_cast<size_t>(count));
  size_t removed = 0;
  ListCursor cur(v, reverse ? -1 : 0, reverse);
  while (cur.Next()) {
    if (cur.Equals(elem)) {
      cur.Delete();
      if (++removed == limit) break;
    }
  }
  return removed;
}

ListValue Dup(const ListValue& v) {
  if (v.IsListpack()) return {Encoding::kListpack, lp::Dup(v.lp())};
  return {Encoding::kQuicklist, new Quicklist(v.ql()->Dup())};
}

}  // namespace list

// ---- generic hooks --------------------------------------------------------------------------

void FreeListValue(Encoding enc, void* ptr) {
  if (!ptr) return;
  switch (enc) {
    case Encoding::kListpack: lp::Free(static_cast<uint8_t*>(ptr)); return;
    case Encoding::kQuicklist: delete static_cast<Quicklist*>(ptr); return;
    default: break;
  }
  EMBER_PANIC("FreeListValue: unknown list encoding %d", static_cast<int>(enc));
}

size_t ListFreeEffort(Encoding enc, const void* ptr) {
  if (enc == Encoding::kQuicklist && ptr) return static_cast<const Quicklist*>(ptr)->NodeCount();
  return 1;
}

void* DupListValue(Encoding enc, const void* ptr) {
  return list::Dup({enc, const_cast<void*>(ptr)}).ptr;
}

size_t ListValueMemory(Encoding enc, const void* ptr, size_t samples) {
  if (enc == Encoding::kListpack) return mem::UsableSize(const_cast<void*>(ptr));
  const auto* q = static_cast<const Quicklist*>(ptr);
  size_t total = mem::SizeClassOf(sizeof(Quicklist));
  size_t nodes = q->NodeCount();
  if (nodes == 0) return total;
  if (samples == 0) samples = SIZE_MAX;
  size_t seen = 0, bytes = 0;
  for (const QuicklistNode* n = q->head(); n && seen < samples; n = n->next, seen++) {
    bytes += kQuicklistNodeOverhead + mem::UsableSize(n->entry);
  }
  return total + static_cast<size_t>(static_cast<double>(bytes) / static_cast<double>(seen) *
                                     static_cast<double>(nodes));
}


}  // namespace ember
