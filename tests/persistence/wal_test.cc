// The WAL on disk: torn tails are cut, corruption is refused (naming file and offset) or
// repaired, and the reader classifies how a log ends.
#include <gtest/gtest.h>

#include "persistence/coding.h"
#include "persistence/crc32c.h"
#include "persistence/journal.h"
#include "persistence/wal_format.h"
#include "persistence/wal_reader.h"
#include "tests/common/fault_matrix.h"
#include "tests/persistence/test_util.h"

namespace credo {
namespace {

using test::TempDir;

// Journals commands 1..n of the test history into `dir`.
void write_log(const std::string& dir, uint64_t n, uint64_t segment_bytes = 64ull << 20) {
  Engine engine;
  Journal j;
  JournalOptions o;
  o.dir = dir;
  o.durability = Durability::none;  // close() still fsyncs; the tests do not crash mid-way
  o.segment_bytes = segment_bytes;
  // Segments roll at batch boundaries; a small buffer keeps batches small.
  o.buffer_bytes = 4096;
  std::string err;
  ASSERT_TRUE(j.open(o, engine, nullptr, &err)) << err;
  for (const Command& c : test::history(1, n)) {
    ASSERT_TRUE(test::apply_ok(engine, c));
    ASSERT_TRUE(j.append(c));
  }
  ASSERT_TRUE(j.close(&err)) << err;
}

struct Boundaries {
  std::vector<uint64_t> offsets;  // record starts in the only segment
  uint64_t size = 0;
};

Boundaries record_offsets(const std::string& dir) {
  wal::Reader r(posix_file_system(), dir);
  EXPECT_TRUE(r.open().ok());
  Boundaries b;
  wal::Record rec;
  while (r.next(&rec)) {
    b.offsets.push_back(rec.offset);
    b.size = rec.end_offset;
  }
  EXPECT_EQ(r.end().kind, wal::ReadEnd::clean) << r.end().message;
  return b;
}

bool recover_into(const std::string& dir, bool repair, Engine& e, RecoveryReport* report,
                  std::string* err) {
  RecoveryOptions o;
  o.repair = repair;
  return recover(posix_file_system(), dir, o, e, report, err);
}

TEST(Wal, SegmentAndSnapshotNamesSortNumerically) {
  EXPECT_EQ(wal::segment_name(1), "wal-00000000000000000001.log");
  EXPECT_EQ(wal::snapshot_name(42), "snap-00000000000000000042.snap");
  uint64_t s = 0;
  EXPECT_TRUE(wal::parse_segment_name("wal-18446744073709551615.log", &s));
  EXPECT_EQ(s, UINT64_MAX);
  EXPECT_FALSE(wal::parse_segment_name("wal-18446744073709551616.log", &s));
  EXPECT_FALSE(wal::parse_segment_name("wal-00000000000000000001.log.cut-16", &s));
  EXPECT_FALSE(wal::parse_snapshot_name("snap-00000000000000000001.tmp", &s));
}

TEST(Wal, ReopenReplaysToTheSameStateHash) {
  TempDir dir("reopen");
  write_log(dir.path(), 500);
  Engine e;
  RecoveryReport rep;
  std::string err;
  ASSERT_TRUE(recover_into(dir.path(), false, e, &rep, &err)) << err;
  EXPECT_EQ(rep.records_replayed, 500u);
  EXPECT_EQ(rep.last_seq, 500u);
  EXPECT_EQ(rep.torn_tail_bytes, 0u);
  EXPECT_EQ(rep.state_hash, test::hash_after(500));
  EXPECT_EQ(e.check_invariants(true), "");
}

TEST(Wal, TornLastRecordIsCutAtEveryByteOffset) {
  TempDir src("torn-src");
  constexpr uint64_t kN = 40;
  write_log(src.path(), kN);
  const Boundaries b = record_offsets(src.path());
  ASSERT_EQ(b.offsets.size(), kN);
  const std::string seg = wal::segment_name(1);
  const std::string full = test::read_all(src.file(seg));
  ASSERT_EQ(full.size(), b.size);
  const uint64_t hash_before_last = test::hash_after(kN - 1);
  const uint64_t last_start = b.offsets.back();

  for (uint64_t cut = last_start; cut < full.size(); ++cut) {
    TempDir dir("torn");
    test::write_all(dir.file(seg), full.substr(0, cut));
    Engine e;
    RecoveryReport rep;
    std::string err;
    ASSERT_TRUE(recover_into(dir.path(), false, e, &rep, &err)) << "cut at " << cut << ": " << err;
    EXPECT_EQ(rep.last_seq, kN - 1) << cut;
    EXPECT_EQ(rep.state_hash, hash_before_last) << cut;
    EXPECT_EQ(rep.torn_tail_bytes, cut - last_start) << cut;
    if (cut > last_start) {
      EXPECT_FALSE(rep.messages.empty());
      // The file now ends at the last good record.
      EXPECT_EQ(test::read_all(dir.file(seg)).size(), last_start) << cut;
    }
  }
  if (!HasFailure()) {
    test::record_fault("WAL on disk", "last record torn at every byte offset (power loss mid-write)",
                       std::to_string(full.size() - last_start) +
                           " cuts: each recovers the " + std::to_string(kN - 1) +
                           " whole records before it, cuts the torn bytes, state hash equal");
  }
}

TEST(Wal, ZeroFilledTailIsTorn) {
  TempDir dir("zeros");
  write_log(dir.path(), 20);
  const std::string seg = dir.file(wal::segment_name(1));
  test::write_all(seg, test::read_all(seg) + std::string(4096, '\0'));
  Engine e;
  RecoveryReport rep;
  std::string err;
  ASSERT_TRUE(recover_into(dir.path(), false, e, &rep, &err)) << err;
  EXPECT_EQ(rep.last_seq, 20u);
  EXPECT_EQ(rep.torn_tail_bytes, 4096u);
  if (!HasFailure()) {
    test::record_fault("WAL on disk", "4096 zero bytes after the last record (preallocated tail)",
                       "treated as a torn tail: cut, all 20 records recovered");
  }
}

TEST(Wal, FlippedByteInTheMiddleIsCorruptionNamingFileAndOffset) {
  TempDir dir("flip");
  write_log(dir.path(), 100);
  const Boundaries b = record_offsets(dir.path());
  const std::string seg = wal::segment_name(1);
  std::string data = test::read_all(dir.file(seg));
  const uint64_t bad = b.offsets[50];
  data[bad + wal::kRecordHeaderBytes + 3] ^= 0x40;  // inside record 51's body
  test::write_all(dir.file(seg), data);

  Engine e;
  RecoveryReport rep;
  std::string err;
  EXPECT_FALSE(recover_into(dir.path(), false, e, &rep, &err));
  EXPECT_NE(err.find(seg), std::string::npos) << err;
  EXPECT_NE(err.find("at byte " + std::to_string(bad)), std::string::npos) << err;
  EXPECT_NE(err.find("corruption"), std::string::npos) << err;

  // The journal refuses to open the same way...
  Journal j;
  JournalOptions o;
  o.dir = dir.path();
  Engine e2;
  EXPECT_FALSE(j.open(o, e2, nullptr, &err));
  EXPECT_NE(err.find(seg), std::string::npos) << err;

  // ... and with repair keeps the 50 records before and a copy of what it cut.
  o.repair = true;
  ASSERT_TRUE(j.open(o, e2, &rep, &err)) << err;
  EXPECT_EQ(j.last_seq(), 50u);
  EXPECT_EQ(rep.state_hash, test::hash_after(50));
  EXPECT_EQ(rep.repaired_bytes, data.size() - bad);
  EXPECT_EQ(test::read_all(dir.file(seg + ".cut-" + std::to_string(bad))), data.substr(bad));
  // It goes on from there: the next command is 51 again.
  Command c = test::history_command(51);
  ASSERT_TRUE(test::apply_ok(e2, c));
  ASSERT_TRUE(j.append(c));
  ASSERT_TRUE(j.close(&err)) << err;
  Engine e3;
  ASSERT_TRUE(recover_into(dir.path(), false, e3, &rep, &err)) << err;
  EXPECT_EQ(rep.last_seq, 51u);
  EXPECT_EQ(rep.state_hash, test::hash_after(51));
  if (!HasFailure()) {
    test::record_fault("WAL on disk", "one flipped bit inside a record's body (bit rot)",
                       "recovery refuses to start: '" + test::scrub(err, dir.path()) +
                           "'; --repair keeps the 50 records before it and saves the cut bytes");
  }
}

TEST(Wal, FlippedLengthIsCorruptionNotATornTail) {
  TempDir dir("flip-len");
  write_log(dir.path(), 30);
  const Boundaries b = record_offsets(dir.path());
  const std::string seg = dir.file(wal::segment_name(1));
  std::string data = test::read_all(seg);
  data[b.offsets[10] + 2] ^= 0x10;  // length now points far past the end of the file
  test::write_all(seg, data);
  Engine e;
  RecoveryReport rep;
  std::string err;
  EXPECT_FALSE(recover_into(dir.path(), false, e, &rep, &err));
  EXPECT_NE(err.find("at byte " + std::to_string(b.offsets[10])), std::string::npos) << err;
  if (!HasFailure()) {
    test::record_fault("WAL on disk", "a record's length field corrupted to point past the end",
                       "corruption, not a torn tail: refused naming the offset ('" +
                           test::scrub(err, dir.path()) + "')");
  }
}

TEST(Wal, DamageInAnOlderSegmentIsCorruptionEvenAtItsEnd) {
  TempDir dir("older");
  write_log(dir.path(), 300, /*segment_bytes=*/2048);
  wal::Reader r(posix_file_system(), dir.path());
  ASSERT_TRUE(r.open().ok());
  ASSERT_GE(r.segments().size(), 3u);
  const std::string first = dir.file(r.segments()[0].name);
  std::string data = test::read_all(first);
  test::write_all(first, data.substr(0, data.size() - 5));  // looks torn, but is not the last
  Engine e;
  RecoveryReport rep;
  std::string err;
  EXPECT_FALSE(recover_into(dir.path(), false, e, &rep, &err));
  EXPECT_NE(err.find(r.segments()[0].name), std::string::npos) << err;
  if (!HasFailure()) {
    test::record_fault("WAL on disk", "an older (not the last) segment cut short",
                       // Segments roll at batch boundaries, which vary run to run: the offset
                       // is not part of the row.
                       "refused as corruption naming the segment, reason '" +
                           err.substr(err.find(": ", err.find("at byte")) + 2) + "'");
  }
}

TEST(Wal, SequenceGapBetweenSegmentsIsRefused) {
  TempDir dir("gap");
  write_log(dir.path(), 300, /*segment_bytes=*/2048);
  wal::Reader r(posix_file_system(), dir.path());
  ASSERT_TRUE(r.open().ok());
  ASSERT_GE(r.segments().size(), 3u);
  ASSERT_EQ(std::remove(dir.file(r.segments()[1].name).c_str()), 0);
  Engine e;
  RecoveryReport rep;
  std::string err;
  EXPECT_FALSE(recover_into(dir.path(), false, e, &rep, &err));
  EXPECT_NE(err.find("gap"), std::string::npos) << err;
  EXPECT_NE(err.find(r.segments()[2].name), std::string::npos) << err;
  if (!HasFailure()) {
    test::record_fault("WAL on disk", "a middle segment deleted (sequence gap)",
                       "refused: '" + err.substr(0, err.find(':')) +
                           "', naming the segment after the gap and the seq it expected");
  }
}

TEST(Wal, ReadOnlyRecoveryReportsButDoesNotCut) {
  TempDir dir("readonly");
  write_log(dir.path(), 20);
  const std::string seg = dir.file(wal::segment_name(1));
  const std::string data = test::read_all(seg);
  test::write_all(seg, data.substr(0, data.size() - 3));
  Engine e;
  RecoveryReport rep;
  std::string err;
  RecoveryOptions o;
  o.modify = false;
  ASSERT_TRUE(recover(posix_file_system(), dir.path(), o, e, &rep, &err)) << err;
  EXPECT_EQ(rep.last_seq, 19u);
  EXPECT_GT(rep.torn_tail_bytes, 0u);
  EXPECT_EQ(test::read_all(seg).size(), data.size() - 3);
}

// A segment of commands 1..n of the history, framed by hand, with record `bad_seq` replaced by
// `bad` (a command that encodes but fails to apply) or, when `undecodable_seq` is that seq, by
// a record whose checksums are right but whose body is no command. *offsets gets every
// record's start.
std::string handmade_segment(uint64_t n, uint64_t bad_seq, const Command* bad,
                             uint64_t undecodable_seq, std::vector<uint64_t>* offsets) {
  std::string seg;
  wal::append_segment_header(seg);
  std::string err;
  for (const Command& c : test::history(1, n)) {
    offsets->push_back(seg.size());
    if (c.seq == undecodable_seq) {
      std::string body;
      coding::put_u64(body, c.seq);
      body += "\xff\xff\xff\xff";  // no command kind is 255
      coding::put_u32(seg, static_cast<uint32_t>(body.size()));
      coding::put_u32(seg, crc32c::value(body));
      coding::put_u32(seg, crc32c::value(seg.data() + seg.size() - 8, 8));
      seg += body;
    } else {
      EXPECT_TRUE(wal::append_record(c.seq == bad_seq ? *bad : c, seg, &err)) << err;
    }
  }
  return seg;
}

// Recovery of `dir` refuses to start with an error containing `named` (file offset and what),
// and with repair keeps the `keep` records before it, in the state they give. Returns the error.
std::string expect_refused_then_repaired(const std::string& dir, const std::string& named,
                                         uint64_t keep) {
  Engine e;
  RecoveryReport rep;
  std::string err;
  EXPECT_FALSE(recover_into(dir, false, e, &rep, &err));
  EXPECT_NE(err.find(named), std::string::npos) << err;
  const std::string refused = err;
  Engine repaired;
  EXPECT_TRUE(recover_into(dir, true, repaired, &rep, &err)) << err;
  EXPECT_EQ(rep.last_seq, keep);
  EXPECT_EQ(rep.records_replayed, keep);
  EXPECT_EQ(rep.state_hash, test::hash_after(keep));
  return refused;
}

// Replay decodes a window of records before it applies them (persistence/recovery.cc): the
// record it names must still be the first bad one in log order, and the state the one before.
TEST(Wal, UndecodableRecordIsCorruptionAndRepairKeepsTheRecordsBeforeIt) {
  TempDir dir("undecodable");
  std::vector<uint64_t> offsets;
  // Past the first window of 256 records, so that the window before it applies in full.
  const std::string seg = handmade_segment(300, 0, nullptr, 290, &offsets);
  test::write_all(dir.file(wal::segment_name(1)), seg);

  expect_refused_then_repaired(
      dir.path(), "at byte " + std::to_string(offsets[289]) + ": undecodable record", 289);
}

TEST(Wal, ReplayNamesTheFirstBadRecordEvenWhenALaterOneIsUndecodable) {
  TempDir dir("first-bad");
  std::vector<uint64_t> offsets;
  Command cancel_unknown = test::history_command(100);
  cancel_unknown.body = CancelOrder{999'999, "no such order"};
  // Both in the same window: record 100 fails to apply, record 102 does not decode.
  const std::string seg = handmade_segment(120, 100, &cancel_unknown, 102, &offsets);
  test::write_all(dir.file(wal::segment_name(1)), seg);

  const std::string err = expect_refused_then_repaired(
      dir.path(), "at byte " + std::to_string(offsets[99]) + ": replaying seq 100", 99);
  EXPECT_EQ(err.find("undecodable"), std::string::npos) << err;
}

// A log of big batches: replay's window stops at 1 MiB of records, and a slot that held a big
// record gives its memory back (persistence/recovery.cc). The state is the same either way.
TEST(Wal, BigBatchRecordsReplayToTheSameState) {
  TempDir dir("big-batches");
  std::vector<Command> commands = test::history(1, 30);  // products and customers
  for (uint64_t k = 0; k < 10; ++k) {
    Command c = test::history_command(31 + k);
    SubmitOrders batch;
    for (int i = 0; i < 5'000; ++i) {
      OrderRequest o;
      o.customer = Key::of("C" + std::to_string(i % 20));
      o.client_order_id = Key::of("BIG-" + std::to_string(k) + "-" + std::to_string(i));
      LineRequest l;
      l.sku = Key::of("SKU-" + std::to_string(i % 10));
      l.qty = 1 + i % 5;
      o.lines.push_back(l);
      batch.orders.push_back(std::move(o));
    }
    c.body = std::move(batch);
    commands.push_back(std::move(c));
  }
  Engine expected;
  {
    Journal j;
    JournalOptions o;
    o.dir = dir.path();
    o.durability = Durability::none;
    std::string err;
    ASSERT_TRUE(j.open(o, expected, nullptr, &err)) << err;
    for (const Command& c : commands) {
      ASSERT_TRUE(test::apply_ok(expected, c));
      ASSERT_TRUE(j.append(c));
    }
    ASSERT_TRUE(j.close(&err)) << err;
  }
  const Boundaries b = record_offsets(dir.path());
  ASSERT_EQ(b.offsets.size(), commands.size());
  // Each batch is well over the 64 KiB a slot keeps, and together they pass the 1 MiB window.
  EXPECT_GT(b.size - b.offsets[30], uint64_t{1} << 20);
  EXPECT_GT(b.offsets[31] - b.offsets[30], uint64_t{64} << 10);

  Engine e;
  RecoveryReport rep;
  std::string err;
  ASSERT_TRUE(recover_into(dir.path(), false, e, &rep, &err)) << err;
  EXPECT_EQ(rep.records_replayed, commands.size());
  EXPECT_EQ(rep.state_hash, expected.state_hash());
  EXPECT_EQ(e.counts().orders, 50'000u);
}

}  // namespace
}  // namespace credo
