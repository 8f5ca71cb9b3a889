// Contracts of persist/aof/aof_rewrite.h: the commands form of a base (SELECT per non-empty
// database, SET, PEXPIREAT after keys with a TTL, expired keys skipped) reads back through the
// AOF reader; WriteBaseFile writes an RDB preamble or commands and removes its file on failure.
#include "persist/aof/aof_rewrite.h"

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "persist/aof/aof_reader.h"

namespace ember::aof {
namespace {

std::vector<std::unique_ptr<Database>> MakeDbs(KeyspaceEnv* env, int n = 16) {
  std::vector<std::unique_ptr<Database>> dbs;
  for (int i = 0; i < n; i++) dbs.push_back(std::make_unique<Database>(i, env));
  return dbs;
}

std::vector<std::string> ReadCommands(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY);
  EXPECT_GE(fd, 0);
  CommandReader rd(fd, 0);
  std::vector<std::string_view> argv;
  std::vector<std::string> out;
  CommandReader::Result r;
  while ((r = rd.Next(&argv)) == CommandReader::Result::kCommand) {
    std::string s;
    for (auto a : argv) {
      if (!s.empty()) s += ' ';
      s.append(a);
    }
    out.push_back(s);
  }
  EXPECT_EQ(r, CommandReader::Result::kEof);
  close(fd);
  return out;
}

class AofRewriteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ember-aofrw-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override {
    std::string cmd = "rm -rf '" + dir_ + "'";
    (void)system(cmd.c_str());
  }
  std::string dir_;
};

TEST_F(AofRewriteTest, CommandsFormHasSelectSetAndPexpireat) {
  KeyspaceEnv env;
  env.now_ms = 1'000'000;
  auto dbs = MakeDbs(&env);
  dbs[0]->Set("int", ValueInit::FromString("12345"));
  dbs[0]->Set("str", ValueInit::FromString(std::string(100, 'x')));
  Record* t = dbs[2]->Set("ttl", ValueInit::FromString("v"));
  dbs[2]->SetExpire(t, 5'000'000);
  Record* old = dbs[2]->Set("expired", ValueInit::FromString("v"));
  dbs[2]->SetExpire(old, 10);
  BaseWriteOptions o;
  o.rdb_preamble = false;
  o.now_ms = env.now_ms;
  BaseWriteResult res;
  std::string path = dir_ + "/base.aof";
  ASSERT_TRUE(WriteBaseFile(path, dbs, o, &res).ok());
  EXPECT_EQ(res.keys, 3u);
  std::vector<std::string> cmds = ReadCommands(path);
  ASSERT_EQ(cmds.size(), 6u);
  EXPECT_EQ(cmds[0], "SELECT 0");
  std::vector<std::string> db0(cmds.begin() + 1, cmds.begin() + 3);
  std::sort(db0.begin(), db0.end());
  EXPECT_EQ(db0, (std::vector<std::string>{"SET int 12345", "SET str " + std::string(100, 'x')}));
  EXPECT_EQ(cmds[3], "SELECT 2");
  EXPECT_EQ(cmds[4], "SET ttl v");
  EXPECT_EQ(cmds[5], "PEXPIREAT ttl 5000000");
}

TEST_F(AofRewriteTest, RdbPreambleStartsWithTheMagicAndEmptyDatasetIsValid) {
  KeyspaceEnv env;
  auto dbs = MakeDbs(&env);
  BaseWriteOptions o;
  o.rdb_preamble = true;
  std::string path = dir_ + "/base.rdb";
  ASSERT_TRUE(WriteBaseFile(path, dbs, o, nullptr).ok());
  int fd = open(path.c_str(), O_RDONLY);
  EXPECT_TRUE(HasRdbPreamble(fd));
  close(fd);
  o.rdb_preamble = false;
  path = dir_ + "/base.aof";
  ASSERT_TRUE(WriteBaseFile(path, dbs, o, nullptr).ok());
  EXPECT_TRUE(ReadCommands(path).empty());
}

TEST_F(AofRewriteTest, UnwritablePathFailsWithoutLeavingAFile) {
  KeyspaceEnv env;
  auto dbs = MakeDbs(&env);
  BaseWriteOptions o;
  Status st = WriteBaseFile(dir_ + "/missing/dir/base.rdb", dbs, o, nullptr);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("rewriteAppendOnlyFile"), std::string::npos);
}

}  // namespace
}  // namespace ember::aof
