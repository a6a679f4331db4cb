#include "aidc/policy/allocator.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/graph/boykov_kolmogorov_max_flow.hpp>
#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/graph/successive_shortest_path_nonnegative_weights.hpp>
#include <boost/property_map/property_map.hpp>
#include <cassert>
#include <cstddef>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <utility>

// The allocation is a flow from a source s to a sink t. Eligibility and preference
// depend on a pool's GPU type only, so the pools of one type are pooled in the network:
//
//   s --tier_k--> tier --demand_c--> class c --demand_c, cost_c(T)--> all(T) --free_T--> t
//                                            \--demand_c, cost_c(T)--> open(T) --open_T--/
//
// where free_T sums `free` over the pools of type T and open_T sums `free - reserve`.
// Internal classes reach all(T) directly and may use any free GPU; external classes go
// through open(T), which carries only the GPUs outside the reserves. The per-type totals
// lose nothing: whenever the internal and external totals I and E of a type satisfy
// E <= open_T and I + E <= free_T, external GPUs fit within the pools' open parts and
// internal GPUs in what remains. So after the flow, each type's GPUs are placed on its
// pools in id order, external classes first (a flow decomposition, which changes neither
// the GPUs served nor the cost). The network has one arc per (class, type) instead of one
// per (class, pool), which keeps it small and the shortest-path searches few.
//
// Tiers. Classes are ordered by (priority, gang first, id). Each gang is a tier of its own
// and the other classes of a priority form one tier. Priorities are lexicographic, so the
// tiers' served totals are found one tier at a time with max flows instead of one min-cost
// flow with unserved penalties of M^levels, which overflows int64 at three or four levels
// once M exceeds the fleet size. The vectors of GPUs that a flow network can deliver to
// its entry arcs form a polymatroid, so the greedy rule is exact: the GPUs served to tiers
// 0..k together are the max flow with only those tiers enabled, whatever the split, and
// tier k gets that max flow minus the one for tiers 0..k-1. A bisection skips the leading
// tiers that are served in full, and the scan stops once the GPUs reachable by any tier
// are used up, so a typical call needs a few max flows rather than one per tier.
//
// Gangs. A gang tier that would get less than its demand is dropped (capacity 0) and
// serves nothing; later tiers are then computed without it. This is the rule "solve, drop
// the first partially served gang, solve again" applied in tier order, where a gang's
// tier is fixed before the elastic classes of its priority so that they cannot squeeze it
// out (they would otherwise take some of its GPUs, force the drop, and perhaps leave the
// rest idle).
//
// Preference. A last successive-shortest-path min-cost flow, with each tier's entry arc
// capped at its served total (all of them are saturated, since the greedy totals are
// feasible together), picks among the lexicographically best allocations one of least
// type cost.

namespace aidc {

namespace {

using Graph = boost::compressed_sparse_row_graph<boost::directedS>;
using Vertex = boost::graph_traits<Graph>::vertex_descriptor;
using Edge = boost::graph_traits<Graph>::edge_descriptor;

constexpr std::int64_t kMaxInt64 = std::numeric_limits<std::int64_t>::max();
// Costs are whole numbers held in doubles. Boost's successive shortest path adds the
// "infinite" Dijkstra distance of an unreachable vertex to its potential, which overflows
// a signed integer (undefined behaviour) but only saturates a double. Whole numbers below
// 2^53 are exact; potentials stay below (vertices x largest cost).
constexpr double kExactDoubleLimit = 9007199254740992.0;  // 2^53

std::int64_t checked_add(std::int64_t a, std::int64_t b, const char* what) {
  if (b > kMaxInt64 - a) throw std::invalid_argument(fmt::format("total {} exceeds int64", what));
  return a + b;
}

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

bool is_eligible(const AllocClass& c, const std::string& gpu) {
  return c.gpu_types.empty() ||
         std::find(c.gpu_types.begin(), c.gpu_types.end(), gpu) != c.gpu_types.end();
}

std::int64_t cost_of(const AllocClass& c, const std::string& gpu) {
  const auto it = c.type_cost.find(gpu);
  return it == c.type_cost.end() ? 0 : it->second;
}

using EdgeIndexMap = boost::property_map<Graph, boost::edge_index_t>::const_type;

/// A property map over the edges of `graph`, stored in `values` by edge index.
template <class T>
boost::iterator_property_map<typename std::vector<T>::iterator, EdgeIndexMap> edge_map(
    std::vector<T>& values, const Graph& graph) {
  return boost::make_iterator_property_map(values.begin(), boost::get(boost::edge_index, graph));
}

/// A forward arc; the network adds its reverse arc (capacity 0, cost -cost).
struct Arc {
  Vertex from = 0;
  Vertex to = 0;
  std::int64_t capacity = 0;
  double cost = 0;
};

/// A residual network in compressed sparse row form with its arc properties in flat
/// vectors indexed by edge index, so building it costs a handful of allocations.
class FlowNetwork {
 public:
  FlowNetwork(std::size_t num_vertices, const std::vector<Arc>& arcs)
      : position_(2 * arcs.size()),
        capacity_(2 * arcs.size(), 0),
        residual_(2 * arcs.size(), 0),
        weight_(2 * arcs.size(), 0.0),
        reverse_(2 * arcs.size()) {
    // Arc a is edge 2a, its reverse 2a + 1. A counting sort by source gives each its
    // position in the sorted edge list, which is its CSR edge index.
    std::vector<std::size_t> start(num_vertices + 1, 0);
    for (const Arc& a : arcs) {
      ++start[a.from + 1];
      ++start[a.to + 1];
    }
    std::partial_sum(start.begin(), start.end(), start.begin());
    std::vector<std::pair<Vertex, Vertex>> sorted(2 * arcs.size());
    for (std::size_t i = 0; i < arcs.size(); ++i) {
      const Arc& a = arcs[i];
      const std::size_t fwd = start[a.from]++;
      const std::size_t rev = start[a.to]++;
      sorted[fwd] = {a.from, a.to};
      sorted[rev] = {a.to, a.from};
      position_[2 * i] = fwd;
      position_[2 * i + 1] = rev;
      capacity_[fwd] = a.capacity;
      weight_[fwd] = a.cost;
      weight_[rev] = -a.cost;
      reverse_[fwd] = Edge(a.to, rev);
      reverse_[rev] = Edge(a.from, fwd);
    }
    graph_ = Graph(boost::edges_are_sorted, sorted.begin(), sorted.end(), num_vertices);
    assert(boost::num_edges(graph_) == sorted.size());
    assert(arcs.empty() || boost::target(Edge(arcs[0].from, position_[0]), graph_) == arcs[0].to);
  }

  void set_capacity(std::size_t arc, std::int64_t capacity) {
    capacity_[position_[2 * arc]] = capacity;
  }
  std::int64_t flow(std::size_t arc) const {
    const std::size_t e = position_[2 * arc];
    return capacity_[e] - residual_[e];
  }

  std::int64_t max_flow(Vertex s, Vertex t) {
    return boost::boykov_kolmogorov_max_flow(
        graph_, edge_map(capacity_, graph_), edge_map(residual_, graph_),
        edge_map(reverse_, graph_), boost::get(boost::vertex_index, graph_), s, t);
  }

  /// A flow of maximum value and, among those, of least cost.
  void min_cost_max_flow(Vertex s, Vertex t) {
    const std::size_t n = boost::num_vertices(graph_);
    std::vector<Edge> pred(n);
    std::vector<double> distance(n, 0.0);
    std::vector<double> potential(n, 0.0);
    const auto index = boost::get(boost::vertex_index, graph_);
    // An unset predecessor is the default edge (0, 0): the first arc out of s, never an
    // arc into t, which is all the algorithm asks of it.
    boost::successive_shortest_path_nonnegative_weights(
        graph_, s, t, edge_map(capacity_, graph_), edge_map(residual_, graph_),
        edge_map(weight_, graph_), edge_map(reverse_, graph_), index,
        boost::make_iterator_property_map(pred.begin(), index),
        boost::make_iterator_property_map(distance.begin(), index),
        boost::make_iterator_property_map(potential.begin(), index));
  }

 private:
  Graph graph_;
  std::vector<std::size_t> position_;  // [2 * arc (+1 for its reverse)] -> edge index
  std::vector<std::int64_t> capacity_;
  std::vector<std::int64_t> residual_;
  std::vector<double> weight_;
  std::vector<Edge> reverse_;
};

/// Classes of one tier: a range of the tier-ordered classes.
struct Tier {
  std::size_t first = 0;
  std::size_t last = 0;  // one past
  bool is_gang = false;
  std::int64_t demand = 0;
  std::size_t arc = 0;  // s -> tier
};

/// Pools of one GPU type: a range of the pools sorted by (type, id).
struct TypeGroup {
  std::size_t first = 0;
  std::size_t last = 0;  // one past
  std::int64_t free = 0;
  std::int64_t open = 0;  // free outside the reserves
};

/// The GPUs of one class on one type, to be placed on that type's pools.
struct Assignment {
  std::size_t class_index;  // input position
  std::size_t group;
  std::size_t arc;
  bool is_external;
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
  // Tier order: priority, then gangs before the elastic classes of the same priority,
  // then id. Classes without demand take no part.
  auto class_order = sorted_order(
      classes,
      [](const AllocClass& a, const AllocClass& b) {
        if (a.priority != b.priority) return a.priority < b.priority;
        if (a.all_or_nothing != b.all_or_nothing) return a.all_or_nothing;
        return a.id < b.id;
      },
      "class");
  std::erase_if(class_order, [&](std::size_t c) { return classes[c].demand == 0; });

  Allocation result;
  result.gpus.assign(classes.size(), std::vector<std::int64_t>(pools.size(), 0));
  result.unserved.resize(classes.size());
  for (std::size_t c = 0; c < classes.size(); ++c) result.unserved[c] = classes[c].demand;
  if (class_order.empty() || pools.empty()) return result;

  std::vector<Tier> tiers;
  for (std::size_t i = 0; i < class_order.size(); ++i) {
    const AllocClass& c = classes[class_order[i]];
    const bool same_tier = !tiers.empty() && !tiers.back().is_gang && !c.all_or_nothing &&
                           classes[class_order[tiers.back().first]].priority == c.priority;
    if (!same_tier) tiers.push_back(Tier{i, i, c.all_or_nothing, 0, 0});
    tiers.back().last = i + 1;
    tiers.back().demand += c.demand;  // no overflow: validate() bounded the total
  }
  std::vector<TypeGroup> groups;
  for (std::size_t j = 0; j < pool_order.size(); ++j) {
    const AllocPool& p = pools[pool_order[j]];
    if (groups.empty() || pools[pool_order[groups.back().first]].gpu != p.gpu)
      groups.push_back(TypeGroup{j, j, 0, 0});
    groups.back().last = j + 1;
    groups.back().free += p.free;  // no overflow: validate() bounded the total
    groups.back().open += p.free - p.reserve;
  }

  const std::size_t num_tiers = tiers.size();
  const std::size_t num_classes = class_order.size();
  const std::size_t num_groups = groups.size();
  const Vertex s = 0;
  const auto tier_vertex = [&](std::size_t k) { return 1 + k; };
  const auto class_vertex = [&](std::size_t i) { return 1 + num_tiers + i; };
  const auto all_vertex = [&](std::size_t g) { return 1 + num_tiers + num_classes + g; };
  const auto open_vertex = [&](std::size_t g) {
    return 1 + num_tiers + num_classes + num_groups + g;
  };
  const Vertex t = 1 + num_tiers + num_classes + 2 * num_groups;
  const std::size_t num_vertices = t + 1;

  std::int64_t max_cost = 0;
  for (const std::size_t c : class_order)
    for (const auto& [type, cost] : classes[c].type_cost) max_cost = std::max(max_cost, cost);
  if (static_cast<double>(max_cost) * static_cast<double>(num_vertices) >= kExactDoubleLimit)
    throw std::invalid_argument(fmt::format(
        "type_cost {} is too large to be exact in the flow (keep costs small)", max_cost));

  // Arcs in the order: tier entries, tier -> class, class -> type, type exits. With types
  // and pools sorted by name and id and classes in tier order, the network (and hence the
  // result) does not depend on the order of the inputs.
  std::vector<Arc> arcs;
  std::vector<Assignment> assignments;
  for (std::size_t k = 0; k < num_tiers; ++k) {
    tiers[k].arc = arcs.size();
    arcs.push_back({s, tier_vertex(k), tiers[k].demand, 0.0});
  }
  for (std::size_t k = 0; k < num_tiers; ++k)
    for (std::size_t i = tiers[k].first; i < tiers[k].last; ++i)
      arcs.push_back({tier_vertex(k), class_vertex(i), classes[class_order[i]].demand, 0.0});
  for (std::size_t i = 0; i < num_classes; ++i) {
    const AllocClass& c = classes[class_order[i]];
    for (std::size_t g = 0; g < num_groups; ++g) {
      const std::string& gpu = pools[pool_order[groups[g].first]].gpu;
      if ((c.internal ? groups[g].free : groups[g].open) == 0 || !is_eligible(c, gpu)) continue;
      assignments.push_back({class_order[i], g, arcs.size(), !c.internal});
      arcs.push_back({class_vertex(i), c.internal ? all_vertex(g) : open_vertex(g), c.demand,
                      static_cast<double>(cost_of(c, gpu))});
    }
  }
  for (std::size_t g = 0; g < num_groups; ++g) {
    if (groups[g].open > 0) arcs.push_back({open_vertex(g), all_vertex(g), groups[g].open, 0.0});
    if (groups[g].free > 0) arcs.push_back({all_vertex(g), t, groups[g].free, 0.0});
  }
  FlowNetwork network(num_vertices, arcs);

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
  // min-cost one picks the cheapest types. Without costs any max flow will do.
  for (std::size_t k = 0; k < num_tiers; ++k) network.set_capacity(tiers[k].arc, served[k]);
  if (max_cost > 0)
    network.min_cost_max_flow(s, t);
  else
    network.max_flow(s, t);

  // Place each type's GPUs on its pools in id order: external classes first, within the
  // open parts, then internal classes in whatever is left (see the feasibility argument
  // at the top). Classes go in tier order, so each takes a run of consecutive pools.
  std::vector<std::int64_t> free_left(pool_order.size());
  std::vector<std::int64_t> open_left(pool_order.size());
  for (std::size_t j = 0; j < pool_order.size(); ++j) {
    free_left[j] = pools[pool_order[j]].free;
    open_left[j] = free_left[j] - pools[pool_order[j]].reserve;
  }
  std::vector<std::size_t> cursor(num_groups);
  for (const bool external_pass : {true, false}) {
    for (std::size_t g = 0; g < num_groups; ++g) cursor[g] = groups[g].first;
    for (const Assignment& a : assignments) {
      if (a.is_external != external_pass) continue;
      std::int64_t left = network.flow(a.arc);
      std::size_t& j = cursor[a.group];
      while (left > 0) {
        if (j == groups[a.group].last)
          throw std::logic_error("allocate: a type's flow exceeds its pools' free GPUs");
        const std::int64_t room = external_pass ? open_left[j] : free_left[j];
        const std::int64_t take = std::min(left, room);
        result.gpus[a.class_index][pool_order[j]] += take;
        result.unserved[a.class_index] -= take;
        free_left[j] -= take;
        if (external_pass) open_left[j] -= take;
        left -= take;
        if (left > 0) ++j;
      }
    }
  }
  return result;
}

}  // namespace aidc
