// AOF persistence orchestration. See aof_control.h.
#include "server/aof_control.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>
#include <vector>

#include "base/log.h"
#include "base/strutil.h"
#include "base/time.h"
#include "memory/not_counted.h"
#include "net/event_loop.h"
#include "persist/aof/aof_load.h"
#include "persist/aof/aof_reader.h"
#include "persist/aof/aof_rewrite.h"
#include "persist/dismiss.h"
#include "persist/rdb/rdb_reader.h"
#include "proto/errors.h"
#include "server/rdb_control.h"
#include "server/server.h"

namespace ember {

namespace {
constexpr int64_t kDelayedFsyncMs = 2000;        // Redis's 2-second rule
constexpr int64_t kWriteErrorLogEverySec = 30;   // AOF_WRITE_LOG_ERROR_RATE
constexpr uint64_t kRewriteFailureThreshold = 3; // AOF_REWRITE_LIMITE_THRESHOLD
constexpr int kRewriteMaxDelayMinutes = 60;      // AOF_REWRITE_LIMITE_MAX_MINUTES

uint64_t FileSize(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

bool FileExists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

size_t NotCountedAofBuffer(void* data) { return static_cast<AofControl*>(data)->BufferBytes(); }

// Runs the commands of an AOF in the server, as a fake client (Redis's loadSingleAppendOnlyFile).
class ServerLoadVisitor : public aof::LoadVisitor {
 public:
  explicit ServerLoadVisitor(Server* s) : s_(s) {
    fake_ = std::make_unique<Client>(s, -1, 0, "", "", false);
    fake_->flags |= kClientFake;
    fake_->authenticated = true;
    fake_->SelectDb(0);
  }
  ~ServerLoadVisitor() override {
    // A transaction the file left open (reverted by the loader) is dropped, not run.
    fake_->mstate.clear();
    fake_->flags &= ~kClientMulti;
  }

  Status LoadRdb(int fd, const std::string& path, uint64_t* end) override {
    if (lseek(fd, 0, SEEK_SET) != 0) return Status::FromErrno("lseek", errno);
    LOG_NOTICE("Reading RDB base file on AOF loading...");
    rdb::FdSource src(fd);
    rdb::LoadOptions lo = s_->rdb().MakeLoadOptions();
    lo.is_aof_preamble = true;
    uint64_t base = progress_base_;
    lo.progress = [this, base](uint64_t bytes) {
      s_->rdb().LoadingProgress(base + bytes);
      s_->ServeWhileLoading();
    };
    rdb::LoadResult res;
    EMBER_RETURN_IF_ERROR(rdb::LoadSnapshot(&src, s_->databases(), lo, &res));
    *end = res.bytes;
    keys_from_rdb_ += res.keys_loaded;
    LOG_NOTICE("Reading the remaining AOF tail...");
    return Status::OK();
  }

  Status OnCommand(std::span<const std::string_view> argv) override {
    const CommandSpec* spec = s_->commands().Find(argv[0]);
    if (spec && !spec->subcommands.empty() && argv.size() >= 2) {
      spec = s_->commands().FindSub(spec, argv[1]);
    }
    if (!spec) {
      return Status::InvalidArgument("Unknown command '" + std::string(argv[0].substr(0, 128)) +
                                     "' reading the append only file");
    }
    int argc = static_cast<int>(argv.size());
    if ((spec->arity > 0 && spec->arity != argc) || argc < -spec->arity) {
      return Status::InvalidArgument("Wrong number of arguments for '" + std::string(spec->name) +
                                     "' reading the append only file");
    }
    Client* c = fake_.get();
    if ((c->flags & kClientMulti) && std::string_view(spec->name) != "exec") {
      Client::QueuedCommand q{spec, {}};
      q.args.assign(argv.begin(), argv.end());
      c->mstate.push_back(std::move(q));
      return Status::OK();
    }
    s_->cmd_time_ms = UnixMs();
    s_->env().now_ms = s_->cmd_time_ms;
    CommandContext ctx;
    ctx.args = argv;
    ctx.client = c;
    ctx.server = s_;
    ctx.db = c->db;
    ctx.reply = &c->reply;
    spec->handler(ctx);
    if (!c->reply.Empty()) (void)c->reply.TakeAll();
    return Status::OK();
  }

  void OnProgress(uint64_t bytes) override {
    s_->rdb().LoadingProgress(bytes);
    progress_base_ = bytes;
    s_->ServeWhileLoading();
  }

  uint64_t keys_from_rdb_ = 0;

 private:
  Server* s_;
  std::unique_ptr<Client> fake_;
  uint64_t progress_base_ = 0;
};
}  // namespace

void AofWriterEvent(AofControl* aof) { aof->ReapWriter(); }

namespace {
void WriterEventProc(net::EventLoop*, int, void* data, int) {
  AofWriterEvent(static_cast<AofControl*>(data));
}
}  // namespace

AofControl::AofControl(Server* server) : server_(server) {
  not_counted_handle_ = mem::RegisterNotCounted("aof_buffer", NotCountedAofBuffer, this);
}

AofControl::~AofControl() {
  if (not_counted_handle_ >= 0) mem::UnregisterNotCounted(not_counted_handle_);
  if (writer_) (void)writer_->Drain(false);
  if (fd_ >= 0) close(fd_);
}

std::string AofControl::DirPath() const { return server_->cfg().appenddirname; }
std::string AofControl::ManifestName() const { return server_->cfg().appendfilename + ".manifest"; }

std::string AofControl::CurrentIncrPath() const {
  if (state_ == State::kOff || manifest_.incrs.empty()) return "";
  if (state_ == State::kWaitRewrite) return DirPath() + "/temp-" + server_->cfg().appendfilename + ".incr";
  return DirPath() + "/" + manifest_.incrs.back().name;
}

const char* AofControl::writer_name() const {
  if (writer_) return writer_->backend_name();
  switch (server_->cfg().aof_io_uring) {
    case AofIoUring::kNo: return "threaded";
    default: return "io_uring";
  }
}

size_t AofControl::BufferBytes() const { return writer_ ? writer_->buffered() : 0; }

bool AofControl::child_active() const {
  const ForkChild& ch = server_->rdb().child();
  return ch.active() && ch.type() == ChildType::kAof;
}

// ---- writer ---------------------------------------------------------------------------------

Status AofControl::CreateWriter() {
  if (writer_) return Status::OK();
  AofIoUring mode = server_->cfg().aof_io_uring;
  auto w = AofWriter::Create(
      mode == AofIoUring::kNo ? AofWriter::Backend::kThreaded : AofWriter::Backend::kIoUring,
      /*allow_fallback=*/mode == AofIoUring::kAuto);
  if (!w.ok()) {
    return Status::IOError("Can't create the AOF writer (aof-io-uring " +
                           std::string(mode == AofIoUring::kYes ? "yes" : "no") +
                           "): " + w.status().message());
  }
  writer_ = std::move(w).value();
  Status st = server_->loop().AddFileEvent(writer_->event_fd(), net::kReadable, WriterEventProc, this);
  if (!st.ok()) {
    writer_.reset();
    return st;
  }
  event_registered_ = true;
  LOG_NOTICE("AOF writer: %s", writer_->backend_name());
  return Status::OK();
}

void AofControl::SwitchWriterFile(int fd, uint64_t size) {
  uint64_t global_end = end_offset();
  AppendFsync policy = server_->cfg().appendfsync;
  if (writer_->fd() >= 0) {
    // appendfsync always: the old file is fsynced here (little is pending: replies wait on it).
    // Otherwise its data is written now and fsynced by a background close (Redis's bio close
    // job), so switching files never blocks the loop on a slow disk.
    Status st = writer_->Drain(policy == AppendFsync::kAlways);
    if (!st.ok()) LOG_WARNING("Flushing the AOF before switching files: %s", st.message().c_str());
  }
  writer_->SetFile(fd, size);
  if (fd_ >= 0 && fd_ != fd) {
    int old = fd_;
    bool sync = policy == AppendFsync::kEverysec;
    std::thread([old, sync] {
      if (sync) (void)fdatasync(old);
      close(old);
    }).detach();
  }
  fd_ = fd;
  files_before_ = global_end;
  file_start_ = size;
  selected_db_ = -1;  // the new file starts with a SELECT
  last_ts_ = -1;
  // Everything before the switch is durable now: release the clients waiting for it.
  server_->ReleaseAofWaiters();
}

Status AofControl::OpenIncr(const std::string& name, bool truncate) {
  std::string path = DirPath() + "/" + name;
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | (truncate ? O_TRUNC : 0), 0644);
  if (fd < 0) return Status::FromErrno("Can't open the append-only file " + name, errno);
  struct stat st;
  uint64_t size = fstat(fd, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
  SwitchWriterFile(fd, size);
  return Status::OK();
}

uint64_t AofControl::end_offset() const {
  if (!writer_) return files_before_;
  return files_before_ + (writer_->end_offset() - file_start_);
}

bool AofControl::FsyncSkipped() const {
  return server_->cfg().no_appendfsync_on_rewrite && server_->env().child_active;
}

uint64_t AofControl::durable_offset() const {
  if (state_ == State::kOff || !writer_) return UINT64_MAX;
  uint64_t off = server_->cfg().appendfsync == AppendFsync::kAlways && !FsyncSkipped()
                     ? writer_->synced_offset()
                     : writer_->written_offset();
  return files_before_ + (off - file_start_);
}

bool AofControl::HoldsReplies() const {
  return state_ != State::kOff && server_->cfg().appendfsync == AppendFsync::kAlways;
}

bool AofControl::WritesRefused(int* err) const {
  if (state_ == State::kOff || !writer_ || writer_->ok()) return false;
  if (err) *err = writer_->last_errno();
  return true;
}

void AofControl::Feed(int dbid, const std::string_view* argv, size_t argc) {
  if (state_ == State::kOff || !writer_) return;
  std::string& buf = writer_->buffer();
  if (server_->cfg().aof_timestamp_enabled) {
    int64_t now = server_->cmd_time_ms / 1000;
    if (now != last_ts_) {
      buf += "#TS:" + std::to_string(now) + "\r\n";
      last_ts_ = now;
    }
  }
  if (dbid != selected_db_) {
    char num[16];
    int n = std::snprintf(num, sizeof(num), "%d", dbid);
    std::string_view sel[2] = {"SELECT", std::string_view(num, static_cast<size_t>(n))};
    aof::AppendCommand(&buf, sel, 2);
    selected_db_ = dbid;
  }
  aof::AppendCommand(&buf, argv, argc);
}

void AofControl::Flush(bool force) {
  if (!writer_ || writer_->fd() < 0) return;
  const ServerConfig& c = server_->cfg();
  int64_t now = MonotonicUs() / 1000;
  bool everysec = c.appendfsync == AppendFsync::kEverysec;
  bool pending = writer_->buffered() > 0 || !writer_->ok();
  if (pending) {
    bool write_now = true;
    if (everysec && writer_->fsync_in_flight() && !force) {
      // Redis's rule: while a background fsync is pending, postpone the write up to 2 seconds,
      // then write anyway.
      if (postponed_start_ms_ == 0) {
        postponed_start_ms_ = now;
        write_now = false;
      } else if (now - postponed_start_ms_ < kDelayedFsyncMs) {
        write_now = false;
      } else {
        delayed_fsync_++;
        LOG_NOTICE("Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF "
                   "buffer without waiting for fsync to complete, this may slow down Redis.");
      }
    }
    if (write_now) {
      postponed_start_ms_ = 0;
      writer_->Submit(c.appendfsync == AppendFsync::kAlways && !FsyncSkipped());
    }
  } else if (c.appendfsync == AppendFsync::kAlways && !FsyncSkipped() &&
             writer_->synced_offset() < writer_->written_offset() && !writer_->write_in_flight()) {
    writer_->SubmitFsync();  // e.g. after no-appendfsync-on-rewrite ends, or an fsync error
  }
  if (everysec && !FsyncSkipped() && now - last_fsync_ms_ >= 1000 &&
      writer_->synced_offset() < writer_->written_offset() && !writer_->fsync_in_flight()) {
    writer_->SubmitFsync();
    last_fsync_ms_ = now;
  }
}

void AofControl::ReapWriter() {
  if (!writer_) return;
  bool advanced = writer_->Reap();
  bool ok = writer_->ok();
  if (!ok) {
    int64_t now = UnixMs() / 1000;
    if (last_write_ok_ || now - last_write_error_log_ >= kWriteErrorLogEverySec) {
      LOG_WARNING("Error writing to the AOF file: %s", std::strerror(writer_->last_errno()));
      last_write_error_log_ = now;
    }
    last_write_ok_ = false;
  } else if (!last_write_ok_) {
    LOG_WARNING("AOF write error looks solved, Redis can write again.");
    last_write_ok_ = true;
  }
  if (advanced) server_->ReleaseAofWaiters();
}

void AofControl::BeforeSleep() {
  if (state_ == State::kOff) return;
  Flush(false);
}

// ---- start-up -------------------------------------------------------------------------------

Status AofControl::WriteBaseNow(const std::string& path) {
  aof::BaseWriteOptions o;
  o.rdb_preamble = server_->cfg().aof_use_rdb_preamble;
  o.incremental_fsync = server_->cfg().aof_rewrite_incremental_fsync;
  o.rdb = server_->rdb().MakeSaveOptions();
  o.now_ms = UnixMs();
  aof::BaseWriteResult res;
  return aof::WriteBaseFile(path, server_->databases(), o, &res);
}

Status AofControl::Startup(bool* loaded) {
  *loaded = false;
  const ServerConfig& c = server_->cfg();
  if (!c.appendonly) return Status::OK();
  std::string dir = DirPath();
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return Status::FromErrno("Can't open or create append-only dir " + dir, errno);
  }
  auto m = aof::ReadManifest(dir, ManifestName());
  if (!m.ok() && m.status().code() != StatusCode::kNotFound) {
    return Status::Corruption(m.status().message());
  }
  if (m.ok()) {
    manifest_ = std::move(m).value();
  } else if (FileExists(c.appendfilename)) {
    // Redis 6 single-file AOF in `dir`: move it into the directory as the base (seq 1).
    LOG_NOTICE("Creating AOF base file %s on server start", c.appendfilename.c_str());
    std::string to = dir + "/" + c.appendfilename;
    if (rename(c.appendfilename.c_str(), to.c_str()) != 0) {
      return Status::FromErrno("Error trying to rename the old AOF file " + c.appendfilename +
                                   " into " + to,
                               errno);
    }
    manifest_ = aof::Manifest();
    manifest_.base = aof::FileInfo{c.appendfilename, 1, aof::FileType::kBase};
    manifest_.curr_base_seq = 1;
    Status st = aof::WriteManifest(dir, ManifestName(), manifest_);
    if (!st.ok()) {
      (void)rename(to.c_str(), c.appendfilename.c_str());
      return st;
    }
    LOG_NOTICE("Successfully migrated an old-style AOF into the AOF directory");
  }

  // Load.
  if (manifest_.base || !manifest_.incrs.empty()) {
    uint64_t total = aof::ManifestFilesSize(dir, manifest_);
    server_->rdb().BeginLoading(total);
    int64_t t0 = MonotonicUs();
    ServerLoadVisitor v(server_);
    aof::LoadOptions lo;
    lo.load_truncated = c.aof_load_truncated;
    aof::LoadReport rep;
    Status st = aof::LoadManifestFiles(dir, manifest_, lo, &v, &rep);
    server_->rdb().EndLoading();
    if (!st.ok()) return st;
    if (rep.outcome != aof::LoadOutcome::kNotExist) *loaded = true;
    if (rep.outcome == aof::LoadOutcome::kEmpty) {
      LOG_NOTICE("The AOF files are empty");
    } else if (*loaded) {
      LOG_NOTICE("DB loaded from append only file: %.3f seconds",
                 static_cast<double>(MonotonicUs() - t0) / 1e6);
    }
  }

  EMBER_RETURN_IF_ERROR(CreateWriter());
  if (!manifest_.base && manifest_.incrs.empty()) {
    // Nothing on disk yet: write the first base from the (empty) dataset, as Redis does.
    std::string name = manifest_.NewBaseName(c.appendfilename, c.aof_use_rdb_preamble);
    Status st = WriteBaseNow(dir + "/" + name);
    if (!st.ok()) return Status::IOError("Creating the AOF base file " + name + ": " + st.message());
    manifest_.base = aof::FileInfo{name, manifest_.curr_base_seq, aof::FileType::kBase};
    LOG_NOTICE("Creating AOF base file %s on server start", name.c_str());
  }
  bool new_incr = manifest_.incrs.empty();
  std::string incr = new_incr ? manifest_.NewIncrName(c.appendfilename) : manifest_.incrs.back().name;
  EMBER_RETURN_IF_ERROR(OpenIncr(incr, false));
  if (new_incr) LOG_NOTICE("Creating AOF incr file %s on server start", incr.c_str());
  EMBER_RETURN_IF_ERROR(aof::WriteManifest(dir, ManifestName(), manifest_));
  state_ = State::kOn;
  UpdateSizes();
  DeleteHistoryFiles();
  return Status::OK();
}

void AofControl::UpdateSizes() {
  std::string dir = DirPath();
  base_size_ = manifest_.base ? FileSize(dir + "/" + manifest_.base->name) : 0;
  other_incr_size_ = 0;
  for (size_t i = 0; i + 1 < manifest_.incrs.size(); i++) {
    other_incr_size_ += FileSize(dir + "/" + manifest_.incrs[i].name);
  }
}

void AofControl::DeleteHistoryFiles() {
  if (server_->cfg().aof_disable_auto_gc || manifest_.history.empty()) return;
  std::vector<aof::FileInfo> history;
  history.swap(manifest_.history);
  Status st = aof::WriteManifest(DirPath(), ManifestName(), manifest_);
  if (!st.ok()) {
    manifest_.history.swap(history);
    LOG_WARNING("Persisting the AOF manifest while removing history files: %s", st.message().c_str());
    return;
  }
  std::vector<std::string> paths;
  for (const auto& h : history) {
    LOG_NOTICE("Removing the history file %s in the background", h.name.c_str());
    paths.push_back(DirPath() + "/" + h.name);
  }
  // Unlinking a big file can take a while on some file systems: do it off the loop (bio).
  std::thread([paths = std::move(paths)] {
    for (const auto& p : paths) unlink(p.c_str());
  }).detach();
}

// ---- rewrite --------------------------------------------------------------------------------

bool AofControl::RewriteLimited() {
  if (consecutive_failures_ < kRewriteFailureThreshold) {
    next_delay_minutes_ = 0;
    next_rewrite_time_ = 0;
    return false;
  }
  int64_t now = UnixMs() / 1000;
  if (next_rewrite_time_ != 0) {
    if (now < next_rewrite_time_) return true;
    next_rewrite_time_ = 0;
    return false;
  }
  next_delay_minutes_ = next_delay_minutes_ == 0 ? 1 : next_delay_minutes_ * 2;
  if (next_delay_minutes_ > kRewriteMaxDelayMinutes) next_delay_minutes_ = kRewriteMaxDelayMinutes;
  next_rewrite_time_ = now + next_delay_minutes_ * 60;
  LOG_WARNING("Background AOF rewrite has repeatedly failed and triggered the limit, will retry in "
              "%d minutes",
              next_delay_minutes_);
  return true;
}

Status AofControl::StartRewrite() {
  const ServerConfig& c = server_->cfg();
  std::string dir = DirPath();
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return Status::FromErrno("Can't open or create append-only dir " + dir, errno);
  }
  if (state_ == State::kOn) {
    // Everything so far goes to the current incr; what follows the fork goes to a new one.
    aof::Manifest m = manifest_;
    std::string name = m.NewIncrName(c.appendfilename);
    std::string path = dir + "/" + name;
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return Status::FromErrno("Can't open the append-only file " + name, errno);
    Status st = aof::WriteManifest(dir, ManifestName(), m);
    if (!st.ok()) {
      close(fd);
      unlink(path.c_str());
      return st;
    }
    uint64_t old_size = writer_->end_offset();
    SwitchWriterFile(fd, 0);
    other_incr_size_ += old_size;
    manifest_ = std::move(m);
    LOG_NOTICE("Creating AOF incr file %s on background rewrite", name.c_str());
  } else if (state_ == State::kWaitRewrite) {
    // Turning the AOF on: writes accumulate in a temp incr until the first base exists.
    std::string path = dir + "/temp-" + c.appendfilename + ".incr";
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return Status::FromErrno("Can't open the temp AOF incr file " + path, errno);
    SwitchWriterFile(fd, 0);
    LOG_NOTICE("Creating AOF incr file temp-%s.incr on background rewrite",
               c.appendfilename.c_str());
  }
  uint64_t keys = 0;
  for (auto& db : server_->databases()) keys += db->Size();
  int oom_child = c.oom_score_adj != OomScoreAdj::kNo ? c.oom_score_adj_values[2] : 0;
  ForkChild& child = server_->rdb().child();
  auto pid = child.Start(ChildType::kAof, keys, oom_child);
  if (!pid.ok()) {
    last_bgrewrite_ok_ = false;  // aof_last_bgrewrite_status:err, as Redis
    LOG_WARNING("Can't rewrite append only file in background: fork: %s",
                pid.status().message().c_str());
    return Status::IOError(pid.status().message());
  }
  if (*pid == 0) {
    server_->CloseListenersInChild();
    std::string tmp = "temp-rewriteaof-bg-" + std::to_string(getpid()) + ".aof";
    aof::BaseWriteOptions o;
    o.rdb_preamble = c.aof_use_rdb_preamble;
    o.incremental_fsync = c.aof_rewrite_incremental_fsync;
    o.rdb = server_->rdb().MakeSaveOptions();
    o.now_ms = UnixMs();
    o.progress = [&child](uint64_t k) { child.ChildReportProgress(k); };
    // Values' pages are released as soon as they are written (lower CoW): persist/dismiss.h.
    PageDismisser dismiss(DismissAllowedHere());
    DismissClientBuffersInChild(server_, &dismiss);
    o.dismiss = &dismiss;
    aof::BaseWriteResult res;
    Status st = aof::WriteBaseFile(tmp, server_->databases(), o, &res);
    if (st.ok()) {
      child.ChildReportFinal(res.keys);
      dismiss.LogSummary("AOF rewrite");
      uint64_t peak = child.ChildCowPeak();
      LOG_NOTICE("Successfully created the temporary AOF base file %s", tmp.c_str());
      LOG_NOTICE("Fork CoW for AOF rewrite: current %llu MB, peak %llu MB, average %llu MB",
                 static_cast<unsigned long long>(peak >> 20),
                 static_cast<unsigned long long>(peak >> 20),
                 static_cast<unsigned long long>(peak >> 20));
    } else {
      LOG_WARNING("Error rewriting the append only file: %s", st.message().c_str());
    }
    _exit(st.ok() ? 0 : 1);
  }
  server_->stats.total_forks++;
  server_->stats.latest_fork_usec = child.last_fork_usec();
  server_->env().child_active = true;
  rewrite_started_ms_ = UnixMs();
  rewrites_++;
  LOG_NOTICE("Background append only file rewriting started by pid %d", static_cast<int>(*pid));
  return Status::OK();
}

Status AofControl::BackgroundRewrite(bool in_multi, bool* scheduled) {
  *scheduled = false;
  if (child_active()) return Status::Busy(std::string(proto::kErrAofRewriteInProgress));
  if (server_->rdb().child().active() || in_multi) {
    rewrite_scheduled_ = true;
    consecutive_failures_ = 0;
    *scheduled = true;
    return Status::OK();
  }
  Status st = StartRewrite();
  if (!st.ok()) {
    LOG_WARNING("Can't rewrite append only file in background: %s", st.message().c_str());
    return Status::IOError(std::string(proto::kErrAofRewriteFailed));
  }
  return Status::OK();
}

void AofControl::OnRewriteDone(bool ok, int sig, pid_t pid) {
  const ServerConfig& c = server_->cfg();
  std::string dir = DirPath();
  std::string tmp = "temp-rewriteaof-bg-" + std::to_string(pid) + ".aof";
  server_->env().child_active = false;
  last_rewrite_time_sec_ = (UnixMs() - rewrite_started_ms_) / 1000;
  last_cow_size_ = server_->rdb().child().info().cow_bytes;
  auto fail = [&](const std::string& why) {
    unlink(tmp.c_str());
    if (sig == SIGUSR1) {
      LOG_WARNING("Background AOF rewrite terminated by signal %d", sig);
    } else {
      LOG_WARNING("%s", why.c_str());
      last_bgrewrite_ok_ = false;
      consecutive_failures_++;
    }
    // Turning the AOF on needs a base: keep trying.
    if (state_ == State::kWaitRewrite) rewrite_scheduled_ = true;
  };
  if (!ok) {
    fail(sig ? "Background AOF rewrite terminated by signal " + std::to_string(sig)
             : std::string("Background AOF rewrite terminated with error"));
    return;
  }
  // The log lines below are Redis 7.0's, in its order.
  LOG_NOTICE("Background AOF rewrite terminated with success");
  aof::Manifest m = manifest_;
  std::string base_name = m.NewBaseName(c.appendfilename, c.aof_use_rdb_preamble);
  std::string base_path = dir + "/" + base_name;
  if (rename(tmp.c_str(), base_path.c_str()) != 0) {
    fail("Error trying to rename the temporary AOF file " + tmp + " into " + base_name + ": " +
         std::strerror(errno));
    return;
  }
  LOG_NOTICE("Successfully renamed the temporary AOF base file %s into %s", tmp.c_str(),
             base_name.c_str());
  std::string temp_incr_name = "temp-" + c.appendfilename + ".incr";
  std::string temp_incr = dir + "/" + temp_incr_name;
  std::string incr_path;
  if (state_ == State::kWaitRewrite) {
    std::string incr_name = m.NewIncrName(c.appendfilename);
    incr_path = dir + "/" + incr_name;
    if (rename(temp_incr.c_str(), incr_path.c_str()) != 0) {
      int err = errno;
      unlink(base_path.c_str());
      fail("Error trying to rename the temporary AOF incr file into " + incr_path + ": " +
           std::strerror(err));
      return;
    }
    LOG_NOTICE("Successfully renamed the temporary AOF incr file %s into %s",
               temp_incr_name.c_str(), incr_name.c_str());
  }
  if (state_ == State::kOff) {
    // No current incr: every incr is covered by the new base.
    for (auto& f : m.incrs) {
      f.type = aof::FileType::kHistory;
      m.history.push_back(f);
    }
    m.incrs.clear();
  }
  m.InstallRewrite(aof::FileInfo{base_name, m.curr_base_seq, aof::FileType::kBase});
  Status st = aof::WriteManifest(dir, ManifestName(), m);
  if (!st.ok()) {
    unlink(base_path.c_str());
    if (!incr_path.empty()) (void)rename(incr_path.c_str(), temp_incr.c_str());
    fail("Can't persist the AOF manifest after a rewrite: " + st.message());
    return;
  }
  manifest_ = std::move(m);
  if (state_ == State::kWaitRewrite) state_ = State::kOn;
  UpdateSizes();
  last_bgrewrite_ok_ = true;
  consecutive_failures_ = 0;
  DeleteHistoryFiles();
  LOG_NOTICE("Background AOF rewrite finished successfully");
}

void AofControl::KillChild() {
  if (!child_active()) return;
  ForkChild& ch = server_->rdb().child();
  pid_t pid = ch.pid();
  ch.Kill();
  unlink(("temp-rewriteaof-bg-" + std::to_string(pid) + ".aof").c_str());
  server_->env().child_active = false;
  LOG_NOTICE("Killing running AOF rewrite child: %d", static_cast<int>(pid));
}

void AofControl::Cron() {
  ForkChild& ch = server_->rdb().child();
  if (ch.active() && ch.type() == ChildType::kAof) {
    pid_t pid = ch.pid();
    bool ok = false;
    int sig = 0;
    if (ch.Poll(&ok, &sig)) OnRewriteDone(ok, sig, pid);
  }
  if (!ch.active() && rewrite_scheduled_ && !RewriteLimited()) {
    rewrite_scheduled_ = false;
    Status st = StartRewrite();
    if (!st.ok()) {
      LOG_WARNING("Can't rewrite append only file in background: %s", st.message().c_str());
      if (state_ == State::kWaitRewrite) rewrite_scheduled_ = true;
    }
  }
  const ServerConfig& c = server_->cfg();
  if (state_ == State::kOn && !ch.active() && c.auto_aof_rewrite_percentage > 0 && writer_) {
    uint64_t current = base_size_ + other_incr_size_ + writer_->written_offset();
    uint64_t base = base_size_ ? base_size_ : 1;
    if (current > static_cast<uint64_t>(c.auto_aof_rewrite_min_size)) {
      long long growth = static_cast<long long>(current * 100 / base) - 100;
      if (growth >= c.auto_aof_rewrite_percentage && !RewriteLimited()) {
        LOG_NOTICE("Starting automatic rewriting of AOF on %lld%% growth", growth);
        Status st = StartRewrite();
        if (!st.ok()) {
          LOG_WARNING("Can't rewrite append only file in background: %s", st.message().c_str());
        }
      }
    }
  }
  if (state_ != State::kOff) Flush(false);  // everysec fsync and error retries while idle
}

// ---- on / off -------------------------------------------------------------------------------

Status AofControl::Start() {
  if (state_ != State::kOff) return Status::OK();
  const ServerConfig& c = server_->cfg();
  std::string dir = DirPath();
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return Status::FromErrno("Can't open or create append-only dir " + dir, errno);
  }
  auto m = aof::ReadManifest(dir, ManifestName());
  if (m.ok()) {
    manifest_ = std::move(m).value();
  } else if (m.status().code() == StatusCode::kNotFound) {
    manifest_ = aof::Manifest();
  } else {
    return m.status();
  }
  EMBER_RETURN_IF_ERROR(CreateWriter());
  state_ = State::kWaitRewrite;
  if (child_active()) {
    // An earlier rewrite (of an AOF that is now being turned on) is of no use.
    KillChild();
  }
  if (server_->rdb().child().active()) {
    rewrite_scheduled_ = true;
    LOG_NOTICE("AOF was enabled but there is already another background operation. An AOF "
               "background was scheduled to start when possible.");
    return Status::OK();
  }
  Status st = StartRewrite();
  if (!st.ok()) {
    state_ = State::kOff;
    LOG_WARNING("Redis needs to enable the AOF but can't trigger a background AOF rewrite "
                "operation. Check the above logs for more info about the error.");
    return Status::IOError("Background AOF rewrite failed: " + st.message());
  }
  (void)c;
  return Status::OK();
}

void AofControl::Stop() {
  if (state_ == State::kOff) return;
  if (writer_ && writer_->fd() >= 0) {
    Status st = writer_->Drain(true);
    if (!st.ok()) LOG_WARNING("Writing the AOF while turning it off: %s", st.message().c_str());
  }
  KillChild();
  uint64_t end = end_offset();
  if (writer_) {
    if (event_registered_) server_->loop().RemoveFileEvent(writer_->event_fd(), net::kReadable);
    event_registered_ = false;
    writer_.reset();
  }
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
  files_before_ = end;
  file_start_ = 0;
  state_ = State::kOff;
  rewrite_scheduled_ = false;
  server_->ReleaseAofWaiters();
  LOG_NOTICE("Background append only file rewriting stopped; AOF is off");
}

Status AofControl::Shutdown() {
  if (child_active()) KillChild();
  if (state_ == State::kOff || !writer_) return Status::OK();
  LOG_NOTICE("Calling fsync() on the AOF file.");
  Status st = writer_->Drain(true);
  if (!st.ok()) LOG_WARNING("Error writing the AOF on shutdown: %s", st.message().c_str());
  return st;
}

// ---- INFO -----------------------------------------------------------------------------------

std::string AofControl::InfoFields() const {
  bool rewriting = child_active();
  const ChildInfo& ci = server_->rdb().child().info();
  (void)ci;
  char buf[1536];
  int n = std::snprintf(
      buf, sizeof(buf),
      "aof_enabled:%d\r\naof_rewrite_in_progress:%d\r\naof_rewrite_scheduled:%d\r\n"
      "aof_last_rewrite_time_sec:%lld\r\naof_current_rewrite_time_sec:%lld\r\n"
      "aof_last_bgrewrite_status:%s\r\naof_rewrites:%llu\r\naof_rewrites_consecutive_failures:%llu\r\n"
      "aof_last_write_status:%s\r\naof_last_cow_size:%llu\r\nmodule_fork_in_progress:0\r\n"
      "module_fork_last_cow_size:0\r\n",
      state_ != State::kOff ? 1 : 0, rewriting ? 1 : 0, rewrite_scheduled_ ? 1 : 0,
      static_cast<long long>(last_rewrite_time_sec_),
      static_cast<long long>(rewriting ? (UnixMs() - rewrite_started_ms_) / 1000 : -1),
      last_bgrewrite_ok_ ? "ok" : "err", static_cast<unsigned long long>(rewrites_),
      static_cast<unsigned long long>(consecutive_failures_),
      WritesRefused(nullptr) ? "err" : "ok", static_cast<unsigned long long>(last_cow_size_));
  std::string out(buf, static_cast<size_t>(n));
  if (state_ != State::kOff && writer_) {
    n = std::snprintf(
        buf, sizeof(buf),
        "aof_current_size:%llu\r\naof_base_size:%llu\r\naof_pending_rewrite:%d\r\n"
        "aof_buffer_length:%zu\r\naof_pending_bio_fsync:%d\r\naof_delayed_fsync:%llu\r\n",
        static_cast<unsigned long long>(base_size_ + other_incr_size_ + writer_->written_offset()),
        static_cast<unsigned long long>(base_size_), rewrite_scheduled_ ? 1 : 0,
        writer_->buffered(), writer_->fsync_in_flight() ? 1 : 0,
        static_cast<unsigned long long>(delayed_fsync_));
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

std::string AofControl::EmberInfoFields() const {
  return std::string("aof_writer:") + writer_name() + "\r\n";
}

}  // namespace ember
