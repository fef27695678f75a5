// loopback_floor: what this machine's loopback TCP costs a request before any server does work.
//
// A forked echo server (one thread, epoll, like credo-server's I/O thread) answers every
// fixed-size request with a fixed-size reply; the client offers requests at a fixed rate over
// several connections (open loop, like credo-loadgen) and measures each from its intended send
// time. The same shape as `bench/latency.sh` with the server's work taken out: its p50 and p99
// are the floor that credo's figures at the same rate stand on (bench/README.md).
//
// With --port and --line it drives a running credo-server instead: every request is that one
// pre-encoded line (after a hello with --key on each connection), every answer a line. The
// client then does almost nothing per request, unlike credo-loadgen (which builds each order and
// parses each answer), so the two side by side tell the server's tail from the load generator's.
//
//   loopback_floor [--rate N] [--connections N] [--duration S] [--request B] [--reply B] [--spin]
//   loopback_floor --port P --key K --line JSON [--rate N] ...
//
// Hand-written rather than a library: it is 200 lines of epoll, and the point is to do nothing
// that credo-server and credo-loadgen do not also do.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

namespace {

struct Options {
  double rate = 20000;
  int connections = 16;
  double duration_s = 5;
  std::size_t request = 256;
  std::size_t reply = 700;
  bool spin = false;
  int port = 0;      // > 0: a running credo-server, not the forked echo server
  std::string key;   // its API key (hello on each connection)
  std::string line;  // the request, one JSON line
};

uint64_t now_ns() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

// Prints the usage; returns `code`, the exit status main() returns.
int usage(int code) {
  std::fputs(
      "loopback_floor: the latency of loopback TCP request/reply at a fixed rate, no server work\n"
      "Usage: loopback_floor [--rate N] [--connections N] [--duration S] [--request B]\n"
      "                      [--reply B] [--spin]\n"
      "  --rate N         requests/s offered, open loop (default 20000)\n"
      "  --connections N  connections, round robin (default 16)\n"
      "  --duration S     seconds measured (default 5)\n"
      "  --request B      request bytes (default 256, a 3-line submit_order)\n"
      "  --reply B        reply bytes (default 700, its answer)\n"
      "  --spin           the client polls instead of sleeping\n"
      "  --port P         drive the credo-server on 127.0.0.1:P instead of an echo server\n"
      "  --key K          with --port: the API key each connection says hello with\n"
      "  --line JSON      with --port: the request sent every time (answers are lines)\n"
      "Examples:\n"
      "  build/bin/loopback_floor --rate 1000 --duration 5\n"
      "  build/bin/loopback_floor --port 7400 --key demo-order --rate 20000 \\\n"
      "    --line '{\"op\":\"quote\",\"customer\":\"C1\",\"lines\":[{\"sku\":\"P1\",\"qty\":1}]}'\n",
      code == 0 ? stdout : stderr);
  return code;
}

// Reads the command line into `o`; returns -1 to go on, or the exit status to stop with.
int parse(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; i++) {
    const std::string a = argv[i];
    if (a == "--help" || a == "-h") return usage(0);
    if (a == "--spin") {
      o.spin = true;
      continue;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "loopback_floor: %s needs a value (--help)\n", a.c_str());
      return 2;
    }
    const char* arg = argv[++i];
    if (a == "--key" || a == "--line") {
      (a == "--key" ? o.key : o.line) = arg;
      continue;
    }
    char* end = nullptr;
    const double v = std::strtod(arg, &end);
    if (end == arg || *end != '\0' || v <= 0) {
      std::fprintf(stderr, "loopback_floor: %s needs a positive number, not '%s'\n", a.c_str(),
                   arg);
      return 2;
    }
    if (a == "--rate") o.rate = v;
    else if (a == "--connections") o.connections = static_cast<int>(v);
    else if (a == "--duration") o.duration_s = v;
    else if (a == "--request") o.request = static_cast<std::size_t>(v);
    else if (a == "--reply") o.reply = static_cast<std::size_t>(v);
    else if (a == "--port") o.port = static_cast<int>(v);
    else {
      std::fprintf(stderr, "loopback_floor: unknown option '%s' (--help)\n", a.c_str());
      return 2;
    }
  }
  if (o.port > 0 && (o.key.empty() || o.line.empty())) {
    std::fputs("loopback_floor: --port needs --key and --line\n", stderr);
    return 2;
  }
  return -1;
}

// The echo server: for every whole request read on a connection, one reply.
[[noreturn]] void serve(int listener, const Options& o) {
  const int ep = epoll_create1(0);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = listener;
  epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev);
  std::vector<std::size_t> partial(4096, 0);  // by fd: bytes of a request read so far
  const std::string reply(o.reply, 'r');
  std::vector<char> in(1 << 16);
  std::string out;
  epoll_event events[64];
  for (;;) {
    const int n = epoll_wait(ep, events, 64, -1);
    for (int i = 0; i < n; i++) {
      const int fd = events[i].data.fd;
      if (fd == listener) {
        const int c = accept(listener, nullptr, nullptr);
        if (c < 0 || c >= static_cast<int>(partial.size())) continue;
        const int one = 1;
        setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        ev.data.fd = c;
        epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
        continue;
      }
      const ssize_t r = read(fd, in.data(), in.size());
      if (r <= 0) _exit(0);  // the client is done
      partial[fd] += static_cast<std::size_t>(r);
      out.clear();
      for (; partial[fd] >= o.request; partial[fd] -= o.request) out += reply;
      for (std::size_t off = 0; off < out.size();) {
        const ssize_t w = write(fd, out.data() + off, out.size() - off);
        if (w <= 0) _exit(1);
        off += static_cast<std::size_t>(w);
      }
    }
  }
}

struct Conn {
  int fd = -1;
  std::deque<uint64_t> due;  // intended send times of the requests not yet answered
  std::size_t reply_bytes = 0;
};

// Blocks until `fd` has sent one line; false on EOF or error.
bool read_line(int fd) {
  char ch = 0;
  for (;;) {
    if (read(fd, &ch, 1) != 1) return false;
    if (ch == '\n') return true;
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (const int code = parse(argc, argv, o); code >= 0) return code;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  pid_t server = -1;
  if (o.port > 0) {
    addr.sin_port = htons(static_cast<uint16_t>(o.port));
  } else {
    const int listener = socket(AF_INET, SOCK_STREAM, 0);
    socklen_t len = sizeof addr;
    if (listener < 0 || bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0 ||
        listen(listener, 128) != 0) {
      std::perror("loopback_floor: listen");
      return 1;
    }
    server = fork();
    if (server == 0) serve(listener, o);
    close(listener);
  }
  auto stop_server = [&] {
    if (server > 0) kill(server, SIGKILL);
  };

  prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
  const int ep = epoll_create1(0);
  std::vector<Conn> conns(static_cast<std::size_t>(o.connections));
  for (std::size_t i = 0; i < conns.size(); i++) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      std::perror("loopback_floor: connect");
      stop_server();
      return 1;
    }
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (o.port > 0) {
      const std::string hello = "{\"op\":\"hello\",\"key\":\"" + o.key + "\"}\n";
      if (write(fd, hello.data(), hello.size()) != static_cast<ssize_t>(hello.size()) ||
          !read_line(fd)) {
        std::fputs("loopback_floor: the server closed the connection at hello\n", stderr);
        return 1;
      }
    }
    conns[i].fd = fd;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = i;
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  }

  const bool lines = o.port > 0;  // answers are counted by their newlines
  const std::string request = lines ? o.line + "\n" : std::string(o.request, 'q');
  std::vector<char> in(1 << 16);
  std::vector<uint64_t> lat;
  lat.reserve(static_cast<std::size_t>(o.rate * o.duration_s) + 16);
  const double interval = 1e9 / o.rate;
  const uint64_t start = now_ns() + 100'000'000;  // 100 ms to settle
  const auto end = static_cast<uint64_t>(static_cast<double>(start) + o.duration_s * 1e9);
  double next = static_cast<double>(start);
  std::size_t rr = 0, owed = 0;
  epoll_event events[64];
  for (;;) {
    const uint64_t now = now_ns();
    while (next <= static_cast<double>(now) && next < static_cast<double>(end)) {
      Conn& c = conns[rr++ % conns.size()];
      c.due.push_back(static_cast<uint64_t>(next));
      owed++;
      if (write(c.fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
        std::perror("loopback_floor: write");
        stop_server();
        return 1;
      }
      next += interval;
    }
    if (next >= static_cast<double>(end) && owed == 0) break;
    uint64_t wait = 0;
    if (!o.spin && next < static_cast<double>(end))
      wait = static_cast<uint64_t>(std::max(0.0, next - static_cast<double>(now_ns())));
    else if (!o.spin)
      wait = 100'000'000;
    const timespec ts{static_cast<time_t>(wait / 1'000'000'000),
                      static_cast<long>(wait % 1'000'000'000)};
    const int n = epoll_pwait2(ep, events, 64, &ts, nullptr);
    for (int i = 0; i < n; i++) {
      Conn& c = conns[events[i].data.u64];
      const ssize_t r = read(c.fd, in.data(), in.size());
      if (r <= 0) {
        std::fputs("loopback_floor: the server closed a connection\n", stderr);
        stop_server();
        return 1;
      }
      const uint64_t t = now_ns();
      std::size_t answers = 0;
      if (lines) {
        answers = static_cast<std::size_t>(std::count(in.data(), in.data() + r, '\n'));
      } else {
        c.reply_bytes += static_cast<std::size_t>(r);
        answers = c.reply_bytes / o.reply;
        c.reply_bytes %= o.reply;
      }
      for (; answers > 0 && !c.due.empty(); answers--) {
        lat.push_back(t - c.due.front());
        c.due.pop_front();
        owed--;
      }
    }
  }
  for (Conn& c : conns) close(c.fd);
  if (server > 0) waitpid(server, nullptr, 0);
  std::sort(lat.begin(), lat.end());
  auto q = [&](double p) {
    return static_cast<double>(lat[std::min(lat.size() - 1, static_cast<std::size_t>(
                                                                 p * static_cast<double>(lat.size())))]) /
           1e3;
  };
  std::printf(
      "loopback_floor: %s, %.0f req/s offered, %d connections, %zu requests%s: "
      "p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us\n",
      lines ? "credo-server" : "echo server", o.rate, o.connections, lat.size(),
      o.spin ? ", client spinning" : "",
      q(0.5), q(0.99), q(0.999), static_cast<double>(lat.back()) / 1e3);
  return 0;
}
