#pragma once
/// Ranking and selection: which of k simulated systems has the largest mean, with a stated
/// probability of correct selection. The procedure is KN (S.-H. Kim and B. L. Nelson, 2001,
/// "A fully sequential procedure for indifference-zone selection in simulation", ACM TOMACS
/// 11(3):251-273), which allows common random numbers: it screens on the variances of the
/// paired differences, so replication r of every system may share its random numbers.

#include <cstddef>
#include <functional>
#include <utility>
#include <vector>

namespace aidc::experiment {

struct SelectionSpec {
  double indifference = 0;              // delta: differences below this do not matter (> 0)
  double confidence = 0.95;             // 1 - alpha: probability of correct selection when the best
                                        // is at least delta ahead of the others
  std::size_t first_stage = 10;         // n0 >= 2 replications of every system
  std::size_t max_replications = 1000;  // per system; the procedure stops there if it must
};

struct SelectionResult {
  std::size_t best = 0;  // the system selected
  double eta = 0;        // KN's constant for (alpha, k, n0)
  /// samples[i]: the replications of system i, in order (systems eliminated early have
  /// fewer).
  std::vector<std::vector<double>> samples;
  /// The number of replications system i had when it was eliminated (or at the end).
  std::vector<std::size_t> stopped_at;
  /// True when max_replications ended the procedure with more than one system left: the
  /// stated probability then does not hold, and the best mean among them is returned.
  bool truncated = false;
  std::size_t runs() const;
};

/// KN's eta = ((2 alpha / (k - 1))^(-2 / (n0 - 1)) - 1) / 2.
double kn_eta(double alpha, std::size_t k, std::size_t n0);

/// Replications (system, replication index) to run; returns their outputs in that order.
/// The replication indices of a system count from 0, so with common random numbers
/// replication r of every system draws the same numbers.
using Observe =
    std::function<std::vector<double>(const std::vector<std::pair<std::size_t, std::size_t>>&)>;

/// KN for the largest mean of k >= 1 systems. Throws std::invalid_argument on a bad spec.
SelectionResult select_best_kn(std::size_t k, const SelectionSpec& spec, const Observe& observe);

}  // namespace aidc::experiment
