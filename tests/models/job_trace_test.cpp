// Job traces read from CSV: skipped rows, sorting, units, errors that name the file and
// the line, and the Alibaba GPU trace v2023 checked against an independent count.

#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "aidc/scenario/errors.hpp"
#include "aidc/training/job_trace.hpp"
#include "support.hpp"

using aidc::JobTrace;
using aidc::JobTraceColumns;
using aidc::ScenarioError;
using aidc::TraceJob;

namespace {

/// The problems read_job_trace reports for `path`; empty if it reads.
std::vector<std::string> problems_of(const std::string& path, const JobTraceColumns& columns = {}) {
  try {
    aidc::read_job_trace(path, columns);
  } catch (const ScenarioError& e) {
    std::vector<std::string> out;
    for (const auto& d : e.diagnostics()) out.push_back(d.to_string());
    return out;
  }
  return {};
}

double gpu_hours(const JobTrace& trace) {
  double sum = 0;
  for (const TraceJob& job : trace.jobs) sum += static_cast<double>(job.gpus) * job.duration_hours;
  return sum;
}

}  // namespace

TEST_CASE("A small trace is read, filtered and sorted by submit time", "[trace]") {
  aidc::test::TempDir dir;
  // j3 has no GPUs, j4 an empty GPU field, j5 GPUs but no duration (never ran): skipped.
  // Kept, sorted by submit time with ties in file order:
  //   j2 0 s, 1 GPU, 5400 s = 1.5 h -> 1.5 GPU-h
  //   j7 0 s, 2 GPUs, 0 h            -> 0
  //   j6 3600 s = 1 h, 4 GPUs, 900 s = 0.25 h -> 1
  //   j1 7200 s = 2 h, 8 GPUs, 1 h    -> 8
  // Total 10.5 GPU-hours. The blank line, CRLF ending and spaces around fields are allowed.
  const std::string path = dir.write("jobs.csv",
                                     "job_id,submit_time_s,num_gpus,duration_s,note\n"
                                     "j1,7200,8,3600,a\n"
                                     "j2,0,1,5400,b\r\n"
                                     "j3,3600,0,100,cpu only\n"
                                     "\n"
                                     "j4,1800,,100,empty gpus\n"
                                     "j5,3600,2,,pending\n"
                                     "j6, 3600 ,4,900,c\n"
                                     "j7,0,2,0,d\n");
  const JobTrace trace = aidc::read_job_trace(path, {});
  REQUIRE(trace.jobs.size() == 4);
  CHECK(trace.skipped == 3);
  CHECK(trace.skipped_without_gpus == 2);
  CHECK(trace.skipped_without_duration == 1);

  const std::vector<double> submit{0.0, 0.0, 1.0, 2.0};
  const std::vector<std::int64_t> gpus{1, 2, 4, 8};
  const std::vector<double> duration{1.5, 0.0, 0.25, 1.0};
  for (std::size_t k = 0; k < 4; ++k) {
    CAPTURE(k);
    CHECK(trace.jobs[k].submit_hours == submit[k]);
    CHECK(trace.jobs[k].gpus == gpus[k]);
    CHECK(trace.jobs[k].duration_hours == duration[k]);
  }
  CHECK(gpu_hours(trace) == Approx(10.5).epsilon(1e-12));
}

TEST_CASE("Other column names and time units are read as configured", "[trace]") {
  aidc::test::TempDir dir;
  // Minutes: submit 90 min = 1.5 h, duration 30 min = 0.5 h; 3 GPUs -> 1.5 GPU-h.
  const std::string path = dir.write("m.csv",
                                     "gpus,t_min,run_min\n"
                                     "3,90,30\n"
                                     "-1,0,10\n");
  JobTraceColumns columns;
  columns.submit = "t_min";
  columns.gpus = "gpus";
  columns.duration = "run_min";
  columns.time_unit_seconds = 60;
  const JobTrace trace = aidc::read_job_trace(path, columns);
  REQUIRE(trace.jobs.size() == 1);
  CHECK(trace.jobs[0].submit_hours == 1.5);
  CHECK(trace.jobs[0].gpus == 3);
  CHECK(trace.jobs[0].duration_hours == 0.5);
  CHECK(trace.skipped_without_gpus == 1);  // negative GPUs count as none

  columns.time_unit_seconds = 0;
  CHECK_THROWS_AS(aidc::read_job_trace(path, columns), std::invalid_argument);
}

TEST_CASE("Trace errors name the file, the line and the column", "[trace][errors]") {
  aidc::test::TempDir dir;
  const std::string header = "job_id,submit_time_s,num_gpus,duration_s\n";
  SECTION("not a number") {
    // Line 1 is the header; line 3 holds the "x".
    const std::string path = dir.write("jobs.csv", header + "a,0,1,10\nb,0,x,10\n");
    CHECK(problems_of(path) ==
          std::vector<std::string>{path + ": line 3: column num_gpus: not a number"});
  }
  SECTION("GPUs that are not whole") {
    const std::string path = dir.write("jobs.csv", header + "a,0,2.5,10\n");
    CHECK(problems_of(path) ==
          std::vector<std::string>{path + ": line 2: column num_gpus: not a whole number"});
  }
  SECTION("a negative duration") {
    const std::string path = dir.write("jobs.csv", header + "a,0,1,-3\n");
    CHECK(problems_of(path) ==
          std::vector<std::string>{path + ": line 2: column duration_s: out of range (expected a "
                                          "number >= 0)"});
  }
  SECTION("an empty submit time in a job that is replayed") {
    const std::string path = dir.write("jobs.csv", header + "a,,1,10\n");
    CHECK(problems_of(path) ==
          std::vector<std::string>{path +
                                   ": line 2: column submit_time_s: empty (expected a number)"});
  }
  SECTION("a row with a field too many") {
    const std::string path = dir.write("jobs.csv", header + "a,0,1,10\nb,c,0,1,10\n");
    CHECK(problems_of(path) ==
          std::vector<std::string>{path + ": line 3: expected 4 fields as in the header, got 5"});
  }
  SECTION("a quoted field may hold a comma (RFC 4180)") {
    const std::string path = dir.write("jobs.csv", header + "\"b,c\",0,1,10\n");
    CHECK(problems_of(path).empty());
  }
  SECTION("a quoted field that is never closed") {
    const std::string path = dir.write("jobs.csv", header + "a,0,1,10\n\"b,0,1,10\n");
    CHECK(problems_of(path) ==
          std::vector<std::string>{path + ": line 3: a quoted field is never closed"});
  }
  SECTION("every bad field of a row is reported") {
    const std::string path = dir.write("jobs.csv", header + "a,soon,1,long\n");
    CHECK(problems_of(path) ==
          std::vector<std::string>{path + ": line 2: column submit_time_s: not a number",
                                   path + ": line 2: column duration_s: not a number"});
  }
  SECTION("after five problems the rest are counted") {
    std::string text = header;
    for (int k = 0; k < 8; ++k) text += "a,0,?,1\n";  // lines 2..9
    const std::string path = dir.write("jobs.csv", text);
    const std::vector<std::string> problems = problems_of(path);
    REQUIRE(problems.size() == 6);
    CHECK(problems[4] == path + ": line 6: column num_gpus: not a number");
    CHECK(problems[5] == path + ": 3 more problems not shown");
  }
  SECTION("a missing column, without quoting the header (the file's content)") {
    const std::string path = dir.write("jobs.csv", header + "a,0,1,10\n");
    JobTraceColumns columns;
    columns.gpus = "num_gpu";
    CHECK(problems_of(path, columns) ==
          std::vector<std::string>{path +
                                   ": line 1: no column \"num_gpu\" among the header's 4 columns"});
  }
  SECTION("an empty file") {
    const std::string path = dir.write("jobs.csv", "");
    CHECK(problems_of(path) ==
          std::vector<std::string>{path + ": line 1: empty file (expected a header row)"});
  }
  SECTION("a missing file") {
    const std::string path =
        (std::filesystem::temp_directory_path() / "aidc-no-such-dir-5c1e" / "jobs.csv").string();
    CHECK(problems_of(path) == std::vector<std::string>{path + ": cannot read the file"});
  }
}

TEST_CASE("The Alibaba GPU trace v2023 replays every scheduled GPU task", "[trace]") {
  const std::string derived =
      std::string(AIDC_SOURCE_DIR) + "/../shared/data/alibaba-gpu-2023/derived";
  const std::string path = derived + "/jobs.csv";
  if (!std::filesystem::exists(path)) {
    WARN("skipped: " << path << " is absent (the shared data folder is not checked out)");
    return;
  }
  // Independent count by plain splitting: a row is replayed when num_gpus > 0 and
  // duration_s is not empty. GPU-seconds are whole numbers (integer seconds and GPUs),
  // so their sum is exact in 64-bit integers.
  std::ifstream in(path);
  std::string line;
  REQUIRE(std::getline(in, line));
  const std::vector<std::string> header = aidc::test::split_fields(line, ',');
  const auto column = [&](const std::string& name) {
    const auto it = std::find(header.begin(), header.end(), name);
    REQUIRE(it != header.end());
    return static_cast<std::size_t>(it - header.begin());
  };
  const std::size_t gpus_col = column("num_gpus");
  const std::size_t duration_col = column("duration_s");
  const std::size_t equiv_col = column("gpu_equiv");
  std::size_t rows = 0;
  std::size_t replayed = 0;
  std::size_t cpu_only = 0;
  std::size_t never_ran = 0;
  std::int64_t gpu_seconds = 0;
  double equiv_gpu_hours = 0;  // the summary's definition: gpu_equiv x duration
  while (std::getline(in, line)) {
    const std::vector<std::string> f = aidc::test::split_fields(line, ',');
    REQUIRE(f.size() == header.size());
    ++rows;
    const std::int64_t gpus = std::stoll(f[gpus_col]);
    if (gpus <= 0) {
      ++cpu_only;
    } else if (f[duration_col].empty()) {
      ++never_ran;
    } else {
      ++replayed;
      gpu_seconds += gpus * std::stoll(f[duration_col]);
      equiv_gpu_hours += std::stod(f[equiv_col]) * std::stod(f[duration_col]) / 3600.0;
    }
  }

  const JobTrace trace = aidc::read_job_trace(path, {});
  CHECK(trace.jobs.size() == replayed);
  CHECK(trace.skipped_without_gpus == cpu_only);
  CHECK(trace.skipped_without_duration == never_ran);
  CHECK(trace.jobs.size() + trace.skipped == rows);
  CHECK(gpu_hours(trace) == Approx(static_cast<double>(gpu_seconds) / 3600.0).epsilon(1e-12));
  for (std::size_t k = 1; k < trace.jobs.size(); ++k) {
    REQUIRE(trace.jobs[k - 1].submit_hours <= trace.jobs[k].submit_hours);
  }

  // derived/summary_stats.csv counts all tasks and those with num_gpu > 0 (scheduled or
  // not). Its GPU-hours weigh each task by gpu_equiv = num_gpus x gpu_fraction, so the
  // replay (whole GPUs) holds at least as many GPU-hours.
  std::ifstream stats(derived + "/summary_stats.csv");
  std::size_t compared = 0;
  while (stats && std::getline(stats, line)) {
    const std::vector<std::string> f = aidc::test::split_fields(line, ',');
    if (f.size() < 2) continue;
    if (f[0] == "tasks") {
      CHECK(trace.jobs.size() + trace.skipped == std::stoull(f[1]));
      ++compared;
    } else if (f[0] == "gpu_tasks") {
      CHECK(trace.jobs.size() + trace.skipped_without_duration == std::stoull(f[1]));
      ++compared;
    } else if (f[0] == "gpu_hours_total") {
      // Stated with 5 decimals.
      CHECK(equiv_gpu_hours == Approx(std::stod(f[1])).margin(1e-5));
      CHECK(gpu_hours(trace) >= std::stod(f[1]));
      ++compared;
    }
  }
  if (compared != 3)
    WARN("derived/summary_stats.csv lacks some of tasks, gpu_tasks, gpu_hours_total");
}
