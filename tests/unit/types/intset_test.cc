#include "types/intset.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <set>
#include <string>

#include "types/listpack.h"
#include "../test_util.h"

namespace ember {
namespace {

using test_util::Hex;

TEST(IntsetLayout, MatchesRedisDumpOfSadd) {
  // Redis 7.0.15: SADD s 1 5 -3 70000; DUMP payload = 0b, length 0x18, then this blob.
  uint8_t* is = intset::New();
  for (int64_t v : {1, 5, -3, 70000}) is = intset::Add(is, v);
  EXPECT_EQ(Hex(is, intset::Bytes(is)),
            "04000000" "04000000" "fdffffff" "01000000" "05000000" "70110100");
  intset::Free(is);
}

TEST(IntsetLayout, UpgradesInt16ToInt32ToInt64) {
  uint8_t* is = intset::New();
  is = intset::Add(is, 3);
  is = intset::Add(is, -2);
  EXPECT_EQ(Hex(is, intset::Bytes(is)), "02000000" "02000000" "feff" "0300");
  is = intset::Add(is, 40000);  // int32, appended
  EXPECT_EQ(Hex(is, intset::Bytes(is)), "04000000" "03000000" "feffffff" "03000000" "409c0000");
  is = intset::Add(is, INT64_MIN);  // int64, prepended
  EXPECT_EQ(intset::Encoding(is), intset::kEncInt64);
  EXPECT_EQ(Hex(is, intset::Bytes(is)),
            "08000000" "04000000" "0000000000000080" "feffffffffffffff" "0300000000000000"
            "409c000000000000");
  // Removal never narrows the encoding.
  is = intset::Remove(is, INT64_MIN);
  EXPECT_EQ(intset::Encoding(is), intset::kEncInt64);
  EXPECT_EQ(intset::Length(is), 3u);
  intset::Free(is);
}

TEST(IntsetLayout, PerElementCostIsTheEncodingWidth) {
  // Figures stated in intset.h: 8-byte header + 2/4/8 bytes per member.
  uint8_t* is = intset::New();
  EXPECT_EQ(intset::Bytes(is), 8u);
  for (int i = 0; i < 10; i++) is = intset::Add(is, i);
  EXPECT_EQ(intset::Bytes(is), 8u + 10 * 2);
  is = intset::Add(is, 1 << 20);
  EXPECT_EQ(intset::Bytes(is), 8u + 11 * 4);
  is = intset::Add(is, int64_t{1} << 40);
  EXPECT_EQ(intset::Bytes(is), 8u + 12 * 8);
  EXPECT_EQ(intset::ValueEncoding(INT16_MIN), 2u);
  EXPECT_EQ(intset::ValueEncoding(INT16_MAX + 1), 4u);
  EXPECT_EQ(intset::ValueEncoding(int64_t{INT32_MIN} - 1), 8u);
  intset::Free(is);
}

TEST(IntsetOps, AddRemoveFindReportPresence) {
  uint8_t* is = intset::New();
  bool added, removed;
  is = intset::Add(is, 10, &added);
  EXPECT_TRUE(added);
  is = intset::Add(is, 10, &added);
  EXPECT_FALSE(added);
  EXPECT_TRUE(intset::Find(is, 10));
  EXPECT_FALSE(intset::Find(is, 11));
  EXPECT_FALSE(intset::Find(is, int64_t{1} << 40));  // wider than the encoding
  is = intset::Remove(is, int64_t{1} << 40, &removed);
  EXPECT_FALSE(removed);
  is = intset::Remove(is, 10, &removed);
  EXPECT_TRUE(removed);
  EXPECT_EQ(intset::Length(is), 0u);
  int64_t v;
  EXPECT_FALSE(intset::Get(is, 0, &v));
  intset::Free(is);
}

TEST(IntsetModel, RandomOperationsMatchStdSet) {
  std::mt19937_64 rng(4242);
  uint8_t* is = intset::New();
  std::set<int64_t> model;
  auto rand_val = [&]() -> int64_t {
    switch (rng() % 4) {
      case 0: return static_cast<int64_t>(rng() % 200) - 100;
      case 1: return static_cast<int64_t>(rng() % 200000) - 100000;
      case 2: return static_cast<int64_t>(rng());
      default: return static_cast<int64_t>(rng() % 65536) - 32768;
    }
  };
  for (int op = 0; op < 8000; op++) {
    int64_t v = rand_val();
    if (rng() % 3 == 0 && !model.empty()) {
      // Remove an existing member half of the time.
      if (rng() % 2) v = *std::next(model.begin(), static_cast<long>(rng() % model.size()));
      bool removed;
      is = intset::Remove(is, v, &removed);
      EXPECT_EQ(removed, model.erase(v) == 1);
    } else {
      bool added;
      is = intset::Add(is, v, &added);
      EXPECT_EQ(added, model.insert(v).second);
    }
    ASSERT_EQ(intset::Length(is), model.size());
    EXPECT_EQ(intset::Find(is, v), model.count(v) == 1);
    if (op % 100 == 0) {
      size_t i = 0;
      for (int64_t m : model) {
        int64_t got;
        ASSERT_TRUE(intset::Get(is, static_cast<uint32_t>(i++), &got));
        ASSERT_EQ(got, m);
      }
      if (!model.empty()) {
        EXPECT_EQ(intset::Min(is), *model.begin());
        EXPECT_EQ(intset::Max(is), *model.rbegin());
        EXPECT_TRUE(model.count(intset::Random(is)));
        EXPECT_TRUE(intset::ValidateIntset(is, intset::Bytes(is), true));
      }
    }
  }
  intset::Free(is);
}

TEST(IntsetValidate, RejectsBadHeadersSizesAndOrder) {
  uint8_t* is = intset::New();
  for (int64_t v : {-5, 3, 9}) is = intset::Add(is, v);
  std::string good(reinterpret_cast<const char*>(is), intset::Bytes(is));
  intset::Free(is);
  auto valid = [](const std::string& b, bool deep) {
    return intset::ValidateIntset(reinterpret_cast<const uint8_t*>(b.data()), b.size(), deep);
  };
  EXPECT_TRUE(valid(good, true));
  EXPECT_FALSE(valid(good.substr(0, 7), false));
  EXPECT_FALSE(valid(good.substr(0, good.size() - 1), false));
  std::string b = good;
  b[0] = 3;  // bad encoding
  EXPECT_FALSE(valid(b, false));
  b = good;
  b[4] = 4;  // length says 4 members
  EXPECT_FALSE(valid(b, false));
  b = good;
  std::swap(b[8], b[10]), std::swap(b[9], b[11]);  // out of order
  EXPECT_TRUE(valid(b, false));
  EXPECT_FALSE(valid(b, true));
  b = good;
  b[10] = b[8], b[11] = b[9];  // duplicate
  EXPECT_FALSE(valid(b, true));
  std::string empty("\x02\0\0\0\0\0\0\0", 8);
  EXPECT_FALSE(valid(empty, true));  // Redis rejects empty intsets on load
  // A huge length must not overflow the size check.
  b = good;
  b[4] = b[5] = b[6] = b[7] = static_cast<char>(0xff);
  EXPECT_FALSE(valid(b, true));
}

TEST(IntsetValidate, FuzzedCorruptionsNeverCrash) {
  std::mt19937_64 rng(5);
  int accepted = 0;
  for (int round = 0; round < 3000; round++) {
    uint8_t* is = intset::New();
    int n = 1 + static_cast<int>(rng() % 20);
    for (int i = 0; i < n; i++) is = intset::Add(is, static_cast<int64_t>(rng()) >> (rng() % 64));
    std::string b(reinterpret_cast<const char*>(is), intset::Bytes(is));
    intset::Free(is);
    switch (rng() % 3) {
      case 0: b[rng() % b.size()] = static_cast<char>(rng()); break;
      case 1: b.resize(rng() % (b.size() + 1)); break;
      default: b.append(1 + rng() % 8, static_cast<char>(rng()));
    }
    auto* buf = new uint8_t[b.size() + 1];
    std::memcpy(buf, b.data(), b.size());
    if (intset::ValidateIntset(buf, b.size(), true)) {
      accepted++;
      int64_t prev = intset::Min(buf);
      for (uint32_t i = 1; i < intset::Length(buf); i++) {
        int64_t cur = intset::GetUnchecked(buf, i);
        EXPECT_LT(prev, cur);
        prev = cur;
      }
      EXPECT_EQ(intset::Bytes(buf), b.size());
    }
    delete[] buf;
  }
  EXPECT_GT(accepted, 50);
  EXPECT_LT(accepted, 2500);
}

}  // namespace
}  // namespace ember
