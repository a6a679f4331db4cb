#pragma once
/// MACRS by tax year, as IRS Publication 946 (How to Depreciate Property) prescribes it: the
/// general depreciation system's 200% declining-balance tables for 3, 5 and 7-year property
/// under the half-year and mid-quarter conventions (Appendix A, Tables ), bonus
/// depreciation, and the deduction in the year of a disposal.

#include <cstdint>
#include <vector>

#include "aidc/depreciation/depreciation.hpp"

namespace aidc {

/// The convention that decides how much of the first tax year's deduction property gets.
enum class MacrsConvention {
  half_year,    // placed in service at mid-year, whatever the date
  mid_quarter,  // placed in service at the middle of its quarter of the tax year
};

/// Percent of the unadjusted basis deducted in tax years 1..N+1 for N-year property (N = 3, 5
/// or 7), as IRS Publication 946 prints it: Table A-1 under the half-year convention (`quarter`
/// ignored), Tables under the mid-quarter convention for property placed in service
/// in `quarter` (1..4) of its first tax year. Each column sums to 100.
std::vector<double> macrs_table_percent(int recovery_years, MacrsConvention convention,
                                        int quarter);

/// The method behind the tables, unrounded: 200% declining balance on the basis not yet
/// deducted, switching to straight line over the rest of the recovery period when that is
/// larger, with the first year's share of a year set by the convention. The tables round each
/// year to two decimals, adjusting a year by 0.01 where a column would not sum to 100.
std::vector<double> macrs_method_percent(int recovery_years, MacrsConvention convention,
                                         int quarter);

/// The share of a full year's table deduction allowed in the tax year in which property is
/// disposed of before its last recovery year (Pub 946, chapter 4, "Which Convention Applies?"):
/// one half under the half-year convention; under the mid-quarter convention 12.5%, 37.5%,
/// 62.5% or 87.5% for a disposal in quarter 1, 2, 3 or 4. Property disposed of in the tax year
/// it was placed in service gets no deduction; in its last recovery year, the table's amount.
double macrs_disposal_share(MacrsConvention convention, int quarter);

/// How the `macrs` model chooses the convention of each tax year.
enum class MacrsConventionRule {
  automatic,    // the IRS rule: mid-quarter when more than 40% of the year's basis is placed in
                // service in its last quarter, else half-year (IRC 168(d)(3))
  half_year,    // always half-year
  mid_quarter,  // always mid-quarter
};

/// The `macrs` depreciation model. The statements apply it by tax year (see
/// compute_finance()): the deduction of tax year k is the basis times the Table
/// percentage for the year's convention and the quarter the pool was placed in service, plus
/// in year 1 the bonus share, spread evenly over the days of the tax year the pool is held.
/// Its age-based charge_usd() is the half-year table by years of age, [k - 1, k) for year k,
/// for callers that know no calendar.
class MacrsDepreciation final : public AgeBasedDepreciation {
 public:
  MacrsDepreciation(int recovery_years, MacrsConventionRule rule, double bonus_fraction);

  int recovery_years() const { return recovery_years_; }
  MacrsConventionRule convention_rule() const { return rule_; }
  /// The share of the basis deducted in the first tax year on top of the table (IRC 168(k));
  /// the table then applies to the rest of the basis.
  double bonus_fraction() const { return bonus_fraction_; }

  /// The share of the basis deducted in tax year k (1-based) for property placed in service
  /// in quarter `quarter` of its first tax year under `convention`, bonus included; 0 outside
  /// years 1..N+1.
  double year_share(int k, MacrsConvention convention, int quarter) const;

  double life_years() const override { return static_cast<double>(recovery_years_ + 1); }
  double salvage_fraction() const override { return 0.0; }

 private:
  double base_fraction() const override { return 1.0; }
  double charged_fraction(double age_years) const override;

  int recovery_years_;
  MacrsConventionRule rule_;
  double bonus_fraction_;
  std::vector<double> half_year_;                 // Table A-1 column
  std::vector<std::vector<double>> mid_quarter_;  // Tables A-2 .. A-5 columns
};

}  // namespace aidc
