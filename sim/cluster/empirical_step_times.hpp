// Step times measured on real hardware, read from a CSV and replayed or resampled.
//
// The CSV has a header row, then one step time in seconds per row. With one column that column is
// used whatever its name; with several, the column named `step_time_s`. Blank lines, CRLF endings
// and a UTF-8 byte-order mark are tolerated; cells are plain numbers (no quoting).
#pragma once

#include <string>
#include <vector>

#include "sim/cluster/compute_spec.hpp"
#include "sim/cluster/step_time_distributions.hpp"

namespace sgdsim {

// The step times of `path`, in file order. Throws DataError naming the file and the line of a
// missing file, a missing column, a cell that is not a number above 0, or a file without rows.
std::vector<SimTime> load_step_times_csv(const std::string& path);

class EmpiricalStepTime final : public StepTimeDistribution {
 public:
  // `times` must not be empty.
  EmpiricalStepTime(std::vector<SimTime> times, EmpiricalMode mode, int workers);
  // replay: the next row of the worker's cyclic walk, which starts at row ⌊w·n/N⌋;
  // resample: a row drawn uniformly from `rng`.
  SimTime sample(int worker, Rng& rng) override;

 private:
  std::vector<SimTime> times_;
  EmpiricalMode mode_;
  std::vector<std::size_t> next_row_;  // replay: per worker
};

}  // namespace sgdsim
