// Socket helpers: see socket.h for the contracts and the bind syntax.
//
// Opening one TCP listener (ListenOne) follows the steps whose error texts Redis prints, so the log
// lines match byte for byte:
//
//   getaddrinfo(host or NULL for "*"/"::*", AI_PASSIVE)   failure: gai_strerror text
//   socket() on the first usable result                   none:    "unable to bind socket, errno: N"
//   IPV6_V6ONLY (IPv6 only)                               "setsockopt: <strerror>"
//   SO_REUSEADDR                                          "setsockopt SO_REUSEADDR: <strerror>"
//   bind()                                                "bind: <strerror>"
//   listen()                                              "listen: <strerror>"
//
// The errno of the failing step decides whether ListenTcp skips the address or gives up.
#include "net/socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ember::net {

namespace {

std::string Errno(const char* what, int err) {
  std::string m(what);
  m += ": ";
  m += std::strerror(err);
  return m;
}

// Opens one listener. On failure returns -1 with *msg set to Redis's text and *err to the errno of
// the failing step (0 when it was not a system call error).
int ListenOne(const std::string& addr, int port, int backlog, std::string* msg, int* err) {
  const bool v6 = addr.find(':') != std::string::npos;
  const char* host = addr.c_str();
  if (addr == "*" || (v6 && addr == "::*")) host = nullptr;

  addrinfo hints{};
  hints.ai_family = v6 ? AF_INET6 : AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* res = nullptr;
  const std::string port_str = std::to_string(port);
  int rv = getaddrinfo(host, port_str.c_str(), &hints, &res);
  if (rv != 0) {
    *err = rv == EAI_SYSTEM ? errno : 0;
    *msg = gai_strerror(rv);
    return -1;
  }
  int fd = -1;
  const addrinfo* p = res;
  for (; p != nullptr; p = p->ai_next) {
    fd = socket(p->ai_family, p->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, p->ai_protocol);
    if (fd >= 0) break;
  }
  if (fd < 0) {
    *err = errno;
    *msg = "unable to bind socket, errno: " + std::to_string(errno);
    freeaddrinfo(res);
    return -1;
  }
  int one = 1;
  const char* step = nullptr;
  if (v6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) != 0) {
    step = "setsockopt";
  } else if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0) {
    step = "setsockopt SO_REUSEADDR";
  } else if (bind(fd, p->ai_addr, p->ai_addrlen) != 0) {
    step = "bind";
  } else if (listen(fd, backlog) != 0) {
    step = "listen";
  }
  freeaddrinfo(res);
  if (step != nullptr) {
    *err = errno;
    *msg = Errno(step, errno);
    close(fd);
    return -1;
  }
  return fd;
}

// Formats a socket address; for AF_UNIX the path comes from getsockname(fd) when `sa` has none (the
// peer of an accepted Unix connection is unnamed; Redis shows the listening path for both ends).
bool FormatSockaddr(const sockaddr_storage& ss, socklen_t len, int fd, std::string* ip, int* port,
                    bool* is_unix) {
  char buf[INET6_ADDRSTRLEN];
  *is_unix = false;
  if (ss.ss_family == AF_INET) {
    const auto* s = reinterpret_cast<const sockaddr_in*>(&ss);
    if (inet_ntop(AF_INET, &s->sin_addr, buf, sizeof(buf)) == nullptr) return false;
    *ip = buf;
    *port = ntohs(s->sin_port);
    return true;
  }
  if (ss.ss_family == AF_INET6) {
    const auto* s = reinterpret_cast<const sockaddr_in6*>(&ss);
    if (inet_ntop(AF_INET6, &s->sin6_addr, buf, sizeof(buf)) == nullptr) return false;
    *ip = buf;
    *port = ntohs(s->sin6_port);
    return true;
  }
  if (ss.ss_family == AF_UNIX) {
    *is_unix = true;
    *port = 0;
    const auto* s = reinterpret_cast<const sockaddr_un*>(&ss);
    size_t plen = len > offsetof(sockaddr_un, sun_path) ? len - offsetof(sockaddr_un, sun_path) : 0;
    if (plen > 0 && s->sun_path[0] != '\0') {
      *ip = std::string(s->sun_path, strnlen(s->sun_path, plen));
      return true;
    }
    sockaddr_storage local{};
    socklen_t llen = sizeof(local);
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &llen) != 0) return false;
    const auto* l = reinterpret_cast<const sockaddr_un*>(&local);
    plen = llen > offsetof(sockaddr_un, sun_path) ? llen - offsetof(sockaddr_un, sun_path) : 0;
    *ip = std::string(l->sun_path, strnlen(l->sun_path, plen));
    return true;
  }
  return false;
}

Expected<std::string> NameOf(int fd, bool peer) {
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  int r = peer ? getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len)
               : getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  if (r != 0) return Status::FromErrno(peer ? "getpeername" : "getsockname", errno);
  std::string ip;
  int port;
  bool is_unix;
  if (!FormatSockaddr(ss, len, fd, &ip, &port, &is_unix)) {
    return Status::InvalidArgument("unsupported address family");
  }
  return FormatAddr(ip, port);
}

inline IoResult Done(ssize_t n) { return IoResult{IoResult::kOk, 0, static_cast<size_t>(n)}; }
inline IoResult Failed(int err) {
  if (err == EAGAIN || err == EWOULDBLOCK) return IoResult{IoResult::kAgain, 0, 0};
  return IoResult{IoResult::kError, err, 0};
}

}  // namespace

// ---------------------------------------------------------------------------------------------------
// Listening

Status ListenTcp(const std::vector<std::string>& bind, int port, int backlog, std::vector<int>* fds,
                 std::vector<std::string>* warnings) {
  fds->clear();
  for (const std::string& entry : bind) {
    const bool optional = !entry.empty() && entry[0] == '-';
    const std::string addr = optional ? entry.substr(1) : entry;
    std::string msg;
    int err = 0;
    int fd = ListenOne(addr, port, backlog, &msg, &err);
    if (fd >= 0) {
      fds->push_back(fd);
      continue;
    }
    std::string line = "Warning: Could not create server TCP listening socket " + addr + ":" +
                       std::to_string(port) + ": " + msg;
    if (warnings != nullptr) warnings->push_back(line);
    if (err == EADDRNOTAVAIL && optional) continue;
    if (err == ENOPROTOOPT || err == EPROTONOSUPPORT || err == ESOCKTNOSUPPORT ||
        err == EPFNOSUPPORT || err == EAFNOSUPPORT) {
      continue;
    }
    for (int f : *fds) close(f);
    fds->clear();
    if (warnings == nullptr) return Status::IOError(std::move(line));
    // The reason is in the warning just logged; Redis then ends with this line.
    return Status::IOError("Failed listening on port " + std::to_string(port) + " (tcp), aborting.");
  }
  return Status::OK();
}

Expected<int> ListenUnix(const std::string& path, mode_t perm, int backlog) {
  const std::string prefix = "Failed opening Unix socket: ";
  sockaddr_un sa{};
  if (path.size() > sizeof(sa.sun_path) - 1) {
    return Status::InvalidArgument(prefix + "unix socket path too long (" +
                                   std::to_string(path.size()) + "), must be under " +
                                   std::to_string(sizeof(sa.sun_path)));
  }
  unlink(path.c_str());  // a stale socket from a previous run; failure (ENOENT) does not matter
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return Status::IOError(prefix + Errno("creating socket", errno));
  sa.sun_family = AF_UNIX;
  std::memcpy(sa.sun_path, path.data(), path.size());
  const char* step = nullptr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0) {
    step = "bind";
  } else if (listen(fd, backlog) != 0) {
    step = "listen";
  }
  if (step != nullptr) {
    int err = errno;
    close(fd);
    return Status::IOError(prefix + Errno(step, err));
  }
  if (perm != 0) (void)chmod(path.c_str(), perm);  // Redis ignores a chmod failure too
  return fd;
}

// ---------------------------------------------------------------------------------------------------
// Accepting and connecting

IoResult Accept(int listen_fd, AcceptedConn* out) {
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  int fd;
  do {
    fd = accept4(listen_fd, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return Failed(errno);
  out->fd = fd;
  if (!FormatSockaddr(ss, len, fd, &out->ip, &out->port, &out->is_unix)) {
    out->ip.clear();
    out->port = 0;
  }
  out->addr = FormatAddr(out->ip, out->port);
  if (out->is_unix) {
    out->laddr = out->addr;
  } else {
    Expected<std::string> l = LocalAddr(fd);
    out->laddr = l.ok() ? std::move(*l) : std::string();
  }
  return IoResult{IoResult::kOk, 0, 0};
}

Expected<int> TcpConnect(std::string_view host, int port, bool nonblock) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const std::string h(host), p = std::to_string(port);
  int rv = getaddrinfo(h.c_str(), p.c_str(), &hints, &res);
  if (rv != 0) return Status::IOError(gai_strerror(rv));
  int last_err = 0;
  for (const addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0),
                    ai->ai_protocol);
    if (fd < 0) {
      last_err = errno;
      continue;
    }
    int r = connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (r != 0 && errno == EINTR && !nonblock) {
      // The connection goes on in the background: wait for it instead of calling connect again.
      pollfd pfd{fd, POLLOUT, 0};
      while (poll(&pfd, 1, -1) < 0 && errno == EINTR) {
      }
      int err = SocketError(fd);
      r = err == 0 ? 0 : -1;
      errno = err;
    }
    if (r == 0 || (nonblock && (errno == EINPROGRESS || errno == EINTR))) {
      freeaddrinfo(res);
      return fd;
    }
    last_err = errno;
    close(fd);
  }
  freeaddrinfo(res);
  return Status::FromErrno("connect", last_err);
}

Expected<int> UnixConnect(const std::string& path, bool nonblock) {
  sockaddr_un sa{};
  if (path.size() > sizeof(sa.sun_path) - 1) return Status::InvalidArgument("unix socket path too long");
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), 0);
  if (fd < 0) return Status::FromErrno("creating socket", errno);
  sa.sun_family = AF_UNIX;
  std::memcpy(sa.sun_path, path.data(), path.size());
  if (connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0 &&
      !(nonblock && errno == EINPROGRESS)) {
    int err = errno;
    close(fd);
    return Status::FromErrno("connect", err);
  }
  return fd;
}

int SocketError(int fd) {
  int err = 0;
  socklen_t len = sizeof(err);
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return errno;
  return err;
}

// ---------------------------------------------------------------------------------------------------
// Addresses

std::string FormatAddr(std::string_view ip, int port) {
  std::string s;
  s.reserve(ip.size() + 8);
  const bool v6 = ip.find(':') != std::string_view::npos;
  if (v6) s += '[';
  s += ip;
  if (v6) s += ']';
  s += ':';
  s += std::to_string(port);
  return s;
}

Expected<std::string> PeerAddr(int fd) { return NameOf(fd, true); }
Expected<std::string> LocalAddr(int fd) { return NameOf(fd, false); }

Expected<int> LocalPort(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) {
    return Status::FromErrno("getsockname", errno);
  }
  if (ss.ss_family == AF_INET) return static_cast<int>(ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port));
  if (ss.ss_family == AF_INET6) {
    return static_cast<int>(ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port));
  }
  return Status::InvalidArgument("not a TCP socket");
}

// ---------------------------------------------------------------------------------------------------
// Options

Status SetNonBlock(int fd, bool on) {
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0) return Status::FromErrno("fcntl(F_GETFL)", errno);
  int want = on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
  if (want != flags && fcntl(fd, F_SETFL, want) != 0) return Status::FromErrno("fcntl(F_SETFL)", errno);
  return Status::OK();
}

Status SetCloexec(int fd) {
  int flags = fcntl(fd, F_GETFD);
  if (flags < 0) return Status::FromErrno("fcntl(F_GETFD)", errno);
  if (!(flags & FD_CLOEXEC) && fcntl(fd, F_SETFD, flags | FD_CLOEXEC) != 0) {
    return Status::FromErrno("fcntl(F_SETFD)", errno);
  }
  return Status::OK();
}

Status SetNoDelay(int fd, bool on) {
  int v = on ? 1 : 0;
  if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, sizeof(v)) != 0) {
    return Status::FromErrno("setsockopt TCP_NODELAY", errno);
  }
  return Status::OK();
}

Status SetKeepAlive(int fd, int interval) {
  if (interval <= 0) return Status::InvalidArgument("keepalive interval must be positive");
  int yes = 1;
  if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &yes, sizeof(yes)) != 0) {
    return Status::FromErrno("setsockopt SO_KEEPALIVE", errno);
  }
  int idle = interval;
  int intvl = interval / 3 > 0 ? interval / 3 : 1;
  int cnt = 3;
  if (setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle)) != 0) {
    return Status::FromErrno("setsockopt TCP_KEEPIDLE", errno);
  }
  if (setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl)) != 0) {
    return Status::FromErrno("setsockopt TCP_KEEPINTVL", errno);
  }
  if (setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt)) != 0) {
    return Status::FromErrno("setsockopt TCP_KEEPCNT", errno);
  }
  return Status::OK();
}

// ---------------------------------------------------------------------------------------------------
// Non-blocking I/O

IoResult Read(int fd, void* buf, size_t len) {
  ssize_t n;
  do {
    n = read(fd, buf, len);
  } while (n < 0 && errno == EINTR);
  if (n > 0) return Done(n);
  if (n == 0) return IoResult{IoResult::kClosed, 0, 0};
  return Failed(errno);
}

IoResult Write(int fd, const void* buf, size_t len) {
  ssize_t n;
  do {
    n = send(fd, buf, len, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n < 0 && errno == ENOTSOCK) {  // a pipe or file: plain write (SIGPIPE is the caller's matter)
    do {
      n = write(fd, buf, len);
    } while (n < 0 && errno == EINTR);
  }
  if (n >= 0) return Done(n);
  return Failed(errno);
}

IoResult Writev(int fd, const struct iovec* iov, int iovcnt) {
  msghdr msg{};
  msg.msg_iov = const_cast<struct iovec*>(iov);
  msg.msg_iovlen = static_cast<size_t>(iovcnt);
  ssize_t n;
  do {
    n = sendmsg(fd, &msg, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n < 0 && errno == ENOTSOCK) {
    do {
      n = writev(fd, iov, iovcnt);
    } while (n < 0 && errno == EINTR);
  }
  if (n >= 0) return Done(n);
  return Failed(errno);
}

}  // namespace ember::net
