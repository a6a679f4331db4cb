#include <fmt/format.h>

#include <chrono>
#include <memory>

#include "aidc/models/finance.hpp"
#include "aidc/models/output.hpp"
#include "aidc/models/simulation.hpp"
#include "aidc/scenario/scenario.hpp"
#include "commands.hpp"

namespace aidc::cli {

namespace {
struct RunOptions {
  std::string scenario_path;
  std::string out_dir;
  std::optional<std::uint64_t> seed;
  std::vector<std::string> assignments;
};

void run_command(const RunOptions& opt) {
  nlohmann::json doc = read_json_file(opt.scenario_path);
  apply_overrides(doc, opt.assignments, opt.scenario_path);
  Scenario scenario = load_scenario(doc, opt.scenario_path);
  if (opt.seed) scenario.seed = *opt.seed;

  const auto wall_start = std::chrono::steady_clock::now();
  const RunResult result = simulate(scenario);
  const double wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();

  std::optional<FinanceResult> finance;
  if (scenario.finance) finance = compute_finance(scenario, result);
  const FinanceResult* statements = finance ? &*finance : nullptr;
  auto summary = summary_json(scenario, result, statements);
  summary["scenario_hash"] = document_hash(doc);
  nlohmann::ordered_json run;
  run["wall_seconds"] = wall_seconds;
  run["events_per_second"] = static_cast<double>(result.events_processed) / wall_seconds;
  if (!opt.out_dir.empty()) {
    write_files_atomically(opt.out_dir,
                           {{"summary.json", summary.dump(2) + "\n"},
                            {"timeseries.csv", timeseries_csv(scenario, result, statements)},
                            {"run.json", run.dump(2) + "\n"}});
  }
  fmt::print("{}", summary_table(scenario, result, statements));
  fmt::print("\nwall time {:.3f} s{}\n", wall_seconds,
             opt.out_dir.empty() ? "" : fmt::format(", outputs in {}/", opt.out_dir));
}
}  // namespace

void setup_run_command(CLI::App& app) {
  auto opt = std::make_shared<RunOptions>();
  auto* cmd = app.add_subcommand("run", "Simulate one scenario and print its summary");
  cmd->add_option("scenario", opt->scenario_path, "Scenario JSON file")->required();
  cmd->add_option("--out", opt->out_dir,
                  "Write summary.json, timeseries.csv and run.json into this folder");
  cmd->add_option("--seed", opt->seed, "Override the scenario seed");
  cmd->add_option("--set", opt->assignments,
                  "Override a value before validation: /json/pointer=VALUE (repeatable)");
  cmd->callback([opt] { run_command(*opt); });
}

}  // namespace aidc::cli
