// Output folders written as a unit. Each file goes to a temporary name, is synced to disk
// and renamed into place; a folder of outputs (aidc run, compare, sweep) then gets
// manifest.json, written the same way and last, naming every file with a hash of its
// content. The old manifest is removed before the first new file lands, so a writer killed
// at any point leaves a folder that either has a manifest matching every file it lists or
// has none, and readers (aidc report) refuse the latter and any file that does not match.

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>

#include "aidc/run/output.hpp"
#include "aidc/scenario/errors.hpp"

namespace aidc {

namespace {

namespace fs = std::filesystem;

constexpr const char* kManifest = "manifest.json";

/// FNV-1a, 64 bits: enough to tell the files of one run from another's (not a security hash).
std::string content_hash(const std::string& content) {
  std::uint64_t h = 14695981039346656037ULL;
  for (const char c : content) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return fmt::format("fnv1a64:{:016x}", h);
}

/// Flushes a written file (or a folder's entries) to disk; false with errno on failure.
bool sync_path(const fs::path& path, bool folder) {
  const int fd = ::open(path.c_str(), folder ? (O_RDONLY | O_DIRECTORY) : O_WRONLY);
  if (fd < 0) return false;
  const bool ok = ::fsync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  errno = saved;
  return ok;
}

/// Test-only fault injection: AIDC_TEST_EXIT_AFTER_RENAMES=k ends the process at once after
/// the k-th rename into place (0: before the first), as a kill would.
void maybe_exit_after(std::size_t renames) {
  static const char* const at = std::getenv("AIDC_TEST_EXIT_AFTER_RENAMES");
  if (at != nullptr && std::to_string(renames) == at) std::_Exit(137);
}

}  // namespace

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_files_atomically(const std::string& dir,
                            const std::vector<std::pair<std::string, std::string>>& files,
                            Manifest manifest) {
  check_out_folder(dir);
  std::vector<std::pair<std::string, std::string>> all = files;
  if (manifest == Manifest::write) {
    nlohmann::json listed = nlohmann::json::object();
    for (const auto& [name, content] : files) listed[name] = content_hash(content);
    all.emplace_back(kManifest, nlohmann::json{{"files", listed}}.dump(2) + "\n");
  }
  std::vector<std::pair<fs::path, fs::path>> staged;
  // An OS error (disk full, permission, a file in the way) is bad output, exit 2: no
  // .partial file is left behind.
  const auto fail = [&](const fs::path& where, int error) {
    std::error_code ignored;
    for (const auto& [temp_path, final_path] : staged) fs::remove(temp_path, ignored);
    throw ScenarioError(
        {Diagnostic{where.string(), "", fmt::format("cannot write: {}", os_error_text(error))}});
  };
  try {
    fs::create_directories(dir);
    for (const auto& [name, content] : all) {
      const fs::path final_path = fs::path(dir) / name;  // `name` may hold a subfolder
      fs::create_directories(final_path.parent_path());
      std::string temp_name = ".";
      temp_name += final_path.filename().string();
      temp_name += ".partial";
      const fs::path temp_path = final_path.parent_path() / temp_name;
      errno = 0;
      std::ofstream out(temp_path, std::ios::binary | std::ios::trunc);
      if (out) staged.emplace_back(temp_path, final_path);
      out << content;
      out.close();
      if (!out) fail(temp_path, errno != 0 ? errno : EIO);
      if (!sync_path(temp_path, false)) fail(temp_path, errno != 0 ? errno : EIO);
      if (fs::is_directory(final_path)) fail(final_path, EISDIR);
    }
    std::size_t renames = 0;
    maybe_exit_after(renames);
    // From here the folder's old manifest no longer describes it.
    if (manifest == Manifest::write) fs::remove(fs::path(dir) / kManifest);
    for (const auto& [temp_path, final_path] : staged) {
      fs::rename(temp_path, final_path);
      maybe_exit_after(++renames);
    }
    if (!sync_path(dir, true)) fail(dir, errno != 0 ? errno : EIO);
  } catch (const fs::filesystem_error& e) {
    fail(e.path1().empty() ? fs::path(dir) : e.path1(), e.code().value());
  }
}

void verify_output_folder(const std::string& dir) {
  const fs::path manifest = fs::path(dir) / kManifest;
  const auto refuse = [](const fs::path& where, const std::string& what) {
    throw ScenarioError({Diagnostic{where.string(), "", what}});
  };
  if (!fs::exists(manifest)) {
    refuse(manifest,
           "missing: the outputs are incomplete (their writer was interrupted) or "
           "were written before manifests; run the command again");
  }
  const nlohmann::json doc = nlohmann::json::parse(read_all(manifest), nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("files") ||
      !doc.at("files").is_object()) {
    refuse(manifest, "not a manifest (expected an object with \"files\")");
  }
  for (const auto& [name, hash] : doc.at("files").items()) {
    const fs::path file = fs::path(dir) / name;
    if (!fs::exists(file)) refuse(file, "missing, though manifest.json lists it");
    if (!hash.is_string() || content_hash(read_all(file)) != hash.get<std::string>()) {
      refuse(file,
             "not the file manifest.json lists: the folder mixes the outputs of "
             "different runs (a writer was interrupted); run the command again");
    }
  }
}

}  // namespace aidc
