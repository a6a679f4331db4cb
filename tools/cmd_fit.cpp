// `aidc fit`: demand models and job streams fitted to a user's traces.

#include <fmt/format.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "aidc/fit/demand.hpp"
#include "aidc/run/output.hpp"
#include "aidc/scenario/errors.hpp"
#include "aidc/scenario/scenario.hpp"
#include "cmd_fit.hpp"
#include "commands.hpp"

namespace aidc::cli {

namespace {

struct FitDemandOptions {
  std::string trace;
  std::string time_column;
  std::string value_column;
  std::string time_unit = "s";
  std::string origin;
  std::string filter_column;
  std::string filter_equals;
  double scale = 1;
  std::string trend = "auto";
  double knot_days = 7;
  double holdout_days = 0;
  std::string start;
  std::string out_dir;
};

/// "/time_column" as the command line's "--time-column"; "/path" as the trace argument.
std::string flag_of(const std::string& pointer) {
  if (pointer.empty() || pointer == "/path") return "TRACE";
  std::string flag = "--";
  for (const char c : pointer.substr(1)) flag += c == '_' ? '-' : (c == '/' ? '-' : c);
  if (flag == "--holdout-days") return "--holdout";
  if (flag == "--filter-column") return "--filter-column";
  if (flag == "--filter-equals") return "--filter-equals";
  return flag;
}

/// Throws the problems recorded against the spec built from the flags, each named by its flag.
void throw_as_flags(const Diagnostics& diagnostics) {
  std::vector<Diagnostic> out;
  for (const auto& d : diagnostics.items()) {
    out.push_back({"aidc fit demand", flag_of(d.pointer), d.message});
  }
  throw ScenarioError(std::move(out));
}

void fit_demand_command(const FitDemandOptions& opt) {
  nlohmann::json j;
  j["path"] = opt.trace;
  if (!opt.time_column.empty()) j["time_column"] = opt.time_column;
  if (!opt.value_column.empty()) j["value_column"] = opt.value_column;
  j["time_unit"] = opt.time_unit;
  if (!opt.origin.empty()) j["origin"] = opt.origin;
  if (!opt.filter_column.empty() || !opt.filter_equals.empty()) {
    j["filter"] = {{"column", opt.filter_column}, {"equals", opt.filter_equals}};
  }
  j["scale"] = opt.scale;
  j["trend"] = opt.trend;
  j["knot_days"] = opt.knot_days;
  j["holdout_days"] = opt.holdout_days;
  Diagnostics diagnostics("aidc fit demand");
  const ParamReader r(j, "", diagnostics);
  const auto spec = fit::read_fit_spec(r, /*scenario_paths=*/false);
  std::optional<Date> start;
  if (!opt.start.empty()) {
    start = parse_date(opt.start);
    if (!start)
      diagnostics.add("/start",
                      fmt::format("not a date (got \"{}\", expected YYYY-MM-DD)", opt.start));
  }
  if (!diagnostics.empty()) throw_as_flags(diagnostics);
  const auto samples = fit::read_trace(*spec, r);
  if (!diagnostics.empty()) throw_as_flags(diagnostics);
  const fit::HourlySeries hours = fit::hourly_means(*samples);
  fit::DemandFit result;
  try {
    result = fit::fit_demand(hours, *spec, start.value_or(fit::first_day(hours)));
  } catch (const std::invalid_argument& e) {
    throw ScenarioError({Diagnostic{opt.trace, "", e.what()}});
  }
  const auto section = fit::demand_section(result, *spec, today_utc());
  const auto record = fit::fit_json(result, *spec);
  if (!opt.out_dir.empty()) {
    check_out_folder(opt.out_dir);
    nlohmann::ordered_json doc;
    doc["section"] = section;
    doc["fit"] = record;
    write_files_atomically(opt.out_dir,
                           {{"fit.json", doc.dump(2) + "\n"}, {"fit.csv", fit::fit_csv(result)}},
                           Manifest::write);
  }
  fmt::print("{}\n", section.dump(2));
  fmt::print(stderr, "{}: {} hours ({} samples; {} hours not positive, left out)\n", opt.trace,
             result.hours_used, result.samples, result.hours_not_positive);
  for (const auto& c : result.candidates) {
    fmt::print(
        stderr, "  trend {:<12} parameters {:>3}  log-likelihood {:>12.2f}  BIC {:>12.2f}{}{}\n",
        fit::trend_name(c.trend), c.parameters, c.log_likelihood, c.bic,
        c.converged ? "" : "  (did not converge)", c.trend == result.trend ? "  <- chosen" : "");
  }
  fmt::print(stderr,
             "  R^2 (log) {:.4f}, residual sd {:.4f}, residual lag-1 autocorrelation {:.4f}; noise "
             "sigma {:.4f} +- {:.4f}, phi {:.4f} +- {:.4f} per hour\n",
             result.r2_log, result.residual_sd, result.residual_acf1, result.sigma.value,
             result.sigma.se, result.phi.value, result.phi.se);
  if (result.holdout) {
    fmt::print(stderr,
               "  hold-out: last {} days, {} hours: MAPE {:.2f}%, {:.1f}% of hours inside the 90% "
               "band\n",
               result.holdout->days, result.holdout->hours, 100 * result.holdout->mape,
               100 * result.holdout->band_share);
  }
}

}  // namespace

std::string today_utc() {
  const auto now = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  return format_date(Date{now});
}

void setup_fit_command(CLI::App& app) {
  auto* fit = app.add_subcommand("fit", "Fit demand models and job streams to traces");
  fit->require_subcommand(1);
  auto opt = std::make_shared<FitDemandOptions>();
  auto* demand = fit->add_subcommand(
      "demand",
      "Fit level x trend x 24-hour x 7-day profiles x log-normal AR(1) noise to a demand "
      "series; prints the scenario's \"demand\" section (docs/fitting.md)");
  demand
      ->add_option("trace", opt->trace, "CSV file of the series (a header row, rows in time order)")
      ->required();
  demand->add_option("--time-column", opt->time_column,
                     "Column of the times: YYYY-MM-DD HH:MM:SS, or numbers from --origin "
                     "(default: a file of two columns, time then value)");
  demand->add_option("--value-column", opt->value_column, "Column of the demand values (>= 0)");
  demand->add_option("--time-unit", opt->time_unit, "Unit of numeric times: ms, s, min, h, d")
      ->default_str("s");
  demand->add_option("--origin", opt->origin,
                     "Clock time of numeric time 0: YYYY-MM-DD or \"YYYY-MM-DD HH:MM:SS\"");
  demand->add_option("--filter-column", opt->filter_column, "Keep only rows whose column ...");
  demand->add_option("--filter-equals", opt->filter_equals, "... equals this text");
  demand
      ->add_option("--scale", opt->scale,
                   "Demand units (H100-equivalent GPUs, tokens per second) per unit of value")
      ->default_str("1");
  demand
      ->add_option("--trend", opt->trend,
                   "auto (chosen by BIC), none, exponential, logistic or piecewise")
      ->default_str("auto");
  demand->add_option("--knot-days", opt->knot_days, "Days between a piecewise trend's points")
      ->default_str("7");
  demand->add_option("--holdout", opt->holdout_days,
                     "Fit on all but the last DAYS and report the projection's error on them");
  demand->add_option("--start", opt->start,
                     "Scenario start the section is written for: base_gpus is the level there "
                     "(default: the trace's first day)");
  demand->add_option("--out", opt->out_dir,
                     "Folder for fit.json and fit.csv, which aidc report draws");
  demand->callback([opt] { fit_demand_command(*opt); });
  setup_fit_jobs_command(*fit);
}

}  // namespace aidc::cli
