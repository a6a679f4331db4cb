// Inference: demand in H100-equivalent GPUs, a level read at every reconcile step and held
// until the next. The reconcile sizes the inference GPUs; a balance then matches them to the
// demand by each type's inference factor. Demand and service are integrated between changes.

#include <cmath>

#include "aidc/demand/demand.hpp"
#include "kernel.hpp"

namespace aidc::kernel {

namespace {

constexpr WorkClass kInference = WorkClass::inference;
constexpr std::size_t kIndex = index(kInference);

class Inference final : public Workload {
 public:
  explicit Inference(Kernel& k) : Workload(k) {
    for (const auto& inf : k.scenario.inference) {
      samplers_.push_back(inf.demand->sampler(k.stream("inference." + inf.id + ".noise")));
    }
    if (!samplers_.empty()) k.fleet.watch(kInference, [this] { account(k_.now()); });
  }

  std::vector<WorkClass> classes() const override { return {kInference}; }
  bool needs_reconcile() const override { return !samplers_.empty(); }

  void demands(std::vector<Demand>& out, const std::vector<AllocPool>& free) override {
    if (samplers_.empty()) return;
    const std::int64_t t = k_.now();
    account(t);
    if (t >= next_demand_at_) {
      demand_gpus_ = 0;
      for (std::size_t i = 0; i < samplers_.size(); ++i) {
        demand_gpus_ += samplers_[i].next(k_.engine.now()) * k_.scenario.inference[i].gpus_per_unit;
      }
      next_demand_at_ =
          t + std::max<std::int64_t>(1, to_seconds(k_.scenario.policy.reconcile_hours));
    }
    // The flow counts GPUs: the demand in GPUs at the mean inference factor of the free ones.
    double weight = 0;
    double capacity = 0;
    for (std::size_t p = 0; p < k_.fleet.size(); ++p) {
      if (!may_use(p)) continue;
      weight += static_cast<double>(free[p].free) * k_.fleet[p].type->inference_factor;
      capacity += static_cast<double>(free[p].free);
    }
    const double mean_factor = capacity > 0 ? weight / capacity : 1.0;
    Demand d;
    d.want.id = "inference";
    d.want.priority = k_.scenario.policy.rank(kInference) * kRankLevel;
    d.want.demand = static_cast<std::int64_t>(std::ceil(demand_gpus_ / mean_factor - 1e-9));
    d.owner = this;
    offer(out, free, k_.fleet.by_id(), std::move(d), [&](std::size_t p) { return may_use(p); });
  }

  /// Where the reconcile gave less than inference holds, it gives the rest back.
  void release(const Demand&, const std::vector<std::int64_t>& got) override {
    for (std::size_t p = 0; p < k_.fleet.size(); ++p) {
      const std::int64_t excess = k_.fleet[p].held[kIndex] - got[p];
      if (excess > 0) k_.fleet.move(p, held_by(kInference), kIdle, excess);
    }
  }

  bool grant(const Demand&, const std::vector<std::int64_t>& want) override {
    bool waits = false;
    for (std::size_t p = 0; p < k_.fleet.size(); ++p) {
      Pool& pool = k_.fleet[p];
      const std::int64_t more = want[p] - pool.held[kIndex];
      if (more <= 0) continue;
      const std::int64_t now_ok = std::min(more, pool.idle - pool.claimed);
      if (now_ok > 0) k_.fleet.move(p, kIdle, held_by(kInference), now_ok);
      if (more > now_ok) {
        pool.claimed += more - now_ok;
        waits = true;
      }
    }
    return waits;
  }

  void after_grants() override {
    if (!samplers_.empty()) balance();
  }
  void fail(std::size_t p, WorkClass, std::int64_t) override {
    k_.fleet.move(p, held_by(kInference), kDown, 1);
  }

  void open_window() override {
    if (samplers_.empty()) return;
    account(k_.now());
    segment_demand_ = segment_served_ = 0;
    segment_begin_ = k_.now();
    for (std::size_t p = 0; p < k_.fleet.size(); ++p)
      k_.fleet[p].acc.inference_served_gpu_hours = 0;
  }
  void before_cut(bool) override {
    if (samplers_.empty()) return;
    account(k_.now());
    RunResult& r = k_.result;
    r.inference_pieces.push_back(
        InferencePiece{Time{segment_begin_}, k_.engine.now(), segment_demand_, segment_served_});
    r.inference_demand_gpu_hours += segment_demand_;
    r.inference_served_gpu_hours += segment_served_;
    segment_demand_ = segment_served_ = 0;
    segment_begin_ = k_.now();
  }
  void finish(RunResult& r) override {
    r.inference_unserved_gpu_hours = r.inference_demand_gpu_hours - r.inference_served_gpu_hours;
  }

 private:
  bool may_use(std::size_t p) const {
    if (!k_.fleet[p].in_service || !k_.scenario.policy.allows(kInference, k_.scenario.pools[p].gpu))
      return false;
    for (const auto& inf : k_.scenario.inference) {
      if (std::find(inf.pools.begin(), inf.pools.end(), p) != inf.pools.end()) return true;
    }
    return false;
  }

  double served_capacity() const {
    double served = 0;
    for (std::size_t p = 0; p < k_.fleet.size(); ++p) {
      served += static_cast<double>(k_.fleet[p].held[kIndex]) * k_.fleet[p].type->inference_factor;
    }
    return served;
  }

  /// The flow counts GPUs, but GPU types serve different amounts of inference. After the
  /// grants, inference takes idle eligible GPUs (fastest type first) while it serves less
  /// than demand, and gives back GPUs (slowest first) it does not need.
  void balance() {
    std::vector<std::uint32_t> order;
    for (const std::uint32_t p : k_.fleet.by_id()) {
      if (may_use(p)) order.push_back(p);
    }
    std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
      return k_.fleet[a].type->inference_factor > k_.fleet[b].type->inference_factor;
    });
    double served = served_capacity();
    for (const std::uint32_t p : order) {
      if (served >= demand_gpus_) break;
      const Pool& pool = k_.fleet[p];
      const double f = pool.type->inference_factor;
      const auto need = static_cast<std::int64_t>(std::ceil((demand_gpus_ - served) / f - 1e-9));
      const std::int64_t take = std::min(need, pool.idle - pool.claimed);
      if (take <= 0) continue;
      k_.fleet.move(p, kIdle, held_by(kInference), take);
      served += static_cast<double>(take) * f;
    }
    for (std::size_t i = order.size(); i-- > 0;) {
      const std::uint32_t p = order[i];
      const Pool& pool = k_.fleet[p];
      const double f = pool.type->inference_factor;
      const auto spare = static_cast<std::int64_t>(std::floor((served - demand_gpus_) / f + 1e-9));
      const std::int64_t give = std::min(spare, pool.held[kIndex]);
      if (give <= 0) continue;
      k_.fleet.move(p, held_by(kInference), kIdle, give);
      served -= static_cast<double>(give) * f;
    }
  }

  /// Integrates demand and service since the last change, pool by pool for the service.
  void account(std::int64_t t) {
    const std::int64_t from = std::max(last_demand_at_, k_.scenario.warmup.seconds);
    if (t > from && last_demand_at_ >= 0) {
      double served = served_capacity();
      const double hours = sim::to_hours(sim::seconds(t - from));
      // Each pool serves its share; when the GPUs held could serve more than the demand,
      // every pool's share is scaled down alike.
      const double scale = served > demand_gpus_ ? demand_gpus_ / served : 1.0;
      for (std::size_t p = 0; p < k_.fleet.size(); ++p) {
        Pool& pool = k_.fleet[p];
        if (pool.held[kIndex] == 0) continue;
        pool.acc.inference_served_gpu_hours +=
            static_cast<double>(pool.held[kIndex]) * pool.type->inference_factor * scale * hours;
      }
      served = std::min(served, demand_gpus_);
      segment_demand_ += demand_gpus_ * hours;
      segment_served_ += served * hours;
    }
    last_demand_at_ = t;
  }

  std::vector<DemandCurve::Sampler> samplers_;
  double demand_gpus_ = 0;
  std::int64_t next_demand_at_ = 0;
  std::int64_t last_demand_at_ = -1;
  double segment_demand_ = 0;  // H100-equivalent GPU-hours since the last cut
  double segment_served_ = 0;
  std::int64_t segment_begin_ = 0;
};

}  // namespace

std::unique_ptr<Workload> make_inference(Kernel& k) { return std::make_unique<Inference>(k); }

}  // namespace aidc::kernel
