// The hold model, the classic test of a pending-event set: N events are pending; each
// step removes the earliest and schedules one more at now + Exp(mean). The same loop on
// a bare std::priority_queue shows the engine's overhead as a ratio.
//
// The hold model with cancellations: each step removes the earliest, schedules its
// replacement, cancels one of the other pending events at random and schedules a
// replacement for that one too, so N events stay pending and cancellation matters.
//
// Besides the engine itself, three pending sets run under the same small engine frame
// (pending_sets.hpp): a 4-ary heap that leaves cancelled entries in place until their time
// (LazyHeap), an indexed 4-ary heap that removes them at once (IndexedHeap) and a radix heap
// over the integer-second times (RadixHeap), the design the engine uses.
//
//   build/release/aidc-bench --benchmark_filter=Hold --benchmark_repetitions=3
//     --benchmark_report_aggregates_only=true    (one command line)

#include <benchmark/benchmark.h>

#include <boost/random/exponential_distribution.hpp>
#include <cmath>
#include <functional>
#include <queue>
#include <vector>

#include "aidc/sim/engine.hpp"
#include "aidc/sim/rng.hpp"
#include "pending_sets.hpp"

namespace {

using aidc::bench::BenchEngine;
using aidc::bench::IndexedHeap;
using aidc::bench::LazyHeap;
using aidc::bench::RadixHeap;
using aidc::sim::Engine;
using aidc::sim::EventId;
using aidc::sim::Time;

constexpr double kMeanDelaySeconds = 1e6;

std::int64_t draw(aidc::sim::Rng& rng) {
  boost::random::exponential_distribution<double> exp(1.0 / kMeanDelaySeconds);
  return static_cast<std::int64_t>(std::llround(exp(rng)));
}

template <class E>
struct Hold {
  aidc::sim::Rng* rng;
  void operator()(E& engine) const { engine.schedule_in(aidc::sim::seconds(draw(*rng)), *this); }
};

template <class E>
void hold(benchmark::State& state) {
  aidc::sim::Rng rng(42);
  E engine;
  const auto pending = state.range(0);
  for (std::int64_t i = 0; i < pending; ++i) {
    engine.schedule_at(Time{draw(rng)}, Hold<E>{&rng});
  }
  for (auto _ : state) engine.step();
  state.counters["events_per_second"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

// ids[k] is the pending event of index k; each run of event k replaces it, cancels the
// event of another index at random and replaces that one too.
template <class E>
struct CancelModel {
  E engine;
  aidc::sim::Rng rng{42};
  std::vector<EventId> ids;
  void schedule(std::uint32_t k);
};

template <class E>
struct Fire {
  CancelModel<E>* model;
  std::uint32_t k;
  void operator()(E& /*engine*/) const {
    CancelModel<E>& m = *model;
    m.schedule(k);
    auto other = static_cast<std::uint32_t>(m.rng() % (m.ids.size() - 1));
    if (other >= k) ++other;
    m.engine.cancel(m.ids[other]);
    m.schedule(other);
  }
};

template <class E>
void CancelModel<E>::schedule(std::uint32_t k) {
  ids[k] = engine.schedule_in(aidc::sim::seconds(draw(rng)), Fire<E>{this, k});
}

template <class E>
void hold_cancel(benchmark::State& state) {
  CancelModel<E> model;
  const auto pending = static_cast<std::uint32_t>(state.range(0));
  model.ids.resize(pending);
  for (std::uint32_t k = 0; k < pending; ++k) model.schedule(k);
  for (auto _ : state) model.engine.step();
  state.counters["events_per_second"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_HoldEngine(benchmark::State& state) { hold<Engine>(state); }
void BM_HoldLazyHeap(benchmark::State& state) { hold<BenchEngine<LazyHeap>>(state); }
void BM_HoldIndexedHeap(benchmark::State& state) { hold<BenchEngine<IndexedHeap>>(state); }
void BM_HoldRadixHeap(benchmark::State& state) { hold<BenchEngine<RadixHeap>>(state); }
void BM_HoldCancelEngine(benchmark::State& state) { hold_cancel<Engine>(state); }
void BM_HoldCancelLazyHeap(benchmark::State& state) { hold_cancel<BenchEngine<LazyHeap>>(state); }
void BM_HoldCancelIndexedHeap(benchmark::State& state) {
  hold_cancel<BenchEngine<IndexedHeap>>(state);
}
void BM_HoldCancelRadixHeap(benchmark::State& state) { hold_cancel<BenchEngine<RadixHeap>>(state); }

void BM_HoldBarePriorityQueue(benchmark::State& state) {
  aidc::sim::Rng rng(42);
  using Pair = std::pair<std::int64_t, std::uint64_t>;  // (time, insertion order)
  std::priority_queue<Pair, std::vector<Pair>, std::greater<>> queue;
  std::uint64_t seq = 0;
  const auto pending = state.range(0);
  for (std::int64_t i = 0; i < pending; ++i) queue.emplace(draw(rng), seq++);
  for (auto _ : state) {
    const std::int64_t now = queue.top().first;
    queue.pop();
    queue.emplace(now + draw(rng), seq++);
  }
  benchmark::DoNotOptimize(queue.top());
  state.counters["events_per_second"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void hold_sizes(benchmark::internal::Benchmark* b) {
  for (const std::int64_t pending : {1000, 10000, 100000, 1000000}) b->Arg(pending);
}

}  // namespace

BENCHMARK(BM_HoldBarePriorityQueue)->Apply(hold_sizes);
BENCHMARK(BM_HoldEngine)->Apply(hold_sizes);
BENCHMARK(BM_HoldLazyHeap)->Apply(hold_sizes);
BENCHMARK(BM_HoldIndexedHeap)->Apply(hold_sizes);
BENCHMARK(BM_HoldRadixHeap)->Apply(hold_sizes);
BENCHMARK(BM_HoldCancelEngine)->Apply(hold_sizes);
BENCHMARK(BM_HoldCancelLazyHeap)->Apply(hold_sizes);
BENCHMARK(BM_HoldCancelIndexedHeap)->Apply(hold_sizes);
BENCHMARK(BM_HoldCancelRadixHeap)->Apply(hold_sizes);
