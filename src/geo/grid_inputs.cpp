#include "phusong/geo/grid_inputs.hpp"

#include <ogr_geometry.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>

#include "phusong/core/error.hpp"
#include "phusong/geo/gdal.hpp"
#include "phusong/geo/raster.hpp"
#include "phusong/geo/vector.hpp"

namespace phusong::geo {

int choose_epsg(const OGRGeometry& aoi_wgs84, const GridConfig& config) {
    if (config.epsg) {
        OGRSpatialReference srs = srs_from_epsg(*config.epsg);
        if (!srs.IsProjected()) {
            throw InputError("", "key grid.epsg",
                             "EPSG:" + std::to_string(*config.epsg) +
                                 " is not a projected CRS: the grid needs metres (e.g. a UTM zone)");
        }
        return *config.epsg;
    }
    OGRPoint centroid;
    if (aoi_wgs84.Centroid(&centroid) != OGRERR_NONE) throw GdalError("cannot compute the AOI centroid");
    return utm_epsg_for(centroid.getX(), centroid.getY());
}

namespace {

/// The share of the AOI's pixels where `values` has no data: warned about when any, refused when
/// above grid.max_nodata_share, and always when the whole AOI is without data.
void check_coverage(const GridInputs& g, const std::vector<float>& values, const std::filesystem::path& file,
                    const std::string& role, const GridConfig& config, const OGRGeometry& aoi_ll) {
    std::size_t in_aoi = 0;
    std::size_t missing = 0;
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (g.aoi_mask[i] == 0) continue;
        ++in_aoi;
        if (!std::isfinite(values[i])) ++missing;
    }
    if (in_aoi == 0 || missing == 0) return;
    if (missing == in_aoi) {
        const Bounds b = envelope(aoi_ll);
        throw InputError(file.string(), "",
                         fmt::format("none of the AOI (longitude {:.3f} to {:.3f}°, latitude {:.3f} to {:.3f}°) lies on "
                                     "the {} (it has data only around the AOI): use a {} that covers the AOI, or "
                                     "check the AOI's coordinates (latitude and longitude swapped?)",
                                     b.min_x, b.max_x, b.min_y, b.max_y, role, role));
    }
    const double share = static_cast<double>(missing) / static_cast<double>(in_aoi);
    const std::string text = fmt::format("{:.1f} % of the AOI ({} of {} pixels) has no {} data", 100.0 * share,
                                         missing, in_aoi, role);
    if (share > config.max_nodata_share) {
        throw InputError(file.string(), "",
                         text + fmt::format(", above grid.max_nodata_share = {}: use a {} that covers the AOI, "
                                            "or raise grid.max_nodata_share to accept the gap",
                                            config.max_nodata_share, role));
    }
    spdlog::warn("{}: {} (counted as {})", file.string(), text,
                 role == "DEM" ? "without terrain" : "no people");
}

}  // namespace

namespace {

/// The AOI read and projected, and the grid over it.
struct Frame {
    Grid grid;
    std::unique_ptr<OGRGeometry> aoi_ll;  ///< WGS 84
    std::unique_ptr<OGRGeometry> aoi;     ///< grid CRS
    std::vector<std::string> repaired;
};

Frame frame_of(const InputsConfig& inputs, const GridConfig& config) {
    Frame f;
    const PolygonLayer aoi_wgs84 = read_polygons(inputs.aoi, "AOI", srs_wgs84());
    f.repaired = aoi_wgs84.repaired;
    f.aoi_ll = union_all(aoi_wgs84);
    const int epsg = choose_epsg(*f.aoi_ll, config);
    OGRSpatialReference grid_srs = srs_from_epsg(epsg);
    f.aoi.reset(f.aoi_ll->clone());
    if (f.aoi->transform(make_transform(srs_wgs84(), grid_srs).get()) != OGRERR_NONE) {
        throw InputError(inputs.aoi.string(), "", "cannot transform the AOI to EPSG:" + std::to_string(epsg));
    }
    // A degenerate AOI (a line, a point, a ring drawn back on itself) has no pixel to plan. Its
    // area is not exactly 0 once projected (a straight line in lon/lat bends in UTM): below 1 m²
    // counts as zero.
    if (!(OGR_G_Area(OGRGeometry::ToHandle(f.aoi.get())) >= 1.0)) {
        throw InputError(inputs.aoi.string(), "",
                         "the AOI has zero area (its polygons are lines or points): draw the area to plan");
    }
    char* wkt = nullptr;
    const char* wkt_options[] = {"FORMAT=WKT2", nullptr};
    grid_srs.exportToWkt(&wkt, wkt_options);
    const std::string crs_wkt = wkt != nullptr ? wkt : "";
    CPLFree(wkt);
    f.grid = make_grid(envelope(*f.aoi), config.margin_m, config.resolution_m, config.tile_size_px, epsg, crs_wkt);
    return f;
}

}  // namespace

Grid grid_for(const InputsConfig& inputs, const GridConfig& config) { return frame_of(inputs, config).grid; }

GridInputs build_grid_inputs(const InputsConfig& inputs, const GridConfig& config,
                             const std::map<int, ClutterClass>& clutter) {
    GridInputs out;
    Frame frame = frame_of(inputs, config);
    out.repaired = frame.repaired;
    for (const auto& r : out.repaired) spdlog::warn("{}: {}", inputs.aoi.string(), r);
    const std::unique_ptr<OGRGeometry> aoi_ll = std::move(frame.aoi_ll);
    std::unique_ptr<OGRGeometry> aoi = std::move(frame.aoi);
    const int epsg = frame.grid.epsg;
    out.grid = frame.grid;
    out.aoi_area_km2 = OGR_G_Area(OGRGeometry::ToHandle(aoi.get())) / 1e6;
    spdlog::info("grid: EPSG:{}, {} × {} pixels of {} m ({} tiles)", epsg, out.grid.cols,
                 out.grid.rows, out.grid.resolution_m, out.grid.tiles().size());

    DemOnGrid dem = warp_dem_to_grid(inputs.dem, out.grid);
    out.dem_m = std::move(dem.height_m);
    if (dem.voids > 0) {
        spdlog::warn("{}: {} pixels hold -32768, -9999 or heights outside -500…9,000 m and the file declares "
                     "no nodata: taken as voids (no data), {}; a site on a void is refused; declare the "
                     "nodata value (gdal_edit.py -a_nodata) if these are voids",
                     inputs.dem.string(), dem.voids, dem.voids_where);
    }
    out.aoi_mask = rasterize_mask(out.grid, *aoi);
    if (std::none_of(out.aoi_mask.begin(), out.aoi_mask.end(), [](std::uint8_t m) { return m != 0; })) {
        throw InputError(inputs.aoi.string(), "",
                         fmt::format("the AOI holds no pixel centre of the {} m grid: draw a larger area or "
                                     "use a finer grid.resolution_m",
                                     out.grid.resolution_m));
    }
    check_coverage(out, out.dem_m, inputs.dem, "DEM", config, *aoi_ll);

    PopulationOnGrid pop = resample_population(inputs.population, out.grid);
    out.population = std::move(pop.people);
    out.population_method = pop.method;
    check_coverage(out, out.population, inputs.population, "population", config, *aoi_ll);
    for (std::size_t i = 0; i < out.population.size(); ++i) {
        if (out.aoi_mask[i] != 0 && std::isfinite(out.population[i])) out.people_in_aoi += out.population[i];
    }
    // Reference: the source raster summed over the AOI by exact pixel ∩ polygon areas.
    DatasetPtr pop_ds = open_raster(inputs.population, "population");
    OGRSpatialReference pop_srs(*pop_ds->GetSpatialRef());
    pop_srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    pop_ds.reset();
    std::unique_ptr<OGRGeometry> aoi_pop(aoi_ll->clone());
    aoi_pop->transform(make_transform(srs_wgs84(), pop_srs).get());
    out.people_in_aoi_source = area_weighted_sum(inputs.population, *aoi_pop);
    if (inputs.clutter) out.clutter_loss_db = clutter_loss_on_grid(*inputs.clutter, clutter, out.grid);
    out.aoi = std::shared_ptr<const OGRGeometry>(aoi.release());
    return out;
}

}  // namespace phusong::geo
