// libFuzzer target: the data loaders. The first byte picks the loader and its options, the rest
// is written to files that the loader reads. A loader may throw DataError and nothing else; what
// it returns must be a consistent data set (finite features, one target per sample, targets that
// fit the task). Run with -malloc_limit_mb so that a header announcing absurd sizes is a finding.
//
//   selector % 3 == 0  CSV: v = selector / 3, task = v % 3 (regression, binary, multiclass);
//                      o = v / 3, bit 0: float64
//   selector % 3 == 1  v < 32, IDX: bits of v: 0, gzip the images file; 1, gzip the labels
//                      file; 2, float64; 3-4, limit 0, 1, 2 or 1000. The bytes: a little-endian
//                      u16 L, L bytes of labels file, then the images file
//                      v ≥ 32, CIFAR-10: bits of v − 32: 0, float64; 1-2, limit and test_limit
//                      0, 1, 2 or 10001. The bytes: data_batch_1.bin … data_batch_5.bin, each as
//                      IDX's labels file (u16 length, bytes), then test_batch.bin
//   selector % 3 == 2  LIBSVM: task as CSV; bits of o: 0, float64; 1, a test file first (u16
//                      length, bytes, as IDX's labels); 2-3, num_features 0, 0, 4 or 100;
//                      4, limit and test_limit 1
#include <unistd.h>
#include <zlib.h>

#include <cxxabi.h>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <typeinfo>

#include "models/data/cifar10.hpp"
#include "models/data/csv.hpp"
#include "models/data/idx.hpp"
#if __has_include("models/data/libsvm.hpp")
#include "models/data/libsvm.hpp"
#define SGDSIM_FUZZ_LIBSVM 1
#endif

namespace {

namespace fs = std::filesystem;
using sgdsim::DataError;
using sgdsim::Dataset;
using sgdsim::Task;

// A scratch directory per process under $TMPDIR for the files the loaders read.
class Workspace {
 public:
  Workspace() {
    std::string pattern = (fs::temp_directory_path() / "sgdsim_data_fuzz_XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      std::perror("data_fuzzer: mkdtemp");
      std::abort();
    }
    root_ = pattern;
  }
  ~Workspace() {
    std::error_code ignored;
    fs::remove_all(root_, ignored);
  }
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;

  // Writes `bytes` to `name`, gzip-compressed if `gzip`, and returns its path.
  std::string write(const char* name, std::string_view bytes, bool gzip) const {
    const std::string path = (root_ / name).string();
    if (gzip) {
      gzFile file = gzopen(path.c_str(), "wb");
      const bool ok =
          file != nullptr &&
          (bytes.empty() || gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())) > 0) &&
          gzclose(file) == Z_OK;
      if (!ok) fail("cannot gzip into " + path);
    } else {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      if (!out) fail("cannot write " + path);
    }
    return path;
  }
  const fs::path& root() const { return root_; }

 private:
  [[noreturn]] static void fail(const std::string& what) {
    std::fprintf(stderr, "data_fuzzer: %s\n", what.c_str());
    std::abort();
  }

  fs::path root_;
};

std::unique_ptr<Workspace> workspace;

bool verbose = false;  // SGDSIM_FUZZ_VERBOSE set: print why each rejected input was rejected

[[noreturn]] void finding(const std::string& what, const std::string& detail) {
  std::fprintf(stderr, "\n==== data_fuzzer finding: %s\n%s\n====\n", what.c_str(), detail.c_str());
  std::abort();
}

std::string type_name(const std::exception& e) {
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> name(
      abi::__cxa_demangle(typeid(e).name(), nullptr, nullptr, &status), &std::free);
  return status == 0 && name ? name.get() : typeid(e).name();
}

// What every loader promises of a data set it returns.
template <class Scalar>
void check_dataset(const Dataset<Scalar>& data, Task task, const char* loader) {
  const std::string where = std::string(loader) + " (task " + sgdsim::to_string(task) + ")";
  if (data.num_samples() < 1 || data.num_features() < 1) finding(where + ": an empty data set", "");
  if (data.targets.size() != data.num_samples()) finding(where + ": targets ≠ samples", "");
  if (!data.features.allFinite() || !data.targets.allFinite()) {
    finding(where + ": a feature or target is not finite", "");
  }
  const int expected_classes = task == Task::regression ? 0 : task == Task::binary ? 2 : -1;
  if (expected_classes >= 0 && data.num_classes != expected_classes) {
    finding(where + ": num_classes " + std::to_string(data.num_classes), "");
  }
  if (task != Task::regression) {
    if (data.num_classes < 2) finding(where + ": fewer than 2 classes", "");
    for (Eigen::Index i = 0; i < data.targets.size(); ++i) {
      const Scalar t = data.targets[i];
      if (t < 0 || t >= data.num_classes || t != std::floor(t)) {
        finding(where + ": target " + std::to_string(t) + " is not a class index", "");
      }
    }
  }
}

template <class Scalar>
void fuzz_csv(std::string_view bytes, Task task) {
  const std::string path = workspace->write("data.csv", bytes, false);
  check_dataset(sgdsim::load_csv<Scalar>(path, task), task, "load_csv");
}

// A little-endian u16 L at the front of `bytes`, then L bytes (fewer if the input ends): returns
// those bytes and leaves `bytes` at what follows.
std::string_view take_prefixed(std::string_view& bytes) {
  if (bytes.size() < 2) {
    bytes = {};
    return {};
  }
  const std::size_t length = static_cast<unsigned char>(bytes[0]) |
                             (static_cast<std::size_t>(static_cast<unsigned char>(bytes[1])) << 8);
  const std::string_view taken = bytes.substr(2, std::min(length, bytes.size() - 2));
  bytes.remove_prefix(2 + taken.size());
  return taken;
}

#ifdef SGDSIM_FUZZ_LIBSVM
// load_libsvm accepts a dense matrix of up to 16 GiB (kMaxDenseBytes in libsvm.cpp), far above
// the 2 GiB malloc limit this fuzzer runs with, so a few bytes such as "1 300000000:1" make it
// allocate gigabytes by design (see docs/fuzzing.md). Such inputs are skipped. The estimate errs
// high: every line a sample, every run of digits before a ':' an index.
bool may_need_over_1gib(std::string_view bytes, std::size_t scalar_bytes) {
  constexpr std::uint64_t kSaturated = std::uint64_t{1} << 36;
  std::uint64_t lines = 1, max_index = 0, number = 0;
  for (const char c : bytes) {
    if (c >= '0' && c <= '9') {
      number = std::min(kSaturated, number * 10 + static_cast<std::uint64_t>(c - '0'));
      continue;
    }
    if (c == ':') max_index = std::max(max_index, number);
    if (c == '\n') ++lines;
    number = 0;
  }
  return max_index * lines * scalar_bytes > (std::uint64_t{1} << 30);
}

template <class Scalar>
void fuzz_libsvm(std::string_view bytes, Task task, unsigned options_bits) {
  if (may_need_over_1gib(bytes, sizeof(Scalar))) return;
  constexpr std::int64_t kNumFeatures[] = {0, 0, 4, 100};
  sgdsim::LibsvmOptions options;
  options.task = task;
  options.num_features = kNumFeatures[(options_bits >> 2) & 3];
  options.limit = (options_bits >> 4) & 1;
  options.test_limit = options.limit;
  std::string test_path;
  if ((options_bits & 2) != 0) {
    test_path = workspace->write("test.libsvm", take_prefixed(bytes), false);
  }
  const std::string path = workspace->write("train.libsvm", bytes, false);
  const sgdsim::TrainTestData<Scalar> data = sgdsim::load_libsvm<Scalar>(path, test_path, options);
  check_dataset(data.train, task, "load_libsvm");
  if (options.num_features > 0 && data.train.num_features() != options.num_features) {
    finding("load_libsvm: not the number of features asked for", "");
  }
  if (options.limit > 0 && data.train.num_samples() > options.limit) {
    finding("load_libsvm: more samples than the limit", "");
  }
  if (test_path.empty() == data.test.has_value()) {
    finding("load_libsvm: a test set without a test file, or none with one", "");
  }
  if (data.test) {
    check_dataset(*data.test, task, "load_libsvm (test)");
    if (data.test->num_features() != data.train.num_features() ||
        data.test->num_classes != data.train.num_classes) {
      finding("load_libsvm: test and training sets differ in features or classes", "");
    }
  }
}
#endif

template <class Scalar>
void fuzz_idx(std::string_view bytes, unsigned variant) {
  const std::string labels =
      workspace->write("labels.idx1", take_prefixed(bytes), (variant & 2) != 0);
  const std::string images = workspace->write("images.idx3", bytes, (variant & 1) != 0);
  constexpr std::int64_t kLimits[] = {0, 1, 2, 1000};
  const std::int64_t limit = kLimits[(variant >> 3) & 3];
  const Dataset<Scalar> data = sgdsim::load_idx<Scalar>(images, labels, limit);
  check_dataset(data, Task::multiclass, "load_idx");
  if (data.num_classes != 10) finding("load_idx: not 10 classes", "");
  if (limit > 0 && data.num_samples() > limit) finding("load_idx: more samples than the limit", "");
  if (data.features.minCoeff() < 0 || data.features.maxCoeff() > 1) {
    finding("load_idx: a pixel outside [0, 1]", "");
  }
}

template <class Scalar>
void fuzz_cifar10(std::string_view bytes, unsigned variant) {
  for (int b = 1; b <= 5; ++b) {
    const std::string name = "data_batch_" + std::to_string(b) + ".bin";
    workspace->write(name.c_str(), take_prefixed(bytes), false);
  }
  workspace->write("test_batch.bin", bytes, false);
  constexpr std::int64_t kLimits[] = {0, 1, 2, 10001};
  const std::int64_t limit = kLimits[(variant >> 1) & 3];
  const sgdsim::TrainTestData<Scalar> data =
      sgdsim::load_cifar10<Scalar>(workspace->root().string(), limit, limit);
  if (!data.test) finding("load_cifar10: no test set", "");
  for (const Dataset<Scalar>* set : {&data.train, &*data.test}) {
    check_dataset(*set, Task::multiclass, "load_cifar10");
    if (set->num_classes != 10) finding("load_cifar10: not 10 classes", "");
    if (set->num_features() != 3072 || set->image != sgdsim::ImageShape{3, 32, 32}) {
      finding("load_cifar10: not 3x32x32 images", "");
    }
    if (limit > 0 && set->num_samples() > limit) {
      finding("load_cifar10: more samples than the limit", "");
    }
    if (set->features.minCoeff() < 0 || set->features.maxCoeff() > 1) {
      finding("load_cifar10: a pixel outside [0, 1]", "");
    }
  }
}

void fuzz_one(unsigned selector, std::string_view bytes) {
  const unsigned loader = selector % 3;
  const unsigned variant = selector / 3;  // 0..85
  const Task task = variant % 3 == 0   ? Task::regression
                    : variant % 3 == 1 ? Task::binary
                                       : Task::multiclass;
  const unsigned options = variant / 3;  // 0..28
  const bool float64 = (options & 1) != 0;
  switch (loader) {
    case 0:
      return float64 ? fuzz_csv<double>(bytes, task) : fuzz_csv<float>(bytes, task);
    case 1:
      if (variant >= 32) {
        return ((variant - 32) & 1) != 0 ? fuzz_cifar10<double>(bytes, variant - 32)
                                         : fuzz_cifar10<float>(bytes, variant - 32);
      }
      return (variant & 4) != 0 ? fuzz_idx<double>(bytes, variant)
                                : fuzz_idx<float>(bytes, variant);
    default:
#ifdef SGDSIM_FUZZ_LIBSVM
      return float64 ? fuzz_libsvm<double>(bytes, task, options)
                     : fuzz_libsvm<float>(bytes, task, options);
#else
      return;
#endif
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  verbose = std::getenv("SGDSIM_FUZZ_VERBOSE") != nullptr;
  workspace = std::make_unique<Workspace>();
  std::atexit([] { workspace.reset(); });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    fuzz_one(data[0], bytes);
  } catch (const DataError& e) {
    // The documented answer to a bad file.
    if (verbose) std::fprintf(stderr, "DataError: %s\n", e.what());
  } catch (const std::exception& e) {
    finding("a loader threw " + type_name(e) + " rather than DataError", e.what());
  }
  return 0;
}
