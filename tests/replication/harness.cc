#include "tests/replication/harness.h"

#include <gtest/gtest.h>
#include <nats/nats.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>

#include "tests/common/json_answer.h"
#include "tests/common/server_process.h"

namespace credo::test {

uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    ::close(fd);
    return 0;
  }
  ::close(fd);
  return ntohs(a.sin_port);
}

NatsCluster::NatsCluster(int n) {
  nodes_.resize(static_cast<std::size_t>(n));
  for (int i = 0; i < n; i++) {
    Node& node = nodes_[static_cast<std::size_t>(i)];
    node.port = free_port();
    node.cluster_port = n > 1 ? free_port() : 0;
    node.store = dir_.path() + "/n" + std::to_string(i);
  }
  for (int i = 0; i < n; i++) start(i);
  EXPECT_TRUE(jetstream_ready(20'000)) << "JetStream did not become ready";
}

NatsCluster::~NatsCluster() {
  for (Node& node : nodes_) {
    if (node.pid <= 0) continue;
    ::kill(node.pid, SIGTERM);
    int status = 0;
    ::waitpid(node.pid, &status, 0);
  }
}

std::string NatsCluster::url(int i) const {
  return "nats://127.0.0.1:" + std::to_string(nodes_[static_cast<std::size_t>(i)].port);
}

std::string NatsCluster::urls() const {
  std::string out;
  for (int i = 0; i < size(); i++) out += (i > 0 ? "," : "") + url(i);
  return out;
}

void NatsCluster::start(int i) {
  Node& node = nodes_[static_cast<std::size_t>(i)];
  std::vector<std::string> args = {"nats-server", "-a", "127.0.0.1", "-p",
                                   std::to_string(node.port), "-js", "-sd", node.store,
                                   "--name", "n" + std::to_string(i)};
  if (size() > 1) {
    std::string routes;
    for (const Node& other : nodes_)
      routes += (routes.empty() ? "" : ",") + std::string("nats://127.0.0.1:") +
                std::to_string(other.cluster_port);
    for (const std::string& a :
         {std::string("--cluster_name"), std::string("credo"), std::string("--cluster"),
          "nats://127.0.0.1:" + std::to_string(node.cluster_port), std::string("--routes"),
          routes})
      args.push_back(a);
  }
  node.pid = ::fork();
  if (node.pid == 0) {
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (std::getenv("CREDO_TEST_VERBOSE") == nullptr) {
      FILE* null = std::freopen("/dev/null", "w", stderr);
      (void)null;
    }
    ::execvp("nats-server", argv.data());
    ::_exit(127);
  }
  for (int k = 0; k < 400 && !Client(node.port, 1000).connected(); k++)
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  EXPECT_TRUE(Client(node.port, 1000).connected()) << "nats-server did not start on port " << node.port;
}

void NatsCluster::kill(int i) {
  Node& node = nodes_[static_cast<std::size_t>(i)];
  if (node.pid <= 0) return;
  ::kill(node.pid, SIGKILL);
  int status = 0;
  ::waitpid(node.pid, &status, 0);
  node.pid = -1;
}

namespace {

// Runs `probe` with a JetStream context on the cluster until it returns true or `ms` pass.
template <typename Probe>
bool with_js(const std::string& urls, int ms, Probe probe) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < deadline) {
    natsOptions* opts = nullptr;
    natsConnection* nc = nullptr;
    natsOptions_Create(&opts);
    std::vector<std::string> list;
    for (std::size_t at = 0; at <= urls.size();) {
      std::size_t comma = urls.find(',', at);
      if (comma == std::string::npos) comma = urls.size();
      list.push_back(urls.substr(at, comma - at));
      at = comma + 1;
    }
    std::vector<const char*> ptrs;
    ptrs.reserve(list.size());
    for (const std::string& u : list) ptrs.push_back(u.c_str());
    natsOptions_SetServers(opts, ptrs.data(), static_cast<int>(ptrs.size()));
    natsOptions_SetTimeout(opts, 1000);
    bool ok = false;
    if (natsConnection_Connect(&nc, opts) == NATS_OK) {
      jsOptions jo;
      jsOptions_Init(&jo);
      jo.Wait = 1000;
      jsCtx* js = nullptr;
      if (natsConnection_JetStream(&js, nc, &jo) == NATS_OK) {
        ok = probe(js);
        jsCtx_Destroy(js);
      }
      natsConnection_Destroy(nc);
    }
    natsOptions_Destroy(opts);
    if (ok) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

}  // namespace

bool NatsCluster::jetstream_ready(int ms) const {
  // The meta leader answers a stream lookup (found or not) once it is elected.
  return with_js(urls(), ms, [](jsCtx* js) {
    jsStreamInfo* si = nullptr;
    jsErrCode je = static_cast<jsErrCode>(0);
    natsStatus s = js_GetStreamInfo(&si, js, "credo-readiness-probe", nullptr, &je);
    if (s == NATS_OK) jsStreamInfo_Destroy(si);
    return s == NATS_OK || s == NATS_NOT_FOUND || je == JSStreamNotFoundErr;
  });
}

bool NatsCluster::stream_ready(const std::string& stream, int ms) const {
  return with_js(urls(), ms, [&](jsCtx* js) {
    jsStreamInfo* si = nullptr;
    jsErrCode je = static_cast<jsErrCode>(0);
    if (js_GetStreamInfo(&si, js, stream.c_str(), nullptr, &je) != NATS_OK) return false;
    // A leader, and every other replica online and caught up: only then may another node go
    // down without the stream losing its quorum.
    bool current = si->Cluster == nullptr || (si->Cluster->Leader != nullptr &&
                                              si->Cluster->ReplicasLen == size() - 1);
    for (int r = 0; current && si->Cluster != nullptr && r < si->Cluster->ReplicasLen; r++) {
      const jsPeerInfo* p = si->Cluster->Replicas[r];
      current = p->Current && !p->Offline;
    }
    jsStreamInfo_Destroy(si);
    return current;
  });
}

std::vector<std::string> replica_args(const NatsCluster& nats, const ReplicaOptions& o) {
  std::vector<std::string> a = {"--replicate", nats.urls(), "--replicas",
                                std::to_string(nats.size() >= 3 ? 3 : 1), "--lease-ms",
                                std::to_string(o.lease_ms)};
  if (o.follow) a.emplace_back("--follow");
  if (!o.data.empty()) {
    a.emplace_back("--data");
    a.push_back(o.data);
  }
  return a;
}

void setup_world(Client& admin) {
  ASSERT_TRUE(
      Json(admin.call(R"({"op":"upsert_product","sku":"B","price":100,"on_hand":10000000})"))
          .ok());
  ASSERT_TRUE(Json(admin.call(
                       R"({"op":"upsert_customer","customer":"C","grade":"A","credit_limit":100000000000})"))
                  .ok());
}

std::string order(const std::string& id) {
  return R"({"op":"submit_order","customer":"C","client_order_id":")" + id +
         R"(","lines":[{"sku":"B","qty":1}]})";
}

std::string payment(const std::string& ref) {
  return R"({"op":"record_payment","customer":"C","payment_ref":")" + ref + R"(","amount":7})";
}

Hash state_hash(Client& c) {
  Json h(c.call(R"({"op":"state_hash"})"));
  return {h.num("/seq"), h.str("/hash")};
}

Hash wait_for_seq(Client& c, int64_t seq, int ms) {
  Hash h;
  for (int i = 0; i < ms / 10; i++) {
    h = state_hash(c);
    if (h.seq >= seq) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return h;
}

Hash wait_for_seq(uint16_t port, int64_t seq, int ms) {
  Hash h;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < deadline) {
    Client c(port, 2'000);
    if (c.connected() && c.hello(kAdminKey)) {
      for (;;) {
        h = state_hash(c);
        if (h.seq < 0 || h.seq >= seq || std::chrono::steady_clock::now() > deadline) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      if (h.seq >= seq) return h;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return h;
}

Load::Load(uint16_t port, const std::string& tag, int order_connections, bool payments) {
  for (int i = 0; i < order_connections; i++)
    threads_.emplace_back([this, port, tag, i] { run(port, tag + "o" + std::to_string(i), false); });
  if (payments) threads_.emplace_back([this, port, tag] { run(port, tag + "p", true); });
}

Load::~Load() {
  stop();
}

void Load::stop() {
  stop_.store(true);
  for (std::thread& t : threads_)
    if (t.joinable()) t.join();
}

std::vector<Load::Answered> Load::answered() {
  std::lock_guard lock(mu_);
  return answered_;
}

std::vector<std::string> Load::errors() {
  std::lock_guard lock(mu_);
  return errors_;
}

void Load::run(uint16_t port, const std::string& prefix, bool payments) {
  Client c(port, 10'000);
  if (!c.hello(payments ? kFinanceKey : kOrderKey)) return;
  for (int round = 0; !stop_.load(); round++) {
    std::vector<Answered> sent;
    std::string burst;
    for (int i = 0; i < 40; i++) {
      Answered a;
      a.id = prefix + "-" + std::to_string(round) + "-" + std::to_string(i);
      a.request = payments ? payment(a.id) : order(a.id);
      burst += a.request + "\n";
      sent.push_back(std::move(a));
    }
    if (!c.send(burst)) return;
    std::string line;
    for (Answered& a : sent) {
      if (!c.read_line(&line)) return;
      Json r(line);
      std::lock_guard lock(mu_);
      if (r.ok()) {
        if (!payments) {
          a.order_no = r.num("/order_no");
          a.status = r.str("/status");
        }
        answered_.push_back(std::move(a));
      } else {
        errors_.push_back(line);
      }
    }
  }
}

}  // namespace credo::test
