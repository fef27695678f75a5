// A blocking client connection to credo-server's line protocol (docs/protocol.md): one JSON
// request per line out, one answer per line back, in order. Requests may be pipelined: the
// caller sends several and reads their answers later (the server answers in request order).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace credo::edi_tool {

class Connection {
 public:
  Connection() = default;
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Connects and says hello with `key`; false and *error on failure.
  bool open(const std::string& host, uint16_t port, const std::string& key, std::string* error);
  bool send_line(std::string_view line);  // appends '\n'
  bool read_line(std::string* line);      // false at EOF or error
  std::string call(std::string_view line);  // send + read ("" on failure)

 private:
  int fd_ = -1;
  std::string buf_;
  std::size_t pos_ = 0;
};

}  // namespace credo::edi_tool
