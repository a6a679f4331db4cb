// Every scenario shipped under scenarios/ (subfolders included) loads and validates, and so
// do every plan of every shipped comparison file and every point of every shipped sweep.
// Comparison and sweep files themselves are not scenarios: they have a top-level "plans" or
// "parameters".

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aidc/experiment/compare.hpp"
#include "aidc/experiment/optimize.hpp"
#include "aidc/experiment/sweep.hpp"
#include "aidc/scenario/errors.hpp"
#include "aidc/scenario/scenario.hpp"

namespace fs = std::filesystem;

namespace {

/// The .json files under scenarios/, in a fixed order so failures read the same every run.
std::vector<fs::path> shipped_files() {
  std::vector<fs::path> files;
  for (const auto& entry :
       fs::recursive_directory_iterator(fs::path(AIDC_SOURCE_DIR) / "scenarios")) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

bool is_experiment(const nlohmann::json& doc) {
  return doc.is_object() &&
         (doc.contains("plans") || doc.contains("parameters") || doc.contains("variables"));
}

/// Every problem of a load, one per line, or "" when it loads.
std::string problems_of(const nlohmann::json& doc, const std::string& file) {
  try {
    aidc::load_scenario(doc, file);
  } catch (const aidc::ScenarioError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("Every shipped scenario loads and validates", "[shipped]") {
  int scenarios = 0;
  for (const auto& path : shipped_files()) {
    const nlohmann::json doc = aidc::read_json_file(path.string());
    if (is_experiment(doc)) continue;
    INFO(path.string());
    CHECK(problems_of(doc, path.string()).empty());
    ++scenarios;
  }
  // default, mmc, meta-compute, price-hike-2026, inference-efficiency-shock, neocloud,
  // useful-life/fleet and the three capex plans.
  CHECK(scenarios >= 10);
}

TEST_CASE("Every shipped scenario states each stream's class and draws no warning", "[shipped]") {
  for (const auto& path : shipped_files()) {
    const nlohmann::json doc = aidc::read_json_file(path.string());
    if (is_experiment(doc)) continue;
    INFO(path.string());
    if (doc.contains("workloads") && doc.at("workloads").contains("rentals")) {
      for (const auto& r : doc.at("workloads").at("rentals")) CHECK(r.contains("contract"));
    }
    const auto s = aidc::load_scenario(doc, path.string());
    std::string warnings;
    for (const auto& w : aidc::scenario_warnings(doc, s)) warnings += w.to_string() + "\n";
    CHECK(warnings.empty());
  }
}

TEST_CASE("aidc validate warns of a stream named for another class and of costs left at zero",
          "[shipped]") {
  const auto doc = nlohmann::json::parse(R"({"name": "w", "start": "2026-01-01", "horizon": "1d",
    "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 8}]},
    "workloads": {"rentals": [
      {"id": "spot-8x", "arrivals": {"per_hour": 1}, "gpus": 1, "duration_hours": 1},
      {"id": "b", "contract": "spot", "description": "Reserved-capacity customers",
       "arrivals": {"per_hour": 1}, "gpus": 1, "duration_hours": 1},
      {"id": "c", "contract": "spot", "description": "Spot batch",
       "arrivals": {"per_hour": 1}, "gpus": 1, "duration_hours": 1}]},
    "finance": {"maintenance_fraction_per_year": 0}})");
  const auto s = aidc::load_scenario(doc, "w.json");
  std::vector<std::string> lines;
  for (const auto& w : aidc::scenario_warnings(doc, s)) lines.push_back(w.to_string());
  REQUIRE(lines.size() == 4);
  CHECK_THAT(lines[0], Catch::Contains("w.json: /workloads/rentals/0/contract: warning: stream "
                                       "\"spot-8x\" is billed as \"on_demand\" (the default) but "
                                       "its id names \"spot\""));
  CHECK_THAT(lines[1], Catch::Contains("/workloads/rentals/1/contract") &&
                           Catch::Contains("its description names \"reserved\""));
  CHECK_THAT(lines[2], Catch::Contains("/finance/facility_usd_per_kw_month: warning: "
                                       "facility_usd_per_kw_month is not given"));
  CHECK_THAT(lines[3], Catch::Contains("/finance/maintenance_fraction_per_year: warning: "
                                       "maintenance_fraction_per_year is 0"));
}

TEST_CASE("Every shipped comparison and sweep file is valid, every plan and point included",
          "[shipped]") {
  int comparisons = 0, sweeps = 0, optimizations = 0;
  for (const auto& path : shipped_files()) {
    const nlohmann::json doc = aidc::read_json_file(path.string());
    if (!is_experiment(doc)) continue;
    INFO(path.string());
    try {
      if (aidc::experiment::is_comparison(doc)) {
        const auto spec = aidc::experiment::read_comparison(doc, path.string());
        CHECK(aidc::experiment::load_plans(spec).size() == spec.plans.size());
        ++comparisons;
      } else if (doc.contains("variables")) {
        // The base plan and the plans at both ends of every variable load.
        const auto spec = aidc::experiment::read_optimize(doc, path.string());
        for (const double u : {0.0, 0.5, 1.0}) {
          std::vector<nlohmann::json> values;
          for (const auto& v : spec.variables) values.push_back(v.at(u));
          aidc::load_scenario(aidc::experiment::optimize_point_doc(spec, values), spec.base_file);
        }
        ++optimizations;
      } else {
        const auto spec = aidc::experiment::read_sweep(doc, path.string());
        CHECK(aidc::experiment::check_points(spec) == aidc::experiment::design_points(spec).size());
        ++sweeps;
      }
    } catch (const aidc::ScenarioError& e) {
      FAIL(e.what());
    }
  }
  // useful-life, capex-plans and spare-capacity/plans; the spare-capacity sweeps.
  CHECK(comparisons >= 3);
  CHECK(sweeps >= 3);
  CHECK(optimizations >= 1);
}
