// Inference workloads: the operator's own serving (class "inference", demand in H100-equivalent
// GPUs or in tokens per second) and model access sold to outside customers by the token
// (class "api", demand in tokens per second, billed on the tokens served).

#include <fmt/format.h>
#include <cmath>

#include "aidc/demand/demand.hpp"
#include "reading.hpp"

namespace aidc::reading {

namespace {

/// "tokens_per_second_per_gpu": a number (an H100's; other types scale by their inference
/// factor) or {"H100": x, "GB200": y, ...} (each type its own; every eligible type listed).
void read_throughput(const ParamReader& w, const Scenario& s, InferenceSpec& k) {
  const char* key = "tokens_per_second_per_gpu";
  const json& node = w.node().at(key);
  if (node.is_object()) {
    const ParamReader table = w.child(key);
    for (const auto& [id, value] : node.items()) {
      if (!s.catalog.count(id)) {
        table.error(id, fmt::format("unknown GPU type (got \"{}\", expected a catalog id)", id));
        continue;
      }
      k.tokens_per_second_per_gpu[id] = table.required_number(id, Bound::positive);
    }
    for (const std::size_t p : k.pools) {
      const std::string& gpu = s.pools[p].gpu;
      if (!s.catalog.count(gpu) || k.tokens_per_second_per_gpu.count(gpu)) continue;
      if (!s.policy.allows(k.work_class, gpu)) continue;
      w.error(key, fmt::format("no throughput for GPU type \"{}\" of pool \"{}\" (expected a "
                               "tokens/s entry for every type the workload may use, or one "
                               "number for an H100)",
                               gpu, s.pools[p].id));
    }
    return;
  }
  const double h100 = w.required_number(key, Bound::positive);
  for (const auto& [id, g] : s.catalog) k.tokens_per_second_per_gpu[id] = h100 * g.inference_factor;
}

}  // namespace

InferenceSpec read_inference(const ParamReader& w, const Scenario& s,
                             const std::map<std::string, std::size_t>& pool_index,
                             std::set<std::string>& ids) {
  w.allow_only({"id", "class", "demand", "unit", "tokens_per_second_per_gpu", "output_token_share",
                "service_objective", "pools", "description"});
  InferenceSpec k;
  k.pointer = w.pointer();
  k.id = w.id("id");
  if (!k.id.empty() && !ids.insert(k.id).second) {
    w.error("id", fmt::format("duplicate workload id \"{}\"", k.id));
  }
  k.work_class = w.choice("class", {"inference", "api"}, "inference") == "api"
                     ? WorkClass::api
                     : WorkClass::inference;
  const bool api = k.work_class == WorkClass::api;
  k.pools = read_pool_list(w, pool_index, s.pools.size());
  const std::string unit = w.choice("unit", {"gpus", "tokens_per_second"}, "gpus");
  if (api && unit != "tokens_per_second") {
    w.error("unit", "an \"api\" workload is billed by the token (expected \"tokens_per_second\")");
  }
  if (unit == "tokens_per_second") {
    if (!w.has("tokens_per_second_per_gpu")) {
      w.error("tokens_per_second_per_gpu",
              "missing required key with unit \"tokens_per_second\" (expected the tokens/s one "
              "H100 serves, or an object of tokens/s by GPU type)");
    } else if (api) {
      read_throughput(w, s, k);
    } else {
      k.gpus_per_unit = 1.0 / w.number("tokens_per_second_per_gpu", 1.0, Bound::positive);
    }
  } else if (w.has("tokens_per_second_per_gpu")) {
    w.error("tokens_per_second_per_gpu", "only used with \"unit\": \"tokens_per_second\"");
  }
  if (api) {
    k.output_share = w.number("output_token_share", kAzureOutputTokenShare, Bound::fraction);
    if (w.has("service_objective")) {
      k.service_objective = w.number("service_objective", 1.0, Bound::fraction);
    }
  } else {
    for (const char* key : {"output_token_share", "service_objective"}) {
      if (w.has(key)) w.error(key, "only used with \"class\": \"api\"");
    }
  }
  if (!w.has("demand")) {
    w.error("demand", "missing required key (expected a demand curve object)");
  } else {
    // The curve is sampled once a reconcile; an out-of-range step is reported elsewhere.
    const double step = s.policy.reconcile_hours > 0 && std::isfinite(s.policy.reconcile_hours)
                            ? s.policy.reconcile_hours
                            : 1.0;
    k.demand = DemandCurve::read(w.child("demand"), s.start, step);
  }
  return k;
}

void check_api_workload(const ParamReader& w, const Scenario& s, const InferenceSpec& k) {
  if (k.work_class != WorkClass::api) return;
  // The api workloads share the fleet's api GPUs, so a GPU serves each as many tokens.
  for (const InferenceSpec& other : s.inference) {
    if (other.work_class != WorkClass::api) continue;
    for (const auto& [gpu, tps] : k.tokens_per_second_per_gpu) {
      const auto it = other.tokens_per_second_per_gpu.find(gpu);
      if (it == other.tokens_per_second_per_gpu.end() || it->second == tps) continue;
      w.error("tokens_per_second_per_gpu",
              fmt::format("\"api\" workloads share their GPUs, so they must state the same "
                          "throughput (got {} tokens/s on {}, expected {} as for \"{}\")",
                          tps, gpu, it->second, other.id));
      return;
    }
  }
}

}  // namespace aidc::reading
