#include "types/listpack.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <set>
#include <random>
#include <string>
#include <vector>

#include "base/strutil.h"
#include "../test_util.h"

namespace ember {
namespace {

using test_util::Hex;
using test_util::Unhex;
std::string Hex(const uint8_t* lp) { return Hex(lp, lp::Bytes(lp)); }

// Contents as text, walking forward, and checks the backward walk agrees.
std::vector<std::string> Contents(const uint8_t* lp) {
  std::vector<std::string> out;
  lp::Scratch sc;
  for (const uint8_t* p = lp::First(lp); p; p = lp::Next(lp, p))
    out.emplace_back(lp::GetString(p, &sc));
  std::vector<std::string> back;
  for (const uint8_t* p = lp::Last(lp); p; p = lp::Prev(lp, p))
    back.emplace_back(lp::GetString(p, &sc));
  std::reverse(back.begin(), back.end());
  EXPECT_EQ(out, back);
  return out;
}

// The 100-byte value used in the DUMP below: bytes (i*37+11) mod 256.
std::string Big100() {
  std::string s;
  for (int i = 0; i < 100; i++) s.push_back(static_cast<char>((i * 37 + 11) % 256));
  return s;
}

// Payloads taken from Redis 7.0.15 DUMP output (after the type byte and the RDB string length).
// HSET h3 a 1 1000 <Big100> with hash-max-listpack-value 200.
constexpr const char* kRedisHashBlob =
    "7600000004008161020101c3e802e0640b30557a9fc4e90e33587da2c7ec11365b80a5caef14395e83a8cdf2173c61"
    "86abd0f51a3f6489aed3f81d42678cb1d6fb20456a8fb4d9fe23486d92b7dc01264b7095badf04294e7398bde2072c"
    "51769bc0e50a2f54799ec3e80d32577ca1c6eb10355a66ff";
// ZADD z 1 a 2.5 b -3 c.
constexpr const char* kRedisZsetBlob = "1a0000000600816302dffd02816102010181620283322e3504ff";
// HSET h2 with one value of every integer width.
constexpr const char* kRedisIntsBlob =
    "5d0000001600816e02dfff02816d02d00002816f02cfff02817002f1ffef03817102f1ff7f03817202f20000800481"
    "7402f3ffffff7f05817502f4000000000000008009817602f4ffffffffffffff7f098177027f01817802c08002ff";

TEST(ListpackLayout, EmptyIsSevenBytes) {
  uint8_t* lp = lp::New();
  EXPECT_EQ(Hex(lp), "0700000000" "00ff");
  EXPECT_EQ(lp::Length(lp), 0u);
  EXPECT_EQ(lp::First(lp), nullptr);
  EXPECT_EQ(lp::Last(lp), nullptr);
  lp::Free(lp);
}

TEST(ListpackLayout, MatchesRedisDumpOfHashWithStringIntsAndLongValue) {
  uint8_t* lp = lp::New();
  lp = lp::Append(lp, "a");
  lp = lp::Append(lp, "1");
  lp = lp::AppendInteger(lp, 1000);
  lp = lp::Append(lp, Big100());
  EXPECT_EQ(Hex(lp), kRedisHashBlob);
  // Derived from the format by hand: header, "a" (81 61 | 02), 1 (01 | 01), 1000 as 13-bit int
  // (c3 e8 | 02), 12-bit string e0 64 + 100 bytes | backlen 0x66, terminator.
  EXPECT_EQ(Hex(lp).substr(0, 32), "760000000400" "816102" "0101" "c3e802" "e064");
  lp::Free(lp);
}

TEST(ListpackLayout, MatchesRedisDumpOfZset) {
  uint8_t* lp = lp::New();
  for (const char* s : {"c", "-3", "a", "1", "b", "2.5"}) lp = lp::Append(lp, s);
  EXPECT_EQ(Hex(lp), kRedisZsetBlob);
  lp::Free(lp);
}

TEST(ListpackLayout, MatchesRedisDumpOfEveryIntegerWidth) {
  std::vector<std::string> items = {"n", "-1", "m", "-4096", "o", "4095", "p", "-4097", "q",
                                    "32767", "r", "-8388608", "t", "2147483647", "u",
                                    "-9223372036854775808", "v", "9223372036854775807", "w",
                                    "127", "x", "128"};
  uint8_t* lp = lp::New();
  for (const auto& s : items) lp = lp::Append(lp, s);
  EXPECT_EQ(Hex(lp), kRedisIntsBlob);
  EXPECT_EQ(Contents(lp), items);
  // Reading Redis's blob gives the same values.
  std::string blob = Unhex(kRedisIntsBlob);
  ASSERT_TRUE(lp::ValidateListpack(reinterpret_cast<const uint8_t*>(blob.data()), blob.size(), true));
  EXPECT_EQ(Contents(reinterpret_cast<const uint8_t*>(blob.data())), items);
  lp::Free(lp);
}

TEST(ListpackLayout, IntegerBoundariesUseTheNarrowestEncoding) {
  struct Case {
    int64_t v;
    size_t size;
  } cases[] = {{0, 2},          {127, 2},          {128, 3},           {-1, 3},
               {-4096, 3},      {4095, 3},         {4096, 4},          {-4097, 4},
               {32767, 4},      {-32768, 4},       {32768, 5},         {8388607, 5},
               {-8388608, 5},   {8388608, 6},      {INT32_MAX, 6},     {INT32_MIN, 6},
               {int64_t{INT32_MAX} + 1, 10},       {INT64_MIN, 10},    {INT64_MAX, 10}};
  for (const auto& c : cases) {
    EXPECT_EQ(lp::EntrySizeInteger(c.v), c.size) << c.v;
    uint8_t* lp = lp::AppendInteger(lp::New(), c.v);
    EXPECT_EQ(lp::Bytes(lp), lp::kEmptyBytes + c.size) << c.v;
    lp::Value v = lp::Get(lp::First(lp));
    ASSERT_TRUE(v.IsInt());
    EXPECT_EQ(v.ival, c.v);
    lp::Free(lp);
  }
}

TEST(ListpackLayout, PerElementCostFiguresInHeaderHold) {
  // Figures stated in listpack.h.
  EXPECT_EQ(lp::EntrySizeString(0), 2u);
  EXPECT_EQ(lp::EntrySizeString(63), 65u);
  EXPECT_EQ(lp::EntrySizeString(64), 67u);
  EXPECT_EQ(lp::EntrySizeString(125), 128u);
  EXPECT_EQ(lp::EntrySizeString(126), 130u);
  EXPECT_EQ(lp::EntrySizeString(4095), 4099u);
  EXPECT_EQ(lp::EntrySizeString(4096), 4103u);
  EXPECT_EQ(lp::EntrySizeString(16377), 16384u);
  EXPECT_EQ(lp::EntrySizeString(16378), 16386u);
  EXPECT_EQ(lp::EntrySizeFor("12"), 2u);
  EXPECT_EQ(lp::EntrySizeFor("012"), 5u);
  EXPECT_EQ(lp::EstimateBytesRepeatedInteger(5, 10), 7u + 20u);
  // And the real growth matches the estimate at every string-encoding boundary.
  for (size_t len : {0, 1, 63, 64, 125, 126, 127, 4095, 4096, 16377, 16378, 70000}) {
    std::string s(len, 'x');
    uint8_t* lp = lp::New();
    lp = lp::Append(lp, "head");
    size_t before = lp::Bytes(lp);
    lp = lp::Append(lp, s);
    lp = lp::Append(lp, "tail");
    EXPECT_EQ(lp::Bytes(lp) - before, lp::EntrySizeString(len) + lp::EntrySizeString(4)) << len;
    EXPECT_EQ(Contents(lp), (std::vector<std::string>{"head", s, "tail"})) << len;
    EXPECT_TRUE(lp::ValidateListpack(lp, lp::Bytes(lp), true)) << len;
    lp::Free(lp);
  }
}

TEST(ListpackLayout, OnlyCanonicalIntegerStringsBecomeIntegers) {
  uint8_t* lp = lp::New();
  std::vector<std::string> strs = {"01", "-0", "+1", " 1", "1 ", "9223372036854775808", "1e3", ""};
  for (const auto& s : strs) lp = lp::Append(lp, s);
  for (const uint8_t* p = lp::First(lp); p; p = lp::Next(lp, p)) EXPECT_FALSE(lp::Get(p).IsInt());
  EXPECT_EQ(Contents(lp), strs);
  lp = lp::Append(lp, "-9223372036854775808");
  EXPECT_TRUE(lp::Get(lp::Last(lp)).IsInt());
  lp::Free(lp);
}

TEST(ListpackOps, InsertReplaceDeleteKeepOrder) {
  uint8_t* lp = lp::New();
  lp = lp::Append(lp, "b");
  lp = lp::Prepend(lp, "a");
  lp = lp::AppendInteger(lp, 7);
  const uint8_t* p = lp::Seek(lp, 1);
  const uint8_t* np;
  lp = lp::Insert(lp, p, lp::Where::kAfter, "b2", &np);
  EXPECT_TRUE(lp::Equals(np, "b2"));
  lp = lp::Insert(lp, lp::Seek(lp, 0), lp::Where::kBefore, "zero", &np);
  EXPECT_EQ(Contents(lp), (std::vector<std::string>{"zero", "a", "b", "b2", "7"}));
  p = lp::Seek(lp, -1);
  lp = lp::Replace(lp, &p, "a much longer replacement string than before");
  EXPECT_TRUE(lp::Equals(p, "a much longer replacement string than before"));
  p = lp::Seek(lp, 2);
  lp = lp::Delete(lp, p, &np);
  EXPECT_TRUE(lp::Equals(np, "b2"));
  lp = lp::DeleteRange(lp, -2, 10);
  EXPECT_EQ(Contents(lp), (std::vector<std::string>{"zero", "a"}));
  EXPECT_EQ(lp::Length(lp), 2u);
  lp::Free(lp);
}

TEST(ListpackOps, FindWithSkipMatchesFieldsOnly) {
  uint8_t* lp = lp::New();
  // field/value pairs where a value equals a later field.
  for (const char* s : {"f1", "f2", "f2", "10", "10", "x"}) lp = lp::Append(lp, s);
  const uint8_t* p = lp::Find(lp, lp::First(lp), "f2", 1);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p, lp::Seek(lp, 2));
  p = lp::Find(lp, lp::First(lp), "10", 1);
  EXPECT_EQ(p, lp::Seek(lp, 4));
  EXPECT_EQ(lp::Find(lp, lp::First(lp), "x", 1), nullptr);  // only a value
  EXPECT_EQ(lp::Find(lp, lp::First(lp), "x", 0), lp::Seek(lp, 5));
  EXPECT_EQ(lp::Find(lp, lp::First(lp), "010", 0), nullptr);
  lp::Free(lp);
}

TEST(ListpackOps, CompareEntries) {
  uint8_t* lp = lp::New();
  for (const char* s : {"abc", "10", "10", "abd", "9"}) lp = lp::Append(lp, s);
  const uint8_t* e[5];
  for (int i = 0; i < 5; i++) e[i] = lp::Seek(lp, i);
  EXPECT_TRUE(lp::EntriesEqual(e[1], e[2]));
  EXPECT_FALSE(lp::EntriesEqual(e[0], e[3]));
  EXPECT_LT(lp::CompareString(e[0], "abd"), 0);
  EXPECT_GT(lp::CompareString(e[3], "abc"), 0);
  EXPECT_EQ(lp::CompareString(e[0], "abc"), 0);
  EXPECT_GT(lp::CompareString(e[4], "10"), 0);  // text order: "9" > "10"
  EXPECT_LT(lp::CompareString(e[0], "abcd"), 0);
  int64_t v;
  EXPECT_TRUE(lp::GetInteger(e[1], &v));
  EXPECT_EQ(v, 10);
  EXPECT_FALSE(lp::GetInteger(e[0], &v));
  lp::Free(lp);
}

TEST(ListpackOps, CountBecomesUnknownPast65534AndIsRecoveredByLength) {
  uint8_t* lp = lp::New();
  std::vector<std::string_view> batch(65536, "x");
  lp = lp::BatchAppend(lp, batch);
  EXPECT_EQ(lp::HeaderCount(lp), lp::kNumElementsUnknown);
  EXPECT_EQ(lp::Length(static_cast<const uint8_t*>(lp)), 65536u);
  EXPECT_TRUE(lp::ValidateListpack(lp, lp::Bytes(lp), true));
  lp = lp::DeleteRange(lp, 0, 10);
  EXPECT_EQ(lp::HeaderCount(lp), lp::kNumElementsUnknown);  // stays unknown, as in Redis
  EXPECT_EQ(lp::Length(lp), 65526u);
  EXPECT_EQ(lp::HeaderCount(lp), 65526u);  // cached by Length
  EXPECT_EQ(lp::Seek(lp, -1), lp::Last(lp));
  lp::Free(lp);
}

TEST(ListpackOps, MergeConcatenates) {
  uint8_t* a = lp::New();
  uint8_t* b = lp::New();
  for (int i = 0; i < 5; i++) a = lp::AppendInteger(a, i);
  for (int i = 5; i < 9; i++) b = lp::Append(b, "s" + std::to_string(i));
  a = lp::Merge(a, b);
  EXPECT_EQ(Contents(a), (std::vector<std::string>{"0", "1", "2", "3", "4", "s5", "s6", "s7", "s8"}));
  EXPECT_EQ(lp::Length(a), 9u);
  EXPECT_TRUE(lp::ValidateListpack(a, lp::Bytes(a), true));
  lp::Free(a);
}

TEST(ListpackOps, InsertingAnEntryOfItselfIsSafe) {
  uint8_t* lp = lp::New();
  lp = lp::Append(lp, std::string(300, 'q'));
  for (int i = 0; i < 5; i++) {
    lp::Value v = lp::Get(lp::First(lp));
    lp = lp::Append(lp, v.View());  // v points into lp, which reallocates
  }
  for (const auto& s : Contents(lp)) EXPECT_EQ(s, std::string(300, 'q'));
  lp::Free(lp);
}

// Randomized operations against std::vector<std::string>.
TEST(ListpackModel, RandomOperationsMatchVector) {
  std::mt19937_64 rng(12345);
  auto rand_str = [&]() -> std::string {
    switch (rng() % 6) {
      case 0: return std::to_string(static_cast<int64_t>(rng()) >> (rng() % 64));
      case 1: return std::to_string(static_cast<int>(rng() % 300) - 150);
      case 2: return std::string(rng() % 5000, static_cast<char>('a' + rng() % 26));
      case 3: return "0" + std::to_string(rng() % 100);
      default: {
        std::string s(rng() % 70, 'x');
        for (auto& c : s) c = static_cast<char>(rng());
        return s;
      }
    }
  };
  uint8_t* lp = lp::New();
  std::vector<std::string> model;
  for (int op = 0; op < 6000; op++) {
    int kind = static_cast<int>(rng() % 10);
    if (model.empty() && kind >= 3) kind = 0;
    long idx = model.empty() ? 0 : static_cast<long>(rng() % model.size());
    switch (kind) {
      case 0: {
        std::string s = rand_str();
        lp = lp::Append(lp, s);
        model.push_back(s);
        break;
      }
      case 1: {
        std::string s = rand_str();
        lp = lp::Prepend(lp, s);
        model.insert(model.begin(), s);
        break;
      }
      case 2: {
        std::vector<std::string> items(rng() % 5);
        for (auto& s : items) s = rand_str();
        std::vector<std::string_view> views(items.begin(), items.end());
        lp = lp::BatchAppend(lp, views);
        model.insert(model.end(), items.begin(), items.end());
        break;
      }
      case 3: {
        std::string s = rand_str();
        bool after = rng() % 2;
        lp = lp::Insert(lp, lp::Seek(lp, idx), after ? lp::Where::kAfter : lp::Where::kBefore, s);
        model.insert(model.begin() + idx + (after ? 1 : 0), s);
        break;
      }
      case 4: {
        std::string s = rand_str();
        const uint8_t* p = lp::Seek(lp, idx - static_cast<long>(model.size()));  // negative index
        lp = lp::Replace(lp, &p, s);
        EXPECT_TRUE(lp::Equals(p, s));
        model[idx] = s;
        break;
      }
      case 5:
      case 6: {
        const uint8_t* next;
        lp = lp::Delete(lp, lp::Seek(lp, idx), &next);
        model.erase(model.begin() + idx);
        if (static_cast<size_t>(idx) < model.size()) {
          ASSERT_NE(next, nullptr);
          EXPECT_TRUE(lp::Equals(next, model[idx]));
        } else {
          EXPECT_EQ(next, nullptr);
        }
        break;
      }
      case 7: {
        size_t num = rng() % 4;
        lp = lp::DeleteRange(lp, idx, num);
        model.erase(model.begin() + idx, model.begin() + std::min(model.size(), idx + num));
        break;
      }
      case 8: {
        const std::string& want = model[idx];
        const uint8_t* p = lp::Find(lp, lp::First(lp), want, 0);
        ASSERT_NE(p, nullptr);
        size_t first = std::find(model.begin(), model.end(), want) - model.begin();
        EXPECT_EQ(p, lp::Seek(lp, static_cast<long>(first)));
        break;
      }
      default: {
        lp::Scratch sc;
        EXPECT_EQ(lp::GetString(lp::Seek(lp, idx), &sc), model[idx]);
        EXPECT_EQ(lp::Seek(lp, static_cast<long>(model.size())), nullptr);
        EXPECT_EQ(lp::Seek(lp, -static_cast<long>(model.size()) - 1), nullptr);
      }
    }
    ASSERT_EQ(lp::Length(lp), model.size());
    if (op % 50 == 0 || model.size() < 5) {
      ASSERT_TRUE(lp::ValidateListpack(lp, lp::Bytes(lp), true)) << op;
      ASSERT_EQ(Contents(lp), model) << op;
    }
    if (model.size() > 400) {
      lp = lp::DeleteRange(lp, 0, 200);
      model.erase(model.begin(), model.begin() + 200);
    }
  }
  lp = lp::Shrink(lp);
  EXPECT_EQ(Contents(lp), model);
  lp::Free(lp);
}

TEST(ListpackRandom, GroupsAreWholePairsAndUniqueIsDistinct) {
  lp::SeedRandom(7);
  uint8_t* lp = lp::New();
  const int kPairs = 20;
  for (int i = 0; i < kPairs; i++) {
    lp = lp::Append(lp, "f" + std::to_string(i));
    lp = lp::AppendInteger(lp, i);
  }
  std::vector<lp::Value> f(100), v(100);
  lp::RandomGroups(lp, 100, 2, f.data(), v.data());
  std::vector<int> hits(kPairs);
  for (int i = 0; i < 100; i++) {
    ASSERT_FALSE(f[i].IsInt());
    ASSERT_TRUE(v[i].IsInt());
    EXPECT_EQ(f[i].ToString(), "f" + std::to_string(v[i].ival));
    hits[v[i].ival]++;
  }
  size_t n = lp::RandomGroupsUnique(lp, 50, 2, f.data(), v.data());
  EXPECT_EQ(n, static_cast<size_t>(kPairs));
  for (size_t i = 0; i < n; i++) EXPECT_EQ(v[i].ival, static_cast<int64_t>(i));  // all, in order
  n = lp::RandomGroupsUnique(lp, 5, 2, f.data(), nullptr);
  EXPECT_EQ(n, 5u);
  std::set<std::string> seen;
  for (size_t i = 0; i < n; i++) seen.insert(f[i].ToString());
  EXPECT_EQ(seen.size(), 5u);
  // Stride 1 (sets): every entry reachable, roughly uniformly.
  std::vector<int> counts(2 * kPairs);
  for (int i = 0; i < 4000; i++) {
    const uint8_t* p = lp::RandomEntry(lp);
    long idx = 0;
    for (const uint8_t* q = lp::First(lp); q != p; q = lp::Next(lp, q)) idx++;
    counts[idx]++;
  }
  for (int c : counts) EXPECT_GT(c, 40);
  lp::Free(lp);
}

TEST(ListpackSafety, SafeToAddEnforcesOneGigabyteCap) {
  uint8_t* lp = lp::New();
  EXPECT_TRUE(lp::SafeToAdd(lp, lp::kMaxSafetySize - lp::kEmptyBytes));
  EXPECT_FALSE(lp::SafeToAdd(lp, lp::kMaxSafetySize - lp::kEmptyBytes + 1));
  EXPECT_TRUE(lp::SafeToAdd(nullptr, lp::kMaxSafetySize));
  EXPECT_FALSE(lp::SafeToAdd(nullptr, lp::kMaxSafetySize + 1));
  lp::Free(lp);
}

// ---- validation ----

std::string Blob(const uint8_t* lp) {
  return std::string(reinterpret_cast<const char*>(lp), lp::Bytes(lp));
}
bool Valid(const std::string& b, bool deep = true) {
  return lp::ValidateListpack(reinterpret_cast<const uint8_t*>(b.data()), b.size(), deep);
}

TEST(ListpackValidate, RejectsCraftedCorruptions) {
  EXPECT_TRUE(Valid(Unhex(kRedisHashBlob)));
  EXPECT_TRUE(Valid(Unhex(kRedisZsetBlob)));
  std::string good = Unhex(kRedisZsetBlob);
  EXPECT_FALSE(Valid(good.substr(0, 6)));               // too short
  EXPECT_FALSE(Valid(good.substr(0, good.size() - 1))); // header bytes != size
  std::string b = good;
  b.back() = 0x00;  // no terminator
  EXPECT_FALSE(Valid(b, false));
  b = good;
  b[4] = 5;  // wrong count
  EXPECT_TRUE(Valid(b, false));
  EXPECT_FALSE(Valid(b, true));
  b = good;
  b[4] = static_cast<char>(0xff), b[5] = static_cast<char>(0xff);  // unknown count is fine
  EXPECT_TRUE(Valid(b));
  b = good;
  b[8] = 0x04;  // backlen of "c" wrong
  EXPECT_FALSE(Valid(b));
  b = good;
  b[6] = static_cast<char>(0xF5);  // invalid encoding
  EXPECT_FALSE(Valid(b));
  b = good;
  b[6] = static_cast<char>(0xFF);  // terminator in the middle
  EXPECT_FALSE(Valid(b));
  // A 32-bit string length pointing far beyond the end.
  std::string huge = Unhex("0e0000000100" "f0ffffff7f6102ff");
  ASSERT_EQ(huge.size(), 14u);
  EXPECT_FALSE(Valid(huge));
  // 12-bit string whose length runs past the end.
  std::string s12 = Unhex("0a0000000100e0ff02ff");
  EXPECT_FALSE(Valid(s12));
  // 32-bit string header cut by the end of the blob.
  std::string cut = Unhex("0a0000000100f001ff");
  cut[0] = static_cast<char>(cut.size());
  EXPECT_FALSE(Valid(cut));
}

TEST(ListpackValidate, EntryCallbackCanReject) {
  std::string b = Unhex(kRedisZsetBlob);
  int n = 0;
  auto cb = [&](const uint8_t*) { return ++n < 3; };
  EXPECT_FALSE(
      lp::ValidateListpack(reinterpret_cast<const uint8_t*>(b.data()), b.size(), true, cb));
  EXPECT_EQ(n, 3);
}

// Random corruptions never crash validation, and whatever passes deep validation can be walked both
// ways with consistent results.
TEST(ListpackValidate, FuzzedCorruptionsNeverCrash) {
  std::mt19937_64 rng(99);
  int accepted = 0, rejected = 0;
  for (int round = 0; round < 3000; round++) {
    uint8_t* lp = lp::New();
    int n = static_cast<int>(rng() % 12);
    for (int i = 0; i < n; i++) {
      switch (rng() % 4) {
        case 0: lp = lp::AppendInteger(lp, static_cast<int64_t>(rng()) >> (rng() % 64)); break;
        case 1: lp = lp::Append(lp, std::string(rng() % 80, 'a')); break;
        case 2: lp = lp::Append(lp, std::string(rng() % 5000, 'b')); break;
        default: lp = lp::AppendInteger(lp, static_cast<int64_t>(rng() % 256) - 128);
      }
    }
    std::string b = Blob(lp);
    lp::Free(lp);
    // Corrupt: flip bytes, truncate, or extend, sometimes fixing the header size so deep checks run.
    int flips = 1 + static_cast<int>(rng() % 3);
    for (int i = 0; i < flips; i++) {
      switch (rng() % 4) {
        case 0: b[rng() % b.size()] = static_cast<char>(rng()); break;
        case 1: b[rng() % b.size()] ^= static_cast<char>(1u << (rng() % 8)); break;
        case 2: b.resize(rng() % (b.size() + 1)); break;
        default: b.append(rng() % 8, static_cast<char>(rng()));
      }
      if (b.empty()) b = "x";
    }
    if (rng() % 2 && b.size() >= 7) {
      uint32_t sz = static_cast<uint32_t>(b.size());
      std::memcpy(b.data(), &sz, 4);
      b.back() = static_cast<char>(0xFF);
    }
    // Copy into an exact-size heap buffer so a sanitizer build catches over-reads.
    auto* buf = new uint8_t[b.size()];
    std::memcpy(buf, b.data(), b.size());
    bool ok = lp::ValidateListpack(buf, b.size(), true);
    if (ok) {
      accepted++;
      size_t fwd = 0;
      for (const uint8_t* p = lp::First(buf); p; p = lp::Next(buf, p)) {
        lp::Scratch sc;
        (void)lp::GetString(p, &sc);
        fwd++;
      }
      size_t bwd = 0;
      for (const uint8_t* p = lp::Last(buf); p; p = lp::Prev(buf, p)) bwd++;
      EXPECT_EQ(fwd, bwd);
      EXPECT_EQ(fwd, lp::Length(static_cast<const uint8_t*>(buf)));
    } else {
      rejected++;
    }
    delete[] buf;
  }
  EXPECT_GT(rejected, 1000);
  EXPECT_GT(accepted, 10);  // some corruptions only change values
}

}  // namespace
}  // namespace ember
