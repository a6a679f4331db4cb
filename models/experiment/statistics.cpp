#include "aidc/experiment/statistics.hpp"

#include <Eigen/Dense>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <limits>

namespace aidc::experiment {

double t_975(std::size_t dof) {
  const boost::math::students_t t(static_cast<double>(dof));
  return boost::math::quantile(t, 0.975);
}

Estimate estimate(const std::vector<double>& samples) {
  std::vector<double> finite;
  finite.reserve(samples.size());
  for (const double x : samples) {
    if (std::isfinite(x)) finite.push_back(x);
  }
  Estimate e;
  e.n = finite.size();
  if (e.n == 0) {
    e.mean = std::numeric_limits<double>::quiet_NaN();
    return e;
  }
  const Eigen::Map<const Eigen::VectorXd> x(finite.data(), static_cast<Eigen::Index>(e.n));
  e.mean = x.mean();
  if (e.n < 2) return e;
  e.sd = std::sqrt((x.array() - e.mean).square().sum() / static_cast<double>(e.n - 1));
  e.half_width = t_975(e.n - 1) * e.sd / std::sqrt(static_cast<double>(e.n));
  return e;
}

Estimate paired_difference(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<double> d;
  const std::size_t n = a.size() < b.size() ? a.size() : b.size();
  d.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (std::isfinite(a[i]) && std::isfinite(b[i])) d.push_back(b[i] - a[i]);
  }
  return estimate(d);
}

}  // namespace aidc::experiment
