#pragma once
// A flow network in compressed sparse row form with a maximum flow (Dinic's blocking flows)
// and a minimum-cost maximum flow (the primal-dual method: Dijkstra on reduced costs, then a
// blocking flow on the arcs of zero reduced cost, until the sink is out of reach). Each
// phase of the primal-dual method pushes every shortest augmenting path at once, so the
// number of shortest-path searches is the number of distinct path costs, not the number of
// paths; with the allocator's small integer costs that is a handful.
//
// References: E. A. Dinic (1970), "Algorithm for solution of a problem of maximum flow in a
// network with power estimation"; R. K. Ahuja, T. L. Magnanti and J. B. Orlin (1993),
// "Network Flows", section 9.8 (the primal-dual algorithm).

#include <cstdint>
#include <vector>

namespace aidc::flow {

/// A forward arc; the network adds its reverse arc (capacity 0, cost -cost).
struct Arc {
  std::uint32_t from = 0;
  std::uint32_t to = 0;
  std::int64_t capacity = 0;
  std::int64_t cost = 0;  // non-negative
};

class Network {
 public:
  Network(std::size_t num_vertices, const std::vector<Arc>& arcs);

  /// Changes the capacity of arc `a`; flows are recomputed from zero by each solve.
  void set_capacity(std::size_t a, std::int64_t capacity) { capacity_[edge_of_arc_[a]] = capacity; }
  /// Flow on arc `a` after the last solve.
  std::int64_t flow(std::size_t a) const {
    const std::uint32_t e = edge_of_arc_[a];
    return capacity_[e] - residual_[e];
  }

  /// A maximum flow from s to t; returns its value.
  std::int64_t max_flow(std::uint32_t s, std::uint32_t t);
  /// A maximum flow from s to t of least total cost; returns its value.
  std::int64_t min_cost_max_flow(std::uint32_t s, std::uint32_t t);

 private:
  void reset();
  /// Blocking flows until t is unreachable, through arcs with residual capacity (and, when
  /// `zero_reduced_cost`, zero reduced cost under the current potentials).
  std::int64_t dinic(std::uint32_t s, std::uint32_t t, bool zero_reduced_cost);
  bool levels(std::uint32_t s, std::uint32_t t, bool zero_reduced_cost);
  std::int64_t push(std::uint32_t v, std::uint32_t t, std::int64_t limit, bool zero_reduced_cost);
  /// Shortest distances from s by reduced cost; false when t is unreachable.
  bool shortest_paths(std::uint32_t s, std::uint32_t t);
  bool usable(std::uint32_t v, std::uint32_t e, bool zero_reduced_cost) const {
    return residual_[e] > 0 &&
           (!zero_reduced_cost || cost_[e] + potential_[v] - potential_[to_[e]] == 0);
  }

  std::vector<std::uint32_t> first_;  // [vertex]: its first edge; [num_vertices]: edge count
  std::vector<std::uint32_t> to_;
  std::vector<std::uint32_t> reverse_;
  std::vector<std::int64_t> capacity_;
  std::vector<std::int64_t> residual_;
  std::vector<std::int64_t> cost_;
  std::vector<std::uint32_t> edge_of_arc_;
  // Work space, kept between phases.
  std::vector<std::int32_t> level_;
  std::vector<std::uint32_t> next_edge_;
  std::vector<std::uint32_t> queue_;
  std::vector<std::int64_t> potential_;
  std::vector<std::int64_t> distance_;
};

}  // namespace aidc::flow
