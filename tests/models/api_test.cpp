// Model access sold by the token (class "api") against hand-worked cases: tokens served equal
// the integral of demand where the fleet has room and the capacity where it has not; revenue is
// tokens x price, input and output apart; lost tokens are priced alike; outside revenue, the
// overhead on it and the revenue share include it; the cost per million tokens is the
// statement lines' share of the GPU-hours that served them.

#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <string>

#include "aidc/finance/finance.hpp"
#include "aidc/run/output.hpp"
#include "aidc/scenario/errors.hpp"
#include "finance_support.hpp"

namespace {

using aidc::WorkClass;
using aidc::test::run_finance;
constexpr std::size_t kApi = aidc::index(WorkClass::api);

/// One H100 pool of `gpus` and one api stream of `demand` tokens/s (a GPU serves 20,000),
/// a tenth of them output, at 0.50 and 2.00 USD per million input and output tokens.
std::string api_scenario(int gpus, const std::string& demand, const std::string& extra_finance = "",
                         const std::string& extra_pools = "") {
  return fmt::format(R"({{"name": "api", "start": "2026-01-05", "horizon": "2d", "period": "day",
    "fleet": {{"pools": [{{"id": "h", "gpu": "H100", "count": {}}}{}]}},
    "workloads": {{"inference": [{{"id": "models", "class": "api", "unit": "tokens_per_second",
      "tokens_per_second_per_gpu": {{"H100": 20000, "GB200": 50000}}, "output_token_share": 0.1,
      "service_objective": 0.99, "demand": {}}}]}},
    "finance": {{"energy_usd_per_kwh": 0.1, "pue": 1.2, "facility_usd_per_kw_month": 150,
      "maintenance_fraction_per_year": 0.04, "network_storage_usd_per_gpu_hour": 0.05,
      "prices": {{"api": {{"model": "tokens", "usd_per_million_input_tokens": 0.5,
                            "usd_per_million_output_tokens": 2.0}}}}{}}}}})",
                     gpus, extra_pools, demand, extra_finance);
}

}  // namespace

TEST_CASE("An api workload with room serves the integral of its demand, billed by the token",
          "[api]") {
  // 500,000 tokens/s for 2 days on 100 H100s (25 needed): 8.64e10 tokens, 10% output.
  const auto run = run_finance(api_scenario(100, R"({"base_gpus": 500000})",
                                            R"(, "overhead_fraction_of_external_revenue": 0.1,
         "revenue_share": {"fraction": 0.2, "classes": ["api"]})"));
  const double tokens = 500000.0 * 86400.0 * 2.0;
  const auto& e = run.f.api_total;
  CHECK(e.input_tokens == Approx(0.9 * tokens).epsilon(1e-12));
  CHECK(e.output_tokens == Approx(0.1 * tokens).epsilon(1e-12));
  CHECK(e.lost_input_tokens + e.lost_output_tokens == Approx(0.0).margin(1e-3));
  // Revenue by hand: 7.776e10 x 0.5 + 8.64e9 x 2.0, per million.
  CHECK(e.revenue_input_usd == Approx(38880.0).epsilon(1e-12));
  CHECK(e.revenue_output_usd == Approx(17280.0).epsilon(1e-12));
  // Outside revenue, not internal value; the overhead and the revenue share apply to it.
  CHECK(run.f.total.revenue[kApi] == Approx(56160.0).epsilon(1e-12));
  CHECK(run.f.total.external_revenue() == Approx(56160.0).epsilon(1e-12));
  CHECK(run.f.total.internal_value() == 0.0);
  CHECK(run.f.total.overhead == Approx(5616.0).epsilon(1e-12));
  CHECK(run.f.total.revenue_share == Approx(11232.0).epsilon(1e-12));
  CHECK(e.revenue_shares_usd == Approx(5616.0 + 11232.0).epsilon(1e-12));
  // 25 GPUs for 48 hours.
  CHECK(e.gpu_hours == Approx(25.0 * 48.0).epsilon(1e-12));
  CHECK(run.r.totals.by_class[kApi] == 25 * 48 * 3600);
  REQUIRE(run.f.api_periods.size() == 2);
  CHECK(run.f.api_periods[0].tokens() == Approx(tokens / 2).epsilon(1e-12));
}

TEST_CASE("An api workload short of GPUs serves its capacity and loses the rest at its price",
          "[api]") {
  // 10 H100s at 20,000 tokens/s and 5 GB200s at 50,000: 450,000 tokens/s. Demand alternates
  // hour by hour between 600,000 (1.5 x 400,000) and 200,000 (0.5 x 400,000): served
  // sum min(demand, capacity) = 12 x 450,000 + 12 x 200,000 token-seconds/s a day.
  std::string diurnal;
  for (int h = 0; h < 24; ++h) diurnal += std::string(h ? ", " : "") + (h % 2 ? "0.5" : "1.5");
  const auto run = run_finance(
      api_scenario(10, fmt::format(R"({{"base_gpus": 400000, "diurnal": [{}]}})", diurnal), "",
                   R"(, {"id": "g", "gpu": "GB200", "count": 5})"));
  const double day = 3600.0;
  const double served = 2 * (12 * 450000.0 + 12 * 200000.0) * day;
  const double lost = 2 * 12 * 150000.0 * day;
  const auto& e = run.f.api_total;
  CHECK(e.tokens() == Approx(served).epsilon(1e-12));
  CHECK(e.lost_input_tokens + e.lost_output_tokens == Approx(lost).epsilon(1e-12));
  CHECK(e.lost_revenue_usd == Approx(lost * (0.9 * 0.5 + 0.1 * 2.0) / 1e6).epsilon(1e-12));
  CHECK(e.revenue_usd() == Approx(served * 0.65 / 1e6).epsilon(1e-12));
  // Each type's tokens: the GB200s (fastest) serve first; when demand falls to 200,000 the
  // slowest are given back first (all ten H100s, then one GB200), so four GB200s serve it all.
  CHECK(run.f.api_by_gpu.at("GB200").tokens() ==
        Approx(2 * (12 * 250000.0 + 12 * 200000.0) * day).epsilon(1e-12));
  CHECK(run.f.api_by_gpu.at("H100").tokens() == Approx(2 * 12 * 200000.0 * day).epsilon(1e-12));
  // The summary's service objective: 99% asked, 600,000 of 800,000 token-seconds/s served.
  const auto& j = aidc::summary_json(run.s, run.r, &run.f);
  CHECK(j.at("api").at("served_fraction").get<double>() == Approx(served / (served + lost)));
  CHECK(j.at("api").at("objective_met").get<bool>() == false);
  CHECK(j.at("api").at("periods_below_objective").get<int>() == 2);
}

TEST_CASE("The cost per million tokens is the served GPU-hours' share of the statement lines",
          "[api]") {
  SECTION("every GPU serves tokens: all of the pool's costs") {
    const auto run = run_finance(api_scenario(10, R"({"base_gpus": 1000000})"));
    const auto& t = run.f.total;
    const auto& e = run.f.api_total;
    CHECK(e.gpu_hours == Approx(10.0 * 48.0));
    // Energy of busy H100s by hand: 480 h x 1.275 kW x PUE 1.2 x 0.10 USD/kWh.
    CHECK(t.energy == Approx(480.0 * 1.275 * 1.2 * 0.1).epsilon(1e-12));
    const double cost = t.depreciation + t.facility + t.maintenance + t.energy + t.network_storage;
    CHECK(e.cost_usd == Approx(cost).epsilon(1e-12));
    CHECK(e.tokens() == Approx(10 * 20000.0 * 48 * 3600).epsilon(1e-12));
    const auto finance = aidc::finance_json(run.s, run.f);
    const auto& j = finance.at("api");
    CHECK(j.at("usd_per_million_tokens").at("cost").get<double>() ==
          Approx(cost / e.tokens() * 1e6).epsilon(1e-12));
    CHECK(j.at("usd_per_million_tokens").at("cost_per_output_token").get<double>() ==
          Approx(cost / (0.1 * e.tokens()) * 1e6).epsilon(1e-12));
  }
  SECTION("a quarter of the GPUs serve tokens: a quarter of the capacity costs") {
    const auto run = run_finance(api_scenario(100, R"({"base_gpus": 500000})"));
    const auto& t = run.f.total;
    const double busy_energy = 25 * 48.0 * 1.275 * 1.2 * 0.1;
    const double cost =
        0.25 * (t.depreciation + t.facility + t.maintenance) + busy_energy + 25 * 48.0 * 0.05;
    CHECK(run.f.api_total.cost_usd == Approx(cost).epsilon(1e-12));
  }
}

TEST_CASE("Token prices may fall and step on dates", "[api]") {
  // Halved from the second day: revenue = day 1 at full price + day 2 at half.
  const std::string text = R"({"name": "api", "start": "2026-01-05", "horizon": "2d",
    "period": "day", "fleet": {"pools": [{"id": "h", "gpu": "H100", "count": 100}]},
    "workloads": {"inference": [{"id": "m", "class": "api", "unit": "tokens_per_second",
      "tokens_per_second_per_gpu": 20000, "output_token_share": 0.1,
      "demand": {"base_gpus": 500000}}]},
    "finance": {"prices": {"api": {"model": "tokens", "usd_per_million_input_tokens": 0.5,
      "usd_per_million_output_tokens": 2.0,
      "changes": [{"from": "2026-01-06", "factor": 0.5, "label": "price cut"}]}}}})";
  const auto run = run_finance(text);
  CHECK(run.f.api_total.revenue_usd() == Approx(28080.0 * 1.5).epsilon(1e-12));
  CHECK(run.f.api_periods[1].revenue_usd() == Approx(14040.0).epsilon(1e-12));
}

TEST_CASE("The api class has its own rank: ranked first, it is served before inference", "[api]") {
  // 10 H100s; the api wants 8 (160,000 tokens/s), inference 6 H100-equivalents.
  auto text = [](const std::string& order) {
    return fmt::format(R"({{"name": "r", "start": "2026-01-05", "horizon": "1d", "period": "day",
      "fleet": {{"pools": [{{"id": "h", "gpu": "H100", "count": 10}}]}},
      "policy": {{"order": {}}},
      "workloads": {{"inference": [
        {{"id": "own", "demand": {{"base_gpus": 6}}}},
        {{"id": "m", "class": "api", "unit": "tokens_per_second",
          "tokens_per_second_per_gpu": 20000, "demand": {{"base_gpus": 160000}}}}]}}}})",
                       order);
  };
  const auto first = aidc::simulate(aidc::load_scenario(
      nlohmann::json::parse(text(R"(["api", "training", "inference"])")), "r.json"));
  CHECK(first.totals.by_class[kApi] == 8 * 24 * 3600);
  CHECK(first.inference_served_gpu_hours == Approx(2.0 * 24));
  const auto last = aidc::simulate(aidc::load_scenario(
      nlohmann::json::parse(text(R"(["training", "inference", "api"])")), "r.json"));
  CHECK(last.totals.by_class[kApi] == 4 * 24 * 3600);
  CHECK(last.inference_served_gpu_hours == Approx(6.0 * 24));
}

TEST_CASE("Bad api workloads are refused with the pointer and what was expected", "[api]") {
  auto problems = [](const std::string& text) {
    try {
      (void)aidc::load_scenario(nlohmann::json::parse(text), "bad.json");
    } catch (const aidc::ScenarioError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  const std::string base = R"({"name": "b", "start": "2026-01-05", "horizon": "1d",
    "fleet": {"pools": [{"id": "h", "gpu": "H100", "count": 10}]},)";
  const std::string api =
      R"({"id": "m", "class": "api", "unit": "tokens_per_second", "tokens_per_second_per_gpu": 100,
          "demand": {"base_gpus": 1}})";
  CHECK_THAT(problems(base + R"("workloads": {"inference": [)" + api +
                      R"(]}, "finance": {"prices": {}}})"),
             Catch::Contains("/finance/prices") && Catch::Contains("missing \"api\""));
  CHECK_THAT(problems(base + R"("workloads": {"inference": [)" + api +
                      R"(]}, "finance": {"prices": {"api": {"model": "fixed"}}}})"),
             Catch::Contains("/finance/prices/api") && Catch::Contains("billed by the token"));
  CHECK_THAT(problems(base + R"("workloads": {"inference": [{"id": "m", "class": "api",
               "demand": {"base_gpus": 1}}]}})"),
             Catch::Contains("/workloads/inference/0/unit") &&
                 Catch::Contains("expected \"tokens_per_second\""));
  CHECK_THAT(problems(base + R"("policy": {"order": ["training", "inference"]},
               "workloads": {"inference": [)" +
                      api + "]}}"),
             Catch::Contains("/policy/order") && Catch::Contains("class \"api\""));
  CHECK_THAT(problems(base + R"("workloads": {"inference": [{"id": "m", "class": "api",
               "unit": "tokens_per_second", "tokens_per_second_per_gpu": {"GB200": 5},
               "demand": {"base_gpus": 1}}]}})"),
             Catch::Contains("/workloads/inference/0/tokens_per_second_per_gpu") &&
                 Catch::Contains("no throughput for GPU type \"H100\""));
  CHECK_THAT(problems(base + R"("workloads": {"inference": [{"id": "m",
               "service_objective": 0.9, "demand": {"base_gpus": 1}}]}})"),
             Catch::Contains("/workloads/inference/0/service_objective") &&
                 Catch::Contains("only used with \"class\": \"api\""));
}
