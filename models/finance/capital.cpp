#include "aidc/finance/capital.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace aidc {

double resale_share(const ResaleCurve& curve, double age_years) {
  return curve.initial_share * std::pow(1.0 - curve.decline_per_year, std::max(age_years, 0.0));
}

std::optional<ResaleCurve> read_resale_curve(const ParamReader& node) {
  if (!node.expect_object()) return std::nullopt;
  node.allow_only({"initial_share", "decline_per_year", "source", "description"});
  const std::size_t before = node.diagnostics().items().size();
  ResaleCurve curve;
  curve.initial_share = node.required_number("initial_share", Bound::fraction);
  curve.decline_per_year = node.required_number("decline_per_year", Bound::fraction);
  if (node.has("decline_per_year") && curve.decline_per_year >= 1.0) {
    node.error("decline_per_year",
               fmt::format("out of range (got {}, expected a fraction from 0 to below 1)",
                           curve.decline_per_year));
  }
  if (node.diagnostics().items().size() != before) return std::nullopt;
  return curve;
}

double gordon_terminal_value(double last_year_usd, double discount_rate, double growth_rate) {
  if (!(discount_rate > growth_rate)) {
    throw std::invalid_argument(
        fmt::format("a going concern needs a discount rate above the growth rate (got {} and {})",
                    discount_rate, growth_rate));
  }
  return last_year_usd * (1.0 + growth_rate) / (discount_rate - growth_rate);
}

double level_flow_present_value_factor(double years, double annual_rate) {
  if (years <= 0) return 0.0;
  if (annual_rate == 0) return years;
  const double log_rate = std::log1p(annual_rate);
  return -std::expm1(-log_rate * years) / log_rate;
}

std::vector<LoanPayment> loan_schedule(double principal, double annual_rate, double term_years,
                                       LoanRepayment repayment) {
  const auto n = static_cast<int>(std::max(1.0, std::round(12.0 * term_years)));
  const double i = annual_rate / 12.0;
  const double level = i == 0 ? principal / n : principal * i / -std::expm1(-n * std::log1p(i));
  std::vector<LoanPayment> out;
  double balance = principal;
  for (int k = 1; k <= n; ++k) {
    LoanPayment p;
    p.month = k;
    p.interest = balance * i;
    p.principal = repayment == LoanRepayment::annuity ? level - p.interest : principal / n;
    if (k == n) p.principal = balance;  // rounding: the last payment clears the loan
    balance -= p.principal;
    p.balance_after = k == n ? 0.0 : balance;
    out.push_back(p);
  }
  return out;
}

}  // namespace aidc
