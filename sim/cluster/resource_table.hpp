// A topology's network resources (ports, NICs, link directions) by id. Stored as runs of alike
// resources (one group, one bandwidth, names made from the index within the run), so that a
// cluster of 10⁶ workers costs a few runs rather than two named records per worker; a name is
// made only when asked for (the summary's `links`).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace sgdsim {

struct ResourceInfo {
  std::string name;   // "worker 3 tx", "node 1 nic rx", "server rx", "link 4→5"
  std::string group;  // for summaries: "worker", "intra", "inter", "server", "ring"
  double bytes_per_second = 0.0;
};

class ResourceTable {
 public:
  // The name of a run's i-th resource, 0 ≤ i < count.
  using Namer = std::function<std::string(int i)>;

  // Appends `count` resources, ids size()…size()+count−1; returns the first. Throws
  // std::invalid_argument, naming the first resource, unless bytes_per_second > 0.
  int append(int count, std::string group, double bytes_per_second, Namer name);

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Resource r must be an id below size(); O(log runs).
  double bytes_per_second(std::size_t r) const { return run_of(r).bytes_per_second; }
  const std::string& group(std::size_t r) const { return run_of(r).group; }
  std::string name(std::size_t r) const;
  ResourceInfo info(std::size_t r) const;

 private:
  struct Run {
    std::size_t first;
    int count;
    std::string group;
    double bytes_per_second;
    Namer name;
  };
  const Run& run_of(std::size_t r) const;

  std::vector<Run> runs_;
  std::size_t size_ = 0;
};

}  // namespace sgdsim
