// Spot rentals against hand counts: evictions by the policy are counted apart from jobs cut
// short by failures or retirement, as a rate per job started and per 1,000 GPU-hours; and a
// class capped at a share of each pool never holds more.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "aidc/run/output.hpp"
#include "aidc/scenario/scenario.hpp"
#include "aidc/workload/simulation.hpp"

namespace {

using aidc::WorkClass;

/// Ten H100s; spot customers arrive 100 an hour for 1 GPU each and stay 100,000 hours, so the
/// pool is full of spot jobs within minutes and no later arrival finds room.
std::string spot_scenario(const std::string& extra) {
  return R"({"name": "spot", "start": "2026-01-01", "horizon": "3d", "seed": 3, "period": "day",
    "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 10)" +
         extra;
}

}  // namespace

TEST_CASE("Spot evictions are counted per job started and per 1,000 GPU-hours", "[spot]") {
  SECTION("a reserved contract of 4 GPUs from day 2 evicts 4 of the 10 spot jobs") {
    const auto s = aidc::load_scenario(nlohmann::json::parse(spot_scenario(R"(}]},
      "workloads": {
        "rentals": [{"id": "s", "contract": "spot", "arrivals": {"per_hour": 100}, "gpus": 1,
                     "duration_hours": 100000, "patience_hours": 0}],
        "contracts": [{"id": "c", "gpus": 4, "start": "2026-01-02", "term_days": 30}]}})")),
                                       "spot.json");
    const auto r = aidc::simulate(s);
    REQUIRE(r.streams.size() == 1);
    const auto& st = r.streams[0];
    CHECK(st.served == 10);
    CHECK(st.evicted == 4);
    CHECK(st.preempted == 4);
    const auto j = aidc::summary_json(s, r, nullptr).at("streams").at("s");
    CHECK(j.at("eviction_rate").get<double>() == Approx(0.4));
    const double busy_hours = static_cast<double>(st.busy_gpu_seconds) / 3600.0;
    // Four jobs ran a day less a few minutes, six ran the three days: about 528 GPU-hours.
    CHECK(busy_hours == Approx(4 * 24.0 + 6 * 72.0).margin(10 * 0.5));
    CHECK(j.at("evictions_per_1000_gpu_hours").get<double>() ==
          Approx(1000.0 * 4 / busy_hours).epsilon(1e-12));
  }
  SECTION("jobs cut short when their pool retires are preempted, not evicted") {
    const auto s = aidc::load_scenario(nlohmann::json::parse(spot_scenario(R"(,
        "retire": "2026-01-02"}]},
      "workloads": {"rentals": [{"id": "s", "contract": "spot", "arrivals": {"per_hour": 100},
        "gpus": 1, "duration_hours": 100000, "patience_hours": 0}]}})")),
                                       "spot.json");
    const auto r = aidc::simulate(s);
    CHECK(r.streams[0].preempted == 10);
    CHECK(r.streams[0].evicted == 0);
  }
}

TEST_CASE("A class capped at a share of each pool holds no more of it", "[spot]") {
  // At most 30% of 10 GPUs: three spot jobs run; the rest find no room and leave.
  const auto s = aidc::load_scenario(nlohmann::json::parse(spot_scenario(R"(}]},
    "policy": {"max_share": {"spot": 0.3}},
    "workloads": {"rentals": [{"id": "s", "contract": "spot", "arrivals": {"per_hour": 100},
      "gpus": 1, "duration_hours": 100000, "patience_hours": 0}]}})")),
                                     "spot.json");
  const auto r = aidc::simulate(s);
  CHECK(r.streams[0].served == 3);
  CHECK(r.streams[0].lost == r.streams[0].arrived - 3);
  CHECK(r.totals.by_class[aidc::index(WorkClass::spot)] <= 3LL * 3 * 86400);
  CHECK(r.totals.idle >= 7LL * 3 * 86400);
}

TEST_CASE("A cap is only for classes of job streams", "[spot]") {
  try {
    (void)aidc::load_scenario(nlohmann::json::parse(spot_scenario(R"(}]},
      "policy": {"max_share": {"training": 0.5}}})")),
                              "spot.json");
    FAIL("accepted");
  } catch (const std::exception& e) {
    CHECK_THAT(e.what(), Catch::Contains("/policy/max_share/training") &&
                             Catch::Contains("not a class of job streams"));
  }
}

TEST_CASE("An order must rank every class the scenario has work for", "[spot]") {
  try {
    (void)aidc::load_scenario(nlohmann::json::parse(spot_scenario(R"(}]},
      "policy": {"order": ["training", "on_demand"]},
      "workloads": {"rentals": [{"id": "s", "contract": "spot", "arrivals": {"per_hour": 1},
        "gpus": 1, "duration_hours": 1, "patience_hours": 0}]}})")),
                              "spot.json");
    FAIL("accepted");
  } catch (const std::exception& e) {
    CHECK_THAT(e.what(), Catch::Contains("/policy/order") && Catch::Contains("class \"spot\""));
  }
}

TEST_CASE("reserve_for lets a contract take the reserve", "[spot]") {
  // 10 GPUs, 40% held back: a contract of 8 gets 6 unless reserved may use the reserve.
  auto held = [](const std::string& reserve_for) {
    const auto s = aidc::load_scenario(
        nlohmann::json::parse(
            spot_scenario(R"(}]}, "policy": {"reserve_fraction": 0.4)" + reserve_for + R"(},
      "workloads": {"contracts": [{"id": "c", "gpus": 8, "start": "2026-01-01",
        "term_days": 30}]}})")),
        "spot.json");
    return aidc::simulate(s).totals.by_class[aidc::index(WorkClass::reserved)] / (3 * 86400);
  };
  CHECK(held("") == 6);
  CHECK(held(R"(, "reserve_for": ["training", "reserved"])") == 8);
}
