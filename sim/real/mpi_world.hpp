// The MPI world of this process: initialised once (by the command line, for `run --real` or for a
// sweep started by mpirun) and finalised at exit. A process not started by mpirun is a world of
// one rank (MPI's singleton mode).
#pragma once

#include <mpi.h>

#include <string>
#include <vector>

namespace sgdsim {

class MpiWorld {
 public:
  // Initialises MPI on first use.
  static MpiWorld& get();
  // Whether mpirun (or mpiexec) started this process: OpenMPI and MPICH set these.
  static bool launched_by_mpirun();
  // Whether MPI was initialised in this process (by get()).
  static bool initialised();

  int rank() const { return rank_; }
  int size() const { return size_; }
  MPI_Comm comm() const { return comm_; }
  // Every rank's host name, in rank order (collective: every rank calls it).
  std::vector<std::string> host_names() const;

  // Agrees on failures found apart on each rank (e.g. reading a scenario): every rank gets the
  // largest exit code, and `print` is true on one rank only, the lowest one that failed, so
  // that a message every rank found is printed once.
  struct Agreement {
    int code = 0;
    bool print = false;
  };
  Agreement agree(int local_code) const;
  // Ends every rank of the job with `code` (after an error that leaves the others waiting).
  [[noreturn]] void abort(int code) const;
  // Finalises MPI (also done at exit).
  static void finalize();

 private:
  MpiWorld();
  int rank_ = 0;
  int size_ = 1;
  MPI_Comm comm_ = MPI_COMM_WORLD;
};

// Throws std::runtime_error naming the call when an MPI call fails.
void check_mpi(int status, const char* call);

}  // namespace sgdsim
