// libFuzzer target for the WAL record reader and the command decoder (persistence/wal_reader.h,
// persistence/command_codec.h): any bytes in, never a crash, a hang, an allocation beyond what
// the input justifies, or a sanitizer report, and these properties hold:
//   - the reader, over any segment bytes, ends in exactly one of its kinds and never returns a
//     record that extends past the data, with sequence numbers consecutive;
//   - decoding is total (true or false, nothing else), and whatever decodes re-encodes, and
//     re-encoding is a fixed point: encode(decode(encode(decode(x)))) == encode(decode(x)).
//
// The first input byte chooses what the rest is:
//   0: a record body, fed to decode_command_header and decode_command;
//   1: a whole segment file (its 16-byte header included), read by wal::Reader;
//   2: a segment without its header: a valid one is prepended, so the fuzzer spends its time
//      on the records rather than on guessing the magic and its CRC.
// Build and run: fuzz/build_and_run.sh wal (the suite's run); scripts/fuzz.sh to explore
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "persistence/command_codec.h"
#include "persistence/file_system.h"
#include "persistence/wal_format.h"
#include "persistence/wal_reader.h"

namespace {

[[noreturn]] void fail(const char* what, const std::string& error = "") {
  std::fprintf(stderr, "property violated: %s%s%s\n", what, error.empty() ? "" : ": ",
               error.c_str());
  std::abort();
}

// A read-only directory holding exactly one segment, wal-...1.log, with the fuzzer's bytes.
// Only what wal::Reader calls is implemented; the rest fails loudly.
class OneSegmentFs : public credo::FileSystem {
 public:
  explicit OneSegmentFs(std::string_view data) : data_(data) {}
  credo::Status open_writable(const std::string&, bool,
                              std::unique_ptr<credo::WritableFile>*) override {
    fail("reader opened a file for writing");
  }
  credo::Status read_file(const std::string& path, std::string* out) override {
    if (path != credo::join_path("d", name())) fail("reader read an unlisted file");
    out->assign(data_);
    return credo::Status::Ok();
  }
  credo::Status write_file(const std::string&, std::string_view) override {
    fail("reader wrote a file");
  }
  credo::Status rename(const std::string&, const std::string&) override { fail("rename"); }
  credo::Status truncate(const std::string&, uint64_t) override { fail("truncate"); }
  credo::Status remove(const std::string&) override { fail("remove"); }
  credo::Status list(const std::string&, std::vector<std::string>* names) override {
    names->assign({name()});
    return credo::Status::Ok();
  }
  credo::Status file_size(const std::string&, uint64_t* size_bytes) override {
    *size_bytes = data_.size();
    return credo::Status::Ok();
  }
  credo::Status create_dir(const std::string&) override { fail("create_dir"); }
  credo::Status sync_dir(const std::string&) override { fail("sync_dir"); }

 private:
  static std::string name() { return credo::wal::segment_name(1); }
  std::string_view data_;
};

// Decodes `body`; if it decodes, checks that it re-encodes to a fixed point.
void check_body(std::string_view body) {
  std::string error;
  credo::CommandHeader header;
  const bool header_ok = credo::decode_command_header(body, &header, &error);
  credo::Command cmd;
  if (!credo::decode_command(body, &cmd, &error)) return;
  // A body that decodes as a whole has a decodable header.
  if (!header_ok) fail("decode_command accepted a body whose header does not decode");
  std::string once;
  if (!credo::encode_command(cmd, once, &error)) fail("a decoded command does not encode", error);
  credo::Command again;
  if (!credo::decode_command(once, &again, &error)) fail("an encoded command does not decode", error);
  std::string twice;
  if (!credo::encode_command(again, twice, &error)) fail("re-decoded command does not encode", error);
  if (once != twice) fail("encode(decode(.)) is not a fixed point");
}

void check_segment(std::string_view data) {
  OneSegmentFs fs(data);
  credo::wal::Reader reader(&fs, "d");
  if (!reader.open().ok()) fail("open failed on a listable directory");
  credo::wal::Record r;
  uint64_t prev_seq = 0;
  int records = 0;
  while (reader.next(&r)) {
    if (r.end_offset > data.size() || r.offset >= r.end_offset) fail("record outside the data");
    if (r.body.size() > r.end_offset - r.offset) fail("body longer than its record");
    if (records > 0 && r.seq != prev_seq + 1) fail("sequence numbers not consecutive");
    prev_seq = r.seq;
    records++;
    check_body(r.body);
  }
  const credo::wal::ReadEnd& end = reader.end();
  if (end.kind == credo::wal::ReadEnd::io_error) fail("io_error from an in-memory file");
  if (end.kind == credo::wal::ReadEnd::torn_tail && end.offset + end.cut_bytes != data.size())
    fail("a torn tail that does not reach the end of the file");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      check_body(rest);
      break;
    case 1:
      check_segment(rest);
      break;
    default: {
      std::string segment;
      credo::wal::append_segment_header(segment);
      segment.append(rest);
      check_segment(segment);
      break;
    }
  }
  return 0;
}
