#pragma once
/// One run of a scenario: the engine, the workloads on the fleet (rentals, contracts,
/// experiments, training campaigns, inference), the allocation policy, fleet life, and
/// the accounting of GPU-seconds by state, period by period and pool by pool.

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "aidc/scenario/scenario.hpp"

namespace aidc {

/// GPU-seconds by state; integers, so the states add up to `installed` exactly:
/// installed = idle + down + busy, and busy = the sum over classes.
struct GpuSeconds {
  std::int64_t installed = 0;
  std::int64_t busy = 0;
  std::int64_t idle = 0;
  std::int64_t down = 0;
  std::array<std::int64_t, kClassCount> by_class{};
  /// Of by_class[training]: GPU-seconds of work lost to failures, restarts and stalls.
  std::int64_t training_lost = 0;
  /// Revenue accrued in the run for classes priced when a job or contract starts
  /// (PricingModel::priced_at_start()), USD.
  std::array<double, kClassCount> accrued_revenue_usd{};
  /// Inference work served on this pool, in H100-equivalent GPU-hours: its inference GPUs
  /// times their `inference_factor`, scaled down pro rata when the fleet's inference GPUs
  /// could serve more than the demand.
  double inference_served_gpu_hours = 0;
  /// Tokens the pool served to outside model-access customers (class `api`), input and output.
  double api_input_tokens = 0;
  double api_output_tokens = 0;
  /// The class's demand attributed to this pool, and the part of it left unserved: the
  /// demand of each stretch between changes is shared among the pools in proportion to what
  /// each served in it (when nothing was served: to the eligible pools in service by their
  /// capacity, GPUs times what a GPU serves; else to the eligible pools by capacity; else to
  /// every pool alike), so the pools add up to the class's totals. Inference in
  /// H100-equivalent GPU-hours, `api` in tokens (input and output together).
  double inference_demand_gpu_hours = 0;
  double inference_unserved_gpu_hours = 0;
  double api_demand_tokens = 0;
  double api_unserved_tokens = 0;
  GpuSeconds& operator+=(const GpuSeconds& o);
};

/// One reporting period of one pool.
struct PeriodRow {
  std::size_t period = 0;
  sim::Time begin{};
  sim::Time end{};
  std::size_t pool = 0;
  GpuSeconds gpu_seconds;
  std::size_t row = 0;  // for a segment: the index of its reporting row in RunResult::rows
};

/// What happened to one stream of job requests (a rental or experiment stream) within the
/// statistics window. Requests are counted when they arrive in the window:
/// arrived = served + lost + refused + declined + reneged + waiting_at_end.
struct StreamStats {
  std::string id;
  WorkClass work_class = WorkClass::on_demand;
  std::int64_t arrived = 0;
  std::int64_t served = 0;     // started
  std::int64_t lost = 0;       // found no room and would not wait
  std::int64_t refused = 0;    // larger than any eligible pool in service could ever hold
  std::int64_t declined = 0;   // walked away: the quoted price was above what they would pay
  std::int64_t reneged = 0;    // left the queue when their patience ran out
  std::int64_t preempted = 0;  // of the served, cut short (policy, failure or retirement)
  std::int64_t evicted = 0;    // of the preempted, by the policy for higher-ranked work
  std::int64_t waiting_at_end = 0;
  double mean_wait_hours = 0;          // over the served
  double p95_wait_hours = 0;           // nearest rank, over the served
  double mean_reneged_wait_hours = 0;  // over the reneged: the time they waited before leaving
  std::int64_t busy_gpu_seconds = 0;
  std::int64_t preempted_gpu_seconds = 0;  // GPU-time the preempted did not get to run
  double mean_gpus_busy = 0;               // busy GPU-seconds / window seconds
};

/// One training campaign's schedule and losses.
struct CampaignStats {
  std::string id;
  double planned_start_hours = 0;  // critical path with unlimited GPUs
  double planned_finish_hours = 0;
  double start_hours = -1;   // -1: never started
  double finish_hours = -1;  // -1: not finished within the horizon
  std::int64_t failures = 0;
  std::int64_t held_gpu_seconds = 0;
  std::int64_t lost_gpu_seconds = 0;
  double work_done_fraction = 0;
  /// Useful training time over the wall-clock time from its start to its finish (or the
  /// horizon): the share not lost to failures, restarts, stalls and checkpoint writes.
  double effective_training_time = 0;
  std::int64_t checkpoint_gpu_seconds = 0;  // of lost: the gang's time writing checkpoints
  std::int64_t spare_gpu_seconds = 0;       // of lost: held as hot spares, doing no work
};

/// The fleet's inference demand and service between two cuts of the run (period ends and
/// price steps), in H100-equivalent GPU-hours.
struct InferencePiece {
  sim::Time begin{};
  sim::Time end{};
  double demand_gpu_hours = 0;
  double served_gpu_hours = 0;
};

/// Outside model access (class `api`) between two cuts of the run, in tokens: what customers
/// asked for and what the fleet served, input and output apart.
struct TokenPiece {
  sim::Time begin{};
  sim::Time end{};
  double demand_input_tokens = 0;
  double demand_output_tokens = 0;
  double served_input_tokens = 0;
  double served_output_tokens = 0;
};

struct RunResult {
  std::string scenario;
  std::uint64_t seed = 0;
  std::uint64_t replication = 0;
  std::uint64_t events_processed = 0;
  sim::Time window_begin{};
  sim::Time window_end{};
  std::vector<PeriodRow> rows;  // by period, then by pool in id order
  /// The rows cut finer where a price steps (the finance layer prices each piece at one
  /// price); without price steps, one segment per row.
  std::vector<PeriodRow> segments;
  std::vector<GpuSeconds> pool_totals;  // by pool in id order
  GpuSeconds totals;
  std::vector<StreamStats> streams;  // in id order
  std::vector<CampaignStats> campaigns;
  std::int64_t gpu_failures = 0;
  double inference_demand_gpu_hours = 0;  // H100-equivalent GPU-hours over the window
  double inference_served_gpu_hours = 0;
  double inference_unserved_gpu_hours = 0;
  /// The demand and service of each piece of the window, in time order; empty without
  /// inference workloads.
  std::vector<InferencePiece> inference_pieces;
  /// The same for model access sold by the token, in tokens; empty without `api` workloads.
  std::vector<TokenPiece> api_pieces;
};

/// Simulates `scenario` once. Replication r draws from streams seeded by (seed, r). With
/// `progress`, it is called with the simulated fraction of the horizon, 200 times in a run;
/// the result is the same with or without it.
RunResult simulate(const Scenario& scenario, std::uint64_t replication = 0,
                   const std::function<void(double)>& progress = {});

}  // namespace aidc
