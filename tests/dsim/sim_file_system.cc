#include "tests/dsim/sim_file_system.h"

#include <set>

namespace credo::dsim {
namespace {

constexpr int kENOENT = 2;
constexpr int kEIO = 5;
constexpr int kENOSPC = 28;

Status eio(const std::string& what) {
  return Status::Error(what + ": Input/output error", kEIO);
}
Status enospc(const std::string& what) {
  return Status::Error(what + ": No space left on device", kENOSPC);
}
Status enoent(const std::string& what) {
  return Status::Error(what + ": No such file or directory", kENOENT);
}

// The WritableFile: appends go to the inode's data (O_APPEND: at its real end), size() is
// the size at open plus what this handle appended, as with POSIX.
class SimFile final : public WritableFile {
 public:
  SimFile(SimFileSystem* fs, std::string path, std::shared_ptr<SimFileSystem::Inode> inode)
      : fs_(fs), path_(std::move(path)), inode_(std::move(inode)), size_(inode_->data.size()) {}

  Status append(std::string_view data) override {
    const SimFileSystem::Step step =
        fs_->begin("append " + path_ + " " + std::to_string(data.size()) + " bytes");
    if (step == SimFileSystem::Step::kFail) return eio("write " + path_);
    Status s = fs_->write_bytes(*inode_, data, "write " + path_, step);
    if (s.ok()) size_ += data.size();
    return s;
  }
  Status sync() override {
    const SimFileSystem::Step step = fs_->begin("fdatasync " + path_);
    if (step != SimFileSystem::Step::kDo) return eio("fdatasync " + path_);
    return fs_->sync_inode(*inode_, "fdatasync " + path_);
  }
  // Not an operation of its own: nothing the simulator needs can go wrong in a close.
  Status close() override { return Status::Ok(); }
  uint64_t size() const override { return size_; }

 private:
  SimFileSystem* fs_;
  std::string path_;
  std::shared_ptr<SimFileSystem::Inode> inode_;
  uint64_t size_;
};

}  // namespace

SimFileSystem::SimFileSystem(uint64_t seed) : rng_(seed) {}

std::string SimFileSystem::dir_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

uint64_t SimFileSystem::used_bytes() const {
  std::set<const Inode*> seen;
  uint64_t n = 0;
  for (const auto& [name, inode] : names_)
    if (seen.insert(inode.get()).second) n += inode->data.size();
  return n;
}

Status SimFileSystem::down_error(const std::string& what) const {
  return eio(what + " (machine down)");
}

SimFileSystem::Step SimFileSystem::begin(const std::string& what) {
  ++stats_.ops;
  if (down_) return Step::kFail;
  if (ops_until_crash_ > 0 && --ops_until_crash_ == 0) {
    down_ = true;
    crash_op_ = what;
    return Step::kPartial;
  }
  return Step::kDo;
}

Status SimFileSystem::write_bytes(Inode& inode, std::string_view data, const std::string& what,
                                  Step step) {
  uint64_t n = data.size();
  Status s;
  if (step == Step::kPartial) {
    n = random(data.size() + 1);
    s = eio(what);
  } else if (short_write && !data.empty()) {
    n = random(data.size());
    ++stats_.short_writes;
    s = enospc(what);
  }
  const uint64_t used = used_bytes();
  const uint64_t room = capacity_bytes > used ? capacity_bytes - used : 0;
  if (n > room) {
    n = room;
    ++stats_.disk_full_writes;
    s = enospc(what);
  }
  inode.data.append(data.substr(0, n));
  return s;
}

Status SimFileSystem::sync_inode(Inode& inode, const std::string& what) {
  if (fail_sync) {
    ++stats_.failed_syncs;
    // After a writeback error Linux may mark the dirty pages clean and drop them: reads then
    // see what the disk has (here: zeros) where the unsynced bytes were.
    if (random(2) == 1)
      for (uint64_t i = inode.durable_bytes; i < inode.data.size(); ++i) inode.data[i] = '\0';
    return eio(what);
  }
  ++stats_.syncs;
  inode.durable_bytes = inode.data.size();
  return Status::Ok();
}

void SimFileSystem::link(const std::string& path, std::shared_ptr<Inode> inode) {
  names_[path] = inode;
  unsynced_.push_back({DirOp::link, path, std::string(), std::move(inode)});
}

void SimFileSystem::unlink(const std::string& path) {
  auto it = names_.find(path);
  unsynced_.push_back({DirOp::unlink, path, std::string(), it->second});
  names_.erase(it);
}

Status SimFileSystem::open_writable(const std::string& path, bool truncate,
                                    std::unique_ptr<WritableFile>* out) {
  const Step step = begin("open " + path);
  if (step == Step::kFail) return down_error("open " + path);
  auto it = names_.find(path);
  std::shared_ptr<Inode> inode;
  if (it != names_.end()) {
    inode = it->second;
  } else {
    if (step == Step::kPartial && random(2) == 0) return eio("open " + path);
    inode = std::make_shared<Inode>();
    link(path, inode);
  }
  if (truncate) {
    inode->data.clear();
    inode->durable_bytes = 0;
  }
  if (step == Step::kPartial) return eio("open " + path);
  *out = std::make_unique<SimFile>(this, path, inode);
  return Status::Ok();
}

Status SimFileSystem::read_file(const std::string& path, std::string* out) {
  if (begin("read " + path) != Step::kDo) return down_error("read " + path);
  auto it = names_.find(path);
  if (it == names_.end()) return enoent("open " + path);
  *out = it->second->data;
  return Status::Ok();
}

Status SimFileSystem::write_file(const std::string& path, std::string_view data) {
  const Step step = begin("write_file " + path + " " + std::to_string(data.size()) + " bytes");
  if (step == Step::kFail) return down_error("open " + path);
  auto it = names_.find(path);
  std::shared_ptr<Inode> inode;
  if (it != names_.end()) {
    inode = it->second;
  } else {
    inode = std::make_shared<Inode>();
    link(path, inode);
  }
  inode->data.clear();
  inode->durable_bytes = 0;
  Status s = write_bytes(*inode, data, "write " + path, step);
  if (!s.ok()) return s;
  return sync_inode(*inode, "fdatasync " + path);
}

Status SimFileSystem::rename(const std::string& from, const std::string& to) {
  const Step step = begin("rename " + from + " -> " + to);
  if (step == Step::kFail) return down_error("rename " + from);
  auto it = names_.find(from);
  if (it == names_.end()) return enoent("rename " + from);
  if (step == Step::kPartial && random(2) == 0) return eio("rename " + from);
  std::shared_ptr<Inode> inode = it->second;
  names_.erase(it);
  names_[to] = inode;
  unsynced_.push_back({DirOp::rename, from, to, inode});
  if (step == Step::kPartial) return eio("rename " + from);
  return Status::Ok();
}

Status SimFileSystem::truncate(const std::string& path, uint64_t size_bytes) {
  const Step step = begin("truncate " + path + " " + std::to_string(size_bytes));
  if (step == Step::kFail) return down_error("truncate " + path);
  auto it = names_.find(path);
  if (it == names_.end()) return enoent("truncate " + path);
  Inode& inode = *it->second;
  if (size_bytes > inode.data.size()) {
    const uint64_t used = used_bytes();
    if (used + (size_bytes - inode.data.size()) > capacity_bytes) return enospc("truncate " + path);
  }
  if (step == Step::kPartial && random(2) == 0) return eio("truncate " + path);
  inode.data.resize(size_bytes, '\0');
  inode.durable_bytes = std::min<uint64_t>(inode.durable_bytes, size_bytes);
  if (step == Step::kPartial) return eio("truncate " + path);
  // The contract (file_system.h) says truncate fsyncs the file.
  return sync_inode(inode, "fsync " + path);
}

Status SimFileSystem::remove(const std::string& path) {
  const Step step = begin("remove " + path);
  if (step == Step::kFail) return down_error("unlink " + path);
  if (names_.find(path) == names_.end()) return enoent("unlink " + path);
  if (step == Step::kPartial && random(2) == 0) return eio("unlink " + path);
  unlink(path);
  if (step == Step::kPartial) return eio("unlink " + path);
  return Status::Ok();
}

Status SimFileSystem::list(const std::string& dir, std::vector<std::string>* names) {
  if (begin("list " + dir) != Step::kDo) return down_error("opendir " + dir);
  names->clear();
  const std::string d = dir.ends_with('/') ? dir.substr(0, dir.size() - 1) : dir;
  for (const auto& [path, inode] : names_)
    if (dir_of(path) == d) names->push_back(path.substr(d.size() + 1));
  return Status::Ok();
}

Status SimFileSystem::file_size(const std::string& path, uint64_t* size_bytes) {
  if (begin("stat " + path) != Step::kDo) return down_error("stat " + path);
  auto it = names_.find(path);
  if (it == names_.end()) return enoent("stat " + path);
  *size_bytes = it->second->data.size();
  return Status::Ok();
}

Status SimFileSystem::create_dir(const std::string& dir) {
  if (begin("mkdir " + dir) != Step::kDo) return down_error("mkdir " + dir);
  return Status::Ok();  // directories themselves are not modelled: they always exist
}

Status SimFileSystem::sync_dir(const std::string& dir) {
  const Step step = begin("fsync dir " + dir);
  if (step != Step::kDo) return down_error("fsync " + dir);
  if (fail_sync) {
    ++stats_.failed_syncs;
    return eio("fsync " + dir);
  }
  const std::string d = dir.ends_with('/') ? dir.substr(0, dir.size() - 1) : dir;
  for (auto it = durable_names_.begin(); it != durable_names_.end();)
    it = dir_of(it->first) == d ? durable_names_.erase(it) : std::next(it);
  for (const auto& [path, inode] : names_)
    if (dir_of(path) == d) durable_names_[path] = inode;
  std::erase_if(unsynced_, [&](const DirOp& op) { return dir_of(op.name) == d; });
  return Status::Ok();
}

void SimFileSystem::revive() {
  short_write = false;
  fail_sync = false;
  capacity_bytes = UINT64_MAX;
  ops_until_crash_ = 0;
  down_ = false;
  crash_op_.clear();
}

void SimFileSystem::crash() {
  ++stats_.crashes;
  // Directory entries: the durable ones, plus each unsynced change that happened to reach
  // the disk, in order (a change whose premise was undone does nothing).
  std::map<std::string, std::shared_ptr<Inode>> ns = durable_names_;
  for (const DirOp& op : unsynced_) {
    if (random(2) == 0) {
      ++stats_.undone_dir_ops;
      continue;
    }
    auto it = ns.find(op.name);
    switch (op.kind) {
      case DirOp::link:
        ns[op.name] = op.inode;
        break;
      case DirOp::unlink:
        if (it != ns.end() && it->second == op.inode) ns.erase(it);
        break;
      case DirOp::rename:
        if (it != ns.end() && it->second == op.inode) {
          ns.erase(it);
          ns[op.to] = op.inode;
        }
        break;
    }
  }
  // File data: the durable bytes plus none, some, zeros or all of the unsynced tail.
  std::set<Inode*> seen;
  for (auto& [path, inode] : ns) {
    if (!seen.insert(inode.get()).second) continue;
    Inode& f = *inode;
    if (f.data.size() > f.durable_bytes) {
      const uint64_t tail = f.data.size() - f.durable_bytes;
      switch (random(4)) {
        case 0:
          ++stats_.kept_tails;
          break;
        case 1:
          ++stats_.dropped_tails;
          f.data.resize(f.durable_bytes);
          break;
        case 2:
          ++stats_.torn_tails;
          f.data.resize(f.durable_bytes + random(tail));
          break;
        default: {
          ++stats_.zeroed_tails;
          const uint64_t keep = 1 + random(tail);
          f.data.resize(f.durable_bytes + keep);
          for (uint64_t i = f.durable_bytes; i < f.data.size(); ++i) f.data[i] = '\0';
          break;
        }
      }
    }
    f.durable_bytes = f.data.size();
  }
  names_ = ns;
  durable_names_ = std::move(ns);
  unsynced_.clear();
  revive();
}

}  // namespace credo::dsim
