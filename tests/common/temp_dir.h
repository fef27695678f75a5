// A fresh empty directory for one test, removed with everything in it by the destructor.
#pragma once

#include <string>

namespace credo::test {

class TempDir {
 public:
  // $TMPDIR/credo-<tag>-XXXXXX (/tmp without TMPDIR). Aborts if it cannot be made: nothing a
  // test does afterwards would mean anything.
  explicit TempDir(const std::string& tag);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  // Leave the directory on disk (for a post-mortem; say its path in the failure message).
  void keep() { keep_ = true; }
  // Keep it only if the current test has failed by the time it is destroyed.
  void keep_if_test_fails() { keep_if_failed_ = true; }

 private:
  std::string path_;
  bool keep_ = false;
  bool keep_if_failed_ = false;
};

}  // namespace credo::test
