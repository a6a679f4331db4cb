#pragma once
/// One run of a scenario: the engine, the rental workload on the fleet, and the
/// accounting of GPU-seconds by state, period by period and pool by pool.

#include <cstdint>
#include <string>
#include <vector>

#include "aidc/scenario/scenario.hpp"

namespace aidc {

/// GPU-seconds by state; integers, so the states add up to `installed` exactly.
struct GpuSeconds {
  std::int64_t installed = 0;
  std::int64_t busy = 0;
  std::int64_t idle = 0;
  std::int64_t down = 0;
  GpuSeconds& operator+=(const GpuSeconds& o) {
    installed += o.installed;
    busy += o.busy;
    idle += o.idle;
    down += o.down;
    return *this;
  }
};

/// One reporting period of one pool.
struct PeriodRow {
  std::size_t period = 0;
  sim::Time begin{};
  sim::Time end{};
  std::size_t pool = 0;
  GpuSeconds gpu_seconds;
};

/// What happened to one rental stream within the statistics window. Requests are
/// counted when they arrive in the window: arrived = served + lost + reneged + waiting_at_end.
struct StreamStats {
  std::string id;
  std::int64_t arrived = 0;
  std::int64_t served = 0;     // started service
  std::int64_t lost = 0;       // found no room and would not wait
  std::int64_t reneged = 0;    // left the queue when their patience ran out
  std::int64_t preempted = 0;  // of the served, cut short when their pool retired
  std::int64_t waiting_at_end = 0;
  double mean_wait_hours = 0;  // over the served
  double p95_wait_hours = 0;   // nearest rank, over the served
  std::int64_t busy_gpu_seconds = 0;
  double mean_gpus_busy = 0;  // busy GPU-seconds / window seconds
};

struct RunResult {
  std::string scenario;
  std::uint64_t seed = 0;
  std::uint64_t replication = 0;
  std::uint64_t events_processed = 0;
  sim::Time window_begin{};
  sim::Time window_end{};
  std::vector<PeriodRow> rows;          // by period, then by pool in file order
  std::vector<GpuSeconds> pool_totals;  // by pool in file order
  GpuSeconds totals;
  std::vector<StreamStats> streams;  // in file order
};

/// Simulates `scenario` once. Replication r draws from streams seeded by (seed, r).
RunResult simulate(const Scenario& scenario, std::uint64_t replication = 0);

}  // namespace aidc
