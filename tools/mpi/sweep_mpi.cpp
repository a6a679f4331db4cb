#include "sweep_mpi.hpp"

#include <fmt/format.h>

#include <atomic>
#include <boost/mpi/communicator.hpp>
#include <boost/mpi/environment.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "aidc/experiment/runner.hpp"
#include "aidc/scenario/scenario.hpp"

namespace aidc::cli::mpi {

namespace {

namespace bmpi = boost::mpi;

// The protocol. A worker rank first says hello with its thread count (0 when it could not
// read the sweep). Each of its threads then asks for a run (ready), and after each run sends
// its result, which is also the next request. Rank 0 answers every request with a run or
// with stop; it is done when every rank has said hello and every thread has been stopped.
enum Tag : int { kHello = 1, kReady, kResult, kError, kJob, kStop };

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
  std::vector<std::string> metrics;  // sent with a rank's first run only
  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& job& point& replication& metrics;
  }
};

/// Rank 0's side: serves runs to the workers' threads and releases them.
class Coordinator {
 public:
  explicit Coordinator(bmpi::communicator& world)
      : world_(world), metrics_sent_(static_cast<std::size_t>(world.size()), false) {}

  /// Serves `jobs` until each has a result, recording them; then stops every thread.
  void serve(const std::vector<experiment::SweepJob>& jobs, const std::vector<std::string>& metrics,
             const std::function<void(std::size_t, const std::vector<double>&)>& record) {
    std::size_t next = 0;
    std::size_t outstanding = 0;
    std::string failure;
    while (!all_stopped() || outstanding > 0) {
      ToCoordinator msg;
      const bmpi::status st = world_.recv(bmpi::any_source, bmpi::any_tag, msg);
      const int from = st.source();
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
          throw std::logic_error(fmt::format("sweep over MPI: unexpected tag {}", st.tag()));
      }
      if (failure.empty() && next < jobs.size()) {
        ToWorker job{next, jobs[next].point, jobs[next].replication, {}};
        if (!metrics_sent_[static_cast<std::size_t>(from)]) {
          job.metrics = metrics;
          metrics_sent_[static_cast<std::size_t>(from)] = true;
        }
        world_.send(from, kJob, job);
        ++next;
        ++outstanding;
      } else {
        world_.send(from, kStop, ToWorker{});
        ++stopped_;
      }
    }
    if (!failure.empty())
      throw std::runtime_error("a sweep run on another rank failed: " + failure);
  }

  /// Stops every thread not stopped yet, running nothing.
  void release() {
    serve({}, {}, [](std::size_t, const std::vector<double>&) {});
  }

 private:
  bool all_stopped() const {
    return hellos_ == static_cast<std::size_t>(world_.size() - 1) && stopped_ == threads_;
  }

  bmpi::communicator& world_;
  std::vector<bool> metrics_sent_;
  std::size_t hellos_ = 0;
  std::size_t threads_ = 0;
  std::size_t stopped_ = 0;
};

/// A worker rank: its threads ask rank 0 for runs until told to stop.
void work(bmpi::communicator& world, const std::string& sweep_file, unsigned threads) {
  std::optional<experiment::SweepSpec> spec;
  std::vector<std::vector<nlohmann::json>> points;
  try {
    spec = experiment::read_sweep(read_json_file(sweep_file), sweep_file);
    points = experiment::design_points(*spec);
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
        if (world.recv(0, bmpi::any_tag, in).tag() == kStop) return;
        if (!in.metrics.empty()) metrics = in.metrics;
      }
      std::vector<std::string> columns;
      {
        const std::lock_guard<std::mutex> lock(mpi_mutex);
        columns = metrics;
      }
      out = ToCoordinator{in.job, 0, {}, {}};
      try {
        out.values = experiment::sweep_job_values(
            *spec, points,
            {static_cast<std::size_t>(in.point), static_cast<std::size_t>(in.replication)},
            columns);
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

int run_over_ranks(const std::string& sweep_file, unsigned threads,
                   const std::function<void(const experiment::SweepExecutor&)>& coordinate) {
  bmpi::environment env(bmpi::threading::serialized, /*abort_on_exception=*/false);
  if (env.thread_level() < bmpi::threading::serialized)
    throw std::runtime_error("the MPI library does not support MPI_THREAD_SERIALIZED");
  bmpi::communicator world;
  if (world.rank() != 0) {
    work(world, sweep_file, threads);
    return world.rank();
  }
  Coordinator coordinator(world);
  try {
    coordinate([&](const std::vector<experiment::SweepJob>& jobs,
                   const std::vector<std::string>& metrics,
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
