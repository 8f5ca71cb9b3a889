// Hash values: the data part of the hash type (encodings, conversions, operations), independent of
// replies and sockets. The commands live in src/commands/hash_family.cc.
//
// Two encodings, converted one way (small -> big) with Redis 7.2's rules:
//
//   kListpack   an hpack blob (core/hash_pack.h): pairs packed in one allocation, ~1 byte of
//               overhead per field and per value. OBJECT ENCODING says "listpack"; RDB/DUMP get a
//               real listpack through hpack::ToListpack.
//   kHashtable  a HashDict (HashTable<HashEntryTraits>, types/hashtable.h) of HashEntry: ONE
//               allocation per field holding field and value:
//
//                  +-----------+-------------+-----------+-------------+
//                  | flen hdr  | field bytes | vlen hdr  | value bytes |   hdr: 1 byte below 128,
//                  +-----------+-------------+-----------+-------------+        2 below 16384, else 5
//
//               Replacing a value rewrites the entry in place when the new size has the same
//               allocator class, else reallocates it and swaps the table slot.
//
// Conversion listpack -> hashtable (never back):
//   - before a write, when any field or value to write is longer than hash-max-listpack-value, or
//     the command brings more fields than hash-max-listpack-entries (7.2's pre-sizing, even if
//     fields repeat), or the listpack would pass the 1 GB cap (HashTryConversion);
//   - in HashSet, when the field or value is too long (HINCRBY* paths) or, after the insert, the
//     count exceeds hash-max-listpack-entries.
//
// Memory per field (jemalloc classes), "field:J" -> 10-byte value: listpack 19 bytes per pair;
// hashtable: entry 19 -> 32 bytes (jemalloc has no 24-byte class) + 13.5..21.6 table bytes ~ 50,
// against Redis 7.0's dictEntry 24 -> 32 + two sds (16 + 16) + 8-byte bucket = 72. With 100-byte
// values: 112 + ~17 = ~129 against 32 + 16 + 112 + 8 = 168. Whole keys of the bench shape (100k
// hashes x 10 pairs): 245 bytes per key against Redis 7.0's 299.7 (0.82x). (Checked by
// tests/unit/core/hash_value_test.cc.)
//
// Views returned by reads point into the value (or the caller's scratch) and die at the next
// write to the hash. Not thread-safe; a fork child may read (iteration, Get) without writing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/hash_pack.h"
#include "core/object.h"
#include "types/hashtable.h"

namespace ember {

// Frees a hash value of encoding `enc`.
void FreeHashValue(Encoding enc, void* ptr);
// Redis's lazy-free effort: the field count for a hashtable, 1 for a listpack.
size_t HashFreeEffort(Encoding enc, const void* ptr);
// Deep copy (COPY).
void* DupHashValue(Encoding enc, const void* ptr);
// MEMORY USAGE of the value as Redis's objectComputeSize counts it: the listpack allocation; or the
// table (object + buckets) plus the average size of the first `samples` entries (0 = all) times
// the field count.
size_t HashValueMemory(Encoding enc, const void* ptr, size_t samples);

// ---- hashtable entries ----
struct HashEntry {
  uint8_t bytes[1];  // [flen hdr][field][vlen hdr][value], see the file comment
};
inline std::string_view HashEntryField(const HashEntry* e) {
  size_t len;
  size_t h = hpack::ReadStrHeader(e->bytes, &len);
  return {reinterpret_cast<const char*>(e->bytes + h), len};
}
inline std::string_view HashEntryValue(const HashEntry* e) {
  size_t flen;
  size_t off = hpack::ReadStrHeader(e->bytes, &flen);
  off += flen;
  size_t vlen;
  off += hpack::ReadStrHeader(e->bytes + off, &vlen);
  return {reinterpret_cast<const char*>(e->bytes + off), vlen};
}
HashEntry* NewHashEntry(std::string_view field, std::string_view value);
void FreeHashEntry(HashEntry* e);

struct HashEntryTraits {
  using Entry = HashEntry*;
  static std::string_view KeyOf(const HashEntry* e) { return HashEntryField(e); }
};
using HashDict = HashTable<HashEntryTraits>;

// ---- the value ----
struct HashLimits {
  size_t max_listpack_entries = 512;  // hash-max-listpack-entries
  size_t max_listpack_value = 64;     // hash-max-listpack-value
};

// A hash as a record stores it. Writes may change both members (conversion, reallocation); the
// caller copies them back into the record (Record::set_ptr / set_encoding).
struct HashRef {
  Encoding enc = Encoding::kListpack;
  void* ptr = nullptr;

  uint8_t* packed() const { return static_cast<uint8_t*>(ptr); }
  HashDict* dict() const { return static_cast<HashDict*>(ptr); }
};

HashRef NewHash();  // an empty listpack-encoded hash
size_t HashLength(const HashRef& h);
// Looks up a field; the view lives until the next write (integers are formatted into scratch).
bool HashGet(const HashRef& h, std::string_view field, hpack::Scratch* scratch,
             std::string_view* value);
bool HashExists(const HashRef& h, std::string_view field);
// Length of the field's value, 0 when absent (HSTRLEN).
size_t HashStrlen(const HashRef& h, std::string_view field);

// Redis's hashTypeTryConversion: `fv` holds the fields and values about to be written.
void HashTryConversion(HashRef* h, std::span<const std::string_view> fv, const HashLimits& lim);
// Sets field to value; returns true when the field was created. May convert (see above).
bool HashSet(HashRef* h, std::string_view field, std::string_view value, const HashLimits& lim);
// Removes a field; returns whether it existed. The caller deletes the key when the hash empties.
bool HashDelete(HashRef* h, std::string_view field);
// listpack -> hashtable, pre-sized for max(size_hint, length) fields.
void HashConvertToDict(HashRef* h, size_t size_hint = 0);

// ---- persistence (RDB, DUMP/RESTORE) ----
// The listpack of field, value, ... of a listpack-encoded hash (RDB_TYPE_HASH_LISTPACK), written
// into *out. Hashtable-encoded hashes are written pair by pair with HashForEach.
void HashToListpack(const HashRef& h, std::string* out);
// A hash from a validated listpack of pairs with distinct fields (the loader checks integrity and
// duplicates first), with Redis's load-time rule: hashtable when it has more than
// hash-max-listpack-entries fields, else listpack.
HashRef HashFromListpack(const uint8_t* lp, const HashLimits& lim);

// Calls fn(field, value) for every pair (listpack order, or table order). fn must not write.
template <typename Fn>
void HashForEach(const HashRef& h, Fn&& fn) {
  if (h.enc == Encoding::kListpack) {
    hpack::Scratch sf, sv;
    hpack::ForEachPair(h.packed(), [&](const uint8_t* f, const uint8_t* v) {
      fn(hpack::Get(f, &sf), hpack::Get(v, &sv));
      return true;
    });
  } else {
    h.dict()->ForEach([&](HashEntry* e) { fn(HashEntryField(e), HashEntryValue(e)); });
  }
}

// A handle on one pair (a listpack field entry or a HashEntry), valid until the next write.
using HashPairHandle = const void*;
std::string_view HashPairField(const HashRef& h, HashPairHandle p, hpack::Scratch* scratch);
std::string_view HashPairValue(const HashRef& h, HashPairHandle p, hpack::Scratch* scratch);
// Every pair, in iteration order.
void HashAllPairs(const HashRef& h, std::vector<HashPairHandle>* out);
// One random pair (the hash must not be empty).
HashPairHandle HashRandomPair(const HashRef& h);
// `count` (< HashLength) distinct random pairs; order unspecified.
void HashRandomDistinctPairs(const HashRef& h, size_t count, std::vector<HashPairHandle>* out);

// HSCAN step over a hashtable (Redis's dictScan); fn(field, value) per pair. Returns the next
// cursor. Only for kHashtable (a listpack is returned whole with cursor 0).
template <typename Fn>
uint64_t HashScanStep(const HashRef& h, uint64_t cursor, Fn&& fn) {
  return h.dict()->Scan(cursor, [&](HashEntry*& e) { fn(HashEntryField(e), HashEntryValue(e)); });
}

}  // namespace ember
