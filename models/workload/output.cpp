#include "aidc/models/output.hpp"

#include "aidc/models/finance.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>

namespace aidc {

namespace {
double hours(std::int64_t gpu_seconds) {
  return static_cast<double>(gpu_seconds) / static_cast<double>(sim::kSecondsPerHour);
}

double ratio(std::int64_t a, std::int64_t b) {
  return b == 0 ? 0.0 : static_cast<double>(a) / static_cast<double>(b);
}

nlohmann::ordered_json gpu_hours_json(const GpuSeconds& s) {
  nlohmann::ordered_json j;
  j["installed"] = hours(s.installed);
  j["busy"] = hours(s.busy);
  j["idle"] = hours(s.idle);
  j["down"] = hours(s.down);
  nlohmann::ordered_json by_class;
  for (std::size_t c = 0; c < kClassCount; ++c) {
    by_class[class_name(static_cast<WorkClass>(c))] = hours(s.by_class[c]);
  }
  j["by_class"] = by_class;
  j["training_goodput"] = hours(s.by_class[index(WorkClass::training)] - s.training_lost);
  j["training_lost"] = hours(s.training_lost);
  return j;
}

std::string thousands(double x) {
  std::string digits = fmt::format("{:.0f}", x);
  std::string out;
  const std::size_t start = digits[0] == '-' ? 1 : 0;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > start && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}
}  // namespace

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

namespace {
/// The statements to report: `given`, or computed into `own` when the scenario has finance.
const FinanceResult* statements(const Scenario& s, const RunResult& r, const FinanceResult* given,
                                std::optional<FinanceResult>& own) {
  if (given || !s.finance) return given;
  own = compute_finance(s, r);
  return &*own;
}
}  // namespace

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
  nlohmann::ordered_json streams = nlohmann::ordered_json::object();
  for (const auto& st : r.streams) {
    nlohmann::ordered_json sj;
    sj["class"] = class_name(st.work_class);
    sj["arrived"] = st.arrived;
    sj["served"] = st.served;
    sj["lost"] = st.lost;
    sj["declined"] = st.declined;
    sj["reneged"] = st.reneged;
    sj["preempted"] = st.preempted;
    sj["waiting_at_end"] = st.waiting_at_end;
    sj["mean_wait_hours"] = st.mean_wait_hours;
    sj["p95_wait_hours"] = st.p95_wait_hours;
    sj["mean_gpus_busy"] = st.mean_gpus_busy;
    sj["busy_gpu_hours"] = hours(st.busy_gpu_seconds);
    sj["preempted_gpu_hours"] = hours(st.preempted_gpu_seconds);
    streams[st.id] = sj;
  }
  j["streams"] = streams;
  if (!s.inference.empty()) {
    nlohmann::ordered_json inf;
    inf["demand_gpu_hours"] = r.inference_demand_gpu_hours;
    inf["served_gpu_hours"] = r.inference_served_gpu_hours;
    inf["unserved_gpu_hours"] = r.inference_unserved_gpu_hours;
    inf["served_fraction"] = r.inference_demand_gpu_hours > 0
                                 ? r.inference_served_gpu_hours / r.inference_demand_gpu_hours
                                 : 1.0;
    j["inference"] = inf;
  }
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
      cj["lost_gpu_hours"] = hours(c.lost_gpu_seconds);
      cj["work_done_fraction"] = c.work_done_fraction;
      campaigns[c.id] = cj;
    }
    j["campaigns"] = campaigns;
  }
  j["gpu_failures"] = r.gpu_failures;
  std::optional<FinanceResult> own;
  if (const FinanceResult* f = statements(s, r, finance, own)) j["finance"] = finance_json(s, *f);
  return j;
}

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
  out += ",inference_served_gpu_hours\n";
  const auto row_line = [&](const PeriodRow& row, const std::string& pool, const std::string& gpu) {
    const auto& g = row.gpu_seconds;
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{}", row.period,
                       format_date(s.date_of(row.begin)), format_date(s.date_of(row.end)),
                       sim::to_hours(row.begin - sim::Time{}), sim::to_hours(row.end - sim::Time{}),
                       pool, gpu, hours(g.installed), hours(g.busy), hours(g.idle), hours(g.down),
                       ratio(g.busy, g.installed));
    for (std::size_t c = 0; c < kClassCount; ++c) out += fmt::format(",{}", hours(g.by_class[c]));
    out += fmt::format(",{},{}", hours(g.by_class[index(WorkClass::training)] - g.training_lost),
                       hours(g.training_lost));
  };
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    const PeriodRow& row = r.rows[i];
    row_line(row, s.pools[row.pool].id, s.pools[row.pool].gpu);
    if (fin) money_columns(out, fin->rows[i]);
    out += fmt::format(",{}\n", row.gpu_seconds.inference_served_gpu_hours);
    // After a period's pools, the entity's line: tax, interest and debt.
    const bool last_of_period = i + 1 == r.rows.size() || r.rows[i + 1].period != row.period;
    if (fin && last_of_period && row.period < fin->entity.size()) {
      PeriodRow entity{row.period, row.begin, row.end, 0, GpuSeconds{}, 0};
      for (std::size_t j = i + 1; j-- > 0 && r.rows[j].period == row.period;) {
        entity.begin = r.rows[j].begin;
      }
      row_line(entity, kEntityRow, "");
      money_columns(out, fin->entity[row.period]);
      out += ",0\n";
    }
  }
  return out;
}

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
                       thousands(hours(g.installed)), thousands(hours(g.busy)),
                       thousands(hours(g.idle)), thousands(hours(g.down)),
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
      out += fmt::format(" {:>13}", thousands(hours(r.totals.by_class[c])));
    }
    out += fmt::format(" {:>13}\n", thousands(hours(r.totals.training_lost)));
  }
  if (r.inference_demand_gpu_hours > 0) {
    out += fmt::format(
        "\ninference: demand {} GPU-hours (H100-equivalent), served {:.2f}%, unserved {}\n",
        thousands(r.inference_demand_gpu_hours),
        100.0 * r.inference_served_gpu_hours / r.inference_demand_gpu_hours,
        thousands(r.inference_unserved_gpu_hours));
  }
  if (!r.campaigns.empty()) {
    out += fmt::format("\n{:<22} {:>10} {:>10} {:>10} {:>10} {:>9} {:>14}\n", "campaigns",
                       "plan start", "start", "plan end", "end", "failures", "lost GPU-h");
    auto day = [](double h) { return h < 0 ? std::string("-") : fmt::format("d{:.1f}", h / 24.0); };
    for (const auto& c : r.campaigns) {
      out +=
          fmt::format("{:<22} {:>10} {:>10} {:>10} {:>10} {:>9} {:>14}\n", c.id,
                      day(c.planned_start_hours), day(c.start_hours), day(c.planned_finish_hours),
                      day(c.finish_hours), c.failures, thousands(hours(c.lost_gpu_seconds)));
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

void write_files_atomically(const std::string& dir,
                            const std::vector<std::pair<std::string, std::string>>& files) {
  namespace fs = std::filesystem;
  fs::create_directories(dir);
  std::vector<std::pair<fs::path, fs::path>> staged;
  for (const auto& [name, content] : files) {
    const fs::path final_path = fs::path(dir) / name;  // `name` may hold a subfolder
    fs::create_directories(final_path.parent_path());
    std::string temp_name = ".";
    temp_name += final_path.filename().string();
    temp_name += ".partial";
    const fs::path temp_path = final_path.parent_path() / temp_name;
    std::ofstream out(temp_path, std::ios::binary | std::ios::trunc);
    out << content;
    out.close();
    if (!out) throw std::runtime_error(fmt::format("cannot write {}", temp_path.string()));
    staged.emplace_back(temp_path, final_path);
  }
  for (const auto& [temp_path, final_path] : staged) fs::rename(temp_path, final_path);
}

}  // namespace aidc
