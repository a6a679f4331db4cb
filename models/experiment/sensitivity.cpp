#include "aidc/experiment/sensitivity.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/sobol.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace aidc::experiment {

UnitDesign saltelli_design(std::size_t k, std::size_t n) {
  if (k == 0 || n == 0) throw std::invalid_argument("saltelli_design: k and n must be positive");
  const auto K = static_cast<Eigen::Index>(k);
  const auto N = static_cast<Eigen::Index>(n);
  boost::random::sobol qrng(2 * k);
  const double scale =
      std::ldexp(1.0, static_cast<int>(std::numeric_limits<std::uint64_t>::digits));
  Eigen::MatrixXd ab(N, 2 * K);
  for (std::size_t d = 0; d < 2 * k; ++d) static_cast<void>(qrng());  // the zero point
  for (Eigen::Index row = 0; row < N; ++row) {
    for (Eigen::Index d = 0; d < 2 * K; ++d) {
      ab(row, d) = static_cast<double>(qrng()) / scale;
    }
  }
  Eigen::MatrixXd out(N * (K + 2), K);
  out.topRows(N) = ab.leftCols(K);
  out.middleRows(N, N) = ab.rightCols(K);
  for (Eigen::Index i = 0; i < K; ++i) {
    Eigen::MatrixXd abi = ab.leftCols(K);
    abi.col(i) = ab.col(K + i);
    out.middleRows((2 + i) * N, N) = abi;
  }
  UnitDesign design{static_cast<std::size_t>(out.rows()), k, {}};
  design.values.resize(design.rows * k);
  Eigen::Map<Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
      design.values.data(), out.rows(), K) = out;
  return design;
}

namespace {
struct Point {
  Eigen::VectorXd s1, st;
};

Point estimate(const Eigen::VectorXd& fa, const Eigen::VectorXd& fb, const Eigen::MatrixXd& fab) {
  const Eigen::Index n = fa.size();
  Eigen::VectorXd both(2 * n);
  both << fa, fb;
  const double mean = both.mean();
  const double variance = (both.array() - mean).square().sum() / static_cast<double>(2 * n - 1);
  Point p{Eigen::VectorXd::Zero(fab.cols()), Eigen::VectorXd::Zero(fab.cols())};
  if (!(variance > 0)) return p;
  for (Eigen::Index i = 0; i < fab.cols(); ++i) {
    p.s1(i) = (fb.array() * (fab.col(i) - fa).array()).mean() / variance;
    p.st(i) = 0.5 * (fa - fab.col(i)).array().square().mean() / variance;
  }
  return p;
}

double percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const double at = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(at));
  const auto hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (at - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

std::vector<double> to_vector(const Eigen::VectorXd& v) { return {v.data(), v.data() + v.size()}; }
}  // namespace

SobolIndices sobol_indices(const std::vector<double>& values, std::size_t k, std::size_t n,
                           std::size_t bootstrap, std::uint64_t seed) {
  const Eigen::Map<const Eigen::VectorXd> f(values.data(),
                                            static_cast<Eigen::Index>(values.size()));
  const auto K = static_cast<Eigen::Index>(k);
  const auto N = static_cast<Eigen::Index>(n);
  if (f.size() != N * (K + 2)) {
    throw std::invalid_argument("sobol_indices: f must have n * (k + 2) values");
  }
  // Centred on the mean of A and B: the estimators are unchanged in expectation, but a metric
  // far from zero (an NPV in the millions) no longer inflates their sampling variance.
  const double centre = f.segment(0, 2 * N).mean();
  const Eigen::VectorXd fa = f.segment(0, N).array() - centre;
  const Eigen::VectorXd fb = f.segment(N, N).array() - centre;
  Eigen::MatrixXd fab(N, K);
  for (Eigen::Index i = 0; i < K; ++i) fab.col(i) = f.segment((2 + i) * N, N).array() - centre;

  SobolIndices out;
  const Point p = estimate(fa, fb, fab);
  out.first_order = to_vector(p.s1);
  out.total = to_vector(p.st);
  Eigen::VectorXd both(2 * N);
  both << fa, fb;
  out.variance = (both.array() - both.mean()).square().sum() / static_cast<double>(2 * N - 1);
  out.first_order_low = out.first_order_high = out.first_order;
  out.total_low = out.total_high = out.total;
  if (bootstrap == 0 || N < 2) return out;

  boost::random::mt19937_64 rng(seed);
  boost::random::uniform_int_distribution<Eigen::Index> pick(0, N - 1);
  std::vector<std::vector<double>> s1(k), st(k);
  Eigen::VectorXd ra(N), rb(N);
  Eigen::MatrixXd rab(N, K);
  for (std::size_t b = 0; b < bootstrap; ++b) {
    for (Eigen::Index j = 0; j < N; ++j) {
      const Eigen::Index at = pick(rng);
      ra(j) = fa(at);
      rb(j) = fb(at);
      rab.row(j) = fab.row(at);
    }
    const Point q = estimate(ra, rb, rab);
    for (std::size_t i = 0; i < k; ++i) {
      s1[i].push_back(q.s1(static_cast<Eigen::Index>(i)));
      st[i].push_back(q.st(static_cast<Eigen::Index>(i)));
    }
  }
  for (std::size_t i = 0; i < k; ++i) {
    out.first_order_low[i] = percentile(s1[i], 0.025);
    out.first_order_high[i] = percentile(s1[i], 0.975);
    out.total_low[i] = percentile(st[i], 0.025);
    out.total_high[i] = percentile(st[i], 0.975);
  }
  return out;
}

std::vector<Swing> tornado(double base, const std::vector<double>& at_low,
                           const std::vector<double>& at_high) {
  std::vector<Swing> out;
  for (std::size_t i = 0; i < at_low.size() && i < at_high.size(); ++i) {
    out.push_back({i, at_low[i], at_high[i], base});
  }
  std::stable_sort(out.begin(), out.end(), [](const Swing& a, const Swing& b) {
    return std::fabs(a.swing()) > std::fabs(b.swing());
  });
  return out;
}

}  // namespace aidc::experiment
