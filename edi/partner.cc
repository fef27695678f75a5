#include "edi/partner.h"

#include <simdjson.h>

namespace credo::edi {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

bool get_string(object o, const char* key, std::string* out, std::string* error, const std::string& who) {
  element e;
  if (o[key].get(e) != simdjson::SUCCESS) return true;  // absent: keep the default
  std::string_view v;
  if (e.get_string().get(v) != simdjson::SUCCESS) {
    *error = who + ": \"" + key + "\" must be a string";
    return false;
  }
  *out = std::string(v);
  return true;
}

}  // namespace

const Partner* PartnerBook::find_x12(std::string_view isa_qualifier, std::string_view isa_id,
                                     std::string_view gs_id) const {
  for (const auto& p : partners) {
    if (p.isa_id.empty() && p.gs_id.empty()) continue;
    if (!p.isa_id.empty() && p.isa_id != isa_id) continue;
    if (!p.isa_id.empty() && !p.isa_qualifier.empty() && p.isa_qualifier != isa_qualifier) continue;
    if (!p.gs_id.empty() && p.gs_id != gs_id) continue;
    return &p;
  }
  return nullptr;
}

const Partner* PartnerBook::find_edifact(std::string_view unb_id) const {
  for (const auto& p : partners) {
    if (!p.unb_id.empty() && p.unb_id == unb_id) return &p;
  }
  return nullptr;
}

const Partner* PartnerBook::find_buyer(std::string_view code) const {
  if (code.empty()) return nullptr;
  for (const auto& p : partners) {
    for (const auto& c : p.buyer_codes) {
      if (c == code) return &p;
    }
  }
  return nullptr;
}

std::string customer_for(const Partner& p, std::string_view buyer_code) {
  auto it = p.buyers.find(std::string(buyer_code));
  return it != p.buyers.end() ? it->second : p.customer;
}

std::optional<PartnerBook> parse_partners(std::string_view json, std::string* error) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  element root;
  if (parser.parse(padded).get(root) != simdjson::SUCCESS) {
    *error = "partner file: not valid JSON";
    return std::nullopt;
  }
  simdjson::dom::array list;
  if (root["partners"].get_array().get(list) != simdjson::SUCCESS) {
    *error = "partner file: needs {\"partners\":[...]}";
    return std::nullopt;
  }
  PartnerBook book;
  std::size_t index = 0;
  for (element pe : list) {
    object o;
    const std::string who = "partners[" + std::to_string(index++) + "]";
    if (pe.get_object().get(o) != simdjson::SUCCESS) {
      *error = who + ": must be an object";
      return std::nullopt;
    }
    Partner p;
    for (auto [key, value] : o) {
      static const char* kKnown[] = {"name", "isa_qualifier", "isa_id", "gs_id", "unb_id", "buyer_codes",
                                     "buyers", "customer", "api_key", "product_qualifier", "xref", "uom",
                                     "price", "price_decimals", "payment", "terms", "our_qualifier",
                                     "our_id", "our_gs_id"};
      bool known = false;
      for (const char* k : kKnown) known = known || key == k;
      if (!known) {
        *error = who + ": unknown field \"" + std::string(key) + "\"";
        return std::nullopt;
      }
    }
    std::string price = "list";
    if (!get_string(o, "name", &p.name, error, who) || !get_string(o, "isa_qualifier", &p.isa_qualifier, error, who) ||
        !get_string(o, "isa_id", &p.isa_id, error, who) || !get_string(o, "gs_id", &p.gs_id, error, who) ||
        !get_string(o, "unb_id", &p.unb_id, error, who) || !get_string(o, "customer", &p.customer, error, who) ||
        !get_string(o, "api_key", &p.api_key, error, who) ||
        !get_string(o, "product_qualifier", &p.product_qualifier, error, who) ||
        !get_string(o, "price", &price, error, who) || !get_string(o, "payment", &p.payment, error, who) ||
        !get_string(o, "terms", &p.terms, error, who) || !get_string(o, "our_qualifier", &p.our_qualifier, error, who) ||
        !get_string(o, "our_id", &p.our_id, error, who) || !get_string(o, "our_gs_id", &p.our_gs_id, error, who)) {
      return std::nullopt;
    }
    const std::string named = p.name.empty() ? who : who + " (" + p.name + ")";
    if (p.name.empty()) {
      *error = who + ": \"name\" is required";
      return std::nullopt;
    }
    if (p.api_key.empty()) {
      *error = named + ": \"api_key\" is required";
      return std::nullopt;
    }
    if (price != "send" && price != "list") {
      *error = named + ": \"price\" must be \"send\" (the PO price becomes unit_price) or \"list\" (ignored)";
      return std::nullopt;
    }
    p.send_price = price == "send";
    if (p.payment != "credit" && p.payment != "prepaid") {
      *error = named + ": \"payment\" must be \"credit\" or \"prepaid\"";
      return std::nullopt;
    }
    int64_t decimals = 2;
    if (o["price_decimals"].get_int64().get(decimals) == simdjson::SUCCESS) {
      if (decimals < 0 || decimals > 6) {
        *error = named + ": \"price_decimals\" must be 0..6";
        return std::nullopt;
      }
      p.price_decimals = static_cast<int>(decimals);
    }
    simdjson::dom::array codes;
    if (o["buyer_codes"].get_array().get(codes) == simdjson::SUCCESS) {
      for (element c : codes) {
        std::string_view s;
        if (c.get_string().get(s) != simdjson::SUCCESS) {
          *error = named + ": \"buyer_codes\" must be strings";
          return std::nullopt;
        }
        p.buyer_codes.emplace_back(s);
      }
    }
    for (const char* map_name : {"buyers", "xref"}) {
      object m;
      if (o[map_name].get_object().get(m) != simdjson::SUCCESS) continue;
      auto& target = std::string_view(map_name) == "buyers" ? p.buyers : p.xref;
      for (auto [k, v] : m) {
        std::string_view s;
        if (v.get_string().get(s) != simdjson::SUCCESS) {
          *error = named + ": \"" + map_name + "\" values must be strings";
          return std::nullopt;
        }
        target[std::string(k)] = std::string(s);
      }
      if (std::string_view(map_name) == "buyers") {
        for (const auto& [k, v] : p.buyers) p.buyer_codes.push_back(k);
      }
    }
    object u;
    if (o["uom"].get_object().get(u) == simdjson::SUCCESS) {
      p.uom.clear();
      for (auto [k, v] : u) {
        int64_t f = 0;
        if (v.get_int64().get(f) != simdjson::SUCCESS || f < 1 || f > 1'000'000) {
          *error = named + ": \"uom\"." + std::string(k) + " must be an integer 1..1000000 (credo units per unit)";
          return std::nullopt;
        }
        p.uom[std::string(k)] = f;
      }
    }
    if (p.customer.empty() && p.buyers.empty()) {
      *error = named + ": \"customer\" (or \"buyers\") is required";
      return std::nullopt;
    }
    if (p.isa_id.empty() && p.gs_id.empty() && p.unb_id.empty() && p.buyer_codes.empty()) {
      *error = named + ": nothing identifies it: give isa_id, gs_id, unb_id or buyer_codes";
      return std::nullopt;
    }
    book.partners.push_back(std::move(p));
  }
  return book;
}

}  // namespace credo::edi
