// What a run read, by content: each input file's path, size and CRC-32. summary.json records it,
// and a sweep counts a run as already done only if its inputs still match, so an edited data or
// step-time file reruns the runs that read it (the resolved scenario text alone does not change).
#pragma once

#include <nlohmann/json.hpp>

#include "sim/scenario/scenario.hpp"

namespace sgdsim {

// [{"path", "bytes", "crc32"}, ...] for data.path and data.test_path (the Fashion-MNIST
// directory's files; CIFAR-10's six batch files), and compute.path; empty for synthetic data and
// parametric step times.
// A file is read once per process for as long as its size and modification time stay the same.
nlohmann::json input_fingerprints(const Scenario& scenario);

}  // namespace sgdsim
