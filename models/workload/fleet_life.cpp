// Fleet life: pools enter service and retire, and GPUs fail and are repaired. A failed GPU
// is drawn uniformly among the pool's working ones; the workload holding it reacts.

#include <boost/random/exponential_distribution.hpp>
#include <boost/random/uniform_int_distribution.hpp>

#include "kernel.hpp"

namespace aidc::kernel {

namespace {

class FleetLife final : public Workload {
 public:
  explicit FleetLife(Kernel& k) : Workload(k) {
    for (std::size_t p = 0; p < k.fleet.size(); ++p) {
      failure_rng_.push_back(k.stream("fleet." + k.scenario.pools[p].id + ".failures"));
    }
    next_failure_.resize(k.fleet.size());
  }

  void start() override {
    const Scenario& s = k_.scenario;
    for (std::size_t p = 0; p < s.pools.size(); ++p) {
      const PoolSpec& spec = s.pools[p];
      if (spec.in_service >= s.horizon || spec.retire <= spec.in_service) continue;
      k_.engine.schedule_at(
          spec.in_service, [this, p](Engine&) { install(p); }, Priority::urgent);
      if (spec.retire < s.horizon) {
        k_.engine.schedule_at(
            spec.retire, [this, p](Engine&) { retire_pool(p); }, Priority::urgent);
      }
    }
  }

 private:
  void install(std::size_t p) {
    k_.fleet.install(p, k_.scenario.policy.reserve_fraction);
    schedule_failure(p);
    k_.freed(static_cast<std::uint32_t>(p));
    k_.request_reconcile();
  }

  void retire_pool(std::size_t p) {
    k_.fleet[p].in_service = false;  // nothing may move onto it from here on
    for (const auto& w : k_.workloads()) w->retire(p);
    k_.fleet.close(p);
    k_.engine.cancel(next_failure_[p]);
    k_.request_reconcile();
  }

  /// Each working GPU fails at rate 1/MTBF, so the pool's next failure is exponential with
  /// rate (installed - down)/MTBF, redrawn whenever that count changes (memoryless, so
  /// redrawing is exact).
  void schedule_failure(std::size_t p) {
    const Pool& pool = k_.fleet[p];
    k_.engine.cancel(next_failure_[p]);
    if (!pool.type->mtbf_hours || !pool.in_service) return;
    const std::int64_t working = pool.installed - pool.down;
    if (working <= 0) return;
    const double rate = static_cast<double>(working) / *pool.type->mtbf_hours;
    const double hours = boost::random::exponential_distribution<double>(rate)(failure_rng_[p]);
    const std::int64_t at = k_.now() + std::max<std::int64_t>(1, to_seconds(hours));
    if (at >= k_.scenario.horizon.seconds) return;
    next_failure_[p] = k_.engine.schedule_at(Time{at}, [this, p](Engine&) { fail_one(p); });
  }

  void fail_one(std::size_t p) {
    Pool& pool = k_.fleet[p];
    if (k_.in_window(k_.now())) ++k_.result.gpu_failures;
    const std::int64_t working = pool.installed - pool.down;
    // The failed GPU is uniform over the working ones: idle first, then class by class.
    auto pick =
        boost::random::uniform_int_distribution<std::int64_t>(0, working - 1)(failure_rng_[p]);
    if (pick < pool.idle) {
      k_.fleet.move(p, kIdle, kDown, 1);
    } else {
      pick -= pool.idle;
      std::size_t c = 0;
      while (pick >= pool.held[c]) pick -= pool.held[c++];
      const auto cls = kWorkClasses[c].id;
      k_.holder(cls)->fail(p, cls, pick);
    }
    const double repair = pool.type->repair_hours;
    k_.engine.schedule_in(sim::seconds(std::max<std::int64_t>(1, to_seconds(repair))),
                          [this, p](Engine&) { repair_one(p); });
    schedule_failure(p);
  }

  void repair_one(std::size_t p) {
    const Pool& pool = k_.fleet[p];
    if (!pool.in_service || pool.down == 0) return;
    k_.fleet.move(p, kDown, kIdle, 1);
    schedule_failure(p);
    k_.freed(static_cast<std::uint32_t>(p));
  }

  std::vector<sim::Rng> failure_rng_;
  std::vector<EventId> next_failure_;
};

}  // namespace

std::unique_ptr<Workload> make_fleet_life(Kernel& k) { return std::make_unique<FleetLife>(k); }

}  // namespace aidc::kernel
