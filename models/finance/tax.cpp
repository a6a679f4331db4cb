#include "aidc/finance/tax.hpp"

#include <algorithm>
#include <chrono>
#include <deque>

namespace aidc {

namespace {
using std::chrono::month;
using std::chrono::year;
using std::chrono::year_month_day;
}  // namespace

int FiscalCalendar::year_of(Date d) const {
  const year_month_day ymd{d};
  const int y = static_cast<int>(ymd.year());
  return static_cast<int>(static_cast<unsigned>(ymd.month())) > end_month ? y + 1 : y;
}

Date FiscalCalendar::begin(int fiscal_year) const {
  // The month after `end_month` of the year before.
  const int first_month = end_month % 12 + 1;
  const int y = end_month == 12 ? fiscal_year : fiscal_year - 1;
  return Date{year{y} / month{static_cast<unsigned>(first_month)} / 1};
}

int FiscalCalendar::quarter_of(Date d) const {
  const year_month_day ymd{d};
  const int m = static_cast<int>(static_cast<unsigned>(ymd.month()));
  const int months_in = (m - end_month - 1 + 24) % 12;  // 0 in the fiscal year's first month
  return months_in / 3 + 1;
}

Date FiscalCalendar::quarter_end(int fiscal_year, int quarter) const {
  const year_month_day first{begin(fiscal_year)};
  return Date{first + std::chrono::months{3 * quarter}};
}

std::vector<TaxYearResult> tax_by_year(const std::vector<TaxYearInput>& years,
                                       const TaxSpec& spec) {
  struct Vintage {
    int year;
    double usd;
  };
  std::deque<Vintage> losses;  // oldest first
  if (!years.empty() && spec.opening_loss_carryforward_usd > 0) {
    losses.push_back({years.front().fiscal_year - 1, spec.opening_loss_carryforward_usd});
  }
  std::vector<TaxYearResult> out;
  for (const TaxYearInput& in : years) {
    TaxYearResult r;
    r.fiscal_year = in.fiscal_year;
    if (in.taxable_income < 0) {
      r.loss_created = -in.taxable_income;
    } else {
      double can_offset = spec.loss_offset_limit * in.taxable_income;
      while (can_offset > 0 && !losses.empty()) {
        Vintage& v = losses.front();
        const double use = std::min(v.usd, can_offset);
        v.usd -= use;
        can_offset -= use;
        r.loss_used += use;
        if (v.usd <= 0) losses.pop_front();
      }
      r.taxable_income = in.taxable_income - r.loss_used;
      r.tax = spec.rate * r.taxable_income;
    }
    if (r.loss_created > 0) losses.push_back({in.fiscal_year, r.loss_created});
    if (spec.loss_carryforward_years) {
      while (!losses.empty() &&
             losses.front().year + *spec.loss_carryforward_years <= in.fiscal_year) {
        r.loss_expired += losses.front().usd;
        losses.pop_front();
      }
    }
    for (const Vintage& v : losses) r.loss_carryforward += v.usd;
    out.push_back(r);
  }
  return out;
}

}  // namespace aidc
