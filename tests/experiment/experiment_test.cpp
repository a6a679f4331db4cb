// Replications, comparisons and sweeps wrap whole runs: confidence intervals shrink as
// 1/sqrt(N), results do not depend on the thread count, common random numbers narrow the
// paired differences of a shipped comparison, and sweep files get clear errors.

#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "aidc/experiment/compare.hpp"
#include "aidc/experiment/runner.hpp"
#include "aidc/experiment/statistics.hpp"
#include "aidc/experiment/sweep.hpp"
#include "aidc/run/output.hpp"
#include "aidc/scenario/errors.hpp"
#include "aidc/scenario/scenario.hpp"
#include "aidc/workload/simulation.hpp"
#include "support.hpp"

using namespace aidc;
using namespace aidc::experiment;
using aidc::test::source_path;
using aidc::test::TempDir;

namespace {

/// A small M/M/c rental queue: 12 GPUs, a week, about 1,700 requests.
nlohmann::json small_queue() {
  return nlohmann::json::parse(R"({"name": "q", "start": "2026-01-01", "horizon": "7d", "seed": 5,
    "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 12}]},
    "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 10}, "gpus": 1,
      "duration_hours": {"dist": "exponential", "mean": 1}, "patience_hours": 0.5}]},
    "finance": {}})");
}

std::size_t index_of(const std::vector<std::string>& names, const std::string& name) {
  const auto it = std::find(names.begin(), names.end(), name);
  REQUIRE(it != names.end());
  return static_cast<std::size_t>(it - names.begin());
}

/// Runs `f` and returns the text of the ScenarioError it throws.
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const ScenarioError& e) {
    std::string out;
    for (const auto& d : e.diagnostics()) out += d.to_string() + "\n";
    return out;
  }
  FAIL("no ScenarioError was thrown");
  return {};
}

}  // namespace

TEST_CASE("Metrics are the summary's numeric leaves, named by path", "[experiment]") {
  const nlohmann::ordered_json summary = nlohmann::ordered_json::parse(
      R"({"seed": 1, "replication": 0, "utilization": 0.5, "finance": {"npv_usd": 3, "irr": null},
          "pools": {"h100-east": {"utilization": 0.25}}, "scenario": "x"})");
  const Metrics m = flatten_metrics(summary);
  CHECK(m.names == std::vector<std::string>{"utilization", "finance_npv_usd", "finance_irr",
                                            "pools_h100_east_utilization"});
  CHECK(m.values[1] == 3);
  CHECK(std::isnan(m.values[2]));
}

TEST_CASE("The confidence interval's half-width shrinks as 1/sqrt(N)", "[experiment][ci]") {
  const Scenario s = load_scenario(small_queue(), "small.json");
  // Disjoint replications 0-7, 8-39 and 40-167: N = 8, 32, 128.
  const auto r8 = run_replications(s, 8, 0, 0);
  const auto r32 = run_replications(s, 32, 0, 8);
  const auto r128 = run_replications(s, 128, 0, 40);
  const std::size_t m = index_of(r8.names, "utilization");
  const Estimate e8 = estimate(r8.column(m));
  const Estimate e32 = estimate(r32.column(m));
  const Estimate e128 = estimate(r128.column(m));
  CAPTURE(e8.half_width, e32.half_width, e128.half_width, e8.sd, e32.sd, e128.sd);
  // Expected ratios: sqrt(4) * t(7)/t(31) = 2.32 and sqrt(4) * t(31)/t(127) = 2.06, times the
  // ratio of the sample sds, which is 1 in expectation.
  CHECK(e8.half_width / e32.half_width == Approx(2.32).epsilon(0.45));
  CHECK(e32.half_width / e128.half_width == Approx(2.06).epsilon(0.3));
  // Every interval holds the mean of the largest set, which is far more precise.
  CHECK(std::fabs(e8.mean - e128.mean) < e8.half_width + e128.half_width);
  CHECK(std::fabs(e32.mean - e128.mean) < e32.half_width + e128.half_width);
}

TEST_CASE("Replications give the same results on any number of threads", "[experiment][threads]") {
  const Scenario s = load_scenario(small_queue(), "small.json");
  const auto one = run_replications(s, 6, 1);
  const auto three = run_replications(s, 6, 3);
  CHECK(one.names == three.names);
  REQUIRE(one.values.size() == 6);
  for (std::size_t r = 0; r < 6; ++r) {
    for (std::size_t m = 0; m < one.names.size(); ++m) {
      const double a = one.values[r][m], b = three.values[r][m];
      CHECK(((std::isnan(a) && std::isnan(b)) || a == b));
    }
  }
  // Replications differ from one another.
  const std::size_t u = index_of(one.names, "utilization");
  CHECK(one.values[0][u] != one.values[1][u]);
}

// Release only ([slow]): a statistical check; the other comparison tests run the same code
// under the sanitizers.
TEST_CASE(
    "On the shipped fleet-plan comparison, common random numbers narrow the paired "
    "difference",
    "[experiment][compare][slow]") {
  const std::string file = source_path("scenarios/spare-capacity/plans.json");
  ComparisonSpec spec = read_comparison(read_json_file(file), file);
  REQUIRE(spec.plans.size() == 3);
  CHECK(spec.plans[0].name == "as-is");
  // Two plans over 150 days keep the test quick (the H200s arrive on day 90); the plans are
  // otherwise as shipped.
  spec.plans.resize(2);
  for (auto& plan : spec.plans) plan.doc["horizon"] = "150d";
  spec.replications = 6;

  const auto crn = run_comparison(spec, 0, true);
  const auto independent = run_comparison(spec, 0, false);
  for (const char* metric : {"utilization", "finance_ebitda_usd"}) {
    CAPTURE(metric);
    const std::size_t m = index_of(crn.metrics, metric);
    const Estimate with = crn.difference(1, m);
    const Estimate without = independent.difference(1, m);
    CAPTURE(with.mean, with.half_width, without.mean, without.half_width);
    CHECK(with.half_width > 0);  // the plans do differ
    CHECK(with.half_width < 0.5 * without.half_width);
  }
  // The baseline of the CRN run is the same in both: replications 0..5 of plan 0.
  const std::size_t u = index_of(crn.metrics, "utilization");
  CHECK(crn.samples[0][u] == independent.samples[0][u]);
  CHECK(crn.samples[1][u] != independent.samples[1][u]);
}

TEST_CASE("Comparison files get clear errors", "[experiment][compare][errors]") {
  const std::string base = source_path("scenarios/spare-capacity.json");
  const auto doc = nlohmann::json{
      {"replicatons", 3},
      {"plans",
       {{{"name", "a"}, {"scenario", base}},
        {{"name", "a"}, {"scenario", base}, {"set", {{"/fleet/pols/0/count", 5}}}}}}};
  const std::string text = error_of([&] { read_comparison(doc, "cmp.json"); });
  CHECK_THAT(text, Catch::Contains("cmp.json: /replicatons: unknown key \"replicatons\"; did you "
                                   "mean \"replications\"?"));
  CHECK_THAT(text, Catch::Contains("cmp.json: /plans/1/name: got \"a\" twice"));
  CHECK_THAT(text, Catch::Contains("cmp.json: /plans/1/set/~1fleet~1pols~10~1count: the scenario "
                                   "has nothing at \"/fleet/pols/0\""));
}

TEST_CASE("Sweep designs place their points as documented", "[experiment][sweep]") {
  TempDir dir;
  aidc::test::write_file(dir / "base.json", small_queue().dump());
  auto sweep = nlohmann::json::parse(R"({"base": "base.json", "design": {"type": "grid"},
    "parameters": [
      {"name": "gpus", "pointer": "/fleet/pools/0/count", "values": [10, 12, 14]},
      {"name": "rate", "pointer": "/workloads/rentals/0/arrivals/per_hour",
       "range": {"low": 8, "high": 12, "steps": 3}}]})");
  const std::string file = (dir / "sweep.json").string();

  SECTION("grid: every combination, the first parameter slowest") {
    const auto points = design_points(read_sweep(sweep, file));
    REQUIRE(points.size() == 9);
    CHECK(points[0] == std::vector<nlohmann::json>{10, 8.0});
    CHECK(points[1] == std::vector<nlohmann::json>{10, 10.0});
    CHECK(points[8] == std::vector<nlohmann::json>{14, 12.0});
  }
  SECTION("Latin hypercube: one point in each of N equal strata of every parameter") {
    sweep["design"] = {{"type", "latin_hypercube"}, {"points", 10}};
    sweep["parameters"][0].erase("values");
    sweep["parameters"][0]["distribution"] = {{"dist", "uniform"}, {"low", 10}, {"high", 20}};
    const auto spec = read_sweep(sweep, file);
    const auto points = design_points(spec);
    REQUIRE(points.size() == 10);
    std::set<int> strata_a, strata_b;
    for (const auto& p : points) {
      strata_a.insert(static_cast<int>((p[0].get<double>() - 10) / 1.0));
      strata_b.insert(static_cast<int>((p[1].get<double>() - 8) / 0.4));
    }
    CHECK(strata_a.size() == 10);
    CHECK(strata_b.size() == 10);
    CHECK(design_points(spec) == points);  // the same spec gives the same points
  }
  SECTION("one at a time: the base, then each parameter low and high") {
    sweep["design"] = {{"type", "oat"}};
    const auto points = design_points(read_sweep(sweep, file));
    REQUIRE(points.size() == 5);
    CHECK(points[0] == std::vector<nlohmann::json>{12, 10});  // the base scenario's values
    CHECK(points[1] == std::vector<nlohmann::json>{10, 10});
    CHECK(points[2] == std::vector<nlohmann::json>{14, 10});
    CHECK(points[3] == std::vector<nlohmann::json>{12, 8.0});
    CHECK(points[4] == std::vector<nlohmann::json>{12, 12.0});
  }
  SECTION("Saltelli: N (k + 2) points") {
    sweep["design"] = {{"type", "saltelli"}, {"base_samples", 16}};
    CHECK(design_points(read_sweep(sweep, file)).size() == 16 * 4);
  }
}

TEST_CASE("Malformed sweep files get the same clear errors as scenarios", "[experiment][errors]") {
  TempDir dir;
  aidc::test::write_file(dir / "base.json", small_queue().dump());
  const std::string file = (dir / "sweep.json").string();
  const auto sweep = nlohmann::json::parse(R"({"base": "base.json", "desing": {"type": "grid"},
    "replications": 0,
    "parameters": [
      {"name": "gpus", "pointer": "/fleet/pool/0/count", "values": [10, 12]},
      {"name": "gpus", "pointer": "/seed", "range": {"low": 3, "high": 1}},
      {"name": "x y", "pointer": "/seed", "values": [1], "distribution": {"dist": "uniform"}}]})");
  const std::string text = error_of([&] { read_sweep(sweep, file); });
  CAPTURE(text);
  CHECK_THAT(text,
             Catch::Contains(file + ": /desing: unknown key \"desing\"; did you mean \"design\"?"));
  CHECK_THAT(text, Catch::Contains(file + ": /replications: out of range (got 0"));
  CHECK_THAT(text,
             Catch::Contains(
                 file + ": /parameters/0/pointer: the scenario has nothing at \"/fleet/pool/0\""));
  CHECK_THAT(text, Catch::Contains(file + ": /parameters/1/name: got \"gpus\" twice"));
  CHECK_THAT(
      text,
      Catch::Contains(file + ": /parameters/1/range/high: got 1, expected a number above low (3)"));
  CHECK_THAT(text,
             Catch::Contains(file + ": /parameters/2/name: got \"x y\", expected a column name"));
  CHECK_THAT(text, Catch::Contains(file + ": /parameters/2: got 2 of \"values\", \"range\" and "
                                          "\"distribution\", expected exactly one"));

  SECTION("a point whose scenario is invalid is named before anything runs") {
    auto bad = nlohmann::json::parse(R"({"base": "base.json", "design": {"type": "grid"},
      "parameters": [{"name": "gpus", "pointer": "/fleet/pools/0/count", "values": [4, -1]}]})");
    SweepOptions options;
    options.out_dir = (dir / "out").string();
    const std::string t = error_of([&] { run_sweep(read_sweep(bad, file), options); });
    CHECK_THAT(t, Catch::Contains(
                      "base.json: /fleet/pools/0/count: sweep point 1 (gpus=-1): out of range"));
    CHECK_FALSE(std::filesystem::exists(dir / "out"));
  }
  SECTION("an unknown metric names its place and the nearest metric") {
    auto bad = nlohmann::json::parse(R"({"base": "base.json", "design": {"type": "grid"},
      "parameters": [{"name": "gpus", "pointer": "/fleet/pools/0/count", "values": [4, 5]}],
      "metrics": ["utilisation"]})");
    SweepOptions options;
    options.out_dir = (dir / "out").string();
    const std::string t = error_of([&] { run_sweep(read_sweep(bad, file), options); });
    CHECK_THAT(t, Catch::Contains(file + ": /metrics/0: got \"utilisation\", expected a metric of "
                                         "the run (did you mean \"utilization\"?)"));
    CHECK_FALSE(std::filesystem::exists(dir / "out" / "sweep.db"));
  }
}

TEST_CASE("A run reporting its progress gives the same result as one that does not",
          "[experiment][progress]") {
  const Scenario s = load_scenario(small_queue(), "small.json");
  std::vector<double> reported;
  const RunResult quiet = simulate(s, 2);
  const RunResult told = simulate(s, 2, [&](double f) { reported.push_back(f); });
  CHECK(told.events_processed == quiet.events_processed);
  CHECK(summary_json(s, told).dump() == summary_json(s, quiet).dump());
  REQUIRE(reported.size() == 200);
  CHECK(reported.back() == 1.0);
  CHECK(std::is_sorted(reported.begin(), reported.end()));
}
