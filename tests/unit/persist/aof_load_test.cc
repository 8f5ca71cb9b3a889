// Contracts of persist/aof/aof_reader.h and aof_load.h: commands come back exactly with exact
// offsets whatever the read chunking; annotations are skipped; a truncated tail is told apart from
// a corrupt middle; a truncated last file is cut back (MULTI without EXEC to before the MULTI) only
// with aof-load-truncated; a truncated non-last file is fatal; an RDB preamble is handed to the
// visitor and the commands after it are read from where it ended.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "persist/aof/aof_load.h"
#include "persist/aof/aof_reader.h"

namespace ember::aof {
namespace {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/ember-aofload-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() {
    std::string cmd = "rm -rf '" + path_ + "'";
    (void)system(cmd.c_str());
  }
  const std::string& path() const { return path_; }
  std::string Write(const std::string& name, const std::string& content) {
    std::string p = path_ + "/" + name;
    int fd = open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    EXPECT_EQ(write(fd, content.data(), content.size()), static_cast<ssize_t>(content.size()));
    close(fd);
    return p;
  }
  std::string Read(const std::string& name) {
    std::string out;
    int fd = open((path_ + "/" + name).c_str(), O_RDONLY);
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
    close(fd);
    return out;
  }

 private:
  std::string path_;
};

std::string Cmd(std::vector<std::string_view> argv) {
  std::string out;
  AppendCommand(&out, argv);
  return out;
}

class Recorder : public LoadVisitor {
 public:
  Status LoadRdb(int fd, const std::string& path, uint64_t* end) override {
    rdb_calls++;
    *end = rdb_end;
    return rdb_status;
  }
  Status OnCommand(std::span<const std::string_view> argv) override {
    std::string s;
    for (auto a : argv) {
      if (!s.empty()) s += ' ';
      s.append(a);
    }
    if (s == "BOOM") return Status::InvalidArgument("Unknown command 'BOOM'");
    cmds.push_back(s);
    return Status::OK();
  }
  std::vector<std::string> cmds;
  int rdb_calls = 0;
  uint64_t rdb_end = 0;
  Status rdb_status;
};

TEST(AofReaderTest, AppendCommandIsRedisResp) {
  EXPECT_EQ(Cmd({"SET", "k", ""}), "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n");
}

TEST(AofReaderTest, RandomCommandsRoundTripWithExactOffsets) {
  TempDir d;
  std::mt19937 rng(7);
  std::string content;
  std::vector<std::vector<std::string>> expect;
  std::vector<uint64_t> starts;
  for (int i = 0; i < 2000; i++) {
    if (rng() % 20 == 0) content += "#TS:" + std::to_string(1700000000 + i) + "\r\n";
    std::vector<std::string> argv;
    int argc = 1 + static_cast<int>(rng() % 5);
    for (int j = 0; j < argc; j++) {
      // Sizes around the 64 KB read-ahead, binary payloads with CR/LF inside.
      size_t len = rng() % 10 == 0 ? rng() % 150000 : rng() % 40;
      std::string a(len, '\0');
      for (auto& c : a) c = static_cast<char>(rng() % 256);
      argv.push_back(a);
    }
    starts.push_back(content.size());
    std::vector<std::string_view> views(argv.begin(), argv.end());
    AppendCommand(&content, views);
    expect.push_back(argv);
  }
  std::string p = d.Write("f.aof", content);
  int fd = open(p.c_str(), O_RDONLY);
  CommandReader rd(fd, 0);
  std::vector<std::string_view> argv;
  for (size_t i = 0; i < expect.size(); i++) {
    ASSERT_EQ(rd.Next(&argv), CommandReader::Result::kCommand) << i << " " << rd.error();
    EXPECT_EQ(rd.command_start(), starts[i]);
    ASSERT_EQ(argv.size(), expect[i].size());
    for (size_t j = 0; j < argv.size(); j++) ASSERT_EQ(argv[j], expect[i][j]);
  }
  EXPECT_EQ(rd.Next(&argv), CommandReader::Result::kEof);
  EXPECT_EQ(rd.valid_up_to(), content.size());
  close(fd);
}

TEST(AofReaderTest, EveryTruncationPointIsTruncatedNeverBadFormat) {
  TempDir d;
  std::string good = Cmd({"SET", "a", "1"}) + "#TS:5\r\n" + Cmd({"SET", "bb", "22"});
  size_t first_end = Cmd({"SET", "a", "1"}).size();
  for (size_t cut = 0; cut < good.size(); cut++) {
    std::string p = d.Write("t.aof", good.substr(0, cut));
    int fd = open(p.c_str(), O_RDONLY);
    CommandReader rd(fd, 0);
    std::vector<std::string_view> argv;
    CommandReader::Result r;
    int n = 0;
    while ((r = rd.Next(&argv)) == CommandReader::Result::kCommand) n++;
    close(fd);
    if (cut == 0 || cut == first_end || cut == first_end + 7) {
      EXPECT_EQ(r, CommandReader::Result::kEof) << cut;
    } else {
      EXPECT_EQ(r, CommandReader::Result::kTruncated) << cut << " " << rd.error();
      EXPECT_EQ(rd.valid_up_to(), cut < first_end ? 0 : cut < first_end + 7 ? first_end
                                                                             : first_end + 7)
          << cut;
    }
  }
}

TEST(AofReaderTest, CorruptBytesAreBadFormatWithTheirOffset) {
  TempDir d;
  std::string a = Cmd({"SET", "a", "1"});
  struct Case {
    std::string content;
    uint64_t offset;
  } cases[] = {
      {a + "xx3\r\n" + a, a.size()},                          // not '*'
      {a + "*3\r\n$3\r\nSET\r\n#1\r\na\r\n", a.size() + 13},  // not '$'
      {a + "*0\r\n", a.size()},                               // argc < 1
      {a + "*1\r\n$3\r\nSETXX\r\n", a.size() + 11},           // payload not followed by CRLF
      {a + "*1\n$3\r\nSET\r\n", a.size() + 2},                // LF without CR
  };
  for (const auto& c : cases) {
    std::string p = d.Write("b.aof", c.content);
    int fd = open(p.c_str(), O_RDONLY);
    CommandReader rd(fd, 0);
    std::vector<std::string_view> argv;
    ASSERT_EQ(rd.Next(&argv), CommandReader::Result::kCommand);
    EXPECT_EQ(rd.Next(&argv), CommandReader::Result::kBadFormat) << c.content;
    EXPECT_EQ(rd.error_offset(), c.offset) << c.content << " " << rd.error();
    EXPECT_EQ(rd.valid_up_to(), a.size());
    close(fd);
  }
}

Manifest TwoFiles() {
  auto m = Manifest::Parse(
      "file a.1.base.aof seq 1 type b\nfile a.1.incr.aof seq 1 type i\n"
      "file a.2.incr.aof seq 2 type i\n");
  return *m;
}

TEST(AofLoadTest, LoadsBaseThenIncrsInOrder) {
  TempDir d;
  d.Write("a.1.base.aof", Cmd({"SET", "k", "base"}));
  d.Write("a.1.incr.aof", Cmd({"SET", "k", "i1"}));
  d.Write("a.2.incr.aof", Cmd({"MULTI"}) + Cmd({"SET", "k", "i2"}) + Cmd({"EXEC"}));
  Recorder v;
  LoadReport rep;
  ASSERT_TRUE(LoadManifestFiles(d.path(), TwoFiles(), {}, &v, &rep).ok());
  EXPECT_EQ(rep.outcome, LoadOutcome::kOk);
  EXPECT_EQ(v.cmds, (std::vector<std::string>{"SET k base", "SET k i1", "MULTI", "SET k i2",
                                                "EXEC"}));
}

TEST(AofLoadTest, TruncatedLastFileIsCutBackOnlyWithLoadTruncated) {
  TempDir d;
  std::string good = Cmd({"SET", "k", "i2"});
  d.Write("a.1.base.aof", Cmd({"SET", "k", "base"}));
  d.Write("a.1.incr.aof", "");
  {
    d.Write("a.2.incr.aof", good + "*3\r\n$3\r\nSET\r\n$1\r\nk");
    Recorder v;
    LoadReport rep;
    LoadOptions o;
    o.load_truncated = false;
    Status s = LoadManifestFiles(d.path(), TwoFiles(), o, &v, &rep);
    EXPECT_FALSE(s.ok());
    EXPECT_NE(s.message().find("Unexpected end of file reading the append only file a.2.incr.aof"),
              std::string::npos)
        << s.message();
    EXPECT_EQ(d.Read("a.2.incr.aof").size(), good.size() + 18);  // untouched
  }
  {
    Recorder v;
    LoadReport rep;
    ASSERT_TRUE(LoadManifestFiles(d.path(), TwoFiles(), {}, &v, &rep).ok());
    EXPECT_EQ(rep.outcome, LoadOutcome::kTruncated);
    EXPECT_EQ(rep.valid_up_to, good.size());
    EXPECT_EQ(d.Read("a.2.incr.aof"), good);
  }
}

TEST(AofLoadTest, UnfinishedMultiAtTheEndIsRevertedToBeforeTheMulti) {
  TempDir d;
  std::string keep = Cmd({"SET", "x", "1"});
  d.Write("a.1.base.aof", "");
  d.Write("a.1.incr.aof", "");
  d.Write("a.2.incr.aof", keep + Cmd({"MULTI"}) + Cmd({"SET", "k", "v"}));
  Recorder v;
  LoadReport rep;
  ASSERT_TRUE(LoadManifestFiles(d.path(), TwoFiles(), {}, &v, &rep).ok());
  EXPECT_EQ(rep.outcome, LoadOutcome::kTruncated);
  EXPECT_EQ(d.Read("a.2.incr.aof"), keep);
}

TEST(AofLoadTest, TruncatedMiddleFileAndCorruptMiddleAreFatalNamingFileAndOffset) {
  TempDir d;
  d.Write("a.1.base.aof", Cmd({"SET", "k", "base"}));
  d.Write("a.1.incr.aof", Cmd({"SET", "k", "i1"}) + "*2\r\n$3\r\nDEL");
  d.Write("a.2.incr.aof", Cmd({"SET", "k", "i2"}));
  Recorder v;
  LoadReport rep;
  Status s = LoadManifestFiles(d.path(), TwoFiles(), {}, &v, &rep);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("a.1.incr.aof is not the last file"), std::string::npos)
      << s.message();
  std::string i1 = Cmd({"SET", "k", "i1"});
  d.Write("a.1.incr.aof", i1 + "garbage\r\n" + Cmd({"SET", "k", "z"}));
  Recorder v2;
  s = LoadManifestFiles(d.path(), TwoFiles(), {}, &v2, &rep);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("Bad file format reading the append only file a.1.incr.aof at offset " +
                             std::to_string(i1.size())),
            std::string::npos)
      << s.message();
  EXPECT_EQ(rep.bad_file, "a.1.incr.aof");
}

TEST(AofLoadTest, UnknownCommandStopsLoadingWithItsOffset) {
  TempDir d;
  d.Write("a.1.base.aof", Cmd({"SET", "k", "base"}) + Cmd({"BOOM"}));
  d.Write("a.1.incr.aof", "");
  d.Write("a.2.incr.aof", "");
  Recorder v;
  LoadReport rep;
  Status s = LoadManifestFiles(d.path(), TwoFiles(), {}, &v, &rep);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("Unknown command 'BOOM'"), std::string::npos);
  EXPECT_EQ(rep.bad_offset, Cmd({"SET", "k", "base"}).size());
}

TEST(AofLoadTest, RdbPreambleIsHandedToTheVisitorAndCommandsFollowIt) {
  TempDir d;
  std::string fake_rdb = "REDIS0010<rdb body>";
  d.Write("a.1.base.aof", fake_rdb + Cmd({"SET", "after", "rdb"}));
  d.Write("a.1.incr.aof", "");
  d.Write("a.2.incr.aof", "");
  Recorder v;
  v.rdb_end = fake_rdb.size();
  LoadReport rep;
  ASSERT_TRUE(LoadManifestFiles(d.path(), TwoFiles(), {}, &v, &rep).ok());
  EXPECT_EQ(v.rdb_calls, 1);
  EXPECT_EQ(v.cmds, (std::vector<std::string>{"SET after rdb"}));
  v.rdb_status = Status::Corruption("bad crc");
  Status s = LoadManifestFiles(d.path(), TwoFiles(), {}, &v, &rep);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("RDB preamble: bad crc"), std::string::npos);
}

TEST(AofLoadTest, MissingFileIsAnErrorEmptyFilesAreEmpty) {
  TempDir d;
  Recorder v;
  LoadReport rep;
  d.Write("a.1.base.aof", "");
  d.Write("a.1.incr.aof", "");
  d.Write("a.2.incr.aof", "");
  ASSERT_TRUE(LoadManifestFiles(d.path(), TwoFiles(), {}, &v, &rep).ok());
  EXPECT_EQ(rep.outcome, LoadOutcome::kEmpty);
  unlink((d.path() + "/a.1.incr.aof").c_str());
  d.Write("a.2.incr.aof", Cmd({"SET", "k", "v"}));
  Status s = LoadManifestFiles(d.path(), TwoFiles(), {}, &v, &rep);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("a.1.incr.aof doesn't exist"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace ember::aof
