// Broken inputs of every kind, run through the aidc command as a user runs it: each must exit
// with 2, name the file and the JSON pointer of the problem with what is wrong, and write
// nothing. The kinds: catalog lookups, the JSON reader, ranges that keep the integer time and
// GPU-second arithmetic exact, impossible plans, budgets (--set indices, sweep designs, the
// event estimate), and --out targets that cannot be written.

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "support.hpp"

namespace fs = std::filesystem;
using aidc::test::Outcome;
using aidc::test::read_file;
using aidc::test::run_aidc;
using aidc::test::TempDir;
using aidc::test::write_file;
using nlohmann::json;

namespace {

/// A path in single quotes for the shell (std::quoted would win for a std::string), for the
/// hardening tests.
std::string hq(const fs::path& p) { return aidc::test::quoted(p); }

// A pool, a purchase, a rental stream, a contract, a campaign and an experiment stream, with
// a finance section: every part the broken inputs below break.
const char* const kHardeningBase = R"({
  "name": "hardening", "start": "2026-01-01", "horizon": "60d", "seed": 3,
  "fleet": {
    "pools": [{"id": "p", "gpu": "H100", "count": 64}],
    "purchases": [{"id": "q", "gpu": "H200", "count": 32, "ordered": "2026-01-01",
                   "lead_time_days": 10}]},
  "workloads": {
    "rentals": [{"id": "r", "arrivals": {"per_hour": 5}, "gpus": 1,
                 "duration_hours": {"dist": "exponential", "mean": 1.2},
                 "patience_hours": "inf"}],
    "contracts": [{"id": "c", "gpus": 8, "start": "2026-01-10", "term_days": 30,
                   "pools": ["p"]}],
    "training": {
      "campaigns": [{"id": "t", "gpus": 16, "days": 2, "pools": ["p"]}],
      "experiments": [{"id": "e", "arrivals": {"per_hour": 1}, "gpus": 2,
                       "duration_hours": {"dist": "exponential", "mean": 2}}]}},
  "policy": {"order": ["training", "reserved", "experiments", "on_demand", "spot"]},
  "finance": {"discount_rate": 0.08, "facility_usd_per_kw_month": 150,
              "maintenance_fraction_per_year": 0.04}
})";

/// One broken scenario: the base with `edits` applied (pointer, JSON value; a value of
/// "DELETE" removes the key), and where and what the problem must be.
struct Broken {
  std::string name;
  std::vector<std::pair<std::string, std::string>> edits;
  std::string pointer;
  std::string fragment;
};

const std::vector<Broken> kBrokenScenarios{
    // Catalog lookups, with a finance section (each once ended in "internal error: map::at").
    {"misspelled GPU type",
     {{"/fleet/pools/0/gpu", R"("H1000")"}},
     "/fleet/pools/0/gpu",
     R"(unknown GPU type "H1000"; did you mean "H100"?)"},
    {"lowercase GPU type",
     {{"/fleet/pools/0/gpu", R"("h100")"}},
     "/fleet/pools/0/gpu",
     R"(did you mean "H100"?)"},
    {"missing GPU type",
     {{"/fleet/pools/0/gpu", "DELETE"}},
     "/fleet/pools/0/gpu",
     "missing required key"},
    {"GPU type not a string",
     {{"/fleet/pools/0/gpu", "100"}},
     "/fleet/pools/0/gpu",
     "wrong type (got 100"},
    {"misspelled purchase GPU",
     {{"/fleet/purchases/0/gpu", R"("H20")"}},
     "/fleet/purchases/0/gpu",
     R"(unknown GPU type "H20")"},
    {"missing purchase GPU",
     {{"/fleet/purchases/0/gpu", "DELETE"}},
     "/fleet/purchases/0/gpu",
     "missing required key"},
    {"misspelled GPU type under a price elasticity",
     {{"/fleet/pools/0/gpu", R"("H1000")"},
      {"/workloads/rentals/0/price_elasticity",
       R"({"elasticity": -0.5, "reference_usd_per_gpu_hour": 2})"},
      {"/workloads/rentals/0/pools", R"(["p"])"}},
     "/fleet/pools/0/gpu",
     R"(unknown GPU type "H1000"; did you mean "H100"?)"},
    {"empty GPU type",
     {{"/fleet/pools/0/gpu", R"("")"}},
     "/fleet/pools/0/gpu",
     R"(unknown GPU type "")"},
    {"empty purchase GPU type",
     {{"/fleet/purchases/0/gpu", R"("")"}},
     "/fleet/purchases/0/gpu",
     R"(unknown GPU type "")"},
    {"misspelled GPU in policy",
     {{"/policy/gpu_types", R"({"spot": ["H10"]})"}},
     "/policy/gpu_types/spot/0",
     "unknown GPU type"},
    {"misspelled GPU in campaign types",
     {{"/workloads/training/campaigns/0/gpu_types", R"(["B2000"])"}},
     "/workloads/training/campaigns/0/gpu_types/0",
     "unknown GPU type"},
    {"catalog entry not an object",
     {{"/catalog", R"({"H100": 5})"}},
     "/catalog/H100",
     "expected an object"},
    {"catalog entry null",
     {{"/catalog", R"({"H100": null})"}},
     "/catalog/H100",
     "expected an object"},
    {"unknown pool of a stream",
     {{"/workloads/rentals/0/pools", R"(["pp"])"}},
     "/workloads/rentals/0/pools/0",
     R"(did you mean "p"?)"},
    {"unknown pool of a contract",
     {{"/workloads/contracts/0/pools", R"(["x"])"}},
     "/workloads/contracts/0/pools/0",
     "unknown pool"},
    {"unknown pool of a campaign",
     {{"/workloads/training/campaigns/0/pools", R"(["z"])"}},
     "/workloads/training/campaigns/0/pools/0",
     "unknown pool"},
    {"finance pool unknown",
     {{"/finance/pools", R"({"nope": {"capex_usd_per_gpu": 1}})"}},
     "/finance/pools/nope",
     ""},
    // Counts: the fleet's GPU-seconds over the horizon must fit in 64 bits.
    {"pool count 10^15",
     {{"/fleet/pools/0/count", "1000000000000000"}},
     "/fleet/pools/0/count",
     "expected a whole number from 0 to 100000000"},
    {"pool count one past the limit",
     {{"/fleet/pools/0/count", "100000001"}},
     "/fleet/pools/0/count",
     "from 0 to 100000000"},
    {"pool count 2^63",
     {{"/fleet/pools/0/count", "9223372036854775808"}},
     "/fleet/pools/0/count",
     "below 2^63"},
    {"pool count 2^64-1",
     {{"/fleet/pools/0/count", "18446744073709551615"}},
     "/fleet/pools/0/count",
     "got 18446744073709551615"},
    {"pool count negative",
     {{"/fleet/pools/0/count", "-1"}},
     "/fleet/pools/0/count",
     "out of range (got -1"},
    {"pool count fractional",
     {{"/fleet/pools/0/count", "1.5"}},
     "/fleet/pools/0/count",
     "wrong type"},
    {"pool count a string",
     {{"/fleet/pools/0/count", R"("64")"}},
     "/fleet/pools/0/count",
     "wrong type"},
    {"purchase count 10^12",
     {{"/fleet/purchases/0/count", "1000000000000"}},
     "/fleet/purchases/0/count",
     "from 0 to 100000000"},
    {"fleet total beyond the limit",
     {{"/fleet/pools/0/count", "60000000"}, {"/fleet/purchases/0/count", "60000000"}},
     "/fleet/purchases/0/count",
     "expected at most 100000000 GPUs in all pools"},
    {"megawatts beyond the limit",
     {{"/fleet/pools/0/count", "DELETE"},
      {"/fleet/pools/0/mw", "1e12"},
      {"/fleet/sites", R"({"default": {"pue": 1.2}})"}},
     "/fleet/pools/0/mw",
     "megawatts that power at most 100000000 GPUs"},
    {"contract GPUs 10^12",
     {{"/workloads/contracts/0/gpus", "1000000000000"}},
     "/workloads/contracts/0/gpus",
     "expected 1 to 1e+08 GPUs"},
    {"campaign GPUs 10^12",
     {{"/workloads/training/campaigns/0/gpus", "1000000000000"}},
     "/workloads/training/campaigns/0/gpus",
     "expected 1 to 1e+08 GPUs"},
    {"campaign spares 10^10",
     {{"/workloads/training/campaigns/0/spares", "10000000000"}},
     "/workloads/training/campaigns/0/spares",
     "expected 0 to 1e+08 GPUs"},
    {"campaign priority 10^12",
     {{"/workloads/training/campaigns/0/priority", "1000000000000"}},
     "/workloads/training/campaigns/0/priority",
     "expected 0 to 1e+06"},
    {"job GPUs 10^9",
     {{"/workloads/rentals/0/gpus", "1000000000"}},
     "/workloads/rentals/0/gpus",
     "expected 0 to 1e+08 GPUs"},
    {"job GPUs mean 10^9",
     {{"/workloads/rentals/0/gpus", R"({"dist": "exponential", "mean": 1e9})"}},
     "/workloads/rentals/0/gpus/mean",
     "expected 0 to 1e+08 GPUs"},
    {"experiment GPUs 10^9",
     {{"/workloads/training/experiments/0/gpus", "1e9"}},
     "/workloads/training/experiments/0/gpus",
     "expected 0 to 1e+08 GPUs"},
    {"contract renewals 10^9",
     {{"/workloads/contracts/0/renewals", "1000000000"}},
     "/workloads/contracts/0/renewals",
     "expected 0 to 1000 renewals"},
    // Times: spans, lives, lead times and dates within the documented ranges.
    {"life of 1e300 years",
     {{"/fleet/pools/0/life_years", "1e300"}},
     "/fleet/pools/0/life_years",
     "out of range (got 1e+300"},
    {"life of 101 years",
     {{"/fleet/pools/0/life_years", "101"}},
     "/fleet/pools/0/life_years",
     "a positive number of years up to 100"},
    {"life of zero years",
     {{"/fleet/pools/0/life_years", "0"}},
     "/fleet/pools/0/life_years",
     "expected a positive number"},
    {"lead time of 9e18 days",
     {{"/fleet/purchases/0/lead_time_days", "9000000000000000000"}},
     "/fleet/purchases/0/lead_time_days",
     "from 0 to 36525"},
    {"lead time one past the limit",
     {{"/fleet/purchases/0/lead_time_days", "36526"}},
     "/fleet/purchases/0/lead_time_days",
     "from 0 to 36525"},
    {"term of 9e18 days",
     {{"/workloads/contracts/0/term_days", "9000000000000000000"}},
     "/workloads/contracts/0/term_days",
     "from 1 to 36525"},
    {"horizon 1e300 hours",
     {{"/horizon", "1e300"}},
     "/horizon",
     "expected a span from 0 to 100 years"},
    {"horizon 1e300y", {{"/horizon", R"("1e300y")"}}, "/horizon", "from 0 to 100 years"},
    {"horizon 101y", {{"/horizon", R"("101y")"}}, "/horizon", "from 0 to 100 years"},
    {"horizon 40000d", {{"/horizon", R"("40000d")"}}, "/horizon", "from 0 to 100 years"},
    {"horizon 6000w", {{"/horizon", R"("6000w")"}}, "/horizon", "from 0 to 100 years"},
    {"horizon 1e9h", {{"/horizon", R"("1e9h")"}}, "/horizon", "from 0 to 100 years"},
    {"horizon nan", {{"/horizon", R"("nanh")"}}, "/horizon", "out of range"},
    {"horizon infinite", {{"/horizon", R"("infd")"}}, "/horizon", "out of range"},
    {"horizon zero", {{"/horizon", R"("0d")"}}, "/horizon", "longer than zero"},
    {"horizon a bad unit", {{"/horizon", R"("5x")"}}, "/horizon", "not a time span"},
    {"warmup beyond the range", {{"/warmup", R"("200y")"}}, "/warmup", "from 0 to 100 years"},
    {"start in year 9999",
     {{"/start", R"("9999-01-01")"}},
     "/start",
     "expected a date from 1900-01-01 to 2200-12-31"},
    {"start in year 0", {{"/start", R"("0000-01-01")"}}, "/start", "from 1900-01-01"},
    {"start in 1899", {{"/start", R"("1899-12-31")"}}, "/start", "from 1900-01-01"},
    {"retire in 9999",
     {{"/fleet/pools/0/retire", R"("9999-12-31")"}},
     "/fleet/pools/0/retire",
     "to 2200-12-31"},
    {"in service in 2201",
     {{"/fleet/pools/0/in_service", R"("2201-01-01")"}},
     "/fleet/pools/0/in_service",
     "to 2200-12-31"},
    {"ordered in 1000",
     {{"/fleet/purchases/0/ordered", R"("1000-01-01")"}},
     "/fleet/purchases/0/ordered",
     "from 1900-01-01"},
    {"contract start in 5000",
     {{"/workloads/contracts/0/start", R"("5000-01-01")"}},
     "/workloads/contracts/0/start",
     "to 2200-12-31"},
    {"campaign earliest start in 3000",
     {{"/workloads/training/campaigns/0/earliest_start", R"("3000-01-01")"}},
     "/workloads/training/campaigns/0/earliest_start",
     "to 2200-12-31"},
    {"arrival schedule in 9000",
     {{"/workloads/rentals/0/arrivals",
       R"({"schedule": [{"from": "9000-01-01", "per_hour": 1}]})"}},
     "/workloads/rentals/0/arrivals/schedule/0/from",
     "to 2200-12-31"},
    {"a date that is not one", {{"/start", R"("2026-02-30")"}}, "/start", "not a date"},
    {"duration mean 1e300",
     {{"/workloads/rentals/0/duration_hours", R"({"dist": "exponential", "mean": 1e300})"}},
     "/workloads/rentals/0/duration_hours/mean",
     "at most 1e15 in magnitude"},
    {"duration mean 1e7 hours",
     {{"/workloads/rentals/0/duration_hours", R"({"dist": "exponential", "mean": 1e7})"}},
     "/workloads/rentals/0/duration_hours/mean",
     "expected 0 to 876600 hours"},
    {"fixed duration beyond 100 years",
     {{"/workloads/rentals/0/duration_hours", "1e7"}},
     "/workloads/rentals/0/duration_hours",
     "expected 0 to 876600 hours"},
    {"patience 1e7 hours",
     {{"/workloads/rentals/0/patience_hours", "1e7"}},
     "/workloads/rentals/0/patience_hours",
     "expected 0 to 876600 hours"},
    {"experiment duration 1e9 hours",
     {{"/workloads/training/experiments/0/duration_hours", "1e9"}},
     "/workloads/training/experiments/0/duration_hours",
     "expected 0 to 876600 hours"},
    {"checkpoint every 1e9 hours",
     {{"/workloads/training/campaigns/0/checkpoint_hours", "1e9"}},
     "/workloads/training/campaigns/0/checkpoint_hours",
     "expected 0 to 876600 hours"},
    {"restart of 1e9 hours",
     {{"/workloads/training/campaigns/0/restart_hours", "1e9"}},
     "/workloads/training/campaigns/0/restart_hours",
     "expected 0 to 876600 hours"},
    {"checkpoint write of 1e9 hours",
     {{"/workloads/training/campaigns/0/checkpoint_write_hours", "1e9"}},
     "/workloads/training/campaigns/0/checkpoint_write_hours",
     "expected 0 to 876600 hours"},
    {"campaign of 1e300 days",
     {{"/workloads/training/campaigns/0/days", "1e300"}},
     "/workloads/training/campaigns/0/days",
     "at most 1e15 in magnitude"},
    {"campaign of 1e16 GPU-hours",
     {{"/workloads/training/campaigns/0/days", "DELETE"},
      {"/workloads/training/campaigns/0/gpu_hours", "1e16"}},
     "/workloads/training/campaigns/0/gpu_hours",
     "at most 1e15 in magnitude"},
    {"spot notice 1e9 hours",
     {{"/policy/spot_notice_hours", "1e9"}},
     "/policy/spot_notice_hours",
     "expected 0 to 876600 hours"},
    {"a number beyond 1e15",
     {{"/finance/discount_rate", "1e16"}},
     "/finance/discount_rate",
     "at most 1e15 in magnitude"},
    {"facility price beyond 1e15",
     {{"/finance/facility_usd_per_kw_month", "1e300"}},
     "/finance/facility_usd_per_kw_month",
     "at most 1e15 in magnitude"},
    {"seed 2^64", {{"/seed", "18446744073709551615"}}, "/seed", "below 2^63"},
    {"seed negative", {{"/seed", "-1"}}, "/seed", "out of range (got -1"},
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

/// The base scenario with `edits` applied.
json edited(const std::vector<std::pair<std::string, std::string>>& edits) {
  json doc = json::parse(kHardeningBase);
  for (const auto& [pointer, value] : edits) {
    const json::json_pointer p(pointer);
    if (value == "DELETE") {
      doc.at(p.parent_pointer()).erase(p.back());
    } else {
      doc[p] = json::parse(value);
    }
  }
  return doc;
}

/// Runs `aidc ARGS` and checks the promise: exit 2, "FILE: POINTER: ...FRAGMENT..." on
/// standard error, and nothing at `out`.
void check_refused(const TempDir& dir, const std::string& args, const std::string& file,
                   const std::string& pointer, const std::string& fragment, const fs::path& out) {
  const Outcome o = run_aidc(dir, args);
  INFO("aidc " << args << "\nstdout:\n" << o.out << "stderr:\n" << o.err);
  CHECK(o.exit_code == 2);
  const std::string where = pointer.empty() ? file + ": " : file + ": " + pointer + ": ";
  CHECK_THAT(o.err, Catch::Contains(where + fragment) ||
                        (Catch::Contains(where) && Catch::Contains(fragment)));
  CHECK_THAT(o.err, !Catch::Contains("internal error"));
  CHECK_FALSE(fs::exists(out));
}

}  // namespace

TEST_CASE("the base of the broken inputs runs", "[cli][hardening]") {
  const TempDir dir;
  const std::string file = dir.write("base.json", kHardeningBase);
  const Outcome o = run_aidc(dir, "run " + hq(file) + " --out " + hq(dir / "out"));
  INFO(o.err);
  CHECK(o.exit_code == 0);
  CHECK(fs::exists(dir / "out" / "summary.json"));
}

TEST_CASE("broken scenarios exit 2 with the file, the pointer and nothing written",
          "[cli][hardening]") {
  for (const auto& b : kBrokenScenarios) {
    SECTION(b.name) {
      const TempDir dir;
      const std::string file = dir.write("broken.json", edited(b.edits).dump());
      const fs::path out = dir / "out";
      check_refused(dir, "run " + hq(file) + " --out " + hq(out), file, b.pointer, b.fragment, out);
    }
  }
}

namespace {

/// A file that is not a scenario at all, and the problem it must be reported with.
struct BrokenText {
  std::string name;
  std::string text;
  std::string pointer;
  std::string fragment;
};

/// The pointer `prefix` followed by `zeros` times "/0".
std::string zeros_under(std::string prefix, std::size_t zeros) {
  for (std::size_t i = 0; i < zeros; ++i) prefix += "/0";
  return prefix;
}

std::string nested(std::size_t depth) {
  return R"({"name": )" + std::string(depth, '[') + std::string(depth, ']') + "}";
}

const std::vector<BrokenText> kBrokenTexts{
    {"empty file", "", "", "malformed JSON"},
    {"truncated", R"({"name": "x", "start": )", "", "malformed JSON"},
    {"trailing comma", R"({"name": "x",})", "", "malformed JSON"},
    {"a bare word", "hello", "", "malformed JSON"},
    {"number beyond a double", R"({"name": "x", "horizon": 1e400})", "",
     "malformed JSON: number overflow"},
    {"negative number beyond a double", R"({"seed": -1e999})", "", "number overflow"},
    {"nested 100000 deep", nested(100000), zeros_under("/name", 64), "nested too deep"},
    {"nested 65 deep", nested(65), zeros_under("/name", 64),
     "nested too deep (got more than 64 levels"},
    {"nested deep in an array of objects",
     R"({"fleet": {"pools": [{"id": )" + std::string(200, '[') + std::string(200, ']') + "}]}}",
     zeros_under("/fleet/pools/0/id", 61), "nested too deep"},
    {"a top level that is an array", "[1, 2]", "", "expected an object"},
    {"a top level that is a number", "5", "", "expected an object"},
    {"an invalid UTF-8 byte", "{\"name\": \"\xff\"}", "", "malformed JSON"},
    {"a control character in a string", "{\"name\": \"a\x01\"}", "", "malformed JSON"},
};

}  // namespace

TEST_CASE("files that are not JSON, or too deep, exit 2 and write nothing", "[cli][hardening]") {
  for (const auto& b : kBrokenTexts) {
    SECTION(b.name) {
      const TempDir dir;
      const std::string file = dir.write("broken.json", b.text);
      const fs::path out = dir / "out";
      check_refused(dir, "run " + hq(file) + " --out " + hq(out), file, b.pointer, b.fragment, out);
      // validate says the same
      const Outcome v = run_aidc(dir, "validate " + hq(file));
      CHECK(v.exit_code == 2);
    }
  }
}

TEST_CASE("bad command lines exit 2 before any work and write nothing", "[cli][hardening]") {
  const TempDir dir;
  const std::string base = dir.write("base.json", kHardeningBase);
  const fs::path out = dir / "out";
  const std::string run = "run " + hq(base) + " --out " + hq(out) + " ";

  SECTION("--set index far past the end") {
    check_refused(dir, run + "--set /fleet/pools/100000000000={}", base,
                  "/fleet/pools/100000000000", "index past the end of the array", out);
  }
  SECTION("--set index two past the end") {
    check_refused(dir, run + "--set /fleet/pools/2={}", base, "/fleet/pools/2",
                  "(got 2, expected 0 to 1)", out);
  }
  SECTION("--set index with leading garbage") {
    check_refused(dir, run + "--set /fleet/pools/x1={}", base, "/fleet/pools/x1",
                  "index past the end", out);
  }
  SECTION("--set a key under a number") {
    check_refused(dir, run + "--set /seed/x=1", base, "/seed/x", "the parent is a number", out);
  }
  SECTION("--set on a missing parent") {
    check_refused(dir, run + "--set /nope/x=1", base, "/nope/x", "does not exist", out);
  }
  SECTION("--set a value nested too deep") {
    check_refused(
        dir, run + "--set '/description=" + std::string(100, '[') + std::string(100, ']') + "'",
        base, "/description", "nested too deep", out);
  }
  SECTION("--set a number beyond a double stays a string") {
    check_refused(dir, run + "--set /fleet/pools/0/count=1e400", base, "/fleet/pools/0/count",
                  "wrong type", out);
  }
  SECTION("--set a whole document") {
    check_refused(dir, run + "--set =5", base, "", "expected /json/pointer=VALUE", out);
  }
  SECTION("a scenario that does not exist") {
    const std::string missing = dir.file("missing.json");
    check_refused(dir, "run " + hq(missing) + " --out " + hq(out), missing, "",
                  "no such file or folder", out);
  }
  SECTION("a folder given as the scenario") {
    const std::string folder = dir.file("folder");
    fs::create_directories(folder);
    check_refused(dir, "run " + hq(folder) + " --out " + hq(out), folder, "",
                  "is a folder (expected a JSON file)", out);
  }
}

TEST_CASE("an --out that cannot be written is refused before the work", "[cli][hardening]") {
  const TempDir dir;
  const std::string base = dir.write("base.json", kHardeningBase);
  const std::string file = dir.write("a-file", "keep me");
  const fs::path partial = dir / ".a-file.partial";

  SECTION("run into an existing file") {
    const Outcome o = run_aidc(dir, "run " + hq(base) + " --out " + hq(file));
    CHECK(o.exit_code == 2);
    CHECK_THAT(o.err, Catch::Contains(file + ": --out: exists as a file"));
    CHECK(o.out.empty());  // refused before the simulation, which prints its summary
  }
  SECTION("run into a folder under a file") {
    const Outcome o = run_aidc(dir, "run " + hq(base) + " --out " + hq(dir / "a-file/x"));
    CHECK(o.exit_code == 2);
    CHECK_THAT(o.err, Catch::Contains("is a file, not a folder"));
    CHECK(o.out.empty());
  }
  SECTION("compare into an existing file") {
    const Outcome o = run_aidc(dir, "compare " + hq(base) + " " + hq(base) + " --out " + hq(file));
    CHECK(o.exit_code == 2);
    CHECK_THAT(o.err, Catch::Contains(file + ": --out: exists as a file"));
  }
  SECTION("sweep into an existing file") {
    const std::string sweep =
        dir.write("sweep.json", R"({"base": "base.json", "design": {"type": "grid"}, "parameters": [
          {"name": "n", "pointer": "/fleet/pools/0/count", "values": [64, 65]}]})");
    const Outcome o = run_aidc(dir, "sweep " + hq(sweep) + " --out " + hq(file));
    CHECK(o.exit_code == 2);
    CHECK_THAT(o.err, Catch::Contains(file + ": --out: exists as a file"));
  }
  SECTION("report into an existing folder") {
    const fs::path run_out = dir / "run";
    REQUIRE(run_aidc(dir, "run " + hq(base) + " --out " + hq(run_out)).exit_code == 0);
    const fs::path folder = dir / "folder";
    fs::create_directories(folder);
    const Outcome o = run_aidc(dir, "report " + hq(run_out) + " --out " + hq(folder));
    CHECK(o.exit_code == 2);
    CHECK_THAT(o.err, Catch::Contains(folder.string() + ": --out: exists as a folder"));
    CHECK(fs::is_empty(folder));
  }
  CHECK(read_file(file) == "keep me");
  CHECK_FALSE(fs::exists(partial));
  for (const auto& entry : fs::recursive_directory_iterator(dir.path())) {
    CHECK_THAT(entry.path().filename().string(), !Catch::EndsWith(".partial"));
  }
}

TEST_CASE("a sweep design beyond the limit is refused before it takes memory", "[cli][hardening]") {
  const TempDir dir;
  dir.write("base.json", kHardeningBase);
  const fs::path out = dir / "out";
  const auto sweep_with = [&](const std::string& design, const std::string& parameters) {
    return dir.write("sweep.json", R"({"base": "base.json", "design": )" + design +
                                       R"(, "parameters": )" + parameters + "}");
  };
  const std::string one_range =
      R"([{"name": "n", "pointer": "/fleet/pools/0/count", "integer": true,
           "range": {"low": 1, "high": 64}}])";

  SECTION("a grid of 10^30 points") {
    std::string params = "[";
    for (int i = 0; i < 10; ++i) {
      params += std::string(i ? "," : "") + R"({"name": "p)" + std::to_string(i) +
                R"(", "pointer": "/seed", "range": {"low": 1, "high": 2, "steps": 1000}})";
    }
    const std::string sweep = sweep_with(R"({"type": "grid"})", params + "]");
    check_refused(dir, "sweep " + hq(sweep) + " --out " + hq(out), sweep, "/design",
                  "too many runs (got 1e+30 points", out);
  }
  SECTION("a grid parameter of 10^12 steps") {
    const std::string sweep = sweep_with(
        R"({"type": "grid"})",
        R"([{"name": "n", "pointer": "/seed", "range": {"low": 1, "high": 2, "steps": 1000000000000}}])");
    check_refused(dir, "sweep " + hq(sweep) + " --out " + hq(out), sweep,
                  "/parameters/0/range/steps", "expected at most 1000000 levels", out);
  }
  SECTION("random points 10^15") {
    const std::string sweep =
        sweep_with(R"({"type": "random", "points": 1000000000000000})", one_range);
    check_refused(dir, "sweep " + hq(sweep) + " --out " + hq(out), sweep, "/design",
                  "raise the limit with --max-runs", out);
  }
  SECTION("Latin hypercube points 2 million") {
    const std::string sweep =
        sweep_with(R"({"type": "latin_hypercube", "points": 2000000})", one_range);
    check_refused(dir, "sweep " + hq(sweep) + " --out " + hq(out), sweep, "/design",
                  "expected at most 1000000", out);
  }
  SECTION("Saltelli base samples 10^12") {
    const std::string sweep =
        sweep_with(R"({"type": "saltelli", "base_samples": 1000000000000})", one_range);
    check_refused(dir, "sweep " + hq(sweep) + " --out " + hq(out), sweep, "/design",
                  "too many runs", out);
  }
  SECTION("a lower --max-runs") {
    const std::string sweep = sweep_with(R"({"type": "random", "points": 20})", one_range);
    check_refused(dir, "sweep " + hq(sweep) + " --max-runs 10 --out " + hq(out), sweep, "/design",
                  "(got 20 points x 1 replications = 20 runs, expected at most 10", out);
  }
  SECTION("validate refuses it too") {
    const std::string sweep =
        sweep_with(R"({"type": "random", "points": 1000000000000000})", one_range);
    const Outcome o = run_aidc(dir, "validate " + hq(sweep));
    CHECK(o.exit_code == 2);
    CHECK_THAT(o.err, Catch::Contains(sweep + ": /design: too many runs"));
  }
}

TEST_CASE("the event budget: refused without --force, run with it", "[cli][hardening]") {
  const TempDir dir;
  json doc = json::parse(kHardeningBase);
  doc["policy"]["reconcile_hours"] = 0.0003;  // 1.08 s: 2.9 million steps over 100 years
  doc["horizon"] = "1y";
  const std::string file = dir.write("steps.json", doc.dump());
  // 29,200 steps a year: within the budget, so it runs.
  CHECK(run_aidc(dir, "run " + hq(file)).exit_code == 0);
  doc["workloads"]["rentals"][0]["arrivals"]["per_hour"] = 1e6;
  doc["horizon"] = "100y";
  const std::string heavy = dir.write("heavy.json", doc.dump());
  const Outcome o = run_aidc(dir, "run " + hq(heavy));
  CHECK(o.exit_code == 2);
  CHECK_THAT(o.err, Catch::Contains("/workloads/rentals/0/arrivals: too much work for one run"));
  // validate warns and passes: the scenario is valid, a run needs --force.
  const Outcome v = run_aidc(dir, "validate " + hq(heavy));
  CHECK(v.exit_code == 0);
  CHECK_THAT(v.err, Catch::Contains("warning: too much work for one run"));
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
