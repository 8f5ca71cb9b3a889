#include "persist/rdb/rdb_reader.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "base/strutil.h"
#include "persist/rdb/crc64.h"
#include "persist/rdb/rdb_writer.h"
#include "test_util.h"

namespace ember::rdb {
namespace {

using testing::Unhex;

// Redis 7.0.15 SAVE output (see rdb_writer_test.cc for how it was made).
const char* kRedisDumpRdb =
    "524544495330303130fa0972656469732d76657206372e302e3135fa0a72656469732d62697473c040fa056374"
    "696d65c2c1ff016bfa08757365642d6d656dc2e0371000fa08616f662d62617365c000fe00fb020100016ec007"
    "fcff1f4aa9d10100000003666f6f03626172fe02fb01000003626967c30a2802616261e01a01016162ff922d62"
    "a2284dd57f";

// Hands out input in small chunks and claims not to know its size, like a socket.
class ChunkedSource final : public Source {
 public:
  ChunkedSource(std::string data, size_t chunk) : data_(std::move(data)), chunk_(chunk) {}
  Status Next(const uint8_t** data, size_t* len) override {
    size_t n = std::min(chunk_, data_.size() - pos_);
    *data = reinterpret_cast<const uint8_t*>(data_.data() + pos_);
    *len = n;
    pos_ += n;
    return Status::OK();
  }
  std::optional<uint64_t> Remaining() const override { return std::nullopt; }

 private:
  std::string data_;
  size_t chunk_;
  size_t pos_ = 0;
};

bool ParseInt64Check(const std::string& s, int64_t* v) {
  return ParseInt64(s, v) && *v >= INT32_MIN && *v <= INT32_MAX;
}

struct ParsedRdb {
  int version = 0;
  std::vector<std::pair<std::string, std::string>> aux;
  std::vector<std::tuple<uint64_t, std::string, std::string, int64_t>> keys;  // db, key, val, exp
  bool checksum_skipped = false;
};

// A minimal whole-file parser over the primitives, for string-only files.
Status ParseRdb(RdbReader& r, ParsedRdb* out) {
  auto ver = r.LoadHeader();
  if (!ver.ok()) return ver.status();
  out->version = *ver;
  uint64_t db = 0;
  int64_t expire = -1;
  for (;;) {
    auto type = r.LoadType();
    if (!type.ok()) return type.status();
    switch (*type) {
      case RDB_OPCODE_AUX: {
        std::string k, v;
        EMBER_RETURN_IF_ERROR(r.LoadString(&k));
        EMBER_RETURN_IF_ERROR(r.LoadString(&v));
        out->aux.emplace_back(k, v);
        break;
      }
      case RDB_OPCODE_SELECTDB: {
        auto id = r.LoadLen();
        if (!id.ok()) return id.status();
        db = *id;
        break;
      }
      case RDB_OPCODE_RESIZEDB: {
        auto a = r.LoadLen();
        if (!a.ok()) return a.status();
        auto b = r.LoadLen();
        if (!b.ok()) return b.status();
        break;
      }
      case RDB_OPCODE_EXPIRETIME_MS: {
        auto t = r.LoadMillisecondTime();
        if (!t.ok()) return t.status();
        expire = *t;
        break;
      }
      case RDB_OPCODE_EOF:
        return r.VerifyTrailer(out->version, true, &out->checksum_skipped);
      case RDB_TYPE_STRING: {
        std::string k, v;
        EMBER_RETURN_IF_ERROR(r.LoadString(&k));
        EMBER_RETURN_IF_ERROR(r.LoadString(&v));
        out->keys.emplace_back(db, k, v, expire);
        expire = -1;
        break;
      }
      default:
        return r.Corrupt("Unknown type " + std::to_string(*type));
    }
  }
}

// Parses from a heap copy of exactly the input's size, so an over-read is visible to ASan.
Status ParseBytes(const std::string& bytes, ParsedRdb* out) {
  std::unique_ptr<char[]> copy(new char[bytes.size()]);
  memcpy(copy.get(), bytes.data(), bytes.size());
  MemorySource src(copy.get(), bytes.size());
  RdbReader r(&src);
  return ParseRdb(r, out);
}

TEST(RdbReader, ParsesRedisRdbFile) {
  std::string bytes = Unhex(kRedisDumpRdb);
  ParsedRdb p;
  ASSERT_TRUE(ParseBytes(bytes, &p).ok());
  EXPECT_EQ(p.version, 10);
  ASSERT_EQ(p.aux.size(), 5u);
  EXPECT_EQ(p.aux[0], std::make_pair(std::string("redis-ver"), std::string("7.0.15")));
  EXPECT_EQ(p.aux[1].second, "64");
  EXPECT_EQ(p.aux[4], std::make_pair(std::string("aof-base"), std::string("0")));
  ASSERT_EQ(p.keys.size(), 3u);
  EXPECT_EQ(p.keys[0], std::make_tuple(uint64_t{0}, std::string("n"), std::string("7"), int64_t{-1}));
  EXPECT_EQ(p.keys[1], std::make_tuple(uint64_t{0}, std::string("foo"), std::string("bar"),
                                       int64_t{1999999999999}));
  std::string big;
  for (int i = 0; i < 20; i++) big += "ab";
  EXPECT_EQ(p.keys[2], std::make_tuple(uint64_t{2}, std::string("big"), big, int64_t{-1}));
  EXPECT_FALSE(p.checksum_skipped);
}

TEST(RdbReader, SameResultFromAnyChunking) {
  std::string bytes = Unhex(kRedisDumpRdb);
  ParsedRdb ref;
  ASSERT_TRUE(ParseBytes(bytes, &ref).ok());
  for (size_t chunk = 1; chunk <= 17; chunk++) {
    ChunkedSource src(bytes, chunk);
    RdbReader r(&src);
    ParsedRdb p;
    ASSERT_TRUE(ParseRdb(r, &p).ok()) << chunk;
    EXPECT_EQ(p.keys, ref.keys);
    EXPECT_EQ(p.aux, ref.aux);
    EXPECT_EQ(r.offset(), bytes.size());
  }
}

TEST(RdbReader, ChecksumMismatchAndZeroTrailer) {
  std::string bytes = Unhex(kRedisDumpRdb);
  std::string bad = bytes;
  bad[bad.find("bar")] ^= 0x01;  // inside a value: still parses
  ParsedRdb p;
  Status st = ParseBytes(bad, &p);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find("Wrong RDB checksum expected: ("), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("at offset " + std::to_string(bytes.size() - 8)), std::string::npos);

  std::string zero = bytes;
  for (size_t i = zero.size() - 8; i < zero.size(); i++) zero[i] = 0;
  ParsedRdb pz;
  ASSERT_TRUE(ParseBytes(zero, &pz).ok());
  EXPECT_TRUE(pz.checksum_skipped);

  // verify = false reads the trailer without checking it.
  std::string wrong = bytes;
  wrong.back() ^= 0x40;
  MemorySource src(wrong);
  RdbReader r(&src);
  ASSERT_TRUE(r.Skip(wrong.size() - 8).ok());
  EXPECT_TRUE(r.VerifyTrailer(10, false).ok());
  // Versions before 5 have no trailer.
  MemorySource src2(std::string_view(""));
  RdbReader r2(&src2);
  EXPECT_TRUE(r2.VerifyTrailer(4).ok());
}

TEST(RdbReader, TruncationAtEveryByteIsCorruptionWithOffset) {
  std::string bytes = Unhex(kRedisDumpRdb);
  for (size_t n = 0; n < bytes.size(); n++) {
    std::string cut = bytes.substr(0, n);
    ParsedRdb p;
    Status st = ParseBytes(cut, &p);
    ASSERT_EQ(st.code(), StatusCode::kCorruption) << n;
    if (n >= 9) {
      EXPECT_NE(st.message().find("at offset"), std::string::npos) << st.message();
      EXPECT_NE(st.message().find("nexpected end of input"), std::string::npos) << st.message();
    }
    // The same through a stream of unknown size.
    ChunkedSource src(cut, 3);
    RdbReader r(&src);
    ParsedRdb p2;
    ASSERT_EQ(ParseRdb(r, &p2).code(), StatusCode::kCorruption) << n;
  }
}

TEST(RdbReader, RandomCorruptionNeverCrashes) {
  std::string bytes = Unhex(kRedisDumpRdb);
  std::mt19937 rng(12345);
  int errors = 0;
  for (int trial = 0; trial < 20000; trial++) {
    std::string bad = bytes;
    int flips = 1 + static_cast<int>(rng() % 6);
    for (int f = 0; f < flips; f++) {
      size_t pos = 9 + rng() % (bad.size() - 9);
      bad[pos] = static_cast<char>(rng());
    }
    ParsedRdb p;
    Status st = ParseBytes(bad, &p);
    if (!st.ok()) {
      errors++;
      EXPECT_TRUE(st.code() == StatusCode::kCorruption) << st.ToString();
    }
  }
  EXPECT_GT(errors, 19000);  // the CRC catches nearly everything that still parses
  // Pure garbage after a valid header.
  for (int trial = 0; trial < 5000; trial++) {
    std::string g = "REDIS0010";
    size_t n = rng() % 64;
    for (size_t i = 0; i < n; i++) g.push_back(static_cast<char>(rng()));
    ParsedRdb p;
    (void)ParseBytes(g, &p);
  }
}

TEST(RdbReader, HeaderErrorsUseRedisTexts) {
  auto header = [](std::string s, int max = RDB_MAX_READABLE_VERSION) {
    MemorySource src(s);
    RdbReader r(&src);
    auto v = r.LoadHeader(max);
    return v.ok() ? std::string("ok ") + std::to_string(*v) : v.status().message();
  };
  EXPECT_EQ(header("REDIS0010"), "ok 10");
  EXPECT_EQ(header("REDIS0001"), "ok 1");
  EXPECT_EQ(header("REDIS0012"), "ok 12");
  EXPECT_EQ(header("REDIS0013"), "Can't handle RDB format version 13");
  EXPECT_EQ(header("REDIS0011", 10), "Can't handle RDB format version 11");
  EXPECT_EQ(header("REDIS0000"), "Can't handle RDB format version 0");
  EXPECT_EQ(header("REDISabcd"), "Can't handle RDB format version 0");
  EXPECT_EQ(header("REDIS-001"), "Can't handle RDB format version -1");
  EXPECT_EQ(header("REDIT0010"), "Wrong signature trying to load DB from file");
  EXPECT_EQ(header("*2\r\n$3\r\nSET"), "Wrong signature trying to load DB from file");
  EXPECT_NE(header("REDIS00").find("Unexpected end of input reading RDB header"), std::string::npos);
}

std::string WriteThen(auto fn, RdbWriterOptions opts = {}) {
  BufferSink sink;
  RdbWriter w(&sink, opts);
  EXPECT_TRUE(fn(w).ok());
  return sink.Release();
}

TEST(RdbReader, LengthRoundTripAtEveryBoundary) {
  std::vector<uint64_t> values = {0, 1, 62, 63, 64, 65, 16382, 16383, 16384, 16385,
                                  UINT32_MAX - 1, UINT32_MAX, uint64_t{UINT32_MAX} + 1,
                                  UINT64_MAX - 1, UINT64_MAX};
  for (uint64_t v : values) {
    std::string bytes = WriteThen([&](RdbWriter& w) { return w.SaveLen(v); });
    MemorySource src(bytes);
    RdbReader r(&src);
    uint64_t got;
    bool enc;
    ASSERT_TRUE(r.LoadLen(&got, &enc).ok());
    EXPECT_EQ(got, v);
    EXPECT_FALSE(enc);
    EXPECT_EQ(r.offset(), bytes.size());
  }
}

TEST(RdbReader, LengthEncodingErrors) {
  for (const char* hex : {"82", "bf", "ff", "c0"}) {
    std::string b = Unhex(hex);
    MemorySource src(b);
    RdbReader r(&src);
    auto len = r.LoadLen();
    ASSERT_FALSE(len.ok()) << hex;
    EXPECT_NE(len.status().message().find("at offset 0"), std::string::npos);
  }
  std::string b = Unhex("c4");
  MemorySource src(b);
  RdbReader r(&src);
  std::string s;
  Status st = r.LoadString(&s);
  EXPECT_EQ(st.message(), "Unknown RDB string encoding type 4 at offset 0");
}

TEST(RdbReader, StringRoundTripsInEveryEncoding) {
  std::mt19937 rng(99);
  std::vector<std::string> strings = {"", "0", "-1", "127", "-128", "128", "32767", "-32768",
                                      "32768", "2147483647", "-2147483648", "2147483648", "01",
                                      "-0", "+5", "9223372036854775807", std::string(20, 'x'),
                                      std::string(21, 'x'), std::string(5000, 'y')};
  for (int i = 0; i < 300; i++) {
    std::string s(rng() % 300, '\0');
    bool compressible = rng() % 2;
    for (auto& c : s) c = static_cast<char>(compressible ? 'a' + rng() % 3 : rng());
    strings.push_back(s);
  }
  strings.push_back(std::string(3 << 20, 'z'));  // > 1 MB, compressible
  for (bool compression : {true, false}) {
    std::string bytes = WriteThen(
        [&](RdbWriter& w) {
          for (const auto& s : strings) EMBER_RETURN_IF_ERROR(w.SaveString(s));
          return Status::OK();
        },
        {.compression = compression});
    for (size_t chunk : {size_t{0}, size_t{7}, size_t{65536}}) {
      std::unique_ptr<Source> src;
      if (chunk == 0) src = std::make_unique<MemorySource>(bytes);
      else src = std::make_unique<ChunkedSource>(bytes, chunk);
      RdbReader r(src.get());
      for (const auto& s : strings) {
        std::string got;
        bool was_int;
        ASSERT_TRUE(r.LoadString(&got, &was_int).ok());
        ASSERT_EQ(got, s);
        int64_t v;
        bool canonical_int32 = s.size() <= 11 && ParseInt64Check(s, &v);
        EXPECT_EQ(was_int, canonical_int32) << s;
      }
      EXPECT_EQ(r.offset(), bytes.size());
      EXPECT_EQ(r.crc(), Crc64(0, bytes));
    }
  }
}

TEST(RdbReader, HugeLengthsFailWithoutAllocating) {
  // A raw string claiming 2^62 bytes, then an LZF string claiming 2^40 uncompressed bytes from 5.
  for (const char* hex : {"81 40 00 00 00 00 00 00 00 41 42", "c3 05 81 00 00 01 00 00 00 00 00 "
                                                              "01 02 03 04 05",
                          "c3 81 40 00 00 00 00 00 00 00 10 00"}) {
    std::string b = Unhex(hex);
    MemorySource src(b);
    RdbReader r(&src);
    std::string s;
    Status st = r.LoadString(&s);
    EXPECT_EQ(st.code(), StatusCode::kCorruption) << hex;
    EXPECT_LT(s.capacity(), 1u << 20);
  }
  // Unknown-size stream: the string grows only with the bytes that arrive.
  std::string b = Unhex("81 00 00 00 10 00 00 00 00") + std::string(3 << 20, 'q');
  ChunkedSource src(b, 4096);
  RdbReader r(&src);
  std::string s;
  Status st = r.LoadString(&s);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find("Unexpected end of input"), std::string::npos);
  EXPECT_LT(s.capacity(), 8u << 20);
}

TEST(RdbReader, CorruptLzfIsCorruptionAtTheStringOffset) {
  // 'a' x 100 with the stored length changed to 99.
  std::string b = Unhex("00 c3 09 40 63 01 61 61 e0 57 00 01 61 61");
  MemorySource src(b);
  RdbReader r(&src);
  ASSERT_TRUE(r.LoadType().ok());
  std::string s;
  Status st = r.LoadString(&s);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find("LZF"), std::string::npos);
  EXPECT_NE(st.message().find("at offset 1"), std::string::npos) << st.message();
}

TEST(RdbReader, FixedWidthValues) {
  std::string bytes = WriteThen([](RdbWriter& w) {
    EMBER_RETURN_IF_ERROR(w.SaveBinaryDouble(-2.25));
    EMBER_RETURN_IF_ERROR(w.SaveBinaryFloat(0.5f));
    EMBER_RETURN_IF_ERROR(w.SaveMillisecondTime(-5));
    return w.SaveRaw("\xff\xff\xff\x7f", 4);
  });
  MemorySource src(bytes);
  RdbReader r(&src);
  EXPECT_EQ(*r.LoadBinaryDouble(), -2.25);
  EXPECT_EQ(*r.LoadBinaryFloat(), 0.5f);
  EXPECT_EQ(*r.LoadMillisecondTime(), -5);
  EXPECT_EQ(*r.LoadSecondTime(), INT32_MAX);
  EXPECT_FALSE(r.LoadSecondTime().ok());
}

TEST(RdbReader, LegacyDoubles) {
  std::string b = Unhex("fd fe ff") + "\x03" "3.5" + "\x05" "1e+10" + "\x01" "x" + "\x04" "12";
  MemorySource src(b);
  RdbReader r(&src);
  EXPECT_TRUE(std::isnan(*r.LoadLegacyDouble()));
  EXPECT_EQ(*r.LoadLegacyDouble(), INFINITY);
  EXPECT_EQ(*r.LoadLegacyDouble(), -INFINITY);
  EXPECT_EQ(*r.LoadLegacyDouble(), 3.5);
  EXPECT_EQ(*r.LoadLegacyDouble(), 1e10);
  auto bad = r.LoadLegacyDouble();
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "Invalid legacy double text at offset 13");
  EXPECT_FALSE(r.LoadLegacyDouble().ok());  // truncated
}

TEST(RdbReader, ProgressCallbackFiresEveryNBytes) {
  std::string bytes(10000, '\0');
  for (size_t chunk : {size_t{0}, size_t{333}, size_t{1000}}) {
    std::unique_ptr<Source> src;
    if (chunk == 0) src = std::make_unique<MemorySource>(bytes);
    else src = std::make_unique<ChunkedSource>(bytes, chunk);
    RdbReader r(src.get());
    std::vector<uint64_t> calls;
    r.SetProgressCallback([&](uint64_t at) { calls.push_back(at); }, 1000);
    char buf[37];
    for (int i = 0; i < 270; i++) ASSERT_TRUE(r.ReadRaw(buf, 37).ok());  // 9990 bytes
    ASSERT_EQ(calls.size(), 9u) << chunk;
    for (size_t i = 0; i < calls.size(); i++) EXPECT_EQ(calls[i], (i + 1) * 1000);
    EXPECT_EQ(r.crc(), Crc64(0, bytes.data(), 9990));
  }
}

TEST(FdSource, ReadsAFileAndKnowsItsSize) {
  char tmpl[] = "/tmp/ember-rdbr-XXXXXX";
  int fd = mkstemp(tmpl);
  ASSERT_GE(fd, 0);
  std::string bytes = Unhex(kRedisDumpRdb);
  ASSERT_EQ(write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  ASSERT_EQ(lseek(fd, 0, SEEK_SET), 0);
  {
    FdSource src(fd, 16);
    RdbReader r(&src);
    EXPECT_EQ(r.Remaining(), bytes.size());
    ParsedRdb p;
    ASSERT_TRUE(ParseRdb(r, &p).ok());
    EXPECT_EQ(p.keys.size(), 3u);
    EXPECT_EQ(r.Remaining(), 0u);
  }
  // A length beyond the end of the file fails before allocating.
  ASSERT_EQ(lseek(fd, 0, SEEK_SET), 0);
  ASSERT_EQ(write(fd, "\x80\x7f\xff\xff\xff", 5), 5);
  ASSERT_EQ(lseek(fd, 0, SEEK_SET), 0);
  FdSource src(fd);
  RdbReader r(&src);
  std::string s;
  Status st = r.LoadString(&s);
  EXPECT_NE(st.message().find("exceeds the remaining input"), std::string::npos) << st.message();
  close(fd);
  unlink(tmpl);
}

TEST(FdSource, PipeHasUnknownSize) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  ASSERT_EQ(write(fds[1], "\x03" "abc", 4), 4);
  close(fds[1]);
  FdSource src(fds[0]);
  RdbReader r(&src);
  EXPECT_FALSE(r.Remaining().has_value());
  EXPECT_EQ(*r.LoadString(), "abc");
  EXPECT_FALSE(r.LoadType().ok());
  close(fds[0]);
}

}  // namespace
}  // namespace ember::rdb
