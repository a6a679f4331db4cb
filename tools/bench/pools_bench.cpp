// Cost against the number of pools: scenarios/spare-capacity.json (one year, 3,072 GPUs,
// hourly inference demand, on-demand and spot rentals, hourly reconcile) with its fleet split
// into P pools of equal size, half H100 and half A100, so the work stays about the same and
// only the number of pools grows. Linear cost in pools shows as a flat time per pool-hour.
//
//   build/release/aidc-bench --benchmark_filter=Pools

#include <benchmark/benchmark.h>

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "aidc/scenario/scenario.hpp"
#include "aidc/workload/simulation.hpp"

namespace {

aidc::Scenario split_into_pools(std::int64_t pools) {
  std::ifstream in(std::string(AIDC_BENCH_DIR) + "/../../scenarios/spare-capacity.json");
  nlohmann::json doc = nlohmann::json::parse(in);
  nlohmann::json list = nlohmann::json::array();
  for (std::int64_t i = 0; i < pools; ++i) {
    const bool h100 = i % 2 == 0;
    list.push_back({{"id", fmt::format("{}-{:04}", h100 ? "h100" : "a100", i)},
                    {"gpu", h100 ? "H100" : "A100"},
                    {"count", std::max<std::int64_t>(1, (h100 ? 4096 : 2048) / pools)},
                    {"site", "east"},
                    {"in_service", h100 ? "2024-06-01" : "2022-01-01"},
                    {"life_years", 6}});
  }
  doc["fleet"]["pools"] = list;
  return aidc::load_scenario(doc, "spare-capacity-split.json");
}

void BM_PoolsRun(benchmark::State& state) {
  const auto scenario = split_into_pools(state.range(0));
  std::uint64_t events = 0;
  for (auto _ : state) {
    const auto result = aidc::simulate(scenario);
    events = result.events_processed;
    benchmark::DoNotOptimize(result.totals.busy);
  }
  state.counters["events"] = static_cast<double>(events);
  state.counters["pools"] = static_cast<double>(state.range(0));
}

}  // namespace

BENCHMARK(BM_PoolsRun)
    ->Arg(6)
    ->Arg(60)
    ->Arg(300)
    ->Arg(600)
    ->Arg(1200)
    ->Unit(benchmark::kMillisecond);
