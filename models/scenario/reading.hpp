#pragma once
// The readers of the sections of a scenario file, shared by the files of models/scenario/:
// spans and catalog entries (scenario.cpp, catalog.cpp), the fleet (fleet.cpp), the
// workloads and the policy (workloads.cpp), and the rentals' price elasticity (elasticity.cpp).

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "aidc/distribution/distribution.hpp"
#include "aidc/scenario/param_reader.hpp"
#include "aidc/scenario/scenario.hpp"

namespace aidc::reading {

using nlohmann::json;

inline constexpr double kInf = std::numeric_limits<double>::infinity();
inline constexpr double kH100Bf16Tflops = 989.0;

/// The simulated time of midnight on `d`, from `start`.
inline sim::Time time_of(Date start, Date d) {
  return sim::Time{(d - start).count() * sim::kSecondsPerDay};
}

/// `d` plus whole calendar months; the day is clamped to the month's end (Jan 31 + 1 mo = Feb 28).
Date add_months(Date d, int n);

/// A span given as "5y", "90d", "6w", "36h" or a number of hours, from `from`; years are
/// calendar years, so "1y" from 2028-01-01 is 366 days.
std::optional<sim::Duration> read_span(const ParamReader& r, std::string_view key, Date from);
/// A request's patience: a fixed number of hours (0, or +inf), or a distribution of them.
struct Patience {
  double hours = 0;
  std::shared_ptr<const Distribution> distribution;
};
/// "inf", a number of hours >= 0, or a distribution of hours (an object with "dist").
Patience read_patience(const ParamReader& r);
/// The number at `key`, or nullopt when it is absent, null or not a number.
std::optional<double> optional_number(const json& entry, const char* key);

/// Reads one catalog entry (built-in merged with the scenario's override).
GpuType read_gpu(const ParamReader& r, const std::string& id);

/// The pools a workload may use: its "pools" list (ids), else every pool.
std::vector<std::size_t> read_pool_list(const ParamReader& w,
                                        const std::map<std::string, std::size_t>& pool_index,
                                        std::size_t pool_count);
/// A pool, or a purchase that becomes a pool when it is delivered.
void read_pool(const ParamReader& p, Scenario& s, const std::vector<std::string>& gpu_ids,
               std::map<std::string, std::size_t>& pool_index, bool purchase);

/// An inference workload (models/scenario/inference.cpp).
InferenceSpec read_inference(const ParamReader& w, const Scenario& s,
                             const std::map<std::string, std::size_t>& pool_index,
                             std::set<std::string>& ids);
/// The checks of an "api" workload against the policy and the api workloads read before it.
void check_api_workload(const ParamReader& w, const Scenario& s, const InferenceSpec& k);

/// fleet.sites (sites.cpp); the GPUs that `mw` megawatts at the meter power on `site`; and
/// the check of every site's budget against the pools in service at once.
void read_sites(const ParamReader& fleet, Scenario& s);
std::int64_t gpus_for_mw(const ParamReader& p, const Scenario& s, const std::string& gpu,
                         const std::string& site, double mw);
void check_site_power(const ParamReader& fleet, Scenario& s);

/// The canonical order (canonical.cpp): pools by id, once the fleet is read (`pool_index`
/// follows); then streams, contracts, campaigns (their `after` remapped) and inference
/// workloads by id, once everything that refers to them by position is read.
void sort_pools_by_id(Scenario& s, std::map<std::string, std::size_t>& pool_index);
void sort_workloads_by_id(Scenario& s);

/// A job stream's "arrivals" (arrivals.cpp): its piecewise-constant rate from t = 0, with
/// its "diurnal" and "weekly" factors expanded into hour-long segments over the horizon.
/// `profile_segments` counts the expanded segments of the scenario's streams, which
/// kMaxProfileSegments bounds.
std::vector<RateSegment> read_arrivals(const ParamReader& w, const Scenario& s,
                                       std::size_t& profile_segments);

void read_policy(const ParamReader& root, Scenario& s, const std::vector<std::string>& gpu_ids);
void read_workloads(const ParamReader& root, Scenario& s,
                    const std::map<std::string, std::size_t>& pool_index);
/// Scales the arrival rates of rental streams with a "price_elasticity" by (price /
/// reference)^elasticity, cut where the class's price steps; after "finance" is read
/// (elasticity.cpp).
void apply_price_elasticity(const ParamReader& root, Scenario& s);

}  // namespace aidc::reading
