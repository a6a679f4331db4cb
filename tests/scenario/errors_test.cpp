// Bad scenarios: every problem is reported with the file, the JSON pointer of the
// offending value and a message that says what was found and what was expected.
//
// Each broken scenario below is scenarios/mmc.json with one thing broken:
//
//   {"name": "mmc", "start": "2026-01-01", "horizon": "1000d", "seed": 7,
//    "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 64}]},
//    "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 50}, "gpus": 1,
//      "duration_hours": {"dist": "exponential", "mean": 1.2}, "patience_hours": "inf"}]}}

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "aidc/scenario/errors.hpp"
#include "aidc/scenario/scenario.hpp"
#include "support.hpp"

using aidc::Diagnostic;
using aidc::ScenarioError;
using nlohmann::json;

namespace {

const char* const kValidMmc =
    R"({"name": "mmc", "start": "2026-01-01", "horizon": "1000d", "seed": 7,
  "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 64}]},
  "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 50}, "gpus": 1,
    "duration_hours": {"dist": "exponential", "mean": 1.2}, "patience_hours": "inf"}]}})";

/// The problems load_scenario reports for `doc`; empty if it loads.
std::vector<Diagnostic> problems_of(const json& doc) {
  try {
    aidc::load_scenario(doc, "bad.json");
  } catch (const ScenarioError& e) {
    return e.diagnostics();
  }
  return {};
}

using aidc::test::all_lines;

/// The first problem reported at exactly `pointer`, or nullptr.
const Diagnostic* find_at(const std::vector<Diagnostic>& problems, const std::string& pointer) {
  for (const auto& d : problems) {
    if (d.pointer == pointer) return &d;
  }
  return nullptr;
}

struct BrokenScenario {
  std::string name;
  std::string text;      // the scenario, as JSON text
  std::string pointer;   // where the problem must be reported
  std::string fragment;  // part of the message that must appear
};

// Expected pointers and messages follow from the loader's rules: unknown keys are
// reported at the key itself with the nearest allowed key (at most a third of the
// word changed, and at least two edits allowed); missing keys at the key they lack;
// bad values at the value; problems a model finds with its parameters as a whole
// (uniform, empirical) at the model's object.
const std::vector<BrokenScenario> kBroken{
    // "horizn" is one deletion away from "horizon".
    {"misspelled top-level key",
     R"({"name": "mmc", "start": "2026-01-01", "horizn": "1000d", "seed": 7,
        "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 64}]},
        "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 50}, "gpus": 1,
          "duration_hours": {"dist": "exponential", "mean": 1.2}, "patience_hours": "inf"}]}})",
     "/horizn", R"(unknown key "horizn"; did you mean "horizon"?)"},
    // "cuont" is "count" with two letters swapped: two edits.
    {"misspelled pool key",
     R"({"name": "mmc", "start": "2026-01-01", "horizon": "1000d", "seed": 7,
        "fleet": {"pools": [{"id": "p", "gpu": "H100", "cuont": 64}]},
        "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 50}, "gpus": 1,
          "duration_hours": {"dist": "exponential", "mean": 1.2}, "patience_hours": "inf"}]}})",
     "/fleet/pools/0/cuont", R"(unknown key "cuont"; did you mean "count"?)"},
    {"misspelled rental key",
     R"({"name": "mmc", "start": "2026-01-01", "horizon": "1000d", "seed": 7,
        "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 64}]},
        "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 50}, "gpus": 1,
          "duration_hours": {"dist": "exponential", "mean": 1.2}, "patience_hour": "inf"}]}})",
     "/workloads/rentals/0/patience_hour",
     R"(unknown key "patience_hour"; did you mean "patience_hours"?)"},
    {"misspelled distribution parameter",
     R"({"name": "mmc", "start": "2026-01-01", "horizon": "1000d", "seed": 7,
        "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 64}]},
        "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 50}, "gpus": 1,
          "duration_hours": {"dist": "exponential", "maen": 1.2}, "patience_hours": "inf"}]}})",
     "/workloads/rentals/0/duration_hours/maen", R"(unknown key "maen"; did you mean "mean"?)"},
    {"unknown distribution name",
     R"({"name": "mmc", "start": "2026-01-01", "horizon": "1000d", "seed": 7,
        "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 64}]},
        "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 50}, "gpus": 1,
          "duration_hours": {"dist": "exponentail", "mean": 1.2}, "patience_hours": "inf"}]}})",
     "/workloads/rentals/0/duration_hours/dist",
     R"(unknown distribution "exponentail"; did you mean "exponential"?)"},
    // "H10" is one insertion from "H100" and at least two edits from every other id
    // ("A100" and "H200" are two).
    {"unknown GPU type",
     R"({"name": "mmc", "start": "2026-01-01", "horizon": "1000d", "seed": 7,
        "fleet": {"pools": [{"id": "p", "gpu": "H10", "count": 64}]},
        "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 50}, "gpus": 1,
          "duration_hours": {"dist": "exponential", "mean": 1.2}, "patience_hours": "inf"}]}})",
     "/fleet/pools/0/gpu", R"(unknown GPU type "H10"; did you mean "H100"?)"},
    {"negative count",
     R"({"name": "mmc", "start": "2026-01-01", "horizon": "1000d", "seed": 7,
        "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": -4}]},
        "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 50}, "gpus": 1,
          "duration_hours": {"dist": "exponential", "mean": 1.2}, "patience_hours": "inf"}]}})",
     "/fleet/pools/0/count", "out of range (got -4, expected a whole number >= 0)"},
    {"non-integer count",
     R"({"name": "mmc", "start": "2026-01-01", "horizon": "1000d", "seed": 7,
        "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 6.5}]},
        "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 50}, "gpus": 1,
          "duration_hours": {"dist": "exponential", "mean": 1.2}, "patience_hours": "inf"}]}})",
     "/fleet/pools/0/count", "wrong type (got 6.5, expected a whole number >= 0)"},
    {"string count",
     R"({"name": "mmc", "start": "2026-01-01", "horizon": "1000d", "seed": 7,
        "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": "64"}]},
        "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 50}, "gpus": 1,
          "duration_hours": {"dist": "exponential", "mean": 1.2}, "patience_hours": "inf"}]}})",
     "/fleet/pools/0/count", R"(wrong type (got "64", expected a whole number >= 0))"},
    {"missing name",
     R"({"start": "2026-01-01", "horizon": "1000d", "seed": 7,
        "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 64}]},
        "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 50}, "gpus": 1,
          "duration_hours": {"dist": "exponential", "mean": 1.2}, "patience_hours": "inf"}]}})",
     "/name", "missing required key (expected a string)"},
    {"missing start",
     R"({"name": "mmc", "horizon": "1000d", "seed": 7,
        "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 64}]},
        "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 50}, "gpus": 1,
          "duration_hours": {"dist": "exponential", "mean": 1.2}, "patience_hours": "inf"}]}})",
     "/start", "missing required key (expected YYYY-MM-DD)"},
    {"missing horizon",
     R"({"name": "mmc", "start": "2026-01-01", "seed": 7,
        "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 64}]},
        "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 50}, "gpus": 1,
          "duration_hours": {"dist": "exponential", "mean": 1.2}, "patience_hours": "inf"}]}})",
     "/horizon", "missing required key"},
    {"missing fleet",
     R"({"name": "mmc", "start": "2026-01-01", "horizon": "1000d", "seed": 7,
        "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 50}, "gpus": 1,
          "duration_hours": {"dist": "exponential", "mean": 1.2}, "patience_hours": "inf"}]}})",
     "/fleet", R"(missing required key (expected an object with "pools"))"},
    {"bad date format",
     R"({"name": "mmc", "start": "2026/01/01", "horizon": "1000d", "seed": 7,
        "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 64}]},
        "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 50}, "gpus": 1,
          "duration_hours": {"dist": "exponential", "mean": 1.2}, "patience_hours": "inf"}]}})",
     "/start", R"(not a date (got "2026/01/01", expected YYYY-MM-DD))"},
    // February 2026 has 28 days.
    {"impossible date",
     R"({"name": "mmc", "start": "2026-02-30", "horizon": "1000d", "seed": 7,
        "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 64}]},
        "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 50}, "gpus": 1,
          "duration_hours": {"dist": "exponential", "mean": 1.2}, "patience_hours": "inf"}]}})",
     "/start", R"(not a date (got "2026-02-30", expected YYYY-MM-DD))"},
    {"horizon with an unknown unit",
     R"({"name": "mmc", "start": "2026-01-01", "horizon": "5x", "seed": 7,
        "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 64}]},
        "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 50}, "gpus": 1,
          "duration_hours": {"dist": "exponential", "mean": 1.2}, "patience_hours": "inf"}]}})",
     "/horizon", R"(not a time span (got "5x", expected a number of hours or a string)"},
    {"negative horizon",
     R"({"name": "mmc", "start": "2026-01-01", "horizon": -24, "seed": 7,
        "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 64}]},
        "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 50}, "gpus": 1,
          "duration_hours": {"dist": "exponential", "mean": 1.2}, "patience_hours": "inf"}]}})",
     "/horizon", "out of range (got -24, expected a number of hours"},
    {"zero horizon",
     R"({"name": "mmc", "start": "2026-01-01", "horizon": "0d", "seed": 7,
        "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 64}]},
        "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 50}, "gpus": 1,
          "duration_hours": {"dist": "exponential", "mean": 1.2}, "patience_hours": "inf"}]}})",
     "/horizon", R"(out of range (got "0d", expected a span longer than zero))"},
    // A warmup as long as the horizon leaves nothing to measure.
    {"warmup as long as the horizon",
     R"({"name": "mmc", "start": "2026-01-01", "horizon": "1000d", "warmup": "1000d", "seed": 7,
        "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 64}]},
        "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 50}, "gpus": 1,
          "duration_hours": {"dist": "exponential", "mean": 1.2}, "patience_hours": "inf"}]}})",
     "/warmup", R"(out of range (got "1000d", expected less than the horizon "1000d"))"},
    {"retire before in_service",
     R"({"name": "mmc", "start": "2026-01-01", "horizon": "1000d", "seed": 7,
        "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 64,
                             "in_service": "2026-06-01", "retire": "2026-03-01"}]},
        "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 50}, "gpus": 1,
          "duration_hours": {"dist": "exponential", "mean": 1.2}, "patience_hours": "inf"}]}})",
     "/fleet/pools/0/retire",
     "dates out of order (got retire 2026-03-01, expected after in_service 2026-06-01)"},
    {"retire and life_years both given",
     R"({"name": "mmc", "start": "2026-01-01", "horizon": "1000d", "seed": 7,
        "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 64,
                             "retire": "2028-01-01", "life_years": 2}]},
        "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 50}, "gpus": 1,
          "duration_hours": {"dist": "exponential", "mean": 1.2}, "patience_hours": "inf"}]}})",
     "/fleet/pools/0/life_years", R"(give either "retire" or "life_years", not both)"},
    // The third segment (index 2) starts before the second.
    {"schedule dates out of order",
     R"({"name": "mmc", "start": "2026-01-01", "horizon": "1000d", "seed": 7,
        "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 64}]},
        "workloads": {"rentals": [{"id": "r",
          "arrivals": {"schedule": [{"from": "2026-01-01", "per_hour": 50},
                                    {"from": "2026-03-01", "per_hour": 60},
                                    {"from": "2026-02-01", "per_hour": 40}]},
          "gpus": 1,
          "duration_hours": {"dist": "exponential", "mean": 1.2}, "patience_hours": "inf"}]}})",
     "/workloads/rentals/0/arrivals/schedule/2/from",
     "dates out of order (got 2026-02-01, expected after 2026-03-01)"},
    {"both per_hour and schedule",
     R"({"name": "mmc", "start": "2026-01-01", "horizon": "1000d", "seed": 7,
        "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 64}]},
        "workloads": {"rentals": [{"id": "r",
          "arrivals": {"per_hour": 50, "schedule": [{"from": "2026-01-01", "per_hour": 50}]},
          "gpus": 1,
          "duration_hours": {"dist": "exponential", "mean": 1.2}, "patience_hours": "inf"}]}})",
     "/workloads/rentals/0/arrivals", R"(expected exactly one of "per_hour" and "schedule")"},
    {"negative per_hour",
     R"({"name": "mmc", "start": "2026-01-01", "horizon": "1000d", "seed": 7,
        "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 64}]},
        "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": -50}, "gpus": 1,
          "duration_hours": {"dist": "exponential", "mean": 1.2}, "patience_hours": "inf"}]}})",
     "/workloads/rentals/0/arrivals/per_hour", "out of range (got -50, expected a number >= 0)"},
    {"patience forever",
     R"({"name": "mmc", "start": "2026-01-01", "horizon": "1000d", "seed": 7,
        "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 64}]},
        "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 50}, "gpus": 1,
          "duration_hours": {"dist": "exponential", "mean": 1.2}, "patience_hours": "forever"}]}})",
     "/workloads/rentals/0/patience_hours",
     R"(wrong type (got "forever", expected a number of hours >= 0, "inf" or a distribution of hours))"},
    {"patience drawn from a bad distribution",
     R"({"name": "mmc", "start": "2026-01-01", "horizon": "10d", "seed": 7,
        "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 64}]},
        "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 50}, "gpus": 1,
          "duration_hours": 1, "patience_hours": {"dist": "exponential", "mean": -1}}]}})",
     "/workloads/rentals/0/patience_hours/mean",
     "out of range (got -1, expected a positive number)"},
    {"lognormal without sd",
     R"({"name": "mmc", "start": "2026-01-01", "horizon": "1000d", "seed": 7,
        "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 64}]},
        "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 50}, "gpus": 1,
          "duration_hours": {"dist": "lognormal", "mean": 1.2}, "patience_hours": "inf"}]}})",
     "/workloads/rentals/0/duration_hours/sd", "missing required key (expected a positive number)"},
    // low == high is the edge of low >= high: an empty interval.
    {"uniform with low equal to high",
     R"({"name": "mmc", "start": "2026-01-01", "horizon": "1000d", "seed": 7,
        "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 64}]},
        "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 50}, "gpus": 1,
          "duration_hours": {"dist": "uniform", "low": 3, "high": 3}, "patience_hours": "inf"}]}})",
     "/workloads/rentals/0/duration_hours", "expected low < high"},
    {"uniform with low above high",
     R"({"name": "mmc", "start": "2026-01-01", "horizon": "1000d", "seed": 7,
        "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 64}]},
        "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 50}, "gpus": 1,
          "duration_hours": {"dist": "uniform", "low": 4, "high": 2}, "patience_hours": "inf"}]}})",
     "/workloads/rentals/0/duration_hours", "expected low < high"},
    // Three values, two weights.
    {"empirical weights of the wrong length",
     R"({"name": "mmc", "start": "2026-01-01", "horizon": "1000d", "seed": 7,
        "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 64}]},
        "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 50},
          "gpus": {"dist": "empirical", "values": [1, 2, 4], "weights": [0.5, 0.5]},
          "duration_hours": {"dist": "exponential", "mean": 1.2}, "patience_hours": "inf"}]}})",
     "/workloads/rentals/0/gpus", R"(expected as many "weights" as "values")"},
    {"unknown pool id in a rental stream",
     R"({"name": "mmc", "start": "2026-01-01", "horizon": "1000d", "seed": 7,
        "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 64}]},
        "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 50}, "gpus": 1,
          "duration_hours": {"dist": "exponential", "mean": 1.2}, "patience_hours": "inf",
          "pools": ["p", "q"]}]}})",
     "/workloads/rentals/0/pools/1", R"(unknown pool (got "q", expected a pool id))"},
    // The second pool (index 1) repeats the first one's id.
    {"duplicate pool id",
     R"({"name": "mmc", "start": "2026-01-01", "horizon": "1000d", "seed": 7,
        "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 64},
                            {"id": "p", "gpu": "A100", "count": 8}]},
        "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 50}, "gpus": 1,
          "duration_hours": {"dist": "exponential", "mean": 1.2}, "patience_hours": "inf"}]}})",
     "/fleet/pools/1/id", R"(duplicate pool id "p")"},
    {"duplicate rental id",
     R"({"name": "mmc", "start": "2026-01-01", "horizon": "1000d", "seed": 7,
        "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 64}]},
        "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 50}, "gpus": 1,
          "duration_hours": {"dist": "exponential", "mean": 1.2}, "patience_hours": "inf"},
          {"id": "r", "arrivals": {"per_hour": 5}, "gpus": 8,
          "duration_hours": {"dist": "exponential", "mean": 10}, "patience_hours": 1}]}})",
     "/workloads/rentals/1/id", R"(duplicate workload id "r")"},
    // "fortnight" is at least four edits from every period, more than a third of its
    // nine letters, so no suggestion is made.
    {"unknown period",
     R"({"name": "mmc", "start": "2026-01-01", "horizon": "1000d", "seed": 7, "period": "fortnight",
        "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 64}]},
        "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 50}, "gpus": 1,
          "duration_hours": {"dist": "exponential", "mean": 1.2}, "patience_hours": "inf"}]}})",
     "/period", R"(unknown value "fortnight" (expected one of: day, week, month, quarter, year))"},
    {"catalog override of the wrong type",
     R"({"name": "mmc", "start": "2026-01-01", "horizon": "1000d", "seed": 7,
        "catalog": {"H100": {"tdp_w": "700W"}},
        "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 64}]},
        "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 50}, "gpus": 1,
          "duration_hours": {"dist": "exponential", "mean": 1.2}, "patience_hours": "inf"}]}})",
     "/catalog/H100/tdp_w", R"(wrong type (got "700W", expected a number >= 0))"},
    {"catalog rental price of the wrong type",
     R"({"name": "mmc", "start": "2026-01-01", "horizon": "1000d", "seed": 7,
        "catalog": {"H100": {"rental_usd_per_gpu_hour": {"spot": "cheap"}}},
        "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 64}]},
        "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 50}, "gpus": 1,
          "duration_hours": {"dist": "exponential", "mean": 1.2}, "patience_hours": "inf"}]}})",
     "/catalog/H100/rental_usd_per_gpu_hour/spot",
     R"(wrong type (got "cheap", expected a positive number))"},
    {"idle server power above the busy one",
     R"({"name": "mmc", "start": "2026-01-01", "horizon": "1000d", "seed": 7,
        "catalog": {"H100": {"server_idle_power_kw": 2}},
        "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 64}]},
        "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 50}, "gpus": 1,
          "duration_hours": {"dist": "exponential", "mean": 1.2}, "patience_hours": "inf"}]}})",
     "/catalog/H100/server_idle_power_kw",
     "out of range (got 2, expected at most the busy server_power_kw, 1.275)"},
    // RFC 6901: "/" inside a key is written "~1" in a pointer.
    {"catalog entry whose id holds a slash",
     R"({"name": "mmc", "start": "2026-01-01", "horizon": "1000d", "seed": 7,
        "catalog": {"lab/x1": {"name": "Lab X1", "tdp_w": -1}},
        "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 64}]},
        "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 50}, "gpus": 1,
          "duration_hours": {"dist": "exponential", "mean": 1.2}, "patience_hours": "inf"}]}})",
     "/catalog/lab~1x1/tdp_w", "out of range (got -1, expected a number >= 0)"},
};

}  // namespace

TEST_CASE("The unbroken scenario that the error cases start from loads", "[scenario][errors]") {
  const auto problems = problems_of(json::parse(kValidMmc));
  INFO(all_lines(problems));
  CHECK(problems.empty());
}

TEST_CASE("Each broken scenario is rejected with the JSON pointer of the problem",
          "[scenario][errors]") {
  REQUIRE(kBroken.size() >= 24);
  const auto broken = GENERATE(from_range(kBroken));
  INFO("case: " << broken.name);
  CAPTURE(broken.pointer, broken.fragment);
  const json doc = json::parse(broken.text);

  REQUIRE_THROWS_AS(aidc::load_scenario(doc, "bad.json"), ScenarioError);
  const auto problems = problems_of(doc);
  INFO("reported:\n" << all_lines(problems));
  const Diagnostic* found = find_at(problems, broken.pointer);
  REQUIRE(found != nullptr);
  CHECK(found->file == "bad.json");
  const std::string line = found->to_string();
  CHECK_THAT(line, Catch::StartsWith("bad.json: " + broken.pointer + ": "));
  CHECK_THAT(line, Catch::Contains(broken.fragment));
}

TEST_CASE("A bad horizon is reported once, not once more as a zero horizon", "[scenario][errors]") {
  // An unreadable horizon is one problem; it must not also be reported as
  // "expected a span longer than zero" because the loader fell back to zero.
  const auto text = GENERATE(as<std::string>{}, R"("5x")", "-24", "true");
  CAPTURE(text);
  json doc = json::parse(kValidMmc);
  doc["horizon"] = json::parse(text);
  const auto problems = problems_of(doc);
  INFO(all_lines(problems));
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].pointer == "/horizon");
}

TEST_CASE("A file with three separate problems reports all three", "[scenario][errors]") {
  // Problems in three unrelated places: a misspelled top-level key, a negative pool
  // size and an unreadable patience. None of them causes another one.
  const json doc = json::parse(R"({"name": "mmc", "start": "2026-01-01", "horizon": "1000d",
    "seeed": 7,
    "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": -64}]},
    "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 50}, "gpus": 1,
      "duration_hours": {"dist": "exponential", "mean": 1.2}, "patience_hours": "forever"}]}})");

  REQUIRE_THROWS_AS(aidc::load_scenario(doc, "bad.json"), ScenarioError);
  const auto problems = problems_of(doc);
  INFO(all_lines(problems));
  REQUIRE(problems.size() == 3);
  CHECK(find_at(problems, "/seeed") != nullptr);
  CHECK(find_at(problems, "/fleet/pools/0/count") != nullptr);
  CHECK(find_at(problems, "/workloads/rentals/0/patience_hours") != nullptr);

  // The exception's text lists them all, one per line.
  try {
    aidc::load_scenario(doc, "bad.json");
  } catch (const ScenarioError& e) {
    const std::string what = e.what();
    CHECK_THAT(what, Catch::Contains("bad.json: /seeed: unknown key \"seeed\"; did you mean "
                                     "\"seed\"?"));
    CHECK_THAT(what, Catch::Contains("bad.json: /fleet/pools/0/count: out of range (got -64"));
    CHECK_THAT(what, Catch::Contains("bad.json: /workloads/rentals/0/patience_hours: wrong type "
                                     "(got \"forever\""));
    CHECK(std::count(what.begin(), what.end(), '\n') == 2);
  }
}

namespace {
/// A file in the temporary folder that is removed when the test ends.
class TempFile {
 public:
  TempFile(const std::string& stem, const std::string& content) {
    static int counter = 0;
    path_ = (std::filesystem::temp_directory_path() /
             (stem + "-" + std::to_string(std::random_device{}()) + "-" +
              std::to_string(++counter) + ".json"))
                .string();
    std::ofstream(path_, std::ios::binary) << content;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};
}  // namespace

TEST_CASE("Malformed JSON is reported with the file name, line and column", "[scenario][errors]") {
  // Line 3 holds two members with no comma between them; the parser stops at the
  // end of the second key, which is on line 3 too: 2 spaces + "start" (7) + ':' + ' '
  // + "2026-01-01" (12) + ' ' + "horizon" (9) = column 33.
  const TempFile file("aidc-malformed",
                      "{\n"
                      "  \"name\": \"mmc\",\n"
                      "  \"start\": \"2026-01-01\" \"horizon\": \"1000d\",\n"
                      "  \"fleet\": {\"pools\": []}\n"
                      "}\n");
  REQUIRE_THROWS_AS(aidc::read_json_file(file.path()), ScenarioError);
  try {
    aidc::read_json_file(file.path());
  } catch (const ScenarioError& e) {
    REQUIRE(e.diagnostics().size() == 1);
    const Diagnostic& d = e.diagnostics()[0];
    CHECK(d.file == file.path());
    CHECK(d.pointer.empty());
    const std::string line = d.to_string();
    INFO(line);
    CHECK_THAT(line, Catch::StartsWith(file.path() + ": malformed JSON: "));
    CHECK_THAT(line, Catch::Contains("line 3, column 33"));
    // nlohmann's "[json.exception.parse_error.101]" prefix is removed.
    CHECK_THAT(line, !Catch::Contains("json.exception"));
  }
}

TEST_CASE("A file that cannot be opened is reported with its name", "[scenario][errors]") {
  const std::string path =
      (std::filesystem::temp_directory_path() / "aidc-no-such-dir-7f3a" / "missing.json").string();
  REQUIRE_THROWS_AS(aidc::read_json_file(path), ScenarioError);
  REQUIRE_THROWS_WITH(aidc::read_json_file(path),
                      path + ": cannot open the file for reading: no such file or folder");
}

TEST_CASE("A --set override replaces the value at its pointer", "[scenario][errors]") {
  json doc = json::parse(kValidMmc);
  aidc::apply_overrides(doc, {"/fleet/pools/0/count=80", "/horizon=30d"}, "bad.json");
  CHECK(doc.at("fleet").at("pools").at(0).at("count") == 80);
  // A value that is not JSON is taken as a string.
  CHECK(doc.at("horizon") == "30d");
  const aidc::Scenario s = aidc::load_scenario(doc, "bad.json");
  CHECK(s.pools.at(0).count == 80);
  CHECK(s.horizon.seconds == 30 * 24 * 3600);  // 30 days of 86,400 s
}

TEST_CASE("A --set override whose parent does not exist is an error naming its pointer",
          "[scenario][errors]") {
  // The mmc scenario has one pool, so /fleet/pools/3 does not exist; neither does
  // /fleet/racks.
  const auto pointer = GENERATE(as<std::string>{}, "/fleet/pools/3/count", "/fleet/racks/gpu");
  CAPTURE(pointer);
  json doc = json::parse(kValidMmc);
  const json before = doc;
  REQUIRE_THROWS_AS(aidc::apply_overrides(doc, {pointer + "=1"}, "bad.json"), ScenarioError);
  try {
    aidc::apply_overrides(doc, {pointer + "=1"}, "bad.json");
  } catch (const ScenarioError& e) {
    REQUIRE(e.diagnostics().size() == 1);
    CHECK(e.diagnostics()[0].pointer == pointer);
    CHECK_THAT(e.diagnostics()[0].to_string(), Catch::StartsWith("bad.json: " + pointer + ": ") &&
                                                   Catch::Contains("does not exist"));
  }
  CHECK(doc == before);
}

TEST_CASE("A --set assignment without a pointer and a value is an error", "[scenario][errors]") {
  json doc = json::parse(kValidMmc);
  REQUIRE_THROWS_WITH(
      aidc::apply_overrides(doc, {"horizon=30d"}, "bad.json"),
      Catch::StartsWith("bad.json: ") && Catch::Contains("expected /json/pointer=VALUE"));
}

TEST_CASE("A misspelled key set through an override is caught as an unknown key",
          "[scenario][errors]") {
  // The parent /fleet/pools/0 exists, so the override itself is accepted; the loader
  // then rejects the new key "cuont", two edits from "count".
  json doc = json::parse(kValidMmc);
  REQUIRE_NOTHROW(aidc::apply_overrides(doc, {"/fleet/pools/0/cuont=80"}, "bad.json"));
  const auto problems = problems_of(doc);
  INFO(all_lines(problems));
  const Diagnostic* found = find_at(problems, "/fleet/pools/0/cuont");
  REQUIRE(found != nullptr);
  CHECK_THAT(found->to_string(),
             Catch::StartsWith("bad.json: /fleet/pools/0/cuont: ") &&
                 Catch::Contains(R"(unknown key "cuont"; did you mean "count"?)"));
}

TEST_CASE("Ids are restricted to characters safe in CSV, SQL and file names", "[errors][ids]") {
  const json valid = json::parse(kValidMmc);
  const std::vector<std::string> bads = {
      "a,b", "a\"b", "a\nb", "../x", "a/b", "", ".hidden", "-x", "a b", std::string(65, 'a'), "é"};
  for (const std::string& bad : bads) {
    CAPTURE(bad);
    json pool = valid;
    pool["fleet"]["pools"][0]["id"] = bad;
    const auto problems = problems_of(pool);
    const Diagnostic* d = find_at(problems, "/fleet/pools/0/id");
    REQUIRE(d != nullptr);
    CHECK_THAT(d->message, Catch::Contains("not a valid id") || Catch::Contains("missing"));
    json stream = valid;
    stream["workloads"]["rentals"][0]["id"] = bad;
    CHECK(find_at(problems_of(stream), "/workloads/rentals/0/id") != nullptr);
    json named = valid;
    named["name"] = bad;
    CHECK(find_at(problems_of(named), "/name") != nullptr);
  }
  const std::vector<std::string> goods = {"a", "h100-east", "GB300_2026", "v1.2",
                                          std::string(64, 'z')};
  json catalog = valid;
  catalog["catalog"] = {{"my,gpu", {{"bf16_tflops", 1000}}}};
  CHECK(find_at(problems_of(catalog), "/catalog/my,gpu") != nullptr);
  for (const std::string& good : goods) {
    CAPTURE(good);
    json pool = valid;
    pool["fleet"]["pools"][0]["id"] = good;
    CHECK(problems_of(pool).empty());
  }
}
