// A demand level read from a CSV file: a step function of its rows.

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "aidc/demand/demand.hpp"
#include "aidc/scenario/csv.hpp"
#include "aidc/scenario/data_paths.hpp"

namespace aidc {

StepSeries::StepSeries(std::vector<Point> points) : points_(std::move(points)) {
  if (points_.empty()) throw std::invalid_argument("a step series needs at least one point");
  for (std::size_t i = 1; i < points_.size(); ++i) {
    if (points_[i].from <= points_[i - 1].from) {
      throw std::invalid_argument("step series points must have strictly increasing times");
    }
  }
}

double StepSeries::at(sim::Time t) const {
  // The last point with from <= t; the first point before the series begins.
  const auto after = std::upper_bound(points_.begin(), points_.end(), t,
                                      [](sim::Time x, const Point& p) { return x < p.from; });
  return after == points_.begin() ? points_.front().value : (after - 1)->value;
}

double StepSeries::at(sim::Time t, std::size_t& cursor) const {
  if (cursor >= points_.size() || (cursor > 0 && points_[cursor].from > t)) {
    cursor = 0;  // time went back (or a fresh cursor): start over
  }
  while (cursor + 1 < points_.size() && points_[cursor + 1].from <= t) ++cursor;
  return points_[cursor].value;
}

namespace {

constexpr std::size_t kMaxRowProblems = 5;

/// The whole of `text` as a finite number (surrounding blanks allowed), or nullopt.
std::optional<double> number_in(std::string_view text) {
  double x = 0;
  if (!parse_number(text, x)) return std::nullopt;
  return x;
}

double seconds_per(const std::string& unit) {
  if (unit == "ms") return 0.001;
  if (unit == "min") return 60.0;
  if (unit == "h") return 3600.0;
  if (unit == "d") return 86400.0;
  return 1.0;
}

/// The index of `name` in `header`; a problem at `key` if absent.
std::optional<std::size_t> find_column(const ParamReader& r, std::string_view key,
                                       const std::string& name, const std::string& path,
                                       const std::vector<std::string>& header) {
  const auto it = std::find(header.begin(), header.end(), name);
  if (it != header.end()) return static_cast<std::size_t>(it - header.begin());
  // The header is the file's content, which messages never quote.
  r.error(key, fmt::format("no column \"{}\" in \"{}\" (its header has {} columns)", name, path,
                           header.size()));
  return std::nullopt;
}

}  // namespace

std::optional<StepSeries> read_csv_series(const ParamReader& r) {
  if (!r.expect_object()) return std::nullopt;
  const std::size_t before = r.diagnostics().items().size();
  r.allow_only({"path", "time_column", "value_column", "time_unit", "scale", "filter"});
  const auto resolved = data_file_path(r, "path");
  const std::string path = r.string("path", "");  // as the scenario names it, for messages
  const std::string time_name = r.required_string("time_column");
  const std::string value_name = r.required_string("value_column");
  const std::string unit = r.choice("time_unit", {"ms", "s", "min", "h", "d"}, "s");
  const double scale = r.number("scale", 1.0, Bound::positive);
  std::string filter_name;
  std::string filter_value;
  const bool filtered = r.has("filter");
  if (filtered) {
    const ParamReader f = r.child("filter");
    if (f.expect_object()) {
      f.allow_only({"column", "equals"});
      filter_name = f.required_string("column");
      filter_value = f.required_string("equals");
    }
  }
  if (r.diagnostics().items().size() != before) return std::nullopt;

  CsvReader in(resolved.value_or(""));
  if (!in.is_open()) {
    r.error("path", fmt::format("cannot read \"{}\" (relative paths start at the scenario "
                                "file's folder)",
                                path));
    return std::nullopt;
  }
  std::vector<std::string> header;
  if (!in.next(header)) {
    r.error("path", fmt::format("{}: empty file (expected a header line)", path));
    return std::nullopt;
  }
  if (in.unterminated()) {
    r.error("path", fmt::format("{}:{}: unterminated quote in the header", path, in.line()));
    return std::nullopt;
  }
  const auto time_col = find_column(r, "time_column", time_name, path, header);
  const auto value_col = find_column(r, "value_column", value_name, path, header);
  std::optional<std::size_t> filter_col;
  if (filtered) {
    filter_col = find_column(r.child("filter"), "column", filter_name, path, header);
    if (!filter_col) return std::nullopt;
  }
  if (!time_col || !value_col) return std::nullopt;

  const double unit_s = seconds_per(unit);
  std::vector<StepSeries::Point> points;
  std::vector<std::string> fields;
  std::size_t problems = 0;
  // Every bad row is a problem of the file at "path"; after a few, the rest are counted.
  const auto bad_row = [&](const std::string& message) {
    if (problems < kMaxRowProblems) {
      r.error("path", fmt::format("{}:{}: {}", path, in.line(), message));
    }
    ++problems;
  };
  while (in.next(fields)) {
    if (in.unterminated()) {
      bad_row("unterminated quote");
      continue;
    }
    if (fields.size() != header.size()) {
      bad_row(
          fmt::format("expected {} fields as in the header, got {}", header.size(), fields.size()));
      continue;
    }
    if (filter_col && fields[*filter_col] != filter_value) continue;
    const auto time = number_in(fields[*time_col]);
    const auto value = number_in(fields[*value_col]);
    if (!time) {
      bad_row(fmt::format("bad time in column \"{}\" (expected a number)", time_name));
      continue;
    }
    if (!value || *value < 0) {
      bad_row(fmt::format("bad value in column \"{}\" (expected a number >= 0)", value_name));
      continue;
    }
    const double from_s = std::round(*time * unit_s);
    if (!(std::abs(from_s) < 9.0e18)) {
      bad_row(fmt::format("time in column \"{}\" is out of range (in {})", time_name, unit));
      continue;
    }
    const sim::Time from{static_cast<std::int64_t>(from_s)};
    if (!points.empty() && from <= points.back().from) {
      bad_row(
          fmt::format("time {} s is not after the previous row's {} s (expected rows sorted "
                      "by time, one per time{})",
                      from.seconds, points.back().from.seconds,
                      filtered ? "" : "; a \"filter\" can select one series"));
      continue;
    }
    points.push_back({from, *value * scale});
  }
  if (problems > kMaxRowProblems) {
    r.error("path", fmt::format("{}: {} more bad rows", path, problems - kMaxRowProblems));
  }
  if (problems > 0) return std::nullopt;
  if (points.empty()) {
    r.error("path", filtered ? fmt::format("{}: no data rows with {} = \"{}\"", path, filter_name,
                                           filter_value)
                             : fmt::format("{}: no data rows", path));
    return std::nullopt;
  }
  return StepSeries(std::move(points));
}

}  // namespace aidc
