// Field descriptors: for every body struct (and every nested struct in one), the list of its
// fields, each with its wire name, member pointer, value kind and range, and whether a request
// must give it. Declared once here; every consumer walks the list instead of naming fields:
//
//   net/request_parser.cc          looks a JSON key up BY NAME in FieldsOf<Body>::list, reads the
//                                  value with the reader the kind selects, checks the range and
//                                  builds the error message from the descriptor ("qty: must be an
//                                  integer from 1 to 1000000000"); required fields come from
//                                  `presence`; nested objects recurse into FieldsOf<Item>.
//   persistence/command_codec.cc   (next: issue 11 item 4) encodes/decodes in LIST ORDER, which is
//                                  the struct's declaration order and the WAL's byte order today:
//                                  one flags byte first when the struct has std::optional members
//                                  (bit i = the i-th std::optional member in list order), then
//                                  each field: Key = u8 len + bytes, text = varu len + bytes,
//                                  signed integers and dates = vari, unsigned = varu, enums and
//                                  bools = u8, lists = varu count + items, levels = 4 x vari,
//                                  absent optionals write nothing, Inline = the nested fields in
//                                  place. Should a future struct need a WAL order different from
//                                  its declaration order, give it a separate FieldsOf list for the
//                                  WAL (a `WalFieldsOf<S>` specialization) rather than reordering
//                                  this one: JSON matching is by name, so this list's order only
//                                  ever means the WAL's order.
//   tools/wal/command_json.cc      (next) prints each field by name and kind.
//
// Kinds say how a value looks on the wire and what range it has; the member's C++ type says how
// it is stored (std::optional<T>: absent is nullopt; a plain member: absent keeps its default).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "engine/command.h"
#include "engine/limits.h"

namespace credo::fields {

// ---- value kinds ------------------------------------------------------------------------------
struct KeyKind {};  // Key: 1..kMaxKeyLen printable ASCII, no spaces (a JSON string)
struct TextKind {   // std::string: at most max_len bytes (a JSON string)
  std::size_t max_len = kMaxTextLen;
};
struct IntKind {  // any integer member: a JSON integer in `range` (never a float)
  Range range;
};
struct DateKind {};  // Day: "YYYY-MM-DD", a real date
struct TimeKind {};  // TimeMs: ISO-8601 UTC "YYYY-MM-DDTHH:MM:SS[.fff]Z"
struct BoolKind {};  // bool: true or false
template <typename E>
struct EnumKind {            // E: one of its wire names (credo::parse / to_string)
  std::string_view allowed;  // for messages: "A, B, C, D"
  E max;                     // the largest valid value (WAL range check)
};
template <typename Item>
struct ListKind {  // std::vector<Item> or a small_vector of Item: a JSON array of objects, each
                  // with FieldsOf<Item>
  std::size_t min_count;
  std::size_t max_count;
};
struct LevelsKind {  // std::array<T, kLevelCount>: exactly one integer per approval level
  Range range;
};
struct InlineKind {};  // a nested struct whose fields appear at this level (SubmitOrder::order)
// ReasonSet: a JSON array of reason codes (["CREDIT_LIMIT", "PRICE_APPROVAL"]), at least one.
struct ReasonSetKind {};
// std::array<int8_t, kReasonCount> indexed by Reason: a JSON object from reason code to level
// (0..kMaxLevel), for the reasons with a configured level (has_configured_level); a reason left
// out keeps its value. The WAL writes a count and then one level per reason, so a record from
// before a reason was added still decodes (the new reason keeps its default).
struct ReasonLevelsKind {};

enum class Presence : uint8_t { required, optional };
constexpr Presence kRequired = Presence::required;
constexpr Presence kOptional = Presence::optional;

// Field versions: which WAL records carry a field. Records already on disk must decode forever,
// so a field added to a struct that is journaled (a command body, a struct nested in one, or
// Policy, which SetPolicy journals) is appended LAST in its FieldsOf list with
// `since = kFieldVersion2` (the 5th argument of field()). The codec writes each record with the
// lowest field version that holds its body (persistence/command_codec.cc; the version is in
// the top bits of the record's roles byte, docs/wal_format.md), and a record of an older
// version decodes with such fields at their default (an optional absent, a value its member's
// default). Fields of queries and server ops are never journaled: their `since` is moot.
using FieldVersion = uint8_t;
constexpr FieldVersion kFieldVersion1 = 1;  // every field credo had before field versions
constexpr FieldVersion kFieldVersion2 = 2;
constexpr FieldVersion kFieldVersion3 = 3;  // branch rules: cod, deposits, credit by grade
constexpr FieldVersion kFieldVersion4 = 4;  // retention: order_retention_days
constexpr FieldVersion kFieldVersionMax = kFieldVersion4;  // what this build writes at most

// One field of struct S.
template <typename S, typename M, typename K>
struct Field {
  using Struct = S;
  using Member = M;
  using Kind = K;
  std::string_view name;  // the JSON key, and the error field ("lines[2].qty")
  M S::*member = nullptr;
  K kind{};
  Presence presence = Presence::optional;
  FieldVersion since = kFieldVersion1;  // the first record version that carries it
  constexpr bool required() const { return presence == Presence::required; }
};
template <typename S, typename M, typename K>
constexpr Field<S, M, K> field(std::string_view name, M S::*member, K kind, Presence presence,
                               FieldVersion since = kFieldVersion1) {
  return {name, member, kind, presence, since};
}

// FieldsOf<S>::list is a std::tuple of Field<S, ...>, in S's declaration order. Specialized
// below for every body and nested struct; a struct without one does not compile where it is
// parsed or encoded.
template <typename S>
struct FieldsOf;

template <typename T>
struct is_optional : std::false_type {};
template <typename T>
struct is_optional<std::optional<T>> : std::true_type {};
template <typename T>
constexpr bool is_optional_v = is_optional<T>::value;

// Calls f(field) for every field of S, in order.
template <typename S, typename F>
constexpr void for_each_field(F&& f) {
  std::apply([&](const auto&... fs) { (f(fs), ...); }, FieldsOf<S>::list);
}
template <typename S>
constexpr std::size_t field_count() {
  return std::tuple_size_v<std::decay_t<decltype(FieldsOf<S>::list)>>;
}

// ---- shared kinds -----------------------------------------------------------------------------
constexpr IntKind kMoney{kMoneyRange};
constexpr IntKind kQty{kQtyRange};
constexpr IntKind kStock{kStockRange};
constexpr IntKind kDocumentNo{kDocumentNoRange};
constexpr IntKind kTermsDays{kTermsDaysRange};
constexpr EnumKind<Grade> kGrade{"A, B, C, D", Grade::D};
constexpr EnumKind<CustomerStatus> kStatus{"active, on_hold, blocked", CustomerStatus::blocked};
constexpr EnumKind<PaymentTerms> kPayment{"credit, prepaid, cod, deposit", PaymentTerms::deposit};
constexpr EnumKind<AgingBasis> kAgingBasis{"due_date, invoice_date", AgingBasis::invoice_date};
constexpr EnumKind<Reason> kReason{"a reason code (CREDIT_LIMIT, ...)", Reason::ORDER_CREDIT_CAP};

// ---- master data ------------------------------------------------------------------------------
template <>
struct FieldsOf<UpsertCustomer> {
  using S = UpsertCustomer;
  static constexpr auto list = std::tuple{
      field("customer", &S::customer, KeyKind{}, kRequired),
      field("name", &S::name, TextKind{}, kOptional),
      field("grade", &S::grade, kGrade, kOptional),
      field("credit_limit", &S::credit_limit, kMoney, kOptional),
      field("terms_days", &S::terms_days, kTermsDays, kOptional),
      field("status", &S::status, kStatus, kOptional),
  };
};
template <>
struct FieldsOf<SetCredit> {
  using S = SetCredit;
  static constexpr auto list = std::tuple{
      field("customer", &S::customer, KeyKind{}, kRequired),
      field("credit_limit", &S::credit_limit, kMoney, kOptional),
      field("grade", &S::grade, kGrade, kOptional),
      field("terms_days", &S::terms_days, kTermsDays, kOptional),
      field("reason", &S::reason, TextKind{}, kOptional),
  };
};
template <>
struct FieldsOf<SetCustomerStatus> {
  using S = SetCustomerStatus;
  static constexpr auto list = std::tuple{
      field("customer", &S::customer, KeyKind{}, kRequired),
      field("status", &S::status, kStatus, kRequired),
      field("reason", &S::reason, TextKind{}, kRequired),
  };
};
template <>
struct FieldsOf<UpsertProduct> {
  using S = UpsertProduct;
  static constexpr auto list = std::tuple{
      field("sku", &S::sku, KeyKind{}, kRequired),
      field("name", &S::name, TextKind{}, kOptional),
      field("price", &S::price, kMoney, kOptional),
      field("floor_price", &S::floor_price, kMoney, kOptional),
      field("on_hand", &S::on_hand, kStock, kOptional),
  };
};
template <>
struct FieldsOf<ReceiveStock> {
  using S = ReceiveStock;
  static constexpr auto list = std::tuple{
      field("sku", &S::sku, KeyKind{}, kRequired),
      field("qty", &S::qty, kQty, kRequired),
  };
};
template <>
struct FieldsOf<AdjustStock> {
  using S = AdjustStock;
  static constexpr auto list = std::tuple{
      field("sku", &S::sku, KeyKind{}, kRequired),
      field("on_hand", &S::on_hand, kStock, kRequired),
  };
};

// ---- orders -----------------------------------------------------------------------------------
template <>
struct FieldsOf<LineRequest> {
  using S = LineRequest;
  static constexpr auto list = std::tuple{
      field("sku", &S::sku, KeyKind{}, kRequired),
      field("qty", &S::qty, kQty, kRequired),
      field("unit_price", &S::unit_price, kMoney, kOptional),
  };
};
template <>
struct FieldsOf<OrderRequest> {
  using S = OrderRequest;
  static constexpr auto list = std::tuple{
      field("customer", &S::customer, KeyKind{}, kRequired),
      field("client_order_id", &S::client_order_id, KeyKind{}, kOptional),
      field("payment", &S::payment, kPayment, kOptional),
      field("ship_by", &S::ship_by, DateKind{}, kOptional),
      field("ref", &S::ref, TextKind{}, kOptional),
      field("lines", &S::lines, ListKind<LineRequest>{1, kMaxOrderLines}, kRequired),
      field("deposit_pct", &S::deposit_pct, IntKind{kDepositPctRange}, kOptional,
            kFieldVersion3),
  };
};
template <>
struct FieldsOf<SubmitOrder> {
  static constexpr auto list =
      std::tuple{field("order", &SubmitOrder::order, InlineKind{}, kRequired)};
};
// The codec lets an empty batch through: the engine refuses it with its own message.
template <>
struct FieldsOf<SubmitOrders> {
  static constexpr auto list = std::tuple{field(
      "orders", &SubmitOrders::orders, ListKind<OrderRequest>{0, kMaxBatchOrders}, kRequired)};
};
template <>
struct FieldsOf<CancelOrder> {
  using S = CancelOrder;
  static constexpr auto list = std::tuple{
      field("order_no", &S::order_no, kDocumentNo, kRequired),
      field("reason", &S::reason, TextKind{}, kOptional),
  };
};
template <>
struct FieldsOf<ReleaseOrder> {
  using S = ReleaseOrder;
  static constexpr auto list = std::tuple{
      field("order_no", &S::order_no, kDocumentNo, kRequired),
      field("note", &S::note, TextKind{}, kOptional),
  };
};
template <>
struct FieldsOf<RejectOrder> {
  using S = RejectOrder;
  static constexpr auto list = std::tuple{
      field("order_no", &S::order_no, kDocumentNo, kRequired),
      field("reason", &S::reason, TextKind{}, kRequired),
  };
};

template <>
struct FieldsOf<ApproveOrder> {
  using S = ApproveOrder;
  static constexpr auto list = std::tuple{
      field("order_no", &S::order_no, kDocumentNo, kRequired),
      field("reasons", &S::reasons, ReasonSetKind{}, kOptional),
      field("note", &S::note, TextKind{}, kOptional),
  };
};
template <>
struct FieldsOf<ReleaseShipment> {
  using S = ReleaseShipment;
  static constexpr auto list = std::tuple{
      field("order_no", &S::order_no, kDocumentNo, kRequired),
      field("note", &S::note, TextKind{}, kOptional),
  };
};

// ---- fulfilment and money ---------------------------------------------------------------------
template <>
struct FieldsOf<SkuQty> {
  using S = SkuQty;
  static constexpr auto list = std::tuple{
      field("sku", &S::sku, KeyKind{}, kRequired),
      field("qty", &S::qty, kQty, kRequired),
  };
};
template <>
struct FieldsOf<Ship> {
  using S = Ship;
  static constexpr auto list = std::tuple{
      field("order_no", &S::order_no, kDocumentNo, kRequired),
      field("lines", &S::lines, ListKind<SkuQty>{1, kMaxOrderLines}, kOptional),
  };
};
template <>
struct FieldsOf<RecordPayment> {
  using S = RecordPayment;
  static constexpr auto list = std::tuple{
      field("customer", &S::customer, KeyKind{}, kRequired),
      field("amount", &S::amount, IntKind{kPaymentRange}, kRequired),
      field("payment_ref", &S::payment_ref, KeyKind{}, kRequired),
      field("recovery_of", &S::recovery_of, kDocumentNo, kOptional, kFieldVersion2),
      field("order_no", &S::order_no, kDocumentNo, kOptional, kFieldVersion3),
  };
};
template <>
struct FieldsOf<ReturnGoods> {
  using S = ReturnGoods;
  static constexpr auto list = std::tuple{
      field("order_no", &S::order_no, kDocumentNo, kRequired),
      field("lines", &S::lines, ListKind<SkuQty>{1, kMaxOrderLines}, kRequired),
      field("restock", &S::restock, BoolKind{}, kRequired),
      field("reason", &S::reason, TextKind{}, kRequired),
  };
};
template <>
struct FieldsOf<WriteOff> {
  using S = WriteOff;
  static constexpr auto list = std::tuple{
      field("invoice_no", &S::invoice_no, kDocumentNo, kRequired),
      field("reason", &S::reason, TextKind{}, kRequired),
  };
};

template <>
struct FieldsOf<ReversePayment> {
  using S = ReversePayment;
  static constexpr auto list = std::tuple{
      field("payment_ref", &S::payment_ref, KeyKind{}, kRequired),
      field("reason", &S::reason, TextKind{}, kRequired),
      field("suspend", &S::suspend, BoolKind{}, kOptional),
  };
};
template <>
struct FieldsOf<Refund> {
  using S = Refund;
  static constexpr auto list = std::tuple{
      field("customer", &S::customer, KeyKind{}, kRequired),
      field("amount", &S::amount, IntKind{kPaymentRange}, kRequired),
      field("refund_ref", &S::refund_ref, KeyKind{}, kRequired),
      field("reason", &S::reason, TextKind{}, kRequired),
  };
};

// ---- time and admin ---------------------------------------------------------------------------
template <>
struct FieldsOf<Tick> {
  static constexpr auto list = std::tuple{};
};
// Every member is optional on the wire: what set_policy leaves out keeps its default.
template <>
struct FieldsOf<Policy> {
  using S = Policy;
  static constexpr auto list = std::tuple{
      field("approve_total_max_minor", &S::approve_total_max_minor, LevelsKind{kMoneyRange},
            kOptional),
      field("discount_max_bp", &S::discount_max_bp, LevelsKind{kBasisPointsRange}, kOptional),
      field("hold_ttl_hours", &S::hold_ttl_hours, IntKind{kHoldTtlHoursRange}, kOptional),
      field("order_ttl_days", &S::order_ttl_days, IntKind{kOrderTtlDaysRange}, kOptional),
      field("overdue_hold_days", &S::overdue_hold_days, IntKind{kOverdueHoldDaysRange}, kOptional),
      field("suspend_after_days", &S::suspend_after_days, IntKind{kSuspendAfterDaysRange},
            kOptional),
      // since WAL version 2 (branch auth)
      field("reason_levels", &S::reason_levels, ReasonLevelsKind{}, kOptional, kFieldVersion2),
      field("credit_limit_vp_pct", &S::credit_limit_vp_pct, IntKind{kCreditLimitVpPctRange},
            kOptional, kFieldVersion2),
      field("allow_combined_roles", &S::allow_combined_roles, BoolKind{}, kOptional,
            kFieldVersion2),
      field("doubtful_after_days", &S::doubtful_after_days, IntKind{kDoubtfulAfterDaysRange},
            kOptional, kFieldVersion2),
      // creditdata: since WAL version 2 (older set_policy records decode with the defaults).
      field("credit_limit_max_minor", &S::credit_limit_max_minor, LevelsKind{kMoneyRange},
            kOptional, kFieldVersion2),
      field("review_cycle_days_a", &S::review_cycle_days_a, IntKind{kReviewCycleDaysRange},
            kOptional, kFieldVersion2),
      field("review_cycle_days_b", &S::review_cycle_days_b, IntKind{kReviewCycleDaysRange},
            kOptional, kFieldVersion2),
      field("review_cycle_days_c", &S::review_cycle_days_c, IntKind{kReviewCycleDaysRange},
            kOptional, kFieldVersion2),
      field("review_cycle_days_d", &S::review_cycle_days_d, IntKind{kReviewCycleDaysRange},
            kOptional, kFieldVersion2),
      field("review_grace_days", &S::review_grace_days, IntKind{kReviewGraceDaysRange}, kOptional,
            kFieldVersion2),
      // Branch writeoff.
      field("writeoff_min_days_past_due", &S::writeoff_min_days_past_due,
            IntKind{kWriteOffMinDaysRange}, kOptional, kFieldVersion2),
      field("single_approval_write_off", &S::single_approval_write_off, BoolKind{}, kOptional,
            kFieldVersion2),
      field("return_vp_minor", &S::return_vp_minor, kMoney, kOptional, kFieldVersion2),
      // Branch rules: credit by grade and deposits (WAL field version 3).
      field("max_order_credit_minor_a", &S::max_order_credit_minor_a, kMoney, kOptional,
            kFieldVersion3),
      field("max_order_credit_minor_b", &S::max_order_credit_minor_b, kMoney, kOptional,
            kFieldVersion3),
      field("max_order_credit_minor_c", &S::max_order_credit_minor_c, kMoney, kOptional,
            kFieldVersion3),
      field("max_order_credit_minor_d", &S::max_order_credit_minor_d, kMoney, kOptional,
            kFieldVersion3),
      field("deposit_pct_a", &S::deposit_pct_a, IntKind{kDepositPctRange}, kOptional,
            kFieldVersion3),
      field("deposit_pct_b", &S::deposit_pct_b, IntKind{kDepositPctRange}, kOptional,
            kFieldVersion3),
      field("deposit_pct_c", &S::deposit_pct_c, IntKind{kDepositPctRange}, kOptional,
            kFieldVersion3),
      field("deposit_pct_d", &S::deposit_pct_d, IntKind{kDepositPctRange}, kOptional,
            kFieldVersion3),
      field("deposit_ttl_days", &S::deposit_ttl_days, IntKind{kDepositTtlDaysRange}, kOptional,
            kFieldVersion3),
      // Retention (WAL field version 4).
      field("order_retention_days", &S::order_retention_days, IntKind{kOrderRetentionDaysRange},
            kOptional, kFieldVersion4),
  };
};
template <>
struct FieldsOf<SetPolicy> {
  static constexpr auto list =
      std::tuple{field("policy", &SetPolicy::policy, InlineKind{}, kRequired)};
};

// ---- credit data ------------------------------------------------------------------------------
template <>
struct FieldsOf<ApproveCredit> {
  using S = ApproveCredit;
  static constexpr auto list = std::tuple{
      field("proposal_no", &S::proposal_no, kDocumentNo, kRequired),
      field("note", &S::note, TextKind{}, kOptional),
  };
};
template <>
struct FieldsOf<RejectCredit> {
  using S = RejectCredit;
  static constexpr auto list = std::tuple{
      field("proposal_no", &S::proposal_no, kDocumentNo, kRequired),
      field("reason", &S::reason, TextKind{}, kRequired),
  };
};
template <>
struct FieldsOf<ReviewCustomer> {
  using S = ReviewCustomer;
  static constexpr auto list = std::tuple{
      field("customer", &S::customer, KeyKind{}, kRequired),
      field("grade", &S::grade, kGrade, kOptional),
      field("credit_limit", &S::credit_limit, kMoney, kOptional),
      field("reason", &S::reason, TextKind{}, kRequired),
  };
};

// ---- write-offs and returns (branch writeoff) ---------------------------------------------------
constexpr EnumKind<WriteOffReason> kWriteOffReason{"bankrupt, deceased, uncollectible, settlement",
                                                   WriteOffReason::settlement};
constexpr EnumKind<QcResult> kQc{"pass, fail", QcResult::fail};
template <>
struct FieldsOf<ProposeWriteOff> {
  using S = ProposeWriteOff;
  static constexpr auto list = std::tuple{
      field("invoice_no", &S::invoice_no, kDocumentNo, kRequired),
      field("reason_code", &S::reason_code, kWriteOffReason, kRequired),
      field("reason", &S::reason, TextKind{}, kRequired),
  };
};
template <>
struct FieldsOf<ApproveWriteOff> {
  using S = ApproveWriteOff;
  static constexpr auto list = std::tuple{
      field("write_off_no", &S::write_off_no, kDocumentNo, kRequired),
      field("note", &S::note, TextKind{}, kOptional),
  };
};
template <>
struct FieldsOf<RequestReturn> {
  using S = RequestReturn;
  static constexpr auto list = std::tuple{
      field("order_no", &S::order_no, kDocumentNo, kRequired),
      field("lines", &S::lines, ListKind<SkuQty>{1, kMaxOrderLines}, kRequired),
      field("reason", &S::reason, TextKind{}, kRequired),
  };
};
template <>
struct FieldsOf<ApproveReturn> {
  using S = ApproveReturn;
  static constexpr auto list = std::tuple{
      field("return_no", &S::return_no, kDocumentNo, kRequired),
      field("note", &S::note, TextKind{}, kOptional),
  };
};
template <>
struct FieldsOf<ReceiveLine> {
  using S = ReceiveLine;
  static constexpr auto list = std::tuple{
      field("sku", &S::sku, KeyKind{}, kRequired),
      field("qty", &S::qty, kQty, kRequired),
      field("qc", &S::qc, kQc, kRequired),
  };
};
template <>
struct FieldsOf<ReceiveReturn> {
  using S = ReceiveReturn;
  static constexpr auto list = std::tuple{
      field("return_no", &S::return_no, kDocumentNo, kRequired),
      field("lines", &S::lines, ListKind<ReceiveLine>{1, kMaxOrderLines}, kRequired),
  };
};

// ---- queries ----------------------------------------------------------------------------------
template <>
struct FieldsOf<Quote> {
  static constexpr auto list = std::tuple{field("order", &Quote::order, InlineKind{}, kRequired)};
};
template <>
struct FieldsOf<GetCustomer> {
  static constexpr auto list =
      std::tuple{field("customer", &GetCustomer::customer, KeyKind{}, kRequired)};
};
template <>
struct FieldsOf<GetProduct> {
  static constexpr auto list = std::tuple{field("sku", &GetProduct::sku, KeyKind{}, kRequired)};
};
// Either order_no, or customer and client_order_id (checked across fields by the codec).
template <>
struct FieldsOf<GetOrder> {
  using S = GetOrder;
  static constexpr auto list = std::tuple{
      field("order_no", &S::order_no, kDocumentNo, kOptional),
      field("customer", &S::customer, KeyKind{}, kOptional),
      field("client_order_id", &S::client_order_id, KeyKind{}, kOptional),
  };
};
template <>
struct FieldsOf<ListHeld> {
  using S = ListHeld;
  static constexpr auto list = std::tuple{
      field("customer", &S::customer, KeyKind{}, kOptional),
      field("reason", &S::reason, kReason, kOptional),
      field("limit", &S::limit, IntKind{kListLimitRange}, kOptional),
  };
};
template <>
struct FieldsOf<AgingQuery> {
  using S = AgingQuery;
  static constexpr auto list = std::tuple{
      field("customer", &S::customer, KeyKind{}, kOptional),
      field("as_of", &S::as_of, DateKind{}, kOptional),
      field("basis", &S::basis, kAgingBasis, kOptional),
      field("due_within_days", &S::due_within_days, IntKind{kDueWithinDaysRange}, kOptional),
  };
};
// from <= to (checked across fields by the codec).
template <>
struct FieldsOf<StatementQuery> {
  using S = StatementQuery;
  static constexpr auto list = std::tuple{
      field("customer", &S::customer, KeyKind{}, kRequired),
      field("from", &S::from, DateKind{}, kRequired),
      field("to", &S::to, DateKind{}, kRequired),
      field("detail", &S::detail, BoolKind{}, kOptional),
  };
};
template <>
struct FieldsOf<DailyReportQuery> {
  static constexpr auto list =
      std::tuple{field("date", &DailyReportQuery::date, DateKind{}, kRequired)};
};
// The cursor's content is checked by the engine, which alone knows what it means.
template <>
struct FieldsOf<ListCustomers> {
  using S = ListCustomers;
  static constexpr auto list = std::tuple{
      field("prefix", &S::prefix, KeyKind{}, kOptional),
      field("status", &S::status, kStatus, kOptional),
      field("grade", &S::grade, kGrade, kOptional),
      field("cursor", &S::cursor, KeyKind{}, kOptional),
      field("limit", &S::limit, IntKind{kPageLimitRange}, kOptional),
  };
};
template <>
struct FieldsOf<ListProducts> {
  using S = ListProducts;
  static constexpr auto list = std::tuple{
      field("prefix", &S::prefix, KeyKind{}, kOptional),
      field("cursor", &S::cursor, KeyKind{}, kOptional),
      field("limit", &S::limit, IntKind{kPageLimitRange}, kOptional),
  };
};

// ---- orderbook ---------------------------------------------------------------------------------
template <>
struct FieldsOf<AmendOrder> {
  using S = AmendOrder;
  static constexpr auto list = std::tuple{
      field("order_no", &S::order_no, kDocumentNo, kRequired),
      field("amendment_id", &S::amendment_id, KeyKind{}, kRequired),
      field("lines", &S::lines, ListKind<LineRequest>{1, kMaxOrderLines}, kOptional),
      field("ship_by", &S::ship_by, DateKind{}, kOptional),
      field("ref", &S::ref, TextKind{}, kOptional),
  };
};
// status is checked by the engine (a list of names); from <= to too.
template <>
struct FieldsOf<ListOrders> {
  using S = ListOrders;
  static constexpr auto list = std::tuple{
      field("customer", &S::customer, KeyKind{}, kOptional),
      field("status", &S::status, TextKind{kMaxStatusFilterLen}, kOptional),
      field("submitted_by", &S::submitted_by, KeyKind{}, kOptional),
      field("from", &S::from, DateKind{}, kOptional),
      field("to", &S::to, DateKind{}, kOptional),
      field("ship_by_before", &S::ship_by_before, DateKind{}, kOptional),
      field("late", &S::late, BoolKind{}, kOptional),
      field("cursor", &S::cursor, KeyKind{}, kOptional),
      field("limit", &S::limit, IntKind{kPageLimitRange}, kOptional),
  };
};

// The cursor's content is checked by the engine, which alone knows what it means.
template <>
struct FieldsOf<OpenItemsQuery> {
  using S = OpenItemsQuery;
  static constexpr auto list = std::tuple{
      field("customer", &S::customer, KeyKind{}, kOptional),
      field("as_of", &S::as_of, DateKind{}, kOptional),
      field("cursor", &S::cursor, KeyKind{}, kOptional),
      field("limit", &S::limit, IntKind{kPageLimitRange}, kOptional),
  };
};

template <>
struct FieldsOf<GetCreditHistory> {
  using S = GetCreditHistory;
  static constexpr auto list = std::tuple{
      field("customer", &S::customer, KeyKind{}, kRequired),
      field("limit", &S::limit, IntKind{kHistoryLimitRange}, kOptional),
  };
};
template <>
struct FieldsOf<ListReviewsDue> {
  using S = ListReviewsDue;
  static constexpr auto list = std::tuple{
      field("as_of", &S::as_of, DateKind{}, kOptional),
      field("cursor", &S::cursor, KeyKind{}, kOptional),
      field("limit", &S::limit, IntKind{kPageLimitRange}, kOptional),
  };
};

// from <= to (checked by the engine, which also reads the register without the codec).
template <>
struct FieldsOf<ListWriteOffs> {
  using S = ListWriteOffs;
  static constexpr auto list = std::tuple{
      field("customer", &S::customer, KeyKind{}, kOptional),
      field("from", &S::from, DateKind{}, kOptional),
      field("to", &S::to, DateKind{}, kOptional),
      field("cursor", &S::cursor, kDocumentNo, kOptional),
      field("limit", &S::limit, IntKind{kPageLimitRange}, kOptional),
  };
};
template <>
struct FieldsOf<GetReturn> {
  static constexpr auto list =
      std::tuple{field("return_no", &GetReturn::return_no, kDocumentNo, kRequired)};
};

// ---- pricing: contract prices -------------------------------------------------------------------
template <>
struct FieldsOf<UpsertPriceAgreement> {
  using S = UpsertPriceAgreement;
  static constexpr auto list = std::tuple{
      field("agreement_ref", &S::agreement_ref, KeyKind{}, kRequired),
      field("customer", &S::customer, KeyKind{}, kRequired),
      field("sku", &S::sku, KeyKind{}, kRequired),
      field("unit_price", &S::unit_price, kMoney, kRequired),
      field("from", &S::from, DateKind{}, kRequired),
      field("to", &S::to, DateKind{}, kRequired),
  };
};
template <>
struct FieldsOf<EndPriceAgreement> {
  using S = EndPriceAgreement;
  static constexpr auto list = std::tuple{
      field("agreement_ref", &S::agreement_ref, KeyKind{}, kRequired),
      field("reason", &S::reason, TextKind{}, kOptional),
  };
};
template <>
struct FieldsOf<ListPriceAgreements> {
  using S = ListPriceAgreements;
  static constexpr auto list = std::tuple{
      field("customer", &S::customer, KeyKind{}, kOptional),
      field("sku", &S::sku, KeyKind{}, kOptional),
      field("cursor", &S::cursor, KeyKind{}, kOptional),
      field("limit", &S::limit, IntKind{kPageLimitRange}, kOptional),
  };
};

// ---- derived helpers, for every codec -----------------------------------------------------------
// A struct whose only field is InlineKind (SubmitOrder, Quote, SetPolicy) shows the nested
// struct's fields at its own level: flat(s) is the struct whose fields the JSON object holds.
template <typename S>
constexpr bool is_inline() {
  if constexpr (fields::field_count<S>() == 1)
    return std::is_same_v<
        typename std::tuple_element_t<0, std::decay_t<decltype(FieldsOf<S>::list)>>::Kind,
        fields::InlineKind>;
  else
    return false;
}
template <typename S>
auto& flat(S& s) {
  if constexpr (is_inline<S>())
    return flat(s.*(std::get<0>(FieldsOf<S>::list).member));
  else
    return s;
}
template <typename S>
using Flat = std::remove_reference_t<decltype(flat(std::declval<S&>()))>;

// Field i's name, and the mask of required fields (bit i = field i), of a flat struct.
template <typename S>
constexpr auto field_names() {
  std::array<std::string_view, fields::field_count<S>()> names{};
  std::size_t i = 0;
  fields::for_each_field<S>([&](const auto& f) { names[i++] = f.name; });
  return names;
}
template <typename S>
constexpr uint32_t required_mask() {
  uint32_t mask = 0;
  std::size_t i = 0;
  fields::for_each_field<S>([&](const auto& f) {
    mask |= f.required() ? (1u << i) : 0;
    ++i;
  });
  return mask;
}

// Resets `s` to a fresh body before its fields are read (or decoded): every member back to its
// default (the struct's own initializers: set_policy starts from the default policy), keeping
// buffers. Lists of nested structs that own buffers (submit_orders' orders) are kept: parsing
// reuses their elements and trims the list to what it read; such a list must be required, so a
// successful parse always read it.
template <typename S>
void reset_fields(S& s) {
  static const S kFresh{};
  fields::for_each_field<S>([&](const auto& f) {
    using F = std::decay_t<decltype(f)>;
    using M = typename F::Member;
    auto& m = s.*f.member;
    if constexpr (std::is_same_v<typename F::Kind, fields::InlineKind>) {
      reset_fields(m);
    } else if constexpr (requires {
                           typename M::value_type;
                           m.clear();
                         } &&
                         !std::is_same_v<M, std::string>) {
      if constexpr (std::is_trivially_destructible_v<typename M::value_type>) {
        m.clear();
      } else {
        if (!f.required()) m.clear();
      }
    } else {
      m = kFresh.*f.member;
    }
  });
}

}  // namespace credo::fields
