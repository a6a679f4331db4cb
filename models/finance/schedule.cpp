#include "schedule.hpp"

#include "ledger.hpp"

#include <algorithm>
#include <limits>

namespace aidc::finance {

namespace {

Date date_at(const Scenario& s, sim::Time t) {
  // Pool dates are whole days; floor for times before the start.
  const std::int64_t days = t.seconds >= 0
                                ? t.seconds / sim::kSecondsPerDay
                                : -((-t.seconds + sim::kSecondsPerDay - 1) / sim::kSecondsPerDay);
  return s.start + std::chrono::days{days};
}

}  // namespace

std::map<int, MacrsConvention> macrs_conventions(const std::vector<std::pair<Date, double>>& placed,
                                                 const FiscalCalendar& calendar) {
  std::map<int, std::pair<double, double>> basis;  // year -> (all, last quarter)
  for (const auto& [date, usd] : placed) {
    auto& [all, last] = basis[calendar.year_of(date)];
    all += usd;
    if (calendar.quarter_of(date) == 4) last += usd;
  }
  std::map<int, MacrsConvention> out;
  for (const auto& [year, b] : basis) {
    out[year] = b.first > 0 && b.second > 0.4 * b.first ? MacrsConvention::mid_quarter
                                                        : MacrsConvention::half_year;
  }
  return out;
}

PoolDepreciation::PoolDepreciation(const DepreciationModel& model, double cost, const Scenario& s,
                                   sim::Time placed, sim::Time retire,
                                   const FiscalCalendar& calendar,
                                   const std::map<int, MacrsConvention>& conventions)
    : model_(&model), cost_(cost), placed_(placed) {
  const auto* macrs = dynamic_cast<const MacrsDepreciation*>(&model);
  if (!macrs) return;
  by_tax_year_ = true;
  const Date in = date_at(s, placed);
  const int first = calendar.year_of(in);
  const int quarter = calendar.quarter_of(in);
  MacrsConvention convention = MacrsConvention::half_year;
  switch (macrs->convention_rule()) {
    case MacrsConventionRule::half_year:
      break;
    case MacrsConventionRule::mid_quarter:
      convention = MacrsConvention::mid_quarter;
      break;
    case MacrsConventionRule::automatic:
      if (const auto it = conventions.find(first); it != conventions.end()) convention = it->second;
      break;
  }
  const bool disposed = retire.seconds != std::numeric_limits<std::int64_t>::max();
  const Date last_day = disposed ? date_at(s, retire) - std::chrono::days{1} : Date::max();
  const int disposal_year = disposed ? calendar.year_of(last_day) : std::numeric_limits<int>::max();
  const int years = macrs->recovery_years() + 1;
  for (int k = 1; k <= years; ++k) {
    const int y = first + k - 1;
    if (y > disposal_year) break;
    double share = macrs->year_share(k, convention, quarter);
    if (y == disposal_year) {
      // Nothing in the year placed in service; the table's amount in the last recovery year;
      // the convention's share of a full year in between (Pub 946, chapter 4).
      if (k == 1) share = 0.0;
      if (k > 1 && k < years)
        share *= macrs_disposal_share(convention, calendar.quarter_of(last_day));
    }
    const sim::Time from = std::max(placed, time_at(s, calendar.begin(y)));
    const sim::Time to =
        std::min(disposed ? retire : sim::Time{std::numeric_limits<std::int64_t>::max()},
                 time_at(s, calendar.end(y)));
    if (to > from) pieces_.push_back({from, to, cost * share});
  }
}

double PoolDepreciation::charge(sim::Time a, sim::Time b, double busy_before, double busy) const {
  if (b <= a) return 0.0;
  if (!by_tax_year_) {
    return model_->charge_usd(cost_, age_years(a - placed_), age_years(b - placed_), busy_before,
                              busy);
  }
  double usd = 0.0;
  for (const Piece& p : pieces_) {
    const sim::Time lo = std::max(a, p.from);
    const sim::Time hi = std::min(b, p.to);
    if (hi <= lo) continue;
    usd += p.usd * static_cast<double>((hi - lo).seconds) /
           static_cast<double>((p.to - p.from).seconds);
  }
  return usd;
}

}  // namespace aidc::finance
