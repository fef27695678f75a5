// TLS on the TCP listener of the real credo-server (net/tls.h): certificates made at test time
// with the openssl command-line tool, a client on Asio's ssl::stream. The handshake succeeds
// with the right CA, fails with the wrong one, and mutual TLS refuses a client without a
// certificate.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <fstream>
#include <string>

#include "net/tls.h"
#include "tests/common/json_answer.h"
#include "tests/common/line_client.h"
#include "tests/common/run_command.h"
#include "tests/common/server_process.h"
#include "tests/common/temp_dir.h"

namespace credo::test {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using asio::ip::tcp;

// A CA, a server certificate for 127.0.0.1 it signed, a client certificate it signed, and an
// unrelated second CA. Made once per test binary run (RSA keygen takes a moment).
class Certs {
 public:
  Certs() {
    const std::string d = dir_.path();
    const std::string script =
        "set -e; cd '" + d +
        "'; "
        "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=credo test CA' "
        "  -keyout ca.key -out ca.pem; "
        "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=other CA' "
        "  -keyout other.key -out other.pem; "
        "openssl req -newkey rsa:2048 -nodes -subj '/CN=127.0.0.1' -keyout server.key "
        "  -out server.csr; "
        "printf 'subjectAltName=IP:127.0.0.1\\n' > san.ext; "
        "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
        "  -extfile san.ext -out server.pem; "
        "openssl req -newkey rsa:2048 -nodes -subj '/CN=checkout' -keyout client.key "
        "  -out client.csr; "
        "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
        "  -out client.pem";
    RunResult r = run_command("sh -c \"" + script + "\" 2>&1");
    ok_ = r.exit_code == 0;
    log_ = r.out;
  }
  bool ok() const { return ok_; }
  const std::string& log() const { return log_; }
  std::string file(const char* name) const { return dir_.file(name); }

 private:
  TempDir dir_{"tls-certs"};
  bool ok_ = false;
  std::string log_;
};

const Certs& certs() {
  static const Certs* c = new Certs();  // shared by the tests, never freed (the dir stays valid)
  return *c;
}

// One TLS connection: handshake, then line calls. Every failure is recorded, not thrown.
class TlsClient {
 public:
  TlsClient(uint16_t port, const std::string& ca, const std::string& cert = "",
            const std::string& key = "") {
    std::string error;
    ctx_ = net::make_client_tls_context(ca, cert, key, &error);
    if (!ctx_) {
      error_ = error;
      return;
    }
    stream_ = std::make_unique<ssl::stream<tcp::socket>>(io_, *ctx_);
    boost::system::error_code ec;
    stream_->next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
    if (!ec) stream_->handshake(ssl::stream_base::client, ec);
    if (ec) error_ = ec.message();
    handshake_ok_ = !ec;
  }
  bool handshake_ok() const { return handshake_ok_; }
  const std::string& error() const { return error_; }

  // Sends a line, reads one answer line; "" with error() set if none came.
  std::string call(const std::string& line) {
    boost::system::error_code ec;
    asio::write(*stream_, asio::buffer(line + "\n"), ec);
    if (ec) {
      error_ = ec.message();
      return "";
    }
    std::size_t n = asio::read_until(*stream_, asio::dynamic_buffer(buf_), '\n', ec);
    if (ec) {
      error_ = ec.message();
      return "";
    }
    std::string answer = buf_.substr(0, n - 1);
    buf_.erase(0, n);
    return answer;
  }

 private:
  asio::io_context io_;
  std::shared_ptr<ssl::context> ctx_;
  std::unique_ptr<ssl::stream<tcp::socket>> stream_;
  std::string buf_;
  std::string error_;
  bool handshake_ok_ = false;
};

class Tls : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(certs().ok()) << certs().log(); }
  static std::vector<std::string> server_args(bool mutual) {
    std::vector<std::string> args = {"--tls-cert", certs().file("server.pem"), "--tls-key",
                                     certs().file("server.key")};
    if (mutual) {
      args.emplace_back("--tls-client-ca");
      args.push_back(certs().file("ca.pem"));
    }
    return args;
  }
};

TEST_F(Tls, HandshakeWithTheRightCaThenTheProtocolAsUsual) {
  ServerProcess server(server_args(false));
  ASSERT_TRUE(server.running());
  TlsClient c(server.port(), certs().file("ca.pem"));
  ASSERT_TRUE(c.handshake_ok()) << c.error();
  Json h(c.call(R"({"id":1,"op":"hello","key":"k-admin"})"));
  ASSERT_TRUE(h.ok()) << h.text() << c.error();
  EXPECT_EQ(h.str("/principal"), "admin");
  Json m(c.call(R"({"op":"metrics"})"));
  ASSERT_TRUE(m.ok()) << m.text();
  EXPECT_NE(m.str("/text").find("credo_connections{protocol=\"tcp\"} 1"), std::string::npos)
      << m.str("/text");
}

TEST_F(Tls, HandshakeFailsWithTheWrongCa) {
  ServerProcess server(server_args(false));
  ASSERT_TRUE(server.running());
  TlsClient c(server.port(), certs().file("other.pem"));
  EXPECT_FALSE(c.handshake_ok());
  EXPECT_NE(c.error().find("certificate verify failed"), std::string::npos) << c.error();
}

TEST_F(Tls, PlainTextOnTheTlsPortGetsNoAnswer) {
  ServerProcess server(server_args(false));
  ASSERT_TRUE(server.running());
  Client plain(server.port(), 5'000);
  ASSERT_TRUE(plain.connected());
  ASSERT_TRUE(plain.send("{\"op\":\"ping\"}\n"));
  std::string line;
  EXPECT_FALSE(plain.read_line(&line)) << line;  // not a TLS ClientHello: closed, never parsed
}

TEST_F(Tls, MutualTlsRefusesAClientWithoutACertificate) {
  ServerProcess server(server_args(true));
  ASSERT_TRUE(server.running());
  TlsClient anonymous(server.port(), certs().file("ca.pem"));
  // With TLS 1.3 the client may finish its side of the handshake before the server checks the
  // certificate; the refusal then arrives as an alert on the first read. Either way no answer.
  std::string answer;
  if (anonymous.handshake_ok()) answer = anonymous.call(R"({"op":"ping"})");
  EXPECT_EQ(answer, "");
  EXPECT_NE(anonymous.error(), "");

  TlsClient with_cert(server.port(), certs().file("ca.pem"), certs().file("client.pem"),
                      certs().file("client.key"));
  ASSERT_TRUE(with_cert.handshake_ok()) << with_cert.error();
  EXPECT_TRUE(Json(with_cert.call(R"({"op":"ping"})")).ok()) << with_cert.error();
}

TEST_F(Tls, ServerRefusesToStartWithAKeyThatIsNotTheCertificates) {
  RunResult r = run_command(std::string(server_binary()) + " --port 0 --tls-cert '" +
                            certs().file("server.pem") + "' --tls-key '" +
                            certs().file("client.key") + "' 2>&1");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("mismatch"), std::string::npos) << r.out;  // "key values mismatch"
}

TEST_F(Tls, CliSpeaksMutualTlsAndPrintsTheMetricsRaw) {
  ServerProcess server(server_args(true));
  ASSERT_TRUE(server.running());
  const std::string cli = std::string(CREDO_CLI_BIN) + " --port " + std::to_string(server.port()) +
                          " --tls --ca '" + certs().file("ca.pem") + "' --key k-admin";
  const std::string client_cert =
      " --cert '" + certs().file("client.pem") + "' --key-file '" + certs().file("client.key") + "'";
  RunResult ping = run_command(cli + client_cert + R"( '{"op":"ping"}')");
  EXPECT_EQ(ping.exit_code, 0);
  EXPECT_EQ(ping.out, "{\"ok\":true}\n");
  RunResult refused = run_command(cli + R"( '{"op":"ping"}' 2>/dev/null)");
  EXPECT_EQ(refused.exit_code, 2) << refused.out;  // no client certificate
  // --metrics prints the exposition itself, which promtool accepts.
  RunResult m = run_command(cli + client_cert + " --metrics");
  ASSERT_EQ(m.exit_code, 0) << m.out;
  EXPECT_EQ(m.out.rfind("# HELP credo_requests_total ", 0), 0u) << m.out;
  EXPECT_NE(m.out.find("\ncredo_connections{protocol=\"tcp\"} 1\n"), std::string::npos) << m.out;
  TempDir dir("tls-metrics");
  std::ofstream(dir.file("m.txt")) << m.out;
  RunResult check = run_command("promtool check metrics < '" + dir.file("m.txt") + "' 2>&1");
  EXPECT_EQ(check.exit_code, 0) << check.out;
}

TEST(TlsAddress, LoopbackIsKnown) {
  EXPECT_TRUE(net::is_loopback_address("127.0.0.1"));
  EXPECT_TRUE(net::is_loopback_address("::1"));
  EXPECT_TRUE(net::is_loopback_address("localhost"));
  EXPECT_FALSE(net::is_loopback_address("0.0.0.0"));
  EXPECT_FALSE(net::is_loopback_address("10.1.2.3"));
}

}  // namespace
}  // namespace credo::test
