// credo-loadgen --tls: the client side of TLS with OpenSSL on the connection's own fd. The
// handshake is done blocking right after connect(); afterwards the fd may be made
// non-blocking and SSL_read / SSL_write return SSL_ERROR_WANT_READ / WANT_WRITE like EAGAIN.
#pragma once

#include <openssl/ssl.h>

#include <string>

namespace credo::loadgen {

// Verifies the server against `ca_file` (empty: the system's trust store). nullptr with
// `*error` on failure. Free with SSL_CTX_free.
SSL_CTX* make_tls_client_context(const std::string& ca_file, std::string* error);

// Handshakes on the connected, blocking `fd`, checking the certificate names `host`. nullptr
// with `*error` on failure. The SSL* owns nothing but itself (the caller closes fd).
SSL* tls_connect(SSL_CTX* ctx, int fd, const std::string& host, std::string* error);

}  // namespace credo::loadgen
