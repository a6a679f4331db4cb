// Data files named by a scenario: resolved against the scenario's folder and confined to it.

#include "aidc/scenario/data_paths.hpp"

#include <fmt/format.h>

#include <atomic>
#include <filesystem>
#include <system_error>

namespace aidc {

namespace {
std::atomic<bool> g_allow_outside{false};

/// Whether `inner` is `outer` or lies below it (both absolute and normalized).
bool within(const std::filesystem::path& outer, const std::filesystem::path& inner) {
  auto o = outer.begin();
  auto i = inner.begin();
  for (; o != outer.end(); ++o, ++i) {
    if (o->empty()) continue;  // a trailing separator
    if (i == inner.end() || *o != *i) return false;
  }
  return true;
}
}  // namespace

void allow_outside_paths(bool allow) { g_allow_outside = allow; }
bool outside_paths_allowed() { return g_allow_outside; }

std::optional<std::string> data_file_path(const ParamReader& r, std::string_view key) {
  const std::string path = r.required_string(key);
  if (path.empty()) {
    if (r.has(key)) r.error(key, "empty path (expected a file name)");
    return std::nullopt;
  }
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path dir = fs::path(r.diagnostics().file()).parent_path();
  if (dir.empty()) dir = ".";  // a file named without a folder is in the current one
  const fs::path folder = fs::weakly_canonical(fs::absolute(dir, ec), ec);
  if (ec || folder.empty()) {
    r.error(key, fmt::format("cannot resolve the scenario's folder ({})", ec.message()));
    return std::nullopt;
  }
  fs::path full(path);
  if (full.is_relative()) full = folder / full;
  const fs::path resolved = fs::weakly_canonical(full, ec);
  if (ec) {
    r.error(key, fmt::format("cannot resolve \"{}\" ({})", path, ec.message()));
    return std::nullopt;
  }
  if (!outside_paths_allowed() && !within(folder, resolved)) {
    r.error(key, fmt::format("\"{}\" is outside the scenario's folder \"{}\" (expected a file in "
                             "it or below; --allow-outside-paths permits others)",
                             path, folder.string()));
    return std::nullopt;
  }
  return resolved.string();
}

}  // namespace aidc
