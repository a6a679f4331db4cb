#pragma once
// The fleet: counts of GPUs by pool, state and class, and their integrals over time. It is
// the only code that changes a count, and it integrates before every change, so no change
// can escape the accounting.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

#include "aidc/sim/engine.hpp"
#include "aidc/sim/rng.hpp"
#include "aidc/workload/simulation.hpp"

namespace aidc::kernel {

/// Where a GPU is: held by a class (0 .. kClassCount - 1), idle or down.
using Slot = std::size_t;
inline constexpr Slot kIdle = kClassCount;
inline constexpr Slot kDown = kClassCount + 1;
inline constexpr Slot held_by(WorkClass c) { return index(c); }

/// One pool's GPUs by state, and their integrals since the last cut.
/// Invariant: installed == idle + down + sum(held).
struct Pool {
  const PoolSpec* spec = nullptr;
  const GpuType* type = nullptr;
  std::int64_t installed = 0;
  std::int64_t idle = 0;
  std::int64_t down = 0;
  std::array<std::int64_t, kClassCount> held{};
  std::int64_t reserve = 0;  // idle GPUs outside customers may not take
  std::int64_t claimed = 0;  // idle GPUs promised to waiting higher-priority work
  std::int64_t last = 0;     // integrated up to here
  GpuSeconds acc;
  std::array<double, kClassCount> usd_per_hour{};  // revenue rate of work priced at its start
  bool in_service = false;

  std::int64_t& count(Slot s) { return s == kIdle ? idle : s == kDown ? down : held[s]; }
  std::int64_t busy() const {
    std::int64_t sum = 0;
    for (const auto h : held) sum += h;
    return sum;
  }

  /// Integrates the counts from `last` to `now`.
  void advance(std::int64_t now) {
    const std::int64_t dt = now - last;
    if (dt == 0) return;
    acc.installed += installed * dt;
    acc.idle += idle * dt;
    acc.down += down * dt;
    for (std::size_t c = 0; c < kClassCount; ++c) {
      acc.by_class[c] += held[c] * dt;
      acc.busy += held[c] * dt;
      acc.accrued_revenue_usd[c] += usd_per_hour[c] * static_cast<double>(dt) / 3600.0;
    }
    last = now;
  }
};

class Fleet {
 public:
  Fleet(const Scenario& s, const sim::Engine& engine);

  std::size_t size() const { return pools_.size(); }
  Pool& operator[](std::size_t p) { return pools_[p]; }
  const Pool& operator[](std::size_t p) const { return pools_[p]; }
  /// Pool indices in the order of their ids, the order every choice among pools follows.
  const std::vector<std::uint32_t>& by_id() const { return by_id_; }

  /// Moves `n` GPUs of pool p from one slot to another, integrating first.
  void move(std::size_t p, Slot from, Slot to, std::int64_t n) {
    notify(from, to);
    Pool& pool = pools_[p];
    pool.advance(now());
    pool.count(from) -= n;
    pool.count(to) += n;
  }
  /// Pool p enters service: all its GPUs idle, the outside customers' reserve set.
  void install(std::size_t p, double reserve_fraction);
  /// Pool p leaves service with whatever it still counts; nothing may move onto it.
  void close(std::size_t p);
  /// Sets or changes the revenue rate of class c's start-priced work on pool p.
  void set_revenue_rate(std::size_t p, WorkClass c, double usd_per_hour) {
    pools_[p].advance(now());
    pools_[p].usd_per_hour[index(c)] = usd_per_hour;
  }
  void add_revenue_rate(std::size_t p, WorkClass c, double usd_per_hour) {
    pools_[p].advance(now());
    pools_[p].usd_per_hour[index(c)] += usd_per_hour;
  }
  /// GPUs of pool p that work of class c may take now: idle, less claims, less the reserve
  /// for the classes the policy keeps out of it, and no more than the class's cap.
  std::int64_t room(std::size_t p, WorkClass c) const {
    const Pool& pool = pools_[p];
    const std::size_t i = index(c);
    const std::int64_t free = pool.idle - pool.claimed - (may_use_reserve_[i] ? 0 : pool.reserve);
    if (max_share_[i] >= 1.0) return free;
    const auto cap = static_cast<std::int64_t>(
        std::floor(max_share_[i] * static_cast<double>(pool.installed) + 1e-9));
    return std::min(free, cap - pool.held[i]);
  }
  /// The most GPUs of pool p that work of class c could ever hold as the pool stands: all its
  /// GPUs, less the reserve for the classes the policy keeps out of it, within the class's cap.
  std::int64_t capacity(std::size_t p, WorkClass c) const {
    const Pool& pool = pools_[p];
    const std::size_t i = index(c);
    const std::int64_t most = pool.installed - (may_use_reserve_[i] ? 0 : pool.reserve);
    if (max_share_[i] >= 1.0) return most;
    return std::min(most, static_cast<std::int64_t>(std::floor(
                              max_share_[i] * static_cast<double>(pool.installed) + 1e-9)));
  }
  /// The busy share of the working GPUs of `pools`.
  double utilization(const std::vector<std::uint32_t>& pools) const;

  /// Called before any GPU of class c moves (the inference workload integrates its service).
  void watch(WorkClass c, std::function<void()> before_change) {
    watchers_[index(c)] = std::move(before_change);
    watched_ = true;
  }

 private:
  std::int64_t now() const { return engine_->now().seconds; }
  void notify(Slot from, Slot to) {
    if (!watched_) return;
    if (from < kClassCount && watchers_[from]) watchers_[from]();
    if (to < kClassCount && watchers_[to]) watchers_[to]();
  }

  const sim::Engine* engine_;
  std::vector<Pool> pools_;
  std::vector<std::uint32_t> by_id_;
  std::array<std::function<void()>, kClassCount> watchers_;
  bool watched_ = false;
  ClassFlags may_use_reserve_{};
  std::array<double, kClassCount> max_share_{};
};

}  // namespace aidc::kernel
