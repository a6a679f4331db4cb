// Hour-of-day and day-of-week profiles of a job stream's arrivals: the hourly segments the
// loader expands them to, worked by hand; the arrivals the simulation draws from them,
// counted hour by hour against the closed form; errors and limits.

#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aidc/scenario/scenario.hpp"
#include "support.hpp"
#include "workload/kernel.hpp"

namespace arrival_profile_test {

using aidc::RateSegment;
using aidc::sim::Time;

constexpr std::int64_t kHour = 3600;

/// A scenario with one rental stream whose "arrivals" is `arrivals`.
nlohmann::json stream_doc(const std::string& arrivals, const std::string& horizon = "2d",
                          const std::string& start = "2024-01-03") {
  auto doc = nlohmann::json::parse(R"({"name": "profile", "seed": 7,
    "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 100000}]},
    "catalog": {"H100": {"mtbf_hours": null}},
    "workloads": {"rentals": [{"id": "r", "gpus": 1, "duration_hours": 10000}]}})");
  doc["start"] = start;
  doc["horizon"] = horizon;
  doc["workloads"]["rentals"][0]["arrivals"] = nlohmann::json::parse(arrivals);
  return doc;
}

/// The problems of loading `doc`, one line each; empty if it loads.
std::string problems(const nlohmann::json& doc) {
  try {
    aidc::load_scenario(doc, "s.json");
  } catch (const aidc::ScenarioError& e) {
    return aidc::test::all_lines(e.diagnostics());
  }
  return "";
}

std::string factors(const std::vector<double>& values) { return nlohmann::json(values).dump(); }

/// Arrivals at `per_hour` with diurnal factors 1..24 and weekly factors 1..7: every hour of
/// the week has its own rate.
std::string ramp_arrivals(double per_hour) {
  std::vector<double> diurnal;
  for (int h = 1; h <= 24; ++h) diurnal.push_back(h);
  return nlohmann::json{
      {"per_hour", per_hour}, {"diurnal", diurnal}, {"weekly", {1, 2, 3, 4, 5, 6, 7}}}
      .dump();
}

/// The stream's cumulative arrivals at the end of each hour of the horizon, drawn by the
/// simulation's own generator: every request holds one GPU for longer than the horizon on a
/// pool far larger than the arrivals, so the GPUs the stream holds count its arrivals.
std::vector<std::int64_t> hourly_arrivals(const aidc::Scenario& s) {
  using aidc::kernel::Kernel;
  Kernel k(s, 0);
  k.add(aidc::kernel::make_fleet_life(k));
  k.add(aidc::kernel::make_job_streams(k));
  for (const auto& w : k.workloads()) w->start();
  const std::int64_t hours = s.horizon.seconds / kHour;
  std::vector<std::int64_t> held(static_cast<std::size_t>(hours), 0);
  constexpr auto kOnDemand = aidc::index(aidc::WorkClass::on_demand);
  for (std::int64_t h = 1; h < hours; ++h) {
    // Accounting events run after the arrivals of their instant.
    k.engine.schedule_at(
        Time{h * kHour},
        [&k, &held, h](aidc::sim::Engine&) {
          held[static_cast<std::size_t>(h - 1)] = k.fleet[0].held[kOnDemand];
        },
        aidc::sim::Priority::accounting);
  }
  k.engine.run_until(s.horizon);
  held.back() = k.fleet[0].held[kOnDemand];
  return held;
}

}  // namespace arrival_profile_test

using arrival_profile_test::factors;
using arrival_profile_test::kHour;
using arrival_profile_test::problems;
using arrival_profile_test::ramp_arrivals;
using arrival_profile_test::stream_doc;

TEST_CASE("Diurnal and weekly factors expand into hourly segments of the scenario clock",
          "[arrivals][scenario]") {
  // 2024-01-03 is a Wednesday (weekday 2 from Monday). Diurnal 1..24 has mean 12.5, weekly
  // 1..7 mean 4. At 4 an hour, hour h of day d has the rate
  //   4 x (h + 1) / 12.5 x (d + 3) / 4 = (h + 1)(d + 3) / 12.5,
  // so hour 0 of Wednesday is 0.24, hour 23 is 5.76, hour 0 of Thursday 0.32. Every hour
  // differs from the one before: 48 segments over 2 days.
  const auto s = aidc::load_scenario(stream_doc(ramp_arrivals(4)), "s.json");
  const auto& segs = s.rentals.at(0).arrivals;
  REQUIRE(segs.size() == 48);
  for (std::size_t i = 0; i < segs.size(); ++i) {
    const auto h = static_cast<double>(i % 24);
    const auto d = static_cast<double>(i / 24);  // NOLINT(bugprone-integer-division): whole days
    INFO("hour " << i);
    CHECK(segs[i].from.seconds == static_cast<std::int64_t>(i) * kHour);
    CHECK(segs[i].per_hour == Approx((h + 1) * (d + 3) / 12.5).epsilon(1e-12));
  }
  CHECK(segs[0].per_hour == Approx(0.24));
  CHECK(segs[23].per_hour == Approx(5.76));
  CHECK(segs[24].per_hour == Approx(0.32));
}

TEST_CASE("Equal consecutive hourly rates share one segment, and a schedule is shaped hour by hour",
          "[arrivals][scenario]") {
  SECTION("one peak hour a day") {
    // Factors 1 except 2 at noon: mean 25/24, so 2.5 an hour is 2.4 off-peak and 4.8 at noon.
    // Over 2 days: 0 h 2.4, 12 h 4.8, 13 h 2.4 (through midnight), 36 h 4.8, 37 h 2.4.
    std::vector<double> diurnal(24, 1.0);
    diurnal[12] = 2;
    const auto s = aidc::load_scenario(
        stream_doc(R"({"per_hour": 2.5, "diurnal": )" + factors(diurnal) + "}"), "s.json");
    const auto& segs = s.rentals.at(0).arrivals;
    REQUIRE(segs.size() == 5);
    const std::vector<std::pair<std::int64_t, double>> expected{
        {0, 2.4}, {12, 4.8}, {13, 2.4}, {36, 4.8}, {37, 2.4}};
    for (std::size_t i = 0; i < segs.size(); ++i) {
      CHECK(segs[i].from.seconds == expected[i].first * kHour);
      CHECK(segs[i].per_hour == Approx(expected[i].second).epsilon(1e-12));
    }
  }
  SECTION("a schedule that begins on day 2 with weekend factors") {
    // Start Friday 2024-01-05; the rate is 0 until Saturday 2024-01-06, then 7 an hour.
    // Weekly factors 1 on weekdays and 0.5 at the weekend have mean 6/7: Saturday and Sunday
    // get 7 x 0.5 x 7/6 = 4.0833, Monday 7 x 7/6 = 8.1667. A 4-day horizon gives: 0 h rate 0
    // (Friday), 24 h 4.0833 (Saturday through Sunday), 72 h 8.1667 (Monday).
    const auto s =
        aidc::load_scenario(stream_doc(R"({"schedule": [{"from": "2024-01-06", "per_hour": 7}],
                       "weekly": [1, 1, 1, 1, 1, 0.5, 0.5]})",
                                       "4d", "2024-01-05"),
                            "s.json");
    const auto& segs = s.rentals.at(0).arrivals;
    REQUIRE(segs.size() == 3);
    CHECK(segs[0].from.seconds == 0);
    CHECK(segs[0].per_hour == 0);
    CHECK(segs[1].from.seconds == 24 * kHour);
    CHECK(segs[1].per_hour == Approx(7.0 * 0.5 * 7.0 / 6.0).epsilon(1e-12));
    CHECK(segs[2].from.seconds == 72 * kHour);
    CHECK(segs[2].per_hour == Approx(7.0 * 7.0 / 6.0).epsilon(1e-12));
  }
  SECTION("without profiles the rate stays one segment") {
    const auto s = aidc::load_scenario(stream_doc(R"({"per_hour": 3})", "100y"), "s.json");
    REQUIRE(s.rentals.at(0).arrivals.size() == 1);
    CHECK(s.rentals.at(0).arrivals[0].per_hour == 3);
  }
}

TEST_CASE("Simulated arrivals per hour of day and per weekday match the profile's closed form",
          "[arrivals]") {
  // 20 an hour over 8 whole weeks (1,344 hours) from Monday 2024-01-01. Diurnal factors
  // 0.25 .. 1.75 in steps of 1/23 x 1.5 have mean 1, as have the weekly factors below, so
  // hour h of the day expects 20 x D[h] x 56 arrivals over the run, and weekday d expects
  // 20 x 24 x W[d] x 8. Each count is Poisson: the z-scores (count - expected) / sqrt(expected)
  // must all lie within 4, and their squares (chi-square with 24 and 7 degrees of freedom)
  // stay below 51.2 and 24.3, the 0.1% points of those laws. The seed is fixed, so the
  // test is deterministic; the bounds say how unlucky it would have to be to fail.
  std::vector<double> diurnal;
  diurnal.reserve(24);
  for (int h = 0; h < 24; ++h) diurnal.push_back(0.25 + 1.5 * h / 23.0);
  const std::vector<double> weekly{1.2, 1.1, 1.0, 1.0, 1.1, 0.8, 0.8};
  const auto s =
      aidc::load_scenario(stream_doc(R"({"per_hour": 20, "diurnal": )" + factors(diurnal) +
                                         R"(, "weekly": )" + factors(weekly) + "}",
                                     "56d", "2024-01-01"),
                          "s.json");
  const auto cumulative = arrival_profile_test::hourly_arrivals(s);
  REQUIRE(cumulative.size() == 1344);
  std::vector<double> by_hour(24, 0.0);
  std::vector<double> by_weekday(7, 0.0);
  std::int64_t before = 0;
  for (std::size_t i = 0; i < cumulative.size(); ++i) {
    const auto n = static_cast<double>(cumulative[i] - before);
    before = cumulative[i];
    by_hour[i % 24] += n;
    by_weekday[(i / 24) % 7] += n;
  }
  double chi2_hour = 0;
  for (std::size_t h = 0; h < 24; ++h) {
    const double expected = 20.0 * diurnal[h] * 56.0;
    const double z = (by_hour[h] - expected) / std::sqrt(expected);
    CAPTURE(h, by_hour[h], expected, z);
    CHECK(std::abs(z) < 4);
    chi2_hour += z * z;
  }
  CHECK(chi2_hour < 51.2);
  double chi2_weekday = 0;
  for (std::size_t d = 0; d < 7; ++d) {
    const double expected = 20.0 * 24.0 * weekly[d] * 8.0;
    const double z = (by_weekday[d] - expected) / std::sqrt(expected);
    CAPTURE(d, by_weekday[d], expected, z);
    CHECK(std::abs(z) < 4);
    chi2_weekday += z * z;
  }
  CHECK(chi2_weekday < 24.3);
}

TEST_CASE("Price elasticity scales the hourly segments of a profile", "[arrivals][elasticity]") {
  // A fixed price of 4.00 against a reference of 2.00 with elasticity -1 halves every rate:
  // diurnal 1 except 3 at hour 6 (mean 26/24) at 13 an hour gives 12 and 36 before, 6 and
  // 18 after.
  std::vector<double> diurnal(24, 1.0);
  diurnal[6] = 3;
  auto doc = stream_doc(R"({"per_hour": 13, "diurnal": )" + factors(diurnal) + "}", "1d");
  doc["workloads"]["rentals"][0]["price_elasticity"] =
      nlohmann::json::parse(R"({"elasticity": -1, "reference_usd_per_gpu_hour": 2.0})");
  doc["finance"] = nlohmann::json::parse(
      R"({"prices": {"on_demand": {"model": "fixed", "usd_per_gpu_hour": 4.0}}})");
  const auto s = aidc::load_scenario(doc, "s.json");
  const auto& segs = s.rentals.at(0).arrivals;
  REQUIRE(segs.size() == 3);
  CHECK(segs[0].per_hour == Approx(6.0));
  CHECK(segs[1].from.seconds == 6 * kHour);
  CHECK(segs[1].per_hour == Approx(18.0));
  CHECK(segs[2].from.seconds == 7 * kHour);
  CHECK(segs[2].per_hour == Approx(6.0));
}

TEST_CASE("Bad arrival profiles are refused at their JSON pointer", "[arrivals][errors]") {
  using Catch::Contains;
  const std::string pointer = "s.json: /workloads/rentals/0/arrivals/";
  SECTION("a diurnal profile of 23 factors") {
    const std::string got = problems(
        stream_doc(R"({"per_hour": 1, "diurnal": )" + factors(std::vector<double>(23, 1.0)) + "}"));
    CHECK_THAT(got,
               Contains(pointer + "diurnal: expected 24 factors, one per hour 0..23 (got 23)"));
  }
  SECTION("a weekly profile of 8 factors") {
    const std::string got =
        problems(stream_doc(R"({"per_hour": 1, "weekly": [1, 1, 1, 1, 1, 1, 1, 1]})"));
    CHECK_THAT(
        got, Contains(pointer + "weekly: expected 7 factors, one per day Monday..Sunday (got 8)"));
  }
  SECTION("a zero and a negative factor") {
    const std::string got =
        problems(stream_doc(R"({"per_hour": 1, "weekly": [1, 1, 1, 0, 1, 1, -2]})"));
    CHECK_THAT(got, Contains(pointer + "weekly/3: out of range (got 0"));
    CHECK_THAT(got, Contains(pointer + "weekly/6: out of range (got -2"));
  }
  SECTION("a profile that is not an array") {
    CHECK_THAT(problems(stream_doc(R"({"per_hour": 1, "diurnal": 2})")),
               Contains(pointer + "diurnal"));
  }
  SECTION("an experiment stream's profile is checked too") {
    auto doc = stream_doc(R"({"per_hour": 1})");
    doc["workloads"]["training"]["experiments"] = nlohmann::json::parse(
        R"([{"id": "e", "gpus": 1, "duration_hours": 1,
             "arrivals": {"per_hour": 1, "diurnal": [1, 2]}}])");
    CHECK_THAT(problems(doc), Contains("s.json: /workloads/training/experiments/0/arrivals/"
                                       "diurnal: expected 24 factors"));
  }
  SECTION("a peak rate beyond 10^6 an hour") {
    // 10^6 an hour at the mean; Monday's factor 4 against a mean of 16/7 is 7/4.
    const std::string got =
        problems(stream_doc(R"({"per_hour": 1000000, "weekly": [4, 2, 2, 2, 2, 2, 2]})"));
    CHECK_THAT(got, Contains("s.json: /workloads/rentals/0/arrivals: out of range: with its "
                             "diurnal and weekly factors the rate peaks at 1.75e+06"));
  }
}

TEST_CASE("Profiles over a long horizon are bounded in memory for the whole scenario",
          "[arrivals][errors]") {
  // Distinct factors for every hour of the week: one segment per hour, 876,600 over 100
  // years (start 2000-01-01: 36,525 days). Four such streams hold 3,506,400 segments, under
  // the limit of 4,000,000; a fifth crosses it.
  auto doc = stream_doc(ramp_arrivals(1), "100y", "2000-01-01");
  auto& rentals = doc["workloads"]["rentals"];
  for (int i = 1; i < 4; ++i) {
    auto copy = rentals[0];
    copy["id"] = "r" + std::to_string(i);
    rentals.push_back(copy);
  }
  const auto s = aidc::load_scenario(doc, "s.json");
  CHECK(s.rentals.at(0).arrivals.size() == 876'600);
  auto fifth = rentals[0];
  fifth["id"] = "r4";
  rentals.push_back(fifth);
  CHECK_THAT(problems(doc),
             Catch::Contains("s.json: /workloads/rentals/4/arrivals: the diurnal and weekly "
                             "profiles of the scenario's streams expand to 4383000 hourly rate "
                             "segments over the horizon with this one (expected at most "
                             "4000000"));
}
