// The fleet of a scenario file: pools, and purchases that become pools when delivered.

#include "limits.hpp"
#include "reading.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace aidc::reading {

/// The pools a workload may use: its "pools" list (ids), else every pool.
std::vector<std::size_t> read_pool_list(const ParamReader& w,
                                        const std::map<std::string, std::size_t>& pool_index,
                                        std::size_t pool_count) {
  std::vector<std::size_t> out;
  if (!w.has("pools")) {
    for (std::size_t i = 0; i < pool_count; ++i) out.push_back(i);
    return out;
  }
  std::vector<std::string> ids;
  ids.reserve(pool_index.size());
  for (const auto& [id, index] : pool_index) ids.push_back(id);
  for (const auto& item : w.array("pools", true)) {
    const std::string id = item.node().is_string() ? item.node().get<std::string>() : "";
    const auto it = pool_index.find(id);
    if (it == pool_index.end()) {
      const std::string guess = nearest(id, ids);
      item.error("",
                 fmt::format("unknown pool (got {}, expected a pool id){}", brief(item.node()),
                             guess.empty() ? "" : fmt::format("; did you mean \"{}\"?", guess)));
    } else {
      out.push_back(it->second);
    }
  }
  return out;
}

void read_pool(const ParamReader& p, Scenario& s, const std::vector<std::string>& gpu_ids,
               std::map<std::string, std::size_t>& pool_index, bool purchase) {
  if (!p.expect_object()) return;
  if (purchase) {
    p.allow_only({"id", "gpu", "count", "mw", "site", "ordered", "lead_time_days", "retire",
                  "life_years", "description"});
  } else {
    p.allow_only(
        {"id", "gpu", "count", "mw", "site", "in_service", "retire", "life_years", "description"});
  }
  PoolSpec pool;
  pool.id = p.id("id");
  pool.gpu = p.required_string("gpu");
  pool.site = p.string("site", "default");
  if (p.has("count") == p.has("mw")) {
    p.error("", "expected exactly one of \"count\" (GPUs) and \"mw\" (megawatts at the meter)");
  } else if (p.has("count")) {
    pool.count = p.required_integer("count", Bound::non_negative);
    if (!within(p, "count", static_cast<double>(pool.count), 0, static_cast<double>(kMaxGpus),
                fmt::format("a whole number from 0 to {}", kMaxGpus))) {
      pool.count = 0;
    }
  } else {
    pool.count = gpus_for_mw(p, s, pool.gpu, pool.site, p.number("mw", 0.0, Bound::positive));
  }
  if (pool.id == "(entity)") {
    p.error("id", "reserved (got \"(entity)\", the name of timeseries.csv's entity rows)");
  }
  if (!pool.id.empty() && !pool_index.emplace(pool.id, s.pools.size()).second) {
    p.error("id", fmt::format("duplicate pool id \"{}\"", pool.id));
  }
  if (p.has("gpu") && p.node().at("gpu").is_string() && !s.catalog.count(pool.gpu)) {
    const std::string guess = nearest(pool.gpu, gpu_ids);
    p.error("gpu", fmt::format("unknown GPU type \"{}\"{} (expected a catalog id: {})", pool.gpu,
                               guess.empty() ? "" : fmt::format("; did you mean \"{}\"?", guess),
                               fmt::join(gpu_ids, ", ")));
  }
  Date in_service = s.start;
  Date ordered = s.start;
  if (purchase) {
    // A purchase enters service when it is delivered: order date plus lead time.
    ordered = read_date(p, "ordered", true).value_or(s.start);
    auto lead = p.integer("lead_time_days", 0, Bound::non_negative);
    if (!within(p, "lead_time_days", static_cast<double>(lead), 0, static_cast<double>(kMaxDays),
                fmt::format("a whole number of days from 0 to {} (100 years)", kMaxDays))) {
      lead = 0;
    }
    in_service = ordered + std::chrono::days{lead};
  } else {
    in_service = read_date(p, "in_service").value_or(s.start);
    ordered = in_service;
  }
  pool.acquired = time_of(s.start, in_service);
  pool.ordered = time_of(s.start, ordered);
  pool.in_service = std::max(sim::Time{}, pool.acquired);
  pool.retire = sim::Time{std::numeric_limits<std::int64_t>::max()};
  if (p.has("retire") && p.has("life_years")) {
    p.error("life_years", "give either \"retire\" or \"life_years\", not both");
  } else if (p.has("retire")) {
    if (auto retire = read_date(p, "retire")) {
      if (*retire <= in_service) {
        p.error("retire", fmt::format("dates out of order (got retire {}, expected after "
                                      "in_service {})",
                                      format_date(*retire), format_date(in_service)));
      }
      pool.retire = time_of(s.start, *retire);
    }
  } else if (p.has("life_years")) {
    const double life = p.number("life_years", 0, Bound::positive);
    if (life > 0 && within(p, "life_years", life, 0, kMaxYears,
                           fmt::format("a positive number of years up to {}", kMaxYears))) {
      const auto life_days = static_cast<std::int64_t>(std::llround(life * sim::kDaysPerYear));
      pool.retire = time_of(s.start, in_service + std::chrono::days{life_days});
    }
  }
  // The fleet as a whole: its GPU-seconds over the horizon must fit the integer arithmetic.
  std::int64_t total = pool.count;
  for (const auto& other : s.pools) total += other.count;
  if (total > kMaxGpus && pool.count > 0) {
    p.error(p.has("count") ? "count" : "mw",
            fmt::format("out of range (got a fleet of {} GPUs with this pool, expected at most {} "
                        "GPUs in all pools and purchases)",
                        total, kMaxGpus));
    pool.count = 0;
  }
  s.pools.push_back(pool);
}

}  // namespace aidc::reading
