// The journal: group commit, durability modes, snapshots with retention, and sticky failure
// when the disk misbehaves.
#include "persistence/journal.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>

#include "persistence/snapshot.h"
#include "persistence/wal_format.h"
#include "persistence/wal_reader.h"
#include "tests/common/fault_matrix.h"
#include "tests/persistence/test_util.h"

namespace credo {
namespace {

using test::TempDir;

JournalOptions options_for(const TempDir& dir, Durability d = Durability::fsync) {
  JournalOptions o;
  o.dir = dir.path();
  o.durability = d;
  return o;
}

// Applies and journals history commands first..last.
void run(Engine& e, Journal& j, uint64_t first, uint64_t last) {
  for (uint64_t s = first; s <= last; ++s) {
    Command c = test::history_command(s);
    ASSERT_TRUE(test::apply_ok(e, c));
    ASSERT_TRUE(j.append(c)) << "seq " << s;
  }
}

size_t count_with(const std::string& dir, std::string_view prefix, std::string_view suffix) {
  size_t n = 0;
  for (const std::string& f : test::list_dir(dir))
    if (f.starts_with(prefix) && f.ends_with(suffix)) ++n;
  return n;
}

TEST(Journal, GroupCommitMakesEveryAppendDurable) {
  TempDir dir("group");
  JournalOptions o = options_for(dir);
  std::mutex mu;
  std::vector<uint64_t> seen;
  o.on_durable = [&](uint64_t s) {
    std::lock_guard<std::mutex> lock(mu);
    seen.push_back(s);
  };
  Engine e;
  Journal j;
  std::string err;
  ASSERT_TRUE(j.open(o, e, nullptr, &err)) << err;
  run(e, j, 1, 3000);
  EXPECT_EQ(j.last_seq(), 3000u);
  ASSERT_TRUE(j.wait_durable(3000));
  EXPECT_EQ(j.durable_seq(), 3000u);
  const JournalStats st = j.stats();
  EXPECT_EQ(st.records, 3000u);
  EXPECT_GE(st.batches, 1u);
  EXPECT_LE(st.syncs, st.batches);
  ASSERT_TRUE(j.close(&err)) << err;
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back(), 3000u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
}

TEST(Journal, ReopenContinuesTheSequenceInANewSegment) {
  TempDir dir("continue");
  {
    Engine e;
    Journal j;
    std::string err;
    ASSERT_TRUE(j.open(options_for(dir), e, nullptr, &err)) << err;
    run(e, j, 1, 100);
    ASSERT_TRUE(j.close(&err)) << err;
  }
  Engine e;
  Journal j;
  RecoveryReport rep;
  std::string err;
  ASSERT_TRUE(j.open(options_for(dir), e, &rep, &err)) << err;
  EXPECT_EQ(rep.records_replayed, 100u);
  EXPECT_EQ(j.last_seq(), 100u);
  EXPECT_EQ(j.durable_seq(), 100u);
  run(e, j, 101, 150);
  ASSERT_TRUE(j.close(&err)) << err;
  EXPECT_EQ(count_with(dir.path(), "wal-", ".log"), 2u);
  Engine again;
  Journal j2;
  ASSERT_TRUE(j2.open(options_for(dir), again, &rep, &err)) << err;
  EXPECT_EQ(rep.state_hash, test::hash_after(150));
  EXPECT_EQ(again.state_hash(), e.state_hash());
}

TEST(Journal, BatchAndNoneModesReachLastSeq) {
  for (Durability d : {Durability::batch, Durability::none}) {
    TempDir dir("modes");
    JournalOptions o = options_for(dir, d);
    o.batch_interval_ms = 2;
    Engine e;
    Journal j;
    std::string err;
    ASSERT_TRUE(j.open(o, e, nullptr, &err)) << err;
    run(e, j, 1, 1000);
    ASSERT_TRUE(j.wait_durable(1000)) << to_string(d);
    ASSERT_TRUE(j.close(&err)) << err;
    Engine r;
    RecoveryReport rep;
    ASSERT_TRUE(recover(posix_file_system(), dir.path(), {}, r, &rep, &err)) << err;
    EXPECT_EQ(rep.last_seq, 1000u) << to_string(d);
  }
}

TEST(Journal, SmallBufferMakesAppendWaitButLosesNothing) {
  TempDir dir("smallbuf");
  JournalOptions o = options_for(dir, Durability::none);
  o.buffer_bytes = 4096;  // the minimum: a few dozen records
  Engine e;
  Journal j;
  std::string err;
  ASSERT_TRUE(j.open(o, e, nullptr, &err)) << err;
  run(e, j, 1, 2000);
  ASSERT_TRUE(j.close(&err)) << err;
  Engine r;
  RecoveryReport rep;
  ASSERT_TRUE(recover(posix_file_system(), dir.path(), {}, r, &rep, &err)) << err;
  EXPECT_EQ(rep.last_seq, 2000u);
}

TEST(Journal, SnapshotPlusReplayOfTheRestEqualsReplayFromTheStart) {
  TempDir dir("snap");
  Engine e;
  Journal j;
  std::string err;
  ASSERT_TRUE(j.open(options_for(dir), e, nullptr, &err)) << err;
  run(e, j, 1, 300);
  SnapshotInfo info;
  ASSERT_TRUE(j.snapshot(e, &info, &err)) << err;
  EXPECT_EQ(info.seq, 300u);
  EXPECT_EQ(info.file, wal::snapshot_name(300));
  EXPECT_GT(info.bytes, 0u);
  EXPECT_GE(j.durable_seq(), 300u);  // the log is never behind a snapshot
  run(e, j, 301, 555);
  ASSERT_TRUE(j.close(&err)) << err;

  Engine r;
  RecoveryReport rep;
  ASSERT_TRUE(recover(posix_file_system(), dir.path(), {}, r, &rep, &err)) << err;
  EXPECT_EQ(rep.snapshot_seq, 300u);
  EXPECT_EQ(rep.records_replayed, 255u);
  EXPECT_EQ(rep.last_seq, 555u);
  EXPECT_EQ(rep.state_hash, test::hash_after(555));
  EXPECT_EQ(r.check_invariants(true), "");
}

TEST(Journal, CorruptNewestSnapshotFallsBackToTheOlderOne) {
  TempDir dir("snapfallback");
  Engine e;
  Journal j;
  std::string err;
  ASSERT_TRUE(j.open(options_for(dir), e, nullptr, &err)) << err;
  run(e, j, 1, 100);
  ASSERT_TRUE(j.snapshot(e, nullptr, &err)) << err;
  run(e, j, 101, 200);
  ASSERT_TRUE(j.snapshot(e, nullptr, &err)) << err;
  run(e, j, 201, 250);
  ASSERT_TRUE(j.close(&err)) << err;
  const std::string newest = dir.file(wal::snapshot_name(200));
  std::string data = test::read_all(newest);
  data[data.size() / 2] ^= 1;
  test::write_all(newest, data);

  Engine r;
  RecoveryReport rep;
  ASSERT_TRUE(recover(posix_file_system(), dir.path(), {}, r, &rep, &err)) << err;
  EXPECT_EQ(rep.snapshot_seq, 100u);
  EXPECT_EQ(rep.state_hash, test::hash_after(250));
  if (!HasFailure()) {
    test::record_fault("Snapshots", "one flipped bit in the newest snapshot",
                       "its checksum fails; recovery falls back to the older snapshot (seq 100) and "
                       "replays 150 records: state hash equal");
  }
}

TEST(Journal, RetentionKeepsTwoSnapshotsAndPrunesCoveredSegments) {
  TempDir dir("retention");
  JournalOptions o = options_for(dir, Durability::none);
  o.segment_bytes = 4096;
  Engine e;
  Journal j;
  std::string err;
  ASSERT_TRUE(j.open(o, e, nullptr, &err)) << err;
  for (uint64_t round = 0; round < 4; ++round) {
    run(e, j, round * 400 + 1, round * 400 + 400);
    SnapshotInfo info;
    ASSERT_TRUE(j.snapshot(e, &info, &err)) << err;
  }
  run(e, j, 1601, 1700);
  ASSERT_TRUE(j.close(&err)) << err;

  EXPECT_EQ(count_with(dir.path(), "snap-", ".snap"), 2u);
  EXPECT_TRUE(std::filesystem::exists(dir.file(wal::snapshot_name(1200))));
  EXPECT_TRUE(std::filesystem::exists(dir.file(wal::snapshot_name(1600))));
  wal::Reader r(posix_file_system(), dir.path());
  ASSERT_TRUE(r.open().ok());
  ASSERT_FALSE(r.segments().empty());
  // The oldest segment left still holds seq 1201 (needed after the older snapshot), and
  // nothing before it survived that every kept snapshot already covers.
  EXPECT_LE(r.segments()[0].first_seq, 1201u);
  EXPECT_GT(r.segments()[0].first_seq, 1u);
  ASSERT_GE(r.segments().size(), 2u);
  EXPECT_GT(r.segments()[1].first_seq, 1201u);

  Engine rec;
  RecoveryReport rep;
  ASSERT_TRUE(recover(posix_file_system(), dir.path(), {}, rec, &rep, &err)) << err;
  EXPECT_EQ(rep.snapshot_seq, 1600u);
  EXPECT_EQ(rep.state_hash, test::hash_after(1700));
}

TEST(Journal, SnapshotEveryNCommandsIsTriggeredFromAppend) {
  TempDir dir("autosnap");
  JournalOptions o = options_for(dir, Durability::none);
  o.snapshot_every_commands = 100;
  o.snapshots_to_keep = 100;
  Engine e;
  Journal j;
  std::string err;
  ASSERT_TRUE(j.open(o, e, nullptr, &err)) << err;
  run(e, j, 1, 1000);
  ASSERT_TRUE(j.close(&err)) << err;
  // A snapshot still being written when the next is due is skipped, so at least one exists.
  EXPECT_GE(count_with(dir.path(), "snap-", ".snap"), 1u);
  Engine r;
  RecoveryReport rep;
  ASSERT_TRUE(recover(posix_file_system(), dir.path(), {}, r, &rep, &err)) << err;
  // A snapshot that was due while the previous one was still being written is taken at the
  // next append instead, so the newest one is at seq >= 100 but not always a multiple of 100
  // (on a loaded machine).
  EXPECT_GE(rep.snapshot_seq, 100u);
  EXPECT_LE(rep.snapshot_seq, 1000u);
  EXPECT_EQ(rep.state_hash, test::hash_after(1000));
}

TEST(Journal, FailingFsyncIsStickyAndDurableSeqStops) {
  TempDir dir("failsync");
  test::FaultyFileSystem fs;
  JournalOptions o = options_for(dir);
  o.fs = &fs;
  Engine e;
  Journal j;
  std::string err;
  ASSERT_TRUE(j.open(o, e, nullptr, &err)) << err;
  run(e, j, 1, 50);
  ASSERT_TRUE(j.wait_durable(50));
  fs.fail_sync = true;
  for (uint64_t s = 51; s <= 60; ++s) {
    Command c = test::history_command(s);
    ASSERT_TRUE(test::apply_ok(e, c));
    if (!j.append(c)) break;  // may already have failed
  }
  EXPECT_FALSE(j.wait_durable(60));
  std::string why;
  EXPECT_TRUE(j.failed(&why));
  EXPECT_NE(why.find("EIO"), std::string::npos) << why;
  EXPECT_EQ(j.durable_seq(), 50u);
  Command next = test::history_command(j.last_seq() + 1);
  EXPECT_FALSE(j.append(next));
  fs.fail_sync = false;  // too late: the failure is sticky
  EXPECT_FALSE(j.append(next));
  EXPECT_FALSE(j.snapshot(e, nullptr, &err));
  EXPECT_FALSE(j.close(&err));
  if (!HasFailure()) {
    test::record_fault("Journal", "fdatasync fails with EIO",
                       "journal fails: '" + test::scrub(why, dir.path()) +
                           "'; durable_seq stays at the last good sync (50); appends, snapshots and "
                           "close refused");
  }
}

TEST(Journal, NoSpaceOnAppendFailsTheJournal) {
  TempDir dir("enospc");
  test::FaultyFileSystem fs;
  JournalOptions o = options_for(dir);
  o.fs = &fs;
  Engine e;
  Journal j;
  std::string err;
  ASSERT_TRUE(j.open(o, e, nullptr, &err)) << err;
  run(e, j, 1, 20);
  ASSERT_TRUE(j.wait_durable(20));
  fs.fail_append = true;
  Command c = test::history_command(21);
  ASSERT_TRUE(test::apply_ok(e, c));
  j.append(c);
  EXPECT_FALSE(j.wait_durable(21));
  std::string why;
  EXPECT_TRUE(j.failed(&why));
  EXPECT_NE(why.find("No space"), std::string::npos) << why;
  EXPECT_EQ(j.durable_seq(), 20u);
  j.close(nullptr);

  // The half-written record is a torn tail: a restart keeps the 20 durable commands.
  Engine r;
  RecoveryReport rep;
  ASSERT_TRUE(recover(posix_file_system(), dir.path(), {}, r, &rep, &err)) << err;
  EXPECT_EQ(rep.last_seq, 20u);
  EXPECT_GT(rep.torn_tail_bytes, 0u);
  if (!HasFailure()) {
    test::record_fault("Journal", "disk full: a WAL write stops half way (ENOSPC)",
                       "journal fails: '" + test::scrub(why, dir.path()) +
                           "'; durable_seq stays at 20; after restart the half record is cut as a "
                           "torn tail and the 20 durable commands are recovered");
  }
}

TEST(Journal, OutOfOrderSeqIsRefused) {
  TempDir dir("seq");
  Engine e;
  Journal j;
  std::string err;
  ASSERT_TRUE(j.open(options_for(dir), e, nullptr, &err)) << err;
  Command c = test::history_command(2);
  EXPECT_FALSE(j.append(c));
  EXPECT_TRUE(j.failed());
}

}  // namespace
}  // namespace credo
