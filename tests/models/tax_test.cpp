// Tax at the entity level: MACRS by tax year through the statements (IRS Publication 946),
// losses carried forward, deferred tax, instalments, and the identity income tax expense =
// rate x pre-tax income, each against a hand-worked answer.

#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "aidc/depreciation/macrs.hpp"
#include "aidc/finance/finance.hpp"
#include "aidc/finance/tax.hpp"
#include "aidc/scenario/scenario.hpp"
#include "aidc/workload/simulation.hpp"
#include "finance_support.hpp"

namespace {

using Run = aidc::test::FinanceRun;

/// Tax depreciation of pool `p` in period `k` (one pool row per period and pool).
double tax_depreciation(const Run& x, std::size_t k, std::size_t p) {
  return x.f.rows.at(k * x.s.pools.size() + p).tax_depreciation;
}

}  // namespace

TEST_CASE("MACRS in the statements follows Pub 946 by tax year for a placement in any quarter",
          "[tax][macrs]") {
  // Four pools of H100s (50,000 USD each) placed in service in the four quarters of 2026. The
  // last-quarter pool holds more than 40% of the year's basis, so the mid-quarter convention
  // applies to all four (IRC 168(d)(3)): each is deducted by Table A-2, A-3, A-4 or A-5 for
  // its quarter, one calendar year per period. Alone in its year, a June placement gets the
  // half-year convention, Table A-1: 20% of its basis in 2026 for 5-year property.
  const int n = GENERATE(5, 7);
  CAPTURE(n);
  const std::string finance =
      R"("finance": {"tax": {"rate": 0.21, "depreciation": {"model": "macrs", "recovery_years": )" +
      std::to_string(n) + "}}}";
  const std::string head = R"({"name": "q", "start": "2026-01-01", "horizon": "9y", "seed": 1,
      "period": "year", "fleet": {"pools": [)";
  SECTION("mid-quarter: quarters 1 to 4") {
    const auto x = aidc::test::run_finance(head + R"(
        {"id": "q1", "gpu": "H100", "count": 2, "in_service": "2026-02-10"},
        {"id": "q2", "gpu": "H100", "count": 2, "in_service": "2026-05-10"},
        {"id": "q3", "gpu": "H100", "count": 2, "in_service": "2026-08-10"},
        {"id": "q4", "gpu": "H100", "count": 10, "in_service": "2026-11-10"}]}, )" +
                                           finance + "}");
    for (std::size_t p = 0; p < 4; ++p) {
      const double basis = (p == 3 ? 10 : 2) * 50'000.0;
      const auto table =
          aidc::macrs_table_percent(n, aidc::MacrsConvention::mid_quarter, static_cast<int>(p) + 1);
      for (std::size_t k = 0; k < 9; ++k) {
        CAPTURE(p, k);
        const double expected = k < table.size() ? basis * table[k] / 100.0 : 0.0;
        CHECK(std::abs(tax_depreciation(x, k, p) - expected) <= 1e-9 * basis);
      }
    }
  }
  SECTION("half-year: a June placement alone in its year") {
    const auto x = aidc::test::run_finance(head + R"(
        {"id": "june", "gpu": "H100", "count": 4, "in_service": "2026-06-15"}]}, )" +
                                           finance + "}");
    const double basis = 4 * 50'000.0;
    const auto table = aidc::macrs_table_percent(n, aidc::MacrsConvention::half_year, 1);
    for (std::size_t k = 0; k < 9; ++k) {
      CAPTURE(k);
      const double expected = k < table.size() ? basis * table[k] / 100.0 : 0.0;
      CHECK(std::abs(tax_depreciation(x, k, 0) - expected) <= 1e-9 * basis);
    }
    if (n == 5) CHECK(tax_depreciation(x, 0, 0) == Approx(0.20 * basis).epsilon(1e-12));
  }
}

TEST_CASE("MACRS tax years follow a fiscal year that ends in June", "[tax][macrs]") {
  // Fiscal years end on June 30. A pool placed in service on 2026-08-15 falls in the first
  // quarter (July to September) of fiscal 2027, alone: half-year convention, Table A-1 by
  // fiscal year, one period per fiscal year from the start on 2026-07-01.
  const auto x =
      aidc::test::run_finance(R"({"name": "fy", "start": "2026-07-01", "horizon": "7y", "seed": 1,
      "period": "year", "fleet": {"pools": [
        {"id": "p", "gpu": "H100", "count": 2, "in_service": "2026-08-15"}]},
      "finance": {"tax": {"rate": 0.21, "fiscal_year_end_month": 6}}})");
  const auto table = aidc::macrs_table_percent(5, aidc::MacrsConvention::half_year, 1);
  for (std::size_t k = 0; k < 7; ++k) {
    CAPTURE(k);
    const double expected = k < table.size() ? 100'000.0 * table[k] / 100.0 : 0.0;
    CHECK(std::abs(tax_depreciation(x, k, 0) - expected) <= 1e-9 * 100'000.0);
  }
  const aidc::FiscalCalendar june{6};
  CHECK(june.year_of(aidc::Date{std::chrono::year{2026} / 8 / 15}) == 2027);
  CHECK(june.quarter_of(aidc::Date{std::chrono::year{2026} / 8 / 15}) == 1);
  CHECK(june.quarter_of(aidc::Date{std::chrono::year{2027} / 6 / 30}) == 4);
  CHECK(june.begin(2027) == aidc::Date{std::chrono::year{2026} / 7 / 1});
  CHECK(june.quarter_end(2027, 2) == aidc::Date{std::chrono::year{2027} / 1 / 1});
}

namespace {

/// Two years, two pools: 10 H100s from the start, 5 more from the second year, when one
/// contract rents all 15 at 10 USD per GPU-hour. No operating costs. Book: straight line
/// over 4 years; tax: straight line over 2 years at 25%. The GPUs never fail (the catalog's
/// H100 has an MTBF), so the contract holds all 15 for every hour.
std::string two_year_case(const std::string& extra_tax, const std::string& period) {
  return R"({"name": "two", "start": "2026-01-01", "horizon": "2y", "seed": 1, "period": ")" +
         period + R"(",
    "catalog": {"H100": {"mtbf_hours": null}},
    "fleet": {"pools": [{"id": "a", "gpu": "H100", "count": 10, "in_service": "2026-01-01"},
                        {"id": "b", "gpu": "H100", "count": 5, "in_service": "2027-01-01"}]},
    "workloads": {"contracts": [{"id": "k", "gpus": 15, "start": "2027-01-01", "term_days": 365}]},
    "finance": {"pue": 1, "energy_usd_per_kwh": 0,
      "prices": {"reserved": {"model": "fixed", "usd_per_gpu_hour": 10}},
      "depreciation": {"model": "straight_line", "life_years": 4},
      "tax": {"rate": 0.25, "depreciation": {"model": "straight_line", "life_years": 2})" +
         extra_tax + "}}}";
}

}  // namespace

TEST_CASE("A loss is carried into the next year and tax is paid only on the remainder", "[tax]") {
  // By hand. Tax depreciation: a, 500,000 over 2 years of 365.25 days: 500,000 x 365/730.5 =
  // 249,828.88 a year; b, 250,000 from 2027: 124,914.44.
  //   2026: income 0 - 249,828.88: a loss of 249,828.88, carried forward; no tax.
  //   2027: income 15 x 8,760 x 10 = 1,314,000 - 374,743.33 = 939,256.67; the loss offsets at
  //         most 80% of that (751,405.34), so all of it: taxable 689,427.79, tax 25% =
  //         172,356.95, paid when the year ends.
  const auto x = aidc::test::run_finance(two_year_case("", "year"));
  REQUIRE(x.f.entity.size() == 2);
  const double tax_a = 500'000.0 * 365.0 / 730.5;
  const double tax_b = 250'000.0 * 365.0 / 730.5;
  CHECK(x.f.rows[0].tax_depreciation == Approx(tax_a).epsilon(1e-12));
  CHECK(x.f.rows[2].tax_depreciation + x.f.rows[3].tax_depreciation ==
        Approx(tax_a + tax_b).epsilon(1e-12));
  const double income_2027 = 1'314'000.0 - tax_a - tax_b;
  const double tax_2027 = 0.25 * (income_2027 - tax_a);
  CHECK(x.f.entity[0].current_tax == 0.0);
  CHECK(x.f.entity[0].loss_carryforward == Approx(tax_a).epsilon(1e-12));
  CHECK(x.f.entity[1].current_tax == Approx(tax_2027).epsilon(1e-12));
  CHECK(x.f.entity[1].tax_paid == Approx(tax_2027).epsilon(1e-12));
  CHECK(x.f.entity[1].loss_carryforward == 0.0);
  // Rows by pool carry no tax; the entity line carries all of it.
  for (const auto& row : x.f.rows) {
    CHECK(row.tax_paid == 0.0);
    CHECK(row.current_tax == 0.0);
  }
  // Deferred tax: the rate times (tax - book depreciation), less the rate times the loss
  // carried forward. Book depreciation: a, 500,000 x 365/1,461 = 124,914.44 a year; b,
  // 250,000 x 365/1,461 = 62,457.22.
  const double book_a = 500'000.0 * 365.0 / 1461.0;
  const double book_b = 250'000.0 * 365.0 / 1461.0;
  CHECK(x.f.entity[0].deferred_tax ==
        Approx(0.25 * (tax_a - book_a) - 0.25 * tax_a).epsilon(1e-12));
  CHECK(x.f.entity[1].deferred_tax ==
        Approx(0.25 * (tax_a + tax_b - book_a - book_b) + 0.25 * tax_a).epsilon(1e-12));
  // Income tax expense is the rate times pre-tax income, year by year (ASC 740 with every
  // deferred tax asset recognized).
  for (std::size_t k = 0; k < 2; ++k) {
    CAPTURE(k);
    CHECK(x.f.periods[k].income_tax() ==
          Approx(0.25 * x.f.periods[k].pre_tax_income()).epsilon(1e-12));
  }
  // The free cash flow: EBITDA less capex on the rows, less tax on the entity line.
  CHECK(x.f.total.free_cash_flow() == Approx(1'314'000.0 - 750'000.0 - tax_2027).epsilon(1e-12));
}

TEST_CASE("Losses offset all of a year's income when the limit is 100%, and can expire", "[tax]") {
  // In the two-year case the 80% limit does not bind, so a 100% limit taxes 2027 the same;
  // a loss that expires after one year can still be used in 2027, so that too is the same.
  const auto full = aidc::test::run_finance(two_year_case(R"(, "loss_offset_limit": 1)", "year"));
  const auto expiring =
      aidc::test::run_finance(two_year_case(R"(, "loss_carryforward_years": 1)", "year"));
  CHECK(full.f.entity[1].current_tax == Approx(expiring.f.entity[1].current_tax).epsilon(1e-12));
  // The pure function: losses of 100 and 50 in years 1 and 2, then income of 100 a year with
  // an 80% limit: year 3 uses 80 (tax on 20), year 4 uses the other 20 of year 1 and 50 of
  // year 2 (tax on 30); with a 2-year life, year 1's loss expires at the end of year 3.
  aidc::TaxSpec spec;
  spec.rate = 0.2;
  const std::vector<aidc::TaxYearInput> years{{1, -100}, {2, -50}, {3, 100}, {4, 100}};
  const auto t = aidc::tax_by_year(years, spec);
  CHECK(t[2].loss_used == Approx(80.0));
  CHECK(t[2].tax == Approx(4.0));
  CHECK(t[3].loss_used == Approx(70.0));
  CHECK(t[3].tax == Approx(6.0));
  CHECK(t[3].loss_carryforward == Approx(0.0).margin(1e-12));
  spec.loss_carryforward_years = 2;
  const auto e = aidc::tax_by_year(years, spec);
  CHECK(e[2].loss_expired == Approx(20.0));
  CHECK(e[3].loss_used == Approx(50.0));
  CHECK(e[3].tax == Approx(10.0));
}

TEST_CASE("Quarterly instalments pay a quarter of the year's tax at each quarter end", "[tax]") {
  // The 2027 tax of the two-year case, 172,356.95, in four instalments in the quarters of
  // 2027 (periods 4 to 7); the income tax expense is still recognized when the year ends.
  const auto annual = aidc::test::run_finance(two_year_case("", "quarter"));
  const auto quarterly =
      aidc::test::run_finance(two_year_case(R"(, "payments": "quarterly")", "quarter"));
  REQUIRE(quarterly.f.entity.size() == 8);
  const double tax = annual.f.entity[7].tax_paid;
  CHECK(tax > 0);
  for (std::size_t k = 0; k < 8; ++k) {
    CAPTURE(k);
    CHECK(quarterly.f.entity[k].tax_paid == Approx(k >= 4 ? tax / 4 : 0.0).margin(1e-9));
    CHECK(quarterly.f.entity[k].current_tax == annual.f.entity[k].current_tax);
  }
}

TEST_CASE("Replaced and inconsistent finance keys are refused with their JSON pointer",
          "[tax][errors]") {
  struct Case {
    std::string finance;
    std::string pointer;
    std::string message;
  };
  const auto c = GENERATE(
      Case{R"("tax_rate": 0.21)", "/finance/tax_rate", "moved to \"tax\""},
      Case{R"("impairment_test": true)", "/finance/impairment_test", "replaced by \"impairment\""},
      Case{R"("unserved_inference_usd_per_gpu_hour": 1.6)",
           "/finance/unserved_inference_usd_per_gpu_hour",
           "valued at the inference transfer price"},
      Case{R"("tax": {"rate": 1.5})", "/finance/tax/rate", "expected a fraction from 0 to 1"},
      Case{R"("tax": {"rate": 0.2, "fiscal_year_end_month": 13})",
           "/finance/tax/fiscal_year_end_month", "expected 1 to 12"},
      Case{R"("tax": {"fiscal_year_end_month": 6})", "/finance/tax/rate", "missing required key"},
      Case{R"("terminal_value": {"method": "going_concern", "growth_rate": 0.1})",
           "/finance/terminal_value/growth_rate", "Gordon's formula needs r > g"},
      Case{R"("terminal_value": "going_concern")", "/finance/terminal_value",
           "a going concern needs a growth rate"},
      Case{R"("terminal_value": "liquidation")", "/finance/terminal_value",
           "expected one of: none, book, resale, going_concern"},
      Case{R"("opening_value": "market")", "/finance/opening_value",
           "expected one of: resale, sunk, book"},
      Case{R"("impairment": {"standard": "gaap"})", "/finance/impairment/standard",
           "unknown value \"gaap\" (expected one of: none, us_gaap, ifrs)"},
      Case{R"("financing": {"debt_fraction": 0.6, "term_years": 5})",
           "/finance/financing/interest_rate", "missing required key"},
      Case{R"("resale": {"H100": {"initial_share": 0.9, "decline_per_year": 1}})",
           "/finance/resale/H100/decline_per_year", "expected a fraction from 0 to below 1"});
  CAPTURE(c.finance);
  const std::string text = R"({"name": "e", "start": "2026-01-01", "horizon": "30d",
      "fleet": {"pools": [{"id": "h", "gpu": "H100", "count": 10}]}, "finance": {)" +
                           c.finance + "}}";
  CHECK_THROWS_WITH(aidc::load_scenario(nlohmann::json::parse(text), "e.json"),
                    Catch::Contains("e.json: " + c.pointer + ": ") && Catch::Contains(c.message));
}

TEST_CASE("A GPU type without a resale curve is refused where a resale value is needed",
          "[tax][errors]") {
  // A new type in the scenario's catalog has no used-GPU prices: valuing it at resale at the
  // horizon needs a curve, which the error names; a book terminal value does not.
  const std::string text = R"({"name": "r", "start": "2026-01-01", "horizon": "30d",
      "catalog": {"X1": {"name": "X1", "allin_capex_usd": 20000, "server_power_kw": 1.0,
                         "server_idle_power_kw": 0.3}},
      "fleet": {"pools": [{"id": "x", "gpu": "X1", "count": 10}]}, "finance": {TERMINAL}})";
  auto load = [&](const std::string& terminal) {
    std::string doc = text;
    doc.replace(doc.find("TERMINAL"), 8, terminal);
    return aidc::load_scenario(nlohmann::json::parse(doc), "r.json");
  };
  CHECK_THROWS_WITH(load(""), Catch::Contains("r.json: /finance/terminal_value: no resale curve "
                                              "for GPU type \"X1\"") &&
                                  Catch::Contains("/finance/resale/X1"));
  CHECK_NOTHROW(load(R"("terminal_value": "book")"));
  CHECK_NOTHROW(load(R"("resale": {"X1": {"initial_share": 0.9, "decline_per_year": 0.3}})"));
}
