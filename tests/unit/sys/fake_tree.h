// A temporary directory standing in for / in tests of the /proc and /sys readers. Removed with its
// contents when the object goes away.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace ember::sys::testing {

class FakeTree {
 public:
  FakeTree() {
    const char* tmp = getenv("TMPDIR");
    std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/ember-sys-XXXXXX";
    char* dir = mkdtemp(tmpl.data());
    EXPECT_NE(dir, nullptr);
    root_ = tmpl;
  }
  ~FakeTree() {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  FakeTree(const FakeTree&) = delete;
  FakeTree& operator=(const FakeTree&) = delete;

  const std::string& root() const { return root_; }
  std::string Path(const std::string& rel) const { return root_ + rel; }

  // Writes `content` to <root><rel>, creating parent directories.
  void Write(const std::string& rel, const std::string& content) const {
    std::filesystem::path p(root_ + rel);
    std::filesystem::create_directories(p.parent_path());
    std::ofstream f(p, std::ios::binary | std::ios::trunc);
    f << content;
    ASSERT_TRUE(f.good()) << p;
  }

 private:
  std::string root_;
};

}  // namespace ember::sys::testing
