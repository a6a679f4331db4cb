#include "aidc/scenario/errors.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <numeric>

namespace aidc {

std::string Diagnostic::to_string() const {
  if (pointer.empty()) return fmt::format("{}: {}", file, message);
  return fmt::format("{}: {}: {}", file, pointer, message);
}

namespace {
std::string join_lines(const std::vector<Diagnostic>& items) {
  std::string out;
  for (const auto& d : items) {
    if (!out.empty()) out += '\n';
    out += d.to_string();
  }
  return out;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
      diagonal = above;
    }
  }
  return row[b.size()];
}
}  // namespace

ScenarioError::ScenarioError(std::vector<Diagnostic> diagnostics)
    : std::runtime_error(join_lines(diagnostics)), diagnostics_(std::move(diagnostics)) {}

std::string ScenarioError::report(std::size_t limit) const {
  std::string out;
  const std::size_t shown = std::min(limit, diagnostics_.size());
  for (std::size_t i = 0; i < shown; ++i) out += diagnostics_[i].to_string() + "\n";
  if (diagnostics_.size() > shown) {
    const std::size_t rest = diagnostics_.size() - shown;
    out += fmt::format("... and {} more problem{} (the first {} are shown)\n", rest,
                       rest == 1 ? "" : "s", shown);
  }
  return out;
}

void Diagnostics::add(std::string pointer, std::string message) {
  items_.push_back(Diagnostic{file_, std::move(pointer), std::move(message)});
}

void Diagnostics::throw_if_any() const {
  if (!items_.empty()) throw ScenarioError(items_);
}

std::string os_error_text(int error) {
  switch (error) {
    case ENOENT:
      return "no such file or folder";
    case EACCES:
    case EPERM:
      return "permission denied";
    case EISDIR:
      return "is a folder";
    case ENOTDIR:
      return "a part of the path is a file, not a folder";
    case ENOSPC:
      return "the disk is full";
    case EEXIST:
      return "exists already";
    case EROFS:
      return "the file system is read-only";
    default:
      return std::strerror(error);
  }
}

std::string nearest(const std::string& word, const std::vector<std::string>& candidates) {
  const auto lower = [](std::string text) {
    for (char& ch : text) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return text;
  };
  for (const auto& c : candidates) {
    if (lower(c) == lower(word)) return c;  // "h100" means "H100"
  }
  std::string best;
  std::size_t best_distance = 0;
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (best.empty() || d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  // Close means at most a third of the word changed (and at least two edits allowed).
  const std::size_t limit = std::max<std::size_t>(2, word.size() / 3);
  return best_distance <= limit ? best : std::string{};
}

}  // namespace aidc
