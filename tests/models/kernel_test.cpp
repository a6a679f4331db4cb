// Each workload kind alone on a small test fleet: a kernel with fleet life, the ledger and
// that one workload, against answers worked by hand. The kernel and its workloads are
// internal (models/workload/), so these tests include its headers directly.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "aidc/scenario/scenario.hpp"
#include "support.hpp"
#include "workload/kernel.hpp"

namespace {

using aidc::WorkClass;
using aidc::kernel::Kernel;
using aidc::kernel::Ledger;
using aidc::kernel::Workload;

constexpr std::int64_t kHour = 3600;

/// Runs `text` with fleet life and the one workload `make` builds (nothing else).
aidc::RunResult alone(const std::string& text, std::unique_ptr<Workload> (*make)(Kernel&),
                      const std::string& file = "k.json",
                      std::unique_ptr<Workload> (*also)(Kernel&) = nullptr) {
  const aidc::Scenario s = aidc::load_scenario(nlohmann::json::parse(text), file);
  Kernel k(s, 0);
  k.add(aidc::kernel::make_fleet_life(k));
  k.add(make(k));
  if (also != nullptr) k.add(also(k));
  Ledger ledger(k);
  for (const auto& w : k.workloads()) w->start();
  if (k.needs_reconcile()) k.schedule_tick(0);
  ledger.start();
  k.engine.run_until(s.horizon);
  ledger.close_period();
  for (const auto& w : k.workloads()) w->finish(k.result);
  for (const auto& row : k.result.rows) k.result.totals += row.gpu_seconds;
  return std::move(k.result);
}

/// GPU-seconds of class `c` on pool `pool` (file order) over the whole run.
std::int64_t held_on(const aidc::RunResult& r, WorkClass c, std::size_t pool) {
  std::int64_t total = 0;
  for (const auto& row : r.rows) {
    if (row.pool == pool) total += row.gpu_seconds.by_class[aidc::index(c)];
  }
  return total;
}

std::int64_t held(const aidc::RunResult& r, WorkClass c) {
  return r.totals.by_class[aidc::index(c)];
}

}  // namespace

TEST_CASE("A job stream alone: a replayed experiment trace on four GPUs, worked by hand",
          "[kernel]") {
  // Jobs (submit h, GPUs, duration h): (0, 4, 2), (1, 2, 1), (1.5, 2, 3). The first takes all
  // four GPUs until hour 2; the others wait (patience unlimited) and both start at hour 2,
  // ending at hours 3 and 5. Waits 0, 1 and 0.5 h: mean 0.5 h. Busy GPU-hours 8 + 2 + 6 = 16
  // of 4 x 10 installed.
  const aidc::test::TempDir dir;
  aidc::test::write_file(
      dir / "jobs.csv", "submit_time_s,num_gpus,duration_s\n0,4,7200\n3600,2,3600\n5400,2,10800\n");
  const auto r = alone(R"({"name": "js", "start": "2026-01-01", "horizon": "10h", "period": "day",
      "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 4}]},
      "workloads": {"training": {"experiments": [{"id": "t", "patience_hours": "inf",
        "trace": {"path": "jobs.csv"}}]}}})",
                       aidc::kernel::make_job_streams, (dir / "k.json").string());
  REQUIRE(r.streams.size() == 1);
  CHECK(r.streams[0].served == 3);
  CHECK(r.streams[0].mean_wait_hours == Approx(0.5).epsilon(1e-12));
  CHECK(held(r, WorkClass::experiments) == 16 * kHour);
  CHECK(r.totals.installed == 40 * kHour);
  CHECK(r.totals.idle == 24 * kHour);
}

TEST_CASE("A contract alone holds its GPUs for its term, and a retiring pool takes them back",
          "[kernel]") {
  // 6 of 10 GPUs from day 2 for 5 days: 6 x 120 = 720 reserved GPU-hours. The pool retires on
  // day 5, after 3 days of the contract: 6 x 72 = 432, and the contract is short of GPUs after.
  const std::string base = R"({"name": "c", "start": "2026-01-01", "horizon": "10d",
      "period": "day", "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 10 RETIRE}]},
      "workloads": {"contracts": [{"id": "k", "gpus": 6, "start": "2026-01-03",
                                   "term_days": 5}]}})";
  auto with = [&](const std::string& retire) {
    std::string text = base;
    text.replace(text.find("RETIRE"), 6, retire);
    return alone(text, aidc::kernel::make_contracts);
  };
  CHECK(held(with(""), WorkClass::reserved) == 720 * kHour);
  CHECK(held(with(R"(, "retire": "2026-01-06")"), WorkClass::reserved) == 432 * kHour);
}

TEST_CASE("A campaign alone runs its gang until its work is done", "[kernel]") {
  // 8 GPUs, 160 H100-equivalent GPU-hours of work, earliest start at hour 24 (2026-01-02): 20
  // hours on H100s (factor 1), finishing at hour 44; 8 x 20 = 160 training GPU-hours.
  const auto r = alone(R"({"name": "t", "start": "2026-01-01", "horizon": "4d", "period": "day",
      "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 16}]},
      "workloads": {"training": {"campaigns": [{"id": "m", "gpus": 8, "gpu_hours": 160,
        "earliest_start": "2026-01-02"}]}}})",
                       aidc::kernel::make_campaigns);
  REQUIRE(r.campaigns.size() == 1);
  CHECK(r.campaigns[0].start_hours == 24.0);
  CHECK(r.campaigns[0].finish_hours == 44.0);
  CHECK(held(r, WorkClass::training) == 160 * kHour);
}

TEST_CASE("Inference alone holds the GPUs its demand needs, by each type's factor", "[kernel]") {
  // A flat demand of 3 H100-equivalents on A100s (0.3155 each, from 312 / 989 BF16 TFLOPS):
  // ceil(3 / 0.31547) = 10 GPUs all day, serving exactly the demand: 72 H100-equivalent
  // GPU-hours of 72 demanded.
  const auto r = alone(R"({"name": "i", "start": "2026-01-01", "horizon": "1d", "period": "day",
      "fleet": {"pools": [{"id": "p", "gpu": "A100", "count": 16}]},
      "workloads": {"inference": [{"id": "chat", "demand": {"base_gpus": 3}}]}})",
                       [](aidc::kernel::Kernel& k) {
                         return aidc::kernel::make_inference(k, WorkClass::inference);
                       });
  CHECK(held(r, WorkClass::inference) == 10 * 24 * kHour);
  CHECK(r.inference_demand_gpu_hours == Approx(72.0).epsilon(1e-12));
  CHECK(r.inference_served_gpu_hours == Approx(72.0).epsilon(1e-12));
  CHECK(r.rows[0].gpu_seconds.inference_served_gpu_hours == Approx(72.0).epsilon(1e-12));
}

TEST_CASE("Inference takes the fastest GPUs it may use, and a campaign keeps faster ones still",
          "[kernel]") {
  // A flat demand of 3 H100-equivalents with 100 A100s (0.3155 each) and 100 H100s free: the
  // flow is asked for ceil(3 / 0.6577) = 5 GPUs at the mean rate and, preferring the faster
  // type, gives 5 H100s, of which the balance keeps 3. Without the preference the flow could
  // give A100s, and the balance would keep 4 of them beside 2 H100s (6 GPUs for 3).
  const char* const two_types = R"({"name": "i", "start": "2026-01-01", "horizon": "1d",
      "period": "day", "fleet": {"pools": [{"id": "a100", "gpu": "A100", "count": 100},
                                           {"id": "h100", "gpu": "H100", "count": 100}]},
      "workloads": {"inference": [{"id": "chat", "demand": {"base_gpus": 3}}]}})";
  const auto inference = [](Kernel& k) {
    return aidc::kernel::make_inference(k, WorkClass::inference);
  };
  const auto r = alone(two_types, inference);
  CHECK(held_on(r, WorkClass::inference, 0) == 0);
  CHECK(held_on(r, WorkClass::inference, 1) == 3 * 24 * kHour);
  CHECK(r.inference_served_gpu_hours == Approx(72.0).epsilon(1e-12));

  // A campaign of 8 GPUs and 160 H100-equivalent GPU-hours from hour 0, beside the same
  // inference, on 8 GB200s (training factor 2500 / 989 = 2.5278) and 16 H100s: the gang keeps
  // the GB200s and finishes after 160 / (8 x 2.5278) = 7.912 hours, while inference, which
  // would also rather have GB200s (inference factor 2.5278), holds 3 H100s until then and 2
  // of the freed GB200s after (2 x 2.5278 >= 3 > 2.5278).
  const auto both = alone(R"({"name": "ti", "start": "2026-01-01", "horizon": "1d",
      "period": "day", "fleet": {"pools": [{"id": "gb200", "gpu": "GB200", "count": 8},
                                           {"id": "h100", "gpu": "H100", "count": 16}]},
      "workloads": {"training": {"campaigns": [{"id": "m", "gpus": 8, "gpu_hours": 160}]},
                    "inference": [{"id": "chat", "demand": {"base_gpus": 3}}]}})",
                          aidc::kernel::make_campaigns, "k.json", inference);
  REQUIRE(both.campaigns.size() == 1);
  CHECK(both.campaigns[0].finish_hours == Approx(160.0 / (8 * 2500.0 / 989.0)).epsilon(1e-3));
  const double finish = both.campaigns[0].finish_hours;
  CHECK(held_on(both, WorkClass::training, 1) == 0);
  CHECK(held_on(both, WorkClass::inference, 1) == Approx(3 * finish * kHour).margin(3));
  CHECK(held_on(both, WorkClass::inference, 0) == Approx(2 * (24 - finish) * kHour).margin(3));
}
