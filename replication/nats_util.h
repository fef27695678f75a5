// Small helpers shared by replication/'s files: the message headers and lease key, time, NATS
// status text. Internal to credo_replication.
#pragma once

#include <nats/nats.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace credo::replication::detail {

// Message headers: the command seqs a message holds, and who published it.
inline constexpr const char* kFirstHeader = "Credo-First-Seq";
inline constexpr const char* kLastHeader = "Credo-Last-Seq";
inline constexpr const char* kPrimaryHeader = "Credo-Primary";
inline constexpr const char* kLeaseKey = "primary";
// A batch is cut into messages of about this size (JetStream's default limit is 1 MiB).
inline constexpr std::size_t kMaxMessageBytes = 512 * 1024;
inline constexpr int64_t kPublishWaitMs = 5'000;
// How long a starting node waits for the stream to answer.
inline constexpr int64_t kStartRetryMs = 20'000;

inline int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

inline std::string nats_error(natsStatus s) {
  const char* last = nats_GetLastError(nullptr);
  std::string out = natsStatus_GetText(s);
  if (last != nullptr && *last != '\0') out += std::string(" (") + last + ")";
  return out;
}

inline std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t end = s.find(sep, start);
    if (end == std::string::npos) end = s.size();
    if (end > start) out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

inline bool header_u64(natsMsg* m, const char* key, uint64_t* v) {
  const char* text = nullptr;
  if (natsMsgHeader_Get(m, key, &text) != NATS_OK || text == nullptr) return false;
  char* end = nullptr;
  *v = std::strtoull(text, &end, 10);
  return end != text && *end == '\0';
}


}  // namespace credo::replication::detail
