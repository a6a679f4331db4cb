// The charts of model access sold by the token: tokens served against demand, and revenue and
// cost per million tokens, by period, from summary.json's finance.api.by_period.

#include <fmt/format.h>

#include "aidc/report/charts.hpp"
#include "internal.hpp"

namespace aidc::report {

json tokens_spec(const std::vector<Period>& periods, const std::vector<TokenPeriod>& tokens) {
  const std::vector<std::string> layers{"served", "lost"};
  json values = json::array();
  for (std::size_t k = 0; k < layers.size(); ++k) {
    append_steps(values, periods, [&](const Period& p, const std::string& t) {
      const TokenPeriod& x = tokens[static_cast<std::size_t>(&p - periods.data())];
      return json{{"t", t}, {"layer", layers[k]}, {"k", k}, {"v", k == 0 ? x.served : x.lost}};
    });
  }
  json spec = vega_lite(values);
  spec["width"] = "container";
  spec["height"] = 220;
  spec["mark"] = {{"type", "area"}, {"interpolate", "step-after"}};
  spec["encoding"] = {
      {"x", time_x("t", values)},
      {"y",
       {{"field", "v"},
        {"type", "quantitative"},
        {"title", "tokens per period"},
        {"stack", "zero"}}},
      {"color",
       {{"field", "layer"},
        {"type", "nominal"},
        {"title", nullptr},
        {"scale", {{"domain", layers}, {"range", {"#9d755d", "#e45756"}}}},
        {"sort", layers}}},
      {"order", {{"field", "k"}, {"type", "quantitative"}}},
      {"tooltip", json::array({tooltip_field("t", "period from", "temporal"),
                               tooltip_field("layer", "tokens", "nominal"),
                               tooltip_field("v", "tokens", "quantitative", ",.0f")})}};
  set_value_axis(spec["encoding"]["y"], Unit::count, stacked_range(values, "v", "t"),
                 "tokens per period");
  return spec;
}

json token_price_spec(const std::vector<Period>& periods, const std::vector<TokenPeriod>& tokens) {
  const std::vector<std::string> layers{"revenue", "cost"};
  json values = json::array();
  for (const auto& layer : layers) {
    append_steps(values, periods, [&](const Period& p, const std::string& t) {
      const TokenPeriod& x = tokens[static_cast<std::size_t>(&p - periods.data())];
      const double usd = layer == "revenue" ? x.revenue_usd : x.cost_usd;
      return json{{"t", t},
                  {"layer", layer},
                  {"v", x.served > 0 ? json(usd / x.served * 1e6) : json(nullptr)}};
    });
  }
  json spec = vega_lite(values);
  spec["width"] = "container";
  spec["height"] = 220;
  spec["mark"] = {{"type", "line"}, {"interpolate", "step-after"}, {"point", false}};
  spec["encoding"] = {
      {"x", time_x("t", values)},
      {"y",
       {{"field", "v"},
        {"type", "quantitative"},
        {"title", "USD per million tokens"},
        {"axis", {{"format", "$.2f"}}}}},
      {"color",
       {{"field", "layer"},
        {"type", "nominal"},
        {"title", nullptr},
        {"scale", {{"domain", layers}, {"range", {"#9d755d", "#4c78a8"}}}},
        {"sort", layers}}},
      {"tooltip", json::array({tooltip_field("t", "period from", "temporal"),
                               tooltip_field("layer", "per million tokens", "nominal"),
                               tooltip_field("v", "USD per million", "quantitative", "$.3f")})}};
  return spec;
}

void api_charts(Page& page, const std::vector<Period>& periods, const Node& finance) {
  const auto api = finance.get("api");
  if (!api || api->is_null()) return;
  std::vector<TokenPeriod> tokens;
  for (const Node& p : api->at("by_period").items()) {
    TokenPeriod x;
    x.served = p.at("served_tokens").at("total").number();
    x.lost = p.at("lost_tokens").at("total").number();
    x.revenue_usd = p.at("revenue_usd").at("total").number();
    x.cost_usd = p.at("cost_usd").number();
    tokens.push_back(x);
  }
  if (tokens.size() != periods.size()) {
    api->at("by_period")
        .fail_here(
            fmt::format("expected one entry per period of timeseries.csv (got {}, expected {})",
                        tokens.size(), periods.size()));
  }
  if (tokens.empty()) return;
  add_chart(page, "Model access: tokens served and lost", "tokens", tokens_spec(periods, tokens),
            "Tokens the outside API customers asked for in each period: those served (input and "
            "output together) and those lost for want of GPUs, stacked, so the top is the "
            "demand. Lost tokens are revenue lost at the prices of their time.");
  add_chart(page, "Model access: price and cost per million tokens", "token-price",
            token_price_spec(periods, tokens),
            "Revenue per million tokens served (the blend of input and output prices) and the "
            "cost of the GPU-hours that served them: their share of depreciation, facility, "
            "maintenance and lease by installed GPU-hours, plus their energy running busy and "
            "network and storage. The gap between the lines is the margin before the overhead "
            "and revenue shares.");
}

}  // namespace aidc::report
