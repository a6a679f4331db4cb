#include "aidc/run/run.hpp"

#include "aidc/run/output.hpp"

namespace aidc {

std::string RunOnce::timeseries_csv(const Scenario& scenario) const {
  return aidc::timeseries_csv(scenario, result, statements());
}

RunOnce run_once(const Scenario& scenario, std::uint64_t replication,
                 const std::function<void(double)>& progress) {
  RunOnce out;
  out.result = simulate(scenario, replication, progress);
  if (scenario.finance) out.finance = compute_finance(scenario, out.result);
  out.summary = summary_json(scenario, out.result, out.statements());
  return out;
}

}  // namespace aidc
