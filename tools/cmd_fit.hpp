#pragma once

#include <CLI/CLI.hpp>

namespace aidc::cli {

/// Adds `jobs` to the `fit` subcommand: a job stream fitted to a job trace.
void setup_fit_jobs_command(CLI::App& fit);

}  // namespace aidc::cli
