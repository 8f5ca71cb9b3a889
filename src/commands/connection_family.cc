// Connection commands: PING ECHO SELECT QUIT RESET HELLO AUTH and CLIENT's subcommands.
//
// These act on the calling client's own state (selected database, protocol, name, authentication,
// flags) or, for CLIENT LIST/KILL, walk the server's client table. Behaviour and texts follow
// Redis 7.2 (networking.c, server.c, acl.c):
//
//   AUTH [user] pass    only the "default" user exists; its password is requirepass ("" = nopass,
//                       which accepts any password with the two-argument form's exception: AUTH
//                       <pass> without a password configured is an error)
//   HELLO [ver [AUTH user pass] [SETNAME name]]
//                       options are all parsed first; AUTH runs, then the NOAUTH check, then
//                       SETNAME, then the protocol switch; the reply is a 7-entry map
//   RESET               Redis's clearClientConnectionState(): db 0, RESP2, default auth (so a
//                       password-protected server needs AUTH again), transaction discarded and
//                       keys unwatched, all subscriptions dropped, name cleared, no-evict off;
//                       lib-name/lib-ver are kept
//   CLIENT KILL addr    old form: +OK or "No such client", may kill the caller itself
//   CLIENT KILL <filter value>...  new form: counts kills; skips the caller unless SKIPME no,
//                       in which case the caller is closed after its reply
#include <climits>
#include <string>
#include <string_view>
#include <vector>

#include "base/strutil.h"
#include "commands/families.h"
#include "proto/errors.h"
#include "proto/reply_builder.h"
#include "server/command_table.h"
#include "server/server.h"
#include "server/version.h"

namespace ember {
namespace {

constexpr std::string_view kErrBadClientName =
    "ERR Client names cannot contain spaces, newlines or special characters.";
constexpr std::string_view kNoAuthHello =
    "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO "
    "<proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP "
    "protocol version at the same time";

// "<CONTAINER> <subcommand> ..." header, the lines, then HELP (Redis's addReplyHelp).
void ReplyHelp(CommandContext& ctx, const std::vector<std::string_view>& lines) {
  std::string head(ctx.arg(0));
  for (auto& ch : head) {
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
  }
  head += " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:";
  ctx.reply->ArrayLen(lines.size() + 3);
  ctx.reply->SimpleString(head);
  for (auto l : lines) ctx.reply->SimpleString(l);
  ctx.reply->SimpleString("HELP");
  ctx.reply->SimpleString("    Prints this help.");
}

// Redis's validateClientName / validateClientAttr: every byte within '!'..'~' (empty is fine).
bool ValidClientAttr(std::string_view v) {
  for (char ch : v) {
    if (ch < '!' || ch > '~') return false;
  }
  return true;
}

// Redis's ACLAuthenticateUser for the single "default" user whose password is requirepass.
// Compares in time independent of where the strings differ.
bool PasswordMatches(const Server& s, std::string_view user, std::string_view pass) {
  if (user != "default") return false;
  const std::string& want = s.cfg().requirepass;
  if (want.empty()) return true;  // nopass: any password
  unsigned diff = want.size() == pass.size() ? 0u : 1u;
  for (size_t i = 0; i < pass.size(); i++) {
    diff |= static_cast<unsigned char>(pass[i]) ^
            static_cast<unsigned char>(want[i % want.size()]);
  }
  return diff == 0;
}

// ---- PING ECHO SELECT QUIT RESET ----------------------------------------------------------

void PingCommand(CommandContext& ctx) {
  Client* c = ctx.client;
  if (ctx.argc() > 2) {  // arity is -1 in the table, as in Redis; the handler caps it
    ctx.reply->Error(proto::WrongArity("ping"));
    return;
  }
  if ((c->flags & kClientPubsub) && c->resp == 2) {
    ctx.reply->ArrayLen(2);
    ctx.reply->Bulk("pong");
    ctx.reply->Bulk(ctx.argc() == 1 ? std::string_view() : ctx.arg(1));
    return;
  }
  if (ctx.argc() == 1) {
    ctx.reply->SimpleString(proto::kStatusPong);
  } else {
    ctx.reply->Bulk(ctx.arg(1));
  }
}

void EchoCommand(CommandContext& ctx) { ctx.reply->Bulk(ctx.arg(1)); }

void SelectCommand(CommandContext& ctx) {
  int64_t id;
  if (!ParseInt64(ctx.arg(1), &id)) {
    ctx.reply->Error(proto::kErrNotInteger);
    return;
  }
  if (id < INT_MIN || id > INT_MAX) {
    ctx.reply->Error(proto::OutOfRangeBetween(INT_MIN, INT_MAX));
    return;
  }
  if (id < 0 || id >= ctx.server->DatabaseCount()) {
    ctx.reply->Error(proto::kErrDbIndexOutOfRange);
    return;
  }
  ctx.client->SelectDb(static_cast<int>(id));
  ctx.reply->Ok();
}

void QuitCommand(CommandContext& ctx) {
  ctx.reply->Ok();
  ctx.client->flags |= kClientCloseAfterReply;
}

void ResetCommand(CommandContext& ctx) {
  Client* c = ctx.client;
  Server* s = ctx.server;
  c->SelectDb(0);
  c->resp = 2;
  c->reply.SetProtocol(2);
  c->authenticated = s->cfg().requirepass.empty();
  s->DiscardTransaction(c);
  s->PubsubUnsubscribeAll(c, false);
  c->name.clear();
  c->flags &= ~kClientNoEvict;
  ctx.reply->SimpleString("RESET");
}

// ---- AUTH HELLO -----------------------------------------------------------------------------

void AuthCommand(CommandContext& ctx) {
  if (ctx.argc() > 3) {
    ctx.reply->Error(proto::kErrSyntax);
    return;
  }
  std::string_view user = "default", pass;
  if (ctx.argc() == 2) {
    if (ctx.server->cfg().requirepass.empty()) {
      ctx.reply->Error(proto::kErrAuthNoPassword);
      return;
    }
    pass = ctx.arg(1);
  } else {
    user = ctx.arg(1);
    pass = ctx.arg(2);
  }
  if (!PasswordMatches(*ctx.server, user, pass)) {
    ctx.reply->Error(proto::kErrWrongPass);
    return;
  }
  ctx.client->authenticated = true;
  ctx.reply->Ok();
}

void HelloCommand(CommandContext& ctx) {
  Client* c = ctx.client;
  int64_t ver = 0;
  size_t next = 1;
  if (ctx.argc() >= 2) {
    if (!ParseInt64(ctx.arg(next++), &ver)) {
      ctx.reply->Error(proto::kErrProtocolVersion);
      return;
    }
    if (ver < 2 || ver > 3) {
      ctx.reply->Error(proto::kErrNoProto);
      return;
    }
  }
  const std::string_view* user = nullptr;
  const std::string_view* pass = nullptr;
  const std::string_view* setname = nullptr;
  for (size_t j = next; j < ctx.argc(); j++) {
    size_t more = ctx.argc() - 1 - j;
    std::string_view opt = ctx.arg(j);
    if (EqualsIgnoreCase(opt, "auth") && more >= 2) {
      user = &ctx.args[j + 1];
      pass = &ctx.args[j + 2];
      j += 2;
    } else if (EqualsIgnoreCase(opt, "setname") && more >= 1) {
      setname = &ctx.args[j + 1];
      j++;
    } else {
      ctx.reply->Error("ERR Syntax error in HELLO option '" + std::string(opt) + "'");
      return;
    }
  }
  if (user != nullptr) {
    if (!PasswordMatches(*ctx.server, *user, *pass)) {
      ctx.reply->Error(proto::kErrWrongPass);
      return;
    }
    c->authenticated = true;
  }
  if (ctx.server->AuthRequired(c)) {
    ctx.reply->Error(kNoAuthHello);
    return;
  }
  if (setname != nullptr) {
    if (!ValidClientAttr(*setname)) {
      ctx.reply->Error(kErrBadClientName);
      return;
    }
    c->name.assign(*setname);
  }
  if (ver != 0) {
    c->resp = static_cast<int>(ver);
    c->reply.SetProtocol(c->resp);
  }
  proto::ReplyBuilder* r = ctx.reply;
  r->MapLen(7);
  r->Bulk("server");
  r->Bulk("redis");
  r->Bulk("version");
  r->Bulk(kRedisVersion);
  r->Bulk("proto");
  r->Integer(c->resp);
  r->Bulk("id");
  r->Integer(static_cast<int64_t>(c->id));
  r->Bulk("mode");
  r->Bulk("standalone");
  r->Bulk("role");
  r->Bulk("master");
  r->Bulk("modules");
  r->ArrayLen(0);
}

// ---- CLIENT ---------------------------------------------------------------------------------

// Redis's getClientTypeByName: -1 when unknown.
int ClientTypeByName(std::string_view n) {
  if (EqualsIgnoreCase(n, "normal")) return static_cast<int>(ClientType::kNormal);
  if (EqualsIgnoreCase(n, "slave") || EqualsIgnoreCase(n, "replica")) {
    return static_cast<int>(ClientType::kReplica);
  }
  if (EqualsIgnoreCase(n, "pubsub")) return static_cast<int>(ClientType::kPubsub);
  if (EqualsIgnoreCase(n, "master")) return static_cast<int>(ClientType::kMaster);
  return -1;
}

void ClientIdCommand(CommandContext& ctx) {
  ctx.reply->Integer(static_cast<int64_t>(ctx.client->id));
}

void ClientSetnameCommand(CommandContext& ctx) {
  if (!ValidClientAttr(ctx.arg(2))) {
    ctx.reply->Error(kErrBadClientName);
    return;
  }
  ctx.client->name.assign(ctx.arg(2));
  ctx.reply->Ok();
}

void ClientGetnameCommand(CommandContext& ctx) {
  if (ctx.client->name.empty()) {
    ctx.reply->Null();
  } else {
    ctx.reply->Bulk(ctx.client->name);
  }
}

void ClientSetinfoCommand(CommandContext& ctx) {
  std::string_view attr = ctx.arg(2);
  std::string* dest;
  if (EqualsIgnoreCase(attr, "lib-name")) {
    dest = &ctx.client->lib_name;
  } else if (EqualsIgnoreCase(attr, "lib-ver")) {
    dest = &ctx.client->lib_ver;
  } else {
    ctx.reply->Error("ERR Unrecognized option '" + std::string(attr) + "'");
    return;
  }
  if (!ValidClientAttr(ctx.arg(3))) {
    ctx.reply->Error("ERR " + std::string(attr) +
                     " cannot contain spaces, newlines or special characters.");
    return;
  }
  dest->assign(ctx.arg(3));
  ctx.reply->Ok();
}

void ClientInfoCommand(CommandContext& ctx) {
  std::string line = ctx.client->InfoLine(ctx.server->cmd_time_ms);
  line += '\n';
  ctx.reply->Verbatim(line);
}

void ClientListCommand(CommandContext& ctx) {
  Server* s = ctx.server;
  std::string out;
  auto add = [&](const Client* cl) {
    out += cl->InfoLine(s->cmd_time_ms);
    out += '\n';
  };
  if (ctx.argc() == 4 && EqualsIgnoreCase(ctx.arg(2), "type")) {
    int type = ClientTypeByName(ctx.arg(3));
    if (type == -1) {
      ctx.reply->Error("ERR Unknown client type '" + std::string(ctx.arg(3)) + "'");
      return;
    }
    for (const auto& [id, cl] : s->clients()) {
      if (static_cast<int>(cl->Type()) == type) add(cl);
    }
  } else if (ctx.argc() > 3 && EqualsIgnoreCase(ctx.arg(2), "id")) {
    std::vector<int64_t> ids;
    for (size_t j = 3; j < ctx.argc(); j++) {
      int64_t id;
      if (!ParseInt64(ctx.arg(j), &id)) {
        ctx.reply->Error("ERR Invalid client ID");
        return;
      }
      ids.push_back(id);
    }
    for (int64_t id : ids) {
      const Client* cl = id > 0 ? s->FindClient(static_cast<uint64_t>(id)) : nullptr;
      if (cl != nullptr) add(cl);
    }
  } else if (ctx.argc() != 2) {
    ctx.reply->Error(proto::kErrSyntax);
    return;
  } else {
    for (const auto& [id, cl] : s->clients()) add(cl);
  }
  ctx.reply->Verbatim(out);
}

void ClientKillCommand(CommandContext& ctx) {
  Server* s = ctx.server;
  Client* me = ctx.client;
  std::string_view addr, laddr;
  bool has_addr = false, has_laddr = false;
  int type = -1;
  uint64_t id = 0;
  bool skipme = true;
  if (ctx.argc() == 3) {  // old form: CLIENT KILL <addr>; may kill the caller itself
    addr = ctx.arg(2);
    has_addr = true;
    skipme = false;
  } else {
    for (size_t i = 2; i < ctx.argc(); i += 2) {
      bool more = ctx.argc() > i + 1;
      std::string_view opt = ctx.arg(i);
      if (!more) {
        ctx.reply->Error(proto::kErrSyntax);
        return;
      }
      std::string_view val = ctx.arg(i + 1);
      if (EqualsIgnoreCase(opt, "id")) {
        int64_t v;
        if (!ParseInt64(val, &v) || v < 1) {
          ctx.reply->Error("ERR client-id should be greater than 0");
          return;
        }
        id = static_cast<uint64_t>(v);
      } else if (EqualsIgnoreCase(opt, "type")) {
        type = ClientTypeByName(val);
        if (type == -1) {
          ctx.reply->Error("ERR Unknown client type '" + std::string(val) + "'");
          return;
        }
      } else if (EqualsIgnoreCase(opt, "addr")) {
        addr = val;
        has_addr = true;
      } else if (EqualsIgnoreCase(opt, "laddr")) {
        laddr = val;
        has_laddr = true;
      } else if (EqualsIgnoreCase(opt, "user")) {
        if (val != "default") {
          ctx.reply->Error("ERR No such user '" + std::string(val) + "'");
          return;
        }
      } else if (EqualsIgnoreCase(opt, "skipme")) {
        if (EqualsIgnoreCase(val, "yes")) {
          skipme = true;
        } else if (EqualsIgnoreCase(val, "no")) {
          skipme = false;
        } else {
          ctx.reply->Error(proto::kErrSyntax);
          return;
        }
      } else {
        ctx.reply->Error(proto::kErrSyntax);
        return;
      }
    }
  }
  std::vector<Client*> victims;
  bool close_me = false;
  int64_t killed = 0;
  for (const auto& [cid, cl] : s->clients()) {
    if (has_addr && cl->addr != addr) continue;
    if (has_laddr && cl->laddr != laddr) continue;
    if (type != -1 && static_cast<int>(cl->Type()) != type) continue;
    if (id != 0 && cl->id != id) continue;
    if (cl == me && skipme) continue;
    if (cl == me) {
      close_me = true;
    } else {
      victims.push_back(cl);
    }
    killed++;
  }
  for (Client* v : victims) s->CloseClient(v);
  if (ctx.argc() == 3) {
    if (killed == 0) {
      ctx.reply->Error(proto::kErrNoSuchClient);
    } else {
      ctx.reply->Ok();
    }
  } else {
    ctx.reply->Integer(killed);
  }
  if (close_me) me->flags |= kClientCloseAfterReply;
}

void ClientNoEvictCommand(CommandContext& ctx) {
  std::string_view v = ctx.arg(2);
  if (EqualsIgnoreCase(v, "on")) {
    ctx.client->flags |= kClientNoEvict;
  } else if (EqualsIgnoreCase(v, "off")) {
    ctx.client->flags &= ~kClientNoEvict;
  } else {
    ctx.reply->Error(proto::kErrSyntax);
    return;
  }
  ctx.reply->Ok();
}

void ClientHelpCommand(CommandContext& ctx) {
  // Redis 7.2's text for CLIENT HELP (subcommands Ember lacks are listed as Redis lists them).
  static const std::vector<std::string_view> kLines = {
      "CACHING (YES|NO)",
      "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
      "GETREDIR",
      "    Return the client ID we are redirecting to when tracking is enabled.",
      "GETNAME",
      "    Return the name of the current connection.",
      "ID",
      "    Return the ID of the current connection.",
      "INFO",
      "    Return information about the current client connection.",
      "KILL <ip:port>",
      "    Kill connection made from <ip:port>.",
      "KILL <option> <value> [<option> <value> [...]]",
      "    Kill connections. Options are:",
      "    * ADDR (<ip:port>|<unixsocket>:0)",
      "      Kill connections made from the specified address",
      "    * LADDR (<ip:port>|<unixsocket>:0)",
      "      Kill connections made to specified local address",
      "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
      "      Kill connections by type.",
      "    * USER <username>",
      "      Kill connections authenticated by <username>.",
      "    * SKIPME (YES|NO)",
      "      Skip killing current connection (default: yes).",
      "LIST [options ...]",
      "    Return information about client connections. Options:",
      "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
      "      Return clients of specified type.",
      "UNPAUSE",
      "    Stop the current client pause, resuming traffic.",
      "PAUSE <timeout> [WRITE|ALL]",
      "    Suspend all, or just write, clients for <timeout> milliseconds.",
      "REPLY (ON|OFF|SKIP)",
      "    Control the replies sent to the current connection.",
      "SETNAME <name>",
      "    Assign the name <name> to the current connection.",
      "SETINFO <option> <value>",
      "    Set client meta attr. Options are:",
      "    * LIB-NAME: the client lib name.",
      "    * LIB-VER: the client lib version.",
      "UNBLOCK <clientid> [TIMEOUT|ERROR]",
      "    Unblock the specified blocked client.",
      "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
      "         [OPTIN] [OPTOUT] [NOLOOP]",
      "    Control server assisted client side caching.",
      "TRACKINGINFO",
      "    Report tracking status for the current connection.",
      "NO-EVICT (ON|OFF)",
      "    Protect current client connection from eviction.",
      "NO-TOUCH (ON|OFF)",
      "    Will not touch LRU/LFU stats when this mode is on.",
  };
  ReplyHelp(ctx, kLines);
}

}  // namespace

void RegisterConnectionFamily(CommandTable& t) {
  constexpr uint32_t kConn = kCmdLoading | kCmdStale | kCmdFast;
  const char* g = "connection";
  t.Register({"ping", -1, kCmdFast, 0, 0, 0, PingCommand, g, "@fast @connection"});
  t.Register({"echo", 2, kCmdFast, 0, 0, 0, EchoCommand, g, "@fast @connection"});
  t.Register({"select", 2, kConn, 0, 0, 0, SelectCommand, g, "@fast @connection"});
  t.Register({"quit", -1, kConn | kCmdNoAuth | kCmdAllowBusy | kCmdNoscript, 0, 0, 0, QuitCommand,
              g, "@fast @connection"});
  t.Register({"reset", 1, kConn | kCmdNoAuth | kCmdNoscript, 0, 0, 0, ResetCommand, g,
              "@fast @connection"});
  t.Register({"hello", -1, kConn | kCmdNoAuth | kCmdNoscript, 0, 0, 0, HelloCommand, g,
              "@fast @connection"});
  t.Register({"auth", -2, kConn | kCmdNoAuth | kCmdNoscript | kCmdAllowBusy, 0, 0, 0, AuthCommand,
              g, "@fast @connection"});

  constexpr uint32_t kSub = kCmdNoscript | kCmdLoading | kCmdStale;
  const char* slow = "@slow @connection";
  const char* admin = "@admin @slow @dangerous @connection";
  CommandSpec client{"client", -2, 0, 0, 0, 0, nullptr, g, "@slow"};
  client.subcommands = {
      {"client|id", 2, kSub, 0, 0, 0, ClientIdCommand, g, slow},
      {"client|setname", 3, kSub, 0, 0, 0, ClientSetnameCommand, g, slow},
      {"client|getname", 2, kSub, 0, 0, 0, ClientGetnameCommand, g, slow},
      {"client|setinfo", 4, kSub, 0, 0, 0, ClientSetinfoCommand, g, slow},
      {"client|info", 2, kSub, 0, 0, 0, ClientInfoCommand, g, slow},
      {"client|list", -2, kSub | kCmdAdmin, 0, 0, 0, ClientListCommand, g, admin},
      {"client|kill", -3, kSub | kCmdAdmin, 0, 0, 0, ClientKillCommand, g, admin},
      {"client|no-evict", 3, kSub | kCmdAdmin, 0, 0, 0, ClientNoEvictCommand, g, admin},
      {"client|help", 2, kCmdLoading | kCmdStale, 0, 0, 0, ClientHelpCommand, g, slow},
  };
  t.Register(std::move(client));
}

}  // namespace ember
