// What the command-line front end's commands share: exit codes, the stop flag its signal handlers
// set, error printing and the result line of a run.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "sim/real/real_options.hpp"
#include "sim/runner/run_scenario.hpp"

namespace sgdsim::cli {

// 0 ok, 1 an output could not be written, 2 bad input, 3 the run diverged, 130 interrupted.
constexpr int kExitRuntimeError = 1;
constexpr int kExitBadInput = 2;
constexpr int kExitDiverged = 3;
constexpr int kExitInterrupted = 130;

extern std::atomic<bool> g_stop_requested;
extern "C" void request_stop(int);

void print_errors(const std::vector<std::string>& messages);
// The result line of a finished run on stderr (unless quiet, or `print` false: another process
// reports), and its exit code.
int report_outcome(const Scenario& scenario, const RunOutcome& outcome, const RunOptions& options,
                   bool print);

#ifdef SGDSIM_HAVE_MPI
// `run --real` on every rank of mpirun's job (real_run_command.cpp).
int real_run_command(const std::string& scenario_path, const std::vector<std::string>& overrides,
                     RunOptions options, RealOptions real);
#endif

}  // namespace sgdsim::cli
