// Reading what to fit: the fit spec, the trace it names and the trace's hourly means.

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "aidc/fit/demand.hpp"
#include "aidc/scenario/csv.hpp"
#include "aidc/scenario/data_paths.hpp"
#include "aidc/scenario/scenario.hpp"

namespace aidc::fit {

namespace {

constexpr std::size_t kMaxRowProblems = 5;

/// "YYYY-MM-DD", "YYYY-MM-DD HH:MM:SS[.fff]" or with a 'T' between, as seconds since
/// 1970-01-01 00:00 of the same clock; nullopt otherwise.
std::optional<double> parse_clock(std::string_view text) {
  text = trim(text);
  if (text.size() < 10) return std::nullopt;
  const auto day = parse_date(std::string(text.substr(0, 10)));
  if (!day) return std::nullopt;
  double seconds = static_cast<double>(day->time_since_epoch().count()) *
                   static_cast<double>(sim::kSecondsPerDay);
  if (text.size() == 10) return seconds;
  if (text.size() < 19 || (text[10] != ' ' && text[10] != 'T')) return std::nullopt;
  unsigned h = 0;
  unsigned m = 0;
  unsigned s = 0;
  char colon1 = 0;
  char colon2 = 0;
  const std::string clock(text.substr(11, 8));
  if (std::sscanf(clock.c_str(), "%2u%c%2u%c%2u", &h, &colon1, &m, &colon2, &s) != 5 ||
      colon1 != ':' || colon2 != ':' || h > 23 || m > 59 || s > 60) {
    return std::nullopt;
  }
  seconds += 3600.0 * h + 60.0 * m + s;
  if (text.size() > 19) {
    double fraction = 0;
    if (text[19] != '.' ||
        !parse_number(std::string("0") + std::string(text.substr(19)), fraction)) {
      return std::nullopt;
    }
    seconds += fraction;
  }
  return seconds;
}

std::optional<TrendKind> trend_of(const std::string& name) {
  for (const TrendKind k :
       {TrendKind::none, TrendKind::exponential, TrendKind::logistic, TrendKind::piecewise}) {
    if (name == trend_name(k)) return k;
  }
  return std::nullopt;
}

std::optional<std::size_t> column_index(const ParamReader& r, std::string_view key,
                                        const std::string& name, const std::string& path,
                                        const std::vector<std::string>& header) {
  const auto it = std::find(header.begin(), header.end(), name);
  if (it != header.end()) return static_cast<std::size_t>(it - header.begin());
  r.error(key, fmt::format("no column \"{}\" in \"{}\" (its header has {} columns{})", name, path,
                           header.size(),
                           nearest(name, header).empty()
                               ? std::string()
                               : fmt::format("; did you mean \"{}\"?", nearest(name, header))));
  return std::nullopt;
}

}  // namespace

const char* trend_name(TrendKind kind) {
  switch (kind) {
    case TrendKind::none:
      return "none";
    case TrendKind::exponential:
      return "exponential";
    case TrendKind::logistic:
      return "logistic";
    case TrendKind::piecewise:
      return "piecewise";
  }
  return "none";
}

std::optional<FitSpec> read_fit_spec(const ParamReader& r, bool scenario_paths) {
  const std::size_t before = r.diagnostics().items().size();
  FitSpec spec;
  if (r.node().is_string()) {
    // A bare path: its file must have exactly two columns, time then value.
    spec.display_path = r.node().get<std::string>();
    if (spec.display_path.empty()) {
      r.error("", "expected the path of a trace (got an empty string)");
      return std::nullopt;
    }
  } else {
    if (!r.expect_object()) return std::nullopt;
    r.allow_only({"path", "time_column", "value_column", "time_unit", "origin", "filter", "scale",
                  "trend", "knot_days", "holdout_days"});
    spec.display_path = r.required_string("path");
    spec.time_column = r.string("time_column", "");
    spec.value_column = r.string("value_column", "");
    if (spec.time_column.empty() != spec.value_column.empty()) {
      r.error(spec.time_column.empty() ? "time_column" : "value_column",
              "expected both \"time_column\" and \"value_column\", or neither (a file of two "
              "columns, time then value)");
    }
    static const std::vector<std::pair<std::string, double>> units{
        {"ms", 0.001}, {"s", 1.0}, {"min", 60.0}, {"h", 3600.0}, {"d", 86400.0}};
    const std::string unit = r.choice("time_unit", {"ms", "s", "min", "h", "d"}, "s");
    for (const auto& [name, seconds] : units) {
      if (name == unit) spec.time_unit_seconds = seconds;
    }
    if (r.has("origin")) {
      const std::string text = r.string("origin", "");
      spec.origin_clock_s = parse_clock(text);
      if (!spec.origin_clock_s) {
        r.error("origin", fmt::format("not a date or date-time (got \"{}\", expected "
                                      "YYYY-MM-DD or YYYY-MM-DD HH:MM:SS)",
                                      text));
      }
    }
    if (r.has("filter")) {
      const ParamReader f = r.child("filter");
      if (f.expect_object()) {
        f.allow_only({"column", "equals"});
        spec.filter_column = f.required_string("column");
        spec.filter_value = f.required_string("equals");
      }
    }
    spec.scale = r.number("scale", 1.0, Bound::positive);
    const std::string trend =
        r.choice("trend", {"auto", "none", "exponential", "logistic", "piecewise"}, "auto");
    spec.trend = trend_of(trend);
    spec.knot_days = r.number("knot_days", 7.0, Bound::positive);
    if (spec.knot_days < 1 || spec.knot_days != std::floor(spec.knot_days)) {
      r.error("knot_days",
              fmt::format("expected a whole number of days >= 1 (got {})", spec.knot_days));
    }
    spec.holdout_days = r.number("holdout_days", 0.0, Bound::non_negative);
  }
  if (r.diagnostics().items().size() != before) return std::nullopt;
  if (!scenario_paths) {
    spec.path = spec.display_path;
  } else if (r.node().is_string()) {
    // data_file_path reads the path at a key, so a bare string is read through a wrapper.
    const nlohmann::json wrapped{{"path", spec.display_path}};
    const ParamReader w(wrapped, r.pointer(), r.diagnostics());
    const auto resolved = data_file_path(w, "path");
    if (!resolved) return std::nullopt;
    spec.path = *resolved;
  } else {
    const auto resolved = data_file_path(r, "path");
    if (!resolved) return std::nullopt;
    spec.path = *resolved;
  }
  return spec;
}

std::optional<std::vector<Sample>> read_trace(const FitSpec& spec, const ParamReader& r) {
  const std::string& path = spec.display_path;
  const std::size_t before = r.diagnostics().items().size();
  const bool bare = r.node().is_string();
  CsvReader in(spec.path);
  if (!in.is_open()) {
    r.error(bare ? "" : "path", fmt::format("cannot read \"{}\" (relative paths start at the "
                                            "scenario file's folder)",
                                            path));
    return std::nullopt;
  }
  std::vector<std::string> header;
  if (!in.next(header)) {
    r.error(bare ? "" : "path", fmt::format("{}: empty file (expected a header line)", path));
    return std::nullopt;
  }
  std::optional<std::size_t> time_col;
  std::optional<std::size_t> value_col;
  if (spec.time_column.empty()) {
    if (header.size() != 2) {
      r.error(bare ? "" : "path",
              fmt::format("{}: expected a file of two columns, time then value (it has {}); "
                          "name them with \"time_column\" and \"value_column\"",
                          path, header.size()));
      return std::nullopt;
    }
    time_col = 0;
    value_col = 1;
  } else {
    time_col = column_index(r, "time_column", spec.time_column, path, header);
    value_col = column_index(r, "value_column", spec.value_column, path, header);
  }
  std::optional<std::size_t> filter_col;
  if (spec.filter_column) {
    filter_col = column_index(r.child("filter"), "column", *spec.filter_column, path, header);
  }
  if (r.diagnostics().items().size() != before) return std::nullopt;

  const std::string time_name = header[*time_col];
  const std::string value_name = header[*value_col];
  std::vector<Sample> out;
  std::vector<std::string> fields;
  std::size_t problems = 0;
  std::optional<bool> numeric_times;
  const std::string at = bare ? "" : "path";
  const auto bad_row = [&](const std::string& message) {
    if (problems < kMaxRowProblems) r.error(at, fmt::format("{}:{}: {}", path, in.line(), message));
    ++problems;
  };
  while (in.next(fields)) {
    if (in.unterminated() || fields.size() != header.size()) {
      bad_row(
          fmt::format("expected {} fields as in the header, got {}", header.size(), fields.size()));
      continue;
    }
    if (filter_col && fields[*filter_col] != spec.filter_value) continue;
    const std::string_view value_text = trim(fields[*value_col]);
    if (value_text.empty()) continue;  // no observation in this row
    double value = 0;
    if (!parse_number(value_text, value) || value < 0) {
      bad_row(fmt::format("bad value in column \"{}\" (got \"{}\", expected a number >= 0)",
                          value_name, value_text));
      continue;
    }
    double number = 0;
    const bool is_number = parse_number(fields[*time_col], number);
    if (!numeric_times) numeric_times = is_number;
    std::optional<double> clock;
    if (*numeric_times && is_number) {
      if (!spec.origin_clock_s) {
        r.error(bare ? "" : "origin",
                fmt::format("{}: the times in column \"{}\" are numbers, so the clock time of "
                            "0 must be given as \"origin\" (YYYY-MM-DD or YYYY-MM-DD HH:MM:SS)",
                            path, time_name));
        return std::nullopt;
      }
      clock = *spec.origin_clock_s + number * spec.time_unit_seconds;
    } else if (!*numeric_times) {
      clock = parse_clock(fields[*time_col]);
    }
    if (!clock || !(std::abs(*clock) < 1e13)) {
      bad_row(fmt::format("bad time in column \"{}\" (got \"{}\", expected {})", time_name,
                          trim(fields[*time_col]),
                          *numeric_times ? "a number, as in the first row"
                                         : "YYYY-MM-DD HH:MM:SS, as in the first row"));
      continue;
    }
    if (!out.empty() && *clock < out.back().clock_seconds) {
      bad_row(
          fmt::format("time \"{}\" is before the previous row's (expected rows in time "
                      "order{})",
                      trim(fields[*time_col]),
                      spec.filter_column ? "" : "; a \"filter\" can select one series"));
      continue;
    }
    out.push_back({*clock, value});
  }
  if (problems > kMaxRowProblems) {
    r.error(at, fmt::format("{}: {} more bad rows", path, problems - kMaxRowProblems));
  }
  if (problems > 0) return std::nullopt;
  if (out.empty()) {
    r.error(at, fmt::format("{}: no data rows{}", path,
                            spec.filter_column ? fmt::format(" with {} = \"{}\"",
                                                             *spec.filter_column, spec.filter_value)
                                               : std::string()));
    return std::nullopt;
  }
  return out;
}

HourlySeries hourly_means(const std::vector<Sample>& samples) {
  HourlySeries out;
  for (const Sample& s : samples) {
    const auto hour = static_cast<std::int64_t>(std::floor(s.clock_seconds / 3600.0));
    if (out.hour.empty() || out.hour.back() != hour) {
      out.hour.push_back(hour);
      out.value.push_back(0);
      out.samples.push_back(0);
    }
    out.value.back() += s.value;
    ++out.samples.back();
  }
  for (std::size_t i = 0; i < out.hour.size(); ++i) {
    out.value[i] /= static_cast<double>(out.samples[i]);
  }
  return out;
}

Date first_day(const HourlySeries& series) {
  const std::int64_t h = series.hour.empty() ? 0 : series.hour.front();
  const std::int64_t day = (h >= 0 ? h : h - 23) / 24;
  return Date{std::chrono::days{day}};
}

}  // namespace aidc::fit
