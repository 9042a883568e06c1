#include "phusong/geo/grid.hpp"

#include <algorithm>
#include <cmath>

#include "phusong/core/error.hpp"

namespace phusong::geo {

Window Window::intersect(const Window& o) const noexcept {
    const int c0 = std::max(col0, o.col0);
    const int r0 = std::max(row0, o.row0);
    const int c1 = std::min(col_end(), o.col_end());
    const int r1 = std::min(row_end(), o.row_end());
    if (c1 <= c0 || r1 <= r0) return {c0, r0, 0, 0};
    return {c0, r0, c1 - c0, r1 - r0};
}

std::array<double, 6> Grid::geotransform() const noexcept {
    return {origin_x_m, resolution_m, 0.0, origin_y_m, 0.0, -resolution_m};
}

std::optional<std::array<int, 2>> Grid::pixel_of(double x, double y) const noexcept {
    const double c = std::floor(fcol(x));
    const double r = std::floor(frow(y));
    if (c < 0 || r < 0 || c >= cols || r >= rows) return std::nullopt;
    return std::array<int, 2>{static_cast<int>(c), static_cast<int>(r)};
}

Bounds Grid::bounds() const noexcept {
    return {origin_x_m, origin_y_m - rows * resolution_m, origin_x_m + cols * resolution_m,
            origin_y_m};
}

std::vector<Window> Grid::tiles() const {
    std::vector<Window> out;
    for (int r = 0; r < rows; r += tile_size_px) {
        for (int c = 0; c < cols; c += tile_size_px) {
            out.push_back({c, r, std::min(tile_size_px, cols - c), std::min(tile_size_px, rows - r)});
        }
    }
    return out;
}

Grid make_grid(const Bounds& bounds, double margin_m, double resolution_m, int tile_size_px,
               int epsg, std::string crs_wkt) {
    if (!(resolution_m > 0)) throw InternalError("make_grid: resolution must be positive");
    const double x0 = std::floor((bounds.min_x - margin_m) / resolution_m) * resolution_m;
    const double x1 = std::ceil((bounds.max_x + margin_m) / resolution_m) * resolution_m;
    const double y0 = std::floor((bounds.min_y - margin_m) / resolution_m) * resolution_m;
    const double y1 = std::ceil((bounds.max_y + margin_m) / resolution_m) * resolution_m;
    Grid g;
    g.epsg = epsg;
    g.crs_wkt = std::move(crs_wkt);
    g.origin_x_m = x0;
    g.origin_y_m = y1;
    g.resolution_m = resolution_m;
    g.cols = static_cast<int>(std::lround((x1 - x0) / resolution_m));
    g.rows = static_cast<int>(std::lround((y1 - y0) / resolution_m));
    g.tile_size_px = tile_size_px;
    if (static_cast<double>(g.cols) * g.rows > 2.0e9) {
        throw InputError("", "grid", "the grid would have " + std::to_string(g.cols) + " × " +
                                         std::to_string(g.rows) +
                                         " pixels; use a coarser resolution_m or a smaller AOI");
    }
    return g;
}

int utm_epsg_for(double lon_deg, double lat_deg) {
    const double wrapped = lon_deg - 360.0 * std::floor((lon_deg + 180.0) / 360.0);
    const int zone = std::clamp(static_cast<int>(std::floor((wrapped + 180.0) / 6.0)) + 1, 1, 60);
    return (lat_deg >= 0 ? 32600 : 32700) + zone;
}

}  // namespace phusong::geo
