#include "tests/persistence/golden_commands.h"

#include <cstdint>

namespace credo::test {
namespace {

Principal golden_principal() {
  Principal p;
  p.name = Key::of("ops");
  p.roles = kRoleOrder | kRoleCredit | kRoleWarehouse | kRoleFinance | kRoleAdmin;
  p.level = 3;
  return p;
}

OrderRequest minimal_order() {
  OrderRequest o;
  o.customer = Key::of("C");
  o.lines.push_back(LineRequest{Key::of("S"), 1, std::nullopt});
  return o;
}

// Every optional set; a line with and one without a price; text that JSON must escape.
OrderRequest full_order() {
  OrderRequest o;
  o.customer = Key::of("C1001");
  o.client_order_id = Key::of("PO-88121");
  o.payment = PaymentTerms::prepaid;
  o.ship_by = 20'500;
  o.ref = "web \"checkout\"\n\x01 \xe2\x9c\x93";
  o.lines.push_back(LineRequest{Key::of("BOLT-M8"), 1'000'000'000, -5});
  o.lines.push_back(LineRequest{Key::of("NUT-M8"), 3, std::nullopt});
  o.lines.push_back(LineRequest{Key::of("WASHER"), 64, INT64_MAX});
  return o;
}

}  // namespace

std::vector<GoldenCommand> golden_commands() {
  std::vector<GoldenCommand> v;
  uint64_t seq = 1;
  const auto add = [&](std::string label, CommandBody body) {
    Command c;
    c.seq = seq;
    // 2026-09-21, with millis. Unsigned, so that it wraps (defined) once seq has grown past
    // what 1001 * seq fits in an int64 (the later kinds): the same bits the goldens recorded.
    c.at = static_cast<TimeMs>(uint64_t{1'790'000'000'000} + seq * 1001);
    c.by = golden_principal();
    c.body = std::move(body);
    v.push_back({std::move(label), std::move(c)});
    seq = seq * 3 + 100;  // varying widths of the fixed-size seq are still 8 bytes
  };

  UpsertCustomer uc;
  uc.customer = Key::of("C1");
  add("upsert_customer/none", uc);
  uc.grade = Grade::B;
  uc.terms_days = -1;
  add("upsert_customer/some", uc);
  uc.name = "Acme \"Ltd\"\tEU";
  uc.grade = Grade::D;
  uc.credit_limit = INT64_MAX;
  uc.terms_days = 3650;
  uc.status = CustomerStatus::blocked;
  add("upsert_customer/all", uc);

  SetCredit sc;
  sc.customer = Key::of(std::string(64, '~'));
  add("set_credit/none", sc);
  sc.credit_limit = INT64_MIN;
  sc.grade = Grade::A;
  sc.terms_days = 30;
  sc.reason = "raise";
  add("set_credit/all", sc);

  add("set_customer_status", SetCustomerStatus{Key::of("C2"), CustomerStatus::on_hold, "overdue"});

  UpsertProduct up;
  up.sku = Key::of("BOLT-M8");
  add("upsert_product/none", up);
  up.price = 1000;
  up.on_hand = 0;
  add("upsert_product/some", up);
  up.name = "bolt M8";
  up.floor_price = 0;
  up.on_hand = 1'000'000'000;
  add("upsert_product/all", up);

  add("receive_stock", ReceiveStock{Key::of("BOLT-M8"), 42});
  add("adjust_stock", AdjustStock{Key::of("BOLT-M8"), 0});

  add("submit_order/none", SubmitOrder{minimal_order()});
  add("submit_order/all", SubmitOrder{full_order()});
  add("submit_orders/empty", SubmitOrders{});
  add("submit_orders/mixed", SubmitOrders{{full_order(), minimal_order(), OrderRequest{}}});

  add("cancel_order/reason", CancelOrder{UINT64_MAX, "changed mind"});
  add("cancel_order/empty", CancelOrder{1, ""});
  add("release_order/note", ReleaseOrder{100001, "ok by VP"});
  add("release_order/empty", ReleaseOrder{100001, ""});
  add("reject_order", RejectOrder{100002, "no"});
  add("ship/everything", Ship{100003, {}});
  add("ship/lines", Ship{100003, {SkuQty{Key::of("A"), 1}, SkuQty{Key{}, 200}}});
  add("record_payment", RecordPayment{Key::of("C1"), 123456, Key::of("PAY-1")});
  add("return_goods/restock", ReturnGoods{100004, {SkuQty{Key::of("A"), 1}}, true, "damaged"});
  add("return_goods/empty", ReturnGoods{100004, {}, false, ""});
  add("write_off", WriteOff{7, "bankrupt"});
  add("tick", Tick{});

  SetPolicy sp;
  add("set_policy/default", sp);
  sp.policy.approve_total_max_minor = {1, 2, 3, INT64_MAX};
  sp.policy.discount_max_bp = {0, 1, 2, 10'000};
  sp.policy.hold_ttl_hours = 1;
  sp.policy.order_ttl_days = 2;
  sp.policy.overdue_hold_days = 3;
  sp.policy.suspend_after_days = INT32_MAX;
  add("set_policy/custom", sp);

  AmendOrder am;
  am.order_no = 100002;
  am.amendment_id = Key::of("EDI-860-1");
  add("amend_order/none", am);
  am.lines = {LineRequest{Key::of("BOLT-M8"), 40, std::nullopt}, LineRequest{Key::of("NUT"), 2, 95}};
  am.ship_by = 20'500;
  am.ref = "rev 2";
  add("amend_order/all", am);
  sp.policy.doubtful_after_days = 45;
  add("set_policy/doubtful_after_days", sp);
  add("reverse_payment/plain", ReversePayment{Key::of("PAY-1"), "cheque bounced", false});
  add("reverse_payment/suspend", ReversePayment{Key::of("PAY-1"), "", true});
  add("refund", Refund{Key::of("C1"), 5000, Key::of("RF-1"), "overpaid"});
  // creditdata (field version 2 of Policy; WAL kinds 20-22).
  sp.policy.credit_limit_max_minor = {0, 5, 6, INT64_MAX};
  sp.policy.review_cycle_days_a = 366;
  sp.policy.review_cycle_days_b = 1;
  sp.policy.review_cycle_days_c = 2;
  sp.policy.review_cycle_days_d = 3;
  sp.policy.review_grace_days = 0;
  add("set_policy/credit", sp);
  add("approve_credit/note", ApproveCredit{1, "checked"});
  add("approve_credit/empty", ApproveCredit{UINT64_MAX, ""});
  add("reject_credit", RejectCredit{2, "too risky"});
  add("review_customer/none", ReviewCustomer{Key::of("C1"), std::nullopt, std::nullopt, "ok"});
  add("review_customer/all", ReviewCustomer{Key::of("C1"), Grade::B, 250'000, "grew"});
  sp.policy.reason_levels[static_cast<int>(Reason::CREDIT_LIMIT)] = 0;
  sp.policy.credit_limit_vp_pct = 35;
  sp.policy.allow_combined_roles = true;
  add("set_policy/approvals", sp);
  add("approve_order/all", ApproveOrder{100001, std::nullopt, ""});
  add("approve_order/reasons", ApproveOrder{100001, reason_bit(Reason::CREDIT_LIMIT) |
                                                        reason_bit(Reason::PRICE_APPROVAL),
                                            "ok"});
  add("release_shipment", ReleaseShipment{100001, "last one"});
  // Branch writeoff: the policy's version-2 members, a recovery, the new kinds 23-27.
  sp.policy.writeoff_min_days_past_due = 30;
  sp.policy.single_approval_write_off = true;
  sp.policy.return_vp_minor = 0;
  add("set_policy/writeoff", sp);
  RecordPayment recovery{Key::of("C1"), 500, Key::of("PAY-2")};
  recovery.recovery_of = 7;
  add("record_payment/recovery", recovery);
  add("propose_write_off", ProposeWriteOff{7, WriteOffReason::uncollectible, "14 months"});
  add("approve_write_off/note", ApproveWriteOff{1, "agreed"});
  add("approve_write_off/empty", ApproveWriteOff{UINT64_MAX, ""});
  add("request_return", RequestReturn{100004, {SkuQty{Key::of("A"), 2}}, "wrong size"});
  add("approve_return", ApproveReturn{1, "ok"});
  add("receive_return", ReceiveReturn{1, {ReceiveLine{Key::of("A"), 1, QcResult::pass},
                                          ReceiveLine{Key::of("A"), 1, QcResult::fail}}});
  // Branch pricing: contract prices (WAL kinds 31-32).
  add("upsert_price_agreement",
      UpsertPriceAgreement{Key::of("AG-1"), Key::of("C1"), Key::of("BOLT-M8"), 950, 20'400,
                           20'765});
  add("end_price_agreement/reason", EndPriceAgreement{Key::of("AG-1"), "renegotiated"});
  add("end_price_agreement/empty", EndPriceAgreement{Key::of("AG-1"), ""});
  return v;
}

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

}  // namespace credo::test
