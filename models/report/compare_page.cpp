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

/// The row of plan `p` with a mean, or null.
const EstimateRow* row_of(const std::vector<EstimateRow>& rows, const std::string& p) {
  for (const auto& r : rows) {
    if (r.plan == p && r.mean) return &r;
  }
  return nullptr;
}

/// Whether any row has a mean other than zero.
bool any_nonzero(const std::vector<EstimateRow>& rows) {
  return std::any_of(rows.begin(), rows.end(),
                     [](const EstimateRow& r) { return r.mean && *r.mean != 0; });
}

/// A metric's estimates: per plan, and the differences from the baseline.
struct MetricEstimates {
  std::string name;
  std::vector<EstimateRow> plans, differences;
  [[nodiscard]] const EstimateRow* plan(const std::string& p) const { return row_of(plans, p); }
  [[nodiscard]] const EstimateRow* difference(const std::string& p) const {
    return row_of(differences, p);
  }
};

const MetricEstimates* find_metric(const std::vector<MetricEstimates>& all,
                                   const std::string& name) {
  for (const auto& m : all) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

/// "+$1.24B (95% CI +$1.23B to +$1.25B)".
std::string signed_amount(const std::string& metric, double x) {
  return (x >= 0 ? "+" : "") + format_metric(metric, x);
}

/// The comparison in words: the best plan by NPV (or the first metric), its difference from
/// each other plan with a 95% interval and whether that interval excludes zero.
void answer_comparison(Page& page, const std::vector<MetricEstimates>& all,
                       const std::vector<std::string>& plans, const std::string& baseline) {
  const MetricEstimates* m = find_metric(all, "finance_npv_usd");
  if (!m && !all.empty()) m = &all.front();
  if (!m) return;
  const std::string& key = m->name;
  std::string best;
  for (const auto& p : plans) {
    const EstimateRow* r = m->plan(p);
    if (r && (best.empty() || *r->mean > *m->plan(best)->mean)) best = p;
  }
  if (best.empty()) return;
  const EstimateRow& b = *m->plan(best);
  std::string first = fmt::format("By {}, {} is the best of the {} plans: {}", metric_label(key),
                                  best, plans.size(), format_metric(key, *b.mean));
  if (b.low && b.high) {
    const auto [lo_text, hi_text] = format_interval(key, *b.low, *b.high);
    first += fmt::format(" (95% CI {} to {})", lo_text, hi_text);
  }
  page.answer.push_back(first + ".");
  // Differences from the best: exact paired intervals against the baseline (comparison.json
  // holds each plan minus the baseline); between two other plans, the difference of their
  // paired differences with the sum of the two half-widths, a conservative 95% interval.
  const EstimateRow* best_diff = best == baseline ? nullptr : m->difference(best);
  for (const auto& p : plans) {
    if (p == best) continue;
    const EstimateRow* pd = p == baseline ? nullptr : m->difference(p);
    // The interval: the paired one as comparison.json gives it (negated when the baseline
    // is the best), or the conservative sum of two half-widths between two other plans.
    double mean = 0;
    std::optional<std::pair<double, double>> interval;
    bool exact = false;
    if (p == baseline && best_diff) {
      mean = *best_diff->mean;
      if (best_diff->low && best_diff->high) interval = {*best_diff->low, *best_diff->high};
      exact = true;
    } else if (best == baseline && pd) {
      mean = -*pd->mean;
      if (pd->low && pd->high) interval = {-*pd->high, -*pd->low};
      exact = true;
    } else if (best_diff && pd) {
      mean = *best_diff->mean - *pd->mean;
      if (best_diff->low && best_diff->high && pd->low && pd->high) {
        const double half = (*best_diff->high - *best_diff->low) / 2 + (*pd->high - *pd->low) / 2;
        interval = {mean - half, mean + half};
      }
    } else {
      continue;
    }
    std::string line = fmt::format("{} against {}: {}", best, p, signed_amount(key, mean));
    if (interval) {
      const auto [lo, hi] = *interval;
      const auto [lo_text, hi_text] = format_interval(key, lo, hi, true);
      line +=
          fmt::format(" ({}95% CI {} to {}); the interval {} zero", exact ? "" : "conservative ",
                      lo_text, hi_text, lo > 0 || hi < 0 ? "excludes" : "includes");
      if (!(lo > 0 || hi < 0)) line += ", so the replications do not tell the two apart";
    }
    page.answer.push_back(line + ".");
  }
  // Plans that serve different amounts of inference: is the shortfall priced?
  const MetricEstimates* served = find_metric(all, "inference_served_fraction");
  if (served) {
    bool differs = false;
    for (const auto& d : served->differences) {
      if (d.mean && d.low && d.high && (*d.low > 0 || *d.high < 0)) differs = true;
    }
    if (differs) {
      const MetricEstimates* priced = find_metric(all, "finance_unserved_inference_usd");
      const bool has_price = priced && any_nonzero(priced->plans);
      std::string shares;
      for (const auto& p : plans) {
        if (const EstimateRow* r = served->plan(p)) {
          shares += fmt::format("{}{} {}", shares.empty() ? "" : ", ", p,
                                fmt::format("{:.3f}%", 100 * *r->mean));
        }
      }
      page.answer.push_back(fmt::format(
          "The plans serve different shares of the inference demand ({}). {}", shares,
          has_price ? "Unserved demand is valued at the inference transfer price, so the "
                      "statements count what each plan fails to serve."
                    : "Unserved demand has no price in this comparison, so a cheaper plan may "
                      "simply serve less: compare the served shares beside the money."));
    }
  }
}

/// Panels of the value and cost lines each plan is about, with their intervals.
void value_and_cost_charts(Page& page, const std::vector<MetricEstimates>& all,
                           const std::vector<std::string>& plans) {
  const auto add = [&](const std::string& heading, const std::string& id,
                       const std::vector<std::string>& keys, const std::string& caption) {
    json values = json::array();
    for (const auto& key : keys) {
      const MetricEstimates* m = find_metric(all, key);
      if (!m || !any_nonzero(m->plans)) continue;
      for (const auto& r : m->plans) {
        if (r.mean) values.push_back(estimate_value(key, r.plan, r));
      }
    }
    if (!values.empty())
      add_chart(page, heading, id, estimate_panels(values, plans, false), caption);
  };
  add("Value and cost per plan", "plan-value",
      {"finance_internal_value_usd_total", "finance_revenue_usd_total", "finance_costs_usd_total",
       "finance_depreciation_usd", "finance_capex_usd"},
      "Internal value (the operator's own work at its transfer prices), outside revenue, "
      "operating costs, depreciation and capex over the run: mean and 95% interval per plan.");
  add("Cost lines per plan", "plan-costs",
      {"finance_costs_usd_energy", "finance_costs_usd_facility", "finance_costs_usd_maintenance",
       "finance_costs_usd_network_storage", "finance_costs_usd_overhead",
       "finance_costs_usd_revenue_share", "finance_costs_usd_lease"},
      "Each operating cost line over the run (lines that are zero in every plan are left out).");
  add("Unit costs", "plan-tco",
      {"finance_tco_usd_per_installed_gpu_hour", "finance_tco_usd_per_busy_gpu_hour",
       "finance_tco_usd_per_h100e_hour_served", "finance_api_usd_per_million_tokens_cost"},
      "Total cost of ownership (operating costs, depreciation and impairment, less gains on "
      "disposal) per installed and per busy GPU-hour of the plan's own GPUs, and per "
      "H100-equivalent hour of work served, which puts plans of different chips on one "
      "scale; with model access sold by the token, the cost of the GPU-hours that served it "
      "per million tokens.");
  std::vector<std::string> classes;
  for (const auto& m : all) {
    if (m.name.starts_with("finance_revenue_usd_") && m.name != "finance_revenue_usd_total") {
      classes.push_back(m.name);
    }
  }
  add("Outside revenue by class", "plan-revenue", classes,
      "Outside revenue of each rented class over the run (classes with none are left out).");
}

/// Cumulative free cash flow of each plan's replication 0 (plans/<plan>/timeseries.csv).
void cash_by_plan_chart(Page& page, const std::vector<std::pair<std::string, Timeseries>>& runs,
                        const std::vector<std::string>& plans) {
  json values = json::array();
  for (const auto& [plan, ts] : runs) {
    if (!ts.has_finance) continue;
    double cumulative = 0;
    for (const auto& p : ts.periods) {
      cumulative += p.free_cash_flow;
      values.push_back({{"t", p.end}, {"plan", plan}, {"v", cumulative}});
    }
  }
  if (values.empty()) return;
  json spec = vega_lite(values);
  spec["width"] = "container";
  spec["height"] = 260;
  spec["mark"] = {{"type", "line"}, {"point", true}};
  spec["encoding"] = {
      {"x", time_x("t", values)},
      {"y", {{"field", "v"}, {"type", "quantitative"}}},
      {"color", {{"field", "plan"}, {"type", "nominal"}, {"sort", plans}, {"title", nullptr}}},
      {"tooltip",
       json::array({tooltip_field("t", "to", "temporal"), tooltip_field("plan", "plan", "nominal"),
                    tooltip_field("v", "cumulative", "quantitative", "$,.0f")})}};
  set_value_axis(spec["encoding"]["y"], Unit::usd, value_range(values, {"v"}, true),
                 "cumulative free cash flow");
  add_chart(page, "Cumulative free cash flow per plan", "plan-cash", spec,
            "Free cash flow summed from the start, period by period, in replication 0 of each "
            "plan (capex counts when paid), before the opening and terminal values.");
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
  std::vector<MetricEstimates> all;
  for (const Node& m : metrics) {
    MetricEstimates rows;
    rows.name = m.at("metric").text();
    rows.plans = estimate_rows(m.at("plans"));
    if (const auto d = m.get("differences")) rows.differences = estimate_rows(*d);
    for (const auto& r : rows.plans) {
      if (std::find(plans.begin(), plans.end(), r.plan) == plans.end()) plans.push_back(r.plan);
    }
    all.push_back(std::move(rows));
  }
  if (baseline.empty() && !plans.empty()) baseline = plans.front();

  std::vector<const MetricEstimates*> shown;
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
  for (const MetricEstimates* m : shown) {
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

  // The replication-0 run of each plan whose folder has one, read once.
  std::vector<std::pair<std::string, Timeseries>> runs;
  std::vector<std::string> missing;
  for (const auto& plan : plans) {
    const fs::path ts_path = dir / "plans" / plan / "timeseries.csv";
    if (fs::exists(ts_path)) {
      runs.emplace_back(plan, read_timeseries(ts_path));
    } else {
      missing.push_back(plan);
    }
  }

  answer_comparison(page, all, plans, baseline);
  value_and_cost_charts(page, all, plans);
  cash_by_plan_chart(page, runs, plans);

  // Utilization over time, from the replication-0 run folder of each plan.
  json util = json::array();
  for (const auto& run : runs) {
    const std::string& plan = run.first;
    append_steps(util, run.second.periods, [&](const Period& p, const std::string& t) {
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
        {"x", time_x("t", util)},
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
