#pragma once
/// Assignment of the free GPUs of heterogeneous pools to demand classes, solved as a
/// min-cost flow. Pure functions: they keep no state between calls.

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace aidc {

/// GPUs of one pool that may be assigned now.
struct AllocPool {
  std::string id;
  std::string gpu;           // GPU type id, e.g. "H100"
  std::int64_t free = 0;     // GPUs that may be assigned now
  std::int64_t reserve = 0;  // of `free`, GPUs held back for internal classes only
};

/// One class of demand for GPUs.
struct AllocClass {
  std::string id;
  int priority = 0;                               // 0 is served first; strictly lexicographic
  std::int64_t demand = 0;                        // GPUs wanted
  std::vector<std::string> gpu_types;             // eligible types; empty = all
  bool internal = true;                           // internal classes may use the reserve
  bool all_or_nothing = false;                    // a gang: gets its whole demand or nothing
  std::map<std::string, std::int64_t> type_cost;  // preference cost per GPU of a type; default 0
};

/// GPUs assigned to each class from each pool, in the callers' input order.
struct Allocation {
  std::vector<std::vector<std::int64_t>> gpus;  // [class][pool]
  std::vector<std::int64_t> unserved;           // [class]: demand minus GPUs assigned
};

/// Assigns GPUs so that, priority by priority, as many GPUs as possible are served: one
/// more GPU of a priority outweighs any number of GPUs of all later priorities. Among
/// such assignments it takes one of least total `type_cost`. Within a priority, gangs
/// come first (by id) and each gets its whole demand or nothing; a gang may span pools.
/// Pools of one GPU type are interchangeable, so a class's GPUs of a type fill those
/// pools in id order. The result depends only on the ids and values, never on the order
/// of `pools` or `classes`.
/// Throws std::invalid_argument on negative counts, a reserve above `free`, duplicate
/// ids, negative costs, or totals too large to represent.
Allocation allocate(const std::vector<AllocPool>& pools, const std::vector<AllocClass>& classes);

// The same problem by position, for callers that keep pools and classes in arrays: the
// simulation kernel calls this once per reconcile, with eligibility and costs per pool.

inline constexpr std::int64_t kNoCap = std::numeric_limits<std::int64_t>::max();

/// A pool a class may draw on: its position in the pools, the preference cost per GPU and
/// the most GPUs the class may take there.
struct PoolUse {
  std::uint32_t pool = 0;
  std::int64_t cost = 0;
  std::int64_t cap = kNoCap;
  bool operator==(const PoolUse&) const = default;
};

/// A pool's GPUs that may be assigned now: `reserve` of `free` are for internal classes only.
struct PoolRoom {
  std::int64_t free = 0;
  std::int64_t reserve = 0;
  bool operator==(const PoolRoom&) const = default;
};

/// One class of demand, on the pools it lists (each at most once, in increasing position).
struct ClassWant {
  int priority = 0;
  std::int64_t demand = 0;
  bool internal = true;
  bool all_or_nothing = false;
  std::vector<PoolUse> uses;
  bool operator==(const ClassWant&) const = default;
};

/// As allocate() above, with ties broken by position instead of id: classes of one priority
/// in their input order (gangs first), and pools in theirs. Pools are not pooled by type:
/// each is its own vertex of the flow, so a class may name any set of pools. Throws
/// std::invalid_argument as allocate() does, naming classes and pools by position.
Allocation allocate(const std::vector<PoolRoom>& pools, const std::vector<ClassWant>& classes);

}  // namespace aidc
