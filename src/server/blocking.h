// Blocking operations on keys (BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP, and BZPOPMIN BZPOPMAX BZMPOP):
// a client waits on a set of keys until a write makes one of them "ready" or its timeout fires.
//
//   per db:  key -> FIFO of blocked clients (arrival order)      keys_[dbid]["k"] = [c1, c2, ...]
//   client:  BlockState (keys and their FIFO positions, deadline, timer, the saved command)
//   ready:   (db, key) pairs queued by SignalKeyAsReady, each at most once until served
//
// The Redis 7.2 model is followed:
//   * A command that finds nothing to pop calls BlockForKeys(): the client gets kClientBlocked, its
//     arguments are copied, and it stops reading commands (its query buffer keeps what follows).
//   * A write that may wake someone (a key created as a list/zset) calls SignalKeyAsReady(); this is
//     O(1) and free when nobody is blocked.
//   * HandleReadyKeys() runs after every top-level command (so a pipelined "RPUSH l x; LPOP l" from
//     another client sees the blocked client served first, as in Redis) and in before-sleep. For each
//     ready key, every client blocked on it at that moment is taken in arrival order; if the key
//     exists with the type the client waits for, the client is unblocked and its command is run
//     again from the saved arguments (the command's own handler is the type-specific "serve"
//     function: it re-checks its keys, pops, replies, and may block again, keeping its deadline).
//     Keys made ready while serving (BLMOVE's destination) are handled in the same pass.
//   * Timeouts: one event-loop timer per blocked client with a deadline (ms precision). On expiry
//     the client gets the command's timeout reply (null array for pops, null for BLMOVE).
//   * A command counts in commandstats once: when it is served (the re-run goes through Call) or
//     when it times out; the call that blocked is not counted (Server::Call skips blocked clients).
//   * Unblocked clients resume processing their pending input in before-sleep.
//   * Inside MULTI/EXEC (kClientMulti) or with kClientDenyBlocking, commands must not block: they
//     reply as on timeout. CanBlock() tells them.
//
// Memory: per blocked client one BlockState (~200 B + argument copies); per blocked key one map node
// (key copy + list) and one list node per client.
// Thread safety: event-loop thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/object.h"
#include "net/event_loop.h"

namespace ember {

class Client;
class Server;
struct CommandSpec;
struct CommandContext;
namespace proto {
class ReplyBuilder;
}

// What a blocked client receives when its timeout fires (or on CLIENT UNBLOCK ... TIMEOUT). Redis
// 7.0/7.2 answer every list/zset/stream timeout with a null array (*-1, RESP3 _), BLMOVE and
// BRPOPLPUSH included; kNull ($-1) exists for commands that would need a null bulk.
enum class BlockTimeoutReply : uint8_t {
  kNullArray,
  kNull,
};

// Parses a blocking timeout in seconds (a float) as Redis's getTimeoutFromObjectOrReply: writes
// "ERR timeout is not a float or out of range" / "ERR timeout is negative" / "ERR timeout is out
// of range" to `reply` and returns false on bad input. *deadline_ms = 0 for "forever", else the
// absolute unix-ms deadline (now_ms + timeout).
bool ParseBlockTimeout(std::string_view arg, int64_t now_ms, int64_t* deadline_ms,
                       proto::ReplyBuilder* reply);

// Per-client state while blocked (Client::bstate).
struct BlockState {
  int dbid = 0;
  ObjType type = ObjType::kList;
  BlockTimeoutReply timeout_reply = BlockTimeoutReply::kNullArray;
  int64_t deadline_ms = 0;  // 0 = forever
  net::TimerId timer = 0;
  const CommandSpec* spec = nullptr;
  std::vector<std::string> argv;             // owned copy of the command
  std::vector<std::string_view> argv_views;  // views into argv
  struct KeyLink {
    std::string key;
    std::list<Client*>* fifo;
    std::list<Client*>::iterator pos;
  };
  std::vector<KeyLink> keys;
};

class Blocking {
 public:
  explicit Blocking(Server* server) : server_(server) {}
  ~Blocking();
  Blocking(const Blocking&) = delete;
  Blocking& operator=(const Blocking&) = delete;

  // Whether the running command may block (false inside MULTI/EXEC or with kClientDenyBlocking).
  static bool CanBlock(const Client* c);

  // Parks ctx.client on `keys` (duplicates ignored) until one of them exists with `type`, or until
  // deadline_ms (0 = forever). The caller has already checked CanBlock() and written no reply. When
  // called while re-running a served command, the original deadline is kept.
  void BlockForKeys(CommandContext& ctx, std::span<const std::string_view> keys, ObjType type,
                    int64_t deadline_ms, BlockTimeoutReply timeout_reply);

  // Redis's signalKeyAsReady: call after creating a key of a type clients may wait for.
  void SignalKeyAsReady(int dbid, std::string_view key) {
    if (blocked_count_ == 0) return;
    SignalSlow(dbid, key);
  }
  // Queues every key clients wait for in `dbid` (after SWAPDB / MOVE-like bulk changes).
  void SignalAllKeysInDb(int dbid);

  bool HasReadyKeys() const { return !ready_.empty(); }
  // Serves clients blocked on ready keys (see the file comment).
  void HandleReadyKeys();
  // Before-sleep work: ready keys, then pending input of clients unblocked since the last call.
  void BeforeSleep();

  // Removes c from every wait list and cancels its timer, without any reply (client freed).
  void Unblock(Client* c);
  // CLIENT UNBLOCK: replies as on timeout (or with "-UNBLOCKED client unblocked via CLIENT UNBLOCK"
  // when `error`), counts the call, and unblocks. False if c is not blocked.
  bool UnblockWithReply(Client* c, bool error);

  size_t BlockedClients() const { return blocked_count_; }
  // INFO total_blocking_keys: distinct (db, key) pairs with at least one blocked client.
  size_t TotalBlockingKeys() const { return total_keys_; }

 private:
  void SignalSlow(int dbid, std::string_view key);
  void Detach(Client* c);  // unlink from keys + timer, clear flag, keep nothing
  void FinishUnblocked(Client* c);
  static int64_t OnTimeout(net::EventLoop* loop, net::TimerId id, void* data);
  void ReplyTimeout(Client* c, BlockState* bs);
  std::unordered_map<std::string, std::list<Client*>>& DbKeys(int dbid);

  Server* server_;
  std::vector<std::unordered_map<std::string, std::list<Client*>>> keys_;  // by db index
  std::vector<std::pair<int, std::string>> ready_;
  std::unordered_set<std::string> ready_set_;  // "<db>\0<key>" for dedup
  std::vector<uint64_t> unblocked_;            // client ids with input to resume
  size_t blocked_count_ = 0;
  size_t total_keys_ = 0;
  // Set while a served command is re-run: BlockForKeys then keeps this deadline.
  bool reprocessing_ = false;
  int64_t reprocess_deadline_ = 0;
};

}  // namespace ember
