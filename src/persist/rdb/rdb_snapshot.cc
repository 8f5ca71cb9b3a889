// Snapshot writer and loader. See rdb_snapshot.h.
#include "persist/rdb/rdb_snapshot.h"

#include "base/time.h"
#include "core/lru.h"
#include "memory/alloc.h"
#include "persist/dismiss.h"
#include "persist/rdb/rdb_format.h"
#include "server/version.h"

namespace ember::rdb {

Status SaveSnapshot(Sink* sink, std::vector<std::unique_ptr<Database>>& dbs,
                    const SaveOptions& opts, SaveResult* result) {
  RdbWriterOptions wo;
  wo.compression = opts.compression;
  wo.checksum = opts.checksum;
  RdbWriter w(sink, wo);
  EMBER_RETURN_IF_ERROR(w.SaveHeader(opts.version));
  EMBER_RETURN_IF_ERROR(w.SaveAuxField("redis-ver", kRedisVersion));
  EMBER_RETURN_IF_ERROR(w.SaveAuxFieldInt("redis-bits", static_cast<int64_t>(sizeof(void*) * 8)));
  EMBER_RETURN_IF_ERROR(w.SaveAuxFieldInt("ctime", opts.now_ms / 1000));
  EMBER_RETURN_IF_ERROR(w.SaveAuxFieldInt("used-mem", static_cast<int64_t>(mem::UsedMemory())));
  EMBER_RETURN_IF_ERROR(w.SaveAuxFieldInt("aof-base", opts.aof_base ? 1 : 0));

  uint64_t keys = 0;
  Status st;
  for (auto& dbp : dbs) {
    Database& db = *dbp;
    if (db.Size() == 0) continue;
    EMBER_RETURN_IF_ERROR(w.SaveSelectDb(static_cast<uint64_t>(db.id())));
    EMBER_RETURN_IF_ERROR(w.SaveResizeDb(db.Size(), db.ExpiresSize()));
    auto save_one = [&](Record* r) {
      if (!st.ok()) return;
      if (r->has_expire()) {
        st = w.SaveExpireMs(r->expire_ms());
        if (!st.ok()) return;
      }
      if (opts.save_idle) {
        st = w.SaveIdle(LruIdleMs(opts.lru_clock, r->lru()) / 1000);
      } else if (opts.save_freq) {
        st = w.SaveFreq(LfuDecayedCounter(r->lru(), opts.now_ms, opts.lfu_decay_time));
      }
      if (!st.ok()) return;
      st = w.SaveType(TypeByteFor(r, opts.version));
      if (st.ok()) st = w.SaveString(r->key());
      uint64_t value_start = w.bytes_written();
      if (st.ok()) st = SaveValue(w, r, opts.version);
      // The value is never read again in this save: a child releases its pages now.
      if (st.ok() && opts.dismiss) opts.dismiss->Value(r, w.bytes_written() - value_start);
      keys++;
      if (opts.key_save_delay) DebugDelay(opts.key_save_delay);
      if (opts.progress && opts.progress_every && keys % opts.progress_every == 0) {
        opts.progress(keys);
      }
    };
    // Records are written in batches so that their cache misses overlap: each record is
    // prefetched as the table walk meets it, and when a batch is full the values the records
    // point to are prefetched together before any is written. One after another, the record and
    // its value were two dependent misses per key (~40% of a SAVE of small hashes).
    constexpr size_t kBatch = 16;
    Record* batch[kBatch];
    size_t n = 0;
    auto flush = [&] {
      for (size_t i = 0; i < n; i++) {
        if (batch[i]->has_external_value()) __builtin_prefetch(batch[i]->ptr());
      }
      for (size_t i = 0; i < n; i++) save_one(batch[i]);
      n = 0;
    };
    db.main_table().ForEach([&](Record* r) {
      __builtin_prefetch(r);
      batch[n++] = r;
      if (n == kBatch) flush();
    });
    flush();
    EMBER_RETURN_IF_ERROR(st);
  }
  EMBER_RETURN_IF_ERROR(w.SaveEof());
  EMBER_RETURN_IF_ERROR(sink->Flush());
  if (opts.dismiss) opts.dismiss->Flush();
  if (result) {
    result->keys = keys;
    result->bytes = w.bytes_written();
  }
  if (opts.progress) opts.progress(keys);
  return Status::OK();
}

Status LoadSnapshot(Source* source, std::vector<std::unique_ptr<Database>>& dbs,
                    const LoadOptions& opts, LoadResult* result) {
  RdbReader r(source);
  if (opts.progress) r.SetProgressCallback(opts.progress, opts.progress_every_bytes);
  auto ver = r.LoadHeader();
  if (!ver.ok()) return ver.status();
  LoadResult res;
  res.rdb_version = *ver;
  Database* db = dbs[0].get();
  int64_t expire = -1;
  int64_t idle = -1;
  int freq = -1;
  // Reused across keys: a key or a string value costs no allocation of its own while it is read.
  std::string key;
  std::string sval;
  for (;;) {
    auto type = r.LoadType();
    if (!type.ok()) return type.status();
    uint8_t t = *type;
    if (t == RDB_OPCODE_EXPIRETIME) {
      auto s = r.LoadSecondTime();
      if (!s.ok()) return s.status();
      expire = *s * 1000;
      continue;
    }
    if (t == RDB_OPCODE_EXPIRETIME_MS) {
      auto ms = r.LoadMillisecondTime();
      if (!ms.ok()) return ms.status();
      expire = *ms;
      continue;
    }
    if (t == RDB_OPCODE_FREQ) {
      auto f = r.LoadByte("LFU frequency");
      if (!f.ok()) return f.status();
      freq = *f;
      continue;
    }
    if (t == RDB_OPCODE_IDLE) {
      auto i = r.LoadLen();
      if (!i.ok()) return i.status();
      idle = static_cast<int64_t>(*i);
      continue;
    }
    if (t == RDB_OPCODE_EOF) break;
    if (t == RDB_OPCODE_SELECTDB) {
      auto id = r.LoadLen();
      if (!id.ok()) return id.status();
      if (*id >= dbs.size()) {
        return Status::Corruption("FATAL: Data file was created with a Redis server configured to "
                                  "handle more than " + std::to_string(dbs.size()) +
                                  " databases. Exiting");
      }
      db = dbs[*id].get();
      continue;
    }
    if (t == RDB_OPCODE_RESIZEDB) {
      auto n = r.LoadLen();
      if (!n.ok()) return n.status();
      auto e = r.LoadLen();
      if (!e.ok()) return e.status();
      // Pre-size the tables, but never for more keys than the input can hold: a key record takes
      // at least 3 bytes (type, key length, value), so a lying header cannot make the loader
      // allocate more than the file could fill (fuzzer find: RESIZEDB 2^30 wanted 16 GB of
      // buckets). A stream of unknown size pre-sizes for at most 1M keys and grows from there.
      uint64_t cap = 1u << 20;
      if (auto rem = r.Remaining()) cap = *rem / 3;
      db->main_table().Expand(std::min<uint64_t>(*n, cap));
      db->expires_table().Expand(std::min<uint64_t>(std::min(*e, *n), cap));
      continue;
    }
    if (t == RDB_OPCODE_AUX) {
      auto k = r.LoadString();
      if (!k.ok()) return k.status();
      auto v = r.LoadString();
      if (!v.ok()) return v.status();
      if (*k == "redis-ver") {
        res.redis_ver = *v;
      } else if (*k == "ctime") {
        res.ctime = std::strtoll(v->c_str(), nullptr, 10);
      } else if (*k == "used-mem") {
        res.used_mem = std::strtoull(v->c_str(), nullptr, 10);
      } else if (*k == "aof-base" || *k == "aof-preamble") {
        res.aof_base = *v == "1";
      }
      continue;
    }
    if (t == RDB_OPCODE_SLOT_INFO) {
      // Cluster slot sizes: a hint only. Skip its three lengths.
      for (int i = 0; i < 3; i++) {
        auto n = r.LoadLen();
        if (!n.ok()) return n.status();
      }
      continue;
    }
    if (t == RDB_OPCODE_MODULE_AUX) {
      return r.Corrupt("the file holds module data (MODULE_AUX), which Ember cannot load");
    }
    if (t == RDB_OPCODE_FUNCTION_PRE_GA || t == RDB_OPCODE_FUNCTION2) {
      return r.Corrupt("the file holds Redis functions (FUNCTION), which Ember cannot load");
    }
    if (!IsObjectType(t)) {
      return r.Corrupt("unknown RDB type " + std::to_string(t));
    }
    EMBER_RETURN_IF_ERROR(r.LoadString(&key));
    bool has_expire = expire != -1;
    bool expired = has_expire && opts.drop_expired && !opts.is_aof_preamble && expire < opts.now_ms;
    Record* rec = nullptr;
    if (t == RDB_TYPE_STRING) {
      // Strings (most keys of most datasets): the value goes straight from the reader's scratch
      // buffer into the record, with the encoding Redis would pick (int, embstr, raw).
      EMBER_RETURN_IF_ERROR(r.LoadString(&sval));
      if (!expired) rec = Record::New(key, ValueInit::FromString(sval), has_expire, expire);
    } else {
      auto v = LoadValue(r, t, opts.limits, key);
      if (!v.ok() && v.status().code() == StatusCode::kNotFound) {
        // An empty aggregate: Redis skips such keys on load.
        expire = -1;
        idle = -1;
        freq = -1;
        continue;
      }
      if (!v.ok()) {
        Status s = v.status();
        if (s.code() == StatusCode::kUnsupported) {
          return Status::Unsupported(s.message() + " (at offset " + std::to_string(r.offset()) +
                                     ")");
        }
        return s;
      }
      if (expired) {
        DiscardValue(*v);
      } else {
        rec = NewRecordFromLoaded(key, *v, has_expire, expire);
      }
    }
    if (expired) {
      res.keys_expired++;
    } else if (!db->main_table().Insert(rec)) {
      // One hash probe finds the slot or the duplicate.
      Record::Free(rec);
      return r.Corrupt("duplicate key '" + key.substr(0, 128) + "' in RDB file");
    } else {
      if (has_expire) db->expires_table().Insert(rec);
      KeyspaceEnv* env = db->env();
      if (env->lfu) {
        rec->set_lru((LfuMinutes(opts.now_ms) << 8) |
                     static_cast<uint32_t>(freq >= 0 ? freq : kLfuInitVal));
      } else {
        rec->set_lru(LruFromIdleSeconds(LruClockFromMs(opts.now_ms),
                                         idle > 0 ? static_cast<uint64_t>(idle) : 0));
      }
      res.keys_loaded++;
    }
    if (opts.key_load_delay) DebugDelay(opts.key_load_delay);
    expire = -1;
    idle = -1;
    freq = -1;
  }
  EMBER_RETURN_IF_ERROR(r.VerifyTrailer(res.rdb_version, opts.verify_checksum, &res.checksum_skipped));
  res.bytes = r.offset();
  if (result) *result = res;
  return Status::OK();
}

}  // namespace ember::rdb
