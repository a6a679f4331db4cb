// Statistics across replications and the Sobol estimators, against closed forms: Student's
// t table, a hand-computed interval, and the analytic indices of the Ishigami function.

#include <Eigen/Dense>
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "aidc/experiment/sensitivity.hpp"
#include "aidc/experiment/statistics.hpp"

using aidc::experiment::estimate;
using aidc::experiment::paired_difference;

TEST_CASE("Student's t quantiles match the printed table", "[experiment][statistics]") {
  // t(0.975) for 1, 4, 9 and 29 degrees of freedom (any statistics textbook's table).
  CHECK(aidc::experiment::t_975(1) == Approx(12.706).epsilon(1e-4));
  CHECK(aidc::experiment::t_975(4) == Approx(2.776).epsilon(1e-3));
  CHECK(aidc::experiment::t_975(9) == Approx(2.262).epsilon(1e-3));
  CHECK(aidc::experiment::t_975(29) == Approx(2.045).epsilon(1e-3));
}

TEST_CASE("An estimate's interval is the hand-computed one", "[experiment][statistics]") {
  // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sum of squared deviations 32, sd sqrt(32/7).
  const auto e = estimate({2, 4, 4, 4, 5, 5, 7, 9});
  CHECK(e.n == 8);
  CHECK(e.mean == Approx(5.0));
  CHECK(e.sd == Approx(std::sqrt(32.0 / 7.0)));
  CHECK(e.half_width == Approx(2.364624 * std::sqrt(32.0 / 7.0) / std::sqrt(8.0)).epsilon(1e-5));

  SECTION("NaN samples (metrics a run could not compute) are left out") {
    const auto f = estimate({2, NAN, 4});
    CHECK(f.n == 2);
    CHECK(f.mean == Approx(3.0));
  }
  SECTION("a single sample has no interval") {
    const auto f = estimate({3});
    CHECK(f.n == 1);
    CHECK(f.half_width == 0);
  }
  SECTION("paired differences take b - a replication by replication") {
    const auto d = paired_difference({1, 2, 3, 4}, {2, 4, 4, 6});
    CHECK(d.mean == Approx(1.5));
    CHECK(d.sd == Approx(std::sqrt(1.0 / 3.0)));
  }
}

TEST_CASE("Saltelli's design has A, B and the A_B^i blocks", "[experiment][sobol]") {
  const auto design = aidc::experiment::saltelli_design(3, 8);
  REQUIRE(design.rows == 8 * 5);
  REQUIRE(design.cols == 3);
  const Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> m(
      design.values.data(), 8 * 5, 3);
  CHECK((m.array() > 0).all());
  CHECK((m.array() < 1).all());
  for (Eigen::Index i = 0; i < 3; ++i) {
    for (Eigen::Index j = 0; j < 3; ++j) {
      // Column i of A_B^i comes from B; the other columns from A.
      const auto& from = i == j ? m.middleRows(8, 8).col(j) : m.topRows(8).col(j);
      CHECK(m.middleRows((2 + i) * 8, 8).col(j) == from);
    }
  }
}

TEST_CASE("The Sobol estimators recover the Ishigami function's analytic indices",
          "[experiment][sobol]") {
  // f = sin x1 + a sin^2 x2 + b x3^4 sin x1 on [-pi, pi]^3 (Ishigami and Homma 1990), with the
  // partial variances of Sobol' and Levitan (1999).
  constexpr double a = 7, b = 0.1, pi = 3.14159265358979323846;
  const double v1 = 0.5 * std::pow(1 + b * std::pow(pi, 4) / 5, 2);
  const double v2 = a * a / 8;
  const double v13 = b * b * std::pow(pi, 8) * (1.0 / 18 - 1.0 / 50);
  const double v = v1 + v2 + v13;
  // The figures usually quoted: S1 0.314, S2 0.442, S3 0, ST1 0.558, ST2 0.442, ST3 0.244.
  REQUIRE(v1 / v == Approx(0.3139).epsilon(1e-3));
  REQUIRE(v2 / v == Approx(0.4424).epsilon(1e-3));
  REQUIRE((v1 + v13) / v == Approx(0.5576).epsilon(1e-3));
  REQUIRE(v13 / v == Approx(0.2437).epsilon(1e-3));

  constexpr std::size_t n = 8192;
  const auto u = aidc::experiment::saltelli_design(3, n);
  std::vector<double> f(u.rows);
  for (std::size_t r = 0; r < u.rows; ++r) {
    const double x1 = -pi + 2 * pi * u(r, 0);
    const double x2 = -pi + 2 * pi * u(r, 1);
    const double x3 = -pi + 2 * pi * u(r, 2);
    f[r] = std::sin(x1) + a * std::pow(std::sin(x2), 2) + b * std::pow(x3, 4) * std::sin(x1);
  }
  const auto s = aidc::experiment::sobol_indices(f, 3, n, 200, 7);
  // Tolerance: 0.02 absolute on every index with N = 8192 base samples.
  constexpr double tol = 0.02;
  CHECK(s.first_order[0] == Approx(v1 / v).margin(tol));
  CHECK(s.first_order[1] == Approx(v2 / v).margin(tol));
  CHECK(s.first_order[2] == Approx(0.0).margin(tol));
  CHECK(s.total[0] == Approx((v1 + v13) / v).margin(tol));
  CHECK(s.total[1] == Approx(v2 / v).margin(tol));
  CHECK(s.total[2] == Approx(v13 / v).margin(tol));
  CHECK(s.variance == Approx(v).epsilon(0.02));
  // The bootstrap intervals hold the estimate.
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(s.first_order_low[i] <= s.first_order[i]);
    CHECK(s.first_order[i] <= s.first_order_high[i]);
    CHECK(s.total_low[i] <= s.total[i]);
    CHECK(s.total[i] <= s.total_high[i]);
  }
}

TEST_CASE("A tornado orders parameters by the size of their swing", "[experiment][tornado]") {
  const auto t = aidc::experiment::tornado(10, {9, 2, 10}, {11, 30, 10.5});
  REQUIRE(t.size() == 3);
  CHECK(t[0].parameter == 1);
  CHECK(t[0].swing() == Approx(28));
  CHECK(t[1].parameter == 0);
  CHECK(t[2].parameter == 2);
  CHECK(t[2].base == 10);
}
