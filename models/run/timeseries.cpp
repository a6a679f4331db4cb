// timeseries.csv: a row per period and pool, and with statements an entity row per period.

#include "aidc/run/output.hpp"

#include <fmt/format.h>
#include "output_detail.hpp"

namespace aidc {

using namespace output_detail;

namespace {
/// The money columns of one row of timeseries.csv, in the order of its header.
void money_columns(std::string& out, const Statement& st) {
  for (const double usd :
       {st.external_revenue(), st.internal_value(), st.energy, st.facility, st.maintenance,
        st.network_storage, st.overhead, st.revenue_share, st.ebitda(), st.depreciation,
        st.impairment, st.ebit(), st.capex, st.free_cash_flow(), st.net_book_value}) {
    out += fmt::format(",{:.2f}", usd);
  }
  for (const double usd : st.revenue) out += fmt::format(",{:.2f}", usd);
  for (const double usd :
       {st.lease, st.disposal_proceeds, st.disposal_gain, st.tax_depreciation, st.tax_basis,
        st.interest, st.current_tax, st.deferred_tax, st.tax_paid, st.unlevered_tax_paid,
        st.debt_drawn, st.debt_repaid, st.equity_cash_flow(), st.debt_outstanding,
        st.deferred_tax_liability, st.loss_carryforward}) {
    out += fmt::format(",{:.2f}", usd);
  }
}
}  // namespace

std::string timeseries_csv(const Scenario& s, const RunResult& r, const FinanceResult* finance) {
  std::string out =
      "period,period_start,period_end,start_hours,end_hours,pool,gpu,installed_gpu_hours,"
      "busy_gpu_hours,idle_gpu_hours,down_gpu_hours,utilization";
  for (std::size_t c = 0; c < kClassCount; ++c) {
    out += fmt::format(",{}_gpu_hours", class_name(static_cast<WorkClass>(c)));
  }
  out += ",training_goodput_gpu_hours,training_lost_gpu_hours";
  std::optional<FinanceResult> own;
  const FinanceResult* fin = statements(s, r, finance, own);
  if (fin) {
    out +=
        ",revenue_usd,internal_value_usd,energy_usd,facility_usd,maintenance_usd,"
        "network_storage_usd,overhead_usd,revenue_share_usd,ebitda_usd,depreciation_usd,"
        "impairment_usd,ebit_usd,capex_usd,free_cash_flow_usd,net_book_value_usd";
    for (std::size_t c = 0; c < kClassCount; ++c) {
      out += fmt::format(",{}_revenue_usd", class_name(static_cast<WorkClass>(c)));
    }
    // Added later, each at the end, so the earlier columns keep their places.
    out +=
        ",lease_usd,disposal_proceeds_usd,disposal_gain_usd,tax_depreciation_usd,tax_basis_usd,"
        "interest_usd,current_tax_usd,deferred_tax_usd,tax_paid_usd,unlevered_tax_paid_usd,"
        "debt_drawn_usd,debt_repaid_usd,equity_cash_flow_usd,debt_outstanding_usd,"
        "deferred_tax_liability_usd,loss_carryforward_usd";
  }
  out += ",inference_served_gpu_hours,api_input_tokens,api_output_tokens";
  out +=
      ",inference_demand_gpu_hours,inference_unserved_gpu_hours,api_demand_tokens,"
      "api_served_tokens,api_unserved_tokens";
  if (fin) out += ",market_value_usd";
  out += '\n';
  const auto row_line = [&](const PeriodRow& row, const std::string& pool, const std::string& gpu) {
    const auto& g = row.gpu_seconds;
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{}", row.period,
                       format_date(s.date_of(row.begin)), format_date(s.date_of(row.end)),
                       sim::to_hours(row.begin - sim::Time{}), sim::to_hours(row.end - sim::Time{}),
                       pool, gpu, to_hours(g.installed), to_hours(g.busy), to_hours(g.idle),
                       to_hours(g.down), ratio(g.busy, g.installed));
    for (std::size_t c = 0; c < kClassCount; ++c)
      out += fmt::format(",{}", to_hours(g.by_class[c]));
    out += fmt::format(",{},{}", to_hours(g.by_class[index(WorkClass::training)] - g.training_lost),
                       to_hours(g.training_lost));
  };
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    const PeriodRow& row = r.rows[i];
    row_line(row, s.pools[row.pool].id, s.pools[row.pool].gpu);
    if (fin) money_columns(out, fin->rows[i]);
    const GpuSeconds& g = row.gpu_seconds;
    out += fmt::format(",{},{},{},{},{},{},{},{}", g.inference_served_gpu_hours, g.api_input_tokens,
                       g.api_output_tokens, g.inference_demand_gpu_hours,
                       g.inference_unserved_gpu_hours, g.api_demand_tokens,
                       g.api_input_tokens + g.api_output_tokens, g.api_unserved_tokens);
    if (fin) {
      const auto& market = fin->market_value_usd;
      out += i < market.size() && market[i] ? fmt::format(",{:.2f}", *market[i]) : ",";
    }
    out += '\n';
    // After a period's pools, the entity's line: tax, interest and debt.
    const bool last_of_period = i + 1 == r.rows.size() || r.rows[i + 1].period != row.period;
    if (fin && last_of_period && row.period < fin->entity.size()) {
      PeriodRow entity{row.period, row.begin, row.end, 0, GpuSeconds{}, 0};
      for (std::size_t j = i + 1; j-- > 0 && r.rows[j].period == row.period;) {
        entity.begin = r.rows[j].begin;
      }
      row_line(entity, kEntityRow, "");
      money_columns(out, fin->entity[row.period]);
      out += ",0,0,0,0,0,0,0,0,\n";  // no market value: the entity owns no GPUs
    }
  }
  return out;
}

}  // namespace aidc
