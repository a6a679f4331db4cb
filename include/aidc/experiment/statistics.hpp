#pragma once
/// Statistics across replications: the mean, the standard deviation and the 95%
/// confidence interval from Student's t, for one metric or for paired differences.

#include <cstddef>
#include <vector>

namespace aidc::experiment {

/// A mean with its spread; NaN samples (a metric the run could not compute, such as an
/// IRR that does not exist) are left out and `n` counts the rest.
struct Estimate {
  std::size_t n = 0;
  double mean = 0;
  double sd = 0;          // sample standard deviation (n - 1); 0 when n < 2
  double half_width = 0;  // of the 95% interval: t(0.975, n - 1) * sd / sqrt(n); 0 when n < 2
  double ci95_low() const { return mean - half_width; }
  double ci95_high() const { return mean + half_width; }
};

/// The estimate of the finite values in `samples` (NaN if none is finite).
Estimate estimate(const std::vector<double>& samples);

/// The estimate of b[i] - a[i] over the replications where both are finite.
Estimate paired_difference(const std::vector<double>& a, const std::vector<double>& b);

/// Student's t quantile at 0.975 with `dof` degrees of freedom.
double t_975(std::size_t dof);

}  // namespace aidc::experiment
