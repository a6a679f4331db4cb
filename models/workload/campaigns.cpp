// Training campaigns: gangs that need all their GPUs at once, in the order of a DAG. A gang
// computes between checkpoints, each of which takes time to write. A failure loses the work
// since the last checkpoint (or the stated share of it), and the gang swaps in a hot spare or
// waits for a replacement, then restarts. What a gang does not compute (lost work, stalls,
// restarts, checkpoint writes, spares held) is charged to the pools as training lost.

#include <numeric>

#include "aidc/training/campaign_graph.hpp"
#include "checkpoints.hpp"
#include "kernel.hpp"

namespace aidc::kernel {

namespace {

constexpr WorkClass kTraining = WorkClass::training;

enum class State { blocked, ready, running, finished };

struct Campaign {
  const CampaignSpec* spec = nullptr;
  State state = State::blocked;
  std::vector<std::int64_t> gang;   // GPUs computing, per pool
  std::vector<std::int64_t> spare;  // hot spares held, per pool
  std::int64_t held = 0;            // the gang's GPUs (spares apart)
  std::int64_t spares = 0;
  std::int64_t missing = 0;  // GPUs lost to failures and not yet replaced
  CheckpointCycle cycle;
  std::int64_t writes_charged = 0;   // checkpoint-write seconds of this progress, charged
  std::int64_t spares_settled = 0;   // spares are charged up to here
  std::int64_t useful_seconds = 0;   // wall seconds of compute kept
  double work_done = 0;              // H100-equivalent GPU-hours saved at the last checkpoint
  double rate = 0;                   // H100-equivalent GPU-hours per hour at the full gang
  std::int64_t progress_since = -1;  // progressing since; -1 while stalled or restarting
  std::int64_t stalled_since = -1;   // not progressing since (restart or missing GPUs)
  EventId completion{};
  EventId resume{};
  std::size_t pending_parents = 0;
  CampaignStats stats;
};

class Campaigns final : public Workload {
 public:
  explicit Campaigns(Kernel& k) : Workload(k) {
    for (const auto& spec : k.scenario.campaigns) {
      Campaign c;
      c.spec = &spec;
      c.gang.assign(k.fleet.size(), 0);
      c.spare.assign(k.fleet.size(), 0);
      c.cycle.interval = std::max<std::int64_t>(1, to_seconds(spec.checkpoint_hours));
      c.cycle.write = to_seconds(spec.checkpoint_write_hours);
      c.pending_parents = spec.after.size();
      c.stats.id = spec.id;
      campaigns_.push_back(c);
    }
    plan();
    // By "priority", then file order: 0, 1, 2, ... within the training rank.
    std::vector<std::size_t> order(campaigns_.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return campaigns_[a].spec->priority < campaigns_[b].spec->priority;
    });
    rank_.assign(campaigns_.size(), 0);
    for (std::size_t i = 0; i < order.size(); ++i) rank_[order[i]] = static_cast<int>(i);
  }

  std::vector<WorkClass> classes() const override { return {kTraining}; }
  bool needs_reconcile() const override { return !campaigns_.empty(); }
  void start() override {
    for (std::size_t i = 0; i < campaigns_.size(); ++i) {
      if (campaigns_[i].pending_parents == 0) schedule_ready(i);
    }
  }

  /// A campaign ready to start, or short of GPUs, asks for its whole gang or what it misses;
  /// a running one short of spares asks for them apart (index: campaigns + i).
  void demands(std::vector<Demand>& out, const std::vector<AllocPool>& free) override {
    for (std::size_t i = 0; i < campaigns_.size(); ++i) {
      const Campaign& c = campaigns_[i];
      const bool waiting = c.state == State::ready;
      const bool short_of_gpus = c.state == State::running && c.missing > 0;
      if (c.state == State::running && c.spares < c.spec->spares) {
        Demand d;
        d.want.id = "spares:" + c.spec->id;
        d.want.priority = k_.scenario.policy.rank(kTraining) * kRankLevel + rank_[i];
        d.want.demand = c.spec->spares - c.spares;
        d.want.internal = k_.scenario.policy.may_use_reserve[index(kTraining)];
        d.owner = this;
        d.index = campaigns_.size() + i;
        offer(out, free, k_.fleet.by_id(), std::move(d),
              [&](std::size_t p) { return may_use(c, p); });
      }
      if (!waiting && !short_of_gpus) continue;
      Demand d;
      d.want.id = "campaign:" + c.spec->id;
      d.want.priority = k_.scenario.policy.rank(kTraining) * kRankLevel + rank_[i];
      d.want.demand = waiting ? c.spec->gpus : c.missing;
      d.want.all_or_nothing = true;
      d.want.internal = k_.scenario.policy.may_use_reserve[index(kTraining)];
      d.owner = this;
      d.index = i;
      offer(out, free, k_.fleet.by_id(), std::move(d),
            [&](std::size_t p) { return may_use(c, p); });
    }
  }

  bool grant(const Demand& d, const std::vector<std::int64_t>& want) override;
  void fail(std::size_t p, WorkClass, std::int64_t pick) override {
    for (std::size_t i = 0; i < campaigns_.size(); ++i) {
      Campaign& c = campaigns_[i];
      if (pick < c.gang[p]) {
        if (c.spares > 0) {
          swap_in_spare(i, p);
        } else {
          lose(i, p, 1, true);
        }
        return;
      }
      pick -= c.gang[p];
      if (pick < c.spare[p]) {  // a spare failed: it goes down and is asked for again
        settle_spares(i);
        k_.fleet.move(p, held_by(kTraining), kDown, 1);
        --c.spare[p];
        --c.spares;
        k_.request_reconcile();
        return;
      }
      pick -= c.spare[p];
    }
  }
  void retire(std::size_t p) override {
    for (std::size_t i = 0; i < campaigns_.size(); ++i) {
      Campaign& c = campaigns_[i];
      if (c.spare[p] > 0) {
        settle_spares(i);
        k_.fleet.move(p, held_by(kTraining), kIdle, c.spare[p]);
        c.spares -= c.spare[p];
        c.spare[p] = 0;
      }
      if (c.gang[p] > 0) lose(i, p, c.gang[p], false);
    }
  }
  /// Stalls, checkpoint writes and spares spanning a period boundary are charged to each
  /// period they cover.
  void before_cut(bool period_end) override {
    if (!period_end) return;
    for (std::size_t i = 0; i < campaigns_.size(); ++i) {
      Campaign& c = campaigns_[i];
      if (c.state != State::running) continue;
      if (c.stalled_since >= 0) {
        charge_lost(i, k_.now() - c.stalled_since);
        c.stalled_since = k_.now();
      }
      settle_writes(i);
      settle_spares(i);
    }
  }
  void finish(RunResult& r) override {
    for (auto& c : campaigns_) {
      if (c.progress_since >= 0) {
        const std::int64_t compute = c.cycle.compute(k_.now() - c.progress_since);
        c.work_done += c.rate * sim::to_hours(sim::seconds(compute));
        c.useful_seconds += compute;
      }
      c.stats.work_done_fraction = std::min(1.0, c.work_done / c.spec->gpu_hours);
      if (c.stats.start_hours >= 0) {
        const double end = c.stats.finish_hours >= 0 ? c.stats.finish_hours
                                                     : sim::to_hours(k_.engine.now() - Time{});
        const double wall = end - c.stats.start_hours;
        c.stats.effective_training_time =
            wall > 0 ? sim::to_hours(sim::seconds(c.useful_seconds)) / wall : 0.0;
      }
      r.campaigns.push_back(c.stats);
    }
  }

 private:
  void plan();
  void schedule_ready(std::size_t i);
  void start_gang(std::size_t i, const std::vector<std::int64_t>& gang);
  void resume(std::size_t i);
  void settle_stall(std::size_t i);
  void charge_lost(std::size_t i, std::int64_t seconds);
  void stop_progress(std::size_t i);
  void lose(std::size_t i, std::size_t p, std::int64_t n, bool failure);
  void replace_missing(std::size_t i);
  void swap_in_spare(std::size_t i, std::size_t p);
  void settle_writes(std::size_t i);
  void settle_spares(std::size_t i);
  void schedule_restart(std::size_t i);
  void complete(std::size_t i);

  bool may_use(const Campaign& c, std::size_t p) const {
    return k_.fleet[p].in_service &&
           std::find(c.spec->pools.begin(), c.spec->pools.end(), p) != c.spec->pools.end() &&
           k_.scenario.policy.allows(kTraining, k_.scenario.pools[p].gpu);
  }
  /// Work per hour of the current gang, in H100-equivalent GPU-hours.
  double gang_rate(const Campaign& c) const {
    double rate = 0;
    for (std::size_t p = 0; p < k_.fleet.size(); ++p) {
      rate += static_cast<double>(c.gang[p]) * k_.fleet[p].type->training_factor;
    }
    return rate;
  }

  std::vector<Campaign> campaigns_;
  std::vector<int> rank_;
};

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

/// Charges the stall so far to the gang as it is, before the gang changes.
void Campaigns::settle_stall(std::size_t i) {
  Campaign& c = campaigns_[i];
  if (c.stalled_since < 0) return;
  charge_lost(i, k_.now() - c.stalled_since);
  c.stalled_since = k_.now();
}

/// Lost GPU-seconds of campaign i: `seconds` of its whole current gang.
void Campaigns::charge_lost(std::size_t i, std::int64_t seconds) {
  Campaign& c = campaigns_[i];
  for (std::size_t p = 0; p < k_.fleet.size(); ++p) {
    if (c.gang[p] == 0) continue;
    k_.fleet[p].advance(k_.now());
    k_.fleet[p].acc.training_lost += c.gang[p] * seconds;
  }
  c.stats.lost_gpu_seconds += c.held * seconds;
}

/// The campaign stops progressing: the work since the last checkpoint is lost (the stated
/// share of it, with a partial restart), and the checkpoint writes not yet charged are.
void Campaigns::stop_progress(std::size_t i) {
  Campaign& c = campaigns_[i];
  if (c.progress_since < 0) return;
  k_.engine.cancel(c.completion);
  const std::int64_t elapsed = k_.now() - c.progress_since;
  const std::int64_t unsaved = c.cycle.compute(elapsed) - c.cycle.saved(elapsed);
  const std::int64_t lost =
      c.spec->restart_scope >= 1.0
          ? unsaved
          : std::llround(c.spec->restart_scope * static_cast<double>(unsaved));
  const std::int64_t kept = c.cycle.compute(elapsed) - lost;
  c.work_done += c.rate * sim::to_hours(sim::seconds(kept));
  c.useful_seconds += kept;
  settle_writes(i);
  charge_lost(i, lost);
  c.progress_since = -1;
  c.stalled_since = k_.now();
}

/// Charges the gang's checkpoint writes of the current progress up to now.
void Campaigns::settle_writes(std::size_t i) {
  Campaign& c = campaigns_[i];
  if (c.progress_since < 0 || c.cycle.write == 0) return;
  const std::int64_t writing = c.cycle.writing(k_.now() - c.progress_since);
  if (writing == c.writes_charged) return;
  const std::int64_t before = c.stats.lost_gpu_seconds;
  charge_lost(i, writing - c.writes_charged);
  c.stats.checkpoint_gpu_seconds += c.stats.lost_gpu_seconds - before;
  c.writes_charged = writing;
}

/// Charges the spares held since the last settlement, as training lost.
void Campaigns::settle_spares(std::size_t i) {
  Campaign& c = campaigns_[i];
  const std::int64_t dt = k_.now() - c.spares_settled;
  c.spares_settled = k_.now();
  if (c.spares == 0 || dt == 0) return;
  for (std::size_t p = 0; p < k_.fleet.size(); ++p) {
    if (c.spare[p] == 0) continue;
    k_.fleet[p].advance(k_.now());
    k_.fleet[p].acc.training_lost += c.spare[p] * dt;
  }
  c.stats.lost_gpu_seconds += c.spares * dt;
  c.stats.spare_gpu_seconds += c.spares * dt;
}

/// A gang GPU on pool p failed and a hot spare takes its place at once (one on the same pool
/// when there is one): the gang loses its work since the checkpoint and restarts.
void Campaigns::swap_in_spare(std::size_t i, std::size_t p) {
  Campaign& c = campaigns_[i];
  stop_progress(i);
  settle_stall(i);
  settle_spares(i);
  if (k_.in_window(k_.now())) ++c.stats.failures;
  k_.engine.cancel(c.resume);
  k_.fleet.move(p, held_by(kTraining), kDown, 1);
  --c.gang[p];
  std::size_t q = p;
  if (c.spare[q] == 0) {
    for (const std::uint32_t r : k_.fleet.by_id()) {
      if (c.spare[r] > 0) {
        q = r;
        break;
      }
    }
  }
  --c.spare[q];
  --c.spares;
  ++c.gang[q];
  k_.request_reconcile();  // a new spare
  schedule_restart(i);
}

/// Campaign i loses `n` GPUs of pool p: one failed (it goes down), or the pool retired.
void Campaigns::lose(std::size_t i, std::size_t p, std::int64_t n, bool failure) {
  Campaign& c = campaigns_[i];
  stop_progress(i);
  settle_stall(i);
  if (failure && k_.in_window(k_.now())) ++c.stats.failures;
  k_.engine.cancel(c.resume);
  k_.fleet.move(p, held_by(kTraining), failure ? kDown : kIdle, n);
  c.gang[p] -= n;
  c.held -= n;
  c.missing += n;
  // Replacements come from idle GPUs of eligible pools at once when there are any.
  replace_missing(i);
  if (c.missing > 0) {
    k_.request_reconcile();
    return;
  }
  schedule_restart(i);
}

/// Replacements for failed gang GPUs: idle GPUs of eligible pools first, then GPUs that
/// serve a level class ranked below training (inference, api; the lowest ranked first), which
/// gives way at once and is rebalanced at the next reconcile. What is still missing waits for
/// the allocator.
void Campaigns::replace_missing(std::size_t i) {
  Campaign& c = campaigns_[i];
  const auto& policy = k_.scenario.policy;
  std::vector<Slot> sources{kIdle};
  for (auto it = policy.order.rbegin(); it != policy.order.rend(); ++it) {
    if (policy.rank(*it) < policy.rank(kTraining)) break;
    if (info(*it).level) sources.push_back(held_by(*it));
  }
  for (const Slot from : sources) {
    for (const std::uint32_t p : k_.fleet.by_id()) {
      if (c.missing == 0) return;
      if (!may_use(c, p)) continue;
      const Pool& pool = k_.fleet[p];
      const std::int64_t available = from == kIdle ? pool.idle - pool.claimed : pool.held[from];
      const std::int64_t take = std::min(c.missing, available);
      if (take <= 0) continue;
      settle_stall(i);
      k_.fleet.move(p, from, held_by(kTraining), take);
      c.gang[p] += take;
      c.held += take;
      c.missing -= take;
    }
  }
}

void Campaigns::schedule_restart(std::size_t i) {
  Campaign& c = campaigns_[i];
  c.resume = k_.engine.schedule_in(sim::seconds(to_seconds(c.spec->restart_hours)),
                                   [this, i](Engine&) { resume(i); });
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

}  // namespace

std::unique_ptr<Workload> make_campaigns(Kernel& k) { return std::make_unique<Campaigns>(k); }

}  // namespace aidc::kernel
