#pragma once
/// Sites located on the analysis grid: position in the grid CRS and ground height from the DEM.

#include <span>
#include <vector>

#include "phusong/geo/grid.hpp"
#include "phusong/sites/site_table.hpp"

namespace phusong::sites {

struct SitePlacement {
    double x_m = 0;       ///< easting, grid CRS
    double y_m = 0;       ///< northing, grid CRS
    double ground_m = 0;  ///< terrain height at the site (bilinear from the grid DEM), m
    bool in_aoi = false;  ///< the site's pixel is inside the AOI
};

/// One placement per SiteTable::sites entry. InputError naming the rows of every site that lies
/// outside the grid or where the DEM has no data.
[[nodiscard]] std::vector<SitePlacement> place_sites(const SiteTable& table, const geo::Grid& grid,
                                                     const std::vector<float>& dem_m,
                                                     const std::vector<std::uint8_t>& aoi_mask);

/// The sites (indices into SiteTable::sites) with a DEM void (NaN) within `radius_m` of them:
/// their rays stop at the void, so the pixels behind it get no signal from them.
[[nodiscard]] std::vector<std::size_t> sites_near_voids(const SiteTable& table, std::span<const SitePlacement> placements,
                                                        const geo::Grid& grid, std::span<const float> dem_m,
                                                        double radius_m);

}  // namespace phusong::sites
