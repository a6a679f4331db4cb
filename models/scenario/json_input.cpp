// Reading a JSON input file and applying --set overrides: every failure (the OS's, the
// parser's, a value nested too deep, an index far past an array's end) becomes a
// ScenarioError naming the file and, where there is one, the JSON pointer.

#include <fmt/format.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "aidc/scenario/scenario.hpp"

namespace aidc {

namespace {

/// Deeper values are refused: copying or printing one recurses once per level.
constexpr std::size_t kMaxJsonDepth = 64;

/// The pointer of the first value nested deeper than kMaxJsonDepth, or nullopt. Iterative, so
/// it is safe on any depth (nlohmann's parser and destructor are iterative too).
std::optional<std::string> too_deep(const nlohmann::json& doc) {
  struct Frame {
    const nlohmann::json* node;
    nlohmann::json::json_pointer pointer;
    std::size_t depth;
  };
  std::vector<Frame> stack{{&doc, nlohmann::json::json_pointer(), 0}};
  while (!stack.empty()) {
    Frame f = std::move(stack.back());
    stack.pop_back();
    if (f.depth > kMaxJsonDepth) return f.pointer.to_string();
    if (f.node->is_object()) {
      for (const auto& [key, value] : f.node->items()) {
        stack.push_back({&value, f.pointer / key, f.depth + 1});
      }
    } else if (f.node->is_array()) {
      for (std::size_t i = 0; i < f.node->size(); ++i) {
        stack.push_back({&(*f.node)[i], f.pointer / i, f.depth + 1});
      }
    }
  }
  return std::nullopt;
}

[[noreturn]] void refuse(const std::string& file, std::string pointer, std::string message) {
  throw ScenarioError({Diagnostic{file, std::move(pointer), std::move(message)}});
}

/// nlohmann's text reads "[json.exception.parse_error.101] parse error at line L, column C:
/// ..."; the part after the bracket.
std::string parser_message(const nlohmann::json::exception& e) {
  std::string message = e.what();
  const auto pos = message.find("] ");
  return pos == std::string::npos ? message : message.substr(pos + 2);
}

}  // namespace

nlohmann::json read_json_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    refuse(path, "", "cannot read: is a folder (expected a JSON file)");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int error = errno;
    refuse(path, "", fmt::format("cannot open the file for reading: {}", os_error_text(error)));
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(buffer.str());
  } catch (const nlohmann::json::out_of_range& e) {
    // A number beyond a double (1e400) is the parser's only out-of-range error.
    refuse(path, "", "malformed JSON: " + parser_message(e) + " (expected a number below 1.8e308)");
  } catch (const nlohmann::json::exception& e) {
    refuse(path, "", "malformed JSON: " + parser_message(e));
  }
  if (const auto deep = too_deep(doc)) {
    refuse(path, *deep,
           fmt::format("nested too deep (got more than {} levels, expected at most {})",
                       kMaxJsonDepth, kMaxJsonDepth));
  }
  return doc;
}

namespace {

/// A problem with one --set assignment, or "" when it can be applied to `doc`.
std::string override_problem(const nlohmann::json& doc, const nlohmann::json::json_pointer& pointer,
                             const nlohmann::json& value) {
  if (pointer.empty()) return "--set: cannot replace the whole document";
  if (!doc.contains(pointer.parent_pointer())) {
    return fmt::format("--set: the parent of \"{}\" does not exist", pointer.to_string());
  }
  const nlohmann::json& parent = doc.at(pointer.parent_pointer());
  const std::string& last = pointer.back();
  if (parent.is_array() && last != "-") {
    // An index may name an element or the one just past the end (which appends).
    const bool digits = !last.empty() && last.size() <= 18 &&
                        last.find_first_not_of("0123456789") == std::string::npos;
    if (!digits || std::stoull(last) > parent.size()) {
      return fmt::format("--set: index past the end of the array (got {}, expected 0 to {})", last,
                         parent.size());
    }
  } else if (!parent.is_array() && !parent.is_object() && !parent.is_null()) {
    return fmt::format("--set: the parent is {} (expected an object or an array)",
                       type_name(parent));
  }
  if (const auto deep = too_deep(value)) {
    return fmt::format("--set: the value is nested too deep (got more than {} levels)",
                       kMaxJsonDepth);
  }
  return {};
}

}  // namespace

void apply_overrides(nlohmann::json& doc, const std::vector<std::string>& assignments,
                     const std::string& file) {
  Diagnostics diag(file);
  for (const auto& assignment : assignments) {
    const auto eq = assignment.find('=');
    if (eq == std::string::npos || assignment.empty() || assignment[0] != '/') {
      diag.add("", fmt::format("--set \"{}\": expected /json/pointer=VALUE", assignment));
      continue;
    }
    const std::string path = assignment.substr(0, eq);
    const std::string text = assignment.substr(eq + 1);
    nlohmann::json value;
    try {
      value = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception&) {
      value = text;  // a bare word is a string
    }
    try {
      (void)value.dump();  // a bare word must be text: a scenario file is UTF-8
    } catch (const nlohmann::json::type_error&) {
      diag.add(path, "--set: the value is not valid UTF-8 (expected JSON or UTF-8 text)");
      continue;
    }
    try {
      const nlohmann::json::json_pointer pointer(path);
      if (const std::string problem = override_problem(doc, pointer, value); !problem.empty()) {
        diag.add(path, problem);
        continue;
      }
      doc[pointer] = std::move(value);
    } catch (const nlohmann::json::exception& e) {
      diag.add(path, fmt::format("--set: not a usable JSON pointer ({})", parser_message(e)));
    }
  }
  diag.throw_if_any();
}

}  // namespace aidc
