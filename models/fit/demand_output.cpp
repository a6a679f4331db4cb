// What a demand fit writes: the scenario section, the fit's record and its series.

#include <fmt/format.h>
#include <cmath>
#include <numeric>
#include <string>

#include "aidc/fit/demand.hpp"
#include "aidc/scenario/scenario.hpp"
#include "demand_model.hpp"

namespace aidc::fit {

namespace {

using nlohmann::ordered_json;

std::string clock_text(std::int64_t hour) {
  const std::int64_t day = hour >= 0 ? hour / 24 : (hour - 23) / 24;
  return fmt::format("{} {:02d}:00:00", format_date(Date{std::chrono::days{day}}), hour - 24 * day);
}

ordered_json estimate_json(const Estimate& e) { return {{"value", e.value}, {"se", e.se}}; }

/// exp(coefficients) divided by their mean: a profile of mean 1, as the scenario reads it.
template <std::size_t N>
std::vector<double> factors(const std::array<Estimate, N>& logs, double& mean) {
  std::vector<double> out;
  out.reserve(N);
  for (const Estimate& e : logs) out.push_back(std::exp(e.value));
  mean = std::accumulate(out.begin(), out.end(), 0.0) / static_cast<double>(N);
  for (double& x : out) x /= mean;
  return out;
}

}  // namespace

ordered_json demand_section(const DemandFit& fit, const FitSpec& spec,
                            const std::string& fitted_on) {
  const double sigma = fit.sigma.value;
  double mean_d = 1;
  double mean_w = 1;
  const std::vector<double> diurnal =
      fit.has_diurnal ? factors(fit.log_diurnal, mean_d) : std::vector<double>{};
  const std::vector<double> weekly =
      fit.has_weekly ? factors(fit.log_weekly, mean_w) : std::vector<double>{};
  // The log trend at start, which base_gpus takes in so that the trend is 1 there.
  const double trend_at_start = fit.log_level.value - fit.alpha;
  ordered_json s;
  s["description"] = fmt::format(
      "Fitted to {} (column \"{}\", {} hours from {} to {}){}: {} trend{}. base_gpus is the "
      "mean at {} in the trace's unit x {}; noise per hour.",
      spec.display_path, spec.value_column.empty() ? "2" : spec.value_column, fit.hours_used,
      clock_text(fit.first_hour), clock_text(fit.last_hour),
      fitted_on.empty() ? std::string() : fmt::format(" on {}", fitted_on), trend_name(fit.trend),
      spec.trend ? " (as asked)" : " (chosen by BIC)", format_date(fit.start), spec.scale);
  s["base_gpus"] =
      spec.scale * std::exp(fit.log_level.value + 0.5 * sigma * sigma) * mean_d * mean_w;
  switch (fit.trend) {
    case TrendKind::none:
      break;
    case TrendKind::exponential:
      s["trend"] = {{"model", "exponential"}, {"growth_per_year", std::exp(fit.trend_raw[0])}};
      break;
    case TrendKind::logistic: {
      const double g0 = std::exp(trend_at_start);
      const double f = detail::logistic(fit.trend_raw[0]);
      const auto midpoint_days =
          static_cast<std::int64_t>(std::llround(fit.trend_raw[2] * sim::kDaysPerYear));
      s["trend"] = {{"model", "logistic"},
                    {"floor", f / g0},
                    {"cap", 1 / g0},
                    {"midpoint", format_date(fit.start + std::chrono::days{midpoint_days})},
                    {"rate_per_year", std::exp(fit.trend_raw[1])}};
      break;
    }
    case TrendKind::piecewise: {
      ordered_json points = ordered_json::array();
      for (std::size_t k = 0; k < fit.knots.size(); ++k) {
        const double log_v = k == 0 ? 0.0 : fit.trend_raw[k - 1];
        points.push_back(
            {{"date", format_date(fit.knots[k])}, {"factor", std::exp(log_v - trend_at_start)}});
      }
      s["trend"] = {{"model", "piecewise"}, {"points", points}};
      break;
    }
  }
  if (fit.has_diurnal) s["diurnal"] = diurnal;
  if (fit.has_weekly) s["weekly"] = weekly;
  if (sigma > 0) {
    s["noise"] = {{"model", "lognormal_ar1"}, {"sigma", sigma}, {"phi", fit.phi.value}};
  } else {
    s["noise"] = {{"model", "none"}};
  }
  return s;
}

ordered_json fit_json(const DemandFit& fit, const FitSpec& spec) {
  ordered_json j;
  j["trace"] = spec.display_path;
  j["value_column"] = spec.value_column;
  j["samples"] = fit.samples;
  j["hours_used"] = fit.hours_used;
  j["hours_not_positive"] = fit.hours_not_positive;
  j["first_hour"] = clock_text(fit.first_hour);
  j["last_hour"] = clock_text(fit.last_hour);
  j["start"] = format_date(fit.start);
  j["trend"] = trend_name(fit.trend);
  j["criterion"] = spec.trend ? "forced" : "BIC";
  ordered_json candidates = ordered_json::array();
  for (const Candidate& c : fit.candidates) {
    candidates.push_back({{"trend", trend_name(c.trend)},
                          {"parameters", c.parameters},
                          {"log_likelihood", c.log_likelihood},
                          {"bic", c.bic},
                          {"converged", c.converged},
                          {"chosen", c.trend == fit.trend}});
  }
  j["candidates"] = candidates;
  j["goodness"] = {{"r2_log", fit.r2_log},
                   {"residual_sd", fit.residual_sd},
                   {"residual_acf1", fit.residual_acf1}};
  ordered_json est;
  est["log_level"] = estimate_json(fit.log_level);
  for (const Estimate& e : fit.trend_parameters) est[e.name] = estimate_json(e);
  est["sigma"] = estimate_json(fit.sigma);
  est["phi"] = estimate_json(fit.phi);
  j["estimates"] = est;
  const auto profile_json = [](bool on, const auto& logs, const char* reason) {
    ordered_json p;
    p["fitted"] = on;
    if (!on) {
      p["reason"] = reason;
      return p;
    }
    ordered_json values = ordered_json::array();
    for (const Estimate& e : logs) values.push_back(estimate_json(e));
    p["log_coefficients"] = values;
    return p;
  };
  j["diurnal"] =
      profile_json(fit.has_diurnal, fit.log_diurnal, "the trace covers less than 2 days");
  j["weekly"] = profile_json(fit.has_weekly, fit.log_weekly,
                             "some day of the week falls on fewer than 2 dates of the trace");
  if (fit.trend == TrendKind::piecewise) {
    ordered_json knots = ordered_json::array();
    for (const Date k : fit.knots) knots.push_back(format_date(k));
    j["knots"] = knots;
  }
  if (fit.holdout) {
    j["holdout"] = {{"days", fit.holdout->days},
                    {"hours", fit.holdout->hours},
                    {"mape", fit.holdout->mape},
                    {"band_share", fit.holdout->band_share}};
  }
  return j;
}

std::string fit_csv(const DemandFit& fit) {
  std::string out = "time,observed,mean,low,high,held_out\n";
  for (const FittedHour& h : fit.series) {
    out += fmt::format("{},{},{},{},{},{}\n", clock_text(h.hour), h.observed, h.mean, h.low, h.high,
                       h.held_out ? 1 : 0);
  }
  return out;
}

std::optional<ScenarioFit> fit_for_scenario(const ParamReader& r, Date start, double sample_hours) {
  const std::size_t before = r.diagnostics().items().size();
  const auto spec = read_fit_spec(r);
  if (!spec) return std::nullopt;
  if (spec->holdout_days > 0) {
    r.error("holdout_days",
            "not used in a scenario, whose fit takes the whole trace (aidc fit demand "
            "--holdout checks a projection)");
    return std::nullopt;
  }
  const auto samples = read_trace(*spec, r);
  if (!samples || r.diagnostics().items().size() != before) return std::nullopt;
  DemandFit fit;
  try {
    fit = fit_demand(hourly_means(*samples), *spec, start);
  } catch (const std::invalid_argument& e) {
    r.error(r.node().is_string() ? "" : "path",
            fmt::format("{}: {}", spec->display_path, e.what()));
    return std::nullopt;
  }
  ordered_json section = demand_section(fit, *spec, "");
  if (sample_hours != 1 && section["noise"]["model"] == "lognormal_ar1") {
    section["noise"]["phi"] = std::pow(fit.phi.value, sample_hours);
  }
  ScenarioFit out;
  // Through its text, so the curve is read exactly as the same section pasted into a file.
  out.section = nlohmann::json::parse(section.dump());
  out.record["section"] = section;
  out.record["fit"] = fit_json(fit, *spec);
  out.record["fit"]["sample_hours"] = sample_hours;
  return out;
}

}  // namespace aidc::fit
