#include "progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace aidc::cli {

namespace {
std::string clock_text(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--";
  const auto s = static_cast<long>(std::lround(seconds));
  if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, (s / 60) % 60);
  if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}
}  // namespace

bool Progress::stderr_is_terminal() { return isatty(STDERR_FILENO) == 1; }

Progress::Progress(std::string label, std::string unit, double delay_seconds)
    : label_(std::move(label)),
      unit_(std::move(unit)),
      terminal_(stderr_is_terminal()),
      delay_seconds_(delay_seconds) {}

void Progress::update(double done, double total) {
  const auto now = std::chrono::steady_clock::now();
  if (!started_) {
    started_ = true;
    baseline_ = done;
    start_ = last_line_ = last_draw_ = now;
  }
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  if (elapsed < delay_seconds_) return;
  const double rate = elapsed > 0 ? (done - baseline_) / elapsed : 0;
  const double eta = rate > 0 ? (total - done) / rate : NAN;
  const double fraction = total > 0 ? done / total : 1;
  if (terminal_) {
    if (done < total && std::chrono::duration<double>(now - last_draw_).count() < 0.1 && drawn_) {
      return;
    }
    last_draw_ = now;
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(fraction * kWidth);
    fmt::print(stderr, "\r{} [{:=<{}}{:<{}}] {:.0f}/{:.0f} {}  {} elapsed, ETA {}   ", label_, "",
               filled, "", kWidth - filled, done, total, unit_, clock_text(elapsed),
               clock_text(eta));
    drawn_ = true;
    std::fflush(stderr);
    return;
  }
  const int tenth = static_cast<int>(fraction * 10);
  const bool due = std::chrono::duration<double>(now - last_line_).count() >= 30;
  if (tenth == last_tenth_ && !due && done < total) return;
  if (tenth == last_tenth_ && done >= total && last_tenth_ == 10) return;
  last_tenth_ = tenth;
  last_line_ = now;
  fmt::print(stderr, "{}: {:.0f}/{:.0f} {} ({:.0f}%), {} elapsed, ETA {}\n", label_, done, total,
             unit_, 100 * fraction, clock_text(elapsed), clock_text(eta));
}

void Progress::finish() {
  if (terminal_ && drawn_) fmt::print(stderr, "\n");
  drawn_ = false;
}

}  // namespace aidc::cli
