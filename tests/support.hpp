#pragma once
// What tests that touch files or run the aidc command share: a temporary folder that
// removes itself, file helpers, and running aidc with its output captured.

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "aidc/scenario/data_paths.hpp"
#include "aidc/scenario/errors.hpp"
#include "aidc/scenario/scenario.hpp"

namespace aidc::test {

namespace fs = std::filesystem;

/// A fresh folder in the temporary directory, removed with everything in it at the end.
class TempDir {
 public:
  explicit TempDir(const std::string& tag = "aidc-test") {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            (tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  fs::path operator/(const std::string& name) const { return path_ / name; }
  const fs::path& path() const { return path_; }
  /// The path of `name` in the folder, as text.
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  /// Writes `text` to `name` in the folder and returns its path.
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / name, std::ios::binary) << text;
    return file(name);
  }

 private:
  fs::path path_;
};

/// Every problem, one line each.
inline std::string all_lines(const std::vector<Diagnostic>& problems) {
  std::string out;
  for (const auto& d : problems) out += d.to_string() + "\n";
  return out;
}
inline std::string all_lines(const Diagnostics& diagnostics) {
  return all_lines(diagnostics.items());
}

/// `p` in single quotes for the shell (the temporary paths hold no quotes).
/// Lets scenarios name data files outside their folder while it lives (the command line's
/// --allow-outside-paths), for tests that read files from the temporary directory or
/// ../shared without a scenario file beside them.
class AllowOutsidePaths {
 public:
  AllowOutsidePaths() { aidc::allow_outside_paths(true); }
  ~AllowOutsidePaths() { aidc::allow_outside_paths(false); }
  AllowOutsidePaths(const AllowOutsidePaths&) = delete;
  AllowOutsidePaths& operator=(const AllowOutsidePaths&) = delete;
};

/// The item of `items` (campaigns, streams: anything with an `id`) with id `id`; the
/// loader keeps them in id order, not in the order of the file.
template <class T>
const T& named(const std::vector<T>& items, const std::string& id) {
  for (const auto& item : items) {
    if (item.id == id) return item;
  }
  throw std::out_of_range("no item with id " + id);
}

/// Every scenario file under scenarios/ (comparisons and sweeps left out), as paths relative
/// to it, in name order.
inline std::vector<fs::path> shipped_scenarios() {
  const fs::path root = fs::path(AIDC_SOURCE_DIR) / "scenarios";
  std::vector<fs::path> out;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.path().extension() != ".json") continue;
    const auto doc = aidc::read_json_file(entry.path().string());
    if (doc.contains("plans") || doc.contains("parameters") || doc.contains("variables")) continue;
    out.push_back(fs::relative(entry.path(), root));
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

/// The fields of one line of delimited text; a trailing separator ends in an empty field.
inline std::vector<std::string> split_fields(const std::string& line, char sep) {
  std::vector<std::string> out;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, sep)) out.push_back(field);
  if (!line.empty() && line.back() == sep) out.emplace_back();
  return out;
}

inline std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

/// Writes `content` to `p`, creating its folder if needed.
inline void write_file(const fs::path& p, const std::string& content) {
  if (p.has_parent_path()) fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << content;
}

struct Outcome {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs `aidc ARGS` with stdout and stderr captured in files of `dir`.
inline Outcome run_aidc(const TempDir& dir, const std::string& args,
                        const std::vector<std::pair<std::string, std::string>>& env = {}) {
  const fs::path out = dir / "stdout.txt";
  const fs::path err = dir / "stderr.txt";
  std::string command;
  for (const auto& [name, value] : env) command += name + "=" + quoted(fs::path(value)) + " ";
  command += quoted(AIDC_BINARY) + " " + args + " >" + quoted(out) + " 2>" + quoted(err);
  const int status = std::system(command.c_str());
  Outcome o;
  if (status != -1 && WIFEXITED(status)) o.exit_code = WEXITSTATUS(status);
  o.out = read_file(out);
  o.err = read_file(err);
  return o;
}

/// The path of a file in the source tree.
inline std::string source_path(const std::string& relative) {
  return std::string(AIDC_SOURCE_DIR) + "/" + relative;
}

}  // namespace aidc::test
