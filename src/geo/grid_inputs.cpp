#include "phusong/geo/grid_inputs.hpp"

#include <ogr_geometry.h>
#include <spdlog/spdlog.h>

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

GridInputs build_grid_inputs(const InputsConfig& inputs, const GridConfig& config) {
    GridInputs out;
    const PolygonLayer aoi_wgs84 = read_polygons(inputs.aoi, "AOI", srs_wgs84());
    out.repaired = aoi_wgs84.repaired;
    for (const auto& r : out.repaired) spdlog::warn("{}: {}", inputs.aoi.string(), r);
    const std::unique_ptr<OGRGeometry> aoi_ll = union_all(aoi_wgs84);

    const int epsg = choose_epsg(*aoi_ll, config);
    OGRSpatialReference grid_srs = srs_from_epsg(epsg);
    std::unique_ptr<OGRGeometry> aoi(aoi_ll->clone());
    if (aoi->transform(make_transform(srs_wgs84(), grid_srs).get()) != OGRERR_NONE) {
        throw InputError(inputs.aoi.string(), "", "cannot transform the AOI to EPSG:" + std::to_string(epsg));
    }
    char* wkt = nullptr;
    const char* wkt_options[] = {"FORMAT=WKT2", nullptr};
    grid_srs.exportToWkt(&wkt, wkt_options);
    const std::string crs_wkt = wkt != nullptr ? wkt : "";
    CPLFree(wkt);
    out.grid = make_grid(envelope(*aoi), config.margin_m, config.resolution_m, config.tile_size_px,
                         epsg, crs_wkt);
    out.aoi_area_km2 = OGR_G_Area(OGRGeometry::ToHandle(aoi.get())) / 1e6;
    spdlog::info("grid: EPSG:{}, {} × {} pixels of {} m ({} tiles)", epsg, out.grid.cols,
                 out.grid.rows, out.grid.resolution_m, out.grid.tiles().size());

    out.dem_m = warp_to_grid(inputs.dem, "DEM", out.grid, Resampling::bilinear);
    out.aoi_mask = rasterize_mask(out.grid, *aoi);

    PopulationOnGrid pop = resample_population(inputs.population, out.grid);
    out.population = std::move(pop.people);
    out.population_method = pop.method;
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
    out.aoi = std::shared_ptr<const OGRGeometry>(aoi.release());
    return out;
}

}  // namespace phusong::geo
