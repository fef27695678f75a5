// The JSON codec's cost per request: parsing a 3-line submit_order, and writing its answer.
// Run: build/bin/codec_bench
#include <benchmark/benchmark.h>

#include <string>

#include "net/codec.h"

namespace {

using namespace credo;
using namespace credo::net;

constexpr std::string_view kOrderLine =
    R"({"id":7,"op":"submit_order","client_order_id":"PO-88121","customer":"C1001",)"
    R"("payment":"credit","ship_by":"2026-12-01","ref":"web checkout 5531",)"
    R"("lines":[{"sku":"BOLT-M8","qty":400},{"sku":"NUT-M8","qty":400,"unit_price":9},)"
    R"({"sku":"WASHER-M8","qty":800}]})";

// The line in a buffer with simdjson's padding after it, as the server's read buffer has.
std::string padded(std::string_view line) {
  std::string buf(line);
  buf.resize(line.size() + kParsePadding);
  return buf;
}

void BM_ParseSubmitOrder3Lines(benchmark::State& state) {
  const std::string buf = padded(kOrderLine);
  const std::string_view line(buf.data(), kOrderLine.size());
  RequestParser parser;
  Request req;
  Error err;
  for (auto _ : state) {
    bool ok = parser.parse(line, req, err);
    benchmark::DoNotOptimize(ok);
    benchmark::DoNotOptimize(req);
  }
  if (!parser.parse(line, req, err)) state.SkipWithError(err.message.c_str());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kOrderLine.size()));
}
BENCHMARK(BM_ParseSubmitOrder3Lines);

// "op" last: the parser needs its second pass.
void BM_ParseSubmitOrderOpLast(benchmark::State& state) {
  const std::string text =
      R"({"customer":"C1001","lines":[{"sku":"BOLT-M8","qty":400},{"sku":"NUT-M8","qty":400},)"
      R"({"sku":"WASHER-M8","qty":800}],"id":7,"op":"submit_order"})";
  const std::string buf = padded(text);
  const std::string_view line(buf.data(), text.size());
  RequestParser parser;
  Request req;
  Error err;
  for (auto _ : state) {
    bool ok = parser.parse(line, req, err);
    benchmark::DoNotOptimize(ok);
  }
  if (!parser.parse(line, req, err)) state.SkipWithError(err.message.c_str());
}
BENCHMARK(BM_ParseSubmitOrderOpLast);

void BM_ParseBadRequest(benchmark::State& state) {
  const std::string text =
      R"({"id":7,"op":"submit_order","customer":"C1001","lines":[{"sku":"BOLT-M8","qty":1.5}]})";
  const std::string buf = padded(text);
  const std::string_view line(buf.data(), text.size());
  RequestParser parser;
  Request req;
  Error err;
  for (auto _ : state) {
    bool ok = parser.parse(line, req, err);
    benchmark::DoNotOptimize(ok);
  }
}
BENCHMARK(BM_ParseBadRequest);

Result sample_result() {
  Result r;
  OrderView& o = r.emplace<OrderView>();
  o.order_no = 100042;
  o.customer = Key::of("C1001");
  o.client_order_id = Key::of("PO-88121");
  o.status = o.decision = OrderStatus::held;
  o.reasons.push_back({Reason::CREDIT_LIMIT, -1, -1, -1});
  o.lines.push_back({Key::of("BOLT-M8"), 400, 1000, 0, 400000, 0, 0});
  o.lines.push_back({Key::of("NUT-M8"), 400, 910, 900, 364000, 0, 0});
  o.lines.push_back({Key::of("WASHER-M8"), 800, 50, 0, 40000, 0, 0});
  o.total = 804000;
  o.has_credit = true;
  o.credit = {1000000, 852000, 148000};
  o.at = 1'795'428'900'000;
  return r;
}

void BM_WriteSubmitOrderResult3Lines(benchmark::State& state) {
  const Result r = sample_result();
  std::string out;
  out.reserve(4096);
  for (auto _ : state) {
    out.clear();
    write_result(out, "7", "submit_order", r);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * out.size()));
}
BENCHMARK(BM_WriteSubmitOrderResult3Lines);

void BM_WriteError(benchmark::State& state) {
  const Error e{ErrorCode::BAD_REQUEST, "lines[0].qty: must be an integer", "lines[0].qty"};
  std::string out;
  out.reserve(4096);
  for (auto _ : state) {
    out.clear();
    write_error(out, "7", e);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_WriteError);

}  // namespace

BENCHMARK_MAIN();
