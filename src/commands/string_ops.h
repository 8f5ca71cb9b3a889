// The data part of the string commands: read-modify-write operations on a Database and pure
// helpers (GETRANGE slicing, LCS), independent of replies and sockets so they are unit-tested
// directly. The command handlers in string_family.cc parse, call these and reply.
//
// Encodings follow Redis exactly:
//   - a value stored from client input (SET, MSET, APPEND to a missing key) is int when it is a
//     long of <= 20 chars, embstr up to 44 bytes, raw above (ValueInit::FromString);
//   - INCR/DECR results are int (updated in place when the record already holds an int);
//   - INCRBYFLOAT results are strings (embstr <= 44 bytes, else raw), never int;
//   - APPEND and SETRANGE on an existing key leave a raw string, grown with Redis's sds greedy
//     policy (RawString::Reserve: double below 1 MB, else +1 MB); a non-raw value is first copied
//     to an exact-size raw string, as dbUnshareStringValue does.
//
// Every operation changes nothing when it fails. Lookups are write lookups (no hit/miss stats,
// lazy expiry of the key). Records returned by the database are not kept across calls.
//
// Thread safety: event-loop thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/database.h"

namespace ember::strops {

enum class OpResult : uint8_t {
  kOk,
  kWrongType,   // the key holds a non-string value
  kNotInteger,  // the stored value is not an integer (INCR family)
  kOverflow,    // the result would leave int64
  kNotFloat,    // the stored value or the increment is not a valid float
  kNanOrInf,    // INCRBYFLOAT result is NaN or infinite
  kTooLong,     // the result would exceed proto-max-bulk-len
};

// The exact Redis error text for a failed result.
std::string_view ErrorText(OpResult r);

// Length of a string record's value (digits of an int value).
size_t StringLength(const Record* r);

// INCRBY/DECRBY/INCR/DECR: *value receives the new value; *created tells whether the key was
// added. Keeps the TTL of an existing key.
OpResult IncrBy(Database& db, std::string_view key, int64_t delta, int64_t* value, bool* created);

// INCRBYFLOAT: `incr` is the client's argument (parsed after the stored value, as Redis does, so
// type errors win). *text receives the stored value, formatted like Redis's ld2string in human
// mode (%.17Lf without trailing zeros).
OpResult IncrByFloat(Database& db, std::string_view key, std::string_view incr, std::string* text,
                     bool* created);

// APPEND: *len receives the new length. `max_len` is proto-max-bulk-len.
OpResult Append(Database& db, std::string_view key, std::string_view value, int64_t max_len,
                size_t* len, bool* created);

// SETRANGE (offset >= 0): *len receives the resulting length; *modified is false when nothing was
// written (empty value: a missing key is not created and an existing one is unchanged).
OpResult SetRange(Database& db, std::string_view key, int64_t offset, std::string_view value,
                  int64_t max_len, size_t* len, bool* created, bool* modified);

// GETRANGE/SUBSTR slicing of `s` with Redis's index rules (negative from the end, clamped).
std::string_view Slice(std::string_view s, int64_t start, int64_t end);

// LCS of a and b by dynamic programming over an (|a|+1) x (|b|+1) table of uint32 (Redis's
// algorithm and tie-breaking, so IDX ranges match Redis's byte for byte).
struct LcsRange {
  uint32_t a_start, a_end, b_start, b_end;
  uint32_t len() const { return a_end - a_start + 1; }
};
struct LcsResult {
  uint32_t len = 0;               // length of the LCS
  std::string lcs;                // the subsequence itself (when want_string)
  std::vector<LcsRange> ranges;   // matched ranges, last first (when want_ranges), filtered by
                                  // min_match_len
};
enum class LcsStatus : uint8_t { kOk, kTooLong, kNoMemory };
// kTooLong: a string of >= 2^32 - 2 bytes ("ERR String too long for LCS"); kNoMemory: the table
// cannot be allocated ("ERR Insufficient memory, failed allocating transient memory for LCS").
LcsStatus Lcs(std::string_view a, std::string_view b, bool want_string, bool want_ranges,
              int64_t min_match_len, LcsResult* out);

}  // namespace ember::strops
