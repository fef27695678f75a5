#include "tools/server/rejoin.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <system_error>

namespace credo {

std::vector<std::string> rejoin_args(const std::vector<std::string>& args, uint16_t port,
                                     uint16_t http_port, bool http_given) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < args.size(); i++) {
    const std::string& a = args[i];
    // What a standby may not be given (its state, policy included, is the stream's) and the
    // ports it gets anew.
    const bool with_value = a == "--port" || a == "--http-port" || a == "--config" ||
                            a == "--order-retention-days";
    if (with_value) {
      i++;  // skip its value
      continue;
    }
    if (a == "--follow" || a == "--demo" || a.starts_with("--port=") ||
        a.starts_with("--http-port=") || a.starts_with("--config=") ||
        a.starts_with("--order-retention-days="))
      continue;
    out.push_back(a);
  }
  out.emplace_back("--follow");
  out.emplace_back("--port");
  out.push_back(std::to_string(port));
  if (http_port != 0 || http_given) {
    out.emplace_back("--http-port");
    out.push_back(std::to_string(http_port));
  }
  return out;
}

std::string rejoin_as_standby(const std::vector<std::string>& args, const std::string& data_dir) {
  if (!data_dir.empty()) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    std::string aside = data_dir;
    while (aside.size() > 1 && aside.back() == '/') aside.pop_back();
    aside += ".deposed-" + std::to_string(ms);
    if (::rename(data_dir.c_str(), aside.c_str()) != 0)
      return "cannot move " + data_dir + " aside to " + aside + ": " +
             std::generic_category().message(errno);
    std::fprintf(stderr, "credo-server: replication: moved the deposed data directory to %s\n",
                 aside.c_str());
  }
  // The listening sockets and the journal's files must not outlive the exec (the new image
  // binds the same ports).
  if (DIR* d = ::opendir("/proc/self/fd")) {
    const int own = ::dirfd(d);
    while (dirent* e = ::readdir(d)) {
      const int fd = static_cast<int>(std::strtol(e->d_name, nullptr, 10));
      if (fd > 2 && fd != own) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    ::closedir(d);
  }
  std::vector<char*> argv;
  std::string self = "credo-server";
  argv.push_back(self.data());
  std::vector<std::string> copy = args;
  for (std::string& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  (void)std::fflush(nullptr);
  ::execv("/proc/self/exe", argv.data());
  return "exec /proc/self/exe: " + std::generic_category().message(errno);
}

}  // namespace credo
