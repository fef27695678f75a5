// Server addresses for credo-loadgen: --host may be given several times (a replicated primary
// and its standbys, docs/replication.md); the driver moves a connection to the next address
// when its server answers NOT_PRIMARY or the connection is lost.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace credo::loadgen {

struct Address {
  std::string host;
  uint16_t port = 0;
};

// Parses each of `in`: "HOST", "HOST:PORT" or "[V6]:PORT" (HOST alone takes `default_port`).
// False with *error on a bad port.
bool parse_hosts(const std::vector<std::string>& in, uint16_t default_port,
                 std::vector<Address>* out, std::string* error);

// A blocking TCP connection to `a` with TCP_NODELAY; -1 with *error when none.
int connect_tcp(const Address& a, std::string* error);

}  // namespace credo::loadgen
