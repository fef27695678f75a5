// A purchase order (or a change to one) as read from an X12 850/860 or an EDIFACT ORDERS, with
// what the partner file made of it in credo's terms. Syntax-neutral: the 855/ORDRSP writers
// echo it back.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "edi/partner.h"

namespace credo::edi {

enum class PoAction {
  kSubmit,   // 850 BEG01 00 (original), ORDERS BGM 9
  kCancel,   // 850 BEG01 01, 860 BCH01 01, ORDERS BGM 1
  kChange,   // 860 BCH01 04 (change)
  kIgnore,   // 850 BEG01 06 (confirmation): nothing to do (noted)
};

struct PoLine {
  // As sent.
  std::string line_id;     // PO101 / POC01 / LIN01
  std::string qty_text;    // PO102 / POC03 / QTY+21
  std::string uom;         // PO103 / POC05
  std::string price_text;  // PO104 / POC06 / PRI+AAA
  std::vector<std::pair<std::string, std::string>> ids;  // (qualifier, id) pairs
  std::string change;      // 860 POC02: AI, DI, PC, QD, QI (empty for 850)
  // For credo.
  std::string product_id;  // the id under the partner's qualifier
  std::string sku;
  int64_t qty = 0;                        // in credo units
  std::optional<int64_t> po_unit_price;   // per credo unit, minor units (when the PO has a price)
};

struct PurchaseOrder {
  std::string set_id;   // 850, 860, ORDERS
  std::string control;  // ST02 / UNH01
  PoAction action = PoAction::kSubmit;
  std::string purpose;  // BEG01 / BCH01 / BGM03
  std::string po_type;  // BEG02
  std::string po_number;  // BEG03 / BGM02
  std::string po_date;    // BEG05 (CCYYMMDD)
  std::string change_seq;  // 860 BCH05
  std::string ship_by;     // YYYY-MM-DD (DTM 002 / DTM+2)
  std::string buyer_code, buyer_name, ship_to_code, ship_to_name;
  std::vector<std::pair<std::string, std::string>> refs;  // REF01, REF02
  std::vector<PoLine> lines;
  std::string amount;  // AMT02 / MOA
  std::vector<std::string> notes;  // what was read but not used, for the log
  const Partner* partner = nullptr;
  std::string customer;
};

// The request line (docs/protocol.md submit_order body, without "op") for an order.
std::string order_body_json(const PurchaseOrder& po, const std::string& ref);

// Appends s to out as a JSON string (quoted, escaped).
void json_string(std::string* out, std::string_view s);

// "12.50" with `decimals` decimals -> 1250; nullopt if not a plain decimal or out of range.
std::optional<int64_t> parse_decimal(std::string_view s, int decimals);

// CCYYMMDD -> "CCYY-MM-DD" if a real date, else "".
std::string iso_date(std::string_view ccyymmdd);

}  // namespace credo::edi
