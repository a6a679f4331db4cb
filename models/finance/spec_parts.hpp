#pragma once
// The parts of reading a "finance" section that live in their own files (spec.cpp reads the
// rest and calls these).

#include "aidc/finance/finance.hpp"

namespace aidc::finance {

/// finance.prices: each class's pricing model (the catalog's list prices for the outside
/// classes when absent), each bound to the scenario; an api workload needs a token price.
void read_prices(const ParamReader& f, const Scenario& s, FinanceSpec& spec);
/// finance.revenue_share: the fraction and the classes it applies to.
void read_revenue_share(const ParamReader& share, FinanceSpec& spec);
/// The impairment test prices each owned pool at the on-demand price: it must cover them.
void check_impairment_prices(const ParamReader& f, const Scenario& s, const FinanceSpec& spec);
/// The run is cut where a price steps and at each fiscal year's end (spec.price_changes).
void cut_at_price_steps(const Scenario& s, FinanceSpec& spec);

}  // namespace aidc::finance
