// Reading rasters onto the grid: bilinear DEM warp, mass-preserving population resampling,
// rasterised masks, the area-weighted reference sum, and the broken inputs open_raster refuses.
// Rasters are tiny temporary GeoTIFFs with hand-computed answers.

#include <doctest/doctest.h>
#include <gdal_priv.h>
#include <ogr_geometry.h>
#include <ogr_spatialref.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <numbers>
#include <optional>
#include <string>
#include <vector>

#include "../test_util.hpp"
#include "phusong/core/error.hpp"
#include "phusong/core/scenario.hpp"
#include "phusong/geo/gdal.hpp"
#include "phusong/geo/grid.hpp"
#include "phusong/geo/grid_inputs.hpp"
#include "phusong/geo/raster.hpp"

namespace fs = std::filesystem;
using phusong::InputError;
using phusong::geo::Grid;
using phusong::test::TempDir;

namespace {

struct TifSpec {
    int cols = 0;
    int rows = 0;
    std::array<double, 6> gt{};
    std::optional<int> epsg;        ///< no CRS when empty
    std::optional<double> nodata;
    GDALDataType type = GDT_Float32;
    bool set_geotransform = true;
};

/// Writes a one-band GeoTIFF with `values` (row-major) and returns its path.
fs::path write_tif(const TempDir& dir, const std::string& name, const TifSpec& spec,
                   std::vector<double> values) {
    phusong::geo::gdal_init();
    REQUIRE(values.size() == static_cast<std::size_t>(spec.cols) * static_cast<std::size_t>(spec.rows));
    const fs::path path = dir.path() / name;
    GDALDriver* gtiff = GetGDALDriverManager()->GetDriverByName("GTiff");
    REQUIRE(gtiff != nullptr);
    GDALDatasetUniquePtr ds(gtiff->Create(path.c_str(), spec.cols, spec.rows, 1, spec.type, nullptr));
    REQUIRE(ds);
    if (spec.set_geotransform) {
        std::array<double, 6> gt = spec.gt;
        REQUIRE(ds->SetGeoTransform(gt.data()) == CE_None);
    }
    if (spec.epsg) {
        OGRSpatialReference srs = phusong::geo::srs_from_epsg(*spec.epsg);
        REQUIRE(ds->SetSpatialRef(&srs) == CE_None);
    }
    GDALRasterBand* band = ds->GetRasterBand(1);
    if (spec.nodata) REQUIRE(band->SetNoDataValue(*spec.nodata) == CE_None);
    REQUIRE(band->RasterIO(GF_Write, 0, 0, spec.cols, spec.rows, values.data(), spec.cols,
                           spec.rows, GDT_Float64, 0, 0) == CE_None);
    ds.reset();
    return path;
}

Grid utm_grid(double origin_x, double origin_y, double res, int cols, int rows) {
    Grid g;
    g.epsg = 32648;
    g.origin_x_m = origin_x;
    g.origin_y_m = origin_y;
    g.resolution_m = res;
    g.cols = cols;
    g.rows = rows;
    g.tile_size_px = 64;
    return g;
}

double finite_sum(const std::vector<float>& v) {
    double s = 0;
    for (float x : v) {
        if (std::isfinite(x)) s += x;
    }
    return s;
}

std::size_t nan_count(const std::vector<float>& v) {
    std::size_t n = 0;
    for (float x : v) n += std::isnan(x) ? 1 : 0;
    return n;
}

/// The InputError message of `f()`, or "" if it did not throw one.
template <class F>
std::string input_error_of(F&& f) {
    try {
        f();
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

/// A deterministic, bumpy population value for source pixel (c, r), ≥ 1; exact in float32, so the
/// totals below equal the file's.
double bumpy(int c, int r) {
    return static_cast<float>(1.0 + 150.0 * (1.0 + std::sin(0.7 * c) * std::cos(0.5 * r)) +
                              ((c * r) % 13) * 10.0);
}

std::unique_ptr<OGRGeometry> hexagon(double cx, double cy, double radius) {
    auto ring = std::make_unique<OGRLinearRing>();
    for (int k = 0; k < 6; ++k) {
        const double a = (0.3 + k) * std::numbers::pi / 3.0;  // rotated: no edge parallel to the grid
        ring->addPoint(cx + radius * std::cos(a), cy + radius * std::sin(a));
    }
    ring->closeRings();
    auto poly = std::make_unique<OGRPolygon>();
    poly->addRingDirectly(ring.release());
    return poly;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// DEM: bilinear warp

TEST_CASE("bilinear warp of a plane DEM gives the plane") {
    TempDir dir;
    // Source: 100 × 100 pixels of 10 m, UTM 48N; z = 100 + 0.05 (x − 500000) + 0.02 (y − 2000000).
    auto plane = [](double x, double y) { return 100.0 + 0.05 * (x - 500000.0) + 0.02 * (y - 2000000.0); };
    TifSpec spec{100, 100, {500000.0, 10.0, 0.0, 2001000.0, 0.0, -10.0}, 32648, -9999.0};
    std::vector<double> z(100 * 100);
    for (int r = 0; r < 100; ++r) {
        for (int c = 0; c < 100; ++c) z[r * 100 + c] = plane(500005.0 + 10.0 * c, 2000995.0 - 10.0 * r);
    }
    const fs::path dem = write_tif(dir, "plane.tif", spec, z);

    auto check_plane = [&](const Grid& g) {
        const std::vector<float> v = phusong::geo::warp_to_grid(dem, "DEM", g, phusong::geo::Resampling::bilinear);
        REQUIRE(v.size() == g.pixel_count());
        double worst = 0;
        for (int r = 0; r < g.rows; ++r) {
            for (int c = 0; c < g.cols; ++c) {
                const double want = plane(g.col_center_x(c), g.row_center_y(r));
                const double got = v[g.index(c, r)];
                REQUIRE(std::isfinite(got));
                worst = std::max(worst, std::abs(got - want));
            }
        }
        // GDAL's kernel arithmetic leaves ~3 mm; a half-pixel shift would be off by ≥ 0.17 m.
        CHECK(worst < 0.01);
    };
    SUBCASE("finer, unaligned grid (7 m, origin off the source lattice)") {
        check_plane(utm_grid(500103.0, 2000897.0, 7.0, 100, 100));
    }
    SUBCASE("coarser, unaligned grid (25 m)") {
        check_plane(utm_grid(500153.0, 2000848.0, 25.0, 20, 20));
    }
}

TEST_CASE("DEM nodata stays NaN on the grid, never 0 m") {
    TempDir dir;
    // 20 × 20 int16 DEM of 10 m, heights 50 + c + r, with a 4 × 4 hole of nodata at cols/rows 8..11.
    TifSpec spec{20, 20, {500000.0, 10.0, 0.0, 2000200.0, 0.0, -10.0}, 32648, -32768.0, GDT_Int16};
    std::vector<double> z(400);
    for (int r = 0; r < 20; ++r) {
        for (int c = 0; c < 20; ++c) {
            const bool hole = c >= 8 && c < 12 && r >= 8 && r < 12;
            z[r * 20 + c] = hole ? -32768.0 : 50.0 + c + r;
        }
    }
    const fs::path dem = write_tif(dir, "holes.tif", spec, z);
    // The grid is the source frame itself, so bilinear samples fall on source centres.
    const Grid g = utm_grid(500000.0, 2000200.0, 10.0, 20, 20);
    const auto v = phusong::geo::warp_to_grid(dem, "DEM", g, phusong::geo::Resampling::bilinear);
    for (int r = 0; r < 20; ++r) {
        for (int c = 0; c < 20; ++c) {
            const bool hole = c >= 8 && c < 12 && r >= 8 && r < 12;
            const float got = v[g.index(c, r)];
            if (hole) {
                CHECK_MESSAGE(std::isnan(got), "pixel ", c, ",", r, " = ", got);
            } else {
                CHECK_MESSAGE(got == doctest::Approx(50.0 + c + r).epsilon(1e-6), "pixel ", c, ",", r);
            }
        }
    }
    CHECK(nan_count(v) == 16);
}

TEST_CASE("a DEM that does not reach the grid is an InputError naming the file") {
    TempDir dir;
    TifSpec spec{4, 4, {500000.0, 10.0, 0.0, 2000040.0, 0.0, -10.0}, 32648, -9999.0};
    const fs::path dem = write_tif(dir, "far.tif", spec, std::vector<double>(16, 12.0));
    const Grid g = utm_grid(600000.0, 2100000.0, 10.0, 10, 10);  // 100 km away
    const std::string msg = input_error_of(
        [&] { (void)phusong::geo::warp_to_grid(dem, "DEM", g, phusong::geo::Resampling::bilinear); });
    CHECK(contains(msg, dem.string()));
    CHECK(contains(msg, "DEM"));
}

// ---------------------------------------------------------------------------------------------
// Population: mass-preserving resampling

TEST_CASE("resample_population keeps the total exactly when source pixels are larger") {
    TempDir dir;
    // Source: 10 × 10 pixels of 100 m. Grid: 10 m, origin off the source lattice, covering it all.
    TifSpec spec{10, 10, {500000.0, 100.0, 0.0, 2001000.0, 0.0, -100.0}, 32648, -99999.0};
    std::vector<double> pop(100);
    double total = 0;
    for (int r = 0; r < 10; ++r) {
        for (int c = 0; c < 10; ++c) total += pop[r * 10 + c] = bumpy(c, r);
    }
    const fs::path path = write_tif(dir, "pop100.tif", spec, pop);
    const Grid g = utm_grid(499953.0, 2001047.0, 10.0, 120, 120);
    const auto res = phusong::geo::resample_population(path, g);
    CHECK(res.method == "index-redistribution");
    REQUIRE(res.people.size() == g.pixel_count());
    CHECK(finite_sum(res.people) == doctest::Approx(total).epsilon(1e-6));
    CHECK(res.source_sum == doctest::Approx(total).epsilon(1e-9));
    // Grid pixels beyond the source have no data, not 0 people.
    CHECK(std::isnan(res.people[g.index(0, 0)]));
    CHECK(std::isnan(res.people[g.index(119, 119)]));
    // Each source pixel is shared by the ~100 grid pixels whose centres fall in it (90..110 here).
    const auto p = g.pixel_of(500050.0, 2000950.0);  // centre of source pixel (0, 0)
    REQUIRE(p.has_value());
    const float share = res.people[g.index((*p)[0], (*p)[1])];
    CHECK(share >= pop[0] / 110.0 - 1e-6);
    CHECK(share <= pop[0] / 90.0 + 1e-6);
    for (float v : res.people) {
        if (std::isfinite(v)) REQUIRE(v >= 0.0f);
    }
}

TEST_CASE("population nodata stays NaN on the grid (never 0 people); real zeros stay 0") {
    TempDir dir;
    std::vector<double> pop(100);
    double total = 0;
    for (int i = 0; i < 100; ++i) pop[i] = bumpy(i % 10, i / 10);
    pop[5] = -99999.0;  // nodata: source pixel (5, 0)
    pop[6] = 0.0;       // really nobody: source pixel (6, 0)
    for (double v : pop) total += v > 0 ? v : 0.0;

    SUBCASE("index-redistribution branch (100 m source, 10 m grid)") {
        TifSpec spec{10, 10, {500000.0, 100.0, 0.0, 2001000.0, 0.0, -100.0}, 32648, -99999.0};
        const fs::path path = write_tif(dir, "pop.tif", spec, pop);
        const Grid g = utm_grid(499953.0, 2001047.0, 10.0, 120, 120);
        const auto res = phusong::geo::resample_population(path, g);
        REQUIRE(res.method == "index-redistribution");
        const auto in_nodata = g.pixel_of(500550.0, 2000950.0);
        const auto in_zero = g.pixel_of(500650.0, 2000950.0);
        REQUIRE(in_nodata.has_value());
        REQUIRE(in_zero.has_value());
        CHECK(std::isnan(res.people[g.index((*in_nodata)[0], (*in_nodata)[1])]));
        CHECK(res.people[g.index((*in_zero)[0], (*in_zero)[1])] == 0.0f);
        CHECK(finite_sum(res.people) == doctest::Approx(total).epsilon(1e-6));
        for (float v : res.people) REQUIRE(v != -99999.0f);
    }
    SUBCASE("gdal-sum branch (10 m source, 30 m grid)") {
        TifSpec spec{10, 10, {500000.0, 10.0, 0.0, 2000100.0, 0.0, -10.0}, 32648, -99999.0};
        // A 10 m pixel holds at most 50 people (resample_population's bound, 500,000/km²):
        // counts / 16, still exact in float32.
        for (double& v : pop) {
            if (v > 0) v /= 16.0;
        }
        total /= 16.0;
        // A 5 × 5 block of nodata (cols/rows 2..6, x 500020..500070) that one whole 30 m grid
        // pixel (x 500025..500055, y 2000075..2000045) lies strictly inside.
        for (int r = 2; r < 7; ++r) {
            for (int c = 2; c < 7; ++c) {
                if (pop[r * 10 + c] > 0) total -= pop[r * 10 + c];
                pop[r * 10 + c] = -99999.0;
            }
        }
        const fs::path path = write_tif(dir, "pop.tif", spec, pop);
        const Grid g = utm_grid(499965.0, 2000135.0, 30.0, 6, 6);
        const auto res = phusong::geo::resample_population(path, g);
        REQUIRE(res.method == "gdal-sum");
        const auto hole = g.pixel_of(500040.0, 2000060.0);
        REQUIRE(hole.has_value());
        CHECK(std::isnan(res.people[g.index((*hole)[0], (*hole)[1])]));
        CHECK(finite_sum(res.people) == doctest::Approx(total).epsilon(1e-4));
        for (float v : res.people) REQUIRE(v != -99999.0f);
    }
}

// Regression: GDAL 3.6's "sum" kernel gives the neighbouring valid pixels a floating-point sliver
// of weight in a grid pixel lying exactly on a block of source nodata (edges aligned: a 10 m
// source under a 30 m grid on the same lattice), which used to read as ~6.5e-12 people.
TEST_CASE("gdal-sum branch: a grid pixel aligned on a nodata block is NaN, not ~0 people") {
    TempDir dir;
    std::vector<double> pop(100, 1.0);
    for (int r = 3; r < 6; ++r) {
        for (int c = 3; c < 6; ++c) pop[r * 10 + c] = -99999.0;
    }
    TifSpec spec{10, 10, {500000.0, 10.0, 0.0, 2000100.0, 0.0, -10.0}, 32648, -99999.0};
    const fs::path path = write_tif(dir, "pop_aligned_hole.tif", spec, pop);
    const Grid g = utm_grid(499970.0, 2000130.0, 30.0, 6, 6);  // grid pixel (2, 2) = the block
    const auto res = phusong::geo::resample_population(path, g);
    REQUIRE(res.method == "gdal-sum");
    const float v = res.people[g.index(2, 2)];
    CHECK_MESSAGE(std::isnan(v), "got ", v, " people over pure nodata");
    CHECK(finite_sum(res.people) == doctest::Approx(91.0).epsilon(1e-5));
}

TEST_CASE("resample_population: the gdal-sum branch keeps the total") {
    TempDir dir;
    std::vector<double> pop(30 * 30);
    double total = 0;
    for (int r = 0; r < 30; ++r) {
        // A 10 m pixel holds at most 50 people (resample_population's bound, 500,000/km²):
        // bumpy / 16, still exact in float32.
        for (int c = 0; c < 30; ++c) total += pop[r * 30 + c] = bumpy(c, r) / 16.0;
    }
    SUBCASE("grid pixels 3× the source pixels, aligned") {
        TifSpec spec{30, 30, {500000.0, 10.0, 0.0, 2000300.0, 0.0, -10.0}, 32648, -99999.0};
        const fs::path path = write_tif(dir, "pop10.tif", spec, pop);
        const auto res = phusong::geo::resample_population(path, utm_grid(499940.0, 2000360.0, 30.0, 14, 14));
        CHECK(res.method == "gdal-sum");
        CHECK(finite_sum(res.people) == doctest::Approx(total).epsilon(1e-5));
        CHECK(res.source_sum == doctest::Approx(total).epsilon(1e-5));
    }
    SUBCASE("grid pixels 3× the source pixels, unaligned") {
        TifSpec spec{30, 30, {500000.0, 10.0, 0.0, 2000300.0, 0.0, -10.0}, 32648, -99999.0};
        const fs::path path = write_tif(dir, "pop10.tif", spec, pop);
        const auto res = phusong::geo::resample_population(path, utm_grid(499947.0, 2000353.0, 30.0, 14, 14));
        CHECK(res.method == "gdal-sum");
        CHECK(finite_sum(res.people) == doctest::Approx(total).epsilon(1e-4));
    }
    SUBCASE("source pixels a little larger than grid pixels (50 m onto 30 m)") {
        TifSpec spec{30, 30, {500000.0, 50.0, 0.0, 2001500.0, 0.0, -50.0}, 32648, -99999.0};
        const fs::path path = write_tif(dir, "pop50.tif", spec, pop);
        const auto res = phusong::geo::resample_population(path, utm_grid(499910.0, 2001590.0, 30.0, 56, 56));
        CHECK(res.method == "gdal-sum");
        CHECK(finite_sum(res.people) == doctest::Approx(total).epsilon(1e-4));
    }
}

TEST_CASE("a negative population count is an InputError naming the file") {
    TempDir dir;
    TifSpec spec{4, 4, {500000.0, 100.0, 0.0, 2000400.0, 0.0, -100.0}, 32648, -99999.0};
    std::vector<double> pop(16, 10.0);
    pop[7] = -3.0;
    const fs::path path = write_tif(dir, "negative.tif", spec, pop);
    const std::string msg = input_error_of(
        [&] { (void)phusong::geo::resample_population(path, utm_grid(499900.0, 2000500.0, 10.0, 60, 60)); });
    CHECK(contains(msg, path.string()));
    CHECK(contains(msg, "negative"));
}

TEST_CASE("people inside a polygon AOI match the area-weighted source sum within 0.5%") {
    TempDir dir;
    // A WorldPop-like source: 30″ pixels in EPSG:4326 around Vĩnh Yên, with a few nodata pixels.
    const double res_deg = 1.0 / 120.0;
    TifSpec spec{24, 22, {105.5, res_deg, 0.0, 21.4, 0.0, -res_deg}, 4326, -99999.0};
    std::vector<double> pop(24 * 22);
    for (int r = 0; r < 22; ++r) {
        for (int c = 0; c < 24; ++c) pop[r * 24 + c] = bumpy(c, r);
    }
    pop[10 * 24 + 11] = -99999.0;
    pop[12 * 24 + 9] = -99999.0;
    const fs::path path = write_tif(dir, "pop_ll.tif", spec, pop);

    const std::unique_ptr<OGRGeometry> aoi_ll = hexagon(105.6, 21.31, 0.04);
    std::unique_ptr<OGRGeometry> aoi_utm(aoi_ll->clone());
    const OGRSpatialReference utm = phusong::geo::srs_from_epsg(32648);
    REQUIRE(aoi_utm->transform(phusong::geo::make_transform(phusong::geo::srs_wgs84(), utm).get()) == OGRERR_NONE);
    OGREnvelope env;
    aoi_utm->getEnvelope(&env);
    const Grid g = phusong::geo::make_grid({env.MinX, env.MinY, env.MaxX, env.MaxY}, 500.0, 30.0,
                                           512, 32648, "");

    const auto res = phusong::geo::resample_population(path, g);
    CHECK(res.method == "index-redistribution");
    const auto mask = phusong::geo::rasterize_mask(g, *aoi_utm);
    double inside = 0;
    std::size_t inside_px = 0;
    for (std::size_t i = 0; i < mask.size(); ++i) {
        if (mask[i] == 0) continue;
        ++inside_px;
        if (std::isfinite(res.people[i])) inside += res.people[i];
    }
    const double area_m2 = OGR_G_Area(OGRGeometry::ToHandle(aoi_utm.get()));
    CHECK(inside_px * g.pixel_area_m2() == doctest::Approx(area_m2).epsilon(0.005));

    const double reference = phusong::geo::area_weighted_sum(path, *aoi_ll);
    REQUIRE(reference > 0);
    CHECK(std::abs(inside - reference) / reference < 0.005);
}

TEST_CASE("area_weighted_sum: hand-computed sums") {
    TempDir dir;
    // 4 × 4 pixels of 100 m, value = 1 + col + 4 row; a polygon covering exactly the middle 2 × 2
    // pixels (6 + 7 + 10 + 11 = 34) and half of each of its left neighbours (5 + 9: 7 more).
    TifSpec spec{4, 4, {500000.0, 100.0, 0.0, 2000400.0, 0.0, -100.0}, 32648, -99999.0};
    std::vector<double> v(16);
    for (int i = 0; i < 16; ++i) v[i] = 1.0 + i;
    const fs::path path = write_tif(dir, "grid4.tif", spec, v);
    OGRLinearRing ring;
    ring.addPoint(500050.0, 2000300.0);
    ring.addPoint(500300.0, 2000300.0);
    ring.addPoint(500300.0, 2000100.0);
    ring.addPoint(500050.0, 2000100.0);
    ring.closeRings();
    OGRPolygon poly;
    poly.addRing(&ring);
    CHECK(phusong::geo::area_weighted_sum(path, poly) == doctest::Approx(34.0 + 7.0));
    SUBCASE("nodata pixels count as nothing") {
        v[5] = -99999.0;  // value 6
        const fs::path holed = write_tif(dir, "grid4_nodata.tif", spec, v);
        CHECK(phusong::geo::area_weighted_sum(holed, poly) == doctest::Approx(34.0 + 7.0 - 6.0));
    }
}

// ---------------------------------------------------------------------------------------------
// Masks

TEST_CASE("rasterize_mask of a rectangle burns the pixels whose centres are inside") {
    // 10 × 10 grid of 10 m; pixel (c, r) has its centre at (500005 + 10c, 2000095 − 10r).
    const Grid g = utm_grid(500000.0, 2000100.0, 10.0, 10, 10);
    auto rect = [](double x0, double y0, double x1, double y1) {
        OGRLinearRing ring;
        ring.addPoint(x0, y0);
        ring.addPoint(x1, y0);
        ring.addPoint(x1, y1);
        ring.addPoint(x0, y1);
        ring.closeRings();
        OGRPolygon poly;
        poly.addRing(&ring);
        return poly;
    };
    SUBCASE("inside the grid: cols 2..4 × rows 2..6") {
        const auto mask = phusong::geo::rasterize_mask(g, rect(500018.0, 2000032.0, 500052.0, 2000078.0));
        REQUIRE(mask.size() == 100);
        int n = 0;
        for (int r = 0; r < 10; ++r) {
            for (int c = 0; c < 10; ++c) {
                const bool want = c >= 2 && c <= 4 && r >= 2 && r <= 6;
                CHECK_MESSAGE((mask[g.index(c, r)] != 0) == want, "pixel ", c, ",", r);
                n += mask[g.index(c, r)];
            }
        }
        CHECK(n == 15);
    }
    SUBCASE("reaching past the grid: clipped, cols 7..9 × rows 0..1") {
        const auto mask = phusong::geo::rasterize_mask(g, rect(500068.0, 2000078.0, 500200.0, 2000200.0));
        int n = 0;
        for (auto m : mask) n += m;
        CHECK(n == 6);
        CHECK(mask[g.index(9, 0)] == 1);
        CHECK(mask[g.index(6, 0)] == 0);
        CHECK(mask[g.index(9, 2)] == 0);
    }
    SUBCASE("outside the grid: nothing") {
        const auto mask = phusong::geo::rasterize_mask(g, rect(600000.0, 2000000.0, 600100.0, 2000100.0));
        int n = 0;
        for (auto m : mask) n += m;
        CHECK(n == 0);
    }
}

// ---------------------------------------------------------------------------------------------
// Broken rasters

TEST_CASE("open_raster rejects broken rasters with a message naming the file") {
    TempDir dir;
    const std::vector<double> ones(16, 1.0);
    const Grid g = utm_grid(499900.0, 2000500.0, 10.0, 60, 60);
    SUBCASE("no CRS") {
        TifSpec spec{4, 4, {500000.0, 100.0, 0.0, 2000400.0, 0.0, -100.0}, std::nullopt, -99999.0};
        const fs::path path = write_tif(dir, "no_crs.tif", spec, ones);
        const std::string msg = input_error_of([&] { (void)phusong::geo::open_raster(path, "DEM"); });
        CHECK(contains(msg, path.string()));
        CHECK(contains(msg, "no CRS"));
        // Every reader goes through open_raster.
        CHECK(contains(input_error_of([&] { (void)phusong::geo::resample_population(path, g); }), path.string()));
        CHECK(contains(input_error_of([&] {
                  (void)phusong::geo::warp_to_grid(path, "DEM", g, phusong::geo::Resampling::bilinear);
              }),
              "no CRS"));
    }
    SUBCASE("rotated geotransform") {
        TifSpec spec{4, 4, {500000.0, 100.0, 5.0, 2000400.0, 5.0, -100.0}, 32648, -99999.0};
        const fs::path path = write_tif(dir, "rotated.tif", spec, ones);
        {  // the fixture really is rotated
            GDALDatasetUniquePtr raw(GDALDataset::Open(path.c_str(), GDAL_OF_RASTER));
            REQUIRE(raw);
            double gt[6];
            REQUIRE(raw->GetGeoTransform(gt) == CE_None);
            REQUIRE(gt[2] != 0.0);
        }
        const std::string msg = input_error_of([&] { (void)phusong::geo::open_raster(path, "population"); });
        CHECK(contains(msg, path.string()));
        CHECK(contains(msg, "rotated"));
        CHECK(contains(input_error_of([&] { (void)phusong::geo::resample_population(path, g); }), "rotated"));
    }
    SUBCASE("no geotransform at all") {
        TifSpec spec{4, 4, {}, 32648, -99999.0};
        spec.set_geotransform = false;
        const fs::path path = write_tif(dir, "no_gt.tif", spec, ones);
        const std::string msg = input_error_of([&] { (void)phusong::geo::open_raster(path, "DEM"); });
        CHECK(contains(msg, path.string()));
        CHECK(contains(msg, "geotransform"));
    }
    SUBCASE("not a raster") {
        const fs::path path = dir.write("not_a_raster.tif", "hello");
        const std::string msg = input_error_of([&] { (void)phusong::geo::open_raster(path, "DEM"); });
        CHECK(contains(msg, path.string()));
    }
    SUBCASE("a good raster opens") {
        TifSpec spec{4, 4, {500000.0, 100.0, 0.0, 2000400.0, 0.0, -100.0}, 32648, -99999.0};
        const fs::path path = write_tif(dir, "good.tif", spec, ones);
        const auto ds = phusong::geo::open_raster(path, "DEM");
        REQUIRE(ds);
        CHECK(ds->GetRasterXSize() == 4);
    }
}

TEST_CASE("a population raster in another CRS (EPSG:3857) is reprojected, not rejected") {
    TempDir dir;
    // 6 × 6 pixels of 1000 Web-Mercator metres (≈ 930 m on the ground at 21° N) near Vĩnh Yên.
    double x = 105.58;
    double y = 21.33;
    const OGRSpatialReference merc = phusong::geo::srs_from_epsg(3857);
    REQUIRE(phusong::geo::make_transform(phusong::geo::srs_wgs84(), merc)->Transform(1, &x, &y));
    x = std::floor(x / 1000.0) * 1000.0;
    y = std::floor(y / 1000.0) * 1000.0;
    TifSpec spec{6, 6, {x, 1000.0, 0.0, y, 0.0, -1000.0}, 3857, -99999.0};
    std::vector<double> pop(36);
    double total = 0;
    for (int i = 0; i < 36; ++i) total += pop[i] = bumpy(i % 6, i / 6);
    const fs::path path = write_tif(dir, "pop_3857.tif", spec, pop);

    // A 30 m UTM grid covering the whole source (its corners transformed, plus a margin).
    const OGRSpatialReference utm = phusong::geo::srs_from_epsg(32648);
    double bx[4] = {x, x + 6000.0, x, x + 6000.0};
    double by[4] = {y, y, y - 6000.0, y - 6000.0};
    REQUIRE(phusong::geo::make_transform(merc, utm)->Transform(4, bx, by));
    const Grid g = phusong::geo::make_grid({*std::min_element(bx, bx + 4), *std::min_element(by, by + 4),
                                            *std::max_element(bx, bx + 4), *std::max_element(by, by + 4)},
                                           300.0, 30.0, 512, 32648, "");
    const auto res = phusong::geo::resample_population(path, g);
    CHECK(res.method == "index-redistribution");
    CHECK(finite_sum(res.people) == doctest::Approx(total).epsilon(1e-6));
    CHECK(res.source_sum == doctest::Approx(total).epsilon(1e-9));
    CHECK(nan_count(res.people) > 0);  // the margin lies outside the source
    // And the same file warps as a DEM too.
    const auto dem = phusong::geo::warp_to_grid(path, "DEM", g, phusong::geo::Resampling::bilinear);
    CHECK(nan_count(dem) < dem.size());
}

// ---------------------------------------------------------------------------------------------
// The real demo data

TEST_CASE("issue #2: Vĩnh Phúc people in the AOI match the area-weighted source within 0.5%") {
    const phusong::Scenario s = phusong::load_scenario(phusong::test::gis_data_dir() / "vinh_phuc.toml");
    const phusong::geo::GridInputs in = phusong::geo::build_grid_inputs(s.inputs, s.grid);
    CHECK(in.grid.epsg == 32648);
    CHECK(in.population_method == "index-redistribution");
    REQUIRE(in.people_in_aoi_source > 0);
    // WorldPop 2020 puts ≈ 0.89 M people in the province (gis_data/README.md).
    CHECK(in.people_in_aoi_source > 800000.0);
    CHECK(in.people_in_aoi_source < 1000000.0);
    const double rel = (in.people_in_aoi - in.people_in_aoi_source) / in.people_in_aoi_source;
    CHECK_MESSAGE(std::abs(rel) < 0.005, "people_in_aoi ", in.people_in_aoi, " vs source ",
                  in.people_in_aoi_source);
    // The province is 1,236 km² (DESIGN.md).
    CHECK(in.aoi_area_km2 == doctest::Approx(1236.0).epsilon(0.01));
    CHECK(in.dem_m.size() == in.grid.pixel_count());
    CHECK(in.population.size() == in.grid.pixel_count());
    CHECK(in.aoi_mask.size() == in.grid.pixel_count());
}

// Band scale/offset (GDAL metadata, value = raw × scale + offset): a WorldPop-style raster stored as
// hundredths of people must not be counted ×100, nor a DEM stored in decimetres read as metres.
namespace {
void set_scale(const fs::path& path, double scale, double offset) {
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_RASTER | GDAL_OF_UPDATE));
    REQUIRE(ds);
    REQUIRE(ds->GetRasterBand(1)->SetScale(scale) == CE_None);
    REQUIRE(ds->GetRasterBand(1)->SetOffset(offset) == CE_None);
}
}  // namespace

TEST_CASE("band scale: population counts and DEM heights are read through it") {
    TempDir dir;
    SUBCASE("population, both resampling branches") {
        std::vector<double> pop(100);
        double total = 0;
        for (int i = 0; i < 100; ++i) total += pop[i] = 100.0 * (i % 7);  // hundredths of people
        for (const double px_m : {100.0, 10.0}) {
            TifSpec spec{10, 10, {500000.0, px_m, 0.0, 2000000.0 + 10 * px_m, 0.0, -px_m}, 32648, -99999.0};
            const fs::path path = write_tif(dir, "pop_scaled.tif", spec, pop);
            set_scale(path, 0.01, 0.0);
            const double cell = px_m == 100.0 ? 10.0 : 30.0;
            const Grid g = utm_grid(500000.0 - 3 * cell, 2000000.0 + 10 * px_m + 3 * cell, cell,
                                    static_cast<int>(10 * px_m / cell) + 6, static_cast<int>(10 * px_m / cell) + 6);
            const auto res = phusong::geo::resample_population(path, g);
            CAPTURE(res.method);
            CHECK(finite_sum(res.people) == doctest::Approx(total * 0.01).epsilon(1e-5));
            CHECK(res.source_sum == doctest::Approx(total * 0.01).epsilon(1e-5));
            CHECK(phusong::geo::area_weighted_sum(path, *std::unique_ptr<OGRGeometry>([&] {
                      OGRGeometry* geom = nullptr;
                      const std::string wkt = "POLYGON((499000 1999000,502000 1999000,502000 2002000,499000 2002000,499000 1999000))";
                      OGRGeometryFactory::createFromWkt(wkt.c_str(), nullptr, &geom);
                      return geom;
                  }())) == doctest::Approx(total * 0.01).epsilon(1e-9));
        }
    }
    SUBCASE("an offset on a population raster is refused") {
        TifSpec spec{10, 10, {500000.0, 100.0, 0.0, 2001000.0, 0.0, -100.0}, 32648, -99999.0};
        const fs::path path = write_tif(dir, "pop_offset.tif", spec, std::vector<double>(100, 1.0));
        set_scale(path, 1.0, 3.0);
        const Grid g = utm_grid(500000.0, 2001000.0, 10.0, 100, 100);
        CHECK_THROWS_AS((void)phusong::geo::resample_population(path, g), phusong::InputError);
    }
    SUBCASE("DEM in decimetres with an offset") {
        TifSpec spec{20, 20, {500000.0, 10.0, 0.0, 2000200.0, 0.0, -10.0}, 32648, -32768.0};
        const fs::path path = write_tif(dir, "dem_dm.tif", spec, std::vector<double>(400, 1234.0));
        set_scale(path, 0.1, 5.0);
        const Grid g = utm_grid(500000.0, 2000200.0, 10.0, 20, 20);
        const auto v = phusong::geo::warp_to_grid(path, "DEM", g, phusong::geo::Resampling::bilinear);
        CHECK(v[g.index(10, 10)] == doctest::Approx(128.4));
        const auto d = phusong::geo::warp_dem_to_grid(path, g);
        CHECK(d.height_m[g.index(10, 10)] == doctest::Approx(128.4));
    }
}

TEST_CASE("DEM without declared nodata: -32768, -9999 and impossible heights are voids, counted") {
    TempDir dir;
    std::vector<double> z(400, 50.0);
    z[0] = -32768.0;
    z[1] = -9999.0;
    z[2] = 12000.0;
    z[3] = -600.0;
    z[4] = -400.0;  // below sea level, yet real (the Dead Sea shore is about -430 m)
    TifSpec spec{20, 20, {500000.0, 10.0, 0.0, 2000200.0, 0.0, -10.0}, 32648, std::nullopt};
    const fs::path path = write_tif(dir, "dem_voids.tif", spec, z);
    const Grid g = utm_grid(500000.0, 2000200.0, 10.0, 20, 20);
    const auto d = phusong::geo::warp_dem_to_grid(path, g);
    CHECK(d.voids == 4);
    CHECK(d.voids_where.find("pixel col 0, row 0") != std::string::npos);
    for (int c = 0; c < 4; ++c) CHECK(std::isnan(d.height_m[g.index(c, 0)]));
    CHECK(d.height_m[g.index(4, 0)] == doctest::Approx(-400.0));
    CHECK(d.height_m[g.index(10, 10)] == doctest::Approx(50.0));
}
