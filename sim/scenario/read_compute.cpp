// The `compute` section: how long a local step takes.
#include <fmt/format.h>

#include "sim/cluster/compute_model.hpp"
#include "sim/scenario/section_readers.hpp"

namespace sgdsim {

void read_compute(yaml::Section s, ComputeSpec& c, int workers) {
  std::vector<std::string> kinds;
  for (const auto& info : compute_model_catalog()) kinds.push_back(info.name);
  if (auto v = s.choice("kind", kinds, true)) c.kind = *v;
  if (auto v = s.duration("mean", true)) {
    c.mean = *v;
    if (v->ns() <= 0) s.error("mean", "a step must take some time; expected a duration above 0");
  }
  if (auto v = s.real("sigma", 0.0, 10.0, c.kind == "lognormal")) c.sigma = *v;
  if (auto v = s.reals("speed_factors", 1e-6, 1e6)) {
    c.speed_factors = *v;
    if (workers > 0 && static_cast<int>(v->size()) != workers) {
      s.error("speed_factors",
              fmt::format("expected one factor per worker ({}), got {}", workers, v->size()));
    }
  }
  s.finish();
}

}  // namespace sgdsim
