// Distributions read from JSON, sampled against their closed-form moments.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>
#include <vector>

#include "aidc/distribution/distribution.hpp"
#include "aidc/scenario/errors.hpp"
#include "aidc/scenario/param_reader.hpp"
#include "aidc/sim/rng.hpp"

namespace distribution_test {

/// The distribution `text` describes, built through the registry.
std::unique_ptr<aidc::Distribution> make(const std::string& text) {
  const auto doc = nlohmann::json::parse(text);
  aidc::Diagnostics diag("d.json");
  auto d = aidc::distributions().make(aidc::ParamReader(doc, "", diag));
  diag.throw_if_any();
  return d;
}

/// `n` samples of `d` from a fixed stream.
std::vector<double> draw(const aidc::Distribution& d, std::size_t n) {
  aidc::sim::Rng rng = aidc::sim::make_stream(11, 0, "distribution_test");
  std::vector<double> out(n);
  for (auto& x : out) x = d.sample(rng);
  return out;
}

}  // namespace distribution_test

TEST_CASE("A Weibull distribution has the closed-form mean and median", "[distribution]") {
  // Shape 0.5, scale 2: mean 2 Gamma(3) = 4, variance 4 (Gamma(5) - Gamma(3)^2) = 4 x 20 = 80,
  // median 2 (ln 2)^2 = 0.960906. With 200,000 samples the mean's standard error is
  // sqrt(80 / 200000) = 0.02, and the sample median's sqrt(p (1 - p) / n) / f(median) with
  // f(m) = (k / lambda) (m / lambda)^(k - 1) e^(-(m / lambda)^k) = 0.25 x 1.4427 x 0.5 =
  // 0.18034: 0.001118 / 0.18034 = 0.0062. Both are checked within 4 standard errors.
  const auto d = distribution_test::make(R"({"dist": "weibull", "shape": 0.5, "scale": 2})");
  CHECK(d->mean() == Approx(4.0).epsilon(1e-12));
  auto x = distribution_test::draw(*d, 200'000);
  double sum = 0;
  for (const double v : x) sum += v;
  CHECK(std::abs(sum / 200'000.0 - 4.0) < 4 * 0.02);
  std::nth_element(x.begin(), x.begin() + 100'000, x.end());
  CHECK(std::abs(x[100'000] - 2.0 * std::pow(std::log(2.0), 2.0)) < 4 * 0.0062);
}

TEST_CASE("A Weibull of shape 1 is the exponential of mean its scale", "[distribution]") {
  // P(X > 3) = e^-1 = 0.36788 for scale 3; over 100,000 samples the share's standard error is
  // sqrt(0.36788 x 0.63212 / 100000) = 0.001525.
  const auto d = distribution_test::make(R"({"dist": "weibull", "shape": 1, "scale": 3})");
  CHECK(d->mean() == Approx(3.0).epsilon(1e-12));
  const auto x = distribution_test::draw(*d, 100'000);
  const auto above = std::count_if(x.begin(), x.end(), [](double v) { return v > 3.0; });
  CHECK(std::abs(static_cast<double>(above) / 100'000.0 - std::exp(-1.0)) < 4 * 0.001525);
}

TEST_CASE("A Weibull needs a positive shape and scale", "[distribution][errors]") {
  CHECK_THROWS_WITH(distribution_test::make(R"({"dist": "weibull", "shape": 0, "scale": 1})"),
                    Catch::Contains("/shape: out of range (got 0"));
  CHECK_THROWS_WITH(distribution_test::make(R"({"dist": "weibull", "shape": 1})"),
                    Catch::Contains("/scale: missing required key"));
}
