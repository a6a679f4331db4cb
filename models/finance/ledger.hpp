#pragma once
// What the pools' statements hand on to the entity's statements (tax, interest, debt) and to
// the horizon metrics: one phase of compute_finance() each, in statements.cpp, entity.cpp
// and horizon.cpp.

#include <map>
#include <utility>
#include <vector>

#include "aidc/finance/finance.hpp"
#include "aidc/workload/simulation.hpp"

namespace aidc::finance {

using sim::kHoursPerYear;
using sim::kSecondsPerYear;

using sim::to_hours;

/// The simulated time of midnight on `d`.
inline sim::Time time_at(const Scenario& s, Date d) {
  return sim::Time{(d - s.start).count() * sim::kSecondsPerDay};
}

/// Power per GPU of type `g` at the server, busy and idle (FinanceSpec::server_power, which
/// has every type of the fleet).
inline const ServerPower& power_of(const FinanceSpec& f, const GpuType& g) {
  return f.server_power.at(g.id);
}

/// A fiscal year's taxable items within the window, before interest.
struct FiscalYearItems {
  double ebitda = 0;
  double tax_depreciation = 0;
  double tax_gain = 0;  // proceeds of disposals less their tax basis
  double interest = 0;  // filled by the entity phase
  // The fleet's book value and tax basis at the year's last instant within the window.
  double book_value_end = 0;
  double tax_basis_end = 0;
  sim::Time end{};  // the year's end, or the window's end when that comes first
};

struct Ledger {
  std::map<int, FiscalYearItems> years;                  // by fiscal year
  std::vector<sim::Time> period_ends;                    // by period
  std::vector<std::pair<sim::Time, double>> borrowings;  // (drawn at, principal)
  // The fleet bought before the scenario's start and in service when the window opens.
  double opening_book = 0;     // its book value
  double opening_resale = 0;   // its resale value
  double opening_prepaid = 0;  // deposits paid before the window for later deliveries
  double closing_resale = 0;   // resale value of the fleet still owned at the horizon
  double closing_prepaid = 0;  // deposits paid for deliveries after the horizon
};

/// The period in which something at time `t` is booked: the first whose end is at or after
/// `t` (the last for times after the window).
std::size_t period_of(const Ledger& ledger, sim::Time t);

/// The pools' statements, by segment and row, into `out.rows` (and the ledger).
Ledger pool_statements(const Scenario& s, const RunResult& r, FinanceResult& out);
/// Model access sold by the token: tokens, revenue, cost and margin by period and GPU type
/// (tokens.cpp), from the segments and the pools' statements.
void token_economics(const Scenario& s, const RunResult& r, const Ledger& ledger,
                     FinanceResult& out);
/// The entity's lines by period (tax, deferred tax, interest, debt) into `out.entity`.
void entity_statements(const Scenario& s, const RunResult& r, Ledger& ledger, FinanceResult& out);
/// Periods, totals and the horizon metrics.
void horizon_metrics(const Scenario& s, const RunResult& r, const Ledger& ledger,
                     FinanceResult& out);

}  // namespace aidc::finance
