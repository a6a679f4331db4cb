#pragma once
/// Prices in USD per GPU-hour, chosen by name in JSON. A price is a step function of time,
/// so revenue is exact when the run is cut at each step (change_dates()).

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include "aidc/distribution/distribution.hpp"
#include "aidc/scenario/registry.hpp"
#include "aidc/scenario/scenario.hpp"
#include "aidc/sim/time.hpp"

namespace aidc {

/// Prices of model access, USD per million tokens.
struct TokenPrices {
  double input = 0;
  double output = 0;
};

/// A rental or transfer price; small and immutable once built.
class PricingModel {
 public:
  virtual ~PricingModel() = default;
  /// The price at `t` (seconds since midnight of `start`) of an hour of `gpu`, whose list
  /// price is `list_usd_per_gpu_hour` (the catalog's price for the class, or 0 when unknown).
  virtual double usd_per_gpu_hour(std::chrono::sys_days start, sim::Time t, const GpuType& gpu,
                                  double list_usd_per_gpu_hour) const = 0;
  /// True for models whose price is set when a job or contract starts and held to its end
  /// (quote()); their revenue is accrued by the simulation, not by GPU-hours x price.
  virtual bool priced_at_start() const { return false; }
  /// The price for a job or contract starting at `t` while `utilization` of its eligible
  /// GPUs is busy, for a term of `term_days`.
  virtual double quote(std::chrono::sys_days start, sim::Time t, const GpuType& gpu, double list,
                       double /*utilization*/, double /*term_days*/) const {
    return usd_per_gpu_hour(start, t, gpu, list);
  }
  /// Whether it can price an hour of `gpu` (a market index needs an index for it to follow).
  virtual bool prices(const GpuType& /*gpu*/) const { return true; }
  /// Whether it can price a GPU-hour (a token price needs a throughput for that).
  virtual bool prices_gpu_hours() const { return true; }
  /// For models that price tokens: the prices in force at `t`; else nullopt.
  virtual std::optional<TokenPrices> token_prices(std::chrono::sys_days /*start*/,
                                                  sim::Time /*t*/) const {
    return std::nullopt;
  }
  /// What customers would pay at most, USD per GPU-hour; null: every customer accepts.
  virtual const Distribution* willingness_to_pay() const { return nullptr; }
  /// The dates on which the price steps.
  virtual std::vector<std::chrono::sys_days> change_dates(std::chrono::sys_days start,
                                                          std::chrono::sys_days end) const = 0;
  /// The market index the price follows at `t`, USD per GPU-hour of `gpu`, before any spread;
  /// nullopt for models that follow no index.
  virtual std::optional<double> index_usd_per_gpu_hour(std::chrono::sys_days /*start*/,
                                                       sim::Time /*t*/,
                                                       const GpuType& /*gpu*/) const {
    return std::nullopt;
  }
  /// Called once when the scenario is loaded, after the model is built and before it is
  /// shared: checks the model against the scenario whose class `priced` it prices (its
  /// catalog, pools and dates) and keeps what it needs of it. Problems are recorded at `r`,
  /// the model's node.
  virtual void bind(const Scenario& /*s*/, WorkClass /*priced*/, const ParamReader& /*r*/) {}
};

/// The registry of pricing models ("model": "fixed", ...).
const Registry<PricingModel>& pricing_models();

}  // namespace aidc
