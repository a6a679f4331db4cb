#pragma once
/// A job stream fitted to a job trace (aidc fit jobs): the arrival rate by hour of day and
/// day of week, the GPUs per job and the law of the durations, each by maximum likelihood
/// with its uncertainty, turned into a stream section of a scenario file. The model and the
/// estimators are described in docs/fitting.md, "Job traces".

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aidc/training/job_trace.hpp"

namespace aidc::fit {

/// A time of the trace's clock, in whole seconds since 1970-01-01 00:00:00 of that clock
/// (no time zone is implied: hours and weekdays are those of the clock).
using ClockTime = std::chrono::sys_seconds;

/// "YYYY-MM-DD" (at 00:00:00) or "YYYY-MM-DD HH:MM:SS" (a 'T' may stand for the blank), for
/// years 1900 to 2200; nullopt for anything else.
std::optional<ClockTime> parse_clock_time(std::string_view text);
/// "YYYY-MM-DD HH:MM:SS".
std::string format_clock_time(ClockTime t);

/// Hours since 00:00 on the Monday of `t`'s week: 0 to 168, so hour of day and weekday
/// (Monday 0) of a time `h` hours after `t` are those of cell floor(offset + h) mod 168.
double week_offset_hours(ClockTime t);

/// A rate in arrivals per hour with its standard error and 95% interval.
struct RateEstimate {
  double per_hour = 0;
  double se = 0;
  double low = 0;
  double high = 0;
};

/// The arrival process fitted to submit times: a Poisson process whose rate in hour h of
/// weekday d (Monday 0) is per_hour x diurnal[h] x weekly[d], with diurnal and weekly of
/// mean 1, so per_hour is the rate averaged over a week. Estimated by maximum likelihood
/// (iterative proportional fitting of the Poisson log-linear model with the hours of
/// exposure of each of the 168 (weekday, hour) cells as offset).
struct ArrivalFit {
  double from_hours = 0;   // the exposure window, hours since the trace's origin
  double until_hours = 0;  // inclusive: a job submitted at `until_hours` counts
  std::size_t arrivals = 0;
  bool diurnal_fitted = false;  // false: the window is shorter than 2 days (flat)
  bool weekly_fitted = false;   // false: the window is shorter than 14 days (flat)
  std::size_t iterations = 0;   // of the proportional fitting
  RateEstimate mean;            // per_hour
  /// The rate by hour of day averaged over the weekdays (per_hour x diurnal[h]), and by
  /// weekday averaged over the hours (per_hour x weekly[d]); maximum-likelihood values.
  std::array<RateEstimate, 24> by_hour{};
  std::array<RateEstimate, 7> by_weekday{};
  /// The factors for the scenario (mean 1). A factor whose hour or weekday saw no arrival is
  /// 0 by maximum likelihood, which a scenario refuses; it is given the rate of half an
  /// arrival over that hour's (weekday's) exposure instead, and `floored` names it.
  std::array<double, 24> diurnal{};
  std::array<double, 7> weekly{};
  double per_hour = 0;  // with the floored factors; `mean.per_hour` otherwise
  std::vector<std::string> floored;
  /// Arrivals and hours of exposure by cell, index weekday x 24 + hour.
  std::array<double, 168> counts{};
  std::array<double, 168> exposure_hours{};
  /// The section's rate in the cell of hour-of-week `cell` (0 to 167).
  double rate(std::size_t cell) const { return per_hour * diurnal[cell % 24] * weekly[cell / 24]; }
};

/// Fits the arrivals of `submit_hours` (hours since the origin, any order) that lie in
/// [from_hours, until_hours]; `origin_offset_hours` is week_offset_hours(origin). Throws
/// std::invalid_argument unless the window is longer than zero and at most 100 years.
ArrivalFit fit_arrivals(const std::vector<double>& submit_hours, double origin_offset_hours,
                        double from_hours, double until_hours);

/// One parameter of a duration law, with its standard error from the inverse of the
/// observed information (Weibull) or its closed form (exponential, log-normal).
struct Parameter {
  std::string name;
  double value = 0;
  double se = 0;
};

/// A law fitted to the durations by maximum likelihood.
struct DurationFit {
  std::string law;  // "exponential", "lognormal" or "weibull"
  std::vector<Parameter> parameters;
  double log_likelihood = 0;
  double aic = 0;  // 2 x parameters - 2 x log_likelihood
  double ks = 0;   // Kolmogorov-Smirnov statistic: sup |empirical CDF - fitted CDF|
  double median_hours = 0;
  double mean_hours = 0;
  /// The scenario's `duration_hours` for it (lognormal by the mean and sd of the value).
  nlohmann::ordered_json distribution;
};

/// The exponential, log-normal and Weibull laws fitted to `hours` (every value > 0, at
/// least two distinct), in that order. Throws std::invalid_argument otherwise.
std::vector<DurationFit> fit_durations(const std::vector<double>& hours);
/// The Weibull law alone: shape by Newton's method on the profile likelihood equation, scale
/// in closed form given the shape.
DurationFit fit_weibull(const std::vector<double>& hours);
/// The index in `fits` of the smallest AIC (the first on a tie, so the simpler law).
std::size_t choose_by_aic(const std::vector<DurationFit>& fits);

/// The GPUs per job: each distinct value and how many jobs asked for it, ascending.
struct GpuFit {
  std::vector<std::int64_t> values;
  std::vector<std::size_t> counts;
};
GpuFit fit_gpus(const std::vector<TraceJob>& jobs);

/// The held-out check: the model fitted before the last `days` days predicts their hourly
/// arrival counts. Hours are hour-long bins from `from_hours` to the end of the window (the
/// last possibly shorter), each predicting the fitted rate integrated over it; days are
/// consecutive blocks of 24 bins.
struct HoldoutCheck {
  int days = 0;
  double from_hours = 0;
  double until_hours = 0;
  std::vector<double> observed_by_day;
  std::vector<double> predicted_by_day;
  /// Mean of |predicted - observed| / observed over the days with arrivals, in percent.
  double mape_percent = 0;
  std::size_t days_with_arrivals = 0;
  std::size_t hours = 0;
  /// Share of the held-out hours whose count lies in the central 90% interval of a Poisson
  /// law with the predicted mean ([q, r]: the smallest counts with P(N <= q) > 0.05 and
  /// P(N <= r) >= 0.95, so at least 90% of the law).
  double inside_90_share = 0;
};

/// The held-out counts of `submit_hours` in [from_hours, until_hours] against `model`.
HoldoutCheck check_holdout(const std::vector<double>& submit_hours, double origin_offset_hours,
                           double from_hours, double until_hours, const ArrivalFit& model,
                           int days);

/// Where the section goes in a scenario file.
enum class StreamClass { rentals, experiments };

/// What aidc fit jobs is asked.
struct JobFitOptions {
  JobTraceColumns columns;
  /// The clock time of the trace's time 0 (traces count from an anonymous origin).
  ClockTime origin{};
  /// The window of submit times fitted (clock times); unset: the first and the last submit.
  std::optional<ClockTime> from;
  std::optional<ClockTime> until;
  /// Fit on the jobs before the last `holdout_days` days of the window, check on those.
  std::optional<int> holdout_days;
  std::string id = "fitted";
  StreamClass stream_class = StreamClass::experiments;
  /// The date of the fit, YYYY-MM-DD, named in the section's description.
  std::string fit_date;
};

/// Everything fitted, and what was left out.
struct JobFit {
  std::string trace_path;
  /// The window of submit times (hours since the origin, both ends included); the arrivals
  /// are fitted over all of it, or up to the held-out days.
  double from_hours = 0;
  double until_hours = 0;
  std::size_t rows = 0;  // data rows of the file read as jobs or skipped
  std::size_t skipped_without_gpus = 0;
  std::size_t skipped_without_duration = 0;
  std::size_t outside_window = 0;  // jobs submitted outside the window
  std::size_t held_out = 0;        // jobs of the held-out days
  std::size_t jobs = 0;            // jobs fitted
  std::size_t zero_durations = 0;  // of the jobs fitted; left out of the duration fits
  ArrivalFit arrivals;
  GpuFit gpus;
  std::vector<DurationFit> durations;
  std::size_t chosen = 0;  // index in `durations`
  std::optional<HoldoutCheck> holdout;
  std::vector<std::string> notes;  // conventions applied and what was not fitted, in words
};

/// Fits `trace` (read from `trace_path`) as `options` say. Bad options or too little data
/// throw ScenarioError naming the file and the option.
JobFit fit_jobs(const JobTrace& trace, const std::string& trace_path, const JobFitOptions& options);
/// Reads the trace with read_job_trace and fits it.
JobFit fit_jobs(const std::string& trace_path, const JobFitOptions& options);

/// The stream section to paste into workloads.rentals or workloads.training.experiments:
/// id, description, arrivals (per_hour, diurnal and weekly when fitted), gpus and
/// duration_hours (the law chosen by AIC).
nlohmann::ordered_json stream_section(const JobFit& fit, const JobFitOptions& options);
/// The goodness of fit: counts, window, skipped rows, every duration law's statistics, the
/// rates with their intervals, the held-out check and the notes.
nlohmann::ordered_json fit_report(const JobFit& fit, const JobFitOptions& options);
/// A few lines for the terminal.
std::string fit_summary(const JobFit& fit, const JobFitOptions& options);

}  // namespace aidc::fit
