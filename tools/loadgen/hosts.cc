#include "tools/loadgen/hosts.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <system_error>

namespace credo::loadgen {

bool parse_hosts(const std::vector<std::string>& in, uint16_t default_port,
                 std::vector<Address>* out, std::string* error) {
  out->clear();
  for (const std::string& s : in) {
    Address a;
    a.port = default_port;
    std::string port;
    if (!s.empty() && s.front() == '[') {  // [v6]:port
      const std::size_t close = s.find(']');
      a.host = s.substr(1, close == std::string::npos ? std::string::npos : close - 1);
      if (close != std::string::npos && close + 1 < s.size() && s[close + 1] == ':')
        port = s.substr(close + 2);
    } else if (const std::size_t colon = s.rfind(':');
               colon != std::string::npos && s.find(':') == colon) {  // one colon: host:port
      a.host = s.substr(0, colon);
      port = s.substr(colon + 1);
    } else {
      a.host = s;  // a name, an IPv4 address or a bare IPv6 address
    }
    if (!port.empty()) {
      char* end = nullptr;
      const unsigned long p = std::strtoul(port.c_str(), &end, 10);
      if (*end != '\0' || p == 0 || p > 65535) {
        *error = "--host " + s + ": bad port";
        return false;
      }
      a.port = static_cast<uint16_t>(p);
    }
    out->push_back(a);
  }
  return true;
}

int connect_tcp(const Address& a, std::string* error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const std::string port = std::to_string(a.port);
  if (int rc = ::getaddrinfo(a.host.c_str(), port.c_str(), &hints, &res); rc != 0) {
    *error = "cannot resolve " + a.host + ": " + gai_strerror(rc);
    return -1;
  }
  int fd = -1;
  int err = 0;
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    if (::connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) break;
    err = errno;
    ::close(fd);
    fd = -1;
  }
  ::freeaddrinfo(res);
  if (fd < 0) {
    *error = "cannot connect to " + a.host + ":" + port + ": " + std::generic_category().message(err);
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

}  // namespace credo::loadgen
