// Broken scenarios, continued (hardening_test.cpp): budgets, impossible plans and structure;
// the event budget with and without --force, the cap of 50 printed problems, the
// never-in-service warning, and the largest fleet for the longest horizon.

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hardening_support.hpp"
#include "support.hpp"

namespace fs = std::filesystem;
using aidc::test::Broken;
using aidc::test::check_broken_scenarios;
using aidc::test::check_refused;
using aidc::test::hq;
using aidc::test::kHardeningBase;
using aidc::test::Outcome;
using aidc::test::read_file;
using aidc::test::run_aidc;
using aidc::test::TempDir;
using nlohmann::json;

namespace {

const std::vector<Broken> kBrokenPlans{
    // Budgets: the engine's resolution, arrival rates.
    {"reconcile below one second",
     {{"/policy/reconcile_hours", "0.0001"}},
     "/policy/reconcile_hours",
     "one second, the engine's resolution"},
    {"reconcile of 1e-12 hours",
     {{"/policy/reconcile_hours", "1e-12"}},
     "/policy/reconcile_hours",
     "expected 0.000277778 to 876600 hours"},
    {"reconcile zero",
     {{"/policy/reconcile_hours", "0"}},
     "/policy/reconcile_hours",
     "expected a positive number"},
    {"arrivals 1e9 an hour",
     {{"/workloads/rentals/0/arrivals/per_hour", "1e9"}},
     "/workloads/rentals/0/arrivals/per_hour",
     "expected 0 to 1e+06 arrivals an hour"},
    {"scheduled arrivals 1e12 an hour",
     {{"/workloads/rentals/0/arrivals",
       R"({"schedule": [{"from": "2026-01-01", "per_hour": 1e12}]})"}},
     "/workloads/rentals/0/arrivals/schedule/0/per_hour",
     "expected 0 to 1e+06"},
    {"experiment arrivals 1e7 an hour",
     {{"/workloads/training/experiments/0/arrivals/per_hour", "1e7"}},
     "/workloads/training/experiments/0/arrivals/per_hour",
     "expected 0 to 1e+06"},
    {"an estimate beyond the event budget",
     {{"/workloads/rentals/0/arrivals/per_hour", "1000000"}, {"/horizon", R"("10y")"}},
     "/workloads/rentals/0/arrivals",
     "give --force to run it anyway"},
    {"failures beyond the event budget",
     {{"/fleet/pools/0/count", "100000000"},
      {"/fleet/purchases/0/count", "0"},
      {"/horizon", R"("100y")"}},
     "/catalog/H100/mtbf_hours",
     "too much work for one run"},
    {"reconcile steps beyond the event budget",
     {{"/policy/reconcile_hours", "0.0003"}, {"/horizon", R"("100y")"}},
     "/policy/reconcile_hours",
     "too much work for one run"},
    // Impossible plans.
    {"campaign larger than its pool",
     {{"/workloads/training/campaigns/0/gpus", "65"}},
     "/workloads/training/campaigns/0/gpus",
     "the campaign can never start (got 65 GPUs"},
    {"campaign with spares larger than its pool",
     {{"/workloads/training/campaigns/0/gpus", "60"},
      {"/workloads/training/campaigns/0/spares", "5"}},
     "/workloads/training/campaigns/0/gpus",
     "with its spares"},
    {"campaign larger than every pool",
     {{"/workloads/training/campaigns/0/pools", "DELETE"},
      {"/workloads/training/campaigns/0/gpus", "97"}},
     "/workloads/training/campaigns/0/gpus",
     "expected at most 96"},
    {"campaign on a pool that retires before it may start",
     {{"/fleet/pools/0/retire", R"("2026-01-05")"},
      {"/workloads/training/campaigns/0/earliest_start", R"("2026-02-01")"},
      {"/workloads/contracts", "[]"}},
     "/workloads/training/campaigns/0/gpus",
     "expected at most 0"},
    {"campaign on GPU types with no pool",
     {{"/workloads/training/campaigns/0/gpu_types", R"(["B200"])"}},
     "/workloads/training/campaigns/0/gpus",
     "the campaign can never start"},
    {"job larger than every pool",
     {{"/workloads/rentals/0/gpus", "65"}},
     "/workloads/rentals/0/gpus",
     "no job of the stream can ever run (got 65 GPUs"},
    {"fixed job larger than every pool",
     {{"/workloads/rentals/0/gpus", R"({"dist": "fixed", "value": 100})"}},
     "/workloads/rentals/0/gpus",
     "no job of the stream can ever run"},
    {"experiment job larger than its pools",
     {{"/workloads/training/experiments/0/gpus", "65"},
      {"/workloads/training/experiments/0/pools", R"(["p"])"}},
     "/workloads/training/experiments/0/gpus",
     "expected at most 64"},
    {"contract on a pool that retires before it starts",
     {{"/fleet/pools/0/retire", R"("2026-01-05")"}},
     "/workloads/contracts/0/pools",
     "every pool of the contract retires before it starts"},
    {"contract on a purchase delivered after it ends",
     {{"/workloads/contracts/0/pools", R"(["q"])"},
      {"/fleet/purchases/0/lead_time_days", "100"},
      {"/horizon", R"("1y")"}},
     "/workloads/contracts/0/pools",
     "enters service after it ends"},
    // Structure.
    {"top-level key misspelled", {{"/horizn", R"("60d")"}}, "/horizn", R"(did you mean)"},
    {"fleet not an object", {{"/fleet", "[]"}}, "/fleet", "expected an object"},
    {"pools not an array", {{"/fleet/pools", "{}"}}, "/fleet/pools", "expected an array"},
    {"workloads not an object", {{"/workloads", "5"}}, "/workloads", "expected an object"},
    {"duplicate pool id",
     {{"/fleet/purchases/0/id", R"("p")"}},
     "/fleet/purchases/0/id",
     "duplicate pool id"},
    {"duplicate workload id",
     {{"/workloads/contracts/0/id", R"("r")"}},
     "/workloads/contracts/0/id",
     "duplicate workload id"},
    {"retire before in service",
     {{"/fleet/pools/0/retire", R"("2025-01-01")"}},
     "/fleet/pools/0/retire",
     "dates out of order"},
    {"contract end before start",
     {{"/workloads/contracts/0/term_days", "DELETE"},
      {"/workloads/contracts/0/end", R"("2026-01-01")"}},
     "/workloads/contracts/0/end",
     "dates out of order"},
    {"campaign after an unknown campaign",
     {{"/workloads/training/campaigns/0/after", R"(["nope"])"}},
     "/workloads/training/campaigns/0/after/0",
     ""},
    {"policy order with an unknown class",
     {{"/policy/order", R"(["trainin"])"}},
     "/policy/order/0",
     "unknown class"},
    {"a deep value in the description",
     {{"/description", std::string(60, '[') + std::string(60, ']')}},
     "/description",
     "wrong type"},
};

}  // namespace

TEST_CASE("broken budgets and plans exit 2 with the file, the pointer and nothing written",
          "[cli][hardening]") {
  check_broken_scenarios(kBrokenPlans);
}

TEST_CASE("the event budget: refused without --force, run with it", "[cli][hardening]") {
  const TempDir dir;
  // Reconcile steps every 1.08 s for 100 years: 2.9e9 estimated events, beyond the budget.
  // Nothing here needs the reconcile (no campaign, contract, inference or preemptible
  // stream), so the estimate counts no steps and the run is small.
  json doc = json::parse(kHardeningBase);
  doc["policy"]["reconcile_hours"] = 0.0003;
  doc["horizon"] = "100y";
  const std::string light = dir.write("light.json", doc.dump());
  const Outcome small = run_aidc(dir, "run " + hq(light) + " --out " + hq(dir / "light"));
  INFO(small.err);
  CHECK(small.exit_code == 2);  // the campaign and the contract need the reconcile
  CHECK_THAT(small.err, Catch::Contains("/policy/reconcile_hours: too much work for one run"));
  doc["workloads"].erase("contracts");
  doc["workloads"].erase("training");
  doc["policy"]["order"] = {"on_demand", "spot"};
  doc["catalog"] = {{"H100", {{"mtbf_hours", nullptr}}}};
  const std::string quiet = dir.write("quiet.json", doc.dump());
  CHECK(run_aidc(dir, "run " + hq(quiet)).exit_code == 0);
  // Preemptible spot rentals need the reconcile: refused without --force; with it the run
  // starts (and is stopped here after two seconds, long before its 2.9e9 steps end).
  doc["workloads"]["rentals"][0]["contract"] = "spot";
  const std::string spot = dir.write("spot.json", doc.dump());
  const Outcome refused = run_aidc(dir, "run " + hq(spot) + " --out " + hq(dir / "spot"));
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.err, Catch::Contains(spot + ": /policy/reconcile_hours: too much work"));
  CHECK_FALSE(fs::exists(dir / "spot"));
  // validate warns and passes: the scenario is valid, a run needs --force.
  const Outcome v = run_aidc(dir, "validate " + hq(spot));
  CHECK(v.exit_code == 0);
  CHECK_THAT(v.err, Catch::Contains("warning: too much work for one run"));
  const std::string forced_err = dir.file("forced.txt");
  const int status = std::system(("timeout -s KILL 2 " + hq(AIDC_BINARY) + " run " + hq(spot) +
                                  " --force >/dev/null 2>" + hq(forced_err))
                                     .c_str());
  CHECK(status != 0);  // killed by the timeout, not refused
  CHECK_THAT(read_file(forced_err), !Catch::Contains("too much work"));
  // A short horizon is within the budget and runs without --force: 40,000 steps of 1.08 s.
  doc["horizon"] = "12h";
  const std::string short_run = dir.write("short.json", doc.dump());
  CHECK(run_aidc(dir, "run " + hq(short_run)).exit_code == 0);
  // One more arrival rate than the budget allows, over 100 years: refused at the stream.
  doc["horizon"] = "100y";
  doc["policy"]["reconcile_hours"] = 1;
  doc["workloads"]["rentals"][0]["arrivals"]["per_hour"] = 1e6;
  const std::string heavy = dir.write("heavy.json", doc.dump());
  const Outcome o = run_aidc(dir, "run " + hq(heavy));
  CHECK(o.exit_code == 2);
  CHECK_THAT(o.err, Catch::Contains("/workloads/rentals/0/arrivals: too much work for one run"));
}

TEST_CASE("a scenario with thousands of problems prints the first 50 and a count",
          "[cli][hardening]") {
  const TempDir dir;
  json doc = json::parse(kHardeningBase);
  for (int i = 0; i < 1000; ++i) doc["unknown_" + std::to_string(i)] = i;
  const std::string file = dir.write("many.json", doc.dump());
  const Outcome o = run_aidc(dir, "validate " + hq(file));
  CHECK(o.exit_code == 2);
  std::size_t lines = 0;
  for (const char c : o.err) lines += c == '\n' ? 1 : 0;
  CHECK(lines == 51);
  CHECK_THAT(o.err, Catch::Contains("... and 950 more problems (the first 50 are shown)"));
}

TEST_CASE("a description that is not a string is no internal error of validate's warnings",
          "[cli][hardening]") {
  const TempDir dir;
  json doc = json::parse(kHardeningBase);
  doc["workloads"]["rentals"][0]["description"] = -1e300;
  const std::string file = dir.write("description.json", doc.dump());
  const Outcome o = run_aidc(dir, "validate " + hq(file));
  CHECK(o.exit_code == 0);
  CHECK_THAT(o.err, !Catch::Contains("internal error"));
}

TEST_CASE("a workload whose pools are never in service is a warning of validate",
          "[cli][hardening]") {
  const TempDir dir;
  json doc = json::parse(kHardeningBase);
  doc["fleet"]["purchases"][0]["lead_time_days"] = 365;  // delivered after the horizon
  doc["workloads"]["rentals"][0]["pools"] = {"q"};
  const std::string file = dir.write("never.json", doc.dump());
  const Outcome o = run_aidc(dir, "validate " + hq(file));
  CHECK(o.exit_code == 0);
  CHECK_THAT(o.err, Catch::Contains(file + ": /workloads/rentals/0/pools: warning: none of the "
                                           "pools it may use is ever in service"));
}

TEST_CASE("the largest fleet for the longest horizon runs exactly; one GPU more is refused",
          "[cli][hardening]") {
  const TempDir dir;
  // 10^8 GPUs that never fail for 100 years: 8.7658e13 GPU-hours, 3.2e17 GPU-seconds.
  json doc = json::parse(R"({"name": "largest", "start": "2026-01-01", "horizon": "100y",
    "catalog": {"H100": {"mtbf_hours": null}},
    "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 100000000}]},
    "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 0.01}, "gpus": 100000000,
      "duration_hours": 876600, "patience_hours": "inf"}]}})");
  const std::string file = dir.write("largest.json", doc.dump());
  const fs::path out = dir / "out";
  const Outcome o = run_aidc(dir, "run " + hq(file) + " --out " + hq(out));
  INFO(o.err);
  REQUIRE(o.exit_code == 0);
  const json summary = json::parse(read_file(out / "summary.json"));
  // 2026-01-01 + 100 calendar years is 36,524 days.
  const double hours = 36524.0 * 24.0;
  CHECK(summary["gpu_hours"]["installed"].get<double>() == 1e8 * hours);
  const double busy = summary["gpu_hours"]["busy"].get<double>();
  CHECK(busy > 0);
  CHECK(busy <= 1e8 * hours);
  CHECK(summary["gpu_hours"]["idle"].get<double>() >= 0);

  doc["fleet"]["pools"][0]["count"] = 100000001;
  const std::string beyond = dir.write("beyond.json", doc.dump());
  check_refused(dir, "run " + hq(beyond) + " --out " + hq(dir / "out2"), beyond,
                "/fleet/pools/0/count", "from 0 to 100000000", dir / "out2");
  doc["fleet"]["pools"][0]["count"] = 100000000;
  doc["horizon"] = "101y";
  const std::string longer = dir.write("longer.json", doc.dump());
  check_refused(dir, "run " + hq(longer) + " --out " + hq(dir / "out3"), longer, "/horizon",
                "from 0 to 100 years", dir / "out3");
}
