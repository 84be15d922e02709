// A sweep's share of the work on this process's MPI rank (mpirun -np K sgdsim sweep): the
// collectives sim/sweep/sweep_runner.hpp needs, over the world's ranks.
#pragma once

#include "sim/real/mpi_world.hpp"
#include "sim/sweep/sweep_runner.hpp"

namespace sgdsim {

SweepShare mpi_sweep_share(const MpiWorld& world);

}  // namespace sgdsim
