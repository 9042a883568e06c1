// Terrain diffraction: Bullington and delta-Bullington, ITU-R P.526-15 §4.5 as used in
// ITU-R P.452-17 §4.2 and P.1812 §4.3. See the header for units and the sweep decomposition.
#include "phusong/radio/diffraction.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numbers>
#include <span>

namespace phusong::radio {
namespace {

constexpr double kSpeedOfLightMPerNs = 0.299792458;  // c in m/ns, so λ (m) = c / f (GHz)
constexpr double kMinusInf = -std::numeric_limits<double>::infinity();

// Ground constants of P.452-17 §4.2.2.1: land εr = 22, σ = 0.003 S/m; sea εr = 80, σ = 5 S/m.
struct Ground {
    double eps_r;
    double sigma_s_per_m;
};
constexpr Ground kLand{22.0, 0.003};
constexpr Ground kSea{80.0, 5.0};

// Eq (22): Lbull = Luc + (1 − exp(−Luc/6))(10 + 0.02 d).
double bullington_total_db(double luc_db, double d_km) noexcept {
    if (luc_db == 0.0) return 0.0;  // the same value, without exp() on the per-pixel path
    return luc_db + (1.0 - std::exp(-luc_db / 6.0)) * (10.0 + 0.02 * d_km);
}

// The diffraction parameter ν of a point at distance x_km above (clearance_m > 0) or below the
// Tx→Rx ray: ν = clearance · sqrt(0.002 d / (λ x (d − x))), eqs (16) and (20).
double nu_of(double clearance_m, double x_km, double d_km, double lambda_m) noexcept {
    return clearance_m * std::sqrt(0.002 * d_km / (lambda_m * x_km * (d_km - x_km)));
}

// ν at the Bullington point, eqs (19)–(20): the intersection of the steepest Tx ray (slope stim)
// with the steepest Rx ray (slope srim, measured towards the Tx).
double bullington_point_nu(double stim, double srim, double d_km, double hts_m, double hrs_m,
                           double lambda_m) noexcept {
    const double denom = stim + srim;
    // In the trans-horizon case stim + srim ≥ d(stim − str)/(d − d_i) ≥ 0; zero (or a Bullington
    // point at an end through rounding) means the rays graze: clearance 0, ν = 0.
    if (!(denom > 0.0)) return 0.0;
    const double dbp = (hrs_m - hts_m + srim * d_km) / denom;  // eq (19)
    if (!(dbp > 0.0 && dbp < d_km)) return 0.0;
    const double clearance = hts_m + stim * dbp - (hts_m * (d_km - dbp) + hrs_m * dbp) / d_km;
    return nu_of(clearance, dbp, d_km, lambda_m);  // eq (20)
}

// Closest approach of the smooth curved earth to the Tx→Rx ray, P.452-17 eqs (24)–(25):
// returns dse1 (km from Tx) and hse (m, clearance; negative if the ray is obstructed).
struct SmoothClearance {
    double dse1_km;
    double dse2_km;
    double hse_m;
};

SmoothClearance smooth_clearance(double d_km, double hte_m, double hre_m, double ae_km) noexcept {
    const double c = (hte_m - hre_m) / (hte_m + hre_m);                // eq (25d)
    const double m = 250.0 * d_km * d_km / (ae_km * (hte_m + hre_m));  // eq (25e)
    // |arg| ≤ 1 in exact arithmetic (|c| ≤ 1, sqrt(3m/(m+1)^3) ≤ 2/3); clamp the rounding.
    const double arg =
        std::clamp(1.5 * c * std::sqrt(3.0 * m / ((m + 1.0) * (m + 1.0) * (m + 1.0))), -1.0, 1.0);
    const double b = 2.0 * std::sqrt((m + 1.0) / (3.0 * m)) *
                     std::cos(std::numbers::pi / 3.0 + std::acos(arg) / 3.0);  // eq (25c)
    const double dse1 = 0.5 * d_km * (1.0 + b);                                // eq (25a)
    const double dse2 = d_km - dse1;                                           // eq (25b)
    const double hse = ((hte_m - 500.0 * dse1 * dse1 / ae_km) * dse2 +
                        (hre_m - 500.0 * dse2 * dse2 / ae_km) * dse1) /
                       d_km;  // eq (24)
    return {dse1, dse2, hse};
}

// G(Y) of eq (34) for normalised height term B = β·Y (eq (35)), floored at 2 + 20 log K.
double height_gain_db(double b, double k) noexcept {
    const double g = b > 2.0 ? 17.6 * std::sqrt(b - 1.1) - 5.0 * std::log10(b - 1.1) - 8.0
                             : 20.0 * std::log10(b + 0.1 * b * b * b);
    return std::max(g, 2.0 + 20.0 * std::log10(k));
}

// First-term loss over one ground type, P.452-17 eqs (30)–(36).
double first_term_one_ground_db(const Ground& g, double d_km, double hte_m, double hre_m,
                                double adft_km, double f_ghz, Polarisation pol) noexcept {
    const double s = 18.0 * g.sigma_s_per_m / f_ghz;
    double k = 0.036 * std::cbrt(1.0 / (adft_km * f_ghz)) /
               std::sqrt(std::sqrt((g.eps_r - 1.0) * (g.eps_r - 1.0) + s * s));    // eq (30a)
    if (pol == Polarisation::vertical) k *= std::sqrt(g.eps_r * g.eps_r + s * s);  // eq (30b)
    const double k2 = k * k;
    const double k4 = k2 * k2;
    const double beta = (1.0 + 1.6 * k2 + 0.67 * k4) / (1.0 + 4.5 * k2 + 1.53 * k4);  // eq (31)
    const double x = 21.88 * beta * std::cbrt(f_ghz / (adft_km * adft_km)) * d_km;    // eq (32a)
    const double y = 0.9575 * beta * std::cbrt(f_ghz * f_ghz / adft_km);              // eq (32b)
    const double fx = x >= 1.6 ? 11.0 + 10.0 * std::log10(x) - 17.6 * x
                               : -20.0 * std::log10(x) - 5.6488 * std::pow(x, 1.425);  // eq (33)
    const double g_t = height_gain_db(beta * y * hte_m, k);  // eqs (34)–(35)
    const double g_r = height_gain_db(beta * y * hre_m, k);
    return -fx - g_t - g_r;  // eq (36)
}

// The interior-point maxima of eqs (14)–(18) over distances d_km with heights height_at(i) (m).
template <class HeightAt>
BullingtonTerms terms_over(std::span<const double> d_km, HeightAt height_at, double hts_m,
                           double hrs_m, double lambda_m, double ce_per_km) noexcept {
    const std::size_t n = d_km.size();
    const double d = d_km[n - 1];
    BullingtonTerms t{kMinusInf, kMinusInf, (hrs_m - hts_m) / d, kMinusInf};  // eq (15)
    for (std::size_t i = 1; i + 1 < n; ++i) {
        const double di = d_km[i];
        // The point's height raised by the earth bulge between Tx and Rx.
        const double hb = height_at(i) + 500.0 * ce_per_km * di * (d - di);
        t.stim_m_per_km = std::max(t.stim_m_per_km, (hb - hts_m) / di);        // eq (14)
        t.srim_m_per_km = std::max(t.srim_m_per_km, (hb - hrs_m) / (d - di));  // eq (18)
        const double ray = (hts_m * (d - di) + hrs_m * di) / d;
        t.numax = std::max(t.numax, nu_of(hb - ray, di, d, lambda_m));  // eq (16)
    }
    return t;
}

}  // namespace

double wavelength_m(double freq_ghz) noexcept { return kSpeedOfLightMPerNs / freq_ghz; }

double knife_edge_loss_db(double nu) noexcept {
    if (nu <= -0.78) return 0.0;
    const double t = nu - 0.1;
    return 6.9 + 20.0 * std::log10(std::sqrt(t * t + 1.0) + t);  // P.526-15 eq (31)
}

double effective_earth_radius_km(double k_factor) noexcept { return kEarthRadiusKm * k_factor; }

// --- Bullington ----------------------------------------------------------------------------------

BullingtonTerms bullington_terms(ProfileView p, double hts_m, double hrs_m, double lambda_m,
                                 double ce_per_km) noexcept {
    assert(p.d_km.size() == p.h_m.size() && p.d_km.size() >= 2);
    return terms_over(
        p.d_km, [&](std::size_t i) { return p.h_m[i]; }, hts_m, hrs_m, lambda_m, ce_per_km);
}

double bullington_nu(double stim, double srim, double str, double numax, double d_km, double hts_m,
                     double hrs_m, double lambda_m) noexcept {
    // Case 1 (eq (17)): the Tx sees past every point, LOS: the worst interior ν.
    // Case 2 (eqs (18)–(21)): trans-horizon: ν at the Bullington point.
    return stim < str ? numax : bullington_point_nu(stim, srim, d_km, hts_m, hrs_m, lambda_m);
}

double bullington_from_terms(double stim, double srim, double str, double numax, double d_km,
                             double hts_m, double hrs_m, double lambda_m,
                             double /*ce_per_km: already inside the terms*/) noexcept {
    return bullington_total_db(
        knife_edge_loss_db(bullington_nu(stim, srim, str, numax, d_km, hts_m, hrs_m, lambda_m)),
        d_km);  // eq (22)
}

BullingtonTable::BullingtonTable() {
    const auto n = static_cast<std::size_t>((kNuMax - kNuMin) * kPerUnit) + 2;
    m_j.resize(n);
    m_g.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        // Eq (31) itself at every node, the first included (its limit from above: 0.0043 dB, where
        // knife_edge_loss_db's cut-off gives 0), so that ν just above −0.78 interpolates the formula.
        const double t = kNuMin + static_cast<double>(i) / kPerUnit - 0.1;
        const double j = 6.9 + 20.0 * std::log10(std::sqrt(t * t + 1.0) + t);
        m_j[i] = j;
        m_g[i] = 1.0 - std::exp(-j / 6.0);  // eq (22)'s weight of (10 + 0.02 d)
    }
}

const BullingtonTable& BullingtonTable::instance() {
    static const BullingtonTable table;
    return table;
}

double BullingtonTable::bullington_total_exact(double nu, double d_km) noexcept {
    return bullington_total_db(knife_edge_loss_db(nu), d_km);
}

double bullington_loss_db(ProfileView p, double hts_m, double hrs_m, double freq_ghz,
                          double ae_km) noexcept {
    const double lambda = wavelength_m(freq_ghz);
    const double ce = 1.0 / ae_km;
    const BullingtonTerms t = bullington_terms(p, hts_m, hrs_m, lambda, ce);
    return bullington_from_terms(t.stim_m_per_km, t.srim_m_per_km, t.str_m_per_km, t.numax,
                                 p.d_km.back(), hts_m, hrs_m, lambda, ce);
}

double smooth_path_bullington_loss_db(double d_km, double hte_m, double hre_m, double lambda_m,
                                      double ae_km) noexcept {
    const double ce = 1.0 / ae_km;
    const double dlos =
        std::sqrt(2.0 * ae_km) * (std::sqrt(0.001 * hte_m) + std::sqrt(0.001 * hre_m));
    double nu = 0.0;
    if (d_km < dlos) {
        // LOS: the worst point of the smooth earth is the closest approach of eqs (24)–(25);
        // P.1812-6 eq (105).
        const SmoothClearance sc = smooth_clearance(d_km, hte_m, hre_m, ae_km);
        nu = -sc.hse_m * std::sqrt(0.002 * d_km / (lambda_m * sc.dse1_km * sc.dse2_km));
    } else {
        // Trans-horizon: the steepest slopes to a continuous curved earth are the tangents,
        // max_x [500 Ce (d − x) − hte/x] = 500 Ce d − 2 sqrt(500 Ce hte); P.1812-6 eqs (107)–(110).
        const double stm = 500.0 * ce * d_km - 2.0 * std::sqrt(500.0 * ce * hte_m);
        const double srm = 500.0 * ce * d_km - 2.0 * std::sqrt(500.0 * ce * hre_m);
        nu = bullington_point_nu(stm, srm, d_km, hte_m, hre_m, lambda_m);
    }
    return bullington_total_db(knife_edge_loss_db(nu), d_km);  // P.1812-6 eqs (106)/(111)–(112)
}

// --- Smooth earth --------------------------------------------------------------------------------

void SmoothEarthSums::add_segment(double d0_km, double h0_m, double d1_km, double h1_m) noexcept {
    const double dd = d1_km - d0_km;
    v1 += dd * (h1_m + h0_m);                                                  // eq (161)
    v2 += dd * (h1_m * (2.0 * d1_km + d0_km) + h0_m * (d1_km + 2.0 * d0_km));  // eq (162)
}

double SmoothEarthSums::hst_m(double d_km) const noexcept {
    return (2.0 * v1 * d_km - v2) / (d_km * d_km);  // eq (163)
}

double SmoothEarthSums::hsr_m(double d_km) const noexcept {
    return (v2 - v1 * d_km) / (d_km * d_km);  // eq (164)
}

ObstructionTerms obstruction_terms(ProfileView p, double hts_m, double hrs_m) noexcept {
    assert(p.d_km.size() == p.h_m.size() && p.d_km.size() >= 2);
    const std::size_t n = p.d_km.size();
    const double d = p.d_km[n - 1];
    ObstructionTerms o{kMinusInf, kMinusInf, kMinusInf};
    for (std::size_t i = 1; i + 1 < n; ++i) {
        const double di = p.d_km[i];
        const double hi = p.h_m[i] - (hts_m * (d - di) + hrs_m * di) / d;  // eq (165d)
        o.hobs_m = std::max(o.hobs_m, hi);                                 // eq (165a)
        o.alpha_obt = std::max(o.alpha_obt, hi / di);                      // eq (165b)
        o.alpha_obr = std::max(o.alpha_obr, hi / (d - di));                // eq (165c)
    }
    return o;
}

SmoothEarth smooth_earth_from_terms(double hst_m, double hsr_m, const ObstructionTerms& obs,
                                    double h_tx_ground_m, double h_rx_ground_m, double hts_m,
                                    double hrs_m) noexcept {
    double hstp = hst_m;  // eq (166a)
    double hsrp = hsr_m;  // eq (166b)
    if (obs.hobs_m > 0.0) {
        // hobs > 0 implies alpha_obt, alpha_obr > 0 (the same point is above the ray), so the
        // weights of eqs (166e)–(166f) are well defined. The surface is lowered by the obstruction
        // height, shared between the ends by how steeply the obstruction rises as seen from each.
        const double sum = obs.alpha_obt + obs.alpha_obr;
        const double gt = obs.alpha_obt / sum;  // eq (166e)
        const double gr = obs.alpha_obr / sum;  // eq (166f)
        hstp = hst_m - obs.hobs_m * gt;         // eq (166c)
        hsrp = hsr_m - obs.hobs_m * gr;         // eq (166d)
    }
    // eq (167): the surface may not lie above the ground at either terminal.
    const double hstd = std::min(hstp, h_tx_ground_m);
    const double hsrd = std::min(hsrp, h_rx_ground_m);
    return {hst_m, hsr_m, hstd, hsrd, hts_m - hstd, hrs_m - hsrd};  // eqs (38)–(39)
}

SmoothEarth smooth_earth(ProfileView p, double hts_m, double hrs_m) noexcept {
    assert(p.d_km.size() == p.h_m.size() && p.d_km.size() >= 2);
    const std::size_t n = p.d_km.size();
    SmoothEarthSums sums;
    for (std::size_t i = 1; i < n; ++i) {
        sums.add_segment(p.d_km[i - 1], p.h_m[i - 1], p.d_km[i], p.h_m[i]);
    }
    const double d = p.d_km[n - 1];
    return smooth_earth_from_terms(sums.hst_m(d), sums.hsr_m(d), obstruction_terms(p, hts_m, hrs_m),
                                   p.h_m[0], p.h_m[n - 1], hts_m, hrs_m);
}

// --- Spherical earth -----------------------------------------------------------------------------

double first_term_diffraction_db(double d_km, double hte_m, double hre_m, double adft_km,
                                 double freq_ghz, Polarisation pol, double omega) noexcept {
    // Eq (29): Ldft = ω Ldft(sea) + (1 − ω) Ldft(land); skip a ground that has no weight.
    double l = 0.0;
    if (omega < 1.0) {
        l += (1.0 - omega) *
             first_term_one_ground_db(kLand, d_km, hte_m, hre_m, adft_km, freq_ghz, pol);
    }
    if (omega > 0.0) {
        l += omega * first_term_one_ground_db(kSea, d_km, hte_m, hre_m, adft_km, freq_ghz, pol);
    }
    return l;
}

double spherical_earth_diffraction_db(double d_km, double hte_m, double hre_m, double ae_km,
                                      double freq_ghz, Polarisation pol, double omega) noexcept {
    const double dlos =
        std::sqrt(2.0 * ae_km) * (std::sqrt(0.001 * hte_m) + std::sqrt(0.001 * hre_m));  // eq (23)
    if (d_km >= dlos) {
        return first_term_diffraction_db(d_km, hte_m, hre_m, ae_km, freq_ghz, pol, omega);
    }

    const SmoothClearance sc = smooth_clearance(d_km, hte_m, hre_m, ae_km);
    const double hreq =
        17.456 * std::sqrt(sc.dse1_km * sc.dse2_km * wavelength_m(freq_ghz) / d_km);  // eq (26)
    if (sc.hse_m > hreq) return 0.0;
    // Modified earth radius that makes the path just grazing, eq (27), then scale down by the
    // clearance already available, eq (28). A negative Ldft counts as no loss.
    const double root_sum = std::sqrt(hte_m) + std::sqrt(hre_m);
    const double aem = 500.0 * (d_km / root_sum) * (d_km / root_sum);
    const double ldft = first_term_diffraction_db(d_km, hte_m, hre_m, aem, freq_ghz, pol, omega);
    if (ldft < 0.0) return 0.0;
    return (1.0 - sc.hse_m / hreq) * ldft;
}

// --- Delta-Bullington ----------------------------------------------------------------------------

double delta_bullington_combine_db(double lbulla_db, double lbulls_db, double ldsph_db) noexcept {
    return lbulla_db + std::max(ldsph_db - lbulls_db, 0.0);  // eq (40)
}

DeltaBullington delta_bullington(ProfileView p, double hts_m, double hrs_m, const SmoothEarth& se,
                                 double freq_ghz, double ae_km, Polarisation pol,
                                 double omega) noexcept {
    assert(p.d_km.size() == p.h_m.size() && p.d_km.size() >= 2);
    const std::size_t n = p.d_km.size();
    const double d = p.d_km[n - 1];
    const double lambda = wavelength_m(freq_ghz);
    const double ce = 1.0 / ae_km;

    // Step 1: the actual profile and antenna heights.
    const double lbulla = bullington_loss_db(p, hts_m, hrs_m, freq_ghz, ae_km);

    // Step 2: the same distances with every height zero and antenna heights hte, hre (eq (38)).
    const BullingtonTerms s = terms_over(
        p.d_km, [](std::size_t) { return 0.0; }, se.hte_m, se.hre_m, lambda, ce);
    const double lbulls = bullington_from_terms(s.stim_m_per_km, s.srim_m_per_km, s.str_m_per_km,
                                                s.numax, d, se.hte_m, se.hre_m, lambda, ce);

    // Step 3: spherical earth over the path length with the same heights (eq (39)).
    const double ldsph =
        spherical_earth_diffraction_db(d, se.hte_m, se.hre_m, ae_km, freq_ghz, pol, omega);

    return {lbulla, lbulls, ldsph, delta_bullington_combine_db(lbulla, lbulls, ldsph)};
}

double delta_bullington_loss_db(ProfileView p, double h_tx_agl_m, double h_rx_agl_m,
                                double freq_ghz, double k_factor, Polarisation pol,
                                double omega) noexcept {
    const double hts = p.h_m.front() + h_tx_agl_m;
    const double hrs = p.h_m.back() + h_rx_agl_m;
    const SmoothEarth se = smooth_earth(p, hts, hrs);
    return delta_bullington(p, hts, hrs, se, freq_ghz, effective_earth_radius_km(k_factor), pol,
                            omega)
        .ld_db;
}

}  // namespace phusong::radio
