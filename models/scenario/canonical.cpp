// The canonical order of a scenario's named lists: pools, job streams, contracts, campaigns
// and inference workloads are kept in id order, whatever order the file lists them in, so
// that every tie the simulation breaks (events at one instant, demands of one rank, pools
// of one speed) and every sum and row of the outputs follow the ids. Reordering a
// scenario's lists therefore never changes an output.

#include <algorithm>
#include <numeric>

#include "reading.hpp"

namespace aidc::reading {

namespace {

/// The permutation that sorts `items` by id, as new index -> old index.
template <class T>
std::vector<std::size_t> by_id(const std::vector<T>& items) {
  std::vector<std::size_t> order(items.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return items[a].id < items[b].id; });
  return order;
}

template <class T>
void permute(std::vector<T>& items, const std::vector<std::size_t>& order) {
  std::vector<T> sorted;
  sorted.reserve(items.size());
  for (const std::size_t i : order) sorted.push_back(std::move(items[i]));
  items = std::move(sorted);
}

}  // namespace

void sort_pools_by_id(Scenario& s, std::map<std::string, std::size_t>& pool_index) {
  permute(s.pools, by_id(s.pools));
  for (std::size_t p = 0; p < s.pools.size(); ++p) {
    if (const auto it = pool_index.find(s.pools[p].id); it != pool_index.end()) it->second = p;
  }
}

void sort_workloads_by_id(Scenario& s) {
  permute(s.rentals, by_id(s.rentals));
  permute(s.contracts, by_id(s.contracts));
  permute(s.inference, by_id(s.inference));
  const std::vector<std::size_t> order = by_id(s.campaigns);
  std::vector<std::size_t> new_index(order.size());
  for (std::size_t n = 0; n < order.size(); ++n) new_index[order[n]] = n;
  permute(s.campaigns, order);
  for (auto& c : s.campaigns) {
    for (auto& a : c.after) a = new_index[a];
    std::sort(c.after.begin(), c.after.end());
  }
}

}  // namespace aidc::reading
