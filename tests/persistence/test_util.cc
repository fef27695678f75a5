#include "tests/persistence/test_util.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace credo::test {

Principal admin() {
  Principal p;
  p.name = Key::of("ops");
  p.roles = kRoleOrder | kRoleCredit | kRoleWarehouse | kRoleFinance | kRoleAdmin;
  p.level = 3;
  return p;
}

namespace {

constexpr uint64_t kProducts = 10;
constexpr uint64_t kCustomers = 20;
constexpr uint64_t kSetup = kProducts + kCustomers;

Key numbered(const char* prefix, uint64_t n) {
  return Key::of(prefix + std::to_string(n));
}

}  // namespace

Command history_command(uint64_t seq) {
  Command c;
  c.seq = seq;
  c.at = kStart + static_cast<TimeMs>(seq) * 1000;
  c.by = admin();
  const uint64_t i = seq - 1;
  if (i < kProducts) {
    UpsertProduct p;
    p.sku = numbered("SKU-", i);
    p.name = "product " + std::to_string(i);
    p.price = 1000 + static_cast<Money>(i) * 10;
    p.floor_price = 800;
    p.on_hand = 1'000'000'000;
    c.body = p;
    return c;
  }
  if (i < kSetup) {
    UpsertCustomer u;
    u.customer = numbered("C", i - kProducts);
    u.name = "customer";
    u.grade = Grade::A;
    u.credit_limit = 1'000'000'000'000;
    u.terms_days = 30;
    c.body = u;
    return c;
  }
  // Steady state, in rounds of 5: submit, submit, ship the first of the two, pay, tick.
  // Order numbers are consecutive from 100001 and every submit here is accepted (the
  // principal is a general manager and the customers have room), so the order to ship is
  // known without looking.
  const uint64_t j = i - kSetup;
  const uint64_t round = j / 5;
  const uint64_t cust = round % kCustomers;
  switch (j % 5) {
    case 0:
    case 1: {
      SubmitOrder s;
      s.order.customer = numbered("C", cust);
      s.order.client_order_id = numbered("PO-", j);
      s.order.ref = "test";
      LineRequest l;
      l.sku = numbered("SKU-", j % kProducts);
      l.qty = 1 + static_cast<Qty>(j % 7);
      if (j % 2) l.unit_price = 990 + static_cast<Money>(j % kProducts) * 10;
      s.order.lines.push_back(l);
      LineRequest l2;
      l2.sku = numbered("SKU-", (j + 3) % kProducts);
      l2.qty = 2;
      s.order.lines.push_back(l2);
      c.body = std::move(s);
      return c;
    }
    case 2: {
      Ship s;
      s.order_no = 100001 + round * 2;
      c.body = s;
      return c;
    }
    case 3: {
      RecordPayment p;
      p.customer = numbered("C", cust);
      p.amount = 500;
      p.payment_ref = numbered("PAY-", j);
      c.body = p;
      return c;
    }
    default:
      c.body = Tick{};
      return c;
  }
}

std::vector<Command> history(uint64_t first_seq, uint64_t last_seq) {
  std::vector<Command> v;
  for (uint64_t s = first_seq; s <= last_seq; ++s) v.push_back(history_command(s));
  return v;
}

bool apply_ok(Engine& e, const Command& c) {
  Result r;
  e.apply(c, r);
  EXPECT_TRUE(r.ok()) << "seq " << c.seq << ": " << to_string(r.error.code) << " "
                      << r.error.message << " " << r.error.field;
  return r.ok();
}

uint64_t hash_after(uint64_t n) {
  Engine e;
  for (uint64_t s = 1; s <= n; ++s)
    if (!apply_ok(e, history_command(s))) return 0;
  return e.state_hash();
}

std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string read_all(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void write_all(const std::string& path, const std::string& data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
}

namespace {

class FaultyFile : public WritableFile {
 public:
  FaultyFile(std::unique_ptr<WritableFile> f, FaultyFileSystem* fs) : f_(std::move(f)), fs_(fs) {}
  Status append(std::string_view d) override {
    if (fs_->fail_append) {
      f_->append(d.substr(0, d.size() / 2));
      return Status::Error("write: injected ENOSPC (No space left on device)", 28);
    }
    return f_->append(d);
  }
  Status sync() override {
    ++fs_->syncs;
    if (fs_->fail_sync) return Status::Error("fdatasync: injected EIO", 5);
    return f_->sync();
  }
  Status close() override { return f_->close(); }
  uint64_t size() const override { return f_->size(); }

 private:
  std::unique_ptr<WritableFile> f_;
  FaultyFileSystem* fs_;
};

}  // namespace

Status FaultyFileSystem::open_writable(const std::string& path, bool truncate,
                                       std::unique_ptr<WritableFile>* out) {
  std::unique_ptr<WritableFile> f;
  Status s = base()->open_writable(path, truncate, &f);
  if (!s.ok()) return s;
  *out = std::make_unique<FaultyFile>(std::move(f), this);
  return Status::Ok();
}

}  // namespace credo::test
