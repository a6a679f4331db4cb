#pragma once
/// What experiments write: statistics as JSON, tables for the terminal, and CSV files with
/// stable column names that a spreadsheet, Python or R reads directly.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aidc/experiment/runner.hpp"
#include "aidc/experiment/statistics.hpp"

namespace aidc::experiment {

/// {"n", "mean", "sd", "ci95_low", "ci95_high"}; NaN becomes null.
nlohmann::ordered_json estimate_json(const Estimate& e);

/// {"count": N, "confidence": 0.95, "metrics": {name: estimate}} for every metric.
nlohmann::ordered_json replications_json(const ReplicationSet& set);

/// replications.csv: "replication" then one column per metric, one row per replication.
std::string replications_csv(const ReplicationSet& set);

/// A number for CSV: the shortest text that reads back to the same double; "" for NaN.
std::string csv_number(double x);

/// The metrics a person looks at first, in this order, where a run has them.
const std::vector<std::string>& headline_metrics();

/// "mean ± half-width" with a precision suited to the magnitude.
std::string format_estimate(const Estimate& e);

/// The terminal table of the headline metrics of `set`.
std::string replications_table(const ReplicationSet& set);

}  // namespace aidc::experiment
