// Depreciation models and the impairment test. Every model is built from JSON through the
// registry, as a scenario would build it. Ages are years since the asset went into service;
// "year k" is the age span [k-1, k).

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "aidc/depreciation/depreciation.hpp"
#include "aidc/scenario/errors.hpp"
#include "aidc/scenario/param_reader.hpp"
#include "support.hpp"

using aidc::DepreciationModel;
using aidc::Diagnostic;
using nlohmann::json;

namespace {

struct Built {
  std::unique_ptr<DepreciationModel> model;
  std::vector<Diagnostic> problems;
};

/// Builds `spec` as the "depreciation" object of a scenario file "s.json".
Built build(const json& spec) {
  aidc::Diagnostics diagnostics("s.json");
  const json doc = {{"depreciation", spec}};
  const aidc::ParamReader root(doc, "", diagnostics);
  auto model = aidc::depreciation_models().make(root.child("depreciation"));
  return {std::move(model), diagnostics.items()};
}

using aidc::test::all_lines;

std::unique_ptr<DepreciationModel> model_of(const json& spec) {
  auto built = build(spec);
  INFO(all_lines(built.problems));
  REQUIRE(built.problems.empty());
  REQUIRE(built.model != nullptr);
  return std::move(built.model);
}

/// The charge over year k of age, [k-1, k), for a time-based model.
double year_charge(const DepreciationModel& model, double cost_usd, int k) {
  return model.charge_usd(cost_usd, k - 1.0, k, 0.0, 0.0);
}

}  // namespace

TEST_CASE("MACRS charges the IRS Table A-1 percentages each year and recovers the whole basis",
          "[depreciation]") {
  // IRS Publication 946, Appendix A, Table A-1 (200% DB, half-year convention), typed from the
  // publication:
  //   5-year: 20.00 + 32.00 + 19.20 + 11.52 + 11.52 + 5.76: running 20, 52, 71.2, 82.72,
  //           94.24, 100.00.
  //   7-year: 14.29 + 24.49 + 17.49 + 12.49 + 8.93 + 8.92 + 8.93 + 4.46: running 14.29, 38.78,
  //           56.27, 68.76, 77.69, 86.61, 95.54, 100.00.
  // Half-year convention: N-year property is charged over N + 1 years of age.
  struct Case {
    int recovery_years;
    std::vector<double> percent;
  };
  const auto c = GENERATE(Case{5, {20.00, 32.00, 19.20, 11.52, 11.52, 5.76}},
                          Case{7, {14.29, 24.49, 17.49, 12.49, 8.93, 8.92, 8.93, 4.46}});
  CAPTURE(c.recovery_years);
  const auto model = model_of({{"model", "macrs"}, {"recovery_years", c.recovery_years}});
  const double cost = 250'000.0;
  CHECK(model->life_years() == c.recovery_years + 1);
  CHECK(model->salvage_fraction() == 0.0);

  double total = 0.0;
  for (int k = 1; k <= static_cast<int>(c.percent.size()); ++k) {
    const double charge = year_charge(*model, cost, k);
    const double expected = cost * c.percent[static_cast<std::size_t>(k - 1)] / 100.0;
    CAPTURE(k, charge, expected);
    CHECK(std::abs(charge - expected) <= 1e-12 * cost);
    total += charge;
  }
  CHECK(std::abs(total - cost) <= 1e-12 * cost);
  // The whole table in one span recovers exactly the basis, and nothing is left after it.
  CHECK(model->charge_usd(cost, 0.0, c.recovery_years + 1.0, 0.0, 0.0) == cost);
  CHECK(model->charge_usd(cost, c.recovery_years + 1.0, 50.0, 0.0, 0.0) == 0.0);
}

TEST_CASE("MACRS spreads a year's percentage evenly within that year", "[depreciation]") {
  // 5-year, cost 10,000: year 2 is 32% = 3,200; a quarter of it, ages [1.25, 1.5), is 800.
  // Ages [0.5, 1.5) are half of year 1 (1,000) and half of year 2 (1,600): 2,600.
  const auto model = model_of({{"model", "macrs"}});  // recovery_years defaults to 5
  CHECK(model->charge_usd(10'000.0, 1.25, 1.5, 0.0, 0.0) == Approx(800.0).epsilon(1e-12));
  CHECK(model->charge_usd(10'000.0, 0.5, 1.5, 0.0, 0.0) == Approx(2'600.0).epsilon(1e-12));
}

TEST_CASE("Straight-line depreciation charges an equal amount per unit of time down to salvage",
          "[depreciation]") {
  // Cost 30,000, life 4 years, salvage 10% = 3,000: 27,000 depreciable, 6,750 a year,
  // 6,750 / 4 = 1,687.5 a quarter; 20 quarters (5 years) charge 16 x 1,687.5 = 27,000 and the
  // four after the end of life nothing.
  const auto model =
      model_of({{"model", "straight_line"}, {"life_years", 4}, {"salvage_fraction", 0.1}});
  const double cost = 30'000.0;
  for (int k = 1; k <= 4; ++k) {
    CAPTURE(k);
    CHECK(year_charge(*model, cost, k) == Approx(6'750.0).epsilon(1e-12));
  }
  CHECK(model->charge_usd(cost, 0.0, 0.25, 0.0, 0.0) == Approx(1'687.5).epsilon(1e-12));
  CHECK(model->charge_usd(cost, 4.0, 5.0, 0.0, 0.0) == 0.0);
  // Ages [3.5, 4.5): half a year of charges, then nothing: 3,375.
  CHECK(model->charge_usd(cost, 3.5, 4.5, 0.0, 0.0) == Approx(3'375.0).epsilon(1e-12));

  double total = 0.0;
  for (int q = 0; q < 20; ++q) total += model->charge_usd(cost, q / 4.0, (q + 1) / 4.0, 0.0, 0.0);
  CHECK(total == Approx(27'000.0).epsilon(1e-12));
  CHECK(model->life_years() == 4.0);
  CHECK(model->salvage_fraction() == 0.1);
}

TEST_CASE("Double-declining balance switches to straight line when that charges more",
          "[depreciation]") {
  // Cost 10,000, life 5, factor 2: rate 2/5 = 40% of the opening book value.
  //   year 1: book 10,000: DB 4,000 vs SL 10,000/5 = 2,000 -> 4,000
  //   year 2: book  6,000: DB 2,400 vs SL  6,000/4 = 1,500 -> 2,400
  //   year 3: book  3,600: DB 1,440 vs SL  3,600/3 = 1,200 -> 1,440
  //   year 4: book  2,160: DB   864 vs SL  2,160/2 = 1,080 -> 1,080 (switch)
  //   year 5: book  1,080: SL 1,080/1 = 1,080; total 10,000.
  const auto model = model_of({{"model", "declining_balance"}, {"life_years", 5}});
  const std::vector<double> expected{4'000.0, 2'400.0, 1'440.0, 1'080.0, 1'080.0};
  for (int k = 1; k <= 5; ++k) {
    CAPTURE(k);
    CHECK(year_charge(*model, 10'000.0, k) ==
          Approx(expected[static_cast<std::size_t>(k - 1)]).epsilon(1e-12));
  }
  CHECK(model->charge_usd(10'000.0, 0.0, 5.0, 0.0, 0.0) == Approx(10'000.0).epsilon(1e-12));
  CHECK(model->charge_usd(10'000.0, 5.0, 9.0, 0.0, 0.0) == 0.0);
  // A quarter of year 2 gets a quarter of 2,400: 600.
  CHECK(model->charge_usd(10'000.0, 1.25, 1.5, 0.0, 0.0) == Approx(600.0).epsilon(1e-12));
}

TEST_CASE("Without the switch, declining balance charges what is left in the last year",
          "[depreciation]") {
  // Convention: pure 40% declining balance never reaches zero, so the last year of life
  // takes the whole remaining book value down to salvage.
  //   years 1-3 as with the switch: 4,000, 2,400, 1,440 -> book 2,160
  //   year 4: 40% of 2,160 = 864 -> book 1,296
  //   year 5: the remaining 1,296; total 4,000 + 2,400 + 1,440 + 864 + 1,296 = 10,000.
  const auto model = model_of(
      {{"model", "declining_balance"}, {"life_years", 5}, {"switch_to_straight_line", false}});
  const std::vector<double> expected{4'000.0, 2'400.0, 1'440.0, 864.0, 1'296.0};
  for (int k = 1; k <= 5; ++k) {
    CAPTURE(k);
    CHECK(year_charge(*model, 10'000.0, k) ==
          Approx(expected[static_cast<std::size_t>(k - 1)]).epsilon(1e-12));
  }
}

TEST_CASE("Declining balance never takes book value below salvage", "[depreciation]") {
  // Cost 10,000, life 5, salvage 10% = 1,000. The 40% rate applies to the whole book value;
  // straight line is on book less salvage over the remaining life:
  //   year 1: book 10,000: DB 4,000 vs SL 9,000/5 = 1,800   -> 4,000
  //   year 2: book  6,000: DB 2,400 vs SL 5,000/4 = 1,250   -> 2,400
  //   year 3: book  3,600: DB 1,440 vs SL 2,600/3 = 866.67  -> 1,440
  //   year 4: book  2,160: DB   864 vs SL 1,160/2 = 580     ->   864
  //   year 5: book  1,296: DB 518.4 would pass salvage; only 1,296 - 1,000 = 296 is left.
  // Total 9,000 = cost - salvage, with or without the switch.
  const bool with_switch = GENERATE(true, false);
  CAPTURE(with_switch);
  const auto model = model_of({{"model", "declining_balance"},
                               {"life_years", 5},
                               {"salvage_fraction", 0.1},
                               {"switch_to_straight_line", with_switch}});
  const std::vector<double> expected{4'000.0, 2'400.0, 1'440.0, 864.0, 296.0};
  for (int k = 1; k <= 5; ++k) {
    CAPTURE(k);
    CHECK(year_charge(*model, 10'000.0, k) ==
          Approx(expected[static_cast<std::size_t>(k - 1)]).epsilon(1e-12));
  }
  CHECK(model->charge_usd(10'000.0, 0.0, 6.0, 0.0, 0.0) == Approx(9'000.0).epsilon(1e-12));
}

TEST_CASE("Declining balance with a fractional life ends with a short year", "[depreciation]") {
  // Cost 1,000, life 2.5, factor 2: rate 0.8 a year.
  //   year 1 [0, 1):   book 1,000: DB 800 vs SL 1,000 x 1/2.5 = 400     -> 800
  //   year 2 [1, 2):   book   200: DB 160 vs SL 200 x 1/1.5 = 133.33    -> 160
  //   last [2, 2.5):   the remaining 40, spread over half a year: [2, 2.25) charges 20.
  const auto model = model_of({{"model", "declining_balance"}, {"life_years", 2.5}});
  CHECK(year_charge(*model, 1'000.0, 1) == Approx(800.0).epsilon(1e-12));
  CHECK(year_charge(*model, 1'000.0, 2) == Approx(160.0).epsilon(1e-12));
  CHECK(model->charge_usd(1'000.0, 2.0, 2.25, 0.0, 0.0) == Approx(20.0).epsilon(1e-12));
  CHECK(model->charge_usd(1'000.0, 2.0, 3.0, 0.0, 0.0) == Approx(40.0).epsilon(1e-12));
}

TEST_CASE("Sum-of-years'-digits charges (N - k + 1) / SYD of the depreciable amount in year k",
          "[depreciation]") {
  // Cost 15,000, life 5, no salvage: SYD = 5 x 6 / 2 = 15, so year k charges
  // (6 - k) x 1,000: 5,000, 4,000, 3,000, 2,000, 1,000 (total 15,000).
  const auto model = model_of({{"model", "sum_of_years_digits"}, {"life_years", 5}});
  const std::vector<double> expected{5'000.0, 4'000.0, 3'000.0, 2'000.0, 1'000.0};
  for (int k = 1; k <= 5; ++k) {
    CAPTURE(k);
    CHECK(year_charge(*model, 15'000.0, k) ==
          Approx(expected[static_cast<std::size_t>(k - 1)]).epsilon(1e-12));
  }
  CHECK(model->charge_usd(15'000.0, 5.0, 8.0, 0.0, 0.0) == 0.0);
  // Ages [0.5, 1.5): half of 5,000 and half of 4,000 = 4,500.
  CHECK(model->charge_usd(15'000.0, 0.5, 1.5, 0.0, 0.0) == Approx(4'500.0).epsilon(1e-12));
  // With salvage 20%: 12,000 depreciable, year 1 charges 5/15 of it = 4,000.
  const auto salvaged =
      model_of({{"model", "sum_of_years_digits"}, {"life_years", 5}, {"salvage_fraction", 0.2}});
  CHECK(year_charge(*salvaged, 15'000.0, 1) == Approx(4'000.0).epsilon(1e-12));
}

TEST_CASE("Units of production charges by busy hours and stops when the asset is used up",
          "[depreciation]") {
  // Cost 20,000, 100,000 busy hours of life: 0.20 per busy hour.
  //   25,000 hours -> 5,000, whatever the ages.
  //   90,000 hours before and 25,000 in the span: only the last 10,000 count -> 2,000.
  //   100,000 hours before: nothing is left -> 0.
  const auto model = model_of({{"model", "units_of_production"}, {"life_busy_hours", 100'000}});
  CHECK(model->charge_usd(20'000.0, 0.0, 1.0, 0.0, 25'000.0) == Approx(5'000.0).epsilon(1e-12));
  CHECK(model->charge_usd(20'000.0, 3.0, 3.5, 0.0, 25'000.0) == Approx(5'000.0).epsilon(1e-12));
  CHECK(model->charge_usd(20'000.0, 0.0, 1.0, 90'000.0, 25'000.0) ==
        Approx(2'000.0).epsilon(1e-12));
  CHECK(model->charge_usd(20'000.0, 0.0, 1.0, 100'000.0, 5'000.0) == 0.0);
  CHECK(model->charge_usd(20'000.0, 0.0, 10.0, 0.0, 1e9) == 20'000.0);
  CHECK(model->life_years() == 6.0);  // the default, for reporting only
  // With salvage 10%: 18,000 depreciable, 25,000 hours -> 4,500.
  const auto salvaged = model_of({{"model", "units_of_production"},
                                  {"life_busy_hours", 100'000},
                                  {"salvage_fraction", 0.1},
                                  {"life_years", 4}});
  CHECK(salvaged->charge_usd(20'000.0, 0.0, 1.0, 0.0, 25'000.0) == Approx(4'500.0).epsilon(1e-12));
  CHECK(salvaged->life_years() == 4.0);
}

TEST_CASE("Charges over consecutive spans add up to the charge over the whole span",
          "[depreciation]") {
  // Property test: cut ages [0, life + 2) and a busy-hour total past the units-of-production
  // life into 200 random consecutive pieces. The pieces must add up to the single span (to
  // rounding), each is >= 0, the running total never exceeds cost - salvage, and at the end
  // it equals cost - salvage, since every span runs past the end of life.
  const json spec =
      GENERATE(json{{"model", "straight_line"}, {"life_years", 4}, {"salvage_fraction", 0.1}},
               json{{"model", "declining_balance"}, {"life_years", 5}},
               json{{"model", "declining_balance"},
                    {"life_years", 4.5},
                    {"factor", 1.5},
                    {"salvage_fraction", 0.05},
                    {"switch_to_straight_line", false}},
               json{{"model", "sum_of_years_digits"}, {"life_years", 6}, {"salvage_fraction", 0.2}},
               json{{"model", "units_of_production"}, {"life_busy_hours", 40'000}},
               json{{"model", "macrs"}, {"recovery_years", 5}},
               json{{"model", "macrs"}, {"recovery_years", 7}});
  CAPTURE(spec.dump());
  const auto model = model_of(spec);
  const double cost = 1'234'567.0;
  const double depreciable = cost * (1.0 - model->salvage_fraction());
  const double end_years = model->life_years() + 2.0;
  const double total_hours = 50'000.0;  // past the 40,000-hour life

  std::mt19937_64 rng(20260101);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<double> cuts{0.0, 1.0};
  for (int i = 0; i < 199; ++i) cuts.push_back(unit(rng));
  std::sort(cuts.begin(), cuts.end());

  double running = 0.0;
  for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
    const double charge =
        model->charge_usd(cost, cuts[i] * end_years, cuts[i + 1] * end_years, cuts[i] * total_hours,
                          (cuts[i + 1] - cuts[i]) * total_hours);
    CAPTURE(i, charge, running);
    REQUIRE(charge >= 0.0);
    running += charge;
    REQUIRE(running <= depreciable * (1.0 + 1e-12));
  }
  const double whole = model->charge_usd(cost, 0.0, end_years, 0.0, total_hours);
  CHECK(whole == Approx(depreciable).epsilon(1e-15));
  CHECK(running == Approx(whole).epsilon(1e-12));
}

TEST_CASE("Bad depreciation parameters are reported with their JSON pointers",
          "[depreciation][errors]") {
  struct Case {
    const char* spec;
    const char* pointer;
    const char* message;
  };
  const auto c = GENERATE(
      Case{R"({"model":"straight_line","life_years":-3})", "/depreciation/life_years",
           "out of range (got -3, expected a positive number)"},
      Case{R"({"model":"straight_line"})", "/depreciation/life_years",
           "missing required key (expected a positive number)"},
      Case{R"({"model":"straight_line","life_years":4,"salvage_fraction":1})",
           "/depreciation/salvage_fraction",
           "out of range (got 1, expected a fraction from 0 to below 1)"},
      Case{R"({"model":"sum_of_years_digits","life_years":5,"salvage_fraction":-0.1})",
           "/depreciation/salvage_fraction",
           "out of range (got -0.1, expected a fraction from 0 to 1)"},
      Case{R"({"model":"declining_balance","life_years":5,"factor":0})", "/depreciation/factor",
           "out of range (got 0, expected a positive number)"},
      Case{R"({"model":"declining_balance","life_years":150})", "/depreciation/life_years",
           "out of range (got 150, expected at most 100 years)"},
      Case{R"({"model":"declining_balance","life_years":5,"switch_to_straight_line":"yes"})",
           "/depreciation/switch_to_straight_line",
           R"(wrong type (got "yes", expected true or false))"},
      Case{R"({"model":"sum_of_years_digits","life_years":4.5})", "/depreciation/life_years",
           "wrong type (got 4.5, expected a positive whole number)"},
      Case{R"({"model":"units_of_production","life_busy_hours":0})",
           "/depreciation/life_busy_hours", "out of range (got 0, expected a positive number)"},
      Case{R"({"model":"macrs","recovery_years":6})", "/depreciation/recovery_years",
           "out of range (got 6, expected one of: 3, 5, 7)"},
      Case{R"({"model":"straight_line","life_years":4,"salvage_fracton":0.1})",
           "/depreciation/salvage_fracton",
           R"(unknown key "salvage_fracton"; did you mean "salvage_fraction"? (allowed: model, )"
           R"(life_years, salvage_fraction))"},
      Case{R"({"model":"straigt_line","life_years":4})", "/depreciation/model",
           R"(unknown depreciation model "straigt_line"; did you mean "straight_line"? )"
           R"((expected one of: declining_balance, macrs, straight_line, )"
           R"(sum_of_years_digits, units_of_production))"},
      Case{R"({"life_years":4})", "/depreciation/model",
           "missing required key (expected a depreciation model name: declining_balance, "
           "macrs, straight_line, sum_of_years_digits, units_of_production)"});
  CAPTURE(c.spec);
  // One problem each; the loader turns any recorded problem into a ScenarioError.
  const auto built = build(json::parse(c.spec));
  REQUIRE(built.problems.size() == 1);
  CHECK(built.problems[0].to_string() == std::string("s.json: ") + c.pointer + ": " + c.message);
}

TEST_CASE("Every depreciation model is listed with a description", "[depreciation]") {
  const auto& registry = aidc::depreciation_models();
  CHECK(registry.selector() == "model");
  CHECK(registry.names() == std::vector<std::string>{"declining_balance", "macrs", "straight_line",
                                                     "sum_of_years_digits", "units_of_production"});
  for (const auto& [name, entry] : registry.entries()) {
    CAPTURE(name);
    CHECK_FALSE(entry.description.empty());
    for (const auto& p : entry.params) CHECK_FALSE(p.description.empty());
  }
}

TEST_CASE("Ages convert to years of 365.25 days", "[depreciation]") {
  // 4 years = 1,461 days (one leap day every four years).
  CHECK(aidc::age_years(aidc::sim::days(1'461)) == 4.0);
  CHECK(aidc::age_years(aidc::sim::hours(8'766)) == 1.0);  // 365.25 x 24 = 8,766 hours
}

TEST_CASE("US GAAP impairment: a failed recoverability test writes book value down to fair value",
          "[depreciation]") {
  // ASC 360-10: book 100 with undiscounted cash flows of 120 (or exactly 100) is recoverable,
  // whatever the fair value; with cash flows of 80 it is not, and is written down to its fair
  // value of 30 (a loss of 70), never below zero and never up.
  CHECK(aidc::impairment_us_gaap_usd(100.0, 120.0, 30.0) == 0.0);
  CHECK(aidc::impairment_us_gaap_usd(100.0, 100.0, 30.0) == 0.0);
  CHECK(aidc::impairment_us_gaap_usd(100.0, 80.0, 30.0) == 70.0);
  CHECK(aidc::impairment_us_gaap_usd(100.0, 80.0, 130.0) == 0.0);
  CHECK(aidc::impairment_us_gaap_usd(100.0, -50.0, -5.0) == 100.0);
}

TEST_CASE("IFRS impairment: book value is written down to the recoverable amount",
          "[depreciation]") {
  // IAS 36: recoverable amount = max(fair value less costs of disposal, value in use). Book
  // 100, fair value 30, value in use 60: written down to 60, a loss of 40. Value in use 20:
  // down to the fair value, 30 (a loss of 70). Value in use 110: none.
  CHECK(aidc::impairment_ifrs_usd(100.0, 30.0, 60.0) == 40.0);
  CHECK(aidc::impairment_ifrs_usd(100.0, 30.0, 20.0) == 70.0);
  CHECK(aidc::impairment_ifrs_usd(100.0, 30.0, 110.0) == 0.0);
  CHECK(aidc::impairment_ifrs_usd(100.0, -1.0, -10.0) == 100.0);
}
