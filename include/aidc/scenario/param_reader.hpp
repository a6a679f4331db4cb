#pragma once
/// Reads one JSON node and carries its JSON pointer, so every problem names its
/// place. Problems are recorded in Diagnostics and reading goes on with a fallback
/// value, so one pass reports everything that is wrong.

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aidc/scenario/errors.hpp"

namespace aidc {

/// What a number must satisfy.
enum class Bound { any, positive, non_negative, fraction };

/// Whether `text` is a valid id: 1 to 64 ASCII letters, digits, '.', '_' or '-', beginning
/// with a letter or a digit.
bool is_valid_id(std::string_view text);

class ParamReader {
 public:
  ParamReader(const nlohmann::json& node, std::string pointer, Diagnostics& diagnostics)
      : node_(&node), pointer_(std::move(pointer)), diag_(&diagnostics) {}

  const nlohmann::json& node() const { return *node_; }
  const std::string& pointer() const { return pointer_; }
  Diagnostics& diagnostics() const { return *diag_; }
  std::string pointer_of(std::string_view key) const;

  /// Records a problem at this node (key empty) or at one of its keys.
  void error(std::string_view key, const std::string& message) const;

  /// False (and a recorded problem) unless the node is an object.
  bool expect_object() const;
  /// Records every key not in `allowed`, naming the nearest allowed key.
  void allow_only(const std::vector<std::string>& allowed) const;
  bool has(std::string_view key) const;
  ParamReader child(std::string_view key) const;  // the key must exist
  /// The number of elements when the node is an array, else 0.
  std::size_t size() const;
  ParamReader at(std::size_t index) const;
  /// The array under `key` (a problem and an empty list unless it is one).
  std::vector<ParamReader> array(std::string_view key, bool required) const;

  double number(std::string_view key, double fallback, Bound bound = Bound::any) const;
  double required_number(std::string_view key, Bound bound = Bound::any) const;
  std::int64_t integer(std::string_view key, std::int64_t fallback, Bound bound) const;
  std::int64_t required_integer(std::string_view key, Bound bound) const;
  std::string string(std::string_view key, const std::string& fallback) const;
  std::string required_string(std::string_view key) const;
  /// A name that outputs, databases and file names use (a pool's, a stream's, a plan's...):
  /// 1 to 64 ASCII letters, digits, '.', '_' or '-', beginning with a letter or a digit, so
  /// it needs no quoting in CSV or SQL and cannot leave a folder. Required unless `fallback`.
  std::string id(std::string_view key, const std::optional<std::string>& fallback = {}) const;
  /// The string under `key`, which must be one of `choices`.
  std::string choice(std::string_view key, const std::vector<std::string>& choices,
                     const std::string& fallback) const;
  std::vector<double> numbers(std::string_view key, Bound bound) const;
  /// `n` positive factors at `key`, one per `what` ("hour 0..23"), normalized to mean 1; all
  /// 1 when the key is absent or has a problem (recorded).
  std::vector<double> profile(std::string_view key, std::size_t n, std::string_view what) const;

  /// Checks a number already read; records a problem and returns false if it fails.
  bool check(std::string_view key, double value, Bound bound) const;

 private:
  const nlohmann::json* node_;
  std::string pointer_;
  Diagnostics* diag_;
};

/// A JSON value shortened for a message.
std::string brief(const nlohmann::json& value);
/// The JSON type name a user understands ("a number", "a string", ...).
std::string type_name(const nlohmann::json& value);

}  // namespace aidc
