// The real credo-server binary as a child process, for tests that talk to it over TCP: started
// on a free loopback port (--port 0; the port is read from its startup line) with the manual
// clock and a keys file in a temporary directory of its own, stopped by its pid.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "tests/common/temp_dir.h"

namespace credo::test {

// The keys in kTestKeysJson (principal name = the key's role, for readable tests).
inline constexpr const char* kAdminKey = "k-admin";          // admin, level 3
inline constexpr const char* kOrderKey = "k-order";          // order, level 0
inline constexpr const char* kCreditKey = "k-credit";        // credit, level 1
inline constexpr const char* kWarehouseKey = "k-warehouse";  // warehouse
inline constexpr const char* kFinanceKey = "k-finance";      // finance, level 2
inline constexpr const char* kFinance1Key = "k-finance1";    // finance, level 1

// The keys file every test server gets unless the test brings its own (format: net/keys.h).
inline constexpr const char* kTestKeysJson = R"({"keys":[
      {"key":"k-admin","principal":"admin","roles":["admin"],"level":3},
      {"key":"k-order","principal":"rep","roles":["order"],"level":0},
      {"key":"k-credit","principal":"credit","roles":["credit"],"level":1},
      {"key":"k-warehouse","principal":"warehouse","roles":["warehouse"],"level":0},
      {"key":"k-finance","principal":"finance","roles":["finance"],"level":2},
      {"key":"k-finance1","principal":"finance1","roles":["finance"],"level":1}]})";

// The credo-server binary the build made (for tests that run it themselves).
const char* server_binary();

// CREDO_TEST_ENGINE_INLINE=1: servers the tests start run their engine on the I/O thread
// (--engine-inline, ServerOptions::engine_inline).
bool engine_inline_for_tests();

class ServerProcess {
 public:
  // Starts credo-server --port 0 --clock manual --keys <tmp>/keys.json (holding `keys_json`)
  // plus `extra_args`, and waits up to 20 s for its startup line. Fails the current test (and
  // leaves running() false) if it does not start. stdout is drained in the background; stderr
  // is discarded unless CREDO_TEST_VERBOSE is set.
  explicit ServerProcess(std::vector<std::string> extra_args = {},
                         const std::string& keys_json = kTestKeysJson);
  ~ServerProcess();  // stop()
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }  // for signals a test sends itself (SIGSTOP, SIGCONT)
  uint16_t port() const { return port_; }
  // The HTTP edge's port (docs/http.md; with --port 0 it takes a free port too), 0 if off.
  uint16_t http_port() const { return http_port_; }
  // SIGTERM, then waits (SIGKILL and a test failure after 10 s). Returns the exit status, or
  // -1 if it did not exit normally or was not running.
  int stop();
  // SIGKILL: a crash at an arbitrary instant.
  void kill_hard();

 private:
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  uint16_t http_port_ = 0;
  TempDir dir_{"server"};  // the keys file
};

}  // namespace credo::test
