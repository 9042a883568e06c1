#include <doctest/doctest.h>

#include "../test_util.hpp"
#include "scenario_problems.hpp"
#include <cmath>

#include "phusong/core/error.hpp"
#include "phusong/core/normal.hpp"
#include "phusong/core/scenario.hpp"
#include "phusong/core/toml_reader.hpp"

using namespace phusong;
using phusong::test::TempDir;

namespace {

using phusong::test::problems_of;

std::string inputs_block() {
    return "[inputs]\n"
           "dem = \"dem.tif\"\npopulation = \"pop.tif\"\naoi = \"aoi.geojson\"\nsites = \"sites.csv\"\n";
}

void touch_inputs(const TempDir& dir) {
    for (const char* f : {"dem.tif", "pop.tif", "aoi.geojson", "sites.csv"}) dir.write(f, "x");
}

}  // namespace

TEST_CASE("a minimal scenario gets the documented defaults and resolves paths") {
    TempDir dir;
    touch_inputs(dir);
    const auto file = dir.write("s.toml", "[scenario]\nname = \"Vĩnh Phúc\"\n" + inputs_block());
    const Scenario s = load_scenario(file);
    CHECK(s.name == "Vĩnh Phúc");
    CHECK(s.grid.resolution_m == 30.0);
    CHECK(s.grid.tile_size_px == 512);
    CHECK_FALSE(s.grid.epsg.has_value());
    CHECK(s.inputs.dem == dir.path() / "dem.tif");
    CHECK(s.config_hash.size() == 64);
}

TEST_CASE("the config hash ignores comments and layout but not values") {
    TempDir dir;
    touch_inputs(dir);
    const auto a = dir.write("a.toml", inputs_block() + "[grid]\nresolution_m = 30\n");
    const auto b = dir.write("b.toml", "# a comment\n" + inputs_block() + "\n[grid]\nresolution_m    = 30 # m\n");
    const auto c = dir.write("c.toml", inputs_block() + "[grid]\nresolution_m = 50\n");
    CHECK(load_scenario(a).config_hash == load_scenario(b).config_hash);
    CHECK(load_scenario(a).config_hash != load_scenario(c).config_hash);
}

TEST_CASE("unknown keys are errors with the nearest known key") {
    TempDir dir;
    touch_inputs(dir);
    const auto file = dir.write("s.toml", inputs_block() + "[grid]\nresolution_mm = 30\n");
    const std::string msg = problems_of(file);
    CHECK(msg.find("key grid.resolution_mm (line 7): unknown key; did you mean grid.resolution_m?") != std::string::npos);
}

TEST_CASE("every problem is reported at once: types, ranges, missing files and keys") {
    TempDir dir;
    dir.write("dem.tif", "x");
    const auto file = dir.write("s.toml",
                                "[inputs]\ndem = \"dem.tif\"\npopulation = 3\naoi = \"nope.geojson\"\n"
                                "[grid]\nresolution_m = \"30\"\ntile_size_px = 10\nepsg = 4\n");
    const std::string msg = problems_of(file);
    CHECK(msg.find("key inputs.population (line 3): expected a string, got the integer 3") != std::string::npos);
    CHECK(msg.find("key inputs.aoi (line 4): file not found") != std::string::npos);
    CHECK(msg.find("key inputs.sites: required key is missing") != std::string::npos);
    CHECK(msg.find("key grid.resolution_m (line 6): expected a number in metres, got the string \"30\"") != std::string::npos);
    CHECK(msg.find("key grid.tile_size_px (line 7): expected 64 ≤ tile_size_px ≤ 8192") != std::string::npos);
    CHECK(msg.find("key grid.epsg (line 8)") != std::string::npos);
}

TEST_CASE("TOML syntax errors name the line") {
    TempDir dir;
    const auto file = dir.write("s.toml", "[inputs]\ndem = \"dem.tif\n");
    const std::string msg = problems_of(file);
    CHECK(msg.find("s.toml, line 2") != std::string::npos);
    CHECK(msg.find("not valid TOML") != std::string::npos);
}

TEST_CASE("a missing scenario file is an input error") {
    CHECK_THROWS_AS((void)load_scenario("/nonexistent/scenario.toml"), InputError);
}

TEST_CASE("prediction keys: models, overrides and ranges") {
    TempDir dir;
    touch_inputs(dir);
    const auto good = dir.write("g.toml", inputs_block() +
                                              "[prediction]\nmodel = \"okumura_hata\"\ndiffraction = \"delta_bullington\"\n"
                                              "[prediction.band.n41]\nmodel = \"tr38901_uma\"\n"
                                              "[antennas.panel]\ngain_dbi = 18\nh_beamwidth_deg = 65\n");
    const Scenario s = load_scenario(good);
    CHECK(s.prediction.model.kind == radio::ModelKind::okumura_hata);
    CHECK(s.prediction.diffraction == DiffractionMethod::delta_bullington);
    CHECK(s.prediction.band_models.at("n41").kind == radio::ModelKind::tr38901_uma);
    CHECK(s.antennas.at("panel").sector.gain_dbi == 18.0);
    CHECK(s.antennas.at("panel").sector.v_beamwidth_deg == 7.0);  // the documented default

    const auto bad = dir.write("b.toml", inputs_block() +
                                             "[prediction]\nmodel = \"hata\"\ndiffraction_weight = -1\nload = 2\n"
                                             "far_block_px = 0\nnear_radius_m = -5\n"
                                             "[prediction.layer.\"X LTE B3\"]\nmodle = \"spm\"\n");
    const std::string msg = problems_of(bad);
    CHECK(msg.find("key prediction.far_block_px (line 10): expected a whole number of pixels from 1 (no extended zone) "
                   "to 15, got 0") != std::string::npos);
    CHECK(msg.find("key prediction.near_radius_m (line 11): expected 0 ≤ near_radius_m") != std::string::npos);
    // Zones by default (issue #26): exact where a threshold reads the signal, blocks of 6 beyond.
    CHECK(s.prediction.zones == ZoneMode::thresholds);
    CHECK(s.prediction.far_block_px == 6);
    CHECK(msg.find("key prediction.model (line 7): unknown model \"hata\"") != std::string::npos);
    CHECK(msg.find("key prediction.diffraction_weight") != std::string::npos);
    CHECK(msg.find("key prediction.load (line 9): expected 0 ≤ load ≤ 1 (fraction), got 2") != std::string::npos);
    CHECK(msg.find("prediction.layer.X LTE B3.modle") != std::string::npos);
    CHECK(msg.find("did you mean prediction.layer.X LTE B3.model?") != std::string::npos);
}

TEST_CASE("ITM keys: climate, ground, variability, per band, checked against ITM's limits") {
    TempDir dir;
    touch_inputs(dir);
    const auto good = dir.write("g.toml", inputs_block() +
                                              "[prediction]\nmodel = \"itm\"\n"
                                              "[prediction.itm]\nclimate = \"maritime_subtropical\"\nn0 = 350\n"
                                              "epsilon = 25\nsigma_s_per_m = 0.02\npolarisation = \"horizontal\"\n"
                                              "mdvar = 12\ntime_pct = 90\nsituation_pct = 80\n"
                                              "[prediction.band.B8]\nmodel = \"itm\"\n[prediction.band.B8.itm]\nn0 = 320\n");
    const Scenario s = load_scenario(good);
    const radio::itm::Params& p = s.prediction.model.itm;
    CHECK(s.prediction.model.kind == radio::ModelKind::itm);
    CHECK(p.climate == radio::itm::Climate::maritime_subtropical);
    CHECK(p.n0 == 350.0);
    CHECK(p.epsilon == 25.0);
    CHECK(p.sigma_s_per_m == 0.02);
    CHECK(p.pol == radio::itm::Polarisation::horizontal);
    CHECK(p.mdvar.mode == radio::itm::VariabilityMode::mobile);
    CHECK(p.mdvar.drop_location);
    CHECK(p.time_pct == 90.0);
    CHECK(p.location_pct == 50.0);  // the default
    CHECK(p.situation_pct == 80.0);
    // A band override starts from the default model, ITM inputs included.
    CHECK(s.prediction.band_models.at("B8").itm.n0 == 320.0);
    CHECK(s.prediction.band_models.at("B8").itm.climate == radio::itm::Climate::maritime_subtropical);

    const auto bad = dir.write("b.toml", inputs_block() +
                                             "[prediction]\nmodel = \"itm\"\n[prediction.itm]\nclimate = \"tropical\"\n"
                                             "n0 = 200\nmdvar = 4\ntime_pct = 100\nepsilon = 0.5\nsigma = 1\n");
    const std::string msg = problems_of(bad);
    CHECK(msg.find("key prediction.itm.climate (line 9): unknown value \"tropical\": expected one of equatorial,") !=
          std::string::npos);
    CHECK(msg.find("key prediction.itm.n0 (line 10): n0 = 200: expected 250 <= n0 <= 400 N-units") != std::string::npos);
    CHECK(msg.find("key prediction.itm.mdvar (line 11): expected ITM's mode of variability code") != std::string::npos);
    CHECK(msg.find("key prediction.itm.time_pct (line 12): time_pct = 100: expected 0 < time_pct < 100") !=
          std::string::npos);
    CHECK(msg.find("key prediction.itm.epsilon (line 13): epsilon = 0.5: expected >= 1") != std::string::npos);
    CHECK(msg.find("key prediction.itm.sigma (line 14): unknown key; known keys here: climate, epsilon,") !=
          std::string::npos);
}

TEST_CASE("an integer array key reads its values, and rejects non-integers naming the element") {
    const toml::table t = toml::parse("ok = [10, 25, 50]\nbad = [10, 2.5]\nnot = 3\n");
    phusong::ProblemList problems;
    phusong::TomlTableReader r(&t, "plan", "s.toml", ".", problems);
    std::vector<int> ok, bad, scalar, absent = {7};
    r.get("ok", ok);
    r.get("bad", bad);
    r.get("not", scalar);
    r.get("absent", absent);
    CHECK(ok == std::vector<int>{10, 25, 50});
    CHECK(bad.empty());
    CHECK(scalar.empty());
    CHECK(absent == std::vector<int>{7});
    try {
        problems.throw_if_any();
        FAIL("expected an input error");
    } catch (const phusong::InputError& e) {
        const std::string m = e.what();
        CHECK(m.find("plan.bad") != std::string::npos);
        CHECK(m.find("element 2") != std::string::npos);
        CHECK(m.find("plan.not") != std::string::npos);
    }
}

TEST_CASE("plan keys: the ILP budgets are read and must be at least 1") {
    TempDir dir;
    touch_inputs(dir);
    const auto ok = dir.write("ok.toml", inputs_block() + "[plan]\nenabled = true\nilp_budgets = [5, 20]\n"
                                                          "ilp_time_limit_s = 3\n");
    const phusong::Scenario s = phusong::load_scenario(ok);
    CHECK(s.plan.enabled);
    CHECK(s.plan.ilp_budgets == std::vector<int>{5, 20});
    CHECK(s.plan.ilp_time_limit_s == 3.0);
    const auto none = dir.write("none.toml", inputs_block() + "[plan]\nilp_budgets = []\n");
    CHECK(phusong::load_scenario(none).plan.ilp_budgets.empty());
    const auto bad = dir.write("bad.toml", inputs_block() + "[plan]\nilp_budgets = [10, 0]\n");
    CHECK(problems_of(bad).find("key plan.ilp_budgets") != std::string::npos);
    CHECK(problems_of(bad).find("entry 2 is 0") != std::string::npos);
}

TEST_CASE("[inputs.site_columns] and [inputs.site_units]: read, checked, units in any case (issue #25)") {
    TempDir dir;
    touch_inputs(dir);
    SUBCASE("read") {
        const auto file = dir.write("s.toml", inputs_block() +
                                                  "[inputs.site_columns]\nsite_id = \"Site\"\noperator = \"Network\"\n"
                                                  "[inputs.site_units]\ntx_power_dbm = \"w\"\nfreq_mhz = \"GHz\"\n");
        const Scenario s = load_scenario(file);
        CHECK(s.inputs.site_columns.site_id == "Site");
        CHECK(s.inputs.site_columns.operator_name == "Network");
        CHECK_FALSE(s.inputs.site_columns.lon.has_value());
        CHECK(s.inputs.site_units.tx_power_dbm == PowerUnit::w);
        CHECK(s.inputs.site_units.freq_mhz == FrequencyUnit::ghz);
        CHECK_FALSE(s.inputs.site_units.rs_power_dbm.has_value());
    }
    SUBCASE("a unit that is none, a column that is none") {
        const auto file = dir.write("s.toml", inputs_block() + "[inputs.site_columns]\nsite_idd = \"Site\"\n"
                                                               "[inputs.site_units]\ntx_power_dbm = \"Watt\"\n");
        const std::string msg = problems_of(file);
        CHECK_MESSAGE(msg.find("key inputs.site_columns.site_idd (line 7): unknown key; did you mean "
                               "inputs.site_columns.site_id?") != std::string::npos,
                      msg);
        CHECK_MESSAGE(msg.find("key inputs.site_units.tx_power_dbm (line 9): unknown unit \"Watt\" for tx_power_dbm: "
                               "expected one of dBm, dBW, W, mW") != std::string::npos,
                      msg);
    }
}

TEST_CASE("Φ⁻¹ matches the normal quantiles to double precision; 0.5 gives exactly 0") {
    // Quantiles of the standard normal (e.g. Abramowitz & Stegun Table 26.5; 1.6448536269514722
    // is the 95th percentile to 17 digits).
    CHECK(inverse_normal_cdf(0.5) == 0.0);
    CHECK(inverse_normal_cdf(0.9) == doctest::Approx(1.2815515655446004).epsilon(1e-14));
    CHECK(inverse_normal_cdf(0.95) == doctest::Approx(1.6448536269514722).epsilon(1e-14));
    CHECK(inverse_normal_cdf(0.01) == doctest::Approx(-2.3263478740408408).epsilon(1e-14));
    CHECK(inverse_normal_cdf(0.999) == doctest::Approx(3.090232306167813).epsilon(1e-13));
    CHECK(std::isnan(inverse_normal_cdf(1.0)));
}

TEST_CASE("location probability raises every signal threshold by σ·Φ⁻¹(p); the median leaves them as given") {
    TempDir dir;
    touch_inputs(dir);
    const Scenario median = load_scenario(dir.write("m.toml", inputs_block()));
    CHECK(median.analysis.location_margin_db == 0.0);
    CHECK(median.analysis.thresholds[2].good_signal_dbm == -105.0);
    const Scenario p90 = load_scenario(
        dir.write("p.toml", inputs_block() + "[analysis]\nlocation_probability = 0.9\nshadowing_sigma_db = 8\n"));
    const double margin = 8 * 1.2815515655446004;
    CHECK(p90.analysis.location_margin_db == doctest::Approx(margin));
    CHECK(p90.analysis.thresholds[2].good_signal_dbm == doctest::Approx(-105.0 + margin));
    CHECK(p90.analysis.thresholds[2].fair_signal_dbm == doctest::Approx(-115.0 + margin));
    CHECK(p90.analysis.thresholds[0].good_signal_dbm == doctest::Approx(-81.0 + margin));
}

TEST_CASE("a scenario for calibrate needs no population or AOI; run's needs both") {
    TempDir dir;
    for (const char* f : {"dem.tif", "sites.csv"}) dir.write(f, "x");
    const auto file = dir.write("c.toml", "[inputs]\ndem = \"dem.tif\"\nsites = \"sites.csv\"\n");
    CHECK_NOTHROW((void)load_scenario(file, ScenarioUse::calibrate));
    const std::string msg = problems_of(file);
    CHECK(msg.find("key inputs.population") != std::string::npos);
    CHECK(msg.find("key inputs.aoi") != std::string::npos);
}
