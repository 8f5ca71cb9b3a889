// Socket helper contracts: Redis 7 bind syntax and its exact log lines, Unix sockets (perm, stale file,
// "path:0" addresses), CLIENT LIST address format, socket options, and the non-blocking I/O results.
#include "net/socket.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace ember::net {
namespace {

bool IsOpen(int fd) { return fcntl(fd, F_GETFD) != -1; }

void CloseAll(std::vector<int>* fds) {
  for (int fd : *fds) close(fd);
  fds->clear();
}

std::string TempDir() {
  char tmpl[] = "/tmp/ember-net-test-XXXXXX";
  char* d = mkdtemp(tmpl);
  EXPECT_NE(d, nullptr);
  return d ? d : "/tmp";
}

// Waits (bounded) until fd is readable.
bool WaitReadable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, 3000) == 1;
}

TEST(FormatAddr, MatchesClientListFormat) {
  EXPECT_EQ(FormatAddr("127.0.0.1", 6379), "127.0.0.1:6379");
  EXPECT_EQ(FormatAddr("::1", 50000), "[::1]:50000");
  EXPECT_EQ(FormatAddr("fe80::1", 1), "[fe80::1]:1");
  EXPECT_EQ(FormatAddr("/tmp/redis.sock", 0), "/tmp/redis.sock:0");
}

TEST(ListenTcp, BindsPortZeroNonBlockingCloexec) {
  std::vector<int> fds;
  std::vector<std::string> warnings;
  ASSERT_TRUE(ListenTcp({"127.0.0.1"}, 0, 511, &fds, &warnings).ok());
  ASSERT_EQ(fds.size(), 1u);
  EXPECT_TRUE(warnings.empty());
  auto port = LocalPort(fds[0]);
  ASSERT_TRUE(port.ok());
  EXPECT_GT(*port, 0);
  EXPECT_TRUE(fcntl(fds[0], F_GETFL) & O_NONBLOCK);
  EXPECT_TRUE(fcntl(fds[0], F_GETFD) & FD_CLOEXEC);
  int reuse = 0;
  socklen_t len = sizeof(reuse);
  ASSERT_EQ(getsockopt(fds[0], SOL_SOCKET, SO_REUSEADDR, &reuse, &len), 0);
  EXPECT_EQ(reuse, 1);
  EXPECT_EQ(*LocalAddr(fds[0]), "127.0.0.1:" + std::to_string(*port));
  AcceptedConn c;
  EXPECT_EQ(Accept(fds[0], &c).kind, IoResult::kAgain);  // nothing pending: never blocks
  CloseAll(&fds);
}

TEST(ListenTcp, PortInUseIsFatalWithRedisLogLine) {
  std::vector<int> first, second;
  ASSERT_TRUE(ListenTcp({"127.0.0.1"}, 0, 16, &first, nullptr).ok());
  int port = *LocalPort(first[0]);
  std::vector<std::string> warnings;
  Status st = ListenTcp({"127.0.0.1"}, port, 16, &second, &warnings);
  ASSERT_FALSE(st.ok());
  const std::string want = "Warning: Could not create server TCP listening socket 127.0.0.1:" +
                           std::to_string(port) + ": bind: Address already in use";
  // The reason is logged once (the warning); the fatal status is Redis's closing line.
  EXPECT_EQ(st.message(), "Failed listening on port " + std::to_string(port) + " (tcp), aborting.");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], want);
  EXPECT_TRUE(second.empty());
  CloseAll(&first);
}

TEST(ListenTcp, OptionalUnavailableAddressIsSkipped) {
  // 192.0.2.1 is TEST-NET-1: never assigned to a local interface.
  std::vector<int> fds;
  std::vector<std::string> warnings;
  Status st = ListenTcp({"-192.0.2.1", "127.0.0.1"}, 0, 16, &fds, &warnings);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(fds.size(), 1u);
  ASSERT_EQ(warnings.size(), 1u);
  // The address is shown without its '-'.
  EXPECT_EQ(warnings[0],
            "Warning: Could not create server TCP listening socket 192.0.2.1:0: bind: Cannot "
            "assign requested address");
  CloseAll(&fds);
}

TEST(ListenTcp, MandatoryUnavailableAddressRollsBackEarlierListeners) {
  std::vector<int> fds;
  std::vector<std::string> warnings;
  // Remember which fd the first listener will get: it must be closed again after the failure.
  int probe = dup(0);
  close(probe);
  Status st = ListenTcp({"127.0.0.1", "192.0.2.1"}, 0, 16, &fds, &warnings);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "Failed listening on port 0 (tcp), aborting.");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0],
            "Warning: Could not create server TCP listening socket 192.0.2.1:0: bind: Cannot "
            "assign requested address");
  EXPECT_TRUE(fds.empty());
  EXPECT_FALSE(IsOpen(probe));
}

TEST(ListenTcp, UnresolvableNameIsFatal) {
  std::vector<int> fds;
  Status st = ListenTcp({"nosuchhost.invalid"}, 0, 16, &fds, nullptr);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message().rfind("Warning: Could not create server TCP listening socket "
                               "nosuchhost.invalid:0: ",
                               0),
            0u)
      << st.message();
}

TEST(ListenTcp, Ipv6LoopbackWhenAvailable) {
  std::vector<int> fds;
  std::vector<std::string> warnings;
  ASSERT_TRUE(ListenTcp({"-::1"}, 0, 16, &fds, &warnings).ok());
  if (fds.empty()) GTEST_SKIP() << "IPv6 loopback unavailable: " << warnings[0];
  int port = *LocalPort(fds[0]);
  EXPECT_EQ(*LocalAddr(fds[0]), "[::1]:" + std::to_string(port));
  auto c = TcpConnect("::1", port, false);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_TRUE(WaitReadable(fds[0]));
  AcceptedConn conn;
  ASSERT_TRUE(Accept(fds[0], &conn).ok());
  EXPECT_EQ(conn.ip, "::1");
  EXPECT_EQ(conn.addr, *LocalAddr(*c));
  EXPECT_EQ(conn.addr.rfind("[::1]:", 0), 0u);
  EXPECT_EQ(conn.laddr, "[::1]:" + std::to_string(port));
  close(conn.fd);
  close(*c);
  CloseAll(&fds);
}

TEST(ListenTcp, AnyIpv4AndAnyIpv6ShareAPort) {
  // Redis's default "bind * -::*": IPV6_V6ONLY lets both wildcard listeners use one port.
  std::vector<int> v4;
  ASSERT_TRUE(ListenTcp({"*"}, 0, 16, &v4, nullptr).ok());
  ASSERT_EQ(v4.size(), 1u);
  int port = *LocalPort(v4[0]);
  EXPECT_EQ(*LocalAddr(v4[0]), "0.0.0.0:" + std::to_string(port));
  std::vector<int> v6;
  std::vector<std::string> warnings;
  Status st = ListenTcp({"-::*"}, port, 16, &v6, &warnings);
  ASSERT_TRUE(st.ok()) << st.message();
  if (!v6.empty()) {
    EXPECT_EQ(*LocalAddr(v6[0]), "[::]:" + std::to_string(port));
    int only = 0;
    socklen_t len = sizeof(only);
    ASSERT_EQ(getsockopt(v6[0], IPPROTO_IPV6, IPV6_V6ONLY, &only, &len), 0);
    EXPECT_EQ(only, 1);
  }
  CloseAll(&v6);
  CloseAll(&v4);
}

TEST(ListenUnix, PermStaleFileAndPathAddresses) {
  std::string dir = TempDir();
  std::string path = dir + "/ember.sock";
  // A stale regular file at the path (left by a crash) is removed first.
  int stale = open(path.c_str(), O_CREAT | O_WRONLY, 0644);
  ASSERT_GE(stale, 0);
  close(stale);
  auto lfd = ListenUnix(path, 0700, 16);
  ASSERT_TRUE(lfd.ok()) << lfd.status().message();
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_TRUE(fcntl(*lfd, F_GETFL) & O_NONBLOCK);

  auto c = UnixConnect(path, false);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(WaitReadable(*lfd));
  AcceptedConn conn;
  ASSERT_TRUE(Accept(*lfd, &conn).ok());
  EXPECT_TRUE(conn.is_unix);
  EXPECT_EQ(conn.port, 0);
  EXPECT_EQ(conn.addr, path + ":0");
  EXPECT_EQ(conn.laddr, path + ":0");
  EXPECT_TRUE(fcntl(conn.fd, F_GETFL) & O_NONBLOCK);
  EXPECT_TRUE(fcntl(conn.fd, F_GETFD) & FD_CLOEXEC);
  EXPECT_EQ(*PeerAddr(conn.fd), path + ":0");
  close(conn.fd);
  close(*c);
  close(*lfd);
  unlink(path.c_str());
  rmdir(dir.c_str());
}

TEST(ListenUnix, ErrorsUseRedisText) {
  auto missing = ListenUnix("/nonexistent-ember-dir/x.sock", 0, 16);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            "Failed opening Unix socket: bind: No such file or directory");
  auto longp = ListenUnix("/tmp/" + std::string(120, 'a'), 0, 16);
  ASSERT_FALSE(longp.ok());
  EXPECT_EQ(longp.status().message(),
            "Failed opening Unix socket: unix socket path too long (125), must be under 108");
}

TEST(SocketOptions, KeepAliveFollowsRedisIntervals) {
  int raw = socket(AF_INET, SOCK_STREAM, 0);  // options apply to any TCP socket, connected or not
  ASSERT_GE(raw, 0);
  int* fd = &raw;
  ASSERT_TRUE(SetKeepAlive(*fd, 300).ok());
  auto get = [&](int level, int opt) {
    int v = -1;
    socklen_t len = sizeof(v);
    EXPECT_EQ(getsockopt(*fd, level, opt, &v, &len), 0);
    return v;
  };
  EXPECT_EQ(get(SOL_SOCKET, SO_KEEPALIVE), 1);
  EXPECT_EQ(get(IPPROTO_TCP, TCP_KEEPIDLE), 300);
  EXPECT_EQ(get(IPPROTO_TCP, TCP_KEEPINTVL), 100);
  EXPECT_EQ(get(IPPROTO_TCP, TCP_KEEPCNT), 3);
  ASSERT_TRUE(SetKeepAlive(*fd, 2).ok());
  EXPECT_EQ(get(IPPROTO_TCP, TCP_KEEPINTVL), 1);  // interval/3 rounds to 0: at least 1
  EXPECT_FALSE(SetKeepAlive(*fd, 0).ok());
  ASSERT_TRUE(SetNoDelay(*fd, true).ok());
  EXPECT_EQ(get(IPPROTO_TCP, TCP_NODELAY), 1);
  ASSERT_TRUE(SetNoDelay(*fd, false).ok());
  EXPECT_EQ(get(IPPROTO_TCP, TCP_NODELAY), 0);
  close(*fd);
}

TEST(SocketOptions, NonBlockAndCloexec) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  ASSERT_TRUE(SetNonBlock(p[0], true).ok());
  EXPECT_TRUE(fcntl(p[0], F_GETFL) & O_NONBLOCK);
  ASSERT_TRUE(SetNonBlock(p[0], false).ok());
  EXPECT_FALSE(fcntl(p[0], F_GETFL) & O_NONBLOCK);
  EXPECT_FALSE(fcntl(p[1], F_GETFD) & FD_CLOEXEC);
  ASSERT_TRUE(SetCloexec(p[1]).ok());
  EXPECT_TRUE(fcntl(p[1], F_GETFD) & FD_CLOEXEC);
  close(p[0]);
  close(p[1]);
  Status st = SetCloexec(p[1]);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("Bad file descriptor"), std::string::npos);
}

TEST(SocketIo, ResultsForDataAgainClosedAndError) {
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
  char buf[16];
  EXPECT_EQ(Read(sv[0], buf, sizeof(buf)).kind, IoResult::kAgain);
  IoResult w = Write(sv[1], "abc", 3);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w.n, 3u);
  iovec iov[2] = {{const_cast<char*>("de"), 2}, {const_cast<char*>("fgh"), 3}};
  w = Writev(sv[1], iov, 2);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w.n, 5u);
  IoResult r = Read(sv[0], buf, sizeof(buf));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::string(buf, r.n), "abcdefgh");
  close(sv[1]);
  EXPECT_EQ(Read(sv[0], buf, sizeof(buf)).kind, IoResult::kClosed);
  // Writing to a closed peer is an error (EPIPE), not a SIGPIPE that kills the process.
  IoResult e = Write(sv[0], "x", 1);
  EXPECT_EQ(e.kind, IoResult::kError);
  EXPECT_EQ(e.err, EPIPE);
  e = Writev(sv[0], iov, 2);
  EXPECT_EQ(e.kind, IoResult::kError);
  EXPECT_EQ(e.err, EPIPE);
  close(sv[0]);
}

TEST(SocketIo, FullSendBufferGivesAgainAndShortWrites) {
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
  std::string chunk(64 * 1024, 'x');
  size_t total = 0;
  IoResult w{};
  for (int i = 0; i < 10000; ++i) {
    w = Write(sv[0], chunk.data(), chunk.size());
    if (!w.ok()) break;
    total += w.n;
  }
  EXPECT_EQ(w.kind, IoResult::kAgain);
  EXPECT_GT(total, 0u);
  close(sv[0]);
  close(sv[1]);
}

TEST(SocketIo, WriteFallsBackToWriteOnPipes) {
  int p[2];
  ASSERT_EQ(pipe2(p, O_NONBLOCK), 0);
  IoResult w = Write(p[1], "pipe", 4);
  ASSERT_TRUE(w.ok());
  iovec iov[1] = {{const_cast<char*>("!"), 1}};
  ASSERT_TRUE(Writev(p[1], iov, 1).ok());
  char buf[8];
  IoResult r = Read(p[0], buf, sizeof(buf));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::string(buf, r.n), "pipe!");
  close(p[0]);
  close(p[1]);
}

TEST(TcpConnect, NonBlockingConnectCompletesAndRefusedIsReported) {
  std::vector<int> fds;
  ASSERT_TRUE(ListenTcp({"127.0.0.1"}, 0, 16, &fds, nullptr).ok());
  int port = *LocalPort(fds[0]);
  auto c = TcpConnect("127.0.0.1", port, true);
  ASSERT_TRUE(c.ok());
  pollfd p{*c, POLLOUT, 0};
  ASSERT_EQ(poll(&p, 1, 3000), 1);
  EXPECT_EQ(SocketError(*c), 0);
  EXPECT_EQ(*PeerAddr(*c), "127.0.0.1:" + std::to_string(port));
  close(*c);
  CloseAll(&fds);
  // Nothing listens there any more.
  auto refused = TcpConnect("127.0.0.1", port, false);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message(), "connect: Connection refused");
}

}  // namespace
}  // namespace ember::net
