// The allocator against hand-worked cases and against brute force. Every result is also
// checked for conservation: no pool gives more than its free GPUs, external classes never
// touch a reserve, ineligible pools give nothing, gangs get all or nothing, and each class's
// GPUs plus its unserved count equal its demand.

#include "aidc/policy/allocator.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/random/uniform_int_distribution.hpp>
#include <catch2/catch.hpp>
#include <functional>
#include <limits>
#include <map>
#include <numeric>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "aidc/sim/rng.hpp"

using aidc::allocate;
using aidc::Allocation;
using aidc::AllocClass;
using aidc::AllocPool;

namespace {

using Pools = std::vector<AllocPool>;
using Classes = std::vector<AllocClass>;

bool eligible(const AllocClass& c, const AllocPool& p) {
  return c.gpu_types.empty() ||
         std::find(c.gpu_types.begin(), c.gpu_types.end(), p.gpu) != c.gpu_types.end();
}

std::int64_t type_cost(const AllocClass& c, const AllocPool& p) {
  const auto it = c.type_cost.find(p.gpu);
  return it == c.type_cost.end() ? 0 : it->second;
}

std::string describe(const Pools& pools, const Classes& classes) {
  std::string out;
  for (const auto& p : pools)
    out += fmt::format("pool {} {} free {} reserve {}\n", p.id, p.gpu, p.free, p.reserve);
  for (const auto& c : classes) {
    out += fmt::format("class {} prio {} demand {} types [{}] {}{}", c.id, c.priority, c.demand,
                       fmt::join(c.gpu_types, ","), c.internal ? "internal" : "external",
                       c.all_or_nothing ? " gang" : "");
    for (const auto& [type, cost] : c.type_cost) out += fmt::format(" {}:{}", type, cost);
    out += "\n";
  }
  return out;
}

std::int64_t served(const Allocation& a, std::size_t c) {
  return std::accumulate(a.gpus[c].begin(), a.gpus[c].end(), std::int64_t{0});
}

std::int64_t total_cost(const Pools& pools, const Classes& classes, const Allocation& a) {
  std::int64_t cost = 0;
  for (std::size_t c = 0; c < classes.size(); ++c)
    for (std::size_t p = 0; p < pools.size(); ++p)
      cost += a.gpus[c][p] * type_cost(classes[c], pools[p]);
  return cost;
}

void check_conservation(const Pools& pools, const Classes& classes, const Allocation& a) {
  INFO(describe(pools, classes));
  REQUIRE(a.gpus.size() == classes.size());
  REQUIRE(a.unserved.size() == classes.size());
  for (std::size_t c = 0; c < classes.size(); ++c) {
    REQUIRE(a.gpus[c].size() == pools.size());
    for (std::size_t p = 0; p < pools.size(); ++p) {
      CAPTURE(c, p);
      REQUIRE(a.gpus[c][p] >= 0);
      if (!eligible(classes[c], pools[p])) REQUIRE(a.gpus[c][p] == 0);
    }
    CAPTURE(c);
    REQUIRE(a.unserved[c] >= 0);
    REQUIRE(served(a, c) + a.unserved[c] == classes[c].demand);
    if (classes[c].all_or_nothing)
      REQUIRE((served(a, c) == 0 || served(a, c) == classes[c].demand));
  }
  for (std::size_t p = 0; p < pools.size(); ++p) {
    std::int64_t used = 0;
    std::int64_t used_by_external = 0;
    for (std::size_t c = 0; c < classes.size(); ++c) {
      used += a.gpus[c][p];
      if (!classes[c].internal) used_by_external += a.gpus[c][p];
    }
    CAPTURE(p);
    REQUIRE(used <= pools[p].free);
    REQUIRE(used_by_external <= pools[p].free - pools[p].reserve);
  }
}

Allocation checked_allocate(const Pools& pools, const Classes& classes) {
  Allocation a = allocate(pools, classes);
  check_conservation(pools, classes, a);
  return a;
}

AllocPool pool(std::string id, std::string gpu, std::int64_t free, std::int64_t reserve = 0) {
  return AllocPool{std::move(id), std::move(gpu), free, reserve};
}

AllocClass demand(std::string id, int priority, std::int64_t gpus,
                  std::vector<std::string> types = {}) {
  AllocClass c;
  c.id = std::move(id);
  c.priority = priority;
  c.demand = gpus;
  c.gpu_types = std::move(types);
  return c;
}

std::int64_t draw(aidc::sim::Rng& rng, std::int64_t lo, std::int64_t hi) {
  return boost::random::uniform_int_distribution<std::int64_t>{lo, hi}(rng);
}

template <class T>
void shuffle(std::vector<T>& v, aidc::sim::Rng& rng) {
  for (std::size_t i = v.size(); i > 1; --i)
    std::swap(v[i - 1],
              v[static_cast<std::size_t>(draw(rng, 0, static_cast<std::int64_t>(i) - 1))]);
}

struct Limits {
  std::int64_t max_pools;
  std::int64_t max_free;
  std::int64_t max_classes;
  std::int64_t max_demand;
  std::int64_t max_priority;
  std::int64_t max_cost;
  bool gangs;
};

/// A random instance; ids are unique but unrelated to positions.
std::pair<Pools, Classes> random_instance(aidc::sim::Rng& rng, const Limits& lim) {
  static const std::vector<std::string> kTypes{"A100", "GB200", "H100"};
  const auto pick_type = [&] { return kTypes[static_cast<std::size_t>(draw(rng, 0, 2))]; };
  Pools pools(static_cast<std::size_t>(draw(rng, 1, lim.max_pools)));
  std::vector<int> ids(20);
  std::iota(ids.begin(), ids.end(), 0);
  shuffle(ids, rng);
  for (std::size_t i = 0; i < pools.size(); ++i) {
    auto& p = pools[i];
    p.id = fmt::format("pool-{:02}", ids[i]);
    p.gpu = pick_type();
    p.free = draw(rng, 0, lim.max_free);
    p.reserve = draw(rng, 0, 2) == 0 ? draw(rng, 0, p.free) : 0;
  }
  shuffle(ids, rng);
  Classes classes(static_cast<std::size_t>(draw(rng, 1, lim.max_classes)));
  for (std::size_t i = 0; i < classes.size(); ++i) {
    auto& c = classes[i];
    c.id = fmt::format("class-{:02}", ids[i]);
    c.priority = static_cast<int>(draw(rng, 0, lim.max_priority));
    c.demand = draw(rng, 0, lim.max_demand);
    for (const auto& type : kTypes) {
      if (draw(rng, 0, 1) == 0) c.gpu_types.push_back(type);
      if (lim.max_cost > 0 && draw(rng, 0, 1) == 0) c.type_cost[type] = draw(rng, 0, lim.max_cost);
    }
    c.internal = draw(rng, 0, 1) == 0;
    c.all_or_nothing = lim.gangs && draw(rng, 0, 3) == 0;
  }
  return {std::move(pools), std::move(classes)};
}

/// The allocation keyed by ids, for comparing results across input orders.
std::map<std::pair<std::string, std::string>, std::int64_t> by_id(const Pools& pools,
                                                                  const Classes& classes,
                                                                  const Allocation& a) {
  std::map<std::pair<std::string, std::string>, std::int64_t> out;
  for (std::size_t c = 0; c < classes.size(); ++c)
    for (std::size_t p = 0; p < pools.size(); ++p) out[{classes[c].id, pools[p].id}] = a.gpus[c][p];
  return out;
}

/// The tier of each class as documented: by priority, each gang its own tier ahead of
/// the priority's other classes (gangs by id), the other classes of a priority together.
/// Without gangs, tiers are exactly the priority levels.
std::vector<std::size_t> tiers_of(const Classes& classes) {
  std::vector<std::tuple<int, bool, std::string>> keys;
  for (const auto& c : classes)
    keys.emplace_back(c.priority, !c.all_or_nothing, c.all_or_nothing ? c.id : std::string{});
  auto distinct = keys;
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  std::vector<std::size_t> tier(classes.size());
  for (std::size_t c = 0; c < classes.size(); ++c)
    tier[c] = static_cast<std::size_t>(std::lower_bound(distinct.begin(), distinct.end(), keys[c]) -
                                       distinct.begin());
  return tier;
}

struct Best {
  std::vector<std::int64_t> served_by_tier;  // empty until the first feasible allocation
  std::int64_t cost = 0;
};

/// Enumerates every feasible integer allocation (gangs at 0 or their whole demand) and
/// keeps the lexicographically largest vector of GPUs served per tier and, among those,
/// the least type cost.
Best brute_force(const Pools& pools, const Classes& classes) {
  const auto tier = tiers_of(classes);
  const std::size_t num_tiers = *std::max_element(tier.begin(), tier.end()) + 1;
  const std::size_t np = pools.size();
  // A set of counts is feasible when no pool gives more than `free` in all and external
  // classes take at most `free - reserve` of it (internal classes take the reserve first).
  std::vector<std::int64_t> left(np);       // GPUs left in each pool
  std::vector<std::int64_t> open_left(np);  // what external classes may still take there
  for (std::size_t p = 0; p < np; ++p) {
    left[p] = pools[p].free;
    open_left[p] = pools[p].free - pools[p].reserve;
  }
  std::vector<std::int64_t> got(classes.size(), 0);
  Best best;
  std::int64_t cost = 0;
  std::function<void(std::size_t)> visit = [&](std::size_t cell) {
    if (cell == classes.size() * np) {
      std::vector<std::int64_t> by_tier(num_tiers, 0);
      for (std::size_t c = 0; c < classes.size(); ++c) {
        if (classes[c].all_or_nothing && got[c] != 0 && got[c] != classes[c].demand) return;
        by_tier[tier[c]] += got[c];
      }
      if (best.served_by_tier.empty() || by_tier > best.served_by_tier ||
          (by_tier == best.served_by_tier && cost < best.cost)) {
        best.served_by_tier = by_tier;
        best.cost = cost;
      }
      return;
    }
    const std::size_t c = cell / np;
    const std::size_t p = cell % np;
    const AllocClass& k = classes[c];
    const std::int64_t room = k.internal ? left[p] : std::min(left[p], open_left[p]);
    const std::int64_t most = eligible(k, pools[p]) ? std::min(k.demand - got[c], room) : 0;
    const std::int64_t unit_cost = type_cost(k, pools[p]);
    const std::int64_t external = k.internal ? 0 : 1;
    for (std::int64_t x = 0; x <= most; ++x) {
      got[c] += x;
      left[p] -= x;
      open_left[p] -= external * x;
      cost += x * unit_cost;
      visit(cell + 1);
      cost -= x * unit_cost;
      open_left[p] += external * x;
      left[p] += x;
      got[c] -= x;
    }
  };
  visit(0);
  return best;
}

std::vector<std::int64_t> served_by_tier(const Classes& classes, const Allocation& a) {
  const auto tier = tiers_of(classes);
  std::vector<std::int64_t> out(*std::max_element(tier.begin(), tier.end()) + 1, 0);
  for (std::size_t c = 0; c < classes.size(); ++c) out[tier[c]] += served(a, c);
  return out;
}

}  // namespace

TEST_CASE("Higher priorities are served first and the shortfall falls on the lowest",
          "[allocator]") {
  // 10 GPUs; demands 4 (priority 0), 5 (priority 1), 6 (priority 2).
  // Priority 0 takes 4, priority 1 takes 5, priority 2 gets the last 10 - 4 - 5 = 1.
  const Pools pools{pool("a", "H100", 10)};
  const Classes classes{demand("low", 2, 6), demand("high", 0, 4), demand("mid", 1, 5)};
  const auto a = checked_allocate(pools, classes);
  CHECK(a.gpus[1][0] == 4);
  CHECK(a.gpus[2][0] == 5);
  CHECK(a.gpus[0][0] == 1);
  CHECK(a.unserved == std::vector<std::int64_t>{5, 0, 0});
}

TEST_CASE("A class limited to H100 never gets GB200 GPUs, even when H100 is short", "[allocator]") {
  // H100: 3 free, GB200: 10 free. "train" (priority 0) wants 8 H100 only: it gets the 3
  // H100 and 5 stay unserved although 10 GB200 sit free. "any" (priority 1, every type)
  // takes 4 of the GB200.
  const Pools pools{pool("gb", "GB200", 10), pool("h", "H100", 3)};
  const Classes classes{demand("train", 0, 8, {"H100"}), demand("any", 1, 4)};
  const auto a = checked_allocate(pools, classes);
  CHECK(a.gpus[0] == std::vector<std::int64_t>{0, 3});
  CHECK(a.unserved[0] == 5);
  CHECK(a.gpus[1] == std::vector<std::int64_t>{4, 0});
  CHECK(a.unserved[1] == 0);
}

TEST_CASE("External classes cannot take reserved GPUs; internal classes can", "[allocator]") {
  // One pool: 10 free, of which 4 are reserved for internal classes, so 6 are open.
  const Pools pools{pool("a", "H100", 10, 4)};
  auto rent = demand("rent", 0, 10);
  rent.internal = false;
  auto train = demand("train", 0, 10);

  SECTION("an external class alone gets only the 6 open GPUs") {
    const auto a = checked_allocate(pools, {rent});
    CHECK(a.gpus[0][0] == 6);
    CHECK(a.unserved[0] == 4);
  }
  SECTION("an internal class alone gets all 10") {
    const auto a = checked_allocate(pools, {train});
    CHECK(a.gpus[0][0] == 10);
  }
  SECTION("the reserve is left to a lower-priority internal class") {
    // rent (priority 0) takes the 6 open GPUs; train (priority 1) gets the 4 reserved.
    train.priority = 1;
    const auto a = checked_allocate(pools, {train, rent});
    CHECK(a.gpus[1][0] == 6);
    CHECK(a.gpus[0][0] == 4);
  }
  SECTION("a higher-priority internal class uses the reserve before the open GPUs") {
    // train (priority 0) wants 5: 4 reserved + 1 open, which leaves 5 open GPUs for rent
    // (priority 1). Taking 5 open GPUs instead would leave rent only 1.
    train.demand = 5;
    rent.priority = 1;
    const auto a = checked_allocate(pools, {rent, train});
    CHECK(a.gpus[1][0] == 5);
    CHECK(a.gpus[0][0] == 5);
    CHECK(a.unserved[0] == 5);
  }
}

TEST_CASE("The flow routes a flexible class away from the pool a restricted class needs",
          "[allocator]") {
  // Pool "a" (H100, 4 free) and pool "b" (A100, 4 free). X runs on H100 only, Y on both;
  // each wants 4. Only Y -> b, X -> a serves both fully. Giving Y the first pool, as a
  // greedy pass in listing order would, leaves X with nothing.
  const Pools pools{pool("a", "H100", 4), pool("b", "A100", 4)};
  auto y = demand("y", 0, 4, {"H100", "A100"});
  auto x = demand("x", 0, 4, {"H100"});

  SECTION("at equal priority") {}
  SECTION("when the flexible class has the higher priority") { x.priority = 1; }
  SECTION("when the restricted class has the higher priority") { y.priority = 1; }

  const auto a = checked_allocate(pools, {y, x});
  CHECK(a.gpus[0] == std::vector<std::int64_t>{0, 4});
  CHECK(a.gpus[1] == std::vector<std::int64_t>{4, 0});
  CHECK(a.unserved == std::vector<std::int64_t>{0, 0});
}

TEST_CASE("Among equally eligible pools the cheaper GPU type is used first", "[allocator]") {
  // "p1" has 8 GB200, "p2" has 8 H100; the rental class costs 2 per GB200 and 1 per H100.
  const Pools pools{pool("p1", "GB200", 8), pool("p2", "H100", 8)};
  auto rent = demand("rent", 0, 10);
  rent.type_cost = {{"GB200", 2}, {"H100", 1}};

  SECTION("the cheaper type fills first") {
    // All 8 H100 (cost 8), then 2 GB200 (cost 4).
    const auto a = checked_allocate(pools, {rent});
    CHECK(a.gpus[0] == std::vector<std::int64_t>{2, 8});
  }
  SECTION("preference never costs service") {
    // 16 wanted: every GPU is served whatever it costs.
    rent.demand = 16;
    const auto a = checked_allocate(pools, {rent});
    CHECK(a.gpus[0] == std::vector<std::int64_t>{8, 8});
  }
  SECTION("two classes with opposite preferences each get their cheap type") {
    // rent prefers H100 and train prefers GB200 (cost 1 per H100); 8 each: total cost 0
    // when rent takes the 8 H100 and train the 8 GB200.
    rent.demand = 8;
    rent.type_cost = {{"GB200", 1}};
    auto train = demand("train", 0, 8);
    train.type_cost = {{"H100", 1}};
    const auto a = checked_allocate(pools, {train, rent});
    CHECK(a.gpus[0] == std::vector<std::int64_t>{8, 0});
    CHECK(a.gpus[1] == std::vector<std::int64_t>{0, 8});
  }
}

TEST_CASE("A gang gets its whole demand or nothing", "[allocator]") {
  auto gang = demand("gang", 0, 100);
  gang.all_or_nothing = true;

  SECTION("a gang that does not fit gets nothing and its GPUs go to lower classes") {
    // 80 free < 100: the gang gets 0; "next" (priority 1) takes its 50 and "last"
    // (priority 2) the remaining 80 - 50 = 30.
    const Pools pools{pool("a", "H100", 80)};
    const auto a = checked_allocate(pools, {demand("last", 2, 50), gang, demand("next", 1, 50)});
    CHECK(a.gpus[1][0] == 0);
    CHECK(a.unserved[1] == 100);
    CHECK(a.gpus[2][0] == 50);
    CHECK(a.gpus[0][0] == 30);
  }
  SECTION("a gang that fits gets exactly its demand, across pools if need be") {
    // 60 + 60 free: the gang takes 100; "next" gets the other 20.
    const Pools pools{pool("a", "H100", 60), pool("b", "H100", 60)};
    const auto a = checked_allocate(pools, {gang, demand("next", 1, 50)});
    CHECK(served(a, 0) == 100);
    CHECK(served(a, 1) == 20);
  }
  SECTION("a lower-priority gang that no longer fits gets nothing") {
    // 10 free: "first" takes 7; the gang (priority 1) wants 5 but 3 are left, so it gets
    // 0 and "after" (priority 2) gets the 3.
    gang.priority = 1;
    gang.demand = 5;
    const Pools pools{pool("a", "H100", 10)};
    const auto a = checked_allocate(pools, {demand("first", 0, 7), gang, demand("after", 2, 5)});
    CHECK(a.gpus[0][0] == 7);
    CHECK(a.gpus[1][0] == 0);
    CHECK(a.gpus[2][0] == 3);
  }
  SECTION("a gang comes before the other classes of its priority") {
    // 3 free; the gang and "early" (whose id sorts first) share priority 0 and want 2
    // each. The gang is served first (2) and "early" gets the remaining 1: 3 served in
    // all, where letting "early" take 2 first would drop the gang and serve only 2.
    gang.demand = 2;
    const Pools pools{pool("a", "H100", 3)};
    const auto a = checked_allocate(pools, {demand("early", 0, 2), gang});
    CHECK(a.gpus[1][0] == 2);
    CHECK(a.gpus[0][0] == 1);
  }
}

TEST_CASE("The allocation does not depend on the order of pools and classes", "[allocator]") {
  aidc::sim::Rng rng = aidc::sim::make_stream(7, 0, "allocator.order");
  const Limits lim{8, 20, 6, 25, 3, 3, true};
  for (int instance = 0; instance < 300; ++instance) {
    auto [pools, classes] = random_instance(rng, lim);
    INFO(describe(pools, classes));
    const auto expected = by_id(pools, classes, checked_allocate(pools, classes));
    for (int shuffled = 0; shuffled < 5; ++shuffled) {
      shuffle(pools, rng);
      shuffle(classes, rng);
      CHECK(by_id(pools, classes, checked_allocate(pools, classes)) == expected);
    }
  }
}

TEST_CASE("The flow matches a brute-force search over every integer allocation", "[allocator]") {
  // Small instances (2-3 pools with at most 4 free, 2-3 classes wanting at most 4) are
  // enumerated exhaustively. Without gangs, the tiers are the priority levels: the flow
  // must reach the lexicographically largest GPUs-served-per-priority vector and, among
  // allocations reaching it, the least type cost. With gangs, the same holds for the
  // documented tiers (each gang its own tier ahead of its priority's other classes),
  // over allocations that give each gang 0 or its whole demand.
  aidc::sim::Rng rng = aidc::sim::make_stream(11, 0, "allocator.brute_force");
  bool gangs = false;
  SECTION("without gangs") { gangs = false; }
  SECTION("with gangs") { gangs = true; }
  const Limits lim{3, 4, 3, 4, 2, 2, gangs};
  for (int instance = 0; instance < 4000; ++instance) {
    auto [pools, classes] = random_instance(rng, lim);
    if (pools.size() < 2) pools.push_back(pool("pool-extra", "H100", draw(rng, 0, 4)));
    if (classes.size() < 2) classes.push_back(demand("class-extra", 1, draw(rng, 0, 4)));
    INFO(describe(pools, classes));
    const auto a = checked_allocate(pools, classes);
    const Best best = brute_force(pools, classes);
    CHECK(served_by_tier(classes, a) == best.served_by_tier);
    CHECK(total_cost(pools, classes, a) == best.cost);
  }
}

TEST_CASE("No eligible GPU stays idle while an elastic class waits for it", "[allocator]") {
  // Conservation is checked on every result; here also maximality: an elastic class with
  // unserved demand means each pool it may use has no usable GPU left for it.
  aidc::sim::Rng rng = aidc::sim::make_stream(13, 0, "allocator.conservation");
  const Limits lim{10, 40, 8, 60, 4, 3, true};
  for (int instance = 0; instance < 500; ++instance) {
    const auto [pools, classes] = random_instance(rng, lim);
    INFO(describe(pools, classes));
    const auto a = checked_allocate(pools, classes);
    for (std::size_t p = 0; p < pools.size(); ++p) {
      std::int64_t used = 0;
      std::int64_t used_by_external = 0;
      for (std::size_t c = 0; c < classes.size(); ++c) {
        used += a.gpus[c][p];
        if (!classes[c].internal) used_by_external += a.gpus[c][p];
      }
      const std::int64_t idle = pools[p].free - used;
      const std::int64_t idle_open =
          std::min(idle, pools[p].free - pools[p].reserve - used_by_external);
      for (std::size_t c = 0; c < classes.size(); ++c) {
        if (classes[c].all_or_nothing || a.unserved[c] == 0 || !eligible(classes[c], pools[p]))
          continue;
        CAPTURE(c, p);
        CHECK((classes[c].internal ? idle : idle_open) == 0);
      }
    }
  }
}

TEST_CASE("An empty fleet or empty demand allocates nothing", "[allocator]") {
  const auto none = checked_allocate({}, {demand("a", 0, 5)});
  CHECK(none.unserved == std::vector<std::int64_t>{5});
  const auto idle = checked_allocate({pool("a", "H100", 5)}, {demand("zero", 0, 0)});
  CHECK(idle.gpus[0][0] == 0);
  CHECK(checked_allocate({pool("a", "H100", 5)}, {}).gpus.empty());
}

TEST_CASE("Invalid pools and classes are rejected with their id and value", "[allocator]") {
  using Catch::Contains;
  const Classes one{demand("c", 0, 1)};
  REQUIRE_THROWS_WITH(allocate({pool("a", "H100", 3, 5)}, one),
                      Contains("pool \"a\"") && Contains("reserve 5, free 3"));
  REQUIRE_THROWS_WITH(allocate({pool("a", "H100", -1)}, one),
                      Contains("pool \"a\"") && Contains("got -1"));
  REQUIRE_THROWS_WITH(allocate({pool("a", "H100", 1), pool("a", "GB200", 1)}, one),
                      Contains("duplicate pool id \"a\""));
  REQUIRE_THROWS_WITH(allocate({pool("a", "H100", 1)}, {demand("c", 0, 1), demand("c", 1, 1)}),
                      Contains("duplicate class id \"c\""));
  REQUIRE_THROWS_WITH(allocate({pool("a", "H100", 1)}, {demand("c", 0, -2)}),
                      Contains("class \"c\"") && Contains("got -2"));
  auto costly = demand("c", 0, 1);
  costly.type_cost["H100"] = -1;
  REQUIRE_THROWS_WITH(allocate({pool("a", "H100", 1)}, {costly}),
                      Contains("type_cost of \"H100\"") && Contains("got -1"));
  const std::int64_t huge = std::numeric_limits<std::int64_t>::max();
  REQUIRE_THROWS_WITH(allocate({pool("a", "H100", huge), pool("b", "H100", 1)}, one),
                      Contains("total free GPUs exceeds int64"));
  costly.type_cost["H100"] = huge / 2;
  REQUIRE_THROWS_WITH(allocate({pool("a", "H100", 1)}, {costly}), Contains("too large"));
}
