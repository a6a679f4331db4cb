#pragma once
/// Named random streams. Each stochastic source draws from its own Boost.Random
/// engine seeded from (scenario seed, replication, stream name), as ns-3 derives
/// streams from RngSeed and RngRun. Adding a source never shifts another's numbers,
/// so two plans run under one seed see the same demand (common random numbers).

#include <boost/random/mersenne_twister.hpp>
#include <cstdint>
#include <string_view>

namespace aidc::sim {

using Rng = boost::random::mt19937_64;

/// A 64-bit seed for stream `name` of replication `replication` under `seed`.
std::uint64_t stream_seed(std::uint64_t seed, std::uint64_t replication, std::string_view name);

inline Rng make_stream(std::uint64_t seed, std::uint64_t replication, std::string_view name) {
  return Rng{stream_seed(seed, replication, name)};
}

}  // namespace aidc::sim
