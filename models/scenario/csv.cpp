#include "aidc/scenario/csv.hpp"

#include <charconv>
#include <cmath>

namespace aidc {

CsvReader::CsvReader(const std::string& path) : in_(path, std::ios::binary) { open_ = in_.good(); }

bool CsvReader::next(std::vector<std::string>& fields) {
  for (;;) {
    fields.clear();
    had_quotes_ = unterminated_ = false;
    std::string line;
    if (!std::getline(in_, line)) return false;
    ++line_;
    record_line_ = line_;
    if (first_) {
      first_ = false;
      if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
    }
    std::string field;
    bool quoted = false;
    for (;;) {
      if (!quoted && !line.empty() && line.back() == '\r') line.pop_back();
      for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
          if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
            field += '"';
            ++i;
          } else if (c == '"') {
            quoted = false;
          } else {
            field += c;
          }
        } else if (c == '"') {
          quoted = had_quotes_ = true;
        } else if (c == ',') {
          fields.push_back(std::move(field));
          field.clear();
        } else {
          field += c;
        }
      }
      if (!quoted) break;
      // A line break inside a quoted field belongs to the field.
      if (!std::getline(in_, line)) {
        unterminated_ = true;
        break;
      }
      ++line_;
      field += '\n';
    }
    fields.push_back(std::move(field));
    const bool blank = fields.size() == 1 && trim(fields[0]).empty() && !had_quotes_;
    if (!blank) return true;
  }
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool parse_number(std::string_view text, double& out) {
  text = trim(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  double x = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), x);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(x)) {
    return false;
  }
  out = x;
  return true;
}

}  // namespace aidc
