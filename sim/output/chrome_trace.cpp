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
                                     bool collectives_on_workers)
    : file_(std::fopen(path.c_str(), "w")),
      path_(path),
      workers_(workers),
      collective_name_(std::move(collective_name)),
      collectives_on_workers_(collectives_on_workers) {
  if (file_ == nullptr) throw std::runtime_error("cannot write " + path);
  std::fputs("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n", file_);
  const auto meta = [this](const char* what, int tid, const std::string& name) {
    write(fmt::format(R"({{"name":"{}","ph":"M","pid":0,"tid":{},"args":{{"name":{}}}}})", what,
                      tid, nlohmann::json(name).dump()));
  };
  meta("process_name", 0, "sgdsim: " + scenario_name);
  for (int w = 0; w < workers_; ++w) meta("thread_name", w, fmt::format("worker {}", w));
  meta("thread_name", workers_, "network");
}

ChromeTraceWriter::~ChromeTraceWriter() {
  close();
}

void ChromeTraceWriter::close() {
  if (file_ == nullptr) return;
  std::fputs("\n]}\n", file_);
  std::fclose(file_);
  file_ = nullptr;
}

void ChromeTraceWriter::write(const std::string& event) {
  if (!first_) std::fputs(",\n", file_);
  first_ = false;
  std::fputs(event.c_str(), file_);
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

void ChromeTraceWriter::on_collective(std::int64_t round, SimTime start,
                                      const CollectiveCost& cost) {
  const std::string args = fmt::format(R"("round":{},"bytes_sent":{:.0f})", round, cost.bytes_sent);
  for (int w = 0; collectives_on_workers_ && w < workers_; ++w) {
    span(collective_name_.c_str(), "communication", w, start, cost.duration, args);
  }
  SimTime phase_start = start;
  for (const auto& phase : cost.phases) {
    span(phase.name.c_str(), "communication", workers_, phase_start, phase.duration, args);
    phase_start += phase.duration;
  }
}

}  // namespace sgdsim
