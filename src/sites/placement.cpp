#include "phusong/sites/placement.hpp"

#include <cmath>
#include <limits>

#include "phusong/core/error.hpp"
#include "phusong/geo/gdal.hpp"

namespace phusong::sites {

std::vector<SitePlacement> place_sites(const SiteTable& table, const geo::Grid& grid,
                                       const std::vector<float>& dem_m,
                                       const std::vector<std::uint8_t>& aoi_mask) {
    geo::TransformPtr t = geo::make_transform(geo::srs_wgs84(), geo::srs_from_epsg(grid.epsg));
    std::vector<SitePlacement> out(table.sites.size());
    ProblemList problems;
    for (std::size_t i = 0; i < table.sites.size(); ++i) {
        const Site& s = table.sites[i];
        double x = s.lon_deg;
        double y = s.lat_deg;
        const std::string where = "row " + std::to_string(table.cells[s.cells.front()].row) + " (site " + s.site_id + ")";
        if (!t->Transform(1, &x, &y)) {
            problems.add(table.file, where, "cannot project the site location to the grid CRS");
            continue;
        }
        const auto px = grid.pixel_of(x, y);
        if (!px) {
            problems.add(table.file, where + ", field lon/lat",
                         "site at lon " + std::to_string(s.lon_deg) + ", lat " + std::to_string(s.lat_deg) +
                             " is outside the analysis grid (AOI plus grid.margin_m): remove it or widen the margin");
            continue;
        }
        const double ground = geo::sample_bilinear(grid, dem_m, grid.fcol(x), grid.frow(y));
        if (!std::isfinite(ground)) {
            problems.add(table.file, where + ", field lon/lat",
                         "the DEM has no data at this site: the DEM must cover every site");
            continue;
        }
        out[i] = {x, y, ground, aoi_mask[grid.index((*px)[0], (*px)[1])] != 0};
    }
    problems.throw_if_any();
    return out;
}

std::vector<std::size_t> sites_near_voids(const SiteTable& table, std::span<const SitePlacement> placements,
                                          const geo::Grid& grid, std::span<const float> dem_m, double radius_m) {
    std::vector<std::size_t> out;
    const int r_px = static_cast<int>(std::ceil(radius_m / grid.resolution_m));
    for (std::size_t i = 0; i < table.sites.size() && i < placements.size(); ++i) {
        const auto px = grid.pixel_of(placements[i].x_m, placements[i].y_m);
        if (!px) continue;
        const auto [c0, r0] = *px;
        bool found = false;
        for (int row = std::max(0, r0 - r_px); row <= std::min(grid.rows - 1, r0 + r_px) && !found; ++row) {
            for (int col = std::max(0, c0 - r_px); col <= std::min(grid.cols - 1, c0 + r_px); ++col) {
                const double dx = (col - c0) * grid.resolution_m;
                const double dy = (row - r0) * grid.resolution_m;
                if (dx * dx + dy * dy <= radius_m * radius_m && std::isnan(dem_m[grid.index(col, row)])) {
                    found = true;
                    break;
                }
            }
        }
        if (found) out.push_back(i);
    }
    return out;
}

}  // namespace phusong::sites
