// Compact binary encoding of a journaled Command: the body of a WAL record
// (docs/wal_format.md, "Record" and "Payload encoding").
//
// The payload layout is not written here: it is derived from the op table (engine/ops.h: which
// body a WAL kind number means) and the field descriptors (engine/fields.h: each body's fields
// in order, with their kinds). Encoding checks the same bounds decoding does (key validity,
// text and list lengths, enum ranges), so a record that was written can always be read back:
// a command that breaks a bound is refused at append time, not discovered at recovery.
// Decoding is total: any byte string either decodes to a Command or returns an error; it never
// reads outside the input and never allocates more than the input's size justifies.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/command.h"
#include "engine/ops.h"

namespace credo {

// A command's kind on disk: OpInfo::wal_kind of its op in engine/ops.h (stable forever, never
// reordered, never reused). The numbers and names live only in the op table.
enum class CommandKind : uint8_t {};
constexpr int kCommandKindMax = [] {
  int max = 0;
  for (const OpInfo& op : kOps) max = op.wal_kind > max ? op.wal_kind : max;
  return max;
}();

CommandKind kind_of(const CommandBody& body);
// The protocol's op name ("submit_order"), or "unknown" for a number no op declares.
const char* kind_name(uint8_t kind);

// What every record body starts with: enough for `credo-wal stats` without decoding payloads.
struct CommandHeader {
  uint64_t seq = 0;
  TimeMs at = 0;
  Principal by;
  uint8_t kind = 0;
  uint8_t field_version = 1;  // engine/fields.h "Field versions"
  std::string_view payload;  // points into the decoded body
};

// Appends the record body of `cmd` (seq, at, principal, kind, payload) to `out`.
// Returns false and sets *error (leaving `out` as it was) if the command breaks a bound of
// the format: an invalid key, a text over its kind's max_len (kMaxTextLen), a list over its
// kind's max_count (kMaxOrderLines lines, kMaxBatchOrders orders), an enum out of range.
bool encode_command(const Command& cmd, std::string& out, std::string* error);

// Decodes a record body. Returns false and sets *error on any malformed input.
bool decode_command_header(std::string_view body, CommandHeader* out, std::string* error);
bool decode_command(std::string_view body, Command* out, std::string* error);

}  // namespace credo
