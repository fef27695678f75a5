// The file-system seam: every file operation of the WAL, snapshots and recovery goes through
// FileSystem, so tests can inject faults (short writes, failing fsync, ENOSPC) and the rest of
// persistence/ never calls POSIX directly. Errors are values (Status), never exceptions.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace credo {

struct Status {
  int errno_value = 0;  // 0: success
  std::string message;  // "write wal-...log: No space left on device"

  bool ok() const { return errno_value == 0 && message.empty(); }
  static Status Ok() { return {}; }
  static Status Error(std::string message, int errno_value = -1) {
    return {errno_value, std::move(message)};
  }
};

// A file open for appending. Not thread-safe; one owner at a time.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  // Appends all of `data` (retrying short writes); a failure leaves the file at an unknown
  // length between the old and the new end.
  virtual Status append(std::string_view data) = 0;
  // fdatasync: the data written so far (and the size) are durable when this returns OK.
  virtual Status sync() = 0;
  virtual Status close() = 0;
  // Bytes in the file: its size when opened plus everything appended since.
  virtual uint64_t size() const = 0;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Creates (or truncates, when `truncate`) `path` and opens it for appending.
  virtual Status open_writable(const std::string& path, bool truncate,
                               std::unique_ptr<WritableFile>* out) = 0;
  // Reads the whole file into *out.
  virtual Status read_file(const std::string& path, std::string* out) = 0;
  // Writes `data` to a new file at `path` (replacing any), fdatasyncs it and closes it.
  virtual Status write_file(const std::string& path, std::string_view data) = 0;
  virtual Status rename(const std::string& from, const std::string& to) = 0;
  // Cuts (or extends with zeros) `path` to `size_bytes` and fsyncs it: the new length is
  // durable when this returns OK (recovery cuts torn tails and must not see them come back).
  virtual Status truncate(const std::string& path, uint64_t size_bytes) = 0;
  virtual Status remove(const std::string& path) = 0;
  // Names (not paths) of the entries of `dir`, without "." and "..", in no particular order.
  virtual Status list(const std::string& dir, std::vector<std::string>* names) = 0;
  virtual Status file_size(const std::string& path, uint64_t* size_bytes) = 0;
  // Creates `dir` (and its parents) if missing.
  virtual Status create_dir(const std::string& dir) = 0;
  // fsyncs the directory itself, so that created, renamed and removed entries are durable.
  virtual Status sync_dir(const std::string& dir) = 0;
};

// The real thing. Thread-safe (it keeps no state).
FileSystem* posix_file_system();

// "dir/name", without doubling a trailing slash.
std::string join_path(const std::string& dir, const std::string& name);

}  // namespace credo
