#pragma once
/// Inference demand in GPU-equivalents (units of a reference GPU) as a function of
/// simulated time: a level (base x trend, or a series read from a CSV file) shaped by
/// hour-of-day and day-of-week profiles, dated steps and optional multiplicative noise.

#include <array>
#include <chrono>
#include <cstddef>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "aidc/scenario/registry.hpp"
#include "aidc/sim/rng.hpp"
#include "aidc/sim/time.hpp"

namespace aidc {

// The same alias as in scenario.hpp, repeated so that scenario.hpp can include this header.
using Date = std::chrono::sys_days;

/// A year of growth is 365.25 days (the Julian year), so "x5 per year" is x5 per 31,557,600 s.
using sim::kSecondsPerYear;

/// A long-run multiplier of the demand level; small and immutable once built.
class Trend {
 public:
  virtual ~Trend() = default;
  /// The factor at `t` of a scenario whose t = 0 is midnight of `start`.
  virtual double factor(Date start, sim::Time t) const = 0;
};

/// The registry of trend models ("model": "exponential", ...).
const Registry<Trend>& trend_models();

/// A right-continuous step function of time: at `t`, the value of the last point whose
/// `from` is at or before `t`. Before the first point it holds the first value and after
/// the last point the last value (flat outside, as a piecewise trend is).
class StepSeries {
 public:
  struct Point {
    sim::Time from{};
    double value = 0;
  };
  /// `points` must be non-empty with strictly increasing `from`; throws std::invalid_argument.
  explicit StepSeries(std::vector<Point> points);
  double at(sim::Time t) const;
  /// The same as at(t); for non-decreasing `t` the `cursor` (start at 0) makes it O(1).
  double at(sim::Time t, std::size_t& cursor) const;
  const std::vector<Point>& points() const { return points_; }

 private:
  std::vector<Point> points_;
};

/// Reads the "csv" object of a demand spec: {"path", "time_column", "value_column",
/// "time_unit", "scale", "filter": {"column", "equals"}}. Times are relative to the
/// scenario start; the path is relative to the current directory. Returns nullopt (with
/// recorded problems, each naming the file and line) on bad input.
std::optional<StepSeries> read_csv_series(const ParamReader& csv);

/// A multiplicative change of demand in force over [from, until), or from `from` on.
struct DemandStep {
  sim::Time from{};
  std::optional<sim::Time> until;
  double factor = 1;
  std::string label;
  bool covers(sim::Time t) const { return t >= from && (!until || t < *until); }
};

/// Log-normal AR(1) noise: the factor is exp(x_k - sigma^2/2) with
/// x_k = phi x_{k-1} + sqrt(1 - phi^2) sigma eps_k, started in its stationary law
/// N(0, sigma^2), so every factor has mean 1. `phi` is the correlation per sample.
struct DemandNoise {
  double sigma = 0;
  double phi = 0;
  bool is_enabled() const { return sigma > 0; }
};

/// A demand curve read from JSON; immutable, shared by the samplers drawn from it.
class DemandCurve : public std::enable_shared_from_this<DemandCurve> {
  struct Token {  // only read() constructs curves
    explicit Token() = default;
  };
  struct Parts;

 public:
  /// Reads the "demand" object. `start` is the scenario's start date (t = 0 at its
  /// midnight); `sample_hours` is the time between samples (the scenario's reconcile_hours),
  /// which a fitted curve's noise needs (its phi is fitted per hour). Returns nullptr (with
  /// recorded problems) on bad input. With "fit" the curve is fitted to a trace at load time
  /// (aidc/fit/demand.hpp) and read from the section the fit writes.
  static std::shared_ptr<const DemandCurve> read(const ParamReader& node, Date start,
                                                 double sample_hours = 1);

  /// The deterministic part at t, in GPU-equivalents:
  /// level(t) x diurnal(hour of day) x weekly(day of week) x steps(t), where level is
  /// base_gpus x trend(t) or the CSV series.
  double deterministic(sim::Time t) const { return deterministic(t, nullptr); }

  /// Draws the noisy demand of one run. Holds its own noise state and a reference to
  /// the curve; call next(t) once per reconcile step with non-decreasing t.
  class Sampler {
   public:
    /// deterministic(t) times the noise factor. A later t advances the noise by one
    /// step; the same t again returns the same value; an earlier t throws std::logic_error.
    double next(sim::Time t);
    /// The noise factor of the last next() (1 before the first call or without noise).
    double noise_factor() const { return noise_factor_; }

   private:
    friend class DemandCurve;
    Sampler(std::shared_ptr<const DemandCurve> curve, sim::Rng rng);

    std::shared_ptr<const DemandCurve> curve_;
    sim::Rng rng_;
    std::size_t cursor_ = 0;  // position in the CSV series
    bool started_ = false;
    sim::Time last_t_{};
    double last_value_ = 0;
    double x_ = 0;  // log of the noise factor plus sigma^2/2
    double noise_factor_ = 1;
  };

  /// A sampler drawing its noise from `rng` (give each stochastic source its own stream).
  Sampler sampler(sim::Rng rng) const;

  Date start() const { return start_; }
  bool has_series() const { return series_.has_value(); }
  /// Hour-of-day factors (hour 0..23 of the scenario clock), normalized to mean 1.
  const std::array<double, 24>& diurnal() const { return diurnal_; }
  /// Day-of-week factors, Monday..Sunday, normalized to mean 1.
  const std::array<double, 7>& weekly() const { return weekly_; }
  /// Steps sorted by `from`.
  const std::vector<DemandStep>& steps() const { return steps_; }
  const DemandNoise& noise() const { return noise_; }
  /// A fitted curve's record ({"section", "fit"}), for run.json; null otherwise.
  const std::shared_ptr<const nlohmann::ordered_json>& fit_record() const { return fit_record_; }

  DemandCurve(Token, Parts parts);

 private:
  struct Parts {
    Date start{};
    double base_gpus = 0;
    std::unique_ptr<const Trend> trend;  // null: flat
    std::optional<StepSeries> series;    // set: replaces base_gpus and trend
    std::array<double, 24> diurnal{};
    std::array<double, 7> weekly{};
    std::vector<DemandStep> steps;
    DemandNoise noise;
    std::shared_ptr<const nlohmann::ordered_json> fit_record;
  };
  double deterministic(sim::Time t, std::size_t* cursor) const;

  Date start_;
  double base_gpus_;
  std::unique_ptr<const Trend> trend_;
  std::optional<StepSeries> series_;
  std::array<double, 24> diurnal_;
  std::array<double, 7> weekly_;
  std::vector<DemandStep> steps_;
  DemandNoise noise_;
  std::shared_ptr<const nlohmann::ordered_json> fit_record_;
  unsigned start_weekday_;  // 0 = Monday
};

}  // namespace aidc
