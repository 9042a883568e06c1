#pragma once
/// Closed-form and empirical median path-loss models (basic transmission loss, dB): free space,
/// Okumura-Hata, COST-231 Hata, 3GPP TR 38.901 RMa/UMa/UMi-Street-Canyon, Atoll-style SPM, plus
/// Ericsson 9999, ECC-33 and SUI for comparison with Signal-Server users' maps.
///
/// Pure functions: no I/O, no allocation, no exceptions. Every formula is checked against
/// tests/reference/closed_form (tests/radio/test_pathloss.cpp). log = log10 everywhere.
///
/// Two layers:
///  * the named model functions (`okumura_hata_db`, `tr38901_los_db`, ...) evaluate the published
///    formula exactly as written, at any input where it is defined — no clamping, no floor — so
///    they can be compared with the reference tables;
///  * `path_loss_db` is what the area sweep calls per pixel: it guards the inputs (see its
///  comment),
///    adds terrain diffraction and clutter, and never returns NaN/inf for finite inputs.

#include <array>
#include <optional>
#include <string_view>
#include <utility>

#include "phusong/radio/itm.hpp"

namespace phusong::radio {

// ---------------------------------------------------------------------------------------------
// Free space
// ---------------------------------------------------------------------------------------------

/// Speed of light used for free space, m/s (exact SI value).
inline constexpr double kSpeedOfLight_m_per_s = 299'792'458.0;

/// Free-space basic transmission loss, dB. ITU-R P.525-4 §2.2 eq. (4) (Friis):
/// L = 20 log(4π d f / c) with c = 299 792 458 m/s, i.e. 32.4478 + 20 log f[MHz] + 20 log d[km]
/// (P.525 rounds the constant to 32.4, Signal-Server uses 32.44). distance_m > 0, freq_mhz > 0.
double free_space_loss_db(double distance_m, double freq_mhz);

// ---------------------------------------------------------------------------------------------
// Okumura-Hata and COST-231 Hata
// ---------------------------------------------------------------------------------------------

/// Environment classes of Okumura-Hata. Also selects the a(h_m) variant of COST-231 (urban_large →
/// large-city a(h_m)) when a model is chosen through `ModelConfig`.
enum class HataEnvironment { urban_large, urban_small_medium, suburban, open };

/// Mobile antenna height correction a(h_m), dB. Hata (1980) eq. (4a)-(4c); ITU-R P.529-3 Annex 1
/// §1.1. Small/medium city: (1.1 log f − 0.7) h_m − (1.56 log f − 0.8). Large city: 8.29 (log 1.54
/// h_m)² − 1.1 for f ≤ 200 MHz; 3.2 (log 11.75 h_m)² − 4.97 above. (Hata states the large-city form
/// for f ≥ 400 MHz; 200–400 MHz uses the upper form, like ns-3.)
double hata_mobile_height_correction_db(double freq_mhz, double h_mobile_m, bool large_city);

/// Okumura-Hata median loss, dB. Hata, IEEE T-VT 29(3) 1980, eq. (4) urban, (5) suburban, (6) open;
/// also ITU-R P.529-3 Annex 1 §1.1 and COST 231 Final Report §4.4.1:
///   L_u  = 69.55 + 26.16 log f − 13.82 log h_b − a(h_m) + (44.9 − 6.55 log h_b) log d
///   L_su = L_u − 2 [log(f/28)]² − 5.4
///   L_o  = L_u − 4.78 (log f)² + 18.33 log f − 40.94
/// Suburban and open use L_u with the small/medium-city a(h_m) (unlike Signal-Server, which uses
/// the large-city one). Units: d km, f MHz, heights m. Valid 150–1500 MHz, d 1–20 km, h_b 30–200 m,
/// h_m 1–10 m (`validity(ModelKind::okumura_hata)`); evaluated as written outside that range.
double okumura_hata_db(double distance_km, double freq_mhz, double h_base_m, double h_mobile_m,
                       HataEnvironment env);

/// COST-231 Hata median loss, dB. COST 231 Final Report (Damosso ed., 1999) §4.4.1 eq. (4.4.3):
///   L = 46.3 + 33.9 log f − 13.82 log h_b − a(h_m) + (44.9 − 6.55 log h_b) log d + C_m
/// C_m = 3 dB when `metropolitan` (metropolitan centres), else 0 (medium cities, suburban centres).
/// a(h_m) is Hata's: large-city form when `large_city_ahm`, else small/medium-city form.
/// Units: d km, f MHz, heights m. Valid 1500–2000 MHz, d 1–20 km, h_b 30–200 m, h_m 1–10 m.
double cost231_hata_db(double distance_km, double freq_mhz, double h_base_m, double h_mobile_m,
                       bool metropolitan, bool large_city_ahm);

// ---------------------------------------------------------------------------------------------
// 3GPP TR 38.901 (V17.0.0) §7.4.1 Table 7.4.1-1 (path loss), §7.4.2 Table 7.4.2-1 (LOS probability)
// ---------------------------------------------------------------------------------------------

/// The three outdoor macro/micro scenarios of TR 38.901 implemented here.
enum class Tr38901Scenario { rma, uma, umi_street_canyon };

/// Link inputs of the TR 38.901 formulas. Frequency in GHz as in the spec (fc), distances and
/// heights in metres. d2D is the horizontal distance; d3D = √(d2D² + (h_BS − h_UT)²).
struct Tr38901Link {
    double d2d_m;
    double fc_ghz;
    double h_bs_m;
    double h_ut_m;
    double h_building_m = 5.0;  ///< RMa only: average building height h (spec default 5 m, 5–50 m)
    double street_width_m = 20.0;  ///< RMa only: average street width W (spec default 20 m, 5–50 m)
};

/// LOS median path loss, dB (Table 7.4.1-1, PL_RMa-LOS / PL_UMa-LOS / PL_UMi-LOS).
/// Breakpoint: RMa d_BP = 2π h_BS h_UT fc/c; UMa/UMi d'_BP = 4 h'_BS h'_UT fc/c with h' = h − h_E,
/// h_E = 1 m (UMa: for h_UT ≥ 13 m the spec draws h_E at random; the median used here keeps
/// h_E = 1 m), c = 3.0·10⁸ m/s as the spec states (note 1 of Table 7.4.1-1).
/// PL1 applies for d2D ≤ d_BP, PL2 beyond. No shadow fading.
double tr38901_los_db(Tr38901Scenario scenario, const Tr38901Link& link);

/// NLOS median path loss, dB: max(PL_LOS, PL'_NLOS) (Table 7.4.1-1) — the non-optional NLOS model.
double tr38901_nlos_db(Tr38901Scenario scenario, const Tr38901Link& link);

/// LOS probability for an outdoor user, 0..1 (Table 7.4.2-1). d2d_out_m in metres, h_ut_m used by
/// UMa only (C'(h_UT) = 0 for h_UT ≤ 13 m, ((h_UT − 13)/10)^1.5 for 13 < h_UT ≤ 23 m).
///   RMa: 1 for d ≤ 10 m, else exp(−(d − 10)/1000)
///   UMi: 1 for d ≤ 18 m, else 18/d + exp(−d/36)(1 − 18/d)
///   UMa: 1 for d ≤ 18 m, else [18/d + exp(−d/63)(1 − 18/d)]·(1 +
///   C'(h_UT)·5/4·(d/100)³·exp(−d/150))
double tr38901_los_probability(Tr38901Scenario scenario, double d2d_out_m, double h_ut_m);

// ---------------------------------------------------------------------------------------------
// Other empirical models (comparison with Signal-Server; not selectable through ModelKind)
// ---------------------------------------------------------------------------------------------

enum class EricssonEnvironment { urban, suburban, rural };

/// Ericsson 9999 median loss, dB (Hata extension as published in Abhayawardhana et al., IEEE VTC
/// 2005-Spring §II.E, and Milanović et al., ICECS 2007):
///   L = a0 + a1 log d + a2 log h_b + a3 log h_b log d − 3.2 (log 11.75 h_r)² + g(f),
///   g(f) = 44.49 log f − 4.78 (log f)²; a2 = −12, a3 = 0.1;
///   (a0, a1) = urban (36.2, 30.2), suburban (43.20, 68.93), rural (45.95, 100.6).
/// d km, f MHz, heights m. Stated validity 150–1900 MHz, 1–20 km. The suburban/rural slopes make
/// rural lossier than urban beyond ~1 km: use those sets only if calibrated (closed_form_models.md
/// §5).
double ericsson9999_db(double distance_km, double freq_mhz, double h_base_m, double h_mobile_m,
                       EricssonEnvironment env);

/// ECC-33 median loss, dB (ECC Report 33, 2003; formulas as in Abhayawardhana et al. 2005 §II.D):
///   L = A_fs + A_bm − G_b − G_r, f GHz, d km:
///   A_fs = 92.4 + 20 log d + 20 log f;  A_bm = 20.41 + 9.83 log d + 7.894 log f + 9.56 (log f)²
///   G_b = log(h_b/200)(13.958 + 5.8 (log d)²)
///   G_r = (42.57 + 13.7 log f)(log h_r − 0.585) (medium city) or 0.759 h_r − 1.862 (large city).
/// This function takes f in MHz (converted). Valid ~700–3500 MHz, d 1–10 km, h_b 30–200 m,
/// h_r 1–10 m; medium city at h_r = 1.5 m is ~20 dB lossier than large city (built for rooftop
/// CPE).
double ecc33_db(double distance_km, double freq_mhz, double h_base_m, double h_mobile_m,
                bool large_city);

enum class SuiTerrain { a, b, c };

/// SUI / Erceg median loss, dB, without the shadowing term s (IEEE 802.16.3c-01/29r4 §2.2;
/// Erceg et al., IEEE JSAC 17(7) 1999):
///   L = A + 10 γ log(d/d0) + X_f + X_h for d > d0 = 100 m, A = 20 log(4π d0/λ),
///   γ = a − b h_b + c/h_b;  X_f = 6.0 log(f/2000) (f MHz);
///   X_h = −10.8 log(h_r/2) (terrain A, B), −20.0 log(h_r/2) (terrain C).
///   Terrain A (a, b, c) = (4.6, 0.0075, 12.6); B = (4.0, 0.0065, 17.1); C = (3.6, 0.005, 20).
/// For d ≤ d0 the free-space loss is returned. λ = c/f with c = 299 792 458 m/s.
/// d km, f MHz, heights m. Valid ~1.9–11 GHz, d 0.1–8 km, h_b 10–80 m, h_r 2–10 m.
double sui_db(double distance_km, double freq_mhz, double h_base_m, double h_mobile_m,
              SuiTerrain terrain);

// ---------------------------------------------------------------------------------------------
// Atoll-style Standard Propagation Model (SPM)
// ---------------------------------------------------------------------------------------------

/// SPM coefficients. The SPM path loss (Forsk, "Atoll SPM calibration guide", 2004, §3.2.1; Atoll
/// Technical Reference Guide, "Standard Propagation Model") is, with d and heights in METRES:
///   L = K1 + K2 log d + K3 log Heff_tx + K4·L_diff + K5 log d · log Heff_tx
///       + K6 Heff_rx + K7 log Heff_rx + Kclutter·f(clutter)
/// (Atoll's optional hilly-terrain LOS correction K_hill is not implemented.)
///
/// Defaults: a typical 1800 MHz (GSM/LTE 1800) starting calibration:
///  * K2 = 44.9, K3 = 5.83, K5 = −6.55 are Hata's distance/height terms re-expressed with d in
///    metres (Atoll calibration guide: K2 = B1, K3 = A3 − 3 B2, K5 = B2 with B1 = 44.9,
///    A3 = −13.82, B2 = −6.55);
///  * K1 = 22.0 is Atoll's typical value for 1805 MHz; it equals K1 = A1 + A2 log f − 3 B1 of
///    COST-231 Hata (46.3 + 33.9 log 1805 − 134.7 = 21.995);
///  * K6 = K7 = 0 (Atoll typical; a(h_m) ≈ 0 at h_m = 1.5 m), Kclutter = 1 (Atoll default);
///  * K4 = 0.5: Atoll's typical diffraction weight (range 0–0.8 in its sample-values table).
struct SpmCoefficients {
    double k1 = 22.0;
    double k2 = 44.9;
    double k3 = 5.83;
    double k4 = 0.5;
    double k5 = -6.55;
    double k6 = 0.0;
    double k7 = 0.0;
    double k_clutter = 1.0;
};

/// SPM empirical part plus its K4 and Kclutter terms, dB. distance_m, h_tx_eff_m, h_rx_m in metres
/// (all > 0), diffraction and clutter losses in dB. Evaluated as written (no clamping).
double spm_db(const SpmCoefficients& k, double distance_m, double h_tx_eff_m, double h_rx_m,
              double diffraction_loss_db, double clutter_loss_db);

/// The SPM coefficients that reproduce Okumura-Hata (the calibration identity, Atoll calibration
/// guide): with d in metres, log d_km = log d_m − 3, so
///   K1 = 69.55 + 26.16 log f − 3·44.9 + (1.56 log f − 0.8) = −65.95 + 27.72 log f
///   K2 = 44.9, K3 = −13.82 + 3·6.55 = 5.83, K5 = −6.55, K6 = −(1.1 log f − 0.7), K7 = 0,
/// minus the suburban or open correction in K1. Exact for every h_m with the small/medium-city
/// a(h_m). The large-city a(h_m) (quadratic in log h_m) is not of the K6/K7 form: for urban_large
/// it is folded into K1 at `h_mobile_m`, so the identity then holds at that receiver height only.
/// K4 = 1 and Kclutter = 1 so that `path_loss_db` adds diffraction and clutter the same way as for
/// Hata with diffraction_weight = 1.
SpmCoefficients spm_equivalent_of_okumura_hata(double freq_mhz, HataEnvironment env,
                                               double h_mobile_m);

/// Same identity for COST-231 Hata: K1 = 46.3 + 33.9 log f − 134.7 + C_m + (1.56 log f − 0.8)
/// with the small/medium-city a(h_m) in K1/K6; with `large_city_ahm` a(h_m) is folded into K1 at
/// `h_mobile_m` (K6 = 0).
SpmCoefficients spm_equivalent_of_cost231_hata(double freq_mhz, bool metropolitan,
                                               bool large_city_ahm, double h_mobile_m);

// ---------------------------------------------------------------------------------------------
// Per-pixel entry point
// ---------------------------------------------------------------------------------------------

/// Models selectable in a scenario (`to_string` gives the scenario name).
enum class ModelKind {
    free_space,
    okumura_hata,
    cost231_hata,
    tr38901_rma,
    tr38901_uma,
    tr38901_umi,
    spm,
    /// Longley-Rice (radio/itm.hpp) on the terrain profile of each pixel: a terrain model, so the
    /// area sweep calls itm::p2p instead of `path_loss_db` and adds no diffraction term.
    itm
};

/// The scenario name of every model (`to_string`, `model_kind_from_string`).
inline constexpr std::array<std::pair<ModelKind, std::string_view>, 8> kModelNames{{
    {ModelKind::free_space, "free_space"},
    {ModelKind::okumura_hata, "okumura_hata"},
    {ModelKind::cost231_hata, "cost231_hata"},
    {ModelKind::tr38901_rma, "tr38901_rma"},
    {ModelKind::tr38901_uma, "tr38901_uma"},
    {ModelKind::tr38901_umi, "tr38901_umi"},
    {ModelKind::spm, "spm"},
    {ModelKind::itm, "itm"},
}};

/// How TR 38.901 chooses between its LOS and NLOS formulas.
enum class LosMode {
    /// LinkGeometry::terrain_los picks LOS or NLOS (bare-earth LOS from the DEM profile).
    terrain,
    /// Pr_LOS-weighted mean IN dB: L = P·L_LOS + (1 − P)·L_NLOS. Why dB and not linear power:
    /// the map shows a median-like loss per pixel; a linear (expected received power) blend is
    /// dominated by the LOS term even at P ≈ 2 % (UMa, 3.5 GHz, 1 km, P = 0.018: 126.7 dB linear
    /// vs 141.1 dB in dB, against LOS 109.4 / NLOS 141.7 dB), which would paint NLOS streets as
    /// covered.
    probabilistic,
    /// Always the NLOS formula (conservative).
    always_nlos,
};

/// What `path_loss_db` does below a model's minimum distance (`validity(kind).d_min_m`).
enum class ShortRange {
    /// Evaluate the formula at the actual distance (down to 1 m). For the Hata family
    /// (Okumura-Hata, COST-231, SPM) the empirical part is never below free space, as Atoll's
    /// "limitation to free space loss" for Hata-based models. Avoids a constant-loss plateau
    /// inside 1 km of every site, which matters where inter-site distances are below 1 km.
    extrapolate,
    /// Evaluate the formula at the model's minimum distance (flat loss inside it).
    clamp_to_min_distance,
};

/// Model choice and its options for one layer. Defaults: COST-231 Hata, medium city.
struct ModelConfig {
    ModelKind kind = ModelKind::cost231_hata;
    /// Okumura-Hata environment; for COST-231, urban_large selects the large-city a(h_m).
    HataEnvironment environment = HataEnvironment::urban_small_medium;
    bool metropolitan = false;  ///< COST-231 C_m = 3 dB (metropolitan centre) instead of 0
    LosMode los_mode = LosMode::probabilistic;  ///< TR 38.901 only
    ShortRange short_range = ShortRange::extrapolate;
    SpmCoefficients spm{};
    /// Weight of LinkGeometry::diffraction_loss_db for every model but SPM (which uses K4).
    double diffraction_weight = 1.0;
    double rma_h_building_m = 5.0;     ///< TR 38.901 RMa average building height, m (5–50)
    double rma_street_width_m = 20.0;  ///< TR 38.901 RMa average street width, m (5–50)
    /// ITM's climate, refractivity, ground, polarisation and variability (ModelKind::itm); the
    /// frequency and antenna heights in it are ignored: each cell's own are used.
    itm::Params itm{};
};

/// One transmitter-to-pixel link as the sweep sees it.
struct LinkGeometry {
    double distance_m;  ///< horizontal (2D) distance, m
    double freq_mhz;    ///< carrier frequency, MHz
    double h_tx_eff_m;  ///< effective transmitter height, m (AGL or effective-height method)
    double h_rx_m;      ///< receiver height above ground, m
    double diffraction_loss_db = 0;  ///< terrain diffraction loss (P.526 Bullington etc.), dB
    double clutter_loss_db = 0;      ///< clutter loss at the receiver, dB
    bool terrain_los = true;         ///< bare-earth line of sight (LosMode::terrain)
};

/// Total median basic transmission loss, dB: the empirical model, plus diffraction_weight ×
/// diffraction_loss_db (for SPM: K4 × diffraction instead), plus clutter_loss_db (SPM: × Kclutter).
/// This is what the area sweep calls per pixel: no allocation, no exceptions, and for finite
/// inputs the result is finite (NaN inputs propagate). Input guards (the caller is the one that
/// warns about the validity range, using `validity()`):
///  * distance: below the model's minimum distance, see `ModelConfig::short_range`; never < 1 m;
///  * frequency ≥ 1 MHz; heights ≥ 1 m (TR 38.901 UMa/UMi: h_UT ≥ 1.5 m and h_BS ≥ 2 m so that
///    h' = h − h_E > 0 in the breakpoint); above the maximum distance/heights the formula is
///    extrapolated as written.
///  * ITM needs the terrain profile (the sweep calls itm::p2p): here it gives free space plus
///    clutter, the least ITM's median reaches at 50 % quantiles (A_ref ≥ 0 [V1.4]) apart from
///    its climate's median time-variability shift.
///  * TR 38.901 uses distance_m as d2D, h_tx_eff_m as h_BS, h_rx_m as h_UT, freq_mhz/1000 as fc.
///    With LosMode::terrain plus terrain diffraction, the NLOS formula and the diffraction term
///    partly double-count obstruction: set diffraction_weight accordingly.
double path_loss_db(const ModelConfig& cfg, const LinkGeometry& g);

/// Validity range of a model as documented in its source. Unbounded limits are ±infinity.
/// RMa: d ≤ 5 km (NLOS; the LOS formula alone holds to 10 km). UMa/UMi: h_BS is fixed by the spec
/// (25 m / 10 m); any other height is an extrapolation. SPM: Atoll's stated 150–3500 MHz, 1–20 km
/// and its effective TX height limits 20–200 m.
struct ValidityRange {
    double f_min_mhz, f_max_mhz;
    double d_min_m, d_max_m;
    double h_tx_min_m, h_tx_max_m;
    double h_rx_min_m, h_rx_max_m;
};
ValidityRange validity(ModelKind kind);

/// Scenario names: "free_space", "okumura_hata", "cost231_hata", "tr38901_rma", "tr38901_uma",
/// "tr38901_umi", "spm", "itm".
std::string_view to_string(ModelKind kind);
std::optional<ModelKind> model_kind_from_string(std::string_view name);

}  // namespace phusong::radio
