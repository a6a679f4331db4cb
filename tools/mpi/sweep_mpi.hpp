#pragma once
// aidc sweep under MPI (mpirun or srun): rank 0 hands out the sweep's runs one at a time to
// the other ranks as they ask for them, records each result as it arrives, and alone writes
// the database and the outputs; the other ranks run the runs on their own threads.

#include <functional>
#include <string>

#include "aidc/experiment/sweep.hpp"

namespace aidc::cli::mpi {

/// Whether this process was started by an MPI launcher (mpirun, mpiexec or srun with PMI)
/// as one of several ranks. Only then does the sweep initialise MPI.
bool launched_as_several_ranks();

/// Runs a sweep over the ranks of MPI_COMM_WORLD. On rank 0, `coordinate` runs the sweep
/// with the executor it is given (which sends the runs to the other ranks); whatever it does,
/// the other ranks are released when it returns or throws, and its exception is rethrown.
/// On the other ranks, the runs of `sweep_file` are run on `threads` threads until rank 0
/// says stop. Returns the rank.
int run_over_ranks(const std::string& sweep_file, unsigned threads,
                   const std::function<void(const experiment::SweepExecutor&)>& coordinate);

}  // namespace aidc::cli::mpi
