// The demand curve: reading it from JSON, its deterministic part and noisy samplers.

#include <fmt/format.h>
#include <boost/random/normal_distribution.hpp>
#include <cmath>
#include <nlohmann/json.hpp>
#include <numeric>
#include <stdexcept>
#include <utility>

#include "aidc/demand/demand.hpp"
#include "aidc/fit/demand.hpp"
#include "aidc/scenario/scenario.hpp"

namespace aidc {

using nlohmann::json;

namespace {

sim::Time time_of(Date start, Date d) {
  return sim::Time{(d - start).count() * sim::kSecondsPerDay};
}

/// N positive factors at `key`, normalized to mean 1; all 1 when the key is absent.
template <std::size_t N>
std::array<double, N> read_profile(const ParamReader& r, std::string_view key, const char* what) {
  const std::vector<double> values = r.profile(key, N, what);
  std::array<double, N> out;
  std::copy(values.begin(), values.end(), out.begin());
  return out;
}

DemandNoise read_noise(const ParamReader& parent) {
  DemandNoise noise;
  if (!parent.has("noise")) return noise;
  const ParamReader r = parent.child("noise");
  if (!r.expect_object()) return noise;
  if (!r.has("model")) {
    r.error("model", "missing required key (expected a noise model: lognormal_ar1, none)");
    return noise;
  }
  const std::string model = r.choice("model", {"lognormal_ar1", "none"}, "");
  if (model == "none") r.allow_only({"model"});
  if (model != "lognormal_ar1") return noise;
  r.allow_only({"model", "sigma", "phi"});
  noise.sigma = r.required_number("sigma", Bound::non_negative);
  // phi = 1 would be a random walk with no stationary law, so it is excluded.
  if (r.has("phi") && r.node().at("phi").is_number()) {
    const double phi = r.node().at("phi").get<double>();
    if (!(phi >= 0 && phi < 1)) {
      r.error("phi", fmt::format("out of range (got {}, expected a number from 0 up to but not "
                                 "including 1)",
                                 brief(r.node().at("phi"))));
    } else {
      noise.phi = phi;
    }
  } else {
    noise.phi = r.number("phi", 0.0, Bound::any);  // reports a wrong type
  }
  return noise;
}

std::vector<DemandStep> read_steps(const ParamReader& parent, Date start) {
  std::vector<DemandStep> steps;
  std::optional<Date> previous;
  for (const auto& item : parent.array("steps", false)) {
    if (!item.expect_object()) continue;
    item.allow_only({"from", "until", "factor", "label"});
    const auto from = read_date(item, "from", true);
    const auto until = read_date(item, "until", false);
    const double factor = item.required_number("factor", Bound::positive);
    DemandStep step;
    step.factor = factor;
    step.label = item.string("label", "");
    if (!from) continue;
    step.from = time_of(start, *from);
    if (until) {
      if (*until <= *from) {
        item.error("until", fmt::format("expected a date after \"from\" (got \"{}\", from \"{}\")",
                                        format_date(*until), format_date(*from)));
      }
      step.until = time_of(start, *until);
    }
    // Steps multiply, so order does not change the curve; it is required for readability.
    if (previous && *from < *previous) {
      item.error("from", fmt::format("steps out of order (got \"{}\" after \"{}\"; expected "
                                     "steps listed by their \"from\" date)",
                                     format_date(*from), format_date(*previous)));
    }
    previous = from;
    steps.push_back(std::move(step));
  }
  return steps;
}

}  // namespace

DemandCurve::DemandCurve(Token, Parts parts)
    : start_(parts.start),
      base_gpus_(parts.base_gpus),
      trend_(std::move(parts.trend)),
      series_(std::move(parts.series)),
      diurnal_(parts.diurnal),
      weekly_(parts.weekly),
      steps_(std::move(parts.steps)),
      noise_(parts.noise),
      fit_record_(std::move(parts.fit_record)),
      start_weekday_(std::chrono::weekday{parts.start}.iso_encoding() - 1) {}

std::shared_ptr<const DemandCurve> DemandCurve::read(const ParamReader& given, Date start,
                                                     double sample_hours) {
  if (!given.expect_object()) return nullptr;
  const std::size_t before = given.diagnostics().items().size();
  // A fitted curve is read from the section the fit writes, as if it had been pasted in.
  std::optional<fit::ScenarioFit> fitted;
  std::optional<ParamReader> fitted_reader;
  if (given.has("fit")) {
    given.allow_only({"description", "fit", "steps"});
    for (const char* key : {"base_gpus", "trend", "diurnal", "weekly", "noise", "csv"}) {
      if (given.has(key)) given.error(key, "not allowed with \"fit\" (the fit gives it)");
    }
    fitted = fit::fit_for_scenario(given.child("fit"), start, sample_hours);
    if (!fitted) return nullptr;
    if (given.has("steps")) fitted->section["steps"] = given.node().at("steps");
    fitted_reader.emplace(fitted->section, given.pointer(), given.diagnostics());
  }
  const ParamReader& r = fitted_reader ? *fitted_reader : given;
  r.allow_only({"description", "base_gpus", "trend", "diurnal", "weekly", "noise", "steps", "csv"});
  Parts parts;
  parts.start = start;
  if (fitted) {
    parts.fit_record = std::make_shared<const nlohmann::ordered_json>(std::move(fitted->record));
  }
  if (r.has("csv")) {
    for (const char* key : {"base_gpus", "trend"}) {
      if (r.has(key)) {
        r.error(key, "not allowed with \"csv\" (the CSV series replaces base_gpus and trend)");
      }
    }
    parts.series = read_csv_series(r.child("csv"));
  } else {
    parts.base_gpus = r.required_number("base_gpus", Bound::non_negative);
    if (r.has("trend")) parts.trend = trend_models().make(r.child("trend"));
  }
  parts.diurnal = read_profile<24>(r, "diurnal", "hour 0..23");
  parts.weekly = read_profile<7>(r, "weekly", "day Monday..Sunday");
  parts.noise = read_noise(r);
  parts.steps = read_steps(r, start);
  if (r.diagnostics().items().size() != before) return nullptr;
  return std::make_shared<const DemandCurve>(Token{}, std::move(parts));
}

double DemandCurve::deterministic(sim::Time t, std::size_t* cursor) const {
  // Floor division, so times before the start fall on the previous day.
  std::int64_t second_of_day = t.seconds % sim::kSecondsPerDay;
  if (second_of_day < 0) second_of_day += sim::kSecondsPerDay;
  const std::int64_t day = (t.seconds - second_of_day) / sim::kSecondsPerDay;
  std::int64_t weekday = (static_cast<std::int64_t>(start_weekday_) + day) % 7;
  if (weekday < 0) weekday += 7;
  const auto hour = static_cast<std::size_t>(second_of_day / sim::kSecondsPerHour);

  double level = 0;
  if (series_) {
    level = cursor ? series_->at(t, *cursor) : series_->at(t);
  } else {
    level = base_gpus_ * (trend_ ? trend_->factor(start_, t) : 1.0);
  }
  double step_factor = 1.0;
  for (const auto& step : steps_) {
    if (step.from > t) break;  // sorted by from
    if (step.covers(t)) step_factor *= step.factor;
  }
  return level * diurnal_[hour] * weekly_[static_cast<std::size_t>(weekday)] * step_factor;
}

DemandCurve::Sampler DemandCurve::sampler(sim::Rng rng) const {
  return Sampler(shared_from_this(), rng);
}

DemandCurve::Sampler::Sampler(std::shared_ptr<const DemandCurve> curve, sim::Rng rng)
    : curve_(std::move(curve)), rng_(rng) {}

double DemandCurve::Sampler::next(sim::Time t) {
  if (started_ && t < last_t_) {
    throw std::logic_error(
        fmt::format("demand sampled at t = {} s after t = {} s (times must not decrease)",
                    t.seconds, last_t_.seconds));
  }
  if (started_ && t == last_t_) return last_value_;
  const DemandNoise& noise = curve_->noise_;
  if (noise.is_enabled()) {
    boost::random::normal_distribution<double> normal;
    const double eps = normal(rng_);
    // The first state is drawn from the stationary law N(0, sigma^2), so the process is
    // stationary from the first sample and E[factor] = exp(sigma^2/2 - sigma^2/2) = 1.
    x_ = started_ ? noise.phi * x_ + std::sqrt(1.0 - noise.phi * noise.phi) * noise.sigma * eps
                  : noise.sigma * eps;
    noise_factor_ = std::exp(x_ - 0.5 * noise.sigma * noise.sigma);
  }
  started_ = true;
  last_t_ = t;
  last_value_ = curve_->deterministic(t, &cursor_) * noise_factor_;
  return last_value_;
}

}  // namespace aidc
