// ember-check-aof's implementation (tools/ember-check-aof/main.cc is a one-line main over it):
// checks an AOF the way the server loads it (the same reader and loader code), in
// redis-check-aof's output style.
//
//   ember-check-aof [--fix] <file.manifest|file.aof>
//
// A manifest: every file it lists is checked, base first ("Start checking Multi Part AOF"). A
// single file (with or without an RDB preamble): "Start checking Old-Style AOF". The first bad
// offset is reported as `AOF analyzed: filename=..., size=..., ok_up_to=..., ok_up_to_line=...,
// diff=...`. With --fix, a broken tail of the LAST file is truncated to the last valid command
// after a y/N confirmation (a broken middle file cannot be fixed). Exit code 0 when everything is
// valid (or was fixed), 1 otherwise.
#include "persist/aof/check_aof.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "core/database.h"
#include "core/keyspace_env.h"
#include "persist/aof/aof_load.h"
#include "persist/aof/manifest.h"
#include "persist/rdb/rdb_reader.h"
#include "persist/rdb/rdb_snapshot.h"

namespace ember::aof {
namespace {

constexpr int kDatabases = 16;

// Checks commands by parsing them only; an RDB preamble is loaded into scratch databases (so every
// value is decoded and the CRC verified) and dropped.
class CheckVisitor : public LoadVisitor {
 public:
  Status LoadRdb(int fd, const std::string& path, uint64_t* end) override {
    if (lseek(fd, 0, SEEK_SET) != 0) return Status::FromErrno("lseek", errno);
    std::printf("The AOF appears to start with an RDB preamble.\nChecking the RDB preamble...\n");
    KeyspaceEnv env;
    env.loading = true;
    std::vector<std::unique_ptr<Database>> dbs;
    for (int i = 0; i < kDatabases; i++) dbs.push_back(std::make_unique<Database>(i, &env));
    rdb::FdSource src(fd);
    rdb::LoadOptions lo;
    lo.is_aof_preamble = true;
    lo.drop_expired = false;
    rdb::LoadResult res;
    Status st = rdb::LoadSnapshot(&src, dbs, lo, &res);
    if (!st.ok()) {
      std::printf("RDB preamble of AOF file is not sane, aborting.\n");
      return st;
    }
    *end = res.bytes;
    std::printf("RDB preamble is OK, proceeding with AOF tail...\n");
    return Status::OK();
  }
  Status OnCommand(std::span<const std::string_view>) override { return Status::OK(); }
};

uint64_t FileSize(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

// Checks one file; returns 0 valid, 1 invalid (after the report), 2 fixed.
int CheckFile(const std::string& path, const std::string& name, bool last, bool fix,
              const char* kind) {
  CheckVisitor v;
  LoadOptions o;
  o.load_truncated = true;
  o.truncate_file = false;
  LoadReport rep;
  Status st = LoadOneFile(path, name, last, o, &v, &rep, 0);
  bool truncated = st.ok() && rep.outcome == LoadOutcome::kTruncated;
  uint64_t size = FileSize(path);
  if (st.ok() && !truncated) {
    std::printf("AOF analyzed: filename=%s, size=%llu, ok_up_to=%llu, ok_up_to_line=%llu, diff=0\n",
                name.c_str(), static_cast<unsigned long long>(size),
                static_cast<unsigned long long>(size),
                static_cast<unsigned long long>(rep.ok_up_to_line + 1));
    std::printf("%s%s is valid\n", kind, name.c_str());
    return 0;
  }
  if (st.code() == StatusCode::kNotFound) {
    std::printf("%s\n", st.message().c_str());
    return 1;
  }
  if (!truncated) {
    std::printf("0x%16llx: %s\n", static_cast<unsigned long long>(rep.bad_offset),
                rep.detail.c_str());
  } else {
    std::printf("0x%16llx: %s\n", static_cast<unsigned long long>(rep.bad_offset),
                rep.detail.c_str());
  }
  uint64_t ok_to = rep.valid_up_to;
  std::printf("AOF analyzed: filename=%s, size=%llu, ok_up_to=%llu, ok_up_to_line=%llu, diff=%llu\n",
              name.c_str(), static_cast<unsigned long long>(size),
              static_cast<unsigned long long>(ok_to),
              static_cast<unsigned long long>(rep.ok_up_to_line + 1),
              static_cast<unsigned long long>(size - ok_to));
  if (!fix) {
    std::printf("AOF %s is not valid. Use the --fix option to try fixing it.\n", name.c_str());
    return 1;
  }
  if (!last) {
    std::printf("Failed to truncate AOF %s: only the last file of an AOF can be fixed.\n",
                name.c_str());
    return 1;
  }
  std::printf("This will shrink the AOF %s from %llu bytes, with %llu bytes, to %llu bytes\n",
              name.c_str(), static_cast<unsigned long long>(size),
              static_cast<unsigned long long>(size - ok_to), static_cast<unsigned long long>(ok_to));
  std::printf("Continue? [y/N]: ");
  std::fflush(stdout);
  char buf[16];
  if (std::fgets(buf, sizeof(buf), stdin) == nullptr || (buf[0] != 'y' && buf[0] != 'Y')) {
    std::printf("Aborting...\n");
    return 1;
  }
  if (truncate(path.c_str(), static_cast<off_t>(ok_to)) != 0) {
    std::printf("Failed to truncate AOF %s: %s\n", name.c_str(), std::strerror(errno));
    return 1;
  }
  std::printf("Successfully truncated AOF %s\n", name.c_str());
  return 2;
}

std::string DirName(const std::string& p) {
  size_t slash = p.rfind('/');
  return slash == std::string::npos ? "." : p.substr(0, slash == 0 ? 1 : slash);
}

std::string BaseName(const std::string& p) {
  size_t slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

int CheckAofMain(int argc, char** argv) {
  bool fix = false;
  std::string file;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    if (a == "--fix") {
      fix = true;
    } else if (file.empty() && a.rfind("--", 0) != 0) {
      file = a;
    } else {
      file.clear();
      break;
    }
  }
  if (file.empty()) {
    std::fprintf(stderr, "Usage: %s [--fix] <file.manifest|file.aof>\n", argv[0]);
    return 1;
  }
  struct stat st;
  if (stat(file.c_str(), &st) != 0) {
    std::printf("Cannot stat file: %s, aborting...\n", file.c_str());
    return 1;
  }
  if (!EndsWith(file, ".manifest")) {
    std::printf("Start checking Old-Style AOF\n");
    int r = CheckFile(file, BaseName(file), true, fix, "AOF ");
    return r == 1 ? 1 : 0;
  }
  std::printf("Start checking Multi Part AOF\n");
  std::string dir = DirName(file);
  auto m = ReadManifest(dir, BaseName(file));
  if (!m.ok()) {
    std::printf("%s\n", m.status().message().c_str());
    return 1;
  }
  std::vector<FileInfo> files = m->LoadOrder();
  if (files.empty()) {
    std::printf("The AOF manifest lists no file\n");
    return 1;
  }
  bool fixed = false;
  size_t i = 0;
  if (m->base) {
    const std::string& name = m->base->name;
    bool rdb = EndsWith(name, ".rdb");
    std::printf("Start to check BASE AOF (%s format).\n", rdb ? "RDB" : "RESP");
    int r = CheckFile(dir + "/" + name, name, files.size() == 1, fix, "BASE AOF ");
    if (r == 1) return 1;
    fixed |= r == 2;
    i = 1;
  }
  if (i < files.size()) std::printf("Start to check INCR files.\n");
  for (; i < files.size(); i++) {
    int r = CheckFile(dir + "/" + files[i].name, files[i].name, i + 1 == files.size(), fix,
                      "INCR AOF ");
    if (r == 1) return 1;
    fixed |= r == 2;
  }
  std::printf("All AOF files and manifest are valid\n");
  return 0;
}

}  // namespace ember::aof
