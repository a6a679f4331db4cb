// The report's time axes: ticks at whole periods, labelled as the period is: "Q1 2027" for
// quarters, "Jan 2027" for months, "2027" for years, "5 Jan 2027" for days and weeks.

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <map>
#include <regex>

#include "aidc/report/charts.hpp"
#include "aidc/scenario/scenario.hpp"

namespace aidc::report {

using json = nlohmann::json;

namespace {

constexpr double kMsPerDay = 86400000.0;
constexpr std::size_t kMaxTicks = 12;
constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/// A period's length: whole months (same day of the month), else days.
struct Step {
  int months = 0;
  long days = 0;
  auto operator<=>(const Step&) const = default;
};

int month_count(Date d) {
  const std::chrono::year_month_day ymd{d};
  return static_cast<int>(ymd.year()) * 12 + static_cast<int>(unsigned(ymd.month())) - 1;
}

unsigned day_of_month(Date d) { return unsigned(std::chrono::year_month_day{d}.day()); }

Step step_between(Date a, Date b) {
  if (day_of_month(a) == day_of_month(b) && month_count(b) > month_count(a)) {
    return {month_count(b) - month_count(a), 0};
  }
  return {0, (b - a).count()};
}

/// The step between consecutive dates that occurs most often, the shorter on a tie: a short
/// last period (a horizon that ends mid-period) does not change it.
Step period_step(const std::vector<Date>& dates) {
  std::map<Step, std::size_t> counts;
  for (std::size_t i = 1; i < dates.size(); ++i) ++counts[step_between(dates[i - 1], dates[i])];
  Step best{0, 1};
  std::size_t most = 0;
  for (const auto& [step, n] : counts) {
    if (n > most) {
      best = step;
      most = n;
    }
  }
  return best;
}

/// How many periods a tick may skip: whole weeks, quarters, years where the period allows.
std::vector<std::size_t> tick_strides(Step step) {
  if (step.months == 1) return {1, 2, 3, 6, 12, 24, 60, 120};
  if (step.months == 3) return {1, 2, 4, 8, 20, 40};
  if (step.months > 0) return {1, 2, 4, 5, 10, 20, 50};
  if (step.days == 1) return {1, 2, 7, 14, 28, 91, 182, 364};
  if (step.days == 7) return {1, 2, 4, 13, 26, 52, 104};
  return {1, 2, 5, 10, 20, 50, 100};
}

/// Whether a tick every `months` months falls on `d` (quarters on Jan, Apr, Jul, Oct...).
bool on_calendar(Date d, int months) {
  return months > 0 && day_of_month(d) == 1 && month_count(d) % std::min(months, 12) == 0;
}

/// The d3 time format of the labels: by the period, where every tick starts one.
std::string label_format(Step step, const std::vector<Date>& ticks) {
  const auto all = [&](auto&& pred) { return std::all_of(ticks.begin(), ticks.end(), pred); };
  if (step.months > 0 && step.months % 12 == 0 && all([](Date d) { return on_calendar(d, 12); })) {
    return "%Y";
  }
  if (step.months == 3 && all([](Date d) { return on_calendar(d, 3); })) {
    return "Q%q %Y";
  }
  if (step.months > 0 && all([](Date d) { return day_of_month(d) == 1; })) return "%b %Y";
  return "%-d %b %Y";
}

std::vector<Date> dates_of(const json& values, const std::string& field) {
  std::vector<Date> dates;
  for (const auto& v : values) {
    if (!v.contains(field) || !v.at(field).is_string()) continue;
    if (const auto d = parse_date(v.at(field).get<std::string>())) dates.push_back(*d);
  }
  std::sort(dates.begin(), dates.end());
  dates.erase(std::unique(dates.begin(), dates.end()), dates.end());
  return dates;
}

double epoch_ms(Date d) { return static_cast<double>(d.time_since_epoch().count()) * kMsPerDay; }

}  // namespace

std::string format_time(const std::string& format, double epoch_ms_value) {
  const Date d{std::chrono::days{static_cast<long>(std::floor(epoch_ms_value / kMsPerDay))}};
  const std::chrono::year_month_day ymd{d};
  const unsigned m = unsigned(ymd.month());
  std::string out;
  for (std::size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%' || i + 1 == format.size()) {
      out += format[i];
      continue;
    }
    const char c = format[++i];
    if (c == 'Y') out += fmt::format("{:04d}", static_cast<int>(ymd.year()));
    if (c == 'q') out += fmt::format("{}", (m - 1) / 3 + 1);
    if (c == 'b') out += kMonths.at(m - 1);
    if (c == 'm') out += fmt::format("{:02d}", m);
    if (c == 'd') out += fmt::format("{:02d}", unsigned(ymd.day()));
    if (c == '-' && i + 1 < format.size() && format[i + 1] == 'd') {
      out += fmt::format("{}", unsigned(ymd.day()));
      ++i;
    }
    if (c == '%') out += '%';
  }
  return out;
}

json time_x(const std::string& field, const json& values) {
  json x = {{"field", field}, {"type", "temporal"}, {"title", nullptr}};
  const std::vector<Date> dates = dates_of(values, field);
  if (dates.empty()) {
    x["scale"] = {{"type", "utc"}};
    return x;
  }
  const Step step = period_step(dates);
  // Ticks start periods: the dates a whole number of periods from the first (not the end of a
  // horizon that stops mid-period).
  std::vector<Date> grid;
  for (const Date d : dates) {
    const Step from_first = step_between(dates.front(), d);
    const long days = (d - dates.front()).count();
    const bool on_grid = step.months > 0
                             ? from_first.months % step.months == 0 && from_first.days == 0
                             : step.days > 0 && days % step.days == 0;
    if (on_grid) grid.push_back(d);
  }
  std::vector<Date> ticks;
  for (const std::size_t stride : tick_strides(step)) {
    std::size_t offset = 0;
    if (step.months > 0) {
      const int span = static_cast<int>(stride) * step.months;
      while (offset < std::min(stride, grid.size()) && !on_calendar(grid[offset], span)) ++offset;
      if (offset == std::min(stride, grid.size())) offset = 0;
    }
    ticks.clear();
    for (std::size_t i = offset; i < grid.size(); i += stride) ticks.push_back(grid[i]);
    if (ticks.size() <= kMaxTicks) break;
  }
  json tick_values = json::array();
  for (const Date d : ticks) tick_values.push_back(epoch_ms(d));
  x["scale"] = {{"type", "utc"},
                {"domain", {epoch_ms(dates.front()), epoch_ms(dates.back())}},
                {"nice", false}};
  x["axis"] = {
      {"values", tick_values},
      {"labelExpr", fmt::format("utcFormat(datum.value, '{}')", label_format(step, ticks))}};
  return x;
}

std::vector<std::string> time_axis_labels(const json& axis) {
  static const std::regex utc_format(R"(^utcFormat\(datum\.value, '([^']*)'\)$)");
  std::smatch m;
  const std::string expr = axis.value("labelExpr", "");
  if (!std::regex_match(expr, m, utc_format)) return {};
  std::vector<std::string> out;
  for (const auto& v : axis.at("values")) out.push_back(format_time(m[1], v.get<double>()));
  return out;
}

}  // namespace aidc::report
