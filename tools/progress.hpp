#pragma once
// Progress on stderr: a bar with an ETA on a terminal, and plain lines at every tenth of
// the work (and at least every 30 s) when stderr is a file or a pipe.

#include <chrono>
#include <cstddef>
#include <string>

namespace aidc::cli {

class Progress {
 public:
  /// `label` names the work ("sweep", "run"); `unit` its items ("runs", "% simulated").
  /// Nothing shows until `delay_seconds` have passed, so quick work stays quiet.
  Progress(std::string label, std::string unit, double delay_seconds = 0);
  /// Reports `done` of `total`; the first call sets the baseline the ETA is measured from.
  void update(double done, double total);
  /// Ends the bar's line on a terminal.
  void finish();
  static bool stderr_is_terminal();

 private:
  std::string label_, unit_;
  bool terminal_;
  bool started_ = false;
  bool drawn_ = false;
  double baseline_ = 0;
  double delay_seconds_ = 0;
  int last_tenth_ = -1;
  std::chrono::steady_clock::time_point start_, last_line_, last_draw_;
};

}  // namespace aidc::cli
