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

/// Erlang A (M/M/c+M): exponential patience with rate theta. The number in system is a
/// birth-death chain, pi_n ~ a^n/n! up to c and pi_n = pi_{n-1} lambda / (c mu + (n-c) theta)
/// above (Palm 1943; Garnett, Mandelbaum and Reiman 2002). An arrival that finds k waiting
/// (PASTA) is served after k+1 stages, the j-th ahead of it leaving at rate r_j = c mu + j
/// theta, while it abandons at rate theta: P(served | k) = prod_j r_j / (r_j + theta), and
/// each stage lasts Exp(r_j + theta) whichever way it ends.
struct ErlangA {
  double abandon = 0;         // P(abandon), from the arrivals' view
  double abandon_little = 0;  // theta E[queue] / lambda: the same, by conservation
  double wait_served = 0;     // E[wait | served]
  double wait_abandoned = 0;  // E[wait | abandoned]
};

ErlangA erlang_a(int c, double lambda, double mu, double theta) {
  const double a = lambda / mu;
  std::vector<double> p{1.0};  // pi_n / pi_0
  for (int n = 1; n <= c; ++n) p.push_back(p.back() * a / n);
  for (int n = c + 1; p.back() > 1e-18 * p[static_cast<std::size_t>(c)] || n < 2 * c; ++n) {
    p.push_back(p.back() * lambda / (c * mu + (n - c) * theta));
  }
  double total = 0;
  for (const double x : p) total += x;
  ErlangA out;
  double queue = 0, served = 0, served_wait = 0, abandoned_wait = 0;
  for (std::size_t n = 0; n < p.size(); ++n) {
    const double pi = p[n] / total;
    if (static_cast<int>(n) < c) {
      served += pi;
      continue;
    }
    const int k = static_cast<int>(n) - c;
    queue += k * pi;
    double reach = 1.0, wait_all = 0;  // P(reaching the stage), E[time in queue]
    double stages = 0;                 // sum of 1 / (r_j + theta): E[wait | served, k]
    for (int j = k; j >= 0; --j) {
      const double r = c * mu + j * theta;
      wait_all += reach / (r + theta);
      stages += 1.0 / (r + theta);
      reach *= r / (r + theta);
    }
    served += pi * reach;
    served_wait += pi * reach * stages;
    abandoned_wait += pi * (wait_all - reach * stages);
    out.abandon += pi * (1 - reach);
  }
  out.abandon_little = theta * queue / lambda;
  out.wait_served = served_wait / served;
  out.wait_abandoned = abandoned_wait / out.abandon;
  return out;
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

/// c servers that never fail (the queueing formulas have no failures; the catalog's H100 has an
/// MTBF, so it is switched off here).
aidc::Scenario queue_scenario(int c, double lambda, double mean_hours, const std::string& patience,
                              int horizon_days, int warmup_days) {
  const std::string text = fmt::format(
      R"({{"name": "mmc-{}", "start": "2026-01-01", "horizon": "{}d", "warmup": "{}d", "seed": 11,
          "catalog": {{"H100": {{"mtbf_hours": null}}}},
          "fleet": {{"pools": [{{"id": "p", "gpu": "H100", "count": {}}}]}},
          "workloads": {{"rentals": [{{"id": "r", "arrivals": {{"per_hour": {}}}, "gpus": 1,
            "duration_hours": {{"dist": "exponential", "mean": {}}}, "patience_hours": {}}}]}}}})",
      c, horizon_days, warmup_days, c, lambda, mean_hours, patience);
  return aidc::load_scenario(nlohmann::json::parse(text), "test.json");
}

struct Replicated {
  Interval wait_hours, utilization, lost_fraction, reneged_fraction, reneged_wait_hours;
};

Replicated replicate(const aidc::Scenario& s) {
  std::vector<double> wait, util, lost, reneged, reneged_wait;
  for (std::uint64_t r = 0; r < kReplications; ++r) {
    const auto result = aidc::simulate(s, r);
    const auto& st = result.streams.at(0);
    wait.push_back(st.mean_wait_hours);
    util.push_back(static_cast<double>(result.totals.busy) /
                   static_cast<double>(result.totals.installed));
    lost.push_back(static_cast<double>(st.lost) / static_cast<double>(st.arrived));
    reneged.push_back(static_cast<double>(st.reneged) / static_cast<double>(st.arrived));
    reneged_wait.push_back(st.mean_reneged_wait_hours);
  }
  return {interval(wait), interval(util), interval(lost), interval(reneged),
          interval(reneged_wait)};
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
  // Erlang A: abandonment seen by the arrivals equals theta E[Q] / lambda (conservation), and
  // as theta -> 0 (no abandonment) the wait of the served tends to Erlang C's.
  const ErlangA x = erlang_a(32, 30.0, 1.0, 2.0);
  CHECK(x.abandon == Approx(x.abandon_little).epsilon(1e-9));
  const ErlangA slow = erlang_a(8, 6.0, 1.0, 1e-7);
  CHECK(slow.wait_served == Approx(erlang_c(8, 6.0) / (8.0 - 6.0)).epsilon(1e-4));
  CHECK(slow.abandon == Approx(0.0).margin(1e-5));
  // M/M/1+M with theta = mu: the chain is M/M/infinity-like above c, checked by hand: with
  // lambda = mu = theta = 1, pi_n = pi_0 / n! for n >= 1 (Poisson(1)), P(queue = k) = e^-1 /
  // (k+1)!, so P(abandon) = theta E[Q] / lambda = sum_k k e^-1 / (k+1)! = 1 - (1 - e^-1) = e^-1.
  const ErlangA one = erlang_a(1, 1.0, 1.0, 1.0);
  CHECK(one.abandon == Approx(std::exp(-1.0)).epsilon(1e-9));
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

TEST_CASE("Exponential patience abandons as Erlang A (M/M/c+M) predicts", "[queue][erlang][slow]") {
  // 32 GPUs, mean rental 1 hour, mean patience 30 minutes, below, at and above capacity.
  struct Case {
    double lambda;
    int horizon_days;  // the lightest load abandons least, so it needs the longest window
  };
  const auto cs = GENERATE(Case{28.0, 150}, Case{32.0, 60}, Case{40.0, 60});
  const int c = 32;
  const ErlangA expected = erlang_a(c, cs.lambda, 1.0, 2.0);
  const auto rep = replicate(queue_scenario(
      c, cs.lambda, 1.0, R"({"dist": "exponential", "mean": 0.5})", cs.horizon_days, 5));
  CAPTURE(cs.lambda, expected.abandon, rep.reneged_fraction.mean, rep.reneged_fraction.half_width,
          expected.wait_served, rep.wait_hours.mean, rep.wait_hours.half_width,
          expected.wait_abandoned, rep.reneged_wait_hours.mean, rep.reneged_wait_hours.half_width);
  CHECK(std::abs(rep.reneged_fraction.mean - expected.abandon) <= rep.reneged_fraction.half_width);
  CHECK(std::abs(rep.wait_hours.mean - expected.wait_served) <= rep.wait_hours.half_width);
  CHECK(std::abs(rep.reneged_wait_hours.mean - expected.wait_abandoned) <=
        rep.reneged_wait_hours.half_width);
  CHECK(rep.lost_fraction.mean == 0.0);
  // The intervals are informative.
  CHECK(rep.reneged_fraction.half_width < 0.1 * expected.abandon);
  CHECK(rep.wait_hours.half_width < 0.1 * expected.wait_served);
}
