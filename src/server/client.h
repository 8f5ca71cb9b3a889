// A connected client: its socket, query buffer and parser, reply buffer, selected database,
// protocol version, authentication, transaction (MULTI/WATCH) and Pub/Sub state.
//
// Life cycle: created by the listener's accept handler; fed by the readable event (ReadFromSocket
// -> ProcessInput -> one Dispatch per parsed command); replies are written in the before-sleep
// hook (so a pipeline's replies leave in one write) and, if the socket is full, by a writable
// event. A client is freed at once when nothing references it, or scheduled (kCloseAsap) and freed
// in the before-sleep hook when it is inside a call chain.
//
// Memory: the query buffer, the parser's argument vectors and the reply chunks are all allocated
// through the accounting layer; MemoryUsage() is what CLIENT LIST reports as tot-mem and what
// maxmemory-clients compares.
//
// Thread safety: event-loop thread only.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "proto/reply_builder.h"
#include "proto/request_parser.h"

namespace ember {

class Server;
class Database;
struct BlockState;
struct CommandSpec;

enum ClientFlag : uint32_t {
  kClientMulti = 1u << 0,
  kClientDirtyCas = 1u << 1,     // a watched key changed: EXEC fails
  kClientDirtyExec = 1u << 2,    // an error while queueing: EXEC aborts
  kClientCloseAfterReply = 1u << 3,
  kClientCloseAsap = 1u << 4,
  kClientPubsub = 1u << 5,       // subscribed to something (RESP2 restricts commands)
  kClientNoEvict = 1u << 6,
  kClientUnixSocket = 1u << 7,
  kClientPendingWrite = 1u << 8,  // queued in the server's pending-write list
  kClientInCall = 1u << 9,        // a command of this client is running: do not free now
  kClientFake = 1u << 10,         // no socket (AOF loading, tests)
  kClientBlocked = 1u << 11,      // waiting in a blocking command (server/blocking.h)
  kClientDenyBlocking = 1u << 12,  // blocking commands must not block (scripts; MULTI implies it)
  kClientAofWait = 1u << 13,      // parked until the AOF is durable up to aof_wait_offset
};

// Redis's client types (CLIENT LIST TYPE, CLIENT KILL TYPE, client-output-buffer-limit classes).
enum class ClientType { kNormal = 0, kReplica = 1, kPubsub = 2, kMaster = 3 };

// One WATCHed key of a client. `expired` is set when the key already existed but was logically
// expired at WATCH time: its later deletion is then not a modification (Redis 7 semantics).
struct WatchedKey {
  int db;
  std::string key;
  bool expired;
};

// The query buffer: bytes read from the socket and not yet parsed. A plain accounted byte buffer
// rather than a std::string, so that reading into it does not first zero-fill the space the read
// is about to overwrite (resize() does, 16 KB per read).
class QueryBuffer {
 public:
  QueryBuffer() = default;
  ~QueryBuffer() { Release(); }
  QueryBuffer(const QueryBuffer&) = delete;
  QueryBuffer& operator=(const QueryBuffer&) = delete;

  const char* data() const { return data_; }
  size_t size() const { return len_; }
  size_t capacity() const { return cap_; }
  bool empty() const { return len_ == 0; }
  // Room for `n` more bytes; returns where to write them. Commit what was written.
  char* PrepareWrite(size_t n);
  void CommitWrite(size_t n) { len_ += n; }
  // Drops the first `n` bytes.
  void Consume(size_t n);
  void Release();

 private:
  char* data_ = nullptr;
  size_t len_ = 0;
  size_t cap_ = 0;
};

class Client {
 public:
  Client(Server* server, int fd, uint64_t id, std::string addr, std::string laddr, bool unix_socket);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Reads what the socket has (bounded per call) and processes every complete command.
  void OnReadable();
  // Writes pending replies; returns false if the client was closed because of a write error.
  bool WritePending();
  // Parses and dispatches every complete command in the query buffer.
  void ProcessInput();

  size_t QueryBufferBytes() const { return querybuf_.size() - qpos_; }
  size_t QueryBufferAllocated() const { return querybuf_.capacity(); }
  // The query buffer's allocation (may be null), for a fork child that releases its pages.
  const void* QueryBufferData() const { return querybuf_.data(); }
  size_t OutputBytes() const { return reply.PendingBytes(); }
  // Bytes this client holds: query buffer, reply chunks, argument vectors, MULTI queue.
  size_t MemoryUsage() const;
  bool HasFlag(ClientFlag f) const { return flags & f; }

  // CLIENT LIST / CLIENT INFO line (without the trailing newline): Redis 7.2's fields in its order,
  // "id addr laddr fd name age idle flags db sub psub ssub multi qbuf qbuf-free argv-mem multi-mem
  // rbs rbp obl oll omem tot-mem events cmd user redir resp lib-name lib-ver".
  std::string InfoLine(int64_t now_ms) const;
  // Redis's getClientType(): pubsub when subscribed to anything (flag kClientPubsub), else normal.
  ClientType Type() const {
    return (flags & kClientPubsub) ? ClientType::kPubsub : ClientType::kNormal;
  }
  // Channels + patterns this client is subscribed to (the count SUBSCRIBE replies carry).
  size_t SubscriptionCount() const { return channels.size() + patterns.size(); }
  std::string FlagsString() const;
  // "id=... addr=... laddr=... name=..." short form used in log lines.
  std::string Describe() const;

  void SelectDb(int index);

  // ---- public state, owned by the server's command code ----
  Server* server;
  int fd;
  uint64_t id;
  std::string addr;
  std::string laddr;
  std::string name;
  std::string lib_name, lib_ver;
  uint32_t flags = 0;
  int db_index = 0;
  Database* db = nullptr;
  int resp = 2;
  bool authenticated = false;
  int64_t ctime_ms = 0;
  int64_t last_interaction_ms = 0;
  // Full name of the last command looked up for this client ("client|info"), "NULL" when unknown;
  // set by the dispatcher before the handler runs, as Redis's c->lastcmd.
  std::string last_cmd = "NULL";
  // Argument bytes of the command being run (CLIENT LIST argv-mem); set by the dispatcher.
  size_t argv_mem = 0;
  proto::ReplyBuilder reply;
  proto::RequestParser parser;
  // appendfsync always: the replies written so far go out once the AOF is durable up to here
  // (a global AOF offset; 0 = nothing to wait for).
  uint64_t aof_wait_offset = 0;

  // Output-buffer soft limit: when it was first exceeded (0 = not exceeded).
  int64_t obuf_soft_limit_reached_time = 0;
  uint64_t net_input_bytes = 0;
  uint64_t net_output_bytes = 0;
  uint64_t commands_processed = 0;
  // MemoryUsage() as last added to the server's clients total (maxmemory-clients).
  size_t mem_accounted = 0;

  // MULTI queue: commands with owned copies of their arguments.
  struct QueuedCommand {
    const CommandSpec* spec;
    std::vector<std::string> args;
  };
  std::vector<QueuedCommand> mstate;
  // WATCHed keys, in WATCH order.
  std::vector<WatchedKey> watched_keys;
  // Set while blocked (kClientBlocked); owned by Server::blocking().
  BlockState* bstate = nullptr;
  // Pub/Sub subscriptions.
  std::unordered_set<std::string> channels;
  std::unordered_set<std::string> patterns;

 private:
  friend class Server;
  void CompactQueryBuffer();

  QueryBuffer querybuf_;
  size_t qpos_ = 0;
  size_t querybuf_peak_ = 0;
};

}  // namespace ember
