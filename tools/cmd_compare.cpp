#include <fmt/format.h>

#include <memory>

#include "aidc/experiment/compare.hpp"
#include "aidc/run/output.hpp"
#include "aidc/scenario/scenario.hpp"
#include "commands.hpp"

namespace aidc::cli {

namespace {
struct CompareOptions {
  std::vector<std::string> files;
  std::string out_dir;
  std::optional<std::size_t> replications;
  std::optional<std::uint64_t> seed;
  unsigned threads = 0;
  bool independent = false;
};

void compare_command(const CompareOptions& opt) {
  check_out_folder(opt.out_dir);  // before the work, not after it
  experiment::ComparisonSpec spec;
  if (opt.files.size() == 1) {
    const nlohmann::json doc = read_json_file(opt.files.front());
    // A single scenario is not a comparison; comparison_of_files() says so.
    spec = experiment::is_comparison(doc) ? experiment::read_comparison(doc, opt.files.front())
                                          : experiment::comparison_of_files(opt.files);
  } else {
    spec = experiment::comparison_of_files(opt.files);
  }
  if (opt.replications) spec.replications = *opt.replications;
  if (opt.seed) spec.seed = *opt.seed;

  const auto result = experiment::run_comparison(spec, opt.threads, !opt.independent);
  if (!opt.out_dir.empty()) {
    write_files_atomically(opt.out_dir, experiment::comparison_files(result), Manifest::write);
  }
  fmt::print("{}", experiment::comparison_table(result));
  if (!opt.out_dir.empty()) fmt::print("\noutputs in {}/\n", opt.out_dir);
}
}  // namespace

void setup_compare_command(CLI::App& app) {
  auto opt = std::make_shared<CompareOptions>();
  auto* cmd = app.add_subcommand(
      "compare", "Compare fleet plans under common random numbers, with paired differences");
  cmd->add_option("plans", opt->files,
                  "Two or more scenario files, or one comparison file with \"plans\"")
      ->required();
  cmd->add_option("--out", opt->out_dir,
                  "Write comparison.json, comparison.csv and plans/<name>/ into this folder");
  cmd->add_option("--replications,-n", opt->replications,
                  "Replications per plan (default: the comparison file's, else 10)")
      ->check(CLI::Range(2, 1000000));
  cmd->add_option("--seed", opt->seed, "Seed for every plan (default: the baseline's)");
  cmd->add_option("--threads,-j", opt->threads,
                  "Runs in parallel on this many threads (default: every core); the results do "
                  "not depend on it");
  cmd->add_flag("--independent", opt->independent,
                "Give each plan its own random numbers instead of common ones (for checking "
                "what common random numbers gain)");
  cmd->callback([opt] { compare_command(*opt); });
}

}  // namespace aidc::cli
