// Contracts of persist/aof_writer.h, for both backends: group-committed batches land in order at
// their offsets, fsync completions advance synced_offset, and a failed write is retried at the same
// offset so nothing is lost or duplicated.
#include "persist/aof_writer.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace ember {
namespace {

class AofWriterTest : public ::testing::TestWithParam<AofWriter::Backend> {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ember-aofw-XXXXXX";
    dir_ = mkdtemp(tmpl);
    path_ = dir_ + "/f.aof";
  }
  void TearDown() override {
    unlink(path_.c_str());
    rmdir(dir_.c_str());
  }
  std::unique_ptr<AofWriter> Make() {
    auto w = AofWriter::Create(GetParam(), /*allow_fallback=*/true);
    EXPECT_TRUE(w.ok());
    return std::move(w).value();
  }
  static void WaitIdle(AofWriter& w) {
    for (int i = 0; i < 1000 && (w.write_in_flight() || w.fsync_in_flight()); i++) {
      struct pollfd p{w.event_fd(), POLLIN, 0};
      poll(&p, 1, 10);
      w.Reap();
    }
  }
  std::string ReadFile() {
    std::string out;
    int fd = open(path_.c_str(), O_RDONLY);
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf))) > 0) out.append(buf, n);
    close(fd);
    return out;
  }
  std::string dir_, path_;
};

TEST_P(AofWriterTest, BatchesLandInOrderAndFsyncAdvancesSyncedOffset) {
  auto w = Make();
  int fd = open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  w->SetFile(fd, 0);
  std::string expect;
  for (int round = 0; round < 50; round++) {
    for (int i = 0; i < 1 + round % 7; i++) {
      std::string cmd = "*1\r\n$" + std::to_string(round) + "\r\n";
      w->Append(cmd);
      expect += cmd;
    }
    bool fsync = round % 3 == 0;
    if (!w->Submit(fsync)) {
      WaitIdle(*w);
      w->Submit(fsync);
    }
    if (round % 5 == 0) WaitIdle(*w);
  }
  ASSERT_TRUE(w->Drain(true).ok());
  EXPECT_EQ(w->written_offset(), expect.size());
  EXPECT_EQ(w->synced_offset(), expect.size());
  EXPECT_GT(w->completed_fsyncs(), 0u);
  EXPECT_EQ(ReadFile(), expect);
  close(fd);
}

TEST_P(AofWriterTest, FailedWriteIsRetriedAtTheSameOffsetWithoutDuplication) {
  auto w = Make();
  int good = open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_EQ(write(good, "HEAD", 4), 4);
  // The writer's fd is first read-only: writes fail (EBADF) until the "disk recovers".
  int fd = open(path_.c_str(), O_RDONLY);
  w->SetFile(fd, 4);
  w->Append("first;");
  w->Submit(true);
  WaitIdle(*w);
  EXPECT_FALSE(w->ok());
  EXPECT_EQ(w->last_errno(), EBADF);
  EXPECT_EQ(w->written_offset(), 4u);
  w->Append("second;");  // accepted into the buffer meanwhile
  ASSERT_EQ(dup2(good, fd), fd);  // the disk recovers
  ASSERT_TRUE(w->Drain(true).ok());
  EXPECT_TRUE(w->ok());
  EXPECT_EQ(ReadFile(), "HEADfirst;second;");
  EXPECT_EQ(w->synced_offset(), 17u);
  close(fd);
  close(good);
}

INSTANTIATE_TEST_SUITE_P(Backends, AofWriterTest,
                         ::testing::Values(AofWriter::Backend::kIoUring,
                                           AofWriter::Backend::kThreaded),
                         [](const auto& info) {
                           return info.param == AofWriter::Backend::kIoUring ? "IoUring"
                                                                             : "Threaded";
                         });

}  // namespace
}  // namespace ember

namespace ember {
namespace {
TEST(AofWriterBackendTest, IoUringIsUsedWhereTheKernelAllowsIt) {
  auto w = AofWriter::Create(AofWriter::Backend::kIoUring, /*allow_fallback=*/false);
  if (!w.ok()) GTEST_SKIP() << "io_uring unavailable here: " << w.status().ToString();
  EXPECT_EQ((*w)->backend(), AofWriter::Backend::kIoUring);
  EXPECT_STREQ((*w)->backend_name(), "io_uring");
}
}  // namespace
}  // namespace ember
