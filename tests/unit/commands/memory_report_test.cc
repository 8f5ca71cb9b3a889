// MEMORY DOCTOR decisions and texts (Redis's thresholds), and the ratio guard.
#include "server/memory_report.h"

#include <gtest/gtest.h>

#include <functional>

namespace ember {
namespace {

MemoryOverhead Healthy() {
  MemoryOverhead mh;
  mh.total_allocated = 100u << 20;
  mh.peak_allocated = 110u << 20;
  mh.total_frag = 1.1;
  mh.total_frag_bytes = 10 << 20;
  mh.allocator_frag = 1.01;
  mh.allocator_rss = 1.05;
  mh.rss_extra = 1.05;
  mh.clients_normal = 20000;
  return mh;
}

TEST(MemoryDoctor, SmallInstanceGetsTheEmptyText) {
  MemoryOverhead mh = Healthy();
  mh.total_allocated = (5u << 20) - 1;
  mh.peak_allocated = 100u << 20;  // would be a big peak, but the instance is "empty"
  EXPECT_EQ(MemoryDoctorText(mh, 1, "jemalloc-5.3.0"),
            "Hi Sam, this instance is empty or is using very little memory, my issues detector "
            "can't be used in these conditions. Please, leave for your mission on Earth and fill "
            "it with some data. The new Sam and I will be back to our programming as soon as I "
            "finished rebooting.\n");
}

TEST(MemoryDoctor, HealthyInstance) {
  EXPECT_EQ(MemoryDoctorText(Healthy(), 1, "jemalloc-5.3.0"),
            "Hi Sam, I can't find any memory issue in your instance. I can only account for what "
            "occurs on this base.\n");
}

TEST(MemoryDoctor, EachCheckFiresOnItsOwnThreshold) {
  struct Case {
    const char* needle;
    std::function<void(MemoryOverhead&)> bad;
    std::function<void(MemoryOverhead&)> just_ok;
  } cases[] = {
      {" * Peak memory:", [](MemoryOverhead& m) { m.peak_allocated = 151u << 20; },
       [](MemoryOverhead& m) { m.peak_allocated = 150u << 20; }},
      {" * High total RSS:",
       [](MemoryOverhead& m) { m.total_frag = 1.5; m.total_frag_bytes = (10 << 20) + 1; },
       [](MemoryOverhead& m) { m.total_frag = 1.5; m.total_frag_bytes = 10 << 20; }},
      {" * High allocator fragmentation:",
       [](MemoryOverhead& m) { m.allocator_frag = 1.2; m.allocator_frag_bytes = 11 << 20; },
       [](MemoryOverhead& m) { m.allocator_frag = 1.1; m.allocator_frag_bytes = 11 << 20; }},
      {" * High allocator RSS overhead:",
       [](MemoryOverhead& m) { m.allocator_rss = 1.2; m.allocator_rss_bytes = 11 << 20; },
       [](MemoryOverhead& m) { m.allocator_rss = 1.2; m.allocator_rss_bytes = 1 << 20; }},
      {" * High process RSS overhead:",
       [](MemoryOverhead& m) { m.rss_extra = 1.2; m.rss_extra_bytes = 11 << 20; },
       [](MemoryOverhead& m) { m.rss_extra = 1.1; m.rss_extra_bytes = 11 << 20; }},
      {" * Big client buffers:", [](MemoryOverhead& m) { m.clients_normal = 2 * 204801; },
       [](MemoryOverhead& m) { m.clients_normal = 2 * 204800; }},
  };
  for (const auto& c : cases) {
    MemoryOverhead bad = Healthy(), ok = Healthy();
    c.bad(bad);
    c.just_ok(ok);
    std::string t = MemoryDoctorText(bad, 2, "jemalloc-5.3.0");
    EXPECT_EQ(t.rfind("Sam, I detected a few issues in this Redis instance memory implants:\n\n", 0),
              0u)
        << c.needle;
    EXPECT_NE(t.find(c.needle), std::string::npos) << t;
    EXPECT_NE(t.find("I'm here to keep you safe, Sam. I want to help you.\n"), std::string::npos);
    EXPECT_EQ(MemoryDoctorText(ok, 2, "x").find(c.needle), std::string::npos) << c.needle;
  }
  MemoryOverhead frag = Healthy();
  frag.total_frag = 2;
  frag.total_frag_bytes = 50 << 20;
  EXPECT_NE(MemoryDoctorText(frag, 1, "libc").find("The currently used allocator is \"libc\".\n\n"),
            std::string::npos);
}

TEST(MemoryReport, SafeRatio) {
  EXPECT_EQ(SafeRatio(5, 0), 0);
  EXPECT_DOUBLE_EQ(SafeRatio(3, 2), 1.5);
}

}  // namespace
}  // namespace ember
