#pragma once
/// Sensitivity of a metric to a sweep's parameters: one-at-a-time swings for a tornado
/// chart, and variance-based Sobol indices from Saltelli's sampling scheme.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace aidc::experiment {

/// Saltelli's design on the unit hypercube: N rows of A, N rows of B (two independent
/// halves of a scrambled-free Sobol' sequence in 2k dimensions, the zero point skipped),
/// then for each parameter i the N rows of A with column i taken from B (A_B^i).
/// The result has N * (k + 2) rows and k columns, every entry in (0, 1).
struct UnitDesign {
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<double> values;  // row by row
  double operator()(std::size_t row, std::size_t col) const { return values[row * cols + col]; }
};
UnitDesign saltelli_design(std::size_t k, std::size_t n);

struct SobolIndices {
  std::vector<double> first_order;  // S_i
  std::vector<double> total;        // S_Ti
  // 95% bootstrap percentile intervals (over the N base rows).
  std::vector<double> first_order_low, first_order_high, total_low, total_high;
  double variance = 0;  // of f over A and B together
};

/// The indices from f evaluated on saltelli_design(k, n), in that row order. First order by
/// Saltelli et al. (2010), S_i = mean(f_B (f_ABi - f_A)) / V; total by Jansen (1999),
/// S_Ti = mean((f_A - f_ABi)^2) / (2V), with f centred on the mean over A and B first.
/// `bootstrap` resamples the N base rows (0: no intervals).
SobolIndices sobol_indices(const std::vector<double>& f, std::size_t k, std::size_t n,
                           std::size_t bootstrap = 500, std::uint64_t seed = 1);

/// One parameter's one-at-a-time effect on a metric.
struct Swing {
  std::size_t parameter = 0;
  double at_low = 0;
  double at_high = 0;
  double base = 0;
  double swing() const { return at_high - at_low; }
};

/// The swings ordered by |at_high - at_low|, largest first (ties by parameter order).
std::vector<Swing> tornado(double base, const std::vector<double>& at_low,
                           const std::vector<double>& at_high);

}  // namespace aidc::experiment
