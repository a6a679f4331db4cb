// "demand": {"fit": ...} in a scenario: fitted at load time, recorded in run.json, and the
// same run as the recorded section pasted in its place.

#include <fmt/format.h>
#include <boost/random/normal_distribution.hpp>

#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>

#include "aidc/sim/rng.hpp"
#include "support.hpp"

namespace fit_scenario_test {

namespace fs = std::filesystem;
using aidc::test::read_file;
using aidc::test::run_aidc;
using aidc::test::TempDir;
using aidc::test::write_file;

/// 60 days of hourly busy GPUs, growing, with a daily swing and AR(1) noise.
std::string trace_csv() {
  std::string out = "time,gpus\n";
  aidc::sim::Rng rng(11);
  boost::random::normal_distribution<double> normal;
  double e = 0;
  for (int day = 0; day < 61; ++day) {
    for (int hour = 0; hour < 24; ++hour) {
      e = 0.6 * e + 0.08 * normal(rng);
      const double level = 600 * std::exp(0.004 * (day + hour / 24.0)) *
                           (1 + 0.3 * std::sin(2 * M_PI * (hour - 8) / 24.0)) * std::exp(e);
      const int month = day < 30 ? 11 : 12;
      const int dom = day < 30 ? day + 1 : day - 29;
      out += fmt::format("2025-{:02d}-{:02d} {:02d}:00:00,{:.3f}\n", month, dom, hour, level);
    }
  }
  return out;
}

nlohmann::json scenario_with(const nlohmann::json& demand, double reconcile_hours) {
  nlohmann::json s =
      nlohmann::json::parse(read_file(aidc::test::source_path("scenarios/spare-capacity.json")));
  s["workloads"]["inference"][0]["demand"] = demand;
  s["policy"]["reconcile_hours"] = reconcile_hours;
  s["horizon"] = "60d";
  return s;
}

}  // namespace fit_scenario_test

namespace fit_scenario_test {

TEST_CASE("a scenario's fitted demand runs as its recorded section pasted in", "[fit]") {
  for (const double step : {1.0, 2.0}) {
    TempDir dir("aidc-fit-scenario");
    write_file(dir / "trace.csv", trace_csv());
    const nlohmann::json fit = {
        {"fit", {{"path", "trace.csv"}, {"time_column", "time"}, {"value_column", "gpus"}}}};
    write_file(dir / "fitted.json", scenario_with(fit, step).dump(2));
    const auto a = run_aidc(dir, "run " + aidc::test::quoted(dir / "fitted.json") + " --out " +
                                     aidc::test::quoted(dir / "a"));
    INFO(a.err);
    REQUIRE(a.exit_code == 0);
    const auto run = nlohmann::json::parse(read_file(dir / "a" / "run.json"));
    REQUIRE(run.contains("demand_fits"));
    const auto& record = run["demand_fits"]["assistant"];
    CHECK(record["fit"]["trace"] == "trace.csv");
    CHECK(record["fit"]["sample_hours"] == step);
    CHECK(record["fit"]["hours_used"] == 61 * 24);
    CHECK(record["section"]["diurnal"].size() == 24);
    const double phi = record["fit"]["estimates"]["phi"]["value"].get<double>();
    CHECK(record["section"]["noise"]["phi"].get<double>() == Approx(std::pow(phi, step)));

    write_file(dir / "pasted.json", scenario_with(record["section"], step).dump(2));
    const auto b = run_aidc(dir, "run " + aidc::test::quoted(dir / "pasted.json") + " --out " +
                                     aidc::test::quoted(dir / "b"));
    REQUIRE(b.exit_code == 0);
    // Every output alike but the hash of the scenario file, which differs by construction.
    auto sa = nlohmann::json::parse(read_file(dir / "a" / "summary.json"));
    auto sb = nlohmann::json::parse(read_file(dir / "b" / "summary.json"));
    CHECK(sa["scenario_hash"] != sb["scenario_hash"]);
    sa.erase("scenario_hash");
    sb.erase("scenario_hash");
    CHECK(sa.dump() == sb.dump());
    CHECK(read_file(dir / "a" / "timeseries.csv") == read_file(dir / "b" / "timeseries.csv"));
    CHECK(a.out.substr(0, a.out.find("wall time")) == b.out.substr(0, b.out.find("wall time")));
  }
}

TEST_CASE("a scenario's fit: bad input names the file and the pointer", "[fit]") {
  TempDir dir("aidc-fit-scenario");
  write_file(dir / "trace.csv", trace_csv());
  SECTION("an unknown column") {
    const nlohmann::json fit = {
        {"fit", {{"path", "trace.csv"}, {"time_column", "time"}, {"value_column", "gpu"}}}};
    write_file(dir / "s.json", scenario_with(fit, 1).dump());
    const auto o = run_aidc(dir, "validate " + aidc::test::quoted(dir / "s.json"));
    CHECK(o.exit_code == 2);
    CHECK_THAT(o.err, Catch::Contains("/workloads/inference/0/demand/fit/value_column: no column "
                                      "\"gpu\" in \"trace.csv\""));
    CHECK_THAT(o.err, Catch::Contains("did you mean \"gpus\""));
  }
  SECTION("fit beside base_gpus") {
    nlohmann::json demand = {{"fit", "trace.csv"}, {"base_gpus", 3}};
    write_file(dir / "s.json", scenario_with(demand, 1).dump());
    const auto o = run_aidc(dir, "validate " + aidc::test::quoted(dir / "s.json"));
    CHECK(o.exit_code == 2);
    CHECK_THAT(o.err, Catch::Contains("/workloads/inference/0/demand/base_gpus: not allowed with "
                                      "\"fit\""));
  }
  SECTION("a bare path to a file of two columns is enough") {
    nlohmann::json demand = {{"fit", "trace.csv"}};
    write_file(dir / "s.json", scenario_with(demand, 1).dump());
    const auto o = run_aidc(dir, "validate " + aidc::test::quoted(dir / "s.json"));
    INFO(o.err);
    CHECK(o.exit_code == 0);
  }
  SECTION("a hold-out is for the command line") {
    const nlohmann::json fit = {{"fit", {{"path", "trace.csv"}, {"holdout_days", 7}}}};
    write_file(dir / "s.json", scenario_with(fit, 1).dump());
    const auto o = run_aidc(dir, "validate " + aidc::test::quoted(dir / "s.json"));
    CHECK(o.exit_code == 2);
    CHECK_THAT(o.err, Catch::Contains("demand/fit/holdout_days: not used in a scenario"));
  }
}

}  // namespace fit_scenario_test
