#pragma once
// What the hardening tests (tests/tools/hardening*_test.cpp) share: the scenario their broken
// inputs break, the table row of one broken scenario, and the check of the promise for bad
// input: exit 2, "FILE: /pointer: what is wrong" on standard error, and nothing written.

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "support.hpp"

namespace aidc::test {

/// A path in single quotes for the shell (std::quoted would win for a std::string).
inline std::string hq(const std::filesystem::path& p) { return quoted(p); }

// A pool, a purchase, a rental stream, a contract, a campaign and an experiment stream, with
// a finance section: every part the broken inputs below break.
inline const char* const kHardeningBase = R"({
  "name": "hardening", "start": "2026-01-01", "horizon": "60d", "seed": 3,
  "fleet": {
    "pools": [{"id": "p", "gpu": "H100", "count": 64}],
    "purchases": [{"id": "q", "gpu": "H200", "count": 32, "ordered": "2026-01-01",
                   "lead_time_days": 10}]},
  "workloads": {
    "rentals": [{"id": "r", "arrivals": {"per_hour": 5}, "gpus": 1,
                 "duration_hours": {"dist": "exponential", "mean": 1.2},
                 "patience_hours": "inf"}],
    "contracts": [{"id": "c", "gpus": 8, "start": "2026-01-10", "term_days": 30,
                   "pools": ["p"]}],
    "training": {
      "campaigns": [{"id": "t", "gpus": 16, "days": 2, "pools": ["p"]}],
      "experiments": [{"id": "e", "arrivals": {"per_hour": 1}, "gpus": 2,
                       "duration_hours": {"dist": "exponential", "mean": 2}}]}},
  "policy": {"order": ["training", "reserved", "experiments", "on_demand", "spot"]},
  "finance": {"discount_rate": 0.08, "facility_usd_per_kw_month": 150,
              "maintenance_fraction_per_year": 0.04}
})";

/// One broken scenario: the base with `edits` applied (pointer, JSON value; a value of
/// "DELETE" removes the key), and where and what the problem must be.
struct Broken {
  std::string name;
  std::vector<std::pair<std::string, std::string>> edits;
  std::string pointer;
  std::string fragment;
};

/// The base scenario with `edits` applied.
inline nlohmann::json edited(const std::vector<std::pair<std::string, std::string>>& edits) {
  nlohmann::json doc = nlohmann::json::parse(kHardeningBase);
  for (const auto& [pointer, value] : edits) {
    const nlohmann::json::json_pointer p(pointer);
    if (value == "DELETE") {
      doc.at(p.parent_pointer()).erase(p.back());
    } else {
      doc[p] = nlohmann::json::parse(value);
    }
  }
  return doc;
}

/// Runs `aidc ARGS` and checks the promise: exit 2, "FILE: POINTER: ...FRAGMENT..." on
/// standard error, and nothing at `out`.
inline void check_refused(const TempDir& dir, const std::string& args, const std::string& file,
                          const std::string& pointer, const std::string& fragment,
                          const fs::path& out) {
  const Outcome o = run_aidc(dir, args);
  INFO("aidc " << args << "\nstdout:\n" << o.out << "stderr:\n" << o.err);
  CHECK(o.exit_code == 2);
  const std::string where = pointer.empty() ? file + ": " : file + ": " + pointer + ": ";
  CHECK_THAT(o.err, Catch::Contains(where + fragment) ||
                        (Catch::Contains(where) && Catch::Contains(fragment)));
  CHECK_THAT(o.err, !Catch::Contains("internal error"));
  CHECK_FALSE(std::filesystem::exists(out));
}

/// Runs every row of `table` through `aidc run --out` and checks the promise.
inline void check_broken_scenarios(const std::vector<Broken>& table) {
  for (const auto& b : table) {
    SECTION(b.name) {
      const TempDir dir;
      const std::string file = dir.write("broken.json", edited(b.edits).dump());
      const std::filesystem::path out = dir / "out";
      check_refused(dir, "run " + hq(file) + " --out " + hq(out), file, b.pointer, b.fragment, out);
    }
  }
}

}  // namespace aidc::test
