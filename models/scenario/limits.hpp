#pragma once
// The ranges the loader accepts, chosen so that the simulation's integer arithmetic (whole
// seconds, GPU-seconds) cannot overflow over the whole horizon: the largest fleet (kMaxGpus)
// busy for the longest horizon (kMaxYears) is 1e8 x 3.16e9 s = 3.2e17 GPU-seconds, 29 times
// below the int64 limit (9.2e18). docs/scenario-reference.md gives the same table.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "aidc/scenario/param_reader.hpp"
#include "aidc/scenario/scenario.hpp"

namespace aidc::reading {

/// Dates: from 1900-01-01 to 2200-12-31.
inline constexpr int kMinYear = 1900;
inline constexpr int kMaxYear = 2200;
/// The horizon, the warmup, a pool's life: at most 100 years.
inline constexpr double kMaxYears = 100;
/// Whole days (a purchase's lead time, a contract's term): at most 100 years of days.
inline constexpr std::int64_t kMaxDays = 36525;
/// A contract's renewals.
inline constexpr std::int64_t kMaxRenewals = 1000;
/// GPUs: in a pool, in the whole fleet, in a job, a campaign or a contract.
inline constexpr std::int64_t kMaxGpus = 100'000'000;
/// Any duration given in hours (durations, patience, checkpoints, notices): 100 years.
inline constexpr double kMaxHours = 876'600;
/// The arrivals of one stream, per hour.
inline constexpr double kMaxPerHour = 1e6;
/// The hour-long rate segments that the diurnal and weekly arrival profiles of a scenario's
/// streams expand to, all streams together (16 bytes each: 64 MB). One stream over the
/// longest horizon needs 876,600.
inline constexpr std::size_t kMaxProfileSegments = 4'000'000;
/// The engine counts whole seconds: a reconcile period below one second cannot be kept.
inline constexpr double kMinReconcileHours = 1.0 / 3600.0;
/// Any other number: at most 1e15 in magnitude (and finite).
inline constexpr double kMaxMagnitude = 1e15;

/// Records "out of range (got X, expected RANGE)" at `key` unless lo <= value <= hi.
bool within(const ParamReader& r, std::string_view key, double value, double lo, double hi,
            std::string_view range);

/// Plans that cannot happen (plans.cpp): a campaign or a job larger than what it may use, a
/// contract whose pools are never in service while it lasts. Run on a scenario read without
/// problems, so its lists match the document's.
void check_plans(const ParamReader& root, const Scenario& s);
/// Warnings of plans that may be meant: a workload whose pools are never in service.
void plan_warnings(const Scenario& s, std::vector<Diagnostic>& out);

/// Checks the numbers of the workloads and the policy against the table of ranges.cpp.
void check_ranges(const ParamReader& root);

}  // namespace aidc::reading
