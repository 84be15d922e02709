// LIBSVM (SVMlight) data sets: sparse `label index:value ...` lines, read whole and checked, then
// laid out as dense column-major matrices, since every model here works on dense features.
#include "models/data/libsvm.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <set>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "models/data/data_file.hpp"

namespace sgdsim {
namespace {

// As for CSV: more classes almost surely means regression targets read as classes.
constexpr std::size_t kMaxClasses = 65536;
// Class labels are integers of modest size; a larger one is a garbled or real-valued target.
constexpr double kMaxClassLabel = 16777216;  // 2^24

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

// One file as read: its samples, sparse, with their labels as written and their lines.
template <class Scalar>
struct SparseFile {
  std::string path;
  std::vector<double> labels;
  std::vector<std::size_t> lines;
  std::vector<std::size_t> first_entry{0};  // sample i: entries [first_entry[i], first_entry[i+1])
  std::vector<std::int64_t> indices;        // 1-based; only nonzero values are kept
  std::vector<Scalar> values;
  std::int64_t max_index = 0;  // over every index written, zero values included
  std::size_t max_index_line = 0;

  std::size_t num_samples() const { return labels.size(); }
  std::string where(std::size_t line) const { return path + ":" + std::to_string(line); }
};

template <class Scalar>
class LibsvmParser {
 public:
  LibsvmParser(const std::string& path, const LibsvmOptions& options) : options_(options) {
    file_.path = path;
  }

  SparseFile<Scalar> parse(std::string_view content) {
    if (content.starts_with("\xEF\xBB\xBF")) content.remove_prefix(3);
    std::size_t start = 0;
    while (start < content.size()) {
      ++line_;
      auto end = content.find('\n', start);
      if (end == std::string_view::npos) end = content.size();
      const std::string_view line = content.substr(start, end - start);
      start = end + 1;
      parse_line(line.substr(0, line.find('#')));
    }
    if (file_.labels.empty()) {
      throw DataError(file_.path + ": no samples (the file is empty, or holds only blank lines " +
                      "and comments)");
    }
    return std::move(file_);
  }

 private:
  std::string where() const { return file_.where(line_); }

  // The whitespace-separated token at or after `pos`; empty at the end of the line.
  static std::string_view next_token(std::string_view line, std::size_t& pos) {
    while (pos < line.size() && is_blank(line[pos])) ++pos;
    const std::size_t begin = pos;
    while (pos < line.size() && !is_blank(line[pos])) ++pos;
    return line.substr(begin, pos - begin);
  }

  void parse_line(std::string_view line) {
    std::size_t pos = 0;
    std::string_view token = next_token(line, pos);
    if (token.empty()) return;
    if (token.find(':') != std::string_view::npos) {
      throw DataError(where() + ": no label: the line starts with " + quoted_token(token));
    }
    file_.labels.push_back(parse_label(token));
    file_.lines.push_back(line_);
    token = next_token(line, pos);
    if (token.starts_with("qid:")) token = next_token(line, pos);
    std::int64_t previous = 0;
    for (; !token.empty(); token = next_token(line, pos)) {
      const auto colon = token.find(':');
      if (colon == std::string_view::npos) {
        throw DataError(where() + ": " + quoted_token(token) + " has no ':'; expected index:value");
      }
      const std::int64_t index = parse_index(token.substr(0, colon), token, previous);
      const double value = parse_real(token.substr(colon + 1), quoted_token(token) + ": the value");
      previous = index;
      if (index > file_.max_index) {
        file_.max_index = index;
        file_.max_index_line = line_;
      }
      if (value != 0) {
        file_.indices.push_back(index);
        file_.values.push_back(static_cast<Scalar>(value));
      }
    }
    file_.first_entry.push_back(file_.indices.size());
  }

  // A real number, finite also once converted to Scalar; `what` begins the message.
  double parse_real(std::string_view text, const std::string& what) const {
    std::string_view digits = text;
    // from_chars rejects a leading '+' (as LIBSVM's "+1" has), and would take "+-1" once cut.
    if (digits.starts_with('+') && !digits.substr(1).starts_with('-')) digits.remove_prefix(1);
    double value = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (error == std::errc::result_out_of_range) {
      throw DataError(where() + ": " + what + " is out of range");
    }
    if (error != std::errc() || end != digits.data() + digits.size() || digits.empty()) {
      throw DataError(where() + ": " + what + " is not a number");
    }
    if (!std::isfinite(value)) throw DataError(where() + ": " + what + " is not a finite number");
    if (!std::isfinite(static_cast<Scalar>(value))) {
      throw DataError(where() + ": " + what + " is out of range for single precision");
    }
    return value;
  }

  double parse_label(std::string_view token) const {
    const double label = parse_real(token, std::string("label ").append(quoted_token(token)));
    if (options_.task == Task::binary && label != -1 && label != 0 && label != 1) {
      throw DataError(where() + ": binary label " + quoted_token(token) +
                      " must be -1 or +1, or 0 or 1");
    }
    if (options_.task == Task::multiclass &&
        (label != std::floor(label) || std::fabs(label) > kMaxClassLabel)) {
      throw DataError(where() + ": class label " + quoted_token(token) +
                      " is not an integer of at most " +
                      std::to_string(static_cast<std::int64_t>(kMaxClassLabel)) + " in magnitude");
    }
    return label;
  }

  std::int64_t parse_index(std::string_view text, std::string_view token,
                           std::int64_t previous) const {
    const std::string at = where() + ": " + quoted_token(token) + ": ";
    std::int64_t index = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), index);
    if (error == std::errc::result_out_of_range) {
      throw DataError(at + "the index is out of range (" +
                      (text.starts_with('-') ? "negative" : "far too large") + ")");
    }
    if (error != std::errc() || end != text.data() + text.size()) {
      throw DataError(at + "the index is not an integer");
    }
    if (index < 1) throw DataError(at + "indices start at 1, not " + std::to_string(index));
    if (index <= previous) {
      throw DataError(at + "index " + std::to_string(index) + " after " + std::to_string(previous) +
                      ": indices must increase along a line");
    }
    if (options_.num_features > 0 && index > options_.num_features) {
      throw DataError(at + "index " + std::to_string(index) + " exceeds the " +
                      std::to_string(options_.num_features) + " features asked for");
    }
    return index;
  }

  const LibsvmOptions& options_;
  SparseFile<Scalar> file_;
  std::size_t line_ = 0;
};

std::string label_text(double label) {
  return fmt::format("{}", label);
}

// Binary files keep to one convention, -1/+1 or 0/1: a file with both -1 and 0 is more likely a
// three-class file than a binary one.
template <class Scalar>
void check_binary_convention(const std::vector<const SparseFile<Scalar>*>& files) {
  const SparseFile<Scalar>* first_file = nullptr;
  std::size_t first = 0;
  for (const SparseFile<Scalar>* file : files) {
    for (std::size_t i = 0; i < file->num_samples(); ++i) {
      if (file->labels[i] == 1) continue;
      if (first_file == nullptr) {
        first_file = file;
        first = i;
      } else if (file->labels[i] != first_file->labels[first]) {
        throw DataError(
            file->where(file->lines[i]) + ": binary label " + label_text(file->labels[i]) +
            " after label " + label_text(first_file->labels[first]) + " at " +
            first_file->where(first_file->lines[first]) + "; use -1 and +1, or 0 and 1, not both");
      }
    }
  }
}

// The training file's distinct labels in increasing order: class c is classes[c].
template <class Scalar>
std::vector<double> distinct_labels(const SparseFile<Scalar>& train) {
  std::set<double> seen;
  for (std::size_t i = 0; i < train.num_samples(); ++i) {
    if (seen.insert(train.labels[i]).second && seen.size() > kMaxClasses) {
      throw DataError(train.where(train.lines[i]) + ": label " + label_text(train.labels[i]) +
                      " is the " + std::to_string(kMaxClasses + 1) +
                      "th distinct class label; at most " + std::to_string(kMaxClasses) +
                      " classes (are these regression targets?)");
    }
  }
  return {seen.begin(), seen.end()};
}

template <class Scalar>
std::vector<Scalar> targets_of(const SparseFile<Scalar>& file, Task task,
                               const std::vector<double>& classes, const std::string& train_path) {
  std::vector<Scalar> targets(file.num_samples());
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const double label = file.labels[i];
    if (task == Task::regression) {
      targets[i] = static_cast<Scalar>(label);
    } else if (task == Task::binary) {
      targets[i] = label == 1 ? Scalar(1) : Scalar(0);
    } else {
      const auto found = std::lower_bound(classes.begin(), classes.end(), label);
      if (found == classes.end() || *found != label) {
        throw DataError(file.where(file.lines[i]) + ": label " + label_text(label) +
                        " does not occur in the training file " + train_path + " (" +
                        std::to_string(classes.size()) + " classes, labels " +
                        label_text(classes.front()) + " to " + label_text(classes.back()) + ")");
      }
      targets[i] = static_cast<Scalar>(found - classes.begin());
    }
  }
  return targets;
}

// Fails, naming `culprit`, when d × n would not fit the limit on one dense matrix.
template <class Scalar>
void check_dense_size(std::int64_t d, std::int64_t n, std::uint64_t max_bytes,
                      const std::string& culprit, const std::string& path) {
  const std::uint64_t bytes_per_feature = static_cast<std::uint64_t>(n) * sizeof(Scalar);
  if (static_cast<std::uint64_t>(d) <= max_bytes / bytes_per_feature) return;
  const double gib = static_cast<double>(d) * static_cast<double>(bytes_per_feature) / (1u << 30);
  throw DataError(culprit + " makes " + path + " a dense " + std::to_string(d) + " × " +
                  std::to_string(n) + " matrix of " + fmt::format("{:.4g}", gib) +
                  " GiB, over the limit of " +
                  fmt::format("{:.4g}", static_cast<double>(max_bytes) / (1u << 30)) +
                  " GiB; is an index garbled?");
}

template <class Scalar>
Dataset<Scalar> densify(const SparseFile<Scalar>& file, const std::vector<Scalar>& targets,
                        std::int64_t d, std::int64_t n, int num_classes) {
  Dataset<Scalar> data;
  data.features.setZero(d, n);
  data.targets.resize(n);
  for (std::int64_t i = 0; i < n; ++i) {
    const auto sample = static_cast<std::size_t>(i);
    for (std::size_t e = file.first_entry[sample]; e < file.first_entry[sample + 1]; ++e) {
      data.features(file.indices[e] - 1, i) = file.values[e];
    }
    data.targets[i] = targets[sample];
  }
  data.num_classes = num_classes;
  return data;
}

std::int64_t kept(std::size_t num_samples, std::int64_t limit) {
  const auto n = static_cast<std::int64_t>(num_samples);
  return limit > 0 ? std::min(limit, n) : n;
}

}  // namespace

template <class Scalar>
TrainTestData<Scalar> load_libsvm(const std::string& path, const std::string& test_path,
                                  const LibsvmOptions& options) {
  const SparseFile<Scalar> train = LibsvmParser<Scalar>(path, options).parse(read_data_file(path));
  std::optional<SparseFile<Scalar>> test;
  if (!test_path.empty()) {
    test = LibsvmParser<Scalar>(test_path, options).parse(read_data_file(test_path));
  }
  std::vector<const SparseFile<Scalar>*> files = {&train};
  if (test) files.push_back(&*test);

  // The widest file sets d for both, and is the one to blame if d is absurd.
  const SparseFile<Scalar>* widest = test && test->max_index > train.max_index ? &*test : &train;
  const std::int64_t d = options.num_features > 0 ? options.num_features : widest->max_index;
  if (d == 0) throw DataError(path + ": no features: no line has an index:value pair");
  const std::string culprit =
      options.num_features > 0
          ? path + ": " + std::to_string(d) + " features"
          : widest->where(widest->max_index_line) + ": index " + std::to_string(d);
  for (const SparseFile<Scalar>* file : files) {
    check_dense_size<Scalar>(
        d, kept(file->num_samples(), file == &train ? options.limit : options.test_limit),
        options.max_dense_bytes, culprit, file->path);
  }

  std::vector<double> classes;
  int num_classes = 0;
  if (options.task == Task::binary) {
    check_binary_convention(files);
    num_classes = 2;
  } else if (options.task == Task::multiclass) {
    classes = distinct_labels(train);
    num_classes = std::max(2, static_cast<int>(classes.size()));
  }
  TrainTestData<Scalar> data;
  data.train = densify(train, targets_of(train, options.task, classes, path), d,
                       kept(train.num_samples(), options.limit), num_classes);
  if (test) {
    data.test = densify(*test, targets_of(*test, options.task, classes, path), d,
                        kept(test->num_samples(), options.test_limit), num_classes);
  }
  return data;
}

template TrainTestData<float> load_libsvm<float>(const std::string&, const std::string&,
                                                 const LibsvmOptions&);
template TrainTestData<double> load_libsvm<double>(const std::string&, const std::string&,
                                                   const LibsvmOptions&);

}  // namespace sgdsim
