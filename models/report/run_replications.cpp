// The run page's charts across replications (aidc run -n N): each period's median with a 90%
// band from replication_timeseries.csv, and the headline figures' means with their 95%
// intervals from summary.json.

#include <fmt/format.h>

#include <set>

#include "internal.hpp"

namespace aidc::report {

/// Median lines with 90% bands across the replications of replication_timeseries.csv (aidc
/// run -n N): utilization, outside revenue and cumulative free cash flow per period.
void replication_band_charts(Page& page, const fs::path& dir) {
  const fs::path path = dir / "replication_timeseries.csv";
  if (!fs::exists(path)) return;
  const Csv csv = Csv::read(path);
  const std::size_t rep = csv.column("replication");
  const std::size_t period = csv.column("period");
  const std::size_t start = csv.column("period_start");
  const std::size_t end = csv.column("period_end");
  const std::size_t installed = csv.column("installed_gpu_hours");
  const std::size_t busy = csv.column("busy_gpu_hours");
  const auto revenue = csv.find("revenue_usd");
  const auto cash = csv.find("free_cash_flow_usd");
  struct Sums {
    double installed = 0, busy = 0, revenue = 0, cash = 0;
  };
  std::map<long, std::map<long, Sums>> by_period;  // period -> replication -> sums
  std::map<long, std::pair<std::string, std::string>> dates;
  std::set<long> replications;
  for (std::size_t r = 0; r < csv.size(); ++r) {
    const auto p = static_cast<long>(csv.number(r, period));
    const auto k = static_cast<long>(csv.number(r, rep));
    replications.insert(k);
    dates[p] = {csv.text(r, start), csv.text(r, end)};
    Sums& s = by_period[p][k];
    s.installed += csv.number_or_empty(r, installed).value_or(0);
    s.busy += csv.number_or_empty(r, busy).value_or(0);
    if (revenue) s.revenue += csv.number_or_empty(r, *revenue).value_or(0);
    if (cash) s.cash += csv.number_or_empty(r, *cash).value_or(0);
  }
  if (by_period.empty() || replications.size() < 2) return;
  std::vector<BandPoint> utilization, outside, cumulative;
  std::map<long, double> running;  // cumulative cash by replication
  for (const auto& [p, reps] : by_period) {
    std::vector<double> u, v, c;
    for (const auto& [k, s] : reps) {
      u.push_back(s.installed > 0 ? s.busy / s.installed : 0.0);
      v.push_back(s.revenue);
      running[k] += s.cash;
      c.push_back(running[k]);
    }
    const std::string& t = dates[p].first;
    utilization.push_back({t, quantile(u, 0.5), quantile(u, 0.05), quantile(u, 0.95)});
    outside.push_back({t, quantile(v, 0.5), quantile(v, 0.05), quantile(v, 0.95)});
    cumulative.push_back({t, quantile(c, 0.5), quantile(c, 0.05), quantile(c, 0.95)});
  }
  const std::string& last = dates.rbegin()->second.second;
  const std::string caption = fmt::format(
      "Across the {} replications of replication_timeseries.csv: the median of each period "
      "(line) and the band from the 5% to the 95% quantile (linear interpolation between order "
      "statistics).",
      replications.size());
  add_chart(page, "Utilization across replications", "band-utilization",
            band_spec(utilization, last, Unit::fraction, "utilization"), caption);
  if (revenue) {
    add_chart(page, "Outside revenue across replications", "band-revenue",
              band_spec(outside, last, Unit::usd, "outside revenue per period"), caption);
  }
  if (cash) {
    add_chart(page, "Cumulative free cash flow across replications", "band-cash",
              band_spec(cumulative, last, Unit::usd, "cumulative free cash flow"), caption);
  }
}

/// The headline metrics' means across replications with their 95% intervals
/// (summary.json's replications), as bars with intervals.
void replication_estimates_chart(Page& page, const Node& root) {
  const auto reps = root.get("replications");
  if (!reps) return;
  const auto metrics = reps->get("metrics");
  if (!metrics || !metrics->value().is_object()) return;
  const std::string label =
      fmt::format("{:.0f} replications", reps->number_at("count").value_or(0));
  json values = json::array();
  for (const char* key : {"finance_npv_usd", "finance_ebitda_usd", "finance_revenue_usd_total",
                          "utilization", "inference_served_fraction"}) {
    const auto m = metrics->get(key);
    if (!m) continue;
    const auto mean = m->number_at("mean");
    const auto low = m->number_at("ci95_low");
    const auto high = m->number_at("ci95_high");
    if (!mean) continue;
    json v = {
        {"metric", key}, {"plan", label}, {"mean", *mean}, {"text", format_metric(key, *mean)}};
    v["low"] = low ? json(*low) : json(nullptr);
    v["high"] = high ? json(*high) : json(nullptr);
    v["ci"] =
        low && high ? format_metric(key, *low) + " to " + format_metric(key, *high) : "undefined";
    values.push_back(v);
  }
  if (values.empty()) return;
  add_chart(page, "Headline figures across replications", "replication-estimates",
            estimate_panels(values, {label}, false),
            "Each figure's mean over the replications with its 95% confidence interval "
            "(summary.json's replications; Student's t).");
}

}  // namespace aidc::report
