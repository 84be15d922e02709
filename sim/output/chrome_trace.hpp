// trace.json in the Chrome trace event format (opens in Perfetto and chrome://tracing): one track
// per worker with its compute, waiting and collective spans, and a network track with each
// collective's phases. Events are streamed to the file, so memory does not grow with the run.
#pragma once

#include <cstdint>
#include <string>

#include "sim/output/output_file.hpp"
#include "sim/run/run_observer.hpp"

namespace sgdsim {

class ChromeTraceWriter final : public RunObserver {
 public:
  // With overlapped averaging, collectives run under compute spans, so they are drawn on the
  // network track only (`collectives_on_workers` false).
  // Events past `limit_bytes` are dropped (the file stays valid JSON) and truncated() says so.
  ChromeTraceWriter(const std::string& path, const std::string& scenario_name, int workers,
                    std::string collective_name, bool collectives_on_workers = true,
                    double limit_bytes = 1e18);
  ChromeTraceWriter(const ChromeTraceWriter&) = delete;
  ChromeTraceWriter& operator=(const ChromeTraceWriter&) = delete;

  void on_compute(int worker, std::int64_t step, SimTime start, SimTime end) override;
  void on_wait(int worker, SimTime start, SimTime end) override;
  void on_outage(int worker, SimTime start, SimTime end) override;
  void on_collective(std::int64_t round, SimTime start, const CollectiveCost& cost,
                     const std::vector<int>& participants) override;

  // Writes the closing bracket and closes the file; throws when it cannot. A writer destroyed
  // without close() (the run failed) leaves an unterminated trace, as any other output of a failed
  // run: no summary.json marks it complete.
  void close();
  bool truncated() const { return truncated_; }
  // The least a span takes in the file, for estimating a run's trace before it runs.
  static constexpr double kMinBytesPerSpan = 100.0;

 private:
  void span(const char* name, const char* category, int track, SimTime start, SimTime duration,
            const std::string& args);
  void write(const std::string& event);

  OutputFile file_;
  int workers_;
  std::string collective_name_;
  bool collectives_on_workers_;
  bool first_ = true;
  double limit_bytes_;
  double bytes_ = 0.0;
  bool truncated_ = false;
};

}  // namespace sgdsim
