// How many members of each round group, at every level, are still busy (computing a step or in a
// collective). A group's barrier opens only when none is: counting them answers that in O(1) per
// arrival, where scanning the group for a busy member made a round O(N²) in its workers whenever
// they arrived in index order (equal step times).
#pragma once

#include <vector>

namespace sgdsim {

class BusyMembers {
 public:
  // group_sizes: per level, workers [k·g, (k+1)·g) are group k (RoundPolicy::group_sizes). Every
  // worker starts busy.
  BusyMembers(const std::vector<int>& group_sizes, int workers) : group_sizes_(group_sizes) {
    for (int size : group_sizes_) {
      std::vector<int> counts((workers + size - 1) / size);
      for (int w = 0; w < workers; ++w) ++counts[w / size];
      busy_.push_back(std::move(counts));
    }
  }

  void update(int worker, bool was_busy, bool is_busy) {
    if (was_busy == is_busy) return;
    const int change = is_busy ? 1 : -1;
    for (std::size_t level = 0; level < group_sizes_.size(); ++level) {
      busy_[level][worker / group_sizes_[level]] += change;
    }
  }

  bool any_in_group_of(int worker, int level) const {
    return busy_[level][worker / group_sizes_[level]] > 0;
  }

 private:
  std::vector<int> group_sizes_;
  std::vector<std::vector<int>> busy_;  // [level][group]
};

}  // namespace sgdsim
