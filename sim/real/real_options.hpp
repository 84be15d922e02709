// How a scenario runs for real on MPI ranks (sgdsim run --real). Plain data, free of MPI types,
// so that builds without MPI can still name it (and refuse it).
#pragma once

namespace sgdsim {

enum class Reduction {
  allreduce,  // MPI_Allreduce of each rank's partial sum: fast, rounding differs from simulation
  ordered,    // partial sums passed rank to rank in worker order: bit-identical to the simulation
};

struct RealOptions {
  // Each local step, after its math, waits until it has lasted what the compute model draws.
  bool emulate_compute = false;
  Reduction reduction = Reduction::allreduce;
};

}  // namespace sgdsim
