// The flow solver and the allocator by position, against independent answers: Boost's
// successive-shortest-path min-cost flow and push-relabel max flow on random networks,
// and an exhaustive search over every integer allocation with per-pool caps and costs.

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/push_relabel_max_flow.hpp>
#include <boost/graph/successive_shortest_path_nonnegative_weights.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <catch2/catch.hpp>
#include <functional>
#include <numeric>
#include <vector>

#include "aidc/policy/allocator.hpp"
#include "aidc/sim/rng.hpp"
#include "policy/flow.hpp"

namespace flow_test {

std::int64_t uniform(aidc::sim::Rng& rng, std::int64_t lo, std::int64_t hi) {
  return boost::random::uniform_int_distribution<std::int64_t>{lo, hi}(rng);
}

/// Max flow value and min cost of a max flow by Boost's own algorithms. Weights are doubles:
/// Boost's successive shortest path adds its "infinite" distance to a potential, which
/// overflows an integer weight type.
std::pair<std::int64_t, std::int64_t> boost_answer(std::size_t n,
                                                   const std::vector<aidc::flow::Arc>& arcs,
                                                   std::size_t s, std::size_t t) {
  using Traits = boost::adjacency_list_traits<boost::vecS, boost::vecS, boost::directedS>;
  using Graph = boost::adjacency_list<
      boost::vecS, boost::vecS, boost::directedS, boost::no_property,
      boost::property<
          boost::edge_capacity_t, long,
          boost::property<boost::edge_residual_capacity_t, long,
                          boost::property<boost::edge_reverse_t, Traits::edge_descriptor,
                                          boost::property<boost::edge_weight_t, double>>>>>;
  Graph g(n);
  auto capacity = boost::get(boost::edge_capacity, g);
  auto reverse = boost::get(boost::edge_reverse, g);
  auto weight = boost::get(boost::edge_weight, g);
  for (const auto& a : arcs) {
    const auto e = boost::add_edge(a.from, a.to, g).first;
    const auto r = boost::add_edge(a.to, a.from, g).first;
    capacity[e] = a.capacity;
    capacity[r] = 0;
    weight[e] = static_cast<double>(a.cost);
    weight[r] = -static_cast<double>(a.cost);
    reverse[e] = r;
    reverse[r] = e;
  }
  const long value = boost::push_relabel_max_flow(g, s, t);
  boost::successive_shortest_path_nonnegative_weights(g, s, t);
  auto residual = boost::get(boost::edge_residual_capacity, g);
  double cost = 0;
  for (const auto e : boost::make_iterator_range(boost::edges(g))) {
    if (capacity[e] > 0) cost += static_cast<double>(capacity[e] - residual[e]) * weight[e];
  }
  return {value, std::llround(cost)};
}

TEST_CASE("The flow solver finds Boost's max flow value and min cost on random networks",
          "[allocator][flow]") {
  aidc::sim::Rng rng = aidc::sim::make_stream(17, 0, "flow.random");
  for (int instance = 0; instance < 400; ++instance) {
    const auto n = static_cast<std::size_t>(uniform(rng, 2, 12));
    std::vector<aidc::flow::Arc> arcs;
    const auto m = uniform(rng, 1, 40);
    for (std::int64_t i = 0; i < m; ++i) {
      const auto from = static_cast<std::uint32_t>(uniform(rng, 0, static_cast<long>(n) - 1));
      const auto to = static_cast<std::uint32_t>(uniform(rng, 0, static_cast<long>(n) - 1));
      if (from == to) continue;
      arcs.push_back({from, to, uniform(rng, 0, 20), uniform(rng, 0, 9)});
    }
    const auto [value, cost] = boost_answer(n, arcs, 0, n - 1);
    aidc::flow::Network network(n, arcs);
    CAPTURE(instance);
    CHECK(network.max_flow(0, static_cast<std::uint32_t>(n - 1)) == value);
    CHECK(network.min_cost_max_flow(0, static_cast<std::uint32_t>(n - 1)) == value);
    std::int64_t mine = 0;
    std::vector<std::int64_t> balance(n, 0);
    for (std::size_t a = 0; a < arcs.size(); ++a) {
      const std::int64_t f = network.flow(a);
      REQUIRE(f >= 0);
      REQUIRE(f <= arcs[a].capacity);
      mine += f * arcs[a].cost;
      balance[arcs[a].from] -= f;
      balance[arcs[a].to] += f;
    }
    CHECK(mine == cost);
    for (std::size_t v = 1; v + 1 < n; ++v) CHECK(balance[v] == 0);  // conservation
    CHECK(balance[n - 1] == value);
  }
}

using aidc::ClassWant;
using aidc::PoolRoom;

/// The tier of each class as documented for the interface by position: classes by priority,
/// each gang its own tier ahead of the priority's other classes (gangs by position).
std::vector<std::size_t> tiers(const std::vector<ClassWant>& classes) {
  std::vector<std::tuple<int, bool, std::size_t>> keys;
  for (std::size_t c = 0; c < classes.size(); ++c)
    keys.emplace_back(classes[c].priority, !classes[c].all_or_nothing,
                      classes[c].all_or_nothing ? c : 0);
  auto distinct = keys;
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  std::vector<std::size_t> out;
  out.reserve(keys.size());
  for (const auto& k : keys)
    out.push_back(static_cast<std::size_t>(std::lower_bound(distinct.begin(), distinct.end(), k) -
                                           distinct.begin()));
  return out;
}

TEST_CASE("The allocation by position matches an exhaustive search, with caps and costs per pool",
          "[allocator]") {
  aidc::sim::Rng rng = aidc::sim::make_stream(19, 0, "allocator.indexed");
  for (int instance = 0; instance < 3000; ++instance) {
    std::vector<PoolRoom> pools(static_cast<std::size_t>(uniform(rng, 1, 3)));
    for (auto& p : pools) {
      p.free = uniform(rng, 0, 4);
      p.reserve = uniform(rng, 0, 1) == 0 ? uniform(rng, 0, p.free) : 0;
    }
    std::vector<ClassWant> classes(static_cast<std::size_t>(uniform(rng, 1, 3)));
    for (auto& c : classes) {
      c.priority = static_cast<int>(uniform(rng, 0, 1));
      c.demand = uniform(rng, 0, 4);
      c.internal = uniform(rng, 0, 1) == 0;
      c.all_or_nothing = uniform(rng, 0, 3) == 0;
      for (std::uint32_t p = 0; p < pools.size(); ++p) {
        if (uniform(rng, 0, 3) == 0) continue;
        c.uses.push_back(
            {p, uniform(rng, 0, 3), uniform(rng, 0, 2) == 0 ? uniform(rng, 0, 3) : aidc::kNoCap});
      }
    }
    const aidc::Allocation a = aidc::allocate(pools, classes);
    const auto tier = tiers(classes);
    const std::size_t num_tiers = *std::max_element(tier.begin(), tier.end()) + 1;
    const auto value = [&](const std::vector<std::vector<std::int64_t>>& gpus) {
      std::vector<std::int64_t> by_tier(num_tiers, 0);
      std::int64_t cost = 0;
      for (std::size_t c = 0; c < classes.size(); ++c)
        for (const auto& use : classes[c].uses) {
          by_tier[tier[c]] += gpus[c][use.pool];
          cost += gpus[c][use.pool] * use.cost;
        }
      return std::pair{by_tier, cost};
    };
    // Conservation, caps, eligibility and the reserve.
    std::vector<std::int64_t> used(pools.size(), 0), external(pools.size(), 0);
    for (std::size_t c = 0; c < classes.size(); ++c) {
      std::int64_t got = 0;
      for (std::size_t p = 0; p < pools.size(); ++p) {
        const auto use = std::find_if(classes[c].uses.begin(), classes[c].uses.end(),
                                      [&](const auto& u) { return u.pool == p; });
        const std::int64_t g = a.gpus[c][p];
        REQUIRE(g >= 0);
        REQUIRE(g <= (use == classes[c].uses.end() ? 0 : use->cap));
        got += g;
        used[p] += g;
        if (!classes[c].internal) external[p] += g;
      }
      REQUIRE(got + a.unserved[c] == classes[c].demand);
      if (classes[c].all_or_nothing) REQUIRE((got == 0 || got == classes[c].demand));
    }
    for (std::size_t p = 0; p < pools.size(); ++p) {
      REQUIRE(used[p] <= pools[p].free);
      REQUIRE(external[p] <= pools[p].free - pools[p].reserve);
    }
    // Every feasible integer allocation, for the lexicographic best and its least cost.
    std::vector<std::vector<std::int64_t>> gpus(classes.size(),
                                                std::vector<std::int64_t>(pools.size(), 0));
    std::vector<std::int64_t> left(pools.size()), open(pools.size()), got(classes.size(), 0);
    for (std::size_t p = 0; p < pools.size(); ++p) {
      left[p] = pools[p].free;
      open[p] = pools[p].free - pools[p].reserve;
    }
    std::pair<std::vector<std::int64_t>, std::int64_t> best{{}, 0};
    std::function<void(std::size_t, std::size_t)> visit = [&](std::size_t c, std::size_t u) {
      if (c == classes.size()) {
        for (std::size_t k = 0; k < classes.size(); ++k)
          if (classes[k].all_or_nothing && got[k] != 0 && got[k] != classes[k].demand) return;
        auto v = value(gpus);
        if (best.first.empty() || v.first > best.first ||
            (v.first == best.first && v.second < best.second))
          best = std::move(v);
        return;
      }
      if (u == classes[c].uses.size()) return visit(c + 1, 0);
      const auto& use = classes[c].uses[u];
      const std::int64_t room =
          classes[c].internal ? left[use.pool] : std::min(left[use.pool], open[use.pool]);
      const std::int64_t most = std::min({classes[c].demand - got[c], room, use.cap});
      const std::int64_t ext = classes[c].internal ? 0 : 1;
      for (std::int64_t x = 0; x <= most; ++x) {
        gpus[c][use.pool] = x;
        got[c] += x;
        left[use.pool] -= x;
        open[use.pool] -= ext * x;
        visit(c, u + 1);
        open[use.pool] += ext * x;
        left[use.pool] += x;
        got[c] -= x;
      }
      gpus[c][use.pool] = 0;
    };
    visit(0, 0);
    CAPTURE(instance);
    CHECK(value(a.gpus) == best);
  }
}

}  // namespace flow_test
