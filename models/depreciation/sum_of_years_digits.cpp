#include <algorithm>
#include <cassert>
#include <cmath>
#include <memory>

#include "aidc/depreciation/depreciation.hpp"
#include "register.hpp"

namespace aidc {

namespace {

/// Sum of the years' digits over a whole number N of years: year k of age [k-1, k) charges
/// (N - k + 1) / (N (N + 1) / 2) of cost less salvage, spread evenly over that year.
class SumOfYearsDigits final : public AgeBasedDepreciation {
 public:
  SumOfYearsDigits(double life_years, double salvage_fraction)
      : life_years_(life_years),
        salvage_fraction_(salvage_fraction),
        digits_sum_(life_years * (life_years + 1.0) / 2.0) {
    assert(life_years_ >= 1 && life_years_ == std::floor(life_years_));
    assert(salvage_fraction_ >= 0 && salvage_fraction_ < 1);
  }

  double life_years() const override { return life_years_; }
  double salvage_fraction() const override { return salvage_fraction_; }

 private:
  double base_fraction() const override { return 1.0 - salvage_fraction_; }
  /// The share of the depreciable amount charged by age `t`. After n whole years it is
  /// sum_{k=1..n} (N - k + 1) / SYD = (n N - n (n - 1) / 2) / SYD; year n + 1 adds (N - n) / SYD
  /// pro rata.
  double charged_fraction(double t) const override {
    if (t <= 0) return 0.0;
    if (t >= life_years_) return 1.0;
    const double n = std::floor(t);
    const double whole_years = (n * life_years_ - n * (n - 1.0) / 2.0) / digits_sum_;
    return whole_years + (life_years_ - n) / digits_sum_ * (t - n);
  }

  double life_years_;
  double salvage_fraction_;
  double digits_sum_;  // N (N + 1) / 2
};

}  // namespace

void register_sum_of_years_digits(Registry<DepreciationModel>& registry) {
  registry.add({"sum_of_years_digits",
                "Year k of N charges (N - k + 1) / (N (N + 1) / 2) of cost less salvage.",
                {{"life_years", "useful life, a whole number of years", ""},
                 {"salvage_fraction", "value left at end of life, as a fraction of cost", "0"}},
                [](const ParamReader& p) {
                  return std::make_unique<SumOfYearsDigits>(
                      static_cast<double>(p.required_integer("life_years", Bound::positive)),
                      read_salvage_fraction(p));
                }});
}

}  // namespace aidc
