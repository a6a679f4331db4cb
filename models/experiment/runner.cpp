#include "aidc/experiment/runner.hpp"

#include "aidc/run/run.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <limits>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>

#include "aidc/finance/finance.hpp"
#include "aidc/run/output.hpp"
#include "aidc/workload/simulation.hpp"

namespace aidc::experiment {

namespace {
bool is_identity_key(const std::string& path) {
  return path == "seed" || path == "replication" || path == "window_hours" ||
         path == "events_processed";
}

std::string column_name(const std::string& path) {
  std::string out;
  out.reserve(path.size());
  for (const char c : path) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (c >= 'A' && c <= 'Z') {
      out += static_cast<char>(c - 'A' + 'a');
    } else {
      out += keep ? c : '_';
    }
  }
  return out;
}

void flatten(const nlohmann::ordered_json& node, const std::string& path, Metrics& out) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      const std::string child = path.empty() ? key : fmt::format("{}_{}", path, key);
      if (path.empty() && is_identity_key(key)) continue;
      flatten(value, child, out);
    }
  } else if (node.is_number()) {
    out.names.push_back(column_name(path));
    out.values.push_back(node.get<double>());
  } else if (node.is_null()) {
    out.names.push_back(column_name(path));
    out.values.push_back(std::numeric_limits<double>::quiet_NaN());
  }
}
}  // namespace

Metrics flatten_metrics(const nlohmann::ordered_json& summary) {
  Metrics m;
  flatten(summary, "", m);
  std::set<std::string> seen;
  for (const auto& name : m.names) {
    if (!seen.insert(name).second) {
      throw std::runtime_error(fmt::format(
          "two summary values share the metric name \"{}\"; rename a pool or stream so their "
          "ids differ in more than punctuation",
          name));
    }
  }
  return m;
}

std::vector<double> metric_values(const Metrics& m, const std::vector<std::string>& columns) {
  std::vector<double> out;
  out.reserve(columns.size());
  for (const auto& c : columns) {
    const auto it = std::find(m.names.begin(), m.names.end(), c);
    out.push_back(it == m.names.end() ? std::numeric_limits<double>::quiet_NaN()
                                      : m.values[static_cast<std::size_t>(it - m.names.begin())]);
  }
  return out;
}

Metrics run_metrics(const Scenario& scenario, std::uint64_t replication) {
  return flatten_metrics(run_once(scenario, replication).summary);
}

RunOutputs run_outputs(const Scenario& scenario, std::uint64_t replication) {
  const RunOnce run = run_once(scenario, replication);
  return {flatten_metrics(run.summary), run.summary_text(), run.timeseries_csv(scenario)};
}

unsigned worker_count(unsigned threads) {
  if (threads > 0) return threads;
  return std::max(1U, std::thread::hardware_concurrency());
}

void parallel_for(std::size_t count, unsigned threads, const std::function<void(std::size_t)>& work,
                  const std::function<void(std::size_t)>& done) {
  const unsigned workers = static_cast<unsigned>(
      std::min<std::size_t>(worker_count(threads), std::max<std::size_t>(count, 1)));
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::vector<std::exception_ptr> errors(count);
  std::mutex done_mutex;
  std::size_t completed = 0;
  auto loop = [&] {
    while (!failed.load()) {
      const std::size_t i = next.fetch_add(1);
      if (i >= count) return;
      try {
        work(i);
      } catch (...) {
        errors[i] = std::current_exception();
        failed.store(true);
        return;
      }
      if (done) {
        const std::lock_guard<std::mutex> lock(done_mutex);
        done(++completed);
      }
    }
  };
  if (workers <= 1) {
    loop();
  } else {
    std::vector<std::thread> pool;
    pool.reserve(workers);
    for (unsigned w = 0; w < workers; ++w) pool.emplace_back(loop);
    for (auto& t : pool) t.join();
  }
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

std::vector<double> ReplicationSet::column(std::size_t m) const {
  std::vector<double> out;
  out.reserve(values.size());
  for (const auto& row : values) out.push_back(row[m]);
  return out;
}

ReplicationSet run_replications(const Scenario& scenario, std::size_t replications,
                                unsigned threads, std::uint64_t first_replication) {
  std::vector<Metrics> runs(replications);
  parallel_for(replications, threads,
               [&](std::size_t r) { runs[r] = run_metrics(scenario, first_replication + r); });
  ReplicationSet set;
  if (runs.empty()) return set;
  set.names = runs.front().names;
  for (auto& run : runs) {
    if (run.names != set.names) {
      throw std::logic_error("replications of one scenario reported different metrics");
    }
    set.values.push_back(std::move(run.values));
  }
  return set;
}

}  // namespace aidc::experiment
