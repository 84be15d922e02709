// Binary-tree allreduce: the participants form a complete binary tree in heap layout (the
// children of position i are 2i+1 and 2i+2). Reduce goes up level by level, deepest first, each
// worker sending its whole vector to its parent; broadcast comes down the same way. A parent's
// two children share its receive port going up, and its transmit port coming down.
#include "sim/cluster/collectives/builtin.hpp"

namespace sgdsim::collectives {
namespace {

class BinaryTree final : public Collective {
 public:
  Schedule schedule(const std::vector<int>& participants, double payload_bytes,
                    const Topology&) const override {
    const int n = static_cast<int>(participants.size());
    int depth = 0;  // ⌊log2 n⌋: the deepest level holds positions 2^depth − 1 onwards
    while ((2 << depth) - 1 < n) ++depth;

    // The transfers between level `level` and its parents, upward or downward.
    const auto level_step = [&](int level, bool up) {
      ScheduleStep step;
      for (int i = (1 << level) - 1; i < n && i < (2 << level) - 1; ++i) {
        const int child = participants[i];
        const int parent = participants[(i - 1) / 2];
        step.transfers.push_back({up ? child : parent, up ? parent : child, payload_bytes});
      }
      return step;
    };
    SchedulePhase reduce{"reduce", {}};
    for (int level = depth; level >= 1; --level) reduce.steps.push_back(level_step(level, true));
    SchedulePhase broadcast{"broadcast", {}};
    for (int level = 1; level <= depth; ++level)
      broadcast.steps.push_back(level_step(level, false));
    return {std::move(reduce), std::move(broadcast)};
  }
};

}  // namespace

std::unique_ptr<Collective> make_binary_tree() {
  return std::make_unique<BinaryTree>();
}

}  // namespace sgdsim::collectives
