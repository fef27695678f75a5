// The deterministic simulator: the real engine and the real Journal (manual mode, no threads)
// over SimFileSystem, driven by a seeded schedule that plays the server's part: client
// commands of every op (valid and invalid), pumps of the journal, time jumps, snapshots,
// clean restarts, process kills, power losses at chosen file-system operations (so between a
// write and its fdatasync, mid-snapshot, mid-rename, mid-segment-roll, mid-recovery), disk
// faults (short write, failed fdatasync, full disk) and their clearing followed by reopen().
//
// Checked after every step: the engine's invariants (the full check every kFullCheckEvery
// steps), durable_seq <= last_seq, and while the journal has failed: no append succeeds and no
// answer is released. After every recovery (open after a restart or crash, reopen after a
// fault): the recovered seq is at least the highest seq ever answered (on_durable), and the
// state hash equals the reference hash after exactly that many commands.
//
// docs/simulation.md: what is modelled and what is not, how to replay a seed, how to soak.
//   CREDO_DSIM_SEED=123 [CREDO_DSIM_STEPS=5000] build/bin/credo_dsim_tests   one seed
//   CREDO_DSIM_SEEDS=1000000 [CREDO_DSIM_FIRST_SEED=1]                      a range
//   CREDO_DSIM_SECONDS=3600                                                 a time budget
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <deque>
#include <optional>
#include <random>
#include <set>
#include <sstream>

#include "engine/engine.h"
#include "persistence/command_codec.h"
#include "persistence/journal.h"
#include "persistence/snapshot.h"
#include "persistence/wal_format.h"
#include "persistence/wal_reader.h"
#include "tests/common/fault_matrix.h"
#include "tests/dsim/sim_file_system.h"

namespace credo::dsim {
namespace {

constexpr uint64_t kDefaultSeeds = 48;
constexpr uint64_t kDefaultSteps = 2500;
constexpr uint64_t kFullCheckEvery = 64;
constexpr std::size_t kTraceLines = 20;
constexpr TimeMs kStartMs = 1'790'000'000'000;  // 2026-09-21
const char* const kDir = "/sim/data";

uint64_t env_u64(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::strtoull(v, nullptr, 10) : fallback;
}

// ---- counters over a whole run, for the fault matrix ------------------------------------------
struct Counters {
  uint64_t commands_ok = 0;
  uint64_t commands_rejected = 0;  // the engine said no (invalid input, business rules)
  uint64_t refused_while_failed = 0;
  uint64_t recoveries = 0;
  uint64_t answered_checked = 0;    // answered commands found again after a recovery
  uint64_t rolled_back = 0;         // applied but unanswered commands dropped by a recovery
  uint64_t crash_wal_unsynced = 0;  // power loss between a WAL write and its fdatasync
  uint64_t crash_wal_write = 0;     // power loss in the middle of a WAL write
  uint64_t crash_torn_tail = 0;     // ... after which a WAL tail survived torn
  uint64_t crash_dropped_tail = 0;  // ... or was lost
  uint64_t crash_zeroed_tail = 0;   // ... or came back as zeros
  uint64_t crash_snapshot = 0;      // mid-snapshot (.tmp write or sync)
  uint64_t crash_rename = 0;        // mid-rename of a snapshot
  uint64_t crash_segment = 0;       // while starting a new segment (roll or open)
  uint64_t crash_dir_sync = 0;      // at a directory fsync (undone creates, renames, removes)
  uint64_t crash_recovery = 0;      // in the middle of recovery itself
  uint64_t crash_idle = 0;          // power loss between operations
  uint64_t kills = 0;               // process killed: written data kept, pending lost
  uint64_t restarts = 0;            // clean close and open
  uint64_t snapshots_ok = 0;
  uint64_t fault_short_write = 0, reopen_short_write = 0;
  uint64_t fault_fsync = 0, reopen_fsync = 0;
  uint64_t fault_full = 0, reopen_full = 0;
  uint64_t reopen_refused = 0;  // reopen while the fault was still on, refused
};

// ---- one seeded run ---------------------------------------------------------------------------
class Sim {
 public:
  Sim(uint64_t seed, uint64_t steps, Counters* counters)
      : seed_(seed),
        steps_(steps),
        rng_(seed),
        fs_(seed * 0x9e3779b97f4a7c15ull + 1),
        c_(*counters) {
    options_.dir = kDir;
    options_.fs = &fs_;
    options_.threads = false;
    options_.durability = Durability::fsync;
    options_.buffer_bytes = 4096;  // small: appends sometimes write inline
    options_.segment_bytes = 1024 + random(8192);
    options_.snapshot_every_commands = random(3) == 0 ? 30 + random(200) : 0;
    options_.snapshots_to_keep = 1 + static_cast<uint32_t>(random(3));
    options_.on_durable = [this](uint64_t seq) { on_durable(seq); };
  }

  // Returns "" when every check held, else what failed (with the seed, the replay command and
  // the trace).
  std::string run() {
    hash_at_.push_back(engine_.state_hash());
    if (!open_journal("start")) return report();
    for (step_ = 1; step_ <= steps_ && failure_.empty(); ++step_) {
      one_step();
      if (failure_.empty()) check_after_step();
    }
    if (failure_.empty() && journal_ != nullptr) {
      // Finish cleanly: a last restart proves the end state is recoverable too.
      restart("final restart");
    }
    return report();
  }

 private:
  uint64_t random(uint64_t n) { return n == 0 ? 0 : rng_() % n; }
  bool percent(uint64_t p) { return random(100) < p; }

  void fail(const std::string& what) {
    if (failure_.empty()) failure_ = what;
  }
  void trace(const std::string& line) {
    trace_.push_back("step " + std::to_string(step_) + ": " + line);
    if (trace_.size() > kTraceLines) trace_.pop_front();
  }
  std::string report() const {
    if (failure_.empty()) return "";
    std::ostringstream o;
    o << "dsim seed " << seed_ << " failed at step " << step_ << ": " << failure_ << "\n"
      << "replay: CREDO_DSIM_SEED=" << seed_ << " CREDO_DSIM_STEPS=" << steps_
      << " build/bin/credo_dsim_tests\n"
      << "last actions:\n";
    for (const std::string& t : trace_) o << "  " << t << "\n";
    return o.str();
  }

  // ---- the journal's life cycle ---------------------------------------------------------------
  void on_durable(uint64_t seq) {
    if (journal_ == nullptr) return;  // a close inside the destructor of a dying journal
    if (seq > journal_->last_seq()) fail("on_durable(" + std::to_string(seq) + ") > last_seq");
    if (seq < answered_) {
      // Answers are monotone within a journal's life; after a recovery answered_ <= its seq.
      fail("on_durable went backwards: " + std::to_string(seq) + " < " + std::to_string(answered_));
    }
    answered_ = std::max(answered_, seq);
  }

  // Checks a recovered state against the reference: nothing answered is lost, nothing
  // unanswered is half-applied.
  void check_recovered(uint64_t seq, const std::string& how) {
    ++c_.recoveries;
    if (seq < answered_) {
      fail(how + ": recovered seq " + std::to_string(seq) + " but seq " +
           std::to_string(answered_) + " was answered (lost an answered command)");
      return;
    }
    if (seq >= hash_at_.size()) {
      fail(how + ": recovered seq " + std::to_string(seq) + " but only " +
           std::to_string(hash_at_.size() - 1) + " commands were ever journaled");
      return;
    }
    if (engine_.state_hash() != hash_at_[seq]) {
      fail(how + ": state hash after recovery to seq " + std::to_string(seq) +
           " differs from the reference after exactly that many commands" + diff_wal());
      return;
    }
    const std::string inv = engine_.check_invariants(/*full=*/true);
    if (!inv.empty()) fail(how + ": invariants after recovery: " + inv);
    check_lists(how);
    check_open_items(how);
    c_.answered_checked += answered_;
    c_.rolled_back += hash_at_.size() - 1 - seq;
    hash_at_.resize(seq + 1);
    engine_ahead_ = false;
    shadow_reset();
    if (journal_ != nullptr && journal_->last_seq() != seq)
      fail(how + ": journal last_seq " + std::to_string(journal_->last_seq()) + " != recovered " +
           std::to_string(seq));
  }

  // Discovery after a recovery: paging list_customers and list_products from the start (a
  // page size that varies with the step, taken without touching rng_ so that every seed keeps its
  // schedule; a query as the recovered server would answer it) lists every customer and
  // product the recovered engine has, each exactly once.
  void check_lists(const std::string& how) {
    const EngineCounts counts = engine_.counts();
    const uint32_t limit = 1 + static_cast<uint32_t>((step_ * 7919) % kMaxPageLimit);  // not rng_
    uint64_t customers = 0, products = 0;
    std::set<std::string> seen;
    for (int table = 0; table < 2; ++table) {
      std::optional<Key> cursor;
      for (int pages = 0; pages <= 100'000; ++pages) {
        Query q;
        q.at = engine_.now();
        if (table == 0)
          q.body = ListCustomers{std::nullopt, std::nullopt, std::nullopt, cursor, limit};
        else
          q.body = ListProducts{std::nullopt, cursor, limit};
        engine_.query(q, result_);
        if (!result_.ok()) return fail(how + ": list after recovery: " + result_.error.message);
        Key next;
        if (const auto* l = std::get_if<CustomerList>(&result_.body)) {
          for (const CustomerRow& r : l->customers)
            if (!seen.insert("c/" + std::string(r.customer.view())).second)
              return fail(how + ": customer listed twice after recovery");
          customers += l->customers.size();
          next = l->next_cursor;
        } else {
          const auto& pl = std::get<ProductList>(result_.body);
          for (const ProductView& r : pl.products)
            if (!seen.insert("p/" + std::string(r.sku.view())).second)
              return fail(how + ": product listed twice after recovery");
          products += pl.products.size();
          next = pl.next_cursor;
        }
        if (next.empty()) break;
        cursor = next;
      }
    }
    // Every customer is in the review index once: all are due by the end of time.
    uint64_t reviews = 0;
    std::optional<Key> cursor;
    for (int pages = 0; pages <= 100'000; ++pages) {
      Query q;
      q.at = engine_.now();
      q.body = ListReviewsDue{*parse_date("9999-12-31"), cursor, limit};
      engine_.query(q, result_);
      if (!result_.ok()) return fail(how + ": list_reviews_due after recovery failed");
      const auto& l = std::get<ReviewDueList>(result_.body);
      reviews += l.customers.size();
      if (l.next_cursor.empty()) break;
      cursor = l.next_cursor;
    }
    if (reviews != counts.customers)
      return fail(how + ": list_reviews_due after recovery shows " + std::to_string(reviews) +
                  " customers, the engine has " + std::to_string(counts.customers));
    if (customers != counts.customers || products != counts.products)
      return fail(how + ": lists after recovery show " + std::to_string(customers) +
                  " customers and " + std::to_string(products) + " products, the engine has " +
                  std::to_string(counts.customers) + " and " + std::to_string(counts.products));
    // The order ledger: every order the recovered engine has, once, in order_no order.
    cursor.reset();
    OrderNo last = 0;
    uint64_t orders = 0;
    for (int pages = 0; pages <= 100'000; ++pages) {
      Query q;
      q.at = engine_.now();
      ListOrders lo;
      lo.cursor = cursor;
      lo.limit = limit;
      q.body = lo;
      engine_.query(q, result_);
      if (!result_.ok()) return fail(how + ": list_orders after recovery: " + result_.error.message);
      const auto& l = std::get<OrderList>(result_.body);
      for (const OrderRow& r : l.orders) {
        if (r.order_no <= last) return fail(how + ": list_orders out of order after recovery");
        last = r.order_no;
      }
      orders += l.orders.size();
      if (l.next_cursor.empty()) break;
      cursor = l.next_cursor;
    }
    if (orders != counts.orders)
      fail(how + ": list_orders after recovery shows " + std::to_string(orders) +
           " orders, the engine has " + std::to_string(counts.orders));
  }

  // Receivables after a recovery: the open items, paged from the start, add up to the aging's
  // total of every customer's open receivables.
  void check_open_items(const std::string& how) {
    Query q;
    q.at = engine_.now();
    q.body = AgingQuery{};
    engine_.query(q, result_);
    if (!result_.ok()) return fail(how + ": aging after recovery: " + result_.error.message);
    const Money total = std::get<AgingView>(result_.body).buckets.total;
    Money open = 0;
    OpenItemsQuery oq;
    oq.limit = 1 + static_cast<uint32_t>((step_ * 7919) % kMaxPageLimit);  // not rng_
    for (int pages = 0; pages <= 100'000; ++pages) {
      q.body = oq;
      engine_.query(q, result_);
      if (!result_.ok()) return fail(how + ": open_items after recovery: " + result_.error.message);
      const auto& page = std::get<OpenItemsView>(result_.body);
      for (const OpenItemRow& r : page.items) open += r.open;
      if (page.next_cursor.empty()) break;
      oq.cursor = page.next_cursor;
    }
    if (open != total)
      fail(how + ": open items after recovery sum to " + std::to_string(open) +
           ", the aging to " + std::to_string(total));
  }

  // Opens a new journal (a process start), recovering the engine from the "disk". A crash
  // point may be armed to hit during recovery; then the machine loses power again and starts
  // once more (bounded).
  bool open_journal(const std::string& how) {
    for (int attempt = 0; attempt < 4; ++attempt) {
      const bool crash_in_recovery = attempt < 2 && percent(10);
      if (crash_in_recovery) fs_.crash_after_ops(1 + random(12));
      fault_ = Fault::none;  // every path here has revived or crashed the file system
      journal_ = std::make_unique<Journal>();
      engine_ = Engine();
      RecoveryReport rep;
      std::string err;
      if (journal_->open(options_, engine_, &rep, &err)) {
        fs_.crash_after_ops(0);
        if (fs_.down()) {
          // Recovery finished; the crash point hit after... not possible: open returned true
          // only if every operation did. Treat like a crash right after start.
          fail(how + ": open succeeded on a machine that is down");
          return false;
        }
        trace_recovery(rep);
        check_recovered(rep.last_seq, how);
        return failure_.empty();
      }
      journal_.reset();
      if (!fs_.down()) {
        fail(how + ": recovery refused: " + err);
        return false;
      }
      ++c_.crash_recovery;
      trace("power loss during recovery at '" + fs_.crash_op() + "'");
      power_loss_now();
    }
    fail(how + ": could not open after repeated crashes");
    return false;
  }

  void trace_recovery(const RecoveryReport& rep) {
    std::string line = "recovered seq " + std::to_string(rep.last_seq) + " (snapshot " +
                       std::to_string(rep.snapshot_seq) + ", replayed " +
                       std::to_string(rep.records_replayed) + ")";
    for (const std::string& m : rep.messages) line += "; " + m;
    trace(line);
  }

  // Tail fates of one crash(), counted by kind.
  void power_loss_now() {
    const SimFileSystem::Stats before = fs_.stats();
    fs_.crash();
    const SimFileSystem::Stats& after = fs_.stats();
    if (after.torn_tails > before.torn_tails) ++c_.crash_torn_tail;
    if (after.dropped_tails > before.dropped_tails) ++c_.crash_dropped_tail;
    if (after.zeroed_tails > before.zeroed_tails) ++c_.crash_zeroed_tail;
  }

  // The machine stopped (a crash point hit, or now): kill the process, lose power, start.
  void crash_and_restart(const std::string& why) {
    const std::string op = fs_.crash_op();
    classify_crash(op);
    trace("power loss: " + why + (op.empty() ? "" : " at '" + op + "'"));
    fs_.go_down();
    journal_.reset();  // its close() fails on the dead machine: nothing more reaches the disk
    power_loss_now();
    open_journal("recovery after power loss (" + why + ")");
  }

  void classify_crash(const std::string& op) {
    auto has = [&](std::string_view s) { return op.find(s) != std::string::npos; };
    if (op.empty())
      ++c_.crash_idle;
    else if (has("fdatasync") && has("/wal-"))
      ++c_.crash_wal_unsynced;
    else if (has("append") && has("/wal-") && !has(" 16 bytes"))
      ++c_.crash_wal_write;
    else if (has("rename"))
      ++c_.crash_rename;
    else if (has("/snap-"))
      ++c_.crash_snapshot;
    else if (has("/wal-"))
      ++c_.crash_segment;  // open, header write of a new segment
    else if (has("fsync dir"))
      ++c_.crash_dir_sync;
    else
      ++c_.crash_idle;  // list, stat or read: nothing half done
  }

  void restart(const std::string& why) {
    std::string err;
    const bool was_failed = journal_->failed();
    const bool ok = journal_->close(&err);
    if (!was_failed && !ok && !fs_.down() && fault_ == Fault::none) {
      fail(why + ": close failed on a healthy journal: " + err);
      return;
    }
    if (fs_.down()) {
      crash_and_restart(why + " (crash point hit in close)");
      return;
    }
    trace(why + (ok ? "" : " (close failed: journal had failed)"));
    journal_.reset();
    ++c_.restarts;
    // A process stopping does not lose what it wrote; with a fault still on, the new process
    // sees the same disk (and the fault is what the operator fixes before restarting).
    fs_.revive();
    open_journal(why);
  }

  void kill_process() {
    trace("process killed");
    ++c_.kills;
    fs_.go_down();
    journal_.reset();
    fs_.revive();
    open_journal("recovery after a process kill");
  }

  // ---- client commands ---------------------------------------------------------------------
  Principal principal() {
    Principal p;
    const uint64_t r = random(100);
    if (r < 85) {
      // Two people with every role, so that approvals by a second person (orders, write-offs,
      // returns: four eyes) happen.
      p.name = Key::of(r < 75 ? "ops" : "ops2");
      p.roles = kRoleOrder | kRoleCredit | kRoleWarehouse | kRoleFinance | kRoleAdmin;
      p.level = 3;
    } else if (r < 90) {
      p.name = Key::of("clerk");
      p.roles = kRoleOrder;
      p.level = 0;
    } else if (r < 95) {  // raises above 100,000.00 are proposals the admin may approve
      p.name = Key::of("credit1");
      p.roles = kRoleCredit;
      p.level = 1;
    } else {
      p.name = Key::of("guest");
    }
    return p;
  }
  Key customer() { return percent(3) ? Key() : Key::of("C" + std::to_string(random(8))); }
  Key sku() { return percent(3) ? Key() : Key::of("S" + std::to_string(random(6))); }
  Money money(Money max) { return percent(4) ? -1 - static_cast<Money>(random(100)) : random(max); }
  Qty qty() { return percent(5) ? -static_cast<Qty>(random(3)) : 1 + static_cast<Qty>(random(12)); }
  std::string text() {
    if (percent(2)) return std::string(kMaxTextLen + 1, 'x');
    return percent(50) ? "" : "r" + std::to_string(random(100));
  }
  OrderNo order_no() { return 100000 + random(orders_ + 3); }
  std::vector<SkuQty> sku_lines() {
    std::vector<SkuQty> v;
    for (uint64_t i = random(3); i > 0; --i) v.push_back({sku(), qty()});
    return v;
  }
  OrderRequest order() {
    OrderRequest o;
    o.customer = customer();
    if (percent(60)) o.client_order_id = Key::of("PO-" + std::to_string(random(30)));
    const uint64_t pay = random(100);
    o.payment = pay < 76   ? PaymentTerms::credit
                : pay < 86 ? PaymentTerms::prepaid
                : pay < 93 ? PaymentTerms::cod
                           : PaymentTerms::deposit;
    // deposit_pct: mostly in 1..100, sometimes out of range or on another payment (refused).
    if (o.payment == PaymentTerms::deposit ? percent(60) : percent(1))
      o.deposit_pct = static_cast<int32_t>(random(103));
    if (percent(20)) o.ship_by = static_cast<Day>(now_ms_ / 86'400'000 + random(40)) - 5;
    o.ref = text();
    for (uint64_t n = percent(3) ? 0 : 1 + random(3); n > 0; --n) {
      LineRequest l;
      l.sku = sku();
      l.qty = qty();
      if (percent(30)) l.unit_price = money(3000);
      o.lines.push_back(l);
    }
    return o;
  }

  CommandBody random_body() {
    switch (random(32)) {
      case 0: {
        UpsertCustomer u;
        u.customer = customer();
        if (percent(70)) u.name = "cust";
        if (percent(50)) u.grade = static_cast<Grade>(random(4));
        if (percent(70)) u.credit_limit = money(2'000'000);
        if (percent(40)) u.terms_days = static_cast<int32_t>(random(90)) - (percent(5) ? 100 : 0);
        if (percent(20)) u.status = static_cast<CustomerStatus>(random(3));
        return u;
      }
      case 1: {
        SetCredit s;
        s.customer = customer();
        if (percent(60)) s.credit_limit = money(2'000'000);
        if (percent(40)) s.grade = static_cast<Grade>(random(4));
        if (percent(30)) s.terms_days = static_cast<int32_t>(random(90));
        s.reason = text();
        return s;
      }
      case 2:
        return SetCustomerStatus{customer(), static_cast<CustomerStatus>(random(3)), text()};
      case 3: {
        UpsertProduct p;
        p.sku = sku();
        if (percent(60)) p.name = "prod";
        if (percent(80)) p.price = money(5000);
        if (percent(40)) p.floor_price = money(1000);
        if (percent(50)) p.on_hand = static_cast<Qty>(random(500)) - (percent(5) ? 600 : 0);
        return p;
      }
      case 4:
        return ReceiveStock{sku(), qty() * 10};
      case 5:
        return AdjustStock{sku(), static_cast<Qty>(random(300)) - (percent(5) ? 400 : 0)};
      case 6:
      case 7:
        ++orders_;
        return SubmitOrder{order()};
      case 8: {
        SubmitOrders b;
        for (uint64_t n = 1 + random(4); n > 0; --n) {
          ++orders_;
          b.orders.push_back(order());
        }
        return b;
      }
      case 9:
        return CancelOrder{order_no(), text()};
      case 10:
        return ReleaseOrder{order_no(), text()};
      case 11:
        return RejectOrder{order_no(), text()};
      case 12:
        ++ships_;
        return Ship{order_no(), percent(50) ? std::vector<SkuQty>{} : sku_lines()};
      case 13: {
        RecordPayment p{customer(), money(200'000),
                        percent(3) ? Key() : Key::of("PAY-" + std::to_string(random(400)))};
        if (percent(15)) p.order_no = order_no();  // a deposit (refused unless one is open)
        return p;
      }
      case 14:
        return ReturnGoods{order_no(), sku_lines(), percent(50), text()};
      case 15:
        return WriteOff{random(ships_ + 3), text()};
      case 16: {
        AmendOrder a;
        a.order_no = order_no();
        a.amendment_id = Key::of("AM-" + std::to_string(random(40)));
        if (percent(80)) a.lines = order().lines;
        if (percent(20)) a.ship_by = static_cast<Day>(now_ms_ / 86'400'000 + random(40)) - 5;
        if (percent(20)) a.ref = text();
        return a;
      }
      case 17:
        return ReversePayment{Key::of("PAY-" + std::to_string(random(400))), text(), percent(30)};
      case 18:
        return Refund{customer(), money(50'000),
                      Key::of("RF-" + std::to_string(random(100))), text()};
      case 19:
        return ApproveCredit{random(8), text()};
      case 20:
        return RejectCredit{random(8), text()};
      case 21: {
        ReviewCustomer r{customer(), std::nullopt, std::nullopt, text()};
        if (percent(40)) r.grade = static_cast<Grade>(random(4));
        if (percent(40)) r.credit_limit = money(30'000'000);
        return r;
      }
      case 22: {
        ApproveOrder a{order_no(), std::nullopt, text()};
        if (percent(30)) a.reasons = reason_bit(static_cast<Reason>(random(kReasonCount)));
        return a;
      }
      case 23:
        return ReleaseShipment{order_no(), text()};
      // Write-offs and returns (branch writeoff), valid and not.
      case 24:
        ++write_offs_;
        return ProposeWriteOff{random(ships_ + 3), static_cast<WriteOffReason>(random(4)), text()};
      case 25:
        return ApproveWriteOff{random(write_offs_ + 2), text()};
      case 26:
        ++returns_;
        return RequestReturn{order_no(), sku_lines(), text()};
      case 27:
        return ApproveReturn{random(returns_ + 2), text()};
      case 28: {
        ReceiveReturn r;
        r.return_no = random(returns_ + 2);
        for (const SkuQty& l : sku_lines())
          r.lines.push_back({l.sku, l.qty, percent(70) ? QcResult::pass : QcResult::fail});
        return r;
      }
      // Contract prices (branch pricing), valid and not: refs reused, dates around today.
      case 29: {
        const Day today = static_cast<Day>(now_ms_ / 86'400'000);
        const Day from = today + static_cast<Day>(random(10)) - 5;
        return UpsertPriceAgreement{Key::of("AG-" + std::to_string(random(12))), customer(), sku(),
                                    money(3000), from, from + static_cast<Day>(random(40)) - 2};
      }
      case 30:
        return EndPriceAgreement{Key::of("AG-" + std::to_string(random(12))), text()};
      default: {
        SetPolicy p;
        if (percent(70)) {
          p.policy.hold_ttl_hours = 1 + static_cast<int32_t>(random(200));
          p.policy.order_ttl_days = 1 + static_cast<int32_t>(random(60));
          p.policy.overdue_hold_days = static_cast<int32_t>(random(30));
          p.policy.suspend_after_days = 30 + static_cast<int32_t>(random(60));
          p.policy.review_grace_days = static_cast<int32_t>(random(40));
          p.policy.writeoff_min_days_past_due = static_cast<int32_t>(random(400));
          p.policy.single_approval_write_off = percent(30);
          p.policy.return_vp_minor = money(20'000);
          p.policy.max_order_credit_minor_a = percent(50) ? kMoneyMax : money(500'000);
          p.policy.max_order_credit_minor_c = money(100'000);
          p.policy.max_order_credit_minor_d = money(10'000);
          p.policy.deposit_pct_b = 1 + static_cast<int32_t>(random(100));
          p.policy.deposit_ttl_days = 1 + static_cast<int32_t>(random(14));
          p.policy.order_retention_days = percent(50) ? 0 : 1 + static_cast<int32_t>(random(30));
        } else {
          p.policy.hold_ttl_hours = -static_cast<int32_t>(random(3));
        }
        return p;
      }
    }
  }

  // The server's part for one request: refuse while the journal has failed; else number it,
  // apply, and journal it if it applied.
  void client_command(CommandBody body, const char* what) {
    now_ms_ += static_cast<TimeMs>(random(60'000));
    Command cmd;
    cmd.at = now_ms_;
    cmd.by = principal();
    cmd.body = std::move(body);
    cmd.seq = journal_->last_seq() + 1;
    if (journal_->failed() || engine_ahead_) {
      ++c_.refused_while_failed;
      // The journal must refuse too: a record here would be one the engine never applied.
      if (journal_->failed() && journal_->append(cmd))
        fail("append succeeded while the journal had failed");
      trace(std::string(what) + " refused: journal failed");
      return;
    }
    const uint64_t before = percent(20) ? engine_.state_hash() : 0;
    engine_.apply(cmd, result_);
    const std::string name = kind_name(static_cast<uint8_t>(kind_of(cmd.body)));
    if (!result_.ok()) {
      ++c_.commands_rejected;
      if (before != 0 && engine_.state_hash() != before)
        fail(name + " failed (" + to_string(result_.error.code) + ") but changed the state");
      trace(name + " -> " + to_string(result_.error.code));
      return;
    }
    ++c_.commands_ok;
    if (!journal_->append(cmd)) {
      // The append itself hit the disk (a full buffer is written inline) and failed: the
      // engine holds a command the journal does not. The server stops here; recovery decides.
      engine_ahead_ = true;
      trace(name + " seq " + std::to_string(cmd.seq) + " applied, append failed");
      return;
    }
    hash_at_.push_back(engine_.state_hash());
    {
      std::string body, err;
      encode_command(cmd, body, &err);
      record_at_.resize(cmd.seq);
      record_at_.push_back(body);
    }
    trace(name + " seq " + std::to_string(cmd.seq));
    check_agreement_prices(cmd);
    if (shadow_) shadow_check(cmd);
  }

  // Invariant: a line an order priced by an agreement is at the price of an agreement of that
  // customer and sku in force (active) now.
  void check_agreement_prices(const Command& cmd) {
    const auto* submit = std::get_if<SubmitOrder>(&cmd.body);
    const auto* order = std::get_if<OrderView>(&result_.body);
    if (submit == nullptr || order == nullptr || order->duplicate) return;
    for (const LineView& line : order->lines) {
      if (line.price_source != PriceSource::agreement) continue;
      Query q;
      q.at = engine_.now();
      ListPriceAgreements list;
      list.customer = order->customer;
      list.sku = line.sku;
      q.body = list;
      Result r;
      engine_.query(q, r);
      bool found = false;
      if (const auto* page = std::get_if<PriceAgreementList>(&r.body))
        for (const PriceAgreementView& a : page->agreements)
          found |= std::string_view(a.status) == "active" && a.unit_price == line.unit_price;
      if (!found)
        fail("order " + std::to_string(order->order_no) + " line " +
             std::string(line.sku.view()) + " says agreement but no active agreement has its price");
    }
  }

  // For a failure message: the first WAL record that is not what was journaled at its seq.
  std::string diff_wal() {
    wal::Reader reader(&fs_, kDir);
    if (!reader.open().ok()) return "";
    std::string out = "; segments:";
    for (const auto& seg : reader.segments()) out += " " + seg.name;
    wal::Record rec;
    while (reader.next(&rec)) {
      if (rec.seq >= record_at_.size() || record_at_[rec.seq] != rec.body)
        return out + "; WAL record seq " + std::to_string(rec.seq) + " in " +
               reader.segments()[rec.segment].name + " differs from the command journaled then";
    }
    out += "; every WAL record is what was journaled";
    // Replays the newest snapshot and the records after it, naming the first seq whose state
    // differs from the live engine's at that seq (a replay that is not deterministic).
    std::vector<uint64_t> snaps;
    snapshot::Header h;
    std::string body, err;
    Engine y;
    if (!snapshot::list(&fs_, kDir, &snaps).ok()) return out;
    if (!snaps.empty() &&
        (!snapshot::read(&fs_, join_path(kDir, wal::snapshot_name(snaps[0])), &h, &body).ok() ||
         !y.load(body, &err)))
      return out;
    if (h.seq < hash_at_.size() && y.state_hash() != hash_at_[h.seq])
      return out + "; snapshot " + std::to_string(h.seq) + " differs from the live state";
    wal::Reader again(&fs_, kDir);
    if (!again.open().ok()) return out;
    Command c;
    Result res;
    while (again.next(&rec)) {
      if (rec.seq <= h.seq) continue;
      Command fresh;
      if (!decode_command(rec.body, &fresh, &err)) return out;
      y.apply(fresh, res);
      if (rec.seq < hash_at_.size() && y.state_hash() != hash_at_[rec.seq])
        return out + "; replay (fresh decode) first differs at seq " + std::to_string(rec.seq);
    }
    return out;
  }

  // Debugging aid (CREDO_DSIM_SHADOW=1): a second engine fed what the WAL holds (the command
  // encoded and decoded again), starting from a save()/load() copy of every recovered state;
  // names the first command whose replay differs from the live apply.
  void shadow_check(const Command& cmd) {
    std::string body, err;
    Command decoded;
    if (!encode_command(cmd, body, &err) || !decode_command(body, &decoded, &err)) {
      fail("codec round trip: " + err);
      return;
    }
    Result r;
    shadow_engine_.apply(decoded, r);
    if (!r.ok())
      fail("shadow apply failed: " + std::string(to_string(r.error.code)) + " " + r.error.message);
    if (shadow_engine_.state_hash() != engine_.state_hash())
      fail("shadow engine differs after seq " + std::to_string(cmd.seq) + " " +
           kind_name(static_cast<uint8_t>(kind_of(cmd.body))));
  }
  void shadow_reset() {
    if (!shadow_) return;
    // Built exactly as recovery built the live engine, but it never sees a failed command:
    // a difference later means a failed command left a trace that changes behaviour.
    RecoveryReport rep;
    RecoveryOptions ro;
    ro.modify = false;
    std::string err;
    shadow_engine_ = Engine();
    if (!recover(&fs_, kDir, ro, shadow_engine_, &rep, &err)) fail("shadow recover: " + err);
    if (shadow_engine_.state_hash() != engine_.state_hash()) fail("shadow recover: hash differs");
  }

  // ---- faults ------------------------------------------------------------------------------
  enum class Fault { none, short_write, fsync, full };

  void inject_fault() {
    if (fault_ != Fault::none) return;
    switch (random(3)) {
      case 0:
        fault_ = Fault::short_write;
        fs_.short_write = true;
        ++c_.fault_short_write;
        trace("fault on: short writes (ENOSPC)");
        break;
      case 1:
        fault_ = Fault::fsync;
        fs_.fail_sync = true;
        ++c_.fault_fsync;
        trace("fault on: fdatasync fails (EIO)");
        break;
      default:
        fault_ = Fault::full;
        fs_.capacity_bytes = fs_.used_bytes() + random(600);
        ++c_.fault_full;
        trace("fault on: disk full at " + std::to_string(fs_.capacity_bytes) + " bytes");
        break;
    }
  }

  void clear_fault_and_reopen() {
    const bool still_on = fault_ != Fault::none && percent(25);
    if (!still_on) {
      fs_.short_write = false;
      fs_.fail_sync = false;
      fs_.capacity_bytes = UINT64_MAX;
    }
    if (!journal_->failed()) {
      if (!still_on) fault_ = Fault::none;
      trace(still_on ? "reopen skipped: journal healthy" : "fault cleared (journal healthy)");
      return;
    }
    RecoveryReport rep;
    std::string err;
    const uint64_t durable_before = journal_->durable_seq();
    if (!journal_->reopen(engine_, &rep, &err)) {
      if (fs_.down()) {
        crash_and_restart("crash point hit in reopen");
        return;
      }
      if (!still_on) {
        fail("reopen failed after the fault was cleared: " + err);
        return;
      }
      ++c_.reopen_refused;
      trace("reopen refused, fault still on: " + err);
      if (journal_->durable_seq() != durable_before) fail("a refused reopen moved durable_seq");
      return;
    }
    trace("reopen at seq " + std::to_string(rep.last_seq) + (still_on ? " (fault still on)" : ""));
    trace_recovery(rep);
    if (!still_on) {
      if (fault_ == Fault::short_write) ++c_.reopen_short_write;
      if (fault_ == Fault::fsync) ++c_.reopen_fsync;
      if (fault_ == Fault::full) ++c_.reopen_full;
      fault_ = Fault::none;
    }
    check_recovered(rep.last_seq, "reopen");
  }

  // ---- one step ------------------------------------------------------------------------------
  void one_step() {
    const uint64_t r = random(1000);
    if (r < 560) {
      client_command(random_body(), "command");
    } else if (r < 760) {
      const uint64_t answered = answered_;
      const bool was_failed = journal_->failed();
      journal_->pump();
      if (was_failed && answered_ != answered) fail("an answer was released while failed");
      trace("pump: durable " + std::to_string(journal_->durable_seq()) + "/" +
            std::to_string(journal_->last_seq()) + (journal_->failed() ? " FAILED" : ""));
    } else if (r < 800) {
      now_ms_ += static_cast<TimeMs>(random(4 * 86'400'000));
      client_command(Tick{}, "time jump + tick");
    } else if (r < 830) {
      snapshot();
    } else if (r < 838) {
      restart("clean restart");
    } else if (r < 846) {
      kill_process();
    } else if (r < 862) {
      crash_and_restart("now");
    } else if (r < 900) {
      if (!fs_.down()) fs_.crash_after_ops(1 + random(10));
      trace("crash point armed");
    } else if (r < 930) {
      inject_fault();
    } else {
      if (fault_ != Fault::none || journal_->failed()) clear_fault_and_reopen();
    }
    if (failure_.empty() && fs_.down()) crash_and_restart("crash point");
  }

  void snapshot() {
    if (journal_->failed() || engine_ahead_) {
      std::string err;
      if (journal_->snapshot(engine_, nullptr, &err)) fail("snapshot succeeded while failed");
      trace("snapshot refused: journal failed");
      return;
    }
    if (percent(50)) {
      const bool queued = journal_->snapshot_async(engine_, nullptr);
      trace(std::string("snapshot queued") + (queued ? "" : " (busy)"));
      return;
    }
    SnapshotInfo info;
    std::string err;
    const bool ok = journal_->snapshot(engine_, &info, &err);
    if (ok) ++c_.snapshots_ok;
    trace(ok ? "snapshot at seq " + std::to_string(info.seq) : "snapshot failed: " + err);
  }

  void check_after_step() {
    if (journal_ == nullptr) return;
    const std::string inv = engine_.check_invariants(step_ % kFullCheckEvery == 0);
    if (!inv.empty()) fail("invariant: " + inv);
    if (journal_->durable_seq() > journal_->last_seq()) fail("durable_seq > last_seq");
    if (!engine_ahead_ && journal_->last_seq() + 1 != hash_at_.size())
      fail("journal last_seq " + std::to_string(journal_->last_seq()) + " but " +
           std::to_string(hash_at_.size() - 1) + " commands journaled");
  }

  uint64_t seed_;
  uint64_t steps_;
  uint64_t step_ = 0;
  std::mt19937_64 rng_;
  SimFileSystem fs_;
  Counters& c_;
  JournalOptions options_;
  std::unique_ptr<Journal> journal_;
  Engine engine_;
  Result result_;
  std::vector<uint64_t> hash_at_;       // [s]: the reference state hash after commands 1..s
  std::vector<std::string> record_at_;  // [s]: the encoded command journaled as seq s
  uint64_t answered_ = 0;               // highest seq on_durable reported
  bool engine_ahead_ = false;           // the engine applied a command whose append failed
  Fault fault_ = Fault::none;
  TimeMs now_ms_ = kStartMs;
  uint64_t orders_ = 0;
  uint64_t ships_ = 0;
  uint64_t write_offs_ = 0;  // proposals sent (some fail): bounds the numbers approvals name
  uint64_t returns_ = 0;     // return requests sent, likewise
  std::string failure_;
  std::deque<std::string> trace_;
  bool shadow_ = env_u64("CREDO_DSIM_SHADOW", 0) != 0;
  Engine shadow_engine_;
};

std::string seeds_text(uint64_t first, uint64_t last) {
  return "seeds " + std::to_string(first) + "-" + std::to_string(last);
}

// Records the fault-matrix rows of the default bounded run, from what it counted.
void record_rows(const Counters& c, uint64_t first, uint64_t last, uint64_t steps) {
  const std::string over =
      " over " + seeds_text(first, last) + " (" + std::to_string(steps) + " steps each): ";
  const std::string promise =
      "every answered command recovered, state hash equal to the reference at the recovered seq";
  auto row = [&](const char* fault, uint64_t n, const char* what) {
    test::record_fault("Simulation", fault, std::to_string(n) + " " + what + over + promise);
  };
  row("power loss between a WAL write and its fdatasync", c.crash_wal_unsynced, "crashes");
  row("power loss in the middle of a WAL write", c.crash_wal_write, "crashes");
  row("power loss leaving the WAL's unsynced tail torn (a random prefix survives)",
      c.crash_torn_tail, "crashes");
  row("power loss dropping the WAL's unsynced tail", c.crash_dropped_tail, "crashes");
  row("power loss leaving zeros where the unsynced tail was", c.crash_zeroed_tail, "crashes");
  row("power loss mid-snapshot (writing or syncing the .tmp file)", c.crash_snapshot, "crashes");
  row("power loss mid-rename of a snapshot", c.crash_rename, "crashes");
  row("power loss while starting a new WAL segment (roll or open)", c.crash_segment, "crashes");
  row("power loss at a directory fsync (unsynced creates, renames and removes undone at random)",
      c.crash_dir_sync, "crashes");
  row("power loss in the middle of recovery", c.crash_recovery, "crashes");
  row("power loss between operations", c.crash_idle, "crashes");
  row("process killed (written data kept, pending records lost)", c.kills, "kills");
  test::record_fault("Simulation", "short write (a prefix, then ENOSPC), cleared, then reopen()",
                     std::to_string(c.fault_short_write) + " faults, " +
                         std::to_string(c.reopen_short_write) + " reopens" + over + promise);
  test::record_fault("Simulation",
                     "fdatasync fails with EIO (unsynced pages kept or zeroed), cleared, then "
                     "reopen()",
                     std::to_string(c.fault_fsync) + " faults, " + std::to_string(c.reopen_fsync) +
                         " reopens" + over + promise);
  test::record_fault("Simulation", "disk full at a byte capacity, space freed, then reopen()",
                     std::to_string(c.fault_full) + " faults, " + std::to_string(c.reopen_full) +
                         " reopens" + over + promise);
  test::record_fault("Simulation", "reopen() while the disk fault is still on",
                     std::to_string(c.reopen_refused) + " refused" + over +
                         "the journal stayed failed, durable_seq unchanged, no append accepted");
  test::record_fault("Simulation", "client commands while the journal has failed",
                     std::to_string(c.refused_while_failed) + " refused" + over +
                         "Journal::append refused every one and no answer was released");
}

TEST(Dsim, SeededRunsKeepEveryAnsweredCommand) {
  const uint64_t one_seed = env_u64("CREDO_DSIM_SEED", 0);
  const uint64_t steps = env_u64("CREDO_DSIM_STEPS", kDefaultSteps);
  const uint64_t seconds = env_u64("CREDO_DSIM_SECONDS", 0);
  uint64_t first = env_u64("CREDO_DSIM_FIRST_SEED", 1);
  uint64_t count = env_u64("CREDO_DSIM_SEEDS", kDefaultSeeds);
  if (one_seed != 0) {
    first = one_seed;
    count = 1;
  }
  if (seconds != 0) {
    first = std::random_device{}() | 1;
    count = UINT64_MAX - first;
  }
  const bool default_run = one_seed == 0 && seconds == 0 && first == 1 && count == kDefaultSeeds &&
                           steps == kDefaultSteps;
  const auto t0 = std::chrono::steady_clock::now();
  auto elapsed_s = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  Counters counters;
  double last_progress = 0;
  uint64_t seed = first;
  for (; seed - first < count; ++seed) {
    if (seconds != 0 && elapsed_s() >= static_cast<double>(seconds)) break;
    const std::string failure = Sim(seed, steps, &counters).run();
    if (!failure.empty()) {
      ADD_FAILURE() << failure;
      std::fprintf(stderr, "%s", failure.c_str());
      return;
    }
    if (count > kDefaultSeeds && elapsed_s() - last_progress >= 10) {
      last_progress = elapsed_s();
      std::fprintf(stderr, "dsim: %llu seeds (%llu..%llu) ok, %llu recoveries, %.0f s\n",
                   static_cast<unsigned long long>(seed - first + 1),
                   static_cast<unsigned long long>(first), static_cast<unsigned long long>(seed),
                   static_cast<unsigned long long>(counters.recoveries), elapsed_s());
    }
  }
  std::fprintf(
      stderr,
      "dsim: %s ok: %llu commands journaled, %llu rejected, %llu recoveries, %llu "
      "rolled back, %llu crashes\n",
      seeds_text(first, seed - 1).c_str(), static_cast<unsigned long long>(counters.commands_ok),
      static_cast<unsigned long long>(counters.commands_rejected),
      static_cast<unsigned long long>(counters.recoveries),
      static_cast<unsigned long long>(counters.rolled_back),
      static_cast<unsigned long long>(counters.crash_wal_unsynced + counters.crash_wal_write +
                                      counters.crash_snapshot + counters.crash_rename +
                                      counters.crash_segment + counters.crash_dir_sync +
                                      counters.crash_recovery + counters.crash_idle));
  if (default_run) record_rows(counters, first, seed - 1, steps);
}

// The seeds that found bugs (docs/simulation.md), kept whatever the default range becomes.
TEST(DsimRegression, SeedsThatFoundBugs) {
  Counters counters;
  for (uint64_t seed : {2, 3, 1124}) {
    const std::string failure = Sim(seed, kDefaultSteps, &counters).run();
    EXPECT_TRUE(failure.empty()) << failure;
  }
}

// Regression (seed 3 of the run above): a restart replays a last segment whose tail only the
// page cache held (a failed fdatasync, or a process kill), then writes the next segment; a
// power loss must not tear the old one, since it is no longer the last (that reads as
// corruption and the server refuses to start). Recovery now syncs what it replayed.
TEST(DsimRegression, ATailReplayedAfterARestartSurvivesTheNextPowerLoss) {
  uint64_t recovered_after_power_loss = 0;
  for (uint64_t seed = 1; seed <= 16; ++seed) {
    SimFileSystem fs(seed);
    JournalOptions o;
    o.dir = kDir;
    o.fs = &fs;
    o.threads = false;
    std::vector<uint64_t> hash_at;
    Engine e;
    auto journal = std::make_unique<Journal>();
    std::string err;
    ASSERT_TRUE(journal->open(o, e, nullptr, &err)) << err;
    hash_at.push_back(e.state_hash());
    auto add = [&](uint64_t seq, const std::string& sku) {
      Command c;
      c.seq = seq;
      c.at = kStartMs + static_cast<TimeMs>(seq);
      c.by.name = Key::of("ops");
      c.by.roles = kRoleAdmin | kRoleWarehouse;
      c.by.level = 3;
      UpsertProduct p;
      p.sku = Key::of(sku);
      p.price = 100 + static_cast<Money>(seq);
      c.body = p;
      Result r;
      e.apply(c, r);
      ASSERT_TRUE(r.ok()) << r.error.message;
      ASSERT_TRUE(journal->append(c));
      hash_at.push_back(e.state_hash());
    };
    for (uint64_t s = 1; s <= 5; ++s) add(s, "S" + std::to_string(s));
    ASSERT_TRUE(journal->pump());
    for (uint64_t s = 6; s <= 8; ++s) add(s, "S" + std::to_string(s));
    fs.fail_sync = true;  // 6..8 are written, their fdatasync fails
    EXPECT_FALSE(journal->pump());
    fs.go_down();  // the server stops; nothing more reaches the disk
    journal.reset();
    fs.revive();  // the disk is mended; the page cache still holds 6..8
    journal = std::make_unique<Journal>();
    RecoveryReport rep;
    ASSERT_TRUE(journal->open(o, e, &rep, &err)) << err;
    // 8, or 5 when the failed writeback zeroed what the cache held (both honest: 6..8 were
    // never answered).
    ASSERT_TRUE(rep.last_seq == 8 || rep.last_seq == 5) << rep.last_seq;
    EXPECT_EQ(e.state_hash(), hash_at[rep.last_seq]);
    hash_at.resize(rep.last_seq + 1);
    const uint64_t answered = rep.last_seq + 1;
    add(answered, "S9");
    ASSERT_TRUE(journal->pump());
    ASSERT_EQ(journal->durable_seq(), answered);  // answered: must survive
    fs.go_down();
    journal.reset();
    fs.crash();
    journal = std::make_unique<Journal>();
    ASSERT_TRUE(journal->open(o, e, &rep, &err)) << "fs seed " << seed << ": " << err;
    ASSERT_EQ(rep.last_seq, answered);
    EXPECT_EQ(e.state_hash(), hash_at[answered]);
    ++recovered_after_power_loss;
  }
  if (!HasFailure()) {
    test::record_fault(
        "Simulation", "power loss after a restart replayed a WAL tail whose fdatasync had failed",
        std::to_string(recovered_after_power_loss) +
            " of 16 crash outcomes recover every answered command (recovery fsyncs the "
            "segment it replayed before the next one starts)");
  }
}

}  // namespace
}  // namespace credo::dsim
