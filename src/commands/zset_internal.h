// Shared pieces of the sorted-set command family (src/commands/zset_*.cc): handler declarations and
// the small lookup/reply helpers every zset command uses. Not a public API.
#pragma once

#include <string_view>

#include "core/database.h"
#include "core/zset_value.h"
#include "proto/errors.h"
#include "proto/reply_builder.h"
#include "server/command.h"
#include "server/server.h"
#include "types/listpack.h"

namespace ember::zcmd {

inline ZsetLimits Limits(const CommandContext& ctx) {
  const ServerConfig& c = ctx.server->cfg();
  return ZsetLimits{static_cast<size_t>(c.zset_max_listpack_entries),
                    static_cast<size_t>(c.zset_max_listpack_value)};
}

// Read lookup with the type check: returns the record, or null when the key is missing (nothing
// replied) or holds another type (*wrongtype set, WRONGTYPE replied).
inline Record* LookupRead(CommandContext& ctx, std::string_view key, bool* wrongtype) {
  *wrongtype = false;
  Record* r = ctx.db->LookupRead(key);
  if (r && r->type() != ObjType::kZSet) {
    *wrongtype = true;
    ctx.reply->Error(proto::kErrWrongType);
    return nullptr;
  }
  return r;
}
inline Record* LookupWrite(CommandContext& ctx, std::string_view key, bool* wrongtype) {
  *wrongtype = false;
  Record* r = ctx.db->LookupWrite(key);
  if (r && r->type() != ObjType::kZSet) {
    *wrongtype = true;
    ctx.reply->Error(proto::kErrWrongType);
    return nullptr;
  }
  return r;
}

// Write access to the zset held by *r (a write lookup's record). A small listpack lives inside the
// record (core/object.h, "Inline listpacks") and cannot be reallocated there, so it is first moved
// out to its own allocation (the record keeps its size and does not move). The write must end with
// StoreZset or FinishRemoval, which bring it back inline.
inline Zset OpenForWrite(CommandContext& ctx, Record** r) {
  if ((*r)->value_inline()) {
    ValueInit v = ValueInit::Ptr(ObjType::kZSet, Encoding::kListpack,
                                 lp::Dup(static_cast<const uint8_t*>((*r)->ptr())));
    v.inline_mode = ValueInit::Inline::kNever;
    *r = ctx.db->ReplaceValue(*r, v);
  }
  return Zset::Of(*r);
}

// Stores `z` (non-empty) back into *r after a write: a small listpack goes inline again (its
// external copy is freed, so `z` and its iterators are dead afterwards); *r may move.
inline void StoreZset(CommandContext& ctx, Record** r, const Zset& z) {
  *r = ctx.db->ReplaceValue(*r, z.ToValueInit());
}

// Redis's getLongFromObjectOrReply (string2ll rules); replies the error on failure.
bool ParseLongOrReply(CommandContext& ctx, std::string_view s, long* out,
                      std::string_view err = proto::kErrNotInteger);

// Writes the member of an iterator position as a bulk (integers as BulkInt, like Redis).
inline void ReplyMember(proto::ReplyBuilder* rb, ZsetIter& it) {
  int64_t v;
  if (it.MemberInt(&v)) {
    rb->BulkInt(v);
  } else {
    rb->Bulk(it.Member());
  }
}

// After removing elements from `key`: store the value back or delete the emptied key, then fire
// `event` (+ "del") and the modified-key signal with `dirty` changes.
void FinishRemoval(CommandContext& ctx, std::string_view key, Record* r, Zset z,
                   std::string_view event, size_t dirty);

// Redis's genericZpopCommand (ZPOPMIN/ZPOPMAX/ZMPOP and the blocking pops once a key is ready).
// keys: the candidate keys in order; count -1 = single pop. Replies per Redis's four shapes.
void GenericZpop(CommandContext& ctx, std::span<const std::string_view> keys, bool max, bool emitkey,
                 long count, bool use_nested_array, bool reply_nil_when_empty);

// Handlers (zset_family.cc).
void ZaddCommand(CommandContext& ctx);
void ZincrbyCommand(CommandContext& ctx);
void ZremCommand(CommandContext& ctx);
void ZcardCommand(CommandContext& ctx);
void ZscoreCommand(CommandContext& ctx);
void ZmscoreCommand(CommandContext& ctx);
void ZrankCommand(CommandContext& ctx);
void ZrevrankCommand(CommandContext& ctx);
void ZpopminCommand(CommandContext& ctx);
void ZpopmaxCommand(CommandContext& ctx);
void ZmpopCommand(CommandContext& ctx);
void ZrandmemberCommand(CommandContext& ctx);
void ZscanCommand(CommandContext& ctx);
void BzpopminCommand(CommandContext& ctx);
void BzpopmaxCommand(CommandContext& ctx);
void BzmpopCommand(CommandContext& ctx);
// zset_range.cc
void ZrangeCommand(CommandContext& ctx);
void ZrangestoreCommand(CommandContext& ctx);
void ZrevrangeCommand(CommandContext& ctx);
void ZrangebyscoreCommand(CommandContext& ctx);
void ZrevrangebyscoreCommand(CommandContext& ctx);
void ZrangebylexCommand(CommandContext& ctx);
void ZrevrangebylexCommand(CommandContext& ctx);
void ZcountCommand(CommandContext& ctx);
void ZlexcountCommand(CommandContext& ctx);
void ZremrangebyrankCommand(CommandContext& ctx);
void ZremrangebyscoreCommand(CommandContext& ctx);
void ZremrangebylexCommand(CommandContext& ctx);
// zset_setops.cc
void ZunionCommand(CommandContext& ctx);
void ZinterCommand(CommandContext& ctx);
void ZdiffCommand(CommandContext& ctx);
void ZunionstoreCommand(CommandContext& ctx);
void ZinterstoreCommand(CommandContext& ctx);
void ZdiffstoreCommand(CommandContext& ctx);
void ZintercardCommand(CommandContext& ctx);

}  // namespace ember::zcmd
