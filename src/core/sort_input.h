// What SORT / SORT_RO need from each aggregate type, as small per-type functions, so the SORT
// command (src/commands/sort_command.cc) does not depend on any type's internals.
//
//   CollectSortInput      the elements of a list (head to tail), set (iteration order) or sorted
//                         set (ascending rank), as strings; false for any other type.
//   SortHashFieldValue    BY/GET "pattern->field": the value of `field` in a hash record.
//   NewSortStoreList      STORE: a new list value holding `items`, with the encoding Redis 7.2
//                         gives the stored list (listpack if it fits one node, else quicklist).
//
// The set case lives in core/sort_input.cc; the list, sorted-set and hash cases in
// core/sort_input_types.cc, built on each type's value API.
//
// Thread safety: event-loop thread only (they read records of the keyspace).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/object.h"

namespace ember {

// Dispatches on r->type(); false when the type cannot be sorted.
bool CollectSortInput(const Record* r, std::vector<std::string>* out);

// Per-type collectors (appending to *out). Each returns false for a record it cannot read.
bool CollectSetSortInput(const Record* r, std::vector<std::string>* out);   // core/sort_input.cc
bool CollectListSortInput(const Record* r, std::vector<std::string>* out);
bool CollectZsetSortInput(const Record* r, std::vector<std::string>* out);

// The value of `field` in hash record `r` (integers as their decimal text). False when the field
// is absent.
bool SortHashFieldValue(const Record* r, std::string_view field, std::string* out);

// A list value holding `items` in order (ownership passes to the caller's record). `fill` is
// list-max-listpack-size, `compress_depth` list-compress-depth; built with the list value API, so
// it is the representation core/list_value.cc frees (listpack blob / Quicklist*).
ValueInit NewSortStoreList(const std::vector<std::string>& items, int fill, int compress_depth);

}  // namespace ember
