// The report's charts: pure functions from data to Vega-Lite specifications.

#include "aidc/report/charts.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>

namespace aidc::report {

using json = nlohmann::json;

namespace {

std::string class_label(std::size_t c) { return std::string(kWorkClasses[c].name); }

}  // namespace

std::string usd(double x) {
  const double a = std::abs(x);
  const char* sign = x < 0 ? "-" : "";
  if (a >= 1e9) return fmt::format("{}${:.2f}B", sign, a / 1e9);
  if (a >= 1e6) return fmt::format("{}${:.2f}M", sign, a / 1e6);
  if (a >= 1e3) return fmt::format("{}${:.1f}K", sign, a / 1e3);
  if (a < 100 && std::abs(a - std::round(a)) >= 0.005) return fmt::format("{}${:.2f}", sign, a);
  return fmt::format("{}${:.0f}", sign, a);
}

std::string percent(double fraction) { return fmt::format("{:.1f}%", 100.0 * fraction); }

std::string format_metric(const std::string& metric, double x) {
  return format_value(metric_info(metric).unit, x);
}

/// A d3 format for tooltips of `metric` (axes take value_axis).
std::string axis_format(const std::string& metric) {
  switch (metric_info(metric).unit) {
    case Unit::usd:
      return "$,.0f";
    case Unit::usd_rate:
      return "$,.3f";
    case Unit::fraction:
      return ".2%";
    default:
      return ",.4~g";
  }
}

/// A Vega-Lite specification with `values` inlined.
json vega_lite(json values) {
  json spec;
  spec["$schema"] = "https://vega.github.io/schema/vega-lite/v6.json";
  spec["data"]["values"] = std::move(values);
  return spec;
}

json tooltip_field(const std::string& field, const std::string& title, const std::string& type,
                   const std::string& format) {
  json t = {{"field", field}, {"title", title}, {"type", type}};
  if (type == "temporal") t["scale"] = {{"type", "utc"}};
  if (type == "temporal") t["format"] = "%Y-%m-%d";
  if (type == "temporal") t["formatType"] = "utc";
  if (!format.empty()) t["format"] = format;
  return t;
}

// The colors of the work classes and of idle and down GPUs, the same in every chart.
namespace {
const std::map<std::string, std::string>& layer_colors() {
  static const std::map<std::string, std::string> colors = [] {
    std::map<std::string, std::string> out{{"idle", "#d4d4d4"}, {"down", "#e45756"}};
    for (const auto& c : kWorkClasses) out.emplace(std::string(c.name), std::string(c.color));
    return out;
  }();
  return colors;
}
}  // namespace

json color_scale(const std::vector<std::string>& layers) {
  json range = json::array();
  for (const auto& l : layers) {
    const auto it = layer_colors().find(l);
    range.push_back(it == layer_colors().end() ? "#888888" : it->second);
  }
  return {{"domain", layers}, {"range", range}};
}

namespace {
/// Colour by layer (work classes, idle, down), in the order given.
json layer_color(const std::vector<std::string>& layers) {
  return {{"field", "layer"},
          {"type", "nominal"},
          {"title", nullptr},
          {"scale", color_scale(layers)},
          {"sort", layers}};
}
}  // namespace

json utilization_spec(const std::vector<Period>& periods) {
  std::vector<std::string> layers;
  std::vector<std::function<double(const Period&)>> value_of;
  for (std::size_t c = 0; c < kClassCount; ++c) {
    bool used = false;
    for (const auto& p : periods) used = used || p.class_hours[c] > 0;
    if (!used) continue;
    layers.push_back(class_label(c));
    value_of.emplace_back([c](const Period& p) { return p.class_hours[c]; });
  }
  layers.emplace_back("idle");
  value_of.emplace_back([](const Period& p) { return p.idle; });
  bool any_down = false;
  for (const auto& p : periods) any_down = any_down || p.down > 0;
  if (any_down) {
    layers.emplace_back("down");
    value_of.emplace_back([](const Period& p) { return p.down; });
  }
  json values = json::array();
  for (std::size_t k = 0; k < layers.size(); ++k) {
    append_steps(values, periods, [&](const Period& p, const std::string& t) {
      const double v = value_of[k](p);
      return json{{"t", t},
                  {"layer", layers[k]},
                  {"k", k},
                  {"v", v},
                  {"share", p.installed > 0 ? v / p.installed : 0.0}};
    });
  }
  json spec = vega_lite(values);
  spec["width"] = "container";
  spec["height"] = 280;
  spec["mark"] = {{"type", "area"}, {"interpolate", "step-after"}};
  spec["encoding"] = {
      {"x", time_x("t", values)},
      {"y",
       {{"field", "v"},
        {"type", "quantitative"},
        {"stack", "zero"},
        {"title", "GPU-hours per period"}}},
      {"color", layer_color(layers)},
      {"order", {{"field", "k"}, {"type", "quantitative"}}},
      {"tooltip",
       json::array({tooltip_field("t", "period from", "temporal"),
                    tooltip_field("layer", "use", "nominal"),
                    tooltip_field("v", "GPU-hours", "quantitative", ",.0f"),
                    tooltip_field("share", "share of installed", "quantitative", ".1%")})}};
  set_value_axis(spec["encoding"]["y"], Unit::hours, stacked_range(values, "v", "t"),
                 "GPU-hours per period");
  return spec;
}

std::vector<std::size_t> rented_classes(const std::vector<Period>& periods) {
  std::vector<std::size_t> rented;
  for (std::size_t c = 0; c < kClassCount; ++c) {
    if (kWorkClasses[c].internal) continue;
    bool used = false;
    for (const auto& p : periods) used = used || p.class_hours[c] > 0 || p.class_revenue[c] > 0;
    if (used) rented.push_back(c);
  }
  return rented;
}

json revenue_spec(const std::vector<Period>& periods, const std::vector<std::size_t>& rented) {
  std::vector<std::string> layers;
  layers.reserve(rented.size());
  for (const std::size_t c : rented) layers.push_back(class_label(c));
  json revenue = json::array();
  for (std::size_t k = 0; k < rented.size(); ++k) {
    const std::size_t c = rented[k];
    append_steps(revenue, periods, [&](const Period& p, const std::string& t) {
      return json{{"t", t}, {"layer", class_label(c)}, {"k", k}, {"v", p.class_revenue[c]}};
    });
  }
  json r = vega_lite(revenue);
  r["width"] = "container";
  r["height"] = 220;
  r["mark"] = {{"type", "area"}, {"interpolate", "step-after"}};
  r["encoding"] = {
      {"x", time_x("t", revenue)},
      {"y", {{"field", "v"}, {"type", "quantitative"}}},
      {"color", layer_color(layers)},
      {"order", {{"field", "k"}, {"type", "quantitative"}}},
      {"tooltip", json::array({tooltip_field("t", "period from", "temporal"),
                               tooltip_field("layer", "class", "nominal"),
                               tooltip_field("v", "revenue (USD)", "quantitative", "$,.0f")})}};
  r["encoding"]["y"]["stack"] = "zero";
  set_value_axis(r["encoding"]["y"], Unit::usd, stacked_range(revenue, "v", "t"),
                 "outside revenue per period");
  return r;
}

json price_spec(const std::vector<Period>& periods, const std::vector<std::size_t>& rented) {
  std::vector<std::string> layers;
  layers.reserve(rented.size());
  for (const std::size_t c : rented) layers.push_back(class_label(c));
  json price = json::array();
  for (const std::size_t c : rented) {
    append_steps(price, periods, [&](const Period& p, const std::string& t) {
      const double h = p.class_hours[c];
      return json{{"t", t},
                  {"layer", class_label(c)},
                  {"v", h > 0 ? json(p.class_revenue[c] / h) : json(nullptr)},
                  {"h", h}};
    });
  }
  json pr = vega_lite(price);
  pr["width"] = "container";
  pr["height"] = 220;
  pr["mark"] = {{"type", "line"}, {"interpolate", "step-after"}, {"point", false}};
  pr["encoding"] = {
      {"x", time_x("t", price)},
      {"y", {{"field", "v"}, {"type", "quantitative"}, {"title", "USD per GPU-hour"}}},
      {"color", layer_color(layers)},
      {"tooltip", json::array({tooltip_field("t", "period from", "temporal"),
                               tooltip_field("layer", "class", "nominal"),
                               tooltip_field("v", "USD per GPU-hour", "quantitative", "$.3f"),
                               tooltip_field("h", "GPU-hours", "quantitative", ",.0f")})}};
  set_value_axis(pr["encoding"]["y"], Unit::usd_rate, value_range(price, {"v"}, true),
                 "price per GPU-hour");
  return pr;
}

json waterfall_spec(const std::vector<WaterfallStep>& steps) {
  json values = json::array();
  double level = 0;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const WaterfallStep& s = steps[i];
    double from = level, to = level + s.amount;
    if (s.kind == "total") {
      from = 0;
      to = s.amount;
      level = s.amount;  // a subtotal restarts from the reported figure
    } else {
      level = to;
    }
    values.push_back({{"label", s.label},
                      {"k", i},
                      {"kind", s.kind},
                      {"from", from},
                      {"to", to},
                      {"top", std::max(from, to)},
                      {"amount", s.amount},
                      {"text", usd(s.amount)}});
  }
  std::vector<std::string> order;
  order.reserve(steps.size());
  for (const auto& s : steps) order.push_back(s.label);
  json spec = vega_lite(values);
  spec["width"] = "container";
  spec["height"] = 300;
  spec["encoding"] = {{"x",
                       {{"field", "label"},
                        {"type", "nominal"},
                        {"sort", order},
                        {"title", nullptr},
                        {"axis", {{"labelAngle", 0}}}}}};
  json bar;
  bar["mark"] = {{"type", "bar"}, {"width", {{"band", 0.7}}}};
  bar["encoding"] = {
      {"y", {{"field", "from"}, {"type", "quantitative"}}},
      {"y2", {{"field", "to"}}},
      {"color",
       {{"field", "kind"},
        {"type", "nominal"},
        {"title", nullptr},
        {"scale",
         {{"domain", {"increase", "decrease", "total"}},
          {"range", {"#54a24b", "#e45756", "#4c78a8"}}}}}},
      {"tooltip", json::array({tooltip_field("label", "item", "nominal"),
                               tooltip_field("amount", "USD", "quantitative", "$,.0f")})}};
  json text;
  text["mark"] = {{"type", "text"}, {"dy", -6}, {"fontSize", 11}};
  text["encoding"] = {{"y", {{"field", "top"}, {"type", "quantitative"}}},
                      {"text", {{"field", "text"}}}};
  set_value_axis(bar["encoding"]["y"], Unit::usd, value_range(values, {"from", "to"}, true),
                 "over the run");
  spec["layer"] = json::array({bar, text});
  return spec;
}

json cash_spec(const std::vector<Period>& periods, double opening, std::optional<double> npv,
               std::optional<double> rate) {
  json values = json::array();
  double cumulative = -opening;
  if (!periods.empty()) {
    values.push_back({{"t", periods.front().start}, {"v", cumulative}, {"fcf", -opening}});
  }
  for (const auto& p : periods) {
    cumulative += p.free_cash_flow;
    values.push_back({{"t", p.end}, {"v", cumulative}, {"fcf", p.free_cash_flow}});
  }
  json spec = vega_lite(values);
  spec["width"] = "container";
  spec["height"] = 260;
  json line;
  line["mark"] = {{"type", "line"}, {"point", true}};
  line["encoding"] = {
      {"x", time_x("t", values)},
      {"y", {{"field", "v"}, {"type", "quantitative"}}},
      {"tooltip",
       json::array({tooltip_field("t", "to", "temporal"),
                    tooltip_field("v", "cumulative (USD)", "quantitative", "$,.0f"),
                    tooltip_field("fcf", "this period (USD)", "quantitative", "$,.0f")})}};
  {
    auto range = value_range(values, {"v"}, true);
    if (npv) range = {std::min(range.first, *npv), std::max(range.second, *npv)};
    set_value_axis(line["encoding"]["y"], Unit::usd, range, "cumulative free cash flow");
  }
  json layers = json::array({line});
  if (npv) {
    const std::string label =
        rate ? fmt::format("NPV at {:.0f}%: {}", 100.0 * *rate, usd(*npv)) : "NPV: " + usd(*npv);
    json rule;
    rule["data"]["values"] = json::array({{{"npv", *npv}, {"label", label}}});
    rule["mark"] = {{"type", "rule"}, {"strokeDash", {6, 4}}, {"color", "#b279a2"}};
    rule["encoding"] = {{"y", {{"field", "npv"}, {"type", "quantitative"}}}};
    json text;
    text["data"]["values"] = json::array({{{"npv", *npv}, {"label", label}}});
    text["mark"] = {
        {"type", "text"}, {"align", "left"}, {"x", 4}, {"dy", -7}, {"color", "#7b3f73"}};
    text["encoding"] = {{"y", {{"field", "npv"}, {"type", "quantitative"}}},
                        {"text", {{"field", "label"}}}};
    layers.push_back(rule);
    layers.push_back(text);
  }
  spec["layer"] = layers;
  return spec;
}

json value_spec(const std::vector<Period>& periods, std::optional<double> opening) {
  json values = json::array();
  if (opening && !periods.empty()) {
    values.push_back({{"t", periods.front().start}, {"series", "net book value"}, {"v", *opening}});
  }
  for (const auto& p : periods) {
    values.push_back({{"t", p.end}, {"series", "net book value"}, {"v", p.net_book_value}});
    if (p.market_value) {
      values.push_back({{"t", p.end}, {"series", "market value"}, {"v", *p.market_value}});
    }
  }
  json spec = vega_lite(values);
  spec["width"] = "container";
  spec["height"] = 260;
  spec["mark"] = {{"type", "line"}, {"point", true}};
  spec["encoding"] = {
      {"x", time_x("t", values)},
      {"y", {{"field", "v"}, {"type", "quantitative"}}},
      {"color",
       {{"field", "series"},
        {"type", "nominal"},
        {"title", nullptr},
        {"scale",
         {{"domain", {"net book value", "market value"}}, {"range", {"#4c78a8", "#f58518"}}}}}},
      {"tooltip", json::array({tooltip_field("t", "at", "temporal"),
                               tooltip_field("series", "series", "nominal"),
                               tooltip_field("v", "USD", "quantitative", "$,.0f")})}};
  set_value_axis(spec["encoding"]["y"], Unit::usd, value_range(values, {"v"}, true),
                 "value at the period's end");
  return spec;
}

}  // namespace aidc::report
