// Element-level iteration over aggregate values, whatever their encoding. Used by DEBUG DIGEST,
// the RDB writer for plain (non-blob) layouts, and SORT. Each type implements its function in
// core/<type>_value.cc. Fork-safe: iteration only reads.
#pragma once

#include <functional>
#include <string_view>

#include "core/object.h"

namespace ember {

// Elements of a list, head to tail.
void ForEachListElement(Encoding enc, const void* v, const std::function<void(std::string_view)>& fn);
// Members of a set (integers formatted as decimal text), in storage order.
void ForEachSetMember(Encoding enc, const void* v, const std::function<void(std::string_view)>& fn);
// Field/value pairs of a hash, in storage order.
void ForEachHashField(Encoding enc, const void* v,
                      const std::function<void(std::string_view, std::string_view)>& fn);
// Member/score pairs of a sorted set, ascending by score then member.
void ForEachZsetMember(Encoding enc, const void* v,
                       const std::function<void(std::string_view, double)>& fn);
// Number of elements of a value (list length, set/zset cardinality, hash fields).
size_t AggregateLength(ObjType type, Encoding enc, const void* v);

}  // namespace ember
