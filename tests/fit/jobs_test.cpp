// aidc fit jobs: the arrival profile, the duration laws and the GPUs fitted to synthetic
// traces with known answers, the Weibull estimator on a case solved by hand, the held-out
// check, the Alibaba GPU trace v2023, and the command line.

#include <fmt/format.h>

#include <algorithm>
#include <boost/random/exponential_distribution.hpp>
#include <boost/random/lognormal_distribution.hpp>
#include <boost/random/poisson_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <boost/random/weibull_distribution.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aidc/fit/jobs.hpp"
#include "aidc/scenario/errors.hpp"
#include "aidc/scenario/scenario.hpp"
#include "aidc/sim/rng.hpp"
#include "support.hpp"

namespace fit_jobs_test {

using aidc::TraceJob;
using aidc::fit::ClockTime;

/// Monday 2024-01-01 00:00:00.
ClockTime monday() { return *aidc::fit::parse_clock_time("2024-01-01"); }

/// The true rate in hour h of weekday d: 10 x H[h] x W[d], H and W of mean 1.
struct Profile {
  std::array<double, 24> diurnal{};
  std::array<double, 7> weekly{0.8, 1.2, 1.2, 1.1, 1.0, 0.9, 0.8};
  double per_hour = 10;
  Profile() {
    // A daily wave of amplitude 0.6 has mean 1 over the 24 hours.
    for (std::size_t h = 0; h < 24; ++h) {
      diurnal[h] = 1.0 + 0.6 * std::sin(2.0 * 3.141592653589793 * static_cast<double>(h) / 24.0);
    }
  }
  double rate(std::size_t hour_of_week) const {
    return per_hour * diurnal[hour_of_week % 24] * weekly[hour_of_week / 24];
  }
};

/// A Poisson process with the profile's rate over `days` days from a Monday 00:00: in each
/// hour a Poisson count of jobs at uniform times. Every job asks for 1 GPU, for 1 to 5 hours.
aidc::JobTrace poisson_trace(const Profile& p, int days, std::uint64_t seed) {
  aidc::sim::Rng rng = aidc::sim::make_stream(seed, 0, "fit_jobs_test.arrivals");
  boost::random::uniform_real_distribution<double> within(0.0, 1.0);
  aidc::JobTrace trace;
  for (int k = 0; k < 24 * days; ++k) {
    boost::random::poisson_distribution<int, double> count(
        p.rate(static_cast<std::size_t>(k % 168)));
    const int n = count(rng);
    for (int i = 0; i < n; ++i) trace.jobs.push_back({k + within(rng), 1, 1.0 + i % 5});
  }
  std::sort(trace.jobs.begin(), trace.jobs.end(),
            [](const TraceJob& a, const TraceJob& b) { return a.submit_hours < b.submit_hours; });
  return trace;
}

/// Options for a trace whose time 0 is Monday 2024-01-01, over the window [0, days].
aidc::fit::JobFitOptions window_options(int days) {
  aidc::fit::JobFitOptions o;
  o.origin = monday();
  o.from = monday();
  o.until = monday() + std::chrono::days{days};
  o.fit_date = "2025-01-01";
  return o;
}

/// A trace whose jobs have the given durations (hours), one an hour from time 0.
aidc::JobTrace duration_trace(const std::vector<double>& hours) {
  aidc::JobTrace trace;
  for (std::size_t i = 0; i < hours.size(); ++i) {
    trace.jobs.push_back({static_cast<double>(i), 1, hours[i]});
  }
  return trace;
}

template <class Distribution>
std::vector<double> sample(Distribution dist, std::size_t n, std::uint64_t seed) {
  aidc::sim::Rng rng = aidc::sim::make_stream(seed, 0, "fit_jobs_test.durations");
  std::vector<double> out(n);
  for (auto& x : out) x = dist(rng);
  return out;
}

const aidc::fit::Parameter& parameter(const aidc::fit::DurationFit& f, const std::string& name) {
  for (const auto& p : f.parameters) {
    if (p.name == name) return p;
  }
  throw std::out_of_range("no parameter " + name);
}

/// The shared data folder beside the project, or "" when it is absent.
std::string shared_data(const std::string& relative) {
  const std::string path = std::string(AIDC_SOURCE_DIR) + "/../shared/data/" + relative;
  return std::filesystem::exists(path) ? path : "";
}

}  // namespace fit_jobs_test

using fit_jobs_test::parameter;

TEST_CASE("Clock times are read with or without a time of day and give the week's hour", "[fit]") {
  using aidc::fit::parse_clock_time;
  const auto t = parse_clock_time("2024-01-03 13:30:00");  // a Wednesday
  REQUIRE(t);
  CHECK(aidc::fit::format_clock_time(*t) == "2024-01-03 13:30:00");
  CHECK(parse_clock_time("2024-01-03T13:30:00") == t);
  // Wednesday is weekday 2: 2 x 24 + 13.5 = 61.5 hours after Monday 00:00.
  CHECK(aidc::fit::week_offset_hours(*t) == Approx(61.5));
  CHECK(parse_clock_time("2024-01-03") == parse_clock_time("2024-01-03 00:00:00"));
  for (const char* bad : {"2024-1-03", "2024-02-30", "2024-01-03 24:00:00", "2024-01-03 1:00:00",
                          "1899-12-31", "yesterday", "2024-01-03 13:30"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_clock_time(bad));
  }
}

TEST_CASE("Hourly rates fitted to Poisson arrivals with a known profile lie within their errors",
          "[fit]") {
  // 8 weeks at 10 an hour on average, shaped by a daily sine wave (0.4 to 1.6) and weekday
  // factors 0.8..1.2. The exposure of every (weekday, hour) cell is 8 hours, so the rate of
  // hour h averaged over the weekdays is 10 x H[h] exactly: about 560 arrivals each, a
  // standard error of about 4%. Every fitted rate must lie within 3 standard errors of the
  // truth, and at least 20 of the 24 95% intervals must hold it (22.8 expected; fewer than 20
  // has probability about 0.5%).
  const fit_jobs_test::Profile truth;
  const auto trace = fit_jobs_test::poisson_trace(truth, 56, 17);
  const auto options = fit_jobs_test::window_options(56);
  const auto fit = aidc::fit::fit_jobs(trace, "synthetic.csv", options);
  const auto& a = fit.arrivals;
  REQUIRE(a.diurnal_fitted);
  REQUIRE(a.weekly_fitted);
  CHECK(a.arrivals == trace.jobs.size());
  int inside = 0;
  for (std::size_t h = 0; h < 24; ++h) {
    const double expected = truth.per_hour * truth.diurnal[h];
    const auto& r = a.by_hour[h];
    CAPTURE(h, r.per_hour, r.se, r.low, r.high, expected);
    CHECK(std::abs(r.per_hour - expected) < 3 * r.se);
    // The standard error is close to the Poisson rate / sqrt(count): 1/sqrt(560) = 4.2%.
    CHECK(r.se / r.per_hour == Approx(1.0 / std::sqrt(expected * 56)).epsilon(0.15));
    if (r.low <= expected && expected <= r.high) ++inside;
  }
  CHECK(inside >= 20);
  for (std::size_t d = 0; d < 7; ++d) {
    const double expected = truth.per_hour * truth.weekly[d];
    const auto& r = a.by_weekday[d];
    CAPTURE(d, r.per_hour, r.se, expected);
    CHECK(std::abs(r.per_hour - expected) < 3 * r.se);
  }
  CHECK(std::abs(a.mean.per_hour - truth.per_hour) < 3 * a.mean.se);
  // The section's factors are the fitted rates divided by the mean rate.
  for (std::size_t h = 0; h < 24; ++h) {
    CHECK(a.diurnal[h] * a.per_hour == Approx(a.by_hour[h].per_hour).epsilon(1e-9));
  }
  CHECK(a.floored.empty());
}

TEST_CASE("Proportional fitting reproduces both margins of the counts", "[fit]") {
  // The maximum likelihood estimate of the log-linear model matches the observed counts of
  // each hour of day and each weekday (the likelihood equations), also with unequal exposure.
  const fit_jobs_test::Profile truth;
  const auto trace = fit_jobs_test::poisson_trace(truth, 45, 5);  // 6 weeks and 3 days
  aidc::fit::JobFitOptions options = fit_jobs_test::window_options(45);
  const auto fit = aidc::fit::fit_jobs(trace, "synthetic.csv", options);
  const auto& a = fit.arrivals;
  // Margin i of the hours (by_hour) or of the weekdays: observed and expected counts.
  const auto check_margin = [&](bool by_hour, std::size_t i) {
    double observed = 0;
    double expected = 0;
    for (std::size_t c = 0; c < 168; ++c) {
      if ((by_hour ? c % 24 : c / 24) != i) continue;
      observed += a.counts[c];
      expected += a.exposure_hours[c] * a.rate(c);
    }
    CAPTURE(by_hour, i);
    CHECK(expected == Approx(observed).epsilon(1e-8));
  };
  for (std::size_t h = 0; h < 24; ++h) check_margin(true, h);
  for (std::size_t d = 0; d < 7; ++d) check_margin(false, d);
}

TEST_CASE("Short windows fit no weekly profile, and very short ones no diurnal profile", "[fit]") {
  const fit_jobs_test::Profile truth;
  SECTION("10 days: diurnal only") {
    const auto trace = fit_jobs_test::poisson_trace(truth, 10, 3);
    const auto fit = aidc::fit::fit_jobs(trace, "t.csv", fit_jobs_test::window_options(10));
    CHECK(fit.arrivals.diurnal_fitted);
    CHECK_FALSE(fit.arrivals.weekly_fitted);
    for (const double w : fit.arrivals.weekly) CHECK(w == 1.0);
    const auto section = aidc::fit::stream_section(fit, fit_jobs_test::window_options(10));
    CHECK(section["arrivals"].contains("diurnal"));
    CHECK_FALSE(section["arrivals"].contains("weekly"));
    CHECK_THAT(fit.notes.at(0), Catch::Contains("no weekly profile: the window fitted spans "
                                                "10.00 days, fewer than 14"));
  }
  SECTION("1 day: a constant rate, the count over the exposure") {
    // 24 hours from Monday: the rate is arrivals / 24 with standard error sqrt(n) / 24.
    const auto trace = fit_jobs_test::poisson_trace(truth, 1, 3);
    const auto fit = aidc::fit::fit_jobs(trace, "t.csv", fit_jobs_test::window_options(1));
    const auto n = static_cast<double>(trace.jobs.size());
    CHECK_FALSE(fit.arrivals.diurnal_fitted);
    CHECK(fit.arrivals.mean.per_hour == Approx(n / 24.0).epsilon(1e-12));
    CHECK(fit.arrivals.mean.se == Approx(std::sqrt(n) / 24.0).epsilon(1e-9));
    const auto section = aidc::fit::stream_section(fit, fit_jobs_test::window_options(1));
    CHECK_FALSE(section["arrivals"].contains("diurnal"));
    CHECK(fit.notes.size() >= 2);
  }
}

TEST_CASE("Log-normal durations choose the log-normal law, with parameters within their errors",
          "[fit]") {
  // mu = -1, sigma = 1.5 (median 0.37 h) for 5,000 jobs: the standard errors are
  // 1.5 / sqrt(5000) = 0.021 and 1.5 / sqrt(10000) = 0.015.
  const auto x =
      fit_jobs_test::sample(boost::random::lognormal_distribution<double>(-1.0, 1.5), 5000, 1);
  const auto fits = aidc::fit::fit_durations(x);
  REQUIRE(fits.size() == 3);
  const auto& chosen = fits[aidc::fit::choose_by_aic(fits)];
  CHECK(chosen.law == "lognormal");
  CHECK(std::abs(parameter(chosen, "mu").value + 1.0) < 3 * parameter(chosen, "mu").se);
  CHECK(std::abs(parameter(chosen, "sigma").value - 1.5) < 3 * parameter(chosen, "sigma").se);
  CHECK(parameter(chosen, "mu").se == Approx(1.5 / std::sqrt(5000.0)).epsilon(0.05));
  // The scenario's form: mean e^(mu + sigma^2/2), sd mean x sqrt(e^(sigma^2) - 1).
  const double mu = parameter(chosen, "mu").value;
  const double sigma = parameter(chosen, "sigma").value;
  CHECK(chosen.distribution["dist"] == "lognormal");
  CHECK(chosen.distribution["mean"].get<double>() ==
        Approx(std::exp(mu + sigma * sigma / 2)).epsilon(1e-12));
  CHECK(chosen.distribution["sd"].get<double>() ==
        Approx(std::exp(mu + sigma * sigma / 2) * std::sqrt(std::exp(sigma * sigma) - 1))
            .epsilon(1e-12));
  for (const auto& f : fits)
    CHECK(f.aic == Approx(2.0 * static_cast<double>(f.parameters.size()) - 2 * f.log_likelihood));
  // The log-normal's KS distance is the smallest of the three.
  CHECK(chosen.ks < fits[0].ks);
  CHECK(chosen.ks < fits[2].ks);
}

TEST_CASE("Exponential durations: the exponential law or a Weibull of shape 1 within its error",
          "[fit]") {
  // The exponential is the Weibull of shape 1, so on exponential data the Weibull gains
  // 2 (l_W - l_E), a chi-square with 1 degree of freedom, over the exponential; AIC picks
  // the Weibull when that gain exceeds 2, with probability P(chi2_1 > 2) = 0.157. So the
  // test accepts either choice, and checks the parameters: the exponential's mean within 3
  // standard errors of 2 (2 / sqrt(4000) = 0.032), the Weibull's shape within 3 of 1.
  const auto x =
      fit_jobs_test::sample(boost::random::exponential_distribution<double>(0.5), 4000, 2);
  const auto fits = aidc::fit::fit_durations(x);
  const auto& chosen = fits[aidc::fit::choose_by_aic(fits)];
  CHECK((chosen.law == "exponential" || chosen.law == "weibull"));
  CHECK(std::abs(parameter(fits[0], "mean").value - 2.0) < 3 * parameter(fits[0], "mean").se);
  CHECK(std::abs(parameter(fits[2], "shape").value - 1.0) < 3 * parameter(fits[2], "shape").se);
  // Nested models: the Weibull's likelihood is at least the exponential's.
  CHECK(fits[2].log_likelihood >= fits[0].log_likelihood);
  CHECK(fits[1].law == "lognormal");
  CHECK(fits[1].aic > chosen.aic);
}

TEST_CASE("Weibull durations choose the Weibull law, with parameters within their errors",
          "[fit]") {
  const auto x =
      fit_jobs_test::sample(boost::random::weibull_distribution<double>(0.7, 3.0), 5000, 3);
  const auto fits = aidc::fit::fit_durations(x);
  const auto& chosen = fits[aidc::fit::choose_by_aic(fits)];
  CHECK(chosen.law == "weibull");
  CHECK(std::abs(parameter(chosen, "shape").value - 0.7) < 3 * parameter(chosen, "shape").se);
  CHECK(std::abs(parameter(chosen, "scale").value - 3.0) < 3 * parameter(chosen, "scale").se);
  CHECK(chosen.distribution["dist"] == "weibull");
}

TEST_CASE("The Weibull estimator solves a two-point sample worked by hand", "[fit]") {
  // Durations 1 and e^2 h: ln x = 0 and 2, so z = ln x - mean(ln x) = -1 and +1, and the
  // shape equation sum(x^k z) / sum(x^k) = 1/k becomes tanh(k) = 1/k, i.e. k tanh k = 1,
  // whose root is k = 1.19967864025773. The scale solves lambda^k = mean(x^k):
  // ln lambda = 1 + ln(cosh k) / k; cosh(1.19968) = 1.81018, ln 1.81018 / 1.19968 = 0.49466,
  // so lambda = e^1.49466 = 4.45778. The log-likelihood n ln k - n k ln lambda + (k - 1)
  // sum ln x - n = 2 (0.18205) - 2 (1.19968)(1.49466) + 0.19968 x 2 - 2 = -4.82273.
  const auto f = aidc::fit::fit_weibull({1.0, std::exp(2.0)});
  const double k = 1.19967864025773;
  CHECK(parameter(f, "shape").value == Approx(k).epsilon(1e-12));
  CHECK(parameter(f, "scale").value ==
        Approx(std::exp(1.0 + std::log(std::cosh(k)) / k)).epsilon(1e-12));
  CHECK(parameter(f, "scale").value == Approx(4.45778).epsilon(1e-5));
  CHECK(f.log_likelihood == Approx(-4.82273).epsilon(1e-5));
  // The median and mean of the law: lambda (ln 2)^(1/k) and lambda Gamma(1 + 1/k).
  CHECK(f.median_hours == Approx(4.45778 * std::pow(std::log(2.0), 1.0 / k)).epsilon(1e-5));
  CHECK(f.mean_hours == Approx(4.45778 * std::tgamma(1.0 + 1.0 / k)).epsilon(1e-5));
}

TEST_CASE("Durations of zero are left out of the duration fits and counted", "[fit]") {
  // Durations 0, 0, 1, 2, 4 h: the exponential is fitted to 1, 2, 4 (mean 7/3); the
  // arrivals and the GPUs still count all five jobs.
  const auto trace = fit_jobs_test::duration_trace({0, 1, 0, 2, 4});
  aidc::fit::JobFitOptions options;
  options.origin = fit_jobs_test::monday();
  const auto fit = aidc::fit::fit_jobs(trace, "t.csv", options);
  CHECK(fit.zero_durations == 2);
  CHECK(fit.jobs == 5);
  CHECK(parameter(fit.durations[0], "mean").value == Approx(7.0 / 3.0));
  CHECK(fit.arrivals.arrivals == 5);
  CHECK(fit.gpus.counts == std::vector<std::size_t>{5});
  CHECK_THAT(fit.notes, Catch::VectorContains(std::string(
                            "2 jobs with a duration of 0 are left out of the duration fits (the "
                            "log-normal and Weibull likelihoods are 0 or undefined there); the "
                            "arrivals and GPUs count them")));
}

TEST_CASE("The empirical GPU distribution weighs each size by its count of jobs", "[fit]") {
  aidc::JobTrace trace;
  const std::vector<std::int64_t> gpus{8, 1, 1, 2, 8, 1, 4};
  for (std::size_t i = 0; i < gpus.size(); ++i) {
    trace.jobs.push_back({static_cast<double>(i), gpus[i], 1.0 + static_cast<double>(i)});
  }
  aidc::fit::JobFitOptions options;
  options.origin = fit_jobs_test::monday();
  options.id = "batch";
  const auto fit = aidc::fit::fit_jobs(trace, "t.csv", options);
  const auto section = aidc::fit::stream_section(fit, options);
  CHECK(nlohmann::json(section["gpus"]) == nlohmann::json::parse(
                                               R"({"dist": "empirical", "values": [1, 2, 4, 8],
                                   "weights": [3, 1, 1, 2]})"));
  CHECK(section["id"] == "batch");
}

TEST_CASE("The fitted section loads as a stream of a scenario", "[fit]") {
  const fit_jobs_test::Profile truth;
  const auto trace = fit_jobs_test::poisson_trace(truth, 28, 9);
  auto options = fit_jobs_test::window_options(28);
  options.id = "fitted-experiments";
  const auto fit = aidc::fit::fit_jobs(trace, "jobs.csv", options);
  const auto section = aidc::fit::stream_section(fit, options);
  CHECK_THAT(section["description"].get<std::string>(),
             Catch::StartsWith("Fitted by aidc fit jobs on 2025-01-01 to jobs.csv: "));
  auto doc = nlohmann::json::parse(R"({"name": "fitted", "start": "2024-01-01", "horizon": "14d",
    "fleet": {"pools": [{"id": "p", "gpu": "H100", "count": 64}]},
    "workloads": {"training": {"experiments": []}}})");
  doc["workloads"]["training"]["experiments"].push_back(nlohmann::json(section));
  const auto s = aidc::load_scenario(doc, "fitted.json");
  REQUIRE(s.rentals.size() == 1);
  // Hour 0 of Monday: per_hour x diurnal[0] x weekly[0] as the section states them.
  const auto& arrivals = section["arrivals"];
  CHECK(s.rentals[0].arrivals.front().per_hour ==
        Approx(arrivals["per_hour"].get<double>() * arrivals["diurnal"][0].get<double>() *
               arrivals["weekly"][0].get<double>())
            .epsilon(1e-5));
}

TEST_CASE("The held-out check compares daily sums and counts hours inside the 90% interval",
          "[fit]") {
  // A flat model of 1 an hour predicts 24 a day. Held-out day 1 has one arrival in every
  // hour (24: error 0), day 2 one in each of its first 12 hours and 5 in hour 47 (17: error
  // |24 - 17| / 17 = 41.18%). MAPE = (0 + 41.18) / 2 = 20.59%. The 90% interval of Poisson(1)
  // is [0, 3]: P(N <= 0) = 0.368 > 0.05 and P(N <= 2) = 0.920 < 0.95 <= P(N <= 3) = 0.981;
  // only hour 47 (5) lies outside: 47 of 48 hours inside.
  aidc::fit::ArrivalFit model;
  model.per_hour = 1;
  model.diurnal.fill(1.0);
  model.weekly.fill(1.0);
  std::vector<double> submits;
  submits.reserve(41);
  for (int h = 0; h < 36; ++h) submits.push_back(h + 0.5);
  for (int i = 0; i < 5; ++i) submits.push_back(47.25);
  const auto check = aidc::fit::check_holdout(submits, 0.0, 0.0, 48.0, model, 2);
  REQUIRE(check.observed_by_day == std::vector<double>{24, 17});
  CHECK(check.predicted_by_day == std::vector<double>{24, 24});
  CHECK(check.mape_percent == Approx(100.0 * 7.0 / 17.0 / 2.0));
  CHECK(check.hours == 48);
  CHECK(check.inside_90_share == Approx(47.0 / 48.0));
}

TEST_CASE("A model fitted before the held-out days predicts their counts", "[fit]") {
  // 8 weeks from the known profile, the last 7 days held out: about 240 arrivals a day, so
  // each day's relative error has a standard deviation near 1/sqrt(240) = 6.5% (plus the
  // fit's own error) and the MAPE is about 5%; at least 90% of the hours are expected inside
  // their 90% intervals (the discrete intervals cover a little more).
  const fit_jobs_test::Profile truth;
  const auto trace = fit_jobs_test::poisson_trace(truth, 56, 23);
  auto options = fit_jobs_test::window_options(56);
  options.holdout_days = 7;
  const auto fit = aidc::fit::fit_jobs(trace, "t.csv", options);
  REQUIRE(fit.holdout);
  CHECK(fit.holdout->hours == 168);
  CHECK(fit.holdout->days_with_arrivals == 7);
  CHECK(fit.holdout->mape_percent < 15);
  CHECK(fit.holdout->inside_90_share > 0.85);
  CHECK(fit.jobs + fit.held_out == trace.jobs.size());
  CHECK(fit.arrivals.until_hours == Approx(49 * 24.0));
  SECTION("a holdout longer than the window is refused naming the option") {
    options.holdout_days = 60;
    CHECK_THROWS_WITH(aidc::fit::fit_jobs(trace, "t.csv", options),
                      Catch::Contains("aidc fit jobs: --holdout: the window spans 56.00 days, "
                                      "too few to hold out 60"));
  }
}

TEST_CASE("Traces with nothing to fit are refused with the file named", "[fit][errors]") {
  aidc::fit::JobFitOptions options;
  options.origin = fit_jobs_test::monday();
  SECTION("every job at one instant") {
    const auto trace = fit_jobs_test::duration_trace({1.0});
    CHECK_THROWS_WITH(aidc::fit::fit_jobs(trace, "t.csv", options),
                      Catch::Contains("t.csv: the submit times span no time"));
  }
  SECTION("one distinct duration") {
    const auto trace = fit_jobs_test::duration_trace({2.0, 2.0, 2.0});
    CHECK_THROWS_WITH(aidc::fit::fit_jobs(trace, "t.csv", options),
                      Catch::Contains("t.csv: 3 jobs fitted have a positive duration (expected "
                                      "at least two distinct"));
  }
  SECTION("a bad id") {
    options.id = "a b";
    CHECK_THROWS_WITH(aidc::fit::fit_jobs(fit_jobs_test::duration_trace({1, 2}), "t.csv", options),
                      Catch::Contains("aidc fit jobs: --id: not a valid id (got \"a b\""));
  }
}

TEST_CASE("The Alibaba GPU trace v2023: GPU shares and the median duration are reproduced",
          "[fit][trace]") {
  const std::string path = fit_jobs_test::shared_data("alibaba-gpu-2023/derived/jobs.csv");
  if (path.empty()) {
    WARN("skipped: ../shared/data/alibaba-gpu-2023/derived/jobs.csv is absent");
    return;
  }
  // The trace counts seconds from an origin it does not publish; Monday 2023-01-02 00:00 is
  // taken, which labels the hours and weekdays but changes no count.
  aidc::fit::JobFitOptions options;
  options.origin = *aidc::fit::parse_clock_time("2023-01-02");
  const auto fit = aidc::fit::fit_jobs(path, options);

  // Independent reading: GPU tasks (num_gpus > 0) with a duration, their sizes and their
  // durations in hours.
  std::ifstream in(path);
  std::string line;
  REQUIRE(std::getline(in, line));
  const auto header = aidc::test::split_fields(line, ',');
  const auto col = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  std::vector<std::int64_t> sizes;
  std::vector<double> hours;
  while (std::getline(in, line)) {
    const auto f = aidc::test::split_fields(line, ',');
    if (f[col("num_gpus")].empty() || std::stoll(f[col("num_gpus")]) <= 0 ||
        f[col("duration_s")].empty()) {
      continue;
    }
    sizes.push_back(std::stoll(f[col("num_gpus")]));
    hours.push_back(std::stod(f[col("duration_s")]) / 3600.0);
  }
  REQUIRE(fit.jobs == sizes.size());
  // The fitted weights are the counts of each size: the same shares as the trace, and the
  // same quantiles. ../shared/data/README.md: num_gpus p50 = 1 and p99 = 2 over GPU tasks
  // (p99: the 0.99 x (n - 1)-th of the sorted sizes, with linear interpolation).
  std::size_t total = 0;
  for (std::size_t i = 0; i < fit.gpus.values.size(); ++i) {
    const auto n = std::count(sizes.begin(), sizes.end(), fit.gpus.values[i]);
    CHECK(fit.gpus.counts[i] == static_cast<std::size_t>(n));
    total += fit.gpus.counts[i];
  }
  CHECK(total == sizes.size());
  const auto quantile = [&](double p) {
    const double at = p * static_cast<double>(total - 1);
    const auto value_at = [&](std::size_t rank) {
      std::size_t seen = 0;
      for (std::size_t i = 0; i < fit.gpus.values.size(); ++i) {
        seen += fit.gpus.counts[i];
        if (rank < seen) return static_cast<double>(fit.gpus.values[i]);
      }
      return static_cast<double>(fit.gpus.values.back());
    };
    const auto lo = static_cast<std::size_t>(std::floor(at));
    return value_at(lo) + (at - std::floor(at)) * (value_at(lo + 1) - value_at(lo));
  };
  CHECK(quantile(0.5) == 1);
  CHECK(quantile(0.99) == 2);

  // The chosen law's median within 10% of the trace's median duration (over the positive
  // durations, which are the ones fitted).
  std::vector<double> positive;
  for (const double h : hours) {
    if (h > 0) positive.push_back(h);
  }
  std::sort(positive.begin(), positive.end());
  const std::size_t n = positive.size();
  const double median =
      n % 2 == 1 ? positive[n / 2] : 0.5 * (positive[n / 2 - 1] + positive[n / 2]);
  const auto& chosen = fit.durations.at(fit.chosen);
  CAPTURE(chosen.law, chosen.median_hours, median);
  CHECK(std::abs(chosen.median_hours - median) <= 0.1 * median);
}

TEST_CASE("aidc fit jobs refuses a missing column naming it, and writes the same file twice",
          "[fit][cli]") {
  aidc::test::TempDir dir;
  std::string csv = "job,submit_time_s,num_gpus,duration_s\n";
  for (int i = 0; i < 200; ++i) {
    csv += fmt::format("j{},{},{},{}\n", i, i * 1800 + (i * 37) % 900, 1 + (i % 3 == 0) * 3,
                       60 + (i * 7919) % 20000);
  }
  const std::string trace = dir.write("jobs.csv", csv);
  SECTION("a column that is not in the header") {
    const auto o = aidc::test::run_aidc(dir, "fit jobs " + aidc::test::quoted(trace) +
                                                 " --origin 2024-01-01 --gpus-column gpus_per_job");
    CHECK(o.exit_code == 2);
    CHECK_THAT(o.err, Catch::Contains(trace + ": line 1: no column \"gpus_per_job\""));
    CHECK(o.out.empty());
  }
  SECTION("a bad origin") {
    const auto o =
        aidc::test::run_aidc(dir, "fit jobs " + aidc::test::quoted(trace) + " --origin 2024-13-01");
    CHECK(o.exit_code == 2);
    CHECK_THAT(o.err, Catch::Contains("aidc fit jobs: --origin: not a date-time (got "
                                      "\"2024-13-01\""));
  }
  SECTION("--out twice gives the same bytes; stdout has the section") {
    const std::string args = "fit jobs " + aidc::test::quoted(trace) +
                             " --origin '2024-01-01 06:00:00' --id lab --class rentals "
                             "--holdout 1 --fit-date 2025-01-01 --out ";
    const auto first = aidc::test::run_aidc(dir, args + aidc::test::quoted(dir / "a.json"));
    REQUIRE(first.exit_code == 0);
    const auto second = aidc::test::run_aidc(dir, args + aidc::test::quoted(dir / "b.json"));
    REQUIRE(second.exit_code == 0);
    const std::string a = aidc::test::read_file(dir / "a.json");
    CHECK(a == aidc::test::read_file(dir / "b.json"));
    const auto doc = nlohmann::json::parse(a);
    CHECK(doc["section"]["id"] == "lab");
    CHECK(doc["fit"]["paste_into"] == "/workloads/rentals");
    CHECK(doc["fit"].contains("holdout"));
    const auto printed = aidc::test::run_aidc(
        dir, "fit jobs " + aidc::test::quoted(trace) +
                 " --origin '2024-01-01 06:00:00' --id lab --class rentals --holdout 1 "
                 "--fit-date 2025-01-01");
    REQUIRE(printed.exit_code == 0);
    CHECK(nlohmann::json::parse(printed.out) == doc["section"]);
    CHECK_THAT(printed.err, Catch::Contains("jobs fitted"));
  }
}
