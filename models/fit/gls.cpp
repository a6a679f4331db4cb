// Least squares with AR(1) errors (see gls.hpp).

#include "gls.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace aidc::fit::detail {

namespace {

constexpr int kMaxOuter = 60;
constexpr int kMaxSteps = 300;
constexpr double kPhiMax = 0.999;

/// Applies the Prais-Winsten transformation to the rows of `m` in place: row i becomes
/// (row_i - phi^g row_{i-1}) / sqrt(1 - phi^(2g)) for g = gaps[i] > 0, so uncorrelated rows
/// of the stationary variance come out of AR(1) ones.
template <typename M>
void transform(M& m, const std::vector<int>& gaps, double phi) {
  if (phi == 0) return;
  for (Eigen::Index i = m.rows() - 1; i >= 1; --i) {
    const double a = std::pow(phi, gaps[static_cast<std::size_t>(i)]);
    m.row(i) = (m.row(i) - a * m.row(i - 1)) / std::sqrt(1.0 - a * a);
  }
}

struct Evaluation {
  Eigen::VectorXd residual;  // transformed
  Eigen::MatrixXd jacobian;  // of the transformed mean, free columns only
  double cost = 0;
};

Evaluation evaluate(const Model& model, const Eigen::VectorXd& y, const std::vector<int>& gaps,
                    const Eigen::VectorXd& p, const std::vector<Eigen::Index>& free, double phi) {
  Eigen::VectorXd mean(y.size());
  Eigen::MatrixXd jac(y.size(), p.size());
  model(p, mean, jac);
  Evaluation e;
  e.residual = y - mean;
  transform(e.residual, gaps, phi);
  e.jacobian.resize(y.size(), static_cast<Eigen::Index>(free.size()));
  for (std::size_t k = 0; k < free.size(); ++k) {
    e.jacobian.col(static_cast<Eigen::Index>(k)) = jac.col(free[k]);
  }
  transform(e.jacobian, gaps, phi);
  e.cost = e.residual.squaredNorm();
  return e;
}

/// Minimises the transformed cost from `p` for a fixed phi; true when it converged.
bool minimise(const Model& model, const Eigen::VectorXd& y, const std::vector<int>& gaps,
              Eigen::VectorXd& p, const std::vector<Eigen::Index>& free, double phi) {
  Evaluation cur = evaluate(model, y, gaps, p, free, phi);
  double lambda = 0;  // Gauss-Newton first; damped only when a step fails
  const auto k = static_cast<Eigen::Index>(free.size());
  for (int step = 0; step < kMaxSteps; ++step) {
    if (cur.cost == 0) return true;
    // The normal equations, damped by Marquardt's scaling (each parameter by its column's
    // squared norm) once a plain Gauss-Newton step has failed.
    Eigen::MatrixXd jtj = Eigen::MatrixXd::Zero(k, k);
    jtj.selfadjointView<Eigen::Lower>().rankUpdate(cur.jacobian.transpose());
    jtj = jtj.selfadjointView<Eigen::Lower>();
    const Eigen::VectorXd gradient = cur.jacobian.transpose() * cur.residual;
    if (lambda > 0) jtj.diagonal() += lambda * jtj.diagonal().cwiseMax(1e-300);
    const Eigen::VectorXd delta = jtj.ldlt().solve(gradient);
    Eigen::VectorXd trial = p;
    for (Eigen::Index j = 0; j < k; ++j) trial[free[static_cast<std::size_t>(j)]] += delta[j];
    Evaluation next = evaluate(model, y, gaps, trial, free, phi);
    if (std::isfinite(next.cost) && next.cost <= cur.cost) {
      const double drop = cur.cost - next.cost;
      p = trial;
      cur = std::move(next);
      lambda = lambda < 1e-9 ? 0 : lambda / 10;
      const double scale = std::max(1.0, p.norm());
      if (drop <= 1e-15 * cur.cost || delta.norm() <= 1e-13 * scale) return true;
    } else {
      lambda = lambda == 0 ? 1e-4 : lambda * 10;
      if (lambda > 1e12) return delta.norm() <= 1e-8 * std::max(1.0, p.norm());
    }
  }
  return false;
}

double phi_of(const Eigen::VectorXd& e, const std::vector<int>& gaps) {
  double num = 0;
  double den = 0;
  for (Eigen::Index i = 1; i < e.size(); ++i) {
    if (gaps[static_cast<std::size_t>(i)] != 1) continue;
    num += e[i] * e[i - 1];
    den += e[i - 1] * e[i - 1];
  }
  if (!(den > 1e-300)) return 0;
  return std::clamp(num / den, 0.0, kPhiMax);
}

}  // namespace

GlsResult fit_gls(const Model& model, const Eigen::VectorXd& y, const std::vector<int>& gaps,
                  Eigen::VectorXd start, const std::vector<bool>& fixed, bool ar1) {
  std::vector<Eigen::Index> free;
  for (Eigen::Index j = 0; j < start.size(); ++j) {
    if (!fixed[static_cast<std::size_t>(j)]) free.push_back(j);
  }
  GlsResult out;
  out.params = std::move(start);
  double phi = 0;
  bool converged = false;
  for (int outer = 0; outer < kMaxOuter; ++outer) {
    converged = minimise(model, y, gaps, out.params, free, phi);
    if (!ar1) break;
    Eigen::VectorXd mean(y.size());
    Eigen::MatrixXd jac(y.size(), out.params.size());
    model(out.params, mean, jac);
    const double next = phi_of(y - mean, gaps);
    if (std::abs(next - phi) <= 1e-10) break;
    phi = next;
  }
  const Evaluation e = evaluate(model, y, gaps, out.params, free, phi);
  Eigen::VectorXd mean(y.size());
  Eigen::MatrixXd jac(y.size(), out.params.size());
  model(out.params, mean, jac);
  out.residuals = y - mean;
  out.phi = phi;
  out.ssr_transformed = e.cost;
  out.converged = converged;
  for (std::size_t i = 1; i < gaps.size(); ++i) {
    out.log_det += std::log1p(-std::pow(phi, 2 * gaps[i]));
  }
  const auto n = static_cast<double>(y.size());
  const auto k = static_cast<double>(free.size());
  const double s2 = n > k ? e.cost / (n - k) : 0;
  const Eigen::MatrixXd jtj = e.jacobian.transpose() * e.jacobian;
  const Eigen::MatrixXd inverse =
      jtj.completeOrthogonalDecomposition().pseudoInverse();  // robust when nearly singular
  out.covariance = Eigen::MatrixXd::Zero(out.params.size(), out.params.size());
  for (std::size_t a = 0; a < free.size(); ++a) {
    for (std::size_t b = 0; b < free.size(); ++b) {
      out.covariance(free[a], free[b]) =
          s2 * inverse(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(b));
    }
  }
  return out;
}

double log_likelihood(const GlsResult& fit, std::size_t n) {
  const auto count = static_cast<double>(n);
  // A perfect fit has no finite likelihood; a floor far below any data's noise keeps the
  // comparison between models finite, so the one with fewer parameters wins a tie.
  const double s2 = std::max(fit.ssr_transformed / count, 1e-30);
  return -0.5 * count * (std::log(2 * std::numbers::pi * s2) + 1) - 0.5 * fit.log_det;
}

}  // namespace aidc::fit::detail
