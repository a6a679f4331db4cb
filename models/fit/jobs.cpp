// aidc fit jobs: a job trace fitted as a stream of a scenario (the arrivals in
// jobs_arrivals.cpp, the durations and GPUs in jobs_durations.cpp), and what it writes: the
// stream section, the goodness of fit and a summary.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "aidc/fit/jobs.hpp"
#include "aidc/scenario/errors.hpp"
#include "aidc/scenario/param_reader.hpp"

namespace aidc::fit {

namespace {

using nlohmann::ordered_json;

constexpr const char* kCommand = "aidc fit jobs";
constexpr const char* kWeekdays[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                     "Friday", "Saturday", "Sunday"};

[[noreturn]] void refuse(const std::string& file, const std::string& message) {
  throw ScenarioError({Diagnostic{file, "", message}});
}

/// `x` to `digits` significant digits, so the files are short and stable to read.
double rounded(double x, int digits = 6) {
  if (x == 0 || !std::isfinite(x)) return x;
  return std::stod(fmt::format("{:.{}g}", x, digits));
}

ordered_json rounded_all(const ordered_json& j, int digits = 6) {
  if (j.is_number_float()) return rounded(j.get<double>(), digits);
  if (j.is_array() || j.is_object()) {
    ordered_json out = j;
    for (auto& item : out) item = rounded_all(item, digits);
    return out;
  }
  return j;
}

double hours_between(ClockTime from, ClockTime to) {
  return static_cast<double>((to - from).count()) / 3600.0;
}

/// The clock time `hours` after `origin`, to the second.
ClockTime clock_at(ClockTime origin, double hours) {
  return origin + std::chrono::seconds{std::llround(hours * 3600.0)};
}

ordered_json rate_json(const RateEstimate& r) {
  return {{"per_hour", r.per_hour}, {"se", r.se}, {"low95", r.low}, {"high95", r.high}};
}

ordered_json window_json(ClockTime origin, double from_hours, double until_hours) {
  return {{"from", format_clock_time(clock_at(origin, from_hours))},
          {"until", format_clock_time(clock_at(origin, until_hours))},
          {"days", (until_hours - from_hours) / 24}};
}

std::vector<std::int64_t> whole(const std::vector<double>& counts) {
  std::vector<std::int64_t> out;
  out.reserve(counts.size());
  for (const double c : counts) out.push_back(std::llround(c));
  return out;
}

std::string class_pointer(StreamClass c) {
  return c == StreamClass::rentals ? "/workloads/rentals" : "/workloads/training/experiments";
}

}  // namespace

JobFit fit_jobs(const JobTrace& trace, const std::string& trace_path,
                const JobFitOptions& options) {
  if (!is_valid_id(options.id)) {
    throw ScenarioError({Diagnostic{kCommand, "--id",
                                    fmt::format("not a valid id (got \"{}\", expected 1 to 64 "
                                                "letters, digits, '.', '_' or '-', beginning "
                                                "with a letter or a digit)",
                                                options.id)}});
  }
  if (options.holdout_days && *options.holdout_days < 1) {
    throw ScenarioError(
        {Diagnostic{kCommand, "--holdout",
                    fmt::format("out of range (got {}, expected a whole number of days >= 1)",
                                *options.holdout_days)}});
  }
  JobFit fit;
  fit.trace_path = trace_path;
  fit.skipped_without_gpus = trace.skipped_without_gpus;
  fit.skipped_without_duration = trace.skipped_without_duration;
  fit.rows = trace.jobs.size() + trace.skipped;
  if (trace.jobs.empty()) {
    refuse(trace_path,
           fmt::format("no job to fit: all {} rows were skipped ({} without GPUs, {} "
                       "with GPUs but no duration)",
                       fit.rows, trace.skipped_without_gpus, trace.skipped_without_duration));
  }

  // The window, in hours since the origin.
  const double offset = week_offset_hours(options.origin);
  const double from = options.from ? hours_between(options.origin, *options.from)
                                   : trace.jobs.front().submit_hours;  // sorted by submit
  const double until = options.until ? hours_between(options.origin, *options.until)
                                     : trace.jobs.back().submit_hours;
  if (!(until > from)) {
    if (options.from || options.until) {
      throw ScenarioError({Diagnostic{
          kCommand, options.from ? "--from" : "--until",
          fmt::format("the window is empty (from {} to {}, expected a later end than start)",
                      format_clock_time(clock_at(options.origin, from)),
                      format_clock_time(clock_at(options.origin, until)))}});
    }
    refuse(trace_path, fmt::format("the submit times span no time (every job at {} h): no "
                                   "arrival rate to fit",
                                   from));
  }
  if (until - from > 876'600) {
    refuse(trace_path, fmt::format("the submit times span {:.0f} days (expected at most 36,525, "
                                   "100 years; is --time-unit-seconds right?)",
                                   (until - from) / 24));
  }
  // Fit before `cut`, check from it on: the last holdout days of the window.
  double cut = until;
  if (options.holdout_days) {
    cut = until - 24.0 * *options.holdout_days;
    if (cut <= from) {
      throw ScenarioError({Diagnostic{
          kCommand, "--holdout",
          fmt::format("the window spans {:.2f} days, too few to hold out {} and fit on the rest",
                      (until - from) / 24, *options.holdout_days)}});
    }
  }
  std::vector<TraceJob> fitted;
  std::vector<double> submits;
  std::vector<double> held_out;
  for (const TraceJob& job : trace.jobs) {
    if (job.submit_hours < from || job.submit_hours > until) {
      ++fit.outside_window;
    } else if (job.submit_hours >= cut && options.holdout_days) {
      held_out.push_back(job.submit_hours);
    } else {
      fitted.push_back(job);
      submits.push_back(job.submit_hours);
    }
  }
  fit.from_hours = from;
  fit.until_hours = until;
  fit.held_out = held_out.size();
  fit.jobs = fitted.size();
  if (fitted.empty()) refuse(trace_path, "no job was submitted in the window fitted");

  fit.arrivals = fit_arrivals(submits, offset, from, cut);
  fit.gpus = fit_gpus(fitted);
  std::vector<double> durations;
  for (const TraceJob& job : fitted) {
    if (job.duration_hours > 0) {
      durations.push_back(job.duration_hours);
    } else {
      ++fit.zero_durations;
    }
  }
  try {
    fit.durations = fit_durations(durations);
  } catch (const std::invalid_argument&) {
    refuse(trace_path, fmt::format("{} jobs fitted have a positive duration (expected at least "
                                   "two distinct positive durations to fit a law to)",
                                   durations.size()));
  }
  fit.chosen = choose_by_aic(fit.durations);
  if (options.holdout_days) {
    fit.holdout = check_holdout(held_out, offset, cut, until, fit.arrivals, *options.holdout_days);
  }

  // What a reader must know about the numbers, in words.
  const double days = (cut - from) / 24;
  if (!fit.arrivals.diurnal_fitted) {
    fit.notes.push_back(
        fmt::format("no diurnal profile: the window fitted spans {:.2f} days, "
                    "fewer than 2 (flat: every hour at the mean rate)",
                    days));
  }
  if (!fit.arrivals.weekly_fitted) {
    fit.notes.push_back(
        fmt::format("no weekly profile: the window fitted spans {:.2f} days, "
                    "fewer than 14 (flat: every weekday at the mean rate)",
                    days));
  }
  for (const std::string& which : fit.arrivals.floored) {
    fit.notes.push_back(
        fmt::format("{} saw no arrival: its factor in the section is the rate of "
                    "half an arrival over its exposure, since a scenario's "
                    "factors must be positive",
                    which));
  }
  if (fit.zero_durations > 0) {
    fit.notes.push_back(
        fmt::format("{} jobs with a duration of 0 are left out of the duration "
                    "fits (the log-normal and Weibull likelihoods are 0 or "
                    "undefined there); the arrivals and GPUs count them",
                    fit.zero_durations));
  }
  if (fit.outside_window > 0) {
    fit.notes.push_back(
        fmt::format("{} jobs submitted outside the window are left out", fit.outside_window));
  }
  if (trace.skipped > 0) {
    fit.notes.push_back(
        fmt::format("{} rows without GPUs and {} with GPUs but no duration (never "
                    "ran) were skipped by the trace reader",
                    trace.skipped_without_gpus, trace.skipped_without_duration));
  }
  return fit;
}

JobFit fit_jobs(const std::string& trace_path, const JobFitOptions& options) {
  return fit_jobs(read_job_trace(trace_path, options.columns), trace_path, options);
}

nlohmann::ordered_json stream_section(const JobFit& fit, const JobFitOptions& options) {
  const ArrivalFit& a = fit.arrivals;
  ordered_json arrivals{{"per_hour", rounded(a.per_hour)}};
  if (a.diurnal_fitted) arrivals["diurnal"] = rounded_all(ordered_json(a.diurnal));
  if (a.weekly_fitted) arrivals["weekly"] = rounded_all(ordered_json(a.weekly));
  std::string description = fmt::format(
      "Fitted by aidc fit jobs{} to {}: {} jobs submitted from {} to {} (clock of the trace's "
      "origin {})",
      options.fit_date.empty() ? "" : " on " + options.fit_date,
      std::filesystem::path(fit.trace_path).filename().string(), fit.jobs,
      format_clock_time(clock_at(options.origin, a.from_hours)),
      format_clock_time(clock_at(options.origin, a.until_hours)),
      format_clock_time(options.origin));
  return {
      {"id", options.id},
      {"description", description},
      {"arrivals", arrivals},
      {"gpus", {{"dist", "empirical"}, {"values", fit.gpus.values}, {"weights", fit.gpus.counts}}},
      {"duration_hours", rounded_all(fit.durations.at(fit.chosen).distribution)}};
}

nlohmann::ordered_json fit_report(const JobFit& fit, const JobFitOptions& options) {
  const ArrivalFit& a = fit.arrivals;
  // A row of the rates by hour (weekday): the arrivals and exposure of its 7 (24) cells.
  const auto row = [&](ordered_json out, bool by_hour, std::size_t i, const RateEstimate& r,
                       double factor) {
    double n = 0;
    double e = 0;
    for (std::size_t c = 0; c < a.counts.size(); ++c) {
      if ((by_hour ? c % 24 : c / 24) != i) continue;
      n += a.counts[c];
      e += a.exposure_hours[c];
    }
    out["arrivals"] = std::llround(n);
    out["exposure_hours"] = e;
    out.update(rate_json(r));
    out["factor"] = factor;
    return out;
  };
  ordered_json by_hour = ordered_json::array();
  for (std::size_t h = 0; h < 24; ++h) {
    by_hour.push_back(row({{"hour", h}}, true, h, a.by_hour[h], a.diurnal[h]));
  }
  ordered_json by_weekday = ordered_json::array();
  for (std::size_t d = 0; d < 7; ++d) {
    by_weekday.push_back(row({{"weekday", kWeekdays[d]}}, false, d, a.by_weekday[d], a.weekly[d]));
  }
  double exposure = 0;
  for (const double e : a.exposure_hours) exposure += e;
  ordered_json arrivals{
      {"model",
       "Poisson process, rate per_hour x diurnal[hour] x weekly[weekday], factors of mean 1; "
       "maximum likelihood by iterative proportional fitting of the log-linear model with each "
       "(weekday, hour) cell's hours of exposure as offset"},
      {"intervals",
       "standard errors from the inverse Fisher information of the log-linear model at the "
       "estimate (delta method on the log of each rate); 95% intervals rate x exp(+-1.96 se / "
       "rate); a rate of 0 has the exact upper bound 3.689 / exposure"},
      {"arrivals", a.arrivals},
      {"exposure_hours", exposure},
      {"diurnal_fitted", a.diurnal_fitted},
      {"weekly_fitted", a.weekly_fitted},
      {"iterations", a.iterations},
      {"mean_rate", rate_json(a.mean)},
      {"section_per_hour", a.per_hour},
      {"floored", a.floored},
      {"by_hour", by_hour},
      {"by_weekday", by_weekday}};

  std::size_t total = 0;
  for (const std::size_t c : fit.gpus.counts) total += c;
  ordered_json shares = ordered_json::array();
  for (const std::size_t c : fit.gpus.counts) {
    shares.push_back(static_cast<double>(c) / static_cast<double>(total));
  }
  ordered_json candidates = ordered_json::array();
  for (const DurationFit& d : fit.durations) {
    ordered_json parameters = ordered_json::object();
    for (const Parameter& p : d.parameters) parameters[p.name] = {{"value", p.value}, {"se", p.se}};
    candidates.push_back({{"law", d.law},
                          {"parameters", parameters},
                          {"log_likelihood", d.log_likelihood},
                          {"aic", d.aic},
                          {"ks", d.ks},
                          {"median_hours", d.median_hours},
                          {"mean_hours", d.mean_hours},
                          {"distribution", d.distribution}});
  }
  ordered_json out{
      {"trace", fit.trace_path},
      {"origin", format_clock_time(options.origin)},
      {"paste_into", class_pointer(options.stream_class)},
      {"window", window_json(options.origin, fit.from_hours, fit.until_hours)},
      {"fitted_window", window_json(options.origin, a.from_hours, a.until_hours)},
      {"rows",
       {{"read", fit.rows},
        {"skipped_without_gpus", fit.skipped_without_gpus},
        {"skipped_without_duration", fit.skipped_without_duration},
        {"outside_window", fit.outside_window},
        {"held_out", fit.held_out},
        {"fitted", fit.jobs}}},
      {"arrivals", arrivals},
      {"gpus", {{"values", fit.gpus.values}, {"counts", fit.gpus.counts}, {"shares", shares}}},
      {"durations",
       {{"jobs", fit.jobs - fit.zero_durations},
        {"zero_durations_left_out", fit.zero_durations},
        {"chosen", fit.durations.at(fit.chosen).law},
        {"chosen_by", "the smallest AIC = 2 x parameters - 2 x log-likelihood"},
        {"ks_note",
         "ks is the Kolmogorov-Smirnov distance; with parameters estimated from the same data "
         "its classical p-values do not apply (Lilliefors 1967), so none is given"},
        {"candidates", candidates}}}};
  if (fit.holdout) {
    const HoldoutCheck& h = *fit.holdout;
    out["holdout"] = {
        {"days", h.days},
        {"from", format_clock_time(clock_at(options.origin, h.from_hours))},
        {"until", format_clock_time(clock_at(options.origin, h.until_hours))},
        {"aggregation",
         "arrivals counted in hour-long bins from the start of the held-out days (the end of "
         "the window minus their number of days), summed per block of 24 bins ending at the "
         "end of the window; predicted: the fitted rate integrated over each bin; MAPE = mean "
         "of |predicted - observed| / observed over the days with arrivals"},
        {"daily_mape_percent", h.mape_percent},
        {"days_with_arrivals", h.days_with_arrivals},
        {"hours", h.hours},
        {"hours_inside_90_share", h.inside_90_share},
        {"observed_by_day", whole(h.observed_by_day)},
        {"predicted_by_day", h.predicted_by_day}};
  }
  out["notes"] = fit.notes;
  // More digits than the section: the log-likelihoods of the laws are compared.
  return rounded_all(out, 10);
}

std::string fit_summary(const JobFit& fit, const JobFitOptions& options) {
  const ArrivalFit& a = fit.arrivals;
  std::string out = fmt::format(
      "{}: {} jobs fitted from {} to {} ({:.1f} days); {} outside the window, {} held out, {} "
      "rows skipped\n",
      fit.trace_path, fit.jobs, format_clock_time(clock_at(options.origin, a.from_hours)),
      format_clock_time(clock_at(options.origin, a.until_hours)),
      (a.until_hours - a.from_hours) / 24, fit.outside_window, fit.held_out,
      fit.skipped_without_gpus + fit.skipped_without_duration);
  out += fmt::format("arrivals: {:.4g} an hour (95% {:.4g} to {:.4g}); diurnal {}, weekly {}\n",
                     a.mean.per_hour, a.mean.low, a.mean.high, a.diurnal_fitted ? "fitted" : "flat",
                     a.weekly_fitted ? "fitted" : "flat");
  if (a.diurnal_fitted) {
    const auto [low, high] = std::minmax_element(
        a.by_hour.begin(), a.by_hour.end(),
        [](const RateEstimate& x, const RateEstimate& y) { return x.per_hour < y.per_hour; });
    out += fmt::format("  busiest hour {} ({:.4g} an hour), quietest hour {} ({:.4g} an hour)\n",
                       high - a.by_hour.begin(), high->per_hour, low - a.by_hour.begin(),
                       low->per_hour);
  }
  std::size_t total = 0;
  for (const std::size_t c : fit.gpus.counts) total += c;
  std::string gpus;
  for (std::size_t i = 0; i < fit.gpus.values.size(); ++i) {
    gpus +=
        fmt::format("{}{} ({:.2f}%)", i ? ", " : "", fit.gpus.values[i],
                    100.0 * static_cast<double>(fit.gpus.counts[i]) / static_cast<double>(total));
  }
  out += fmt::format("gpus: {}\n", gpus);
  const DurationFit& chosen = fit.durations.at(fit.chosen);
  out += fmt::format("duration: {} by AIC (mean {:.4g} h, median {:.4g} h);", chosen.law,
                     chosen.mean_hours, chosen.median_hours);
  for (const DurationFit& d : fit.durations) {
    out += fmt::format(" AIC {} {:.1f}, KS {:.4f};", d.law, d.aic, d.ks);
  }
  out.back() = '\n';
  if (fit.holdout) {
    out += fmt::format(
        "holdout {} days: daily MAPE {:.1f}% over {} days with arrivals; {:.1f}% of {} hours "
        "inside their 90% Poisson interval\n",
        fit.holdout->days, fit.holdout->mape_percent, fit.holdout->days_with_arrivals,
        100.0 * fit.holdout->inside_90_share, fit.holdout->hours);
  }
  for (const std::string& note : fit.notes) out += "note: " + note + "\n";
  return out;
}

}  // namespace aidc::fit
