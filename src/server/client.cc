// Client I/O: reading the query buffer, feeding the parser, writing replies. See client.h.
#include "server/client.h"

#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <algorithm>
#include <cstring>

#include "base/log.h"
#include "base/time.h"
#include "memory/alloc.h"
#include "server/server.h"

namespace ember {

namespace {
constexpr size_t kIoBufLen = 16 * 1024;      // PROTO_IOBUF_LEN
constexpr size_t kMaxWritePerEvent = 64 * 1024 * 1024;  // NET_MAX_WRITES_PER_EVENT

// printf into a std::string of the exact length (client names and addresses have no fixed bound).
__attribute__((format(printf, 1, 2))) std::string FormatString(const char* fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  int n = std::vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  if (n < 0) return std::string();
  if (static_cast<size_t>(n) < sizeof(buf)) return std::string(buf, static_cast<size_t>(n));
  std::string out(static_cast<size_t>(n) + 1, '\0');
  va_start(ap, fmt);
  std::vsnprintf(out.data(), out.size(), fmt, ap);
  va_end(ap);
  out.resize(static_cast<size_t>(n));
  return out;
}
}  // namespace

char* QueryBuffer::PrepareWrite(size_t n) {
  if (cap_ - len_ < n) {
    size_t want = len_ + n;
    if (want < cap_ * 2) want = cap_ * 2;
    data_ = static_cast<char*>(mem::Reallocate(data_, want));
    cap_ = mem::UsableSize(data_);
  }
  return data_ + len_;
}

void QueryBuffer::Consume(size_t n) {
  if (n >= len_) {
    len_ = 0;
    return;
  }
  std::memmove(data_, data_ + n, len_ - n);
  len_ -= n;
}

void QueryBuffer::Release() {
  mem::Free(data_);
  data_ = nullptr;
  len_ = cap_ = 0;
}

Client::Client(Server* s, int fd_, uint64_t id_, std::string addr_, std::string laddr_, bool unix)
    : server(s), fd(fd_), id(id_), addr(std::move(addr_)), laddr(std::move(laddr_)) {
  if (unix) flags |= kClientUnixSocket;
  ctime_ms = last_interaction_ms = UnixMs();
}

Client::~Client() = default;

void Client::SelectDb(int index) {
  db_index = index;
  db = &server->db(index);
}

size_t Client::MemoryUsage() const {
  size_t n = querybuf_.capacity() + reply.AllocatedBytes() + sizeof(Client);
  for (const auto& q : mstate) {
    for (const auto& a : q.args) n += a.capacity() + sizeof(std::string);
  }
  return n;
}

void Client::CompactQueryBuffer() {
  if (qpos_ == 0) return;
  querybuf_.Consume(qpos_);
  qpos_ = 0;
  // Give back a big buffer once it is idle (Redis's query-buffer resize).
  if (querybuf_.empty() && querybuf_.capacity() > 32 * 1024) querybuf_.Release();
}

void Client::OnReadable() {
  const ServerConfig& cfg = server->cfg();
  size_t readlen = kIoBufLen;
  // A big bulk in progress: read the rest of it in one go, as Redis does for PROTO_MBULK_BIG_ARG.
  size_t need = parser.BytesNeeded();
  if (need > readlen) readlen = need;
  char* dst = querybuf_.PrepareWrite(readlen);
  ssize_t n = read(fd, dst, readlen);
  if (n <= 0) {
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n < 0) {
      LOG_VERBOSE("Reading from client: %s", std::strerror(errno));
    } else {
      LOG_VERBOSE("Client closed connection %s", Describe().c_str());
    }
    server->CloseClient(this);
    return;
  }
  querybuf_.CommitWrite(static_cast<size_t>(n));
  net_input_bytes += static_cast<uint64_t>(n);
  server->stats.total_net_input_bytes += static_cast<uint64_t>(n);
  server->stats.total_reads_processed++;
  last_interaction_ms = server->cmd_time_ms;
  if (querybuf_.size() > querybuf_peak_) querybuf_peak_ = querybuf_.size();

  if (QueryBufferBytes() > cfg.client_query_buffer_limit) {
    std::string head(querybuf_.data() + qpos_, std::min<size_t>(64, QueryBufferBytes()));
    for (auto& ch : head) {
      if (ch < 32 || ch > 126) ch = '?';
    }
    LOG_WARNING("Closing client that reached max query buffer length: %s (qbuf initial bytes: \"%s\")",
                Describe().c_str(), head.c_str());
    server->stats.client_query_buffer_limit_disconnections++;
    server->CloseClient(this);
    return;
  }
  ProcessInput();
}

void Client::ProcessInput() {
  const ServerConfig& cfg = server->cfg();
  proto::ParseLimits limits;
  limits.max_bulk_len = cfg.proto_max_bulk_len;
  limits.auth_required = !authenticated && !cfg.requirepass.empty();
  flags |= kClientInCall;
  while (!(flags & (kClientCloseAfterReply | kClientCloseAsap | kClientBlocked)) &&
         qpos_ < querybuf_.size()) {
    std::string_view buf(querybuf_.data() + qpos_, querybuf_.size() - qpos_);
    auto res = parser.Parse(buf, limits);
    if (res.state == proto::RequestParser::State::kNeedMore) {
      // Empty requests skipped before the partial one (blank lines, *0) are dropped now: the
      // parser's offsets into the partial request count from after them.
      qpos_ += res.consumed;
      break;
    }
    if (res.state == proto::RequestParser::State::kError) {
      reply.Error(parser.ErrorText());
      LOG_VERBOSE("Protocol error (%.*s) from client: %s", static_cast<int>(parser.ErrorText().size()),
                  parser.ErrorText().data(), Describe().c_str());
      flags |= kClientCloseAfterReply;
      qpos_ = querybuf_.size();
      server->MarkPendingWrite(this);
      break;
    }
    auto args = parser.Args();
    if (!args.empty()) {
      server->Dispatch(this, args);
      limits.auth_required = !authenticated && !cfg.requirepass.empty();
    }
    qpos_ += res.consumed;
  }
  flags &= ~kClientInCall;
  CompactQueryBuffer();
  if (!reply.Empty()) server->MarkPendingWrite(this);
  if (flags & kClientCloseAsap) server->CloseClientAsync(this);
}

bool Client::WritePending() {
  size_t total = 0;
  while (!reply.Empty()) {
    struct iovec iov[16];
    size_t cnt = reply.Peek(iov, 16);
    // One chunk (the common case) goes through write(), as Redis does; writev is for several
    // (its iovec import is work a single buffer does not need; no difference showed at -P 1).
    ssize_t n = cnt == 1 ? write(fd, iov[0].iov_base, iov[0].iov_len)
                         : writev(fd, iov, static_cast<int>(cnt));
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) break;
      LOG_VERBOSE("Error writing to client: %s", std::strerror(errno));
      server->CloseClient(this);
      return false;
    }
    reply.Consume(static_cast<size_t>(n));
    total += static_cast<size_t>(n);
    net_output_bytes += static_cast<uint64_t>(n);
    server->stats.total_net_output_bytes += static_cast<uint64_t>(n);
    if (total >= kMaxWritePerEvent) break;
  }
  server->stats.total_writes_processed++;
  if (total > 0) last_interaction_ms = server->cmd_time_ms;
  if (reply.Empty()) {
    reply.ReleaseIdleMemory();
    if (flags & kClientCloseAfterReply) {
      server->CloseClient(this);
      return false;
    }
  }
  return true;
}

std::string Client::FlagsString() const {
  // Redis's letters, in Redis's order (getClientInfoString).
  std::string f;
  if (flags & kClientPubsub) f += 'P';
  if (flags & kClientMulti) f += 'x';
  if (flags & kClientBlocked) f += 'b';
  if (flags & kClientDirtyCas) f += 'd';
  if (flags & kClientCloseAfterReply) f += 'c';
  if (flags & kClientCloseAsap) f += 'A';
  if (flags & kClientUnixSocket) f += 'U';
  if (flags & kClientNoEvict) f += 'e';
  if (f.empty()) f = "N";
  return f;
}

std::string Client::Describe() const {
  return "id=" + std::to_string(id) + " addr=" + addr + " laddr=" + laddr + " fd=" +
         std::to_string(fd) + " name=" + name;
}

std::string Client::InfoLine(int64_t now_ms) const {
  int multi = (flags & kClientMulti) ? static_cast<int>(mstate.size()) : -1;
  size_t multi_mem = 0;
  for (const auto& q : mstate) {
    for (const auto& a : q.args) multi_mem += a.size();
  }
  size_t qbuf = QueryBufferBytes();
  size_t qbuf_free = querybuf_.capacity() - querybuf_.size();
  size_t omem = reply.AllocatedBytes();
  const char* ev = reply.Empty() ? "r" : "rw";
  return FormatString(
      "id=%llu addr=%s laddr=%s fd=%d name=%s age=%lld idle=%lld flags=%s db=%d sub=%zu psub=%zu "
      "ssub=0 multi=%d qbuf=%zu qbuf-free=%zu argv-mem=%zu multi-mem=%zu rbs=%zu rbp=%zu obl=%zu "
      "oll=%zu omem=%zu tot-mem=%zu events=%s cmd=%s user=default redir=-1 resp=%d "
      "lib-name=%s lib-ver=%s",
      static_cast<unsigned long long>(id), addr.c_str(), laddr.c_str(), fd, name.c_str(),
      static_cast<long long>((now_ms - ctime_ms) / 1000),
      static_cast<long long>((now_ms - last_interaction_ms) / 1000), FlagsString().c_str(),
      db_index, channels.size(), patterns.size(), multi, qbuf, qbuf_free, argv_mem, multi_mem,
      omem, omem, reply.PendingBytes(), static_cast<size_t>(0), omem, MemoryUsage(), ev,
      last_cmd.c_str(), resp, lib_name.c_str(), lib_ver.c_str());
}

}  // namespace ember
