// Model access sold by the token: tokens served and lost, revenue by input and output, and the
// cost of the GPU-hours that served them, by period, by GPU type and over the window.

#include <algorithm>

#include "aidc/finance/finance.hpp"
#include "aidc/workload/simulation.hpp"
#include "ledger.hpp"

namespace aidc {

void TokenEconomics::add(const TokenEconomics& o) {
  input_tokens += o.input_tokens;
  output_tokens += o.output_tokens;
  lost_input_tokens += o.lost_input_tokens;
  lost_output_tokens += o.lost_output_tokens;
  revenue_input_usd += o.revenue_input_usd;
  revenue_output_usd += o.revenue_output_usd;
  lost_revenue_usd += o.lost_revenue_usd;
  gpu_hours += o.gpu_hours;
  cost_usd += o.cost_usd;
  revenue_shares_usd += o.revenue_shares_usd;
}

namespace finance {

void token_economics(const Scenario& s, const RunResult& r, const Ledger& ledger,
                     FinanceResult& out) {
  constexpr std::size_t kApi = index(WorkClass::api);
  const FinanceSpec& f = *s.finance;
  const PricingModel* model = f.prices[kApi].get();
  if (!s.sells_tokens() || model == nullptr) return;
  out.api_periods.assign(ledger.period_ends.size(), TokenEconomics{});
  const double shares = f.overhead_fraction_of_external_revenue +
                        (f.revenue_share_classes[kApi] ? f.revenue_share_fraction : 0.0);
  for (const auto& seg : r.segments) {
    const auto& g = seg.gpu_seconds;
    if (g.by_class[kApi] == 0 && g.api_input_tokens == 0 && g.api_output_tokens == 0) continue;
    const GpuType& type = s.catalog.at(s.pools[seg.pool].gpu);
    const TokenPrices price = *model->token_prices(s.start, seg.begin);
    const double hours = to_hours(g.by_class[kApi]);
    TokenEconomics e;
    e.input_tokens = g.api_input_tokens;
    e.output_tokens = g.api_output_tokens;
    e.revenue_input_usd = g.api_input_tokens * price.input / 1e6;
    e.revenue_output_usd = g.api_output_tokens * price.output / 1e6;
    e.revenue_shares_usd = shares * e.revenue_usd();
    e.gpu_hours = hours;
    // The GPU-hours' share of the row's capacity costs, by installed GPU-hours, and their own
    // energy (busy) and network and storage.
    const Statement& row = out.rows[seg.row];
    const double installed = to_hours(r.rows[seg.row].gpu_seconds.installed);
    const double capacity = row.depreciation + row.facility + row.maintenance + row.lease;
    e.cost_usd = (installed > 0 ? capacity * hours / installed : 0.0) +
                 hours * power_of(f, type).busy_kw * f.pue * f.energy_price_at(seg.begin) +
                 hours * f.network_storage_usd_per_gpu_hour;
    out.api_periods[seg.period].add(e);
    out.api_by_gpu[type.id].add(e);
    out.api_total.add(e);
  }
  for (const auto& piece : r.api_pieces) {
    const TokenPrices price = *model->token_prices(s.start, piece.begin);
    TokenEconomics e;
    e.lost_input_tokens = piece.demand_input_tokens - piece.served_input_tokens;
    e.lost_output_tokens = piece.demand_output_tokens - piece.served_output_tokens;
    e.lost_revenue_usd =
        (e.lost_input_tokens * price.input + e.lost_output_tokens * price.output) / 1e6;
    out.api_periods[period_of(ledger, piece.end)].add(e);
    out.api_total.add(e);
  }
}

}  // namespace finance

}  // namespace aidc
