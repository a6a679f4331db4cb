#pragma once
// The simulation kernel: the engine, the fleet and the result that every workload shares,
// the Workload interface each kind of work implements, and the steps that involve them all
// (the reconcile, kernel.cpp; the ledger of GPU-seconds, ledger.cpp). A workload changes
// GPU counts only through the fleet.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "aidc/policy/allocator.hpp"
#include "aidc/pricing/pricing.hpp"
#include "fleet.hpp"

namespace aidc::kernel {

using sim::Engine;
using sim::EventId;
using sim::Priority;
using sim::Time;

/// A whole number from a double, saturated at +-1e18 (the loader's ranges keep real values far
/// below; a distribution's far tail must still not overflow the cast).
inline std::int64_t saturated(double x) {
  constexpr double kLimit = 1e18;
  return static_cast<std::int64_t>(std::clamp(x, -kLimit, kLimit));
}
inline std::int64_t to_seconds(double hours) {
  return saturated(std::round(hours * sim::kSecondsPerHour));
}

class Workload;

/// One demand a workload puts to the reconcile, and whose answer goes back to it.
struct Demand {
  ClassWant want;
  Workload* owner = nullptr;
  std::size_t index = 0;  // the owner's own: a campaign, a contract, a class
};

/// The pools that `eligible(p)` accepts and that have free GPUs, in position order, as the
/// pools `want` may use (no cost, no cap).
template <class Eligible>
void eligible_pools(ClassWant& want, const std::vector<PoolRoom>& free, Eligible&& eligible) {
  for (std::size_t p = 0; p < free.size(); ++p) {
    if (eligible(p) && free[p].free > 0) want.uses.push_back({static_cast<std::uint32_t>(p)});
  }
}

/// Adds `d` to `out` when it wants GPUs and may use some pool.
inline void submit(std::vector<Demand>& out, Demand d) {
  if (d.want.uses.empty() || d.want.demand <= 0) return;
  out.push_back(std::move(d));
}

/// Adds `d` for the pools that `eligible(p)` accepts and that have free GPUs.
template <class Eligible>
void offer(std::vector<Demand>& out, const std::vector<PoolRoom>& free, Demand d,
           Eligible&& eligible) {
  eligible_pools(d.want, free, eligible);
  submit(out, std::move(d));
}

/// How much more a campaign's preference for fast GPUs weighs than inference's, so that a
/// gang keeps the fastest GPUs and inference takes the next fastest. Preference costs are
/// ranks (fewer than this many distinct speeds), so the weighted costs stay small and exact.
inline constexpr std::int64_t kTrainingPreferenceWeight = 64;

/// Sets the flow's preference among the pools `want` may use: the fastest first. A pool's
/// cost per GPU is `weight` times the number of distinct faster `rate(p)` among those pools
/// (0 for the fastest). Costs only break ties among allocations that serve as many GPUs of
/// every priority.
template <class Rate>
void prefer_fastest(ClassWant& want, Rate&& rate, std::int64_t weight = 1) {
  std::vector<double> rates;
  rates.reserve(want.uses.size());
  for (const PoolUse& use : want.uses) rates.push_back(rate(use.pool));
  std::sort(rates.begin(), rates.end(), std::greater<>());
  rates.erase(std::unique(rates.begin(), rates.end()), rates.end());
  if (rates.size() < 2) return;
  for (PoolUse& use : want.uses) {
    const auto faster =
        std::lower_bound(rates.begin(), rates.end(), rate(use.pool), std::greater<>());
    use.cost = weight * (faster - rates.begin());
  }
}

/// Demands keep their id order within a class's rank (the loader keeps every named list in id
/// order): priority = rank x this + position.
inline constexpr int kRankLevel = 1000;

/// What every workload shares, and the steps that involve all of them.
class Kernel {
 public:
  Kernel(const Scenario& s, std::uint64_t replication);
  ~Kernel();
  Kernel(const Kernel&) = delete;
  Kernel& operator=(const Kernel&) = delete;

  const Scenario& scenario;
  Engine engine;
  Fleet fleet;
  RunResult result;

  std::int64_t now() const { return engine.now().seconds; }
  /// Statistics count from the warm-up on.
  bool in_window(std::int64_t t) const { return t >= scenario.warmup.seconds; }
  /// The named random stream of this replication.
  sim::Rng stream(const std::string& name) const;

  /// Adds a workload; it holds GPUs for the classes it names, each held by one workload.
  void add(std::unique_ptr<Workload> workload);
  const std::vector<std::unique_ptr<Workload>>& workloads() const { return workloads_; }
  /// The workload that holds GPUs for class c, or null.
  Workload* holder(WorkClass c) const { return holders_[index(c)]; }

  /// GPUs came free on pool p: work that waits for them may start.
  void freed(std::uint32_t p);  // defined after Workload
  /// A reconcile later in this instant, after its other events.
  void request_reconcile();
  /// Shares the GPUs not pinned by non-preemptible work among every demand (kernel.cpp).
  void reconcile();
  /// Only scenarios with something to allocate pay for the reconcile step.
  bool needs_reconcile() const { return needs_reconcile_; }
  /// The reconcile every `reconcile_hours` from `at` on.
  void schedule_tick(std::int64_t at);

  /// The pricing model of class c when it sets a price at the start of the work; else null.
  const PricingModel* start_pricing(WorkClass c) const {
    const auto& model = scenario.quotes[index(c)];
    return model && model->priced_at_start() ? model.get() : nullptr;
  }

 private:
  std::uint64_t replication_;
  std::vector<std::unique_ptr<Workload>> workloads_;
  std::array<Workload*, kClassCount> holders_{};
  std::vector<Workload*> waiting_for_gpus_;
  bool needs_reconcile_ = false;
  bool reconcile_pending_ = false;
  std::int64_t notice_reconcile_at_ = -1;
  // The last reconcile's flow: its inputs and answer.
  std::vector<PoolRoom> last_pools_;
  std::vector<ClassWant> last_classes_;
  Allocation last_alloc_;
};

/// One kind of work: fleet life, job streams, contracts, campaigns, inference. Each hook has
/// a default that does nothing, so a kind implements only what it takes part in.
class Workload {
 public:
  explicit Workload(Kernel& k) : k_(k) {}
  virtual ~Workload() = default;
  Workload(const Workload&) = delete;
  Workload& operator=(const Workload&) = delete;

  /// The classes whose GPUs it holds.
  virtual std::vector<WorkClass> classes() const { return {}; }
  /// Whether it puts demands to the reconcile step.
  virtual bool needs_reconcile() const { return false; }
  /// Whether it has work waiting for free GPUs (freed() is then called).
  virtual bool waits_for_gpus() const { return false; }
  /// Schedules its first events; workloads start in the order they were added.
  virtual void start() {}

  /// Adds what it wants from the reconcile; `free` is each pool's free GPUs.
  virtual void demands(std::vector<Demand>& /*out*/, const std::vector<PoolRoom>& /*free*/) {}
  /// Gives back what the reconcile did not keep of demand `d`: `got` GPUs by pool.
  virtual void release(const Demand& /*d*/, const std::vector<std::int64_t>& /*got*/) {}
  /// Takes what the reconcile gave to demand `d`; true when some must wait for preempted work
  /// to leave (the GPUs are then claimed).
  virtual bool grant(const Demand& /*d*/, const std::vector<std::int64_t>& /*got*/) {
    return false;
  }
  /// After every grant of a reconcile.
  virtual void after_grants() {}
  /// GPUs came free on pool p.
  virtual void freed(std::uint32_t /*p*/) {}

  /// The `pick`-th GPU of class c it holds on pool p failed: it goes down.
  virtual void fail(std::size_t /*p*/, WorkClass /*c*/, std::int64_t /*pick*/) {}
  /// Pool p retires: everything it holds there goes back to idle.
  virtual void retire(std::size_t /*p*/) {}

  /// The statistics window opens.
  virtual void open_window() {}
  /// The accounting is cut now, at a period's end or where a price steps: the workload
  /// integrates what it accounts itself up to now.
  virtual void before_cut(bool /*period_end*/) {}
  /// The run is over: its statistics into the result.
  virtual void finish(RunResult& /*r*/) {}

 protected:
  Kernel& k_;
};

inline void Kernel::freed(std::uint32_t p) {
  for (Workload* w : waiting_for_gpus_) w->freed(p);
}

/// Workload kinds, one file each; simulation.cpp builds them from the scenario.
std::unique_ptr<Workload> make_fleet_life(Kernel& k);
std::unique_ptr<Workload> make_job_streams(Kernel& k);
std::unique_ptr<Workload> make_contracts(Kernel& k);
std::unique_ptr<Workload> make_campaigns(Kernel& k);
/// Inference of class `inference` (the operator's own) or `api` (sold by the token).
std::unique_ptr<Workload> make_inference(Kernel& k, WorkClass c);

/// GPU-seconds into period and segment rows (ledger.cpp).
class Ledger {
 public:
  explicit Ledger(Kernel& k) : k_(k), period_acc_(k.fleet.size()) {}
  /// Schedules the window's start, the period ends and the cuts where prices step.
  void start();
  /// Closes the period that is open now.
  void close_period();

 private:
  void open_window();
  /// A cut where a price steps: the pools' GPU-seconds since the last cut become segments.
  void cut();
  void segment_rows();

  Kernel& k_;
  std::vector<GpuSeconds> period_acc_;
  std::size_t period_index_ = 0;
  std::int64_t period_begin_ = 0;
  std::int64_t segment_begin_ = 0;
};

}  // namespace aidc::kernel
