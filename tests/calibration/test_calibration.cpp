// The calibration against a synthetic truth (docs/models/calibration.md): measurements made by
// the engine itself with known SPM coefficients and clutter losses plus σ = 8 dB shadowing.

#include <doctest/doctest.h>
#include <gdal_priv.h>

#include <cmath>
#include <numbers>
#include <string>

#include "phusong/calibration/calibration.hpp"
#include "phusong/core/error.hpp"
#include "phusong/geo/gdal.hpp"
#include "phusong/pipeline/stages.hpp"
#include "test_util.hpp"

namespace phusong::calibration {
namespace {

/// Twelve three-sector LTE sites over the tiny fixture's DEM, heights 20–45 m, and a clutter
/// raster of three classes (1 open, the most common; 2 suburban; 3 urban) in patches of 0.01°.
struct World {
    test::TempDir dir;
    std::filesystem::path scenario;

    World() {
        std::string sites =
            "site_id,cell_id,operator,lon,lat,height_agl_m,azimuth_deg,mech_tilt_deg,elec_tilt_deg,tech,band,"
            "freq_mhz,bandwidth_mhz,tx_power_dbm,antenna\n";
        for (int s = 0; s < 12; ++s) {
            const double lon = 105.565 + 0.022 * (s % 4);
            const double lat = 21.285 + 0.022 * (s / 4);
            for (int k = 0; k < 3; ++k) {
                sites += "S" + std::to_string(s) + ",S" + std::to_string(s) + "-" + std::to_string(k) + ",Op," +
                         std::to_string(lon) + "," + std::to_string(lat) + "," + std::to_string(20 + 2 * s) + "," +
                         std::to_string(120 * k + 10 * s) + ",2,4,LTE,B3,1815,20,46,sector65_15dbi\n";
            }
        }
        dir.write("sites.csv", sites);
        // Clutter: 0.005° cells over the DEM's extent; class 1 on half of them.
        geo::gdal_init();
        GDALDriver* gtiff = GetGDALDriverManager()->GetDriverByName("GTiff");
        const int n_cols = 24;
        const int n_rows = 20;
        GDALDatasetUniquePtr ds(gtiff->Create((dir.path() / "clutter.tif").c_str(), n_cols, n_rows, 1, GDT_Byte, nullptr));
        double gt[6] = {105.5395833, 0.005, 0, 21.3604167, 0, -0.005};
        ds->SetGeoTransform(gt);
        const OGRSpatialReference wgs84 = geo::srs_wgs84();
        ds->SetSpatialRef(&wgs84);
        std::vector<std::uint8_t> codes(static_cast<std::size_t>(n_cols * n_rows));
        for (int r = 0; r < n_rows; ++r) {
            for (int c = 0; c < n_cols; ++c) {
                const int h = (c * 7 + r * 13) % 4;
                codes[static_cast<std::size_t>(r * n_cols + c)] = static_cast<std::uint8_t>(h < 2 ? 1 : h == 2 ? 2 : 3);
            }
        }
        CHECK(ds->GetRasterBand(1)->RasterIO(GF_Write, 0, 0, n_cols, n_rows, codes.data(), n_cols, n_rows, GDT_Byte, 0, 0,
                                             nullptr) == CE_None);
        ds.reset();
        const std::string tiny = test::test_data_dir() / "tiny";
        scenario = dir.write("world.toml", "[inputs]\ndem = \"" + tiny + "/dem.tif\"\npopulation = \"" + tiny +
                                               "/population.tif\"\naoi = \"" + tiny +
                                               "/aoi.geojson\"\nsites = \"sites.csv\"\nclutter = \"clutter.tif\"\n"
                                               "[calibration]\nmin_signal_dbm = -160\n[grid]\nresolution_m = 60\n[prediction]\nmodel = \"spm\"\n"
                                               "[clutter.1]\nname = \"open\"\n[clutter.2]\nname = \"suburban\"\n"
                                               "[clutter.3]\nname = \"urban\"\n"
                                               "[antennas.sector65_15dbi]\ngain_dbi = 15\nh_beamwidth_deg = 65\n"
                                               "v_beamwidth_deg = 11\n");
    }

    /// Positions: `per_cell` points per cell in its ±60° sector, log-uniform 150 m – 3 km, where
    /// the truth's signals stay well above the −160 dBm filter (a floor within reach of the
    /// shadowing would cut the weak tail and bias the sample).
    [[nodiscard]] MeasurementTable positions(const sites::SiteTable& table, int per_cell) const {
        MeasurementTable t;
        t.file = "positions";
        t.crs_wkt = [] {
            char* wkt = nullptr;
            geo::srs_wgs84().exportToWkt(&wkt);
            std::string s = wkt;
            CPLFree(wkt);
            return s;
        }();
        std::uint64_t k = 0;
        for (const sites::Cell& c : table.cells) {
            for (int i = 0; i < per_cell; ++i, ++k) {
                // A low-discrepancy (golden-ratio) sequence: deterministic and spread out.
                const double u = std::fmod(0.5 + static_cast<double>(k) * 0.6180339887498949, 1.0);
                const double v = std::fmod(0.5 + static_cast<double>(k) * 0.7548776662466927, 1.0);
                const double d_m = 150.0 * std::pow(3000.0 / 150.0, u);
                const double az = (c.azimuth_deg + (v - 0.5) * 120.0) * std::numbers::pi / 180.0;
                Measurement m;
                m.row = k + 1;
                m.cell_id = c.cell_id;
                m.x = c.lon_deg + d_m * std::sin(az) / (111320.0 * std::cos(c.lat_deg * std::numbers::pi / 180.0));
                m.y = c.lat_deg + d_m * std::cos(az) / 110574.0;
                m.signal_dbm = -80;
                t.points.push_back(m);
            }
        }
        return t;
    }
};

TEST_CASE("calibrate: recovers K1, K2 and the clutter losses of a synthetic truth, and the σ of its shadowing") {
    const World w;
    const pipeline::Prepared p = pipeline::prepare(w.scenario, ScenarioUse::calibrate);
    ModelSet truth = scenario_models(p.scenario, p.table);
    truth.layer_models[0].spm.k1 = 30.0;  // the scenario starts from 22.0
    truth.layer_models[0].spm.k2 = 40.0;  // … and 44.9
    truth.clutter_loss_db = {{1, 0.0}, {2, 6.0}, {3, 12.0}};  // … and 0 for every class
    const MeasurementTable drive =
        synthesize(p.scenario, p.table, p.antennas, w.positions(p.table, 400), truth, 8.0, 42);
    const Observations obs = observe(p.scenario, p.table, p.antennas, drive);
    REQUIRE(obs.items.size() > 10000);
    const Calibration c = calibrate(p.scenario, p.table, obs, true);

    REQUIRE(c.layers.size() == 1);
    const auto& terms = c.layers[0].terms;
    INFO("K1 " << terms[0].value << " K2 " << terms[1].value << ", after: RMSE " << c.stats_after.rmse_db);
    CHECK(terms[0].fitted);
    CHECK(terms[1].fitted);
    CHECK(std::abs(terms[0].value - 30.0) < 1.0);
    CHECK(std::abs(terms[1].value - 40.0) < 2.0);
    REQUIRE(c.clutter.size() == 3);
    for (const ClutterFit& cf : c.clutter) {
        INFO("class " << cf.code << ": " << cf.loss.value);
        if (cf.code == 1) {
            CHECK(cf.reference);  // the most common class, held at its prior
            CHECK(cf.loss.value == 0.0);
        } else {
            CHECK(cf.loss.fitted);
            CHECK(std::abs(cf.loss.value - (cf.code == 2 ? 6.0 : 12.0)) < 1.5);
        }
    }
    // The cross-validated error is the shadowing left: σ within 0.5 dB, mean near 0.
    CHECK(std::abs(c.stats_after.rmse_db - 8.0) < 0.5);
    CHECK(std::abs(c.stats_after.mean_db) < 0.5);
    // Before, the default coefficients are off by several dB.
    CHECK(c.stats_before.rmse_db > c.stats_after.rmse_db + 1.0);
    CHECK(c.folds == 5);
}

TEST_CASE("calibrate: the antenna weight, when asked for, is recovered with its standard error") {
    const World w;
    pipeline::Prepared p = pipeline::prepare(w.scenario, ScenarioUse::calibrate);
    p.scenario.calibration.fit_antenna_weight = true;
    ModelSet truth = scenario_models(p.scenario, p.table);
    truth.antenna_weight = 0.6;  // measured signals see 60 % of the pattern's attenuation
    const MeasurementTable drive =
        synthesize(p.scenario, p.table, p.antennas, w.positions(p.table, 200), truth, 8.0, 11);
    const Observations obs = observe(p.scenario, p.table, p.antennas, drive);
    const Calibration c = calibrate(p.scenario, p.table, obs, true);
    REQUIRE(c.antenna_weight.has_value());
    INFO("weight " << c.antenna_weight->value << " ± " << c.antenna_weight->std_error);
    CHECK(c.antenna_weight->fitted);
    CHECK(c.antenna_weight->prior == 1.0);
    CHECK(std::abs(c.antenna_weight->value - 0.6) < 0.1);
    CHECK(c.antenna_weight->std_error > 0.0);
    CHECK(c.antenna_weight->std_error < 0.05);
    CHECK(std::abs(c.stats_after.rmse_db - 8.0) < 0.5);
}

TEST_CASE("calibrate: --no-fit scores the scenario as it is; the truth scores its own σ") {
    const World w;
    const pipeline::Prepared p = pipeline::prepare(w.scenario, ScenarioUse::calibrate);
    const ModelSet truth = scenario_models(p.scenario, p.table);
    const MeasurementTable drive =
        synthesize(p.scenario, p.table, p.antennas, w.positions(p.table, 100), truth, 8.0, 7);
    const Observations obs = observe(p.scenario, p.table, p.antennas, drive);
    const Calibration c = calibrate(p.scenario, p.table, obs, false);
    CHECK_FALSE(c.fitted);
    CHECK(c.stats_after.rmse_db == c.stats_before.rmse_db);
    CHECK(std::abs(c.stats_before.rmse_db - 8.0) < 0.5);
}

TEST_CASE("calibrate: measurements of cells not in the site table are listed") {
    const World w;
    const pipeline::Prepared p = pipeline::prepare(w.scenario, ScenarioUse::calibrate);
    MeasurementTable t = w.positions(p.table, 1);
    t.file = "drive.csv";
    t.points[3].cell_id = "NOPE-1";
    t.points[5].cell_id = "NOPE-2";
    try {
        (void)observe(p.scenario, p.table, p.antennas, t);
        FAIL("expected an InputError");
    } catch (const InputError& e) {
        const std::string what = e.problems().front().to_string();
        CHECK(what.find("drive.csv") != std::string::npos);
        CHECK(what.find("\"NOPE-1\" (row 4)") != std::string::npos);
        CHECK(what.find("\"NOPE-2\" (row 6)") != std::string::npos);
    }
}

TEST_CASE("read_measurements: every bad row reported at once, with its field; lat/lon swaps named") {
    test::TempDir dir;
    const auto csv = dir.write("m.csv",
                               "cell_id,lon,lat,signal_dbm\n"
                               "A,105.6,21.3,-90\n"
                               "A,105.6,21.3,strong\n"
                               "A,21.3,105.6,-95\n"
                               ",105.6,21.3,-90\n");
    try {
        (void)read_measurements(csv, std::nullopt);
        FAIL("expected an InputError");
    } catch (const InputError& e) {
        REQUIRE(e.problems().size() == 4);
        CHECK(e.problems()[0].where == "row 2 (line 3), field signal_dbm");
        CHECK(e.problems()[1].where == "row 3 (line 4), field lat");
        CHECK(e.problems()[1].message.find("out of range") != std::string::npos);
        CHECK(e.problems()[2].message.find("swapped") != std::string::npos);
        CHECK(e.problems()[3].where == "row 4 (line 5), field cell_id");
    }
    // x/y columns need their CRS.
    const auto xy = dir.write("xy.csv", "cell_id,x,y,signal_dbm\nA,560000,2356000,-90\n");
    CHECK_THROWS_WITH_AS((void)read_measurements(xy, std::nullopt), doctest::Contains("measurement_epsg"), InputError);
    const MeasurementTable t = read_measurements(xy, 32648);
    REQUIRE(t.points.size() == 1);
    CHECK(t.points[0].x == 560000.0);
}

}  // namespace
}  // namespace phusong::calibration
