// credo-loadgen: drives a credo-server (or, for the peer benchmark, a Redis server running
// bench/peers/redis_order.lua) with a configurable order workload and reports throughput,
// latency percentiles and decision counts.
//
//   credo-loadgen --port 7400 --setup --admin-key K --key K --duration 10          closed loop
//   credo-loadgen --port 7400 --demo --rate 10000 --duration 10                     open loop
//   credo-loadgen --protocol redis --port 6390 --setup --redis-script F.lua ...     Redis peer
//
// Only loopback addresses are accepted: this tool generates load, and load is only ever
// pointed at a server on this machine.
//
// Exit status: 0 a run that measured orders; 1 could not start or set up; 2 usage error;
// 3 protocol errors (unparsable answers, lost connections); 4 more than 90% of the outcomes were
// rejections or errors (the dataset is missing: run once with --setup).
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>

#include "net/json_writer.h"
#include "tools/loadgen/driver.h"
#include "tools/loadgen/report.h"
#include "tools/loadgen/tls_client.h"
#include "tools/loadgen/wire.h"

namespace credo::loadgen {
namespace {

// `s` as a JSON string, quotes included: the one escaper credo has (net/json_writer.h).
std::string json_string(std::string_view s) {
  std::string out;
  net::append_json_string(out, s);
  return out;
}

bool is_loopback(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  return host == "::1";
}

// A blocking connection for setup: writes a chunk of requests, then reads their answers.
class SetupClient {
 public:
  SetupClient() = default;
  ~SetupClient() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (ctx_ != nullptr) SSL_CTX_free(ctx_);
    if (fd_ >= 0) ::close(fd_);
  }
  // After open(), for --tls.
  bool start_tls(const std::string& host, const std::string& ca, std::string* error) {
    ctx_ = make_tls_client_context(ca, error);
    if (ctx_ != nullptr) ssl_ = tls_connect(ctx_, fd_, host, error);
    return ssl_ != nullptr;
  }
  SetupClient(const SetupClient&) = delete;  // owns fd_: a copy would close it twice
  SetupClient& operator=(const SetupClient&) = delete;
  bool open(const std::string& host, uint16_t port, std::string* error) {
    fd_ = connect_tcp(Address{host, port}, error);
    return fd_ >= 0;
  }
  bool send_all(const std::string& data) {
    std::size_t off = 0;
    while (off < data.size()) {
      ssize_t n = ssl_ != nullptr ? SSL_write(ssl_, data.data() + off,
                                              static_cast<int>(std::min<std::size_t>(
                                                  data.size() - off, std::size_t{1} << 30)))
                                  : ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      off += static_cast<std::size_t>(n);
    }
    return true;
  }
  bool fill() {
    char buf[65536];
    ssize_t n;
    do n = ssl_ != nullptr ? SSL_read(ssl_, buf, sizeof buf) : ::recv(fd_, buf, sizeof buf, 0);
    while (n < 0 && errno == EINTR);
    if (n <= 0) return false;
    in_.append(buf, static_cast<std::size_t>(n));
    return true;
  }
  bool read_line(std::string* line) {
    while (true) {
      auto nl = in_.find('\n');
      if (nl != std::string::npos) {
        line->assign(in_, 0, nl);
        in_.erase(0, nl + 1);
        return true;
      }
      if (!fill()) return false;
    }
  }
  bool read_resp(RespReply* reply) {
    while (true) {
      long used = parse_resp(in_, reply);
      if (used < 0) return false;
      if (used > 0) {
        in_.erase(0, static_cast<std::size_t>(used));
        return true;
      }
      if (!fill()) return false;
    }
  }

 private:
  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  std::string in_;
};

// Sends `requests` (count answers expected) and checks every answer is ok. Pipelined: the
// chunks are small enough that the answers fit the socket buffers while we write.
bool credo_exchange(SetupClient& client, const std::string& requests, std::size_t count,
                    std::string* error) {
  if (!client.send_all(requests)) {
    *error = "setup: connection lost while writing";
    return false;
  }
  std::string line;
  Answer a;
  for (std::size_t i = 0; i < count; i++) {
    if (!client.read_line(&line)) {
      *error = "setup: connection lost while reading";
      return false;
    }
    if (!parse_credo_answer(line, &a) || !a.ok) {
      *error = "setup: the server answered " + line;
      return false;
    }
  }
  return true;
}

constexpr std::size_t kSetupChunk = 500;

bool setup_credo(const DriverConfig& config, const std::string& admin_key, std::string* error) {
  SetupClient client;
  if (!client.open(config.host, config.port, error)) return false;
  if (config.tls && !client.start_tls(config.host, config.tls_ca, error)) return false;
  std::string out;
  append_hello(out, admin_key);
  if (!credo_exchange(client, out, 1, error)) return false;
  const DatasetConfig& d = config.workload.data;
  std::size_t pending = 0;
  out.clear();
  auto step = [&]() {
    if (++pending < kSetupChunk) return true;
    bool ok = credo_exchange(client, out, pending, error);
    out.clear();
    pending = 0;
    return ok;
  };
  for (uint32_t i = 0; i < d.customers; i++) {
    append_upsert_customer(out, customer_id(i), kNormalCreditLimitMinor);
    if (!step()) return false;
  }
  for (uint32_t i = 0; i < kTightCustomers; i++) {
    append_upsert_customer(out, tight_customer_id(i), 0);
    if (!step()) return false;
  }
  for (uint32_t i = 0; i < d.products; i++) {
    append_upsert_product(out, sku(i), price_minor(i), floor_minor(i), kNormalOnHand);
    if (!step()) return false;
  }
  for (uint32_t i = 0; i < kStockoutProducts; i++) {
    append_upsert_product(out, stockout_sku(i), 1000, 900, 0);
    if (!step()) return false;
  }
  return pending == 0 || credo_exchange(client, out, pending, error);
}

// Redis: one hash per customer and product, the same dataset as credo's; loads the script.
bool setup_redis(const DriverConfig& config, bool load_data, const std::string& script_path,
                 std::string* sha, std::string* error) {
  SetupClient client;
  if (!client.open(config.host, config.port, error)) return false;
  std::ifstream f(script_path);
  if (!f) {
    *error = "cannot read --redis-script " + script_path;
    return false;
  }
  std::stringstream ss;
  ss << f.rdbuf();
  std::string script = ss.str();
  std::string out;
  append_resp_command(out, {"SCRIPT", "LOAD", script});
  RespReply reply;
  if (!client.send_all(out) || !client.read_resp(&reply) || reply.type != '$') {
    *error = "redis: SCRIPT LOAD failed: " + reply.text;
    return false;
  }
  *sha = reply.text;
  if (!load_data) return true;
  out.clear();
  std::size_t pending = 0;
  auto step = [&]() {
    if (++pending < kSetupChunk) return true;
    if (!client.send_all(out)) return false;
    for (std::size_t i = 0; i < pending; i++)
      if (!client.read_resp(&reply) || reply.type == '-') {
        *error = "redis setup: " + reply.text;
        return false;
      }
    out.clear();
    pending = 0;
    return true;
  };
  const DatasetConfig& d = config.workload.data;
  auto customer = [&](const std::string& id, int64_t limit) {
    std::string key = "c:" + id, lim = std::to_string(limit);
    append_resp_command(out, {"HSET", key, "limit", lim, "exposure", "0", "status", "0", "grade",
                              "A", "oldest_due_day", "0"});
    return step();
  };
  auto product = [&](const std::string& s, int64_t price, int64_t floor, int64_t on_hand) {
    std::string key = "p:" + s, p = std::to_string(price), fl = std::to_string(floor),
                oh = std::to_string(on_hand);
    append_resp_command(out,
                        {"HSET", key, "price", p, "floor", fl, "on_hand", oh, "reserved", "0"});
    return step();
  };
  for (uint32_t i = 0; i < d.customers; i++)
    if (!customer(customer_id(i), kNormalCreditLimitMinor)) return false;
  for (uint32_t i = 0; i < kTightCustomers; i++)
    if (!customer(tight_customer_id(i), 0)) return false;
  for (uint32_t i = 0; i < d.products; i++)
    if (!product(sku(i), price_minor(i), floor_minor(i), kNormalOnHand)) return false;
  for (uint32_t i = 0; i < kStockoutProducts; i++)
    if (!product(stockout_sku(i), 1000, 900, 0)) return false;
  if (pending > 0) {
    if (!client.send_all(out)) return false;
    for (std::size_t i = 0; i < pending; i++)
      if (!client.read_resp(&reply) || reply.type == '-') {
        *error = "redis setup: " + reply.text;
        return false;
      }
  }
  return true;
}

double us(uint64_t ns) {
  return static_cast<double>(ns) / 1000.0;
}

void write_latency_json(std::ostream& o, const Histogram& h) {
  o << "{\"count\":" << h.count() << ",\"p50_us\":" << us(h.percentile_ns(0.50))
    << ",\"p90_us\":" << us(h.percentile_ns(0.90)) << ",\"p99_us\":" << us(h.percentile_ns(0.99))
    << ",\"p999_us\":" << us(h.percentile_ns(0.999)) << ",\"max_us\":" << us(h.max_ns())
    << ",\"mean_us\":" << h.mean_ns() / 1000.0 << "}";
}

void print_latency(FILE* f, const char* label, const Histogram& h) {
  std::fprintf(f, "%-10s p50 %9.1f  p90 %9.1f  p99 %9.1f  p99.9 %9.1f  max %9.1f  mean %9.1f us\n",
               label, us(h.percentile_ns(0.50)), us(h.percentile_ns(0.90)),
               us(h.percentile_ns(0.99)), us(h.percentile_ns(0.999)), us(h.max_ns()),
               h.mean_ns() / 1000.0);
}

}  // namespace
}  // namespace credo::loadgen

static int run_main(int argc, char** argv) {
  using namespace credo::loadgen;
  CLI::App app{
      "credo-loadgen: load generator for credo-server (docs/protocol.md) and the Redis peer"};
  DriverConfig config;
  std::string protocol = "credo", mix_text = "orders=100", json_path, admin_key, key;
  std::string finance_key, warehouse_key, redis_script;
  bool setup = false, demo = false;
  app.add_option("--protocol", protocol,
                 "credo (NDJSON over TCP), http (the same ops over HTTP/1.1 keep-alive, "
                 "docs/http.md; --port is then the HTTP port), or redis (the peer benchmark)")
      ->check(CLI::IsMember({"credo", "http", "redis"}))
      ->capture_default_str();
  std::vector<std::string> hosts{"127.0.0.1"};
  app.add_option("--host", hosts,
                 "server address, HOST or HOST:PORT (loopback only); several: a replicated "
                 "primary and standbys, NOT_PRIMARY moves a connection to the next")
      ->capture_default_str();
  app.add_option("--port", config.port, "server port")->capture_default_str();
  app.add_flag("--tls", config.tls, "credo: connect with TLS (credo-server --tls-cert)");
  app.add_option("--ca", config.tls_ca, "with --tls: PEM CA to verify the server (default: system's)");
  app.add_option("--threads", config.threads, "client threads (each its own epoll loop)")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option("--connections", config.connections, "connections, spread over the threads")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  app.add_option("--pipeline", config.pipeline,
                 "closed loop: requests in flight per connection; open loop: the cap")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  app.add_option("--rate", config.rate,
                 "open loop: requests/s offered (0 = closed loop, max throughput)")
      ->check(CLI::Range(0.0, 1e8))
      ->capture_default_str();
  app.add_option("--duration", config.duration_s, "measured seconds")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  app.add_option("--warmup", config.warmup_s, "seconds of load before measuring")
      ->check(CLI::Range(0.0, 600.0))
      ->capture_default_str();
  app.add_flag("--spin", config.spin,
               "poll instead of sleeping (each thread takes a core): the loadgen's own timer "
               "and wake-up latency leave the figures");
  app.add_option("--drain", config.drain_s, "seconds to wait for owed answers at the end")
      ->check(CLI::Range(0.0, 60.0))
      ->capture_default_str();
  app.add_option("--mix", mix_text, "weights: orders=80,quotes=10,payments=5,ships=5")
      ->capture_default_str();
  app.add_option("--lines", config.workload.lines, "lines per order")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  app.add_option("--qty-max", config.workload.qty_max, "units per line: 1..N")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  app.add_option("--limit-pct", config.workload.limit_pct,
                 "% of orders by customers at their credit limit (held)")
      ->check(CLI::Range(0.0, 100.0))
      ->capture_default_str();
  app.add_option("--stockout-pct", config.workload.stockout_pct,
                 "% of orders with a line out of stock (rejected)")
      ->check(CLI::Range(0.0, 100.0))
      ->capture_default_str();
  app.add_option("--discount-pct", config.workload.discount_pct,
                 "% of orders asking 2% off list (held for approval at level 0)")
      ->check(CLI::Range(0.0, 100.0))
      ->capture_default_str();
  app.add_option("--batch", config.batch, "orders per submit_orders request (1: submit_order)")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  app.add_option("--customers", config.workload.data.customers, "normal customers in the dataset")
      ->check(CLI::Range(1, 10'000'000))
      ->capture_default_str();
  app.add_option("--products", config.workload.data.products, "normal products in the dataset")
      ->check(CLI::Range(1, 10'000'000))
      ->capture_default_str();
  app.add_option("--seed", config.workload.seed, "workload seed")->capture_default_str();
  app.add_flag("--setup", setup,
               "create the dataset through the protocol first (needs --admin-key)");
  app.add_option("--admin-key", admin_key, "key with the admin role, for --setup");
  app.add_option("--key", key, "key for orders and quotes (and payments/ships unless given below)");
  app.add_option("--finance-key", finance_key, "key for record_payment (default: --key)");
  app.add_option("--warehouse-key", warehouse_key, "key for ship (default: --key)");
  app.add_flag("--demo", demo,
               "use a credo-server --demo: its keys (demo-order, -finance, -warehouse, -admin); "
               "the dataset is still the loadgen's own (add --setup once)");
  app.add_option("--redis-script", redis_script, "redis: the Lua order script to SCRIPT LOAD");
  app.add_option("--json", json_path, "also write the report as JSON to this file");
  app.footer(
      "Examples:\n"
      "  credo-loadgen --demo --setup --duration 10        against scripts/run-demo.sh; "
      "--setup\n"
      "                                                     creates the loadgen's customers "
      "and skus\n"
      "                                                     (once per server)\n"
      "  credo-loadgen --demo --rate 10000 --duration 10   open loop at 10,000 requests/s\n"
      "  credo-loadgen --port 7400 --setup --admin-key K --key K --json run.json\n"
      "  credo-loadgen --protocol http --port 7480 --demo --pipeline 1   HTTP edge, keep-alive\n"
      "  credo-loadgen --tls --ca ca.pem --demo --setup        over TLS (credo-server --tls-cert)\n"
      "\nExit status: 0 ok; 1 could not start; 2 usage; 3 protocol errors; 4 more than 90% of "
      "the orders\nrejected or answered with errors (no dataset: run once with --setup).\n");
  CLI11_PARSE(app, argc, argv);

  config.protocol = protocol == "redis"  ? Protocol::redis
                    : protocol == "http" ? Protocol::http
                                         : Protocol::credo;
  std::string error;
  if (config.tls && config.protocol != Protocol::credo) {
    std::fprintf(stderr, "credo-loadgen: --tls is for --protocol credo\n");
    return 2;
  }
  if (!parse_hosts(hosts, config.port, &config.addresses, &error) ||
      (config.addresses.size() > 1 && config.protocol != Protocol::credo)) {
    std::fprintf(stderr, "credo-loadgen: %s\n",
                 error.empty() ? "several --host are for --protocol credo" : error.c_str());
    return 2;
  }
  config.host = config.addresses.front().host;
  config.port = config.addresses.front().port;
  for (const Address& a : config.addresses)
    if (!is_loopback(a.host)) {
      std::fprintf(stderr,
                   "credo-loadgen: refusing %s: load goes to loopback only (127.0.0.0/8, "
                   "localhost, ::1)\n",
                   a.host.c_str());
      return 2;
    }
  if (!parse_mix(mix_text, &config.workload.mix, &error)) {
    std::fprintf(stderr, "credo-loadgen: --mix: %s\n", error.c_str());
    return 2;
  }
  if (demo) {
    if (key.empty()) key = "demo-order";
    if (finance_key.empty()) finance_key = "demo-finance";
    if (warehouse_key.empty()) warehouse_key = "demo-warehouse";
    if (admin_key.empty()) admin_key = "demo-admin";
  }
  config.order_key = key;
  config.finance_key = finance_key.empty() ? key : finance_key;
  config.warehouse_key = warehouse_key.empty() ? key : warehouse_key;
  for (const std::string* k :
       {&config.order_key, &config.finance_key, &config.warehouse_key, &admin_key})
    for (char c : *k)
      if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) {
        std::fprintf(
            stderr,
            "credo-loadgen: keys may not contain quotes, backslashes or control characters\n");
        return 2;
      }
  if (config.protocol == Protocol::http && setup) {
    std::fprintf(stderr,
                 "credo-loadgen: --setup speaks the TCP protocol: run it once with --protocol "
                 "credo against the TCP port, then --protocol http\n");
    return 2;
  }
  if (config.protocol != Protocol::redis && config.order_key.empty()) {
    std::fprintf(stderr, "credo-loadgen: --key (or --demo) is required\n");
    return 2;
  }
  if (config.protocol == Protocol::redis) {
    if (redis_script.empty()) {
      std::fprintf(stderr, "credo-loadgen: --protocol redis needs --redis-script\n");
      return 2;
    }
    if (config.batch != 1 || config.workload.mix.weight[0] == 0) {
      std::fprintf(stderr, "credo-loadgen: the redis peer runs orders only (no --batch)\n");
    }
  }
  // Unique per run: ids stay fresh against a server that keeps its data between runs.
  config.workload.run_tag =
      "r" + std::to_string(std::chrono::system_clock::now().time_since_epoch().count() / 1000 %
                           100'000'000'000ull);

  auto setup_start = std::chrono::steady_clock::now();
  if (config.protocol == Protocol::credo && setup) {
    if (admin_key.empty()) {
      std::fprintf(stderr, "credo-loadgen: --setup needs --admin-key (or --demo)\n");
      return 2;
    }
    if (!setup_credo(config, admin_key, &error)) {
      std::fprintf(stderr, "credo-loadgen: %s\n", error.c_str());
      return 1;
    }
  }
  if (config.protocol == Protocol::redis &&
      !setup_redis(config, setup, redis_script, &config.redis_sha, &error)) {
    std::fprintf(stderr, "credo-loadgen: %s\n", error.c_str());
    return 1;
  }
  if (setup)
    std::fprintf(
        stderr, "setup: %u customers (+%u at limit), %u products (+%u out of stock) in %.1f s\n",
        config.workload.data.customers, kTightCustomers, config.workload.data.products,
        kStockoutProducts,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - setup_start).count());

  Progress progress;
  RunResult result;
  std::atomic<bool> done{false};
  std::thread reporter([&] {
    uint64_t last_answers = 0, last_orders = 0;
    auto t0 = std::chrono::steady_clock::now();
    for (int s = 1; !done.load(); s++) {
      auto until = t0 + std::chrono::seconds(s);
      while (!done.load() && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      if (done.load()) break;
      uint64_t a = progress.answers.load(), o = progress.orders.load();
      std::fprintf(stderr, "[%3ds] %9llu req/s %9llu orders/s  errors %llu  in flight %llu\n", s,
                   static_cast<unsigned long long>(a - last_answers),
                   static_cast<unsigned long long>(o - last_orders),
                   static_cast<unsigned long long>(progress.errors.load()),
                   static_cast<unsigned long long>(progress.inflight.load()));
      last_answers = a;
      last_orders = o;
    }
  });
  bool ok = run_load(config, &progress, &result, &error);
  done = true;
  reporter.join();
  if (!ok) {
    std::fprintf(stderr, "credo-loadgen: %s\n", error.c_str());
    return 1;
  }

  const double secs = result.measured_s;
  const double req_rate = result.requests / secs;
  const double order_rate = result.orders / secs;
  std::string mode =
      config.rate > 0 ? "open loop at " + std::to_string(static_cast<long long>(config.rate)) + "/s"
                      : "closed loop";
  std::printf(
      "credo-loadgen: %s %s:%u, %s, %u connections x pipeline %u, %u thread(s), %.1f s"
      " (+%.1f s warmup), %u lines/order, batch %u\n",
      protocol.c_str(), config.host.c_str(), config.port, mode.c_str(), config.connections,
      config.pipeline, config.threads, secs, config.warmup_s, config.workload.lines, config.batch);
  std::printf("requests   %llu answered, %.0f/s\n",
              static_cast<unsigned long long>(result.requests), req_rate);
  std::printf("orders     %llu decided, %.0f/s: accepted %llu, held %llu, rejected %llu\n",
              static_cast<unsigned long long>(result.orders), order_rate,
              static_cast<unsigned long long>(result.accepted),
              static_cast<unsigned long long>(result.held),
              static_cast<unsigned long long>(result.rejected));
  std::printf("errors     %llu", static_cast<unsigned long long>(result.errors));
  for (auto& [code, n] : result.errors_by_code)
    std::printf("  %s %llu", code.c_str(), static_cast<unsigned long long>(n));
  std::printf("\nprotocol   %llu protocol errors, %llu unanswered\n",
              static_cast<unsigned long long>(result.protocol_errors),
              static_cast<unsigned long long>(result.unanswered));
  if (result.ships_substituted)
    std::printf("note       %llu ships sent as orders (no accepted order to ship yet)\n",
                static_cast<unsigned long long>(result.ships_substituted));
  print_latency(stdout, "latency", result.latency);
  for (int k = 0; k < kOpKinds; k++)
    if (result.requests_by_kind[k] && result.requests_by_kind[k] != result.requests)
      print_latency(stdout, to_string(static_cast<OpKind>(k)), result.latency_by_kind[k]);

  if (!json_path.empty()) {
    std::ofstream o(json_path);
    o << "{\"protocol\":\"" << protocol << "\",\"mode\":\"" << (config.rate > 0 ? "open" : "closed")
      << "\",\"offered_rate\":" << config.rate << ",\"connections\":" << config.connections
      << ",\"pipeline\":" << config.pipeline << ",\"threads\":" << config.threads
      << ",\"duration_s\":" << secs << ",\"warmup_s\":" << config.warmup_s
      << ",\"lines\":" << config.workload.lines << ",\"batch\":" << config.batch
      << ",\"mix\":" << json_string(mix_text) << ",\"requests\":" << result.requests
      << ",\"requests_per_s\":" << req_rate << ",\"orders\":" << result.orders
      << ",\"orders_per_s\":" << order_rate << ",\"accepted\":" << result.accepted
      << ",\"held\":" << result.held << ",\"rejected\":" << result.rejected
      << ",\"errors\":" << result.errors << ",\"errors_by_code\":{";
    bool first = true;
    for (auto& [code, n] : result.errors_by_code) {
      o << (first ? "" : ",") << json_string(code) << ":" << n;
      first = false;
    }
    o << "},\"protocol_errors\":" << result.protocol_errors
      << ",\"unanswered\":" << result.unanswered << ",\"latency\":";
    write_latency_json(o, result.latency);
    o << ",\"by_kind\":{";
    first = true;
    for (int k = 0; k < kOpKinds; k++) {
      if (!result.requests_by_kind[k]) continue;
      o << (first ? "" : ",") << "\"" << to_string(static_cast<OpKind>(k)) << "\":";
      write_latency_json(o, result.latency_by_kind[k]);
      first = false;
    }
    o << "}}\n";
    if (!o) {
      std::fprintf(stderr, "credo-loadgen: cannot write %s\n", json_path.c_str());
      return 1;
    }
  }
  if (result.protocol_errors != 0) return 3;
  // A run of refusals measured the wrong thing; its throughput must not be mistaken for the
  // server's. Said last and on stderr so that it is the last thing a reader sees.
  if (const double refused = refused_share(result); refused > kRefusedShareMax) {
    (void)std::fflush(stdout);  // the report first, then the warning, also when both are piped
    const uint64_t outcomes = result.orders + result.errors;
    std::fprintf(
        stderr,
        "\ncredo-loadgen: WARNING: %.1f%% of the outcomes were rejections or errors "
        "(rejected %llu, errors %llu of %llu): these numbers measure refusals, not "
        "orders.\n"
        "credo-loadgen: the server probably lacks the loadgen's dataset (customers "
        "LC000001.., skus LP000001..): run once with --setup (with --demo, or --admin-key K).\n",
        refused * 100, static_cast<unsigned long long>(result.rejected),
        static_cast<unsigned long long>(result.errors), static_cast<unsigned long long>(outcomes));
    return 4;
  }
  return 0;
}

// An exception that escapes (std::bad_alloc, std::system_error from a thread) ends the program
// with its message and exit status 1 instead of std::terminate's abort.
int main(int argc, char** argv) {
  try {
    return run_main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "credo-loadgen: %s\n", e.what());
    return 1;
  }
}
