// Power as an input, against hand arithmetic: a pool bought by the megawatt has the GPUs that
// power at the meter feeds (server power x PUE), and a site whose pools in service at once
// would draw more than its budget is refused with the pointer.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "aidc/run/output.hpp"
#include "aidc/scenario/errors.hpp"
#include "aidc/scenario/scenario.hpp"
#include "aidc/workload/simulation.hpp"

namespace {

std::string site_scenario(const std::string& pools) {
  return R"({"name": "power", "start": "2026-01-01", "horizon": "2y",
    "fleet": {"sites": {"dc1": {"power_mw": 10, "pue": 1.25}}, "pools": [)" +
         pools + "]}}";
}

std::string problems(const std::string& text) {
  try {
    (void)aidc::load_scenario(nlohmann::json::parse(text), "power.json");
  } catch (const aidc::ScenarioError& e) {
    return e.what();
  }
  return "accepted";
}

}  // namespace

TEST_CASE("A pool bought by the megawatt has the GPUs that power feeds", "[power]") {
  // 10 MW at PUE 1.25 is 8 MW for servers: 8,000 kW / 1.275 kW per H100 = 6,274.5 -> 6,274.
  const auto s = aidc::load_scenario(nlohmann::json::parse(site_scenario(
                                         R"({"id": "h", "gpu": "H100", "mw": 10, "site": "dc1"})")),
                                     "power.json");
  REQUIRE(s.pools.size() == 1);
  CHECK(s.pools[0].count == 6274);
  // The site's peak: 6,274 x 1.275 x 1.25 / 1,000 = 9.9992 MW.
  REQUIRE(s.sites.size() == 1);
  CHECK(s.sites[0].peak_mw == Approx(6274 * 1.275 * 1.25 / 1000.0).epsilon(1e-12));
  const auto r = aidc::simulate(s);
  const auto j = aidc::summary_json(s, r, nullptr);
  CHECK(j.at("sites").at("dc1").at("budget_mw").get<double>() == 10.0);
  CHECK(j.at("sites").at("dc1").at("peak_mw").get<double>() == Approx(9.9992));
}

TEST_CASE("A site over its power budget is refused", "[power]") {
  // 4,000 H100s draw 4,000 x 1.275 x 1.25 = 6.375 MW; with 2,500 more from 2027 on, 10.36 MW.
  const std::string over = problems(site_scenario(
      R"({"id": "a", "gpu": "H100", "count": 4000, "site": "dc1"},
         {"id": "b", "gpu": "H100", "count": 2500, "site": "dc1", "in_service": "2027-01-01"})"));
  CHECK_THAT(over, Catch::Contains("power.json: /fleet/sites/dc1/power_mw") &&
                       Catch::Contains("on 2027-01-01 (a, b) draw 10.359 MW") &&
                       Catch::Contains("at most the budget of 10 MW"));
  // Pool a retires the day b arrives: never more than 6.375 MW at once.
  CHECK(problems(site_scenario(
            R"({"id": "a", "gpu": "H100", "count": 4000, "site": "dc1", "retire": "2027-01-01"},
               {"id": "b", "gpu": "H100", "count": 2500, "site": "dc1",
                "in_service": "2027-01-01"})")) == "accepted");
  CHECK_THAT(problems(site_scenario(R"({"id": "h", "gpu": "H100", "mw": 1, "count": 5})")),
             Catch::Contains("/fleet/pools/0: expected exactly one of \"count\""));
  CHECK_THAT(problems(site_scenario(R"({"id": "h", "gpu": "H100", "mw": 1, "site": "dc9"})")),
             Catch::Contains("/fleet/pools/0/mw: site \"dc9\" has no \"pue\""));
}
