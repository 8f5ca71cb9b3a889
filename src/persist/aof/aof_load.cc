// Multi-part AOF loading driver. See aof_load.h.
#include "persist/aof/aof_load.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "base/log.h"
#include "base/strutil.h"
#include "persist/aof/aof_reader.h"

namespace ember::aof {

namespace {
constexpr uint64_t kProgressEvery = 1 << 20;

std::string FixHint() {
  return "make a backup of your AOF file, then use ember-check-aof --fix <filename.manifest>";
}
}  // namespace

uint64_t ManifestFilesSize(const std::string& dir, const Manifest& m) {
  uint64_t total = 0;
  for (const auto& f : m.LoadOrder()) {
    struct stat st;
    if (stat((dir + "/" + f.name).c_str(), &st) == 0) total += static_cast<uint64_t>(st.st_size);
  }
  return total;
}

Status LoadOneFile(const std::string& path, const std::string& name, bool last,
                   const LoadOptions& opts, LoadVisitor* visitor, LoadReport* report,
                   uint64_t progress_base) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound("The AOF file " + name + " doesn't exist");
    return Status::FromErrno("Fatal error: can't open the append log file " + name +
                                 " for reading",
                             errno);
  }
  struct stat st;
  uint64_t size = fstat(fd, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
  report->file_size = size;
  report->bad_file = name;
  if (size == 0) {
    close(fd);
    return Status::OK();
  }
  uint64_t start = 0;
  if (HasRdbPreamble(fd)) {
    Status s = visitor->LoadRdb(fd, path, &start);
    if (!s.ok()) {
      close(fd);
      report->bad_offset = 0;
      report->valid_up_to = 0;
      report->detail = s.message();
      return Status::Corruption("Bad file format reading the append only file " + name +
                                " (RDB preamble: " + s.message() + "): " + FixHint());
    }
  }
  CommandReader rd(fd, start);
  std::vector<std::string_view> argv;
  bool in_multi = false;
  uint64_t before_multi = 0, before_multi_lines = 0;
  uint64_t last_progress = 0;
  Status result;
  bool truncated = false;
  uint64_t cut = 0;
  for (;;) {
    uint64_t lines_before = rd.lines();
    CommandReader::Result r = rd.Next(&argv);
    if (r == CommandReader::Result::kCommand) {
      if (EqualsIgnoreCase(argv[0], "multi")) {
        if (in_multi) {
          report->bad_offset = rd.command_start();
          report->valid_up_to = rd.command_start();
          report->detail = "Unexpected MULTI";
          result = Status::Corruption("Bad file format reading the append only file " + name +
                                      " at offset " + std::to_string(rd.command_start()) +
                                      " (Unexpected MULTI): " + FixHint());
          break;
        }
        in_multi = true;
        before_multi = rd.command_start();
        before_multi_lines = lines_before;
      } else if (EqualsIgnoreCase(argv[0], "exec")) {
        if (!in_multi) {
          report->bad_offset = rd.command_start();
          report->valid_up_to = rd.command_start();
          report->detail = "Unexpected EXEC";
          result = Status::Corruption("Bad file format reading the append only file " + name +
                                      " at offset " + std::to_string(rd.command_start()) +
                                      " (Unexpected EXEC): " + FixHint());
          break;
        }
        in_multi = false;
      }
      Status s = visitor->OnCommand(argv);
      if (!s.ok()) {
        report->bad_offset = rd.command_start();
        report->valid_up_to = rd.command_start();
        report->detail = s.message();
        result = Status::Corruption(s.message() + " (in the append only file " + name +
                                    " at offset " + std::to_string(rd.command_start()) + ")");
        break;
      }
      report->commands++;
      if (rd.valid_up_to() - last_progress >= kProgressEvery) {
        last_progress = rd.valid_up_to();
        visitor->OnProgress(progress_base + last_progress);
      }
      continue;
    }
    if (r == CommandReader::Result::kEof) {
      if (in_multi) {
        LOG_WARNING("Revert incomplete MULTI/EXEC transaction in AOF file %s", name.c_str());
        truncated = true;
        cut = before_multi;
        report->detail = "MULTI without EXEC at the end of the file";
        report->bad_offset = before_multi;
        report->ok_up_to_line = before_multi_lines;
      }
      break;
    }
    if (r == CommandReader::Result::kTruncated) {
      truncated = true;
      cut = in_multi ? before_multi : rd.valid_up_to();
      report->detail = rd.error();
      report->bad_offset = rd.error_offset();
      report->ok_up_to_line = in_multi ? before_multi_lines : rd.lines_read();
      break;
    }
    // Bad format or a read error: fatal wherever it is.
    report->bad_offset = rd.error_offset();
    report->valid_up_to = rd.valid_up_to();
    report->ok_up_to_line = rd.lines_read();
    report->detail = rd.error();
    result = Status::Corruption(
        (r == CommandReader::Result::kIoError ? "Unrecoverable error reading the append only file "
                                              : "Bad file format reading the append only file ") +
        name + " at offset " + std::to_string(rd.error_offset()) + " (" + rd.error() + "): " +
        FixHint());
    break;
  }
  if (result.ok() && !truncated) {
    report->valid_up_to = rd.valid_up_to();
    report->ok_up_to_line = rd.lines();
  }
  close(fd);
  visitor->OnProgress(progress_base + size);
  if (!result.ok()) return result;
  if (!truncated) return Status::OK();

  report->valid_up_to = cut;
  if (!last) {
    return Status::Corruption("Fatal error: the truncated file " + name +
                              " is not the last file (it ends inside a command at offset " +
                              std::to_string(report->bad_offset) + ")");
  }
  if (!opts.load_truncated) {
    return Status::Corruption(
        "Unexpected end of file reading the append only file " + name + " (" + report->detail +
        " at offset " + std::to_string(report->bad_offset) +
        "). You can: 1) Make a backup of your AOF file, then use ember-check-aof --fix "
        "<filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' "
        "configuration option to yes and restart the server.");
  }
  report->outcome = LoadOutcome::kTruncated;
  if (opts.truncate_file) {
    LOG_WARNING("!!! Warning: short read while loading the AOF file %s!!!", name.c_str());
    LOG_WARNING("!!! Truncating the AOF %s at offset %llu !!!", name.c_str(),
                static_cast<unsigned long long>(cut));
    if (truncate(path.c_str(), static_cast<off_t>(cut)) != 0) {
      return Status::FromErrno("Error truncating the AOF file " + name, errno);
    }
    LOG_WARNING("AOF %s loaded anyway because aof-load-truncated is enabled", name.c_str());
  }
  return Status::OK();
}

Status LoadManifestFiles(const std::string& dir, const Manifest& m, const LoadOptions& opts,
                         LoadVisitor* visitor, LoadReport* report) {
  std::vector<FileInfo> files = m.LoadOrder();
  report->total_bytes = ManifestFilesSize(dir, m);
  report->outcome = LoadOutcome::kNotExist;
  if (files.empty()) return Status::OK();
  if (report->total_bytes == 0) {
    report->outcome = LoadOutcome::kEmpty;
    return Status::OK();
  }
  uint64_t done = 0;
  bool truncated = false;
  for (size_t i = 0; i < files.size(); i++) {
    bool last = i + 1 == files.size();
    LoadReport one;
    Status s = LoadOneFile(dir + "/" + files[i].name, files[i].name, last, opts, visitor, &one,
                           done);
    report->commands += one.commands;
    if (!s.ok() || one.outcome == LoadOutcome::kTruncated) {
      report->bad_file = one.bad_file;
      report->valid_up_to = one.valid_up_to;
      report->bad_offset = one.bad_offset;
      report->file_size = one.file_size;
      report->ok_up_to_line = one.ok_up_to_line;
      report->detail = one.detail;
    }
    if (!s.ok()) return s;
    if (one.outcome == LoadOutcome::kTruncated) truncated = true;
    done += one.file_size;
  }
  report->outcome = truncated ? LoadOutcome::kTruncated : LoadOutcome::kOk;
  return Status::OK();
}

}  // namespace ember::aof
