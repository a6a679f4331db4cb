// aidc: the command-line shell over the library. Exit codes: 0 success, 1 internal
// error (a bug: report it), 2 bad input or bad usage.

#include <fmt/format.h>

#include <exception>

#include "aidc/scenario/data_paths.hpp"
#include "aidc/scenario/errors.hpp"
#include "commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"aidc: discrete-event simulator of AI-datacenter utilization economics"};
  app.require_subcommand(1);
  app.set_version_flag("--version", AIDC_VERSION);
  // A subcommand passes the options it does not know to here, so the flag may follow it.
  app.fallthrough();
  app.add_flag_callback(
         "--allow-outside-paths", [] { aidc::allow_outside_paths(true); },
         "Let scenarios name data files (traces, CSVs) outside their own folder")
      ->trigger_on_parse();
  aidc::cli::setup_run_command(app);
  aidc::cli::setup_validate_command(app);
  aidc::cli::setup_schema_command(app);
  aidc::cli::setup_models_command(app);
  aidc::cli::setup_compare_command(app);
  aidc::cli::setup_sweep_command(app);
  aidc::cli::setup_optimize_command(app);
  aidc::cli::setup_report_command(app);
  aidc::cli::setup_fit_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  } catch (const aidc::ScenarioError& e) {
    fmt::print(stderr, "{}", e.report());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "internal error: {}\n", e.what());
    return 1;
  }
  return 0;
}
