#include <algorithm>

#include "aidc/models/depreciation.hpp"

namespace aidc {

// The recoverable amount is the expected remaining earnings at market prices, but not below
// zero: an asset whose earnings are negative is written down to nothing, not past it.
double impairment_usd(double book_value_usd, double remaining_earnings_usd) {
  return std::max(0.0, book_value_usd - std::max(remaining_earnings_usd, 0.0));
}

}  // namespace aidc
