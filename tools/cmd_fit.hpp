#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace aidc::cli {

/// Adds `jobs` to the `fit` subcommand: a job stream fitted to a job trace.
void setup_fit_jobs_command(CLI::App& fit);

/// Today's date in UTC, YYYY-MM-DD: the date a fit's description gives.
std::string today_utc();

}  // namespace aidc::cli
