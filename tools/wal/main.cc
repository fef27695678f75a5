// credo-wal: look inside a credo data directory without starting the server.
//   credo-wal dump DIR     every record as one JSON line (NDJSON) on stdout
//   credo-wal verify DIR   checksums, sequence continuity, snapshots; replays to the state hash
//                          and runs the full invariant check. Exit 1 on any problem.
//   credo-wal stats DIR    records per kind, bytes, time range, segments, snapshots
//   credo-wal hash DIR [--at SEQ]
//                          replays to SEQ (default: the end of the log) and prints
//                          {"seq":N,"hash":"<16 hex digits>"}, the Engine::state_hash() the
//                          server's state_hash op reports at that seq
// Read-only: nothing in DIR is changed (a torn tail is reported, not cut).
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <exception>
#include <map>

#include "engine/engine.h"
#include "persistence/command_codec.h"
#include "persistence/recovery.h"
#include "persistence/snapshot.h"
#include "persistence/wal_format.h"
#include "persistence/wal_reader.h"
#include "tools/wal/command_json.h"

namespace credo {
namespace {

using Clock = std::chrono::steady_clock;

// A progress line on stderr, at most every 200 ms, only for directories worth waiting for.
class Progress {
 public:
  explicit Progress(uint64_t total_bytes)
      : enabled_(total_bytes >= (32u << 20) && isatty(STDERR_FILENO)), total_(total_bytes) {}
  Progress(const Progress&) = delete;  // the destructor ends the line it drew: once
  Progress& operator=(const Progress&) = delete;
  void update(uint64_t done_bytes, uint64_t records) {
    if (!enabled_) return;
    auto now = Clock::now();
    if (now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    fmt::print(stderr, "\r{:.0f} / {:.0f} MiB, {} records", done_bytes / 1048576.0,
               total_ / 1048576.0, records);
    shown_ = true;
  }
  ~Progress() {
    if (shown_) fmt::print(stderr, "\r\033[K");
  }

 private:
  bool enabled_;
  uint64_t total_;
  Clock::time_point last_{};
  bool shown_ = false;
};

uint64_t total_bytes(const wal::Reader& r) {
  uint64_t n = 0;
  for (const auto& s : r.segments()) n += s.size_bytes;
  return n;
}

int cmd_dump(const std::string& dir, uint64_t from, uint64_t to) {
  wal::Reader r(posix_file_system(), dir);
  Status s = r.open();
  if (!s.ok()) {
    fmt::print(stderr, "credo-wal: {}\n", s.message);
    return 1;
  }
  Progress progress(total_bytes(r));
  wal::Record rec;
  Command cmd;
  std::string line, err;
  uint64_t n = 0;
  while (r.next(&rec)) {
    progress.update(r.bytes_read(), ++n);
    if (rec.seq < from || rec.seq > to) continue;
    if (!decode_command(rec.body, &cmd, &err)) {
      fmt::print(stderr, "credo-wal: {} at byte {}: undecodable record: {}\n",
                 r.segments()[rec.segment].name, rec.offset, err);
      return 1;
    }
    line.clear();
    append_command_json(line, cmd);
    line += '\n';
    if (std::fwrite(line.data(), 1, line.size(), stdout) != line.size()) {
      fmt::print(stderr, "credo-wal: writing to stdout failed\n");
      return 1;
    }
  }
  if (std::fflush(stdout) != 0) {
    fmt::print(stderr, "credo-wal: writing to stdout failed\n");
    return 1;
  }
  const wal::ReadEnd& end = r.end();
  if (end.kind == wal::ReadEnd::torn_tail) {
    fmt::print(stderr, "credo-wal: torn tail: {} ({} bytes would be cut on recovery)\n",
               end.message, end.cut_bytes);
  } else if (end.kind != wal::ReadEnd::clean) {
    fmt::print(stderr, "credo-wal: {}: {}\n", wal::to_string(end.kind), end.message);
    return 1;
  }
  return 0;
}

int cmd_verify(const std::string& dir) {
  FileSystem* fs = posix_file_system();
  int problems = 0;
  auto problem = [&](const std::string& m) {
    ++problems;
    fmt::print("PROBLEM: {}\n", m);
  };

  // 1. Every snapshot on its own: header, checksum, loads, hash matches.
  std::vector<uint64_t> snaps;
  Status s = snapshot::list(fs, dir, &snaps);
  if (!s.ok()) {
    fmt::print(stderr, "credo-wal: {}\n", s.message);
    return 1;
  }
  for (uint64_t seq : snaps) {
    const std::string name = wal::snapshot_name(seq);
    snapshot::Header h;
    std::string body, err;
    s = snapshot::read(fs, join_path(dir, name), &h, &body);
    if (!s.ok()) {
      problem(s.message);
      continue;
    }
    Engine e;
    if (h.seq != seq)
      problem(fmt::format("{}: header says seq {}", name, h.seq));
    else if (!e.load(body, &err))
      problem(fmt::format("{}: does not load: {}", name, err));
    else if (e.state_hash() != h.state_hash)
      problem(fmt::format("{}: state hash mismatch", name));
    else
      fmt::print("snapshot {}: ok, {} bytes, state_hash {:016x}\n", name, body.size(),
                 h.state_hash);
  }

  // 2. Every record: framing, CRCs, continuity, decodes.
  wal::Reader r(fs, dir);
  s = r.open();
  if (!s.ok()) {
    fmt::print(stderr, "credo-wal: {}\n", s.message);
    return 1;
  }
  const uint64_t bytes = total_bytes(r);
  uint64_t records = 0, first_seq = 0, last_seq = 0;
  {
    Progress progress(bytes);
    wal::Record rec;
    Command cmd;
    std::string err;
    while (r.next(&rec)) {
      if (records++ == 0) first_seq = rec.seq;
      last_seq = rec.seq;
      progress.update(r.bytes_read(), records);
      if (!decode_command(rec.body, &cmd, &err)) {
        problem(fmt::format("{} at byte {}: undecodable record: {}", r.segments()[rec.segment].name,
                            rec.offset, err));
        break;
      }
    }
  }
  fmt::print("wal: {} segments, {} bytes, {} records", r.segments().size(), bytes, records);
  if (records) fmt::print(", seq {}..{}", first_seq, last_seq);
  fmt::print("\n");
  if (r.end().kind == wal::ReadEnd::torn_tail)
    fmt::print("warning: torn tail: {} ({} bytes; recovery will cut it)\n", r.end().message,
               r.end().cut_bytes);
  else if (r.end().kind != wal::ReadEnd::clean)
    problem(fmt::format("{}: {}", wal::to_string(r.end().kind), r.end().message));

  // 3. Recovery as the server would do it (read-only), then the full invariant check.
  Engine engine;
  RecoveryReport rep;
  RecoveryOptions opt;
  opt.modify = false;
  opt.prefault_thread = true;
  Progress progress(bytes);
  opt.progress = [&](uint64_t done, uint64_t) { progress.update(done, 0); };
  std::string err;
  if (!recover(fs, dir, opt, engine, &rep, &err)) {
    problem("recovery: " + err);
  } else {
    for (const std::string& m : rep.messages) fmt::print("recovery: {}\n", m);
    fmt::print(
        "recovered: snapshot seq {}, {} records replayed in {:.3f} s ({:.0f} commands/s), "
        "last seq {}, state_hash {:016x}\n",
        rep.snapshot_seq, rep.records_replayed, rep.replay_seconds,
        rep.replay_seconds > 0 ? rep.records_replayed / rep.replay_seconds : 0.0, rep.last_seq,
        rep.state_hash);
    std::string inv = engine.check_invariants(true);
    if (!inv.empty())
      problem("invariants: " + inv);
    else
      fmt::print("invariants: ok\n");
  }
  if (problems) {
    fmt::print("verify: {} problem(s)\n", problems);
    return 1;
  }
  fmt::print("verify: ok\n");
  return 0;
}

int cmd_stats(const std::string& dir) {
  FileSystem* fs = posix_file_system();
  wal::Reader r(fs, dir);
  Status s = r.open();
  if (!s.ok()) {
    fmt::print(stderr, "credo-wal: {}\n", s.message);
    return 1;
  }
  struct KindStats {
    uint64_t records = 0, bytes = 0;
  };
  std::map<std::string, KindStats> kinds;
  uint64_t records = 0, record_bytes = 0, first_seq = 0, last_seq = 0;
  TimeMs first_at = 0, last_at = 0;
  {
    Progress progress(total_bytes(r));
    wal::Record rec;
    CommandHeader h;
    std::string err;
    while (r.next(&rec)) {
      progress.update(r.bytes_read(), records);
      if (!decode_command_header(rec.body, &h, &err)) {
        fmt::print(stderr, "credo-wal: {} at byte {}: {}\n", r.segments()[rec.segment].name,
                   rec.offset, err);
        return 1;
      }
      if (records++ == 0) first_seq = rec.seq, first_at = h.at;
      last_seq = rec.seq;
      last_at = h.at;
      const uint64_t b = rec.end_offset - rec.offset;
      record_bytes += b;
      KindStats& k = kinds[kind_name(h.kind)];
      ++k.records;
      k.bytes += b;
    }
  }
  fmt::print("segments: {}\n", r.segments().size());
  for (const auto& seg : r.segments()) fmt::print("  {}  {} bytes\n", seg.name, seg.size_bytes);
  fmt::print("records: {} ({} bytes, {:.1f} bytes/record)\n", records, record_bytes,
             records ? double(record_bytes) / records : 0.0);
  if (records) {
    fmt::print("seq: {}..{}\n", first_seq, last_seq);
    fmt::print("time: {} .. {}\n", format_time(first_at), format_time(last_at));
  }
  fmt::print("by kind:\n");
  for (const auto& [name, k] : kinds)
    fmt::print("  {:<20} {:>12} records {:>14} bytes\n", name, k.records, k.bytes);
  std::vector<uint64_t> snaps;
  if (snapshot::list(fs, dir, &snaps).ok()) {
    fmt::print("snapshots: {}\n", snaps.size());
    for (uint64_t seq : snaps) {
      uint64_t size = 0;
      fs->file_size(join_path(dir, wal::snapshot_name(seq)), &size);
      fmt::print("  {}  {} bytes\n", wal::snapshot_name(seq), size);
    }
  }
  if (r.end().kind != wal::ReadEnd::clean)
    fmt::print("end: {}: {}\n", wal::to_string(r.end().kind), r.end().message);
  return r.end().kind == wal::ReadEnd::clean || r.end().kind == wal::ReadEnd::torn_tail ? 0 : 1;
}

// The state at `at`: the newest snapshot at or before it that loads and matches its hash (else
// the empty state), then every record after the snapshot up to `at`. Missing records, an
// undecodable or failing record, or a log that ends before `at` are errors (exit 1), because a
// hash of some other state would be a wrong answer, not an approximate one.
int cmd_hash_at(const std::string& dir, uint64_t at) {
  FileSystem* fs = posix_file_system();
  Engine engine;
  uint64_t state_seq = 0;
  std::vector<uint64_t> snaps;
  Status s = snapshot::list(fs, dir, &snaps);
  if (!s.ok()) {
    fmt::print(stderr, "credo-wal: {}\n", s.message);
    return 1;
  }
  for (uint64_t seq : snaps) {  // newest first
    if (seq > at) continue;
    const std::string name = wal::snapshot_name(seq);
    snapshot::Header h;
    std::string body, err;
    s = snapshot::read(fs, join_path(dir, name), &h, &body);
    if (!s.ok()) {
      fmt::print(stderr, "credo-wal: skipping snapshot {}: {}\n", name, s.message);
      continue;
    }
    Engine e;
    if (h.seq != seq || !e.load(body, &err) || e.state_hash() != h.state_hash) {
      fmt::print(stderr, "credo-wal: skipping snapshot {}: does not load or hash mismatch {}\n",
                 name, err);
      continue;
    }
    engine = std::move(e);
    state_seq = seq;
    break;
  }
  fmt::print(stderr, "credo-wal: from {}\n",
             state_seq ? "snapshot " + wal::snapshot_name(state_seq) : std::string("empty state"));

  if (state_seq < at) {
    wal::Reader r(fs, dir);
    s = r.open();
    if (!s.ok()) {
      fmt::print(stderr, "credo-wal: {}\n", s.message);
      return 1;
    }
    Progress progress(total_bytes(r));
    wal::Record rec;
    Command cmd;
    Result result;
    std::string err;
    uint64_t n = 0;
    while (state_seq < at && r.next(&rec)) {
      progress.update(r.bytes_read(), ++n);
      if (rec.seq <= state_seq) continue;
      const std::string& seg = r.segments()[rec.segment].name;
      if (rec.seq != state_seq + 1) {
        fmt::print(stderr, "credo-wal: {} at byte {}: seq {} follows {} (records missing)\n", seg,
                   rec.offset, rec.seq, state_seq);
        return 1;
      }
      if (!decode_command(rec.body, &cmd, &err)) {
        fmt::print(stderr, "credo-wal: {} at byte {}: undecodable record: {}\n", seg, rec.offset,
                   err);
        return 1;
      }
      engine.apply(cmd, result);
      if (!result.ok()) {
        fmt::print(stderr, "credo-wal: {} at byte {}: replaying seq {} failed: {} {}\n", seg,
                   rec.offset, rec.seq, to_string(result.error.code), result.error.message);
        return 1;
      }
      state_seq = rec.seq;
    }
    if (state_seq < at) {
      const wal::ReadEnd& end = r.end();
      fmt::print(stderr, "credo-wal: the log ends at seq {}, before {}{}{}\n", state_seq, at,
                 end.kind == wal::ReadEnd::clean ? "" : ": ", end.message);
      return 1;
    }
  }
  fmt::print("{{\"seq\":{},\"hash\":\"{:016x}\"}}\n", state_seq, engine.state_hash());
  return 0;
}

// No --at: what recovery would produce (read-only), i.e. the state at the end of the log.
int cmd_hash_end(const std::string& dir) {
  Engine engine;
  RecoveryReport rep;
  RecoveryOptions opt;
  opt.modify = false;
  opt.prefault_thread = true;
  std::string err;
  if (!recover(posix_file_system(), dir, opt, engine, &rep, &err)) {
    fmt::print(stderr, "credo-wal: recovery: {}\n", err);
    return 1;
  }
  fmt::print("{{\"seq\":{},\"hash\":\"{:016x}\"}}\n", rep.last_seq, rep.state_hash);
  return 0;
}

}  // namespace
}  // namespace credo

static int run_main(int argc, char** argv) {
  CLI::App app{"credo-wal: dump, verify and summarize a credo data directory (read-only)"};
  app.require_subcommand(1);
  std::string dir;
  uint64_t from = 0, to = UINT64_MAX;
  auto* dump = app.add_subcommand("dump", "print every WAL record as one JSON line (NDJSON)");
  dump->add_option("DIR", dir, "data directory")->required();
  dump->add_option("--from", from, "first seq to print");
  dump->add_option("--to", to, "last seq to print");
  auto* verify = app.add_subcommand(
      "verify",
      "check checksums, sequence, snapshots; replay and check invariants (exit 1 on problems)");
  verify->add_option("DIR", dir, "data directory")->required();
  auto* stats =
      app.add_subcommand("stats", "records per kind, bytes, time range, segments, snapshots");
  stats->add_option("DIR", dir, "data directory")->required();
  uint64_t at = 0;
  auto* hash = app.add_subcommand(
      "hash", "replay to --at SEQ (default: the end) and print {\"seq\":N,\"hash\":\"..\"}");
  hash->add_option("DIR", dir, "data directory")->required();
  auto* at_opt = hash->add_option("--at", at, "the seq to hash the state at");
  CLI11_PARSE(app, argc, argv);
  if (*hash) return at_opt->count() ? credo::cmd_hash_at(dir, at) : credo::cmd_hash_end(dir);
  if (*dump) return credo::cmd_dump(dir, from, to);
  if (*verify) return credo::cmd_verify(dir);
  return credo::cmd_stats(dir);
}

// An exception that escapes (std::bad_alloc, std::system_error from a thread) ends the program
// with its message and exit status 1 instead of std::terminate's abort.
int main(int argc, char** argv) {
  try {
    return run_main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "credo-wal: %s\n", e.what());
    return 1;
  }
}
