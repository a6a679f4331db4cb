#include "ranks.hpp"

#include <fmt/format.h>

#include <atomic>
#include <boost/mpi/communicator.hpp>
#include <boost/mpi/environment.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "aidc/experiment/runner.hpp"

namespace aidc::cli::mpi {

namespace {

namespace bmpi = boost::mpi;

// The protocol. A worker rank first says hello with its thread count (0 when it could not
// read the file). Each of its threads then asks for a run (ready), and after each run sends
// its result, which is also the next request. While it serves runs, rank 0 answers every
// request at once: with a run, or with wait when none is left to hand out (the thread asks
// again a little later); between two batches of runs a request waits for the next batch.
// At the end rank 0 answers each request with stop, until every thread has stopped.
constexpr std::uint64_t kNoJob = ~std::uint64_t{0};

enum Tag : int { kHello = 1, kReady, kResult, kError, kJob, kWait, kStop };

struct ToCoordinator {
  std::uint64_t job = 0;
  std::uint32_t threads = 0;
  std::vector<double> values;
  std::string error;
  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& job& threads& values& error;
  }
};

struct ToWorker {
  std::uint64_t job = 0;
  std::uint64_t point = 0;
  std::uint64_t replication = 0;
  std::string payload;
  std::vector<std::string> metrics;  // sent with a rank's first run only
  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& job& point& replication& payload& metrics;
  }
};

/// Rank 0's side: serves runs to the workers' threads as they ask.
class Coordinator {
 public:
  explicit Coordinator(bmpi::communicator& world)
      : world_(world), metrics_sent_(static_cast<std::size_t>(world.size()), false) {}

  /// Serves `jobs` until each has a result, recording them as they arrive.
  void serve(const std::vector<RemoteJob>& jobs, const std::vector<std::string>& metrics,
             const std::function<void(std::size_t, const std::vector<double>&)>& record) {
    std::size_t next = 0;
    std::size_t outstanding = 0;
    std::string failure;
    const auto answer = [&](int rank) {
      if (!failure.empty() || next == jobs.size()) {
        world_.send(rank, kWait, ToWorker{});
        return;
      }
      ToWorker job{next, jobs[next].point, jobs[next].replication, jobs[next].payload, {}};
      if (!metrics_sent_[static_cast<std::size_t>(rank)]) {
        job.metrics = metrics;
        metrics_sent_[static_cast<std::size_t>(rank)] = true;
      }
      world_.send(rank, kJob, job);
      ++next;
      ++outstanding;
    };
    while (outstanding > 0 || (failure.empty() && next < jobs.size())) {
      if (all_hello() && threads_ == 0)
        throw std::runtime_error("no other rank could read the file: nothing runs the runs");
      ToCoordinator msg;
      const bmpi::status st = world_.recv(bmpi::any_source, bmpi::any_tag, msg);
      switch (st.tag()) {
        case kHello:
          ++hellos_;
          threads_ += msg.threads;
          continue;  // no answer: the rank's threads ask for themselves
        case kResult:
          --outstanding;
          record(static_cast<std::size_t>(msg.job), msg.values);
          break;
        case kError:
          --outstanding;
          if (failure.empty()) failure = msg.error;
          break;
        case kReady:
          break;
        default:
          throw std::logic_error(fmt::format("MPI: unexpected tag {}", st.tag()));
      }
      answer(st.source());
    }
    if (!failure.empty()) throw std::runtime_error("a run on another rank failed: " + failure);
  }

  /// Stops every thread of every other rank.
  void release() {
    while (!all_hello() || stopped_ < threads_) {
      ToCoordinator msg;
      const bmpi::status st = world_.recv(bmpi::any_source, bmpi::any_tag, msg);
      if (st.tag() == kHello) {
        ++hellos_;
        threads_ += msg.threads;
      } else {
        stop(st.source());
      }
    }
  }

 private:
  bool all_hello() const { return hellos_ == static_cast<std::size_t>(world_.size() - 1); }
  void stop(int rank) {
    world_.send(rank, kStop, ToWorker{});
    ++stopped_;
  }

  bmpi::communicator& world_;
  std::vector<bool> metrics_sent_;
  std::size_t hellos_ = 0;
  std::size_t threads_ = 0;
  std::size_t stopped_ = 0;
};

/// A worker rank: its threads ask rank 0 for runs until told to stop.
void work(bmpi::communicator& world, unsigned threads, const std::function<RemoteWork()>& prepare) {
  RemoteWork run;
  try {
    run = prepare();
  } catch (const std::exception&) {
    // Rank 0 reads the same file, reports the problem and releases this rank.
    world.send(0, kHello, ToCoordinator{});
    return;
  }
  const unsigned n = experiment::worker_count(threads);
  world.send(0, kHello, ToCoordinator{0, n, {}, {}});
  // A test hook: the rank dies after this many runs, as a killed node would.
  const char* exit_after = std::getenv("AIDC_TEST_MPI_EXIT_AFTER_RUNS");  // NOLINT
  const long limit = exit_after ? std::strtol(exit_after, nullptr, 10) : -1;
  std::atomic<long> runs{0};
  std::mutex mpi_mutex;  // MPI calls one thread at a time (MPI_THREAD_SERIALIZED)
  std::vector<std::string> metrics;
  const auto loop = [&] {
    ToCoordinator out;
    int tag = kReady;
    for (;;) {
      ToWorker in;
      {
        const std::lock_guard<std::mutex> lock(mpi_mutex);
        world.send(0, tag, out);
        const int answer = world.recv(0, bmpi::any_tag, in).tag();
        if (answer == kStop) return;
        if (answer == kWait) {
          tag = kReady;
          out = ToCoordinator{};
        }
        if (!in.metrics.empty()) metrics = in.metrics;
        if (answer == kWait) in.job = kNoJob;
      }
      if (in.job == kNoJob) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        continue;
      }
      std::vector<std::string> columns;
      {
        const std::lock_guard<std::mutex> lock(mpi_mutex);
        columns = metrics;
      }
      out = ToCoordinator{in.job, 0, {}, {}};
      try {
        out.values = run(RemoteJob{in.point, in.replication, in.payload}, columns);
        tag = kResult;
      } catch (const std::exception& e) {
        out.error = e.what();
        tag = kError;
      }
      if (limit >= 0 && ++runs > limit) std::_Exit(3);
    }
  };
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < n; ++i) pool.emplace_back(loop);
  loop();
  for (auto& t : pool) t.join();
}

}  // namespace

bool launched_as_several_ranks() {
  // NOLINTBEGIN(concurrency-mt-unsafe): read before any thread starts
  const auto above_one = [](const char* name) {
    const char* v = std::getenv(name);
    return v != nullptr && std::strtol(v, nullptr, 10) > 1;
  };
  // mpirun and mpiexec (OpenMPI), a PMI-1 or PMI-2 launcher, or srun --mpi=pmix.
  return above_one("OMPI_COMM_WORLD_SIZE") || above_one("PMI_SIZE") ||
         (std::getenv("PMIX_RANK") != nullptr && above_one("SLURM_NTASKS"));
  // NOLINTEND(concurrency-mt-unsafe)
}

int run_over_ranks(unsigned threads, const std::function<RemoteWork()>& prepare,
                   const std::function<void(const RemoteExecutor&)>& coordinate) {
  bmpi::environment env(bmpi::threading::serialized, /*abort_on_exception=*/false);
  if (env.thread_level() < bmpi::threading::serialized)
    throw std::runtime_error("the MPI library does not support MPI_THREAD_SERIALIZED");
  bmpi::communicator world;
  if (world.rank() != 0) {
    work(world, threads, prepare);
    return world.rank();
  }
  Coordinator coordinator(world);
  try {
    coordinate([&](const std::vector<RemoteJob>& jobs, const std::vector<std::string>& metrics,
                   const std::function<void(std::size_t, const std::vector<double>&)>& record) {
      coordinator.serve(jobs, metrics, record);
    });
  } catch (...) {
    coordinator.release();
    throw;
  }
  coordinator.release();
  return 0;
}

}  // namespace aidc::cli::mpi
