// Quantities with units, as scenario files write them: "30ms", "10Gbps", "4MiB".
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sim/engine/sim_time.hpp"

namespace sgdsim {

// Each returns nullopt when `text` is not a non-negative number followed by a known unit; the
// error message lists the accepted units (see units_help).
// Durations above this are refused: the simulated clock (int64 ns) ends at about 292 years.
inline constexpr double kMaxDurationSeconds = 9e9;
// The seconds a duration text names, whatever its size (nullopt: not a duration).
std::optional<double> parse_duration_seconds(std::string_view text);
std::optional<SimTime> parse_duration(std::string_view text);   // ns us ms s
std::optional<double> parse_size_bytes(std::string_view text);  // B KB MB GB (10^3), KiB MiB GiB
std::optional<double> parse_rate_bytes_per_second(std::string_view text);  // bps.. (bits), B/s..

const char* duration_units_help();
const char* size_units_help();
const char* rate_units_help();

// Inverse of the parsers, choosing the largest unit that keeps the value readable and exact.
std::string format_duration(SimTime time);
std::string format_size(double bytes);
std::string format_rate(double bytes_per_second);

}  // namespace sgdsim
