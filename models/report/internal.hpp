#pragma once
// What the report's files share (models/report/): reading CSV and JSON with errors that name
// the file, line and JSON pointer; the page and its HTML; the time series of a run folder;
// and the three pages. The chart builders are public, in aidc/report/charts.hpp.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "aidc/report/charts.hpp"
#include "aidc/report/report.hpp"
#include "aidc/scenario/errors.hpp"
#include "aidc/scenario/scenario.hpp"

namespace aidc::report {

namespace fs = std::filesystem;
using json = nlohmann::json;

[[noreturn]] inline void fail(const fs::path& file, const std::string& message,
                              const std::string& pointer = "") {
  throw ScenarioError({Diagnostic{file.string(), pointer, message}});
}

// CSV: a header row, then rows of as many fields, read with the one CSV reader.

class Csv {
 public:
  static Csv read(const fs::path& path) { return Csv(path); }

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
  explicit Csv(fs::path path);

  fs::path path_;
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
  std::vector<std::size_t> lines_;  // the line each row starts on, from 1
};

// JSON with errors that name the file and the JSON pointer

inline json read_json(const fs::path& path) { return read_json_file(path.string()); }

inline std::string child_pointer(const std::string& pointer, const std::string& key) {
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

// Text (html.cpp; amounts are formatted by charts.hpp)

std::string html_escape(std::string_view text);

// The page (html.cpp)

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
  /// The page's result in words, generated from its numbers: shown first, one item a line.
  std::vector<std::string> answer;
  std::vector<std::pair<std::string, std::string>> facts;  // label, value
  std::vector<Block> blocks;
};

void add_chart(Page& page, std::string heading, std::string id, json spec, std::string caption);
/// The charts of model access sold by the token, when summary.json's finance has "api"
/// (token_charts.cpp).
void api_charts(Page& page, const std::vector<Period>& periods, const Node& finance);
void add_note(Page& page, std::string heading, std::string note);
std::string render_html(const Page& page, const fs::path& dir);

// A run folder (run_page.cpp)

/// Reads timeseries.csv, with the fleet's market value where it has market_value_usd (see
/// market_value_caption()).
Timeseries read_timeseries(const fs::path& path);
std::string market_value_caption();
/// The GPU-use chart of a run (or of a plan of a comparison).
void utilization_chart(Page& page, const Timeseries& ts, const std::string& id,
                       const std::string& heading);

// The pages
Page run_page(const fs::path& dir);
// Across the replications of a run folder (run_replications.cpp).
void replication_band_charts(Page& page, const fs::path& dir);
void replication_estimates_chart(Page& page, const Node& root);
Page compare_page(const fs::path& dir);
Page sweep_page(const fs::path& dir);
Page optimize_page(const fs::path& dir);
Page fit_page(const fs::path& dir);

}  // namespace aidc::report
