// The charts of estimates across replications: means with their intervals per plan, and
// medians with their 90% bands over time.

#include <algorithm>
#include <cmath>

#include "aidc/report/charts.hpp"

namespace aidc::report {

using json = nlohmann::json;

/// Bars (or points) per plan with 95% confidence intervals, one panel per metric.
json estimate_panels(const json& values, const std::vector<std::string>& plans, bool differences) {
  std::vector<std::string> metrics;
  for (const auto& v : values) {
    const auto m = v.at("metric").get<std::string>();
    if (std::find(metrics.begin(), metrics.end(), m) == metrics.end()) metrics.push_back(m);
  }
  json x = {{"field", "plan"},
            {"type", "nominal"},
            {"sort", plans},
            {"title", nullptr},
            {"axis", {{"labelAngle", -30}}}};
  json panels = json::array();
  for (const auto& metric : metrics) {
    // The panel's range: every mean and interval end of the metric, and zero, where bars
    // start and differences are measured from.
    double lo = 0;
    double hi = 0;
    for (const auto& v : values) {
      if (v.at("metric") != metric) continue;
      for (const char* key : {"mean", "low", "high"}) {
        if (v.contains(key) && v.at(key).is_number()) {
          lo = std::min(lo, v.at(key).get<double>());
          hi = std::max(hi, v.at(key).get<double>());
        }
      }
    }
    const json axis = value_axis(metric_info(metric).unit, lo, hi, "");
    json main;
    if (differences) {
      main["mark"] = {{"type", "point"}, {"filled", true}, {"size", 70}, {"color", "#4c78a8"}};
    } else {
      main["mark"] = {{"type", "bar"}, {"color", "#4c78a8"}, {"opacity", 0.85}};
    }
    main["encoding"] = {{"x", x},
                        {"y",
                         {{"field", "mean"},
                          {"type", "quantitative"},
                          {"title", nullptr},
                          {"axis", axis.at("axis")},
                          {"scale", axis.at("scale")}}},
                        {"tooltip", json::array({tooltip_field("plan", "plan", "nominal"),
                                                 tooltip_field("metric", "metric", "nominal"),
                                                 tooltip_field("text", "mean", "nominal"),
                                                 tooltip_field("ci", "95% CI", "nominal")})}};
    json bars;
    bars["mark"] = {{"type", "rule"}, {"color", "#222"}};
    bars["encoding"] = {
        {"x", x}, {"y", {{"field", "low"}, {"type", "quantitative"}}}, {"y2", {{"field", "high"}}}};
    json ticks;
    ticks["mark"] = {{"type", "tick"}, {"color", "#222"}, {"size", 10}, {"thickness", 1}};
    json ticks_high = ticks;
    ticks["encoding"] = {{"x", x}, {"y", {{"field", "low"}, {"type", "quantitative"}}}};
    ticks_high["encoding"] = {{"x", x}, {"y", {{"field", "high"}, {"type", "quantitative"}}}};
    json layer = json::array({main, bars, ticks, ticks_high});
    if (differences) {
      json zero;
      zero["mark"] = {{"type", "rule"}, {"color", "#999"}, {"strokeDash", {4, 3}}};
      zero["encoding"] = {{"y", {{"datum", 0}, {"type", "quantitative"}}}};
      layer.push_back(zero);
    }
    panels.push_back(
        {{"title", metric_label(metric)},
         {"transform", json::array({{{"filter", {{"field", "metric"}, {"equal", metric}}}}})},
         {"width", 170},
         {"height", 200},
         {"layer", layer}});
  }
  json spec = vega_lite(values);
  spec["hconcat"] = panels;
  return spec;
}

double quantile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const double h = (static_cast<double>(values.size()) - 1) * p;
  const auto below = static_cast<std::size_t>(std::floor(h));
  const std::size_t above = std::min(below + 1, values.size() - 1);
  return values[below] + (h - static_cast<double>(below)) * (values[above] - values[below]);
}

json band_spec(const std::vector<BandPoint>& points, const std::string& end, Unit unit,
               const std::string& title) {
  json values = json::array();
  for (const auto& p : points) {
    values.push_back({{"t", p.t}, {"median", p.median}, {"low", p.low}, {"high", p.high}});
  }
  if (!points.empty()) {
    const auto& last = points.back();
    values.push_back({{"t", end}, {"median", last.median}, {"low", last.low}, {"high", last.high}});
  }
  json spec = vega_lite(values);
  spec["width"] = "container";
  spec["height"] = 240;
  json band;
  band["mark"] = {
      {"type", "area"}, {"interpolate", "step-after"}, {"opacity", 0.25}, {"color", "#4c78a8"}};
  band["encoding"] = {{"x", time_x("t", values)},
                      {"y", {{"field", "low"}, {"type", "quantitative"}}},
                      {"y2", {{"field", "high"}}}};
  set_value_axis(band["encoding"]["y"], unit, value_range(values, {"low", "high"}, false), title);
  json line;
  line["mark"] = {{"type", "line"}, {"interpolate", "step-after"}, {"color", "#4c78a8"}};
  line["encoding"] = {
      {"x", time_x("t", values)},
      {"y", {{"field", "median"}, {"type", "quantitative"}}},
      {"tooltip", json::array({tooltip_field("t", "period from", "temporal"),
                               tooltip_field("median", "median", "quantitative", ",.4~g"),
                               tooltip_field("low", "5%", "quantitative", ",.4~g"),
                               tooltip_field("high", "95%", "quantitative", ",.4~g")})}};
  spec["layer"] = json::array({band, line});
  return spec;
}

}  // namespace aidc::report
