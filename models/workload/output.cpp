#include "aidc/models/output.hpp"

#include "aidc/models/finance.hpp"

#include <fmt/format.h>

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
  j["training_goodput"] = hours(s.by_class[0] - s.training_lost);
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
nlohmann::ordered_json statement_json(const Statement& st, double tax_rate) {
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
  j["ebit_usd"] = st.ebit();
  j["capex_usd"] = st.capex;
  j["free_cash_flow_usd"] = st.free_cash_flow(tax_rate);
  j["net_book_value_usd"] = st.net_book_value;
  return j;
}

nlohmann::ordered_json optional_number(const std::optional<double>& x) {
  return x ? nlohmann::ordered_json(*x) : nlohmann::ordered_json();
}
}  // namespace

nlohmann::ordered_json finance_json(const Scenario& s, const FinanceResult& f) {
  nlohmann::ordered_json j = statement_json(f.total, s.finance->tax_rate);
  j["opening_net_book_value_usd"] = f.opening_net_book_value;
  j["unserved_inference_usd"] = f.unserved_inference_usd;
  j["discount_rate"] = s.finance->discount_rate;
  j["npv_usd"] = f.npv;
  j["npv_convention"] =
      "annual discounting from each period's end; the fleet's opening book value is an "
      "outflow at the start and its closing book value an inflow at the horizon";
  j["irr"] = optional_number(f.irr);
  j["payback_years"] = optional_number(f.payback_years);
  j["roic"] = f.roic;
  j["tco_usd_per_installed_gpu_hour"] = f.tco_usd_per_installed_gpu_hour;
  j["tco_usd_per_busy_gpu_hour"] = f.tco_usd_per_busy_gpu_hour;
  nlohmann::ordered_json be = nlohmann::ordered_json::object();
  for (const auto& b : f.break_even) {
    be[b.gpu] = {{"incremental_usd_per_gpu_hour", b.incremental_usd_per_gpu_hour},
                 {"with_depreciation_usd_per_gpu_hour",
                  optional_number(b.with_depreciation_usd_per_gpu_hour)}};
  }
  j["break_even_rental_price"] = be;
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
    out += ",lease_usd";  // added last, so the earlier columns keep their places
  }
  out += "\n";
  std::size_t index = 0;
  for (const auto& row : r.rows) {
    const auto& g = row.gpu_seconds;
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{}", row.period,
                       format_date(s.date_of(row.begin)), format_date(s.date_of(row.end)),
                       sim::to_hours(row.begin - sim::Time{}), sim::to_hours(row.end - sim::Time{}),
                       s.pools[row.pool].id, s.pools[row.pool].gpu, hours(g.installed),
                       hours(g.busy), hours(g.idle), hours(g.down), ratio(g.busy, g.installed));
    for (std::size_t c = 0; c < kClassCount; ++c) out += fmt::format(",{}", hours(g.by_class[c]));
    out += fmt::format(",{},{}", hours(g.by_class[0] - g.training_lost), hours(g.training_lost));
    if (fin) {
      const Statement& st = fin->rows[index];
      for (const double usd : {st.external_revenue(), st.internal_value(), st.energy, st.facility,
                               st.maintenance, st.network_storage, st.overhead, st.revenue_share,
                               st.ebitda(), st.depreciation, st.impairment, st.ebit(), st.capex,
                               st.free_cash_flow(s.finance->tax_rate), st.net_book_value}) {
        out += fmt::format(",{:.2f}", usd);
      }
      for (const double usd : st.revenue) out += fmt::format(",{:.2f}", usd);
      out += fmt::format(",{:.2f}", st.lease);
    }
    out += "\n";
    ++index;
  }
  return out;
}

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
  if (r.totals.busy > r.totals.by_class[static_cast<std::size_t>(WorkClass::on_demand)]) {
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
  if (const FinanceResult* given = statements(s, r, finance, own)) {
    const FinanceResult& f = *given;
    const auto& t = f.total;
    auto musd = [](double usd) { return fmt::format("{:.1f}M", usd / 1e6); };
    out += fmt::format(
        "\nfinance (USD): revenue {} + internal value {}; costs {}{}; EBITDA {}; depreciation {}; "
        "EBIT {}\n               capex {}; book value {} -> {}; NPV at {:.0f}% {}; IRR {}; "
        "payback {}\n",
        musd(t.external_revenue()), musd(t.internal_value()), musd(t.costs()),
        t.lease > 0 ? fmt::format(" (lease {})", musd(t.lease)) : std::string(), musd(t.ebitda()),
        musd(t.depreciation), musd(t.ebit()), musd(t.capex), musd(f.opening_net_book_value),
        musd(t.net_book_value), 100 * s.finance->discount_rate, musd(f.npv),
        f.irr ? fmt::format("{:.1f}%", 100 * *f.irr) : "none",
        f.payback_years ? fmt::format("{:.2f} y", *f.payback_years) : "never");
    for (const auto& b : f.break_even) {
      out += fmt::format(
          "               break-even rental price {}: {:.3f} USD/GPU-h (incremental), {}\n", b.gpu,
          b.incremental_usd_per_gpu_hour,
          b.with_depreciation_usd_per_gpu_hour
              ? fmt::format("{:.3f} with depreciation", *b.with_depreciation_usd_per_gpu_hour)
              : std::string("none rented"));
    }
  }
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
