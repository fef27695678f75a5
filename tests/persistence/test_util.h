// Helpers for persistence tests: real engine commands forming a valid business history, file
// helpers for their directories (TempDir itself is tests/common/temp_dir.h), and a FileSystem
// that injects faults.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "engine/command.h"
#include "engine/engine.h"
#include "persistence/file_system.h"
#include "tests/common/temp_dir.h"  // TempDir, used with these helpers

namespace credo::test {

Principal admin();                            // every role, level 3
constexpr TimeMs kStart = 1'790'000'000'000;  // 2026-09-21

// Command `seq` of a deterministic history that applies cleanly from an empty engine:
// products and customers first, then orders, shipments, payments, cancels and ticks.
// at = kStart + seq * 1000 ms.
Command history_command(uint64_t seq);
std::vector<Command> history(uint64_t first_seq, uint64_t last_seq);

// Applies and asserts success (gtest failure otherwise). Returns false on failure.
bool apply_ok(Engine& e, const Command& c);
// An engine that applied commands 1..n of the history.
uint64_t hash_after(uint64_t n);

std::vector<std::string> list_dir(const std::string& dir);  // sorted names
std::string read_all(const std::string& path);
void write_all(const std::string& path, const std::string& data);

// POSIX underneath; faults switched on by the test at any time.
class FaultyFileSystem : public FileSystem {
 public:
  std::atomic<bool> fail_sync{false};    // fdatasync returns EIO
  std::atomic<bool> fail_append{false};  // append writes half, then ENOSPC
  std::atomic<int> syncs{0};

  Status open_writable(const std::string& path, bool truncate,
                       std::unique_ptr<WritableFile>* out) override;
  Status read_file(const std::string& p, std::string* out) override {
    return base()->read_file(p, out);
  }
  Status write_file(const std::string& p, std::string_view d) override {
    if (fail_append) return Status::Error("write_file " + p + ": injected ENOSPC", 28);
    return base()->write_file(p, d);
  }
  Status rename(const std::string& a, const std::string& b) override {
    return base()->rename(a, b);
  }
  Status truncate(const std::string& p, uint64_t n) override { return base()->truncate(p, n); }
  Status remove(const std::string& p) override { return base()->remove(p); }
  Status list(const std::string& d, std::vector<std::string>* n) override {
    return base()->list(d, n);
  }
  Status file_size(const std::string& p, uint64_t* n) override { return base()->file_size(p, n); }
  Status create_dir(const std::string& d) override { return base()->create_dir(d); }
  Status sync_dir(const std::string& d) override { return base()->sync_dir(d); }

 private:
  static FileSystem* base() { return posix_file_system(); }
};

}  // namespace credo::test
