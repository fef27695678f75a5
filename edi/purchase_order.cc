#include "edi/purchase_order.h"

#include <cstdio>
#include <limits>

namespace credo::edi {

void json_string(std::string* out, std::string_view s) {
  out->push_back('"');
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (u < 0x20) {
      char b[8];
      std::snprintf(b, sizeof b, "\\u%04x", u);
      out->append(b);
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}

std::string order_body_json(const PurchaseOrder& po, const std::string& ref) {
  std::string j = "{\"customer\":";
  json_string(&j, po.customer);
  j += ",\"client_order_id\":";
  json_string(&j, po.po_number);
  if (po.partner != nullptr && po.partner->payment != "credit") {
    j += ",\"payment\":";
    json_string(&j, po.partner->payment);
  }
  if (!po.ship_by.empty()) {
    j += ",\"ship_by\":";
    json_string(&j, po.ship_by);
  }
  if (!ref.empty()) {
    j += ",\"ref\":";
    json_string(&j, ref);
  }
  j += ",\"lines\":[";
  bool first = true;
  for (const auto& l : po.lines) {
    if (!first) j += ',';
    first = false;
    j += "{\"sku\":";
    json_string(&j, l.sku);
    j += ",\"qty\":" + std::to_string(l.qty);
    if (po.partner != nullptr && po.partner->send_price && l.po_unit_price) {
      j += ",\"unit_price\":" + std::to_string(*l.po_unit_price);
    }
    j += '}';
  }
  j += "]}";
  return j;
}

std::optional<int64_t> parse_decimal(std::string_view s, int decimals) {
  if (s.empty() || s.size() > 30) return std::nullopt;
  bool negative = false;
  if (s[0] == '-') {
    negative = true;
    s.remove_prefix(1);
  }
  __int128 whole = 0;
  int frac_digits = 0;
  bool dot = false, any = false;
  for (char c : s) {
    if (c == '.') {
      if (dot) return std::nullopt;
      dot = true;
      continue;
    }
    if (c < '0' || c > '9') return std::nullopt;
    any = true;
    if (dot) {
      ++frac_digits;
      if (frac_digits > decimals) {
        if (c != '0') return std::nullopt;  // more precision than the unit has
        continue;
      }
    }
    whole = whole * 10 + (c - '0');
    if (whole > static_cast<__int128>(std::numeric_limits<int64_t>::max())) return std::nullopt;
  }
  if (!any) return std::nullopt;
  for (int i = frac_digits < decimals ? frac_digits : decimals; i < decimals; ++i) {
    whole *= 10;
    if (whole > static_cast<__int128>(std::numeric_limits<int64_t>::max())) return std::nullopt;
  }
  return static_cast<int64_t>(negative ? -whole : whole);
}

std::string iso_date(std::string_view d) {
  if (d.size() != 8) return "";
  for (char c : d) {
    if (c < '0' || c > '9') return "";
  }
  const int y = std::stoi(std::string(d.substr(0, 4)));
  const int m = std::stoi(std::string(d.substr(4, 2)));
  const int day = std::stoi(std::string(d.substr(6, 2)));
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || day < 1) return "";
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  const int max = kDays[m - 1] + (m == 2 && leap ? 1 : 0);
  if (day > max) return "";
  return std::string(d.substr(0, 4)) + "-" + std::string(d.substr(4, 2)) + "-" + std::string(d.substr(6, 2));
}

}  // namespace credo::edi
