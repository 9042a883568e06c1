#pragma once
/// The "grid" stage: choose the CRS, build the analysis grid over the AOI, and put the DEM
/// (bilinear) and the population (mass-preserving) on it.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "phusong/core/scenario.hpp"
#include "phusong/geo/grid.hpp"

class OGRGeometry;

namespace phusong::geo {

struct GridInputs {
    Grid grid;
    std::vector<float> dem_m;                 ///< terrain height, m; NaN = nodata
    std::vector<float> population;            ///< people per pixel; NaN = nodata
    std::vector<float> clutter_loss_db;       ///< receiver clutter loss, dB; empty without inputs.clutter
    std::vector<std::uint8_t> aoi_mask;       ///< 1 where the pixel centre is inside the AOI
    std::shared_ptr<const OGRGeometry> aoi;   ///< AOI union, grid CRS
    double aoi_area_km2 = 0;                  ///< AOI polygon area, km² (grid CRS)
    double people_in_aoi = 0;                 ///< Σ population over AOI pixels
    double people_in_aoi_source = 0;          ///< reference: area-weighted source sum in the AOI
    std::string population_method;            ///< how population was resampled
    std::vector<std::string> repaired;        ///< polygon repairs made while reading the AOI
};

/// Runs the grid stage. Throws InputError for unusable inputs (no CRS, rotated, no overlap, …).
/// With inputs.clutter, also the clutter loss per pixel from `clutter` (clutter_loss_on_grid).
[[nodiscard]] GridInputs build_grid_inputs(const InputsConfig& inputs, const GridConfig& config,
                                           const std::map<int, ClutterClass>& clutter = {});

/// The grid build_grid_inputs makes, from the AOI alone (no raster is read): for the checks made
/// before any work (its size and the memory a run on it needs).
[[nodiscard]] Grid grid_for(const InputsConfig& inputs, const GridConfig& config);

/// The CRS the grid will use: `config.epsg` if given, else the UTM zone of the AOI centroid.
[[nodiscard]] int choose_epsg(const OGRGeometry& aoi_wgs84, const GridConfig& config);

}  // namespace phusong::geo
