#include "aidc/scenario/scenario.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "aidc/models/campaign_graph.hpp"
#include "aidc/models/demand.hpp"
#include "aidc/models/finance.hpp"
#include "aidc/models/job_trace.hpp"
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

std::optional<Date> read_date(const ParamReader& r, std::string_view key, bool required) {
  if (!r.has(key)) {
    if (required) r.error(key, "missing required key (expected YYYY-MM-DD)");
    return std::nullopt;
  }
  const std::string text = r.string(key, "");
  if (!r.node().at(key).is_string()) return std::nullopt;
  auto d = parse_date(text);
  if (!d) r.error(key, fmt::format("not a date (got \"{}\", expected YYYY-MM-DD)", text));
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
constexpr double kH100Bf16Tflops = 989.0;

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
          return sim::Duration{std::llround(amount * sim::kSecondsPerYear)};
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

/// A replayed job trace: {"path": "jobs.csv", "submit_column", "gpus_column", "duration_column",
/// "time_unit_seconds"}; the path is relative to the scenario file's folder.
void read_trace(const ParamReader& t, RentalSpec& r) {
  if (!t.expect_object()) return;
  t.allow_only({"path", "submit_column", "gpus_column", "duration_column", "time_unit_seconds"});
  JobTraceColumns columns;
  columns.submit = t.string("submit_column", columns.submit);
  columns.gpus = t.string("gpus_column", columns.gpus);
  columns.duration = t.string("duration_column", columns.duration);
  columns.time_unit_seconds =
      t.number("time_unit_seconds", columns.time_unit_seconds, Bound::positive);
  const std::string path = t.required_string("path");
  if (path.empty()) return;
  std::filesystem::path full(path);
  if (full.is_relative()) full = std::filesystem::path(t.diagnostics().file()).parent_path() / full;
  try {
    const JobTrace trace = read_job_trace(full.string(), columns);
    for (const auto& job : trace.jobs) {
      r.trace.push_back({job.submit_hours, job.gpus, job.duration_hours});
    }
  } catch (const ScenarioError& e) {
    for (const auto& d : e.diagnostics()) t.error("path", d.to_string());
  }
}

std::vector<std::string> class_names() {
  std::vector<std::string> out;
  for (const auto& c : kWorkClasses) out.emplace_back(c.name);
  return out;
}

/// The pools a workload may use: its "pools" list (ids), else every pool.
std::vector<std::size_t> read_pool_list(const ParamReader& w,
                                        const std::map<std::string, std::size_t>& pool_index,
                                        std::size_t pool_count) {
  std::vector<std::size_t> out;
  if (!w.has("pools")) {
    for (std::size_t i = 0; i < pool_count; ++i) out.push_back(i);
    return out;
  }
  std::vector<std::string> ids;
  for (const auto& [id, index] : pool_index) ids.push_back(id);
  for (const auto& item : w.array("pools", true)) {
    const std::string id = item.node().is_string() ? item.node().get<std::string>() : "";
    const auto it = pool_index.find(id);
    if (it == pool_index.end()) {
      const std::string guess = nearest(id, ids);
      item.error("",
                 fmt::format("unknown pool (got {}, expected a pool id){}", brief(item.node()),
                             guess.empty() ? "" : fmt::format("; did you mean \"{}\"?", guess)));
    } else {
      out.push_back(it->second);
    }
  }
  return out;
}

void read_pool(const ParamReader& p, Scenario& s, const std::vector<std::string>& gpu_ids,
               std::map<std::string, std::size_t>& pool_index, bool purchase) {
  if (!p.expect_object()) return;
  if (purchase) {
    p.allow_only({"id", "gpu", "count", "site", "ordered", "lead_time_days", "retire", "life_years",
                  "description"});
  } else {
    p.allow_only(
        {"id", "gpu", "count", "site", "in_service", "retire", "life_years", "description"});
  }
  PoolSpec pool;
  pool.id = p.required_string("id");
  pool.gpu = p.required_string("gpu");
  pool.count = p.required_integer("count", Bound::non_negative);
  pool.site = p.string("site", "default");
  if (pool.id == "(entity)") {
    p.error("id", "reserved (got \"(entity)\", the name of timeseries.csv's entity rows)");
  }
  if (!pool.id.empty() && !pool_index.emplace(pool.id, s.pools.size()).second) {
    p.error("id", fmt::format("duplicate pool id \"{}\"", pool.id));
  }
  if (p.has("gpu") && !pool.gpu.empty() && !s.catalog.count(pool.gpu)) {
    const std::string guess = nearest(pool.gpu, gpu_ids);
    p.error("gpu", fmt::format("unknown GPU type \"{}\"{} (expected a catalog id: {})", pool.gpu,
                               guess.empty() ? "" : fmt::format("; did you mean \"{}\"?", guess),
                               fmt::join(gpu_ids, ", ")));
  }
  Date in_service = s.start;
  Date ordered = s.start;
  if (purchase) {
    // A purchase enters service when it is delivered: order date plus lead time.
    ordered = read_date(p, "ordered", true).value_or(s.start);
    const auto lead = p.integer("lead_time_days", 0, Bound::non_negative);
    in_service = ordered + std::chrono::days{lead};
  } else {
    in_service = read_date(p, "in_service").value_or(s.start);
    ordered = in_service;
  }
  pool.acquired = time_of(s.start, in_service);
  pool.ordered = time_of(s.start, ordered);
  pool.in_service = std::max(sim::Time{}, pool.acquired);
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
      const auto life_days = static_cast<std::int64_t>(std::llround(life * sim::kDaysPerYear));
      pool.retire = time_of(s.start, in_service + std::chrono::days{life_days});
    }
  }
  s.pools.push_back(pool);
}

/// Arrivals: {"per_hour": N} or a dated {"schedule": [{"from", "per_hour"}, ...]}.
std::vector<RateSegment> read_arrivals(const ParamReader& w, Date start) {
  std::vector<RateSegment> out;
  if (!w.has("arrivals")) {
    w.error("arrivals",
            "missing required key (expected {\"per_hour\": N} or {\"schedule\": [...]})");
    return out;
  }
  const ParamReader a = w.child("arrivals");
  if (!a.expect_object()) return out;
  a.allow_only({"per_hour", "schedule"});
  if (a.has("per_hour") == a.has("schedule")) {
    a.error("", "expected exactly one of \"per_hour\" and \"schedule\"");
  } else if (a.has("per_hour")) {
    out.push_back({sim::Time{}, a.number("per_hour", 0, Bound::non_negative)});
  } else {
    for (const auto& seg : read_dated_values(a, "schedule", "per_hour", Bound::non_negative)) {
      out.push_back({std::max(sim::Time{}, time_of(start, seg.from)), seg.value});
    }
    if (out.empty()) {
      if (a.node().at("schedule").is_array()) {
        a.error("schedule", "expected at least one {\"from\", \"per_hour\"} entry");
      }
    } else if (out.front().from.seconds > 0) {
      out.insert(out.begin(), RateSegment{sim::Time{}, 0.0});
    }
  }
  return out;
}

/// A stream of job requests: a rental stream or an experiment stream.
RentalSpec read_job_stream(const ParamReader& w, const Scenario& s, WorkClass cls,
                           const std::map<std::string, std::size_t>& pool_index,
                           std::set<std::string>& ids) {
  RentalSpec r;
  r.work_class = cls;
  const bool rental = cls != WorkClass::experiments;
  std::vector<std::string> keys{
      "id", "description", "arrivals", "gpus", "duration_hours", "patience_hours", "pools"};
  keys.push_back(rental ? "contract" : "trace");
  w.allow_only(keys);
  r.id = w.required_string("id");
  if (!r.id.empty() && !ids.insert(r.id).second) {
    w.error("id", fmt::format("duplicate workload id \"{}\"", r.id));
  }
  if (rental) {
    const std::string contract = w.choice("contract", {"on_demand", "spot"}, "on_demand");
    r.work_class = contract == "spot" ? WorkClass::spot : WorkClass::on_demand;
  }
  if (!rental && w.has("trace")) {
    read_trace(w.child("trace"), r);
    for (const char* key : {"arrivals", "gpus", "duration_hours"}) {
      if (w.has(key))
        w.error(key, "not used with \"trace\" (the trace gives arrivals, GPUs and durations)");
    }
    r.arrivals.push_back({sim::Time{}, 0.0});
    r.gpus = nullptr;
    r.duration_hours = nullptr;
  } else {
    r.arrivals = read_arrivals(w, s.start);
    r.gpus = read_distribution(w, "gpus", Bound::positive);
    r.duration_hours = read_distribution(w, "duration_hours", Bound::positive);
  }
  r.patience_hours = w.has("patience_hours") ? read_patience(w) : (rental ? 0.0 : kInf);
  r.pools = read_pool_list(w, pool_index, s.pools.size());
  return r;
}

void read_policy(const ParamReader& root, Scenario& s, const std::vector<std::string>& gpu_ids) {
  if (!root.has("policy")) return;
  const ParamReader p = root.child("policy");
  if (!p.expect_object()) return;
  p.allow_only({"order", "gpu_types", "reserve_fraction", "preemptible", "spot_notice_hours",
                "reconcile_hours", "description"});
  PolicySpec& policy = s.policy;
  const auto names = class_names();
  if (p.has("order")) {
    std::vector<WorkClass> order;
    for (const auto& item : p.array("order", true)) {
      const std::string name = item.node().is_string() ? item.node().get<std::string>() : "";
      if (std::find(names.begin(), names.end(), name) == names.end()) {
        const std::string guess = nearest(name, names);
        item.error("",
                   fmt::format("unknown class (got {}, expected one of: {}){}", brief(item.node()),
                               fmt::join(names, ", "),
                               guess.empty() ? "" : fmt::format("; did you mean \"{}\"?", guess)));
        continue;
      }
      const WorkClass c = *class_from_name(name);
      if (std::find(order.begin(), order.end(), c) != order.end()) {
        item.error("", fmt::format("class \"{}\" is listed twice", name));
      }
      order.push_back(c);
    }
    if (order.size() == kClassCount) {
      policy.order = order;
    } else if (p.node().at("order").is_array()) {
      p.error("order", fmt::format("expected every class once (got {} of {}: {})", order.size(),
                                   kClassCount, fmt::join(names, ", ")));
    }
  }
  if (p.has("gpu_types")) {
    const ParamReader types = p.child("gpu_types");
    if (types.expect_object()) {
      types.allow_only(names);
      for (const auto& [name, list] : types.node().items()) {
        if (std::find(names.begin(), names.end(), name) == names.end()) continue;
        auto& allowed = policy.gpu_types[index(*class_from_name(name))];
        for (const auto& item : types.array(name, true)) {
          const std::string id = item.node().is_string() ? item.node().get<std::string>() : "";
          if (!s.catalog.count(id)) {
            const std::string guess = nearest(id, gpu_ids);
            item.error(
                "", fmt::format("unknown GPU type (got {}, expected a catalog id){}",
                                brief(item.node()),
                                guess.empty() ? "" : fmt::format("; did you mean \"{}\"?", guess)));
            continue;
          }
          allowed.push_back(id);
        }
      }
    }
  }
  policy.reserve_fraction = p.number("reserve_fraction", 0.0, Bound::fraction);
  if (p.has("preemptible")) {
    policy.preemptible.fill(false);
    for (const auto& item : p.array("preemptible", true)) {
      const std::string name = item.node().is_string() ? item.node().get<std::string>() : "";
      const auto c = class_from_name(name);
      if (!c || !info(*c).may_be_preemptible) {
        item.error("", fmt::format("not a preemptible class (got {}, expected \"spot\" or "
                                   "\"experiments\")",
                                   brief(item.node())));
        continue;
      }
      policy.preemptible[index(*c)] = true;
    }
  }
  policy.spot_notice_hours = p.number("spot_notice_hours", 0.0, Bound::non_negative);
  policy.reconcile_hours = p.number("reconcile_hours", 1.0, Bound::positive);
}

void read_workloads(const ParamReader& root, Scenario& s,
                    const std::map<std::string, std::size_t>& pool_index) {
  if (!root.has("workloads")) return;
  const ParamReader work = root.child("workloads");
  if (!work.expect_object()) return;
  work.allow_only({"rentals", "contracts", "training", "inference", "description"});
  std::set<std::string> ids;
  for (const auto& w : work.array("rentals", false)) {
    if (w.expect_object()) {
      s.rentals.push_back(read_job_stream(w, s, WorkClass::on_demand, pool_index, ids));
    }
  }
  for (const auto& c : work.array("contracts", false)) {
    if (!c.expect_object()) continue;
    c.allow_only({"id", "gpus", "start", "end", "term_days", "pools", "description"});
    ContractSpec k;
    k.id = c.required_string("id");
    if (!k.id.empty() && !ids.insert(k.id).second) {
      c.error("id", fmt::format("duplicate workload id \"{}\"", k.id));
    }
    k.gpus = c.required_integer("gpus", Bound::positive);
    const Date begin = read_date(c, "start").value_or(s.start);
    k.begin = std::max(sim::Time{}, time_of(s.start, begin));
    if (c.has("end") == c.has("term_days")) {
      c.error("", "expected exactly one of \"end\" and \"term_days\"");
    } else if (c.has("end")) {
      if (auto end = read_date(c, "end")) {
        if (*end <= begin) {
          c.error("end", fmt::format("dates out of order (got end {}, expected after start {})",
                                     format_date(*end), format_date(begin)));
        }
        k.end = time_of(s.start, *end);
      }
    } else {
      const auto term = c.integer("term_days", 1, Bound::positive);
      k.end = time_of(s.start, begin + std::chrono::days{term});
    }
    k.pools = read_pool_list(c, pool_index, s.pools.size());
    s.contracts.push_back(k);
  }
  if (work.has("training")) {
    const ParamReader training = work.child("training");
    if (training.expect_object()) {
      training.allow_only({"campaigns", "experiments", "description"});
      std::vector<CampaignNode> nodes;
      for (const auto& c : training.array("campaigns", false)) {
        CampaignSpec k;
        CampaignNode node;
        if (c.expect_object()) {
          c.allow_only({"id", "gpus", "gpu_hours", "days", "earliest_start", "after", "pools",
                        "gpu_types", "priority", "checkpoint_hours", "restart_hours",
                        "description"});
          k.id = c.required_string("id");
          if (!k.id.empty() && !ids.insert(k.id).second) {
            c.error("id", fmt::format("duplicate workload id \"{}\"", k.id));
          }
          k.gpus = c.required_integer("gpus", Bound::positive);
          if (c.has("gpu_hours") == c.has("days")) {
            c.error("", "expected exactly one of \"gpu_hours\" and \"days\" (at the full gang)");
          } else if (c.has("gpu_hours")) {
            k.gpu_hours = c.number("gpu_hours", 1.0, Bound::positive);
          } else {
            k.gpu_hours =
                c.number("days", 1.0, Bound::positive) * 24.0 * static_cast<double>(k.gpus);
          }
          const Date earliest = read_date(c, "earliest_start").value_or(s.start);
          k.earliest_start = std::max(sim::Time{}, time_of(s.start, earliest));
          k.pools = read_pool_list(c, pool_index, s.pools.size());
          if (c.has("gpu_types")) {
            std::vector<std::string> types;
            for (const auto& item : c.array("gpu_types", true)) {
              const std::string id = item.node().is_string() ? item.node().get<std::string>() : "";
              if (!s.catalog.count(id)) {
                item.error("", fmt::format("unknown GPU type (got {}, expected a catalog id)",
                                           brief(item.node())));
              }
              types.push_back(id);
            }
            std::erase_if(k.pools, [&](std::size_t p) {
              return std::find(types.begin(), types.end(), s.pools[p].gpu) == types.end();
            });
          }
          k.priority = static_cast<int>(c.integer("priority", 0, Bound::non_negative));
          k.checkpoint_hours = c.number("checkpoint_hours", 1.0, Bound::positive);
          k.restart_hours = c.number("restart_hours", 0.5, Bound::non_negative);
          node.id = k.id;
          node.duration_hours = k.gpu_hours / static_cast<double>(k.gpus);
          node.earliest_start_hours = sim::to_hours(k.earliest_start - sim::Time{});
          if (c.has("after")) {
            for (const auto& item : c.array("after", true)) {
              if (item.node().is_string()) {
                node.after.push_back(item.node().get<std::string>());
              } else {
                item.error("", fmt::format("wrong type (got {}, expected a campaign id)",
                                           brief(item.node())));
              }
            }
          }
        }
        nodes.push_back(node);
        s.campaigns.push_back(k);
      }
      if (!nodes.empty()) {
        const CampaignGraph graph(nodes, work.diagnostics(),
                                  work.pointer_of("training") + "/campaigns");
        for (std::size_t i = 0; i < s.campaigns.size(); ++i) {
          s.campaigns[i].after = graph.predecessors(i);
        }
      }
      for (const auto& w : training.array("experiments", false)) {
        if (w.expect_object()) {
          s.rentals.push_back(read_job_stream(w, s, WorkClass::experiments, pool_index, ids));
        }
      }
    }
  }
  for (const auto& w : work.array("inference", false)) {
    if (!w.expect_object()) continue;
    w.allow_only({"id", "demand", "unit", "tokens_per_second_per_gpu", "pools", "description"});
    InferenceSpec k;
    k.id = w.required_string("id");
    if (!k.id.empty() && !ids.insert(k.id).second) {
      w.error("id", fmt::format("duplicate workload id \"{}\"", k.id));
    }
    const std::string unit = w.choice("unit", {"gpus", "tokens_per_second"}, "gpus");
    if (unit == "tokens_per_second") {
      if (!w.has("tokens_per_second_per_gpu")) {
        w.error("tokens_per_second_per_gpu",
                "missing required key with unit \"tokens_per_second\" (expected the tokens/s "
                "one H100 serves)");
      }
      k.gpus_per_unit = 1.0 / w.number("tokens_per_second_per_gpu", 1.0, Bound::positive);
    } else if (w.has("tokens_per_second_per_gpu")) {
      w.error("tokens_per_second_per_gpu", "only used with \"unit\": \"tokens_per_second\"");
    }
    if (!w.has("demand")) {
      w.error("demand", "missing required key (expected a demand curve object)");
    } else {
      k.demand = DemandCurve::read(w.child("demand"), s.start);
    }
    k.pools = read_pool_list(w, pool_index, s.pools.size());
    s.inference.push_back(std::move(k));
  }
}

}  // namespace

Scenario load_scenario(const json& doc, const std::string& file) {
  Diagnostics diag(file);
  Scenario s;
  s.file = file;
  const ParamReader root(doc, "", diag);
  if (!root.expect_object()) diag.throw_if_any();
  root.allow_only({"name", "description", "start", "horizon", "warmup", "seed", "period", "catalog",
                   "fleet", "workloads", "policy", "finance"});

  s.name = root.required_string("name");
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
      fleet.allow_only({"pools", "purchases", "description"});
      for (const auto& p : fleet.array("pools", true)) read_pool(p, s, gpu_ids, pool_index, false);
      for (const auto& p : fleet.array("purchases", false)) {
        read_pool(p, s, gpu_ids, pool_index, true);
      }
    }
  }
  read_policy(root, s, gpu_ids);
  read_workloads(root, s, pool_index);
  if (root.has("finance")) {
    s.finance = read_finance(root.child("finance"), s);
    s.quotes = s.finance->prices;
    s.cuts = s.finance->price_changes;
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
