#include "tests/net/server_harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <thread>

namespace credo::test {

ServerProcess::ServerProcess(std::vector<std::string> extra_args) {
  char tmpl[] = "/tmp/credo-net-test-XXXXXX";
  const char* dir = ::mkdtemp(tmpl);
  if (dir == nullptr) {
    ADD_FAILURE() << "mkdtemp failed";
    return;
  }
  dir_ = dir;
  std::string keys = dir_ + "/keys.json";
  {
    std::ofstream f(keys);
    f << R"({"keys":[
      {"key":"k-admin","principal":"admin","roles":["admin"],"level":3},
      {"key":"k-order","principal":"rep","roles":["order"],"level":0},
      {"key":"k-credit","principal":"credit","roles":["credit"],"level":1},
      {"key":"k-warehouse","principal":"warehouse","roles":["warehouse"],"level":0},
      {"key":"k-finance","principal":"finance","roles":["finance"],"level":2},
      {"key":"k-finance1","principal":"finance1","roles":["finance"],"level":1}]})";
  }
  ::chmod(keys.c_str(), 0600);

  std::vector<std::string> args = {CREDO_SERVER_BIN, "--port", "0", "--clock",
                                   "manual",         "--keys", keys};
  for (auto& a : extra_args) args.push_back(a);
  int out[2];
  if (::pipe(out) != 0) {
    ADD_FAILURE() << "pipe failed";
    return;
  }
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::close(out[0]);
    ::close(out[1]);
    // Quiet stderr (the in-memory warning) unless debugging.
    if (std::getenv("CREDO_TEST_VERBOSE") == nullptr) {
      int devnull = ::open("/dev/null", O_WRONLY);
      ::dup2(devnull, 2);
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  pid_ = pid;
  // Read the startup line: "credo-server listening on 127.0.0.1:PORT ...".
  std::string text;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (text.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    pollfd p{out[0], POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char buf[4096];
    ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n <= 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  // Keep draining stdout in the background so the server never blocks on a full pipe.
  std::thread([fd = out[0]] {
    char buf[4096];
    while (::read(fd, buf, sizeof buf) > 0) {
    }
    ::close(fd);
  }).detach();
  auto at = text.find("listening on ");
  auto colon = at == std::string::npos ? at : text.find(':', at);
  if (colon == std::string::npos) {
    ADD_FAILURE() << "credo-server did not start: " << text;
    stop();
    pid_ = -1;
    return;
  }
  port_ = static_cast<uint16_t>(std::atoi(text.c_str() + colon + 1));
}

int ServerProcess::stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (true) {
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) break;
    if (std::chrono::steady_clock::now() > deadline) {
      ADD_FAILURE() << "credo-server did not stop on SIGTERM";
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void ServerProcess::kill_hard() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

ServerProcess::~ServerProcess() {
  stop();
  if (!dir_.empty()) {
    std::remove((dir_ + "/keys.json").c_str());
    ::rmdir(dir_.c_str());
  }
}

Client::Client(uint16_t port, int recv_timeout_ms) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd_);
    fd_ = -1;
    return;
  }
  timeval tv{recv_timeout_ms / 1000, (recv_timeout_ms % 1000) * 1000};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

Client::~Client() {
  if (fd_ >= 0) ::close(fd_);
}

bool Client::send(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool Client::read_line(std::string* line) {
  while (true) {
    auto nl = buf_.find('\n', pos_);
    if (nl != std::string::npos) {
      line->assign(buf_, pos_, nl - pos_);
      pos_ = nl + 1;
      if (pos_ > (1u << 20)) {
        buf_.erase(0, pos_);
        pos_ = 0;
      }
      return true;
    }
    char chunk[65536];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) eof_ = true;
    if (n <= 0) return false;
    buf_.append(chunk, static_cast<std::size_t>(n));
  }
}

std::string Client::call(std::string_view line) {
  std::string req(line);
  req.push_back('\n');
  std::string answer;
  if (!send(req) || !read_line(&answer)) return "";
  return answer;
}

bool Client::hello(const char* key) {
  return Json(call(std::string(R"({"op":"hello","key":")") + key + "\"}")).ok();
}

bool Client::closed_by_server() {
  std::string line;
  while (read_line(&line)) {
  }
  return eof_;
}

Json::Json(std::string_view text) : text_(text) {
  valid_ = !parser_.parse(text_).get(root_);
}

bool Json::ok() const {
  bool b = false;
  return valid_ && !root_["ok"].get_bool().get(b) && b;
}

std::string Json::code() const {
  return str("/error/code");
}
std::string Json::field() const {
  return str("/error/field");
}

int64_t Json::num(const char* pointer) const {
  int64_t v = -1;
  if (!valid_ || root_.at_pointer(pointer).get_int64().get(v)) return -1;
  return v;
}

std::string Json::str(const char* pointer) const {
  std::string_view v;
  if (!valid_ || root_.at_pointer(pointer).get_string().get(v)) return "";
  return std::string(v);
}

bool Json::has(const char* pointer) const {
  return valid_ && root_.at_pointer(pointer).error() == simdjson::SUCCESS;
}

std::size_t Json::size(const char* pointer) const {
  simdjson::dom::array a;
  if (!valid_ || root_.at_pointer(pointer).get_array().get(a)) return 0;
  return a.size();
}

}  // namespace credo::test
