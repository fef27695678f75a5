// Journal::reopen (resuming after a disk fault clears) and the manual mode the deterministic
// simulator drives with pump().
#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>

#include "persistence/journal.h"
#include "persistence/wal_format.h"
#include "tests/common/fault_matrix.h"
#include "tests/persistence/test_util.h"

namespace credo {
namespace {

using test::TempDir;

JournalOptions options_for(const TempDir& dir, test::FaultyFileSystem* fs, bool threads = true) {
  JournalOptions o;
  o.dir = dir.path();
  o.fs = fs;
  o.threads = threads;
  return o;
}

// Applies history commands first..last and journals them until the journal refuses one.
// Returns the last seq journaled.
uint64_t run_until_refused(Engine& e, Journal& j, uint64_t first, uint64_t last) {
  for (uint64_t s = first; s <= last; ++s) {
    Command c = test::history_command(s);
    if (!test::apply_ok(e, c)) return s - 1;
    if (!j.append(c)) return s - 1;
  }
  return last;
}

uint64_t recovered_hash(const TempDir& dir, uint64_t* last_seq) {
  Engine r;
  RecoveryReport rep;
  std::string err;
  EXPECT_TRUE(recover(posix_file_system(), dir.path(), {}, r, &rep, &err)) << err;
  *last_seq = rep.last_seq;
  return rep.state_hash;
}

TEST(JournalReopen, FailedFsyncThenReopenResumesAtTheLastGoodSync) {
  TempDir dir("reopen-fsync");
  test::FaultyFileSystem fs;
  Engine e;
  Journal j;
  std::string err;
  ASSERT_TRUE(j.open(options_for(dir, &fs), e, nullptr, &err)) << err;
  ASSERT_EQ(run_until_refused(e, j, 1, 50), 50u);
  ASSERT_TRUE(j.wait_durable(50));
  fs.fail_sync = true;
  run_until_refused(e, j, 51, 60);
  EXPECT_FALSE(j.wait_durable(60));
  ASSERT_TRUE(j.failed());
  EXPECT_EQ(j.durable_seq(), 50u);

  fs.fail_sync = false;
  RecoveryReport rep;
  ASSERT_TRUE(j.reopen(e, &rep, &err)) << err;
  EXPECT_FALSE(j.failed());
  EXPECT_EQ(j.last_seq(), 50u);
  EXPECT_EQ(j.durable_seq(), 50u);
  EXPECT_EQ(e.state_hash(), test::hash_after(50));
  EXPECT_EQ(j.stats().resumes, 1u);

  ASSERT_EQ(run_until_refused(e, j, 51, 120), 120u);
  ASSERT_TRUE(j.wait_durable(120));
  ASSERT_TRUE(j.close(&err)) << err;
  uint64_t last = 0;
  EXPECT_EQ(recovered_hash(dir, &last), test::hash_after(120));
  EXPECT_EQ(last, 120u);
  if (!HasFailure()) {
    test::record_fault("Journal", "fdatasync fails with EIO, then the fault clears and reopen()",
                       "reopen cuts the unsynced tail and recovers to seq " +
                           std::to_string(rep.last_seq) +
                           " (the last good sync), state hash equal; 70 more commands journal "
                           "and recover after a restart");
  }
}

TEST(JournalReopen, ReopenFailsWhileTheDiskIsFullAndSucceedsOnceItIsNot) {
  TempDir dir("reopen-full");
  test::FaultyFileSystem fs;
  Engine e;
  Journal j;
  std::string err;
  ASSERT_TRUE(j.open(options_for(dir, &fs), e, nullptr, &err)) << err;
  ASSERT_EQ(run_until_refused(e, j, 1, 20), 20u);
  ASSERT_TRUE(j.wait_durable(20));
  fs.fail_append = true;
  run_until_refused(e, j, 21, 21);
  EXPECT_FALSE(j.wait_durable(21));
  ASSERT_TRUE(j.failed());
  const uint64_t applied_hash = e.state_hash();

  std::string still;
  EXPECT_FALSE(j.reopen(e, nullptr, &still));
  EXPECT_TRUE(j.failed());
  EXPECT_NE(still.find("No space"), std::string::npos) << still;
  EXPECT_EQ(e.state_hash(), applied_hash);  // untouched by the failed attempt
  EXPECT_FALSE(j.append(test::history_command(22)));

  fs.fail_append = false;
  ASSERT_TRUE(j.reopen(e, nullptr, &err)) << err;
  EXPECT_EQ(j.last_seq(), 20u);
  EXPECT_EQ(e.state_hash(), test::hash_after(20));
  ASSERT_EQ(run_until_refused(e, j, 21, 40), 40u);
  ASSERT_TRUE(j.close(&err)) << err;
  uint64_t last = 0;
  EXPECT_EQ(recovered_hash(dir, &last), test::hash_after(40));
  if (!HasFailure()) {
    test::record_fault("Journal", "disk full (ENOSPC) on a WAL write, reopen() while still full",
                       "reopen fails ('" + test::scrub(still, dir.path()) +
                           "'), the journal stays failed and the engine untouched; once space is "
                           "back reopen recovers seq 20 and appends resume");
  }
}

TEST(JournalReopen, FailedSnapshotLeavesTheJournalHealthyAndReopenDropsLeftoverTmp) {
  TempDir dir("reopen-snap");
  test::FaultyFileSystem fs;
  Engine e;
  Journal j;
  std::string err;
  ASSERT_TRUE(j.open(options_for(dir, &fs), e, nullptr, &err)) << err;
  ASSERT_EQ(run_until_refused(e, j, 1, 30), 30u);
  ASSERT_TRUE(j.wait_durable(30));
  fs.fail_append = true;  // the snapshot's .tmp write stops half way
  std::string snap_err;
  EXPECT_FALSE(j.snapshot(e, nullptr, &snap_err));
  fs.fail_append = false;
  // The WAL was synced before the snapshot was written: nothing it claimed is lost.
  EXPECT_FALSE(j.failed());
  EXPECT_EQ(j.durable_seq(), 30u);
  ASSERT_EQ(run_until_refused(e, j, 31, 40), 40u);
  ASSERT_TRUE(j.wait_durable(40));

  // A crash mid-snapshot leaves a .tmp behind; a reopen after a later fault removes it.
  test::write_all(dir.file(wal::snapshot_tmp_name(35)), "half a snapshot");
  fs.fail_sync = true;
  run_until_refused(e, j, 41, 45);
  EXPECT_FALSE(j.wait_durable(45));
  fs.fail_sync = false;
  ASSERT_TRUE(j.reopen(e, nullptr, &err)) << err;
  EXPECT_FALSE(std::filesystem::exists(dir.file(wal::snapshot_tmp_name(35))));
  EXPECT_EQ(j.last_seq(), 40u);
  EXPECT_EQ(e.state_hash(), test::hash_after(40));
  ASSERT_TRUE(j.close(&err)) << err;
  if (!HasFailure()) {
    test::record_fault("Snapshots", "disk full while writing a snapshot's .tmp file",
                       "the snapshot fails ('" + test::scrub(snap_err, dir.path()) +
                           "'); the journal stays healthy with durable_seq 30 and keeps "
                           "journaling; a leftover .tmp is deleted by the next recovery");
  }
}

TEST(JournalReopen, ReopenOfAHealthyJournalIsRefused) {
  TempDir dir("reopen-healthy");
  Engine e;
  Journal j;
  std::string err;
  ASSERT_TRUE(j.open(options_for(dir, nullptr), e, nullptr, &err)) << err;
  ASSERT_EQ(run_until_refused(e, j, 1, 5), 5u);
  EXPECT_FALSE(j.reopen(e, nullptr, &err));
  EXPECT_EQ(err, "journal has not failed");
  EXPECT_EQ(j.last_seq(), 5u);
}

// Regression (tests/dsim seed 2): replay decodes each record into the previous one's struct, and
// an upsert without a name kept the name of the upsert replayed before it.
TEST(RecoveryReplay, AnUpsertWithoutANameIsReplayedWithoutOne) {
  TempDir dir("replay-name");
  Engine e;
  Journal j;
  std::string err;
  ASSERT_TRUE(j.open(options_for(dir, nullptr), e, nullptr, &err)) << err;
  std::vector<CommandBody> bodies;
  UpsertCustomer named;
  named.customer = Key::of("C1");
  named.name = "Acme";
  bodies.push_back(named);
  UpsertCustomer unnamed;
  unnamed.customer = Key::of("C2");
  unnamed.credit_limit = 1000;
  bodies.push_back(unnamed);
  UpsertProduct named_sku;
  named_sku.sku = Key::of("S1");
  named_sku.name = "Widget";
  named_sku.price = 100;
  bodies.push_back(named_sku);
  UpsertProduct unnamed_sku;
  unnamed_sku.sku = Key::of("S2");
  unnamed_sku.price = 200;
  bodies.push_back(unnamed_sku);
  uint64_t seq = 0;
  for (CommandBody& b : bodies) {
    Command c;
    c.seq = ++seq;
    c.at = test::kStart + static_cast<TimeMs>(seq);
    c.by = test::admin();
    c.body = std::move(b);
    ASSERT_TRUE(test::apply_ok(e, c));
    ASSERT_TRUE(j.append(c));
  }
  ASSERT_TRUE(j.close(&err)) << err;
  Engine r;
  RecoveryReport rep;
  ASSERT_TRUE(recover(posix_file_system(), dir.path(), {}, r, &rep, &err)) << err;
  EXPECT_EQ(rep.last_seq, 4u);
  EXPECT_EQ(r.state_hash(), e.state_hash());
}

TEST(JournalManual, NothingIsWrittenUntilPump) {
  TempDir dir("manual");
  std::vector<uint64_t> seen;
  JournalOptions o = options_for(dir, nullptr, /*threads=*/false);
  o.on_durable = [&](uint64_t s) { seen.push_back(s); };
  Engine e;
  Journal j;
  std::string err;
  ASSERT_TRUE(j.open(o, e, nullptr, &err)) << err;
  ASSERT_EQ(run_until_refused(e, j, 1, 10), 10u);
  EXPECT_EQ(j.durable_seq(), 0u);
  EXPECT_EQ(std::filesystem::file_size(dir.file(wal::segment_name(1))), wal::kSegmentHeaderBytes);
  EXPECT_TRUE(seen.empty());
  ASSERT_TRUE(j.pump());
  EXPECT_EQ(j.durable_seq(), 10u);
  EXPECT_EQ(seen, std::vector<uint64_t>{10});
  EXPECT_GT(std::filesystem::file_size(dir.file(wal::segment_name(1))), wal::kSegmentHeaderBytes);

  ASSERT_EQ(run_until_refused(e, j, 11, 20), 20u);
  SnapshotInfo info;
  ASSERT_TRUE(j.snapshot(e, &info, &err)) << err;  // syncs the WAL to 20 first, inline
  EXPECT_EQ(info.seq, 20u);
  EXPECT_EQ(j.durable_seq(), 20u);
  ASSERT_EQ(run_until_refused(e, j, 21, 25), 25u);
  ASSERT_TRUE(j.close(&err)) << err;
  uint64_t last = 0;
  EXPECT_EQ(recovered_hash(dir, &last), test::hash_after(25));
  EXPECT_EQ(last, 25u);
}

TEST(JournalManual, FailedSyncOfTheOldSegmentAtARollIsCutByReopen) {
  TempDir dir("manual-roll");
  test::FaultyFileSystem fs;
  JournalOptions o = options_for(dir, &fs, /*threads=*/false);
  o.segment_bytes = 2048;
  Engine e;
  Journal j;
  std::string err;
  ASSERT_TRUE(j.open(o, e, nullptr, &err)) << err;
  uint64_t seq = 0;
  while (j.stats().bytes + wal::kSegmentHeaderBytes < o.segment_bytes) {
    ++seq;
    ASSERT_EQ(run_until_refused(e, j, seq, seq), seq);
    ASSERT_TRUE(j.pump());
  }
  const uint64_t durable = j.durable_seq();
  ASSERT_EQ(durable, seq);
  // The segment is full: the next batch rolls, and closing the old segment needs a sync.
  fs.fail_sync = true;
  ASSERT_EQ(run_until_refused(e, j, seq + 1, seq + 5), seq + 5);
  EXPECT_FALSE(j.pump());
  ASSERT_TRUE(j.failed());
  EXPECT_FALSE(std::filesystem::exists(dir.file(wal::segment_name(seq + 1))));
  EXPECT_EQ(j.durable_seq(), durable);
  fs.fail_sync = false;
  ASSERT_TRUE(j.reopen(e, nullptr, &err)) << err;
  EXPECT_EQ(j.last_seq(), durable);
  EXPECT_EQ(e.state_hash(), test::hash_after(durable));
  ASSERT_TRUE(j.close(&err)) << err;
}

}  // namespace
}  // namespace credo
