// Returns (docs/rules.md "Returns"): requested by order or finance, approved by a sales manager
// (level 2 above the policy's return_vp_minor) who is not the requester, counted and quality-
// checked by the warehouse, and credited on receipt for the quantity received; only units that
// passed QC go back to stock.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/engine/world.h"

namespace credo::test {
namespace {

Principal manager(int level = 1) {
  return principal("mgr", kRoleOrder, static_cast<uint8_t>(level));
}

class ReturnsTest : public EngineTest {
 protected:
  void SetUp() override {
    w.good_customer("C1");
    w.product("BOLT").price(1'000).stock(1'000);
    w.product("NUT").price(100).stock(1'000);
    w.product("PUMP").price(6'000'000).stock(10);
  }
  OrderNo shipped(const std::vector<Line>& lines) {
    OrderNo n = w.submit("C1", lines, {.by = rep(3)}).order_no;
    w.ship(n);
    return n;
  }
  Result try_request(OrderNo n, const std::vector<std::pair<std::string, Qty>>& lines,
                     const Principal& by = rep(0)) {
    return w.apply(RequestReturn{n, sku_qty(lines), "wrong size"}, by);
  }
  ReturnRecordView request(OrderNo n, const std::vector<std::pair<std::string, Qty>>& lines) {
    return body<ReturnRecordView>(try_request(n, lines));
  }
  Result try_approve(uint64_t r, const Principal& by = manager()) {
    return w.apply(ApproveReturn{r, "ok"}, by);
  }
  Result try_receive(uint64_t r, const std::vector<ReceiveLine>& lines,
                     const Principal& by = warehouse()) {
    return w.apply(ReceiveReturn{r, lines}, by);
  }
  static ReceiveLine counted(std::string_view sku, Qty qty, QcResult qc = QcResult::pass) {
    return ReceiveLine{Key::of(sku), qty, qc};
  }
  void expect_refused(const Result& r, ErrorCode code, std::string_view reason = {}) {
    EXPECT_EQ(r.error.code, code) << describe(r.error);
    EXPECT_EQ(r.error.reason, reason) << describe(r.error);
  }
};

TEST_F(ReturnsTest, AReturnIsRequestedApprovedCountedThenCredited) {
  OrderNo n = shipped({{"BOLT", 5}});
  ReturnRecordView r = request(n, {{"BOLT", 2}});
  EXPECT_EQ(r.return_no, 1u);
  EXPECT_EQ(r.status, ReturnStatus::requested);
  EXPECT_EQ(r.value, 2'000);
  EXPECT_EQ(r.requested_by, Key::of("rep0"));
  EXPECT_FALSE(r.credited);
  EXPECT_EQ(w.get_customer("C1").exposure.receivables, 5'000);  // nothing credited yet

  ReturnRecordView a = body<ReturnRecordView>(try_approve(1));
  EXPECT_EQ(a.status, ReturnStatus::approved);
  EXPECT_EQ(a.approved_by, Key::of("mgr"));
  EXPECT_EQ(w.get_product("BOLT").on_hand, 995);

  ReturnRecordView got = body<ReturnRecordView>(try_receive(1, {counted("BOLT", 2)}));
  EXPECT_EQ(got.status, ReturnStatus::received);
  EXPECT_EQ(got.received_by, Key::of("wh"));
  ASSERT_TRUE(got.credited);
  EXPECT_EQ(got.credit.credit_note_no, 1u);
  EXPECT_EQ(got.credit.amount, 2'000);
  ASSERT_EQ(got.credit.applied.size(), 1u);
  EXPECT_EQ(got.credit.applied[0].amount, 2'000);
  EXPECT_EQ(w.get_customer("C1").exposure.receivables, 3'000);
  EXPECT_EQ(w.get_product("BOLT").on_hand, 997);
  EXPECT_EQ(w.get_order(n).lines[0].returned, 2);
}

TEST_F(ReturnsTest, OrderOrFinanceMayRequestAReturn) {
  OrderNo n = shipped({{"BOLT", 5}});
  EXPECT_TRUE(try_request(n, {{"BOLT", 1}}, finance(0)).ok());
  const Result r = try_request(n, {{"BOLT", 1}}, warehouse());
  expect_refused(r, ErrorCode::FORBIDDEN);
  EXPECT_NE(r.error.message.find("'order' or 'finance'"), std::string::npos) << r.error.message;
}

TEST_F(ReturnsTest, ApprovingOnesOwnReturnRequestIsForbidden) {
  OrderNo n = shipped({{"BOLT", 5}});
  ASSERT_TRUE(try_request(n, {{"BOLT", 1}}, manager(3)).ok());
  const uint64_t before = w.engine.state_hash();
  expect_refused(try_approve(1, manager(3)), ErrorCode::FORBIDDEN);
  EXPECT_EQ(w.engine.state_hash(), before);
}

TEST_F(ReturnsTest, ApprovalNeedsASalesManager) {
  OrderNo n = shipped({{"BOLT", 5}});
  request(n, {{"BOLT", 1}});
  expect_refused(try_approve(1, rep(0, "rep-b")), ErrorCode::FORBIDDEN);
  expect_refused(try_approve(1, finance(3)), ErrorCode::FORBIDDEN);
  EXPECT_TRUE(try_approve(1, manager(1)).ok());
}

TEST_F(ReturnsTest, AReturnWorthMoreThanTheThresholdNeedsLevelTwo) {
  OrderNo n = shipped({{"PUMP", 2}});
  EXPECT_EQ(request(n, {{"PUMP", 2}}).value, 12'000'000);  // > 10,000,000 (100,000.00)
  const Result r = try_approve(1, manager(1));
  expect_refused(r, ErrorCode::FORBIDDEN);
  EXPECT_NE(r.error.message.find("return_vp_minor"), std::string::npos) << r.error.message;
  EXPECT_TRUE(try_approve(1, manager(2)).ok());
  // At the threshold itself a manager is enough.
  request(n, {{"PUMP", 1}});
  EXPECT_TRUE(try_approve(2, manager(1)).ok());
}

TEST_F(ReturnsTest, ReceivingMoreThanWasApprovedIsBadRequest) {
  OrderNo n = shipped({{"BOLT", 5}});
  request(n, {{"BOLT", 2}});
  ASSERT_TRUE(try_approve(1).ok());
  const uint64_t before = w.engine.state_hash();
  Result r = try_receive(1, {counted("BOLT", 3)});
  expect_refused(r, ErrorCode::BAD_REQUEST);
  EXPECT_EQ(r.error.field, "lines[0].qty");
  r = try_receive(1, {counted("BOLT", 2), counted("BOLT", 1, QcResult::fail)});
  EXPECT_EQ(r.error.field, "lines[1].qty");
  r = try_receive(1, {counted("NUT", 1)});
  EXPECT_EQ(r.error.field, "lines[0].sku");
  EXPECT_EQ(w.engine.state_hash(), before);
}

TEST_F(ReturnsTest, OnlyUnitsThatPassQcGoBackToStockButAllReceivedAreCredited) {
  OrderNo n = shipped({{"BOLT", 5}});
  request(n, {{"BOLT", 5}});
  ASSERT_TRUE(try_approve(1).ok());
  ReturnRecordView got = body<ReturnRecordView>(
      try_receive(1, {counted("BOLT", 3), counted("BOLT", 1, QcResult::fail)}));
  ASSERT_EQ(got.lines.size(), 1u);
  EXPECT_EQ(got.lines[0].qty, 5);
  EXPECT_EQ(got.lines[0].received, 4);
  EXPECT_EQ(got.lines[0].passed, 3);
  EXPECT_EQ(got.credit.amount, 4'000);
  EXPECT_EQ(w.get_product("BOLT").on_hand, 998);
  EXPECT_EQ(w.get_order(n).lines[0].returned, 4);
}

TEST_F(ReturnsTest, EachStepOnlyFollowsTheOneBefore) {
  OrderNo n = shipped({{"BOLT", 5}});
  request(n, {{"BOLT", 2}});
  expect_refused(try_receive(1, {counted("BOLT", 1)}), ErrorCode::INVALID_STATE, "not_approved");
  ASSERT_TRUE(try_approve(1).ok());
  expect_refused(try_approve(1, manager(2)), ErrorCode::INVALID_STATE, "already_approved");
  ASSERT_TRUE(try_receive(1, {counted("BOLT", 1)}).ok());
  expect_refused(try_receive(1, {counted("BOLT", 1)}), ErrorCode::INVALID_STATE,
                 "already_received");
  expect_refused(try_approve(1), ErrorCode::INVALID_STATE, "received");
  expect_refused(try_approve(9), ErrorCode::NOT_FOUND);
}

TEST_F(ReturnsTest, ARequestIsCheckedAgainstWhatShipped) {
  OrderNo open = w.submit("C1", {{"BOLT", 5}}).order_no;
  expect_refused(try_request(open, {{"BOLT", 1}}), ErrorCode::INVALID_STATE, "nothing_shipped");
  OrderNo n = shipped({{"BOLT", 5}});
  EXPECT_EQ(try_request(n, {{"BOLT", 6}}).error.field, "lines[0].qty");
  EXPECT_EQ(try_request(n, {{"NUT", 1}}).error.field, "lines[0].sku");
  expect_refused(try_request(999'999, {{"BOLT", 1}}), ErrorCode::NOT_FOUND);
}

TEST_F(ReturnsTest, RequestLinesForOneSkuBecomeOneLine) {
  OrderNo n = shipped({{"BOLT", 5}, {"NUT", 5}});
  ReturnRecordView r = request(n, {{"BOLT", 1}, {"NUT", 2}, {"BOLT", 2}});
  ASSERT_EQ(r.lines.size(), 2u);
  EXPECT_EQ(r.lines[0].sku, Key::of("BOLT"));
  EXPECT_EQ(r.lines[0].qty, 3);
  EXPECT_EQ(r.value, 3'200);
}

TEST_F(ReturnsTest, AReceiptCannotReturnWhatAnotherReturnAlreadyTookBack) {
  OrderNo n = shipped({{"BOLT", 5}});
  request(n, {{"BOLT", 4}});
  request(n, {{"BOLT", 4}});
  ASSERT_TRUE(try_approve(1).ok());
  ASSERT_TRUE(try_approve(2).ok());
  ASSERT_TRUE(try_receive(1, {counted("BOLT", 4)}).ok());
  const Result r = try_receive(2, {counted("BOLT", 2)});
  expect_refused(r, ErrorCode::INVALID_STATE, "already_returned");
  EXPECT_EQ(r.error.field, "lines[0].qty");
  EXPECT_TRUE(try_receive(2, {counted("BOLT", 1)}).ok());
}

TEST_F(ReturnsTest, ReceivingNeedsTheWarehouse) {
  OrderNo n = shipped({{"BOLT", 5}});
  request(n, {{"BOLT", 1}});
  ASSERT_TRUE(try_approve(1).ok());
  expect_refused(try_receive(1, {counted("BOLT", 1)}, finance(3)), ErrorCode::FORBIDDEN);
  expect_refused(try_receive(1, {counted("BOLT", 1)}, manager(3)), ErrorCode::FORBIDDEN);
}

TEST_F(ReturnsTest, GetReturnShowsItsState) {
  OrderNo n = shipped({{"BOLT", 5}});
  request(n, {{"BOLT", 2}});
  ASSERT_TRUE(try_approve(1).ok());
  ASSERT_TRUE(try_receive(1, {counted("BOLT", 2, QcResult::fail)}).ok());
  ReturnRecordView r = body<ReturnRecordView>(w.query(GetReturn{1}));
  EXPECT_EQ(r.status, ReturnStatus::received);
  EXPECT_EQ(r.order_no, n);
  EXPECT_EQ(r.customer, Key::of("C1"));
  EXPECT_EQ(r.lines[0].passed, 0);
  EXPECT_EQ(r.credit.credit_note_no, 1u);
  EXPECT_EQ(r.credit.amount, 2'000);
  EXPECT_EQ(w.get_product("BOLT").on_hand, 995);  // failed QC: not back in stock
  EXPECT_EQ(w.query(GetReturn{2}).error.code, ErrorCode::NOT_FOUND);
}

TEST_F(ReturnsTest, SnapshotKeepsReturnsInEveryState) {
  OrderNo n = shipped({{"BOLT", 5}});
  request(n, {{"BOLT", 1}});
  request(n, {{"BOLT", 1}});
  ASSERT_TRUE(try_approve(2).ok());
  request(n, {{"BOLT", 1}});
  ASSERT_TRUE(try_approve(3).ok());
  ASSERT_TRUE(try_receive(3, {counted("BOLT", 1)}).ok());
  std::string image;
  w.engine.save(image);
  Engine copy;
  std::string error;
  ASSERT_TRUE(copy.load(image, &error)) << error;
  EXPECT_EQ(copy.state_hash(), w.engine.state_hash());
  std::string again;
  copy.save(again);
  EXPECT_EQ(again, image);
}

}  // namespace
}  // namespace credo::test
