// Sites and their power: a site may have a power budget (MW, at the meter: the GPUs' server
// power times the site's PUE); pools may be bought by the megawatt; a fleet whose pools in
// service at once would draw more than the budget is refused.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "limits.hpp"
#include "reading.hpp"

namespace aidc::reading {

void read_sites(const ParamReader& fleet, Scenario& s) {
  if (!fleet.has("sites")) return;
  const ParamReader sites = fleet.child("sites");
  if (!sites.expect_object()) return;
  for (const auto& [id, node] : sites.node().items()) {
    const ParamReader site = sites.child(id);
    if (!site.expect_object()) continue;
    site.allow_only({"power_mw", "pue", "description"});
    SiteSpec spec;
    spec.id = id;
    if (site.has("power_mw")) spec.power_mw = site.number("power_mw", 0.0, Bound::positive);
    if (site.has("pue")) {
      spec.pue = site.number("pue", 1.0, Bound::positive);
      if (*spec.pue < 1)
        site.error("pue", fmt::format("out of range (got {}, expected 1 or more)", *spec.pue));
    }
    s.sites.push_back(spec);
  }
}

std::int64_t gpus_for_mw(const ParamReader& p, const Scenario& s, const std::string& gpu,
                         const std::string& site, double mw) {
  const auto it =
      std::find_if(s.sites.begin(), s.sites.end(), [&](const SiteSpec& x) { return x.id == site; });
  if (it == s.sites.end() || !it->pue) {
    p.error("mw", fmt::format("site \"{}\" has no \"pue\" in /fleet/sites (expected one, to turn "
                              "megawatts at the meter into GPUs)",
                              site));
    return 0;
  }
  const auto type = s.catalog.find(gpu);
  if (type == s.catalog.end()) return 0;  // reported with "gpu"
  if (!type->second.server_power_kw) {
    p.error("mw", fmt::format("GPU type \"{}\" has no server_power_kw in the catalog (expected "
                              "one, to turn megawatts into GPUs)",
                              gpu));
    return 0;
  }
  const double per_gpu_kw = *type->second.server_power_kw * *it->pue;
  const double gpus = std::floor(mw * 1000.0 / per_gpu_kw + 1e-9);
  if (!within(p, "mw", gpus, 0, static_cast<double>(kMaxGpus),
              fmt::format("megawatts that power at most {} GPUs", kMaxGpus))) {
    return 0;
  }
  return static_cast<std::int64_t>(gpus);
}

void check_site_power(const ParamReader& fleet, Scenario& s) {
  for (auto& site : s.sites) {
    // The draw steps only where a pool enters or leaves service: check each such instant.
    std::vector<sim::Time> times;
    for (const auto& pool : s.pools) {
      if (pool.site == site.id) times.push_back(pool.in_service);
    }
    const double pue = site.pue.value_or(1.0);
    for (const sim::Time t : times) {
      double kw = 0;
      std::vector<std::string> ids;
      for (const auto& pool : s.pools) {
        if (pool.site != site.id || pool.in_service > t || pool.retire <= t) continue;
        const auto type = s.catalog.find(pool.gpu);
        if (type == s.catalog.end() || !type->second.server_power_kw) continue;
        kw += static_cast<double>(pool.count) * *type->second.server_power_kw * pue;
        ids.push_back(pool.id);
      }
      if (kw / 1000.0 > site.peak_mw) {
        site.peak_mw = kw / 1000.0;
        site.peak_at = t;
        site.peak_pools = ids;
      }
    }
    if (site.power_mw && site.peak_mw > *site.power_mw + 1e-9) {
      fleet.child("sites").child(site.id).error(
          "power_mw",
          fmt::format("the pools in service on {} ({}) draw {:.3f} MW at the meter (expected at "
                      "most the budget of {} MW)",
                      format_date(s.date_of(site.peak_at)), fmt::join(site.peak_pools, ", "),
                      site.peak_mw, *site.power_mw));
    }
  }
}

}  // namespace aidc::reading
