#pragma once
/// The analysis grid: one projected, north-up raster frame in metres that every stage works on.
/// Pure arithmetic, no GDAL: the compute kernels use it too.

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <span>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace phusong::geo {

/// A half-open pixel window [col0, col0 + cols) × [row0, row0 + rows).
struct Window {
    int col0 = 0;
    int row0 = 0;
    int cols = 0;
    int rows = 0;

    [[nodiscard]] int col_end() const noexcept { return col0 + cols; }
    [[nodiscard]] int row_end() const noexcept { return row0 + rows; }
    [[nodiscard]] std::size_t size() const noexcept {
        return static_cast<std::size_t>(cols) * static_cast<std::size_t>(rows);
    }
    [[nodiscard]] bool empty() const noexcept { return cols <= 0 || rows <= 0; }
    [[nodiscard]] bool contains(int col, int row) const noexcept {
        return col >= col0 && col < col_end() && row >= row0 && row < row_end();
    }
    /// The overlap of two windows (empty if none).
    [[nodiscard]] Window intersect(const Window& o) const noexcept;
    bool operator==(const Window&) const = default;
};

/// Bounds in some CRS's units: x east, y north.
struct Bounds {
    double min_x = 0;
    double min_y = 0;
    double max_x = 0;
    double max_y = 0;
};

struct Grid {
    int epsg = 0;            ///< EPSG code of the projected CRS
    std::string crs_wkt;     ///< the same CRS as WKT2
    double origin_x_m = 0;   ///< x of the top-left corner of pixel (0, 0), grid CRS metres
    double origin_y_m = 0;   ///< y of the top-left corner of pixel (0, 0), grid CRS metres
    double resolution_m = 0; ///< pixel edge, metres (square pixels, north-up)
    int cols = 0;
    int rows = 0;
    int tile_size_px = 512;

    [[nodiscard]] Window full() const noexcept { return {0, 0, cols, rows}; }
    [[nodiscard]] std::size_t pixel_count() const noexcept { return full().size(); }
    [[nodiscard]] std::size_t index(int col, int row) const noexcept {
        return static_cast<std::size_t>(row) * static_cast<std::size_t>(cols) +
               static_cast<std::size_t>(col);
    }
    /// GDAL geotransform {x0, res, 0, y0, 0, -res}.
    [[nodiscard]] std::array<double, 6> geotransform() const noexcept;
    [[nodiscard]] double col_center_x(int col) const noexcept {
        return origin_x_m + (col + 0.5) * resolution_m;
    }
    [[nodiscard]] double row_center_y(int row) const noexcept {
        return origin_y_m - (row + 0.5) * resolution_m;
    }
    /// Fractional pixel coordinates of a point (col 0.5 = centre of the first column).
    [[nodiscard]] double fcol(double x) const noexcept { return (x - origin_x_m) / resolution_m; }
    [[nodiscard]] double frow(double y) const noexcept { return (origin_y_m - y) / resolution_m; }
    /// The pixel containing (x, y), if it is on the grid.
    [[nodiscard]] std::optional<std::array<int, 2>> pixel_of(double x, double y) const noexcept;
    [[nodiscard]] Bounds bounds() const noexcept;
    /// The tiles that cover the grid, row-major; edge tiles are smaller.
    [[nodiscard]] std::vector<Window> tiles() const;
    /// The grid of a window of this grid (same CRS, resolution and tile size; its origin the
    /// window's top-left corner, a whole number of pixels from this origin, so that pixel centres
    /// are the same values).
    [[nodiscard]] Grid window(const Window& w) const noexcept {
        Grid g = *this;
        g.origin_x_m = origin_x_m + w.col0 * resolution_m;
        g.origin_y_m = origin_y_m - w.row0 * resolution_m;
        g.cols = w.cols;
        g.rows = w.rows;
        return g;
    }
    /// Pixel area, m².
    [[nodiscard]] double pixel_area_m2() const noexcept { return resolution_m * resolution_m; }
};

/// Bilinear sample of a grid raster at fractional pixel coordinates (the centre of pixel (0, 0)
/// is (0.5, 0.5)); edge pixels extend half a pixel outwards. NaN off the grid or where a
/// neighbour is nodata (NaN).
[[nodiscard]] inline double sample_bilinear(const Grid& grid, std::span<const float> values,
                                            double fcol, double frow) noexcept {
    if (!(fcol >= 0 && frow >= 0 && fcol <= grid.cols && frow <= grid.rows)) {
        return std::numeric_limits<double>::quiet_NaN();
    }
    const double x = fcol - 0.5;
    const double y = frow - 0.5;
    const int c0 = static_cast<int>(std::floor(x));
    const int r0 = static_cast<int>(std::floor(y));
    const double fx = x - c0;
    const double fy = y - r0;
    const int ca = std::clamp(c0, 0, grid.cols - 1);
    const int cb = std::clamp(c0 + 1, 0, grid.cols - 1);
    const int ra = std::clamp(r0, 0, grid.rows - 1);
    const int rb = std::clamp(r0 + 1, 0, grid.rows - 1);
    const double v00 = values[grid.index(ca, ra)];
    const double v01 = values[grid.index(cb, ra)];
    const double v10 = values[grid.index(ca, rb)];
    const double v11 = values[grid.index(cb, rb)];
    return (1 - fy) * ((1 - fx) * v00 + fx * v01) + fy * ((1 - fx) * v10 + fx * v11);
}

/// A grid over `bounds` (grid CRS metres) widened by `margin_m`, its origin snapped to a multiple of
/// the resolution so that grids of different runs align pixel for pixel.
[[nodiscard]] Grid make_grid(const Bounds& bounds, double margin_m, double resolution_m,
                             int tile_size_px, int epsg, std::string crs_wkt);

/// EPSG code of the WGS 84 / UTM zone holding (lon, lat) in degrees: 326zz north, 327zz south.
[[nodiscard]] int utm_epsg_for(double lon_deg, double lat_deg);

}  // namespace phusong::geo
