#pragma once
/// The scenario file (TOML): what to compute, on which inputs. Each default lives here and only
/// here (in the structs' default member initialisers); the option table (src/core/option_table.cpp)
/// reads them into docs/scenario.md, which documents every key.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "phusong/core/analysis_config.hpp"
#include "phusong/core/plan_config.hpp"
#include "phusong/radio/antenna.hpp"
#include "phusong/radio/diffraction.hpp"
#include "phusong/radio/pathloss.hpp"

namespace phusong {

/// Units a site table's power column may be given in ([inputs.site_units]).
enum class PowerUnit { dbm, dbw, w, mw };
/// Units a site table's frequency or bandwidth column may be given in ([inputs.site_units]).
enum class FrequencyUnit { mhz, khz, ghz };

/// [inputs.site_columns]: for each column phusong reads (docs/inputs.md), the header it has in
/// the site table, where that is neither phusong's name nor one of the built-in aliases (Atoll,
/// Planet, generic exports; sites::column_aliases). Not given: found by name or alias.
struct SiteColumns {
    std::optional<std::string> site_id;
    std::optional<std::string> cell_id;
    std::optional<std::string> operator_name;  ///< the column `operator`
    std::optional<std::string> lon;             ///< WGS 84 longitude (CSV only)
    std::optional<std::string> lat;             ///< WGS 84 latitude (CSV only)
    std::optional<std::string> height_agl_m;
    std::optional<std::string> azimuth_deg;
    std::optional<std::string> mech_tilt_deg;
    std::optional<std::string> elec_tilt_deg;
    std::optional<std::string> tech;
    std::optional<std::string> band;
    std::optional<std::string> freq_mhz;
    std::optional<std::string> bandwidth_mhz;
    std::optional<std::string> tx_power_dbm;
    std::optional<std::string> rs_power_dbm;    ///< optional column: power per resource element
    std::optional<std::string> antenna;
};

/// [inputs.site_units]: the unit a site table gives a column in, where it is not phusong's. Not
/// given: the unit in the header's brackets ("Power (W)") when it names one, else phusong's.
struct SiteUnits {
    std::optional<PowerUnit> tx_power_dbm;
    std::optional<PowerUnit> rs_power_dbm;
    std::optional<FrequencyUnit> freq_mhz;
    std::optional<FrequencyUnit> bandwidth_mhz;
};

/// Input files. Relative paths in the TOML are resolved against the scenario file's folder.
struct InputsConfig {
    std::filesystem::path dem;         ///< elevation raster, metres above the geoid
    std::filesystem::path population;  ///< people per pixel (a count, not a density)
    std::filesystem::path aoi;         ///< polygon layer; the union of its features is the AOI
    std::filesystem::path sites;       ///< site/cell table: CSV, GeoJSON, GPKG or Shapefile
    std::optional<std::filesystem::path> admin;  ///< admin-unit polygons for tables (optional)
    std::string admin_name_field = "name";       ///< attribute holding the admin unit's name
    std::optional<std::string> admin_code_field; ///< attribute holding its code, if any
    SiteColumns site_columns;                    ///< [inputs.site_columns]
    SiteUnits site_units;                        ///< [inputs.site_units]
    /// Land-cover classes (any GDAL raster, any CRS), put on the grid by mode: the receiver's
    /// clutter loss per pixel from [clutter.<code>] (optional; without it no clutter loss).
    std::optional<std::filesystem::path> clutter;
};

/// One land-cover class of inputs.clutter ([clutter.<code>]): its name and the loss it adds at
/// the receiver, dB (every empirical model adds it; SPM weighs it by Kclutter). Codes of the
/// raster with no entry get 0 dB (with a warning listing them).
struct ClutterClass {
    std::string name;    ///< e.g. "dense urban", shown in the calibration tables
    double loss_db = 0;  ///< clutter loss at the receiver, dB
};

/// `phusong calibrate` ([calibration]): the measurement filters, the cross-validation and the
/// terms the fit may add (docs/models/calibration.md).
struct CalibrationConfig {
    /// Measurements closer to their cell than this are dropped: within a few tens of metres the
    /// receiver is below the antenna's main lobe and the empirical models are not meant for it.
    double min_distance_m = 50.0;
    std::optional<double> max_distance_m;  ///< farther ones are dropped; default: prediction.max_radius_m
    std::optional<double> min_signal_dbm;  ///< weaker ones are dropped; default: the layer's floor
    double max_signal_dbm = -40.0;         ///< stronger ones are dropped (receiver saturation)
    int min_points_per_cell = 10;          ///< cells with fewer points (after the filters) are dropped
    /// Points of one cell in one grid pixel are averaged (mean in dB), as the industry tools bin
    /// drive tests: one observation per cell and pixel.
    bool bin_to_pixels = true;
    int folds = 5;                    ///< cross-validation folds, grouped by site
    /// A clutter class gets its own fitted loss when at least this many observations lie in it.
    int min_observations_per_class = 30;
    /// An optional SPM term (K3–K7, K4) is fitted when it lowers the cross-validated RMSE by at
    /// least this much, dB.
    double min_cv_gain_db = 0.05;
    /// Also fit a weight on the antenna pattern's attenuation (1 = the pattern as given).
    bool fit_antenna_weight = false;
    /// CRS (EPSG code) of the x/y columns of a CSV measurement table; CSV tables with lon/lat
    /// columns and OGR point layers need none.
    std::optional<int> measurement_epsg;
};

/// The analysis grid (DESIGN.md "Grid").
struct GridConfig {
    double resolution_m = 30.0;    ///< pixel size, metres
    double margin_m = 2000.0;      ///< added around the AOI's bounding box, metres
    int tile_size_px = 512;        ///< tile edge, pixels
    std::optional<int> epsg;       ///< projected CRS; default: UTM zone of the AOI centroid
    double max_nodata_share = 0.05;  ///< largest share (0…1) of AOI pixels without DEM or population data
};

/// One entry of the antenna catalogue ([antennas.NAME]): a parametric sector (3GPP TR 38.901
/// Table 7.3-1 form) or a Planet/MSI pattern file.
struct AntennaSpec {
    std::optional<std::filesystem::path> msi_file;  ///< pattern file; overrides the parameters
    radio::SectorPatternParams sector;              ///< used when no file is given
};

/// Terrain diffraction added to the empirical model (ITU-R P.526-15 §4.5). Bullington (the
/// default) is the loss of the terrain's obstacles. Delta-Bullington (P.452-17 §4.2.3) adds the
/// smooth-earth Fresnel-zone loss, which is right on top of free space (as P.452/P.1812 use it)
/// but counts twice what an empirical median such as Hata already contains (1–3 dB at 2–5 km
/// over flat ground for a 1.5 m receiver).
enum class DiffractionMethod { none, bullington, delta_bullington };

/// Where each cell's main (exact) zone ends (PredictionConfig::zones).
enum class ZoneMode {
    /// Where the cell's signal can no longer reach the weakest signal any planner-facing output
    /// reads for its technology (coverage classes, the sensitivity table, the overlap margin, the
    /// plan's threshold; coverage::zone_thresholds_dbm), and within that bound wherever the
    /// extended zone's own signal at a block or one of its neighbours is below the threshold
    /// less zone_margin_db: the extended zone carries the signals that enter interference sums
    /// or stay below every threshold (docs/models/propagation.md "Exact and extended zones").
    thresholds,
    distance,  ///< at near_radius_m from the site, for every cell
    exact,     ///< nowhere: every pixel evaluated out to the floor (validation)
};

/// The area prediction ([prediction]).
struct PredictionConfig {
    double receiver_height_m = 1.5;   ///< UE antenna height above ground, m
    double max_radius_m = 15000.0;    ///< cap of every cell's calculation radius, m
    /// Calculation floors: a cell's radius ends where even its boresight signal falls below. They
    /// are the bottoms of the reporting ranges: LTE/NR RSRP −140 dBm (TS 36.133 Table 9.1.4-1),
    /// UMTS CPICH RSCP −120 dBm (TS 25.133 §9.1.1.3), GSM RXLEV_00 −110 dBm (TS 45.008 §8.1.4).
    double rsrp_floor_dbm = -140.0;
    double rscp_floor_dbm = -120.0;
    double rxlev_floor_dbm = -110.0;
    double k_factor = radio::kStandardKFactor;  ///< effective earth radius factor (4/3)
    DiffractionMethod diffraction = DiffractionMethod::bullington;
    double feeder_loss_db = 2.0;      ///< cable and connector loss between port and antenna, dB
    double load = 0.5;                ///< fraction of interfering cells' power that is transmitted
    double noise_figure_db = 9.0;     ///< UE noise figure, dB
    int nr_scs_khz = 30;              ///< NR sub-carrier spacing (SS-RSRP per RE), kHz
    double ray_spacing_px = 1.0;      ///< spacing of sweep rays at the radius, pixels
    /// Main and extended calculation zones (the "main matrix" and "extended matrix" of planning
    /// tools such as Atoll): in a cell's main zone every pixel is evaluated; beyond it, out to the
    /// floor, one evaluation per block of far_block_px × far_block_px pixels (aligned on the
    /// grid), at the block centre, counts for the whole block, on rays far_block_px times
    /// sparser. `zones` says where the main zone ends (ZoneMode); docs/performance.md gives the
    /// measured speed and error.
    ZoneMode zones = ZoneMode::thresholds;
    double near_radius_m = 3000.0;    ///< ZoneMode::distance: the main zone's radius, m
    int far_block_px = 6;
    /// ZoneMode::thresholds: within a cell's bound at its threshold, a block of the extended zone
    /// whose own signal (at its centre) is more than this below the threshold stays in the
    /// extended zone, dB; the bound alone (no terrain loss) would make it exact. A margin wider
    /// than the threshold's height above the floor: the bound alone decides. docs/performance.md "Zones" gives the measured speed and error.
    double zone_margin_db = 0.0;
    /// Weight of the antenna pattern's attenuation: gain = max gain − weight × attenuation. 1: the
    /// pattern as given; a calibration against measurements may fit a lower one (measured
    /// signals often show less directivity than the assumed pattern).
    double antenna_attenuation_weight = 1.0;
    radio::ModelConfig model;         ///< default empirical model for every layer
    std::map<std::string, radio::ModelConfig> band_models;   ///< per-band overrides ("GSM900", "B8")
    std::map<std::string, radio::ModelConfig> layer_models;  ///< per-layer overrides (win over bands)
};

/// A language of the HTML report: its text, number format (en 1,233.3; vi 1.233,3) and file
/// (en: report.html, vi: report.vi.html).
enum class ReportLanguage { en, vi };

/// The presentation ([report]).
struct ReportConfig {
    std::vector<ReportLanguage> languages{ReportLanguage::en, ReportLanguage::vi};  ///< one report file each
};

/// [prediction] as a scenario without the table gets it (the default member initialisers
/// above), for settings built from it (coverage::SweepSettings).
[[nodiscard]] const PredictionConfig& default_prediction_config();

struct Scenario {
    std::filesystem::path file;  ///< the scenario file itself
    std::string name;            ///< [scenario] name, shown in reports
    InputsConfig inputs;
    GridConfig grid;
    PredictionConfig prediction;
    AnalysisConfig analysis;
    PlanConfig plan;
    ReportConfig report;
    std::map<std::string, AntennaSpec> antennas;  ///< antenna catalogue by name
    std::map<int, ClutterClass> clutter;          ///< land-cover classes by raster code
    CalibrationConfig calibration;
    std::string config_hash;     ///< sha256 of the parsed scenario in canonical TOML form
};

/// What a scenario is loaded for: `calibrate` needs only what the prediction needs, so the
/// population raster and the AOI may be absent.
enum class ScenarioUse { run, calibrate };

/// Parses and validates a scenario file. Reports every problem at once (InputError, exit 3):
/// TOML syntax, unknown keys (with the nearest known key), wrong types, out-of-range values and
/// input files that do not exist.
[[nodiscard]] Scenario load_scenario(const std::filesystem::path& file, ScenarioUse use = ScenarioUse::run);

}  // namespace phusong
