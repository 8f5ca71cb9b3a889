// DEBUG DIGEST and DEBUG DIGEST-VALUE, computed exactly as Redis computes them (debug.c), so the
// same dataset has the same digest on Ember and on Redis:
//
//   xor(d, bytes):  d ^= SHA1(bytes)            (order-independent: sets, hash fields, keys)
//   mix(d, bytes):  xor(d, bytes); d = SHA1(d)   (order-dependent: list elements)
//   dataset:        for each non-empty db j: mix(final, htonl(j)); for each key:
//                     kd = 0; mix(kd, key); mix(kd, htonl(type)); value part; if TTL:
//                     xor(kd, "!!expire!!"); xor(final, kd)
//   value part:     string: mix(kd, value) | list: mix(kd, e) per element in order |
//                   set: xor(kd, m) per member | hash: ed = 0, mix(ed, field), mix(ed, value),
//                   xor(kd, ed) per field | zset: ed = 0, mix(ed, member), mix(ed, "%.17g" of the
//                   score), xor(kd, ed) per member (Redis 7.0's score text, so digests match the
//                   Redis 7.0 that Debian ships)
// An empty dataset digests to 40 zeros. SHA-1 comes from libcrypto (Debian's OpenSSL).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/database.h"

namespace ember {

// 40 hex characters.
std::string DatasetDigest(std::vector<std::unique_ptr<Database>>& dbs);
// The digest of one key's value (DEBUG DIGEST-VALUE), 40 hex characters; a missing key gives
// 40 zeros.
std::string ValueDigest(const Record* r);

}  // namespace ember
