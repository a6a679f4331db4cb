#include <algorithm>
#include <cmath>
#include <numeric>

#include "aidc/models/finance.hpp"
#include "aidc/models/metrics.hpp"
#include "aidc/models/simulation.hpp"

namespace aidc {

namespace {

constexpr double kHoursPerYear = 8766.0;  // 365.25 days
constexpr double kHoursPerMonth = kHoursPerYear / 12.0;

double hours(std::int64_t gpu_seconds) {
  return static_cast<double>(gpu_seconds) / static_cast<double>(sim::kSecondsPerHour);
}

/// The catalog's list price a class is charged at when its pricing names no price.
double list_price(const GpuType& g, WorkClass c) {
  const auto& r = g.rental_usd_per_gpu_hour;
  switch (c) {
    case WorkClass::spot:
      return r.spot.value_or(r.on_demand.value_or(0.0));
    case WorkClass::reserved:
      return r.reserved.value_or(r.on_demand.value_or(0.0));
    default:
      return r.on_demand.value_or(0.0);
  }
}

/// Power drawn by one busy GPU with its share of the server, in kW.
double busy_kw(const GpuType& g) {
  if (g.server_power_kw) return *g.server_power_kw;
  if (g.tdp_w) return *g.tdp_w / 1000.0;
  return 0.7;
}

/// Capex per GPU: the all-in figure when the catalog has one, else the GPU's price.
double default_capex(const GpuType& g) {
  return g.allin_capex_usd.value_or(g.price_usd.value_or(0.0));
}

}  // namespace

double Statement::external_revenue() const {
  double sum = 0;
  for (std::size_t c = 0; c < kClassCount; ++c) {
    if (!is_internal(static_cast<WorkClass>(c))) sum += revenue[c];
  }
  return sum;
}

double Statement::internal_value() const {
  double sum = 0;
  for (std::size_t c = 0; c < kClassCount; ++c) {
    if (is_internal(static_cast<WorkClass>(c))) sum += revenue[c];
  }
  return sum;
}

double Statement::costs() const {
  return energy + facility + maintenance + network_storage + overhead + revenue_share + lease;
}

double Statement::ebitda() const { return external_revenue() + internal_value() - costs(); }

double Statement::free_cash_flow(double tax_rate) const {
  return ebitda() - tax_rate * std::max(0.0, ebit()) - capex;
}

Statement& Statement::operator+=(const Statement& o) {
  for (std::size_t c = 0; c < kClassCount; ++c) revenue[c] += o.revenue[c];
  energy += o.energy;
  facility += o.facility;
  maintenance += o.maintenance;
  network_storage += o.network_storage;
  overhead += o.overhead;
  revenue_share += o.revenue_share;
  lease += o.lease;
  depreciation += o.depreciation;
  impairment += o.impairment;
  capex += o.capex;
  net_book_value += o.net_book_value;
  return *this;
}

double FinanceSpec::energy_price_at(sim::Time t) const {
  double usd = energy_usd_per_kwh;
  for (const auto& [from, price] : energy_changes) {
    if (t >= from) usd = price;
  }
  return usd;
}

std::shared_ptr<const FinanceSpec> read_finance(const ParamReader& f, const Scenario& s) {
  auto spec = std::make_shared<FinanceSpec>();
  if (!f.expect_object()) return spec;
  f.allow_only({"description", "discount_rate", "tax_rate", "depreciation", "pools", "prices",
                "energy_usd_per_kwh", "pue", "idle_power_fraction", "facility_usd_per_kw_month",
                "maintenance_fraction_per_year", "network_storage_usd_per_gpu_hour",
                "overhead_fraction_of_external_revenue", "overhead_usd_per_year", "revenue_share",
                "unserved_inference_usd_per_gpu_hour", "impairment_test"});
  spec->discount_rate = f.number("discount_rate", spec->discount_rate, Bound::non_negative);
  spec->tax_rate = f.number("tax_rate", 0.0, Bound::fraction);
  if (f.has("depreciation")) {
    spec->depreciation = depreciation_models().make(f.child("depreciation"));
  } else {
    const json straight = {{"model", "straight_line"}, {"life_years", 5}};
    Diagnostics none(f.diagnostics().file());
    spec->depreciation = depreciation_models().make(ParamReader(straight, "", none));
  }
  spec->pool_depreciation.assign(s.pools.size(), nullptr);
  spec->pool_capex_usd_per_gpu.assign(s.pools.size(), 0.0);
  spec->pool_lease_usd_per_gpu_hour.assign(s.pools.size(), std::nullopt);
  for (std::size_t p = 0; p < s.pools.size(); ++p) {
    spec->pool_capex_usd_per_gpu[p] = default_capex(s.catalog.at(s.pools[p].gpu));
  }
  if (f.has("pools")) {
    const ParamReader pools = f.child("pools");
    if (pools.expect_object()) {
      std::vector<std::string> ids;
      for (const auto& pool : s.pools) ids.push_back(pool.id);
      pools.allow_only(ids);
      for (std::size_t p = 0; p < s.pools.size(); ++p) {
        if (!pools.has(s.pools[p].id)) continue;
        const ParamReader one = pools.child(s.pools[p].id);
        if (!one.expect_object()) continue;
        one.allow_only({"depreciation", "capex_usd_per_gpu", "lease_usd_per_gpu_hour"});
        if (one.has("depreciation")) {
          spec->pool_depreciation[p] = depreciation_models().make(one.child("depreciation"));
        }
        spec->pool_capex_usd_per_gpu[p] =
            one.number("capex_usd_per_gpu", spec->pool_capex_usd_per_gpu[p], Bound::non_negative);
        if (one.has("lease_usd_per_gpu_hour")) {
          // An operating lease: the pool is rented, not bought, so it has no capital cost to
          // pay or depreciate.
          spec->pool_lease_usd_per_gpu_hour[p] =
              one.number("lease_usd_per_gpu_hour", 0.0, Bound::non_negative);
          spec->pool_capex_usd_per_gpu[p] = 0.0;
          for (const char* owned : {"capex_usd_per_gpu", "depreciation"}) {
            if (one.has(owned)) {
              one.error(owned,
                        "not allowed with \"lease_usd_per_gpu_hour\" (a leased pool has no capex "
                        "and no depreciation)");
            }
          }
        }
      }
    }
  }
  if (f.has("prices")) {
    const ParamReader prices = f.child("prices");
    if (prices.expect_object()) {
      std::vector<std::string> names;
      for (std::size_t c = 0; c < kClassCount; ++c)
        names.emplace_back(class_name(static_cast<WorkClass>(c)));
      prices.allow_only(names);
      for (std::size_t c = 0; c < kClassCount; ++c) {
        if (prices.has(names[c])) spec->prices[c] = pricing_models().make(prices.child(names[c]));
      }
    }
  } else {
    // By default outside customers pay the catalog's list prices.
    const json fixed = {{"model", "fixed"}};
    Diagnostics none(f.diagnostics().file());
    for (const auto c : {WorkClass::reserved, WorkClass::on_demand, WorkClass::spot}) {
      spec->prices[static_cast<std::size_t>(c)] =
          pricing_models().make(ParamReader(fixed, "", none));
    }
  }
  // A number, or a dated schedule [{"from": date, "usd_per_kwh": x}, ...]; before the first
  // date the first price holds.
  if (f.has("energy_usd_per_kwh") && f.node().at("energy_usd_per_kwh").is_array()) {
    const auto prices = read_dated_values(f, "energy_usd_per_kwh", "usd_per_kwh",
                                          Bound::non_negative, {"description"});
    if (!prices.empty()) spec->energy_usd_per_kwh = prices.front().value;
    for (const auto& d : prices) {
      spec->energy_changes.emplace_back(sim::Time{(d.from - s.start).count() * sim::kSecondsPerDay},
                                        d.value);
    }
  } else {
    spec->energy_usd_per_kwh =
        f.number("energy_usd_per_kwh", spec->energy_usd_per_kwh, Bound::non_negative);
  }
  spec->pue = f.number("pue", spec->pue, Bound::positive);
  if (spec->pue < 1)
    f.error("pue", fmt::format("out of range (got {}, expected 1 or more)", spec->pue));
  spec->idle_power_fraction =
      f.number("idle_power_fraction", spec->idle_power_fraction, Bound::fraction);
  spec->facility_usd_per_kw_month = f.number("facility_usd_per_kw_month", 0.0, Bound::non_negative);
  spec->maintenance_fraction_per_year =
      f.number("maintenance_fraction_per_year", 0.0, Bound::fraction);
  spec->network_storage_usd_per_gpu_hour =
      f.number("network_storage_usd_per_gpu_hour", 0.0, Bound::non_negative);
  spec->overhead_fraction_of_external_revenue =
      f.number("overhead_fraction_of_external_revenue", 0.0, Bound::fraction);
  spec->overhead_usd_per_year = f.number("overhead_usd_per_year", 0.0, Bound::non_negative);
  spec->unserved_inference_usd_per_gpu_hour =
      f.number("unserved_inference_usd_per_gpu_hour", 0.0, Bound::non_negative);
  if (f.has("impairment_test")) {
    if (f.node().at("impairment_test").is_boolean()) {
      spec->impairment_test = f.node().at("impairment_test").get<bool>();
    } else {
      f.error("impairment_test", fmt::format("wrong type (got {}, expected true or false)",
                                             brief(f.node().at("impairment_test"))));
    }
  }
  if (f.has("revenue_share")) {
    const ParamReader share = f.child("revenue_share");
    if (share.expect_object()) {
      share.allow_only({"fraction", "classes", "description"});
      spec->revenue_share_fraction = share.required_number("fraction", Bound::fraction);
      if (share.has("classes")) {
        spec->revenue_share_classes.fill(false);
        for (const auto& item : share.array("classes", true)) {
          const std::string name = item.node().is_string() ? item.node().get<std::string>() : "";
          bool found = false;
          for (std::size_t c = 0; c < kClassCount; ++c) {
            if (name == class_name(static_cast<WorkClass>(c))) {
              spec->revenue_share_classes[c] = true;
              found = true;
            }
          }
          if (!found) item.error("", fmt::format("unknown class (got {})", brief(item.node())));
        }
      }
    }
  }
  // Every price step cuts the run, so revenue over each piece uses one price.
  const Date end = s.date_of(s.horizon) + std::chrono::days{1};
  for (const auto& model : spec->prices) {
    if (!model) continue;
    for (const Date d : model->change_dates(s.start, end)) {
      const sim::Time t{(d - s.start).count() * sim::kSecondsPerDay};
      if (t > s.warmup && t < s.horizon) spec->price_changes.push_back(t);
    }
  }
  for (const auto& [t, usd] : spec->energy_changes) {
    if (t > s.warmup && t < s.horizon) spec->price_changes.push_back(t);
  }
  std::sort(spec->price_changes.begin(), spec->price_changes.end());
  spec->price_changes.erase(std::unique(spec->price_changes.begin(), spec->price_changes.end()),
                            spec->price_changes.end());
  return spec;
}

FinanceResult compute_finance(const Scenario& s, const RunResult& r) {
  FinanceResult out;
  const FinanceSpec& f = *s.finance;
  const std::size_t n = s.pools.size();
  auto model_of = [&](std::size_t p) -> const DepreciationModel& {
    return f.pool_depreciation[p] ? *f.pool_depreciation[p] : *f.depreciation;
  };
  auto cost_of = [&](std::size_t p) {
    return static_cast<double>(s.pools[p].count) * f.pool_capex_usd_per_gpu[p];
  };
  auto age_at = [&](std::size_t p, sim::Time t) { return age_years(t - s.pools[p].acquired); };

  // Book values at the start of the window; busy hours before it are not known, so a
  // units-of-production pool starts the window with nothing charged.
  std::vector<double> accumulated(n, 0.0);
  std::vector<double> busy_before(n, 0.0);  // per GPU, within the window
  std::vector<double> scale(n, 1.0);        // book value left after impairments / before
  for (std::size_t p = 0; p < n; ++p) {
    const auto& pool = s.pools[p];
    if (pool.acquired >= r.window_begin || pool.retire <= r.window_begin) continue;
    accumulated[p] = model_of(p).charge_usd(cost_of(p), 0.0, age_at(p, r.window_begin), 0.0, 0.0);
    out.opening_net_book_value += cost_of(p) - accumulated[p];
  }
  const double installed_total = hours(r.totals.installed);
  const double window_years =
      static_cast<double>((r.window_end - r.window_begin).seconds) / (kHoursPerYear * 3600.0);

  const std::size_t period_count = r.rows.empty() ? 0 : r.rows.back().period + 1;
  out.periods.assign(period_count, Statement{});
  out.rows.assign(r.rows.size(), Statement{});
  for (const auto& seg : r.segments) {
    const std::size_t p = seg.pool;
    const GpuType& type = s.catalog.at(s.pools[p].gpu);
    const auto& g = seg.gpu_seconds;
    Statement st;
    for (std::size_t c = 0; c < kClassCount; ++c) {
      if (!f.prices[c]) continue;
      if (f.prices[c]->priced_at_start()) {
        st.revenue[c] = g.accrued_revenue_usd[c];  // each job or contract at its own price
        continue;
      }
      if (g.by_class[c] == 0) continue;
      const double price = f.prices[c]->usd_per_gpu_hour(
          s.start, seg.begin, type, list_price(type, static_cast<WorkClass>(c)));
      st.revenue[c] = hours(g.by_class[c]) * price;
    }
    const double kw = busy_kw(type);
    const double kwh = (hours(g.busy) + hours(g.idle) * f.idle_power_fraction) * kw * f.pue;
    st.energy = kwh * f.energy_price_at(seg.begin);
    st.facility = hours(g.installed) * kw * f.facility_usd_per_kw_month / kHoursPerMonth;
    st.maintenance = hours(g.installed) / kHoursPerYear * f.pool_capex_usd_per_gpu[p] *
                     f.maintenance_fraction_per_year;
    st.network_storage = hours(g.busy) * f.network_storage_usd_per_gpu_hour;
    if (f.pool_lease_usd_per_gpu_hour[p]) {
      st.lease = hours(g.installed) * *f.pool_lease_usd_per_gpu_hour[p];
    }
    st.overhead = f.overhead_fraction_of_external_revenue * st.external_revenue() +
                  (installed_total > 0 ? f.overhead_usd_per_year * window_years *
                                             hours(g.installed) / installed_total
                                       : 0.0);
    for (std::size_t c = 0; c < kClassCount; ++c) {
      if (f.revenue_share_classes[c]) st.revenue_share += f.revenue_share_fraction * st.revenue[c];
    }
    // Depreciation runs while the pool is in service; capex is paid when it enters service.
    const auto& pool = s.pools[p];
    const sim::Time from = std::max(seg.begin, pool.in_service);
    const sim::Time to = std::min(seg.end, pool.retire);
    if (from < to) {
      const double count = static_cast<double>(pool.count);
      const double busy_per_gpu = count > 0 ? hours(g.busy) / count : 0.0;
      st.depreciation =
          scale[p] * model_of(p).charge_usd(cost_of(p), age_at(p, from), age_at(p, to),
                                            busy_before[p], busy_per_gpu);
      accumulated[p] += st.depreciation;
      busy_before[p] += busy_per_gpu;
    }
    if (pool.acquired >= seg.begin && pool.acquired < seg.end) {
      st.capex = cost_of(p);
    }
    const bool owned = pool.in_service < seg.end && pool.retire > seg.end;
    // Impairment test at each period end: what the pool can still earn renting at the
    // on-demand price, less the incremental cost, at the utilization of the period's last
    // segment (the whole period unless a price stepped within it), over the
    // rest of its depreciation life. Book value above that is written off, and later
    // depreciation shrinks in proportion.
    const bool period_end = seg.end == r.rows[seg.row].end;
    if (f.impairment_test && owned && period_end && g.installed > 0) {
      const std::size_t od = static_cast<std::size_t>(WorkClass::on_demand);
      const double list = list_price(type, WorkClass::on_demand);
      const double price =
          f.prices[od] ? f.prices[od]->usd_per_gpu_hour(s.start, seg.end, type, list) : list;
      const double incremental =
          (1.0 - f.idle_power_fraction) * kw * f.pue * f.energy_price_at(seg.end) +
          f.network_storage_usd_per_gpu_hour;
      const double utilization = static_cast<double>(g.busy) / static_cast<double>(g.installed);
      const double years_left = std::max(0.0, model_of(p).life_years() - age_at(p, seg.end));
      const double earnings = std::max(0.0, price - incremental) * utilization * years_left *
                              kHoursPerYear * static_cast<double>(pool.count);
      const double book = cost_of(p) - accumulated[p];
      const double loss = impairment_usd(book, earnings);
      if (loss > 0) {
        st.impairment = loss;
        accumulated[p] += loss;
        scale[p] *= book > 0 ? (book - loss) / book : 0.0;
      }
    }
    st.net_book_value = owned ? cost_of(p) - accumulated[p] : 0.0;
    // Segments of one reporting row add up; the book value is the last one's.
    const double nbv = st.net_book_value;
    Statement& row = out.rows[seg.row];
    row.net_book_value = 0;
    row += st;
    row.net_book_value = nbv;
  }
  for (std::size_t i = 0; i < r.rows.size(); ++i) out.periods[r.rows[i].period] += out.rows[i];
  std::vector<CashFlow> flows;
  flows.push_back({0.0, -out.opening_net_book_value});
  double closing = 0;
  for (std::size_t k = 0; k < out.periods.size(); ++k) {
    const Statement& st = out.periods[k];
    const double nbv = st.net_book_value;
    out.total += st;
    out.total.net_book_value = nbv;
    closing = nbv;
    sim::Time end{};
    for (const auto& row : r.rows) {
      if (row.period == k) end = row.end;
    }
    flows.push_back({static_cast<double>(end.seconds) / (kHoursPerYear * 3600.0),
                     st.free_cash_flow(f.tax_rate)});
  }
  // The fleet still owned at the horizon is counted at its book value.
  if (!flows.empty()) flows.back().usd += closing;
  out.npv = npv(flows, f.discount_rate);
  out.irr = irr(flows);
  out.payback_years = payback_years(flows);
  const double capital = 0.5 * (out.opening_net_book_value + closing);
  if (capital > 0 && window_years > 0) {
    out.roic =
        roic(out.total.ebit() / window_years, f.tax_rate, out.opening_net_book_value, closing);
  }
  const double cost_total = out.total.costs() + out.total.depreciation;
  out.tco_usd_per_installed_gpu_hour = installed_total > 0 ? cost_total / installed_total : 0.0;
  out.tco_usd_per_busy_gpu_hour = r.totals.busy > 0 ? cost_total / hours(r.totals.busy) : 0.0;
  out.unserved_inference_usd =
      r.inference_unserved_gpu_hours * f.unserved_inference_usd_per_gpu_hour;

  // Break-even rental prices by GPU type. Renting an idle GPU for an hour adds the energy
  // between idle and busy, the network and storage adder, and the shares of revenue paid as
  // overhead and revenue share: p = fixed + (overhead + share) p.
  const double share = f.revenue_share_classes[static_cast<std::size_t>(WorkClass::on_demand)]
                           ? f.revenue_share_fraction
                           : 0.0;
  const double keep = 1.0 - f.overhead_fraction_of_external_revenue - share;
  // Depreciation and lease are both the cost of having the GPUs, owned or rented.
  std::map<std::string, std::pair<double, double>> by_type;  // depreciation + lease, rented h
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    auto& [dep, rented] = by_type[s.pools[r.rows[i].pool].gpu];
    dep += out.rows[i].depreciation + out.rows[i].lease;
    for (const auto c : {WorkClass::reserved, WorkClass::on_demand, WorkClass::spot}) {
      rented += hours(r.rows[i].gpu_seconds.by_class[static_cast<std::size_t>(c)]);
    }
  }
  for (const auto& [gpu, totals] : by_type) {
    const GpuType& type = s.catalog.at(gpu);
    const double fixed =
        (1.0 - f.idle_power_fraction) * busy_kw(type) * f.pue * f.energy_price_at(r.window_begin) +
        f.network_storage_usd_per_gpu_hour;
    FinanceResult::BreakEven b;
    b.gpu = gpu;
    b.incremental_usd_per_gpu_hour = keep > 0 ? fixed / keep : 0.0;
    if (keep > 0 && totals.second > 0) {
      b.with_depreciation_usd_per_gpu_hour = (fixed + totals.first / totals.second) / keep;
    }
    out.break_even.push_back(b);
  }
  return out;
}

}  // namespace aidc
