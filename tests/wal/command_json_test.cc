// `credo-wal dump`'s JSON of a command, pinned for every journaled kind with its optional
// fields set and unset (tests/persistence/golden_commands.h), as the hand-written printer that
// preceded the descriptor walk wrote it.
#include "tools/wal/command_json.h"

#include <gtest/gtest.h>

#include <map>

#include "tests/persistence/golden_commands.h"

namespace credo {
namespace {

// clang-format off
const std::map<std::string, std::string> kGoldenJson = {
    {"upsert_customer/none",
     R"({"seq":1,"at":"2026-09-21T14:13:21.001Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"upsert_customer","customer":"C1"})"},
    {"upsert_customer/some",
     R"({"seq":103,"at":"2026-09-21T14:15:03.103Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"upsert_customer","customer":"C1","grade":"B","terms_days":-1})"},
    {"upsert_customer/all",
     R"({"seq":409,"at":"2026-09-21T14:20:09.409Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"upsert_customer","customer":"C1","name":"Acme \"Ltd\"\tEU","grade":"D","credit_limit":9223372036854775807,"terms_days":3650,"status":"blocked"})"},
    {"set_credit/none",
     R"({"seq":1327,"at":"2026-09-21T14:35:28.327Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"set_credit","customer":"~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~","reason":""})"},
    {"set_credit/all",
     R"({"seq":4081,"at":"2026-09-21T15:21:25.081Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"set_credit","customer":"~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~","credit_limit":-9223372036854775808,"grade":"A","terms_days":30,"reason":"raise"})"},
    {"set_customer_status",
     R"({"seq":12343,"at":"2026-09-21T17:39:15.343Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"set_customer_status","customer":"C2","status":"on_hold","reason":"overdue"})"},
    {"upsert_product/none",
     R"({"seq":37129,"at":"2026-09-22T00:32:46.129Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"upsert_product","sku":"BOLT-M8"})"},
    {"upsert_product/some",
     R"({"seq":111487,"at":"2026-09-22T21:13:18.487Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"upsert_product","sku":"BOLT-M8","price":1000,"on_hand":0})"},
    {"upsert_product/all",
     R"({"seq":334561,"at":"2026-09-25T11:14:55.561Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"upsert_product","sku":"BOLT-M8","name":"bolt M8","price":1000,"floor_price":0,"on_hand":1000000000})"},
    {"receive_stock",
     R"({"seq":1003783,"at":"2026-10-03T05:19:46.783Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"receive_stock","sku":"BOLT-M8","qty":42})"},
    {"adjust_stock",
     R"({"seq":3011449,"at":"2026-10-26T11:34:20.449Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"adjust_stock","sku":"BOLT-M8","on_hand":0})"},
    {"submit_order/none",
     R"({"seq":9034447,"at":"2027-01-04T06:18:01.447Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"submit_order","customer":"C","payment":"credit","lines":[{"sku":"S","qty":1}]})"},
    {"submit_order/all",
     R"({"seq":27103441,"at":"2027-08-01T14:29:04.441Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"submit_order","customer":"C1001","client_order_id":"PO-88121","payment":"prepaid","ship_by":"2026-02-16","ref":"web \"checkout\"\n\u0001 ✓","lines":[{"sku":"BOLT-M8","qty":1000000000,"unit_price":-5},{"sku":"NUT-M8","qty":3},{"sku":"WASHER","qty":64,"unit_price":9223372036854775807}]})"},
    {"submit_orders/empty",
     R"({"seq":81310423,"at":"2029-04-20T15:02:13.423Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"submit_orders","orders":[]})"},
    {"submit_orders/mixed",
     R"({"seq":243931369,"at":"2034-06-17T16:41:40.369Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"submit_orders","orders":[{"customer":"C1001","client_order_id":"PO-88121","payment":"prepaid","ship_by":"2026-02-16","ref":"web \"checkout\"\n\u0001 ✓","lines":[{"sku":"BOLT-M8","qty":1000000000,"unit_price":-5},{"sku":"NUT-M8","qty":3},{"sku":"WASHER","qty":64,"unit_price":9223372036854775807}]},{"customer":"C","payment":"credit","lines":[{"sku":"S","qty":1}]},{"customer":"","payment":"credit","lines":[]}]})"},
    {"cancel_order/reason",
     R"({"seq":731794207,"at":"2049-12-07T21:40:01.207Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"cancel_order","order_no":18446744073709551615,"reason":"changed mind"})"},
    {"cancel_order/empty",
     R"({"seq":2195382721,"at":"2096-05-11T12:35:03.721Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"cancel_order","order_no":1,"reason":""})"},
    {"release_order/note",
     R"({"seq":6586148263,"at":"2235-08-22T09:20:11.263Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"release_order","order_no":100001,"note":"ok by VP"})"},
    {"release_order/empty",
     R"({"seq":19758444889,"at":"2653-06-20T23:35:33.889Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"release_order","order_no":100001,"note":""})"},
    {"reject_order",
     R"({"seq":59275334767,"at":"3906-12-18T18:21:41.767Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"reject_order","order_no":100002,"reason":"no"})"},
    {"ship/everything",
     R"({"seq":177826004401,"at":"7667-06-10T02:40:05.401Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"ship","order_no":100003,"lines":[]})"},
    {"ship/lines",
     R"({"seq":533478013303,"at":"18948-11-15T03:35:16.303Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"ship","order_no":100003,"lines":[{"sku":"A","qty":1},{"sku":"","qty":200}]})"},
    {"return_goods/restock",
     R"({"seq":4801302120127,"at":"154326-01-29T14:37:27.127Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"return_goods","order_no":100004,"lines":[{"sku":"A","qty":1}],"restock":true,"reason":"damaged"})"},
    {"return_goods/empty",
     R"({"seq":14403906360481,"at":"458924-10-14T15:27:21.481Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"return_goods","order_no":100004,"lines":[],"restock":false,"reason":""})"},
    {"write_off",
     R"({"seq":43211719081543,"at":"1372720-11-30T17:57:04.543Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"write_off","invoice_no":7,"reason":"bankrupt"})"},
    {"tick",
     R"({"seq":129635157244729,"at":"4114109-04-19T01:26:13.729Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"tick"})"},
    {"record_payment",
     R"({"seq":1600434040009,"at":"52793-03-05T06:20:49.009Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"record_payment","customer":"C1","amount":123456,"payment_ref":"PAY-1"})"},
    {"set_policy/default",
     R"({"seq":388905471734287,"at":"579053-05-22T103079215127:53:41.287Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"set_policy","approve_total_max_minor":[10000000,50000000,500000000,9223372036854775807],"discount_max_bp":[0,300,1000,10000],"hold_ttl_hours":72,"order_ttl_days":30,"overdue_hold_days":0,"suspend_after_days":60,"reason_levels":{"CUSTOMER_ON_HOLD":2,"CREDIT_GRADE":3,"CREDIT_LIMIT":1,"OVERDUE":2,"ORDER_CREDIT_CAP":2},"credit_limit_vp_pct":20,"allow_combined_roles":false,"doubtful_after_days":90,"credit_limit_max_minor":[0,10000000,100000000,9223372036854775807],"review_cycle_days_a":182,"review_cycle_days_b":91,"review_cycle_days_c":30,"review_cycle_days_d":30,"review_grace_days":30,"writeoff_min_days_past_due":365,"single_approval_write_off":false,"return_vp_minor":10000000,"max_order_credit_minor_a":9223372036854775807,"max_order_credit_minor_b":9223372036854775807,"max_order_credit_minor_c":5000000,"max_order_credit_minor_d":0,"deposit_pct_a":10,"deposit_pct_b":20,"deposit_pct_c":30,"deposit_pct_d":50,"deposit_ttl_days":7,"order_retention_days":0})"},
    {"set_policy/custom",
     R"({"seq":1166716415202961,"at":"1733106-09-22T309237645331:16:03.961Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"set_policy","approve_total_max_minor":[1,2,3,9223372036854775807],"discount_max_bp":[0,1,2,10000],"hold_ttl_hours":1,"order_ttl_days":2,"overdue_hold_days":3,"suspend_after_days":2147483647,"reason_levels":{"CUSTOMER_ON_HOLD":2,"CREDIT_GRADE":3,"CREDIT_LIMIT":1,"OVERDUE":2,"ORDER_CREDIT_CAP":2},"credit_limit_vp_pct":20,"allow_combined_roles":false,"doubtful_after_days":90,"credit_limit_max_minor":[0,10000000,100000000,9223372036854775807],"review_cycle_days_a":182,"review_cycle_days_b":91,"review_cycle_days_c":30,"review_cycle_days_d":30,"review_grace_days":30,"writeoff_min_days_past_due":365,"single_approval_write_off":false,"return_vp_minor":10000000,"max_order_credit_minor_a":9223372036854775807,"max_order_credit_minor_b":9223372036854775807,"max_order_credit_minor_c":5000000,"max_order_credit_minor_d":0,"deposit_pct_a":10,"deposit_pct_b":20,"deposit_pct_c":30,"deposit_pct_d":50,"deposit_ttl_days":7,"order_retention_days":0})"},
    {"amend_order/none",
     R"({"seq":3500149245608983,"at":"5195266-09-22T927712935941:23:11.983Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"amend_order","order_no":100002,"amendment_id":"EDI-860-1","lines":[]})"},
    {"amend_order/all",
     R"({"seq":10500447736827049,"at":"-4529692-02-04T-2164663517162:-41:-15.-567Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"amend_order","order_no":100002,"amendment_id":"EDI-860-1","lines":[{"sku":"BOLT-M8","qty":40},{"sku":"NUT","qty":2,"unit_price":95}],"ship_by":"2026-02-16","ref":"rev 2"})"},
    {"set_policy/doubtful_after_days",
     R"({"seq":31501343210481247,"at":"-5240912-06-01T-1443109011454:-02:-54.-985Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"set_policy","approve_total_max_minor":[1,2,3,9223372036854775807],"discount_max_bp":[0,1,2,10000],"hold_ttl_hours":1,"order_ttl_days":2,"overdue_hold_days":3,"suspend_after_days":2147483647,"reason_levels":{"CUSTOMER_ON_HOLD":2,"CREDIT_GRADE":3,"CREDIT_LIMIT":1,"OVERDUE":2,"ORDER_CREDIT_CAP":2},"credit_limit_vp_pct":20,"allow_combined_roles":false,"doubtful_after_days":45,"credit_limit_max_minor":[0,10000000,100000000,9223372036854775807],"review_cycle_days_a":182,"review_cycle_days_b":91,"review_cycle_days_c":30,"review_cycle_days_d":30,"review_grace_days":30,"writeoff_min_days_past_due":365,"single_approval_write_off":false,"return_vp_minor":10000000,"max_order_credit_minor_a":9223372036854775807,"max_order_credit_minor_b":9223372036854775807,"max_order_credit_minor_c":5000000,"max_order_credit_minor_d":0,"deposit_pct_a":10,"deposit_pct_b":20,"deposit_pct_c":30,"deposit_pct_d":50,"deposit_ttl_days":7,"order_retention_days":0})"},
    {"reverse_payment/plain",
     R"({"seq":94504029631443841,"at":"4384650-06-10T618475290639:52:06.761Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"reverse_payment","payment_ref":"PAY-1","reason":"cheque bounced","suspend":false})"},
    {"reverse_payment/suspend",
     R"({"seq":283512088894331623,"at":"1390676-10-26T1958505086995:11:20.383Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"reverse_payment","payment_ref":"PAY-1","reason":"","suspend":true})"},
    {"refund",
     R"({"seq":850536266682994969,"at":"-4184241-06-07T824633720846:43:09.633Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"refund","customer":"C1","amount":5000,"refund_ref":"RF-1","reason":"overpaid"})"},
    {"set_policy/credit",
     R"({"seq":2551608800048985007,"at":"-797555-11-26T2370821947407:44:28.999Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"set_policy","approve_total_max_minor":[1,2,3,9223372036854775807],"discount_max_bp":[0,1,2,10000],"hold_ttl_hours":1,"order_ttl_days":2,"overdue_hold_days":3,"suspend_after_days":2147483647,"reason_levels":{"CUSTOMER_ON_HOLD":2,"CREDIT_GRADE":3,"CREDIT_LIMIT":1,"OVERDUE":2,"ORDER_CREDIT_CAP":2},"credit_limit_vp_pct":20,"allow_combined_roles":false,"doubtful_after_days":45,"credit_limit_max_minor":[0,5,6,9223372036854775807],"review_cycle_days_a":366,"review_cycle_days_b":1,"review_cycle_days_c":2,"review_cycle_days_d":3,"review_grace_days":0,"writeoff_min_days_past_due":365,"single_approval_write_off":false,"return_vp_minor":10000000,"max_order_credit_minor_a":9223372036854775807,"max_order_credit_minor_b":9223372036854775807,"max_order_credit_minor_c":5000000,"max_order_credit_minor_d":0,"deposit_pct_a":10,"deposit_pct_b":20,"deposit_pct_c":30,"deposit_pct_d":50,"deposit_ttl_days":7,"order_retention_days":0})"},
    {"approve_credit/note",
     R"({"seq":7654826400146955121,"at":"1010287-09-28T1958505086980:22:35.481Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"approve_credit","proposal_no":1,"note":"checked"})"},
    {"approve_credit/empty",
     R"({"seq":4517735126731313847,"at":"-5325408-03-10T824633720850:16:54.927Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"approve_credit","proposal_no":18446744073709551615,"note":""})"},
    {"reject_credit",
     R"({"seq":13553205380193941641,"at":"-4221056-03-08T2370821947394:25:44.881Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"reject_credit","proposal_no":2,"reason":"too risky"})"},
    {"review_customer/none",
     R"({"seq":3766127993162721791,"at":"2499003-08-19T1855425871884:26:23.127Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"review_customer","customer":"C1","reason":"ok"})"},
    {"review_customer/all",
     R"({"seq":11298383979488165473,"at":"-859261-11-11T515396075538:28:17.865Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"review_customer","customer":"C1","grade":"B","credit_limit":250000,"reason":"grew"})"},
    {"set_policy/approvals",
     R"({"seq":15448407864754944903,"at":"-2581834-02-19T1546188226562:59:53.695Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"set_policy","approve_total_max_minor":[1,2,3,9223372036854775807],"discount_max_bp":[0,1,2,10000],"hold_ttl_hours":1,"order_ttl_days":2,"overdue_hold_days":3,"suspend_after_days":2147483647,"reason_levels":{"CUSTOMER_ON_HOLD":2,"CREDIT_GRADE":3,"CREDIT_LIMIT":0,"OVERDUE":2,"ORDER_CREDIT_CAP":2},"credit_limit_vp_pct":35,"allow_combined_roles":true,"doubtful_after_days":45,"credit_limit_max_minor":[0,5,6,9223372036854775807],"review_cycle_days_a":366,"review_cycle_days_b":1,"review_cycle_days_c":2,"review_cycle_days_d":3,"review_grace_days":0,"writeoff_min_days_past_due":365,"single_approval_write_off":false,"return_vp_minor":10000000,"max_order_credit_minor_a":9223372036854775807,"max_order_credit_minor_b":9223372036854775807,"max_order_credit_minor_c":5000000,"max_order_credit_minor_d":0,"deposit_pct_a":10,"deposit_pct_b":20,"deposit_pct_c":30,"deposit_pct_d":50,"deposit_ttl_days":7,"order_retention_days":0})"},
    {"approve_order/all",
     R"({"seq":9451735446845731577,"at":"-4342552-06-07T-515396075505:-51:-10.-431Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"approve_order","order_no":100001,"note":""})"},
    {"approve_order/reasons",
     R"({"seq":9908462266827643215,"at":"-1272488-11-28T-1649267441649:-58:-31.-193Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"approve_order","order_no":100001,"reasons":["CREDIT_LIMIT","PRICE_APPROVAL"],"note":"ok"})"},
    {"release_shipment",
     R"({"seq":11278642726773378129,"at":"4530702-11-12T103079215108:05:18.137Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"release_shipment","order_no":100001,"note":"last one"})"},
    {"set_policy/writeoff",
     R"({"seq":15389184106610582871,"at":"1828834-01-31T412316860423:50:54.511Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"set_policy","approve_total_max_minor":[1,2,3,9223372036854775807],"discount_max_bp":[0,1,2,10000],"hold_ttl_hours":1,"order_ttl_days":2,"overdue_hold_days":3,"suspend_after_days":2147483647,"reason_levels":{"CUSTOMER_ON_HOLD":2,"CREDIT_GRADE":3,"CREDIT_LIMIT":0,"OVERDUE":2,"ORDER_CREDIT_CAP":2},"credit_limit_vp_pct":35,"allow_combined_roles":true,"doubtful_after_days":45,"credit_limit_max_minor":[0,5,6,9223372036854775807],"review_cycle_days_a":366,"review_cycle_days_b":1,"review_cycle_days_c":2,"review_cycle_days_d":3,"review_grace_days":0,"writeoff_min_days_past_due":30,"single_approval_write_off":true,"return_vp_minor":0,"max_order_credit_minor_a":9223372036854775807,"max_order_credit_minor_b":9223372036854775807,"max_order_credit_minor_c":5000000,"max_order_credit_minor_d":0,"deposit_pct_a":10,"deposit_pct_b":20,"deposit_pct_c":30,"deposit_pct_d":50,"deposit_ttl_days":7,"order_retention_days":0})"},
    {"record_payment/recovery",
     R"({"seq":9274064172412645481,"at":"5482448-10-21T1236950581267:07:43.633Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"record_payment","customer":"C1","amount":500,"payment_ref":"PAY-2","recovery_of":7})"},
    {"propose_write_off",
     R"({"seq":9375448443528384927,"at":"-3668146-05-04T-1236950581233:-27:-40.-617Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"propose_write_off","invoice_no":7,"reason_code":"uncollectible","reason":"14 months"})"},
    {"approve_write_off/note",
     R"({"seq":9679601256875603265,"at":"-2656273-02-26T1340029796357:37:49.865Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"approve_write_off","write_off_no":1,"note":"agreed"})"},
    {"approve_write_off/empty",
     R"({"seq":10592059696917258279,"at":"-4565869-06-27T-1133871366121:-57:-21.-921Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"approve_write_off","write_off_no":18446744073709551615,"note":""})"},
    {"request_return",
     R"({"seq":13329435017042223321,"at":"-5349442-08-07T1649267441668:08:45.953Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"request_return","order_no":100004,"lines":[{"sku":"A","qty":2}],"reason":"wrong size"})"},
    {"approve_return",
     R"({"seq":3094816903707566831,"at":"-886154-11-16T-309237645294:-24:-33.-657Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"approve_return","return_no":1,"note":"ok"})"},
    {"receive_return",
     R"({"seq":9284450711122700593,"at":"-2662513-03-08T-927712935935:-38:-40.-871Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"receive_return","return_no":1,"lines":[{"sku":"A","qty":1,"qc":"pass"},{"sku":"A","qty":1,"qc":"fail"}]})"},
    {"upsert_price_agreement",
     R"({"seq":9406608059658550263,"at":"360625-09-06T2267742732299:04:49.103Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"upsert_price_agreement","agreement_ref":"AG-1","customer":"C1","sku":"BOLT-M8","unit_price":950,"from":"2025-11-08","to":"2026-11-08"})"},
    {"end_price_agreement/reason",
     R"({"seq":9773080105266099273,"at":"4484827-01-25T1649267441678:23:35.793Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"end_price_agreement","agreement_ref":"AG-1","reason":"renegotiated"})"},
    {"end_price_agreement/empty",
     R"({"seq":10872496242088746303,"at":"5098210-03-06T-103079215103:-40:-04.-137Z","principal":"ops","roles":["order","credit","warehouse","finance","admin"],"level":3,"kind":"end_price_agreement","agreement_ref":"AG-1","reason":""})"},
};
// clang-format on

// A C++ raw string literal for `s`, to paste into the table above.
std::string literal(const std::string& s) {
  return "R\"(" + s + ")\"";
}

TEST(WalDumpJson, EveryKindPrintsTheRecordedJson) {
  std::string missing;
  for (const test::GoldenCommand& g : test::golden_commands()) {
    std::string out;
    append_command_json(out, g.command);
    const auto want = kGoldenJson.find(g.label);
    if (want == kGoldenJson.end()) {
      missing += "    {\"" + g.label + "\",\n     " + literal(out) + "},\n";
      continue;
    }
    EXPECT_EQ(out, want->second) << g.label;
  }
  EXPECT_TRUE(missing.empty()) << "no golden JSON for:\n" << missing;
  EXPECT_EQ(kGoldenJson.size(), test::golden_commands().size());
}

}  // namespace
}  // namespace credo
