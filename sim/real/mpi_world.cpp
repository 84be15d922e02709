#include "sim/real/mpi_world.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <stdexcept>

namespace sgdsim {

void check_mpi(int status, const char* call) {
  if (status == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(status, text, &length);
  throw std::runtime_error(fmt::format("{} failed: {}", call, std::string(text, length)));
}

MpiWorld::MpiWorld() {
  int provided = 0;
  // Funneled: the task pool's helper threads never call MPI.
  check_mpi(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  // Errors come back as codes (thrown by check_mpi) rather than aborting inside MPI.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  MPI_Comm_rank(comm_, &rank_);
  MPI_Comm_size(comm_, &size_);
  std::atexit(&MpiWorld::finalize);
}

MpiWorld& MpiWorld::get() {
  static MpiWorld world;
  return world;
}

bool MpiWorld::launched_by_mpirun() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"}) {
    if (std::getenv(name) != nullptr) return true;
  }
  return false;
}

bool MpiWorld::initialised() {
  int flag = 0;
  MPI_Initialized(&flag);
  return flag != 0;
}

void MpiWorld::finalize() {
  int initialised = 0, finalised = 0;
  MPI_Initialized(&initialised);
  MPI_Finalized(&finalised);
  if (initialised && !finalised) MPI_Finalize();
}

std::vector<std::string> MpiWorld::host_names() const {
  char name[MPI_MAX_PROCESSOR_NAME] = {};
  int length = 0;
  MPI_Get_processor_name(name, &length);
  std::vector<char> all(static_cast<std::size_t>(size_) * MPI_MAX_PROCESSOR_NAME);
  check_mpi(MPI_Allgather(name, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, all.data(),
                          MPI_MAX_PROCESSOR_NAME, MPI_CHAR, comm_),
            "MPI_Allgather");
  std::vector<std::string> hosts;
  for (int r = 0; r < size_; ++r) hosts.emplace_back(all.data() + r * MPI_MAX_PROCESSOR_NAME);
  return hosts;
}

MpiWorld::Agreement MpiWorld::agree(int local_code) const {
  int values[2] = {local_code,
                   local_code != 0 ? -rank_ : -size_};  // MAX: largest code, lowest rank
  check_mpi(MPI_Allreduce(MPI_IN_PLACE, values, 2, MPI_INT, MPI_MAX, comm_), "MPI_Allreduce");
  return {values[0], local_code != 0 && -values[1] == rank_};
}

void MpiWorld::abort(int code) const {
  MPI_Abort(comm_, code);
  std::_Exit(code);
}

}  // namespace sgdsim
