#include "fleet.hpp"

#include <algorithm>
#include <cmath>

namespace aidc::kernel {

Fleet::Fleet(const Scenario& s, const sim::Engine& engine)
    : engine_(&engine), may_use_reserve_(s.policy.may_use_reserve), max_share_(s.policy.max_share) {
  pools_.resize(s.pools.size());
  for (std::size_t p = 0; p < s.pools.size(); ++p) {
    pools_[p].spec = &s.pools[p];
    pools_[p].type = &s.catalog.at(s.pools[p].gpu);
    by_id_.push_back(static_cast<std::uint32_t>(p));
  }
  std::sort(by_id_.begin(), by_id_.end(),
            [&](std::uint32_t a, std::uint32_t b) { return s.pools[a].id < s.pools[b].id; });
}

void Fleet::install(std::size_t p, double reserve_fraction) {
  Pool& pool = pools_[p];
  pool.advance(now());
  pool.installed += pool.spec->count;
  pool.idle += pool.spec->count;
  pool.reserve =
      static_cast<std::int64_t>(std::floor(reserve_fraction * static_cast<double>(pool.installed)));
  pool.in_service = true;
}

void Fleet::close(std::size_t p) {
  Pool& pool = pools_[p];
  for (std::size_t c = 0; c < kClassCount; ++c) {
    if (pool.held[c] != 0 && watchers_[c]) watchers_[c]();
  }
  pool.advance(now());
  pool.idle = pool.installed = pool.down = 0;
  pool.held = {};
}

double Fleet::utilization(const std::vector<std::uint32_t>& pools) const {
  std::int64_t busy = 0;
  std::int64_t working = 0;
  for (const std::uint32_t q : pools) {
    working += pools_[q].installed - pools_[q].down;
    busy += pools_[q].busy();
  }
  return working > 0 ? static_cast<double>(busy) / static_cast<double>(working) : 0.0;
}

}  // namespace aidc::kernel
