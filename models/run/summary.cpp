// summary.json: the run's figures by pool, stream, campaign and inference, and its statements
// with the definitions they used; and the hash that names a scenario document.

#include "aidc/run/output.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "output_detail.hpp"

namespace aidc {

using namespace output_detail;

namespace {
nlohmann::ordered_json optional_number(const std::optional<double>& x) {
  return x ? nlohmann::ordered_json(*x) : nlohmann::ordered_json();
}

nlohmann::ordered_json statement_json(const Statement& st, bool financing) {
  nlohmann::ordered_json j;
  nlohmann::ordered_json revenue;
  for (std::size_t c = 0; c < kClassCount; ++c) {
    if (!is_internal(static_cast<WorkClass>(c)))
      revenue[class_name(static_cast<WorkClass>(c))] = st.revenue[c];
  }
  revenue["total"] = st.external_revenue();
  j["revenue_usd"] = revenue;
  nlohmann::ordered_json internal;
  for (std::size_t c = 0; c < kClassCount; ++c) {
    if (is_internal(static_cast<WorkClass>(c)))
      internal[class_name(static_cast<WorkClass>(c))] = st.revenue[c];
  }
  internal["total"] = st.internal_value();
  j["internal_value_usd"] = internal;
  j["costs_usd"] = {{"energy", st.energy},
                    {"facility", st.facility},
                    {"maintenance", st.maintenance},
                    {"network_storage", st.network_storage},
                    {"overhead", st.overhead},
                    {"revenue_share", st.revenue_share},
                    {"lease", st.lease},
                    {"total", st.costs()}};
  j["ebitda_usd"] = st.ebitda();
  j["depreciation_usd"] = st.depreciation;
  j["impairment_usd"] = st.impairment;
  j["disposal_gain_usd"] = st.disposal_gain;
  j["ebit_usd"] = st.ebit();
  j["interest_usd"] = st.interest;
  j["pre_tax_income_usd"] = st.pre_tax_income();
  j["income_tax_usd"] = {
      {"current", st.current_tax}, {"deferred", st.deferred_tax}, {"total", st.income_tax()}};
  j["net_income_usd"] = st.net_income();
  j["tax_depreciation_usd"] = st.tax_depreciation;
  j["capex_usd"] = st.capex;
  j["disposal_proceeds_usd"] = st.disposal_proceeds;
  j["tax_paid_usd"] = st.tax_paid;
  if (financing) j["unlevered_tax_paid_usd"] = st.unlevered_tax_paid;
  j["free_cash_flow_usd"] = st.free_cash_flow();
  if (financing) {
    j["debt_drawn_usd"] = st.debt_drawn;
    j["debt_repaid_usd"] = st.debt_repaid;
    j["equity_cash_flow_usd"] = st.equity_cash_flow();
    j["debt_outstanding_usd"] = st.debt_outstanding;
  }
  j["net_book_value_usd"] = st.net_book_value;
  j["tax_basis_usd"] = st.tax_basis;
  j["deferred_tax_liability_usd"] = st.deferred_tax_liability;
  j["loss_carryforward_usd"] = st.loss_carryforward;
  return j;
}
}  // namespace

nlohmann::ordered_json finance_json(const Scenario& s, const FinanceResult& f) {
  const bool financing = s.finance->financing.has_value();
  nlohmann::ordered_json j = statement_json(f.total, financing);
  j["opening_net_book_value_usd"] = f.opening_net_book_value;
  j["opening_tax_basis_usd"] = f.opening_tax_basis;
  j["opening_value"] = {{"method", f.opening.method}, {"usd", f.opening.usd}};
  j["terminal_value"] = {{"method", f.terminal.method}, {"usd", f.terminal.usd}};
  j["unserved_inference_usd"] = f.unserved_inference_usd;
  if (!f.api_periods.empty()) j["api"] = api_finance_json(f);
  j["discount_rate"] = s.finance->discount_rate;
  j["npv_usd"] = f.npv;
  j["npv_without_terminal_usd"] = f.npv_without_terminal;
  j["irr"] = optional_number(f.irr);
  if (financing) j["equity_irr"] = optional_number(f.equity_irr);
  j["payback_years"] = optional_number(f.payback_years);
  j["payback_shortfall_usd"] = f.payback_shortfall_usd;
  j["roic"] = f.roic;
  j["tco_usd_per_installed_gpu_hour"] = f.tco_usd_per_installed_gpu_hour;
  j["tco_usd_per_busy_gpu_hour"] = f.tco_usd_per_busy_gpu_hour;
  j["h100e_gpu_hours_served"] = f.h100e_gpu_hours_served;
  j["tco_usd_per_h100e_hour_served"] = f.tco_usd_per_h100e_hour_served;
  nlohmann::ordered_json be = nlohmann::ordered_json::object();
  for (const auto& b : f.break_even) {
    be[b.gpu] = {{"cash_usd_per_gpu_hour", b.cash_usd_per_gpu_hour},
                 {"full_cost_usd_per_gpu_hour", optional_number(b.full_cost_usd_per_gpu_hour)},
                 {"utilization", b.utilization}};
  }
  j["break_even_rental_price"] = be;
  nlohmann::ordered_json conventions = nlohmann::ordered_json::object();
  for (const auto& [key, text] : finance_conventions(*s.finance)) conventions[key] = text;
  j["conventions"] = conventions;
  return j;
}

std::string document_hash(const nlohmann::json& doc) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : doc.dump()) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return fmt::format("{:016x}", h);
}

nlohmann::ordered_json summary_json(const Scenario& s, const RunResult& r,
                                    const FinanceResult* finance) {
  nlohmann::ordered_json j;
  j["scenario"] = r.scenario;
  j["seed"] = r.seed;
  j["replication"] = r.replication;
  j["version"] = AIDC_VERSION;
  j["start"] = format_date(s.start);
  j["window_hours"] = {{"begin", sim::to_hours(r.window_begin - sim::Time{})},
                       {"end", sim::to_hours(r.window_end - sim::Time{})}};
  j["events_processed"] = r.events_processed;
  j["gpu_hours"] = gpu_hours_json(r.totals);
  j["utilization"] = ratio(r.totals.busy, r.totals.installed);
  nlohmann::ordered_json pools = nlohmann::ordered_json::object();
  for (std::size_t p = 0; p < s.pools.size(); ++p) {
    nlohmann::ordered_json pj;
    pj["gpu"] = s.pools[p].gpu;
    pj["site"] = s.pools[p].site;
    pj["gpu_hours"] = gpu_hours_json(r.pool_totals[p]);
    pj["utilization"] = ratio(r.pool_totals[p].busy, r.pool_totals[p].installed);
    pools[s.pools[p].id] = pj;
  }
  j["pools"] = pools;
  if (!s.sites.empty()) {
    // Each site's most power drawn at full load by the pools in service at once, against its
    // budget.
    nlohmann::ordered_json sites = nlohmann::ordered_json::object();
    for (const auto& site : s.sites) {
      nlohmann::ordered_json sj;
      sj["budget_mw"] = site.power_mw ? nlohmann::ordered_json(*site.power_mw) : nullptr;
      sj["pue"] = site.pue ? nlohmann::ordered_json(*site.pue) : nullptr;
      sj["peak_mw"] = site.peak_mw;
      sj["peak_date"] = format_date(s.date_of(site.peak_at));
      sites[site.id] = sj;
    }
    j["sites"] = sites;
  }
  nlohmann::ordered_json streams = nlohmann::ordered_json::object();
  for (const auto& st : r.streams) {
    nlohmann::ordered_json sj;
    sj["class"] = class_name(st.work_class);
    sj["arrived"] = st.arrived;
    sj["served"] = st.served;
    sj["lost"] = st.lost;
    sj["refused"] = st.refused;
    sj["declined"] = st.declined;
    sj["reneged"] = st.reneged;
    sj["preempted"] = st.preempted;
    sj["evicted"] = st.evicted;
    // Evictions by the policy: per job started, and per 1,000 GPU-hours the stream ran.
    sj["eviction_rate"] =
        st.served > 0 ? static_cast<double>(st.evicted) / static_cast<double>(st.served) : 0.0;
    const double busy_hours = to_hours(st.busy_gpu_seconds);
    sj["evictions_per_1000_gpu_hours"] =
        busy_hours > 0 ? 1000.0 * static_cast<double>(st.evicted) / busy_hours : 0.0;
    sj["waiting_at_end"] = st.waiting_at_end;
    sj["mean_wait_hours"] = st.mean_wait_hours;
    sj["p95_wait_hours"] = st.p95_wait_hours;
    sj["mean_reneged_wait_hours"] = st.mean_reneged_wait_hours;
    sj["mean_gpus_busy"] = st.mean_gpus_busy;
    sj["busy_gpu_hours"] = to_hours(st.busy_gpu_seconds);
    sj["preempted_gpu_hours"] = to_hours(st.preempted_gpu_seconds);
    streams[st.id] = sj;
  }
  j["streams"] = streams;
  const bool internal_inference =
      std::any_of(s.inference.begin(), s.inference.end(),
                  [](const auto& k) { return k.work_class == WorkClass::inference; });
  if (internal_inference) {
    nlohmann::ordered_json inf;
    inf["demand_gpu_hours"] = r.inference_demand_gpu_hours;
    inf["served_gpu_hours"] = r.inference_served_gpu_hours;
    inf["unserved_gpu_hours"] = r.inference_unserved_gpu_hours;
    inf["served_fraction"] = r.inference_demand_gpu_hours > 0
                                 ? r.inference_served_gpu_hours / r.inference_demand_gpu_hours
                                 : 1.0;
    j["inference"] = inf;
  }
  if (s.sells_tokens()) j["api"] = api_run_json(s, r);
  if (!r.campaigns.empty()) {
    nlohmann::ordered_json campaigns = nlohmann::ordered_json::object();
    for (const auto& c : r.campaigns) {
      nlohmann::ordered_json cj;
      cj["planned_start_hours"] = c.planned_start_hours;
      cj["planned_finish_hours"] = c.planned_finish_hours;
      cj["start_hours"] =
          c.start_hours < 0 ? nlohmann::ordered_json() : nlohmann::ordered_json(c.start_hours);
      cj["finish_hours"] =
          c.finish_hours < 0 ? nlohmann::ordered_json() : nlohmann::ordered_json(c.finish_hours);
      cj["delay_hours"] = c.finish_hours < 0
                              ? nlohmann::ordered_json()
                              : nlohmann::ordered_json(c.finish_hours - c.planned_finish_hours);
      cj["failures"] = c.failures;
      cj["lost_gpu_hours"] = to_hours(c.lost_gpu_seconds);
      cj["work_done_fraction"] = c.work_done_fraction;
      cj["effective_training_time"] = c.effective_training_time;
      cj["checkpoint_gpu_hours"] = to_hours(c.checkpoint_gpu_seconds);
      cj["spare_gpu_hours"] = to_hours(c.spare_gpu_seconds);
      campaigns[c.id] = cj;
    }
    j["campaigns"] = campaigns;
  }
  j["gpu_failures"] = r.gpu_failures;
  std::optional<FinanceResult> own;
  if (const FinanceResult* f = statements(s, r, finance, own)) j["finance"] = finance_json(s, *f);
  return j;
}

}  // namespace aidc
