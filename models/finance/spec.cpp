// Reads a scenario's "finance" section into a FinanceSpec; every problem is recorded with its
// JSON pointer, and every choice a statement depends on is explicit (see docs/models.md).

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

#include "aidc/depreciation/macrs.hpp"
#include "aidc/finance/finance.hpp"
#include "ledger.hpp"
#include "spec_parts.hpp"

namespace aidc {

using nlohmann::json;

namespace {

/// Records a problem at `key` of the object `child` of `parent`, which need not exist: the
/// place where the missing value belongs.
void error_under(const ParamReader& parent, std::string_view child, std::string_view key,
                 const std::string& message) {
  const ParamReader at(parent.node(), parent.pointer_of(child), parent.diagnostics());
  at.error(key, message);
}

/// "; key, value, is what": a figure the catalog has that does not stand in for the one missing.
std::string not_instead(const char* key, const std::optional<double>& value, const char* what) {
  return value ? fmt::format("; {}, {:g}, is {}", key, *value, what) : std::string();
}

/// Every bought pool has a capital cost: its own capex_usd_per_gpu, else its type's all-in
/// capex in the catalog. A chip price alone is not a pool's cost, so there is no fallback to it.
void check_capex(const ParamReader& f, const Scenario& s, const FinanceSpec& spec) {
  const ParamReader pools(f.node(), f.pointer_of("pools"), f.diagnostics());
  auto states_capex = [&f](const std::string& id) {
    const json& node = f.node();
    if (!node.contains("pools") || !node.at("pools").is_object()) return false;
    const json& given = node.at("pools");
    return given.contains(id) && given.at(id).is_object() &&
           given.at(id).contains("capex_usd_per_gpu");
  };
  for (std::size_t p = 0; p < s.pools.size(); ++p) {
    const PoolSpec& pool = s.pools[p];
    if (spec.pool_lease_usd_per_gpu_hour[p]) continue;
    if (states_capex(pool.id)) continue;
    const auto it = s.catalog.find(pool.gpu);
    if (it == s.catalog.end() || it->second.allin_capex_usd) continue;
    const GpuType& g = it->second;
    error_under(pools, pool.id, "capex_usd_per_gpu",
                fmt::format("missing required key: pool \"{}\" is bought and its GPU type \"{}\" "
                            "has no all-in capex in the catalog (allin_capex_usd: null{}) "
                            "(expected USD per GPU: the server, its share of the network and "
                            "installation; or the type's allin_capex_usd under /catalog/{})",
                            pool.id, pool.gpu,
                            not_instead("price_usd", g.price_usd, "the GPU alone"), pool.gpu));
  }
}

/// The power of each GPU type of the fleet at the server, busy and idle. A type without a
/// server power (or, unless idle_power_fraction is stated, an idle server power) is an error
/// at the catalog key that would give it: no board power or constant stands in for it.
void read_server_power(const ParamReader& f, const Scenario& s, FinanceSpec& spec) {
  const ParamReader catalog(f.node(), "/catalog", f.diagnostics());
  for (const PoolSpec& pool : s.pools) {
    const auto it = s.catalog.find(pool.gpu);
    if (it == s.catalog.end() || spec.server_power.count(pool.gpu) > 0) continue;
    const GpuType& g = it->second;
    bool complete = true;
    auto missing = [&](const char* key, const std::string& found, const char* expected) {
      complete = false;
      error_under(catalog, pool.gpu, key,
                  fmt::format("missing required key: GPU type \"{}\" of pool \"{}\" has {} "
                              "(expected {})",
                              pool.gpu, pool.id, found, expected));
    };
    if (!g.server_power_kw) {
      missing("server_power_kw",
              fmt::format("no server power (server_power_kw: null{}), by which the finance "
                          "section charges energy and facility",
                          not_instead("tdp_w", g.tdp_w, "the board alone")),
              "kW per GPU at the server, busy");
    }
    if (!g.server_idle_power_kw && !spec.idle_power_fraction) {
      missing("server_idle_power_kw",
              "no idle server power (server_idle_power_kw: null) and the finance section "
              "states no idle_power_fraction",
              "kW per GPU at the server, idle; or /finance/idle_power_fraction for every type");
    }
    if (!complete) continue;
    const double busy = *g.server_power_kw;
    spec.server_power[pool.gpu] = {busy, spec.idle_power_fraction ? *spec.idle_power_fraction * busy
                                                                  : *g.server_idle_power_kw};
  }
}

std::shared_ptr<const DepreciationModel> built_in(const ParamReader& f, const json& model) {
  Diagnostics none(f.diagnostics().file());
  return depreciation_models().make(ParamReader(model, "", none));
}

/// Keys of earlier versions, refused with what replaces them.
void refuse_replaced(const ParamReader& f) {
  const std::pair<const char*, const char*> replaced[] = {
      {"tax_rate", "moved to \"tax\": {\"rate\": ...}"},
      {"impairment_test",
       "replaced by \"impairment\": {\"standard\": \"us_gaap\"} or {\"standard\": \"ifrs\"}"},
      {"unserved_inference_usd_per_gpu_hour",
       "removed: unserved inference is valued at the inference transfer price "
       "(\"prices\": {\"inference\": ...}), per H100-equivalent GPU-hour"},
  };
  for (const auto& [key, what] : replaced) {
    if (f.has(key)) f.error(key, what);
  }
}

void read_tax(const ParamReader& t, FinanceSpec& spec) {
  if (!t.expect_object()) return;
  t.allow_only({"description", "rate", "fiscal_year_end_month", "depreciation", "loss_offset_limit",
                "loss_carryforward_years", "opening_loss_carryforward_usd", "payments"});
  TaxSpec& tax = spec.tax;
  tax.rate = t.required_number("rate", Bound::fraction);
  const auto month = t.integer("fiscal_year_end_month", 12, Bound::positive);
  if (month < 1 || month > 12) {
    t.error("fiscal_year_end_month", fmt::format("out of range (got {}, expected 1 to 12)", month));
  } else {
    tax.calendar.end_month = static_cast<int>(month);
  }
  if (t.has("depreciation")) tax.depreciation = depreciation_models().make(t.child("depreciation"));
  tax.loss_offset_limit = t.number("loss_offset_limit", tax.loss_offset_limit, Bound::fraction);
  if (t.has("loss_carryforward_years")) {
    const auto years = t.integer("loss_carryforward_years", 1, Bound::positive);
    if (years >= 1) tax.loss_carryforward_years = static_cast<int>(years);
  }
  tax.opening_loss_carryforward_usd =
      t.number("opening_loss_carryforward_usd", 0.0, Bound::non_negative);
  tax.payments = t.choice("payments", {"annual", "quarterly"}, "annual") == "quarterly"
                     ? TaxPayments::quarterly
                     : TaxPayments::annual;
}

void read_pools(const ParamReader& pools, const Scenario& s, FinanceSpec& spec) {
  if (!pools.expect_object()) return;
  std::vector<std::string> ids;
  for (const auto& pool : s.pools) ids.push_back(pool.id);
  pools.allow_only(ids);
  for (std::size_t p = 0; p < s.pools.size(); ++p) {
    if (!pools.has(s.pools[p].id)) continue;
    const ParamReader one = pools.child(s.pools[p].id);
    if (!one.expect_object()) continue;
    one.allow_only({"depreciation", "capex_usd_per_gpu", "lease_usd_per_gpu_hour",
                    "deposit_fraction", "salvage_usd_per_gpu", "description"});
    if (one.has("depreciation")) {
      spec.pool_depreciation[p] = depreciation_models().make(one.child("depreciation"));
    }
    spec.pool_capex_usd_per_gpu[p] =
        one.number("capex_usd_per_gpu", spec.pool_capex_usd_per_gpu[p], Bound::non_negative);
    spec.pool_deposit_fraction[p] =
        one.number("deposit_fraction", spec.pool_deposit_fraction[p], Bound::fraction);
    if (one.has("salvage_usd_per_gpu")) {
      spec.pool_salvage_usd_per_gpu[p] =
          one.number("salvage_usd_per_gpu", 0.0, Bound::non_negative);
    }
    if (one.has("lease_usd_per_gpu_hour")) {
      // An operating lease: the pool is rented, not bought, so it has no capital cost to pay,
      // depreciate or sell.
      spec.pool_lease_usd_per_gpu_hour[p] =
          one.number("lease_usd_per_gpu_hour", 0.0, Bound::non_negative);
      spec.pool_capex_usd_per_gpu[p] = 0.0;
      for (const char* owned :
           {"capex_usd_per_gpu", "depreciation", "deposit_fraction", "salvage_usd_per_gpu"}) {
        if (one.has(owned)) {
          one.error(owned,
                    "not allowed with \"lease_usd_per_gpu_hour\" (a leased pool has no capex, "
                    "no depreciation and nothing to sell)");
        }
      }
    }
  }
}

/// "terminal_value": "resale", or {"method": "going_concern", "growth_rate": 0.02}.
void read_terminal(const ParamReader& f, FinanceSpec& spec) {
  if (!f.has("terminal_value")) return;
  const std::vector<std::string> methods{"none", "book", "resale", "going_concern"};
  std::string method = "resale";
  if (f.node().at("terminal_value").is_object()) {
    const ParamReader t = f.child("terminal_value");
    t.allow_only({"method", "growth_rate", "description"});
    method = t.choice("method", methods, "resale");
    if (!t.has("method"))
      t.error("method",
              "missing required key (expected one of: none, book, "
              "resale, going_concern)");
    if (method == "going_concern") {
      spec.terminal_growth_rate = t.required_number("growth_rate");
      if (t.has("growth_rate") && spec.terminal_growth_rate >= spec.discount_rate) {
        t.error("growth_rate",
                fmt::format("out of range (got {}, expected below the discount rate {}: Gordon's "
                            "formula needs r > g)",
                            spec.terminal_growth_rate, spec.discount_rate));
      }
    } else if (t.has("growth_rate")) {
      t.error("growth_rate", "only a going_concern terminal value has a growth rate");
    }
  } else {
    method = f.choice("terminal_value", methods, "resale");
    if (method == "going_concern") {
      f.error("terminal_value",
              "a going concern needs a growth rate (expected {\"method\": \"going_concern\", "
              "\"growth_rate\": g})");
    }
  }
  spec.terminal = method == "none"            ? TerminalMethod::none
                  : method == "book"          ? TerminalMethod::book
                  : method == "going_concern" ? TerminalMethod::going_concern
                                              : TerminalMethod::resale;
}

void read_impairment(const ParamReader& i, FinanceSpec& spec) {
  if (!i.expect_object()) return;
  i.allow_only({"standard", "utilization", "description"});
  if (!i.has("standard")) {
    i.error("standard", "missing required key (expected one of: none, us_gaap, ifrs)");
  }
  const std::string standard = i.choice("standard", {"none", "us_gaap", "ifrs"}, "none");
  spec.impairment = standard == "us_gaap" ? ImpairmentStandard::us_gaap
                    : standard == "ifrs"  ? ImpairmentStandard::ifrs
                                          : ImpairmentStandard::none;
  if (i.has("utilization"))
    spec.impairment_utilization = i.number("utilization", 0, Bound::fraction);
}

void read_financing(const ParamReader& d, FinanceSpec& spec) {
  if (!d.expect_object()) return;
  d.allow_only({"debt_fraction", "interest_rate", "term_years", "repayment", "description"});
  FinancingSpec fin;
  fin.debt_fraction = d.required_number("debt_fraction", Bound::fraction);
  fin.interest_rate = d.required_number("interest_rate", Bound::non_negative);
  fin.term_years = d.required_number("term_years", Bound::positive);
  if (fin.term_years > 100) {
    d.error("term_years",
            fmt::format("out of range (got {}, expected at most 100)", fin.term_years));
  }
  fin.repayment = d.choice("repayment", {"annuity", "straight"}, "annuity") == "straight"
                      ? LoanRepayment::straight
                      : LoanRepayment::annuity;
  spec.financing = fin;
}

/// Every GPU type whose resale value some statement needs has a curve.
void check_resale_curves(const ParamReader& f, const Scenario& s, const FinanceSpec& spec) {
  std::set<std::string> reported;
  auto need = [&](std::size_t p, const char* key, const char* why) {
    const std::string& gpu = s.pools[p].gpu;
    if (spec.resale.count(gpu) || !s.catalog.count(gpu) || !reported.insert(gpu).second) return;
    f.error(key, fmt::format("no resale curve for GPU type \"{}\", which {} (give "
                             "/finance/resale/{} as {{\"initial_share\": s, \"decline_per_year\": "
                             "d}})",
                             gpu, why, gpu));
  };
  for (std::size_t p = 0; p < s.pools.size(); ++p) {
    if (spec.pool_capex_usd_per_gpu[p] <= 0) continue;  // leased, or free
    const PoolSpec& pool = s.pools[p];
    const bool before = pool.acquired < sim::Time{} && pool.retire > s.warmup;
    const bool at_horizon = pool.in_service < s.horizon && pool.retire > s.horizon;
    const bool sold =
        pool.retire > s.warmup && pool.retire <= s.horizon && !spec.pool_salvage_usd_per_gpu[p];
    if (before && spec.opening == OpeningValue::resale) {
      need(p, "opening_value", "is valued at resale when the window opens");
    }
    if (at_horizon && spec.terminal == TerminalMethod::resale) {
      need(p, "terminal_value", "is valued at resale at the horizon");
    }
    if (sold) need(p, "resale", "retires within the window and is sold at its resale value");
    if (spec.impairment != ImpairmentStandard::none) {
      need(p, "impairment", "is written down to its fair value (its resale value)");
    }
  }
}

}  // namespace

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
  f.allow_only({"description",
                "discount_rate",
                "tax",
                "depreciation",
                "pools",
                "prices",
                "energy_usd_per_kwh",
                "pue",
                "idle_power_fraction",
                "facility_usd_per_kw_month",
                "maintenance_fraction_per_year",
                "network_storage_usd_per_gpu_hour",
                "overhead_fraction_of_external_revenue",
                "overhead_usd_per_year",
                "revenue_share",
                "opening_value",
                "terminal_value",
                "impairment",
                "resale",
                "utilization_before_window",
                "deposit_fraction",
                "financing",
                "tax_rate",
                "impairment_test",
                "unserved_inference_usd_per_gpu_hour"});
  refuse_replaced(f);
  spec->discount_rate = f.number("discount_rate", spec->discount_rate, Bound::non_negative);
  spec->depreciation = f.has("depreciation")
                           ? depreciation_models().make(f.child("depreciation"))
                           : built_in(f, {{"model", "straight_line"}, {"life_years", 5}});
  if (f.has("tax")) read_tax(f.child("tax"), *spec);
  if (!spec->tax.depreciation && spec->tax.rate > 0) {
    spec->tax.depreciation = built_in(f, {{"model", "macrs"}, {"recovery_years", 5}});
  }
  const std::size_t n = s.pools.size();
  spec->pool_depreciation.assign(n, nullptr);
  spec->pool_capex_usd_per_gpu.assign(n, 0.0);
  spec->pool_lease_usd_per_gpu_hour.assign(n, std::nullopt);
  spec->pool_salvage_usd_per_gpu.assign(n, std::nullopt);
  const double deposit = f.number("deposit_fraction", 0.0, Bound::fraction);
  spec->pool_deposit_fraction.assign(n, deposit);
  for (std::size_t p = 0; p < n; ++p) {
    const auto it = s.catalog.find(s.pools[p].gpu);
    if (it != s.catalog.end() && it->second.allin_capex_usd) {
      spec->pool_capex_usd_per_gpu[p] = *it->second.allin_capex_usd;
    }
  }
  if (f.has("pools")) read_pools(f.child("pools"), s, *spec);
  check_capex(f, s, *spec);
  finance::read_prices(f, s, *spec);
  // A number, or a dated schedule [{"from": date, "usd_per_kwh": x}, ...]; before the first
  // date the first price holds.
  if (f.has("energy_usd_per_kwh") && f.node().at("energy_usd_per_kwh").is_array()) {
    const auto prices = read_dated_values(f, "energy_usd_per_kwh", "usd_per_kwh",
                                          Bound::non_negative, {"description"});
    if (!prices.empty()) spec->energy_usd_per_kwh = prices.front().value;
    for (const auto& d : prices)
      spec->energy_changes.emplace_back(finance::time_at(s, d.from), d.value);
  } else {
    spec->energy_usd_per_kwh =
        f.number("energy_usd_per_kwh", spec->energy_usd_per_kwh, Bound::non_negative);
  }
  spec->pue = f.number("pue", spec->pue, Bound::positive);
  if (spec->pue < 1)
    f.error("pue", fmt::format("out of range (got {}, expected 1 or more)", spec->pue));
  if (f.has("idle_power_fraction")) {
    spec->idle_power_fraction = f.number("idle_power_fraction", 0.0, Bound::fraction);
  }
  read_server_power(f, s, *spec);
  spec->facility_usd_per_kw_month = f.number("facility_usd_per_kw_month", 0.0, Bound::non_negative);
  spec->maintenance_fraction_per_year =
      f.number("maintenance_fraction_per_year", 0.0, Bound::fraction);
  spec->network_storage_usd_per_gpu_hour =
      f.number("network_storage_usd_per_gpu_hour", 0.0, Bound::non_negative);
  spec->overhead_fraction_of_external_revenue =
      f.number("overhead_fraction_of_external_revenue", 0.0, Bound::fraction);
  spec->overhead_usd_per_year = f.number("overhead_usd_per_year", 0.0, Bound::non_negative);
  if (f.has("revenue_share")) finance::read_revenue_share(f.child("revenue_share"), *spec);

  const std::string opening = f.choice("opening_value", {"resale", "sunk", "book"}, "resale");
  spec->opening = opening == "sunk"   ? OpeningValue::sunk
                  : opening == "book" ? OpeningValue::book
                                      : OpeningValue::resale;
  read_terminal(f, *spec);
  if (f.has("impairment")) read_impairment(f.child("impairment"), *spec);
  finance::check_impairment_prices(f, s, *spec);
  if (f.has("financing")) read_financing(f.child("financing"), *spec);
  if (f.has("utilization_before_window")) {
    spec->utilization_before_window = f.number("utilization_before_window", 0, Bound::fraction);
  }
  // Used-GPU prices: the catalog's curves, then the scenario's.
  for (const auto& [id, type] : s.catalog) {
    if (type.resale) spec->resale[id] = *type.resale;
  }
  if (f.has("resale")) {
    const ParamReader resale = f.child("resale");
    if (resale.expect_object()) {
      std::vector<std::string> ids;
      for (const auto& [id, type] : s.catalog) ids.push_back(id);
      resale.allow_only(ids);
      for (const auto& id : ids) {
        if (!resale.has(id)) continue;
        if (const auto curve = read_resale_curve(resale.child(id))) spec->resale[id] = *curve;
      }
    }
  }
  check_resale_curves(f, s, *spec);
  // A units-of-production pool in service before the window needs its earlier busy hours.
  for (std::size_t p = 0; p < n; ++p) {
    const PoolSpec& pool = s.pools[p];
    if (spec->utilization_before_window || spec->pool_capex_usd_per_gpu[p] <= 0) continue;
    if (pool.acquired >= s.warmup || pool.retire <= s.warmup) continue;
    const DepreciationModel* book =
        spec->pool_depreciation[p] ? spec->pool_depreciation[p].get() : spec->depreciation.get();
    const DepreciationModel* tax = spec->tax.depreciation.get();
    if ((book && book->uses_busy_hours()) || (tax && tax->uses_busy_hours())) {
      f.error("utilization_before_window",
              fmt::format("missing required key: pool \"{}\" is depreciated by use and was in "
                          "service before the window, so its earlier busy hours must be assumed "
                          "(expected a fraction from 0 to 1)",
                          pool.id));
      break;
    }
  }

  finance::cut_at_price_steps(s, *spec);
  return spec;
}

}  // namespace aidc
