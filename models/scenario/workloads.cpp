// The workloads and the policy of a scenario file: job streams (rentals and experiments),
// contracts, training campaigns, inference, and how the classes share the fleet.

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <filesystem>

#include "aidc/demand/demand.hpp"
#include "aidc/scenario/data_paths.hpp"
#include "aidc/training/campaign_graph.hpp"
#include "aidc/training/job_trace.hpp"
#include "limits.hpp"
#include "reading.hpp"

namespace aidc::reading {

namespace {

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
  const auto full = data_file_path(t, "path");
  if (!full) return;
  try {
    const JobTrace trace = read_job_trace(*full, columns);
    for (const auto& job : trace.jobs) {
      r.trace.push_back({job.submit_hours, job.gpus, job.duration_hours});
    }
  } catch (const ScenarioError& e) {
    for (const auto& d : e.diagnostics()) t.error("path", d.to_string());
  }
}

/// A stream of job requests: a rental stream or an experiment stream.
RentalSpec read_job_stream(const ParamReader& w, const Scenario& s, WorkClass cls,
                           const std::map<std::string, std::size_t>& pool_index,
                           std::set<std::string>& ids, std::size_t& profile_segments) {
  RentalSpec r;
  r.pointer = w.pointer();
  r.work_class = cls;
  const bool rental = cls != WorkClass::experiments;
  std::vector<std::string> keys{
      "id", "description", "arrivals", "gpus", "duration_hours", "patience_hours", "pools"};
  keys.emplace_back(rental ? "contract" : "trace");
  if (rental) keys.emplace_back("price_elasticity");  // applied after finance (elasticity.cpp)
  w.allow_only(keys);
  r.id = w.id("id");
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
    r.arrivals = read_arrivals(w, s, profile_segments);
    r.gpus = read_distribution(w, "gpus", Bound::positive);
    r.duration_hours = read_distribution(w, "duration_hours", Bound::positive);
  }
  if (w.has("patience_hours")) {
    Patience patience = read_patience(w);
    r.patience_hours = patience.hours;
    r.patience = std::move(patience.distribution);
  } else {
    r.patience_hours = rental ? 0.0 : kInf;
  }
  r.pools = read_pool_list(w, pool_index, s.pools.size());
  return r;
}

}  // namespace

void read_policy(const ParamReader& root, Scenario& s, const std::vector<std::string>& gpu_ids) {
  if (!root.has("policy")) return;
  const ParamReader p = root.child("policy");
  if (!p.expect_object()) return;
  p.allow_only({"order", "gpu_types", "reserve_fraction", "reserve_for", "max_share", "preemptible",
                "spot_notice_hours", "reconcile_hours", "description"});
  PolicySpec& policy = s.policy;
  const auto names = class_names();
  // A class read from a list: its id, or nullopt with the problem recorded.
  auto class_item = [&](const ParamReader& item) -> std::optional<WorkClass> {
    const std::string name = item.node().is_string() ? item.node().get<std::string>() : "";
    if (const auto c = class_from_name(name)) return c;
    const std::string guess = nearest(name, names);
    item.error("", fmt::format("unknown class (got {}, expected one of: {}){}", brief(item.node()),
                               fmt::join(names, ", "),
                               guess.empty() ? "" : fmt::format("; did you mean \"{}\"?", guess)));
    return std::nullopt;
  };
  if (p.has("order")) {
    // Classes left out rank last, in the table's order; a class with work must be listed
    // (checked once the workloads are read).
    std::vector<WorkClass> order;
    policy.order_listed.fill(false);
    for (const auto& item : p.array("order", true)) {
      const auto c = class_item(item);
      if (!c) continue;
      if (std::find(order.begin(), order.end(), *c) != order.end()) {
        item.error("", fmt::format("class \"{}\" is listed twice", class_name(*c)));
        continue;
      }
      order.push_back(*c);
      policy.order_listed[index(*c)] = true;
    }
    for (const auto& c : kWorkClasses) {
      if (!policy.order_listed[index(c.id)]) order.push_back(c.id);
    }
    policy.order = order;
  }
  if (p.has("reserve_for")) {
    policy.may_use_reserve.fill(false);
    for (const auto& item : p.array("reserve_for", true)) {
      if (const auto c = class_item(item)) policy.may_use_reserve[index(*c)] = true;
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
  if (p.has("max_share")) {
    // {"spot": 0.2}: a job-stream class holds at most this share of each pool.
    const ParamReader caps = p.child("max_share");
    if (caps.expect_object()) {
      for (const auto& [name, value] : caps.node().items()) {
        const auto c = class_from_name(name);
        if (!c || !(*c == WorkClass::spot || *c == WorkClass::on_demand ||
                    *c == WorkClass::experiments)) {
          caps.error(name, fmt::format("not a class of job streams (got \"{}\", expected "
                                       "\"spot\", \"on_demand\" or \"experiments\")",
                                       name));
          continue;
        }
        policy.max_share[index(*c)] = caps.number(name, 1.0, Bound::fraction);
      }
    }
  }
  policy.spot_notice_hours = p.number("spot_notice_hours", 0.0, Bound::non_negative);
  policy.reconcile_hours = p.number("reconcile_hours", 1.0, Bound::positive);
}

namespace {

/// A policy "order" that leaves out a class ranks it last; a class the scenario has work for
/// must be listed.
void check_order(const ParamReader& root, const Scenario& s) {
  ClassFlags has_work{};
  has_work[index(WorkClass::training)] = !s.campaigns.empty();
  has_work[index(WorkClass::reserved)] = !s.contracts.empty();
  for (const auto& r : s.rentals) has_work[index(r.work_class)] = true;
  for (const auto& k : s.inference) has_work[index(k.work_class)] = true;
  for (const auto& c : kWorkClasses) {
    if (!has_work[index(c.id)] || s.policy.order_listed[index(c.id)]) continue;
    root.child("policy").error(
        "order", fmt::format("the scenario has work of class \"{}\", which the order leaves out "
                             "(expected every class with work listed)",
                             c.name));
  }
}

}  // namespace

void read_workloads(const ParamReader& root, Scenario& s,
                    const std::map<std::string, std::size_t>& pool_index) {
  if (!root.has("workloads")) return;
  const ParamReader work = root.child("workloads");
  if (!work.expect_object()) return;
  work.allow_only({"rentals", "contracts", "training", "inference", "description"});
  std::set<std::string> ids;
  std::size_t profile_segments = 0;  // the hourly segments of the streams' profiles so far
  for (const auto& w : work.array("rentals", false)) {
    if (w.expect_object()) {
      s.rentals.push_back(
          read_job_stream(w, s, WorkClass::on_demand, pool_index, ids, profile_segments));
    }
  }
  for (const auto& c : work.array("contracts", false)) {
    if (!c.expect_object()) continue;
    c.allow_only({"id", "gpus", "start", "end", "term_days", "booked", "renewals", "price", "pools",
                  "description"});
    ContractSpec k;
    k.id = c.id("id");
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
      auto term = c.integer("term_days", 1, Bound::positive);
      if (!within(c, "term_days", static_cast<double>(term), 1, static_cast<double>(kMaxDays),
                  fmt::format("a whole number of days from 1 to {} (100 years)", kMaxDays))) {
        term = 1;
      }
      k.end = time_of(s.start, begin + std::chrono::days{term});
    }
    k.term_days = static_cast<double>((k.end - time_of(s.start, begin)).seconds) /
                  static_cast<double>(sim::kSecondsPerDay);
    const Date booked = read_date(c, "booked").value_or(begin);
    if (booked > begin) {
      c.error("booked", fmt::format("dates out of order (got booked {}, expected on or before the "
                                    "start {})",
                                    format_date(booked), format_date(begin)));
    }
    k.booked = time_of(s.start, booked);
    k.renewals = c.integer("renewals", 0, Bound::non_negative);
    k.indexed = c.choice("price", {"booked", "indexed"}, "booked") == "indexed";
    if (k.indexed && c.has("booked")) {
      c.error("booked", "an indexed contract pays the price in force, so it has no booking price");
    }
    k.pools = read_pool_list(c, pool_index, s.pools.size());
    k.pointer = c.pointer();
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
                        "checkpoint_write_hours", "restart_scope", "spares", "description"});
          k.id = c.id("id");
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
          k.checkpoint_write_hours = c.number("checkpoint_write_hours", 0.0, Bound::non_negative);
          k.restart_scope = c.number("restart_scope", 1.0, Bound::fraction);
          k.spares = c.integer("spares", 0, Bound::non_negative);
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
        k.pointer = c.pointer();
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
          s.rentals.push_back(
              read_job_stream(w, s, WorkClass::experiments, pool_index, ids, profile_segments));
        }
      }
    }
  }
  for (const auto& w : work.array("inference", false)) {
    if (!w.expect_object()) continue;
    InferenceSpec k = read_inference(w, s, pool_index, ids);
    check_api_workload(w, s, k);
    s.inference.push_back(std::move(k));
  }
  check_order(root, s);
}

}  // namespace aidc::reading
