#pragma once
/// Fleet plans compared under common random numbers: replication r of every plan draws
/// from the same named streams, so demand is the same and the paired differences carry
/// only the effect of the plan.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "aidc/experiment/runner.hpp"
#include "aidc/experiment/statistics.hpp"

namespace aidc::experiment {

struct Plan {
  std::string name;
  std::string description;
  std::string file;    // the scenario file, for messages
  nlohmann::json doc;  // the scenario with the plan's settings applied
};

struct ComparisonSpec {
  std::string file;  // "" when the plans came from the command line
  std::string name;
  std::string description;
  std::vector<Plan> plans;  // the first is the baseline
  std::size_t replications = 10;
  std::optional<std::uint64_t> seed;  // default: the baseline scenario's seed
};

/// True for a comparison file (an object with "plans") rather than a scenario.
bool is_comparison(const nlohmann::json& doc);

/// Reads a comparison file: {"name", "description", "replications", "seed", "plans":
/// [{"name", "scenario" (relative to the file), "set": {"/pointer": value}, "description"}]}.
ComparisonSpec read_comparison(const nlohmann::json& doc, const std::string& file);

/// A comparison of scenario files as given, each plan named after its scenario's "name".
ComparisonSpec comparison_of_files(const std::vector<std::string>& scenario_files);

struct ComparisonResult {
  std::string name;
  std::vector<std::string> plans;
  std::uint64_t seed = 0;
  std::size_t replications = 0;
  bool common_random_numbers = true;
  /// Metrics every plan reports, in the baseline's order.
  std::vector<std::string> metrics;
  /// samples[p][m][r]: metric m of plan p in replication r.
  std::vector<std::vector<std::vector<double>>> samples;
  /// Replication 0 of each plan in full: summary.json and timeseries.csv.
  std::vector<std::string> summary_json;
  std::vector<std::string> timeseries_csv;

  Estimate plan_estimate(std::size_t plan, std::size_t metric) const;
  /// Plan `plan` minus the baseline, replication by replication.
  Estimate difference(std::size_t plan, std::size_t metric) const;
};

/// Validates every plan's scenario, reporting each problem with its plan's name.
std::vector<Scenario> load_plans(const ComparisonSpec& spec);

/// Runs every plan's replications in parallel. With `common_random_numbers` false, plan p
/// draws from replications p*R .. p*R+R-1 instead, so the plans see independent demand.
ComparisonResult run_comparison(const ComparisonSpec& spec, unsigned threads,
                                bool common_random_numbers = true);

nlohmann::ordered_json comparison_json(const ComparisonResult& result);
/// comparison.csv: metric, plan, n, mean, sd, ci95_low, ci95_high, then the paired
/// difference from the baseline (empty for the baseline itself).
std::string comparison_csv(const ComparisonResult& result);
/// The files of a comparison folder: comparison.json, comparison.csv, and each plan's
/// replication 0 as plans/<name>/summary.json and timeseries.csv.
std::vector<std::pair<std::string, std::string>> comparison_files(const ComparisonResult& result);
/// The side-by-side table of the headline metrics, with the differences from the baseline.
std::string comparison_table(const ComparisonResult& result);

}  // namespace aidc::experiment
