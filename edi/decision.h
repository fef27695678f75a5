// credo's answer to one order (docs/protocol.md "Order answers"), as far as the acknowledgments
// need it, and the line status codes an 855 / ORDRSP gives each line.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "edi/purchase_order.h"

namespace credo::edi {

struct Reason {
  std::string code;
  int line = -1;            // 0-based, for line reasons
  int64_t available = -1;   // INSUFFICIENT_STOCK
};

struct DecidedLine {
  std::string sku;
  int64_t qty = 0;
  int64_t unit_price = 0;
};

struct Decision {
  bool ok = false;
  std::string error_code, error_message;  // when !ok
  std::string status;                     // accepted, held, rejected (submit); cancelled ... (others)
  int64_t order_no = 0;
  bool duplicate = false;
  std::vector<Reason> reasons;
  std::vector<DecidedLine> lines;
};

// One answer object (a whole answer line, or one slot of submit_orders' "results"); a line
// that does not parse is !ok with error_code "BAD_ANSWER".
Decision parse_decision(std::string_view json);
// submit_orders' answer: one Decision per result; if the request failed as a whole, `count`
// copies of its error.
std::vector<Decision> parse_batch(std::string_view json, std::size_t count);
// amend_order's answer: the decision of the new version ("decision", "reasons", "order.lines").
Decision parse_amendment(std::string_view json);

// Acknowledgment of one line: an X12 ACK01 code (IA accepted, IR rejected, IB backordered,
// IP price changed, IH on hold) and the credo reasons as text.
struct LineAck {
  std::string code;
  std::string message;
  int64_t unit_price = -1;  // credo's price per credo unit, when known
};

struct PoAck {
  std::string type;  // BAK02: AD (no change), AC (with changes, or held), RD (rejected)
  std::vector<LineAck> lines;
  std::string message;  // order-level text (reasons, error)
};

PoAck acknowledge(const PurchaseOrder& po, const Decision& d);

}  // namespace credo::edi
