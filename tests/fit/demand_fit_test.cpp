// aidc fit demand: the fit recovers the parameters it was given, chooses the trend that made
// the data, and writes a section whose curve is the fitted mean.

#include <boost/random/normal_distribution.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <numbers>

#include "aidc/demand/demand.hpp"
#include "aidc/fit/demand.hpp"
#include "aidc/sim/rng.hpp"
#include "support.hpp"

namespace fit_demand_test {

using aidc::Date;
using aidc::fit::HourlySeries;
using aidc::fit::TrendKind;
using Catch::Matchers::WithinAbs;

/// The parameters a synthetic series is drawn from, on the fit's own scales.
struct Truth {
  double log_level = std::log(500.0);  // at the start, trend factor 1 there
  TrendKind trend = TrendKind::none;
  double growth = 0;       // exponential: log growth per year
  double floor_share = 0;  // logistic: floor / cap
  double rate = 0;         // logistic: per year
  double midpoint_days = 0;
  std::array<double, 24> diurnal{};
  std::array<double, 7> weekly{};
  double sigma = 0;
  double phi = 0;
};

constexpr double kYear = 365.25;

Truth shaped() {
  Truth t;
  double mean = 0;
  for (std::size_t h = 0; h < 24; ++h) {
    const double x = 2 * std::numbers::pi * static_cast<double>(h) / 24;
    t.diurnal[h] = 0.3 * std::sin(x - 1.2) + 0.1 * std::cos(2 * x);
    mean += t.diurnal[h] / 24;
  }
  for (double& d : t.diurnal) d -= mean;
  t.weekly = {0.05, 0.08, 0.06, 0.04, 0.02, -0.12, -0.13};
  return t;
}

double log_trend(const Truth& t, double tau) {
  switch (t.trend) {
    case TrendKind::exponential:
      return t.growth * tau;
    case TrendKind::logistic: {
      const auto level = [&](double x) {
        return t.floor_share +
               (1 - t.floor_share) / (1 + std::exp(-t.rate * (x - t.midpoint_days / kYear)));
      };
      return std::log(level(tau) / level(0));  // factor 1 at the start
    }
    default:
      return 0;
  }
}

/// Hourly values from 00:00 of `start` for `days` days; log-normal AR(1) noise from `seed`.
HourlySeries generate(const Truth& t, Date start, int days, std::uint64_t seed) {
  HourlySeries s;
  aidc::sim::Rng rng(seed);
  boost::random::normal_distribution<double> normal;
  const std::int64_t first = start.time_since_epoch().count() * 24;
  const unsigned start_weekday = std::chrono::weekday{start}.iso_encoding() - 1;
  double e = t.sigma * normal(rng);
  for (std::int64_t i = 0; i < 24 * static_cast<std::int64_t>(days); ++i) {
    if (i > 0) e = t.phi * e + std::sqrt(1 - t.phi * t.phi) * t.sigma * normal(rng);
    const double tau = static_cast<double>(i) / 24 / kYear;
    const auto h = static_cast<std::size_t>(i % 24);
    const auto w = static_cast<std::size_t>((start_weekday + i / 24) % 7);
    s.hour.push_back(first + i);
    s.value.push_back(std::exp(t.log_level + log_trend(t, tau) + t.diurnal[h] + t.weekly[w] + e));
    s.samples.push_back(1);
  }
  return s;
}

aidc::fit::FitSpec spec_with(std::optional<TrendKind> trend) {
  aidc::fit::FitSpec spec;
  spec.display_path = "synthetic.csv";
  spec.value_column = "value";
  spec.trend = trend;
  return spec;
}

const Date kStart = Date{std::chrono::year{2026} / 1 / 5};  // a Monday

/// (estimate - truth) / se for every parameter of a fit against its truth.
std::vector<double> z_scores(const aidc::fit::DemandFit& f, const Truth& t) {
  std::vector<double> z;
  const auto add = [&](const aidc::fit::Estimate& e, double truth) {
    REQUIRE(e.se > 0);
    z.push_back((e.value - truth) / e.se);
  };
  add(f.log_level, t.log_level);
  if (t.trend == TrendKind::exponential) add(f.trend_parameters.at(0), t.growth);
  for (std::size_t h = 0; h < 24; ++h) add(f.log_diurnal[h], t.diurnal[h]);
  for (std::size_t d = 0; d < 7; ++d) add(f.log_weekly[d], t.weekly[d]);
  add(f.sigma, t.sigma);
  add(f.phi, t.phi);
  return z;
}

TEST_CASE("fit demand: noise-free series are fitted exactly", "[fit]") {
  SECTION("exponential") {
    Truth t = shaped();
    t.trend = TrendKind::exponential;
    t.growth = std::log(3.0);
    const auto series = generate(t, kStart, 35, 1);
    const auto f = aidc::fit::fit_demand(series, spec_with(TrendKind::exponential), kStart);
    CHECK_THAT(f.log_level.value, WithinAbs(t.log_level, 1e-9));
    CHECK_THAT(f.trend_parameters.at(0).value, WithinAbs(t.growth, 1e-9));
    for (std::size_t h = 0; h < 24; ++h)
      CHECK_THAT(f.log_diurnal[h].value, WithinAbs(t.diurnal[h], 1e-9));
    for (std::size_t d = 0; d < 7; ++d)
      CHECK_THAT(f.log_weekly[d].value, WithinAbs(t.weekly[d], 1e-9));
    CHECK(f.sigma.value < 1e-9);
    CHECK_THAT(f.r2_log, WithinAbs(1.0, 1e-12));
  }
  SECTION("logistic, midpoint on a whole day") {
    Truth t = shaped();
    t.trend = TrendKind::logistic;
    t.floor_share = 0.2;
    t.rate = 30;
    t.midpoint_days = 40;
    const auto series = generate(t, kStart, 80, 1);
    const auto f = aidc::fit::fit_demand(series, spec_with(TrendKind::logistic), kStart);
    CHECK_THAT(f.log_level.value, WithinAbs(t.log_level, 1e-9));
    CHECK_THAT(f.trend_parameters.at(0).value, WithinAbs(t.floor_share, 1e-9));
    CHECK_THAT(f.trend_parameters.at(1).value, WithinAbs(t.rate, 1e-7));
    CHECK_THAT(f.trend_parameters.at(2).value, WithinAbs(t.midpoint_days / kYear, 1e-12));
    for (std::size_t h = 0; h < 24; ++h)
      CHECK_THAT(f.log_diurnal[h].value, WithinAbs(t.diurnal[h], 1e-9));
  }
  SECTION("the chosen trend of a noise-free logistic is the logistic") {
    Truth t = shaped();
    t.trend = TrendKind::logistic;
    t.floor_share = 0.3;
    t.rate = 40;
    t.midpoint_days = 30;
    const auto f =
        aidc::fit::fit_demand(generate(t, kStart, 60, 1), spec_with(std::nullopt), kStart);
    CHECK(f.trend == TrendKind::logistic);
  }
}

TEST_CASE("fit demand: parameters recovered within their standard errors", "[fit]") {
  // 90 days of hourly data with AR(1) noise. Each estimate lies within 3 of its standard
  // errors of the truth, and about two thirds within one, as calibrated errors should.
  Truth t = shaped();
  t.trend = TrendKind::exponential;
  t.growth = std::log(2.5);
  t.sigma = 0.15;
  t.phi = 0.7;
  const auto f =
      aidc::fit::fit_demand(generate(t, kStart, 90, 42), spec_with(std::nullopt), kStart);
  CHECK(f.trend == TrendKind::exponential);
  const auto z = z_scores(f, t);
  std::size_t within_one = 0;
  for (const double x : z) {
    CHECK(std::abs(x) < 3.0);
    if (std::abs(x) < 1.0) ++within_one;
  }
  const double share = static_cast<double>(within_one) / static_cast<double>(z.size());
  CHECK(share > 0.45);
  CHECK(share < 0.9);
  CHECK_THAT(f.residual_acf1, WithinAbs(t.phi, 0.05));
}

// Release only ([slow]): the other fit tests run the same solver under the sanitizers.
TEST_CASE("fit demand: the information criterion picks the trend that made the data",
          "[fit][slow]") {
  Truth logistic = shaped();
  logistic.trend = TrendKind::logistic;
  logistic.floor_share = 0.25;
  logistic.rate = 25;
  logistic.midpoint_days = 60;
  logistic.sigma = 0.1;
  logistic.phi = 0.5;
  const auto fl =
      aidc::fit::fit_demand(generate(logistic, kStart, 120, 7), spec_with(std::nullopt), kStart);
  CHECK(fl.trend == TrendKind::logistic);
  CHECK(fl.candidates.size() == 4);

  Truth exponential = shaped();
  exponential.trend = TrendKind::exponential;
  exponential.growth = std::log(4.0);
  exponential.sigma = 0.1;
  exponential.phi = 0.5;
  const auto fe =
      aidc::fit::fit_demand(generate(exponential, kStart, 120, 8), spec_with(std::nullopt), kStart);
  CHECK(fe.trend == TrendKind::exponential);
}

TEST_CASE("fit demand: the section's curve is the fitted mean", "[fit]") {
  Truth t = shaped();
  t.trend = TrendKind::exponential;
  t.growth = std::log(2.0);
  t.sigma = 0.2;
  t.phi = 0.6;
  auto spec = spec_with(std::nullopt);
  spec.scale = 0.25;
  for (const TrendKind kind :
       {TrendKind::none, TrendKind::exponential, TrendKind::logistic, TrendKind::piecewise}) {
    spec.trend = kind;
    const Date later = kStart + std::chrono::days{3};  // a start inside the trace
    const auto f = aidc::fit::fit_demand(generate(t, kStart, 40, 3), spec, later);
    const nlohmann::json section = aidc::fit::demand_section(f, spec, "");
    aidc::Diagnostics diagnostics("section.json");
    const auto curve = aidc::DemandCurve::read(aidc::ParamReader(section, "", diagnostics), later);
    INFO(aidc::fit::trend_name(kind) << " " << section.dump());
    REQUIRE(curve);
    const std::int64_t origin = later.time_since_epoch().count() * 24;
    for (const auto& h : f.series) {
      const aidc::sim::Time at{(h.hour - origin) * 3600};
      CHECK_THAT(curve->deterministic(at) / (spec.scale * h.mean), WithinAbs(1.0, 1e-12));
    }
  }
}

TEST_CASE("fit demand: the hold-out check", "[fit]") {
  Truth t = shaped();
  t.trend = TrendKind::exponential;
  t.growth = std::log(2.0);
  auto spec = spec_with(TrendKind::exponential);
  spec.holdout_days = 7;
  SECTION("noise-free: the projection is exact") {
    const auto f = aidc::fit::fit_demand(generate(t, kStart, 35, 1), spec, kStart);
    REQUIRE(f.holdout);
    CHECK(f.holdout->hours == 7 * 24);
    CHECK(f.holdout->mape < 1e-9);
    CHECK(f.holdout->band_share == 1.0);
    CHECK(f.hours_used == 28 * 24);
  }
  SECTION("with noise: about 90% of held-out hours in the 90% band") {
    t.sigma = 0.1;
    t.phi = 0.3;
    spec.holdout_days = 21;
    const auto f = aidc::fit::fit_demand(generate(t, kStart, 91, 5), spec, kStart);
    REQUIRE(f.holdout);
    CHECK(f.holdout->band_share > 0.8);
    CHECK(f.holdout->band_share < 0.97);
    // The mean absolute error of a log-normal of sd 0.1 about its mean is about 8%.
    CHECK(f.holdout->mape > 0.05);
    CHECK(f.holdout->mape < 0.11);
  }
}

TEST_CASE("fit demand: series that cannot identify the model are refused", "[fit]") {
  Truth t = shaped();
  auto series = generate(t, kStart, 10, 1);
  SECTION("an hour of day never positive") {
    for (std::size_t i = 12; i < series.value.size(); i += 24) series.value[i] = 0;
    REQUIRE_THROWS_WITH(aidc::fit::fit_demand(series, spec_with(std::nullopt), kStart),
                        Catch::Matchers::Contains("hour of day 12 has fewer than 2"));
  }
  SECTION("too short") {
    series.hour.resize(40);
    series.value.resize(40);
    series.samples.resize(40);
    REQUIRE_THROWS_WITH(aidc::fit::fit_demand(series, spec_with(std::nullopt), kStart),
                        Catch::Matchers::Contains("needs at least 48"));
  }
  SECTION("ten days fit no weekly profile") {
    const auto f = aidc::fit::fit_demand(series, spec_with(TrendKind::none), kStart);
    CHECK(f.has_diurnal);
    CHECK_FALSE(f.has_weekly);
  }
}

}  // namespace fit_demand_test
