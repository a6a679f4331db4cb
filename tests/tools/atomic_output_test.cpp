// Outputs written as a unit: a run killed at each point of writing its folder (a test-only
// variable ends the process after the k-th rename, as a kill would) leaves a folder that
// aidc report either reads as wholly the old run or wholly the new one, or refuses; never a
// mix. And a folder whose files come from different runs is refused.

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "support.hpp"

namespace {

using aidc::test::Outcome;
using aidc::test::quoted;
using aidc::test::read_file;
using aidc::test::TempDir;

/// aidc run of scenarios/mmc.json over 20 days with `seed` into `out`.
Outcome run_mmc(const TempDir& dir, int seed, const aidc::test::fs::path& out,
                const std::vector<std::pair<std::string, std::string>>& env = {}) {
  return aidc::test::run_aidc(
      dir,
      fmt::format("run {} --set '/horizon=\"20d\"' --seed {} --out {}",
                  quoted(aidc::test::fs::path(aidc::test::source_path("scenarios/mmc.json"))), seed,
                  quoted(out)),
      env);
}

Outcome report(const TempDir& dir, const aidc::test::fs::path& folder,
               const aidc::test::fs::path& page) {
  return aidc::test::run_aidc(dir, fmt::format("report {} --out {}", quoted(folder), quoted(page)));
}

}  // namespace

TEST_CASE("A run killed while writing leaves the old outputs, the new ones, or a refused folder",
          "[cli][atomic]") {
  const TempDir dir("aidc-atomic");
  const auto out = dir / "out";
  REQUIRE(run_mmc(dir, 1, out).exit_code == 0);
  const std::string old_summary = read_file(out / "summary.json");
  const std::string old_series = read_file(out / "timeseries.csv");
  REQUIRE(run_mmc(dir, 2, dir / "new").exit_code == 0);  // the new run's outputs, apart
  const std::string new_summary = read_file(dir / "new/summary.json");
  const std::string new_series = read_file(dir / "new/timeseries.csv");
  REQUIRE(old_summary != new_summary);

  // summary.json, timeseries.csv, run.json and manifest.json: killed after 0 to 4 renames.
  int old_read = 0;
  int new_read = 0;
  int refused = 0;
  for (int k = 0; k <= 4; ++k) {
    CAPTURE(k);
    CHECK(run_mmc(dir, 2, out, {{"AIDC_TEST_EXIT_AFTER_RENAMES", std::to_string(k)}}).exit_code ==
          137);
    const std::string summary = read_file(out / "summary.json");
    const std::string series = read_file(out / "timeseries.csv");
    const Outcome r = report(dir, out, dir / fmt::format("r{}.html", k));
    if (r.exit_code == 0) {
      const bool all_old = summary == old_summary && series == old_series;
      const bool all_new = summary == new_summary && series == new_series;
      CHECK((all_old || all_new));
      ++(all_old ? old_read : new_read);
    } else {
      CHECK(r.exit_code == 2);
      CHECK_THAT(r.err, Catch::Contains("manifest.json"));
      ++refused;
    }
    REQUIRE(run_mmc(dir, 1, out).exit_code == 0);  // the old folder back for the next point
  }
  CHECK(old_read == 1);  // killed before the first rename
  CHECK(new_read == 1);  // killed after the manifest was renamed into place
  CHECK(refused == 3);
}

TEST_CASE("A folder whose files come from different runs is refused", "[cli][atomic]") {
  const TempDir dir("aidc-atomic");
  REQUIRE(run_mmc(dir, 1, dir / "s1").exit_code == 0);
  REQUIRE(run_mmc(dir, 2, dir / "s2").exit_code == 0);
  aidc::test::write_file(dir / "s1/timeseries.csv", read_file(dir / "s2/timeseries.csv"));
  const Outcome r = report(dir, dir / "s1", dir / "r.html");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("timeseries.csv") && Catch::Contains("different runs"));
}
