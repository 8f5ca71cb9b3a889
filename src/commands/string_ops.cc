// String read-modify-write operations and LCS. See string_ops.h for the encoding rules.
//
// LCS: dp[i][j] = LCS length of a[0..i) and b[0..j), a row-major (|a|+1) x (|b|+1) uint32 table.
// The backtrack walks from (|a|, |b|): on equal bytes it takes the byte and steps diagonally,
// otherwise it steps towards the larger neighbour (up when dp[i-1][j] > dp[i][j-1], else left).
// Matched bytes on consecutive diagonal steps form one range; a range is closed when the walk
// leaves the diagonal or reaches the first byte of either string, so ranges come out last first.
#include "commands/string_ops.h"

#include <cmath>
#include <cstring>

#include "base/strutil.h"
#include "memory/alloc.h"
#include "proto/errors.h"

namespace ember::strops {

namespace {
constexpr size_t kMaxPrealloc = 1024 * 1024;  // Redis's SDS_MAX_PREALLOC

// Capacity sdsMakeRoomFor picks when a string must hold `need` bytes.
size_t GreedyCapacity(size_t need) { return need < kMaxPrealloc ? need * 2 : need + kMaxPrealloc; }

size_t Digits(int64_t v) {
  char buf[24];
  return Int64ToChars(v, buf);
}

// A raw copy of a record's string value, exact size plus `reserve` capacity (Redis's
// dbUnshareStringValue followed by the caller's growth).
RawString* UnshareToRaw(const Record* r, size_t reserve) {
  char buf[24];
  return RawString::New(r->StringValue(buf), reserve);
}
}  // namespace

std::string_view ErrorText(OpResult r) {
  switch (r) {
    case OpResult::kOk: break;
    case OpResult::kWrongType: return proto::kErrWrongType;
    case OpResult::kNotInteger: return proto::kErrNotInteger;
    case OpResult::kOverflow: return proto::kErrOverflow;
    case OpResult::kNotFloat: return proto::kErrNotFloat;
    case OpResult::kNanOrInf: return proto::kErrIncrNanOrInf;
    case OpResult::kTooLong: return proto::kErrStringTooLong;
  }
  return "ERR";
}

size_t StringLength(const Record* r) {
  switch (r->encoding()) {
    case Encoding::kInt: return Digits(r->int_value());
    case Encoding::kEmbstr: return r->embstr().size();
    default: return r->as<RawString>()->len;
  }
}

OpResult IncrBy(Database& db, std::string_view key, int64_t delta, int64_t* value,
                bool* created) {
  Record* r = db.LookupWrite(key);
  int64_t old = 0;
  if (r) {
    if (r->type() != ObjType::kString) return OpResult::kWrongType;
    if (r->encoding() == Encoding::kInt) {
      old = r->int_value();
    } else {
      char buf[24];
      if (!ParseInt64(r->StringValue(buf), &old)) return OpResult::kNotInteger;
    }
  }
  int64_t v;
  if (__builtin_add_overflow(old, delta, &v)) return OpResult::kOverflow;
  *value = v;
  *created = r == nullptr;
  if (!r) {
    db.Add(key, ValueInit::Int(v));
  } else if (r->encoding() == Encoding::kInt) {
    r->set_int_value(v);
  } else {
    if (r->encoding() == Encoding::kRaw) RawString::Free(r->as<RawString>());
    db.ReplaceValue(r, ValueInit::Int(v));
  }
  return OpResult::kOk;
}

OpResult IncrByFloat(Database& db, std::string_view key, std::string_view incr, std::string* text,
                     bool* created) {
  Record* r = db.LookupWrite(key);
  long double value = 0;
  if (r) {
    if (r->type() != ObjType::kString) return OpResult::kWrongType;
    if (r->encoding() == Encoding::kInt) {
      value = static_cast<long double>(r->int_value());
    } else {
      char buf[24];
      if (!ParseLongDouble(r->StringValue(buf), &value)) return OpResult::kNotFloat;
    }
  }
  long double by;
  if (!ParseLongDouble(incr, &by)) return OpResult::kNotFloat;
  value += by;
  if (std::isnan(value) || std::isinf(value)) return OpResult::kNanOrInf;
  if (!LongDoubleToHumanString(value, text)) return OpResult::kNanOrInf;
  ValueInit v = text->size() <= kEmbstrSizeLimit
                    ? ValueInit::Embstr(*text)
                    : ValueInit::Ptr(ObjType::kString, Encoding::kRaw, RawString::New(*text));
  *created = r == nullptr;
  if (!r) {
    db.Add(key, v);
  } else {
    if (r->encoding() == Encoding::kRaw) RawString::Free(r->as<RawString>());
    db.ReplaceValue(r, v);
  }
  return OpResult::kOk;
}

OpResult Append(Database& db, std::string_view key, std::string_view value, int64_t max_len,
                size_t* len, bool* created) {
  Record* r = db.LookupWrite(key);
  if (!r) {
    db.Add(key, ValueInit::FromString(value));
    *len = value.size();
    *created = true;
    return OpResult::kOk;
  }
  if (r->type() != ObjType::kString) return OpResult::kWrongType;
  size_t cur = StringLength(r);
  size_t total = cur + value.size();
  if (static_cast<int64_t>(total) > max_len) return OpResult::kTooLong;
  *created = false;
  *len = total;
  if (r->encoding() == Encoding::kRaw) {
    RawString* rs = RawString::Reserve(r->as<RawString>(), total);
    if (!value.empty()) std::memcpy(rs->data() + rs->len, value.data(), value.size());
    rs->len = total;
    r->set_ptr(rs);
    return OpResult::kOk;
  }
  // int/embstr: an exact copy made raw, then sdscatlen's greedy growth - in one allocation.
  RawString* rs = UnshareToRaw(r, GreedyCapacity(total));
  std::memcpy(rs->data() + rs->len, value.data(), value.size());
  rs->len = total;
  db.ReplaceValue(r, ValueInit::Ptr(ObjType::kString, Encoding::kRaw, rs));
  return OpResult::kOk;
}

OpResult SetRange(Database& db, std::string_view key, int64_t offset, std::string_view value,
                  int64_t max_len, size_t* len, bool* created, bool* modified) {
  Record* r = db.LookupWrite(key);
  *created = false;
  *modified = false;
  if (!r) {
    if (value.empty()) {
      *len = 0;
      return OpResult::kOk;
    }
    if (offset > max_len - static_cast<int64_t>(value.size())) return OpResult::kTooLong;
    size_t total = static_cast<size_t>(offset) + value.size();
    auto* rs = RawString::New({}, total);
    std::memset(rs->data(), 0, static_cast<size_t>(offset));
    std::memcpy(rs->data() + offset, value.data(), value.size());
    rs->len = total;
    db.Add(key, ValueInit::Ptr(ObjType::kString, Encoding::kRaw, rs));
    *len = total;
    *created = true;
    *modified = true;
    return OpResult::kOk;
  }
  if (r->type() != ObjType::kString) return OpResult::kWrongType;
  size_t cur = StringLength(r);
  if (value.empty()) {
    *len = cur;
    return OpResult::kOk;
  }
  if (offset > max_len - static_cast<int64_t>(value.size())) return OpResult::kTooLong;
  size_t need = static_cast<size_t>(offset) + value.size();
  RawString* rs;
  if (r->encoding() == Encoding::kRaw) {
    rs = r->as<RawString>();
  } else {
    rs = UnshareToRaw(r, 0);
    r = db.ReplaceValue(r, ValueInit::Ptr(ObjType::kString, Encoding::kRaw, rs));
  }
  if (need > rs->len) {
    rs = RawString::Reserve(rs, need);  // sdsgrowzero: greedy growth, zero-filled gap
    std::memset(rs->data() + rs->len, 0, need - rs->len);
    rs->len = need;
    r->set_ptr(rs);
  }
  std::memcpy(rs->data() + offset, value.data(), value.size());
  *len = rs->len;
  *modified = true;
  return OpResult::kOk;
}

std::string_view Slice(std::string_view s, int64_t start, int64_t end) {
  int64_t n = static_cast<int64_t>(s.size());
  if (start < 0 && end < 0 && start > end) return {};
  if (start < 0) start += n;
  if (end < 0) end += n;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= n) end = n - 1;
  if (start > end || n == 0) return {};
  return s.substr(static_cast<size_t>(start), static_cast<size_t>(end - start + 1));
}

LcsStatus Lcs(std::string_view a, std::string_view b, bool want_string, bool want_ranges,
              int64_t min_match_len, LcsResult* out) {
  if (a.size() >= UINT32_MAX - 1 || b.size() >= UINT32_MAX - 1) return LcsStatus::kTooLong;
  const uint32_t alen = static_cast<uint32_t>(a.size());
  const uint32_t blen = static_cast<uint32_t>(b.size());
  const size_t cols = static_cast<size_t>(blen) + 1;
  unsigned __int128 cells = static_cast<unsigned __int128>(alen + 1ull) * cols;
  if (cells * sizeof(uint32_t) >= (static_cast<unsigned __int128>(1) << 46)) {
    return LcsStatus::kNoMemory;  // 64 TB: beyond any machine; Redis's malloc would fail too
  }
  auto* dp = static_cast<uint32_t*>(mem::Allocate(static_cast<size_t>(cells) * sizeof(uint32_t)));
  auto at = [&](uint32_t i, uint32_t j) -> uint32_t& { return dp[i * cols + j]; };
  for (uint32_t j = 0; j <= blen; j++) at(0, j) = 0;
  for (uint32_t i = 1; i <= alen; i++) {
    at(i, 0) = 0;
    const char ai = a[i - 1];
    for (uint32_t j = 1; j <= blen; j++) {
      if (ai == b[j - 1]) {
        at(i, j) = at(i - 1, j - 1) + 1;
      } else {
        uint32_t up = at(i - 1, j), left = at(i, j - 1);
        at(i, j) = up > left ? up : left;
      }
    }
  }
  out->len = at(alen, blen);
  out->lcs.clear();
  out->ranges.clear();
  if (want_string || want_ranges) {
    uint32_t idx = out->len;
    if (want_string) out->lcs.assign(idx, '\0');
    uint32_t min_len = min_match_len < 0 ? 0
                       : min_match_len > UINT32_MAX ? UINT32_MAX
                                                     : static_cast<uint32_t>(min_match_len);
    bool open = false;
    LcsRange cur{};
    uint32_t i = alen, j = blen;
    while (i > 0 && j > 0) {
      bool close = false;
      if (a[i - 1] == b[j - 1]) {
        if (want_string) out->lcs[idx - 1] = a[i - 1];
        if (!open) {
          cur = {i - 1, i - 1, j - 1, j - 1};
          open = true;
        } else {
          // Consecutive diagonal steps always extend the open range backwards.
          cur.a_start--;
          cur.b_start--;
        }
        if (cur.a_start == 0 || cur.b_start == 0) close = true;
        idx--;
        i--;
        j--;
      } else {
        if (at(i - 1, j) > at(i, j - 1)) {
          i--;
        } else {
          j--;
        }
        if (open) close = true;
      }
      if (close) {
        if (want_ranges && (min_len == 0 || cur.len() >= min_len)) out->ranges.push_back(cur);
        open = false;
      }
    }
  }
  mem::Free(dp);
  return LcsStatus::kOk;
}

}  // namespace ember::strops
