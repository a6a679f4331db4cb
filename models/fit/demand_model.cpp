// The demand model's parts: the calendar of an hour, the layout of the parameters, the
// trend's log factor and the mean of the log series with its Jacobian.

#include "demand_model.hpp"

#include <algorithm>
#include <cmath>

namespace aidc::fit::detail {

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

std::size_t hour_of_day(std::int64_t hour) {
  return static_cast<std::size_t>(hour - 24 * floor_div(hour, 24));
}

/// Monday = 0; 1970-01-01 was a Thursday.
std::size_t weekday(std::int64_t hour) {
  const std::int64_t day = floor_div(hour, 24);
  return static_cast<std::size_t>(day + 3 - 7 * floor_div(day + 3, 7));
}

double seconds_of(Date d) {
  return static_cast<double>(d.time_since_epoch().count()) *
         static_cast<double>(sim::kSecondsPerDay);
}

double logistic(double x) { return 1.0 / (1.0 + std::exp(-x)); }

/// The trend's log factor at tau and its gradient (into `grad`, trend_size() long).
double log_trend(const Layout& l, const Eigen::VectorXd& p, double tau,
                 const std::vector<double>& knots, double* grad) {
  const Eigen::Index t0 = l.t0();
  switch (l.trend) {
    case TrendKind::none:
      return 0;
    case TrendKind::exponential:
      if (grad) grad[0] = tau;
      return p[t0] * tau;
    case TrendKind::logistic: {
      const double f = logistic(p[t0]);
      const double r = std::exp(p[t0 + 1]);
      const double m = p[t0 + 2];
      const double s = logistic(r * (tau - m));
      const double g = f + (1 - f) * s;
      if (grad) {
        grad[0] = (1 - s) * f * (1 - f) / g;
        grad[1] = (1 - f) * s * (1 - s) * (tau - m) * r / g;
        grad[2] = -(1 - f) * s * (1 - s) * r / g;
      }
      return std::log(g);
    }
    case TrendKind::piecewise: {
      const std::size_t k = knots.size();
      const auto value = [&](std::size_t i) {
        return i == 0 ? 1.0 : std::exp(p[t0 + static_cast<Eigen::Index>(i) - 1]);
      };
      if (grad) std::fill(grad, grad + k - 1, 0.0);
      if (tau <= knots.front()) return 0;
      if (tau >= knots.back()) {
        if (grad) grad[k - 2] = 1;
        return std::log(value(k - 1));
      }
      const auto after = static_cast<std::size_t>(
          std::upper_bound(knots.begin(), knots.end(), tau) - knots.begin());
      const std::size_t a = after - 1;
      const double x = (tau - knots[a]) / (knots[after] - knots[a]);
      const double va = value(a);
      const double vb = value(after);
      const double level = va + (vb - va) * x;
      if (grad) {
        if (a > 0) grad[a - 1] = (1 - x) * va / level;
        grad[after - 1] = x * vb / level;
      }
      return std::log(level);
    }
  }
  return 0;
}

Model make_model(const Layout& l, const Data& d, const std::vector<double>& knots) {
  return [l, &d, &knots](const Eigen::VectorXd& p, Eigen::VectorXd& mean, Eigen::MatrixXd& jac) {
    jac.setZero();
    std::vector<double> grad(static_cast<std::size_t>(std::max<Eigen::Index>(l.trend_size(), 1)));
    for (std::size_t i = 0; i < d.hour.size(); ++i) {
      const auto row = static_cast<Eigen::Index>(i);
      double m = p[0];
      jac(row, 0) = 1;
      if (l.diurnal) {
        const std::size_t h = hour_of_day(d.hour[i]);
        if (h < 23) {
          m += p[l.d0() + static_cast<Eigen::Index>(h)];
          jac(row, l.d0() + static_cast<Eigen::Index>(h)) = 1;
        } else {
          for (Eigen::Index j = 0; j < 23; ++j) {
            m -= p[l.d0() + j];
            jac(row, l.d0() + j) = -1;
          }
        }
      }
      if (l.weekly) {
        const std::size_t w = weekday(d.hour[i]);
        if (w < 6) {
          m += p[l.w0() + static_cast<Eigen::Index>(w)];
          jac(row, l.w0() + static_cast<Eigen::Index>(w)) = 1;
        } else {
          for (Eigen::Index j = 0; j < 6; ++j) {
            m -= p[l.w0() + j];
            jac(row, l.w0() + j) = -1;
          }
        }
      }
      m += log_trend(l, p, d.tau[i], knots, grad.data());
      for (Eigen::Index j = 0; j < l.trend_size(); ++j) {
        jac(row, l.t0() + j) = grad[static_cast<std::size_t>(j)];
      }
      mean[row] = m;
    }
  };
}

}  // namespace aidc::fit::detail
