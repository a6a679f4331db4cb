#pragma once
/// Experiment jobs replayed from a CSV trace with one row per job, such as
/// ../shared/data/alibaba-gpu-2023/derived/jobs.csv (the default column names are that
/// file's).

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace aidc {

/// One job of a trace: it asks for `gpus` whole GPUs at `submit_hours` and holds them for
/// `duration_hours`.
struct TraceJob {
  double submit_hours = 0;    // since the trace's own time origin
  std::int64_t gpus = 0;      // > 0
  double duration_hours = 0;  // >= 0
};

/// Where read_job_trace finds its values. Submit time and duration are numbers in units of
/// `time_unit_seconds` seconds; gpus is a whole number.
struct JobTraceColumns {
  std::string submit = "submit_time_s";
  std::string gpus = "num_gpus";
  std::string duration = "duration_s";
  double time_unit_seconds = 1;
};

/// The jobs of a trace, sorted by submit time (equal times keep file order), and the rows
/// that were not replayed.
struct JobTrace {
  std::vector<TraceJob> jobs;
  std::size_t skipped = 0;                   // skipped_without_gpus + skipped_without_duration
  std::size_t skipped_without_gpus = 0;      // gpus empty or <= 0
  std::size_t skipped_without_duration = 0;  // gpus > 0 but the duration is empty
};

/// Reads the jobs of a CSV file with a header row (comma-separated, no quoting; blank lines
/// are ignored). Rows whose gpus field is empty or <= 0 are skipped and counted, and so are
/// rows with GPUs but an empty duration (jobs that never ran). An empty submit time in a
/// row that is replayed, a field that is not a number, a gpus value that is not whole, a
/// negative duration or a row with a different number of fields than the header is an
/// error; the ScenarioError names the file and the line, e.g.
/// `jobs.csv: line 7: column num_gpus: not a number (got "x")`, for the first five
/// problems, and then counts the rest.
///
/// For the Alibaba GPU trace v2023 (derived/jobs.csv) the defaults read num_gpus as the
/// job's GPUs: the 1,088 tasks with num_gpus 0 (CPU-only) are skipped, as are the 861
/// GPU tasks never scheduled (empty duration_s). A job with num_gpus 1 and gpu_fraction
/// below 1 shares a GPU in the trace but holds a whole one here, so replayed GPU-hours
/// exceed the trace's gpu_equiv-weighted total.
///
/// Throws std::invalid_argument unless `columns.time_unit_seconds` is positive and finite.
JobTrace read_job_trace(const std::string& path, const JobTraceColumns& columns = {});

}  // namespace aidc
