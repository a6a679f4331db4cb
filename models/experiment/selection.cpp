#include "aidc/experiment/selection.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace aidc::experiment {

double kn_eta(double alpha, std::size_t k, std::size_t n0) {
  return 0.5 *
         (std::pow(2.0 * alpha / static_cast<double>(k - 1), -2.0 / static_cast<double>(n0 - 1)) -
          1.0);
}

std::size_t SelectionResult::runs() const {
  std::size_t n = 0;
  for (const auto& s : samples) n += s.size();
  return n;
}

SelectionResult select_best_kn(std::size_t k, const SelectionSpec& spec, const Observe& observe) {
  if (k == 0) throw std::invalid_argument("selection: no system to select from");
  if (!(spec.indifference > 0) || !std::isfinite(spec.indifference))
    throw std::invalid_argument(fmt::format(
        "selection: the indifference zone must be positive (got {})", spec.indifference));
  if (!(spec.confidence > 0 && spec.confidence < 1))
    throw std::invalid_argument(
        fmt::format("selection: the confidence must lie in (0, 1) (got {})", spec.confidence));
  if (spec.first_stage < 2 || spec.max_replications < spec.first_stage)
    throw std::invalid_argument(
        fmt::format("selection: expected 2 <= first_stage <= max_replications (got {} and {})",
                    spec.first_stage, spec.max_replications));

  SelectionResult result;
  result.samples.assign(k, {});
  result.stopped_at.assign(k, 0);
  const auto run = [&](const std::vector<std::size_t>& systems, std::size_t count) {
    std::vector<std::pair<std::size_t, std::size_t>> wanted;
    for (const std::size_t i : systems)
      for (std::size_t j = 0; j < count; ++j) wanted.emplace_back(i, result.samples[i].size() + j);
    const std::vector<double> got = observe(wanted);
    if (got.size() != wanted.size())
      throw std::logic_error("selection: observe() returned the wrong number of outputs");
    for (std::size_t w = 0; w < wanted.size(); ++w)
      result.samples[wanted[w].first].push_back(got[w]);
  };
  std::vector<std::size_t> alive(k);
  std::iota(alive.begin(), alive.end(), std::size_t{0});
  const std::size_t n0 = spec.first_stage;
  run(alive, n0);
  if (k == 1) {
    result.stopped_at[0] = n0;
    return result;
  }
  const double alpha = 1.0 - spec.confidence;
  result.eta = kn_eta(alpha, k, n0);
  const double h2 = 2.0 * result.eta * static_cast<double>(n0 - 1);
  const double delta = spec.indifference;
  // S^2_il: the sample variance of the first-stage differences X_i - X_l.
  std::vector<std::vector<double>> s2(k, std::vector<double>(k, 0.0));
  for (std::size_t i = 0; i < k; ++i) {
    for (std::size_t l = 0; l < k; ++l) {
      if (i == l) continue;
      double mean = 0;
      for (std::size_t j = 0; j < n0; ++j) mean += result.samples[i][j] - result.samples[l][j];
      mean /= static_cast<double>(n0);
      double ss = 0;
      for (std::size_t j = 0; j < n0; ++j) {
        const double d = result.samples[i][j] - result.samples[l][j] - mean;
        ss += d * d;
      }
      s2[i][l] = ss / static_cast<double>(n0 - 1);
    }
  }
  std::size_t r = n0;
  for (;;) {
    // Screening: i survives if its mean is no worse than every other survivor's less W_il(r).
    std::vector<double> mean(k, 0.0);
    for (const std::size_t i : alive) {
      mean[i] = std::accumulate(result.samples[i].begin(),
                                result.samples[i].begin() + static_cast<std::ptrdiff_t>(r), 0.0) /
                static_cast<double>(r);
    }
    std::vector<std::size_t> next;
    for (const std::size_t i : alive) {
      bool survives = true;
      for (const std::size_t l : alive) {
        if (l == i) continue;
        const double w =
            std::max(0.0, delta / (2.0 * static_cast<double>(r)) *
                              (h2 * s2[i][l] / (delta * delta) - static_cast<double>(r)));
        if (mean[i] < mean[l] - w) {
          survives = false;
          break;
        }
      }
      if (survives) {
        next.push_back(i);
      } else {
        result.stopped_at[i] = r;
      }
    }
    alive = std::move(next);
    if (alive.size() == 1 || r >= spec.max_replications) {
      result.truncated = alive.size() > 1;
      result.best = alive.front();
      for (const std::size_t i : alive) {
        result.stopped_at[i] = r;
        if (mean[i] > mean[result.best]) result.best = i;
      }
      return result;
    }
    run(alive, 1);
    ++r;
  }
}

}  // namespace aidc::experiment
