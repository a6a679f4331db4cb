#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <memory>

#include "aidc/experiment/sweep.hpp"
#include "aidc/run/output.hpp"
#include "aidc/scenario/scenario.hpp"
#include "commands.hpp"
#include "progress.hpp"
#ifdef AIDC_HAVE_MPI
#include "mpi/ranks.hpp"
#endif

namespace aidc::cli {

namespace {
struct SweepCommandOptions {
  std::string file;
  std::string out_dir;
  unsigned threads = 0;
  bool resume = false;
  std::string shard;
  bool slurm_array = false;
  std::vector<std::string> merge;
  bool quiet = false;
  std::uint64_t max_runs = experiment::kDefaultMaxSweepRuns;
};

void sweep_command(const SweepCommandOptions& opt, const experiment::SweepExecutor& executor = {}) {
  const auto spec = experiment::read_sweep(read_json_file(opt.file), opt.file);
  const std::string out = opt.out_dir.empty() ? "out/" + spec.name : opt.out_dir;
  check_design_size(spec, opt.max_runs);
  check_out_folder(out);
  const auto start = std::chrono::steady_clock::now();
  experiment::SweepSummary summary;
  if (!opt.merge.empty()) {
    summary = experiment::merge_sweep(spec, opt.merge, out);
    fmt::print("merged {} shards: {} points, {} runs\n", opt.merge.size(), summary.points,
               summary.runs_total);
  } else {
    experiment::SweepOptions options;
    options.out_dir = out;
    options.threads = opt.threads;
    options.resume = opt.resume;
    options.max_runs = opt.max_runs;
    options.executor = executor;
    if (!opt.shard.empty()) options.shard = experiment::parse_shard(opt.shard);
    if (opt.slurm_array) {
      options.shard = experiment::shard_from_slurm_array([](const char* name) {
        return std::getenv(name);  // NOLINT(concurrency-mt-unsafe): read before any thread
      });
    }
    auto progress = std::make_shared<Progress>("sweep", "runs");
    if (!opt.quiet) {
      options.progress = [progress](std::size_t done, std::size_t total) {
        progress->update(static_cast<double>(done), static_cast<double>(total));
      };
    }
    summary = experiment::run_sweep(spec, options);
    progress->finish();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    fmt::print(
        "{}: {} design, {} points x {} replications{}; {} runs done now, {} found done, "
        "{:.2f} s ({:.2f} runs/s)\n",
        spec.name, experiment::design_name(spec.design), summary.points, spec.replications,
        options.shard.whole() ? std::string()
                              : fmt::format(" (shard {}/{}: {} runs)", options.shard.index,
                                            options.shard.count, summary.runs_total),
        summary.runs_done, summary.runs_resumed, seconds,
        seconds > 0 ? static_cast<double>(summary.runs_done) / seconds : 0.0);
  }
  fmt::print("outputs in {}/:", out);
  for (const auto& f : summary.files) fmt::print(" {}", f);
  fmt::print("\n");
}
}  // namespace

void setup_sweep_command(CLI::App& app) {
  auto opt = std::make_shared<SweepCommandOptions>();
  auto* cmd = app.add_subcommand(
      "sweep", "Run a parameter sweep into an SQLite database, with CSV and sensitivity outputs");
  cmd->add_option("sweep", opt->file, "Sweep JSON file")->required();
  cmd->add_option("--out", opt->out_dir, "Output folder (default: out/<sweep name>)");
  cmd->add_option("--threads,-j", opt->threads,
                  "Runs in parallel on this many threads (default: every core); the results do "
                  "not depend on it");
  cmd->add_flag("--resume", opt->resume,
                "Continue an interrupted sweep in --out, running only what its database lacks");
  cmd->add_option("--shard", opt->shard,
                  "Run only shard K of N (points with point % N == K-1), for separate processes "
                  "or machines; merge the shards with --merge");
  cmd->add_flag("--slurm-array", opt->slurm_array,
                "Run the shard of this Slurm array task: task ID - MIN + 1 of COUNT, from "
                "SLURM_ARRAY_TASK_ID, _MIN, _MAX and _COUNT (see docs/cluster.md)")
      ->excludes(cmd->get_option("--shard"));
  cmd->add_option("--merge", opt->merge,
                  "Merge the finished shard folders given here into --out instead of running")
      ->expected(1, -1);
  cmd->add_option("--max-runs", opt->max_runs,
                  "Refuse a design of more runs (points x replications) than this")
      ->default_val(experiment::kDefaultMaxSweepRuns);
  cmd->add_flag("--quiet,-q", opt->quiet, "No progress display");
  cmd->callback([opt] {
#ifdef AIDC_HAVE_MPI
    // Under mpirun or srun with several ranks, rank 0 runs the sweep and the others its runs.
    if (opt->merge.empty() && mpi::launched_as_several_ranks()) {
      const auto prepare = [file = opt->file]() -> mpi::RemoteWork {
        auto spec = std::make_shared<experiment::SweepSpec>(
            experiment::read_sweep(read_json_file(file), file));
        auto points = std::make_shared<std::vector<std::vector<nlohmann::json>>>(
            experiment::design_points(*spec));
        return [spec, points](const mpi::RemoteJob& job, const std::vector<std::string>& metrics) {
          return experiment::sweep_job_values(
              *spec, *points,
              {static_cast<std::size_t>(job.point), static_cast<std::size_t>(job.replication)},
              metrics);
        };
      };
      mpi::run_over_ranks(opt->threads, prepare, [&](const mpi::RemoteExecutor& remote) {
        sweep_command(*opt, [&](const std::vector<experiment::SweepJob>& jobs,
                                const std::vector<std::string>& metrics, const auto& record) {
          std::vector<mpi::RemoteJob> remote_jobs;
          remote_jobs.reserve(jobs.size());
          for (const auto& j : jobs) remote_jobs.push_back({j.point, j.replication, {}});
          remote(remote_jobs, metrics, record);
        });
      });
      return;
    }
#endif
    sweep_command(*opt);
  });
}

}  // namespace aidc::cli
