// Training reliability against closed forms and a published run: Young's optimal checkpoint
// interval, hot spares that turn a failure into a restart, and the Llama 3 405B pre-training
// run (16,384 H100s for 54 days, 419 unexpected interruptions, more than 90% effective
// training time; Meta, "The Llama 3 Herd of Models", 2024, section 3.3.4).

#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aidc/scenario/scenario.hpp"
#include "aidc/workload/simulation.hpp"

namespace {

/// One H100 pool of `count` GPUs failing every `mtbf` hours each, repaired in `repair` hours;
/// one campaign of `gpus` GPUs for `work` H100-hours with the given checkpointing.
aidc::CampaignStats campaign(int count, double mtbf, double repair, int gpus, double work,
                             double interval, double write, double restart, int spares,
                             const std::string& horizon, std::uint64_t replication) {
  const auto s = aidc::load_scenario(
      nlohmann::json::parse(fmt::format(
          R"({{"name": "t", "start": "2026-01-01", "horizon": "{}", "seed": 11,
        "catalog": {{"H100": {{"mtbf_hours": {}, "repair_hours": {}}}}},
        "fleet": {{"pools": [{{"id": "p", "gpu": "H100", "count": {}}}]}},
        "workloads": {{"training": {{"campaigns": [{{"id": "c", "gpus": {}, "gpu_hours": {},
          "checkpoint_hours": {}, "checkpoint_write_hours": {}, "restart_hours": {},
          "spares": {}}}]}}}}}})",
          horizon, mtbf, repair, count, gpus, work, interval, write, restart, spares)),
      "t.json");
  return aidc::simulate(s, replication).campaigns.at(0);
}

}  // namespace

TEST_CASE("The best checkpoint interval is Young's sqrt(2 x write x MTBF)", "[training]") {
  // 100 of 120 GPUs, each failing every 1,000 hours: the gang fails every M = 10 hours. A
  // write takes 0.05 h, so Young's interval is sqrt(2 x 0.05 x 10) = 1 h. The expected
  // overhead is about write / interval + (interval / 2 + restart) / M: 0.1 + 0.01 at 1 h,
  // 0.125 + 0.01 at 0.5 h and at 2 h, 0.2125 + 0.01 at 0.25 h and at 4 h.
  const std::vector<double> intervals{0.25, 0.5, 1.0, 2.0, 4.0};
  std::vector<double> mean;
  for (const double tau : intervals) {
    double sum = 0;
    constexpr int kReplications = 4;
    for (int r = 0; r < kReplications; ++r) {
      sum += campaign(120, 1000, 1, 100, 100 * 1000.0, tau, 0.05, 0.1, 0, "90d",
                      static_cast<std::uint64_t>(r))
                 .effective_training_time;
    }
    mean.push_back(sum / kReplications);
  }
  const auto best = std::max_element(mean.begin(), mean.end()) - mean.begin();
  INFO(fmt::format("effective training time by interval: {}", fmt::join(mean, ", ")));
  CHECK(intervals[static_cast<std::size_t>(best)] == 1.0);
  // And near the closed form: 1 / (1 + overhead), about 0.90 at the optimum.
  CHECK(mean[2] == Approx(1.0 / 1.11).margin(0.02));
}

TEST_CASE("With hot spares a failure costs a restart and the work since the checkpoint",
          "[training]") {
  // 100 GPUs and 10 spares on exactly 110 GPUs, each failing every 2,000 hours and repaired
  // in 2: the gang never waits for a GPU. Finish = work / GPUs + writes + failures x (restart
  // + the work lost since the checkpoint, interval / 2 on average).
  const double work = 100 * 500.0;  // 500 hours at the full gang
  const double tau = 0.5, write = 0.02, restart = 0.25;
  for (std::uint64_t r = 0; r < 3; ++r) {
    const auto c = campaign(110, 2000, 2, 100, work, tau, write, restart, 10, "60d", r);
    REQUIRE(c.finish_hours > 0);
    const double compute = 500.0;
    const double writes = std::floor(compute / tau) * write;  // about, before the losses
    const auto f = static_cast<double>(c.failures);
    const double expected = compute + writes + f * (restart + tau / 2 * (1 + write / tau));
    // The lost work of f failures is a sum of f draws on [0, interval]: sd = interval sqrt(f/12).
    const double sd = tau * std::sqrt(f / 12.0);
    CHECK(c.finish_hours - c.start_hours == Approx(expected).margin(4 * sd + 0.5));
    CHECK(f == Approx(500.0 * 100 / 2000).margin(4 * std::sqrt(25.0) + 5));
  }
  // Without spares the same gang waits for a repair (2 hours) after every failure.
  const auto bare = campaign(100, 2000, 2, 100, work, tau, write, restart, 0, "60d", 0);
  const auto spared = campaign(110, 2000, 2, 100, work, tau, write, restart, 10, "60d", 0);
  CHECK(bare.finish_hours - bare.start_hours > spared.finish_hours - spared.start_hours + 20);
}

TEST_CASE("Llama 3 405B: 419 interruptions in 54 days and above 90% effective training time",
          "[training]") {
  // 16,384 H100s at the per-GPU MTBF the run implies, 16,384 x 54 x 24 / 419 = 50,675 hours,
  // so 419 interruptions are expected in 54 days (Poisson; 99% interval +-2.576 sqrt(419)).
  // Checkpoints written in memory in 30 s (an assumption; the paper gives no write time) at
  // Young's interval sqrt(2 x 30 s x 50,675 / 16,384 h) = 13.6 min, a 3-minute automated
  // restart (an assumption), and 64 hot spares, so no failure waits for a repair.
  const double mtbf = 16384.0 * 54 * 24 / 419;
  const double write = 0.5 / 60;
  const double tau = std::sqrt(2 * write * mtbf / 16384.0);
  const auto c = campaign(16384 + 64, mtbf, 48, 16384, 1e12, tau, write, 0.05, 64, "54d", 0);
  CHECK(static_cast<double>(c.failures) == Approx(419.0).margin(2.576 * std::sqrt(419.0)));
  CHECK(c.effective_training_time > 0.90);
  CHECK(c.effective_training_time < 0.95);
}
