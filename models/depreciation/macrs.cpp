#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "aidc/models/depreciation.hpp"

namespace aidc {

namespace {

// IRS Publication 946 (How to Depreciate Property), Appendix A, Table A-1: general
// depreciation system, 200% declining balance switching to straight line, half-year
// convention; percent of the unadjusted basis in recovery years 1..N+1. Checked against
// ../shared/reference/catalog.json, depreciation.macrs.table_a1_half_year_200db_pct.
// Computers and peripheral equipment are 5-year property; property with no class life is 7-year.
constexpr double kFiveYearPct[] = {20.00, 32.00, 19.20, 11.52, 11.52, 5.76};
constexpr double kSevenYearPct[] = {14.29, 24.49, 17.49, 12.49, 8.93, 8.92, 8.93, 4.46};

/// MACRS (GDS, half-year convention) at the exact Table A-1 percentages. Recovery year k is
/// the age [k-1, k), so 5-year property is charged over 6 years of age; a year's charge is
/// spread evenly over that year. No salvage: the whole basis is recovered.
class Macrs final : public AgeBasedDepreciation {
 public:
  explicit Macrs(std::int64_t recovery_years) {
    assert(recovery_years == 5 || recovery_years == 7);
    if (recovery_years == 5) {
      percent_.assign(std::begin(kFiveYearPct), std::end(kFiveYearPct));
    } else {
      percent_.assign(std::begin(kSevenYearPct), std::end(kSevenYearPct));
    }
    cumulative_.push_back(0.0);
    for (const double pct : percent_) cumulative_.push_back(cumulative_.back() + pct / 100.0);
    // Each table sums to exactly 100.00; pin the end so the basis is recovered to the cent.
    assert(std::abs(cumulative_.back() - 1.0) < 1e-12);
    cumulative_.back() = 1.0;
  }

  double life_years() const override { return static_cast<double>(percent_.size()); }
  double salvage_fraction() const override { return 0.0; }

 private:
  double base_fraction() const override { return 1.0; }
  /// The share of the basis charged by age `t`.
  double charged_fraction(double t) const override {
    if (t <= 0) return 0.0;
    if (t >= life_years()) return 1.0;
    const auto k = static_cast<std::size_t>(std::floor(t));
    return cumulative_[k] + percent_[k] / 100.0 * (t - static_cast<double>(k));
  }

  std::vector<double> percent_;     // Table A-1 column, recovery years 1..N+1
  std::vector<double> cumulative_;  // [k]: share of the basis charged by the end of year k
};

}  // namespace

void register_macrs(Registry<DepreciationModel>& registry) {
  registry.add(
      {"macrs",
       "US tax depreciation: IRS Pub. 946 Table A-1 (200% declining balance, half-year "
       "convention).",
       {{"recovery_years", "recovery period: 5 (computers) or 7", "5"}},
       [](const ParamReader& p) {
         std::int64_t recovery_years = p.integer("recovery_years", 5, Bound::any);
         if (recovery_years != 5 && recovery_years != 7) {
           p.error("recovery_years",
                   fmt::format("out of range (got {}, expected one of: 5, 7)", recovery_years));
           recovery_years = 5;
         }
         return std::make_unique<Macrs>(recovery_years);
       }});
}

}  // namespace aidc
