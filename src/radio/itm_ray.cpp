// ITM's profile analysis ("qlrpfl" [Alg §3]) for every prefix of a ray, incrementally.
// What is exact and what is held is documented in include/phusong/radio/itm_ray.hpp; the
// reference keys ([TN101], [Alg], [ERL79], [V1.4]) are those of itm.hpp. The order of the steps
// and every expression that decides a branch follow `analyse_profile` in itm.cpp, so that both
// give the same numbers; tests/radio/test_itm_ray.cpp compares them on every prefix.

#include "phusong/radio/itm_ray.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace phusong::radio::itm {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// The reference curvature of the RX hull is set this far above the prefix's γ_e, 1/m. γ_e moves
/// by ≈ 7e-12 /m per metre of h_sys (d γ_e/d h_sys from [TN101 Eqns 4.3, 4.4] at N_s ≈ 300), so
/// this is ≈ 30 m of h_sys before a rebuild.
constexpr double kHullMargin = 2e-10;
/// The hull is rebuilt when its reference curvature is this far above the query's, 1/m: the walk
/// that corrects the tangent from γ_ref to γ_e grows with the difference.
constexpr double kHullMaxLag = 1e-9;
/// Rounding allowance of the comparisons that prune the RX-horizon search, rad. The angles are
/// O(1) at most and computed to ~1e-15; the allowance only makes the search look further.
constexpr double kAngleSlack = 1e-10;

/// FORTRAN's DIM(x, y), as in itm.cpp.
double dim(double x, double y) { return x > y ? x - y : 0.0; }

/// Whether i·spacing (and ITM's repeated additions and subtractions of it) is exact in double for
/// every i < 2^22: true when the spacing has at most 30 significant bits.
bool exact_multiples(double spacing) {
    int exponent = 0;
    const double mantissa = std::frexp(spacing, &exponent);  // spacing = mantissa·2^exponent
    const double scaled = std::ldexp(mantissa, 30);
    return scaled == std::floor(scaled);
}

}  // namespace

RayProfile::RayProfile(double spacing_m, double h_tx_m, double h_rx_m, double n0)
    : m_spacing(spacing_m), m_h_tx(h_tx_m), m_h_rx(h_rx_m), m_n0(n0) {
    std::vector<std::string> problems;
    if (!(spacing_m > 0.0) || !std::isfinite(spacing_m))
        problems.push_back("spacing_m = " + std::to_string(spacing_m) + ": expected > 0");
    Params probe;
    probe.h_tx_m = h_tx_m;
    probe.h_rx_m = h_rx_m;
    probe.n0 = n0;
    for (auto& p : validate(probe)) problems.push_back(std::move(p));
    if (!problems.empty()) {
        std::string msg = "ITM RayProfile: invalid input";
        for (const auto& p : problems) msg += "; " + p;
        throw std::invalid_argument(msg);
    }
    m_exact_multiples = exact_multiples(spacing_m);
    clear();
}

void RayProfile::clear() {
    m_z.clear();
    m_x.clear();
    m_p0.assign(1, 0.0L);
    m_p1.assign(1, 0.0L);
    m_a.clear();
    m_env.clear();
    m_env_from.clear();
    m_hull.clear();
    m_w.clear();
    m_hull_valid = false;
    m_gamma_ref = 0.0;
    m_rebuilds = 0;
    m_delta_h_hint = {};
}

void RayProfile::reserve(std::size_t n) {
    for (auto* v : {&m_z, &m_x, &m_a, &m_w}) v->reserve(n);
    m_p0.reserve(n + 1);
    m_p1.reserve(n + 1);
    m_env.reserve(n);
    m_env_from.reserve(n);
    m_hull.reserve(n);
}

double RayProfile::distance_m() const noexcept {
    return m_z.empty() ? 0.0 : static_cast<double>(m_z.size() - 1) * m_spacing;
}

void RayProfile::push(double elevation_m) {
    if (!std::isfinite(elevation_m))
        throw std::invalid_argument("ITM RayProfile: elevation of sample " +
                                    std::to_string(m_z.size()) +
                                    " is not finite: nodata must be filled before ITM");
    const std::size_t i = m_z.size();
    // The previous last sample becomes an interior point of every longer prefix.
    if (i >= 2) insert_point(i - 1);
    m_z.push_back(elevation_m);
    // x_i by repeated addition, exactly as ITM's horizon loop [V1.4 FindHorizons].
    m_x.push_back(i == 0 ? 0.0 : m_x.back() + m_spacing);
    const long double zeta = elevation_m - m_z.front();
    m_p0.push_back(m_p0.back() + zeta);
    m_p1.push_back(m_p1.back() + static_cast<long double>(i) * zeta);
    m_a.push_back(0.0);
    m_w.push_back(0.0);
}

void RayProfile::insert_point(std::size_t i) {
    // TX horizon: the elevation angle of sample i seen from the TX, at curvature γ, is
    // (z_i − z_tx)/x_i − γ·x_i/2 [TN101 Eqn 6.15]: a line a_i − b_i·γ with b_i = x_i/2 growing
    // with i. Keep the upper envelope over γ (the convex-hull trick): m_env in insertion order,
    // the newest line (steepest descent) wins at the smallest γ. m_env_from[j] is the γ where
    // m_env[j] and m_env[j−1] cross; m_env[j] is the maximum for γ in
    // [m_env_from[j+1], m_env_from[j]] (m_env_from[0] = +∞).
    const double z_tx = m_z[0] + m_h_tx;
    const double x = m_x[i];
    m_a[i] = (m_z[i] - z_tx) / x;
    auto crossing = [this](int p, int q) {  // γ where lines p and q are equal
        return (m_a[p] - m_a[q]) / (0.5 * m_x[p] - 0.5 * m_x[q]);
    };
    const int li = static_cast<int>(i);
    while (m_env.size() >= 2) {
        const int b = m_env.back();
        const int a = m_env[m_env.size() - 2];
        // b is never strictly the maximum if the new line overtakes it at or above the γ where
        // b overtakes a. On equality the older line (smaller index, ITM's first maximum) stays.
        if (crossing(li, b) >= crossing(b, a))
            m_env.pop_back(), m_env_from.pop_back();
        else
            break;
    }
    m_env_from.push_back(m_env.empty() ? kInf : crossing(li, m_env.back()));
    m_env.push_back(li);

    // RX horizon: upper hull of (x_i, z_i − γ_ref·x_i²/2) by Andrew's monotone chain; collinear
    // middle points are dropped (never the first of several tied maxima, see rx_horizon).
    if (!m_hull_valid) return;
    push_hull_point(i);
}

void RayProfile::push_hull_point(std::size_t i) {
    const double x = m_x[i];
    m_w[i] = m_z[i] - 0.5 * m_gamma_ref * x * x;
    while (m_hull.size() >= 2) {
        const int b = m_hull.back();
        const int a = m_hull[m_hull.size() - 2];
        const double cross =
            (m_x[b] - m_x[a]) * (m_w[i] - m_w[a]) - (m_w[b] - m_w[a]) * (x - m_x[a]);
        if (cross >= 0.0)
            m_hull.pop_back();
        else
            break;
    }
    m_hull.push_back(static_cast<int>(i));
}

void RayProfile::rebuild_hull(double gamma_ref) {
    m_gamma_ref = gamma_ref;
    m_hull_valid = true;
    m_hull.clear();
    ++m_rebuilds;
    const std::size_t n = m_z.size();
    for (std::size_t i = 1; i + 1 < n; ++i) push_hull_point(i);
}

std::size_t RayProfile::tx_horizon(double gamma) const {
    // The envelope segment holding γ: the last j with m_env_from[j] > γ (ties to the older line).
    const auto it = std::partition_point(m_env_from.begin(), m_env_from.end(),
                                         [gamma](double from) { return from > gamma; });
    return static_cast<std::size_t>(it - m_env_from.begin()) - 1;
}

int RayProfile::rx_horizon(int np, double z_rx, double gamma, double a_e, double& theta) {
    // Seen from the RX at x = d, sample i (u_i = d − x_i from the RX) is at the elevation angle
    // g_i(γ) = (z_i − z_rx)/u_i − γ·u_i/2 [TN101 Eqn 6.15]; the horizon is the first maximum over
    // i = 1..np−1. In the plane (x, w = z − γ·x²/2) the maximum is the tangent from the RX to
    // the upper hull of the points, so it is a hull vertex. The hull at γ_ref ≥ γ has every
    // vertex of the hull at γ (lowering γ adds the convex γ'·x²/2 and can only drop vertices),
    // and g_i(γ) = g_i(γ_ref) + u_i·(γ_ref − γ)/2: left of the tangent at γ_ref the values gain
    // at most u_max·(γ_ref − γ)/2, right of it they gain less than the tangent itself.
    if (!m_hull_valid || gamma > m_gamma_ref || m_gamma_ref - gamma > kHullMaxLag)
        rebuild_hull(gamma + kHullMargin);
    if (m_hull.empty()) return -1;
    const double s = m_spacing;
    auto g_ref = [&](int i) {
        const double u = (np - i) * s;
        return (m_z[i] - z_rx) / u - 0.5 * m_gamma_ref * u;
    };
    // Tangent at γ_ref: the first hull vertex after which the angle falls by more than the slack
    // (so near-ties resolve towards the RX and the walk below covers them).
    std::size_t lo = 0;
    std::size_t hi = m_hull.size() - 1;
    while (lo < hi) {
        const std::size_t mid = (lo + hi) / 2;
        if (g_ref(m_hull[mid + 1]) < g_ref(m_hull[mid]) - kAngleSlack)
            hi = mid;
        else
            lo = mid + 1;
    }
    const double bonus = 0.5 * (np * s - m_x[m_hull[0]]) * (m_gamma_ref - gamma);
    double best = -kInf;
    int best_i = -1;
    double r_prev = kInf;
    for (std::size_t j = lo + 1; j-- > 0;) {
        const int i = m_hull[j];
        const double r = g_ref(i);
        if (j < lo && r < r_prev && r + bonus + kAngleSlack < best) break;
        r_prev = r;
        // The angle exactly as ITM computes it (x_rx / (2·a_e)); ≥ so that ties go to the
        // smaller index, ITM's first maximum.
        const double u = (np - i) * s;
        const double e = (m_z[i] - z_rx) / u - u / (2.0 * a_e);
        if (e >= best) {
            best = e;
            best_i = i;
        }
    }
    theta = best;
    return best_i;
}

detail::LineFit RayProfile::fit(int np, double z_end, double d_start, double d_end) const {
    // detail::fit_line ("zlsq1" [Alg §3]) with its sums taken from the prefix sums: the same
    // index range, the same trapezoid weights, the moment about the range's centre c. With
    // ζ_i = z_i − z_0, Σ z_i·(i − c) over the interior equals Σ ζ_i·i − c·Σ ζ_i because the
    // interior is symmetric about c.
    const double s = m_spacing;
    int i_first = static_cast<int>(dim(d_start / s, 0.0));
    int i_last = np - static_cast<int>(dim(static_cast<double>(np), d_end / s));
    i_first = std::clamp(i_first, 0, np);
    i_last = std::clamp(i_last, 0, np);
    if (i_last <= i_first) {
        i_first = static_cast<int>(dim(static_cast<double>(i_first), 1.0));
        i_last = np - static_cast<int>(dim(static_cast<double>(np), i_last + 1.0));
    }
    auto z_at = [&](int i) { return i == np ? z_end : m_z[static_cast<std::size_t>(i)]; };
    const double n = i_last - i_first;
    const double centre = i_last - 0.5 * n;
    const double z_first = z_at(i_first);
    const double z_last = z_at(i_last);
    long double q0 = 0.0L;
    long double q1 = 0.0L;
    if (i_last > i_first + 1) {
        q0 = m_p0[static_cast<std::size_t>(i_last)] - m_p0[static_cast<std::size_t>(i_first) + 1];
        q1 = m_p1[static_cast<std::size_t>(i_last)] - m_p1[static_cast<std::size_t>(i_first) + 1];
    }
    const double interior = i_last - i_first - 1;
    double sum = 0.5 * (z_first + z_last) + static_cast<double>(q0) + interior * m_z[0];
    double moment = 0.5 * (z_first - z_last) * (-0.5 * n) + static_cast<double>(q1 - centre * q0);
    sum /= n;
    moment = moment * 12.0 / ((n * n + 2.0) * n);
    return {sum - moment * centre, sum + moment * (np - centre)};
}

double RayProfile::delta_h(int np, double z_end, bool own_ground, double d_start, double d_end) {
    // ITM's own routine on the prefix ("d1thx" [Alg §3]): its ≤ 245 resampled points all move
    // with np, so only a guess carries over, the last prefix's interdecile values, which speeds
    // the selection up without changing its result (detail::terrain_delta_h).
    double& last = m_z[static_cast<std::size_t>(np)];
    if (own_ground) return detail::terrain_delta_h(m_z, m_spacing, d_start, d_end, &m_delta_h_hint);
    // The pixel's own ground in place of the last sample, for this one call.
    const double kept = last;
    last = z_end;
    const double result = detail::terrain_delta_h(m_z, m_spacing, d_start, d_end, &m_delta_h_hint);
    last = kept;
    return result;
}

PathGeometry RayProfile::geometry_at_ground(double rx_ground_m) {
    if (m_z.size() < 2)
        throw std::logic_error("ITM RayProfile: geometry_at_ground() needs at least 2 samples");
    if (!std::isfinite(rx_ground_m))
        throw std::invalid_argument("ITM RayProfile: rx_ground_m is not finite");
    return evaluate(rx_ground_m, rx_ground_m == m_z.back());
}

PathGeometry RayProfile::evaluate(double z_end, bool own_ground) {
    // The steps of analyse_profile (itm.cpp), each from the incremental state.
    const int np = static_cast<int>(m_z.size()) - 1;
    const double s = m_spacing;
    PathGeometry g;
    g.distance_m = np * s;
    g.n0 = m_n0;
    g.h_m = {m_h_tx, m_h_rx};

    // h_sys over the points int(0.1·np) .. np − int(0.1·np) [V1.4]; the last point only counts
    // when that range reaches it (np < 10).
    const int p10 = static_cast<int>(0.1 * np);
    const int first = p10;
    const int last = np - p10;
    const int last_stored = std::min(last, np - 1);
    auto zeta_sum = static_cast<double>(m_p0[static_cast<std::size_t>(last_stored) + 1] -
                                        m_p0[static_cast<std::size_t>(first)]);
    if (last == np) zeta_sum += z_end - m_z[0];
    const int count = np - 2 * p10 + 1;
    g.h_sys_m = m_z[0] + zeta_sum / count;
    g.surface_refractivity_n = detail::surface_refractivity(m_n0, g.h_sys_m);
    g.gamma_e_per_m = detail::effective_curvature(g.surface_refractivity_n);
    const double a_e = 1.0 / g.gamma_e_per_m;
    const double d = g.distance_m;

    // Horizons ("hzns" [TN101 Eqn 6.15]): the chord to the other terminal unless an interior
    // point is seen strictly higher.
    auto& theta = g.horizon_angle_rad;
    auto& d_hzn = g.horizon_distance_m;
    const double z_tx = m_z[0] + m_h_tx;
    const double z_rx = z_end + m_h_rx;
    theta[0] = (z_rx - z_tx) / d - d / (2.0 * a_e);
    theta[1] = -(z_rx - z_tx) / d - d / (2.0 * a_e);
    d_hzn = {d, d};
    if (np >= 2) {
        // TX: the envelope's line at γ_e, and its neighbours in case rounding put the breakpoint
        // on the wrong side; ITM's value and ITM's first-maximum rule decide.
        const std::size_t j = tx_horizon(g.gamma_e_per_m);
        int best_i = -1;
        double best = -kInf;
        for (std::size_t k = (j == 0 ? 0 : j - 1); k <= std::min(j + 1, m_env.size() - 1); ++k) {
            const int i = m_env[k];
            const double x = m_x[static_cast<std::size_t>(i)];
            const double v = (m_z[static_cast<std::size_t>(i)] - z_tx) / x - x / (2.0 * a_e);
            if (v > best || (v == best && i < best_i)) {
                best = v;
                best_i = i;
            }
        }
        if (best > theta[0]) {
            theta[0] = best;
            d_hzn[0] = m_x[static_cast<std::size_t>(best_i)];
        }
        double seen = 0.0;
        const int i_rx = rx_horizon(np, z_rx, g.gamma_e_per_m, a_e, seen);
        if (i_rx > 0) {
            double x_rx = (np - i_rx) * s;
            if (!m_exact_multiples) {
                // ITM's own x_rx: d less the spacing once per step from the TX to sample i
                // [V1.4 FindHorizons], which rounds differently from (np − i)·spacing.
                x_rx = d;
                for (int k = 0; k < i_rx; ++k) x_rx -= s;
                seen = (m_z[static_cast<std::size_t>(i_rx)] - z_rx) / x_rx - x_rx / (2.0 * a_e);
            }
            if (seen > theta[1]) {
                theta[1] = seen;
                d_hzn[1] = x_rx;
            }
        }
    }

    // "qlrpfl" [Alg §3], as analyse_profile: Δh between 15 antenna heights (or 10 % of the
    // horizon distance) from each end [Guide p. 25].
    const double d_start = std::min(15.0 * m_h_tx, 0.1 * d_hzn[0]);
    const double d_end = d - std::min(15.0 * m_h_rx, 0.1 * d_hzn[1]);
    g.delta_h_m = delta_h(np, z_end, own_ground, d_start, d_end);

    auto& h_e = g.effective_height_m;
    if (d_hzn[0] + d_hzn[1] > 1.5 * d) {
        // Well within line of sight [Alg Eqns 3.3–3.4].
        const detail::LineFit line = fit(np, z_end, d_start, d_end);
        h_e[0] = m_h_tx + dim(m_z[0], line.y_first);
        h_e[1] = m_h_rx + dim(z_end, line.y_last);
        for (int i = 0; i < 2; ++i)
            d_hzn[i] = detail::rough_horizon_distance(h_e[i], a_e, g.delta_h_m);
        const double reach = d_hzn[0] + d_hzn[1];
        if (reach <= d) {
            const double q = std::pow(d / reach, 2);
            for (int i = 0; i < 2; ++i) {
                h_e[i] *= q;
                d_hzn[i] = detail::rough_horizon_distance(h_e[i], a_e, g.delta_h_m);
            }
        }
        for (int i = 0; i < 2; ++i)
            theta[i] = detail::rough_horizon_angle(h_e[i], a_e, g.delta_h_m, d_hzn[i]);
    } else {
        // Trans-horizon: each terminal's line over the terrain in front of it, up to 0.9 of its
        // horizon distance.
        const detail::LineFit tx = fit(np, z_end, d_start, 0.9 * d_hzn[0]);
        h_e[0] = m_h_tx + dim(m_z[0], tx.y_first);
        const detail::LineFit rx = fit(np, z_end, d - 0.9 * d_hzn[1], d_end);
        h_e[1] = m_h_rx + dim(z_end, rx.y_last);
    }
    return g;
}

}  // namespace phusong::radio::itm
