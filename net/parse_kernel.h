// The request parser's simdjson kernels (issue 12). simdjson's on-demand API picks its kernel
// when the code is compiled, not at run time, and a build without target flags gets the
// portable "fallback" kernel. So net/request_parser.cc and net/json_validation.cc are compiled
// twice (net/CMakeLists.txt): for x86-64-v3 with PCLMUL (simdjson's "haswell" kernel, AVX2)
// into namespace kernel_v3, and with the default flags into kernel_generic.
// net/parse_dispatch.cc picks kernel_v3 when the CPU has those instructions.
#pragma once

#include <string_view>

#include "engine/result.h"
#include "net/codec.h"

#ifndef CREDO_PARSE_KERNEL
#define CREDO_PARSE_KERNEL kernel_generic
#endif

// One kernel's entry points: a parser (simdjson's buffers and the per-call state) and one
// RequestParser::parse.
#define CREDO_DECLARE_PARSE_KERNEL(ns)                                         \
  namespace ns {                                                               \
  struct Kernel;                                                               \
  Kernel* new_kernel();                                                        \
  void delete_kernel(Kernel* k) noexcept;                                      \
  bool parse(Kernel& k, std::string_view line, Request& out, Error& err);      \
  std::string_view kernel_name();                                              \
  }

namespace credo::net {
CREDO_DECLARE_PARSE_KERNEL(kernel_generic)
CREDO_DECLARE_PARSE_KERNEL(kernel_v3)

// simdjson's name for the kernel this process's parsers use: "haswell" or "fallback".
std::string_view parse_kernel_name();
}  // namespace credo::net
