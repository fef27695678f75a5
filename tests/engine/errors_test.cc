// Requests that are not carried out: bad input (with the field to blame), unknown objects,
// missing roles and levels. A failed command changes nothing: not the state, not the order
// numbers, not the clock (docs/rules.md "Deciding an order", "Roles").
#include "tests/common/fault_matrix.h"
#include "tests/engine/world.h"

namespace credo::test {
namespace {

class ErrorsTest : public EngineTest {
 protected:
  void SetUp() override {
    w.product("BOLT").price(1000).stock(100);
    w.customer("C1").grade(Grade::A).limit(1'000'000);
    before_ = w.engine.state_hash();
  }
  // The command failed with `code` (and `field`, when given) and changed nothing.
  void expect_failure(const Result& r, ErrorCode code, std::string_view field = {}) {
    EXPECT_EQ(r.error.code, code) << describe(r.error);
    if (!field.empty()) {
      EXPECT_EQ(r.error.field, field);
    }
    EXPECT_EQ(w.engine.state_hash(), before_);
    EXPECT_EQ(w.engine.now(), kStart);
    ++refused_;
    last_ = std::string(to_string(r.error.code)) + " '" + r.error.message + "'";
  }
  // A fault-matrix row for this test's expect_failure() commands, once they all passed.
  void record(std::string_view fault) {
    if (HasFailure()) return;
    record_fault("Engine", fault,
                 std::to_string(refused_) + " command(s) refused, state hash, order numbers and "
                                            "clock unchanged (last: " + last_ + ")");
  }
  uint64_t before_ = 0;
  int refused_ = 0;
  std::string last_;
};

// ---- BAD_REQUEST ----
TEST_F(ErrorsTest, OrderWithoutLinesIsBadRequest) {
  w.advance_hours(1);
  expect_failure(w.try_submit("C1", {}), ErrorCode::BAD_REQUEST, "lines");
}

TEST_F(ErrorsTest, QuantityOutsideOneToBillionIsBadRequest) {
  expect_failure(w.try_submit("C1", {{"BOLT", 0}}), ErrorCode::BAD_REQUEST, "lines[0].qty");
  expect_failure(w.try_submit("C1", {{"BOLT", 1}, {"BOLT", kQtyMax + 1}}), ErrorCode::BAD_REQUEST,
                 "lines[1].qty");
  expect_failure(w.try_submit("C1", {{"BOLT", -1}}), ErrorCode::BAD_REQUEST, "lines[0].qty");
  record("order line quantities 0, -1 and 1,000,000,001");
}

TEST_F(ErrorsTest, NegativeUnitPriceIsBadRequest) {
  expect_failure(w.try_submit("C1", {{"BOLT", 1, -1}}), ErrorCode::BAD_REQUEST,
                 "lines[0].unit_price");
  record("a negative unit price");
}

TEST_F(ErrorsTest, MoreThanAThousandLinesIsBadRequest) {
  std::vector<Line> lines(kMaxOrderLines + 1, Line{"BOLT", 1, std::nullopt});
  expect_failure(w.try_submit("C1", lines), ErrorCode::BAD_REQUEST, "lines");
  record("an order of 1,001 lines");
}

TEST_F(ErrorsTest, TotalThatOverflowsIsBadRequestAndDecidesNothing) {
  w.product("GOLD").price(10'000'000'000).stock(kQtyMax);
  before_ = w.engine.state_hash();
  expect_failure(w.try_submit("C1", {{"GOLD", kQtyMax}}), ErrorCode::BAD_REQUEST);
  expect_failure(w.try_submit("C1", {{"BOLT", 1, INT64_MAX}, {"BOLT", 1, INT64_MAX}}),
                 ErrorCode::BAD_REQUEST);
  EXPECT_EQ(w.submit("C1", {{"BOLT", 1}}).order_no, 100001u);  // no number was used
  record("an order total that overflows int64 (checked arithmetic)");
}

TEST_F(ErrorsTest, InvalidCustomerIdIsBadRequest) {
  OrderRequest r = order_request("C1", {{"BOLT", 1}});
  r.customer = Key{};  // empty
  const auto& result = w.apply(SubmitOrder{r}, rep(0));
  // The message names the field: it once lost it, built after the field was moved away
  // (argument evaluation order; found by clang-tidy's bugprone-use-after-move).
  EXPECT_EQ(result.error.message,
            "customer must be 1 to 64 printable ASCII characters without spaces");
  expect_failure(result, ErrorCode::BAD_REQUEST, "customer");
}

TEST_F(ErrorsTest, CreditLimitAndTermsOutOfRangeAreBadRequest) {
  expect_failure(
      w.apply(SetCredit{Key::of("C1"), -1, std::nullopt, std::nullopt, ""}, credit_officer()),
      ErrorCode::BAD_REQUEST, "credit_limit");
  expect_failure(
      w.apply(SetCredit{Key::of("C1"), std::nullopt, std::nullopt, 3651, ""}, credit_officer()),
      ErrorCode::BAD_REQUEST, "terms_days");
  expect_failure(
      w.apply(SetCredit{Key::of("C1"), std::nullopt, std::nullopt, -1, ""}, credit_officer()),
      ErrorCode::BAD_REQUEST, "terms_days");
  record("a negative credit limit; payment terms -1 or 3,651 days");
}

TEST_F(ErrorsTest, NewProductWithoutPriceIsBadRequest) {
  UpsertProduct p;
  p.sku = Key::of("NEW");
  expect_failure(w.apply(p, admin()), ErrorCode::BAD_REQUEST, "price");
}

// ---- NOT_FOUND ----
TEST_F(ErrorsTest, UnknownObjectsOutsideOrderDecisionsAreNotFound) {
  expect_failure(
      w.apply(SetCredit{Key::of("NOPE"), 1, std::nullopt, std::nullopt, ""}, credit_officer()),
      ErrorCode::NOT_FOUND);
  expect_failure(w.set_status("NOPE", CustomerStatus::on_hold), ErrorCode::NOT_FOUND);
  expect_failure(w.apply(ReceiveStock{Key::of("NOPE"), 1}, warehouse()), ErrorCode::NOT_FOUND);
  expect_failure(w.apply(AdjustStock{Key::of("NOPE"), 1}, warehouse()), ErrorCode::NOT_FOUND);
  expect_failure(w.try_cancel(100'001), ErrorCode::NOT_FOUND);
  expect_failure(w.try_release(100'001), ErrorCode::NOT_FOUND);
  expect_failure(w.try_reject(100'001), ErrorCode::NOT_FOUND);
  expect_failure(w.try_ship(100'001), ErrorCode::NOT_FOUND);
  expect_failure(w.try_propose_write_off(1), ErrorCode::NOT_FOUND);
  record("every op on a customer, product, order or invoice that does not exist");
}

// ---- FORBIDDEN by role ----
TEST_F(ErrorsTest, MasterDataNeedsCreditOrAdminRole) {
  UpsertCustomer c;
  c.customer = Key::of("C2");
  expect_failure(w.apply(c, rep(3)), ErrorCode::FORBIDDEN);
  expect_failure(w.apply(c, finance(3)), ErrorCode::FORBIDDEN);
  expect_failure(w.apply(SetCustomerStatus{Key::of("C1"), CustomerStatus::blocked, ""}, rep(3)),
                 ErrorCode::FORBIDDEN);
  UpsertProduct p;
  p.sku = Key::of("NEW");
  p.price = 5;
  expect_failure(w.apply(p, credit_officer()), ErrorCode::FORBIDDEN);
  expect_failure(w.apply(p, warehouse()), ErrorCode::FORBIDDEN);
}

TEST_F(ErrorsTest, StockNeedsWarehouseRole) {
  expect_failure(w.apply(ReceiveStock{Key::of("BOLT"), 1}, rep(3)), ErrorCode::FORBIDDEN);
  expect_failure(w.apply(AdjustStock{Key::of("BOLT"), 1}, finance(3)), ErrorCode::FORBIDDEN);
}

TEST_F(ErrorsTest, OrdersNeedOrderRole) {
  expect_failure(w.apply(SubmitOrder{order_request("C1", {{"BOLT", 1}})}, credit_officer()),
                 ErrorCode::FORBIDDEN);
  expect_failure(w.apply(SubmitOrders{{order_request("C1", {{"BOLT", 1}})}}, warehouse()),
                 ErrorCode::FORBIDDEN);
}

TEST_F(ErrorsTest, AdminMayDoEverything) {
  EXPECT_TRUE(w.apply(SubmitOrder{order_request("C1", {{"BOLT", 1}})}, admin()).ok());
  EXPECT_TRUE(w.apply(ReceiveStock{Key::of("BOLT"), 1}, admin()).ok());
  EXPECT_TRUE(w.apply(SetCustomerStatus{Key::of("C1"), CustomerStatus::active, ""}, admin()).ok());
  EXPECT_TRUE(w.apply(RecordPayment{Key::of("C1"), 5, Key::of("P1")}, admin()).ok());
  EXPECT_TRUE(w.apply(Ship{100'001, {}}, admin()).ok());
  EXPECT_TRUE(w.apply(ProposeWriteOff{1, WriteOffReason::bankrupt, "x"}, admin()).ok());
}

TEST_F(ErrorsTest, EveryRoleMayRead) {
  for (Principal p : {rep(0), credit_officer(0), warehouse(), finance(0), admin()}) {
    EXPECT_TRUE(w.query(GetCustomer{Key::of("C1")}, p).ok());
    EXPECT_TRUE(w.query(GetProduct{Key::of("BOLT")}, p).ok());
    EXPECT_TRUE(w.query(ListHeld{}, p).ok());
    EXPECT_TRUE(w.query(AgingQuery{}, p).ok());
    EXPECT_TRUE(w.query(DailyReportQuery{w.today()}, p).ok());
  }
}

}  // namespace
}  // namespace credo::test
