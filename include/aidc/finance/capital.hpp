#pragma once
/// Capital: what used GPUs resell for, what a going concern is worth at the horizon, the
/// present value of a level stream of cash, and the schedule of a loan. Pure functions.

#include <optional>
#include <vector>

#include "aidc/scenario/param_reader.hpp"
#include "aidc/scenario/scenario.hpp"

namespace aidc {

/// The resale value of a GPU of age `age_years` as a share of its new price:
/// initial_share x (1 - decline_per_year)^age; ages below 0 count as 0.
double resale_share(const ResaleCurve& curve, double age_years);

/// Reads {"initial_share": s, "decline_per_year": d} (both fractions; d below 1); records a
/// problem and returns nullopt on bad input.
std::optional<ResaleCurve> read_resale_curve(const ParamReader& node);

/// Gordon's growth formula: the value, at the horizon, of a free cash flow that was
/// `last_year_usd` over the last year and grows at `growth_rate` a year forever, discounted at
/// `discount_rate`: last x (1 + g) / (r - g). Throws std::invalid_argument unless r > g.
double gordon_terminal_value(double last_year_usd, double discount_rate, double growth_rate);

/// The present value of 1 USD a year received evenly over `years` at `annual_rate`,
/// discounted continuously at the equivalent rate ln(1 + r): (1 - (1 + r)^-years) / ln(1 + r),
/// and `years` itself when r = 0.
double level_flow_present_value_factor(double years, double annual_rate);

enum class LoanRepayment {
  annuity,   // level monthly payments
  straight,  // equal monthly principal, interest on the balance
};

/// One monthly payment of a loan.
struct LoanPayment {
  int month = 0;  // 1 = one month after the loan is drawn
  double interest = 0;
  double principal = 0;
  double balance_after = 0;
};

/// A loan of `principal` at a nominal `annual_rate` compounded monthly (i = rate / 12),
/// repaid in n = round(12 x term_years) monthly payments from one month after it is drawn:
/// level payments P i / (1 - (1 + i)^-n) (P / n when i = 0), or equal principal P / n with
/// interest on the balance. The last payment clears the balance exactly.
std::vector<LoanPayment> loan_schedule(double principal, double annual_rate, double term_years,
                                       LoanRepayment repayment);

}  // namespace aidc
