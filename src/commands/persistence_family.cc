// Persistence commands: SAVE, BGSAVE [SCHEDULE], LASTSAVE.
#include "base/strutil.h"
#include "commands/families.h"
#include "proto/errors.h"
#include "proto/reply_builder.h"
#include "server/command_table.h"
#include "server/server.h"

namespace ember {

namespace {

void SaveCmd(CommandContext& ctx) {
  if (ctx.server->rdb().child_active()) {
    ctx.reply->Error(proto::kErrBgsaveInProgress);
    return;
  }
  Status st = ctx.server->rdb().Save();
  if (!st.ok()) {
    ctx.reply->Error("ERR");
    return;
  }
  ctx.reply->Ok();
}

void BgsaveCmd(CommandContext& ctx) {
  bool schedule = false;
  if (ctx.argc() > 1) {
    if (ctx.argc() == 2 && EqualsIgnoreCase(ctx.arg(1), "schedule")) {
      schedule = true;
    } else {
      ctx.reply->Error(proto::kErrSyntax);
      return;
    }
  }
  bool scheduled = false;
  Status st = ctx.server->rdb().BackgroundSave(schedule, &scheduled);
  if (!st.ok()) {
    ctx.reply->Error(st.message());
    return;
  }
  ctx.reply->SimpleString(scheduled ? proto::kStatusBgsaveScheduled : proto::kStatusBgsaveStarted);
}

void LastsaveCmd(CommandContext& ctx) { ctx.reply->Integer(ctx.server->rdb().lastsave()); }

}  // namespace

void RegisterPersistenceFamily(CommandTable& t) {
  t.Register({"save", 1, kCmdAdmin | kCmdNoscript | kCmdNoMulti, 0, 0, 0,
              SaveCmd, "server", "@admin @slow @dangerous"});
  t.Register({"bgsave", -1, kCmdAdmin | kCmdNoscript, 0, 0, 0, BgsaveCmd, "server",
              "@admin @slow @dangerous"});
  t.Register({"lastsave", 1, kCmdLoading | kCmdStale | kCmdFast, 0, 0, 0, LastsaveCmd, "server",
              "@admin @fast @dangerous"});
}

}  // namespace ember
