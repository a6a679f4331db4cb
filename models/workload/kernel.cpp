#include "kernel.hpp"

#include <algorithm>
#include <numeric>

namespace aidc::kernel {

Kernel::Kernel(const Scenario& s, std::uint64_t replication)
    : scenario(s), fleet(s, engine), replication_(replication) {
  result.scenario = s.name;
  result.seed = s.seed;
  result.replication = replication;
  result.window_begin = s.warmup;
  result.window_end = s.horizon;
}

Kernel::~Kernel() = default;

sim::Rng Kernel::stream(const std::string& name) const {
  return sim::make_stream(scenario.seed, replication_, name);
}

void Kernel::add(std::unique_ptr<Workload> workload) {
  for (const WorkClass c : workload->classes()) holders_[index(c)] = workload.get();
  if (workload->waits_for_gpus()) waiting_for_gpus_.push_back(workload.get());
  needs_reconcile_ = needs_reconcile_ || workload->needs_reconcile();
  workloads_.push_back(std::move(workload));
}

void Kernel::request_reconcile() {
  if (reconcile_pending_ || !needs_reconcile_) return;
  reconcile_pending_ = true;
  engine.schedule_at(
      engine.now(),
      [this](Engine&) {
        reconcile_pending_ = false;
        reconcile();
      },
      Priority::accounting);
}

void Kernel::schedule_tick(std::int64_t at) {
  if (at >= scenario.horizon.seconds) return;
  engine.schedule_at(Time{at}, [this](Engine&) {
    reconcile();
    schedule_tick(now() + std::max<std::int64_t>(1, to_seconds(scenario.policy.reconcile_hours)));
  });
}

// The reconcile ---------------------------------------------------------------------------
//
// Decides how the GPUs not pinned by non-preemptible work are shared among every demand:
// a min-cost flow over the pool-by-demand graph (allocate()), then applied: releases first,
// then grants in priority order; what cannot be granted until preempted jobs leave is
// claimed, and the reconcile runs again when their notice ends.
void Kernel::reconcile() {
  const std::int64_t t = now();
  const std::size_t n = fleet.size();
  std::vector<PoolRoom> pools(n);
  for (std::size_t p = 0; p < n; ++p) {
    const Pool& pool = fleet[p];
    std::int64_t pinned = 0;
    for (const auto& c : kWorkClasses) {
      if (!c.level && !scenario.policy.preemptible[index(c.id)]) pinned += pool.held[index(c.id)];
    }
    // GPUs of preempted jobs running out their notice count as free: they can be given (and
    // claimed) now, though they are taken only when the jobs leave. Pools go to the flow by
    // position, so eligibility and preference can name pools.
    pools[p].free =
        pool.in_service ? std::max<std::int64_t>(0, pool.installed - pool.down - pinned) : 0;
    pools[p].reserve = std::min(pools[p].free, pool.reserve);
  }
  std::vector<Demand> demands;
  for (const auto& w : workloads_) w->demands(demands, pools);
  for (std::size_t p = 0; p < n; ++p) fleet[p].claimed = 0;
  if (demands.empty()) return;
  std::vector<ClassWant> classes;
  classes.reserve(demands.size());
  for (const auto& d : demands) classes.push_back(d.want);
  // allocate() is a pure function: when neither the pools nor the demands changed since
  // the last reconcile (an hour without arrivals, departures or a new demand level), its
  // answer is the one already at hand.
  if (pools != last_pools_ || classes != last_classes_) {
    last_alloc_ = allocate(pools, classes);
    last_pools_ = std::move(pools);
    last_classes_ = std::move(classes);
  }
  const Allocation& alloc = last_alloc_;

  for (std::size_t e = 0; e < demands.size(); ++e)
    demands[e].owner->release(demands[e], alloc.gpus[e]);
  std::vector<std::size_t> order(demands.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return demands[a].want.priority < demands[b].want.priority;
  });
  bool waiting_for_notice = false;
  for (const std::size_t e : order) {
    if (demands[e].owner->grant(demands[e], alloc.gpus[e])) waiting_for_notice = true;
  }
  for (const auto& w : workloads_) w->after_grants();
  // GPUs given back (by inference, say) go to waiting work at once.
  for (const std::uint32_t p : fleet.by_id()) freed(p);
  const double notice_hours = scenario.policy.spot_notice_hours;
  if (waiting_for_notice && notice_hours > 0) {
    const std::int64_t at = t + to_seconds(notice_hours);
    if (at < scenario.horizon.seconds && at != notice_reconcile_at_) {
      notice_reconcile_at_ = at;
      engine.schedule_at(
          Time{at}, [this](Engine&) { reconcile(); }, Priority::accounting);
    }
  }
}

}  // namespace aidc::kernel
