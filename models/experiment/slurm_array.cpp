// A Slurm job array as the shards of a sweep: each array task runs one shard.

#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "aidc/experiment/sweep.hpp"
#include "aidc/scenario/errors.hpp"

namespace aidc::experiment {

namespace {

std::size_t read_variable(const std::function<const char*(const char*)>& getenv, const char* name) {
  const char* text = getenv(name);
  const auto problem = [&](const std::string& found) {
    return ScenarioError({Diagnostic{
        "--slurm-array", "",
        fmt::format("{} {}, expected a whole number set by sbatch --array", name, found)}});
  };
  if (text == nullptr) throw problem("is not set");
  const std::string value(text);
  const bool digits =
      !value.empty() && value.size() <= 9 &&
      std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits) throw problem(fmt::format("is \"{}\"", value));
  const std::size_t n = std::stoul(value);
  return n;
}

}  // namespace

Shard shard_from_slurm_array(const std::function<const char*(const char*)>& getenv) {
  const std::size_t id = read_variable(getenv, "SLURM_ARRAY_TASK_ID");
  const std::size_t count = read_variable(getenv, "SLURM_ARRAY_TASK_COUNT");
  const std::size_t min = read_variable(getenv, "SLURM_ARRAY_TASK_MIN");
  const std::size_t max = read_variable(getenv, "SLURM_ARRAY_TASK_MAX");
  if (max < min || max - min + 1 != count || id < min || id > max) {
    throw ScenarioError({Diagnostic{
        "--slurm-array", "",
        fmt::format("got array tasks {}-{} ({} of them, this one {}), expected a range without "
                    "gaps such as --array=1-{}",
                    min, max, count, id, count)}});
  }
  return Shard{id - min + 1, count};
}

}  // namespace aidc::experiment
