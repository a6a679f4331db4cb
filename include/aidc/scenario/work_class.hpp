#pragma once
/// The classes of work that compete for GPUs, in one table that every layer reads: the
/// scenario language, the kernel, the finance layer, the outputs and the report's charts.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aidc {

/// The classes of work. Internal classes are the operator's own; the rest are outside
/// customers: raw GPUs by contract type, and model access sold by the token (`api`). The
/// order is that of every per-class column of the outputs.
enum class WorkClass : std::uint8_t {
  training,
  inference,
  experiments,
  reserved,
  on_demand,
  spot,
  api
};

/// What the program knows of a class of work.
struct WorkClassInfo {
  WorkClass id;
  std::string_view name;    // as written in scenarios and outputs
  bool internal;            // the operator's own work, valued at a transfer price
  bool preemptible;         // preemptible unless the policy says otherwise
  bool may_be_preemptible;  // the policy may make it preemptible (job streams only)
  bool shares_revenue;      // in revenue_share.classes unless the scenario lists them
  bool level;               // held as a level that every reconcile sets anew (inference, api)
  std::string_view color;   // its colour in every chart
};

inline constexpr std::array<WorkClassInfo, 7> kWorkClasses{{
    {WorkClass::training, "training", true, false, false, false, false, "#4c78a8"},
    {WorkClass::inference, "inference", true, false, false, false, true, "#72b7b2"},
    {WorkClass::experiments, "experiments", true, false, true, false, false, "#54a24b"},
    {WorkClass::reserved, "reserved", false, false, false, true, false, "#b279a2"},
    {WorkClass::on_demand, "on_demand", false, false, false, true, false, "#f58518"},
    {WorkClass::spot, "spot", false, true, true, true, false, "#eeca3b"},
    {WorkClass::api, "api", false, false, false, false, true, "#9d755d"},
}};
inline constexpr std::size_t kClassCount = kWorkClasses.size();

/// The index of a class in per-class arrays.
constexpr std::size_t index(WorkClass c) { return static_cast<std::size_t>(c); }
constexpr const WorkClassInfo& info(WorkClass c) { return kWorkClasses[index(c)]; }
constexpr bool is_internal(WorkClass c) { return info(c).internal; }

/// A flag per class, read from a column of the table.
using ClassFlags = std::array<bool, kClassCount>;
constexpr ClassFlags class_flags(bool WorkClassInfo::*column) {
  ClassFlags out{};
  for (std::size_t i = 0; i < kClassCount; ++i) out[i] = kWorkClasses[i].*column;
  return out;
}

/// The class named `name`, or nullopt.
constexpr std::optional<WorkClass> class_from_name(std::string_view name) {
  for (const auto& c : kWorkClasses) {
    if (c.name == name) return c.id;
  }
  return std::nullopt;
}

/// The classes' names, in the table's order.
inline std::vector<std::string> class_names() {
  std::vector<std::string> out;
  out.reserve(kClassCount);
  for (const auto& c : kWorkClasses) out.emplace_back(c.name);
  return out;
}

static_assert(
    [] {
      for (std::size_t i = 0; i < kClassCount; ++i) {
        if (index(kWorkClasses[i].id) != i) return false;
      }
      return true;
    }(),
    "kWorkClasses is in the order of WorkClass");

}  // namespace aidc
