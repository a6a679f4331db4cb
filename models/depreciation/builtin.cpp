// The one list of built-in depreciation models (DuckDB's function_list.cpp): explicit calls,
// no self-registering statics, so nothing is dropped by the linker and the order is fixed.

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "aidc/depreciation/depreciation.hpp"
#include "register.hpp"

namespace aidc {

const Registry<DepreciationModel>& depreciation_models() {
  static const Registry<DepreciationModel> registry = [] {
    Registry<DepreciationModel> r("depreciation model", "model");
    register_straight_line(r);
    register_declining_balance(r);
    register_sum_of_years_digits(r);
    register_units_of_production(r);
    register_macrs(r);
    return r;
  }();
  return registry;
}

double read_salvage_fraction(const ParamReader& params) {
  const double salvage = params.number("salvage_fraction", 0.0, Bound::fraction);
  // A salvage of the whole cost would leave nothing to depreciate.
  if (salvage >= 1.0) {
    params.error("salvage_fraction",
                 fmt::format("out of range (got {}, expected a fraction from 0 to below 1)",
                             brief(params.node().at("salvage_fraction"))));
    return 0.0;
  }
  return salvage;
}

}  // namespace aidc
