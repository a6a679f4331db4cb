// The output files of a whole sweep: runs.csv, points.csv (means with 95% intervals),
// sweep.json, and tornado.csv or sobol.csv.

#include <fmt/format.h>
#include <algorithm>
#include <filesystem>

#include "aidc/experiment/output.hpp"
#include "aidc/experiment/sensitivity.hpp"
#include "aidc/experiment/statistics.hpp"
#include "aidc/run/output.hpp"
#include "sweep_db.hpp"

namespace aidc::experiment::sweep_detail {

namespace {

std::string csv_value(const nlohmann::json& v) {
  std::string text;
  if (v.is_number_integer()) {
    text = std::to_string(v.get<std::int64_t>());
  } else if (v.is_number()) {
    text = csv_number(v.get<double>());
  } else if (v.is_string()) {
    text = v.get<std::string>();
  } else {
    text = v.dump();
  }
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (const char c : text) {
    quoted += c;
    if (c == '"') quoted += '"';
  }
  return quoted + "\"";
}

}  // namespace

std::vector<std::string> write_outputs(const SweepSpec& spec, const std::string& out_dir,
                                       const std::vector<std::vector<nlohmann::json>>& points,
                                       const std::vector<std::string>& metrics,
                                       const std::vector<RunRow>& rows) {
  std::string header;
  for (const auto& p : spec.parameters) {
    header += ",";
    header += p.name;
  }
  std::string runs = "point,replication" + header;
  for (const auto& m : metrics) {
    runs += ",";
    runs += m;
  }
  runs += "\n";
  std::vector<std::vector<std::vector<double>>> samples(
      points.size(), std::vector<std::vector<double>>(metrics.size()));
  for (const auto& row : rows) {
    runs += fmt::format("{},{}", row.point, row.replication);
    for (const auto& v : points[row.point]) {
      runs += ",";
      runs += csv_value(v);
    }
    for (std::size_t m = 0; m < metrics.size(); ++m) {
      runs += ",";
      runs += csv_number(row.values[m]);
      samples[row.point][m].push_back(row.values[m]);
    }
    runs += "\n";
  }

  std::string by_point = "point" + header + ",replications";
  for (const auto& m : metrics) by_point += fmt::format(",{0}_mean,{0}_ci95_low,{0}_ci95_high", m);
  by_point += "\n";
  std::vector<std::vector<double>> means(points.size(), std::vector<double>(metrics.size()));
  for (std::size_t i = 0; i < points.size(); ++i) {
    by_point += std::to_string(i);
    for (const auto& v : points[i]) {
      by_point += ",";
      by_point += csv_value(v);
    }
    by_point += fmt::format(",{}", samples[i].empty() ? 0 : samples[i][0].size());
    for (std::size_t m = 0; m < metrics.size(); ++m) {
      const Estimate e = estimate(samples[i][m]);
      means[i][m] = e.mean;
      by_point += fmt::format(",{},{},{}", csv_number(e.mean),
                              csv_number(e.n > 1 ? e.ci95_low() : std::nan("")),
                              csv_number(e.n > 1 ? e.ci95_high() : std::nan("")));
    }
    by_point += "\n";
  }

  std::vector<std::string> sensitivity = spec.sensitivity_metrics;
  if (sensitivity.empty()) {
    for (const char* preferred : {"finance_npv_usd", "utilization"}) {
      if (std::find(metrics.begin(), metrics.end(), preferred) != metrics.end()) {
        sensitivity.emplace_back(preferred);
        break;
      }
    }
    if (sensitivity.empty() && !metrics.empty()) sensitivity.push_back(metrics.front());
  }

  std::vector<std::pair<std::string, std::string>> files{{"runs.csv", runs},
                                                         {"points.csv", by_point}};
  const std::size_t k = spec.parameters.size();
  for (const auto& name : sensitivity) {
    const auto m =
        static_cast<std::size_t>(std::find(metrics.begin(), metrics.end(), name) - metrics.begin());
    if (m >= metrics.size()) continue;
    if (spec.design == Design::oat) {
      if (files.size() == 2) {
        files.emplace_back("tornado.csv",
                           "metric,parameter,low_value,high_value,base_metric,metric_at_low,"
                           "metric_at_high,swing,base_value\n");
      }
      std::vector<double> low(k), high(k);
      for (std::size_t j = 0; j < k; ++j) {
        low[j] = means[2 * j + 1][m];
        high[j] = means[2 * j + 2][m];
      }
      for (const auto& s : tornado(means[0][m], low, high)) {
        const auto& p = spec.parameters[s.parameter];
        files.back().second +=
            fmt::format("{},{},{},{},{},{},{},{},{}\n", name, p.name,
                        csv_value(points[2 * s.parameter + 1][s.parameter]),
                        csv_value(points[2 * s.parameter + 2][s.parameter]), csv_number(s.base),
                        csv_number(s.at_low), csv_number(s.at_high), csv_number(s.swing()),
                        csv_value(points[0][s.parameter]));
      }
    } else if (spec.design == Design::saltelli) {
      if (files.size() == 2) {
        files.emplace_back("sobol.csv",
                           "metric,parameter,first_order,total,first_order_ci95_low,"
                           "first_order_ci95_high,total_ci95_low,total_ci95_high,variance\n");
      }
      std::vector<double> f(points.size());
      for (std::size_t i = 0; i < points.size(); ++i) f[i] = means[i][m];
      const SobolIndices s = sobol_indices(f, k, spec.samples, 500, spec.seed);
      for (std::size_t j = 0; j < k; ++j) {
        files.back().second += fmt::format(
            "{},{},{},{},{},{},{},{},{}\n", name, spec.parameters[j].name,
            csv_number(s.first_order[j]), csv_number(s.total[j]), csv_number(s.first_order_low[j]),
            csv_number(s.first_order_high[j]), csv_number(s.total_low[j]),
            csv_number(s.total_high[j]), csv_number(s.variance));
      }
    }
  }

  nlohmann::ordered_json manifest;
  manifest["name"] = spec.name;
  manifest["description"] = spec.description;
  manifest["base"] = spec.base_file;
  manifest["design"] = design_name(spec.design);
  nlohmann::ordered_json params = nlohmann::ordered_json::array();
  for (const auto& p : spec.parameters)
    params.push_back({{"name", p.name}, {"pointer", p.pointer}});
  manifest["parameters"] = params;
  manifest["metrics"] = metrics;
  manifest["sensitivity_metrics"] = sensitivity;
  manifest["points"] = points.size();
  manifest["replications"] = spec.replications;
  manifest["seed"] = spec.seed;
  manifest["sweep_hash"] = spec.hash;
  manifest["version"] = AIDC_VERSION;
  std::vector<std::string> names{kDatabase};
  for (const auto& f : files) names.push_back(f.first);
  names.emplace_back("sweep.json");
  manifest["files"] = names;
  files.emplace_back("sweep.json", manifest.dump(2) + "\n");
  write_files_atomically(out_dir, files, Manifest::write);
  return names;
}

}  // namespace aidc::experiment::sweep_detail
