// The HTTP edge against the real credo-server binary with Beast's HTTP client (docs/http.md):
// pipelined requests are answered in request order, one connection stays alive across 10,000
// requests, the same scenario through TCP and through HTTP leaves the same state hash, and the
// checked-in docs/openapi.json is the document the server serves.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/common/json_answer.h"
#include "tests/common/line_client.h"
#include "tests/common/server_process.h"

namespace credo::test {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

// A keep-alive HTTP/1.1 connection to the server's HTTP edge.
class HttpClient {
 public:
  explicit HttpClient(uint16_t port) : stream_(io_) {
    stream_.expires_after(std::chrono::seconds(20));
    stream_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }

  static http::request<http::string_body> make(http::verb method, const std::string& target,
                                               const std::string& key, const std::string& body) {
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "127.0.0.1");
    if (!key.empty()) req.set(http::field::authorization, "Bearer " + key);
    if (!body.empty()) {
      req.set(http::field::content_type, "application/json");
      req.body() = body;
    }
    req.prepare_payload();
    return req;
  }

  void send(const http::request<http::string_body>& req) {
    stream_.expires_after(std::chrono::seconds(20));
    http::write(stream_, req);
  }
  http::response<http::string_body> receive() {
    stream_.expires_after(std::chrono::seconds(20));
    http::response<http::string_body> res;
    http::read(stream_, buffer_, res);
    return res;
  }
  http::response<http::string_body> call(http::verb method, const std::string& target,
                                         const std::string& key, const std::string& body = {}) {
    send(make(method, target, key, body));
    return receive();
  }
  // Writes raw bytes (several requests at once).
  void write_raw(const std::string& bytes) {
    stream_.expires_after(std::chrono::seconds(20));
    asio::write(stream_, asio::buffer(bytes));
  }

 private:
  asio::io_context io_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

TEST(HttpEdge, PipelinedRequestsAreAnsweredInRequestOrder) {
  ServerProcess server;
  ASSERT_TRUE(server.running());
  ASSERT_NE(server.http_port(), 0);
  HttpClient admin(server.http_port());
  ASSERT_EQ(admin.call(http::verb::put, "/v1/products/BOLT", kAdminKey,
                       R"({"name":"Bolt","price":1000,"floor_price":800,"on_hand":100000})")
                .result_int(),
            200);
  ASSERT_EQ(admin.call(http::verb::put, "/v1/customers/C1", kCreditKey,
                       R"({"name":"Acme","grade":"A","credit_limit":100000000,"terms_days":30})")
                .result_int(),
            200);
  // 300 requests of three kinds in one write: answered by the engine (orders, reads) and at the
  // edge (ping, an error) interleaved; the answers must come back in exactly this order.
  HttpClient c(server.http_port());
  std::string bytes;
  constexpr int kRequests = 300;
  for (int i = 0; i < kRequests; ++i) {
    switch (i % 4) {
      case 0:
        bytes += "GET /v1/ping?id=" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n";
        break;
      case 1: {
        const std::string body = R"({"id":)" + std::to_string(i) +
                                 R"(,"customer":"C1","client_order_id":"P)" + std::to_string(i) +
                                 R"(","lines":[{"sku":"BOLT","qty":1}]})";
        bytes += "POST /v1/orders HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k-order\r\n"
                 "Content-Length: " +
                 std::to_string(body.size()) + "\r\n\r\n" + body;
        break;
      }
      case 2:
        bytes += "GET /v1/customers/C1?id=" + std::to_string(i) +
                 " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k-credit\r\n\r\n";
        break;
      default:
        bytes += "GET /v1/customers/NOPE?id=" + std::to_string(i) +
                 " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k-credit\r\n\r\n";
        break;
    }
  }
  c.write_raw(bytes);
  for (int i = 0; i < kRequests; ++i) {
    auto res = c.receive();
    Json j(res.body());
    ASSERT_TRUE(j.valid()) << res.body();
    EXPECT_EQ(j.num("/id"), i) << res.body();
    EXPECT_EQ(res.result_int(), i % 4 == 3 ? 404 : 200) << res.body();
    if (i % 4 == 1) {
      EXPECT_EQ(j.str("/client_order_id"), "P" + std::to_string(i)) << res.body();
      EXPECT_TRUE(j.has("/status")) << res.body();
    }
  }
}

TEST(HttpEdge, OneConnectionStaysAliveAcrossTenThousandRequests) {
  ServerProcess server;
  ASSERT_TRUE(server.running());
  HttpClient c(server.http_port());
  ASSERT_EQ(c.call(http::verb::put, "/v1/customers/C1", kCreditKey,
                   R"({"name":"Acme","grade":"A","credit_limit":1000,"terms_days":30})")
                .result_int(),
            200);
  for (int i = 0; i < 10'000; ++i) {
    auto res = c.call(http::verb::get, "/v1/customers/C1?id=" + std::to_string(i), kCreditKey);
    ASSERT_EQ(res.result_int(), 200) << "request " << i << ": " << res.body();
    ASSERT_TRUE(res.keep_alive()) << "request " << i;
    ASSERT_EQ(Json(res.body()).num("/id"), i);
  }
}

// One step of the scenario, spelled for both edges.
struct Step {
  const char* key;
  const char* line;  // the TCP request line
  http::verb method;
  const char* target;
  const char* body;
};

TEST(HttpEdge, TheSameScenarioThroughTcpAndHttpLeavesTheSameStateHash) {
  const std::vector<Step> steps = {
      {kAdminKey,
       R"({"op":"upsert_product","sku":"BOLT","name":"Bolt","price":1000,"floor_price":800,"on_hand":500})",
       http::verb::put, "/v1/products/BOLT",
       R"({"name":"Bolt","price":1000,"floor_price":800,"on_hand":500})"},
      {kCreditKey,
       R"({"op":"upsert_customer","customer":"C1","name":"Acme","grade":"A","credit_limit":200000,"terms_days":30})",
       http::verb::put, "/v1/customers/C1",
       R"({"name":"Acme","grade":"A","credit_limit":200000,"terms_days":30})"},
      {kOrderKey,
       R"({"op":"submit_order","customer":"C1","client_order_id":"A1","lines":[{"sku":"BOLT","qty":20}]})",
       http::verb::post, "/v1/orders", R"({"customer":"C1","client_order_id":"A1","lines":[{"sku":"BOLT","qty":20}]})"},
      {kOrderKey,
       R"({"op":"submit_order","customer":"C1","client_order_id":"A2","lines":[{"sku":"BOLT","qty":400}]})",
       http::verb::post, "/v1/orders", R"({"customer":"C1","client_order_id":"A2","lines":[{"sku":"BOLT","qty":400}]})"},
      {kWarehouseKey, R"({"op":"ship","order_no":100001})", http::verb::post,
       "/v1/orders/100001/shipments", ""},
      {kWarehouseKey, R"({"op":"receive_stock","sku":"BOLT","qty":50})", http::verb::post,
       "/v1/products/BOLT/receipts", R"({"qty":50})"},
      {kAdminKey, R"({"op":"set_clock","now":"2026-02-20T00:00:00Z"})", http::verb::put,
       "/v1/admin/clock", R"({"now":"2026-02-20T00:00:00Z"})"},
      {kOrderKey, R"({"op":"cancel_order","order_no":100002})", http::verb::post,
       "/v1/orders/100002/cancel", ""},
  };
  ServerProcess tcp_server, http_server;
  ASSERT_TRUE(tcp_server.running());
  ASSERT_TRUE(http_server.running());
  HttpClient h(http_server.http_port());
  for (const Step& s : steps) {
    Client c(tcp_server.port());
    ASSERT_TRUE(c.hello(s.key));
    const std::string tcp_answer = c.call(s.line);
    auto res = h.call(s.method, s.target, s.key, s.body);
    EXPECT_EQ(Json(tcp_answer).ok(), Json(res.body()).ok()) << s.line << "\n"
                                                            << tcp_answer << "\n"
                                                            << res.body();
    EXPECT_EQ(Json(tcp_answer).code(), Json(res.body()).code()) << s.line;
  }
  Client admin(tcp_server.port());
  ASSERT_TRUE(admin.hello(kAdminKey));
  Json tcp_hash(admin.call(R"({"op":"state_hash"})"));
  Json http_hash(h.call(http::verb::get, "/v1/admin/state-hash", kAdminKey).body());
  ASSERT_TRUE(tcp_hash.ok()) << tcp_hash.text();
  ASSERT_TRUE(http_hash.ok()) << http_hash.text();
  EXPECT_EQ(tcp_hash.num("/seq"), http_hash.num("/seq"));
  EXPECT_EQ(tcp_hash.str("/hash"), http_hash.str("/hash"));
}

TEST(HttpEdge, TheCheckedInOpenApiDocumentIsTheServedOne) {
  ServerProcess server;
  ASSERT_TRUE(server.running());
  HttpClient c(server.http_port());
  auto res = c.call(http::verb::get, "/v1/openapi.json", "");
  ASSERT_EQ(res.result_int(), 200);
  std::ifstream in(CREDO_SOURCE_DIR "/docs/openapi.json");
  ASSERT_TRUE(in) << "docs/openapi.json is missing";
  std::stringstream file;
  file << in.rdbuf();
  EXPECT_EQ(file.str(), res.body())
      << "docs/openapi.json differs from what the server serves; regenerate it with\n"
         "  build/bin/credo-server --print-openapi > docs/openapi.json";
}

}  // namespace
}  // namespace credo::test
