// State the I/O thread's sessions share. Everything here is touched by the I/O thread only,
// except the references to thread-safe objects (the engine loop's queue, the log's counters).
#pragma once

#include <array>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "net/codec.h"
#include "net/command_log.h"
#include "net/counters.h"
#include "net/engine_loop.h"
#include "net/keys.h"
#include "net/latency_histogram.h"
#include "net/server.h"

namespace credo::net {

class Connection;

struct IoShared {
  const ServerOptions& options;
  boost::asio::io_context& io;
  const KeyStore& keys;
  EngineLoop& engine;
  const CommandLog& log;
  SharedCounters& counters;
  std::chrono::steady_clock::time_point started;
  RequestParser parser;  // one per I/O thread
  Request request;       // reused by the parser
  std::array<LatencyHistogram, kOpCount> latency;  // by OpId (engine/ops.h)
  std::vector<std::weak_ptr<Connection>> sessions;  // both edges  // for shutdown; pruned as they close
  bool draining = false;
  std::function<void()> on_session_closed;  // shutdown watches the count fall to zero
};

}  // namespace credo::net
