#include "persist/aof/manifest.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "base/split_args.h"
#include "base/strutil.h"

namespace ember::aof {

namespace {
constexpr size_t kMaxLine = 1024;  // AOF_MANIFEST_LINE_MAX? Redis reads lines of at most 1024 bytes

Status Bad(const char* msg) { return Status::Corruption(msg); }

Status WriteAll(int fd, std::string_view s) {
  while (!s.empty()) {
    ssize_t n = write(fd, s.data(), s.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno("write", errno);
    }
    s.remove_prefix(static_cast<size_t>(n));
  }
  return Status::OK();
}
}  // namespace

Expected<Manifest> Manifest::Parse(std::string_view content) {
  Manifest m;
  size_t pos = 0;
  bool any = false;
  while (pos < content.size()) {
    size_t nl = content.find('\n', pos);
    std::string_view line = content.substr(pos, nl == std::string_view::npos ? content.size() - pos
                                                                             : nl - pos);
    if (line.size() + 1 > kMaxLine && nl != std::string_view::npos) {
      return Bad("The AOF manifest file contains too long line");
    }
    if (nl == std::string_view::npos && line.size() >= kMaxLine) {
      return Bad("The AOF manifest file contains too long line");
    }
    pos = nl == std::string_view::npos ? content.size() : nl + 1;
    // Trim surrounding whitespace (Redis: sdstrim " \t\r\n").
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
      line.remove_suffix(1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> argv;
    if (!SplitArgs(line, &argv) || argv.size() < 6 || argv.size() % 2) {
      return Bad("Invalid AOF manifest file format");
    }
    FileInfo fi;
    bool have_name = false, have_seq = false, have_type = false;
    for (size_t i = 0; i < argv.size(); i += 2) {
      if (EqualsIgnoreCase(argv[i], "file")) {
        fi.name = argv[i + 1];
        have_name = true;
        if (fi.name.find('/') != std::string::npos) {
          return Bad("File can't be a path, just a filename");
        }
      } else if (EqualsIgnoreCase(argv[i], "seq")) {
        if (!ParseInt64(argv[i + 1], &fi.seq)) return Bad("Invalid AOF manifest file format");
        have_seq = true;
      } else if (EqualsIgnoreCase(argv[i], "type")) {
        if (argv[i + 1].size() != 1) return Bad("Unknown AOF file type");
        char t = argv[i + 1][0];
        if (t != 'b' && t != 'h' && t != 'i') return Bad("Unknown AOF file type");
        fi.type = static_cast<FileType>(t);
        have_type = true;
      }
      // Unknown keys are allowed (forward compatibility).
    }
    if (!have_name || !have_seq || !have_type) return Bad("Invalid AOF manifest file format");
    any = true;
    switch (fi.type) {
      case FileType::kBase:
        if (m.base) return Bad("Found duplicate base file information");
        m.curr_base_seq = fi.seq;
        m.base = std::move(fi);
        break;
      case FileType::kHistory: m.history.push_back(std::move(fi)); break;
      case FileType::kIncr:
        if (fi.seq <= m.curr_incr_seq) return Bad("Found a non-monotonic sequence number");
        m.curr_incr_seq = fi.seq;
        m.incrs.push_back(std::move(fi));
        break;
    }
  }
  if (!any) return Bad("Found an empty AOF manifest");
  return m;
}

std::string Manifest::Serialize() const {
  std::string out;
  auto line = [&](const FileInfo& f) {
    // Names are written plainly unless they need quoting (sdscatrepr).
    bool plain = !f.name.empty();
    for (unsigned char c : f.name) {
      if (c <= ' ' || c == '"' || c == '\'' || c == '\\' || c > 126) plain = false;
    }
    out += "file ";
    out += plain ? f.name : QuoteArg(f.name);
    out += " seq " + std::to_string(f.seq) + " type ";
    out += static_cast<char>(f.type);
    out += '\n';
  };
  if (base) line(*base);
  for (const auto& h : history) line(h);
  for (const auto& i : incrs) line(i);
  return out;
}

std::string Manifest::NewBaseName(const std::string& appendfilename, bool rdb_preamble) {
  curr_base_seq++;
  return appendfilename + "." + std::to_string(curr_base_seq) + ".base." +
         (rdb_preamble ? "rdb" : "aof");
}

std::string Manifest::NewIncrName(const std::string& appendfilename) {
  curr_incr_seq++;
  std::string name = appendfilename + "." + std::to_string(curr_incr_seq) + ".incr.aof";
  incrs.push_back(FileInfo{name, curr_incr_seq, FileType::kIncr});
  return name;
}

void Manifest::InstallRewrite(FileInfo new_base) {
  if (base) {
    base->type = FileType::kHistory;
    history.push_back(*base);
  }
  while (incrs.size() > 1) {
    FileInfo f = incrs.front();
    incrs.erase(incrs.begin());
    f.type = FileType::kHistory;
    history.push_back(std::move(f));
  }
  new_base.type = FileType::kBase;
  curr_base_seq = new_base.seq;
  base = std::move(new_base);
}

std::vector<FileInfo> Manifest::LoadOrder() const {
  std::vector<FileInfo> out;
  if (base) out.push_back(*base);
  out.insert(out.end(), incrs.begin(), incrs.end());
  return out;
}

Expected<Manifest> ReadManifest(const std::string& dir, const std::string& name) {
  std::string path = dir + "/" + name;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound(path);
    return Status::FromErrno("Can't open the AOF manifest " + path, errno);
  }
  std::string content;
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      close(fd);
      return Status::FromErrno("Can't read the AOF manifest " + path, err);
    }
    if (n == 0) break;
    content.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return Manifest::Parse(content);
}

Status WriteManifest(const std::string& dir, const std::string& name, const Manifest& m) {
  std::string tmp = dir + "/temp-" + name;
  std::string path = dir + "/" + name;
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::FromErrno("Can't open the AOF manifest file " + tmp, errno);
  Status st = WriteAll(fd, m.Serialize());
  if (st.ok() && fsync(fd) != 0) st = Status::FromErrno("fsync " + tmp, errno);
  close(fd);
  if (st.ok() && rename(tmp.c_str(), path.c_str()) != 0) {
    st = Status::FromErrno("Error trying to rename the temporary AOF manifest file " + tmp +
                               " into " + path,
                           errno);
  }
  if (!st.ok()) {
    unlink(tmp.c_str());
    return st;
  }
  int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
  return Status::OK();
}

}  // namespace ember::aof
