#pragma once
/// The report's charts as pure functions: data in, a Vega-Lite specification out. The pages
/// (models/report/) read the folders, call these and lay the specifications out; tests check
/// each specification's fields, encodings and data rows.

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "aidc/scenario/work_class.hpp"

namespace aidc::report {

/// One period of a run folder's timeseries.csv, summed over its rows (pools and entity).
struct Period {
  long index = 0;
  std::string start, end;  // ISO dates
  double installed = 0, busy = 0, idle = 0, down = 0;
  std::vector<double> class_hours = std::vector<double>(kClassCount, 0.0);
  // Finance columns, when the scenario has a finance section.
  double revenue = 0, internal_value = 0, ebitda = 0, free_cash_flow = 0, net_book_value = 0;
  std::vector<double> class_revenue = std::vector<double>(kClassCount, 0.0);
  std::optional<double> market_value;
};

/// Outside revenue and depreciation of a GPU type's pools over the run.
struct GpuTypeTotals {
  std::string gpu;
  double revenue = 0, depreciation = 0;
};

struct Timeseries {
  bool has_finance = false;
  std::vector<Period> periods;  // in order of period index
  /// With finance: by GPU type, in the order the types first appear (the entity's rows,
  /// which have no type, left out).
  std::vector<GpuTypeTotals> by_gpu;
};

// Building blocks of a specification.

/// Rows for a step chart: one per period at its start, and a last one at the end of the last
/// period, so each value holds over its whole period.
template <typename Row>
void append_steps(nlohmann::json& values, const std::vector<Period>& periods, Row row) {
  for (const auto& p : periods) values.push_back(row(p, p.start));
  if (!periods.empty()) values.push_back(row(periods.back(), periods.back().end));
}

/// A Vega-Lite specification with `values` inlined.
nlohmann::json vega_lite(nlohmann::json values);
/// A time axis over the ISO dates of `field` in `values`, read and shown in UTC so a date never
/// shifts by time zone (time_axis.cpp). Its ticks are whole periods (at most 12, skipping
/// periods by whole weeks, quarters or years) and its labels are as the period is: "Q1 2027"
/// for quarters, "Jan 2027" for months, "2027" for years, "5 Jan 2027" otherwise, and dates
/// when a tick does not start a calendar month, quarter or year.
nlohmann::json time_x(const std::string& field, const nlohmann::json& values);
/// A date (milliseconds since 1970, UTC) in d3's time format: %Y %q %b %m %d %-d only.
std::string format_time(const std::string& format, double epoch_ms);
/// The labels a time_x axis shows, computed as its label expression does (for tests).
std::vector<std::string> time_axis_labels(const nlohmann::json& axis);
nlohmann::json tooltip_field(const std::string& field, const std::string& title,
                             const std::string& type, const std::string& format = "");
/// The colours of `layers` (work classes, "idle", "down"), the same in every chart.
nlohmann::json color_scale(const std::vector<std::string>& layers);

// What a reader sees of a number (labels.cpp).

/// The unit of a metric: amounts, amounts per GPU-hour, shares, hours, years, counts.
enum class Unit { usd, usd_rate, fraction, hours, years, count, plain };
struct MetricInfo {
  std::string label;  // "NPV", "Outside revenue: spot", "TCO per busy GPU-hour"
  Unit unit = Unit::plain;
};
/// The name and unit of a metric key (finance_npv_usd, utilization...): from a table of the
/// keys aidc writes, else from the key's own words and suffix. Never the raw key.
MetricInfo metric_info(const std::string& key);
std::string metric_label(const std::string& key);
/// A value as a reader expects it: $1.23B / $4.56M / $7.8K, 12.3%, 2.4 years, 1.20M hours.
std::string format_value(Unit unit, double x);
/// A value axis over [lo, hi] whose ticks the report chooses (1, 2 or 5 times a power of
/// ten), labelled in $K/$M/$B or % with as many decimals as the step needs, so no two ticks
/// read the same: {"axis": {"title", "values", "labelExpr"}, "scale": {"domain"...}}.
nlohmann::json value_axis(Unit unit, double lo, double hi, const std::string& title);
/// The smallest and largest of `fields` over `values` (numbers only), and of zero when
/// `with_zero`; stacked: the sums by `stack_by` (each period's stack), and zero.
std::pair<double, double> value_range(const nlohmann::json& values,
                                      const std::vector<std::string>& fields, bool with_zero);
std::pair<double, double> stacked_range(const nlohmann::json& values, const std::string& field,
                                        const std::string& stack_by);
/// Sets `encoding`'s axis and scale to value_axis(unit, range, title).
void set_value_axis(nlohmann::json& encoding, Unit unit, std::pair<double, double> range,
                    const std::string& title);
/// The ends of an interval of `metric`, with more decimals than format_metric when it would
/// show both ends alike ("$1.24B to $1.24B" becomes "$1.2437B to $1.2438B"); `sign` writes
/// "+" before positive values.
std::pair<std::string, std::string> format_interval(const std::string& metric, double lo, double hi,
                                                    bool sign = false);
/// The labels a value_axis or time_x axis shows, computed as its label expression does (for
/// tests).
std::vector<std::string> axis_labels(const nlohmann::json& axis);

// Formatting of amounts and metrics.
std::string usd(double x);
std::string percent(double fraction);
std::string format_metric(const std::string& metric, double x);
/// A d3 format for tooltips of `metric` (axes take value_axis).
std::string axis_format(const std::string& metric);

// The run page's charts.

/// GPU-hours per period stacked by the classes that held GPUs, then idle and down: the
/// stack reaches installed. Layer k of period p is row k x (periods + 1) + p.
nlohmann::json utilization_spec(const std::vector<Period>& periods);

/// The rented classes (reserved, on-demand, spot) that held GPUs or earned in some period.
std::vector<std::size_t> rented_classes(const std::vector<Period>& periods);
/// Revenue per period of each class in `rented`, stacked.
nlohmann::json revenue_spec(const std::vector<Period>& periods,
                            const std::vector<std::size_t>& rented);
/// Revenue over GPU-hours of each class in `rented`; null where it rented nothing.
nlohmann::json price_spec(const std::vector<Period>& periods,
                          const std::vector<std::size_t>& rented);

/// One bar of the profit-and-loss waterfall: "increase", "decrease" or "total".
struct WaterfallStep {
  std::string label, kind;
  double amount = 0;
};
/// Bars from `from` to `to`: increases and decreases from the running level, totals from 0
/// to the reported figure (which restarts the level).
/// Model access sold by the token in one period (summary.json's finance.api.by_period).
struct TokenPeriod {
  double served = 0, lost = 0;  // tokens; demand = served + lost
  double revenue_usd = 0, cost_usd = 0;
};
/// Tokens served and lost by period, stacked, so the top is the demand.
nlohmann::json tokens_spec(const std::vector<Period>& periods,
                           const std::vector<TokenPeriod>& tokens);
/// Revenue and cost per million tokens served, by period; a gap where none were served.
nlohmann::json token_price_spec(const std::vector<Period>& periods,
                                const std::vector<TokenPeriod>& tokens);

nlohmann::json waterfall_spec(const std::vector<WaterfallStep>& steps);

/// Free cash flow accumulated from −`opening` at the first period's start; with `npv`, a
/// rule at it labelled with the discount `rate`.
nlohmann::json cash_spec(const std::vector<Period>& periods, double opening,
                         std::optional<double> npv, std::optional<double> rate);

/// Net book value at each period's end (and `opening` at the start), and the market value
/// where a period has one.
nlohmann::json value_spec(const std::vector<Period>& periods, std::optional<double> opening);

// The comparison page's charts.

/// The `p` quantile (0..1) of `values` by linear interpolation between order statistics
/// (Hyndman and Fan's type 7, numpy's default); `values` need not be sorted.
double quantile(std::vector<double> values, double p);
/// One period of a series across replications: its median and 5% and 95% quantiles.
struct BandPoint {
  std::string t;  // ISO date of the period's start
  double median = 0, low = 0, high = 0;
};
/// A median line with its 90% band across replications, as steps over the periods (`end`
/// closes the last one).
nlohmann::json band_spec(const std::vector<BandPoint>& points, const std::string& end, Unit unit,
                         const std::string& title);

/// Bars (or, for differences, points) per plan with 95% intervals, one panel per metric;
/// `values` are rows {metric, plan, mean, low, high, text, ci}.
nlohmann::json estimate_panels(const nlohmann::json& values, const std::vector<std::string>& plans,
                               bool differences);

// The sweep page's charts (sweep_charts.cpp).

/// An axis over a sweep parameter: nominal for text, exact values when there are at most 12
/// distinct numbers, else bins.
nlohmann::json parameter_axis(const std::string& field, const std::string& title, bool numeric,
                              std::size_t distinct);

/// One parameter of a tornado: the metric at its low and high values, the base, the swing.
struct TornadoBar {
  std::string parameter;
  double low = 0, high = 0, base = 0, swing = 0;
  std::string low_value, high_value;
};
/// Bars from the base to the metric at each end, one row per parameter in the given order.
nlohmann::json tornado_spec(const std::string& metric, const std::vector<TornadoBar>& bars);

/// The metric's mean against one parameter, with rules for the 95% intervals; `values` are
/// rows {x, v, low, high}.
nlohmann::json response_spec(const nlohmann::json& values, const std::string& metric,
                             const std::string& x_title, bool numeric);
/// A heat map of the metric's mean over two parameters; `values` are rows {x, y, v}.
nlohmann::json heatmap_spec(const nlohmann::json& values, const std::string& metric,
                            const nlohmann::json& x_axis, const nlohmann::json& y_axis);
/// First-order and total Sobol indices per parameter, with intervals where any row has one;
/// `values` are rows {p, index, v, low, high}.
nlohmann::json sobol_spec(const nlohmann::json& values, const std::vector<std::string>& parameters);

// The page of a demand fit (aidc fit demand --out).

/// One hour of a fitted series (fit.csv): the trace's hourly mean and the model's mean and
/// 90% band there.
struct FitHour {
  double epoch_ms = 0;  // the hour's start on the trace's clock, as milliseconds since 1970
  double observed = 0, mean = 0, low = 0, high = 0;
  bool held_out = false;
};

/// The data and the fitted mean over time, with the model's 90% band; a rule where the
/// hold-out begins.
nlohmann::json fit_series_spec(const std::vector<FitHour>& hours);
/// The log residuals log(observed / median) of the hours with a positive value.
nlohmann::json fit_residual_spec(const std::vector<FitHour>& hours, double sigma);
/// Profile factors (mean 1) against their labels ("00".."23", "Mon".."Sun").
nlohmann::json profile_spec(const std::vector<double>& factors,
                            const std::vector<std::string>& labels, const std::string& title);

}  // namespace aidc::report
