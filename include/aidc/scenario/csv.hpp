#pragma once
/// The one CSV reader: records of comma-separated fields (RFC 4180: a field may be quoted,
/// with "" for a quote, and may then hold commas and line breaks), read one at a time with
/// the line each starts on. Blank lines are skipped; a UTF-8 byte-order mark is dropped. It
/// reports no errors of its own beyond the file's structure: each caller checks the fields
/// it reads and words its own messages.

#include <cstddef>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace aidc {

class CsvReader {
 public:
  explicit CsvReader(const std::string& path);
  /// False when the file cannot be opened.
  bool is_open() const { return open_; }
  /// The next record that is not blank, into `fields`; false at the end of the file.
  bool next(std::vector<std::string>& fields);
  /// The line (from 1) on which the last record starts.
  std::size_t line() const { return record_line_; }
  /// Whether the last record had a quoted field.
  bool had_quotes() const { return had_quotes_; }
  /// Whether the last record ended inside a quoted field (the file ended first).
  bool unterminated() const { return unterminated_; }
  /// Whether reading failed (not merely ended).
  bool failed() const { return in_.bad(); }

 private:
  std::ifstream in_;
  bool open_ = false;
  bool first_ = true;
  std::size_t line_ = 0;
  std::size_t record_line_ = 0;
  bool had_quotes_ = false;
  bool unterminated_ = false;
};

/// `text` without surrounding blanks and tabs.
std::string_view trim(std::string_view text);

/// `text` (blanks around it and a leading '+' allowed) as a finite number, or false.
bool parse_number(std::string_view text, double& out);

}  // namespace aidc
