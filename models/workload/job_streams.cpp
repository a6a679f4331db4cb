// The job streams' events: arrivals, reneging, starts, departures, preemption and the
// dispatch of waiting requests (the class is in job_streams.hpp).

#include "job_streams.hpp"

namespace aidc::kernel {

void JobStreams::arrive(std::size_t i) {
  Stream& st = streams_[i];
  std::int64_t gpus = 0;
  std::int64_t duration = 0;
  if (!st.spec->trace.empty()) {
    const auto& job = st.spec->trace[st.trace_next++];
    gpus = job.gpus;
    duration = to_seconds(job.duration_hours);
  } else {
    gpus = std::max<std::int64_t>(1, saturated(std::round(st.spec->gpus->sample(st.gpus_rng))));
    duration = to_seconds(st.spec->duration_hours->sample(st.duration_rng));
  }
  schedule_arrival(i);
  const bool counted = k_.in_window(k_.now());
  if (counted) ++st.stats.arrived;

  drop_gone(st);
  if (st.queue.empty()) {
    // The eligible pool with the most room; ties go to the smaller id.
    std::uint32_t best = 0;
    std::int64_t best_room = -1;
    waiting_ahead_of(i, scratch_);
    for (const std::uint32_t p : st.pools) {
      if (!scratch_.empty() && outranked_on(scratch_, p)) continue;
      const std::int64_t r = k_.fleet.room(p, st.cls);
      if (r >= gpus && r > best_room) {
        best = p;
        best_room = r;
      }
    }
    if (best_room >= 0) {
      // Priced at the start: a customer who would pay less than the quote walks away.
      const PricingModel* model = k_.start_pricing(st.cls);
      if (model && model->willingness_to_pay() &&
          model->willingness_to_pay()->sample(st.wtp_rng) < quote(i, best)) {
        if (counted) ++st.stats.declined;
        return;
      }
      start_job(i, best, gpus, duration, k_.now(), counted);
      return;
    }
  }
  if (gpus > ceiling(i)) {
    if (counted) ++st.stats.refused;
    return;
  }
  const Distribution* drawn = st.spec->patience.get();
  if (!drawn && st.spec->patience_hours <= 0) {
    if (counted) ++st.stats.lost;
    return;
  }
  Waiting w{k_.now(), gpus, duration, {}, false, counted};
  const auto slot = acquire_waiting(w);
  // A distribution of patience is drawn only for a request that waits, from its own stream.
  const double patience = drawn ? drawn->sample(st.patience_rng) : st.spec->patience_hours;
  if (std::isfinite(patience)) {
    waiting_[slot].renege = k_.engine.schedule_in(sim::seconds(to_seconds(std::max(0.0, patience))),
                                                  [this, i, slot](Engine&) { renege(i, slot); });
  }
  st.queue.push_back(slot);
  ++queued_;
}

void JobStreams::renege(std::size_t i, std::uint32_t slot) {
  Waiting& w = waiting_[slot];
  w.gone = true;
  if (w.counted) {
    ++streams_[i].stats.reneged;
    streams_[i].reneged_wait += k_.now() - w.arrived;
  }
  // The request behind it may fit where this one did not.
  for (const std::uint32_t p : streams_[i].pools) dispatch(p);
}

void JobStreams::start_job(std::size_t i, std::uint32_t p, std::int64_t gpus, std::int64_t duration,
                           std::int64_t arrived, bool counted) {
  Stream& st = streams_[i];
  // Quoted before the job's own GPUs count as busy.
  const double price = k_.start_pricing(st.cls) ? quote(i, p) : 0.0;
  k_.fleet.move(p, kIdle, held_by(st.cls), gpus);
  st.advance(k_.now());
  st.busy += gpus;
  if (counted) {
    ++st.stats.served;
    const std::int64_t wait = k_.now() - arrived;
    ++st.wait_count;
    st.wait_sum += wait;
    st.count_wait(wait);
  }
  std::uint32_t slot;
  if (free_running_.empty()) {
    slot = static_cast<std::uint32_t>(running_.size());
    running_.emplace_back();
  } else {
    slot = free_running_.back();
    free_running_.pop_back();
  }
  auto& list = running_on(p, index(st.cls));
  running_[slot] = Running{p,
                           static_cast<std::uint32_t>(i),
                           gpus,
                           k_.now() + duration,
                           {},
                           price,
                           static_cast<std::uint32_t>(list.size()),
                           true,
                           false,
                           counted};
  if (price != 0) k_.fleet.add_revenue_rate(p, st.cls, static_cast<double>(gpus) * price);
  list.push_back(slot);
  running_[slot].departure =
      k_.engine.schedule_in(sim::seconds(duration), [this, slot](Engine&) { depart(slot); });
}

void JobStreams::depart(std::uint32_t slot) {
  const std::uint32_t p = running_[slot].pool;
  end_job(slot, false);
  dispatch(p);
}

/// Ends a running job now; `cut_short` counts it as preempted.
void JobStreams::end_job(std::uint32_t slot, bool cut_short) {
  Running& r = running_[slot];
  Stream& st = streams_[r.stream];
  const std::size_t c = index(st.cls);
  k_.engine.cancel(r.departure);
  if (cut_short && !r.leaving && r.counted) {
    ++st.stats.preempted;
    st.stats.preempted_gpu_seconds += r.gpus * (r.end - k_.now());
  }
  if (r.leaving) leaving_[r.pool * kClassCount + c] -= r.gpus;
  k_.fleet.move(r.pool, held_by(st.cls), kIdle, r.gpus);
  if (r.usd_per_gpu_hour != 0) {
    k_.fleet.add_revenue_rate(r.pool, st.cls, -static_cast<double>(r.gpus) * r.usd_per_gpu_hour);
  }
  st.advance(k_.now());
  st.busy -= r.gpus;
  auto& list = running_on(r.pool, c);
  const std::uint32_t moved = list.back();
  list[r.index_in_pool] = moved;
  running_[moved].index_in_pool = r.index_in_pool;
  list.pop_back();
  r.live = false;
  free_running_.push_back(slot);
}

/// Preempts jobs of class c on pool p until `gpus` GPUs are leaving: those that end soonest
/// first, as they lose the least. With a notice period they keep running until it ends.
void JobStreams::preempt(std::size_t p, std::size_t c, std::int64_t gpus) {
  const double notice_h = c == index(WorkClass::spot) ? k_.scenario.policy.spot_notice_hours : 0.0;
  const std::int64_t notice = to_seconds(notice_h);
  // The jobs that end soonest, by selection from a heap: only those preempted are ordered.
  std::vector<std::uint32_t>& order = scratch_;
  order = running_on(p, c);
  const auto ends_later = [&](std::uint32_t a, std::uint32_t b) {
    return running_[a].end > running_[b].end || (running_[a].end == running_[b].end && a > b);
  };
  std::make_heap(order.begin(), order.end(), ends_later);
  for (auto heap_end = order.end(); gpus > 0 && heap_end != order.begin(); --heap_end) {
    std::pop_heap(order.begin(), heap_end, ends_later);
    const std::uint32_t slot = *(heap_end - 1);
    Running& r = running_[slot];
    if (r.leaving) continue;
    gpus -= r.gpus;
    Stream& st = streams_[r.stream];
    if (r.counted) ++st.stats.evicted;
    if (notice == 0) {
      end_job(slot, true);
      continue;
    }
    if (r.counted) {
      ++st.stats.preempted;
      st.stats.preempted_gpu_seconds +=
          r.gpus * std::max<std::int64_t>(0, r.end - k_.now() - notice);
    }
    r.leaving = true;
    if (r.end > k_.now() + notice) {
      k_.engine.cancel(r.departure);
      r.end = k_.now() + notice;
      r.departure = k_.engine.schedule_at(Time{r.end}, [this, slot](Engine&) { depart(slot); });
    }
    leaving_[p * kClassCount + c] += r.gpus;
  }
}

/// Starts waiting requests on pool p: higher classes first, then the oldest head; each
/// stream is FIFO, so a head that does not fit blocks its stream.
void JobStreams::dispatch(std::uint32_t p) {
  while (queued_ > 0) {
    std::size_t pick = streams_.size();
    std::pair<int, std::int64_t> best{std::numeric_limits<int>::max(), kNever};
    for (std::size_t i = 0; i < streams_.size(); ++i) {
      Stream& st = streams_[i];
      drop_gone(st);
      if (st.queue.empty()) continue;
      if (st.eligible[p] == 0) continue;
      const Waiting& head = waiting_[st.queue.front()];
      if (head.gpus > k_.fleet.room(p, st.cls)) continue;
      const std::pair<int, std::int64_t> key{st.rank, head.arrived};
      if (key < best) {
        best = key;
        pick = i;
      }
    }
    if (pick == streams_.size()) return;
    Stream& st = streams_[pick];
    const std::uint32_t slot = st.queue.front();
    st.queue.pop_front();
    --queued_;
    Waiting& w = waiting_[slot];
    k_.engine.cancel(w.renege);
    free_waiting_.push_back(slot);
    start_job(pick, p, w.gpus, w.duration, w.arrived, w.counted);
  }
}

/// The price a job of stream i starting now on pool p pays for its whole run: the quote at
/// the utilization of the stream's eligible pools; 0 when the class is not priced at start.
std::int64_t JobStreams::ceiling(std::size_t i) const {
  const Stream& st = streams_[i];
  std::int64_t most = 0;
  for (const std::uint32_t p : st.pools) {
    if (k_.fleet[p].in_service) most = std::max(most, k_.fleet.capacity(p, st.cls));
  }
  return most;
}

void JobStreams::refuse_unservable(std::size_t p) {
  for (std::size_t i = 0; i < streams_.size(); ++i) {
    Stream& st = streams_[i];
    if (st.eligible[p] == 0 || st.queue.empty()) continue;
    const std::int64_t most = ceiling(i);
    for (const std::uint32_t slot : st.queue) {
      Waiting& w = waiting_[slot];
      if (w.gone || w.gpus <= most) continue;
      w.gone = true;
      k_.engine.cancel(w.renege);
      if (w.counted) ++st.stats.refused;
    }
  }
}

double JobStreams::quote(std::size_t i, std::uint32_t p) const {
  const Stream& st = streams_[i];
  const PricingModel* model = k_.start_pricing(st.cls);
  if (!model) return 0.0;
  const GpuType& type = *k_.fleet[p].type;
  return model->quote(k_.scenario.start, k_.engine.now(), type, list_price(type, st.cls),
                      k_.fleet.utilization(st.pools), 0.0);
}

std::unique_ptr<Workload> make_job_streams(Kernel& k) { return std::make_unique<JobStreams>(k); }

}  // namespace aidc::kernel
