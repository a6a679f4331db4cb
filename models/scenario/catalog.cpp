// Spans of time and catalog entries of a scenario file.

#include "aidc/finance/capital.hpp"

#include <fmt/format.h>
#include "limits.hpp"
#include "reading.hpp"

namespace aidc::reading {

using std::chrono::last;
using std::chrono::months;
using std::chrono::sys_days;
using std::chrono::year_month_day;

Date add_months(Date d, int n) {
  year_month_day ymd{d};
  const year_month_day moved = ymd + months{n};
  if (moved.ok()) return sys_days{moved};
  return sys_days{moved.year() / moved.month() / last};
}

namespace {
/// The span `amount` `unit` from `from`, or nullopt for an unknown unit.
std::optional<sim::Duration> span_of(double amount, char unit, Date from) {
  switch (unit) {
    case 'h':
      return sim::Duration{std::llround(amount * sim::kSecondsPerHour)};
    case 'd':
      return sim::Duration{std::llround(amount * sim::kSecondsPerDay)};
    case 'w':
      return sim::Duration{std::llround(amount * 7 * sim::kSecondsPerDay)};
    case 'y':
      if (amount == std::floor(amount)) {
        const Date end = add_months(from, static_cast<int>(amount) * 12);
        return sim::Duration{(end - from).count() * sim::kSecondsPerDay};
      }
      return sim::Duration{std::llround(amount * sim::kSecondsPerYear)};
    default:
      return std::nullopt;
  }
}
}  // namespace

/// A span given as "5y", "90d", "6w", "36h" or a number of hours, from `from`;
/// years are calendar years, so "1y" from 2028-01-01 is 366 days. At most kMaxYears long.
std::optional<sim::Duration> read_span(const ParamReader& r, std::string_view key, Date from) {
  if (!r.has(key)) return std::nullopt;
  const json& v = r.node().at(key);
  const char* expected = "expected a number of hours or a string such as \"5y\", \"90d\", \"36h\"";
  const std::string range = fmt::format("a span from 0 to {} years", kMaxYears);
  // Hours, or an amount of a unit; at most kMaxYears (checked before the conversion).
  double amount = -1;
  char unit = 0;
  if (v.is_number()) {
    amount = v.get<double>();
    unit = 'h';
  } else if (v.is_string()) {
    const std::string s = v.get<std::string>();
    char tail = 0;
    if (std::sscanf(s.c_str(), "%lf%c%c", &amount, &unit, &tail) != 2) unit = 0;
  }
  if (unit == 'h' || unit == 'd' || unit == 'w' || unit == 'y') {
    if (!(amount >= 0) || !std::isfinite(amount)) {
      r.error(key, fmt::format("out of range (got {}, {})", brief(v), expected));
      return std::nullopt;
    }
    const double years = unit == 'h'   ? amount / sim::kHoursPerYear
                         : unit == 'd' ? amount / sim::kDaysPerYear
                         : unit == 'w' ? amount * 7 / sim::kDaysPerYear
                                       : amount;
    if (!within(r, key, years, 0, kMaxYears, range)) return std::nullopt;
    return span_of(amount, unit, from);
  }
  r.error(key, fmt::format("not a time span (got {}, {})", brief(v), expected));
  return std::nullopt;
}

Patience read_patience(const ParamReader& r) {
  const std::string_view key = "patience_hours";
  if (!r.has(key)) return {};
  const json& v = r.node().at(key);
  if (v.is_string() && v.get<std::string>() == "inf") return {kInf, nullptr};
  if (v.is_number()) return {r.number(key, 0.0, Bound::non_negative), nullptr};
  if (v.is_object()) {
    std::shared_ptr<const Distribution> d = read_distribution(r, key, Bound::positive);
    if (d) return {d->mean(), d};
    return {};
  }
  r.error(key, fmt::format("wrong type (got {}, expected a number of hours >= 0, \"inf\" or a "
                           "distribution of hours)",
                           brief(v)));
  return {};
}

/// The number at `key`, or nullopt when it is absent, null or not a number (the
/// reader has already recorded a problem for a value of the wrong type).
std::optional<double> optional_number(const json& entry, const char* key) {
  if (!entry.contains(key) || !entry.at(key).is_number()) return std::nullopt;
  return entry.at(key).get<double>();
}

const std::vector<std::string> kGpuKeys{"name",
                                        "vendor",
                                        "year",
                                        "reference_id",
                                        "tdp_w",
                                        "bf16_tflops",
                                        "hbm_gb",
                                        "price_usd",
                                        "allin_capex_usd",
                                        "server_power_kw",
                                        "server_idle_power_kw",
                                        "rental_usd_per_gpu_hour",
                                        "resale",
                                        "sources",
                                        "description",
                                        "training_factor",
                                        "inference_factor",
                                        "mtbf_hours",
                                        "repair_hours"};

/// Reads one catalog entry (built-in merged with the scenario's override).
GpuType read_gpu(const ParamReader& r, const std::string& id) {
  GpuType g;
  g.id = id;
  if (!is_valid_id(id)) {
    r.error("",
            "not a valid GPU type id (expected 1 to 64 letters, digits, '.', '_' or '-', "
            "beginning with a letter or a digit)");
  }
  if (!r.expect_object()) return g;
  r.allow_only(kGpuKeys);
  g.name = r.string("name", id);
  g.vendor = r.string("vendor", "");
  g.year = static_cast<int>(r.integer("year", 0, Bound::non_negative));
  for (const char* key : {"tdp_w", "bf16_tflops", "hbm_gb", "price_usd", "allin_capex_usd",
                          "server_power_kw", "server_idle_power_kw"}) {
    if (r.has(key) && !r.node().at(key).is_null()) r.number(key, 0, Bound::non_negative);
  }
  g.tdp_w = optional_number(r.node(), "tdp_w");
  g.bf16_tflops = optional_number(r.node(), "bf16_tflops");
  g.hbm_gb = optional_number(r.node(), "hbm_gb");
  g.price_usd = optional_number(r.node(), "price_usd");
  g.allin_capex_usd = optional_number(r.node(), "allin_capex_usd");
  g.server_power_kw = optional_number(r.node(), "server_power_kw");
  g.server_idle_power_kw = optional_number(r.node(), "server_idle_power_kw");
  if (g.server_power_kw && g.server_idle_power_kw && *g.server_idle_power_kw > *g.server_power_kw) {
    r.error("server_idle_power_kw",
            fmt::format("out of range (got {}, expected at most the busy server_power_kw, {})",
                        *g.server_idle_power_kw, *g.server_power_kw));
  }
  // Throughput relative to an H100 defaults to the ratio of dense BF16 peaks (989 TFLOPS).
  const double by_flops = g.bf16_tflops ? *g.bf16_tflops / kH100Bf16Tflops : 1.0;
  g.training_factor = r.number("training_factor", by_flops > 0 ? by_flops : 1.0, Bound::positive);
  g.inference_factor = r.number("inference_factor", by_flops > 0 ? by_flops : 1.0, Bound::positive);
  if (r.has("mtbf_hours") && !r.node().at("mtbf_hours").is_null()) {
    g.mtbf_hours = r.number("mtbf_hours", 0, Bound::positive);
    if (*g.mtbf_hours <= 0) g.mtbf_hours.reset();
  }
  g.repair_hours = r.number("repair_hours", 0, Bound::non_negative);
  if (r.has("rental_usd_per_gpu_hour")) {
    const ParamReader rent = r.child("rental_usd_per_gpu_hour");
    if (rent.expect_object()) {
      rent.allow_only({"on_demand", "reserved", "spot"});
      for (const char* key : {"on_demand", "reserved", "spot"}) {
        if (rent.has(key) && !rent.node().at(key).is_null()) rent.number(key, 0, Bound::positive);
      }
      g.rental_usd_per_gpu_hour.on_demand = optional_number(rent.node(), "on_demand");
      g.rental_usd_per_gpu_hour.reserved = optional_number(rent.node(), "reserved");
      g.rental_usd_per_gpu_hour.spot = optional_number(rent.node(), "spot");
    }
  }
  if (r.has("resale") && !r.node().at("resale").is_null()) {
    g.resale = read_resale_curve(r.child("resale"));
  }
  return g;
}

}  // namespace aidc::reading
