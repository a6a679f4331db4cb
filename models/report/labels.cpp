// What a reader sees of a number: a metric's name and unit, amounts in $K/$M/$B, and value
// axes whose ticks the report chooses itself, so no two ticks read the same.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <regex>

#include "aidc/report/charts.hpp"

namespace aidc::report {

using json = nlohmann::json;

namespace {

std::string capitalized(std::string text) {
  if (!text.empty() && text[0] >= 'a' && text[0] <= 'z') text[0] = static_cast<char>(text[0] - 32);
  return text;
}

std::string spaced(std::string text) {
  std::replace(text.begin(), text.end(), '_', ' ');
  return text;
}

const std::map<std::string, MetricInfo>& known_metrics() {
  static const std::map<std::string, MetricInfo> table{
      {"finance_npv_usd", {"NPV", Unit::usd}},
      {"finance_npv_without_terminal_usd", {"NPV without terminal value", Unit::usd}},
      {"finance_revenue_usd_total", {"Outside revenue", Unit::usd}},
      {"finance_internal_value_usd_total", {"Internal value", Unit::usd}},
      {"finance_costs_usd_total", {"Operating costs", Unit::usd}},
      {"finance_ebitda_usd", {"EBITDA", Unit::usd}},
      {"finance_ebit_usd", {"EBIT", Unit::usd}},
      {"finance_depreciation_usd", {"Depreciation", Unit::usd}},
      {"finance_impairment_usd", {"Impairment", Unit::usd}},
      {"finance_disposal_gain_usd", {"Gain on disposals", Unit::usd}},
      {"finance_interest_usd", {"Interest", Unit::usd}},
      {"finance_pre_tax_income_usd", {"Pre-tax income", Unit::usd}},
      {"finance_income_tax_usd_current", {"Income tax, current", Unit::usd}},
      {"finance_income_tax_usd_deferred", {"Income tax, deferred", Unit::usd}},
      {"finance_income_tax_usd_total", {"Income tax", Unit::usd}},
      {"finance_net_income_usd", {"Net income", Unit::usd}},
      {"finance_tax_depreciation_usd", {"Tax depreciation", Unit::usd}},
      {"finance_capex_usd", {"Capex", Unit::usd}},
      {"finance_disposal_proceeds_usd", {"Disposal proceeds", Unit::usd}},
      {"finance_tax_paid_usd", {"Tax paid", Unit::usd}},
      {"finance_free_cash_flow_usd", {"Free cash flow", Unit::usd}},
      {"finance_net_book_value_usd", {"Net book value", Unit::usd}},
      {"finance_tax_basis_usd", {"Tax basis", Unit::usd}},
      {"finance_deferred_tax_liability_usd", {"Deferred tax liability", Unit::usd}},
      {"finance_loss_carryforward_usd", {"Loss carryforward", Unit::usd}},
      {"finance_opening_net_book_value_usd", {"Opening net book value", Unit::usd}},
      {"finance_opening_tax_basis_usd", {"Opening tax basis", Unit::usd}},
      {"finance_opening_value_usd", {"Opening value", Unit::usd}},
      {"finance_terminal_value_usd", {"Terminal value", Unit::usd}},
      {"finance_unserved_inference_usd", {"Unserved inference at transfer price", Unit::usd}},
      {"finance_payback_shortfall_usd", {"Payback shortfall", Unit::usd}},
      {"finance_discount_rate", {"Discount rate", Unit::fraction}},
      {"finance_irr", {"IRR", Unit::fraction}},
      {"finance_roic", {"ROIC", Unit::fraction}},
      {"finance_payback_years", {"Payback", Unit::years}},
      {"finance_tco_usd_per_installed_gpu_hour", {"TCO per installed GPU-hour", Unit::usd_rate}},
      {"finance_tco_usd_per_busy_gpu_hour", {"TCO per busy GPU-hour", Unit::usd_rate}},
      {"finance_tco_usd_per_h100e_hour_served",
       {"TCO per H100-equivalent hour served", Unit::usd_rate}},
      {"finance_h100e_gpu_hours_served", {"H100-equivalent GPU-hours served", Unit::hours}},
      {"finance_api_usd_per_million_tokens_cost",
       {"Model access: cost per million tokens", Unit::usd_rate}},
      {"finance_api_usd_per_million_tokens_revenue",
       {"Model access: revenue per million tokens", Unit::usd_rate}},
      {"finance_api_margin_usd", {"Model access: margin", Unit::usd}},
      {"utilization", {"Utilization", Unit::fraction}},
      {"gpu_hours_installed", {"Installed GPU-hours", Unit::hours}},
      {"gpu_hours_busy", {"Busy GPU-hours", Unit::hours}},
      {"gpu_hours_idle", {"Idle GPU-hours", Unit::hours}},
      {"gpu_hours_down", {"Down GPU-hours", Unit::hours}},
      {"gpu_hours_training_goodput", {"Training goodput GPU-hours", Unit::hours}},
      {"gpu_hours_training_lost", {"Training GPU-hours lost", Unit::hours}},
      {"inference_demand_gpu_hours", {"Inference demand (H100-eq. GPU-hours)", Unit::hours}},
      {"inference_served_gpu_hours", {"Inference served (H100-eq. GPU-hours)", Unit::hours}},
      {"inference_unserved_gpu_hours", {"Inference unserved (H100-eq. GPU-hours)", Unit::hours}},
      {"inference_served_fraction", {"Inference demand served", Unit::fraction}},
      {"gpu_failures", {"GPU failures", Unit::count}},
  };
  return table;
}

/// The unit of a metric aidc names by its conventions ("..._usd...", "..._fraction").
Unit unit_of_name(const std::string& key) {
  if (key.find("_usd_per_") != std::string::npos) return Unit::usd_rate;
  if (key.find("_usd") != std::string::npos || key.starts_with("usd_")) return Unit::usd;
  if (key == "utilization" || key.ends_with("_fraction") || key.ends_with("_share") ||
      key.ends_with("_rate")) {
    return Unit::fraction;
  }
  if (key.ends_with("_hours") || key.starts_with("gpu_hours")) return Unit::hours;
  if (key.ends_with("_years")) return Unit::years;
  return Unit::plain;
}

/// A step of 1, 2 or 5 times a power of ten near a fifth of `range`.
double nice_step(double range) {
  const double raw = range / 5;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  for (const double m : {1.0, 2.0, 5.0}) {
    if (m * magnitude >= raw * 0.999) return m * magnitude;
  }
  return 10 * magnitude;
}

struct TickFormat {
  std::string prefix;  // "$" or ""
  double divisor = 1;
  std::string suffix;  // "B", "M", "K", "%" or ""
  int decimals = 0;
};

/// Decimals that tell two values `step` apart once divided by `divisor`.
int decimals_for(double step, double divisor) {
  const double scaled = step / divisor;
  int d = 0;
  while (d < 6 && std::abs(std::round(scaled * std::pow(10.0, d)) - scaled * std::pow(10.0, d)) >
                      1e-6 * std::pow(10.0, d)) {
    ++d;
  }
  return d;
}

TickFormat tick_format(Unit unit, double largest, double step) {
  TickFormat f;
  if (unit == Unit::fraction) {
    f.divisor = 0.01;
    f.suffix = "%";
  } else if (unit == Unit::usd || unit == Unit::hours || unit == Unit::count ||
             unit == Unit::plain) {
    if (unit == Unit::usd) f.prefix = "$";
    if (largest >= 1e9) {
      f.divisor = 1e9;
      f.suffix = "B";
    } else if (largest >= 1e6) {
      f.divisor = 1e6;
      f.suffix = "M";
    } else if (largest >= 1e4) {
      f.divisor = 1e3;
      f.suffix = "K";
    }
  } else if (unit == Unit::usd_rate) {
    f.prefix = "$";
  }
  f.decimals = decimals_for(step, f.divisor);
  return f;
}

std::string format_with(const TickFormat& f, double x) {
  const double v = x / f.divisor;
  const std::string body = fmt::format("{:.{}f}", std::abs(v), f.decimals);
  const bool negative = v < 0 && body.find_first_not_of("0.") != std::string::npos;
  return (negative ? "-" : "") + f.prefix + body + f.suffix;
}

}  // namespace

MetricInfo metric_info(const std::string& key) {
  const auto& table = known_metrics();
  if (const auto it = table.find(key); it != table.end()) return it->second;
  // Families: revenue, internal value and costs by class or line, GPU-hours by class.
  static const std::vector<std::pair<std::string, std::string>> families{
      {"finance_revenue_usd_", "Outside revenue: "},
      {"finance_internal_value_usd_", "Internal value: "},
      {"finance_costs_usd_", "Cost: "},
      {"gpu_hours_by_class_", "GPU-hours: "}};
  for (const auto& [prefix, label] : families) {
    if (key.starts_with(prefix)) {
      return {label + spaced(key.substr(prefix.size())), unit_of_name(key)};
    }
  }
  std::string name = key.starts_with("finance_") ? key.substr(8) : key;
  if (const auto at = name.find("_usd"); at != std::string::npos) name.erase(at, 4);
  return {capitalized(spaced(name)), unit_of_name(key)};
}

std::string metric_label(const std::string& key) { return metric_info(key).label; }

std::string format_value(Unit unit, double x) {
  switch (unit) {
    case Unit::usd:
      return usd(x);
    case Unit::usd_rate:
      return fmt::format("{}${:.2f}", x < 0 ? "-" : "", std::abs(x));
    case Unit::fraction:
      return percent(x);
    case Unit::years:
      return fmt::format("{:.1f} years", x);
    case Unit::hours:
    case Unit::count:
    case Unit::plain: {
      const double a = std::abs(x);
      if (a >= 1e9) return fmt::format("{:.2f}B", x / 1e9);
      if (a >= 1e6) return fmt::format("{:.2f}M", x / 1e6);
      if (a >= 1e4) return fmt::format("{:.1f}K", x / 1e3);
      return fmt::format("{:.4g}", x);
    }
  }
  return fmt::format("{:.4g}", x);
}

json value_axis(Unit unit, double lo, double hi, const std::string& title) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) lo = hi = 0;
  if (lo > hi) std::swap(lo, hi);
  if (hi - lo < 1e-12 * std::max({1.0, std::abs(lo), std::abs(hi)})) {
    const double pad = lo == 0 ? 1.0 : std::abs(lo) * 0.05;
    lo -= pad;
    hi += pad;
  }
  const double step = nice_step(hi - lo);
  const double first = std::floor(lo / step + 1e-9) * step;
  const double last = std::ceil(hi / step - 1e-9) * step;
  json values = json::array();
  for (double t = first; t <= last + step * 1e-6; t += step) {
    values.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
  }
  const TickFormat f = tick_format(unit, std::max(std::abs(first), std::abs(last)), step);
  std::string expr;
  if (f.suffix == "%") {
    expr = fmt::format("format(datum.value, '.{}%')", f.decimals);
  } else {
    expr = fmt::format("replace(format(datum.value / {}, '{},.{}f'), '−', '-') + '{}'", f.divisor,
                       f.prefix, f.decimals, f.suffix);
  }
  json axis = {{"title", title}, {"values", values}, {"labelExpr", expr}};
  return {{"axis", axis}, {"scale", {{"domain", {first, last}}, {"nice", false}, {"zero", false}}}};
}

std::pair<std::string, std::string> format_interval(const std::string& metric, double lo, double hi,
                                                    bool sign) {
  const auto with_sign = [sign](double x, const std::string& text) {
    return sign && x >= 0 ? "+" + text : text;
  };
  std::string a = format_metric(metric, lo);
  std::string b = format_metric(metric, hi);
  const Unit unit = metric_info(metric).unit;
  if (a == b && lo != hi && (unit == Unit::usd || unit == Unit::fraction)) {
    const double largest = std::max(std::abs(lo), std::abs(hi));
    TickFormat f = tick_format(unit, largest, std::abs(hi - lo));
    if (unit == Unit::fraction) f.decimals = std::max(f.decimals, 2);
    for (; f.decimals <= 9; ++f.decimals) {
      a = format_with(f, lo);
      b = format_with(f, hi);
      if (a != b) break;
    }
  }
  return {with_sign(lo, a), with_sign(hi, b)};
}

std::pair<double, double> value_range(const json& values, const std::vector<std::string>& fields,
                                      bool with_zero) {
  double lo = with_zero ? 0 : std::numeric_limits<double>::infinity();
  double hi = with_zero ? 0 : -std::numeric_limits<double>::infinity();
  for (const auto& v : values) {
    for (const auto& f : fields) {
      if (!v.contains(f) || !v.at(f).is_number()) continue;
      lo = std::min(lo, v.at(f).get<double>());
      hi = std::max(hi, v.at(f).get<double>());
    }
  }
  if (lo > hi) return {0, 0};
  return {lo, hi};
}

std::pair<double, double> stacked_range(const json& values, const std::string& field,
                                        const std::string& stack_by) {
  std::map<std::string, std::pair<double, double>> stacks;  // negative and positive sums
  for (const auto& v : values) {
    if (!v.contains(field) || !v.at(field).is_number()) continue;
    auto& s = stacks[v.at(stack_by).dump()];
    const double x = v.at(field).get<double>();
    (x < 0 ? s.first : s.second) += x;
  }
  double lo = 0;
  double hi = 0;
  for (const auto& [key, s] : stacks) {
    lo = std::min(lo, s.first);
    hi = std::max(hi, s.second);
  }
  return {lo, hi};
}

void set_value_axis(json& encoding, Unit unit, std::pair<double, double> range,
                    const std::string& title) {
  const json a = value_axis(unit, range.first, range.second, title);
  encoding["axis"] = a.at("axis");
  encoding["scale"] = a.at("scale");
  encoding["title"] = title;
}

std::vector<std::string> axis_labels(const json& axis) {
  // The report's own label expressions (value_axis), read back: divisor, prefix, decimals and
  // suffix, or a percentage with its decimals.
  static const std::regex money(
      R"(format\(datum\.value / ([0-9.e+]+), '(\$?),\.(\d)f'\), '.*', '-'\) \+ '([A-Z]?)')");
  static const std::regex share(R"(format\(datum\.value, '\.(\d)%'\))");
  const std::string expr = axis.value("labelExpr", "");
  TickFormat f;
  std::smatch m;
  if (std::regex_search(expr, m, money)) {
    f.divisor = std::stod(m[1]);
    f.prefix = m[2];
    f.decimals = std::stoi(m[3]);
    f.suffix = m[4];
  } else if (std::regex_search(expr, m, share)) {
    f.divisor = 0.01;
    f.suffix = "%";
    f.decimals = std::stoi(m[1]);
  } else {
    return time_axis_labels(axis);
  }
  std::vector<std::string> out;
  for (const auto& v : axis.at("values")) out.push_back(format_with(f, v.get<double>()));
  return out;
}

}  // namespace aidc::report
