#pragma once
/// Experiments wrap whole runs and never reach inside them: a run of a scenario becomes a
/// flat list of named metrics, and many runs go in parallel with their results placed by
/// index, so the outcome does not depend on the number of threads.

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aidc/scenario/scenario.hpp"

namespace aidc::experiment {

/// The numeric leaves of a run's summary.json, named by their path with "_" between keys
/// (finance.npv_usd becomes finance_npv_usd; other characters than letters, digits and "_"
/// become "_"). A null leaf, such as an IRR that does not exist, is NaN. The run's identity
/// (seed, replication, window, event count) is not a metric.
struct Metrics {
  std::vector<std::string> names;
  std::vector<double> values;
};
Metrics flatten_metrics(const nlohmann::ordered_json& summary);
/// The values of `columns` in `m`, in that order; NaN for a metric `m` lacks.
std::vector<double> metric_values(const Metrics& m, const std::vector<std::string>& columns);

/// One replication of `scenario`: simulate, compute the statements, flatten the summary.
Metrics run_metrics(const Scenario& scenario, std::uint64_t replication);

/// One replication in full: its metrics, summary.json and timeseries.csv.
struct RunOutputs {
  Metrics metrics;
  std::string summary_json;
  std::string timeseries_csv;
};
RunOutputs run_outputs(const Scenario& scenario, std::uint64_t replication);

/// Runs work(i) for every i in [0, count) on `threads` workers (0: one per core). After
/// each item, done(completed) is called on one thread at a time. If some item throws, no
/// new items start and the exception of the lowest index is rethrown.
void parallel_for(std::size_t count, unsigned threads, const std::function<void(std::size_t)>& work,
                  const std::function<void(std::size_t)>& done = {});

/// The number of workers `threads` stands for (0: the number of cores, at least 1).
unsigned worker_count(unsigned threads);

/// Replications 0..n-1 of one scenario: values[r][m] is metric m of replication r.
struct ReplicationSet {
  std::vector<std::string> names;
  std::vector<std::vector<double>> values;
  /// Metric m over the replications.
  std::vector<double> column(std::size_t m) const;
};
ReplicationSet run_replications(const Scenario& scenario, std::size_t replications,
                                unsigned threads, std::uint64_t first_replication = 0);

}  // namespace aidc::experiment
