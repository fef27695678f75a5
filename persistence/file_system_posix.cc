// FileSystem over POSIX calls. Every error message names the operation and the file.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "persistence/file_system.h"

namespace credo {
namespace {

Status posix_error(const char* op, const std::string& path) {
  int e = errno;
  // strerror_r, not strerror: the journal's fsync thread and the engine thread both report
  // errors, and strerror's buffer is shared (glibc: MT-Unsafe). GNU strerror_r returns the text.
  char buf[128];
  const char* text = ::strerror_r(e, buf, sizeof buf);
  return Status::Error(std::string(op) + " " + path + ": " + text, e);
}

Status write_all(int fd, std::string_view data, const std::string& path) {
  const char* p = data.data();
  std::size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return posix_error("write", path);
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  return Status::Ok();
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(int fd, std::string path, uint64_t size)
      : fd_(fd), path_(std::move(path)), size_(size) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }
  PosixWritableFile(const PosixWritableFile&) = delete;  // owns fd_: a copy would close it twice
  PosixWritableFile& operator=(const PosixWritableFile&) = delete;
  Status append(std::string_view data) override {
    Status s = write_all(fd_, data, path_);
    if (s.ok()) size_ += data.size();
    return s;
  }
  Status sync() override {
    if (::fdatasync(fd_) != 0) return posix_error("fdatasync", path_);
    return Status::Ok();
  }
  Status close() override {
    if (fd_ < 0) return Status::Ok();
    int rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0) return posix_error("close", path_);
    return Status::Ok();
  }
  uint64_t size() const override { return size_; }

 private:
  int fd_;
  std::string path_;
  uint64_t size_;
};

// open(2) and the size of what it opened. On failure no descriptor is left open.
Status open_with_size(const std::string& path, int flags, int* fd, uint64_t* size) {
  *fd = ::open(path.c_str(), flags, 0644);
  if (*fd < 0) return posix_error("open", path);
  struct stat st {};
  if (::fstat(*fd, &st) != 0) {
    Status s = posix_error("stat", path);
    ::close(*fd);
    *fd = -1;
    return s;
  }
  *size = static_cast<uint64_t>(st.st_size);
  return Status::Ok();
}

class PosixFileSystem final : public FileSystem {
 public:
  Status open_writable(const std::string& path, bool truncate,
                       std::unique_ptr<WritableFile>* out) override {
    const int flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (truncate ? O_TRUNC : 0);
    int fd = -1;
    uint64_t size = 0;
    Status s = open_with_size(path, flags, &fd, &size);
    if (!s.ok()) return s;
    *out = std::make_unique<PosixWritableFile>(fd, path, size);
    return Status::Ok();
  }

  Status read_file(const std::string& path, std::string* out) override {
    int fd = -1;
    uint64_t size = 0;
    Status s = open_with_size(path, O_RDONLY | O_CLOEXEC, &fd, &size);
    if (!s.ok()) return s;
    out->resize(static_cast<std::size_t>(size));
    std::size_t got = 0;
    while (got < out->size()) {
      ssize_t n = ::read(fd, out->data() + got, out->size() - got);
      if (n < 0) {
        if (errno == EINTR) continue;
        s = posix_error("read", path);
        ::close(fd);
        return s;
      }
      if (n == 0) break;  // the file shrank under us: return what is there
      got += static_cast<std::size_t>(n);
    }
    out->resize(got);
    ::close(fd);
    return Status::Ok();
  }

  Status write_file(const std::string& path, std::string_view data) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return posix_error("open", path);
    Status s = write_all(fd, data, path);
    if (s.ok() && ::fdatasync(fd) != 0) s = posix_error("fdatasync", path);
    if (::close(fd) != 0 && s.ok()) s = posix_error("close", path);
    return s;
  }

  Status rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return posix_error("rename", from);
    return Status::Ok();
  }
  Status truncate(const std::string& path, uint64_t size_bytes) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return posix_error("truncate", path);
    Status s;
    if (::ftruncate(fd, static_cast<off_t>(size_bytes)) != 0)
      s = posix_error("truncate", path);
    else if (::fsync(fd) != 0)
      s = posix_error("fsync", path);
    ::close(fd);
    return s;
  }
  Status remove(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return posix_error("unlink", path);
    return Status::Ok();
  }
  Status list(const std::string& dir, std::vector<std::string>* names) override {
    names->clear();
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return posix_error("opendir", dir);
    while (struct dirent* e = ::readdir(d)) {
      std::string_view n = e->d_name;
      if (n != "." && n != "..") names->emplace_back(n);
    }
    ::closedir(d);
    return Status::Ok();
  }
  Status file_size(const std::string& path, uint64_t* size_bytes) override {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return posix_error("stat", path);
    *size_bytes = static_cast<uint64_t>(st.st_size);
    return Status::Ok();
  }
  Status create_dir(const std::string& dir) override {
    // mkdir -p: each prefix in turn; EEXIST is fine.
    for (std::size_t i = 1; i <= dir.size(); ++i) {
      if (i < dir.size() && dir[i] != '/') continue;
      std::string prefix = dir.substr(0, i);
      if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST)
        return posix_error("mkdir", prefix);
    }
    return Status::Ok();
  }
  Status sync_dir(const std::string& dir) override {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return posix_error("open", dir);
    Status s;
    if (::fsync(fd) != 0) s = posix_error("fsync", dir);
    ::close(fd);
    return s;
  }
};

}  // namespace

FileSystem* posix_file_system() {
  static PosixFileSystem fs;
  return &fs;
}

std::string join_path(const std::string& dir, const std::string& name) {
  if (dir.empty()) return name;
  if (dir.back() == '/') return dir + name;
  return dir + "/" + name;
}

}  // namespace credo
