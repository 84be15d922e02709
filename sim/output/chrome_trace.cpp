#include "sim/output/chrome_trace.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <stdexcept>

namespace sgdsim {
namespace {

// Trace timestamps are microseconds; three decimals keep our nanosecond resolution.
std::string micros(SimTime t) {
  return fmt::format("{:.3f}", static_cast<double>(t.ns()) / 1000.0);
}

}  // namespace

ChromeTraceWriter::ChromeTraceWriter(const std::string& path, const std::string& scenario_name,
                                     int workers, std::string collective_name,
                                     bool collectives_on_workers, double limit_bytes)
    : file_(path),
      workers_(workers),
      collective_name_(std::move(collective_name)),
      collectives_on_workers_(collectives_on_workers),
      limit_bytes_(limit_bytes) {
  file_.write("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n");
  const auto meta = [this](const char* what, int tid, const std::string& name) {
    write(fmt::format(R"({{"name":"{}","ph":"M","pid":0,"tid":{},"args":{{"name":{}}}}})", what,
                      tid, nlohmann::json(name).dump()));
  };
  meta("process_name", 0, "sgdsim: " + scenario_name);
  for (int w = 0; w < workers_; ++w) meta("thread_name", w, fmt::format("worker {}", w));
  meta("thread_name", workers_, "network");
}

void ChromeTraceWriter::close() {
  if (!file_.is_open()) return;
  file_.write("\n]}\n");
  file_.close();
}

void ChromeTraceWriter::write(const std::string& event) {
  if (truncated_) return;
  if (bytes_ + static_cast<double>(event.size()) + 16 > limit_bytes_) {
    truncated_ = true;  // the closing bracket still fits: the file stays valid
    return;
  }
  bytes_ += static_cast<double>(event.size()) + 2;
  if (!first_) file_.write(",\n");
  first_ = false;
  file_.write(event);
}

void ChromeTraceWriter::span(const char* name, const char* category, int track, SimTime start,
                             SimTime duration, const std::string& args) {
  write(fmt::format(
      R"({{"name":"{}","cat":"{}","ph":"X","pid":0,"tid":{},"ts":{},"dur":{},"args":{{{}}}}})",
      name, category, track, micros(start), micros(duration), args));
}

void ChromeTraceWriter::on_compute(int worker, std::int64_t step, SimTime start, SimTime end) {
  span("compute", "compute", worker, start, end - start, fmt::format(R"("step":{})", step));
}

void ChromeTraceWriter::on_wait(int worker, SimTime start, SimTime end) {
  span("waiting", "idle", worker, start, end - start, "");
}

void ChromeTraceWriter::on_outage(int worker, SimTime start, SimTime end) {
  span("down", "failure", worker, start, end - start, "");
}

void ChromeTraceWriter::on_collective(std::int64_t round, SimTime start, const CollectiveCost& cost,
                                      const std::vector<int>& participants) {
  const std::string args = fmt::format(R"("round":{},"bytes_sent":{:.0f})", round, cost.bytes_sent);
  if (collectives_on_workers_ && participants.empty()) {
    for (int w = 0; w < workers_; ++w) {
      span(collective_name_.c_str(), "communication", w, start, cost.duration, args);
    }
  } else if (collectives_on_workers_) {
    for (int w : participants) {
      span(collective_name_.c_str(), "communication", w, start, cost.duration, args);
    }
  }
  SimTime phase_start = start;
  for (const auto& phase : cost.phases) {
    span(phase.name.c_str(), "communication", workers_, phase_start, phase.duration, args);
    phase_start += phase.duration;
  }
}

}  // namespace sgdsim
