#include "sim/real/mpi_sweep.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace sgdsim {

SweepShare mpi_sweep_share(const MpiWorld& world) {
  SweepShare share;
  share.rank = world.rank();
  share.ranks = world.size();
  share.all_ok = [&world](bool ok) {
    int value = ok ? 1 : 0;
    check_mpi(MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_INT, MPI_MIN, world.comm()),
              "MPI_Allreduce");
    return value == 1;
  };
  // Each rank's records travel to rank 0 as one JSON text.
  share.gather = [&world](std::vector<SweepRunRecord>& records,
                          const std::vector<std::size_t>& mine) {
    nlohmann::json sent = nlohmann::json::array();
    for (std::size_t i : mine) {
      sent.push_back({{"index", i},
                      {"status", records[i].status},
                      {"summary", records[i].summary},
                      {"error", records[i].error}});
    }
    const std::string text = sent.dump();
    const int length = static_cast<int>(text.size());
    std::vector<int> lengths(world.size()), offsets(world.size());
    check_mpi(MPI_Gather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, 0, world.comm()),
              "MPI_Gather");
    int total = 0;
    for (int r = 0; r < world.size(); ++r) {
      offsets[r] = total;
      total += lengths[r];
    }
    std::string all(world.rank() == 0 ? static_cast<std::size_t>(total) : 0, '\0');
    check_mpi(MPI_Gatherv(text.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(),
                          MPI_CHAR, 0, world.comm()),
              "MPI_Gatherv");
    if (world.rank() != 0) return;
    for (int r = 1; r < world.size(); ++r) {
      for (const auto& entry : nlohmann::json::parse(all.substr(offsets[r], lengths[r]))) {
        SweepRunRecord& record = records[entry["index"].get<std::size_t>()];
        record.status = entry["status"].get<std::string>();
        record.summary = entry["summary"];
        record.error = entry["error"].get<std::string>();
      }
    }
  };
  return share;
}

}  // namespace sgdsim
