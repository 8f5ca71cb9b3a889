// String and number helpers with Redis's exact parsing rules, shared by commands, config and formats.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ember {

// Redis's string2ll: strict base-10 int64. Rejects empty input, leading '+', spaces, leading zeros
// ("01", "-0"), trailing bytes, overflow, and inputs of 21 bytes or more.
bool ParseInt64(std::string_view s, int64_t* out);
// Same rules for unsigned values (no sign accepted).
bool ParseUint64(std::string_view s, uint64_t* out);
// Redis's string2d: strtod over the whole input; rejects empty input, a leading space, trailing
// bytes, NaN, and overflow to +-inf or underflow to 0 (ERANGE). "inf"/"-inf" are accepted.
bool ParseDouble(std::string_view s, double* out);
// Same for long double (INCRBYFLOAT, HINCRBYFLOAT).
bool ParseLongDouble(std::string_view s, long double* out);

// Decimal text of v (what Redis's ll2string writes).
std::string Int64ToString(int64_t v);
// Writes v into buf (>= 21 bytes), returns the length.
size_t Int64ToChars(int64_t v, char* buf);

// Shortest text that parses back to the same double (Redis 7.2's reply format for scores):
// "inf", "-inf", "nan"; integral values up to 2^53 without exponent.
std::string DoubleToString(double v);
// Redis's ld2string in LD_STR_HUMAN mode (INCRBYFLOAT): "%.17Lf", then trailing zeros and a
// trailing dot removed; "-0" becomes "0". Returns false for inf/nan.
bool LongDoubleToHumanString(long double v, std::string* out);

// Redis's stringmatchlen: glob match with *, ?, [abc], [^abc], [a-z], and backslash escapes.
bool GlobMatch(std::string_view pattern, std::string_view str, bool nocase = false);

// ASCII case-insensitive equality and lower-casing.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
std::string ToLower(std::string_view s);

// Human-readable byte counts as INFO prints them: "917.39K", "1.00M", "12B".
std::string BytesToHuman(uint64_t n);

}  // namespace ember
