#pragma once
/// The analysis stage's settings ([analysis] in the scenario). docs/scenario.md documents
/// every key (printed from src/core/option_table.cpp); each default lives here and only here.

#include <array>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "phusong/radio/link_budget.hpp"

namespace phusong {

class TomlTableReader;

/// Class boundaries of one technology ([analysis.thresholds.LTE] …). A pixel is "good" when it
/// passes every good_* bound, else "fair" when it passes every fair_* bound, else "none"
/// (uncovered). The SINR and throughput bounds apply to LTE/NR only (GSM/UMTS have no SINR map).
struct ClassThresholds {
    double good_signal_dbm = 0;       ///< RSRP (LTE/NR), CPICH RSCP (UMTS) or RxLev (GSM), dBm
    double fair_signal_dbm = 0;
    double good_sinr_db = 0;          ///< LTE/NR, dB
    double fair_sinr_db = 0;
    double good_throughput_mbps = 0;  ///< LTE/NR downlink at the scenario's load, Mbit/s
    double fair_throughput_mbps = 0;
};

/// The default class boundaries per technology, indexed by radio::Technology (gsm, umts, lte, nr).
/// Sources (docs/models/analysis.md, reasoning in the source file):
/// - signal "good": Ofcom's outdoor thresholds for a good service (Connected Nations
///   methodology): 2G −81 dBm RxLev, 3G −100 dBm RSCP, 4G −105 dBm RSRP (used for NR too).
/// - signal "fair": 10 dB below "good" for UMTS/LTE/NR; GSM −93 dBm, the GSM 900 minimum of
///   Ofcom's 2015 voice-coverage licence variation (90% of the UK landmass obligation).
/// - throughput: FCC Broadband DATA Act mobile coverage standard (FCC 20-94, Second Report and
///   Order, 2020, at 50% cell loading): 4G LTE 5 Mbit/s, 5G-NR 7 and 35 Mbit/s; LTE "good"
///   10 Mbit/s, the UK broadband universal service obligation speed (DCMS, 2018).
/// - SINR: "fair" −10 dB, the bottom of the 3GPP TR 36.942 Annex A.2 mapping (SINR_MIN: below it
///   the link carries nothing); "good" 0 dB (signal at least equal to noise plus interference).
inline constexpr std::array<ClassThresholds, 4> kDefaultClassThresholds = {{
    // good/fair signal, good/fair SINR, good/fair throughput
    {-81.0, -93.0, 0.0, -10.0, 0.0, 0.0},      // GSM (RxLev; no SINR/throughput maps)
    {-100.0, -110.0, 0.0, -10.0, 0.0, 0.0},    // UMTS (CPICH RSCP)
    {-105.0, -115.0, 0.0, -10.0, 10.0, 5.0},   // LTE (RSRP)
    {-105.0, -115.0, 0.0, -10.0, 35.0, 7.0},   // NR (SS-RSRP)
}};

/// Census totals to rescale the population raster to ([analysis.census]).
struct CensusConfig {
    std::string source;                        ///< e.g. "GSO 2019 census", shown in the outputs
    std::optional<double> aoi_total;           ///< people in the whole AOI
    /// People per admin unit, keyed by the unit's code (inputs.admin_code_field) or, without a code
    /// field, its name ([analysis.census.units."243"] total = …).
    std::map<std::string, double> unit_totals;
    [[nodiscard]] bool any() const { return aoi_total.has_value() || !unit_totals.empty(); }
};

struct AnalysisConfig {
    std::array<ClassThresholds, 4> thresholds = kDefaultClassThresholds;  ///< by radio::Technology
    /// Threshold sensitivity (sensitivity.csv): RSRP thresholds from `sensitivity_max_dbm` down to
    /// `sensitivity_min_dbm` in `sensitivity_step_db` steps (the range planners argue over).
    double sensitivity_max_dbm = -95.0;
    double sensitivity_min_dbm = -125.0;
    double sensitivity_step_db = 5.0;
    /// Gap polygons smaller than this (km²) or with fewer people are dropped: below ~0.1 km²
    /// (about 100 pixels of 30 m) a hole is within the prediction's own error.
    double gap_min_area_km2 = 0.1;
    double gap_min_population = 100.0;
    /// Location probability: a pixel counts as covered when its signal exceeds the threshold at
    /// this probability. With log-normal shadowing of standard deviation σ about the predicted
    /// median (3GPP TR 38.901 §7.4.1: shadow fading is log-normal), that is when the median
    /// exceeds threshold + σ·Φ⁻¹(p). 0.5: the median itself, no margin.
    double location_probability = 0.5;
    /// Shadowing standard deviation σ, dB: a calibration's cross-validated σ, or 8 dB, the
    /// shadow-fading σ of 3GPP TR 38.901 Table 7.4.1-1 for RMa NLOS (UMa NLOS 6 dB, UMi NLOS
    /// 7.82 dB).
    double shadowing_sigma_db = 8.0;
    /// σ·Φ⁻¹(p), dB: set by the scenario reader, which has added it to every signal threshold
    /// (thresholds below are the effective ones). 0 at p = 0.5.
    double location_margin_db = 0.0;
    /// Douglas-Peucker tolerance of the topology-preserving simplification of gap outlines,
    /// in pixels: half a pixel removes the staircase without moving the outline by more than it.
    double gap_simplify_px = 0.5;
    CensusConfig census;
    bool geopackage = true;  ///< also write analysis/analysis.gpkg and plan/candidates.gpkg
};

/// Reads [analysis] (src/core/scenario_analysis.cpp), adding every problem to the reader.
void read_analysis(TomlTableReader r, AnalysisConfig& out);

/// sha256 of the scenario in canonical TOML form without what the analysis, planning and report stages
/// alone read ([analysis], [plan], [report], inputs.admin*): two scenarios with the same prediction stamp
/// give the same predicted layers, so `phusong analyse` may reuse them. InputError if unreadable.
[[nodiscard]] std::string prediction_config_hash(const std::filesystem::path& scenario_file);

}  // namespace phusong
