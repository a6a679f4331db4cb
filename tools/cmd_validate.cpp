#include <fmt/format.h>

#include <memory>

#include "aidc/experiment/compare.hpp"
#include "aidc/experiment/sweep.hpp"
#include "aidc/scenario/scenario.hpp"
#include "commands.hpp"

namespace aidc::cli {

namespace {
/// Checks one file, a scenario, a comparison or a sweep, and says what it holds.
std::string validate_file(const std::string& path) {
  const nlohmann::json doc = read_json_file(path);
  if (experiment::is_comparison(doc)) {
    const auto spec = experiment::read_comparison(doc, path);
    const auto plans = experiment::load_plans(spec);
    return fmt::format("comparison of {} plans, {} replications each", plans.size(),
                       spec.replications);
  }
  if (doc.is_object() && doc.contains("parameters") && doc.contains("base")) {
    const auto spec = experiment::read_sweep(doc, path);
    experiment::check_design_size(spec, experiment::kDefaultMaxSweepRuns);
    const std::size_t points = experiment::check_points(spec);
    return fmt::format("{} sweep of {} points, {} replications each",
                       experiment::design_name(spec.design), points, spec.replications);
  }
  const Scenario s = load_scenario(doc, path);
  for (const auto& w : scenario_warnings(doc, s)) fmt::print(stderr, "{}\n", w.to_string());
  return fmt::format("{} pools, {} rental streams", s.pools.size(), s.rentals.size());
}
}  // namespace

void setup_validate_command(CLI::App& app) {
  auto paths = std::make_shared<std::vector<std::string>>();
  auto* cmd = app.add_subcommand(
      "validate", "Check scenario, comparison and sweep files and report every problem");
  cmd->add_option("files", *paths, "Scenario, comparison or sweep JSON files")->required();
  cmd->callback([paths] {
    std::vector<Diagnostic> problems;
    for (const auto& path : *paths) {
      try {
        fmt::print("{}: ok ({})\n", path, validate_file(path));
      } catch (const ScenarioError& e) {
        problems.insert(problems.end(), e.diagnostics().begin(), e.diagnostics().end());
      }
    }
    if (!problems.empty()) throw ScenarioError(problems);
  });
}

}  // namespace aidc::cli
