// Assertions in pairs (assertions for programmer errors, handled errors for bad input): what the
// writers assert before anything reaches the disk, the readers check again after reading it back,
// as errors they report, since by then a failure can come from the disk rather than from our code.
// These tests show both halves.
#include <gtest/gtest.h>

#include <string>

#include "persistence/file_system.h"
#include "persistence/retention.h"
#include "persistence/snapshot.h"
#include "persistence/wal_format.h"
#include "tests/persistence/test_util.h"

namespace credo {
namespace {

using test::TempDir;

TEST(AssertPairsDeathTest, SnapshotWriteRefusesAHeaderThatDisagreesWithItsBody) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  TempDir dir("assert-snap");
  snapshot::Header header;
  header.seq = 7;
  header.body_len = 3;  // the body below has 4 bytes
  std::string name;
  EXPECT_DEATH(snapshot::write(posix_file_system(), dir.path(), header, "body", &name),
               "assertion failed: .*body_len.*: snapshot header's body_len is not the body's size");
}

TEST(AssertPairs, SnapshotReadReportsTheSameDisagreementOnDiskAsAnError) {
  TempDir dir("assert-snap-read");
  snapshot::Header header;
  header.seq = 7;
  std::string name;
  ASSERT_TRUE(snapshot::write(posix_file_system(), dir.path(), header, "body", &name).ok());
  // The disk lost the body's last byte: a handled error, not a crash.
  const std::string path = dir.file(name);
  std::string data = test::read_all(path);
  data.pop_back();
  test::write_all(path, data);
  snapshot::Header back;
  std::string body;
  const Status s = snapshot::read(posix_file_system(), path, &back, &body);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message.find("header says 4"), std::string::npos) << s.message;
}

TEST(AssertPairsDeathTest, RetentionNeverRemovesTheSnapshotJustWritten) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  TempDir dir("assert-retention");
  EXPECT_DEATH(remove_redundant_files(posix_file_system(), dir.path(), 0),
               "assertion failed: snapshots_to_keep >= 1");
}

TEST(AssertPairs, RecordsCarryTheirCommandsSeqForTheReaderToCheck) {
  // append_record asserts the framed body starts with the command's seq; the reader (which
  // reports a wrong seq as a gap) reads it from the same place.
  const Command c = test::history_command(42);
  std::string out, error;
  ASSERT_TRUE(wal::append_record(c, out, &error)) << error;
  ASSERT_GE(out.size(), wal::kRecordHeaderBytes + 8);
  uint64_t seq = 0;
  for (int i = 0; i < 8; ++i)
    seq |= static_cast<uint64_t>(static_cast<uint8_t>(out[wal::kRecordHeaderBytes + i])) << (8 * i);
  EXPECT_EQ(seq, 42u);
}

}  // namespace
}  // namespace credo
