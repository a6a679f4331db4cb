#pragma once
/// Bad input is reported as file, JSON pointer, what is wrong, what was found and
/// what was expected. Loaders collect every problem before they throw, so a user
/// sees all of them at once.

#include <stdexcept>
#include <string>
#include <vector>

namespace aidc {

/// One problem in one input file.
struct Diagnostic {
  std::string file;
  std::string pointer;  // JSON pointer; "" for the document as a whole
  std::string message;
  /// "FILE: /json/pointer: message"
  std::string to_string() const;
};

/// The one exception type for bad input; carries every problem found.
class ScenarioError : public std::runtime_error {
 public:
  explicit ScenarioError(std::vector<Diagnostic> diagnostics);
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }
  /// The first `limit` problems, one a line, then how many more there are.
  std::string report(std::size_t limit = 50) const;

 private:
  std::vector<Diagnostic> diagnostics_;
};

/// Collects the problems of one input file.
class Diagnostics {
 public:
  explicit Diagnostics(std::string file) : file_(std::move(file)) {}
  void add(std::string pointer, std::string message);
  bool empty() const { return items_.empty(); }
  const std::vector<Diagnostic>& items() const { return items_; }
  const std::string& file() const { return file_; }
  /// Throws ScenarioError holding every problem, if there is any.
  void throw_if_any() const;

 private:
  std::string file_;
  std::vector<Diagnostic> items_;
};

/// An OS error (errno) in words: "no such file or folder", "permission denied", "is a folder",
/// "the disk is full", ...
std::string os_error_text(int error);

/// The closest candidate to `word` by edit distance, or "" when none is close.
std::string nearest(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace aidc
