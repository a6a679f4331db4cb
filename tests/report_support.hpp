#pragma once
// What the tests of report pages share: sealing a hand-made output folder and reading back
// the chart specifications a page inlines.

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "aidc/run/output.hpp"
#include "support.hpp"

namespace aidc::test {

/// Writes a hand-made output folder again through the writer of aidc run, so that it gets
/// the manifest.json that aidc report requires.
inline void seal(const fs::path& folder) {
  std::vector<std::pair<std::string, std::string>> files;
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    if (!entry.is_regular_file() || entry.path().filename() == "manifest.json") continue;
    files.emplace_back(fs::relative(entry.path(), folder).string(), read_file(entry.path()));
  }
  std::sort(files.begin(), files.end());
  write_files_atomically(folder.string(), files, Manifest::write);
}

/// The Vega-Lite specifications a page inlines, by chart id.
inline nlohmann::json specs_of(const std::string& html) {
  const std::string open = "<script type=\"application/json\" id=\"aidc-specs\">";
  const std::size_t begin = html.find(open);
  if (begin == std::string::npos) return nlohmann::json::object();
  const std::size_t end = html.find("</script>", begin);
  return nlohmann::json::parse(html.substr(begin + open.size(), end - begin - open.size()));
}

}  // namespace aidc::test
