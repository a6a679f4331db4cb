// Reserved contracts: a fixed number of GPUs for a term, never preempted. A contract short of
// its GPUs (at its start, after a failure or a retirement) asks the reconcile for the rest. Its
// price is quoted when it is booked, for the term signed, and held; a renewal is quoted at the
// market in force then; an indexed contract is quoted again wherever the price steps.

#include <fmt/format.h>

#include "kernel.hpp"

namespace aidc::kernel {

namespace {

constexpr WorkClass kReserved = WorkClass::reserved;

struct Contract {
  const ContractSpec* spec = nullptr;
  std::vector<std::int64_t> held;        // per pool
  std::vector<double> usd_per_gpu_hour;  // per pool, quoted when the contract begins
  std::int64_t total = 0;
  std::int64_t renewals_left = 0;
  bool active = false;
};

class Contracts final : public Workload {
 public:
  explicit Contracts(Kernel& k) : Workload(k) {
    for (const auto& spec : k.scenario.contracts) {
      Contract c;
      c.spec = &spec;
      c.held.assign(k.fleet.size(), 0);
      c.usd_per_gpu_hour.assign(k.fleet.size(), 0.0);
      c.renewals_left = spec.renewals;
      contracts_.push_back(c);
    }
  }

  std::vector<WorkClass> classes() const override { return {kReserved}; }
  bool needs_reconcile() const override { return !contracts_.empty(); }

  void start() override {
    const Time horizon = k_.scenario.horizon;
    for (std::size_t i = 0; i < contracts_.size(); ++i) {
      const ContractSpec& spec = *contracts_[i].spec;
      if (spec.begin >= horizon) continue;
      k_.engine.schedule_at(spec.begin, [this, i](Engine&) { begin(i); });
      if (spec.end < horizon) {
        k_.engine.schedule_at(
            spec.end, [this, i](Engine&) { end(i); }, Priority::urgent);
      }
    }
  }

  // Indexed contracts pay the price in force: quoted again where it steps.
  void open_window() override { requote_indexed(); }
  void before_cut(bool) override { requote_indexed(); }

  void demands(std::vector<Demand>& out, const std::vector<PoolRoom>& free) override {
    for (std::size_t i = 0; i < contracts_.size(); ++i) {
      const Contract& c = contracts_[i];
      if (!c.active || c.total >= c.spec->gpus) continue;
      Demand d;
      d.want.priority = k_.scenario.policy.rank(kReserved) * kRankLevel + static_cast<int>(i);
      d.want.demand = c.spec->gpus - c.total;
      d.want.internal = k_.scenario.policy.may_use_reserve[index(kReserved)];
      d.owner = this;
      d.index = i;
      offer(out, free, std::move(d),
            [&](std::size_t p) { return k_.fleet[p].in_service && may_use(c, p); });
    }
  }

  bool grant(const Demand& d, const std::vector<std::int64_t>& want) override {
    Contract& c = contracts_[d.index];
    bool waits = false;
    for (std::size_t p = 0; p < k_.fleet.size(); ++p) {
      Pool& pool = k_.fleet[p];
      const std::int64_t take = std::min(want[p], pool.idle - pool.claimed);
      if (take > 0) {
        k_.fleet.move(p, kIdle, held_by(kReserved), take);
        c.held[p] += take;
        reprice(p);
        c.total += take;
      }
      if (want[p] > take) {
        pool.claimed += want[p] - std::max<std::int64_t>(0, take);
        waits = true;
      }
    }
    return waits;
  }

  void fail(std::size_t p, WorkClass, std::int64_t pick) override {
    for (auto& c : contracts_) {
      if (pick < c.held[p]) {
        --c.held[p];
        reprice(p);
        --c.total;
        k_.fleet.move(p, held_by(kReserved), kDown, 1);
        k_.request_reconcile();
        return;
      }
      pick -= c.held[p];
    }
  }

  void retire(std::size_t p) override {
    for (auto& c : contracts_) {
      if (c.held[p] == 0) continue;
      k_.fleet.move(p, held_by(kReserved), kIdle, c.held[p]);
      c.total -= c.held[p];
      c.held[p] = 0;
      reprice(p);
    }
  }

 private:
  void begin(std::size_t i) {
    Contract& c = contracts_[i];
    c.active = true;
    quote(c, c.spec->indexed ? k_.engine.now() : c.spec->booked);
    k_.reconcile();
  }

  /// Contract c's price per GPU-hour on each pool, as quoted at `t` for the term signed.
  void quote(Contract& c, Time t) {
    const PricingModel* model = k_.scenario.quotes[index(kReserved)].get();
    if (!model) return;
    for (std::size_t p = 0; p < k_.fleet.size(); ++p) {
      if (!may_use(c, p)) continue;
      const GpuType& type = *k_.fleet[p].type;
      c.usd_per_gpu_hour[p] = model->quote(k_.scenario.start, t, type, list_price(type, kReserved),
                                           0.0, c.spec->term_days);
      if (c.held[p] > 0) reprice(p);
    }
  }

  bool may_use(const Contract& c, std::size_t p) const {
    return std::find(c.spec->pools.begin(), c.spec->pools.end(), p) != c.spec->pools.end() &&
           k_.scenario.policy.allows(kReserved, k_.scenario.pools[p].gpu);
  }

  void requote_indexed() {
    for (auto& c : contracts_) {
      if (c.active && c.spec->indexed) quote(c, k_.engine.now());
    }
  }

  void end(std::size_t i) {
    Contract& c = contracts_[i];
    if (c.renewals_left > 0) {
      // Renewed for another term of the same length at the market price in force now.
      --c.renewals_left;
      quote(c, k_.engine.now());
      const Time next{k_.now() + to_seconds(c.spec->term_days * 24.0)};
      if (next < k_.scenario.horizon) {
        k_.engine.schedule_at(
            next, [this, i](Engine&) { end(i); }, Priority::urgent);
      }
      return;
    }
    c.active = false;
    for (std::size_t p = 0; p < k_.fleet.size(); ++p) {
      if (c.held[p] == 0) continue;
      k_.fleet.move(p, held_by(kReserved), kIdle, c.held[p]);
      c.held[p] = 0;
      reprice(p);
      k_.freed(static_cast<std::uint32_t>(p));
    }
    c.total = 0;
    k_.request_reconcile();
  }

  /// Pool p's revenue rate from the contracts' GPUs there and their prices.
  void reprice(std::size_t p) {
    double rate = 0;
    for (const auto& c : contracts_) rate += static_cast<double>(c.held[p]) * c.usd_per_gpu_hour[p];
    k_.fleet.set_revenue_rate(p, kReserved, rate);
  }

  std::vector<Contract> contracts_;
};

}  // namespace

std::unique_ptr<Workload> make_contracts(Kernel& k) { return std::make_unique<Contracts>(k); }

}  // namespace aidc::kernel
