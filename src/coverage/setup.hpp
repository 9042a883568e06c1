#pragma once
// The prediction's static set-up, shared by predict and site_footprints: models, gain tables,
// and the sources (site × antenna height) with their bands, cells and reach.

#include <array>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "phusong/coverage/gain_table.hpp"
#include "phusong/coverage/predict.hpp"
#include "phusong/coverage/sweep.hpp"

namespace phusong::coverage::detail {

/// One (frequency, model) swept from a source.
struct Band {
    double freq_mhz = 0;
    std::size_t model = 0;   ///< index into Setup::models
    std::size_t group = 0;   ///< index into the source's swept frequencies (SweepSource::freqs_mhz)
};

/// One cell as the evaluator sees it.
struct CellPlan {
    std::size_t cell = 0;
    std::size_t layer = 0;
    std::size_t band = 0;         ///< index into Source::bands
    float power_dbm = 0;          ///< reference-signal power at the antenna, feeder loss deducted
    float azimuth_deg = 0;
    float floor_dbm = 0;
    radio::Technology tech = radio::Technology::lte;
    std::array<float, GainTable::kBins> radius_m{};  ///< reach per 5° bin of azimuth offset, m
    /// The exact zone per 5° bin of azimuth offset, m: a block of the extended zone (zones.hpp)
    /// whose centre is within it, in the bin of its centre, is evaluated pixel by pixel for
    /// this cell; beyond it, once for the block. Infinity: no extended zone.
    std::array<float, GainTable::kBins> exact_m{};
    /// Within exact_m, the signal at a block's centre (the extended zone's evaluation) below
    /// which the block stays in the extended zone after all, dBm (PredictionConfig::
    /// zone_margin_db below the threshold); −∞: every block within exact_m is exact.
    float refine_dbm = -std::numeric_limits<float>::infinity();
    const GainTable* gain = nullptr;
};

/// One transmitter position (site × antenna height): its sweep, bands and cells.
struct Source {
    std::size_t site = 0;
    SweepSource sweep;
    std::vector<Band> bands;
    std::vector<CellPlan> cells;
    std::string operator_name;
    /// The largest of the cells' exact zones per 5° bin of true azimuth (as SweepSource's
    /// radius_by_bin_m), and the smallest over every cell and bin, m.
    std::vector<float> exact_by_bin_m;
    float exact_min_m = std::numeric_limits<float>::infinity();
};

/// What predict and site_footprints share: models, gain tables and sources with their reach.
struct Setup {
    std::vector<radio::ModelConfig> models;     ///< index 0: the default; then the overrides
    std::vector<std::size_t> layer_model;       ///< per SiteTable::layers
    std::map<std::tuple<std::string, double, double>, std::unique_ptr<GainTable>> gains;
    std::vector<Source> sources;
    std::size_t model_warnings = 0;             ///< cells outside their model's validity range
};

/// The calculation floor of a technology's signal, dBm (PredictionConfig).
[[nodiscard]] double floor_for(radio::Technology t, const PredictionConfig& c);
/// What a technology's signal is: "RSRP", "RSCP" or "RxLev".
[[nodiscard]] std::string signal_name(radio::Technology t);
/// Empirical loss factor of the diffraction term in path_loss_db (linear in it: SPM weighs it
/// by K4, the other models by diffraction_weight).
[[nodiscard]] double diffraction_factor(const radio::ModelConfig& m);
/// Median loss without terrain (dB) at distance d_m; with LosMode::terrain the lower of the LOS
/// and NLOS branches, since the sweep decides which applies.
[[nodiscard]] double empirical_db(const radio::ModelConfig& m, double d_m, double freq_mhz, double h_tx_m,
                                  double h_rx_m, bool los);

/// Resolves each layer's model (checking the overrides), tabulates the antennas, groups cells
/// into sources (site × antenna height) and bands, and bounds every cell's reach. Cells'
/// floors are raised to `min_floor_dbm` where it is higher (footprints need less reach). With
/// `check_overrides`, model overrides naming no layer or band of the table are reported (a
/// planning table of candidates legitimately uses few of the scenario's layers and bands). With
/// `block_px` > 1, each cell's exact zone (CellPlan::exact_m) as PredictionConfig::zones says,
/// for an extended zone of blocks of block_px × block_px pixels; else none.
[[nodiscard]] Setup make_setup(const PredictionInputs& in, double min_floor_dbm, bool check_overrides, int block_px);

}  // namespace phusong::coverage::detail
