#include "tools/edi/connection.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "edi/decision.h"
#include "edi/purchase_order.h"

namespace credo::edi_tool {

Connection::~Connection() {
  if (fd_ >= 0) ::close(fd_);
}

bool Connection::open(const std::string& host, uint16_t port, const std::string& key, std::string* error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const std::string service = std::to_string(port);
  if (int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &res); rc != 0) {
    *error = "cannot resolve " + host + ": " + gai_strerror(rc);
    return false;
  }
  for (addrinfo* a = res; a != nullptr; a = a->ai_next) {
    fd_ = ::socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd_ < 0) continue;
    if (::connect(fd_, a->ai_addr, a->ai_addrlen) == 0) break;
    ::close(fd_);
    fd_ = -1;
  }
  ::freeaddrinfo(res);
  if (fd_ < 0) {
    *error = "cannot connect to credo-server at " + host + ":" + service + ": " + std::error_code(errno, std::generic_category()).message();
    return false;
  }
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  std::string hello = "{\"op\":\"hello\",\"key\":";
  edi::json_string(&hello, key);
  hello += '}';
  const std::string answer = call(hello);
  const edi::Decision d = edi::parse_decision(answer);
  if (!d.ok) {
    *error = answer.empty() ? "credo-server closed the connection during hello"
                            : "hello refused: " + d.error_code + " " + d.error_message;
    return false;
  }
  return true;
}

bool Connection::send_line(std::string_view line) {
  std::string data(line);
  data.push_back('\n');
  std::size_t off = 0;
  while (off < data.size()) {
    const ssize_t n = ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    off += static_cast<std::size_t>(n);
  }
  return true;
}

bool Connection::read_line(std::string* line) {
  while (true) {
    const std::size_t nl = buf_.find('\n', pos_);
    if (nl != std::string::npos) {
      line->assign(buf_, pos_, nl - pos_);
      pos_ = nl + 1;
      if (pos_ > (1u << 20)) {
        buf_.erase(0, pos_);
        pos_ = 0;
      }
      return true;
    }
    char chunk[1 << 16];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    buf_.append(chunk, static_cast<std::size_t>(n));
  }
}

std::string Connection::call(std::string_view line) {
  std::string answer;
  if (!send_line(line) || !read_line(&answer)) return "";
  return answer;
}

}  // namespace credo::edi_tool
