#include "persistence/command_codec.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <tuple>
#include <type_traits>
#include <utility>

#include "engine/fields.h"
#include "persistence/coding.h"

namespace credo {
namespace {

using coding::Cursor;

// ---- kinds: from the op table ---------------------------------------------------------------
// A command's OpId is its CommandBody index (engine/ops.h), so kOps[index] declares it.
constexpr uint8_t kNoBody = 0xff;
constexpr auto kBodyOfKind = [] {
  std::array<uint8_t, kCommandKindMax + 1> t{};
  t.fill(kNoBody);
  for (std::size_t i = 0; i < kCommandOpCount; ++i) t[kOps[i].wal_kind] = static_cast<uint8_t>(i);
  return t;
}();
constexpr auto kKindNames = [] {
  std::array<const char*, kCommandKindMax + 1> t{};
  t.fill("unknown");
  for (std::size_t i = 0; i < kCommandOpCount; ++i) t[kOps[i].wal_kind] = kOps[i].name.data();
  return t;
}();
constexpr bool names_are_c_strings() {
  for (const OpInfo& op : kOps)
    // The byte just past the view: name.data()[size] is the literal's NUL, op.name[size] would
    // be out of the view's range.
    if (op.name.data()[op.name.size()] != '\0')  // NOLINT(readability-simplify-subscript-expr)
      return false;
  return true;
}
static_assert(names_are_c_strings(), "kind_name() hands out OpInfo::name.data() as a C string");
static_assert(kCommandKindMax < kNoBody && kBodyOfKind[0] == kNoBody, "kind 0 means no command");

// ---- what the descriptors say about a struct's encoding --------------------------------------
template <typename F>
using MemberOf = typename std::decay_t<F>::Member;

// The number of std::optional members a record of field version `v` carries: one flags bit
// each, in list order. Fields added later come last (static_assert below), so an older
// record's bits are a prefix of a newer one's.
template <typename S>
constexpr std::size_t optional_count(fields::FieldVersion v) {
  std::size_t n = 0;
  fields::for_each_field<S>([&](const auto& f) {
    n += fields::is_optional_v<MemberOf<decltype(f)>> && f.since <= v ? 1 : 0;
  });
  return n;
}
template <typename S>
constexpr std::size_t kOptionalCount = optional_count<S>(fields::kFieldVersionMax);
template <typename S>
constexpr bool kHasFlags = kOptionalCount<S> != 0;
// A field added later is appended after every field of an earlier version.
template <typename S>
constexpr bool versions_ascend() {
  fields::FieldVersion last = fields::kFieldVersion1;
  bool ok = true;
  fields::for_each_field<S>([&](const auto& f) {
    ok = ok && f.since >= last && f.since <= fields::kFieldVersionMax;
    last = f.since;
  });
  return ok;
}
// List and inline kinds hold structs: their readers and writers need the path for the items.
template <typename K>
constexpr bool kNested = false;
template <typename Item>
constexpr bool kNested<fields::ListKind<Item>> = true;
template <>
constexpr bool kNested<fields::InlineKind> = true;

// The lowest field version that holds every field of S, nested structs included: what a
// record of S is written as (so adding a field to one body changes no other body's bytes).
template <typename S>
constexpr fields::FieldVersion body_version();
template <typename F>
constexpr fields::FieldVersion field_version(const F& f) {
  using K = typename F::Kind;
  fields::FieldVersion v = f.since;
  if constexpr (std::is_same_v<K, fields::InlineKind>) {
    v = std::max(v, body_version<typename F::Member>());
  } else if constexpr (kNested<K>) {
    v = std::max(v, body_version<typename F::Member::value_type>());
  }
  return v;
}
template <typename S>
constexpr fields::FieldVersion body_version() {
  static_assert(versions_ascend<S>(), "a field added later (since > 1) must come last");
  return std::apply(
      [](const auto&... fs) {
        fields::FieldVersion v = fields::kFieldVersion1;
        ((v = std::max(v, field_version(fs))), ...);
        return v;
      },
      fields::FieldsOf<S>::list);
}

// The flags bit of field I of S: how many std::optional members come before it.
template <typename S, std::size_t I>
constexpr unsigned kFlagBit = [] {
  unsigned bit = 0;
  std::size_t i = 0;
  fields::for_each_field<S>([&](const auto& f) {
    if (i++ < I && fields::is_optional_v<MemberOf<decltype(f)>>) ++bit;
  });
  return bit;
}();
// Field I of S's descriptor list, as a constant: member pointer and kind fold into the code.
template <typename S, std::size_t I>
constexpr const auto& kField = std::get<I>(fields::FieldsOf<S>::list);
template <typename S>
using FieldIndices = std::make_index_sequence<fields::field_count<S>()>;

// The fewest bytes one S can encode to (keys and texts empty, optionals absent, lists empty):
// the decoder bounds a list's count by the bytes left with it, so a corrupt count cannot make
// it reserve gigabytes. It must not overstate: a bound that assumed one key byte refused
// records the encoder wrote (found by fuzz/wal_reader_fuzz.cc: a ship line with an empty sku).
template <typename S>
constexpr std::size_t min_bytes();
template <typename F>
constexpr std::size_t min_field_bytes(const F& f) {
  using K = typename F::Kind;
  if (f.since > fields::kFieldVersion1) return 0;  // absent from older records
  if constexpr (fields::is_optional_v<typename F::Member>)
    return 0;
  else if constexpr (std::is_same_v<K, fields::LevelsKind>)
    return kLevelCount;
  else if constexpr (std::is_same_v<K, fields::InlineKind>)
    return min_bytes<typename F::Member>();
  else
    return 1;  // a length, a count (ReasonLevelsKind's too), a varint, an enum or a bool byte
}
template <typename S>
constexpr std::size_t min_bytes() {
  return std::apply(
      [](const auto&... fs) {
        return (kHasFlags<S> ? 1 : 0) +
               (std::size_t{0} + ... + min_field_bytes(fs));
      },
      fields::FieldsOf<S>::list);
}
// The bounds the hand-written codec used (flags + key len + qty; flags + 2 key lens + payment
// + ref len + count; key len + qty): the descriptors must reproduce them.
static_assert(min_bytes<LineRequest>() == 3 && min_bytes<OrderRequest>() == 6 &&
              min_bytes<SkuQty>() == 2);

// ---- where a field is, for error messages only ----------------------------------------------
// A chain of stack frames ("orders[1]" -> "lines[0]"), turned into text only when a field
// fails, so the happy path neither allocates nor formats. The body and inline structs have an
// empty name and add nothing.
struct Path {
  static constexpr std::size_t kNoIndex = static_cast<std::size_t>(-1);
  const Path* parent = nullptr;
  std::string_view name;
  std::size_t index = kNoIndex;
};
[[gnu::cold]] std::string field_text(const Path& at, std::string_view field,
                                     std::string_view what) {
  std::string s;
  for (const Path* p = &at; p != nullptr; p = p->parent) {
    if (p->name.empty()) continue;
    std::string segment(p->name);
    if (p->index != Path::kNoIndex) segment += "[" + std::to_string(p->index) + "]";
    s.insert(0, segment + ".");
  }
  s += field;
  s += ": ";
  s += what;
  return s;
}

// ---- encoding: one writer per kind ----------------------------------------------------------
// Writers of single values return false and set what_ when a value breaks a bound; the field
// walk then names the field (on the cold path, so the writers take no names).
class Encoder {
 public:
  explicit Encoder(std::string& out) : out_(out) {}
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  // S's fields in list order, after one flags byte (bit i: the i-th std::optional member is
  // present) when S has std::optional members; an absent optional writes nothing.
  template <typename S>
  bool write_fields(const S& s, const Path& at) {
    static_assert(kOptionalCount<S> <= 8, "one flags byte per struct");
    return write_fields(s, at, FieldIndices<S>{});
  }

  // u8 length + bytes.
  bool key(const Key& k) {
    if (k.len > Key::kMaxLen || (k.len > 0 && !Key::valid(k.view())))
      return refuse("invalid identifier");
    coding::put_u8(out_, k.len);
    out_.append(k.data, k.len);
    return true;
  }
  void u8(uint8_t v) { coding::put_u8(out_, v); }
  // Names the field that failed; the innermost failure (set first) is the one reported.
  [[gnu::cold, gnu::noinline]] bool fail(const Path& at, std::string_view name) {
    if (error_.empty()) error_ = field_text(at, name, what_);
    return false;
  }

 private:
  template <typename S, std::size_t... I>
  bool write_fields([[maybe_unused]] const S& s, [[maybe_unused]] const Path& at,
                    std::index_sequence<I...>) {
    if constexpr (kHasFlags<S>) {
      uint8_t flags = 0;
      ((flags |= present<S, I>(s) ? static_cast<uint8_t>(1u << kFlagBit<S, I>) : 0), ...);
      coding::put_u8(out_, flags);
    }
    return (write_field<S, I>(s, at) && ...);
  }
  template <typename S, std::size_t I>
  static bool present(const S& s) {
    constexpr const auto& f = kField<S, I>;
    if constexpr (fields::is_optional_v<MemberOf<decltype(f)>>)
      return (s.*f.member).has_value();
    else
      return false;  // no flags bit: always written
  }
  template <typename S, std::size_t I>
  bool write_field(const S& s, const Path& at) {
    constexpr const auto& f = kField<S, I>;
    const auto& m = s.*f.member;
    bool ok = true;
    if constexpr (kNested<typename std::decay_t<decltype(f)>::Kind>)
      ok = nested(f.kind, m, at, f.name);
    else if constexpr (fields::is_optional_v<MemberOf<decltype(f)>>)
      ok = !m.has_value() || value(f.kind, *m);
    else
      ok = value(f.kind, m);
    return ok || fail(at, f.name);
  }

  bool value(fields::KeyKind, const Key& k) { return key(k); }
  // varu length + bytes.
  bool value(const fields::TextKind& kind, const std::string& s) {
    if (s.size() > kind.max_len) return refuse("text too long");
    coding::put_varu(out_, s.size());
    out_.append(s);
    return true;
  }
  // Signed: ZigZag varint; unsigned: plain varint. Ranges are the engine's to check: the WAL
  // holds what was journaled.
  template <typename T>
  bool value(const fields::IntKind&, T v) {
    return integer(v);
  }
  bool value(fields::DateKind, Day d) { return integer(d); }
  bool value(fields::TimeKind, TimeMs t) { return integer(t); }
  bool value(fields::BoolKind, bool b) {
    u8(b ? 1 : 0);
    return true;
  }
  template <typename E>
  bool value(const fields::EnumKind<E>& kind, E e) {
    if (e > kind.max) return refuse("enum out of range");
    u8(static_cast<uint8_t>(e));
    return true;
  }
  template <typename T>
  bool value(const fields::LevelsKind&, const std::array<T, kLevelCount>& levels) {
    for (T v : levels) integer(v);
    return true;
  }
  bool value(fields::ReasonSetKind, ReasonSet set) { return integer(set); }
  // varu count + one level per reason, in Reason order.
  bool value(fields::ReasonLevelsKind, const std::array<int8_t, kReasonCount>& levels) {
    coding::put_varu(out_, levels.size());
    for (int8_t v : levels) integer(v);
    return true;
  }
  // varu count + each item's fields.
  template <typename Item, typename List>  // List: std::vector<Item> or a small_vector
  bool nested(const fields::ListKind<Item>& kind, const List& items, const Path& at,
              std::string_view name) {
    if (items.size() > kind.max_count) return refuse("too many elements");
    coding::put_varu(out_, items.size());
    for (std::size_t i = 0; i < items.size(); ++i)
      if (!write_fields(items[i], Path{&at, name, i})) return false;
    return true;
  }
  // The nested struct's fields in place (its own flags byte first, if it has optionals).
  template <typename S>
  bool nested(fields::InlineKind, const S& s, const Path& at, std::string_view) {
    return write_fields(s, at);
  }

  template <typename T>
  bool integer(T v) {
    static_assert(std::is_integral_v<T> && !std::is_same_v<T, bool>);
    if constexpr (std::is_signed_v<T>)
      coding::put_vari(out_, v);
    else
      coding::put_varu(out_, v);
    return true;
  }
  bool refuse(const char* what) {
    what_ = what;
    return false;
  }

  std::string& out_;
  std::string error_;
  const char* what_ = "";
};

// One body's whole walk in one function, every writer inlined (GCC's inliner otherwise gives
// up part way down a submit_order, and encoding one measured 20% slower than the hand-written
// encoder this replaced). The error paths stay out of line (cold, noinline).
template <typename T>
[[gnu::flatten]] bool encode_body(Encoder& e, const T& body) {
  return e.write_fields(body, Path{});
}

// ---- decoding: one reader per kind ----------------------------------------------------------
// Like the writers: a reader returns false and sets what_; the field walk names the field.
class Decoder {
 public:
  // `version`: the record's field version (its header says); fields of a later version are
  // not in it and decode to their default.
  Decoder(std::string_view data, fields::FieldVersion version) : c_(data), version_(version) {}
  bool ok() const { return c_.ok() && error_.empty(); }
  const std::string& error() const { return error_; }
  bool at_end() const { return c_.at_end(); }
  Cursor& cursor() { return c_; }

  [[gnu::cold, gnu::noinline]] bool fail(const Path& at, std::string_view name,
                                         const char* what = nullptr) {
    if (error_.empty()) error_ = field_text(at, name, what ? what : what_);
    c_.fail();
    return false;
  }

  // The inverse of Encoder::write_fields. Every member is written, so a struct decoded into again
  // (replay reuses the previous record's body, decode_as) keeps nothing of its old value: an
  // absent optional is reset, not skipped (found by the deterministic simulator, tests/dsim:
  // an upsert without a name replayed with the name of the upsert before it).
  template <typename S>
  bool read_fields(S* s, const Path& at) {
    uint8_t flags = 0;
    if constexpr (kHasFlags<S>) {
      const std::size_t optionals = optional_count<S>(version_);
      if (optionals != 0) {
        if (!c_.get_u8(&flags)) return fail(at, "flags", "truncated");
        if (flags >> optionals) return fail(at, "flags", "unknown flag bits");
      }
    }
    return read_fields(s, flags, at, FieldIndices<S>{});
  }

  bool key(Key* k) {
    uint8_t len = 0;
    std::string_view bytes;
    if (!c_.get_u8(&len)) return refuse("truncated");
    if (len > Key::kMaxLen) return refuse("identifier longer than 64");
    if (!c_.get_bytes(len, &bytes)) return refuse("truncated");
    if (len > 0 && !Key::valid(bytes)) return refuse("invalid identifier");
    *k = Key{};
    k->len = len;
    std::memcpy(k->data, bytes.data(), len);
    return true;
  }
  bool u8(uint8_t* v) { return c_.get_u8(v) || refuse("truncated"); }

 private:
  template <typename S, std::size_t... I>
  bool read_fields([[maybe_unused]] S* s, [[maybe_unused]] uint8_t flags,
                   [[maybe_unused]] const Path& at, std::index_sequence<I...>) {
    return (read_field<S, I>(s, flags, at) && ...);
  }
  template <typename S, std::size_t I>
  bool read_field(S* s, uint8_t flags, const Path& at) {
    constexpr const auto& f = kField<S, I>;
    auto& m = s->*f.member;
    if constexpr (f.since > fields::kFieldVersion1) {
      if (f.since > version_) {  // not in this record: the member's default, as for a new S
        // S's own initializer, not a value-initialized member: Policy's later members have
        // non-zero defaults (a review cycle of 0 days is no valid policy).
        static const S kFresh{};
        m = kFresh.*f.member;
        return true;
      }
    }
    if constexpr (kNested<typename std::decay_t<decltype(f)>::Kind>) {
      return nested(f.kind, &m, at, f.name);
    } else if constexpr (fields::is_optional_v<MemberOf<decltype(f)>>) {
      if (!(flags & (1u << kFlagBit<S, I>))) {
        m.reset();
        return true;
      }
      if (!m.has_value()) m.emplace();
      return value(f.kind, &*m) || fail(at, f.name);
    } else {
      return value(f.kind, &m) || fail(at, f.name);
    }
  }

  bool value(fields::KeyKind, Key* k) { return key(k); }
  bool value(const fields::TextKind& kind, std::string* s) {
    uint64_t len = 0;
    std::string_view bytes;
    if (!c_.get_varu(&len)) return refuse("truncated");
    if (len > kind.max_len) return refuse("text too long");
    if (!c_.get_bytes(len, &bytes)) return refuse("truncated");
    s->assign(bytes);
    return true;
  }
  template <typename T>
  bool value(const fields::IntKind&, T* v) {
    return integer(v);
  }
  bool value(fields::DateKind, Day* d) { return integer(d); }
  bool value(fields::TimeKind, TimeMs* t) { return integer(t); }
  bool value(fields::BoolKind, bool* b) {
    uint8_t v = 0;
    if (!u8(&v)) return false;
    if (v > 1) return refuse("not a bool");
    *b = v == 1;
    return true;
  }
  template <typename E>
  bool value(const fields::EnumKind<E>& kind, E* e) {
    uint8_t v = 0;
    if (!u8(&v)) return false;
    if (v > static_cast<uint8_t>(kind.max)) return refuse("enum out of range");
    *e = static_cast<E>(v);
    return true;
  }
  template <typename T>
  bool value(const fields::LevelsKind&, std::array<T, kLevelCount>* levels) {
    for (T& v : *levels)
      if (!integer(&v)) return false;
    return true;
  }
  bool value(fields::ReasonSetKind, ReasonSet* set) { return integer(set); }
  // A record written before a reason was added has fewer levels: the new reasons keep theirs.
  bool value(fields::ReasonLevelsKind, std::array<int8_t, kReasonCount>* levels) {
    uint64_t n = 0;
    if (!c_.get_varu(&n)) return refuse("truncated");
    if (n > levels->size()) return refuse("more reasons than this version knows");
    for (std::size_t i = 0; i < n; ++i)
      if (!integer(&(*levels)[i])) return false;
    return true;
  }
  // The count must be within the kind's max_count, and that many items of at least
  // min_bytes<Item>() each must fit in what is left, before anything is allocated.
  template <typename Item, typename List>  // List: std::vector<Item> or a small_vector
  bool nested(const fields::ListKind<Item>& kind, List* items, const Path& at,
              std::string_view name) {
    uint64_t n = 0;
    if (!c_.get_varu(&n)) return fail(at, name, "truncated");
    if (n > kind.max_count) return fail(at, name, "too many elements");
    if (n * min_bytes<Item>() > c_.remaining()) return fail(at, name, "truncated");
    items->resize(static_cast<std::size_t>(n));
    for (std::size_t i = 0; i < items->size(); ++i)
      if (!read_fields(&(*items)[i], Path{&at, name, i})) return false;
    return true;
  }
  template <typename S>
  bool nested(fields::InlineKind, S* s, const Path& at, std::string_view) {
    return read_fields(s, at);
  }

  // A varint that must fit T (int32 members refuse values only an int64 holds).
  template <typename T>
  bool integer(T* v) {
    static_assert(std::is_integral_v<T> && !std::is_same_v<T, bool>);
    if constexpr (std::is_signed_v<T>) {
      int64_t w = 0;
      if (!c_.get_vari(&w)) return refuse("truncated or bad varint");
      if (w < std::numeric_limits<T>::min() || w > std::numeric_limits<T>::max())
        return refuse("out of range");
      *v = static_cast<T>(w);
    } else {
      uint64_t w = 0;
      if (!c_.get_varu(&w)) return refuse("truncated or bad varint");
      if (w > std::numeric_limits<T>::max()) return refuse("out of range");
      *v = static_cast<T>(w);
    }
    return true;
  }
  bool refuse(const char* what) {
    what_ = what;
    return false;
  }

  Cursor c_;
  fields::FieldVersion version_;
  std::string error_;
  const char* what_ = "";
};

template <typename T>
bool decode_as(Decoder& d, CommandBody* body) {
  // Reuse the alternative already there (and its vectors' capacity) when replaying.
  T* t = std::get_if<T>(body);
  if (t == nullptr) t = &body->emplace<T>();
  return d.read_fields(t, Path{});
}
using DecodeFn = bool (*)(Decoder&, CommandBody*);
template <std::size_t... I>
constexpr std::array<DecodeFn, sizeof...(I)> decoders(std::index_sequence<I...>) {
  return {&decode_as<std::variant_alternative_t<I, CommandBody>>...};
}
constexpr auto kDecoders = decoders(std::make_index_sequence<kCommandOpCount>{});

// The record version of each body, and where it goes: the roles byte's low 5 bits are the
// principal's roles (order 1 .. admin 16), its top 3 bits the field version minus 1 (0 in every
// record written before field versions existed, so those read as version 1).
template <typename T>
constexpr fields::FieldVersion kBodyVersion = body_version<T>();
constexpr unsigned kRolesBits = 5;
static_assert(kRoleAdmin < (1u << kRolesBits) && fields::kFieldVersionMax <= 8);

}  // namespace

CommandKind kind_of(const CommandBody& body) {
  return static_cast<CommandKind>(kOps[op_id_of(body)].wal_kind);
}

const char* kind_name(uint8_t kind) {
  return kind <= kCommandKindMax ? kKindNames[kind] : kKindNames[0];
}

bool encode_command(const Command& cmd, std::string& out, std::string* error) {
  const std::size_t start = out.size();
  Encoder e(out);
  coding::put_u64(out, cmd.seq);
  coding::put_u64(out, static_cast<uint64_t>(cmd.at));
  if (cmd.by.name.empty()) {
    if (error) *error = "principal: empty name";
    out.resize(start);
    return false;
  }
  if (!e.key(cmd.by.name)) e.fail(Path{}, "principal");
  const fields::FieldVersion version =
      std::visit([](const auto& b) { return kBodyVersion<std::decay_t<decltype(b)>>; }, cmd.body);
  e.u8(static_cast<uint8_t>(cmd.by.roles | ((version - 1) << kRolesBits)));
  e.u8(cmd.by.level);
  e.u8(static_cast<uint8_t>(kind_of(cmd.body)));
  std::visit([&](const auto& b) { encode_body(e, b); }, cmd.body);
  if (!e.ok()) {
    if (error) *error = e.error();
    out.resize(start);
    return false;
  }
  return true;
}

bool decode_command_header(std::string_view body, CommandHeader* out, std::string* error) {
  Decoder d(body, fields::kFieldVersion1);
  uint64_t at = 0;
  if (!d.cursor().get_u64(&out->seq) || !d.cursor().get_u64(&at)) {
    if (error) *error = "record body truncated";
    return false;
  }
  out->at = static_cast<TimeMs>(at);
  const Path root;
  if (!d.key(&out->by.name) || !d.u8(&out->by.roles) || !d.u8(&out->by.level) ||
      !d.u8(&out->kind)) {
    d.fail(root, "header");
    if (error) *error = d.error();
    return false;
  }
  out->field_version = static_cast<fields::FieldVersion>((out->by.roles >> kRolesBits) + 1);
  out->by.roles &= (1u << kRolesBits) - 1;
  if (out->field_version > fields::kFieldVersionMax) {
    if (error)
      *error = "record of field version " + std::to_string(out->field_version) +
               "; this credo reads versions up to " + std::to_string(fields::kFieldVersionMax) +
               " (written by a newer credo)";
    return false;
  }
  if (out->by.name.empty() || out->by.level > kMaxLevel ||
      out->kind > kCommandKindMax || kBodyOfKind[out->kind] == kNoBody) {
    if (error) *error = "bad principal or command kind";
    return false;
  }
  out->payload = body.substr(body.size() - d.cursor().remaining());
  return true;
}

bool decode_command(std::string_view body, Command* out, std::string* error) {
  CommandHeader h;
  if (!decode_command_header(body, &h, error)) return false;
  out->seq = h.seq;
  out->at = h.at;
  out->by = h.by;
  Decoder d(h.payload, h.field_version);
  bool ok = kDecoders[kBodyOfKind[h.kind]](d, &out->body);
  if (ok && !d.at_end()) ok = d.fail(Path{}, "payload", "bytes left after the last field");
  if (!ok) {
    if (error) *error = std::string(kind_name(h.kind)) + "." + d.error();
    return false;
  }
  return true;
}

}  // namespace credo
