// Workloads on a fleet, checked against hand-worked schedules, exact conservation and
// counts of independent random events.

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "aidc/scenario/scenario.hpp"
#include "aidc/workload/simulation.hpp"
#include "support.hpp"

namespace {

constexpr std::size_t kTraining = aidc::index(aidc::WorkClass::training);
constexpr std::size_t kInference = aidc::index(aidc::WorkClass::inference);
constexpr std::size_t kExperiments = aidc::index(aidc::WorkClass::experiments);
constexpr std::int64_t kDay = 86400;

aidc::Scenario parse(const std::string& text) {
  return aidc::load_scenario(nlohmann::json::parse(text), "test.json");
}

void check_conservation(const aidc::RunResult& r) {
  for (const auto& row : r.rows) {
    const auto& g = row.gpu_seconds;
    std::int64_t classes = 0;
    for (const auto v : g.by_class) classes += v;
    INFO("period " << row.period << " pool " << row.pool);
    REQUIRE(classes == g.busy);
    REQUIRE(g.busy + g.idle + g.down == g.installed);
    REQUIRE(g.idle >= 0);
    REQUIRE(g.down >= 0);
  }
}

}  // namespace

TEST_CASE("Scheduled campaigns give the peak-and-trough profile worked by hand", "[workloads]") {
  // 100 H100s. "pretrain" takes 80 GPUs for 10 days (19,200 GPU-hours), then "posttrain"
  // takes all 100 for 5 days (12,000 GPU-hours), then nothing runs.
  // Daily training GPU-hours: days 0-9: 80 x 24 = 1,920; days 10-14: 2,400; days 15-19: 0.
  const auto s = parse(R"({"name": "peaks", "start": "2026-01-01", "horizon": "20d", "seed": 1,
    "period": "day",
    "fleet": {"pools": [{"id": "h", "gpu": "H100", "count": 100}]},
    "catalog": {"H100": {"training_factor": 1, "mtbf_hours": null}},
    "workloads": {"training": {"campaigns": [
      {"id": "pretrain", "gpus": 80, "gpu_hours": 19200},
      {"id": "posttrain", "gpus": 100, "days": 5, "after": ["pretrain"]}]}}})");
  const auto r = aidc::simulate(s);
  check_conservation(r);
  REQUIRE(r.rows.size() == 20);
  for (std::size_t d = 0; d < 20; ++d) {
    const std::int64_t gpus = d < 10 ? 80 : d < 15 ? 100 : 0;
    INFO("day " << d);
    CHECK(r.rows[d].gpu_seconds.by_class[kTraining] == gpus * kDay);
    CHECK(r.rows[d].gpu_seconds.idle == (100 - gpus) * kDay);
  }
  REQUIRE(r.campaigns.size() == 2);
  using aidc::test::named;
  CHECK(named(r.campaigns, "pretrain").finish_hours == Approx(240.0));
  CHECK(named(r.campaigns, "posttrain").start_hours == Approx(240.0));
  CHECK(named(r.campaigns, "posttrain").finish_hours == Approx(360.0));
  // With no failures the plan (critical path) is met exactly.
  CHECK(named(r.campaigns, "posttrain").planned_finish_hours == Approx(360.0));
  CHECK(r.totals.training_lost == 0);
}

TEST_CASE("With no failures and enough capacity, served inference equals demand", "[workloads]") {
  // Demand 50 GPUs x a diurnal swing from 0.5 to 1.5, growing 5x a year, on 1,000 GPUs.
  const auto s = parse(R"({"name": "inf", "start": "2026-01-01", "horizon": "60d", "seed": 3,
    "fleet": {"pools": [{"id": "h", "gpu": "H100", "count": 1000}]},
    "catalog": {"H100": {"inference_factor": 1, "mtbf_hours": null}},
    "workloads": {"inference": [{"id": "chat", "demand": {"base_gpus": 50,
      "trend": {"model": "exponential", "growth_per_year": 5},
      "diurnal": [0.5,0.5,0.5,0.5,0.5,0.5,0.75,1,1.25,1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.25,1,1,1,1,0.75,0.75,0.5],
      "noise": {"model": "lognormal_ar1", "sigma": 0.1, "phi": 0.8}}}]}})");
  const auto r = aidc::simulate(s);
  check_conservation(r);
  REQUIRE(r.inference_demand_gpu_hours > 0);
  CHECK(r.inference_served_gpu_hours == Approx(r.inference_demand_gpu_hours).epsilon(1e-12));
  CHECK(r.inference_unserved_gpu_hours == Approx(0.0).margin(1e-6));
  // Demand is a level held for each hour, and the inference GPUs are that level rounded
  // up: their GPU-hours lie between demand and demand + 1 GPU per hour.
  const double gpu_hours = static_cast<double>(r.totals.by_class[kInference]) / 3600.0;
  CHECK(gpu_hours >= r.inference_demand_gpu_hours);
  CHECK(gpu_hours <= r.inference_demand_gpu_hours + 60 * 24);
}

TEST_CASE("Spot rentals yield to a campaign at its start, within the notice period",
          "[workloads]") {
  // Spot customers fill 64 GPUs; a 64-GPU campaign may start on day 2 (hour 48). The spot
  // jobs get 30 minutes' notice, so the campaign starts at hour 48.5 exactly.
  const auto s = parse(R"({"name": "yield", "start": "2026-01-01", "horizon": "5d", "seed": 4,
    "fleet": {"pools": [{"id": "h", "gpu": "H100", "count": 64}]},
    "policy": {"spot_notice_hours": 0.5},
    "workloads": {
      "rentals": [{"id": "spot", "contract": "spot", "arrivals": {"per_hour": 200}, "gpus": 1,
                   "duration_hours": {"dist": "exponential", "mean": 24}}],
      "training": {"campaigns": [{"id": "run", "gpus": 64, "days": 1,
                                  "earliest_start": "2026-01-03"}]}}})");
  const auto r = aidc::simulate(s);
  check_conservation(r);
  REQUIRE(r.campaigns.size() == 1);
  CHECK(r.campaigns[0].start_hours == Approx(48.5));
  CHECK(r.campaigns[0].finish_hours == Approx(72.5));
  CHECK(r.streams[0].preempted > 0);
  CHECK(r.streams[0].preempted_gpu_seconds > 0);
  // While the campaign runs no spot job holds a GPU: hour 48.5 to 72.5 is all training.
  CHECK(r.totals.by_class[kTraining] == 64LL * 24 * 3600);
}

TEST_CASE("GPU failures occur at the rate the MTBF implies", "[workloads][failures]") {
  // 2,000 GPUs, MTBF 1,000 h, repaired after 2 h, for 1,000 h: about 2,000 failures
  // (slightly fewer: about 4 GPUs are down at a time). Poisson: within 4 sd = 4 sqrt(2000).
  const auto s = parse(R"({"name": "mtbf", "start": "2026-01-01", "horizon": "1000h", "seed": 5,
    "catalog": {"H100": {"mtbf_hours": 1000, "repair_hours": 2}},
    "fleet": {"pools": [{"id": "h", "gpu": "H100", "count": 2000}]}})");
  const auto r = aidc::simulate(s);
  check_conservation(r);
  const double expected = (2000.0 - 4.0) * 1000.0 / 1000.0;
  CHECK(std::abs(static_cast<double>(r.gpu_failures) - expected) < 4 * std::sqrt(expected));
  // Each failure keeps one GPU down for exactly 2 h, except those cut by the horizon.
  const std::int64_t down_hours = r.totals.down / 3600;
  CHECK(down_hours <= 2 * r.gpu_failures);
  CHECK(down_hours >= 2 * r.gpu_failures - 2 * 20);
}

TEST_CASE("A gang failure loses the work since the last checkpoint and the restart time",
          "[workloads][failures]") {
  // One campaign of 1,000 GPUs with MTBF 5,000 h per GPU: the gang fails every 5 h on
  // average. Lost GPU-time is counted exactly, and goodput = held - lost.
  const auto s = parse(R"({"name": "ckpt", "start": "2026-01-01", "horizon": "30d", "seed": 6,
    "catalog": {"H100": {"mtbf_hours": 5000, "repair_hours": 4, "training_factor": 1}},
    "fleet": {"pools": [{"id": "h", "gpu": "H100", "count": 1100}]},
    "workloads": {"training": {"campaigns": [{"id": "run", "gpus": 1000, "days": 10,
      "checkpoint_hours": 2, "restart_hours": 0.25}]}}})");
  const auto r = aidc::simulate(s);
  check_conservation(r);
  const auto& c = r.campaigns.at(0);
  REQUIRE(c.finish_hours > 0);
  CHECK(c.failures > 0);
  // 240 h of work, plus the lost time; each failure costs between the restart (0.25 h)
  // and a whole checkpoint interval plus the restart (2.25 h).
  const double lost_hours = static_cast<double>(c.lost_gpu_seconds) / 3600.0 / 1000.0;
  CHECK(c.finish_hours - c.start_hours == Approx(240.0 + lost_hours).margin(0.01));
  CHECK(lost_hours >= 0.25 * static_cast<double>(c.failures) - 1e-9);
  CHECK(lost_hours <= 2.25 * static_cast<double>(c.failures) + 1e-9);
  CHECK(r.totals.training_lost == c.lost_gpu_seconds);
  CHECK(r.totals.by_class[kTraining] - r.totals.training_lost == 1000LL * 240 * 3600);
}

TEST_CASE("Under common random numbers, changing only the fleet leaves demand unchanged",
          "[workloads][determinism]") {
  const std::string base = R"({"name": "crn", "start": "2026-01-01", "horizon": "30d", "seed": 8,
    "fleet": {"pools": [{"id": "h", "gpu": "H100", "count": COUNT}]},
    "workloads": {
      "rentals": [{"id": "r", "arrivals": {"per_hour": 20}, "gpus": {"dist": "empirical", "values": [1, 8]},
                   "duration_hours": {"dist": "lognormal", "mean": 3, "sd": 2}, "patience_hours": 1}],
      "inference": [{"id": "chat", "demand": {"base_gpus": 40, "noise": {"model": "lognormal_ar1", "sigma": 0.2, "phi": 0.9}}}]}})";
  auto with = [&](const char* count) {
    std::string text = base;
    text.replace(text.find("COUNT"), 5, count);
    return aidc::simulate(parse(text));
  };
  const auto small = with("60");
  const auto large = with("600");
  CHECK(small.streams[0].arrived == large.streams[0].arrived);
  CHECK(small.inference_demand_gpu_hours == large.inference_demand_gpu_hours);  // bit for bit
  CHECK(small.inference_served_gpu_hours < large.inference_served_gpu_hours);
}

TEST_CASE("Reordering the pools leaves the allocation unchanged", "[workloads][determinism]") {
  const char* text = R"({"name": "order", "start": "2026-01-01", "horizon": "20d", "seed": 9,
    "policy": {"gpu_types": {"spot": ["A100", "H100"]}},
    "fleet": {"pools": [{"id": "a", "gpu": "A100", "count": 300}, {"id": "b", "gpu": "H100", "count": 200},
                        {"id": "c", "gpu": "H100", "count": 100}]},
    "workloads": {
      "rentals": [{"id": "s", "contract": "spot", "arrivals": {"per_hour": 30}, "gpus": 8,
                   "duration_hours": {"dist": "exponential", "mean": 5}}],
      "inference": [{"id": "chat", "demand": {"base_gpus": 150, "noise": {"model": "lognormal_ar1", "sigma": 0.3, "phi": 0.5}}}],
      "training": {"campaigns": [{"id": "x", "gpus": 250, "days": 3, "earliest_start": "2026-01-05"}]}}})";
  auto doc = nlohmann::json::parse(text);
  const auto a = aidc::simulate(aidc::load_scenario(doc, "a.json"));
  auto& pools = doc["fleet"]["pools"];
  std::swap(pools[0], pools[2]);  // c, b, a
  const auto b = aidc::simulate(aidc::load_scenario(doc, "b.json"));
  // The loader keeps pools in id order, so pool a is index 0 in both runs.
  for (std::size_t c = 0; c < aidc::kClassCount; ++c) {
    for (std::size_t p = 0; p < 3; ++p)
      CHECK(a.pool_totals[p].by_class[c] == b.pool_totals[p].by_class[c]);
  }
  CHECK(a.campaigns[0].start_hours == b.campaigns[0].start_hours);
}

TEST_CASE("Replaying the Alibaba GPU job trace with ample capacity busies exactly its GPU-hours",
          "[workloads][trace]") {
  const std::string path =
      std::string(AIDC_SOURCE_DIR) + "/../shared/data/alibaba-gpu-2023/derived/jobs.csv";
  const aidc::test::AllowOutsidePaths allow;  // the trace is beside the project, not in it
  if (!std::filesystem::exists(path)) {
    WARN("skipped: " << path << " is absent");
    return;
  }
  // Independent sum: every row with num_gpus > 0 and a duration, gpus x duration_s.
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  std::int64_t expected = 0;
  double last_end_s = 0;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) f.push_back(cell);
    if (f.size() < 6 || f[4].empty() || f[5].empty()) continue;
    const auto gpus = std::stoll(f[5]);
    if (gpus <= 0) continue;
    expected += gpus * std::llround(std::stod(f[4]));
    last_end_s = std::max(last_end_s, std::stod(f[1]) + std::stod(f[4]));
  }
  const int days = static_cast<int>(std::ceil(last_end_s / 86400.0)) + 1;
  auto doc = nlohmann::json::parse(R"({"name": "trace", "start": "2026-01-01", "seed": 1,
    "fleet": {"pools": [{"id": "h", "gpu": "H100", "count": 100000}]},
    "workloads": {"training": {"experiments": [{"id": "jobs", "trace": {"path": ""}}]}}})");
  doc["horizon"] = std::to_string(days) + "d";
  doc["workloads"]["training"]["experiments"][0]["trace"]["path"] = path;
  const auto r = aidc::simulate(aidc::load_scenario(doc, "trace.json"));
  check_conservation(r);
  CHECK(r.totals.by_class[kExperiments] == expected);
  CHECK(r.streams[0].lost == 0);
}

TEST_CASE("Campaign priority and GPU types decide which gang runs where", "[workloads]") {
  // Both campaigns are ready at once and each needs all 100 H100s. "second" is listed
  // later but has priority 0, so it runs first (days 0-2) and "first" follows (days 2-4).
  // "wide" may use only GB200s, so it runs on the 50 GB200s alongside, never on the H100s.
  const auto s = parse(R"({"name": "prio", "start": "2026-01-01", "horizon": "6d", "seed": 1,
    "period": "day",
    "catalog": {"H100": {"training_factor": 1}, "GB200": {"training_factor": 1}},
    "fleet": {"pools": [{"id": "h", "gpu": "H100", "count": 100}, {"id": "g", "gpu": "GB200", "count": 50}]},
    "workloads": {"training": {"campaigns": [
      {"id": "first", "gpus": 100, "days": 2, "priority": 1, "gpu_types": ["H100"]},
      {"id": "second", "gpus": 100, "days": 2, "priority": 0, "gpu_types": ["H100"]},
      {"id": "wide", "gpus": 50, "days": 3, "gpu_types": ["GB200"]}]}}})");
  const auto r = aidc::simulate(s);
  check_conservation(r);
  using aidc::test::named;
  CHECK(named(r.campaigns, "second").start_hours == Approx(0.0));
  CHECK(named(r.campaigns, "first").start_hours == Approx(48.0));
  CHECK(named(r.campaigns, "first").finish_hours == Approx(96.0));
  CHECK(named(r.campaigns, "wide").finish_hours == Approx(72.0));
  // Pools in id order: g (GB200) is index 0, h (H100) index 1.
  CHECK(r.pool_totals[0].by_class[kTraining] == 50LL * 72 * 3600);
  CHECK(r.pool_totals[1].by_class[kTraining] == 100LL * 96 * 3600);
}
