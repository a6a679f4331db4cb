// The ranges of the workloads' and the policy's numbers (limits.hpp), from one table: a
// pattern of JSON pointers ("*" any element or key, a final "**" every number below), and the
// range each number must be in. The values a reader converts at once (dates, spans, a pool's
// count and life, a contract's term) are checked where they are read.

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "limits.hpp"
#include "reading.hpp"

namespace aidc::reading {

namespace {

struct Range {
  const char* pattern;
  double low;
  double high;
  const char* unit;
};

constexpr double kMaxGpusD = static_cast<double>(kMaxGpus);

const Range kRanges[] = {
    {"/policy/spot_notice_hours", 0, kMaxHours, "hours"},
    {"/policy/reconcile_hours", kMinReconcileHours, kMaxHours,
     "hours (one second, the engine's resolution, or more)"},
    {"/workloads/rentals/*/arrivals/per_hour", 0, kMaxPerHour, "arrivals an hour"},
    {"/workloads/rentals/*/arrivals/schedule/*/per_hour", 0, kMaxPerHour, "arrivals an hour"},
    {"/workloads/rentals/*/gpus/**", 0, kMaxGpusD, "GPUs"},
    {"/workloads/rentals/*/duration_hours/**", 0, kMaxHours, "hours"},
    {"/workloads/rentals/*/patience_hours/**", 0, kMaxHours, "hours"},
    {"/workloads/training/experiments/*/arrivals/per_hour", 0, kMaxPerHour, "arrivals an hour"},
    {"/workloads/training/experiments/*/arrivals/schedule/*/per_hour", 0, kMaxPerHour,
     "arrivals an hour"},
    {"/workloads/training/experiments/*/gpus/**", 0, kMaxGpusD, "GPUs"},
    {"/workloads/training/experiments/*/duration_hours/**", 0, kMaxHours, "hours"},
    {"/workloads/training/experiments/*/patience_hours/**", 0, kMaxHours, "hours"},
    {"/workloads/contracts/*/gpus", 1, kMaxGpusD, "GPUs"},
    {"/workloads/contracts/*/renewals", 0, static_cast<double>(kMaxRenewals), "renewals"},
    {"/workloads/training/campaigns/*/gpus", 1, kMaxGpusD, "GPUs"},
    {"/workloads/training/campaigns/*/spares", 0, kMaxGpusD, "GPUs"},
    {"/workloads/training/campaigns/*/priority", 0, 1e6, ""},
    {"/workloads/training/campaigns/*/checkpoint_hours", 0, kMaxHours, "hours"},
    {"/workloads/training/campaigns/*/restart_hours", 0, kMaxHours, "hours"},
    {"/workloads/training/campaigns/*/checkpoint_write_hours", 0, kMaxHours, "hours"},
};

std::vector<std::string_view> pattern_parts(std::string_view pattern) {
  std::vector<std::string_view> out;
  while (!pattern.empty()) {
    pattern.remove_prefix(1);  // the "/"
    const auto next = pattern.find('/');
    out.push_back(pattern.substr(0, next));
    pattern = next == std::string_view::npos ? std::string_view{} : pattern.substr(next);
  }
  return out;
}

/// Checks every number `parts` (from `at` on) leads to below `r`.
void walk(const ParamReader& r, const std::vector<std::string_view>& parts, std::size_t at,
          const Range& range) {
  if (at == parts.size() || parts[at] == "**") {
    if (r.node().is_number()) {
      // A value the reader refused already is not reported twice.
      const auto& items = r.diagnostics().items();
      if (std::any_of(items.begin(), items.end(),
                      [&](const Diagnostic& d) { return d.pointer == r.pointer(); })) {
        return;
      }
      within(r, "", r.node().get<double>(), range.low, range.high,
             fmt::format("{:g} to {:g}{}{}", range.low, range.high, *range.unit ? " " : "",
                         range.unit));
    } else if (at < parts.size()) {  // "**": every number below
      if (r.node().is_object()) {
        for (const auto& [key, value] : r.node().items()) walk(r.child(key), parts, at, range);
      } else if (r.node().is_array()) {
        for (std::size_t i = 0; i < r.size(); ++i) walk(r.at(i), parts, at, range);
      }
    }
    return;
  }
  if (parts[at] == "*") {
    if (r.node().is_array()) {
      for (std::size_t i = 0; i < r.size(); ++i) walk(r.at(i), parts, at + 1, range);
    } else if (r.node().is_object()) {
      for (const auto& [key, value] : r.node().items()) walk(r.child(key), parts, at + 1, range);
    }
  } else if (r.has(parts[at])) {
    walk(r.child(parts[at]), parts, at + 1, range);
  }
}

}  // namespace

void check_ranges(const ParamReader& root) {
  for (const auto& range : kRanges) walk(root, pattern_parts(range.pattern), 0, range);
}

}  // namespace aidc::reading
