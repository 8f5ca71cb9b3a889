// AOF writer: io_uring backend with a threaded fallback. See aof_writer.h.
#include "persist/aof_writer.h"

#include <liburing.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/log.h"
#include "base/time.h"

namespace ember {

namespace {
constexpr uint64_t kTagWrite = 1;
constexpr uint64_t kTagLinkedFsync = 2;
constexpr uint64_t kTagFsync = 3;
constexpr unsigned kRingEntries = 16;
}  // namespace

Expected<std::unique_ptr<AofWriter>> AofWriter::Create(Backend preferred, bool allow_fallback) {
  std::unique_ptr<AofWriter> w(new AofWriter());
  w->event_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (w->event_fd_ < 0) return Status::FromErrno("eventfd", errno);
  if (preferred == Backend::kIoUring) {
    Status st = w->InitUring();
    if (st.ok()) return w;
    if (!allow_fallback) return st;
    LOG_NOTICE("io_uring is not available (%s): the AOF writer uses a background thread",
               st.message().c_str());
  }
  EMBER_RETURN_IF_ERROR(w->InitThreaded());
  return w;
}

Status AofWriter::InitUring() {
  ring_ = std::make_unique<io_uring>();
  int r = io_uring_queue_init(kRingEntries, ring_.get(), 0);
  if (r < 0) {
    ring_.reset();
    return Status::FromErrno("io_uring_queue_init", -r);
  }
  r = io_uring_register_eventfd(ring_.get(), event_fd_);
  if (r < 0) {
    io_uring_queue_exit(ring_.get());
    ring_.reset();
    return Status::FromErrno("io_uring_register_eventfd", -r);
  }
  backend_ = Backend::kIoUring;
  return Status::OK();
}

Status AofWriter::InitThreaded() {
  backend_ = Backend::kThreaded;
  worker_ = std::thread([this] { ThreadMain(); });
  return Status::OK();
}

AofWriter::~AofWriter() {
  if (backend_ == Backend::kThreaded && worker_.joinable()) {
    {
      std::lock_guard<std::mutex> lk(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    worker_.join();
  }
  if (ring_) {
    // Wait for anything the kernel still holds (it references inflight_).
    while (write_in_flight_ || fsync_in_flight_) {
      struct io_uring_cqe* cqe;
      if (io_uring_wait_cqe(ring_.get(), &cqe) < 0) break;
      uint64_t tag = cqe->user_data;
      int res = cqe->res;
      io_uring_cqe_seen(ring_.get(), cqe);
      if (tag == kTagWrite) write_in_flight_ = false;
      if (tag == kTagFsync || tag == kTagLinkedFsync) fsync_in_flight_ = false;
      (void)res;
    }
    io_uring_queue_exit(ring_.get());
  }
  if (event_fd_ >= 0) close(event_fd_);
}

void AofWriter::SetFile(int fd, uint64_t size) {
  if (fd_ >= 0) (void)Drain(false);
  fd_ = fd;
  submitted_end_ = written_ = synced_ = size;
  inflight_.clear();
  inflight_done_ = 0;
  retry_needed_ = false;
}

void AofWriter::Notify() {
  uint64_t one = 1;
  ssize_t w = write(event_fd_, &one, sizeof(one));
  (void)w;
}

void AofWriter::StartBatch(bool fsync) {
  if (!retry_needed_) {
    inflight_.swap(pending_);
    pending_.clear();
    inflight_off_ = submitted_end_;
    inflight_done_ = 0;
    submitted_end_ += inflight_.size();
  }
  retry_needed_ = false;
  inflight_fsync_ = fsync;
  write_in_flight_ = true;
  const char* data = inflight_.data() + inflight_done_;
  size_t len = inflight_.size() - inflight_done_;
  uint64_t off = inflight_off_ + inflight_done_;
  if (fsync) {
    fsync_in_flight_ = true;
    fsync_started_us_ = MonotonicUs();
    fsync_target_ = inflight_off_ + inflight_.size();
  }
  if (backend_ == Backend::kIoUring) {
    struct io_uring_sqe* sqe = io_uring_get_sqe(ring_.get());
    io_uring_prep_write(sqe, fd_, data, static_cast<unsigned>(len), off);
    io_uring_sqe_set_data64(sqe, kTagWrite);
    if (fsync) {
      sqe->flags |= IOSQE_IO_LINK;
      struct io_uring_sqe* fs = io_uring_get_sqe(ring_.get());
      io_uring_prep_fsync(fs, fd_, IORING_FSYNC_DATASYNC);
      io_uring_sqe_set_data64(fs, kTagLinkedFsync);
    }
    io_uring_submit(ring_.get());
  } else {
    {
      std::lock_guard<std::mutex> lk(mu_);
      jobs_.push_back(Job{fsync ? Job::kWriteFsync : Job::kWrite, fd_, data, len, off});
    }
    cv_.notify_one();
  }
}

bool AofWriter::Submit(bool fsync) {
  if (fd_ < 0 || write_in_flight_) return false;
  if (!retry_needed_ && pending_.empty()) {
    // Nothing new to write; an fsync of what is written may still be wanted.
    if (fsync && synced_ < written_) SubmitFsync();
    return false;
  }
  // A linked fsync needs the fsync lane free; otherwise write now and fsync after.
  if (fsync && fsync_in_flight_) fsync = false;
  StartBatch(fsync);
  return true;
}

void AofWriter::SubmitFsync() {
  if (fd_ < 0 || fsync_in_flight_ || synced_ >= written_) return;
  fsync_in_flight_ = true;
  fsync_started_us_ = MonotonicUs();
  fsync_target_ = written_;
  if (backend_ == Backend::kIoUring) {
    struct io_uring_sqe* fs = io_uring_get_sqe(ring_.get());
    io_uring_prep_fsync(fs, fd_, IORING_FSYNC_DATASYNC);
    io_uring_sqe_set_data64(fs, kTagFsync);
    io_uring_submit(ring_.get());
  } else {
    {
      std::lock_guard<std::mutex> lk(mu_);
      jobs_.push_back(Job{Job::kFsync, fd_, nullptr, 0, 0});
    }
    cv_.notify_one();
  }
}

void AofWriter::OnWriteDone(ssize_t res) {
  write_in_flight_ = false;
  if (res < 0) {
    int err = static_cast<int>(-res);
    if (err != EAGAIN && err != EINTR) last_errno_ = err;
    retry_needed_ = true;
    if (inflight_fsync_) fsync_in_flight_ = false;  // the linked fsync is cancelled
    return;
  }
  inflight_done_ += static_cast<size_t>(res);
  written_ = inflight_off_ + inflight_done_;
  if (inflight_done_ < inflight_.size()) {
    // Short write: send the rest at its offset right away (not an error).
    retry_needed_ = true;
    if (inflight_fsync_) fsync_in_flight_ = false;
    if (res == 0) {
      last_errno_ = ENOSPC;
      return;
    }
    StartBatch(inflight_fsync_);
    return;
  }
  last_errno_ = 0;
  inflight_.clear();
  inflight_done_ = 0;
}

void AofWriter::OnFsyncDone(int res, bool linked) {
  fsync_in_flight_ = false;
  if (res == -ECANCELED && linked) return;  // the write before it was short or failed
  if (res < 0) {
    last_errno_ = -res;
    return;
  }
  if (fsync_target_ > synced_) synced_ = fsync_target_;
  fsyncs_++;
  // A successful fsync clears an earlier fsync error (a failed write is cleared by its retry).
  if (!retry_needed_) last_errno_ = 0;
}

bool AofWriter::Reap() {
  uint64_t before_w = written_, before_s = synced_;
  uint64_t v;
  while (read(event_fd_, &v, sizeof(v)) > 0) {
  }
  if (backend_ == Backend::kIoUring) {
    struct io_uring_cqe* cqe;
    while (io_uring_peek_cqe(ring_.get(), &cqe) == 0) {
      uint64_t tag = io_uring_cqe_get_data64(cqe);
      int res = cqe->res;
      io_uring_cqe_seen(ring_.get(), cqe);
      if (tag == kTagWrite) {
        OnWriteDone(res);
      } else {
        OnFsyncDone(res, tag == kTagLinkedFsync);
      }
    }
  } else {
    std::deque<Done> done;
    {
      std::lock_guard<std::mutex> lk(mu_);
      done.swap(done_);
    }
    for (const Done& d : done) {
      if (d.kind == Job::kWrite || d.kind == Job::kWriteFsync) OnWriteDone(d.write_res);
      if (d.kind == Job::kFsync) OnFsyncDone(d.fsync_res, false);
      if (d.kind == Job::kWriteFsync) {
        OnFsyncDone(d.write_res >= 0 && written_ == fsync_target_ ? d.fsync_res : -ECANCELED, true);
      }
    }
  }
  return written_ != before_w || synced_ != before_s;
}

Status AofWriter::Drain(bool fsync) {
  for (int attempts = 0; attempts < 100000; attempts++) {
    bool need_write = !pending_.empty() || retry_needed_;
    bool need_sync = fsync && synced_ < end_offset();
    if (!need_write && !need_sync && !write_in_flight_ && !fsync_in_flight_) break;
    if (!write_in_flight_ && need_write) {
      if (!ok() && attempts > 3) break;
      Submit(fsync);
    } else if (!write_in_flight_ && !fsync_in_flight_ && need_sync) {
      if (!ok() && attempts > 3) break;
      SubmitFsync();
    }
    struct pollfd p{event_fd_, POLLIN, 0};
    poll(&p, 1, 100);
    Reap();
  }
  if (!ok()) return Status::FromErrno("Error writing to the AOF file", last_errno_);
  return Status::OK();
}

void AofWriter::ThreadMain() {
  for (;;) {
    Job job;
    {
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait(lk, [this] { return stop_ || !jobs_.empty(); });
      if (jobs_.empty()) return;
      job = jobs_.front();
      jobs_.pop_front();
    }
    Done d{job.kind, 0, 0};
    if (job.kind != Job::kFsync) {
      ssize_t n = pwrite(job.fd, job.data, job.len, static_cast<off_t>(job.off));
      d.write_res = n < 0 ? -errno : n;
    }
    if (job.kind == Job::kFsync ||
        (job.kind == Job::kWriteFsync && d.write_res == static_cast<ssize_t>(job.len))) {
      d.fsync_res = fdatasync(job.fd) == 0 ? 0 : -errno;
    }
    {
      std::lock_guard<std::mutex> lk(mu_);
      done_.push_back(d);
    }
    Notify();
  }
}

}  // namespace ember
