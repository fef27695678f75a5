// libFuzzer target for snapshot loading: the snapshot file format (persistence/snapshot.h,
// snapshot::read over an in-memory FileSystem) and the engine's state image
// (Engine::load, engine/serialize.cc). Any bytes in, never a crash, a leak, a hang or a
// sanitizer report, and these properties hold (each violation abort()s: a finding):
//   - snapshot::read either fails with a message or returns a body of exactly the length its
//     header says;
//   - load() either fails with a message and leaves an empty engine, or the loaded state passes
//     check_invariants(true), save() of it loads again into a second engine with the same
//     state_hash() and saves the same image;
//   - a loaded state answers reads (every order with its events, its customers, their
//     statements, aging, held orders, the daily report) and takes a tick a day later without
//     breaking an invariant.
//
// The first input byte chooses what the rest is:
//   0: a state image, given to Engine::load directly;
//   1: a whole snapshot file (64-byte header and body), read by snapshot::read, then loaded;
//   2: a snapshot body: a valid header is computed for it (length and XXH3), so the fuzzer
//      spends its time on the image behind the checksums rather than on the checksums.
//
// Seed corpus: CREDO_SNAPSHOT_SEEDS=<dir> build-fuzz/snapshot_fuzz writes the seeds (real images
// of small worlds, in all three framings) to <dir> and exits; fuzz/corpus/snapshot/ holds them.
// Build and run: fuzz/build_and_run.sh snapshot (the suite's run); scripts/fuzz.sh to explore
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/command.h"
#include "engine/engine.h"
#include "engine/result.h"
#include "engine/types.h"
#include "persistence/file_system.h"
#include "persistence/snapshot.h"

namespace {

using namespace credo;

[[noreturn]] void fail(const char* what, const std::string& detail = "") {
  std::fprintf(stderr, "property violated: %s%s%s\n", what, detail.empty() ? "" : ": ",
               detail.c_str());
  std::abort();
}

// A whole file system in a map, enough for snapshot::read and snapshot::write. Never fails.
class MemFs : public FileSystem {
 public:
  std::map<std::string, std::string> files;

  Status open_writable(const std::string& path, bool truncate,
                       std::unique_ptr<WritableFile>* out) override {
    if (truncate) files[path].clear();
    *out = std::make_unique<File>(&files[path]);
    return Status::Ok();
  }
  Status read_file(const std::string& path, std::string* out) override {
    auto it = files.find(path);
    if (it == files.end()) return Status::Error(path + ": no such file", 2);
    *out = it->second;
    return Status::Ok();
  }
  Status write_file(const std::string& path, std::string_view data) override {
    files[path].assign(data);
    return Status::Ok();
  }
  Status rename(const std::string& from, const std::string& to) override {
    files[to] = std::move(files[from]);
    files.erase(from);
    return Status::Ok();
  }
  Status truncate(const std::string& path, uint64_t size_bytes) override {
    files[path].resize(size_bytes);
    return Status::Ok();
  }
  Status remove(const std::string& path) override {
    files.erase(path);
    return Status::Ok();
  }
  Status list(const std::string&, std::vector<std::string>* names) override {
    names->clear();
    for (const auto& [path, data] : files) names->push_back(path.substr(path.rfind('/') + 1));
    return Status::Ok();
  }
  Status file_size(const std::string& path, uint64_t* size_bytes) override {
    *size_bytes = files[path].size();
    return Status::Ok();
  }
  Status create_dir(const std::string&) override { return Status::Ok(); }
  Status sync_dir(const std::string&) override { return Status::Ok(); }

 private:
  class File : public WritableFile {
   public:
    explicit File(std::string* data) : data_(data) {}
    Status append(std::string_view data) override {
      data_->append(data);
      return Status::Ok();
    }
    Status sync() override { return Status::Ok(); }
    Status close() override { return Status::Ok(); }
    uint64_t size() const override { return data_->size(); }

   private:
    std::string* data_;
  };
};

Principal principal(std::string_view name, uint8_t roles, uint8_t level) {
  Principal p;
  p.name = Key::of(name);
  p.roles = roles;
  p.level = level;
  return p;
}

// Reads a loaded state every way there is, then ticks a day later: none of it may crash or
// break an invariant, whatever the image held.
void exercise(Engine& engine) {
  const Principal admin = principal("ops", kRoleAdmin, 3);
  const TimeMs now = engine.now();
  if (!time_in_range(now)) fail("a loaded state's now is outside the times the engine accepts");
  Query q;
  q.at = now;
  q.by = admin;
  Result r;
  const EngineCounts counts = engine.counts();
  // Bounded: an image of a few KB cannot hold more than a few hundred orders.
  for (uint64_t i = 0; i < counts.orders; ++i) {
    q.body = GetOrder{100001 + i, {}, {}};
    engine.query(q, r);
    if (!r.ok()) fail("get_order of an order the state has failed", r.error.message);
    const OrderView o = std::get<OrderView>(r.body);
    q.body = GetCustomer{o.customer};
    engine.query(q, r);  // NOT_FOUND for a phantom customer (named by a rejected order)
    q.body = StatementQuery{o.customer, day_of(now) - 400, day_of(now)};
    engine.query(q, r);
    q.body = AgingQuery{o.customer};
    engine.query(q, r);
    if (!o.client_order_id.empty()) {
      q.body = GetOrder{0, o.customer, o.client_order_id};
      engine.query(q, r);
      if (!r.ok()) fail("get_order by client_order_id of an order the state has failed");
    }
  }
  q.body = AgingQuery{};
  engine.query(q, r);
  q.body = ListHeld{std::nullopt, std::nullopt, kMaxListLimit};
  engine.query(q, r);
  q.body = DailyReportQuery{day_of(now)};
  engine.query(q, r);

  Command tick;
  tick.at = std::min(now + kMsPerDay, kMaxTimeMs);
  tick.by = admin;
  tick.body = Tick{};
  engine.apply(tick, r);
  if (!r.ok()) fail("a tick a day later failed", r.error.message);
  const std::string problem = engine.check_invariants(true);
  if (!problem.empty()) fail("invariant violated after a tick on a loaded state", problem);
}

// Loads `image`; on success checks the round trip and exercises the state.
void check_image(std::string_view image) {
  Engine engine;
  std::string error;
  if (!engine.load(image, &error)) {
    if (error.empty()) fail("load() failed without saying why");
    if (engine.counts().commands_applied != 0 || engine.counts().orders != 0)
      fail("a failed load() left state behind");
    return;
  }
  const std::string problem = engine.check_invariants(true);
  if (!problem.empty()) fail("a loaded state breaks an invariant", problem);
  const uint64_t hash = engine.state_hash();
  std::string saved;
  engine.save(saved);
  Engine second;
  if (!second.load(saved, &error)) fail("save() of a loaded state does not load", error);
  if (second.state_hash() != hash) fail("save -> load changed the state_hash");
  std::string saved_again;
  second.save(saved_again);
  if (saved_again != saved) fail("save(load(save(x))) differs from save(x)");
  exercise(engine);
}

void check_file(std::string_view file) {
  MemFs fs;
  fs.files["d/snap-1.snap"].assign(file);
  snapshot::Header header;
  std::string body;
  const Status s = snapshot::read(&fs, "d/snap-1.snap", &header, &body);
  if (!s.ok()) {
    if (s.message.empty()) fail("snapshot::read failed without a message");
    return;
  }
  if (header.body_len != body.size()) fail("snapshot body length differs from its header");
  check_image(body);
}

// Prepends a header that matches `body`, as snapshot::write would.
std::string with_header(std::string_view body) {
  MemFs fs;
  snapshot::Header header;
  header.seq = 1;
  std::string name;
  if (!snapshot::write(&fs, "d", header, body, &name).ok()) fail("snapshot::write to memory");
  return fs.files["d/" + name];
}

// ---- seeds ----------------------------------------------------------------------------------
// Small worlds built through the engine's own commands, so each seed is a real image.
class SeedWorld {
 public:
  Engine engine;
  TimeMs now = 1'795'428'000'000;  // 2026-11-23T10:00:00Z

  Result run(CommandBody body, const Principal& by) {
    Command c;
    c.seq = ++seq_;
    c.at = now;
    c.by = by;
    c.body = std::move(body);
    Result r;
    engine.apply(c, r);
    return r;
  }
  OrderNo submit(std::string_view customer, std::vector<std::pair<std::string, Qty>> lines,
                 PaymentTerms payment = PaymentTerms::credit, std::string_view coid = {}) {
    OrderRequest o;
    o.customer = Key::of(customer);
    if (!coid.empty()) o.client_order_id = Key::of(coid);
    o.payment = payment;
    for (const auto& [sku, qty] : lines) o.lines.push_back({Key::of(sku), qty, std::nullopt});
    const Result r = run(SubmitOrder{o}, rep);
    return r.ok() ? std::get<OrderView>(r.body).order_no : 0;
  }
  void customer(std::string_view id, Grade grade, Money limit) {
    UpsertCustomer u;
    u.customer = Key::of(id);
    u.name = std::string("Customer ").append(id);
    u.grade = grade;
    u.credit_limit = limit;
    run(u, credit);
  }
  void product(std::string_view sku, Money price, Qty on_hand) {
    UpsertProduct u;
    u.sku = Key::of(sku);
    u.name = std::string("Product ").append(sku);
    u.price = price;
    u.floor_price = price * 8 / 10;
    u.on_hand = on_hand;
    run(u, admin);
  }

  const Principal admin = principal("ops", kRoleAdmin, 3);
  const Principal rep = principal("rep0", kRoleOrder, 0);
  const Principal credit = principal("credit", kRoleCredit, 3);
  const Principal warehouse = principal("wh", kRoleWarehouse, 0);
  const Principal finance = principal("fin", kRoleFinance, 2);

 private:
  uint64_t seq_ = 0;
};

// Every order state, invoices, payments (one applied, one unapplied), a credit note, a
// write-off, a prepaid order and a held order still open.
std::string world_full() {
  SeedWorld w;
  w.customer("ACME", Grade::A, 100'000);
  w.customer("BETA", Grade::C, 3'000);
  w.customer("GAMMA", Grade::B, 50'000);
  w.product("BOLT", 1'000, 40);
  w.product("NUT", 250, 20);
  w.product("GEAR", 5'000, 5);
  const OrderNo shipped = w.submit("ACME", {{"BOLT", 5}, {"NUT", 2}}, PaymentTerms::credit, "PO-1");
  w.submit("ACME", {{"BOLT", 5}, {"NUT", 2}}, PaymentTerms::credit, "PO-1");  // duplicate
  const OrderNo partial = w.submit("GAMMA", {{"BOLT", 4}, {"NUT", 4}});
  const OrderNo to_expire = w.submit("BETA", {{"GEAR", 2}});  // held: credit limit
  w.submit("ACME", {{"NOPE", 1}});                            // rejected: unknown sku
  w.submit("DELTA", {{"BOLT", 1}});                           // rejected: unknown customer
  const OrderNo to_cancel = w.submit("GAMMA", {{"NUT", 1}});
  w.run(CancelOrder{to_cancel, "changed mind"}, w.rep);
  w.now += kMsPerHour;
  w.run(Ship{shipped, {}}, w.warehouse);
  w.run(Ship{partial, {{Key::of("BOLT"), 2}}}, w.warehouse);
  w.run(RecordPayment{Key::of("ACME"), 3'000, Key::of("PAY-1")}, w.finance);
  w.run(ReturnGoods{shipped, {{Key::of("NUT"), 1}}, true, "damaged"}, w.finance);
  w.run(RecordPayment{Key::of("BETA"), 2'000, Key::of("PAY-2")}, w.finance);  // unapplied
  w.now += 4 * kMsPerDay;
  w.run(Tick{}, w.admin);  // the held order expires
  (void)to_expire;
  const OrderNo held = w.submit("BETA", {{"GEAR", 1}});  // held again, still open
  (void)held;
  w.submit("BETA", {{"NUT", 4}}, PaymentTerms::prepaid);  // prepaid from the unapplied 2000
  w.run(Ship{partial, {}}, w.warehouse);
  w.run(WriteOff{2, "bankrupt"}, w.finance);
  return [&] {
    std::string image;
    w.engine.save(image);
    return image;
  }();
}

// A changed policy, a suspended customer and an overdue ladder that has run.
std::string world_overdue() {
  SeedWorld w;
  Policy p;
  p.hold_ttl_hours = 24;
  p.overdue_hold_days = 5;
  p.suspend_after_days = 10;
  w.run(SetPolicy{p}, w.admin);
  w.customer("LATE", Grade::B, 80'000);
  UpsertCustomer cash_on_delivery;  // terms 0: due the day it ships
  cash_on_delivery.customer = Key::of("LATE");
  cash_on_delivery.terms_days = 0;
  w.run(cash_on_delivery, w.credit);
  w.product("PIPE", 1'200, 30);
  const OrderNo o = w.submit("LATE", {{"PIPE", 10}});
  w.run(Ship{o, {}}, w.warehouse);
  // Few days, because the image keeps a daily report row (256 bytes) for every day.
  w.now += 12 * kMsPerDay;
  w.run(Tick{}, w.admin);
  w.submit("LATE", {{"PIPE", 1}});  // held: overdue, customer on hold
  std::string image;
  w.engine.save(image);
  return image;
}

void write_seed(const std::string& dir, const std::string& name, uint8_t mode,
                std::string_view data) {
  std::string bytes(1, static_cast<char>(mode));
  bytes.append(data);
  const std::string path = dir + "/" + name;
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr || std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size() ||
      std::fclose(f) != 0)
    fail("cannot write a seed", path);
}

void write_seeds(const std::string& dir) {
  const std::string empty = [] {
    std::string image;
    Engine().save(image);
    return image;
  }();
  const std::string full = world_full();
  const std::string overdue = world_overdue();
  // Every seed must itself load: a seed that does not is a bug in the generator or the engine.
  for (const std::string* image : {&empty, &full, &overdue}) {
    Engine e;
    std::string error;
    if (!e.load(*image, &error)) fail("a seed image does not load", error);
  }
  write_seed(dir, "image-empty", 0, empty);
  write_seed(dir, "image-full", 0, full);
  write_seed(dir, "file-full", 1, with_header(full));
  write_seed(dir, "body-full", 2, full);
  write_seed(dir, "body-overdue", 2, overdue);
  std::fprintf(stderr, "wrote 5 seeds to %s (images of %zu, %zu and %zu bytes)\n", dir.c_str(),
               empty.size(), full.size(), overdue.size());
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const char* dir = std::getenv("CREDO_SNAPSHOT_SEEDS"); dir != nullptr && *dir != '\0') {
    write_seeds(dir);
    std::exit(0);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      check_image(rest);
      break;
    case 1:
      check_file(rest);
      break;
    default:
      check_file(with_header(rest));
      break;
  }
  return 0;
}
