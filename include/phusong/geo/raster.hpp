#pragma once
/// Reading rasters onto the analysis grid (DESIGN.md "Inputs onto the grid"). In memory, float
/// rasters carry nodata as NaN; it is never read as 0 m or 0 people.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "phusong/geo/grid.hpp"

class OGRGeometry;

namespace phusong::geo {

enum class Resampling { nearest, bilinear, mode };

/// Warps band 1 of a raster onto the grid. InputError if it cannot be read or does not overlap
/// the grid at all.
[[nodiscard]] std::vector<float> warp_to_grid(const std::filesystem::path& path,
                                              const std::string& role, const Grid& grid,
                                              Resampling resampling);

struct PopulationOnGrid {
    std::vector<float> people;   ///< people per grid pixel, NaN where the source has nodata
    double source_sum = 0;       ///< sum of the source pixels whose people landed on the grid
    std::string method;          ///< "index-redistribution" or "gdal-sum"
};

/// Resamples a people-per-pixel raster onto the grid preserving mass. When source pixels are
/// larger than grid pixels (the usual case: WorldPop 1 km onto 30 m), every source pixel's count
/// is shared equally by the grid pixels whose centres fall in it (found by warping the source
/// pixel index with nearest neighbour), so each source pixel's mass is kept exactly. When grid
/// pixels are larger, GDAL's area-weighted "sum" resampling is used.
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
