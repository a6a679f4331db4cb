#pragma once
/// Assignment of the free GPUs of heterogeneous pools to demand classes, solved as a
/// min-cost flow. A pure function: it keeps no state between calls.

#include <cstdint>
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

}  // namespace aidc
