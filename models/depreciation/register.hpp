#pragma once
// The built-in depreciation models, one file each; builtin.cpp registers each once.

#include "aidc/depreciation/depreciation.hpp"

namespace aidc {

void register_straight_line(Registry<DepreciationModel>& registry);
void register_declining_balance(Registry<DepreciationModel>& registry);
void register_sum_of_years_digits(Registry<DepreciationModel>& registry);
void register_units_of_production(Registry<DepreciationModel>& registry);
void register_macrs(Registry<DepreciationModel>& registry);

/// Reads "salvage_fraction" (default 0), a fraction of cost from 0 to below 1; on bad input
/// records a problem and returns 0. Shared by the built-in models.
double read_salvage_fraction(const ParamReader& params);

}  // namespace aidc
