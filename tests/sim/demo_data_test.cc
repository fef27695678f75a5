// The demo world (tools/demo) must load into a fresh engine without a single failure, leave the
// clock at `start`, and show what the demo promises: an overdue customer, a prepaid balance,
// a customer on hold and a blocked one. credo-server --demo relies on it.
#include "tools/demo/demo_data.h"

#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "engine/engine.h"

namespace credo::demo {
namespace {

constexpr TimeMs kStart = 1'795'424'400'000;  // 2026-11-23T09:00:00Z

CustomerView customer(const Engine& e, std::string_view id) {
  Query q;
  q.at = e.now();
  q.by = demo_rep();
  q.body = GetCustomer{Key::of(id)};
  Result r;
  e.query(q, r);
  EXPECT_TRUE(r.ok()) << id;
  return r.ok() ? std::get<CustomerView>(r.body) : CustomerView{};
}

TEST(DemoDataset, LoadsCleanlyIntoAFreshEngine) {
  Engine e;
  Result r;
  uint64_t seq = 0;
  for (Command& c : demo_dataset(kStart)) {
    c.seq = ++seq;
    e.apply(c, r);
    ASSERT_TRUE(r.ok()) << "command " << seq << ": " << to_string(r.error.code) << " "
                        << r.error.message;
  }
  EXPECT_EQ(e.now(), kStart);
  EXPECT_EQ(e.check_invariants(/*full=*/true), "");
  EXPECT_EQ(e.counts().customers, 10u);
  EXPECT_GT(customer(e, kOverdueCustomer).oldest_overdue_days, 0);
  EXPECT_GT(customer(e, kCashCustomer).exposure.unapplied, 0);
  EXPECT_EQ(customer(e, kOnHoldCustomer).status, CustomerStatus::on_hold);
  EXPECT_EQ(customer(e, kBlockedCustomer).status, CustomerStatus::blocked);
  EXPECT_EQ(customer(e, kNewCustomer).grade, Grade::D);
  EXPECT_EQ(customer(e, kGoodCustomer).exposure.receivables, 0);  // paid on time
}

}  // namespace
}  // namespace credo::demo
