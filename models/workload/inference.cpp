// Inference: a level of demand read at every reconcile step and held until the next. The
// reconcile sizes the class's GPUs; a balance then matches them to the demand by what a GPU of
// each type serves. Demand and service are integrated between changes. Two classes share the
// code: the operator's own inference (demand in H100-equivalent GPUs; a GPU serves its type's
// inference factor) and model access sold by the token, `api` (demand in tokens per second; a
// GPU serves its type's tokens per second, a share of them output).

#include <algorithm>
#include <cmath>

#include "aidc/demand/demand.hpp"
#include "kernel.hpp"

namespace aidc::kernel {

namespace {

constexpr double kSecondsPerHour = 3600.0;

class Inference final : public Workload {
 public:
  Inference(Kernel& k, WorkClass c)
      : Workload(k), class_(c), index_(index(c)), api_(c == WorkClass::api) {
    for (const auto& inf : k.scenario.inference) {
      if (inf.work_class != c) continue;
      specs_.push_back(&inf);
      samplers_.push_back(inf.demand->sampler(k.stream("inference." + inf.id + ".noise")));
    }
    rate_.assign(k.fleet.size(), 0.0);
    eligible_.assign(k.fleet.size(), false);
    for (std::size_t p = 0; p < k.fleet.size(); ++p) {
      const std::string& gpu = k.scenario.pools[p].gpu;
      for (const InferenceSpec* inf : specs_) {
        if (std::find(inf->pools.begin(), inf->pools.end(), p) == inf->pools.end()) continue;
        eligible_[p] = k.scenario.policy.allows(c, gpu);
        const auto it = inf->tokens_per_second_per_gpu.find(gpu);
        rate_[p] = !api_                                        ? k.fleet[p].type->inference_factor
                   : it != inf->tokens_per_second_per_gpu.end() ? it->second
                                                                : 0.0;
        break;
      }
      if (rate_[p] <= 0) eligible_[p] = false;
    }
    for (const std::uint32_t p : k.fleet.by_id()) {
      if (eligible_[p]) fastest_first_.push_back(p);
    }
    std::stable_sort(fastest_first_.begin(), fastest_first_.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return rate_[a] > rate_[b]; });
    if (!samplers_.empty()) k.fleet.watch(c, [this] { account(k_.now()); });
  }

  std::vector<WorkClass> classes() const override { return {class_}; }
  bool needs_reconcile() const override { return !samplers_.empty(); }

  void demands(std::vector<Demand>& out, const std::vector<PoolRoom>& free) override {
    if (samplers_.empty()) return;
    const std::int64_t t = k_.now();
    account(t);
    if (t >= next_demand_at_) {
      demand_gpus_ = 0;
      double output = 0;
      for (std::size_t i = 0; i < samplers_.size(); ++i) {
        const double d = samplers_[i].next(k_.engine.now()) * specs_[i]->gpus_per_unit;
        demand_gpus_ += d;
        output += d * specs_[i]->output_share;
      }
      output_share_ = demand_gpus_ > 0 ? output / demand_gpus_ : 0.0;
      next_demand_at_ =
          t + std::max<std::int64_t>(1, to_seconds(k_.scenario.policy.reconcile_hours));
    }
    // The flow counts GPUs: the demand in GPUs at the mean rate of the free ones.
    double weight = 0;
    double capacity = 0;
    for (std::size_t p = 0; p < k_.fleet.size(); ++p) {
      if (!may_use(p)) continue;
      weight += static_cast<double>(free[p].free) * rate_[p];
      capacity += static_cast<double>(free[p].free);
    }
    const double mean_rate = capacity > 0 ? weight / capacity : 1.0;
    Demand d;
    d.want.priority = k_.scenario.policy.rank(class_) * kRankLevel;
    d.want.internal = k_.scenario.policy.may_use_reserve[index_];
    d.want.demand = saturated(std::ceil(demand_gpus_ / mean_rate - 1e-9));
    d.owner = this;
    eligible_pools(d.want, free, [&](std::size_t p) { return may_use(p); });
    prefer_fastest(d.want, [&](std::size_t p) { return rate_[p]; });
    submit(out, std::move(d));
  }

  /// Where the reconcile gave less than inference holds, it gives the rest back.
  void release(const Demand&, const std::vector<std::int64_t>& got) override {
    for (std::size_t p = 0; p < k_.fleet.size(); ++p) {
      const std::int64_t excess = k_.fleet[p].held[index_] - got[p];
      if (excess > 0) k_.fleet.move(p, held_by(class_), kIdle, excess);
    }
  }

  bool grant(const Demand&, const std::vector<std::int64_t>& want) override {
    bool waits = false;
    for (std::size_t p = 0; p < k_.fleet.size(); ++p) {
      Pool& pool = k_.fleet[p];
      const std::int64_t more = want[p] - pool.held[index_];
      if (more <= 0) continue;
      const std::int64_t now_ok = std::min(more, pool.idle - pool.claimed);
      if (now_ok > 0) k_.fleet.move(p, kIdle, held_by(class_), now_ok);
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
    k_.fleet.move(p, held_by(class_), kDown, 1);
  }

  void open_window() override {
    if (samplers_.empty()) return;
    account(k_.now());
    segment_demand_ = segment_served_ = 0;
    segment_begin_ = k_.now();
    for (std::size_t p = 0; p < k_.fleet.size(); ++p) {
      GpuSeconds& acc = k_.fleet[p].acc;
      if (api_) {
        acc.api_input_tokens = acc.api_output_tokens = 0;
        acc.api_demand_tokens = acc.api_unserved_tokens = 0;
      } else {
        acc.inference_served_gpu_hours = 0;
        acc.inference_demand_gpu_hours = acc.inference_unserved_gpu_hours = 0;
      }
    }
  }
  void before_cut(bool) override {
    if (samplers_.empty()) return;
    account(k_.now());
    RunResult& r = k_.result;
    if (api_) {
      r.api_pieces.push_back(TokenPiece{Time{segment_begin_}, k_.engine.now(), segment_demand_in_,
                                        segment_demand_out_, segment_served_in_,
                                        segment_served_out_});
      segment_demand_in_ = segment_demand_out_ = segment_served_in_ = segment_served_out_ = 0;
    } else {
      r.inference_pieces.push_back(
          InferencePiece{Time{segment_begin_}, k_.engine.now(), segment_demand_, segment_served_});
      r.inference_demand_gpu_hours += segment_demand_;
      r.inference_served_gpu_hours += segment_served_;
    }
    segment_demand_ = segment_served_ = 0;
    segment_begin_ = k_.now();
  }
  void finish(RunResult& r) override {
    if (!api_) {
      r.inference_unserved_gpu_hours = r.inference_demand_gpu_hours - r.inference_served_gpu_hours;
    }
  }

 private:
  bool may_use(std::size_t p) const { return eligible_[p] && k_.fleet[p].in_service; }

  double served_capacity() const {
    double served = 0;
    for (std::size_t p = 0; p < k_.fleet.size(); ++p) {
      served += static_cast<double>(k_.fleet[p].held[index_]) * rate_[p];
    }
    return served;
  }

  /// The flow counts GPUs, but GPU types serve different amounts. After the grants, the class
  /// takes idle eligible GPUs (fastest type first) while it serves less than demand, and gives
  /// back GPUs (slowest first) it does not need.
  void balance() {
    std::vector<std::uint32_t>& order = in_service_;
    order.clear();
    for (const std::uint32_t p : fastest_first_) {
      if (k_.fleet[p].in_service) order.push_back(p);
    }
    double served = served_capacity();
    for (const std::uint32_t p : order) {
      if (served >= demand_gpus_) break;
      const Pool& pool = k_.fleet[p];
      const double f = rate_[p];
      const auto need = saturated(std::ceil((demand_gpus_ - served) / f - 1e-9));
      const std::int64_t take = std::min(need, pool.idle - pool.claimed);
      if (take <= 0) continue;
      k_.fleet.move(p, kIdle, held_by(class_), take);
      served += static_cast<double>(take) * f;
    }
    for (std::size_t i = order.size(); i-- > 0;) {
      const std::uint32_t p = order[i];
      const Pool& pool = k_.fleet[p];
      const double f = rate_[p];
      const auto spare = saturated(std::floor((served - demand_gpus_) / f + 1e-9));
      const std::int64_t give = std::min(spare, pool.held[index_]);
      if (give <= 0) continue;
      k_.fleet.move(p, held_by(class_), kIdle, give);
      served -= static_cast<double>(give) * f;
    }
  }

  /// Integrates demand and service since the last change, pool by pool for the service.
  void account(std::int64_t t) {
    const std::int64_t from = std::max(last_demand_at_, k_.scenario.warmup.seconds);
    if (t > from && last_demand_at_ >= 0) {
      const double capacity = served_capacity();
      const double served = std::min(capacity, demand_gpus_);
      const double hours = sim::to_hours(sim::seconds(t - from));
      // Each pool serves its share; when the GPUs held could serve more than the demand,
      // every pool's share is scaled down alike. The demand is shared among the pools in the
      // same proportion (GpuSeconds's inference_demand_gpu_hours, api_demand_tokens).
      const double scale = capacity > demand_gpus_ ? demand_gpus_ / capacity : 1.0;
      const bool shared = demand_gpus_ > 0 && served > 0;
      for (std::size_t p = 0; p < k_.fleet.size(); ++p) {
        Pool& pool = k_.fleet[p];
        if (pool.held[index_] == 0) continue;
        const double weight = static_cast<double>(pool.held[index_]) * rate_[p];
        const double work = weight * scale * hours;
        if (api_) {
          pool.acc.api_input_tokens += work * kSecondsPerHour * (1.0 - output_share_);
          pool.acc.api_output_tokens += work * kSecondsPerHour * output_share_;
        } else {
          pool.acc.inference_served_gpu_hours += work;
        }
        if (shared) add_demand(pool.acc, weight / capacity, hours, served);
      }
      if (demand_gpus_ > 0 && served <= 0) attribute_unserved(hours);
      if (api_) {
        const double demand = demand_gpus_ * hours * kSecondsPerHour;
        const double done = served * hours * kSecondsPerHour;
        segment_demand_in_ += demand * (1.0 - output_share_);
        segment_demand_out_ += demand * output_share_;
        segment_served_in_ += done * (1.0 - output_share_);
        segment_served_out_ += done * output_share_;
      } else {
        segment_demand_ += demand_gpus_ * hours;
        segment_served_ += served * hours;
      }
    }
    last_demand_at_ = t;
  }

  /// Adds `share` of a stretch's demand of `hours`, and of the part left unserved at the
  /// fleet's service rate `served`, to a pool's account.
  void add_demand(GpuSeconds& acc, double share, double hours, double served) const {
    const double unit = api_ ? hours * kSecondsPerHour : hours;
    if (api_) {
      acc.api_demand_tokens += demand_gpus_ * unit * share;
      acc.api_unserved_tokens += (demand_gpus_ - served) * unit * share;
    } else {
      acc.inference_demand_gpu_hours += demand_gpus_ * unit * share;
      acc.inference_unserved_gpu_hours += (demand_gpus_ - served) * unit * share;
    }
  }

  /// A stretch of `hours` in which nothing was served: its demand goes to the eligible pools
  /// in service by capacity (GPUs times what a GPU serves), else to the eligible pools by
  /// capacity, else to every pool alike, so the pools still add up to the class's totals.
  void attribute_unserved(double hours) {
    std::vector<double>& weight = weights_;
    weight.assign(k_.fleet.size(), 0.0);
    double sum = 0;
    for (const bool in_service_only : {true, false}) {
      if (sum > 0) break;
      for (std::size_t p = 0; p < k_.fleet.size(); ++p) {
        const Pool& pool = k_.fleet[p];
        if (!eligible_[p] || (in_service_only && !pool.in_service)) continue;
        weight[p] = static_cast<double>(pool.installed) * rate_[p];
        sum += weight[p];
      }
    }
    if (sum <= 0) {
      weight.assign(k_.fleet.size(), 1.0);
      sum = static_cast<double>(k_.fleet.size());
    }
    for (std::size_t p = 0; p < k_.fleet.size(); ++p) {
      if (weight[p] > 0) add_demand(k_.fleet[p].acc, weight[p] / sum, hours, 0.0);
    }
  }

  WorkClass class_;
  std::size_t index_;
  bool api_;
  std::vector<const InferenceSpec*> specs_;
  std::vector<DemandCurve::Sampler> samplers_;
  /// By pool: what one GPU serves (inference: H100-equivalents; api: tokens/s), and whether the
  /// class may use the pool.
  std::vector<double> rate_;
  std::vector<bool> eligible_;
  std::vector<std::uint32_t> fastest_first_;  // eligible pools by rate, fastest first, then id
  std::vector<std::uint32_t> in_service_;     // work space of balance()
  std::vector<double> weights_;               // work space of attribute_unserved()
  double demand_gpus_ = 0;   // in the class's unit: H100-equivalent GPUs, or tokens/s
  double output_share_ = 0;  // api: of the demand now, the share of output tokens
  double segment_demand_in_ = 0, segment_demand_out_ = 0;  // api: tokens since the last cut
  double segment_served_in_ = 0, segment_served_out_ = 0;
  std::int64_t next_demand_at_ = 0;
  std::int64_t last_demand_at_ = -1;
  double segment_demand_ = 0;  // H100-equivalent GPU-hours since the last cut
  double segment_served_ = 0;
  std::int64_t segment_begin_ = 0;
};

}  // namespace

std::unique_ptr<Workload> make_inference(Kernel& k, WorkClass c) {
  return std::make_unique<Inference>(k, c);
}

}  // namespace aidc::kernel
