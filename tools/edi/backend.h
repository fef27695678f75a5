// Where translated purchase orders go: credo-server (ServerBackend: submit_orders batches,
// pipelined, one connection per API key), or nowhere (translate mode: the session prints them).
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "edi/decision.h"
#include "edi/purchase_order.h"
#include "tools/edi/connection.h"

namespace credo::edi_tool {

using DecisionFn = std::function<void(const edi::Decision&)>;

class Backend {
 public:
  virtual ~Backend() = default;
  // Queues one order (a submit_order body); `done` runs later, in queue order, with its decision.
  virtual void submit(const edi::Partner& p, std::string body, DecisionFn done) = 0;
  // Cancels the order (customer, PO number); runs after everything queued is decided.
  virtual edi::Decision cancel(const edi::PurchaseOrder& po, const std::string& reason) = 0;
  // Applies an 860's changes to the order with amend_order (after everything queued).
  virtual edi::Decision change(const edi::PurchaseOrder& po, const std::string& amendment_id) = 0;
  virtual void flush() = 0;  // every queued decision delivered
  virtual bool failed(std::string* why) const = 0;  // the server could not be reached / went away
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 7400;
  std::size_t batch = 2000;  // orders per submit_orders (1..10,000)
  std::size_t depth = 3;     // batches in flight
};

class ServerBackend : public Backend {
 public:
  explicit ServerBackend(ServerOptions o) : o_(std::move(o)) {}
  void submit(const edi::Partner& p, std::string body, DecisionFn done) override;
  edi::Decision cancel(const edi::PurchaseOrder& po, const std::string& reason) override;
  edi::Decision change(const edi::PurchaseOrder& po, const std::string& amendment_id) override;
  void flush() override;
  bool failed(std::string* why) const override {
    *why = error_;
    return !error_.empty();
  }
  std::size_t requests() const { return requests_; }

 private:
  struct Batch {
    Connection* conn = nullptr;
    std::vector<DecisionFn> done;
    std::string line;  // the request, until sent
  };
  Connection* connection(const std::string& key);
  void send_open(const std::string& key);
  void receive_oldest();
  edi::Decision call(const std::string& key, const std::string& request);
  edi::Decision failure(const std::string& why);

  ServerOptions o_;
  std::map<std::string, std::unique_ptr<Connection>> conns_;
  std::map<std::string, Batch> open_;  // per API key, being filled
  std::deque<Batch> inflight_;
  std::string error_;
  std::size_t requests_ = 0;
};

}  // namespace credo::edi_tool
