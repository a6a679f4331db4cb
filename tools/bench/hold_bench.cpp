// The hold model, the classic test of a pending-event set: N events are pending; each
// step removes the earliest and schedules one more at now + Exp(mean). The same loop on
// a bare std::priority_queue shows the engine's overhead as a ratio.
//
//   build/release/aidc-bench --benchmark_filter=Hold

#include <benchmark/benchmark.h>

#include <boost/random/exponential_distribution.hpp>
#include <cmath>
#include <functional>
#include <queue>
#include <vector>

#include "aidc/sim/engine.hpp"
#include "aidc/sim/rng.hpp"

namespace {

using aidc::sim::Engine;

constexpr double kMeanDelaySeconds = 1e6;

std::int64_t draw(aidc::sim::Rng& rng) {
  boost::random::exponential_distribution<double> exp(1.0 / kMeanDelaySeconds);
  return static_cast<std::int64_t>(std::llround(exp(rng)));
}

struct Hold {
  aidc::sim::Rng* rng;
  void operator()(Engine& engine) const {
    engine.schedule_in(aidc::sim::seconds(draw(*rng)), *this);
  }
};

void BM_HoldEngine(benchmark::State& state) {
  aidc::sim::Rng rng(42);
  Engine engine;
  const auto pending = state.range(0);
  for (std::int64_t i = 0; i < pending; ++i) {
    engine.schedule_at(aidc::sim::Time{draw(rng)}, Hold{&rng});
  }
  for (auto _ : state) engine.step();
  state.counters["events_per_second"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_HoldBarePriorityQueue(benchmark::State& state) {
  aidc::sim::Rng rng(42);
  using Entry = std::pair<std::int64_t, std::uint64_t>;  // (time, insertion order)
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> queue;
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

}  // namespace

BENCHMARK(BM_HoldEngine)->Arg(1000)->Arg(10000)->Arg(100000);
BENCHMARK(BM_HoldBarePriorityQueue)->Arg(1000)->Arg(10000)->Arg(100000);
