// Discovery: list_customers and list_products (engine/lists.cc, docs/protocol.md). Rows come in
// creation order, filtered, a bounded page at a time; the cursor is opaque and checked.
#include <set>

#include "tests/engine/world.h"

namespace credo::test {
namespace {

class ListsTest : public EngineTest {
 protected:
  CustomerList customers(ListCustomers q) const { return body<CustomerList>(w.query(q)); }
  ProductList products(ListProducts q) const { return body<ProductList>(w.query(q)); }

  static std::vector<std::string> ids(const CustomerList& l) {
    std::vector<std::string> out;
    for (const CustomerRow& r : l.customers) out.emplace_back(r.customer.view());
    return out;
  }
  static std::vector<std::string> skus(const ProductList& l) {
    std::vector<std::string> out;
    for (const ProductView& p : l.products) out.emplace_back(p.sku.view());
    return out;
  }

  // Every page of `q` from the start, following next_cursor; the ids in the order listed.
  std::vector<std::string> all_pages(ListCustomers q, int* pages = nullptr) const {
    std::vector<std::string> out;
    q.cursor.reset();
    for (int n = 1;; ++n) {
      CustomerList page = customers(q);
      EXPECT_LE(page.customers.size(), q.limit);
      for (std::string& id : ids(page)) out.push_back(std::move(id));
      if (page.next_cursor.empty()) {
        if (pages != nullptr) *pages = n;
        return out;
      }
      q.cursor = page.next_cursor;
      if (n > 100'000) {
        ADD_FAILURE() << "paging does not end";
        return out;
      }
    }
  }

  Result with_cursor(std::string_view cursor) const {
    ListCustomers q;
    q.cursor = Key::of(cursor);
    return w.query(q);
  }
};

std::string numbered(std::string_view prefix, int n) {
  std::string s(prefix);
  s += std::to_string(n);
  return s;
}

TEST_F(ListsTest, CustomersComeInCreationOrderWithTheirCredit) {
  w.customer("ZED").grade(Grade::B).limit(50'000).terms(45).name("Zed Ltd");
  w.customer("ABC").grade(Grade::A).limit(100'000);
  w.product("BOLT").price(1000).stock(100);
  w.submit("ZED", {{"BOLT", 10}});  // open order 10,000

  CustomerList l = customers({});
  EXPECT_EQ(ids(l), (std::vector<std::string>{"ZED", "ABC"}));
  EXPECT_TRUE(l.next_cursor.empty());
  const CustomerRow& zed = l.customers[0];
  const CustomerView view = w.get_customer("ZED");
  EXPECT_EQ(zed.name, "Zed Ltd");
  EXPECT_EQ(zed.grade, Grade::B);
  EXPECT_EQ(zed.credit_limit, 50'000);
  EXPECT_EQ(zed.terms_days, 45);
  EXPECT_EQ(zed.status, CustomerStatus::active);
  EXPECT_EQ(zed.exposure, 10'000);
  EXPECT_EQ(zed.exposure, view.exposure.total);
  EXPECT_EQ(zed.available, 40'000);
  EXPECT_EQ(zed.available, view.available);
}

TEST_F(ListsTest, CustomersFilterByPrefixStatusAndGrade) {
  w.customer("EU-1").grade(Grade::A);
  w.customer("EU-2").grade(Grade::C);
  w.customer("US-1").grade(Grade::A);
  w.customer("EU-3").grade(Grade::A).status(CustomerStatus::blocked);
  w.set_status("US-1", CustomerStatus::on_hold);

  ListCustomers q;
  q.prefix = Key::of("EU-");
  EXPECT_EQ(ids(customers(q)), (std::vector<std::string>{"EU-1", "EU-2", "EU-3"}));
  q.grade = Grade::A;
  EXPECT_EQ(ids(customers(q)), (std::vector<std::string>{"EU-1", "EU-3"}));
  q.status = CustomerStatus::active;
  EXPECT_EQ(ids(customers(q)), (std::vector<std::string>{"EU-1"}));

  ListCustomers held;
  held.status = CustomerStatus::on_hold;
  EXPECT_EQ(ids(customers(held)), (std::vector<std::string>{"US-1"}));
  ListCustomers none;
  none.prefix = Key::of("EU-1X");
  EXPECT_TRUE(customers(none).customers.empty());
}

TEST_F(ListsTest, IdsOnlyNamedInARejectedOrderAreNotListedUntilCreated) {
  w.customer("C1").grade(Grade::A).limit(100'000);
  w.product("BOLT").price(1000).stock(100);
  w.submit("GHOST", {{"BOLT", 1}, {"NOPE", 1}});  // rejected: unknown customer and sku
  w.customer("C2");
  EXPECT_EQ(ids(customers({})), (std::vector<std::string>{"C1", "C2"}));
  EXPECT_EQ(skus(products({})), (std::vector<std::string>{"BOLT"}));

  w.customer("GHOST");  // keeps the place the engine first gave the id
  EXPECT_EQ(ids(customers({})), (std::vector<std::string>{"C1", "GHOST", "C2"}));
}

TEST_F(ListsTest, PagingReturnsEveryRowExactlyOnceInOrder) {
  std::vector<std::string> created;
  for (int i = 0; i < 25; ++i) {
    created.push_back(numbered("K", 100 - i));  // ids not in sorted order: order is creation
    w.customer(created.back());
  }
  ListCustomers q;
  q.limit = 7;
  int pages = 0;
  EXPECT_EQ(all_pages(q, &pages), created);
  EXPECT_EQ(pages, 4);  // 7 + 7 + 7 + 4

  q.limit = 5;  // the last page is full: the one before it already knew it was the end
  EXPECT_EQ(all_pages(q, &pages), created);
  EXPECT_EQ(pages, 5);
}

TEST_F(ListsTest, PagingWithAFilterReturnsEveryMatchExactlyOnce) {
  std::vector<std::string> graded_b;
  for (int i = 0; i < 40; ++i) {
    const Grade g = static_cast<Grade>(i % 4);
    w.customer(numbered("C", i)).grade(g);
    if (g == Grade::B) graded_b.push_back(numbered("C", i));
  }
  ListCustomers q;
  q.grade = Grade::B;
  q.limit = 3;
  EXPECT_EQ(all_pages(q), graded_b);
}

TEST_F(ListsTest, CustomersCreatedWhilePagingAppearOnALaterPage) {
  for (int i = 0; i < 4; ++i) w.customer(numbered("A", i));
  ListCustomers q;
  q.limit = 3;
  CustomerList first = customers(q);
  EXPECT_EQ(ids(first), (std::vector<std::string>{"A0", "A1", "A2"}));
  w.customer("LATE");
  q.cursor = first.next_cursor;
  CustomerList second = customers(q);
  EXPECT_EQ(ids(second), (std::vector<std::string>{"A3", "LATE"}));
  EXPECT_TRUE(second.next_cursor.empty());
}

TEST_F(ListsTest, OneCallExaminesAtMostTheBoundAndSaysWhereToGoOn) {
  const int plain = static_cast<int>(kMaxPageExamined) + 50;
  for (int i = 0; i < plain; ++i) w.customer(numbered("P", i));
  w.customer("RARE-1");
  w.customer("RARE-2");

  ListCustomers q;
  q.prefix = Key::of("RARE-");
  CustomerList first = customers(q);  // examined kMaxPageExamined rows, none matched
  EXPECT_TRUE(first.customers.empty());
  ASSERT_FALSE(first.next_cursor.empty());
  q.cursor = first.next_cursor;
  CustomerList second = customers(q);
  EXPECT_EQ(ids(second), (std::vector<std::string>{"RARE-1", "RARE-2"}));
  EXPECT_TRUE(second.next_cursor.empty());

  ListCustomers everything;
  everything.limit = kMaxPageLimit;
  int pages = 0;
  EXPECT_EQ(all_pages(everything, &pages).size(), static_cast<std::size_t>(plain + 2));
  EXPECT_EQ(pages,
            (plain + 2 + static_cast<int>(kMaxPageLimit) - 1) / static_cast<int>(kMaxPageLimit));
}

TEST_F(ListsTest, AMalformedOrForeignCursorIsBadRequest) {
  for (int i = 0; i < 5; ++i) w.customer(numbered("C", i));
  w.product("BOLT").price(1000);
  for (const char* bad : {"x", "c", "C3", "p1", "c01", "c-1", "c+1", "c1x", "c 1", "c6",
                          "c18446744073709551616", "c99999999999"}) {
    const Result r = with_cursor(bad);
    EXPECT_EQ(r.error.code, ErrorCode::BAD_REQUEST) << bad;
    EXPECT_EQ(r.error.field, "cursor") << bad;
  }
  EXPECT_TRUE(with_cursor("c5").ok());  // the end of the table: an empty last page
  ListProducts pq;
  pq.cursor = Key::of("c0");  // a customer cursor on the product list
  EXPECT_EQ(w.query(pq).error.field, "cursor");
}

TEST_F(ListsTest, LimitIsOneToTheMaximumAndDefaultsToOneHundred) {
  for (int i = 0; i < 150; ++i) w.product(numbered("SKU", i)).price(100 + i);
  ProductList page = products({});
  EXPECT_EQ(page.products.size(), kDefaultListLimit);
  EXPECT_FALSE(page.next_cursor.empty());

  for (uint32_t bad : {0u, kMaxPageLimit + 1}) {
    ListProducts q;
    q.limit = bad;
    const Result r = w.query(q);
    EXPECT_EQ(r.error.code, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(r.error.field, "limit");
    ListCustomers c;
    c.limit = bad;
    EXPECT_EQ(w.query(c).error.field, "limit");
  }
  ListProducts max;
  max.limit = kMaxPageLimit;
  EXPECT_EQ(products(max).products.size(), 150u);
}

TEST_F(ListsTest, ProductsShowStockAndFilterByPrefix) {
  w.product("BOLT-M8").price(1000).floor(800).stock(100);
  w.product("NUT-M8").price(200).stock(10);
  w.product("BOLT-M6").price(900).stock(5);
  w.customer("C1").grade(Grade::A).limit(1'000'000);
  w.submit("C1", {{"BOLT-M8", 30}});

  ListProducts q;
  q.prefix = Key::of("BOLT-");
  ProductList l = products(q);
  EXPECT_EQ(skus(l), (std::vector<std::string>{"BOLT-M8", "BOLT-M6"}));
  const ProductView& m8 = l.products[0];
  EXPECT_EQ(m8.price, 1000);
  EXPECT_EQ(m8.floor_price, 800);
  EXPECT_EQ(m8.on_hand, 100);
  EXPECT_EQ(m8.reserved, 30);
  EXPECT_EQ(m8.available, 70);

  q.prefix.reset();
  q.limit = 2;
  ProductList first = products(q);
  EXPECT_EQ(skus(first), (std::vector<std::string>{"BOLT-M8", "NUT-M8"}));
  q.cursor = first.next_cursor;
  EXPECT_EQ(skus(products(q)), (std::vector<std::string>{"BOLT-M6"}));
}

TEST_F(ListsTest, ListingChangesNothing) {
  for (int i = 0; i < 3; ++i) w.customer(numbered("C", i));
  const uint64_t before = w.engine.state_hash();
  customers({});
  products({});
  EXPECT_EQ(w.engine.state_hash(), before);
}

}  // namespace
}  // namespace credo::test
