// COMMAND: the command table as Redis reports it (COMMAND, COUNT, INFO, DOCS, LIST, GETKEYS,
// GETKEYSANDFLAGS, HELP). The replies are built by server/command_docs.h from the CommandSpec rows,
// so a family's row is the single source of its arity, flags, key positions and documentation.
//
// Order: Redis answers in its command dict's hash order; Ember answers in table (registration)
// order, each container followed by its subcommands where a flat list is asked for.
#include <string>
#include <vector>

#include "base/strutil.h"
#include "commands/server_family_internal.h"
#include "proto/errors.h"
#include "server/command_docs.h"
#include "server/command_table.h"
#include "server/server.h"

namespace ember {

namespace {

// "get" or "config|get" (any case).
const CommandSpec* FindByFullName(const CommandTable& t, std::string_view name) {
  size_t bar = name.find('|');
  if (bar == std::string_view::npos) return t.Find(name);
  const CommandSpec* parent = t.Find(name.substr(0, bar));
  if (!parent || parent->subcommands.empty()) return nullptr;
  return t.FindSub(parent, name.substr(bar + 1));
}

void CommandAll(CommandContext& ctx) {
  const auto& all = ctx.server->commands().all();
  ctx.reply->ArrayLen(all.size());
  for (const auto& spec : all) ReplyCommandInfo(ctx.reply, *spec);
}

void CommandCount(CommandContext& ctx) {
  ctx.reply->Integer(static_cast<int64_t>(ctx.server->commands().size()));
}

void CommandInfo(CommandContext& ctx) {
  if (ctx.argc() == 2) {
    CommandAll(ctx);
    return;
  }
  ctx.reply->ArrayLen(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); i++) {
    const CommandSpec* spec = FindByFullName(ctx.server->commands(), ctx.arg(i));
    if (spec) {
      ReplyCommandInfo(ctx.reply, *spec);
    } else {
      ctx.reply->Null();
    }
  }
}

void CommandDocs(CommandContext& ctx) {
  std::vector<const CommandSpec*> specs;
  if (ctx.argc() == 2) {
    for (const auto& s : ctx.server->commands().all()) specs.push_back(s.get());
  } else {
    for (size_t i = 2; i < ctx.argc(); i++) {
      const CommandSpec* spec = FindByFullName(ctx.server->commands(), ctx.arg(i));
      if (spec) specs.push_back(spec);
    }
  }
  ctx.reply->MapLen(specs.size());
  for (const CommandSpec* s : specs) {
    ctx.reply->Bulk(s->name);
    ReplyCommandDocs(ctx.reply, *s);
  }
}

// COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]
void CommandList(CommandContext& ctx) {
  enum { kAll, kModule, kAclcat, kPattern } filter = kAll;
  std::string_view arg;
  if (ctx.argc() == 5 && EqualsIgnoreCase(ctx.arg(2), "filterby")) {
    arg = ctx.arg(4);
    if (EqualsIgnoreCase(ctx.arg(3), "module")) {
      filter = kModule;
    } else if (EqualsIgnoreCase(ctx.arg(3), "aclcat")) {
      filter = kAclcat;
    } else if (EqualsIgnoreCase(ctx.arg(3), "pattern")) {
      filter = kPattern;
    } else {
      ctx.reply->Error(proto::kErrSyntax);
      return;
    }
  } else if (ctx.argc() != 2) {
    ctx.reply->Error(proto::kErrSyntax);
    return;
  }
  std::string cat = "@" + ToLower(arg);
  auto match = [&](const CommandSpec& s) {
    switch (filter) {
      case kAll:
        return true;
      case kModule:
        return false;  // no modules
      case kAclcat: {
        std::string_view cats = s.acl_categories ? s.acl_categories : "";
        size_t pos = 0;
        while (pos < cats.size()) {
          size_t end = cats.find(' ', pos);
          if (end == std::string_view::npos) end = cats.size();
          if (EqualsIgnoreCase(cats.substr(pos, end - pos), cat)) return true;
          pos = end + 1;
        }
        return false;
      }
      case kPattern:
        return GlobMatch(arg, s.name, true);
    }
    return false;
  };
  std::vector<const char*> names;
  for (const auto& s : ctx.server->commands().all()) {
    if (match(*s)) names.push_back(s->name);
    for (const auto& sub : s->subcommands) {
      if (match(sub)) names.push_back(sub.name);
    }
  }
  ctx.reply->ArrayLen(names.size());
  for (const char* n : names) ctx.reply->Bulk(n);
}

void GetKeysImpl(CommandContext& ctx, bool with_flags) {
  auto argv = ctx.args.subspan(2);
  const CommandTable& t = ctx.server->commands();
  const CommandSpec* spec = t.Find(argv[0]);
  if (spec && !spec->subcommands.empty()) {
    spec = argv.size() >= 2 ? t.FindSub(spec, argv[1]) : nullptr;
  }
  if (!spec) {
    ctx.reply->Error("ERR Invalid command specified");
    return;
  }
  if (spec->first_key <= 0 && !spec->get_keys) {
    ctx.reply->Error("ERR The command has no key arguments");
    return;
  }
  int argc = static_cast<int>(argv.size());
  if ((spec->arity > 0 && spec->arity != argc) || argc < -spec->arity) {
    ctx.reply->Error("ERR Invalid number of arguments specified for command");
    return;
  }
  std::vector<int> pos = CommandKeyPositions(*spec, argv);
  if (pos.empty() && !(spec->flags & kCmdNoMandatoryKeys)) {
    ctx.reply->Error("ERR Invalid arguments specified for command");
    return;
  }
  std::string flags = KeySpecFlags(*spec);
  std::vector<std::string_view> words;
  for (size_t p = 0; p < flags.size();) {
    size_t e = flags.find(' ', p);
    if (e == std::string::npos) e = flags.size();
    if (e > p) words.push_back(std::string_view(flags).substr(p, e - p));
    p = e + 1;
  }
  ctx.reply->ArrayLen(pos.size());
  for (int i : pos) {
    if (with_flags) {
      ctx.reply->ArrayLen(2);
      ctx.reply->Bulk(argv[static_cast<size_t>(i)]);
      ctx.reply->SetLen(words.size());
      for (auto w : words) ctx.reply->SimpleString(w);
    } else {
      ctx.reply->Bulk(argv[static_cast<size_t>(i)]);
    }
  }
}

void CommandGetkeys(CommandContext& ctx) { GetKeysImpl(ctx, false); }
void CommandGetkeysAndFlags(CommandContext& ctx) { GetKeysImpl(ctx, true); }

void CommandHelp(CommandContext& ctx) {
  ReplyHelp(ctx, "COMMAND",
            {"(no subcommand)", "    Return details about all Redis commands.", "COUNT",
             "    Return the total number of commands in this Redis server.", "LIST",
             "    Return a list of all commands in this Redis server.",
             "INFO [<command-name> ...]", "    Return details about multiple Redis commands.",
             "    If no command names are given, documentation details for all",
             "    commands are returned.", "DOCS [<command-name> ...]",
             "    Return documentation details about multiple Redis commands.",
             "    If no command names are given, documentation details for all",
             "    commands are returned.", "GETKEYS <full-command>",
             "    Return the keys from a full Redis command.", "GETKEYSANDFLAGS <full-command>",
             "    Return the keys and the access flags from a full Redis command."});
}

CommandSpec Sub(const char* name, int arity, CommandHandler h, const char* summary,
                const char* since, const char* complexity, const char* args = "",
                const char* tips = "") {
  return WithDocs({name, arity, kCmdLoading | kCmdStale, 0, 0, 0, h, "server",
                   "@slow @connection"},
                  summary, since, complexity, args, tips);
}

}  // namespace

void RegisterCommandCommand(CommandTable& t) {
  CommandSpec cmd = Sub("command", -1, CommandAll,
                        "Returns detailed information about all commands.", "2.8.13",
                        "O(N) where N is the total number of Redis commands", "",
                        "nondeterministic_output_order");
  cmd.subcommands = {
      Sub("command|count", 2, CommandCount, "Returns a count of commands.", "2.8.13", "O(1)"),
      Sub("command|docs", -2, CommandDocs, "Returns documentary information about one, multiple "
          "or all commands.", "7.0.0", "O(N) where N is the number of commands to look up",
          "[command-name...]", "nondeterministic_output_order"),
      Sub("command|getkeys", -4, CommandGetkeys,
          "Extracts the key names from an arbitrary command.", "2.8.13",
          "O(N) where N is the number of arguments to the command", "command arg..."),
      Sub("command|getkeysandflags", -4, CommandGetkeysAndFlags,
          "Extracts the key names and access flags for an arbitrary command.", "7.0.0",
          "O(N) where N is the number of arguments to the command", "command arg..."),
      Sub("command|help", 2, CommandHelp, "Returns helpful text about the different subcommands.",
          "5.0.0", "O(1)"),
      Sub("command|info", -2, CommandInfo,
          "Returns information about one, multiple or all commands.", "2.8.13",
          "O(N) where N is the number of commands to look up", "[command-name...]",
          "nondeterministic_output_order"),
      Sub("command|list", -2, CommandList, "Returns a list of command names.", "7.0.0",
          "O(N) where N is the total number of Redis commands",
          "[FILTERBY filterby=(MODULE module-name|ACLCAT category|PATTERN pattern:pattern)]",
          "nondeterministic_output_order"),
  };
  t.Register(std::move(cmd));
}

}  // namespace ember
