// Helpers shared by the unit tests: bytes <-> hex text, for comparing encodings with the blobs
// Redis produces (DUMP payloads, listpacks, intsets).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ember::test_util {

// Lower-case hex of the bytes, two digits each, no separators.
inline std::string Hex(std::string_view bytes) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(d[c >> 4]);
    out.push_back(d[c & 15]);
  }
  return out;
}
inline std::string Hex(const void* p, size_t n) {
  return Hex(std::string_view(static_cast<const char*>(p), n));
}

// "00 c1 39" or "00c139" -> bytes. Anything that is not a hex digit is ignored.
inline std::string Unhex(std::string_view hex) {
  std::string out;
  int hi = -1;
  for (char c : hex) {
    int v;
    if (c >= '0' && c <= '9') v = c - '0';
    else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    else continue;
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<char>(hi * 16 + v));
      hi = -1;
    }
  }
  return out;
}

}  // namespace ember::test_util
