// Periods and totals, and the horizon metrics: NPV and IRR on cash with stated opening and
// terminal values, payback on cumulative cash, equity IRR, ROIC, TCO and break-even prices.

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "aidc/depreciation/macrs.hpp"
#include "aidc/finance/capital.hpp"
#include "aidc/finance/finance.hpp"
#include "aidc/finance/metrics.hpp"
#include "ledger.hpp"

namespace aidc::finance {

namespace {

double years_of(sim::Time t) { return static_cast<double>(t.seconds) / kSecondsPerYear; }

const char* opening_name(OpeningValue v) {
  switch (v) {
    case OpeningValue::sunk:
      return "sunk";
    case OpeningValue::book:
      return "book";
    case OpeningValue::resale:
      break;
  }
  return "resale";
}

const char* terminal_name(TerminalMethod m) {
  switch (m) {
    case TerminalMethod::none:
      return "none";
    case TerminalMethod::book:
      return "book";
    case TerminalMethod::going_concern:
      return "going_concern";
    case TerminalMethod::resale:
      break;
  }
  return "resale";
}

/// The free cash flow of the window's last year (of 365.25 days): the periods that begin in
/// it, scaled to a year by the span they cover; the whole window's when it is shorter.
double last_year_free_cash_flow(const RunResult& r, const Ledger& ledger,
                                const FinanceResult& out) {
  const sim::Time year_ago{r.window_end.seconds - static_cast<std::int64_t>(kSecondsPerYear)};
  double usd = 0;
  sim::Time covered_from = r.window_end;
  for (std::size_t k = out.periods.size(); k-- > 0;) {
    const sim::Time begin = k == 0 ? r.window_begin : ledger.period_ends[k - 1];
    if (begin < year_ago && k + 1 < out.periods.size()) break;
    usd += out.periods[k].free_cash_flow();
    covered_from = begin;
    if (begin <= year_ago) break;
  }
  const double span = static_cast<double>((r.window_end - covered_from).seconds);
  return span > 0 ? usd * kSecondsPerYear / span : 0.0;
}

void break_even(const Scenario& s, const RunResult& r, FinanceResult& out) {
  const FinanceSpec& f = *s.finance;
  constexpr auto kOnDemand = index(WorkClass::on_demand);
  const double share = f.revenue_share_classes[kOnDemand] ? f.revenue_share_fraction : 0.0;
  const double keep = 1.0 - f.overhead_fraction_of_external_revenue - share;
  struct Totals {
    double costs = 0;  // every line of EBIT except revenue and the revenue-linked shares
    double busy = 0, installed = 0;
  };
  std::map<std::string, Totals> by_type;
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    Totals& t = by_type[s.pools[r.rows[i].pool].gpu];
    const Statement& st = out.rows[i];
    const double variable_overhead =
        f.overhead_fraction_of_external_revenue * st.external_revenue();
    t.costs += st.costs() - variable_overhead - st.revenue_share + st.depreciation + st.impairment -
               st.disposal_gain;
    t.busy += to_hours(r.rows[i].gpu_seconds.busy);
    t.installed += to_hours(r.rows[i].gpu_seconds.installed);
  }
  for (const auto& [gpu, t] : by_type) {
    const GpuType& type = s.catalog.at(gpu);
    FinanceResult::BreakEven b;
    b.gpu = gpu;
    const ServerPower& power = power_of(f, type);
    const double incremental =
        (power.busy_kw - power.idle_kw) * f.pue * f.energy_price_at(r.window_begin) +
        f.network_storage_usd_per_gpu_hour;
    b.cash_usd_per_gpu_hour = keep > 0 ? incremental / keep : 0.0;
    b.utilization = t.installed > 0 ? t.busy / t.installed : 0.0;
    if (keep > 0 && t.busy > 0) b.full_cost_usd_per_gpu_hour = t.costs / (t.busy * keep);
    out.break_even.push_back(b);
  }
}

/// Work delivered in H100-equivalent GPU-hours, by the rule FinanceResult states: what a
/// GPU-hour of each class does, by the pool's GPU type. Inference counts what was served, not
/// what was held; a rented GPU-hour counts in full, at the training factor.
double h100e_served(const Scenario& s, const RunResult& r) {
  double out = 0;
  for (std::size_t p = 0; p < r.pool_totals.size(); ++p) {
    const GpuSeconds& g = r.pool_totals[p];
    const GpuType& type = s.catalog.at(s.pools[p].gpu);
    const auto hours = [&](WorkClass c) { return to_hours(g.by_class[index(c)]); };
    const double trained = to_hours(g.by_class[index(WorkClass::training)] - g.training_lost) +
                           hours(WorkClass::experiments) + hours(WorkClass::reserved) +
                           hours(WorkClass::on_demand) + hours(WorkClass::spot);
    out += g.inference_served_gpu_hours + type.training_factor * trained +
           type.inference_factor * hours(WorkClass::api);
  }
  return out;
}

}  // namespace

void horizon_metrics(const Scenario& s, const RunResult& r, const Ledger& ledger,
                     FinanceResult& out) {
  const FinanceSpec& f = *s.finance;
  // Periods are the pools' rows plus the entity's line; the total is their sum.
  out.periods = out.entity;
  for (std::size_t i = 0; i < r.rows.size(); ++i)
    out.periods[r.rows[i].period].add(out.rows[i], true);
  for (const Statement& p : out.periods) out.total.add(p, false);

  switch (f.opening) {
    case OpeningValue::resale:
      out.opening.usd = ledger.opening_resale + ledger.opening_prepaid;
      break;
    case OpeningValue::book:
      out.opening.usd = ledger.opening_book + ledger.opening_prepaid;
      break;
    case OpeningValue::sunk:
      out.opening.usd = 0;
      break;
  }
  out.opening.method = opening_name(f.opening);
  out.opening.years = years_of(r.window_begin);
  out.terminal.method = terminal_name(f.terminal);
  out.terminal.years = years_of(r.window_end);
  switch (f.terminal) {
    case TerminalMethod::none:
      break;
    case TerminalMethod::book:
      out.terminal.usd = out.total.net_book_value + ledger.closing_prepaid;
      break;
    case TerminalMethod::resale:
      out.terminal.usd = ledger.closing_resale + ledger.closing_prepaid;
      break;
    case TerminalMethod::going_concern:
      out.terminal.usd = gordon_terminal_value(last_year_free_cash_flow(r, ledger, out),
                                               f.discount_rate, f.terminal_growth_rate);
      break;
  }

  // Cash only: the opening value, each period's free cash flow, then the terminal value.
  std::vector<CashFlow> cash{{out.opening.years, -out.opening.usd}};
  std::vector<CashFlow> equity{{out.opening.years, -out.opening.usd}};
  for (std::size_t k = 0; k < out.periods.size(); ++k) {
    cash.push_back({years_of(ledger.period_ends[k]), out.periods[k].free_cash_flow()});
    equity.push_back({years_of(ledger.period_ends[k]), out.periods[k].equity_cash_flow()});
  }
  out.npv_without_terminal = npv(cash, f.discount_rate);
  if (const auto payback = payback_years(cash)) {
    out.payback_years = payback;
  } else {
    double cumulative = 0;
    for (const CashFlow& c : cash) cumulative += c.usd;
    out.payback_shortfall_usd = -cumulative;
  }
  cash.push_back({out.terminal.years, out.terminal.usd});
  out.npv = npv(cash, f.discount_rate);
  out.irr = irr(cash);
  if (f.financing) {
    equity.push_back({out.terminal.years, out.terminal.usd - out.total.debt_outstanding});
    out.equity_irr = irr(equity);
  }

  const double window_years =
      static_cast<double>((r.window_end - r.window_begin).seconds) / kSecondsPerYear;
  // Invested capital: the fleet's book value at each period's end, averaged over the window
  // by the periods' lengths, so purchases and disposals within it count for the time they
  // are held.
  double capital = 0;
  for (std::size_t k = 0; k < out.periods.size(); ++k) {
    const sim::Time begin = k == 0 ? r.window_begin : ledger.period_ends[k - 1];
    capital += out.periods[k].net_book_value *
               static_cast<double>((ledger.period_ends[k] - begin).seconds);
  }
  const auto window_seconds = static_cast<double>((r.window_end - r.window_begin).seconds);
  if (window_seconds > 0) capital /= window_seconds;
  if (capital > 0 && window_years > 0) {
    out.roic = roic(out.total.ebit() / window_years, f.tax.rate, capital, capital);
  }
  const double cost_total =
      out.total.costs() + out.total.depreciation + out.total.impairment - out.total.disposal_gain;
  const double installed_total = to_hours(r.totals.installed);
  out.tco_usd_per_installed_gpu_hour = installed_total > 0 ? cost_total / installed_total : 0.0;
  out.tco_usd_per_busy_gpu_hour = r.totals.busy > 0 ? cost_total / to_hours(r.totals.busy) : 0.0;
  out.h100e_gpu_hours_served = h100e_served(s, r);
  out.tco_usd_per_h100e_hour_served =
      out.h100e_gpu_hours_served > 0 ? cost_total / out.h100e_gpu_hours_served : 0.0;
  break_even(s, r, out);
}

}  // namespace aidc::finance

namespace aidc {

namespace {
std::string model_text(const DepreciationModel& m) {
  if (const auto* macrs = dynamic_cast<const MacrsDepreciation*>(&m)) {
    const char* rule = macrs->convention_rule() == MacrsConventionRule::half_year ? "half-year"
                       : macrs->convention_rule() == MacrsConventionRule::mid_quarter
                           ? "mid-quarter"
                           : "half-year, or mid-quarter when over 40% of a year's basis is "
                             "placed in service in its last quarter";
    return fmt::format(
        "MACRS {}-year by tax year (IRS Pub. 946 Tables A-1 to A-5, {} convention), bonus {:g}%",
        macrs->recovery_years(), rule, 100.0 * macrs->bonus_fraction());
  }
  return fmt::format("by age, {:g}-year life{}", m.life_years(),
                     m.uses_busy_hours() ? " (units of production: by busy hours)" : "");
}
}  // namespace

std::vector<std::pair<std::string, std::string>> finance_conventions(const FinanceSpec& f) {
  std::vector<std::pair<std::string, std::string>> out;
  const TaxSpec& t = f.tax;
  out.emplace_back(
      "tax",
      t.rate > 0
          ? fmt::format(
                "{:g}% of the fleet's taxable income by fiscal year (ending in month {}), paid {}; "
                "losses carried forward to offset up to {:g}% of a year's income{}; rows by pool "
                "carry no tax, the entity line does",
                100.0 * t.rate, t.calendar.end_month,
                t.payments == TaxPayments::quarterly ? "in four quarterly instalments"
                                                     : "when the fiscal year ends",
                100.0 * t.loss_offset_limit,
                t.loss_carryforward_years
                    ? fmt::format(", for {} years", *t.loss_carryforward_years)
                    : std::string(", indefinitely"))
          : std::string("none (tax rate 0)"));
  out.emplace_back("book_depreciation", model_text(*f.depreciation));
  out.emplace_back("tax_depreciation",
                   t.depreciation ? model_text(*t.depreciation) : "as book depreciation");
  out.emplace_back(
      "npv",
      "cash only, discounted annually from each period's end: the opening value is an outflow "
      "when the window opens, each period's free cash flow to the firm (after unlevered tax), and "
      "the terminal value an inflow at the horizon");
  switch (f.opening) {
    case OpeningValue::resale:
      out.emplace_back("opening_value",
                       "resale: what the fleet in service when the window opens would sell for "
                       "(the opportunity cost of keeping it)");
      break;
    case OpeningValue::book:
      out.emplace_back("opening_value", "book: the fleet's book value when the window opens");
      break;
    case OpeningValue::sunk:
      out.emplace_back("opening_value", "sunk: zero; only what the fleet earns counts");
      break;
  }
  switch (f.terminal) {
    case TerminalMethod::none:
      out.emplace_back("terminal_value", "none");
      break;
    case TerminalMethod::book:
      out.emplace_back("terminal_value", "book: the fleet's book value at the horizon");
      break;
    case TerminalMethod::resale:
      out.emplace_back("terminal_value",
                       "resale: what the fleet still owned at the horizon would sell for "
                       "(used-GPU price curves by type and age)");
      break;
    case TerminalMethod::going_concern:
      out.emplace_back("terminal_value",
                       fmt::format("going concern: the last year's free cash flow growing at "
                                   "{:g}% a year forever (Gordon's formula)",
                                   100.0 * f.terminal_growth_rate));
      break;
  }
  out.emplace_back("roic",
                   "EBIT a year after tax at the statutory rate, over the fleet's book "
                   "value at each period's end averaged over the window");
  out.emplace_back("payback",
                   "when cumulative cash (the opening value, then free cash flows; "
                   "no terminal value) first returns to zero");
  out.emplace_back("disposals",
                   "a retiring pool is sold at its resale value (or stated "
                   "salvage); proceeds are cash and the gain or loss on book value "
                   "is in EBIT");
  out.emplace_back(
      "impairment",
      f.impairment == ImpairmentStandard::us_gaap
          ? "US GAAP (ASC 360-10): when a pool's undiscounted future net cash flows fall below "
            "its book value, it is written down to fair value (its resale value)"
      : f.impairment == ImpairmentStandard::ifrs
          ? "IFRS (IAS 36): a pool's book value is written down to its recoverable amount, the "
            "higher of fair value (its resale value) and value in use (discounted cash flows)"
          : "not tested");
  out.emplace_back(
      "energy",
      f.idle_power_fraction
          ? fmt::format("a busy GPU draws its type's server power per GPU (the catalog's "
                        "server_power_kw), an idle GPU {:g}% of it (the stated "
                        "idle_power_fraction, for every type), a down GPU nothing; times the PUE",
                        100.0 * *f.idle_power_fraction)
          : std::string("a busy GPU draws its type's server power per GPU (the catalog's "
                        "server_power_kw), an idle GPU its type's idle server power "
                        "(server_idle_power_kw), a down GPU nothing; times the PUE"));
  out.emplace_back("break_even_cash",
                   "the rental price per GPU-hour at which renting an otherwise idle GPU covers "
                   "its incremental cash costs: the energy of running busy instead of idle, "
                   "network and storage, and the overhead and revenue shares of the price");
  out.emplace_back("break_even_full_cost",
                   "the price per busy GPU-hour at which, with every busy GPU-hour of the type "
                   "billed at it, the type's pools have zero EBIT at the run's observed "
                   "utilization (energy, facility, maintenance, overhead, lease, depreciation, "
                   "impairment and disposals); times the utilization, the price per installed "
                   "GPU-hour");
  out.emplace_back("inference_value",
                   "internal inference is valued per H100-equivalent GPU-hour served; unserved "
                   "demand at the same price is reported as lost revenue");
  if (f.prices[index(WorkClass::api)]) {
    out.emplace_back(
        "api_tokens",
        "model access (class api) is outside revenue, billed on the tokens served at the input "
        "and output prices in force; lost tokens are demand not served, at the same prices; the "
        "cost of the tokens is the GPU-hours that served them: their share, by installed "
        "GPU-hours, of depreciation, facility, maintenance and lease, plus their energy running "
        "busy and network and storage (idle GPUs are not charged to them); the margin also "
        "deducts the overhead on outside revenue and the revenue share when it names api");
  }
  if (f.financing) {
    out.emplace_back(
        "financing",
        fmt::format("{:g}% of each purchase's capex borrowed at {:g}% a year over {:g} years, "
                    "repaid monthly ({}); interest is in pre-tax income and debt service in the "
                    "equity cash flow; the equity IRR nets the debt outstanding at the horizon "
                    "from the terminal value",
                    100.0 * f.financing->debt_fraction, 100.0 * f.financing->interest_rate,
                    f.financing->term_years,
                    f.financing->repayment == LoanRepayment::annuity ? "level payments"
                                                                     : "equal principal"));
  }
  return out;
}

}  // namespace aidc
