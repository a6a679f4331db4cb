#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstddef>
#include <memory>
#include <vector>

#include "aidc/depreciation/depreciation.hpp"
#include "register.hpp"

namespace aidc {

using nlohmann::json;

namespace {

// The charges are tabulated per year of life at construction, so a life is bounded.
constexpr double kMaxLifeYears = 100.0;

/// Declining balance over annual periods (years of age [k-1, k); the last one ends at the end
/// of life). Year k charges factor/life x the opening book value, never going below salvage
/// (the rate ignores salvage). With the switch, from the first year in which straight line
/// over the remaining life (on book value less salvage) charges more, straight line is used.
/// Without it, the last year charges whatever is left down to salvage, so every asset ends its
/// life at salvage. A year's charge is spread evenly over that year.
class DecliningBalance final : public AgeBasedDepreciation {
 public:
  DecliningBalance(double life_years, double factor, double salvage_fraction,
                   bool switch_to_straight_line)
      : life_years_(life_years), salvage_fraction_(salvage_fraction) {
    assert(life_years_ > 0 && life_years_ <= kMaxLifeYears && factor > 0);
    assert(salvage_fraction_ >= 0 && salvage_fraction_ < 1);
    // Amounts are fractions of cost: the opening book value is 1.
    const double rate = factor / life_years_;
    double charged = 0.0;
    bool switched = false;
    cumulative_.push_back(0.0);
    for (int k = 0; k < life_years_; ++k) {
      const double start = k;
      const double length = std::min(start + 1.0, life_years_) - start;
      const bool is_last = start + length >= life_years_;
      const double book = 1.0 - charged;
      const double left = book - salvage_fraction_;
      // A short last year charges its share of the annual rate.
      double charge = std::min(rate * book * length, left);
      const double straight = left * length / (life_years_ - start);
      if (switch_to_straight_line && (switched || straight > charge)) {
        switched = true;
        charge = straight;
      }
      if (is_last) charge = left;
      charged += charge;
      cumulative_.push_back(is_last ? 1.0 - salvage_fraction_ : charged);
    }
  }

  double life_years() const override { return life_years_; }
  double salvage_fraction() const override { return salvage_fraction_; }

 private:
  double base_fraction() const override { return 1.0; }
  /// The share of cost charged by age `t`: whole years from the table, then the current
  /// year's charge pro rata.
  double charged_fraction(double t) const override {
    if (t <= 0) return 0.0;
    if (t >= life_years_) return 1.0 - salvage_fraction_;
    const auto k = static_cast<std::size_t>(std::floor(t));
    const auto start = static_cast<double>(k);
    const double length = std::min(start + 1.0, life_years_) - start;
    const double year_charge = cumulative_[k + 1] - cumulative_[k];
    return cumulative_[k] + year_charge * (t - start) / length;
  }

  double life_years_;
  double salvage_fraction_;
  std::vector<double> cumulative_;  // [k]: share of cost charged by the end of year k
};

}  // namespace

void register_declining_balance(Registry<DepreciationModel>& registry) {
  registry.add(
      {"declining_balance",
       "A fixed share of the opening book value each year (double declining by default), "
       "switching to straight line when that charges more.",
       {{"life_years", "useful life in years (at most 100)", ""},
        {"factor", "multiple of the straight-line rate (2: double declining, 1.5: 150%)", "2"},
        {"salvage_fraction", "value left at end of life, as a fraction of cost", "0"},
        {"switch_to_straight_line",
         "use straight line from the first year it charges more; without it the last year "
         "takes what is left",
         "true"}},
       [](const ParamReader& p) {
         double life = p.required_number("life_years", Bound::positive);
         if (life > kMaxLifeYears) {
           p.error("life_years", fmt::format("out of range (got {}, expected at most {} years)",
                                             brief(p.node().at("life_years")), kMaxLifeYears));
           life = 1.0;
         }
         bool switch_to_straight_line = true;
         if (p.has("switch_to_straight_line")) {
           const json& value = p.node().at("switch_to_straight_line");
           if (value.is_boolean()) {
             switch_to_straight_line = value.get<bool>();
           } else {
             p.error("switch_to_straight_line",
                     fmt::format("wrong type (got {}, expected true or false)", brief(value)));
           }
         }
         return std::make_unique<DecliningBalance>(life, p.number("factor", 2.0, Bound::positive),
                                                   read_salvage_fraction(p),
                                                   switch_to_straight_line);
       }});
}

}  // namespace aidc
