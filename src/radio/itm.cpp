// The Irregular Terrain Model (Longley-Rice), NTIA/ITS ITM v1.4 semantics: the profile analysis
// ("qlrpfl", "hzns"), the reference attenuation ("lrprop": line of sight, diffraction,
// troposcatter), the variability [Alg §5] and the point-to-point and area entry points.
// Written from the published algorithm; the reference keys ([TN101], [ERL79], [Alg], [Guide],
// [V1.4]) are listed in include/phusong/radio/itm.hpp. "Alg" equation numbers follow Hufford's
// "The ITS Irregular Terrain Model, version 1.2.2: the algorithm". The terrain statistics of a
// profile (the least-squares line "zlsq1" and Δh, "d1thx", with their SIMD kernels) are in
// itm_terrain.cpp.
//
// Reuse along a ray (notes for the area sweep). For a pixel k on a ray the profile is the prefix
// z[0..k] of the ray's samples, but ITM's terrain analysis is not a pure prefix computation:
//  * h_sys (mean elevation over the middle 80 % of the points) depends on k; with a prefix sum
//    of z it costs O(1) per pixel. It sets N_s and hence the effective earth curvature γ_e.
//  * The TX horizon is a running maximum of (z_i − z_tx)/x_i − x_i·γ_e/2 over i = 1..k−1 (then
//    compared with the chord to the RX) — O(1) per pixel, but only if γ_e is the same for all
//    pixels (e.g. N_s frozen per ray); strictly, v1.4 recomputes γ_e for every k.
//  * The RX horizon is seen from the far end, so it changes with k (O(k), or O(log k) with an
//    upper-hull search as DESIGN.md describes for the Bullington terms).
//  * Δh samples the segment between 0.1·d_hzn (or 15·h) from each end: it depends on both ends,
//    O(1) with at most 245 samples and the selection of two order statistics.
//  * The least-squares lines are trapezoid-weighted sums of z_i and i·z_i over index ranges, so
//    prefix sums of z_i and i·z_i would make each fit O(1).
// RayProfile (itm_ray.hpp) does this, exactly, with the helpers of the `detail` namespace below
// and of itm_terrain.cpp.
// What does not depend on the profile at all: the ground impedance (f, pol, ε, σ) and the
// variability curves' climate constants. `PathGeometry` holds everything that depends on the
// profile, the heights and N_0 only, so several bands or quantiles on one path share it.

#include "phusong/radio/itm.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cmath>
#include <complex>
#include <numbers>
#include <sstream>
#include <stdexcept>
#include <string>

#include "phusong/radio/detail/itm_terrain.hpp"

namespace phusong::radio::itm {

namespace {

using Complex = std::complex<double>;

constexpr double kPi = std::numbers::pi;
constexpr double kThird = 1.0 / 3.0;
constexpr double kSqrt2 = std::numbers::sqrt2;
/// Earth radius of Vogler's smooth-earth diffraction, m [Vogler 1964 Eqn 2] (a_0 = 6370 km).
constexpr double kEarthRadiusVogler_m = 6370e3;
/// Effective earth radius of the variability "effective distance", m [Alg Eqn 5.3].
constexpr double kEarthRadius9000_m = 9000e3;
/// Curvature of the actual earth, 1/m (≈ 1/6370 km) [TN101 Eqn 4.4].
constexpr double kGammaActual_per_m = 157e-9;

/// FORTRAN's DIM(x, y): the positive difference.
double dim(double x, double y) { return x > y ? x - y : 0.0; }

/// Terminal index helpers: 0 = TX, 1 = RX.
using Pair = std::array<double, 2>;

// ---------------------------------------------------------------------------------------------
// Preparatory quantities
// ---------------------------------------------------------------------------------------------

}  // namespace

namespace detail {

/// N_s from N_0 and the system elevation [TN101 Eqn 4.3]; v1.4 uses N_0 unchanged at h_sys = 0.
double surface_refractivity(double n0, double h_sys_m) {
    return h_sys_m == 0.0 ? n0 : n0 * std::exp(-h_sys_m / 9460.0);
}

/// Effective earth curvature γ_e = γ_a·(1 − 0.04665·exp(N_s/179.3)) [TN101 Eqn 4.4, reworked].
double effective_curvature(double n_s) {
    return kGammaActual_per_m * (1.0 - 0.04665 * std::exp(n_s / 179.3));
}

}  // namespace detail

namespace {

using detail::effective_curvature;
using detail::surface_refractivity;

/// Surface transfer impedance of the ground [Alg, ground constants]: ε_r' = ε + i·18000·σ/f,
/// Z_g = sqrt(ε_r' − 1) (horizontal), divided by ε_r' for vertical polarisation.
Complex ground_impedance(double f_mhz, Polarisation pol, double epsilon, double sigma) {
    const Complex eps_r(epsilon, 18000.0 * sigma / f_mhz);
    Complex z_g = std::sqrt(eps_r - 1.0);
    if (pol == Polarisation::vertical) z_g /= eps_r;
    return z_g;
}

/// Terrain irregularity at distance d: Δh(d) = (1 − 0.8·exp(−d/50 km))·Δh [ERL79 Eqn 3].
double delta_h_at(double d_m, double delta_h_m) {
    return delta_h_m * (1.0 - 0.8 * std::exp(-d_m / 50e3));
}

/// RMS deviation of terrain within the first Fresnel zone, σ_h(Δh) = 0.78·Δh·exp(−0.5·Δh^¼)
/// [ERL79 Eqn 3.6a].
double sigma_h(double delta_h_m) {
    return 0.78 * delta_h_m * std::exp(-0.5 * std::pow(delta_h_m, 0.25));
}

// ---------------------------------------------------------------------------------------------
// Profile analysis [Alg §3 "point-to-point": hzns, zlsq1, d1thx, qlrpfl]
// ---------------------------------------------------------------------------------------------

using detail::fit_line;
using detail::LineFit;
using detail::terrain_delta_h;

/// Radio horizons of both terminals over the profile ("hzns", [TN101 Eqn 6.15]). Angles are
/// elevation angles above the horizontal at the antenna, with the effective earth's curvature
/// folded in as −x/(2·a_e). Both start as the angles of the chord to the other terminal with
/// horizon distance = path length (line of sight); any interior point seen higher replaces them.
void find_horizons(std::span<const double> z, double spacing, double a_e, const Pair& h,
                   Pair& theta, Pair& d_hzn) {
    const int np = static_cast<int>(z.size()) - 1;
    const double d = np * spacing;
    const double z_tx = z[0] + h[0];
    const double z_rx = z[np] + h[1];
    theta[0] = (z_rx - z_tx) / d - d / (2.0 * a_e);
    theta[1] = -(z_rx - z_tx) / d - d / (2.0 * a_e);
    d_hzn = {d, d};
    double x_tx = 0.0;
    double x_rx = d;
    for (int i = 1; i < np; ++i) {
        x_tx += spacing;
        x_rx -= spacing;
        const double seen_from_tx = (z[i] - z_tx) / x_tx - x_tx / (2.0 * a_e);
        const double seen_from_rx = (z[i] - z_rx) / x_rx - x_rx / (2.0 * a_e);
        if (seen_from_tx > theta[0]) {
            theta[0] = seen_from_tx;
            d_hzn[0] = x_tx;
        }
        if (seen_from_rx > theta[1]) {
            theta[1] = seen_from_rx;
            d_hzn[1] = x_rx;
        }
    }
}

}  // namespace

namespace detail {

/// Smooth-earth horizon distance reduced for terrain irregularity [Alg Eqn 3.3]:
/// d_L = sqrt(2·h_e·a_e)·exp(−0.07·sqrt(Δh / max(h_e, 5 m))).
double rough_horizon_distance(double h_e, double a_e, double delta_h) {
    return std::sqrt(2.0 * h_e * a_e) * std::exp(-0.07 * std::sqrt(delta_h / std::max(h_e, 5.0)));
}

/// Horizon angle estimated from Δh [Alg Eqn 3.4]:
/// θ = (0.65·Δh·(d_Ls/d_L − 1) − 2·h_e) / d_Ls, d_Ls = sqrt(2·h_e·a_e).
double rough_horizon_angle(double h_e, double a_e, double delta_h, double d_hzn) {
    const double d_ls = std::sqrt(2.0 * h_e * a_e);
    return (0.65 * delta_h * (d_ls / d_hzn - 1.0) - 2.0 * h_e) / d_ls;
}

}  // namespace detail

namespace {

using detail::rough_horizon_angle;
using detail::rough_horizon_distance;

void check_profile(std::span<const double> z, double spacing_m) {
    std::vector<std::string> problems;
    if (z.size() < 2)
        problems.push_back("terrain profile has " + std::to_string(z.size()) +
                           " point(s): expected at least 2 (TX and RX)");
    if (!(spacing_m > 0.0) || !std::isfinite(spacing_m))
        problems.push_back("profile spacing_m = " + std::to_string(spacing_m) +
                           ": expected a finite value > 0");
    for (std::size_t i = 0; i < z.size(); ++i)
        if (!std::isfinite(z[i])) {
            problems.push_back("profile elevation at index " + std::to_string(i) +
                               " is not finite: nodata must be filled before ITM");
            break;
        }
    if (!problems.empty()) {
        std::string msg = "ITM: invalid terrain profile";
        for (const auto& p : problems) msg += "; " + p;
        throw std::invalid_argument(msg);
    }
}

// ---------------------------------------------------------------------------------------------
// Reference attenuation [Alg §4 "lrprop"]
// ---------------------------------------------------------------------------------------------

/// Everything the reference attenuation needs about the path, in either mode.
struct PathParameters {
    Pair h{};          ///< structural heights, m
    Pair h_e{};        ///< effective heights, m
    Pair d_hzn{};      ///< horizon distances, m
    Pair theta_hzn{};  ///< horizon angles, rad
    double delta_h = 0.0;
    double d = 0.0;
    double gamma_e = 0.0;
    double n_s = 0.0;
    bool point_to_point = true;
};

/// What a prediction needs from `Params` alone (frequency, ground, climate, quantiles), so that
/// a run of predictions with the same Params computes it once (see BandCache).
struct BandTerms {
    std::uint32_t input_warnings = 0;
    Complex z_g;                    ///< ground impedance
    double free_space_const = 0.0;  ///< 32.45 + 20·log10 f, dB
    double z_t = 0.0;               ///< standard normal deviates of the quantiles [Alg §5]
    double z_l = 0.0;
    double z_s = 0.0;
    double d_ex_freq = 0.0;  ///< frequency term of the effective distance (575.7e12/k)^⅓, m
    double g_minus = 0.0;    ///< frequency factors of σ_T− and σ_T+ [Alg §5]
    double g_plus = 0.0;
    double f_third = 0.0;        ///< f^(1/3), f^(−1/3) and |Z_g| of the diffraction terms
    double f_minus_third = 0.0;
    double abs_z_g = 0.0;
};

/// Quantities fixed for one path and frequency, shared by the three regions.
struct Setup {
    const PathParameters* path = nullptr;
    double f_mhz = 0.0;
    double wn = 0.0;  ///< wave number k = 2π/λ ≈ f/47.7, 1/m
    double a_e = 0.0;        ///< effective earth radius, m
    double d_sml = 0.0;      ///< smooth-earth line-of-sight distance Σ sqrt(2·h_e·a_e), m
    double d_ml = 0.0;       ///< actual line-of-sight distance Σ d_hzn, m
    double theta_los = 0.0;  ///< angular distance of the line-of-sight region −θ_e, rad
    const BandTerms* band = nullptr;  ///< the frequency's and ground's terms: Z_g, f^(±1/3), |Z_g|
    // Terms of the diffraction loss that do not depend on the distance, computed once for
    // both d_3 and d_4 (see diffraction_terms) with the expressions they had inside the calls.
    std::array<double, 2> se_x{};            ///< Vogler's x of each terminal's radius
    std::array<double, 2> se_height_gain{};  ///< F(x, K) of each terminal, dB
    double a_fo = 0.0;                       ///< clutter factor, dB
    double w_term1 = 0.0;                    ///< sqrt(1 + qk/q) of the weighting factor
};

/// Knife-edge ("double knife edge over the two horizons") loss [TN101 Eqn I.1, I.7]; the
/// Fresnel-Kirchhoff loss A(v) is approximated as in [TN101v2 Eqn III.24b,c] from v².
double fresnel_loss_db(double v2) {
    if (v2 < 5.76) return 6.02 + 9.11 * std::sqrt(v2) - 1.27 * v2;
    return 12.953 + 10.0 * std::log10(v2);
}

double knife_edge_db(const Setup& s, double d) {
    const Pair& d_hzn = s.path->d_hzn;
    const double theta = d / s.a_e - s.theta_los;  // [Alg Eqn 4.12]
    const double d_nlos = d - s.d_ml;
    // v² = (k/4π)·θ²·d_L·(d − d_ML)/(d − d_ML + d_L); 1/(4π) = 0.0795775
    const double v1 = 0.0795775 * s.wn * theta * theta * d_hzn[0] * d_nlos / (d_nlos + d_hzn[0]);
    const double v2 = 0.0795775 * s.wn * theta * theta * d_hzn[1] * d_nlos / (d_nlos + d_hzn[1]);
    return fresnel_loss_db(v1) + fresnel_loss_db(v2);
}

/// Height-gain function F(x, K) of Vogler's smooth-earth diffraction [Vogler 1964; Alg §4].
double height_gain_db(double x, double k) {
    if (x < 200.0) {
        const double w = -std::log(k);
        if (k < 1e-5 || x * w * w * w > 5495.0) {
            double result = -117.0;
            if (x > 1.0) result += 17.372 * std::log(x);
            return result;
        }
        return 2.5e-5 * x * x / k - 8.686 * w - 15.0;
    }
    double result = 0.05751 * x - 4.343 * std::log(x);
    if (x < 2000.0) {
        const double w = 0.0134 * x * std::exp(-0.005 * x);
        result = (1.0 - w) * result + w * (17.372 * std::log(x) - 117.0);
    }
    return result;
}

/// Vogler's "c_0" and "K" of a radius a [Vogler 1964 Eqns 2, 6a/7a].
struct VoglerRadius {
    double c0;
    double k;
};
VoglerRadius vogler_radius(const Setup& s, double a) {
    const double c0 = std::pow((4.0 / 3.0) * kEarthRadiusVogler_m / a, kThird);  // [Vogler Eqn 2]
    return {c0, 0.017778 * c0 * s.band->f_minus_third / s.band->abs_z_g};  // [Eqn 6a/7a]
}

/// Vogler's x = B_0·c_0²·f^⅓·d[km] for one radius [Vogler Fig 4; Alg §4].
double vogler_x(const Setup& s, const VoglerRadius& r, double d_km) {
    const double b0 = 1.607 - r.k;  // [Vogler Fig 4]
    return b0 * r.c0 * r.c0 * s.band->f_third * d_km;
}

/// Smooth-earth diffraction by Vogler's three-radii method [Vogler 1964; Alg Eqn 4.20]. The
/// terminals' radii a = d_L²/(2·h_e) ([Vogler 1964 Eqn 3] rearranged) and their height gains
/// do not depend on d: `diffraction_terms` puts them in the Setup.
double smooth_earth_db(const Setup& s, double d) {
    const double theta = d / s.a_e - s.theta_los;
    // The radius of the path between the horizons.
    const double a0 = (d - s.d_ml) / theta;
    const double d0_km = a0 * theta / 1000.0;
    const double x0 = vogler_x(s, vogler_radius(s, a0), d0_km) + (s.se_x[0] + s.se_x[1]);
    const double g = 0.05751 * x0 - 10.0 * std::log10(x0);                  // [TN101 Eqn 8.4]
    return g - s.se_height_gain[0] - s.se_height_gain[1] - 20.0;            // [Alg 4.20]
}

/// Diffraction loss: knife edge and smooth earth weighted by terrain roughness, plus the clutter
/// factor [ERL79 Eqns 3.23, 3.38c].
double diffraction_db(const Setup& s, double d) {
    const PathParameters& p = *s.path;
    const double a_k = knife_edge_db(s, d);
    const double a_se = smooth_earth_db(s, d);
    // Weighting factor w [ERL79 Eqn 3.23] (its distance-free part in diffraction_terms).
    const double q = (s.w_term1 + (-s.theta_los * s.a_e + s.d_ml) / d) *
                     std::min(delta_h_at(d, p.delta_h) * s.wn, 6283.2);
    const double w = 25.1 / (25.1 + std::sqrt(q));
    return w * a_se + (1.0 - w) * a_k + s.a_fo;
}

/// The parts of `diffraction_db` that do not depend on the distance, once per path.
void diffraction_terms(Setup& s) {
    const PathParameters& p = *s.path;
    for (int i = 0; i < 2; ++i) {
        // Each terminal's own radius a = d_L²/(2·h_e) [Vogler 1964 Eqn 3] and its height gain.
        const double a = 0.5 * p.d_hzn[i] * p.d_hzn[i] / p.h_e[i];
        const VoglerRadius r = vogler_radius(s, a);
        s.se_x[i] = vogler_x(s, r, p.d_hzn[i] / 1000.0);
        s.se_height_gain[i] = height_gain_db(s.se_x[i], r.k);
    }
    // Clutter factor A_fo with σ_h taken at d_sML [ERL79 p. 3-13, Eqn 3.38c].
    const double sigma_h_dsml = sigma_h(delta_h_at(s.d_sml, p.delta_h));
    s.a_fo =
        std::min(15.0, 5.0 * std::log10(1.0 + 1e-5 * p.h[0] * p.h[1] * s.f_mhz * sigma_h_dsml));
    // Weighting factor's path term [ERL79 Eqn 3.23]; C = 10 m² for point-to-point paths
    // [ERL79 p. 3-8].
    double q = p.h[0] * p.h[1];
    const double qk = p.h_e[0] * p.h_e[1] - q;
    if (p.point_to_point) q += 10.0;
    s.w_term1 = std::sqrt(1.0 + qk / q);
}

/// Two-ray line-of-sight loss blended with the extended diffraction line [Alg Eqns 4.46–4.50].
double line_of_sight_db(const Setup& s, double d, double m_d, double a_d0) {
    const PathParameters& p = *s.path;
    const double sigma = sigma_h(delta_h_at(d, p.delta_h));
    const double he_sum = p.h_e[0] + p.h_e[1];
    const double sin_psi = he_sum / std::sqrt(d * d + he_sum * he_sum);  // [Alg Eqn 4.46]
    // Effective reflection coefficient, reduced by roughness [Alg Eqn 4.47] and bounded below
    // [Alg Eqn 4.48].
    Complex r_e =
        (sin_psi - s.band->z_g) / (sin_psi + s.band->z_g) * std::exp(-std::min(10.0, s.wn * sigma * sin_psi));
    const double q = std::norm(r_e);
    if (q < 0.25 || q < sin_psi) r_e *= std::sqrt(sin_psi / q);
    // Phase difference of the two rays [Alg Eqn 4.49], folded past π/2 [Alg Eqn 4.50].
    double delta_phi = s.wn * 2.0 * p.h_e[0] * p.h_e[1] / d;
    if (delta_phi > kPi / 2.0) delta_phi = kPi - (kPi / 2.0) * (kPi / 2.0) / delta_phi;
    const Complex rr = Complex(std::cos(delta_phi), -std::sin(delta_phi)) + r_e;
    const double a_t = -10.0 * std::log10(std::norm(rr));
    const double a_d = m_d * d + a_d0;
    const double w = 1.0 / (1.0 + s.f_mhz * p.delta_h / std::max(10e3, s.d_sml));  // [ERL79 3.3a]
    return w * a_t + (1.0 - w) * a_d;
}

/// Attenuation function F(θ·d) of forward scatter [Alg Eqn 6.9].
double scatter_f_db(double td) {
    constexpr std::array<double, 3> a = {133.4, 104.6, 71.8};
    constexpr std::array<double, 3> b = {0.332e-3, 0.212e-3, 0.157e-3};
    constexpr std::array<double, 3> c = {-10.0, -2.5, 5.0};
    const int i = td <= 10e3 ? 0 : (td <= 70e3 ? 1 : 2);
    return a[i] + b[i] * td + c[i] * std::log10(td);
}

/// Frequency-gain curve H_01(r, j) for integer η_s = j + 1 [Alg Eqn 6.13].
double h0_curve_db(int j, double r) {
    constexpr std::array<double, 5> a = {25.0, 80.0, 177.0, 395.0, 705.0};
    constexpr std::array<double, 5> b = {24.0, 45.0, 68.0, 80.0, 105.0};
    return 10.0 * std::log10(1.0 + a[j] * std::pow(1.0 / r, 4) + b[j] * std::pow(1.0 / r, 2));
}

/// Frequency-gain function H_0(r, η_s), η_s clamped to 1..5 and interpolated between curves
/// [TN101 §9.2, Alg Eqn 6.12].
double h0_db(double r, double eta_s) {
    eta_s = std::min(std::max(eta_s, 1.0), 5.0);
    const int i = static_cast<int>(eta_s);
    const double q = eta_s - i;
    double result = h0_curve_db(i - 1, r);
    if (q != 0.0) result = (1.0 - q) * result + q * h0_curve_db(i, r);
    return result;
}

/// Forward-scatter loss [Alg §4 "ascat", TN101 §9]. `h0_state` carries H_0 between the two
/// calls (d_6 first, then d_5): negative means "not computed yet". Returns 1001 where the
/// function is undefined (both r_1 and r_2 below 0.2 [Alg p. 11]).
double troposcatter_db(const Setup& s, double d, double& h0_state) {
    const PathParameters& p = *s.path;
    double h0;
    if (h0_state > 15.0) {
        h0 = h0_state;
    } else {
        double ad = p.d_hzn[0] - p.d_hzn[1];
        double rr = p.h_e[1] / p.h_e[0];
        if (ad < 0.0) {
            ad = -ad;
            rr = 1.0 / rr;
        }
        const double theta = p.theta_hzn[0] + p.theta_hzn[1] + d / s.a_e;  // angular distance
        const double r1 = 2.0 * s.wn * theta * p.h_e[0];                   // [TN101 Eqn 9.4a]
        const double r2 = 2.0 * s.wn * theta * p.h_e[1];
        if (r1 < 0.2 && r2 < 0.2) return 1001.0;
        double ss = (d - ad) / (d + ad);                          // asymmetry
        const double q = std::min(std::max(0.1, rr / ss), 10.0);  // truncated [Alg p. 16]
        ss = std::max(0.1, ss);
        const double h0_m = (d - ad) * (d + ad) * theta * 0.25 / d;  // cross-over height
        constexpr double kZ0_m = 1.7556e3;                           // scale height [Alg Eqn 4.67]
        constexpr double kZ1_m = 8.0e3;
        const double eta_s =
            (h0_m / kZ0_m) *
            (1.0 + (0.031 - p.n_s * 2.32e-3 + p.n_s * p.n_s * 5.67e-6) *
                       std::exp(-std::pow(std::min(1.7, h0_m / kZ1_m), 6)));  // [TN101 9.3a]
        const double h00 = (h0_db(r1, eta_s) + h0_db(r2, eta_s)) / 2.0;
        const double dh0 = std::min(h00, 6.0 * (0.6 - std::log10(std::max(eta_s, 1.0))) *
                                             std::log10(ss) * std::log10(q));  // [TN101 Eqn 9.5]
        h0 = std::max(h00 + dh0, 0.0);
        if (eta_s < 1.0) {
            // Interpolate towards the η_s = 0 limit.
            h0 =
                eta_s * h0 + (1.0 - eta_s) * 10.0 *
                                 std::log10(std::pow((1.0 + kSqrt2 / r1) * (1.0 + kSqrt2 / r2), 2) *
                                            (r1 + r2) / (r1 + r2 + 2.0 * kSqrt2));
        }
        // "If at d_5 H_0 would exceed 15 dB, use its value at d_6" [Alg p. 12].
        if (h0 > 15.0 && h0_state >= 0.0) h0 = h0_state;
    }
    h0_state = h0;
    const double th = d / s.a_e - s.theta_los;
    constexpr double kD0_m = 40e3;  // [Alg Eqn 6.8]
    constexpr double kH_m = 47.7;   // [Alg Eqn 4.63]
    return scatter_f_db(th * d) + 10.0 * std::log10(s.wn * kH_m * std::pow(th, 4)) -
           0.1 * (p.n_s - 301.0) * std::exp(-th * d / kD0_m) + h0;  // [Alg Eqn 4.63]
}

struct Reference {
    double a_ref_db = 0.0;
    PropagationMode mode = PropagationMode::not_set;
};

/// Reference attenuation A_ref at the path distance [Alg §4, ERL79 §3]: the line-of-sight curve
/// below d_sML, else the diffraction line, switching to the scatter line beyond d_x.
Reference longley_rice(const PathParameters& p, double f_mhz, const BandTerms& band,
                       std::uint32_t& warnings) {
    const Complex& z_g = band.z_g;
    Setup s;
    s.path = &p;
    s.f_mhz = f_mhz;
    s.wn = f_mhz / 47.7;
    s.band = &band;
    s.a_e = 1.0 / p.gamma_e;
    Pair d_ls{};
    for (int i = 0; i < 2; ++i) d_ls[i] = std::sqrt(2.0 * p.h_e[i] * s.a_e);
    s.d_sml = d_ls[0] + d_ls[1];
    s.d_ml = p.d_hzn[0] + p.d_hzn[1];
    s.theta_los = -std::max(p.theta_hzn[0] + p.theta_hzn[1], -s.d_ml / s.a_e);  // [Alg Eqn 3.5]

    if (std::abs(p.theta_hzn[0]) > 200e-3) warnings |= warning::tx_horizon_angle;
    if (std::abs(p.theta_hzn[1]) > 200e-3) warnings |= warning::rx_horizon_angle;
    if (p.d_hzn[0] < 0.1 * d_ls[0]) warnings |= warning::tx_horizon_distance_1;
    if (p.d_hzn[1] < 0.1 * d_ls[1]) warnings |= warning::rx_horizon_distance_1;
    if (p.d_hzn[0] > 3.0 * d_ls[0]) warnings |= warning::tx_horizon_distance_2;
    if (p.d_hzn[1] > 3.0 * d_ls[1]) warnings |= warning::rx_horizon_distance_2;

    if (p.n_s < 150.0 || p.n_s > 400.0)
        throw std::domain_error("ITM: surface refractivity N_s = " + std::to_string(p.n_s) +
                                " N-units is outside 150..400 (check N_0 and the profile's "
                                "elevations)");
    if (p.n_s < 250.0) warnings |= warning::surface_refractivity;
    if (s.a_e < 4000000.0 || s.a_e > 13333333.0)
        throw std::domain_error("ITM: effective earth radius " + std::to_string(s.a_e) +
                                " m is outside 4000..13333 km");
    if (z_g.real() <= std::abs(z_g.imag()))
        throw std::domain_error(
            "ITM: ground impedance has Re(Z_g) <= |Im(Z_g)|: epsilon and "
            "sigma are outside the model's range for this frequency");

    // Diffraction line through two distances far into the diffraction region [Alg §4]:
    // d_3 = max(d_sML, d_ML + 5·(a_e²/f)^⅓), d_4 = d_3 + 10·(a_e²/f)^⅓.
    diffraction_terms(s);
    const double x_ae = std::pow(s.a_e * s.a_e / f_mhz, kThird);
    const double d3 = std::max(s.d_sml, s.d_ml + 5.0 * x_ae);
    const double d4 = d3 + 10.0 * x_ae;
    const double a3 = diffraction_db(s, d3);
    const double a4 = diffraction_db(s, d4);
    const double m_d = (a4 - a3) / (d4 - d3);
    const double a_d0 = a3 - m_d * d3;

    const double d_min = std::abs(p.h_e[0] - p.h_e[1]) / 200e-3;
    if (p.d < d_min) warnings |= warning::path_distance_too_small_1;
    if (p.d < 1e3) warnings |= warning::path_distance_too_small_2;
    if (p.d > 1000e3) warnings |= warning::path_distance_too_big_1;
    if (p.d > 2000e3) warnings |= warning::path_distance_too_big_2;

    Reference ref;
    if (p.d < s.d_sml) {
        // Line of sight: A = A_o + k_1·d + k_2·ln d fitted through d_0, d_1 and d_sML
        // [ERL79 Eqns 3.16–3.21].
        const double a_sml = s.d_sml * m_d + a_d0;
        double d0 = 0.04 * f_mhz * p.h_e[0] * p.h_e[1];  // [ERL79 Eqn 3.16a], metres
        double d1;
        if (a_d0 >= 0.0) {
            d0 = std::min(d0, 0.5 * s.d_ml);
            d1 = d0 + 0.25 * (s.d_ml - d0);  // [ERL79 Eqn 3.16d]
        } else {
            d1 = std::max(-a_d0 / m_d, 0.25 * s.d_ml);
        }
        const double a1 = line_of_sight_db(s, d1, m_d, a_d0);
        bool fitted = false;
        double k1 = 0.0;
        double k2 = 0.0;
        if (d0 < d1) {
            const double a0 = line_of_sight_db(s, d0, m_d, a_d0);
            const double q = std::log(s.d_sml / d0);
            k2 = std::max(0.0, ((s.d_sml - d0) * (a1 - a0) - (d1 - d0) * (a_sml - a0)) /
                                   ((s.d_sml - d0) * std::log(d1 / d0) - (d1 - d0) * q));
            fitted = a_d0 > 0.0 || k2 > 0.0;
            if (fitted) {
                k1 = (a_sml - a0 - k2 * q) / (s.d_sml - d0);  // [ERL79 Eqn 3.21]
                if (k1 < 0.0) {
                    k1 = 0.0;
                    k2 = dim(a_sml, a0) / q;
                    if (k2 == 0.0) k1 = m_d;
                }
            }
        }
        if (!fitted) {
            k1 = dim(a_sml, a1) / (s.d_sml - d1);
            k2 = 0.0;
            if (k1 == 0.0) k1 = m_d;
        }
        const double a_o = a_sml - k1 * s.d_sml - k2 * std::log(s.d_sml);
        ref.a_ref_db = a_o + k1 * p.d + k2 * std::log(p.d);  // [ERL79 Eqn 3.19]
        ref.mode = PropagationMode::line_of_sight;
    } else {
        // Beyond the horizon: scatter line through d_5 = d_ML + 200 km and d_6 = d_ML + 400 km,
        // meeting the diffraction line at d_x [Alg §4 "ascat"].
        const double d5 = s.d_ml + 200e3;
        const double d6 = s.d_ml + 400e3;
        double h0_state = -1.0;
        const double a6 = troposcatter_db(s, d6, h0_state);
        const double a5 = troposcatter_db(s, d5, h0_state);
        double m_s = m_d;
        double a_s0 = a_d0;
        double d_x = 10e6;
        if (a5 < 1000.0) {
            m_s = (a6 - a5) / 200e3;
            d_x = std::max(std::max(s.d_sml, s.d_ml + 1.088 * x_ae * std::log(f_mhz)),
                           (a5 - a_d0 - m_s * d5) / (m_d - m_s));
            a_s0 = (m_d - m_s) * d_x + a_d0;
        }
        if (p.d > d_x) {
            ref.a_ref_db = m_s * p.d + a_s0;
            ref.mode = PropagationMode::troposcatter;
        } else {
            ref.a_ref_db = m_d * p.d + a_d0;
            ref.mode = PropagationMode::diffraction;
        }
    }
    ref.a_ref_db = std::max(ref.a_ref_db, 0.0);
    return ref;
}

// ---------------------------------------------------------------------------------------------
// Variability [Alg §5, TN101 Ch. 10 and Annex III, Guide]
// ---------------------------------------------------------------------------------------------

/// Curve shape of TN101v2 Eqns III.69–70: (c1 + c2/(1 + ((d_e − x2)/x3)²))·(d_e/x1)²/(1 +
/// (d_e/x1)²).
double climate_curve(double c1, double c2, double x1, double x2, double x3, double d_e) {
    const double r = d_e / x1;
    return (c1 + c2 / (1.0 + std::pow((d_e - x2) / x3, 2))) * (r * r) / (1.0 + r * r);
}

struct ClimateConstants {
    // Median V_med curve [TN101 Fig 10.13]: c1, c2, x1, x2, x3.
    double v_c1, v_c2, v_x1, v_x2, v_x3;
    // σ_T− curve and σ_T+ curve.
    double sm_c1, sm_c2, sm_x1, sm_x2, sm_x3;
    double sp_c1, sp_c2, sp_x1, sp_x2, sp_x3;
    double c_d, z_d;       // [Alg Table 5.1]
    double gm1, gm2, gm3;  // frequency factor g− (b_fm)
    double gp1, gp2, gp3;  // frequency factor g+ (b_fp)
};

// Columns of [Alg Table 5.1] / TN101 Ch. 10, one row per climate (1..7).
constexpr std::array<ClimateConstants, 7> kClimates = {{
    {-9.67,   12.7,   144.9e3, 190.3e3, 133.8e3, 2.13,    159.5,  762.2e3,
     123.6e3, 94.5e3, 2.11,    102.3,   636.9e3, 134.8e3, 95.6e3, 1.224,
     1.282,   1.0,    0.0,     0.0,     1.0,     0.0,     0.0},
    {-0.62,   9.19,    228.9e3, 205.2e3, 143.6e3, 2.66,    7.67,   100.4e3,
     172.5e3, 136.4e3, 6.87,    15.53,   138.7e3, 143.7e3, 98.6e3, 0.801,
     2.161,   1.0,     0.0,     0.0,     0.93,    0.31,    2.00},
    {1.26,    15.5,    262.6e3, 185.2e3, 99.8e3, 6.11, 6.65, 138.2e3, 242.2e3, 178.6e3, 10.08, 9.60,
     165.3e3, 225.7e3, 129.7e3, 1.380,   1.282,  1.0,  0.0,  0.0,     1.0,     0.0,     0.0},
    {-9.21,   9.05,   84.1e3, 101.1e3, 98.6e3, 1.98, 13.11, 139.1e3, 132.7e3, 193.5e3, 3.68, 159.3,
     464.4e3, 93.1e3, 94.2e3, 1.000,   20.0,   1.0,  0.0,   0.0,     0.93,    0.19,    1.79},
    {-0.62,  9.19,    228.9e3, 205.2e3, 143.6e3, 2.68, 7.16, 93.7e3, 186.8e3, 133.5e3, 4.75, 8.12,
     93.2e3, 135.9e3, 113.4e3, 1.224,   1.282,   0.92, 0.25, 1.77,   0.93,    0.31,    2.00},
    {-0.39,   2.86,    141.7e3, 315.9e3, 167.4e3, 6.86,    10.38,   187.8e3,
     169.6e3, 108.9e3, 8.58,    13.97,   216.0e3, 152.0e3, 122.7e3, 1.518,
     1.282,   1.0,     0.0,     0.0,     1.0,     0.0,     0.0},
    {3.15,    857.9,   2222.e3, 164.8e3, 116.3e3, 8.51,    169.8,   609.8e3,
     119.9e3, 106.6e3, 8.43,    8.19,    136.2e3, 188.5e3, 122.9e3, 1.518,
     1.282,   1.0,     0.0,     0.0,     1.0,     0.0,     0.0},
}};

/// A_ref adjusted to the requested quantiles: returns A − A_fs, dB [Alg §5].
double variability_db(const Params& params, const BandTerms& band, const Pair& h_e,
                      double delta_h, double d, double a_ref, std::uint32_t& warnings) {
    const ClimateConstants& c = kClimates[static_cast<std::size_t>(params.climate) - 1];
    double z_t = band.z_t;
    double z_l = band.z_l;
    const double z_s = band.z_s;
    const double wn = params.freq_mhz / 47.7;

    // Effective distance [Alg Eqn 5.3].
    const double d_ex = std::sqrt(2.0 * kEarthRadius9000_m * h_e[0]) +
                        std::sqrt(2.0 * kEarthRadius9000_m * h_e[1]) + band.d_ex_freq;
    const double d_e = d < d_ex ? 130e3 * d / d_ex : 130e3 + d - d_ex;

    // Situation variability [Alg Eqn 5.10]; "+20" removes it, as for interference [Guide].
    const double sigma_s = params.mdvar.drop_situation ? 0.0 : 5.0 + 3.0 * std::exp(-d_e / 100e3);

    const double v_med = climate_curve(c.v_c1, c.v_c2, c.v_x1, c.v_x2, c.v_x3, d_e);

    switch (params.mdvar.mode) {
        case VariabilityMode::single_message:
            z_t = z_s;
            z_l = z_s;
            break;
        case VariabilityMode::accidental:
            z_l = z_s;
            break;
        case VariabilityMode::mobile:
            z_l = z_t;
            break;
        case VariabilityMode::broadcast:
            break;
    }
    if (std::abs(z_t) > 3.10 || std::abs(z_l) > 3.10 || std::abs(z_s) > 3.10)
        warnings |= warning::extreme_variabilities;

    // Location variability [Alg Eqn 5.9]; "+10" removes it.
    const double dh_d = delta_h_at(d, delta_h);
    const double sigma_l = params.mdvar.drop_location ? 0.0 : 10.0 * wn * dh_d / (wn * dh_d + 13.0);
    const double y_l = sigma_l * z_l;

    // Time variability [Alg §5; TN101v2 Eqns III.69–70]: σ_T− below the median, σ_T+ above, and
    // beyond z_D a slower growth towards σ_TD = C_D·σ_T+ (frequency factors in BandTerms).
    const double sigma_t_minus =
        climate_curve(c.sm_c1, c.sm_c2, c.sm_x1, c.sm_x2, c.sm_x3, d_e) * band.g_minus;
    const double sigma_t_plus =
        climate_curve(c.sp_c1, c.sp_c2, c.sp_x1, c.sp_x2, c.sp_x3, d_e) * band.g_plus;
    const double sigma_td = c.c_d * sigma_t_plus;
    const double tgtd = (sigma_t_plus - sigma_td) * c.z_d;
    double sigma_t;
    if (z_t < 0.0)
        sigma_t = sigma_t_minus;
    else if (z_t <= c.z_d)
        sigma_t = sigma_t_plus;
    else
        sigma_t = sigma_td + tgtd / z_t;
    const double y_t = sigma_t * z_t;

    // Combination [Alg Eqn 5.11].
    const double s_sq =
        sigma_s * sigma_s + y_t * y_t / (7.8 + z_s * z_s) + y_l * y_l / (24.0 + z_s * z_s);
    double y_r;
    double y_s;
    switch (params.mdvar.mode) {
        case VariabilityMode::single_message:
            y_r = 0.0;
            y_s = std::sqrt(sigma_t * sigma_t + sigma_l * sigma_l + s_sq) * z_s;
            break;
        case VariabilityMode::accidental:
            y_r = y_t;
            y_s = std::sqrt(sigma_l * sigma_l + s_sq) * z_s;
            break;
        case VariabilityMode::mobile:
            y_r = std::sqrt(sigma_t * sigma_t + sigma_l * sigma_l) * z_t;
            y_s = std::sqrt(s_sq) * z_s;
            break;
        case VariabilityMode::broadcast:
        default:
            y_r = y_t + y_l;
            y_s = std::sqrt(s_sq) * z_s;
            break;
    }

    double result = a_ref - v_med - y_r - y_s;
    // Soft floor for negative attenuations (loss below free space) [Alg §5].
    if (result < 0.0) result = result * (29.0 - result) / (29.0 - 10.0 * result);
    return result;
}

// ---------------------------------------------------------------------------------------------
// Input checks [V1.4 ValidateInputs]
// ---------------------------------------------------------------------------------------------

std::string num(double v) {
    std::ostringstream os;
    os << v;
    return os.str();
}

void throw_if_invalid(const Params& params, std::vector<std::string> extra = {}) {
    std::vector<std::string> problems = validate(params);
    problems.insert(problems.end(), extra.begin(), extra.end());
    if (problems.empty()) return;
    std::string msg = "ITM: invalid input";
    for (const auto& p : problems) msg += "; " + p;
    throw std::invalid_argument(msg);
}

std::uint32_t input_warnings(const Params& p) {
    std::uint32_t w = 0;
    if (p.h_tx_m < 1.0 || p.h_tx_m > 1000.0) w |= warning::tx_terminal_height;
    if (p.h_rx_m < 1.0 || p.h_rx_m > 1000.0) w |= warning::rx_terminal_height;
    if (p.freq_mhz < 40.0 || p.freq_mhz > 10000.0) w |= warning::frequency;
    return w;
}

bool valid_siting(SitingCriteria c) {
    return c == SitingCriteria::random || c == SitingCriteria::careful ||
           c == SitingCriteria::very_careful;
}

/// Completes a Result from the path parameters and the reference attenuation.
Result finish(const PathParameters& path, const Params& params, const BandTerms& band) {
    std::uint32_t warnings = band.input_warnings;
    Result r;
    const Reference ref = longley_rice(path, params.freq_mhz, band, warnings);
    // Free-space basic transmission loss A_fs = 32.45 + 20 log f[MHz] + 20 log d[km], dB,
    // summed in that order (the first two terms in BandTerms).
    r.free_space_loss_db = band.free_space_const + 20.0 * std::log10(path.d / 1000.0);
    r.loss_db = r.free_space_loss_db + variability_db(params, band, path.h_e, path.delta_h, path.d,
                                                      ref.a_ref_db, warnings);
    r.warnings = warnings;
    r.reference_attenuation_db = ref.a_ref_db;
    r.mode = ref.mode;
    r.distance_m = path.d;
    r.horizon_angle_rad = path.theta_hzn;
    r.horizon_distance_m = path.d_hzn;
    r.effective_height_m = path.h_e;
    r.surface_refractivity_n = path.n_s;
    r.delta_h_m = path.delta_h;
    return r;
}

/// BandTerms of valid `params`; the expressions are those the model had inline.
BandTerms band_terms(const Params& params) {
    BandTerms b;
    b.input_warnings = input_warnings(params);
    b.z_g = ground_impedance(params.freq_mhz, params.pol, params.epsilon, params.sigma_s_per_m);
    b.free_space_const = 32.45 + 20.0 * std::log10(params.freq_mhz);  // A_fs's frequency part
    b.f_third = std::pow(params.freq_mhz, kThird);
    b.f_minus_third = std::pow(params.freq_mhz, -kThird);
    b.abs_z_g = std::abs(b.z_g);
    b.z_t = detail::inverse_ccdf(params.time_pct / 100.0);
    b.z_l = detail::inverse_ccdf(params.location_pct / 100.0);
    b.z_s = detail::inverse_ccdf(params.situation_pct / 100.0);
    const double wn = params.freq_mhz / 47.7;
    b.d_ex_freq = std::pow(575.7e12 / wn, kThird);  // [Alg Eqn 5.3]
    const ClimateConstants& c = kClimates.at(static_cast<std::size_t>(params.climate) - 1);
    const double q = std::log(0.133 * wn);
    b.g_minus = c.gm1 + c.gm2 / (std::pow(c.gm3 * q, 2) + 1.0);  // [Alg §5; TN101v2 III.69]
    b.g_plus = c.gp1 + c.gp2 / (std::pow(c.gp3 * q, 2) + 1.0);
    return b;
}

/// Whether two Params are the same bit for bit (a cached BandTerms applies).
bool same_params(const Params& a, const Params& b) {
    auto same = [](double x, double y) {
        return std::bit_cast<std::uint64_t>(x) == std::bit_cast<std::uint64_t>(y);
    };
    return same(a.freq_mhz, b.freq_mhz) && same(a.h_tx_m, b.h_tx_m) && same(a.h_rx_m, b.h_rx_m) &&
           a.climate == b.climate && same(a.n0, b.n0) && a.pol == b.pol &&
           same(a.epsilon, b.epsilon) && same(a.sigma_s_per_m, b.sigma_s_per_m) &&
           a.mdvar.mode == b.mdvar.mode && a.mdvar.drop_location == b.mdvar.drop_location &&
           a.mdvar.drop_situation == b.mdvar.drop_situation && same(a.time_pct, b.time_pct) &&
           same(a.location_pct, b.location_pct) && same(a.situation_pct, b.situation_pct);
}

/// The last Params that passed validation on this thread and their BandTerms: the area sweep
/// calls p2p per pixel for each of a source's bands in turn, so the checks and the Params-only
/// terms (ground impedance, quantile deviates, frequency factors: ~15 libm calls) run once per
/// band. A few bands are kept, replaced round-robin.
struct BandCache {
    static constexpr std::size_t kEntries = 8;
    struct Entry {
        Params params;
        BandTerms terms;
    };
    std::array<Entry, kEntries> entries{};
    std::size_t used = 0;
    std::size_t next = 0;  ///< the entry replaced next

    [[nodiscard]] const BandTerms* find(const Params& params) const {
        for (std::size_t i = 0; i < used; ++i) {
            if (same_params(entries[i].params, params)) return &entries[i].terms;
        }
        return nullptr;
    }
    const BandTerms& add(const Params& params, const BandTerms& terms) {
        Entry& e = entries[next];
        e = {params, terms};
        next = (next + 1) % kEntries;
        used = std::max(used, next == 0 ? kEntries : next);
        return e.terms;
    }
};
thread_local BandCache t_band_cache;

}  // namespace

// -------------------------------------------------------------------------------------------------
// Public API
// -------------------------------------------------------------------------------------------------

Mdvar Mdvar::from_code(int code) {
    const int mode = code % 10;
    const int flags = code / 10;
    if (code < 0 || mode > 3 || flags > 3)
        throw std::invalid_argument("ITM: mdvar = " + std::to_string(code) +
                                    ": expected 0..3, plus 10 and/or 20");
    Mdvar m;
    m.mode = static_cast<VariabilityMode>(mode);
    m.drop_location = (flags & 1) != 0;
    m.drop_situation = (flags & 2) != 0;
    return m;
}

int Mdvar::code() const noexcept {
    return static_cast<int>(mode) + (drop_location ? 10 : 0) + (drop_situation ? 20 : 0);
}

void set_confidence_reliability(Params& params, double confidence_pct, double reliability_pct) {
    params.time_pct = reliability_pct;
    params.location_pct = 50.0;
    params.situation_pct = confidence_pct;
}

std::vector<std::string> validate(const Params& p) {
    std::vector<std::string> out;
    auto range = [&out](const char* name, double v, double lo, double hi, const char* unit) {
        if (!(v >= lo && v <= hi))
            out.push_back(std::string(name) + " = " + num(v) + ": expected " + num(lo) +
                          " <= " + name + " <= " + num(hi) + unit);
    };
    auto open_pct = [&out](const char* name, double v) {
        if (!(v > 0.0 && v < 100.0))
            out.push_back(std::string(name) + " = " + num(v) + ": expected 0 < " + name + " < 100");
    };
    range("h_tx_m", p.h_tx_m, 0.5, 3000.0, " m");
    range("h_rx_m", p.h_rx_m, 0.5, 3000.0, " m");
    const int climate = static_cast<int>(p.climate);
    if (climate < 1 || climate > 7)
        out.push_back("climate = " + std::to_string(climate) + ": expected 1..7");
    range("n0", p.n0, kMinN0, kMaxN0, " N-units");
    range("freq_mhz", p.freq_mhz, 20.0, 20000.0, " MHz");
    if (p.pol != Polarisation::horizontal && p.pol != Polarisation::vertical)
        out.push_back("pol = " + std::to_string(static_cast<int>(p.pol)) +
                      ": expected 0 (horizontal) or 1 (vertical)");
    if (!(p.epsilon >= kMinEpsilon))
        out.push_back("epsilon = " + num(p.epsilon) + ": expected >= " + num(kMinEpsilon));
    if (!(p.sigma_s_per_m > 0.0))
        out.push_back("sigma_s_per_m = " + num(p.sigma_s_per_m) + ": expected > 0 S/m");
    const int mode = static_cast<int>(p.mdvar.mode);
    if (mode < 0 || mode > 3)
        out.push_back("mdvar mode = " + std::to_string(mode) + ": expected 0..3");
    open_pct("time_pct", p.time_pct);
    open_pct("location_pct", p.location_pct);
    open_pct("situation_pct", p.situation_pct);
    return out;
}

PathGeometry analyse_profile(std::span<const double> z, double spacing_m, double h_tx_m,
                             double h_rx_m, double n0) {
    check_profile(z, spacing_m);
    {
        Params probe;
        probe.h_tx_m = h_tx_m;
        probe.h_rx_m = h_rx_m;
        probe.n0 = n0;
        throw_if_invalid(probe);
    }
    const int np = static_cast<int>(z.size()) - 1;
    PathGeometry g;
    g.distance_m = np * spacing_m;
    g.n0 = n0;
    g.h_m = {h_tx_m, h_rx_m};

    // System elevation: mean over the middle of the path, the first and last 10 % of the
    // points left out [V1.4 ITM_P2P_TLS_Ex]; it scales N_0 to N_s.
    const int p10 = static_cast<int>(0.1 * np);
    double h_sys = 0.0;
    for (int i = p10; i <= np - p10; ++i) h_sys += z[i];
    g.h_sys_m = h_sys / (np - 2 * p10 + 1);
    g.surface_refractivity_n = surface_refractivity(n0, g.h_sys_m);
    g.gamma_e_per_m = effective_curvature(g.surface_refractivity_n);
    const double a_e = 1.0 / g.gamma_e_per_m;
    const double d = g.distance_m;

    // "qlrpfl" [Alg §3]: horizons, Δh over the path less ~15 antenna heights at each end
    // ("consideration of terrain should begin at about 15 times the tower height"
    // [Guide p. 25]) or 10 % of the horizon distance, whichever is less.
    find_horizons(z, spacing_m, a_e, g.h_m, g.horizon_angle_rad, g.horizon_distance_m);
    const double d_start = std::min(15.0 * h_tx_m, 0.1 * g.horizon_distance_m[0]);
    const double d_end = d - std::min(15.0 * h_rx_m, 0.1 * g.horizon_distance_m[1]);
    g.delta_h_m = terrain_delta_h(z, spacing_m, d_start, d_end);

    auto& h_e = g.effective_height_m;
    auto& d_hzn = g.horizon_distance_m;
    if (d_hzn[0] + d_hzn[1] > 1.5 * d) {
        // Well within line of sight: effective heights above a line fitted to the whole path;
        // horizons and angles re-estimated from Δh as in area mode [Alg Eqns 3.3–3.4], with the
        // heights scaled up if the estimated horizons would not reach across the path.
        const LineFit fit = fit_line(z, spacing_m, d_start, d_end);
        h_e[0] = h_tx_m + dim(z[0], fit.y_first);
        h_e[1] = h_rx_m + dim(z[np], fit.y_last);
        for (int i = 0; i < 2; ++i) d_hzn[i] = rough_horizon_distance(h_e[i], a_e, g.delta_h_m);
        const double reach = d_hzn[0] + d_hzn[1];
        if (reach <= d) {
            const double q = std::pow(d / reach, 2);
            for (int i = 0; i < 2; ++i) {
                h_e[i] *= q;
                d_hzn[i] = rough_horizon_distance(h_e[i], a_e, g.delta_h_m);
            }
        }
        for (int i = 0; i < 2; ++i)
            g.horizon_angle_rad[i] = rough_horizon_angle(h_e[i], a_e, g.delta_h_m, d_hzn[i]);
    } else {
        // Trans-horizon: each effective height is above a line fitted to the terrain in front
        // of that terminal, up to 0.9 of its horizon distance.
        const LineFit tx = fit_line(z, spacing_m, d_start, 0.9 * d_hzn[0]);
        h_e[0] = h_tx_m + dim(z[0], tx.y_first);
        const LineFit rx = fit_line(z, spacing_m, d - 0.9 * d_hzn[1], d_end);
        h_e[1] = h_rx_m + dim(z[np], rx.y_last);
    }
    return g;
}

Result p2p(const PathGeometry& geometry, const Params& params) {
    const bool matches = geometry.h_m[0] == params.h_tx_m && geometry.h_m[1] == params.h_rx_m &&
                         geometry.n0 == params.n0;
    BandCache& cache = t_band_cache;
    const BandTerms* terms = matches ? cache.find(params) : nullptr;
    if (terms == nullptr) {
        std::vector<std::string> extra;
        if (!matches)
            extra.emplace_back("the PathGeometry was built for other heights or N_0 (h_tx " +
                               num(geometry.h_m[0]) + " m, h_rx " + num(geometry.h_m[1]) +
                               " m, N_0 " + num(geometry.n0) + ")");
        throw_if_invalid(params, extra);
        terms = &cache.add(params, band_terms(params));
    }

    PathParameters path;
    path.h = geometry.h_m;
    path.h_e = geometry.effective_height_m;
    path.d_hzn = geometry.horizon_distance_m;
    path.theta_hzn = geometry.horizon_angle_rad;
    path.delta_h = geometry.delta_h_m;
    path.d = geometry.distance_m;
    path.gamma_e = geometry.gamma_e_per_m;
    path.n_s = geometry.surface_refractivity_n;
    path.point_to_point = true;
    return finish(path, params, *terms);
}

Result p2p(std::span<const double> elevations_m, double spacing_m, const Params& params) {
    throw_if_invalid(params);
    return p2p(analyse_profile(elevations_m, spacing_m, params.h_tx_m, params.h_rx_m, params.n0),
               params);
}

Result area(const AreaPath& area_path, const Params& params) {
    std::vector<std::string> extra;
    if (!(area_path.distance_m > 0.0))
        extra.push_back("distance_m = " + num(area_path.distance_m) + ": expected > 0");
    if (!(area_path.delta_h_m >= 0.0))
        extra.push_back("delta_h_m = " + num(area_path.delta_h_m) + ": expected >= 0");
    if (!valid_siting(area_path.tx_siting))
        extra.emplace_back("tx_siting: expected 0 (random), 1 (careful) or 2 (very careful)");
    if (!valid_siting(area_path.rx_siting))
        extra.emplace_back("rx_siting: expected 0 (random), 1 (careful) or 2 (very careful)");
    throw_if_invalid(params, extra);

    PathParameters path;
    path.h = {params.h_tx_m, params.h_rx_m};
    path.delta_h = area_path.delta_h_m;
    path.d = area_path.distance_m;
    path.n_s = params.n0;  // area mode takes N_0 as N_s [V1.4]
    path.gamma_e = effective_curvature(path.n_s);
    path.point_to_point = false;
    const double a_e = 1.0 / path.gamma_e;
    const std::array<SitingCriteria, 2> siting = {area_path.tx_siting, area_path.rx_siting};
    for (int i = 0; i < 2; ++i) {
        const double h = path.h[i];
        if (siting[i] == SitingCriteria::random) {
            path.h_e[i] = h;
        } else {
            // Careful siting raises the effective height on rough terrain [Alg Eqn 3.2].
            double b = siting[i] == SitingCriteria::careful ? 4.0 : 9.0;
            if (h < 5.0) b *= std::sin(0.1 * kPi * h);
            path.h_e[i] =
                h + (1.0 + b) * std::exp(-std::min(20.0, 2.0 * h / std::max(1e-3, path.delta_h)));
        }
        path.d_hzn[i] = rough_horizon_distance(path.h_e[i], a_e, path.delta_h);  // [Alg Eqn 3.3]
        path.theta_hzn[i] =
            rough_horizon_angle(path.h_e[i], a_e, path.delta_h, path.d_hzn[i]);  // [Alg Eqn 3.4]
    }
    return finish(path, params, band_terms(params));
}

namespace detail {

double inverse_ccdf(double q) {
    // Abramowitz & Stegun 26.2.23.
    constexpr double c0 = 2.515516;
    constexpr double c1 = 0.802853;
    constexpr double c2 = 0.010328;
    constexpr double d1 = 1.432788;
    constexpr double d2 = 0.189269;
    constexpr double d3 = 0.001308;
    const double x = q > 0.5 ? 1.0 - q : q;
    const double t = std::sqrt(-2.0 * std::log(x));
    const double zeta = ((c2 * t + c1) * t + c0) / (((d3 * t + d2) * t + d1) * t + 1.0);
    const double result = t - zeta;
    return q > 0.5 ? -result : result;
}

}  // namespace detail

}  // namespace phusong::radio::itm
