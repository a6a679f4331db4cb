#pragma once
/// How assets lose book value: depreciation models chosen by name in JSON, and the
/// impairment test that writes book value down to what an asset can still earn.

#include <algorithm>
#include <cassert>

#include "aidc/scenario/registry.hpp"
#include "aidc/sim/time.hpp"

namespace aidc {

/// The age `d` in years of 365.25 days (sim::kDaysPerYear).
constexpr double age_years(sim::Duration d) {
  return static_cast<double>(d.seconds) / sim::kSecondsPerYear;
}

/// How an asset loses book value. Small and immutable once built; built from JSON by name.
/// Every model is linear in cost: twice the cost, twice every charge.
class DepreciationModel {
 public:
  virtual ~DepreciationModel() = default;
  /// Depreciation charged over the ages [from_years, to_years) (years since the asset went into
  /// service; ages before 0 charge nothing) of an asset that cost `cost_usd`. `busy_hours` are
  /// the asset's busy GPU-hours in that span and `busy_hours_before` those before it; only
  /// units_of_production uses them. Charges are >= 0. Over consecutive spans they add up (to
  /// rounding) to the charge of the whole span, never exceed cost - salvage, and reach it at
  /// the end of life.
  virtual double charge_usd(double cost_usd, double from_years, double to_years,
                            double busy_hours_before, double busy_hours) const = 0;
  /// The span in years over which value is charged: the useful life; for MACRS the recovery
  /// period plus one (half-year convention); for units_of_production a parameter used for
  /// reporting only.
  virtual double life_years() const = 0;
  /// The value left at the end of life, as a fraction of cost.
  virtual double salvage_fraction() const = 0;
  /// True when the charge depends on busy hours (units_of_production), so an asset's busy
  /// hours before the statistics window must be assumed.
  virtual bool uses_busy_hours() const { return false; }
};

/// A model charged by age alone: the charge over [from, to) is the change in a cumulative
/// charged share of a base amount (cost, or cost less salvage) between the two ages.
class AgeBasedDepreciation : public DepreciationModel {
 public:
  double charge_usd(double cost_usd, double from_years, double to_years, double,
                    double) const final {
    assert(from_years <= to_years);
    const double base = cost_usd * base_fraction();
    return std::max(0.0, base * charged_fraction(to_years) - base * charged_fraction(from_years));
  }

 protected:
  /// The share of cost that charged_fraction() applies to.
  virtual double base_fraction() const = 0;
  /// The share of the base charged by age `age_years` (0 at age 0).
  virtual double charged_fraction(double age_years) const = 0;
};

/// The registry of depreciation models ("model": "straight_line", ...).
const Registry<DepreciationModel>& depreciation_models();

/// The impairment of an asset under US GAAP (ASC 360-10, long-lived assets held and used):
/// when the undiscounted future net cash flows fall below the carrying amount, the asset is
/// not recoverable and is written down to its fair value; otherwise nothing. Returns the
/// write-down, >= 0.
double impairment_us_gaap_usd(double book_value_usd, double undiscounted_cash_flows_usd,
                              double fair_value_usd);

/// The impairment of an asset under IFRS (IAS 36): the carrying amount is written down to the
/// recoverable amount, the higher of fair value less costs of disposal and value in use (the
/// discounted future cash flows). Returns the write-down, >= 0.
double impairment_ifrs_usd(double book_value_usd, double fair_value_usd, double value_in_use_usd);

}  // namespace aidc
