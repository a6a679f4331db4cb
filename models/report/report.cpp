// `aidc report`: which kind of folder it is, and its page.

#include "aidc/run/output.hpp"
#include "internal.hpp"

namespace aidc::report {

const char* folder_kind_name(FolderKind kind) {
  switch (kind) {
    case FolderKind::run:
      return "run";
    case FolderKind::compare:
      return "compare";
    case FolderKind::sweep:
      return "sweep";
    case FolderKind::optimize:
      return "optimize";
    case FolderKind::fit:
      return "fit";
  }
  return "run";
}

FolderKind detect_folder(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) fail(dir, "no such folder");
  if (!fs::is_directory(dir, ec))
    fail(dir, "not a folder; expected the output folder of aidc run, compare or sweep");
  verify_output_folder(dir.string());  // refuses an interrupted or mixed folder
  if (fs::exists(dir / "sweep.json")) return FolderKind::sweep;
  if (fs::exists(dir / "optimize.json")) return FolderKind::optimize;
  if (fs::exists(dir / "fit.json")) return FolderKind::fit;
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
       "comparison.json (aidc compare), sweep.json (aidc sweep), optimize.json (aidc "
       "optimize) or fit.json (aidc fit demand)");
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
    case FolderKind::optimize:
      page = optimize_page(dir);
      break;
    case FolderKind::fit:
      page = fit_page(dir);
      break;
  }
  return render_html(page, dir);
}

}  // namespace aidc::report
