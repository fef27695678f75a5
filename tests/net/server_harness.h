// Test harness: runs the real credo-server binary as a child process on a free loopback port
// (--port 0, the port is read from its startup line) with a manual clock and a keys file in a
// temporary directory, and talks to it through plain blocking sockets.
#pragma once

#include <simdjson.h>
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace credo::test {

// The keys every test server gets (principal name = the key's role, for readable tests).
inline constexpr const char* kAdminKey = "k-admin";          // admin, level 3
inline constexpr const char* kOrderKey = "k-order";          // order, level 0
inline constexpr const char* kCreditKey = "k-credit";        // credit, level 1
inline constexpr const char* kWarehouseKey = "k-warehouse";  // warehouse
inline constexpr const char* kFinanceKey = "k-finance";      // finance, level 2
inline constexpr const char* kFinance1Key = "k-finance1";    // finance, level 1

class ServerProcess {
 public:
  // Starts credo-server --clock manual --keys <tmp> --port 0 plus `extra_args`; waits for its
  // startup line. Fails the current test (and leaves running() false) if it does not start.
  explicit ServerProcess(std::vector<std::string> extra_args = {});
  ~ServerProcess();  // SIGTERM, then waits (SIGKILL after 10 s)
  bool running() const { return pid_ > 0; }
  uint16_t port() const { return port_; }
  // Sends SIGTERM and returns the exit status (or -1).
  int stop();
  // SIGKILL: a crash at an arbitrary instant.
  void kill_hard();

 private:
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::string dir_;
};

class Client {
 public:
  explicit Client(uint16_t port, int recv_timeout_ms = 20'000);
  ~Client();
  bool connected() const { return fd_ >= 0; }
  bool send(std::string_view data);  // as is
  // Reads one line; false at EOF, error or timeout.
  bool read_line(std::string* line);
  // Sends `line` + '\n' and reads one answer line ("" if none came).
  std::string call(std::string_view line);
  // hello with `key`; true if ok.
  bool hello(const char* key);
  // True if the server closed the connection (EOF) within the receive timeout.
  bool closed_by_server();
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  bool eof_ = false;  // the server closed (EOF or reset), as opposed to a timeout
  std::string buf_;
  std::size_t pos_ = 0;
};

// A parsed answer line, for assertions.
class Json {
 public:
  explicit Json(std::string_view text);
  bool valid() const { return valid_; }
  bool ok() const;
  std::string code() const;                    // error.code, or ""
  std::string field() const;                   // error.field, or ""
  int64_t num(const char* pointer) const;      // JSON pointer, e.g. "/credit/limit"; -1 if absent
  std::string str(const char* pointer) const;  // "" if absent
  bool has(const char* pointer) const;
  std::size_t size(const char* pointer) const;  // array length, 0 if absent
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  simdjson::dom::parser parser_;
  simdjson::dom::element root_;
  bool valid_ = false;
};

}  // namespace credo::test
