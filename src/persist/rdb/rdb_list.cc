// List layouts. Written as QUICKLIST_2 (what Redis 7.0 and 7.2 write for every list): a node count,
// then per node a container (1 = PLAIN, 2 = PACKED) and the node's bytes (a listpack, or the plain
// element). A 7.2-style listpack list is one packed node. Read: LIST (plain), LIST_ZIPLIST,
// LIST_QUICKLIST (ziplist nodes) and LIST_QUICKLIST_2; elements are pushed through the list type so
// the result has the encoding Redis would give it under the current limits, except that a
// QUICKLIST_2 node that fits those limits is taken whole (TakeNode), as Redis 7.2 takes it.
#include "base/strutil.h"
#include "core/list_value.h"
#include "persist/rdb/rdb_format.h"
#include "persist/rdb/rdb_types.h"
#include "types/listpack.h"

namespace ember::rdb {

namespace {
constexpr uint64_t kContainerPlain = 1;
constexpr uint64_t kContainerPacked = 2;

// The fast path for a QUICKLIST_2 packed node: a valid listpack within one node's limits under the
// current list-max-listpack-size becomes a node as it is (Redis's quicklistAppendListpack) instead
// of being pushed element by element. An empty one is skipped, as Redis does. False leaves the node
// to the element-by-element path. Like Redis, a taken node may hold an element at or above a
// lowered packed threshold (DEBUG QUICKLIST-PACKED-THRESHOLD): the threshold decides where new
// elements go, and a packed node holds any size.
bool TakeNode(ListValue* lv, const std::string& blob, const ListOptions& opts) {
  size_t entries = 0;
  if (!ValidListpack(blob, &entries)) return false;
  if (entries == 0) return true;
  if (ql::NodeExceedsLimit(opts.fill, blob.size(), entries)) return false;
  if (lv->IsListpack()) {  // the first node, or elements pushed before: a quicklist from here on
    auto* q = new Quicklist(opts.fill, opts.compress_depth);
    q->AppendListpack(lv->lp());  // frees an empty listpack
    *lv = ListValue{Encoding::kQuicklist, q};
  }
  lv->ql()->AppendListpack(lp::FromBlob(blob.data(), blob.size()));
  return true;
}

}  // namespace

Status SaveListValue(RdbWriter& w, Encoding enc, const void* v) {
  if (enc == Encoding::kListpack) {
    const auto* lpb = static_cast<const uint8_t*>(v);
    EMBER_RETURN_IF_ERROR(w.SaveLen(1));
    EMBER_RETURN_IF_ERROR(w.SaveLen(kContainerPacked));
    return w.SaveString(std::string_view(reinterpret_cast<const char*>(lpb), lp::Bytes(lpb)));
  }
  const auto* ql = static_cast<const Quicklist*>(v);
  EMBER_RETURN_IF_ERROR(w.SaveLen(ql->NodeCount()));
  Status st;
  ql->ForEachNode([&](const QuicklistNodeView& n) {
    if (!st.ok()) return;
    st = w.SaveLen(n.plain ? kContainerPlain : kContainerPacked);
    if (st.ok()) st = w.SaveString(std::string_view(reinterpret_cast<const char*>(n.data), n.size));
  });
  return st;
}

Expected<ValueInit> LoadListValue(RdbReader& r, uint8_t type, const LoadLimits& limits) {
  ListOptions opts;
  opts.fill = limits.list_max_listpack_size;
  opts.compress_depth = limits.list_compress_depth;
  ListValue lv = ListValue::NewListpack();
  auto push = [&](std::string_view e) -> Status {
    list::Push(&lv, QlEnd::kTail, std::span<const std::string_view>(&e, 1), opts);
    return Status::OK();
  };
  auto fail = [&](Status st) -> Expected<ValueInit> {
    FreeListValue(lv.enc, lv.ptr);
    return st;
  };
  if (type == RDB_TYPE_LIST) {
    auto n = r.LoadLen();
    if (!n.ok()) return fail(n.status());
    std::string s;
    for (uint64_t i = 0; i < *n; i++) {
      Status st = r.LoadString(&s);
      if (!st.ok()) return fail(st);
      (void)push(s);
    }
  } else if (type == RDB_TYPE_LIST_ZIPLIST) {
    std::string blob;
    Status st = LoadBlob(r, &blob, "ziplist");
    if (st.ok()) st = ForEachZiplistString(blob, push);
    if (!st.ok()) return fail(r.Corrupt("bad list ziplist: " + st.message()));
  } else {
    auto n = r.LoadLen();
    if (!n.ok()) return fail(n.status());
    std::string blob;
    for (uint64_t i = 0; i < *n; i++) {
      uint64_t container = kContainerPacked;
      if (type == RDB_TYPE_LIST_QUICKLIST_2) {
        auto c = r.LoadLen();
        if (!c.ok()) return fail(c.status());
        container = *c;
        if (container != kContainerPlain && container != kContainerPacked) {
          return fail(r.Corrupt("bad quicklist container " + std::to_string(container)));
        }
      }
      Status st = LoadBlob(r, &blob, "quicklist node");
      if (!st.ok()) return fail(st);
      if (container == kContainerPlain) {
        (void)push(blob);
        continue;
      }
      if (type == RDB_TYPE_LIST_QUICKLIST_2 && TakeNode(&lv, blob, opts)) continue;
      st = type == RDB_TYPE_LIST_QUICKLIST ? ForEachZiplistString(blob, push)
                                           : ForEachListpackEntry(blob, push);
      if (!st.ok()) return fail(r.Corrupt("bad quicklist node: " + st.message()));
    }
  }
  if (list::Length(lv) == 0) return fail(Status::NotFound("empty list"));  // skipped, as Redis
  // A list that fits one node is a listpack, as pushing its elements would have left it (and as
  // Redis 7.2 converts a loaded quicklist): the full limits, not the after-removal half.
  list::TryShrink(&lv, opts, /*shrinking=*/false);
  return ValueInit::Ptr(ObjType::kList, lv.enc, lv.ptr);
}

}  // namespace ember::rdb
