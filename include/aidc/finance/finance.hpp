#pragma once
/// The finance layer: turns GPU-hours by class, period and pool into statements (revenue,
/// costs, depreciation, disposals, EBITDA, EBIT, tax at the entity level, cash) and horizon
/// metrics (NPV, IRR, payback, ROIC, TCO, break-even prices). It runs after the simulation and
/// never reaches inside it. Every definition is stated in the summary (finance_conventions()).

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aidc/depreciation/depreciation.hpp"
#include "aidc/finance/capital.hpp"
#include "aidc/finance/tax.hpp"
#include "aidc/pricing/pricing.hpp"
#include "aidc/scenario/scenario.hpp"

namespace aidc {

struct RunResult;

/// What the fleet installed before the window is worth when the window opens.
enum class OpeningValue { resale, sunk, book };
/// What the fleet still owned at the horizon is worth.
enum class TerminalMethod { none, book, resale, going_concern };
/// The standard by which a pool's book value is tested for impairment.
enum class ImpairmentStandard { none, us_gaap, ifrs };

/// Debt raised against purchases (asset-backed, as neoclouds finance GPUs).
struct FinancingSpec {
  double debt_fraction = 0;  // of each purchase's capex, drawn when the balance is paid
  double interest_rate = 0;  // a year, nominal, compounded monthly
  double term_years = 5;
  LoanRepayment repayment = LoanRepayment::annuity;
};

/// Power drawn per GPU at the server, in kW, before PUE.
struct ServerPower {
  double busy_kw = 0;
  double idle_kw = 0;
};

/// The scenario's "finance" section, validated.
struct FinanceSpec {
  double discount_rate = 0.08;  // a year; cash flows discounted from each period's end
  TaxSpec tax;
  std::shared_ptr<const DepreciationModel> depreciation;  // book; every pool unless overridden
  std::vector<std::shared_ptr<const DepreciationModel>> pool_depreciation;  // by pool; may be null
  std::vector<double> pool_capex_usd_per_gpu;                               // by pool
  /// By pool: the rent of an operating lease per installed GPU-hour; unset for an owned pool.
  /// A leased pool has no capex, no depreciation and no book value.
  std::vector<std::optional<double>> pool_lease_usd_per_gpu_hour;
  /// By pool: the share of capex paid when the purchase is ordered; the rest on delivery.
  std::vector<double> pool_deposit_fraction;
  /// By pool: what a GPU is sold for when the pool retires; unset: its resale value.
  std::vector<std::optional<double>> pool_salvage_usd_per_gpu;
  /// Used-GPU price curves by GPU type (the catalog's, overridden by finance.resale).
  std::map<std::string, ResaleCurve> resale;
  OpeningValue opening = OpeningValue::resale;
  TerminalMethod terminal = TerminalMethod::resale;
  double terminal_growth_rate = 0;  // going_concern only
  ImpairmentStandard impairment = ImpairmentStandard::none;
  /// The utilization at which the impairment test projects a pool's cash flows; unset: the
  /// pool's busy share over the trailing year (or the window so far, when shorter).
  std::optional<double> impairment_utilization;
  /// Busy share of a units-of-production pool over its service before the window.
  std::optional<double> utilization_before_window;
  std::optional<FinancingSpec> financing;
  std::array<std::shared_ptr<const PricingModel>, kClassCount> prices;  // null: no revenue
  double energy_usd_per_kwh = 0.08;
  /// Later electricity prices: from each time on, `usd_per_kwh` replaces the one before.
  std::vector<std::pair<sim::Time, double>> energy_changes;
  /// The electricity price in force at `t`.
  double energy_price_at(sim::Time t) const;
  double pue = 1.3;
  /// When stated, an idle GPU of every type draws this share of its busy power; unset: each
  /// type's idle server power from the catalog.
  std::optional<double> idle_power_fraction;
  /// By GPU type of the fleet: busy, the catalog's server_power_kw; idle, idle_power_fraction
  /// times that when stated, else the catalog's server_idle_power_kw. Down GPUs draw nothing.
  std::map<std::string, ServerPower> server_power;
  double facility_usd_per_kw_month = 0;
  double maintenance_fraction_per_year = 0;     // of capex
  double network_storage_usd_per_gpu_hour = 0;  // per busy GPU-hour
  double overhead_fraction_of_external_revenue = 0;
  double overhead_usd_per_year = 0;
  double revenue_share_fraction = 0;
  ClassFlags revenue_share_classes = class_flags(&WorkClassInfo::shares_revenue);
  /// Times at which the run is cut so each piece has one price and one fiscal year: price and
  /// electricity steps, and fiscal year ends.
  std::vector<sim::Time> price_changes;
};

/// Reads the "finance" object of a scenario whose pools and catalog are already read.
std::shared_ptr<const FinanceSpec> read_finance(const ParamReader& node, const Scenario& s);

/// One period's statement, in USD; for one pool, for the entity (the lines that belong to
/// the company as a whole: tax, interest, debt), or for a sum of them. Flows add up; the
/// stocks at the end (book value, tax basis, debt, deferred tax, losses carried forward) are
/// those of the last statement summed over time, and add up over pools.
struct Statement {
  std::array<double, kClassCount>
      revenue{};  // external classes: rental revenue; internal: transfer value
  double energy = 0, facility = 0, maintenance = 0, network_storage = 0, overhead = 0,
         revenue_share = 0;
  double lease = 0;  // rent of leased pools, on installed GPU-hours
  double depreciation = 0;
  double impairment = 0;
  double disposal_gain = 0;  // proceeds less book value of what was sold (negative: a loss)
  double interest = 0;       // entity: on debt raised against purchases
  double current_tax = 0;    // entity: the fiscal year's tax, in the period where it ends
  double deferred_tax = 0;   // entity: the change of the net deferred tax liability that year
  double tax_paid = 0;       // entity: cash, at the fiscal year's end or in instalments
  /// Entity: the tax that would be paid without the interest deduction (the unlevered tax,
  /// which the free cash flow to the firm carries); equal to tax_paid without financing.
  double unlevered_tax_paid = 0;
  double tax_depreciation = 0;   // by pool: the tax depreciation charged (not a cash flow)
  double capex = 0;              // cash paid for purchases: deposits and balances
  double disposal_proceeds = 0;  // cash received for what was sold
  double debt_drawn = 0, debt_repaid = 0;  // entity
  // Stocks at the end.
  double net_book_value = 0;
  double tax_basis = 0;
  double debt_outstanding = 0;        // entity
  double deferred_tax_liability = 0;  // entity; net of the asset of losses carried forward
  double loss_carryforward = 0;       // entity

  double external_revenue() const;
  double internal_value() const;
  double costs() const;   // cash operating costs
  double ebitda() const;  // revenue (external and internal) - costs
  double ebit() const { return ebitda() - depreciation - impairment + disposal_gain; }
  double pre_tax_income() const { return ebit() - interest; }
  double income_tax() const { return current_tax + deferred_tax; }
  double net_income() const { return pre_tax_income() - income_tax(); }
  /// To the firm: EBITDA + proceeds - capex - unlevered tax.
  double free_cash_flow() const;
  /// To equity: EBITDA + proceeds - capex - tax - interest + debt drawn - debt repaid.
  double equity_cash_flow() const;
  /// Adds the flows of `o`; `stocks` says whether its stocks add too (pools of one period)
  /// or replace these (a later period).
  void add(const Statement& o, bool add_stocks);
};

/// A value stated at the window's start or at the horizon, with the method that gave it.
struct StatedValue {
  std::string method;
  double usd = 0;
  double years = 0;  // its date, in years (of 8,766 hours) since the scenario start
};

/// Model access sold by the token (class `api`) over a span: a period, a GPU type, the window.
/// The cost of the tokens is that of the GPU-hours that served them: their share (by installed
/// GPU-hours) of depreciation, facility, maintenance and lease, plus the energy of running
/// busy and network and storage. Idle GPUs' costs are not charged to the tokens.
struct TokenEconomics {
  double input_tokens = 0, output_tokens = 0;            // served
  double lost_input_tokens = 0, lost_output_tokens = 0;  // demanded but not served
  double revenue_input_usd = 0, revenue_output_usd = 0;
  double lost_revenue_usd = 0;  // the lost tokens at the prices of their time
  double gpu_hours = 0;         // held by api
  double cost_usd = 0;
  /// Paid out of the revenue: the overhead on outside revenue and the chip vendor's share
  /// when it names `api`.
  double revenue_shares_usd = 0;

  double tokens() const { return input_tokens + output_tokens; }
  double revenue_usd() const { return revenue_input_usd + revenue_output_usd; }
  /// Revenue less the cost of the GPU-hours and the shares of revenue paid out.
  double margin_usd() const { return revenue_usd() - cost_usd - revenue_shares_usd; }
  void add(const TokenEconomics& o);
};

struct FinanceResult {
  std::vector<Statement> rows;  // parallel to the reporting rows (period x pool)
  /// Parallel to the rows: the resale value, at the row's end, of the pool's GPUs in service
  /// then (zero before they enter service and once retired), by the same curve the opening
  /// and terminal values use; nullopt when the finance section has no resale curve for the
  /// pool's GPU type.
  std::vector<std::optional<double>> market_value_usd;
  std::vector<Statement> entity;   // by period: the entity's own lines
  std::vector<Statement> periods;  // fleet totals by period: rows + entity
  Statement total;
  double opening_net_book_value = 0;
  double opening_tax_basis = 0;
  StatedValue opening;                // an outflow at the window's start
  StatedValue terminal;               // an inflow at the horizon
  double unserved_inference_usd = 0;  // lost revenue at the inference transfer price
  /// Model access sold by the token: by period, by GPU type and over the window (empty and
  /// zero without `api` workloads).
  std::vector<TokenEconomics> api_periods;
  std::map<std::string, TokenEconomics> api_by_gpu;
  TokenEconomics api_total;
  double npv = 0;  // cash flows with the opening and terminal values
  double npv_without_terminal = 0;
  std::optional<double> irr;
  std::optional<double> equity_irr;  // with financing only
  std::optional<double> payback_years;
  double payback_shortfall_usd = 0;  // when payback is not reached: cash still to recover
  double roic = 0;
  double tco_usd_per_installed_gpu_hour = 0;
  double tco_usd_per_busy_gpu_hour = 0;
  /// Work delivered, in H100-equivalent GPU-hours: inference served (already H100-equivalent),
  /// the api class's GPU-hours times the type's inference factor, and training goodput,
  /// experiments and rented GPU-hours times its training factor.
  double h100e_gpu_hours_served = 0;
  /// The same costs as the TCO above over h100e_gpu_hours_served; 0 when nothing was served.
  double tco_usd_per_h100e_hour_served = 0;
  struct BreakEven {
    std::string gpu;
    /// The rental price at which renting an otherwise idle GPU covers its incremental cash
    /// costs: the energy of running busy instead of idle, network and storage, and the
    /// shares of revenue paid as overhead and revenue share.
    double cash_usd_per_gpu_hour = 0;
    /// The price per busy GPU-hour at which, with every busy GPU-hour of the type billed at
    /// it, the type's pools have zero EBIT at the run's observed utilization; unset when the
    /// type had no busy hours or the revenue shares leave nothing.
    std::optional<double> full_cost_usd_per_gpu_hour;
    double utilization = 0;  // busy / installed GPU-hours of the type over the window
  };
  std::vector<BreakEven> break_even;
};

/// The statements of a run. `rows` are the reporting rows (see aggregate_rows()).
FinanceResult compute_finance(const Scenario& s, const RunResult& r);

/// Each definition the statements used, in words, for the summary and the table.
std::vector<std::pair<std::string, std::string>> finance_conventions(const FinanceSpec& f);

}  // namespace aidc
