// The bodies of Ember's RDB fuzz targets, shared by the libFuzzer entry points (tests/fuzz/*_fuzz.cc,
// built by `make fuzz` with clang) and by the plain corpus replay in the unit tests
// (tests/unit/persist/fuzz_corpus_test.cc, built by g++ in `make test`).
//
// Each check runs one input through a loader and then checks invariants beyond "did not crash":
//
//   CheckRdbFile(bytes)      rdb::LoadSnapshot over the bytes twice: from memory (size known) and
//                            from a source that hands out 7-byte chunks of unknown total size (the
//                            pipe/socket path). Both must agree (ok or not, same dataset digest).
//                            A failure must carry a message. A file that loaded is saved again and
//                            reloaded: the digest must survive the round trip.
//   CheckRestorePayload(p)   what RESTORE does with p when the checksum check is skipped (DEBUG
//                            SET-SKIP-CHECKSUM-VALIDATION 1): VerifyDumpPayload, the type byte,
//                            rdb::LoadValue (sanitize on), and the whole body must be consumed. A
//                            value that loaded is dumped and restored again: same digest.
//
// A broken invariant is reported in Outcome::violation (the libFuzzer entry aborts on it so the
// fuzzer saves the input; the replay test fails with the message). Memory errors are the
// sanitizer's to find. Everything is deterministic: "now" is a fixed instant, not the clock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/database.h"
#include "core/digest.h"
#include "core/object.h"
#include "persist/rdb/dump_payload.h"
#include "persist/rdb/rdb_format.h"
#include "persist/rdb/rdb_object.h"
#include "persist/rdb/rdb_reader.h"
#include "persist/rdb/rdb_snapshot.h"
#include "persist/rdb/rdb_writer.h"

namespace ember::fuzz {

// 2023-11-14T22:13:20Z: keys with an earlier expire time are dropped (counted) on load.
inline constexpr int64_t kFuzzNowMs = 1700000000000;

struct Outcome {
  bool loaded = false;     // the input was accepted
  std::string error;       // why it was refused (when !loaded)
  std::string violation;   // a broken invariant (empty when all is well)
  uint64_t keys = 0;       // keys loaded (files) / 1 (payloads)
};

// Hands out the input in fixed-size chunks and does not know its size, as a pipe would.
class ChunkedSource final : public rdb::Source {
 public:
  ChunkedSource(const uint8_t* data, size_t len, size_t chunk) : d_(data), n_(len), chunk_(chunk) {}
  Status Next(const uint8_t** data, size_t* len) override {
    size_t k = std::min(chunk_, n_ - pos_);
    *data = d_ + pos_;
    *len = k;
    pos_ += k;
    return Status::OK();
  }
  std::optional<uint64_t> Remaining() const override { return std::nullopt; }

 private:
  const uint8_t* d_;
  size_t n_;
  size_t chunk_;
  size_t pos_ = 0;
};

inline std::vector<std::unique_ptr<Database>> FuzzDbs(KeyspaceEnv* env) {
  std::vector<std::unique_ptr<Database>> dbs;
  for (int i = 0; i < 16; i++) dbs.push_back(std::make_unique<Database>(i, env));
  return dbs;
}

inline rdb::LoadOptions FuzzLoadOptions() {
  rdb::LoadOptions lo;
  lo.now_ms = kFuzzNowMs;
  lo.limits.sanitize = true;
  return lo;
}

// Loads `src` into fresh databases; returns the status and (on success) the dataset digest.
inline Status FuzzLoad(rdb::Source* src, KeyspaceEnv* env,
                       std::vector<std::unique_ptr<Database>>* dbs, std::string* digest,
                       rdb::LoadResult* res) {
  *dbs = FuzzDbs(env);
  Status st = rdb::LoadSnapshot(src, *dbs, FuzzLoadOptions(), res);
  if (st.ok()) *digest = DatasetDigest(*dbs);
  return st;
}

// A load error names the offset it happened at, except the ones Redis words itself without one
// (they are about the header or the server's configuration, so the place is implied).
inline bool NamesWhereItFailed(const std::string& msg) {
  return msg.find("offset") != std::string::npos ||
         msg.rfind("Wrong signature trying to load DB from file", 0) == 0 ||
         msg.rfind("Can't handle RDB format version", 0) == 0 ||
         msg.rfind("FATAL: Data file was created with a Redis server configured to handle", 0) == 0;
}

inline Outcome CheckRdbFile(const uint8_t* data, size_t size) {
  Outcome out;
  KeyspaceEnv env;
  env.now_ms = kFuzzNowMs;
  std::vector<std::unique_ptr<Database>> dbs;
  std::string digest;
  rdb::LoadResult res;
  rdb::MemorySource mem(data, size);
  Status st = FuzzLoad(&mem, &env, &dbs, &digest, &res);

  // The streaming path must reach the same verdict and the same data.
  {
    KeyspaceEnv env2;
    env2.now_ms = kFuzzNowMs;
    std::vector<std::unique_ptr<Database>> dbs2;
    std::string digest2;
    rdb::LoadResult res2;
    ChunkedSource chunks(data, size, 7);
    Status st2 = FuzzLoad(&chunks, &env2, &dbs2, &digest2, &res2);
    if (st.ok() != st2.ok()) {
      out.violation = "memory and chunked loads disagree: '" + st.ToString() + "' vs '" +
                      st2.ToString() + "'";
      return out;
    }
    if (st.ok() && digest != digest2) {
      out.violation = "memory and chunked loads give different digests";
      return out;
    }
  }
  if (!st.ok()) {
    out.error = st.ToString();
    if (!NamesWhereItFailed(st.message())) {
      out.violation = "a refused file's message does not name the offset: " + st.ToString();
    }
    return out;
  }
  out.loaded = true;
  out.keys = res.keys_loaded;

  // Save what loaded and load it again: nothing may change.
  rdb::BufferSink sink;
  rdb::SaveOptions so;
  so.now_ms = kFuzzNowMs;
  rdb::SaveResult sr;
  Status ss = rdb::SaveSnapshot(&sink, dbs, so, &sr);
  if (!ss.ok()) {
    // Only a value the writer cannot produce yet (an aggregate layout still pending) may fail.
    if (ss.code() != StatusCode::kUnsupported) out.violation = "re-save failed: " + ss.ToString();
    return out;
  }
  if (sr.keys != res.keys_loaded) {
    out.violation = "re-save wrote " + std::to_string(sr.keys) + " keys, loaded " +
                    std::to_string(res.keys_loaded);
    return out;
  }
  const std::string& again = sink.buffer();
  KeyspaceEnv env3;
  env3.now_ms = kFuzzNowMs;
  std::vector<std::unique_ptr<Database>> dbs3;
  std::string digest3;
  rdb::LoadResult res3;
  rdb::MemorySource mem3(again);
  Status st3 = FuzzLoad(&mem3, &env3, &dbs3, &digest3, &res3);
  if (!st3.ok()) {
    out.violation = "a re-saved file does not load: " + st3.ToString();
  } else if (digest3 != digest) {
    out.violation = "the digest changed across save + load";
  }
  return out;
}

// The RESTORE path for one payload (checksum skipped). On success *value_digest (optional) gets
// DEBUG DIGEST-VALUE of the restored value.
inline Outcome CheckRestorePayload(const uint8_t* data, size_t size,
                                   std::string* value_digest = nullptr) {
  Outcome out;
  std::string_view payload(reinterpret_cast<const char*>(data), size);
  Status vs = rdb::VerifyDumpPayload(payload, rdb::RDB_MAX_READABLE_VERSION, true);
  if (!vs.ok()) {
    out.error = vs.ToString();
    return out;
  }
  std::string_view body = rdb::DumpPayloadBody(payload);
  rdb::MemorySource src(body);
  rdb::RdbReader reader(&src);
  auto type = reader.LoadType();
  if (!type.ok() || !rdb::IsObjectType(*type)) {
    out.error = "bad type";
    return out;
  }
  rdb::LoadLimits limits;
  limits.sanitize = true;
  auto v = rdb::LoadValue(reader, *type, limits, "fuzz");
  if (!v.ok()) {
    out.error = v.status().ToString();
    if (v.status().message().empty()) out.violation = "a refused payload carries no message";
    return out;
  }
  if (reader.offset() != body.size()) {
    rdb::DiscardValue(*v);
    out.error = "trailing bytes";
    return out;
  }
  if (reader.offset() > body.size()) out.violation = "the reader went past the payload";
  Record* rec = rdb::NewRecordFromLoaded("fuzz", *v, false, 0);
  out.loaded = true;
  out.keys = 1;
  std::string digest = ValueDigest(rec);
  if (value_digest) *value_digest = digest;

  // DUMP it again and restore that: same value.
  rdb::BufferSink sink;
  rdb::RdbWriter w(&sink, {true, true});
  Status ss = rdb::SaveTypedValue(w, rec, rdb::RDB_VERSION);
  Record::Free(rec);
  if (!ss.ok()) {
    if (ss.code() != StatusCode::kUnsupported) out.violation = "re-dump failed: " + ss.ToString();
    return out;
  }
  std::string again = sink.Release();
  rdb::AppendDumpFooter(&again, rdb::RDB_VERSION);
  if (!rdb::VerifyDumpPayload(again).ok()) {
    out.violation = "a fresh DUMP payload fails its own checksum";
    return out;
  }
  std::string_view body2 = rdb::DumpPayloadBody(again);
  rdb::MemorySource src2(body2);
  rdb::RdbReader r2(&src2);
  auto t2 = r2.LoadType();
  auto v2 = t2.ok() ? rdb::LoadValue(r2, *t2, limits, "fuzz")
                    : Expected<ValueInit>(t2.status());
  if (!v2.ok()) {
    out.violation = "a fresh DUMP payload does not restore: " + v2.status().ToString();
    return out;
  }
  Record* rec2 = rdb::NewRecordFromLoaded("fuzz", *v2, false, 0);
  if (r2.offset() != body2.size()) out.violation = "a fresh DUMP payload has trailing bytes";
  if (ValueDigest(rec2) != digest) out.violation = "the value changed across DUMP + RESTORE";
  Record::Free(rec2);
  return out;
}

}  // namespace ember::fuzz
