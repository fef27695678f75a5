#include "replication/record_batch.h"

#include "persistence/coding.h"
#include "persistence/command_codec.h"
#include "persistence/crc32c.h"
#include "persistence/wal_format.h"

namespace credo::replication {

bool decode_batch(std::string_view data, std::vector<Command>* out, std::string* error) {
  std::size_t pos = 0;
  while (pos < data.size()) {
    if (data.size() - pos < wal::kRecordHeaderBytes) {
      *error = "truncated record header at byte " + std::to_string(pos);
      return false;
    }
    const char* h = data.data() + pos;
    const uint32_t length = coding::load_u32(h);
    const uint32_t body_crc = coding::load_u32(h + 4);
    if (coding::load_u32(h + 8) != crc32c::value(h, 8)) {
      *error = "record header checksum mismatch at byte " + std::to_string(pos);
      return false;
    }
    if (length == 0 || length > wal::kMaxRecordBytes ||
        length > data.size() - pos - wal::kRecordHeaderBytes) {
      *error = "record length " + std::to_string(length) + " out of range at byte " +
               std::to_string(pos);
      return false;
    }
    std::string_view body = data.substr(pos + wal::kRecordHeaderBytes, length);
    if (crc32c::value(body) != body_crc) {
      *error = "record body checksum mismatch at byte " + std::to_string(pos);
      return false;
    }
    Command cmd;
    if (!decode_command(body, &cmd, error)) return false;
    out->push_back(std::move(cmd));
    pos += wal::kRecordHeaderBytes + length;
  }
  return true;
}

}  // namespace credo::replication
