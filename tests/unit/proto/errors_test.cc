// Error texts must match what redis-server 7.0.15 sends byte for byte (expected strings below were
// captured from a live server, minus the leading '-' and the CRLF).
#include "proto/errors.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <string>
#include <vector>

namespace ember::proto {
namespace {

std::string Unknown(std::vector<std::string> argv) {
  std::vector<std::string_view> v(argv.begin(), argv.end());
  return UnknownCommand(v);
}

TEST(ErrorTexts, WrongArityUsesTableName) {
  EXPECT_EQ(WrongArity("get"), "ERR wrong number of arguments for 'get' command");
  EXPECT_EQ(WrongArity("config|get"), "ERR wrong number of arguments for 'config|get' command");
}

TEST(ErrorTexts, UnknownCommandListsArgsWithTrailingSpace) {
  EXPECT_EQ(Unknown({"FOO", "a", "b"}),
            "ERR unknown command 'FOO', with args beginning with: 'a' 'b' ");
  EXPECT_EQ(Unknown({"foo"}), "ERR unknown command 'foo', with args beginning with: ");
  EXPECT_EQ(Unknown({""}), "ERR unknown command '', with args beginning with: ");
}

TEST(ErrorTexts, UnknownCommandTruncatesLikeRedis) {
  // Captured: foo a*100 b*100 c -> the second argument is cut to 25 bytes, the third is dropped.
  EXPECT_EQ(Unknown({"foo", std::string(100, 'a'), std::string(100, 'b'), "c"}),
            "ERR unknown command 'foo', with args beginning with: '" + std::string(100, 'a') +
                "' '" + std::string(25, 'b') + "' ");
  EXPECT_EQ(Unknown({"foo", std::string(126, 'a'), "b", "c"}),
            "ERR unknown command 'foo', with args beginning with: '" + std::string(126, 'a') + "' ");
  EXPECT_EQ(Unknown({"foo", std::string(200, 'a'), "b"}),
            "ERR unknown command 'foo', with args beginning with: '" + std::string(128, 'a') + "' ");
  EXPECT_EQ(Unknown({std::string(200, 'x')}),
            "ERR unknown command '" + std::string(128, 'x') + "', with args beginning with: ");
}

TEST(ErrorTexts, UnknownCommandStopsAtNul) {
  EXPECT_EQ(Unknown({std::string("foo\0bar", 7), "x"}),
            "ERR unknown command 'foo', with args beginning with: 'x' ");
  EXPECT_EQ(Unknown({"foo", "a", std::string("c\0d", 3)}),
            "ERR unknown command 'foo', with args beginning with: 'a' 'c' ");
}

TEST(ErrorTexts, UnknownSubcommandUppercasesContainer) {
  EXPECT_EQ(UnknownSubcommand("config", "foo"), "ERR unknown subcommand 'foo'. Try CONFIG HELP.");
  EXPECT_EQ(UnknownSubcommand("Object", "FOO"), "ERR unknown subcommand 'FOO'. Try OBJECT HELP.");
  EXPECT_EQ(UnknownSubcommand("config", std::string(200, 'x')),
            "ERR unknown subcommand '" + std::string(128, 'x') + "'. Try CONFIG HELP.");
}

TEST(ErrorTexts, OtherParametrizedTexts) {
  EXPECT_EQ(InvalidExpireTime("setex"), "ERR invalid expire time in 'setex' command");
  EXPECT_EQ(ProtoExpectedDollar('+'), "ERR Protocol error: expected '$', got '+'");
  EXPECT_EQ(ProtoExpectedDollar('\0'), "ERR Protocol error: expected '$', got '");
  EXPECT_EQ(MisconfAof(ENOSPC), "MISCONF Errors writing to the AOF file: No space left on device");
  EXPECT_EQ(NotAllowedInSubscribeContext("multi"),
            "ERR Can't execute 'multi': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / "
            "RESET are allowed in this context");
  EXPECT_EQ(ExecAbortBecause(NotAllowedInSubscribeContext("exec")),
            "EXECABORT Transaction discarded because of: Can't execute 'exec': only (P|S)SUBSCRIBE "
            "/ (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context");
  EXPECT_EQ(OutOfRangeBetween(-9223372036854775807LL, 9223372036854775807LL),
            "ERR value is out of range, value must between -9223372036854775807 and "
            "9223372036854775807");
  EXPECT_EQ(AtLeastOneInputKey("zunionstore"),
            "ERR at least 1 input key is needed for 'zunionstore' command");
  EXPECT_EQ(ConfigSetFailed("maxmemory", "argument must be a memory value"),
            "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a "
            "memory value");
}

TEST(ErrorTexts, ConstantsCarryTheirCodeAndNoFraming) {
  for (std::string_view s : {kErrSyntax, kErrWrongType, kErrNoAuth, kErrOom, kErrMisconfRdb,
                             kErrExecAbort, kErrBusyKey, kErrLoading, kErrNoProto,
                             kErrProtoInvalidBulkLength, kErrDebugDisabled, kErrAuthNoPassword}) {
    EXPECT_NE(s.find(' '), std::string_view::npos) << s;
    EXPECT_NE(s[0], '-') << s;
    EXPECT_EQ(s.find_first_of("\r\n"), std::string_view::npos) << s;
  }
  EXPECT_EQ(kErrAuthNoPassword,
            "ERR AUTH <password> called without any password configured for the default user. "
            "Are you sure your configuration is correct?");
  EXPECT_EQ(kErrNotAllowedInMulti, "ERR Command not allowed inside a transaction");
}

}  // namespace
}  // namespace ember::proto
