#include <fmt/format.h>

#include <chrono>
#include <memory>

#include "aidc/experiment/optimize.hpp"
#include "aidc/experiment/statistics.hpp"
#include "aidc/run/output.hpp"
#include "aidc/scenario/param_reader.hpp"
#include "aidc/scenario/scenario.hpp"
#include "commands.hpp"
#ifdef AIDC_HAVE_MPI
#include "mpi/ranks.hpp"
#endif

namespace aidc::cli {

namespace {
struct OptimizeCommandOptions {
  std::string file;
  std::string out_dir;
  unsigned threads = 0;
  bool resume = false;
};

void optimize_command(const OptimizeCommandOptions& opt,
                      const experiment::PlanExecutor& executor = {}) {
  const auto spec = experiment::read_optimize(read_json_file(opt.file), opt.file);
  const std::string out = opt.out_dir.empty() ? "out/" + spec.name : opt.out_dir;
  check_out_folder(out);
  const auto start = std::chrono::steady_clock::now();
  experiment::OptimizeStore store(spec, out, opt.resume);
  experiment::OptimizeOptions options;
  options.threads = opt.threads;
  options.executor = executor;
  options.known = store.known();
  const std::size_t resumed = options.known.size();
  options.evaluated = [&store](std::size_t index, const experiment::Candidate& c) {
    store.record(index, c);
  };
  const auto result = experiment::run_optimize(spec, options);
  // The best plan's statements beside the base's: a comparison folder of its own, which
  // `aidc report` also draws on the optimization's page.
  const auto versus =
      experiment::run_comparison(experiment::versus_base(spec, result), opt.threads);
  write_files_atomically(out + "/vs-base", experiment::comparison_files(versus), Manifest::write);
  write_files_atomically(out, experiment::optimize_outputs(spec, result), Manifest::write);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const auto& best = result.candidates[result.best];
  fmt::print("{}: {} plans searched ({} found in the database), stopped by {}\n", spec.name,
             result.candidates.size(), resumed, result.stop_reason);
  fmt::print("best plan:");
  for (std::size_t v = 0; v < spec.variables.size(); ++v)
    fmt::print(" {}={}", spec.variables[v].name, brief(best.values[v]));
  const auto& samples = result.selection.samples[result.selection.best];
  const double mean = experiment::estimate(samples).mean;
  fmt::print("\n{} {:.6g} over {} replications; {}\n", spec.objective.metric, mean, samples.size(),
             result.selection.truncated
                 ? "the selection stopped at its replication limit without a stated probability"
                 : fmt::format("the best of {} finalists with probability >= {} within {}",
                               result.finalists.size(), spec.selection.confidence,
                               spec.selection.indifference));
  fmt::print("runs: {} in the search, {} in the selection ({} run now); {:.1f} s\n",
             result.search_runs, result.selection_runs, result.runs_now, seconds);
  fmt::print("\nthe best plan against the base, {} replications:\n{}", versus.replications,
             experiment::comparison_table(versus));
  fmt::print(
      "outputs in {}/: optimize.db optimize.json candidates.csv progress.csv best.json vs-base/\n",
      out);
}
}  // namespace

void setup_optimize_command(CLI::App& app) {
  auto opt = std::make_shared<OptimizeCommandOptions>();
  auto* cmd = app.add_subcommand(
      "optimize",
      "Search fleet plans for the best objective under common random numbers, then select the "
      "best of the finalists with a stated probability (KN ranking and selection)");
  cmd->add_option("file", opt->file, "Optimization JSON file (base scenario, variables, ...)")
      ->required();
  cmd->add_option("--out", opt->out_dir, "Output folder (default: out/<name>)");
  cmd->add_option("--threads,-j", opt->threads,
                  "Replications in parallel on this many threads (default: every core); the "
                  "results do not depend on it");
  cmd->add_flag("--resume", opt->resume,
                "Continue a stopped optimization in --out: plans in its database are not run "
                "again");
  cmd->callback([opt] {
#ifdef AIDC_HAVE_MPI
    // Under mpirun or srun with several ranks, rank 0 searches and the others run the plans.
    if (mpi::launched_as_several_ranks()) {
      const auto prepare = [file = opt->file]() -> mpi::RemoteWork {
        auto spec = std::make_shared<experiment::OptimizeSpec>(
            experiment::read_optimize(read_json_file(file), file));
        return [spec](const mpi::RemoteJob& job, const std::vector<std::string>& metrics) {
          const auto values = nlohmann::json::parse(job.payload).get<std::vector<nlohmann::json>>();
          return experiment::plan_run_values(
              *spec, {values, static_cast<std::size_t>(job.replication)}, metrics);
        };
      };
      mpi::run_over_ranks(opt->threads, prepare, [&](const mpi::RemoteExecutor& remote) {
        optimize_command(*opt, [&](const std::vector<experiment::PlanRun>& runs,
                                   const std::vector<std::string>& metrics) {
          std::vector<mpi::RemoteJob> jobs;
          jobs.reserve(runs.size());
          for (const auto& r : runs)
            jobs.push_back({0, r.replication, nlohmann::json(r.values).dump()});
          std::vector<std::vector<double>> out(runs.size());
          remote(jobs, metrics, [&](std::size_t i, const std::vector<double>& v) { out[i] = v; });
          return out;
        });
      });
      return;
    }
#endif
    optimize_command(*opt);
  });
}

}  // namespace aidc::cli
