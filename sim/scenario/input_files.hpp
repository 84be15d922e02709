// What a scenario may name as an input file: a regular file of bounded size. A FIFO with no writer
// would block the run (and ignore signals while it waits), a device such as /dev/zero would feed it
// without end, and a symbolic link loop is not "missing".
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace sgdsim {

// Scenario and cluster files are a few kilobytes; this is far above any real one.
inline constexpr std::uintmax_t kMaxScenarioFileBytes = 16u << 20;

// Why `path` cannot be read as an input file (or, with `directory`, as a directory of them), in
// words for a message ("'x' is not a regular file (a FIFO) ..."); nullopt when it can.
std::optional<std::string> input_file_problem(const std::string& path, bool directory = false);

}  // namespace sgdsim
