// `aidc fit jobs`: a rental or experiment stream fitted to a job trace (the library's
// aidc/fit/jobs.hpp), printed as a section to paste into a scenario or written with its
// goodness of fit to a file.

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "aidc/fit/jobs.hpp"
#include "aidc/run/output.hpp"
#include "aidc/scenario/errors.hpp"
#include "aidc/scenario/scenario.hpp"
#include "cmd_fit.hpp"

namespace aidc::cli {

namespace {

constexpr const char* kCommand = "aidc fit jobs";

struct FitJobsOptions {
  std::string trace;
  std::string origin;
  std::string from;
  std::string until;
  JobTraceColumns columns;
  std::string id = "fitted";
  std::string stream_class = "experiments";
  std::optional<int> holdout_days;
  std::string fit_date;
  std::string out;
};

[[noreturn]] void refuse(const std::string& option, const std::string& message) {
  throw ScenarioError({Diagnostic{kCommand, option, message}});
}

/// The clock time an option gives, or a refusal naming it.
fit::ClockTime clock_option(const std::string& option, const std::string& text) {
  const auto t = fit::parse_clock_time(text);
  if (!t) {
    refuse(option, fmt::format("not a date-time (got \"{}\", expected YYYY-MM-DD or "
                               "\"YYYY-MM-DD HH:MM:SS\")",
                               text));
  }
  return *t;
}

void fit_jobs_command(const FitJobsOptions& opt) {
  namespace fs = std::filesystem;
  fit::JobFitOptions options;
  options.columns = opt.columns;
  if (!(opt.columns.time_unit_seconds > 0) || !std::isfinite(opt.columns.time_unit_seconds)) {
    refuse("--time-unit-seconds", fmt::format("out of range (got {}, expected a positive number)",
                                              opt.columns.time_unit_seconds));
  }
  options.origin = clock_option("--origin", opt.origin);
  if (!opt.from.empty()) options.from = clock_option("--from", opt.from);
  if (!opt.until.empty()) options.until = clock_option("--until", opt.until);
  options.holdout_days = opt.holdout_days;
  options.id = opt.id;
  options.stream_class =
      opt.stream_class == "rentals" ? fit::StreamClass::rentals : fit::StreamClass::experiments;
  if (!opt.fit_date.empty() && !parse_date(opt.fit_date)) {
    refuse("--fit-date", fmt::format("not a date (got \"{}\", expected YYYY-MM-DD)", opt.fit_date));
  }
  options.fit_date = opt.fit_date.empty() ? today_utc() : opt.fit_date;
  if (!opt.out.empty()) {
    if (fs::path(opt.out).filename().empty()) {
      throw ScenarioError({Diagnostic{opt.out, "", "--out: expected a file name, not a folder"}});
    }
    check_out_file(opt.out);  // before the work, not after it
  }

  const fit::JobFit fit = fit::fit_jobs(opt.trace, options);
  const nlohmann::ordered_json section = fit::stream_section(fit, options);
  fmt::print(stderr, "{}", fit::fit_summary(fit, options));
  if (opt.out.empty()) {
    fmt::print("{}\n", section.dump(2));
    return;
  }
  const nlohmann::ordered_json doc{{"section", section}, {"fit", fit::fit_report(fit, options)}};
  const fs::path out(opt.out);
  const fs::path parent = out.parent_path().empty() ? fs::path(".") : out.parent_path();
  write_files_atomically(parent.string(), {{out.filename().string(), doc.dump(2) + "\n"}});
  fmt::print(stderr, "section and fit written to {}\n", opt.out);
}

}  // namespace

void setup_fit_jobs_command(CLI::App& fit) {
  auto opt = std::make_shared<FitJobsOptions>();
  auto* cmd = fit.add_subcommand(
      "jobs",
      "Fit a rental or experiment stream (arrivals by hour and weekday, GPUs, durations) to a "
      "job trace CSV");
  cmd->add_option("trace", opt->trace, "Job trace CSV with a header row")->required();
  cmd->add_option("--origin", opt->origin,
                  "Clock time of the trace's time 0: \"YYYY-MM-DD[ HH:MM:SS]\" (hours and "
                  "weekdays of the jobs are those of origin + submit time)")
      ->required();
  cmd->add_option("--submit-column", opt->columns.submit, "Column of the submit times")
      ->capture_default_str();
  cmd->add_option("--gpus-column", opt->columns.gpus, "Column of the GPUs per job")
      ->capture_default_str();
  cmd->add_option("--duration-column", opt->columns.duration, "Column of the durations")
      ->capture_default_str();
  cmd->add_option("--time-unit-seconds", opt->columns.time_unit_seconds,
                  "Seconds in one unit of the submit and duration columns")
      ->capture_default_str();
  cmd->add_option("--from", opt->from,
                  "Fit the jobs submitted from this clock time on (default: the first submit)");
  cmd->add_option("--until", opt->until,
                  "Fit the jobs submitted up to this clock time (default: the last submit)");
  cmd->add_option("--id", opt->id, "The stream's id in the section")->capture_default_str();
  cmd->add_option("--class", opt->stream_class,
                  "Where the section goes: workloads.rentals or workloads.training.experiments")
      ->check(CLI::IsMember({"rentals", "experiments"}))
      ->capture_default_str();
  cmd->add_option("--holdout", opt->holdout_days,
                  "Fit on the jobs before the last DAYS days of the window and check the "
                  "predicted hourly counts on those days");
  cmd->add_option("--fit-date", opt->fit_date,
                  "The date named in the section's description (default: today, UTC)");
  cmd->add_option("--out", opt->out,
                  "Write {\"section\", \"fit\"} (the goodness of fit) to this JSON file instead of "
                  "printing the section");
  cmd->callback([opt] { fit_jobs_command(*opt); });
}

}  // namespace aidc::cli
