#include "aidc/depreciation/macrs.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <memory>
#include <stdexcept>

#include "register.hpp"

namespace aidc {

namespace {

void check(int recovery_years, MacrsConvention convention, int quarter) {
  if (recovery_years != 3 && recovery_years != 5 && recovery_years != 7) {
    throw std::invalid_argument(
        fmt::format("MACRS recovery period must be 3, 5 or 7 years, got {}", recovery_years));
  }
  if (convention == MacrsConvention::mid_quarter && (quarter < 1 || quarter > 4)) {
    throw std::invalid_argument(fmt::format("quarter must be 1 to 4, got {}", quarter));
  }
}

// IRS Publication 946 (How to Depreciate Property), Appendix A: general depreciation system,
// 200% declining balance switching to straight line, percent of the unadjusted basis by
// recovery year. Table A-1 is the half-year convention; Tables the mid-quarter
// convention for property placed in service in the first to the fourth quarter. The IRS
// rounds each year to two decimals and adjusts a straight-line year by 0.01 where the column
// would not sum to 100, so the tables are data, not a formula (macrs_method_percent() is the
// unrounded method they come from).
struct Column {
  int recovery_years;
  int table;  // 1: A-1 (half-year); 2 to 5: A-2 to A-5 (mid-quarter, quarters 1 to 4)
  std::vector<double> percent;
};
const std::vector<Column>& pub946() {
  static const std::vector<Column> columns{
      {3, 1, {33.33, 44.45, 14.81, 7.41}},
      {5, 1, {20.00, 32.00, 19.20, 11.52, 11.52, 5.76}},
      {7, 1, {14.29, 24.49, 17.49, 12.49, 8.93, 8.92, 8.93, 4.46}},
      {3, 2, {58.33, 27.78, 12.35, 1.54}},
      {5, 2, {35.00, 26.00, 15.60, 11.01, 11.01, 1.38}},
      {7, 2, {25.00, 21.43, 15.31, 10.93, 8.75, 8.74, 8.75, 1.09}},
      {3, 3, {41.67, 38.89, 14.14, 5.30}},
      {5, 3, {25.00, 30.00, 18.00, 11.37, 11.37, 4.26}},
      {7, 3, {17.85, 23.47, 16.76, 11.97, 8.87, 8.87, 8.87, 3.34}},
      {3, 4, {25.00, 50.00, 16.67, 8.33}},
      {5, 4, {15.00, 34.00, 20.40, 12.24, 11.30, 7.06}},
      {7, 4, {10.71, 25.51, 18.22, 13.02, 9.30, 8.85, 8.86, 5.53}},
      {3, 5, {8.33, 61.11, 20.37, 10.19}},
      {5, 5, {5.00, 38.00, 22.80, 13.68, 10.94, 9.58}},
      {7, 5, {3.57, 27.55, 19.68, 14.06, 10.04, 8.73, 8.73, 7.64}},
  };
  return columns;
}

}  // namespace

std::vector<double> macrs_table_percent(int recovery_years, MacrsConvention convention,
                                        int quarter) {
  check(recovery_years, convention, quarter);
  const int table = convention == MacrsConvention::half_year ? 1 : 1 + quarter;
  for (const Column& c : pub946()) {
    if (c.recovery_years == recovery_years && c.table == table) return c.percent;
  }
  throw std::logic_error("MACRS table missing");
}

std::vector<double> macrs_method_percent(int recovery_years, MacrsConvention convention,
                                         int quarter) {
  check(recovery_years, convention, quarter);
  const double n = recovery_years;
  const double rate = 2.0 / n;  // 200% declining balance
  // The part of the first tax year the property is deemed held: from mid-year, or from the
  // middle of its quarter (10.5, 7.5, 4.5 or 1.5 months of 12).
  const double first = convention == MacrsConvention::half_year
                           ? 0.5
                           : (13.5 - 3.0 * static_cast<double>(quarter)) / 12.0;
  double left = 100.0;   // percent of the basis not yet deducted
  double life_left = n;  // years of the recovery period not yet run
  std::vector<double> out;
  for (bool first_year = true; life_left > 1e-12; first_year = false) {
    const double span = first_year ? first : std::min(1.0, life_left);
    const double declining = left * rate * span;
    const double straight = left * span / life_left;  // the rest, evenly over the life left
    const double charge = std::min(left, std::max(declining, straight));
    out.push_back(charge);
    left -= charge;
    life_left -= span;
  }
  return out;
}

double macrs_disposal_share(MacrsConvention convention, int quarter) {
  if (convention == MacrsConvention::half_year) return 0.5;
  if (quarter < 1 || quarter > 4) {
    throw std::invalid_argument(fmt::format("quarter must be 1 to 4, got {}", quarter));
  }
  return (static_cast<double>(quarter) - 0.5) / 4.0;
}

MacrsDepreciation::MacrsDepreciation(int recovery_years, MacrsConventionRule rule,
                                     double bonus_fraction)
    : recovery_years_(recovery_years), rule_(rule), bonus_fraction_(bonus_fraction) {
  assert(bonus_fraction >= 0 && bonus_fraction <= 1);
  half_year_ = macrs_table_percent(recovery_years, MacrsConvention::half_year, 1);
  for (int q = 1; q <= 4; ++q) {
    mid_quarter_.push_back(macrs_table_percent(recovery_years, MacrsConvention::mid_quarter, q));
  }
}

double MacrsDepreciation::year_share(int k, MacrsConvention convention, int quarter) const {
  const auto& table = convention == MacrsConvention::half_year
                          ? half_year_
                          : mid_quarter_.at(static_cast<std::size_t>(quarter - 1));
  if (k < 1 || k > static_cast<int>(table.size())) return 0.0;
  const double share = table[static_cast<std::size_t>(k - 1)] / 100.0;
  return (k == 1 ? bonus_fraction_ : 0.0) + (1.0 - bonus_fraction_) * share;
}

double MacrsDepreciation::charged_fraction(double t) const {
  if (t <= 0) return 0.0;
  if (t >= life_years()) return 1.0;
  const auto k = static_cast<std::size_t>(std::floor(t));
  double before = 0.0;
  for (std::size_t i = 0; i < k; ++i) before += half_year_[i] / 100.0;
  const double table = before + half_year_[k] / 100.0 * (t - static_cast<double>(k));
  return bonus_fraction_ * std::min(t, 1.0) + (1.0 - bonus_fraction_) * table;
}

void register_macrs(Registry<DepreciationModel>& registry) {
  registry.add(
      {"macrs",
       "US tax depreciation by tax year: IRS Pub. 946 Tables A-1 to A-5 (200% declining "
       "balance; half-year or mid-quarter convention), with optional bonus depreciation.",
       {{"recovery_years", "recovery period: 3, 5 (computers) or 7", "5"},
        {"convention",
         "auto (mid-quarter when over 40% of a year's basis is placed in its last "
         "quarter), half_year or mid_quarter",
         "auto"},
        {"bonus_fraction", "share of the basis deducted in the first tax year (IRC 168(k))", "0"}},
       [](const ParamReader& p) {
         std::int64_t recovery_years = p.integer("recovery_years", 5, Bound::any);
         if (recovery_years != 3 && recovery_years != 5 && recovery_years != 7) {
           p.error("recovery_years",
                   fmt::format("out of range (got {}, expected one of: 3, 5, 7)", recovery_years));
           recovery_years = 5;
         }
         const std::string convention =
             p.choice("convention", {"auto", "half_year", "mid_quarter"}, "auto");
         const MacrsConventionRule rule = convention == "half_year" ? MacrsConventionRule::half_year
                                          : convention == "mid_quarter"
                                              ? MacrsConventionRule::mid_quarter
                                              : MacrsConventionRule::automatic;
         const double bonus = p.number("bonus_fraction", 0.0, Bound::fraction);
         return std::make_unique<MacrsDepreciation>(static_cast<int>(recovery_years), rule,
                                                    std::clamp(bonus, 0.0, 1.0));
       }});
}

}  // namespace aidc
