// GPU-seconds are integers, so accounting is checked exactly: every state adds up to
// installed, periods add up to totals, and installed capacity equals count x time in service.

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>

#include "aidc/models/output.hpp"
#include "aidc/models/simulation.hpp"
#include "aidc/scenario/scenario.hpp"

using aidc::GpuSeconds;

namespace {

void check_conservation(const aidc::RunResult& r) {
  GpuSeconds sum;
  for (const auto& row : r.rows) {
    const auto& g = row.gpu_seconds;
    INFO("period " << row.period << " pool " << row.pool);
    REQUIRE(g.busy + g.idle + g.down == g.installed);
    REQUIRE(g.busy >= 0);
    REQUIRE(g.idle >= 0);
    sum += g;
  }
  CHECK(sum.installed == r.totals.installed);
  CHECK(sum.busy == r.totals.busy);
  CHECK(sum.idle == r.totals.idle);
  CHECK(sum.down == r.totals.down);
  CHECK(r.totals.busy + r.totals.idle + r.totals.down == r.totals.installed);
  // Busy GPU-seconds of the job classes are exactly those of the streams that used them.
  std::int64_t by_streams = 0;
  for (const auto& st : r.streams) by_streams += st.busy_gpu_seconds;
  std::int64_t job_classes = 0;
  for (const auto c :
       {aidc::WorkClass::experiments, aidc::WorkClass::on_demand, aidc::WorkClass::spot}) {
    job_classes += r.totals.by_class[static_cast<std::size_t>(c)];
  }
  CHECK(by_streams == job_classes);
  std::int64_t classes = 0;
  for (const auto v : r.totals.by_class) classes += v;
  CHECK(classes == r.totals.busy);
}

aidc::Scenario parse(const char* text) {
  return aidc::load_scenario(nlohmann::json::parse(text), "test.json");
}

}  // namespace

TEST_CASE("GPU-hours are conserved exactly in every shipped scenario", "[accounting]") {
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(AIDC_SOURCE_DIR) + "/scenarios")) {
    if (entry.path().extension() != ".json") continue;
    INFO(entry.path().string());
    const auto doc = aidc::read_json_file(entry.path().string());
    if (doc.contains("plans") || doc.contains("parameters")) continue;  // comparisons, sweeps
    const auto s = aidc::load_scenario(doc, entry.path().string());
    check_conservation(aidc::simulate(s));
  }
}

TEST_CASE("Installed GPU-hours are count times the time in service, period by period",
          "[accounting]") {
  // 64 GPUs for 1000 days: 64 x 24,000 h = 1,536,000 GPU-hours; January is 31 days = 744 h.
  const auto s = aidc::load_scenario_file(std::string(AIDC_SOURCE_DIR) + "/scenarios/mmc.json");
  const auto r = aidc::simulate(s);
  CHECK(r.totals.installed == 64LL * 1000 * 86400);
  REQUIRE(r.rows.size() >= 2);
  CHECK(r.rows[0].gpu_seconds.installed == 64LL * 31 * 86400);
  CHECK(r.rows[1].gpu_seconds.installed == 64LL * 28 * 86400);  // February 2026
  // 2026-01-01 + 1000 days = 2028-09-27: 32 full months and a part month of 26 days.
  CHECK(r.rows.size() == 33);
  CHECK(r.rows.back().gpu_seconds.installed == 64LL * 26 * 86400);
}

TEST_CASE("Pools count only between their in-service and retire dates; retiring preempts",
          "[accounting]") {
  // Pool a: in service 2026-01-11 to 2026-01-21 (10 days). Pool b: the whole 31 days.
  // Rentals never end within the horizon, so a's GPUs are busy until it retires.
  const auto s = parse(R"({
    "name": "life", "start": "2026-01-01", "horizon": "31d", "seed": 1, "period": "week",
    "fleet": {"pools": [
      {"id": "a", "gpu": "A100", "count": 10, "in_service": "2026-01-11", "retire": "2026-01-21"},
      {"id": "b", "gpu": "H100", "count": 5}]},
    "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 100}, "gpus": 1,
      "duration_hours": 100000, "patience_hours": 0, "pools": ["a"]}]}})");
  const auto r = aidc::simulate(s);
  check_conservation(r);
  CHECK(r.pool_totals[0].installed == 10LL * 10 * 86400);
  CHECK(r.pool_totals[1].installed == 5LL * 31 * 86400);
  CHECK(r.pool_totals[1].busy == 0);
  CHECK(r.streams[0].served == 10);
  CHECK(r.streams[0].preempted == 10);
  // Week rows: 2026-01-01, -08, -15, -22, -29 (a 3-day stub): 5 periods x 2 pools.
  CHECK(r.rows.size() == 10);
}

TEST_CASE("Arrival counts follow a dated piecewise schedule of rates", "[accounting][arrivals]") {
  // 10/h for January (744 h) then 40/h for February (672 h): 7,440 then 26,880 expected.
  // Each count is Poisson; allow 4 standard deviations.
  const auto s = parse(R"({
    "name": "sched", "start": "2026-01-01", "horizon": "59d", "seed": 5,
    "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 1000}]},
    "workloads": {"rentals": [
      {"id": "jan", "arrivals": {"schedule": [{"from": "2026-01-01", "per_hour": 10},
                                             {"from": "2026-02-01", "per_hour": 0}]},
       "gpus": 1, "duration_hours": 0.001},
      {"id": "feb", "arrivals": {"schedule": [{"from": "2026-02-01", "per_hour": 40}]},
       "gpus": 1, "duration_hours": 0.001}]}})");
  const auto r = aidc::simulate(s);
  const double jan = 10.0 * 744;
  const double feb = 40.0 * 672;
  CHECK(std::abs(static_cast<double>(r.streams[0].arrived) - jan) < 4 * std::sqrt(jan));
  CHECK(std::abs(static_cast<double>(r.streams[1].arrived) - feb) < 4 * std::sqrt(feb));
}

TEST_CASE("The warm-up is excluded from statistics", "[accounting]") {
  const auto s = parse(R"({
    "name": "warm", "start": "2026-01-01", "horizon": "10d", "warmup": "36h", "seed": 5,
    "period": "day",
    "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 4}]},
    "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 2}, "gpus": 1,
      "duration_hours": 1, "patience_hours": "inf"}]}})");
  const auto r = aidc::simulate(s);
  // Window: 8.5 days of 4 GPUs; rows start at hour 36, mid-day 2, and cut at each midnight.
  CHECK(r.totals.installed == 4LL * (10 * 86400 - 36 * 3600));
  REQUIRE_FALSE(r.rows.empty());
  CHECK(r.rows[0].begin.seconds == 36 * 3600);
  CHECK(r.rows[0].end.seconds == 2 * 86400);
  check_conservation(r);
}

TEST_CASE("Horizons are read as hours, days, weeks and calendar years", "[scenario]") {
  auto horizon_of = [](const char* h) {
    auto doc = nlohmann::json::parse(
        R"({"name": "h", "start": "2028-01-01", "seed": 1, "fleet": {"pools": []}})");
    doc["horizon"] = nlohmann::json::parse(h);
    return aidc::load_scenario(doc, "h.json").horizon.seconds;
  };
  CHECK(horizon_of("36") == 36 * 3600);
  CHECK(horizon_of("\"36h\"") == 36 * 3600);
  CHECK(horizon_of("\"90d\"") == 90 * 86400);
  CHECK(horizon_of("\"2w\"") == 14 * 86400);
  CHECK(horizon_of("\"1y\"") == 366 * 86400);  // 2028 is a leap year
  CHECK(horizon_of("\"5y\"") == (366 + 365 + 365 + 365 + 366) * 86400LL);
}

TEST_CASE("The same seed gives identical outputs; another seed or replication does not",
          "[determinism]") {
  const auto path = std::string(AIDC_SOURCE_DIR) + "/scenarios/default.json";
  auto s = aidc::load_scenario_file(path, {"/horizon=\"60d\""});
  const auto a = aidc::simulate(s);
  const auto b = aidc::simulate(s);
  CHECK(aidc::summary_json(s, a).dump() == aidc::summary_json(s, b).dump());
  CHECK(aidc::timeseries_csv(s, a) == aidc::timeseries_csv(s, b));
  const auto c = aidc::simulate(s, 1);
  CHECK(aidc::summary_json(s, a).dump() != aidc::summary_json(s, c).dump());
  s.seed += 1;
  const auto d = aidc::simulate(s);
  CHECK(aidc::timeseries_csv(s, a) != aidc::timeseries_csv(s, d));
}

TEST_CASE("Listing the pools in another order leaves every pool's numbers unchanged",
          "[determinism]") {
  const char* forward = R"({"name": "o", "start": "2026-01-01", "horizon": "20d", "seed": 9,
    "fleet": {"pools": [{"id": "x", "gpu": "H100", "count": 30}, {"id": "y", "gpu": "A100", "count": 30}]},
    "workloads": {"rentals": [{"id": "r", "arrivals": {"per_hour": 40}, "gpus": {"dist": "empirical", "values": [1, 2, 4]},
      "duration_hours": {"dist": "exponential", "mean": 1}, "patience_hours": 1}]}})";
  auto doc = nlohmann::json::parse(forward);
  const auto a = aidc::simulate(aidc::load_scenario(doc, "a.json"));
  std::swap(doc["fleet"]["pools"][0], doc["fleet"]["pools"][1]);
  const auto b = aidc::simulate(aidc::load_scenario(doc, "b.json"));
  CHECK(a.pool_totals[0].busy == b.pool_totals[1].busy);
  CHECK(a.pool_totals[1].busy == b.pool_totals[0].busy);
  CHECK(a.streams[0].served == b.streams[0].served);
  CHECK(a.streams[0].reneged == b.streams[0].reneged);
}
