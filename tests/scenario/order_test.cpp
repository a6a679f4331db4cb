// Order invariance: a scenario's named lists (pools, purchases, streams, contracts,
// campaigns, inference workloads: every array whose items all have an "id") are kept in id
// order by the loader, so listing them in another order never changes an output. Each
// shipped scenario, cut to a short horizon, is run as shipped and with every such list
// reversed, and the outputs must be identical byte for byte.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "aidc/experiment/runner.hpp"
#include "aidc/scenario/scenario.hpp"
#include "support.hpp"

namespace {

/// `doc` with every array of objects that all have an "id" reversed, at any depth.
nlohmann::json reverse_named_lists(const nlohmann::json& doc) {
  if (doc.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [key, value] : doc.items()) out[key] = reverse_named_lists(value);
    return out;
  }
  if (!doc.is_array()) return doc;
  nlohmann::json out = nlohmann::json::array();
  bool named = !doc.empty();
  for (const auto& item : doc) {
    out.push_back(reverse_named_lists(item));
    named = named && item.is_object() && item.contains("id");
  }
  if (named) std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("Reversing a scenario's named lists changes no output", "[order]") {
  const auto files = aidc::test::shipped_scenarios();
  REQUIRE(files.size() >= 10);
  int reordered = 0;
  for (const auto& file : files) {
    CAPTURE(file.string());
    const std::string path = aidc::test::source_path("scenarios/" + file.string());
    nlohmann::json doc = aidc::read_json_file(path);
    aidc::apply_overrides(doc, {"/horizon=\"120d\""}, path);
    const nlohmann::json reversed = reverse_named_lists(doc);
    if (reversed != doc) ++reordered;
    const auto as_shipped = aidc::experiment::run_outputs(aidc::load_scenario(doc, path), 0);
    const auto as_reversed = aidc::experiment::run_outputs(aidc::load_scenario(reversed, path), 0);
    CHECK(as_shipped.summary_json == as_reversed.summary_json);
    CHECK(as_shipped.timeseries_csv == as_reversed.timeseries_csv);
  }
  CHECK(reordered >= 8);  // the test reorders most of the library, not nothing
}
