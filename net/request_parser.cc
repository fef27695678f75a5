// The request parser: simdjson on-demand over the connection's buffer, one pass over the fields
// in the common case ("id" and "op" first). The op is found by name in engine/ops.h's table and
// each field BY NAME in its body's descriptor list (engine/fields.h), which also gives the
// field's kind, range and whether it is required: nothing here lists ops or fields.
//
// Why two passes at most: on-demand parsing reads forward only, and which fields are allowed
// depends on "op". Pass 1 reads "id" and "op" wherever they are and handles every field that
// comes after "op"; if some other field came before "op", pass 2 rewinds the object and handles
// the fields pass 1 had to skip.
//
// Why a validation walk on the error path: on-demand parsing only checks what it reads, so a
// BAD_REQUEST found early could hide broken JSON later in the line. Before answering
// BAD_REQUEST or UNKNOWN_OP we walk the whole document once more (net/json_validation.h);
// invalid JSON anywhere turns the answer into BAD_JSON, so the error code never depends on field
// order.

#include <simdjson.h>

#include <array>
#include <tuple>
#include <type_traits>

#include "engine/fields.h"
#include "engine/ops.h"
#include "net/codec.h"
#include "net/json_validation.h"
#include "net/json_reader.h"
#include "net/json_writer.h"
#include "net/parse_kernel.h"

namespace credo::net {

static_assert(kParsePadding == simdjson::SIMDJSON_PADDING);

// This file is compiled once per simdjson kernel (net/parse_kernel.h): everything below lives
// in that kernel's namespace, so the copies never clash. `od` (simdjson::ondemand) comes from
// net/json_reader.h, in the same namespace.
namespace CREDO_PARSE_KERNEL {

namespace {

// ---- field tables, derived from engine/fields.h ------------------------------------------------
using fields::field_names;
using fields::FieldsOf;
using fields::Flat;
using fields::flat;
using fields::required_mask;
using fields::reset_fields;

constexpr uint32_t bit(std::size_t i) {
  return 1u << i;
}

// No field name of any op is longer than this; longer keys are unknown without a lookup.
// Why it matters: pass 1 unescapes every key, and keeping them short bounds how much of
// simdjson's string buffer two passes can use (see the Impl constructor).
constexpr std::size_t kMaxFieldNameLen = 32;

template <typename S>
constexpr bool field_table_ok() {
  const auto names = field_names<S>();
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i].empty() || names[i].size() > kMaxFieldNameLen) return false;
    for (std::size_t j = i + 1; j < names.size(); ++j)
      if (names[i] == names[j]) return false;
  }
  return names.size() <= 32;  // the seen and required masks are 32 bits
}

// An unknown op is quoted in the error message, cut to this many bytes.
constexpr std::size_t kMaxQuotedOpBytes = 64;

// Returns the alternative T of `v`, reusing the one already there (and its buffers).
template <typename T, typename V>
T& reuse(V& v) {
  if (auto* p = std::get_if<T>(&v)) return *p;
  return v.template emplace<T>();
}

template <typename T, typename V>
constexpr bool alternative_of = false;
template <typename T, typename... Ts>
constexpr bool alternative_of<T, std::variant<Ts...>> = (std::is_same_v<T, Ts> || ...);

// What a server op is, for the session.
template <typename T>
constexpr RequestKind server_kind() {
  if constexpr (std::is_same_v<T, Hello>)
    return RequestKind::hello;
  else if constexpr (std::is_same_v<T, Ping>)
    return RequestKind::ping;
  else if constexpr (std::is_same_v<T, Stats>)
    return RequestKind::stats;
  else if constexpr (std::is_same_v<T, Snapshot>)
    return RequestKind::snapshot;
  else if constexpr (std::is_same_v<T, SetClock>)
    return RequestKind::set_clock;
  else if constexpr (std::is_same_v<T, StateHash>)
    return RequestKind::state_hash;
  else if constexpr (std::is_same_v<T, StepDown>)
    return RequestKind::step_down;
  else if constexpr (std::is_same_v<T, Whoami>)
    return RequestKind::whoami;
  else {
    static_assert(std::is_same_v<T, Metrics>, "a server op without a RequestKind");
    return RequestKind::metrics;
  }
}

}  // namespace

// ---- the parser ------------------------------------------------------------------------------
struct Impl : JsonReader {
  od::parser parser;
  // Per-call state (and JsonReader's err and path).
  Request* out = nullptr;
  // Bodies of the server ops while they are parsed (finish_body hands them to the Request).
  ServerBody server;

  Impl() {
    // Why pre-allocate: simdjson's string buffer is 5/3 of the capacity. Both passes unescape
    // the keys (at most kMaxFieldNameLen bytes each) and each value once; with at least 64 KiB of
    // capacity that always fits even for tiny documents, and for larger ones 5/3 of the length
    // leaves room for the second pass's few short keys.
    // Failure (out of memory) is not fatal here: iterate() allocates again when it needs to.
    if (parser.allocate(std::size_t{64} * 1024) != simdjson::SUCCESS) return;
  }

  // ---- fields, by their descriptors (engine/fields.h) ----
  // Reads one value of kind `kind` into `m` (an absent optional is emplaced first).
  template <typename M, typename K>
  bool read_member(od::value& v, std::string_view leaf, const K& kind, M& m) {
    if constexpr (fields::is_optional_v<M>) {
      return read_member(v, leaf, kind, m.emplace());
    } else if constexpr (std::is_same_v<K, fields::KeyKind>) {
      return read_key(v, leaf, m);
    } else if constexpr (std::is_same_v<K, fields::TextKind>) {
      return read_text(v, leaf, kind.max_len, m);
    } else if constexpr (std::is_same_v<K, fields::IntKind>) {
      int64_t x;
      if (!read_int(v, leaf, kind.range.lo, kind.range.hi, x)) return false;
      m = static_cast<M>(x);
      return true;
    } else if constexpr (std::is_same_v<K, fields::DateKind>) {
      return read_date(v, leaf, m);
    } else if constexpr (std::is_same_v<K, fields::TimeKind>) {
      return read_time(v, leaf, m);
    } else if constexpr (std::is_same_v<K, fields::BoolKind>) {
      return read_bool(v, leaf, m);
    } else if constexpr (std::is_same_v<K, fields::EnumKind<M>>) {
      return read_enum(v, leaf, kind.allowed, m);
    } else if constexpr (std::is_same_v<K, fields::LevelsKind>) {
      return read_levels(v, leaf, kind.range, m);
    } else if constexpr (std::is_same_v<K, fields::ReasonSetKind>) {
      return read_reason_set(v, leaf, m);
    } else if constexpr (std::is_same_v<K, fields::ReasonLevelsKind>) {
      return read_reason_levels(v, leaf, m);
    } else {
      return read_list(v, leaf, kind, m);  // ListKind<Item>
    }
  }

  // Matches `key` BY NAME against S's fields and reads the value: 1 done, 0 failed (err set),
  // -1 no such field. A field's bit in `seen` is its index in FieldsOf<S>.
  template <typename S>
  int read_field(S& s, std::string_view key, od::value& v, uint32_t& seen) {
    int result = -1;
    std::size_t i = 0;
    std::apply(
        [&](const auto&... f) {
          (void)((f.name == key ? (result = read_one(f, i, s, v, seen), true) : (++i, false)) ||
                 ...);
        },
        FieldsOf<S>::list);
    return result;
  }
  template <typename F, typename S>
  int read_one(const F& f, std::size_t i, S& s, od::value& v, uint32_t& seen) {
    if (seen & bit(i)) return bad(f.name, "given twice");
    seen |= bit(i);
    return read_member(v, f.name, f.kind, s.*f.member) ? 1 : 0;
  }
  template <typename S>
  bool check_required(uint32_t seen) {
    static constexpr auto kNames = field_names<S>();
    const uint32_t missing = required_mask<S>() & ~seen;
    if (missing == 0) return true;
    return bad(kNames[__builtin_ctz(missing)], "is required");
  }

  // A nested object: its fields by FieldsOf<S>; unknown, duplicate and (at the end) missing
  // required fields are BAD_REQUEST.
  template <typename S>
  bool read_object_fields(od::value& v, S& s) {
    static_assert(field_table_ok<S>());
    od::object o;
    if (!read_object(v, "", o)) return false;
    uint32_t seen = 0;
    for (auto fr : o) {
      od::field f;
      if (auto e = std::move(fr).get(f)) return json_error(e);
      std::string_view key;
      if (auto e = f.unescaped_key().get(key)) return json_error(e);
      const int r = key.size() <= kMaxFieldNameLen ? read_field(s, key, f.value(), seen) : -1;
      if (r < 0) return bad(key.size() <= kMaxFieldNameLen ? key : "", "unknown field");
      if (r == 0) return false;
    }
    return check_required<S>(seen);
  }

  // An array of min_count..max_count objects. Elements left from an earlier request are
  // reused (with their buffers); the list is trimmed to what was read.
  template <typename Item, typename List>  // List: std::vector<Item> or a small_vector
  bool read_list(od::value& v, std::string_view leaf, const fields::ListKind<Item>& kind,
                 List& items) {
    od::array a;
    if (!read_array(v, leaf, a)) return false;
    // A fresh list (its vector went to the engine with the last request) starts with room for
    // 4 items: one allocation instead of one per doubling from 1.
    if (items.capacity() < 4) items.reserve(std::min<std::size_t>(4, kind.max_count));
    std::size_t n = 0;
    for (auto er : a) {
      od::value ev;
      if (auto e = std::move(er).get(ev)) return json_error(e);
      if (n == kind.max_count) {
        std::string why = "at most ";
        append_uint(why, kind.max_count);
        why.push_back(' ');
        why.append(leaf);
        return bad(leaf, why);
      }
      if (n == items.size()) items.emplace_back();
      Item& item = items[n];
      reset_fields(item);
      path[path_len++] = {leaf, n};
      const bool ok = read_object_fields(ev, item);
      path_len--;
      if (!ok) return false;
      n++;
    }
    items.resize(n);
    if (n < kind.min_count) {
      if (n == 0) return bad(leaf, "must not be empty");
      std::string why = "at least ";
      append_uint(why, kind.min_count);
      return bad(leaf, why);
    }
    return true;
  }

  // The policy's per-level arrays: exactly one integer in `range` per approval level.
  template <typename T>
  bool read_levels(od::value& v, std::string_view leaf, Range range,
                   std::array<T, kLevelCount>& levels) {
    od::array a;
    if (!read_array(v, leaf, a)) return false;
    std::size_t n = 0;
    for (auto er : a) {
      od::value ev;
      if (auto e = std::move(er).get(ev)) return json_error(e);
      if (n == kLevelCount) return bad_level_count(leaf);
      path[path_len++] = {leaf, n};
      int64_t x;
      const bool ok = read_int(ev, "", range.lo, range.hi, x);
      path_len--;
      if (!ok) return false;
      levels[n] = static_cast<T>(x);
      n++;
    }
    if (n != kLevelCount) return bad_level_count(leaf);
    return true;
  }
  // A non-empty array of reason codes, each at most once.
  bool read_reason_set(od::value& v, std::string_view leaf, ReasonSet& set) {
    od::array a;
    if (!read_array(v, leaf, a)) return false;
    set = 0;
    for (auto er : a) {
      od::value ev;
      if (auto e = std::move(er).get(ev)) return json_error(e);
      Reason r{};
      if (!read_enum(ev, leaf, fields::kReason.allowed, r)) return false;
      if (set & reason_bit(r)) return bad(leaf, "names a reason twice");
      set |= reason_bit(r);
    }
    if (set == 0) return bad(leaf, "must not be empty");
    return true;
  }
  // An object from reason code to approval level, for the reasons with a configured level;
  // a reason left out keeps its level.
  bool read_reason_levels(od::value& v, std::string_view leaf,
                          std::array<int8_t, kReasonCount>& levels) {
    od::object o;
    if (!read_object(v, leaf, o)) return false;
    for (auto fr : o) {
      od::field f;
      if (auto e = std::move(fr).get(f)) return json_error(e);
      std::string_view key;
      if (auto e = f.unescaped_key().get(key)) return json_error(e);
      Reason r{};
      if (!credo::parse(key, &r) || !has_configured_level(r))
        return bad(leaf, "has keys CUSTOMER_ON_HOLD, CREDIT_GRADE, CREDIT_LIMIT, OVERDUE and the "
                         "other hold reasons with a configured level");
      int64_t x;
      if (!read_int(f.value(), leaf, kLevelRange.lo, kLevelRange.hi, x)) return false;
      levels[static_cast<std::size_t>(r)] = static_cast<int8_t>(x);
    }
    return true;
  }
  bool bad_level_count(std::string_view leaf) {
    std::string why = "must have exactly ";
    append_uint(why, kLevelCount);
    why.append(" elements (levels 0 to ");
    append_uint(why, kMaxLevel);
    why.push_back(')');
    return bad(leaf, why);
  }

  // ---- the op's body ----
  // Where the body of op T lives in the request.
  template <typename T>
  T& body() {
    if constexpr (alternative_of<T, CommandBody>)
      return std::get<T>(out->command);
    else if constexpr (alternative_of<T, QueryBody>)
      return std::get<T>(out->query);
    else
      return std::get<T>(server);
  }
  // Emplaces (or reuses) op T's body, fresh, before its fields are read.
  template <typename T>
  void prepare() {
    static_assert(field_table_ok<Flat<T>>());
    if constexpr (alternative_of<T, CommandBody>) {
      reset_fields(reuse<T>(out->command));
      out->kind = RequestKind::command;
    } else if constexpr (alternative_of<T, QueryBody>) {
      reset_fields(reuse<T>(out->query));
      out->kind = RequestKind::query;
    } else {
      reset_fields(reuse<T>(server));
      out->kind = server_kind<T>();
    }
  }
  template <typename T>
  int top_field(std::string_view key, od::value& v, uint32_t& seen) {
    return read_field(flat(body<T>()), key, v, seen);
  }
  // Checks across fields, once all are read; server ops hand their values to the Request.
  template <typename T>
  bool finish(uint32_t seen) {
    if (!check_required<Flat<T>>(seen)) return false;
    return finish_body(body<T>());
  }
  template <typename T>
  bool finish_body(T&) {
    return true;
  }
  bool finish_body(Hello& h) {
    out->key.swap(h.key);
    return true;
  }
  bool finish_body(SetClock& c) {
    out->clock_now = c.now;
    return true;
  }
  bool finish_body(GetOrder& q) {
    // Exactly one way to name the order.
    if (q.order_no != 0) {
      if (!q.customer.empty() || !q.client_order_id.empty())
        return bad("order_no", "give order_no, or customer and client_order_id, not both");
      return true;
    }
    if (q.customer.empty() && q.client_order_id.empty())
      return bad("order_no", "is required (or customer and client_order_id)");
    if (q.customer.empty()) return bad("customer", "is required with client_order_id");
    if (q.client_order_id.empty()) return bad("client_order_id", "is required with customer");
    return true;
  }
  bool finish_body(StatementQuery& q) {
    if (q.to < q.from) return bad("to", "must not be before from");
    return true;
  }

  // Per op, the three steps above, indexed by OpId (built below from engine/ops.h).
  struct OpSteps {
    void (Impl::*prepare)();
    int (Impl::*field)(std::string_view key, od::value& v, uint32_t& seen);
    bool (Impl::*finish)(uint32_t seen);
  };
  template <typename T>
  static constexpr OpSteps steps_of() {
    return {&Impl::prepare<T>, &Impl::top_field<T>, &Impl::finish<T>};
  }
  template <typename... Cs, typename... Qs, typename... Ss>
  static constexpr std::array<OpSteps, kOpCount> make_steps(std::variant<Cs...>*,
                                                            std::variant<Qs...>*,
                                                            std::variant<Ss...>*) {
    return {steps_of<Cs>()..., steps_of<Qs>()..., steps_of<Ss>()...};
  }
  static const std::array<OpSteps, kOpCount> kSteps;

  // "id": a string or an integer, kept as JSON text to echo.
  bool read_id(od::value& v) {
    od::json_type t{};
    if (!read_type(v, t)) return false;
    std::string& id = out->id_json;
    if (t == od::json_type::string) {
      std::string_view s;
      if (auto e = v.get_string().get(s)) return json_error(e);
      id.clear();
      append_json_string(id, s);  // re-escaped: what we echo is always valid JSON
      return true;
    }
    if (t == od::json_type::number) {
      int64_t i;
      uint64_t u;
      id.clear();
      if (!v.get_int64().get(i)) {
        append_int(id, i);
        return true;
      }
      if (!v.get_uint64().get(u)) {
        append_uint(id, u);
        return true;
      }
    }
    return bad("id", "must be a string or an integer");
  }

  bool parse(std::string_view line) {
    od::document doc;
    if (auto e = parser
                     .iterate(simdjson::padded_string_view(line.data(), line.size(),
                                                           line.size() + kParsePadding))
                     .get(doc))
      return json_error(e);
    // Trailing garbage: raw_json() skips the whole document and tells where it ended.
    std::string_view whole;
    if (auto e = doc.raw_json().get(whole)) return json_error(e);
    for (std::size_t i = whole.size(); i < line.size(); i++) {
      const char c = line[i];
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return bad_json("trailing characters");
    }
    doc.rewind();
    od::object obj;
    {
      od::json_type t{};
      if (auto e = doc.type().get(t)) return json_error(e);
      if (t != od::json_type::object) return bad_json("the request must be a JSON object");
      if (auto e = doc.get_object().get(obj)) return json_error(e);
    }

    // Pass 1: id and op wherever they are; the op's fields once op is known.
    const OpSteps* op = nullptr;
    bool seen_id = false;
    bool deferred = false;  // a field came before "op": pass 2 handles it
    uint32_t seen = 0;
    for (auto fr : obj) {
      od::field f;
      if (auto e = std::move(fr).get(f)) return json_error(e);
      std::string_view key;
      if (auto e = f.unescaped_key().get(key)) return json_error(e);
      if (key == "id") {
        if (seen_id) return bad("id", "given twice");
        seen_id = true;
        if (!read_id(f.value())) return false;
      } else if (key == "op") {
        if (op) return bad("op", "given twice");
        std::string_view name;
        if (!read_string(f.value(), "op", name)) return false;
        out->op.assign(name);
        const int id = find_op(name);
        if (id < 0) {
          err->code = ErrorCode::UNKNOWN_OP;
          err->field = "op";
          // Quote at most 64 bytes of the name, cut on a UTF-8 character boundary: half a
          // character would make the answer invalid JSON (found by fuzz_request_parser).
          std::size_t n = std::min<std::size_t>(name.size(), kMaxQuotedOpBytes);
          while (n > 0 && n < name.size() && (static_cast<unsigned char>(name[n]) & 0xC0) == 0x80)
            --n;
          err->message = "unknown op \"" + std::string(name.substr(0, n)) + "\"";
          if (const int near = closest_op(name); near >= 0) {
            err->message += "; did you mean \"";
            err->message += kOps[static_cast<std::size_t>(near)].name;
            err->message += "\"?";
          }
          err->message +=
              " (every op is listed in docs/protocol.md \"Operations\" and by credo-cli --help)";
          return false;
        }
        out->op_id = static_cast<OpId>(id);
        op = &kSteps[static_cast<std::size_t>(id)];
        (this->*op->prepare)();
      } else if (key.size() > kMaxFieldNameLen) {
        return bad("", "unknown field");
      } else if (!op || deferred) {
        deferred = true;
      } else if (!top_field(*op, key, f.value(), seen)) {
        return false;
      }
    }
    if (!op) return bad("op", "is required");
    if (deferred) {
      // Pass 2: the fields pass 1 skipped. Rewinding is safe: nothing read so far is kept as
      // a view into the document (keys and ids were copied out).
      bool ignored;
      if (auto e = obj.reset().get(ignored)) return json_error(e);
      for (auto fr : obj) {
        od::field f;
        if (auto e = std::move(fr).get(f)) return json_error(e);
        std::string_view key;
        if (auto e = f.unescaped_key().get(key)) return json_error(e);
        if (key == "id" || key == "op") continue;
        if (!top_field(*op, key, f.value(), seen)) return false;
      }
    }
    return (this->*op->finish)(seen);
  }

  bool top_field(const OpSteps& op, std::string_view key, od::value& v, uint32_t& seen) {
    const int r = (this->*op.field)(key, v, seen);
    if (r < 0) return bad(key, "unknown field");
    return r > 0;
  }

  // ---- the error path ----
  // After a failure: fills the id if it was not read yet, and turns BAD_REQUEST / UNKNOWN_OP
  // into BAD_JSON if the line is not valid JSON after all.
  void recover(std::string_view line) {
    const bool check = err->code == ErrorCode::BAD_REQUEST || err->code == ErrorCode::UNKNOWN_OP;
    const bool need_id = out->id_json.empty();
    if (!check && !need_id) return;
    od::document doc;
    if (parser
            .iterate(
                simdjson::padded_string_view(line.data(), line.size(), line.size() + kParsePadding))
            .get(doc))
      return;
    od::object obj;
    if (doc.get_object().get(obj)) return;
    Error scratch;
    Error* saved = err;
    err = &scratch;  // read_id's own complaints do not replace the real error
    bool valid = true;
    for (auto fr : obj) {
      od::field f;
      std::string_view key;
      if (std::move(fr).get(f) || f.unescaped_key().get(key)) {
        valid = false;
        break;
      }
      if (need_id && key == "id" && out->id_json.empty()) {
        if (read_id(f.value())) continue;
        if (scratch.code == ErrorCode::BAD_JSON) {
          valid = false;
          break;
        }
        // An id of the wrong type: nothing to echo, but its content still must be valid.
      }
      if (!json_value_valid(f.value())) {
        valid = false;
        break;
      }
    }
    err = saved;
    if (check && !valid) bad_json("invalid JSON after the first error");
  }
};

const std::array<Impl::OpSteps, kOpCount> Impl::kSteps =
    Impl::make_steps(static_cast<CommandBody*>(nullptr), static_cast<QueryBody*>(nullptr),
                     static_cast<ServerBody*>(nullptr));

struct Kernel : Impl {};
Kernel* new_kernel() { return new Kernel(); }
void delete_kernel(Kernel* k) noexcept { delete k; }

bool parse(Kernel& k, std::string_view line, Request& out, Error& err) {
  out.id_json.clear();
  out.op.clear();
  err.code = ErrorCode::OK;
  err.message.clear();
  err.field.clear();
  k.out = &out;
  k.err = &err;
  k.path_len = 0;
  if (k.parse(line)) return true;
  k.recover(line);
  return false;
}

// The kernel `od` names in this copy (simdjson's builtin_implementation() would answer for
// the library, which is compiled without target flags).
#define CREDO_STRINGIFY2(x) #x
#define CREDO_STRINGIFY(x) CREDO_STRINGIFY2(x)
std::string_view kernel_name() { return CREDO_STRINGIFY(SIMDJSON_BUILTIN_IMPLEMENTATION); }

}  // namespace CREDO_PARSE_KERNEL
}  // namespace credo::net
