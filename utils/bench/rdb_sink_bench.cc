// RDB child write path: write(2) (rdb::FdSink, what BGSAVE uses) against a fresh io_uring ring
// (a prototype sink defined here: a few 1 MB buffers in flight, writes at explicit offsets,
// incremental fdatasync submitted asynchronously every 4 MB, one final fsync), for a multi-GB
// dump with rdb-save-incremental-fsync yes and no (and, to tell the ring apart from the
// asynchronous sync, write(2) with an asynchronous sync_file_range window). The result decided
// the sink BGSAVE uses; see utils/bench/README.md ("rdb_sink_bench") and the comment at the top
// of rdb_writer.cc.
//
// The stream is produced by the real RdbWriter (CRC64 on, compression off unless --lzf) from a
// pool of pre-generated random values, so the child's CPU work per byte (CRC, copies) overlaps
// with the I/O as it would in BGSAVE. Each round runs every (sink, fsync) case once, in an order
// that alternates between rounds; the file is removed between runs.
//
// Build and run (from the repository root, after `make`):
//   g++ -std=c++20 -O2 -Isrc -I/usr/include/liblzf utils/bench/rdb_sink_bench.cc build/libember.a
//       -ljemalloc -luring -lxxhash -llz4 -llzf -lcrypto -pthread -ldl -o build/rdb_sink_bench
//   (one command line)
//   build/rdb_sink_bench --dir /var/tmp --gb 2 --rounds 3 [--depth 4] [--value 32768] [--lzf]
#include <fcntl.h>
#include <liburing.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "base/time.h"
#include "memory/alloc.h"
#include "persist/rdb/rdb_writer.h"

namespace ember {
namespace {

// Prototype: the RDB stream through a ring created by this process.
class UringSink final : public rdb::Sink {
 public:
  UringSink(int fd, unsigned depth, size_t buf_size, uint64_t fsync_every)
      : fd_(fd), depth_(depth), buf_size_(buf_size), fsync_every_(fsync_every) {}
  ~UringSink() override {
    if (ok_ring_) io_uring_queue_exit(&ring_);
    for (char* b : bufs_) mem::Free(b);
  }
  Status Init() {
    int r = io_uring_queue_init(depth_ * 2 + 4, &ring_, 0);
    if (r < 0) return Status::FromErrno("io_uring_queue_init", -r);
    ok_ring_ = true;
    for (unsigned i = 0; i < depth_; i++) {
      bufs_.push_back(static_cast<char*>(mem::Allocate(buf_size_)));
      free_.push_back(i);
    }
    cur_ = Take();
    return Status::OK();
  }
  Status Write(const void* data, size_t len) override {
    const char* p = static_cast<const char*>(data);
    while (len > 0) {
      size_t n = std::min(len, buf_size_ - used_);
      memcpy(bufs_[cur_] + used_, p, n);
      used_ += n;
      p += n;
      len -= n;
      if (used_ == buf_size_) EMBER_RETURN_IF_ERROR(SubmitCurrent());
    }
    return Status::OK();
  }
  Status Flush() override {
    if (used_ > 0) EMBER_RETURN_IF_ERROR(SubmitCurrent());
    return Status::OK();
  }
  Status Sync() {
    EMBER_RETURN_IF_ERROR(Flush());
    while (inflight_ > 0) EMBER_RETURN_IF_ERROR(ReapOne(true));
    if (::fsync(fd_) != 0) return Status::FromErrno("fsync", errno);
    return Status::OK();
  }

 private:
  static constexpr uint64_t kFsyncTag = ~0ull;
  unsigned Take() {
    unsigned i = free_.back();
    free_.pop_back();
    return i;
  }
  Status SubmitCurrent() {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    io_uring_prep_write(sqe, fd_, bufs_[cur_], static_cast<unsigned>(used_), offset_);
    io_uring_sqe_set_data64(sqe, cur_);
    offset_ += used_;
    unsynced_ += used_;
    inflight_++;
    if (fsync_every_ && unsynced_ >= fsync_every_ && !fsync_pending_) {
      // Not linked: it flushes whatever is dirty when it runs (bounding the dirty backlog, as the
      // write path's fdatasync does) without stalling the writes queued behind it.
      io_uring_sqe* fs = io_uring_get_sqe(&ring_);
      io_uring_prep_fsync(fs, fd_, IORING_FSYNC_DATASYNC);
      io_uring_sqe_set_data64(fs, kFsyncTag);
      inflight_++;
      fsync_pending_ = true;
      unsynced_ = 0;
    }
    io_uring_submit(&ring_);
    used_ = 0;
    while (free_.empty()) EMBER_RETURN_IF_ERROR(ReapOne(true));
    while (inflight_ > 0) {  // collect whatever is done without waiting
      Status st = ReapOne(false);
      if (st.code() == StatusCode::kNotFound) break;
      EMBER_RETURN_IF_ERROR(st);
    }
    cur_ = Take();
    return Status::OK();
  }
  Status ReapOne(bool wait) {
    io_uring_cqe* cqe = nullptr;
    int r = wait ? io_uring_wait_cqe(&ring_, &cqe) : io_uring_peek_cqe(&ring_, &cqe);
    if (r == -EAGAIN) return Status::NotFound("none");
    if (r < 0) return Status::FromErrno("io_uring_wait_cqe", -r);
    uint64_t tag = io_uring_cqe_get_data64(cqe);
    int res = cqe->res;
    io_uring_cqe_seen(&ring_, cqe);
    inflight_--;
    if (tag == kFsyncTag) {
      fsync_pending_ = false;
      if (res < 0) return Status::FromErrno("fdatasync", -res);
      return Status::OK();
    }
    if (res < 0) return Status::FromErrno("write", -res);
    // (A short write would be resubmitted for the rest in a real sink; regular files do not
    // produce them short of ENOSPC.)
    free_.push_back(static_cast<unsigned>(tag));
    return Status::OK();
  }

  int fd_;
  unsigned depth_;
  size_t buf_size_;
  uint64_t fsync_every_;
  io_uring ring_{};
  bool ok_ring_ = false;
  std::vector<char*> bufs_;
  std::vector<unsigned> free_;
  unsigned cur_ = 0;
  size_t used_ = 0;
  uint64_t offset_ = 0;
  uint64_t unsynced_ = 0;
  unsigned inflight_ = 0;
  bool fsync_pending_ = false;
};

// write(2) through FdSink, with the incremental sync made asynchronous by hand: at every 4 MB
// boundary, start writeback of that window (sync_file_range WRITE) and wait only for the window
// before it, so at most ~2 windows are dirty or in flight and the writer rarely waits.
class SfrSink final : public rdb::Sink {
 public:
  SfrSink(int fd, uint64_t window) : fd_(fd), window_(window), inner_(fd, rdb::FdSinkOptions{}) {}
  Status Write(const void* data, size_t len) override {
    EMBER_RETURN_IF_ERROR(inner_.Write(data, len));
    return Windows();
  }
  Status Flush() override {
    EMBER_RETURN_IF_ERROR(inner_.Flush());
    return Windows();
  }
  Status Sync() { return inner_.Sync(); }

 private:
  Status Windows() {
    while (window_ && inner_.bytes_flushed() >= started_ + window_) {
      if (sync_file_range(fd_, static_cast<off_t>(started_), static_cast<off_t>(window_),
                          SYNC_FILE_RANGE_WRITE) != 0) {
        return Status::FromErrno("sync_file_range", errno);
      }
      if (started_ >= window_ &&
          sync_file_range(fd_, static_cast<off_t>(started_ - window_), static_cast<off_t>(window_),
                          SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
                              SYNC_FILE_RANGE_WAIT_AFTER) != 0) {
        return Status::FromErrno("sync_file_range", errno);
      }
      started_ += window_;
    }
    return Status::OK();
  }
  int fd_;
  uint64_t window_;
  rdb::FdSink inner_;
  uint64_t started_ = 0;
};

struct Args {
  std::string dir = ".";
  double gb = 2;
  int rounds = 3;
  unsigned depth = 4;
  size_t value = 32768;
  bool lzf = false;
};

// Writes `bytes` of RDB through `sink`; returns the seconds taken including the final fsync.
template <typename S>
double Run(S* sink, uint64_t bytes, const std::vector<std::string>& pool, bool lzf) {
  int64_t t0 = MonotonicUs();
  rdb::RdbWriterOptions wo;
  wo.compression = lzf;
  rdb::RdbWriter w(sink, wo);
  Status st = w.SaveHeader(10);
  char key[32];
  for (uint64_t i = 0; st.ok() && w.bytes_written() < bytes; i++) {
    int n = snprintf(key, sizeof(key), "key:%012llu", static_cast<unsigned long long>(i));
    st = w.SaveType(0);
    if (st.ok()) st = w.SaveString(std::string_view(key, static_cast<size_t>(n)));
    if (st.ok()) st = w.SaveString(pool[i % pool.size()]);
  }
  if (st.ok()) st = w.SaveEof();
  if (st.ok()) st = sink->Sync();
  if (!st.ok()) {
    fprintf(stderr, "error: %s\n", st.ToString().c_str());
    exit(1);
  }
  return static_cast<double>(MonotonicUs() - t0) / 1e6;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

int Main(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; i++) {
    std::string k = argv[i];
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : ""; };
    if (k == "--dir") a.dir = next();
    else if (k == "--gb") a.gb = atof(next());
    else if (k == "--rounds") a.rounds = atoi(next());
    else if (k == "--depth") a.depth = static_cast<unsigned>(atoi(next()));
    else if (k == "--value") a.value = static_cast<size_t>(atol(next()));
    else if (k == "--lzf") a.lzf = true;
    else {
      fprintf(stderr, "usage: %s [--dir D] [--gb G] [--rounds N] [--depth Q] [--value B] [--lzf]\n",
              argv[0]);
      return 2;
    }
  }
  std::mt19937_64 rng(1);
  std::vector<std::string> pool(64);
  for (auto& s : pool) {
    s.resize(a.value);
    for (auto& c : s) c = static_cast<char>(rng());
  }
  uint64_t bytes = static_cast<uint64_t>(a.gb * (1ull << 30));
  std::string path = a.dir + "/rdb_sink_bench." + std::to_string(getpid()) + ".rdb";
  constexpr int kCases = 5;
  const char* names[kCases] = {"write(2), incremental fsync no", "write(2), incremental fsync yes",
                               "io_uring, incremental fsync no", "io_uring, incremental fsync yes",
                               "write(2) + sync_file_range 4MB"};
  std::vector<double> secs[kCases];
  for (int r = 0; r < a.rounds; r++) {
    for (int j = 0; j < kCases; j++) {
      int c = (r % 2 == 0) ? j : kCases - 1 - j;
      bool uring = c == 2 || c == 3;
      uint64_t fsync_every = (c % 2) ? 4 * 1024 * 1024 : 0;
      int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd < 0) {
        perror("open");
        return 1;
      }
      double s;
      if (c == 4) {
        SfrSink sink(fd, 4 * 1024 * 1024);
        s = Run(&sink, bytes, pool, a.lzf);
      } else if (uring) {
        UringSink sink(fd, a.depth, 1 << 20, fsync_every);
        Status st = sink.Init();
        if (!st.ok()) {
          fprintf(stderr, "%s\n", st.ToString().c_str());
          return 1;
        }
        s = Run(&sink, bytes, pool, a.lzf);
      } else {
        rdb::FdSinkOptions so;
        so.fsync_every = fsync_every;
        rdb::FdSink sink(fd, so);
        s = Run(&sink, bytes, pool, a.lzf);
      }
      close(fd);
      unlink(path.c_str());
      secs[c].push_back(s);
      printf("round %d  %-32s %7.2f s  %7.0f MB/s\n", r + 1, names[c], s,
             static_cast<double>(bytes) / (1 << 20) / s);
      fflush(stdout);
    }
  }
  printf("\nmedians over %d round(s), %.1f GB, values of %zu B, depth %u x 1 MB%s:\n", a.rounds,
         a.gb, a.value, a.depth, a.lzf ? ", LZF" : "");
  for (int c = 0; c < kCases; c++) {
    double m = Median(secs[c]);
    printf("  %-32s %7.2f s  %7.0f MB/s\n", names[c], m, static_cast<double>(bytes) / (1 << 20) / m);
  }
  printf("  io_uring / write(2): fsync no %.3f, fsync yes %.3f (time ratio, < 1 = io_uring faster)\n",
         Median(secs[2]) / Median(secs[0]), Median(secs[3]) / Median(secs[1]));
  printf("  write(2) + sync_file_range / write(2) fsync yes: %.3f\n",
         Median(secs[4]) / Median(secs[1]));
  return 0;
}

}  // namespace
}  // namespace ember

int main(int argc, char** argv) { return ember::Main(argc, argv); }
