// Map rendering for the report: colours read from the same .qml QGIS uses, rasters, polygons and
// points drawn in the right pixels, PNG encoded by GDAL.

#include <doctest/doctest.h>
#include <cpl_vsi.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "../test_util.hpp"
#include "phusong/core/error.hpp"
#include "phusong/geo/gdal.hpp"
#include "phusong/io/geotiff.hpp"
#include "phusong/io/map_render.hpp"
#include "phusong/io/qgis_style.hpp"

namespace fs = std::filesystem;
using phusong::io::Rgba;
using phusong::test::TempDir;

namespace {

Rgba hex(unsigned v) {
    return {static_cast<std::uint8_t>(v >> 16), static_cast<std::uint8_t>((v >> 8) & 0xff),
            static_cast<std::uint8_t>(v & 0xff), 255};
}

phusong::geo::Grid grid(int cols, int rows) {
    phusong::geo::Grid g;
    g.epsg = 32648;
    g.origin_x_m = 560000;
    g.origin_y_m = 2360000;
    g.resolution_m = 100;
    g.cols = cols;
    g.rows = rows;
    return g;
}

Rgba pixel(const phusong::io::MapCanvas& c, int col, int row) {
    const std::size_t i = (static_cast<std::size_t>(row) * c.width() + col) * 3;
    return {c.rgb()[i], c.rgb()[i + 1], c.rgb()[i + 2], 255};
}

/// A GeoJSON file in EPSG:32648 with one geometry given as WKT.
fs::path write_vector(const fs::path& path, const std::string& wkt) {
    GDALDriver* drv = GetGDALDriverManager()->GetDriverByName("GeoJSON");
    GDALDatasetUniquePtr ds(drv->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    REQUIRE(ds);
    OGRSpatialReference srs = phusong::geo::srs_from_epsg(32648);
    OGRLayer* layer = ds->CreateLayer("v", &srs, wkbUnknown, nullptr);
    OGRFeature f(layer->GetLayerDefn());
    OGRGeometry* geom = nullptr;
    REQUIRE(OGRGeometryFactory::createFromWkt(wkt.c_str(), &srs, &geom) == OGRERR_NONE);
    f.SetGeometryDirectly(geom);
    REQUIRE(layer->CreateFeature(&f) == OGRERR_NONE);
    return path;
}

}  // namespace

TEST_CASE("signal style colours: the RSRP bands of the .qml, −80.00 dBm in ≥ −80") {
    TempDir tmp;
    const fs::path raster = tmp.path() / "rsrp.tif";
    phusong::io::write_raster_style(raster, phusong::io::RasterStyle::signal_dbm);
    const auto colours = phusong::io::read_raster_colours(phusong::io::style_path(raster));
    CHECK(colours.mode == phusong::io::ColourMode::discrete);
    REQUIRE(colours.stops.size() == 6);
    CHECK(colours.stops.back().label == ">= -80 dBm");
    CHECK(*colours.colour(-80.0) == hex(0x1a9641));
    CHECK(*colours.colour(-85.0) == hex(0xa6d96a));
    CHECK(*colours.colour(-80.01) == hex(0xa6d96a));
    CHECK(*colours.colour(-119.99) == hex(0xd7191c));
    CHECK(*colours.colour(-135.0) == hex(0x7b3294));
    CHECK_FALSE(colours.colour(std::numeric_limits<double>::quiet_NaN()).has_value());
}

TEST_CASE("interpolated and paletted styles") {
    TempDir tmp;
    phusong::io::write_raster_style(tmp.path() / "t.tif", phusong::io::RasterStyle::throughput_mbps);
    const auto ramp = phusong::io::read_raster_colours(tmp.path() / "t.qml");
    CHECK(ramp.mode == phusong::io::ColourMode::interpolated);
    CHECK(*ramp.colour(-5) == hex(0x440154));   // clamped below
    CHECK(*ramp.colour(500) == hex(0xfde725));  // clamped above
    const Rgba mid = *ramp.colour(5);           // halfway between #440154 and #3b528b
    CHECK(mid[0] == (0x44 + 0x3b + 1) / 2);
    CHECK(mid[2] == (0x54 + 0x8b + 1) / 2);

    phusong::io::write_server_style(tmp.path() / "server.tif", {{3, "C3"}, {17, "C17"}});
    const auto palette = phusong::io::read_raster_colours(tmp.path() / "server.qml");
    CHECK(palette.mode == phusong::io::ColourMode::exact);
    REQUIRE(palette.stops.size() == 2);
    CHECK(palette.stops[1].label == "C17");
    CHECK(palette.colour(17).has_value());
    CHECK_FALSE(palette.colour(4).has_value());
    CHECK_FALSE(palette.colour(-1).has_value());
}

TEST_CASE("a .qml without a raster renderer is an input error naming the file") {
    TempDir tmp;
    const fs::path qml = tmp.write("v.qml", "<qgis><renderer-v2 type=\"singleSymbol\"/></qgis>");
    try {
        (void)phusong::io::read_raster_colours(qml);
        FAIL("no error");
    } catch (const phusong::InputError& e) {
        REQUIRE(e.problems().size() == 1);
        CHECK(e.problems()[0].file == qml.string());
    }
}

TEST_CASE("canvas: raster classes, polygon fill and outline, points, PNG round trip") {
    phusong::geo::gdal_init();
    TempDir tmp;
    const auto g = grid(100, 50);  // 10 km × 5 km
    std::vector<float> v(g.pixel_count(), -85.0f);
    for (int r = 0; r < g.rows; ++r) {
        for (int c = 50; c < g.cols; ++c) v[g.index(c, r)] = -125.0f;
    }
    v[g.index(0, 0)] = std::numeric_limits<float>::quiet_NaN();
    const fs::path raster = tmp.path() / "rsrp.tif";
    phusong::io::write_cog(raster, g, v, {"rsrp", "dBm", false, {}});
    phusong::io::write_raster_style(raster, phusong::io::RasterStyle::signal_dbm);

    phusong::io::MapCanvas canvas(raster, 200);  // upsampled ×2
    REQUIRE(canvas.width() == 200);
    REQUIRE(canvas.height() == 100);
    canvas.draw_raster(raster, phusong::io::read_raster_colours(phusong::io::style_path(raster)), 1.0, false);
    CHECK(pixel(canvas, 40, 50) == hex(0xa6d96a));
    CHECK(pixel(canvas, 150, 50) == hex(0x7b3294));
    CHECK(pixel(canvas, 0, 0) == hex(0xffffff));  // nodata: nothing drawn

    // A 2 km square from x = 562 km to 564 km, y = 2357 km to 2359 km → canvas cols 40–80, rows 20–60.
    const fs::path square = write_vector(
        tmp.path() / "sq.geojson", "POLYGON ((562000 2357000, 564000 2357000, 564000 2359000, 562000 2359000, 562000 2357000))");
    canvas.draw_polygons(square, Rgba{255, 0, 0, 255}, Rgba{0, 0, 255, 255}, 1);
    CHECK(pixel(canvas, 60, 40) == Rgba{255, 0, 0, 255});
    CHECK(pixel(canvas, 40, 40) == Rgba{0, 0, 255, 255});   // the west edge
    CHECK(pixel(canvas, 10, 40) == hex(0xa6d96a));          // untouched
    const fs::path point = write_vector(tmp.path() / "p.geojson", "POINT (568025 2357525)");  // col 160.5, row 49.5
    canvas.draw_points(point, Rgba{0, 255, 0, 255}, 3);
    CHECK(pixel(canvas, 160, 49) == Rgba{0, 255, 0, 255});
    CHECK(pixel(canvas, 170, 49) == hex(0x7b3294));

    const std::vector<std::uint8_t> png = canvas.png();
    REQUIRE(png.size() > 8);
    CHECK(std::string(png.begin(), png.begin() + 8) == "\x89PNG\r\n\x1a\n");
    CHECK(canvas.png() == png);  // deterministic
    const std::string name = "/vsimem/test_map_roundtrip.png";
    VSIFCloseL(VSIFileFromMemBuffer(name.c_str(), const_cast<GByte*>(png.data()), png.size(), FALSE));
    {
        GDALDatasetUniquePtr ds(GDALDataset::Open(name.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
        REQUIRE(ds);
        CHECK(std::string(ds->GetDriver()->GetDescription()) == "PNG");
        REQUIRE(ds->GetRasterXSize() == 200);
        // A handful of colours: one band of indices and a colour table that give the canvas back.
        REQUIRE(ds->GetRasterCount() == 1);
        const GDALColorTable* table = ds->GetRasterBand(1)->GetColorTable();
        REQUIRE(table != nullptr);
        CHECK(table->GetColorEntryCount() <= 256);
        std::vector<std::uint8_t> index(200 * 100);
        REQUIRE(ds->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, 200, 100, index.data(), 200, 100, GDT_Byte, 0, 0) ==
                CE_None);
        std::vector<std::uint8_t> back;
        for (const std::uint8_t i : index) {
            const GDALColorEntry* e = table->GetColorEntry(i);
            REQUIRE(e != nullptr);
            back.insert(back.end(), {static_cast<std::uint8_t>(e->c1), static_cast<std::uint8_t>(e->c2),
                                     static_cast<std::uint8_t>(e->c3)});
        }
        CHECK(back == canvas.rgb());
    }
    VSIUnlink(name.c_str());

    // Labels: a point where it is; a filter keeps only the features it names.
    const auto labels = canvas.locate(point, "");
    REQUIRE(labels.size() == 1);
    CHECK(labels[0].x_px == doctest::Approx(160.5));
    CHECK(labels[0].y_px == doctest::Approx(49.5));
}

TEST_CASE("canvas: more than 256 colours give an RGB PNG; attribute filters select the polygons drawn") {
    phusong::geo::gdal_init();
    TempDir tmp;
    const auto g = grid(100, 50);
    std::vector<float> v(g.pixel_count());
    for (int r = 0; r < g.rows; ++r) {
        for (int c = 0; c < g.cols; ++c) v[g.index(c, r)] = -140.0f + 0.02f * static_cast<float>(g.index(c, r));
    }
    const fs::path raster = tmp.path() / "ramp.tif";
    phusong::io::write_cog(raster, g, v, {"rsrp", "dBm", false, {}});
    // A red → green → blue ramp over 5,000 distinct values: some 500 colours.
    phusong::io::RasterColours ramp;
    ramp.mode = phusong::io::ColourMode::interpolated;
    ramp.stops = {{-140, {255, 0, 0, 255}, ""}, {-90, {0, 255, 0, 255}, ""}, {-40, {0, 0, 255, 255}, ""}};
    phusong::io::MapCanvas canvas(raster, 400);
    canvas.draw_raster(raster, ramp, 1.0, false);
    const std::vector<std::uint8_t> png = canvas.png();
    const std::string name = "/vsimem/test_map_rgb.png";
    VSIFCloseL(VSIFileFromMemBuffer(name.c_str(), const_cast<GByte*>(png.data()), png.size(), FALSE));
    {
        GDALDatasetUniquePtr ds(GDALDataset::Open(name.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
        REQUIRE(ds);
        CHECK(ds->GetRasterCount() == 3);
    }
    VSIUnlink(name.c_str());

    // Two squares named a and b; only b is drawn.
    const fs::path squares = tmp.path() / "squares.geojson";
    std::ofstream(squares) << R"({"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::32648"}},"features":[)"
                              R"({"type":"Feature","properties":{"layer":"a"},"geometry":{"type":"Polygon","coordinates":[[[562000,2357000],[564000,2357000],[564000,2359000],[562000,2359000],[562000,2357000]]]}},)"
                              R"({"type":"Feature","properties":{"layer":"b"},"geometry":{"type":"Polygon","coordinates":[[[566000,2357000],[568000,2357000],[568000,2359000],[566000,2359000],[566000,2357000]]]}}]})";
    phusong::io::MapCanvas flat(raster, 200);
    flat.draw_polygons(squares, Rgba{255, 0, 0, 255}, Rgba{255, 0, 0, 255}, 1, "layer = 'b'");
    CHECK(pixel(flat, 60, 40) == hex(0xffffff));             // a: left out
    CHECK(pixel(flat, 140, 40) == Rgba{255, 0, 0, 255});     // b
    const auto named = flat.locate(squares, "layer", "layer = 'b'");
    REQUIRE(named.size() == 1);
    CHECK(named[0].text == "b");
    CHECK(named[0].x_px > 120);
    CHECK(named[0].x_px < 160);
}

TEST_CASE("hillshade: flat terrain is one grey, a slope facing the sun is lighter than one facing away") {
    phusong::geo::gdal_init();
    TempDir tmp;
    const auto g = grid(60, 20);
    std::vector<float> z(g.pixel_count());
    for (int r = 0; r < g.rows; ++r) {
        for (int c = 0; c < g.cols; ++c) {
            // flat, then rising to the east (faces west, towards the north-west sun), then falling
            z[g.index(c, r)] = c < 20 ? 100.0f : c < 40 ? 100.0f + 30.0f * (c - 20) : 700.0f - 30.0f * (c - 40);
        }
    }
    const fs::path dem = tmp.path() / "dem.tif";
    phusong::io::write_cog(dem, g, z, {"dem", "m", false, {}});
    phusong::io::MapCanvas canvas(dem, 60);
    canvas.draw_hillshade(dem);
    const Rgba flat = pixel(canvas, 5, 10);
    CHECK(flat == pixel(canvas, 10, 10));
    CHECK(pixel(canvas, 30, 10)[0] > pixel(canvas, 50, 10)[0]);
}
