// COG writer (issue #6 item 1): COG layout, DEFLATE + predictor, overviews resampled by kind
// (average for physical values, mode for classes and ids), nodata, unit, description, tags.

#include <doctest/doctest.h>
#include <gdal_priv.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "../test_util.hpp"
#include "phusong/geo/gdal.hpp"
#include "phusong/io/geotiff.hpp"

namespace fs = std::filesystem;
using phusong::test::TempDir;

namespace {

phusong::geo::Grid grid_300() {
    phusong::geo::Grid g;
    g.epsg = 32648;
    g.origin_x_m = 560000;
    g.origin_y_m = 2360000;
    g.resolution_m = 30;
    g.cols = 300;
    g.rows = 300;
    return g;
}

/// Every 2×2 block holds `a` in three pixels and `b` in its bottom-right one.
template <typename T>
std::vector<T> blocks(const phusong::geo::Grid& g, T a, T b) {
    std::vector<T> v(g.pixel_count(), a);
    for (int r = 1; r < g.rows; r += 2) {
        for (int c = 1; c < g.cols; c += 2) v[g.index(c, r)] = b;
    }
    return v;
}

std::string meta(GDALMajorObject& o, const char* key, const char* domain = "") {
    const char* v = o.GetMetadataItem(key, domain);
    return v != nullptr ? v : "";
}

double overview_pixel(const fs::path& path, int level, int col, int row) {
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
    REQUIRE(ds);
    GDALRasterBand* ov = ds->GetRasterBand(1)->GetOverview(level);
    REQUIRE(ov != nullptr);
    double v = 0;
    REQUIRE(ov->RasterIO(GF_Read, col, row, 1, 1, &v, 1, 1, GDT_Float64, 0, 0) == CE_None);
    return v;
}

}  // namespace

TEST_CASE("overview levels: halvings until the larger side is at most 128 px") {
    CHECK(phusong::io::overview_levels(1738, 1690) == 4);  // 869, 435, 218, 109
    CHECK(phusong::io::overview_levels(139, 145) == 1);    // the tiny fixture
    CHECK(phusong::io::overview_levels(128, 100) == 0);
    CHECK(phusong::io::overview_levels(129, 10) == 1);
    CHECK(phusong::io::overview_levels(300, 300) == 2);
}

TEST_CASE("COG layout, compression, nodata, unit, description and tags") {
    phusong::geo::gdal_init();
    TempDir tmp;
    const auto g = grid_300();
    std::vector<float> values = blocks<float>(g, -100.0f, -92.0f);
    values[0] = std::numeric_limits<float>::quiet_NaN();
    const fs::path path = tmp.path() / "rsrp.tif";
    phusong::io::write_cog(path, g, values,
                           {"best-server RSRP", "dBm", false, {{"PHUSONG_VERSION", "9.9"}, {"PHUSONG_LAYER", "X LTE B3"}}});
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
    REQUIRE(ds);
    CHECK(meta(*ds, "LAYOUT", "IMAGE_STRUCTURE") == "COG");
    CHECK(meta(*ds, "COMPRESSION", "IMAGE_STRUCTURE") == "DEFLATE");
    CHECK(meta(*ds, "PREDICTOR", "IMAGE_STRUCTURE") == "3");  // floating-point predictor
    CHECK(meta(*ds, "PHUSONG_VERSION") == "9.9");
    CHECK(meta(*ds, "PHUSONG_LAYER") == "X LTE B3");
    CHECK(meta(*ds, "PHUSONG_OVERVIEW_RESAMPLING") == "AVERAGE");
    GDALRasterBand* band = ds->GetRasterBand(1);
    int has_nodata = 0;
    CHECK(std::isnan(band->GetNoDataValue(&has_nodata)));
    CHECK(has_nodata == 1);
    CHECK(std::string(band->GetUnitType()) == "dBm");
    CHECK(std::string(band->GetDescription()) == "best-server RSRP");
    int bx = 0;
    int by = 0;
    band->GetBlockSize(&bx, &by);
    CHECK(bx == 512);
    CHECK(by == 512);
    REQUIRE(band->GetOverviewCount() == 2);
    CHECK(band->GetOverview(0)->GetXSize() == 150);
    CHECK(band->GetOverview(1)->GetXSize() == 75);
    CHECK(ds->GetSpatialRef() != nullptr);
    CHECK(std::string(ds->GetSpatialRef()->GetAuthorityCode(nullptr)) == "32648");
    // No .aux.xml beside the file: everything is inside the COG.
    CHECK_FALSE(fs::exists(path.string() + ".aux.xml"));
}

TEST_CASE("overviews: average for physical values, mode for classes and server ids") {
    phusong::geo::gdal_init();
    TempDir tmp;
    const auto g = grid_300();
    // Blocks of (0, 0, 0, 8): average 2, nearest would give 8.
    phusong::io::write_cog(tmp.path() / "f.tif", g, blocks<float>(g, 0.0f, 8.0f), {"v", "dB", false, {}});
    CHECK(overview_pixel(tmp.path() / "f.tif", 0, 10, 10) == doctest::Approx(2.0));
    // Blocks of (1, 1, 1, 7): mode 1; nearest would give 7, average 2.5.
    phusong::io::write_cog(tmp.path() / "i.tif", g, blocks<std::int32_t>(g, 1, 7), -1, {"ids", "cell index", true, {}});
    CHECK(overview_pixel(tmp.path() / "i.tif", 0, 10, 10) == 1.0);
    CHECK(overview_pixel(tmp.path() / "i.tif", 1, 10, 10) == 1.0);
    phusong::io::write_cog(tmp.path() / "b.tif", g, blocks<std::uint8_t>(g, 3, 4), 0, {"classes", "class", true, {}});
    CHECK(overview_pixel(tmp.path() / "b.tif", 0, 3, 3) == 3.0);
    GDALDatasetUniquePtr ds(GDALDataset::Open((tmp.path() / "i.tif").c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
    REQUIRE(ds);
    CHECK(meta(*ds, "PHUSONG_OVERVIEW_RESAMPLING") == "MODE");
    CHECK(meta(*ds, "PREDICTOR", "IMAGE_STRUCTURE") == "2");  // horizontal differencing for integers
    int has_nodata = 0;
    CHECK(ds->GetRasterBand(1)->GetNoDataValue(&has_nodata) == -1.0);
    CHECK(has_nodata == 1);
}

TEST_CASE("nodata is not a class: mode overviews of mostly-nodata blocks keep the valid id") {
    phusong::geo::gdal_init();
    TempDir tmp;
    const auto g = grid_300();
    phusong::io::write_cog(tmp.path() / "s.tif", g, blocks<std::int32_t>(g, -1, 5), -1, {"ids", "cell index", true, {}});
    CHECK(overview_pixel(tmp.path() / "s.tif", 0, 20, 20) == 5.0);
}
