// The page of a sweep folder: a tornado for one-at-a-time designs, a heat map over the first
// two parameters, and Sobol indices for Saltelli designs.

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <set>

#include "internal.hpp"

namespace aidc::report {

namespace {

struct SweepParameter {
  std::string name, pointer;
};

/// A parameter's values in points.csv as JSON: numbers where every value is a number, else
/// text; null where the cell is empty.
struct ParameterColumn {
  std::vector<json> values;
  bool numeric = true;
  std::size_t distinct = 0;
};

ParameterColumn parameter_column(const Csv& csv, std::size_t col) {
  ParameterColumn pc;
  std::set<std::string> seen;
  for (std::size_t r = 0; r < csv.size(); ++r) {
    const std::string& cell = csv.text(r, col);
    if (cell.empty()) continue;
    seen.insert(cell);
    double x = 0;
    const auto [ptr, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), x);
    if (ec != std::errc() || ptr != cell.data() + cell.size() || !std::isfinite(x)) {
      pc.numeric = false;
    }
  }
  pc.distinct = seen.size();
  for (std::size_t r = 0; r < csv.size(); ++r) {
    const std::string& cell = csv.text(r, col);
    if (cell.empty()) {
      pc.values.emplace_back(nullptr);
    } else if (pc.numeric) {
      pc.values.emplace_back(*csv.number_or_empty(r, col));
    } else {
      pc.values.emplace_back(cell);
    }
  }
  return pc;
}

void tornado_charts(Page& page, const fs::path& dir) {
  const fs::path path = dir / "tornado.csv";
  if (!fs::exists(path)) {
    add_note(page, "Tornado",
             "This sweep has no tornado.csv (only a one-at-a-time design writes one), so there is "
             "no tornado chart.");
    return;
  }
  const Csv csv = Csv::read(path);
  const std::size_t c_metric = csv.column("metric");
  const std::size_t c_parameter = csv.column("parameter");
  const std::size_t c_low_value = csv.column("low_value");
  const std::size_t c_high_value = csv.column("high_value");
  const std::size_t c_base = csv.column("base_metric");
  const std::size_t c_at_low = csv.column("metric_at_low");
  const std::size_t c_at_high = csv.column("metric_at_high");
  const auto c_swing = csv.find("swing");

  std::vector<std::string> metrics;
  for (std::size_t r = 0; r < csv.size(); ++r) {
    const std::string& m = csv.text(r, c_metric);
    if (std::find(metrics.begin(), metrics.end(), m) == metrics.end()) metrics.push_back(m);
  }
  if (metrics.empty()) {
    add_note(page, "Tornado", "tornado.csv has no rows.");
    return;
  }
  for (std::size_t i = 0; i < metrics.size(); ++i) {
    const std::string& metric = metrics[i];
    std::vector<TornadoBar> bars;
    for (std::size_t r = 0; r < csv.size(); ++r) {
      if (csv.text(r, c_metric) != metric) continue;
      const auto low = csv.number_or_empty(r, c_at_low);
      const auto high = csv.number_or_empty(r, c_at_high);
      const auto base = csv.number_or_empty(r, c_base);
      if (!low || !high || !base) continue;
      std::optional<double> swing;
      if (c_swing) swing = csv.number_or_empty(r, *c_swing);
      bars.push_back(TornadoBar{csv.text(r, c_parameter), *low, *high, *base,
                                swing.value_or(std::abs(*high - *low)), csv.text(r, c_low_value),
                                csv.text(r, c_high_value)});
    }
    const std::string heading = "Tornado: " + metric_label(metric);
    if (bars.empty()) {
      add_note(page, heading, "tornado.csv has no complete row for this metric.");
      continue;
    }
    std::stable_sort(bars.begin(), bars.end(), [](const TornadoBar& a, const TornadoBar& b) {
      return std::abs(a.swing) > std::abs(b.swing);
    });
    // The answer: the inputs that move the metric most, largest swing first (those that do
    // not move it at the precision shown are left out).
    std::vector<const TornadoBar*> moving;
    for (const auto& t : bars) {
      if (moving.size() < 3 && format_metric(metric, t.low) != format_metric(metric, t.high)) {
        moving.push_back(&t);
      }
    }
    std::string movers;
    for (std::size_t b = 0; b < moving.size(); ++b) {
      const TornadoBar& t = *moving[b];
      movers +=
          fmt::format("{}{} ({} at {}, {} at {}: a swing of {})",
                      b == 0 ? "" : (b + 1 == moving.size() ? ", then " : ", "), t.parameter,
                      format_metric(metric, t.low), t.low_value, format_metric(metric, t.high),
                      t.high_value, format_metric(metric, std::abs(t.swing)));
    }
    page.answer.push_back(
        moving.empty() ? fmt::format("No input of the sweep moves {} (base {}).",
                                     metric_label(metric), format_metric(metric, bars.front().base))
                       : fmt::format("{} (base {}) moves most with {}.", metric_label(metric),
                                     format_metric(metric, bars.front().base), movers));
    const json spec = tornado_spec(metric, bars);
    add_chart(page, heading, fmt::format("tornado-{}", i + 1), spec,
              fmt::format("From tornado.csv: {} with each parameter at its low and at its high "
                          "value and the others at their base values; the black rule is the "
                          "base, {}. Parameters are sorted by swing, largest first.",
                          metric_label(metric), format_metric(metric, bars.front().base)));
  }
}

void heatmap_chart(Page& page, const Csv& points, const std::vector<SweepParameter>& parameters,
                   const std::string& metric) {
  const std::string heading = parameters.size() >= 2
                                  ? fmt::format("{} over {} and {}", metric_label(metric),
                                                parameters[0].name, parameters[1].name)
                                  : "Response surface";
  if (parameters.empty()) {
    add_note(page, heading, "sweep.json lists no parameters.");
    return;
  }
  const std::size_t c_mean = points.column(metric + "_mean");
  const auto c_low = points.find(metric + "_ci95_low");
  const auto c_high = points.find(metric + "_ci95_high");
  const ParameterColumn x = parameter_column(points, points.column(parameters[0].name));

  if (parameters.size() == 1) {
    json values = json::array();
    for (std::size_t r = 0; r < points.size(); ++r) {
      const auto mean = points.number_or_empty(r, c_mean);
      if (!mean || x.values[r].is_null()) continue;
      json v = {{"x", x.values[r]}, {"v", *mean}};
      if (c_low && c_high) {
        const auto lo = points.number_or_empty(r, *c_low);
        const auto hi = points.number_or_empty(r, *c_high);
        if (lo && hi) {
          v["low"] = *lo;
          v["high"] = *hi;
        }
      }
      values.push_back(v);
    }
    const json spec = response_spec(values, metric, parameters[0].name, x.numeric);
    add_chart(page, metric_label(metric) + " against " + parameters[0].name, "response", spec,
              "Mean of the metric at each point of the sweep, with its 95% confidence interval "
              "over the replications.");
    return;
  }

  const ParameterColumn y = parameter_column(points, points.column(parameters[1].name));
  json values = json::array();
  for (std::size_t r = 0; r < points.size(); ++r) {
    const auto mean = points.number_or_empty(r, c_mean);
    if (!mean || x.values[r].is_null() || y.values[r].is_null()) continue;
    values.push_back({{"x", x.values[r]}, {"y", y.values[r]}, {"v", *mean}});
  }
  if (values.empty()) {
    add_note(page, heading, fmt::format("points.csv has no value of {}_mean to chart.", metric));
    return;
  }
  const json spec =
      heatmap_spec(values, metric, parameter_axis("x", parameters[0].name, x.numeric, x.distinct),
                   parameter_axis("y", parameters[1].name, y.numeric, y.distinct));
  std::string caption = fmt::format("Mean of {} over the replications at each point, by {} and {}",
                                    metric_label(metric), parameters[0].name, parameters[1].name);
  if (metric_info(metric).unit == Unit::usd) {
    std::size_t negative = 0;
    for (const auto& v : values)
      if (v.at("v").get<double>() < 0) ++negative;
    page.answer.push_back(fmt::format("{} is below zero at {} of the {} points of the sweep.",
                                      metric_label(metric), negative, values.size()));
    caption += " (red below zero, blue above, white at zero)";
  }
  if (parameters.size() > 2) {
    caption +=
        ", averaged over the points that share these two values (the other parameters "
        "vary among them)";
  }
  caption += "; many distinct values of a parameter are grouped into bins.";
  add_chart(page, heading, "heatmap", spec, caption);
}

void sobol_charts(Page& page, const fs::path& dir) {
  const fs::path path = dir / "sobol.csv";
  if (!fs::exists(path)) return;
  const Csv csv = Csv::read(path);
  const std::size_t c_metric = csv.column("metric");
  const std::size_t c_parameter = csv.column("parameter");
  struct Index {
    const char* label;
    std::size_t value;
    std::optional<std::size_t> low, high;  // the 95% confidence interval, when written
  };
  const std::array<Index, 2> indices{
      Index{"first order", csv.column("first_order"), csv.find("first_order_ci95_low"),
            csv.find("first_order_ci95_high")},
      Index{"total", csv.column("total"), csv.find("total_ci95_low"), csv.find("total_ci95_high")}};
  std::vector<std::string> metrics;
  for (std::size_t r = 0; r < csv.size(); ++r) {
    const std::string& m = csv.text(r, c_metric);
    if (std::find(metrics.begin(), metrics.end(), m) == metrics.end()) metrics.push_back(m);
  }
  for (std::size_t i = 0; i < metrics.size(); ++i) {
    json values = json::array();
    std::vector<std::string> parameters;
    bool any_ci = false;
    for (std::size_t r = 0; r < csv.size(); ++r) {
      if (csv.text(r, c_metric) != metrics[i]) continue;
      const std::string& p = csv.text(r, c_parameter);
      parameters.push_back(p);
      for (const Index& index : indices) {
        const auto x = csv.number_or_empty(r, index.value);
        if (!x) continue;
        json v = {{"p", p}, {"index", index.label}, {"v", *x}, {"low", nullptr}, {"high", nullptr}};
        if (index.low && index.high) {
          const auto low = csv.number_or_empty(r, *index.low);
          const auto high = csv.number_or_empty(r, *index.high);
          if (low && high) {
            v["low"] = *low;
            v["high"] = *high;
            any_ci = true;
          }
        }
        values.push_back(v);
      }
    }
    const std::string heading = "Sobol indices: " + metric_label(metrics[i]);
    if (values.empty()) {
      add_note(page, heading, "sobol.csv has no index value for this metric.");
      continue;
    }
    const json spec = sobol_spec(values, parameters);
    std::string caption =
        "From sobol.csv: the first-order index is the share of the metric's variance due to the "
        "parameter alone, the total index includes its interactions with the others.";
    if (any_ci) {
      caption +=
          " Black rules are the 95% confidence intervals; wide ones mean the sample is too "
          "small to rank the parameters.";
    }
    add_chart(page, heading, fmt::format("sobol-{}", i + 1), spec, caption);
  }
}

}  // namespace

Page sweep_page(const fs::path& dir) {
  const fs::path path = dir / "sweep.json";
  const json doc = read_json(path);
  const Node root(&path, &doc, "");
  if (!doc.is_object()) root.fail_here("expected an object");
  std::vector<SweepParameter> parameters;
  for (const Node& p : root.at("parameters").items()) {
    SweepParameter sp;
    sp.name = p.at("name").text();
    if (const auto ptr = p.get("pointer")) sp.pointer = ptr->text();
    parameters.push_back(sp);
  }
  std::vector<std::string> metrics;
  for (const Node& m : root.at("metrics").items()) metrics.push_back(m.text());
  // The heat map shows the sweep's first sensitivity metric, the one it was built to study.
  std::string focus = metrics.empty() ? std::string() : metrics.front();
  if (const auto sm = root.get("sensitivity_metrics")) {
    const auto items = sm->items();
    if (!items.empty() &&
        std::find(metrics.begin(), metrics.end(), items.front().text()) != metrics.end()) {
      focus = items.front().text();
    }
  }
  const std::string design = root.get("design") ? root.at("design").text() : "";

  const fs::path points_path = dir / "points.csv";
  if (!fs::exists(points_path)) fail(points_path, "missing; a sweep folder has points.csv");
  const Csv points = Csv::read(points_path);
  for (const auto& p : parameters) points.column(p.name);
  for (const auto& m : metrics) points.column(m + "_mean");

  Page page;
  page.title =
      "aidc sweep: " + (root.get("name") ? root.at("name").text() : dir.filename().string());
  page.subtitle = "Report of the sweep folder " + dir.string();
  std::vector<std::string> names;
  names.reserve(parameters.size());
  for (const auto& p : parameters) names.push_back(p.name);
  page.facts.emplace_back("design", design.empty() ? "unknown" : design);
  page.facts.emplace_back("parameters", fmt::format("{}", fmt::join(names, ", ")));
  page.facts.emplace_back("points", std::to_string(points.size()));
  if (const auto r = root.number_at("replications")) {
    page.facts.emplace_back("replications per point", fmt::format("{:.0f}", *r));
  }
  std::vector<std::string> labels;
  labels.reserve(metrics.size());
  for (const auto& m : metrics) labels.push_back(metric_label(m));
  page.facts.emplace_back("metrics", fmt::format("{}", fmt::join(labels, ", ")));

  tornado_charts(page, dir);
  if (metrics.empty()) {
    add_note(page, "Response surface", "sweep.json lists no metrics.");
  } else {
    heatmap_chart(page, points, parameters, focus);
  }
  sobol_charts(page, dir);
  return page;
}

}  // namespace aidc::report
