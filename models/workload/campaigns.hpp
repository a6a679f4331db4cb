#pragma once
// Training campaigns: gangs that need all their GPUs at once, in the order of a DAG. A gang
// computes between checkpoints, each of which takes time to write. A failure loses the work
// since the last checkpoint (or the stated share of it), and the gang swaps in a hot spare or
// waits for a replacement, then restarts. What a gang does not compute (lost work, stalls,
// restarts, checkpoint writes, spares held) is charged to the pools as training lost.
// The class is declared here; campaigns.cpp defines its life from plan to completion, and
// campaign_failures.cpp what a failure or a retirement does to it.

#include <numeric>

#include "checkpoints.hpp"
#include "kernel.hpp"

namespace aidc::kernel {

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
  void demands(std::vector<Demand>& out, const std::vector<PoolRoom>& free) override {
    for (std::size_t i = 0; i < campaigns_.size(); ++i) {
      const Campaign& c = campaigns_[i];
      const auto eligible = [&](std::size_t p) { return may_use(c, p); };
      // Both of a campaign's demands rank as it does and prefer its fastest GPUs.
      const auto put = [&](Demand d) {
        d.want.priority = k_.scenario.policy.rank(kTraining) * kRankLevel + rank_[i];
        d.want.internal = k_.scenario.policy.may_use_reserve[index(kTraining)];
        d.owner = this;
        eligible_pools(d.want, free, eligible);
        prefer_fastest(
            d.want, [&](std::size_t p) { return k_.fleet[p].type->training_factor; },
            kTrainingPreferenceWeight);
        submit(out, std::move(d));
      };
      if (c.state == State::running && c.spares < c.spec->spares) {
        Demand d;
        d.want.demand = c.spec->spares - c.spares;
        d.index = campaigns_.size() + i;
        put(std::move(d));
      }
      const bool waiting = c.state == State::ready;
      const bool short_of_gpus = c.state == State::running && c.missing > 0;
      if (!waiting && !short_of_gpus) continue;
      Demand d;
      d.want.demand = waiting ? c.spec->gpus : c.missing;
      d.want.all_or_nothing = true;
      d.index = i;
      put(std::move(d));
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

}  // namespace aidc::kernel
