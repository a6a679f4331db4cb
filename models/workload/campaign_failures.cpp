// What failures and retirements do to a training campaign: progress stops and the unsaved
// work is lost, a hot spare is swapped in or replacements are sought, and the gang restarts;
// and the accounting of what the gang did not compute (campaigns.hpp).

#include "campaigns.hpp"

namespace aidc::kernel {

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

}  // namespace aidc::kernel
