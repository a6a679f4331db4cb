// summary.json's model access sold by the token: the tokens customers asked for and were
// served (with the service objective), and their revenue, cost and margin per million tokens.

#include <algorithm>

#include "aidc/run/output.hpp"
#include "output_detail.hpp"

namespace aidc::output_detail {

namespace {

nlohmann::ordered_json in_out(double input, double output) {
  return {{"input", input}, {"output", output}, {"total", input + output}};
}

/// USD per million of `tokens`, or null without tokens.
nlohmann::ordered_json per_million(double usd, double tokens) {
  return tokens > 0 ? nlohmann::ordered_json(usd / tokens * 1e6) : nlohmann::ordered_json();
}

nlohmann::ordered_json economics_json(const TokenEconomics& e) {
  nlohmann::ordered_json j;
  j["served_tokens"] = in_out(e.input_tokens, e.output_tokens);
  j["lost_tokens"] = in_out(e.lost_input_tokens, e.lost_output_tokens);
  j["revenue_usd"] = in_out(e.revenue_input_usd, e.revenue_output_usd);
  j["lost_revenue_usd"] = e.lost_revenue_usd;
  j["gpu_hours"] = e.gpu_hours;
  j["cost_usd"] = e.cost_usd;
  j["revenue_shares_usd"] = e.revenue_shares_usd;
  j["margin_usd"] = e.margin_usd();
  j["usd_per_million_tokens"] = {
      {"input_price", per_million(e.revenue_input_usd, e.input_tokens)},
      {"output_price", per_million(e.revenue_output_usd, e.output_tokens)},
      {"revenue", per_million(e.revenue_usd(), e.tokens())},
      {"cost", per_million(e.cost_usd, e.tokens())},
      {"cost_per_output_token", per_million(e.cost_usd, e.output_tokens)},
      {"margin", per_million(e.margin_usd(), e.tokens())}};
  // The blended price at which the margin is zero: the cost over what is left of each dollar
  // after the shares of revenue paid out.
  const double kept = e.revenue_usd() > 0 ? 1.0 - e.revenue_shares_usd / e.revenue_usd() : 0.0;
  j["break_even_usd_per_million_tokens"] =
      kept > 0 ? per_million(e.cost_usd / kept, e.tokens()) : nlohmann::ordered_json();
  return j;
}

}  // namespace

nlohmann::ordered_json api_run_json(const Scenario& s, const RunResult& r) {
  double demand_in = 0, demand_out = 0, served_in = 0, served_out = 0;
  // By reporting period (the pieces are cut at every period end).
  std::vector<double> period_ends;
  for (const auto& row : r.rows) {
    if (period_ends.size() <= row.period) period_ends.push_back(to_hours(row.end - sim::Time{}));
  }
  std::vector<double> period_demand(period_ends.size(), 0.0),
      period_served(period_ends.size(), 0.0);
  for (const auto& piece : r.api_pieces) {
    demand_in += piece.demand_input_tokens;
    demand_out += piece.demand_output_tokens;
    served_in += piece.served_input_tokens;
    served_out += piece.served_output_tokens;
    const double end = to_hours(piece.end - sim::Time{});
    const auto it = std::lower_bound(period_ends.begin(), period_ends.end(), end - 1e-9);
    if (it == period_ends.end()) continue;
    const auto p = static_cast<std::size_t>(it - period_ends.begin());
    period_demand[p] += piece.demand_input_tokens + piece.demand_output_tokens;
    period_served[p] += piece.served_input_tokens + piece.served_output_tokens;
  }
  const double demand = demand_in + demand_out;
  const double served = served_in + served_out;
  nlohmann::ordered_json j;
  j["demand_tokens"] = in_out(demand_in, demand_out);
  j["served_tokens"] = in_out(served_in, served_out);
  j["lost_tokens"] = in_out(demand_in - served_in, demand_out - served_out);
  j["served_fraction"] = demand > 0 ? served / demand : 1.0;
  std::optional<double> objective;
  for (const auto& k : s.inference) {
    if (k.work_class == WorkClass::api && k.service_objective) {
      objective = std::max(objective.value_or(0.0), *k.service_objective);
    }
  }
  if (objective) {
    std::int64_t below = 0;
    for (std::size_t p = 0; p < period_demand.size(); ++p) {
      if (period_demand[p] > 0 && period_served[p] < *objective * period_demand[p]) ++below;
    }
    j["service_objective"] = *objective;
    j["objective_met"] = demand <= 0 || served >= *objective * demand;
    j["periods_below_objective"] = below;
  } else {
    j["service_objective"] = nullptr;
  }
  return j;
}

nlohmann::ordered_json api_finance_json(const FinanceResult& f) {
  nlohmann::ordered_json j = economics_json(f.api_total);
  nlohmann::ordered_json by_gpu = nlohmann::ordered_json::object();
  for (const auto& [gpu, e] : f.api_by_gpu) by_gpu[gpu] = economics_json(e);
  j["by_gpu"] = by_gpu;
  nlohmann::ordered_json by_period = nlohmann::ordered_json::array();
  for (const auto& e : f.api_periods) by_period.push_back(economics_json(e));
  j["by_period"] = by_period;
  return j;
}

}  // namespace aidc::output_detail
