#pragma once
/// Terrain diffraction over a path profile: the Bullington and "delta-Bullington" method of
/// ITU-R P.526-15 §4.5, in the form ITU-R P.452-17 §4.2 and ITU-R P.1812 §4.3 give it, with the
/// earth's curvature taken into account through an effective earth radius (k = 4/3 by default).
///
/// Pure functions: no I/O, no allocation, no exceptions. "eq (n)" is an equation of P.452, numbered
/// as in P.452-16/-17 (§4.2: eqs (14)–(40); Attachment 2 §5.1.6: eqs (161)–(167)); the P.1812
/// equivalents are §4.3.1–4.3.4 and Attachment 1 §5.6, and P.1812-6 Attachment 4 for the
/// profile-free smooth-path Bullington loss.
///
/// Heights are metres above mean sea level unless the name says `agl` (above ground level);
/// distances are kilometres along the great circle from the transmitter (Tx) to the receiver (Rx);
/// frequencies are GHz. All quantities follow the Recommendation's units (slopes in m/km,
/// curvature in 1/km), so the formulas read as printed.
///
/// How the area sweep uses the pieces, per receiver pixel at distance d along a ray:
///  * Lbulla: bullington_from_terms() with stim/srim/str/numax maintained along the ray. In the
///    curvature-corrected heights g_i = h_i − 500·d_i²/ae (m), the slopes of eqs (14) and (18) are
///      stim = max_i (g_i − hts)/d_i + 500·d/ae
///      srim = max_i (g_i − g_r)/(d − d_i) − 500·d/ae,   g_r = hrs − 500·d²/ae,
///    i.e. a running maximum from Tx and a tangent to the upper convex hull of (d_i, g_i) from Rx.
///  * hstd, hsrd: SmoothEarthSums (O(1) per point) and smooth_earth_from_terms(); the obstruction
///    terms of eq (165) are flat-earth (ae → ∞) versions of the same slopes:
///      alpha_obt = max_i (h_i − hts)/d_i − str,  alpha_obr = max_i (h_i − hrs)/(d − d_i) + str,
///      hobs = max_i (h_i − hts − str·d_i).
///  * Lbulls: smooth_path_bullington_loss_db() (P.1812 Attachment 4, closed form).
///  * Ldsph: spherical_earth_diffraction_db(); then delta_bullington_combine_db().
#include <cmath>
#include <cstddef>
#include <span>
#include <vector>

namespace phusong::radio {

/// Polarisation of the radio wave; selects the surface admittance K of P.452-17 eqs (30a)/(30b).
enum class Polarisation { horizontal, vertical };

/// Mean earth radius (km), P.452-17 eq (6a).
inline constexpr double kEarthRadiusKm = 6371.0;

/// The standard-atmosphere effective earth radius factor k (dimensionless).
inline constexpr double kStandardKFactor = 4.0 / 3.0;

/// Terrain profile from transmitter to receiver: d_km[i] distance from Tx (km, d_km[0] = 0,
/// strictly increasing), h_m[i] terrain (or terrain + clutter) height amsl (m). Both spans have
/// the same length, at least 2; the first point is under the Tx, the last under the Rx.
struct ProfileView {
    std::span<const double> d_km;
    std::span<const double> h_m;
};

/// Wavelength (m) of a frequency freq_ghz (GHz) in vacuum, λ = c/f.
double wavelength_m(double freq_ghz) noexcept;

/// Knife-edge diffraction loss J(ν) (dB) for the dimensionless Fresnel-Kirchhoff parameter ν,
/// ITU-R P.526-15 eq (31); 0 for ν ≤ −0.78.
double knife_edge_loss_db(double nu) noexcept;

/// Effective earth radius (km) = 6371 km × k_factor (dimensionless, e.g. 4/3), P.452-17 eq (6a).
double effective_earth_radius_km(double k_factor) noexcept;

// ---------------------------------------------------------------------------------------------
// Bullington (P.452-17 §4.2.1, P.526-15 §4.5.1)

/// The profile maxima the Bullington construction needs (P.452-17 eqs (14)–(18)).
struct BullingtonTerms {
    double stim_m_per_km;  ///< max_i slope from Tx to an interior point, eq (14) (m/km)
    double srim_m_per_km;  ///< max_i slope from Rx to an interior point, eq (18) (m/km)
    double str_m_per_km;   ///< slope of the straight Tx→Rx ray, (hrs − hts)/d, eq (15) (m/km)
    double numax;          ///< max_i diffraction parameter ν over interior points, eq (16) (−)
};

/// Computes BullingtonTerms for a whole profile in one O(n) pass over the interior points
/// (i = 1 … n−2). hts_m, hrs_m: antenna heights amsl (m); lambda_m: wavelength (m);
/// ce_per_km: effective earth curvature 1/ae (1/km). With no interior point every maximum is −∞
/// (an unobstructed path: Lbull = 0).
BullingtonTerms bullington_terms(ProfileView p, double hts_m, double hrs_m, double lambda_m,
                                 double ce_per_km) noexcept;

/// Bullington loss on the actual profile, P.452-17 eqs (14)–(22) (P.526-15 §4.5.1), in dB.
/// hts_m/hrs_m: Tx/Rx antenna heights amsl (m); freq_ghz: frequency (GHz); ae_km: effective earth
/// radius (km). Heights h_m of the profile may include clutter: P.1812 and P.452-18 use
/// g_i = h_i + R_i (representative clutter height R_i), with g_i = h_i at the terminals
/// (P.452-18: within 50 m of either).
double bullington_loss_db(ProfileView p, double hts_m, double hrs_m, double freq_ghz,
                          double ae_km) noexcept;

/// The same from its precomputed terms, for the incremental area sweep which maintains them in
/// O(log n): stim = max_i slope from Tx (m/km, eq 14), srim = max_i slope from Rx (m/km, eq 18),
/// str = (hrs − hts)/d (m/km, eq 15), numax = max_i ν (eq 16) used only in the LOS case
/// (stim < str); srim is used only in the trans-horizon case. d_km: path length (km);
/// hts_m/hrs_m: antenna heights amsl (m); lambda_m: wavelength (m); ce_per_km: 1/ae (1/km) —
/// the bulge 500·Ce·d_i·(d − d_i) already sits inside stim/srim/numax, so eqs (19)–(22) do not use
/// it again; it is accepted so that every per-pixel call takes the same path constants.
/// Returns Lbull (dB), eq (22).
double bullington_from_terms(double stim, double srim, double str, double numax, double d_km,
                             double hts_m, double hrs_m, double lambda_m,
                             double ce_per_km) noexcept;

/// The ν of bullington_from_terms: numax in line of sight (stim < str, eq (17)), else the
/// Bullington point's (eqs (18)–(20)).
double bullington_nu(double stim, double srim, double str, double numax, double d_km, double hts_m,
                     double hrs_m, double lambda_m) noexcept;

/// bullington_nu divided by √(0.002·d/λ), the one factor that depends on the frequency (eqs (16)
/// and (20) are clearance·√(0.002·d/(λ·d_i·(d − d_i)))), so that a receiver's ν for several
/// frequencies costs one geometry: `cmax` is the line-of-sight maximum of
/// clearance_i/√(d_i·(d − d_i)), used when stim < str; otherwise the Bullington point's
/// clearance/√(d_bp·(d − d_bp)), eqs (19)–(20); 0 where there is no Bullington point between
/// the ends. Inline and written with selections, not branches, so that a loop over receivers
/// vectorises (the area sweep's); every value is that of the formulas as written.
inline double bullington_nu_per_root(double stim, double srim, double str, double cmax, double d_km, double hts_m,
                                     double hrs_m) noexcept {
    // As bullington_point_nu, without the wavelength.
    const double denom = stim + srim;
    const double dbp = (hrs_m - hts_m + srim * d_km) / denom;  // eq (19)
    const double clearance = hts_m + stim * dbp - (hts_m * (d_km - dbp) + hrs_m * dbp) / d_km;
    const double nu = clearance / std::sqrt(dbp * (d_km - dbp));  // eq (20) less √(0.002·d/λ)
    const bool point = (denom > 0.0) & (dbp > 0.0) & (dbp < d_km);
    return stim < str ? cmax : (point ? nu : 0.0);  // eq (17)
}

/// Eq (22)'s Bullington loss as a function of ν without log or exp per call: J(ν) of eq (31)
/// and 1 − exp(−J/6) tabulated every 1/128 in ν over [−0.78, 64], interpolated linearly (within
/// 1e-3 dB of the formulas: tests/radio/test_diffraction.cpp), the formulas beyond. For the
/// area sweep's per-pixel evaluation.
class BullingtonTable {
public:
    /// The one table (built on first use, thread-safe).
    static const BullingtonTable& instance();
    /// Lbull (dB) of eq (22) for the diffraction parameter ν on a path of d_km.
    [[nodiscard]] double total_db(double nu, double d_km) const noexcept {
        if (nu <= kNuMin) return 0.0;
        const double x = (nu - kNuMin) * kPerUnit;
        const auto i = static_cast<std::size_t>(x);
        if (i + 1 >= m_j.size()) return bullington_total_exact(nu, d_km);
        const double w = x - static_cast<double>(i);
        const double j = m_j[i] + w * (m_j[i + 1] - m_j[i]);
        const double g = m_g[i] + w * (m_g[i + 1] - m_g[i]);
        return j + g * (10.0 + 0.02 * d_km);
    }

private:
    static constexpr double kNuMin = -0.78;
    static constexpr double kPerUnit = 128.0;
    static constexpr double kNuMax = 64.0;
    BullingtonTable();
    static double bullington_total_exact(double nu, double d_km) noexcept;
    std::vector<double> m_j;  ///< J(ν_i), dB
    std::vector<double> m_g;  ///< 1 − exp(−J(ν_i)/6)
};

/// Bullington loss (dB) of a smooth path (all profile heights zero) without profile analysis,
/// ITU-R P.1812-6 Attachment 4 eqs (105)–(112): the maxima of eqs (14)/(18) over a continuous
/// curved earth in closed form. O(1): what the area sweep uses for Lbulls. d_km: path length (km);
/// hte_m/hre_m: Tx/Rx heights above the smooth surface (m, > 0); lambda_m: wavelength (m);
/// ae_km: effective earth radius (km). Agrees with bullington_loss_db() on a zero-height profile
/// up to the profile's sampling (beyond the horizon the sampled maximum can only be lower; at
/// 100 m spacing the two differ by < 0.001 dB, on a handful of points by up to a few dB).
double smooth_path_bullington_loss_db(double d_km, double hte_m, double hre_m, double lambda_m,
                                      double ae_km) noexcept;

// ---------------------------------------------------------------------------------------------
// Smooth-earth surface (P.452-17 Attachment 2 §5.1.6.2–5.1.6.3, P.1812 Attachment 1 §5.6)

/// Running sums v1, v2 of the least-squares straight line through the profile, P.452-17
/// eqs (161)–(162). Add the profile's segments in order, starting at the Tx point; after adding the
/// segment that ends at d_km, hst_m(d_km)/hsr_m(d_km) give the surface heights for a receiver
/// there. O(1) per point, no allocation: the sweep keeps one per ray.
struct SmoothEarthSums {
    /// Σ (d_i − d_{i−1})(h_i + h_{i−1}), eq (161) (m·km).
    double v1 = 0.0;
    /// Σ (d_i − d_{i−1})[h_i(2d_i + d_{i−1}) + h_{i−1}(d_i + 2d_{i−1})], eq (162) (m·km²).
    double v2 = 0.0;

    /// Adds the segment from (d0_km, h0_m) to (d1_km, h1_m) (km, m amsl), d1_km > d0_km.
    void add_segment(double d0_km, double h0_m, double d1_km, double h1_m) noexcept;
    /// Smooth-surface height amsl at the Tx (m), eq (163), for a path of length d_km (km).
    [[nodiscard]] double hst_m(double d_km) const noexcept;
    /// Smooth-surface height amsl at the Rx (m), eq (164), for a path of length d_km (km).
    [[nodiscard]] double hsr_m(double d_km) const noexcept;
};

/// Profile maxima of P.452-17 eqs (165a)–(165c) over the interior points, with
/// H_i = h_i − [hts(d − d_i) + hrs·d_i]/d, eq (165d).
struct ObstructionTerms {
    double hobs_m;     ///< max_i H_i, the greatest obstruction height above the Tx→Rx ray (m)
    double alpha_obt;  ///< max_i H_i/d_i (m/km)
    double alpha_obr;  ///< max_i H_i/(d − d_i) (m/km)
};

/// ObstructionTerms for a whole profile, O(n). hts_m/hrs_m: antenna heights amsl (m).
/// With no interior point every maximum is −∞ (no obstruction).
ObstructionTerms obstruction_terms(ProfileView p, double hts_m, double hrs_m) noexcept;

/// Smooth-earth heights of a path and the effective antenna heights the delta-Bullington method
/// uses (P.452-17 §4.2.3 eqs (38)–(39)). All heights in m.
struct SmoothEarth {
    double hst_m;   ///< least-squares surface height amsl at the Tx, eq (163) (not clamped)
    double hsr_m;   ///< least-squares surface height amsl at the Rx, eq (164) (not clamped)
    double hstd_m;  ///< surface height amsl at the Tx for the diffraction model, eq (167a/b)
    double hsrd_m;  ///< surface height amsl at the Rx for the diffraction model, eq (167c/d)
    double hte_m;   ///< hts − hstd: Tx height above the smooth surface, eqs (38a)/(39a)
    double hre_m;   ///< hrs − hsrd: Rx height above the smooth surface, eqs (38b)/(39b)
};

/// SmoothEarth from its terms (eqs (166)–(167), (38)–(39)), O(1) for the sweep.
/// hst_m/hsr_m: eqs (163)–(164) (m amsl); obs: eq (165) terms; h_tx_ground_m/h_rx_ground_m: terrain
/// height amsl under the Tx/Rx, h_1 and h_n (m); hts_m/hrs_m: antenna heights amsl (m).
SmoothEarth smooth_earth_from_terms(double hst_m, double hsr_m, const ObstructionTerms& obs,
                                    double h_tx_ground_m, double h_rx_ground_m, double hts_m,
                                    double hrs_m) noexcept;

/// SmoothEarth of a whole profile (terrain heights, without clutter, as P.452 and P.1812 both
/// specify), O(n). hts_m/hrs_m: antenna heights amsl (m).
SmoothEarth smooth_earth(ProfileView p, double hts_m, double hrs_m) noexcept;

// ---------------------------------------------------------------------------------------------
// Spherical earth (P.452-17 §4.2.2)

/// First-term spherical-earth diffraction loss Ldft (dB), P.452-17 §4.2.2.1 eqs (29)–(36), mixing
/// land (εr = 22, σ = 0.003 S/m) and sea (εr = 80, σ = 5 S/m) by omega, the fraction (0…1) of
/// the path over sea. d_km: path length (km); hte_m/hre_m: heights above the smooth surface (m);
/// adft_km: effective earth radius to use (km); freq_ghz: frequency (GHz). May be negative.
double first_term_diffraction_db(double d_km, double hte_m, double hre_m, double adft_km,
                                 double freq_ghz, Polarisation pol, double omega = 0.0) noexcept;

/// Spherical-earth diffraction loss Ldsph (dB), P.452-17 §4.2.2 eqs (23)–(28): d_km path length
/// (km, > 0); hte_m/hre_m Tx/Rx heights above the smooth surface (m, > 0); ae_km effective earth
/// radius (km); freq_ghz (GHz); pol polarisation; omega fraction (0…1) of the path over sea.
/// O(1), no allocation: the sweep calls it per pixel.
double spherical_earth_diffraction_db(double d_km, double hte_m, double hre_m, double ae_km,
                                      double freq_ghz, Polarisation pol,
                                      double omega = 0.0) noexcept;

// ---------------------------------------------------------------------------------------------
// Delta-Bullington (P.452-17 §4.2.3, P.526-15 §4.5.4)

/// The three losses of the delta-Bullington method and their combination, all in dB.
struct DeltaBullington {
    double lbulla_db;  ///< Bullington loss on the actual profile and antenna heights (step 1)
    double lbulls_db;  ///< Bullington loss on a zero-height profile, heights hte/hre (step 2)
    double ldsph_db;   ///< spherical-earth loss for hte/hre over the path length (step 3)
    double ld_db;      ///< Ld = Lbulla + max(Ldsph − Lbulls, 0), eq (40)
};

/// Eq (40): Ld = Lbulla + max(Ldsph − Lbulls, 0) (all dB).
double delta_bullington_combine_db(double lbulla_db, double lbulls_db, double ldsph_db) noexcept;

/// Delta-Bullington from a profile and precomputed smooth-earth heights. p: the profile used for
/// Lbulla (P.452: terrain; P.1812: terrain + representative clutter except at the two ends);
/// hts_m/hrs_m: antenna heights amsl (m); se: smooth-earth heights (from the terrain, see
/// smooth_earth()); freq_ghz (GHz); ae_km effective earth radius (km) — ae for the median, aβ for
/// β0 % of time; pol polarisation; omega fraction of the path over sea (0…1). Lbulls is computed
/// on the profile's own distances, as the Recommendation does. O(n).
DeltaBullington delta_bullington(ProfileView p, double hts_m, double hrs_m, const SmoothEarth& se,
                                 double freq_ghz, double ae_km, Polarisation pol,
                                 double omega = 0.0) noexcept;

/// Delta-Bullington diffraction loss Ld (dB), P.452-17 §4.2.3 eq (40), at p = 50 % of time (the
/// effective earth radius from k_factor), for a whole terrain profile. h_tx_agl_m/h_rx_agl_m:
/// antenna heights above the ground at either end (m); freq_ghz (GHz); k_factor effective earth
/// radius factor (−, 4/3 for the standard atmosphere); pol polarisation; omega fraction of the
/// path over sea (0…1). O(n).
double delta_bullington_loss_db(ProfileView p, double h_tx_agl_m, double h_rx_agl_m,
                                double freq_ghz, double k_factor, Polarisation pol,
                                double omega = 0.0) noexcept;

}  // namespace phusong::radio
