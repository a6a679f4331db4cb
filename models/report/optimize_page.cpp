// The page of an optimization folder: the answer, the search's progress, and the finalists
// with their intervals and paired differences from the plan selected.

#include "aidc/experiment/optimize.hpp"
#include "internal.hpp"

namespace aidc::report {

namespace {

/// "name=value, name=value" for a plan's values.
std::string plan_label(const Node& values) {
  std::string out;
  for (const auto& [name, v] : values.value().items()) {
    const std::string value = v.is_string()           ? v.get<std::string>()
                              : v.is_number_integer() ? v.dump()
                              : v.is_number()         ? fmt::format("{:.4g}", v.get<double>())
                                                      : v.dump();
    out += fmt::format("{}{}={}", out.empty() ? "" : ", ", name, value);
  }
  return out;
}

json progress_spec(const Csv& progress, const std::string& metric) {
  json values = json::array();
  const std::size_t e = progress.column("evaluation");
  const std::size_t b = progress.column("best_score");
  for (std::size_t row = 0; row < progress.size(); ++row) {
    const auto best = progress.number_or_empty(row, b);
    // Before the first plan that meets the constraints, the score is a penalty: left out.
    if (!best || experiment::is_infeasible_score(*best)) continue;
    values.push_back({{"evaluation", progress.number(row, e) + 1},
                      {"best", *best},
                      {"text", format_metric(metric, *best)}});
  }
  json spec = vega_lite(values);
  spec["width"] = 560;
  spec["mark"] = {{"type", "line"}, {"interpolate", "step-after"}, {"point", true}};
  spec["encoding"]["x"] = {
      {"field", "evaluation"}, {"type", "quantitative"}, {"title", "plans evaluated"}};
  spec["encoding"]["y"] = {
      {"field", "best"}, {"type", "quantitative"}, {"title", "best score so far"}};
  set_value_axis(spec["encoding"]["y"], metric_info(metric).unit,
                 value_range(values, {"best"}, false), metric_label(metric) + ", best so far");
  spec["encoding"]["tooltip"] =
      json::array({tooltip_field("evaluation", "plans evaluated", "quantitative"),
                   tooltip_field("text", "best", "nominal")});
  return spec;
}

}  // namespace

Page optimize_page(const fs::path& dir) {
  const fs::path path = dir / "optimize.json";
  const json doc = read_json(path);
  const Node root(&path, &doc, "");
  if (!doc.is_object()) root.fail_here("expected an object");
  const std::string metric = root.at("objective").at("metric").text();
  const Node best = root.at("best");
  const Node search = root.at("search");
  const Node selection = root.at("selection");

  Page page;
  page.title = "aidc optimize: " + root.at("name").text();
  page.subtitle = "Report of the optimization folder " + dir.string();
  const auto best_metric = best.at("objective_metric");
  page.facts.emplace_back("best plan", plan_label(best.at("values")));
  page.facts.emplace_back(
      metric, format_metric(metric, best_metric.number_at("mean").value_or(0)) + " (95% CI " +
                  format_metric(metric, best_metric.number_at("ci95_low").value_or(0)) + " to " +
                  format_metric(metric, best_metric.number_at("ci95_high").value_or(0)) + ")");
  page.facts.emplace_back("selection", best.at("statement").text());
  page.facts.emplace_back(
      "search",
      fmt::format("{}: {:.0f} plans, stopped by {}", search.at("algorithm").text(),
                  search.number_at("plans_evaluated").value_or(0), search.at("stopped_by").text()));
  page.facts.emplace_back("runs", fmt::format("{:.0f} in the search, {:.0f} in the selection",
                                              search.number_at("runs").value_or(0),
                                              selection.number_at("runs").value_or(0)));

  const fs::path progress_path = dir / "progress.csv";
  if (!fs::exists(progress_path)) fail(progress_path, "missing; an optimization folder has it");
  add_chart(page, "Search progress", "progress", progress_spec(Csv::read(progress_path), metric),
            "The best score among the plans that meet every constraint, after each distinct "
            "plan the search evaluated (on its search replications, under common random "
            "numbers).");

  json plan_values = json::array();
  json diff_values = json::array();
  std::vector<std::string> plans, diff_plans;
  for (const Node& f : root.at("finalists").items()) {
    const std::string label =
        fmt::format("#{:.0f} {}{}", f.at("candidate").number(), plan_label(f.at("values")),
                    f.at("selected").value().get<bool>() ? " (selected)" : "");
    plans.push_back(label);
    const Node e = f.at("objective_metric");
    const auto add = [&](json& values, const Node& est) {
      const double mean = est.number_at("mean").value_or(0);
      const auto low = est.number_at("ci95_low");
      const auto high = est.number_at("ci95_high");
      json v = {{"metric", metric},
                {"plan", label},
                {"mean", mean},
                {"text", format_metric(metric, mean)}};
      v["low"] = low ? json(*low) : json(nullptr);
      v["high"] = high ? json(*high) : json(nullptr);
      v["ci"] = low && high ? format_metric(metric, *low) + " to " + format_metric(metric, *high)
                            : "undefined";
      values.push_back(v);
    };
    add(plan_values, e);
    if (const auto d = f.get("minus_best")) {
      diff_plans.push_back(label);
      add(diff_values, *d);
    }
  }
  add_chart(page, "Finalists", "finalists", estimate_panels(plan_values, plans, false),
            "Each finalist's mean over the selection's fresh replications, with its 95% "
            "confidence interval.");
  if (!diff_values.empty()) {
    add_chart(page, "Differences from the plan selected", "differences",
              estimate_panels(diff_values, diff_plans, true),
              "Each other finalist minus the plan selected, replication by replication on the "
              "replications both ran, with its 95% confidence interval.");
  }
  // The best plan's statements beside the base scenario's, from the comparison in vs-base/.
  const fs::path versus = dir / "vs-base";
  if (fs::exists(versus / "comparison.json")) {
    Page compared = compare_page(versus);
    for (Block& b : compared.blocks) {
      b.heading = "Best plan against the base: " + b.heading;
      if (!b.id.empty()) b.id = "vs-base-" + b.id;
      page.blocks.push_back(std::move(b));
    }
  } else {
    add_note(page, "Best plan against the base",
             "vs-base/comparison.json is missing: the statements of the best plan beside the "
             "base scenario's are not shown.");
  }
  return page;
}

}  // namespace aidc::report
