// The arrivals of a job trace: the clock of the trace, the Poisson log-linear model of the
// rate by hour of day and weekday fitted by iterative proportional fitting, its standard
// errors from the Fisher information, and the held-out check.

#include <fmt/format.h>

#include <Eigen/Dense>
#include <algorithm>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "aidc/fit/jobs.hpp"

namespace aidc::fit {

namespace {

constexpr std::size_t kHoursPerWeek = 168;
constexpr double kMaxWindowHours = 876'600;  // 100 years, the longest horizon
constexpr double kZ95 = 1.959963984540054;
// The exact (Garwood) 95% upper bound of a Poisson mean after a count of 0: -ln(0.025).
constexpr double kUpperOfZero = 3.6888794541139363;
constexpr std::size_t kMaxIterations = 10'000;

/// The cell (weekday x 24 + hour) of clock hour `k`, counted from a Monday 00:00.
std::size_t cell_of_hour(std::int64_t k) {
  const auto week = static_cast<std::int64_t>(kHoursPerWeek);
  return static_cast<std::size_t>(((k % week) + week) % week);
}

/// The cell of a time `hours` after the origin.
std::size_t cell_of(double hours, double origin_offset_hours) {
  return cell_of_hour(static_cast<std::int64_t>(std::floor(origin_offset_hours + hours)));
}

/// A rate `rate` = count / exposure with the standard error of its logarithm: the estimate,
/// its standard error (delta method) and 95% interval on the log scale; a rate of 0 gets
/// the exact upper bound of a count of 0 over `exposure`.
RateEstimate estimate(double rate, double se_log, double exposure) {
  if (!(rate > 0)) return {0, 0, 0, exposure > 0 ? kUpperOfZero / exposure : 0};
  return {rate, rate * se_log, rate * std::exp(-kZ95 * se_log), rate * std::exp(kZ95 * se_log)};
}

double mean_of(const double* first, std::size_t n) {
  return std::accumulate(first, first + n, 0.0) / static_cast<double>(n);
}

}  // namespace

std::optional<ClockTime> parse_clock_time(std::string_view text) {
  // Digits where digits belong, then the fixed separators.
  const bool with_time = text.size() == 19;
  if (text.size() != 10 && !with_time) return std::nullopt;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool ok = i == 4 || i == 7     ? c == '-'
                    : i == 10            ? c == ' ' || c == 'T'
                    : i == 13 || i == 16 ? c == ':'
                                         : c >= '0' && c <= '9';
    if (!ok) return std::nullopt;
  }
  const auto number = [&](std::size_t at, std::size_t length) {
    int n = 0;
    for (std::size_t i = at; i < at + length; ++i) n = 10 * n + (text[i] - '0');
    return n;
  };
  const int y = number(0, 4);
  const auto mo = static_cast<unsigned>(number(5, 2));
  const auto d = static_cast<unsigned>(number(8, 2));
  const int h = with_time ? number(11, 2) : 0;
  const int mi = with_time ? number(14, 2) : 0;
  const int s = with_time ? number(17, 2) : 0;
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{mo},
                                        std::chrono::day{d}};
  if (!ymd.ok() || y < 1900 || y > 2200 || h > 23 || mi > 59 || s > 59) return std::nullopt;
  return ClockTime{std::chrono::sys_days{ymd}} + std::chrono::hours{h} + std::chrono::minutes{mi} +
         std::chrono::seconds{s};
}

std::string format_clock_time(ClockTime t) {
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{t - day};
  return fmt::format("{:04d}-{:02d}-{:02d} {:02d}:{:02d}:{:02d}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

double week_offset_hours(ClockTime t) {
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const unsigned weekday = std::chrono::weekday{day}.iso_encoding() - 1;  // Monday 0
  return 24.0 * weekday + static_cast<double>((t - day).count()) / 3600.0;
}

ArrivalFit fit_arrivals(const std::vector<double>& submit_hours, double origin_offset_hours,
                        double from_hours, double until_hours) {
  const double span = until_hours - from_hours;
  if (!(span > 0) || span > kMaxWindowHours) {
    throw std::invalid_argument(fmt::format(
        "the window must be longer than zero and at most 100 years (got {} hours)", span));
  }
  ArrivalFit fit;
  fit.from_hours = from_hours;
  fit.until_hours = until_hours;
  fit.diurnal_fitted = span >= 2 * 24;
  fit.weekly_fitted = span >= 14 * 24;

  // Exposure: the part of each clock hour that lies in the window, by cell.
  const double a = origin_offset_hours + from_hours;
  const double b = origin_offset_hours + until_hours;
  for (auto k = static_cast<std::int64_t>(std::floor(a)); static_cast<double>(k) < b; ++k) {
    const double lo = std::max(static_cast<double>(k), a);
    const double hi = std::min(static_cast<double>(k + 1), b);
    if (hi > lo) fit.exposure_hours[cell_of_hour(k)] += hi - lo;
  }
  for (const double h : submit_hours) {
    if (h < from_hours || h > until_hours) continue;
    // A job at the window's very end belongs to its last hour.
    const std::size_t cell = h == until_hours && std::floor(b) == b
                                 ? cell_of_hour(static_cast<std::int64_t>(b) - 1)
                                 : cell_of(h, origin_offset_hours);
    fit.counts[cell] += 1;
    ++fit.arrivals;
  }

  // Margins of the counts; the rate of cell (d, h) is a[h] x b[d].
  std::array<double, 24> n_hour{};
  std::array<double, 7> n_day{};
  for (std::size_t c = 0; c < kHoursPerWeek; ++c) {
    n_hour[c % 24] += fit.counts[c];
    n_day[c / 24] += fit.counts[c];
  }
  const auto n_total = static_cast<double>(fit.arrivals);
  std::array<double, 24> ha{};
  std::array<double, 7> wb{};
  ha.fill(1.0);
  wb.fill(1.0);
  const auto& E = fit.exposure_hours;
  // The expected count of an hour of day (weekday) under the current factors, without
  // its own factor.
  const auto hour_exposure = [&](std::size_t h) {
    double sum = 0;
    for (std::size_t d = 0; d < 7; ++d) sum += E[d * 24 + h] * wb[d];
    return sum;
  };
  const auto day_exposure = [&](std::size_t d) {
    double sum = 0;
    for (std::size_t h = 0; h < 24; ++h) sum += E[d * 24 + h] * ha[h];
    return sum;
  };
  // Iterative proportional fitting (Deming and Stephan 1940; Bishop, Fienberg and Holland
  // 1975, ch. 3): each step matches one margin exactly; its fixed point is the maximum
  // likelihood estimate of the log-linear model log mu = log E + alpha_h + beta_d.
  for (fit.iterations = 1; fit.iterations <= kMaxIterations; ++fit.iterations) {
    if (fit.diurnal_fitted) {
      for (std::size_t h = 0; h < 24; ++h) {
        const double x = hour_exposure(h);
        ha[h] = x > 0 ? n_hour[h] / x : 0.0;
      }
    } else {
      double x = 0;
      for (std::size_t h = 0; h < 24; ++h) x += hour_exposure(h);
      ha.fill(n_total / x);
    }
    if (!fit.weekly_fitted) break;  // one margin: exact in one step
    for (std::size_t d = 0; d < 7; ++d) {
      const double x = day_exposure(d);
      wb[d] = x > 0 ? n_day[d] / x : 0.0;
    }
    if (!fit.diurnal_fitted) break;
    double worst = 0;  // the hour margins are what the last step may have moved
    for (std::size_t h = 0; h < 24; ++h) {
      worst = std::max(worst, std::abs(ha[h] * hour_exposure(h) - n_hour[h]));
    }
    if (worst <= 1e-10 * std::max(1.0, n_total)) break;
  }
  fit.iterations = std::min(fit.iterations, kMaxIterations);

  // Standard errors: the Fisher information of the log-linear model at the estimate,
  // I = sum over cells of mu x x', x the cell's indicators of its hour and weekday
  // parameters (log a, log b). I is singular (a x c and b / c give the same rates), so its
  // pseudo-inverse gives the variances of the quantities that do not depend on c, which are
  // those reported; hours or weekdays without arrivals drop out the same way.
  const std::size_t n_alpha = fit.diurnal_fitted ? 24 : 1;
  const std::size_t n_beta = fit.weekly_fitted ? 7 : 0;
  const auto alpha = [&](std::size_t h) { return fit.diurnal_fitted ? h : 0; };
  const auto n_par = static_cast<Eigen::Index>(n_alpha + n_beta);
  Eigen::MatrixXd info = Eigen::MatrixXd::Zero(n_par, n_par);
  for (std::size_t c = 0; c < kHoursPerWeek; ++c) {
    const std::size_t h = c % 24;
    const std::size_t d = c / 24;
    const double mu = E[c] * ha[h] * wb[d];
    const auto i = static_cast<Eigen::Index>(alpha(h));
    info(i, i) += mu;
    if (n_beta > 0) {
      const auto j = static_cast<Eigen::Index>(n_alpha + d);
      info(j, j) += mu;
      info(i, j) += mu;
      info(j, i) += mu;
    }
  }
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(info);
  const Eigen::VectorXd& values = eigen.eigenvalues();
  const double tolerance = 1e-10 * std::max(1.0, values.cwiseAbs().maxCoeff());
  Eigen::VectorXd inverse_values = Eigen::VectorXd::Zero(n_par);
  for (Eigen::Index k = 0; k < n_par; ++k) {
    if (values(k) > tolerance) inverse_values(k) = 1.0 / values(k);
  }
  const Eigen::MatrixXd covariance =
      eigen.eigenvectors() * inverse_values.asDiagonal() * eigen.eigenvectors().transpose();
  const double sum_a = std::accumulate(ha.begin(), ha.end(), 0.0);
  const double sum_b = std::accumulate(wb.begin(), wb.end(), 0.0);
  // The gradient of log(mean a) (weekday: log(mean b)) in the parameters.
  Eigen::VectorXd grad_mean_a = Eigen::VectorXd::Zero(n_par);
  Eigen::VectorXd grad_mean_b = Eigen::VectorXd::Zero(n_par);
  for (std::size_t h = 0; h < 24; ++h) {
    grad_mean_a(static_cast<Eigen::Index>(alpha(h))) += ha[h] / sum_a;
  }
  for (std::size_t d = 0; d < n_beta; ++d) {
    grad_mean_b(static_cast<Eigen::Index>(n_alpha + d)) = wb[d] / sum_b;
  }
  const auto se_log = [&](const Eigen::VectorXd& g) {
    return std::sqrt(std::max(0.0, g.dot(covariance * g)));
  };
  const double mean_a = sum_a / 24.0;
  const double mean_b = sum_b / 7.0;
  double total_exposure = 0;
  for (const double e : E) total_exposure += e;
  const double lambda0 = mean_a * mean_b;
  fit.mean = estimate(lambda0, se_log(grad_mean_a + grad_mean_b), total_exposure);
  for (std::size_t h = 0; h < 24; ++h) {
    if (!fit.diurnal_fitted) {
      fit.by_hour[h] = fit.mean;
      continue;
    }
    Eigen::VectorXd g = grad_mean_b;
    g(static_cast<Eigen::Index>(h)) += 1.0;
    fit.by_hour[h] = estimate(ha[h] * mean_b, se_log(g), hour_exposure(h) / mean_b);
  }
  for (std::size_t d = 0; d < 7; ++d) {
    if (!fit.weekly_fitted) {
      fit.by_weekday[d] = fit.mean;
      continue;
    }
    Eigen::VectorXd g = grad_mean_a;
    g(static_cast<Eigen::Index>(n_alpha + d)) += 1.0;
    fit.by_weekday[d] = estimate(wb[d] * mean_a, se_log(g), day_exposure(d) / mean_a);
  }

  // The scenario's factors must be positive: an hour (weekday) without arrivals gets the
  // rate of half an arrival over its exposure.
  static constexpr const char* kWeekdays[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                              "Friday", "Saturday", "Sunday"};
  if (fit.diurnal_fitted) {
    for (std::size_t h = 0; h < 24; ++h) {
      if (n_hour[h] > 0) continue;
      ha[h] = 0.5 / hour_exposure(h);
      fit.floored.push_back(fmt::format("hour {}", h));
    }
  }
  if (fit.weekly_fitted) {
    for (std::size_t d = 0; d < 7; ++d) {
      if (n_day[d] > 0) continue;
      wb[d] = 0.5 / day_exposure(d);
      fit.floored.emplace_back(kWeekdays[d]);
    }
  }
  const double final_a = mean_of(ha.data(), 24);
  const double final_b = mean_of(wb.data(), 7);
  fit.per_hour = final_a * final_b;
  for (std::size_t h = 0; h < 24; ++h) fit.diurnal[h] = ha[h] / final_a;
  for (std::size_t d = 0; d < 7; ++d) fit.weekly[d] = wb[d] / final_b;
  return fit;
}

HoldoutCheck check_holdout(const std::vector<double>& submit_hours, double origin_offset_hours,
                           double from_hours, double until_hours, const ArrivalFit& model,
                           int days) {
  HoldoutCheck out;
  out.days = days;
  out.from_hours = from_hours;
  out.until_hours = until_hours;
  // Hour-long bins from `from_hours`; the margin keeps a window of whole hours, computed as a
  // difference, from gaining a bin of rounding error.
  const auto n_hours = static_cast<std::size_t>(std::ceil(until_hours - from_hours - 1e-9));
  if (n_hours == 0) return out;
  std::vector<double> observed(n_hours, 0.0);
  for (const double h : submit_hours) {
    if (h < from_hours || h > until_hours) continue;
    const auto k = static_cast<std::size_t>(std::floor(h - from_hours));
    observed[std::min(k, n_hours - 1)] += 1;  // a job at the very end is in the last bin
  }
  const std::size_t n_days = (n_hours + 23) / 24;
  out.observed_by_day.assign(n_days, 0.0);
  out.predicted_by_day.assign(n_days, 0.0);
  std::size_t inside = 0;
  for (std::size_t k = 0; k < n_hours; ++k) {
    // The expected count of the bin: the rate integrated over the clock hours it overlaps.
    const double u0 = origin_offset_hours + from_hours + static_cast<double>(k);
    const double u1 = std::min(u0 + 1.0, origin_offset_hours + until_hours);
    double mu = 0;
    for (auto j = static_cast<std::int64_t>(std::floor(u0)); static_cast<double>(j) < u1; ++j) {
      const double overlap =
          std::min(static_cast<double>(j + 1), u1) - std::max(static_cast<double>(j), u0);
      if (overlap > 0) mu += model.rate(cell_of_hour(j)) * overlap;
    }
    out.observed_by_day[k / 24] += observed[k];
    out.predicted_by_day[k / 24] += mu;
    // The central 90% interval [q, r]; P(N <= k) is the regularized upper incomplete gamma
    // Q(k + 1, mu).
    double q = 0;
    double r = 0;
    if (mu > 0) {
      const auto cdf = [mu](double n) { return boost::math::gamma_q(n + 1.0, mu); };
      double n = std::max(0.0, std::floor(mu - 10.0 * std::sqrt(mu) - 10.0));
      while (cdf(n) <= 0.05) ++n;
      q = n;
      while (cdf(n) < 0.95) ++n;
      r = n;
    }
    if (observed[k] >= q && observed[k] <= r) ++inside;
  }
  out.hours = n_hours;
  out.inside_90_share = static_cast<double>(inside) / static_cast<double>(n_hours);
  double sum = 0;
  for (std::size_t d = 0; d < n_days; ++d) {
    if (out.observed_by_day[d] <= 0) continue;
    sum += std::abs(out.predicted_by_day[d] - out.observed_by_day[d]) / out.observed_by_day[d];
    ++out.days_with_arrivals;
  }
  out.mape_percent =
      out.days_with_arrivals > 0 ? 100.0 * sum / static_cast<double>(out.days_with_arrivals) : 0.0;
  return out;
}

}  // namespace aidc::fit
