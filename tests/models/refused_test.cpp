// Requests that no pool in service could ever hold are refused, not queued: on arrival, and
// when a pool's retirement leaves a waiting request too large for what remains.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "aidc/scenario/scenario.hpp"
#include "aidc/workload/simulation.hpp"

namespace refused_test {

aidc::StreamStats run_stream(const std::string& text) {
  const auto r = aidc::simulate(aidc::load_scenario(nlohmann::json::parse(text), "refused.json"));
  REQUIRE(r.streams.size() == 1);
  const auto& st = r.streams[0];
  CHECK(st.arrived ==
        st.served + st.lost + st.refused + st.declined + st.reneged + st.waiting_at_end);
  return st;
}

TEST_CASE("A request larger than any eligible pool in service is refused on arrival",
          "[workloads][refused]") {
  // 10 GPUs with 2 held back for internal work: an outside request for 9 can never start,
  // however long it would wait; an internal one of the same size can.
  const std::string base = R"({"name": "refused", "start": "2026-01-01", "horizon": "10d",
    "seed": 3, "fleet": {"pools": [{"id": "a", "gpu": "H100", "count": 10}]},
    "policy": {"reserve_fraction": 0.2},
    "workloads": {"rentals": [{"id": "r", "contract": "CLASS", "arrivals": {"per_hour": 1},
      "gpus": {"dist": "empirical", "values": [9]},
      "duration_hours": {"dist": "exponential", "mean": 0.5}, "patience_hours": 1000}]}})";
  auto text = base;
  SECTION("an outside customer") {
    text.replace(text.find("CLASS"), 5, "on_demand");
    const auto st = run_stream(text);
    CHECK(st.arrived > 200);
    CHECK(st.refused == st.arrived);
    CHECK(st.served == 0);
    CHECK(st.waiting_at_end == 0);
  }
  SECTION("internal experiments may use the reserve") {
    auto doc = nlohmann::json::parse(base);
    auto stream = doc["workloads"]["rentals"][0];
    stream.erase("contract");
    doc["workloads"].erase("rentals");
    doc["workloads"]["training"]["experiments"] = nlohmann::json::array({stream});
    const auto r = aidc::simulate(aidc::load_scenario(doc, "refused.json"));
    CHECK(r.streams[0].refused == 0);
    CHECK(r.streams[0].served > 200);
  }
}

TEST_CASE("A pool's retirement refuses the waiting requests that no other pool could hold",
          "[workloads][refused]") {
  // One 12-GPU request runs on "big" for longer than the horizon; the ones behind it wait.
  // When "big" retires after a day, the running one is cut short and every waiting request
  // (12 GPUs, against the 4 of "small") is refused, as is every later arrival.
  const auto st = run_stream(R"({"name": "retire", "start": "2026-01-01", "horizon": "3d",
    "seed": 5, "fleet": {"pools": [
      {"id": "big", "gpu": "H100", "count": 16, "retire": "2026-01-02"},
      {"id": "small", "gpu": "H100", "count": 4}]},
    "workloads": {"rentals": [{"id": "r", "contract": "on_demand", "arrivals": {"per_hour": 1},
      "gpus": {"dist": "empirical", "values": [12]},
      "duration_hours": {"dist": "exponential", "mean": 100000}, "patience_hours": 1000}]}})");
  CHECK(st.served == 1);
  CHECK(st.preempted == 1);
  CHECK(st.refused == st.arrived - 1);
  CHECK(st.arrived > 40);
  CHECK(st.reneged == 0);
  CHECK(st.waiting_at_end == 0);
}

}  // namespace refused_test
