#pragma once
/// One replication of a scenario, start to finish: the simulation, its statements and its
/// outputs. The one pipeline behind `aidc run`, replications, comparisons and sweeps.

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "aidc/finance/finance.hpp"
#include "aidc/workload/simulation.hpp"

namespace aidc {

struct RunOnce {
  RunResult result;
  std::optional<FinanceResult> finance;  // with a finance section
  nlohmann::ordered_json summary;        // summary.json

  const FinanceResult* statements() const { return finance ? &*finance : nullptr; }
  /// summary.json as written: two-space indents and a final newline.
  std::string summary_text() const { return summary.dump(2) + "\n"; }
  /// timeseries.csv.
  std::string timeseries_csv(const Scenario& scenario) const;
};

/// Simulates replication `replication` of `scenario` (reporting progress as simulate() does),
/// computes its statements when it has a finance section, and its summary.
RunOnce run_once(const Scenario& scenario, std::uint64_t replication,
                 const std::function<void(double)>& progress = {});

}  // namespace aidc
