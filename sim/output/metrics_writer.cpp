#include "sim/output/metrics_writer.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

namespace sgdsim {
namespace {

// Shortest text that reads back to the same double; empty when there is no value.
std::string cell(double value) {
  return std::isnan(value) ? "" : fmt::format("{}", value);
}

}  // namespace

const char* MetricsWriter::header() {
  return "step,sim_time_s,comm_rounds,bytes_sent,train_loss,grad_norm_sq,test_loss,test_accuracy";
}

MetricsWriter::MetricsWriter(const std::string& path) : out_(path) {
  out_.write(header());
  out_.write("\n");
  out_.flush();
}

void MetricsWriter::on_metrics(const MetricsRow& row) {
  out_.write(fmt::format("{},{},{},{:.0f},{},{},{},{}\n", row.step, row.time.seconds(),
                         row.comm_rounds, row.bytes_sent, cell(row.model.train_loss),
                         cell(row.model.grad_norm_sq), cell(row.model.test_loss),
                         cell(row.model.test_accuracy)));
  out_.flush();
}

}  // namespace sgdsim
