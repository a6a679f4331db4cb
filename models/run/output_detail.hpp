#pragma once
// What the output files share (models/run/): GPU-hours from GPU-seconds, ratios, numbers
// with thousands separators, and the statements of a run computed when not given.

#include <cstdint>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "aidc/finance/finance.hpp"
#include "aidc/workload/simulation.hpp"

namespace aidc::output_detail {

using sim::to_hours;

inline double ratio(std::int64_t a, std::int64_t b) {
  return b == 0 ? 0.0 : static_cast<double>(a) / static_cast<double>(b);
}

inline nlohmann::ordered_json gpu_hours_json(const GpuSeconds& s) {
  nlohmann::ordered_json j;
  j["installed"] = to_hours(s.installed);
  j["busy"] = to_hours(s.busy);
  j["idle"] = to_hours(s.idle);
  j["down"] = to_hours(s.down);
  nlohmann::ordered_json by_class;
  for (std::size_t c = 0; c < kClassCount; ++c) {
    by_class[class_name(static_cast<WorkClass>(c))] = to_hours(s.by_class[c]);
  }
  j["by_class"] = by_class;
  j["training_goodput"] = to_hours(s.by_class[index(WorkClass::training)] - s.training_lost);
  j["training_lost"] = to_hours(s.training_lost);
  return j;
}

inline std::string thousands(double x) {
  std::string digits = fmt::format("{:.0f}", x);
  std::string out;
  const std::size_t start = digits[0] == '-' ? 1 : 0;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > start && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

/// summary.json's "api": tokens asked for and served, and the service objective (tokens.cpp).
nlohmann::ordered_json api_run_json(const Scenario& s, const RunResult& r);
/// finance's "api": revenue, cost and margin of the tokens, per million, by GPU type and by
/// period (tokens.cpp).
nlohmann::ordered_json api_finance_json(const FinanceResult& f);

/// The statements to report: `given`, or computed into `own` when the scenario has finance.
inline const FinanceResult* statements(const Scenario& s, const RunResult& r,
                                       const FinanceResult* given,
                                       std::optional<FinanceResult>& own) {
  if (given || !s.finance) return given;
  own = compute_finance(s, r);
  return &*own;
}

}  // namespace aidc::output_detail
