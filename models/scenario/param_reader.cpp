#include "aidc/scenario/param_reader.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>

namespace aidc {

using nlohmann::json;

namespace {
// JSON pointer escaping (RFC 6901): "~" -> "~0", "/" -> "~1".
std::string escape(std::string_view key) {
  std::string out;
  for (const char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

const char* bound_text(Bound bound) {
  switch (bound) {
    case Bound::positive:
      return "a positive number";
    case Bound::non_negative:
      return "a number >= 0";
    case Bound::fraction:
      return "a fraction from 0 to 1";
    case Bound::any:
      break;
  }
  return "a number";
}
}  // namespace

std::string brief(const json& value) {
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > 60) {
    std::size_t cut = 57;  // not inside a UTF-8 sequence: back up over continuation bytes
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0U) == 0x80U) --cut;
    text.resize(cut);
    text.append("...");
  }
  return text;
}

std::string type_name(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::string:
      return "a string";
    case json::value_t::array:
      return "an array";
    case json::value_t::object:
      return "an object";
    default:
      return "a number";
  }
}

std::string ParamReader::pointer_of(std::string_view key) const {
  return key.empty() ? pointer_ : pointer_ + "/" + escape(key);
}

void ParamReader::error(std::string_view key, const std::string& message) const {
  diag_->add(pointer_of(key), message);
}

bool ParamReader::expect_object() const {
  if (node_->is_object()) return true;
  error("", fmt::format("expected an object (got {})", brief(*node_)));
  return false;
}

void ParamReader::allow_only(const std::vector<std::string>& allowed) const {
  if (!node_->is_object()) return;
  for (const auto& [key, value] : node_->items()) {
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    const std::string guess = nearest(key, allowed);
    if (guess.empty()) {
      error(key, fmt::format("unknown key \"{}\" (allowed: {})", key, fmt::join(allowed, ", ")));
    } else {
      error(key, fmt::format("unknown key \"{}\"; did you mean \"{}\"? (allowed: {})", key, guess,
                             fmt::join(allowed, ", ")));
    }
  }
}

bool ParamReader::has(std::string_view key) const {
  return node_->is_object() && node_->contains(key);
}

ParamReader ParamReader::child(std::string_view key) const {
  return ParamReader(node_->at(key), pointer_of(key), *diag_);
}

std::size_t ParamReader::size() const { return node_->is_array() ? node_->size() : 0; }

ParamReader ParamReader::at(std::size_t index) const {
  return ParamReader((*node_)[index], pointer_ + "/" + std::to_string(index), *diag_);
}

std::vector<ParamReader> ParamReader::array(std::string_view key, bool required) const {
  std::vector<ParamReader> out;
  if (!has(key)) {
    if (required) error(key, "missing required key (expected an array)");
    return out;
  }
  const json& value = node_->at(key);
  if (!value.is_array()) {
    error(key, fmt::format("expected an array (got {})", brief(value)));
    return out;
  }
  const ParamReader list = child(key);
  for (std::size_t i = 0; i < value.size(); ++i) out.push_back(list.at(i));
  return out;
}

bool ParamReader::check(std::string_view key, double value, Bound bound) const {
  // Every number is at most 1e15 in magnitude (docs/scenario-reference.md, "Ranges").
  constexpr double kMaxMagnitude = 1e15;
  bool ok = std::isfinite(value) && std::abs(value) <= kMaxMagnitude;
  switch (bound) {
    case Bound::positive:
      ok = ok && value > 0;
      break;
    case Bound::non_negative:
      ok = ok && value >= 0;
      break;
    case Bound::fraction:
      ok = ok && value >= 0 && value <= 1;
      break;
    case Bound::any:
      break;
  }
  if (!ok) {
    const json shown = has(key) ? node_->at(key) : json(value);
    error(key, fmt::format("out of range (got {}, expected {}{})", brief(shown), bound_text(bound),
                           std::isfinite(value) && std::abs(value) > kMaxMagnitude
                               ? " of at most 1e15 in magnitude"
                               : ""));
  }
  return ok;
}

double ParamReader::number(std::string_view key, double fallback, Bound bound) const {
  if (!has(key)) return fallback;
  const json& value = node_->at(key);
  if (!value.is_number()) {
    error(key, fmt::format("wrong type (got {}, expected {})", brief(value), bound_text(bound)));
    return fallback;
  }
  const double x = value.get<double>();
  return check(key, x, bound) ? x : fallback;
}

double ParamReader::required_number(std::string_view key, Bound bound) const {
  if (!has(key)) {
    error(key, fmt::format("missing required key (expected {})", bound_text(bound)));
    return 1.0;
  }
  return number(key, 1.0, bound);
}

std::int64_t ParamReader::integer(std::string_view key, std::int64_t fallback, Bound bound) const {
  if (!has(key)) return fallback;
  const json& value = node_->at(key);
  const char* expected =
      bound == Bound::positive ? "a positive whole number" : "a whole number >= 0";
  if (!value.is_number_integer()) {
    error(key, fmt::format("wrong type (got {}, expected {})", brief(value), expected));
    return fallback;
  }
  if (value.is_number_unsigned() &&
      value.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
    error(key,
          fmt::format("out of range (got {}, expected {} below 2^63)", brief(value), expected));
    return fallback;
  }
  const auto x = value.get<std::int64_t>();
  const bool ok = bound == Bound::positive ? x > 0 : bound == Bound::any || x >= 0;
  if (!ok) {
    error(key, fmt::format("out of range (got {}, expected {})", x, expected));
    return fallback;
  }
  return x;
}

std::int64_t ParamReader::required_integer(std::string_view key, Bound bound) const {
  if (!has(key)) {
    error(key, "missing required key (expected a whole number)");
    return 1;
  }
  return integer(key, 1, bound);
}

std::string ParamReader::string(std::string_view key, const std::string& fallback) const {
  if (!has(key)) return fallback;
  const json& value = node_->at(key);
  if (!value.is_string()) {
    error(key, fmt::format("wrong type (got {}, expected a string)", brief(value)));
    return fallback;
  }
  return value.get<std::string>();
}

std::string ParamReader::required_string(std::string_view key) const {
  if (!has(key)) {
    error(key, "missing required key (expected a string)");
    return {};
  }
  return string(key, {});
}

bool is_valid_id(std::string_view text) {
  const auto ok = [](char c, bool first) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (!first && (c == '.' || c == '_' || c == '-'));
  };
  if (text.empty() || text.size() > 64) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!ok(text[i], i == 0)) return false;
  }
  return true;
}

std::string ParamReader::id(std::string_view key,
                            const std::optional<std::string>& fallback) const {
  if (!has(key) && fallback) return *fallback;
  std::string value = required_string(key);
  if (has(key) && node().at(std::string(key)).is_string() && !is_valid_id(value)) {
    error(key, fmt::format("not a valid id (got {}, expected 1 to 64 letters, digits, '.', '_' "
                           "or '-', beginning with a letter or a digit)",
                           brief(node().at(std::string(key)))));
  }
  return value;
}

std::string ParamReader::choice(std::string_view key, const std::vector<std::string>& choices,
                                const std::string& fallback) const {
  if (!has(key)) return fallback;
  std::string value = string(key, fallback);
  if (std::find(choices.begin(), choices.end(), value) != choices.end()) return value;
  if (!node_->at(key).is_string()) return fallback;
  const std::string guess = nearest(value, choices);
  error(key, fmt::format("unknown value \"{}\"{} (expected one of: {})", value,
                         guess.empty() ? "" : fmt::format("; did you mean \"{}\"?", guess),
                         fmt::join(choices, ", ")));
  return fallback;
}

std::vector<double> ParamReader::numbers(std::string_view key, Bound bound) const {
  std::vector<double> out;
  for (const auto& item : array(key, true)) {
    if (!item.node().is_number()) {
      item.error("", fmt::format("wrong type (got {}, expected {})", brief(item.node()),
                                 bound_text(bound)));
      continue;
    }
    const double x = item.node().get<double>();
    if (item.check("", x, bound)) out.push_back(x);
  }
  return out;
}

std::vector<double> ParamReader::profile(std::string_view key, std::size_t n,
                                         std::string_view what) const {
  std::vector<double> out(n, 1.0);
  if (!has(key)) return out;
  const std::vector<double> values = numbers(key, Bound::positive);
  const json& node = node_->at(key);
  if (!node.is_array()) return out;
  if (node.size() != n) {
    error(key, fmt::format("expected {} factors, one per {} (got {})", n, what, node.size()));
    return out;
  }
  if (values.size() != n) return out;  // a bad entry, already reported
  double sum = 0;
  for (const double v : values) sum += v;
  const double mean = sum / static_cast<double>(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = values[i] / mean;
  return out;
}

}  // namespace aidc
