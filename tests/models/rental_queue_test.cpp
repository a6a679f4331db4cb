// The rental queue against closed forms. With 1-GPU requests, Poisson arrivals and
// exponential durations, a pool of c GPUs is an M/M/c queue: patience "inf" gives
// Erlang C, patience 0 gives Erlang B (M/M/c/c), and a fixed patience gives the
// M/M/c+D abandonment probability. Each simulated value must lie within the 99%
// confidence interval of R independent replications (Student t, R-1 degrees of freedom).

#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "aidc/scenario/scenario.hpp"
#include "aidc/workload/simulation.hpp"

namespace {

/// Erlang B by the stable recursion B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)).
double erlang_b(int c, double a) {
  double b = 1.0;
  for (int k = 1; k <= c; ++k) b = a * b / (k + a * b);
  return b;
}

/// Erlang C from Erlang B: C = c B / (c - a (1 - B)).
double erlang_c(int c, double a) {
  const double b = erlang_b(c, a);
  return c * b / (c - a * (1.0 - b));
}

/// M/M/c+D: probability that the offered wait exceeds the patience tau (hours). By level
/// crossing on the virtual waiting time V: P(n busy) = p0 a^n/n! for n < c; V has density
/// lambda p_{c-1} e^{-(c mu - lambda) x} below tau and f(tau) e^{-c mu (x - tau)} above, so
/// P(abandon) = lambda p_{c-1} e^{-(c mu - lambda) tau} / (c mu).
double mmc_d_abandonment(int c, double lambda, double mu, double tau) {
  const double a = lambda / mu;
  std::vector<double> terms(static_cast<std::size_t>(c));  // a^n / n!, n = 0..c-1
  terms[0] = 1.0;
  for (int n = 1; n < c; ++n)
    terms[static_cast<std::size_t>(n)] = terms[static_cast<std::size_t>(n - 1)] * a / n;
  double below = 0;
  for (const double t : terms) below += t;
  const double top = terms.back();  // p_{c-1} / p0
  const double g = c * mu - lambda;
  const double waiting_mass =
      lambda * top *
      ((g != 0 ? (1 - std::exp(-g * tau)) / g : tau) + std::exp(-g * tau) / (c * mu));
  const double p0 = 1.0 / (below + waiting_mass);
  return lambda * p0 * top * std::exp(-g * tau) / (c * mu);
}

/// 0.995 quantile of Student's t with 9 degrees of freedom (two-sided 99%).
constexpr double kT99Df9 = 3.2498;
constexpr int kReplications = 10;

struct Interval {
  double mean = 0;
  double half_width = 0;
};

Interval interval(const std::vector<double>& x) {
  double mean = 0;
  for (const double v : x) mean += v;
  mean /= static_cast<double>(x.size());
  double ss = 0;
  for (const double v : x) ss += (v - mean) * (v - mean);
  const double sd = std::sqrt(ss / static_cast<double>(x.size() - 1));
  return {mean, kT99Df9 * sd / std::sqrt(static_cast<double>(x.size()))};
}

aidc::Scenario queue_scenario(int c, double lambda, double mean_hours, const std::string& patience,
                              int horizon_days, int warmup_days) {
  const std::string text = fmt::format(
      R"({{"name": "mmc-{}", "start": "2026-01-01", "horizon": "{}d", "warmup": "{}d", "seed": 11,
          "fleet": {{"pools": [{{"id": "p", "gpu": "H100", "count": {}}}]}},
          "workloads": {{"rentals": [{{"id": "r", "arrivals": {{"per_hour": {}}}, "gpus": 1,
            "duration_hours": {{"dist": "exponential", "mean": {}}}, "patience_hours": {}}}]}}}})",
      c, horizon_days, warmup_days, c, lambda, mean_hours, patience);
  return aidc::load_scenario(nlohmann::json::parse(text), "test.json");
}

struct Replicated {
  Interval wait_hours, utilization, lost_fraction, reneged_fraction;
};

Replicated replicate(const aidc::Scenario& s) {
  std::vector<double> wait, util, lost, reneged;
  for (std::uint64_t r = 0; r < kReplications; ++r) {
    const auto result = aidc::simulate(s, r);
    const auto& st = result.streams.at(0);
    wait.push_back(st.mean_wait_hours);
    util.push_back(static_cast<double>(result.totals.busy) /
                   static_cast<double>(result.totals.installed));
    lost.push_back(static_cast<double>(st.lost) / static_cast<double>(st.arrived));
    reneged.push_back(static_cast<double>(st.reneged) / static_cast<double>(st.arrived));
  }
  return {interval(wait), interval(util), interval(lost), interval(reneged)};
}

}  // namespace

TEST_CASE("The closed forms used below match published values", "[queue][erlang]") {
  // Textbook table values: B(10, 5) = 0.018385, C(2, 1) = 1/3 (M/M/2 at rho = 0.5).
  CHECK(erlang_b(10, 5.0) == Approx(0.0183846).epsilon(1e-5));
  CHECK(erlang_c(2, 1.0) == Approx(1.0 / 3.0).epsilon(1e-12));
  // M/M/1+D reduces to P(V > tau) = rho e^{-(mu - lambda) tau} / (1 + rho/(1-rho)(1 - e^{..}) ...):
  // with tau -> 0 every arrival that finds the server busy leaves: Erlang B(1, a) = a/(1+a).
  CHECK(mmc_d_abandonment(1, 0.5, 1.0, 0.0) == Approx(0.5 / 1.5).epsilon(1e-12));
  // tau -> infinity and rho < 1: nobody abandons.
  CHECK(mmc_d_abandonment(4, 3.0, 1.0, 200.0) == Approx(0.0).margin(1e-12));
}

TEST_CASE("An infinite-patience stream matches Erlang C: mean wait and utilization",
          "[queue][erlang][slow]") {
  struct Case {
    int c;
    double lambda;  // per hour
    double mean_hours;
    int horizon_days;
  };
  const auto cs = GENERATE(Case{64, 60.0, 1.0, 400},   // rho 0.9375
                           Case{100, 95.0, 1.0, 400},  // rho 0.95
                           Case{8, 3.2, 2.0, 2000});   // rho 0.8, a small pool
  const double a = cs.lambda * cs.mean_hours;
  const double mu = 1.0 / cs.mean_hours;
  const double expected_wait = erlang_c(cs.c, a) / (cs.c * mu - cs.lambda);
  const double expected_util = a / cs.c;
  const auto rep =
      replicate(queue_scenario(cs.c, cs.lambda, cs.mean_hours, "\"inf\"", cs.horizon_days, 20));
  CAPTURE(cs.c, cs.lambda, expected_wait, rep.wait_hours.mean, rep.wait_hours.half_width,
          expected_util, rep.utilization.mean, rep.utilization.half_width);
  CHECK(std::abs(rep.wait_hours.mean - expected_wait) <= rep.wait_hours.half_width);
  CHECK(std::abs(rep.utilization.mean - expected_util) <= rep.utilization.half_width);
  // The interval is informative: narrower than a tenth of the value it tests.
  CHECK(rep.wait_hours.half_width < 0.1 * expected_wait);
}

TEST_CASE("A zero-patience stream loses the Erlang B fraction", "[queue][erlang][slow]") {
  struct Case {
    int c;
    double lambda;
    double mean_hours;
  };
  const auto cs = GENERATE(Case{64, 60.0, 1.0},     // B(64, 60) = 0.0604
                           Case{128, 128.0, 1.0});  // offered load = c: B = 0.0673
  const double a = cs.lambda * cs.mean_hours;
  const double expected = erlang_b(cs.c, a);
  const auto rep = replicate(queue_scenario(cs.c, cs.lambda, cs.mean_hours, "0", 100, 5));
  CAPTURE(cs.c, a, expected, rep.lost_fraction.mean, rep.lost_fraction.half_width);
  CHECK(std::abs(rep.lost_fraction.mean - expected) <= rep.lost_fraction.half_width);
  // Carried load a (1 - B) over c GPUs.
  const double expected_util = a * (1 - expected) / cs.c;
  CHECK(std::abs(rep.utilization.mean - expected_util) <= rep.utilization.half_width);
}

TEST_CASE("A fixed-patience stream reneges with the M/M/c+D abandonment probability",
          "[queue][erlang][slow]") {
  // 64 GPUs offered 66 Erlangs (overloaded); customers wait at most 15 minutes.
  const int c = 64;
  const double lambda = 66.0;
  const double tau = 0.25;
  const double expected = mmc_d_abandonment(c, lambda, 1.0, tau);
  const auto rep = replicate(queue_scenario(c, lambda, 1.0, "0.25", 100, 5));
  CAPTURE(expected, rep.reneged_fraction.mean, rep.reneged_fraction.half_width);
  CHECK(std::abs(rep.reneged_fraction.mean - expected) <= rep.reneged_fraction.half_width);
  CHECK(rep.lost_fraction.mean == 0.0);
}
