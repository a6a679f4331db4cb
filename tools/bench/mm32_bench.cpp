// A whole M/M/32 run with about 1M arrivals, through the library, beside the same model
// as a bare heap loop with no scenario, accounting or output: the price of the layers.
//
//   build/release/aidc-bench --benchmark_filter=MM32

#include <benchmark/benchmark.h>

#include <boost/random/exponential_distribution.hpp>
#include <cmath>
#include <deque>
#include <queue>
#include <vector>

#include "aidc/scenario/scenario.hpp"
#include "aidc/sim/rng.hpp"
#include "aidc/workload/simulation.hpp"

namespace {

constexpr double kArrivalsPerHour = 28.8;
constexpr double kHorizonHours = 34722;
constexpr int kServers = 32;

void BM_MM32Run(benchmark::State& state) {
  const auto scenario = aidc::load_scenario_file(std::string(AIDC_BENCH_DIR) + "/mm32.json");
  std::uint64_t events = 0;
  for (auto _ : state) {
    const auto result = aidc::simulate(scenario);
    events = result.events_processed;
    benchmark::DoNotOptimize(result.totals.busy);
  }
  state.counters["events"] = static_cast<double>(events);
}

/// The same queue by hand: a binary heap of (time, kind) events, a count of busy
/// servers and a FIFO of arrival times; it accumulates the total wait only.
void BM_MM32BareLoop(benchmark::State& state) {
  std::uint64_t events = 0;
  for (auto _ : state) {
    aidc::sim::Rng arrivals(1);
    aidc::sim::Rng durations(2);
    boost::random::exponential_distribution<double> gap(kArrivalsPerHour / 3600.0);
    boost::random::exponential_distribution<double> service(1.0 / 3600.0);
    using Event = std::pair<std::int64_t, int>;  // (time s, 0 arrival / 1 departure)
    std::priority_queue<Event, std::vector<Event>, std::greater<>> heap;
    std::deque<std::int64_t> queue;
    const auto horizon = static_cast<std::int64_t>(kHorizonHours * 3600);
    double clock = 0;
    int busy = 0;
    std::int64_t total_wait = 0;
    events = 0;
    clock += gap(arrivals);
    heap.emplace(std::llround(clock), 0);
    while (!heap.empty() && heap.top().first < horizon) {
      const auto [now, kind] = heap.top();
      heap.pop();
      ++events;
      if (kind == 0) {
        clock += gap(arrivals);
        heap.emplace(std::llround(clock), 0);
        if (busy < kServers) {
          ++busy;
          heap.emplace(now + std::llround(service(durations)), 1);
        } else {
          queue.push_back(now);
        }
      } else if (!queue.empty()) {
        total_wait += now - queue.front();
        queue.pop_front();
        heap.emplace(now + std::llround(service(durations)), 1);
      } else {
        --busy;
      }
    }
    benchmark::DoNotOptimize(total_wait);
  }
  state.counters["events"] = static_cast<double>(events);
}

}  // namespace

BENCHMARK(BM_MM32Run)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MM32BareLoop)->Unit(benchmark::kMillisecond);
