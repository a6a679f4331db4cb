// The report's CSV tables, read with the one CSV reader (aidc/scenario/csv.hpp).

#include "aidc/scenario/csv.hpp"

#include <fmt/format.h>
#include "internal.hpp"

namespace aidc::report {

Csv::Csv(fs::path path) : path_(std::move(path)) {
  CsvReader in(path_.string());
  if (!in.is_open()) fail(path_, "cannot open the file for reading");
  std::vector<std::string> record;
  while (in.next(record)) {
    if (in.unterminated()) {
      fail(path_, fmt::format("line {}: a quoted field is never closed", in.line()));
    }
    if (header_.empty()) {
      header_ = std::move(record);
      continue;
    }
    if (record.size() != header_.size()) {
      fail(path_, fmt::format("line {}: {} fields, expected {} as in the header row", in.line(),
                              record.size(), header_.size()));
    }
    rows_.push_back(std::move(record));
    lines_.push_back(in.line());
  }
  if (header_.empty()) fail(path_, "empty file; expected a header row");
}

}  // namespace aidc::report
