#pragma once
/// Financial metrics over dated cash flows: NPV, IRR, payback, ROIC and break-even price.
///
/// Convention (end of period): a flow's `years` is the END of the period it belongs to,
/// measured in years from the scenario start, so t_k > 0 and the k-th period is
/// (t_{k-1}, t_k] with t_0 = 0. A flow at years = 0 is allowed (an up-front investment) and
/// is never discounted. Discounting compounds annually: a flow at t is worth
/// usd / (1 + r)^t today, for fractional t as well. Convert simulated time at the model
/// edge with kSecondsPerYear (365.25 days, sim/time.hpp).
///
/// These are pure functions. Inputs that no convention can give a meaning to (negative or
/// non-finite dates, a rate <= -100%, unsorted flows where order matters) throw
/// std::invalid_argument naming the value.

#include <optional>
#include <vector>

namespace aidc {

/// One cash flow in USD (negative = outflow), dated by the end of its period in years.
struct CashFlow {
  double years;
  double usd;
};

/// NPV at `annual_rate` with end-of-period discounting: sum of usd / (1 + r)^years.
/// Order does not matter; a flow at years = 0 counts in full.
double npv(const std::vector<CashFlow>& flows, double annual_rate);

/// The annual rate in [-0.99, 10] at which NPV = 0. Scans that range from low rates on a grid
/// even in log(1 + r) for the first sign change of NPV and refines it with TOMS 748 (a Brent
/// variant) to full double precision. With several sign changes it returns the root in the
/// first bracket found, i.e. the lowest; roots closer together than one grid step (about 0.7%
/// in 1 + r), and double roots where NPV touches zero without crossing, can be missed.
/// nullopt when NPV does not change sign on the range: flows all of one sign, no flows, or an
/// IRR below -99% or above 1000%.
std::optional<double> irr(const std::vector<CashFlow>& flows);

/// The first time, in years, at which cumulative undiscounted cash returns to >= 0 after
/// being negative; interpolated linearly because each flow is spread evenly over its period
/// (t_{k-1}, t_k]. A later dip below zero is ignored. 0 when cumulative cash is never
/// negative; nullopt when it is still negative after the last flow. Flows must be sorted by
/// `years` (equal dates allowed).
std::optional<double> payback_years(const std::vector<CashFlow>& flows);

/// As payback_years(), on flows discounted at `annual_rate` to their end-of-period dates;
/// each discounted flow is then spread evenly over its period.
std::optional<double> discounted_payback_years(const std::vector<CashFlow>& flows,
                                               double annual_rate);

/// Return on invested capital over one period: NOPAT / average invested capital, where
/// NOPAT = EBIT x (1 - tax_rate) and the average is (open + close) / 2. Throws when the
/// average is not positive (ROIC has no meaning) or tax_rate is outside [0, 1].
double roic(double ebit_usd, double tax_rate, double invested_capital_open_usd,
            double invested_capital_close_usd);

/// Price per GPU-hour at which revenue covers costs: costs / hours (negative when costs are
/// negative). With zero hours no price recovers positive costs, so it returns +infinity, and
/// 0 when costs are <= 0. Throws for negative or non-finite hours.
double break_even_price(double costs_usd, double gpu_hours);

}  // namespace aidc
