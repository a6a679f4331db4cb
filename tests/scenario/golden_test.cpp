// Golden outputs: the summary.json and timeseries.csv of every shipped scenario, cut to a
// short horizon, compared byte for byte with the files in tests/golden/. A refactor must
// keep every one identical; a change that is also a correction regenerates them with
//   AIDC_UPDATE_GOLDEN=1 build/release/aidc-tests "[golden]"
// and says in its commit which files changed and why.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "aidc/experiment/runner.hpp"
#include "aidc/scenario/scenario.hpp"
#include "support.hpp"

namespace fs = std::filesystem;

namespace {

/// Long enough to reach each scenario's first purchases, campaigns and price steps, short
/// enough for the sanitizer build.
constexpr const char* kHorizon = "310d";

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

}  // namespace

TEST_CASE("Every shipped scenario gives its golden outputs, byte for byte", "[golden]") {
  const bool update = std::getenv("AIDC_UPDATE_GOLDEN") != nullptr;
  const fs::path golden = fs::path(AIDC_SOURCE_DIR) / "tests" / "golden";
  const auto files = aidc::test::shipped_scenarios();
  REQUIRE(files.size() >= 10);
  for (const auto& file : files) {
    CAPTURE(file.string());
    const auto scenario =
        aidc::load_scenario_file((fs::path(AIDC_SOURCE_DIR) / "scenarios" / file).string(),
                                 {std::string("/horizon=\"") + kHorizon + "\""});
    const auto out = aidc::experiment::run_outputs(scenario, 0);
    const fs::path dir = golden / fs::path(file).replace_extension("");
    if (update) {
      write(dir / "summary.json", out.summary_json);
      write(dir / "timeseries.csv", out.timeseries_csv);
      continue;
    }
    REQUIRE(fs::exists(dir / "summary.json"));
    CHECK(read(dir / "summary.json") == out.summary_json);
    CHECK(read(dir / "timeseries.csv") == out.timeseries_csv);
  }
}
