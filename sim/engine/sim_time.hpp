// Simulated time: a strong type over integer nanoseconds, so no floating-point drift accumulates
// over millions of events and two runs always agree to the nanosecond.
#pragma once

#include <cmath>
#include <compare>
#include <cstdint>
#include <limits>
#include <stdexcept>

namespace sgdsim {

class SimTime {
 public:
  constexpr SimTime() = default;
  static constexpr SimTime from_ns(std::int64_t ns) { return SimTime(ns); }
  // Rounds to the nearest nanosecond; throws on NaN, negative overflow or beyond ~292 years.
  static SimTime from_seconds(double seconds) {
    const double ns = std::round(seconds * 1e9);
    if (!std::isfinite(ns) || std::abs(ns) >= 9.2e18) {
      throw std::overflow_error("simulated time out of range");
    }
    return SimTime(static_cast<std::int64_t>(ns));
  }
  static constexpr SimTime zero() { return SimTime(0); }
  static constexpr SimTime max() { return SimTime(std::numeric_limits<std::int64_t>::max()); }

  constexpr std::int64_t ns() const { return ns_; }
  // Division (not multiplication by 1e-9) gives the double nearest the decimal value.
  constexpr double seconds() const { return static_cast<double>(ns_) / 1e9; }

  constexpr auto operator<=>(const SimTime&) const = default;
  // Checked: a sum past ±292 years throws instead of wrapping into the past.
  constexpr SimTime operator+(SimTime other) const {
    std::int64_t sum = 0;
    if (__builtin_add_overflow(ns_, other.ns_, &sum)) throw_overflow();
    return SimTime(sum);
  }
  constexpr SimTime operator-(SimTime other) const {
    std::int64_t difference = 0;
    if (__builtin_sub_overflow(ns_, other.ns_, &difference)) throw_overflow();
    return SimTime(difference);
  }
  constexpr SimTime& operator+=(SimTime other) { return *this = *this + other; }
  constexpr SimTime& operator-=(SimTime other) { return *this = *this - other; }

 private:
  constexpr explicit SimTime(std::int64_t ns) : ns_(ns) {}
  [[noreturn]] static void throw_overflow() {
    throw std::overflow_error("simulated time out of range (beyond 292 years)");
  }
  std::int64_t ns_ = 0;
};

}  // namespace sgdsim
