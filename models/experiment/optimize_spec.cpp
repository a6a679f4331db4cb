// Reading an optimization file, and the values of its decision variables.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>

#include "aidc/experiment/inputs.hpp"
#include "aidc/experiment/optimize.hpp"
#include "aidc/run/output.hpp"
#include "aidc/scenario/errors.hpp"
#include "aidc/scenario/param_reader.hpp"
#include "aidc/scenario/scenario.hpp"

namespace aidc::experiment {

std::size_t Variable::levels() const {
  switch (kind) {
    case Kind::categorical:
      return values.size();
    case Kind::integer:
    case Kind::date:
      return static_cast<std::size_t>(std::floor((high - low) / step + 1e-9)) + 1;
    case Kind::continuous:
      break;
  }
  return 0;
}

nlohmann::json Variable::at(double u) const {
  u = std::clamp(u, 0.0, 1.0);
  if (kind == Kind::continuous) return low + u * (high - low);
  // A discrete variable's levels split [0, 1] into equal cells; u = 1 is the last one.
  const std::size_t n = levels();
  const std::size_t i = std::min(n - 1, static_cast<std::size_t>(u * static_cast<double>(n)));
  if (kind == Kind::categorical) return values[i];
  const double x = low + static_cast<double>(i) * step;
  if (kind == Kind::integer) return static_cast<std::int64_t>(std::llround(x));
  const Date day0 = *parse_date(from);
  return format_date(day0 + std::chrono::days{static_cast<std::int64_t>(std::llround(x))});
}

double Constraint::violation(double mean) const {
  if (at_least && mean < *at_least) return *at_least - mean;
  if (at_most && mean > *at_most) return mean - *at_most;
  return 0;
}

namespace {

Variable read_variable(const ParamReader& r) {
  Variable v;
  v.name = r.id("name");
  v.pointer = r.required_string("pointer");
  if (!v.pointer.empty() && v.pointer.front() != '/')
    r.error("pointer", fmt::format("got \"{}\", expected a JSON pointer such as /fleet/pools/0/mw",
                                   v.pointer));
  const std::string kind =
      r.choice("kind", {"integer", "continuous", "categorical", "date"}, "continuous");
  if (!r.has("kind")) r.error("kind", "missing; expected integer, continuous, categorical or date");
  if (kind == "categorical") {
    v.kind = Variable::Kind::categorical;
    r.allow_only({"name", "pointer", "kind", "values", "description"});
    if (!r.has("values") || !r.node().at("values").is_array() || r.node().at("values").empty()) {
      r.error("values", "missing or empty; expected a list of the values to choose from");
    } else {
      for (const auto& x : r.node().at("values")) v.values.push_back(x);
    }
    return v;
  }
  v.kind = kind == "integer" ? Variable::Kind::integer
           : kind == "date"  ? Variable::Kind::date
                             : Variable::Kind::continuous;
  if (v.kind == Variable::Kind::date) {
    r.allow_only({"name", "pointer", "kind", "from", "low", "high", "step", "description"});
    v.from = r.required_string("from");
    if (!v.from.empty() && !parse_date(v.from))
      r.error("from", fmt::format("got \"{}\", expected a date YYYY-MM-DD", v.from));
  } else if (v.kind == Variable::Kind::integer) {
    r.allow_only({"name", "pointer", "kind", "low", "high", "step", "description"});
  } else {
    r.allow_only({"name", "pointer", "kind", "low", "high", "description"});
  }
  v.low = r.required_number("low");
  v.high = r.required_number("high");
  if (v.kind != Variable::Kind::continuous) {
    v.step = r.number("step", 1, Bound::positive);
    for (const char* key : {"low", "high", "step"}) {
      const double x = key == std::string_view("low")    ? v.low
                       : key == std::string_view("high") ? v.high
                                                         : v.step;
      if (r.has(key) && x != std::round(x))
        r.error(key, fmt::format("got {}, expected a whole number", x));
    }
  }
  if (!(v.high > v.low)) {
    r.error("high", fmt::format("got {}, expected more than low ({})", v.high, v.low));
  } else if (v.kind != Variable::Kind::continuous && v.levels() > 1'000'000) {
    r.error("step", fmt::format("gives {} levels, expected at most 1,000,000", v.levels()));
  }
  return v;
}

}  // namespace

OptimizeSpec read_optimize(const nlohmann::json& doc, const std::string& file) {
  Diagnostics diag(file);
  const ParamReader root(doc, "", diag);
  OptimizeSpec spec;
  spec.file = file;
  if (!root.expect_object()) diag.throw_if_any();
  root.allow_only({"name", "description", "base", "set", "seed", "variables", "constraints",
                   "objective", "search", "selection"});
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
  std::uint64_t base_seed = 0;
  if (spec.base_doc.is_object() && spec.base_doc.contains("seed") &&
      spec.base_doc["seed"].is_number_unsigned()) {
    base_seed = spec.base_doc["seed"].get<std::uint64_t>();
  }
  spec.seed = static_cast<std::uint64_t>(
      root.integer("seed", static_cast<std::int64_t>(base_seed), Bound::non_negative));

  std::set<std::string> names;
  const auto variables = root.array("variables", true);
  if (root.has("variables") && variables.empty() && doc.at("variables").is_array())
    root.error("variables", "got an empty list, expected at least one decision variable");
  for (const auto& v : variables) {
    if (!v.expect_object()) continue;
    Variable variable = read_variable(v);
    if (!variable.name.empty() && !names.insert(variable.name).second)
      v.error("name", fmt::format("got \"{}\" twice, expected each variable to have its own name",
                                  variable.name));
    if (!variable.pointer.empty() && !spec.base_doc.is_null()) {
      nlohmann::json probe = spec.base_doc;
      std::string why;
      if (!set_pointer(probe, variable.pointer,
                       variable.kind == Variable::Kind::categorical && !variable.values.empty()
                           ? variable.values.front()
                           : nlohmann::json(variable.low),
                       why))
        v.error("pointer", why);
    }
    spec.variables.push_back(std::move(variable));
  }

  for (const auto& c : root.array("constraints", false)) {
    if (!c.expect_object()) continue;
    c.allow_only({"metric", "at_least", "at_most", "description"});
    Constraint constraint;
    constraint.metric = c.required_string("metric");
    if (c.has("at_least")) constraint.at_least = c.required_number("at_least");
    if (c.has("at_most")) constraint.at_most = c.required_number("at_most");
    if (!constraint.at_least && !constraint.at_most)
      c.error("at_least", "missing; expected at_least, at_most or both");
    spec.constraints.push_back(std::move(constraint));
  }

  if (root.has("objective")) {
    const ParamReader o = root.child("objective");
    if (o.expect_object()) {
      o.allow_only({"metric", "statistic", "level", "sense", "description"});
      spec.objective.metric = o.string("metric", spec.objective.metric);
      const std::string statistic = o.choice("statistic", {"mean", "lower_bound", "cvar"}, "mean");
      spec.objective.statistic = statistic == "lower_bound" ? Objective::Statistic::lower_bound
                                 : statistic == "cvar"      ? Objective::Statistic::cvar
                                                            : Objective::Statistic::mean;
      spec.objective.level = o.number("level", 0.1, Bound::fraction);
      if (spec.objective.level <= 0 || spec.objective.level >= 1)
        o.error("level", fmt::format("got {}, expected a share in (0, 1)", spec.objective.level));
      spec.objective.maximize =
          o.choice("sense", {"maximize", "minimize"}, "maximize") == "maximize";
    }
  }
  if (root.has("search")) {
    const ParamReader s = root.child("search");
    if (s.expect_object()) {
      s.allow_only({"algorithm", "evaluations", "replications", "refine"});
      spec.algorithm =
          s.choice("algorithm", {"direct", "crs2", "bobyqa", "cobyla", "sbplx"}, "direct");
      spec.evaluations = static_cast<std::size_t>(s.integer("evaluations", 40, Bound::positive));
      spec.replications = static_cast<std::size_t>(s.integer("replications", 2, Bound::positive));
      spec.refine = static_cast<std::size_t>(s.integer("refine", 5, Bound::positive));
      if (spec.evaluations > 100'000) s.error("evaluations", "expected at most 100,000");
      if (spec.replications > 10'000) s.error("replications", "expected at most 10,000");
    }
  }
  if (!root.has("selection")) {
    root.error("selection",
               "missing; expected {\"indifference\": the smallest difference in the "
               "objective metric worth telling apart, ...}");
  } else {
    const ParamReader s = root.child("selection");
    if (s.expect_object()) {
      s.allow_only({"candidates", "indifference", "confidence", "first_stage", "max_replications"});
      spec.candidates = static_cast<std::size_t>(s.integer("candidates", 4, Bound::positive));
      spec.selection.indifference = s.required_number("indifference", Bound::positive);
      spec.selection.confidence = s.number("confidence", 0.95, Bound::fraction);
      if (spec.selection.confidence <= 0 || spec.selection.confidence >= 1)
        s.error("confidence",
                fmt::format("got {}, expected a probability in (0, 1)", spec.selection.confidence));
      spec.selection.first_stage =
          static_cast<std::size_t>(s.integer("first_stage", 10, Bound::positive));
      spec.selection.max_replications =
          static_cast<std::size_t>(s.integer("max_replications", 200, Bound::positive));
      if (spec.selection.first_stage < 2) s.error("first_stage", "expected 2 or more");
      if (spec.selection.max_replications < spec.selection.first_stage)
        s.error("max_replications", "expected at least first_stage");
      if (spec.selection.max_replications > 100'000)
        s.error("max_replications", "expected at most 100,000");
    }
  }
  diag.throw_if_any();
  spec.hash = document_hash(
      nlohmann::json{{"optimize", doc}, {"base", base_as_read}, {"version", AIDC_VERSION}});
  return spec;
}

nlohmann::json optimize_point_doc(const OptimizeSpec& spec,
                                  const std::vector<nlohmann::json>& values) {
  nlohmann::json doc = spec.base_doc;
  for (std::size_t j = 0; j < values.size(); ++j) {
    std::string why;
    if (!set_pointer(doc, spec.variables[j].pointer, values[j], why))
      throw ScenarioError({Diagnostic{spec.file, "/variables/" + std::to_string(j), why}});
  }
  return doc;
}

}  // namespace aidc::experiment
