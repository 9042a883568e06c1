#pragma once
/// The Irregular Terrain Model (Longley-Rice), with the semantics of NTIA/ITS ITM v1.4.
///
/// Point-to-point mode (a terrain profile in) and area mode (distance and terrain irregularity
/// Δh in); both return the basic transmission loss with time / location / situation variability.
/// Pure functions: no I/O, standard library only, no allocation on the point-to-point path.
///
/// References (cited in the code as):
///   [TN101]  Rice, Longley, Norton, Barsis, "Transmission loss predictions for tropospheric
///            communication circuits", NBS Technical Note 101 (1967).
///   [ERL79]  Longley & Rice, "Prediction of tropospheric radio transmission loss over irregular
///            terrain: a computer method", ESSA Tech. Rep. ERL 79-ITS 67 (1968).
///   [Alg]    Hufford, "The ITS Irregular Terrain Model, version 1.2.2: the algorithm" (1995).
///   [Guide]  Hufford, Longley, Kissick, "A guide to the use of the ITS Irregular Terrain Model
///            in the area prediction mode", NTIA Report 82-100 (1982).
///   [V1.4]   NTIA/ITS ITM v1.4 documentation (github.com/NTIA/itm): input ranges, warning bits,
///            the P2P refractivity scaling and the mdvar codes.
/// Validated against tests/reference/itm (tests/radio/test_itm.cpp).

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace phusong::radio::itm {

/// Radio climate [Alg §5, Table 5.1]; the numeric values are ITM's codes.
enum class Climate : int {
    equatorial = 1,
    continental_subtropical = 2,
    maritime_subtropical = 3,
    desert = 4,
    continental_temperate = 5,
    maritime_temperate_land = 6,
    maritime_temperate_sea = 7,
};

/// Antenna polarisation; the numeric values are ITM's codes.
enum class Polarisation : int { horizontal = 0, vertical = 1 };

/// Mode of variability [Guide]: how time, location and situation variability combine.
enum class VariabilityMode : int {
    single_message = 0,  ///< time, location and situation folded into one confidence
    accidental = 1,      ///< location folded into situation; time is "reliability"
    mobile = 2,          ///< location tied to time: the `location_pct` input is ignored
    broadcast = 3,       ///< time and location kept apart
};

/// ITM's `mdvar`: a VariabilityMode plus the v1.4 flags (+10 drops location variability,
/// +20 drops direct situation variability, as for interference studies [Guide]).
struct Mdvar {
    VariabilityMode mode = VariabilityMode::broadcast;
    bool drop_location = false;   ///< the +10 flag
    bool drop_situation = false;  ///< the +20 flag

    /// From ITM's integer code (0..3, 10..13, 20..23, 30..33); throws std::invalid_argument.
    [[nodiscard]] static Mdvar from_code(int code);
    /// ITM's integer code.
    [[nodiscard]] int code() const noexcept;
};

/// Siting criteria of a terminal in area mode [Guide; Alg Eqn 3.2].
enum class SitingCriteria : int { random = 0, careful = 1, very_careful = 2 };

/// ITM's "mode of propagation": the region of the reference-attenuation curve the distance falls
/// in. `line_of_sight` means d < d_sML (smooth-earth horizon distance of the *effective* heights),
/// not geometric line of sight [V1.4].
enum class PropagationMode : int {
    not_set = 0,
    line_of_sight = 1,
    diffraction = 2,
    troposcatter = 3
};

/// Warning bits of `Result::warnings`; same values as ITM v1.4 (its Warnings.h).
namespace warning {
inline constexpr std::uint32_t tx_terminal_height = 0x0001;         ///< h_tx outside 1..1000 m
inline constexpr std::uint32_t rx_terminal_height = 0x0002;         ///< h_rx outside 1..1000 m
inline constexpr std::uint32_t frequency = 0x0004;                  ///< f outside 40..10000 MHz
inline constexpr std::uint32_t path_distance_too_big_1 = 0x0008;    ///< d > 1000 km
inline constexpr std::uint32_t path_distance_too_big_2 = 0x0010;    ///< d > 2000 km
inline constexpr std::uint32_t path_distance_too_small_1 = 0x0020;  ///< d < |h_e,tx − h_e,rx| / 0.2
inline constexpr std::uint32_t path_distance_too_small_2 = 0x0040;  ///< d < 1 km
inline constexpr std::uint32_t tx_horizon_angle = 0x0080;           ///< |θ_hzn,tx| > 0.2 rad
inline constexpr std::uint32_t rx_horizon_angle = 0x0100;           ///< |θ_hzn,rx| > 0.2 rad
inline constexpr std::uint32_t tx_horizon_distance_1 = 0x0200;      ///< d_hzn,tx < 0.1 d_Ls,tx
inline constexpr std::uint32_t rx_horizon_distance_1 = 0x0400;      ///< d_hzn,rx < 0.1 d_Ls,rx
inline constexpr std::uint32_t tx_horizon_distance_2 = 0x0800;      ///< d_hzn,tx > 3 d_Ls,tx
inline constexpr std::uint32_t rx_horizon_distance_2 = 0x1000;      ///< d_hzn,rx > 3 d_Ls,rx
inline constexpr std::uint32_t extreme_variabilities = 0x2000;  ///< a standard normal deviate > 3.1
inline constexpr std::uint32_t surface_refractivity = 0x4000;   ///< N_s < 250 N-units
}  // namespace warning

/// ITM v1.4's hard limits on the inputs a scenario sets (`validate` enforces them; the scenario's
/// option table states them): surface refractivity, N-units, and ground relative permittivity.
inline constexpr double kMinN0 = 250.0;
inline constexpr double kMaxN0 = 400.0;
inline constexpr double kMinEpsilon = 1.0;

/// Inputs common to both modes. The defaults are ITM's customary ones (continental temperate,
/// N_0 = 301, average ground ε = 15 and σ = 0.005 S/m [Guide]), vertical polarisation and
/// median quantiles; a scenario is expected to set the climate and band it needs.
struct Params {
    double freq_mhz = 1800.0;  ///< carrier, MHz; valid 20..20000 (warning outside 40..10000)
    double h_tx_m = 30.0;      ///< TX antenna height above ground, m; valid 0.5..3000
    double h_rx_m = 1.5;       ///< RX antenna height above ground, m; valid 0.5..3000
    Climate climate = Climate::continental_temperate;
    /// Surface refractivity reduced to sea level, N-units; valid 250..400. In P2P mode it is
    /// scaled to the mean path elevation (N_s = N_0·exp(−h_sys/9460) [TN101 Eqn 4.3]); in area
    /// mode it is used as N_s directly.
    double n0 = 301.0;
    Polarisation pol = Polarisation::vertical;
    double epsilon = 15.0;         ///< relative permittivity of the ground, ≥ 1
    double sigma_s_per_m = 0.005;  ///< ground conductivity, S/m, > 0
    Mdvar mdvar{};
    double time_pct = 50.0;       ///< time quantile, % (open interval 0..100)
    double location_pct = 50.0;   ///< location quantile, % (ignored in mobile mode)
    double situation_pct = 50.0;  ///< situation quantile (confidence), % (open interval 0..100)
};

/// Sets the quantiles the way ITM's `_CR` entry points do: time = reliability, location = 50,
/// situation = confidence [V1.4].
void set_confidence_reliability(Params& params, double confidence_pct, double reliability_pct);

/// Problems with `params` (one message each, with the valid range); empty when the inputs are
/// within ITM v1.4's hard limits. `p2p` and `area` throw std::invalid_argument carrying all of
/// these at once.
[[nodiscard]] std::vector<std::string> validate(const Params& params);

/// Loss and the intermediate values of ITM v1.4's IntermediateValues struct.
/// Index 0 of each pair is the TX terminal, index 1 the RX terminal.
struct Result {
    double loss_db = 0.0;             ///< basic transmission loss at the requested quantiles, dB
    std::uint32_t warnings = 0;       ///< bit mask of `warning::*`
    double free_space_loss_db = 0.0;  ///< A_fs = 32.45 + 20 log f[MHz] + 20 log d[km], dB
    double reference_attenuation_db = 0.0;       ///< A_ref, median loss relative to free space, dB
    double distance_m = 0.0;                     ///< path length, m
    std::array<double, 2> horizon_angle_rad{};   ///< θ_hzn, radians (negative: below horizontal)
    std::array<double, 2> horizon_distance_m{};  ///< d_hzn, m
    std::array<double, 2> effective_height_m{};  ///< h_e, m
    double surface_refractivity_n = 0.0;         ///< N_s, N-units
    double delta_h_m = 0.0;                      ///< terrain irregularity Δh, m
    PropagationMode mode = PropagationMode::not_set;
};

/// The part of a point-to-point prediction that depends only on the profile, the antenna heights
/// and N_0 — not on frequency, polarisation, ground constants, climate or variability
/// (ITM's QuickPfl [Alg §3, "qlrpfl"]). Build it once with `analyse_profile` and reuse it for
/// several bands or quantiles on the same path.
struct PathGeometry {
    double distance_m = 0.0;                     ///< n_intervals · spacing, m
    double h_sys_m = 0.0;                        ///< mean path elevation (middle 80 %), m
    double n0 = 0.0;                             ///< the N_0 it was built with
    double surface_refractivity_n = 0.0;         ///< N_s, N-units
    double gamma_e_per_m = 0.0;                  ///< effective earth curvature, 1/m
    std::array<double, 2> h_m{};                 ///< structural heights (TX, RX), m
    std::array<double, 2> horizon_angle_rad{};   ///< θ_hzn, rad
    std::array<double, 2> horizon_distance_m{};  ///< d_hzn, m
    std::array<double, 2> effective_height_m{};  ///< h_e, m
    double delta_h_m = 0.0;                      ///< Δh, m
};

/// Terrain analysis of a profile. `elevations_m`: n+1 ground elevations above mean sea level at
/// uniform `spacing_m` (ITM's pfl: n intervals), the TX at index 0 and the RX at index n.
/// Throws std::invalid_argument on fewer than 2 points, a non-positive spacing or non-finite
/// values.
[[nodiscard]] PathGeometry analyse_profile(std::span<const double> elevations_m, double spacing_m,
                                           double h_tx_m, double h_rx_m, double n0);

/// Point-to-point prediction (ITM v1.4 `ITM_P2P_TLS_Ex`). Profile as in `analyse_profile`.
/// Throws std::invalid_argument (every input problem at once) and std::domain_error where the
/// model is not defined (N_s or the effective earth radius out of range, ground impedance).
[[nodiscard]] Result p2p(std::span<const double> elevations_m, double spacing_m,
                         const Params& params);

/// Point-to-point prediction on a prepared geometry. `params.h_tx_m`, `h_rx_m` and `n0` must be
/// those the geometry was built with (std::invalid_argument otherwise). Each thread keeps the
/// last few (8) Params that passed validation with the terms that depend on them alone (ground
/// impedance, quantile deviates, frequency factors), so repeated calls with the same Params
/// (the area sweep: a source's bands in turn) skip those; results are the same either way.
[[nodiscard]] Result p2p(const PathGeometry& geometry, const Params& params);

/// Area-mode path description [Guide].
struct AreaPath {
    double distance_m = 0.0;  ///< great-circle path length, m, > 0
    double delta_h_m = 90.0;  ///< terrain irregularity Δh, m, ≥ 0 (90 m: "rolling plains")
    SitingCriteria tx_siting = SitingCriteria::careful;
    SitingCriteria rx_siting = SitingCriteria::random;
};

/// Area-mode prediction (ITM v1.4 `ITM_AREA_TLS_Ex`): effective heights, horizons and horizon
/// angles estimated from Δh and the siting criteria [Alg Eqns 3.2–3.4]. Throws as `p2p`.
[[nodiscard]] Result area(const AreaPath& path, const Params& params);

namespace detail {
/// Inverse of the complementary standard normal CDF, Q⁻¹(q) for 0 < q < 1, by Abramowitz &
/// Stegun 26.2.23 (|error| < 4.5e-4), as ITM uses it.
[[nodiscard]] double inverse_ccdf(double q);

// The profile helpers of `analyse_profile` that belong to the model, shared with the
// incremental RayProfile (itm_ray.hpp) so that both compute the same numbers bit for bit (the
// terrain statistics, zlsq1 and Δh, are in detail/itm_terrain.hpp). No input checks.

/// N_s = N_0·exp(−h_sys/9460), N_0 itself at h_sys = 0 [TN101 Eqn 4.3; V1.4].
[[nodiscard]] double surface_refractivity(double n0, double h_sys_m);
/// Effective earth curvature γ_e = γ_a·(1 − 0.04665·exp(N_s/179.3)), 1/m [TN101 Eqn 4.4].
[[nodiscard]] double effective_curvature(double n_s);

/// d_L = sqrt(2·h_e·a_e)·exp(−0.07·sqrt(Δh / max(h_e, 5 m))), m [Alg Eqn 3.3].
[[nodiscard]] double rough_horizon_distance(double h_e_m, double a_e_m, double delta_h_m);
/// θ = (0.65·Δh·(d_Ls/d_L − 1) − 2·h_e)/d_Ls, rad [Alg Eqn 3.4].
[[nodiscard]] double rough_horizon_angle(double h_e_m, double a_e_m, double delta_h_m,
                                         double d_hzn_m);
}  // namespace detail

}  // namespace phusong::radio::itm
