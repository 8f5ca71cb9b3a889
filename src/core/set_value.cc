// Set values: encodings and conversions as Redis 7.2's t_set.c decides them (see set_value.h for
// the rules and per-member costs). Random selection follows Redis's strategies so replies have the
// same shape and order conventions: selection sampling over a listpack (members come out in
// listpack order), repeated random picks elsewhere, and "keep the survivors" when a pop takes most
// of the set.
#include "core/set_value.h"

#include <algorithm>
#include <cstring>
#include <unordered_set>

#include "base/assert.h"
#include "base/strutil.h"
#include "memory/alloc.h"

namespace ember {

// ---- SetElem / SetMember ---------------------------------------------------------------------

std::string_view SetElem::Text(char* buf) const {
  if (str) return {str, len};
  return {buf, Int64ToChars(ival, buf)};
}

std::string SetElem::ToString() const {
  if (str) return std::string(str, len);
  return Int64ToString(ival);
}

namespace setmember {

namespace {
constexpr uint8_t kWideLen = 0xFF;
}

SetMember* New(std::string_view s) {
  size_t n = s.size();
  uint8_t* p;
  if (n < kWideLen) {
    p = static_cast<uint8_t*>(mem::Allocate(1 + n));
    p[0] = static_cast<uint8_t>(n);
    if (n) std::memcpy(p + 1, s.data(), n);
  } else {
    p = static_cast<uint8_t*>(mem::Allocate(9 + n));
    p[0] = kWideLen;
    uint64_t len = n;
    std::memcpy(p + 1, &len, 8);
    std::memcpy(p + 9, s.data(), n);
  }
  return reinterpret_cast<SetMember*>(p);
}

void Free(SetMember* m) { mem::Free(m); }

std::string_view View(const SetMember* m) {
  const uint8_t* p = reinterpret_cast<const uint8_t*>(m);
  if (p[0] != kWideLen) return {reinterpret_cast<const char*>(p + 1), p[0]};
  uint64_t len;
  std::memcpy(&len, p + 1, 8);
  return {reinterpret_cast<const char*>(p + 9), static_cast<size_t>(len)};
}

}  // namespace setmember

namespace {

// Characters of v in decimal, sign included (Redis's sdigits10).
size_t Digits10(int64_t v) {
  char buf[24];
  return Int64ToChars(v, buf);
}

// Knuth's selection sampling: visits indexes 0..n-1 in order and picks exactly k of them, each
// k-subset equally likely. Calls pick(index) for the chosen ones.
template <typename Fn>
void SelectionSample(size_t n, size_t k, Fn&& pick) {
  for (size_t i = 0; i < n && k > 0; i++) {
    size_t left = n - i;
    if (lp::RandomU64() % left < k) {
      pick(i);
      k--;
    }
  }
}

}  // namespace

// ---- Creation ----------------------------------------------------------------------------------

SetValue SetValue::NewIntset() { return SetValue(Encoding::kIntset, intset::New()); }

SetValue SetValue::NewListpack(size_t capacity_bytes) {
  return SetValue(Encoding::kListpack, lp::New(capacity_bytes));
}

SetValue SetValue::NewHashtable(size_t size_hint) {
  auto* t = new SetTable();
  if (size_hint > 0) t->Expand(size_hint);
  return SetValue(Encoding::kHashtable, t);
}

SetValue SetValue::Create(std::string_view first, size_t size_hint, const SetLimits& lim) {
  int64_t v;
  if (size_hint <= lim.max_intset_entries && ParseInt64(first, &v)) return NewIntset();
  if (size_hint <= lim.max_listpack_entries) return NewListpack();
  return NewHashtable(size_hint);
}

size_t SetValue::Size() const {
  switch (enc_) {
    case Encoding::kIntset: return intset::Length(blob());
    case Encoding::kListpack: return lp::Length(blob());
    default: return table()->Size();
  }
}

// ---- Conversions -------------------------------------------------------------------------------

void SetValue::MaybeConvert(size_t size_hint, const SetLimits& lim) {
  if ((enc_ == Encoding::kListpack && size_hint > lim.max_listpack_entries) ||
      (enc_ == Encoding::kIntset && size_hint > lim.max_intset_entries)) {
    ConvertTo(Encoding::kHashtable, size_hint);
  }
}

void SetValue::ConvertTo(Encoding enc, size_t cap) {
  EMBER_CHECK(enc != enc_);
  SetValue out;
  if (enc == Encoding::kHashtable) {
    out = NewHashtable(cap);
    SetTable* t = out.table();
    char buf[24];
    ForEach([&](const SetElem& e) {
      bool ok = t->Insert(setmember::New(e.Text(buf)));
      EMBER_CHECK(ok);
      return true;
    });
  } else if (enc == Encoding::kListpack) {
    size_t estcap = cap * 2;
    if (enc_ == Encoding::kIntset && Size() > 0) {
      estcap = std::max(lp::EstimateBytesRepeatedInteger(intset::Min(blob()), cap),
                        lp::EstimateBytesRepeatedInteger(intset::Max(blob()), cap));
    }
    uint8_t* l = lp::New(estcap);
    ForEach([&](const SetElem& e) {
      l = e.IsInt() ? lp::AppendInteger(l, e.ival) : lp::Append(l, {e.str, e.len});
      return true;
    });
    out = SetValue(Encoding::kListpack, l);
  } else {
    EMBER_PANIC("SetValue::ConvertTo: unsupported target encoding %d", static_cast<int>(enc));
  }
  Free();
  *this = out;
}

void SetValue::MaybeConvertToIntset(const SetLimits& lim) {
  if (enc_ == Encoding::kIntset) return;
  if (Size() > lim.IntsetMax()) return;
  uint8_t* is = intset::New();
  ForEach([&](const SetElem& e) {
    int64_t v = e.ival;
    if (!e.IsInt()) EMBER_CHECK(ParseInt64({e.str, e.len}, &v));
    bool added = false;
    is = intset::Add(is, v, &added);
    EMBER_CHECK(added);
    return true;
  });
  Free();
  *this = SetValue(Encoding::kIntset, is);
}

void SetValue::ShrinkToFit() {
  if (enc_ == Encoding::kListpack) ptr_ = lp::Shrink(blob());
}

// ---- Add / remove / lookup ---------------------------------------------------------------------

bool SetValue::AddToTable(std::string_view s) {
  SetTable* t = table();
  uint64_t h = SetTable::HashKey(s);
  SetTable::InsertPosition pos;
  if (!t->FindPositionForInsert(s, h, &pos)) return false;
  t->InsertAtPosition(pos, setmember::New(s));
  return true;
}

bool SetValue::AddToListpack(const SetElem& e, const SetLimits& lim) {
  char buf[24];
  std::string_view s = e.Text(buf);
  uint8_t* l = blob();
  const uint8_t* first = lp::First(l);
  if (first && lp::Find(l, first, s, 0)) return false;
  if (lp::Length(l) < lim.max_listpack_entries && s.size() <= lim.max_listpack_value &&
      lp::SafeToAdd(l, s.size())) {
    ptr_ = e.IsInt() ? lp::AppendInteger(l, e.ival) : lp::Append(l, s);
  } else {
    ConvertTo(Encoding::kHashtable, lp::Length(l) + 1);
    bool ok = table()->Insert(setmember::New(s));
    EMBER_CHECK(ok);
  }
  return true;
}

// An intset gets a value: an integer stays in it; a string converts the set first.
bool SetValue::AddToIntsetString(const SetElem& e, int64_t v, bool is_int, const SetLimits& lim) {
  if (is_int) {
    bool added = false;
    ptr_ = intset::Add(blob(), v, &added);
    if (added && intset::Length(blob()) > lim.IntsetMax()) {
      ConvertTo(Encoding::kHashtable, Size());
    }
    return added;
  }
  std::string_view s{e.str, e.len};
  size_t n = intset::Length(blob());
  size_t maxelelen = 0, totsize = 0;
  if (n != 0) {
    int64_t mx = intset::Max(blob()), mn = intset::Min(blob());
    maxelelen = std::max(Digits10(mx), Digits10(mn));
    totsize = std::max(lp::EstimateBytesRepeatedInteger(mx, n),
                       lp::EstimateBytesRepeatedInteger(mn, n));
  }
  if (n < lim.max_listpack_entries && s.size() <= lim.max_listpack_value &&
      maxelelen <= lim.max_listpack_value && lp::SafeToAdd(nullptr, totsize + s.size())) {
    ConvertTo(Encoding::kListpack, n + 1);
    ptr_ = lp::Shrink(lp::Append(blob(), s));
  } else {
    ConvertTo(Encoding::kHashtable, n + 1);
    bool ok = table()->Insert(setmember::New(s));
    EMBER_CHECK(ok);
  }
  return true;
}

bool SetValue::AddElem(const SetElem& e, const SetLimits& lim) {
  switch (enc_) {
    case Encoding::kIntset: {
      int64_t v = e.ival;
      bool is_int = e.IsInt() || ParseInt64({e.str, e.len}, &v);
      return AddToIntsetString(e, v, is_int, lim);
    }
    case Encoding::kListpack: return AddToListpack(e, lim);
    default: {
      char buf[24];
      return AddToTable(e.Text(buf));
    }
  }
}

bool SetValue::RemoveElem(const SetElem& e) {
  switch (enc_) {
    case Encoding::kIntset: {
      int64_t v = e.ival;
      if (!e.IsInt() && !ParseInt64({e.str, e.len}, &v)) return false;
      bool removed = false;
      ptr_ = intset::Remove(blob(), v, &removed);
      return removed;
    }
    case Encoding::kListpack: {
      char buf[24];
      uint8_t* l = blob();
      const uint8_t* first = lp::First(l);
      if (!first) return false;
      const uint8_t* p = lp::Find(l, first, e.Text(buf), 0);
      if (!p) return false;
      ptr_ = lp::Delete(l, p);
      return true;
    }
    default: {
      char buf[24];
      SetMember* m = table()->Delete(e.Text(buf));
      if (!m) return false;
      setmember::Free(m);
      return true;
    }
  }
}

bool SetValue::ContainsElem(const SetElem& e) const {
  switch (enc_) {
    case Encoding::kIntset: {
      int64_t v = e.ival;
      if (!e.IsInt() && !ParseInt64({e.str, e.len}, &v)) return false;
      return intset::Find(blob(), v);
    }
    case Encoding::kListpack: {
      char buf[24];
      const uint8_t* l = blob();
      const uint8_t* first = lp::First(l);
      return first && lp::Find(l, first, e.Text(buf), 0) != nullptr;
    }
    default: {
      char buf[24];
      return table()->Get(e.Text(buf)) != nullptr;
    }
  }
}

// ---- Random members ----------------------------------------------------------------------------

SetElem SetValue::Random() const {
  switch (enc_) {
    case Encoding::kIntset: return SetElem::Int(intset::Random(blob()));
    case Encoding::kListpack: {
      lp::Value v = lp::Get(lp::RandomEntry(blob()));
      return v.IsInt() ? SetElem::Int(v.ival)
                       : SetElem{reinterpret_cast<const char*>(v.str), v.len, 0};
    }
    default: return SetElem::Str(setmember::View(table()->RandomEntry()));
  }
}

std::string SetValue::PopRandom() {
  if (enc_ == Encoding::kListpack) {
    const uint8_t* p = lp::RandomEntry(blob());
    std::string out = lp::Get(p).ToString();
    ptr_ = lp::Delete(blob(), p);
    return out;
  }
  SetElem e = Random();
  std::string out = e.ToString();
  bool removed = RemoveElem(e.IsInt() ? e : SetElem::Str(out));
  EMBER_CHECK(removed);
  return out;
}

namespace {

// Deletes the entries at the given byte offsets (ascending) from a listpack; later entries first,
// so the offsets of earlier ones stay valid.
uint8_t* DeleteAtOffsets(uint8_t* l, const std::vector<size_t>& offsets) {
  for (size_t i = offsets.size(); i-- > 0;) l = lp::Delete(l, l + offsets[i]);
  return l;
}

}  // namespace

void SetValue::PopMany(size_t count, const SetLimits& lim, std::vector<std::string>* out) {
  constexpr size_t kMoveStrategyMul = 5;  // SPOP_MOVE_STRATEGY_MUL
  size_t size = Size();
  EMBER_CHECK(count > 0 && count < size);
  size_t remaining = size - count;

  if (remaining * kMoveStrategyMul > count) {
    if (enc_ == Encoding::kListpack) {
      // One pass: pick `count` entries in listpack order, reply them, delete them.
      uint8_t* l = blob();
      std::vector<size_t> offsets;
      offsets.reserve(count);
      const uint8_t* p = lp::First(l);
      size_t idx = 0;
      SelectionSample(size, count, [&](size_t i) {
        for (; idx < i; idx++) p = lp::Next(l, p);
        out->push_back(lp::Get(p).ToString());
        offsets.push_back(static_cast<size_t>(p - l));
      });
      ptr_ = DeleteAtOffsets(l, offsets);
    } else {
      for (size_t i = 0; i < count; i++) out->push_back(PopRandom());
    }
    return;
  }

  // Most of the set goes: move the `remaining` survivors into a new set, reply the rest.
  SetValue keep;
  if (enc_ == Encoding::kListpack) {
    keep = NewListpack();
    uint8_t* l = blob();
    std::vector<size_t> offsets;
    offsets.reserve(remaining);
    const uint8_t* p = lp::First(l);
    size_t idx = 0;
    SelectionSample(size, remaining, [&](size_t i) {
      for (; idx < i; idx++) p = lp::Next(l, p);
      lp::Value v = lp::Get(p);
      keep.AddElem(v.IsInt() ? SetElem::Int(v.ival) : SetElem::Str(v.View()), lim);
      offsets.push_back(static_cast<size_t>(p - l));
    });
    ptr_ = DeleteAtOffsets(l, offsets);
  } else {
    for (size_t i = 0; i < remaining; i++) {
      SetElem e = Random();
      if (!keep.valid()) keep = e.IsInt() ? NewIntset() : NewListpack();
      keep.AddElem(e, lim);
      bool removed = RemoveElem(e);
      EMBER_CHECK(removed);
    }
  }
  ForEach([&](const SetElem& e) {
    out->push_back(e.ToString());
    return true;
  });
  Free();
  *this = keep;
}

void SetValue::RandomDistinct(size_t count, std::vector<std::string>* out) const {
  constexpr size_t kSubStrategyMul = 3;  // SRANDMEMBER_SUB_STRATEGY_MUL
  size_t size = Size();
  EMBER_CHECK(count > 0 && count < size);
  if (enc_ == Encoding::kListpack) {
    const uint8_t* l = blob();
    const uint8_t* p = lp::First(l);
    size_t idx = 0;
    SelectionSample(size, count, [&](size_t i) {
      for (; idx < i; idx++) p = lp::Next(l, p);
      out->push_back(lp::Get(p).ToString());
    });
    return;
  }
  if (count * kSubStrategyMul > size) {
    // Copy everything, then keep a random `count` of it (partial Fisher-Yates).
    std::vector<std::string> all;
    all.reserve(size);
    ForEach([&](const SetElem& e) {
      all.push_back(e.ToString());
      return true;
    });
    for (size_t i = 0; i < count; i++) {
      size_t j = i + lp::RandomU64() % (size - i);
      std::swap(all[i], all[j]);
    }
    all.resize(count);
    for (auto& s : all) out->push_back(std::move(s));
    return;
  }
  std::unordered_set<std::string> seen;
  seen.reserve(count);
  while (seen.size() < count) {
    std::string s = Random().ToString();
    if (seen.insert(s).second) out->push_back(std::move(s));
  }
}

// ---- Whole value -------------------------------------------------------------------------------

SetValue SetValue::Dup() const {
  switch (enc_) {
    case Encoding::kIntset: return SetValue(enc_, intset::Dup(blob()));
    case Encoding::kListpack: return SetValue(enc_, lp::Dup(blob()));
    default: {
      SetValue out = NewHashtable(Size());
      SetTable* t = out.table();
      table()->ForEach([&](SetMember* m) { t->Insert(setmember::New(setmember::View(m))); });
      return out;
    }
  }
}

void SetValue::Free() {
  if (!ptr_) return;
  switch (enc_) {
    case Encoding::kIntset: intset::Free(blob()); break;
    case Encoding::kListpack: lp::Free(blob()); break;
    case Encoding::kHashtable: {
      SetTable* t = table();
      t->Clear([](SetMember* m) { setmember::Free(m); });
      delete t;
      break;
    }
    default: EMBER_PANIC("FreeSetValue: unknown set encoding %d", static_cast<int>(enc_));
  }
  ptr_ = nullptr;
}

size_t SetValue::Memory(size_t samples) const {
  if (enc_ != Encoding::kHashtable) return mem::UsableSize(ptr_);
  SetTable* t = table();
  size_t total = mem::SizeClassOf(sizeof(SetTable)) + t->MemoryUsage();
  size_t n = 0, bytes = 0;
  auto it = t->MakeIterator();
  SetMember* m;
  while ((samples == 0 || n < samples) && it.Next(&m)) {
    bytes += mem::UsableSize(m);
    n++;
  }
  if (n) total += static_cast<size_t>(static_cast<double>(bytes) / n * t->Size());
  return total;
}

void FreeSetValue(Encoding enc, void* ptr) { SetValue(enc, ptr).Free(); }

size_t SetFreeEffort(Encoding enc, const void* ptr) {
  return SetValue(enc, const_cast<void*>(ptr)).FreeEffort();
}

void* DupSetValue(Encoding enc, const void* ptr) {
  return SetValue(enc, const_cast<void*>(ptr)).Dup().ptr();
}

size_t SetValueMemory(Encoding enc, const void* ptr, size_t samples) {
  return SetValue(enc, const_cast<void*>(ptr)).Memory(samples);
}


}  // namespace ember
