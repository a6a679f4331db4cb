#include <fmt/format.h>

#include <memory>

#include "aidc/scenario/scenario.hpp"
#include "commands.hpp"

namespace aidc::cli {

void setup_validate_command(CLI::App& app) {
  auto paths = std::make_shared<std::vector<std::string>>();
  auto* cmd = app.add_subcommand("validate", "Check scenario files and report every problem");
  cmd->add_option("scenario", *paths, "Scenario JSON files")->required();
  cmd->callback([paths] {
    std::vector<Diagnostic> problems;
    for (const auto& path : *paths) {
      try {
        const Scenario s = load_scenario_file(path);
        fmt::print("{}: ok ({} pools, {} rental streams)\n", path, s.pools.size(),
                   s.rentals.size());
      } catch (const ScenarioError& e) {
        problems.insert(problems.end(), e.diagnostics().begin(), e.diagnostics().end());
      }
    }
    if (!problems.empty()) throw ScenarioError(problems);
  });
}

}  // namespace aidc::cli
