// Reading a data file's bytes and quoting them in messages, shared by the text-format loaders
// (CSV, LIBSVM).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "models/data/dataset.hpp"

namespace sgdsim {

// Far more text than a dense in-memory data set can come from; reading /dev/zero or a FIFO would
// otherwise go on until memory runs out.
inline constexpr std::uint64_t kMaxDataFileBytes = std::uint64_t{1} << 32;

// The whole content of `path`. Throws DataError with the system's reason when it cannot be opened
// or read, and when it holds more than `max_bytes` (a regular file: before reading it).
std::string read_data_file(const std::string& path, std::uint64_t max_bytes = kMaxDataFileBytes);

// The first line of `path` (without its end of line), read alone so that a bad header is reported
// before a large body is read; at most `max_bytes` of it.
std::string read_first_line(const std::string& path, std::size_t max_bytes = 1 << 20);

// `token` as an error message shows it: in single quotes, cut after 40 characters ("..."), control
// characters as '?' (a NUL would end the message's what()).
std::string quoted_token(std::string_view token);

}  // namespace sgdsim
