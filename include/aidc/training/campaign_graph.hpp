#pragma once
/// Training campaigns (pretraining, post-training, evaluation, ...) and the order they
/// must run in: a directed acyclic graph checked when it is built, with a deterministic
/// topological order and the critical path when GPUs are unlimited.

#include <cstddef>
#include <string>
#include <vector>

#include "aidc/scenario/errors.hpp"

namespace aidc {

/// One training campaign. Times are in hours since the scenario start.
struct CampaignNode {
  std::string id;
  std::vector<std::string> after;   // ids that must finish before this one starts
  double duration_hours = 0;        // at its full gang, with no interruptions
  double earliest_start_hours = 0;  // not before this (hours since scenario start)
};

/// The schedule of a campaign graph with unlimited GPUs (every campaign starts as soon as
/// its predecessors have finished and its own earliest start has come).
struct CriticalPath {
  double finish_hours = 0;  // when the last campaign finishes; 0 with no campaigns
  /// Ids of the chain that sets finish_hours, first to last. It starts at a campaign held
  /// back only by its own earliest start (or by nothing).
  std::vector<std::string> path;
  std::vector<double> earliest_start_hours;  // per campaign, in input order
};

/// Campaigns and their "after" dependencies, checked once when built. Indices are
/// positions in the input list.
class CampaignGraph {
 public:
  /// Records problems (unknown id in "after", self-dependency, duplicate or empty id,
  /// negative or non-finite hours, a cycle naming the campaigns on it) in `diag` with
  /// JSON pointers such as `pointer_prefix + "/2/after/0"`. An id listed twice in one
  /// "after" counts once. A duplicate id's later entries are never depended upon: "after"
  /// names the first campaign with that id.
  CampaignGraph(std::vector<CampaignNode> nodes, Diagnostics& diag,
                const std::string& pointer_prefix);

  /// False when the constructor recorded a problem; topological_order() and
  /// critical_path() then throw std::logic_error (check the diagnostics first).
  bool is_valid() const { return valid_; }
  std::size_t size() const { return nodes_.size(); }
  const std::vector<CampaignNode>& nodes() const { return nodes_; }

  /// Every campaign after all of its predecessors. Among campaigns that are ready at the
  /// same point, the lowest input index comes first (the lexicographically smallest
  /// topological order), so the order never depends on anything but the input.
  std::vector<std::size_t> topological_order() const;
  /// The campaigns `i` runs after, in the order of its "after" list (each once; entries
  /// with a problem left out).
  std::vector<std::size_t> predecessors(std::size_t i) const;
  /// The campaigns that run after `i`, by increasing index.
  std::vector<std::size_t> successors(std::size_t i) const;
  /// Longest path with unlimited GPUs: earliest start of each node = max(own
  /// earliest_start, finish of its predecessors); finish = earliest start + duration.
  /// Ties between chains go to the lowest index; a predecessor whose finish equals the
  /// node's own earliest start is on the path.
  CriticalPath critical_path() const;

 private:
  void require_valid() const;

  std::vector<CampaignNode> nodes_;
  std::vector<std::vector<std::size_t>> predecessors_;
  std::vector<std::vector<std::size_t>> successors_;
  std::vector<std::size_t> order_;  // topological order; empty unless valid
  bool valid_ = false;
};

}  // namespace aidc
