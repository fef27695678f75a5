// One HTTP/1.1 connection of the HTTP edge (docs/http.md). Every method runs on the I/O thread.
//
// Same machinery as the TCP edge (net/session.h): requests get a slot in arrival order, ops go
// to the engine queue, answers come back through the results stage and leave strictly in slot
// order, as many as are ready in one write. Keep-alive and pipelining come from that: the next
// request is read while earlier ones are in flight, up to max_inflight_per_connection.
//
// The connection is a class template over its stream (HttpSession<Stream> in http_session.cc)
// so that a TLS stream can be plugged in by another factory; today's factory is plain TCP.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <memory>

#include "net/answer.h"
#include "net/io_shared.h"

namespace credo::net {

// Creates and starts an HTTP connection on an accepted socket; the caller registers it in
// shared.sessions (shutdown drains it) and has already counted it in counters.connections.
std::shared_ptr<Connection> start_http_session(IoShared& shared,
                                               boost::asio::ip::tcp::socket socket);

// The answer for a connection beyond max_connections: 503 with Retry-After, then close.
void refuse_http_connection(boost::asio::ip::tcp::socket socket);

}  // namespace credo::net
