#include "sim/scenario/units.hpp"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <utility>

namespace sgdsim {
namespace {

struct Unit {
  std::string_view suffix;
  double scale;
};

constexpr std::array<Unit, 4> kDurationUnits = {
    {{"ns", 1e-9}, {"us", 1e-6}, {"ms", 1e-3}, {"s", 1.0}}};
constexpr std::array<Unit, 7> kSizeUnits = {{{"B", 1.0},
                                             {"KB", 1e3},
                                             {"MB", 1e6},
                                             {"GB", 1e9},
                                             {"KiB", 1024.0},
                                             {"MiB", 1024.0 * 1024},
                                             {"GiB", 1024.0 * 1024 * 1024}}};
// Rates in bytes per second: "bps" units count bits.
constexpr std::array<Unit, 7> kRateUnits = {{{"bps", 1.0 / 8},
                                             {"Kbps", 1e3 / 8},
                                             {"Mbps", 1e6 / 8},
                                             {"Gbps", 1e9 / 8},
                                             {"B/s", 1.0},
                                             {"MB/s", 1e6},
                                             {"GB/s", 1e9}}};

// Splits "12.5ms" into 12.5 and "ms"; spaces between number and unit are allowed.
template <std::size_t N>
std::optional<double> parse_with_units(std::string_view text, const std::array<Unit, N>& units) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  std::size_t split = 0;
  while (split < text.size() &&
         (std::isdigit(static_cast<unsigned char>(text[split])) || text[split] == '.' ||
          text[split] == 'e' || text[split] == 'E' || text[split] == '+' || text[split] == '-')) {
    ++split;
  }
  // "e" could begin no unit we know, so it is always part of the number.
  std::string_view number = text.substr(0, split);
  if (!number.empty() && number.front() == '+') number.remove_prefix(1);
  double value = 0.0;
  const auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (error != std::errc() || end != number.data() + number.size() || number.empty()) {
    return std::nullopt;
  }
  std::string_view unit = text.substr(split);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  if (!std::isfinite(value) || value < 0) return std::nullopt;
  for (const Unit& u : units) {
    if (unit == u.suffix) return value * u.scale;
  }
  return std::nullopt;
}

template <std::size_t N>
std::string format_with_units(double value, const std::array<Unit, N>& units, std::size_t count) {
  // Largest unit in which the value is a whole number; otherwise the smallest, with decimals.
  for (std::size_t i = count; i-- > 0;) {
    const double scaled = value / units[i].scale;
    if (scaled >= 1.0 && std::abs(scaled - std::round(scaled)) < 1e-9 * scaled) {
      return fmt::format("{}{}", std::round(scaled), units[i].suffix);
    }
  }
  return fmt::format("{}{}", value / units[0].scale, units[0].suffix);
}

}  // namespace

std::optional<double> parse_duration_seconds(std::string_view text) {
  return parse_with_units(text, kDurationUnits);
}

std::optional<SimTime> parse_duration(std::string_view text) {
  const auto seconds = parse_duration_seconds(text);
  if (!seconds || *seconds > kMaxDurationSeconds) return std::nullopt;
  return SimTime::from_seconds(*seconds);
}

std::optional<double> parse_size_bytes(std::string_view text) {
  return parse_with_units(text, kSizeUnits);
}

std::optional<double> parse_rate_bytes_per_second(std::string_view text) {
  return parse_with_units(text, kRateUnits);
}

const char* duration_units_help() {
  return "a duration such as 30ms (units: ns, us, ms, s)";
}
const char* size_units_help() {
  return "a size such as 4MB (units: B, KB, MB, GB = powers of 10; KiB, MiB, GiB = powers of 2)";
}
const char* rate_units_help() {
  return "a rate such as 10Gbps (units: bps, Kbps, Mbps, Gbps in bits; B/s, MB/s, GB/s in bytes)";
}

std::string format_duration(SimTime time) {
  if (time.ns() == 0) return "0s";
  return format_with_units(time.seconds(), kDurationUnits, kDurationUnits.size());
}

std::string format_size(double bytes) {
  if (bytes == 0) return "0B";
  return format_with_units(bytes, kSizeUnits, 4);  // decimal units only, to stay unambiguous
}

std::string format_rate(double bytes_per_second) {
  if (bytes_per_second == 0) return "0bps";
  return format_with_units(bytes_per_second, kRateUnits, 4);  // bit rates, as links are quoted
}

}  // namespace sgdsim
