// Training campaign graph: checks when built, a deterministic topological order and the
// critical path with unlimited GPUs.

#include "aidc/training/campaign_graph.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/strong_components.hpp>
#include <boost/graph/topological_sort.hpp>
#include <cmath>
#include <deque>
#include <functional>
#include <iterator>
#include <limits>
#include <queue>
#include <stdexcept>
#include <unordered_map>
#include <utility>

namespace aidc {

namespace {

constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();

// Edges run from a campaign to the campaigns that run after it.
using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;

/// `"a", "b", "c"`, or the first `limit` of them and a count of the rest.
std::string quoted_list(const std::vector<std::string>& ids, std::size_t limit = 10) {
  std::string out;
  for (std::size_t k = 0; k < ids.size() && k < limit; ++k) {
    if (!out.empty()) out += ", ";
    out += fmt::format("\"{}\"", ids[k]);
  }
  if (ids.size() > limit) out += fmt::format(" and {} more", ids.size() - limit);
  return out;
}

void check_hours(Diagnostics& diag, const std::string& pointer, double hours) {
  if (!std::isfinite(hours) || hours < 0) {
    diag.add(pointer, fmt::format("out of range (got {}, expected a number >= 0)", hours));
  }
}

/// A shortest cycle through `start` within its strongly connected component, as indices
/// [start, x1, ..., xk] where each runs after the one before and `start` runs after xk.
/// Successors are visited by increasing index, so the cycle depends only on the input.
std::vector<std::size_t> cycle_through(std::size_t start, const std::vector<std::size_t>& component,
                                       const std::vector<std::vector<std::size_t>>& successors) {
  std::vector<std::size_t> parent(successors.size(), kNone);
  parent[start] = start;
  std::deque<std::size_t> queue{start};
  while (!queue.empty()) {
    const std::size_t u = queue.front();
    queue.pop_front();
    for (const std::size_t v : successors[u]) {
      if (component[v] != component[start]) continue;
      if (v == start) {
        std::vector<std::size_t> cycle;
        for (std::size_t x = u; x != start; x = parent[x]) cycle.push_back(x);
        cycle.push_back(start);
        std::reverse(cycle.begin(), cycle.end());
        return cycle;
      }
      if (parent[v] == kNone) {
        parent[v] = u;
        queue.push_back(v);
      }
    }
  }
  return {start};  // unreachable: every member of a component of two or more is on a cycle
}

}  // namespace

CampaignGraph::CampaignGraph(std::vector<CampaignNode> nodes, Diagnostics& diag,
                             const std::string& pointer_prefix)
    : nodes_(std::move(nodes)), predecessors_(nodes_.size()), successors_(nodes_.size()) {
  const std::size_t problems_before = diag.items().size();
  const std::size_t n = nodes_.size();
  const auto at = [&](std::size_t i) { return fmt::format("{}/{}", pointer_prefix, i); };

  // Ids must be non-empty and unique; "after" names the first campaign with an id.
  std::unordered_map<std::string, std::size_t> index_of;
  std::vector<std::string> known;  // unique ids, in input order, for suggestions
  for (std::size_t i = 0; i < n; ++i) {
    const CampaignNode& c = nodes_[i];
    if (c.id.empty()) {
      diag.add(at(i) + "/id", "empty campaign id (expected a non-empty string)");
    } else if (const auto [it, inserted] = index_of.emplace(c.id, i); !inserted) {
      diag.add(at(i) + "/id",
               fmt::format("duplicate campaign id \"{}\" (first at {}/id)", c.id, at(it->second)));
    } else {
      known.push_back(c.id);
    }
    check_hours(diag, at(i) + "/duration_hours", c.duration_hours);
    check_hours(diag, at(i) + "/earliest_start_hours", c.earliest_start_hours);
  }

  for (std::size_t i = 0; i < n; ++i) {
    const std::vector<std::string>& after = nodes_[i].after;
    for (std::size_t j = 0; j < after.size(); ++j) {
      const std::string pointer = fmt::format("{}/after/{}", at(i), j);
      const auto it = index_of.find(after[j]);
      if (it == index_of.end()) {
        const std::string guess = nearest(after[j], known);
        diag.add(
            pointer,
            guess.empty()
                ? fmt::format("unknown campaign \"{}\" (known: {})", after[j], quoted_list(known))
                : fmt::format("unknown campaign \"{}\"; did you mean \"{}\"?", after[j], guess));
        continue;
      }
      const std::size_t p = it->second;
      if (p == i) {
        diag.add(pointer, fmt::format("campaign \"{}\" cannot run after itself", after[j]));
        continue;
      }
      auto& preds = predecessors_[i];
      if (std::find(preds.begin(), preds.end(), p) != preds.end()) continue;  // listed twice
      preds.push_back(p);
      successors_[p].push_back(i);
    }
  }
  for (auto& succ : successors_) std::sort(succ.begin(), succ.end());

  // Boost's depth-first topological sort throws not_a_dag on a cycle. Each strongly
  // connected component of two or more campaigns then holds a cycle; one cycle of each
  // is reported at the "after" entry that closes it, starting from its lowest index.
  Graph graph(n);
  for (std::size_t p = 0; p < n; ++p) {
    for (const std::size_t i : successors_[p]) boost::add_edge(p, i, graph);
  }
  bool acyclic = true;
  try {
    std::vector<std::size_t> reversed_order;
    boost::topological_sort(graph, std::back_inserter(reversed_order));
  } catch (const boost::not_a_dag&) {
    acyclic = false;
  }
  if (!acyclic) {
    std::vector<std::size_t> component(n);
    const std::size_t count = boost::strong_components(
        graph, boost::make_iterator_property_map(component.begin(),
                                                 boost::get(boost::vertex_index, graph)));
    std::vector<std::vector<std::size_t>> members(count);
    for (std::size_t i = 0; i < n; ++i) members[component[i]].push_back(i);
    std::sort(members.begin(), members.end());  // by lowest member: reports in input order
    for (const auto& group : members) {
      if (group.size() < 2) continue;  // self-dependencies were reported and left out
      const std::vector<std::size_t> cycle = cycle_through(group.front(), component, successors_);
      const CampaignNode& first = nodes_[cycle.front()];
      const std::string& closing = nodes_[cycle.back()].id;
      const auto j = static_cast<std::size_t>(
          std::find(first.after.begin(), first.after.end(), closing) - first.after.begin());
      std::string chain;
      for (const std::size_t x : cycle) chain += fmt::format("\"{}\" -> ", nodes_[x].id);
      chain += fmt::format("\"{}\"", first.id);
      std::string message =
          fmt::format("dependency cycle: {} (each must finish before the next starts)", chain);
      if (group.size() > cycle.size()) {
        std::vector<std::string> others;
        for (const std::size_t x : group) {
          if (std::find(cycle.begin(), cycle.end(), x) == cycle.end()) {
            others.push_back(nodes_[x].id);
          }
        }
        message += fmt::format("; also on cycles with them: {}", quoted_list(others));
      }
      diag.add(fmt::format("{}/after/{}", at(cycle.front()), j), message);
    }
  }

  valid_ = diag.items().size() == problems_before;
  if (!valid_) return;

  // Kahn's algorithm with the ready campaigns in a min-heap of input indices.
  std::vector<std::size_t> waiting_for(n);
  std::priority_queue<std::size_t, std::vector<std::size_t>, std::greater<>> ready;
  for (std::size_t i = 0; i < n; ++i) {
    waiting_for[i] = predecessors_[i].size();
    if (waiting_for[i] == 0) ready.push(i);
  }
  order_.reserve(n);
  while (!ready.empty()) {
    const std::size_t u = ready.top();
    ready.pop();
    order_.push_back(u);
    for (const std::size_t v : successors_[u]) {
      if (--waiting_for[v] == 0) ready.push(v);
    }
  }
  if (order_.size() != n) throw std::logic_error("campaign graph: cycle missed by the checks");
}

void CampaignGraph::require_valid() const {
  if (!valid_) {
    throw std::logic_error(
        "campaign graph has problems (see its diagnostics); it cannot be ordered");
  }
}

std::vector<std::size_t> CampaignGraph::topological_order() const {
  require_valid();
  return order_;
}

std::vector<std::size_t> CampaignGraph::predecessors(std::size_t i) const {
  return predecessors_.at(i);
}

std::vector<std::size_t> CampaignGraph::successors(std::size_t i) const {
  return successors_.at(i);
}

CriticalPath CampaignGraph::critical_path() const {
  require_valid();
  const std::size_t n = nodes_.size();
  CriticalPath out;
  out.earliest_start_hours.assign(n, 0.0);
  std::vector<double> finish(n, 0.0);
  std::vector<std::size_t> held_by(n, kNone);  // the predecessor that sets the start, if any
  for (const std::size_t v : order_) {
    std::size_t latest = kNone;  // predecessor finishing last; ties to the lowest index
    for (const std::size_t p : predecessors_[v]) {
      if (latest == kNone || finish[p] > finish[latest] ||
          (finish[p] == finish[latest] && p < latest)) {
        latest = p;
      }
    }
    double start = nodes_[v].earliest_start_hours;
    if (latest != kNone && finish[latest] >= start) {
      start = finish[latest];
      held_by[v] = latest;
    }
    out.earliest_start_hours[v] = start;
    finish[v] = start + nodes_[v].duration_hours;
  }
  if (n == 0) return out;
  std::size_t last = 0;
  for (std::size_t i = 1; i < n; ++i) {
    if (finish[i] > finish[last]) last = i;
  }
  out.finish_hours = finish[last];
  for (std::size_t x = last; x != kNone; x = held_by[x]) out.path.push_back(nodes_[x].id);
  std::reverse(out.path.begin(), out.path.end());
  return out;
}

}  // namespace aidc
