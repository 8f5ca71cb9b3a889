// COMMAND INFO / COMMAND DOCS replies, and the doc_args parser (grammar in command_docs.h).
//
// Parsing is a small recursive descent over a token stream: WORD, '[', ']', '(', ')', '|', NAME=,
// and the '...' / '...*' suffixes. Rows are static strings, so a unit test parses every row of the
// command table; at run time an unparsable string only drops "arguments" from COMMAND DOCS.
#include "server/command_docs.h"

#include <cctype>
#include <sstream>

#include "proto/reply_builder.h"

namespace ember {

namespace {

struct Tok {
  enum Kind { kWord, kOpen, kClose, kPOpen, kPClose, kBar, kEnd } kind;
  std::string text;    // kWord; for kOpen/kPOpen the group name ("" = none)
  int suffix = 0;      // 0, 1 = "...", 2 = "...*" (attached to the following item by the parser)
  size_t pos = 0;
};

bool IsTokenWord(std::string_view w) {
  bool letter = false;
  for (char c : w) {
    if (c >= 'A' && c <= 'Z') {
      letter = true;
    } else if (!(c >= '0' && c <= '9') && c != '-' && c != '_') {
      return false;
    }
  }
  return letter;
}

Status Lex(std::string_view s, std::vector<Tok>* out) {
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == ' ') {
      i++;
      continue;
    }
    Tok t{Tok::kEnd, "", 0, i};
    if (c == '[' || c == '(') {
      t.kind = c == '[' ? Tok::kOpen : Tok::kPOpen;
      i++;
    } else if (c == ']' || c == ')') {
      t.kind = c == ']' ? Tok::kClose : Tok::kPClose;
      i++;
    } else if (c == '|') {
      t.kind = Tok::kBar;
      i++;
    } else if (s.substr(i, 3) == "...") {
      if (out->empty()) return Status::InvalidArgument("'...' at offset " + std::to_string(i));
      out->back().suffix = s.substr(i, 4) == "...*" ? 2 : 1;
      i += out->back().suffix == 2 ? 4 : 3;
      continue;
    } else {
      size_t j = i;
      while (j < s.size() && std::string(" []()|").find(s[j]) == std::string::npos &&
             s.substr(j, 3) != "...") {
        if (s[j] == '=') break;
        j++;
      }
      if (j < s.size() && s[j] == '=' && !out->empty() && out->back().text.empty() &&
          (out->back().kind == Tok::kOpen || out->back().kind == Tok::kPOpen) &&
          out->back().pos + 1 == i && j > i) {
        // "[name=...": names the group just opened.
        out->back().text = std::string(s.substr(i, j - i));
        i = j + 1;
        continue;
      }
      if (j < s.size() && s[j] == '=') {
        // NAME= must open a group.
        if (j == i || j + 1 >= s.size() || (s[j + 1] != '[' && s[j + 1] != '(')) {
          return Status::InvalidArgument("'=' not followed by a group at offset " +
                                         std::to_string(j));
        }
        t.kind = s[j + 1] == '[' ? Tok::kOpen : Tok::kPOpen;
        t.text = std::string(s.substr(i, j - i));
        i = j + 2;
      } else {
        if (j == i) return Status::InvalidArgument("bad character at offset " + std::to_string(i));
        t.kind = Tok::kWord;
        t.text = std::string(s.substr(i, j - i));
        i = j;
      }
    }
    out->push_back(std::move(t));
  }
  out->push_back(Tok{Tok::kEnd, "", 0, s.size()});
  return Status::OK();
}

class Parser {
 public:
  explicit Parser(std::vector<Tok> toks) : toks_(std::move(toks)) {}

  Status ParseAll(std::vector<DocArg>* out) {
    EMBER_RETURN_IF_ERROR(ParseSeq(out));
    if (toks_[pos_].kind != Tok::kEnd) return Err("unexpected token");
    return Status::OK();
  }

 private:
  Status Err(const char* what) {
    return Status::InvalidArgument(std::string(what) + " at offset " +
                                   std::to_string(toks_[pos_].pos));
  }

  static void ApplySuffix(DocArg* a, int suffix) {
    if (suffix >= 1) a->multiple = true;
    if (suffix == 2) a->multiple_token = true;
  }

  // seq := item*, merging "TOKEN value" pairs.
  Status ParseSeq(std::vector<DocArg>* out) {
    for (;;) {
      Tok::Kind k = toks_[pos_].kind;
      if (k == Tok::kEnd || k == Tok::kClose || k == Tok::kPClose || k == Tok::kBar) break;
      DocArg a;
      int suffix = 0;
      bool plain_word = k == Tok::kWord;
      EMBER_RETURN_IF_ERROR(ParseItem(&a, &suffix));
      if (plain_word && a.type == "pure-token" && suffix == 0 &&
          ((toks_[pos_].kind == Tok::kWord && !IsTokenWord(toks_[pos_].text)) ||
           toks_[pos_].kind == Tok::kPOpen)) {
        DocArg v;
        int vs = 0;
        EMBER_RETURN_IF_ERROR(ParseItem(&v, &vs));
        v.token = a.token;
        ApplySuffix(&v, vs);
        out->push_back(std::move(v));
        continue;
      }
      ApplySuffix(&a, suffix);
      out->push_back(std::move(a));
    }
    return Status::OK();
  }

  Status ParseItem(DocArg* a, int* suffix) {
    const Tok& t = toks_[pos_];
    if (t.kind == Tok::kWord) {
      pos_++;
      *suffix = t.suffix;
      if (IsTokenWord(t.text)) {
        a->type = "pure-token";
        a->token = t.text;
        a->name = ToLowerName(t.text);
        return Status::OK();
      }
      size_t colon = t.text.find(':');
      a->name = t.text.substr(0, colon);
      a->type = colon == std::string::npos ? (a->name == "key" ? "key" : "string")
                                           : t.text.substr(colon + 1);
      if (a->name.empty() || a->type.empty()) return Err("empty name or type");
      if (a->type == "key") a->key_spec_index = 0;
      return Status::OK();
    }
    if (t.kind != Tok::kOpen && t.kind != Tok::kPOpen) return Err("expected an argument");
    bool optional = t.kind == Tok::kOpen;
    std::string name = t.text;
    Tok::Kind close = optional ? Tok::kClose : Tok::kPClose;
    pos_++;
    std::vector<std::vector<DocArg>> alts(1);
    EMBER_RETURN_IF_ERROR(ParseSeq(&alts.back()));
    while (toks_[pos_].kind == Tok::kBar) {
      pos_++;
      alts.emplace_back();
      EMBER_RETURN_IF_ERROR(ParseSeq(&alts.back()));
    }
    if (toks_[pos_].kind != close) return Err("unbalanced group");
    *suffix = toks_[pos_].suffix;
    pos_++;
    for (const auto& alt : alts) {
      if (alt.empty()) return Err("empty group");
    }
    if (alts.size() == 1) {
      if (alts[0].size() == 1 && name.empty()) {
        *a = std::move(alts[0][0]);
      } else {
        a->type = "block";
        a->name = name.empty() ? alts[0][0].name : name;
        a->args = std::move(alts[0]);
      }
    } else {
      a->type = "oneof";
      a->name = name.empty() ? alts[0][0].name : name;
      for (auto& alt : alts) {
        if (alt.size() == 1) {
          a->args.push_back(std::move(alt[0]));
        } else {
          DocArg b;
          b.type = "block";
          b.name = alt[0].name;
          b.args = std::move(alt);
          a->args.push_back(std::move(b));
        }
      }
    }
    if (optional) a->optional = true;
    return Status::OK();
  }

  static std::string ToLowerName(std::string_view s) {
    std::string o(s);
    for (auto& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return o;
  }

  std::vector<Tok> toks_;
  size_t pos_ = 0;
};

std::vector<std::string> SplitSpaces(std::string_view s) {
  std::vector<std::string> out;
  std::istringstream in{std::string(s)};
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

void ReplyArg(proto::ReplyBuilder* r, const DocArg& a) {
  bool nested = a.type == "oneof" || a.type == "block";
  bool has_display = !nested && a.type != "pure-token";
  uint64_t n = 2 + (has_display ? 1 : 0) + (a.key_spec_index >= 0 ? 1 : 0) +
               (a.token.empty() ? 0 : 1) +
               ((a.optional || a.multiple || a.multiple_token) ? 1 : 0) + (nested ? 1 : 0);
  r->MapLen(n);
  r->Bulk("name");
  r->Bulk(a.name);
  r->Bulk("type");
  r->Bulk(a.type);
  if (has_display) {
    r->Bulk("display_text");
    r->Bulk(a.name);
  }
  if (a.key_spec_index >= 0) {
    r->Bulk("key_spec_index");
    r->Integer(a.key_spec_index);
  }
  if (!a.token.empty()) {
    r->Bulk("token");
    r->Bulk(a.token);
  }
  if (a.optional || a.multiple || a.multiple_token) {
    r->Bulk("flags");
    r->SetLen(static_cast<uint64_t>(a.optional) + a.multiple + a.multiple_token);
    if (a.optional) r->SimpleString("optional");
    if (a.multiple) r->SimpleString("multiple");
    if (a.multiple_token) r->SimpleString("multiple_token");
  }
  if (nested) {
    r->Bulk("arguments");
    r->ArrayLen(a.args.size());
    for (const auto& sub : a.args) ReplyArg(r, sub);
  }
}

}  // namespace

Expected<std::vector<DocArg>> ParseDocArgs(std::string_view text) {
  std::vector<Tok> toks;
  Status st = Lex(text, &toks);
  if (!st.ok()) return st;
  Parser p(std::move(toks));
  std::vector<DocArg> out;
  st = p.ParseAll(&out);
  if (!st.ok()) return st;
  return out;
}

std::string KeySpecFlags(const CommandSpec& spec) {
  if (spec.key_spec_flags && *spec.key_spec_flags) return spec.key_spec_flags;
  if (spec.flags & kCmdWrite) return "RW update";
  return "RO access";
}

void ReplyCommandInfo(proto::ReplyBuilder* r, const CommandSpec& spec) {
  r->ArrayLen(10);
  r->Bulk(spec.name);
  r->Integer(spec.arity);
  size_t nflags = 0;
  for (const auto& f : kCommandFlagNames) nflags += (spec.flags & f.flag) ? 1 : 0;
  r->SetLen(nflags);
  for (const auto& f : kCommandFlagNames) {
    if (spec.flags & f.flag) r->SimpleString(f.name);
  }
  r->Integer(spec.first_key);
  r->Integer(spec.last_key);
  r->Integer(spec.key_step);
  auto cats = SplitSpaces(spec.acl_categories ? spec.acl_categories : "");
  r->SetLen(cats.size());
  for (const auto& c : cats) r->SimpleString(c);
  auto tips = SplitSpaces(spec.tips ? spec.tips : "");
  r->ArrayLen(tips.size());
  for (const auto& t : tips) r->Bulk(t);
  // Key specs: one range spec when the command has fixed key positions.
  if (spec.first_key > 0) {
    r->ArrayLen(1);
    r->MapLen(3);
    r->Bulk("flags");
    auto kf = SplitSpaces(KeySpecFlags(spec));
    r->SetLen(kf.size());
    for (const auto& f : kf) r->SimpleString(f);
    r->Bulk("begin_search");
    r->MapLen(2);
    r->Bulk("type");
    r->Bulk("index");
    r->Bulk("spec");
    r->MapLen(1);
    r->Bulk("index");
    r->Integer(spec.first_key);
    r->Bulk("find_keys");
    r->MapLen(2);
    r->Bulk("type");
    r->Bulk("range");
    r->Bulk("spec");
    r->MapLen(3);
    r->Bulk("lastkey");
    r->Integer(spec.last_key >= 0 ? spec.last_key - spec.first_key : spec.last_key);
    r->Bulk("keystep");
    r->Integer(spec.key_step);
    r->Bulk("limit");
    r->Integer(0);
  } else {
    r->ArrayLen(0);
  }
  r->ArrayLen(spec.subcommands.size());
  for (const auto& sub : spec.subcommands) ReplyCommandInfo(r, sub);
}

void ReplyCommandDocs(proto::ReplyBuilder* r, const CommandSpec& spec) {
  std::vector<DocArg> args;
  if (spec.doc_args && *spec.doc_args) {
    auto parsed = ParseDocArgs(spec.doc_args);
    if (parsed.ok()) args = std::move(parsed).value();
  }
  r->MapLen(4 + (args.empty() ? 0 : 1) + (spec.subcommands.empty() ? 0 : 1));
  r->Bulk("summary");
  r->Bulk(spec.summary ? spec.summary : "");
  r->Bulk("since");
  r->Bulk(spec.since ? spec.since : "");
  r->Bulk("group");
  r->Bulk(spec.group ? spec.group : "");
  r->Bulk("complexity");
  r->Bulk(spec.complexity ? spec.complexity : "");
  if (!args.empty()) {
    r->Bulk("arguments");
    r->ArrayLen(args.size());
    for (const auto& a : args) ReplyArg(r, a);
  }
  if (!spec.subcommands.empty()) {
    r->Bulk("subcommands");
    r->MapLen(spec.subcommands.size());
    for (const auto& sub : spec.subcommands) {
      r->Bulk(sub.name);
      ReplyCommandDocs(r, sub);
    }
  }
}

}  // namespace ember
