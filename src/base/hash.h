// Byte hashing for every hash table in Ember (keyspace, hash/set/zset values, command table).
//
// HashBytes is XXH3-64 keyed with a process-wide seed. The seed is chosen once at start-up from
// getrandom() (InitHashSeedRandomly), so a client cannot precompute a set of keys that land in one
// bucket chain of a running server. Tests and tools may fix it with SetHashSeed for reproducibility.
//
// Caveat: XXH3 is a fast non-cryptographic hash. A random seed defeats precomputed collision sets
// and keeps bucket placement unpredictable, which is the attack surface a Redis-like server has
// (Redis uses SipHash for the same purpose); it is not a MAC.
//
// Thread safety: the seed is written only before other threads start (InitHashSeedRandomly at
// start-up, SetHashSeed in tests); all hashing functions are pure and callable from any thread and
// from a fork child (which inherits the seed, so its hashes match the parent's).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ember {

// Sets the process-wide seed. Call before any table is populated: existing tables would become
// unsearchable (their entries were placed with the old seed).
void SetHashSeed(uint64_t seed);
uint64_t HashSeed();
// Seeds from getrandom(); falls back to time and pid mixing if getrandom is unavailable.
void InitHashSeedRandomly();

// 64-bit hash of `len` bytes at `data` (data may be null when len == 0).
uint64_t HashBytes(const void* data, size_t len);
inline uint64_t HashBytes(std::string_view s) { return HashBytes(s.data(), s.size()); }

// Hash of the ASCII-lowercased bytes: HashBytesNoCase("GET") == HashBytesNoCase("get") ==
// HashBytes("get"). Only A-Z are folded (command names, config names), as strcasecmp does in "C".
uint64_t HashBytesNoCase(const void* data, size_t len);
inline uint64_t HashBytesNoCase(std::string_view s) { return HashBytesNoCase(s.data(), s.size()); }

// ASCII case-insensitive equality matching HashBytesNoCase.
bool EqualsNoCase(std::string_view a, std::string_view b);

}  // namespace ember
