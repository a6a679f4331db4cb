// A job stream's arrivals: a constant or dated piecewise-constant Poisson rate, optionally
// shaped by hour-of-day and day-of-week factors. The factors are expanded here into
// hour-long rate segments over the horizon, so the simulation's generator sees an ordinary
// piecewise-constant rate.

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "limits.hpp"
#include "reading.hpp"

namespace aidc::reading {

namespace {

/// `base` times diurnal[hour] x weekly[weekday] in each hour of [0, horizon), hour 0 being
/// 00:00 of `start`; consecutive equal rates are merged. The base segments begin at
/// midnights (schedule dates) or at 0, so each hour lies within one of them.
std::vector<RateSegment> expand_profile(const std::vector<RateSegment>& base,
                                        const std::vector<double>& diurnal,
                                        const std::vector<double>& weekly, Date start,
                                        sim::Time horizon) {
  std::vector<RateSegment> out;
  const unsigned first_weekday = std::chrono::weekday{start}.iso_encoding() - 1;  // 0 = Monday
  std::size_t seg = 0;
  for (std::int64_t hour = 0; hour * sim::kSecondsPerHour < horizon.seconds; ++hour) {
    const sim::Time t{hour * sim::kSecondsPerHour};
    while (seg + 1 < base.size() && base[seg + 1].from <= t) ++seg;
    const auto hour_of_day = static_cast<std::size_t>(hour % 24);
    const auto weekday = static_cast<std::size_t>((first_weekday + hour / 24) % 7);
    const double rate = base[seg].per_hour * diurnal[hour_of_day] * weekly[weekday];
    if (out.empty() || out.back().per_hour != rate) out.push_back({t, rate});
  }
  return out;
}

}  // namespace

std::vector<RateSegment> read_arrivals(const ParamReader& w, const Scenario& s,
                                       std::size_t& profile_segments) {
  std::vector<RateSegment> out;
  if (!w.has("arrivals")) {
    w.error("arrivals",
            "missing required key (expected {\"per_hour\": N} or {\"schedule\": [...]})");
    return out;
  }
  const ParamReader a = w.child("arrivals");
  if (!a.expect_object()) return out;
  a.allow_only({"per_hour", "schedule", "diurnal", "weekly"});
  if (a.has("per_hour") == a.has("schedule")) {
    a.error("", "expected exactly one of \"per_hour\" and \"schedule\"");
  } else if (a.has("per_hour")) {
    out.push_back({sim::Time{}, a.number("per_hour", 0, Bound::non_negative)});
  } else {
    for (const auto& seg : read_dated_values(a, "schedule", "per_hour", Bound::non_negative)) {
      out.push_back({std::max(sim::Time{}, time_of(s.start, seg.from)), seg.value});
    }
    if (out.empty()) {
      if (a.node().at("schedule").is_array()) {
        a.error("schedule", "expected at least one {\"from\", \"per_hour\"} entry");
      }
    } else if (out.front().from.seconds > 0) {
      out.insert(out.begin(), RateSegment{sim::Time{}, 0.0});
    }
  }
  if (!a.has("diurnal") && !a.has("weekly")) return out;

  const std::size_t before = a.diagnostics().items().size();
  const std::vector<double> diurnal = a.profile("diurnal", 24, "hour 0..23");
  const std::vector<double> weekly = a.profile("weekly", 7, "day Monday..Sunday");
  if (out.empty() || a.diagnostics().items().size() != before || s.horizon.seconds <= 0) {
    return out;
  }
  // The peak rate of the expansion stays within the range of a stated rate.
  double peak_base = 0;
  for (const auto& seg : out) peak_base = std::max(peak_base, seg.per_hour);
  if (peak_base > kMaxPerHour) return out;  // the stated rate is out of range (ranges.cpp)
  const double peak = peak_base * *std::max_element(diurnal.begin(), diurnal.end()) *
                      *std::max_element(weekly.begin(), weekly.end());
  if (peak > kMaxPerHour) {
    a.error("", fmt::format("out of range: with its diurnal and weekly factors the rate peaks at "
                            "{:.6g} arrivals an hour (expected at most {:g})",
                            peak, kMaxPerHour));
    return out;
  }
  std::vector<RateSegment> hourly = expand_profile(out, diurnal, weekly, s.start, s.horizon);
  profile_segments += hourly.size();
  if (profile_segments > kMaxProfileSegments) {
    a.error("", fmt::format("the diurnal and weekly profiles of the scenario's streams expand to "
                            "{} hourly rate segments over the horizon with this one (expected at "
                            "most {}, about {} MB; one stream over 100 years needs 876,600): "
                            "shorten the horizon or drop a profile",
                            profile_segments, kMaxProfileSegments,
                            kMaxProfileSegments * sizeof(RateSegment) / 1'000'000));
    return out;
  }
  return hourly;
}

}  // namespace aidc::reading
