// The `network` section: links, topology, collective and payload.
#include <fmt/format.h>

#include "sim/cluster/collectives.hpp"
#include "sim/scenario/section_readers.hpp"

namespace sgdsim {

void read_network(yaml::Section s, NetworkSpec& n) {
  if (auto v = s.duration("latency")) n.link.latency = *v;
  if (auto v = s.rate("bandwidth")) n.link.bytes_per_second = *v;
  if (auto v = s.choice("collective", names_of(collective_catalog()))) n.collective = *v;
  if (s.has("payload") && s.node()["payload"].IsScalar() &&
      s.node()["payload"].Scalar() == "auto") {
    s.text("payload");
    n.payload_bytes.reset();
  } else if (auto v = s.size("payload")) {
    n.payload_bytes = *v;
  }
  s.finish();
}

}  // namespace sgdsim
