#include "sim/cluster/resource_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace sgdsim {

int ResourceTable::append(int count, std::string group, double bytes_per_second, Namer name) {
  if (count <= 0) return static_cast<int>(size_);
  if (!(bytes_per_second > 0)) {
    throw std::invalid_argument(fmt::format("{}: bandwidth must be above zero", name(0)));
  }
  runs_.push_back({size_, count, std::move(group), bytes_per_second, std::move(name)});
  size_ += static_cast<std::size_t>(count);
  return static_cast<int>(runs_.back().first);
}

const ResourceTable::Run& ResourceTable::run_of(std::size_t r) const {
  if (r >= size_) {
    throw std::out_of_range(fmt::format("network resource {} of {}", r, size_));
  }
  // The last run that starts at or before r.
  const auto after = std::upper_bound(
      runs_.begin(), runs_.end(), r, [](std::size_t id, const Run& run) { return id < run.first; });
  return *(after - 1);
}

std::string ResourceTable::name(std::size_t r) const {
  const Run& run = run_of(r);
  return run.name(static_cast<int>(r - run.first));
}

ResourceInfo ResourceTable::info(std::size_t r) const {
  const Run& run = run_of(r);
  return {run.name(static_cast<int>(r - run.first)), run.group, run.bytes_per_second};
}

}  // namespace sgdsim
