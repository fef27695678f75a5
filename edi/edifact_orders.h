// EDIFACT ORDERS (D.96A, D.01B) -> PurchaseOrder through the trading-partner file: BGM (order
// number, function 9 original / 1 cancellation), DTM (2 delivery requested, 137 document date;
// format 102), NAD (BY buyer, DP/ST delivery party), LIN + PIA (item ids), QTY 21, PRI AAA/AAB,
// UNS, CNT 2. Every problem becomes a segment error of the message's CONTRL entry (the SetAck
// holds 0085 codes); a message with an error is rejected.
#pragma once

#include "edi/edifact_reader.h"
#include "edi/partner.h"
#include "edi/purchase_order.h"
#include "edi/x12_writer.h"

namespace credo::edi {

// `envelope_partner`: the partner the UNB sender names (null: look the NAD+BY code up).
SetAck translate_orders(const EdifactMessage& msg, const PartnerBook& book, const Partner* envelope_partner,
                        PurchaseOrder* po, std::string* log);

// Whether an EDIFACT item type code (7143) names the partner's product qualifier (the X12 code
// in the partner file: BP, VP (SA, VN), UP/EN (SRV, EN), IN, MF ...).
bool item_type_matches(std::string_view partner_qualifier, std::string_view type);

}  // namespace credo::edi
