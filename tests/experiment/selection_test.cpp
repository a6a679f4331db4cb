// KN ranking and selection (Kim and Nelson 2001) against its constant worked by hand and its
// guarantee: in the slippage configuration (the best exactly delta ahead of the others), the
// probability of correct selection is at least 1 - alpha, with and without common random
// numbers.

#include "aidc/experiment/selection.hpp"

#include <boost/random/normal_distribution.hpp>
#include <catch2/catch.hpp>
#include <cmath>

#include "aidc/sim/rng.hpp"

namespace selection_test {

using aidc::experiment::select_best_kn;
using aidc::experiment::SelectionSpec;

TEST_CASE("KN's constant eta matches the formula worked by hand", "[selection]") {
  // alpha 0.05, k = 2, n0 = 10: ((0.1)^(-2/9) - 1) / 2 = (10^(2/9) - 1) / 2 = 0.334050...
  CHECK(aidc::experiment::kn_eta(0.05, 2, 10) == Approx(0.5 * (std::pow(10.0, 2.0 / 9.0) - 1)));
  CHECK(aidc::experiment::kn_eta(0.05, 2, 10) == Approx(0.33405).margin(1e-5));
  // alpha 0.1, k = 5, n0 = 20: ((0.05)^(-2/19) - 1) / 2 = 0.17118...
  CHECK(aidc::experiment::kn_eta(0.1, 5, 20) ==
        Approx(0.5 * (std::pow(0.05, -2.0 / 19.0) - 1)).epsilon(1e-12));
}

/// k normal systems with unit variance, system 0 ahead by delta; with `common`, replication r
/// of every system shares a component of its noise (correlation 0.8).
double pcs(bool common, int macro_replications) {
  const double delta = 0.5;
  const std::size_t k = 4;
  SelectionSpec spec;
  spec.indifference = delta;
  spec.confidence = 0.9;
  spec.first_stage = 10;
  int correct = 0;
  for (int m = 0; m < macro_replications; ++m) {
    auto rng = aidc::sim::make_stream(23, static_cast<std::uint64_t>(m), "selection.pcs");
    boost::random::normal_distribution<double> z(0.0, 1.0);
    std::vector<double> shared;  // by replication index
    const auto shared_at = [&](std::size_t r) {
      while (shared.size() <= r) shared.push_back(z(rng));
      return shared[r];
    };
    const auto result = select_best_kn(k, spec, [&](const auto& wanted) {
      std::vector<double> out;
      for (const auto& [system, r] : wanted) {
        const double noise =
            common ? std::sqrt(0.8) * shared_at(r) + std::sqrt(0.2) * z(rng) : z(rng);
        out.push_back((system == 0 ? delta : 0.0) + noise);
      }
      return out;
    });
    CHECK_FALSE(result.truncated);
    if (result.best == 0) ++correct;
  }
  return static_cast<double>(correct) / macro_replications;
}

TEST_CASE("KN selects the best with at least the stated probability", "[selection]") {
  // 400 macro-replications: the estimate's standard error at 0.9 is 0.015, so 0.86 is more
  // than 2.5 standard errors below the guarantee.
  CHECK(pcs(false, 400) >= 0.86);
  CHECK(pcs(true, 400) >= 0.86);
}

TEST_CASE("KN stops after the first stage when one system is far ahead", "[selection]") {
  SelectionSpec spec;
  spec.indifference = 1;
  spec.first_stage = 5;
  const auto result = select_best_kn(3, spec, [](const auto& wanted) {
    std::vector<double> out;
    out.reserve(wanted.size());
    for (const auto& [system, r] : wanted)
      out.push_back(100.0 * static_cast<double>(system) + static_cast<double>(r % 2));
    return out;
  });
  CHECK(result.best == 2);
  CHECK(result.runs() == 15);
  CHECK(result.stopped_at == std::vector<std::size_t>{5, 5, 5});
}

TEST_CASE("KN refuses a bad specification", "[selection]") {
  const auto none = [](const auto&) { return std::vector<double>{}; };
  SelectionSpec spec;
  CHECK_THROWS_WITH(select_best_kn(2, spec, none), Catch::Contains("indifference"));
  spec.indifference = 1;
  spec.first_stage = 1;
  CHECK_THROWS_WITH(select_best_kn(2, spec, none), Catch::Contains("first_stage"));
  CHECK_THROWS_WITH(select_best_kn(0, SelectionSpec{1, 0.95, 10, 100}, none),
                    Catch::Contains("no system"));
}

}  // namespace selection_test
