// The built-in catalog (models/catalog.json) on one basis per column: every GPU type a shipped
// scenario uses has every column, with its source or the reason it is missing; the columns keep
// their order (spot <= reserved <= on-demand, chip < all-in, idle <= busy); every cited figure
// equals what its source says, and every assumed figure follows the derivation its source text
// states. A source text that begins "assumption: " marks an assumed figure, one that begins
// "null: " a missing one; any other cites the figure's source.

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "aidc/scenario/scenario.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const json& catalog_gpus() { return aidc::builtin_catalog().at("gpus"); }

enum class SourceKind { cited, assumed, missing };

SourceKind kind_of(const std::string& source) {
  if (source.rfind("assumption: ", 0) == 0) return SourceKind::assumed;
  if (source.rfind("null: ", 0) == 0) return SourceKind::missing;
  return SourceKind::cited;
}

/// A column of the catalog: the key of its source text and the pointer of its value.
struct CatalogColumn {
  std::string source;
  std::string value;
};

const std::vector<CatalogColumn> kCatalogColumns{
    {"price_usd", "/price_usd"},
    {"allin_capex_usd", "/allin_capex_usd"},
    {"server_power_kw", "/server_power_kw"},
    {"server_idle_power_kw", "/server_idle_power_kw"},
    {"rental_on_demand", "/rental_usd_per_gpu_hour/on_demand"},
    {"rental_reserved", "/rental_usd_per_gpu_hour/reserved"},
    {"rental_spot", "/rental_usd_per_gpu_hour/spot"},
    {"mtbf_hours", "/mtbf_hours"},
};

std::string source_of(const std::string& gpu, const std::string& column) {
  const json& sources = catalog_gpus().at(gpu).at("sources");
  return sources.contains(column) && sources.at(column).is_string()
             ? sources.at(column).get<std::string>()
             : std::string();
}

/// The figure in `column` of `gpu`, or nullopt when it is null.
std::optional<double> value_of(const std::string& gpu, const std::string& column) {
  for (const auto& c : kCatalogColumns) {
    if (c.source != column) continue;
    const json& v = catalog_gpus().at(gpu).at(json::json_pointer(c.value));
    if (v.is_null()) return std::nullopt;
    return v.get<double>();
  }
  FAIL("no column " << column);
  return std::nullopt;
}

/// The built-in catalog as a scenario loads it (defaults such as the factors filled in).
const std::map<std::string, aidc::GpuType>& loaded() {
  static const auto s = aidc::load_scenario(
      json::parse(
          R"({"name": "c", "start": "2026-01-01", "horizon": "1d", "fleet": {"pools": []}})"),
      "catalog.json");
  return s.catalog;
}

/// The built-in GPU types the pools of the shipped scenarios use.
std::set<std::string> used_by_shipped_scenarios() {
  std::set<std::string> used;
  for (const auto& entry :
       fs::recursive_directory_iterator(fs::path(AIDC_SOURCE_DIR) / "scenarios")) {
    if (entry.path().extension() != ".json") continue;
    const json doc = aidc::read_json_file(entry.path().string());
    if (doc.contains("plans") || doc.contains("parameters") || doc.contains("variables"))
      continue;  // experiments
    for (const auto& pool : aidc::load_scenario(doc, entry.path().string()).pools) {
      if (catalog_gpus().contains(pool.gpu)) used.insert(pool.gpu);
    }
  }
  return used;
}

}  // namespace

TEST_CASE("Every GPU type a shipped scenario uses has every column, with a source or a reason",
          "[catalog]") {
  auto used = used_by_shipped_scenarios();
  for (const char* gpu : {"A100", "H100", "H200", "GB200", "GB300", "MI300X"}) {
    CHECK(used.count(gpu) == 1);
  }
  used.insert("B200");  // used by no shipped scenario, but kept on the same footing
  for (const auto& gpu : used) {
    for (const auto& column : kCatalogColumns) {
      CAPTURE(gpu, column.source);
      const json& entry = catalog_gpus().at(gpu);
      // The key is there, as a figure or as null.
      REQUIRE(entry.contains(json::json_pointer(column.value)));
      const std::string source = source_of(gpu, column.source);
      REQUIRE_FALSE(source.empty());
      if (value_of(gpu, column.source)) {
        CHECK(kind_of(source) != SourceKind::missing);
      } else {
        CHECK(kind_of(source) == SourceKind::missing);
        CHECK(source.size() > std::string("null: ").size() + 10);  // and a reason
      }
    }
    // What a finance section charges for a pool: both prices of a GPU and both powers.
    CAPTURE(gpu);
    CHECK(value_of(gpu, "price_usd"));
    CHECK(value_of(gpu, "allin_capex_usd"));
    CHECK(value_of(gpu, "server_power_kw"));
    CHECK(value_of(gpu, "server_idle_power_kw"));
    CHECK(kind_of(source_of(gpu, "inference_factor")) != SourceKind::missing);
    CHECK_FALSE(source_of(gpu, "inference_factor").empty());
  }
}

TEST_CASE("In every catalog entry a figure has a source and a null says why", "[catalog]") {
  for (const auto& [gpu, entry] : catalog_gpus().items()) {
    for (const auto& column : kCatalogColumns) {
      CAPTURE(gpu, column.source);
      const std::string source = source_of(gpu, column.source);
      REQUIRE_FALSE(source.empty());
      CHECK((kind_of(source) == SourceKind::missing) == !value_of(gpu, column.source).has_value());
    }
    CAPTURE(gpu);
    CHECK_FALSE(source_of(gpu, "inference_factor").empty());
    CHECK_FALSE(source_of(gpu, "resale").empty());
  }
}

TEST_CASE("Spot <= reserved <= on-demand, chip price < all-in capex and idle <= busy power",
          "[catalog]") {
  for (const auto& [gpu, entry] : catalog_gpus().items()) {
    CAPTURE(gpu);
    const auto on_demand = value_of(gpu, "rental_on_demand");
    const auto reserved = value_of(gpu, "rental_reserved");
    const auto spot = value_of(gpu, "rental_spot");
    if (spot && reserved) CHECK(*spot <= *reserved);
    if (reserved && on_demand) CHECK(*reserved <= *on_demand);
    if (spot && on_demand) CHECK(*spot <= *on_demand);
    const auto chip = value_of(gpu, "price_usd");
    const auto allin = value_of(gpu, "allin_capex_usd");
    if (chip && allin) CHECK(*chip < *allin);
    const auto busy = value_of(gpu, "server_power_kw");
    const auto idle = value_of(gpu, "server_idle_power_kw");
    if (busy && idle) CHECK(*idle <= *busy);
  }
}

namespace {

/// A cited figure, the value its source gives (or the arithmetic on it the source text
/// states), and in the name the source.
struct Cited {
  std::string gpu, column;
  double expected;
  double margin;            // the rounding of the stored figure
  std::string source_says;  // a phrase the source text must contain
  std::string name;
};

const std::vector<Cited> kCited{
    {"A100", "price_usd", 10000, 0, "CNBC",
     "A100 chip = 10,000, CNBC (Feb 2023), 'the $10,000 chip'"},
    {"A100", "rental_on_demand", 1.64, 0, "Spheron 'NVIDIA A100 vs H100'",
     "A100 on-demand = 1.64, Spheron (prices 2026-05-01)"},
    {"A100", "rental_spot", 0.45, 0, "Spheron 'NVIDIA A100 vs H100'",
     "A100 spot = 0.45, Spheron (prices 2026-05-01)"},
    {"H100", "price_usd", (25000 + 30000) / 2.0, 0, "Raymond James",
     "H100 chip = midpoint of 25,000-30,000, Raymond James via Epoch AI (2023-08)"},
    {"H100", "allin_capex_usd", 50000, 0, "H100 Freakonomics",
     "H100 all-in = 50,000 (47,000-52,000), Eugene Cheah, 'H100 Freakonomics' (2024-08)"},
    {"H100", "server_power_kw", 10.2 / 8, 0, "DGX H100",
     "H100 server power = 10.2 kW / 8, DGX H100 user guide"},
    {"H100", "rental_on_demand", 2.90, 0, "Spheron 'NVIDIA A100 vs H100'",
     "H100 on-demand = 2.90, Spheron (prices 2026-05-01)"},
    {"H100", "rental_reserved", 2.35, 0, "SemiAnalysis H100 1-yr contract index",
     "H100 reserved = 2.35, SemiAnalysis one-year contract index (March 2026)"},
    {"H100", "rental_spot", 0.80, 0, "Spheron 'NVIDIA A100 vs H100'",
     "H100 spot = 0.80, Spheron (prices 2026-05-01)"},
    {"H100", "mtbf_hours", 16384.0 * 54 * 24 / 419, 0.5, "The Llama 3 Herd of Models",
     "H100 MTBF = 16,384 x 54 x 24 / 419 h, Llama 3 paper (Meta, 2024-07)"},
    {"H200", "price_usd", (25000 + 35000) / 2.0, 0, "awesomeagents",
     "H200 chip = midpoint of 25,000-35,000, awesomeagents"},
    {"H200", "server_power_kw", 10.2 / 8, 0, "DGX H200",
     "H200 server power = 10.2 kW / 8, DGX H200 user guide"},
    {"H200", "rental_on_demand", 4.54, 0, "Spheron 'H200 vs B200 vs GB200'",
     "H200 on-demand = 4.54, Spheron (prices 2026-03-17)"},
    {"B200", "price_usd", (30000 + 40000) / 2.0, 0, "Jensen Huang",
     "B200 chip = midpoint of 30,000-40,000, Jensen Huang to CNBC (2024-10)"},
    {"B200", "server_power_kw", 14.3 / 8, 0.005, "DGX B200 User Guide",
     "B200 server power = 14.3 kW / 8 (1.79 as the reference rounds it), DGX B200 User Guide"},
    {"B200", "rental_on_demand", 6.03, 0, "Spheron 'H200 vs B200 vs GB200'",
     "B200 on-demand = 6.03, Spheron (prices 2026-03-17)"},
    {"B200", "rental_spot", 2.25, 0, "Spheron 'H200 vs B200 vs GB200'",
     "B200 spot = 2.25, Spheron (prices 2026-03-17)"},
    {"GB200", "price_usd", 0.39 * 5.9e6 / 72, 0.5, "GPUs 39% of capex",
     "GB200 chip = 39% x 5.9M / 72, Bernstein (2025)"},
    {"GB200", "allin_capex_usd", 3.4e6 / 72, 0.5, "$3.4M compute",
     "GB200 all-in = 3.4M of rack compute / 72, Bernstein (2025)"},
    {"GB200", "server_power_kw", 120.0 / 72, 0.005, "consumes 120 kW",
     "GB200 server power = 120 kW / 72 (1.67 as the reference rounds it), ServeTheHome, Introl"},
    {"GB200", "rental_on_demand", 9.08 / 2, 0, "GB200 $9.08/hr per superchip",
     "GB200 on-demand = 9.08 per superchip / 2, Spheron (prices 2026-03-17)"},
    {"GB300", "allin_capex_usd", 52000, 0, "Blackwell NVL72 ~$3.5-4M",
     "GB300 all-in = 52,000 (3.5-4M per rack / 72), Morgan Stanley (May 2026)"},
    {"GB300", "server_power_kw", 120.0 / 72, 0.005, "GB300 NVL72",
     "GB300 server power = 120 kW / 72 (1.67 as the reference rounds it), Introl"},
    {"MI300X", "price_usd", (10000 + 15000) / 2.0, 0, "Citigroup",
     "MI300X chip = midpoint of 10,000-15,000, Citigroup (2024-02)"},
    {"TPU-v6e", "rental_reserved", 1.89, 0, "$1.89 1-yr",
     "TPU v6e reserved = 1.89 per chip-hour for one year, Google via Neowin (2024-12)"},
};

}  // namespace

TEST_CASE("Every cited figure equals its source's value", "[catalog]") {
  for (const auto& c : kCited) {
    INFO(c.name);
    const auto value = value_of(c.gpu, c.column);
    REQUIRE(value);
    CHECK(*value == Approx(c.expected).margin(c.margin));
    const std::string source = source_of(c.gpu, c.column);
    CHECK(kind_of(source) == SourceKind::cited);
    CHECK_THAT(source, Catch::Contains(c.source_says));
  }
  // Inference factors: 1 for the H100, by definition; 60% of an H100 for the Ascend 910C
  // (DIGITIMES/FT, from DeepSeek's research, 2025-02).
  CHECK(loaded().at("H100").inference_factor == 1.0);
  CHECK(kind_of(source_of("H100", "inference_factor")) == SourceKind::cited);
  CHECK(loaded().at("Ascend-910C").inference_factor == 0.6);
  CHECK_THAT(source_of("Ascend-910C", "inference_factor"), Catch::Contains("DIGITIMES/FT"));
  CHECK(kind_of(source_of("Ascend-910C", "inference_factor")) == SourceKind::cited);
  // Nothing is cited that this test does not check.
  std::set<std::pair<std::string, std::string>> checked;
  for (const auto& c : kCited) checked.emplace(c.gpu, c.column);
  for (const auto& [gpu, entry] : catalog_gpus().items()) {
    for (const auto& column : kCatalogColumns) {
      if (!value_of(gpu, column.source)) continue;
      if (kind_of(source_of(gpu, column.source)) != SourceKind::cited) continue;
      CAPTURE(gpu, column.source);
      CHECK(checked.count({gpu, column.source}) == 1);
    }
  }
}

TEST_CASE("Every assumed figure follows the derivation its source text states", "[catalog]") {
  // The H100's figures the derivations rest on.
  const double allin_per_chip = 50000.0 / 27500.0;  // Cheah's all-in / Raymond James's chip
  const double server_per_board = 1.275 / 0.700;    // DGX H100 per GPU / its 700 W board
  const double reserved_per_on_demand = 2.35 / 2.90;
  const double spot_per_on_demand = 0.80 / 2.90;
  const double gb200_chip_share = 0.39 * 5.9 / 3.4;  // Bernstein: GPUs over rack compute
  int assumed = 0;
  for (const auto& [gpu, entry] : catalog_gpus().items()) {
    for (const auto& column : kCatalogColumns) {
      const auto value = value_of(gpu, column.source);
      if (!value || kind_of(source_of(gpu, column.source)) != SourceKind::assumed) continue;
      CAPTURE(gpu, column.source);
      ++assumed;
      const auto chip = value_of(gpu, "price_usd");
      const auto on_demand = value_of(gpu, "rental_on_demand");
      const auto tdp_w = entry.at("tdp_w");
      if (column.source == "allin_capex_usd") {
        REQUIRE(chip);
        CHECK(*value == Approx(*chip * allin_per_chip).margin(0.5));
      } else if (column.source == "price_usd") {
        REQUIRE(gpu == "GB300");  // the one type with an all-in and no chip price
        CHECK(*value == Approx(*value_of(gpu, "allin_capex_usd") * gb200_chip_share).margin(0.5));
      } else if (column.source == "server_power_kw") {
        REQUIRE(tdp_w.is_number());
        CHECK(*value == Approx(tdp_w.get<double>() / 1000.0 * server_per_board).margin(5e-5));
      } else if (column.source == "server_idle_power_kw") {
        CHECK(*value == Approx(0.3 * *value_of(gpu, "server_power_kw")).margin(5e-5));
      } else if (column.source == "rental_on_demand") {
        // The MI300X: Spheron's H100 price times the May 2026 medians, MI300X over H100.
        REQUIRE(gpu == "MI300X");
        CHECK(*value == Approx(2.90 * 1.99 / 2.95).margin(5e-5));
      } else if (column.source == "rental_reserved") {
        REQUIRE(on_demand);
        CHECK(*value == Approx(*on_demand * reserved_per_on_demand).margin(1e-4));
      } else if (column.source == "rental_spot") {
        REQUIRE(on_demand);
        CHECK(*value == Approx(*on_demand * spot_per_on_demand).margin(1e-4));
      } else {
        FAIL("no derivation checked for an assumed " << column.source);
      }
    }
    // An assumed inference factor is the ratio of dense BF16 peaks (1 without a figure).
    if (kind_of(source_of(gpu, "inference_factor")) == SourceKind::assumed) {
      CAPTURE(gpu);
      const json& bf16 = entry.at("bf16_tflops");
      const double expected = bf16.is_number() ? bf16.get<double>() / 989.0 : 1.0;
      CHECK(loaded().at(gpu).inference_factor == Approx(expected).epsilon(1e-12));
    }
  }
  CHECK(assumed > 0);
}
