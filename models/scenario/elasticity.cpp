// Rental demand that answers to price: a stream's "price_elasticity" multiplies its arrival
// rate by (price / reference)^elasticity. Applied once the prices are known (after
// "finance" is read) by cutting the stream's rate segments where the price steps, so the
// simulation sees an ordinary piecewise-constant rate.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <set>

#include "aidc/pricing/pricing.hpp"
#include "reading.hpp"

namespace aidc::reading {

namespace {

/// What a stream's "price_elasticity" says, once checked.
struct ElasticitySpec {
  double elasticity = 0;
  std::optional<double> reference_usd;  // unset: the class price's market index
  const GpuType* gpu = nullptr;
  const PricingModel* model = nullptr;
};

/// The GPU types of the pools the stream may use (its pools whose type the policy allows for
/// its class), sorted.
std::vector<std::string> eligible_types(const Scenario& s, const RentalSpec& r) {
  std::set<std::string> types;
  for (const std::size_t p : r.pools) {
    // A type missing from the catalog is reported at its pool.
    const std::string& gpu = s.pools[p].gpu;
    if (s.catalog.count(gpu) && s.policy.allows(r.work_class, gpu)) types.insert(gpu);
  }
  return {types.begin(), types.end()};
}

/// Reads and checks one stream's "price_elasticity"; nullopt (with problems recorded) when
/// it cannot be applied.
std::optional<ElasticitySpec> read_elasticity(const ParamReader& e, const ParamReader& root,
                                              const Scenario& s, const RentalSpec& r) {
  if (!e.expect_object()) return std::nullopt;
  const std::size_t before = e.diagnostics().items().size();
  e.allow_only({"elasticity", "reference_usd_per_gpu_hour", "gpu", "description"});
  e.string("description", "");
  ElasticitySpec out;
  out.elasticity = e.required_number("elasticity");
  if (e.has("elasticity") && e.node().at("elasticity").is_number() && out.elasticity > 0) {
    e.error("elasticity", fmt::format("out of range (got {}, expected a number <= 0: demand falls "
                                      "as the price rises)",
                                      brief(e.node().at("elasticity"))));
  }
  const char* reference_key = "reference_usd_per_gpu_hour";
  if (!e.has(reference_key)) {
    e.error(reference_key, "missing required key (expected a positive price, or \"index\")");
  } else if (e.node().at(reference_key).is_string()) {
    if (e.node().at(reference_key) != "index") {
      e.error(reference_key, fmt::format("unknown value {} (expected a positive price, or "
                                         "\"index\")",
                                         brief(e.node().at(reference_key))));
    }
  } else if (e.node().at(reference_key).is_number()) {
    out.reference_usd = e.number(reference_key, 1.0, Bound::positive);
  } else {
    e.error(reference_key, fmt::format("wrong type (got {}, expected a positive price, or "
                                       "\"index\")",
                                       brief(e.node().at(reference_key))));
  }

  const auto eligible = eligible_types(s, r);
  std::string gpu;
  if (e.has("gpu")) {
    gpu = e.string("gpu", "");
    if (!e.node().at("gpu").is_string()) {
      gpu.clear();
    } else if (!s.catalog.count(gpu)) {
      std::vector<std::string> ids;
      for (const auto& [id, type] : s.catalog) ids.push_back(id);
      const std::string guess = nearest(gpu, ids);
      e.error("gpu",
              fmt::format("unknown GPU type \"{}\" (expected a catalog id){}", gpu,
                          guess.empty() ? "" : fmt::format("; did you mean \"{}\"?", guess)));
      gpu.clear();
    } else if (std::find(eligible.begin(), eligible.end(), gpu) == eligible.end()) {
      e.error("gpu", fmt::format(
                         "GPU type \"{}\" is not eligible for stream \"{}\" (expected one "
                         "of its pools' types the policy allows: {})",
                         gpu, r.id,
                         eligible.empty() ? "none" : fmt::format("{}", fmt::join(eligible, ", "))));
      gpu.clear();
    }
  } else if (eligible.size() == 1) {
    gpu = eligible.front();
  } else if (eligible.empty()) {
    e.error("", fmt::format("stream \"{}\" has no eligible pool, so no price to answer to", r.id));
  } else {
    e.error("gpu", fmt::format("missing required key: the eligible pools of stream \"{}\" have "
                               "more than one GPU type (expected one of: {})",
                               r.id, fmt::join(eligible, ", ")));
  }
  if (!gpu.empty()) out.gpu = &s.catalog.at(gpu);

  // The stream's class must be priced (finance.prices.<class>, or the default list prices).
  const std::string name = class_name(r.work_class);
  out.model = s.quotes[index(r.work_class)].get();
  const bool given = root.has("finance") && root.node().at("finance").is_object() &&
                     root.node().at("finance").contains("prices") &&
                     root.node().at("finance").at("prices").is_object() &&
                     root.node().at("finance").at("prices").contains(name);
  if (!out.model && !given) {  // a price that was given but failed to load is reported there
    e.error("",
            root.has("finance")
                ? fmt::format("the class \"{}\" of stream \"{}\" has no price (expected "
                              "\"finance\": {{\"prices\": {{\"{}\": ...}}}})",
                              name, r.id, name)
                : fmt::format("the class \"{}\" of stream \"{}\" has no price: the scenario has "
                              "no \"finance\" section (expected \"finance\": {{\"prices\": "
                              "{{\"{}\": ...}}}})",
                              name, r.id, name));
  }
  // A model is asked for its index only when nothing is wrong so far: a market index with a
  // problem of its own (one that begins after the start, say) has no value to give.
  if (out.model && out.gpu && !out.reference_usd && e.has(reference_key) &&
      e.diagnostics().empty() &&
      !out.model->index_usd_per_gpu_hour(s.start, sim::Time{}, *out.gpu)) {
    e.error(reference_key,
            fmt::format("\"index\" needs the price of class \"{}\" to follow a market index "
                        "(expected \"model\": \"market_index\" at /finance/prices/{}, or a "
                        "positive price)",
                        name, name));
  }
  if (e.diagnostics().items().size() != before || !out.model || !out.gpu) return std::nullopt;
  return out;
}

/// Cuts the stream's rate segments at every price change inside the run and multiplies each
/// by (price / reference)^elasticity at its start.
void scale_arrivals(const ParamReader& e, const Scenario& s, RentalSpec& r,
                    const ElasticitySpec& spec) {
  if (r.arrivals.empty()) return;
  std::vector<sim::Time> starts;
  for (const auto& seg : r.arrivals) starts.push_back(seg.from);
  const Date end = s.date_of(s.horizon) + std::chrono::days{1};
  for (const Date d : spec.model->change_dates(s.start, end)) {
    const sim::Time t = time_of(s.start, d);
    if (t > sim::Time{} && t < s.horizon) starts.push_back(t);
  }
  std::sort(starts.begin(), starts.end());
  starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
  const double list = list_price(*spec.gpu, r.work_class);
  std::vector<RateSegment> out;
  std::size_t base = 0;  // the segment of r.arrivals in force at t
  for (const sim::Time t : starts) {
    while (base + 1 < r.arrivals.size() && r.arrivals[base + 1].from <= t) ++base;
    const double price = spec.model->usd_per_gpu_hour(s.start, t, *spec.gpu, list);
    const double reference = spec.reference_usd
                                 ? *spec.reference_usd
                                 : *spec.model->index_usd_per_gpu_hour(s.start, t, *spec.gpu);
    if (!(price > 0)) {
      e.error("", fmt::format("the {} price of {} is {} on {} (expected a positive price to "
                              "scale demand by)",
                              class_name(r.work_class), spec.gpu->id, price,
                              format_date(s.date_of(t))));
      return;
    }
    out.push_back({t, r.arrivals[base].per_hour * std::pow(price / reference, spec.elasticity)});
  }
  r.arrivals = std::move(out);
}

}  // namespace

void apply_price_elasticity(const ParamReader& root, Scenario& s) {
  if (!root.has("workloads") || !root.node().at("workloads").is_object()) return;
  const ParamReader work = root.child("workloads");
  if (!work.has("rentals") || !work.node().at("rentals").is_array()) return;
  const ParamReader rentals = work.child("rentals");
  // Rental streams were read first, one per object of the array, in order.
  std::size_t k = 0;
  for (std::size_t i = 0; i < rentals.size() && k < s.rentals.size(); ++i) {
    const ParamReader w = rentals.at(i);
    if (!w.node().is_object()) continue;
    RentalSpec& r = s.rentals[k++];
    if (!w.has("price_elasticity")) continue;
    const ParamReader e = w.child("price_elasticity");
    const auto spec = read_elasticity(e, root, s, r);
    // Prices are evaluated only for a scenario that loads: a model with a problem of its
    // own (an index that begins too late, say) cannot be asked for a price.
    if (spec && root.diagnostics().empty()) scale_arrivals(e, s, r, *spec);
  }
}

}  // namespace aidc::reading
