// Financial metrics: NPV, IRR, payback (plain and discounted), ROIC and break-even price.
// Flows are dated by the end of their period in years; every expected value is worked out
// by hand in the comment above its check.

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>
#include <vector>

#include "aidc/finance/metrics.hpp"

using aidc::CashFlow;

namespace {

// -1000 up front, then 300, 400, 500 at the ends of years 1, 2, 3.
const std::vector<CashFlow> kThreeYear{{0.0, -1000.0}, {1.0, 300.0}, {2.0, 400.0}, {3.0, 500.0}};

}  // namespace

TEST_CASE("NPV discounts each flow from the end of its period", "[metrics]") {
  // At 10%: over the common denominator 1.1^3 = 1.331 the inflows are
  // 300 x 1.21 + 400 x 1.1 + 500 = 363 + 440 + 500 = 1303, so they are worth
  // 1303 / 1.331 = 979 - 0.049 / 1.331 = 979 - 0.0368144 = 978.9631856
  // (= 272.7272727 + 330.5785124 + 375.6574005). NPV = -1000 + 978.9631856 = -21.0368144.
  CHECK(aidc::npv(kThreeYear, 0.10) == Approx(-21.0368144).margin(1e-7));
}

TEST_CASE("NPV at a zero rate is the plain sum of the flows", "[metrics]") {
  // -1000 + 300 + 400 + 500 = 200.
  CHECK(aidc::npv(kThreeYear, 0.0) == Approx(200.0).margin(1e-12));
}

TEST_CASE("NPV counts a flow at year 0 in full", "[metrics]") {
  // Nothing to discount: 1 / (1 + r)^0 = 1 at any rate.
  const std::vector<CashFlow> flows{{0.0, -1000.0}};
  CHECK(aidc::npv(flows, 0.25) == -1000.0);
  CHECK(aidc::npv({}, 0.10) == 0.0);
}

TEST_CASE("NPV discounts quarterly flows with fractional powers of the annual rate", "[metrics]") {
  // Choose r = 1.05^4 - 1 = 0.21550625, so that (1 + r)^0.25 = 1.05 per quarter.
  // Four quarterly inflows of 300 at years 0.25, 0.5, 0.75, 1.0 are worth
  // 300/1.05 + 300/1.1025 + 300/1.157625 + 300/1.21550625
  // = 285.7142857 + 272.1088435 + 259.1512796 + 246.8107425 = 1063.7851513
  // (check: annuity 300 x (1 - 1.05^-4) / 0.05 = 300 x 3.5459505 = 1063.78515).
  // NPV = -1000 + 1063.7851513 = 63.7851513.
  const std::vector<CashFlow> flows{
      {0.0, -1000.0}, {0.25, 300.0}, {0.5, 300.0}, {0.75, 300.0}, {1.0, 300.0}};
  CHECK(aidc::npv(flows, 0.21550625) == Approx(63.7851513).margin(1e-6));
}

TEST_CASE("NPV rejects a rate of -100% or below and negative dates", "[metrics]") {
  REQUIRE_THROWS_AS(aidc::npv(kThreeYear, -1.0), std::invalid_argument);
  REQUIRE_THROWS_WITH(aidc::npv(kThreeYear, -1.5),
                      Catch::Contains("> -1") && Catch::Contains("-1.5"));
  const std::vector<CashFlow> before_start{{-0.5, 100.0}};
  REQUIRE_THROWS_WITH(aidc::npv(before_start, 0.1),
                      Catch::Contains("cash flow 0") && Catch::Contains("-0.5"));
  const std::vector<CashFlow> not_a_number{{1.0, std::nan("")}};
  REQUIRE_THROWS_WITH(aidc::npv(not_a_number, 0.1), Catch::Contains("usd must be a finite"));
}

TEST_CASE("IRR of a one-year investment is its simple return", "[metrics]") {
  // -1000 now, +1100 in a year: 1100 / (1 + r) = 1000 gives r = 0.10 exactly.
  const std::vector<CashFlow> flows{{0.0, -1000.0}, {1.0, 1100.0}};
  const auto rate = aidc::irr(flows);
  REQUIRE(rate.has_value());
  CHECK(*rate == Approx(0.10).margin(1e-12));
}

TEST_CASE("IRR of the three-year example sets its NPV to zero", "[metrics]") {
  // NPV at 10% is -21.04 (above), and at 0% it is +200, so the IRR lies between.
  // At r = 8.9%: 300/1.089 + 400/1.185921 + 500/1.291468
  //   = 275.48209 + 337.29060 + 387.15632 = 999.92901, NPV = -0.07099.
  // dNPV/dr = -(300/1.089^2 + 2 x 400/1.089^3 + 3 x 500/1.089^4)
  //   = -(252.97 + 619.45 + 1066.55) = -1938.97, so one Newton step gives
  //   r = 0.089 - 0.07099 / 1938.97 = 0.089 - 0.0000366 = 0.0889634, about 8.896%.
  const auto rate = aidc::irr(kThreeYear);
  REQUIRE(rate.has_value());
  CAPTURE(*rate);
  CHECK(*rate == Approx(0.0889634).margin(1e-6));
  // Plugging it back in: |dNPV/dr| ~ 1940, so a root good to ~1e-15 in r leaves |NPV| far
  // below 1e-9.
  CHECK(aidc::npv(kThreeYear, *rate) == Approx(0.0).margin(1e-9));
}

TEST_CASE("IRR solves quarterly flows as an annual rate", "[metrics]") {
  // -1000 now and 1050 one quarter later: 1050 / (1 + r)^0.25 = 1000, so
  // (1 + r) = 1.05^4 = 1.21550625 and r = 0.21550625.
  const std::vector<CashFlow> flows{{0.0, -1000.0}, {0.25, 1050.0}};
  const auto rate = aidc::irr(flows);
  REQUIRE(rate.has_value());
  CHECK(*rate == Approx(0.21550625).margin(1e-12));
}

TEST_CASE("IRR is absent when NPV never changes sign", "[metrics]") {
  SECTION("all flows are inflows") {
    // NPV > 0 at every rate.
    CHECK_FALSE(aidc::irr({{1.0, 100.0}, {2.0, 100.0}}).has_value());
  }
  SECTION("all flows are outflows") {
    CHECK_FALSE(aidc::irr({{0.0, -100.0}, {1.0, -50.0}}).has_value());
  }
  SECTION("there are no flows, or only zero flows") {
    // NPV is 0 at every rate, so no single rate is the IRR.
    CHECK_FALSE(aidc::irr({}).has_value());
    CHECK_FALSE(aidc::irr({{0.0, 0.0}, {1.0, 0.0}}).has_value());
  }
  SECTION("the root lies below the -99% end of the search range") {
    // -1000 now, +1 in a year: 1 / (1 + r) = 1000 gives r = -0.999 < -0.99.
    CHECK_FALSE(aidc::irr({{0.0, -1000.0}, {1.0, 1.0}}).has_value());
  }
}

TEST_CASE("IRR with two roots returns the lower one", "[metrics]") {
  // -100, +230, -132 at years 0, 1, 2. With x = 1 / (1 + r): -100 + 230x - 132x^2 = 0,
  // x = (230 +- sqrt(52900 - 52800)) / 264 = (230 +- 10) / 264 = 0.90909 or 0.83333,
  // so r = 1/x - 1 = 0.10 or 0.20. Scanning up from -99% brackets 10% first.
  const std::vector<CashFlow> flows{{0.0, -100.0}, {1.0, 230.0}, {2.0, -132.0}};
  const auto rate = aidc::irr(flows);
  REQUIRE(rate.has_value());
  CHECK(*rate == Approx(0.10).margin(1e-12));
}

TEST_CASE("Payback interpolates within the period in which cumulative cash turns positive",
          "[metrics]") {
  // Cumulative: -1000 at 0, -600 at 1, -200 at 2, +200 at 3. Year 3's 400 arrive evenly over
  // (2, 3], and 200 of them are needed: 2 + 200 / 400 = 2.5 years.
  const std::vector<CashFlow> flows{{0.0, -1000.0}, {1.0, 400.0}, {2.0, 400.0}, {3.0, 400.0}};
  const auto years = aidc::payback_years(flows);
  REQUIRE(years.has_value());
  CHECK(*years == Approx(2.5).margin(1e-12));
}

TEST_CASE("Payback spreads a flow over its own, possibly uneven, period", "[metrics]") {
  // -1000 at 0, then +600 over (0, 0.5] and +800 over (0.5, 2]. Cumulative is -400 at 0.5
  // and needs 400 of the 800 spread over 1.5 years: 0.5 + 1.5 x 400 / 800 = 1.25 years.
  const std::vector<CashFlow> flows{{0.0, -1000.0}, {0.5, 600.0}, {2.0, 800.0}};
  const auto years = aidc::payback_years(flows);
  REQUIRE(years.has_value());
  CHECK(*years == Approx(1.25).margin(1e-12));
}

TEST_CASE("Payback is absent when cumulative cash stays negative, and 0 when never negative",
          "[metrics]") {
  // -1000 + 400 + 400 = -200 after the last flow.
  CHECK_FALSE(aidc::payback_years({{0.0, -1000.0}, {1.0, 400.0}, {2.0, 400.0}}).has_value());
  // No outflow: nothing to pay back.
  CHECK(aidc::payback_years({{1.0, 400.0}}) == std::optional<double>{0.0});
}

TEST_CASE("Payback rejects flows that are not sorted by date", "[metrics]") {
  const std::vector<CashFlow> unsorted{{0.0, -1000.0}, {2.0, 400.0}, {1.0, 400.0}};
  REQUIRE_THROWS_WITH(aidc::payback_years(unsorted),
                      Catch::Contains("cash flow 2") && Catch::Contains("sorted"));
}

TEST_CASE("Discounted payback uses the present value of each flow", "[metrics]") {
  // -1000 now, then 400 at the end of years 1-4, at 10%. Present values:
  // 400/1.1 = 363.6363636, 400/1.21 = 330.5785124, 400/1.331 = 300.5259204,
  // 400/1.4641 = 273.2053822. After year 3 cumulative is
  // -1000 + 400 x (1.21 + 1.1 + 1) / 1.331 = -1000 + 1324 / 1.331 = -5.2592036.
  // Fraction of year 4 needed: (1000 - 1324/1.331) / (400/1.4641)
  //   = (1464.1 - 1324 x 1.1) / 400 = (1464.1 - 1456.4) / 400 = 7.7 / 400 = 0.01925.
  // Discounted payback = 3.01925 years (the undiscounted one is 2.5).
  const std::vector<CashFlow> flows{
      {0.0, -1000.0}, {1.0, 400.0}, {2.0, 400.0}, {3.0, 400.0}, {4.0, 400.0}};
  const auto years = aidc::discounted_payback_years(flows, 0.10);
  REQUIRE(years.has_value());
  CHECK(*years == Approx(3.01925).margin(1e-9));

  SECTION("it is absent when discounting leaves the project short") {
    // Only three years of 400: cumulative present value ends at -5.26 (above).
    const std::vector<CashFlow> three{{0.0, -1000.0}, {1.0, 400.0}, {2.0, 400.0}, {3.0, 400.0}};
    CHECK_FALSE(aidc::discounted_payback_years(three, 0.10).has_value());
  }
  SECTION("at a zero rate it equals the undiscounted payback") {
    // Cumulative -1000, -600, -200, +200: 2 + 200/400 = 2.5 years.
    CHECK(aidc::discounted_payback_years(flows, 0.0) == aidc::payback_years(flows));
  }
}

TEST_CASE("ROIC divides after-tax operating profit by average invested capital", "[metrics]") {
  // EBIT 1,000,000 at 25% tax: NOPAT = 750,000. Capital (4,000,000 + 6,000,000) / 2 =
  // 5,000,000. ROIC = 750,000 / 5,000,000 = 0.15.
  CHECK(aidc::roic(1'000'000.0, 0.25, 4'000'000.0, 6'000'000.0) == Approx(0.15).margin(1e-15));
  // A loss stays a loss after "tax": -200,000 x 0.75 / 1,000,000 = -0.15.
  CHECK(aidc::roic(-200'000.0, 0.25, 1'000'000.0, 1'000'000.0) == Approx(-0.15).margin(1e-15));
}

TEST_CASE("ROIC rejects capital that averages to zero and tax rates outside [0, 1]", "[metrics]") {
  REQUIRE_THROWS_WITH(aidc::roic(1.0, 0.25, 0.0, 0.0),
                      Catch::Contains("invested capital must be positive"));
  REQUIRE_THROWS_WITH(aidc::roic(1.0, 1.5, 1.0, 1.0),
                      Catch::Contains("tax rate") && Catch::Contains("1.5"));
}

TEST_CASE("Break-even price is costs per GPU-hour sold", "[metrics]") {
  // 2,400,000 USD of costs over 1,000,000 GPU-hours: 2.40 USD per GPU-hour.
  CHECK(aidc::break_even_price(2'400'000.0, 1'000'000.0) == Approx(2.40).margin(1e-15));

  SECTION("with zero hours no price recovers positive costs") {
    CHECK(aidc::break_even_price(100.0, 0.0) == std::numeric_limits<double>::infinity());
    CHECK(aidc::break_even_price(0.0, 0.0) == 0.0);
  }
  SECTION("negative hours are an error") {
    REQUIRE_THROWS_WITH(aidc::break_even_price(100.0, -1.0),
                        Catch::Contains("gpu hours") && Catch::Contains("-1"));
  }
}
