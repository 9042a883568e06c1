#pragma once
/// Sites located on the analysis grid: position in the grid CRS and ground height from the DEM.

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

}  // namespace phusong::sites
