#pragma once
/// The analysis stage (issue #4): coverage classes per layer from the scenario's thresholds,
/// covered and uncovered population and area per layer, per operator and for the union of
/// operators (whole AOI and per admin unit), gap polygons and threshold sensitivity.
///
/// The same Accumulator serves `phusong run` (fed from the prediction's layer callback) and
/// `phusong analyse` (fed from the layer GeoTIFFs read back): it keeps per layer only what the
/// analysis needs (statistics and its gaps), and per union view a class raster and the best signal.
/// All coordinates are in the grid's projected CRS (metres) unless stated.

#include <ogr_geometry.h>

#include <array>
#include <cstdint>
#include <functional>
#include <filesystem>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "phusong/core/analysis_config.hpp"
#include "phusong/core/scenario.hpp"
#include "phusong/geo/grid.hpp"
#include "phusong/radio/link_budget.hpp"
#include "phusong/sites/site_table.hpp"

namespace phusong::analysis {

/// Coverage classes in the class rasters (byte): 0 none, 1 fair, 2 good, 255 outside the AOI.
enum CoverageClass : std::uint8_t { kNone = 0, kFair = 1, kGood = 2, kOutside = 255 };
inline constexpr int kClasses = 3;
[[nodiscard]] const char* class_name(int coverage_class);  ///< "none", "fair", "good"

/// The class of one pixel. `sinr_db`/`throughput_mbps` are NaN-free only for LTE/NR; pass
/// std::nullopt for GSM/UMTS (signal bounds only). A NaN signal (below the floor) is "none".
[[nodiscard]] std::uint8_t classify(const ClassThresholds& t, float signal_dbm,
                                    std::optional<float> sinr_db, std::optional<float> throughput_mbps);

/// Why an uncovered pixel is uncovered: the first "fair" bound it fails, in the order the class
/// is decided (signal, then SINR, then throughput; classify()). Ordered from the farthest from
/// coverage to the nearest, so that a union view's pixel takes the highest of its members' causes
/// (the member that came closest).
enum GapCause : std::uint8_t {
    kCauseNoServer = 0,        ///< no cell above the calculation floor (NaN signal)
    kCauseWeakSignal = 1,      ///< signal below fair_signal_dbm
    kCauseLowSinr = 2,         ///< signal enough, SINR below fair_sinr_db (LTE/NR)
    kCauseLowThroughput = 3,   ///< signal and SINR enough, throughput below fair_throughput_mbps (LTE/NR)
};
inline constexpr int kCauses = 4;
/// "no_server", "weak_signal", "low_sinr", "low_throughput" (the gap GeoJSON's `cause` values).
[[nodiscard]] const char* cause_name(int cause);

/// The cause of a pixel that classify() puts in "none" (arguments as classify()). Meaningless for
/// a covered pixel.
[[nodiscard]] std::uint8_t uncovered_cause(const ClassThresholds& t, float signal_dbm, std::optional<float> sinr_db,
                                           std::optional<float> throughput_mbps);

/// Admin units put on the grid: each AOI pixel belongs to the unit whose polygon holds its centre
/// (GDAL rasterisation, features burnt in file order: on overlaps the later feature wins), or to
/// none (−1) in slivers between the units and the AOI.
struct AdminUnits {
    std::string file;
    std::vector<std::string> names;    ///< UTF-8, as in the file
    std::vector<std::string> codes;    ///< empty strings without a code field
    std::vector<std::unique_ptr<OGRGeometry>> geometries;  ///< grid CRS, repaired
    std::vector<double> polygon_area_km2;                  ///< area of each polygon, km²
    std::vector<std::int32_t> unit_of_pixel;               ///< per grid pixel, −1 = none/outside AOI
    std::vector<std::string> repaired;                     ///< GEOS make-valid repairs, reported
};

/// Reads an admin polygon layer and rasterises it onto the grid inside `aoi_mask`. InputError
/// (naming the field and the fix) when a feature lacks the name or code field.
[[nodiscard]] AdminUnits load_admin_units(const std::filesystem::path& path, const std::string& name_field,
                                          const std::optional<std::string>& code_field,
                                          const geo::Grid& grid, std::span<const std::uint8_t> aoi_mask);

/// Census rescaling: the factor applied to each unit's pixels, and to AOI pixels in no listed unit.
struct CensusScaling {
    bool applied = false;
    std::string source;
    std::vector<double> unit_factor;     ///< per admin unit (1 where not rescaled)
    std::vector<double> unit_before;     ///< people per unit before rescaling
    std::optional<double> rest_factor;   ///< pixels outside the listed units (aoi_total given)
    double aoi_before = 0;
    double aoi_after = 0;
};

/// Rescales `population` (people per pixel) in place so that each unit listed in the census
/// matches its total, and the AOI matches `aoi_total` (the rest of the AOI absorbing the
/// difference). InputError (file = `scenario_file`, key analysis.census.units."X") for a unit
/// the admin layer does not have, or a unit/rest with no people to scale.
[[nodiscard]] CensusScaling apply_census(const CensusConfig& census, std::vector<float>& population,
                                         std::span<const std::uint8_t> aoi_mask, const AdminUnits* admin,
                                         const std::string& scenario_file);

/// One predicted layer as the analysis sees it (SiteTable::layers order).
struct LayerInfo {
    std::string name;           ///< "Viettel LTE B3"
    std::string slug;           ///< folder name, "viettel_lte_b3"
    std::string operator_name;
    radio::Technology tech = radio::Technology::lte;
    std::string band;
    std::string signal;         ///< "RSRP", "RSCP" or "RxLev"
};

/// A site in the grid CRS, for the distance from a gap to the operator's nearest site.
struct SitePoint {
    std::string operator_name;
    double x_m = 0;
    double y_m = 0;
};

/// A cell of the site table as the per-cell statistics see it (SiteTable::cells order: the
/// values of the best-server rasters).
struct CellInfo {
    std::string cell_id;
    std::string site_id;
    std::string operator_name;
    std::size_t layer = 0;      ///< index into the LayerInfo list
    radio::Technology tech = radio::Technology::lte;
    std::string band;
    double lon_deg = 0;         ///< WGS 84
    double lat_deg = 0;
    double x_m = 0;             ///< grid CRS
    double y_m = 0;
    double azimuth_deg = 0;     ///< boresight, degrees clockwise from north
    double height_agl_m = 0;
};

/// A cell's best-server area (the AOI pixels where it is the layer's best server): its size, the
/// people in it and the mean of the layer's maps over it. Sums in pixel order: deterministic.
struct CellStats {
    std::uint64_t pixels = 0;                 ///< AOI pixels it serves best
    double area_km2 = 0;                      ///< pixels × pixel area
    double people = 0;                        ///< people in them (nodata pixels count 0)
    std::optional<double> mean_signal_dbm;    ///< mean best-server signal (RSRP, RSCP, RxLev), dBm
    std::optional<double> mean_sinr_db;       ///< LTE/NR: mean SINR, dB
};

/// What the statistics are computed over: one layer, an operator's layers of one technology
/// (covered where any of them covers), or every operator's layers of one technology.
enum class ViewKind { layer, operator_union, technology_union };
[[nodiscard]] const char* view_kind_name(ViewKind kind);  ///< "layer", "operator", "all_operators"

struct View {
    ViewKind kind = ViewKind::layer;
    std::string name;           ///< "Viettel LTE B3", "Viettel LTE", "LTE (all operators)"
    std::string slug;           ///< "viettel_lte_b3", "viettel_lte", "all_operators_lte"
    std::string operator_name;  ///< empty for a technology union
    radio::Technology tech = radio::Technology::lte;
    std::string signal;
    std::vector<std::size_t> layers;  ///< member layers (indices into the LayerInfo list)
};

/// Population (people) and pixels per class.
struct ClassStats {
    std::array<double, kClasses> population{};
    std::array<std::uint64_t, kClasses> pixels{};
    [[nodiscard]] double covered_population() const { return population[kFair] + population[kGood]; }
    [[nodiscard]] std::uint64_t covered_pixels() const { return pixels[kFair] + pixels[kGood]; }
    void add(const ClassStats& o);
};

struct ViewResult {
    View view;
    ClassStats aoi;                        ///< whole AOI
    std::vector<ClassStats> units;         ///< per admin unit
    std::vector<double> sensitivity_people;  ///< people with signal ≥ each sensitivity threshold
};

/// A connected uncovered, populated area (4-connected pixels: pixels touching only at a corner are
/// different gaps), GDAL-polygonised (4-connected, so the outline is valid by construction: holes
/// may touch the shell at a vertex, rings never cross) and simplified with GEOS.
struct Gap {
    std::string id;                 ///< "gap-0001", by rank after sorting
    std::size_t view = 0;           ///< index into AnalysisResult::views
    std::uint64_t pixels = 0;
    double area_km2 = 0;            ///< pixels × pixel area
    double population = 0;
    std::optional<std::size_t> unit;   ///< admin unit holding most of its people
    std::optional<double> mean_signal_dbm;  ///< best-server signal inside (pixels above the floor)
    std::optional<double> max_signal_dbm;
    std::optional<double> nearest_site_km;  ///< to the operator's (any operator's for a union) nearest site
    std::array<double, kCauses> cause_population{};  ///< people per GapCause inside
    std::uint8_t cause = kCauseNoServer;    ///< the GapCause with the most people (ties: most pixels, then the lower code)
    std::int64_t first_pixel = 0;   ///< row-major index of its first pixel (tie-break)
    std::unique_ptr<OGRGeometry> geometry;  ///< grid CRS
};

/// Everything the stage needs besides the layers themselves. Spans must outlive the Accumulator.
struct AnalysisInputs {
    const geo::Grid& grid;
    std::span<const float> population;        ///< people per pixel (after census rescaling), NaN = nodata
    std::span<const std::uint8_t> aoi_mask;   ///< 1 inside the AOI
    const AdminUnits* admin = nullptr;        ///< optional
    std::vector<LayerInfo> layers;
    std::vector<SitePoint> sites;
    const AnalysisConfig& config;
    /// The site table's cells (cell_infos): with them and each layer's best-server raster, the
    /// statistics per cell (AnalysisResult::cells). Empty: none.
    std::vector<CellInfo> cells = {};
};

struct AnalysisResult {
    std::vector<ViewResult> views;     ///< layers (input order), operator unions, technology unions
    std::vector<Gap> gaps;             ///< sorted by population (desc), then area, view, position
    std::vector<double> sensitivity_dbm;  ///< the thresholds of ViewResult::sensitivity_people
    double aoi_population = 0;
    std::uint64_t aoi_pixels = 0;
    std::vector<double> unit_population;      ///< per admin unit
    std::vector<std::uint64_t> unit_pixels;
    double unassigned_population = 0;         ///< AOI pixels in no admin unit
    std::uint64_t unassigned_pixels = 0;
    double pixel_area_km2 = 0;
    std::vector<CellInfo> cell_info;   ///< AnalysisInputs::cells
    std::vector<CellStats> cells;      ///< per cell_info entry (empty without cells)
};

/// The per-view layer data. `sinr_db` and `throughput_mbps` are empty for GSM/UMTS. `server`
/// (best-server cell, index into AnalysisInputs::cells, −1 none) gives the per-cell statistics;
/// empty: none for this layer.
struct LayerData {
    std::span<const float> best_dbm;
    std::span<const float> sinr_db;
    std::span<const float> throughput_mbps;
    std::span<const std::int32_t> server = {};
};

/// The views of a layer list: every layer, every operator × technology, every technology; in that
/// order, each group sorted by name (the layers keep their input order).
[[nodiscard]] std::vector<View> make_views(const std::vector<LayerInfo>& layers);

class Accumulator {
public:
    explicit Accumulator(AnalysisInputs inputs);
    Accumulator(const Accumulator&) = delete;
    Accumulator& operator=(const Accumulator&) = delete;

    /// Classifies layer `layer` (index into inputs.layers), accumulates its statistics, finds its
    /// gaps and merges it into its union views. Returns the layer's class raster (kOutside outside
    /// the AOI) for the caller to write. Safe to call concurrently for different layers; the
    /// result does not depend on the order of the calls.
    std::vector<std::uint8_t> add_layer(std::size_t layer, const LayerData& data);

    /// Statistics and gaps of the union views; every layer must have been added. The class rasters
    /// of the union views stay available through union_classes().
    AnalysisResult finish();

    [[nodiscard]] const std::vector<View>& views() const { return m_views; }
    /// Class raster of union view `view` (after finish()).
    [[nodiscard]] std::span<const std::uint8_t> union_classes(std::size_t view) const;

private:
    struct UnionState {
        std::vector<std::uint8_t> classes;        ///< max over member layers
        std::vector<std::int16_t> best_cdbm;      ///< best member signal, 0.01 dBm; INT16_MIN = none
        std::vector<std::uint8_t> causes;         ///< highest GapCause of the members that do not cover
    };
    ViewResult stats_of(std::size_t view, std::span<const std::uint8_t> classes,
                        const std::function<float(std::size_t)>& signal) const;
    /// The statistics of layer `layer`'s cells (m_layer_cells order) from its best-server raster.
    std::vector<CellStats> cell_stats(std::size_t layer, const LayerData& data) const;
    std::vector<Gap> gaps_of(std::size_t view, std::span<const std::uint8_t> classes,
                             std::span<const float> signal, std::span<const std::uint8_t> causes) const;
    /// The gap shapes of a gap mask (components, people, outlines): they depend only on which
    /// pixels are uncovered, so views with the same mask (an operator's only layer and its union,
    /// say) share them. Computed once per distinct mask.
    struct GapShapes;
    std::shared_ptr<const GapShapes> gap_shapes(std::vector<std::uint8_t> mask, std::size_t count) const;

    AnalysisInputs m_in;
    std::vector<View> m_views;
    std::vector<double> m_sensitivity_dbm;
    std::vector<std::optional<ViewResult>> m_results;
    std::vector<std::vector<Gap>> m_gaps;
    std::vector<UnionState> m_unions;  ///< per view (empty for layer views)
    std::vector<CellStats> m_cells;    ///< per AnalysisInputs::cells; each written by its layer only
    std::vector<std::vector<std::size_t>> m_layer_cells;  ///< per layer: its cells, ascending
    std::vector<std::size_t> m_position;                  ///< per cell: its place in m_layer_cells
    std::vector<bool> m_added;
    std::mutex m_mutex;
    struct GapCacheEntry;
    mutable std::mutex m_gap_cache_mutex;
    mutable std::vector<std::shared_ptr<GapCacheEntry>> m_gap_cache;
};

/// The "analysis" section of manifest.json: thresholds, census scaling and the headline figures
/// (population covered per technology per operator and for the union).
[[nodiscard]] nlohmann::ordered_json manifest_section(const AnalysisResult& result, const AnalysisConfig& config,
                                                      const CensusScaling& census, const AdminUnits* admin);

/// The thresholds of every technology as JSON (written into every output's metadata).
[[nodiscard]] nlohmann::ordered_json thresholds_json(const AnalysisConfig& config);


// --- setting the stage up (shared by `phusong run` and `phusong analyse`) ------------------------

/// The layers of a site table as the analysis sees them, in SiteTable::layers order.
[[nodiscard]] std::vector<LayerInfo> layer_infos(const sites::SiteTable& table);

/// The cells of a table, in SiteTable::cells order, with their positions in the grid CRS.
[[nodiscard]] std::vector<CellInfo> cell_infos(const sites::SiteTable& table, const geo::Grid& grid);

/// The sites of a table in the grid CRS (metres).
[[nodiscard]] std::vector<SitePoint> site_points(const sites::SiteTable& table, const geo::Grid& grid);

/// Admin units on the grid (when the scenario names a layer) and the population after census
/// rescaling (a copy: the grid's population raster stays as written).
struct Prepared {
    std::optional<AdminUnits> admin;
    CensusScaling census;
    std::vector<float> population;
};
[[nodiscard]] Prepared prepare(const Scenario& scenario, const geo::Grid& grid, std::vector<float> population,
                               std::span<const std::uint8_t> aoi_mask);

}  // namespace phusong::analysis
