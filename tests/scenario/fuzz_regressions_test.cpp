// The inputs on which the fuzzers (tools/fuzz/, `make fuzz`) once found a defect, kept in
// tests/fuzz/regressions/ and replayed here through the same functions: each must now load
// or be refused with a ScenarioError (exit 2 on the command line), never crash or throw
// anything else.

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "../../tools/fuzz/fuzz_input.hpp"

namespace {

/// The regression inputs of one fuzz target, in name order.
std::vector<std::filesystem::path> regression_inputs(const std::string& target) {
  std::vector<std::filesystem::path> files;
  const auto dir = std::filesystem::path(AIDC_SOURCE_DIR) / "tests/fuzz/regressions" / target;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().filename() != ".keep")
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string contents(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("Inputs the scenario fuzzer once crashed on are loaded or refused", "[fuzz]") {
  for (const auto& file : regression_inputs("scenario")) {
    INFO(file.filename().string());
    CHECK_NOTHROW(aidc::fuzz::load_scenario_text(contents(file)));
  }
}

TEST_CASE("Inputs the --set fuzzer once crashed on are loaded or refused", "[fuzz]") {
  for (const auto& file : regression_inputs("set")) {
    INFO(file.filename().string());
    CHECK_NOTHROW(aidc::fuzz::load_with_overrides(contents(file)));
  }
}

TEST_CASE("The fuzzers' harness tells a loaded scenario from a refused one", "[fuzz]") {
  CHECK(aidc::fuzz::load_scenario_text(aidc::fuzz::kSetBase) == aidc::fuzz::Outcome::loaded);
  CHECK(aidc::fuzz::load_scenario_text("{\"name\": 1}") == aidc::fuzz::Outcome::refused);
  CHECK(aidc::fuzz::load_scenario_text("{") == aidc::fuzz::Outcome::refused);
  CHECK(aidc::fuzz::load_with_overrides("/fleet/pools/0/count=128") == aidc::fuzz::Outcome::loaded);
  CHECK(aidc::fuzz::load_with_overrides("/fleet/pools/0/count=-1") == aidc::fuzz::Outcome::refused);
}
