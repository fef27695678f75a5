#include "tests/common/fault_matrix.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <set>
#include <string>

#ifndef CREDO_FAULT_MATRIX_DEFAULT_DIR
#define CREDO_FAULT_MATRIX_DEFAULT_DIR "fault-matrix"
#endif

namespace credo::test {
namespace {

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  out += '"';
}

// "Suite.Name" of the running test, with a parameterized test's '/' kept.
std::string current_test() {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  if (info == nullptr) return "(outside a test)";
  return std::string(info->test_suite_name()) + "." + info->name();
}

std::string binary_name() {
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("?") : exe.filename().string();
}

std::mutex mu;
std::set<std::string> started;  // files this process has truncated (one per test)

}  // namespace

void record_fault(std::string_view area, std::string_view fault, std::string_view observed) {
  const char* env = std::getenv("CREDO_FAULT_MATRIX_DIR");
  std::string dir = env != nullptr && *env != '\0' ? env : CREDO_FAULT_MATRIX_DEFAULT_DIR;
  std::string binary = binary_name();
  std::string test = current_test();

  // One file per (binary, test): a test's rerun replaces its rows instead of adding to them.
  std::string file_name = binary + "." + test + ".jsonl";
  for (char& c : file_name) {
    if (c == '/' || c == ' ') c = '_';
  }
  std::string path = dir + "/" + file_name;

  std::string line = "{\"area\":";
  append_json_string(line, area);
  line += ",\"fault\":";
  append_json_string(line, fault);
  line += ",\"test\":";
  append_json_string(line, binary + ": " + test);
  line += ",\"observed\":";
  append_json_string(line, observed);
  line += "}\n";

  std::lock_guard<std::mutex> lock(mu);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  bool first = started.insert(path).second;
  std::FILE* f = std::fopen(path.c_str(), first ? "w" : "a");
  if (f == nullptr || std::fwrite(line.data(), 1, line.size(), f) != line.size()) {
    std::fprintf(stderr, "record_fault: cannot write %s\n", path.c_str());
  }
  if (f != nullptr) std::fclose(f);
}

std::string scrub(std::string text, std::string_view temp_path, std::string_view with) {
  if (temp_path.empty()) return text;
  for (size_t at = text.find(temp_path); at != std::string::npos;
       at = text.find(temp_path, at + with.size())) {
    size_t n = temp_path.size();
    if (with.empty() && at + n < text.size() && text[at + n] == '/') ++n;
    text.replace(at, n, with);
  }
  return text;
}

}  // namespace credo::test
