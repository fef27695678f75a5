#include "tools/wal/command_json.h"

#include <fmt/format.h>

#include <array>
#include <vector>

#include "engine/fields.h"
#include "engine/ops.h"
#include "net/json_writer.h"

namespace credo {
namespace {

class Json {
 public:
  explicit Json(std::string& out) : out_(out) {}
  void open() {
    out_ += '{';
    first_ = true;
  }
  void close() {
    out_ += '}';
    first_ = false;
  }
  void name(std::string_view n) {
    if (!first_) out_ += ',';
    first_ = false;
    out_ += '"';
    out_ += n;
    out_ += "\":";
  }
  void str(std::string_view s) { net::append_json_string(out_, s); }
  template <typename T>
  void integer(T v) {
    out_ += std::to_string(v);
  }
  std::string& raw() { return out_; }

 private:
  std::string& out_;
  bool first_ = true;
};

// ---- one printer per kind (engine/fields.h), as the request parser reads it back ----------
template <typename S>
void print_fields(Json& j, const S& s, bool nested);

void print(Json& j, fields::KeyKind, const Key& k) {
  j.str(k.view());
}
void print(Json& j, const fields::TextKind&, const std::string& s) {
  j.str(s);
}
template <typename T>
void print(Json& j, const fields::IntKind&, T v) {
  j.integer(v);
}
void print(Json& j, fields::DateKind, Day d) {
  j.str(format_date(d));  // "YYYY-MM-DD"
}
// No journaled body has a time field yet (set_clock is not journaled); kept so one can.
[[maybe_unused]] void print(Json& j, fields::TimeKind, TimeMs t) {
  j.str(format_time(t));  // ISO-8601 UTC
}
void print(Json& j, fields::BoolKind, bool b) {
  j.raw() += b ? "true" : "false";
}
template <typename E>
void print(Json& j, const fields::EnumKind<E>&, E e) {
  j.str(to_string(e));  // its wire name
}
template <typename Item, typename List>  // List: std::vector<Item> or a small_vector
void print(Json& j, const fields::ListKind<Item>&, const List& items) {
  j.raw() += '[';
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) j.raw() += ',';
    j.open();
    print_fields(j, items[i], true);
    j.close();
  }
  j.raw() += ']';
}
template <typename T>
void print(Json& j, const fields::LevelsKind&, const std::array<T, kLevelCount>& levels) {
  j.raw() += fmt::format("[{}]", fmt::join(levels, ","));
}
void print(Json& j, fields::ReasonSetKind, ReasonSet set) {
  j.raw() += '[';
  bool first = true;
  for (int r = 0; r < kReasonCount; ++r) {
    if (!(set & reason_bit(static_cast<Reason>(r)))) continue;
    j.raw() += fmt::format("{}\"{}\"", first ? "" : ",", to_string(static_cast<Reason>(r)));
    first = false;
  }
  j.raw() += ']';
}
void print(Json& j, fields::ReasonLevelsKind, const std::array<int8_t, kReasonCount>& levels) {
  j.raw() += '{';
  bool first = true;
  for (int r = 0; r < kReasonCount; ++r) {
    if (!has_configured_level(static_cast<Reason>(r))) continue;
    j.raw() += fmt::format("{}\"{}\":{}", first ? "" : ",", to_string(static_cast<Reason>(r)),
                           levels[static_cast<std::size_t>(r)]);
    first = false;
  }
  j.raw() += '}';
}

// Whether a field is left out: an empty std::optional; and, inside a nested struct (an
// order, a line), an optional key or text that is empty, which is what the request parser
// leaves when the field is not given. At a body's top level an empty optional text is printed
// ("reason":""): the hand-written printer this walk replaced did so, and dump output is kept
// as it was (tests/wal pins it). Printing every level the nested way would be the simpler rule
// (it changes set_credit's, cancel_order's and release_order's output when their text is "").
template <typename F, typename M>
bool absent(const F& f, const M& m, bool nested) {
  if constexpr (fields::is_optional_v<M>)
    return !m.has_value();
  else if constexpr (std::is_same_v<M, Key> || std::is_same_v<M, std::string>)
    return nested && !f.required() && m.empty();
  else
    return false;
}

// Every field of `s` by its wire name, in list order; an inline struct's fields in place.
// `nested`: s is an item of a list or an inline struct, not a body itself.
template <typename S>
void print_fields(Json& j, const S& s, bool nested) {
  fields::for_each_field<S>([&](const auto& f) {
    const auto& m = s.*f.member;
    using Kind = typename std::decay_t<decltype(f)>::Kind;
    if constexpr (std::is_same_v<Kind, fields::InlineKind>) {
      print_fields(j, m, true);
    } else if (!absent(f, m, nested)) {
      j.name(f.name);
      if constexpr (fields::is_optional_v<std::decay_t<decltype(m)>>)
        print(j, f.kind, *m);
      else
        print(j, f.kind, m);
    }
  });
}

}  // namespace

void append_command_json(std::string& out, const Command& cmd) {
  Json j(out);
  j.open();
  j.name("seq");
  j.integer(cmd.seq);
  j.name("at");
  j.str(format_time(cmd.at));
  j.name("principal");
  j.str(cmd.by.name.view());
  j.name("roles");
  out += '[';
  bool first = true;
  for (uint8_t bit = 1; bit <= kRoleAdmin; bit <<= 1) {
    if (!(cmd.by.roles & bit)) continue;
    if (!first) out += ',';
    first = false;
    out += fmt::format("\"{}\"", role_name(static_cast<Role>(bit)));
  }
  out += ']';
  j.name("level");
  j.integer(static_cast<int32_t>(cmd.by.level));
  j.name("kind");
  j.str(kOps[op_id_of(cmd.body)].name);
  std::visit([&](const auto& b) { print_fields(j, b, false); }, cmd.body);
  j.close();
}

}  // namespace credo
