// metrics.csv: one row per measurement of the averaged model, flushed as it is written so that a
// long run can be watched (tail -f) and a crash keeps every row measured so far.
#pragma once

#include <string>

#include "sim/output/output_file.hpp"
#include "sim/run/run_observer.hpp"

namespace sgdsim {

class MetricsWriter final : public RunObserver {
 public:
  explicit MetricsWriter(const std::string& path);
  void on_metrics(const MetricsRow& row) override;
  void close() { out_.close(); }

  static const char* header();

 private:
  OutputFile out_;
};

}  // namespace sgdsim
