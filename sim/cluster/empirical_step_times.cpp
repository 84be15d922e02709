#include "sim/cluster/empirical_step_times.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string_view>

#include "models/data/csv_cells.hpp"
#include "models/data/dataset.hpp"

namespace sgdsim {
namespace {

constexpr std::string_view kColumnName = "step_time_s";

}  // namespace

const char* to_string(EmpiricalMode mode) {
  return mode == EmpiricalMode::replay ? "replay" : "resample";
}

std::vector<SimTime> load_step_times_csv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(fmt::format("cannot open the step-time file '{}'", path));
  const std::string content_text{std::istreambuf_iterator<char>(in),
                                 std::istreambuf_iterator<char>()};
  std::string_view content = content_text;
  if (content.starts_with("\xEF\xBB\xBF")) content.remove_prefix(3);

  std::vector<SimTime> times;
  std::size_t column = 0;
  std::size_t line_number = 0;
  const auto on_header = [&](const std::vector<std::string_view>& cells) {
    const std::size_t num_columns = cells.size();
    if (num_columns > 1) {
      column = num_columns;
      for (std::size_t c = 0; c < num_columns; ++c) {
        if (cells[c] == kColumnName) column = c;
      }
      if (column == num_columns) {
        throw DataError(fmt::format(
            "{}:{}: the header has {} columns but none named '{}' (with one column, any name "
            "will do)",
            path, line_number, num_columns, kColumnName));
      }
    }
  };
  const auto on_row = [&](const std::vector<std::string_view>& cells) {
    const std::string_view cell = cells[column];
    double seconds = 0.0;
    const auto [ptr, error] = std::from_chars(cell.data(), cell.data() + cell.size(), seconds);
    const bool number = error == std::errc() && ptr == cell.data() + cell.size();
    if (!number || std::isnan(seconds) || seconds <= 0.0) {
      throw DataError(fmt::format("{}:{}: '{}' is not a step time in seconds (a number above 0)",
                                  path, line_number, cell));
    }
    // The same range as a scenario's durations: whole nanoseconds on the simulated clock.
    if (seconds > 1e6 || seconds < 1e-9) {
      throw DataError(
          fmt::format("{}:{}: {} s is out of range: a step time must be from 1 ns "
                      "(the simulated clock's resolution) to 1e6 s",
                      path, line_number, cell));
    }
    times.push_back(SimTime::from_seconds(seconds));
  };
  const std::size_t num_columns = csv::for_each_row(content, path, line_number, on_header, on_row);
  if (num_columns == 0) throw DataError(path + ": empty file; expected a header row");
  if (times.empty()) throw DataError(path + ": no step times after the header");
  return times;
}

EmpiricalStepTime::EmpiricalStepTime(std::vector<SimTime> times, EmpiricalMode mode, int workers)
    : times_(std::move(times)), mode_(mode) {
  if (times_.empty()) throw std::invalid_argument("an empirical compute model needs step times");
  const std::size_t n = times_.size();
  for (int w = 0; w < workers; ++w) {
    next_row_.push_back(static_cast<std::size_t>(w) * n / static_cast<std::size_t>(workers));
  }
}

SimTime EmpiricalStepTime::sample(int worker, Rng& rng) {
  if (mode_ == EmpiricalMode::resample) return times_[rng.uniform_index(times_.size())];
  std::size_t& row = next_row_[worker];
  const SimTime time = times_[row];
  row = row + 1 == times_.size() ? 0 : row + 1;
  return time;
}

}  // namespace sgdsim
