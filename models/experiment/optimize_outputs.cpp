// The output files of aidc optimize.

#include <fmt/format.h>

#include <algorithm>

#include "aidc/experiment/optimize.hpp"
#include "aidc/experiment/output.hpp"
#include "aidc/experiment/statistics.hpp"
#include "aidc/scenario/param_reader.hpp"

namespace aidc::experiment {

namespace {

nlohmann::ordered_json plan_values(const OptimizeSpec& spec, const Candidate& c) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (std::size_t j = 0; j < spec.variables.size(); ++j) out[spec.variables[j].name] = c.values[j];
  return out;
}

std::string csv_cell(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();  // ids and dates: no comma or quote
  return v.dump();
}

}  // namespace

ComparisonSpec versus_base(const OptimizeSpec& spec, const OptimizeResult& result) {
  ComparisonSpec c;
  c.file = spec.file;
  c.name = spec.name + "-vs-base";
  c.description = fmt::format("The plan aidc optimize selected in {} against its base scenario {}.",
                              spec.file, spec.base_file);
  c.plans.push_back(Plan{"base", "the base scenario", spec.base_file, spec.base_doc});
  c.plans.push_back(Plan{"best", "the plan selected", spec.base_file,
                         optimize_point_doc(spec, result.candidates[result.best].values)});
  c.replications = spec.selection.first_stage;
  c.seed = spec.seed;
  return c;
}

std::vector<std::pair<std::string, std::string>> optimize_outputs(const OptimizeSpec& spec,
                                                                  const OptimizeResult& result) {
  const auto& sel = result.selection;
  const std::size_t best_finalist = sel.best;
  const auto& best_samples = sel.samples[best_finalist];

  nlohmann::ordered_json j;
  j["name"] = spec.name;
  j["objective"] = {
      {"metric", spec.objective.metric},
      {"statistic", spec.objective.statistic == Objective::Statistic::mean          ? "mean"
                    : spec.objective.statistic == Objective::Statistic::lower_bound ? "lower_bound"
                                                                                    : "cvar"},
      {"sense", spec.objective.maximize ? "maximize" : "minimize"}};
  j["search"] = {{"algorithm", spec.algorithm},
                 {"plans_evaluated", result.candidates.size()},
                 {"replications_per_plan", spec.replications},
                 {"stopped_by", result.stop_reason},
                 {"runs", result.search_runs}};
  j["selection"] = {{"procedure", "KN (Kim and Nelson 2001), common random numbers"},
                    {"indifference", spec.selection.indifference},
                    {"confidence", spec.selection.confidence},
                    {"first_stage", spec.selection.first_stage},
                    {"eta", sel.eta},
                    {"runs", result.selection_runs},
                    {"truncated", sel.truncated}};
  const Candidate& best = result.candidates[result.best];
  j["best"] = {
      {"candidate", result.best},
      {"values", plan_values(spec, best)},
      {"objective_metric", estimate_json(estimate(best_samples))},
      {"statement",
       sel.truncated ? fmt::format("the selection reached {} replications with more than one plan "
                                   "left; this plan had the best mean, without the stated "
                                   "probability",
                                   spec.selection.max_replications)
                     : fmt::format("this plan is the best of the {} finalists with probability at "
                                   "least {} whenever the best is at least {} ahead of the others",
                                   result.finalists.size(), spec.selection.confidence,
                                   spec.selection.indifference)}};
  nlohmann::ordered_json finalists = nlohmann::ordered_json::array();
  for (std::size_t f = 0; f < result.finalists.size(); ++f) {
    const Candidate& c = result.candidates[result.finalists[f]];
    // Paired on the replications both have (the same random numbers).
    const std::size_t n = std::min(sel.samples[f].size(), best_samples.size());
    const std::vector<double> mine(sel.samples[f].begin(),
                                   sel.samples[f].begin() + static_cast<std::ptrdiff_t>(n));
    const std::vector<double> theirs(best_samples.begin(),
                                     best_samples.begin() + static_cast<std::ptrdiff_t>(n));
    nlohmann::ordered_json fj;
    fj["candidate"] = result.finalists[f];
    fj["values"] = plan_values(spec, c);
    fj["selected"] = f == best_finalist;
    fj["replications"] = sel.samples[f].size();
    fj["objective_metric"] = estimate_json(estimate(sel.samples[f]));
    if (f != best_finalist) fj["minus_best"] = estimate_json(paired_difference(theirs, mine));
    finalists.push_back(fj);
  }
  j["finalists"] = finalists;
  j["runs"] = result.search_runs + result.selection_runs;

  std::string candidates = "candidate,first_evaluation";
  for (const auto& v : spec.variables) candidates += "," + v.name;
  candidates += ",feasible,replications,mean,score\n";
  for (std::size_t c = 0; c < result.candidates.size(); ++c) {
    const Candidate& k = result.candidates[c];
    candidates += fmt::format("{},{}", c, k.first_evaluation);
    for (const auto& v : k.values) candidates += "," + csv_cell(v);
    candidates +=
        fmt::format(",{},{},{},{}\n", k.feasible ? 1 : 0, k.samples.size(),
                    estimate(k.samples).mean, k.feasible ? fmt::format("{}", k.score) : "");
  }
  std::string progress = "evaluation,best_score\n";
  for (std::size_t e = 0; e < result.best_score_by_eval.size(); ++e)
    progress += fmt::format("{},{}\n", e, result.best_score_by_eval[e]);

  nlohmann::json best_doc = optimize_point_doc(spec, best.values);
  if (best_doc.is_object()) {
    std::string described;
    for (std::size_t v = 0; v < spec.variables.size(); ++v)
      described +=
          fmt::format("{}{} = {}", v ? ", " : "", spec.variables[v].name, brief(best.values[v]));
    best_doc["description"] = fmt::format("The plan aidc optimize selected in {} ({}): {}.",
                                          spec.file, spec.name, described);
  }
  return {{"optimize.json", j.dump(2) + "\n"},
          {"candidates.csv", candidates},
          {"progress.csv", progress},
          {"best.json", best_doc.dump(2) + "\n"}};
}

}  // namespace aidc::experiment
