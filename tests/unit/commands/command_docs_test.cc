// COMMAND INFO / DOCS: the doc_args grammar and the reply bytes, checked against Redis 7.0.15's
// replies for the same rows.
#include "server/command_docs.h"

#include <gtest/gtest.h>

#include <functional>

#include "proto/reply_builder.h"
#include "server/command_table.h"

namespace ember {
namespace {

std::vector<DocArg> Parse(std::string_view s) {
  auto r = ParseDocArgs(s);
  EXPECT_TRUE(r.ok()) << s << ": " << r.status().ToString();
  return r.ok() ? std::move(r).value() : std::vector<DocArg>{};
}

TEST(DocArgs, PlainArgumentsAndKeyType) {
  auto a = Parse("key value");
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].name, "key");
  EXPECT_EQ(a[0].type, "key");
  EXPECT_EQ(a[0].key_spec_index, 0);
  EXPECT_EQ(a[1].name, "value");
  EXPECT_EQ(a[1].type, "string");
  EXPECT_EQ(a[1].key_spec_index, -1);
}

TEST(DocArgs, TokenWithValueMergesIntoOneArgument) {
  auto a = Parse("key [SAMPLES count:integer]");
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[1].name, "count");
  EXPECT_EQ(a[1].type, "integer");
  EXPECT_EQ(a[1].token, "SAMPLES");
  EXPECT_TRUE(a[1].optional);
  EXPECT_TRUE(a[1].args.empty());
}

TEST(DocArgs, OneofOfPureTokensTakesFirstNameUnlessNamed) {
  auto a = Parse("[ASYNC|SYNC]");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].type, "oneof");
  EXPECT_EQ(a[0].name, "async");
  EXPECT_TRUE(a[0].optional);
  ASSERT_EQ(a[0].args.size(), 2u);
  EXPECT_EQ(a[0].args[1].type, "pure-token");
  EXPECT_EQ(a[0].args[1].token, "SYNC");
  EXPECT_EQ(a[0].args[1].name, "sync");
  EXPECT_FALSE(a[0].args[1].optional);
  auto b = Parse("[flush-type=ASYNC|SYNC]");
  EXPECT_EQ(b[0].name, "flush-type");
}

TEST(DocArgs, SetLikeGrammarWithBlocksAndSuffixes) {
  auto a = Parse(
      "key value [condition=NX|XX] [GET] [expiration=EX seconds:integer|PX ms:integer|KEEPTTL] "
      "data=(field value)... [GET pattern]...*");
  ASSERT_EQ(a.size(), 7u);
  EXPECT_EQ(a[2].type, "oneof");
  EXPECT_EQ(a[2].name, "condition");
  EXPECT_EQ(a[3].type, "pure-token");
  EXPECT_TRUE(a[3].optional);
  ASSERT_EQ(a[4].args.size(), 3u);
  EXPECT_EQ(a[4].args[0].token, "EX");
  EXPECT_EQ(a[4].args[0].type, "integer");
  EXPECT_EQ(a[4].args[2].type, "pure-token");
  EXPECT_EQ(a[5].type, "block");
  EXPECT_EQ(a[5].name, "data");
  EXPECT_TRUE(a[5].multiple);
  EXPECT_FALSE(a[5].optional);
  ASSERT_EQ(a[5].args.size(), 2u);
  EXPECT_EQ(a[6].token, "GET");
  EXPECT_TRUE(a[6].multiple);
  EXPECT_TRUE(a[6].multiple_token);
  EXPECT_TRUE(a[6].optional);
}

TEST(DocArgs, OneofAlternativeWithSeveralItemsIsABlock) {
  auto a = Parse("(MODULE name|ACLCAT category PATTERN pattern:pattern)");
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(a[0].args.size(), 2u);
  EXPECT_EQ(a[0].args[0].token, "MODULE");
  EXPECT_EQ(a[0].args[1].type, "block");
  EXPECT_EQ(a[0].args[1].args.size(), 2u);
  EXPECT_FALSE(a[0].optional);
}

TEST(DocArgs, TokenBeforeAGroupBecomesTheGroupsToken) {
  auto a = Parse("[FILTERBY filterby=(MODULE name|ACLCAT category)]");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].type, "oneof");
  EXPECT_EQ(a[0].name, "filterby");
  EXPECT_EQ(a[0].token, "FILTERBY");
  EXPECT_TRUE(a[0].optional);
  EXPECT_EQ(a[0].args[1].token, "ACLCAT");
}

TEST(DocArgs, MalformedStringsAreErrors) {
  for (const char* bad : {"[a", "a]", "(a", "a|b", "x=y", "[]", "...", "[a|]", "a:"}) {
    EXPECT_FALSE(ParseDocArgs(bad).ok()) << bad;
  }
  EXPECT_TRUE(ParseDocArgs("").ok());
}

TEST(DocArgs, EveryRegisteredRowParses) {
  CommandTable t;
  std::function<void(const CommandSpec&)> check = [&](const CommandSpec& s) {
    if (s.doc_args && *s.doc_args) {
      auto r = ParseDocArgs(s.doc_args);
      EXPECT_TRUE(r.ok()) << s.name << ": " << r.status().ToString();
    }
    for (const auto& sub : s.subcommands) check(sub);
  };
  for (const auto& s : t.all()) check(*s);
}

// The bytes Redis 7.0.15 sends for COMMAND INFO get (one element).
TEST(CommandInfoReply, MatchesRedisForAFixedKeyCommand) {
  CommandSpec get{"get", 2, kCmdReadonly | kCmdFast, 1, 1, 1, nullptr, "string",
                  "@read @string @fast"};
  proto::ReplyBuilder r(2);
  ReplyCommandInfo(&r, get);
  EXPECT_EQ(r.TakeAll(),
            "*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n"
            "+@string\r\n+@fast\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\n"
            "begin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n"
            ":1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\n"
            "lastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n");
}

TEST(CommandInfoReply, MatchesRedisForAStepRangeWithTips) {
  CommandSpec mset{"mset", -3, kCmdWrite | kCmdDenyOom, 1, -1, 2, nullptr, "string",
                   "@write @string @slow"};
  mset.tips = "request_policy:multi_shard response_policy:all_succeeded";
  mset.key_spec_flags = "OW update";
  proto::ReplyBuilder r(2);
  ReplyCommandInfo(&r, mset);
  EXPECT_EQ(r.TakeAll(),
            "*10\r\n$4\r\nmset\r\n:-3\r\n*2\r\n+write\r\n+denyoom\r\n:1\r\n:-1\r\n:2\r\n*3\r\n"
            "+@write\r\n+@string\r\n+@slow\r\n*2\r\n$26\r\nrequest_policy:multi_shard\r\n$29\r\n"
            "response_policy:all_succeeded\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+OW\r\n+update\r\n"
            "$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\n"
            "index\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n"
            "*6\r\n$7\r\nlastkey\r\n:-1\r\n$7\r\nkeystep\r\n:2\r\n$5\r\nlimit\r\n:0\r\n*0\r\n");
}

// Redis 7.0.15's COMMAND DOCS get, plus the display_text field 7.2 adds to valued arguments.
TEST(CommandDocsReply, MatchesRedisShape) {
  CommandSpec get{"get", 2, kCmdReadonly | kCmdFast, 1, 1, 1, nullptr, "string",
                  "@read @string @fast"};
  get.summary = "Get the value of a key";
  get.since = "1.0.0";
  get.complexity = "O(1)";
  get.doc_args = "key";
  proto::ReplyBuilder r(2);
  ReplyCommandDocs(&r, get);
  EXPECT_EQ(r.TakeAll(),
            "*10\r\n$7\r\nsummary\r\n$22\r\nGet the value of a key\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n"
            "$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n"
            "*1\r\n*8\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$12\r\ndisplay_text\r\n"
            "$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n");
}

TEST(CommandDocsReply, OptionalOneofOfTokens) {
  CommandSpec f{"flushall", -1, kCmdWrite, 0, 0, 0, nullptr, "server", ""};
  f.doc_args = "[ASYNC|SYNC]";
  proto::ReplyBuilder r(2);
  ReplyCommandDocs(&r, f);
  std::string out = r.TakeAll();
  EXPECT_NE(out.find("$4\r\nname\r\n$5\r\nasync\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nflags\r\n"
                     "*1\r\n+optional\r\n$9\r\narguments\r\n*2\r\n*6\r\n$4\r\nname\r\n$5\r\nasync"
                     "\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$5\r\nASYNC\r\n"),
            std::string::npos)
      << out;
}

TEST(CommandKeys, GetKeysProcOverridesTheRange) {
  CommandSpec s{"x", -2, 0, 1, 1, 1, nullptr};
  std::vector<std::string_view> args{"x", "a", "b", "c"};
  EXPECT_EQ(CommandKeyPositions(s, args), std::vector<int>({1}));
  s.get_keys = [](std::span<const std::string_view> a) {
    std::vector<int> v;
    for (size_t i = 2; i < a.size(); i++) v.push_back(static_cast<int>(i));
    return v;
  };
  EXPECT_EQ(CommandKeyPositions(s, args), std::vector<int>({2, 3}));
}

}  // namespace
}  // namespace ember
