// MACRS by tax year against IRS Publication 946: the percentage tables, the method behind
// them, bonus depreciation and the year of a disposal.

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numeric>
#include <vector>

#include "aidc/depreciation/macrs.hpp"

using aidc::MacrsConvention;

namespace {

struct Column {
  int recovery_years;
  MacrsConvention convention;
  int quarter;
  std::vector<double> first_years;  // as printed, for the years given
};

}  // namespace

TEST_CASE("MACRS tables are IRS Publication 946 Tables A-1 to A-5", "[macrs]") {
  // The first five recovery years as reproduced in Cengage, 'Table 8.4 Accelerated
  // Depreciation for Personal Property Assuming Mid-Quarter Convention'
  // (https://cxp.cengage.com/contentservice/assets/T=1586447785969/whitf38h/images/ch08/table_8-4.html),
  // and Table A-1 in full as in 'Table 7.2 ... Half-Year Convention' (the reference catalog's
  // depreciation.macrs source), typed here from those pages.
  const auto c = GENERATE(
      Column{3, MacrsConvention::half_year, 1, {33.33, 44.45, 14.81, 7.41}},
      Column{5, MacrsConvention::half_year, 1, {20.00, 32.00, 19.20, 11.52, 11.52, 5.76}},
      Column{
          7, MacrsConvention::half_year, 1, {14.29, 24.49, 17.49, 12.49, 8.93, 8.92, 8.93, 4.46}},
      Column{3, MacrsConvention::mid_quarter, 1, {58.33, 27.78, 12.35, 1.54}},
      Column{5, MacrsConvention::mid_quarter, 1, {35.00, 26.00, 15.60, 11.01, 11.01}},
      Column{7, MacrsConvention::mid_quarter, 1, {25.00, 21.43, 15.31, 10.93, 8.75}},
      Column{3, MacrsConvention::mid_quarter, 2, {41.67, 38.89, 14.14, 5.30}},
      Column{5, MacrsConvention::mid_quarter, 2, {25.00, 30.00, 18.00, 11.37, 11.37}},
      Column{7, MacrsConvention::mid_quarter, 2, {17.85, 23.47, 16.76, 11.97, 8.87}},
      Column{3, MacrsConvention::mid_quarter, 3, {25.00, 50.00, 16.67, 8.33}},
      Column{5, MacrsConvention::mid_quarter, 3, {15.00, 34.00, 20.40, 12.24, 11.30}},
      Column{7, MacrsConvention::mid_quarter, 3, {10.71, 25.51, 18.22, 13.02, 9.30}},
      Column{3, MacrsConvention::mid_quarter, 4, {8.33, 61.11, 20.37, 10.19}},
      Column{5, MacrsConvention::mid_quarter, 4, {5.00, 38.00, 22.80, 13.68, 10.94}},
      Column{7, MacrsConvention::mid_quarter, 4, {3.57, 27.55, 19.68, 14.06, 10.04}});
  CAPTURE(c.recovery_years, c.quarter, c.convention == MacrsConvention::half_year);
  const auto table = aidc::macrs_table_percent(c.recovery_years, c.convention, c.quarter);
  REQUIRE(table.size() == static_cast<std::size_t>(c.recovery_years + 1));
  for (std::size_t k = 0; k < c.first_years.size(); ++k) {
    CAPTURE(k + 1);
    CHECK(std::abs(table[k] - c.first_years[k]) < 1e-9);
  }
  // Every column recovers the whole basis.
  CHECK(std::abs(std::accumulate(table.begin(), table.end(), 0.0) - 100.0) < 1e-9);
  // Each year is the method's exact percentage to the table's rounding: two decimals, and an
  // adjustment of at most 0.01 where the IRS made a column sum to 100.
  const auto exact = aidc::macrs_method_percent(c.recovery_years, c.convention, c.quarter);
  REQUIRE(exact.size() == table.size());
  for (std::size_t k = 0; k < table.size(); ++k) {
    CAPTURE(k + 1, exact[k], table[k]);
    CHECK(std::abs(exact[k] - table[k]) <= 0.015);
  }
}

TEST_CASE("MACRS tables A-1 and A-5 equal the reference catalog's transcription", "[macrs]") {
  const std::filesystem::path path =
      std::filesystem::path(AIDC_SOURCE_DIR) / ".." / "shared" / "reference" / "catalog.json";
  if (!std::filesystem::exists(path)) {
    WARN("skipped: " << path.string() << " is absent");
    return;
  }
  std::ifstream in(path);
  const auto macrs = nlohmann::json::parse(in).at("depreciation").at("macrs");
  for (const int n : {3, 5, 7}) {
    const auto a1 = macrs.at("table_a1_half_year_200db_pct").at(std::to_string(n) + "_year");
    CHECK(aidc::macrs_table_percent(n, MacrsConvention::half_year, 1) ==
          a1.get<std::vector<double>>());
  }
  for (const int n : {5, 7}) {
    const auto a5 = macrs.at("table_a5_mid_quarter_q4_200db_pct").at(std::to_string(n) + "_year");
    CHECK(aidc::macrs_table_percent(n, MacrsConvention::mid_quarter, 4) ==
          a5.get<std::vector<double>>());
  }
}

TEST_CASE("Bonus depreciation takes its share in the first tax year, the table the rest",
          "[macrs]") {
  // 5-year property, basis 100,000, 60% bonus, half-year convention. By hand: year 1 deducts
  // 60,000 + 20% of the remaining 40,000 = 68,000; year 2 32% of 40,000 = 12,800; year 6
  // 5.76% of 40,000 = 2,304. The six years deduct the whole basis.
  const aidc::MacrsDepreciation m(5, aidc::MacrsConventionRule::automatic, 0.6);
  const double basis = 100'000.0;
  CHECK(basis * m.year_share(1, MacrsConvention::half_year, 1) == Approx(68'000.0).epsilon(1e-12));
  CHECK(basis * m.year_share(2, MacrsConvention::half_year, 1) == Approx(12'800.0).epsilon(1e-12));
  CHECK(basis * m.year_share(6, MacrsConvention::half_year, 1) == Approx(2'304.0).epsilon(1e-12));
  CHECK(m.year_share(7, MacrsConvention::half_year, 1) == 0.0);
  double total = 0;
  for (int k = 1; k <= 6; ++k) total += m.year_share(k, MacrsConvention::mid_quarter, 3);
  CHECK(total == Approx(1.0).epsilon(1e-12));
  // 100% bonus (IRC 168(k) as restored in 2025) deducts everything in year 1.
  const aidc::MacrsDepreciation full(5, aidc::MacrsConventionRule::automatic, 1.0);
  CHECK(full.year_share(1, MacrsConvention::mid_quarter, 4) == 1.0);
  CHECK(full.year_share(2, MacrsConvention::mid_quarter, 4) == 0.0);
}

TEST_CASE("The year of a disposal gets the convention's share of a full year", "[macrs]") {
  // Pub 946, chapter 4: half a year under the half-year convention; under the mid-quarter
  // convention 12.5%, 37.5%, 62.5% and 87.5% for a disposal in quarters 1 to 4.
  CHECK(aidc::macrs_disposal_share(MacrsConvention::half_year, 3) == 0.5);
  CHECK(aidc::macrs_disposal_share(MacrsConvention::mid_quarter, 1) == 0.125);
  CHECK(aidc::macrs_disposal_share(MacrsConvention::mid_quarter, 2) == 0.375);
  CHECK(aidc::macrs_disposal_share(MacrsConvention::mid_quarter, 3) == 0.625);
  CHECK(aidc::macrs_disposal_share(MacrsConvention::mid_quarter, 4) == 0.875);
  CHECK_THROWS(aidc::macrs_table_percent(6, MacrsConvention::half_year, 1));
  CHECK_THROWS(aidc::macrs_table_percent(5, MacrsConvention::mid_quarter, 5));
}
