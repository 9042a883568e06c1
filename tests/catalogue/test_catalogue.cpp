// The bad-input catalogue (issue #7). Each case copies the tiny fixture (tests/data/tiny: 3 sites,
// 9 cells, 60 m grid), injects one defect, runs the real `phusong` executable, and checks:
//   - the exit code (0 ok, 1 runtime, 2 usage, 3 invalid input; docs/reliability.md);
//   - stderr names the file and the row/field/key (every expected substring is present);
//   - no raw GDAL message ("ERROR 1: …") and no "internal" error leaks to the user;
//   - after a failure, the output parent folder is exactly as before (no output, no temporary
//     folder); after a success, it holds the output folder only.
// Cases marked `validate` are checked with `phusong validate` too (same code and message).
//
// PHUSONG_CATALOGUE_MD=FILE writes the catalogue as a Markdown table (the table of docs/reliability.md).

#include <doctest/doctest.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fmt/format.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "phusong/geo/gdal.hpp"
#include "runner.hpp"

namespace phusong::catalogue {
namespace {

const char* const kRun = "run {scenario} --out {out}";

struct Case {
    const char* group;
    const char* id;
    const char* defect;                        ///< what is wrong, for the catalogue table
    std::function<void(Fixture&)> inject;      ///< breaks the copied fixture
    int code;                                  ///< expected exit code
    std::vector<std::string> expect;           ///< substrings of stderr (placeholders expanded)
    bool validate = false;                     ///< `phusong validate` must say the same
    std::string args = kRun;
    bool unprivileged = false;                 ///< run as `nobody` when root (permissions)
    std::function<void(const Fixture&, const Result&)> extra = {};
};

// ---- helpers to break the fixture ----------------------------------------------------------

std::vector<std::string> split_csv(const std::string& line) {
    std::vector<std::string> f;
    std::string cur;
    std::istringstream in(line);
    while (std::getline(in, cur, ',')) f.push_back(cur);
    if (!line.empty() && line.back() == ',') f.emplace_back();
    return f;
}

std::string join_csv(const std::vector<std::string>& f) {
    std::string s;
    for (std::size_t i = 0; i < f.size(); ++i) s += (i ? "," : "") + f[i];
    return s;
}

/// Sets `field` of data row `row` (1-based, line row + 1) of the fixture's sites.csv.
void set_field(const Fixture& fx, std::size_t row, const std::string& field, const std::string& value) {
    auto lines = csv_lines(fx.sites);
    const auto header = split_csv(lines.at(0));
    const auto col = std::find(header.begin(), header.end(), field) - header.begin();
    REQUIRE(static_cast<std::size_t>(col) < header.size());
    auto f = split_csv(lines.at(row));
    f.at(static_cast<std::size_t>(col)) = value;
    lines.at(row) = join_csv(f);
    std::string text;
    for (const auto& l : lines) text += l + "\n";
    spit(fx.sites, text);
}

void append_line(const fs::path& p, const std::string& line) { std::ofstream(p, std::ios::app) << line << "\n"; }

void scenario_replace(const Fixture& fx, const std::string& from, const std::string& to) {
    replace_in_file(fx.scenario, from, to);
}

void add_to_grid(const Fixture& fx, const std::string& line) {
    scenario_replace(fx, "tile_size_px = 64", "tile_size_px = 64\n" + line);
}

/// A named pipe at `path`: opening it for reading blocks until a writer comes, which never does.
void make_fifo(const fs::path& path) { REQUIRE(::mkfifo(path.c_str(), 0644) == 0); }

/// A GeoPackage with one layer per name, each holding one feature of WKT `wkt` (EPSG:4326).
void write_gpkg_layers(const fs::path& path, const std::vector<std::string>& names, const char* wkt) {
    geo::gdal_init();
    GDALDriver* drv = GetGDALDriverManager()->GetDriverByName("GPKG");
    REQUIRE(drv != nullptr);
    GDALDatasetUniquePtr ds(drv->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    REQUIRE(ds);
    OGRSpatialReference wgs84;
    wgs84.importFromEPSG(4326);
    for (const auto& name : names) {
        OGRGeometry* g = nullptr;
        REQUIRE(OGRGeometryFactory::createFromWkt(wkt, nullptr, &g) == OGRERR_NONE);
        OGRLayer* layer = ds->CreateLayer(name.c_str(), &wgs84, wkbFlatten(g->getGeometryType()), nullptr);
        REQUIRE(layer != nullptr);
        OGRFeature f(layer->GetLayerDefn());
        f.SetGeometryDirectly(g);
        REQUIRE(layer->CreateFeature(&f) == OGRERR_NONE);
    }
}

/// A Planet/MSI pattern file with `gain_line` and one-point sections, named by the catalogue's
/// sector65_17dbi antenna.
void use_msi(const Fixture& fx, const std::string& gain_line) {
    spit(fx.root / "pattern.msi", "NAME test\n" + gain_line + "\nHORIZONTAL 1\n0 0\nVERTICAL 1\n0 0\n");
    scenario_replace(fx, "[antennas.sector65_17dbi]", "[antennas.sector65_17dbi]\nmsi = \"pattern.msi\"");
}

template <typename F>
std::function<void(Fixture&)> dem_edit(F f) {
    return [f](Fixture& fx) {
        RasterData r = read_raster(fx.dem);
        f(r);
        write_raster(fx.dem, r);
    };
}

template <typename F>
std::function<void(Fixture&)> population_edit(F f) {
    return [f](Fixture& fx) {
        RasterData r = read_raster(fx.population);
        f(r);
        write_raster(fx.population, r);
    };
}

std::string aoi_feature(const std::string& geometry) {
    return R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"x"},"geometry":)" +
           geometry + "}]}";
}

/// The first three rows of the site table as GeoJSON features; `geometry_of_first` replaces the
/// first feature's point.
std::string sites_geojson(const Fixture& fx, const std::string& geometry_of_first) {
    const auto lines = csv_lines(fx.sites);
    const auto header = split_csv(lines[0]);
    std::string features;
    for (std::size_t row = 1; row <= 3; ++row) {
        const auto f = split_csv(lines[row]);
        std::string props;
        std::string lon;
        std::string lat;
        for (std::size_t i = 0; i < header.size(); ++i) {
            if (header[i] == "lon") lon = f[i];
            if (header[i] == "lat") lat = f[i];
            if (header[i] == "lon" || header[i] == "lat") continue;
            props += (props.empty() ? "" : ",") + ("\"" + header[i] + "\":\"" + f[i] + "\"");
        }
        const std::string geom = row == 1 ? geometry_of_first
                                          : R"({"type":"Point","coordinates":[)" + lon + "," + lat + "]}";
        features += std::string(row == 1 ? "" : ",") + R"({"type":"Feature","properties":{)" + props +
                    "},\"geometry\":" + geom + "}";
    }
    return R"({"type":"FeatureCollection","features":[)" + features + "]}";
}

/// A polygon shapefile without .prj (no CRS) covering the AOI.
void write_shapefile_without_crs(const fs::path& path) {
    geo::gdal_init();
    GDALDriver* drv = GetGDALDriverManager()->GetDriverByName("ESRI Shapefile");
    REQUIRE(drv != nullptr);
    GDALDatasetUniquePtr ds(drv->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    REQUIRE(ds);
    OGRLayer* layer = ds->CreateLayer("aoi", nullptr, wkbPolygon, nullptr);
    REQUIRE(layer != nullptr);
    OGRFeature f(layer->GetLayerDefn());
    OGRGeometry* g = nullptr;
    const char* wkt = "POLYGON((105.57 21.28,105.63 21.28,105.63 21.34,105.57 21.34,105.57 21.28))";
    REQUIRE(OGRGeometryFactory::createFromWkt(wkt, nullptr, &g) == OGRERR_NONE);
    f.SetGeometryDirectly(g);
    REQUIRE(layer->CreateFeature(&f) == OGRERR_NONE);
}

/// The fixture's site table as an Atoll transmitter export writes it: semicolons and Atoll's
/// headers, except for the coordinates, which are named "Lon_WGS84" and "Lat_WGS84" (no alias).
void to_atoll(const Fixture& fx) {
    const auto lines = csv_lines(fx.sites);
    std::string text =
        "Site;Transmitter;Operator;Lon_WGS84;Lat_WGS84;Height (m);Azimuth (\xC2\xB0);Mechanical Downtilt (\xC2\xB0);"
        "Additional Electrical Downtilt (\xC2\xB0);Technology;Frequency Band;Frequency (MHz);Bandwidth (MHz);"
        "Max Power (dBm);Antenna\n";
    for (std::size_t i = 1; i < lines.size(); ++i) {
        std::string l = lines[i];
        std::replace(l.begin(), l.end(), ',', ';');
        text += l + "\n";
    }
    spit(fx.sites, text);
}

/// Adds [inputs.site_columns] or [inputs.site_units] lines after the inputs.
void add_to_inputs(const Fixture& fx, const std::string& lines) {
    scenario_replace(fx, "sites = \"sites.csv\"", "sites = \"sites.csv\"\n\n" + lines);
}

nlohmann::json manifest_of(const Fixture& fx) { return nlohmann::json::parse(slurp(fx.out / "manifest.json")); }

/// A measurement table beside the fixture's inputs (`{root}/drive.csv`): 12 points north of each of
/// VT-1 and VT-2 (their first sectors face north), 200–1300 m away, at −90 … −101 dBm; `edit`
/// may change the text first.
void write_drive(const Fixture& fx, const std::function<void(std::string&)>& edit = {}) {
    std::string text = "cell_id,lon,lat,signal_dbm\n";
    for (const auto& [cell, lon, lat] : {std::tuple{"VT-1-L18-1", 105.595, 21.305}, std::tuple{"VT-2-L18-1", 105.615, 21.325}}) {
        for (int i = 0; i < 12; ++i) {
            text += fmt::format("{},{:.6f},{:.6f},{}\n", cell, lon + 0.0005 * (i % 3), lat + 0.002 + 0.001 * i, -90 - i);
        }
    }
    if (edit) edit(text);
    spit(fx.root / "drive.csv", text);
}

const char* const kCalibrate = "calibrate {scenario} {root}/drive.csv --out {out}";

// ---- the catalogue -------------------------------------------------------------------------

std::vector<Case> catalogue() {
    std::vector<Case> c;
    // Scenario file --------------------------------------------------------------------------
    c.push_back({"scenario", "scenario-missing", "scenario file does not exist",
                 [](Fixture& fx) { fs::remove(fx.scenario); }, 3,
                 {"{scenario}: scenario file not found"}, true});
    c.push_back({"scenario", "scenario-folder", "scenario path is a folder",
                 [](Fixture&) {}, 3, {"{root}: expected a scenario file (TOML), got a folder"}, true,
                 "run {root} --out {out}"});
    c.push_back({"scenario", "scenario-unreadable", "scenario file not readable (mode 000)",
                 [](Fixture& fx) { fs::permissions(fx.scenario, fs::perms::none); }, 3,
                 {"{scenario}: cannot read the scenario file"}, true, kRun, true});
    c.push_back({"scenario", "scenario-not-toml", "scenario is not TOML (syntax error)",
                 [](Fixture& fx) { scenario_replace(fx, "resolution_m = 60", "resolution_m = = 60"); }, 3,
                 {"{scenario}, line 12, column", "not valid TOML"}, true});
    c.push_back({"scenario", "scenario-duplicate-key", "the same key twice",
                 [](Fixture& fx) { add_to_grid(fx, "resolution_m = 30"); }, 3,
                 {"{scenario}, line 15", "not valid TOML"}, true});
    c.push_back({"scenario", "scenario-key-typo", "unknown key (typo), with a suggestion",
                 [](Fixture& fx) { scenario_replace(fx, "resolution_m = 60", "resolution_mm = 60"); }, 3,
                 {"{scenario}, key grid.resolution_mm (line 12): unknown key; did you mean grid.resolution_m?"}, true});
    c.push_back({"scenario", "scenario-table-typo", "unknown table (typo), with a suggestion",
                 [](Fixture& fx) { scenario_replace(fx, "[grid]", "[grdi]"); }, 3,
                 {"{scenario}, key grdi", "did you mean grid?"}, true});
    c.push_back({"scenario", "scenario-wrong-type-string", "a number given as a string",
                 [](Fixture& fx) { scenario_replace(fx, "resolution_m = 60", "resolution_m = \"60\""); }, 3,
                 {"{scenario}, key grid.resolution_m (line 12): expected a number in metres, got the string \"60\""}, true});
    c.push_back({"scenario", "scenario-wrong-type-float", "an integer key given a fraction",
                 [](Fixture& fx) { scenario_replace(fx, "tile_size_px = 64", "tile_size_px = 64.5"); }, 3,
                 {"{scenario}, key grid.tile_size_px (line 14): expected an integer"}, true});
    c.push_back({"scenario", "scenario-wrong-type-table", "a table given as a value",
                 [](Fixture& fx) { scenario_replace(fx, "[scenario]", "prediction = 3\n[scenario]"); }, 3,
                 {"{scenario}, key prediction", "expected a table, got the integer 3"}, true});
    c.push_back({"scenario", "scenario-out-of-range", "resolution_m = 0",
                 [](Fixture& fx) { scenario_replace(fx, "resolution_m = 60", "resolution_m = 0"); }, 3,
                 {"{scenario}, key grid.resolution_m (line 12): expected 1 ≤ resolution_m ≤ 5000"}, true});
    c.push_back({"scenario", "scenario-nan", "a NaN value (TOML nan)",
                 [](Fixture& fx) { scenario_replace(fx, "margin_m = 1000", "margin_m = nan"); }, 3,
                 {"{scenario}, key grid.margin_m (line 13): expected a finite number"}, true});
    c.push_back({"scenario", "scenario-no-inputs", "[inputs] table missing",
                 [](Fixture& fx) { scenario_replace(fx, "[inputs]", "[inputz]"); }, 3,
                 {"{scenario}, table [inputs]: required table is missing", "key inputz"}, true});
    c.push_back({"scenario", "scenario-missing-key", "required key inputs.dem missing",
                 [](Fixture& fx) { scenario_replace(fx, "dem = \"dem.tif\"", ""); }, 3,
                 {"{scenario}, key inputs.dem: required key is missing"}, true});
    c.push_back({"scenario", "input-file-missing", "inputs.dem names a file that does not exist",
                 [](Fixture& fx) { fs::remove(fx.dem); }, 3,
                 {"{scenario}, key inputs.dem (line 6): file not found: {dem}"}, true});
    c.push_back({"scenario", "input-path-empty", "inputs.sites = \"\"",
                 [](Fixture& fx) { scenario_replace(fx, "sites = \"sites.csv\"", "sites = \"\""); }, 3,
                 {"{scenario}, key inputs.sites (line 9): expected a file path, got an empty string"}, true});
    c.push_back({"scenario", "scenario-unknown-model", "unknown propagation model name",
                 [](Fixture& fx) { scenario_replace(fx, "[antennas.sector65_17dbi]", "[prediction]\nmodel = \"hatta\"\n\n[antennas.sector65_17dbi]"); }, 3,
                 {"{scenario}, key prediction.model (line 17): unknown model \"hatta\""}, true});
    c.push_back({"sites", "layer-folder-collision", "operator \"VIETTEL\" beside \"Viettel\": two layers, one output folder",
                 [](Fixture& fx) {
                     append_line(fx.sites, "VT-3,VT-3-L18-1,VIETTEL,105.605000,21.315000,30,0,2,4,LTE,B3,1815,20,46,sector65_17dbi");
                 }, 3,
                 {"{sites}, row 1, field operator: layer \"Viettel LTE B3\" and layer \"VIETTEL LTE B3\" (row 10) differ "
                  "only in case or punctuation and would share the output folder layers/viettel_lte_b3"}, true});
    c.push_back({"scenario", "override-unknown-layer", "a model override for a layer the site table does not have",
                 [](Fixture& fx) { append_line(fx.scenario, "\n[prediction.layer.\"Viettel LTE B1\"]\nmodel = \"cost231_hata\""); }, 3,
                 {"{scenario}, key prediction.layer.\"Viettel LTE B1\": no such layer in the site table; layers are: "}, true});
    c.push_back({"scenario", "override-unknown-band", "a model override for a band phusong does not know",
                 [](Fixture& fx) { append_line(fx.scenario, "\n[prediction.band.B99]\nmodel = \"cost231_hata\""); }, 3,
                 {"{scenario}, key prediction.band.\"B99\": unknown band; expected one of "}, true});
    c.push_back({"scenario", "plan-antenna-unknown", "[plan] names an antenna the [antennas] catalogue lacks",
                 [](Fixture& fx) { append_line(fx.scenario, "\n[plan]\nenabled = true\nantenna = \"nr_64t64r\""); }, 3,
                 {"{scenario}, key plan.antenna: antenna \"nr_64t64r\" is not in the [antennas] catalogue "
                  "(sector65_15dbi, sector65_17dbi): add [antennas.nr_64t64r] or name one of them"}, true});
    c.push_back({"scenario", "itm-bad-inputs", "ITM model with a climate it does not have and N_0 out of its range",
                 [](Fixture& fx) {
                     scenario_replace(fx, "[antennas.sector65_17dbi]",
                                      "[prediction]\nmodel = \"itm\"\n[prediction.itm]\nclimate = \"tropical\"\n"
                                      "n0 = 200\n\n[antennas.sector65_17dbi]");
                 }, 3,
                 {"{scenario}, key prediction.itm.climate (line 19): unknown value \"tropical\": expected one of "
                  "equatorial, continental_subtropical,",
                  "{scenario}, key prediction.itm.n0 (line 20): n0 = 200: expected 250 <= n0 <= 400 N-units"}, true});
    c.push_back({"scenario", "epsg-geographic", "grid.epsg = 4326 (degrees, not metres)",
                 [](Fixture& fx) { add_to_grid(fx, "epsg = 4326"); }, 3,
                 {"{scenario}, key grid.epsg", "EPSG:4326 is not a projected CRS"}, true});
    c.push_back({"scenario", "epsg-unknown", "grid.epsg = 999999 (no such CRS)",
                 [](Fixture& fx) { add_to_grid(fx, "epsg = 999999"); }, 3,
                 {"{scenario}, key grid.epsg", "unknown EPSG code 999999"}, true});
    c.push_back({"scenario", "antenna-bad-value", "antenna catalogue entry out of range",
                 [](Fixture& fx) { scenario_replace(fx, "gain_dbi = 17", "gain_dbi = 99"); }, 3,
                 {"{scenario}, key antennas.sector65_17dbi.gain_dbi", "expected -10 ≤ gain_dbi ≤ 40"}, true});
    c.push_back({"scenario", "input-sites-fifo", "inputs.sites names a FIFO (named pipe)",
                 [](Fixture& fx) {
                     make_fifo(fx.root / "pipe.csv");
                     scenario_replace(fx, "sites = \"sites.csv\"", "sites = \"pipe.csv\"");
                 }, 3,
                 {"{scenario}, key inputs.sites (line 9): {root}/pipe.csv is a FIFO, not a regular file",
                  "give the path of a regular file"}, true});
    c.push_back({"scenario", "input-dem-dev-zero", "inputs.dem = \"/dev/zero\" (a device without end)",
                 [](Fixture& fx) { scenario_replace(fx, "dem = \"dem.tif\"", "dem = \"/dev/zero\""); }, 3,
                 {"{scenario}, key inputs.dem (line 6): /dev/zero is a character device, not a regular file"}, true});
    c.push_back({"scenario", "antenna-msi-fifo", "antennas.*.msi names a FIFO",
                 [](Fixture& fx) {
                     make_fifo(fx.root / "pattern.msi");
                     scenario_replace(fx, "[antennas.sector65_17dbi]", "[antennas.sector65_17dbi]\nmsi = \"pattern.msi\"");
                 }, 3,
                 {"{scenario}, key antennas.sector65_17dbi.msi (line 17): {root}/pattern.msi is a FIFO, not a regular file"},
                 true});
    c.push_back({"scenario", "antenna-msi-gain", "MSI antenna file with GAIN 1000 (once an RSRP of +254.9 dBm)",
                 [](Fixture& fx) { use_msi(fx, "GAIN 1000"); }, 3,
                 {"{root}/pattern.msi: line 2: GAIN 1000 dBd (1002.15 dBi) is out of range; expected -10 ≤ gain ≤ 40 dBi"},
                 true, kRun, false,
                 [](const Fixture&, const Result& r) {
                     // The antenna is in the catalogue; only its file is wrong.
                     CHECK_FALSE(contains(r.err, "is not in the scenario's antenna catalogue"));
                 }});
    c.push_back({"scenario", "antenna-msi-attenuation", "MSI antenna file with an attenuation of 250 dB",
                 [](Fixture& fx) {
                     spit(fx.root / "pattern.msi", "NAME test\nGAIN 15 dBd\nHORIZONTAL 2\n0 0\n180 250\nVERTICAL 1\n0 0\n");
                     scenario_replace(fx, "[antennas.sector65_17dbi]", "[antennas.sector65_17dbi]\nmsi = \"pattern.msi\"");
                 }, 3,
                 {"{root}/pattern.msi: line 5: HORIZONTAL attenuation 250 dB is out of range; expected 0 ≤ attenuation ≤ 100 dB"},
                 true});
    c.push_back({"scenario", "aoi-two-layers", "AOI GeoPackage with two layers (the second was ignored)",
                 [](Fixture& fx) {
                     write_gpkg_layers(fx.root / "aoi.gpkg", {"aoi", "aoi_old"},
                                       "POLYGON((105.57 21.28,105.63 21.28,105.63 21.34,105.57 21.34,105.57 21.28))");
                     scenario_replace(fx, "aoi = \"aoi.geojson\"", "aoi = \"aoi.gpkg\"");
                 }, 3,
                 {"{root}/aoi.gpkg: the file holds 2 layers (aoi, aoi_old) and phusong reads one (AOI), ignoring "
                  "the others: copy the layer you mean to its own file, e.g. ogr2ogr -f GPKG one_layer.gpkg "
                  "{root}/aoi.gpkg aoi"}, true});
    c.push_back({"scenario", "admin-two-layers", "admin units GeoPackage with two layers (districts and communes)",
                 [](Fixture& fx) {
                     write_gpkg_layers(fx.root / "admin.gpkg", {"districts", "communes"},
                                       "POLYGON((105.57 21.28,105.63 21.28,105.63 21.34,105.57 21.34,105.57 21.28))");
                     scenario_replace(fx, "aoi = \"aoi.geojson\"", "aoi = \"aoi.geojson\"\nadmin = \"admin.gpkg\"");
                 }, 3,
                 {"{root}/admin.gpkg: the file holds 2 layers (districts, communes) and phusong reads one (admin)",
                  "ogr2ogr -f GPKG one_layer.gpkg {root}/admin.gpkg districts"}});

    // Site table -----------------------------------------------------------------------------
    c.push_back({"sites", "lte-bandwidth-not-a-channel", "an LTE cell of 7 MHz (no such LTE channel bandwidth)",
                 [](Fixture& fx) { set_field(fx, 1, "bandwidth_mhz", "7"); }, 3,
                 {"{sites}, row 1, field bandwidth_mhz: LTE bandwidth 7 MHz; expected one of 1.4, 3, 5, 10, 15, 20 MHz "
                  "(TS 36.101 Table 5.6-1): give the cell's channel bandwidth"}, true});
    c.push_back({"sites", "sites-empty-file", "site table is an empty file (0 bytes)",
                 [](Fixture& fx) { spit(fx.sites, ""); }, 3, {"{sites}: the site table is empty (0 bytes)"}, true});
    c.push_back({"sites", "sites-header-only", "site table with a header and no rows",
                 [](Fixture& fx) { spit(fx.sites, csv_lines(fx.sites)[0] + "\n"); }, 3,
                 {"{sites}: the site table has no rows"}, true});
    c.push_back({"sites", "sites-unreadable", "site table not readable (mode 000)",
                 [](Fixture& fx) { fs::permissions(fx.sites, fs::perms::none); }, 3,
                 {"{sites}: cannot read the site table", "ermission denied"}, true, kRun, true});
    c.push_back({"sites", "sites-wrong-format", "site table is a GeoTIFF",
                 [](Fixture& fx) { scenario_replace(fx, "sites = \"sites.csv\"", "sites = \"dem.tif\""); }, 3,
                 {"{dem}: cannot read the site table: format not recognised"}, true});
    c.push_back({"sites", "sites-missing-column", "column azimuth_deg missing (a header that is no alias)",
                 [](Fixture& fx) { replace_in_file(fx.sites, "azimuth_deg", "pointing"); }, 3,
                 {"{sites}, header: missing column(s) azimuth_deg", "[inputs.site_columns] azimuth_deg = "}, true});
    c.push_back({"sites", "sites-atoll-unmapped",
                 "Atoll export (semicolons, Atoll's headers) whose coordinate headers are no alias, without "
                 "[inputs.site_columns]",
                 [](Fixture& fx) { to_atoll(fx); }, 3,
                 {"{sites}, header: missing column(s) lon, lat; the file's columns are \"Site\", \"Transmitter\"",
                  "[inputs.site_columns] lon = \"Lon_WGS84\", lat = \"Lat_WGS84\""},
                 true});
    c.push_back({"sites", "sites-atoll-mapped",
                 "Atoll export with [inputs.site_columns] naming its coordinate columns (accepted)",
                 [](Fixture& fx) {
                     to_atoll(fx);
                     add_to_inputs(fx, "[inputs.site_columns]\nlon = \"Lon_WGS84\"\nlat = \"lat_wgs84\"");
                 },
                 0, {}, true});
    c.push_back({"sites", "sites-mapping-no-column", "[inputs.site_columns] names a header the table does not have",
                 [](Fixture& fx) { add_to_inputs(fx, "[inputs.site_columns]\nlon = \"Longitude\""); }, 3,
                 {"{scenario}, key inputs.site_columns.lon: \"Longitude\" is not a column of {sites}; its columns "
                  "are \"site_id\""},
                 true});
    c.push_back({"sites", "sites-bad-unit", "[inputs.site_units] tx_power_dbm = \"Watt\" (no such unit)",
                 [](Fixture& fx) { add_to_inputs(fx, "[inputs.site_units]\ntx_power_dbm = \"Watt\""); }, 3,
                 {"{scenario}, key inputs.site_units.tx_power_dbm", "unknown unit \"Watt\" for tx_power_dbm: expected one of dBm, dBW, W, mW"},
                 true});
    c.push_back({"sites", "sites-lat-out-of-range", "lat = 121.3",
                 [](Fixture& fx) { set_field(fx, 2, "lat", "121.3"); }, 3,
                 {"{sites}, row 2 (line 3), field lat: value 121.3 is out of range"}, true});
    c.push_back({"sites", "sites-lon-out-of-range", "lon = 205.6",
                 [](Fixture& fx) { set_field(fx, 2, "lon", "205.6"); }, 3,
                 {"{sites}, row 2 (line 3), field lon: value 205.6 is out of range"}, true});
    c.push_back({"sites", "sites-lat-lon-swapped", "lat and lon swapped",
                 [](Fixture& fx) { set_field(fx, 5, "lon", "21.325000"); set_field(fx, 5, "lat", "105.615000"); }, 3,
                 {"{sites}, row 5 (line 6), field lat: lat and lon look swapped"}, true});
    c.push_back({"sites", "sites-nan", "height_agl_m = nan",
                 [](Fixture& fx) { set_field(fx, 1, "height_agl_m", "nan"); }, 3,
                 {"{sites}, row 1 (line 2), field height_agl_m: \"nan\" is not a finite number"}, true});
    c.push_back({"sites", "sites-inf", "tx_power_dbm = inf",
                 [](Fixture& fx) { set_field(fx, 7, "tx_power_dbm", "inf"); }, 3,
                 {"{sites}, row 7 (line 8), field tx_power_dbm: \"inf\" is not a finite number"}, true});
    c.push_back({"sites", "sites-not-a-number", "freq_mhz is not a number",
                 [](Fixture& fx) { set_field(fx, 3, "freq_mhz", "1.815e3x"); }, 3,
                 {"{sites}, row 3 (line 4), field freq_mhz: \"1.815e3x\" is not a number"}, true});
    c.push_back({"sites", "sites-duplicate-cell", "the same cell_id on two rows",
                 [](Fixture& fx) { set_field(fx, 3, "cell_id", "VT-1-L18-1"); }, 3,
                 {"{sites}, row 3, field cell_id: duplicate cell_id \"VT-1-L18-1\" (also in row 1)"}, true});
    c.push_back({"sites", "sites-negative-height", "height_agl_m = -5",
                 [](Fixture& fx) { set_field(fx, 4, "height_agl_m", "-5"); }, 3,
                 {"{sites}, row 4 (line 5), field height_agl_m: value -5 is out of range"}, true});
    c.push_back({"sites", "sites-azimuth-360", "azimuth_deg = 360",
                 [](Fixture& fx) { set_field(fx, 2, "azimuth_deg", "360"); }, 3,
                 {"{sites}, row 2 (line 3), field azimuth_deg: value 360 is out of range: expected 0 ≤ value < 360"}, true});
    c.push_back({"sites", "sites-unknown-tech", "tech = 6G (5G, like lte, is read: NR)",
                 [](Fixture& fx) { set_field(fx, 1, "tech", "6G"); }, 3,
                 {"{sites}, row 1 (line 2), field tech: unknown technology \"6G\""}, true});
    c.push_back({"sites", "sites-unknown-band", "band = B99",
                 [](Fixture& fx) { set_field(fx, 1, "band", "B99"); }, 3,
                 {"{sites}, row 1 (line 2), field band: unknown band \"B99\""}, true});
    c.push_back({"sites", "sites-band-tech-mismatch", "GSM cell on LTE band B3",
                 [](Fixture& fx) { set_field(fx, 8, "band", "B3"); }, 3,
                 {"{sites}, row 8 (line 9), field band: band B3 is not used by GSM"}, true});
    c.push_back({"sites", "sites-freq-outside-band", "freq_mhz outside the band's downlink",
                 [](Fixture& fx) { set_field(fx, 1, "freq_mhz", "1900"); }, 3,
                 {"{sites}, row 1 (line 2), field freq_mhz: frequency 1900 MHz is outside the downlink of band B3"}, true});
    c.push_back({"sites", "sites-empty-field", "operator left empty",
                 [](Fixture& fx) { set_field(fx, 6, "operator", ""); }, 3,
                 {"{sites}, row 6 (line 7), field operator: missing value"}, true});
    c.push_back({"sites", "sites-short-row", "a row with a field too few",
                 [](Fixture& fx) { replace_in_file(fx.sites, "46,sector65_17dbi\nVT-1,VT-1-L18-3", "46\nVT-1,VT-1-L18-3"); }, 3,
                 {"{sites}, row 2 (line 3), field antenna: missing value"}, true});
    c.push_back({"sites", "sites-long-row", "a row with a field too many (shifted columns)",
                 [](Fixture& fx) { replace_in_file(fx.sites, "46,sector65_17dbi\nVT-1,VT-1-L18-3", "46,sector65_17dbi,extra\nVT-1,VT-1-L18-3"); }, 3,
                 {"{sites}, row 2 (line 3): 16 values for 15 columns"}, true});
    c.push_back({"sites", "sites-two-locations", "one site_id at two locations",
                 [](Fixture& fx) { set_field(fx, 3, "lat", "21.306000"); }, 3,
                 {"{sites}, row 3, field lon/lat: site VT-1 has cells at two locations"}, true});
    c.push_back({"sites", "sites-two-operators", "one site_id with two operators",
                 [](Fixture& fx) { set_field(fx, 3, "operator", "VNPT"); }, 3,
                 {"{sites}, row 3, field operator: site VT-1 has cells of two operators"}, true});
    c.push_back({"sites", "sites-unknown-antenna", "antenna not in the scenario's catalogue",
                 [](Fixture& fx) { set_field(fx, 2, "antenna", "sector99"); }, 3,
                 {"{sites}, row 2", "field antenna: antenna \"sector99\" is not in the scenario's antenna catalogue"}, true});
    c.push_back({"sites", "sites-outside-grid", "a site far outside the AOI and margin",
                 [](Fixture& fx) { append_line(fx.sites, "FAR-1,FAR-1-1,Viettel,105.900000,21.500000,30,0,2,4,LTE,B3,1815,20,46,sector65_17dbi"); }, 3,
                 {"{sites}, row 10 (site FAR-1), field lon/lat", "outside the analysis grid"}});
    c.push_back({"sites", "sites-geojson-not-point", "GeoJSON site table with a LineString",
                 [](Fixture& fx) {
                     spit(fx.root / "sites.geojson", sites_geojson(fx, R"({"type":"LineString","coordinates":[[105.59,21.30],[105.6,21.31]]})"));
                     scenario_replace(fx, "sites = \"sites.csv\"", "sites = \"sites.geojson\"");
                 }, 3, {"{root}/sites.geojson, feature 1, field geometry: expected a point geometry"}, true});
    c.push_back({"sites", "sites-two-layers", "site table GeoPackage with two layers (the second was ignored)",
                 [](Fixture& fx) {
                     write_gpkg_layers(fx.root / "sites.gpkg", {"sites_2025", "sites_2026"}, "POINT(105.595 21.305)");
                     scenario_replace(fx, "sites = \"sites.csv\"", "sites = \"sites.gpkg\"");
                 }, 3,
                 {"{root}/sites.gpkg: the file holds 2 layers (sites_2025, sites_2026) and phusong reads one (site "
                  "table), ignoring the others", "ogr2ogr -f GPKG one_layer.gpkg {root}/sites.gpkg sites_2025"}, true});
    c.push_back({"sites", "sites-bom-crlf", "UTF-8 BOM and CRLF line ends (accepted)",
                 [](Fixture& fx) {
                     std::string text = "\xEF\xBB\xBF";
                     for (const auto& l : csv_lines(fx.sites)) text += l + "\r\n";
                     spit(fx.sites, text);
                 }, 0, {}, true});
    c.push_back({"sites", "freq-outside-model-range", "NR n78 cell (3500 MHz) with COST-231 Hata (1500–2000 MHz): a warning, counted in the manifest",
                 [](Fixture& fx) { append_line(fx.sites, "VT-1,VT-1-N78-1,Viettel,105.595000,21.305000,30,0,2,4,NR,n78,3500,100,49,sector65_17dbi"); },
                 0, {"warning: model cost231_hata: 1 cell of band n78 (1 layer) at 3500 MHz is above its highest "
                     "frequency, 2000 MHz"}, true, kRun, false,
                 [](const Fixture& fx, const Result&) {
                     CHECK(manifest_of(fx).at("prediction").at("cells_outside_model_validity") == 4);
                 }});

    // Rasters ----------------------------------------------------------------------------------
    c.push_back({"rasters", "dem-not-raster", "DEM is a text file",
                 [](Fixture& fx) { spit(fx.dem, "hello\n"); }, 3,
                 {"{dem}: cannot open as a raster (DEM)"}, true});
    c.push_back({"rasters", "dem-truncated", "DEM file cut in half (corrupt)",
                 [](Fixture& fx) { const std::string b = slurp(fx.dem); spit(fx.dem, b.substr(0, b.size() / 2)); }, 3,
                 {"{dem}: cannot warp onto the analysis grid", "IReadBlock failed"}, false});
    c.push_back({"rasters", "dem-unreadable", "DEM not readable (mode 000)",
                 [](Fixture& fx) { fs::permissions(fx.dem, fs::perms::none); }, 3,
                 {"{dem}: cannot open", "Permission denied"}, true, kRun, true});
    c.push_back({"rasters", "dem-no-crs", "DEM without CRS",
                 dem_edit([](RasterData& r) { r.crs_wkt.clear(); }), 3,
                 {"{dem}: the raster has no CRS"}, true});
    c.push_back({"rasters", "dem-no-geotransform", "DEM without georeferencing",
                 dem_edit([](RasterData& r) { r.geotransform.reset(); r.crs_wkt.clear(); }), 3,
                 {"{dem}: the raster has no geotransform"}, true});
    c.push_back({"rasters", "dem-rotated", "DEM with a rotated geotransform",
                 dem_edit([](RasterData& r) { (*r.geotransform)[2] = 1e-5; (*r.geotransform)[4] = 1e-5; }), 3,
                 {"{dem}, geotransform: rotated or sheared rasters are not supported"}, true});
    c.push_back({"rasters", "dem-elsewhere", "DEM does not overlap the AOI",
                 dem_edit([](RasterData& r) { (*r.geotransform)[0] += 5.0; }), 3,
                 {"{dem}: DEM has no valid pixel over the analysis grid"}});
    c.push_back({"rasters", "dem-not-covering-sites", "DEM covers only the west of the grid, not the sites (gap allowed)",
                 [](Fixture& fx) {
                     dem_edit([](RasterData& r) {
                         for (int row = 0; row < r.rows; ++row)
                             for (int col = 50; col < r.cols; ++col) r.values[static_cast<std::size_t>(row) * r.cols + col] = static_cast<float>(*r.nodata);
                     })(fx);
                     add_to_grid(fx, "max_nodata_share = 1");
                 }, 3,
                 {"{sites}, row 1 (site VT-1), field lon/lat: the DEM has no data at this site",
                  "row 4 (site VT-2)"}});
    c.push_back({"rasters", "dem-all-nodata", "DEM all nodata",
                 dem_edit([](RasterData& r) { std::fill(r.values.begin(), r.values.end(), static_cast<float>(*r.nodata)); }), 3,
                 {"{dem}: DEM has no valid pixel over the analysis grid"}});
    c.push_back({"rasters", "population-all-nodata", "population raster all nodata",
                 population_edit([](RasterData& r) { std::fill(r.values.begin(), r.values.end(), static_cast<float>(*r.nodata)); }), 3,
                 {"{population}: population has no valid pixel over the analysis grid"}});
    c.push_back({"rasters", "population-negative", "population with a negative count",
                 population_edit([](RasterData& r) { r.values[static_cast<std::size_t>(r.rows / 2) * r.cols + r.cols / 2] = -5; }), 3,
                 {"{population}, pixel col 12, row 11 (lon 105.60292, lat 21.31208): negative population count"}});
    c.push_back({"rasters", "population-no-crs", "population raster without CRS",
                 population_edit([](RasterData& r) { r.crs_wkt.clear(); }), 3,
                 {"{population}: the raster has no CRS"}, true});
    c.push_back({"rasters", "population-other-crs", "population raster in EPSG:3857 (reprojected, not rejected)",
                 [](Fixture& fx) {
                     warp_raster(fx.population, fx.root / "pop3857.tif", 3857);
                     fs::rename(fx.root / "pop3857.tif", fx.population);
                 }, 0, {}, true, kRun, false,
                 [](const Fixture& fx, const Result&) {
                     const auto p = manifest_of(fx).at("population");
                     CHECK(p.at("people_in_aoi").get<double>() > 50000.0);
                     CHECK(std::abs(p.at("relative_difference").get<double>()) < 0.01);
                 }});
    c.push_back({"rasters", "dem-projected", "DEM in UTM 48N instead of WGS 84 (reprojected)",
                 [](Fixture& fx) {
                     warp_raster(fx.dem, fx.root / "dem_utm.tif", 32648);
                     fs::rename(fx.root / "dem_utm.tif", fx.dem);
                 }, 0, {}, true});

    c.push_back({"rasters", "dem-part-of-aoi", "DEM covers only the west of the AOI (more than grid.max_nodata_share missing)",
                 dem_edit([](RasterData& r) {
                     for (int row = 0; row < r.rows; ++row)
                         for (int col = 70; col < r.cols; ++col) r.values[static_cast<std::size_t>(row) * r.cols + col] = static_cast<float>(*r.nodata);
                 }), 3,
                 {"{dem}: ", "% of the AOI (", "has no DEM data, above grid.max_nodata_share = 0.05",
                  "or raise grid.max_nodata_share"}});
    c.push_back({"rasters", "dem-small-gap", "DEM nodata in a few AOI pixels (warned with the share)",
                 dem_edit([](RasterData& r) {
                     for (int row = 60; row < 64; ++row)
                         for (int col = 40; col < 44; ++col) r.values[static_cast<std::size_t>(row) * r.cols + col] = static_cast<float>(*r.nodata);
                 }), 0, {"warning: {dem}: ", "% of the AOI (", "has no DEM data (counted as without terrain)"}});
    c.push_back({"rasters", "dem-voids-undeclared", "DEM with -32768 voids and no declared nodata (taken as voids, warned)",
                 dem_edit([](RasterData& r) {
                     r.nodata.reset();
                     for (int row = 60; row < 63; ++row)
                         for (int col = 40; col < 44; ++col) r.values[static_cast<std::size_t>(row) * r.cols + col] = -32768.0f;
                 }), 0,
                 {"warning: {dem}: 12 pixels hold -32768, -9999 or heights outside -500…9,000 m and the file declares no nodata",
                  "first at lon 105.57333, lat 21.31000 (pixel col 40, row 60), all within lon 105.57292…105.57625, lat 21.30792…21.31042",
                  "warning: {dem}: DEM voids within 3 km of 2 site(s): MF-1, VT-1. Their rays stop at a void"},
                 false, kRun, false,
                 [](const Fixture& fx, const Result&) {
                     // No pixel of the DEM on the grid is a void read as a height.
                     const RasterData out = read_raster(fx.out / "dem.tif");
                     const auto voids_as_heights = std::count_if(out.values.begin(), out.values.end(), [&](float v) {
                         return !(std::isnan(v) || v > -500.0f || (out.nodata && v == *out.nodata));
                     });
                     CHECK(voids_as_heights == 0);
                 }});
    c.push_back({"rasters", "dem-void-at-site", "DEM with -9999 voids under the sites and no declared nodata",
                 [](Fixture& fx) {
                     dem_edit([](RasterData& r) {
                         r.nodata.reset();
                         for (float& v : r.values) v = v == -32768.0f ? 10.0f : v;
                         for (int row = 0; row < r.rows; ++row)
                             for (int col = 50; col < r.cols; ++col) r.values[static_cast<std::size_t>(row) * r.cols + col] = -9999.0f;
                     })(fx);
                     add_to_grid(fx, "max_nodata_share = 1");
                 }, 3,
                 {"warning: {dem}: ", "pixels hold -32768, -9999", "a site on a void is refused",
                  "{sites}, row 1 (site VT-1), field lon/lat: the DEM has no data at this site"}});
    c.push_back({"rasters", "population-scaled", "population with a band scale of 0.01 (applied, not counted ×100)",
                 [](Fixture& fx) {
                     population_edit([](RasterData& r) {
                         for (float& v : r.values) v = v == static_cast<float>(*r.nodata) ? v : v * 100.0f;
                     })(fx);
                     GDALDatasetUniquePtr ds(GDALDataset::Open(fx.population.c_str(), GDAL_OF_RASTER | GDAL_OF_UPDATE));
                     REQUIRE(ds);
                     ds->GetRasterBand(1)->SetScale(0.01);
                 }, 0, {}, false, kRun, false,
                 [](const Fixture& fx, const Result&) {
                     // The fixture holds 70,579 people in the AOI; ×100 would be 7 million.
                     const auto p = manifest_of(fx).at("population");
                     CHECK(p.at("people_in_aoi").get<double>() == doctest::Approx(70579.0).epsilon(0.001));
                     CHECK(std::abs(p.at("relative_difference").get<double>()) < 0.01);
                 }});
    c.push_back({"rasters", "population-offset", "population with a band offset (refused)",
                 [](Fixture& fx) {
                     GDALDatasetUniquePtr ds(GDALDataset::Open(fx.population.c_str(), GDAL_OF_RASTER | GDAL_OF_UPDATE));
                     REQUIRE(ds);
                     ds->GetRasterBand(1)->SetOffset(5.0);
                 }, 3, {"{population}, band 1 offset: offset 5.000000: a count of people per pixel cannot have an offset"}});
    c.push_back({"rasters", "population-implausible", "population pixel of 1e30 people",
                 population_edit([](RasterData& r) { r.values[static_cast<std::size_t>(r.rows / 2) * r.cols + r.cols / 2] = 1e30f; }), 3,
                 {"{population}, pixel col 12, row 11 (lon 105.60292, lat 21.31208): 1e+30 people on a pixel of",
                  "above the plausible 500,000 people/km²"}});
    c.push_back({"rasters", "population-infinite", "population pixel of +inf (not nodata)",
                 population_edit([](RasterData& r) {
                     r.values[static_cast<std::size_t>(r.rows / 2) * r.cols + r.cols / 2] = std::numeric_limits<float>::infinity();
                 }), 3,
                 {"{population}, pixel col 12, row 11 (lon 105.60292, lat 21.31208): value inf is not a finite number"}});

    // Vectors (AOI) ----------------------------------------------------------------------------
    c.push_back({"vectors", "aoi-not-vector", "AOI is not a vector file",
                 [](Fixture& fx) { spit(fx.aoi, "{ not json"); }, 3,
                 {"{aoi}: cannot open as a vector layer (AOI)"}, true});
    c.push_back({"vectors", "aoi-points", "AOI made of points",
                 [](Fixture& fx) { spit(fx.aoi, aoi_feature(R"({"type":"Point","coordinates":[105.6,21.3]})")); }, 3,
                 {"{aoi}, feature 0: expected a polygon or multipolygon, got Point"}, true});
    c.push_back({"vectors", "aoi-empty", "AOI with no feature",
                 [](Fixture& fx) { spit(fx.aoi, R"({"type":"FeatureCollection","features":[]})"); }, 3,
                 {"{aoi}: the AOI layer has no polygon feature"}, true});
    c.push_back({"vectors", "aoi-no-crs", "AOI shapefile without .prj",
                 [](Fixture& fx) {
                     write_shapefile_without_crs(fx.root / "aoi.shp");
                     scenario_replace(fx, "aoi = \"aoi.geojson\"", "aoi = \"aoi.shp\"");
                 }, 3, {"{root}/aoi.shp: the AOI layer has no CRS"}, true});
    c.push_back({"vectors", "aoi-self-intersection", "AOI bow-tie polygon (repaired with make-valid and reported)",
                 [](Fixture& fx) {
                     spit(fx.aoi, aoi_feature(R"({"type":"Polygon","coordinates":[[[105.57,21.28],[105.63,21.34],[105.63,21.28],[105.57,21.34],[105.57,21.28]]]})"));
                 }, 0, {"{aoi}: feature 0: invalid polygon (e.g. self-intersection) repaired with make-valid"}});
    c.push_back({"vectors", "aoi-zero-area", "AOI polygon with zero area (a ring drawn back on itself)",
                 [](Fixture& fx) {
                     spit(fx.aoi, aoi_feature(R"({"type":"Polygon","coordinates":[[[105.57,21.28],[105.60,21.31],[105.63,21.34],[105.60,21.31],[105.57,21.28]]]})"));
                 }, 3, {"{aoi}: the AOI has zero area"}});
    c.push_back({"vectors", "aoi-lat-lon-swapped", "AOI drawn as (latitude, longitude) instead of (longitude, latitude)",
                 [](Fixture& fx) {
                     spit(fx.aoi, aoi_feature(R"({"type":"Polygon","coordinates":[[[21.28,105.57],[21.28,105.63],[21.34,105.63],[21.34,105.57],[21.28,105.57]]]})"));
                 }, 3, {"{aoi}, feature 0: latitudes from 105.57 to 105.63°, beyond ±90°", "swap them"}});
    c.push_back({"vectors", "aoi-off-dem", "AOI east of the DEM (only the grid margin lies on it)",
                 [](Fixture& fx) {
                     spit(fx.aoi, aoi_feature(R"({"type":"Polygon","coordinates":[[[105.662,21.29],[105.68,21.29],[105.68,21.31],[105.662,21.31],[105.662,21.29]]]})"));
                 }, 3, {"{dem}: none of the AOI (longitude 105.662 to 105.680°, latitude 21.290 to 21.310°) lies on the DEM",
                        "latitude and longitude swapped?"}});

    c.push_back({"vectors", "admin-self-intersection",
                 "admin unit bow-tie polygon (repaired with make-valid, reported, in the manifest)",
                 [](Fixture& fx) {
                     spit(fx.root / "admin.geojson",
                          R"({"type":"FeatureCollection","features":[)"
                          R"({"type":"Feature","properties":{"name":"West"},"geometry":{"type":"Polygon","coordinates":)"
                          R"([[[105.57,21.28],[105.60,21.28],[105.60,21.34],[105.57,21.34],[105.57,21.28]]]}},)"
                          R"({"type":"Feature","properties":{"name":"East"},"geometry":{"type":"Polygon","coordinates":)"
                          R"([[[105.60,21.28],[105.63,21.34],[105.63,21.28],[105.60,21.34],[105.60,21.28]]]}}]})");
                     scenario_replace(fx, "aoi = \"aoi.geojson\"", "aoi = \"aoi.geojson\"\nadmin = \"admin.geojson\"");
                 }, 0, {"{root}/admin.geojson: feature 1: invalid polygon (e.g. self-intersection) repaired with make-valid"},
                 false, kRun, false,
                 [](const Fixture& fx, const Result&) {
                     const auto admin = manifest_of(fx).at("analysis").at("admin_units");
                     CHECK(admin.at("repaired").dump().find("feature 1: invalid polygon") != std::string::npos);
                     // The repaired bow-tie keeps both triangles: East holds people.
                     const std::string units = slurp(fx.out / "analysis" / "admin_units.csv");
                     CHECK(units.find("East") != std::string::npos);
                 }});

    // Output folder ----------------------------------------------------------------------------
    c.push_back({"output", "out-exists", "output folder exists, no --overwrite (left as it was)",
                 [](Fixture& fx) { fs::create_directories(fx.out); spit(fx.out / "keep.txt", "previous"); }, 2,
                 {"output folder {out} already exists: pass --overwrite"}});
    c.push_back({"output", "out-is-file", "--out names an existing file (with --overwrite)",
                 [](Fixture& fx) { spit(fx.out, "a file"); }, 2,
                 {"output path {out} exists and is not a folder"}, false, "run {scenario} --out {out} --overwrite"});
    c.push_back({"output", "out-parent-is-file", "--out inside a file",
                 [](Fixture& fx) { spit(fx.runs / "file", "a file"); }, 1,
                 {"cannot write outputs: {runs}/file is not a folder"}, false, "run {scenario} --out {runs}/file/out"});
    c.push_back({"output", "out-not-writable", "output parent folder not writable",
                 [](Fixture& fx) {
                     fs::permissions(fx.runs, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                                                  fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
                 }, 1, {"cannot write outputs: folder {runs} is not writable"}, false, kRun, true});

    c.push_back({"output", "out-is-input-folder", "--out names the scenario's own folder, with --overwrite (inputs kept)",
                 [](Fixture&) {}, 2, {"output folder {root} would mix outputs with the input", "choose an --out outside"},
                 false, "run {scenario} --out {root} --overwrite",
                 false, [](const Fixture& fx, const Result&) { CHECK(fs::exists(fx.scenario)); CHECK(fs::exists(fx.dem)); }});
    c.push_back({"output", "out-inside-input-folder", "--out inside the inputs' folder",
                 [](Fixture&) {}, 2, {"output folder {root}/out would mix outputs with the input"}, false,
                 "run {scenario} --out {root}/out", false,
                 [](const Fixture& fx, const Result&) { CHECK_FALSE(fs::exists(fx.root / "out")); }});
    c.push_back({"output", "out-contains-inputs", "--out a folder that holds the inputs' folder, with --overwrite",
                 [](Fixture&) {}, 2, {"would mix outputs with the input"}, false, "run {scenario} --out {root}/.. --overwrite"});
    c.push_back({"output", "out-is-current-folder", "--out . (the current folder), with --overwrite",
                 [](Fixture&) {}, 2, {"is or contains the current folder"}, false, "run {scenario} --out . --overwrite"});
    c.push_back({"output", "out-overwrite-foreign", "--overwrite on a folder no phusong run made (left as it was)",
                 [](Fixture& fx) { fs::create_directories(fx.out); spit(fx.out / "thesis.docx", "years of work"); }, 2,
                 {"output folder {out} exists and is not the output of a phusong command"}, false,
                 "run {scenario} --out {out} --overwrite"});

    // Command line -----------------------------------------------------------------------------
    c.push_back({"cli", "cli-threads-zero", "--threads 0", [](Fixture&) {}, 2, {"--threads"}, false,
                 "--threads 0 run {scenario} --out {out}"});
    c.push_back({"cli", "cli-no-scenario", "run without a scenario", [](Fixture&) {}, 2, {"scenario is required"}, false,
                 "run --out {out}"});
    c.push_back({"cli", "cli-unknown-option", "unknown option", [](Fixture&) {}, 2, {"--frobnicate"}, false,
                 "run {scenario} --out {out} --frobnicate"});
    c.push_back({"cli", "cli-scenario-fifo", "the scenario given on the command line is a FIFO",
                 [](Fixture& fx) { make_fifo(fx.root / "pipe.toml"); }, 3,
                 {"{root}/pipe.toml: the path is a FIFO, not a regular file"}, false, "run {root}/pipe.toml --out {out}"});
    c.push_back({"cli", "cli-validate-scenario-device", "validate /dev/zero as the scenario",
                 [](Fixture&) {}, 3, {"/dev/zero: the path is a character device, not a regular file"}, false,
                 "validate /dev/zero"});
    c.push_back({"scenario", "grid-too-many-pixels", "a 1 m grid with a 200 km margin (over 2e9 pixels)",
                 [](Fixture& fx) {
                     scenario_replace(fx, "resolution_m = 60", "resolution_m = 1");
                     scenario_replace(fx, "margin_m = 1000", "margin_m = 200000");
                 },
                 3, {"{scenario}, key grid.resolution_m: the grid would have 406250 × 406665 pixels"}, true});
    c.push_back({"scenario", "grid-memory", "a 5 m grid with a 100 km margin: more memory than any machine of ours",
                 [](Fixture& fx) {
                     scenario_replace(fx, "resolution_m = 60", "resolution_m = 5");
                     scenario_replace(fx, "margin_m = 1000", "margin_m = 100000");
                 },
                 3, {"{scenario}, key grid.resolution_m: the grid of 41251 × 41334 pixels of 5 m", "needs about 284.7 GB"},
                 true});
    // Calibration: measurement tables and clutter ----------------------------------------------
    c.push_back({"calibration", "calibrate-ok", "a valid measurement table of two sites (accepted)",
                 [](Fixture& fx) { write_drive(fx); }, 0, {}, false, kCalibrate, false,
                 [](const Fixture& fx, const Result&) {
                     CHECK(fs::exists(fx.out / "calibration.json"));
                     CHECK(fs::exists(fx.out / "manifest.json"));
                     // The calibrated scenario is complete: `validate` accepts it as it is, with
                     // its measured layer's SPM override in place.
                     const std::string toml = slurp(fx.out / "calibrated.toml");
                     CHECK(contains(toml, "[prediction.layer.'Viettel LTE B3'.spm]"));
                     CHECK_FALSE(contains(toml, "00000000"));  // coefficients in their shortest form
                     const Result v = run_phusong(fx, "validate {out}/calibrated.toml");
                     CHECK_MESSAGE(v.code == 0, v.err);
                 }});
    c.push_back({"calibration", "meas-bad-rows",
                 "measurement rows with a signal that is no number, lat/lon swapped and no cell id: all reported",
                 [](Fixture& fx) {
                     write_drive(fx, [](std::string& t) {
                         t += "VT-1-L18-1,105.596,21.31,strong\nVT-1-L18-1,21.31,105.596,-90\n,105.596,21.31,-90\n";
                     });
                 },
                 3,
                 {"{root}/drive.csv, row 25 (line 26), field signal_dbm: \"strong\" is not a number",
                  "row 26 (line 27), field lat: lat and lon look swapped", "row 27 (line 28), field cell_id: missing value"},
                 false, kCalibrate});
    c.push_back({"calibration", "meas-unknown-cell", "measurements of cells that are not in the site table",
                 [](Fixture& fx) { write_drive(fx, [](std::string& t) { t += "XX-9-L18-1,105.596,21.31,-90\n"; }); }, 3,
                 {"{root}/drive.csv, field cell_id: 1 cell id(s) not in the site table", "\"XX-9-L18-1\" (row 25)"},
                 false, kCalibrate});
    c.push_back({"calibration", "meas-missing-column", "measurement table without signal_dbm",
                 [](Fixture& fx) {
                     write_drive(fx, [](std::string& t) { t.replace(0, t.find('\n'), "cell_id,lon,lat,rsrp"); });
                 },
                 3, {"{root}/drive.csv, header: missing column(s) signal_dbm (found: cell_id, lat, lon, rsrp)"}, false,
                 kCalibrate});
    c.push_back({"calibration", "meas-xy-no-crs", "measurement table in x/y without calibration.measurement_epsg",
                 [](Fixture& fx) { spit(fx.root / "drive.csv", "cell_id,x,y,signal_dbm\nVT-1-L18-1,560000,2356000,-90\n"); },
                 3, {"{root}/drive.csv, header: the points are given as x/y: name their CRS with calibration.measurement_epsg"},
                 false, kCalibrate});
    c.push_back({"calibration", "meas-empty", "measurement table of 0 bytes",
                 [](Fixture& fx) { spit(fx.root / "drive.csv", ""); }, 3,
                 {"{root}/drive.csv: the measurement table is empty (0 bytes)"}, false, kCalibrate});
    c.push_back({"calibration", "meas-all-filtered", "every measurement closer to its cell than min_distance_m",
                 [](Fixture& fx) {
                     write_drive(fx);
                     scenario_replace(fx, "[grid]", "[calibration]\nmin_distance_m = 5000\n\n[grid]");
                 },
                 3, {"{root}/drive.csv: no measurement is left after the filters", "24 too close"}, false, kCalibrate});
    c.push_back({"calibration", "meas-one-site", "measurements of one site only: no cross-validation by site",
                 [](Fixture& fx) {
                     write_drive(fx, [](std::string& t) {
                         for (auto p = t.find("VT-2-L18-1"); p != std::string::npos; p = t.find("VT-2-L18-1")) t.replace(p, 10, "VT-1-L18-2");
                     });
                 },
                 3, {"key calibration.folds", "measure at least 2 sites, or score the model without a fit (--no-fit)"},
                 false, kCalibrate});
    c.push_back({"calibration", "calibrate-out-in-inputs", "calibrate --out inside the inputs' folder",
                 [](Fixture& fx) { write_drive(fx); }, 2, {"would mix outputs with the input"}, false,
                 "calibrate {scenario} {root}/drive.csv --out {root}/calibration"});
    c.push_back({"calibration", "clutter-without-raster", "[clutter.<code>] losses without inputs.clutter",
                 [](Fixture& fx) { scenario_replace(fx, "[grid]", "[clutter.21]\nloss_db = 10\n\n[grid]"); }, 3,
                 {"{scenario}, table [clutter]: class losses are given but no clutter raster: add inputs.clutter"}, true});
    c.push_back({"calibration", "clutter-code-not-integer", "a clutter class named by a word instead of its code",
                 [](Fixture& fx) {
                     add_to_inputs(fx, "clutter = \"dem.tif\"");
                     scenario_replace(fx, "[grid]", "[clutter.urban]\nloss_db = 10\n\n[grid]");
                 },
                 3, {"key clutter.urban", "not a class code: name each class by its integer value in the clutter raster"},
                 true});
    c.push_back({"calibration", "clutter-not-raster", "inputs.clutter is a text file",
                 [](Fixture& fx) {
                     spit(fx.root / "clutter.tif", "not a raster\n");
                     add_to_inputs(fx, "clutter = \"clutter.tif\"");
                 },
                 3, {"{root}/clutter.tif: cannot open as a raster (clutter)"}, true});
    c.push_back({"calibration", "clutter-loss-range", "a clutter loss of 90 dB",
                 [](Fixture& fx) {
                     add_to_inputs(fx, "clutter = \"dem.tif\"");
                     scenario_replace(fx, "[grid]", "[clutter.21]\nloss_db = 90\n\n[grid]");
                 },
                 3, {"key clutter.21.loss_db", "expected -30 ≤ loss_db ≤ 60 (dB), got 90"}, true});
    return c;
}

void check(const Case& k, const Fixture& fx, const Result& r, const std::string& command,
           const std::map<std::string, std::string>& runs_before) {
    INFO("case ", std::string(k.id), " (", command, "): ", std::string(k.defect), "\nstderr:\n", r.err);
    CHECK(r.signal == 0);
    CHECK(r.code == k.code);
    for (const auto& e : k.expect) {
        const std::string want = fx.expand(e);
        CHECK_MESSAGE(contains(r.err, want), "stderr lacks: ", want);
    }
    CHECK_MESSAGE(!contains(r.err, "ERROR 1:"), "a raw GDAL message leaked");
    CHECK_MESSAGE(!contains(r.err, "Warning 1:"), "a raw GDAL/GEOS warning leaked");
    CHECK_MESSAGE(!contains(r.err, "internal"), "an unexpected exception reached main");
    if (k.code == 0 || command == "validate") return;
    // A failed run leaves the output parent exactly as it was: no output, no temporary folder.
    CHECK(snapshot(fx.runs) == runs_before);
    CHECK(entries(fx.runs) == [&] {
        std::set<std::string> names;
        for (const auto& [path, bytes] : runs_before) names.insert(fs::path(path).begin()->string());
        return std::vector<std::string>(names.begin(), names.end());
    }());
}

void run_group(const std::string& group) {
    if (geteuid() == 0) MESSAGE("running as root: permission cases run as user nobody");
    const std::optional<std::string> no_nobody = unprivileged_unavailable();
    std::size_t n = 0;
    for (const Case& k : catalogue()) {
        if (k.group != group) continue;
        ++n;
        if (k.unprivileged && no_nobody) {
            MESSAGE("case ", std::string(k.id), " skipped: ", *no_nobody);
            continue;
        }
        Fixture fx;
        k.inject(fx);
        const auto before = snapshot(fx.runs);
        const Result r = run_phusong(fx, k.args, {k.unprivileged});
        check(k, fx, r, "run", before);
        if (k.code == 0 && k.args == kRun) {
            CHECK_MESSAGE(entries(fx.runs) == std::vector<std::string>{"out"}, "case ", k.id);
            CHECK(fs::exists(fx.out / "manifest.json"));
        }
        if (k.extra && r.code == k.code) k.extra(fx, r);
        if (k.validate) {
            const Result v = run_phusong(fx, "validate " + std::string(k.args == kRun ? "{scenario}" : "{root}"),
                                         {k.unprivileged});
            check(k, fx, v, "validate", before);
            if (k.code == 0) CHECK(contains(v.out, "valid"));
        }
    }
    CHECK(n > 0);
}

}  // namespace

TEST_CASE("catalogue:index: the catalogue has at least 30 cases with unique ids; Markdown on request") {
    const auto all = catalogue();
    CHECK(all.size() >= 30);
    std::set<std::string> ids;
    for (const auto& k : all) CHECK_MESSAGE(ids.insert(k.id).second, "duplicate id ", k.id);
    if (const char* md = std::getenv("PHUSONG_CATALOGUE_MD")) {
        std::ofstream out(md);
        out << "| # | case | defect | exit | message contains (`{file}` = the path given) |\n|---|---|---|---|---|\n";
        int i = 0;
        for (const auto& k : all) {
            std::string msg;
            for (const auto& e : k.expect) msg += (msg.empty() ? "" : " … ") + e;
            for (auto pos = msg.find('|'); pos != std::string::npos; pos = msg.find('|', pos + 2)) msg.replace(pos, 1, "\\|");
            out << "| " << ++i << " | `" << k.id << "` | " << k.defect << (k.validate ? " (also `validate`)" : "")
                << " | " << k.code << " | " << (msg.empty() ? "—" : "`" + msg + "`") << " |\n";
        }
    }
}

TEST_CASE("catalogue:scenario") { run_group("scenario"); }
TEST_CASE("catalogue:sites") { run_group("sites"); }
TEST_CASE("catalogue:rasters") { run_group("rasters"); }
TEST_CASE("catalogue:vectors") { run_group("vectors"); }
TEST_CASE("catalogue:output") { run_group("output"); }
TEST_CASE("catalogue:cli") { run_group("cli"); }
TEST_CASE("catalogue:calibration") { run_group("calibration"); }

}  // namespace phusong::catalogue
