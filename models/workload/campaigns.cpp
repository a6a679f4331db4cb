// Training campaigns from plan to completion: the plan (critical path), readiness, grants of
// the gang and its spares, starts, progress and completion (campaigns.hpp).

#include "campaigns.hpp"

#include "aidc/training/campaign_graph.hpp"

namespace aidc::kernel {

/// The plan: the critical path with unlimited GPUs on each campaign's fastest eligible type
/// and no failures.
void Campaigns::plan() {
  if (campaigns_.empty()) return;
  const Scenario& s = k_.scenario;
  std::vector<CampaignNode> nodes;
  for (const auto& c : campaigns_) {
    CampaignNode n;
    n.id = c.spec->id;
    double factor = 0;
    for (std::size_t p = 0; p < k_.fleet.size(); ++p) {
      const bool eligible =
          std::find(c.spec->pools.begin(), c.spec->pools.end(), p) != c.spec->pools.end() &&
          s.policy.allows(kTraining, s.pools[p].gpu);
      if (eligible) factor = std::max(factor, k_.fleet[p].type->training_factor);
    }
    n.duration_hours =
        c.spec->gpu_hours / static_cast<double>(c.spec->gpus) / (factor > 0 ? factor : 1.0);
    n.earliest_start_hours = sim::to_hours(c.spec->earliest_start - Time{});
    for (const std::size_t a : c.spec->after) n.after.push_back(s.campaigns[a].id);
    nodes.push_back(n);
  }
  Diagnostics diag(s.file);
  const CampaignGraph graph(nodes, diag, "/workloads/training/campaigns");
  const CriticalPath path = graph.critical_path();
  for (std::size_t i = 0; i < campaigns_.size(); ++i) {
    campaigns_[i].stats.planned_start_hours = path.earliest_start_hours[i];
    campaigns_[i].stats.planned_finish_hours =
        path.earliest_start_hours[i] + nodes[i].duration_hours;
  }
}

void Campaigns::schedule_ready(std::size_t i) {
  const Time at = std::max(campaigns_[i].spec->earliest_start, k_.engine.now());
  if (at >= k_.scenario.horizon) return;
  k_.engine.schedule_at(at, [this, i](Engine&) {
    campaigns_[i].state = State::ready;
    k_.request_reconcile();  // after every campaign that becomes ready in this instant
  });
}

bool Campaigns::grant(const Demand& d, const std::vector<std::int64_t>& want) {
  const std::int64_t got = std::accumulate(want.begin(), want.end(), std::int64_t{0});
  if (got == 0) return false;
  const std::size_t n = k_.fleet.size();
  if (d.index >= campaigns_.size()) {
    // Spares: what is idle now; the rest is asked for again at the next reconcile.
    const std::size_t i = d.index - campaigns_.size();
    Campaign& c = campaigns_[i];
    settle_spares(i);
    for (std::size_t p = 0; p < n; ++p) {
      const std::int64_t take = std::min(want[p], k_.fleet[p].idle - k_.fleet[p].claimed);
      if (take <= 0) continue;
      k_.fleet.move(p, kIdle, held_by(kTraining), take);
      c.spare[p] += take;
      c.spares += take;
    }
    return false;
  }
  const std::size_t i = d.index;
  bool fits = true;
  for (std::size_t p = 0; p < n; ++p) {
    if (want[p] > k_.fleet[p].idle - k_.fleet[p].claimed) fits = false;
  }
  if (!fits) {
    // Promised, including GPUs freed during a notice.
    for (std::size_t p = 0; p < n; ++p) k_.fleet[p].claimed += want[p];
    return true;
  }
  Campaign& c = campaigns_[i];
  if (c.state == State::ready) {
    start_gang(i, want);
    return false;
  }
  settle_stall(i);
  for (std::size_t p = 0; p < n; ++p) {
    if (want[p] == 0) continue;
    k_.fleet.move(p, kIdle, held_by(kTraining), want[p]);
    c.gang[p] += want[p];
  }
  c.held += got;
  c.missing -= got;
  if (c.missing == 0) schedule_restart(i);
  return false;
}

void Campaigns::start_gang(std::size_t i, const std::vector<std::int64_t>& gang) {
  Campaign& c = campaigns_[i];
  for (std::size_t p = 0; p < k_.fleet.size(); ++p) {
    if (gang[p] == 0) continue;
    k_.fleet.move(p, kIdle, held_by(kTraining), gang[p]);
    c.gang[p] = gang[p];
  }
  c.held = c.spec->gpus;
  c.state = State::running;
  c.spares_settled = k_.now();
  c.stats.start_hours = sim::to_hours(k_.engine.now() - Time{});
  resume(i);
  if (c.spec->spares > 0) k_.request_reconcile();  // for its spares
}

/// Progress resumes (after a start, a restart, or a stall).
void Campaigns::resume(std::size_t i) {
  Campaign& c = campaigns_[i];
  if (c.stalled_since >= 0) {
    charge_lost(i, k_.now() - c.stalled_since);
    c.stalled_since = -1;
  }
  c.rate = gang_rate(c);
  c.progress_since = k_.now();
  c.writes_charged = 0;
  const double hours_left = (c.spec->gpu_hours - c.work_done) / c.rate;
  const std::int64_t at =
      k_.now() + c.cycle.wall_for(std::max<std::int64_t>(0, to_seconds(hours_left)));
  if (at < k_.scenario.horizon.seconds) {
    c.completion = k_.engine.schedule_at(Time{at}, [this, i](Engine&) { complete(i); });
  }
}

void Campaigns::complete(std::size_t i) {
  Campaign& c = campaigns_[i];
  settle_writes(i);
  settle_spares(i);
  c.useful_seconds += c.cycle.compute(k_.now() - c.progress_since);
  for (std::size_t p = 0; p < k_.fleet.size(); ++p) {
    if (c.spare[p] == 0) continue;
    k_.fleet.move(p, held_by(kTraining), kIdle, c.spare[p]);
    c.spare[p] = 0;
    k_.freed(static_cast<std::uint32_t>(p));
  }
  c.spares = 0;
  c.work_done = c.spec->gpu_hours;
  c.progress_since = -1;
  c.state = State::finished;
  c.stats.finish_hours = sim::to_hours(k_.engine.now() - Time{});
  for (std::size_t p = 0; p < k_.fleet.size(); ++p) {
    if (c.gang[p] == 0) continue;
    k_.fleet.move(p, held_by(kTraining), kIdle, c.gang[p]);
    c.gang[p] = 0;
    k_.freed(static_cast<std::uint32_t>(p));
  }
  c.held = 0;
  for (std::size_t j = 0; j < campaigns_.size(); ++j) {
    const auto& after = campaigns_[j].spec->after;
    if (std::find(after.begin(), after.end(), i) == after.end()) continue;
    if (--campaigns_[j].pending_parents == 0) schedule_ready(j);
  }
  k_.request_reconcile();
}

std::unique_ptr<Workload> make_campaigns(Kernel& k) { return std::make_unique<Campaigns>(k); }

}  // namespace aidc::kernel
