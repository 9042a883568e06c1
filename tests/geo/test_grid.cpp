// The analysis grid: half-open windows, tiling, pixel arithmetic, snapping, UTM zone choice.
// Pure arithmetic: every expected value below is worked out by hand in the comments.

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "phusong/core/error.hpp"
#include "phusong/geo/grid.hpp"

using phusong::geo::Bounds;
using phusong::geo::Grid;
using phusong::geo::make_grid;
using phusong::geo::utm_epsg_for;
using phusong::geo::Window;

namespace {

Grid grid_10m(int cols, int rows, int tile) {
    Grid g;
    g.epsg = 32648;
    g.origin_x_m = 500000.0;
    g.origin_y_m = 2000000.0;
    g.resolution_m = 10.0;
    g.cols = cols;
    g.rows = rows;
    g.tile_size_px = tile;
    return g;
}

/// How many tiles cover each pixel (must be exactly 1 everywhere). Tiles reaching outside the
/// grid would fail the REQUIRE.
std::vector<int> coverage_count(const Grid& g) {
    std::vector<int> n(g.pixel_count(), 0);
    for (const Window& w : g.tiles()) {
        REQUIRE(g.full().intersect(w) == w);
        for (int r = w.row0; r < w.row_end(); ++r) {
            for (int c = w.col0; c < w.col_end(); ++c) ++n[g.index(c, r)];
        }
    }
    return n;
}

}  // namespace

TEST_CASE("Window is half-open: size, contains, end") {
    const Window w{2, 3, 4, 5};  // cols 2..5, rows 3..7
    CHECK(w.col_end() == 6);
    CHECK(w.row_end() == 8);
    CHECK(w.size() == 20);
    CHECK_FALSE(w.empty());
    CHECK(w.contains(2, 3));
    CHECK(w.contains(5, 7));
    CHECK_FALSE(w.contains(6, 3));  // col_end is outside
    CHECK_FALSE(w.contains(2, 8));  // row_end is outside
    CHECK_FALSE(w.contains(1, 3));
    CHECK_FALSE(w.contains(2, 2));
    CHECK(Window{0, 0, 0, 5}.empty());
    CHECK(Window{0, 0, 5, 0}.empty());
    CHECK(Window{0, 0, 0, 5}.size() == 0);
}

TEST_CASE("Window::intersect") {
    const Window a{0, 0, 10, 10};
    SUBCASE("overlapping corner") { CHECK(a.intersect({5, 6, 10, 10}) == Window{5, 6, 5, 4}); }
    SUBCASE("contained") { CHECK(a.intersect({2, 3, 4, 5}) == Window{2, 3, 4, 5}); }
    SUBCASE("symmetric") {
        const Window b{-3, 4, 8, 20};
        CHECK(a.intersect(b) == b.intersect(a));
        CHECK(a.intersect(b) == Window{0, 4, 5, 6});
    }
    SUBCASE("touching edges do not overlap (half-open)") {
        CHECK(a.intersect({10, 0, 5, 5}).empty());
        CHECK(a.intersect({0, 10, 5, 5}).empty());
        CHECK(a.intersect({10, 0, 5, 5}).size() == 0);
    }
    SUBCASE("disjoint") { CHECK(a.intersect({20, 20, 3, 3}).empty()); }
    SUBCASE("with itself") { CHECK(a.intersect(a) == a); }
}

TEST_CASE("Grid::tiles cover the grid exactly once, edge tiles smaller") {
    SUBCASE("sizes not multiples of the tile") {
        const Grid g = grid_10m(1000, 700, 512);
        const auto tiles = g.tiles();
        REQUIRE(tiles.size() == 4);
        CHECK(tiles[0] == Window{0, 0, 512, 512});
        CHECK(tiles[1] == Window{512, 0, 488, 512});  // row-major: next column first
        CHECK(tiles[2] == Window{0, 512, 512, 188});
        CHECK(tiles[3] == Window{512, 512, 488, 188});
        const auto n = coverage_count(g);
        CHECK(std::count(n.begin(), n.end(), 1) == static_cast<std::ptrdiff_t>(g.pixel_count()));
    }
    SUBCASE("exact multiples: no empty edge tile") {
        const Grid g = grid_10m(128, 64, 64);
        const auto tiles = g.tiles();
        REQUIRE(tiles.size() == 2);
        CHECK(tiles[1] == Window{64, 0, 64, 64});
        for (const Window& w : tiles) CHECK_FALSE(w.empty());
    }
    SUBCASE("grid smaller than one tile") {
        const Grid g = grid_10m(7, 3, 512);
        const auto tiles = g.tiles();
        REQUIRE(tiles.size() == 1);
        CHECK(tiles[0] == g.full());
    }
    SUBCASE("odd sizes, small tiles") {
        const Grid g = grid_10m(139, 145, 64);  // the tiny fixture's grid: 3 × 3 tiles
        CHECK(g.tiles().size() == 9);
        std::size_t total = 0;
        for (const Window& w : g.tiles()) total += w.size();
        CHECK(total == g.pixel_count());
        const auto n = coverage_count(g);
        CHECK(std::count(n.begin(), n.end(), 1) == static_cast<std::ptrdiff_t>(g.pixel_count()));
    }
}

TEST_CASE("Grid geotransform, bounds, index") {
    const Grid g = grid_10m(30, 20, 512);
    const auto gt = g.geotransform();
    CHECK(gt[0] == 500000.0);
    CHECK(gt[1] == 10.0);
    CHECK(gt[2] == 0.0);
    CHECK(gt[3] == 2000000.0);
    CHECK(gt[4] == 0.0);
    CHECK(gt[5] == -10.0);
    const auto b = g.bounds();
    CHECK(b.min_x == 500000.0);
    CHECK(b.max_x == 500300.0);
    CHECK(b.max_y == 2000000.0);
    CHECK(b.min_y == 1999800.0);
    CHECK(g.pixel_count() == 600);
    CHECK(g.index(0, 0) == 0);
    CHECK(g.index(29, 0) == 29);
    CHECK(g.index(0, 1) == 30);
    CHECK(g.index(29, 19) == 599);
    CHECK(g.pixel_area_m2() == 100.0);
}

TEST_CASE("pixel centres and pixel_of round trip") {
    const Grid g = grid_10m(30, 20, 512);
    CHECK(g.col_center_x(0) == 500005.0);
    CHECK(g.row_center_y(0) == 1999995.0);
    CHECK(g.fcol(g.col_center_x(3)) == doctest::Approx(3.5));
    CHECK(g.frow(g.row_center_y(7)) == doctest::Approx(7.5));
    for (int r = 0; r < g.rows; ++r) {
        for (int c = 0; c < g.cols; ++c) {
            const auto p = g.pixel_of(g.col_center_x(c), g.row_center_y(r));
            REQUIRE(p.has_value());
            CHECK((*p)[0] == c);
            CHECK((*p)[1] == r);
        }
    }
    SUBCASE("edges: the top-left corner is in, the right and bottom edges are out") {
        const auto tl = g.pixel_of(500000.0, 2000000.0);
        REQUIRE(tl.has_value());
        CHECK((*tl)[0] == 0);
        CHECK((*tl)[1] == 0);
        CHECK_FALSE(g.pixel_of(500300.0, 1999990.0).has_value());  // x = right edge
        CHECK_FALSE(g.pixel_of(500005.0, 1999800.0).has_value());  // y = bottom edge
        const auto br = g.pixel_of(500299.999, 1999800.001);
        REQUIRE(br.has_value());
        CHECK((*br)[0] == 29);
        CHECK((*br)[1] == 19);
        CHECK_FALSE(g.pixel_of(499999.999, 1999990.0).has_value());  // left of the grid
        CHECK_FALSE(g.pixel_of(500005.0, 2000000.001).has_value());  // above the grid
    }
    SUBCASE("a pixel boundary belongs to the pixel to its right / below") {
        const auto p = g.pixel_of(500010.0, 1999990.0);
        REQUIRE(p.has_value());
        CHECK((*p)[0] == 1);
        CHECK((*p)[1] == 1);
    }
}

TEST_CASE("make_grid snaps the origin to the resolution and adds the margin") {
    SUBCASE("no margin: outward to the next multiples") {
        // x: floor(1005/10)*10 = 1000, ceil(1995/10)*10 = 2000; y: 2000 .. 3000.
        const Grid g = make_grid({1005.0, 2003.0, 1995.0, 2997.0}, 0.0, 10.0, 64, 32648, "wkt");
        CHECK(g.origin_x_m == 1000.0);
        CHECK(g.origin_y_m == 3000.0);
        CHECK(g.cols == 100);
        CHECK(g.rows == 100);
        CHECK(g.resolution_m == 10.0);
        CHECK(g.tile_size_px == 64);
        CHECK(g.epsg == 32648);
        CHECK(g.crs_wkt == "wkt");
    }
    SUBCASE("margin widens every side before snapping") {
        // x: floor(905/10)*10 = 900, ceil(2095/10)*10 = 2100 → 120 cols;
        // y: floor(1903/10)*10 = 1900, ceil(3097/10)*10 = 3100 → 120 rows.
        const Grid g = make_grid({1005.0, 2003.0, 1995.0, 2997.0}, 100.0, 10.0, 64, 32648, "");
        CHECK(g.origin_x_m == 900.0);
        CHECK(g.origin_y_m == 3100.0);
        CHECK(g.cols == 120);
        CHECK(g.rows == 120);
    }
    SUBCASE("bounds already on the lattice are kept") {
        const Grid g = make_grid({600.0, 1200.0, 1200.0, 1500.0}, 0.0, 30.0, 512, 32648, "");
        CHECK(g.origin_x_m == 600.0);
        CHECK(g.origin_y_m == 1500.0);
        CHECK(g.cols == 20);
        CHECK(g.rows == 10);
    }
    SUBCASE("realistic UTM bounds: origin on the lattice, bounds contain AOI + margin") {
        const Bounds aoi{558123.4, 2352345.6, 566321.0, 2360876.5};
        const double margin = 1000.0;
        const double res = 60.0;
        const Grid g = make_grid(aoi, margin, res, 64, 32648, "");
        CHECK(std::fmod(g.origin_x_m, res) == 0.0);
        CHECK(std::fmod(g.origin_y_m, res) == 0.0);
        // 557123.4 / 60 = 9285.39 → 557100; 2361876.5 / 60 = 39364.6 → 2361900.
        CHECK(g.origin_x_m == 557100.0);
        CHECK(g.origin_y_m == 2361900.0);
        const Bounds b = g.bounds();
        CHECK(b.min_x <= aoi.min_x - margin);
        CHECK(b.max_x >= aoi.max_x + margin);
        CHECK(b.min_y <= aoi.min_y - margin);
        CHECK(b.max_y >= aoi.max_y + margin);
        CHECK(b.min_x > aoi.min_x - margin - res);  // no more than one extra pixel per side
        CHECK(b.max_x < aoi.max_x + margin + res);
        CHECK(b.min_y > aoi.min_y - margin - res);
        CHECK(b.max_y < aoi.max_y + margin + res);
    }
    SUBCASE("grids of different AOIs align pixel for pixel") {
        const Grid a = make_grid({1003.0, 2007.0, 1500.0, 2500.0}, 0.0, 30.0, 512, 32648, "");
        const Grid b = make_grid({1217.0, 2111.0, 1900.0, 2900.0}, 55.0, 30.0, 512, 32648, "");
        const double dx = (a.origin_x_m - b.origin_x_m) / 30.0;
        const double dy = (a.origin_y_m - b.origin_y_m) / 30.0;
        CHECK(dx == std::round(dx));
        CHECK(dy == std::round(dy));
    }
    SUBCASE("negative coordinates snap outward too") {
        // floor(-15/10)*10 = -20, ceil(-5/10)*10 = -0 → 2 cols.
        const Grid g = make_grid({-15.0, -15.0, -5.0, -5.0}, 0.0, 10.0, 512, 3857, "");
        CHECK(g.origin_x_m == -20.0);
        CHECK(g.origin_y_m == 0.0);
        CHECK(g.cols == 2);
        CHECK(g.rows == 2);
    }
    SUBCASE("a non-positive resolution is a bug, not an input error") {
        CHECK_THROWS_AS((void)make_grid({0, 0, 10, 10}, 0.0, 0.0, 512, 32648, ""),
                        phusong::InternalError);
        CHECK_THROWS_AS((void)make_grid({0, 0, 10, 10}, 0.0, -30.0, 512, 32648, ""),
                        phusong::InternalError);
    }
    SUBCASE("an absurdly large grid is refused with the fix") {
        try {
            (void)make_grid({0, 0, 2.0e6, 2.0e6}, 0.0, 1.0, 512, 32648, "");
            FAIL("expected InputError");
        } catch (const phusong::InputError& e) {
            CHECK(std::string(e.what()).find("resolution_m") != std::string::npos);
        }
    }
}

TEST_CASE("utm_epsg_for") {
    SUBCASE("northern hemisphere") {
        CHECK(utm_epsg_for(105.8542, 21.0285) == 32648);  // Hà Nội
        CHECK(utm_epsg_for(105.60, 21.31) == 32648);      // Vĩnh Yên
        CHECK(utm_epsg_for(106.70, 10.78) == 32648);      // Hồ Chí Minh City
        CHECK(utm_epsg_for(-0.1276, 51.5072) == 32630);   // London: zone 30
        CHECK(utm_epsg_for(2.35, 48.85) == 32631);        // Paris: zone 31
    }
    SUBCASE("southern hemisphere") {
        CHECK(utm_epsg_for(106.85, -6.21) == 32748);      // Jakarta
        CHECK(utm_epsg_for(151.21, -33.87) == 32756);     // Sydney
        CHECK(utm_epsg_for(-43.17, -22.91) == 32723);     // Rio de Janeiro
        CHECK(utm_epsg_for(105.0, -0.0001) == 32748);     // just south of the equator
        CHECK(utm_epsg_for(105.0, 0.0) == 32648);         // the equator itself: north
    }
    SUBCASE("zone edges: each zone is [start, start + 6) degrees") {
        CHECK(utm_epsg_for(102.0, 21.0) == 32648);        // zone 48 starts at 102 E
        CHECK(utm_epsg_for(101.9999, 21.0) == 32647);
        CHECK(utm_epsg_for(107.9999, 21.0) == 32648);
        CHECK(utm_epsg_for(108.0, 21.0) == 32649);
        CHECK(utm_epsg_for(0.0, 10.0) == 32631);
        CHECK(utm_epsg_for(-0.0001, 10.0) == 32630);
        CHECK(utm_epsg_for(-180.0, 10.0) == 32601);
        CHECK(utm_epsg_for(-174.0001, 10.0) == 32601);
        CHECK(utm_epsg_for(-174.0, 10.0) == 32602);
        CHECK(utm_epsg_for(179.9999, 10.0) == 32660);
        CHECK(utm_epsg_for(174.0, -10.0) == 32760);
    }
    SUBCASE("lon 180 is the antimeridian: the same zone as -180, never zone 61") {
        const int z = utm_epsg_for(180.0, 10.0);
        CHECK(z == utm_epsg_for(-180.0, 10.0));
        CHECK(z == 32601);
        CHECK(utm_epsg_for(180.0, -10.0) == 32701);
    }
    SUBCASE("longitudes outside [-180, 180) wrap") {
        CHECK(utm_epsg_for(105.85 - 360.0, 21.0) == 32648);
        CHECK(utm_epsg_for(186.0, 21.0) == 32602);  // = -174
    }
}

TEST_CASE("sample_bilinear: exact on a plane, NaN off the grid or next to nodata") {
    Grid g = grid_10m(4, 3, 512);
    std::vector<float> v(12);
    for (int r = 0; r < 3; ++r) {
        for (int c = 0; c < 4; ++c) v[g.index(c, r)] = static_cast<float>(2.0 * c + 5.0 * r);
    }
    using phusong::geo::sample_bilinear;
    // Pixel centres are at fcol = c + 0.5, frow = r + 0.5: there the value is 2c + 5r exactly.
    CHECK(sample_bilinear(g, v, 0.5, 0.5) == doctest::Approx(0.0));
    CHECK(sample_bilinear(g, v, 1.5, 2.5) == doctest::Approx(12.0));
    CHECK(sample_bilinear(g, v, 1.75, 1.25) == doctest::Approx(2.0 * 1.25 + 5.0 * 0.75));
    // The outer half pixel repeats the edge value.
    CHECK(sample_bilinear(g, v, 0.0, 0.5) == doctest::Approx(0.0));
    CHECK(sample_bilinear(g, v, 4.0, 2.9) == doctest::Approx(2.0 * 3 + 5.0 * 2));
    CHECK(std::isnan(sample_bilinear(g, v, -0.1, 1.0)));
    CHECK(std::isnan(sample_bilinear(g, v, 1.0, 3.1)));
    CHECK(std::isnan(sample_bilinear(g, v, 4.1, 1.0)));
    v[g.index(2, 1)] = std::numeric_limits<float>::quiet_NaN();
    CHECK(std::isnan(sample_bilinear(g, v, 2.0, 1.0)));
    CHECK(std::isnan(sample_bilinear(g, v, 3.0, 2.0)));
    CHECK_FALSE(std::isnan(sample_bilinear(g, v, 0.6, 0.6)));
}
