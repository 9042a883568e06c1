// The site/cell table: parsing into sites, cells and layers; every bad row reported at once with
// file, row and field; the same table read from CSV, GeoJSON and GeoPackage; placing sites on the
// grid.

#include <doctest/doctest.h>
#include <gdal_priv.h>
#include <ogr_geometry.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "../test_util.hpp"
#include "phusong/core/error.hpp"
#include "phusong/geo/gdal.hpp"
#include "phusong/geo/grid.hpp"
#include "phusong/sites/placement.hpp"
#include "phusong/sites/site_table.hpp"

namespace fs = std::filesystem;
using phusong::InputError;
using phusong::Problem;
using phusong::sites::read_site_table;
using phusong::sites::SiteTable;
using phusong::test::TempDir;

namespace {

using Row = std::map<std::string, std::string>;

/// A valid Viettel LTE B3 cell; tests change one field at a time.
Row cell(const std::string& site, const std::string& cell_id, double lon, double lat) {
    char lon_s[32];
    char lat_s[32];
    std::snprintf(lon_s, sizeof lon_s, "%.6f", lon);
    std::snprintf(lat_s, sizeof lat_s, "%.6f", lat);
    return {{"site_id", site},       {"cell_id", cell_id},      {"operator", "Viettel"},
            {"lon", lon_s},          {"lat", lat_s},            {"height_agl_m", "30"},
            {"azimuth_deg", "120"},  {"mech_tilt_deg", "2"},    {"elec_tilt_deg", "4"},
            {"tech", "LTE"},         {"band", "B3"},            {"freq_mhz", "1815"},
            {"bandwidth_mhz", "20"}, {"tx_power_dbm", "46"},    {"antenna", "sector65_17dbi"}};
}

Row with(Row r, const std::map<std::string, std::string>& changes) {
    for (const auto& [k, v] : changes) r[k] = v;
    return r;
}

/// Three good rows on two sites: VT-1 (rows 1, 2) and VT-2 (row 3).
std::vector<Row> good_rows() {
    return {cell("VT-1", "VT-1-1", 105.595, 21.305), cell("VT-1", "VT-1-2", 105.595, 21.305),
            cell("VT-2", "VT-2-1", 105.615, 21.325)};
}

std::string to_csv(const std::vector<Row>& rows, const std::string& skip_column = "",
                   const std::string& eol = "\n") {
    std::string text;
    std::string sep;
    for (auto col : phusong::sites::required_columns()) {
        if (col == skip_column) continue;
        text += sep + std::string(col);
        sep = ",";
    }
    text += eol;
    for (const Row& r : rows) {
        sep.clear();
        for (auto col : phusong::sites::required_columns()) {
            if (col == skip_column) continue;
            text += sep + r.at(std::string(col));
            sep = ",";
        }
        text += eol;
    }
    return text;
}

/// The problems read_site_table reports for `path`, and the exception text; fails the test if
/// it does not throw InputError.
struct Failure {
    std::vector<Problem> problems;
    std::string text;
};

Failure failure_of(const fs::path& path) {
    try {
        (void)read_site_table(path);
    } catch (const InputError& e) {
        return {e.problems(), e.what()};
    }
    FAIL("read_site_table(" << path.string() << ") did not throw InputError");
    return {};
}

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

/// Exactly one problem, in `path`, at `where`, whose message has `words`; also in the text.
void check_single(const fs::path& path, const std::string& where, const std::vector<std::string>& words) {
    const Failure f = failure_of(path);
    REQUIRE(f.problems.size() == 1);
    const Problem& p = f.problems.front();
    CHECK(p.file == path.string());
    CHECK(p.where == where);
    for (const auto& w : words) CHECK_MESSAGE(contains(p.message, w), p.message, " lacks \"", w, "\"");
    // The text the user sees names the file, the row and the field.
    CHECK(contains(f.text, path.string()));
    CHECK(contains(f.text, where));
}

/// The fields a cell shares across formats (everything but nothing: all of it).
void check_same_cells(const SiteTable& a, const SiteTable& b, double lonlat_tol) {
    REQUIRE(a.cells.size() == b.cells.size());
    for (std::size_t i = 0; i < a.cells.size(); ++i) {
        const auto& x = a.cells[i];
        const auto& y = b.cells[i];
        CAPTURE(i);
        CHECK(x.site_id == y.site_id);
        CHECK(x.cell_id == y.cell_id);
        CHECK(x.operator_name == y.operator_name);
        CHECK(std::abs(x.lon_deg - y.lon_deg) <= lonlat_tol);
        CHECK(std::abs(x.lat_deg - y.lat_deg) <= lonlat_tol);
        CHECK(x.height_agl_m == y.height_agl_m);
        CHECK(x.azimuth_deg == y.azimuth_deg);
        CHECK(x.mech_tilt_deg == y.mech_tilt_deg);
        CHECK(x.elec_tilt_deg == y.elec_tilt_deg);
        CHECK(x.tech == y.tech);
        CHECK(x.band == y.band);
        CHECK(x.freq_mhz == y.freq_mhz);
        CHECK(x.bandwidth_mhz == y.bandwidth_mhz);
        CHECK(x.tx_power_dbm == y.tx_power_dbm);
        CHECK(x.antenna == y.antenna);
        CHECK(x.row == y.row);
        CHECK(x.layer == y.layer);
    }
    REQUIRE(a.sites.size() == b.sites.size());
    for (std::size_t i = 0; i < a.sites.size(); ++i) {
        CHECK(a.sites[i].site_id == b.sites[i].site_id);
        CHECK(a.sites[i].operator_name == b.sites[i].operator_name);
        CHECK(a.sites[i].cells == b.sites[i].cells);
        CHECK(std::abs(a.sites[i].lon_deg - b.sites[i].lon_deg) <= lonlat_tol);
        CHECK(std::abs(a.sites[i].lat_deg - b.sites[i].lat_deg) <= lonlat_tol);
    }
    REQUIRE(a.layers.size() == b.layers.size());
    for (std::size_t i = 0; i < a.layers.size(); ++i) {
        CHECK(a.layers[i].name == b.layers[i].name);
        CHECK(a.layers[i].cells == b.layers[i].cells);
    }
}

/// Writes `rows` as a point layer with OGR (`driver` "GeoJSON" or "GPKG"); the location is the
/// point geometry in EPSG:`epsg`, numbers are real fields, the rest text.
fs::path write_ogr(const fs::path& path, const char* driver, const std::vector<Row>& rows, int epsg) {
    phusong::geo::gdal_init();
    GDALDriver* drv = GetGDALDriverManager()->GetDriverByName(driver);
    REQUIRE(drv != nullptr);
    GDALDatasetUniquePtr ds(drv->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    REQUIRE(ds);
    OGRSpatialReference srs = phusong::geo::srs_from_epsg(epsg);
    OGRLayer* layer = ds->CreateLayer("sites", &srs, wkbPoint, nullptr);
    REQUIRE(layer != nullptr);
    const std::vector<std::string> numeric = {"height_agl_m", "azimuth_deg", "mech_tilt_deg",
                                              "elec_tilt_deg", "freq_mhz", "bandwidth_mhz",
                                              "tx_power_dbm"};
    auto is_numeric = [&](const std::string& c) {
        return std::find(numeric.begin(), numeric.end(), c) != numeric.end();
    };
    for (auto col : phusong::sites::required_columns()) {
        const std::string c(col);
        if (c == "lon" || c == "lat") continue;
        OGRFieldDefn f(c.c_str(), is_numeric(c) ? OFTReal : OFTString);
        REQUIRE(layer->CreateField(&f) == OGRERR_NONE);
    }
    const auto to_layer = phusong::geo::make_transform(phusong::geo::srs_wgs84(), srs);
    for (const Row& r : rows) {
        OGRFeature feature(layer->GetLayerDefn());
        for (const auto& [k, v] : r) {
            if (k == "lon" || k == "lat") continue;
            if (is_numeric(k)) {
                feature.SetField(k.c_str(), std::stod(v));
            } else {
                feature.SetField(k.c_str(), v.c_str());
            }
        }
        double x = std::stod(r.at("lon"));
        double y = std::stod(r.at("lat"));
        REQUIRE(to_layer->Transform(1, &x, &y));
        OGRPoint pt(x, y);
        feature.SetGeometry(&pt);
        REQUIRE(layer->CreateFeature(&feature) == OGRERR_NONE);
    }
    ds.reset();
    return path;
}

/// The tiny fixture's table as rows (read back from its CSV by hand, not by the code under test).
std::vector<Row> tiny_rows() {
    std::ifstream in(phusong::test::test_data_dir() / "tiny" / "sites.csv");
    std::string line;
    std::getline(in, line);
    std::vector<std::string> header;
    for (std::size_t a = 0, b; a <= line.size(); a = b + 1) {
        b = line.find(',', a);
        if (b == std::string::npos) b = line.size();
        header.push_back(line.substr(a, b - a));
    }
    std::vector<Row> rows;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        Row r;
        std::size_t i = 0;
        for (std::size_t a = 0, b; a <= line.size(); a = b + 1, ++i) {
            b = line.find(',', a);
            if (b == std::string::npos) b = line.size();
            r[header.at(i)] = line.substr(a, b - a);
        }
        rows.push_back(r);
    }
    return rows;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Good tables

TEST_CASE("the tiny fixture's CSV parses into sites, cells and layers") {
    const fs::path path = phusong::test::test_data_dir() / "tiny" / "sites.csv";
    const SiteTable t = read_site_table(path);
    CHECK(t.file == path.string());
    REQUIRE(t.cells.size() == 9);
    REQUIRE(t.sites.size() == 3);
    REQUIRE(t.layers.size() == 2);

    // Cells in file order, 1-based rows, every field.
    const auto& c0 = t.cells[0];
    CHECK(c0.site_id == "VT-1");
    CHECK(c0.cell_id == "VT-1-L18-1");
    CHECK(c0.operator_name == "Viettel");
    CHECK(c0.lon_deg == 105.595);
    CHECK(c0.lat_deg == 21.305);
    CHECK(c0.height_agl_m == 30.0);
    CHECK(c0.azimuth_deg == 0.0);
    CHECK(c0.mech_tilt_deg == 2.0);
    CHECK(c0.elec_tilt_deg == 4.0);
    CHECK(c0.tech == phusong::sites::Technology::lte);
    CHECK(c0.band == "B3");
    CHECK(c0.freq_mhz == 1815.0);
    CHECK(c0.bandwidth_mhz == 20.0);
    CHECK(c0.tx_power_dbm == 46.0);
    CHECK(c0.antenna == "sector65_17dbi");
    CHECK(c0.row == 1);
    CHECK(t.cells[8].row == 9);
    CHECK(t.cells[8].cell_id == "MF-1-G9-3");
    CHECK(t.cells[8].tech == phusong::sites::Technology::gsm);
    CHECK(t.cells[8].freq_mhz == 945.2);
    CHECK(t.cells[8].bandwidth_mhz == doctest::Approx(0.2));

    // Sites sorted by id, each with its cells.
    CHECK(t.sites[0].site_id == "MF-1");
    CHECK(t.sites[1].site_id == "VT-1");
    CHECK(t.sites[2].site_id == "VT-2");
    CHECK(t.sites[0].operator_name == "MobiFone");
    CHECK(t.sites[0].cells == std::vector<std::size_t>{6, 7, 8});
    CHECK(t.sites[1].cells == std::vector<std::size_t>{0, 1, 2});
    CHECK(t.sites[2].lon_deg == 105.615);
    CHECK(t.sites[2].lat_deg == 21.325);

    // Layers "Operator TECH band", sorted.
    CHECK(t.layers[0].name == "MobiFone GSM GSM900");
    CHECK(t.layers[1].name == "Viettel LTE B3");
    CHECK(t.layers[0].operator_name == "MobiFone");
    CHECK(t.layers[0].tech == phusong::sites::Technology::gsm);
    CHECK(t.layers[0].band == "GSM900");
    CHECK(t.layers[1].cells == std::vector<std::size_t>{0, 1, 2, 3, 4, 5});
    CHECK(t.cells[0].layer == 1);
    CHECK(t.cells[7].layer == 0);
}

TEST_CASE("layers are one per operator + technology + band, sorted by name") {
    TempDir dir;
    auto rows = good_rows();
    rows.push_back(with(cell("VN-1", "VN-1-1", 105.60, 21.31),
                        {{"operator", "VNPT"}, {"tech", "NR"}, {"band", "n78"}, {"freq_mhz", "3500"},
                         {"bandwidth_mhz", "100"}}));
    rows.push_back(with(cell("VT-2", "VT-2-U", 105.615, 21.325),
                        {{"tech", "UMTS"}, {"band", "B1"}, {"freq_mhz", "2140"}, {"bandwidth_mhz", "5"}}));
    rows.push_back(with(cell("VT-2", "VT-2-L21", 105.615, 21.325),
                        {{"band", "B1"}, {"freq_mhz", "2140"}, {"bandwidth_mhz", "15"}}));
    const SiteTable t = read_site_table(dir.write("sites.csv", to_csv(rows)));
    std::vector<std::string> names;
    for (const auto& l : t.layers) names.push_back(l.name);
    CHECK(names == std::vector<std::string>{"VNPT NR n78", "Viettel LTE B1", "Viettel LTE B3",
                                            "Viettel UMTS B1"});
    CHECK(t.layers[0].tech == phusong::sites::Technology::nr);
    CHECK(t.layers[3].tech == phusong::sites::Technology::umts);
    CHECK(t.layers[2].cells == std::vector<std::size_t>{0, 1, 2});
    for (std::size_t i = 0; i < t.cells.size(); ++i) {
        const auto& l = t.layers[t.cells[i].layer];
        CHECK(l.operator_name == t.cells[i].operator_name);
        CHECK(l.band == t.cells[i].band);
        CHECK(l.tech == t.cells[i].tech);
    }
    CHECK(t.sites.size() == 3);
}

TEST_CASE("accepted edge values and formats") {
    TempDir dir;
    SUBCASE("azimuth 0 and 359.9, negative (up)tilt, lat/lon at their limits") {
        auto rows = good_rows();
        rows[0]["azimuth_deg"] = "0";
        rows[1]["azimuth_deg"] = "359.9";
        rows[1]["mech_tilt_deg"] = "-2";
        rows[2] = with(cell("EDGE", "EDGE-1", -180.0, -90.0), {});
        const SiteTable t = read_site_table(dir.write("sites.csv", to_csv(rows)));
        CHECK(t.cells[1].azimuth_deg == 359.9);
        CHECK(t.cells[1].mech_tilt_deg == -2.0);
        CHECK(t.cells[2].lat_deg == -90.0);
    }
    SUBCASE("Windows line endings") {
        const SiteTable t = read_site_table(dir.write("sites.csv", to_csv(good_rows(), "", "\r\n")));
        REQUIRE(t.cells.size() == 3);
        CHECK(t.cells[2].antenna == "sector65_17dbi");
    }
    SUBCASE("a UTF-8 byte-order mark (Excel's \"CSV UTF-8\") is not part of the first column") {
        const SiteTable t = read_site_table(dir.write("sites.csv", "\xEF\xBB\xBF" + to_csv(good_rows())));
        REQUIRE(t.cells.size() == 3);
        CHECK(t.cells[0].site_id == "VT-1");
    }
    SUBCASE("quoted fields and spaces around numbers") {
        auto rows = good_rows();
        rows[0]["antenna"] = "\"sector, 65 deg\"";
        rows[0]["height_agl_m"] = " 30 ";
        const SiteTable t = read_site_table(dir.write("sites.csv", to_csv(rows)));
        CHECK(t.cells[0].antenna == "sector, 65 deg");
        CHECK(t.cells[0].height_agl_m == 30.0);
    }
    SUBCASE("extra columns are ignored") {
        std::string text = to_csv(good_rows());
        text.insert(text.find('\n'), ",comment");
        std::size_t pos = text.find('\n') + 1;
        while (pos < text.size()) {
            const std::size_t eol = text.find('\n', pos);
            text.insert(eol, ",hello");
            pos = eol + 7;
        }
        const SiteTable t = read_site_table(dir.write("sites.csv", text));
        CHECK(t.cells.size() == 3);
    }
    SUBCASE("upper-case .CSV extension") {
        const SiteTable t = read_site_table(dir.write("SITES.CSV", to_csv(good_rows())));
        CHECK(t.cells.size() == 3);
    }
}

// ---------------------------------------------------------------------------------------------
// Bad rows: one problem each, naming file, row and field

TEST_CASE("bad rows: InputError naming the file, the row and the field") {
    TempDir dir;
    auto bad_row_2 = [&](const std::map<std::string, std::string>& changes) {
        auto rows = good_rows();
        rows[1] = with(rows[1], changes);
        return dir.write("sites.csv", to_csv(rows));
    };
    SUBCASE("latitude 121.3") {
        check_single(bad_row_2({{"lat", "121.3"}}), "row 2 (line 3), field lat",
                     {"121.3", "out of range", "-90 ≤ value ≤ 90"});
    }
    SUBCASE("longitude 200") {
        check_single(bad_row_2({{"lon", "200"}}), "row 2 (line 3), field lon", {"200", "out of range"});
    }
    SUBCASE("missing azimuth_deg value") {
        check_single(bad_row_2({{"azimuth_deg", ""}}), "row 2 (line 3), field azimuth_deg",
                     {"missing value", "0 ≤ value < 360"});
    }
    SUBCASE("azimuth 400") {
        check_single(bad_row_2({{"azimuth_deg", "400"}}), "row 2 (line 3), field azimuth_deg",
                     {"400", "out of range", "0 ≤ value < 360"});
    }
    SUBCASE("azimuth 360 (the range is half-open)") {
        check_single(bad_row_2({{"azimuth_deg", "360"}}), "row 2 (line 3), field azimuth_deg",
                     {"360", "out of range", "< 360"});
    }
    SUBCASE("negative azimuth") {
        check_single(bad_row_2({{"azimuth_deg", "-10"}}), "row 2 (line 3), field azimuth_deg",
                     {"-10", "out of range"});
    }
    SUBCASE("NaN") {
        check_single(bad_row_2({{"height_agl_m", "nan"}}), "row 2 (line 3), field height_agl_m",
                     {"not a finite number"});
    }
    SUBCASE("inf and -inf") {
        check_single(bad_row_2({{"tx_power_dbm", "inf"}}), "row 2 (line 3), field tx_power_dbm",
                     {"not a finite number"});
        check_single(bad_row_2({{"freq_mhz", "-inf"}}), "row 2 (line 3), field freq_mhz",
                     {"not a finite number"});
    }
    SUBCASE("not a number") {
        check_single(bad_row_2({{"mech_tilt_deg", "two"}}), "row 2 (line 3), field mech_tilt_deg",
                     {"\"two\" is not a number"});
    }
    SUBCASE("negative height") {
        check_single(bad_row_2({{"height_agl_m", "-5"}}), "row 2 (line 3), field height_agl_m",
                     {"-5", "out of range", "m above ground"});
    }
    SUBCASE("unknown technology") {
        check_single(bad_row_2({{"tech", "6G"}}), "row 2 (line 3), field tech",
                     {"unknown technology \"6G\"", "GSM, UMTS, LTE or NR"});
    }
    SUBCASE("unknown band") {
        check_single(bad_row_2({{"band", "B99"}}), "row 2 (line 3), field band",
                     {"unknown band \"B99\"", "n78"});
    }
    SUBCASE("band / technology mismatch") {
        check_single(bad_row_2({{"band", "n78"}, {"freq_mhz", "3500"}}), "row 2 (line 3), field band",
                     {"n78", "LTE"});
        check_single(bad_row_2({{"tech", "GSM"}}), "row 2 (line 3), field band", {"B3", "GSM"});
    }
    SUBCASE("frequency outside the band's downlink") {
        check_single(bad_row_2({{"freq_mhz", "2140"}}), "row 2 (line 3), field freq_mhz",
                     {"2140", "B3", "1805", "1880"});
    }
    SUBCASE("missing text fields") {
        check_single(bad_row_2({{"antenna", ""}}), "row 2 (line 3), field antenna", {"missing value"});
        check_single(bad_row_2({{"operator", ""}}), "row 2 (line 3), field operator", {"missing value"});
    }
    SUBCASE("lat and lon swapped") {
        const fs::path path = bad_row_2({{"lon", "21.305"}, {"lat", "105.595"}});
        const Failure f = failure_of(path);
        REQUIRE_FALSE(f.problems.empty());
        bool swapped = false;
        for (const auto& p : f.problems) {
            CHECK(p.where == "row 2 (line 3), field lat");
            swapped = swapped || contains(p.message, "swapped");
        }
        CHECK(swapped);
        CHECK(contains(f.text, path.string()));
    }
    SUBCASE("duplicate cell_id") {
        auto rows = good_rows();
        rows[2]["cell_id"] = "VT-1-1";
        check_single(dir.write("sites.csv", to_csv(rows)), "row 3, field cell_id",
                     {"duplicate cell_id \"VT-1-1\"", "row 1"});
    }
    SUBCASE("a site with two locations") {
        check_single(bad_row_2({{"lat", "21.315"}}), "row 2, field lon/lat",
                     {"VT-1", "two locations", "21.305", "21.315"});
    }
    SUBCASE("a site with two operators") {
        check_single(bad_row_2({{"operator", "VNPT"}}), "row 2, field operator",
                     {"VT-1", "two operators", "Viettel", "VNPT"});
    }
}

TEST_CASE("whole-table problems name the file") {
    TempDir dir;
    SUBCASE("missing azimuth_deg column") {
        const fs::path path = dir.write("sites.csv", to_csv(good_rows(), "azimuth_deg"));
        const Failure f = failure_of(path);
        REQUIRE(f.problems.size() == 1);
        CHECK(f.problems[0].file == path.string());
        CHECK(f.problems[0].where == "header");
        CHECK(contains(f.problems[0].message, "missing column(s) azimuth_deg"));
        CHECK(contains(f.text, path.string()));
    }
    SUBCASE("empty table (header only)") {
        const fs::path path = dir.write("sites.csv", to_csv({}));
        const Failure f = failure_of(path);
        REQUIRE(f.problems.size() == 1);
        CHECK(f.problems[0].file == path.string());
        CHECK(contains(f.problems[0].message, "no rows"));
    }
    SUBCASE("empty file") {
        const fs::path path = dir.write("sites.csv", "");
        const Failure f = failure_of(path);
        REQUIRE_FALSE(f.problems.empty());
        CHECK(contains(f.text, path.string()));
    }
    SUBCASE("file that does not exist") {
        const fs::path path = dir.path() / "nope.csv";
        const Failure f = failure_of(path);
        CHECK(contains(f.text, path.string()));
    }
}

TEST_CASE("several bad rows are all reported at once") {
    TempDir dir;
    auto rows = good_rows();
    rows.push_back(cell("VT-3", "VT-3-1", 105.62, 21.33));
    rows.push_back(cell("VT-4", "VT-4-1", 105.63, 21.34));
    rows[0]["lat"] = "121.3";          // row 1
    rows[0]["azimuth_deg"] = "400";    // row 1 again: a second field
    rows[2]["azimuth_deg"] = "";       // row 3
    rows[3]["band"] = "B99";           // row 4
    rows[4]["cell_id"] = "VT-1-2";     // row 5: duplicate of row 2
    const fs::path path = dir.write("sites.csv", to_csv(rows));
    const Failure f = failure_of(path);
    std::vector<std::string> where;
    for (const auto& p : f.problems) {
        CHECK(p.file == path.string());
        where.push_back(p.where);
    }
    CHECK(where == std::vector<std::string>{"row 1 (line 2), field lat", "row 1 (line 2), field azimuth_deg",
                                            "row 3 (line 4), field azimuth_deg", "row 4 (line 5), field band",
                                            "row 5, field cell_id"});
    CHECK(contains(f.text, "5 problems"));
    for (const auto& w : where) CHECK(contains(f.text, w));
}

// ---------------------------------------------------------------------------------------------
// Other formats

TEST_CASE("the same table read from GeoJSON and GeoPackage equals the CSV reading") {
    TempDir dir;
    const std::vector<Row> rows = tiny_rows();
    REQUIRE(rows.size() == 9);
    const SiteTable from_csv = read_site_table(dir.write("sites.csv", to_csv(rows)));
    // The fixture file itself reads the same as our rewrite of it.
    check_same_cells(read_site_table(phusong::test::test_data_dir() / "tiny" / "sites.csv"), from_csv, 0.0);

    SUBCASE("GeoJSON (WGS 84)") {
        const auto path = write_ogr(dir.path() / "sites.geojson", "GeoJSON", rows, 4326);
        const SiteTable t = read_site_table(path);
        CHECK(t.file == path.string());
        check_same_cells(from_csv, t, 0.0);
    }
    SUBCASE("GeoPackage (WGS 84)") {
        const auto path = write_ogr(dir.path() / "sites.gpkg", "GPKG", rows, 4326);
        check_same_cells(from_csv, read_site_table(path), 0.0);
    }
    SUBCASE("GeoPackage in UTM 48N: locations transformed back to WGS 84") {
        const auto path = write_ogr(dir.path() / "sites_utm.gpkg", "GPKG", rows, 32648);
        check_same_cells(from_csv, read_site_table(path), 1e-7);
    }
}

TEST_CASE("bad features in a GeoJSON table name the feature and the field") {
    TempDir dir;
    auto rows = good_rows();
    rows[1]["azimuth_deg"] = "400";
    rows[2]["band"] = "B99";
    const auto path = write_ogr(dir.path() / "sites.geojson", "GeoJSON", rows, 4326);
    const Failure f = failure_of(path);
    REQUIRE(f.problems.size() == 2);
    CHECK(f.problems[0].where == "feature 2, field azimuth_deg");
    CHECK(f.problems[1].where == "feature 3, field band");
    CHECK(contains(f.text, path.string()));
}

TEST_CASE("a GeoJSON feature without a point geometry is a problem of its own") {
    TempDir dir;
    const std::string props =
        R"("site_id":"A","cell_id":"A-1","operator":"Viettel","height_agl_m":30,"azimuth_deg":0,)"
        R"("mech_tilt_deg":2,"elec_tilt_deg":4,"tech":"LTE","band":"B3","freq_mhz":1815,)"
        R"("bandwidth_mhz":20,"tx_power_dbm":46,"antenna":"sector65_17dbi")";
    const std::string text =
        R"({"type":"FeatureCollection","features":[)"
        R"({"type":"Feature","properties":{)" + props + R"(},"geometry":{"type":"Point","coordinates":[105.6,21.3]}},)"
        R"({"type":"Feature","properties":{)" + props + R"(},"geometry":null}]})";
    const fs::path path = dir.write("nogeom.geojson", text);
    const Failure f = failure_of(path);
    bool found = false;
    for (const auto& p : f.problems) found = found || p.where == "feature 2, field geometry";
    CHECK(found);
}

// ---------------------------------------------------------------------------------------------
// Placement on the grid

namespace {

struct PlacementFixture {
    phusong::geo::Grid grid;
    std::vector<float> dem;
    std::vector<std::uint8_t> mask;
    double x_vt1 = 0;
    double y_vt1 = 0;

    /// A 100 m grid of ±3 km around VT-1 (105.595 E, 21.305 N); DEM z = 10 + 0.01 (x − x0);
    /// AOI = everything less than 1 km east of VT-1.
    PlacementFixture() {
        x_vt1 = 105.595;
        y_vt1 = 21.305;
        const OGRSpatialReference utm = phusong::geo::srs_from_epsg(32648);
        REQUIRE(phusong::geo::make_transform(phusong::geo::srs_wgs84(), utm)->Transform(1, &x_vt1, &y_vt1));
        grid = phusong::geo::make_grid({x_vt1 - 3000, y_vt1 - 3000, x_vt1 + 3000, y_vt1 + 3000}, 0.0,
                                       100.0, 512, 32648, "");
        dem.resize(grid.pixel_count());
        mask.resize(grid.pixel_count());
        for (int r = 0; r < grid.rows; ++r) {
            for (int c = 0; c < grid.cols; ++c) {
                dem[grid.index(c, r)] = static_cast<float>(10.0 + 0.01 * (grid.col_center_x(c) - grid.origin_x_m));
                mask[grid.index(c, r)] = grid.col_center_x(c) < x_vt1 + 1000.0 ? 1 : 0;
            }
        }
    }
};

}  // namespace

TEST_CASE("place_sites puts sites on the grid with ground height from the DEM") {
    TempDir dir;
    const PlacementFixture fx;
    auto rows = good_rows();
    rows[2] = cell("VT-2", "VT-2-1", 105.615, 21.305);  // ~2 km east: right half, outside the AOI
    const SiteTable t = read_site_table(dir.write("sites.csv", to_csv(rows)));
    const auto placed = phusong::sites::place_sites(t, fx.grid, fx.dem, fx.mask);
    REQUIRE(placed.size() == 2);
    CHECK(placed[0].x_m == doctest::Approx(fx.x_vt1).epsilon(1e-9));
    CHECK(placed[0].y_m == doctest::Approx(fx.y_vt1).epsilon(1e-9));
    // Bilinear on a plane in x is the plane.
    CHECK(placed[0].ground_m == doctest::Approx(10.0 + 0.01 * (fx.x_vt1 - fx.grid.origin_x_m)).epsilon(1e-5));
    CHECK(placed[0].in_aoi);
    CHECK(placed[1].x_m > fx.x_vt1 + 1900.0);
    CHECK_FALSE(placed[1].in_aoi);
}

TEST_CASE("place_sites: sites outside the grid or on DEM nodata are InputErrors naming the row") {
    TempDir dir;
    PlacementFixture fx;
    auto rows = good_rows();
    rows.push_back(cell("FAR-1", "FAR-1-1", 105.9, 21.5));  // row 4, ~35 km away
    const fs::path path = dir.write("sites.csv", to_csv(rows));
    const SiteTable t = read_site_table(path);
    SUBCASE("outside the grid") {
        try {
            (void)phusong::sites::place_sites(t, fx.grid, fx.dem, fx.mask);
            FAIL("expected InputError");
        } catch (const InputError& e) {
            REQUIRE(e.problems().size() == 1);
            CHECK(e.problems()[0].file == path.string());
            CHECK(e.problems()[0].where == "row 4 (site FAR-1), field lon/lat");
            CHECK(contains(e.problems()[0].message, "outside the analysis grid"));
            CHECK(contains(e.what(), path.string()));
        }
    }
    SUBCASE("both problems at once: also no DEM at VT-2 (row 3)") {
        const auto px = fx.grid.pixel_of(fx.x_vt1, fx.y_vt1);
        REQUIRE(px.has_value());
        // Blank the whole DEM except around VT-1.
        for (int r = 0; r < fx.grid.rows; ++r) {
            for (int c = 0; c < fx.grid.cols; ++c) {
                if (std::abs(c - (*px)[0]) > 2 || std::abs(r - (*px)[1]) > 2) {
                    fx.dem[fx.grid.index(c, r)] = std::numeric_limits<float>::quiet_NaN();
                }
            }
        }
        try {
            (void)phusong::sites::place_sites(t, fx.grid, fx.dem, fx.mask);
            FAIL("expected InputError");
        } catch (const InputError& e) {
            std::vector<std::string> where;
            for (const auto& p : e.problems()) where.push_back(p.where);
            // Sites are visited in site_id order: FAR-1, VT-1, VT-2.
            CHECK(where == std::vector<std::string>{"row 4 (site FAR-1), field lon/lat",
                                                    "row 3 (site VT-2), field lon/lat"});
            CHECK(contains(e.problems()[1].message, "DEM has no data"));
        }
    }
}
