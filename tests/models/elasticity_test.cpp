// Rental demand that answers to price: a stream's arrival rate times (price / reference)^e.
// The rates are checked exactly against hand values, and the simulated arrivals and revenue
// against closed forms, each within the 99% confidence interval of R independent
// replications (Student t, R - 1 degrees of freedom).

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aidc/experiment/statistics.hpp"
#include "aidc/scenario/errors.hpp"
#include "aidc/scenario/scenario.hpp"
#include "aidc/workload/simulation.hpp"
#include "support.hpp"

namespace {

using aidc::WorkClass;

/// 0.995 quantile of Student's t with 9 degrees of freedom (two-sided 99%).
constexpr double kElasticityT99Df9 = 3.2498;
constexpr int kElasticityReplications = 10;

/// The estimate of `x` with the half-width of its 99% interval (not 95%).
aidc::experiment::Estimate elasticity_interval(const std::vector<double>& x) {
  auto e = aidc::experiment::estimate(x);
  e.half_width = kElasticityT99Df9 * e.sd / std::sqrt(static_cast<double>(e.n));
  return e;
}

/// Arrivals of the first stream counted in the window, over the replications.
aidc::experiment::Estimate replicated_arrivals(const aidc::Scenario& s) {
  std::vector<double> x;
  x.reserve(kElasticityReplications);
  for (int r = 0; r < kElasticityReplications; ++r) {
    x.push_back(static_cast<double>(
        aidc::simulate(s, static_cast<std::uint64_t>(r)).streams.at(0).arrived));
  }
  return elasticity_interval(x);
}

/// One on-demand stream of short 1-GPU jobs on one small H100 pool (most requests are lost,
/// which keeps the runs short: only arrivals are counted), priced by `price` (JSON text).
nlohmann::json demand_doc(const std::string& arrivals, const std::string& elasticity,
                          const std::string& price, const std::string& horizon = "60d",
                          const std::string& warmup = "0d") {
  return nlohmann::json::parse(fmt::format(
      R"({{"name": "elastic", "start": "2026-01-01", "horizon": "{}", "warmup": "{}", "seed": 5,
          "fleet": {{"pools": [{{"id": "h", "gpu": "H100", "count": 1}}]}},
          "workloads": {{"rentals": [{{"id": "r", "arrivals": {}, "gpus": 1,
            "duration_hours": 0.01, "price_elasticity": {}}}]}},
          "finance": {{"prices": {{"on_demand": {}}}}}}})",
      horizon, warmup, arrivals, elasticity, price));
}

aidc::sim::Time elasticity_day(int day) { return aidc::sim::Time{day * aidc::sim::kSecondsPerDay}; }

void check_segments(const aidc::Scenario& s, const std::vector<aidc::RateSegment>& expected) {
  const auto& got = s.rentals.at(0).arrivals;
  REQUIRE(got.size() == expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    INFO("segment " << i);
    CHECK(got[i].from == expected[i].from);
    CHECK(got[i].per_hour == Approx(expected[i].per_hour).epsilon(1e-12));
  }
}

/// The problems load_scenario reports for `doc`, one per line; "" if it loads.
std::string elasticity_problems(const nlohmann::json& doc) {
  try {
    aidc::load_scenario(doc, "bad.json");
  } catch (const aidc::ScenarioError& e) {
    return aidc::test::all_lines(e.diagnostics());
  }
  return "";
}

}  // namespace

TEST_CASE("A stream priced at twice its reference arrives at 2^elasticity of its base rate",
          "[elasticity][pricing]") {
  // 40 requests an hour at the reference price 2.00; priced at 4.00 with elasticity -1.5 the
  // rate is 40 x 2^-1.5 = 14.142 an hour, and 60 days (1,440 h) see 20,365 arrivals.
  const auto s =
      aidc::load_scenario(demand_doc(R"({"per_hour": 40})",
                                     R"({"elasticity": -1.5, "reference_usd_per_gpu_hour": 2.0})",
                                     R"({"model": "fixed", "usd_per_gpu_hour": 4.0})"),
                          "elastic.json");
  const double rate = 40.0 * std::pow(2.0, -1.5);
  check_segments(s, {{aidc::sim::Time{}, rate}});
  const double expected = rate * 1440.0;
  const auto got = replicated_arrivals(s);
  CAPTURE(expected, got.mean, got.half_width);
  CHECK(std::abs(got.mean - expected) <= got.half_width);
  CHECK(got.half_width < 0.02 * expected);
}

TEST_CASE("A price step halfway changes the arrival rate at the step", "[elasticity][pricing]") {
  // 2.00 until 2026-01-31 (day 30), then 2.00 x 2 = 4.00; elasticity -1 at a reference of
  // 2.00: 30 an hour for the first 720 hours, 30 x (4/2)^-1 = 15 an hour for the next 720.
  const std::string elasticity = R"({"elasticity": -1, "reference_usd_per_gpu_hour": 2.0})";
  const std::string price = R"({"model": "schedule", "usd_per_gpu_hour": 2.0,
      "changes": [{"from": "2026-01-31", "factor": 2}]})";
  const auto whole =
      aidc::load_scenario(demand_doc(R"({"per_hour": 30})", elasticity, price), "elastic.json");
  check_segments(whole, {{aidc::sim::Time{}, 30.0}, {elasticity_day(30), 15.0}});

  SECTION("first half: 30 x 720 = 21,600 arrivals") {
    const auto s = aidc::load_scenario(demand_doc(R"({"per_hour": 30})", elasticity, price, "30d"),
                                       "elastic.json");
    const auto got = replicated_arrivals(s);
    CAPTURE(got.mean, got.half_width);
    CHECK(std::abs(got.mean - 21'600.0) <= got.half_width);
    CHECK(got.half_width < 0.02 * 21'600.0);
  }
  SECTION("second half: 15 x 720 = 10,800 arrivals") {
    const auto s = aidc::load_scenario(
        demand_doc(R"({"per_hour": 30})", elasticity, price, "60d", "30d"), "elastic.json");
    const auto got = replicated_arrivals(s);
    CAPTURE(got.mean, got.half_width);
    CHECK(std::abs(got.mean - 10'800.0) <= got.half_width);
    CHECK(got.half_width < 0.02 * 10'800.0);
  }
}

TEST_CASE("Elasticity cuts a rate schedule at the price steps and may take the index as reference",
          "[elasticity][pricing]") {
  // The rate is 10 an hour, 20 from 2024-06-01 (day 152); the H100 index is 4.00, then 3.00
  // from 2024-04-01 (day 91), and the on-demand price is the index + 25%: 5.00, then 3.75.
  const std::string arrivals = R"({"schedule": [{"from": "2024-01-01", "per_hour": 10},
                                                {"from": "2024-06-01", "per_hour": 20}]})";
  const std::string price = R"({"model": "market_index", "spread": 0.25, "index": {"H100": [
      {"from": "2024-01-01", "usd_per_gpu_hour": 4.0},
      {"from": "2024-04-01", "usd_per_gpu_hour": 3.0}]}})";
  auto doc = demand_doc(arrivals, R"({"elasticity": -1, "reference_usd_per_gpu_hour": 2.0})", price,
                        "365d");
  doc["start"] = "2024-01-01";
  SECTION("a fixed reference of 2.00, elasticity -1") {
    // 10 x 2/5 = 4; 10 x 2/3.75 = 5.3333; 20 x 2/3.75 = 10.6667.
    check_segments(aidc::load_scenario(doc, "elastic.json"), {{aidc::sim::Time{}, 4.0},
                                                              {elasticity_day(91), 20.0 / 3.75},
                                                              {elasticity_day(152), 40.0 / 3.75}});
  }
  SECTION("the index as reference, elasticity -2") {
    // price / index = 1.25 throughout: every rate times 1.25^-2 = 0.64.
    doc["workloads"]["rentals"][0]["price_elasticity"] =
        nlohmann::json::parse(R"({"elasticity": -2, "reference_usd_per_gpu_hour": "index"})");
    check_segments(
        aidc::load_scenario(doc, "elastic.json"),
        {{aidc::sim::Time{}, 6.4}, {elasticity_day(91), 6.4}, {elasticity_day(152), 12.8}});
  }
}

TEST_CASE("Revenue over price peaks where the hand calculation puts it", "[elasticity][pricing]") {
  // Spot at a fixed price p (utilization_spot with max_multiplier 1), willingness to pay
  // exponential with mean m = 4, elasticity e = -0.5 at a reference of 2.00, 100 requests an
  // hour at the reference, 1-GPU jobs of exponential length with mean 1 h, and 1,000 GPUs
  // (ample: about 110 busy at most). Customers who stay arrive at 100 (p/2)^-0.5 exp(-p/4)
  // an hour and pay p for E[duration] = 1 h, so over the 480-hour window (after a 2-day
  // warm-up) revenue is 100 (p/2)^-0.5 exp(-p/4) x p x 1 x 1 x 480, proportional to
  // p^(1+e) exp(-p/m), whose maximum is at p* = (1 + e) m = 2. Hand values:
  //   p = 1: 100 x 1.41421 x 0.778801 x 1 x 480 = 52,867
  //   p = 2: 100 x 1       x 0.606531 x 2 x 480 = 58,227
  //   p = 3: 100 x 0.816497 x 0.472367 x 3 x 480 = 55,539
  const auto revenue_at = [](double p) {
    const auto doc = nlohmann::json::parse(fmt::format(
        R"({{"name": "elastic-revenue", "start": "2026-01-01", "horizon": "22d", "warmup": "2d",
            "seed": 9, "fleet": {{"pools": [{{"id": "h", "gpu": "H100", "count": 1000}}]}},
            "workloads": {{"rentals": [{{"id": "r", "contract": "spot",
              "arrivals": {{"per_hour": 100}}, "gpus": 1,
              "duration_hours": {{"dist": "exponential", "mean": 1}},
              "price_elasticity": {{"elasticity": -0.5, "reference_usd_per_gpu_hour": 2.0}}}}]}},
            "finance": {{"prices": {{"spot": {{"model": "utilization_spot", "usd_per_gpu_hour": {},
              "max_multiplier": 1,
              "willingness_to_pay": {{"dist": "exponential", "mean": 4}}}}}}}}}})",
        p));
    const auto s = aidc::load_scenario(doc, "elastic.json");
    std::vector<double> x;
    x.reserve(kElasticityReplications);
    for (int r = 0; r < kElasticityReplications; ++r) {
      const auto result = aidc::simulate(s, static_cast<std::uint64_t>(r));
      x.push_back(result.totals.accrued_revenue_usd[aidc::index(WorkClass::spot)]);
    }
    return elasticity_interval(x);
  };
  const auto hand = [](double p) {
    return 100.0 * std::pow(p / 2.0, -0.5) * std::exp(-p / 4.0) * p * 1.0 * 1.0 * 480.0;
  };
  CHECK(hand(2.0) == Approx(58'227.0).epsilon(1e-4));
  const auto low = revenue_at(1.0);
  const auto best = revenue_at(2.0);
  const auto high = revenue_at(3.0);
  for (const auto& [p, got] : {std::pair{1.0, low}, std::pair{2.0, best}, std::pair{3.0, high}}) {
    CAPTURE(p, hand(p), got.mean, got.half_width);
    CHECK(std::abs(got.mean - hand(p)) <= got.half_width);
    CHECK(got.half_width < 0.02 * hand(p));
  }
  CHECK(best.mean > low.mean);
  CHECK(best.mean > high.mean);
}

TEST_CASE("Bad price elasticity input is reported with its JSON pointer", "[elasticity][errors]") {
  const std::string at = "/workloads/rentals/0/price_elasticity";
  const std::string fixed = R"({"model": "fixed", "usd_per_gpu_hour": 2})";
  const std::string ok = R"({"elasticity": -1, "reference_usd_per_gpu_hour": 2})";
  SECTION("no finance section") {
    auto doc = demand_doc(R"({"per_hour": 1})", ok, fixed);
    doc.erase("finance");
    CHECK_THAT(elasticity_problems(doc),
               Catch::Contains("bad.json: " + at +
                               ": the class \"on_demand\" of stream \"r\" has no price: the "
                               "scenario has no \"finance\" section"));
  }
  SECTION("no price for the stream's class") {
    auto doc = demand_doc(R"({"per_hour": 1})", ok, fixed);
    doc["finance"]["prices"] = nlohmann::json::parse(R"({"spot": {"model": "fixed"}})");
    CHECK_THAT(elasticity_problems(doc),
               Catch::Contains(at + ": the class \"on_demand\" of stream \"r\" has no price "
                                    "(expected \"finance\": {\"prices\": {\"on_demand\": ...}})"));
  }
  SECTION("a reference price of 0") {
    const auto doc = demand_doc(R"({"per_hour": 1})",
                                R"({"elasticity": -1, "reference_usd_per_gpu_hour": 0})", fixed);
    CHECK_THAT(elasticity_problems(doc),
               Catch::Contains(at + "/reference_usd_per_gpu_hour: out of range (got 0, expected "
                                    "a positive number)"));
  }
  SECTION("a positive elasticity") {
    const auto doc = demand_doc(R"({"per_hour": 1})",
                                R"({"elasticity": 1.5, "reference_usd_per_gpu_hour": 2})", fixed);
    CHECK_THAT(elasticity_problems(doc),
               Catch::Contains(at + "/elasticity: out of range (got 1.5, expected a number <= 0"));
  }
  SECTION("a GPU type the catalog does not have") {
    const auto doc =
        demand_doc(R"({"per_hour": 1})",
                   R"({"elasticity": -1, "reference_usd_per_gpu_hour": 2, "gpu": "H10"})", fixed);
    CHECK_THAT(elasticity_problems(doc),
               Catch::Contains(at + "/gpu: unknown GPU type \"H10\" (expected a catalog id); "
                                    "did you mean \"H100\"?"));
  }
  SECTION("a GPU type the stream may not use") {
    auto doc =
        demand_doc(R"({"per_hour": 1})",
                   R"({"elasticity": -1, "reference_usd_per_gpu_hour": 2, "gpu": "A100"})", fixed);
    doc["fleet"]["pools"].push_back({{"id", "a"}, {"gpu", "A100"}, {"count", 1}});
    doc["workloads"]["rentals"][0]["pools"] = {"h"};
    CHECK_THAT(elasticity_problems(doc),
               Catch::Contains(at + "/gpu: GPU type \"A100\" is not eligible for stream \"r\" "
                                    "(expected one of its pools' types the policy allows: H100)"));
  }
  SECTION("pools of two types and no gpu") {
    auto doc = demand_doc(R"({"per_hour": 1})", ok, fixed);
    doc["fleet"]["pools"].push_back({{"id", "a"}, {"gpu", "A100"}, {"count", 1}});
    CHECK_THAT(elasticity_problems(doc),
               Catch::Contains(at + "/gpu: missing required key: the eligible pools of stream "
                                    "\"r\" have more than one GPU type (expected one of: A100, "
                                    "H100)"));
  }
  SECTION("the index as reference of a price that follows no index") {
    const auto doc =
        demand_doc(R"({"per_hour": 1})",
                   R"({"elasticity": -1, "reference_usd_per_gpu_hour": "index"})", fixed);
    CHECK_THAT(elasticity_problems(doc),
               Catch::Contains(at + "/reference_usd_per_gpu_hour: \"index\" needs the price of "
                                    "class \"on_demand\" to follow a market index"));
  }
  SECTION("a price of 0") {
    const auto doc =
        demand_doc(R"({"per_hour": 1})", ok, R"({"model": "fixed", "usd_per_gpu_hour": 0})");
    CHECK_THAT(elasticity_problems(doc),
               Catch::Contains(at + ": the on_demand price of H100 is 0 on 2026-01-01 (expected "
                                    "a positive price to scale demand by)"));
  }
}
