// The table `aidc run` prints.

#include <fmt/format.h>
#include <cmath>

#include "aidc/run/output.hpp"
#include "output_detail.hpp"

namespace aidc {

using namespace output_detail;

namespace {
/// USD with a suffix that keeps three or four significant digits: 12.3K, 45.6M, 7.89B.
std::string musd(double usd) {
  const double a = std::abs(usd);
  if (a >= 1e9) return fmt::format("{:.2f}B", usd / 1e9);
  if (a >= 1e6) return fmt::format("{:.1f}M", usd / 1e6);
  if (a >= 1e3) return fmt::format("{:.1f}K", usd / 1e3);
  return fmt::format("{:.0f}", usd);
}

/// The statements and metrics in a few lines, then each definition they used.
std::string finance_table(const Scenario& s, const FinanceResult& f) {
  const auto& t = f.total;
  const FinanceSpec& spec = *s.finance;
  std::string out = fmt::format(
      "\nfinance (USD): revenue {} + internal value {}; costs {}{}; EBITDA {}; depreciation {}; "
      "impairment {}; disposals {}; EBIT {}\n"
      "               interest {}; income tax {} (current {}, deferred {}); net income {}\n"
      "               capex {}; disposal proceeds {}; tax paid {}; free cash flow {}{}\n",
      musd(t.external_revenue()), musd(t.internal_value()), musd(t.costs()),
      t.lease > 0 ? fmt::format(" (lease {})", musd(t.lease)) : std::string(), musd(t.ebitda()),
      musd(t.depreciation), musd(t.impairment), musd(t.disposal_gain), musd(t.ebit()),
      musd(t.interest), musd(t.income_tax()), musd(t.current_tax), musd(t.deferred_tax),
      musd(t.net_income()), musd(t.capex), musd(t.disposal_proceeds), musd(t.tax_paid),
      musd(t.free_cash_flow()),
      spec.financing ? fmt::format("; to equity {}", musd(t.equity_cash_flow())) : std::string());
  out += fmt::format(
      "               book value {} -> {}; opening value {} ({}); terminal value {} ({})\n"
      "               NPV at {:g}% {} ({} without the terminal value); IRR {}{}; payback {}\n",
      musd(f.opening_net_book_value), musd(t.net_book_value), musd(f.opening.usd), f.opening.method,
      musd(f.terminal.usd), f.terminal.method, 100 * spec.discount_rate, musd(f.npv),
      musd(f.npv_without_terminal), f.irr ? fmt::format("{:.1f}%", 100 * *f.irr) : "none",
      spec.financing
          ? fmt::format("; equity IRR {}",
                        f.equity_irr ? fmt::format("{:.1f}%", 100 * *f.equity_irr) : "none")
          : std::string(),
      f.payback_years ? fmt::format("{:.2f} y", *f.payback_years)
                      : fmt::format("not reached ({} short)", musd(f.payback_shortfall_usd)));
  for (const auto& b : f.break_even) {
    out += fmt::format(
        "               break-even {}: cash {:.3f} USD/GPU-h; full cost {} at {:.1f}% "
        "utilization\n",
        b.gpu, b.cash_usd_per_gpu_hour,
        b.full_cost_usd_per_gpu_hour ? fmt::format("{:.3f}", *b.full_cost_usd_per_gpu_hour)
                                     : std::string("none (no busy hours)"),
        100.0 * b.utilization);
  }
  if (!f.api_periods.empty()) {
    const TokenEconomics& e = f.api_total;
    const double m = e.tokens() > 0 ? 1e6 / e.tokens() : 0.0;
    out += fmt::format(
        "               api: {} tokens served ({} output), revenue {} ({:.3f} USD per million), "
        "cost {:.3f} per million, margin {}; lost {} tokens ({})\n",
        thousands(e.tokens()), thousands(e.output_tokens), musd(e.revenue_usd()),
        e.revenue_usd() * m, e.cost_usd * m, musd(e.margin_usd()),
        thousands(e.lost_input_tokens + e.lost_output_tokens), musd(e.lost_revenue_usd));
  }
  out += "definitions:\n";
  for (const auto& [key, text] : finance_conventions(spec)) {
    out += fmt::format("  {}: {}\n", key, text);
  }
  return out;
}
}  // namespace

std::string summary_table(const Scenario& s, const RunResult& r, const FinanceResult* finance) {
  std::string out = fmt::format("{} (seed {}): {:.0f} days from {}, {} events\n\n", r.scenario,
                                r.seed, sim::to_hours(r.window_end - r.window_begin) / 24.0,
                                format_date(s.date_of(r.window_begin)),
                                thousands(static_cast<double>(r.events_processed)));
  out += fmt::format("{:<22} {:>16} {:>16} {:>16} {:>12} {:>7}\n", "GPU-hours", "installed", "busy",
                     "idle", "down", "util");
  auto line = [&](const std::string& label, const GpuSeconds& g) {
    out += fmt::format("{:<22} {:>16} {:>16} {:>16} {:>12} {:>6.1f}%\n", label,
                       thousands(to_hours(g.installed)), thousands(to_hours(g.busy)),
                       thousands(to_hours(g.idle)), thousands(to_hours(g.down)),
                       100.0 * ratio(g.busy, g.installed));
  };
  for (std::size_t p = 0; p < s.pools.size(); ++p) {
    line(fmt::format("{} ({})", s.pools[p].id, s.pools[p].gpu), r.pool_totals[p]);
  }
  line("total", r.totals);
  if (r.totals.busy > r.totals.by_class[index(WorkClass::on_demand)]) {
    out += fmt::format("\n{:<22}", "busy by class");
    for (std::size_t c = 0; c < kClassCount; ++c) {
      out += fmt::format(" {:>13}", class_name(static_cast<WorkClass>(c)));
    }
    out += fmt::format(" {:>13}\n{:<22}", "(train lost)", "GPU-hours");
    for (std::size_t c = 0; c < kClassCount; ++c) {
      out += fmt::format(" {:>13}", thousands(to_hours(r.totals.by_class[c])));
    }
    out += fmt::format(" {:>13}\n", thousands(to_hours(r.totals.training_lost)));
  }
  if (r.inference_demand_gpu_hours > 0) {
    out += fmt::format(
        "\ninference: demand {} GPU-hours (H100-equivalent), served {:.2f}%, unserved {}\n",
        thousands(r.inference_demand_gpu_hours),
        100.0 * r.inference_served_gpu_hours / r.inference_demand_gpu_hours,
        thousands(r.inference_unserved_gpu_hours));
  }
  if (!r.api_pieces.empty()) {
    double demand = 0, served = 0;
    for (const auto& piece : r.api_pieces) {
      demand += piece.demand_input_tokens + piece.demand_output_tokens;
      served += piece.served_input_tokens + piece.served_output_tokens;
    }
    out += fmt::format("\napi: demand {} tokens, served {:.2f}%, lost {}\n", thousands(demand),
                       demand > 0 ? 100.0 * served / demand : 100.0, thousands(demand - served));
  }
  if (!r.campaigns.empty()) {
    out += fmt::format("\n{:<22} {:>10} {:>10} {:>10} {:>10} {:>9} {:>14}\n", "campaigns",
                       "plan start", "start", "plan end", "end", "failures", "lost GPU-h");
    auto day = [](double h) { return h < 0 ? std::string("-") : fmt::format("d{:.1f}", h / 24.0); };
    for (const auto& c : r.campaigns) {
      out +=
          fmt::format("{:<22} {:>10} {:>10} {:>10} {:>10} {:>9} {:>14}\n", c.id,
                      day(c.planned_start_hours), day(c.start_hours), day(c.planned_finish_hours),
                      day(c.finish_hours), c.failures, thousands(to_hours(c.lost_gpu_seconds)));
    }
  }
  std::optional<FinanceResult> own;
  if (const FinanceResult* given = statements(s, r, finance, own)) out += finance_table(s, *given);
  if (!r.streams.empty()) {
    out +=
        fmt::format("\n{:<22} {:>10} {:>10} {:>9} {:>9} {:>11} {:>11} {:>10}\n", "rentals",
                    "arrived", "served", "lost", "reneged", "mean wait", "p95 wait", "GPUs busy");
    for (const auto& st : r.streams) {
      out += fmt::format("{:<22} {:>10} {:>10} {:>9} {:>9} {:>10.3f}h {:>10.3f}h {:>10.2f}\n",
                         st.id, st.arrived, st.served, st.lost, st.reneged, st.mean_wait_hours,
                         st.p95_wait_hours, st.mean_gpus_busy);
    }
  }
  return out;
}

}  // namespace aidc
