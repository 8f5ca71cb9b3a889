// Hash values: the two encodings behind one set of operations; see hash_value.h.
#include "core/hash_value.h"

#include <algorithm>
#include <cstring>
#include <unordered_set>

#include "base/assert.h"
#include "memory/alloc.h"
#include "types/listpack.h"

namespace ember {

// ---- HashEntry ----

namespace {

size_t EntrySize(size_t flen, size_t vlen) {
  return hpack::StrHeaderSize(flen) + flen + hpack::StrHeaderSize(vlen) + vlen;
}

void WriteEntry(uint8_t* p, std::string_view field, std::string_view value) {
  size_t off = hpack::WriteStrHeader(p, field.size());
  std::memcpy(p + off, field.data(), field.size());
  off += field.size();
  off += hpack::WriteStrHeader(p + off, value.size());
  if (!value.empty()) std::memcpy(p + off, value.data(), value.size());
}

// Replaces the value of `e`: in place when the new size keeps the allocation's class, else a new
// entry (the old one is freed). Returns the entry to store in the table slot.
HashEntry* SetEntryValue(HashEntry* e, std::string_view value) {
  std::string_view field = HashEntryField(e);
  size_t need = EntrySize(field.size(), value.size());
  if (mem::SizeClassOf(need) == mem::UsableSize(e)) {
    size_t off = static_cast<size_t>(reinterpret_cast<const uint8_t*>(field.data()) + field.size() -
                                     e->bytes);
    off += hpack::WriteStrHeader(e->bytes + off, value.size());
    if (!value.empty()) std::memmove(e->bytes + off, value.data(), value.size());
    return e;
  }
  HashEntry* n = NewHashEntry(field, value);
  FreeHashEntry(e);
  return n;
}

HashDict* NewDict(size_t expected) {
  HashDict* d = new HashDict();
  if (expected) d->Expand(expected);
  return d;
}

void FreeDict(HashDict* d) {
  d->Clear([](HashEntry* e) { FreeHashEntry(e); });
  delete d;
}

}  // namespace

HashEntry* NewHashEntry(std::string_view field, std::string_view value) {
  auto* e = static_cast<HashEntry*>(mem::Allocate(EntrySize(field.size(), value.size())));
  WriteEntry(e->bytes, field, value);
  return e;
}

void FreeHashEntry(HashEntry* e) { mem::Free(e); }

// ---- whole values ----

void FreeHashValue(Encoding enc, void* ptr) {
  switch (enc) {
    case Encoding::kListpack: hpack::Free(static_cast<uint8_t*>(ptr)); return;
    case Encoding::kHashtable: FreeDict(static_cast<HashDict*>(ptr)); return;
    default: break;
  }
  EMBER_PANIC("FreeHashValue: bad encoding %d", static_cast<int>(enc));
}

size_t HashFreeEffort(Encoding enc, const void* ptr) {
  if (enc == Encoding::kHashtable) return static_cast<const HashDict*>(ptr)->Size();
  return 1;
}

void* DupHashValue(Encoding enc, const void* ptr) {
  if (enc == Encoding::kListpack) return hpack::Dup(static_cast<const uint8_t*>(ptr));
  EMBER_CHECK(enc == Encoding::kHashtable);
  const HashDict* src = static_cast<const HashDict*>(ptr);
  HashDict* d = NewDict(src->Size());
  src->ForEach([&](HashEntry* e) {
    d->Insert(NewHashEntry(HashEntryField(e), HashEntryValue(e)));
  });
  return d;
}

size_t HashValueMemory(Encoding enc, const void* ptr, size_t samples) {
  if (enc == Encoding::kListpack) return mem::UsableSize(ptr);
  EMBER_CHECK(enc == Encoding::kHashtable);
  HashDict* d = const_cast<HashDict*>(static_cast<const HashDict*>(ptr));
  size_t total = mem::UsableSize(d) + d->MemoryUsage();
  size_t n = 0, bytes = 0;
  auto it = d->MakeIterator();
  HashEntry* e;
  while ((samples == 0 || n < samples) && it.Next(&e)) {
    bytes += mem::UsableSize(e);
    n++;
  }
  if (n) total += static_cast<size_t>(static_cast<double>(bytes) / n * d->Size());
  return total;
}

// ---- operations ----

HashRef NewHash() { return HashRef{Encoding::kListpack, hpack::New()}; }

size_t HashLength(const HashRef& h) {
  return h.enc == Encoding::kListpack ? hpack::Count(h.packed()) : h.dict()->Size();
}

bool HashGet(const HashRef& h, std::string_view field, hpack::Scratch* scratch,
             std::string_view* value) {
  if (h.enc == Encoding::kListpack) {
    const uint8_t* f = hpack::Find(h.packed(), hpack::Key(field));
    if (!f) return false;
    *value = hpack::Get(hpack::Next(f), scratch);
    return true;
  }
  HashEntry* e = h.dict()->Get(field);
  if (!e) return false;
  *value = HashEntryValue(e);
  return true;
}

bool HashExists(const HashRef& h, std::string_view field) {
  if (h.enc == Encoding::kListpack) return hpack::Find(h.packed(), hpack::Key(field)) != nullptr;
  return h.dict()->Get(field) != nullptr;
}

size_t HashStrlen(const HashRef& h, std::string_view field) {
  if (h.enc == Encoding::kListpack) {
    const uint8_t* f = hpack::Find(h.packed(), hpack::Key(field));
    return f ? hpack::TextLength(hpack::Next(f)) : 0;
  }
  HashEntry* e = h.dict()->Get(field);
  return e ? HashEntryValue(e).size() : 0;
}

void HashConvertToDict(HashRef* h, size_t size_hint) {
  if (h->enc != Encoding::kListpack) return;
  uint8_t* hp = h->packed();
  HashDict* d = NewDict(std::max(size_hint, hpack::Count(hp)));
  hpack::Scratch sf, sv;
  hpack::ForEachPair(hp, [&](const uint8_t* f, const uint8_t* v) {
    bool ok = d->Insert(NewHashEntry(hpack::Get(f, &sf), hpack::Get(v, &sv)));
    EMBER_CHECK(ok);  // a listpack hash never holds a field twice
    return true;
  });
  hpack::Free(hp);
  h->enc = Encoding::kHashtable;
  h->ptr = d;
}

void HashTryConversion(HashRef* h, std::span<const std::string_view> fv, const HashLimits& lim) {
  if (h->enc != Encoding::kListpack) return;
  size_t new_fields = fv.size() / 2;
  if (new_fields > lim.max_listpack_entries) {
    HashConvertToDict(h, new_fields);
    return;
  }
  size_t sum = 0;
  for (std::string_view s : fv) {
    if (s.size() > lim.max_listpack_value) {
      HashConvertToDict(h);
      return;
    }
    sum += s.size();
  }
  if (sum + hpack::ListpackBytesBound(h->packed()) > lp::kMaxSafetySize) HashConvertToDict(h);
}

bool HashSet(HashRef* h, std::string_view field, std::string_view value, const HashLimits& lim) {
  if (h->enc == Encoding::kListpack &&
      (field.size() > lim.max_listpack_value || value.size() > lim.max_listpack_value)) {
    HashConvertToDict(h);
  }
  if (h->enc == Encoding::kListpack) {
    bool inserted;
    h->ptr = hpack::Set(h->packed(), hpack::Key(field), hpack::Key(value), &inserted);
    if (inserted && hpack::Count(h->packed()) > lim.max_listpack_entries) HashConvertToDict(h);
    return inserted;
  }
  HashDict* d = h->dict();
  HashDict::InsertPosition pos;
  HashEntry** existing = nullptr;
  if (d->FindPositionForInsert(field, &pos, &existing)) {
    d->InsertAtPosition(pos, NewHashEntry(field, value));
    return true;
  }
  *existing = SetEntryValue(*existing, value);
  return false;
}

bool HashDelete(HashRef* h, std::string_view field) {
  if (h->enc == Encoding::kListpack) {
    bool deleted;
    h->ptr = hpack::Delete(h->packed(), hpack::Key(field), &deleted);
    return deleted;
  }
  HashEntry* e = h->dict()->Delete(field);
  if (!e) return false;
  FreeHashEntry(e);
  return true;
}

// ---- persistence ----

void HashToListpack(const HashRef& h, std::string* out) {
  EMBER_CHECK(h.enc == Encoding::kListpack);
  hpack::ToListpack(h.packed(), out);
}

HashRef HashFromListpack(const uint8_t* lp, const HashLimits& lim) {
  HashRef h{Encoding::kListpack, hpack::FromListpack(lp)};
  if (hpack::Count(h.packed()) > lim.max_listpack_entries) HashConvertToDict(&h);
  return h;
}

// ---- pair handles and sampling ----

std::string_view HashPairField(const HashRef& h, HashPairHandle p, hpack::Scratch* scratch) {
  if (h.enc == Encoding::kListpack) return hpack::Get(static_cast<const uint8_t*>(p), scratch);
  return HashEntryField(static_cast<const HashEntry*>(p));
}

std::string_view HashPairValue(const HashRef& h, HashPairHandle p, hpack::Scratch* scratch) {
  if (h.enc == Encoding::kListpack) {
    return hpack::Get(hpack::Next(static_cast<const uint8_t*>(p)), scratch);
  }
  return HashEntryValue(static_cast<const HashEntry*>(p));
}

void HashAllPairs(const HashRef& h, std::vector<HashPairHandle>* out) {
  out->reserve(out->size() + HashLength(h));
  if (h.enc == Encoding::kListpack) {
    hpack::ForEachPair(h.packed(), [&](const uint8_t* f, const uint8_t*) {
      out->push_back(f);
      return true;
    });
  } else {
    h.dict()->ForEach([&](HashEntry* e) { out->push_back(e); });
  }
}

HashPairHandle HashRandomPair(const HashRef& h) {
  if (h.enc == Encoding::kHashtable) return h.dict()->RandomEntry();
  size_t n = hpack::Count(h.packed());
  EMBER_CHECK(n > 0);
  size_t k = lp::RandomU64() % n;
  const uint8_t* p = hpack::First(h.packed());
  for (size_t i = 0; i < k; i++) p = hpack::Next(hpack::Next(p));
  return p;
}

void HashRandomDistinctPairs(const HashRef& h, size_t count, std::vector<HashPairHandle>* out) {
  size_t n = HashLength(h);
  EMBER_CHECK(count < n);
  if (h.enc == Encoding::kListpack || count * 3 > n) {
    // Redis's "case 3": take everything and drop random pairs (here: a partial shuffle).
    std::vector<HashPairHandle> all;
    HashAllPairs(h, &all);
    for (size_t i = 0; i < count; i++) {
      size_t j = i + lp::RandomU64() % (n - i);
      std::swap(all[i], all[j]);
      out->push_back(all[i]);
    }
    return;
  }
  // "case 4": few picks from a big table: draw random entries until `count` distinct ones.
  std::unordered_set<HashPairHandle> seen;
  seen.reserve(count * 2);
  while (seen.size() < count) {
    HashPairHandle p = h.dict()->RandomEntry();
    if (seen.insert(p).second) out->push_back(p);
  }
}


}  // namespace ember
