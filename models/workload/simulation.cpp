#include "aidc/models/simulation.hpp"

#include <algorithm>
#include <boost/random/exponential_distribution.hpp>
#include <cmath>
#include <deque>
#include <limits>
#include <numeric>

#include "aidc/sim/engine.hpp"
#include "aidc/sim/rng.hpp"

namespace aidc {

namespace {

using sim::Engine;
using sim::EventId;
using sim::Priority;
using sim::Time;

constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();

/// Counts of one pool's GPUs by state, and their integrals since the last flush.
/// Invariant: installed == idle + busy + down.
struct Pool {
  std::int64_t installed = 0;
  std::int64_t idle = 0;
  std::int64_t busy = 0;
  std::int64_t down = 0;
  std::int64_t last = 0;  // time of the last integration
  GpuSeconds acc;
  void advance(std::int64_t now) {
    const std::int64_t dt = now - last;
    acc.installed += installed * dt;
    acc.idle += idle * dt;
    acc.busy += busy * dt;
    acc.down += down * dt;
    last = now;
  }
};

struct Waiting {
  std::int64_t arrived = 0;
  std::int64_t gpus = 0;
  std::int64_t duration = 0;
  EventId renege{};
  bool gone = false;  // reneged; skipped when it reaches the head
  bool counted = false;
};

struct Running {
  std::uint32_t pool = 0;
  std::uint32_t stream = 0;
  std::int64_t gpus = 0;
  EventId departure{};
  bool live = false;
};

struct Stream {
  const RentalSpec* spec = nullptr;
  sim::Rng arrivals_rng, gpus_rng, duration_rng;
  std::size_t segment = 0;
  double clock_hours = 0;            // exact time of the last arrival, before rounding to seconds
  std::deque<std::uint32_t> queue;   // indices into waiting_
  std::vector<std::uint32_t> pools;  // eligible pools, ordered by id
  std::int64_t largest_pool = 0;
  StreamStats stats;
  std::vector<std::int64_t> waits;  // seconds, served requests that arrived in the window
  std::int64_t busy = 0;            // GPUs busy now
  std::int64_t last = 0;
  std::int64_t busy_acc = 0;
  void advance(std::int64_t now) {
    busy_acc += busy * (now - last);
    last = now;
  }
};

class RentalRun {
 public:
  RentalRun(const Scenario& s, std::uint64_t replication) : s_(s), pools_(s.pools.size()) {
    result_.scenario = s.name;
    result_.seed = s.seed;
    result_.replication = replication;
    result_.window_begin = s.warmup;
    result_.window_end = s.horizon;
    for (std::size_t i = 0; i < s.rentals.size(); ++i) {
      const RentalSpec& spec = s.rentals[i];
      Stream st;
      st.spec = &spec;
      st.arrivals_rng = sim::make_stream(s.seed, replication, "rentals." + spec.id + ".arrivals");
      st.gpus_rng = sim::make_stream(s.seed, replication, "rentals." + spec.id + ".gpus");
      st.duration_rng = sim::make_stream(s.seed, replication, "rentals." + spec.id + ".duration");
      for (const std::size_t p : spec.pools) {
        st.pools.push_back(static_cast<std::uint32_t>(p));
        st.largest_pool = std::max(st.largest_pool, s.pools[p].count);
      }
      // Pools are tried by id, not by their place in the file.
      std::sort(st.pools.begin(), st.pools.end(),
                [&](std::uint32_t a, std::uint32_t b) { return s.pools[a].id < s.pools[b].id; });
      st.stats.id = spec.id;
      streams_.push_back(std::move(st));
    }
  }

  RunResult run() {
    for (std::size_t p = 0; p < s_.pools.size(); ++p) {
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
    if (s_.warmup.seconds > 0) {
      engine_.schedule_at(
          s_.warmup, [this](Engine&) { start_window(); }, Priority::accounting);
    }
    period_ends_ = s_.period_ends();
    for (std::size_t k = 0; k + 1 < period_ends_.size(); ++k) {
      engine_.schedule_at(
          period_ends_[k], [this](Engine&) { close_period(); }, Priority::accounting);
    }
    engine_.run_until(s_.horizon);
    close_period();
    finish();
    return std::move(result_);
  }

 private:
  std::int64_t now() const { return engine_.now().seconds; }
  bool in_window(std::int64_t t) const { return t >= s_.warmup.seconds; }

  // Fleet life -------------------------------------------------------------------------
  void install(std::size_t p) {
    Pool& pool = pools_[p];
    pool.advance(now());
    pool.installed += s_.pools[p].count;
    pool.idle += s_.pools[p].count;
    dispatch(static_cast<std::uint32_t>(p));
  }

  void retire(std::size_t p) {
    Pool& pool = pools_[p];
    for (std::size_t i = 0; i < running_.size(); ++i) {
      Running& r = running_[i];
      if (!r.live || r.pool != p) continue;
      engine_.cancel(r.departure);
      Stream& st = streams_[r.stream];
      st.advance(now());
      st.busy -= r.gpus;
      ++st.stats.preempted;
      release_slot(static_cast<std::uint32_t>(i));
    }
    pool.advance(now());
    pool.installed = pool.idle = pool.busy = pool.down = 0;
  }

  // Rental demand ----------------------------------------------------------------------
  /// Next arrival of a piecewise-constant Poisson process, by inverting its cumulative
  /// rate: an Exp(1) amount of "rate-hours" is consumed segment by segment.
  void schedule_arrival(std::size_t i) {
    Stream& st = streams_[i];
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
      if (st.segment + 1 >= segs.size() || seg_end >= horizon_h) return;  // no more arrivals
      need -= rate * (seg_end - st.clock_hours);
      st.clock_hours = seg_end;
      ++st.segment;
    }
    const auto at = static_cast<std::int64_t>(std::llround(st.clock_hours * sim::kSecondsPerHour));
    if (at >= s_.horizon.seconds) return;
    engine_.schedule_at(Time{at}, [this, i](Engine&) { arrive(i); });
  }

  void arrive(std::size_t i) {
    Stream& st = streams_[i];
    schedule_arrival(i);
    const auto gpus = std::max<std::int64_t>(1, std::llround(st.spec->gpus->sample(st.gpus_rng)));
    const double hours = st.spec->duration_hours->sample(st.duration_rng);
    const auto duration = static_cast<std::int64_t>(std::llround(hours * sim::kSecondsPerHour));
    const bool counted = in_window(now());
    if (counted) ++st.stats.arrived;

    drop_gone(st);
    if (st.queue.empty()) {
      // The eligible pool with the most idle GPUs; ties go to the smaller id.
      std::uint32_t best = 0;
      std::int64_t best_idle = -1;
      for (const std::uint32_t p : st.pools) {
        if (pools_[p].idle >= gpus && pools_[p].idle > best_idle) {
          best = p;
          best_idle = pools_[p].idle;
        }
      }
      if (best_idle >= 0) {
        start(i, best, gpus, duration, now(), counted);
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
      const auto patience =
          static_cast<std::int64_t>(std::llround(st.spec->patience_hours * sim::kSecondsPerHour));
      waiting_[slot].renege = engine_.schedule_in(sim::seconds(patience),
                                                  [this, i, slot](Engine&) { renege(i, slot); });
    }
    st.queue.push_back(slot);
  }

  void renege(std::size_t i, std::uint32_t slot) {
    Waiting& w = waiting_[slot];
    w.gone = true;
    if (w.counted) ++streams_[i].stats.reneged;
  }

  void start(std::size_t i, std::uint32_t p, std::int64_t gpus, std::int64_t duration,
             std::int64_t arrived, bool counted) {
    Stream& st = streams_[i];
    Pool& pool = pools_[p];
    pool.advance(now());
    pool.idle -= gpus;
    pool.busy += gpus;
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
    running_[slot] = Running{p, static_cast<std::uint32_t>(i), gpus, {}, true};
    running_[slot].departure =
        engine_.schedule_in(sim::seconds(duration), [this, slot](Engine&) { depart(slot); });
  }

  void depart(std::uint32_t slot) {
    const Running r = running_[slot];
    release_slot(slot);
    Stream& st = streams_[r.stream];
    st.advance(now());
    st.busy -= r.gpus;
    dispatch(r.pool);
  }

  /// Frees a running slot and its GPUs.
  void release_slot(std::uint32_t slot) {
    Running& r = running_[slot];
    Pool& pool = pools_[r.pool];
    pool.advance(now());
    pool.busy -= r.gpus;
    pool.idle += r.gpus;
    r.live = false;
    free_running_.push_back(slot);
  }

  /// Starts waiting requests on pool `p`, oldest head first across streams; each
  /// stream is FIFO, so a head that does not fit blocks its stream.
  void dispatch(std::uint32_t p) {
    for (;;) {
      std::size_t pick = streams_.size();
      std::int64_t oldest = kNever;
      for (std::size_t i = 0; i < streams_.size(); ++i) {
        Stream& st = streams_[i];
        drop_gone(st);
        if (st.queue.empty()) continue;
        if (std::find(st.pools.begin(), st.pools.end(), p) == st.pools.end()) continue;
        const Waiting& head = waiting_[st.queue.front()];
        if (head.gpus > pools_[p].idle) continue;
        if (head.arrived < oldest) {
          oldest = head.arrived;
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
      start(pick, p, w.gpus, w.duration, w.arrived, w.counted);
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
    period_begin_ = now();
  }

  void close_period() {
    for (std::size_t p = 0; p < pools_.size(); ++p) {
      pools_[p].advance(now());
      result_.rows.push_back(
          PeriodRow{period_index_, Time{period_begin_}, Time{now()}, p, pools_[p].acc});
      pools_[p].acc = {};
    }
    ++period_index_;
    period_begin_ = now();
  }

  void finish() {
    result_.events_processed = engine_.events_processed();
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
      const auto n = st.waits.size();
      if (n > 0) {
        const double sum =
            static_cast<double>(std::accumulate(st.waits.begin(), st.waits.end(), std::int64_t{0}));
        out.mean_wait_hours = sum / static_cast<double>(n) / sim::kSecondsPerHour;
        const std::size_t rank = static_cast<std::size_t>(std::ceil(0.95 * static_cast<double>(n)));
        auto nth = st.waits.begin() + static_cast<std::ptrdiff_t>(rank - 1);
        std::nth_element(st.waits.begin(), nth, st.waits.end());
        out.p95_wait_hours = static_cast<double>(*nth) / sim::kSecondsPerHour;
      }
      out.busy_gpu_seconds = st.busy_acc;
      out.mean_gpus_busy = static_cast<double>(st.busy_acc) / window;
      result_.streams.push_back(out);
    }
  }

  const Scenario& s_;
  Engine engine_;
  std::vector<Pool> pools_;
  std::vector<Stream> streams_;
  std::vector<Waiting> waiting_;
  std::vector<std::uint32_t> free_waiting_;
  std::vector<Running> running_;
  std::vector<std::uint32_t> free_running_;
  std::vector<Time> period_ends_;
  std::size_t period_index_ = 0;
  std::int64_t period_begin_ = 0;
  RunResult result_;
};

}  // namespace

RunResult simulate(const Scenario& scenario, std::uint64_t replication) {
  return RentalRun(scenario, replication).run();
}

}  // namespace aidc
