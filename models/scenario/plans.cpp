// Plans that cannot happen, caught when the scenario is read: a campaign larger than all the
// pools it may use, a job larger than every pool it may use, a contract whose pools retire
// before it starts (errors); a stream whose pools are never in service (a warning). And the
// work a run will do, estimated from the scenario before it starts.

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "aidc/scenario/scenario.hpp"
#include "limits.hpp"
#include "reading.hpp"

namespace aidc {

namespace {

/// Whether pool `p` is in service for some time of the run from `from` on.
bool ever_in_service(const Scenario& s, std::size_t p, sim::Time from) {
  const PoolSpec& pool = s.pools[p];
  return pool.count > 0 && pool.in_service < s.horizon && pool.retire > pool.in_service &&
         pool.retire > from;
}

/// The pools of `pools` that class `c` may use and that are ever in service from `from` on.
std::vector<std::size_t> usable(const Scenario& s, const std::vector<std::size_t>& pools,
                                WorkClass c, sim::Time from = {}) {
  std::vector<std::size_t> out;
  for (const auto p : pools) {
    if (s.policy.allows(c, s.pools[p].gpu) && ever_in_service(s, p, from)) out.push_back(p);
  }
  return out;
}

/// A stream's fixed job size: "gpus": N or {"dist": "fixed", "value": N}; else nullopt.
std::optional<double> fixed_size(const nlohmann::json& stream) {
  if (!stream.is_object() || !stream.contains("gpus")) return std::nullopt;
  const auto& g = stream.at("gpus");
  if (g.is_number()) return g.get<double>();
  if (g.is_object() && g.value("dist", "") == "fixed" && g.contains("value") &&
      g.at("value").is_number()) {
    return g.at("value").get<double>();
  }
  return std::nullopt;
}

const nlohmann::json* at_pointer(const nlohmann::json& doc, const std::string& pointer) {
  const nlohmann::json::json_pointer p(pointer);
  return doc.contains(p) ? &doc.at(p) : nullptr;
}

}  // namespace

namespace reading {

void check_plans(const ParamReader& root, const Scenario& s) {
  const auto error = [&](const std::string& pointer, const std::string& message) {
    root.diagnostics().add(pointer, message);
  };
  for (std::size_t i = 0; i < s.campaigns.size(); ++i) {
    const CampaignSpec& k = s.campaigns[i];
    const std::string& pointer = k.pointer;
    std::int64_t most = 0;
    for (const auto p : usable(s, k.pools, WorkClass::training, k.earliest_start)) {
      most += s.pools[p].count;
    }
    if (k.gpus + k.spares > most) {
      error(pointer + "/gpus",
            fmt::format("the campaign can never start (got {} GPUs{}, expected at most {}, the "
                        "GPUs of all the pools it may use in service from its earliest start)",
                        k.gpus + k.spares, k.spares > 0 ? " with its spares" : "", most));
    }
  }
  for (std::size_t i = 0; i < s.rentals.size(); ++i) {
    const RentalSpec& r = s.rentals[i];
    const std::string pointer = s.rentals[i].pointer;
    const nlohmann::json* node = at_pointer(root.node(), pointer);
    const auto size = node ? fixed_size(*node) : std::nullopt;
    if (!size) continue;
    std::int64_t largest = 0;
    for (const auto p : usable(s, r.pools, r.work_class)) {
      largest = std::max(largest, s.pools[p].count);
    }
    if (largest > 0 && *size > static_cast<double>(largest)) {
      error(pointer + "/gpus",
            fmt::format("no job of the stream can ever run (got {:g} GPUs a job, expected at "
                        "most {}, the largest pool it may use; a job runs on one pool)",
                        *size, largest));
    }
  }
  for (std::size_t i = 0; i < s.contracts.size(); ++i) {
    const ContractSpec& k = s.contracts[i];
    bool any = false;
    for (const auto p : k.pools) {
      const PoolSpec& pool = s.pools[p];
      any = any || (pool.retire > k.begin && pool.in_service < k.end && pool.count > 0);
    }
    if (!k.pools.empty() && !any) {
      error(k.pointer + "/pools",
            "every pool of the contract retires before it starts or enters service after it "
            "ends (expected a pool in service during the contract)");
    }
  }
}

void plan_warnings(const Scenario& s, std::vector<Diagnostic>& out) {
  const auto never = [&](const std::vector<std::size_t>& pools, WorkClass c) {
    return !pools.empty() && usable(s, pools, c).empty();
  };
  const std::string text =
      "warning: none of the pools it may use is ever in service during the run, so it gets no "
      "GPUs (expected a pool in service before the horizon)";
  for (std::size_t i = 0; i < s.rentals.size(); ++i) {
    if (never(s.rentals[i].pools, s.rentals[i].work_class)) {
      out.push_back(Diagnostic{s.file, s.rentals[i].pointer + "/pools", text});
    }
  }
  for (std::size_t i = 0; i < s.inference.size(); ++i) {
    if (never(s.inference[i].pools, s.inference[i].work_class)) {
      out.push_back(Diagnostic{s.file, s.inference[i].pointer + "/pools", text});
    }
  }
  try {
    check_event_budget(s);
  } catch (const ScenarioError& e) {
    const Diagnostic& d = e.diagnostics().front();
    out.push_back(Diagnostic{d.file, d.pointer, "warning: " + d.message});
  }
}

}  // namespace reading

namespace {
/// The estimate of estimated_events() and the pointer of its largest part.
std::pair<double, std::string> event_estimate(const Scenario& s) {
  const double horizon_hours = sim::to_hours(s.horizon - sim::Time{});
  double events = 0;
  double largest = 0;
  std::string pointer;
  for (std::size_t i = 0; i < s.rentals.size(); ++i) {
    const RentalSpec& r = s.rentals[i];
    // Each request: its arrival, its start and its end (or its renege).
    auto arrivals = static_cast<double>(r.trace.size());
    for (std::size_t j = 0; j < r.arrivals.size(); ++j) {
      const sim::Time until = j + 1 < r.arrivals.size() ? r.arrivals[j + 1].from : s.horizon;
      const double hours = sim::to_hours(std::min(until, s.horizon) - r.arrivals[j].from);
      arrivals += r.arrivals[j].per_hour * std::max(0.0, hours);
    }
    events += 3 * arrivals;
    if (3 * arrivals > largest) {
      largest = 3 * arrivals;
      pointer = r.pointer + (r.trace.empty() ? "/arrivals" : "/trace");
    }
  }
  // Each GPU failure and its repair.
  for (std::size_t p = 0; p < s.pools.size(); ++p) {
    const PoolSpec& pool = s.pools[p];
    const auto type = s.catalog.find(pool.gpu);
    if (type == s.catalog.end() || !type->second.mtbf_hours) continue;
    const sim::Time from = std::max(pool.in_service, sim::Time{});
    const sim::Time until = std::min(pool.retire, s.horizon);
    if (until <= from) continue;
    const double failures =
        static_cast<double>(pool.count) * sim::to_hours(until - from) / *type->second.mtbf_hours;
    events += 2 * failures;
    if (2 * failures > largest) {
      largest = 2 * failures;
      pointer = fmt::format("/catalog/{}/mtbf_hours", pool.gpu);
    }
  }
  // The reconcile step, once every reconcile_hours when there is something to reallocate
  // (the workloads' needs_reconcile(): inference, campaigns, contracts, preemptible streams).
  const bool ticks_at_all =
      !s.inference.empty() || !s.campaigns.empty() || !s.contracts.empty() ||
      std::any_of(s.rentals.begin(), s.rentals.end(),
                  [&](const RentalSpec& r) { return s.policy.preemptible[index(r.work_class)]; });
  const double ticks =
      ticks_at_all ? horizon_hours / std::max(s.policy.reconcile_hours, reading::kMinReconcileHours)
                   : 0.0;
  events += ticks;
  if (ticks > largest) pointer = "/policy/reconcile_hours";
  return {events, pointer};
}
}  // namespace

double estimated_events(const Scenario& s) { return event_estimate(s).first; }

void check_event_budget(const Scenario& s, double limit) {
  const auto [events, pointer] = event_estimate(s);
  if (events <= limit) return;
  throw ScenarioError({Diagnostic{
      s.file, pointer,
      fmt::format("too much work for one run (got an estimated {:.3g} events from the arrival "
                  "rates, the GPUs' failures, the horizon and reconcile_hours, expected at most "
                  "{:.3g}; give "
                  "--force to run it anyway)",
                  events, limit)}});
}

}  // namespace aidc
