#include "report.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aidc/scenario/errors.hpp"
#include "aidc/scenario/scenario.hpp"

namespace aidc::detail {
// The minified bundles of tools/report/package-lock.json, embedded at build time.
extern const char kVegaMinJs[];
extern const char kVegaLiteMinJs[];
extern const char kVegaEmbedMinJs[];
}  // namespace aidc::detail

namespace aidc::report {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// ---------------------------------------------------------------------------------------------
// Bad input

[[noreturn]] void fail(const fs::path& file, const std::string& message,
                       const std::string& pointer = "") {
  throw ScenarioError({Diagnostic{file.string(), pointer, message}});
}

// ---------------------------------------------------------------------------------------------
// CSV: a header row, then rows of as many fields; fields may be quoted ("a,b", "say ""hi""").

class Csv {
 public:
  static Csv read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) fail(path, "cannot open the file for reading");
    std::stringstream buffer;
    buffer << in.rdbuf();
    return Csv(path, buffer.str());
  }

  const fs::path& path() const { return path_; }
  const std::vector<std::string>& header() const { return header_; }
  std::size_t size() const { return rows_.size(); }
  bool has(std::string_view name) const { return find(name).has_value(); }

  std::optional<std::size_t> find(std::string_view name) const {
    for (std::size_t i = 0; i < header_.size(); ++i) {
      if (header_[i] == name) return i;
    }
    return std::nullopt;
  }

  /// The index of a column the file must have.
  std::size_t column(std::string_view name) const {
    if (const auto i = find(name)) return *i;
    fail(path_, fmt::format("missing column \"{}\" in the header row", name));
  }

  const std::string& text(std::size_t row, std::size_t col) const { return rows_[row][col]; }
  /// The line of the file a row starts on, from 1.
  std::size_t line(std::size_t row) const { return lines_[row]; }

  /// The number in a cell; nullopt when the cell is empty (a failed or undefined value).
  std::optional<double> number_or_empty(std::size_t row, std::size_t col) const {
    const std::string& cell = rows_[row][col];
    if (cell.empty()) return std::nullopt;
    double x = 0;
    const char* begin = cell.data();
    const char* end = begin + cell.size();
    const auto [ptr, ec] = std::from_chars(begin, end, x);
    if (ec != std::errc() || ptr != end) {
      fail(path_, fmt::format("line {}, column \"{}\": expected a number (got \"{}\")", lines_[row],
                              header_[col], cell));
    }
    if (!std::isfinite(x)) return std::nullopt;
    return x;
  }

  /// The number in a cell that must hold one.
  double number(std::size_t row, std::size_t col) const {
    if (const auto x = number_or_empty(row, col)) return *x;
    fail(path_, fmt::format("line {}, column \"{}\": expected a number (got \"{}\")", lines_[row],
                            header_[col], rows_[row][col]));
  }

 private:
  Csv(fs::path path, const std::string& content) : path_(std::move(path)) {
    std::vector<std::string> record;
    std::string field;
    bool quoted = false;
    bool had_quotes = false;
    std::size_t line = 1;
    std::size_t record_line = 1;
    auto end_record = [&] {
      record.push_back(std::move(field));
      field.clear();
      const bool blank = record.size() == 1 && record[0].empty() && !had_quotes;
      if (!blank) {
        if (header_.empty()) {
          header_ = std::move(record);
        } else {
          if (record.size() != header_.size()) {
            fail(path_, fmt::format("line {}: {} fields, expected {} as in the header row",
                                    record_line, record.size(), header_.size()));
          }
          rows_.push_back(std::move(record));
          lines_.push_back(record_line);
        }
      }
      record.clear();
      had_quotes = false;
    };
    for (std::size_t i = 0; i < content.size(); ++i) {
      const char c = content[i];
      if (quoted) {
        if (c == '"') {
          if (i + 1 < content.size() && content[i + 1] == '"') {
            field += '"';
            ++i;
          } else {
            quoted = false;
          }
        } else {
          if (c == '\n') ++line;
          field += c;
        }
      } else if (c == '"') {
        quoted = true;
        had_quotes = true;
      } else if (c == ',') {
        record.push_back(std::move(field));
        field.clear();
      } else if (c == '\n') {
        if (!field.empty() && field.back() == '\r') field.pop_back();
        end_record();
        record_line = ++line;
      } else {
        field += c;
      }
    }
    if (quoted) fail(path_, fmt::format("line {}: a quoted field is never closed", record_line));
    if (!field.empty() || !record.empty()) {
      if (!field.empty() && field.back() == '\r') field.pop_back();
      end_record();
    }
    if (header_.empty()) fail(path_, "empty file; expected a header row");
  }

  fs::path path_;
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
  std::vector<std::size_t> lines_;  // the line each row starts on, from 1
};

// ---------------------------------------------------------------------------------------------
// JSON with errors that name the file and the JSON pointer

json read_json(const fs::path& path) { return read_json_file(path.string()); }

std::string child_pointer(const std::string& pointer, const std::string& key) {
  std::string escaped;
  for (const char c : key) {
    if (c == '~') {
      escaped += "~0";
    } else if (c == '/') {
      escaped += "~1";
    } else {
      escaped += c;
    }
  }
  return pointer + "/" + escaped;
}

/// A JSON value with the file it came from and its pointer, for error messages.
class Node {
 public:
  Node(const fs::path* file, const json* value, std::string pointer)
      : file_(file), value_(value), pointer_(std::move(pointer)) {}

  const json& value() const { return *value_; }
  const std::string& pointer() const { return pointer_; }
  bool is_null() const { return value_->is_null(); }

  [[noreturn]] void fail_here(const std::string& message) const { fail(*file_, message, pointer_); }

  std::optional<Node> get(const std::string& key) const {
    if (!value_->is_object()) fail_here("expected an object");
    const auto it = value_->find(key);
    if (it == value_->end()) return std::nullopt;
    return Node(file_, &*it, child_pointer(pointer_, key));
  }
  Node at(const std::string& key) const {
    if (auto n = get(key)) return *n;
    fail_here(fmt::format("missing key \"{}\"", key));
  }
  std::vector<Node> items() const {
    if (!value_->is_array()) fail_here("expected an array");
    std::vector<Node> out;
    for (std::size_t i = 0; i < value_->size(); ++i) {
      out.emplace_back(file_, &(*value_)[i], pointer_ + "/" + std::to_string(i));
    }
    return out;
  }
  std::string text() const {
    if (!value_->is_string()) fail_here(fmt::format("expected a string (got {})", value_->dump()));
    return value_->get<std::string>();
  }
  /// A number, or nullopt for null (a statistic that is undefined, such as the sd of one value).
  std::optional<double> number_or_null() const {
    if (value_->is_null()) return std::nullopt;
    if (!value_->is_number()) {
      fail_here(fmt::format("expected a number or null (got {})", value_->dump()));
    }
    return value_->get<double>();
  }
  double number() const {
    if (!value_->is_number()) fail_here(fmt::format("expected a number (got {})", value_->dump()));
    return value_->get<double>();
  }
  std::optional<double> number_at(const std::string& key) const {
    const auto n = get(key);
    return n ? n->number_or_null() : std::nullopt;
  }

 private:
  const fs::path* file_;
  const json* value_;
  std::string pointer_;
};

// ---------------------------------------------------------------------------------------------
// Text

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string usd(double x) {
  const double a = std::abs(x);
  const char* sign = x < 0 ? "-" : "";
  if (a >= 1e9) return fmt::format("{}${:.2f}B", sign, a / 1e9);
  if (a >= 1e6) return fmt::format("{}${:.2f}M", sign, a / 1e6);
  if (a >= 1e3) return fmt::format("{}${:.1f}k", sign, a / 1e3);
  return fmt::format("{}${:.0f}", sign, a);
}

std::string percent(double fraction) { return fmt::format("{:.1f}%", 100.0 * fraction); }

/// Tells a metric's unit from its name, as aidc names metrics ("..._usd", "utilization").
bool is_usd_metric(const std::string& metric) { return metric.find("_usd") != std::string::npos; }

bool is_fraction_metric(const std::string& metric) {
  return metric == "utilization" || metric.ends_with("_fraction") || metric == "finance_irr" ||
         metric == "finance_roic";
}

std::string format_metric(const std::string& metric, double x) {
  if (is_usd_metric(metric)) return usd(x);
  if (is_fraction_metric(metric)) return percent(x);
  return fmt::format("{:.4g}", x);
}

/// A d3 format for axes of `metric`.
std::string axis_format(const std::string& metric) {
  if (is_usd_metric(metric)) return "$~s";
  if (is_fraction_metric(metric)) return ".0%";
  return "~s";
}

// ---------------------------------------------------------------------------------------------
// The page

/// One section of the page: a chart with its caption, or a note alone.
struct Block {
  std::string heading;
  std::string id;  // the chart's element id; empty for a note alone
  json spec;       // the chart's Vega-Lite specification
  std::string caption;
  std::string note;  // shown under the heading when a chart is missing or partial
};

struct Page {
  std::string title;
  std::string subtitle;
  std::vector<std::pair<std::string, std::string>> facts;  // label, value
  std::vector<Block> blocks;
};

void add_chart(Page& page, std::string heading, std::string id, json spec, std::string caption) {
  page.blocks.push_back(
      Block{std::move(heading), std::move(id), std::move(spec), std::move(caption), ""});
}

void add_note(Page& page, std::string heading, std::string note) {
  page.blocks.push_back(Block{std::move(heading), "", json(), "", std::move(note)});
}

/// A Vega-Lite specification with `values` inlined.
json vega_lite(json values) {
  json spec;
  spec["$schema"] = "https://vega.github.io/schema/vega-lite/v6.json";
  spec["data"]["values"] = std::move(values);
  return spec;
}

/// A time axis over ISO dates ("2026-01-01"), read and shown in UTC so a date never shifts by
/// the viewer's time zone.
json time_x(const std::string& field) {
  return {{"field", field}, {"type", "temporal"}, {"scale", {{"type", "utc"}}}, {"title", nullptr}};
}

json usd_y(const std::string& field, const std::string& title) {
  return {
      {"field", field}, {"type", "quantitative"}, {"title", title}, {"axis", {{"format", "$~s"}}}};
}

json tooltip_field(const std::string& field, const std::string& title, const std::string& type,
                   const std::string& format = "") {
  json t = {{"field", field}, {"title", title}, {"type", type}};
  if (type == "temporal") t["scale"] = {{"type", "utc"}};
  if (type == "temporal") t["format"] = "%Y-%m-%d";
  if (type == "temporal") t["formatType"] = "utc";
  if (!format.empty()) t["format"] = format;
  return t;
}

// The colors of the work classes and of idle and down GPUs, the same in every chart.
const std::map<std::string, std::string>& layer_colors() {
  static const std::map<std::string, std::string> colors = [] {
    std::map<std::string, std::string> out{{"idle", "#d4d4d4"}, {"down", "#e45756"}};
    for (const auto& c : kWorkClasses) out.emplace(std::string(c.name), std::string(c.color));
    return out;
  }();
  return colors;
}

json color_scale(const std::vector<std::string>& layers) {
  json range = json::array();
  for (const auto& l : layers) {
    const auto it = layer_colors().find(l);
    range.push_back(it == layer_colors().end() ? "#888888" : it->second);
  }
  return {{"domain", layers}, {"range", range}};
}

/// JSON for a <script type="application/json"> element: "<" only occurs inside strings, where
/// \u003c means the same, so no "</script>" can close the element early.
std::string script_json(const json& j) {
  const std::string text = j.dump(-1, ' ', false, json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '<') {
      out += "\\u003c";
    } else {
      out += c;
    }
  }
  return out;
}

/// A bundle for a <script> element: "</script" (in a string or a regular expression) is
/// written "<\/script", which reads the same; the source-map comment points at no file here.
std::string script_js(std::string_view code) {
  auto is_script = [](std::string_view text) {
    constexpr std::string_view kScript = "script";
    if (text.size() < kScript.size()) return false;
    for (std::size_t i = 0; i < kScript.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(text[i])) != kScript[i]) return false;
    }
    return true;
  };
  std::string out;
  out.reserve(code.size() + 16);
  for (std::size_t i = 0; i < code.size();) {
    const std::size_t next = code.find("</", i);
    if (next == std::string_view::npos) {
      out.append(code.substr(i));
      break;
    }
    out.append(code.substr(i, next + 1 - i));
    if (is_script(code.substr(next + 2))) out += '\\';
    i = next + 1;
  }
  // Only a comment on the last line is the bundle's own source-map reference.
  const std::size_t map = out.rfind("//# sourceMappingURL=");
  if (map != std::string::npos && (map == 0 || out[map - 1] == '\n') &&
      out.find_first_not_of(
          " \r\n", out.find('\n', map) == std::string::npos ? out.size() : out.find('\n', map)) ==
          std::string::npos) {
    return out.substr(0, map);
  }
  return out;
}

const char* const kStyle = R"(
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0;
       color: #222; background: #fafafa; }
header { background: #fff; border-bottom: 1px solid #ddd; padding: 1.2em 2em 0.6em; }
header h1 { margin: 0 0 0.2em; font-size: 1.5em; }
header .subtitle { margin: 0 0 0.8em; color: #666; }
dl.facts { display: flex; flex-wrap: wrap; gap: 0.6em 2.2em; margin: 0 0 0.6em; }
dl.facts div { min-width: 7em; }
dl.facts dt { font-size: 0.8em; color: #666; text-transform: uppercase; letter-spacing: 0.03em; }
dl.facts dd { margin: 0; font-size: 1.25em; font-variant-numeric: tabular-nums; }
main { padding: 0.5em 2em 2em; max-width: 1100px; }
section { background: #fff; border: 1px solid #e3e3e3; border-radius: 6px; margin: 1.2em 0;
          padding: 0.8em 1.2em; }
section h2 { font-size: 1.1em; margin: 0.2em 0 0.6em; }
.chart { width: 100%; min-height: 60px; }
.chart.error { color: #b00020; white-space: pre-wrap; }
.caption { color: #555; font-size: 0.9em; margin: 0.6em 0 0.2em; }
.note { color: #7a5b00; background: #fff8e1; border-left: 3px solid #f0c000; padding: 0.4em 0.8em;
        font-size: 0.9em; }
footer { color: #888; font-size: 0.8em; padding: 0 2em 2em; }
)";

// Draws every chart; data-rendered tells a reader (or a test) when each has been drawn.
const char* const kBoot = R"(
(function () {
  var specs = JSON.parse(document.getElementById('aidc-specs').textContent);
  function failed(el, err) {
    el.setAttribute('data-rendered', 'error');
    el.classList.add('error');
    el.textContent = 'This chart could not be drawn: ' + (err && err.message ? err.message : err);
  }
  Object.keys(specs).forEach(function (id) {
    var el = document.getElementById(id);
    try {
      vegaEmbed(el, specs[id], {actions: false, renderer: 'svg'})
        .then(function () { el.setAttribute('data-rendered', 'true'); })
        .catch(function (err) { failed(el, err); });
    } catch (err) {
      failed(el, err);
    }
  });
  var v = document.getElementById('aidc-versions');
  if (v && typeof vega !== 'undefined' && typeof vegaLite !== 'undefined') {
    v.textContent = 'Vega ' + vega.version + ', Vega-Lite ' + vegaLite.version +
      (typeof vegaEmbed !== 'undefined' ? ', Vega-Embed ' + vegaEmbed.version : '');
  }
})();
)";

std::string render_html(const Page& page, const fs::path& dir) {
  std::string out;
  out.reserve(1200000);
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += fmt::format("<meta name=\"generator\" content=\"aidc {}\">\n", AIDC_VERSION);
  out += fmt::format("<title>{}</title>\n<style>{}</style>\n", html_escape(page.title), kStyle);
  out +=
      "<!-- Vega, Vega-Lite and Vega-Embed: Copyright (c) the University of Washington "
      "Interactive Data Lab, BSD-3-Clause license; Vega-Embed bundles fast-json-patch (MIT), "
      "json-stringify-pretty-compact (MIT), semver (ISC) and tslib (0BSD). -->\n";
  for (const char* bundle : {detail::kVegaMinJs, detail::kVegaLiteMinJs, detail::kVegaEmbedMinJs}) {
    out += "<script>";
    out += script_js(bundle);
    out += "</script>\n";
  }
  out += "</head>\n<body>\n<header>\n";
  out += fmt::format("<h1>{}</h1>\n", html_escape(page.title));
  out += fmt::format("<p class=\"subtitle\">{}</p>\n", html_escape(page.subtitle));
  if (!page.facts.empty()) {
    out += "<dl class=\"facts\">\n";
    for (const auto& [label, value] : page.facts) {
      out += fmt::format("<div><dt>{}</dt><dd>{}</dd></div>\n", html_escape(label),
                         html_escape(value));
    }
    out += "</dl>\n";
  }
  out += "</header>\n<main>\n";
  json specs = json::object();
  for (const auto& b : page.blocks) {
    out += fmt::format("<section>\n<h2>{}</h2>\n", html_escape(b.heading));
    if (!b.note.empty()) out += fmt::format("<p class=\"note\">{}</p>\n", html_escape(b.note));
    if (!b.id.empty()) {
      out += fmt::format("<div class=\"chart\" id=\"{}\"></div>\n", html_escape(b.id));
      specs[b.id] = b.spec;
    }
    if (!b.caption.empty()) {
      out += fmt::format("<p class=\"caption\">{}</p>\n", html_escape(b.caption));
    }
    out += "</section>\n";
  }
  out += "</main>\n";
  out += fmt::format(
      "<footer>Made by aidc {} from {}. Charts drawn by <span id=\"aidc-versions\">Vega-Lite</span>"
      ".</footer>\n",
      AIDC_VERSION, html_escape(dir.string()));
  out += "<script type=\"application/json\" id=\"aidc-specs\">";
  out += script_json(specs);
  out += "</script>\n<script>";
  out += kBoot;
  out += "</script>\n</body>\n</html>\n";
  return out;
}

// ---------------------------------------------------------------------------------------------
// Time series of a run folder, summed over pools by period

std::vector<std::string> class_names() {
  std::vector<std::string> names;
  for (const auto& c : kWorkClasses) names.emplace_back(c.name);
  return names;
}

bool is_rented(const std::string& work_class) {
  const auto c = class_from_name(work_class);
  return c && !is_internal(*c);
}

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

struct Timeseries {
  bool has_finance = false;
  std::vector<Period> periods;  // in order of period index
};

/// The realized on-demand price of a GPU type in a period, from its revenue and hours.
struct PriceSum {
  double revenue = 0, hours = 0;
};

/// Reads timeseries.csv; with `summary` (for break-even prices) it also values the fleet at
/// market prices (see market_value_caption()).
Timeseries read_timeseries(const fs::path& path, const json* summary) {
  const Csv csv = Csv::read(path);
  const auto classes = class_names();
  const std::size_t c_period = csv.column("period");
  const std::size_t c_start = csv.column("period_start");
  const std::size_t c_end = csv.column("period_end");
  const std::size_t c_gpu = csv.column("gpu");
  const std::size_t c_installed = csv.column("installed_gpu_hours");
  const std::size_t c_busy = csv.column("busy_gpu_hours");
  const std::size_t c_idle = csv.column("idle_gpu_hours");
  const std::size_t c_down = csv.column("down_gpu_hours");
  std::vector<std::size_t> c_class;
  for (const auto& name : classes) c_class.push_back(csv.column(name + "_gpu_hours"));

  Timeseries ts;
  ts.has_finance = csv.has("revenue_usd");
  std::size_t c_revenue = 0, c_internal = 0, c_ebitda = 0, c_depreciation = 0, c_fcf = 0, c_nbv = 0;
  std::vector<std::size_t> c_class_revenue;
  if (ts.has_finance) {
    c_revenue = csv.column("revenue_usd");
    c_internal = csv.column("internal_value_usd");
    c_ebitda = csv.column("ebitda_usd");
    c_depreciation = csv.column("depreciation_usd");
    c_fcf = csv.column("free_cash_flow_usd");
    c_nbv = csv.column("net_book_value_usd");
    for (const auto& name : classes) c_class_revenue.push_back(csv.column(name + "_revenue_usd"));
  }

  std::map<long, Period> by_index;
  std::map<std::pair<long, std::string>, PriceSum> on_demand;  // (period, gpu)
  const std::size_t od = index(WorkClass::on_demand);
  for (std::size_t r = 0; r < csv.size(); ++r) {
    const double index = csv.number(r, c_period);
    if (index != std::floor(index) || index < 0) {
      fail(path, fmt::format("line {}, column \"period\": expected a whole number (got \"{}\")",
                             csv.line(r), csv.text(r, c_period)));
    }
    const long key = static_cast<long>(index);
    Period& p = by_index[key];
    if (p.start.empty()) {
      p.index = key;
      p.start = csv.text(r, c_start);
      p.end = csv.text(r, c_end);
      if (!parse_date(p.start) || !parse_date(p.end)) {
        fail(path, fmt::format("period {}: expected dates like 2026-01-01 (got \"{}\" and \"{}\")",
                               key, p.start, p.end));
      }
    }
    p.installed += csv.number(r, c_installed);
    p.busy += csv.number(r, c_busy);
    p.idle += csv.number(r, c_idle);
    p.down += csv.number(r, c_down);
    for (std::size_t c = 0; c < kClassCount; ++c) p.class_hours[c] += csv.number(r, c_class[c]);
    if (ts.has_finance) {
      p.revenue += csv.number(r, c_revenue);
      p.internal_value += csv.number(r, c_internal);
      p.ebitda += csv.number(r, c_ebitda);
      p.free_cash_flow += csv.number(r, c_fcf);
      p.net_book_value += csv.number(r, c_nbv);
      for (std::size_t c = 0; c < kClassCount; ++c) {
        p.class_revenue[c] += csv.number(r, c_class_revenue[c]);
      }
      PriceSum& s = on_demand[{key, csv.text(r, c_gpu)}];
      s.revenue += csv.number(r, c_class_revenue[od]);
      s.hours += csv.number(r, c_class[od]);
    }
  }

  // Market value, pool by pool: the period's earnings with every busy GPU-hour at the market
  // price, less the period's cash costs, kept up for the periods left on the book schedule.
  if (ts.has_finance) {
    for (auto& [key, p] : by_index) p.market_value = 0.0;
    for (std::size_t r = 0; r < csv.size(); ++r) {
      const long key = static_cast<long>(csv.number(r, c_period));
      Period& p = by_index[key];
      const std::string gpu = csv.text(r, c_gpu);
      std::optional<double> price;
      const PriceSum& s = on_demand[{key, gpu}];
      if (s.hours > 0) {
        price = s.revenue / s.hours;
      } else if (summary) {
        const json* be = nullptr;
        if (summary->contains("finance") && (*summary)["finance"].is_object()) {
          const json& f = (*summary)["finance"];
          if (f.contains("break_even_rental_price") && f["break_even_rental_price"].is_object() &&
              f["break_even_rental_price"].contains(gpu)) {
            be = &f["break_even_rental_price"][gpu];
          }
        }
        if (be && be->is_object() && be->contains("full_cost_usd_per_gpu_hour") &&
            (*be)["full_cost_usd_per_gpu_hour"].is_number()) {
          price = (*be)["full_cost_usd_per_gpu_hour"].get<double>();
        }
      }
      const double book = csv.number(r, c_nbv);
      const double depreciation = csv.number(r, c_depreciation);
      if (depreciation <= 0) {
        *p.market_value += book;  // nothing left to depreciate: counted at book value
        continue;
      }
      if (!price) {
        *p.market_value += book;  // no market price for this type in the run: at book value
        continue;
      }
      const double cash_costs =
          csv.number(r, c_revenue) + csv.number(r, c_internal) - csv.number(r, c_ebitda);
      const double earnings = csv.number(r, c_busy) * *price - cash_costs;
      *p.market_value += std::max(earnings, 0.0) * book / depreciation;
    }
  }
  for (auto& [key, p] : by_index) ts.periods.push_back(std::move(p));
  return ts;
}

/// Rows for a step chart: one per period at its start, and a last one at the end of the last
/// period, so each value holds over its whole period.
template <typename Row>
void append_steps(json& values, const std::vector<Period>& periods, Row row) {
  for (const auto& p : periods) values.push_back(row(p, p.start));
  if (!periods.empty()) values.push_back(row(periods.back(), periods.back().end));
}

std::string market_value_caption() {
  return "Market value is what the fleet can still earn at market prices, as the impairment test "
         "reckons it: for each pool, the period's busy GPU-hours at the period's realized "
         "on-demand price for its GPU type (the break-even price with depreciation from "
         "summary.json where nothing was rented on demand), less the period's cash costs, "
         "floored at zero and kept up for the periods left on the book schedule (net book value "
         "divided by the period's depreciation), undiscounted. A pool that no longer "
         "depreciates, or whose GPU type has no price in the run (never rented on demand and no "
         "break-even price), counts at its book value.";
}

// ---------------------------------------------------------------------------------------------
// Run folder

void utilization_chart(Page& page, const Timeseries& ts, const std::string& id,
                       const std::string& heading) {
  const auto classes = class_names();
  std::vector<std::string> layers;
  std::vector<std::function<double(const Period&)>> value_of;
  for (std::size_t c = 0; c < kClassCount; ++c) {
    bool used = false;
    for (const auto& p : ts.periods) used = used || p.class_hours[c] > 0;
    if (!used) continue;
    layers.push_back(classes[c]);
    value_of.emplace_back([c](const Period& p) { return p.class_hours[c]; });
  }
  layers.emplace_back("idle");
  value_of.emplace_back([](const Period& p) { return p.idle; });
  bool any_down = false;
  for (const auto& p : ts.periods) any_down = any_down || p.down > 0;
  if (any_down) {
    layers.emplace_back("down");
    value_of.emplace_back([](const Period& p) { return p.down; });
  }
  json values = json::array();
  for (std::size_t k = 0; k < layers.size(); ++k) {
    append_steps(values, ts.periods, [&](const Period& p, const std::string& t) {
      const double v = value_of[k](p);
      return json{{"t", t},
                  {"layer", layers[k]},
                  {"k", k},
                  {"v", v},
                  {"share", p.installed > 0 ? v / p.installed : 0.0}};
    });
  }
  json spec = vega_lite(values);
  spec["width"] = "container";
  spec["height"] = 280;
  spec["mark"] = {{"type", "area"}, {"interpolate", "step-after"}};
  spec["encoding"] = {
      {"x", time_x("t")},
      {"y",
       {{"field", "v"},
        {"type", "quantitative"},
        {"stack", "zero"},
        {"title", "GPU-hours per period"},
        {"axis", {{"format", "~s"}}}}},
      {"color",
       {{"field", "layer"},
        {"type", "nominal"},
        {"title", nullptr},
        {"scale", color_scale(layers)},
        {"sort", layers}}},
      {"order", {{"field", "k"}, {"type", "quantitative"}}},
      {"tooltip",
       json::array({tooltip_field("t", "period from", "temporal"),
                    tooltip_field("layer", "use", "nominal"),
                    tooltip_field("v", "GPU-hours", "quantitative", ",.0f"),
                    tooltip_field("share", "share of installed", "quantitative", ".1%")})}};
  add_chart(page, heading, id, spec,
            "GPU-hours of each period summed over the pools: the work classes that held GPUs, "
            "then idle and down GPUs, so the stack reaches the installed GPU-hours.");
}

void revenue_and_price_charts(Page& page, const Timeseries& ts) {
  const auto classes = class_names();
  std::vector<std::size_t> rented;
  for (std::size_t c = 0; c < kClassCount; ++c) {
    if (!is_rented(classes[c])) continue;
    bool used = false;
    for (const auto& p : ts.periods) used = used || p.class_hours[c] > 0 || p.class_revenue[c] > 0;
    if (used) rented.push_back(c);
  }
  if (rented.empty()) {
    add_note(page, "Rental revenue and price",
             "No GPU-hours were rented (reserved, on-demand or spot) in this run, so there is no "
             "rental revenue or realized price to show.");
    return;
  }
  std::vector<std::string> layers;
  for (const std::size_t c : rented) layers.push_back(classes[c]);

  json revenue = json::array();
  json price = json::array();
  for (std::size_t k = 0; k < rented.size(); ++k) {
    const std::size_t c = rented[k];
    append_steps(revenue, ts.periods, [&](const Period& p, const std::string& t) {
      return json{{"t", t}, {"layer", classes[c]}, {"k", k}, {"v", p.class_revenue[c]}};
    });
    append_steps(price, ts.periods, [&](const Period& p, const std::string& t) {
      const double h = p.class_hours[c];
      return json{{"t", t},
                  {"layer", classes[c]},
                  {"v", h > 0 ? json(p.class_revenue[c] / h) : json(nullptr)},
                  {"h", h}};
    });
  }
  json r = vega_lite(revenue);
  r["width"] = "container";
  r["height"] = 220;
  r["mark"] = {{"type", "area"}, {"interpolate", "step-after"}};
  r["encoding"] = {
      {"x", time_x("t")},
      {"y", usd_y("v", "revenue per period (USD)")},
      {"color",
       {{"field", "layer"},
        {"type", "nominal"},
        {"title", nullptr},
        {"scale", color_scale(layers)},
        {"sort", layers}}},
      {"order", {{"field", "k"}, {"type", "quantitative"}}},
      {"tooltip", json::array({tooltip_field("t", "period from", "temporal"),
                               tooltip_field("layer", "class", "nominal"),
                               tooltip_field("v", "revenue (USD)", "quantitative", "$,.0f")})}};
  r["encoding"]["y"]["stack"] = "zero";
  add_chart(page, "Rental revenue by class", "revenue", r,
            "Revenue of each rented class in each period, summed over the pools.");

  json pr = vega_lite(price);
  pr["width"] = "container";
  pr["height"] = 220;
  pr["mark"] = {{"type", "line"}, {"interpolate", "step-after"}, {"point", false}};
  pr["encoding"] = {
      {"x", time_x("t")},
      {"y",
       {{"field", "v"},
        {"type", "quantitative"},
        {"title", "USD per GPU-hour"},
        {"axis", {{"format", "$.2f"}}}}},
      {"color",
       {{"field", "layer"},
        {"type", "nominal"},
        {"title", nullptr},
        {"scale", color_scale(layers)},
        {"sort", layers}}},
      {"tooltip", json::array({tooltip_field("t", "period from", "temporal"),
                               tooltip_field("layer", "class", "nominal"),
                               tooltip_field("v", "USD per GPU-hour", "quantitative", "$.3f"),
                               tooltip_field("h", "GPU-hours", "quantitative", ",.0f")})}};
  add_chart(page, "Realized rental price", "price", pr,
            "Effective price of each rented class: its revenue divided by its GPU-hours in the "
            "period, over all pools; a gap means the class rented nothing that period.");
}

void waterfall_chart(Page& page, const Node& finance) {
  struct Step {
    std::string label, kind;
    double amount;
  };
  std::vector<Step> steps;
  const double revenue = finance.at("revenue_usd").at("total").number();
  const double internal = finance.at("internal_value_usd").at("total").number();
  steps.push_back({"revenue", "increase", revenue});
  if (internal != 0) steps.push_back({"internal value", "increase", internal});
  const Node costs = finance.at("costs_usd");
  if (!costs.value().is_object()) costs.fail_here("expected an object");
  for (auto it = costs.value().begin(); it != costs.value().end(); ++it) {
    const std::string& name = it.key();
    if (name == "total") continue;
    const double x = costs.at(name).number();
    if (x != 0) steps.push_back({name, "decrease", -x});
  }
  const double ebitda = finance.at("ebitda_usd").number();
  steps.push_back({"EBITDA", "total", ebitda});
  steps.push_back({"depreciation", "decrease", -finance.at("depreciation_usd").number()});
  const double impairment = finance.number_at("impairment_usd").value_or(0.0);
  if (impairment != 0) steps.push_back({"impairment", "decrease", -impairment});
  const double disposals = finance.number_at("disposal_gain_usd").value_or(0.0);
  if (disposals != 0) {
    steps.push_back({disposals > 0 ? "gain on disposals" : "loss on disposals",
                     disposals > 0 ? "increase" : "decrease", disposals});
  }
  const double ebit = finance.at("ebit_usd").number();
  steps.push_back({"EBIT", "total", ebit});
  // Below EBIT, when the summary has the entity's lines: interest and income tax.
  if (const auto net = finance.number_at("net_income_usd")) {
    const double interest = finance.number_at("interest_usd").value_or(0.0);
    if (interest != 0) steps.push_back({"interest", "decrease", -interest});
    double tax = 0;
    if (const auto t = finance.get("income_tax_usd")) tax = t->number_at("total").value_or(0.0);
    if (tax != 0) steps.push_back({"income tax", tax > 0 ? "decrease" : "increase", -tax});
    steps.push_back({"net income", "total", *net});
  }

  json values = json::array();
  double level = 0;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const Step& s = steps[i];
    double from = level, to = level + s.amount;
    if (s.kind == "total") {
      from = 0;
      to = s.amount;
      level = s.amount;  // a subtotal restarts from the reported figure
    } else {
      level = to;
    }
    values.push_back({{"label", s.label},
                      {"k", i},
                      {"kind", s.kind},
                      {"from", from},
                      {"to", to},
                      {"top", std::max(from, to)},
                      {"amount", s.amount},
                      {"text", usd(s.amount)}});
  }
  std::vector<std::string> order;
  for (const auto& s : steps) order.push_back(s.label);
  json spec = vega_lite(values);
  spec["width"] = "container";
  spec["height"] = 300;
  spec["encoding"] = {{"x",
                       {{"field", "label"},
                        {"type", "nominal"},
                        {"sort", order},
                        {"title", nullptr},
                        {"axis", {{"labelAngle", 0}}}}}};
  json bar;
  bar["mark"] = {{"type", "bar"}, {"width", {{"band", 0.7}}}};
  bar["encoding"] = {
      {"y", usd_y("from", "USD over the run")},
      {"y2", {{"field", "to"}}},
      {"color",
       {{"field", "kind"},
        {"type", "nominal"},
        {"title", nullptr},
        {"scale",
         {{"domain", {"increase", "decrease", "total"}},
          {"range", {"#54a24b", "#e45756", "#4c78a8"}}}}}},
      {"tooltip", json::array({tooltip_field("label", "item", "nominal"),
                               tooltip_field("amount", "USD", "quantitative", "$,.0f")})}};
  json text;
  text["mark"] = {{"type", "text"}, {"dy", -6}, {"fontSize", 11}};
  text["encoding"] = {{"y", {{"field", "top"}, {"type", "quantitative"}}},
                      {"text", {{"field", "text"}}}};
  spec["layer"] = json::array({bar, text});
  add_chart(page, "Profit and loss over the run", "waterfall", spec,
            "From summary.json: revenue and the internal value of the operator's own work, less "
            "each cash cost, give EBITDA; less depreciation and impairment, and with the gain or "
            "loss on disposals, EBIT; less interest and income tax (current and deferred), net "
            "income. Green bars add, red bars subtract, blue bars are totals as reported.");
}

void cash_chart(Page& page, const Timeseries& ts, const Node& finance) {
  json values = json::array();
  // The stated opening value is an outflow when the window opens.
  double opening = 0;
  if (const auto o = finance.get("opening_value")) opening = o->number_at("usd").value_or(0.0);
  double cumulative = -opening;
  values.push_back({{"t", ts.periods.front().start}, {"v", cumulative}, {"fcf", -opening}});
  for (const auto& p : ts.periods) {
    cumulative += p.free_cash_flow;
    values.push_back({{"t", p.end}, {"v", cumulative}, {"fcf", p.free_cash_flow}});
  }
  const std::optional<double> npv = finance.number_at("npv_usd");
  const std::optional<double> rate = finance.number_at("discount_rate");
  json spec = vega_lite(values);
  spec["width"] = "container";
  spec["height"] = 260;
  json line;
  line["mark"] = {{"type", "line"}, {"point", true}};
  line["encoding"] = {
      {"x", time_x("t")},
      {"y", usd_y("v", "cumulative free cash flow (USD)")},
      {"tooltip",
       json::array({tooltip_field("t", "to", "temporal"),
                    tooltip_field("v", "cumulative (USD)", "quantitative", "$,.0f"),
                    tooltip_field("fcf", "this period (USD)", "quantitative", "$,.0f")})}};
  json layers = json::array({line});
  std::string caption =
      "Free cash flow to the firm of each period (the pools' rows and the entity's tax line of "
      "timeseries.csv), accumulated from the opening value, an outflow when the statistics "
      "window opens; capex is an outflow in the period it is paid, disposal proceeds an "
      "inflow. Payback is where the line crosses zero.";
  if (npv) {
    const std::string label =
        rate ? fmt::format("NPV at {:.0f}%: {}", 100.0 * *rate, usd(*npv)) : "NPV: " + usd(*npv);
    json rule;
    rule["data"]["values"] = json::array({{{"npv", *npv}, {"label", label}}});
    rule["mark"] = {{"type", "rule"}, {"strokeDash", {6, 4}}, {"color", "#b279a2"}};
    rule["encoding"] = {{"y", {{"field", "npv"}, {"type", "quantitative"}}}};
    json text;
    text["data"]["values"] = json::array({{{"npv", *npv}, {"label", label}}});
    text["mark"] = {
        {"type", "text"}, {"align", "left"}, {"x", 4}, {"dy", -7}, {"color", "#7b3f73"}};
    text["encoding"] = {{"y", {{"field", "npv"}, {"type", "quantitative"}}},
                        {"text", {{"field", "label"}}}};
    layers.push_back(rule);
    layers.push_back(text);
    caption +=
        " The dashed rule is the NPV from summary.json: the same flows discounted, with the "
        "terminal value (the method summary.json states) as an inflow at the horizon.";
  }
  spec["layer"] = layers;
  add_chart(page, "Cumulative free cash flow and NPV", "cash", spec, caption);
}

void value_chart(Page& page, const Timeseries& ts, const Node& finance) {
  json values = json::array();
  if (const auto opening = finance.number_at("opening_net_book_value_usd")) {
    values.push_back(
        {{"t", ts.periods.front().start}, {"series", "net book value"}, {"v", *opening}});
  }
  bool any_market = false;
  for (const auto& p : ts.periods) {
    values.push_back({{"t", p.end}, {"series", "net book value"}, {"v", p.net_book_value}});
    if (p.market_value) {
      any_market = true;
      values.push_back({{"t", p.end}, {"series", "market value"}, {"v", *p.market_value}});
    }
  }
  json spec = vega_lite(values);
  spec["width"] = "container";
  spec["height"] = 260;
  spec["mark"] = {{"type", "line"}, {"point", true}};
  spec["encoding"] = {
      {"x", time_x("t")},
      {"y", usd_y("v", "USD at the period's end")},
      {"color",
       {{"field", "series"},
        {"type", "nominal"},
        {"title", nullptr},
        {"scale",
         {{"domain", {"net book value", "market value"}}, {"range", {"#4c78a8", "#f58518"}}}}}},
      {"tooltip", json::array({tooltip_field("t", "at", "temporal"),
                               tooltip_field("series", "series", "nominal"),
                               tooltip_field("v", "USD", "quantitative", "$,.0f")})}};
  Block& b = page.blocks.emplace_back();
  b.heading = "Net book value and market value of the fleet";
  b.id = "value";
  b.spec = spec;
  b.caption =
      "Net book value summed over the pools at each period's end. " + market_value_caption();
  if (!any_market) {
    b.note =
        "No period could be valued at market prices: nothing was rented on demand and "
        "summary.json has no break-even price for the GPU types.";
  }
}

Page run_page(const fs::path& dir) {
  const fs::path summary_path = dir / "summary.json";
  const json summary = read_json(summary_path);
  const Node root(&summary_path, &summary, "");
  if (!summary.is_object()) root.fail_here("expected an object");
  const Timeseries ts = read_timeseries(dir / "timeseries.csv", &summary);

  Page page;
  const std::string name =
      root.get("scenario") ? root.at("scenario").text() : dir.filename().string();
  page.title = "aidc run: " + name;
  page.subtitle = "Report of the run folder " + dir.string();
  if (const auto seed = root.number_at("seed")) {
    page.facts.emplace_back("seed", fmt::format("{:.0f}", *seed));
  }
  if (const auto start = root.get("start"); start && start->value().is_string()) {
    page.facts.emplace_back("start", start->text());
  }
  if (const auto window = root.get("window_hours")) {
    const auto begin = window->number_at("begin");
    const auto end = window->number_at("end");
    if (begin && end)
      page.facts.emplace_back("window", fmt::format("{:.0f} days", (*end - *begin) / 24.0));
  }
  if (const auto u = root.number_at("utilization"))
    page.facts.emplace_back("utilization", percent(*u));
  std::optional<Node> finance = root.get("finance");
  if (finance && finance->is_null()) finance.reset();
  if (finance) {
    if (const auto npv = finance->number_at("npv_usd")) {
      const auto rate = finance->number_at("discount_rate");
      page.facts.emplace_back(rate ? fmt::format("NPV at {:.0f}%", 100.0 * *rate) : "NPV",
                              usd(*npv));
    }
    if (const auto irr = finance->get("irr")) {
      const auto x = irr->number_or_null();
      page.facts.emplace_back("IRR", x ? percent(*x) : "none");
    }
    if (const auto payback = finance->get("payback_years")) {
      const auto x = payback->number_or_null();
      page.facts.emplace_back("payback", x ? fmt::format("{:.2f} years", *x) : "never");
    }
    if (const auto ebitda = finance->number_at("ebitda_usd")) {
      page.facts.emplace_back("EBITDA", usd(*ebitda));
    }
  }

  if (ts.periods.empty()) {
    add_note(page, "GPU use by class", "timeseries.csv has no rows, so there is nothing to chart.");
    return page;
  }
  utilization_chart(page, ts, "utilization", "GPU use by class");
  if (!ts.has_finance || !finance) {
    add_note(page, "Finance",
             "This scenario has no finance section, so timeseries.csv has no revenue, cost or "
             "book value columns: only GPU use is charted.");
    return page;
  }
  revenue_and_price_charts(page, ts);
  waterfall_chart(page, *finance);
  cash_chart(page, ts, *finance);
  value_chart(page, ts, *finance);
  // The definitions the figures used, as summary.json states them.
  if (const auto conventions = finance->get("conventions");
      conventions && conventions->value().is_object()) {
    std::string text;
    for (auto it = conventions->value().begin(); it != conventions->value().end(); ++it) {
      if (!it.value().is_string()) continue;
      if (!text.empty()) text += " ";
      text += fmt::format("{}: {}.", it.key(), it.value().get<std::string>());
    }
    if (!text.empty()) add_note(page, "Definitions", text);
  }
  return page;
}

// ---------------------------------------------------------------------------------------------
// Comparison folder

const std::vector<std::string>& headline_compare_metrics() {
  static const std::vector<std::string> names{"finance_npv_usd", "finance_ebitda_usd",
                                              "finance_revenue_usd_total", "utilization"};
  return names;
}

struct EstimateRow {
  std::string plan;
  std::optional<double> mean, low, high;
};

std::vector<EstimateRow> estimate_rows(const Node& list) {
  std::vector<EstimateRow> rows;
  for (const Node& item : list.items()) {
    EstimateRow row;
    row.plan = item.at("plan").text();
    row.mean = item.number_at("mean");
    row.low = item.number_at("ci95_low");
    row.high = item.number_at("ci95_high");
    rows.push_back(row);
  }
  return rows;
}

/// Bars (or points) per plan with 95% confidence intervals, one panel per metric.
json estimate_panels(const json& values, const std::vector<std::string>& plans, bool differences) {
  std::vector<std::string> metrics;
  for (const auto& v : values) {
    const auto m = v.at("metric").get<std::string>();
    if (std::find(metrics.begin(), metrics.end(), m) == metrics.end()) metrics.push_back(m);
  }
  json x = {{"field", "plan"},
            {"type", "nominal"},
            {"sort", plans},
            {"title", nullptr},
            {"axis", {{"labelAngle", -30}}}};
  json panels = json::array();
  for (const auto& metric : metrics) {
    json main;
    if (differences) {
      main["mark"] = {{"type", "point"}, {"filled", true}, {"size", 70}, {"color", "#4c78a8"}};
    } else {
      main["mark"] = {{"type", "bar"}, {"color", "#4c78a8"}, {"opacity", 0.85}};
    }
    main["encoding"] = {{"x", x},
                        {"y",
                         {{"field", "mean"},
                          {"type", "quantitative"},
                          {"title", nullptr},
                          {"axis", {{"format", axis_format(metric)}}}}},
                        {"tooltip", json::array({tooltip_field("plan", "plan", "nominal"),
                                                 tooltip_field("metric", "metric", "nominal"),
                                                 tooltip_field("text", "mean", "nominal"),
                                                 tooltip_field("ci", "95% CI", "nominal")})}};
    json bars;
    bars["mark"] = {{"type", "rule"}, {"color", "#222"}};
    bars["encoding"] = {
        {"x", x}, {"y", {{"field", "low"}, {"type", "quantitative"}}}, {"y2", {{"field", "high"}}}};
    json ticks;
    ticks["mark"] = {{"type", "tick"}, {"color", "#222"}, {"size", 10}, {"thickness", 1}};
    json ticks_high = ticks;
    ticks["encoding"] = {{"x", x}, {"y", {{"field", "low"}, {"type", "quantitative"}}}};
    ticks_high["encoding"] = {{"x", x}, {"y", {{"field", "high"}, {"type", "quantitative"}}}};
    json layer = json::array({main, bars, ticks, ticks_high});
    if (differences) {
      json zero;
      zero["mark"] = {{"type", "rule"}, {"color", "#999"}, {"strokeDash", {4, 3}}};
      zero["encoding"] = {{"y", {{"datum", 0}, {"type", "quantitative"}}}};
      layer.push_back(zero);
    }
    panels.push_back(
        {{"title", metric},
         {"transform", json::array({{{"filter", {{"field", "metric"}, {"equal", metric}}}}})},
         {"width", 170},
         {"height", 200},
         {"layer", layer}});
  }
  json spec = vega_lite(values);
  spec["hconcat"] = panels;
  return spec;
}

json estimate_value(const std::string& metric, const std::string& plan, const EstimateRow& row) {
  json v = {{"metric", metric}, {"plan", plan}, {"mean", *row.mean}};
  v["text"] = format_metric(metric, *row.mean);
  if (row.low && row.high) {
    v["low"] = *row.low;
    v["high"] = *row.high;
    v["ci"] = format_metric(metric, *row.low) + " to " + format_metric(metric, *row.high);
  } else {
    v["low"] = nullptr;
    v["high"] = nullptr;
    v["ci"] = "undefined";
  }
  return v;
}

Page compare_page(const fs::path& dir) {
  const fs::path path = dir / "comparison.json";
  const json doc = read_json(path);
  const Node root(&path, &doc, "");
  if (!doc.is_object()) root.fail_here("expected an object");
  const std::vector<Node> metrics = root.at("metrics").items();

  std::vector<std::string> plans;
  if (const auto list = root.get("plans")) {
    for (const Node& p : list->items()) plans.push_back(p.text());
  }
  std::string baseline = root.get("baseline") ? root.at("baseline").text() : "";

  // Every metric's estimates, checked whole first so bad input fails before any chart.
  struct MetricRows {
    std::string name;
    std::vector<EstimateRow> plans, differences;
  };
  std::vector<MetricRows> all;
  for (const Node& m : metrics) {
    MetricRows rows;
    rows.name = m.at("metric").text();
    rows.plans = estimate_rows(m.at("plans"));
    if (const auto d = m.get("differences")) rows.differences = estimate_rows(*d);
    for (const auto& r : rows.plans) {
      if (std::find(plans.begin(), plans.end(), r.plan) == plans.end()) plans.push_back(r.plan);
    }
    all.push_back(std::move(rows));
  }
  if (baseline.empty() && !plans.empty()) baseline = plans.front();

  std::vector<const MetricRows*> shown;
  for (const auto& name : headline_compare_metrics()) {
    for (const auto& m : all) {
      if (m.name == name) shown.push_back(&m);
    }
  }
  if (shown.empty()) {
    for (std::size_t i = 0; i < all.size() && i < 4; ++i) shown.push_back(&all[i]);
  }

  Page page;
  page.title = "aidc compare: " + (root.get("name") ? root.at("name").text()
                                                    : fmt::format("{}", fmt::join(plans, " vs ")));
  page.subtitle = "Report of the comparison folder " + dir.string();
  page.facts.emplace_back("baseline", baseline);
  page.facts.emplace_back("plans", std::to_string(plans.size()));
  if (const auto r = root.number_at("replications")) {
    page.facts.emplace_back("replications", fmt::format("{:.0f}", *r));
  }
  if (const auto s = root.number_at("seed"))
    page.facts.emplace_back("seed", fmt::format("{:.0f}", *s));

  json plan_values = json::array();
  json diff_values = json::array();
  std::vector<std::string> diff_plans;
  for (const MetricRows* m : shown) {
    for (const auto& r : m->plans) {
      if (r.mean) plan_values.push_back(estimate_value(m->name, r.plan, r));
    }
    for (const auto& r : m->differences) {
      if (!r.mean) continue;
      diff_values.push_back(estimate_value(m->name, r.plan, r));
      if (std::find(diff_plans.begin(), diff_plans.end(), r.plan) == diff_plans.end()) {
        diff_plans.push_back(r.plan);
      }
    }
  }
  if (plan_values.empty()) {
    add_note(page, "Plans side by side", "comparison.json has no estimates to chart.");
  } else {
    add_chart(page, "Plans side by side", "plans", estimate_panels(plan_values, plans, false),
              "Mean of each metric over the replications, with its 95% confidence interval, "
              "for each plan (common random numbers: every plan sees the same demand).");
  }
  if (diff_values.empty()) {
    add_note(page, "Differences from the baseline",
             "comparison.json has no paired differences to chart.");
  } else {
    add_chart(page, "Differences from the baseline", "differences",
              estimate_panels(diff_values, diff_plans, true),
              fmt::format("Paired difference of each plan from the baseline \"{}\" (plan minus "
                          "baseline, replication by replication), with its 95% confidence "
                          "interval; an interval that excludes the dashed zero line is a "
                          "difference the replications resolve.",
                          baseline));
  }

  // Utilization over time, from the replication-0 run folder of each plan.
  json util = json::array();
  std::vector<std::string> missing;
  for (const auto& plan : plans) {
    const fs::path ts_path = dir / "plans" / plan / "timeseries.csv";
    if (!fs::exists(ts_path)) {
      missing.push_back(plan);
      continue;
    }
    const Timeseries ts = read_timeseries(ts_path, nullptr);
    append_steps(util, ts.periods, [&](const Period& p, const std::string& t) {
      return json{{"t", t},
                  {"plan", plan},
                  {"v", p.installed > 0 ? json(p.busy / p.installed) : json(nullptr)}};
    });
  }
  if (util.empty()) {
    add_note(page, "Utilization over time",
             "No plans/<plan>/timeseries.csv was found, so utilization over time is not shown.");
  } else {
    json spec = vega_lite(util);
    spec["width"] = "container";
    spec["height"] = 260;
    spec["mark"] = {{"type", "line"}, {"interpolate", "step-after"}};
    spec["encoding"] = {
        {"x", time_x("t")},
        {"y",
         {{"field", "v"},
          {"type", "quantitative"},
          {"title", "utilization (busy / installed)"},
          {"axis", {{"format", ".0%"}}}}},
        {"color", {{"field", "plan"}, {"type", "nominal"}, {"sort", plans}, {"title", nullptr}}},
        {"tooltip", json::array({tooltip_field("t", "period from", "temporal"),
                                 tooltip_field("plan", "plan", "nominal"),
                                 tooltip_field("v", "utilization", "quantitative", ".1%")})}};
    Block& b = page.blocks.emplace_back();
    b.heading = "Utilization over time";
    b.id = "plan-utilization";
    b.spec = spec;
    b.caption =
        "Busy over installed GPU-hours of each period, summed over the pools, in replication 0 "
        "of each plan (plans/<plan>/timeseries.csv).";
    if (!missing.empty()) {
      b.note = fmt::format("No timeseries.csv for: {}.", fmt::join(missing, ", "));
    }
  }
  return page;
}

// ---------------------------------------------------------------------------------------------
// Sweep folder

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

/// An axis over a parameter: exact values when there are few, else bins.
json parameter_axis(const std::string& field, const std::string& title, const ParameterColumn& pc) {
  if (!pc.numeric) {
    return {{"field", field}, {"type", "nominal"}, {"title", title}, {"axis", {{"labelAngle", 0}}}};
  }
  if (pc.distinct <= 12) {
    return {{"field", field},
            {"type", "ordinal"},
            {"title", title},
            {"sort", "ascending"},
            {"axis", {{"labelAngle", 0}}}};
  }
  return {{"field", field}, {"type", "quantitative"}, {"bin", {{"maxbins", 10}}}, {"title", title}};
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
    struct Bar {
      std::string parameter;
      double low, high, base, swing;
      std::string low_value, high_value;
    };
    std::vector<Bar> bars;
    for (std::size_t r = 0; r < csv.size(); ++r) {
      if (csv.text(r, c_metric) != metric) continue;
      const auto low = csv.number_or_empty(r, c_at_low);
      const auto high = csv.number_or_empty(r, c_at_high);
      const auto base = csv.number_or_empty(r, c_base);
      if (!low || !high || !base) continue;
      std::optional<double> swing;
      if (c_swing) swing = csv.number_or_empty(r, *c_swing);
      bars.push_back(Bar{csv.text(r, c_parameter), *low, *high, *base,
                         swing.value_or(std::abs(*high - *low)), csv.text(r, c_low_value),
                         csv.text(r, c_high_value)});
    }
    const std::string heading = "Tornado: " + metric;
    if (bars.empty()) {
      add_note(page, heading, "tornado.csv has no complete row for this metric.");
      continue;
    }
    std::stable_sort(bars.begin(), bars.end(),
                     [](const Bar& a, const Bar& b) { return a.swing > b.swing; });
    json values = json::array();
    std::vector<std::string> order;
    for (const auto& b : bars) {
      order.push_back(b.parameter);
      values.push_back({{"p", b.parameter},
                        {"side", "at the low value"},
                        {"v", b.low},
                        {"base", b.base},
                        {"setting", b.low_value},
                        {"swing", b.swing}});
      values.push_back({{"p", b.parameter},
                        {"side", "at the high value"},
                        {"v", b.high},
                        {"base", b.base},
                        {"setting", b.high_value},
                        {"swing", b.swing}});
    }
    json spec = vega_lite(values);
    spec["width"] = "container";
    spec["height"] = {{"step", 26}};
    json bar;
    bar["mark"] = {{"type", "bar"}, {"opacity", 0.9}};
    bar["encoding"] = {
        {"y", {{"field", "p"}, {"type", "nominal"}, {"sort", order}, {"title", nullptr}}},
        {"x",
         {{"field", "v"},
          {"type", "quantitative"},
          {"title", metric},
          {"axis", {{"format", axis_format(metric)}}},
          {"scale", {{"zero", false}}}}},
        {"x2", {{"field", "base"}}},
        {"color",
         {{"field", "side"},
          {"type", "nominal"},
          {"title", nullptr},
          {"scale",
           {{"domain", {"at the low value", "at the high value"}},
            {"range", {"#4c78a8", "#f58518"}}}}}},
        {"tooltip",
         json::array({tooltip_field("p", "parameter", "nominal"),
                      tooltip_field("setting", "set to", "nominal"),
                      tooltip_field("v", metric, "quantitative", axis_format(metric)),
                      tooltip_field("swing", "swing", "quantitative", axis_format(metric))})}};
    json rule;
    rule["mark"] = {{"type", "rule"}, {"color", "#222"}};
    rule["encoding"] = {{"x", {{"datum", bars.front().base}, {"type", "quantitative"}}}};
    spec["layer"] = json::array({bar, rule});
    add_chart(page, heading, fmt::format("tornado-{}", i + 1), spec,
              fmt::format("From tornado.csv: {} with each parameter at its low and at its high "
                          "value and the others at their base values; the black rule is the "
                          "base, {}. Parameters are sorted by swing, largest first.",
                          metric, format_metric(metric, bars.front().base)));
  }
}

void heatmap_chart(Page& page, const Csv& points, const std::vector<SweepParameter>& parameters,
                   const std::string& metric) {
  const std::string heading =
      parameters.size() >= 2
          ? fmt::format("{} over {} and {}", metric, parameters[0].name, parameters[1].name)
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
    json spec = vega_lite(values);
    spec["width"] = "container";
    spec["height"] = 260;
    json xe = x.numeric
                  ? json{{"field", "x"}, {"type", "quantitative"}, {"title", parameters[0].name}}
                  : json{{"field", "x"}, {"type", "nominal"}, {"title", parameters[0].name}};
    json pts;
    pts["mark"] = {{"type", "point"}, {"filled", true}};
    pts["encoding"] = {{"x", xe},
                       {"y",
                        {{"field", "v"},
                         {"type", "quantitative"},
                         {"title", metric + " (mean)"},
                         {"axis", {{"format", axis_format(metric)}}},
                         {"scale", {{"zero", false}}}}}};
    json ci;
    ci["mark"] = {{"type", "rule"}, {"color", "#999"}};
    ci["encoding"] = {{"x", xe},
                      {"y", {{"field", "low"}, {"type", "quantitative"}}},
                      {"y2", {{"field", "high"}}}};
    spec["layer"] = json::array({ci, pts});
    add_chart(page, metric + " against " + parameters[0].name, "response", spec,
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
  json spec = vega_lite(values);
  spec["width"] = "container";
  spec["height"] = 320;
  spec["mark"] = {{"type", "rect"}};
  spec["encoding"] = {
      {"x", parameter_axis("x", parameters[0].name, x)},
      {"y", parameter_axis("y", parameters[1].name, y)},
      {"color",
       {{"aggregate", "mean"},
        {"field", "v"},
        {"type", "quantitative"},
        {"title", metric},
        {"scale", {{"scheme", "viridis"}}},
        {"legend", {{"format", axis_format(metric)}}}}},
      {"tooltip",
       json::array({{{"aggregate", "mean"},
                     {"field", "v"},
                     {"type", "quantitative"},
                     {"title", metric + " (mean)"},
                     {"format", axis_format(metric)}},
                    {{"aggregate", "count"}, {"type", "quantitative"}, {"title", "points"}}})}};
  std::string caption = fmt::format("Mean of {} over the replications at each point, by {} and {}",
                                    metric, parameters[0].name, parameters[1].name);
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
    const std::string heading = "Sobol indices: " + metrics[i];
    if (values.empty()) {
      add_note(page, heading, "sobol.csv has no index value for this metric.");
      continue;
    }
    json spec = vega_lite(values);
    spec["width"] = "container";
    spec["height"] = 240;
    spec["encoding"] = {{"x",
                         {{"field", "p"},
                          {"type", "nominal"},
                          {"sort", parameters},
                          {"title", nullptr},
                          {"axis", {{"labelAngle", 0}}}}},
                        {"xOffset", {{"field", "index"}, {"sort", {"first order", "total"}}}}};
    json bar;
    bar["mark"] = {{"type", "bar"}};
    bar["encoding"] = {
        {"y", {{"field", "v"}, {"type", "quantitative"}, {"title", "share of variance"}}},
        {"color",
         {{"field", "index"},
          {"type", "nominal"},
          {"title", nullptr},
          {"scale", {{"domain", {"first order", "total"}}, {"range", {"#4c78a8", "#f58518"}}}}}},
        {"tooltip", json::array({tooltip_field("p", "parameter", "nominal"),
                                 tooltip_field("index", "index", "nominal"),
                                 tooltip_field("v", "value", "quantitative", ".3f"),
                                 tooltip_field("low", "95% CI from", "quantitative", ".3f"),
                                 tooltip_field("high", "95% CI to", "quantitative", ".3f")})}};
    json layers = json::array({bar});
    std::string caption =
        "From sobol.csv: the first-order index is the share of the metric's variance due to the "
        "parameter alone, the total index includes its interactions with the others.";
    if (any_ci) {
      json ci;
      ci["mark"] = {{"type", "rule"}, {"color", "#222"}};
      ci["encoding"] = {{"y", {{"field", "low"}, {"type", "quantitative"}}},
                        {"y2", {{"field", "high"}}}};
      layers.push_back(ci);
      caption +=
          " Black rules are the 95% confidence intervals; wide ones mean the sample is too "
          "small to rank the parameters.";
    }
    spec["layer"] = layers;
    add_chart(page, heading, fmt::format("sobol-{}", i + 1), spec, caption);
  }
}

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
  for (const auto& p : parameters) names.push_back(p.name);
  page.facts.emplace_back("design", design.empty() ? "unknown" : design);
  page.facts.emplace_back("parameters", fmt::format("{}", fmt::join(names, ", ")));
  page.facts.emplace_back("points", std::to_string(points.size()));
  if (const auto r = root.number_at("replications")) {
    page.facts.emplace_back("replications per point", fmt::format("{:.0f}", *r));
  }
  page.facts.emplace_back("metrics", fmt::format("{}", fmt::join(metrics, ", ")));

  tornado_charts(page, dir);
  if (metrics.empty()) {
    add_note(page, "Response surface", "sweep.json lists no metrics.");
  } else {
    heatmap_chart(page, points, parameters, focus);
  }
  sobol_charts(page, dir);
  return page;
}

}  // namespace

const char* folder_kind_name(FolderKind kind) {
  switch (kind) {
    case FolderKind::run:
      return "run";
    case FolderKind::compare:
      return "compare";
    case FolderKind::sweep:
      return "sweep";
  }
  return "run";
}

FolderKind detect_folder(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) fail(dir, "no such folder");
  if (!fs::is_directory(dir, ec))
    fail(dir, "not a folder; expected the output folder of aidc run, compare or sweep");
  if (fs::exists(dir / "sweep.json")) return FolderKind::sweep;
  if (fs::exists(dir / "comparison.json")) return FolderKind::compare;
  const bool summary = fs::exists(dir / "summary.json");
  const bool timeseries = fs::exists(dir / "timeseries.csv");
  if (summary && timeseries) return FolderKind::run;
  if (summary)
    fail(dir / "timeseries.csv", "missing; a run folder has summary.json and timeseries.csv");
  if (timeseries)
    fail(dir / "summary.json", "missing; a run folder has summary.json and timeseries.csv");
  fail(dir,
       "no recognisable outputs: expected summary.json and timeseries.csv (aidc run), "
       "comparison.json (aidc compare) or sweep.json (aidc sweep)");
}

std::string build_report_html(const fs::path& dir) {
  Page page;
  switch (detect_folder(dir)) {
    case FolderKind::run:
      page = run_page(dir);
      break;
    case FolderKind::compare:
      page = compare_page(dir);
      break;
    case FolderKind::sweep:
      page = sweep_page(dir);
      break;
  }
  return render_html(page, dir);
}

}  // namespace aidc::report
