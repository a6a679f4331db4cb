// The laws of job durations fitted by maximum likelihood: exponential and log-normal in
// closed form, Weibull by Newton's method on its profile likelihood; each with standard
// errors, log-likelihood, AIC and the Kolmogorov-Smirnov statistic. And the GPUs per job.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <numbers>
#include <stdexcept>

#include "aidc/fit/jobs.hpp"

namespace aidc::fit {

namespace {

/// sup |F_n(x) - F(x)| over the sorted sample: at the i-th smallest of n (from 1) the
/// empirical CDF jumps from (i - 1)/n to i/n; ties are handled by the same formula, since
/// the largest gaps of a tied group are at its first and last member.
double ks_statistic(const std::vector<double>& sorted, const std::function<double(double)>& cdf) {
  const auto n = static_cast<double>(sorted.size());
  double d = 0;
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    const double f = cdf(sorted[i]);
    d = std::max({d, static_cast<double>(i + 1) / n - f, f - static_cast<double>(i) / n});
  }
  return d;
}

/// The checks every fit shares: positive, finite values, at least two distinct.
void check_sample(const std::vector<double>& x) {
  for (const double v : x) {
    if (!(v > 0) || !std::isfinite(v)) {
      throw std::invalid_argument(
          fmt::format("durations must be positive and finite to fit (got {})", v));
    }
  }
  if (x.size() < 2 || std::all_of(x.begin(), x.end(), [&](double v) { return v == x.front(); })) {
    throw std::invalid_argument("at least two distinct durations are needed to fit a law");
  }
}

double mean_log(const std::vector<double>& x) {
  double sum = 0;
  for (const double v : x) sum += std::log(v);
  return sum / static_cast<double>(x.size());
}

std::vector<double> sorted_copy(std::vector<double> x) {
  std::sort(x.begin(), x.end());
  return x;
}

DurationFit fit_exponential(const std::vector<double>& x, const std::vector<double>& sorted) {
  const auto n = static_cast<double>(x.size());
  double sum = 0;
  for (const double v : x) sum += v;
  const double mean = sum / n;  // the MLE of the mean; its variance is mean^2 / n
  DurationFit f;
  f.law = "exponential";
  f.parameters = {{"mean", mean, mean / std::sqrt(n)}};
  f.log_likelihood = -n * std::log(mean) - n;
  f.aic = 2.0 * 1 - 2.0 * f.log_likelihood;
  f.ks = ks_statistic(sorted, [mean](double v) { return -std::expm1(-v / mean); });
  f.median_hours = mean * std::numbers::ln2;
  f.mean_hours = mean;
  f.distribution = {{"dist", "exponential"}, {"mean", mean}};
  return f;
}

DurationFit fit_lognormal(const std::vector<double>& x, const std::vector<double>& sorted) {
  const auto n = static_cast<double>(x.size());
  const double mu = mean_log(x);
  double ss = 0;
  double sum_log = 0;
  for (const double v : x) {
    ss += (std::log(v) - mu) * (std::log(v) - mu);
    sum_log += std::log(v);
  }
  const double sigma = std::sqrt(ss / n);  // the MLE divides by n
  DurationFit f;
  f.law = "lognormal";
  // The information of (mu, sigma) is diagonal: n / sigma^2 and 2n / sigma^2.
  f.parameters = {{"mu", mu, sigma / std::sqrt(n)}, {"sigma", sigma, sigma / std::sqrt(2.0 * n)}};
  f.log_likelihood =
      -sum_log - n * std::log(sigma) - 0.5 * n * std::log(2.0 * std::numbers::pi) - 0.5 * n;
  f.aic = 2.0 * 2 - 2.0 * f.log_likelihood;
  f.ks = ks_statistic(sorted, [mu, sigma](double v) {
    return 0.5 * std::erfc(-(std::log(v) - mu) / (sigma * std::numbers::sqrt2));
  });
  f.median_hours = std::exp(mu);
  f.mean_hours = std::exp(mu + 0.5 * sigma * sigma);
  // The scenario's lognormal takes the mean and sd of the value itself.
  const double sd = f.mean_hours * std::sqrt(std::expm1(sigma * sigma));
  f.distribution = {{"dist", "lognormal"}, {"mean", f.mean_hours}, {"sd", sd}};
  return f;
}

}  // namespace

DurationFit fit_weibull(const std::vector<double>& x) {
  check_sample(x);
  const auto n = static_cast<double>(x.size());
  // With z = ln x - mean(ln x), the shape k solves the profile likelihood equation
  //   g(k) = sum(x^k z) / sum(x^k) - 1/k = 0
  // (Cohen 1965; Johnson, Kotz and Balakrishnan 1994, ch. 21). g rises from -inf (k -> 0)
  // to max z > 0 (k -> inf), with g'(k) = var_w(z) + 1/k^2 > 0 (var_w: the variance of z
  // under the weights x^k), so its root is unique. Weights are scaled by their largest so
  // that x^k cannot overflow.
  const double m = mean_log(x);
  std::vector<double> z(x.size());
  double zz = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    z[i] = std::log(x[i]) - m;
    zz += z[i] * z[i];
  }
  const double z_max = *std::max_element(z.begin(), z.end());
  struct Moments {
    double log_sum;  // ln sum(exp(k z))
    double mean_z;   // weighted mean of z
    double var_z;    // weighted variance of z
  };
  const auto moments = [&](double k) {
    double w_sum = 0;
    double wz = 0;
    double wzz = 0;
    for (const double zi : z) {
      const double w = std::exp(k * (zi - z_max));
      w_sum += w;
      wz += w * zi;
      wzz += w * zi * zi;
    }
    const double mean_z = wz / w_sum;
    return Moments{std::log(w_sum) + k * z_max, mean_z, wzz / w_sum - mean_z * mean_z};
  };
  // Start from the log-normal's spread: for a Weibull, sd(ln X) = pi / (k sqrt 6).
  double k = std::numbers::pi / (std::sqrt(6.0 * zz / n));
  double lo = 0;
  double hi = std::numeric_limits<double>::infinity();
  for (int iteration = 0; iteration < 200; ++iteration) {
    const Moments mo = moments(k);
    const double g = mo.mean_z - 1.0 / k;
    if (g < 0) {
      lo = k;
    } else {
      hi = k;
    }
    double next = k - g / (mo.var_z + 1.0 / (k * k));
    // Newton's step, kept inside the bracket of the root (else halve the bracket).
    if (!(next > lo && next < hi)) next = std::isfinite(hi) ? 0.5 * (lo + hi) : 2.0 * k;
    const bool done = std::abs(next - k) <= 1e-13 * k;
    k = next;
    if (done) break;
  }
  // The scale given the shape: lambda^k = mean(x^k), so
  // ln lambda = mean(ln x) + (ln sum(exp(k z)) - ln n) / k.
  const Moments mo = moments(k);
  const double log_scale = m + (mo.log_sum - std::log(n)) / k;
  const double scale = std::exp(log_scale);
  double sum_log = 0;
  double sum_ul = 0;   // sum u l, u = (x / lambda)^k and l = ln(x / lambda)
  double sum_ull = 0;  // sum u l^2
  for (const double v : x) {
    const double l = std::log(v) - log_scale;
    const double u = std::exp(k * l);
    sum_log += std::log(v);
    sum_ul += u * l;
    sum_ull += u * l * l;
  }
  // Observed information at the estimate (where sum u = n):
  //   -d2/dk2 = n/k^2 + sum u l^2,  -d2/dlambda2 = n k^2/lambda^2,
  //   -d2/dk dlambda = -(k/lambda) sum u l.
  const double i_kk = n / (k * k) + sum_ull;
  const double i_ll = n * k * k / (scale * scale);
  const double i_kl = -(k / scale) * sum_ul;
  const double det = i_kk * i_ll - i_kl * i_kl;
  DurationFit f;
  f.law = "weibull";
  f.parameters = {{"shape", k, std::sqrt(i_ll / det)}, {"scale", scale, std::sqrt(i_kk / det)}};
  f.log_likelihood = n * std::log(k) - n * k * log_scale + (k - 1.0) * sum_log - n;
  f.aic = 2.0 * 2 - 2.0 * f.log_likelihood;
  f.ks = ks_statistic(sorted_copy(x),
                      [k, scale](double v) { return -std::expm1(-std::pow(v / scale, k)); });
  f.median_hours = scale * std::pow(std::numbers::ln2, 1.0 / k);
  f.mean_hours = scale * std::tgamma(1.0 + 1.0 / k);
  f.distribution = {{"dist", "weibull"}, {"shape", k}, {"scale", scale}};
  return f;
}

std::vector<DurationFit> fit_durations(const std::vector<double>& hours) {
  check_sample(hours);
  const std::vector<double> sorted = sorted_copy(hours);
  return {fit_exponential(hours, sorted), fit_lognormal(hours, sorted), fit_weibull(hours)};
}

std::size_t choose_by_aic(const std::vector<DurationFit>& fits) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < fits.size(); ++i) {
    if (fits[i].aic < fits[best].aic) best = i;
  }
  return best;
}

GpuFit fit_gpus(const std::vector<TraceJob>& jobs) {
  std::map<std::int64_t, std::size_t> counts;
  for (const TraceJob& job : jobs) ++counts[job.gpus];
  GpuFit out;
  for (const auto& [gpus, count] : counts) {
    out.values.push_back(gpus);
    out.counts.push_back(count);
  }
  return out;
}

}  // namespace aidc::fit
