#pragma once
// A structure-aware mutator for JSON inputs: it parses the input, changes one node (its
// value, its type, a key, or the shape of an object or array) and writes it back, so that
// most mutants are valid JSON that reach the scenario loader's checks rather than the
// parser's. Inputs that do not parse, and half of the others, go to libFuzzer's own
// byte-level mutator, so both kinds of mutation run.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

namespace aidc::fuzz {

/// Keys of the scenario language, offered when a key is renamed or added.
inline const std::vector<std::string>& scenario_keys() {
  static const std::vector<std::string> keys = {"name",
                                                "start",
                                                "horizon",
                                                "seed",
                                                "period",
                                                "warmup",
                                                "catalog",
                                                "fleet",
                                                "pools",
                                                "purchases",
                                                "sites",
                                                "id",
                                                "gpu",
                                                "count",
                                                "mw",
                                                "site",
                                                "in_service",
                                                "life_years",
                                                "ordered",
                                                "lead_time_days",
                                                "policy",
                                                "order",
                                                "gpu_types",
                                                "reserve_fraction",
                                                "reconcile_hours",
                                                "spot_notice_hours",
                                                "workloads",
                                                "rentals",
                                                "contracts",
                                                "training",
                                                "campaigns",
                                                "experiments",
                                                "inference",
                                                "contract",
                                                "arrivals",
                                                "per_hour",
                                                "gpus",
                                                "duration_hours",
                                                "dist",
                                                "mean",
                                                "sd",
                                                "patience_hours",
                                                "demand",
                                                "base_gpus",
                                                "trend",
                                                "model",
                                                "points",
                                                "date",
                                                "factor",
                                                "noise",
                                                "sigma",
                                                "phi",
                                                "gpu_hours",
                                                "term_days",
                                                "finance",
                                                "prices",
                                                "usd_per_gpu_hour",
                                                "depreciation",
                                                "discount_rate",
                                                "tax",
                                                "financing",
                                                "debt_fraction",
                                                "interest_rate",
                                                "capex_usd_per_gpu",
                                                "mtbf_hours",
                                                "trace",
                                                "path",
                                                "csv",
                                                "class",
                                                "unit",
                                                "tokens_per_second_per_gpu"};
  return keys;
}

/// A value of a random type, with the edges a loader must refuse or survive.
inline nlohmann::json random_value(std::mt19937_64& rng) {
  using L = std::numeric_limits<std::int64_t>;
  static const std::vector<nlohmann::json> values = {nullptr,
                                                     true,
                                                     false,
                                                     0,
                                                     -1,
                                                     1,
                                                     2,
                                                     64,
                                                     L::max(),
                                                     L::min(),
                                                     9007199254740993LL,
                                                     std::numeric_limits<std::uint64_t>::max(),
                                                     0.5,
                                                     -0.5,
                                                     1e-300,
                                                     1e300,
                                                     -1e300,
                                                     std::numeric_limits<double>::max(),
                                                     std::numeric_limits<double>::denorm_min(),
                                                     "",
                                                     "inf",
                                                     "-inf",
                                                     "nan",
                                                     "H100",
                                                     "A100",
                                                     "GB300",
                                                     "2026-01-01",
                                                     "1970-01-01",
                                                     "9999-12-31",
                                                     "2026-02-30",
                                                     "5y",
                                                     "1000d",
                                                     "24h",
                                                     "0d",
                                                     "-1d",
                                                     "99999999999y",
                                                     "quarter",
                                                     "month",
                                                     "spot",
                                                     "on_demand",
                                                     "reserved",
                                                     "api",
                                                     "exponential",
                                                     "lognormal",
                                                     "fixed",
                                                     "straight_line",
                                                     "../../etc/passwd",
                                                     "/dev/zero",
                                                     nlohmann::json::array(),
                                                     nlohmann::json::object()};
  return values[rng() % values.size()];
}

/// Every node of `doc`, as JSON pointers (the root first).
inline void collect(const nlohmann::json& node, const nlohmann::json::json_pointer& at,
                    std::vector<nlohmann::json::json_pointer>& out) {
  out.push_back(at);
  if (out.size() > 4096) return;
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) collect(value, at / key, out);
  } else if (node.is_array()) {
    for (std::size_t i = 0; i < node.size(); ++i) collect(node[i], at / i, out);
  }
}

/// One structural change to `doc`.
inline void mutate_json(nlohmann::json& doc, std::mt19937_64& rng) {
  std::vector<nlohmann::json::json_pointer> nodes;
  collect(doc, nlohmann::json::json_pointer(), nodes);
  nlohmann::json& node = doc[nodes[rng() % nodes.size()]];
  const auto& keys = scenario_keys();
  switch (rng() % 7) {
    case 0:  // another value, often of another type
      node = random_value(rng);
      break;
    case 1:  // a key added or replaced
      if (node.is_object()) node[keys[rng() % keys.size()]] = random_value(rng);
      break;
    case 2:  // a key removed
      if (node.is_object() && !node.empty()) {
        auto it = node.begin();
        std::advance(it, static_cast<std::ptrdiff_t>(rng() % node.size()));
        node.erase(it);
      }
      break;
    case 3:  // a key renamed
      if (node.is_object() && !node.empty()) {
        auto it = node.begin();
        std::advance(it, static_cast<std::ptrdiff_t>(rng() % node.size()));
        nlohmann::json value = *it;
        const std::string old = it.key();
        node.erase(old);
        node[keys[rng() % keys.size()]] = std::move(value);
      }
      break;
    case 4:  // an element duplicated or removed
      if (node.is_array() && !node.empty()) {
        const std::size_t i = rng() % node.size();
        if (rng() % 2 == 0) {
          node.push_back(node[i]);
        } else {
          node.erase(i);
        }
      }
      break;
    case 5:  // a subtree copied from elsewhere in the document
      node = nlohmann::json(doc[nodes[rng() % nodes.size()]]);
      break;
    default:  // a number nudged
      if (node.is_number()) {
        const double v = node.get<double>();
        const double factors[] = {-1.0, 0.0, 0.5, 2.0, 10.0, 1e6, 1e15};
        node = v * factors[rng() % 7];
      }
      break;
  }
}

/// libFuzzer's custom mutator: half structural, half byte-level.
inline size_t mutate(uint8_t* data, size_t size, size_t max_size, unsigned int seed) {
  std::mt19937_64 rng(seed);
  if (rng() % 2 == 0) return LLVMFuzzerMutate(data, size, max_size);
  nlohmann::json doc = nlohmann::json::parse(data, data + size, nullptr, false);
  if (doc.is_discarded()) return LLVMFuzzerMutate(data, size, max_size);
  mutate_json(doc, rng);
  const std::string text = doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (text.size() > max_size) return LLVMFuzzerMutate(data, size, max_size);
  std::copy(text.begin(), text.end(), data);
  return text.size();
}

}  // namespace aidc::fuzz
