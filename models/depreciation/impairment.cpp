#include <algorithm>

#include "aidc/depreciation/depreciation.hpp"

namespace aidc {

// ASC 360-10-35-17: recoverability is tested on undiscounted cash flows; a carrying amount
// that fails the test is written down to fair value, never up.
double impairment_us_gaap_usd(double book_value_usd, double undiscounted_cash_flows_usd,
                              double fair_value_usd) {
  if (undiscounted_cash_flows_usd >= book_value_usd) return 0.0;
  return std::max(0.0, book_value_usd - std::max(fair_value_usd, 0.0));
}

// IAS 36.59: the carrying amount is reduced to the recoverable amount when that is lower;
// the recoverable amount is never below zero.
double impairment_ifrs_usd(double book_value_usd, double fair_value_usd, double value_in_use_usd) {
  const double recoverable = std::max({fair_value_usd, value_in_use_usd, 0.0});
  return std::max(0.0, book_value_usd - recoverable);
}

}  // namespace aidc
