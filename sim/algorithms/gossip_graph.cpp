#include "sim/algorithms/gossip_graph.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace sgdsim {

std::pair<int, int> torus_shape(int workers) {
  int rows = 1;
  for (int r = 2; r * r <= workers; ++r) {
    if (workers % r == 0) rows = r;
  }
  if (rows < 2) {
    throw std::invalid_argument(fmt::format(
        "a torus needs N = r × c workers with r, c ≥ 2; {} workers {} (use 4, 6, 8, 9, … "
        "workers, or graph: ring)",
        workers, workers < 4 ? "are too few" : "is a prime number"));
  }
  return {rows, workers / rows};
}

namespace {

void sort_unique(std::vector<int>& ids, int self) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  ids.erase(std::remove(ids.begin(), ids.end(), self), ids.end());
}

}  // namespace

std::vector<std::vector<int>> gossip_neighbors(GossipGraph graph, int workers) {
  if (workers < 1) throw std::invalid_argument("at least one worker is needed");
  std::vector<std::vector<int>> neighbors(workers);
  const auto [rows, cols] = graph == GossipGraph::torus ? torus_shape(workers) : std::pair{1, 1};
  for (int i = 0; i < workers; ++i) {
    std::vector<int>& mine = neighbors[i];
    switch (graph) {
      case GossipGraph::ring:
        mine = {(i + workers - 1) % workers, (i + 1) % workers};
        break;
      case GossipGraph::torus: {
        const int row = i / cols;
        const int col = i % cols;
        mine = {((row + rows - 1) % rows) * cols + col, ((row + 1) % rows) * cols + col,
                row * cols + (col + cols - 1) % cols, row * cols + (col + 1) % cols};
        break;
      }
      case GossipGraph::complete:
        for (int j = 0; j < workers; ++j) mine.push_back(j);
        break;
    }
    sort_unique(mine, i);
  }
  return neighbors;
}

std::vector<MixingRow> metropolis_weights(const std::vector<std::vector<int>>& neighbors) {
  const auto workers = static_cast<int>(neighbors.size());
  std::vector<MixingRow> rows(workers);
  for (int i = 0; i < workers; ++i) {
    const auto degree_i = neighbors[i].size();
    double off_diagonal = 0.0;
    for (int j : neighbors[i]) {
      const double w = 1.0 / (1.0 + static_cast<double>(std::max(degree_i, neighbors[j].size())));
      rows[i].emplace_back(j, w);
      off_diagonal += w;
    }
    rows[i].emplace_back(i, 1.0 - off_diagonal);
    std::sort(rows[i].begin(), rows[i].end());
  }
  return rows;
}

}  // namespace sgdsim
