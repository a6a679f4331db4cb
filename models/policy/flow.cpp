#include "flow.hpp"

#include <algorithm>
#include <functional>
#include <limits>
#include <queue>
#include <utility>

namespace aidc::flow {

namespace {
constexpr std::int64_t kInfinite = std::numeric_limits<std::int64_t>::max();
}

Network::Network(std::size_t num_vertices, const std::vector<Arc>& arcs)
    : first_(num_vertices + 1, 0),
      to_(2 * arcs.size()),
      reverse_(2 * arcs.size()),
      capacity_(2 * arcs.size(), 0),
      residual_(2 * arcs.size(), 0),
      cost_(2 * arcs.size(), 0),
      edge_of_arc_(arcs.size()),
      level_(num_vertices),
      next_edge_(num_vertices),
      potential_(num_vertices, 0),
      distance_(num_vertices, 0) {
  // A counting sort by source places each arc and its reverse; within a vertex, edges keep
  // the order of the arcs, so the solves (and hence the result) follow the caller's order.
  for (const Arc& a : arcs) {
    ++first_[a.from + 1];
    ++first_[a.to + 1];
  }
  for (std::size_t v = 0; v < num_vertices; ++v) first_[v + 1] += first_[v];
  std::vector<std::uint32_t> fill(first_.begin(), first_.end() - 1);
  for (std::size_t i = 0; i < arcs.size(); ++i) {
    const Arc& a = arcs[i];
    const std::uint32_t fwd = fill[a.from]++;
    const std::uint32_t rev = fill[a.to]++;
    to_[fwd] = a.to;
    to_[rev] = a.from;
    reverse_[fwd] = rev;
    reverse_[rev] = fwd;
    capacity_[fwd] = a.capacity;
    cost_[fwd] = a.cost;
    cost_[rev] = -a.cost;
    edge_of_arc_[i] = fwd;
  }
}

void Network::reset() {
  residual_ = capacity_;
  std::fill(potential_.begin(), potential_.end(), 0);
}

std::int64_t Network::max_flow(std::uint32_t s, std::uint32_t t) {
  reset();
  return dinic(s, t, false);
}

std::int64_t Network::min_cost_max_flow(std::uint32_t s, std::uint32_t t) {
  reset();
  std::int64_t total = 0;
  // Arc costs are non-negative and every reverse arc starts empty, so zero potentials make
  // every reduced cost non-negative; each phase keeps them so. A vertex out of reach stays
  // out of reach (augmenting only adds arcs between reachable vertices), so its potential no
  // longer matters.
  while (shortest_paths(s, t)) {
    for (std::size_t v = 0; v < potential_.size(); ++v) {
      if (distance_[v] != kInfinite) potential_[v] += distance_[v];
    }
    total += dinic(s, t, true);
  }
  return total;
}

bool Network::shortest_paths(std::uint32_t s, std::uint32_t t) {
  std::fill(distance_.begin(), distance_.end(), kInfinite);
  using Item = std::pair<std::int64_t, std::uint32_t>;
  std::priority_queue<Item, std::vector<Item>, std::greater<>> heap;
  distance_[s] = 0;
  heap.emplace(0, s);
  while (!heap.empty()) {
    const auto [d, v] = heap.top();
    heap.pop();
    if (d != distance_[v]) continue;
    for (std::uint32_t e = first_[v]; e < first_[v + 1]; ++e) {
      if (residual_[e] <= 0) continue;
      const std::uint32_t w = to_[e];
      const std::int64_t next = d + cost_[e] + potential_[v] - potential_[w];
      if (next < distance_[w]) {
        distance_[w] = next;
        heap.emplace(next, w);
      }
    }
  }
  return distance_[t] != kInfinite;
}

bool Network::levels(std::uint32_t s, std::uint32_t t, bool zero_reduced_cost) {
  std::fill(level_.begin(), level_.end(), -1);
  queue_.clear();
  level_[s] = 0;
  queue_.push_back(s);
  for (std::size_t head = 0; head < queue_.size(); ++head) {
    const std::uint32_t v = queue_[head];
    for (std::uint32_t e = first_[v]; e < first_[v + 1]; ++e) {
      const std::uint32_t w = to_[e];
      if (level_[w] >= 0 || !usable(v, e, zero_reduced_cost)) continue;
      level_[w] = level_[v] + 1;
      queue_.push_back(w);
    }
  }
  return level_[t] >= 0;
}

std::int64_t Network::push(std::uint32_t v, std::uint32_t t, std::int64_t limit,
                           bool zero_reduced_cost) {
  if (v == t) return limit;
  std::int64_t pushed = 0;
  for (std::uint32_t& e = next_edge_[v]; e < first_[v + 1]; ++e) {
    const std::uint32_t w = to_[e];
    if (level_[w] != level_[v] + 1 || !usable(v, e, zero_reduced_cost)) continue;
    const std::int64_t got = push(w, t, std::min(limit - pushed, residual_[e]), zero_reduced_cost);
    if (got == 0) continue;
    residual_[e] -= got;
    residual_[reverse_[e]] += got;
    pushed += got;
    if (pushed == limit) return pushed;  // this edge may have room left: keep it current
  }
  level_[v] = -1;  // nothing more gets through v in this phase
  return pushed;
}

std::int64_t Network::dinic(std::uint32_t s, std::uint32_t t, bool zero_reduced_cost) {
  std::int64_t total = 0;
  while (levels(s, t, zero_reduced_cost)) {
    for (std::size_t v = 0; v < next_edge_.size(); ++v) next_edge_[v] = first_[v];
    total += push(s, t, kInfinite, zero_reduced_cost);
  }
  return total;
}

}  // namespace aidc::flow
