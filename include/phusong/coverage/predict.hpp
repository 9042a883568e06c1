#pragma once
/// The prediction stage: every cell's signal over the grid, composed per layer into best server,
/// second best, overlap, SINR and throughput (DESIGN.md "Link budget", "Area sweep").

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "phusong/core/scenario.hpp"
#include "phusong/geo/grid.hpp"
#include "phusong/radio/antenna.hpp"
#include "phusong/sites/placement.hpp"
#include "phusong/sites/site_table.hpp"

namespace phusong::coverage {

/// Antenna patterns by catalogue name. InputError if a cell names an antenna the catalogue does
/// not have, or a pattern file cannot be read.
using AntennaCatalogue = std::map<std::string, std::shared_ptr<const radio::AntennaPattern>>;
[[nodiscard]] AntennaCatalogue load_antennas(const std::map<std::string, AntennaSpec>& specs,
                                             const sites::SiteTable& table,
                                             const std::filesystem::path& scenario_file);

/// The composed maps of one layer (operator + technology + band), on the whole grid.
struct LayerResult {
    std::string name;                    ///< "Viettel LTE B3"
    std::size_t layer = 0;               ///< index into SiteTable::layers
    radio::Technology tech = radio::Technology::lte;
    std::string signal;                  ///< what the signal is: "RSRP", "RSCP" or "RxLev"
    radio::ModelConfig model;            ///< the empirical model the layer was predicted with
    std::vector<float> best_dbm;         ///< best-server signal, dBm; NaN = below the floor
    std::vector<float> second_dbm;       ///< second-best signal, dBm; NaN = none
    std::vector<std::int32_t> server;    ///< best-server cell (index into SiteTable::cells); −1
    std::vector<std::uint8_t> n_within_6db;  ///< cells within 6 dB of the best (4 = four or more)
    std::vector<float> sinr_db;          ///< LTE/NR only: SINR at the configured load, dB
    std::vector<float> throughput_mbps;  ///< LTE/NR only: TR 36.942 A.2 downlink, Mbit/s
    double noise_dbm = 0;                ///< thermal noise per resource element + NF, dBm
    double floor_dbm = 0;                ///< calculation floor used, dBm
};

struct PredictionStats {
    std::size_t sources = 0;          ///< distinct (site, antenna height) swept
    std::size_t cells = 0;
    std::size_t pixel_evaluations = 0;   ///< cell × pixel signal evaluations, both zones
    std::size_t extended_evaluations = 0;  ///< those of the extended zone (one per cell × block)
    double max_radius_m = 0;             ///< largest calculation radius used
    double mean_radius_m = 0;
    std::size_t model_warnings = 0;      ///< cells outside their model's validity range
    std::size_t itm_undefined = 0;       ///< pixel × band where ITM is not defined (no signal)
    /// Per SiteTable::sites entry: its sources and the sum and largest of their radii, m (the
    /// merge of a sharded run adds up each shard's own sites).
    std::vector<std::size_t> site_sources;
    std::vector<double> site_radius_sum_m;
    std::vector<double> site_radius_max_m;
};

/// What bounds every cell's reach besides its link budget: the lowest ground of the grid (the
/// lowest receiver) and the range of the receiver clutter loss. The reach sets the rays a source
/// sweeps, so a shard predicting on a window of a run's grid passes the whole grid's bounds
/// (PredictionInputs::reach_bounds) to get the same pixels as the run.
struct ReachBounds {
    float lowest_ground_m = std::numeric_limits<float>::infinity();  ///< m amsl; infinity: no ground
    float clutter_min_db = 0.0f;  ///< min(0, lowest clutter loss), dB
    float clutter_max_db = 0.0f;  ///< max(0, highest clutter loss), dB
};

/// The bounds of a grid's DEM (NaN skipped) and clutter loss (empty: none).
[[nodiscard]] inline ReachBounds reach_bounds_of(std::span<const float> dem_m, std::span<const float> clutter_loss_db) {
    ReachBounds b;
    for (const float h : dem_m) {
        if (std::isfinite(h)) b.lowest_ground_m = std::min(b.lowest_ground_m, h);
    }
    for (const float c : clutter_loss_db) {
        b.clutter_min_db = std::min(b.clutter_min_db, c);
        b.clutter_max_db = std::max(b.clutter_max_db, c);
    }
    return b;
}

struct PredictionInputs {
    const geo::Grid& grid;
    std::span<const float> dem_m;
    const sites::SiteTable& table;
    std::span<const sites::SitePlacement> placements;  ///< per SiteTable::sites
    const PredictionConfig& config;
    const AntennaCatalogue& antennas;
    /// Clutter loss at the receiver per grid pixel, dB (empty: none); added to every empirical
    /// model's loss (SPM: × Kclutter), not to ITM's.
    std::span<const float> clutter_loss_db = {};
    /// Per technology (index radio::Technology), the weakest signal a planner-facing output
    /// reads, dBm (zone_thresholds_dbm): where each cell's exact zone ends with
    /// PredictionConfig::zones = thresholds, which needs them.
    std::optional<std::array<double, 4>> zone_thresholds_dbm = {};
    /// The reach bounds of the whole run's grid when `grid` is a window of it (a shard); empty:
    /// reach_bounds_of(dem_m, clutter_loss_db).
    std::optional<ReachBounds> reach_bounds = {};
};

/// The overlap margin of LayerResult::n_within_6db, dB.
inline constexpr double kOverlapMarginDb = 6.0;

/// Per technology (index radio::Technology: GSM, UMTS, LTE, NR), the weakest signal, dBm, that an
/// output a planner reads can depend on: the lowest of the coverage classes' signal bounds (their
/// location-probability margin included) less kOverlapMarginDb, so that every cell within the
/// overlap margin of a best signal at a class bound is evaluated exactly; for LTE and NR the
/// sensitivity table's lowest threshold and for NR the plan's coverage threshold where the plan
/// is enabled, which read the best signal alone (no margin). Weaker signals only enter
/// interference sums, or a best signal below every threshold (PredictionConfig::zones).
[[nodiscard]] std::array<double, 4> zone_thresholds_dbm(const AnalysisConfig& analysis, const PlanConfig& plan);

/// The model overrides of [prediction] against the site table: a band override naming no known
/// band and, with `layers`, a layer override naming no layer of the table are an InputError (the
/// key named; main adds the scenario file). `predict` checks the same before it starts.
void check_model_overrides(const PredictionConfig& config, const sites::SiteTable& table, bool layers = true);

/// Every LTE and NR cell's bandwidth is a channel bandwidth of its technology (TS 36.101 Table
/// 5.6-1; TS 38.104 Table 5.3.2-1 at the scenario's nr_scs_khz): InputError naming the site
/// table's row and field otherwise. `predict` checks the same before it starts.
void check_cell_bandwidths(const PredictionConfig& config, const sites::SiteTable& table);

/// What `run` warns about before it predicts, worded for the user (no InputError: the run goes
/// on): a [prediction.band.<name>] override no cell uses; the cells outside their propagation
/// model's validity range (sources in radio::validity), one line per model and limit crossed,
/// with the bands, the values and the models valid there; the receiver height outside a model's
/// range; ITM with a far zone. `pipeline::prepare` prints them, so `validate` shows what `run` will.
[[nodiscard]] std::vector<std::string> prediction_warnings(const PredictionConfig& config,
                                                           const sites::SiteTable& table);

/// Runs the prediction. Layers are produced operator by operator (memory stays bounded by one
/// operator's layers) and handed to `on_layer` in SiteTable::layers order. Deterministic: the
/// same inputs give the same bytes whatever the thread count.
PredictionStats predict(const PredictionInputs& in, const std::function<void(LayerResult&&)>& on_layer);

}  // namespace phusong::coverage
