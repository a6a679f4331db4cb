#pragma once
// Job streams: outside rentals (on-demand, spot) and internal experiments. Requests arrive
// by a piecewise-constant Poisson process or from a trace, take GPUs of one pool, wait in a
// FIFO queue per stream, renege, depart, and are preempted when their class is preemptible.
// The class is declared here and defined in job_streams.cpp.

#include <boost/random/exponential_distribution.hpp>
#include <deque>
#include <limits>
#include <map>
#include <numeric>

#include "kernel.hpp"

namespace aidc::kernel {

constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();

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
  WorkClass cls = WorkClass::on_demand;
  sim::Rng arrivals_rng, gpus_rng, duration_rng, wtp_rng, patience_rng;
  std::size_t segment = 0;
  std::size_t trace_next = 0;
  double clock_hours = 0;
  std::deque<std::uint32_t> queue;
  std::vector<std::uint32_t> pools;         // eligible pools, ordered by id
  std::vector<char> eligible;               // [pool]: whether it is one of `pools`
  int rank = 0;                             // of its class in the policy's order
  std::vector<std::uint32_t> outranked_by;  // streams of a class ranked before its own
  StreamStats stats;
  // Waits of the served in whole seconds, as an exact histogram: counts by value, in an
  // array up to kDenseWaits seconds and in a map beyond, so memory grows with the longest
  // wait, not with the number of jobs.
  static constexpr std::int64_t kDenseWaits = std::int64_t{1} << 18;  // about 73 hours
  std::vector<std::int64_t> short_waits;
  std::map<std::int64_t, std::int64_t> long_waits;
  void count_wait(std::int64_t wait) {
    if (wait >= kDenseWaits) {
      ++long_waits[wait];
      return;
    }
    const auto i = static_cast<std::size_t>(wait);
    if (i >= short_waits.size()) {
      short_waits.resize(std::min<std::size_t>(std::max(2 * short_waits.size(), i + 1),
                                               static_cast<std::size_t>(kDenseWaits)));
    }
    ++short_waits[i];
  }
  std::int64_t wait_count = 0;
  std::int64_t wait_sum = 0;
  std::int64_t reneged_wait = 0;  // seconds the counted reneged requests waited, in all
  std::int64_t busy = 0;
  std::int64_t last = 0;
  std::int64_t busy_acc = 0;
  void advance(std::int64_t now) {
    busy_acc += busy * (now - last);
    last = now;
  }
};

class JobStreams final : public Workload {
 public:
  explicit JobStreams(Kernel& k) : Workload(k) {
    running_on_.assign(k.fleet.size() * kClassCount, {});
    leaving_.assign(k.fleet.size() * kClassCount, 0);
    for (const auto& spec : k.scenario.rentals) add_stream(spec);
    for (Stream& st : streams_) {
      for (std::size_t j = 0; j < streams_.size(); ++j) {
        if (streams_[j].rank < st.rank) st.outranked_by.push_back(static_cast<std::uint32_t>(j));
      }
    }
  }

  std::vector<WorkClass> classes() const override {
    return {WorkClass::experiments, WorkClass::on_demand, WorkClass::spot};
  }
  bool needs_reconcile() const override {
    const auto& s = k_.scenario;
    return std::any_of(s.rentals.begin(), s.rentals.end(), [&](const RentalSpec& r) {
      return s.policy.preemptible[index(r.work_class)];
    });
  }
  bool waits_for_gpus() const override { return !streams_.empty(); }
  void start() override {
    for (std::size_t i = 0; i < streams_.size(); ++i) schedule_arrival(i);
  }

  // Preemptible classes ask the reconcile to keep what they hold, where they hold it: one
  // demand per class, capped on each pool at what it holds there.
  void demands(std::vector<Demand>& out, const std::vector<PoolRoom>& free) override {
    for (const auto& c : kWorkClasses) {
      const std::size_t ci = index(c.id);
      if (!k_.scenario.policy.preemptible[ci]) continue;
      Demand d;
      d.want.priority = k_.scenario.policy.rank(c.id) * kRankLevel;
      d.want.internal = k_.scenario.policy.may_use_reserve[ci];
      d.owner = this;
      d.index = ci;
      for (std::size_t p = 0; p < k_.fleet.size(); ++p) {
        const std::int64_t keep = k_.fleet[p].held[ci] - leaving_[p * kClassCount + ci];
        if (keep <= 0 || free[p].free <= 0) continue;
        d.want.uses.push_back({static_cast<std::uint32_t>(p), 0, keep});
        d.want.demand += keep;
      }
      submit(out, std::move(d));
    }
  }
  void release(const Demand& d, const std::vector<std::int64_t>& got) override {
    for (const PoolUse& use : d.want.uses) {
      const std::int64_t cut = use.cap - got[use.pool];
      if (cut > 0) preempt(use.pool, d.index, cut);
    }
  }
  void freed(std::uint32_t p) override { dispatch(p); }

  void fail(std::size_t p, WorkClass c, std::int64_t pick) override {
    // A job loses the GPU and stops; its other GPUs go back to idle.
    for (const std::uint32_t slot : running_on(p, index(c))) {
      if (pick < running_[slot].gpus) {
        end_job(slot, true);
        k_.fleet.move(p, kIdle, kDown, 1);
        dispatch(static_cast<std::uint32_t>(p));
        return;
      }
      pick -= running_[slot].gpus;
    }
  }
  void retire(std::size_t p) override {
    for (std::size_t c = 0; c < kClassCount; ++c) {
      auto& list = running_on(p, c);
      while (!list.empty()) end_job(list.back(), true);
    }
    refuse_unservable(p);
  }
  void open_window() override {
    for (auto& st : streams_) {
      st.advance(k_.now());
      st.busy_acc = 0;
    }
  }
  void finish(RunResult& r) override {
    const auto window =
        static_cast<double>(k_.scenario.horizon.seconds - k_.scenario.warmup.seconds);
    for (auto& st : streams_) {
      st.advance(k_.now());
      StreamStats& out = st.stats;
      for (const std::uint32_t slot : st.queue) {
        const Waiting& w = waiting_[slot];
        if (!w.gone && w.counted) ++out.waiting_at_end;
      }
      if (st.wait_count > 0) {
        const auto count = static_cast<double>(st.wait_count);
        out.mean_wait_hours = static_cast<double>(st.wait_sum) / count / sim::kSecondsPerHour;
        out.p95_wait_hours = static_cast<double>(nearest_rank(st, 0.95)) / sim::kSecondsPerHour;
      }
      if (out.reneged > 0) {
        out.mean_reneged_wait_hours = static_cast<double>(st.reneged_wait) /
                                      static_cast<double>(out.reneged) / sim::kSecondsPerHour;
      }
      out.busy_gpu_seconds = st.busy_acc;
      out.mean_gpus_busy = static_cast<double>(st.busy_acc) / window;
      r.streams.push_back(out);
    }
  }

 private:
  /// The nearest-rank `q` quantile of the served requests' waits, in seconds.
  static std::int64_t nearest_rank(const Stream& st, double q) {
    const auto rank = static_cast<std::int64_t>(std::ceil(q * static_cast<double>(st.wait_count)));
    std::int64_t below = 0;
    for (std::size_t wait = 0; wait < st.short_waits.size(); ++wait) {
      below += st.short_waits[wait];
      if (rank <= below) return static_cast<std::int64_t>(wait);
    }
    for (const auto& [wait, n] : st.long_waits) {
      below += n;
      if (rank <= below) return wait;
    }
    return 0;  // unreachable: rank <= the number of waits
  }

  std::vector<std::uint32_t>& running_on(std::size_t p, std::size_t c) {
    return running_on_[p * kClassCount + c];
  }

  void add_stream(const RentalSpec& spec) {
    const Scenario& s = k_.scenario;
    Stream st;
    st.spec = &spec;
    st.cls = spec.work_class;
    st.arrivals_rng = k_.stream("rentals." + spec.id + ".arrivals");
    st.gpus_rng = k_.stream("rentals." + spec.id + ".gpus");
    st.duration_rng = k_.stream("rentals." + spec.id + ".duration");
    st.wtp_rng = k_.stream("rentals." + spec.id + ".willingness_to_pay");
    st.patience_rng = k_.stream("rentals." + spec.id + ".patience");
    for (const std::size_t p : spec.pools) {
      if (!s.policy.allows(spec.work_class, s.pools[p].gpu)) continue;
      st.pools.push_back(static_cast<std::uint32_t>(p));
    }
    std::sort(st.pools.begin(), st.pools.end(),
              [&](std::uint32_t a, std::uint32_t b) { return s.pools[a].id < s.pools[b].id; });
    st.eligible.assign(s.pools.size(), 0);
    for (const std::uint32_t p : st.pools) st.eligible[p] = 1;
    st.rank = s.policy.rank(spec.work_class);
    st.stats.id = spec.id;
    st.stats.work_class = spec.work_class;
    streams_.push_back(std::move(st));
  }

  /// Next arrival: a replayed trace job, or the next point of a piecewise-constant Poisson
  /// process found by inverting its cumulative rate (an Exp(1) amount of rate-hours).
  void schedule_arrival(std::size_t i) {
    Stream& st = streams_[i];
    const std::int64_t horizon = k_.scenario.horizon.seconds;
    if (!st.spec->trace.empty()) {
      if (st.trace_next >= st.spec->trace.size()) return;
      const auto at = to_seconds(st.spec->trace[st.trace_next].submit_hours);
      if (at >= horizon) return;
      k_.engine.schedule_at(Time{std::max(at, k_.now())}, [this, i](Engine&) { arrive(i); });
      return;
    }
    const auto& segs = st.spec->arrivals;
    double need = boost::random::exponential_distribution<double>(1.0)(st.arrivals_rng);
    const double horizon_h = sim::to_hours(k_.scenario.horizon - Time{});
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
    if (at >= horizon) return;
    k_.engine.schedule_at(Time{at}, [this, i](Engine&) { arrive(i); });
  }

  /// The streams of a higher class than stream i's with requests waiting: a new arrival may
  /// not jump ahead of them on their pools, or small low-priority jobs would starve a large
  /// high-priority head.
  void waiting_ahead_of(std::size_t i, std::vector<std::uint32_t>& out) {
    out.clear();
    for (const std::uint32_t j : streams_[i].outranked_by) {
      drop_gone(streams_[j]);
      if (!streams_[j].queue.empty()) out.push_back(j);
    }
  }
  bool outranked_on(const std::vector<std::uint32_t>& ahead, std::uint32_t p) const {
    return std::any_of(ahead.begin(), ahead.end(),
                       [&](std::uint32_t j) { return streams_[j].eligible[p] != 0; });
  }

  void arrive(std::size_t i);
  void renege(std::size_t i, std::uint32_t slot);
  void start_job(std::size_t i, std::uint32_t p, std::int64_t gpus, std::int64_t duration,
                 std::int64_t arrived, bool counted);
  void depart(std::uint32_t slot);
  void end_job(std::uint32_t slot, bool cut_short);
  void preempt(std::size_t p, std::size_t c, std::int64_t gpus);
  void dispatch(std::uint32_t p);
  /// The most GPUs one request of stream i could ever get: the largest of its pools in service.
  std::int64_t ceiling(std::size_t i) const;
  /// Pool p left service: requests waiting for its streams that no pool can serve any more
  /// leave their queues as refused.
  void refuse_unservable(std::size_t p);
  double quote(std::size_t i, std::uint32_t p) const;

  void drop_gone(Stream& st) {
    while (!st.queue.empty() && waiting_[st.queue.front()].gone) {
      free_waiting_.push_back(st.queue.front());
      st.queue.pop_front();
      --queued_;
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

  std::vector<Stream> streams_;
  std::vector<Waiting> waiting_;
  std::vector<std::uint32_t> free_waiting_;
  std::vector<Running> running_;
  std::vector<std::uint32_t> free_running_;
  std::vector<std::vector<std::uint32_t>> running_on_;  // [pool x class]: running jobs
  std::vector<std::int64_t> leaving_;   // [pool x class]: GPUs of jobs running out a notice
  std::vector<std::uint32_t> scratch_;  // work space of arrive() and preempt()
  std::size_t queued_ = 0;              // entries of every queue, those gone included
};

}  // namespace aidc::kernel
