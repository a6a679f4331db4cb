#include <fmt/format.h>

#include <filesystem>
#include <memory>

#include "aidc/report/report.hpp"
#include "aidc/run/output.hpp"
#include "aidc/scenario/errors.hpp"
#include "commands.hpp"

namespace aidc::cli {

namespace {
struct ReportOptions {
  std::string dir;
  std::string out;
};

void report_command(const ReportOptions& opt) {
  namespace fs = std::filesystem;
  const fs::path dir(opt.dir);
  const fs::path out = opt.out.empty() ? dir / "report.html" : fs::path(opt.out);
  if (out.filename().empty()) {
    throw ScenarioError({Diagnostic{opt.out, "", "--out: expected a file name, not a folder"}});
  }
  check_out_file(out.string());
  const report::FolderKind kind = report::detect_folder(dir);
  const std::string html = report::build_report_html(dir);
  const fs::path parent = out.parent_path().empty() ? fs::path(".") : out.parent_path();
  write_files_atomically(parent.string(), {{out.filename().string(), html}});
  fmt::print("report of the {} folder {} written to {}\n", report::folder_kind_name(kind),
             dir.string(), out.string());
}
}  // namespace

void setup_report_command(CLI::App& app) {
  auto opt = std::make_shared<ReportOptions>();
  auto* cmd = app.add_subcommand(
      "report", "Turn the output folder of run, compare or sweep into one offline HTML page");
  cmd->add_option("dir", opt->dir, "Output folder of aidc run, compare or sweep")->required();
  cmd->add_option("--out", opt->out, "Write the page here instead of DIR/report.html");
  cmd->callback([opt] { report_command(*opt); });
}

}  // namespace aidc::cli
