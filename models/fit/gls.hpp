#pragma once
// Nonlinear least squares with AR(1) errors: Gauss-Newton steps on the normal equations
// (LDL^T), damped by Levenberg-Marquardt when a step does not lower the cost, on the residuals
// under the Prais-Winsten transformation; phi is re-estimated from the residuals (hours one apart)
// until it settles (iterated feasible GLS, Greene, "Econometric Analysis", 7th ed., 20.9).

#include <Eigen/Dense>
#include <cstddef>
#include <functional>
#include <vector>

namespace aidc::fit::detail {

/// The model's mean at parameters `p`: `mean` (n) and its Jacobian (n x parameters).
using Model =
    std::function<void(const Eigen::VectorXd& p, Eigen::VectorXd& mean, Eigen::MatrixXd& jacobian)>;

struct GlsResult {
  Eigen::VectorXd params;
  Eigen::MatrixXd covariance;  // sigma_innovation^2 (J'J)^-1 of the transformed problem;
                               // zero rows and columns for fixed parameters
  Eigen::VectorXd residuals;   // y - mean, untransformed
  double phi = 0;              // lag-one correlation per hour
  double ssr_transformed = 0;  // of the Prais-Winsten residuals
  double log_det = 0;          // sum of log(1 - phi^(2 gap)) over the observations after the first
  bool converged = false;
};

/// Fits `model` to `y`. `gaps[i]` is the number of hours from observation i-1 to i (0 for the
/// first). Parameters whose `fixed` flag is set keep their start value. With `ar1` false,
/// phi stays 0 (ordinary least squares).
GlsResult fit_gls(const Model& model, const Eigen::VectorXd& y, const std::vector<int>& gaps,
                  Eigen::VectorXd start, const std::vector<bool>& fixed, bool ar1 = true);

/// The Gaussian log-likelihood of the fit's untransformed residuals as an AR(1) process, at
/// the maximum-likelihood variance.
double log_likelihood(const GlsResult& fit, std::size_t n);

}  // namespace aidc::fit::detail
