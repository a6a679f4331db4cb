#include "aidc/scenario/scenario.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "aidc/demand/demand.hpp"
#include "aidc/finance/finance.hpp"
#include "aidc/scenario/param_reader.hpp"
#include "aidc/training/campaign_graph.hpp"
#include "aidc/training/job_trace.hpp"
#include "limits.hpp"
#include "reading.hpp"

namespace aidc {

using nlohmann::json;

namespace detail {
extern const char kBuiltinCatalogJson[];
extern const char kScenarioSchemaJson[];
}  // namespace detail

using std::chrono::day;
using std::chrono::month;
using std::chrono::sys_days;
using std::chrono::year;
using std::chrono::year_month_day;
using namespace reading;

const json& builtin_catalog() {
  static const json catalog = json::parse(detail::kBuiltinCatalogJson);
  return catalog;
}

const json& scenario_schema() {
  static const json schema = json::parse(detail::kScenarioSchemaJson);
  return schema;
}

std::optional<Date> parse_date(const std::string& text) {
  int y = 0;
  unsigned m = 0;
  unsigned d = 0;
  char tail = 0;
  if (text.size() != 10 || std::sscanf(text.c_str(), "%4d-%2u-%2u%c", &y, &m, &d, &tail) != 3) {
    return std::nullopt;
  }
  const year_month_day ymd{year{y}, month{m}, day{d}};
  if (!ymd.ok()) return std::nullopt;
  return sys_days{ymd};
}

std::string format_date(Date d) {
  const year_month_day ymd{d};
  return fmt::format("{:04d}-{:02d}-{:02d}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

int PolicySpec::rank(WorkClass c) const {
  return static_cast<int>(std::find(order.begin(), order.end(), c) - order.begin());
}

bool PolicySpec::allows(WorkClass c, const std::string& gpu) const {
  const auto& types = gpu_types[static_cast<std::size_t>(c)];
  return types.empty() || std::find(types.begin(), types.end(), gpu) != types.end();
}

Date Scenario::date_of(sim::Time t) const {
  return start + std::chrono::days{t.seconds / sim::kSecondsPerDay};
}

namespace {}  // namespace

std::vector<sim::Time> Scenario::period_ends() const {
  std::vector<sim::Time> ends;
  for (int i = 1;; ++i) {
    Date end{};
    switch (period) {
      case Period::day:
        end = start + std::chrono::days{i};
        break;
      case Period::week:
        end = start + std::chrono::days{7 * i};
        break;
      case Period::month:
        end = add_months(start, i);
        break;
      case Period::quarter:
        end = add_months(start, 3 * i);
        break;
      case Period::year:
        end = add_months(start, 12 * i);
        break;
    }
    const sim::Time t = time_of(start, end);
    if (t >= horizon) break;
    if (t > warmup) ends.push_back(t);
  }
  ends.push_back(horizon);
  return ends;
}

std::optional<Date> read_date(const ParamReader& r, std::string_view key, bool required) {
  if (!r.has(key)) {
    if (required) r.error(key, "missing required key (expected YYYY-MM-DD)");
    return std::nullopt;
  }
  const std::string text = r.string(key, "");
  if (!r.node().at(key).is_string()) return std::nullopt;
  auto d = parse_date(text);
  if (!d) {
    r.error(key, fmt::format("not a date (got \"{}\", expected YYYY-MM-DD)", text));
  } else if (const int y = static_cast<int>(year_month_day{*d}.year());
             y < kMinYear || y > kMaxYear) {
    r.error(key, fmt::format("out of range (got \"{}\", expected a date from {}-01-01 to "
                             "{}-12-31)",
                             text, kMinYear, kMaxYear));
    return std::nullopt;
  }
  return d;
}

std::vector<DatedValue> read_dated_values(const ParamReader& r, std::string_view key,
                                          const std::string& value_key, Bound bound,
                                          const std::vector<std::string>& extra_keys) {
  std::vector<DatedValue> out;
  std::vector<std::string> allowed{"from", value_key};
  allowed.insert(allowed.end(), extra_keys.begin(), extra_keys.end());
  for (const auto& item : r.array(key, true)) {
    if (!item.expect_object()) continue;
    item.allow_only(allowed);
    const auto from = read_date(item, "from", true);
    const double value = item.required_number(value_key, bound);
    if (!from) continue;
    if (!out.empty() && *from <= out.back().from) {
      item.error("from", fmt::format("dates out of order (got {}, expected after {})",
                                     format_date(*from), format_date(out.back().from)));
    }
    out.push_back({*from, value});
  }
  return out;
}

Scenario load_scenario(const json& doc, const std::string& file) {
  Diagnostics diag(file);
  Scenario s;
  s.file = file;
  const ParamReader root(doc, "", diag);
  if (!root.expect_object()) diag.throw_if_any();
  root.allow_only({"name", "description", "start", "horizon", "warmup", "seed", "period", "catalog",
                   "fleet", "workloads", "policy", "finance"});

  s.name = root.id("name");
  root.string("description", "");
  s.start = read_date(root, "start", true).value_or(Date{});
  if (!root.has("horizon")) {
    root.error("horizon", "missing required key (expected a span such as \"5y\" or \"90d\")");
  }
  const auto horizon = read_span(root, "horizon", s.start);
  s.horizon = sim::Time{} + horizon.value_or(sim::Duration{});
  if (horizon && s.horizon.seconds <= 0) {  // an unreadable horizon is already reported
    root.error("horizon", fmt::format("out of range (got {}, expected a span longer than zero)",
                                      brief(doc.at("horizon"))));
  }
  s.warmup = sim::Time{} + read_span(root, "warmup", s.start).value_or(sim::Duration{});
  if (s.horizon.seconds > 0 && s.warmup >= s.horizon) {
    root.error("warmup", fmt::format("out of range (got {}, expected less than the horizon {})",
                                     brief(doc.at("warmup")), brief(doc.at("horizon"))));
  }
  s.seed = static_cast<std::uint64_t>(root.integer("seed", 1, Bound::non_negative));
  const std::string period =
      root.choice("period", {"day", "week", "month", "quarter", "year"}, "month");
  s.period = period == "day"       ? Period::day
             : period == "week"    ? Period::week
             : period == "quarter" ? Period::quarter
             : period == "year"    ? Period::year
                                   : Period::month;

  // The catalog: built-in entries, merged with the scenario's overrides and additions.
  json catalog = builtin_catalog().at("gpus");
  if (root.has("catalog")) {
    const ParamReader over = root.child("catalog");
    if (over.expect_object()) {
      for (const auto& [id, entry] : doc.at("catalog").items()) {
        if (!entry.is_object()) {
          over.error(id, fmt::format("expected an object (got {})", brief(entry)));
          continue;
        }
        if (catalog.contains(id)) {
          catalog[id].merge_patch(entry);
        } else {
          catalog[id] = entry;
        }
      }
    }
  }
  const ParamReader catalog_reader(catalog, "/catalog", diag);
  for (const auto& [id, entry] : catalog.items()) {
    // Problems in built-in entries cannot happen; those in overrides point at the override.
    const ParamReader r(entry, catalog_reader.pointer_of(id), diag);
    s.catalog.emplace(id, read_gpu(r, id));
  }
  std::vector<std::string> gpu_ids;
  for (const auto& [id, g] : s.catalog) gpu_ids.push_back(id);

  // The fleet: pools, and purchases that become pools when they are delivered.
  std::map<std::string, std::size_t> pool_index;
  if (!root.has("fleet")) {
    root.error("fleet", "missing required key (expected an object with \"pools\")");
  } else {
    const ParamReader fleet = root.child("fleet");
    if (fleet.expect_object()) {
      fleet.allow_only({"pools", "purchases", "sites", "description"});
      read_sites(fleet, s);
      for (const auto& p : fleet.array("pools", true)) read_pool(p, s, gpu_ids, pool_index, false);
      for (const auto& p : fleet.array("purchases", false)) {
        read_pool(p, s, gpu_ids, pool_index, true);
      }
      check_site_power(fleet, s);
    }
  }
  sort_pools_by_id(s, pool_index);
  read_policy(root, s, gpu_ids);
  read_workloads(root, s, pool_index);
  check_ranges(root);
  if (diag.empty()) check_plans(root, s);
  if (root.has("finance")) {
    s.finance = read_finance(root.child("finance"), s);
    s.quotes = s.finance->prices;
    s.cuts = s.finance->price_changes;
  }
  apply_price_elasticity(root, s);
  sort_workloads_by_id(s);
  diag.throw_if_any();
  return s;
}

Scenario load_scenario_file(const std::string& path, const std::vector<std::string>& assignments) {
  json doc = read_json_file(path);
  apply_overrides(doc, assignments, path);
  return load_scenario(doc, path);
}

}  // namespace aidc
