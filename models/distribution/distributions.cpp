#include <fmt/format.h>
#include <boost/random/discrete_distribution.hpp>
#include <boost/random/exponential_distribution.hpp>
#include <boost/random/lognormal_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <boost/random/weibull_distribution.hpp>
#include <cmath>
#include <nlohmann/json.hpp>
#include <numeric>
#include <stdexcept>

#include "aidc/distribution/distribution.hpp"

namespace aidc {

namespace {

/// Always the same value.
class Fixed final : public Distribution {
 public:
  explicit Fixed(double value) : value_(value) {}
  double sample(sim::Rng&) const override { return value_; }
  double mean() const override { return value_; }

 private:
  double value_;
};

/// Exponential with the given mean (rate 1/mean).
class Exponential final : public Distribution {
 public:
  explicit Exponential(double mean) : mean_(mean), dist_(1.0 / mean) {}
  double sample(sim::Rng& rng) const override { return dist_(rng); }
  double mean() const override { return mean_; }

 private:
  double mean_;
  mutable boost::random::exponential_distribution<double> dist_;
};

/// Log-normal given by the mean and standard deviation of the variable itself:
/// sigma^2 = ln(1 + sd^2/mean^2), mu = ln(mean) - sigma^2/2.
class LogNormal final : public Distribution {
 public:
  LogNormal(double mean, double sd)
      : mean_(mean),
        dist_(std::log(mean) - 0.5 * std::log1p(sd * sd / (mean * mean)),
              std::sqrt(std::log1p(sd * sd / (mean * mean)))) {}
  double sample(sim::Rng& rng) const override { return dist_(rng); }
  double mean() const override { return mean_; }

 private:
  double mean_;
  mutable boost::random::lognormal_distribution<double> dist_;
};

/// Weibull with shape k and scale lambda: P(X > x) = exp(-(x / lambda)^k), mean
/// lambda Gamma(1 + 1/k). Shape 1 is the exponential of mean lambda.
class Weibull final : public Distribution {
 public:
  Weibull(double shape, double scale)
      : mean_(scale * std::tgamma(1.0 + 1.0 / shape)), dist_(shape, scale) {}
  double sample(sim::Rng& rng) const override { return dist_(rng); }
  double mean() const override { return mean_; }

 private:
  double mean_;
  mutable boost::random::weibull_distribution<double> dist_;
};

/// Uniform on [low, high).
class Uniform final : public Distribution {
  // Checked before Boost sees the bounds: its constructor asserts on low >= high.
  static double checked_low(double low, double high) {
    if (!(low < high)) {
      throw std::invalid_argument(
          fmt::format("expected low < high (got low {}, high {})", low, high));
    }
    return low;
  }

 public:
  Uniform(double low, double high) : dist_(checked_low(low, high), high) {}
  double sample(sim::Rng& rng) const override { return dist_(rng); }
  double mean() const override { return 0.5 * (dist_.a() + dist_.b()); }

 private:
  mutable boost::random::uniform_real_distribution<double> dist_;
};

/// One of the listed values, equally likely unless weights are given.
class Empirical final : public Distribution {
 public:
  Empirical(std::vector<double> values, std::vector<double> weights)
      : values_(std::move(values)), weights_(std::move(weights)) {
    if (values_.empty()) throw std::invalid_argument("expected at least one value in \"values\"");
    if (weights_.empty()) weights_.assign(values_.size(), 1.0);
    if (weights_.size() != values_.size()) {
      throw std::invalid_argument("expected as many \"weights\" as \"values\"");
    }
    const double total = std::accumulate(weights_.begin(), weights_.end(), 0.0);
    if (!(total > 0)) throw std::invalid_argument("expected weights with a positive sum");
    mean_ = std::inner_product(values_.begin(), values_.end(), weights_.begin(), 0.0) / total;
    dist_ =
        boost::random::discrete_distribution<std::size_t, double>(weights_.begin(), weights_.end());
  }
  double sample(sim::Rng& rng) const override { return values_[dist_(rng)]; }
  double mean() const override { return mean_; }

 private:
  std::vector<double> values_;
  std::vector<double> weights_;
  double mean_ = 0;
  mutable boost::random::discrete_distribution<std::size_t, double> dist_;
};

Registry<Distribution> build_registry() {
  Registry<Distribution> r("distribution", "dist");
  r.add({"fixed", "Always the same value.", {{"value", "the value", ""}}, [](const ParamReader& p) {
           return std::make_unique<Fixed>(p.required_number("value", Bound::non_negative));
         }});
  r.add({"exponential",
         "Exponential (memoryless) with the given mean.",
         {{"mean", "the mean", ""}},
         [](const ParamReader& p) {
           return std::make_unique<Exponential>(p.required_number("mean", Bound::positive));
         }});
  r.add({"lognormal",
         "Log-normal with the given mean and standard deviation of the value.",
         {{"mean", "the mean", ""}, {"sd", "the standard deviation", ""}},
         [](const ParamReader& p) {
           return std::make_unique<LogNormal>(p.required_number("mean", Bound::positive),
                                              p.required_number("sd", Bound::positive));
         }});
  r.add({"weibull",
         "Weibull with the given shape and scale (shape 1: exponential of mean scale).",
         {{"shape", "the shape k", ""}, {"scale", "the scale, in the field's unit", ""}},
         [](const ParamReader& p) {
           return std::make_unique<Weibull>(p.required_number("shape", Bound::positive),
                                            p.required_number("scale", Bound::positive));
         }});
  r.add({"uniform",
         "Uniform between low and high.",
         {{"low", "the lower end", ""}, {"high", "the upper end", ""}},
         [](const ParamReader& p) {
           return std::make_unique<Uniform>(p.required_number("low", Bound::non_negative),
                                            p.required_number("high", Bound::non_negative));
         }});
  r.add({"empirical",
         "One of the listed values, equally likely or by weight.",
         {{"values", "the values", ""}, {"weights", "relative weights, one per value", "equal"}},
         [](const ParamReader& p) {
           std::vector<double> weights;
           if (p.has("weights")) weights = p.numbers("weights", Bound::non_negative);
           return std::make_unique<Empirical>(p.numbers("values", Bound::non_negative),
                                              std::move(weights));
         }});
  return r;
}

}  // namespace

const Registry<Distribution>& distributions() {
  static const Registry<Distribution> registry = build_registry();
  return registry;
}

std::unique_ptr<Distribution> read_distribution(const ParamReader& parent, std::string_view key,
                                                Bound bound) {
  if (!parent.has(key)) {
    parent.error(key, "missing required key (expected a number or a distribution object)");
    return nullptr;
  }
  const ParamReader node = parent.child(key);
  if (node.node().is_number()) {
    const double value = node.node().get<double>();
    if (!parent.check(key, value, bound)) return nullptr;
    return std::make_unique<Fixed>(value);
  }
  if (!node.node().is_object()) {
    parent.error(key, fmt::format("wrong type (got {}, expected a number or a distribution object)",
                                  brief(node.node())));
    return nullptr;
  }
  return distributions().make(node);
}

}  // namespace aidc
