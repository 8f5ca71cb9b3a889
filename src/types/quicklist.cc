// quicklist implementation (overview in quicklist.h).
//
// Node placement follows Redis so node boundaries (and so RDB node blobs) match:
//  - push: into the end node if AllowInsert (node bytes + element length + 8 within the fill limit),
//    else a new end node;
//  - insert before/after an entry: into its node if it has room; at a node edge, into the
//    neighbouring node if that has room, else into a fresh node; otherwise the node is split at the
//    entry, the element goes to the front/back of the new half, and MergeNodes tries to merge the
//    nodes around the split with their neighbours when the merged size fits;
//  - delete never merges; a node that becomes empty is unlinked.
//
// Compression (depth N): Compress(node) walks N nodes in from each end making them raw, then
// compresses `node` (if it lies deeper) and the two nodes just past the window. Readers decompress a
// node "for use" (marking it recompress) and RecompressOnly() it when done. If the list is shorter
// than 2N every node is raw.
#include "types/quicklist.h"

#include <lz4.h>

#include <algorithm>
#include <cstring>
#include <new>

#include "base/assert.h"
#include "base/strutil.h"
#include "memory/alloc.h"

namespace ember {

// ---------------------------------------------------------------------------------------------
// Limits and pure decision helpers

namespace ql {
namespace {
constexpr size_t kOptimizationLevel[] = {4096, 8192, 16384, 32768, 65536};
size_t g_packed_threshold = kDefaultPackedThreshold;
}  // namespace

void NodeLimit(int fill, size_t* size_limit, size_t* count_limit) {
  *size_limit = SIZE_MAX;
  *count_limit = SIZE_MAX;
  if (fill >= 0) {
    *count_limit = fill == 0 ? 1 : static_cast<size_t>(fill);  // at least one entry per node
  } else {
    size_t offset = static_cast<size_t>(-(fill + 1));
    constexpr size_t kLevels = sizeof(kOptimizationLevel) / sizeof(kOptimizationLevel[0]);
    if (offset >= kLevels) offset = kLevels - 1;
    *size_limit = kOptimizationLevel[offset];
  }
}

bool NodeExceedsLimit(int fill, size_t new_sz, size_t new_count) {
  size_t size_limit, count_limit;
  NodeLimit(fill, &size_limit, &count_limit);
  if (size_limit != SIZE_MAX) return new_sz > size_limit;
  if (new_sz > kSizeSafetyLimit) return true;  // count-limited nodes still stay under 8 KB
  return new_count > count_limit;
}

bool QuicklistFitsListpack(size_t node_count, bool single_node_packed, size_t node_bytes,
                           size_t count, int fill, bool shrinking) {
  if (node_count != 1 || !single_node_packed) return false;
  size_t size_limit, count_limit;
  NodeLimit(fill, &size_limit, &count_limit);
  if (shrinking) {
    size_limit /= 2;
    count_limit /= 2;
  }
  return node_bytes <= size_limit && count <= count_limit;
}

bool SetPackedThreshold(size_t sz) {
  if (sz > (size_t{1} << 32) - (size_t{1} << 20)) return false;
  g_packed_threshold = sz == 0 ? kDefaultPackedThreshold : sz;
  return true;
}

size_t PackedThreshold() { return g_packed_threshold; }
}  // namespace ql

std::string QuicklistEntry::ToString() const {
  return IsInt() ? Int64ToString(ival) : std::string(View());
}

bool QuicklistEntry::Equals(std::string_view s) const {
  if (!IsInt()) return View() == s;
  int64_t v;
  return ParseInt64(s, &v) && v == ival;
}

namespace {
inline uint32_t ReadU32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline void WriteU32(uint8_t* p, uint32_t v) { std::memcpy(p, &v, 4); }
}  // namespace

// ---------------------------------------------------------------------------------------------
// Lifetime

Quicklist::Quicklist(int fill, int compress_depth) { SetOptions(fill, compress_depth); }

Quicklist::~Quicklist() {
  Node* n = head_;
  while (n) {
    Node* next = n->next;
    FreeNode(n);
    n = next;
  }
}

Quicklist::Quicklist(Quicklist&& o) noexcept
    : head_(o.head_), tail_(o.tail_), count_(o.count_), len_(o.len_), fill_(o.fill_),
      depth_(o.depth_) {
  o.head_ = o.tail_ = nullptr;
  o.count_ = o.len_ = 0;
}

Quicklist& Quicklist::operator=(Quicklist&& o) noexcept {
  if (this != &o) {
    this->~Quicklist();
    new (this) Quicklist(std::move(o));
  }
  return *this;
}

Quicklist Quicklist::Dup() const {
  Quicklist copy(fill_, depth_);
  for (const Node* n = head_; n; n = n->next) {
    Node* c = new Node(*n);
    size_t bytes = n->IsCompressed() ? 4 + size_t{ReadU32(n->entry)} : n->sz;
    c->entry = static_cast<uint8_t*>(mem::Allocate(bytes));
    std::memcpy(c->entry, n->entry, bytes);
    c->prev = copy.tail_;
    c->next = nullptr;
    if (copy.tail_) {
      copy.tail_->next = c;
    } else {
      copy.head_ = c;
    }
    copy.tail_ = c;
  }
  copy.len_ = len_;
  copy.count_ = count_;
  return copy;
}

void Quicklist::SetOptions(int fill, int compress_depth) {
  fill_ = fill > ql::kFillMax ? ql::kFillMax : (fill < ql::kFillMin ? ql::kFillMin : fill);
  depth_ = compress_depth > ql::kCompressMax ? ql::kCompressMax
                                             : (compress_depth < 0 ? 0 : compress_depth);
}

size_t Quicklist::Bytes() const {
  size_t total = 0;
  for (const Node* n = head_; n; n = n->next) total += n->sz;
  return total;
}

size_t Quicklist::AllocatedBytes() const {
  size_t total = mem::SizeClassOf(sizeof(Quicklist));
  for (const Node* n = head_; n; n = n->next)
    total += mem::SizeClassOf(sizeof(Node)) + mem::UsableSize(n->entry);
  return total;
}

// ---------------------------------------------------------------------------------------------
// Nodes

QuicklistNode* Quicklist::NewPackedNode() {
  Node* n = new Node();
  n->entry = lp::New();
  n->sz = lp::kEmptyBytes;
  return n;
}

QuicklistNode* Quicklist::NewPlainNode(std::string_view v) {
  Node* n = new Node();
  n->container = Node::kPlain;
  n->entry = static_cast<uint8_t*>(mem::Allocate(v.size() ? v.size() : 1));
  if (!v.empty()) std::memcpy(n->entry, v.data(), v.size());
  n->sz = v.size();
  n->count = 1;
  return n;
}

void Quicklist::FreeNode(Node* n) {
  mem::Free(n->entry);
  delete n;
}

void Quicklist::InsertNode(Node* old_node, Node* new_node, bool after) {
  if (after) {
    new_node->prev = old_node;
    if (old_node) {
      new_node->next = old_node->next;
      if (old_node->next) old_node->next->prev = new_node;
      old_node->next = new_node;
    }
    if (tail_ == old_node) tail_ = new_node;
  } else {
    new_node->next = old_node;
    if (old_node) {
      new_node->prev = old_node->prev;
      if (old_node->prev) old_node->prev->next = new_node;
      old_node->prev = new_node;
    }
    if (head_ == old_node) head_ = new_node;
  }
  if (len_ == 0) head_ = tail_ = new_node;
  len_++;  // before compressing, so the window is computed on the new length
  if (old_node) Compress(old_node);
  Compress(new_node);
}

void Quicklist::DelNode(Node* n) {
  if (n->next) n->next->prev = n->prev;
  if (n->prev) n->prev->next = n->next;
  if (n == tail_) tail_ = n->prev;
  if (n == head_) head_ = n->next;
  len_--;
  count_ -= n->count;
  FreeNode(n);
  Compress(nullptr);
}

bool Quicklist::DelIndex(Node* n, const uint8_t** p) {
  if (n->IsPlain()) {
    DelNode(n);
    return true;
  }
  n->entry = lp::Delete(n->entry, *p, p);
  n->count--;
  bool gone = false;
  if (n->count == 0) {
    gone = true;
    DelNode(n);
  } else {
    UpdateSz(n);
  }
  count_--;
  return gone;
}

bool Quicklist::AllowInsert(const Node* n, size_t sz) const {
  if (!n || n->IsPlain() || ql::IsLargeElement(sz)) return false;
  // Overestimates the entry's size (Redis's SIZE_ESTIMATE_OVERHEAD).
  return !ql::NodeExceedsLimit(fill_, n->sz + sz + ql::kSizeEstimateOverhead, n->count + 1);
}

bool Quicklist::AllowMerge(const Node* a, const Node* b) const {
  if (!a || !b || a->IsPlain() || b->IsPlain()) return false;
  // One listpack header and terminator go away in the merge.
  size_t merge_sz = a->sz + b->sz - lp::kEmptyBytes;
  return !ql::NodeExceedsLimit(fill_, merge_sz, size_t{a->count} + b->count);
}

// Splits n (raw) at offset. after: n keeps [0, offset], the new node gets the rest; !after: n keeps
// [offset, end), the new node gets [0, offset). The caller links the new node.
QuicklistNode* Quicklist::SplitNode(Node* n, long offset, bool after) {
  Node* nn = new Node();
  nn->entry = lp::Dup(n->entry);
  if (after) {
    n->entry = lp::DeleteRange(n->entry, offset + 1, SIZE_MAX);
    nn->entry = lp::DeleteRange(nn->entry, 0, static_cast<size_t>(offset) + 1);
  } else {
    n->entry = lp::DeleteRange(n->entry, 0, static_cast<size_t>(offset));
    nn->entry = lp::DeleteRange(nn->entry, offset, SIZE_MAX);
  }
  n->entry = lp::Shrink(n->entry);
  n->count = static_cast<uint32_t>(lp::Length(n->entry));
  UpdateSz(n);
  nn->count = static_cast<uint32_t>(lp::Length(nn->entry));
  UpdateSz(nn);
  return nn;
}

// Merges b (which follows a) into a; b is unlinked and freed. Returns a.
QuicklistNode* Quicklist::MergePair(Node* a, Node* b) {
  DecompressForUse(a);
  DecompressForUse(b);
  a->entry = lp::Merge(a->entry, b->entry);
  b->entry = nullptr;
  a->count += b->count;
  UpdateSz(a);
  a->recompress = false;  // it may have become an end node
  b->count = 0;
  DelNode(b);
  Compress(a);
  return a;
}

void Quicklist::MergeNodes(Node* center) {
  Node *prev = nullptr, *prev_prev = nullptr, *next = nullptr, *next_next = nullptr;
  if (center->prev) {
    prev = center->prev;
    prev_prev = prev->prev;
  }
  if (center->next) {
    next = center->next;
    next_next = next->next;
  }
  if (AllowMerge(prev_prev, prev)) MergePair(prev_prev, prev);
  if (AllowMerge(next, next_next)) MergePair(next, next_next);
  Node* target = center;
  if (AllowMerge(center->prev, center)) target = MergePair(center->prev, center);
  if (AllowMerge(target, target->next)) MergePair(target, target->next);
}

void Quicklist::InsertPlainNode(Node* old_node, std::string_view v, bool after) {
  InsertNode(old_node, NewPlainNode(v), after);
  count_++;
}

// ---------------------------------------------------------------------------------------------
// Compression

bool Quicklist::CompressNode(Node* n) {
  if (n->IsCompressed()) return true;
  n->attempted_compress = true;
  if (n->dont_compress) return false;
  n->recompress = false;
  if (n->sz < ql::kMinCompressBytes || n->sz > LZ4_MAX_INPUT_SIZE) return false;
  // Keep the result only if it saves at least kMinCompressImprove bytes: LZ4 fails (returns 0)
  // when the output does not fit this capacity.
  size_t cap = n->sz - ql::kMinCompressImprove - 1;
  auto* buf = static_cast<uint8_t*>(mem::Allocate(4 + cap));
  int csz = LZ4_compress_default(reinterpret_cast<const char*>(n->entry),
                                 reinterpret_cast<char*>(buf + 4), static_cast<int>(n->sz),
                                 static_cast<int>(cap));
  if (csz <= 0) {
    mem::Free(buf);
    return false;
  }
  WriteU32(buf, static_cast<uint32_t>(csz));
  buf = static_cast<uint8_t*>(mem::Reallocate(buf, 4 + static_cast<size_t>(csz)));
  mem::Free(n->entry);
  n->entry = buf;
  n->encoding = Node::kLz4;
  return true;
}

void Quicklist::DecompressNode(Node* n) {
  if (!n || !n->IsCompressed()) return;
  auto* buf = static_cast<uint8_t*>(mem::Allocate(n->sz ? n->sz : 1));
  int got = LZ4_decompress_safe(reinterpret_cast<const char*>(n->entry + 4),
                                reinterpret_cast<char*>(buf), static_cast<int>(ReadU32(n->entry)),
                                static_cast<int>(n->sz));
  if (got < 0 || static_cast<size_t>(got) != n->sz)
    EMBER_PANIC("quicklist: LZ4 node decompressed to %d bytes, expected %zu", got, n->sz);
  mem::Free(n->entry);
  n->entry = buf;
  n->encoding = Node::kRaw;
}

void Quicklist::Compress(Node* node) {
  if (len_ == 0 || depth_ == 0) return;
  if (len_ < 2 * static_cast<size_t>(depth_)) {
    for (Node* n = head_; n; n = n->next) {
      DecompressNode(n);
      n->recompress = false;
    }
    return;
  }
  Node* forward = head_;
  Node* reverse = tail_;
  bool in_depth = false;
  for (int depth = 0; depth < depth_; depth++) {
    // Window nodes stay raw, even if someone decompressed them "for use".
    DecompressNode(forward);
    DecompressNode(reverse);
    forward->recompress = reverse->recompress = false;
    if (forward == node || reverse == node) in_depth = true;
    // The two windows met: nothing lies deeper.
    if (forward == reverse || forward->next == reverse) return;
    forward = forward->next;
    reverse = reverse->prev;
  }
  if (node && !in_depth && !node->IsCompressed()) CompressNode(node);
  if (!forward->IsCompressed()) CompressNode(forward);
  if (!reverse->IsCompressed()) CompressNode(reverse);
}

// ---------------------------------------------------------------------------------------------
// Push / pop / index

bool Quicklist::PushHead(std::string_view v) {
  Node* orig = head_;
  if (ql::IsLargeElement(v.size())) {
    InsertPlainNode(head_, v, false);
    return true;
  }
  if (head_) DecompressNode(head_);  // end nodes are raw already; cheap check
  if (AllowInsert(head_, v.size())) {
    head_->entry = lp::Prepend(head_->entry, v);
    UpdateSz(head_);
  } else {
    Node* n = NewPackedNode();
    n->entry = lp::Prepend(n->entry, v);
    UpdateSz(n);
    InsertNode(head_, n, false);
  }
  count_++;
  head_->count++;
  return orig != head_;
}

bool Quicklist::PushTail(std::string_view v) {
  Node* orig = tail_;
  if (ql::IsLargeElement(v.size())) {
    InsertPlainNode(tail_, v, true);
    return true;
  }
  if (tail_) DecompressNode(tail_);
  if (AllowInsert(tail_, v.size())) {
    tail_->entry = lp::Append(tail_->entry, v);
    UpdateSz(tail_);
  } else {
    Node* n = NewPackedNode();
    n->entry = lp::Append(n->entry, v);
    UpdateSz(n);
    InsertNode(tail_, n, true);
  }
  count_++;
  tail_->count++;
  return orig != tail_;
}

bool Quicklist::Pop(QlEnd where, std::string* out) {
  if (count_ == 0) return false;
  Node* n = where == QlEnd::kHead ? head_ : tail_;
  DecompressForUse(n);
  if (n->IsPlain()) {
    out->assign(reinterpret_cast<const char*>(n->entry), n->sz);
    const uint8_t* p = nullptr;
    DelIndex(n, &p);
    return true;
  }
  const uint8_t* p = lp::Seek(n->entry, where == QlEnd::kHead ? 0 : -1);
  *out = lp::Get(p).ToString();
  if (!DelIndex(n, &p)) RecompressOnly(n);
  return true;
}

bool Quicklist::Locate(long index, Node** node, long* offset) const {
  bool forward = index >= 0;
  size_t idx = forward ? static_cast<size_t>(index) : static_cast<size_t>(-(index + 1));
  if (idx >= count_) return false;
  // Walk from the nearer end.
  bool seek_forward = forward;
  size_t seek_index = idx;
  if (idx > (count_ - 1) / 2) {
    seek_forward = !forward;
    seek_index = count_ - 1 - idx;
  }
  Node* n = seek_forward ? head_ : tail_;
  size_t accum = 0;
  while (n && accum + n->count <= seek_index) {
    accum += n->count;
    n = seek_forward ? n->next : n->prev;
  }
  if (!n) return false;
  size_t from_head = forward ? idx : count_ - 1 - idx;
  size_t before = seek_forward ? accum : count_ - accum - n->count;
  *node = n;
  *offset = static_cast<long>(from_head - before);
  return true;
}

bool Quicklist::Index(long index, std::string* out) {
  Iterator it(this, QlDir::kForward, index);
  QuicklistEntry e;
  if (!it.Next(&e)) return false;
  *out = e.ToString();
  return true;
}

bool Quicklist::ReplaceAtIndex(long index, std::string_view v) {
  Iterator it(this, QlDir::kForward, index);
  QuicklistEntry e;
  if (!it.Next(&e)) return false;
  Replace(&it, e, v);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Insert / replace / delete range

void Quicklist::Insert(Iterator* it, const QuicklistEntry& e, std::string_view v, bool after) {
  Node* node = e.node;
  EMBER_CHECK(node != nullptr);
  // The iterator is abandoned; this function leaves every node it touches properly compressed.
  it->node_ = nullptr;
  it->pos_ = nullptr;
  size_t sz = v.size();
  bool full = !AllowInsert(node, sz);
  bool at_tail = false, at_head = false, avail_next = false, avail_prev = false;
  if (after && e.offset == static_cast<long>(node->count) - 1) {
    at_tail = true;
    avail_next = AllowInsert(node->next, sz);
  }
  if (!after && e.offset == 0) {
    at_head = true;
    avail_prev = AllowInsert(node->prev, sz);
  }

  if (ql::IsLargeElement(sz)) {
    if (node->IsPlain() || (at_tail && after) || (at_head && !after)) {
      InsertPlainNode(node, v, after);
      RecompressOnly(node);
    } else {
      DecompressForUse(node);
      Node* rest = SplitNode(node, e.offset, after);
      Node* plain = NewPlainNode(v);
      InsertNode(node, plain, after);
      InsertNode(plain, rest, after);
      count_++;
    }
    return;
  }

  if (!full) {
    DecompressForUse(node);
    node->entry = lp::Insert(node->entry, e.zi, after ? lp::Where::kAfter : lp::Where::kBefore, v);
    node->count++;
    UpdateSz(node);
    RecompressOnly(node);
  } else if (at_tail && avail_next) {
    Node* nn = node->next;
    DecompressForUse(nn);
    nn->entry = lp::Prepend(nn->entry, v);
    nn->count++;
    UpdateSz(nn);
    RecompressOnly(nn);
    RecompressOnly(node);
  } else if (at_head && avail_prev) {
    Node* nn = node->prev;
    DecompressForUse(nn);
    nn->entry = lp::Append(nn->entry, v);
    nn->count++;
    UpdateSz(nn);
    RecompressOnly(nn);
    RecompressOnly(node);
  } else if (at_tail || at_head) {
    // At the node's edge with no room next door: a fresh node.
    Node* nn = NewPackedNode();
    nn->entry = lp::Prepend(nn->entry, v);
    nn->count++;
    UpdateSz(nn);
    InsertNode(node, nn, after);
    RecompressOnly(node);
  } else {
    // Full node, element in the middle: split, then try merging around the split.
    DecompressForUse(node);
    Node* nn = SplitNode(node, e.offset, after);
    nn->entry = after ? lp::Prepend(nn->entry, v) : lp::Append(nn->entry, v);
    nn->count++;
    UpdateSz(nn);
    InsertNode(node, nn, after);
    MergeNodes(node);
  }
  count_++;
}

void Quicklist::Replace(Iterator* it, const QuicklistEntry& e, std::string_view v) {
  Node* node = e.node;
  it->node_ = nullptr;
  it->pos_ = nullptr;
  size_t sz = v.size();
  if (!node->IsPlain() && !ql::IsLargeElement(sz)) {
    size_t new_sz = node->sz - lp::EntryBytes(e.zi) + lp::EntrySizeFor(v);
    if (new_sz <= node->sz || !ql::NodeExceedsLimit(fill_, new_sz, node->count)) {
      DecompressForUse(node);
      const uint8_t* p = e.zi;
      node->entry = lp::Replace(node->entry, &p, v);
      UpdateSz(node);
      RecompressOnly(node);
      Compress(node);
      return;
    }
  } else if (node->IsPlain() && ql::IsLargeElement(sz)) {
    mem::Free(node->entry);
    node->entry = static_cast<uint8_t*>(mem::Allocate(sz ? sz : 1));
    std::memcpy(node->entry, v.data(), sz);
    node->sz = sz;
    node->encoding = Node::kRaw;
    node->recompress = false;
    Compress(node);
    return;
  }
  // The new element does not fit where the old one was: delete it and insert at its index.
  size_t index = static_cast<size_t>(e.offset);
  for (Node* n = head_; n != node; n = n->next) index += n->count;
  const uint8_t* p = e.zi;
  if (!DelIndex(node, &p)) RecompressOnly(node);
  if (index == count_) {
    PushTail(v);
    return;
  }
  Iterator at(this, QlDir::kForward, static_cast<long>(index));
  QuicklistEntry next;
  EMBER_CHECK(at.Next(&next));
  Insert(&at, next, v, false);
}

size_t Quicklist::DelRange(long start, size_t count) {
  if (count == 0) return 0;
  Node* node;
  long offset;
  if (!Locate(start, &node, &offset)) return 0;
  size_t first = start >= 0 ? static_cast<size_t>(start) : count_ - static_cast<size_t>(-start);
  size_t extent = std::min(count, count_ - first);
  size_t total = extent;
  while (extent) {
    Node* next = node->next;
    size_t off = static_cast<size_t>(offset);
    size_t del;
    bool whole = false;
    if (off == 0 && extent >= node->count) {
      whole = true;
      del = node->count;
    } else if (off + extent >= node->count) {
      del = node->count - off;
    } else {
      del = extent;
    }
    if (whole || node->IsPlain()) {
      DelNode(node);
    } else {
      DecompressForUse(node);
      node->entry = lp::DeleteRange(node->entry, offset, del);
      node->count -= static_cast<uint32_t>(del);
      count_ -= del;
      UpdateSz(node);
      RecompressOnly(node);
    }
    extent -= del;
    node = next;
    offset = 0;
  }
  return total;
}

// ---------------------------------------------------------------------------------------------
// RDB and conversions

void Quicklist::ForEachNode(const std::function<void(const QuicklistNodeView&)>& fn) const {
  for (const Node* n = head_; n; n = n->next) {
    QuicklistNodeView view;
    view.plain = n->IsPlain();
    view.size = n->sz;
    view.count = n->count;
    if (!n->IsCompressed()) {
      view.data = n->entry;
      fn(view);
      continue;
    }
    auto* buf = static_cast<uint8_t*>(mem::Allocate(n->sz ? n->sz : 1));
    int got = LZ4_decompress_safe(reinterpret_cast<const char*>(n->entry + 4),
                                  reinterpret_cast<char*>(buf),
                                  static_cast<int>(ReadU32(n->entry)), static_cast<int>(n->sz));
    EMBER_CHECK(got >= 0 && static_cast<size_t>(got) == n->sz);
    view.data = buf;
    fn(view);
    mem::Free(buf);
  }
}

void Quicklist::AppendListpack(uint8_t* lp) {
  size_t n = lp::Length(lp);
  if (n == 0) {
    lp::Free(lp);
    return;
  }
  EMBER_CHECK(n <= UINT32_MAX);
  Node* node = new Node();
  node->entry = lp;
  node->sz = lp::Bytes(lp);
  node->count = static_cast<uint32_t>(n);
  InsertNode(tail_, node, true);
  count_ += n;
}

void Quicklist::AppendPlain(std::string_view v) {
  InsertNode(tail_, NewPlainNode(v), true);
  count_++;
}

Quicklist Quicklist::FromListpack(uint8_t* lp, int fill, int compress_depth) {
  Quicklist q(fill, compress_depth);
  q.AppendListpack(lp);
  return q;
}

bool Quicklist::FitsListpack(bool shrinking) const {
  return ql::QuicklistFitsListpack(len_, head_ && !head_->IsPlain(), head_ ? head_->sz : 0,
                                   count_, fill_, shrinking);
}

uint8_t* Quicklist::ReleaseAsListpack() {
  EMBER_CHECK(len_ == 1 && !head_->IsPlain());
  DecompressNode(head_);
  uint8_t* lp = head_->entry;
  head_->entry = nullptr;
  FreeNode(head_);
  head_ = tail_ = nullptr;
  len_ = count_ = 0;
  return lp;
}

bool Quicklist::CheckInvariants(std::string* why) const {
  auto fail = [&](const std::string& s) {
    *why = s;
    return false;
  };
  size_t len = 0, count = 0;
  const Node* prev = nullptr;
  for (const Node* n = head_; n; prev = n, n = n->next) {
    if (n->prev != prev) return fail("broken prev link at node " + std::to_string(len));
    if (n->count == 0) return fail("empty node " + std::to_string(len));
    std::string raw;
    if (n->IsCompressed()) {
      raw.resize(n->sz);
      int got = LZ4_decompress_safe(reinterpret_cast<const char*>(n->entry + 4), raw.data(),
                                    static_cast<int>(ReadU32(n->entry)), static_cast<int>(n->sz));
      if (got < 0 || static_cast<size_t>(got) != n->sz) return fail("bad LZ4 node");
    } else {
      raw.assign(reinterpret_cast<const char*>(n->entry), n->sz);
    }
    if (n->IsPlain()) {
      if (n->count != 1) return fail("plain node count != 1");
    } else {
      auto* b = reinterpret_cast<const uint8_t*>(raw.data());
      if (!lp::ValidateListpack(b, raw.size(), true)) return fail("invalid node listpack");
      if (lp::Length(b) != n->count) return fail("node count mismatch");
    }
    bool in_window = len < static_cast<size_t>(depth_);
    if (depth_ > 0 && in_window && n->IsCompressed()) return fail("head-side node compressed");
    len++;
    count += n->count;
  }
  if (prev != tail_) return fail("tail mismatch");
  if (len != len_) return fail("len mismatch");
  if (count != count_) return fail("count mismatch");
  size_t i = 0;
  for (const Node* n = tail_; n && i < static_cast<size_t>(depth_); n = n->prev, i++)
    if (n->IsCompressed()) return fail("tail-side node compressed");
  return true;
}

// ---------------------------------------------------------------------------------------------
// Iterator

Quicklist::Iterator::Iterator(Quicklist* ql, QlDir dir)
    : ql_(ql), forward_(dir == QlDir::kForward) {
  node_ = forward_ ? ql->head_ : ql->tail_;
  offset_ = forward_ ? 0 : -1;
}

Quicklist::Iterator::Iterator(Quicklist* ql, QlDir dir, long index)
    : ql_(ql), forward_(dir == QlDir::kForward) {
  QuicklistNode* n;
  long off;
  if (!ql->Locate(index, &n, &off)) return;
  node_ = n;
  offset_ = forward_ ? off : off - static_cast<long>(n->count);
}

Quicklist::Iterator::~Iterator() { Reset(); }

void Quicklist::Iterator::Reset() {
  if (node_) ql_->RecompressOnly(node_);
  node_ = nullptr;
  pos_ = nullptr;
}

bool Quicklist::Iterator::Next(QuicklistEntry* e) {
  while (node_) {
    if (node_->IsPlain()) {
      if (!plain_done_) {
        ql_->DecompressForUse(node_);
        plain_done_ = true;
        *e = QuicklistEntry();
        e->node = node_;
        e->str = node_->entry;
        e->len = node_->sz;
        return true;
      }
    } else {
      if (!pos_) {
        ql_->DecompressForUse(node_);
        pos_ = lp::Seek(node_->entry, offset_);
      } else {
        if (node_->IsCompressed()) {  // compressed under us: find our place again
          ql_->DecompressForUse(node_);
          pos_ = lp::Seek(node_->entry, offset_);
        }
        pos_ = forward_ ? lp::Next(node_->entry, pos_) : lp::Prev(node_->entry, pos_);
        offset_ += forward_ ? 1 : -1;
      }
      if (pos_) {
        lp::Value v = lp::Get(pos_);
        *e = QuicklistEntry();
        e->node = node_;
        e->zi = pos_;
        e->str = v.str;
        e->len = v.len;
        e->ival = v.ival;
        e->offset = offset_ >= 0 ? offset_ : static_cast<long>(node_->count) + offset_;
        return true;
      }
    }
    ql_->RecompressOnly(node_);
    node_ = forward_ ? node_->next : node_->prev;
    offset_ = forward_ ? 0 : -1;
    pos_ = nullptr;
    plain_done_ = false;
  }
  return false;
}

void Quicklist::Iterator::DelEntry(QuicklistEntry* e) {
  QuicklistNode* prev = e->node->prev;
  QuicklistNode* next = e->node->next;
  const uint8_t* p = e->zi;
  bool gone = ql_->DelIndex(e->node, &p);
  pos_ = nullptr;
  plain_done_ = false;
  if (gone) {
    node_ = forward_ ? next : prev;
    offset_ = forward_ ? 0 : -1;
  }
  // Otherwise offset_ already names the element that follows in our direction: forward, the next
  // element slid into the deleted slot; backward, the negative offset of the previous one is unchanged.
}

}  // namespace ember
