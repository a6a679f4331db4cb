#pragma once
// The depreciation of one pool over spans of simulated time, for the book or for tax: by
// age for most models, by tax year for MACRS (IRS Publication 946), whose first-year
// convention depends on what the whole fleet placed in service that year.

#include <map>
#include <vector>

#include "aidc/depreciation/depreciation.hpp"
#include "aidc/depreciation/macrs.hpp"
#include "aidc/finance/tax.hpp"
#include "aidc/scenario/scenario.hpp"

namespace aidc::finance {

/// The MACRS convention of each tax year under the IRS rule: mid-quarter when more than 40%
/// of the basis placed in service in the year was placed in its last quarter (IRC 168(d)(3)),
/// else half-year. `placed` lists (date placed in service, basis) of every owned pool.
std::map<int, MacrsConvention> macrs_conventions(const std::vector<std::pair<Date, double>>& placed,
                                                 const FiscalCalendar& calendar);

/// One pool's depreciation under one model.
class PoolDepreciation {
 public:
  /// `cost` is the pool's basis; it is placed in service at `placed` and, when `retire` is
  /// finite, disposed of then (MACRS: its tax year is that of its last day in service).
  PoolDepreciation(const DepreciationModel& model, double cost, const Scenario& s, sim::Time placed,
                   sim::Time retire, const FiscalCalendar& calendar,
                   const std::map<int, MacrsConvention>& conventions);

  /// The charge over [a, b), within the pool's service; `busy_before` and `busy` are its
  /// busy hours per GPU before and within the span (units of production only).
  double charge(sim::Time a, sim::Time b, double busy_before, double busy) const;

 private:
  struct Piece {  // one tax year of a MACRS schedule, spread evenly over the days held
    sim::Time from, to;
    double usd;
  };
  const DepreciationModel* model_;
  double cost_;
  sim::Time placed_;
  std::vector<Piece> pieces_;  // MACRS only
  bool by_tax_year_ = false;
};

}  // namespace aidc::finance
