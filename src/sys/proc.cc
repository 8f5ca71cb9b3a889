// /proc and /sys readers without heap allocation.
//
// Small files (statm, meminfo, oom_score_adj, cgroup limits) are read whole into a stack buffer with
// one read(2). smaps can be megabytes, so it is scanned with LineReader: a fixed 4 KB window over the
// fd, refilled as lines are consumed; a line longer than the window (never the case for the fields we
// want) is skipped in pieces.
//
//   fd ──read──► [ consumed | line\n line\n partial ]   compact, read more, repeat
//
// Private_Dirty lines look like "Private_Dirty:        112 kB"; the value is always in kB.
//
// The memory cgroup: /proc/self/cgroup has lines "<id>:<controllers>:<path>". The v2 line is
// "0::<path>"; a v1 memory line has "memory" among its comma-separated controllers. Limits are read
// from the cgroup's directory and every ancestor up to the mount root, keeping the smallest, since a
// parent's limit binds its children too.
#include "sys/proc.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "base/time.h"

namespace ember::sys {

namespace {

// Parses an unsigned decimal at p (after optional spaces); advances p. Returns false if no digits.
bool ParseU64(const char*& p, uint64_t* out) {
  while (*p == ' ' || *p == '\t') ++p;
  if (*p < '0' || *p > '9') return false;
  uint64_t v = 0;
  while (*p >= '0' && *p <= '9') {
    uint64_t d = static_cast<uint64_t>(*p - '0');
    if (v > (UINT64_MAX - d) / 10) {  // saturate rather than wrap
      v = UINT64_MAX;
    } else {
      v = v * 10 + d;
    }
    ++p;
  }
  *out = v;
  return true;
}

// Line-at-a-time reader over an fd with a fixed buffer. No heap.
class LineReader {
 public:
  explicit LineReader(int fd) : fd_(fd) {}
  // Returns the next line without its '\n' (NUL-terminated in place), or nullptr at EOF / error.
  // A line longer than the buffer is returned truncated to the buffer and its rest skipped.
  char* Next() {
    for (;;) {
      char* start = buf_ + pos_;
      char* nl = static_cast<char*>(std::memchr(start, '\n', len_ - pos_));
      if (nl) {
        *nl = '\0';
        pos_ = static_cast<size_t>(nl - buf_) + 1;
        if (skipping_) {
          skipping_ = false;
          continue;
        }
        return start;
      }
      // No full line buffered: compact and read more.
      size_t rest = len_ - pos_;
      if (rest == sizeof(buf_) - 1) {  // an overlong line: drop what we have, skip to its end
        rest = 0;
        skipping_ = true;
      }
      if (rest && pos_) std::memmove(buf_, buf_ + pos_, rest);
      pos_ = 0;
      len_ = rest;
      if (eof_) {
        if (len_ == 0 || skipping_) return nullptr;
        buf_[len_] = '\0';  // last line without '\n'
        pos_ = len_;
        return buf_;
      }
      ssize_t n;
      do {
        n = read(fd_, buf_ + len_, sizeof(buf_) - 1 - len_);
      } while (n < 0 && errno == EINTR);
      if (n <= 0) {
        eof_ = true;
      } else {
        len_ += static_cast<size_t>(n);
      }
    }
  }

 private:
  int fd_;
  char buf_[4096];
  size_t pos_ = 0;
  size_t len_ = 0;
  bool eof_ = false;
  bool skipping_ = false;
};

// Joins root + path into out (stack buffer). Returns false if it does not fit.
bool JoinPath(char* out, size_t cap, const char* root, const char* path) {
  int n = std::snprintf(out, cap, "%s%s", root ? root : "", path);
  return n > 0 && static_cast<size_t>(n) < cap;
}

bool ReadU64File(const std::string& path, uint64_t* out, bool* is_max = nullptr) {
  char buf[64];
  if (ReadSmallFile(path.c_str(), buf, sizeof(buf)) <= 0) return false;
  if (is_max) *is_max = std::strncmp(buf, "max", 3) == 0;
  if (is_max && *is_max) return true;
  const char* p = buf;
  return ParseU64(p, out);
}

bool FileExists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

// Reads the limit of dir and of each ancestor up to mount (inclusive); returns the smallest.
uint64_t EffectiveLimit(const std::string& mount, const std::string& rel, const char* file,
                        int version) {
  uint64_t best = CgroupMemory::kUnlimited;
  std::string r = rel;
  for (;;) {
    std::string path = mount + r;
    if (path.empty() || path.back() != '/') path += '/';
    path += file;
    uint64_t v = 0;
    bool is_max = false;
    if (ReadU64File(path, &v, version == 2 ? &is_max : nullptr) && !is_max) {
      // cgroup v1 reports "no limit" as PAGE_COUNTER_MAX × page (0x7FFFFFFFFFFFF000 on x86-64).
      if (!(version == 1 && v >= (uint64_t{1} << 62)) && v < best) best = v;
    }
    if (r.empty() || r == "/") break;
    size_t slash = r.find_last_of('/');
    r = slash == 0 || slash == std::string::npos ? std::string() : r.substr(0, slash);
  }
  return best;
}

// Fills out from a cgroup directory candidate list; returns true on success.
bool TryCgroup(const std::string& mount, const std::string& rel, int version, CgroupMemory* out) {
  const char* limit_file = version == 2 ? "memory.max" : "memory.limit_in_bytes";
  const char* current_file = version == 2 ? "memory.current" : "memory.usage_in_bytes";
  std::string dir = mount + (rel == "/" ? "" : rel);
  std::string use_rel = rel;
  if (!FileExists(dir + "/" + current_file)) {
    // Not visible at its host path: a container sees its own cgroup at the mount root.
    dir = mount;
    use_rel.clear();
    if (!FileExists(dir + "/" + current_file)) return false;
  }
  uint64_t current = 0;
  if (!ReadU64File(dir + "/" + current_file, &current)) return false;
  out->found = true;
  out->version = version;
  out->current = current;
  out->dir = dir;
  out->limit = EffectiveLimit(mount, use_rel == "/" ? std::string() : use_rel, limit_file, version);
  return true;
}

}  // namespace

size_t SystemPageSize() {
  static const size_t kPage = [] {
    long p = sysconf(_SC_PAGESIZE);
    return p > 0 ? static_cast<size_t>(p) : static_cast<size_t>(4096);
  }();
  return kPage;
}

ssize_t ReadSmallFile(const char* path, char* buf, size_t cap) {
  if (cap == 0) return -1;
  int fd;
  do {
    fd = open(path, O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return -1;
  size_t len = 0;
  while (len < cap - 1) {
    ssize_t n = read(fd, buf + len, cap - 1 - len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      close(fd);
      return -1;
    }
    if (n == 0) break;
    len += static_cast<size_t>(n);
  }
  close(fd);
  buf[len] = '\0';
  return static_cast<ssize_t>(len);
}

size_t ProcessRss() {
  char buf[256];
  if (ReadSmallFile("/proc/self/statm", buf, sizeof(buf)) <= 0) return 0;
  const char* p = buf;
  uint64_t size = 0, resident = 0;
  if (!ParseU64(p, &size) || !ParseU64(p, &resident)) return 0;
  return static_cast<size_t>(resident) * SystemPageSize();
}

size_t TotalSystemMemory() {
  long pages = sysconf(_SC_PHYS_PAGES);
  if (pages <= 0) return 0;
  return static_cast<size_t>(pages) * SystemPageSize();
}

size_t MemAvailable(const char* root) {
  char path[512];
  if (!JoinPath(path, sizeof(path), root, "/proc/meminfo")) return 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  LineReader lines(fd);
  size_t result = 0;
  while (char* line = lines.Next()) {
    if (std::strncmp(line, "MemAvailable:", 13) == 0) {
      const char* p = line + 13;
      uint64_t kb = 0;
      if (ParseU64(p, &kb)) result = static_cast<size_t>(kb) * 1024;
      break;
    }
  }
  close(fd);
  return result;
}

CgroupMemory ReadCgroupMemory(const char* root) {
  CgroupMemory out;
  std::string r = root ? root : "";
  char buf[4096];
  if (ReadSmallFile((r + "/proc/self/cgroup").c_str(), buf, sizeof(buf)) <= 0) return out;
  std::string v2_path, v1_path;
  bool have_v2 = false, have_v1 = false;
  for (char* line = buf; line && *line;) {
    char* nl = std::strchr(line, '\n');
    if (nl) *nl = '\0';
    // "<id>:<controllers>:<path>"
    char* c1 = std::strchr(line, ':');
    char* c2 = c1 ? std::strchr(c1 + 1, ':') : nullptr;
    if (c1 && c2) {
      std::string controllers(c1 + 1, c2);
      std::string path(c2 + 1);
      if (std::strncmp(line, "0:", 2) == 0 && controllers.empty()) {
        have_v2 = true;
        v2_path = path;
      } else {
        size_t start = 0;
        while (start <= controllers.size()) {
          size_t comma = controllers.find(',', start);
          if (comma == std::string::npos) comma = controllers.size();
          if (controllers.compare(start, comma - start, "memory") == 0) {
            have_v1 = true;
            v1_path = path;
          }
          start = comma + 1;
        }
      }
    }
    line = nl ? nl + 1 : nullptr;
  }
  if (have_v2) {
    // Pure v2 mounts at /sys/fs/cgroup; hybrid systems put the v2 tree at /sys/fs/cgroup/unified.
    for (const char* mount : {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"}) {
      if (!FileExists(r + mount + "/cgroup.controllers")) continue;
      if (TryCgroup(r + mount, v2_path, 2, &out)) return out;
    }
  }
  if (have_v1 && TryCgroup(r + "/sys/fs/cgroup/memory", v1_path, 1, &out)) return out;
  return out;
}

size_t PrivateDirtyBytesFromFile(const char* path) {
  int fd;
  do {
    fd = open(path, O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return 0;
  LineReader lines(fd);
  uint64_t kb_total = 0;
  while (char* line = lines.Next()) {
    if (line[0] == 'P' && std::strncmp(line, "Private_Dirty:", 14) == 0) {
      const char* p = line + 14;
      uint64_t kb = 0;
      if (ParseU64(p, &kb)) kb_total += kb;
    }
  }
  close(fd);
  return static_cast<size_t>(kb_total * 1024);
}

size_t PrivateDirtyBytes() {
  if (access("/proc/self/smaps_rollup", R_OK) == 0) {
    return PrivateDirtyBytesFromFile("/proc/self/smaps_rollup");
  }
  return PrivateDirtyBytesFromFile("/proc/self/smaps");
}

size_t CowSampler::Sample(uint64_t now_us, bool force) {
  if (force || readings_ == 0 || now_us - updated_us_ >= cost_us_ * duty_cycle_) {
    bytes_ = PrivateDirtyBytes();
    uint64_t end = static_cast<uint64_t>(MonotonicUs());
    cost_us_ = end > now_us ? end - now_us : 0;
    updated_us_ = end;
    ++readings_;
    sum_ += bytes_;
    if (bytes_ > peak_) peak_ = bytes_;
  }
  return bytes_;
}

Expected<int> GetOomScoreAdj() {
  char buf[32];
  if (ReadSmallFile("/proc/self/oom_score_adj", buf, sizeof(buf)) <= 0) {
    return Status::FromErrno("read /proc/self/oom_score_adj", errno);
  }
  char* end = nullptr;
  long v = std::strtol(buf, &end, 10);
  if (end == buf) return Status::Corruption("unparsable /proc/self/oom_score_adj");
  return static_cast<int>(v);
}

Status SetOomScoreAdj(int value) {
  if (value < -1000) value = -1000;
  if (value > 1000) value = 1000;
  int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno("open /proc/self/oom_score_adj", errno);
  char buf[16];
  int n = std::snprintf(buf, sizeof(buf), "%d\n", value);
  ssize_t w;
  do {
    w = write(fd, buf, static_cast<size_t>(n));
  } while (w < 0 && errno == EINTR);
  int err = errno;
  close(fd);
  if (w != n) return Status::FromErrno("write /proc/self/oom_score_adj", w < 0 ? err : EIO);
  return Status::OK();
}

}  // namespace ember::sys
