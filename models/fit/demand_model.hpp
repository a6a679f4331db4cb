#pragma once
// The demand model's parts (demand_model.cpp), shared by the fit (demand_fit.cpp).

#include <Eigen/Dense>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "aidc/fit/demand.hpp"
#include "gls.hpp"

namespace aidc::fit::detail {

std::int64_t floor_div(std::int64_t a, std::int64_t b);
/// The hour of the day (0..23) and the weekday (Monday = 0) of an hour since 1970-01-01.
std::size_t hour_of_day(std::int64_t hour);
std::size_t weekday(std::int64_t hour);
/// Seconds from 1970-01-01 to midnight of `d`.
double seconds_of(Date d);
double logistic(double x);

/// The layout of the parameter vector: level, 23 diurnal and 6 weekly contrasts (the last
/// hour and day are minus the sum of the others), then the trend's.
struct Layout {
  bool diurnal = false;
  bool weekly = false;
  TrendKind trend = TrendKind::none;
  std::size_t knots = 0;
  Eigen::Index d0() const { return 1; }
  Eigen::Index w0() const { return d0() + (diurnal ? 23 : 0); }
  Eigen::Index t0() const { return w0() + (weekly ? 6 : 0); }
  Eigen::Index trend_size() const {
    switch (trend) {
      case TrendKind::none:
        return 0;
      case TrendKind::exponential:
        return 1;
      case TrendKind::logistic:
        return 3;  // logit of floor / cap, log rate, midpoint (years)
      case TrendKind::piecewise:
        return static_cast<Eigen::Index>(knots) - 1;
    }
    return 0;
  }
  Eigen::Index size() const { return t0() + trend_size(); }
};

struct Data {
  std::vector<std::int64_t> hour;
  Eigen::VectorXd log_y;
  std::vector<double> tau;  // years from start
  std::vector<int> gaps;
};

/// The trend's log factor at tau (years from the start) and its gradient (into `grad`,
/// trend_size() long, when not null).
double log_trend(const Layout& l, const Eigen::VectorXd& p, double tau,
                 const std::vector<double>& knots, double* grad);

/// The mean of the log series at the parameters and its Jacobian; `d` and `knots` must
/// outlive the model.
Model make_model(const Layout& l, const Data& d, const std::vector<double>& knots);

}  // namespace aidc::fit::detail
