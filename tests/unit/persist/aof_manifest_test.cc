// Contracts of persist/aof/manifest.h: Redis 7's manifest syntax, its error texts, rewrite installs.
#include "persist/aof/manifest.h"

#include <gtest/gtest.h>

namespace ember::aof {
namespace {

TEST(AofManifestTest, ParsesWhatRedisWrites) {
  auto m = Manifest::Parse(
      "file appendonly.aof.2.base.rdb seq 2 type b\n"
      "file appendonly.aof.1.incr.aof seq 1 type h\n"
      "file appendonly.aof.2.incr.aof seq 2 type i\n"
      "# a comment\n"
      "file appendonly.aof.3.incr.aof seq 3 type i extra value\n");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_TRUE(m->base.has_value());
  EXPECT_EQ(m->base->name, "appendonly.aof.2.base.rdb");
  EXPECT_EQ(m->history.size(), 1u);
  ASSERT_EQ(m->incrs.size(), 2u);
  EXPECT_EQ(m->curr_incr_seq, 3);
  EXPECT_EQ(m->Serialize(),
            "file appendonly.aof.2.base.rdb seq 2 type b\n"
            "file appendonly.aof.1.incr.aof seq 1 type h\n"
            "file appendonly.aof.2.incr.aof seq 2 type i\n"
            "file appendonly.aof.3.incr.aof seq 3 type i\n");
}

TEST(AofManifestTest, ErrorsUseRedisTexts) {
  auto err = [](std::string_view s) { return Manifest::Parse(s).status().message(); };
  EXPECT_EQ(err(""), "Found an empty AOF manifest");
  EXPECT_EQ(err("# only a comment\n"), "Found an empty AOF manifest");
  EXPECT_EQ(err("file a seq 1\n"), "Invalid AOF manifest file format");
  EXPECT_EQ(err("file a/b seq 1 type b\n"), "File can't be a path, just a filename");
  EXPECT_EQ(err("file a seq 1 type b\nfile b seq 2 type b\n"), "Found duplicate base file information");
  EXPECT_EQ(err("file a seq 2 type i\nfile b seq 2 type i\n"), "Found a non-monotonic sequence number");
  EXPECT_EQ(err("file a seq 1 type x\n"), "Unknown AOF file type");
  EXPECT_EQ(err("file " + std::string(1100, 'a') + " seq 1 type b\n"),
            "The AOF manifest file contains too long line");
}

TEST(AofManifestTest, RewriteMovesOldFilesToHistory) {
  Manifest m;
  FileInfo b{m.NewBaseName("appendonly.aof", true), 1, FileType::kBase};
  m.InstallRewrite(b);
  m.NewIncrName("appendonly.aof");
  m.NewIncrName("appendonly.aof");  // opened before the rewrite's fork
  FileInfo nb{m.NewBaseName("appendonly.aof", true), m.curr_base_seq, FileType::kBase};
  m.InstallRewrite(nb);
  EXPECT_EQ(m.base->name, "appendonly.aof.2.base.rdb");
  ASSERT_EQ(m.incrs.size(), 1u);
  EXPECT_EQ(m.incrs[0].name, "appendonly.aof.2.incr.aof");
  EXPECT_EQ(m.history.size(), 2u);
  auto again = Manifest::Parse(m.Serialize());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->Serialize(), m.Serialize());
}

}  // namespace
}  // namespace ember::aof
