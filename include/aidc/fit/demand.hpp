#pragma once
/// Fitting a demand curve to a trace (`aidc fit demand`, and `"demand": {"fit": ...}` in a
/// scenario): the trace's hourly means are modelled as
///
///     y(h) = level x trend(h) x diurnal[hour of day] x weekly[day of week] x exp(e(h)),
///
/// with e a stationary Gaussian AR(1) process of standard deviation sigma and lag-one
/// correlation phi per hour. The log series is fitted by least squares: the profiles and the
/// trend's parameters together (Levenberg-Marquardt when the trend is not linear in the
/// logs), under the Prais-Winsten transformation for the residuals' AR(1), with phi
/// re-estimated from the residuals until it settles (iterated feasible GLS). The trend is
/// chosen among none, exponential, logistic and piecewise by the Bayesian information
/// criterion, or forced. docs/fitting.md gives the model, the method and worked examples.

#include <array>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "aidc/demand/demand.hpp"
#include "aidc/scenario/param_reader.hpp"

namespace aidc::fit {

/// One value of a trace at a moment of the trace's own clock, in seconds since 1970-01-01
/// 00:00 of that clock (no time zone is applied).
struct Sample {
  double clock_seconds = 0;
  double value = 0;
};

/// The means of a trace over whole hours of its clock: only the hours that hold a sample,
/// in increasing order.
struct HourlySeries {
  std::vector<std::int64_t> hour;  // hours since 1970-01-01 00:00 of the trace's clock
  std::vector<double> value;       // mean of the samples in that hour
  std::vector<std::size_t> samples;
};
HourlySeries hourly_means(const std::vector<Sample>& samples);

enum class TrendKind { none, exponential, logistic, piecewise };
const char* trend_name(TrendKind kind);

/// What to fit and how: read from JSON (the scenario's "fit" object, or the command line's
/// flags turned into one) by read_fit_spec.
struct FitSpec {
  std::string path;          // resolved
  std::string display_path;  // as the user named it, for messages and descriptions
  std::string time_column;
  std::string value_column;
  double time_unit_seconds = 1;              // numeric times only
  std::optional<double> origin_clock_s;      // numeric times: the clock time of 0
  std::optional<std::string> filter_column;  // keep only rows whose column equals...
  std::string filter_value;
  double scale = 1;                // demand units (GPU-equivalents...) per unit of value
  std::optional<TrendKind> trend;  // nullopt: chosen by BIC
  double knot_days = 7;            // spacing of a piecewise trend's points
  double holdout_days = 0;         // 0: no hold-out check
};

/// Reads a fit spec: {"path", "time_column", "value_column", "time_unit", "origin",
/// "filter": {"column", "equals"}, "scale", "trend", "knot_days", "holdout_days"}, or a
/// bare path string (a file of exactly two columns, time then value). With `scenario_paths`
/// the path is resolved against the scenario's folder and must stay inside it (see
/// data_paths.hpp); without, it is used as given (the command line's). Problems are
/// recorded on `r`; nullopt then.
std::optional<FitSpec> read_fit_spec(const ParamReader& r, bool scenario_paths = true);

/// Reads the trace a spec names; problems (each naming the file and line) are recorded on
/// `r` at "path" or at the column's key. Rows must be in time order.
std::optional<std::vector<Sample>> read_trace(const FitSpec& spec, const ParamReader& r);

/// A fitted parameter on the scale it is estimated on, with its standard error.
struct Estimate {
  std::string name;
  double value = 0;
  double se = 0;
};

/// One trend model fitted to the same hours, for the choice between them.
struct Candidate {
  TrendKind trend = TrendKind::none;
  std::size_t parameters = 0;  // all of them: level, profiles, trend, sigma and phi
  double log_likelihood = 0;   // of the log series
  double bic = 0;
  bool converged = true;
};

/// The check of a projection on the held-out last days.
struct Holdout {
  double days = 0;
  std::size_t hours = 0;  // held-out hours with a positive value
  double mape = 0;        // mean |y - mean| / y over them
  double band_share = 0;  // share inside the 5%..95% quantiles of the model
};

/// One hour of the fitted series, for the plot and fit.csv.
struct FittedHour {
  std::int64_t hour = 0;
  double observed = 0;
  double mean = 0;  // the model's mean (median x exp(sigma^2 / 2))
  double low = 0;   // 5% quantile
  double high = 0;  // 95% quantile
  bool held_out = false;
};

struct DemandFit {
  TrendKind trend = TrendKind::none;
  std::vector<Candidate> candidates;   // those tried, in TrendKind order
  Date start{};                        // t = 0 of the trend: the section's scenario start
  std::size_t hours_used = 0;          // hours in the fit (positive values)
  std::size_t hours_not_positive = 0;  // left out: the log of 0 is undefined
  std::size_t samples = 0;
  std::int64_t first_hour = 0;  // of the fitted hours
  std::int64_t last_hour = 0;
  bool has_diurnal = false;
  bool has_weekly = false;

  /// The log of the median level at `start` (trend factor 1, profiles at their log mean 0).
  Estimate log_level;
  /// Trend parameters as estimated: exponential: growth (log, per year); logistic:
  /// floor_share (floor / cap), rate_per_year, midpoint_years (from start, whole days);
  /// piecewise: log_factor_k of each point after the first (the first is 1).
  std::vector<Estimate> trend_parameters;
  std::vector<Date> knots;                 // piecewise: the points' dates
  std::array<Estimate, 24> log_diurnal{};  // centred: they sum to 0
  std::array<Estimate, 7> log_weekly{};    // Monday..Sunday, centred
  Estimate sigma;                          // of the log noise (stationary)
  Estimate phi;                            // lag-one correlation per hour

  double r2_log = 0;         // of the log series
  double residual_sd = 0;    // of the log residuals
  double residual_acf1 = 0;  // lag-one autocorrelation of the log residuals, over the pairs
                             // of hours one apart
  std::optional<Holdout> holdout;
  std::vector<FittedHour> series;

  /// The fitted parameters as estimated (for log_median): the intercept, the trend's own
  /// (logistic: logit of floor / cap, log rate, midpoint; piecewise: log factors) and the
  /// piecewise points in years from `start`.
  double alpha = 0;
  std::vector<double> trend_raw;
  std::vector<double> knot_years;

  /// The log of the fitted median at an hour of the trace's clock.
  double log_median(std::int64_t hour) const;
};

/// Fits the model to `series` (see the file comment), with `start` as the trend's origin.
/// Throws ScenarioError-free std::invalid_argument with a message a user can act on when
/// the series cannot identify the model (too few hours, an hour of day never positive...).
DemandFit fit_demand(const HourlySeries& series, const FitSpec& spec, Date start);

/// The first day of the series (midnight), the default `start` of the command line.
Date first_day(const HourlySeries& series);

/// The "demand" section of a scenario for the fit: base_gpus (x spec.scale), trend,
/// diurnal, weekly and noise, with `description` naming the trace and the fit's date.
nlohmann::ordered_json demand_section(const DemandFit& fit, const FitSpec& spec,
                                      const std::string& fitted_on);

/// The goodness of fit and every estimate with its standard error, for fit.json and run.json.
nlohmann::ordered_json fit_json(const DemandFit& fit, const FitSpec& spec);

/// A scenario's `"demand": {"fit": ...}`: the section fitted at load time, with the scenario's
/// start as the trend's origin, and the record run.json keeps ({"section", "fit"}). The
/// noise's phi per hour is raised to the power `sample_hours` (the scenario's
/// reconcile_hours), as the curve is sampled once a reconcile. Problems are recorded on
/// `fit` (the reader of the "fit" value); nullopt then.
struct ScenarioFit {
  nlohmann::json section;
  nlohmann::ordered_json record;
};
std::optional<ScenarioFit> fit_for_scenario(const ParamReader& fit, Date start,
                                            double sample_hours);

/// The fitted series as CSV: hour, observed, mean, low, high, held_out.
std::string fit_csv(const DemandFit& fit);

}  // namespace aidc::fit
