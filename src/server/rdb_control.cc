// RDB persistence orchestration. See rdb_control.h.
#include "server/rdb_control.h"

#include <dirent.h>
#include <signal.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/log.h"
#include "base/time.h"
#include "memory/alloc.h"
#include "persist/dismiss.h"
#include "persist/rdb/rdb_reader.h"
#include "persist/rdb/rdb_writer.h"
#include "proto/errors.h"
#include "server/server.h"
#include "sys/proc.h"

namespace ember {

namespace {
constexpr int64_t kBgsaveRetryDelaySec = 5;  // CONFIG_BGSAVE_RETRY_DELAY

Status FsyncDir(const std::string& dir) {
  int fd = open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno("open directory", errno);
  int r = fsync(fd);
  int err = errno;
  close(fd);
  return r == 0 ? Status::OK() : Status::FromErrno("fsync directory", err);
}
}  // namespace

void DismissClientBuffersInChild(Server* server, PageDismisser* dismiss) {
  if (!dismiss->enabled()) return;
  for (const auto& [id, c] : server->clients()) {
    dismiss->Allocation(c->QueryBufferData());
    c->reply.ForEachChunkBuffer([&](const void* p) { dismiss->Allocation(p); });
  }
  dismiss->Flush();
}

RdbControl::RdbControl(Server* server) : server_(server) { lastsave_ = UnixMs() / 1000; }

rdb::SaveOptions RdbControl::MakeSaveOptions() const {
  const ServerConfig& c = server_->cfg();
  rdb::SaveOptions o;
  o.compression = c.rdbcompression;
  o.checksum = c.rdbchecksum;
  o.now_ms = UnixMs();
  o.lru_clock = server_->env().lru_clock;
  o.lfu_decay_time = c.lfu_decay_time;
  o.key_save_delay = c.rdb_key_save_delay;
  switch (c.maxmemory_policy) {
    case MaxmemoryPolicy::kAllkeysLru:
    case MaxmemoryPolicy::kVolatileLru: o.save_idle = true; break;
    case MaxmemoryPolicy::kAllkeysLfu:
    case MaxmemoryPolicy::kVolatileLfu: o.save_freq = true; break;
    default: break;
  }
  return o;
}

rdb::LoadOptions RdbControl::MakeLoadOptions() const {
  const ServerConfig& c = server_->cfg();
  rdb::LoadOptions o;
  o.limits.hash_max_listpack_entries = c.hash_max_listpack_entries;
  o.limits.hash_max_listpack_value = c.hash_max_listpack_value;
  o.limits.zset_max_listpack_entries = c.zset_max_listpack_entries;
  o.limits.zset_max_listpack_value = c.zset_max_listpack_value;
  o.limits.set_max_intset_entries = c.set_max_intset_entries;
  o.limits.set_max_listpack_entries = c.set_max_listpack_entries;
  o.limits.set_max_listpack_value = c.set_max_listpack_value;
  o.limits.list_max_listpack_size = c.list_max_listpack_size;
  o.limits.list_compress_depth = c.list_compress_depth;
  o.limits.sanitize = c.sanitize_dump_payload == SanitizeDumpPayload::kYes;
  o.verify_checksum = c.rdbchecksum && !skip_checksum_;
  o.now_ms = UnixMs();
  o.key_load_delay = c.key_load_delay;
  return o;
}

Status RdbControl::WriteSnapshot(const std::string& tmp, bool in_child) {
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Status::FromErrno("Failed opening the temp RDB file " + tmp + " for saving", errno);
  }
  rdb::FdSinkOptions so;
  so.fsync_every = server_->cfg().rdb_save_incremental_fsync ? 4 * 1024 * 1024 : 0;
  rdb::FdSink sink(fd, so);
  rdb::SaveOptions opts = MakeSaveOptions();
  // In the child, values' pages are released as soon as they are written (lower CoW).
  PageDismisser dismiss(in_child && DismissAllowedHere());
  if (in_child) {
    DismissClientBuffersInChild(server_, &dismiss);
    opts.progress = [this](uint64_t keys) { child_.ChildReportProgress(keys); };
    opts.dismiss = &dismiss;
  }
  rdb::SaveResult res;
  Status st = rdb::SaveSnapshot(&sink, server_->databases(), opts, &res);
  if (st.ok()) st = sink.Sync();
  if (close(fd) != 0 && st.ok()) st = Status::FromErrno("close", errno);
  if (!st.ok()) {
    unlink(tmp.c_str());
    return st;
  }
  if (in_child) {
    child_.ChildReportFinal(res.keys);
    dismiss.LogSummary("RDB");
  }
  return Status::OK();
}

Status RdbControl::Finish(const std::string& tmp) {
  const std::string& target = server_->cfg().dbfilename;
  if (rename(tmp.c_str(), target.c_str()) != 0) {
    int err = errno;
    unlink(tmp.c_str());
    char cwd[1024];
    return Status::FromErrno("Error moving temp DB file " + tmp + " on the final destination " +
                                 target + " (in server root dir " +
                                 (getcwd(cwd, sizeof(cwd)) ? cwd : "unknown") + ")",
                             err);
  }
  return FsyncDir(".");
}

Status RdbControl::Save() {
  if (child_.active() && child_.type() == ChildType::kRdb) {
    return Status::Busy(std::string(proto::kErrBgsaveInProgress));
  }
  std::string tmp = "temp-" + std::to_string(getpid()) + ".rdb";
  Status st = WriteSnapshot(tmp, false);
  if (!st.ok()) {
    LOG_WARNING("Write error saving DB on disk: %s", st.message().c_str());
  } else if (!(st = Finish(tmp)).ok()) {
    LOG_WARNING("%s", st.message().c_str());
  }
  // As Redis: a failed foreground save is reported to its caller (SAVE's error, SHUTDOWN refused)
  // and does not set rdb_last_bgsave_status, so it does not start refusing writes (MISCONF).
  if (!st.ok()) return st;
  LOG_NOTICE("DB saved on disk");
  server_->dirty = 0;
  lastsave_ = UnixMs() / 1000;
  last_bgsave_ok_ = true;
  rdb_saves_++;
  return Status::OK();
}

uint64_t RdbControl::EstimateForkCow() const {
  // Pages the parent will dirty while the child writes: the write rate times the save time we
  // expect (the dataset at ~400 MB/s), with ~one 4 KB page per write, capped by the dataset.
  size_t used = mem::UsedMemory();
  double save_secs = static_cast<double>(used) / (400.0 * 1024 * 1024);
  double bytes = dirty_per_sec_ * save_secs * 4096.0;
  if (bytes > static_cast<double>(used)) bytes = static_cast<double>(used);
  return static_cast<uint64_t>(bytes);
}

Status RdbControl::BackgroundSave(bool schedule, bool* scheduled) {
  if (scheduled) *scheduled = false;
  if (child_.active()) {
    if (child_.type() == ChildType::kRdb) {
      return Status::Busy(std::string(proto::kErrBgsaveInProgress));
    }
    if (schedule) {
      bgsave_scheduled_ = true;
      if (scheduled) *scheduled = true;
      return Status::OK();
    }
    return Status::Busy(std::string(proto::kErrBgsaveChildActive));
  }
  last_bgsave_try_ = UnixMs() / 1000;
  fork_cow_estimate_ = EstimateForkCow();
  uint64_t avail = sys::MemAvailable();
  sys::CgroupMemory cg = sys::ReadCgroupMemory();
  if (cg.limited() && cg.limit > cg.current) {
    uint64_t cg_avail = cg.limit - cg.current;
    if (avail == 0 || cg_avail < avail) avail = cg_avail;
  }
  if (avail && fork_cow_estimate_ > avail) {
    LOG_WARNING("BGSAVE: the child may need about %llu MB of copy-on-write memory but only %llu MB "
                "are available; the save may fail or the host may start swapping.",
                static_cast<unsigned long long>(fork_cow_estimate_ >> 20),
                static_cast<unsigned long long>(avail >> 20));
  }
  uint64_t keys = 0;
  for (auto& db : server_->databases()) keys += db->Size();
  int oom_child = server_->cfg().oom_score_adj != OomScoreAdj::kNo
                      ? server_->cfg().oom_score_adj_values[2]
                      : 0;
  dirty_before_bgsave_ = server_->dirty;
  auto pid = child_.Start(ChildType::kRdb, keys, oom_child);
  if (!pid.ok()) {
    last_bgsave_ok_ = false;
    LOG_WARNING("Can't save in background: fork: %s", pid.status().message().c_str());
    // Redis replies a bare "-ERR" (shared.err); the reason is in the log.
    return Status::IOError("ERR");
  }
  if (*pid == 0) {
    // Child: write the snapshot and exit without running any parent cleanup.
    server_->CloseListenersInChild();
    std::string tmp = "temp-" + std::to_string(getpid()) + ".rdb";
    Status st = WriteSnapshot(tmp, true);
    if (st.ok()) {
      LOG_NOTICE("DB saved on disk");
      uint64_t peak = child_.ChildCowPeak();
      LOG_NOTICE("Fork CoW for RDB: current %llu MB, peak %llu MB, average %llu MB",
                 static_cast<unsigned long long>(peak >> 20), static_cast<unsigned long long>(peak >> 20),
                 static_cast<unsigned long long>(peak >> 20));
    } else {
      LOG_WARNING("Write error saving DB on disk: %s", st.message().c_str());
    }
    _exit(st.ok() ? 0 : 1);
  }
  server_->stats.total_forks++;
  server_->stats.latest_fork_usec = child_.last_fork_usec();
  server_->env().child_active = true;
  bgsave_started_ms_ = UnixMs();
  LOG_NOTICE("Background saving started by pid %d", static_cast<int>(*pid));
  return Status::OK();
}

void RdbControl::OnChildDone(bool ok, int sig) {
  server_->env().child_active = false;
  std::string tmp = "temp-" + std::to_string(child_pid_done_) + ".rdb";
  last_bgsave_time_sec_ = (UnixMs() - bgsave_started_ms_) / 1000;
  last_cow_size_ = child_.info().cow_bytes;
  if (ok) {
    Status st = Finish(tmp);
    if (st.ok()) {
      LOG_NOTICE("Background saving terminated with success");
      LOG_NOTICE("RDB: %llu MB of memory used by copy-on-write",
                 static_cast<unsigned long long>(last_cow_size_ >> 20));
      server_->dirty = server_->dirty - dirty_before_bgsave_;
      lastsave_ = UnixMs() / 1000;
      last_bgsave_ok_ = true;
      rdb_saves_++;
      return;
    }
    LOG_WARNING("%s", st.message().c_str());
  } else if (sig) {
    LOG_WARNING("Background saving terminated by signal %d", sig);
    unlink(tmp.c_str());
  } else {
    LOG_WARNING("Background saving error");
    unlink(tmp.c_str());
  }
  // A child killed by SIGUSR1 was stopped on purpose: not an error.
  if (sig != SIGUSR1) last_bgsave_ok_ = false;
}

void RdbControl::KillChild() {
  if (!child_.active() || child_.type() != ChildType::kRdb) return;
  pid_t pid = child_.pid();
  child_.Kill();
  unlink(("temp-" + std::to_string(pid) + ".rdb").c_str());
  server_->env().child_active = false;
  // Redis's line when it reaps a child it killed (SIGUSR1 is not a failed save).
  LOG_WARNING("Background saving terminated by signal %d", SIGUSR1);
}

void RdbControl::Cron() {
  int64_t now_ms = UnixMs();
  // Write-rate sample for the CoW estimate (EMA over one-second samples).
  if (now_ms - last_sample_ms_ >= 1000) {
    double rate = static_cast<double>(server_->dirty >= dirty_at_last_sample_
                                          ? server_->dirty - dirty_at_last_sample_
                                          : server_->dirty) *
                  1000.0 / static_cast<double>(std::max<int64_t>(1, now_ms - last_sample_ms_));
    dirty_per_sec_ = last_sample_ms_ ? dirty_per_sec_ * 0.7 + rate * 0.3 : rate;
    dirty_at_last_sample_ = server_->dirty;
    last_sample_ms_ = now_ms;
  }
  if (child_.active()) {
    if (child_.type() != ChildType::kRdb) return;  // AofControl reaps its rewrite child
    pid_t pid = child_.pid();
    bool ok = false;
    int sig = 0;
    if (child_.Poll(&ok, &sig)) {
      child_pid_done_ = pid;
      OnChildDone(ok, sig);
    }
    return;
  }
  int64_t now = now_ms / 1000;
  if (bgsave_scheduled_) {
    bgsave_scheduled_ = false;
    (void)BackgroundSave(false, nullptr);
    return;
  }
  for (const auto& sp : server_->cfg().save) {
    if (server_->dirty >= static_cast<uint64_t>(sp.changes) && now - lastsave_ > sp.seconds &&
        (last_bgsave_ok_ || now - last_bgsave_try_ > kBgsaveRetryDelaySec)) {
      LOG_NOTICE("%d changes in %d seconds. Saving...", sp.changes, static_cast<int>(sp.seconds));
      (void)BackgroundSave(false, nullptr);
      break;
    }
  }
}

bool RdbControl::WritesRefused() const {
  const ServerConfig& c = server_->cfg();
  return c.stop_writes_on_bgsave_error && !c.save.empty() && !last_bgsave_ok_;
}

void RdbControl::RemoveStaleTempFiles() {
  DIR* d = opendir(".");
  if (!d) return;
  while (struct dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n.size() > 9 && n.rfind("temp-", 0) == 0 && n.compare(n.size() - 4, 4, ".rdb") == 0) {
      std::string pidpart = n.substr(5, n.size() - 9);
      bool digits = !pidpart.empty() && pidpart.find_first_not_of("0123456789.") == std::string::npos;
      if (digits && unlink(n.c_str()) == 0) LOG_NOTICE("Removed stale temp file %s", n.c_str());
    }
  }
  closedir(d);
}

void RdbControl::BeginLoading(uint64_t total_bytes) {
  loading_total_bytes_ = total_bytes;
  loading_loaded_bytes_ = 0;
  loading_start_ = UnixMs() / 1000;
  loading_ = true;
  server_->env().loading = true;
}

void RdbControl::EndLoading() {
  loading_ = false;
  server_->env().loading = false;
}

Status RdbControl::LoadFile(std::vector<std::unique_ptr<Database>>* fresh, bool serve_events,
                            rdb::LoadResult* res, bool* found) {
  *found = false;
  const std::string& path = server_->cfg().dbfilename;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::OK();
    return Status::FromErrno("Fatal error loading the DB, check server logs. Exiting: " + path, errno);
  }
  *found = true;
  struct stat stt;
  loading_total_bytes_ = fstat(fd, &stt) == 0 ? static_cast<uint64_t>(stt.st_size) : 0;
  loading_loaded_bytes_ = 0;
  loading_start_ = UnixMs() / 1000;
  loading_ = true;
  server_->env().loading = true;
  fresh->clear();
  for (int i = 0; i < server_->DatabaseCount(); i++) {
    fresh->push_back(std::make_unique<Database>(i, &server_->env()));
  }
  rdb::FdSource src(fd);
  rdb::LoadOptions lo = MakeLoadOptions();
  lo.progress = [this, serve_events](uint64_t bytes) {
    loading_loaded_bytes_ = bytes;
    if (serve_events) server_->ServeWhileLoading();
  };
  Status st = rdb::LoadSnapshot(&src, *fresh, lo, res);
  close(fd);
  loading_ = false;
  server_->env().loading = false;
  if (st.ok() && res->checksum_skipped && lo.verify_checksum) {
    LOG_WARNING("RDB file was saved with checksum disabled: no check performed.");
  }
  return st;
}

Status RdbControl::Load(bool* found) {
  int64_t t0 = MonotonicUs();
  std::vector<std::unique_ptr<Database>> fresh;
  rdb::LoadResult res;
  Status st = LoadFile(&fresh, true, &res, found);
  if (!st.ok() || !*found) return st;
  for (int i = 0; i < server_->DatabaseCount(); i++) server_->db(i).SwapWith(*fresh[i]);
  last_load_keys_loaded_ = res.keys_loaded;
  last_load_keys_expired_ = res.keys_expired;
  LOG_NOTICE("Done loading RDB, keys loaded: %llu, keys expired: %llu.",
             static_cast<unsigned long long>(res.keys_loaded),
             static_cast<unsigned long long>(res.keys_expired));
  LOG_NOTICE("DB loaded from disk: %.3f seconds", static_cast<double>(MonotonicUs() - t0) / 1e6);
  return Status::OK();
}

Status RdbControl::Reload(bool save, bool flush, bool merge, const char** stage) {
  *stage = "save";
  if (save) EMBER_RETURN_IF_ERROR(Save());
  *stage = "load";
  std::vector<std::unique_ptr<Database>> fresh;
  rdb::LoadResult res;
  bool found = false;
  Status st = LoadFile(&fresh, false, &res, &found);
  if (!st.ok()) {
    LOG_WARNING("DEBUG RELOAD: %s", st.message().c_str());
    return st;
  }
  if (!found) return Status::NotFound("no RDB file to load: " + server_->cfg().dbfilename);
  int n = server_->DatabaseCount();
  if (flush) {
    for (int i = 0; i < n; i++) {
      server_->TouchAllWatchedKeysInDb(i);
      server_->db(i).SwapWith(*fresh[i]);
    }
  } else {
    if (!merge) {
      // Refuse before changing anything when a loaded key already exists.
      for (int i = 0; i < n; i++) {
        Status dup;
        fresh[i]->main_table().ForEach([&](Record* r) {
          if (dup.ok() && server_->db(i).Find(r->key()) != nullptr) {
            dup = Status::Corruption("RDB has duplicated key '" + std::string(r->key()) +
                                     "' in DB " + std::to_string(i));
          }
        });
        if (!dup.ok()) {
          LOG_WARNING("DEBUG RELOAD: %s", dup.message().c_str());
          return dup;
        }
      }
    }
    for (int i = 0; i < n; i++) {
      std::vector<std::string> keys;
      keys.reserve(fresh[i]->Size());
      fresh[i]->main_table().ForEach([&](Record* r) { keys.emplace_back(r->key()); });
      Database& dst = server_->db(i);
      for (const std::string& k : keys) {
        Record* r = fresh[i]->Unlink(k);
        if (dst.Find(k) != nullptr) dst.Delete(k);
        dst.Insert(r);
        server_->TouchWatchedKey(i, k);
      }
    }
  }
  last_load_keys_loaded_ = res.keys_loaded;
  last_load_keys_expired_ = res.keys_expired;
  LOG_WARNING("DB reloaded by DEBUG RELOAD");
  return Status::OK();
}

std::string RdbControl::InfoFields() const {
  const ChildInfo& ci = child_.info();
  bool rdb_child = child_.active() && child_.type() == ChildType::kRdb;
  int64_t now_ms = UnixMs();
  char buf[2048];
  double perc = rdb_child && ci.keys_total ? 100.0 * ci.keys_processed / ci.keys_total : 0;
  int n = std::snprintf(
      buf, sizeof(buf),
      "loading:%d\r\nasync_loading:0\r\ncurrent_cow_peak:%llu\r\ncurrent_cow_size:%llu\r\n"
      "current_cow_size_age:%lld\r\ncurrent_fork_perc:%.2f\r\ncurrent_save_keys_processed:%llu\r\n"
      "current_save_keys_total:%llu\r\nrdb_changes_since_last_save:%llu\r\n"
      "rdb_bgsave_in_progress:%d\r\nrdb_last_save_time:%lld\r\nrdb_last_bgsave_status:%s\r\n"
      "rdb_last_bgsave_time_sec:%lld\r\nrdb_current_bgsave_time_sec:%lld\r\nrdb_saves:%llu\r\n"
      "rdb_last_cow_size:%llu\r\nrdb_last_load_keys_expired:%llu\r\n"
      "rdb_last_load_keys_loaded:%llu\r\n",
      loading_ ? 1 : 0, static_cast<unsigned long long>(child_.active() ? ci.cow_peak : 0),
      static_cast<unsigned long long>(child_.active() ? ci.cow_bytes : 0),
      static_cast<long long>(child_.active() && ci.cow_updated_ms ? (now_ms - ci.cow_updated_ms) / 1000 : 0),
      perc, static_cast<unsigned long long>(child_.active() ? ci.keys_processed : 0),
      static_cast<unsigned long long>(child_.active() ? ci.keys_total : 0),
      static_cast<unsigned long long>(server_->dirty), rdb_child ? 1 : 0,
      static_cast<long long>(lastsave_), last_bgsave_ok_ ? "ok" : "err",
      static_cast<long long>(last_bgsave_time_sec_),
      static_cast<long long>(rdb_child ? (now_ms - bgsave_started_ms_) / 1000 : -1),
      static_cast<unsigned long long>(rdb_saves_), static_cast<unsigned long long>(last_cow_size_),
      static_cast<unsigned long long>(last_load_keys_expired_),
      static_cast<unsigned long long>(last_load_keys_loaded_));
  return std::string(buf, n);
}

std::string RdbControl::LoadingInfoFields() const {
  std::string out;
  char buf[1024];
  if (loading_) {
    int64_t elapsed = UnixMs() / 1000 - loading_start_;
    double perc_l = loading_total_bytes_ ? 100.0 * loading_loaded_bytes_ / loading_total_bytes_ : 0;
    long long eta = loading_loaded_bytes_ && elapsed
                        ? static_cast<long long>((loading_total_bytes_ - loading_loaded_bytes_) /
                                                 (static_cast<double>(loading_loaded_bytes_) / elapsed))
                        : 1;
    std::snprintf(buf, sizeof(buf),
                  "loading_start_time:%lld\r\nloading_total_bytes:%llu\r\nloading_rdb_used_mem:0\r\n"
                  "loading_loaded_bytes:%llu\r\nloading_loaded_perc:%.2f\r\nloading_eta_seconds:%lld\r\n",
                  static_cast<long long>(loading_start_),
                  static_cast<unsigned long long>(loading_total_bytes_),
                  static_cast<unsigned long long>(loading_loaded_bytes_), perc_l, eta);
    out += buf;
  }
  return out;
}

std::string RdbControl::EmberInfoFields() const {
  char buf[128];
  std::snprintf(buf, sizeof(buf), "fork_cow_estimate_bytes:%llu\r\n",
                static_cast<unsigned long long>(fork_cow_estimate_));
  return buf;
}

}  // namespace ember
