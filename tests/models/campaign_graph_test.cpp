// Training campaign graphs: checks when built, a deterministic topological order and the
// critical path with unlimited GPUs.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "aidc/scenario/errors.hpp"
#include "aidc/training/campaign_graph.hpp"
#include "support.hpp"

using aidc::CampaignGraph;
using aidc::CampaignNode;
using aidc::Diagnostic;
using aidc::Diagnostics;

namespace {

/// "c" followed by the rank. (Not "c" + std::to_string(r): GCC 12 warns falsely there.)
std::string id_of(std::size_t rank) {
  std::string id = std::to_string(rank);
  id.insert(id.begin(), 'c');
  return id;
}

const std::string kPrefix = "/training/campaigns";

using aidc::test::all_lines;

/// A graph that must have no problems.
CampaignGraph valid_graph(std::vector<CampaignNode> nodes) {
  Diagnostics diag("s.json");
  CampaignGraph graph(std::move(nodes), diag, kPrefix);
  INFO(all_lines(diag));
  REQUIRE(diag.empty());
  REQUIRE(graph.is_valid());
  return graph;
}

/// The one problem a graph of `nodes` reports.
Diagnostic only_problem(std::vector<CampaignNode> nodes) {
  Diagnostics diag("s.json");
  const CampaignGraph graph(std::move(nodes), diag, kPrefix);
  INFO(all_lines(diag));
  REQUIRE(diag.items().size() == 1);
  CHECK_FALSE(graph.is_valid());
  return diag.items().front();
}

}  // namespace

TEST_CASE("A pretrain, post-train, eval chain finishes after the sum of its durations",
          "[campaigns]") {
  // Listed out of order: eval (0) after post-train (2) after pretrain (1).
  // pretrain 0 -> 1000 h, post-train 1000 -> 1200 h, eval 1200 -> 1224 h.
  const CampaignGraph graph = valid_graph({
      {"eval", {"post-train"}, 24.0, 0.0},
      {"pretrain", {}, 1000.0, 0.0},
      {"post-train", {"pretrain"}, 200.0, 0.0},
  });
  CHECK(graph.topological_order() == std::vector<std::size_t>{1, 2, 0});
  CHECK(graph.predecessors(0) == std::vector<std::size_t>{2});
  CHECK(graph.predecessors(1).empty());
  CHECK(graph.successors(1) == std::vector<std::size_t>{2});

  const aidc::CriticalPath cp = graph.critical_path();
  CHECK(cp.finish_hours == 1224.0);
  CHECK(cp.path == std::vector<std::string>{"pretrain", "post-train", "eval"});
  CHECK(cp.earliest_start_hours == std::vector<double>{1200.0, 0.0, 1000.0});
}

TEST_CASE("In a diamond the longer branch sets the finish", "[campaigns]") {
  // data (100 h) feeds two branches, sft (50 h) and rlhf (80 h), which both feed merge
  // (10 h). sft and rlhf start at 100; merge waits for rlhf: 100 + 80 = 180, finish 190.
  const CampaignGraph graph = valid_graph({
      {"data", {}, 100.0, 0.0},
      {"sft", {"data"}, 50.0, 0.0},
      {"rlhf", {"data"}, 80.0, 0.0},
      {"merge", {"sft", "rlhf"}, 10.0, 0.0},
  });
  CHECK(graph.topological_order() == std::vector<std::size_t>{0, 1, 2, 3});
  CHECK(graph.predecessors(3) == std::vector<std::size_t>{1, 2});
  CHECK(graph.successors(0) == std::vector<std::size_t>{1, 2});
  const aidc::CriticalPath cp = graph.critical_path();
  CHECK(cp.finish_hours == 190.0);
  CHECK(cp.path == std::vector<std::string>{"data", "rlhf", "merge"});
  CHECK(cp.earliest_start_hours == std::vector<double>{0.0, 100.0, 100.0, 180.0});
}

TEST_CASE("An earliest start delays its branch and can move the critical path", "[campaigns]") {
  SECTION("sft cannot start before hour 200") {
    // sft waits for its own start: 200 -> 250; rlhf 100 -> 180; merge 250 -> 260. The path
    // starts at sft, which is held back by its earliest start, not by data.
    const CampaignGraph graph = valid_graph({
        {"data", {}, 100.0, 0.0},
        {"sft", {"data"}, 50.0, 200.0},
        {"rlhf", {"data"}, 80.0, 0.0},
        {"merge", {"sft", "rlhf"}, 10.0, 0.0},
    });
    const aidc::CriticalPath cp = graph.critical_path();
    CHECK(cp.finish_hours == 260.0);
    CHECK(cp.path == std::vector<std::string>{"sft", "merge"});
    CHECK(cp.earliest_start_hours == std::vector<double>{0.0, 200.0, 100.0, 250.0});
  }
  SECTION("an earliest start before the predecessors finish changes nothing") {
    // sft may start at 60 but data ends at 100: the diamond's 190 again.
    const CampaignGraph graph = valid_graph({
        {"data", {}, 100.0, 0.0},
        {"sft", {"data"}, 50.0, 60.0},
        {"rlhf", {"data"}, 80.0, 0.0},
        {"merge", {"sft", "rlhf"}, 10.0, 0.0},
    });
    const aidc::CriticalPath cp = graph.critical_path();
    CHECK(cp.finish_hours == 190.0);
    CHECK(cp.path == std::vector<std::string>{"data", "rlhf", "merge"});
    CHECK(cp.earliest_start_hours[1] == 100.0);
  }
  SECTION("a tie between an earliest start and a predecessor follows the predecessor") {
    // rlhf may start at 100, exactly when data ends: 100 -> 180, merge 180 -> 190.
    const CampaignGraph graph = valid_graph({
        {"data", {}, 100.0, 0.0},
        {"sft", {"data"}, 50.0, 0.0},
        {"rlhf", {"data"}, 80.0, 100.0},
        {"merge", {"sft", "rlhf"}, 10.0, 0.0},
    });
    CHECK(graph.critical_path().path == std::vector<std::string>{"data", "rlhf", "merge"});
  }
  SECTION("a campaign with no predecessors starts at its earliest start") {
    // eval-only 500 -> 520 outlasts the chain a (0 -> 300).
    const CampaignGraph graph = valid_graph({
        {"a", {}, 300.0, 0.0},
        {"eval-only", {}, 20.0, 500.0},
    });
    const aidc::CriticalPath cp = graph.critical_path();
    CHECK(cp.finish_hours == 520.0);
    CHECK(cp.path == std::vector<std::string>{"eval-only"});
  }
}

TEST_CASE("No campaigns schedule to nothing", "[campaigns]") {
  const CampaignGraph graph = valid_graph({});
  CHECK(graph.topological_order().empty());
  const aidc::CriticalPath cp = graph.critical_path();
  CHECK(cp.finish_hours == 0.0);
  CHECK(cp.path.empty());
  CHECK(cp.earliest_start_hours.empty());
}

TEST_CASE("A dependency cycle is reported with the campaigns on it", "[campaigns][errors]") {
  SECTION("a three-campaign cycle and a bystander") {
    // a after c, b after a, c after b: a -> b -> c -> a. The report starts at the lowest
    // index (a) and points at a's "after" entry that closes the cycle ("c", entry 0).
    // d runs after a but is on no cycle, so it is not named.
    Diagnostics diag("s.json");
    const CampaignGraph graph(
        {
            {"a", {"c"}, 1.0, 0.0},
            {"b", {"a"}, 1.0, 0.0},
            {"c", {"b"}, 1.0, 0.0},
            {"d", {"a"}, 1.0, 0.0},
        },
        diag, kPrefix);
    INFO(all_lines(diag));
    REQUIRE(diag.items().size() == 1);
    CHECK(diag.items()[0].to_string() ==
          "s.json: /training/campaigns/0/after/0: dependency cycle: \"a\" -> \"b\" -> \"c\" -> "
          "\"a\" (each must finish before the next starts)");
    CHECK_FALSE(graph.is_valid());
    CHECK_THROWS_AS(graph.topological_order(), std::logic_error);
    CHECK_THROWS_AS(graph.critical_path(), std::logic_error);
  }
  SECTION("two cycles that share a campaign are one report naming all three") {
    // a <-> b and b <-> c. The shortest cycle through a is a -> b -> a (a's entry 0 names
    // b); c is caught in the same knot and is listed too.
    const Diagnostic d = only_problem({
        {"a", {"b"}, 1.0, 0.0},
        {"b", {"a", "c"}, 1.0, 0.0},
        {"c", {"b"}, 1.0, 0.0},
    });
    CHECK(d.pointer == "/training/campaigns/0/after/0");
    CHECK(d.message ==
          "dependency cycle: \"a\" -> \"b\" -> \"a\" (each must finish before the next "
          "starts); also on cycles with them: \"c\"");
  }
  SECTION("separate cycles are reported separately, in input order") {
    // x <-> y (indices 1, 3) and p -> q -> p (indices 0, 2): p's cycle first.
    Diagnostics diag("s.json");
    const CampaignGraph graph(
        {
            {"p", {"q"}, 1.0, 0.0},
            {"x", {"y"}, 1.0, 0.0},
            {"q", {"p"}, 1.0, 0.0},
            {"y", {"x"}, 1.0, 0.0},
        },
        diag, kPrefix);
    INFO(all_lines(diag));
    REQUIRE(diag.items().size() == 2);
    CHECK(diag.items()[0].pointer == "/training/campaigns/0/after/0");
    CHECK_THAT(diag.items()[0].message,
               Catch::StartsWith("dependency cycle: \"p\" -> \"q\" -> \"p\""));
    CHECK(diag.items()[1].pointer == "/training/campaigns/1/after/0");
    CHECK_THAT(diag.items()[1].message,
               Catch::StartsWith("dependency cycle: \"x\" -> \"y\" -> \"x\""));
  }
}

TEST_CASE("An unknown dependency names its pointer and the nearest id", "[campaigns][errors]") {
  SECTION("a misspelling") {
    // "pretrian" is two edits (a swap) from "pretrain".
    const Diagnostic d = only_problem({
        {"pretrain", {}, 1000.0, 0.0},
        {"post-train", {"pretrain", "pretrian"}, 200.0, 0.0},
    });
    CHECK(d.to_string() ==
          "s.json: /training/campaigns/1/after/1: unknown campaign \"pretrian\"; did you mean "
          "\"pretrain\"?");
  }
  SECTION("nothing close: the known ids are listed") {
    const Diagnostic d = only_problem({
        {"pretrain", {}, 1000.0, 0.0},
        {"post-train", {"tokenizer"}, 200.0, 0.0},
    });
    CHECK(d.pointer == "/training/campaigns/1/after/0");
    CHECK(d.message == "unknown campaign \"tokenizer\" (known: \"pretrain\", \"post-train\")");
  }
}

TEST_CASE("Self-dependencies, duplicate ids and bad hours are reported where they are",
          "[campaigns][errors]") {
  SECTION("self-dependency") {
    const Diagnostic d = only_problem({{"a", {}, 1.0, 0.0}, {"b", {"a", "b"}, 1.0, 0.0}});
    CHECK(d.pointer == "/training/campaigns/1/after/1");
    CHECK(d.message == "campaign \"b\" cannot run after itself");
  }
  SECTION("duplicate id") {
    const Diagnostic d =
        only_problem({{"a", {}, 1.0, 0.0}, {"b", {}, 1.0, 0.0}, {"a", {}, 2.0, 0.0}});
    CHECK(d.pointer == "/training/campaigns/2/id");
    CHECK(d.message == "duplicate campaign id \"a\" (first at /training/campaigns/0/id)");
  }
  SECTION("empty id") {
    const Diagnostic d = only_problem({{"", {}, 1.0, 0.0}});
    CHECK(d.pointer == "/training/campaigns/0/id");
  }
  SECTION("negative duration") {
    const Diagnostic d = only_problem({{"a", {}, -3.0, 0.0}});
    CHECK(d.pointer == "/training/campaigns/0/duration_hours");
    CHECK(d.message == "out of range (got -3, expected a number >= 0)");
  }
  SECTION("negative earliest start") {
    const Diagnostic d = only_problem({{"a", {}, 3.0, -1.5}});
    CHECK(d.pointer == "/training/campaigns/0/earliest_start_hours");
    CHECK(d.message == "out of range (got -1.5, expected a number >= 0)");
  }
  SECTION("a dependency listed twice counts once") {
    const CampaignGraph graph = valid_graph({{"a", {}, 1.0, 0.0}, {"b", {"a", "a"}, 1.0, 0.0}});
    CHECK(graph.predecessors(1) == std::vector<std::size_t>{0});
  }
  SECTION("problems found earlier in the same file do not make the graph invalid") {
    Diagnostics diag("s.json");
    diag.add("/horizon", "something else");
    const CampaignGraph graph({{"a", {}, 1.0, 0.0}}, diag, kPrefix);
    CHECK(graph.is_valid());
    CHECK(diag.items().size() == 1);
  }
}

TEST_CASE("Random DAGs are ordered deterministically and their finish matches a simple DP",
          "[campaigns]") {
  for (std::uint64_t seed = 1; seed <= 60; ++seed) {
    std::mt19937_64 rng(seed);
    const auto uniform = [&](int lo, int hi) {
      return std::uniform_int_distribution<int>(lo, hi)(rng);
    };
    const auto n = static_cast<std::size_t>(uniform(1, 40));
    const double edge_percent = uniform(0, 40);
    // Rank r is the campaign's place in a known topological order: edges only go from a
    // lower rank to a higher one. Hours are whole numbers, so sums are exact.
    std::vector<std::vector<std::size_t>> preds_by_rank(n);
    std::vector<double> duration(n);
    std::vector<double> earliest(n);
    for (std::size_t r = 0; r < n; ++r) {
      for (std::size_t q = 0; q < r; ++q) {
        if (uniform(0, 99) < edge_percent) preds_by_rank[r].push_back(q);
      }
      duration[r] = uniform(0, 100);
      earliest[r] = uniform(0, 9) < 3 ? uniform(0, 300) : 0;
    }
    // position[r] is the campaign's index in the input list.
    std::vector<std::size_t> position(n);
    std::iota(position.begin(), position.end(), std::size_t{0});
    std::shuffle(position.begin(), position.end(), rng);
    std::vector<CampaignNode> nodes(n);
    for (std::size_t r = 0; r < n; ++r) {
      CampaignNode& node = nodes[position[r]];
      node.id = id_of(r);
      for (const std::size_t q : preds_by_rank[r]) node.after.push_back(id_of(q));
      std::shuffle(node.after.begin(), node.after.end(), rng);
      node.duration_hours = duration[r];
      node.earliest_start_hours = earliest[r];
    }
    CAPTURE(seed, n, edge_percent);

    const CampaignGraph graph = valid_graph(nodes);
    const std::vector<std::size_t> order = graph.topological_order();
    REQUIRE(order.size() == n);
    std::vector<std::size_t> place(n, n);  // place[input index] = position in the order
    for (std::size_t k = 0; k < n; ++k) {
      REQUIRE(order[k] < n);
      REQUIRE(place[order[k]] == n);  // each campaign once
      place[order[k]] = k;
    }
    for (std::size_t r = 0; r < n; ++r) {
      for (const std::size_t q : preds_by_rank[r]) CHECK(place[position[q]] < place[position[r]]);
    }
    // Ties by input index: each step takes the lowest input index whose predecessors are
    // all done (checked by an O(n^2) scan).
    std::vector<std::vector<std::size_t>> preds_by_index(n);
    for (std::size_t r = 0; r < n; ++r) {
      for (const std::size_t q : preds_by_rank[r])
        preds_by_index[position[r]].push_back(position[q]);
    }
    std::vector<bool> done(n, false);
    for (std::size_t k = 0; k < n; ++k) {
      std::size_t expected = n;
      for (std::size_t i = 0; i < n && expected == n; ++i) {
        const bool ready = std::all_of(preds_by_index[i].begin(), preds_by_index[i].end(),
                                       [&](std::size_t p) { return done[p]; });
        if (!done[i] && ready) expected = i;
      }
      CHECK(order[k] == expected);
      done[order[k]] = true;
    }
    // The same input gives the same order.
    CHECK(valid_graph(nodes).topological_order() == order);

    // Longest path by dynamic programming over ranks.
    std::vector<double> start(n);
    std::vector<double> finish(n);
    double last_finish = 0;
    for (std::size_t r = 0; r < n; ++r) {
      start[r] = earliest[r];
      for (const std::size_t q : preds_by_rank[r]) start[r] = std::max(start[r], finish[q]);
      finish[r] = start[r] + duration[r];
      last_finish = std::max(last_finish, finish[r]);
    }
    const aidc::CriticalPath cp = graph.critical_path();
    CHECK(cp.finish_hours == last_finish);
    REQUIRE(cp.earliest_start_hours.size() == n);
    for (std::size_t r = 0; r < n; ++r) CHECK(cp.earliest_start_hours[position[r]] == start[r]);

    // The path is a chain of dependencies, each starting when the one before finishes,
    // ending at the last finish and starting at a campaign held back only by itself.
    REQUIRE_FALSE(cp.path.empty());
    std::vector<std::size_t> ranks;
    for (const std::string& id : cp.path) ranks.push_back(std::stoul(id.substr(1)));
    CHECK(finish[ranks.back()] == last_finish);
    CHECK(start[ranks.front()] == earliest[ranks.front()]);
    for (std::size_t k = 1; k < ranks.size(); ++k) {
      const auto& preds = preds_by_rank[ranks[k]];
      CHECK(std::find(preds.begin(), preds.end(), ranks[k - 1]) != preds.end());
      CHECK(start[ranks[k]] == finish[ranks[k - 1]]);
    }
  }
}
