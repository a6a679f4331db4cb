#pragma once
// The arithmetic of checkpointed progress: a gang computes for `interval` seconds, then writes
// a checkpoint for `write` seconds (no progress), and so on. A checkpoint counts once its
// write ends. Pure functions of whole seconds, so a campaign's accounting is exact.

#include <algorithm>
#include <cstdint>

namespace aidc::kernel {

struct CheckpointCycle {
  std::int64_t interval = 1;  // seconds of compute between checkpoints (>= 1)
  std::int64_t write = 0;     // seconds to write one

  std::int64_t cycle() const { return interval + write; }
  /// Checkpoints completed within `elapsed` seconds of progress.
  std::int64_t checkpoints(std::int64_t elapsed) const { return elapsed / cycle(); }
  /// Seconds of compute within `elapsed` seconds of progress.
  std::int64_t compute(std::int64_t elapsed) const {
    const std::int64_t k = checkpoints(elapsed);
    return k * interval + std::min(elapsed - k * cycle(), interval);
  }
  /// Seconds of compute saved by the last completed checkpoint.
  std::int64_t saved(std::int64_t elapsed) const { return checkpoints(elapsed) * interval; }
  /// Seconds spent writing checkpoints (the last one may be under way).
  std::int64_t writing(std::int64_t elapsed) const { return elapsed - compute(elapsed); }
  /// Wall seconds to compute `work` seconds from a checkpoint: a write after each full
  /// interval that ends before the work does.
  std::int64_t wall_for(std::int64_t work) const {
    if (work <= 0) return 0;
    // Saturated at 1e18 s (3e10 years): a campaign that long never finishes in any horizon,
    // and the sum cannot overflow.
    constexpr std::int64_t kLimit = 1'000'000'000'000'000'000;
    const std::int64_t cycles = (work - 1) / interval;
    if (work >= kLimit || (write > 0 && cycles > (kLimit - work) / write)) return kLimit;
    return work + cycles * write;
  }
};

}  // namespace aidc::kernel
