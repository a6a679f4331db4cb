// Inference demand curves: trends, hour-of-day and day-of-week profiles, steps, noise,
// CSV series and the errors bad specs produce. Scenario start is 2026-01-01 (a Thursday)
// unless a test says otherwise; a year of growth is 365.25 days = 31,557,600 s.

#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "aidc/demand/demand.hpp"
#include "aidc/scenario/errors.hpp"
#include "aidc/scenario/param_reader.hpp"
#include "aidc/scenario/scenario.hpp"
#include "aidc/sim/rng.hpp"
#include "support.hpp"

using aidc::DemandCurve;
using aidc::Diagnostic;
using aidc::sim::days;
using aidc::sim::hours;
using aidc::sim::seconds;
using aidc::sim::Time;
using nlohmann::json;

namespace {

const aidc::Date kStart = *aidc::parse_date("2026-01-01");
constexpr Time kT0{};

struct ReadResult {
  std::shared_ptr<const DemandCurve> curve;
  std::vector<Diagnostic> problems;
};

/// Reads `demand` as the "demand" object of a scenario file "s.json".
ReadResult read_demand(const json& demand, aidc::Date start = kStart) {
  const aidc::test::AllowOutsidePaths allow;  // the CSVs are in the temporary directory
  aidc::Diagnostics diagnostics("s.json");
  const json doc = {{"demand", demand}};
  const aidc::ParamReader root(doc, "", diagnostics);
  auto curve = DemandCurve::read(root.child("demand"), start);
  return {curve, diagnostics.items()};
}

using aidc::test::all_lines;

std::shared_ptr<const DemandCurve> curve_of(const json& demand, aidc::Date start = kStart) {
  auto result = read_demand(demand, start);
  INFO(all_lines(result.problems));
  REQUIRE(result.problems.empty());
  REQUIRE(result.curve != nullptr);
  return result.curve;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Trends

TEST_CASE("An exponential trend of x5 per year gives 5x base after 365.25 days", "[demand]") {
  const auto curve = curve_of(
      {{"base_gpus", 120000}, {"trend", {{"model", "exponential"}, {"growth_per_year", 5.0}}}});
  // t = 0: 5^0 = 1, so 120,000.
  CHECK(curve->deterministic(kT0) == Approx(120000.0).epsilon(1e-12));
  // t = 365.25 d = 31,557,600 s is exactly one year: 5 x 120,000 = 600,000.
  CHECK(curve->deterministic(kT0 + days(365) + hours(6)) == Approx(600000.0).epsilon(1e-12));
  // Half a year, 182.625 d = 15,778,800 s: 5^(1/2) x 120,000 = sqrt(5) x 120,000.
  CHECK(curve->deterministic(kT0 + days(182) + hours(15)) ==
        Approx(std::sqrt(5.0) * 120000.0).epsilon(1e-12));
  // Two years: 25 x 120,000 = 3,000,000.
  CHECK(curve->deterministic(kT0 + days(730) + hours(12)) == Approx(3.0e6).epsilon(1e-12));
}

TEST_CASE("A logistic trend rises from floor to cap through its midpoint", "[demand]") {
  // floor 1, cap 10, midpoint 2027-01-01 (365 days after the start), rate 2 per year.
  const auto curve = curve_of({{"base_gpus", 100},
                               {"trend",
                                {{"model", "logistic"},
                                 {"floor", 1},
                                 {"cap", 10},
                                 {"midpoint", "2027-01-01"},
                                 {"rate_per_year", 2.0}}}});
  // At the midpoint: 1 + 9 / (1 + e^0) = 5.5, x 100 = 550.
  CHECK(curve->deterministic(kT0 + days(365)) == Approx(550.0).epsilon(1e-12));
  // One year (365.25 d) after the midpoint: 1 + 9 / (1 + e^-2) = 8.9272, x 100.
  CHECK(curve->deterministic(kT0 + days(730) + hours(6)) ==
        Approx(100.0 * (1.0 + 9.0 / (1.0 + std::exp(-2.0)))).epsilon(1e-12));
  // One year before it: 1 + 9 / (1 + e^2) = 2.0728, x 100; the curve is point-symmetric
  // about the midpoint, so the two sum to 2 x 550 = 1,100.
  const double before = curve->deterministic(kT0 + days(-1) + hours(18));
  CHECK(before == Approx(100.0 * (1.0 + 9.0 / (1.0 + std::exp(2.0)))).epsilon(1e-12));
  CHECK(before + curve->deterministic(kT0 + days(730) + hours(6)) == Approx(1100.0).epsilon(1e-12));
  // Far out it reaches the cap and the floor: 1,000 and 100.
  CHECK(curve->deterministic(kT0 + days(365 * 40)) == Approx(1000.0).epsilon(1e-12));
  CHECK(curve->deterministic(kT0 + days(-365 * 40)) == Approx(100.0).epsilon(1e-12));
}

TEST_CASE("A piecewise trend is linear between points and flat outside them", "[demand]") {
  // Points 2026-03-01 (59 days after the start) factor 1 and 2026-05-01 (120 days) factor 3.
  const auto curve = curve_of(json::parse(R"({"base_gpus": 10,
      "trend": {"model": "piecewise", "points": [{"date": "2026-03-01", "factor": 1},
                                                 {"date": "2026-05-01", "factor": 3}]}})"));
  CHECK(curve->deterministic(kT0) == Approx(10.0).epsilon(1e-12));             // flat before
  CHECK(curve->deterministic(kT0 + days(59)) == Approx(10.0).epsilon(1e-12));  // first point
  // 61 days between the points; a quarter of the way (15.25 d) the factor is 1 + 2/4 = 1.5.
  CHECK(curve->deterministic(kT0 + days(59 + 15) + hours(6)) == Approx(15.0).epsilon(1e-12));
  // Halfway (30.5 d): 2.
  CHECK(curve->deterministic(kT0 + days(59 + 30) + hours(12)) == Approx(20.0).epsilon(1e-12));
  CHECK(curve->deterministic(kT0 + days(120)) == Approx(30.0).epsilon(1e-12));   // last
  CHECK(curve->deterministic(kT0 + days(1000)) == Approx(30.0).epsilon(1e-12));  // flat after
}

TEST_CASE("No trend, or model none, keeps the base level", "[demand]") {
  const auto plain = curve_of({{"base_gpus", 42}});
  const auto none = curve_of({{"base_gpus", 42}, {"trend", {{"model", "none"}}}});
  for (const Time t : {kT0, kT0 + days(400), kT0 + days(4000)}) {
    CHECK(plain->deterministic(t) == 42.0);
    CHECK(none->deterministic(t) == 42.0);
  }
  std::vector<std::string> names = aidc::trend_models().names();
  CHECK(names == std::vector<std::string>{"exponential", "logistic", "none", "piecewise"});
}

// ---------------------------------------------------------------------------------------
// Profiles

TEST_CASE("Diurnal and weekly profiles are normalized to mean 1", "[demand]") {
  // diurnal[h] = h + 1 (1..24), mean 12.5, max 24: peak 24 / 12.5 = 1.92.
  // weekly = 2 on weekdays, 1 at the weekend: mean 12/7, peak 2 / (12/7) = 7/6.
  std::vector<double> diurnal;
  diurnal.reserve(24);
  for (int h = 0; h < 24; ++h) diurnal.push_back(h + 1);
  const std::vector<double> weekly{2, 2, 2, 2, 2, 1, 1};
  const auto curve = curve_of({{"base_gpus", 1000}, {"diurnal", diurnal}, {"weekly", weekly}});

  double diurnal_sum = 0;
  for (const double f : curve->diurnal()) diurnal_sum += f;
  double weekly_sum = 0;
  for (const double f : curve->weekly()) weekly_sum += f;
  CHECK(diurnal_sum == Approx(24.0).epsilon(1e-12));
  CHECK(weekly_sum == Approx(7.0).epsilon(1e-12));
  CHECK(curve->diurnal()[23] == Approx(1.92).epsilon(1e-12));
  CHECK(curve->weekly()[0] == Approx(7.0 / 6.0).epsilon(1e-12));

  SECTION("the mean over any whole week equals the base") {
    // The curve is constant within an hour, and 168 consecutive hours hold every
    // (hour, weekday) pair once: mean = 1000 x mean(diurnal) x mean(weekly) = 1000.
    for (const Time from : {kT0, kT0 + days(10) + hours(7)}) {
      double sum = 0;
      double peak = 0;
      for (int k = 0; k < 168; ++k) {
        const double v = curve->deterministic(from + hours(k) + seconds(1800));
        sum += v;
        peak = std::max(peak, v);
      }
      const double mean = sum / 168.0;
      CHECK(mean == Approx(1000.0).epsilon(1e-12));
      // Peak-to-mean is max(diurnal)/mean(diurnal) x max(weekly)/mean(weekly) = 1.92 x 7/6 = 2.24.
      CHECK(peak / mean == Approx(2.24).epsilon(1e-12));
    }
  }
  SECTION("the hour of day is that of the scenario clock") {
    // 05:00 to 05:59 on day 0 (a weekday, factor 7/6) use diurnal[5] = 6 / 12.5 = 0.48.
    const double expected = 1000.0 * 0.48 * 7.0 / 6.0;
    CHECK(curve->deterministic(kT0 + hours(5)) == Approx(expected).epsilon(1e-12));
    CHECK(curve->deterministic(kT0 + hours(6) + seconds(-1)) == Approx(expected).epsilon(1e-12));
  }
}

TEST_CASE("The weekly factor follows the calendar: 2026-01-01 is a Thursday", "[demand]") {
  // weekly = [1, 1, 1, 5, 1, 1, 1] (Thursday 5), mean 11/7: Thursday 35/11, others 7/11.
  const json spec = {{"base_gpus", 11}, {"weekly", {1, 1, 1, 5, 1, 1, 1}}};
  const auto curve = curve_of(spec);
  CHECK(curve->deterministic(kT0) == Approx(35.0).epsilon(1e-12));                        // Thu
  CHECK(curve->deterministic(kT0 + days(1)) == Approx(7.0).epsilon(1e-12));               // Fri
  CHECK(curve->deterministic(kT0 + days(4)) == Approx(7.0).epsilon(1e-12));               // Mon
  CHECK(curve->deterministic(kT0 + days(7) + hours(23)) == Approx(35.0).epsilon(1e-12));  // Thu
  CHECK(curve->deterministic(kT0 + seconds(-1)) == Approx(7.0).epsilon(1e-12));  // Wed 23:59:59

  // From Monday 2026-01-05 on, Thursday is t = 3 days.
  const auto monday = curve_of(spec, *aidc::parse_date("2026-01-05"));
  CHECK(monday->deterministic(kT0) == Approx(7.0).epsilon(1e-12));
  CHECK(monday->deterministic(kT0 + days(3)) == Approx(35.0).epsilon(1e-12));
}

// ---------------------------------------------------------------------------------------
// Steps

TEST_CASE("A step applies from its date's first second; a window ends at its until date",
          "[demand]") {
  // 2026-09-01 is 243 days after 2026-01-01 (31+28+31+30+31+30+31+31), 2026-09-15 is 257,
  // 2027-03-01 is 365 + 31 + 28 = 424.
  const auto curve = curve_of({{"base_gpus", 100},
                               {"steps",
                                {{{"from", "2026-09-01"},
                                  {"until", "2026-09-15"},
                                  {"factor", 1.8},
                                  {"label", "launch spike"}},
                                 {{"from", "2027-03-01"},
                                  {"factor", 0.5},
                                  {"label", "efficiency gain halves serving cost"}}}}});
  CHECK(curve->deterministic(kT0 + days(243) + seconds(-1)) == 100.0);
  CHECK(curve->deterministic(kT0 + days(243)) == Approx(180.0).epsilon(1e-12));
  CHECK(curve->deterministic(kT0 + days(257) + seconds(-1)) == Approx(180.0).epsilon(1e-12));
  CHECK(curve->deterministic(kT0 + days(257)) == 100.0);
  CHECK(curve->deterministic(kT0 + days(424) + seconds(-1)) == 100.0);
  CHECK(curve->deterministic(kT0 + days(424)) == Approx(50.0).epsilon(1e-12));
  CHECK(curve->deterministic(kT0 + days(3000)) == Approx(50.0).epsilon(1e-12));
  REQUIRE(curve->steps().size() == 2);
  CHECK(curve->steps()[0].label == "launch spike");
}

TEST_CASE("Overlapping steps multiply, and a step dated before the start applies at once",
          "[demand]") {
  // From 2025-06-01 (before the start) x0.5; from 2026-01-11 (day 10) x3 as well: 100 x 1.5.
  const auto curve = curve_of(
      {{"base_gpus", 100},
       {"steps",
        {{{"from", "2025-06-01"}, {"factor", 0.5}}, {{"from", "2026-01-11"}, {"factor", 3}}}}});
  CHECK(curve->deterministic(kT0) == Approx(50.0).epsilon(1e-12));
  CHECK(curve->deterministic(kT0 + days(10)) == Approx(150.0).epsilon(1e-12));
}

// ---------------------------------------------------------------------------------------
// Noise

TEST_CASE("Log-normal AR(1) noise has mean 1 and lag-1 autocorrelation phi", "[demand]") {
  const double sigma = 0.1;
  const double phi = 0.9;
  const auto curve = curve_of(
      {{"base_gpus", 1}, {"noise", {{"model", "lognormal_ar1"}, {"sigma", sigma}, {"phi", phi}}}});
  auto sampler = curve->sampler(aidc::sim::make_stream(2026, 0, "inference.demand"));
  const std::size_t n = 200000;
  std::vector<double> factors(n);
  for (std::size_t k = 0; k < n; ++k) {
    factors[k] = sampler.next(kT0 + hours(static_cast<std::int64_t>(k)));
    REQUIRE(sampler.noise_factor() == factors[k]);  // base 1 and flat: the value is the factor
  }

  // Mean. Y = exp(x - s^2/2) with x ~ N(0, s^2): E[Y] = 1, Var[Y] = e^{s^2} - 1, and
  // Cov(Y_0, Y_k) = E[exp(x_0 + x_k - s^2)] - 1 = e^{s^2 phi^k} - 1, so
  // rho_k = (e^{s^2 phi^k} - 1) / (e^{s^2} - 1) (close to phi^k). The variance of the
  // mean of n correlated values is Var[Y]/n x (1 + 2 sum_k (1 - k/n) rho_k); for
  // s = 0.1, phi = 0.9 the bracket is about (1 + phi)/(1 - phi) = 19, so SE ~ 0.00098.
  const double s2 = sigma * sigma;
  const double var_y = std::expm1(s2);
  double bracket = 1.0;
  for (std::size_t k = 1; k < 2000; ++k) {
    const double rho = std::expm1(s2 * std::pow(phi, static_cast<double>(k))) / var_y;
    bracket += 2.0 * (1.0 - static_cast<double>(k) / static_cast<double>(n)) * rho;
  }
  const double se = std::sqrt(var_y / static_cast<double>(n) * bracket);
  double mean = 0;
  for (const double y : factors) mean += y;
  mean /= static_cast<double>(n);
  INFO("mean " << mean << ", effective standard error " << se);
  CHECK(se == Approx(0.00098).epsilon(0.02));
  CHECK(std::abs(mean - 1.0) < 4.0 * se);

  // Lag-1 autocorrelation of z = log Y = x - s^2/2, an AR(1) with coefficient phi. By
  // Bartlett's formula the sample r1 of an AR(1) has variance (1 - phi^2)/n, so its
  // standard error is sqrt(0.19 / 200,000) = 0.00097; its bias, about -(1 + 4 phi)/n =
  // -0.00002, is negligible. Tolerance: 4 standard errors.
  std::vector<double> z(n);
  double z_mean = 0;
  for (std::size_t k = 0; k < n; ++k) {
    z[k] = std::log(factors[k]);
    z_mean += z[k];
  }
  z_mean /= static_cast<double>(n);
  double c0 = 0;
  double c1 = 0;
  for (std::size_t k = 0; k < n; ++k) {
    c0 += (z[k] - z_mean) * (z[k] - z_mean);
    if (k + 1 < n) c1 += (z[k] - z_mean) * (z[k + 1] - z_mean);
  }
  const double r1 = c1 / c0;
  const double r1_se = std::sqrt((1.0 - phi * phi) / static_cast<double>(n));
  INFO("lag-1 autocorrelation " << r1 << ", standard error " << r1_se);
  CHECK(std::abs(r1 - phi) < 4.0 * r1_se);

  // The process is stationary from its first value: Var[z] = s^2 = 0.01. The sample
  // variance of a Gaussian AR(1) has standard error s^2 sqrt(2 (1 + phi^2) / ((1 - phi^2) n))
  // = 0.01 x sqrt(2 x 1.81 / 0.19 / 200,000) = 0.0000976; tolerance 4 of those.
  const double var_z = c0 / static_cast<double>(n);
  CHECK(std::abs(var_z - s2) <
        4.0 * s2 * std::sqrt(2.0 * (1.0 + phi * phi) / (1.0 - phi * phi) / static_cast<double>(n)));
}

TEST_CASE("The same random stream gives the same demand; another stream differs", "[demand]") {
  const auto curve =
      curve_of({{"base_gpus", 500},
                {"diurnal", std::vector<double>(24, 1.0)},
                {"noise", {{"model", "lognormal_ar1"}, {"sigma", 0.2}, {"phi", 0.5}}}});
  auto a = curve->sampler(aidc::sim::make_stream(7, 0, "inference.demand"));
  auto b = curve->sampler(aidc::sim::make_stream(7, 0, "inference.demand"));
  auto c = curve->sampler(aidc::sim::make_stream(7, 1, "inference.demand"));
  int differ = 0;
  for (int k = 0; k < 1000; ++k) {
    const Time t = kT0 + hours(k);
    const double va = a.next(t);
    REQUIRE(va == b.next(t));
    if (va != c.next(t)) ++differ;
    CHECK(va == curve->deterministic(t) * a.noise_factor());
  }
  CHECK(differ == 1000);
}

TEST_CASE("A sampler repeats its value at the same time and refuses to go back", "[demand]") {
  const auto curve = curve_of(
      {{"base_gpus", 500}, {"noise", {{"model", "lognormal_ar1"}, {"sigma", 0.2}, {"phi", 0.5}}}});
  auto sampler = curve->sampler(aidc::sim::make_stream(1, 0, "inference.demand"));
  const double first = sampler.next(kT0 + hours(1));
  CHECK(sampler.next(kT0 + hours(1)) == first);
  CHECK(sampler.next(kT0 + hours(2)) != first);
  CHECK_THROWS_WITH(sampler.next(kT0 + hours(1)),
                    Catch::Contains("3600") && Catch::Contains("7200"));
}

TEST_CASE("Without noise a sampler returns the deterministic curve", "[demand]") {
  const auto curve = curve_of(
      {{"base_gpus", 500}, {"weekly", {1, 2, 3, 4, 5, 6, 7}}, {"noise", {{"model", "none"}}}});
  auto sampler = curve->sampler(aidc::sim::make_stream(1, 0, "inference.demand"));
  for (int k = 0; k < 500; ++k) {
    const Time t = kT0 + hours(k);
    REQUIRE(sampler.next(t) == curve->deterministic(t));
  }
}

// ---------------------------------------------------------------------------------------
// CSV series

TEST_CASE("A CSV series is read back as a step function of its rows", "[demand][csv]") {
  const aidc::test::TempDir dir;
  // Rows of series "a" at 0, 60 and 180 s; the "b" row is filtered out. Scale 0.5:
  // [0, 60) 50, [60, 180) 100, [180, ...) 25.
  const std::string path = dir.write("load.csv",
                                     "t_start_s,trace,requests\n"
                                     "0,a,100\n"
                                     "60,b,999\n"
                                     "60,a,200\r\n"
                                     "\n"
                                     "180,a,50\n");
  const auto curve = curve_of({{"csv",
                                {{"path", path},
                                 {"time_column", "t_start_s"},
                                 {"value_column", "requests"},
                                 {"time_unit", "s"},
                                 {"scale", 0.5},
                                 {"filter", {{"column", "trace"}, {"equals", "a"}}}}}});
  CHECK(curve->has_series());
  CHECK(curve->deterministic(kT0) == 50.0);
  CHECK(curve->deterministic(kT0 + seconds(59)) == 50.0);
  CHECK(curve->deterministic(kT0 + seconds(60)) == 100.0);
  CHECK(curve->deterministic(kT0 + seconds(179)) == 100.0);
  CHECK(curve->deterministic(kT0 + seconds(180)) == 25.0);
  CHECK(curve->deterministic(kT0 + days(30)) == 25.0);  // the last row holds

  // A sampler walks the same steps with its cursor.
  auto sampler = curve->sampler(aidc::sim::make_stream(1, 0, "inference.demand"));
  for (int s = 0; s < 400; s += 10) {
    REQUIRE(sampler.next(kT0 + seconds(s)) == curve->deterministic(kT0 + seconds(s)));
  }

  SECTION("times in minutes; the first row's value holds before it") {
    // Minutes 1 and 3 are 60 s and 180 s.
    const std::string minutes = dir.write("minutes.csv", "minute,gpus\n1,7\n3,9\n");
    const auto m =
        curve_of({{"csv",
                   {{"path", minutes},
                    {"time_column", "minute"},
                    {"value_column", "gpus"},
                    {"time_unit", "min"}}},
                  {"diurnal", std::vector<double>(24, 2.0)}});  // all equal: normalized to 1
    CHECK(m->deterministic(kT0) == 7.0);
    CHECK(m->deterministic(kT0 + seconds(179)) == 7.0);
    CHECK(m->deterministic(kT0 + seconds(180)) == 9.0);
  }
  SECTION("profiles and steps still multiply the series") {
    // Thursday factor of [1, 1, 1, 5, 1, 1, 1] is 35/11; at t = 0 the series is 50.
    const auto shaped = curve_of({{"csv",
                                   {{"path", path},
                                    {"time_column", "t_start_s"},
                                    {"value_column", "requests"},
                                    {"scale", 0.5},
                                    {"filter", {{"column", "trace"}, {"equals", "a"}}}}},
                                  {"weekly", {1, 1, 1, 5, 1, 1, 1}},
                                  {"steps", {{{"from", "2026-01-01"}, {"factor", 2}}}}});
    CHECK(shaped->deterministic(kT0) == Approx(50.0 * 35.0 / 11.0 * 2.0).epsilon(1e-12));
  }
}

TEST_CASE("A malformed CSV row is an error naming the file and the line", "[demand][csv]") {
  const aidc::test::TempDir dir;
  const json columns = {{"time_column", "t"}, {"value_column", "v"}};
  const auto problems_for = [&](const std::string& text) {
    json csv = columns;
    csv["path"] = dir.write("bad.csv", text);
    return read_demand({{"csv", csv}});
  };
  const std::string file = dir.file("bad.csv");

  SECTION("a value that is not a number") {
    // Line 1 is the header, so "60,abc" is line 3.
    const auto r = problems_for("t,v\n0,1\n60,abc\n120,2\n");
    CHECK(r.curve == nullptr);
    REQUIRE(r.problems.size() == 1);
    CHECK(r.problems[0].pointer == "/demand/csv/path");
    // The cell is not quoted: messages never quote a data file's content.
    CHECK(r.problems[0].message == file + ":3: bad value in column \"v\" (expected a number >= 0)");
    // Thrown, the error names the scenario, the pointer, the CSV file and its line.
    aidc::Diagnostics diagnostics("s.json");
    for (const auto& p : r.problems) diagnostics.add(p.pointer, p.message);
    REQUIRE_THROWS_WITH(diagnostics.throw_if_any(),
                        Catch::StartsWith("s.json: /demand/csv/path: " + file + ":3: "));
  }
  SECTION("a row with too few fields") {
    const auto r = problems_for("t,v\n0,1\n60\n");
    REQUIRE(r.problems.size() == 1);
    CHECK(r.problems[0].message == file + ":3: expected 2 fields as in the header, got 1");
  }
  SECTION("rows out of time order") {
    const auto r = problems_for("t,v\n0,1\n120,2\n60,3\n");
    REQUIRE(r.problems.size() == 1);
    CHECK_THAT(r.problems[0].message,
               Catch::StartsWith(file + ":4: time 60 s is not after the previous row's 120 s"));
  }
  SECTION("a negative value") {
    const auto r = problems_for("t,v\n0,-1\n");
    REQUIRE(r.problems.size() == 1);
    CHECK_THAT(r.problems[0].message, Catch::StartsWith(file + ":2: bad value in column"));
  }
  SECTION("many bad rows are reported five at a time") {
    const auto r = problems_for("t,v\n0,x\n1,x\n2,x\n3,x\n4,x\n5,x\n6,x\n");
    REQUIRE(r.problems.size() == 6);
    CHECK(r.problems[5].message == file + ": 2 more bad rows");
  }
  SECTION("a missing column, without quoting the header") {
    // "request" is one insertion away from "requests", but the header is the file's content.
    const auto r = read_demand({{"csv",
                                 {{"path", dir.write("cols.csv", "t,requests\n0,1\n")},
                                  {"time_column", "t"},
                                  {"value_column", "request"}}}});
    REQUIRE(r.problems.size() == 1);
    CHECK(r.problems[0].pointer == "/demand/csv/value_column");
    CHECK(r.problems[0].message ==
          "no column \"request\" in \"" + dir.file("cols.csv") + "\" (its header has 2 columns)");
  }
  SECTION("a file that does not exist") {
    const auto r = read_demand(
        {{"csv", {{"path", "no/such/file.csv"}, {"time_column", "t"}, {"value_column", "v"}}}});
    REQUIRE(r.problems.size() == 1);
    CHECK(r.problems[0].pointer == "/demand/csv/path");
    CHECK_THAT(r.problems[0].message, Catch::StartsWith("cannot read \"no/such/file.csv\""));
  }
  SECTION("a filter that matches no row") {
    const auto r = read_demand({{"csv",
                                 {{"path", dir.write("f.csv", "t,k,v\n0,a,1\n")},
                                  {"time_column", "t"},
                                  {"value_column", "v"},
                                  {"filter", {{"column", "k"}, {"equals", "b"}}}}}});
    REQUIRE(r.problems.size() == 1);
    CHECK_THAT(r.problems[0].message, Catch::EndsWith("no data rows with k = \"b\""));
  }
}

TEST_CASE("The Azure LLM conv trace keeps its per-minute peak-to-mean", "[demand][csv]") {
  const std::string derived =
      std::string(AIDC_SOURCE_DIR) + "/../shared/data/azure-llm-2023/derived";
  const std::string path = derived + "/agg_1min.csv";
  if (!std::filesystem::exists(path)) {
    WARN("skipped: " << path << " is absent (the shared data folder is not checked out)");
    return;
  }
  // The trace's own statistic, from plain string splitting: per-minute request counts of
  // the "conv" rows over fully observed minutes (observed_s == bin_s).
  std::ifstream in(path);
  std::string line;
  REQUIRE(std::getline(in, line));
  const std::vector<std::string> header = aidc::test::split_fields(line, ',');
  const auto column = [&](const std::string& name) {
    const auto it = std::find(header.begin(), header.end(), name);
    REQUIRE(it != header.end());
    return static_cast<std::size_t>(it - header.begin());
  };
  const std::size_t trace_col = column("trace");
  const std::size_t t_col = column("t_start_s");
  const std::size_t bin_col = column("bin_s");
  const std::size_t observed_col = column("observed_s");
  const std::size_t requests_col = column("requests");
  std::vector<std::int64_t> full_minutes;
  double sum = 0;
  double peak = 0;
  while (std::getline(in, line)) {
    const std::vector<std::string> f = aidc::test::split_fields(line, ',');
    if (f.size() != header.size() || f[trace_col] != "conv") continue;
    if (std::stod(f[observed_col]) != std::stod(f[bin_col])) continue;
    full_minutes.push_back(std::stoll(f[t_col]));
    const double requests = std::stod(f[requests_col]);
    sum += requests;
    peak = std::max(peak, requests);
  }
  const double trace_ratio = peak / (sum / static_cast<double>(full_minutes.size()));
  // ../shared/data/README.md's cross-check: 58 full minutes, 19,338 requests, max 502,
  // so 502 / (19,338 / 58) = 1.50564.
  CHECK(full_minutes.size() == 58);
  CHECK(sum == 19338.0);
  CHECK(peak == 502.0);
  CHECK(trace_ratio == Approx(1.506).margin(0.0005));

  // The curve, sampled mid-minute at the same minutes (scale 1: values are counts).
  const auto curve = curve_of({{"csv",
                                {{"path", path},
                                 {"time_column", "t_start_s"},
                                 {"value_column", "requests"},
                                 {"filter", {{"column", "trace"}, {"equals", "conv"}}}}}});
  double curve_sum = 0;
  double curve_peak = 0;
  for (const std::int64_t t : full_minutes) {
    const double v = curve->deterministic(Time{t + 30});
    curve_sum += v;
    curve_peak = std::max(curve_peak, v);
  }
  const double curve_ratio = curve_peak / (curve_sum / static_cast<double>(full_minutes.size()));
  CHECK(curve_ratio == Approx(trace_ratio).epsilon(1e-12));

  // derived/summary_stats.csv states it with 6 decimals, so it agrees within 5e-7.
  std::ifstream stats(derived + "/summary_stats.csv");
  bool found = false;
  while (stats && std::getline(stats, line)) {
    const std::vector<std::string> f = aidc::test::split_fields(line, ',');
    if (f.size() >= 2 && f[0] == "conv.peak_to_mean_1min") {
      found = true;
      CHECK(curve_ratio == Approx(std::stod(f[1])).margin(5e-7));
    }
  }
  if (!found) WARN("derived/summary_stats.csv has no conv.peak_to_mean_1min; not compared");
}

// ---------------------------------------------------------------------------------------
// Bad input

namespace {

struct BadDemand {
  std::string name;
  std::string text;      // the "demand" object
  std::string pointer;   // where the problem must be reported
  std::string fragment;  // part of its message
};

}  // namespace

TEST_CASE("Each bad demand spec is reported at its JSON pointer", "[demand][errors]") {
  const auto c = GENERATE(values<BadDemand>({
      {"negative base", R"({"base_gpus": -5})", "/demand/base_gpus",
       "out of range (got -5, expected a number >= 0)"},
      {"missing base", R"({"diurnal": [1]})", "/demand/base_gpus", "missing required key"},
      {"misspelled key", R"({"base_gpu": 5})", "/demand/base_gpu",
       R"(unknown key "base_gpu"; did you mean "base_gpus"?)"},
      {"short diurnal profile", R"({"base_gpus": 1, "diurnal": [1, 1, 1]})", "/demand/diurnal",
       "expected 24 factors, one per hour 0..23 (got 3)"},
      {"long weekly profile", R"({"base_gpus": 1, "weekly": [1, 1, 1, 1, 1, 1, 1, 1]})",
       "/demand/weekly", "expected 7 factors, one per day Monday..Sunday (got 8)"},
      {"zero diurnal factor",
       R"({"base_gpus": 1, "diurnal": [1,1,1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]})",
       "/demand/diurnal/3", "out of range (got 0"},
      {"negative weekly factor", R"({"base_gpus": 1, "weekly": [1, 1, 1, 1, 1, 1, -2]})",
       "/demand/weekly/6", "out of range (got -2"},
      {"phi of 1",
       R"({"base_gpus": 1, "noise": {"model": "lognormal_ar1", "sigma": 0.1, "phi": 1}})",
       "/demand/noise/phi", "expected a number from 0 up to but not including 1"},
      {"negative phi",
       R"({"base_gpus": 1, "noise": {"model": "lognormal_ar1", "sigma": 0.1, "phi": -0.2}})",
       "/demand/noise/phi", "got -0.2"},
      {"negative sigma", R"({"base_gpus": 1, "noise": {"model": "lognormal_ar1", "sigma": -1}})",
       "/demand/noise/sigma", "out of range"},
      {"misspelled noise model",
       R"({"base_gpus": 1, "noise": {"model": "lognormal_ar", "sigma": 1}})", "/demand/noise/model",
       R"(did you mean "lognormal_ar1"?)"},
      {"steps out of order",
       R"({"base_gpus": 1, "steps": [{"from": "2027-03-01", "factor": 0.5},
                                     {"from": "2026-09-01", "factor": 1.8}]})",
       "/demand/steps/1/from", R"(steps out of order (got "2026-09-01" after "2027-03-01")"},
      {"window that ends before it starts",
       R"({"base_gpus": 1, "steps": [{"from": "2026-09-15", "until": "2026-09-01", "factor": 2}]})",
       "/demand/steps/0/until", R"(expected a date after "from")"},
      {"zero step factor", R"({"base_gpus": 1, "steps": [{"from": "2026-09-15", "factor": 0}]})",
       "/demand/steps/0/factor", "out of range (got 0, expected a positive number)"},
      {"bad step date", R"({"base_gpus": 1, "steps": [{"from": "2026-13-01", "factor": 2}]})",
       "/demand/steps/0/from", R"(not a date (got "2026-13-01")"},
      {"misspelled trend model", R"({"base_gpus": 1, "trend": {"model": "exponental"}})",
       "/demand/trend/model", R"(unknown trend model "exponental"; did you mean "exponential"?)"},
      {"negative growth",
       R"({"base_gpus": 1, "trend": {"model": "exponential", "growth_per_year": -1}})",
       "/demand/trend/growth_per_year", "out of range (got -1, expected a positive number)"},
      {"misspelled trend parameter",
       R"({"base_gpus": 1, "trend": {"model": "exponential", "growth_per_yer": 2}})",
       "/demand/trend/growth_per_yer", R"(did you mean "growth_per_year"?)"},
      {"logistic cap below floor",
       R"({"base_gpus": 1, "trend": {"model": "logistic", "floor": 5, "cap": 2,
           "midpoint": "2027-01-01", "rate_per_year": 1}})",
       "/demand/trend", "expected cap >= floor (got floor 5, cap 2)"},
      {"logistic floor of zero",
       R"({"base_gpus": 1, "trend": {"model": "logistic", "floor": 0, "cap": 2,
           "midpoint": "2027-01-01", "rate_per_year": 1}})",
       "/demand/trend/floor", "out of range (got 0"},
      {"piecewise factor of zero",
       R"({"base_gpus": 1, "trend": {"model": "piecewise", "points": [
           {"date": "2026-01-01", "factor": 1}, {"date": "2027-01-01", "factor": 0}]}})",
       "/demand/trend/points/1/factor", "out of range (got 0"},
      {"piecewise points out of order",
       R"({"base_gpus": 1, "trend": {"model": "piecewise", "points": [
           {"date": "2027-01-01", "factor": 1}, {"date": "2026-01-01", "factor": 2}]}})",
       "/demand/trend/points/1/date", "points out of order"},
      {"csv together with base_gpus",
       R"({"base_gpus": 1, "csv": {"path": "x.csv", "time_column": "t", "value_column": "v"}})",
       "/demand/base_gpus", R"(not allowed with "csv")"},
      {"misspelled time unit",
       R"({"csv": {"path": "x.csv", "time_column": "t", "value_column": "v", "time_unit": "sec"}})",
       "/demand/csv/time_unit", R"(unknown value "sec")"},
  }));
  INFO(c.name);
  const ReadResult r = read_demand(json::parse(c.text));
  INFO(all_lines(r.problems));
  CHECK(r.curve == nullptr);
  const auto it = std::find_if(r.problems.begin(), r.problems.end(),
                               [&](const Diagnostic& d) { return d.pointer == c.pointer; });
  REQUIRE(it != r.problems.end());
  CHECK_THAT(it->message, Catch::Contains(c.fragment));
}

TEST_CASE("A full demand spec reads without problems", "[demand]") {
  // The brief's example with its steps listed in date order.
  const auto curve = curve_of(json::parse(R"({
    "base_gpus": 120000,
    "trend": {"model": "logistic", "floor": 1, "cap": 10, "midpoint": "2027-06-01",
              "rate_per_year": 2.0},
    "weekly": [1.1, 1.1, 1.1, 1.1, 1.0, 0.8, 0.8],
    "noise": {"model": "lognormal_ar1", "sigma": 0.1, "phi": 0.9},
    "steps": [{"from": "2026-09-01", "until": "2026-09-15", "factor": 1.8, "label": "launch spike"},
              {"from": "2027-03-01", "factor": 0.5,
               "label": "efficiency gain halves serving cost"}]})"));
  CHECK(curve->noise().is_enabled());
  CHECK(curve->noise().phi == 0.9);
  CHECK(curve->steps().size() == 2);
  CHECK(curve->deterministic(kT0) > 0);
}
