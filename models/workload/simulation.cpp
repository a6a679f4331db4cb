// One run of a scenario: the kernel with its workloads, built from the scenario in the order
// they start, the ledger, and the engine's loop.

#include "aidc/workload/simulation.hpp"

#include "kernel.hpp"

namespace aidc {

GpuSeconds& GpuSeconds::operator+=(const GpuSeconds& o) {
  installed += o.installed;
  busy += o.busy;
  idle += o.idle;
  down += o.down;
  for (std::size_t c = 0; c < kClassCount; ++c) {
    by_class[c] += o.by_class[c];
    accrued_revenue_usd[c] += o.accrued_revenue_usd[c];
  }
  inference_served_gpu_hours += o.inference_served_gpu_hours;
  api_input_tokens += o.api_input_tokens;
  api_output_tokens += o.api_output_tokens;
  inference_demand_gpu_hours += o.inference_demand_gpu_hours;
  inference_unserved_gpu_hours += o.inference_unserved_gpu_hours;
  api_demand_tokens += o.api_demand_tokens;
  api_unserved_tokens += o.api_unserved_tokens;
  training_lost += o.training_lost;
  return *this;
}

RunResult simulate(const Scenario& scenario, std::uint64_t replication,
                   const std::function<void(double)>& progress) {
  using namespace kernel;
  Kernel k(scenario, replication);
  // The workloads, in the order they start: to add a kind, add its file and a line here.
  k.add(make_fleet_life(k));
  k.add(make_job_streams(k));
  k.add(make_contracts(k));
  k.add(make_campaigns(k));
  k.add(make_inference(k, WorkClass::inference));
  k.add(make_inference(k, WorkClass::api));
  Ledger ledger(k);

  for (const auto& w : k.workloads()) w->start();
  if (k.needs_reconcile()) k.schedule_tick(0);
  ledger.start();
  if (progress) {
    // In slices, reporting after each; the same events run in the same order as in one go.
    constexpr std::int64_t kSlices = 200;
    for (std::int64_t i = 1; i <= kSlices; ++i) {
      k.engine.run_until(Time{scenario.horizon.seconds * i / kSlices});
      progress(static_cast<double>(i) / kSlices);
    }
  } else {
    k.engine.run_until(scenario.horizon);
  }
  ledger.close_period();

  RunResult& r = k.result;
  r.events_processed = k.engine.events_processed();
  for (const auto& w : k.workloads()) w->finish(r);
  r.pool_totals.assign(k.fleet.size(), GpuSeconds{});
  for (const auto& row : r.rows) {
    r.pool_totals[row.pool] += row.gpu_seconds;
    r.totals += row.gpu_seconds;
  }
  return std::move(r);
}

}  // namespace aidc
