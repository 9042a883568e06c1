#pragma once
/// One facade per stage (DESIGN.md "Modules"): plain requests in, plain summaries out. The command
/// line parses its options into a request, calls the facade and prints the summary; the tests
/// call the same functions. Every facade checks all its inputs before its first computation and
/// writes only inside its output folder, atomically: a failure or an interrupt leaves the folder
/// as it was.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "phusong/analysis/analysis.hpp"
#include "phusong/calibration/calibration.hpp"
#include "phusong/core/scenario.hpp"
#include "phusong/coverage/predict.hpp"
#include "phusong/geo/grid.hpp"
#include "phusong/planning/plan.hpp"
#include "phusong/sites/site_table.hpp"

namespace phusong::pipeline {

/// A scenario with everything it names read and checked.
struct Prepared {
    Scenario scenario;
    sites::SiteTable table;
    coverage::AntennaCatalogue antennas;
    /// What `prepare` warned about (coverage::prediction_warnings), already logged.
    std::vector<std::string> warnings;
};

/// The checks that need no raster read: the scenario, the site table, the antenna catalogue, the
/// model overrides against the table's layers and bands, and the plan's antenna when [plan] is on.
/// InputError (exit 3) listing every problem. Logs the prediction's warnings (unused overrides,
/// cells outside their model's validity), so `validate` and `run` show the same. With
/// ScenarioUse::calibrate, the population raster and the AOI may be absent.
[[nodiscard]] Prepared prepare(const std::filesystem::path& scenario_file, ScenarioUse use = ScenarioUse::run);

/// The memory a run needs on a grid, bytes: a bound measured on the demo (447 bytes per pixel
/// with 7 layers for its largest operator), `pixels` × (120 + 47 × layers_per_operator).
[[nodiscard]] std::uint64_t run_memory_bytes(std::size_t pixels, std::size_t layers_per_operator);

/// The grid a run will use (from the AOI alone): InputError (key grid.resolution_m) when it has
/// more than 2e9 pixels or, with `predicts_whole_grid` (a run; not `shard`, whose shards each
/// predict a window, nor `merge`), a run on it needs more memory than the machine has
/// (run_memory_bytes).
void check_grid(const Prepared& p, bool predicts_whole_grid = true);

/// The most layers one operator has in the site table (what run_memory_bytes counts).
[[nodiscard]] std::size_t layers_per_operator(const sites::SiteTable& table);

/// `prepare`, then that the DEM, the population raster and the AOI can be opened and are usable
/// (CRS, north-up, polygons, a projected grid CRS): every check `run` makes before it computes.
[[nodiscard]] Prepared validate(const std::filesystem::path& scenario_file);

struct RunRequest {
    std::filesystem::path scenario;
    std::filesystem::path out;  ///< empty: out/<scenario file name>
    bool overwrite = false;
    int threads = 0;            ///< recorded in the manifest
};

struct RunSummary {
    std::string scenario_name;
    geo::Grid grid;
    std::size_t sites = 0, cells = 0, layers = 0, operators = 0;
    double aoi_area_km2 = 0;
    double people_in_aoi = 0;
    double people_in_aoi_source = 0;
    coverage::PredictionStats prediction;
    double predict_s = 0;
    analysis::AnalysisResult analysis;
    double analyse_s = 0;
    AnalysisConfig analysis_config;
    std::optional<planning::PlanResult> plan;
    PlanBudgetKind budget_kind = PlanBudgetKind::sites;
    std::filesystem::path outputs;
};

/// Every stage: grid, prediction, analysis, the plan when [plan] enabled = true, the QGIS project
/// and the report, into `out` (moved into place only when all succeed).
[[nodiscard]] RunSummary run(const RunRequest& request);

struct ShardRequest {
    std::filesystem::path scenario;
    std::filesystem::path out;         ///< the sharded run's folder (DIR)
    /// Shard edge, pixels: a multiple of grid.tile_size_px. 1024 px at 30 m with a 15 km halo predicts
    /// on at most 2032 × 2032 px: under 1 GB measured, under 2 GB by run_memory_bytes (docs/cluster.md).
    int shard_px = 1024;
    bool overwrite = false;
    std::filesystem::path executable;  ///< phusong, named in the Slurm scripts; empty: this process's
};

struct ShardSummary {
    geo::Grid grid;
    std::size_t shards = 0;
    int shard_px = 0;
    int halo_px = 0;
    std::size_t max_sites = 0;         ///< the most sites one shard reads
    std::uint64_t shard_memory_bytes = 0;  ///< run_memory_bytes of the largest halo window
    std::filesystem::path outputs;     ///< DIR
    std::filesystem::path shard_script, merge_script;  ///< DIR/slurm/{shard,merge}.sbatch, absolute
};

/// Fixes the grid once, as `run` would, and cuts it into shards of whole tiles, each owning its
/// pixels and reading every site within prediction.max_radius_m of them (docs/commands/shard.md):
/// writes DIR/shards.json, the grid's DEM (and clutter loss) the shards read by window, and the
/// Slurm scripts DIR/slurm/shard.sbatch (a job array) and merge.sbatch, atomically.
[[nodiscard]] ShardSummary shard(const ShardRequest& request);

struct ShardRunRequest {
    std::filesystem::path scenario;
    std::filesystem::path dir;  ///< the folder `shard` made
    int shard = 0;              ///< index in DIR/shards.json
    int threads = 0;            ///< recorded in the shard's manifest
};

struct ShardRunSummary {
    int shard = 0;
    std::size_t shards = 0;
    geo::Window owned, halo;    ///< pixels of the run's grid
    std::size_t sites = 0;      ///< sites read (the halo rule)
    coverage::PredictionStats prediction;
    double wall_s = 0;
    std::filesystem::path outputs;  ///< DIR/shards/K
};

/// One shard of a sharded run: predicts every layer on the shard's halo window with the sites it
/// reads and writes the owned window's rasters to DIR/shards/K, atomically (a temporary folder
/// renamed into place, shard.json written last): running it twice is harmless. InputError (exit 3)
/// for an index out of range or a scenario or site table other than the plan's.
[[nodiscard]] ShardRunSummary run_shard(const ShardRunRequest& request);

struct MergeRequest {
    std::filesystem::path dir;  ///< the folder `shard` made, every shard finished
    std::filesystem::path out;  ///< empty: DIR/merged
    bool overwrite = false;
    int threads = 0;
};

/// Assembles the shards into exactly the folder a single `run` of the scenario writes: the layers
/// mosaicked through GDAL VRTs into the same COGs, then the analysis, the plan, the project and
/// the report as `run` makes them. InputError (exit 3), nothing written, when a shard is missing
/// or unfinished or was made from another scenario or inputs.
[[nodiscard]] RunSummary merge(const MergeRequest& request);

struct AnalyseRequest {
    std::filesystem::path dir;       ///< output folder of a previous run
    std::filesystem::path scenario;  ///< empty: the one the manifest records
};

struct AnalyseSummary {
    std::string scenario_name;
    analysis::AnalysisResult analysis;
    AnalysisConfig analysis_config;
    bool census_applied = false;
    std::string census_source;
    double wall_s = 0;
    std::filesystem::path outputs;
};

/// The analysis stage again on a run's layers, after the stamp check: only [analysis] and the admin
/// inputs may differ from the run's scenario.
[[nodiscard]] AnalyseSummary analyse(const AnalyseRequest& request);

struct PlanRequest {
    std::filesystem::path dir;       ///< output folder of a previous run
    std::filesystem::path scenario;  ///< empty: the one the manifest records
    bool check = false;              ///< re-analyse the chosen sites on the full grid
};

struct PlanSummary {
    planning::PlanResult plan;
    double plan_s = 0;
    std::optional<planning::PlanCheck> check;
    double grid_resolution_m = 0;
    std::filesystem::path outputs;
};

/// The manifest's line for plan/plan.json, which `run` (with [plan] enabled) and `plan` both write.
inline constexpr const char* kPlanJsonDescription =
    "the manifest's plan section on its own: counts, timings, bounds per budget";

/// The 5G plan on a run's outputs, after the stamp check: only [plan], [analysis] and the admin
/// inputs may differ. Writes DIR/plan/ and the manifest's "plan" section.
[[nodiscard]] PlanSummary plan(const PlanRequest& request);

struct CalibrateRequest {
    std::filesystem::path scenario;
    std::filesystem::path measurements;  ///< CSV or OGR point layer (docs/inputs.md)
    std::filesystem::path out;           ///< empty: out/<scenario file name>_calibration
    bool overwrite = false;
    bool fit = true;                     ///< false (--no-fit): score the scenario as it is
};

struct CalibrateSummary {
    std::size_t points_read = 0, points_used = 0, observations = 0, cells = 0, sites = 0;
    std::vector<std::string> layers;     ///< measured layers
    calibration::ErrorStats before, after;
    bool fitted = false;
    int folds = 0;
    std::vector<std::string> fitted_terms;  ///< "k1", "k2", "clutter 21", …
    double wall_s = 0;
    std::filesystem::path outputs;
};

/// Predicts each measured cell's own signal at its measurements, scores the scenario's models
/// and, unless `fit` is false, fits the SPM (docs/models/calibration.md); writes calibrated.toml,
/// calibration.json, the tables, the plots and calibration.html into `out`, atomically.
[[nodiscard]] CalibrateSummary calibrate(const CalibrateRequest& request);

/// The QGIS project and the HTML report of a run's folder, (re)written from what it holds and
/// listed in its manifest. Returns their paths.
[[nodiscard]] std::vector<std::filesystem::path> report(const std::filesystem::path& dir);

}  // namespace phusong::pipeline
