// The sweep page's charts: pure functions from data to Vega-Lite specifications.

#include <fmt/format.h>

#include <algorithm>

#include "aidc/report/charts.hpp"

namespace aidc::report {

using json = nlohmann::json;

/// An axis over a parameter: exact values when there are few, else bins.
json parameter_axis(const std::string& field, const std::string& title, bool numeric,
                    std::size_t distinct) {
  if (!numeric) {
    return {{"field", field}, {"type", "nominal"}, {"title", title}, {"axis", {{"labelAngle", 0}}}};
  }
  if (distinct <= 12) {
    return {{"field", field},
            {"type", "ordinal"},
            {"title", title},
            {"sort", "ascending"},
            {"axis", {{"labelAngle", 0}}}};
  }
  return {{"field", field}, {"type", "quantitative"}, {"bin", {{"maxbins", 10}}}, {"title", title}};
}

json tornado_spec(const std::string& metric, const std::vector<TornadoBar>& bars) {
  json values = json::array();
  std::vector<std::string> order;
  for (const auto& b : bars) {
    order.push_back(b.parameter);
    values.push_back({{"p", b.parameter},
                      {"side", "at the low value"},
                      {"v", b.low},
                      {"base", b.base},
                      {"setting", b.low_value},
                      {"swing", b.swing}});
    values.push_back({{"p", b.parameter},
                      {"side", "at the high value"},
                      {"v", b.high},
                      {"base", b.base},
                      {"setting", b.high_value},
                      {"swing", b.swing}});
  }
  json spec = vega_lite(values);
  spec["width"] = "container";
  spec["height"] = {{"step", 26}};
  json bar;
  bar["mark"] = {{"type", "bar"}, {"opacity", 0.9}};
  bar["encoding"] = {
      {"y", {{"field", "p"}, {"type", "nominal"}, {"sort", order}, {"title", nullptr}}},
      {"x", {{"field", "v"}, {"type", "quantitative"}, {"title", metric_label(metric)}}},
      {"x2", {{"field", "base"}}},
      {"color",
       {{"field", "side"},
        {"type", "nominal"},
        {"title", nullptr},
        {"scale",
         {{"domain", {"at the low value", "at the high value"}},
          {"range", {"#4c78a8", "#f58518"}}}}}},
      {"tooltip",
       json::array({tooltip_field("p", "parameter", "nominal"),
                    tooltip_field("setting", "set to", "nominal"),
                    tooltip_field("v", metric_label(metric), "quantitative", axis_format(metric)),
                    tooltip_field("swing", "swing", "quantitative", axis_format(metric))})}};
  set_value_axis(bar["encoding"]["x"], metric_info(metric).unit,
                 value_range(values, {"v", "base"}, false), metric_label(metric));
  json rule;
  rule["mark"] = {{"type", "rule"}, {"color", "#222"}};
  rule["encoding"] = {{"x", {{"datum", bars.front().base}, {"type", "quantitative"}}}};
  spec["layer"] = json::array({bar, rule});
  return spec;
}

json response_spec(const json& values, const std::string& metric, const std::string& x_title,
                   bool numeric) {
  const std::string& x_name = x_title;
  json spec = vega_lite(values);
  spec["width"] = "container";
  spec["height"] = 260;
  json xe = numeric ? json{{"field", "x"}, {"type", "quantitative"}, {"title", x_name}}
                    : json{{"field", "x"}, {"type", "nominal"}, {"title", x_name}};
  json pts;
  pts["mark"] = {{"type", "point"}, {"filled", true}};
  pts["encoding"] = {
      {"x", xe},
      {"y",
       {{"field", "v"}, {"type", "quantitative"}, {"title", metric_label(metric) + " (mean)"}}}};
  set_value_axis(pts["encoding"]["y"], metric_info(metric).unit,
                 value_range(values, {"v", "low", "high"}, false),
                 metric_label(metric) + " (mean)");
  json ci;
  ci["mark"] = {{"type", "rule"}, {"color", "#999"}};
  ci["encoding"] = {
      {"x", xe}, {"y", {{"field", "low"}, {"type", "quantitative"}}}, {"y2", {{"field", "high"}}}};
  spec["layer"] = json::array({ci, pts});
  return spec;
}

json heatmap_spec(const json& values, const std::string& metric, const json& x_axis,
                  const json& y_axis) {
  json spec = vega_lite(values);
  spec["width"] = "container";
  spec["height"] = 320;
  spec["mark"] = {{"type", "rect"}};
  // Money on a diverging scale centred at zero, so the line between plans that make and
  // lose money is the white between red and blue; other metrics on a sequential one.
  const Unit unit = metric_info(metric).unit;
  const bool diverging = unit == Unit::usd;
  const auto [lo, hi] = value_range(values, {"v"}, diverging);
  const json legend_axis = value_axis(unit, lo, hi, "");
  json scale =
      diverging ? json{{"scheme", "redblue"}, {"domainMid", 0}} : json{{"scheme", "viridis"}};
  scale["domain"] = legend_axis.at("scale").at("domain");
  spec["encoding"] = {
      {"x", x_axis},
      {"y", y_axis},
      {"color",
       {{"aggregate", "mean"},
        {"field", "v"},
        {"type", "quantitative"},
        {"title", metric_label(metric)},
        {"scale", scale},
        {"legend",
         {{"values", legend_axis.at("axis").at("values")},
          {"labelExpr", legend_axis.at("axis").at("labelExpr")}}}}},
      {"tooltip",
       json::array({{{"aggregate", "mean"},
                     {"field", "v"},
                     {"type", "quantitative"},
                     {"title", metric_label(metric) + " (mean)"},
                     {"format", axis_format(metric)}},
                    {{"aggregate", "count"}, {"type", "quantitative"}, {"title", "points"}}})}};
  return spec;
}

json sobol_spec(const json& values, const std::vector<std::string>& parameters) {
  const bool any_ci = std::any_of(values.begin(), values.end(),
                                  [](const json& v) { return !v.at("low").is_null(); });
  json spec = vega_lite(values);
  spec["width"] = "container";
  spec["height"] = 240;
  spec["encoding"] = {{"x",
                       {{"field", "p"},
                        {"type", "nominal"},
                        {"sort", parameters},
                        {"title", nullptr},
                        {"axis", {{"labelAngle", 0}}}}},
                      {"xOffset", {{"field", "index"}, {"sort", {"first order", "total"}}}}};
  json bar;
  bar["mark"] = {{"type", "bar"}};
  bar["encoding"] = {
      {"y", {{"field", "v"}, {"type", "quantitative"}, {"title", "share of variance"}}},
      {"color",
       {{"field", "index"},
        {"type", "nominal"},
        {"title", nullptr},
        {"scale", {{"domain", {"first order", "total"}}, {"range", {"#4c78a8", "#f58518"}}}}}},
      {"tooltip", json::array({tooltip_field("p", "parameter", "nominal"),
                               tooltip_field("index", "index", "nominal"),
                               tooltip_field("v", "value", "quantitative", ".3f"),
                               tooltip_field("low", "95% CI from", "quantitative", ".3f"),
                               tooltip_field("high", "95% CI to", "quantitative", ".3f")})}};
  json layers = json::array({bar});
  if (any_ci) {
    json ci;
    ci["mark"] = {{"type", "rule"}, {"color", "#222"}};
    ci["encoding"] = {{"y", {{"field", "low"}, {"type", "quantitative"}}},
                      {"y2", {{"field", "high"}}}};
    layers.push_back(ci);
  }
  spec["layer"] = layers;
  return spec;
}

}  // namespace aidc::report
