// Compact binary encoding of a journaled Command: the body of a WAL record
// (docs/wal_format.md, "Record" and "Payload encoding").
//
// Encoding checks the same bounds decoding does (key validity, text and vector lengths), so a
// record that was written can always be read back: a command that breaks a bound is refused
// at append time, not discovered at recovery.
// Decoding is total: any byte string either decodes to a Command or returns an error; it never
// reads outside the input and never allocates more than the input's size justifies.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/command.h"

namespace credo {

// Stable numbers of command kinds on disk (never reordered, never reused).
enum class CommandKind : uint8_t {
  upsert_customer = 1,
  set_credit = 2,
  set_customer_status = 3,
  upsert_product = 4,
  receive_stock = 5,
  adjust_stock = 6,
  submit_order = 7,
  submit_orders = 8,
  cancel_order = 9,
  release_order = 10,
  reject_order = 11,
  ship = 12,
  record_payment = 13,
  return_goods = 14,
  write_off = 15,
  tick = 16,
  set_policy = 17,
};
constexpr int kCommandKindMax = 17;

CommandKind kind_of(const CommandBody& body);
// The protocol's op name ("submit_order"), or "unknown" for a number outside the table.
const char* kind_name(uint8_t kind);

// What every record body starts with: enough for `credo-wal stats` without decoding payloads.
struct CommandHeader {
  uint64_t seq = 0;
  TimeMs at = 0;
  Principal by;
  uint8_t kind = 0;
  std::string_view payload;  // points into the decoded body
};

// Appends the record body of `cmd` (seq, at, principal, kind, payload) to `out`.
// Returns false and sets *error (leaving `out` as it was) if the command breaks a bound of
// the format: an invalid key, a text over kMaxTextLen, more than kMaxOrderLines lines or
// kMaxBatchOrders orders.
bool encode_command(const Command& cmd, std::string& out, std::string* error);

// Decodes a record body. Returns false and sets *error on any malformed input.
bool decode_command_header(std::string_view body, CommandHeader* out, std::string* error);
bool decode_command(std::string_view body, Command* out, std::string* error);

}  // namespace credo
