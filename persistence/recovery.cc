#include "persistence/recovery.h"

#include <cerrno>
#include <chrono>
#include <optional>
#include <vector>

#include "engine/prefault_thread.h"

#include "persistence/command_codec.h"
#include "persistence/snapshot.h"
#include "persistence/wal_format.h"
#include "persistence/wal_reader.h"

namespace credo {
namespace {

using Clock = std::chrono::steady_clock;

// Records decoded ahead of their apply during a replay (see recover()): at most this many, and
// no more once their bodies reach kReplayWindowBytes, so that a log of big batches
// (submit_orders of thousands of orders) does not hold hundreds of them decoded at once.
constexpr std::size_t kReplayWindow = 256;
constexpr std::size_t kReplayWindowBytes = std::size_t{1} << 20;
// A window slot whose record was bigger than this gives its memory back once applied, so that
// big records do not leave their capacity behind in every slot over a long replay.
constexpr std::size_t kReplayKeepBytes = std::size_t{64} << 10;
// Pre-faulted chunks kept ready during a replay, as a server keeps (net/engine_loop.cc).
constexpr std::size_t kReplaySpareChunks = 8;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Moves bytes [offset, end) of `name` into `name.cut-<offset>` and truncates `name` to
// `offset` (removing it when nothing is left but a header or less).
Status cut_segment(FileSystem* fs, const std::string& dir, const std::string& name, uint64_t offset,
                   uint64_t* cut_bytes) {
  const std::string path = join_path(dir, name);
  std::string data;
  Status s = fs->read_file(path, &data);
  if (!s.ok()) return s;
  *cut_bytes = data.size() > offset ? data.size() - offset : 0;
  s = fs->write_file(path + ".cut-" + std::to_string(offset),
                     std::string_view(data).substr(std::min<uint64_t>(offset, data.size())));
  if (!s.ok()) return s;
  s = fs->truncate(path, offset);
  if (!s.ok()) return s;
  return fs->sync_dir(dir);
}

// fdatasync of an existing file (opened for appending, nothing written).
Status sync_file(FileSystem* fs, const std::string& path) {
  std::unique_ptr<WritableFile> f;
  Status s = fs->open_writable(path, /*truncate=*/false, &f);
  if (!s.ok()) return s;
  s = f->sync();
  Status c = f->close();
  return s.ok() ? c : s;
}

// Picks the newest snapshot that reads, checksums and loads; reports the ones that do not.
bool load_newest_snapshot(FileSystem* fs, const std::string& dir, Engine& engine,
                          RecoveryReport* report, std::string* error) {
  std::vector<uint64_t> seqs;
  Status s = snapshot::list(fs, dir, &seqs);
  if (!s.ok()) {
    *error = s.message;
    return false;
  }
  for (uint64_t seq : seqs) {
    const std::string name = wal::snapshot_name(seq);
    snapshot::Header h;
    std::string body;
    s = snapshot::read(fs, join_path(dir, name), &h, &body);
    if (!s.ok()) {
      report->messages.push_back("skipping snapshot: " + s.message);
      continue;
    }
    if (h.seq != seq) {
      report->messages.push_back("skipping snapshot " + name + ": header says seq " +
                                 std::to_string(h.seq));
      continue;
    }
    std::string load_error;
    if (!engine.load(body, &load_error)) {
      report->messages.push_back("skipping snapshot " + name + ": " + load_error);
      continue;
    }
    // An older image (version 1's dense daily table, version 2 without the blocks version 3
    // appended) loads into today's format, whose hash differs from the one recorded with it; its
    // bytes were already checked against the body checksum.
    if (Engine::image_version(body) == Engine::kImageVersion &&
        engine.state_hash() != h.state_hash) {
      report->messages.push_back("skipping snapshot " + name + ": state hash mismatch");
      continue;
    }
    report->snapshot_seq = seq;
    report->snapshot_file = name;
    report->messages.push_back("loaded snapshot " + name);
    return true;
  }
  // No usable snapshot: start empty (a fresh engine).
  engine = Engine();
  return true;
}

}  // namespace

bool recover(FileSystem* fs, const std::string& dir, const RecoveryOptions& options, Engine& engine,
             RecoveryReport* report, std::string* error) {
  const Clock::time_point t0 = Clock::now();
  *report = RecoveryReport{};
  std::string err;

  if (options.modify) {
    // Stray snapshot temporaries are from a crash mid-snapshot: never complete, never needed.
    std::vector<std::string> names;
    Status s = fs->list(dir, &names);
    if (!s.ok()) {
      *error = s.message;
      return false;
    }
    for (const std::string& n : names)
      if (n.starts_with("snap-") && n.ends_with(".tmp")) fs->remove(join_path(dir, n));
  }
  if (!load_newest_snapshot(fs, dir, engine, report, &err)) {
    *error = err;
    return false;
  }
  const uint64_t snap_seq = report->snapshot_seq;

  wal::Reader reader(fs, dir);
  // Found by tests/dsim (seed 1124): a crash during retention kept a later segment's removal
  // and undid an earlier one's, and the hole below the snapshot read as a sequence gap.
  Status s = reader.open(snap_seq + 1);
  if (!s.ok()) {
    *error = s.message;
    return false;
  }
  if (reader.segments_skipped() > 0)
    report->messages.push_back("ignored " + std::to_string(reader.segments_skipped()) +
                               " old segment(s) that the snapshot covers");
  uint64_t total_bytes = 0;
  for (const auto& seg : reader.segments()) total_bytes += seg.size_bytes;

  const Clock::time_point replay_t0 = Clock::now();
  // The engine's tables grow by millions of entries during a replay: zeroing their new memory
  // on another CPU took 19 % of a replay's time off this thread (bench/durability.md).
  std::optional<PrefaultThread> prefault;
  if (options.prefault_thread) prefault.emplace(kReplaySpareChunks);
  uint64_t last_seq = snap_seq;
  bool first = true;
  wal::Record rec;
  Result result;
  // A decoding or apply failure is reported like corruption at that record: the first of them
  // in log order, since a window is decoded before it is applied (an apply failure replaces an
  // undecodable record found later in the same window).
  wal::ReadEnd bad;
  bool stopped_at_bad_record = false;
  auto bad_record = [&](std::size_t segment, uint64_t offset, const std::string& what) {
    const std::string& name = reader.segments()[segment].name;
    bad = {wal::ReadEnd::corruption, name, offset, 0,
           name + " at byte " + std::to_string(offset) + ": " + what};
    stopped_at_bad_record = true;
  };
  // Records are decoded a window at a time and then applied with cache hints a few records
  // ahead (Engine::prefetch_ahead), as the engine loop does with a batch of requests: replay
  // was led by cache misses into the client order id table (bench/durability.md).
  struct Decoded {
    Command cmd;
    uint64_t seq = 0;
    std::size_t segment = 0;
    uint64_t offset = 0;
    std::size_t bytes = 0;  // of the record's body
  };
  std::vector<Decoded> window(kReplayWindow);
  bool more = true;
  while (more) {
    std::size_t n = 0;
    std::size_t window_bytes = 0;
    while (n < window.size() && window_bytes < kReplayWindowBytes) {
      if (!reader.next(&rec)) {
        more = false;
        break;
      }
      if (first) {
        first = false;
        if (rec.seq > snap_seq + 1) {
          *error = reader.segments()[rec.segment].name + ": log starts at seq " +
                   std::to_string(rec.seq) + " but the newest snapshot is at " +
                   std::to_string(snap_seq) + " (records missing)";
          return false;
        }
      }
      if (rec.seq <= snap_seq) continue;  // already in the snapshot; CRC-checked by the reader
      Decoded& d = window[n];
      if (!decode_command(rec.body, &d.cmd, &err)) {
        // Named unless a record decoded before it fails to apply (below), which comes first.
        bad_record(rec.segment, rec.offset, "undecodable record: " + err);
        more = false;
        break;
      }
      d.seq = rec.seq;
      d.segment = rec.segment;
      d.offset = rec.offset;
      d.bytes = rec.body.size();
      window_bytes += d.bytes;
      ++n;
    }
    for (std::size_t i = 0; i < n; ++i) {
      Engine::prefetch_ahead(i, n, [&](std::size_t j, Engine::PrefetchStage stage) {
        engine.prefetch(window[j].cmd.body, stage);
      });
      Decoded& d = window[i];
      engine.apply(d.cmd, result);
      if (!result.ok()) {
        bad_record(d.segment, d.offset,
                   "replaying seq " + std::to_string(d.seq) + " (" +
                       kind_name(static_cast<uint8_t>(kind_of(d.cmd.body))) +
                       ") failed: " + to_string(result.error.code) + " " + result.error.message);
        more = false;
        break;
      }
      last_seq = d.seq;
      if (d.bytes > kReplayKeepBytes) d.cmd = Command{};
      ++report->records_replayed;
      if (options.progress && (report->records_replayed & 0xffff) == 0)
        options.progress(reader.bytes_read(), total_bytes);
    }
  }
  report->replay_seconds = seconds_since(replay_t0);
  const wal::ReadEnd end = stopped_at_bad_record ? bad : reader.end();

  // The segment after which nothing is kept, when cutting.
  auto drop_later_segments = [&](const std::string& from_name) -> bool {
    bool after = false;
    for (const auto& seg : reader.segments()) {
      if (after) {
        uint64_t cut = 0;
        Status cs = cut_segment(fs, dir, seg.name, 0, &cut);
        if (cs.ok()) cs = fs->remove(join_path(dir, seg.name));
        if (!cs.ok()) {
          *error = cs.message;
          return false;
        }
        report->repaired_bytes += cut;
        report->messages.push_back("repair: moved later segment " + seg.name + " to " + seg.name +
                                   ".cut-0");
      }
      if (seg.name == from_name) after = true;
    }
    return true;
  };

  switch (end.kind) {
    case wal::ReadEnd::clean:
      break;
    case wal::ReadEnd::torn_tail: {
      report->torn_tail_bytes = end.cut_bytes;
      if (!options.modify) {
        report->messages.push_back("torn tail (not cut, read-only): " + end.message + ", " +
                                   std::to_string(end.cut_bytes) + " bytes");
        break;
      }
      const std::string path = join_path(dir, end.file);
      // A segment left with no record (only its header, or less) is removed: the writer
      // starts a fresh segment at last_seq + 1 anyway.
      Status ts = end.offset <= wal::kSegmentHeaderBytes ? fs->remove(path)
                                                         : fs->truncate(path, end.offset);
      if (ts.ok()) ts = fs->sync_dir(dir);
      if (!ts.ok()) {
        *error = ts.message;
        return false;
      }
      report->messages.push_back("cut torn tail: " + end.message + ", " +
                                 std::to_string(end.cut_bytes) + " bytes");
      break;
    }
    case wal::ReadEnd::io_error:
      *error = end.message;
      return false;
    case wal::ReadEnd::corruption:
    case wal::ReadEnd::gap: {
      if (!options.repair || !options.modify) {
        *error = std::string(end.kind == wal::ReadEnd::gap ? "sequence gap: " : "corruption: ") +
                 end.message + (options.modify ? " (start with --repair to cut the log here)" : "");
        return false;
      }
      uint64_t cut = 0;
      Status cs = cut_segment(fs, dir, end.file, end.offset, &cut);
      if (cs.ok() && end.offset <= wal::kSegmentHeaderBytes)
        cs = fs->remove(join_path(dir, end.file));
      if (!cs.ok()) {
        *error = cs.message;
        return false;
      }
      report->repaired_bytes += cut;
      report->messages.push_back("repair: " + end.message + "; cut " + std::to_string(cut) +
                                 " bytes into " + end.file + ".cut-" + std::to_string(end.offset));
      if (!drop_later_segments(end.file)) return false;
      break;
    }
  }

  if (options.modify && !reader.segments().empty()) {
    // What was replayed becomes the base the next segment follows, so it must be durable now:
    // after a process kill, or a failed fdatasync and a restart, the last segment's tail may
    // exist only in the page cache, and a power loss after the next segment started would tear
    // a segment that is no longer the last (corruption, not a torn tail). Found by tests/dsim
    // (seed 3). Earlier segments were synced before their successor was created.
    const std::string last = join_path(dir, reader.segments().back().name);
    uint64_t size = 0;
    Status ss = fs->file_size(last, &size);  // may be gone: a header-only tail was removed
    if (ss.ok())
      ss = sync_file(fs, last);
    else if (ss.errno_value == ENOENT)
      ss = Status::Ok();
    if (ss.ok()) ss = fs->sync_dir(dir);
    if (!ss.ok()) {
      *error = ss.message;
      return false;
    }
  }

  report->last_seq = last_seq;
  report->state_hash = engine.state_hash();
  report->seconds = seconds_since(t0);
  return true;
}

}  // namespace credo
