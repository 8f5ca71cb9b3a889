// intset: a sorted array of distinct integers in Redis's exact layout, so RDB (SET_INTSET, type 11)
// and DUMP carry the blob as it is in memory.
//
//   <encoding:u32le> <length:u32le> <value 0> <value 1> ... <value length-1>
//
//   encoding is the byte width of every value: 2 (int16), 4 (int32) or 8 (int64); values are
//   little-endian, strictly ascending. Adding a value that needs a wider encoding rewrites every value
//   at the new width ("upgrade"); removing never narrows it again (as in Redis).
//
// Cost of one element: 2, 4 or 8 bytes (the current encoding), plus the 8-byte header for the whole
// set and allocator rounding (the buffer is reallocated to exactly 8 + length*encoding on each change).
//
// Ownership: a plain byte buffer from ember::mem::Allocate owned by the caller; mutators may move it
// and return the new pointer. Not thread-safe; readers may share an unchanging intset.
// Complexity: Find O(log n); Add/Remove O(n) (memmove + realloc); upgrade O(n).
#pragma once

#include <cstddef>
#include <cstdint>

namespace ember::intset {

inline constexpr size_t kHeaderSize = 8;
inline constexpr uint32_t kEncInt16 = 2;
inline constexpr uint32_t kEncInt32 = 4;
inline constexpr uint32_t kEncInt64 = 8;

uint8_t* New();                 // empty set, int16 encoding
void Free(uint8_t* is);         // is may be null
uint8_t* Dup(const uint8_t* is);
uint8_t* FromBlob(const void* data, size_t size);  // caller validates first

// The smallest encoding that holds v.
uint32_t ValueEncoding(int64_t v);

// Adds v; *added (optional) tells whether it was new.
[[nodiscard]] uint8_t* Add(uint8_t* is, int64_t v, bool* added = nullptr);
// Removes v; *removed (optional) tells whether it was present.
[[nodiscard]] uint8_t* Remove(uint8_t* is, int64_t v, bool* removed = nullptr);
bool Find(const uint8_t* is, int64_t v);
// Binary search: true and *pos = index if found, else false and *pos = insertion point.
bool Search(const uint8_t* is, int64_t v, uint32_t* pos);

uint32_t Length(const uint8_t* is);
uint32_t Encoding(const uint8_t* is);
size_t Bytes(const uint8_t* is);  // 8 + length * encoding
// Value at pos; false if pos >= Length.
bool Get(const uint8_t* is, uint32_t pos, int64_t* v);
int64_t GetUnchecked(const uint8_t* is, uint32_t pos);
// A uniformly random member; the set must not be empty. Uses the thread-local PRNG of lp::RandomU64.
int64_t Random(const uint8_t* is);
int64_t Min(const uint8_t* is);  // set must not be empty
int64_t Max(const uint8_t* is);

// Checks an untrusted blob (RDB, RESTORE). Shallow: size >= 8, encoding is 2/4/8, the size equals
// 8 + length*encoding, and the set is not empty (Redis rejects empty intsets on load). Deep also checks
// the values are strictly ascending. Never reads outside [blob, blob+size).
bool ValidateIntset(const uint8_t* blob, size_t size, bool deep);

}  // namespace ember::intset
