// SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA] [STORE dst]
// SORT_RO: the same without STORE.
//
// Algorithm (Redis 7.2 sort.c):
//   1. Parse options left to right; the first bad one replies (syntax error, or the LIMIT integer
//      error) before the key is even looked up.
//   2. The key must be a list, set or sorted set (missing = empty list). Its elements are
//      collected through core/sort_input.h.
//   3. BY without '*' (e.g. "nosort") means "don't sort": lists and zsets keep their order (DESC
//      reverses it), sets keep their iteration order, except with STORE, where a set is sorted
//      ALPHA so the stored result is deterministic.
//   4. Otherwise each element gets a weight: the element itself or the value found by the BY
//      pattern ('*' replaced by the element; "key->field" reads a hash field). Numeric weights are
//      parsed with strtod (missing values weigh 0); any that does not parse fails the command with
//      "One or more scores can't be converted into double". Ties compare the elements as binary
//      strings, so the order is deterministic.
//   5. LIMIT is clamped to the vector as Redis clamps it; each selected element is replied (or
//      stored) as itself, or as one value per GET pattern ("#" = the element; missing = nil,
//      stored as an empty string).
//   6. STORE writes a list (deleting dst when the result is empty) and replies its length.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "base/strutil.h"
#include "commands/sort_command.h"
#include "core/database.h"
#include "core/sort_input.h"
#include "proto/errors.h"
#include "proto/reply_builder.h"
#include "server/command_table.h"
#include "server/server.h"

namespace ember {
namespace {

constexpr std::string_view kErrScoresNotDouble =
    "ERR One or more scores can't be converted into double";

// Redis's lookupKeyByPattern: "#" is the element itself; otherwise the first '*' is replaced by
// the element and the resulting key is read as a string, or with "->field" as a hash field.
// A pattern without '*' finds nothing.
std::optional<std::string> LookupByPattern(Database* db, std::string_view pattern,
                                           std::string_view subst) {
  if (pattern == "#") return std::string(subst);
  size_t star = pattern.find('*');
  if (star == std::string_view::npos) return std::nullopt;
  std::string_view field;
  size_t arrow = pattern.find("->", star + 1);
  bool has_field = arrow != std::string_view::npos && arrow + 2 < pattern.size();
  if (has_field) field = pattern.substr(arrow + 2);
  std::string key;
  key.reserve(pattern.size() + subst.size());
  key.append(pattern.substr(0, star));
  key.append(subst);
  size_t tail_end = has_field ? arrow : pattern.size();
  key.append(pattern.substr(star + 1, tail_end - star - 1));

  Record* r = db->LookupRead(key);
  if (!r) return std::nullopt;
  if (has_field) {
    if (r->type() != ObjType::kHash) return std::nullopt;
    std::string v;
    if (!SortHashFieldValue(r, field, &v)) return std::nullopt;
    return v;
  }
  if (r->type() != ObjType::kString) return std::nullopt;
  char buf[32];
  return std::string(r->StringValue(buf));
}

struct SortItem {
  std::string obj;
  double score = 0;
  std::optional<std::string> cmp;  // ALPHA with BY: the weight string (null when missing)
};

// Binary comparison (Redis's compareStringObjects).
int BinaryCompare(const std::string& a, const std::string& b) {
  int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}
// strcoll over C strings (Redis's collateStringObjects); in the C locale that is strcmp, which
// stops at the first NUL byte.
int CollateCompare(const std::string& a, const std::string& b) {
  int c = std::strcoll(a.c_str(), b.c_str());
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

void SortGeneric(CommandContext& ctx, bool readonly) {
  bool desc = false, alpha = false, dontsort = false;
  int64_t limit_start = 0, limit_count = -1;
  std::optional<std::string_view> sortby, storekey;
  std::vector<std::string_view> gets;

  for (size_t j = 2; j < ctx.argc(); j++) {
    std::string_view opt = ctx.arg(j);
    size_t leftargs = ctx.argc() - j - 1;
    if (EqualsIgnoreCase(opt, "asc")) {
      desc = false;
    } else if (EqualsIgnoreCase(opt, "desc")) {
      desc = true;
    } else if (EqualsIgnoreCase(opt, "alpha")) {
      alpha = true;
    } else if (EqualsIgnoreCase(opt, "limit") && leftargs >= 2) {
      if (!ParseInt64(ctx.arg(j + 1), &limit_start) || !ParseInt64(ctx.arg(j + 2), &limit_count)) {
        return ctx.reply->Error(proto::kErrNotInteger);
      }
      j += 2;
    } else if (!readonly && EqualsIgnoreCase(opt, "store") && leftargs >= 1) {
      storekey = ctx.arg(j + 1);
      j++;
    } else if (EqualsIgnoreCase(opt, "by") && leftargs >= 1) {
      sortby = ctx.arg(j + 1);
      if (sortby->find('*') == std::string_view::npos) dontsort = true;
      j++;
    } else if (EqualsIgnoreCase(opt, "get") && leftargs >= 1) {
      gets.push_back(ctx.arg(j + 1));
      j++;
    } else {
      return ctx.reply->Error(proto::kErrSyntax);
    }
  }

  Record* r = ctx.db->LookupRead(ctx.arg(1));
  if (r && r->type() != ObjType::kSet && r->type() != ObjType::kList &&
      r->type() != ObjType::kZSet) {
    return ctx.reply->Error(proto::kErrWrongType);
  }
  ObjType type = r ? r->type() : ObjType::kList;
  if (dontsort && type == ObjType::kSet && storekey) {
    dontsort = false;
    alpha = true;
    sortby.reset();
  }

  std::vector<std::string> elems;
  if (r && !CollectSortInput(r, &elems)) return ctx.reply->Error(proto::kErrWrongType);
  if (dontsort && desc && type != ObjType::kSet) std::reverse(elems.begin(), elems.end());

  int64_t vectorlen = static_cast<int64_t>(elems.size());
  int64_t start = std::min(std::max<int64_t>(limit_start, 0), vectorlen);
  limit_count = std::min(std::max<int64_t>(limit_count, -1), vectorlen);
  int64_t end = limit_count < 0 ? vectorlen - 1 : start + limit_count - 1;
  if (start >= vectorlen) {
    start = vectorlen - 1;
    end = vectorlen - 2;
  }
  if (end >= vectorlen) end = vectorlen - 1;

  std::vector<SortItem> items(elems.size());
  for (size_t i = 0; i < elems.size(); i++) items[i].obj = std::move(elems[i]);

  bool conversion_error = false;
  if (!dontsort) {
    for (SortItem& it : items) {
      std::optional<std::string> byval;
      if (sortby) {
        byval = LookupByPattern(ctx.db, *sortby, it.obj);
        if (!byval) continue;
      }
      const std::string& w = sortby ? *byval : it.obj;
      if (alpha) {
        if (sortby) it.cmp = w;
      } else {
        errno = 0;
        char* eptr = nullptr;
        it.score = std::strtod(w.c_str(), &eptr);
        if (*eptr != '\0' || errno == ERANGE || std::isnan(it.score)) conversion_error = true;
      }
    }
    bool bypattern = sortby.has_value(), store = storekey.has_value();
    auto cmp = [&](const SortItem& a, const SortItem& b) {
      int c;
      if (!alpha) {
        if (a.score > b.score) {
          c = 1;
        } else if (a.score < b.score) {
          c = -1;
        } else {
          c = BinaryCompare(a.obj, b.obj);
        }
      } else if (bypattern) {
        if (!a.cmp || !b.cmp) {
          c = (a.cmp.has_value() == b.cmp.has_value()) ? 0 : (!a.cmp ? -1 : 1);
        } else {
          c = store ? BinaryCompare(*a.cmp, *b.cmp) : CollateCompare(*a.cmp, *b.cmp);
        }
      } else {
        c = store ? BinaryCompare(a.obj, b.obj) : CollateCompare(a.obj, b.obj);
      }
      return (desc ? -c : c) < 0;
    };
    std::stable_sort(items.begin(), items.end(), cmp);
  }

  int64_t selected = end - start + 1;
  int64_t outputlen = gets.empty() ? selected : static_cast<int64_t>(gets.size()) * selected;
  if (conversion_error) return ctx.reply->Error(kErrScoresNotDouble);

  if (!storekey) {
    ctx.reply->ArrayLen(static_cast<uint64_t>(outputlen));
    for (int64_t j = start; j <= end; j++) {
      const std::string& obj = items[j].obj;
      if (gets.empty()) ctx.reply->Bulk(obj);
      for (std::string_view pat : gets) {
        std::optional<std::string> v = LookupByPattern(ctx.db, pat, obj);
        if (v) {
          ctx.reply->Bulk(*v);
        } else {
          ctx.reply->Null();
        }
      }
    }
    return;
  }

  std::vector<std::string> out;
  out.reserve(static_cast<size_t>(std::max<int64_t>(outputlen, 0)));
  for (int64_t j = start; j <= end; j++) {
    if (gets.empty()) {
      out.push_back(std::move(items[j].obj));
      continue;
    }
    for (std::string_view pat : gets) {
      std::optional<std::string> v = LookupByPattern(ctx.db, pat, items[j].obj);
      out.push_back(v ? std::move(*v) : std::string());
    }
  }
  std::string_view dst = *storekey;
  if (outputlen > 0) {
    const ServerConfig& cfg = ctx.server->cfg();
    bool fresh = ctx.db->LookupWrite(dst) == nullptr;
    if (fresh) ctx.server->NotifyKeyspaceEvent(notify::kNew, "new", dst, ctx.db->id());
    ctx.db->Set(dst, NewSortStoreList(out, cfg.list_max_listpack_size, cfg.list_compress_depth));
    ctx.server->NotifyKeyspaceEvent(notify::kList, "sortstore", dst, ctx.db->id());
    ctx.server->KeyModified(*ctx.db, dst, static_cast<uint64_t>(outputlen));
  } else if (ctx.db->Delete(dst, ctx.server->cfg().lazyfree_lazy_server_del)) {
    ctx.server->KeyModified(*ctx.db, dst);
    ctx.server->NotifyKeyspaceEvent(notify::kGeneric, "del", dst, ctx.db->id());
  }
  ctx.reply->Integer(outputlen);
}

void SortCommand(CommandContext& ctx) { SortGeneric(ctx, false); }
void SortRoCommand(CommandContext& ctx) { SortGeneric(ctx, true); }

}  // namespace

void RegisterSortCommands(CommandTable& t) {
  t.Register({"sort", -2, kCmdWrite | kCmdDenyOom, 1, 1, 1, SortCommand, "generic",
              "@write @set @sortedset @list @slow @dangerous"});
  t.Register({"sort_ro", -2, kCmdReadonly, 1, 1, 1, SortRoCommand, "generic",
              "@read @set @sortedset @list @slow @dangerous"});
}

}  // namespace ember
