// Key record construction and the string value helpers. See object.h for the layout.
#include "core/object.h"

#include "base/assert.h"
#include "base/strutil.h"
#include "core/value_free.h"
#include "memory/alloc.h"

namespace ember {

const char* TypeName(ObjType t) {
  switch (t) {
    case ObjType::kString: return "string";
    case ObjType::kList: return "list";
    case ObjType::kSet: return "set";
    case ObjType::kZSet: return "zset";
    case ObjType::kHash: return "hash";
    case ObjType::kStream: return "stream";
  }
  return "none";
}

const char* EncodingName(Encoding e) {
  switch (e) {
    case Encoding::kRaw: return "raw";
    case Encoding::kInt: return "int";
    case Encoding::kHashtable: return "hashtable";
    case Encoding::kIntset: return "intset";
    case Encoding::kSkiplist: return "skiplist";
    case Encoding::kEmbstr: return "embstr";
    case Encoding::kQuicklist: return "quicklist";
    case Encoding::kListpack: return "listpack";
  }
  return "unknown";
}

// ---- RawString -------------------------------------------------------------------------------

size_t RawString::capacity() const { return mem::UsableSize(this) - sizeof(RawString); }

RawString* RawString::New(std::string_view s, size_t reserve) {
  size_t cap = s.size() > reserve ? s.size() : reserve;
  auto* r = static_cast<RawString*>(mem::Allocate(sizeof(RawString) + cap));
  r->len = s.size();
  if (!s.empty()) std::memcpy(r->data(), s.data(), s.size());
  return r;
}

RawString* RawString::Reserve(RawString* s, size_t need) {
  if (s->capacity() >= need) return s;
  constexpr size_t kMaxPrealloc = 1024 * 1024;  // SDS_MAX_PREALLOC
  size_t newlen = need < kMaxPrealloc ? need * 2 : need + kMaxPrealloc;
  return static_cast<RawString*>(mem::Reallocate(s, sizeof(RawString) + newlen));
}

void RawString::Free(RawString* s) { mem::Free(s); }

ValueInit ValueInit::FromString(std::string_view v) {
  int64_t n;
  if (v.size() <= 20 && ParseInt64(v, &n)) return Int(n);
  if (v.size() <= kEmbstrSizeLimit) return Embstr(v);
  return Ptr(ObjType::kString, Encoding::kRaw, RawString::New(v));
}

// ---- Record ----------------------------------------------------------------------------------

size_t Record::ValueSize(const ValueInit& v) {
  switch (v.encoding) {
    case Encoding::kInt: return 8;
    case Encoding::kEmbstr: return 1 + v.s.size();
    default: return sizeof(void*);
  }
}

namespace {
void WriteValue(uint8_t* val, const ValueInit& v) {
  switch (v.encoding) {
    case Encoding::kInt: std::memcpy(val, &v.i, 8); break;
    case Encoding::kEmbstr:
      val[0] = static_cast<uint8_t>(v.s.size());
      if (!v.s.empty()) std::memcpy(val + 1, v.s.data(), v.s.size());
      break;
    default: std::memcpy(val, &v.ptr, sizeof(void*)); break;
  }
}

uint32_t MakeHeader(const ValueInit& v, bool has_expire, uint32_t lru) {
  return static_cast<uint32_t>(v.type) | (static_cast<uint32_t>(v.encoding) << 3) |
         (has_expire ? 0x80u : 0u) | ((lru & kLruMax) << 8);
}
}  // namespace

Record* Record::Build(uint8_t* p, std::string_view key, uint32_t lru, const ValueInit& v,
                      bool has_expire, int64_t expire_ms) {
  EMBER_DCHECK(v.encoding != Encoding::kEmbstr || v.s.size() <= 255);
  uint32_t header = MakeHeader(v, has_expire, lru);
  std::memcpy(p, &header, 4);
  uint8_t* q = p + kHeaderSize;
  if (has_expire) {
    if (NeedsWideExpire(expire_ms)) {
      Store48(q, kWideExpire);
      std::memcpy(q + 6, &expire_ms, 8);
      q += 14;
    } else {
      Store48(q, static_cast<uint64_t>(expire_ms));
      q += 6;
    }
  }
  uint32_t klen = static_cast<uint32_t>(key.size());
  if (klen < 0x80) {
    *q++ = static_cast<uint8_t>(klen);
  } else {
    *q++ = 0x80;
    std::memcpy(q, &klen, 4);
    q += 4;
  }
  if (klen) std::memcpy(q, key.data(), klen);
  WriteValue(q + klen, v);
  return reinterpret_cast<Record*>(p);
}

Record* Record::New(std::string_view key, const ValueInit& v, bool has_expire, int64_t expire_ms) {
  auto* p = static_cast<uint8_t*>(mem::Allocate(TotalSize(key.size(), v, has_expire, expire_ms)));
  return Build(p, key, 0, v, has_expire, expire_ms);
}

void Record::FreeShell(Record* r) { mem::Free(r); }

void Record::Free(Record* r) {
  if (!r) return;
  Encoding e = r->encoding();
  if (e != Encoding::kInt && e != Encoding::kEmbstr) FreeValue(r->type(), e, r->ptr());
  mem::Free(r);
}

bool Record::FitsInPlace(const Record* r, const ValueInit& v) {
  std::string_view key = r->key();
  size_t prefix = static_cast<size_t>(reinterpret_cast<const uint8_t*>(key.data()) + key.size() -
                                      r->bytes());
  return prefix + ValueSize(v) <= mem::UsableSize(r);
}

Record* Record::ReplaceValue(Record* old, const ValueInit& v) {
  std::string_view key = old->key();
  size_t prefix = static_cast<size_t>(reinterpret_cast<const uint8_t*>(key.data()) + key.size() -
                                      old->bytes());
  if (FitsInPlace(old, v)) {
    // In place: header (type/encoding) and value bytes change; key, TTL and LRU stay.
    uint32_t h = MakeHeader(v, old->has_expire(), old->lru());
    old->set_header(h);
    WriteValue(old->bytes() + prefix, v);
    return old;
  }
  auto* p = static_cast<uint8_t*>(mem::Allocate(prefix + ValueSize(v)));
  std::memcpy(p, old, prefix);
  auto* r = reinterpret_cast<Record*>(p);
  r->set_header(MakeHeader(v, old->has_expire(), old->lru()));
  WriteValue(p + prefix, v);
  mem::Free(old);
  return r;
}

Record* Record::WithExpire(Record* r, bool has_expire, int64_t expire_ms) {
  if (r->has_expire() == has_expire) {
    if (!has_expire || r->set_expire_ms(expire_ms)) return r;
  }
  ValueInit v = r->Value();
  std::string_view key = r->key();
  // Build into a fresh allocation: the key and embedded value alias the old one.
  auto* p = static_cast<uint8_t*>(mem::Allocate(TotalSize(key.size(), v, has_expire, expire_ms)));
  Record* n = Build(p, key, r->lru(), v, has_expire, expire_ms);
  mem::Free(r);
  return n;
}

ValueInit Record::Value() const {
  ValueInit v;
  v.type = type();
  v.encoding = encoding();
  switch (v.encoding) {
    case Encoding::kInt: v.i = int_value(); break;
    case Encoding::kEmbstr: v.s = embstr(); break;
    default: v.ptr = ptr(); break;
  }
  return v;
}

std::string_view Record::StringValue(char* buf) const {
  switch (encoding()) {
    case Encoding::kInt: return {buf, Int64ToChars(int_value(), buf)};
    case Encoding::kEmbstr: return embstr();
    default: return as<RawString>()->view();
  }
}

size_t Record::AllocSize() const { return mem::UsableSize(this); }

}  // namespace ember
