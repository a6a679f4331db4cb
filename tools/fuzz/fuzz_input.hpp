#pragma once
// What the fuzzers do with one input, shared with the regression test that replays the
// inputs they once crashed on (tests/scenario/fuzz_regressions_test.cpp). Each function
// returns normally when aidc handled the input as it promises (loaded it, or refused it with
// a ScenarioError, which the command line turns into exit 2); any other exception, a crash
// or a sanitizer report is a defect.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "aidc/scenario/errors.hpp"
#include "aidc/scenario/scenario.hpp"

namespace aidc::fuzz {

/// How the loader answered.
enum class Outcome { loaded, refused };

/// A scenario file for the fuzzers, in a folder of its own under the temporary directory
/// (so a relative data path in the input names nothing), read back by the same reader as
/// `aidc run` uses.
inline const std::filesystem::path& scenario_path() {
  static const std::filesystem::path path = [] {
    std::error_code ec;
    auto dir = std::filesystem::temp_directory_path(ec) / "aidc-fuzz";
    std::filesystem::create_directories(dir, ec);
    return dir / "scenario.json";
  }();
  return path;
}

/// Loads `text` as a scenario file, as `aidc validate FILE` would.
inline Outcome load_scenario_text(std::string_view text) {
  const std::string file = scenario_path().string();
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
  }
  try {
    const nlohmann::json doc = read_json_file(file);
    const Scenario s = load_scenario(doc, file);
    (void)scenario_warnings(doc, s);
    return Outcome::loaded;
  } catch (const ScenarioError&) {
    return Outcome::refused;
  }
}

/// The scenario the `--set` fuzzer overrides: scenarios/mmc.json with a finance section.
inline const char* const kSetBase = R"({"name": "mmc", "start": "2026-01-01", "horizon": "30d",
  "seed": 7, "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 64}]},
  "workloads": {"rentals": [{"id": "r", "contract": "on_demand", "arrivals": {"per_hour": 50},
    "gpus": 1, "duration_hours": {"dist": "exponential", "mean": 1.2}, "patience_hours": "inf"}]},
  "finance": {"facility_usd_per_kw_month": 150, "maintenance_fraction_per_year": 0.04,
    "prices": {"on_demand": {"model": "fixed", "usd_per_gpu_hour": 2.5}}}})";

/// Applies each line of `text` as a `--set` assignment to kSetBase and loads the result, as
/// `aidc validate mmc.json --set LINE ...` would.
inline Outcome load_with_overrides(std::string_view text) {
  std::vector<std::string> assignments;
  std::size_t begin = 0;
  while (begin <= text.size() && assignments.size() < 8) {
    const std::size_t end = std::min(text.find('\n', begin), text.size());
    assignments.emplace_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  try {
    nlohmann::json doc = nlohmann::json::parse(kSetBase);
    apply_overrides(doc, assignments, "mmc.json");
    const Scenario s = load_scenario(doc, "mmc.json");
    (void)scenario_warnings(doc, s);
    return Outcome::loaded;
  } catch (const ScenarioError&) {
    return Outcome::refused;
  }
}

}  // namespace aidc::fuzz
