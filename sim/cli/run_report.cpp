#include "sim/cli/run_report.hpp"

#include <fmt/format.h>

#include <cstdio>

#include "sim/algorithms/registry.hpp"

namespace sgdsim::cli {

std::atomic<bool> g_stop_requested{false};

extern "C" void request_stop(int) {
  g_stop_requested.store(true);
}

void print_errors(const std::vector<std::string>& messages) {
  for (const auto& message : messages) std::fprintf(stderr, "error: %s\n", message.c_str());
}

// The result line and exit code of a finished run (printed by the process that wrote it).
int report_outcome(const Scenario& scenario, const RunOutcome& outcome, const RunOptions& options,
                   bool print) {
  const auto& r = outcome.result;
  const auto& s = outcome.summary;
  const bool quiet = options.quiet || !print;
  switch (r.status) {
    case RunStatus::ok:
      if (!quiet) {
        const auto& real = outcome.facts.real;
        std::fprintf(
            stderr,
            "%s: %lld steps on %d workers%s, %lld %s, %s %.3f s "
            "(communication %.1f%%, idle %.1f%%), final train loss %.6g; wrote %s\n",
            scenario.name.c_str(), static_cast<long long>(scenario.steps), scenario.workers,
            real ? fmt::format(" on {} MPI ranks", real->ranks).c_str() : "",
            static_cast<long long>(r.comm_rounds),
            algorithm_info(scenario.algorithm.kind).can.rounds ? "rounds" : "gradients pushed",
            real ? "measured" : "simulated", r.sim_time.seconds(),
            100.0 * s["communication_fraction"].get<double>(),
            100.0 * s["idle_fraction"].get<double>(),
            r.last_metrics ? r.last_metrics->model.train_loss : 0.0, options.out_dir.c_str());
      }
      return 0;
    case RunStatus::diverged:
      if (print) {
        std::fprintf(stderr,
                     "error: %s diverged: a non-finite value appeared at step %lld (%s); "
                     "metrics up to then are in %s\n",
                     scenario.name.c_str(), static_cast<long long>(r.diverged_step),
                     r.diverged_worker >= 0 ? fmt::format("worker {}", r.diverged_worker).c_str()
                                            : "the averaged model",
                     options.out_dir.c_str());
      }
      return kExitDiverged;
    case RunStatus::interrupted:
      if (!quiet) {
        std::fprintf(stderr, "interrupted at %s %.3f s; partial results in %s\n",
                     outcome.facts.real ? "measured" : "simulated", r.sim_time.seconds(),
                     options.out_dir.c_str());
      }
      return kExitInterrupted;
    case RunStatus::stalled:
      if (print) {
        std::fprintf(stderr, "error: %s stalled: %s; results up to then are in %s\n",
                     scenario.name.c_str(), r.stall_reason.c_str(), options.out_dir.c_str());
      }
      return kExitBadInput;
  }
  return kExitRuntimeError;
}

}  // namespace sgdsim::cli
