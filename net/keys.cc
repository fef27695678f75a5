#include "net/keys.h"

#include <fmt/format.h>
#include <simdjson.h>
#include <sys/stat.h>

namespace credo::net {

namespace {

// Compares equal-length-independent: the loop always runs over max(a, b) bytes of a padded
// view, and the length difference is folded into the result instead of returning early.
bool equal_constant_time(std::string_view a, std::string_view b) {
  std::size_t n = a.size() > b.size() ? a.size() : b.size();
  unsigned diff = static_cast<unsigned>(a.size() ^ b.size());
  for (std::size_t i = 0; i < n; i++) {
    unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= static_cast<unsigned>(x ^ y);
  }
  return diff == 0;
}

}  // namespace

std::vector<std::string_view> role_names(uint8_t roles) {
  std::vector<std::string_view> names;
  for (uint8_t bit = 1; bit != 0 && bit <= kRoleAdmin; bit = static_cast<uint8_t>(bit << 1))
    if (roles & bit) names.emplace_back(role_name(static_cast<Role>(bit)));
  return names;
}

void KeyStore::add(std::string key, const Principal& p) {
  entries_.push_back(Entry{std::move(key), p});
}

bool KeyStore::check_separation(bool allow_combined_roles, std::string* error) const {
  if (allow_combined_roles) return true;
  constexpr uint8_t kIncompatible[][2] = {{kRoleOrder, kRoleCredit}, {kRoleCredit, kRoleFinance}};
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    const Principal& p = entries_[i].principal;
    for (const auto& pair : kIncompatible) {
      if ((p.roles & pair[0]) == 0 || (p.roles & pair[1]) == 0) continue;
      *error = fmt::format(
          "key #{} (principal \"{}\") has both the {} and the {} role: one person may not hold "
          "both (separation of duties); give them two keys, or set \"allow_combined_roles\": "
          "true in the policy file",
          i + 1, p.name.view(), role_name(static_cast<Role>(pair[0])),
          role_name(static_cast<Role>(pair[1])));
      return false;
    }
  }
  return true;
}

bool KeyStore::lookup(std::string_view key, Principal* out) const {
  // Visit every entry even after a match so the time taken does not depend on which one matched.
  bool found = false;
  for (const Entry& e : entries_) {
    bool eq = equal_constant_time(e.key, key);
    if (eq && !found) {
      *out = e.principal;
      found = true;
    }
  }
  return found;
}

bool KeyStore::load_file(const std::string& path, std::string* error) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    // NOLINTNEXTLINE(concurrency-mt-unsafe): keys are loaded at startup, before any thread.
    *error = fmt::format("cannot read key file {}: {}", path, std::strerror(errno));
    return false;
  }
  if (st.st_mode & (S_IRWXG | S_IRWXO)) {
    *error = fmt::format(
        "key file {} is accessible by group or others (mode {:o}); it holds secrets: "
        "chmod 600 {}",
        path, st.st_mode & 0777, path);
    return false;
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto err = parser.load(path).get(doc)) {
    *error = fmt::format("key file {}: not valid JSON ({})", path, simdjson::error_message(err));
    return false;
  }
  simdjson::dom::array keys;
  if (doc["keys"].get_array().get(keys)) {
    *error = fmt::format("key file {}: expected {{\"keys\":[...]}}", path);
    return false;
  }
  std::size_t index = 0;
  for (simdjson::dom::element item : keys) {
    std::string where = fmt::format("key file {}: keys[{}]", path, index++);
    if (entries_.size() >= kMaxKeys) {
      *error = fmt::format("{}: more than {} keys", where, kMaxKeys);
      return false;
    }
    std::string_view key, name;
    if (item["key"].get_string().get(key) || key.empty() || key.size() > kMaxKeyLen) {
      *error = fmt::format("{}: \"key\" must be a string of 1..{} characters", where, kMaxKeyLen);
      return false;
    }
    if (item["principal"].get_string().get(name) || !Key::valid(name)) {
      *error = fmt::format("{}: \"principal\" must be 1..64 printable ASCII characters", where);
      return false;
    }
    Principal p;
    p.name = Key::of(name);
    simdjson::dom::array roles;
    if (item["roles"].get_array().get(roles)) {
      *error = fmt::format("{}: \"roles\" must be an array of role names", where);
      return false;
    }
    for (simdjson::dom::element r : roles) {
      std::string_view rn;
      Role role;
      if (r.get_string().get(rn) || !parse_role(rn, &role)) {
        *error =
            fmt::format("{}: unknown role (use order, credit, warehouse, finance, admin)", where);
        return false;
      }
      p.roles |= role;
    }
    int64_t level = 0;
    auto lv = item["level"];
    if (lv.error() != simdjson::NO_SUCH_FIELD) {
      if (lv.get_int64().get(level) || level < 0 || level > kMaxLevel) {
        *error = fmt::format("{}: \"level\" must be an integer 0..{}", where, kMaxLevel);
        return false;
      }
    }
    p.level = static_cast<uint8_t>(level);
    Principal existing;
    if (lookup(key, &existing)) {
      *error = fmt::format("{}: the same key is given twice", where);
      return false;
    }
    add(std::string(key), p);
  }
  return true;
}

}  // namespace credo::net
