#pragma once
// Each subcommand lives in its own file and registers itself on the app here.

#include <CLI/CLI.hpp>

namespace aidc::cli {

void setup_run_command(CLI::App& app);
void setup_validate_command(CLI::App& app);
void setup_schema_command(CLI::App& app);
void setup_models_command(CLI::App& app);
void setup_compare_command(CLI::App& app);
void setup_sweep_command(CLI::App& app);
void setup_optimize_command(CLI::App& app);
void setup_report_command(CLI::App& app);
void setup_fit_command(CLI::App& app);

}  // namespace aidc::cli
