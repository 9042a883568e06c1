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

}  // namespace phusong::sites
