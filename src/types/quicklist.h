// quicklist: the list encoding. A doubly linked list of nodes, each holding either a listpack of
// several elements (PACKED) or one huge element as raw bytes (PLAIN, for elements >= the packed
// threshold, 1 GB by default).
//
//   Quicklist ─ head ⇄ node ⇄ node ⇄ ... ⇄ node ─ tail
//                       │      │              │
//                     listpack LZ4 block    plain bytes
//
// Node size is bounded by the fill factor (list-max-listpack-size), as in Redis:
//   fill -1..-5: a node's listpack may grow to 4/8/16/32/64 KB;
//   fill >= 1: at most `fill` entries per node, and the node still stays under 8 KB (SIZE_SAFETY_LIMIT);
//   fill 0 behaves as 1. An insert is allowed when node bytes + element length + 8 fits (Redis's
//   overestimate), so node boundaries fall where Redis puts them.
// Compression (list-compress-depth N > 0): the N nodes at each end stay raw; interior nodes are kept
// LZ4-compressed in memory when the node is >= 48 bytes and compression saves at least 8 bytes. A
// compressed node is decompressed while it is being read or changed and compressed again afterwards
// (the "recompress" flag), the same pattern as Redis (which uses LZF; the RDB writer re-encodes).
//
// Per-element cost: the listpack entry cost (see listpack.h, e.g. 2 bytes for 0..127, len+2 for short
// strings), plus per node kNodeOverhead (the 40-byte node struct in its 48-byte size class) and 7
// bytes of listpack header/terminator plus allocator rounding of the node buffer. A PLAIN node costs
// kNodeOverhead plus the element's own allocation. The Quicklist object itself is 40 bytes.
//
// Ownership: the Quicklist owns its nodes and their buffers (all from ember::mem). Entries returned by
// iterators point into node buffers and stay valid until the iterator moves on or the list changes.
// Not thread-safe; ForEachNode is read-only (it never decompresses in place) and is safe in a fork
// child. Complexity: push/pop O(1) amortized (plus one node memmove); index O(nodes); insert/replace
// O(node bytes) after locating; DelRange O(nodes touched).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "types/listpack.h"

namespace ember {

namespace ql {
inline constexpr int kDefaultFill = -2;         // list-max-listpack-size default
inline constexpr int kFillMax = 32767;          // (1 << 15) - 1
inline constexpr int kFillMin = -5;
inline constexpr int kCompressMax = 65535;
inline constexpr size_t kSizeSafetyLimit = 8192;    // SIZE_SAFETY_LIMIT
inline constexpr size_t kSizeEstimateOverhead = 8;  // SIZE_ESTIMATE_OVERHEAD
inline constexpr size_t kMinCompressBytes = 48;     // MIN_COMPRESS_BYTES
inline constexpr size_t kMinCompressImprove = 8;    // MIN_COMPRESS_IMPROVE
inline constexpr size_t kDefaultPackedThreshold = size_t{1} << 30;

// Redis's quicklistNodeLimit: the byte limit (SIZE_MAX if count-limited) and count limit (SIZE_MAX if
// byte-limited) of one node for a fill value.
void NodeLimit(int fill, size_t* size_limit, size_t* count_limit);
// quicklistNodeExceedsLimit: would a node of new_sz bytes and new_count entries be too big?
bool NodeExceedsLimit(int fill, size_t new_sz, size_t new_count);
// Whether a listpack of `bytes` and `count` entries is within one node's limits.
inline bool ListpackFitsNode(size_t bytes, size_t count, int fill) {
  return !NodeExceedsLimit(fill, bytes, count);
}
// Redis 7.2 list encoding: a listpack-encoded list must become a quicklist when adding add_count
// elements totalling add_bytes of string length would exceed one node's limits.
inline bool ListpackNeedsQuicklist(size_t lp_bytes, size_t lp_count, size_t add_bytes,
                                   size_t add_count, int fill) {
  return NodeExceedsLimit(fill, lp_bytes + add_bytes, lp_count + add_count);
}
// Redis 7.2: a quicklist with a single PACKED node of node_bytes/count converts back to a listpack when
// it is within the limits, halved when `shrinking` (so lists do not flip back and forth).
bool QuicklistFitsListpack(size_t node_count, bool single_node_packed, size_t node_bytes,
                           size_t count, int fill, bool shrinking);

// Elements of at least this many bytes get a PLAIN node. Process-wide, like Redis's packed_threshold
// (DEBUG QUICKLIST-PACKED-THRESHOLD); 0 restores the default. Returns false if sz is too large
// (> 4 GB - 1 MB). Not for concurrent use with list operations on other threads.
bool SetPackedThreshold(size_t sz);
size_t PackedThreshold();
inline bool IsLargeElement(size_t sz) { return sz >= PackedThreshold(); }
}  // namespace ql

struct QuicklistNode {
  enum Container : uint8_t { kPlain = 1, kPacked = 2 };
  enum Encoding : uint8_t { kRaw = 1, kLz4 = 2 };
  QuicklistNode* prev = nullptr;
  QuicklistNode* next = nullptr;
  uint8_t* entry = nullptr;  // listpack, plain bytes, or (when kLz4) <u32 compressed size><data>
  size_t sz = 0;             // uncompressed size of the listpack / plain element
  uint32_t count = 0;        // entries in this node (1 for PLAIN)
  uint8_t container = kPacked;
  uint8_t encoding = kRaw;
  bool recompress = false;  // decompressed for use; compress again when done
  bool attempted_compress = false;  // a compression was tried (it may have been refused)
  bool dont_compress = false;
  bool IsPlain() const { return container == kPlain; }
  bool IsCompressed() const { return encoding == kLz4; }
};

inline constexpr size_t kQuicklistNodeOverhead = 48;  // sizeof(QuicklistNode) in its size class

// One element as seen by an iterator.
struct QuicklistEntry {
  QuicklistNode* node = nullptr;
  const uint8_t* zi = nullptr;  // listpack position (PACKED) or null (PLAIN)
  const uint8_t* str = nullptr;  // element bytes when a string; null when an integer
  size_t len = 0;
  int64_t ival = 0;
  long offset = 0;  // index inside the node, from 0
  bool IsInt() const { return str == nullptr; }
  std::string_view View() const { return {reinterpret_cast<const char*>(str), len}; }
  std::string ToString() const;
  bool Equals(std::string_view s) const;
};

// Raw content of one node, decompressed, for RDB saving.
struct QuicklistNodeView {
  bool plain = false;
  const uint8_t* data = nullptr;  // listpack blob or plain element
  size_t size = 0;
  size_t count = 0;
};

enum class QlEnd { kHead, kTail };
enum class QlDir { kForward, kBackward };  // head to tail / tail to head

class Quicklist {
 public:
  class Iterator;

  explicit Quicklist(int fill = ql::kDefaultFill, int compress_depth = 0);
  ~Quicklist();
  Quicklist(const Quicklist&) = delete;
  Quicklist& operator=(const Quicklist&) = delete;
  Quicklist(Quicklist&& o) noexcept;
  Quicklist& operator=(Quicklist&& o) noexcept;
  Quicklist Dup() const;  // deep copy (compressed nodes are copied compressed)

  // fill is clamped to [-5, 32767], depth to [0, 65535].
  void SetOptions(int fill, int compress_depth);
  int fill() const { return fill_; }
  int compress_depth() const { return depth_; }

  size_t Count() const { return count_; }
  size_t NodeCount() const { return len_; }  // also the lazy-free effort
  size_t Bytes() const;                      // sum of uncompressed node sizes
  size_t AllocatedBytes() const;             // this object + nodes + buffers, allocator sizes

  // Returns true if a new head/tail node was created.
  bool PushHead(std::string_view v);
  bool PushTail(std::string_view v);
  bool Push(QlEnd where, std::string_view v) {
    return where == QlEnd::kHead ? PushHead(v) : PushTail(v);
  }
  // Removes the element at the head/tail into *out (integers as decimal text). False if empty.
  bool Pop(QlEnd where, std::string* out);

  // Copies the element at index (negative from the tail) into *out. False if out of range.
  bool Index(long index, std::string* out);
  // Replaces the element at index. False if out of range.
  bool ReplaceAtIndex(long index, std::string_view v);
  // Inserts v before/after the entry `e` last returned by `it`; `it` is reset (Next returns false).
  void Insert(Iterator* it, const QuicklistEntry& e, std::string_view v, bool after);
  // Replaces the entry `e` last returned by `it`; `it` is reset. In place when the node stays within
  // its limits (or does not grow); otherwise the old element is deleted and v inserted at its index.
  void Replace(Iterator* it, const QuicklistEntry& e, std::string_view v);
  // Deletes up to count elements starting at start (negative from the tail). Returns the number
  // deleted.
  size_t DelRange(long start, size_t count);

  // ---- RDB / conversions ----
  // Calls fn for every node, head to tail, with its raw (decompressed) content. Read-only.
  void ForEachNode(const std::function<void(const QuicklistNodeView&)>& fn) const;
  // Appends a whole listpack as a new tail node, taking ownership (an empty one is freed).
  void AppendListpack(uint8_t* lp);
  // Appends one element as a PLAIN tail node.
  void AppendPlain(std::string_view v);
  // Builds a quicklist from a listpack list (Redis 7.2 conversion), taking ownership.
  static Quicklist FromListpack(uint8_t* lp, int fill, int compress_depth);
  // Whether this list should convert to a listpack (single PACKED node within the limits, halved
  // when shrinking).
  bool FitsListpack(bool shrinking) const;
  // Detaches the single PACKED node's listpack, leaving the list empty. Requires NodeCount() == 1
  // and a PACKED node.
  uint8_t* ReleaseAsListpack();

  const QuicklistNode* head() const { return head_; }
  const QuicklistNode* tail() const { return tail_; }
  // Structure check for tests: links, counts, sizes, and that the depth nodes at each end are raw.
  bool CheckInvariants(std::string* why) const;

 private:
  friend class Iterator;
  using Node = QuicklistNode;

  Node* NewPackedNode();
  Node* NewPlainNode(std::string_view v);
  void FreeNode(Node* n);
  void InsertNode(Node* old_node, Node* new_node, bool after);
  void DelNode(Node* n);
  bool DelIndex(Node* n, const uint8_t** p);  // true if the node went away
  bool AllowInsert(const Node* n, size_t sz) const;
  bool AllowMerge(const Node* a, const Node* b) const;
  Node* SplitNode(Node* n, long offset, bool after);
  Node* MergePair(Node* a, Node* b);
  void MergeNodes(Node* center);
  void InsertPlainNode(Node* old_node, std::string_view v, bool after);
  void UpdateSz(Node* n) { n->sz = lp::Bytes(n->entry); }
  bool Locate(long index, Node** node, long* offset) const;

  // Compression.
  bool CompressNode(Node* n);
  void DecompressNode(Node* n);
  void DecompressForUse(Node* n) {
    if (n && n->IsCompressed()) {
      DecompressNode(n);
      n->recompress = true;
    }
  }
  void RecompressOnly(Node* n) {
    if (n && n->recompress && !n->IsCompressed()) CompressNode(n);
  }
  void Compress(Node* n);  // Redis's __quicklistCompress

  Node* head_ = nullptr;
  Node* tail_ = nullptr;
  size_t count_ = 0;
  size_t len_ = 0;
  int fill_ = ql::kDefaultFill;
  int depth_ = 0;
};

// Walks a quicklist in one direction. Holds the current node decompressed and recompresses it when
// moving on or when destroyed. The list may only be changed through DelEntry while iterating (or
// Quicklist::Insert/Replace, which reset the iterator).
class Quicklist::Iterator {
 public:
  Iterator(Quicklist* ql, QlDir dir);
  // Starts at index (negative from the tail); the first Next returns that element. Out of range:
  // Next returns false.
  Iterator(Quicklist* ql, QlDir dir, long index);
  ~Iterator();
  Iterator(const Iterator&) = delete;
  Iterator& operator=(const Iterator&) = delete;

  bool Next(QuicklistEntry* e);
  // Deletes the entry last returned; the following Next continues with the element after it (in
  // the iteration direction).
  void DelEntry(QuicklistEntry* e);
  void Reset();  // releases the current node; Next returns false afterwards

 private:
  friend class Quicklist;
  Quicklist* ql_;
  QuicklistNode* node_ = nullptr;
  const uint8_t* pos_ = nullptr;  // last returned position within node_ (null: not yet)
  bool plain_done_ = false;       // PLAIN node element already returned
  long offset_ = 0;               // index in node_ of the next element to seek (may be negative)
  bool forward_ = true;
};

}  // namespace ember
