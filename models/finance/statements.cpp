// The pools' statements: each segment of each reporting row (one period of one pool, cut
// where a price steps or a fiscal year ends) priced line by line, with book and tax
// depreciation, impairment under a named standard, and disposals at resale value.

#include <algorithm>
#include <cmath>
#include <limits>

#include "aidc/finance/capital.hpp"
#include "aidc/finance/finance.hpp"
#include "aidc/workload/simulation.hpp"
#include "ledger.hpp"
#include "schedule.hpp"

namespace aidc {

namespace {

using finance::kHoursPerYear;
using finance::power_of;
using finance::to_hours;
constexpr double kHoursPerMonth = kHoursPerYear / 12.0;

/// The GPU type in whose hours inference demand is counted: the catalog's H100, else a type
/// with an inference factor of 1 and no list price.
GpuType reference_type(const Scenario& s) {
  if (const auto it = s.catalog.find("H100"); it != s.catalog.end()) return it->second;
  GpuType g;
  g.id = "H100-equivalent";
  return g;
}

constexpr std::size_t kInference = index(WorkClass::inference);
constexpr std::size_t kOnDemand = index(WorkClass::on_demand);
constexpr std::size_t kApi = index(WorkClass::api);
constexpr std::size_t kReserved = index(WorkClass::reserved);

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

double Statement::free_cash_flow() const {
  return ebitda() + disposal_proceeds - capex - unlevered_tax_paid;
}

double Statement::equity_cash_flow() const {
  return ebitda() + disposal_proceeds - capex - tax_paid - interest + debt_drawn - debt_repaid;
}

void Statement::add(const Statement& o, bool add_stocks) {
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
  disposal_gain += o.disposal_gain;
  interest += o.interest;
  current_tax += o.current_tax;
  deferred_tax += o.deferred_tax;
  tax_paid += o.tax_paid;
  unlevered_tax_paid += o.unlevered_tax_paid;
  tax_depreciation += o.tax_depreciation;
  capex += o.capex;
  disposal_proceeds += o.disposal_proceeds;
  debt_drawn += o.debt_drawn;
  debt_repaid += o.debt_repaid;
  const double scale = add_stocks ? 1.0 : 0.0;
  net_book_value = scale * net_book_value + o.net_book_value;
  tax_basis = scale * tax_basis + o.tax_basis;
  debt_outstanding = scale * debt_outstanding + o.debt_outstanding;
  deferred_tax_liability = scale * deferred_tax_liability + o.deferred_tax_liability;
  loss_carryforward = scale * loss_carryforward + o.loss_carryforward;
}

namespace finance {

std::size_t period_of(const Ledger& ledger, sim::Time t) {
  const auto& ends = ledger.period_ends;
  const auto it = std::lower_bound(ends.begin(), ends.end(), t);
  if (it == ends.end()) return ends.empty() ? 0 : ends.size() - 1;
  return static_cast<std::size_t>(it - ends.begin());
}

Ledger pool_statements(const Scenario& s, const RunResult& r, FinanceResult& out) {
  Ledger ledger;
  const FinanceSpec& f = *s.finance;
  const FiscalCalendar& calendar = f.tax.calendar;
  const std::size_t n = s.pools.size();
  const GpuType reference = reference_type(s);
  auto cost_of = [&](std::size_t p) {
    return static_cast<double>(s.pools[p].count) * f.pool_capex_usd_per_gpu[p];
  };
  auto age_at = [&](std::size_t p, sim::Time t) { return age_years(t - s.pools[p].acquired); };
  auto resale_at = [&](std::size_t p, sim::Time t) {
    const auto it = f.resale.find(s.pools[p].gpu);
    return it == f.resale.end() ? 0.0 : cost_of(p) * resale_share(it->second, age_at(p, t));
  };
  // The resale value of the pool's GPUs if owned and in service at `t`.
  auto in_service_resale_at = [&](std::size_t p, sim::Time t) {
    const auto& pool = s.pools[p];
    return pool.in_service < t && pool.retire > t ? resale_at(p, t) : 0.0;
  };
  auto date_at = [&](sim::Time t) { return s.date_of(t); };

  // Depreciation schedules; MACRS conventions depend on what the fleet placed in service.
  std::vector<std::pair<Date, double>> placed;
  for (std::size_t p = 0; p < n; ++p) {
    if (cost_of(p) > 0) {
      placed.emplace_back(
          s.start + std::chrono::days{s.pools[p].acquired.seconds / sim::kSecondsPerDay},
          cost_of(p));
    }
  }
  const auto conventions = finance::macrs_conventions(placed, calendar);
  std::vector<PoolDepreciation> book, tax;
  for (std::size_t p = 0; p < n; ++p) {
    const DepreciationModel& b = f.pool_depreciation[p] ? *f.pool_depreciation[p] : *f.depreciation;
    const DepreciationModel& t = f.tax.depreciation ? *f.tax.depreciation : b;
    book.emplace_back(b, cost_of(p), s, s.pools[p].acquired, s.pools[p].retire, calendar,
                      conventions);
    tax.emplace_back(t, cost_of(p), s, s.pools[p].acquired, s.pools[p].retire, calendar,
                     conventions);
  }

  // The window opens: what was charged before it; units of production assume a busy share.
  std::vector<double> accumulated(n, 0.0), tax_accumulated(n, 0.0);
  std::vector<double> busy_before(n, 0.0);  // busy hours per GPU since in service
  std::vector<double> scale(n, 1.0);        // book value left after impairments / before
  for (std::size_t p = 0; p < n; ++p) {
    const auto& pool = s.pools[p];
    if (cost_of(p) <= 0) continue;
    // The fleet bought before the scenario's start is valued by the opening method; what is
    // bought from the start on is paid in cash (during the warm-up: when the window opens).
    if (pool.ordered < sim::Time{} && pool.acquired >= sim::Time{}) {
      ledger.opening_prepaid += f.pool_deposit_fraction[p] * cost_of(p);
    }
    if (pool.acquired >= r.window_begin || pool.retire <= r.window_begin) continue;
    busy_before[p] =
        f.utilization_before_window.value_or(0.0) * sim::to_hours(r.window_begin - pool.acquired);
    accumulated[p] = book[p].charge(pool.acquired, r.window_begin, 0.0, busy_before[p]);
    tax_accumulated[p] = tax[p].charge(pool.acquired, r.window_begin, 0.0, busy_before[p]);
    out.opening_net_book_value += cost_of(p) - accumulated[p];
    out.opening_tax_basis += cost_of(p) - tax_accumulated[p];
    if (pool.acquired < sim::Time{}) {
      ledger.opening_book += cost_of(p) - accumulated[p];
      ledger.opening_resale += resale_at(p, r.window_begin);
    }
  }

  const double installed_total = to_hours(r.totals.installed);
  const double window_years =
      static_cast<double>((r.window_end - r.window_begin).seconds) / finance::kSecondsPerYear;
  // For the impairment test's trailing utilization: (end, busy, installed) by pool, cumulative.
  struct Mark {
    sim::Time end;
    std::int64_t busy, installed;
  };
  std::vector<std::vector<Mark>> marks(n, std::vector<Mark>{{r.window_begin, 0, 0}});

  const std::size_t period_count = r.rows.empty() ? 0 : r.rows.back().period + 1;
  ledger.period_ends.assign(period_count, sim::Time{});
  for (const auto& row : r.rows) ledger.period_ends[row.period] = row.end;
  out.rows.assign(r.rows.size(), Statement{});
  std::vector<double> book_value(n, 0.0), tax_basis(n, 0.0);
  for (std::size_t i = 0; i < r.segments.size(); ++i) {
    const auto& seg = r.segments[i];
    const std::size_t p = seg.pool;
    const auto& pool = s.pools[p];
    const GpuType& type = s.catalog.at(pool.gpu);
    const auto& g = seg.gpu_seconds;
    const double cost = cost_of(p);
    Statement st;
    for (std::size_t c = 0; c < kClassCount; ++c) {
      if (!f.prices[c]) continue;
      if (c == kInference) {
        // Internal inference is valued by the work served, in H100-equivalent GPU-hours.
        const double price = f.prices[c]->usd_per_gpu_hour(
            s.start, seg.begin, reference, list_price(reference, WorkClass::inference));
        st.revenue[c] = g.inference_served_gpu_hours * price;
      } else if (c == kApi) {
        // Model access is billed on the tokens served, input and output at their prices.
        const TokenPrices price = *f.prices[c]->token_prices(s.start, seg.begin);
        st.revenue[c] =
            (g.api_input_tokens * price.input + g.api_output_tokens * price.output) / 1e6;
      } else if (f.prices[c]->priced_at_start() || c == kReserved) {
        // Each job or contract at its own price: contracts are priced when booked.
        st.revenue[c] = g.accrued_revenue_usd[c];
      } else if (g.by_class[c] > 0) {
        const double price = f.prices[c]->usd_per_gpu_hour(
            s.start, seg.begin, type, list_price(type, static_cast<WorkClass>(c)));
        st.revenue[c] = to_hours(g.by_class[c]) * price;
      }
    }
    const ServerPower& power = power_of(f, type);
    const double kw = power.busy_kw;
    const double kwh = (to_hours(g.busy) * kw + to_hours(g.idle) * power.idle_kw) * f.pue;
    st.energy = kwh * f.energy_price_at(seg.begin);
    st.facility = to_hours(g.installed) * kw * f.facility_usd_per_kw_month / kHoursPerMonth;
    st.maintenance = to_hours(g.installed) / kHoursPerYear * f.pool_capex_usd_per_gpu[p] *
                     f.maintenance_fraction_per_year;
    st.network_storage = to_hours(g.busy) * f.network_storage_usd_per_gpu_hour;
    if (f.pool_lease_usd_per_gpu_hour[p]) {
      st.lease = to_hours(g.installed) * *f.pool_lease_usd_per_gpu_hour[p];
    }
    st.overhead = f.overhead_fraction_of_external_revenue * st.external_revenue() +
                  (installed_total > 0 ? f.overhead_usd_per_year * window_years *
                                             to_hours(g.installed) / installed_total
                                       : 0.0);
    for (std::size_t c = 0; c < kClassCount; ++c) {
      if (f.revenue_share_classes[c]) st.revenue_share += f.revenue_share_fraction * st.revenue[c];
    }
    // Purchases: the deposit when ordered, the rest on delivery (with the loan, if any).
    if (cost > 0) {
      const double deposit = f.pool_deposit_fraction[p] * cost;
      auto paid_in_segment = [&](sim::Time t) {
        if (t < sim::Time{}) return false;  // before the start: the opening fleet's history
        const sim::Time paid = std::max(t, r.window_begin);
        return paid >= seg.begin && paid < seg.end;
      };
      if (paid_in_segment(pool.ordered)) st.capex += deposit;
      if (paid_in_segment(pool.acquired)) {
        st.capex += cost - deposit;
        if (f.financing) {
          ledger.borrowings.emplace_back(std::max(pool.acquired, r.window_begin),
                                         f.financing->debt_fraction * cost);
        }
      }
    }
    // Depreciation runs while the pool is in service.
    const sim::Time from = std::max(seg.begin, pool.in_service);
    const sim::Time to = std::min(seg.end, pool.retire);
    if (cost > 0 && from < to) {
      const double busy = pool.count > 0 ? to_hours(g.busy) / static_cast<double>(pool.count) : 0.0;
      st.depreciation = scale[p] * book[p].charge(from, to, busy_before[p], busy);
      st.tax_depreciation = tax[p].charge(from, to, busy_before[p], busy);
      accumulated[p] += st.depreciation;
      tax_accumulated[p] += st.tax_depreciation;
      busy_before[p] += busy;
    }
    marks[p].push_back(
        {seg.end, marks[p].back().busy + g.busy, marks[p].back().installed + g.installed});
    const bool owned = cost > 0 && pool.in_service < seg.end && pool.retire > seg.end;
    const bool period_end = seg.end == r.rows[seg.row].end;
    if (f.impairment != ImpairmentStandard::none && owned && period_end) {
      // The pool's cash flows at the current on-demand price over its remaining life, at the
      // stated utilization or its busy share over the trailing year.
      double u = 0;
      if (f.impairment_utilization) {
        u = *f.impairment_utilization;
      } else {
        const sim::Time since{seg.end.seconds -
                              static_cast<std::int64_t>(finance::kSecondsPerYear)};
        const auto& m = marks[p];
        auto it = std::upper_bound(m.begin(), m.end(), since,
                                   [](sim::Time t, const Mark& x) { return t < x.end; });
        const Mark& then = it == m.begin() ? m.front() : *(it - 1);
        const auto installed = m.back().installed - then.installed;
        u = installed > 0
                ? static_cast<double>(m.back().busy - then.busy) / static_cast<double>(installed)
                : 0.0;
      }
      const double list = list_price(type, WorkClass::on_demand);
      const double price = f.prices[kOnDemand]
                               ? f.prices[kOnDemand]->usd_per_gpu_hour(s.start, seg.end, type, list)
                               : list;
      const double share = f.overhead_fraction_of_external_revenue +
                           (f.revenue_share_classes[kOnDemand] ? f.revenue_share_fraction : 0.0);
      const double per_hour =
          price * u * (1.0 - share) -
          (u * kw + (1.0 - u) * power.idle_kw) * f.pue * f.energy_price_at(seg.end) -
          kw * f.facility_usd_per_kw_month / kHoursPerMonth -
          f.pool_capex_usd_per_gpu[p] * f.maintenance_fraction_per_year / kHoursPerYear -
          f.network_storage_usd_per_gpu_hour * u;
      const DepreciationModel& model =
          f.pool_depreciation[p] ? *f.pool_depreciation[p] : *f.depreciation;
      const double years_left = std::max(0.0, model.life_years() - age_at(p, seg.end));
      const double yearly = per_hour * kHoursPerYear * static_cast<double>(pool.count);
      const double book_now = cost - accumulated[p];
      const double fair = resale_at(p, seg.end);
      const double loss = f.impairment == ImpairmentStandard::us_gaap
                              ? impairment_us_gaap_usd(book_now, yearly * years_left, fair)
                              : impairment_ifrs_usd(book_now, fair,
                                                    yearly * level_flow_present_value_factor(
                                                                 years_left, f.discount_rate));
      if (loss > 0) {
        st.impairment = loss;
        accumulated[p] += loss;
        scale[p] *= book_now > 0 ? (book_now - loss) / book_now : 0.0;
      }
    }
    const int fiscal_year = calendar.year_of(date_at(seg.begin));
    auto& year = ledger.years[fiscal_year];
    if (cost > 0 && pool.retire > seg.begin && pool.retire <= seg.end) {
      // Disposal: sold at its resale value (or the stated salvage); the gain or loss against
      // book value is in EBIT, and against the tax basis in taxable income.
      const double proceeds = f.pool_salvage_usd_per_gpu[p]
                                  ? *f.pool_salvage_usd_per_gpu[p] * static_cast<double>(pool.count)
                                  : resale_at(p, pool.retire);
      st.disposal_proceeds = proceeds;
      st.disposal_gain = proceeds - (cost - accumulated[p]);
      year.tax_gain += proceeds - (cost - tax_accumulated[p]);
      accumulated[p] = tax_accumulated[p] = cost;
    }
    book_value[p] = st.net_book_value = owned ? cost - accumulated[p] : 0.0;
    tax_basis[p] = st.tax_basis = owned ? cost - tax_accumulated[p] : 0.0;
    year.ebitda += st.ebitda();
    year.tax_depreciation += st.tax_depreciation;
    year.end = std::min(
        seg.end, sim::Time{(calendar.end(fiscal_year) - s.start).count() * sim::kSecondsPerDay});
    const bool last_of_cut = i + 1 == r.segments.size() || r.segments[i + 1].begin != seg.begin;
    if (last_of_cut) {
      year.book_value_end = year.tax_basis_end = 0;
      for (std::size_t q = 0; q < n; ++q) {
        year.book_value_end += book_value[q];
        year.tax_basis_end += tax_basis[q];
      }
    }
    // Segments of one reporting row add up; the stocks are the last one's.
    out.rows[seg.row].add(st, false);
  }
  // The fleet at the horizon: resale value of what is owned, and deposits on later deliveries.
  for (std::size_t p = 0; p < n; ++p) {
    const auto& pool = s.pools[p];
    if (cost_of(p) <= 0) continue;
    ledger.closing_resale += in_service_resale_at(p, r.window_end);
    if (pool.ordered < r.window_end && pool.acquired >= r.window_end) {
      ledger.closing_prepaid += f.pool_deposit_fraction[p] * cost_of(p);
    }
  }
  // The market value of each row: its pool's GPUs in service at the row's end, at resale.
  out.market_value_usd.assign(r.rows.size(), std::nullopt);
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    const std::size_t p = r.rows[i].pool;
    if (f.resale.count(s.pools[p].gpu)) {
      out.market_value_usd[i] = in_service_resale_at(p, r.rows[i].end);
    }
  }
  // Inference demand left unserved, valued at the inference transfer price.
  if (f.prices[kInference]) {
    for (const auto& piece : r.inference_pieces) {
      const double price = f.prices[kInference]->usd_per_gpu_hour(
          s.start, piece.begin, reference, list_price(reference, WorkClass::inference));
      out.unserved_inference_usd += (piece.demand_gpu_hours - piece.served_gpu_hours) * price;
    }
  }
  return ledger;
}

}  // namespace finance

FinanceResult compute_finance(const Scenario& s, const RunResult& r) {
  FinanceResult out;
  finance::Ledger ledger = finance::pool_statements(s, r, out);
  finance::token_economics(s, r, ledger, out);
  finance::entity_statements(s, r, ledger, out);
  finance::horizon_metrics(s, r, ledger, out);
  return out;
}

}  // namespace aidc
