// Statements against hand-worked cash flows, money conservation to the cent, dated price
// changes, break-even prices and the independence of GPU-hours from depreciation.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>

#include "aidc/finance/finance.hpp"
#include "aidc/scenario/scenario.hpp"
#include "aidc/workload/simulation.hpp"
#include "finance_support.hpp"

namespace {

/// Ten H100s bought on the start date, all held by one reserved contract for the year, so
/// every GPU-hour is known in advance: 10 x 8,760 h = 87,600 GPU-hours, all busy. They never
/// fail (the catalog's H100 has an MTBF).
std::string contract_scenario(const std::string& finance) {
  return R"({"name": "fin", "start": "2026-01-01", "horizon": "365d", "seed": 1,
    "catalog": {"H100": {"mtbf_hours": null}},
    "fleet": {"pools": [{"id": "h", "gpu": "H100", "count": 10, "in_service": "2026-01-01"}]},
    "workloads": {"contracts": [{"id": "k", "gpus": 10, "term_days": 365}]},
    "finance": )" +
         finance + "}";
}

using Run = aidc::test::FinanceRun;

constexpr std::size_t kReserved = aidc::index(aidc::WorkClass::reserved);

}  // namespace

TEST_CASE("A hand-worked year of one contract gives the expected statement", "[finance]") {
  // Capex: 10 x 50,000 (the catalog's all-in H100 figure) = 500,000, paid at the start.
  // Revenue: 87,600 GPU-h x 3.00 = 262,800.
  // Energy: 87,600 h x 1.275 kW (server power per H100) x PUE 1.3 x 0.08 USD/kWh = 11,615.76.
  // Maintenance: 2% of 500,000 a year for 8,760/8,766 of a year = 9,993.155...
  // Depreciation: straight line over 5 years of 365.25 days: 500,000 x 365/1826.25 = 99,931.55.
  const auto x = aidc::test::run_finance(contract_scenario(R"({"discount_rate": 0.1,
      "depreciation": {"model": "straight_line", "life_years": 5},
      "prices": {"reserved": {"model": "fixed", "usd_per_gpu_hour": 3.0}},
      "pue": 1.3, "energy_usd_per_kwh": 0.08, "maintenance_fraction_per_year": 0.02})"));
  REQUIRE(x.r.totals.by_class[kReserved] == 10LL * 8760 * 3600);
  const auto& t = x.f.total;
  CHECK(t.capex == Approx(500000.0).epsilon(1e-12));
  CHECK(t.revenue[kReserved] == Approx(262800.0).epsilon(1e-12));
  CHECK(t.energy == Approx(11615.76).epsilon(1e-12));
  CHECK(t.maintenance == Approx(500000.0 * 0.02 * 8760.0 / 8766.0).epsilon(1e-12));
  CHECK(t.depreciation == Approx(500000.0 * 365.0 / 1826.25).epsilon(1e-12));
  CHECK(t.ebitda() ==
        Approx(262800.0 - 11615.76 - 500000.0 * 0.02 * 8760.0 / 8766.0).epsilon(1e-12));
  CHECK(t.net_book_value == Approx(500000.0 - 500000.0 * 365.0 / 1826.25).epsilon(1e-12));
  CHECK(x.f.opening_net_book_value == 0.0);
  // NPV, by hand from the statements: monthly free cash flows discounted from each month's
  // end, plus the terminal value at the horizon: the ten GPUs at resale, 0.95 x 0.67^age of
  // their capex (the catalog's H100 curve) at 365 days of age.
  const double resale = 500000.0 * 0.95 * std::pow(0.67, 365.0 / 365.25);
  CHECK(x.f.terminal.method == "resale");
  CHECK(x.f.terminal.usd == Approx(resale).epsilon(1e-12));
  double expected = 0;
  for (std::size_t k = 0; k < x.f.periods.size(); ++k) {
    double end_s = 0;
    for (const auto& row : x.r.rows) {
      if (row.period == k) end_s = static_cast<double>(row.end.seconds);
    }
    double cash = x.f.periods[k].ebitda() - x.f.periods[k].capex;
    if (k + 1 == x.f.periods.size()) cash += resale;
    expected += cash / std::pow(1.1, end_s / (8766.0 * 3600.0));
  }
  CHECK(x.f.npv == Approx(expected).epsilon(1e-12));
  // ROIC: EBIT a year after tax (none here) over the capital employed, the book value at each
  // month's end averaged by the months' lengths: 500,000 x (1 - days to the month's end /
  // 1,826.25), weighted by the month's days, over 365 days.
  const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  double capital = 0;
  int elapsed = 0;
  for (const int d : days) {
    elapsed += d;
    capital += 500000.0 * (1.0 - elapsed / 1826.25) * d / 365.0;
  }
  const double ebit_a_year =
      (262800.0 - 11615.76 - 500000.0 * 0.02 * 8760.0 / 8766.0 - 500000.0 * 365.0 / 1826.25) *
      8766.0 / 8760.0;
  CHECK(x.f.roic == Approx(ebit_a_year / capital).epsilon(1e-12));
}

TEST_CASE("Money is conserved: rows add up to periods and periods to the totals, to the cent",
          "[finance]") {
  const auto x =
      aidc::test::run_finance(R"({"name": "m", "start": "2026-01-01", "horizon": "2y", "seed": 3,
    "fleet": {"pools": [{"id": "a", "gpu": "A100", "count": 300, "in_service": "2022-01-01"},
                        {"id": "b", "gpu": "H100", "count": 200}]},
    "workloads": {"rentals": [
      {"id": "od", "arrivals": {"per_hour": 10}, "gpus": 8, "duration_hours": {"dist": "exponential", "mean": 5}},
      {"id": "sp", "contract": "spot", "arrivals": {"per_hour": 10}, "gpus": 4, "duration_hours": 3}]},
    "finance": {"prices": {"on_demand": {"model": "generational_decay", "decline_per_year": 0.2},
                           "spot": {"model": "schedule", "changes": [{"from": "2026-05-20", "factor": 1.3}]}},
      "overhead_usd_per_year": 1000000, "overhead_fraction_of_external_revenue": 0.05,
      "revenue_share": {"fraction": 0.1}, "facility_usd_per_kw_month": 120,
      "depreciation": {"model": "macrs", "recovery_years": 5}}})");
  aidc::Statement sum;
  for (const auto& p : x.f.periods) sum.add(p, false);
  const auto& t = x.f.total;
  CHECK(std::abs(sum.external_revenue() - t.external_revenue()) < 0.01);
  CHECK(std::abs(sum.costs() - t.costs()) < 0.01);
  CHECK(std::abs(sum.depreciation - t.depreciation) < 0.01);
  CHECK(std::abs(sum.ebitda() - t.ebitda()) < 0.01);
  aidc::Statement rows;
  for (const auto& r : x.f.rows) rows.add(r, true);
  CHECK(std::abs(rows.ebitda() - t.ebitda()) < 0.01);
  // The fixed overhead is spread over the rows and adds back to 1,000,000 a year exactly.
  const double years = 730.0 / 365.25;  // 2026-01-01 to 2028-01-01
  CHECK(std::abs(t.overhead - 0.05 * t.external_revenue() - 1000000.0 * years) < 0.01);
  CHECK(std::abs(t.revenue_share - 0.1 * t.external_revenue()) < 0.01);
}

TEST_CASE("A scheduled price hike takes effect on its date", "[finance]") {
  // 2.00 USD/GPU-h, +15% from 2026-02-15, on an indexed contract (it pays the price in force).
  // February (28 days): 14 days at 2.00 and 14 at 2.30 on 10 GPUs: 3,360 GPU-h x 2.00 + 3,360 x
  // 2.30 = 6,720 + 7,728 = 14,448.
  std::string text = contract_scenario(R"({"prices": {"reserved": {"model": "schedule",
      "usd_per_gpu_hour": 2.0, "changes": [{"from": "2026-02-15", "factor": 1.15}]}}})");
  const std::string term = R"("term_days": 365)";
  text.replace(text.find(term), term.size(), term + R"(, "price": "indexed")");
  const auto x = aidc::test::run_finance(text);
  REQUIRE(x.f.periods.size() == 12);
  CHECK(x.f.periods[0].revenue[kReserved] == Approx(10 * 744 * 2.0).epsilon(1e-12));
  CHECK(x.f.periods[1].revenue[kReserved] == Approx(14448.0).epsilon(1e-12));
  CHECK(x.f.periods[2].revenue[kReserved] == Approx(10 * 744 * 2.3).epsilon(1e-12));
}

TEST_CASE("At the break-even price, renting idle GPUs adds zero profit, within a cent",
          "[finance]") {
  const std::string costs = R"("pue": 1.2, "energy_usd_per_kwh": 0.11, "idle_power_fraction": 0.35,
      "network_storage_usd_per_gpu_hour": 0.04, "overhead_fraction_of_external_revenue": 0.08,
      "revenue_share": {"fraction": 0.05})";
  // The same fleet idle all year: no revenue, idle energy and the fixed costs.
  const auto idle = aidc::test::run_finance(
      R"({"name": "idle", "start": "2026-01-01", "horizon": "365d", "seed": 1,
    "fleet": {"pools": [{"id": "h", "gpu": "H100", "count": 10, "in_service": "2026-01-01"}]},
    "finance": {)" +
      costs + "}}");
  REQUIRE(idle.f.break_even.size() == 1);
  const double price = idle.f.break_even[0].cash_usd_per_gpu_hour;
  // Hand check: (1 - 0.35) x 1.275 kW x 1.2 x 0.11 + 0.04 = 0.14939, over (1 - 0.08 - 0.05).
  CHECK(price == Approx((0.65 * 1.275 * 1.2 * 0.11 + 0.04) / 0.87).epsilon(1e-12));
  const auto rented = aidc::test::run_finance(
      contract_scenario(R"({"prices": {"reserved": {"model": "fixed", "usd_per_gpu_hour": )" +
                        std::to_string(price) + "}}, " + costs + "}"));
  // std::to_string keeps 6 decimals: the price error is below 5e-7 USD per GPU-hour, at most
  // 0.05 USD over 87,600 GPU-hours; the profit at the exact price is computed from it.
  const double hours = 87600.0;
  const double price_error = std::stod(std::to_string(price)) - price;
  const double extra = rented.f.total.ebitda() - idle.f.total.ebitda() - price_error * hours * 0.87;
  CHECK(std::abs(extra) < 0.01);
}

TEST_CASE("Idle GPUs draw the catalog's idle server power unless the section states a share",
          "[finance]") {
  // Ten H100s idle for 30 days, never failing: 7,200 idle GPU-hours, at PUE 1 and 0.10 USD/kWh.
  auto idle_month = [](const std::string& catalog, const std::string& finance) {
    return aidc::test::run_finance(R"({"name": "idle", "start": "2026-01-01", "horizon": "30d",
      "seed": 1, "catalog": {"H100": {"mtbf_hours": null)" +
                                   catalog + R"(}},
      "fleet": {"pools": [{"id": "h", "gpu": "H100", "count": 10}]},
      "finance": {"pue": 1, "energy_usd_per_kwh": 0.1)" +
                                   finance + "}}");
  };
  const double hours = 10 * 720.0;
  SECTION("the catalog's idle power: 0.3825 kW, 30% of the H100's 1.275 (an assumption)") {
    const auto x = idle_month("", "");
    CHECK(x.f.total.energy == Approx(hours * 0.3825 * 0.1).epsilon(1e-12));  // 275.40
    // Renting an idle GPU adds the busy power less the idle power: (1.275 - 0.3825) x 0.1.
    REQUIRE(x.f.break_even.size() == 1);
    CHECK(x.f.break_even[0].cash_usd_per_gpu_hour == Approx(0.08925).epsilon(1e-12));
    const auto conventions = aidc::finance_conventions(*x.s.finance);
    const auto energy = std::find_if(conventions.begin(), conventions.end(),
                                     [](const auto& c) { return c.first == "energy"; });
    REQUIRE(energy != conventions.end());
    CHECK_THAT(energy->second, Catch::Contains("server_idle_power_kw"));
  }
  SECTION("a scenario's own idle power for the type") {
    const auto x = idle_month(R"(, "server_idle_power_kw": 0.2)", "");
    CHECK(x.f.total.energy == Approx(hours * 0.2 * 0.1).epsilon(1e-12));  // 144.00
  }
  SECTION("a stated idle_power_fraction overrides the catalog's idle power, for every type") {
    const auto x =
        idle_month(R"(, "server_idle_power_kw": 0.2)", R"(, "idle_power_fraction": 0.5)");
    CHECK(x.f.total.energy == Approx(hours * 0.5 * 1.275 * 0.1).epsilon(1e-12));  // 459.00
    REQUIRE(x.f.break_even.size() == 1);
    CHECK(x.f.break_even[0].cash_usd_per_gpu_hour == Approx(0.5 * 1.275 * 0.1).epsilon(1e-12));
    const auto conventions = aidc::finance_conventions(*x.s.finance);
    const auto energy = std::find_if(conventions.begin(), conventions.end(),
                                     [](const auto& c) { return c.first == "energy"; });
    REQUIRE(energy != conventions.end());
    CHECK_THAT(energy->second, Catch::Contains("50% of it"));
  }
}

TEST_CASE("A pool is charged no chip price for capex and no board power for energy",
          "[finance][errors]") {
  // Without an all-in capex or a server power there is no silent stand-in: the scenario is
  // refused, each problem at the key that would give the missing figure.
  auto load = [](const std::string& catalog, const std::string& finance) {
    return aidc::load_scenario(nlohmann::json::parse(
                                   R"({"name": "x", "start": "2026-01-01", "horizon": "30d",
      "catalog": {"A100": {)" + catalog +
                                   R"(}},
      "fleet": {"pools": [{"id": "a", "gpu": "A100", "count": 8}]}, "finance": {)" +
                                   finance + "}}"),
                               "x.json");
  };
  CHECK_THROWS_WITH(load(R"("allin_capex_usd": null)", ""),
                    Catch::Contains("x.json: /finance/pools/a/capex_usd_per_gpu: missing "
                                    "required key: pool \"a\" is bought and its GPU type "
                                    "\"A100\" has no all-in capex in the catalog "
                                    "(allin_capex_usd: null; price_usd, 10000, is the GPU alone)"));
  CHECK_NOTHROW(
      load(R"("allin_capex_usd": null)", R"("pools": {"a": {"capex_usd_per_gpu": 9000}})"));
  CHECK_NOTHROW(
      load(R"("allin_capex_usd": null)", R"("pools": {"a": {"lease_usd_per_gpu_hour": 1}})"));
  CHECK_THROWS_WITH(load(R"("server_power_kw": null)", ""),
                    Catch::Contains("x.json: /catalog/A100/server_power_kw: missing required key: "
                                    "GPU type \"A100\" of pool \"a\" has no server power "
                                    "(server_power_kw: null; tdp_w, 400, is the board alone)"));
  CHECK_THROWS_WITH(load(R"("server_idle_power_kw": null)", ""),
                    Catch::Contains("x.json: /catalog/A100/server_idle_power_kw: missing required "
                                    "key: GPU type \"A100\" of pool \"a\" has no idle server "
                                    "power"));
  CHECK_NOTHROW(load(R"("server_idle_power_kw": null)", R"("idle_power_fraction": 0.3)"));
  // Without a finance section nothing is priced, and nothing is required.
  CHECK_NOTHROW(aidc::load_scenario(nlohmann::json::parse(R"({"name": "x", "start": "2026-01-01",
      "horizon": "30d", "catalog": {"A100": {"allin_capex_usd": null, "server_power_kw": null}},
      "fleet": {"pools": [{"id": "a", "gpu": "A100", "count": 8}]}})"),
                                    "x.json"));
}

TEST_CASE("The depreciation model changes the statements but never the GPU-hours", "[finance]") {
  const std::string base = R"({"name": "d", "start": "2026-01-01", "horizon": "2y", "seed": 4,
    "fleet": {"pools": [{"id": "h", "gpu": "H100", "count": 64}]},
    "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 30}, "gpus": 1,
      "duration_hours": {"dist": "exponential", "mean": 2}, "patience_hours": 1}]},
    "finance": {"depreciation": DEP}})";
  auto with = [&](const std::string& dep) {
    std::string text = base;
    text.replace(text.find("DEP"), 3, dep);
    return aidc::test::run_finance(text);
  };
  const auto a = with(R"({"model": "straight_line", "life_years": 4})");
  const auto b = with(R"({"model": "macrs", "recovery_years": 5})");
  REQUIRE(a.r.rows.size() == b.r.rows.size());
  for (std::size_t i = 0; i < a.r.rows.size(); ++i) {
    CHECK(a.r.rows[i].gpu_seconds.busy == b.r.rows[i].gpu_seconds.busy);
    CHECK(a.r.rows[i].gpu_seconds.installed == b.r.rows[i].gpu_seconds.installed);
  }
  CHECK(a.f.total.ebitda() == b.f.total.ebitda());
  CHECK(a.f.total.depreciation != b.f.total.depreciation);
}

TEST_CASE("A dated electricity price takes effect on its date", "[finance]") {
  // 10 busy H100s at 1.275 kW each with PUE 1: 12.75 kW. March: 14 days at 0.10 USD/kWh and
  // 17 days at 0.20: 12.75 x (14 x 24 x 0.10 + 17 x 24 x 0.20) = 12.75 x 115.2 = 1,468.80.
  const auto x = aidc::test::run_finance(contract_scenario(R"({"pue": 1.0, "energy_usd_per_kwh": [
      {"from": "2026-01-01", "usd_per_kwh": 0.10}, {"from": "2026-03-15", "usd_per_kwh": 0.20}]})"));
  REQUIRE(x.f.periods.size() == 12);
  CHECK(x.f.periods[0].energy == Approx(12.75 * 744 * 0.10).epsilon(1e-12));
  CHECK(x.f.periods[2].energy == Approx(1468.8).epsilon(1e-12));
  CHECK(x.f.periods[3].energy == Approx(12.75 * 720 * 0.20).epsilon(1e-12));
}

TEST_CASE("Inference priced by tokens earns tokens served times the price per token", "[finance]") {
  // 10 H100s serve a flat demand of 10 GPUs all year: 87,600 GPU-hours. One H100 serves
  // 1,000 tokens/s = 3.6M tokens an hour, 10% of them output: 0.9 x 3.00 + 0.1 x 15.00 =
  // 4.20 USD per million, so 15.12 USD per GPU-hour and 1,324,512 USD in the year.
  const auto x = aidc::test::run_finance(
      R"({"name": "tok", "start": "2026-01-01", "horizon": "365d", "seed": 1,
    "catalog": {"H100": {"inference_factor": 1}},
    "fleet": {"pools": [{"id": "h", "gpu": "H100", "count": 10, "in_service": "2026-01-01"}]},
    "workloads": {"inference": [{"id": "api", "demand": {"base_gpus": 10}}]},
    "finance": {"prices": {"inference": {"model": "tokens", "usd_per_million_input_tokens": 3,
      "usd_per_million_output_tokens": 15, "output_token_share": 0.1,
      "tokens_per_second_per_gpu": 1000}}}})");
  const std::size_t inference = aidc::index(aidc::WorkClass::inference);
  REQUIRE(x.r.totals.by_class[inference] == 10LL * 8760 * 3600);
  CHECK(x.f.total.revenue[inference] == Approx(1324512.0).epsilon(1e-12));
}

TEST_CASE("TCO per H100-equivalent hour served weighs each GPU-hour by the work it does",
          "[finance]") {
  // The hand-worked year above with an H100 that trains twice as fast as the catalog's: its
  // 87,600 reserved GPU-hours are 175,200 H100-equivalent hours. Costs: energy 11,615.76,
  // maintenance 500,000 x 0.02 x 8,760 / 8,766 and depreciation 500,000 x 365 / 1,826.25.
  std::string text = contract_scenario(R"({"discount_rate": 0.1,
      "depreciation": {"model": "straight_line", "life_years": 5},
      "prices": {"reserved": {"model": "fixed", "usd_per_gpu_hour": 3.0}},
      "pue": 1.3, "energy_usd_per_kwh": 0.08, "maintenance_fraction_per_year": 0.02})");
  text.replace(text.find("\"mtbf_hours\": null"), 18,
               R"("mtbf_hours": null, "training_factor": 2)");
  const auto x = aidc::test::run_finance(text);
  const double cost = 11615.76 + 500000.0 * 0.02 * 8760.0 / 8766.0 + 500000.0 * 365.0 / 1826.25;
  CHECK(x.f.h100e_gpu_hours_served == Approx(175200.0).epsilon(1e-12));
  CHECK(x.f.tco_usd_per_h100e_hour_served == Approx(cost / 175200.0).epsilon(1e-12));
  CHECK(x.f.tco_usd_per_busy_gpu_hour == Approx(cost / 87600.0).epsilon(1e-12));

  // Inference counts what was served, not what was held: ten H100s at half an H100's
  // inference each serve a flat 4 H100-equivalents, 4 x 8,760 = 35,040 hours, on the 8 GPUs
  // the demand needs. The same costs divide by the work, however many GPUs did it.
  const auto y = aidc::test::run_finance(
      R"({"name": "inf", "start": "2026-01-01", "horizon": "365d", "seed": 1,
    "catalog": {"H100": {"inference_factor": 0.5, "mtbf_hours": null}},
    "fleet": {"pools": [{"id": "h", "gpu": "H100", "count": 10, "in_service": "2026-01-01"}]},
    "workloads": {"inference": [{"id": "chat", "demand": {"base_gpus": 4}}]},
    "finance": {"prices": {"inference": {"model": "fixed", "usd_per_gpu_hour": 2}}}})");
  CHECK(y.r.inference_served_gpu_hours == Approx(35040.0).epsilon(1e-12));
  CHECK(y.f.h100e_gpu_hours_served == Approx(35040.0).epsilon(1e-12));
  const double busy = static_cast<double>(y.r.totals.busy) / 3600.0;
  CHECK(busy == Approx(8.0 * 8760.0).epsilon(1e-12));
  CHECK(y.f.tco_usd_per_h100e_hour_served * 35040.0 ==
        Approx(y.f.tco_usd_per_busy_gpu_hour * busy).epsilon(1e-12));
}

TEST_CASE("Reserved contracts pay the discount their term reaches, for the whole term",
          "[finance]") {
  // 4.00 USD/GPU-hour before discount; 30% off from 365 days, 50% from 1,095. Contract "year"
  // (10 GPUs, 365 days) pays 2.80; contract "short" (5 GPUs, 100 days) pays 4.00:
  // 10 x 8,760 x 2.80 + 5 x 2,400 x 4.00 = 245,280 + 48,000 = 293,280. The GPUs never fail
  // (the catalog's H100 has an MTBF), so the contracts hold every GPU for every hour.
  const auto x = aidc::test::run_finance(
      R"({"name": "res", "start": "2026-01-01", "horizon": "365d", "seed": 1,
    "catalog": {"H100": {"mtbf_hours": null}},
    "fleet": {"pools": [{"id": "a", "gpu": "H100", "count": 10}, {"id": "b", "gpu": "H100", "count": 5}]},
    "workloads": {"contracts": [
      {"id": "year", "gpus": 10, "term_days": 365, "pools": ["a"]},
      {"id": "short", "gpus": 5, "term_days": 100, "pools": ["b"]}]},
    "finance": {"prices": {"reserved": {"model": "reserved", "usd_per_gpu_hour": 4.0,
      "discounts": [{"min_term_days": 365, "discount": 0.3}, {"min_term_days": 1095, "discount": 0.5}]}}}})");
  CHECK(x.r.totals.by_class[kReserved] == (10LL * 8760 + 5LL * 2400) * 3600);
  CHECK(x.f.total.revenue[kReserved] == Approx(293280.0).epsilon(1e-9));
}

TEST_CASE("Utilization spot prices rise with utilization and customers below them walk away",
          "[finance]") {
  const std::size_t spot = aidc::index(aidc::WorkClass::spot);
  SECTION("half the pool busy: the quote is base x (1 + 2 x 0.5^2) = 1.5 base") {
    // A contract holds 50 of 100 GPUs all year; short spot jobs (36 s, 0.5 an hour) rarely
    // overlap, so almost every quote is at utilization 50/100: 2.00 x 1.5 = 3.00 (3.04 at 51%).
    const auto x = aidc::test::run_finance(
        R"({"name": "us", "start": "2026-01-01", "horizon": "365d", "seed": 2,
      "fleet": {"pools": [{"id": "h", "gpu": "H100", "count": 100}]},
      "workloads": {"contracts": [{"id": "k", "gpus": 50, "term_days": 365}],
        "rentals": [{"id": "s", "contract": "spot", "arrivals": {"per_hour": 0.5}, "gpus": 1,
                     "duration_hours": 0.01}]},
      "finance": {"prices": {"reserved": {"model": "fixed", "usd_per_gpu_hour": 1.0},
        "spot": {"model": "utilization_spot", "usd_per_gpu_hour": 2.0, "max_multiplier": 3,
                 "exponent": 2}}}})");
    const double hours = static_cast<double>(x.r.totals.by_class[spot]) / 3600.0;
    REQUIRE(hours > 0);
    const double mean_price = x.f.total.revenue[spot] / hours;
    CHECK(mean_price >= 3.0 - 1e-9);
    CHECK(mean_price < 3.0 * 1.002);
    CHECK(x.r.streams[0].declined == 0);
  }
  SECTION("willingness to pay uniform on 0-4 against a quote of about 2: half walk away") {
    // 1,000 idle GPUs: utilization stays near 0, so the quote is about 2.00, and a customer
    // pays at least that with probability 1/2. About 4,380 arrivals: 4 sd = 4 x sqrt(0.25/4380).
    const auto x = aidc::test::run_finance(
        R"({"name": "wtp", "start": "2026-01-01", "horizon": "365d", "seed": 3,
      "fleet": {"pools": [{"id": "h", "gpu": "H100", "count": 1000}]},
      "workloads": {"rentals": [{"id": "s", "contract": "spot", "arrivals": {"per_hour": 0.5},
                                 "gpus": 1, "duration_hours": 0.01}]},
      "finance": {"prices": {"spot": {"model": "utilization_spot", "usd_per_gpu_hour": 2.0,
        "willingness_to_pay": {"dist": "uniform", "low": 0, "high": 4}}}}})");
    const auto& st = x.r.streams[0];
    REQUIRE(st.arrived > 4000);
    CHECK(st.arrived ==
          st.served + st.lost + st.refused + st.declined + st.reneged + st.waiting_at_end);
    const double declined = static_cast<double>(st.declined) / static_cast<double>(st.arrived);
    CHECK(std::abs(declined - 0.5) < 4 * std::sqrt(0.25 / static_cast<double>(st.arrived)));
  }
}

TEST_CASE("A leased pool pays rent on its installed GPU-hours and has no capex or depreciation",
          "[finance]") {
  // 100 H100s for 30 days (720 h), all held by one contract: 72,000 GPU-hours. Leased at 2.00
  // USD per GPU-hour the rent is 72,000 x 2.00 = 144,000. The same pool owned costs 100 x
  // 50,000 = 5,000,000 of capex and depreciates; leased it has neither. With no maintenance
  // (a share of capex) every other line is the same, so EBITDA falls by the rent exactly.
  const std::string text = R"({"name": "lease", "start": "2026-01-01", "horizon": "30d",
    "seed": 1, "fleet": {"pools": [{"id": "h", "gpu": "H100", "count": 100}]},
    "workloads": {"contracts": [{"id": "k", "gpus": 100, "term_days": 30}]},
    "finance": {"prices": {"reserved": {"model": "fixed", "usd_per_gpu_hour": 3.0}},
                "pue": 1.2, "energy_usd_per_kwh": 0.08 POOLS}})";
  auto with = [&](const std::string& pools) {
    std::string doc = text;
    doc.replace(doc.find("POOLS"), 5, pools);
    return aidc::test::run_finance(doc);
  };
  const auto owned = with("");
  const auto leased = with(R"(, "pools": {"h": {"lease_usd_per_gpu_hour": 2.0}})");
  REQUIRE(leased.r.totals.installed == 100LL * 720 * 3600);
  const auto& t = leased.f.total;
  CHECK(t.lease == Approx(144000.0).epsilon(1e-12));
  CHECK(t.capex == 0.0);
  CHECK(t.depreciation == 0.0);
  CHECK(t.net_book_value == 0.0);
  CHECK(leased.f.opening_net_book_value == 0.0);
  CHECK(owned.f.total.lease == 0.0);
  CHECK(owned.f.total.capex == Approx(5000000.0).epsilon(1e-12));
  CHECK(owned.f.total.depreciation > 0.0);
  CHECK(t.costs() == Approx(owned.f.total.costs() + 144000.0).epsilon(1e-12));
  CHECK(owned.f.total.ebitda() - t.ebitda() == Approx(144000.0).epsilon(1e-12));
  // Revenue 72,000 x 3.00 = 216,000 and energy 72,000 x 1.275 kW x 1.2 x 0.08 = 8,812.80.
  CHECK(t.ebitda() == Approx(216000.0 - 8812.8 - 144000.0).epsilon(1e-12));
  // Every GPU-hour was rented, so the full-cost break-even price is the cost of a busy hour:
  // the energy 1.275 kW x 1.2 x 0.08 = 0.1224 and the rent 144,000 / 72,000 = 2.00.
  REQUIRE(leased.f.break_even.size() == 1);
  REQUIRE(leased.f.break_even[0].full_cost_usd_per_gpu_hour);
  CHECK(*leased.f.break_even[0].full_cost_usd_per_gpu_hour == Approx(2.1224).epsilon(1e-12));
  CHECK(leased.f.break_even[0].utilization == 1.0);
}

TEST_CASE("A lease with capex or depreciation, and a misspelled lease key, are rejected",
          "[finance][errors]") {
  auto load = [](const std::string& pool) {
    aidc::load_scenario(nlohmann::json::parse(R"({"name": "l", "start": "2026-01-01",
      "horizon": "30d", "fleet": {"pools": [{"id": "h", "gpu": "H100", "count": 10}]},
      "finance": {"pools": {"h": )" + pool + "}}}"),
                        "l.json");
  };
  CHECK_THROWS_WITH(load(R"({"lease_usd_per_gpu_hour": 2, "capex_usd_per_gpu": 30000})"),
                    Catch::Contains("/finance/pools/h/capex_usd_per_gpu") &&
                        Catch::Contains("not allowed with \"lease_usd_per_gpu_hour\""));
  CHECK_THROWS_WITH(
      load(
          R"({"lease_usd_per_gpu_hour": 2, "depreciation": {"model": "straight_line", "life_years": 4}})"),
      Catch::Contains("/finance/pools/h/depreciation"));
  CHECK_THROWS_WITH(load(R"({"lease_usd_per_gpu_hr": 2})"),
                    Catch::Contains("/finance/pools/h") &&
                        Catch::Contains("did you mean \"lease_usd_per_gpu_hour\""));
  CHECK_THROWS_WITH(
      load(R"({"lease_usd_per_gpu_hour": -1})"),
      Catch::Contains("/finance/pools/h/lease_usd_per_gpu_hour") && Catch::Contains("-1"));
  CHECK_NOTHROW(load(R"({"lease_usd_per_gpu_hour": 2})"));
}
