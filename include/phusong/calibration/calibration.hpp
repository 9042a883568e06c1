#pragma once
/// Model calibration against measurements (docs/models/calibration.md): measured points in, each
/// cell's own predicted signal at them (the prediction's terrain, antenna, link budget and
/// clutter), the Standard Propagation Model fitted by least squares, and the error before and
/// after, cross-validated by site.

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "phusong/core/scenario.hpp"
#include "phusong/coverage/predict.hpp"
#include "phusong/geo/grid.hpp"
#include "phusong/sites/site_table.hpp"

namespace phusong::calibration {

/// One measured point: a cell's signal (RSRP for LTE/NR, RSCP for UMTS, RxLev for GSM).
struct Measurement {
    std::size_t row = 0;                 ///< 1-based data row (or feature) in the source file
    std::string cell_id;
    double x = 0;                        ///< position in the table's CRS (lon/lat: WGS 84)
    double y = 0;
    double signal_dbm = 0;
    std::optional<double> rx_height_m;   ///< receiver height above ground, m
};

struct MeasurementTable {
    std::string file;
    std::string crs_wkt;                 ///< CRS of x/y (WKT)
    std::vector<Measurement> points;
};

/// Reads a measurement table: CSV (UTF-8, header; cell_id, signal_dbm and either lon/lat in WGS 84
/// or x/y in the CRS `xy_epsg`; optional rx_height_m and time) or any OGR point layer (GeoJSON,
/// GeoPackage, Shapefile, …) in any CRS, the point geometry giving the location. Every bad row is
/// reported at once (InputError: file, row, field, the fix).
[[nodiscard]] MeasurementTable read_measurements(const std::filesystem::path& path,
                                                 std::optional<int> xy_epsg);

/// What the filters removed: the scenario key, its value and the count.
struct FilterCount {
    std::string key;      ///< "calibration.min_distance_m"
    std::string value;    ///< "50 m"
    std::size_t removed = 0;
};

/// One observation: a cell's mean measured signal in one grid pixel (or one point without
/// binning), with every term of its prediction.
struct Observation {
    std::size_t cell = 0;          ///< index into SiteTable::cells
    std::size_t points = 1;        ///< measured points averaged
    double x_m = 0, y_m = 0;       ///< grid CRS
    double measured_dbm = 0;       ///< mean in dB
    double distance_m = 0;         ///< horizontal, from the site
    double freq_mhz = 0;
    double h_tx_m = 0;             ///< antenna height above ground (the prediction's h_tx)
    double h_rx_m = 0;             ///< receiver height above ground
    double diffraction_db = 0;     ///< terrain diffraction loss on the exact profile, dB
    int clutter = -1;              ///< clutter class code at the point; −1: none
    double power_dbm = 0;          ///< reference-signal power at the antenna, feeder deducted
    double max_gain_dbi = 0;       ///< the pattern's boresight gain
    double attenuation_db = 0;     ///< the pattern's attenuation toward the point (tilts applied)
};

struct Observations {
    geo::Grid grid;                          ///< the grid the observations were binned on
    std::vector<Observation> items;          ///< sorted by cell, then pixel
    std::size_t points_read = 0;
    std::size_t points_used = 0;
    std::vector<FilterCount> filters;
    std::map<int, std::size_t> unknown_clutter;  ///< codes without [clutter.<code>], observations
};

/// Puts the measurements of the cells in `table` on a grid around them and their sites, applies
/// the filters of [calibration] and bins them, and computes every observation's prediction
/// terms with the scenario's DEM, antennas and clutter. InputError for cell ids that are not in
/// the table (listed), and when no observation is left.
[[nodiscard]] Observations observe(const Scenario& scenario, const sites::SiteTable& table,
                                   const coverage::AntennaCatalogue& antennas,
                                   const MeasurementTable& measurements);

/// The layer's propagation model and clutter losses as the prediction applies them.
struct ModelSet {
    std::vector<radio::ModelConfig> layer_models;  ///< per SiteTable::layers
    std::map<int, double> clutter_loss_db;         ///< per class code (absent: 0)
    double antenna_weight = 1.0;                   ///< weight of the pattern's attenuation
};

/// The scenario's own models (layer overrides, then band overrides, then the default) and clutter.
[[nodiscard]] ModelSet scenario_models(const Scenario& scenario, const sites::SiteTable& table);

/// The SPM a layer's model starts the calibration from: its own coefficients (SPM), the SPM form
/// of Okumura-Hata or COST-231 Hata (the calibration identity, radio::spm_equivalent_of_*, with
/// K4 = the model's diffraction weight) at the layer's frequency and the receiver height, or
/// Atoll's typical SPM (radio::SpmCoefficients' defaults) for any other model.
[[nodiscard]] radio::SpmCoefficients spm_form(const radio::ModelConfig& model, double freq_mhz, double h_rx_m);

/// The signal the prediction gives an observation under `models`, dBm (radio::path_loss_db with
/// the observation's terms). A floor never applies: the worst-predicted points are kept.
[[nodiscard]] double predicted_dbm(const ModelSet& models, const sites::SiteTable& table, const Observation& o);

struct ErrorStats {
    std::size_t n = 0;        ///< observations
    std::size_t points = 0;   ///< measured points behind them
    double mean_db = 0;       ///< mean of predicted − measured
    double rmse_db = 0;
    double std_db = 0;
    void add(double error_db, std::size_t pts);
    void finish();
private:
    double m_sum = 0, m_sum2 = 0;
};

/// A fitted coefficient (or a term held at its prior value).
struct Term {
    std::string name;       ///< "k1" … "k7", "clutter 21", "antenna_weight"
    double value = 0;
    double prior = 0;       ///< the value before calibration
    bool fitted = false;
    double std_error = 0;   ///< standard error of a fitted term (0 otherwise)
};

struct LayerFit {
    std::size_t layer = 0;                 ///< index into SiteTable::layers
    radio::SpmCoefficients spm;            ///< fitted on all observations
    std::vector<Term> terms;               ///< k1 … k7
};

/// One step of the choice of the optional terms: the term tried and the cross-validated RMSE with it.
struct SelectionStep {
    std::string term;
    double cv_rmse_db = 0;
    bool accepted = false;
    std::string reason;   ///< why not, when rejected without a try ("no spread in the data")
};

struct ClutterFit {
    int code = 0;
    std::string name;
    std::size_t observations = 0;
    Term loss;            ///< loss_db (Kclutter folded in: the calibrated SPM has Kclutter = 1)
    bool reference = false;  ///< the most observed class, held at its prior (K1 absorbs it)
};

struct Calibration {
    bool fitted = false;                  ///< false: --no-fit, scored as given
    ModelSet before;
    ModelSet after;                       ///< the final model (fitted on all observations)
    std::vector<LayerFit> layers;         ///< measured layers
    std::vector<ClutterFit> clutter;      ///< classes present in the observations
    std::optional<Term> antenna_weight;   ///< when fitted
    std::vector<SelectionStep> selection;
    int folds = 0;
    std::vector<int> fold_of_site;        ///< per SiteTable::sites (−1: not measured)
    std::vector<double> error_before_db;  ///< per observation, predicted − measured
    std::vector<double> error_after_db;   ///< per observation, cross-validated (the fold's fit)
    ErrorStats stats_before, stats_after;
};

/// Scores the scenario's models on the observations and, with `fit`, calibrates them: K1 and K2
/// per layer always, the optional terms chosen by grouped cross-validation, one loss per clutter
/// class with enough observations (docs/models/calibration.md). InputError when the cross-
/// validation needs more sites than were measured.
[[nodiscard]] Calibration calibrate(const Scenario& scenario, const sites::SiteTable& table,
                                    const Observations& obs, bool fit);

/// A synthetic measurement table with a known truth: at each position of `positions` (cell ids
/// and coordinates; their signals are ignored), the signal the prediction gives under `truth`
/// plus log-normal shadowing of standard deviation `sigma_db`, one draw per cell and grid pixel
/// (seeded; the points of a pixel share it, as spatially correlated shadowing does).
/// What the calibration must recover (tests/calibration, tools/drive_test). The table is in the
/// observation grid's CRS.
[[nodiscard]] MeasurementTable synthesize(const Scenario& scenario, const sites::SiteTable& table,
                                          const coverage::AntennaCatalogue& antennas,
                                          const MeasurementTable& positions, const ModelSet& truth,
                                          double sigma_db, std::uint64_t seed);

}  // namespace phusong::calibration
