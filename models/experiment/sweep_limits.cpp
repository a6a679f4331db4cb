// The size of a sweep's design, known before any point is made, and the limit on it: a design
// of more runs than the limit is refused before it takes memory or time.

#include <fmt/format.h>

#include "aidc/experiment/sweep.hpp"
#include "aidc/scenario/errors.hpp"

namespace aidc::experiment {

double design_size(const SweepSpec& spec) {
  const auto k = static_cast<double>(spec.parameters.size());
  const auto n = static_cast<double>(spec.samples);
  switch (spec.design) {
    case Design::grid: {
      double total = 1;
      for (const auto& p : spec.parameters) total *= static_cast<double>(p.values.size());
      return total;
    }
    case Design::random:
    case Design::latin_hypercube:
      return n;
    case Design::oat:
      return 1 + 2 * k;
    case Design::saltelli:
      return n * (k + 2);
  }
  return 0;
}

void check_design_size(const SweepSpec& spec, std::uint64_t max_runs) {
  const double points = design_size(spec);
  const double runs = points * static_cast<double>(spec.replications);
  if (runs <= static_cast<double>(max_runs)) return;
  throw ScenarioError({Diagnostic{
      spec.file, "/design",
      fmt::format("too many runs (got {:.4g} points x {} replications = {:.4g} runs, expected at "
                  "most {}; raise the limit with --max-runs)",
                  points, spec.replications, runs, max_runs)}});
}

}  // namespace aidc::experiment
