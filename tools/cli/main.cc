// credo-cli: a small client for credo-server (docs/protocol.md).
//
//   credo-cli [--host H] [--port P] [--key K] '<json>'   one request, prints the answer
//   credo-cli --host A:7400 --host B:7401 ...            replicated: follows NOT_PRIMARY
//   credo-cli -f requests.ndjson [--quiet]                a whole file, pipelined
//   credo-cli                                             interactive: one request per line
//   credo-cli --tls [--ca FILE] [--cert F --key-file F]   over TLS (credo-server --tls-cert)
//
// The key comes from --key or the CREDO_KEY environment variable and is required: the CLI says
// hello with it first. Exit status: 0 if every answer was ok:true, 1 if any was ok:false, 2 on
// a usage error (no key) or I/O trouble.
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "engine/ops.h"

namespace {

// The ops the server knows, for --help and the interactive `help`: engine/ops.h's op table.
std::string op_list() {
  std::string out;
  std::size_t column = 0;
  for (const credo::OpInfo& info : credo::kOps) {
    const std::string_view op = info.name;
    if (column + op.size() + 1 > 78) {
      out += "\n";
      column = 0;
    }
    out += column == 0 ? "  " : " ";
    out += op;
    column += op.size() + (column == 0 ? 2 : 1);
  }
  return out;
}

constexpr const char* kUsage = "one JSON request per line, e.g. {\"op\":\"list_held\"}";

std::string help_footer() {
  return "Ops (docs/protocol.md has each op's fields):\n" + op_list() +
         "\n\nExamples (credo-server --demo's keys):\n"
         "  credo-cli --key demo-credit '{\"op\":\"get_customer\",\"customer\":\"C1001\"}'\n"
         "  CREDO_KEY=demo-order credo-cli '{\"op\":\"submit_order\",\"customer\":\"C1001\","
         "\"lines\":[{\"sku\":\"BOLT-M8\",\"qty\":10}]}'\n"
         "  credo-cli --key demo-admin -f requests.ndjson --quiet\n"
         "  credo-cli --key demo-credit          interactive; type help for the ops\n"
         "  credo-cli --key demo-admin --metrics  Prometheus text, as GET /metrics serves it\n"
         "  credo-cli --tls --ca ca.pem --host credo.example --key K '{\"op\":\"ping\"}'\n"
         "\nExit status: 0 every answer ok, 1 any answer ok:false, 2 usage or I/O error.\n";
}

// What --tls asks for: verify the server against `ca` (empty: the system's trust store) and,
// for mutual TLS, present `cert` with `key`.
struct TlsConfig {
  bool on = false;
  std::string ca, cert, key;
};

std::string openssl_error() {
  unsigned long e = ERR_get_error();
  if (e == 0) return "TLS error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

// A blocking line-oriented TCP connection, in clear or over TLS (OpenSSL on the same fd).
class Connection {
 public:
  Connection() = default;
  ~Connection() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (ctx_ != nullptr) SSL_CTX_free(ctx_);
    if (fd_ >= 0) ::close(fd_);
  }
  bool tls() const { return ssl_ != nullptr; }
  // After open(): the TLS handshake, verifying the server's certificate for `host`.
  bool start_tls(const std::string& host, const TlsConfig& cfg, std::string* error) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    if (ctx_ == nullptr) return fail(error, "cannot create a TLS context");
    SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
    const int loaded = cfg.ca.empty() ? SSL_CTX_set_default_verify_paths(ctx_)
                                      : SSL_CTX_load_verify_locations(ctx_, cfg.ca.c_str(), nullptr);
    if (loaded != 1) return fail(error, "cannot use --ca '" + cfg.ca + "'");
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    if (!cfg.cert.empty()) {
      if (SSL_CTX_use_certificate_chain_file(ctx_, cfg.cert.c_str()) != 1)
        return fail(error, "cannot use --cert '" + cfg.cert + "'");
      const std::string& key = cfg.key.empty() ? cfg.cert : cfg.key;
      if (SSL_CTX_use_PrivateKey_file(ctx_, key.c_str(), SSL_FILETYPE_PEM) != 1)
        return fail(error, "cannot use --key-file '" + key + "'");
    }
    ssl_ = SSL_new(ctx_);
    if (ssl_ == nullptr || SSL_set_fd(ssl_, fd_) != 1) return fail(error, "cannot start TLS");
    // The certificate must name the host: an IP address (subjectAltName IP) or a DNS name.
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl_);
    if (X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) != 1) {
      ERR_clear_error();
      SSL_set_tlsext_host_name(ssl_, host.c_str());
      SSL_set1_host(ssl_, host.c_str());
    }
    if (SSL_connect(ssl_) != 1) return fail(error, "TLS handshake with " + host + " failed");
    return true;
  }
  Connection(const Connection&) = delete;  // owns fd_: a copy would close it twice
  Connection& operator=(const Connection&) = delete;
  bool open(const std::string& host, const std::string& port, std::string* error) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &res); rc != 0) {
      *error = std::string("cannot resolve ") + host + ": " + gai_strerror(rc);
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
      // NOLINTNEXTLINE(concurrency-mt-unsafe): the connection is opened before any thread.
      *error = "cannot connect to " + host + ":" + port + ": " + std::strerror(errno);
      return false;
    }
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return true;
  }
  bool send_all(std::string_view data) {
    while (!data.empty()) {
      if (ssl_ != nullptr) {
        const int n = SSL_write(ssl_, data.data(), static_cast<int>(std::min<std::size_t>(
                                                        data.size(), std::size_t{1} << 20)));
        if (n <= 0) return false;
        data.remove_prefix(static_cast<std::size_t>(n));
        continue;
      }
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        return false;
      }
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }
  // End of requests: TLS close_notify (the server reads it as end of input), or a TCP half-close.
  void shutdown_send() {
    if (ssl_ != nullptr)
      SSL_shutdown(ssl_);
    else
      ::shutdown(fd_, SHUT_WR);
  }
  // Reads one line (without '\n'). False at EOF or on error.
  bool read_line(std::string* line) {
    while (true) {
      if (auto nl = buf_.find('\n', pos_); nl != std::string::npos) {
        line->assign(buf_, pos_, nl - pos_);
        pos_ = nl + 1;
        if (pos_ > (1u << 16)) {
          buf_.erase(0, pos_);
          pos_ = 0;
        }
        return true;
      }
      char chunk[1 << 16];
      ssize_t n = ssl_ != nullptr ? SSL_read(ssl_, chunk, sizeof chunk)
                                  : ::recv(fd_, chunk, sizeof chunk, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      buf_.append(chunk, static_cast<std::size_t>(n));
    }
  }

 private:
  static bool fail(std::string* error, const std::string& what) {
    *error = what + ": " + openssl_error();
    return false;
  }
  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  std::string buf_;
  std::size_t pos_ = 0;
};

bool is_ok(std::string_view answer) {
  return answer.find("\"ok\":true") != std::string::npos;
}

// Indents a JSON line for people. Small arrays and objects (up to 80 characters, no nesting)
// stay on one line so order lines and reasons read like a table.
std::string pretty(std::string_view json) {
  std::string out;
  int depth = 0;
  auto newline = [&] {
    out.push_back('\n');
    out.append(static_cast<std::size_t>(depth) * 2, ' ');
  };
  // Length of the flat container starting at json[i] ('{' or '['), or npos if it nests.
  auto flat_len = [&](std::size_t i) -> std::size_t {
    bool in_str = false;
    for (std::size_t j = i + 1; j < json.size(); j++) {
      char c = json[j];
      if (in_str) {
        if (c == '\\')
          j++;
        else if (c == '"')
          in_str = false;
      } else if (c == '"') {
        in_str = true;
      } else if (c == '{' || c == '[') {
        return std::string_view::npos;
      } else if (c == '}' || c == ']') {
        return j - i + 1;
      }
    }
    return std::string_view::npos;
  };
  for (std::size_t i = 0; i < json.size(); i++) {
    char c = json[i];
    if (c == '"') {
      std::size_t j = i + 1;
      while (j < json.size() && json[j] != '"') j += json[j] == '\\' ? 2 : 1;
      out.append(json.substr(i, j - i + 1));
      i = j;
    } else if (c == '{' || c == '[') {
      std::size_t n = flat_len(i);
      if (n <= 80) {  // npos (not flat) is never <= 80
        out.append(json.substr(i, n));
        i += n - 1;
        continue;
      }
      out.push_back(c);
      depth++;
      newline();
    } else if (c == '}' || c == ']') {
      depth--;
      newline();
      out.push_back(c);
    } else if (c == ',') {
      out.push_back(c);
      newline();
    } else if (c == ':') {
      out.append(": ");
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// Over TLS one OpenSSL connection may not be read and written from two threads at once, so the
// file goes in windows of kTlsWindow requests, each window's answers read before the next is
// sent: pipelined, and below the server's in-flight bound, so neither side waits on the other.
int run_file_tls(Connection& conn, const std::string& data, std::size_t requests, bool quiet) {
  constexpr std::size_t kTlsWindow = 256;
  std::size_t answers = 0, ok = 0;
  const auto started = std::chrono::steady_clock::now();
  std::string line;
  bool output_failed = false, closed = false;
  for (std::size_t p = 0; p < data.size() && !closed;) {
    // The next window: up to kTlsWindow non-blank lines.
    std::size_t end = p, in_window = 0;
    while (end < data.size() && in_window < kTlsWindow) {
      std::size_t nl = data.find('\n', end);
      if (data.find_first_not_of(" \t\r", end) < nl) in_window++;
      end = nl + 1;
    }
    if (!conn.send_all(std::string_view(data).substr(p, end - p))) break;
    p = end;
    for (std::size_t i = 0; i < in_window; ++i) {
      if (!conn.read_line(&line)) {
        closed = true;
        break;
      }
      answers++;
      if (is_ok(line)) ok++;
      if (!quiet &&
          std::fwrite((line + "\n").data(), 1, line.size() + 1, stdout) != line.size() + 1)
        output_failed = true;
    }
  }
  conn.shutdown_send();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::fprintf(stderr,
               "credo-cli: %zu requests, %zu answers, %zu ok, %zu errors, %.3f s (%.0f/s)\n",
               requests, answers, ok, answers - ok, seconds,
               seconds > 0 ? static_cast<double>(answers) / seconds : 0.0);
  if (output_failed) {
    std::fprintf(stderr, "credo-cli: writing the answers to stdout failed\n");
    return 2;
  }
  if (answers < requests) {
    std::fprintf(stderr, "credo-cli: the server closed the connection before answering all\n");
    return 2;
  }
  return ok == answers ? 0 : 1;
}

int run_file(Connection& conn, const std::string& path, bool quiet) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "credo-cli: cannot read %s\n", path.c_str());
    return 2;
  }
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!data.empty() && data.back() != '\n') data.push_back('\n');
  std::size_t requests = 0;
  for (std::size_t p = 0; p < data.size();) {
    std::size_t nl = data.find('\n', p);
    bool blank = data.find_first_not_of(" \t\r", p) >= nl;
    if (!blank) requests++;
    p = nl + 1;
  }
  if (conn.tls()) return run_file_tls(conn, data, requests, quiet);
  // Send on one thread and read on this one: the server stops reading a connection whose
  // answers are not read, so a writer that waited for the whole file to go out first would
  // deadlock with a large file.
  std::atomic<bool> send_failed{false};
  std::thread writer([&] {
    std::string_view rest = data;
    while (!rest.empty()) {
      std::size_t n = std::min<std::size_t>(rest.size(), 1 << 20);
      if (!conn.send_all(rest.substr(0, n))) {
        send_failed = true;
        break;
      }
      rest.remove_prefix(n);
    }
    conn.shutdown_send();
  });
  std::size_t answers = 0, ok = 0;
  auto started = std::chrono::steady_clock::now();
  auto last_progress = started;
  std::string line;
  bool output_failed = false;
  while (conn.read_line(&line)) {
    answers++;
    if (is_ok(line)) ok++;
    if (!quiet && std::fwrite((line + "\n").data(), 1, line.size() + 1, stdout) != line.size() + 1)
      output_failed = true;  // keep reading: the writer thread must finish before we return
    auto now = std::chrono::steady_clock::now();
    if (requests >= 10'000 && now - last_progress > std::chrono::seconds(1)) {
      last_progress = now;
      std::fprintf(stderr, "credo-cli: %zu / %zu answers\n", answers, requests);
    }
  }
  writer.join();
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::fprintf(stderr,
               "credo-cli: %zu requests, %zu answers, %zu ok, %zu errors, %.3f s (%.0f/s)\n",
               requests, answers, ok, answers - ok, seconds,
               seconds > 0 ? static_cast<double>(answers) / seconds : 0.0);
  if (output_failed) {
    std::fprintf(stderr, "credo-cli: writing the answers to stdout failed\n");
    return 2;
  }
  if (send_failed || answers < requests) {
    std::fprintf(stderr, "credo-cli: the server closed the connection before answering all\n");
    return 2;
  }
  return ok == answers ? 0 : 1;
}

int run_interactive(Connection& conn) {
  bool tty = ::isatty(0);
  std::string line, answer;
  if (tty) std::fprintf(stderr, "credo> %s; help lists the ops; Ctrl-D to quit\n", kUsage);
  int status = 0;
  while (true) {
    if (tty) std::fprintf(stderr, "credo> ");
    if (!std::getline(std::cin, line)) break;
    std::size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos) continue;
    // `help` is for the person typing, not a request: the server would answer BAD_REQUEST.
    if (line.compare(first, 4, "help") == 0 &&
        line.find_first_not_of(" \t\r", first + 4) == std::string::npos) {
      std::printf("ops:\n%s\nusage: %s\n", op_list().c_str(), kUsage);
      (void)std::fflush(stdout);
      continue;
    }
    if (!conn.send_all(line + "\n") || !conn.read_line(&answer)) {
      std::fprintf(stderr, "credo-cli: connection closed by the server\n");
      return 2;
    }
    if (!is_ok(answer)) status = 1;
    std::printf("%s\n", pretty(answer).c_str());
    if (std::fflush(stdout) != 0) {
      std::fprintf(stderr, "credo-cli: writing to stdout failed\n");
      return 2;
    }
  }
  return status;
}

// --metrics: the metrics op's "text", unescaped, as Prometheus would read it from /metrics.
int print_metrics(Connection& conn) {
  std::string answer;
  if (!conn.send_all("{\"op\":\"metrics\"}\n") || !conn.read_line(&answer)) {
    std::fprintf(stderr, "credo-cli: connection closed by the server\n");
    return 2;
  }
  const std::string_view marker = "\"text\":\"";
  const std::size_t at = answer.find(marker);
  if (!is_ok(answer) || at == std::string::npos) {
    std::printf("%s\n", answer.c_str());
    return 1;
  }
  // A JSON string: only \\, \", \n, \t, \r, \b, \f, \/ and \u00XX can occur in it.
  std::string text;
  for (std::size_t i = at + marker.size(); i < answer.size() && answer[i] != '"'; ++i) {
    char c = answer[i];
    if (c != '\\' || i + 1 >= answer.size()) {
      text.push_back(c);
      continue;
    }
    c = answer[++i];
    switch (c) {
      case 'n': text.push_back('\n'); break;
      case 't': text.push_back('\t'); break;
      case 'r': text.push_back('\r'); break;
      case 'b': text.push_back('\b'); break;
      case 'f': text.push_back('\f'); break;
      case 'u':
        if (i + 4 < answer.size()) {
          text.push_back(static_cast<char>(std::stoi(answer.substr(i + 1, 4), nullptr, 16)));
          i += 4;
        }
        break;
      default: text.push_back(c);  // \\ \" \/
    }
  }
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0)
    return 2;
  return 0;
}

}  // namespace

static int run_main(int argc, char** argv) {
  CLI::App app{"credo-cli: talk to a credo-server (NDJSON over TCP)"};
  std::vector<std::string> hosts;
  std::string key, file, request;
  int port = 7400;
  bool quiet = false, pretty_output = false;
  app.add_option("--host", hosts,
                 "server address, HOST or HOST:PORT (default port: --port); give several for a "
                 "replicated primary and standbys: the first that answers is used, and a single "
                 "request answered NOT_PRIMARY is sent to the primary it names, else the next")
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--port", port, "server port")->default_val(7400);
  app.add_option("--key", key, "API key (default: $CREDO_KEY); sends hello first");
  app.add_option("-f,--file", file, "send every line of this NDJSON file, pipelined");
  app.add_flag("-q,--quiet", quiet, "with -f: print only the summary");
  app.add_flag("-p,--pretty", pretty_output, "indent the answer to a single request");
  app.add_option("request", request, "one JSON request; none and no -f: interactive mode");
  TlsConfig tls;
  bool raw_metrics = false;
  app.add_flag("--tls", tls.on, "connect with TLS (credo-server --tls-cert)");
  app.add_option("--ca", tls.ca, "with --tls: PEM CA to verify the server (default: system's)");
  app.add_option("--cert", tls.cert, "with --tls: PEM client certificate (mutual TLS)");
  app.add_option("--key-file", tls.key, "with --cert: its PEM private key (default: --cert)");
  app.add_flag("--metrics", raw_metrics,
               "print the server's Prometheus metrics as plain text (the metrics op's \"text\")");
  app.footer(help_footer());
  CLI11_PARSE(app, argc, argv);
  if (hosts.empty()) hosts.emplace_back("127.0.0.1");
  if (key.empty())
    // NOLINTNEXTLINE(concurrency-mt-unsafe): read before any thread starts; nothing sets env.
    if (const char* env = std::getenv("CREDO_KEY")) key = env;
  if (key.empty()) {
    // Without hello every request would be refused one by one; say so once, before connecting.
    std::fprintf(stderr,
                 "credo-cli: no API key: use --key or $CREDO_KEY (credo-server --demo prints "
                 "its keys; a server without --keys accepts any key)\n");
    return 2;
  }

  // The key goes inside a JSON string: refuse characters that would need escaping rather
  // than send a request the server would read differently.
  for (char c : key)
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) {
      std::fprintf(stderr, "credo-cli: the key contains a character that needs escaping\n");
      return 2;
    }
  // Connects to `address` (HOST or HOST:PORT) and says hello: 0, or the exit status.
  auto open = [&](Connection& conn, const std::string& address) {
    std::string h = address, p = std::to_string(port), error;
    if (std::size_t colon = address.rfind(':');
        colon != std::string::npos && address.find(':') == colon) {
      h = address.substr(0, colon);
      p = address.substr(colon + 1);
    }
    if (!conn.open(h, p, &error)) {
      std::fprintf(stderr, "credo-cli: %s\n", error.c_str());
      return 2;
    }
    if (tls.on && !conn.start_tls(h, tls, &error)) {
      std::fprintf(stderr, "credo-cli: %s\n", error.c_str());
      return 2;
    }
    std::string answer;
    if (!conn.send_all("{\"op\":\"hello\",\"key\":\"" + key + "\"}\n") ||
        !conn.read_line(&answer)) {
      std::fprintf(stderr, "credo-cli: connection closed during hello\n");
      return 2;
    }
    if (!is_ok(answer)) {
      std::fprintf(stderr, "credo-cli: hello refused: %s\n", answer.c_str());
      return 1;
    }
    return 0;
  };

  if (raw_metrics || !file.empty() || request.empty()) {
    int status = 2;
    for (const std::string& address : hosts) {
      Connection conn;
      status = open(conn, address);
      if (status == 1) return 1;
      if (status != 0) continue;
      if (raw_metrics) return print_metrics(conn);
      return !file.empty() ? run_file(conn, file, quiet) : run_interactive(conn);
    }
    return status;
  }

  // One request: follow NOT_PRIMARY to the primary it names (docs/replication.md), else try
  // the next address; at most one visit per address.
  std::vector<std::string> todo(hosts.rbegin(), hosts.rend());
  std::vector<std::string> tried;
  std::string answer;
  int status = 2;
  while (!todo.empty()) {
    std::string address = todo.back();
    todo.pop_back();
    if (std::find(tried.begin(), tried.end(), address) != tried.end()) continue;
    tried.push_back(address);
    Connection conn;
    status = open(conn, address);
    if (status == 1) return 1;
    if (status != 0) continue;
    if (!conn.send_all(request + "\n") || !conn.read_line(&answer)) {
      std::fprintf(stderr, "credo-cli: connection closed by the server\n");
      status = 2;
      continue;
    }
    static constexpr std::string_view kNotPrimary = "\"code\":\"NOT_PRIMARY\"";
    static constexpr std::string_view kAt = "the primary at ";
    if (answer.find(kNotPrimary) == std::string::npos) break;
    std::fprintf(stderr, "credo-cli: %s is a standby\n", address.c_str());
    if (std::size_t at = answer.find(kAt); at != std::string::npos) {
      std::size_t start = at + kAt.size();
      std::size_t end = answer.find_first_of("\"; ", start);
      todo.push_back(answer.substr(start, end - start));
    }
    status = 1;
  }
  if (answer.empty()) return status;
  std::printf("%s\n", pretty_output ? pretty(answer).c_str() : answer.c_str());
  return is_ok(answer) ? 0 : 1;
}

// An exception that escapes (std::bad_alloc, std::system_error from a thread) ends the program
// with its message and exit status 2 instead of std::terminate's abort.
int main(int argc, char** argv) {
  try {
    return run_main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "credo-cli: %s\n", e.what());
    return 2;
  }
}
