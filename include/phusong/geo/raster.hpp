#pragma once
/// Reading rasters onto the analysis grid (DESIGN.md "Inputs onto the grid"). In memory, float
/// rasters carry nodata as NaN; it is never read as 0 m or 0 people.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "phusong/core/scenario.hpp"
#include "phusong/geo/grid.hpp"

class OGRGeometry;

namespace phusong::geo {

enum class Resampling { nearest, bilinear, mode };

/// Warps band 1 of a raster onto the grid, applying the band's scale/offset (GDAL metadata).
/// InputError if it cannot be read or does not overlap the grid at all.
[[nodiscard]] std::vector<float> warp_to_grid(const std::filesystem::path& path,
                                              const std::string& role, const Grid& grid,
                                              Resampling resampling);

struct DemOnGrid {
    std::vector<float> height_m;  ///< terrain height per grid pixel, m; NaN = nodata or void
    std::size_t voids = 0;        ///< source pixels taken as voids by convention (no nodata declared)
    std::string voids_where;      ///< the first void and their bounding box, lon/lat (WGS 84)
};

/// Warps a DEM onto the grid (bilinear), applying the band's scale/offset. When the file declares
/// no nodata, the common void conventions in the part that covers the grid (-32768 in an int16
/// band, -9999, heights above 9,000 m or below -500 m) are taken as nodata and counted.
[[nodiscard]] DemOnGrid warp_dem_to_grid(const std::filesystem::path& path, const Grid& grid);

/// The receiver's clutter loss per grid pixel, dB: the land-cover raster put on the grid by mode
/// (its nodata kept: 0 dB there), each code's loss from `classes` ([clutter.<code>]). Codes without
/// an entry get 0 dB, with a warning listing them and their pixel counts.
[[nodiscard]] std::vector<float> clutter_loss_on_grid(const std::filesystem::path& path,
                                                      const std::map<int, ClutterClass>& classes,
                                                      const Grid& grid);

struct PopulationOnGrid {
    std::vector<float> people;   ///< people per grid pixel, NaN where the source has nodata
    double source_sum = 0;       ///< sum of the source pixels whose people landed on the grid
    std::string method;          ///< "index-redistribution" or "gdal-sum"
};

/// Resamples a people-per-pixel raster onto the grid preserving mass. When source pixels are
/// larger than grid pixels (the usual case: WorldPop 1 km onto 30 m), every source pixel's count
/// is shared equally by the grid pixels whose centres fall in it (found by warping the source
/// pixel index with nearest neighbour), so each source pixel's mass is kept exactly. When grid
/// pixels are larger, GDAL's area-weighted "sum" resampling is used. The band's scale is applied
/// (an offset is refused); a value that is not nodata must be finite, ≥ 0 and at most 500,000
/// people per km² of its pixel, else InputError naming the pixel.
[[nodiscard]] PopulationOnGrid resample_population(const std::filesystem::path& path,
                                                   const Grid& grid);

/// 1 where the pixel centre lies inside `geometry_grid_crs` (GDAL's default rasterisation rule).
[[nodiscard]] std::vector<std::uint8_t> rasterize_mask(const Grid& grid,
                                                       const OGRGeometry& geometry_grid_crs);

/// Reference value: Σ source pixel value × (area of pixel ∩ polygon) / (pixel area), with the
/// polygon in the raster's own CRS. Exact up to the source pixels' own planar approximation.
[[nodiscard]] double area_weighted_sum(const std::filesystem::path& raster_path,
                                       const OGRGeometry& polygon_raster_crs);

}  // namespace phusong::geo
