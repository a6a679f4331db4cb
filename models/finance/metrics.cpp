#include "aidc/finance/metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/math/tools/toms748_solve.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>

namespace aidc {

namespace {

// The IRR search range, and the number of grid intervals used to bracket a root on it.
constexpr double kIrrLowRate = -0.99;
constexpr double kIrrHighRate = 10.0;
constexpr int kIrrGridIntervals = 1000;

void check_flows(const std::vector<CashFlow>& flows, bool require_sorted) {
  for (std::size_t i = 0; i < flows.size(); ++i) {
    const CashFlow& f = flows[i];
    if (!std::isfinite(f.years) || f.years < 0.0) {
      throw std::invalid_argument(fmt::format(
          "cash flow {}: years must be a finite number >= 0 (end of period), got {}", i, f.years));
    }
    if (!std::isfinite(f.usd)) {
      throw std::invalid_argument(
          fmt::format("cash flow {}: usd must be a finite number, got {}", i, f.usd));
    }
    if (require_sorted && i > 0 && f.years < flows[i - 1].years) {
      throw std::invalid_argument(
          fmt::format("cash flow {}: flows must be sorted by years, got {} after {}", i, f.years,
                      flows[i - 1].years));
    }
  }
}

void check_rate(double annual_rate) {
  // (1 + r)^t has no real meaning for r <= -1.
  if (!std::isfinite(annual_rate) || annual_rate <= -1.0) {
    throw std::invalid_argument(
        fmt::format("annual rate must be a finite number > -1, got {}", annual_rate));
  }
}

double discounted(const CashFlow& f, double annual_rate) {
  return f.usd / std::pow(1.0 + annual_rate, f.years);
}

// NPV on inputs already checked; irr() calls it ~1000 times.
double npv_unchecked(const std::vector<CashFlow>& flows, double annual_rate) {
  double sum = 0.0;
  for (const CashFlow& f : flows) sum += discounted(f, annual_rate);
  return sum;
}

// Shared by both paybacks; `value_usd(k)` is what flow k adds to cumulative cash.
template <typename ValueOf>
std::optional<double> payback(const std::vector<CashFlow>& flows, ValueOf value_usd) {
  double cumulative_usd = 0.0;
  double period_start_years = 0.0;
  bool was_negative = false;
  for (std::size_t k = 0; k < flows.size(); ++k) {
    const double add_usd = value_usd(k);
    const double next_usd = cumulative_usd + add_usd;
    if (cumulative_usd < 0.0 && next_usd >= 0.0) {
      // Cumulative cash is linear over (start, end], so it reaches 0 after the fraction
      // -cumulative / add of the period; add > 0 because it lifts a negative sum to >= 0.
      const double period_years = flows[k].years - period_start_years;
      return period_start_years + period_years * (-cumulative_usd / add_usd);
    }
    was_negative = was_negative || next_usd < 0.0;
    cumulative_usd = next_usd;
    period_start_years = flows[k].years;
  }
  if (!was_negative) return 0.0;  // nothing to pay back
  return std::nullopt;
}

}  // namespace

double npv(const std::vector<CashFlow>& flows, double annual_rate) {
  check_rate(annual_rate);
  check_flows(flows, /*require_sorted=*/false);
  return npv_unchecked(flows, annual_rate);
}

std::optional<double> irr(const std::vector<CashFlow>& flows) {
  check_flows(flows, /*require_sorted=*/false);
  // Without both an inflow and an outflow NPV keeps one sign, or is 0 at every rate (no
  // flows, or all zero), and no rate is "the" IRR.
  const bool has_inflow =
      std::any_of(flows.begin(), flows.end(), [](const CashFlow& f) { return f.usd > 0.0; });
  const bool has_outflow =
      std::any_of(flows.begin(), flows.end(), [](const CashFlow& f) { return f.usd < 0.0; });
  if (!has_inflow || !has_outflow) return std::nullopt;

  // The grid is even in log(1 + r) because discount factors are exp(-t log(1 + r)): NPV
  // changes fastest near r = -99%, where an even grid in r would be too coarse.
  const double log_low = std::log1p(kIrrLowRate);
  const double log_high = std::log1p(kIrrHighRate);
  const auto rate_at = [&](int i) {
    if (i == kIrrGridIntervals) return kIrrHighRate;  // exact ends, free of exp/log rounding
    if (i == 0) return kIrrLowRate;
    const double x = log_low + (log_high - log_low) * static_cast<double>(i) / kIrrGridIntervals;
    return std::expm1(x);
  };
  const auto f = [&](double r) { return npv_unchecked(flows, r); };

  double lo = rate_at(0);
  double f_lo = f(lo);
  for (int i = 1; i <= kIrrGridIntervals; ++i) {
    const double hi = rate_at(i);
    const double f_hi = f(hi);
    // Far-dated flows can overflow near r = -99%; such points give no sign information.
    if (std::isfinite(f_lo) && std::isfinite(f_hi)) {
      if (f_lo == 0.0) return lo;
      if (f_hi == 0.0) return hi;
      if ((f_lo < 0.0) != (f_hi < 0.0)) {
        boost::math::tools::eps_tolerance<double> tolerance(std::numeric_limits<double>::digits);
        std::uintmax_t max_iterations = 200;
        const auto [a, b] =
            boost::math::tools::toms748_solve(f, lo, hi, f_lo, f_hi, tolerance, max_iterations);
        // Of the final bracket, return the end with the smaller |NPV|.
        return std::abs(f(a)) <= std::abs(f(b)) ? a : b;
      }
    }
    lo = hi;
    f_lo = f_hi;
  }
  return std::nullopt;
}

std::optional<double> payback_years(const std::vector<CashFlow>& flows) {
  check_flows(flows, /*require_sorted=*/true);
  return payback(flows, [&](std::size_t k) { return flows[k].usd; });
}

std::optional<double> discounted_payback_years(const std::vector<CashFlow>& flows,
                                               double annual_rate) {
  check_rate(annual_rate);
  check_flows(flows, /*require_sorted=*/true);
  return payback(flows, [&](std::size_t k) { return discounted(flows[k], annual_rate); });
}

double roic(double ebit_usd, double tax_rate, double invested_capital_open_usd,
            double invested_capital_close_usd) {
  if (!(tax_rate >= 0.0 && tax_rate <= 1.0)) {
    throw std::invalid_argument(fmt::format("tax rate must be in [0, 1], got {}", tax_rate));
  }
  const double average_capital_usd = 0.5 * (invested_capital_open_usd + invested_capital_close_usd);
  // Return on zero or negative capital has no meaningful sign or size.
  if (!(average_capital_usd > 0.0) || !std::isfinite(average_capital_usd)) {
    throw std::invalid_argument(
        fmt::format("average invested capital must be positive, got ({} + {}) / 2 = {}",
                    invested_capital_open_usd, invested_capital_close_usd, average_capital_usd));
  }
  const double nopat_usd = ebit_usd * (1.0 - tax_rate);
  return nopat_usd / average_capital_usd;
}

double break_even_price(double costs_usd, double gpu_hours) {
  if (!std::isfinite(gpu_hours) || gpu_hours < 0.0) {
    throw std::invalid_argument(
        fmt::format("gpu hours must be a finite number >= 0, got {}", gpu_hours));
  }
  if (gpu_hours == 0.0) {
    // Zero hours earn nothing at any price: positive costs are never recovered, and
    // zero or negative costs already break even at a price of 0.
    return costs_usd > 0.0 ? std::numeric_limits<double>::infinity() : 0.0;
  }
  return costs_usd / gpu_hours;
}

}  // namespace aidc
