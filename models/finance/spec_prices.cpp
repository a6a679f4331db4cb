// The prices of a scenario's "finance" section: the pricing model of each class, the revenue
// share, the checks that the models cover what they must price, and the cuts of the run where
// a price steps.

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>

#include "ledger.hpp"
#include "spec_parts.hpp"

namespace aidc::finance {

using nlohmann::json;

namespace {

void read_class_prices(const ParamReader& f, const Scenario& s, FinanceSpec& spec) {
  if (f.has("prices")) {
    const ParamReader prices = f.child("prices");
    if (!prices.expect_object()) return;
    std::vector<std::string> names;
    for (std::size_t c = 0; c < kClassCount; ++c)
      names.emplace_back(class_name(static_cast<WorkClass>(c)));
    prices.allow_only(names);
    for (std::size_t c = 0; c < kClassCount; ++c) {
      if (!prices.has(names[c])) continue;
      const ParamReader one = prices.child(names[c]);
      auto model = pricing_models().make(one);
      if (model) model->bind(s, static_cast<WorkClass>(c), one);
      spec.prices[c] = std::move(model);
      if (!spec.prices[c]) continue;
      const bool tokens = spec.prices[c]->token_prices(Date{}, sim::Time{}).has_value();
      if (c == index(WorkClass::api) && !tokens) {
        prices.error(names[c],
                     "model access is billed by the token (expected \"model\": "
                     "\"tokens\")");
      } else if (c != index(WorkClass::api) && !spec.prices[c]->prices_gpu_hours()) {
        prices.error(names[c],
                     "a token price for GPU-hours needs the tokens/s one H100 serves "
                     "(expected \"tokens_per_second_per_gpu\")");
      }
    }
    return;
  }
  // By default outside customers pay the catalog's list prices.
  const json fixed = {{"model", "fixed"}};
  Diagnostics none(f.diagnostics().file());
  for (const auto c : {WorkClass::reserved, WorkClass::on_demand, WorkClass::spot}) {
    spec.prices[static_cast<std::size_t>(c)] = pricing_models().make(ParamReader(fixed, "", none));
  }
}

}  // namespace

void read_prices(const ParamReader& f, const Scenario& s, FinanceSpec& spec) {
  read_class_prices(f, s, spec);
  if (s.sells_tokens() && !spec.prices[index(WorkClass::api)]) {
    f.error("prices",
            "missing \"api\": the scenario sells model access, so its token prices "
            "must be stated (expected {\"api\": {\"model\": \"tokens\", ...}})");
  }
}

void read_revenue_share(const ParamReader& share, FinanceSpec& spec) {
  if (!share.expect_object()) return;
  share.allow_only({"fraction", "classes", "description"});
  spec.revenue_share_fraction = share.required_number("fraction", Bound::fraction);
  if (!share.has("classes")) return;
  spec.revenue_share_classes.fill(false);
  for (const auto& item : share.array("classes", true)) {
    const std::string name = item.node().is_string() ? item.node().get<std::string>() : "";
    bool found = false;
    for (std::size_t c = 0; c < kClassCount; ++c) {
      if (name == class_name(static_cast<WorkClass>(c))) {
        spec.revenue_share_classes[c] = true;
        found = true;
      }
    }
    if (!found) item.error("", fmt::format("unknown class (got {})", brief(item.node())));
  }
}

void check_impairment_prices(const ParamReader& f, const Scenario& s, const FinanceSpec& spec) {
  // The impairment test projects each owned pool's cash flows at the on-demand price.
  const auto& on_demand = spec.prices[index(WorkClass::on_demand)];
  if (spec.impairment != ImpairmentStandard::none && on_demand) {
    for (std::size_t p = 0; p < s.pools.size(); ++p) {
      const auto& pool = s.pools[p];
      if (spec.pool_lease_usd_per_gpu_hour[p]) continue;  // leased: not tested
      const auto type = s.catalog.find(pool.gpu);
      if (type == s.catalog.end() || on_demand->prices(type->second)) continue;
      f.error("impairment", fmt::format("the impairment test prices pool \"{}\" at the on-demand "
                                        "price, which has no index for \"{}\" (expected an "
                                        "index or a proxy_gpu for it in prices.on_demand)",
                                        pool.id, pool.gpu));
      break;
    }
  }
}

void cut_at_price_steps(const Scenario& s, FinanceSpec& spec) {
  // The run is cut where a price steps, so revenue over each piece uses one price, and at
  // each fiscal year's end, so each piece belongs to one fiscal year.
  auto cut = [&](sim::Time t) {
    if (t > s.warmup && t < s.horizon) spec.price_changes.push_back(t);
  };
  const Date end = s.date_of(s.horizon) + std::chrono::days{1};
  for (const auto& model : spec.prices) {
    if (!model) continue;
    for (const Date d : model->change_dates(s.start, end)) cut(finance::time_at(s, d));
  }
  for (const auto& [t, usd] : spec.energy_changes) cut(t);
  const FiscalCalendar& cal = spec.tax.calendar;
  for (int y = cal.year_of(s.start); cal.begin(y) <= end; ++y) cut(finance::time_at(s, cal.end(y)));
  std::sort(spec.price_changes.begin(), spec.price_changes.end());
  spec.price_changes.erase(std::unique(spec.price_changes.begin(), spec.price_changes.end()),
                           spec.price_changes.end());
}

}  // namespace aidc::finance
