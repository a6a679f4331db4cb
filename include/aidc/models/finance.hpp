#pragma once
/// The finance layer: turns GPU-hours by class, period and pool into statements (revenue,
/// costs, depreciation, EBITDA, EBIT, cash) and horizon metrics (NPV, IRR, payback, ROIC,
/// TCO, break-even prices). It runs after the simulation and never reaches inside it.

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aidc/models/depreciation.hpp"
#include "aidc/models/pricing.hpp"
#include "aidc/scenario/scenario.hpp"

namespace aidc {

struct RunResult;

/// The scenario's "finance" section, validated.
struct FinanceSpec {
  double discount_rate = 0.08;  // a year; cash flows discounted from each period's end
  double tax_rate = 0;
  std::shared_ptr<const DepreciationModel> depreciation;  // every pool unless overridden
  std::vector<std::shared_ptr<const DepreciationModel>> pool_depreciation;  // by pool; may be null
  std::vector<double> pool_capex_usd_per_gpu;                               // by pool
  /// By pool: the rent of an operating lease per installed GPU-hour; unset for an owned pool.
  /// A leased pool has no capex, no depreciation and no book value.
  std::vector<std::optional<double>> pool_lease_usd_per_gpu_hour;
  std::array<std::shared_ptr<const PricingModel>, kClassCount> prices;  // null: no revenue
  double energy_usd_per_kwh = 0.08;
  /// Later electricity prices: from each time on, `usd_per_kwh` replaces the one before.
  std::vector<std::pair<sim::Time, double>> energy_changes;
  /// The electricity price in force at `t`.
  double energy_price_at(sim::Time t) const;
  double pue = 1.3;
  double idle_power_fraction = 0.3;  // an idle GPU draws this share of its busy power
  double facility_usd_per_kw_month = 0;
  double maintenance_fraction_per_year = 0;     // of capex
  double network_storage_usd_per_gpu_hour = 0;  // per busy GPU-hour
  double overhead_fraction_of_external_revenue = 0;
  double overhead_usd_per_year = 0;
  double revenue_share_fraction = 0;
  std::array<bool, kClassCount> revenue_share_classes{false, false, false, true, true, true};
  double unserved_inference_usd_per_gpu_hour = 0;
  /// At each period end, write book value down to what the pool can still earn renting at
  /// the on-demand price (see compute_finance()).
  bool impairment_test = false;
  /// Dates on which some price steps; the run is cut there so revenue is exact.
  std::vector<sim::Time> price_changes;
};

/// Reads the "finance" object of a scenario whose pools and catalog are already read.
std::shared_ptr<const FinanceSpec> read_finance(const ParamReader& node, const Scenario& s);

/// One period's statement, in USD; for one pool or for the fleet.
struct Statement {
  std::array<double, kClassCount>
      revenue{};  // external classes: rental revenue; internal: transfer value
  double energy = 0, facility = 0, maintenance = 0, network_storage = 0, overhead = 0,
         revenue_share = 0;
  double lease = 0;  // rent of leased pools, on installed GPU-hours
  double depreciation = 0;
  double impairment = 0;
  double capex = 0;
  double net_book_value = 0;  // at the period's end
  double external_revenue() const;
  double internal_value() const;
  double costs() const;   // cash operating costs
  double ebitda() const;  // revenue (external and internal) - costs
  double ebit() const { return ebitda() - depreciation - impairment; }
  double free_cash_flow(double tax_rate) const;
  Statement& operator+=(const Statement& o);
};

struct FinanceResult {
  std::vector<Statement> rows;     // parallel to the reporting rows (period x pool)
  std::vector<Statement> periods;  // fleet totals by period
  Statement total;
  double opening_net_book_value = 0;
  double unserved_inference_usd = 0;
  double npv = 0;
  std::optional<double> irr, payback_years;
  double roic = 0;
  double tco_usd_per_installed_gpu_hour = 0;
  double tco_usd_per_busy_gpu_hour = 0;
  struct BreakEven {
    std::string gpu;
    double incremental_usd_per_gpu_hour = 0;  // covers the cost of renting an idle GPU
    /// Also covers the pools' depreciation and lease, spread over the type's rented
    /// GPU-hours; unset when the type rented nothing.
    std::optional<double> with_depreciation_usd_per_gpu_hour;
  };
  std::vector<BreakEven> break_even;
};

/// The statements of a run. `rows` are the reporting rows (see aggregate_rows()).
FinanceResult compute_finance(const Scenario& s, const RunResult& r);

}  // namespace aidc
