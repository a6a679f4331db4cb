// Fitting the demand model to hourly means (see include/aidc/fit/demand.hpp).

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <stdexcept>

#include "aidc/fit/demand.hpp"
#include "demand_model.hpp"
#include "gls.hpp"

namespace aidc::fit {

namespace {

using detail::Data;
using detail::floor_div;
using detail::hour_of_day;
using detail::Layout;
using detail::log_trend;
using detail::logistic;
using detail::make_model;
using detail::seconds_of;
using detail::weekday;

constexpr double kZ95 = 1.6448536269514722;  // the standard normal's 95% quantile
constexpr std::size_t kMinHours = 48;

struct TrendFit {
  Layout layout;
  detail::GlsResult gls;
  double log_likelihood = 0;
  double bic = 0;
  Eigen::VectorXd free_fit_se;  // the logistic's standard errors before its midpoint was rounded
};

/// Fits one trend model; the logistic from the best of a grid of starts, its midpoint then
/// fixed on the nearest whole day (a scenario's midpoint is a date) and the rest refitted.
TrendFit fit_trend(Layout l, const Data& d, const std::vector<double>& knots) {
  const detail::Model model = make_model(l, d, knots);
  Eigen::VectorXd start = Eigen::VectorXd::Zero(l.size());
  start[0] = d.log_y.mean();
  std::vector<bool> fixed(static_cast<std::size_t>(l.size()), false);
  TrendFit out;
  out.layout = l;
  if (l.trend == TrendKind::logistic) {
    const double span = std::max(d.tau.back() - d.tau.front(), 1e-6);
    // Each start fixes the trend, leaving a linear fit on the same design (level and
    // profiles): its QR is computed once and each start costs one solve.
    Layout linear = l;
    linear.trend = TrendKind::none;
    const auto n = static_cast<Eigen::Index>(d.hour.size());
    Eigen::VectorXd unused(n);
    Eigen::MatrixXd design(n, linear.size());
    make_model(linear, d, knots)(Eigen::VectorXd::Zero(linear.size()), unused, design);
    const Eigen::HouseholderQR<Eigen::MatrixXd> qr(design);
    double best = std::numeric_limits<double>::infinity();
    Eigen::VectorXd best_start = start;
    Eigen::VectorXd rest(n);
    for (const double floor : {0.01, 0.1, 0.3, 0.6}) {
      for (const double width : {0.05, 0.1, 0.2, 0.4, 1.0}) {
        for (const double at : {-0.5, 0.1, 0.3, 0.5, 0.7, 0.9, 1.5}) {
          Eigen::VectorXd s = start;
          s[l.t0()] = std::log(floor / (1 - floor));
          s[l.t0() + 1] = std::log(4.0 / (width * span));
          s[l.t0() + 2] = d.tau.front() + at * span;
          for (Eigen::Index i = 0; i < n; ++i) {
            rest[i] =
                d.log_y[i] - log_trend(l, s, d.tau[static_cast<std::size_t>(i)], knots, nullptr);
          }
          const Eigen::VectorXd beta = qr.solve(rest);
          const double ssr = (rest - design * beta).squaredNorm();
          if (ssr < best) {
            best = ssr;
            best_start = s;
            best_start.head(linear.size()) = beta;
          }
        }
      }
    }
    const detail::GlsResult free_fit = detail::fit_gls(model, d.log_y, d.gaps, best_start, fixed);
    out.free_fit_se = free_fit.covariance.diagonal().cwiseMax(0).cwiseSqrt();
    start = free_fit.params;
    start[l.t0() + 2] = std::round(start[l.t0() + 2] * sim::kDaysPerYear) / sim::kDaysPerYear;
    fixed[static_cast<std::size_t>(l.t0() + 2)] = true;
  }
  out.gls = detail::fit_gls(model, d.log_y, d.gaps, start, fixed);
  const auto n = static_cast<double>(d.hour.size());
  // Every parameter counts, sigma and phi too; the rounded midpoint was estimated as well.
  const auto k = static_cast<double>(l.size() + 2);
  out.log_likelihood = detail::log_likelihood(out.gls, d.hour.size());
  out.bic = -2 * out.log_likelihood + k * std::log(n);
  return out;
}

Estimate estimate(std::string name, const detail::GlsResult& g, Eigen::Index j) {
  return {std::move(name), g.params[j], std::sqrt(std::max(0.0, g.covariance(j, j)))};
}

/// A profile's centred log coefficients from its contrasts, with standard errors.
template <std::size_t N>
std::array<Estimate, N> profile(const detail::GlsResult& g, Eigen::Index first, bool on,
                                const char* prefix) {
  std::array<Estimate, N> out{};
  const auto n = static_cast<Eigen::Index>(N);
  for (Eigen::Index j = 0; j < n; ++j) {
    out[static_cast<std::size_t>(j)].name = fmt::format("{}{}", prefix, j);
    if (!on) continue;
    Eigen::VectorXd grad = Eigen::VectorXd::Zero(g.params.size());
    if (j < n - 1) {
      grad[first + j] = 1;
    } else {
      grad.segment(first, n - 1).setConstant(-1);
    }
    out[static_cast<std::size_t>(j)].value = grad.dot(g.params);
    out[static_cast<std::size_t>(j)].se = std::sqrt(std::max(0.0, grad.dot(g.covariance * grad)));
  }
  return out;
}

std::string hour_list(const std::vector<std::size_t>& hours) {
  std::string out;
  for (const std::size_t h : hours) out += (out.empty() ? "" : ", ") + std::to_string(h);
  return out;
}

}  // namespace

double DemandFit::log_median(std::int64_t hour) const {
  Layout l;
  l.diurnal = has_diurnal;
  l.weekly = has_weekly;
  l.trend = trend;
  l.knots = knot_years.size();
  Eigen::VectorXd p = Eigen::VectorXd::Zero(l.size());
  for (std::size_t j = 0; j < trend_raw.size(); ++j) {
    p[l.t0() + static_cast<Eigen::Index>(j)] = trend_raw[j];
  }
  const double tau = (static_cast<double>(hour) * 3600.0 - seconds_of(start)) / kSecondsPerYear;
  double value = alpha + log_trend(l, p, tau, knot_years, nullptr);
  if (has_diurnal) value += log_diurnal[hour_of_day(hour)].value;
  if (has_weekly) value += log_weekly[weekday(hour)].value;
  return value;
}

DemandFit fit_demand(const HourlySeries& series, const FitSpec& spec, Date start) {
  DemandFit fit;
  fit.start = start;
  for (const std::size_t s : series.samples) fit.samples += s;
  if (series.hour.empty()) throw std::invalid_argument("the trace has no data rows");
  const std::int64_t end = series.hour.back() + 1;
  const auto held_hours = static_cast<std::int64_t>(std::llround(spec.holdout_days * 24));
  const std::int64_t cut = end - held_hours;

  Data d;
  const double start_s = seconds_of(start);
  std::array<std::size_t, 24> per_hour{};
  std::array<std::set<std::int64_t>, 7> dates_per_weekday;
  for (std::size_t i = 0; i < series.hour.size(); ++i) {
    const std::int64_t h = series.hour[i];
    if (h >= cut) continue;
    if (!(series.value[i] > 0)) {
      ++fit.hours_not_positive;
      continue;
    }
    d.gaps.push_back(
        d.hour.empty() ? 0 : static_cast<int>(std::min<std::int64_t>(h - d.hour.back(), 1 << 20)));
    d.hour.push_back(h);
    d.tau.push_back((static_cast<double>(h) * 3600.0 - start_s) / kSecondsPerYear);
    ++per_hour[hour_of_day(h)];
    dates_per_weekday[weekday(h)].insert(floor_div(h, 24));
  }
  if (held_hours > 0 && (cut <= series.hour.front() || d.hour.empty())) {
    throw std::invalid_argument(
        fmt::format("the hold-out of {} days leaves no hours to fit (the trace covers {:.1f} days)",
                    spec.holdout_days, static_cast<double>(end - series.hour.front()) / 24.0));
  }
  if (d.hour.size() < kMinHours) {
    throw std::invalid_argument(
        fmt::format("{} hours with a positive value{}; the fit needs at least {}", d.hour.size(),
                    held_hours > 0 ? " before the hold-out" : "", kMinHours));
  }
  d.log_y.resize(static_cast<Eigen::Index>(d.hour.size()));
  {
    std::size_t j = 0;
    for (std::size_t i = 0; i < series.hour.size(); ++i) {
      if (series.hour[i] < cut && series.value[i] > 0) {
        d.log_y[static_cast<Eigen::Index>(j++)] = std::log(series.value[i]);
      }
    }
  }
  fit.hours_used = d.hour.size();
  fit.first_hour = d.hour.front();
  fit.last_hour = d.hour.back();

  Layout layout;
  layout.diurnal = fit.last_hour - fit.first_hour >= 48;
  if (layout.diurnal) {
    std::vector<std::size_t> thin;
    for (std::size_t h = 0; h < 24; ++h) {
      if (per_hour[h] < 2) thin.push_back(h);
    }
    if (!thin.empty()) {
      throw std::invalid_argument(fmt::format(
          "hour{} of day {} {} fewer than 2 hours with a positive value, so the 24-hour profile "
          "cannot be fitted (a log-normal model cannot describe an hour that has no demand); "
          "fit a trace at a coarser scale or one without such hours",
          thin.size() > 1 ? "s" : "", hour_list(thin), thin.size() > 1 ? "have" : "has"));
    }
  }
  layout.weekly = std::all_of(dates_per_weekday.begin(), dates_per_weekday.end(),
                              [](const auto& dates) { return dates.size() >= 2; });
  fit.has_diurnal = layout.diurnal;
  fit.has_weekly = layout.weekly;

  // The piecewise trend's points: midnights every knot_days from the first day, and the
  // midnight after the last day; a last piece shorter than half a step joins the one before.
  std::vector<double> knots;
  {
    const std::int64_t first_day_index = floor_div(fit.first_hour, 24);
    const std::int64_t last_day_index = floor_div(fit.last_hour, 24) + 1;
    const auto step = static_cast<std::int64_t>(spec.knot_days);
    for (std::int64_t day = first_day_index; day < last_day_index; day += step) {
      fit.knots.push_back(Date{std::chrono::days{day}});
    }
    if (fit.knots.size() >= 2 &&
        2 * (last_day_index - fit.knots.back().time_since_epoch().count()) < step) {
      fit.knots.pop_back();
    }
    fit.knots.push_back(Date{std::chrono::days{last_day_index}});
    for (const Date k : fit.knots) knots.push_back((seconds_of(k) - start_s) / kSecondsPerYear);
  }

  std::vector<TrendKind> kinds;
  if (spec.trend) {
    kinds.push_back(*spec.trend);
  } else {
    kinds = {TrendKind::none, TrendKind::exponential, TrendKind::logistic, TrendKind::piecewise};
  }
  std::optional<TrendFit> best;
  for (const TrendKind kind : kinds) {
    Layout l = layout;
    l.trend = kind;
    l.knots = knots.size();
    TrendFit t = fit_trend(l, d, knots);
    Candidate c;
    c.trend = kind;
    c.parameters = static_cast<std::size_t>(l.size()) + 2;
    c.log_likelihood = t.log_likelihood;
    c.bic = t.bic;
    c.converged = t.gls.converged && std::isfinite(t.bic);
    fit.candidates.push_back(c);
    if (c.converged && (!best || t.bic < best->bic)) best = std::move(t);
  }
  if (!best) {
    throw std::invalid_argument(
        fmt::format("the {} trend did not converge on this trace", trend_name(kinds.front())));
  }
  const Layout& l = best->layout;
  const detail::GlsResult& g = best->gls;
  fit.trend = l.trend;
  if (l.trend != TrendKind::piecewise) fit.knots.clear();
  if (l.trend == TrendKind::piecewise) fit.knot_years = knots;
  fit.alpha = g.params[0];
  for (Eigen::Index j = 0; j < l.trend_size(); ++j) fit.trend_raw.push_back(g.params[l.t0() + j]);

  // The level at start, with its standard error by the delta method.
  {
    std::vector<double> grad(static_cast<std::size_t>(std::max<Eigen::Index>(l.trend_size(), 1)));
    const double at0 = log_trend(l, g.params, 0.0, knots, grad.data());
    Eigen::VectorXd gv = Eigen::VectorXd::Zero(g.params.size());
    gv[0] = 1;
    for (Eigen::Index j = 0; j < l.trend_size(); ++j)
      gv[l.t0() + j] = grad[static_cast<std::size_t>(j)];
    fit.log_level = {"log_level", g.params[0] + at0,
                     std::sqrt(std::max(0.0, gv.dot(g.covariance * gv)))};
  }
  switch (l.trend) {
    case TrendKind::none:
      break;
    case TrendKind::exponential:
      fit.trend_parameters.push_back(estimate("log_growth_per_year", g, l.t0()));
      break;
    case TrendKind::logistic: {
      const Estimate u = estimate("", g, l.t0());
      const Estimate v = estimate("", g, l.t0() + 1);
      const double f = logistic(u.value);
      const double r = std::exp(v.value);
      fit.trend_parameters.push_back({"floor_share", f, f * (1 - f) * u.se});
      fit.trend_parameters.push_back({"rate_per_year", r, r * v.se});
      const double midpoint_se =
          best->free_fit_se.size() > l.t0() + 2 ? best->free_fit_se[l.t0() + 2] : 0.0;
      fit.trend_parameters.push_back({"midpoint_years", g.params[l.t0() + 2], midpoint_se});
      break;
    }
    case TrendKind::piecewise:
      for (Eigen::Index j = 0; j < l.trend_size(); ++j) {
        fit.trend_parameters.push_back(
            estimate(fmt::format("log_factor_{}", j + 1), g, l.t0() + j));
      }
      break;
  }
  fit.log_diurnal = profile<24>(g, l.d0(), l.diurnal, "log_diurnal_");
  fit.log_weekly = profile<7>(g, l.w0(), l.weekly, "log_weekly_");

  const auto n = static_cast<double>(d.hour.size());
  const double dof = std::max(1.0, n - static_cast<double>(l.size()));
  const double sigma = std::sqrt(g.ssr_transformed / dof);
  fit.sigma = {"sigma", sigma, sigma / std::sqrt(2 * dof)};
  fit.phi = {"phi", g.phi, std::sqrt((1 - g.phi * g.phi) / n)};
  const double mean_log = d.log_y.mean();
  const double sst = (d.log_y.array() - mean_log).square().sum();
  const double sse = g.residuals.squaredNorm();
  fit.r2_log = sst > 0 ? 1 - sse / sst : 1.0;
  fit.residual_sd = std::sqrt(sse / dof);
  {
    // Over the pairs of hours one apart, as phi is estimated: an hour alone between gaps
    // (often an outlier at the edge of an outage) does not weigh on it.
    double num = 0;
    double before = 0;
    double after = 0;
    for (std::size_t i = 1; i < d.hour.size(); ++i) {
      if (d.gaps[i] != 1) continue;
      const double a = g.residuals[static_cast<Eigen::Index>(i - 1)];
      const double b = g.residuals[static_cast<Eigen::Index>(i)];
      num += a * b;
      before += a * a;
      after += b * b;
    }
    fit.residual_acf1 = before > 0 && after > 0 ? num / std::sqrt(before * after) : 0.0;
  }

  const double half_var = 0.5 * sigma * sigma;
  Holdout h;
  h.days = spec.holdout_days;
  double ape = 0;
  std::size_t inside = 0;
  for (std::size_t i = 0; i < series.hour.size(); ++i) {
    FittedHour fh;
    fh.hour = series.hour[i];
    fh.observed = series.value[i];
    const double lm = fit.log_median(fh.hour);
    fh.mean = std::exp(lm + half_var);
    fh.low = std::exp(lm - kZ95 * sigma);
    fh.high = std::exp(lm + kZ95 * sigma);
    fh.held_out = fh.hour >= cut;
    if (fh.held_out && fh.observed > 0) {
      ++h.hours;
      ape += std::abs(fh.observed - fh.mean) / fh.observed;
      // Inclusive, with room for rounding, so a noise-free projection is inside its band.
      if (fh.observed >= fh.low * (1 - 1e-12) && fh.observed <= fh.high * (1 + 1e-12)) ++inside;
    }
    fit.series.push_back(fh);
  }
  if (held_hours > 0) {
    if (h.hours == 0) {
      throw std::invalid_argument(fmt::format(
          "the last {} days hold no hour with a positive value to check the projection on",
          spec.holdout_days));
    }
    h.mape = ape / static_cast<double>(h.hours);
    h.band_share = static_cast<double>(inside) / static_cast<double>(h.hours);
    fit.holdout = h;
  }
  return fit;
}

}  // namespace aidc::fit
