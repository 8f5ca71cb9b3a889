// Contracts of commands/string_ops.h (the data part of the string commands) and of the
// Database::Set / DupValue behaviour they rely on: Redis's encodings after each operation, sds
// growth for APPEND/SETRANGE, failures that change nothing, GETRANGE index rules, and LCS
// (length, subsequence and IDX ranges) against a brute-force reference.
#include "commands/string_ops.h"

#include <gtest/gtest.h>

#include <climits>
#include <random>
#include <string>

#include "core/value_free.h"

namespace ember::strops {
namespace {

class StringOpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.now_ms = 1'000'000;
    db_ = std::make_unique<Database>(0, &env_);
  }
  std::string Get(std::string_view key) {
    Record* r = db_->Find(key);
    if (!r) return "<nil>";
    char buf[32];
    return std::string(r->StringValue(buf));
  }
  Encoding Enc(std::string_view key) { return db_->Find(key)->encoding(); }
  // A list-typed record without an external value (type checks only).
  void AddNonString(std::string_view key) {
    ValueInit v = ValueInit::Int(1);
    v.type = ObjType::kList;
    db_->Add(key, v);
  }

  KeyspaceEnv env_;
  std::unique_ptr<Database> db_;
};

TEST_F(StringOpsTest, IncrByCreatesUpdatesInPlaceAndKeepsTtl) {
  int64_t v;
  bool created;
  ASSERT_EQ(IncrBy(*db_, "n", 5, &v, &created), OpResult::kOk);
  EXPECT_EQ(v, 5);
  EXPECT_TRUE(created);
  Record* r = db_->Find("n");
  db_->SetExpire(r, env_.now_ms + 1000);
  r = db_->Find("n");
  ASSERT_EQ(IncrBy(*db_, "n", -7, &v, &created), OpResult::kOk);
  EXPECT_EQ(v, -2);
  EXPECT_FALSE(created);
  EXPECT_EQ(db_->Find("n"), r) << "an int record is updated in place";
  EXPECT_TRUE(db_->Find("n")->has_expire());
  EXPECT_EQ(Enc("n"), Encoding::kInt);
}

TEST_F(StringOpsTest, IncrByReencodesStringsAsInt) {
  db_->Set("s", ValueInit::Ptr(ObjType::kString, Encoding::kRaw, RawString::New("100")));
  int64_t v;
  bool created;
  ASSERT_EQ(IncrBy(*db_, "s", 1, &v, &created), OpResult::kOk);
  EXPECT_EQ(Enc("s"), Encoding::kInt);
  EXPECT_EQ(Get("s"), "101");
}

TEST_F(StringOpsTest, IncrByFailuresChangeNothing) {
  int64_t v = 0;
  bool created;
  db_->Set("max", ValueInit::FromString("9223372036854775807"));
  EXPECT_EQ(IncrBy(*db_, "max", 1, &v, &created), OpResult::kOverflow);
  db_->Set("min", ValueInit::FromString("-9223372036854775808"));
  EXPECT_EQ(IncrBy(*db_, "min", -1, &v, &created), OpResult::kOverflow);
  for (const char* bad : {"abc", "01", " 1", "1.5", "", "-0", "9223372036854775808"}) {
    db_->Set("b", ValueInit::FromString(bad));
    EXPECT_EQ(IncrBy(*db_, "b", 1, &v, &created), OpResult::kNotInteger) << bad;
    EXPECT_EQ(Get("b"), bad);
  }
  AddNonString("l");
  EXPECT_EQ(IncrBy(*db_, "l", 1, &v, &created), OpResult::kWrongType);
  EXPECT_EQ(Get("max"), "9223372036854775807");
  EXPECT_EQ(Get("min"), "-9223372036854775808");
}

TEST_F(StringOpsTest, IncrByFloatFormatsLikeRedisAndStoresAString) {
  std::string text;
  bool created;
  ASSERT_EQ(IncrByFloat(*db_, "f", "10.5", &text, &created), OpResult::kOk);
  EXPECT_EQ(text, "10.5");
  ASSERT_EQ(IncrByFloat(*db_, "f", "0.1", &text, &created), OpResult::kOk);
  EXPECT_EQ(text, "10.6");
  ASSERT_EQ(IncrByFloat(*db_, "f", "5.0e3", &text, &created), OpResult::kOk);
  EXPECT_EQ(text, "5010.60000000000000009");
  EXPECT_EQ(Enc("f"), Encoding::kEmbstr);
  db_->Set("i", ValueInit::FromString("3"));
  ASSERT_EQ(IncrByFloat(*db_, "i", "0", &text, &created), OpResult::kOk);
  EXPECT_EQ(text, "3");
  EXPECT_EQ(Enc("i"), Encoding::kEmbstr) << "INCRBYFLOAT never stores an int";
  ASSERT_EQ(IncrByFloat(*db_, "big", "1e60", &text, &created), OpResult::kOk);
  EXPECT_GT(text.size(), kEmbstrSizeLimit);
  EXPECT_EQ(Enc("big"), Encoding::kRaw);
  EXPECT_EQ(Get("big"), text);
}

TEST_F(StringOpsTest, IncrByFloatErrorsChangeNothing) {
  std::string text;
  bool created;
  db_->Set("f", ValueInit::FromString("1.5"));
  EXPECT_EQ(IncrByFloat(*db_, "f", "x", &text, &created), OpResult::kNotFloat);
  EXPECT_EQ(IncrByFloat(*db_, "f", "nan", &text, &created), OpResult::kNotFloat);
  EXPECT_EQ(IncrByFloat(*db_, "f", "inf", &text, &created), OpResult::kNanOrInf);
  db_->Set("s", ValueInit::FromString("abc"));
  EXPECT_EQ(IncrByFloat(*db_, "s", "1", &text, &created), OpResult::kNotFloat);
  AddNonString("l");
  EXPECT_EQ(IncrByFloat(*db_, "l", "x", &text, &created), OpResult::kWrongType)
      << "the type check comes before the increment is parsed";
  EXPECT_EQ(Get("f"), "1.5");
  EXPECT_EQ(Get("s"), "abc");
  EXPECT_EQ(IncrByFloat(*db_, "none", "x", &text, &created), OpResult::kNotFloat);
  EXPECT_EQ(db_->Find("none"), nullptr);
}

TEST_F(StringOpsTest, AppendUsesRedisEncodingsAndGreedyGrowth) {
  size_t len;
  bool created;
  ASSERT_EQ(Append(*db_, "n", "12", 1 << 20, &len, &created), OpResult::kOk);
  EXPECT_TRUE(created);
  EXPECT_EQ(Enc("n"), Encoding::kInt) << "APPEND to a missing key stores like SET";
  ASSERT_EQ(Append(*db_, "n", "3", 1 << 20, &len, &created), OpResult::kOk);
  EXPECT_EQ(len, 3u);
  EXPECT_EQ(Enc("n"), Encoding::kRaw);
  EXPECT_EQ(Get("n"), "123");
  // sdscatlen's growth: capacity at least twice the new length below 1 MB.
  EXPECT_GE(db_->Find("n")->as<RawString>()->capacity(), 6u);
  std::string model = "123";
  std::mt19937 rng(3);
  for (int i = 0; i < 200; i++) {
    std::string add(rng() % 50, static_cast<char>('a' + i % 26));
    model += add;
    ASSERT_EQ(Append(*db_, "n", add, 1 << 20, &len, &created), OpResult::kOk);
    ASSERT_EQ(len, model.size());
    RawString* rs = db_->Find("n")->as<RawString>();
    ASSERT_GE(rs->capacity(), rs->len);
  }
  EXPECT_EQ(Get("n"), model);
  ASSERT_EQ(Append(*db_, "e", "", 100, &len, &created), OpResult::kOk);
  EXPECT_TRUE(created);
  EXPECT_EQ(Enc("e"), Encoding::kEmbstr);
}

TEST_F(StringOpsTest, AppendFailuresChangeNothing) {
  size_t len = 0;
  bool created;
  db_->Set("a", ValueInit::FromString("hello"));
  EXPECT_EQ(Append(*db_, "a", "xy", 6, &len, &created), OpResult::kTooLong);
  EXPECT_EQ(Get("a"), "hello");
  EXPECT_EQ(Enc("a"), Encoding::kEmbstr);
  AddNonString("l");
  EXPECT_EQ(Append(*db_, "l", "x", 100, &len, &created), OpResult::kWrongType);
}

TEST_F(StringOpsTest, SetRangePadsWithZerosAndLeavesRaw) {
  size_t len;
  bool created, modified;
  ASSERT_EQ(SetRange(*db_, "b", 3, "x", 100, &len, &created, &modified), OpResult::kOk);
  EXPECT_TRUE(created && modified);
  EXPECT_EQ(len, 4u);
  EXPECT_EQ(Get("b"), std::string("\0\0\0x", 4));
  EXPECT_EQ(Enc("b"), Encoding::kRaw);
  db_->Set("n", ValueInit::FromString("123"));
  ASSERT_EQ(SetRange(*db_, "n", 1, "x", 100, &len, &created, &modified), OpResult::kOk);
  EXPECT_EQ(Get("n"), "1x3");
  EXPECT_EQ(Enc("n"), Encoding::kRaw);
  ASSERT_EQ(SetRange(*db_, "n", 5, "yz", 100, &len, &created, &modified), OpResult::kOk);
  EXPECT_EQ(Get("n"), std::string("1x3\0\0yz", 7));
  // Empty value: nothing is created or changed.
  ASSERT_EQ(SetRange(*db_, "c", 5, "", 100, &len, &created, &modified), OpResult::kOk);
  EXPECT_EQ(len, 0u);
  EXPECT_FALSE(created || modified);
  EXPECT_EQ(db_->Find("c"), nullptr);
  ASSERT_EQ(SetRange(*db_, "n", 100, "", 100, &len, &created, &modified), OpResult::kOk);
  EXPECT_EQ(len, 7u);
  EXPECT_FALSE(modified);
}

TEST_F(StringOpsTest, SetRangeLengthLimitIsOffsetPlusValue) {
  size_t len;
  bool created, modified;
  db_->Set("a", ValueInit::FromString("hello"));
  EXPECT_EQ(SetRange(*db_, "a", 9, "xy", 10, &len, &created, &modified), OpResult::kTooLong);
  EXPECT_EQ(SetRange(*db_, "m", 10, "x", 10, &len, &created, &modified), OpResult::kTooLong);
  EXPECT_EQ(SetRange(*db_, "a", INT64_MAX, "x", 10, &len, &created, &modified),
            OpResult::kTooLong);
  EXPECT_EQ(Get("a"), "hello");
  EXPECT_EQ(Enc("a"), Encoding::kEmbstr);
  EXPECT_EQ(db_->Find("m"), nullptr);
  ASSERT_EQ(SetRange(*db_, "a", 8, "xy", 10, &len, &created, &modified), OpResult::kOk);
  EXPECT_EQ(len, 10u);
}

TEST(StringSliceTest, FollowsGetrangeIndexRules) {
  std::string_view s = "Hello World";
  EXPECT_EQ(Slice(s, 0, 4), "Hello");
  EXPECT_EQ(Slice(s, -5, -1), "World");
  EXPECT_EQ(Slice(s, 0, -1), s);
  EXPECT_EQ(Slice(s, 6, 100), "World");
  EXPECT_EQ(Slice(s, -100, 4), "Hello");
  EXPECT_EQ(Slice(s, 5, 2), "");
  EXPECT_EQ(Slice(s, 100, 200), "");
  EXPECT_EQ(Slice(s, -1, -5), "");
  EXPECT_EQ(Slice(s, INT64_MIN, INT64_MAX), s);
  EXPECT_EQ(Slice("", 0, -1), "");
}

TEST(StringLcsTest, MatchesRedisExample) {
  LcsResult r;
  ASSERT_EQ(Lcs("ohmytext", "mynewtext", true, true, 0, &r), LcsStatus::kOk);
  EXPECT_EQ(r.len, 6u);
  EXPECT_EQ(r.lcs, "mytext");
  ASSERT_EQ(r.ranges.size(), 2u);
  EXPECT_EQ(r.ranges[0].a_start, 4u);
  EXPECT_EQ(r.ranges[0].a_end, 7u);
  EXPECT_EQ(r.ranges[0].b_start, 5u);
  EXPECT_EQ(r.ranges[0].b_end, 8u);
  EXPECT_EQ(r.ranges[1].a_start, 2u);
  EXPECT_EQ(r.ranges[1].b_start, 0u);
  ASSERT_EQ(Lcs("ohmytext", "mynewtext", false, true, 4, &r), LcsStatus::kOk);
  EXPECT_EQ(r.ranges.size(), 1u);
  ASSERT_EQ(Lcs("", "abc", true, true, 0, &r), LcsStatus::kOk);
  EXPECT_EQ(r.len, 0u);
  EXPECT_TRUE(r.ranges.empty());
}

bool IsSubsequence(std::string_view sub, std::string_view s) {
  size_t i = 0;
  for (char c : s) {
    if (i < sub.size() && sub[i] == c) i++;
  }
  return i == sub.size();
}

TEST(StringLcsTest, RandomStringsAgreeWithAReferenceLength) {
  std::mt19937 rng(11);
  for (int iter = 0; iter < 300; iter++) {
    std::string a(rng() % 40, 'a'), b(rng() % 40, 'a');
    int alphabet = 1 + static_cast<int>(rng() % 4);
    for (char& c : a) c = static_cast<char>('a' + rng() % alphabet);
    for (char& c : b) c = static_cast<char>('a' + rng() % alphabet);
    // Reference: textbook DP over two rolling rows.
    std::vector<int> prev(b.size() + 1, 0), cur(b.size() + 1, 0);
    for (size_t i = 1; i <= a.size(); i++) {
      for (size_t j = 1; j <= b.size(); j++) {
        cur[j] = a[i - 1] == b[j - 1] ? prev[j - 1] + 1 : std::max(prev[j], cur[j - 1]);
      }
      std::swap(prev, cur);
    }
    LcsResult r;
    ASSERT_EQ(Lcs(a, b, true, true, 0, &r), LcsStatus::kOk);
    ASSERT_EQ(r.len, static_cast<uint32_t>(prev[b.size()])) << a << " / " << b;
    ASSERT_EQ(r.lcs.size(), r.len);
    EXPECT_TRUE(IsSubsequence(r.lcs, a) && IsSubsequence(r.lcs, b));
    // The ranges are equal substrings, ordered last first, and cover the whole LCS.
    uint32_t covered = 0;
    uint32_t last_a = UINT32_MAX, last_b = UINT32_MAX;
    for (const auto& m : r.ranges) {
      ASSERT_EQ(m.a_end - m.a_start, m.b_end - m.b_start);
      EXPECT_EQ(a.substr(m.a_start, m.len()), b.substr(m.b_start, m.len()));
      EXPECT_LT(m.a_end, last_a);
      EXPECT_LT(m.b_end, last_b);
      last_a = m.a_start;
      last_b = m.b_start;
      covered += m.len();
    }
    EXPECT_EQ(covered, r.len);
  }
}

TEST_F(StringOpsTest, SetDeletesAnExpiredKeyBeforeKeepTtl) {
  Record* r = db_->Set("k", ValueInit::FromString("v"));
  db_->SetExpire(r, env_.now_ms + 10);
  env_.now_ms += 11;
  bool created = false;
  db_->Set("k", ValueInit::FromString("w"), /*keep_ttl=*/true, &created);
  EXPECT_TRUE(created) << "the expired key is gone first, so this is a new key";
  EXPECT_FALSE(db_->Find("k")->has_expire());
  EXPECT_EQ(env_.stats.expired_keys, 1u);
  EXPECT_EQ(db_->ExpiresSize(), 0u);
  db_->Set("k", ValueInit::FromString("x"), false, &created);
  EXPECT_FALSE(created);
}

TEST(DupValueTest, RawStringsAreDeepCopies) {
  RawString* a = RawString::New(std::string(100, 'a'));
  auto* b = static_cast<RawString*>(DupValue(ObjType::kString, Encoding::kRaw, a));
  ASSERT_NE(a, b);
  EXPECT_EQ(a->view(), b->view());
  b->data()[0] = 'b';
  EXPECT_EQ(a->data()[0], 'a');
  FreeValue(ObjType::kString, Encoding::kRaw, a);
  FreeValue(ObjType::kString, Encoding::kRaw, b);
}

}  // namespace
}  // namespace ember::strops
