// Checks of an --out target before any work: a folder that cannot be made (the path is a
// file, a part of it is a file, its parent is not writable) is refused at once with exit 2,
// instead of failing after the simulation.

#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>
#include <filesystem>

#include "aidc/run/output.hpp"
#include "aidc/scenario/errors.hpp"

namespace aidc {

namespace {

[[noreturn]] void refuse_out(const std::string& path, const std::string& message) {
  throw ScenarioError({Diagnostic{path, "", "--out: " + message}});
}

/// The nearest part of `p` (itself included) that exists; "." when none does.
std::filesystem::path existing_ancestor(std::filesystem::path p) {
  std::error_code ec;
  p = std::filesystem::absolute(p, ec);
  while (!p.empty() && !std::filesystem::exists(p, ec)) {
    if (p == p.parent_path()) break;
    p = p.parent_path();
  }
  return p.empty() ? std::filesystem::path(".") : p;
}

}  // namespace

void check_out_folder(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (dir.empty()) return;
  const auto status = fs::status(dir, ec);
  if (fs::exists(status) && !fs::is_directory(status)) {
    refuse_out(dir, "exists as a file (expected a folder, or a path that does not exist)");
  }
  const fs::path ancestor = existing_ancestor(dir);
  if (!fs::is_directory(ancestor, ec)) {
    refuse_out(dir, fmt::format("{} is a file, not a folder (expected a path of folders)",
                                ancestor.string()));
  }
  if (::access(ancestor.c_str(), W_OK | X_OK) != 0) {
    refuse_out(dir,
               fmt::format("cannot write into {}: {}", ancestor.string(), os_error_text(errno)));
  }
}

void check_out_file(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    refuse_out(path, "exists as a folder (expected a file name)");
  }
  const fs::path parent = fs::path(path).parent_path();
  check_out_folder(parent.empty() ? std::string(".") : parent.string());
}

}  // namespace aidc
