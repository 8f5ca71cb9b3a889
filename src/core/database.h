// A database: the main key table plus the expire index, with Redis's lookup semantics.
//
//   main:     HashTable<Record*>  every key; the record embeds key, TTL and small values
//   expires:  HashTable<Record*>  the subset of records that have a TTL (same pointers), so active
//                                 expiry and volatile-* eviction sample only volatile keys
//
// A TTL costs 8 bytes in the record plus one slot in `expires` (~9-16 bytes), against Redis's
// 24-byte dictEntry + 8-byte bucket + shared key pointer.
//
// Record pointers are stable until the record is replaced: every call that may reallocate a record
// (ReplaceValue, SetExpire, RemoveExpire) returns the new pointer and fixes both tables.
//
// Lookups follow Redis: a key is expired when now > its expire time (strictly), with `now` the
// cached command time from KeyspaceEnv; an expired key found by a lookup is deleted then and there
// (unless loading). Read lookups bump keyspace_hits/misses; lookups update LRU/LFU bits unless
// kNoTouch is given or a fork child exists.
//
// Thread safety: event-loop thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/keyspace_env.h"
#include "core/object.h"
#include "types/hashtable.h"

namespace ember {

struct RecordTraits {
  using Entry = Record*;
  static std::string_view KeyOf(const Record* r) { return r->key(); }
};
using RecordTable = HashTable<RecordTraits>;

enum LookupFlags : int {
  kLookupNone = 0,
  kLookupNoTouch = 1,    // do not update LRU/LFU (OBJECT, TYPE, EXISTS, TTL...)
  kLookupNoStats = 2,    // do not count hits/misses
  kLookupNoExpire = 4,   // report expired keys as missing but do not delete them
  kLookupWrite = 8,      // a write lookup: no hit/miss stats
};

class Database {
 public:
  Database(int id, KeyspaceEnv* env);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  int id() const { return id_; }
  size_t Size() const { return main_.Size(); }
  size_t ExpiresSize() const { return expires_.Size(); }

  // The record for `key`, or nullptr. No expiry logic, no LRU update, no stats.
  Record* Find(std::string_view key);
  // Redis's lookupKey: nullptr when missing or logically expired (deleting it unless
  // kLookupNoExpire or loading); updates LRU/LFU and stats per `flags`.
  Record* Lookup(std::string_view key, int flags = kLookupNone);
  Record* LookupRead(std::string_view key) { return Lookup(key, kLookupNone); }
  Record* LookupWrite(std::string_view key) { return Lookup(key, kLookupWrite); }

  // Adds a key that must not exist. Returns the new record (LRU/LFU initialised).
  Record* Add(std::string_view key, const ValueInit& v);
  // Creates or overwrites `key` with `v`. Keeps the TTL if keep_ttl, else removes it. The old
  // value is freed (lazily per lazyfree-lazy-server-del). An existing key is touched (LRU/LFU) as
  // Redis's write lookup does; a logically expired one is deleted as expired first (unless
  // loading). Hashes the key once when it is new or live. *created (if given) tells whether the
  // key was added. Returns the record.
  Record* Set(std::string_view key, const ValueInit& v, bool keep_ttl = false,
              bool* created = nullptr);
  // Replaces the value of an existing record, keeping key, TTL and LRU. The old external value
  // must already have been freed or taken over by the caller. Returns the (maybe moved) record.
  Record* ReplaceValue(Record* r, const ValueInit& v);
  // Sets/removes the TTL. Return the (maybe moved) record.
  Record* SetExpire(Record* r, int64_t when_ms);
  Record* RemoveExpire(Record* r);

  // Deletes the key and frees the value; `lazy` sends big values to the lazy-free thread.
  bool Delete(std::string_view key, bool lazy = false);
  // Removes the record from both tables without freeing it; the caller owns it.
  Record* Unlink(std::string_view key);
  // Inserts a record built elsewhere (RENAME, MOVE, RDB load). The key must not exist.
  void Insert(Record* r);

  // True if the record is logically expired at env->now_ms.
  bool IsExpired(const Record* r) const { return r->has_expire() && env_->now_ms > r->expire_ms(); }
  // Deletes an expired record, counting it and notifying the observer.
  void DeleteExpired(Record* r);

  // Removes every key. With `lazy`, the old tables are handed to the lazy-free thread.
  void Clear(bool lazy);
  // Exchanges contents with another database (SWAPDB).
  void SwapWith(Database& other);

  // SCAN over the main table; fn(Record*) for each entry. Returns the next cursor (0 = done).
  template <typename Fn>
  size_t Scan(size_t cursor, Fn&& fn) {
    return main_.Scan(cursor, std::forward<Fn>(fn));
  }
  // A random key (nullptr when empty); RANDOMKEY skips expired keys itself.
  Record* RandomRecord();
  // Up to n records sampled from the main table or the expire index (eviction, active expiry).
  size_t SampleRecords(size_t n, Record** out);
  size_t SampleVolatile(size_t n, Record** out);

  RecordTable& main_table() { return main_; }
  RecordTable& expires_table() { return expires_; }
  const RecordTable& main_table() const { return main_; }
  const RecordTable& expires_table() const { return expires_; }

  // Bytes of table overhead (bucket arrays), for INFO used_memory_overhead and MEMORY STATS.
  size_t MainOverheadBytes() const { return main_.MemoryUsage(); }
  size_t ExpiresOverheadBytes() const { return expires_.MemoryUsage(); }

  // avg_ttl estimate for INFO keyspace (updated by active expiry).
  int64_t avg_ttl() const { return avg_ttl_; }
  void set_avg_ttl(int64_t v) { avg_ttl_ = v; }
  // Per-database cursor of the active-expire cycle.
  size_t expire_cursor = 0;

  KeyspaceEnv* env() const { return env_; }

 private:
  void TouchOnAccess(Record* r);
  void InitLru(Record* r);
  void FreeRecord(Record* r, bool lazy);
  void FreeExternal(ObjType t, Encoding e, void* ptr, bool lazy);
  // The slot of `r` in `table` (main_ or expires_); `r` must be there and still alive.
  Record** SlotOf(RecordTable& table, Record* r);
  Record* Overwrite(Record** slot, Record* old, const ValueInit& v, bool keep_ttl);

  int id_;
  KeyspaceEnv* env_;
  RecordTable main_;
  RecordTable expires_;
  int64_t avg_ttl_ = 0;
};

}  // namespace ember
