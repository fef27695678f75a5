// Counters the server's threads share (the stats op, the startup and shutdown lines).
#pragma once

#include <atomic>
#include <cstdint>

namespace credo::net {

struct SharedCounters {
  std::atomic<uint64_t> commands_applied{0};
  std::atomic<uint64_t> last_journaled_seq{0};
  std::atomic<uint64_t> connections{0};
  std::atomic<uint64_t> connections_total{0};
  std::atomic<uint64_t> overloaded{0};
};

}  // namespace credo::net
