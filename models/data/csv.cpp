// CSV data sets: a header row, then one sample per row with the label in the last column. Cells are
// plain numbers separated by commas (no quoting); blank lines, CRLF endings and a UTF-8 byte-order
// mark are tolerated.
#include "models/data/csv.hpp"
#include "models/data/csv_cells.hpp"
#include "models/data/data_file.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace sgdsim {
namespace {

// Larger class indices almost surely mean a regression target loaded as classes, and would make a
// softmax layer absurdly wide.
constexpr double kMaxClassIndex = 65535;

class CsvReader {
 public:
  CsvReader(const std::string& path, Task task) : path_(path), task_(task) {}

  template <class Scalar>
  Dataset<Scalar> read(std::string_view content) {
    if (content.starts_with("\xEF\xBB\xBF")) content.remove_prefix(3);
    std::vector<Scalar> features;  // column-major d × n: sample after sample
    std::vector<Scalar> labels;
    double max_label = 0;
    const auto on_header = [&](const std::vector<std::string_view>& cells) {
      if (cells.size() < 2) {
        throw DataError(where() + ": the header has 1 column; need the features, then the label");
      }
    };
    const auto on_row = [&](const std::vector<std::string_view>& cells) {
      for (std::size_t c = 0; c + 1 < cells.size(); ++c) {
        features.push_back(static_cast<Scalar>(parse_cell<Scalar>(cells[c], c)));
      }
      const double label = parse_cell<Scalar>(cells.back(), cells.size() - 1);
      check_label(cells.back(), label);
      max_label = std::max(max_label, label);
      labels.push_back(static_cast<Scalar>(label));
    };
    const std::size_t num_columns = csv::for_each_row(content, path_, line_, on_header, on_row);
    if (num_columns == 0) throw DataError(path_ + ": empty file; expected a header row");
    if (labels.empty()) throw DataError(path_ + ": no data rows after the header");

    const auto d = static_cast<Eigen::Index>(num_columns - 1);
    const auto n = static_cast<Eigen::Index>(labels.size());
    Dataset<Scalar> data;
    data.features = Eigen::Map<const typename Dataset<Scalar>::Matrix>(features.data(), d, n);
    data.targets = Eigen::Map<const typename Dataset<Scalar>::Vector>(labels.data(), n);
    switch (task_) {
      case Task::regression:
        data.num_classes = 0;
        break;
      case Task::binary:
        data.num_classes = 2;
        break;
      case Task::multiclass:
        data.num_classes = std::max(2, static_cast<int>(max_label) + 1);
        break;
    }
    return data;
  }

 private:
  std::string where() const { return path_ + ":" + std::to_string(line_); }

  std::string where(std::size_t column) const {
    return where() + ", column " + std::to_string(column + 1);
  }

  // The cell's value, checked to be finite also once converted to Scalar.
  template <class Scalar>
  double parse_cell(std::string_view cell, std::size_t column) const {
    std::string_view digits = cell;
    if (digits.starts_with('+')) digits.remove_prefix(1);  // from_chars rejects a leading '+'
    double value = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    const std::string quoted = quoted_token(cell);
    if (error == std::errc::result_out_of_range) {
      throw DataError(where(column) + ": " + quoted + " is out of range");
    }
    if (error != std::errc() || end != digits.data() + digits.size() || digits.empty()) {
      throw DataError(where(column) + ": " + quoted + " is not a number");
    }
    if (!std::isfinite(value)) {
      throw DataError(where(column) + ": " + quoted + " is not a finite number");
    }
    if (!std::isfinite(static_cast<Scalar>(value))) {
      throw DataError(where(column) + ": " + quoted + " is out of range for single precision");
    }
    return value;
  }

  void check_label(std::string_view cell, double label) const {
    const std::string text(cell);
    if (task_ == Task::binary && label != 0 && label != 1) {
      throw DataError(where() + ": binary label " + text + " must be 0 or 1");
    }
    if (task_ == Task::multiclass) {
      if (label < 0 || label != std::floor(label)) {
        throw DataError(where() + ": label " + text + " is not a class index (0, 1, 2, ...)");
      }
      if (label > kMaxClassIndex) {
        throw DataError(where() + ": label " + text + " is too large a class index (at most " +
                        std::to_string(static_cast<int>(kMaxClassIndex)) + ")");
      }
    }
  }

  const std::string& path_;
  Task task_;
  std::size_t line_ = 0;
};

}  // namespace

template <class Scalar>
Dataset<Scalar> load_csv(const std::string& path, Task task, std::uint64_t max_bytes) {
  // The header alone first: a file whose first line is wrong is refused before its body is read.
  std::string header = read_first_line(path);
  if (header.starts_with("\xEF\xBB\xBF")) header.erase(0, 3);
  if (!header.empty() && header.find(',') == std::string::npos) {
    throw DataError(path + ":1: the header has 1 column; need the features, then the label");
  }
  const std::string content = read_data_file(path, max_bytes);
  return CsvReader(path, task).read<Scalar>(content);
}

template Dataset<float> load_csv<float>(const std::string&, Task, std::uint64_t);
template Dataset<double> load_csv<double>(const std::string&, Task, std::uint64_t);

}  // namespace sgdsim
