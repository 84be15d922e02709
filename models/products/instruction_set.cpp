#include "models/products/instruction_set.hpp"

#include <atomic>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace sgdsim {
namespace {

#if SGDSIM_PRODUCT_DISPATCH
constexpr bool kDispatch = true;
#else
constexpr bool kDispatch = false;
#endif

constexpr InstructionSet kAll[] = {InstructionSet::default_build, InstructionSet::avx2,
                                   InstructionSet::avx512};

bool cpu_runs(InstructionSet set) {
#if SGDSIM_PRODUCT_DISPATCH
  // __builtin_cpu_supports also asks whether the OS saves the wide registers (XCR0).
  __builtin_cpu_init();
  switch (set) {
    case InstructionSet::default_build:
      return true;
    case InstructionSet::avx2:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case InstructionSet::avx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
             __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
             __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  }
  return false;
#else
  return set == InstructionSet::default_build;
#endif
}

InstructionSet chosen_at_start_up() {
  const char* requested = std::getenv("SGDSIM_ISA");
  if (requested == nullptr || *requested == '\0') {
    InstructionSet widest = InstructionSet::default_build;
    for (InstructionSet set : kAll) {
      if (cpu_runs(set)) widest = set;
    }
    return widest;
  }
  const std::optional<InstructionSet> set = parse_instruction_set(requested);
  std::string message = "SGDSIM_ISA=";
  message += requested;
  if (!set) {
    message += ": unknown instruction set; known: default, avx2, avx512";
    throw std::invalid_argument(message);
  }
  if (!cpu_runs(*set)) {
    message += kDispatch ? ": this CPU does not run it"
                         : ": this build has only the default products (built "
                           "with -march=native, SGDSIM_BLAS or not for x86-64)";
    throw std::invalid_argument(message);
  }
  return *set;
}

constexpr int kUnset = -1;
std::atomic<int> active{kUnset};

}  // namespace

std::string_view instruction_set_name(InstructionSet set) {
  switch (set) {
    case InstructionSet::default_build:
      return "default";
    case InstructionSet::avx2:
      return "avx2";
    case InstructionSet::avx512:
      return "avx512";
  }
  return "?";
}

std::optional<InstructionSet> parse_instruction_set(std::string_view name) {
  for (InstructionSet set : kAll) {
    if (instruction_set_name(set) == name) return set;
  }
  return std::nullopt;
}

bool instruction_set_supported(InstructionSet set) {
  return cpu_runs(set);
}

InstructionSet active_instruction_set() {
  int set = active.load(std::memory_order_acquire);
  if (set != kUnset) return static_cast<InstructionSet>(set);
  // A bad SGDSIM_ISA throws here, and again on every later call (the static stays unset).
  static const InstructionSet at_start_up = chosen_at_start_up();
  set = kUnset;
  active.compare_exchange_strong(set, static_cast<int>(at_start_up), std::memory_order_acq_rel);
  return static_cast<InstructionSet>(active.load(std::memory_order_acquire));
}

void set_active_instruction_set(InstructionSet set) {
  if (!cpu_runs(set)) {
    std::string message = "instruction set ";
    message += instruction_set_name(set);
    message += " is not supported by this build or CPU";
    throw std::invalid_argument(message);
  }
  active.store(static_cast<int>(set), std::memory_order_release);
}

}  // namespace sgdsim
