// Connection, transaction and Pub/Sub commands run through Server::Dispatch with socket-less
// (fake) clients: exact reply bytes (RESP2 and RESP3), the state each command leaves behind, and a
// randomized Pub/Sub run against a reference model of who is subscribed to what.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "base/strutil.h"
#include "base/time.h"
#include "core/object.h"
#include "server/client.h"
#include "server/config.h"
#include "server/server.h"

namespace ember {
namespace {

class CommandsFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ember-conn-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    // No TCP listener: one unix socket in a private directory is enough for Init().
    ASSERT_TRUE(config_.LoadFromString("port 0\nunixsocket " + dir_ + "/s.sock\n").ok());
    server_ = std::make_unique<Server>(&config_);
    ASSERT_TRUE(server_->Init().ok());
  }
  void TearDown() override {
    for (auto& c : clients_) {
      server_->UnwatchAll(c.get());
      server_->PubsubUnsubscribeAll(c.get(), false);
    }
    clients_.clear();
    server_.reset();
    unlink((dir_ + "/s.sock").c_str());
    rmdir(dir_.c_str());
  }

  Client* NewClient() {
    uint64_t id = next_id_++;
    auto c = std::make_unique<Client>(server_.get(), -1, id, "127.0.0.1:4000" + std::to_string(id),
                                      "127.0.0.1:6379", false);
    c->flags |= kClientFake;
    c->SelectDb(0);
    c->authenticated = server_->cfg().requirepass.empty();
    clients_.push_back(std::move(c));
    return clients_.back().get();
  }

  // Runs one command and returns every byte the client received since the last call.
  std::string Run(Client* c, std::vector<std::string> args) {
    std::vector<std::string_view> v(args.begin(), args.end());
    server_->Dispatch(c, v);
    return c->reply.TakeAll();
  }

  void SetKey(int dbid, const std::string& key, int64_t expire_ms = 0) {
    Database& d = server_->db(dbid);
    Record* r = d.Set(key, ValueInit::FromString("v"));
    if (expire_ms) d.SetExpire(r, expire_ms);
  }

  Config config_;
  std::string dir_;
  std::unique_ptr<Server> server_;
  std::vector<std::unique_ptr<Client>> clients_;
  uint64_t next_id_ = 100;
};

std::string Push3(const std::string& kind, const std::string& name, int64_t n, bool resp3 = false) {
  return std::string(resp3 ? ">3\r\n" : "*3\r\n") + "$" + std::to_string(kind.size()) + "\r\n" +
         kind + "\r\n$" + std::to_string(name.size()) + "\r\n" + name + "\r\n:" +
         std::to_string(n) + "\r\n";
}

// ---- connection -------------------------------------------------------------------------------

TEST_F(CommandsFixture, PingRepliesPongOrEchoesAndHasPubsubShapeForResp2Subscribers) {
  Client* c = NewClient();
  EXPECT_EQ(Run(c, {"PING"}), "+PONG\r\n");
  EXPECT_EQ(Run(c, {"ping", "hi"}), "$2\r\nhi\r\n");
  EXPECT_EQ(Run(c, {"PING", "a", "b"}), "-ERR wrong number of arguments for 'ping' command\r\n");
  Run(c, {"SUBSCRIBE", "ch"});
  EXPECT_EQ(Run(c, {"PING"}), "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
  EXPECT_EQ(Run(c, {"PING", "m"}), "*2\r\n$4\r\npong\r\n$1\r\nm\r\n");
  Client* r3 = NewClient();
  Run(r3, {"HELLO", "3"});
  Run(r3, {"SUBSCRIBE", "ch"});
  EXPECT_EQ(Run(r3, {"PING"}), "+PONG\r\n");
}

TEST_F(CommandsFixture, SelectValidatesIndexAndKeepsDbOnError) {
  Client* c = NewClient();
  EXPECT_EQ(Run(c, {"SELECT", "15"}), "+OK\r\n");
  EXPECT_EQ(c->db_index, 15);
  EXPECT_EQ(c->db, &server_->db(15));
  EXPECT_EQ(Run(c, {"SELECT", "16"}), "-ERR DB index is out of range\r\n");
  EXPECT_EQ(Run(c, {"SELECT", "-1"}), "-ERR DB index is out of range\r\n");
  EXPECT_EQ(Run(c, {"SELECT", "01"}), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(Run(c, {"SELECT", "1.5"}), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(Run(c, {"SELECT", "99999999999"}),
            "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n");
  EXPECT_EQ(c->db_index, 15);
}

TEST_F(CommandsFixture, EchoAndQuit) {
  Client* c = NewClient();
  EXPECT_EQ(Run(c, {"ECHO", std::string("a\0b", 3)}), std::string("$3\r\na\0b\r\n", 9));
  EXPECT_EQ(Run(c, {"QUIT", "extra"}), "+OK\r\n");
  EXPECT_TRUE(c->HasFlag(kClientCloseAfterReply));
}

TEST_F(CommandsFixture, HelloReplyAndProtocolSwitch) {
  Client* c = NewClient();
  std::string id = std::to_string(c->id);
  std::string body = "$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$5\r\n7.2.4\r\n$5\r\nproto\r\n:3\r\n"
                     "$2\r\nid\r\n:" + id + "\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n"
                     "$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n";
  EXPECT_EQ(Run(c, {"HELLO", "3"}), "%7\r\n" + body);
  EXPECT_EQ(c->resp, 3);
  EXPECT_EQ(Run(c, {"CLIENT", "GETNAME"}), "_\r\n");
  std::string r2 = Run(c, {"HELLO", "2"});
  EXPECT_EQ(r2.substr(0, 5), "*14\r\n");
  EXPECT_EQ(Run(c, {"CLIENT", "GETNAME"}), "$-1\r\n");
  // Errors leave the protocol alone.
  EXPECT_EQ(Run(c, {"HELLO", "4"}), "-NOPROTO unsupported protocol version\r\n");
  EXPECT_EQ(Run(c, {"HELLO", "x"}), "-ERR Protocol version is not an integer or out of range\r\n");
  EXPECT_EQ(Run(c, {"HELLO", "3", "SETNAME", "a b"}),
            "-ERR Client names cannot contain spaces, newlines or special characters.\r\n");
  EXPECT_EQ(Run(c, {"HELLO", "3", "AUTH", "default"}),
            "-ERR Syntax error in HELLO option 'AUTH'\r\n");
  EXPECT_EQ(Run(c, {"HELLO", "3", "AUTH", "nobody", "x"}),
            "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  EXPECT_EQ(c->resp, 2);
  std::string named = Run(c, {"HELLO", "3", "AUTH", "default", "any", "SETNAME", "n1"});
  EXPECT_EQ(named.substr(0, 4), "%7\r\n");
  EXPECT_EQ(c->name, "n1");
}

TEST_F(CommandsFixture, AuthWithRequirepassAndResetDeauthenticates) {
  Client* before = NewClient();  // connected while no password was set: stays authenticated
  ASSERT_TRUE(config_.SetOne("requirepass", "pw").ok());
  Client* c = NewClient();
  EXPECT_EQ(Run(before, {"PING"}), "+PONG\r\n");
  EXPECT_EQ(Run(c, {"PING"}), "-NOAUTH Authentication required.\r\n");
  EXPECT_EQ(Run(c, {"NOPE"}), "-ERR unknown command 'NOPE', with args beginning with: \r\n");
  EXPECT_EQ(Run(c, {"HELLO", "3"}),
            "-NOAUTH HELLO must be called with the client already authenticated, otherwise the "
            "HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and "
            "select the RESP protocol version at the same time\r\n");
  EXPECT_EQ(Run(c, {"AUTH", "bad"}),
            "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  EXPECT_EQ(Run(c, {"AUTH", "default", "pwx"}),
            "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  EXPECT_EQ(Run(c, {"AUTH", "other", "pw"}),
            "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  EXPECT_EQ(Run(c, {"AUTH", "a", "b", "c"}), "-ERR syntax error\r\n");
  EXPECT_EQ(Run(c, {"AUTH", "pw"}), "+OK\r\n");
  EXPECT_EQ(Run(c, {"PING"}), "+PONG\r\n");
  EXPECT_EQ(Run(c, {"RESET"}), "+RESET\r\n");
  EXPECT_EQ(Run(c, {"PING"}), "-NOAUTH Authentication required.\r\n");
  EXPECT_EQ(Run(c, {"AUTH", "default", "pw"}), "+OK\r\n");
  ASSERT_TRUE(config_.SetOne("requirepass", "").ok());
  EXPECT_EQ(Run(c, {"AUTH", "x"}),
            "-ERR AUTH <password> called without any password configured for the default user. "
            "Are you sure your configuration is correct?\r\n");
}

TEST_F(CommandsFixture, ResetRestoresConnectionDefaults) {
  Client* c = NewClient();
  SetKey(0, "k");
  Run(c, {"SELECT", "5"});
  Run(c, {"CLIENT", "SETNAME", "x"});
  Run(c, {"CLIENT", "SETINFO", "lib-name", "redis-py"});
  Run(c, {"CLIENT", "NO-EVICT", "on"});
  Run(c, {"HELLO", "3"});
  Run(c, {"WATCH", "k"});
  Run(c, {"SUBSCRIBE", "a"});
  Run(c, {"PSUBSCRIBE", "b*"});
  Run(c, {"MULTI"});
  EXPECT_EQ(Run(c, {"RESET"}), "+RESET\r\n");
  EXPECT_EQ(c->db_index, 0);
  EXPECT_EQ(c->resp, 2);
  EXPECT_EQ(c->reply.Protocol(), 2);
  EXPECT_EQ(c->name, "");
  EXPECT_EQ(c->lib_name, "redis-py");  // kept, as Redis keeps it
  EXPECT_EQ(c->flags & (kClientMulti | kClientPubsub | kClientNoEvict | kClientDirtyCas), 0u);
  EXPECT_TRUE(c->watched_keys.empty());
  EXPECT_TRUE(c->mstate.empty());
  EXPECT_EQ(c->SubscriptionCount(), 0u);
  EXPECT_TRUE(server_->pubsub_channels().empty());
  EXPECT_TRUE(server_->pubsub_patterns().empty());
  EXPECT_EQ(Run(c, {"EXEC"}), "-ERR EXEC without MULTI\r\n");
}

TEST_F(CommandsFixture, ClientSubcommandsValidateNamesAndOptions) {
  Client* c = NewClient();
  EXPECT_EQ(Run(c, {"CLIENT", "ID"}), ":" + std::to_string(c->id) + "\r\n");
  EXPECT_EQ(Run(c, {"CLIENT", "GETNAME"}), "$-1\r\n");
  EXPECT_EQ(Run(c, {"CLIENT", "SETNAME", "w-1"}), "+OK\r\n");
  for (std::string bad : std::vector<std::string>{"a b", "a\nb", "caf\xe9", "\x7f"}) {
    EXPECT_EQ(Run(c, {"CLIENT", "SETNAME", bad}),
              "-ERR Client names cannot contain spaces, newlines or special characters.\r\n");
  }
  EXPECT_EQ(Run(c, {"CLIENT", "GETNAME"}), "$3\r\nw-1\r\n");
  EXPECT_EQ(Run(c, {"CLIENT", "SETNAME", ""}), "+OK\r\n");
  EXPECT_EQ(Run(c, {"CLIENT", "GETNAME"}), "$-1\r\n");
  EXPECT_EQ(Run(c, {"CLIENT", "SETINFO", "LIB-VER", "1.0"}), "+OK\r\n");
  EXPECT_EQ(c->lib_ver, "1.0");
  EXPECT_EQ(Run(c, {"CLIENT", "SETINFO", "lib-foo", "1"}), "-ERR Unrecognized option 'lib-foo'\r\n");
  EXPECT_EQ(Run(c, {"CLIENT", "SETINFO", "lib-name", "a b"}),
            "-ERR lib-name cannot contain spaces, newlines or special characters.\r\n");
  EXPECT_EQ(Run(c, {"CLIENT", "NO-EVICT", "maybe"}), "-ERR syntax error\r\n");
  EXPECT_EQ(Run(c, {"client", "foo"}), "-ERR unknown subcommand 'foo'. Try CLIENT HELP.\r\n");
  EXPECT_EQ(Run(c, {"CLIENT"}), "-ERR wrong number of arguments for 'client' command\r\n");
  EXPECT_EQ(Run(c, {"CLIENT", "KILL"}),
            "-ERR wrong number of arguments for 'client|kill' command\r\n");
  EXPECT_EQ(Run(c, {"CLIENT", "KILL", "ID", "0"}), "-ERR client-id should be greater than 0\r\n");
  EXPECT_EQ(Run(c, {"CLIENT", "KILL", "USER", "bob"}), "-ERR No such user 'bob'\r\n");
  EXPECT_EQ(Run(c, {"CLIENT", "KILL", "TYPE", "x"}), "-ERR Unknown client type 'x'\r\n");
  EXPECT_EQ(Run(c, {"CLIENT", "KILL", "ID", "1", "SKIPME"}), "-ERR syntax error\r\n");
  EXPECT_EQ(Run(c, {"CLIENT", "KILL", "1.2.3.4:5"}), "-ERR No such client\r\n");
  EXPECT_EQ(Run(c, {"CLIENT", "KILL", "ADDR", "1.2.3.4:5"}), ":0\r\n");
  EXPECT_EQ(Run(c, {"CLIENT", "LIST", "TYPE", "foo"}), "-ERR Unknown client type 'foo'\r\n");
  EXPECT_EQ(Run(c, {"CLIENT", "LIST", "ID", "x"}), "-ERR Invalid client ID\r\n");
  EXPECT_EQ(Run(c, {"CLIENT", "LIST", "foo"}), "-ERR syntax error\r\n");
  std::string help = Run(c, {"CLIENT", "HELP"});
  EXPECT_NE(help.find("+HELP\r\n+    Prints this help.\r\n"), std::string::npos);
  EXPECT_EQ(help.substr(0, 71),
            "*54\r\n+CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n");
}

TEST_F(CommandsFixture, ClientInfoLineHasRedis72FieldsInOrder) {
  Client* c = NewClient();
  Run(c, {"CLIENT", "SETNAME", "me"});
  Run(c, {"SELECT", "2"});
  std::string reply = Run(c, {"CLIENT", "INFO"});
  size_t body = reply.find("\r\n") + 2;
  std::string line = reply.substr(body, reply.size() - body - 2);
  ASSERT_EQ(line.back(), '\n');
  std::vector<std::string> names;
  std::map<std::string, std::string> fields;
  size_t pos = 0;
  line.pop_back();
  while (pos <= line.size()) {
    size_t sp = line.find(' ', pos);
    if (sp == std::string::npos) sp = line.size();
    std::string part = line.substr(pos, sp - pos);
    size_t eq = part.find('=');
    names.push_back(part.substr(0, eq));
    fields[part.substr(0, eq)] = part.substr(eq + 1);
    pos = sp + 1;
  }
  std::vector<std::string> want = {
      "id",   "addr",  "laddr",  "fd",   "name",      "age",      "idle",      "flags",
      "db",   "sub",   "psub",   "ssub", "multi",     "qbuf",     "qbuf-free", "argv-mem",
      "multi-mem", "rbs", "rbp", "obl",  "oll",       "omem",     "tot-mem",   "events",
      "cmd",  "user",  "redir",  "resp", "lib-name",  "lib-ver"};
  EXPECT_EQ(names, want);
  EXPECT_EQ(fields["name"], "me");
  EXPECT_EQ(fields["db"], "2");
  EXPECT_EQ(fields["cmd"], "client|info");
  EXPECT_EQ(fields["flags"], "N");
  EXPECT_EQ(fields["multi"], "-1");
  EXPECT_EQ(fields["argv-mem"], "10");  // "CLIENT" + "INFO"
  Run(c, {"CLIENT", "NO-EVICT", "on"});
  Run(c, {"HELLO", "3"});
  Run(c, {"SUBSCRIBE", "x"});
  Run(c, {"MULTI"});
  EXPECT_EQ(c->FlagsString(), "Pxe");
  c->flags |= kClientDirtyCas | kClientCloseAfterReply | kClientCloseAsap | kClientUnixSocket;
  EXPECT_EQ(c->FlagsString(), "PxdcAUe");
}

// ---- transactions -----------------------------------------------------------------------------

TEST_F(CommandsFixture, MultiQueuesAndExecRepliesInOrder) {
  Client* c = NewClient();
  EXPECT_EQ(Run(c, {"EXEC"}), "-ERR EXEC without MULTI\r\n");
  EXPECT_EQ(Run(c, {"DISCARD"}), "-ERR DISCARD without MULTI\r\n");
  EXPECT_EQ(Run(c, {"MULTI"}), "+OK\r\n");
  EXPECT_EQ(Run(c, {"MULTI"}), "-ERR MULTI calls can not be nested\r\n");
  EXPECT_EQ(Run(c, {"WATCH", "k"}), "-ERR WATCH inside MULTI is not allowed\r\n");
  EXPECT_EQ(Run(c, {"PING"}), "+QUEUED\r\n");
  EXPECT_EQ(Run(c, {"ECHO", "x"}), "+QUEUED\r\n");
  EXPECT_EQ(Run(c, {"SELECT", "3"}), "+QUEUED\r\n");
  EXPECT_EQ(Run(c, {"SELECT", "99"}), "+QUEUED\r\n");  // fails only when run
  EXPECT_EQ(c->db_index, 0);
  EXPECT_EQ(Run(c, {"EXEC"}),
            "*4\r\n+PONG\r\n$1\r\nx\r\n+OK\r\n-ERR DB index is out of range\r\n");
  EXPECT_EQ(c->db_index, 3);
  EXPECT_FALSE(c->HasFlag(kClientMulti));
  EXPECT_EQ(Run(c, {"MULTI"}), "+OK\r\n");
  EXPECT_EQ(Run(c, {"EXEC"}), "*0\r\n");
  EXPECT_EQ(Run(c, {"MULTI"}), "+OK\r\n");
  EXPECT_EQ(Run(c, {"PING"}), "+QUEUED\r\n");
  EXPECT_EQ(Run(c, {"DISCARD"}), "+OK\r\n");
  EXPECT_TRUE(c->mstate.empty());
  EXPECT_EQ(Run(c, {"EXEC"}), "-ERR EXEC without MULTI\r\n");
}

TEST_F(CommandsFixture, QueueingErrorsAbortExec) {
  Client* c = NewClient();
  Run(c, {"MULTI"});
  Run(c, {"PING"});
  EXPECT_EQ(Run(c, {"NOSUCH", "x"}),
            "-ERR unknown command 'NOSUCH', with args beginning with: 'x' \r\n");
  EXPECT_EQ(Run(c, {"ECHO"}), "-ERR wrong number of arguments for 'echo' command\r\n");
  EXPECT_TRUE(c->HasFlag(kClientDirtyExec));
  EXPECT_EQ(Run(c, {"PING"}), "+QUEUED\r\n");
  EXPECT_EQ(c->mstate.size(), 1u);  // a doomed transaction queues nothing more
  EXPECT_EQ(Run(c, {"EXEC"}), "-EXECABORT Transaction discarded because of previous errors.\r\n");
  EXPECT_EQ(c->flags & (kClientMulti | kClientDirtyExec), 0u);
  // A rejected EXEC itself aborts with the reason.
  Run(c, {"MULTI"});
  EXPECT_EQ(Run(c, {"EXEC", "x"}),
            "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' "
            "command\r\n");
  EXPECT_FALSE(c->HasFlag(kClientMulti));
}

TEST_F(CommandsFixture, QueueingOverMaxmemoryIsRefused) {
  Client* c = NewClient();
  Run(c, {"MULTI"});
  ASSERT_TRUE(config_.SetOne("maxmemory", "1").ok());
  EXPECT_EQ(Run(c, {"PING"}), "-OOM command not allowed when used memory > 'maxmemory'.\r\n");
  EXPECT_EQ(Run(c, {"EXEC"}), "-EXECABORT Transaction discarded because of previous errors.\r\n");
  EXPECT_EQ(Run(c, {"PING"}), "+PONG\r\n");  // not deny-oom outside MULTI
  ASSERT_TRUE(config_.SetOne("maxmemory", "0").ok());
}

TEST_F(CommandsFixture, WatchedKeyChangedByAnyoneFailsExec) {
  Client* c = NewClient();
  Client* other = NewClient();
  SetKey(0, "k");
  EXPECT_EQ(Run(c, {"WATCH", "k", "missing"}), "+OK\r\n");
  EXPECT_EQ(c->watched_keys.size(), 2u);
  server_->KeyModified(server_->db(0), "k");  // what a write by `other` does
  EXPECT_TRUE(c->HasFlag(kClientDirtyCas));
  EXPECT_TRUE(c->watched_keys.empty());  // dirty: nothing is left worth watching
  Run(c, {"MULTI"});
  Run(c, {"PING"});
  EXPECT_EQ(Run(c, {"EXEC"}), "*-1\r\n");
  EXPECT_TRUE(c->watched_keys.empty());
  // The next transaction is unaffected; a write to another db's "k" does not count.
  Run(c, {"WATCH", "k"});
  server_->KeyModified(server_->db(1), "k");
  Run(c, {"MULTI"});
  Run(c, {"PING"});
  EXPECT_EQ(Run(c, {"EXEC"}), "*1\r\n+PONG\r\n");
  // UNWATCH forgets a change; RESP3 gets a null for a failed EXEC.
  Run(c, {"WATCH", "k"});
  server_->KeyModified(server_->db(0), "k");
  EXPECT_EQ(Run(c, {"UNWATCH"}), "+OK\r\n");
  Run(c, {"MULTI"});
  EXPECT_EQ(Run(c, {"EXEC"}), "*0\r\n");
  Run(other, {"HELLO", "3"});
  Run(other, {"WATCH", "k"});
  server_->KeyModified(server_->db(0), "k");
  Run(other, {"MULTI"});
  EXPECT_EQ(Run(other, {"EXEC"}), "_\r\n");
}

TEST_F(CommandsFixture, WatchedKeyExpiryCountsOnlyIfAliveAtWatchTime) {
  Client* c = NewClient();
  int64_t now = UnixMs();
  // Alive at WATCH, expired (still stored) at EXEC: EXEC fails.
  SetKey(0, "a", now + 100000);
  Run(c, {"WATCH", "a"});
  Database& d = server_->db(0);
  d.SetExpire(d.Find("a"), now - 1);
  Run(c, {"MULTI"});
  EXPECT_EQ(Run(c, {"EXEC"}), "*-1\r\n");
  // Already expired at WATCH: neither the expiry nor the lazy deletion is a change.
  SetKey(0, "b", now - 1);
  Run(c, {"WATCH", "b"});
  ASSERT_EQ(c->watched_keys.size(), 1u);
  EXPECT_TRUE(c->watched_keys[0].expired);
  EXPECT_EQ(d.Lookup("b"), nullptr);  // deletes it, notifying the server
  EXPECT_FALSE(c->HasFlag(kClientDirtyCas));
  EXPECT_FALSE(c->watched_keys[0].expired);
  Run(c, {"MULTI"});
  EXPECT_EQ(Run(c, {"EXEC"}), "*0\r\n");
  // ...but a new value for it is.
  SetKey(0, "b2", now - 1);
  Run(c, {"WATCH", "b2"});
  SetKey(0, "b2");
  server_->KeyModified(d, "b2");
  Run(c, {"MULTI"});
  EXPECT_EQ(Run(c, {"EXEC"}), "*-1\r\n");
}

TEST_F(CommandsFixture, FlushTouchesOnlyWatchedKeysThatExist) {
  Client* a = NewClient();
  Client* b = NewClient();
  SetKey(0, "k");
  Run(a, {"WATCH", "k"});
  Run(b, {"WATCH", "missing"});
  server_->TouchAllWatchedKeysInDb(0);
  EXPECT_TRUE(a->HasFlag(kClientDirtyCas));
  EXPECT_FALSE(b->HasFlag(kClientDirtyCas));
  // WATCH on an already dirty client changes nothing.
  Run(a, {"WATCH", "other"});
  EXPECT_EQ(a->watched_keys.size(), 1u);
}

// ---- Pub/Sub ----------------------------------------------------------------------------------

TEST_F(CommandsFixture, SubscribeFamilyRepliesAndCounts) {
  Client* c = NewClient();
  EXPECT_EQ(Run(c, {"SUBSCRIBE", "a", "b", "a"}),
            Push3("subscribe", "a", 1) + Push3("subscribe", "b", 2) + Push3("subscribe", "a", 2));
  EXPECT_TRUE(c->HasFlag(kClientPubsub));
  EXPECT_EQ(Run(c, {"PSUBSCRIBE", "p*"}), Push3("psubscribe", "p*", 3));
  EXPECT_EQ(Run(c, {"ECHO", "x"}),
            "-ERR Can't execute 'echo': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / "
            "RESET are allowed in this context\r\n");
  EXPECT_EQ(Run(c, {"UNSUBSCRIBE", "a", "zz"}),
            Push3("unsubscribe", "a", 2) + Push3("unsubscribe", "zz", 2));
  EXPECT_EQ(Run(c, {"UNSUBSCRIBE"}), Push3("unsubscribe", "b", 1));
  EXPECT_TRUE(c->HasFlag(kClientPubsub));
  EXPECT_EQ(Run(c, {"PUNSUBSCRIBE"}), Push3("punsubscribe", "p*", 0));
  EXPECT_FALSE(c->HasFlag(kClientPubsub));
  EXPECT_EQ(Run(c, {"UNSUBSCRIBE"}), "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n");
  EXPECT_EQ(Run(c, {"PUNSUBSCRIBE"}), "*3\r\n$12\r\npunsubscribe\r\n$-1\r\n:0\r\n");
  Run(c, {"HELLO", "3"});
  EXPECT_EQ(Run(c, {"UNSUBSCRIBE"}), ">3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n");
  EXPECT_EQ(Run(c, {"SUBSCRIBE", "a"}), Push3("subscribe", "a", 1, true));
  EXPECT_EQ(Run(c, {"ECHO", "x"}), "$1\r\nx\r\n");  // RESP3: no subscribed-context limits
}

TEST_F(CommandsFixture, PublishDeliversMessagesAndPmessages) {
  Client* s1 = NewClient();
  Client* s2 = NewClient();
  Client* p = NewClient();
  Run(s1, {"SUBSCRIBE", "news"});
  Run(s2, {"HELLO", "3"});
  Run(s2, {"PSUBSCRIBE", "n*"});
  Run(s2, {"SUBSCRIBE", "news"});
  EXPECT_EQ(Run(p, {"PUBLISH", "news", "hi"}), ":3\r\n");
  EXPECT_EQ(s1->reply.TakeAll(), "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n");
  EXPECT_EQ(s2->reply.TakeAll(),
            ">3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n"
            ">4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$2\r\nhi\r\n");
  EXPECT_EQ(Run(p, {"PUBLISH", "zzz", "x"}), ":0\r\n");
  EXPECT_EQ(Run(p, {"PUBSUB", "NUMSUB", "news", "none"}),
            "*4\r\n$4\r\nnews\r\n:2\r\n$4\r\nnone\r\n:0\r\n");
  EXPECT_EQ(Run(p, {"PUBSUB", "NUMPAT"}), ":1\r\n");
  EXPECT_EQ(Run(p, {"PUBSUB", "CHANNELS", "n*"}), "*1\r\n$4\r\nnews\r\n");
  EXPECT_EQ(Run(p, {"PUBSUB", "CHANNELS", "x*"}), "*0\r\n");
  EXPECT_EQ(Run(p, {"PUBSUB", "CHANNELS", "a", "b"}),
            "-ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB "
            "HELP.\r\n");
  EXPECT_EQ(Run(p, {"PUBSUB", "FOO"}), "-ERR unknown subcommand 'FOO'. Try PUBSUB HELP.\r\n");
  EXPECT_EQ(Run(p, {"PUBSUB", "SHARDNUMSUB", "x"}), "*2\r\n$1\r\nx\r\n:0\r\n");
}

// Random SUBSCRIBE/PSUBSCRIBE/UNSUBSCRIBE/PUNSUBSCRIBE/RESET across clients; after each step the
// server's maps, each client's counts and PUBLISH's receiver count match a plain model.
TEST_F(CommandsFixture, RandomSubscriptionsMatchModel) {
  std::mt19937 rng(424242);
  constexpr int kClients = 6;
  std::vector<Client*> cs;
  for (int i = 0; i < kClients; i++) cs.push_back(NewClient());
  std::vector<std::set<std::string>> chans(kClients), pats(kClients);
  const std::vector<std::string> names = {"a", "b", "ab", "ba", "abc", "c"};
  const std::vector<std::string> patterns = {"a*", "*b", "?", "a?c", "*"};
  Client* pub = NewClient();
  for (int step = 0; step < 3000; step++) {
    int i = static_cast<int>(rng() % kClients);
    Client* c = cs[i];
    int op = static_cast<int>(rng() % 9);
    const std::string& n = names[rng() % names.size()];
    const std::string& p = patterns[rng() % patterns.size()];
    if (op < 3) {
      Run(c, {"SUBSCRIBE", n});
      chans[i].insert(n);
    } else if (op < 5) {
      Run(c, {"PSUBSCRIBE", p});
      pats[i].insert(p);
    } else if (op == 5) {
      Run(c, {"UNSUBSCRIBE", n});
      chans[i].erase(n);
    } else if (op == 6) {
      Run(c, {"PUNSUBSCRIBE", p});
      pats[i].erase(p);
    } else if (op == 7) {
      std::string out = Run(c, {rng() % 2 ? "UNSUBSCRIBE" : "PUNSUBSCRIBE"});
      if (out.find("$11\r\nunsubscribe") != std::string::npos) {
        chans[i].clear();
      } else {
        pats[i].clear();
      }
    } else if (rng() % 8 == 0) {
      Run(c, {"RESET"});
      chans[i].clear();
      pats[i].clear();
    }
    ASSERT_EQ(c->SubscriptionCount(), chans[i].size() + pats[i].size());
    ASSERT_EQ(c->HasFlag(kClientPubsub), c->SubscriptionCount() > 0) << "step " << step;
    // PUBLISH to a random name: receivers = channel subscribers + matching pattern subscriptions.
    const std::string& target = names[rng() % names.size()];
    int64_t want = 0;
    for (int k = 0; k < kClients; k++) {
      want += chans[k].count(target);
      for (const auto& pp : pats[k]) want += GlobMatch(pp, target) ? 1 : 0;
    }
    ASSERT_EQ(Run(pub, {"PUBLISH", target, "m"}), ":" + std::to_string(want) + "\r\n");
    for (Client* x : cs) x->reply.TakeAll();
  }
  std::map<std::string, size_t> numsub;
  std::set<std::string> allpats;
  for (int k = 0; k < kClients; k++) {
    for (const auto& n : chans[k]) numsub[n]++;
    for (const auto& p : pats[k]) allpats.insert(p);
  }
  EXPECT_EQ(server_->pubsub_channels().size(), numsub.size());
  for (const auto& [n, cnt] : numsub) EXPECT_EQ(server_->pubsub_channels()[n].size(), cnt);
  EXPECT_EQ(server_->pubsub_patterns().size(), allpats.size());
}

}  // namespace
}  // namespace ember
