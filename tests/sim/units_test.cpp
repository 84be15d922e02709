// Parsing and formatting of quantities with units, as scenario files write them.
#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "sim/scenario/units.hpp"

namespace {

using sgdsim::format_duration;
using sgdsim::format_rate;
using sgdsim::format_size;
using sgdsim::parse_duration;
using sgdsim::parse_rate_bytes_per_second;
using sgdsim::parse_size_bytes;
using sgdsim::SimTime;

std::optional<std::int64_t> duration_ns(const char* text) {
  const auto t = parse_duration(text);
  return t ? std::optional<std::int64_t>(t->ns()) : std::nullopt;
}

}  // namespace

TEST_CASE("parse_duration reads ns, us, ms and s to the exact nanosecond", "[sim][units]") {
  CHECK(duration_ns("30ms") == 30'000'000);
  CHECK(duration_ns("50us") == 50'000);
  CHECK(duration_ns("1s") == 1'000'000'000);
  CHECK(duration_ns("1.5ms") == 1'500'000);
  CHECK(duration_ns("7ns") == 7);
  CHECK(duration_ns("0.25s") == 250'000'000);
  CHECK(duration_ns("2e-3s") == 2'000'000);
  CHECK(duration_ns("30 ms") == 30'000'000);  // a space between number and unit is allowed
  CHECK(duration_ns("0s") == 0);
}

TEST_CASE("parse_duration rejects a bare number, unknown units, negatives and non-numbers",
          "[sim][units]") {
  for (const char* bad :
       {"30", "30 parsecs", "-1ms", "abc", "", "ms", "1.2.3ms", "30MS", "1 s s", "nanms", "infs"}) {
    INFO("'" << bad << "'");
    CHECK_FALSE(parse_duration(bad).has_value());
  }
}

TEST_CASE("sizes: KB MB GB are powers of 10 and KiB MiB GiB powers of 2", "[sim][units]") {
  CHECK(parse_size_bytes("1B") == 1.0);
  CHECK(parse_size_bytes("1KB") == 1000.0);
  CHECK(parse_size_bytes("1KiB") == 1024.0);
  CHECK(parse_size_bytes("4MB") == 4e6);
  CHECK(parse_size_bytes("4MiB") == 4.0 * 1024 * 1024);
  CHECK(parse_size_bytes("2GB") == 2e9);
  CHECK(parse_size_bytes("2GiB") == 2.0 * 1024 * 1024 * 1024);
  CHECK(parse_size_bytes("1.5KB") == 1500.0);
  for (const char* bad : {"30", "30 parsecs", "-1KB", "abc", "1kb", "1Kib"}) {
    INFO("'" << bad << "'");
    CHECK_FALSE(parse_size_bytes(bad).has_value());
  }
}

TEST_CASE("rates: bps units count bits, B/s units count bytes", "[sim][units]") {
  CHECK(parse_rate_bytes_per_second("10Gbps") == 1.25e9);
  CHECK(parse_rate_bytes_per_second("100MB/s") == 1e8);
  CHECK(parse_rate_bytes_per_second("8bps") == 1.0);
  CHECK(parse_rate_bytes_per_second("1Kbps") == 125.0);
  CHECK(parse_rate_bytes_per_second("100Mbps") == 1.25e7);
  CHECK(parse_rate_bytes_per_second("3B/s") == 3.0);
  CHECK(parse_rate_bytes_per_second("2GB/s") == 2e9);
  for (const char* bad : {"10", "10 parsecs", "-10Gbps", "abc", "10GBps"}) {
    INFO("'" << bad << "'");
    CHECK_FALSE(parse_rate_bytes_per_second(bad).has_value());
  }
}

TEST_CASE("format_duration picks the largest exact unit and reads back to the same time",
          "[sim][units]") {
  CHECK(format_duration(SimTime::from_ns(30'000'000)) == "30ms");
  CHECK(format_duration(SimTime::from_ns(50'000)) == "50us");
  CHECK(format_duration(SimTime::from_ns(1'000'000'000)) == "1s");
  CHECK(format_duration(SimTime::from_ns(1'500'000)) == "1500us");
  CHECK(format_duration(SimTime::zero()) == "0s");
  for (const std::int64_t ns :
       {std::int64_t{1}, std::int64_t{7}, std::int64_t{999}, std::int64_t{50'000},
        std::int64_t{1'500'000}, std::int64_t{30'000'000}, std::int64_t{123'456'789},
        std::int64_t{3'600'000'000'000}}) {
    INFO(ns << " ns -> " << format_duration(SimTime::from_ns(ns)));
    const auto back = parse_duration(format_duration(SimTime::from_ns(ns)));
    REQUIRE(back.has_value());
    CHECK(back->ns() == ns);
  }
}

TEST_CASE("format_rate writes bit rates that read back to the same rate", "[sim][units]") {
  CHECK(format_rate(1.25e9) == "10Gbps");
  CHECK(format_rate(1.25e7) == "100Mbps");
  for (const double rate : {1.25e9, 1e8, 1.25e10, 125.0, 3.0, 0.1, 12345.5}) {
    INFO(rate << " B/s -> " << format_rate(rate));
    const auto back = parse_rate_bytes_per_second(format_rate(rate));
    REQUIRE(back.has_value());
    CHECK(*back == Approx(rate).epsilon(1e-12));
  }
}

TEST_CASE("format_size writes decimal sizes that read back to the same size", "[sim][units]") {
  CHECK(format_size(4e6) == "4MB");
  CHECK(format_size(1500.0) == "1500B");
  for (const double bytes : {1.0, 1000.0, 1024.0, 407'080.0, 4e6, 2e9}) {
    INFO(bytes << " B -> " << format_size(bytes));
    const auto back = parse_size_bytes(format_size(bytes));
    REQUIRE(back.has_value());
    CHECK(*back == Approx(bytes).epsilon(1e-12));
  }
}
