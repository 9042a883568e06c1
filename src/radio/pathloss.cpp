// Closed-form and empirical path-loss models. Formulas and their sources are documented on the
// declarations in include/phusong/radio/pathloss.hpp; the reference values are in
// tests/reference/closed_form (tests/radio/test_pathloss.cpp).
#include "phusong/radio/pathloss.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numbers>
#include <utility>

namespace phusong::radio {

namespace {

constexpr double kPi = std::numbers::pi;
/// TR 38.901 Table 7.4.1-1 note 1 uses c = 3.0·10⁸ m/s for the breakpoint distance.
constexpr double kSpecSpeedOfLight_m_per_s = 3.0e8;
/// Effective environment height h_E of UMa/UMi, m (Table 7.4.1-1 note 1; median choice for UMa).
constexpr double kTr38901EnvHeight_m = 1.0;
constexpr double kInf = std::numeric_limits<double>::infinity();

/// Hard floors of the per-pixel guards: keep every log argument positive.
constexpr double kMinDistance_m = 1.0;
constexpr double kMinFreq_mhz = 1.0;
constexpr double kMinHeight_m = 1.0;

double sq(double x) { return x * x; }

double d3d_m(const Tr38901Link& l) { return std::sqrt(sq(l.d2d_m) + sq(l.h_bs_m - l.h_ut_m)); }

/// RMa PL1 (Table 7.4.1-1), d in metres (3D), fc GHz, h building height m.
double rma_pl1(double d_m, double fc_ghz, double h_m) {
    const double h172 = std::pow(h_m, 1.72);
    return 20.0 * std::log10(40.0 * kPi * d_m * fc_ghz / 3.0) +
           std::min(0.03 * h172, 10.0) * std::log10(d_m) - std::min(0.044 * h172, 14.77) +
           0.002 * std::log10(h_m) * d_m;
}

double rma_los(const Tr38901Link& l) {
    const double fc_hz = l.fc_ghz * 1e9;
    const double d_bp = 2.0 * kPi * l.h_bs_m * l.h_ut_m * fc_hz / kSpecSpeedOfLight_m_per_s;
    const double d3d = d3d_m(l);
    if (l.d2d_m <= d_bp) return rma_pl1(d3d, l.fc_ghz, l.h_building_m);
    return rma_pl1(d_bp, l.fc_ghz, l.h_building_m) + 40.0 * std::log10(d3d / d_bp);
}

double rma_nlos_prime(const Tr38901Link& l) {
    const double h = l.h_building_m;
    const double w = l.street_width_m;
    const double hbs = l.h_bs_m;
    return 161.04 - 7.1 * std::log10(w) + 7.5 * std::log10(h) -
           (24.37 - 3.7 * sq(h / hbs)) * std::log10(hbs) +
           (43.42 - 3.1 * std::log10(hbs)) * (std::log10(d3d_m(l)) - 3.0) +
           20.0 * std::log10(l.fc_ghz) - (3.2 * sq(std::log10(11.75 * l.h_ut_m)) - 4.97);
}

/// UMa (uma = true) or UMi-Street Canyon LOS.
double uma_umi_los(const Tr38901Link& l, bool uma) {
    const double fc_hz = l.fc_ghz * 1e9;
    const double d_bp = 4.0 * (l.h_bs_m - kTr38901EnvHeight_m) * (l.h_ut_m - kTr38901EnvHeight_m) *
                        fc_hz / kSpecSpeedOfLight_m_per_s;
    const double d3d = d3d_m(l);
    const double log_fc = std::log10(l.fc_ghz);
    if (l.d2d_m <= d_bp) {
        return uma ? 28.0 + 22.0 * std::log10(d3d) + 20.0 * log_fc
                   : 32.4 + 21.0 * std::log10(d3d) + 20.0 * log_fc;
    }
    const double bp_term = std::log10(sq(d_bp) + sq(l.h_bs_m - l.h_ut_m));
    return uma ? 28.0 + 40.0 * std::log10(d3d) + 20.0 * log_fc - 9.0 * bp_term
               : 32.4 + 40.0 * std::log10(d3d) + 20.0 * log_fc - 9.5 * bp_term;
}

double uma_nlos_prime(const Tr38901Link& l) {
    return 13.54 + 39.08 * std::log10(d3d_m(l)) + 20.0 * std::log10(l.fc_ghz) -
           0.6 * (l.h_ut_m - 1.5);
}

double umi_nlos_prime(const Tr38901Link& l) {
    return 35.3 * std::log10(d3d_m(l)) + 22.4 + 21.3 * std::log10(l.fc_ghz) -
           0.3 * (l.h_ut_m - 1.5);
}

/// Okumura-Hata urban loss with its distance and base-height terms, without a(h_m).
double hata_urban_without_ahm(double distance_km, double freq_mhz, double h_base_m) {
    const double log_hb = std::log10(h_base_m);
    return 69.55 + 26.16 * std::log10(freq_mhz) - 13.82 * log_hb +
           (44.9 - 6.55 * log_hb) * std::log10(distance_km);
}

/// Hata-family models only: the suburban/open corrections subtracted from L_u (Hata eq. 5, 6).
double hata_environment_correction_db(double freq_mhz, HataEnvironment env) {
    const double log_f = std::log10(freq_mhz);
    switch (env) {
        case HataEnvironment::suburban:
            return 2.0 * sq(std::log10(freq_mhz / 28.0)) + 5.4;
        case HataEnvironment::open:
            return 4.78 * sq(log_f) - 18.33 * log_f + 40.94;
        case HataEnvironment::urban_large:
        case HataEnvironment::urban_small_medium:
            break;
    }
    return 0.0;
}

Tr38901Scenario scenario_of(ModelKind kind) {
    switch (kind) {
        case ModelKind::tr38901_rma:
            return Tr38901Scenario::rma;
        case ModelKind::tr38901_uma:
            return Tr38901Scenario::uma;
        default:
            return Tr38901Scenario::umi_street_canyon;
    }
}

}  // namespace

// ---------------------------------------------------------------------------------------------

double free_space_loss_db(double distance_m, double freq_mhz) {
    // ITU-R P.525-4 eq. (4): L = 20 log(4π d / λ), λ = c / f.
    return 20.0 * std::log10(4.0 * kPi * distance_m * freq_mhz * 1e6 / kSpeedOfLight_m_per_s);
}

double hata_mobile_height_correction_db(double freq_mhz, double h_mobile_m, bool large_city) {
    const double log_f = std::log10(freq_mhz);
    if (!large_city) return (1.1 * log_f - 0.7) * h_mobile_m - (1.56 * log_f - 0.8);
    if (freq_mhz <= 200.0) return 8.29 * sq(std::log10(1.54 * h_mobile_m)) - 1.1;
    return 3.2 * sq(std::log10(11.75 * h_mobile_m)) - 4.97;
}

double okumura_hata_db(double distance_km, double freq_mhz, double h_base_m, double h_mobile_m,
                       HataEnvironment env) {
    const bool large = env == HataEnvironment::urban_large;
    return hata_urban_without_ahm(distance_km, freq_mhz, h_base_m) -
           hata_mobile_height_correction_db(freq_mhz, h_mobile_m, large) -
           hata_environment_correction_db(freq_mhz, env);
}

double cost231_hata_db(double distance_km, double freq_mhz, double h_base_m, double h_mobile_m,
                       bool metropolitan, bool large_city_ahm) {
    const double log_hb = std::log10(h_base_m);
    const double c_m = metropolitan ? 3.0 : 0.0;
    return 46.3 + 33.9 * std::log10(freq_mhz) - 13.82 * log_hb -
           hata_mobile_height_correction_db(freq_mhz, h_mobile_m, large_city_ahm) +
           (44.9 - 6.55 * log_hb) * std::log10(distance_km) + c_m;
}

// ---------------------------------------------------------------------------------------------

double tr38901_los_db(Tr38901Scenario scenario, const Tr38901Link& link) {
    switch (scenario) {
        case Tr38901Scenario::rma:
            return rma_los(link);
        case Tr38901Scenario::uma:
            return uma_umi_los(link, true);
        case Tr38901Scenario::umi_street_canyon:
            return uma_umi_los(link, false);
    }
    return uma_umi_los(link, false);
}

double tr38901_nlos_db(Tr38901Scenario scenario, const Tr38901Link& link) {
    const double los = tr38901_los_db(scenario, link);
    switch (scenario) {
        case Tr38901Scenario::rma:
            return std::max(los, rma_nlos_prime(link));
        case Tr38901Scenario::uma:
            return std::max(los, uma_nlos_prime(link));
        case Tr38901Scenario::umi_street_canyon:
            return std::max(los, umi_nlos_prime(link));
    }
    return std::max(los, umi_nlos_prime(link));
}

double tr38901_los_probability(Tr38901Scenario scenario, double d2d_out_m, double h_ut_m) {
    const double d = d2d_out_m;
    switch (scenario) {
        case Tr38901Scenario::rma:
            return d <= 10.0 ? 1.0 : std::exp(-(d - 10.0) / 1000.0);
        case Tr38901Scenario::umi_street_canyon:
            return d <= 18.0 ? 1.0 : 18.0 / d + std::exp(-d / 36.0) * (1.0 - 18.0 / d);
        case Tr38901Scenario::uma: {
            if (d <= 18.0) return 1.0;
            const double c_prime =
                h_ut_m <= 13.0 ? 0.0 : std::pow((std::min(h_ut_m, 23.0) - 13.0) / 10.0, 1.5);
            return (18.0 / d + std::exp(-d / 63.0) * (1.0 - 18.0 / d)) *
                   (1.0 + c_prime * 1.25 * std::pow(d / 100.0, 3.0) * std::exp(-d / 150.0));
        }
    }
    return 0.0;
}

// ---------------------------------------------------------------------------------------------

double ericsson9999_db(double distance_km, double freq_mhz, double h_base_m, double h_mobile_m,
                       EricssonEnvironment env) {
    double a0 = 36.2;
    double a1 = 30.2;
    if (env == EricssonEnvironment::suburban) {
        a0 = 43.20;
        a1 = 68.93;
    } else if (env == EricssonEnvironment::rural) {
        a0 = 45.95;
        a1 = 100.6;
    }
    constexpr double a2 = -12.0;
    constexpr double a3 = 0.1;
    const double log_d = std::log10(distance_km);
    const double log_hb = std::log10(h_base_m);
    const double log_f = std::log10(freq_mhz);
    const double g_f = 44.49 * log_f - 4.78 * sq(log_f);
    return a0 + a1 * log_d + a2 * log_hb + a3 * log_hb * log_d -
           3.2 * sq(std::log10(11.75 * h_mobile_m)) + g_f;
}

double ecc33_db(double distance_km, double freq_mhz, double h_base_m, double h_mobile_m,
                bool large_city) {
    const double log_d = std::log10(distance_km);
    const double log_f = std::log10(freq_mhz / 1000.0);  // ECC-33 uses f in GHz
    const double a_fs = 92.4 + 20.0 * log_d + 20.0 * log_f;
    const double a_bm = 20.41 + 9.83 * log_d + 7.894 * log_f + 9.56 * sq(log_f);
    const double g_b = std::log10(h_base_m / 200.0) * (13.958 + 5.8 * sq(log_d));
    const double g_r = large_city ? 0.759 * h_mobile_m - 1.862
                                  : (42.57 + 13.7 * log_f) * (std::log10(h_mobile_m) - 0.585);
    return a_fs + a_bm - g_b - g_r;
}

double sui_db(double distance_km, double freq_mhz, double h_base_m, double h_mobile_m,
              SuiTerrain terrain) {
    constexpr double d0_m = 100.0;
    const double d_m = distance_km * 1000.0;
    if (d_m <= d0_m) return free_space_loss_db(d_m, freq_mhz);
    double a = 4.6, b = 0.0075, c = 12.6, xh_slope = 10.8;
    if (terrain == SuiTerrain::b) {
        a = 4.0;
        b = 0.0065;
        c = 17.1;
    } else if (terrain == SuiTerrain::c) {
        a = 3.6;
        b = 0.005;
        c = 20.0;
        xh_slope = 20.0;
    }
    const double gamma = a - b * h_base_m + c / h_base_m;
    const double x_f = 6.0 * std::log10(freq_mhz / 2000.0);
    const double x_h = -xh_slope * std::log10(h_mobile_m / 2.0);
    return free_space_loss_db(d0_m, freq_mhz) + 10.0 * gamma * std::log10(d_m / d0_m) + x_f + x_h;
}

// ---------------------------------------------------------------------------------------------

double spm_db(const SpmCoefficients& k, double distance_m, double h_tx_eff_m, double h_rx_m,
              double diffraction_loss_db, double clutter_loss_db) {
    const double log_d = std::log10(distance_m);
    const double log_htx = std::log10(h_tx_eff_m);
    return k.k1 + k.k2 * log_d + k.k3 * log_htx + k.k4 * diffraction_loss_db +
           k.k5 * log_d * log_htx + k.k6 * h_rx_m + k.k7 * std::log10(h_rx_m) +
           k.k_clutter * clutter_loss_db;
}

SpmCoefficients spm_equivalent_of_okumura_hata(double freq_mhz, HataEnvironment env,
                                               double h_mobile_m) {
    const double log_f = std::log10(freq_mhz);
    SpmCoefficients k;
    k.k2 = 44.9;
    k.k3 = -13.82 + 3.0 * 6.55;
    k.k4 = 1.0;
    k.k5 = -6.55;
    k.k7 = 0.0;
    k.k_clutter = 1.0;
    const double k1_no_ahm = 69.55 + 26.16 * log_f - 3.0 * 44.9;
    if (env == HataEnvironment::urban_large) {
        k.k1 = k1_no_ahm - hata_mobile_height_correction_db(freq_mhz, h_mobile_m, true);
        k.k6 = 0.0;
    } else {
        // −a(h_m) = −(1.1 log f − 0.7) h_m + (1.56 log f − 0.8)
        k.k1 = k1_no_ahm + (1.56 * log_f - 0.8) - hata_environment_correction_db(freq_mhz, env);
        k.k6 = -(1.1 * log_f - 0.7);
    }
    return k;
}

SpmCoefficients spm_equivalent_of_cost231_hata(double freq_mhz, bool metropolitan,
                                               bool large_city_ahm, double h_mobile_m) {
    const double log_f = std::log10(freq_mhz);
    SpmCoefficients k;
    k.k2 = 44.9;
    k.k3 = -13.82 + 3.0 * 6.55;
    k.k4 = 1.0;
    k.k5 = -6.55;
    k.k7 = 0.0;
    k.k_clutter = 1.0;
    const double k1_no_ahm = 46.3 + 33.9 * log_f - 3.0 * 44.9 + (metropolitan ? 3.0 : 0.0);
    if (large_city_ahm) {
        k.k1 = k1_no_ahm - hata_mobile_height_correction_db(freq_mhz, h_mobile_m, true);
        k.k6 = 0.0;
    } else {
        k.k1 = k1_no_ahm + (1.56 * log_f - 0.8);
        k.k6 = -(1.1 * log_f - 0.7);
    }
    return k;
}

// ---------------------------------------------------------------------------------------------

double path_loss_db(const ModelConfig& cfg, const LinkGeometry& g) {
    const ValidityRange range = validity(cfg.kind);
    const double d_floor =
        cfg.short_range == ShortRange::clamp_to_min_distance ? range.d_min_m : kMinDistance_m;
    const double d_m = std::max(g.distance_m, std::max(d_floor, kMinDistance_m));
    const double f_mhz = std::max(g.freq_mhz, kMinFreq_mhz);
    const double h_tx = std::max(g.h_tx_eff_m, kMinHeight_m);
    const double h_rx = std::max(g.h_rx_m, kMinHeight_m);
    const double diffraction = cfg.diffraction_weight * g.diffraction_loss_db;

    switch (cfg.kind) {
        case ModelKind::free_space:
            return free_space_loss_db(d_m, f_mhz) + diffraction + g.clutter_loss_db;

        case ModelKind::itm:  // a terrain model: see the header
            return free_space_loss_db(d_m, f_mhz) + g.clutter_loss_db;

        case ModelKind::okumura_hata: {
            const double l = okumura_hata_db(d_m / 1000.0, f_mhz, h_tx, h_rx, cfg.environment);
            return std::max(l, free_space_loss_db(d_m, f_mhz)) + diffraction + g.clutter_loss_db;
        }

        case ModelKind::cost231_hata: {
            const bool large = cfg.environment == HataEnvironment::urban_large;
            const double l =
                cost231_hata_db(d_m / 1000.0, f_mhz, h_tx, h_rx, cfg.metropolitan, large);
            return std::max(l, free_space_loss_db(d_m, f_mhz)) + diffraction + g.clutter_loss_db;
        }

        case ModelKind::spm: {
            const double l = spm_db(cfg.spm, d_m, h_tx, h_rx, 0.0, 0.0);
            return std::max(l, free_space_loss_db(d_m, f_mhz)) +
                   cfg.spm.k4 * g.diffraction_loss_db + cfg.spm.k_clutter * g.clutter_loss_db;
        }

        case ModelKind::tr38901_rma:
        case ModelKind::tr38901_uma:
        case ModelKind::tr38901_umi: {
            const Tr38901Scenario sc = scenario_of(cfg.kind);
            Tr38901Link link{d_m,  f_mhz / 1000.0,       h_tx,
                             h_rx, cfg.rma_h_building_m, cfg.rma_street_width_m};
            if (sc != Tr38901Scenario::rma) {
                // Keep h' = h − h_E positive in the breakpoint distance d'_BP.
                link.h_ut_m = std::max(link.h_ut_m, 1.5);
                link.h_bs_m = std::max(link.h_bs_m, 2.0);
            } else {
                link.h_building_m = std::max(link.h_building_m, kMinHeight_m);
                link.street_width_m = std::max(link.street_width_m, kMinHeight_m);
            }
            double l = 0.0;
            switch (cfg.los_mode) {
                case LosMode::terrain:
                    l = g.terrain_los ? tr38901_los_db(sc, link) : tr38901_nlos_db(sc, link);
                    break;
                case LosMode::always_nlos:
                    l = tr38901_nlos_db(sc, link);
                    break;
                case LosMode::probabilistic: {
                    const double p = tr38901_los_probability(sc, link.d2d_m, link.h_ut_m);
                    l = p * tr38901_los_db(sc, link) + (1.0 - p) * tr38901_nlos_db(sc, link);
                    break;
                }
            }
            return l + diffraction + g.clutter_loss_db;
        }
    }
    return free_space_loss_db(d_m, f_mhz) + diffraction + g.clutter_loss_db;
}

ValidityRange validity(ModelKind kind) {
    switch (kind) {
        case ModelKind::free_space:
            // P.525 states no range; far field assumed from 1 m.
            return {0.0, kInf, 1.0, kInf, 0.0, kInf, 0.0, kInf};
        case ModelKind::okumura_hata:
            // Hata 1980 §3 / P.529-3 Annex 1 §1.1.
            return {150.0, 1500.0, 1000.0, 20000.0, 30.0, 200.0, 1.0, 10.0};
        case ModelKind::cost231_hata:
            // COST 231 Final Report §4.4.1.
            return {1500.0, 2000.0, 1000.0, 20000.0, 30.0, 200.0, 1.0, 10.0};
        case ModelKind::tr38901_rma:
            // TR 38.901 Table 7.4.1-1: 10 m ≤ d2D ≤ 5 km (NLOS; LOS to 10 km), 10 ≤ h_BS ≤ 150 m,
            // 1 ≤ h_UT ≤ 10 m; §7.4.1: 0.5–30 GHz for RMa (above 7 GHz one 24 GHz campaign).
            return {500.0, 30000.0, 10.0, 5000.0, 10.0, 150.0, 1.0, 10.0};
        case ModelKind::tr38901_uma:
            // Table 7.4.1-1: 10 m ≤ d2D ≤ 5 km, h_BS = 25 m, 1.5 ≤ h_UT ≤ 22.5 m; 0.5–100 GHz.
            return {500.0, 100000.0, 10.0, 5000.0, 25.0, 25.0, 1.5, 22.5};
        case ModelKind::tr38901_umi:
            // Table 7.4.1-1: 10 m ≤ d2D ≤ 5 km, h_BS = 10 m, 1.5 ≤ h_UT ≤ 22.5 m; 0.5–100 GHz.
            return {500.0, 100000.0, 10.0, 5000.0, 10.0, 10.0, 1.5, 22.5};
        case ModelKind::spm:
            // Atoll: SPM suited to 150–3500 MHz over 1–20 km; HTxeff limited to 20–200 m.
            return {150.0, 3500.0, 1000.0, 20000.0, 20.0, 200.0, 1.0, 10.0};
        case ModelKind::itm:
            // ITM v1.4's warning limits [V1.4 Warnings.h]: 40–10000 MHz, d ≥ 1 km (and ≤ 2000 km),
            // terminal heights 1–1000 m.
            return {40.0, 10000.0, 1000.0, 2000000.0, 1.0, 1000.0, 1.0, 1000.0};
    }
    return {0.0, kInf, 0.0, kInf, 0.0, kInf, 0.0, kInf};
}

std::string_view to_string(ModelKind kind) {
    for (const auto& [k, name] : kModelNames) {
        if (k == kind) return name;
    }
    return "unknown";
}

std::optional<ModelKind> model_kind_from_string(std::string_view name) {
    for (const auto& [k, n] : kModelNames) {
        if (n == name) return k;
    }
    return std::nullopt;
}

}  // namespace phusong::radio
