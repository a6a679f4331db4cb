#pragma once
/// Models are chosen by name in JSON. A registry maps each name to a one-line
/// description, its parameters and a factory that reads them (SimGrid, ORE).

#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "aidc/scenario/param_reader.hpp"

namespace aidc {

namespace registry_detail {
/// The name under `selector`, or "" (and a recorded problem) when it is missing or names no
/// model of `kind`: the message lists `names` and suggests the nearest.
std::string selected_name(const ParamReader& reader, const std::string& kind,
                          const std::string& selector, const std::vector<std::string>& names);
}  // namespace registry_detail

/// One parameter of a model, as `aidc models` lists it.
struct ParamInfo {
  std::string name;
  std::string description;
  std::string default_value;  // empty: required
};

template <class T>
class Registry {
 public:
  using Factory = std::function<std::unique_ptr<T>(const ParamReader&)>;
  struct Entry {
    std::string name;
    std::string description;
    std::vector<ParamInfo> params;
    Factory make;
  };

  /// `selector` is the key that names the model in JSON ("model", "dist").
  Registry(std::string kind, std::string selector)
      : kind_(std::move(kind)), selector_(std::move(selector)) {}

  void add(Entry entry) { entries_.emplace(entry.name, std::move(entry)); }
  const std::map<std::string, Entry>& entries() const { return entries_; }
  const std::string& kind() const { return kind_; }
  const std::string& selector() const { return selector_; }

  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& [name, entry] : entries_) out.push_back(name);
    return out;
  }

  /// Builds the model that `reader` names; nullptr (and a recorded problem) on bad input.
  /// A model that rejects its parameters throws std::invalid_argument, which is recorded
  /// with the node's pointer.
  std::unique_ptr<T> make(const ParamReader& reader) const {
    if (!reader.expect_object()) return nullptr;
    const std::string name = registry_detail::selected_name(reader, kind_, selector_, names());
    const auto it = entries_.find(name);
    if (it == entries_.end()) return nullptr;
    std::vector<std::string> allowed{selector_};
    for (const auto& p : it->second.params) allowed.push_back(p.name);
    reader.allow_only(allowed);
    const std::size_t before = reader.diagnostics().items().size();
    try {
      auto model = it->second.make(reader);
      if (reader.diagnostics().items().size() != before) return nullptr;
      return model;
    } catch (const std::invalid_argument& e) {
      reader.error("", e.what());
      return nullptr;
    }
  }

 private:
  std::string kind_;
  std::string selector_;
  std::map<std::string, Entry> entries_;
};

}  // namespace aidc
