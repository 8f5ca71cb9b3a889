#include "persist/rdb/rdb_writer.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "persist/rdb/crc64.h"
#include "persist/rdb/dump_payload.h"
#include "test_util.h"

namespace ember::rdb {
namespace {

using testing::Hex;
using testing::Unhex;

std::string Encode(auto fn, RdbWriterOptions opts = {}) {
  BufferSink sink;
  RdbWriter w(&sink, opts);
  EXPECT_TRUE(fn(w).ok());
  return sink.Release();
}

std::string EncodeLenHex(uint64_t len) {
  return Hex(Encode([&](RdbWriter& w) { return w.SaveLen(len); }));
}

std::string EncodeStringHex(std::string_view s, bool compression = true) {
  return Hex(Encode([&](RdbWriter& w) { return w.SaveString(s); }, {.compression = compression}));
}

TEST(RdbWriterLen, ExactBytesAtEveryBoundary) {
  EXPECT_EQ(EncodeLenHex(0), "00");
  EXPECT_EQ(EncodeLenHex(63), "3f");
  EXPECT_EQ(EncodeLenHex(64), "4040");
  EXPECT_EQ(EncodeLenHex(300), "412c");
  EXPECT_EQ(EncodeLenHex(16383), "7fff");
  EXPECT_EQ(EncodeLenHex(16384), "8000004000");
  EXPECT_EQ(EncodeLenHex(UINT32_MAX), "80ffffffff");
  EXPECT_EQ(EncodeLenHex(uint64_t{UINT32_MAX} + 1), "810000000100000000");
  EXPECT_EQ(EncodeLenHex(UINT64_MAX), "81ffffffffffffffff");
}

TEST(RdbWriterString, IntegerEncodings) {
  EXPECT_EQ(EncodeStringHex("0"), "c000");
  EXPECT_EQ(EncodeStringHex("-1"), "c0ff");
  EXPECT_EQ(EncodeStringHex("127"), "c07f");
  EXPECT_EQ(EncodeStringHex("-128"), "c080");
  EXPECT_EQ(EncodeStringHex("128"), "c18000");
  EXPECT_EQ(EncodeStringHex("12345"), "c13930");
  EXPECT_EQ(EncodeStringHex("-32768"), "c10080");
  EXPECT_EQ(EncodeStringHex("32768"), "c200800000");
  EXPECT_EQ(EncodeStringHex("2147483647"), "c2ffffff7f");
  EXPECT_EQ(EncodeStringHex("-2147483648"), "c200000080");
}

TEST(RdbWriterString, NonCanonicalOrOutOfRangeIntegersStayRaw) {
  EXPECT_EQ(EncodeStringHex("2147483648"), "0a32313437343833363438");
  EXPECT_EQ(EncodeStringHex("-2147483649"), "0b2d32313437343833363439");
  for (const char* s : {"01", "+1", " 1", "1 ", "-0", "", "1a", "00"}) {
    std::string expect = Hex(std::string(1, static_cast<char>(strlen(s))) + s);
    EXPECT_EQ(EncodeStringHex(s), expect) << s;
  }
}

TEST(RdbWriterString, LzfOnlyAboveTwentyBytesAndWhenItSaves) {
  // 20 bytes: never compressed.
  EXPECT_EQ(EncodeStringHex(std::string(20, 'x')), "14" + Hex(std::string(20, 'x')));
  // 21 bytes: Redis 7.0.15 writes c3 06 15 01 78 78 e0 0a 00.
  EXPECT_EQ(EncodeStringHex(std::string(21, 'x')), "c306150178" "78e00a00");
  // Compression off: raw.
  EXPECT_EQ(EncodeStringHex(std::string(21, 'x'), false), "15" + Hex(std::string(21, 'x')));
  // Incompressible: raw.
  std::string alnum = "0123456789abcdefghijklmnopqrstuvwxyz";
  EXPECT_EQ(EncodeStringHex(alnum), "24" + Hex(alnum));
}

TEST(RdbWriterString, RawStringNeverEncodes) {
  EXPECT_EQ(Hex(Encode([](RdbWriter& w) { return w.SaveRawString("12"); })), "023132");
}

TEST(RdbWriter, IntegerAsString) {
  EXPECT_EQ(Hex(Encode([](RdbWriter& w) { return w.SaveIntegerAsString(7); })), "c007");
  EXPECT_EQ(Hex(Encode([](RdbWriter& w) { return w.SaveIntegerAsString(int64_t{1} << 40); })),
            "0d" + Hex("1099511627776"));
}

TEST(RdbWriter, FixedWidthValuesAreLittleEndian) {
  EXPECT_EQ(Hex(Encode([](RdbWriter& w) { return w.SaveBinaryDouble(1.5); })),
            "000000000000f83f");
  EXPECT_EQ(Hex(Encode([](RdbWriter& w) { return w.SaveBinaryFloat(1.5f); })), "0000c03f");
  EXPECT_EQ(Hex(Encode([](RdbWriter& w) { return w.SaveMillisecondTime(1999999999999); })),
            "ff1f4aa9d1010000");
  EXPECT_EQ(Hex(Encode([](RdbWriter& w) { return w.SaveExpireMs(1); })), "fc0100000000000000");
  EXPECT_EQ(Hex(Encode([](RdbWriter& w) { return w.SaveIdle(300); })), "f8412c");
  EXPECT_EQ(Hex(Encode([](RdbWriter& w) { return w.SaveFreq(5); })), "f905");
  EXPECT_EQ(Hex(Encode([](RdbWriter& w) { return w.SaveSelectDb(2); })), "fe02");
  EXPECT_EQ(Hex(Encode([](RdbWriter& w) { return w.SaveResizeDb(2, 1); })), "fb0201");
  EXPECT_EQ(Encode([](RdbWriter& w) { return w.SaveHeader(); }), "REDIS0010");
  EXPECT_EQ(Encode([](RdbWriter& w) { return w.SaveHeader(9); }), "REDIS0009");
}

// DUMP payloads from Redis 7.0.15 (type byte + value + footer), reproduced byte for byte.
TEST(RdbWriter, ReproducesRedisDumpPayloads) {
  struct Case {
    std::string value;
    const char* hex;
  } cases[] = {
      {"v", "0001760a009108ceb219388ace"},
      {"12345", "00c139300a009d94ea2793fc08b9"},
      {std::string(100, 'a'), "00c3094064016161e057000161610a00e8a3b507b06df271"},
      {"", ""},
  };
  std::string hw;
  for (int i = 0; i < 10; i++) hw += "hello world ";
  std::string c4 = "00c31440780c68656c6c6f20776f726c642068e0600b0164200a00d4035f436c9a1bd7";
  std::string c5 =
      "0024303132333435363738396162636465666768696a6b6c6d6e6f707172737475767778797a0a0004d19003fd6c"
      "e272";
  auto dump = [](std::string_view v) {
    BufferSink sink;
    RdbWriter w(&sink);
    EXPECT_TRUE(w.SaveType(RDB_TYPE_STRING).ok());
    EXPECT_TRUE(w.SaveString(v).ok());
    std::string out = sink.Release();
    AppendDumpFooter(&out, 10);
    return Hex(out);
  };
  for (const auto& c : cases) {
    if (c.hex[0] == 0) continue;
    EXPECT_EQ(dump(c.value), c.hex);
  }
  EXPECT_EQ(dump(hw), c4);
  EXPECT_EQ(dump("0123456789abcdefghijklmnopqrstuvwxyz"), c5);
  EXPECT_EQ(dump("-1"), "00c0ff0a000c937e2485089dc5");
  EXPECT_EQ(dump("2147483648"), "000a323134373438333634380a00e7b129a34c1d76ee");
  EXPECT_EQ(dump("-2147483648"), "00c2000000800a00c74f873e33558187");
  EXPECT_EQ(dump(std::string(21, 'x')), "00c30615017878e00a000a00941a83676017192f");
}

// A whole RDB file saved by Redis 7.0.15 (SAVE after: SET foo bar; SET n 7; PEXPIREAT foo
// 1999999999999; SELECT 2; SET big abab...(40 bytes)), rebuilt from primitives byte for byte.
const char* kRedisDumpRdb =
    "524544495330303130fa0972656469732d76657206372e302e3135fa0a72656469732d62697473c040fa056374"
    "696d65c2c1ff016bfa08757365642d6d656dc2e0371000fa08616f662d62617365c000fe00fb020100016ec007"
    "fcff1f4aa9d10100000003666f6f03626172fe02fb01000003626967c30a2802616261e01a01016162ff922d62"
    "a2284dd57f";

TEST(RdbWriter, ReproducesRedisRdbFile) {
  BufferSink sink;
  RdbWriter w(&sink);
  std::string big;
  for (int i = 0; i < 20; i++) big += "ab";
  ASSERT_TRUE(w.SaveHeader().ok());
  ASSERT_TRUE(w.SaveAuxField("redis-ver", "7.0.15").ok());
  ASSERT_TRUE(w.SaveAuxFieldInt("redis-bits", 64).ok());
  ASSERT_TRUE(w.SaveAuxFieldInt("ctime", 0x6b01ffc1).ok());
  ASSERT_TRUE(w.SaveAuxFieldInt("used-mem", 0x1037e0).ok());
  ASSERT_TRUE(w.SaveAuxFieldInt("aof-base", 0).ok());
  ASSERT_TRUE(w.SaveSelectDb(0).ok());
  ASSERT_TRUE(w.SaveResizeDb(2, 1).ok());
  ASSERT_TRUE(w.SaveType(RDB_TYPE_STRING).ok());
  ASSERT_TRUE(w.SaveString("n").ok());
  ASSERT_TRUE(w.SaveString("7").ok());
  ASSERT_TRUE(w.SaveExpireMs(1999999999999).ok());
  ASSERT_TRUE(w.SaveType(RDB_TYPE_STRING).ok());
  ASSERT_TRUE(w.SaveString("foo").ok());
  ASSERT_TRUE(w.SaveString("bar").ok());
  ASSERT_TRUE(w.SaveSelectDb(2).ok());
  ASSERT_TRUE(w.SaveResizeDb(1, 0).ok());
  ASSERT_TRUE(w.SaveType(RDB_TYPE_STRING).ok());
  ASSERT_TRUE(w.SaveString("big").ok());
  ASSERT_TRUE(w.SaveString(big).ok());
  ASSERT_TRUE(w.SaveType(RDB_OPCODE_EOF).ok());
  uint64_t crc_before_trailer = w.crc();
  EXPECT_EQ(crc_before_trailer, Crc64(0, sink.buffer()));
  ASSERT_TRUE(w.SaveRaw("\x92\x2d\x62\xa2\x28\x4d\xd5\x7f", 8).ok());
  EXPECT_EQ(Hex(sink.buffer()), kRedisDumpRdb);
  EXPECT_EQ(w.bytes_written(), sink.buffer().size());
  EXPECT_EQ(crc_before_trailer, 0x7fd54d28a2622d92ULL);
  // The same stream through SaveEof.
  BufferSink sink2;
  RdbWriter w2(&sink2);
  ASSERT_TRUE(w2.SaveRaw(sink.buffer().data(), sink.buffer().size() - 9).ok());
  ASSERT_TRUE(w2.SaveEof().ok());
  EXPECT_EQ(Hex(sink2.buffer()), kRedisDumpRdb);
}

TEST(RdbWriter, ChecksumOffWritesZeroTrailer) {
  std::string out = Encode(
      [](RdbWriter& w) {
        EXPECT_TRUE(w.SaveHeader().ok());
        return w.SaveEof();
      },
      {.checksum = false});
  EXPECT_EQ(Hex(out), Hex("REDIS0010") + "ff0000000000000000");
}

class TempFile {
 public:
  TempFile() {
    char tmpl[] = "/tmp/ember-rdbw-XXXXXX";
    fd_ = mkstemp(tmpl);
    path_ = tmpl;
  }
  ~TempFile() {
    if (fd_ >= 0) close(fd_);
    unlink(path_.c_str());
  }
  int fd() const { return fd_; }
  std::string Contents() const {
    std::string s;
    int fd = open(path_.c_str(), O_RDONLY);
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf))) > 0) s.append(buf, static_cast<size_t>(n));
    close(fd);
    return s;
  }

 private:
  int fd_;
  std::string path_;
};

TEST(FdSink, BufferedWritesReachTheFileInOrder) {
  TempFile f;
  std::string expect;
  {
    FdSink sink(f.fd(), {.buffer_size = 7});
    RdbWriter w(&sink, {.compression = false});
    ASSERT_TRUE(w.SaveHeader().ok());
    for (int i = 0; i < 200; i++) {
      std::string s(static_cast<size_t>(i % 23), static_cast<char>('a' + i % 26));
      ASSERT_TRUE(w.SaveString(s).ok());
    }
    ASSERT_TRUE(w.SaveRawString(std::string(100, 'z')).ok());  // larger than the buffer
    ASSERT_TRUE(w.SaveEof().ok());
    ASSERT_TRUE(sink.Sync().ok());
    EXPECT_EQ(sink.bytes_flushed(), w.bytes_written());
  }
  BufferSink mem;
  RdbWriter w2(&mem, {.compression = false});
  ASSERT_TRUE(w2.SaveHeader().ok());
  for (int i = 0; i < 200; i++) {
    std::string s(static_cast<size_t>(i % 23), static_cast<char>('a' + i % 26));
    ASSERT_TRUE(w2.SaveString(s).ok());
  }
  ASSERT_TRUE(w2.SaveRawString(std::string(100, 'z')).ok());
  ASSERT_TRUE(w2.SaveEof().ok());
  EXPECT_EQ(f.Contents(), mem.buffer());
}

TEST(FdSink, IncrementalFsyncEveryNBytes) {
  TempFile f;
  FdSink sink(f.fd(), {.buffer_size = 1000, .fsync_every = 4096});
  std::string chunk(1000, 'q');
  for (int i = 0; i < 20; i++) ASSERT_TRUE(sink.Write(chunk.data(), chunk.size()).ok());
  ASSERT_TRUE(sink.Flush().ok());
  // 20000 bytes written, a sync after every >= 4096 written: at 5000, 10000, 15000, 20000.
  EXPECT_EQ(sink.incremental_syncs(), 4u);
  FdSink nosync(f.fd(), {.buffer_size = 1000});
  for (int i = 0; i < 20; i++) ASSERT_TRUE(nosync.Write(chunk.data(), chunk.size()).ok());
  EXPECT_EQ(nosync.incremental_syncs(), 0u);
}

TEST(FdSink, WriteErrorsAreIOErrors) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  close(fds[0]);
  signal(SIGPIPE, SIG_IGN);
  FdSink sink(fds[1], {.buffer_size = 4});
  Status st = sink.Write("0123456789", 10);
  EXPECT_EQ(st.code(), StatusCode::kIOError);
  EXPECT_NE(st.message().find("write"), std::string::npos);
  close(fds[1]);
}

}  // namespace
}  // namespace ember::rdb
