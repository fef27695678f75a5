// The codec for list_customers and list_products: every field parses by name from
// engine/fields.h with its range, and a page comes out as rows plus next_cursor (null at the
// end), parsed back with simdjson.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>

#include "net/codec.h"

namespace credo::net {
namespace {

class ListsCodecTest : public ::testing::Test {
 protected:
  // Parses `line` from a padded buffer, as the server does.
  bool parse(std::string_view line) {
    std::string buf(line);
    buf.resize(line.size() + kParsePadding, 'x');
    return parser_.parse(std::string_view(buf.data(), line.size()), req_, err_);
  }
  template <typename T>
  T query(std::string_view line) {
    EXPECT_TRUE(parse(line)) << line << " -> " << err_.message;
    EXPECT_EQ(req_.kind, RequestKind::query);
    EXPECT_EQ(req_.op_id, op_id<T>());
    const T* q = std::get_if<T>(&req_.query);
    EXPECT_NE(q, nullptr) << line;
    return q ? *q : T{};
  }
  void bad(std::string_view line, std::string_view field) {
    EXPECT_FALSE(parse(line)) << line;
    EXPECT_EQ(err_.code, ErrorCode::BAD_REQUEST) << line << " -> " << err_.message;
    EXPECT_EQ(err_.field, field) << line << " -> " << err_.message;
  }
  simdjson::dom::element write(std::string_view op, const Result& r) {
    line_.clear();
    write_result(line_, "1", op, r);
    EXPECT_EQ(line_.find('\n'), line_.size() - 1) << "one line only";
    simdjson::dom::element doc;
    EXPECT_EQ(dom_.parse(line_).get(doc), simdjson::SUCCESS) << line_;
    return doc;
  }

  RequestParser parser_;
  Request req_;
  Error err_;
  std::string line_;
  simdjson::dom::parser dom_;
};

int64_t i64(simdjson::dom::element e, std::string_view key) {
  int64_t v = -999;
  EXPECT_EQ(e[key].get(v), simdjson::SUCCESS) << key;
  return v;
}
std::string str(simdjson::dom::element e, std::string_view key) {
  std::string_view v;
  EXPECT_EQ(e[key].get(v), simdjson::SUCCESS) << key;
  return std::string(v);
}

TEST_F(ListsCodecTest, ListCustomersParsesEveryFilterAndDefaults) {
  auto a = query<ListCustomers>(R"({"op":"list_customers"})");
  EXPECT_FALSE(a.prefix);
  EXPECT_FALSE(a.status);
  EXPECT_FALSE(a.grade);
  EXPECT_FALSE(a.cursor);
  EXPECT_EQ(a.limit, kDefaultListLimit);
  auto b = query<ListCustomers>(
      R"({"op":"list_customers","prefix":"EU-","status":"on_hold","grade":"B","cursor":"c42","limit":1000})");
  EXPECT_EQ(b.prefix->view(), "EU-");
  EXPECT_EQ(*b.status, CustomerStatus::on_hold);
  EXPECT_EQ(*b.grade, Grade::B);
  EXPECT_EQ(b.cursor->view(), "c42");
  EXPECT_EQ(b.limit, 1000u);
  // A reused request forgets the filters of the one before.
  auto c = query<ListCustomers>(R"({"limit":1,"op":"list_customers"})");
  EXPECT_FALSE(c.prefix);
  EXPECT_FALSE(c.cursor);
  EXPECT_EQ(c.limit, 1u);
}

TEST_F(ListsCodecTest, ListProductsParsesPrefixCursorAndLimit) {
  auto a = query<ListProducts>(R"({"op":"list_products","prefix":"BOLT","cursor":"p7","limit":3})");
  EXPECT_EQ(a.prefix->view(), "BOLT");
  EXPECT_EQ(a.cursor->view(), "p7");
  EXPECT_EQ(a.limit, 3u);
  EXPECT_EQ(query<ListProducts>(R"({"op":"list_products"})").limit, kDefaultListLimit);
}

TEST_F(ListsCodecTest, BadFiltersNameTheirField) {
  bad(R"({"op":"list_customers","limit":0})", "limit");
  bad(R"({"op":"list_customers","limit":1001})", "limit");
  bad(R"({"op":"list_products","limit":1.5})", "limit");
  bad(R"({"op":"list_customers","status":"sleeping"})", "status");
  bad(R"({"op":"list_customers","grade":"E"})", "grade");
  bad(R"({"op":"list_customers","cursor":""})", "cursor");
  bad(R"({"op":"list_customers","cursor":null})", "cursor");
  bad(R"({"op":"list_customers","cursor":7})", "cursor");
  bad(R"({"op":"list_products","cursor":"has space"})", "cursor");
  bad(R"({"op":"list_products","prefix":""})", "prefix");
  bad(R"({"op":"list_products","grade":"A"})", "grade");  // products have no grade
  bad(R"({"op":"list_products","limit":5,"limit":6})", "limit");
}

TEST_F(ListsCodecTest, CustomerPageHasRowsAndNextCursor) {
  Result r;
  CustomerList& l = r.emplace<CustomerList>();
  CustomerRow row;
  row.customer = Key::of("C1");
  row.name = "Acme \"Tools\"";
  row.grade = Grade::B;
  row.credit_limit = 50'000;
  row.terms_days = 45;
  row.status = CustomerStatus::on_hold;
  row.exposure = 60'000;
  row.available = -10'000;
  l.customers = {row, row};
  l.next_cursor = Key::of("c9");
  auto doc = write("list_customers", r);
  simdjson::dom::array rows;
  ASSERT_EQ(doc["customers"].get(rows), simdjson::SUCCESS);
  ASSERT_EQ(rows.size(), 2u);
  auto first = doc["customers"].at(0).value();
  EXPECT_EQ(str(first, "customer"), "C1");
  EXPECT_EQ(str(first, "name"), "Acme \"Tools\"");
  EXPECT_EQ(str(first, "grade"), "B");
  EXPECT_EQ(i64(first, "credit_limit"), 50'000);
  EXPECT_EQ(i64(first, "terms_days"), 45);
  EXPECT_EQ(str(first, "status"), "on_hold");
  EXPECT_EQ(i64(first, "exposure"), 60'000);
  EXPECT_EQ(i64(first, "available"), -10'000);
  EXPECT_EQ(str(doc, "next_cursor"), "c9");

  l.customers.clear();
  l.next_cursor = Key{};
  auto end = write("list_customers", r);
  simdjson::dom::array none;
  ASSERT_EQ(end["customers"].get(none), simdjson::SUCCESS);
  EXPECT_EQ(none.size(), 0u);
  simdjson::dom::element cursor;
  ASSERT_EQ(end["next_cursor"].get(cursor), simdjson::SUCCESS);  // present, null: the end
  EXPECT_TRUE(cursor.is_null());
}

TEST_F(ListsCodecTest, ProductPageHasStockRows) {
  Result r;
  ProductList& l = r.emplace<ProductList>();
  ProductView p;
  p.sku = Key::of("BOLT");
  p.name = "Bolt";
  p.price = 1000;
  p.floor_price = 800;
  p.on_hand = 100;
  p.reserved = 30;
  p.available = 70;
  l.products = {p};
  auto doc = write("list_products", r);
  auto row = doc["products"].at(0).value();
  EXPECT_EQ(str(row, "sku"), "BOLT");
  EXPECT_EQ(str(row, "name"), "Bolt");
  EXPECT_EQ(i64(row, "price"), 1000);
  EXPECT_EQ(i64(row, "floor_price"), 800);
  EXPECT_EQ(i64(row, "on_hand"), 100);
  EXPECT_EQ(i64(row, "reserved"), 30);
  EXPECT_EQ(i64(row, "available"), 70);
  simdjson::dom::element cursor;
  ASSERT_EQ(doc["next_cursor"].get(cursor), simdjson::SUCCESS);
  EXPECT_TRUE(cursor.is_null());
}

}  // namespace
}  // namespace credo::net
