#include <algorithm>
#include <cassert>
#include <memory>

#include "aidc/depreciation/depreciation.hpp"
#include "register.hpp"

namespace aidc {

namespace {

/// Charges by use, not by age: each busy GPU-hour charges (cost - salvage) / life_busy_hours,
/// until the depreciable amount is used up. The age arguments are ignored.
class UnitsOfProduction final : public DepreciationModel {
 public:
  UnitsOfProduction(double life_busy_hours, double salvage_fraction, double life_years)
      : life_busy_hours_(life_busy_hours),
        salvage_fraction_(salvage_fraction),
        life_years_(life_years) {
    assert(life_busy_hours_ > 0 && life_years_ > 0);
    assert(salvage_fraction_ >= 0 && salvage_fraction_ < 1);
  }

  double charge_usd(double cost_usd, double, double, double busy_hours_before,
                    double busy_hours) const override {
    assert(busy_hours_before >= 0 && busy_hours >= 0);
    const double depreciable = cost_usd * (1.0 - salvage_fraction_);
    return std::max(0.0, depreciable * charged_fraction(busy_hours_before + busy_hours) -
                             depreciable * charged_fraction(busy_hours_before));
  }
  double life_years() const override { return life_years_; }
  double salvage_fraction() const override { return salvage_fraction_; }
  bool uses_busy_hours() const override { return true; }

 private:
  /// The share of the depreciable amount charged after `hours` busy hours; capped at all of it.
  double charged_fraction(double hours) const {
    return hours >= life_busy_hours_ ? 1.0 : std::max(hours, 0.0) / life_busy_hours_;
  }

  double life_busy_hours_;
  double salvage_fraction_;
  double life_years_;
};

}  // namespace

void register_units_of_production(Registry<DepreciationModel>& registry) {
  registry.add(
      {"units_of_production",
       "Charges per busy GPU-hour: cost less salvage spread over the busy hours of a life.",
       {{"life_busy_hours", "busy GPU-hours over which the asset is used up", ""},
        {"salvage_fraction", "value left when used up, as a fraction of cost", "0"},
        {"life_years", "life in years, for reporting only", "6"}},
       [](const ParamReader& p) {
         return std::make_unique<UnitsOfProduction>(
             p.required_number("life_busy_hours", Bound::positive), read_salvage_fraction(p),
             p.number("life_years", 6.0, Bound::positive));
       }});
}

}  // namespace aidc
