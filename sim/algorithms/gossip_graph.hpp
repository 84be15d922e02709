// The communication graph of decentralized SGD and its mixing matrix: who averages with whom, and
// with which weights. Plain functions of (graph, N), so tests can check them by hand.
#pragma once

#include <utility>
#include <vector>

#include "sim/algorithms/algorithm_spec.hpp"

namespace sgdsim {

// (rows r, columns c) of the torus of N workers: r the largest divisor of N with r ≤ √N, c = N/r.
// Throws std::invalid_argument when no r ≥ 2 exists (N prime or N < 4).
std::pair<int, int> torus_shape(int workers);

// Each worker's neighbours, sorted and without repeats (a 2-wide torus dimension links a worker to
// one partner, not two):
//   ring:     i ± 1 mod N (N = 2: the other worker; N = 1: none);
//   torus:    worker i at (row ⌊i/c⌋, column i mod c) of an r × c wrap-around grid, its four
//             grid neighbours;
//   complete: every other worker.
std::vector<std::vector<int>> gossip_neighbors(GossipGraph graph, int workers);

// Row i of the mixing matrix W as (worker j, W_ij) pairs over j ∈ {i} ∪ neighbours(i), sorted by j.
// Metropolis–Hastings weights W_ij = 1/(1 + max(deg_i, deg_j)), W_ii = 1 − Σ_{j≠i} W_ij: symmetric
// and doubly stochastic, so mixing preserves the mean of the models (Xiao & Boyd 2004).
using MixingRow = std::vector<std::pair<int, double>>;
std::vector<MixingRow> metropolis_weights(const std::vector<std::vector<int>>& neighbors);

}  // namespace sgdsim
