// The engine's private header, shared by its .cc files: error values, authority, the order
// decision, the views, the bookkeeping moves several commands make (engine/bookkeeping.cc), and
// the command handlers with the checks and lookups they share (engine/lookups.cc).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/assert.h"
#include "engine/engine.h"
#include "engine/state.h"

namespace credo::internal {

// Sets out.error and returns false, so handlers can `return fail(...)`.
bool fail(Result& out, ErrorCode code, std::string message, std::string field = {});
inline std::string line_field(std::size_t i, const char* name) {
  return "lines[" + std::to_string(i) + "]." + name;
}

// Authority (roles, levels, own orders) is decided in one place: engine/authority.h.

// Saturating add for report counters, which must never wrap but are not worth failing a
// command over.
inline Money sat_add(Money a, Money b) {
  Money r;
  if (!add_overflows(a, b, &r)) return r;
  return b > 0 ? kMoneyMax : INT64_MIN;
}

// True iff SetPolicy would accept `p`; otherwise *field and *message say what is wrong. Also
// checked on every loaded state image (check_invariants), so a policy can only come from here.
bool policy_valid(const Policy& p, std::string* field, std::string* message);

// ---- deciding an order ----------------------------------------------------------------------
struct LineCalc {
  uint32_t product = kNone;  // kNone: unknown sku
  Money unit_price = 0;
  int32_t discount_bp = 0;
  Money amount = 0;
  bool short_of_stock = false;
  Qty available = 0;  // for INSUFFICIENT_STOCK
  bool below_floor = false;
  int8_t price_level = -1;  // PRICE_APPROVAL required level, -1 if none
  PriceSource source = PriceSource::list;
};
struct Decision {
  uint32_t customer = kNone;  // kNone: unknown (or phantom) customer
  // Its id in State::customer_ids, a phantom's too; kNone: a customer never seen.
  uint32_t customer_key = kNone;
  std::vector<LineCalc> lines;
  std::vector<ReasonRec> reasons;
  Money total = 0;
  Money deposit_due = 0;  // payment deposit: the deposit asked
  OrderStatus status = OrderStatus::accepted;
};

// Validates `req` (ids, line count, quantities, prices, text, overflow) and decides it against
// the current state as of `now`, without changing anything. Returns false with out.error set on
// bad input. `field_prefix` prefixes error fields (batch items: "orders[3].").
// `replacing`: an open order that `req` is a new version of (amend_order), or kNone. Its stock
// reservation and its exposure count as released, and the value of its shipped units (which
// `req`'s lines carry, at their price) as already invoiced.
bool decide(const State& s, const OrderRequest& req, const Principal& by, TimeMs now, Decision& d,
            Result& out, std::string_view field_prefix = {}, uint32_t replacing = kNone);

// ---- views ----------------------------------------------------------------------------------
void fill_order_view(const State& s, uint32_t idx, bool with_events, OrderView& v);
// The view of a fresh decision (a quote, or an order just recorded: set order_no after).
void fill_decision_view(const State& s, const OrderRequest& req, const Decision& d,
                        const Principal& by, TimeMs at, OrderView& v);
void fill_credit(const State& s, uint32_t customer, CreditView& c);
// `today` is the date the view is as of (overdue days).
void fill_customer_view(const State& s, uint32_t customer, Day today, CustomerView& v);
void fill_product_view(const State& s, uint32_t product, ProductView& v);
AgingBuckets aging_of(const State& s, uint32_t customer, Day today);
// Exposure total in 128 bits (components are each checked int64), clamped for display.
__int128 exposure_total(const Customer& c);
Money clamp_money(__int128 v);

// ---- lists (lists.cc): list_customers, list_products ------------------------------------------
// Page cursors (one letter for the table, then the decimal index to go on from) and the page
// limit, shared by every paged list.
Key cursor_at(char table, uint64_t index);
// Where a page starts: 0 without a cursor, else the cursor's index. False with out.error set
// when the cursor is not one this table could have given out (or lies past `size`).
bool start_of(const std::optional<Key>& cursor, char table, std::size_t size, uint64_t* start,
              Result& out);
bool limit_ok(uint32_t limit, Result& out);
void list_customers(const State& s, const ListCustomers& q, Result& out);
void list_products(const State& s, const ListProducts& q, Result& out);

// ---- orderbook: the order ledger (order_ledger.cc) and amendments (amend.cc) ---------------------
// `today`: the day the ledger is read as of (late orders).
void list_orders(const State& s, const ListOrders& q, Day today, Result& out);
// Adds a just recorded order to list_orders' indexes.
void index_order(State& s, uint32_t idx);
// Rebuilds the derived indexes from the orders and amendments (after a load).
void rebuild_order_indexes(State& s);
// "" if the indexes and amendment links match the orders, else the first difference.
std::string check_order_indexes(const State& s);
// get_order's amendments of order `idx`, oldest first.
void fill_amendments(const State& s, uint32_t idx, OrderView& v);

// ---- receivables (receivables.cc, receivables_reads.cc) --------------------------------------
// Records that `amount` (> 0) of invoice `inv`'s open amount was settled today by `source`; the
// caller changes Invoice::open. Every settlement goes through here (aging as_of reads them).
void note_settlement(State& s, uint32_t inv, Money amount, SettleSource source);
// Records the invoice just pushed (index `inv`), whose shipped lines were appended to
// s.invoice_lines from row `first_line` on.
void note_invoice(State& s, uint32_t inv, uint32_t first_line);
// Aging of customer c's open invoices as of day d (d >= today; a past day: aging_as_of).
AgingBuckets aging_open(const State& s, uint32_t c, Day d, AgingBasis basis, int32_t due_within,
                        Money* due_within_sum);
void aging(const State& s, const AgingQuery& q, Day today, Result& out);
void open_items(const State& s, const OpenItemsQuery& q, Day today, Result& out);
// The lines invoice `inv` invoiced, appended to `lines` (statement detail).
void invoice_lines_of(const State& s, uint32_t inv, std::vector<StatementView::Entry::Line>& lines);
// The derived index from payment to reversal, rebuilt after an image is loaded.
void rebuild_reversal_index(State& s);

// ---- credit data (credit_data.cc): authority over limits, history, reviews -------------------
// The credit terms a history entry compares before and after.
struct CreditTerms {
  Money limit = 0;
  Grade grade = Grade::D;
  int32_t terms_days = 0;
  CustomerStatus status = CustomerStatus::active;
};
CreditTerms credit_terms(const Customer& c);
// What record_credit writes besides the customer's terms now (the entry's "after").
struct CreditRecord {
  CreditRecord(const Principal* who, const CreditTerms& was, std::string_view why)
      : by(who), before(was), reason(why) {}
  const Principal* by = nullptr;  // nullptr: the system (the overdue ladder)
  CreditTerms before;
  std::string_view reason;
  uint32_t proposed_by = kNone;      // principal id; kNone: `by` itself
  ProposalNo proposal_no = 0;        // 0: none
  std::optional<Money> limit_asked;  // a proposal's limit, instead of the limit in force
};
// Appends an entry to the customer's credit history, at s.now.
void record_credit(State& s, uint32_t c, CreditChange kind, const CreditRecord& r);
int32_t review_cycle_days(const Policy& p, Grade g);
// Sets review_due, keeping State::review_index in step (kNoDay: not in it).
void set_review_due(State& s, uint32_t c, Day due);
// The customer was graded or reviewed today: the next review is one grade cycle on.
void regrade(State& s, uint32_t c);
// The lowest level whose credit_limit_max_minor covers `limit`.
int32_t level_for_limit(const Policy& p, Money limit);
// True iff setting the limit from `current` to `limit` is a raise beyond `by`'s authority.
bool needs_proposal(const Policy& p, const Principal& by, Money current, Money limit);
// Records a pending proposal to set the customer's limit to `limit` (and its history entry).
ProposalNo propose_limit(State& s, uint32_t c, const Principal& by, Money limit,
                         std::string_view reason);
void fill_proposal_view(const State& s, ProposalNo no, CreditProposalView& v);
// The level a credit principal needs to release CREDIT_REVIEW_DUE (its required_level).
constexpr int8_t kReviewDueReleaseLevel = 1;
void get_credit_history(const State& s, const GetCreditHistory& q, Result& out);
void list_reviews_due(const State& s, const ListReviewsDue& q, Day today, Result& out);

// ---- payment terms (engine/payment_terms.cc): credit by grade, cash on delivery, deposits ----
// The largest credit part of one order for a customer of grade `g` (ORDER_CREDIT_CAP).
Money order_credit_cap(const Policy& p, Grade g);
// The policy's deposit_pct for grade `g`.
int32_t default_deposit_pct(const Policy& p, Grade g);
// ⌈total × pct / 100⌉: the deposit of an order.
Money deposit_of(Money total, int32_t pct);
// True iff the customer has a cash-on-delivery invoice open past its due date (before `today`).
bool cod_overdue(const State& s, uint32_t c, Day today);
// What an open order counts in its customer's `held` or `open_orders`: the unshipped value of
// a credit order, of a deposit order less its unused paid deposit; prepaid and cod: nothing.
inline Money credit_value(const Order& o) {
  switch (o.payment) {
    case PaymentTerms::credit:
      return o.open_value;
    case PaymentTerms::deposit:
      return o.open_value - o.prepaid_remaining;
    default:
      return 0;
  }
}
// A deposit order just recorded: its deadline, and its place in State::deposit_waiting.
void start_deposit(State& s, uint32_t idx, Money deposit_due, TimeMs now);
// Expires the open deposit orders whose deposit is unpaid at their deadline (tick). Adds the
// expired held and accepted orders to the two counts.
void expire_unpaid_deposits(State& s, TimeMs now, uint32_t* held, uint32_t* accepted);
// Rebuilds State::deposit_waiting from the orders (after loading an image).
void rebuild_deposit_index(State& s);
// record_payment with order_no: checks the order (false with out.error set, nothing changed).
bool deposit_payment_ok(const State& s, uint32_t c, const RecordPayment& cmd, Result& out);
// Sets aside up to `money` of the customer's unapplied balance for the order's deposit;
// returns how much.
Money earmark_deposit(State& s, uint32_t idx, Money money);
// ship: false with INVALID_STATE (reason DEPOSIT_UNPAID) if the order's deposit is not paid.
bool deposit_ship_ok(const State& s, const Order& o, Result& out);

// ---- state moves ----------------------------------------------------------------------------
void list_push(State& s, OpenList list, uint32_t idx);
void list_remove(State& s, uint32_t idx);
// Moves an order to `status`, keeping the daily report's by-status counts right.
void set_status(State& s, uint32_t idx, OrderStatus status);
uint32_t add_event(State& s, uint32_t order, EventKind kind, const Principal* by, TimeMs at,
                   uint64_t number, Money amount, std::string_view text);
// Applies the customer's unapplied balance to open invoices, oldest due first; appends the
// applications to `applied` if given. `source` dates each application in the invoice's history.
void apply_unapplied(State& s, uint32_t customer, std::vector<Application>* applied,
                     SettleSource source = SettleSource::unapplied);
// Re-evaluates the overdue ladder for one customer. Returns +1 suspended, -1 reactivated, 0.
int ladder_check(State& s, uint32_t customer);
void remove_open_invoice(State& s, uint32_t invoice);
uint32_t add_ledger(State& s, uint32_t customer, EntryKind kind, uint64_t number, uint32_t payment,
                    Money amount);

// ---- command handlers -----------------------------------------------------------------------

// What every handler gets: the state, who asks, the command's business time (already applied to
// s.now by Engine::apply), and where the answer goes.
struct Ctx {
  State& s;
  const Principal& by;
  TimeMs now;
  Result& out;
};

// One handler per CommandBody alternative (engine/ops.h declares the op), visited by
// Engine::apply. Each validates everything first and only then changes state; it returns false
// with out.error set, having changed nothing, on bad input.
bool handle(Ctx& x, const UpsertCustomer& cmd);     // engine/master_data.cc
bool handle(Ctx& x, const SetCredit& cmd);          // engine/master_data.cc
bool handle(Ctx& x, const SetCustomerStatus& cmd);  // engine/master_data.cc
bool handle(Ctx& x, const UpsertProduct& cmd);      // engine/master_data.cc
bool handle(Ctx& x, const ReceiveStock& cmd);       // engine/master_data.cc
bool handle(Ctx& x, const AdjustStock& cmd);        // engine/master_data.cc
bool handle(Ctx& x, const SubmitOrder& cmd);        // engine/orders.cc
bool handle(Ctx& x, const SubmitOrders& cmd);       // engine/orders.cc
bool handle(Ctx& x, const CancelOrder& cmd);        // engine/orders.cc
bool handle(Ctx& x, const ReleaseOrder& cmd);       // engine/approvals.cc
bool handle(Ctx& x, const RejectOrder& cmd);        // engine/orders.cc
bool handle(Ctx& x, const Ship& cmd);               // engine/fulfilment.cc
bool handle(Ctx& x, const ReturnGoods& cmd);        // engine/fulfilment.cc
bool handle(Ctx& x, const RecordPayment& cmd);      // engine/payments.cc
bool handle(Ctx& x, const WriteOff& cmd);           // engine/payments.cc
bool handle(Ctx& x, const Tick& cmd);               // engine/time_and_policy.cc
bool handle(Ctx& x, const SetPolicy& cmd);          // engine/time_and_policy.cc
bool handle(Ctx& x, const ApproveOrder& cmd);       // engine/approvals.cc
bool handle(Ctx& x, const ReleaseShipment& cmd);    // engine/supply_stop.cc

// ---- approvals and supply stops (engine/approvals.cc, engine/supply_stop.cc) ---------------
// approved[i] != 0: the order's i-th reason has been approved (its `approved` events).
void approved_reasons(const State& s, const Order& o, std::vector<uint8_t>& approved);
// Fills the view's approvals and open reasons (orders submit held), and whether a shipping
// release waits.
void fill_approvals(const State& s, const Order& o, OrderView& v);
// Whether a shipping release of the order waits for the next ship.
bool shipping_release_waiting(const State& s, const Order& o);
// ship's check of the customer (004 9-06 §7, 9-05 §7; 002): false with INVALID_STATE and a
// reason (CUSTOMER_BLOCKED, CUSTOMER_ON_HOLD, OVERDUE) when supply to the order's customer is
// stopped and no shipping release waits. Prepaid orders always pass.
bool supply_open(const State& s, const Order& o, Result& out);
bool handle(Ctx& x, const AmendOrder& cmd);         // engine/amend.cc
bool handle(Ctx& x, const ReversePayment& cmd);     // engine/receivables.cc
bool handle(Ctx& x, const Refund& cmd);             // engine/receivables.cc
bool handle(Ctx& x, const ApproveCredit& cmd);      // engine/credit_data.cc
bool handle(Ctx& x, const RejectCredit& cmd);       // engine/credit_data.cc
bool handle(Ctx& x, const ReviewCustomer& cmd);     // engine/credit_data.cc
bool handle(Ctx& x, const ProposeWriteOff& cmd);    // engine/write_offs.cc
bool handle(Ctx& x, const ApproveWriteOff& cmd);    // engine/write_offs.cc
bool handle(Ctx& x, const RequestReturn& cmd);      // engine/returns.cc
bool handle(Ctx& x, const ApproveReturn& cmd);      // engine/returns.cc
bool handle(Ctx& x, const ReceiveReturn& cmd);      // engine/returns.cc
bool handle(Ctx& x, const UpsertPriceAgreement& cmd);  // engine/pricing.cc
bool handle(Ctx& x, const EndPriceAgreement& cmd);     // engine/pricing.cc

// ---- pricing: contract prices (engine/pricing.cc) ---------------------------------------------
// The agreement in force for (customer, product) on `day` (not ended, from <= day <= to), or
// nullptr. At most one is: upsert refuses overlapping dates.
const PriceAgreement* agreement_in_force(const State& s, uint32_t customer, uint32_t product,
                                         Day day);
void list_price_agreements(const State& s, const ListPriceAgreements& q, Day today, Result& out);
// Rebuilds State::agreements_of from State::agreements (after a load).
void rebuild_agreement_index(State& s);
// "" if every agreement is well formed and indexed, else the first problem.
std::string check_agreements(const State& s);

// ---- write-offs and recoveries (engine/write_offs.cc, branch writeoff) -------------------------
// INVALID_STATE with a machine-readable `reason` (Error::reason) and a message for people.
bool fail_state(Result& out, const char* reason, std::string message, std::string field = {});

// ---- retention: archiving closed orders (engine/archive.cc) ----
// Archives the closed orders past the policy's order_retention_days, oldest first; returns how
// many. Called by tick.
uint32_t archive_orders(State& s, TimeMs now);
// Counts event `id` (just appended) as live; a return received no longer holds its order.
void note_live_event(State& s, uint32_t id);
void return_arrived(State& s, uint32_t order);
// Rebuilds live_events and returns_under_way from a loaded image that passed its invariants
// (the event chains are in range and acyclic).
void rebuild_archive_index(State& s);
// An order's lines, reasons or events are about to be read by a write: refuses an archived one.
bool not_archived(const State& s, uint32_t idx, Result& out);
// The customer's (or, with `invoice` != kNone, that invoice's) approved write-offs still
// unrecovered, summed: what money or credit may yet recover.
Money unrecovered(const State& s, uint32_t customer, uint32_t invoice);
// Books up to `amount` as recoveries of the customer's written-off invoices (only `invoice`'s
// when it is not kNone), oldest write-off first: each adds a `recovery` ledger entry (+) and
// is appended to `recovered`. Returns what it booked. The caller books the settling entry (the
// payment or credit note, −) after it, and has checked that the ledger cannot overflow.
Money book_recoveries(State& s, uint32_t customer, uint32_t invoice, Money amount,
                      std::vector<Application>* recovered);
// record_payment's recovery part: checks `recovery_of` (before anything changes), and books
// the payment `pay`'s recoveries (after it is recorded). Returns the amount recovered.
bool recovery_ok(const State& s, uint32_t customer, const RecordPayment& cmd, Result& out);
Money record_recoveries(State& s, uint32_t customer, uint32_t pay, const RecordPayment& cmd,
                        std::vector<Application>* recovered);
// A payment's recoveries, for answering a duplicate record_payment.
void payment_recoveries(const State& s, uint32_t pay, std::vector<Application>* recovered);
// Rebuilds State::write_offs_of_invoice / _of_customer from the register (after a load).
void rebuild_write_off_index(State& s);
void list_write_offs(const State& s, const ListWriteOffs& q, Result& out);
void get_return(const State& s, const GetReturn& q, Result& out);

// Field checks (engine/lookups.cc): true if fine, else out.error names `field` and false.
bool text_ok(const std::string& t, const char* field, Result& out);
bool key_ok(const Key& k, const char* field, Result& out);

// Lookups by key: the index of an existing customer or product, kNone if none (a phantom
// customer named only by a rejected order does not exist).
uint32_t find_customer(const State& s, const Key& k);
uint32_t find_product(const State& s, const Key& k);
// The same, failing with BAD_REQUEST on a malformed key and NOT_FOUND on an unknown one.
bool customer_or_fail(const State& s, const Key& k, uint32_t* c, Result& out);
bool product_or_fail(const State& s, const Key& k, uint32_t* p, Result& out);
bool order_or_fail(const State& s, OrderNo no, uint32_t* idx, Result& out);
// The index for a key, adding an empty (not yet existing) record for a new one.
uint32_t intern_customer(State& s, const Key& k);
uint32_t intern_product(State& s, const Key& k);

// The interned key of (customer, client_order_id), written into `buf` (4 + Key::kMaxLen bytes).
std::string_view client_order_key(uint32_t customer, const Key& client_order_id, char* buf);
// The order submitted for `customer` (existing or phantom) with `client_order_id`; kNone if none.
uint32_t find_client_order(const State& s, const Key& customer, const Key& client_order_id);
// The same, by the customer's id in State::customer_ids (a phantom's too).
uint32_t find_client_order(const State& s, uint32_t customer, const Key& client_order_id);
// Engine::prefetch's work for one order request (engine/prefetch.cc): cache hints only.
void prefetch_order(const State& s, const OrderRequest& req, Engine::PrefetchStage stage);

// Releases everything an open (held or accepted) order still holds (stock, exposure,
// prepayment) and moves it to `final_status` (engine/orders.cc).
void close_open_order(State& s, uint32_t idx, OrderStatus final_status);
// The two halves of that move, for amend_order (engine/orders.cc): give back the open order's
// stock reservation and exposure, and take them again for its (new) lines and status. Neither
// changes the status or the open lists.
void release_holdings(State& s, uint32_t idx);
void take_holdings(State& s, uint32_t idx);

}  // namespace credo::internal
