#include "sim/output/progress.hpp"

#include <fmt/format.h>

#include <cstdio>

namespace sgdsim {

ProgressReporter::ProgressReporter(std::int64_t total_steps, int workers, bool interactive)
    : total_(static_cast<double>(total_steps) * workers), interactive_(interactive) {}

ProgressReporter::~ProgressReporter() {
  if (printed_ && interactive_) std::fputs("\n", stderr);
}

void ProgressReporter::on_compute(int, std::int64_t, SimTime, SimTime end) {
  if (++done_ % 64 != 0) return;
  const auto now = Clock::now();
  const double elapsed = std::chrono::duration<double>(now - started_).count();
  if (elapsed < 1.0) return;
  const double fraction = done_ / total_;
  if (interactive_) {
    if (std::chrono::duration<double>(now - last_print_).count() < 0.5) return;
  } else {
    const int decile = static_cast<int>(10.0 * fraction);
    if (decile <= last_decile_) return;
    last_decile_ = decile;
  }
  last_print_ = now;
  printed_ = true;
  const double eta = elapsed * (1.0 - fraction) / fraction;
  std::fputs(fmt::format("{}  {:5.1f}%  simulated {:.3f} s  elapsed {:.0f} s  ETA {:.0f} s{}",
                         interactive_ ? "\r" : "", 100.0 * fraction, end.seconds(), elapsed, eta,
                         interactive_ ? "   " : "\n")
                 .c_str(),
             stderr);
  std::fflush(stderr);
}

}  // namespace sgdsim
