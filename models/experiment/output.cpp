#include "aidc/experiment/output.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace aidc::experiment {

namespace {
nlohmann::ordered_json number_or_null(double x) {
  return std::isfinite(x) ? nlohmann::ordered_json(x) : nlohmann::ordered_json();
}

std::string magnitude(double x) {
  const double a = std::fabs(x);
  if (!std::isfinite(x)) return "-";
  if (a >= 1e9) return fmt::format("{:.3f}B", x / 1e9);
  if (a >= 1e6) return fmt::format("{:.3f}M", x / 1e6);
  if (a >= 1e4) return fmt::format("{:.0f}", x);
  if (a >= 1) return fmt::format("{:.3f}", x);
  return fmt::format("{:.4g}", x);
}
}  // namespace

nlohmann::ordered_json estimate_json(const Estimate& e) {
  nlohmann::ordered_json j;
  j["n"] = e.n;
  j["mean"] = number_or_null(e.mean);
  j["sd"] = number_or_null(e.sd);
  j["ci95_low"] = number_or_null(e.ci95_low());
  j["ci95_high"] = number_or_null(e.ci95_high());
  return j;
}

nlohmann::ordered_json replications_json(const ReplicationSet& set) {
  nlohmann::ordered_json j;
  j["count"] = set.values.size();
  j["confidence"] = 0.95;
  nlohmann::ordered_json metrics = nlohmann::ordered_json::object();
  for (std::size_t m = 0; m < set.names.size(); ++m) {
    metrics[set.names[m]] = estimate_json(estimate(set.column(m)));
  }
  j["metrics"] = metrics;
  return j;
}

std::string csv_number(double x) { return std::isfinite(x) ? fmt::format("{}", x) : std::string(); }

std::string replications_csv(const ReplicationSet& set) {
  std::string out = "replication";
  for (const auto& name : set.names) {
    out += ",";
    out += name;
  }
  out += "\n";
  for (std::size_t r = 0; r < set.values.size(); ++r) {
    out += std::to_string(r);
    for (const double x : set.values[r]) {
      out += ",";
      out += csv_number(x);
    }
    out += "\n";
  }
  return out;
}

const std::vector<std::string>& headline_metrics() {
  static const std::vector<std::string> names{"utilization",
                                              "gpu_hours_busy",
                                              "gpu_hours_idle",
                                              "inference_served_fraction",
                                              "finance_revenue_usd_total",
                                              "finance_internal_value_usd_total",
                                              "finance_costs_usd_total",
                                              "finance_ebitda_usd",
                                              "finance_depreciation_usd",
                                              "finance_ebit_usd",
                                              "finance_free_cash_flow_usd",
                                              "finance_npv_usd",
                                              "finance_irr",
                                              "finance_roic"};
  return names;
}

std::string format_estimate(const Estimate& e) {
  if (e.n == 0) return "-";
  if (e.n < 2) return magnitude(e.mean);
  return fmt::format("{} ± {}", magnitude(e.mean), magnitude(e.half_width));
}

std::string replications_table(const ReplicationSet& set) {
  std::string out = fmt::format("{:<34} {:>28} {:>14}\n", "metric (95% CI)",
                                fmt::format("mean over {} replications", set.values.size()), "sd");
  for (const auto& name : headline_metrics()) {
    const auto it = std::find(set.names.begin(), set.names.end(), name);
    if (it == set.names.end()) continue;
    const Estimate e = estimate(set.column(static_cast<std::size_t>(it - set.names.begin())));
    out += fmt::format("{:<34} {:>28} {:>14}\n", name, format_estimate(e), magnitude(e.sd));
  }
  return out;
}

}  // namespace aidc::experiment
