#include "aidc/scenario/scenario.hpp"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "aidc/scenario/param_reader.hpp"

namespace aidc {

namespace detail {
extern const char kBuiltinCatalogJson[];
extern const char kScenarioSchemaJson[];
}  // namespace detail

using namespace std::chrono;

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

Date Scenario::date_of(sim::Time t) const {
  return start + std::chrono::days{t.seconds / sim::kSecondsPerDay};
}

namespace {

/// `d` plus whole calendar months; the day is clamped to the month's end (Jan 31 + 1 mo = Feb 28).
Date add_months(Date d, int n) {
  year_month_day ymd{d};
  const year_month_day moved = ymd + months{n};
  if (moved.ok()) return sys_days{moved};
  return sys_days{moved.year() / moved.month() / last};
}

sim::Time time_of(Date start, Date d) {
  return sim::Time{(d - start).count() * sim::kSecondsPerDay};
}

}  // namespace

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

json read_json_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScenarioError({Diagnostic{path, "", "cannot open the file for reading"}});
  std::stringstream buffer;
  buffer << in.rdbuf();
  try {
    return json::parse(buffer.str());
  } catch (const json::parse_error& e) {
    // nlohmann's text reads "[json.exception.parse_error.101] parse error at line L, column C: ..."
    std::string message = e.what();
    const auto pos = message.find("] ");
    if (pos != std::string::npos) message = message.substr(pos + 2);
    throw ScenarioError({Diagnostic{path, "", "malformed JSON: " + message}});
  }
}

void apply_overrides(json& doc, const std::vector<std::string>& assignments,
                     const std::string& file) {
  Diagnostics diag(file);
  for (const auto& assignment : assignments) {
    const auto eq = assignment.find('=');
    if (eq == std::string::npos || assignment.empty() || assignment[0] != '/') {
      diag.add("", fmt::format("--set \"{}\": expected /json/pointer=VALUE", assignment));
      continue;
    }
    const std::string path = assignment.substr(0, eq);
    const std::string text = assignment.substr(eq + 1);
    json value = json::parse(text, nullptr, false);
    if (value.is_discarded()) value = text;  // a bare word is a string
    try {
      const json::json_pointer pointer(path);
      if (!doc.contains(pointer.parent_pointer())) {
        diag.add(path, fmt::format("--set: the parent of \"{}\" does not exist", path));
        continue;
      }
      doc[pointer] = value;
    } catch (const json::exception& e) {
      diag.add(path, fmt::format("--set: not a usable JSON pointer ({})", e.what()));
    }
  }
  diag.throw_if_any();
}

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// Reads a date at `key`; problems are recorded.
std::optional<Date> read_date(const ParamReader& r, std::string_view key) {
  if (!r.has(key)) return std::nullopt;
  const std::string text = r.string(key, "");
  if (!r.node().at(key).is_string()) return std::nullopt;
  auto d = parse_date(text);
  if (!d) {
    r.error(key, fmt::format("not a date (got \"{}\", expected YYYY-MM-DD)", text));
  }
  return d;
}

/// A span given as "5y", "90d", "6w", "36h" or a number of hours, from `from`;
/// years are calendar years, so "1y" from 2028-01-01 is 366 days.
std::optional<sim::Duration> read_span(const ParamReader& r, std::string_view key, Date from) {
  if (!r.has(key)) return std::nullopt;
  const json& v = r.node().at(key);
  const char* expected = "expected a number of hours or a string such as \"5y\", \"90d\", \"36h\"";
  if (v.is_number()) {
    const double h = v.get<double>();
    if (!(h >= 0) || !std::isfinite(h)) {
      r.error(key, fmt::format("out of range (got {}, {})", brief(v), expected));
      return std::nullopt;
    }
    return sim::Duration{std::llround(h * sim::kSecondsPerHour)};
  }
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    double amount = 0;
    char unit = 0;
    char tail = 0;
    if (std::sscanf(s.c_str(), "%lf%c%c", &amount, &unit, &tail) == 2 && amount >= 0 &&
        std::isfinite(amount)) {
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
          return sim::Duration{std::llround(amount * 365.25 * sim::kSecondsPerDay)};
        default:
          break;
      }
    }
  }
  r.error(key, fmt::format("not a time span (got {}, {})", brief(v), expected));
  return std::nullopt;
}

/// "inf", or a number of hours >= 0.
double read_patience(const ParamReader& r) {
  const std::string_view key = "patience_hours";
  if (!r.has(key)) return 0.0;
  const json& v = r.node().at(key);
  if (v.is_string() && v.get<std::string>() == "inf") return kInf;
  if (v.is_number()) return r.number(key, 0.0, Bound::non_negative);
  r.error(key,
          fmt::format("wrong type (got {}, expected a number of hours >= 0 or \"inf\")", brief(v)));
  return 0.0;
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
                                        "rental_usd_per_gpu_hour",
                                        "sources",
                                        "description"};

/// Reads one catalog entry (built-in merged with the scenario's override).
GpuType read_gpu(const ParamReader& r, const std::string& id) {
  GpuType g;
  g.id = id;
  if (!r.expect_object()) return g;
  r.allow_only(kGpuKeys);
  g.name = r.string("name", id);
  g.vendor = r.string("vendor", "");
  g.year = static_cast<int>(r.integer("year", 0, Bound::non_negative));
  for (const char* key :
       {"tdp_w", "bf16_tflops", "hbm_gb", "price_usd", "allin_capex_usd", "server_power_kw"}) {
    if (r.has(key) && !r.node().at(key).is_null()) r.number(key, 0, Bound::non_negative);
  }
  g.tdp_w = optional_number(r.node(), "tdp_w");
  g.bf16_tflops = optional_number(r.node(), "bf16_tflops");
  g.hbm_gb = optional_number(r.node(), "hbm_gb");
  g.price_usd = optional_number(r.node(), "price_usd");
  g.allin_capex_usd = optional_number(r.node(), "allin_capex_usd");
  g.server_power_kw = optional_number(r.node(), "server_power_kw");
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
  return g;
}

}  // namespace

Scenario load_scenario(const json& doc, const std::string& file) {
  Diagnostics diag(file);
  Scenario s;
  s.file = file;
  const ParamReader root(doc, "", diag);
  if (!root.expect_object()) diag.throw_if_any();
  root.allow_only({"name", "description", "start", "horizon", "warmup", "seed", "period", "catalog",
                   "fleet", "workloads"});

  s.name = root.required_string("name");
  root.string("description", "");
  if (!root.has("start")) root.error("start", "missing required key (expected YYYY-MM-DD)");
  s.start = read_date(root, "start").value_or(Date{});
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

  // The fleet.
  std::map<std::string, std::size_t> pool_index;
  if (!root.has("fleet"))
    root.error("fleet", "missing required key (expected an object with \"pools\")");
  if (root.has("fleet")) {
    const ParamReader fleet = root.child("fleet");
    if (fleet.expect_object()) {
      fleet.allow_only({"pools", "description"});
      for (const auto& p : fleet.array("pools", true)) {
        if (!p.expect_object()) continue;
        p.allow_only(
            {"id", "gpu", "count", "site", "in_service", "retire", "life_years", "description"});
        PoolSpec pool;
        pool.id = p.required_string("id");
        pool.gpu = p.required_string("gpu");
        pool.count = p.required_integer("count", Bound::non_negative);
        pool.site = p.string("site", "default");
        if (!pool.id.empty() && !pool_index.emplace(pool.id, s.pools.size()).second) {
          p.error("id", fmt::format("duplicate pool id \"{}\"", pool.id));
        }
        if (p.has("gpu") && !pool.gpu.empty() && !s.catalog.count(pool.gpu)) {
          const std::string guess = nearest(pool.gpu, gpu_ids);
          p.error("gpu",
                  fmt::format("unknown GPU type \"{}\"{} (expected a catalog id: {})", pool.gpu,
                              guess.empty() ? "" : fmt::format("; did you mean \"{}\"?", guess),
                              fmt::join(gpu_ids, ", ")));
        }
        const Date in_service = read_date(p, "in_service").value_or(s.start);
        pool.in_service = std::max(sim::Time{}, time_of(s.start, in_service));
        pool.retire = sim::Time{std::numeric_limits<std::int64_t>::max()};
        if (p.has("retire") && p.has("life_years")) {
          p.error("life_years", "give either \"retire\" or \"life_years\", not both");
        } else if (p.has("retire")) {
          if (auto retire = read_date(p, "retire")) {
            if (*retire <= in_service) {
              p.error("retire", fmt::format("dates out of order (got retire {}, expected after "
                                            "in_service {})",
                                            format_date(*retire), format_date(in_service)));
            }
            pool.retire = time_of(s.start, *retire);
          }
        } else if (p.has("life_years")) {
          const double life = p.number("life_years", 0, Bound::positive);
          if (life > 0) {
            const auto life_days = static_cast<std::int64_t>(std::llround(life * 365.25));
            pool.retire = time_of(s.start, in_service + std::chrono::days{life_days});
          }
        }
        s.pools.push_back(pool);
      }
    }
  }

  // Workloads: rental demand streams.
  std::set<std::string> stream_ids;
  if (root.has("workloads")) {
    const ParamReader work = root.child("workloads");
    if (work.expect_object()) {
      work.allow_only({"rentals", "description"});
      for (const auto& w : work.array("rentals", false)) {
        if (!w.expect_object()) continue;
        w.allow_only(
            {"id", "description", "arrivals", "gpus", "duration_hours", "patience_hours", "pools"});
        RentalSpec r;
        r.id = w.required_string("id");
        if (!r.id.empty() && !stream_ids.insert(r.id).second) {
          w.error("id", fmt::format("duplicate workload id \"{}\"", r.id));
        }
        if (!w.has("arrivals")) {
          w.error("arrivals",
                  "missing required key (expected {\"per_hour\": N} or "
                  "{\"schedule\": [...]})");
        } else {
          const ParamReader a = w.child("arrivals");
          if (a.expect_object()) {
            a.allow_only({"per_hour", "schedule"});
            if (a.has("per_hour") == a.has("schedule")) {
              a.error("", "expected exactly one of \"per_hour\" and \"schedule\"");
            } else if (a.has("per_hour")) {
              r.arrivals.push_back({sim::Time{}, a.number("per_hour", 0, Bound::non_negative)});
            } else {
              std::optional<Date> previous;
              for (const auto& seg : a.array("schedule", true)) {
                if (!seg.expect_object()) continue;
                seg.allow_only({"from", "per_hour"});
                if (!seg.has("from"))
                  seg.error("from", "missing required key (expected YYYY-MM-DD)");
                const auto from = read_date(seg, "from");
                const double rate = seg.required_number("per_hour", Bound::non_negative);
                if (!from) continue;
                if (previous && *from <= *previous) {
                  seg.error("from", fmt::format("dates out of order (got {}, expected after {})",
                                                format_date(*from), format_date(*previous)));
                }
                previous = from;
                r.arrivals.push_back({std::max(sim::Time{}, time_of(s.start, *from)), rate});
              }
              if (r.arrivals.empty()) {
                a.error("schedule", "expected at least one {\"from\", \"per_hour\"} entry");
              } else if (r.arrivals.front().from.seconds > 0) {
                r.arrivals.insert(r.arrivals.begin(), RateSegment{sim::Time{}, 0.0});
              }
            }
          }
        }
        r.gpus = read_distribution(w, "gpus", Bound::positive);
        r.duration_hours = read_distribution(w, "duration_hours", Bound::positive);
        r.patience_hours = read_patience(w);
        if (w.has("pools")) {
          for (const auto& item : w.array("pools", true)) {
            const std::string id = item.node().is_string() ? item.node().get<std::string>() : "";
            const auto it = pool_index.find(id);
            if (it == pool_index.end()) {
              item.error(
                  "", fmt::format("unknown pool (got {}, expected a pool id)", brief(item.node())));
            } else {
              r.pools.push_back(it->second);
            }
          }
        } else {
          for (std::size_t i = 0; i < s.pools.size(); ++i) r.pools.push_back(i);
        }
        s.rentals.push_back(std::move(r));
      }
    }
  }
  diag.throw_if_any();
  return s;
}

Scenario load_scenario_file(const std::string& path, const std::vector<std::string>& assignments) {
  json doc = read_json_file(path);
  apply_overrides(doc, assignments, path);
  return load_scenario(doc, path);
}

}  // namespace aidc
