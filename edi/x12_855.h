// The X12 855 purchase order acknowledgment of one PurchaseOrder and credo's decision (BAK,
// PO1 echoed with ACK per line, MSG with the reasons, CTT), inside an X12Writer's group (PR).
#pragma once

#include <string>

#include "edi/decision.h"
#include "edi/purchase_order.h"
#include "edi/x12_writer.h"

namespace credo::edi {

// `date`: CCYYMMDD of the acknowledgment (BAK09). `version`: GS08 of the group.
void write_855(X12Writer& w, const PurchaseOrder& po, const Decision& d, const PoAck& ack,
               const std::string& date, const std::string& version);

// minor units per credo unit -> a decimal price per partner unit ("12.5", "0.0833").
std::string partner_price(const Partner& p, const std::string& uom, int64_t minor);

}  // namespace credo::edi
