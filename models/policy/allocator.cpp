#include "aidc/policy/allocator.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <utility>

#include "flow.hpp"

// The allocation is a flow from a source s to a sink t, with two vertices per pool:
//
//   s --tier_k--> tier --demand_c--> class c --cap_cp, cost_cp--> all(p) --free_p--> t
//                                            \--cap_cp, cost_cp--> open(p) --open_p--/
//
// where open_p = free - reserve. Internal classes reach all(p) directly and may use any free
// GPU; external classes go through open(p), which carries only the GPUs outside the reserve.
// The network has one arc per (class, pool it may use), built from positions: no string is
// compared or formatted while it is solved.
//
// Tiers. Classes are ordered by (priority, gang first, position). Each gang is a tier of its
// own and the other classes of a priority form one tier. Priorities are lexicographic, so the
// tiers' served totals are found one tier at a time with max flows instead of one min-cost
// flow with unserved penalties of M^levels, which overflows int64 at three or four levels once
// M exceeds the fleet size. The vectors of GPUs that a flow network can deliver to its entry
// arcs form a polymatroid, so the greedy rule is exact: the GPUs served to tiers 0..k
// together are the max flow with only those tiers enabled, whatever the split, and tier k
// gets that max flow minus the one for tiers 0..k-1. A bisection skips the leading tiers that
// are served in full, and the scan stops once the GPUs reachable by any tier are used up, so
// a typical call needs a few max flows rather than one per tier.
//
// Gangs. A gang tier that would get less than its demand is dropped (capacity 0) and serves
// nothing; later tiers are then computed without it. This is the rule "solve, drop the first
// partially served gang, solve again" applied in tier order, where a gang's tier is fixed
// before the elastic classes of its priority so that they cannot squeeze it out (they would
// otherwise take some of its GPUs, force the drop, and perhaps leave the rest idle).
//
// Preference. A last min-cost flow, with each tier's entry arc capped at its served total
// (all of them are saturated, since the greedy totals are feasible together), picks among
// the lexicographically best allocations one of least cost.
//
// The string interface pools the pools of one GPU type into one vertex pair (eligibility and
// cost depend on the type only), solves by position, then places each type's GPUs on its
// pools in id order, external classes first: whenever the internal and external totals I and
// E of a type satisfy E <= open and I + E <= free, external GPUs fit within the pools' open
// parts and internal GPUs in what remains, so this changes neither the GPUs served nor the
// cost.

namespace aidc {

namespace {

constexpr std::int64_t kMaxInt64 = std::numeric_limits<std::int64_t>::max();

std::int64_t checked_add(std::int64_t a, std::int64_t b, const char* what) {
  if (b > kMaxInt64 - a) throw std::invalid_argument(fmt::format("total {} exceeds int64", what));
  return a + b;
}

/// Classes of one tier: a range of the tier-ordered classes.
struct Tier {
  std::size_t first = 0;
  std::size_t last = 0;  // one past
  bool is_gang = false;
  std::int64_t demand = 0;
  std::size_t arc = 0;  // s -> tier
};

void validate_by_position(const std::vector<PoolRoom>& pools,
                          const std::vector<ClassWant>& classes) {
  std::int64_t total_free = 0;
  for (std::size_t p = 0; p < pools.size(); ++p) {
    if (pools[p].free < 0)
      throw std::invalid_argument(
          fmt::format("pool #{}: free must be non-negative (got {})", p, pools[p].free));
    if (pools[p].reserve < 0 || pools[p].reserve > pools[p].free)
      throw std::invalid_argument(
          fmt::format("pool #{}: reserve must lie in [0, free] (got reserve {}, free {})", p,
                      pools[p].reserve, pools[p].free));
    total_free = checked_add(total_free, pools[p].free, "free GPUs");
  }
  std::int64_t total_demand = 0;
  for (std::size_t c = 0; c < classes.size(); ++c) {
    const ClassWant& w = classes[c];
    if (w.demand < 0)
      throw std::invalid_argument(
          fmt::format("class #{}: demand must be non-negative (got {})", c, w.demand));
    for (std::size_t u = 0; u < w.uses.size(); ++u) {
      const PoolUse& use = w.uses[u];
      if (use.pool >= pools.size() || (u > 0 && use.pool <= w.uses[u - 1].pool))
        throw std::invalid_argument(fmt::format(
            "class #{}: pools must be listed once each, in increasing position below {} "
            "(got {})",
            c, pools.size(), use.pool));
      if (use.cost < 0 || use.cap < 0)
        throw std::invalid_argument(
            fmt::format("class #{}: cost and cap on pool #{} must be non-negative (got {}, {})", c,
                        use.pool, use.cost, use.cap));
    }
    total_demand = checked_add(total_demand, w.demand, "demand");
  }
}

}  // namespace

Allocation allocate(const std::vector<PoolRoom>& pools, const std::vector<ClassWant>& classes) {
  validate_by_position(pools, classes);
  // Tier order: priority, then gangs before the elastic classes of the same priority, then
  // position. Classes without demand take no part.
  std::vector<std::size_t> class_order(classes.size());
  std::iota(class_order.begin(), class_order.end(), std::size_t{0});
  std::stable_sort(class_order.begin(), class_order.end(), [&](std::size_t a, std::size_t b) {
    if (classes[a].priority != classes[b].priority)
      return classes[a].priority < classes[b].priority;
    return classes[a].all_or_nothing && !classes[b].all_or_nothing;
  });
  std::erase_if(class_order, [&](std::size_t c) { return classes[c].demand == 0; });

  Allocation result;
  result.gpus.assign(classes.size(), std::vector<std::int64_t>(pools.size(), 0));
  result.unserved.resize(classes.size());
  for (std::size_t c = 0; c < classes.size(); ++c) result.unserved[c] = classes[c].demand;
  if (class_order.empty() || pools.empty()) return result;

  std::vector<Tier> tiers;
  for (std::size_t i = 0; i < class_order.size(); ++i) {
    const ClassWant& c = classes[class_order[i]];
    const bool same_tier = !tiers.empty() && !tiers.back().is_gang && !c.all_or_nothing &&
                           classes[class_order[tiers.back().first]].priority == c.priority;
    if (!same_tier) tiers.push_back(Tier{i, i, c.all_or_nothing, 0, 0});
    tiers.back().last = i + 1;
    tiers.back().demand += c.demand;  // no overflow: validated
  }

  const std::size_t num_tiers = tiers.size();
  const std::size_t num_classes = class_order.size();
  const std::size_t num_pools = pools.size();
  const std::uint32_t s = 0;
  const auto tier_vertex = [&](std::size_t k) { return static_cast<std::uint32_t>(1 + k); };
  const auto class_vertex = [&](std::size_t i) {
    return static_cast<std::uint32_t>(1 + num_tiers + i);
  };
  const auto all_vertex = [&](std::size_t p) {
    return static_cast<std::uint32_t>(1 + num_tiers + num_classes + p);
  };
  const auto open_vertex = [&](std::size_t p) {
    return static_cast<std::uint32_t>(1 + num_tiers + num_classes + num_pools + p);
  };
  const auto t = static_cast<std::uint32_t>(1 + num_tiers + num_classes + 2 * num_pools);
  const std::size_t num_vertices = std::size_t{t} + 1;
  if (num_vertices > std::numeric_limits<std::uint32_t>::max() / 4)
    throw std::invalid_argument("allocate: too many pools and classes");

  std::int64_t max_cost = 0;
  for (const std::size_t c : class_order)
    for (const PoolUse& use : classes[c].uses) max_cost = std::max(max_cost, use.cost);
  // A path's reduced cost is at most (vertices x largest cost) in absolute value.
  if (max_cost > 0 && max_cost > (kMaxInt64 / 4) / static_cast<std::int64_t>(num_vertices))
    throw std::invalid_argument(fmt::format(
        "type_cost {} is too large to be exact in the flow (keep costs small)", max_cost));

  // Arcs in the order: tier entries, tier -> class, class -> pool, pool exits.
  std::vector<flow::Arc> arcs;
  struct Use {
    std::size_t class_index;
    std::uint32_t pool;
    std::size_t arc;
  };
  std::vector<Use> uses;
  for (std::size_t k = 0; k < num_tiers; ++k) {
    tiers[k].arc = arcs.size();
    arcs.push_back({s, tier_vertex(k), tiers[k].demand, 0});
  }
  for (std::size_t k = 0; k < num_tiers; ++k)
    for (std::size_t i = tiers[k].first; i < tiers[k].last; ++i)
      arcs.push_back({tier_vertex(k), class_vertex(i), classes[class_order[i]].demand, 0});
  for (std::size_t i = 0; i < num_classes; ++i) {
    const ClassWant& c = classes[class_order[i]];
    for (const PoolUse& use : c.uses) {
      const PoolRoom& room = pools[use.pool];
      const std::int64_t reach = c.internal ? room.free : room.free - room.reserve;
      const std::int64_t capacity = std::min(c.demand, use.cap);
      if (reach == 0 || capacity == 0) continue;
      uses.push_back({class_order[i], use.pool, arcs.size()});
      arcs.push_back({class_vertex(i), c.internal ? all_vertex(use.pool) : open_vertex(use.pool),
                      capacity, use.cost});
    }
  }
  for (std::size_t p = 0; p < num_pools; ++p) {
    const std::int64_t open = pools[p].free - pools[p].reserve;
    if (open > 0) arcs.push_back({open_vertex(p), all_vertex(p), open, 0});
    if (pools[p].free > 0) arcs.push_back({all_vertex(p), t, pools[p].free, 0});
  }
  flow::Network network(num_vertices, arcs);

  // GPUs served to the first `n` tiers together, with dropped gangs left out.
  std::vector<std::int64_t> tier_capacity(num_tiers);
  for (std::size_t k = 0; k < num_tiers; ++k) tier_capacity[k] = tiers[k].demand;
  const auto prefix_max_flow = [&](std::size_t n) {
    for (std::size_t k = 0; k < num_tiers; ++k)
      network.set_capacity(tiers[k].arc, k < n ? tier_capacity[k] : 0);
    return network.max_flow(s, t);
  };
  std::int64_t total_demand = 0;
  for (const Tier& tier : tiers) total_demand += tier.demand;

  std::vector<std::int64_t> served = tier_capacity;
  const std::int64_t all_tiers = prefix_max_flow(num_tiers);
  if (all_tiers < total_demand) {
    // Tiers are fully served up to some point and short after it: "the first n tiers are
    // fully served" is true for n = 0, false for all tiers, and once false stays false,
    // so bisect for the longest fully served prefix.
    std::size_t full = 0;
    std::size_t short_of = num_tiers;
    std::int64_t full_demand = 0;
    std::int64_t short_flow = all_tiers;  // max flow of the first `short_of` tiers
    while (short_of - full > 1) {
      const std::size_t mid = full + (short_of - full) / 2;
      std::int64_t demand = full_demand;
      for (std::size_t k = full; k < mid; ++k) demand += tiers[k].demand;
      const std::int64_t flow = prefix_max_flow(mid);
      if (flow == demand) {
        full = mid;
        full_demand = demand;
      } else {
        short_of = mid;
        short_flow = flow;
      }
    }
    // Then tier by tier. Dropping a gang only lowers what later tiers can get, so
    // `all_tiers` stays an upper bound and the early exit stays exact.
    std::int64_t before = full_demand;
    for (std::size_t k = full; k < num_tiers; ++k) {
      if (before == all_tiers) {
        std::fill(served.begin() + static_cast<std::ptrdiff_t>(k), served.end(), 0);
        break;
      }
      std::int64_t through = k + 1 == short_of ? short_flow : prefix_max_flow(k + 1);
      if (tiers[k].is_gang && through - before < tiers[k].demand) {
        tier_capacity[k] = 0;
        through = before;
      }
      served[k] = through - before;
      before = through;
    }
  }

  // Every tier entry capped at its served total: the max flow saturates them all, and the
  // min-cost one picks the cheapest pools. Without costs any max flow will do.
  for (std::size_t k = 0; k < num_tiers; ++k) network.set_capacity(tiers[k].arc, served[k]);
  if (max_cost > 0)
    network.min_cost_max_flow(s, t);
  else
    network.max_flow(s, t);

  for (const Use& use : uses) {
    const std::int64_t got = network.flow(use.arc);
    result.gpus[use.class_index][use.pool] += got;
    result.unserved[use.class_index] -= got;
  }
  return result;
}

// The string interface ----------------------------------------------------------------------

namespace {

void validate(const std::vector<AllocPool>& pools, const std::vector<AllocClass>& classes) {
  std::int64_t total_free = 0;
  for (const auto& p : pools) {
    if (p.free < 0)
      throw std::invalid_argument(
          fmt::format("pool \"{}\": free must be non-negative (got {})", p.id, p.free));
    if (p.reserve < 0 || p.reserve > p.free)
      throw std::invalid_argument(
          fmt::format("pool \"{}\": reserve must lie in [0, free] (got reserve {}, free {})", p.id,
                      p.reserve, p.free));
    total_free = checked_add(total_free, p.free, "free GPUs");
  }
  std::int64_t total_demand = 0;
  for (const auto& c : classes) {
    if (c.demand < 0)
      throw std::invalid_argument(
          fmt::format("class \"{}\": demand must be non-negative (got {})", c.id, c.demand));
    for (const auto& [type, cost] : c.type_cost)
      if (cost < 0)
        throw std::invalid_argument(fmt::format(
            "class \"{}\": type_cost of \"{}\" must be non-negative (got {})", c.id, type, cost));
    total_demand = checked_add(total_demand, c.demand, "demand");
  }
}

/// Positions of `items` sorted by `less`; throws when two share an id.
template <class T, class Less>
std::vector<std::size_t> sorted_order(const std::vector<T>& items, Less less, const char* kind) {
  std::vector<std::size_t> order(items.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return less(items[a], items[b]); });
  std::vector<const std::string*> ids(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) ids[i] = &items[i].id;
  std::sort(ids.begin(), ids.end(), [](const auto* a, const auto* b) { return *a < *b; });
  for (std::size_t i = 1; i < ids.size(); ++i)
    if (*ids[i] == *ids[i - 1])
      throw std::invalid_argument(fmt::format("duplicate {} id \"{}\"", kind, *ids[i]));
  return order;
}

/// Pools of one GPU type: a range of the pools sorted by (type, id).
struct TypeGroup {
  std::size_t first = 0;
  std::size_t last = 0;  // one past
};

}  // namespace

Allocation allocate(const std::vector<AllocPool>& pools, const std::vector<AllocClass>& classes) {
  validate(pools, classes);
  const auto pool_order = sorted_order(
      pools,
      [](const AllocPool& a, const AllocPool& b) {
        return a.gpu != b.gpu ? a.gpu < b.gpu : a.id < b.id;
      },
      "pool");
  // Sorted by (priority, gang first, id): positions then break ties as ids do.
  const auto class_order = sorted_order(
      classes,
      [](const AllocClass& a, const AllocClass& b) {
        if (a.priority != b.priority) return a.priority < b.priority;
        if (a.all_or_nothing != b.all_or_nothing) return a.all_or_nothing;
        return a.id < b.id;
      },
      "class");

  std::vector<TypeGroup> groups;
  std::vector<PoolRoom> rooms;
  for (std::size_t j = 0; j < pool_order.size(); ++j) {
    const AllocPool& p = pools[pool_order[j]];
    if (groups.empty() || pools[pool_order[groups.back().first]].gpu != p.gpu) {
      groups.push_back(TypeGroup{j, j});
      rooms.emplace_back();
    }
    groups.back().last = j + 1;
    rooms.back().free += p.free;  // no overflow: validated
    rooms.back().reserve += p.reserve;
  }
  std::vector<ClassWant> wants(classes.size());
  for (std::size_t i = 0; i < class_order.size(); ++i) {
    const AllocClass& c = classes[class_order[i]];
    ClassWant& w = wants[i];
    w.priority = c.priority;
    w.demand = c.demand;
    w.internal = c.internal;
    w.all_or_nothing = c.all_or_nothing;
    for (std::size_t g = 0; g < groups.size(); ++g) {
      const std::string& gpu = pools[pool_order[groups[g].first]].gpu;
      if (!c.gpu_types.empty() &&
          std::find(c.gpu_types.begin(), c.gpu_types.end(), gpu) == c.gpu_types.end())
        continue;
      const auto cost = c.type_cost.find(gpu);
      w.uses.push_back(
          {static_cast<std::uint32_t>(g), cost == c.type_cost.end() ? 0 : cost->second, kNoCap});
    }
  }
  const Allocation by_type = allocate(rooms, wants);

  // Place each type's GPUs on its pools in id order: external classes first, within the
  // open parts, then internal classes in whatever is left. Classes go in tier order, so each
  // takes a run of consecutive pools.
  Allocation result;
  result.gpus.assign(classes.size(), std::vector<std::int64_t>(pools.size(), 0));
  result.unserved.resize(classes.size());
  std::vector<std::int64_t> free_left(pool_order.size());
  std::vector<std::int64_t> open_left(pool_order.size());
  for (std::size_t j = 0; j < pool_order.size(); ++j) {
    free_left[j] = pools[pool_order[j]].free;
    open_left[j] = free_left[j] - pools[pool_order[j]].reserve;
  }
  std::vector<std::size_t> tier_order(classes.size());
  std::iota(tier_order.begin(), tier_order.end(), std::size_t{0});
  std::stable_sort(tier_order.begin(), tier_order.end(), [&](std::size_t a, std::size_t b) {
    if (wants[a].priority != wants[b].priority) return wants[a].priority < wants[b].priority;
    return wants[a].all_or_nothing && !wants[b].all_or_nothing;
  });
  std::vector<std::size_t> cursor(groups.size());
  for (const bool external_pass : {true, false}) {
    for (std::size_t g = 0; g < groups.size(); ++g) cursor[g] = groups[g].first;
    for (const std::size_t i : tier_order) {
      if (wants[i].internal == external_pass) continue;
      const std::size_t out = class_order[i];
      for (std::size_t g = 0; g < groups.size(); ++g) {
        std::int64_t left = by_type.gpus[i][g];
        std::size_t& j = cursor[g];
        while (left > 0) {
          if (j == groups[g].last)
            throw std::logic_error("allocate: a type's flow exceeds its pools' free GPUs");
          const std::int64_t room = external_pass ? open_left[j] : free_left[j];
          const std::int64_t take = std::min(left, room);
          result.gpus[out][pool_order[j]] += take;
          free_left[j] -= take;
          if (external_pass) open_left[j] -= take;
          left -= take;
          if (left > 0) ++j;
        }
      }
    }
  }
  for (std::size_t i = 0; i < classes.size(); ++i)
    result.unserved[class_order[i]] = by_type.unserved[i];
  return result;
}

}  // namespace aidc
