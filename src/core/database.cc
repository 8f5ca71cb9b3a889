// Database: lookups with lazy expiry and LRU/LFU upkeep over two record tables. See database.h.
#include "core/database.h"

#include <random>

#include "base/assert.h"
#include "core/lazyfree.h"
#include "core/lru.h"
#include "core/value_free.h"

namespace ember {

namespace {
double Rand01() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}
bool IsExternal(Encoding e) { return e != Encoding::kInt && e != Encoding::kEmbstr; }
}  // namespace

Database::Database(int id, KeyspaceEnv* env) : id_(id), env_(env) {}

Database::~Database() {
  expires_.Clear();
  main_.Clear([](Record* r) { Record::Free(r); });
}

Record* Database::Find(std::string_view key) {
  Record** slot = main_.Find(key);
  return slot ? *slot : nullptr;
}

void Database::InitLru(Record* r) {
  if (env_->lfu) {
    r->set_lru(LfuInitial(env_->now_ms));
  } else {
    r->set_lru(env_->lru_clock);
  }
}

void Database::TouchOnAccess(Record* r) {
  if (env_->child_active) return;
  if (env_->lfu) {
    uint8_t c = LfuDecayedCounter(r->lru(), env_->now_ms, env_->lfu_decay_time);
    c = LfuLogIncr(c, env_->lfu_log_factor, Rand01());
    r->set_lru((LfuMinutes(env_->now_ms) << 8) | c);
  } else {
    r->set_lru(env_->lru_clock);
  }
}

Record* Database::Lookup(std::string_view key, int flags) {
  Record* r = Find(key);
  if (r && IsExpired(r)) {
    if (!(flags & kLookupNoExpire) && !env_->loading) DeleteExpired(r);
    r = nullptr;
  }
  if (!(flags & (kLookupNoStats | kLookupWrite))) {
    if (r) {
      env_->stats.keyspace_hits++;
    } else {
      env_->stats.keyspace_misses++;
    }
  }
  if (r && !(flags & kLookupNoTouch)) TouchOnAccess(r);
  return r;
}

Record* Database::Add(std::string_view key, const ValueInit& v) {
  RecordTable::InsertPosition pos;
  bool fresh = main_.FindPositionForInsert(key, &pos);
  EMBER_CHECK(fresh);
  Record* r = Record::New(key, v);
  InitLru(r);
  main_.InsertAtPosition(pos, r);
  return r;
}

void Database::Insert(Record* r) {
  bool ok = main_.Insert(r);
  EMBER_CHECK(ok);
  if (r->has_expire()) expires_.Insert(r);
}

Record** Database::SlotOf(RecordTable& table, Record* r) {
  // Looked up while `r` is still alive: the table compares keys through the entries it holds, so a
  // lookup after `r` was freed would read freed memory (and fail outright once the allocator has
  // reused the bytes). The slot stays valid until the next operation on that same table.
  Record** slot = table.Find(r->key());
  EMBER_CHECK(slot && *slot == r);
  return slot;
}

void Database::FreeExternal(ObjType t, Encoding e, void* ptr, bool lazy) {
  if (!IsExternal(e)) return;
  if (lazy && env_->lazyfree) {
    env_->lazyfree->FreeValue(t, e, ptr);
  } else {
    FreeValue(t, e, ptr);
  }
}

void Database::FreeRecord(Record* r, bool lazy) {
  Encoding e = r->encoding();
  if (IsExternal(e)) FreeExternal(r->type(), e, r->ptr(), lazy);
  Record::FreeShell(r);
}

Record* Database::Set(std::string_view key, const ValueInit& v, bool keep_ttl, bool* created) {
  // One hash for the common cases: phase one of the insert either finds room for a new key or
  // hands back the slot of the existing one.
  RecordTable::InsertPosition pos;
  Record** slot = nullptr;
  if (!main_.FindPositionForInsert(key, &pos, &slot)) {
    Record* old = *slot;
    if (!IsExpired(old) || env_->loading) {
      if (created) *created = false;
      return Overwrite(slot, old, v, keep_ttl);
    }
    // Redis's lookupKeyWrite deletes a logically expired key first (counted and notified), so the
    // new value starts without the stale TTL even with KEEPTTL.
    DeleteExpired(old);
    bool fresh = main_.FindPositionForInsert(key, &pos);
    EMBER_CHECK(fresh);
  }
  if (created) *created = true;
  Record* r = Record::New(key, v);
  InitLru(r);
  main_.InsertAtPosition(pos, r);
  return r;
}

Record* Database::Overwrite(Record** slot, Record* old, const ValueInit& v, bool keep_ttl) {
  // The write lookup Redis does before overwriting bumps LRU/LFU; the new value keeps the bits.
  TouchOnAccess(old);
  if (IsExternal(old->encoding())) {
    FreeExternal(old->type(), old->encoding(), old->ptr(), env_->lazyfree_lazy_server_del);
  }
  std::string_view key = old->key();
  bool had_expire = old->has_expire();
  if (had_expire && !keep_ttl) {
    // Drop the TTL: remove from the index first, then rebuild without the expire field.
    expires_.Delete(key);
    Record* r = Record::New(key, v);
    r->set_lru(old->lru());
    Record::FreeShell(old);
    *slot = r;
    return r;
  }
  Record** es = had_expire && !Record::FitsInPlace(old, v) ? SlotOf(expires_, old) : nullptr;
  Record* r = Record::ReplaceValue(old, v);
  if (r != old) {
    *slot = r;
    if (es) *es = r;
  }
  return r;
}

Record* Database::ReplaceValue(Record* r, const ValueInit& v) {
  if (Record::FitsInPlace(r, v)) return Record::ReplaceValue(r, v);
  Record** slot = SlotOf(main_, r);
  Record** es = r->has_expire() ? SlotOf(expires_, r) : nullptr;
  Record* n = Record::ReplaceValue(r, v);
  *slot = n;
  if (es) *es = n;
  return n;
}

Record* Database::SetExpire(Record* r, int64_t when_ms) {
  bool had = r->has_expire();
  if (had && r->set_expire_ms(when_ms)) return r;
  Record** slot = SlotOf(main_, r);
  Record** es = had ? SlotOf(expires_, r) : nullptr;
  Record* n = Record::WithExpire(r, true, when_ms);
  *slot = n;
  if (had) {
    *es = n;
  } else {
    bool ok = expires_.Insert(n);
    EMBER_CHECK(ok);
  }
  return n;
}

Record* Database::RemoveExpire(Record* r) {
  if (!r->has_expire()) return r;
  expires_.Delete(r->key());
  Record** slot = SlotOf(main_, r);
  Record* n = Record::WithExpire(r, false, 0);
  *slot = n;
  return n;
}

Record* Database::Unlink(std::string_view key) {
  Record* r = main_.Delete(key);
  if (!r) return nullptr;
  if (r->has_expire()) expires_.Delete(key);
  return r;
}

bool Database::Delete(std::string_view key, bool lazy) {
  Record* r = Unlink(key);
  if (!r) return false;
  FreeRecord(r, lazy);
  return true;
}

void Database::DeleteExpired(Record* r) {
  std::string_view key = r->key();
  // The observer may need the key after the record is gone: copy it to a small buffer first.
  std::string k(key);
  Record* u = Unlink(k);
  EMBER_CHECK(u == r);
  env_->stats.expired_keys++;
  FreeRecord(u, env_->lazyfree_lazy_expire);
  if (env_->observer) {
    env_->observer->OnKeyExpired(*this, k);
  }
}

void Database::Clear(bool lazy) {
  if (lazy && env_->lazyfree && main_.Size() > 0) {
    // Hand both tables to the lazy-free thread as they are; start over with empty ones.
    auto* m = new RecordTable();
    auto* e = new RecordTable();
    m->Swap(main_);
    e->Swap(expires_);
    env_->lazyfree->FreeTables(m, e);
  } else {
    expires_.Clear();
    main_.Clear([](Record* r) { Record::Free(r); });
  }
  avg_ttl_ = 0;
  expire_cursor = 0;
}

void Database::SwapWith(Database& other) {
  main_.Swap(other.main_);
  expires_.Swap(other.expires_);
  std::swap(avg_ttl_, other.avg_ttl_);
  std::swap(expire_cursor, other.expire_cursor);
}

Record* Database::RandomRecord() {
  if (main_.Size() == 0) return nullptr;
  return main_.RandomEntry();
}

size_t Database::SampleRecords(size_t n, Record** out) { return main_.SampleEntries(n, out); }

size_t Database::SampleVolatile(size_t n, Record** out) { return expires_.SampleEntries(n, out); }

}  // namespace ember
