// The analysis stage on tiny synthetic grids: every expected number is computed by hand in the
// comments (pixel index i = row × 6 + col on the 6 × 4 grid; population of pixel i = i + 1).
#include <doctest/doctest.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <limits>
#include <random>
#include <unistd.h>

#include "phusong/analysis/analysis.hpp"
#include "phusong/core/error.hpp"
#include "phusong/core/text.hpp"
#include "phusong/geo/gdal.hpp"

using namespace phusong;
using namespace phusong::analysis;

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

/// 6 × 4 pixels of 30 m (900 m²), top-left corner (500000, 2000000), UTM 48N.
geo::Grid tiny_grid(int cols = 6, int rows = 4) {
    geo::Grid g;
    g.epsg = 32648;
    g.origin_x_m = 500000;
    g.origin_y_m = 2000000;
    g.resolution_m = 30;
    g.cols = cols;
    g.rows = rows;
    g.tile_size_px = 64;
    return g;
}

/// Population i + 1 at pixel i (1 … 24, 300 people); the AOI is everything but pixel 23 (24
/// people), so the AOI holds 276 people in 23 pixels.
struct Fixture {
    geo::Grid grid = tiny_grid();
    std::vector<float> population;
    std::vector<std::uint8_t> aoi;
    AnalysisConfig config;
    Fixture() {
        for (int i = 0; i < 24; ++i) population.push_back(static_cast<float>(i + 1));
        aoi.assign(24, 1);
        aoi[23] = 0;
        config.gap_simplify_px = 0;  // outlines on pixel edges: areas exact
        config.gap_min_area_km2 = 0.0018;  // 2 pixels (the cut is 1800 − 450 m²: 1 pixel fails)
        config.gap_min_population = 10;
    }
};

LayerInfo lte(const std::string& op, const std::string& band) {
    return {op + " LTE " + band, slug(op + " LTE " + band), op, radio::Technology::lte, band, "RSRP"};
}

// Layer "A LTE B3" (RSRP, dBm; SINR 5 dB and 20 Mbit/s everywhere except where noted):
//   row 0:  -90  -90* -90** -110 -110  NaN      * SINR −5 dB (fails good 0 dB, passes fair −10 dB)
//   row 1:  -90  -90  -90   -110 -110 -120      ** 3 Mbit/s (fails fair 5 Mbit/s)
//   row 2: -100 -100 -100   -120 -120 -120
//   row 3: -100 -100 -100   -120 -120  -90 (outside the AOI)
// Classes (LTE: good ≥ −105 dBm, fair ≥ −115 dBm):
//   good  0,6,7,8,12,13,14,18,19,20  10 px, 1+7+8+9+13+14+15+19+20+21 = 127 people
//   fair  1,3,4,9,10                  5 px, 2+4+5+10+11                = 32
//   none  2,5,11,15,16,17,21,22       8 px, 3+6+12+16+17+18+22+23      = 117   (127+32+117 = 276)
const std::vector<float> kA3 = {-90,  -90,  -90,  -110, -110, kNaN, -90,  -90,  -90,  -110, -110, -120,
                                -100, -100, -100, -120, -120, -120, -100, -100, -100, -120, -120, -90};

struct Layers {
    std::vector<float> a3 = kA3, a3_sinr, a3_tput;
    std::vector<float> a1, b3, good_sinr, good_tput;
    Layers() {
        a3_sinr.assign(24, 5.0f);
        a3_tput.assign(24, 20.0f);
        a3_sinr[1] = -5.0f;
        a3_tput[2] = 3.0f;
        good_sinr.assign(24, 5.0f);
        good_tput.assign(24, 20.0f);
        // "A LTE B1": −100 dBm (good) at pixels 15 and 16 only. "B LTE B3": −95 dBm (good) at 2, 5, 11.
        a1.assign(24, kNaN);
        a1[15] = a1[16] = -100;
        b3.assign(24, kNaN);
        b3[2] = b3[5] = b3[11] = -95;
    }
};

}  // namespace

TEST_CASE("classify: every bound of the technology, NaN is none") {
    const AnalysisConfig cfg;
    const ClassThresholds& t = cfg.thresholds[static_cast<std::size_t>(radio::Technology::lte)];
    CHECK(classify(t, -105.0f, 0.0f, 10.0f) == kGood);   // exactly at every good bound
    CHECK(classify(t, -105.01f, 0.0f, 10.0f) == kFair);
    CHECK(classify(t, -90.0f, -0.1f, 50.0f) == kFair);    // SINR below good
    CHECK(classify(t, -90.0f, 5.0f, 9.99f) == kFair);     // throughput below good
    CHECK(classify(t, -115.0f, -10.0f, 5.0f) == kFair);   // exactly at every fair bound
    CHECK(classify(t, -115.01f, 5.0f, 50.0f) == kNone);
    CHECK(classify(t, -90.0f, -10.01f, 50.0f) == kNone);
    CHECK(classify(t, kNaN, 5.0f, 50.0f) == kNone);
    CHECK(classify(t, -90.0f, kNaN, 50.0f) == kNone);
    const ClassThresholds& gsm = cfg.thresholds[static_cast<std::size_t>(radio::Technology::gsm)];
    CHECK(classify(gsm, -81.0f, std::nullopt, std::nullopt) == kGood);  // GSM: signal only
    CHECK(classify(gsm, -93.0f, std::nullopt, std::nullopt) == kFair);
    CHECK(classify(gsm, -93.5f, std::nullopt, std::nullopt) == kNone);
}

TEST_CASE("class counts, unions, sensitivity and gaps on a 6 x 4 grid") {
    Fixture f;
    Layers d;
    // Sites: A at the centre of pixel 0 (500015, 1999985); B 300 m east of the grid's right edge,
    // level with the top of row 2 (500480, 1999940).
    std::vector<SitePoint> sites = {{"A", 500015, 1999985}, {"B", 500480, 1999940}};
    Accumulator acc({f.grid, f.population, f.aoi, nullptr, {lte("A", "B3"), lte("A", "B1"), lte("B", "B3")},
                     sites, f.config});
    // Views: 3 layers, "A LTE", "B LTE" (operators by name), "LTE (all operators)".
    REQUIRE(acc.views().size() == 6);
    CHECK(acc.views()[3].name == "A LTE");
    CHECK(acc.views()[4].name == "B LTE");
    CHECK(acc.views()[5].name == "LTE (all operators)");

    const auto classes = acc.add_layer(0, {d.a3, d.a3_sinr, d.a3_tput});
    CHECK(classes[1] == kFair);
    CHECK(classes[2] == kNone);
    CHECK(classes[5] == kNone);  // NaN signal
    CHECK(classes[23] == kOutside);
    acc.add_layer(2, {d.b3, d.good_sinr, d.good_tput});  // any order
    acc.add_layer(1, {d.a1, d.good_sinr, d.good_tput});
    const AnalysisResult r = acc.finish();

    CHECK(r.aoi_population == 276.0);
    CHECK(r.aoi_pixels == 23);
    CHECK(r.pixel_area_km2 == doctest::Approx(0.0009));

    const ClassStats& a3 = r.views[0].aoi;
    CHECK(a3.pixels[kGood] == 10);
    CHECK(a3.pixels[kFair] == 5);
    CHECK(a3.pixels[kNone] == 8);
    CHECK(a3.population[kGood] == 127.0);
    CHECK(a3.population[kFair] == 32.0);
    CHECK(a3.population[kNone] == 117.0);

    // "A LTE" = A B3 ∪ A B1: pixels 15 and 16 (16 + 17 people) become good.
    //   good 12 px 127 + 33 = 160; fair 5 px 32; none 2,5,11,17,21,22: 6 px 3+6+12+18+22+23 = 84.
    const ClassStats& a = r.views[3].aoi;
    CHECK(a.pixels[kGood] == 12);
    CHECK(a.population[kGood] == 160.0);
    CHECK(a.population[kFair] == 32.0);
    CHECK(a.pixels[kNone] == 6);
    CHECK(a.population[kNone] == 84.0);
    // "B LTE" (one layer) = "B LTE B3": good 2, 5, 11 (3 + 6 + 12 = 21), none 20 px 276 − 21 = 255.
    CHECK(r.views[4].aoi.population[kGood] == 21.0);
    CHECK(r.views[4].aoi.population[kNone] == 255.0);
    CHECK(r.views[4].aoi.pixels[kNone] == 20);
    // All operators: B turns 2, 5, 11 good too. good 15 px 160 + 21 = 181; fair 32; none 17, 21, 22
    // (18 + 22 + 23 = 63).
    const ClassStats& all = r.views[5].aoi;
    CHECK(all.pixels[kGood] == 15);
    CHECK(all.population[kGood] == 181.0);
    CHECK(all.population[kFair] == 32.0);
    CHECK(all.pixels[kNone] == 3);
    CHECK(all.population[kNone] == 63.0);
    CHECK(all.covered_population() == 213.0);

    // Sensitivity of "A LTE B3" (people with RSRP ≥ t; AOI, populated): −90 dBm: 1+2+3+7+8+9 = 30;
    // −100: 13+14+15+19+20+21 = 102; −110: 4+5+10+11 = 30; −120: 12+16+17+18+22+23 = 108; NaN: 6.
    REQUIRE(r.sensitivity_dbm == std::vector<double>{-95, -100, -105, -110, -115, -120, -125});
    CHECK(r.views[0].sensitivity_people == std::vector<double>{30, 132, 132, 162, 162, 270, 270});
    // "A LTE": pixels 15, 16 at −100 (best of −120 and −100): 33 people move from −120 to −100.
    CHECK(r.views[3].sensitivity_people == std::vector<double>{30, 165, 165, 195, 195, 270, 270});
    for (const ViewResult& v : r.views) {
        for (std::size_t k = 1; k < v.sensitivity_people.size(); ++k) {
            CHECK(v.sensitivity_people[k] >= v.sensitivity_people[k - 1]);  // monotonic
        }
    }

    // Gaps (4-connected; ≥ 2 pixels and ≥ 10 people):
    //   A B3:  {5,11,17,16,15,21,22} 7 px, 6+12+18+17+16+22+23 = 114; {2} 1 px, 3 people: dropped
    //   A B1:  everything but 15, 16: 21 px, 276 − 33 = 243
    //   B B3 and B LTE (the same mask: shared shapes): everything but 2, 5, 11: 20 px, 255
    //   A LTE: {5,11,17} 3 px 36; {21,22} 2 px 45 (17 and 22 touch at a corner only: two gaps); {2} dropped
    //   all:   {21,22} 2 px 45; {17} 1 px dropped
    // Sorted by people, then pixels, view, position.
    REQUIRE(r.gaps.size() == 7);
    const std::vector<std::pair<std::size_t, double>> expected = {{2, 255}, {4, 255}, {1, 243}, {0, 114},
                                                                  {3, 45},  {5, 45},  {3, 36}};
    const std::vector<std::uint64_t> pixels = {20, 20, 21, 7, 2, 2, 3};
    for (std::size_t k = 0; k < expected.size(); ++k) {
        const Gap& g = r.gaps[k];
        CAPTURE(k);
        CHECK(g.id == "gap-000" + std::to_string(k + 1));
        CHECK(g.view == expected[k].first);
        CHECK(g.population == expected[k].second);
        CHECK(g.pixels == pixels[k]);
        CHECK(g.area_km2 == doctest::Approx(pixels[k] * 0.0009));
        REQUIRE(g.geometry);
        // The outline follows pixel edges: area = pixels × 900 m², valid without make-valid.
        CHECK(OGR_G_Area(OGRGeometry::ToHandle(g.geometry.get())) == doctest::Approx(pixels[k] * 900.0));
        CHECK(g.geometry->IsValid());
        CHECK(wkbFlatten(g.geometry->getGeometryType()) == wkbPolygon);
    }
    // {21,22}: x 500090…500150, y 1999880…1999910; from A (500015, 1999985): hypot(75, 75) m.
    CHECK(*r.gaps[4].nearest_site_km == doctest::Approx(std::hypot(75.0, 75.0) / 1000).epsilon(1e-9));
    CHECK(*r.gaps[5].nearest_site_km == doctest::Approx(std::hypot(75.0, 75.0) / 1000).epsilon(1e-9));
    // B's gap: nearest pixel 17 (x ≤ 500180, y 1999910…1999940): 300 m from B.
    CHECK(*r.gaps[0].nearest_site_km == doctest::Approx(0.3));
    CHECK(*r.gaps[1].nearest_site_km == doctest::Approx(0.3));
    // Signal inside: A B3's gap holds NaN (pixel 5) and six −120 dBm; {5,11,17} of "A LTE" too.
    CHECK(*r.gaps[3].mean_signal_dbm == doctest::Approx(-120));
    CHECK(*r.gaps[3].max_signal_dbm == doctest::Approx(-120));
    CHECK(*r.gaps[6].mean_signal_dbm == doctest::Approx(-120));
    // A B1's gap: no signal anywhere (only 15 and 16 have one).
    CHECK_FALSE(r.gaps[2].mean_signal_dbm.has_value());
    // The union views' class rasters: "A LTE" pixel 15 good, all operators pixel 2 good.
    CHECK(acc.union_classes(3)[15] == kGood);
    CHECK(acc.union_classes(5)[2] == kGood);
    CHECK(acc.union_classes(5)[23] == kOutside);
}

TEST_CASE("uncovered_cause: the first fair bound a pixel fails, in classify's order") {
    const AnalysisConfig cfg;
    const ClassThresholds& t = cfg.thresholds[static_cast<std::size_t>(radio::Technology::lte)];
    CHECK(uncovered_cause(t, kNaN, 5.0f, 50.0f) == kCauseNoServer);
    CHECK(uncovered_cause(t, -115.01f, -20.0f, 1.0f) == kCauseWeakSignal);  // the signal is decided first
    CHECK(uncovered_cause(t, -90.0f, -10.01f, 1.0f) == kCauseLowSinr);
    CHECK(uncovered_cause(t, -90.0f, kNaN, 50.0f) == kCauseLowSinr);
    CHECK(uncovered_cause(t, -40.0f, 30.0f, 4.99f) == kCauseLowThroughput);  // strong signal, too little throughput
    const ClassThresholds& gsm = cfg.thresholds[static_cast<std::size_t>(radio::Technology::gsm)];
    CHECK(uncovered_cause(gsm, -93.5f, std::nullopt, std::nullopt) == kCauseWeakSignal);
    CHECK(std::string(cause_name(kCauseLowThroughput)) == "low_throughput");
}

TEST_CASE("gap causes: people per cause inside each gap, the union takes its members' nearest cause (issue #25)") {
    Fixture f;
    // "A LTE B3": good (−90 dBm, 5 dB, 20 Mbit/s) everywhere but row 0, which is one gap of
    // 6 pixels, 1 + … + 6 = 21 people: pixel 0 no signal, 1 −120 dBm, 2 SINR −15 dB,
    // 3–5 throughput 1 Mbit/s (people 4 + 5 + 6 = 15: the main cause).
    std::vector<float> a(24, -90.0f), a_sinr(24, 5.0f), a_tput(24, 20.0f);
    a[0] = kNaN;
    a[1] = -120.0f;
    a_sinr[2] = -15.0f;
    a_tput[3] = a_tput[4] = a_tput[5] = 1.0f;
    // "B LTE B3": −120 dBm at pixel 0, no signal elsewhere: its own gap is the whole AOI.
    std::vector<float> b(24, kNaN), good_sinr(24, 5.0f), good_tput(24, 20.0f);
    b[0] = -120.0f;
    Accumulator acc({f.grid, f.population, f.aoi, nullptr, {lte("A", "B3"), lte("B", "B3")}, {}, f.config});
    acc.add_layer(0, {a, a_sinr, a_tput});
    acc.add_layer(1, {b, good_sinr, good_tput});
    const AnalysisResult r = acc.finish();
    REQUIRE(r.views.size() == 5);  // A B3, B B3, A LTE, B LTE, LTE (all operators)
    const auto gap_of = [&](std::size_t view) -> const Gap& {
        const auto it = std::find_if(r.gaps.begin(), r.gaps.end(), [&](const Gap& g) { return g.view == view; });
        REQUIRE(it != r.gaps.end());
        return *it;
    };
    const Gap& ga = gap_of(0);
    CHECK(ga.pixels == 6);
    CHECK(ga.population == 21.0);
    CHECK(ga.cause_population == std::array<double, kCauses>{1, 2, 3, 15});
    CHECK(ga.cause == kCauseLowThroughput);
    // B alone: pixel 0 weak (1 person), the other 22 AOI pixels without a server (275 people).
    const Gap& gb = gap_of(1);
    CHECK(gb.cause_population == std::array<double, kCauses>{275, 1, 0, 0});
    CHECK(gb.cause == kCauseNoServer);
    // All operators: the same row-0 gap; at pixel 0 B came closer (weak signal) than A (no server).
    const Gap& all = gap_of(4);
    CHECK(all.pixels == 6);
    CHECK(all.cause_population == std::array<double, kCauses>{0, 3, 3, 15});
    CHECK(all.cause == kCauseLowThroughput);
}

TEST_CASE("gap filters: minimum population and area, exactly at the cut") {
    Layers d;
    const auto gaps_with = [&](double min_area_km2, double min_population) {
        Fixture f;
        f.config.gap_min_area_km2 = min_area_km2;
        f.config.gap_min_population = min_population;
        Accumulator acc({f.grid, f.population, f.aoi, nullptr, {lte("A", "B3")}, {}, f.config});
        acc.add_layer(0, {d.a3, d.a3_sinr, d.a3_tput});
        return acc.finish().gaps;
    };
    // A B3 alone (views: the layer, "A LTE", "LTE (all operators)", all the same mask): gaps
    // {5,11,17,16,15,21,22} 7 px 114 people and {2} 1 px 3 people, three times each.
    auto g = gaps_with(0, 0);
    REQUIRE(g.size() == 6);
    CHECK(g[0].population == 114.0);
    CHECK(g[5].population == 3.0);
    CHECK(g[5].pixels == 1);
    CHECK(gaps_with(0, 3).size() == 6);      // 3 people ≥ 3: kept
    CHECK(gaps_with(0, 3.01).size() == 3);   // the single pixel goes
    CHECK(gaps_with(0, 114).size() == 3);    // exactly 114 kept
    CHECK(gaps_with(0, 114.5).empty());
    // Area: 7 px = 0.0063 km²; the cut tolerates half a pixel (0.0063 + 0.00045 keeps it).
    CHECK(gaps_with(0.0063, 0).size() == 3);
    CHECK(gaps_with(0.00675, 0).size() == 3);
    CHECK(gaps_with(0.0068, 0).empty());
}

TEST_CASE("admin units from two polygons, zonal sums and census rescaling") {
    geo::gdal_init();
    Fixture f;
    Layers d;
    // Two districts in the grid CRS: "Tây" cols 0–2 (x 500000…500090), "Đông" cols 3–4
    // (x 500090…500150), both y 1999880…2000000; column 5 is in no unit.
    const auto dir = std::filesystem::temp_directory_path() / ("phusong_test_analysis_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto file = dir / "admin.gpkg";
    {
        GDALDriver* drv = GetGDALDriverManager()->GetDriverByName("GPKG");
        REQUIRE(drv != nullptr);
        geo::DatasetPtr ds(drv->Create(file.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
        REQUIRE(ds);
        OGRSpatialReference srs = geo::srs_from_epsg(32648);
        OGRLayer* layer = ds->CreateLayer("admin", &srs, wkbPolygon, nullptr);
        OGRFieldDefn name("ten", OFTString), code("ma", OFTString);
        layer->CreateField(&name);
        layer->CreateField(&code);
        const auto add = [&](const char* n, const char* c, double x0, double x1) {
            OGRFeature feat(layer->GetLayerDefn());
            feat.SetField("ten", n);
            feat.SetField("ma", c);
            OGRLinearRing ring;
            ring.addPoint(x0, 1999880);
            ring.addPoint(x1, 1999880);
            ring.addPoint(x1, 2000000);
            ring.addPoint(x0, 2000000);
            ring.closeRings();
            OGRPolygon poly;
            poly.addRing(&ring);
            feat.SetGeometry(&poly);
            REQUIRE(layer->CreateFeature(&feat) == OGRERR_NONE);
        };
        add("Tây", "01", 500000, 500090);
        add("Đông", "02", 500090, 500150);
    }
    AdminUnits admin = load_admin_units(file, "ten", std::string("ma"), f.grid, f.aoi);
    REQUIRE(admin.names == std::vector<std::string>{"Tây", "Đông"});
    CHECK(admin.polygon_area_km2[0] == doctest::Approx(0.0108));  // 90 m × 120 m
    CHECK(admin.polygon_area_km2[1] == doctest::Approx(0.0072));  // 60 m × 120 m
    CHECK(admin.unit_of_pixel[0] == 0);
    CHECK(admin.unit_of_pixel[2] == 0);
    CHECK(admin.unit_of_pixel[3] == 1);
    CHECK(admin.unit_of_pixel[22] == 1);
    CHECK(admin.unit_of_pixel[5] == -1);
    CHECK(admin.unit_of_pixel[23] == -1);  // outside the AOI

    SUBCASE("zonal sums") {
        Accumulator acc({f.grid, f.population, f.aoi, &admin, {lte("A", "B3")}, {}, f.config});
        acc.add_layer(0, {d.a3, d.a3_sinr, d.a3_tput});
        const AnalysisResult r = acc.finish();
        // Tây (cols 0–2): 6 + 24 + 42 + 60 = 132; Đông (cols 3–4): 9 + 21 + 33 + 45 = 108;
        // column 5 in the AOI: pixels 5, 11, 17: 6 + 12 + 18 = 36. 132 + 108 + 36 = 276.
        CHECK(r.unit_population == std::vector<double>{132, 108});
        CHECK(r.unit_pixels == std::vector<std::uint64_t>{12, 8});
        CHECK(r.unassigned_population == 36.0);
        CHECK(r.unassigned_pixels == 3);
        // A B3 in Tây: fair 1 (2 people), none 2 (3), good the other 10 (127);
        // in Đông: fair 3, 4, 9, 10 (4 + 5 + 10 + 11 = 30), none 15, 16, 21, 22 (16+17+22+23 = 78).
        const auto& tay = r.views[0].units[0];
        const auto& dong = r.views[0].units[1];
        CHECK(tay.population[kGood] == 127.0);
        CHECK(tay.population[kFair] == 2.0);
        CHECK(tay.population[kNone] == 3.0);
        CHECK(dong.population[kGood] == 0.0);
        CHECK(dong.population[kFair] == 30.0);
        CHECK(dong.population[kNone] == 78.0);
        CHECK(dong.pixels[kNone] == 4);
        // The 114-people gap: Đông holds 78 of them, no unit 36: its unit is Đông.
        REQUIRE(!r.gaps.empty());
        CHECK(r.gaps[0].population == 114.0);
        CHECK(r.gaps[0].unit == std::optional<std::size_t>(1));
    }

    SUBCASE("census rescaling") {
        // Tây listed at 66 people (132 → factor 0.5); the AOI at 300: the rest (Đông 108 + no unit
        // 36 = 144) gets (300 − 66) / 144 = 1.625.
        CensusConfig census;
        census.source = "test census";
        census.aoi_total = 300;
        census.unit_totals["01"] = 66;
        std::vector<float> pop = f.population;
        const CensusScaling s = apply_census(census, pop, f.aoi, &admin, "test.toml");
        CHECK(s.applied);
        CHECK(s.unit_before == std::vector<double>{132, 108});
        CHECK(s.unit_factor[0] == 0.5);
        CHECK(s.unit_factor[1] == 1.625);
        REQUIRE(s.rest_factor.has_value());
        CHECK(*s.rest_factor == 1.625);
        CHECK(s.aoi_before == 276.0);
        CHECK(s.aoi_after == doctest::Approx(300.0).epsilon(1e-12));
        CHECK(pop[0] == 0.5f);       // Tây: 1 × 0.5
        CHECK(pop[3] == 6.5f);       // Đông: 4 × 1.625
        CHECK(pop[5] == 9.75f);      // no unit: 6 × 1.625
        CHECK(pop[23] == 24.0f);     // outside the AOI: untouched
        // An unknown unit code is an input error.
        CensusConfig bad;
        bad.unit_totals["99"] = 10;
        std::vector<float> pop2 = f.population;
        CHECK_THROWS(apply_census(bad, pop2, f.aoi, &admin, "test.toml"));
    }
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}

TEST_CASE("4-connected gap outlines are valid without make-valid, area = pixels x 900 m2") {
    // Holes touching the outline at a corner (in each diagonal direction) and random masks.
    const auto check_mask = [](const geo::Grid& grid, const std::vector<std::uint8_t>& none, double simplify_px) {
        std::vector<float> pop(grid.pixel_count(), 1.0f);
        std::vector<std::uint8_t> aoi(grid.pixel_count(), 1);
        std::vector<float> sig(grid.pixel_count()), sinr(grid.pixel_count(), 5.0f), tput(grid.pixel_count(), 50.0f);
        std::uint64_t mask_pixels = 0;
        for (std::size_t i = 0; i < sig.size(); ++i) {
            sig[i] = none[i] != 0 ? -130.0f : -80.0f;
            mask_pixels += none[i];
        }
        AnalysisConfig cfg;
        cfg.gap_min_area_km2 = 0;
        cfg.gap_min_population = 0;
        cfg.gap_simplify_px = simplify_px;
        Accumulator acc({grid, pop, aoi, nullptr, {lte("A", "B3")}, {}, cfg});
        acc.add_layer(0, {sig, sinr, tput});
        const AnalysisResult r = acc.finish();
        std::uint64_t gap_pixels = 0;
        for (const Gap& g : r.gaps) {
            if (g.view != 0) continue;
            gap_pixels += g.pixels;
            CHECK(g.population == static_cast<double>(g.pixels));
            CHECK(g.geometry->IsValid());
            if (simplify_px == 0) {
                CHECK(OGR_G_Area(OGRGeometry::ToHandle(g.geometry.get())) ==
                      doctest::Approx(static_cast<double>(g.pixels) * 900.0));
            }
        }
        CHECK(gap_pixels == mask_pixels);
        return r.gaps.size() / 3;  // three views with the same mask
    };
    const geo::Grid g5 = tiny_grid(5, 5);
    // A ring of 7 pixels around the centre (2,2), open at the corner pixel (3,3): in 4-connectivity
    // the centre is a hole touching the outline at one vertex.
    //   . . . . .
    //   . X X X .
    //   . X . X .
    //   . X X . .
    //   . . . . .
    for (int rot = 0; rot < 4; ++rot) {
        std::vector<std::uint8_t> m(25, 0);
        const std::vector<std::pair<int, int>> cells = {{1, 1}, {1, 2}, {1, 3}, {2, 1}, {2, 3}, {3, 1}, {3, 2}};
        for (auto [r, c] : cells) {
            for (int k = 0; k < rot; ++k) std::tie(r, c) = std::pair{c, 4 - r};
            m[static_cast<std::size_t>(r * 5 + c)] = 1;
        }
        CAPTURE(rot);
        CHECK(check_mask(g5, m, 0) == 1);
        CHECK(check_mask(g5, m, 0.5) == 1);
    }
    // A checkerboard: every pixel its own gap (8-connectivity would make it one).
    std::vector<std::uint8_t> checker(25);
    for (int i = 0; i < 25; ++i) checker[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>((i / 5 + i % 5) % 2 == 0);
    CHECK(check_mask(g5, checker, 0) == 13);
    // Random masks.
    const geo::Grid g40 = tiny_grid(40, 40);
    std::mt19937 rng(42);
    for (int trial = 0; trial < 6; ++trial) {
        std::bernoulli_distribution p(0.35 + 0.05 * trial);
        std::vector<std::uint8_t> m(1600);
        for (auto& v : m) v = p(rng) ? 1 : 0;
        CAPTURE(trial);
        check_mask(g40, m, 0);
        check_mask(g40, m, 0.5);
    }
}

TEST_CASE("cell statistics: best-server area, people, mean signal and SINR inside the AOI") {
    Fixture f;
    Layers d;
    // Two cells of "A LTE B3" (0 and 1) and one of "A LTE B1" (2). Best server of B3: cell 0 on
    // the left three columns, cell 1 on the right three, none (−1) where the signal is NaN
    // (pixel 5). Pixel 23 (cell 1, −90 dBm) is outside the AOI: it counts nowhere.
    std::vector<CellInfo> cells = {{"A-1", "A", "A", 0, radio::Technology::lte, "B3", 105.6, 21.3, 500015, 1999985, 0, 30},
                                   {"A-2", "A", "A", 0, radio::Technology::lte, "B3", 105.6, 21.3, 500015, 1999985, 120, 30},
                                   {"A-3", "A", "A", 1, radio::Technology::lte, "B1", 105.6, 21.3, 500015, 1999985, 240, 30}};
    std::vector<std::int32_t> server_b3(24);
    for (int i = 0; i < 24; ++i) server_b3[static_cast<std::size_t>(i)] = i % 6 < 3 ? 0 : 1;
    server_b3[5] = -1;
    d.a3_sinr[13] = 11.0f;  // cell 0's SINR: 5 everywhere but −5 (pixel 1) and 11 (pixel 13)
    std::vector<std::int32_t> server_b1(24, -1);
    server_b1[15] = server_b1[16] = 2;
    Accumulator acc({f.grid, f.population, f.aoi, nullptr, {lte("A", "B3"), lte("A", "B1")}, {}, f.config, cells});
    acc.add_layer(1, {d.a1, d.good_sinr, d.good_tput, server_b1});
    acc.add_layer(0, {d.a3, d.a3_sinr, d.a3_tput, server_b3});
    const AnalysisResult r = acc.finish();
    REQUIRE(r.cells.size() == 3);
    CHECK(r.cell_info[1].cell_id == "A-2");
    // Cell 0: pixels 0,1,2,6,7,8,12,13,14,18,19,20 (12 px, 0.0108 km²); people 1+2+3+7+8+9+13+14+15
    // +19+20+21 = 132; RSRP 6 × −90 + 6 × −100 → −95 dBm; SINR (10 × 5 − 5 + 11) / 12 = 4.666… dB.
    CHECK(r.cells[0].pixels == 12);
    CHECK(r.cells[0].area_km2 == doctest::Approx(0.0108));
    CHECK(r.cells[0].people == 132.0);
    CHECK(*r.cells[0].mean_signal_dbm == doctest::Approx(-95.0));
    CHECK(*r.cells[0].mean_sinr_db == doctest::Approx(56.0 / 12.0));
    // Cell 1: pixels 3,4,9,10,11,15,16,17,21,22 (not 5: no server; not 23: outside) = 10 px;
    // people 4+5+10+11+12+16+17+18+22+23 = 138; RSRP (4 × −110 + 6 × −120) / 10 = −116 dBm.
    CHECK(r.cells[1].pixels == 10);
    CHECK(r.cells[1].people == 138.0);
    CHECK(*r.cells[1].mean_signal_dbm == doctest::Approx(-116.0));
    CHECK(*r.cells[1].mean_sinr_db == doctest::Approx(5.0));
    // Cell 2: pixels 15 and 16, −100 dBm, 16 + 17 people.
    CHECK(r.cells[2].pixels == 2);
    CHECK(r.cells[2].people == 33.0);
    CHECK(*r.cells[2].mean_signal_dbm == doctest::Approx(-100.0));
    // Every served pixel of a layer belongs to exactly one of its cells.
    CHECK(r.cells[0].pixels + r.cells[1].pixels == 22);

    // A best server that is not a cell of the layer is an internal error, not a silent count.
    Accumulator bad({f.grid, f.population, f.aoi, nullptr, {lte("A", "B3"), lte("A", "B1")}, {}, f.config, cells});
    std::vector<std::int32_t> wrong(24, 2);  // cell 2 is on B1
    CHECK_THROWS_AS(bad.add_layer(0, {d.a3, d.a3_sinr, d.a3_tput, wrong}), InternalError);
    // Without a best-server raster the cells keep no statistics (analyse of an old folder).
    Accumulator none({f.grid, f.population, f.aoi, nullptr, {lte("A", "B3"), lte("A", "B1")}, {}, f.config, cells});
    none.add_layer(0, {d.a3, d.a3_sinr, d.a3_tput});
    none.add_layer(1, {d.a1, d.good_sinr, d.good_tput});
    CHECK(none.finish().cells[0].pixels == 0);
}
