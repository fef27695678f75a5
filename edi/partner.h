// The trading-partner file (JSON, docs/edi.md): who sends purchase orders, which credo customer
// and API key they stand for, how their product ids, units and prices map to credo's. No I/O:
// the caller reads the file and hands its text to parse_partners.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace credo::edi {

struct Partner {
  std::string name;  // for logs and the control number state
  // Matching an X12 interchange: ISA05/ISA06 and/or GS02 (empty: not checked). A partner with
  // none of them is found only by the buyer's N1*BY code (buyer_codes).
  std::string isa_qualifier, isa_id, gs_id;
  // EDIFACT: UNB sender id (UNB02.1).
  std::string unb_id;
  // N1*BY N104 (X12) / NAD+BY (EDIFACT) codes that identify this partner; `buyers` maps a code
  // to its own customer (else `customer`).
  std::vector<std::string> buyer_codes;
  std::map<std::string, std::string> buyers;
  std::string customer;
  std::string api_key;
  std::string product_qualifier = "BP";  // which PO1 id pair names the product (BP, VP, VN, UP, IN, SK...)
  std::map<std::string, std::string> xref;  // that id -> credo sku (absent: the id is the sku)
  std::map<std::string, int64_t> uom = {{"EA", 1}};  // unit -> credo units per unit
  bool send_price = false;  // true: PO1's price goes to credo as unit_price; false: list/contract price
  int price_decimals = 2;   // minor units per currency unit: 10^price_decimals
  std::string payment = "credit";  // credit | prepaid
  std::string terms;               // payment terms text, echoed in the 855 (ITD12)
  // Our ids in the acknowledgments' envelopes (default: the receiver ids of the inbound file).
  std::string our_qualifier, our_id, our_gs_id;
};

struct PartnerBook {
  std::vector<Partner> partners;

  // The partner an X12 envelope names (ISA05/06, GS02), or null.
  const Partner* find_x12(std::string_view isa_qualifier, std::string_view isa_id,
                          std::string_view gs_id) const;
  const Partner* find_edifact(std::string_view unb_id) const;
  // The partner whose buyer_codes hold this code, or null.
  const Partner* find_buyer(std::string_view code) const;
};

// Parses the partner file; nullopt and *error on a bad file (the message names the partner and
// the field).
std::optional<PartnerBook> parse_partners(std::string_view json, std::string* error);

// The customer a purchase order goes to: the buyer code's own mapping, else the partner's.
std::string customer_for(const Partner& p, std::string_view buyer_code);

}  // namespace credo::edi
