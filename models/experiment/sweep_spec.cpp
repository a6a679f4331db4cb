// Reading a sweep file, and the points of each design.

#include <fmt/format.h>

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_01.hpp>
#include <cmath>
#include <filesystem>
#include <set>

#include "aidc/experiment/inputs.hpp"
#include "aidc/experiment/sensitivity.hpp"
#include "aidc/experiment/sweep.hpp"
#include "aidc/run/output.hpp"
#include "aidc/scenario/errors.hpp"
#include "aidc/scenario/param_reader.hpp"
#include "aidc/scenario/scenario.hpp"
#include "aidc/sim/rng.hpp"

namespace aidc::experiment {

const char* design_name(Design d) {
  switch (d) {
    case Design::grid:
      return "grid";
    case Design::random:
      return "random";
    case Design::latin_hypercube:
      return "latin_hypercube";
    case Design::oat:
      return "oat";
    case Design::saltelli:
      return "saltelli";
  }
  return "grid";
}

namespace {
nlohmann::json number_value(double x, bool integer) {
  if (integer) return static_cast<std::int64_t>(std::llround(x));
  return x;
}

bool is_identifier(const std::string& s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

void read_distribution(const ParamReader& d, Parameter& p) {
  if (!d.expect_object()) return;
  p.distribution = d.choice("dist", {"uniform", "triangular", "normal", "lognormal"}, "uniform");
  if (!d.has("dist"))
    d.error("dist", "missing; expected one of uniform, triangular, normal, lognormal");
  if (p.distribution == "uniform" || p.distribution == "triangular") {
    d.allow_only(p.distribution == "uniform"
                     ? std::vector<std::string>{"dist", "low", "high"}
                     : std::vector<std::string>{"dist", "low", "mode", "high"});
    p.low = d.required_number("low");
    p.high = d.required_number("high");
    if (p.high <= p.low) {
      d.error("high", fmt::format("got {}, expected a number above low ({})", p.high, p.low));
    }
    if (p.distribution == "triangular") {
      p.mode = d.required_number("mode");
      if (p.mode < p.low || p.mode > p.high) {
        d.error("mode", fmt::format("got {}, expected a number from low to high", p.mode));
      }
    }
  } else {
    d.allow_only({"dist", "mean", "sd"});
    p.mean =
        d.required_number("mean", p.distribution == "lognormal" ? Bound::positive : Bound::any);
    p.sd = d.required_number("sd", Bound::positive);
  }
}

Parameter read_parameter(const ParamReader& r, const SweepSpec& spec, Design design) {
  Parameter p;
  r.allow_only(
      {"name", "pointer", "values", "range", "distribution", "integer", "base", "description"});
  p.name = r.id("name");
  if (!p.name.empty() && !is_identifier(p.name)) {
    r.error("name", fmt::format("got \"{}\", expected a column name: letters, digits and '_', not "
                                "starting with a digit",
                                p.name));
  }
  p.pointer = r.required_string("pointer");
  if (!p.pointer.empty()) {
    nlohmann::json probe = spec.base_doc;
    std::string why;
    if (!set_pointer(probe, p.pointer, nullptr, why)) r.error("pointer", why);
  }
  if (r.has("integer")) {
    if (r.node().at("integer").is_boolean()) {
      p.integer = r.node().at("integer").get<bool>();
    } else {
      r.error("integer",
              fmt::format("got {}, expected true or false", brief(r.node().at("integer"))));
    }
  }
  const int sources = static_cast<int>(r.has("values")) + static_cast<int>(r.has("range")) +
                      static_cast<int>(r.has("distribution"));
  if (sources != 1) {
    r.error("", fmt::format(
                    "got {} of \"values\", \"range\" and \"distribution\", expected exactly one",
                    sources));
    return p;
  }
  if (r.has("values")) {
    p.kind = Parameter::Kind::values;
    const auto& v = r.node().at("values");
    if (!v.is_array() || v.empty()) {
      r.error("values", fmt::format("got {}, expected a non-empty array", brief(v)));
    } else {
      p.values.assign(v.begin(), v.end());
    }
  } else if (r.has("range")) {
    p.kind = Parameter::Kind::range;
    const ParamReader g = r.child("range");
    if (g.expect_object()) {
      g.allow_only({"low", "high", "steps"});
      p.low = g.required_number("low");
      p.high = g.required_number("high");
      if (p.high <= p.low) {
        g.error("high", fmt::format("got {}, expected a number above low ({})", p.high, p.low));
      }
      const bool needs_steps = design == Design::grid;
      const std::int64_t steps = g.integer("steps", 0, Bound::non_negative);
      if (needs_steps && steps < 2) {
        g.error("steps", fmt::format("got {}, expected 2 or more levels for a grid", steps));
      }
      constexpr std::int64_t kMaxSteps = 1'000'000;
      if (steps > kMaxSteps) {
        g.error("steps",
                fmt::format("out of range (got {}, expected at most {} levels)", steps, kMaxSteps));
      }
      for (std::int64_t i = 0; i < steps && steps >= 2 && steps <= kMaxSteps; ++i) {
        const double x =
            p.low + (p.high - p.low) * static_cast<double>(i) / static_cast<double>(steps - 1);
        p.values.push_back(number_value(x, p.integer));
      }
    }
  } else {
    p.kind = Parameter::Kind::distribution;
    read_distribution(r.child("distribution"), p);
    if (design == Design::grid) {
      r.error("distribution",
              "a grid needs \"values\" or a \"range\" with steps, not a distribution");
    }
  }
  if (r.has("base")) p.base = r.node().at("base");
  if (design == Design::oat && !p.base && !p.pointer.empty()) {
    try {
      const nlohmann::json::json_pointer ptr(p.pointer);
      if (spec.base_doc.contains(ptr)) {
        p.base = spec.base_doc.at(ptr);
      } else {
        r.error("base", fmt::format("missing, and the base scenario has no value at \"{}\"; "
                                    "expected the one-at-a-time base value",
                                    p.pointer));
      }
    } catch (const nlohmann::json::exception&) {
      // The pointer's own problem is reported above.
    }
  }
  return p;
}
}  // namespace

nlohmann::json Parameter::at_quantile(double u) const {
  switch (kind) {
    case Kind::values: {
      const auto i = std::min(values.size() - 1,
                              static_cast<std::size_t>(u * static_cast<double>(values.size())));
      return values[i];
    }
    case Kind::range:
      return number_value(low + u * (high - low), integer);
    case Kind::distribution:
      break;
  }
  double x = 0;
  if (distribution == "uniform") {
    x = low + u * (high - low);
  } else if (distribution == "triangular") {
    const double fc = (mode - low) / (high - low);
    x = u < fc ? low + std::sqrt(u * (high - low) * (mode - low))
               : high - std::sqrt((1 - u) * (high - low) * (high - mode));
  } else if (distribution == "normal") {
    x = boost::math::quantile(boost::math::normal(mean, sd), u);
  } else {  // lognormal with the given mean and sd of the variable itself
    const double s2 = std::log1p(sd * sd / (mean * mean));
    const double mu = std::log(mean) - 0.5 * s2;
    x = std::exp(boost::math::quantile(boost::math::normal(mu, std::sqrt(s2)), u));
  }
  return number_value(x, integer);
}

std::pair<nlohmann::json, nlohmann::json> Parameter::low_high() const {
  if (kind == Kind::values) return {values.front(), values.back()};
  if (kind == Kind::range || distribution == "uniform" || distribution == "triangular") {
    return {number_value(low, integer), number_value(high, integer)};
  }
  return {at_quantile(0.05), at_quantile(0.95)};
}

SweepSpec read_sweep(const nlohmann::json& doc, const std::string& file) {
  Diagnostics diag(file);
  const ParamReader root(doc, "", diag);
  SweepSpec spec;
  spec.file = file;
  if (!root.expect_object()) diag.throw_if_any();
  root.allow_only({"name", "description", "base", "set", "seed", "replications", "design",
                   "parameters", "metrics", "sensitivity_metrics"});
  spec.name = root.id("name", std::filesystem::path(file).stem().string());
  spec.description = root.string("description", "");
  const std::string base = root.required_string("base");
  nlohmann::json base_as_read;
  if (!base.empty()) {
    spec.base_file = resolve_relative(file, base);
    try {
      spec.base_doc = read_json_file(spec.base_file);
      base_as_read = spec.base_doc;
    } catch (const ScenarioError& e) {
      root.error("base", e.diagnostics().front().to_string());
    }
  }
  if (root.has("set") && !spec.base_doc.is_null()) apply_settings(spec.base_doc, root.child("set"));
  spec.replications = static_cast<std::size_t>(root.integer("replications", 1, Bound::positive));
  std::uint64_t base_seed = 0;
  if (spec.base_doc.is_object() && spec.base_doc.contains("seed") &&
      spec.base_doc["seed"].is_number_unsigned()) {
    base_seed = spec.base_doc["seed"].get<std::uint64_t>();
  }
  spec.seed = static_cast<std::uint64_t>(
      root.integer("seed", static_cast<std::int64_t>(base_seed), Bound::non_negative));

  if (!root.has("design")) {
    root.error("design",
               "missing; expected {\"type\": \"grid\"} or random, latin_hypercube, oat, saltelli");
  } else {
    const ParamReader d = root.child("design");
    if (d.expect_object()) {
      const std::string type =
          d.choice("type", {"grid", "random", "latin_hypercube", "oat", "saltelli"}, "grid");
      if (type == "grid") spec.design = Design::grid;
      if (type == "random") spec.design = Design::random;
      if (type == "latin_hypercube") spec.design = Design::latin_hypercube;
      if (type == "oat") spec.design = Design::oat;
      if (type == "saltelli") spec.design = Design::saltelli;
      if (spec.design == Design::random || spec.design == Design::latin_hypercube) {
        d.allow_only({"type", "points"});
        spec.samples = static_cast<std::size_t>(d.required_integer("points", Bound::positive));
      } else if (spec.design == Design::saltelli) {
        d.allow_only({"type", "base_samples"});
        spec.samples =
            static_cast<std::size_t>(d.required_integer("base_samples", Bound::positive));
        if (spec.samples < 2) d.error("base_samples", "expected 2 or more (a power of 2 is best)");
      } else {
        d.allow_only({"type"});
      }
    }
  }

  std::set<std::string> names;
  const auto params = root.array("parameters", true);
  if (root.has("parameters") && params.empty() && doc.at("parameters").is_array()) {
    root.error("parameters", "got an empty list, expected at least one parameter");
  }
  for (const auto& p : params) {
    if (!p.expect_object()) continue;
    Parameter parameter = read_parameter(p, spec, spec.design);
    if (!parameter.name.empty() && !names.insert(parameter.name).second) {
      p.error("name", fmt::format("got \"{}\" twice, expected each parameter to have its own name",
                                  parameter.name));
    }
    if (parameter.name == "point" || parameter.name == "replication" ||
        parameter.name == "replications") {
      p.error("name", fmt::format("\"{}\" is a column of the results; choose another name",
                                  parameter.name));
    }
    spec.parameters.push_back(std::move(parameter));
  }
  for (const char* key : {"metrics", "sensitivity_metrics"}) {
    if (!root.has(key)) continue;
    const auto& list = doc.at(key);
    auto& target = std::string_view(key) == "metrics" ? spec.metrics : spec.sensitivity_metrics;
    if (!list.is_array() || list.empty()) {
      root.error(key,
                 fmt::format("got {}, expected a non-empty list of metric names", brief(list)));
      continue;
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (!list[i].is_string()) {
        root.diagnostics().add(root.pointer_of(key) + "/" + std::to_string(i),
                               fmt::format("got {}, expected a metric name", brief(list[i])));
      } else if (std::find(target.begin(), target.end(), list[i].get<std::string>()) ==
                 target.end()) {
        target.push_back(list[i].get<std::string>());
      }
    }
  }
  diag.throw_if_any();
  spec.hash = document_hash(
      nlohmann::json{{"sweep", doc}, {"base", base_as_read}, {"version", AIDC_VERSION}});
  return spec;
}

std::vector<std::vector<nlohmann::json>> design_points(const SweepSpec& spec) {
  std::vector<std::vector<nlohmann::json>> points;
  const std::size_t k = spec.parameters.size();
  switch (spec.design) {
    case Design::grid: {
      std::size_t total = 1;
      for (const auto& p : spec.parameters) total *= p.values.size();
      for (std::size_t i = 0; i < total; ++i) {
        std::vector<nlohmann::json> point(k);
        std::size_t rest = i;
        for (std::size_t j = k; j-- > 0;) {  // the first parameter varies slowest
          const auto& levels = spec.parameters[j].values;
          point[j] = levels[rest % levels.size()];
          rest /= levels.size();
        }
        points.push_back(std::move(point));
      }
      break;
    }
    case Design::random:
    case Design::latin_hypercube: {
      boost::random::mt19937_64 rng(sim::stream_seed(spec.seed, 0, "sweep-design"));
      boost::random::uniform_01<double> u01;
      const std::size_t n = spec.samples;
      std::vector<std::vector<double>> u(n, std::vector<double>(k));
      for (std::size_t j = 0; j < k; ++j) {
        std::vector<std::size_t> strata(n);
        for (std::size_t i = 0; i < n; ++i) strata[i] = i;
        if (spec.design == Design::latin_hypercube) {
          for (std::size_t i = n; i-- > 1;) {  // Fisher-Yates, from our own stream
            const auto pick = static_cast<std::size_t>(u01(rng) * static_cast<double>(i + 1));
            std::swap(strata[i], strata[std::min(pick, i)]);
          }
        }
        for (std::size_t i = 0; i < n; ++i) {
          const double draw = u01(rng);
          u[i][j] = spec.design == Design::latin_hypercube
                        ? (static_cast<double>(strata[i]) + draw) / static_cast<double>(n)
                        : draw;
        }
      }
      for (std::size_t i = 0; i < n; ++i) {
        std::vector<nlohmann::json> point(k);
        for (std::size_t j = 0; j < k; ++j) point[j] = spec.parameters[j].at_quantile(u[i][j]);
        points.push_back(std::move(point));
      }
      break;
    }
    case Design::oat: {
      std::vector<nlohmann::json> base(k);
      for (std::size_t j = 0; j < k; ++j) base[j] = *spec.parameters[j].base;
      points.push_back(base);
      for (std::size_t j = 0; j < k; ++j) {
        const auto [low, high] = spec.parameters[j].low_high();
        auto at_low = base;
        at_low[j] = low;
        auto at_high = base;
        at_high[j] = high;
        points.push_back(std::move(at_low));
        points.push_back(std::move(at_high));
      }
      break;
    }
    case Design::saltelli: {
      const UnitDesign u = saltelli_design(k, spec.samples);
      for (std::size_t i = 0; i < u.rows; ++i) {
        std::vector<nlohmann::json> point(k);
        for (std::size_t j = 0; j < k; ++j) point[j] = spec.parameters[j].at_quantile(u(i, j));
        points.push_back(std::move(point));
      }
      break;
    }
  }
  return points;
}

Shard parse_shard(const std::string& text) {
  Shard s;
  const auto slash = text.find('/');
  bool ok = slash != std::string::npos && slash > 0 && slash + 1 < text.size();
  if (ok) {
    try {
      std::size_t used = 0;
      s.index = std::stoul(text.substr(0, slash), &used);
      ok = used == slash;
      s.count = std::stoul(text.substr(slash + 1), &used);
      ok = ok && used == text.size() - slash - 1;
    } catch (const std::exception&) {
      ok = false;
    }
  }
  if (!ok || s.index < 1 || s.index > s.count) {
    throw ScenarioError({Diagnostic{
        "--shard", "", fmt::format("got \"{}\", expected K/N with 1 <= K <= N", text)}});
  }
  return s;
}

}  // namespace aidc::experiment
