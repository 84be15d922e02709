// The `availability` section: scheduled outages and random failures of workers.
#include <fmt/format.h>

#include "sim/cluster/availability.hpp"
#include "sim/scenario/section_readers.hpp"

namespace sgdsim {

void read_availability(yaml::Section s, AvailabilitySpec& a, int workers,
                       yaml::Diagnostics& diagnostics) {
  if (s.has("outages")) {
    const YAML::Node list = s.node()["outages"];
    if (!list.IsSequence()) {
      s.error("outages", "expected a list of {worker, at, for} entries");
    } else {
      for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string path = fmt::format("{}[{}]", s.child_path("outages"), i);
        if (!list[i].IsMap()) {
          diagnostics.error(list[i].Mark(), path, "expected a mapping {worker, at, for}");
          continue;
        }
        yaml::Section entry(list[i], path, diagnostics);
        const int max_worker = workers > 0 ? workers - 1 : 1 << 20;
        const auto worker = entry.integer("worker", 0, max_worker, true);
        const auto at = entry.duration("at", true);
        const auto length = entry.duration("for", true);
        if (length && length->ns() <= 0) entry.error("for", "an outage must last some time");
        entry.finish();
        if (worker && at && length) {
          a.outages.push_back({static_cast<int>(*worker), *at, *length});
        }
      }
    }
  }
  if (auto v = s.duration("mtbf")) {
    if (v->ns() <= 0) {
      s.error("mtbf", "the mean time between failures must be above 0");
    } else {
      a.mean_time_between_failures = *v;
    }
  }
  if (auto v = s.duration("repair", a.mean_time_between_failures.has_value())) {
    if (v->ns() <= 0) s.error("repair", "a repair must take some time");
    a.repair_time = *v;
  }
  s.finish();
}

}  // namespace sgdsim
