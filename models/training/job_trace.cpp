// Reading a job trace from CSV: header lookup, per-field checks that name the line, and
// the rows that are skipped on purpose (no GPUs, never ran).

#include "aidc/training/job_trace.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "aidc/scenario/csv.hpp"
#include "aidc/scenario/errors.hpp"
#include "aidc/sim/time.hpp"

namespace aidc {

namespace {

constexpr std::size_t kMaxProblems = 5;
// Whole numbers up to 2^53 are exact in a double.
constexpr double kMaxWholeNumber = 9007199254740992.0;

/// A field's value: empty (a blank field), a finite number, or not a number.
struct Field {
  enum class Kind { empty, number, bad } kind = Kind::empty;
  double value = 0;
};

Field parse_field(std::string_view text) {
  if (trim(text).empty()) return {};
  double x = 0;
  if (!parse_number(text, x)) return {Field::Kind::bad, 0};
  return {Field::Kind::number, x};
}

/// The index of `name` in `header`, or a message saying what is wrong.
std::optional<std::size_t> find_column(const std::vector<std::string>& header,
                                       const std::string& name, std::string& problem) {
  const auto it = std::find(header.begin(), header.end(), name);
  if (it == header.end()) {
    // The header is the file's content, which messages never quote.
    problem = fmt::format("no column \"{}\" among the header's {} columns", name, header.size());
    return std::nullopt;
  }
  if (std::find(it + 1, header.end(), name) != header.end()) {
    problem = fmt::format("column \"{}\" appears more than once in the header", name);
    return std::nullopt;
  }
  return static_cast<std::size_t>(it - header.begin());
}

}  // namespace

JobTrace read_job_trace(const std::string& path, const JobTraceColumns& columns) {
  if (!(columns.time_unit_seconds > 0) || !std::isfinite(columns.time_unit_seconds)) {
    throw std::invalid_argument(fmt::format("time_unit_seconds must be a positive number (got {})",
                                            columns.time_unit_seconds));
  }
  Diagnostics diag(path);
  CsvReader in(path);
  if (!in.is_open()) {
    const bool relative = std::filesystem::path(path).is_relative();
    diag.add("", relative ? fmt::format("cannot read the file (relative paths start at the "
                                        "current directory, \"{}\")",
                                        std::filesystem::current_path().string())
                          : std::string("cannot read the file"));
    diag.throw_if_any();
  }

  std::vector<std::string> fields;
  if (!in.next(fields)) {
    diag.add("", "line 1: empty file (expected a header row)");
    diag.throw_if_any();
  }
  std::vector<std::string> header;
  header.reserve(fields.size());
  for (const std::string& f : fields) header.emplace_back(trim(f));
  const std::size_t header_line = in.line();
  const auto column = [&](const std::string& name) {
    std::string problem;
    const auto index = find_column(header, name, problem);
    if (!index) diag.add("", fmt::format("line {}: {}", header_line, problem));
    return index.value_or(0);
  };
  const std::size_t submit_col = column(columns.submit);
  const std::size_t gpus_col = column(columns.gpus);
  const std::size_t duration_col = column(columns.duration);
  diag.throw_if_any();

  JobTrace trace;
  std::size_t problems = 0;
  const auto problem = [&](const std::string& message) {
    if (problems < kMaxProblems) diag.add("", fmt::format("line {}: {}", in.line(), message));
    ++problems;
  };
  const auto to_hours = [&](double value) {
    return value * columns.time_unit_seconds / static_cast<double>(sim::kSecondsPerHour);
  };
  while (in.next(fields)) {
    if (in.unterminated()) {
      problem("a quoted field is never closed");
      continue;
    }
    if (fields.size() != header.size()) {
      problem(
          fmt::format("expected {} fields as in the header, got {}", header.size(), fields.size()));
      continue;
    }
    const std::size_t before = problems;
    const auto read = [&](std::size_t col, const std::string& name) {
      const Field f = parse_field(fields[col]);
      if (f.kind == Field::Kind::bad) {
        problem(fmt::format("column {}: not a number", name));
      }
      return f;
    };
    const Field submit = read(submit_col, columns.submit);
    const Field gpus = read(gpus_col, columns.gpus);
    const Field duration = read(duration_col, columns.duration);
    if (gpus.kind == Field::Kind::number &&
        (gpus.value != std::trunc(gpus.value) || std::abs(gpus.value) > kMaxWholeNumber)) {
      problem(fmt::format("column {}: not a whole number", columns.gpus));
    }
    if (duration.kind == Field::Kind::number && duration.value < 0) {
      problem(fmt::format("column {}: out of range (expected a number >= 0)", columns.duration));
    }
    if (problems != before) continue;

    if (gpus.kind == Field::Kind::empty || gpus.value <= 0) {
      ++trace.skipped_without_gpus;
      continue;
    }
    if (duration.kind == Field::Kind::empty) {
      ++trace.skipped_without_duration;
      continue;
    }
    if (submit.kind == Field::Kind::empty) {
      problem(fmt::format("column {}: empty (expected a number)", columns.submit));
      continue;
    }
    const TraceJob job{to_hours(submit.value), static_cast<std::int64_t>(gpus.value),
                       to_hours(duration.value)};
    if (!std::isfinite(job.submit_hours) || !std::isfinite(job.duration_hours)) {
      problem(
          fmt::format("time out of range with time_unit_seconds {}", columns.time_unit_seconds));
      continue;
    }
    trace.jobs.push_back(job);
  }
  if (in.failed()) diag.add("", fmt::format("read error after line {}", in.line()));
  if (problems > kMaxProblems) {
    diag.add("", fmt::format("{} more problems not shown", problems - kMaxProblems));
  }
  diag.throw_if_any();

  trace.skipped = trace.skipped_without_gpus + trace.skipped_without_duration;
  std::stable_sort(trace.jobs.begin(), trace.jobs.end(), [](const TraceJob& a, const TraceJob& b) {
    return a.submit_hours < b.submit_hours;
  });
  return trace;
}

}  // namespace aidc
