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
/// Records why `reader` names no model of `kind` under `selector`: the key is missing, or its
/// string is unknown (the message lists `names` and suggests the nearest). A value of the
/// wrong type has been recorded already, by ParamReader::string.
void report_unknown(const ParamReader& reader, const std::string& kind, const std::string& selector,
                    const std::vector<std::string>& names);
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
    const auto it =
        reader.has(selector_) ? entries_.find(reader.string(selector_, "")) : entries_.end();
    if (it == entries_.end()) {
      registry_detail::report_unknown(reader, kind_, selector_, names());
      return nullptr;
    }
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
