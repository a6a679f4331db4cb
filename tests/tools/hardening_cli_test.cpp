// Broken inputs that are not a scenario with one thing wrong: files that are not JSON or are
// nested too deep, bad command lines (--set indices and values), --out targets that cannot be
// written, and sweep designs beyond the limit. Each exits with 2, names the file and (where
// there is one) the pointer, and writes nothing.

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hardening_support.hpp"
#include "support.hpp"

namespace fs = std::filesystem;
using aidc::test::check_refused;
using aidc::test::hq;
using aidc::test::kHardeningBase;
using aidc::test::Outcome;
using aidc::test::read_file;
using aidc::test::run_aidc;
using aidc::test::TempDir;
using nlohmann::json;

namespace {

/// A file that is not a scenario at all, and the problem it must be reported with.
struct BrokenText {
  std::string name;
  std::string text;
  std::string pointer;
  std::string fragment;
};

/// The pointer `prefix` followed by `zeros` times "/0".
std::string zeros_under(std::string prefix, std::size_t zeros) {
  for (std::size_t i = 0; i < zeros; ++i) prefix += "/0";
  return prefix;
}

std::string nested(std::size_t depth) {
  return R"({"name": )" + std::string(depth, '[') + std::string(depth, ']') + "}";
}

const std::vector<BrokenText> kBrokenTexts{
    {"empty file", "", "", "malformed JSON"},
    {"truncated", R"({"name": "x", "start": )", "", "malformed JSON"},
    {"trailing comma", R"({"name": "x",})", "", "malformed JSON"},
    {"a bare word", "hello", "", "malformed JSON"},
    {"number beyond a double", R"({"name": "x", "horizon": 1e400})", "",
     "malformed JSON: number overflow"},
    {"negative number beyond a double", R"({"seed": -1e999})", "", "number overflow"},
    {"nested 100000 deep", nested(100000), zeros_under("/name", 64), "nested too deep"},
    {"nested 65 deep", nested(65), zeros_under("/name", 64),
     "nested too deep (got more than 64 levels"},
    {"nested deep in an array of objects",
     R"({"fleet": {"pools": [{"id": )" + std::string(200, '[') + std::string(200, ']') + "}]}}",
     zeros_under("/fleet/pools/0/id", 61), "nested too deep"},
    {"a top level that is an array", "[1, 2]", "", "expected an object"},
    {"a top level that is a number", "5", "", "expected an object"},
    {"an invalid UTF-8 byte", "{\"name\": \"\xff\"}", "", "malformed JSON"},
    {"a control character in a string", "{\"name\": \"a\x01\"}", "", "malformed JSON"},
};

}  // namespace

TEST_CASE("files that are not JSON, or too deep, exit 2 and write nothing", "[cli][hardening]") {
  for (const auto& b : kBrokenTexts) {
    SECTION(b.name) {
      const TempDir dir;
      const std::string file = dir.write("broken.json", b.text);
      const fs::path out = dir / "out";
      check_refused(dir, "run " + hq(file) + " --out " + hq(out), file, b.pointer, b.fragment, out);
      // validate says the same
      const Outcome v = run_aidc(dir, "validate " + hq(file));
      CHECK(v.exit_code == 2);
    }
  }
}

TEST_CASE("bad command lines exit 2 before any work and write nothing", "[cli][hardening]") {
  const TempDir dir;
  const std::string base = dir.write("base.json", kHardeningBase);
  const fs::path out = dir / "out";
  const std::string run = "run " + hq(base) + " --out " + hq(out) + " ";

  SECTION("--set index far past the end") {
    check_refused(dir, run + "--set /fleet/pools/100000000000={}", base,
                  "/fleet/pools/100000000000", "index past the end of the array", out);
  }
  SECTION("--set index two past the end") {
    check_refused(dir, run + "--set /fleet/pools/2={}", base, "/fleet/pools/2",
                  "(got 2, expected 0 to 1)", out);
  }
  SECTION("--set index with leading garbage") {
    check_refused(dir, run + "--set /fleet/pools/x1={}", base, "/fleet/pools/x1",
                  "index past the end", out);
  }
  SECTION("--set a key under a number") {
    check_refused(dir, run + "--set /seed/x=1", base, "/seed/x", "the parent is a number", out);
  }
  SECTION("--set on a missing parent") {
    check_refused(dir, run + "--set /nope/x=1", base, "/nope/x", "does not exist", out);
  }
  SECTION("--set a value nested too deep") {
    check_refused(
        dir, run + "--set '/description=" + std::string(100, '[') + std::string(100, ']') + "'",
        base, "/description", "nested too deep", out);
  }
  SECTION("--set a number beyond a double stays a string") {
    check_refused(dir, run + "--set /fleet/pools/0/count=1e400", base, "/fleet/pools/0/count",
                  "wrong type", out);
  }
  SECTION("--set a whole document") {
    check_refused(dir, run + "--set =5", base, "", "expected /json/pointer=VALUE", out);
  }
  SECTION("a scenario that does not exist") {
    const std::string missing = dir.file("missing.json");
    check_refused(dir, "run " + hq(missing) + " --out " + hq(out), missing, "",
                  "no such file or folder", out);
  }
  SECTION("a folder given as the scenario") {
    const std::string folder = dir.file("folder");
    fs::create_directories(folder);
    check_refused(dir, "run " + hq(folder) + " --out " + hq(out), folder, "",
                  "is a folder (expected a JSON file)", out);
  }
}

TEST_CASE("an --out that cannot be written is refused before the work", "[cli][hardening]") {
  const TempDir dir;
  const std::string base = dir.write("base.json", kHardeningBase);
  const std::string file = dir.write("a-file", "keep me");
  const fs::path partial = dir / ".a-file.partial";

  SECTION("run into an existing file") {
    const Outcome o = run_aidc(dir, "run " + hq(base) + " --out " + hq(file));
    CHECK(o.exit_code == 2);
    CHECK_THAT(o.err, Catch::Contains(file + ": --out: exists as a file"));
    CHECK(o.out.empty());  // refused before the simulation, which prints its summary
  }
  SECTION("run into a folder under a file") {
    const Outcome o = run_aidc(dir, "run " + hq(base) + " --out " + hq(dir / "a-file/x"));
    CHECK(o.exit_code == 2);
    CHECK_THAT(o.err, Catch::Contains("is a file, not a folder"));
    CHECK(o.out.empty());
  }
  SECTION("compare into an existing file") {
    const Outcome o = run_aidc(dir, "compare " + hq(base) + " " + hq(base) + " --out " + hq(file));
    CHECK(o.exit_code == 2);
    CHECK_THAT(o.err, Catch::Contains(file + ": --out: exists as a file"));
  }
  SECTION("sweep into an existing file") {
    const std::string sweep =
        dir.write("sweep.json", R"({"base": "base.json", "design": {"type": "grid"}, "parameters": [
          {"name": "n", "pointer": "/fleet/pools/0/count", "values": [64, 65]}]})");
    const Outcome o = run_aidc(dir, "sweep " + hq(sweep) + " --out " + hq(file));
    CHECK(o.exit_code == 2);
    CHECK_THAT(o.err, Catch::Contains(file + ": --out: exists as a file"));
  }
  SECTION("report into an existing folder") {
    const fs::path run_out = dir / "run";
    REQUIRE(run_aidc(dir, "run " + hq(base) + " --out " + hq(run_out)).exit_code == 0);
    const fs::path folder = dir / "folder";
    fs::create_directories(folder);
    const Outcome o = run_aidc(dir, "report " + hq(run_out) + " --out " + hq(folder));
    CHECK(o.exit_code == 2);
    CHECK_THAT(o.err, Catch::Contains(folder.string() + ": --out: exists as a folder"));
    CHECK(fs::is_empty(folder));
  }
  CHECK(read_file(file) == "keep me");
  CHECK_FALSE(fs::exists(partial));
  for (const auto& entry : fs::recursive_directory_iterator(dir.path())) {
    CHECK_THAT(entry.path().filename().string(), !Catch::EndsWith(".partial"));
  }
}

TEST_CASE("a sweep design beyond the limit is refused before it takes memory", "[cli][hardening]") {
  const TempDir dir;
  dir.write("base.json", kHardeningBase);
  const fs::path out = dir / "out";
  const auto sweep_with = [&](const std::string& design, const std::string& parameters) {
    return dir.write("sweep.json", R"({"base": "base.json", "design": )" + design +
                                       R"(, "parameters": )" + parameters + "}");
  };
  const std::string one_range =
      R"([{"name": "n", "pointer": "/fleet/pools/0/count", "integer": true,
           "range": {"low": 1, "high": 64}}])";

  SECTION("a grid of 10^30 points") {
    std::string params = "[";
    for (int i = 0; i < 10; ++i) {
      params += std::string(i ? "," : "") + R"({"name": "p)" + std::to_string(i) +
                R"(", "pointer": "/seed", "range": {"low": 1, "high": 2, "steps": 1000}})";
    }
    const std::string sweep = sweep_with(R"({"type": "grid"})", params + "]");
    check_refused(dir, "sweep " + hq(sweep) + " --out " + hq(out), sweep, "/design",
                  "too many runs (got 1e+30 points", out);
  }
  SECTION("a grid parameter of 10^12 steps") {
    const std::string sweep = sweep_with(
        R"({"type": "grid"})",
        R"([{"name": "n", "pointer": "/seed", "range": {"low": 1, "high": 2, "steps": 1000000000000}}])");
    check_refused(dir, "sweep " + hq(sweep) + " --out " + hq(out), sweep,
                  "/parameters/0/range/steps", "expected at most 1000000 levels", out);
  }
  SECTION("random points 10^15") {
    const std::string sweep =
        sweep_with(R"({"type": "random", "points": 1000000000000000})", one_range);
    check_refused(dir, "sweep " + hq(sweep) + " --out " + hq(out), sweep, "/design",
                  "raise the limit with --max-runs", out);
  }
  SECTION("Latin hypercube points 2 million") {
    const std::string sweep =
        sweep_with(R"({"type": "latin_hypercube", "points": 2000000})", one_range);
    check_refused(dir, "sweep " + hq(sweep) + " --out " + hq(out), sweep, "/design",
                  "expected at most 1000000", out);
  }
  SECTION("Saltelli base samples 10^12") {
    const std::string sweep =
        sweep_with(R"({"type": "saltelli", "base_samples": 1000000000000})", one_range);
    check_refused(dir, "sweep " + hq(sweep) + " --out " + hq(out), sweep, "/design",
                  "too many runs", out);
  }
  SECTION("a lower --max-runs") {
    const std::string sweep = sweep_with(R"({"type": "random", "points": 20})", one_range);
    check_refused(dir, "sweep " + hq(sweep) + " --max-runs 10 --out " + hq(out), sweep, "/design",
                  "(got 20 points x 1 replications = 20 runs, expected at most 10", out);
  }
  SECTION("validate refuses it too") {
    const std::string sweep =
        sweep_with(R"({"type": "random", "points": 1000000000000000})", one_range);
    const Outcome o = run_aidc(dir, "validate " + hq(sweep));
    CHECK(o.exit_code == 2);
    CHECK_THAT(o.err, Catch::Contains(sweep + ": /design: too many runs"));
  }
}
