#include "aidc/experiment/compare.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "aidc/experiment/inputs.hpp"
#include "aidc/experiment/output.hpp"
#include "aidc/scenario/errors.hpp"
#include "aidc/scenario/param_reader.hpp"
#include "aidc/scenario/scenario.hpp"

namespace aidc::experiment {

bool is_comparison(const nlohmann::json& doc) { return doc.is_object() && doc.contains("plans"); }

ComparisonSpec read_comparison(const nlohmann::json& doc, const std::string& file) {
  Diagnostics diag(file);
  const ParamReader root(doc, "", diag);
  ComparisonSpec spec;
  spec.file = file;
  if (!root.expect_object()) diag.throw_if_any();
  root.allow_only({"name", "description", "replications", "seed", "plans"});
  spec.name = root.id("name", std::filesystem::path(file).stem().string());
  spec.description = root.string("description", "");
  spec.replications = static_cast<std::size_t>(root.integer("replications", 10, Bound::positive));
  if (root.has("seed")) {
    spec.seed = static_cast<std::uint64_t>(root.integer("seed", 0, Bound::non_negative));
  }
  std::set<std::string> names;
  const auto plans = root.array("plans", true);
  if (root.has("plans") && plans.size() < 2 && doc.at("plans").is_array()) {
    root.error("plans",
               fmt::format("got {} plan(s), expected at least 2 to compare", plans.size()));
  }
  for (const auto& p : plans) {
    if (!p.expect_object()) continue;
    p.allow_only({"name", "scenario", "set", "description"});
    Plan plan;
    plan.name = p.id("name");
    if (!plan.name.empty() && check_name(p, "name", plan.name) && !names.insert(plan.name).second) {
      p.error("name",
              fmt::format("got \"{}\" twice, expected each plan to have its own name", plan.name));
    }
    plan.description = p.string("description", "");
    const std::string scenario = p.required_string("scenario");
    if (scenario.empty()) continue;
    plan.file = resolve_relative(file, scenario);
    try {
      plan.doc = read_json_file(plan.file);
    } catch (const ScenarioError& e) {
      p.error("scenario", e.diagnostics().front().to_string());
      continue;
    }
    if (p.has("set")) apply_settings(plan.doc, p.child("set"));
    spec.plans.push_back(std::move(plan));
  }
  diag.throw_if_any();
  return spec;
}

ComparisonSpec comparison_of_files(const std::vector<std::string>& scenario_files) {
  ComparisonSpec spec;
  spec.name = "comparison";
  std::map<std::string, int> used;
  for (const auto& file : scenario_files) {
    Plan plan;
    plan.file = file;
    plan.doc = read_json_file(file);
    std::string name = std::filesystem::path(file).stem().string();
    if (plan.doc.is_object() && plan.doc.contains("name") && plan.doc["name"].is_string()) {
      name = plan.doc["name"].get<std::string>();
    }
    if (++used[name] > 1) name += fmt::format("-{}", used[name]);
    plan.name = name;
    spec.plans.push_back(std::move(plan));
  }
  if (spec.plans.size() < 2) {
    throw ScenarioError({Diagnostic{scenario_files.empty() ? "" : scenario_files.front(), "",
                                    "got one scenario, expected at least 2 to compare (or one "
                                    "comparison file with \"plans\")"}});
  }
  return spec;
}

Estimate ComparisonResult::plan_estimate(std::size_t plan, std::size_t metric) const {
  return estimate(samples[plan][metric]);
}

Estimate ComparisonResult::difference(std::size_t plan, std::size_t metric) const {
  return paired_difference(samples[0][metric], samples[plan][metric]);
}

std::vector<Scenario> load_plans(const ComparisonSpec& spec) {
  std::vector<Scenario> scenarios;
  std::vector<Diagnostic> problems;
  for (const auto& plan : spec.plans) {
    try {
      scenarios.push_back(load_scenario(plan.doc, plan.file));
    } catch (const ScenarioError& e) {
      for (auto d : e.diagnostics()) {
        d.message = fmt::format("plan \"{}\": {}", plan.name, d.message);
        problems.push_back(std::move(d));
      }
    }
  }
  if (!problems.empty()) throw ScenarioError(std::move(problems));
  return scenarios;
}

ComparisonResult run_comparison(const ComparisonSpec& spec, unsigned threads,
                                bool common_random_numbers) {
  std::vector<Scenario> scenarios = load_plans(spec);  // every plan valid before anything runs
  ComparisonResult out;
  out.name = spec.name;
  out.replications = spec.replications;
  out.common_random_numbers = common_random_numbers;
  out.seed = spec.seed ? *spec.seed : scenarios.front().seed;
  for (auto& s : scenarios) s.seed = out.seed;
  for (const auto& plan : spec.plans) out.plans.push_back(plan.name);

  const std::size_t n_plans = scenarios.size();
  const std::size_t reps = spec.replications;
  std::vector<Metrics> runs(n_plans * reps);
  out.summary_json.resize(n_plans);
  out.timeseries_csv.resize(n_plans);
  parallel_for(n_plans * reps, threads, [&](std::size_t job) {
    const std::size_t p = job / reps;
    const std::size_t r = job % reps;
    const std::uint64_t replication = common_random_numbers ? r : p * reps + r;
    if (r == 0) {
      RunOutputs full = run_outputs(scenarios[p], replication);
      runs[job] = std::move(full.metrics);
      out.summary_json[p] = std::move(full.summary_json);
      out.timeseries_csv[p] = std::move(full.timeseries_csv);
    } else {
      runs[job] = run_metrics(scenarios[p], replication);
    }
  });

  // The metrics every plan has, in the baseline's order.
  std::vector<std::map<std::string, std::size_t>> index(n_plans);
  for (std::size_t p = 0; p < n_plans; ++p) {
    const auto& names = runs[p * reps].names;
    for (std::size_t m = 0; m < names.size(); ++m) index[p][names[m]] = m;
  }
  for (const auto& name : runs[0].names) {
    bool everywhere = true;
    for (std::size_t p = 1; p < n_plans; ++p) everywhere = everywhere && index[p].count(name) > 0;
    if (everywhere) out.metrics.push_back(name);
  }
  out.samples.assign(n_plans, std::vector<std::vector<double>>(out.metrics.size()));
  for (std::size_t p = 0; p < n_plans; ++p) {
    for (std::size_t m = 0; m < out.metrics.size(); ++m) {
      const std::size_t at = index[p].at(out.metrics[m]);
      for (std::size_t r = 0; r < reps; ++r) {
        out.samples[p][m].push_back(runs[p * reps + r].values.at(at));
      }
    }
  }
  return out;
}

nlohmann::ordered_json comparison_json(const ComparisonResult& r) {
  nlohmann::ordered_json j;
  j["name"] = r.name;
  j["baseline"] = r.plans.front();
  j["plans"] = r.plans;
  j["replications"] = r.replications;
  j["seed"] = r.seed;
  j["common_random_numbers"] = r.common_random_numbers;
  j["confidence"] = 0.95;
  j["version"] = AIDC_VERSION;
  nlohmann::ordered_json metrics = nlohmann::ordered_json::array();
  for (std::size_t m = 0; m < r.metrics.size(); ++m) {
    nlohmann::ordered_json mj;
    mj["metric"] = r.metrics[m];
    nlohmann::ordered_json plans = nlohmann::ordered_json::array();
    nlohmann::ordered_json diffs = nlohmann::ordered_json::array();
    for (std::size_t p = 0; p < r.plans.size(); ++p) {
      nlohmann::ordered_json e = {{"plan", r.plans[p]}};
      e.update(estimate_json(r.plan_estimate(p, m)));
      plans.push_back(e);
      if (p == 0) continue;
      nlohmann::ordered_json d = {{"plan", r.plans[p]}};
      d.update(estimate_json(r.difference(p, m)));
      diffs.push_back(d);
    }
    mj["plans"] = plans;
    mj["differences"] = diffs;
    metrics.push_back(mj);
  }
  j["metrics"] = metrics;
  return j;
}

std::string comparison_csv(const ComparisonResult& r) {
  std::string out =
      "metric,plan,n,mean,sd,ci95_low,ci95_high,diff_n,diff_mean,diff_sd,diff_ci95_low,"
      "diff_ci95_high\n";
  for (std::size_t m = 0; m < r.metrics.size(); ++m) {
    for (std::size_t p = 0; p < r.plans.size(); ++p) {
      const Estimate e = r.plan_estimate(p, m);
      out += fmt::format("{},{},{},{},{},{},{}", r.metrics[m], r.plans[p], e.n, csv_number(e.mean),
                         csv_number(e.sd), csv_number(e.ci95_low()), csv_number(e.ci95_high()));
      if (p == 0) {
        out += ",,,,,\n";
        continue;
      }
      const Estimate d = r.difference(p, m);
      out += fmt::format(",{},{},{},{},{}\n", d.n, csv_number(d.mean), csv_number(d.sd),
                         csv_number(d.ci95_low()), csv_number(d.ci95_high()));
    }
  }
  return out;
}

std::string comparison_table(const ComparisonResult& r) {
  std::string out = fmt::format(
      "{}: {} plans, {} replications each, seed {}, {} random numbers; mean ± 95% CI "
      "half-width\n\n",
      r.name, r.plans.size(), r.replications, r.seed,
      r.common_random_numbers ? "common" : "independent");
  constexpr int kWidth = 24;
  out += fmt::format("{:<30}", "metric");
  for (const auto& p : r.plans) out += fmt::format(" {:>{}}", p, kWidth);
  for (std::size_t p = 1; p < r.plans.size(); ++p) {
    out += fmt::format(" {:>{}}", fmt::format("{} - {}", r.plans[p], r.plans[0]), kWidth);
  }
  out += "\n";
  for (const auto& name : headline_metrics()) {
    const auto it = std::find(r.metrics.begin(), r.metrics.end(), name);
    if (it == r.metrics.end()) continue;
    const auto m = static_cast<std::size_t>(it - r.metrics.begin());
    out += fmt::format("{:<30}", name);
    for (std::size_t p = 0; p < r.plans.size(); ++p) {
      out += fmt::format(" {:>{}}", format_estimate(r.plan_estimate(p, m)), kWidth);
    }
    for (std::size_t p = 1; p < r.plans.size(); ++p) {
      out += fmt::format(" {:>{}}", format_estimate(r.difference(p, m)), kWidth);
    }
    out += "\n";
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> comparison_files(const ComparisonResult& result) {
  std::vector<std::pair<std::string, std::string>> files{
      {"comparison.json", comparison_json(result).dump(2) + "\n"},
      {"comparison.csv", comparison_csv(result)}};
  for (std::size_t p = 0; p < result.plans.size(); ++p) {
    files.emplace_back("plans/" + result.plans[p] + "/summary.json", result.summary_json[p]);
    files.emplace_back("plans/" + result.plans[p] + "/timeseries.csv", result.timeseries_csv[p]);
  }
  return files;
}

}  // namespace aidc::experiment
