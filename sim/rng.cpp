#include "aidc/sim/rng.hpp"

namespace aidc::sim {

namespace {
// SplitMix64's finalizer: a bijective mix, so distinct inputs give distinct seeds.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// FNV-1a: a fixed, platform-independent hash of the stream name.
std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}
}  // namespace

std::uint64_t stream_seed(std::uint64_t seed, std::uint64_t replication, std::string_view name) {
  return mix(mix(mix(seed) ^ replication) ^ fnv1a(name));
}

}  // namespace aidc::sim
