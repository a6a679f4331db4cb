#pragma once
// aidc sweep and aidc optimize under MPI (mpirun or srun): rank 0 hands the runs out one at a
// time to the other ranks' threads as they ask for them, records each result as it arrives,
// and alone writes the database and the outputs; the other ranks run the runs.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace aidc::cli::mpi {

/// One run to do on another rank: what it is (a point index, or a plan as JSON text) and
/// its replication.
struct RemoteJob {
  std::uint64_t point = 0;
  std::uint64_t replication = 0;
  std::string payload;
};
/// Runs `jobs` on the other ranks and calls record(i, values) as each result arrives, one
/// call at a time. May be called many times; the ranks wait between calls.
using RemoteExecutor =
    std::function<void(const std::vector<RemoteJob>& jobs, const std::vector<std::string>& metrics,
                       const std::function<void(std::size_t, const std::vector<double>&)>& record)>;
/// What a worker rank computes for one job: the values of `metrics`.
using RemoteWork = std::function<std::vector<double>(const RemoteJob& job,
                                                     const std::vector<std::string>& metrics)>;

/// Whether this process was started by an MPI launcher (mpirun, mpiexec or srun with PMI)
/// as one of several ranks. Only then does the command initialise MPI.
bool launched_as_several_ranks();

/// Runs a command over the ranks of MPI_COMM_WORLD. On rank 0, `coordinate` runs the command
/// with an executor that sends runs to the other ranks; whatever it does, the other ranks are
/// released when it returns or throws, and its exception is rethrown. On each other rank,
/// `prepare` reads the command's file and returns its work (when it throws, the rank takes no
/// part: rank 0 reads the same file and reports the problem), which `threads` threads then
/// run until rank 0 says stop. Returns the rank.
int run_over_ranks(unsigned threads, const std::function<RemoteWork()>& prepare,
                   const std::function<void(const RemoteExecutor&)>& coordinate);

}  // namespace aidc::cli::mpi
