#include "base/strutil.h"

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace ember {

bool ParseUint64(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() >= 21) return false;
  if (s.size() == 1 && s[0] == '0') {
    *out = 0;
    return true;
  }
  if (s[0] < '1' || s[0] > '9') return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

bool ParseInt64(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() >= 21) return false;
  if (s[0] != '-' && (s[0] < '0' || s[0] > '9')) return false;  // most strings stop here
  bool neg = false;
  std::string_view digits = s;
  if (s[0] == '-') {
    neg = true;
    digits = s.substr(1);
    if (digits.empty() || digits[0] == '0') return false;
  }
  uint64_t v;
  if (!ParseUint64(digits, &v)) return false;
  if (neg) {
    if (v > static_cast<uint64_t>(INT64_MAX) + 1) return false;
    *out = static_cast<int64_t>(0 - v);
  } else {
    if (v > static_cast<uint64_t>(INT64_MAX)) return false;
    *out = static_cast<int64_t>(v);
  }
  return true;
}

bool ParseDouble(std::string_view s, double* out) {
  if (s.empty() || s.size() > 5000 || std::isspace(static_cast<unsigned char>(s[0]))) return false;
  char buf[5001];
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  if (std::strlen(buf) != s.size()) return false;  // embedded NUL
  char* end;
  errno = 0;
  double v = std::strtod(buf, &end);
  if (static_cast<size_t>(end - buf) != s.size()) return false;
  if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL || std::fpclassify(v) == FP_ZERO))
    return false;
  if (std::isnan(v)) return false;
  *out = v;
  return true;
}

bool ParseLongDouble(std::string_view s, long double* out) {
  if (s.empty() || s.size() > 5000 || std::isspace(static_cast<unsigned char>(s[0]))) return false;
  char buf[5001];
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  if (std::strlen(buf) != s.size()) return false;
  char* end;
  errno = 0;
  long double v = std::strtold(buf, &end);
  if (static_cast<size_t>(end - buf) != s.size()) return false;
  if (errno == ERANGE && (v == HUGE_VALL || v == -HUGE_VALL || std::fpclassify(v) == FP_ZERO))
    return false;
  if (std::isnan(v)) return false;
  *out = v;
  return true;
}

size_t Int64ToChars(int64_t v, char* buf) {
  auto r = std::to_chars(buf, buf + 21, v);
  return static_cast<size_t>(r.ptr - buf);
}

std::string Int64ToString(int64_t v) {
  char buf[24];
  return std::string(buf, Int64ToChars(v, buf));
}

std::string DoubleToString(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (std::isnan(v)) return "nan";
  char buf[64];
  // Integral values within the exactly representable range print without exponent, as Redis does.
  if (v == std::floor(v) && std::fabs(v) < 9007199254740992.0) {
    int n = std::snprintf(buf, sizeof(buf), "%.0f", v);
    if (n == 2 && buf[0] == '-' && buf[1] == '0') return "-0";
    return std::string(buf, n);
  }
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, r.ptr - buf);
}

bool LongDoubleToHumanString(long double v, std::string* out) {
  if (std::isinf(v) || std::isnan(v)) return false;
  char buf[5600];
  int n = std::snprintf(buf, sizeof(buf), "%.17Lf", v);
  if (n <= 0 || static_cast<size_t>(n) >= sizeof(buf)) return false;
  if (std::strchr(buf, '.') != nullptr) {
    char* p = buf + n - 1;
    while (*p == '0') {
      p--;
      n--;
    }
    if (*p == '.') n--;
  }
  if (n == 2 && buf[0] == '-' && buf[1] == '0') {
    buf[0] = '0';
    n = 1;
  }
  out->assign(buf, n);
  return true;
}

namespace {
inline unsigned char Fold(unsigned char c, bool nocase) {
  return nocase ? static_cast<unsigned char>(std::tolower(c)) : c;
}

// Iterative-with-recursion-on-star matcher with the same semantics as Redis's stringmatchlen.
bool MatchImpl(const char* p, size_t plen, const char* s, size_t slen, bool nocase, int nesting) {
  if (nesting > 1000) return false;
  while (plen && slen) {
    switch (*p) {
      case '*':
        while (plen > 1 && p[1] == '*') {
          p++;
          plen--;
        }
        if (plen == 1) return true;
        while (slen) {
          if (MatchImpl(p + 1, plen - 1, s, slen, nocase, nesting + 1)) return true;
          s++;
          slen--;
        }
        return false;
      case '?':
        s++;
        slen--;
        break;
      case '[': {
        p++;
        plen--;
        bool negate = false;
        if (plen && *p == '^') {
          negate = true;
          p++;
          plen--;
        }
        bool match = false;
        while (true) {
          if (plen == 0) {
            // Unterminated class: Redis treats it as ending here.
            break;
          }
          if (*p == '\\' && plen >= 2) {
            p++;
            plen--;
            if (Fold(*p, nocase) == Fold(*s, nocase)) match = true;
          } else if (*p == ']') {
            break;
          } else if (plen >= 3 && p[1] == '-') {
            unsigned char start = Fold(p[0], nocase), end = Fold(p[2], nocase);
            unsigned char c = Fold(*s, nocase);
            if (start > end) std::swap(start, end);
            if (c >= start && c <= end) match = true;
            p += 2;
            plen -= 2;
          } else if (Fold(*p, nocase) == Fold(*s, nocase)) {
            match = true;
          }
          p++;
          plen--;
        }
        if (negate) match = !match;
        if (!match) return false;
        s++;
        slen--;
        break;
      }
      case '\\':
        if (plen >= 2) {
          p++;
          plen--;
        }
        [[fallthrough]];
      default:
        if (Fold(*p, nocase) != Fold(*s, nocase)) return false;
        s++;
        slen--;
        break;
    }
    if (plen == 0) break;  // pattern consumed by a class that ran to the end
    p++;
    plen--;
    if (slen == 0) {
      while (plen && *p == '*') {
        p++;
        plen--;
      }
      break;
    }
  }
  return plen == 0 && slen == 0;
}
}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view str, bool nocase) {
  return MatchImpl(pattern.data(), pattern.size(), str.data(), str.size(), nocase, 0);
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

std::string ToLower(std::string_view s) {
  std::string r(s);
  for (auto& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

std::string BytesToHuman(uint64_t n) {
  char buf[64];
  double d = static_cast<double>(n);
  static const char* const kUnits[] = {"K", "M", "G", "T", "P", "E"};
  if (n < 1024) {
    std::snprintf(buf, sizeof(buf), "%lluB", static_cast<unsigned long long>(n));
    return buf;
  }
  int u = -1;
  while (d >= 1024 && u < 5) {
    d /= 1024;
    u++;
  }
  std::snprintf(buf, sizeof(buf), "%.2f%s", d, kUnits[u]);
  return buf;
}

}  // namespace ember
