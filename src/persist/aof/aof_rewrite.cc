// AOF base file writer. See aof_rewrite.h.
#include "persist/aof/aof_rewrite.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "base/time.h"
#include "core/value_iter.h"
#include "persist/aof/aof_reader.h"
#include "persist/dismiss.h"

namespace ember::aof {

namespace {

// Accumulates one command's arguments and writes it once complete.
class CommandOut {
 public:
  explicit CommandOut(rdb::Sink* sink) : sink_(sink) {}
  Status Emit(std::initializer_list<std::string_view> argv) {
    buf_.clear();
    AppendCommand(&buf_, argv.begin(), argv.size());
    bytes_ += buf_.size();
    return sink_->Write(buf_.data(), buf_.size());
  }
  Status EmitVec(const std::vector<std::string>& argv) {
    views_.assign(argv.begin(), argv.end());
    buf_.clear();
    AppendCommand(&buf_, views_);
    bytes_ += buf_.size();
    return sink_->Write(buf_.data(), buf_.size());
  }
  uint64_t bytes() const { return bytes_; }

 private:
  rdb::Sink* sink_;
  std::string buf_;
  std::vector<std::string_view> views_;
  uint64_t bytes_ = 0;
};

// Emits `cmd key items...` in batches of kItemsPerCommand items (each item `width` arguments).
class Batcher {
 public:
  Batcher(CommandOut* out, std::string_view cmd, std::string_view key, size_t width)
      : out_(out), width_(width) {
    head_ = {std::string(cmd), std::string(key)};
    argv_ = head_;
  }
  void Add(std::string_view a) {
    argv_.emplace_back(a);
    if ((argv_.size() - 2) == kItemsPerCommand * width_) Flush();
  }
  void Flush() {
    if (argv_.size() > 2 && st_.ok()) st_ = out_->EmitVec(argv_);
    argv_ = head_;
  }
  const Status& status() const { return st_; }

 private:
  CommandOut* out_;
  size_t width_;
  std::vector<std::string> head_, argv_;
  Status st_;
};

std::string FormatScore(double d) {
  char buf[64];
  int n = std::snprintf(buf, sizeof(buf), "%.17g", d);
  return std::string(buf, static_cast<size_t>(n));
}

}  // namespace

Status RewriteAsCommands(std::vector<std::unique_ptr<Database>>& dbs, rdb::Sink* sink,
                         int64_t now_ms, const std::function<void(uint64_t)>& progress,
                         uint64_t* keys_out, PageDismisser* dismiss, int key_save_delay) {
  CommandOut out(sink);
  uint64_t keys = 0;
  Status st;
  for (auto& dbp : dbs) {
    Database& db = *dbp;
    if (db.Size() == 0) continue;
    std::string id = std::to_string(db.id());
    EMBER_RETURN_IF_ERROR(out.Emit({"SELECT", id}));
    db.main_table().ForEach([&](Record* r) {
      if (!st.ok()) return;
      if (r->has_expire() && r->expire_ms() < now_ms) return;  // already expired: skip
      std::string_view key = r->key();
      Encoding enc = r->encoding();
      uint64_t start = out.bytes();
      switch (r->type()) {
        case ObjType::kString: {
          char buf[32];
          st = out.Emit({"SET", key, r->StringValue(buf)});
          break;
        }
        case ObjType::kList: {
          Batcher b(&out, "RPUSH", key, 1);
          ForEachListElement(enc, r->ptr(), [&](std::string_view e) { b.Add(e); });
          b.Flush();
          st = b.status();
          break;
        }
        case ObjType::kSet: {
          Batcher b(&out, "SADD", key, 1);
          ForEachSetMember(enc, r->ptr(), [&](std::string_view e) { b.Add(e); });
          b.Flush();
          st = b.status();
          break;
        }
        case ObjType::kZSet: {
          Batcher b(&out, "ZADD", key, 2);
          ForEachZsetMember(enc, r->ptr(), [&](std::string_view m, double s) {
            b.Add(FormatScore(s));
            b.Add(m);
          });
          b.Flush();
          st = b.status();
          break;
        }
        case ObjType::kHash: {
          Batcher b(&out, "HSET", key, 2);
          ForEachHashField(enc, r->ptr(), [&](std::string_view f, std::string_view v) {
            b.Add(f);
            b.Add(v);
          });
          b.Flush();
          st = b.status();
          break;
        }
        default:
          st = Status::Unsupported("AOF rewrite of type " + std::string(TypeName(r->type())) +
                                   " is not supported");
          return;
      }
      if (st.ok() && r->has_expire()) {
        st = out.Emit({"PEXPIREAT", key, std::to_string(r->expire_ms())});
      }
      // The value is never read again in this rewrite: a child releases its pages now.
      if (st.ok() && dismiss) dismiss->Value(r, out.bytes() - start);
      keys++;
      if (key_save_delay) DebugDelay(key_save_delay);
      if (progress && keys % 1024 == 0) progress(keys);
    });
    EMBER_RETURN_IF_ERROR(st);
  }
  if (keys_out) *keys_out = keys;
  return Status::OK();
}

Status WriteBaseFile(const std::string& path, std::vector<std::unique_ptr<Database>>& dbs,
                     const BaseWriteOptions& opts, BaseWriteResult* result) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Status::FromErrno("Opening the temp file for AOF rewrite in rewriteAppendOnlyFile(): " +
                                 path,
                             errno);
  }
  rdb::FdSinkOptions so;
  so.fsync_every = opts.incremental_fsync ? 4 * 1024 * 1024 : 0;  // REDIS_AUTOSYNC_BYTES
  rdb::FdSink sink(fd, so);
  Status st;
  uint64_t keys = 0;
  if (opts.rdb_preamble) {
    rdb::SaveOptions so2 = opts.rdb;
    so2.aof_base = true;
    so2.progress = opts.progress;
    so2.dismiss = opts.dismiss;
    rdb::SaveResult res;
    st = rdb::SaveSnapshot(&sink, dbs, so2, &res);
    keys = res.keys;
  } else {
    st = RewriteAsCommands(dbs, &sink, opts.now_ms, opts.progress, &keys, opts.dismiss,
                           opts.rdb.key_save_delay);
    if (st.ok()) st = sink.Flush();
    if (opts.dismiss) opts.dismiss->Flush();
  }
  if (st.ok()) st = sink.Sync();
  if (close(fd) != 0 && st.ok()) st = Status::FromErrno("close", errno);
  if (!st.ok()) {
    unlink(path.c_str());
    return st;
  }
  if (result) {
    result->keys = keys;
    result->bytes = sink.bytes_flushed();
  }
  return Status::OK();
}

}  // namespace ember::aof
