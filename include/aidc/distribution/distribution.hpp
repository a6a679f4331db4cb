#pragma once
/// Random quantities (request sizes, durations) chosen by name in JSON.

#include <memory>
#include <string>

#include "aidc/scenario/registry.hpp"
#include "aidc/sim/rng.hpp"

namespace aidc {

/// A probability distribution on the real line; small and immutable once built.
class Distribution {
 public:
  virtual ~Distribution() = default;
  virtual double sample(sim::Rng& rng) const = 0;
  /// The exact mean, for checks and for sizing.
  virtual double mean() const = 0;
};

/// The registry of distributions ("dist": "exponential", ...).
const Registry<Distribution>& distributions();

/// Reads a distribution at `key`: a bare number means a fixed value; an object names
/// a model with "dist". Returns nullptr (with a recorded problem) on bad input.
std::unique_ptr<Distribution> read_distribution(const ParamReader& parent, std::string_view key,
                                                Bound bound);

}  // namespace aidc
