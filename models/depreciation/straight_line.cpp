#include <algorithm>
#include <cassert>
#include <memory>

#include "aidc/depreciation/depreciation.hpp"
#include "register.hpp"

namespace aidc {

namespace {

/// Equal charge per unit of time from age 0 to the end of life, down to salvage;
/// D(t) = (C - S) * min(t, N) / N.
class StraightLine final : public AgeBasedDepreciation {
 public:
  StraightLine(double life_years, double salvage_fraction)
      : life_years_(life_years), salvage_fraction_(salvage_fraction) {
    assert(life_years_ > 0 && salvage_fraction_ >= 0 && salvage_fraction_ < 1);
  }

  double life_years() const override { return life_years_; }
  double salvage_fraction() const override { return salvage_fraction_; }

 private:
  double base_fraction() const override { return 1.0 - salvage_fraction_; }
  /// The share of the depreciable amount charged by age `t`.
  double charged_fraction(double t) const override {
    return t >= life_years_ ? 1.0 : std::max(t, 0.0) / life_years_;
  }

  double life_years_;
  double salvage_fraction_;
};

}  // namespace

void register_straight_line(Registry<DepreciationModel>& registry) {
  registry.add({"straight_line",
                "Equal charge per unit of time down to the salvage value; nothing after life.",
                {{"life_years", "useful life in years", ""},
                 {"salvage_fraction", "value left at end of life, as a fraction of cost", "0"}},
                [](const ParamReader& p) {
                  return std::make_unique<StraightLine>(
                      p.required_number("life_years", Bound::positive), read_salvage_fraction(p));
                }});
}

}  // namespace aidc
