// Socket helpers for the server's listeners and connections (Redis's anet layer, in Ember's terms).
//
// Listening: ListenTcp opens one socket per `bind` address, as Redis 7 does:
//   "1.2.3.4", "localhost"   IPv4 (any name getaddrinfo resolves); "*" is every IPv4 address
//   "::1", "fe80::1%eth0"   IPv6 (an address containing ':'); "::*" is every IPv6 address; IPV6_V6ONLY
//                           is set so "* ::*" can share a port
//   "-addr"                  optional: skipped when the address is not available here (EADDRNOTAVAIL)
// An address whose family or protocol the kernel does not support (EAFNOSUPPORT, EPROTONOSUPPORT, ...)
// is skipped even when not optional; any other failure is fatal. Every failure, skipped or fatal,
// produces the line Redis logs: "Warning: Could not create server TCP listening socket ::1:6379:
// bind: Address already in use" (the address as written, without '-'; IPv6 without brackets).
// Listening sockets are non-blocking, close-on-exec, SO_REUSEADDR.
//
// Addresses are shown as CLIENT LIST shows them: "127.0.0.1:6379", "[::1]:6379", "/tmp/redis.sock:0".
//
// I/O wrappers never block on non-blocking fds, retry EINTR, and return an IoResult saying whether
// bytes moved, the fd would block, the peer closed (reads only) or an error occurred (errno kept).
// Writes use MSG_NOSIGNAL, so a closed peer gives EPIPE instead of SIGPIPE.
//
// Thread safety: every function is thread-safe (no shared state). Fork-safe as well.
#pragma once

#include <sys/types.h>
#include <sys/uio.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace ember::net {

// ---- listening ----

// Opens a listener on `port` for each address of `bind` (syntax above). On success `fds` holds the
// listeners that could be opened (possibly none, if every address was skipped). On a fatal failure
// the listeners opened so far are closed, `fds` is left empty and the Status message is the failing
// address's warning line. `warnings` (may be null) receives one log line per failed address.
Status ListenTcp(const std::vector<std::string>& bind, int port, int backlog, std::vector<int>* fds,
                 std::vector<std::string>* warnings);

// Listens on a Unix socket at `path`: removes a stale file at `path` first (as Redis does), then binds,
// chmods to `perm` when perm != 0 (unixsocketperm) and listens; non-blocking, close-on-exec. The error
// message is what Redis logs: "Failed opening Unix socket: bind: Permission denied".
Expected<int> ListenUnix(const std::string& path, mode_t perm, int backlog);

// ---- accepting ----

struct IoResult {
  enum Kind : unsigned char { kOk, kAgain, kClosed, kError };
  Kind kind;
  int err;   // errno when kind == kError, else 0
  size_t n;  // bytes moved when kind == kOk
  bool ok() const { return kind == kOk; }
};

struct AcceptedConn {
  int fd = -1;          // non-blocking, close-on-exec; owned by the caller
  bool is_unix = false;
  std::string ip;       // peer ip ("::1" unbracketed), or the socket path for a Unix socket
  int port = 0;         // peer port, 0 for a Unix socket
  std::string addr;     // peer as CLIENT LIST "addr=" shows it
  std::string laddr;    // local end as CLIENT LIST "laddr=" shows it
};

// accept4(SOCK_NONBLOCK|SOCK_CLOEXEC) on a listener. kOk fills `out`; kAgain when no connection is
// pending; kError with errno otherwise (EMFILE, ECONNABORTED, ...: log "Accepting client connection:
// <strerror>" and go on). Never kClosed.
IoResult Accept(int listen_fd, AcceptedConn* out);

// ---- connecting (replicas, tests) ----

// Connects to host:port (IPv4/IPv6 literal or a name). With `nonblock`, returns as soon as the
// connection is in progress (wait for writable, then check SocketError()). Close-on-exec.
Expected<int> TcpConnect(std::string_view host, int port, bool nonblock);
Expected<int> UnixConnect(const std::string& path, bool nonblock);
// The pending error of a socket (SO_ERROR): 0 when a non-blocking connect succeeded.
int SocketError(int fd);

// ---- addresses ----

// "ip:port", "[ip]:port" when ip contains ':' (IPv6), as Redis formats addresses.
std::string FormatAddr(std::string_view ip, int port);
// Peer / local address of a connected socket, formatted as above ("path:0" for Unix sockets).
Expected<std::string> PeerAddr(int fd);
Expected<std::string> LocalAddr(int fd);
// Local port of a bound socket (useful after binding port 0).
Expected<int> LocalPort(int fd);

// ---- options ----

Status SetNonBlock(int fd, bool on);
Status SetCloexec(int fd);
Status SetNoDelay(int fd, bool on);
// SO_KEEPALIVE plus, like Redis's tcp-keepalive: first probe after `interval` s idle, probes every
// interval/3 s (at least 1), 3 probes before the connection is dropped. interval must be > 0.
Status SetKeepAlive(int fd, int interval);

// ---- non-blocking I/O ----

// read(2): kOk with n > 0, kClosed on EOF, kAgain, or kError. len must be > 0.
IoResult Read(int fd, void* buf, size_t len);
// write(2) (send with MSG_NOSIGNAL on sockets): kOk with n bytes (maybe short), kAgain, or kError.
IoResult Write(int fd, const void* buf, size_t len);
// writev(2) semantics (sendmsg with MSG_NOSIGNAL on sockets). iovcnt <= IOV_MAX.
IoResult Writev(int fd, const struct iovec* iov, int iovcnt);

}  // namespace ember::net
