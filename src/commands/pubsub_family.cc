// Pub/Sub commands: SUBSCRIBE PSUBSCRIBE UNSUBSCRIBE PUNSUBSCRIBE PUBLISH and PUBSUB's
// introspection subcommands (Redis 7.2's pubsub.c semantics).
//
// The subscription maps and message delivery live in the server (server_events.cc), because
// keyspace notifications publish through the same path. Reply shapes:
//
//   (P)SUBSCRIBE x y      one message per name: [kind, name, subscription count], RESP2 array or
//                         RESP3 push; subscribing twice to a name is not an error (count unchanged)
//   (P)UNSUBSCRIBE x      one message per name, subscribed or not
//   (P)UNSUBSCRIBE        every current name (any order), or one message with a null name if none
//   PUBLISH ch msg        integer: channel subscribers + matching pattern subscriptions
//
// The count is the client's channels + patterns. kClientPubsub is set by any SUBSCRIBE and cleared
// when the count drops to 0; while set, a RESP2 client may only run the subscribe family, PING,
// QUIT and RESET (the dispatcher enforces it).
#include <string>
#include <string_view>
#include <vector>

#include "base/strutil.h"
#include "commands/families.h"
#include "proto/errors.h"
#include "proto/reply_builder.h"
#include "server/command_table.h"
#include "server/server.h"

namespace ember {
namespace {

void ClearPubsubFlagIfIdle(Client* c) {
  if (c->SubscriptionCount() == 0) c->flags &= ~kClientPubsub;
}

void SubscribeCommand(CommandContext& ctx) {
  for (size_t j = 1; j < ctx.argc(); j++) ctx.server->SubscribeChannel(ctx.client, ctx.arg(j));
}

void PsubscribeCommand(CommandContext& ctx) {
  for (size_t j = 1; j < ctx.argc(); j++) ctx.server->SubscribePattern(ctx.client, ctx.arg(j));
}

void UnsubscribeCommand(CommandContext& ctx) {
  if (ctx.argc() == 1) {
    ctx.server->UnsubscribeAllChannels(ctx.client, true);
  } else {
    for (size_t j = 1; j < ctx.argc(); j++) {
      ctx.server->UnsubscribeChannel(ctx.client, ctx.arg(j), true);
    }
  }
  ClearPubsubFlagIfIdle(ctx.client);
}

void PunsubscribeCommand(CommandContext& ctx) {
  if (ctx.argc() == 1) {
    ctx.server->UnsubscribeAllPatterns(ctx.client, true);
  } else {
    for (size_t j = 1; j < ctx.argc(); j++) {
      ctx.server->UnsubscribePattern(ctx.client, ctx.arg(j), true);
    }
  }
  ClearPubsubFlagIfIdle(ctx.client);
}

void PublishCommand(CommandContext& ctx) {
  size_t n = ctx.server->Publish(ctx.arg(1), ctx.arg(2));
  ctx.reply->Integer(static_cast<int64_t>(n));
}

// "ERR unknown subcommand or wrong number of arguments for '<sub>'. Try PUBSUB HELP."
void SubcommandSyntaxError(CommandContext& ctx) {
  std::string upper(ctx.arg(0));
  for (auto& ch : upper) {
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
  }
  std::string_view sub = ctx.arg(1).substr(0, 128);
  ctx.reply->Error("ERR unknown subcommand or wrong number of arguments for '" + std::string(sub) +
                   "'. Try " + upper + " HELP.");
}

void PubsubChannelsCommand(CommandContext& ctx) {
  if (ctx.argc() > 3) {
    SubcommandSyntaxError(ctx);
    return;
  }
  std::vector<const std::string*> out;
  for (const auto& [name, subs] : ctx.server->pubsub_channels()) {
    if (ctx.argc() == 3 && !GlobMatch(ctx.arg(2), name)) continue;
    out.push_back(&name);
  }
  ctx.reply->ArrayLen(out.size());
  for (const auto* n : out) ctx.reply->Bulk(*n);
}

void PubsubNumsubCommand(CommandContext& ctx) {
  auto& channels = ctx.server->pubsub_channels();
  ctx.reply->ArrayLen((ctx.argc() - 2) * 2);
  for (size_t j = 2; j < ctx.argc(); j++) {
    auto it = channels.find(std::string(ctx.arg(j)));
    ctx.reply->Bulk(ctx.arg(j));
    ctx.reply->Integer(it == channels.end() ? 0 : static_cast<int64_t>(it->second.size()));
  }
}

void PubsubNumpatCommand(CommandContext& ctx) {
  ctx.reply->Integer(static_cast<int64_t>(ctx.server->pubsub_patterns().size()));
}

// Sharded Pub/Sub (SSUBSCRIBE) is not implemented, so there are never shard channels.
void PubsubShardchannelsCommand(CommandContext& ctx) {
  if (ctx.argc() > 3) {
    SubcommandSyntaxError(ctx);
    return;
  }
  ctx.reply->ArrayLen(0);
}

void PubsubShardnumsubCommand(CommandContext& ctx) {
  ctx.reply->ArrayLen((ctx.argc() - 2) * 2);
  for (size_t j = 2; j < ctx.argc(); j++) {
    ctx.reply->Bulk(ctx.arg(j));
    ctx.reply->Integer(0);
  }
}

void PubsubHelpCommand(CommandContext& ctx) {
  static const std::vector<std::string_view> kLines = {
      "CHANNELS [<pattern>]",
      "    Return the currently active channels matching a <pattern> (default: '*').",
      "NUMPAT",
      "    Return number of subscriptions to patterns.",
      "NUMSUB [<channel> ...]",
      "    Return the number of subscribers for the specified channels, excluding",
      "    pattern subscriptions(default: no channels).",
      "SHARDCHANNELS [<pattern>]",
      "    Return the currently active shard level channels matching a <pattern> (default: '*').",
      "SHARDNUMSUB [<shardchannel> ...]",
      "    Return the number of subscribers for the specified shard level channel(s)",
  };
  std::string head(ctx.arg(0));
  for (auto& ch : head) {
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
  }
  head += " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:";
  ctx.reply->ArrayLen(kLines.size() + 3);
  ctx.reply->SimpleString(head);
  for (auto l : kLines) ctx.reply->SimpleString(l);
  ctx.reply->SimpleString("HELP");
  ctx.reply->SimpleString("    Prints this help.");
}

}  // namespace

void RegisterPubsubFamily(CommandTable& t) {
  constexpr uint32_t kSub = kCmdPubsub | kCmdNoscript | kCmdLoading | kCmdStale;
  const char* g = "pubsub";
  t.Register({"subscribe", -2, kSub, 0, 0, 0, SubscribeCommand, g, "@pubsub @slow"});
  t.Register({"psubscribe", -2, kSub, 0, 0, 0, PsubscribeCommand, g, "@pubsub @slow"});
  t.Register({"unsubscribe", -1, kSub, 0, 0, 0, UnsubscribeCommand, g, "@pubsub @slow"});
  t.Register({"punsubscribe", -1, kSub, 0, 0, 0, PunsubscribeCommand, g, "@pubsub @slow"});
  t.Register({"publish", 3,
              kCmdPubsub | kCmdLoading | kCmdStale | kCmdFast | kCmdMayReplicate, 0, 0, 0,
              PublishCommand, g, "@pubsub @fast"});
  constexpr uint32_t kIntro = kCmdPubsub | kCmdLoading | kCmdStale;
  const char* slow = "@pubsub @slow";
  CommandSpec pubsub{"pubsub", -2, 0, 0, 0, 0, nullptr, g, "@slow"};
  pubsub.subcommands = {
      {"pubsub|channels", -2, kIntro, 0, 0, 0, PubsubChannelsCommand, g, slow},
      {"pubsub|numsub", -2, kIntro, 0, 0, 0, PubsubNumsubCommand, g, slow},
      {"pubsub|numpat", 2, kIntro, 0, 0, 0, PubsubNumpatCommand, g, slow},
      {"pubsub|shardchannels", -2, kIntro, 0, 0, 0, PubsubShardchannelsCommand, g, slow},
      {"pubsub|shardnumsub", -2, kIntro, 0, 0, 0, PubsubShardnumsubCommand, g, slow},
      {"pubsub|help", 2, kCmdLoading | kCmdStale, 0, 0, 0, PubsubHelpCommand, g, "@slow"},
  };
  t.Register(std::move(pubsub));
}

}  // namespace ember
