// RequestParser: what Redis 7.0.15 accepts and rejects (expected outcomes were captured from a live
// redis-server by sending the same bytes), incremental parsing at every split point, limits, and
// robustness on random bytes.
#include "proto/request_parser.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "proto/errors.h"

namespace ember::proto {
namespace {

using Cmd = std::vector<std::string>;

struct Outcome {
  std::vector<Cmd> cmds;
  std::string error;      // empty if none
  size_t left = 0;        // bytes still buffered at the end
  bool in_progress = false;
  bool operator==(const Outcome& o) const {
    return cmds == o.cmds && error == o.error && left == o.left && in_progress == o.in_progress;
  }
};

std::ostream& operator<<(std::ostream& os, const Outcome& o) {
  os << "{cmds=[";
  for (auto& c : o.cmds) {
    os << "[";
    for (auto& a : c) os << "'" << a << "' ";
    os << "]";
  }
  return os << "] error='" << o.error << "' left=" << o.left << " in_progress=" << o.in_progress
            << "}";
}

// Plays a client: `pieces` arrive one after another into a query buffer; after each arrival the
// parser runs until it needs more. Consumed bytes are erased, as the network layer will do.
// With `exact`, each call sees a heap copy of exactly the buffered bytes, so an over-read is caught
// by AddressSanitizer (a std::string has a terminator and spare capacity after its bytes).
Outcome Feed(const std::vector<std::string>& pieces, ParseLimits limits = {}, bool exact = false) {
  RequestParser p;
  Outcome out;
  std::string qbuf;
  std::unique_ptr<char[]> copy;
  for (const std::string& piece : pieces) {
    qbuf += piece;
    while (true) {
      std::string_view view = qbuf;
      if (exact) {
        copy.reset(new char[qbuf.size()]);
        std::memcpy(copy.get(), qbuf.data(), qbuf.size());
        view = std::string_view(copy.get(), qbuf.size());
      }
      auto r = p.Parse(view, limits);
      if (r.state == RequestParser::State::kError) {
        out.error = std::string(p.ErrorText());
        out.left = qbuf.size();
        return out;
      }
      EXPECT_LE(r.consumed, qbuf.size());
      if (r.state == RequestParser::State::kCommand) {
        Cmd c;
        for (auto a : p.Args()) {
          EXPECT_TRUE(p.LastWasInline() ||
                      (a.data() >= view.data() && a.data() + a.size() <= view.data() + view.size()));
          c.emplace_back(a);
        }
        out.cmds.push_back(std::move(c));
      }
      qbuf.erase(0, r.consumed);
      if (r.state == RequestParser::State::kNeedMore) break;
    }
  }
  out.left = qbuf.size();
  out.in_progress = p.InProgress();
  return out;
}

Outcome Whole(const std::string& s, ParseLimits limits = {}) { return Feed({s}, limits); }

Outcome ByteByByte(const std::string& s, ParseLimits limits = {}) {
  std::vector<std::string> pieces;
  for (char c : s) pieces.emplace_back(1, c);
  return Feed(pieces, limits);
}

std::string Multibulk(const Cmd& c) {
  std::string s = "*" + std::to_string(c.size()) + "\r\n";
  for (auto& a : c) s += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return s;
}

std::vector<Cmd> Cmds(const std::string& s) { return Whole(s).cmds; }
std::string Err(const std::string& s, ParseLimits l = {}) { return Whole(s, l).error; }

TEST(RequestParserMultibulk, ParsesCommandsAndPipelines) {
  EXPECT_EQ(Cmds("*1\r\n$4\r\nPING\r\n"), (std::vector<Cmd>{{"PING"}}));
  EXPECT_EQ(Cmds(Multibulk({"SET", "k", std::string("v\0\r\n", 4)}) + Multibulk({"GET", "k"})),
            (std::vector<Cmd>{{"SET", "k", std::string("v\0\r\n", 4)}, {"GET", "k"}}));
  EXPECT_EQ(Cmds("*1\r\n$0\r\n\r\n"), (std::vector<Cmd>{{""}}));
}

TEST(RequestParserMultibulk, SkipsEmptyAndNegativeCounts) {
  EXPECT_EQ(Cmds("*0\r\n*1\r\n$4\r\nPING\r\n"), (std::vector<Cmd>{{"PING"}}));
  EXPECT_EQ(Cmds("*-1\r\nPING\r\n"), (std::vector<Cmd>{{"PING"}}));
  Outcome o = Whole("*-5\r\n");
  EXPECT_TRUE(o.cmds.empty());
  EXPECT_EQ(o.left, 0u);
  EXPECT_FALSE(o.in_progress);
}

TEST(RequestParserMultibulk, ConsumedCountsSkippedRequestsOnNeedMore) {
  RequestParser p;
  std::string buf = "\r\n*-1\r\n*2\r\n$3\r\nGET";
  auto r = p.Parse(buf, {});
  EXPECT_EQ(r.state, RequestParser::State::kNeedMore);
  EXPECT_EQ(r.consumed, 7u);
  buf.erase(0, r.consumed);
  buf += "\r\n$1\r\nk\r\n";
  r = p.Parse(buf, {});
  ASSERT_EQ(r.state, RequestParser::State::kCommand);
  EXPECT_EQ(r.consumed, buf.size());
  ASSERT_EQ(p.Args().size(), 2u);
  EXPECT_EQ(p.Args()[0], "GET");
  EXPECT_EQ(p.Args()[1], "k");
  EXPECT_FALSE(p.LastWasInline());
}

TEST(RequestParserMultibulk, QuirksKeptFromRedis) {
  // The two bytes after a payload and the byte after a header's '\r' are not checked.
  EXPECT_EQ(Cmds("*1\r\n$4\r\nPINGxx"), (std::vector<Cmd>{{"PING"}}));
  EXPECT_EQ(Cmds("*1\rX$4\rXPING\r\n"), (std::vector<Cmd>{{"PING"}}));
  // A NUL before the header's '\r' hides it (strchr): Redis waits for more data.
  Outcome o = Whole(std::string("*1\r\n\0x\r\n", 8));
  EXPECT_TRUE(o.error.empty());
  EXPECT_TRUE(o.in_progress);
  EXPECT_EQ(Whole(std::string("*1\r\n\0x\r\n", 8) + std::string(70000, 'y')).error,
            kErrProtoTooBigBulkCount);
}

TEST(RequestParserMultibulk, InvalidMultibulkLength) {
  for (const char* s : {"*abc\r\n", "*+1\r\n", "*01\r\n", "*1 \r\n", "*\r\n", "*-0\r\n",
                        "*1\nPING\r\n", "*2147483648\r\n", "*99999999999999999999\r\n"}) {
    EXPECT_EQ(Err(s), kErrProtoInvalidMultibulkLength) << s;
  }
  Outcome o = Whole("*2147483647\r\n");  // INT_MAX is accepted: waits for the arguments
  EXPECT_TRUE(o.error.empty());
  EXPECT_TRUE(o.in_progress);
  EXPECT_EQ(o.left, 0u + std::string("*2147483647\r\n").size());
}

TEST(RequestParserMultibulk, InvalidBulkLength) {
  for (const char* s : {"*2\r\n$3\r\nGET\r\n$abc\r\n", "*1\r\n$-1\r\n", "*1\r\n$-2\r\n",
                        "*1\r\n$536870913\r\n", "*1\r\n$04\r\nPING\r\n", "*1\r\n$4\nPING\r\n",
                        "*1\r\n$\r\n", "*1\r\n$+4\r\nPING\r\n"}) {
    EXPECT_EQ(Err(s), kErrProtoInvalidBulkLength) << s;
  }
  Outcome o = Whole("*1\r\n$536870912\r\n");  // exactly proto-max-bulk-len: accepted
  EXPECT_TRUE(o.error.empty());
  ParseLimits small;
  small.max_bulk_len = 10;
  EXPECT_EQ(Err("*1\r\n$11\r\n", small), kErrProtoInvalidBulkLength);
  EXPECT_TRUE(Err("*1\r\n$10\r\n", small).empty());
  ParseLimits master;
  master.max_bulk_len = INT64_MAX;  // a primary's link: no limit
  EXPECT_TRUE(Err("*1\r\n$9223372036854775807\r\n", master).empty());
}

TEST(RequestParserMultibulk, ExpectedDollar) {
  EXPECT_EQ(Err("*1\r\n+x\r\n"), "ERR Protocol error: expected '$', got '+'");
  EXPECT_EQ(Err("*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n"),
            "ERR Protocol error: expected '$', got 'f'");
  EXPECT_EQ(Err("*1\r\n\r\n"), "ERR Protocol error: expected '$', got '\r'");
  // The check waits for the header line: without its '\r' nothing is decided yet.
  EXPECT_TRUE(Err("*1\r\n+x").empty());
}

TEST(RequestParserLimits, UnauthenticatedLimits) {
  ParseLimits unauth;
  unauth.auth_required = true;
  EXPECT_EQ(Err("*11\r\n", unauth), kErrProtoUnauthMultibulkLength);
  EXPECT_TRUE(Err("*10\r\n", unauth).empty());
  EXPECT_EQ(Err("*1\r\n$16385\r\n", unauth), kErrProtoUnauthBulkLength);
  EXPECT_TRUE(Err("*1\r\n$16384\r\n", unauth).empty());
  // The generic checks come first.
  EXPECT_EQ(Err("*2147483648\r\n", unauth), kErrProtoInvalidMultibulkLength);
  EXPECT_EQ(Err("*1\r\n$536870913\r\n", unauth), kErrProtoInvalidBulkLength);
  // Without the flag the same requests are fine.
  EXPECT_TRUE(Err("*11\r\n").empty());
  EXPECT_TRUE(Err("*1\r\n$16385\r\n").empty());
}

TEST(RequestParserLimits, LimitsAreReadPerCall) {
  // AUTH in a pipeline lifts the limits for the next command: the caller passes new limits.
  RequestParser p;
  ParseLimits unauth;
  unauth.auth_required = true;
  std::string buf = Multibulk({"AUTH", "pw"}) + Multibulk(Cmd(11, "x"));
  auto r = p.Parse(buf, unauth);
  ASSERT_EQ(r.state, RequestParser::State::kCommand);
  buf.erase(0, r.consumed);
  r = p.Parse(buf, ParseLimits{});
  ASSERT_EQ(r.state, RequestParser::State::kCommand);
  EXPECT_EQ(p.Args().size(), 11u);
}

TEST(RequestParserLimits, TooBigHeaderLines) {
  EXPECT_EQ(Err("*" + std::string(70000, '1')), kErrProtoTooBigMbulkCount);
  EXPECT_TRUE(Err("*" + std::string(kInlineMaxSize - 1, '1')).empty());  // 64 KB buffered: waits
  EXPECT_EQ(Err("*" + std::string(kInlineMaxSize, '1')), kErrProtoTooBigMbulkCount);
  // With its '\r' present, a long count is simply not a number.
  EXPECT_EQ(Err("*" + std::string(70000, '1') + "\r\n"), kErrProtoInvalidMultibulkLength);
  EXPECT_EQ(Err("*1\r\n$" + std::string(70000, '1')), kErrProtoTooBigBulkCount);
  // The check counts from the bulk header, not from the request start.
  EXPECT_TRUE(Err("*2\r\n$60000\r\n" + std::string(60002, 'a') + "$" + std::string(1000, '1'))
                  .empty());
}

TEST(RequestParserLimits, TooBigInline) {
  EXPECT_EQ(Err(std::string(kInlineMaxSize + 1, 'a')), kErrProtoTooBigInline);
  EXPECT_TRUE(Err(std::string(kInlineMaxSize, 'a')).empty());
  // A long line whose end is already buffered is accepted, as in Redis.
  EXPECT_EQ(Cmds("ECHO " + std::string(100000, 'a') + "\r\n"),
            (std::vector<Cmd>{{"ECHO", std::string(100000, 'a')}}));
  // A NUL hides the line end: the request waits, then is too big.
  Outcome o = Whole(std::string("PI\0NG\r\n", 7));
  EXPECT_TRUE(o.error.empty());
  EXPECT_TRUE(o.cmds.empty());
  EXPECT_EQ(Whole(std::string("PI\0NG\r\n", 7) + std::string(kInlineMaxSize, 'x')).error,
            kErrProtoTooBigInline);
}

TEST(RequestParserLimits, BytesNeededForBigBulk) {
  RequestParser p;
  std::string buf = "*1\r\n$100000\r\nabc";
  auto r = p.Parse(buf, {});
  EXPECT_EQ(r.state, RequestParser::State::kNeedMore);
  EXPECT_EQ(p.BytesNeeded(), 13u + 100002u);
  buf += std::string(100000 - 3, 'z') + "\r";
  r = p.Parse(buf, {});
  EXPECT_EQ(r.state, RequestParser::State::kNeedMore);
  EXPECT_EQ(p.BytesNeeded(), 13u + 100002u);
  buf += "\n";
  r = p.Parse(buf, {});
  ASSERT_EQ(r.state, RequestParser::State::kCommand);
  EXPECT_EQ(p.Args()[0].size(), 100000u);
  EXPECT_EQ(p.BytesNeeded(), 0u);
}

TEST(RequestParserLimits, ErrorIsStickyUntilReset) {
  RequestParser p;
  EXPECT_EQ(p.Parse("*x\r\n", {}).state, RequestParser::State::kError);
  EXPECT_EQ(p.Parse("PING\r\n", {}).state, RequestParser::State::kError);
  EXPECT_EQ(p.ErrorText(), kErrProtoInvalidMultibulkLength);
  p.Reset();
  EXPECT_EQ(p.Parse("PING\r\n", {}).state, RequestParser::State::kCommand);
}

TEST(RequestParserLimits, CommandsBeforeAnErrorAreDelivered) {
  Outcome o = Whole(Multibulk({"SET", "a", "1"}) + "PING\r\n*1\r\n$x\r\n" + Multibulk({"GET"}));
  EXPECT_EQ(o.cmds, (std::vector<Cmd>{{"SET", "a", "1"}, {"PING"}}));
  EXPECT_EQ(o.error, kErrProtoInvalidBulkLength);
}

// Inline requests: expected words captured from redis-server (ECHO replies) for each line.
TEST(RequestParserInline, SplitsLikeSdssplitargs) {
  struct Case {
    std::string in;
    Cmd words;
  } cases[] = {
      {"FOO a b\r\n", {"FOO", "a", "b"}},
      {"PING\n", {"PING"}},
      {"   PING    \r\n", {"PING"}},
      {"ECHO \"a\\nb\"\r\n", {"ECHO", "a\nb"}},
      {"ECHO \"\\x41\\x4a\\x4G\"\r\n", {"ECHO", "AJx4G"}},
      {"ECHO 'a\\'b'\r\n", {"ECHO", "a'b"}},
      {"ECHO 'a\\nb'\r\n", {"ECHO", "a\\nb"}},
      {"ECHO a\"b c\"\r\n", {"ECHO", "ab c"}},
      {"ECHO \"\\q\\\\\\\"\"\r\n", {"ECHO", "q\\\""}},
      {"ECHO\ta\r\n", {"ECHO", "a"}},
      {"ECHO\va\r\n", {"ECHO\va"}},  // \v is skipped between words but does not end one
      {"ECHO a\vb\r\n", {"ECHO", "a\vb"}},
      {"ECHO \"a\"\v\r\n", {"ECHO", "a"}},
      {"\vECHO a\r\n", {"ECHO", "a"}},
      {"ECHO a\rb\r\n", {"ECHO", "a", "b"}},
      {"ECHO \"\"\r\n", {"ECHO", ""}},
      {"ECHO ''\r\n", {"ECHO", ""}},
      {"ECHO \"a\" \r\n", {"ECHO", "a"}},
      {"ECHO \"\\xff\"\r\n", {"ECHO", "\xff"}},
      {"ECHO \"\\x1\"\r\n", {"ECHO", "x1"}},
      {"ECHO a\r\r\n", {"ECHO", "a"}},
      {"ECHO \"a\r\"\r\n", {"ECHO", "a\r"}},
      {"ECHO 'a\\\\b'\r\n", {"ECHO", "a\\\\b"}},
      {"ECHO \x80\xff\r\n", {"ECHO", "\x80\xff"}},
      {"ECHO \"a\"\t\"b\"\r\n", {"ECHO", "a", "b"}},
      {"ECHO \f\r\n", {"ECHO"}},
      {"ECHO \"\\a\\b\\t\\r\"\r\n", {"ECHO", "\a\b\t\r"}},
      {"$3\r\n", {"$3"}},
  };
  for (const Case& c : cases) {
    Outcome o = Whole(c.in);
    EXPECT_EQ(o.error, "") << c.in;
    ASSERT_EQ(o.cmds.size(), 1u) << c.in;
    EXPECT_EQ(o.cmds[0], c.words) << c.in;
  }
}

TEST(RequestParserInline, UnbalancedQuotes) {
  for (const char* s : {"set \"a\"b c\r\n", "set 'a\r\n", "ECHO \"a\"b\r\n", "ECHO 'a'b\r\n",
                        "ECHO \"a\\\r\n", "ECHO \"ab\r\n", "ECHO \"a\"\"b\"\r\n"}) {
    EXPECT_EQ(Err(s), kErrProtoUnbalancedQuotes) << s;
  }
}

TEST(RequestParserInline, BlankLinesAreSkipped) {
  Outcome o = Whole("\r\n\r\n \n\t\r\nPING\r\n");
  EXPECT_EQ(o.cmds, (std::vector<Cmd>{{"PING"}}));
  EXPECT_EQ(o.left, 0u);
  RequestParser p;
  auto r = p.Parse("\n\nPING\n", {});
  ASSERT_EQ(r.state, RequestParser::State::kCommand);
  EXPECT_EQ(r.consumed, 7u);
  EXPECT_TRUE(p.LastWasInline());
}

// A pipeline mixing every request form, split at every byte boundary and fed byte by byte, parses
// exactly as when it arrives at once.
TEST(RequestParserIncremental, EverySplitPointGivesTheSameCommands) {
  std::string pipe = Multibulk({"SET", "key", std::string("va\r\nl\0ue", 8)}) + "\r\n" +
                     "GET key\r\n" + "*0\r\n" + "ECHO \"q\\x41\" 'x y'\n" + "*-1\r\n" +
                     Multibulk({"MSET", "a", "", "b", std::string(300, 'z')}) + "\n" +
                     Multibulk({"PING"});
  Outcome whole = Whole(pipe);
  ASSERT_EQ(whole.cmds.size(), 5u);
  EXPECT_EQ(whole.cmds[2], (Cmd{"ECHO", "qA", "x y"}));
  for (size_t i = 0; i <= pipe.size(); i++) {
    ASSERT_EQ(Feed({pipe.substr(0, i), pipe.substr(i)}), whole) << "split at " << i;
  }
  for (size_t i = 0; i < pipe.size(); i += 7) {
    for (size_t j = i; j <= pipe.size(); j += 13) {
      ASSERT_EQ(Feed({pipe.substr(0, i), pipe.substr(i, j - i), pipe.substr(j)}), whole);
    }
  }
  EXPECT_EQ(ByteByByte(pipe), whole);
}

TEST(RequestParserIncremental, ErrorsAreFoundAtEverySplitPoint) {
  for (std::string bad : {"*1\r\n$4\r\nPING\r\n*2\r\n$1\r\na\r\n+b\r\n",
                          "*1\r\n$4\r\nPING\r\nECHO \"x\r\n", "*1\r\n$-3\r\n", "*1x\r\n"}) {
    Outcome whole = Whole(bad);
    ASSERT_FALSE(whole.error.empty()) << bad;
    for (size_t i = 0; i <= bad.size(); i++) {
      Outcome o = Feed({bad.substr(0, i), bad.substr(i)});
      EXPECT_EQ(o.cmds, whole.cmds) << bad << " @" << i;
      EXPECT_EQ(o.error, whole.error) << bad << " @" << i;
    }
  }
}

TEST(RequestParserIncremental, RandomPipelinesRandomSplits) {
  std::mt19937 rng(99);
  for (int round = 0; round < 300; round++) {
    std::vector<Cmd> want;
    std::string pipe;
    int n = 1 + rng() % 20;
    for (int i = 0; i < n; i++) {
      Cmd c;
      int argc = 1 + rng() % 6;
      bool inl = rng() % 3 == 0;
      for (int a = 0; a < argc; a++) {
        size_t len = rng() % 8 == 0 ? rng() % 5000 : rng() % 12;
        std::string arg(len, ' ');
        for (char& ch : arg) ch = inl ? static_cast<char>('a' + rng() % 26) : static_cast<char>(rng());
        if (inl && arg.empty()) arg = "e";
        c.push_back(arg);
      }
      if (inl) {
        for (size_t a = 0; a < c.size(); a++) pipe += (a ? " " : "") + c[a];
        pipe += rng() % 2 ? "\r\n" : "\n";
      } else {
        pipe += Multibulk(c);
      }
      want.push_back(c);
      if (rng() % 5 == 0) pipe += rng() % 2 ? "*0\r\n" : "\r\n";
    }
    std::vector<std::string> pieces;
    for (size_t pos = 0; pos < pipe.size();) {
      size_t k = 1 + rng() % (rng() % 4 == 0 ? 4000 : 16);
      pieces.push_back(pipe.substr(pos, k));
      pos += k;
    }
    Outcome o = Feed(pieces);
    ASSERT_EQ(o.error, "") << round;
    ASSERT_EQ(o.cmds, want) << round;
    ASSERT_EQ(o.left, 0u);
  }
}

// Arbitrary bytes never crash or over-read (run under SANITIZE=address to check the latter), and
// parsing them in pieces gives the same result as at once.
TEST(RequestParserIncremental, RandomGarbageIsHandled) {
  std::mt19937 rng(4242);
  const std::string alphabet = std::string("*$\r\n0123456789-+ \"'\\xab\t", 24) + std::string(1, '\0');
  for (int round = 0; round < 3000; round++) {
    std::string s(rng() % 200, ' ');
    bool biased = rng() % 4 != 0;
    for (char& c : s) {
      c = biased ? alphabet[rng() % alphabet.size()] : static_cast<char>(rng());
    }
    if (rng() % 2) s = "*" + std::to_string(rng() % 4) + "\r\n" + s;
    Outcome whole = Feed({s}, {}, true);
    std::vector<std::string> pieces;
    for (size_t pos = 0; pos < s.size();) {
      size_t k = 1 + rng() % 9;
      pieces.push_back(s.substr(pos, k));
      pos += k;
    }
    Outcome split = Feed(pieces, {}, true);
    ASSERT_EQ(split.cmds, whole.cmds) << round;
    ASSERT_EQ(split.error, whole.error) << round;
  }
}

TEST(RequestParserIncremental, SlowArrivalIsLinear) {
  // A 60 KB inline line and a 4 MB bulk, each arriving in tiny reads. Rescanning from the start
  // on every call would take seconds; the parser resumes where it stopped.
  auto t0 = std::chrono::steady_clock::now();
  std::string line = "ECHO " + std::string(60000, 'a') + "\r\n";
  {
    RequestParser lp;
    std::string buf;
    for (size_t i = 0; i < line.size(); i++) {
      buf += line[i];
      auto r = lp.Parse(buf, {});
      if (r.state == RequestParser::State::kCommand) buf.erase(0, r.consumed);
    }
    EXPECT_TRUE(buf.empty());
    EXPECT_LE(lp.BytesScanned(), line.size());
  }

  RequestParser p;
  std::string big = Multibulk({"SET", "k", std::string(4 << 20, 'b')});
  std::string buf;
  size_t calls = 0;
  for (size_t i = 0; i < big.size(); i += 1024) {
    buf.append(big, i, 1024);
    auto r = p.Parse(buf, {});
    calls++;
    if (r.state == RequestParser::State::kCommand) {
      EXPECT_EQ(p.Args()[2].size(), 4u << 20);
      buf.erase(0, r.consumed);
    }
  }
  EXPECT_TRUE(buf.empty());
  EXPECT_LE(p.BytesScanned(), 64u);  // only the headers are scanned, never the payload
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(secs, 1.0) << calls << " calls";
}

}  // namespace
}  // namespace ember::proto
