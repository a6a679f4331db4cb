#include "aidc/models/simulation.hpp"

#include <algorithm>
#include <boost/random/exponential_distribution.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <cmath>
#include <deque>
#include <limits>
#include <numeric>

#include <fmt/format.h>

#include "aidc/models/allocator.hpp"
#include "aidc/models/campaign_graph.hpp"
#include "aidc/models/demand.hpp"
#include "aidc/models/finance.hpp"
#include "aidc/sim/engine.hpp"
#include "aidc/sim/rng.hpp"

namespace aidc {

GpuSeconds& GpuSeconds::operator+=(const GpuSeconds& o) {
  installed += o.installed;
  busy += o.busy;
  idle += o.idle;
  down += o.down;
  for (std::size_t c = 0; c < kClassCount; ++c) {
    by_class[c] += o.by_class[c];
    accrued_revenue_usd[c] += o.accrued_revenue_usd[c];
  }
  inference_served_gpu_hours += o.inference_served_gpu_hours;
  training_lost += o.training_lost;
  return *this;
}

namespace {

using sim::Engine;
using sim::EventId;
using sim::Priority;
using sim::Time;

constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();
constexpr std::size_t kTraining = index(WorkClass::training);
constexpr std::size_t kInference = index(WorkClass::inference);
constexpr std::size_t kReserved = index(WorkClass::reserved);

std::int64_t to_seconds(double hours) {
  return static_cast<std::int64_t>(std::llround(hours * sim::kSecondsPerHour));
}

/// Counts of one pool's GPUs by state, and their integrals since the last flush.
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
  std::int64_t last = 0;
  GpuSeconds acc;
  std::array<double, kClassCount> usd_per_hour{};  // revenue rate of start-priced work
  sim::Rng failure_rng;
  EventId next_failure{};
  bool in_service = false;

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

struct Waiting {
  std::int64_t arrived = 0;
  std::int64_t gpus = 0;
  std::int64_t duration = 0;
  EventId renege{};
  bool gone = false;
  bool counted = false;
};

struct Running {
  std::uint32_t pool = 0;
  std::uint32_t stream = 0;
  std::int64_t gpus = 0;
  std::int64_t end = 0;
  EventId departure{};
  double usd_per_gpu_hour = 0;      // set at the start when the class is priced at start
  std::uint32_t index_in_pool = 0;  // position in the pool's list of running jobs
  bool live = false;
  bool leaving = false;  // preempted, running out its notice
  bool counted = false;
};

struct Stream {
  const RentalSpec* spec = nullptr;
  std::size_t cls = 0;
  sim::Rng arrivals_rng, gpus_rng, duration_rng, wtp_rng;
  std::size_t segment = 0;
  std::size_t trace_next = 0;
  double clock_hours = 0;
  std::deque<std::uint32_t> queue;
  std::vector<std::uint32_t> pools;  // eligible pools, ordered by id
  std::int64_t largest_pool = 0;
  StreamStats stats;
  std::vector<std::int64_t> waits;
  std::int64_t busy = 0;
  std::int64_t last = 0;
  std::int64_t busy_acc = 0;
  void advance(std::int64_t now) {
    busy_acc += busy * (now - last);
    last = now;
  }
};

enum class CampaignState { blocked, ready, running, finished };

struct Campaign {
  const CampaignSpec* spec = nullptr;
  CampaignState state = CampaignState::blocked;
  std::vector<std::int64_t> gang;  // GPUs held per pool
  std::int64_t held = 0;
  std::int64_t missing = 0;          // GPUs lost to failures and not yet replaced
  double work_done = 0;              // H100-equivalent GPU-hours saved at the last checkpoint
  double rate = 0;                   // H100-equivalent GPU-hours per hour at the full gang
  std::int64_t progress_since = -1;  // progressing since; -1 while stalled or restarting
  std::int64_t stalled_since = -1;   // not progressing since (restart or missing GPUs)
  EventId completion{};
  EventId resume{};
  std::size_t pending_parents = 0;
  CampaignStats stats;
};

struct Contract {
  const ContractSpec* spec = nullptr;
  std::vector<std::int64_t> held;        // per pool
  std::vector<double> usd_per_gpu_hour;  // per pool, quoted when the contract begins
  std::int64_t total = 0;
  bool active = false;
};

class Run {
 public:
  Run(const Scenario& s, std::uint64_t replication, const std::function<void(double)>& progress)
      : s_(s), replication_(replication), progress_(progress) {
    result_.scenario = s.name;
    result_.seed = s.seed;
    result_.replication = replication;
    result_.window_begin = s.warmup;
    result_.window_end = s.horizon;
    pools_.resize(s.pools.size());
    for (std::size_t p = 0; p < s.pools.size(); ++p) {
      pools_[p].spec = &s.pools[p];
      pools_[p].type = &s.catalog.at(s.pools[p].gpu);
      pools_[p].failure_rng = stream("fleet." + s.pools[p].id + ".failures");
      by_id_.push_back(static_cast<std::uint32_t>(p));
    }
    std::sort(by_id_.begin(), by_id_.end(),
              [&](std::uint32_t a, std::uint32_t b) { return s.pools[a].id < s.pools[b].id; });
    running_on_.assign(s.pools.size() * kClassCount, {});
    for (const auto& spec : s.rentals) add_stream(spec);
    for (const auto& spec : s.contracts) {
      Contract k;
      k.spec = &spec;
      k.held.assign(s.pools.size(), 0);
      k.usd_per_gpu_hour.assign(s.pools.size(), 0.0);
      contracts_.push_back(k);
    }
    for (const auto& spec : s.campaigns) {
      Campaign c;
      c.spec = &spec;
      c.gang.assign(s.pools.size(), 0);
      c.pending_parents = spec.after.size();
      c.stats.id = spec.id;
      campaigns_.push_back(c);
    }
    plan_campaigns();
    campaign_order_ = campaign_ranks();
    for (const auto& inf : s.inference)
      inference_.push_back(inf.demand->sampler(stream("inference." + inf.id + ".noise")));
  }

  RunResult run() {
    for (std::size_t p = 0; p < pools_.size(); ++p) {
      const PoolSpec& spec = s_.pools[p];
      if (spec.in_service >= s_.horizon || spec.retire <= spec.in_service) continue;
      engine_.schedule_at(
          spec.in_service, [this, p](Engine&) { install(p); }, Priority::urgent);
      if (spec.retire < s_.horizon) {
        engine_.schedule_at(
            spec.retire, [this, p](Engine&) { retire(p); }, Priority::urgent);
      }
    }
    for (std::size_t i = 0; i < streams_.size(); ++i) schedule_arrival(i);
    for (std::size_t k = 0; k < contracts_.size(); ++k) {
      const ContractSpec& spec = *contracts_[k].spec;
      if (spec.begin >= s_.horizon) continue;
      engine_.schedule_at(spec.begin, [this, k](Engine&) { begin_contract(k); });
      if (spec.end < s_.horizon) {
        engine_.schedule_at(
            spec.end, [this, k](Engine&) { end_contract(k); }, Priority::urgent);
      }
    }
    for (std::size_t k = 0; k < campaigns_.size(); ++k) {
      if (campaigns_[k].pending_parents == 0) schedule_ready(k);
    }
    if (needs_reconcile()) schedule_tick(0);
    if (s_.warmup.seconds > 0) {
      engine_.schedule_at(
          s_.warmup, [this](Engine&) { start_window(); }, Priority::accounting);
    }
    const auto ends = s_.period_ends();
    for (std::size_t k = 0; k + 1 < ends.size(); ++k) {
      engine_.schedule_at(
          ends[k], [this](Engine&) { close_period(); }, Priority::accounting);
    }
    if (s_.finance) {
      for (const Time t : s_.finance->price_changes) {
        if (std::find(ends.begin(), ends.end(), t) != ends.end()) continue;
        engine_.schedule_at(
            t, [this](Engine&) { close_segment(); }, Priority::accounting);
      }
    }
    if (progress_) {
      // In slices, reporting after each; the same events run in the same order as in one go.
      constexpr std::int64_t kSlices = 200;
      for (std::int64_t k = 1; k <= kSlices; ++k) {
        engine_.run_until(Time{s_.horizon.seconds * k / kSlices});
        progress_(static_cast<double>(k) / kSlices);
      }
    } else {
      engine_.run_until(s_.horizon);
    }
    close_period();
    finish();
    return std::move(result_);
  }

 private:
  std::int64_t now() const { return engine_.now().seconds; }
  bool in_window(std::int64_t t) const { return t >= s_.warmup.seconds; }
  sim::Rng stream(const std::string& name) const {
    return sim::make_stream(s_.seed, replication_, name);
  }
  /// Only scenarios with something to allocate pay for the reconcile step: a plain rental
  /// queue runs without it.
  bool needs_reconcile() const {
    return !s_.inference.empty() || !s_.campaigns.empty() || !s_.contracts.empty() ||
           std::any_of(s_.rentals.begin(), s_.rentals.end(), [&](const RentalSpec& r) {
             return s_.policy.preemptible[static_cast<std::size_t>(r.work_class)];
           });
  }
  std::vector<std::uint32_t>& running_on(std::size_t p, std::size_t c) {
    return running_on_[p * kClassCount + c];
  }
  bool external(std::size_t c) const { return !is_internal(static_cast<WorkClass>(c)); }

  /// Moves `n` GPUs of pool p from one state count to another, integrating first.
  void move(std::size_t p, std::int64_t* from, std::int64_t* to, std::int64_t n) {
    Pool& pool = pools_[p];
    pool.advance(now());
    *from -= n;
    *to += n;
  }

  // Fleet life ---------------------------------------------------------------------------
  void install(std::size_t p) {
    Pool& pool = pools_[p];
    pool.advance(now());
    pool.installed += s_.pools[p].count;
    pool.idle += s_.pools[p].count;
    pool.reserve = static_cast<std::int64_t>(
        std::floor(s_.policy.reserve_fraction * static_cast<double>(pool.installed)));
    pool.in_service = true;
    schedule_failure(p);
    dispatch(static_cast<std::uint32_t>(p));
    request_reconcile();
  }

  void retire(std::size_t p) {
    Pool& pool = pools_[p];
    if (!inference_.empty()) account_inference(now());
    pool.in_service = false;  // nothing may move onto it from here on
    for (std::size_t c = 0; c < kClassCount; ++c) {
      auto& list = running_on(p, c);
      while (!list.empty()) end_job(list.back(), true);
    }
    for (std::size_t k = 0; k < campaigns_.size(); ++k) {
      Campaign& cg = campaigns_[k];
      if (cg.gang[p] > 0) lose_gang_gpus(k, p, cg.gang[p], false);
    }
    for (auto& k : contracts_) {
      if (k.held[p] > 0) {
        move(p, &pool.held[kReserved], &pool.idle, k.held[p]);
        k.total -= k.held[p];
        k.held[p] = 0;
        reprice_contracts(p);
      }
    }
    pool.advance(now());
    pool.idle = pool.installed = pool.down = 0;
    pool.held = {};
    engine_.cancel(pool.next_failure);
    request_reconcile();
  }

  /// GPU failures: each working GPU fails at rate 1/MTBF, so the pool's next failure is
  /// exponential with rate (installed - down)/MTBF, redrawn whenever that count changes
  /// (memoryless, so redrawing is exact).
  void schedule_failure(std::size_t p) {
    Pool& pool = pools_[p];
    engine_.cancel(pool.next_failure);
    if (!pool.type->mtbf_hours || !pool.in_service) return;
    const std::int64_t working = pool.installed - pool.down;
    if (working <= 0) return;
    const double rate = static_cast<double>(working) / *pool.type->mtbf_hours;
    const double hours = boost::random::exponential_distribution<double>(rate)(pool.failure_rng);
    const std::int64_t at = now() + std::max<std::int64_t>(1, to_seconds(hours));
    if (at >= s_.horizon.seconds) return;
    pool.next_failure = engine_.schedule_at(Time{at}, [this, p](Engine&) { fail_one(p); });
  }

  void fail_one(std::size_t p) {
    Pool& pool = pools_[p];
    if (in_window(now())) ++result_.gpu_failures;
    const std::int64_t working = pool.installed - pool.down;
    // The failed GPU is uniform over the working ones: idle first, then class by class.
    auto pick =
        boost::random::uniform_int_distribution<std::int64_t>(0, working - 1)(pool.failure_rng);
    if (pick < pool.idle) {
      move(p, &pool.idle, &pool.down, 1);
    } else {
      pick -= pool.idle;
      std::size_t c = 0;
      while (pick >= pool.held[c]) pick -= pool.held[c++];
      fail_held(p, c, pick);
    }
    const double repair = pool.type->repair_hours;
    engine_.schedule_in(sim::seconds(std::max<std::int64_t>(1, to_seconds(repair))),
                        [this, p](Engine&) { repair_one(p); });
    schedule_failure(p);
  }

  /// The `pick`-th GPU held by class c on pool p failed.
  void fail_held(std::size_t p, std::size_t c, std::int64_t pick) {
    Pool& pool = pools_[p];
    if (c == kTraining) {
      for (std::size_t k = 0; k < campaigns_.size(); ++k) {
        if (pick < campaigns_[k].gang[p]) {
          lose_gang_gpus(k, p, 1, true);
          return;
        }
        pick -= campaigns_[k].gang[p];
      }
    } else if (c == kInference) {
      account_inference(now());
      move(p, &pool.held[c], &pool.down, 1);
      return;
    } else if (c == kReserved) {
      for (auto& k : contracts_) {
        if (pick < k.held[p]) {
          --k.held[p];
          reprice_contracts(p);
          --k.total;
          move(p, &pool.held[c], &pool.down, 1);
          request_reconcile();
          return;
        }
        pick -= k.held[p];
      }
    } else {
      // A job loses the GPU and stops; its other GPUs go back to idle.
      auto& list = running_on(p, c);
      for (const std::uint32_t slot : list) {
        if (pick < running_[slot].gpus) {
          end_job(slot, true);
          move(p, &pool.idle, &pool.down, 1);
          dispatch(static_cast<std::uint32_t>(p));
          return;
        }
        pick -= running_[slot].gpus;
      }
    }
  }

  void repair_one(std::size_t p) {
    Pool& pool = pools_[p];
    if (!pool.in_service || pool.down == 0) return;
    move(p, &pool.down, &pool.idle, 1);
    schedule_failure(p);
    dispatch(static_cast<std::uint32_t>(p));
  }

  // Job streams: rentals and experiments ------------------------------------------------
  void add_stream(const RentalSpec& spec) {
    Stream st;
    st.spec = &spec;
    st.cls = static_cast<std::size_t>(spec.work_class);
    st.arrivals_rng = stream("rentals." + spec.id + ".arrivals");
    st.gpus_rng = stream("rentals." + spec.id + ".gpus");
    st.duration_rng = stream("rentals." + spec.id + ".duration");
    st.wtp_rng = stream("rentals." + spec.id + ".willingness_to_pay");
    for (const std::size_t p : spec.pools) {
      if (!s_.policy.allows(spec.work_class, s_.pools[p].gpu)) continue;
      st.pools.push_back(static_cast<std::uint32_t>(p));
      st.largest_pool = std::max(st.largest_pool, s_.pools[p].count);
    }
    std::sort(st.pools.begin(), st.pools.end(),
              [&](std::uint32_t a, std::uint32_t b) { return s_.pools[a].id < s_.pools[b].id; });
    st.stats.id = spec.id;
    st.stats.work_class = spec.work_class;
    streams_.push_back(std::move(st));
  }

  /// Next arrival: a replayed trace job, or the next point of a piecewise-constant Poisson
  /// process found by inverting its cumulative rate (an Exp(1) amount of rate-hours).
  void schedule_arrival(std::size_t i) {
    Stream& st = streams_[i];
    if (!st.spec->trace.empty()) {
      if (st.trace_next >= st.spec->trace.size()) return;
      const auto at = to_seconds(st.spec->trace[st.trace_next].submit_hours);
      if (at >= s_.horizon.seconds) return;
      engine_.schedule_at(Time{std::max(at, now())}, [this, i](Engine&) { arrive(i); });
      return;
    }
    const auto& segs = st.spec->arrivals;
    double need = boost::random::exponential_distribution<double>(1.0)(st.arrivals_rng);
    const double horizon_h = sim::to_hours(s_.horizon - Time{});
    for (;;) {
      const double rate = segs[st.segment].per_hour;
      const double seg_end = st.segment + 1 < segs.size()
                                 ? sim::to_hours(segs[st.segment + 1].from - Time{})
                                 : std::numeric_limits<double>::infinity();
      if (rate > 0 && st.clock_hours + need / rate < seg_end) {
        st.clock_hours += need / rate;
        break;
      }
      if (st.segment + 1 >= segs.size() || seg_end >= horizon_h) return;
      need -= rate * (seg_end - st.clock_hours);
      st.clock_hours = seg_end;
      ++st.segment;
    }
    const auto at = to_seconds(st.clock_hours);
    if (at >= s_.horizon.seconds) return;
    engine_.schedule_at(Time{at}, [this, i](Engine&) { arrive(i); });
  }

  /// GPUs of pool p that a job of class c may take now.
  std::int64_t room(std::size_t p, std::size_t c) const {
    const Pool& pool = pools_[p];
    return pool.idle - pool.claimed - (external(c) ? pool.reserve : 0);
  }

  /// True when a stream of a higher class waits for pool p: a new arrival may not jump
  /// ahead of it, or small low-priority jobs would starve a large high-priority head.
  bool outranked_on(std::size_t i, std::uint32_t p) {
    const int mine = s_.policy.rank(streams_[i].spec->work_class);
    for (std::size_t j = 0; j < streams_.size(); ++j) {
      Stream& other = streams_[j];
      if (j == i || s_.policy.rank(other.spec->work_class) >= mine) continue;
      drop_gone(other);
      if (other.queue.empty()) continue;
      if (std::find(other.pools.begin(), other.pools.end(), p) != other.pools.end()) return true;
    }
    return false;
  }

  void arrive(std::size_t i) {
    Stream& st = streams_[i];
    std::int64_t gpus = 0;
    std::int64_t duration = 0;
    if (!st.spec->trace.empty()) {
      const auto& job = st.spec->trace[st.trace_next++];
      gpus = job.gpus;
      duration = to_seconds(job.duration_hours);
    } else {
      gpus = std::max<std::int64_t>(1, std::llround(st.spec->gpus->sample(st.gpus_rng)));
      duration = to_seconds(st.spec->duration_hours->sample(st.duration_rng));
    }
    schedule_arrival(i);
    const bool counted = in_window(now());
    if (counted) ++st.stats.arrived;

    drop_gone(st);
    if (st.queue.empty()) {
      // The eligible pool with the most room; ties go to the smaller id.
      std::uint32_t best = 0;
      std::int64_t best_room = -1;
      for (const std::uint32_t p : st.pools) {
        if (outranked_on(i, p)) continue;
        const std::int64_t r = room(p, st.cls);
        if (r >= gpus && r > best_room) {
          best = p;
          best_room = r;
        }
      }
      if (best_room >= 0) {
        // Priced at the start: a customer who would pay less than the quote walks away.
        const PricingModel* model = start_pricing(st.cls);
        if (model && model->willingness_to_pay() &&
            model->willingness_to_pay()->sample(st.wtp_rng) < start_price(i, best)) {
          if (counted) ++st.stats.declined;
          return;
        }
        start_job(i, best, gpus, duration, now(), counted);
        return;
      }
    }
    if (st.spec->patience_hours <= 0 || gpus > st.largest_pool) {
      if (counted) ++st.stats.lost;
      return;
    }
    Waiting w{now(), gpus, duration, {}, false, counted};
    const auto slot = acquire_waiting(w);
    if (std::isfinite(st.spec->patience_hours)) {
      waiting_[slot].renege = engine_.schedule_in(sim::seconds(to_seconds(st.spec->patience_hours)),
                                                  [this, i, slot](Engine&) { renege(i, slot); });
    }
    st.queue.push_back(slot);
  }

  void renege(std::size_t i, std::uint32_t slot) {
    Waiting& w = waiting_[slot];
    w.gone = true;
    if (w.counted) ++streams_[i].stats.reneged;
    // The request behind it may fit where this one did not.
    for (const std::uint32_t p : streams_[i].pools) dispatch(p);
  }

  void start_job(std::size_t i, std::uint32_t p, std::int64_t gpus, std::int64_t duration,
                 std::int64_t arrived, bool counted) {
    Stream& st = streams_[i];
    Pool& pool = pools_[p];
    const double price = start_price(i, p);  // quoted before the job's own GPUs count as busy
    move(p, &pool.idle, &pool.held[st.cls], gpus);
    st.advance(now());
    st.busy += gpus;
    if (counted) {
      ++st.stats.served;
      st.waits.push_back(now() - arrived);
    }
    std::uint32_t slot;
    if (free_running_.empty()) {
      slot = static_cast<std::uint32_t>(running_.size());
      running_.emplace_back();
    } else {
      slot = free_running_.back();
      free_running_.pop_back();
    }
    auto& list = running_on(p, st.cls);
    running_[slot] = Running{p,
                             static_cast<std::uint32_t>(i),
                             gpus,
                             now() + duration,
                             {},
                             price,
                             static_cast<std::uint32_t>(list.size()),
                             true,
                             false,
                             counted};
    pool.usd_per_hour[st.cls] += static_cast<double>(gpus) * price;
    list.push_back(slot);
    running_[slot].departure =
        engine_.schedule_in(sim::seconds(duration), [this, slot](Engine&) { depart(slot); });
  }

  void depart(std::uint32_t slot) {
    const std::uint32_t p = running_[slot].pool;
    end_job(slot, false);
    dispatch(p);
  }

  /// Ends a running job now; `cut_short` counts it as preempted.
  void end_job(std::uint32_t slot, bool cut_short) {
    Running& r = running_[slot];
    Stream& st = streams_[r.stream];
    Pool& pool = pools_[r.pool];
    engine_.cancel(r.departure);
    if (cut_short && !r.leaving && r.counted) {
      ++st.stats.preempted;
      st.stats.preempted_gpu_seconds += r.gpus * (r.end - now());
    }
    if (r.leaving) leaving_[r.pool * kClassCount + st.cls] -= r.gpus;
    move(r.pool, &pool.held[st.cls], &pool.idle, r.gpus);
    pool.usd_per_hour[st.cls] -= static_cast<double>(r.gpus) * r.usd_per_gpu_hour;
    st.advance(now());
    st.busy -= r.gpus;
    auto& list = running_on(r.pool, st.cls);
    const std::uint32_t moved = list.back();
    list[r.index_in_pool] = moved;
    running_[moved].index_in_pool = r.index_in_pool;
    list.pop_back();
    r.live = false;
    free_running_.push_back(slot);
  }

  /// Preempts jobs of class c on pool p until `gpus` GPUs are leaving; the youngest go
  /// first. With a notice period they keep running until it ends.
  void preempt(std::size_t p, std::size_t c, std::int64_t gpus) {
    const double notice_h = c == index(WorkClass::spot) ? s_.policy.spot_notice_hours : 0.0;
    const std::int64_t notice = to_seconds(notice_h);
    std::vector<std::uint32_t> order = running_on(p, c);
    // Jobs that end soonest go first: they lose the least.
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
      return running_[a].end < running_[b].end || (running_[a].end == running_[b].end && a < b);
    });
    for (const std::uint32_t slot : order) {
      if (gpus <= 0) break;
      Running& r = running_[slot];
      if (r.leaving) continue;
      gpus -= r.gpus;
      if (notice == 0) {
        end_job(slot, true);
        continue;
      }
      Stream& st = streams_[r.stream];
      if (r.counted) {
        ++st.stats.preempted;
        st.stats.preempted_gpu_seconds +=
            r.gpus * std::max<std::int64_t>(0, r.end - now() - notice);
      }
      r.leaving = true;
      if (r.end > now() + notice) {
        engine_.cancel(r.departure);
        r.end = now() + notice;
        r.departure = engine_.schedule_at(Time{r.end}, [this, slot](Engine&) { depart(slot); });
      }
      leaving_[p * kClassCount + c] += r.gpus;
    }
  }

  /// Starts waiting requests on pool p: higher classes first, then the oldest head; each
  /// stream is FIFO, so a head that does not fit blocks its stream.
  void dispatch(std::uint32_t p) {
    for (;;) {
      std::size_t pick = streams_.size();
      std::pair<int, std::int64_t> best{std::numeric_limits<int>::max(), kNever};
      for (std::size_t i = 0; i < streams_.size(); ++i) {
        Stream& st = streams_[i];
        drop_gone(st);
        if (st.queue.empty()) continue;
        if (std::find(st.pools.begin(), st.pools.end(), p) == st.pools.end()) continue;
        const Waiting& head = waiting_[st.queue.front()];
        if (head.gpus > room(p, st.cls)) continue;
        const std::pair<int, std::int64_t> key{s_.policy.rank(st.spec->work_class), head.arrived};
        if (key < best) {
          best = key;
          pick = i;
        }
      }
      if (pick == streams_.size()) return;
      Stream& st = streams_[pick];
      const std::uint32_t slot = st.queue.front();
      st.queue.pop_front();
      Waiting& w = waiting_[slot];
      engine_.cancel(w.renege);
      free_waiting_.push_back(slot);
      start_job(pick, p, w.gpus, w.duration, w.arrived, w.counted);
    }
  }

  void drop_gone(Stream& st) {
    while (!st.queue.empty() && waiting_[st.queue.front()].gone) {
      free_waiting_.push_back(st.queue.front());
      st.queue.pop_front();
    }
  }

  std::uint32_t acquire_waiting(const Waiting& w) {
    if (free_waiting_.empty()) {
      waiting_.push_back(w);
      return static_cast<std::uint32_t>(waiting_.size() - 1);
    }
    const std::uint32_t slot = free_waiting_.back();
    free_waiting_.pop_back();
    waiting_[slot] = w;
    return slot;
  }

  // Contracts ----------------------------------------------------------------------------
  void begin_contract(std::size_t k) {
    Contract& kc = contracts_[k];
    kc.active = true;
    if (const PricingModel* model = start_pricing(kReserved)) {
      const double term_days =
          static_cast<double>((kc.spec->end - kc.spec->begin).seconds) / sim::kSecondsPerDay;
      for (std::size_t p = 0; p < pools_.size(); ++p) {
        const GpuType& type = *pools_[p].type;
        kc.usd_per_gpu_hour[p] =
            model->quote(s_.start, engine_.now(), type,
                         type.rental_usd_per_gpu_hour.on_demand.value_or(0.0), 0.0, term_days);
      }
    }
    reconcile();
  }

  /// The pricing model of class c when it prices work at its start; else null.
  const PricingModel* start_pricing(std::size_t c) const {
    if (!s_.finance) return nullptr;
    const auto& model = s_.finance->prices[c];
    return model && model->priced_at_start() ? model.get() : nullptr;
  }

  /// The price a job of stream i starting now on pool p pays for its whole run: the quote
  /// at the utilization of the stream's eligible pools; 0 when the class is not priced at start.
  double start_price(std::size_t i, std::uint32_t p) const {
    const Stream& st = streams_[i];
    const PricingModel* model = start_pricing(st.cls);
    if (!model) return 0.0;
    std::int64_t busy = 0;
    std::int64_t installed = 0;
    for (const std::uint32_t q : st.pools) {
      installed += pools_[q].installed - pools_[q].down;
      for (const auto h : pools_[q].held) busy += h;
    }
    const double utilization =
        installed > 0 ? static_cast<double>(busy) / static_cast<double>(installed) : 0.0;
    const GpuType& type = *pools_[p].type;
    const auto& list = type.rental_usd_per_gpu_hour;
    const double list_price = st.cls == index(WorkClass::spot)
                                  ? list.spot.value_or(list.on_demand.value_or(0.0))
                                  : list.on_demand.value_or(0.0);
    return model->quote(s_.start, engine_.now(), type, list_price, utilization, 0.0);
  }

  /// Sets pool p's revenue rate from the contracts' GPUs there and their prices.
  void reprice_contracts(std::size_t p) {
    Pool& pool = pools_[p];
    pool.advance(now());
    double rate = 0;
    for (const auto& k : contracts_) {
      rate += static_cast<double>(k.held[p]) * k.usd_per_gpu_hour[p];
    }
    pool.usd_per_hour[kReserved] = rate;
  }

  void end_contract(std::size_t k) {
    Contract& kc = contracts_[k];
    kc.active = false;
    for (std::size_t p = 0; p < pools_.size(); ++p) {
      if (kc.held[p] == 0) continue;
      move(p, &pools_[p].held[kReserved], &pools_[p].idle, kc.held[p]);
      kc.held[p] = 0;
      reprice_contracts(p);
      dispatch(static_cast<std::uint32_t>(p));
    }
    kc.total = 0;
    request_reconcile();
  }

  // Training campaigns -------------------------------------------------------------------
  void plan_campaigns() {
    if (campaigns_.empty()) return;
    std::vector<CampaignNode> nodes;
    for (const auto& c : campaigns_) {
      CampaignNode n;
      n.id = c.spec->id;
      // The plan runs on the fastest eligible GPU type, with unlimited GPUs and no failures.
      double factor = 0;
      for (std::size_t p = 0; p < pools_.size(); ++p) {
        const bool eligible =
            std::find(c.spec->pools.begin(), c.spec->pools.end(), p) != c.spec->pools.end() &&
            s_.policy.allows(WorkClass::training, s_.pools[p].gpu);
        if (eligible) factor = std::max(factor, pools_[p].type->training_factor);
      }
      n.duration_hours =
          c.spec->gpu_hours / static_cast<double>(c.spec->gpus) / (factor > 0 ? factor : 1.0);
      n.earliest_start_hours = sim::to_hours(c.spec->earliest_start - Time{});
      for (const std::size_t a : c.spec->after) n.after.push_back(s_.campaigns[a].id);
      nodes.push_back(n);
    }
    Diagnostics diag(s_.file);
    const CampaignGraph graph(nodes, diag, "/workloads/training/campaigns");
    const CriticalPath plan = graph.critical_path();
    for (std::size_t k = 0; k < campaigns_.size(); ++k) {
      campaigns_[k].stats.planned_start_hours = plan.earliest_start_hours[k];
      campaigns_[k].stats.planned_finish_hours =
          plan.earliest_start_hours[k] + nodes[k].duration_hours;
    }
  }

  /// Campaigns by their "priority", then file order: 0, 1, 2, ... within the training rank.
  std::vector<int> campaign_ranks() const {
    std::vector<std::size_t> order(campaigns_.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return campaigns_[a].spec->priority < campaigns_[b].spec->priority;
    });
    std::vector<int> rank(campaigns_.size());
    for (std::size_t i = 0; i < order.size(); ++i) rank[order[i]] = static_cast<int>(i);
    return rank;
  }

  void schedule_ready(std::size_t k) {
    const Time at = std::max(campaigns_[k].spec->earliest_start, engine_.now());
    if (at >= s_.horizon) return;
    engine_.schedule_at(at, [this, k](Engine&) {
      campaigns_[k].state = CampaignState::ready;
      request_reconcile();  // after every campaign that becomes ready in this instant
    });
  }

  /// Work per hour of the current gang, in H100-equivalent GPU-hours.
  double gang_rate(const Campaign& c) const {
    double rate = 0;
    for (std::size_t p = 0; p < pools_.size(); ++p) {
      rate += static_cast<double>(c.gang[p]) * pools_[p].type->training_factor;
    }
    return rate;
  }

  void start_campaign(std::size_t k, const std::vector<std::int64_t>& gang) {
    Campaign& c = campaigns_[k];
    for (std::size_t p = 0; p < pools_.size(); ++p) {
      if (gang[p] == 0) continue;
      move(p, &pools_[p].idle, &pools_[p].held[kTraining], gang[p]);
      c.gang[p] = gang[p];
    }
    c.held = c.spec->gpus;
    c.state = CampaignState::running;
    c.stats.start_hours = sim::to_hours(engine_.now() - Time{});
    resume(k);
  }

  /// Progress resumes (after a start, a restart, or a stall).
  void resume(std::size_t k) {
    Campaign& c = campaigns_[k];
    if (c.stalled_since >= 0) {
      charge_lost(k, now() - c.stalled_since);
      c.stalled_since = -1;
    }
    c.rate = gang_rate(c);
    c.progress_since = now();
    const double hours_left = (c.spec->gpu_hours - c.work_done) / c.rate;
    const std::int64_t at = now() + std::max<std::int64_t>(0, to_seconds(hours_left));
    if (at < s_.horizon.seconds) {
      c.completion = engine_.schedule_at(Time{at}, [this, k](Engine&) { finish_campaign(k); });
    }
  }

  /// Charges the stall so far to the gang as it is, before the gang changes.
  void settle_stall(std::size_t k) {
    Campaign& c = campaigns_[k];
    if (c.stalled_since < 0) return;
    charge_lost(k, now() - c.stalled_since);
    c.stalled_since = now();
  }

  /// Lost GPU-seconds of campaign k: `seconds` of its whole current gang.
  void charge_lost(std::size_t k, std::int64_t seconds) {
    Campaign& c = campaigns_[k];
    for (std::size_t p = 0; p < pools_.size(); ++p) {
      if (c.gang[p] == 0) continue;
      pools_[p].advance(now());
      pools_[p].acc.training_lost += c.gang[p] * seconds;
    }
    c.stats.lost_gpu_seconds += c.held * seconds;
  }

  /// The campaign stops progressing: work since the last checkpoint is lost.
  void stop_progress(std::size_t k) {
    Campaign& c = campaigns_[k];
    if (c.progress_since < 0) return;
    engine_.cancel(c.completion);
    const std::int64_t elapsed = now() - c.progress_since;
    const std::int64_t checkpoint = std::max<std::int64_t>(1, to_seconds(c.spec->checkpoint_hours));
    const std::int64_t saved = elapsed / checkpoint * checkpoint;
    c.work_done += c.rate * sim::to_hours(sim::seconds(saved));
    charge_lost(k, elapsed - saved);
    c.progress_since = -1;
    c.stalled_since = now();
  }

  /// Campaign k loses `n` GPUs of pool p: one failed (it goes down), or the pool retired.
  void lose_gang_gpus(std::size_t k, std::size_t p, std::int64_t n, bool failure) {
    Campaign& c = campaigns_[k];
    stop_progress(k);
    settle_stall(k);
    if (failure && in_window(now())) ++c.stats.failures;
    engine_.cancel(c.resume);
    move(p, &pools_[p].held[kTraining], failure ? &pools_[p].down : &pools_[p].idle, n);
    c.gang[p] -= n;
    c.held -= n;
    c.missing += n;
    // Replacements come from idle GPUs of eligible pools at once when there are any.
    replace_missing(k);
    if (c.missing > 0) {
      request_reconcile();
      return;
    }
    schedule_restart(k);
  }

  /// Replacements for failed gang GPUs: idle GPUs of eligible pools first, then GPUs that
  /// serve inference there (a level, so it gives way at once and is rebalanced at the next
  /// reconcile). What is still missing waits for the allocator.
  void replace_missing(std::size_t k) {
    Campaign& c = campaigns_[k];
    for (const bool from_inference : {false, true}) {
      if (from_inference &&
          s_.policy.rank(WorkClass::inference) < s_.policy.rank(WorkClass::training))
        break;
      for (const std::uint32_t p : by_id_) {
        if (c.missing == 0) return;
        if (!campaign_may_use(c, p)) continue;
        Pool& pool = pools_[p];
        std::int64_t* from = from_inference ? &pool.held[kInference] : &pool.idle;
        const std::int64_t available = from_inference ? *from : pool.idle - pool.claimed;
        const std::int64_t take = std::min(c.missing, available);
        if (take <= 0) continue;
        if (from_inference) account_inference(now());
        settle_stall(k);
        move(p, from, &pool.held[kTraining], take);
        c.gang[p] += take;
        c.held += take;
        c.missing -= take;
      }
    }
  }

  void schedule_restart(std::size_t k) {
    Campaign& c = campaigns_[k];
    c.resume = engine_.schedule_in(sim::seconds(to_seconds(c.spec->restart_hours)),
                                   [this, k](Engine&) { resume(k); });
  }

  bool campaign_may_use(const Campaign& c, std::size_t p) const {
    return pools_[p].in_service &&
           std::find(c.spec->pools.begin(), c.spec->pools.end(), p) != c.spec->pools.end() &&
           s_.policy.allows(WorkClass::training, s_.pools[p].gpu);
  }

  void finish_campaign(std::size_t k) {
    Campaign& c = campaigns_[k];
    c.work_done = c.spec->gpu_hours;
    c.progress_since = -1;
    c.state = CampaignState::finished;
    c.stats.finish_hours = sim::to_hours(engine_.now() - Time{});
    for (std::size_t p = 0; p < pools_.size(); ++p) {
      if (c.gang[p] == 0) continue;
      move(p, &pools_[p].held[kTraining], &pools_[p].idle, c.gang[p]);
      c.gang[p] = 0;
      dispatch(static_cast<std::uint32_t>(p));
    }
    c.held = 0;
    for (std::size_t j = 0; j < campaigns_.size(); ++j) {
      const auto& after = campaigns_[j].spec->after;
      if (std::find(after.begin(), after.end(), k) == after.end()) continue;
      if (--campaigns_[j].pending_parents == 0) schedule_ready(j);
    }
    request_reconcile();
  }

  // Allocation ---------------------------------------------------------------------------
  void schedule_tick(std::int64_t at) {
    if (at >= s_.horizon.seconds) return;
    engine_.schedule_at(Time{at}, [this](Engine&) {
      reconcile();
      schedule_tick(now() + std::max<std::int64_t>(1, to_seconds(s_.policy.reconcile_hours)));
    });
  }

  /// A reconcile later in this instant, after the other events of the instant.
  void request_reconcile() {
    if (reconcile_pending_ || !needs_reconcile()) return;
    reconcile_pending_ = true;
    engine_.schedule_at(
        engine_.now(),
        [this](Engine&) {
          reconcile_pending_ = false;
          reconcile();
        },
        Priority::accounting);
  }

  double inference_demand_gpus() {
    double total = 0;
    for (std::size_t i = 0; i < inference_.size(); ++i) {
      total += inference_[i].next(engine_.now()) * s_.inference[i].gpus_per_unit;
    }
    return total;
  }

  /// Decides how the GPUs not pinned by non-preemptible work are shared among inference,
  /// waiting campaigns, contracts short of their GPUs and preemptible jobs: a min-cost
  /// flow over the pool-by-class graph (allocate()), then applied: releases first, then
  /// grants in priority order; what cannot be granted until preempted jobs leave is
  /// claimed, and the reconcile runs again when their notice ends.
  void reconcile() {
    const std::int64_t t = now();
    // Inference demand is a level held until the next reconcile step.
    if (!inference_.empty()) account_inference(t);
    if (!inference_.empty() && t >= next_demand_at_) {
      demand_gpus_ = inference_demand_gpus();
      next_demand_at_ = t + std::max<std::int64_t>(1, to_seconds(s_.policy.reconcile_hours));
    }
    const std::size_t n = pools_.size();
    std::vector<AllocPool> pools(n);
    for (std::size_t p = 0; p < n; ++p) {
      const Pool& pool = pools_[p];
      std::int64_t pinned = 0;
      for (std::size_t c = 0; c < kClassCount; ++c) {
        const bool flexible = c == kInference || (s_.policy.preemptible[c]);
        if (!flexible) pinned += pool.held[c];
      }
      // GPUs of preempted jobs running out their notice count as free: they can be given
      // (and claimed) now, though they are taken only when the jobs leave.
      pools[p].id = pool.spec->id;
      pools[p].gpu = pool.spec->id;
      pools[p].free =
          pool.in_service ? std::max<std::int64_t>(0, pool.installed - pool.down - pinned) : 0;
      pools[p].reserve = std::min(pools[p].free, pool.reserve);
    }
    // The flow sees each pool as its own "type", so eligibility can name pools.
    enum class Kind { inference, campaign, contract, keep };
    struct Entry {
      Kind kind;
      std::size_t index;
      std::size_t pool = 0;  // keep: the pool whose jobs this is
    };
    std::vector<AllocClass> classes;
    std::vector<Entry> entries;
    auto add = [&](AllocClass a, Entry e, auto&& eligible) {
      for (const std::uint32_t p : by_id_) {
        if (eligible(p) && pools[p].free > 0) a.gpu_types.push_back(pools[p].gpu);
      }
      if (a.gpu_types.empty() || a.demand <= 0) return;  // empty would mean "every pool"
      classes.push_back(std::move(a));
      entries.push_back(e);
    };
    const int level = 1000;  // campaigns and contracts keep their file order within a rank
    if (!inference_.empty()) {
      double weight = 0;
      double capacity = 0;
      for (std::size_t p = 0; p < n; ++p) {
        if (!inference_may_use(p)) continue;
        weight += static_cast<double>(pools[p].free) * pools_[p].type->inference_factor;
        capacity += static_cast<double>(pools[p].free);
      }
      const double mean_factor = capacity > 0 ? weight / capacity : 1.0;
      AllocClass a;
      a.id = "inference";
      a.priority = s_.policy.rank(WorkClass::inference) * level;
      a.demand = static_cast<std::int64_t>(std::ceil(demand_gpus_ / mean_factor - 1e-9));
      add(a, {Kind::inference, 0}, [&](std::size_t p) { return inference_may_use(p); });
    }
    for (std::size_t k = 0; k < campaigns_.size(); ++k) {
      const Campaign& c = campaigns_[k];
      const bool waiting = c.state == CampaignState::ready;
      const bool short_of_gpus = c.state == CampaignState::running && c.missing > 0;
      if (!waiting && !short_of_gpus) continue;
      AllocClass a;
      a.id = "campaign:" + c.spec->id;
      a.priority = s_.policy.rank(WorkClass::training) * level + campaign_order_[k];
      a.demand = waiting ? c.spec->gpus : c.missing;
      a.all_or_nothing = true;
      add(a, {Kind::campaign, k}, [&](std::size_t p) { return campaign_may_use(c, p); });
    }
    for (std::size_t k = 0; k < contracts_.size(); ++k) {
      const Contract& kc = contracts_[k];
      if (!kc.active || kc.total >= kc.spec->gpus) continue;
      AllocClass a;
      a.id = "contract:" + kc.spec->id;
      a.priority = s_.policy.rank(WorkClass::reserved) * level + static_cast<int>(k);
      a.demand = kc.spec->gpus - kc.total;
      a.internal = false;
      add(a, {Kind::contract, k}, [&](std::size_t p) {
        return pools_[p].in_service &&
               std::find(kc.spec->pools.begin(), kc.spec->pools.end(), p) != kc.spec->pools.end() &&
               s_.policy.allows(WorkClass::reserved, s_.pools[p].gpu);
      });
    }
    for (std::size_t c = 0; c < kClassCount; ++c) {
      if (!s_.policy.preemptible[c]) continue;
      // Preemptible jobs ask to keep what they hold, where they hold it.
      for (std::size_t p = 0; p < n; ++p) {
        AllocClass a;
        a.id = fmt::format("{}@{}", class_name(static_cast<WorkClass>(c)), pools_[p].spec->id);
        a.priority = s_.policy.rank(static_cast<WorkClass>(c)) * level;
        a.internal = !external(c);
        a.demand = pools_[p].held[c] - leaving_[p * kClassCount + c];
        add(a, {Kind::keep, c, p}, [&](std::size_t q) { return q == p; });
      }
    }
    for (auto& pool : pools_) pool.claimed = 0;
    if (classes.empty()) return;
    const Allocation alloc = allocate(pools, classes);

    // Releases: preempt what the flow did not keep; shrink inference where it got less.
    for (std::size_t e = 0; e < entries.size(); ++e) {
      if (entries[e].kind == Kind::keep) {
        const std::int64_t cut = classes[e].demand - alloc.gpus[e][entries[e].pool];
        if (cut > 0) preempt(entries[e].pool, entries[e].index, cut);
      } else if (entries[e].kind == Kind::inference) {
        for (std::size_t p = 0; p < n; ++p) {
          const std::int64_t excess = pools_[p].held[kInference] - alloc.gpus[e][p];
          if (excess > 0) move(p, &pools_[p].held[kInference], &pools_[p].idle, excess);
        }
      }
    }
    // Grants, in priority order.
    std::vector<std::size_t> order(entries.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return classes[a].priority < classes[b].priority;
    });
    bool waiting_for_notice = false;
    for (const std::size_t e : order) {
      const auto& want = alloc.gpus[e];
      switch (entries[e].kind) {
        case Kind::inference:
          for (std::size_t p = 0; p < n; ++p) {
            const std::int64_t more = want[p] - pools_[p].held[kInference];
            if (more <= 0) continue;
            const std::int64_t now_ok = std::min(more, pools_[p].idle - pools_[p].claimed);
            if (now_ok > 0) move(p, &pools_[p].idle, &pools_[p].held[kInference], now_ok);
            if (more > now_ok) {
              pools_[p].claimed += more - now_ok;
              waiting_for_notice = true;
            }
          }
          break;
        case Kind::campaign: {
          const std::size_t k = entries[e].index;
          const std::int64_t got = std::accumulate(want.begin(), want.end(), std::int64_t{0});
          if (got == 0) break;
          bool fits = true;
          for (std::size_t p = 0; p < n; ++p) {
            if (want[p] > pools_[p].idle - pools_[p].claimed) fits = false;
          }
          if (!fits) {
            for (std::size_t p = 0; p < n; ++p)
              pools_[p].claimed += want[p];  // promised, including GPUs freed during the notice
            waiting_for_notice = true;
            break;
          }
          if (campaigns_[k].state == CampaignState::ready) {
            start_campaign(k, want);
          } else {
            Campaign& c = campaigns_[k];
            settle_stall(k);
            for (std::size_t p = 0; p < n; ++p) {
              if (want[p] == 0) continue;
              move(p, &pools_[p].idle, &pools_[p].held[kTraining], want[p]);
              c.gang[p] += want[p];
            }
            c.held += got;
            c.missing -= got;
            if (c.missing == 0) schedule_restart(k);
          }
          break;
        }
        case Kind::contract: {
          Contract& kc = contracts_[entries[e].index];
          for (std::size_t p = 0; p < n; ++p) {
            const std::int64_t take = std::min(want[p], pools_[p].idle - pools_[p].claimed);
            if (take > 0) {
              move(p, &pools_[p].idle, &pools_[p].held[kReserved], take);
              kc.held[p] += take;
              reprice_contracts(p);
              kc.total += take;
            }
            if (want[p] > take) {
              pools_[p].claimed += want[p] - std::max<std::int64_t>(0, take);
              waiting_for_notice = true;
            }
          }
          break;
        }
        case Kind::keep:
          break;
      }
    }
    if (!inference_.empty()) balance_inference();
    // GPUs given back (by inference, say) go to waiting jobs at once.
    if (!streams_.empty()) {
      for (const std::uint32_t p : by_id_) dispatch(p);
    }
    if (waiting_for_notice && s_.policy.spot_notice_hours > 0) {
      const std::int64_t at = t + to_seconds(s_.policy.spot_notice_hours);
      if (at < s_.horizon.seconds && at != notice_reconcile_at_) {
        notice_reconcile_at_ = at;
        engine_.schedule_at(
            Time{at}, [this](Engine&) { reconcile(); }, Priority::accounting);
      }
    }
  }

  /// The flow counts GPUs, but GPU types serve different amounts of inference. After the
  /// grants, inference takes idle eligible GPUs (fastest type first) while it serves less
  /// than demand, and gives back GPUs (slowest first) it does not need.
  void balance_inference() {
    std::vector<std::uint32_t> order;
    for (const std::uint32_t p : by_id_) {
      if (inference_may_use(p)) order.push_back(p);
    }
    std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
      return pools_[a].type->inference_factor > pools_[b].type->inference_factor;
    });
    double served = 0;
    for (std::size_t p = 0; p < pools_.size(); ++p) {
      served += static_cast<double>(pools_[p].held[kInference]) * pools_[p].type->inference_factor;
    }
    for (const std::uint32_t p : order) {
      if (served >= demand_gpus_) break;
      Pool& pool = pools_[p];
      const double f = pool.type->inference_factor;
      const auto need = static_cast<std::int64_t>(std::ceil((demand_gpus_ - served) / f - 1e-9));
      const std::int64_t take = std::min(need, pool.idle - pool.claimed);
      if (take <= 0) continue;
      move(p, &pool.idle, &pool.held[kInference], take);
      served += static_cast<double>(take) * f;
    }
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
      Pool& pool = pools_[*it];
      const double f = pool.type->inference_factor;
      const auto spare = static_cast<std::int64_t>(std::floor((served - demand_gpus_) / f + 1e-9));
      const std::int64_t give = std::min(spare, pool.held[kInference]);
      if (give <= 0) continue;
      move(*it, &pool.held[kInference], &pool.idle, give);
      served -= static_cast<double>(give) * f;
    }
  }

  bool inference_may_use(std::size_t p) const {
    if (!pools_[p].in_service || !s_.policy.allows(WorkClass::inference, s_.pools[p].gpu))
      return false;
    for (const auto& inf : s_.inference) {
      if (std::find(inf.pools.begin(), inf.pools.end(), p) != inf.pools.end()) return true;
    }
    return false;
  }

  /// Integrates inference demand and service since the last demand change.
  void account_inference(std::int64_t t) {
    const std::int64_t from = std::max(last_demand_at_, s_.warmup.seconds);
    if (t > from && last_demand_at_ >= 0) {
      double served = 0;
      for (std::size_t p = 0; p < pools_.size(); ++p) {
        served +=
            static_cast<double>(pools_[p].held[kInference]) * pools_[p].type->inference_factor;
      }
      const double hours = sim::to_hours(sim::seconds(t - from));
      // Each pool serves its share; when the GPUs held could serve more than the demand,
      // every pool's share is scaled down alike.
      const double scale = served > demand_gpus_ ? demand_gpus_ / served : 1.0;
      for (std::size_t p = 0; p < pools_.size(); ++p) {
        if (pools_[p].held[kInference] == 0) continue;
        pools_[p].acc.inference_served_gpu_hours +=
            static_cast<double>(pools_[p].held[kInference]) * pools_[p].type->inference_factor *
            scale * hours;
      }
      served = std::min(served, demand_gpus_);
      segment_demand_ += demand_gpus_ * hours;
      segment_served_ += served * hours;
    }
    last_demand_at_ = t;
  }

  // Accounting -------------------------------------------------------------------------
  void start_window() {
    for (auto& pool : pools_) {
      pool.advance(now());
      pool.acc = {};
    }
    for (auto& st : streams_) {
      st.advance(now());
      st.busy_acc = 0;
    }
    if (!inference_.empty()) {
      account_inference(now());
      segment_demand_ = segment_served_ = 0;
      for (auto& pool : pools_) pool.acc.inference_served_gpu_hours = 0;
    }
    period_begin_ = now();
    segment_begin_ = now();
  }

  void close_period() {
    if (!inference_.empty()) account_inference(now());
    for (std::size_t k = 0; k < campaigns_.size(); ++k) {
      // Stalls spanning a period boundary are charged to each period they cover.
      Campaign& c = campaigns_[k];
      if (c.stalled_since >= 0 && c.state == CampaignState::running) {
        charge_lost(k, now() - c.stalled_since);
        c.stalled_since = now();
      }
    }
    close_segment();
    for (std::size_t p = 0; p < pools_.size(); ++p) {
      result_.rows.push_back(
          PeriodRow{period_index_, Time{period_begin_}, Time{now()}, p, period_acc_[p], 0});
      period_acc_[p] = {};
    }
    ++period_index_;
    period_begin_ = now();
    segment_begin_ = now();
  }

  /// Cuts the current period where a price steps: each pool's GPU-seconds since the last
  /// cut become a segment of the reporting row this period will produce.
  void close_segment() {
    if (!inference_.empty()) {
      account_inference(now());
      result_.inference_pieces.push_back(
          InferencePiece{Time{segment_begin_}, Time{now()}, segment_demand_, segment_served_});
      result_.inference_demand_gpu_hours += segment_demand_;
      result_.inference_served_gpu_hours += segment_served_;
      segment_demand_ = segment_served_ = 0;
    }
    for (std::size_t p = 0; p < pools_.size(); ++p) {
      pools_[p].advance(now());
      const std::size_t row = period_index_ * pools_.size() + p;
      result_.segments.push_back(
          PeriodRow{period_index_, Time{segment_begin_}, Time{now()}, p, pools_[p].acc, row});
      period_acc_[p] += pools_[p].acc;
      pools_[p].acc = {};
    }
    segment_begin_ = now();
  }

  void finish() {
    result_.events_processed = engine_.events_processed();
    result_.inference_unserved_gpu_hours =
        result_.inference_demand_gpu_hours - result_.inference_served_gpu_hours;
    result_.pool_totals.assign(pools_.size(), GpuSeconds{});
    for (const auto& row : result_.rows) {
      result_.pool_totals[row.pool] += row.gpu_seconds;
      result_.totals += row.gpu_seconds;
    }
    const auto window = static_cast<double>(s_.horizon.seconds - s_.warmup.seconds);
    for (auto& st : streams_) {
      st.advance(now());
      StreamStats& out = st.stats;
      for (const std::uint32_t slot : st.queue) {
        const Waiting& w = waiting_[slot];
        if (!w.gone && w.counted) ++out.waiting_at_end;
      }
      const auto count = st.waits.size();
      if (count > 0) {
        const double sum =
            static_cast<double>(std::accumulate(st.waits.begin(), st.waits.end(), std::int64_t{0}));
        out.mean_wait_hours = sum / static_cast<double>(count) / sim::kSecondsPerHour;
        const auto rank = static_cast<std::size_t>(std::ceil(0.95 * static_cast<double>(count)));
        auto nth = st.waits.begin() + static_cast<std::ptrdiff_t>(rank - 1);
        std::nth_element(st.waits.begin(), nth, st.waits.end());
        out.p95_wait_hours = static_cast<double>(*nth) / sim::kSecondsPerHour;
      }
      out.busy_gpu_seconds = st.busy_acc;
      out.mean_gpus_busy = static_cast<double>(st.busy_acc) / window;
      result_.streams.push_back(out);
    }
    for (std::size_t k = 0; k < campaigns_.size(); ++k) {
      Campaign& c = campaigns_[k];
      if (c.progress_since >= 0) {
        c.work_done += c.rate * sim::to_hours(sim::seconds(now() - c.progress_since));
      }
      c.stats.work_done_fraction = std::min(1.0, c.work_done / c.spec->gpu_hours);
      result_.campaigns.push_back(c.stats);
    }
  }

  const Scenario& s_;
  std::uint64_t replication_;
  std::function<void(double)> progress_;  // empty: run in one go
  Engine engine_;
  std::vector<Pool> pools_;
  std::vector<std::uint32_t> by_id_;
  std::vector<Stream> streams_;
  std::vector<Waiting> waiting_;
  std::vector<std::uint32_t> free_waiting_;
  std::vector<Running> running_;
  std::vector<std::uint32_t> free_running_;
  std::vector<std::vector<std::uint32_t>> running_on_;
  std::vector<std::int64_t> leaving_ = std::vector<std::int64_t>(s_.pools.size() * kClassCount, 0);
  std::vector<Contract> contracts_;
  std::vector<Campaign> campaigns_;
  std::vector<int> campaign_order_;
  std::vector<DemandCurve::Sampler> inference_;
  double demand_gpus_ = 0;
  std::int64_t next_demand_at_ = 0;
  std::int64_t last_demand_at_ = -1;
  double segment_demand_ = 0;  // H100-equivalent GPU-hours since the last cut
  double segment_served_ = 0;
  bool reconcile_pending_ = false;
  std::int64_t notice_reconcile_at_ = -1;
  std::size_t period_index_ = 0;
  std::int64_t period_begin_ = 0;
  std::int64_t segment_begin_ = 0;
  std::vector<GpuSeconds> period_acc_ = std::vector<GpuSeconds>(s_.pools.size());
  RunResult result_;
};

}  // namespace

RunResult simulate(const Scenario& scenario, std::uint64_t replication,
                   const std::function<void(double)>& progress) {
  return Run(scenario, replication, progress).run();
}

}  // namespace aidc
