// RequestParser: the kernel this CPU can run (net/parse_kernel.h), chosen once per parser.
#include "net/parse_kernel.h"

namespace credo::net {

namespace {
// simdjson's haswell kernel needs AVX2, BMI1/2, PCLMUL and LZCNT; an x86-64-v3 CPU also has
// FMA, MOVBE and F16C, which the compiler may use. Any CPU with AVX2 and BMI2 has them all.
bool cpu_runs_v3() {
#if defined(CREDO_PARSE_KERNEL_V3) && defined(__x86_64__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi") &&
         __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("fma") &&
         __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("popcnt");
#else
  return false;  // this build has no v3 kernel (e.g. fuzz/build_and_run.sh)
#endif
}
}  // namespace

struct RequestParser::Impl {
  bool v3 = cpu_runs_v3();
  kernel_generic::Kernel* generic = nullptr;
  kernel_v3::Kernel* fast = nullptr;
  Impl() {
#ifdef CREDO_PARSE_KERNEL_V3
    if (v3) {
      fast = kernel_v3::new_kernel();
      return;
    }
#endif
    generic = kernel_generic::new_kernel();
  }
  ~Impl() {
#ifdef CREDO_PARSE_KERNEL_V3
    if (fast) kernel_v3::delete_kernel(fast);
#endif
    if (generic) kernel_generic::delete_kernel(generic);
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
};

RequestParser::RequestParser() : impl_(std::make_unique<Impl>()) {}
RequestParser::~RequestParser() = default;

bool RequestParser::parse(std::string_view line, Request& out, Error& err) {
#ifdef CREDO_PARSE_KERNEL_V3
  if (impl_->fast) return kernel_v3::parse(*impl_->fast, line, out, err);
#endif
  return kernel_generic::parse(*impl_->generic, line, out, err);
}

std::string_view parse_kernel_name() {
#ifdef CREDO_PARSE_KERNEL_V3
  if (cpu_runs_v3()) return kernel_v3::kernel_name();
#endif
  return kernel_generic::kernel_name();
}

}  // namespace credo::net
