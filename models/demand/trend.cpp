// Trend models: the long-run multiplier of the demand level, chosen by "model".

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <optional>
#include <utility>
#include <vector>

#include "aidc/demand/demand.hpp"
#include "aidc/scenario/scenario.hpp"

namespace aidc {

namespace {

/// Seconds from the scenario start to midnight of `d`.
double seconds_from_start(Date start, Date d) {
  return static_cast<double>((d - start).count()) * static_cast<double>(sim::kSecondsPerDay);
}

/// A constant factor 1.
class NoTrend final : public Trend {
 public:
  double factor(Date, sim::Time) const override { return 1.0; }
};

/// growth^(t / 1 year): 1 at the scenario start.
class ExponentialTrend final : public Trend {
 public:
  explicit ExponentialTrend(double growth_per_year) : growth_(growth_per_year) {}
  // std::pow, not exp(log(g) x): a whole number of years then gives g^n exactly.
  double factor(Date, sim::Time t) const override {
    return std::pow(growth_, static_cast<double>(t.seconds) / kSecondsPerYear);
  }

 private:
  double growth_;
};

/// floor + (cap - floor) / (1 + exp(-rate (t - midpoint))), t in years.
class LogisticTrend final : public Trend {
 public:
  LogisticTrend(double floor, double cap, Date midpoint, double rate_per_year)
      : floor_(floor), cap_(cap), midpoint_(midpoint), rate_(rate_per_year) {
    if (cap < floor) {
      throw std::invalid_argument(
          fmt::format("expected cap >= floor (got floor {}, cap {})", floor, cap));
    }
  }
  double factor(Date start, sim::Time t) const override {
    const double years =
        (static_cast<double>(t.seconds) - seconds_from_start(start, midpoint_)) / kSecondsPerYear;
    return floor_ + (cap_ - floor_) / (1.0 + std::exp(-rate_ * years));
  }

 private:
  double floor_;
  double cap_;
  Date midpoint_;
  double rate_;
};

/// Linear between dated points, flat before the first and after the last.
class PiecewiseTrend final : public Trend {
 public:
  struct Point {
    Date date;
    double factor;
  };
  explicit PiecewiseTrend(std::vector<Point> points) : points_(std::move(points)) {}
  double factor(Date start, sim::Time t) const override {
    const auto s = static_cast<double>(t.seconds);
    const auto after = std::find_if(points_.begin(), points_.end(), [&](const Point& p) {
      return seconds_from_start(start, p.date) > s;
    });
    if (after == points_.begin()) return points_.front().factor;
    if (after == points_.end()) return points_.back().factor;
    const Point& a = *(after - 1);
    const Point& b = *after;
    const double sa = seconds_from_start(start, a.date);
    const double sb = seconds_from_start(start, b.date);
    return a.factor + (b.factor - a.factor) * (s - sa) / (sb - sa);
  }

 private:
  std::vector<Point> points_;  // dates strictly increasing, at least one
};

std::unique_ptr<Trend> read_piecewise(const ParamReader& p) {
  std::vector<PiecewiseTrend::Point> points;
  std::optional<Date> previous;
  for (const auto& item : p.array("points", true)) {
    if (!item.expect_object()) continue;
    item.allow_only({"date", "factor"});
    const auto date = read_date(item, "date", true);
    const double factor = item.required_number("factor", Bound::positive);
    if (!date) continue;
    if (previous && *date <= *previous) {
      item.error("date", fmt::format("points out of order (got \"{}\" after \"{}\"; expected "
                                     "dates in increasing order)",
                                     format_date(*date), format_date(*previous)));
    }
    previous = date;
    points.push_back({*date, factor});
  }
  if (points.empty() && p.has("points") && p.node().at("points").is_array()) {
    p.error("points", "expected at least one {\"date\", \"factor\"} point");
  }
  if (points.empty()) return nullptr;
  return std::make_unique<PiecewiseTrend>(std::move(points));
}

Registry<Trend> build_registry() {
  Registry<Trend> r("trend model", "model");
  r.add({"none", "No trend: a constant factor 1.", {}, [](const ParamReader&) {
           return std::make_unique<NoTrend>();
         }});
  r.add({"exponential",
         "Compound growth: factor growth_per_year^(t / 365.25 days), 1 at the start.",
         {{"growth_per_year", "factor gained per year (5: five times a year)", ""}},
         [](const ParamReader& p) {
           return std::make_unique<ExponentialTrend>(
               p.required_number("growth_per_year", Bound::positive));
         }});
  r.add({"logistic",
         "S-curve from floor to cap: floor + (cap - floor) / (1 + exp(-rate (t - midpoint))).",
         {{"floor", "factor long before the midpoint", "1"},
          {"cap", "factor long after the midpoint", ""},
          {"midpoint", "date (YYYY-MM-DD) halfway between floor and cap", ""},
          {"rate_per_year", "steepness, per year", ""}},
         [](const ParamReader& p) -> std::unique_ptr<Trend> {
           const double floor = p.number("floor", 1.0, Bound::positive);
           const double cap = p.required_number("cap", Bound::positive);
           const auto midpoint = read_date(p, "midpoint", true);
           const double rate = p.required_number("rate_per_year", Bound::positive);
           if (!midpoint) return nullptr;
           return std::make_unique<LogisticTrend>(floor, cap, *midpoint, rate);
         }});
  r.add({"piecewise",
         "Linear between dated points, flat before the first and after the last.",
         {{"points", "[{\"date\": \"YYYY-MM-DD\", \"factor\": x}, ...] in date order", ""}},
         read_piecewise});
  return r;
}

}  // namespace

const Registry<Trend>& trend_models() {
  static const Registry<Trend> registry = build_registry();
  return registry;
}

}  // namespace aidc
