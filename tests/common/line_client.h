// A blocking loopback client of credo's line protocol (NDJSON over TCP, docs/protocol.md): one
// JSON request per line out, one answer per line back. For tests: plain sockets, a receive
// timeout instead of hanging, and no parsing (Json in tests/common/json_answer.h does that).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace credo::test {

class Client {
 public:
  // Connects to 127.0.0.1:port; connected() says whether that worked.
  explicit Client(uint16_t port, int recv_timeout_ms = 20'000);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return fd_ >= 0; }
  bool send(std::string_view data);  // as is (whole lines, pipelined, or a fragment)
  // Reads one line (without '\n'); false at EOF, error or timeout.
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

}  // namespace credo::test
