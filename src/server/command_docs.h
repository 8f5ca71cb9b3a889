// COMMAND DOCS argument trees from CommandSpec::doc_args, and the COMMAND INFO / DOCS replies.
//
// doc_args is Redis's usage syntax, made precise enough to rebuild the argument tree Redis
// reports (name, type, token, optional/multiple flags, nested oneof/block arguments):
//
//   item        := WORD | '[' [NAME '='] alts ']' | '(' [NAME '='] alts ')'
//                | NAME '=' ('[' alts ']' | '(' alts ')')      (both name the group)
//   suffix      := '...'  (multiple)   | '...*'  (multiple and multiple_token)
//   alts        := seq ('|' seq)*      a single seq is a block (or the item itself); several are
//                                      a oneof whose alternatives are blocks or items
//   WORD        := TOKEN                upper case (A-Z 0-9 - _): a pure-token named in lower case
//                | name[:type]          lower case; type defaults to string, "key" to key
//   In a seq, TOKEN followed by one name[:type] item or one '(...)' group (without suffix between)
//   becomes one argument with that token ("COUNT count:integer" -> {name count, type integer,
//   token COUNT}; "FILTERBY (MODULE m|ACLCAT c)" -> a oneof with token FILTERBY).
//   '[...]' marks its content optional; an unnamed group takes its first member's name.
//
//   "key value [condition=NX|XX] [GET] [expiration=EX seconds:integer|PX milliseconds:integer]"
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "server/command.h"

namespace ember {

namespace proto {
class ReplyBuilder;
}
class CommandTable;

struct DocArg {
  std::string name;
  std::string type;   // key string integer double pattern unix-time pure-token oneof block
  std::string token;  // "" = none
  bool optional = false;
  bool multiple = false;
  bool multiple_token = false;
  int key_spec_index = -1;
  std::vector<DocArg> args;  // oneof / block members
};

// Parses a doc_args string. kInvalidArgument names the offset of the first error.
Expected<std::vector<DocArg>> ParseDocArgs(std::string_view text);

// COMMAND INFO's 10-element array for one command (subcommands nested).
void ReplyCommandInfo(proto::ReplyBuilder* r, const CommandSpec& spec);
// COMMAND DOCS's map value for one command (subcommands nested).
void ReplyCommandDocs(proto::ReplyBuilder* r, const CommandSpec& spec);
// The key-spec flags COMMAND INFO reports: spec.key_spec_flags, else derived from the flags.
std::string KeySpecFlags(const CommandSpec& spec);

}  // namespace ember
