#pragma once
/// Income tax at the entity level: fiscal years, losses carried forward, and when tax is paid.

#include <memory>
#include <optional>
#include <vector>

#include "aidc/depreciation/depreciation.hpp"
#include "aidc/scenario/scenario.hpp"

namespace aidc {

/// Fiscal years that end on the last day of month `end_month` (12: calendar years). A fiscal
/// year is named by the calendar year in which it ends; its quarters are its three-month
/// spans from its first day.
struct FiscalCalendar {
  int end_month = 12;
  int year_of(Date d) const;
  Date begin(int fiscal_year) const;                                  // its first day
  Date end(int fiscal_year) const { return begin(fiscal_year + 1); }  // the day after its last
  int quarter_of(Date d) const;                                       // 1 to 4
  Date quarter_end(int fiscal_year, int quarter) const;  // the day after the quarter's last
};

enum class TaxPayments {
  annual,     // the year's tax in the period in which the fiscal year ends
  quarterly,  // four equal instalments at the ends of the fiscal year's quarters
};

/// The "tax" section of a scenario's finance.
struct TaxSpec {
  double rate = 0;
  FiscalCalendar calendar;
  /// Tax depreciation; by default MACRS (5-year, convention by the IRS rule, no bonus) when a
  /// rate is set, else the book model.
  std::shared_ptr<const DepreciationModel> depreciation;
  /// The share of a year's taxable income that losses carried forward may offset (80% for US
  /// losses arising after 2017, IRC 172(a)).
  double loss_offset_limit = 0.8;
  /// Years after which an unused loss expires; unset: never (US losses after 2017).
  std::optional<int> loss_carryforward_years;
  double opening_loss_carryforward_usd = 0;  // unused losses when the window opens
  TaxPayments payments = TaxPayments::annual;
};

/// One fiscal year's taxable income before losses carried forward (negative: a loss).
struct TaxYearInput {
  int fiscal_year = 0;
  double taxable_income = 0;
};

struct TaxYearResult {
  int fiscal_year = 0;
  double taxable_income = 0;     // after losses used
  double loss_used = 0;          // losses carried forward that offset this year's income
  double loss_created = 0;       // this year's loss, carried forward
  double loss_expired = 0;       // losses that expired unused at this year's end
  double tax = 0;                // rate x taxable income, never negative
  double loss_carryforward = 0;  // unused losses at this year's end
};

/// Taxes the fiscal years in order. A loss is carried forward, never back; in a later year
/// losses offset at most `loss_offset_limit` of that year's taxable income, oldest first; a
/// loss of year y not used by the end of year y + `loss_carryforward_years` expires. The
/// opening losses count as of the year before the first.
std::vector<TaxYearResult> tax_by_year(const std::vector<TaxYearInput>& years, const TaxSpec& spec);

}  // namespace aidc
