// X12 850 (purchase order) and 860 (purchase order change) transaction sets -> PurchaseOrder,
// through the trading-partner file. Every problem becomes an AK3/AK4 error of the set's 997
// entry (SetAck), with the segment position and element; a set with an error is rejected.
#pragma once

#include "edi/partner.h"
#include "edi/purchase_order.h"
#include "edi/x12_reader.h"
#include "edi/x12_writer.h"

namespace credo::edi {

// `envelope_partner`: the partner the ISA/GS named (null: look the N1*BY code up). Returns the
// set's 997 entry; *po is usable when the code is 'A' or 'E'. *log gets a line when the partner
// is unknown.
SetAck translate_x12(const TransactionSet& set, const PartnerBook& book,
                     const Partner* envelope_partner, PurchaseOrder* po, std::string* log);

// Qty and price of one line in credo units (shared with EDIFACT): false and *bad names the
// element (1 qty, 2 unit, 3 price) when they do not convert.
bool convert_line(const Partner& p, PoLine* line, int* bad_element, std::string* why);

}  // namespace credo::edi
