#pragma once
/// Simulated time: whole seconds since the scenario start, held as integers so that
/// event ordering and GPU-second accounting are exact. Models convert to hours only
/// at their edge.

#include <compare>
#include <cstdint>

namespace aidc::sim {

inline constexpr std::int64_t kSecondsPerHour = 3600;
inline constexpr std::int64_t kSecondsPerDay = 86400;

/// The one year of every rate, age, life and growth: 365.25 days (the Julian year), 8,766
/// hours.
inline constexpr double kDaysPerYear = 365.25;
inline constexpr double kHoursPerYear = kDaysPerYear * 24.0;
inline constexpr double kSecondsPerYear = kDaysPerYear * static_cast<double>(kSecondsPerDay);

/// A span of simulated time in whole seconds.
struct Duration {
  std::int64_t seconds = 0;
  constexpr auto operator<=>(const Duration&) const = default;
  constexpr Duration operator+(Duration o) const { return {seconds + o.seconds}; }
  constexpr Duration operator-(Duration o) const { return {seconds - o.seconds}; }
};

/// A point of simulated time, in whole seconds since the scenario start.
struct Time {
  std::int64_t seconds = 0;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads the defaulted comparison
  constexpr auto operator<=>(const Time&) const = default;
  constexpr Time operator+(Duration d) const { return {seconds + d.seconds}; }
  constexpr Duration operator-(Time o) const { return {seconds - o.seconds}; }
};

constexpr Duration seconds(std::int64_t n) { return {n}; }
constexpr Duration hours(std::int64_t n) { return {n * kSecondsPerHour}; }
constexpr Duration days(std::int64_t n) { return {n * kSecondsPerDay}; }
constexpr double to_hours(Duration d) {
  return static_cast<double>(d.seconds) / static_cast<double>(kSecondsPerHour);
}
/// A count of (GPU-)seconds in hours.
constexpr double to_hours(std::int64_t seconds) { return to_hours(Duration{seconds}); }

}  // namespace aidc::sim
