#include "aidc/pricing/pricing.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>

#include "aidc/scenario/scenario.hpp"
#include "register.hpp"

namespace aidc {

namespace {

using std::chrono::sys_days;

/// A price given in the scenario, or else the catalog's list price.
double base_price(const std::optional<double>& given, double list) { return given ? *given : list; }

std::optional<double> read_base(const ParamReader& p) {
  if (!p.has("usd_per_gpu_hour")) return std::nullopt;
  return p.number("usd_per_gpu_hour", 0.0, Bound::non_negative);
}

sim::Time time_at(sys_days start, sys_days d) {
  return sim::Time{(d - start).count() * sim::kSecondsPerDay};
}

/// One price for the whole run.
class Fixed final : public PricingModel {
 public:
  explicit Fixed(std::optional<double> usd) : usd_(usd) {}
  double usd_per_gpu_hour(sys_days, sim::Time, const GpuType&, double list) const override {
    return base_price(usd_, list);
  }
  std::vector<sys_days> change_dates(sys_days, sys_days) const override { return {}; }

 private:
  std::optional<double> usd_;
};

struct Step {
  sys_days from;
  double factor;
};

/// Reads [{"from": date, "factor": x, "label": text}, ...] in date order.
std::vector<Step> read_steps(const ParamReader& p, const char* key) {
  std::vector<Step> steps;
  for (const auto& d : read_dated_values(p, key, "factor", Bound::positive, {"label"})) {
    steps.push_back({d.from, d.value});
  }
  return steps;
}

/// The base price times every step in force: for example +15% from a date.
class Schedule final : public PricingModel {
 public:
  Schedule(std::optional<double> usd, std::vector<Step> steps)
      : usd_(usd), steps_(std::move(steps)) {}
  double usd_per_gpu_hour(sys_days start, sim::Time t, const GpuType&, double list) const override {
    double price = base_price(usd_, list);
    for (const auto& s : steps_) {
      if (t >= time_at(start, s.from)) price *= s.factor;
    }
    return price;
  }
  std::vector<sys_days> change_dates(sys_days, sys_days) const override {
    std::vector<sys_days> out;
    for (const auto& s : steps_) out.push_back(s.from);
    return out;
  }

 private:
  std::optional<double> usd_;
  std::vector<Step> steps_;
};

/// Whole calendar months from the month of `start` to the month of the day at `t`.
int months_since(sys_days start, sim::Time t) {
  const auto day = start + std::chrono::days{t.seconds / sim::kSecondsPerDay};
  const std::chrono::year_month_day a{start};
  const std::chrono::year_month_day b{day};
  return (static_cast<int>(b.year()) - static_cast<int>(a.year())) * 12 +
         static_cast<int>(static_cast<unsigned>(b.month())) -
         static_cast<int>(static_cast<unsigned>(a.month()));
}

/// A yearly decline stepped on the first day of each month from the start,
/// (1 - decline)^(months/12), times every dated step in force.
class Decline {
 public:
  Decline(double decline, std::vector<Step> steps) : decline_(decline), steps_(std::move(steps)) {
    if (decline_ >= 1) throw std::invalid_argument("expected decline_per_year below 1");
  }
  /// `price` at `t`: times the decline so far, then times each step in force.
  double apply(double price, sys_days start, sim::Time t) const {
    price *= std::pow(1.0 - decline_, months_since(start, t) / 12.0);
    for (const auto& s : steps_) {
      if (t >= time_at(start, s.from)) price *= s.factor;
    }
    return price;
  }
  std::vector<sys_days> change_dates(sys_days start, sys_days end) const {
    std::vector<sys_days> out;
    if (decline_ > 0) {
      const std::chrono::year_month_day first{start};
      for (int m = 1;; ++m) {
        const sys_days d{(first.year() / first.month() / std::chrono::day{1}) +
                         std::chrono::months{m}};
        if (d >= end) break;
        out.push_back(d);
      }
    }
    for (const auto& s : steps_) out.push_back(s.from);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

 private:
  double decline_;
  std::vector<Step> steps_;
};

/// Falls by `decline_per_year`, stepped on the first day of each month from the start
/// ((1 - decline)^(months/12)), and steps down by `factor` when a newer type launches.
class GenerationalDecay final : public PricingModel {
 public:
  GenerationalDecay(std::optional<double> usd, double decline, std::vector<Step> launches)
      : usd_(usd), decline_(decline, std::move(launches)) {}
  double usd_per_gpu_hour(sys_days start, sim::Time t, const GpuType&, double list) const override {
    return decline_.apply(base_price(usd_, list), start, t);
  }
  std::vector<sys_days> change_dates(sys_days start, sys_days end) const override {
    return decline_.change_dates(start, end);
  }

 private:
  std::optional<double> usd_;
  Decline decline_;
};

/// Model access billed by tokens, USD per million input and output tokens, which may fall by a
/// share a year (stepped monthly) and step on dates. As a price per GPU-hour (internal
/// inference), an hour of a GPU serves tokens_per_second_per_gpu (an H100's) x the type's
/// inference_factor x 3,600 tokens, a share of them output.
class Tokens final : public PricingModel {
 public:
  Tokens(TokenPrices prices, double output_share, std::optional<double> tokens_per_second,
         Decline decline)
      : prices_(prices),
        output_share_(output_share),
        tokens_per_second_(tokens_per_second),
        decline_(std::move(decline)) {}
  double usd_per_gpu_hour(sys_days start, sim::Time t, const GpuType& gpu, double) const override {
    if (!tokens_per_second_) {
      throw std::logic_error("a tokens price per GPU-hour needs tokens_per_second_per_gpu");
    }
    const TokenPrices p = *token_prices(start, t);
    const double tokens = *tokens_per_second_ * gpu.inference_factor * 3600.0;
    const double usd_per_million = (1.0 - output_share_) * p.input + output_share_ * p.output;
    return tokens * usd_per_million / 1e6;
  }
  std::optional<TokenPrices> token_prices(sys_days start, sim::Time t) const override {
    return TokenPrices{decline_.apply(prices_.input, start, t),
                       decline_.apply(prices_.output, start, t)};
  }
  std::vector<sys_days> change_dates(sys_days start, sys_days end) const override {
    return decline_.change_dates(start, end);
  }
  bool prices_gpu_hours() const override { return tokens_per_second_.has_value(); }

 private:
  TokenPrices prices_;
  double output_share_;
  std::optional<double> tokens_per_second_;
  Decline decline_;
};

/// Spot prices that rise as spare capacity falls: base x (1 + (max_multiplier - 1) x u^exponent)
/// at utilization u when a job starts, held for the job. A customer whose willingness to pay
/// is below the quote walks away.
class UtilizationSpot final : public PricingModel {
 public:
  UtilizationSpot(std::optional<double> usd, double max_multiplier, double exponent,
                  std::shared_ptr<const Distribution> wtp)
      : usd_(usd), max_(max_multiplier), exponent_(exponent), wtp_(std::move(wtp)) {
    if (max_ < 1) throw std::invalid_argument("expected max_multiplier of 1 or more");
  }
  bool priced_at_start() const override { return true; }
  double usd_per_gpu_hour(sys_days, sim::Time, const GpuType&, double list) const override {
    return base_price(usd_, list);
  }
  double quote(sys_days, sim::Time, const GpuType&, double list, double utilization,
               double) const override {
    return base_price(usd_, list) * (1.0 + (max_ - 1.0) * std::pow(utilization, exponent_));
  }
  const Distribution* willingness_to_pay() const override { return wtp_.get(); }
  std::vector<sys_days> change_dates(sys_days, sys_days) const override { return {}; }

 private:
  std::optional<double> usd_;
  double max_, exponent_;
  std::shared_ptr<const Distribution> wtp_;
};

/// Reserved contracts: the base price less a discount that grows with the term; the largest
/// discount whose min_term_days the contract's term reaches applies, held for the term.
class Reserved final : public PricingModel {
 public:
  Reserved(std::optional<double> usd, std::vector<std::pair<double, double>> discounts)
      : usd_(usd), discounts_(std::move(discounts)) {}
  bool priced_at_start() const override { return true; }
  // The discounts are off the on-demand price, whatever class the model prices.
  double usd_per_gpu_hour(sys_days, sim::Time, const GpuType& gpu, double) const override {
    return base_price(usd_, list_price(gpu, WorkClass::on_demand));
  }
  double quote(sys_days, sim::Time, const GpuType& gpu, double, double,
               double term_days) const override {
    double discount = 0;
    for (const auto& [min_days, d] : discounts_) {
      if (term_days >= min_days) discount = std::max(discount, d);
    }
    return base_price(usd_, list_price(gpu, WorkClass::on_demand)) * (1.0 - discount);
  }
  std::vector<sys_days> change_dates(sys_days, sys_days) const override { return {}; }

 private:
  std::optional<double> usd_;
  std::vector<std::pair<double, double>> discounts_;
};

Registry<PricingModel> build() {
  Registry<PricingModel> r("pricing model", "model");
  const ParamInfo usd{"usd_per_gpu_hour", "price in USD per GPU-hour", "the catalog's list price"};
  r.add({"fixed", "One price for the whole run.", {usd}, [](const ParamReader& p) {
           return std::make_unique<Fixed>(read_base(p));
         }});
  r.add({"schedule",
         "Dated step changes, e.g. +15% from a date: the base times every factor in force.",
         {usd, {"changes", "[{\"from\": date, \"factor\": x, \"label\": text}] in date order", ""}},
         [](const ParamReader& p) {
           return std::make_unique<Schedule>(read_base(p), read_steps(p, "changes"));
         }});
  r.add({"generational_decay",
         "Falls by a fraction a year (stepped monthly) and steps down when newer types launch.",
         {usd,
          {"decline_per_year", "fraction the price loses a year", ""},
          {"launches", "[{\"from\": date, \"factor\": x}]: steps when a newer type ships", "none"}},
         [](const ParamReader& p) {
           std::vector<Step> launches;
           if (p.has("launches")) launches = read_steps(p, "launches");
           return std::make_unique<GenerationalDecay>(
               read_base(p), p.required_number("decline_per_year", Bound::fraction),
               std::move(launches));
         }});
  r.add({"utilization_spot",
         "Spot prices that rise as spare capacity falls; customers below the quote walk away.",
         {usd,
          {"max_multiplier", "price multiple when every eligible GPU is busy", "3"},
          {"exponent", "how late the price rises: u^exponent", "2"},
          {"willingness_to_pay", "distribution of the most customers would pay, USD/GPU-hour",
           "everyone accepts"}},
         [](const ParamReader& p) {
           std::shared_ptr<const Distribution> wtp;
           if (p.has("willingness_to_pay")) {
             wtp = read_distribution(p, "willingness_to_pay", Bound::non_negative);
           }
           return std::make_unique<UtilizationSpot>(
               read_base(p), p.number("max_multiplier", 3.0, Bound::positive),
               p.number("exponent", 2.0, Bound::positive), wtp);
         }});
  r.add({"reserved",
         "Reserved contracts: a discount by term, held for the term.",
         {{"usd_per_gpu_hour", "price before discount", "the catalog's on-demand list price"},
          {"discounts", "[{\"min_term_days\": d, \"discount\": x}]: the largest reached applies",
           "none"}},
         [](const ParamReader& p) {
           std::vector<std::pair<double, double>> discounts;
           for (const auto& item : p.array("discounts", false)) {
             if (!item.expect_object()) continue;
             item.allow_only({"min_term_days", "discount"});
             discounts.emplace_back(item.required_number("min_term_days", Bound::non_negative),
                                    item.required_number("discount", Bound::fraction));
           }
           return std::make_unique<Reserved>(read_base(p), std::move(discounts));
         }});
  r.add({"tokens",
         "Model access billed by tokens: USD per million input and output tokens, which may fall "
         "by a share a year and step on dates.",
         {{"usd_per_million_input_tokens", "price of a million input tokens", ""},
          {"usd_per_million_output_tokens", "price of a million output tokens", ""},
          {"decline_per_year", "fraction the prices lose a year, stepped monthly", "0"},
          {"changes", "[{\"from\": date, \"factor\": x, \"label\": text}]: dated steps", "none"},
          {"output_token_share", "share of tokens that are output (internal inference only)",
           "0.097 (Azure LLM trace 2023)"},
          {"tokens_per_second_per_gpu",
           "tokens/s one H100 serves, to price an internal inference GPU-hour; other types scale "
           "by inference_factor",
           "required for internal inference; not used for api"}},
         [](const ParamReader& p) {
           std::optional<double> tps;
           if (p.has("tokens_per_second_per_gpu")) {
             tps = p.number("tokens_per_second_per_gpu", 1.0, Bound::positive);
           }
           std::vector<Step> changes;
           if (p.has("changes")) changes = read_steps(p, "changes");
           return std::make_unique<Tokens>(
               TokenPrices{p.required_number("usd_per_million_input_tokens", Bound::non_negative),
                           p.required_number("usd_per_million_output_tokens", Bound::non_negative)},
               p.number("output_token_share", kAzureOutputTokenShare, Bound::fraction), tps,
               Decline(p.number("decline_per_year", 0.0, Bound::fraction), std::move(changes)));
         }});
  register_market_index(r);
  return r;
}

}  // namespace

const Registry<PricingModel>& pricing_models() {
  static const Registry<PricingModel> registry = build();
  return registry;
}

}  // namespace aidc
