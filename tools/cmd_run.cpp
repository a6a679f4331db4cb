#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

#include "aidc/demand/demand.hpp"
#include "aidc/experiment/output.hpp"
#include "aidc/experiment/runner.hpp"
#include "aidc/finance/finance.hpp"
#include "aidc/run/output.hpp"
#include "aidc/run/run.hpp"
#include "aidc/scenario/scenario.hpp"
#include "aidc/workload/simulation.hpp"
#include "commands.hpp"
#include "progress.hpp"

namespace aidc::cli {

namespace {
struct RunOptions {
  std::string scenario_path;
  std::string out_dir;
  std::optional<std::uint64_t> seed;
  std::vector<std::string> assignments;
  std::size_t replications = 1;
  unsigned threads = 0;
  bool force = false;
};

/// Appends the rows of one replication's timeseries.csv to replication_timeseries.csv's text,
/// each led by the replication; the header (led by "replication") with the first.
void append_replication_rows(std::string& out, const std::string& csv, std::size_t replication) {
  std::size_t at = csv.find('\n');
  if (at == std::string::npos) return;
  if (out.empty()) out += "replication," + csv.substr(0, at + 1);
  const std::string lead = fmt::format("{},", replication);
  for (++at; at < csv.size();) {
    std::size_t end = csv.find('\n', at);
    end = end == std::string::npos ? csv.size() : end + 1;
    out += lead;
    out.append(csv, at, end - at);
    at = end;
  }
}

void run_command(const RunOptions& opt) {
  check_out_folder(opt.out_dir);  // before the work, not after it
  nlohmann::json doc = read_json_file(opt.scenario_path);
  apply_overrides(doc, opt.assignments, opt.scenario_path);
  Scenario scenario = load_scenario(doc, opt.scenario_path);
  if (opt.seed) scenario.seed = *opt.seed;
  if (!opt.force) check_event_budget(scenario);

  const auto wall_start = std::chrono::steady_clock::now();
  // On a terminal, a run that lasts more than a second or two shows how far it has got.
  Progress progress("run", "% of the horizon simulated", /*delay_seconds=*/1.5);
  std::function<void(double)> report;
  if (Progress::stderr_is_terminal()) {
    report = [&progress](double fraction) { progress.update(100 * fraction, 100); };
  }
  // Replication 0 keeps its outputs; the others only their metrics. All are scheduled
  // together, so replication 0 runs beside the others rather than before them.
  std::optional<RunOnce> first;
  double wall_seconds = 0;
  // With an output folder, each replication's timeseries.csv too, for
  // replication_timeseries.csv, written after them all.
  const bool keep_timeseries = !opt.out_dir.empty() && opt.replications > 1;
  std::vector<experiment::Metrics> rest(opt.replications - 1);
  std::vector<std::string> rest_timeseries(keep_timeseries ? opt.replications - 1 : 0);
  experiment::parallel_for(opt.replications, opt.threads, [&](std::size_t r) {
    if (r > 0) {
      if (!keep_timeseries) {
        rest[r - 1] = experiment::run_metrics(scenario, r);
        return;
      }
      const RunOnce other = run_once(scenario, r);
      rest[r - 1] = experiment::flatten_metrics(other.summary);
      rest_timeseries[r - 1] = other.timeseries_csv(scenario);
      return;
    }
    const auto start = std::chrono::steady_clock::now();
    first.emplace(run_once(scenario, 0, report));
    wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  });
  progress.finish();
  RunOnce& run = *first;
  const RunResult& result = run.result;
  const FinanceResult* statements = run.statements();
  auto& summary = run.summary;
  summary["scenario_hash"] = document_hash(doc);

  std::optional<experiment::ReplicationSet> replications;
  if (opt.replications > 1) {
    experiment::Metrics metrics = experiment::flatten_metrics(summary);
    replications.emplace();
    replications->names = std::move(metrics.names);
    replications->values.push_back(std::move(metrics.values));
    for (auto& m : rest) {
      if (m.names != replications->names)
        throw std::logic_error("replications of one scenario reported different metrics");
      replications->values.push_back(std::move(m.values));
    }
    summary["replications"] = experiment::replications_json(*replications);
  }
  const double total_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();

  nlohmann::ordered_json run_json;
  run_json["wall_seconds"] = total_seconds;
  run_json["events_per_second"] = static_cast<double>(result.events_processed) / wall_seconds;
  run_json["threads"] = experiment::worker_count(opt.threads);
  // Demand curves fitted at load time: the section each fit wrote and its goodness of fit.
  nlohmann::ordered_json fits = nlohmann::ordered_json::object();
  for (const auto& k : scenario.inference) {
    if (k.demand && k.demand->fit_record()) fits[k.id] = *k.demand->fit_record();
  }
  if (!fits.empty()) run_json["demand_fits"] = fits;
  if (!opt.out_dir.empty()) {
    std::string timeseries = run.timeseries_csv(scenario);
    std::string all_timeseries;
    if (keep_timeseries) {
      append_replication_rows(all_timeseries, timeseries, 0);
      for (std::size_t r = 1; r < opt.replications; ++r) {
        append_replication_rows(all_timeseries, rest_timeseries[r - 1], r);
        std::string().swap(rest_timeseries[r - 1]);
      }
    }
    std::vector<std::pair<std::string, std::string>> files{
        {"summary.json", run.summary_text()},
        {"timeseries.csv", std::move(timeseries)},
        {"run.json", run_json.dump(2) + "\n"}};
    if (replications) {
      files.emplace_back("replications.csv", experiment::replications_csv(*replications));
    }
    if (keep_timeseries)
      files.emplace_back("replication_timeseries.csv", std::move(all_timeseries));
    write_files_atomically(opt.out_dir, files, Manifest::write);
  }
  fmt::print("{}", summary_table(scenario, result, statements));
  if (replications) {
    fmt::print("\nacross {} replications (replication 0 above):\n{}", opt.replications,
               experiment::replications_table(*replications));
  }
  fmt::print("\nwall time {:.3f} s{}\n", total_seconds,
             opt.out_dir.empty() ? "" : fmt::format(", outputs in {}/", opt.out_dir));
}
}  // namespace

void setup_run_command(CLI::App& app) {
  auto opt = std::make_shared<RunOptions>();
  auto* cmd = app.add_subcommand("run", "Simulate one scenario and print its summary");
  cmd->add_option("scenario", opt->scenario_path, "Scenario JSON file")->required();
  cmd->add_option(
      "--out", opt->out_dir,
      "Write summary.json, timeseries.csv and run.json into this folder (with -n above 1, "
      "also replications.csv and replication_timeseries.csv)");
  cmd->add_option("--seed", opt->seed, "Override the scenario seed");
  cmd->add_option("--set", opt->assignments,
                  "Override a value before validation: /json/pointer=VALUE (repeatable)");
  cmd->add_option("--replications,-n", opt->replications,
                  "Independent replications; the summary gives each metric's mean, sd and 95% CI")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--threads,-j", opt->threads,
                  "Replications run in parallel on this many threads (default: every core); the "
                  "results do not depend on it");
  cmd->add_flag("--force", opt->force,
                "Run even when the estimated work is beyond the limit (5e8 events)");
  cmd->callback([opt] { run_command(*opt); });
}

}  // namespace aidc::cli
