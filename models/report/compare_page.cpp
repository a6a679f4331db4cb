// The page of a comparison folder: plans side by side with their intervals, the paired
// differences from the baseline, and GPU use over time per plan.

#include "internal.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace aidc::report {

namespace {

const std::vector<std::string>& headline_compare_metrics() {
  static const std::vector<std::string> names{"finance_npv_usd", "finance_ebitda_usd",
                                              "finance_revenue_usd_total", "utilization"};
  return names;
}

struct EstimateRow {
  std::string plan;
  std::optional<double> mean, low, high;
};

std::vector<EstimateRow> estimate_rows(const Node& list) {
  std::vector<EstimateRow> rows;
  for (const Node& item : list.items()) {
    EstimateRow row;
    row.plan = item.at("plan").text();
    row.mean = item.number_at("mean");
    row.low = item.number_at("ci95_low");
    row.high = item.number_at("ci95_high");
    rows.push_back(row);
  }
  return rows;
}

json estimate_value(const std::string& metric, const std::string& plan, const EstimateRow& row) {
  json v = {{"metric", metric}, {"plan", plan}, {"mean", *row.mean}};
  v["text"] = format_metric(metric, *row.mean);
  if (row.low && row.high) {
    v["low"] = *row.low;
    v["high"] = *row.high;
    v["ci"] = format_metric(metric, *row.low) + " to " + format_metric(metric, *row.high);
  } else {
    v["low"] = nullptr;
    v["high"] = nullptr;
    v["ci"] = "undefined";
  }
  return v;
}

}  // namespace

Page compare_page(const fs::path& dir) {
  const fs::path path = dir / "comparison.json";
  const json doc = read_json(path);
  const Node root(&path, &doc, "");
  if (!doc.is_object()) root.fail_here("expected an object");
  const std::vector<Node> metrics = root.at("metrics").items();

  std::vector<std::string> plans;
  if (const auto list = root.get("plans")) {
    for (const Node& p : list->items()) plans.push_back(p.text());
  }
  std::string baseline = root.get("baseline") ? root.at("baseline").text() : "";

  // Every metric's estimates, checked whole first so bad input fails before any chart.
  struct MetricRows {
    std::string name;
    std::vector<EstimateRow> plans, differences;
  };
  std::vector<MetricRows> all;
  for (const Node& m : metrics) {
    MetricRows rows;
    rows.name = m.at("metric").text();
    rows.plans = estimate_rows(m.at("plans"));
    if (const auto d = m.get("differences")) rows.differences = estimate_rows(*d);
    for (const auto& r : rows.plans) {
      if (std::find(plans.begin(), plans.end(), r.plan) == plans.end()) plans.push_back(r.plan);
    }
    all.push_back(std::move(rows));
  }
  if (baseline.empty() && !plans.empty()) baseline = plans.front();

  std::vector<const MetricRows*> shown;
  for (const auto& name : headline_compare_metrics()) {
    for (const auto& m : all) {
      if (m.name == name) shown.push_back(&m);
    }
  }
  if (shown.empty()) {
    for (std::size_t i = 0; i < all.size() && i < 4; ++i) shown.push_back(&all[i]);
  }

  Page page;
  page.title = "aidc compare: " + (root.get("name") ? root.at("name").text()
                                                    : fmt::format("{}", fmt::join(plans, " vs ")));
  page.subtitle = "Report of the comparison folder " + dir.string();
  page.facts.emplace_back("baseline", baseline);
  page.facts.emplace_back("plans", std::to_string(plans.size()));
  if (const auto r = root.number_at("replications")) {
    page.facts.emplace_back("replications", fmt::format("{:.0f}", *r));
  }
  if (const auto s = root.number_at("seed"))
    page.facts.emplace_back("seed", fmt::format("{:.0f}", *s));

  json plan_values = json::array();
  json diff_values = json::array();
  std::vector<std::string> diff_plans;
  for (const MetricRows* m : shown) {
    for (const auto& r : m->plans) {
      if (r.mean) plan_values.push_back(estimate_value(m->name, r.plan, r));
    }
    for (const auto& r : m->differences) {
      if (!r.mean) continue;
      diff_values.push_back(estimate_value(m->name, r.plan, r));
      if (std::find(diff_plans.begin(), diff_plans.end(), r.plan) == diff_plans.end()) {
        diff_plans.push_back(r.plan);
      }
    }
  }
  if (plan_values.empty()) {
    add_note(page, "Plans side by side", "comparison.json has no estimates to chart.");
  } else {
    add_chart(page, "Plans side by side", "plans", estimate_panels(plan_values, plans, false),
              "Mean of each metric over the replications, with its 95% confidence interval, "
              "for each plan (common random numbers: every plan sees the same demand).");
  }
  if (diff_values.empty()) {
    add_note(page, "Differences from the baseline",
             "comparison.json has no paired differences to chart.");
  } else {
    add_chart(page, "Differences from the baseline", "differences",
              estimate_panels(diff_values, diff_plans, true),
              fmt::format("Paired difference of each plan from the baseline \"{}\" (plan minus "
                          "baseline, replication by replication), with its 95% confidence "
                          "interval; an interval that excludes the dashed zero line is a "
                          "difference the replications resolve.",
                          baseline));
  }

  // Utilization over time, from the replication-0 run folder of each plan.
  json util = json::array();
  std::vector<std::string> missing;
  for (const auto& plan : plans) {
    const fs::path ts_path = dir / "plans" / plan / "timeseries.csv";
    if (!fs::exists(ts_path)) {
      missing.push_back(plan);
      continue;
    }
    const Timeseries ts = read_timeseries(ts_path, nullptr);
    append_steps(util, ts.periods, [&](const Period& p, const std::string& t) {
      return json{{"t", t},
                  {"plan", plan},
                  {"v", p.installed > 0 ? json(p.busy / p.installed) : json(nullptr)}};
    });
  }
  if (util.empty()) {
    add_note(page, "Utilization over time",
             "No plans/<plan>/timeseries.csv was found, so utilization over time is not shown.");
  } else {
    json spec = vega_lite(util);
    spec["width"] = "container";
    spec["height"] = 260;
    spec["mark"] = {{"type", "line"}, {"interpolate", "step-after"}};
    spec["encoding"] = {
        {"x", time_x("t")},
        {"y",
         {{"field", "v"}, {"type", "quantitative"}, {"title", "utilization (busy / installed)"}}},
        {"color", {{"field", "plan"}, {"type", "nominal"}, {"sort", plans}, {"title", nullptr}}},
        {"tooltip", json::array({tooltip_field("t", "period from", "temporal"),
                                 tooltip_field("plan", "plan", "nominal"),
                                 tooltip_field("v", "utilization", "quantitative", ".1%")})}};
    set_value_axis(spec["encoding"]["y"], Unit::fraction, value_range(util, {"v"}, false),
                   "utilization (busy / installed)");
    Block& b = page.blocks.emplace_back();
    b.heading = "Utilization over time";
    b.id = "plan-utilization";
    b.spec = spec;
    b.caption =
        "Busy over installed GPU-hours of each period, summed over the pools, in replication 0 "
        "of each plan (plans/<plan>/timeseries.csv).";
    if (!missing.empty()) {
      b.note = fmt::format("No timeseries.csv for: {}.", fmt::join(missing, ", "));
    }
  }
  return page;
}

}  // namespace aidc::report
