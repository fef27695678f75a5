// CREDO_ASSERT: invariants and preconditions that stay checked in Release builds.
//
//   CREDO_ASSERT(cond);
//   CREDO_ASSERT(cond, "what broke, for the reader of the crash");
//
// If `cond` is false: prints "file:line: assertion failed: <cond>[: <message>]" to stderr and
// calls std::abort(): the process stops before a broken state reaches the disk or a client; a
// restart recovers from what is durable.
//
// For programmer errors only (TigerBeetle's rule, STYLE.md "Errors"): a broken precondition, an
// impossible state. Bad input, a full disk or a damaged file are operating errors: handle them
// and return an error. Use it where it is cheap (a comparison or two): the condition is
// evaluated in every build, and the failure path is marked unlikely and kept out of line so the
// check costs one predictable branch. Not for hot loops that must stay vectorizable.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace credo::detail {

[[noreturn, gnu::cold, gnu::noinline]] inline void assert_failed(const char* file, int line,
                                                                 const char* expr,
                                                                 const char* message) {
  // stderr is unbuffered: the line is out before abort() (nothing to flush).
  std::fprintf(stderr, "%s:%d: assertion failed: %s%s%s\n", file, line, expr,
               message != nullptr ? ": " : "", message != nullptr ? message : "");
  std::abort();
}

// The optional message: CREDO_ASSERT(cond) passes none, CREDO_ASSERT(cond, "msg") one.
constexpr const char* assert_message() {
  return nullptr;
}
constexpr const char* assert_message(const char* message) {
  return message;
}

}  // namespace credo::detail

#define CREDO_ASSERT(cond, ...)                                                     \
  do {                                                                              \
    if (__builtin_expect(!(cond), 0))                                               \
      ::credo::detail::assert_failed(__FILE__, __LINE__, #cond,                     \
                                     ::credo::detail::assert_message(__VA_ARGS__)); \
  } while (0)
