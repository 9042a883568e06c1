// Site tables as other tools export them (issue #25): column mapping ([inputs.site_columns]),
// built-in aliases, unit hints ([inputs.site_units]) and units in brackets, semicolon- and
// tab-separated text, decimal commas, case-insensitive technology and band names, the power per
// resource element (rs_power_dbm), and the 3GPP band table against the specifications.

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "../test_util.hpp"
#include "phusong/core/error.hpp"
#include "phusong/core/options.hpp"
#include "phusong/sites/site_table.hpp"

namespace fs = std::filesystem;
using phusong::InputError;
using phusong::Problem;
using phusong::SiteColumns;
using phusong::SiteUnits;
using phusong::sites::find_band;
using phusong::sites::normalise_header;
using phusong::sites::read_site_table;
using phusong::sites::SiteTable;
using phusong::sites::Technology;
using phusong::test::TempDir;

namespace {

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

std::vector<Problem> problems_of(const fs::path& path, const SiteColumns& columns = {}, const SiteUnits& units = {}) {
    try {
        (void)read_site_table(path, columns, units);
    } catch (const InputError& e) {
        return e.problems();
    }
    FAIL("read_site_table(" << path.string() << ") did not throw InputError");
    return {};
}

// The tiny fixture's first two cells, as an Atoll transmitter export writes them: its headers,
// semicolons and decimal commas, lower-case technology and band.
const std::string kAtollHeader =
    "Site;Transmitter;Network;Longitude;Latitude;Height (m);Azimuth (\xC2\xB0);Mechanical Downtilt (\xC2\xB0);"
    "Additional Electrical Downtilt (\xC2\xB0);Technology;Frequency Band;Frequency (MHz);Bandwidth (MHz);"
    "Max Power (W);Antenna\n";
const std::string kAtollRows =
    "VT-1;VT-1-L18-1;Viettel;105,595;21,305;30;0;2;4;lte;b3;1815;20;40;sector65_17dbi\n"
    "VT-1;VT-1-L18-2;Viettel;105,595;21,305;30;120;2;4;lte;b3;1815;20;40;sector65_17dbi\n";

const std::string kCanonicalHeader =
    "site_id,cell_id,operator,lon,lat,height_agl_m,azimuth_deg,mech_tilt_deg,elec_tilt_deg,tech,band,freq_mhz,"
    "bandwidth_mhz,tx_power_dbm,antenna\n";

}  // namespace

TEST_CASE("the band table against TS 36.101 Table 5.5-1 and TS 38.104 Tables 5.2-1, 5.2-2") {
    struct Expected {
        const char* name;
        double lo, hi;
    };
    // Downlink ranges read off the specifications' tables.
    for (const Expected& e : {Expected{"B2", 1930, 1990}, Expected{"B4", 2110, 2155}, Expected{"B5", 869, 894},
                              Expected{"B12", 729, 746}, Expected{"B13", 746, 756}, Expected{"B20", 791, 821},
                              Expected{"B25", 1930, 1995}, Expected{"B66", 2110, 2200}, Expected{"B71", 617, 652},
                              Expected{"n2", 1930, 1990}, Expected{"n5", 869, 894}, Expected{"n66", 2110, 2200},
                              Expected{"n71", 617, 652}, Expected{"n77", 3300, 4200}, Expected{"n257", 26500, 29500},
                              Expected{"n258", 24250, 27500}, Expected{"n260", 37000, 40000},
                              Expected{"n261", 27500, 28350}}) {
        CAPTURE(e.name);
        const auto* b = find_band(e.name);
        REQUIRE(b != nullptr);
        CHECK(b->dl_min_mhz == e.lo);
        CHECK(b->dl_max_mhz == e.hi);
    }
    CHECK(find_band("B71")->lte);
    CHECK_FALSE(find_band("B71")->nr);
    CHECK(find_band("n71")->nr);
    CHECK(find_band("B5")->umts);  // UTRA band V shares E-UTRA band 5's downlink
    // No band 15 or 16 (reserved), and the supplementary uplink bands carry no downlink.
    CHECK(find_band("B15") == nullptr);
    CHECK(find_band("n80") == nullptr);
    std::set<std::string> names;
    for (const auto& b : phusong::sites::bands()) {
        CAPTURE(b.name);
        CHECK(b.dl_min_mhz < b.dl_max_mhz);
        CHECK(b.gsm + b.umts + b.lte + b.nr >= 1);
        CHECK(names.insert(normalise_header(b.name)).second);  // unique in any case
    }
}

TEST_CASE("band and technology names are matched in any case") {
    CHECK(find_band("b3")->name == "B3");
    CHECK(find_band("N78")->name == "n78");
    CHECK(find_band("gsm900")->name == "GSM900");
    CHECK(find_band("B3 ")->name == "B3");
    CHECK(phusong::sites::parse_technology("lte") == Technology::lte);
    CHECK(phusong::sites::parse_technology("5G") == Technology::nr);
    CHECK(phusong::sites::parse_technology("Wcdma") == Technology::umts);
    CHECK_FALSE(phusong::sites::parse_technology("6G").has_value());

    TempDir dir;
    const SiteTable t = read_site_table(
        dir.write("sites.csv", kCanonicalHeader + "VT-1,VT-1-1,Viettel,105.595,21.305,30,0,2,4,lte,b3,1815,20,46,a\n"
                                                  "VT-1,VT-1-2,Viettel,105.595,21.305,30,0,2,4,LTE,B3,1815,20,46,a\n"));
    REQUIRE(t.layers.size() == 1);  // one layer: the names are canonical once read
    CHECK(t.layers[0].name == "Viettel LTE B3");
    CHECK(t.cells[0].band == "B3");
}

TEST_CASE("an Atoll export reads through the built-in aliases: semicolons, decimal commas, power in W") {
    TempDir dir;
    const SiteTable atoll = read_site_table(dir.write("atoll.csv", kAtollHeader + kAtollRows));
    REQUIRE(atoll.cells.size() == 2);
    const auto& c = atoll.cells[1];
    CHECK(c.site_id == "VT-1");
    CHECK(c.cell_id == "VT-1-L18-2");
    CHECK(c.operator_name == "Viettel");
    CHECK(c.lon_deg == 105.595);
    CHECK(c.lat_deg == 21.305);
    CHECK(c.azimuth_deg == 120);
    CHECK(c.elec_tilt_deg == 4);
    CHECK(c.tech == Technology::lte);
    CHECK(c.band == "B3");
    // 40 W = 10 log10(40 000 mW) dBm.
    REQUIRE(c.tx_power_dbm.has_value());
    CHECK(*c.tx_power_dbm == doctest::Approx(46.0206).epsilon(1e-6));

    SUBCASE("the same table tab-separated, as .txt and .tsv") {
        std::string tsv = kAtollHeader + kAtollRows;
        std::replace(tsv.begin(), tsv.end(), ';', '\t');
        for (const char* name : {"atoll.txt", "atoll.tsv", "ATOLL.TXT"}) {
            CAPTURE(name);
            const SiteTable t = read_site_table(dir.write(name, tsv));
            REQUIRE(t.cells.size() == 2);
            CHECK(t.cells[1].lon_deg == 105.595);
            CHECK(*t.cells[1].tx_power_dbm == *c.tx_power_dbm);
        }
    }
    SUBCASE("a unit hint wins over the header's brackets") {
        SiteUnits units;
        units.tx_power_dbm = phusong::PowerUnit::dbm;
        const std::string text = kAtollHeader + "VT-1;VT-1-L18-1;Viettel;105,595;21,305;30;0;2;4;LTE;B3;1815;20;46;a\n";
        const SiteTable t = read_site_table(dir.write("dbm.csv", text), {}, units);
        CHECK(*t.cells[0].tx_power_dbm == 46.0);
    }
}

TEST_CASE("[inputs.site_columns] names the columns the aliases do not find") {
    TempDir dir;
    const std::string header =
        "Nom du site;Cellule;Opérateur;Lon_WGS84;Lat_WGS84;HBA;Azimut;Tilt M;Tilt E;Techno;Bande;"
        "Fréquence;Largeur;Puissance;Modèle\n";
    const fs::path path = dir.write(
        "export.csv", header + "VT-1;VT-1-L18-1;Viettel;105,595;21,305;30;0;2;4;LTE;B3;1815;20;46;sector65_17dbi\n");
    SiteColumns columns;
    columns.site_id = "Nom du site";
    columns.cell_id = "cellule";  // headers are matched in any case
    columns.operator_name = "Opérateur";
    columns.lon = "Lon_WGS84";
    columns.lat = "Lat_WGS84";
    columns.height_agl_m = "HBA";
    columns.azimuth_deg = "Azimut";
    columns.mech_tilt_deg = "Tilt M";
    columns.elec_tilt_deg = "Tilt E";
    columns.tech = "Techno";
    columns.band = "Bande";
    columns.freq_mhz = "Fréquence";
    columns.bandwidth_mhz = "Largeur";
    columns.tx_power_dbm = "Puissance";
    columns.antenna = "Modèle";
    SUBCASE("every column mapped") {
        const SiteTable t = read_site_table(path, columns);
        REQUIRE(t.cells.size() == 1);
        CHECK(t.cells[0].cell_id == "VT-1-L18-1");
        CHECK(t.cells[0].height_agl_m == 30);
        CHECK(t.cells[0].lat_deg == 21.305);
        CHECK(*t.cells[0].tx_power_dbm == 46);
    }
    SUBCASE("without the mapping: the missing columns, the file's columns and the lines to add") {
        const auto problems = problems_of(path);
        REQUIRE(problems.size() == 1);
        CHECK(problems[0].where == "header");
        const std::string& m = problems[0].message;
        CHECK_MESSAGE(contains(m, "missing column(s) site_id, cell_id, operator, lon, lat, height_agl_m"), m);
        CHECK_MESSAGE(contains(m, "the file's columns are \"Nom du site\", \"Cellule\""), m);
        CHECK_MESSAGE(contains(m, "[inputs.site_columns]"), m);
        // Did-you-mean by edit distance: "Azimut" is one letter from the alias "azimuth".
        CHECK_MESSAGE(contains(m, "azimuth_deg = \"Azimut\""), m);
        CHECK_MESSAGE(contains(m, "site_id = \"<header in the file>\""), m);
    }
    SUBCASE("a mapping naming no column: reported at its scenario key, with the nearest header") {
        columns.lon = "Lon_WGS";
        const auto problems = problems_of(path, columns);
        REQUIRE(problems.size() == 1);
        CHECK(problems[0].file.empty());  // the scenario's: main names it
        CHECK(problems[0].where == "key inputs.site_columns.lon");
        CHECK_MESSAGE(contains(problems[0].message, "\"Lon_WGS\" is not a column of " + path.string()),
                      problems[0].message);
        CHECK_MESSAGE(contains(problems[0].message, "did you mean \"Lon_WGS84\"?"), problems[0].message);
    }
}

TEST_CASE("headers that cannot be read as they stand") {
    TempDir dir;
    SUBCASE("two aliases of one column") {
        const std::string first_row = kAtollRows.substr(0, kAtollRows.find('\n') + 1);
        const auto problems =
            problems_of(dir.write("two.csv", "Site;Site Name;" + kAtollHeader.substr(5) + "VT-1;" + first_row));
        REQUIRE_FALSE(problems.empty());
        CHECK_MESSAGE(contains(problems[0].message, "columns \"Site\" and \"Site Name\" could both be site_id"),
                      problems[0].message);
        CHECK_MESSAGE(contains(problems[0].message, "[inputs.site_columns] site_id = \"Site\""), problems[0].message);
    }
    SUBCASE("a unit in brackets that the column is not read in") {
        std::string header = kAtollHeader;
        header.replace(header.find("Height (m)"), 10, "Height (ft)");
        header.replace(header.find("Max Power (W)"), 13, "Max Power (kW)");
        const auto problems = problems_of(dir.write("ft.csv", header + kAtollRows));
        REQUIRE(problems.size() == 2);
        CHECK_MESSAGE(contains(problems[0].message, "column \"Height (ft)\" (height_agl_m) is in \"ft\""),
                      problems[0].message);
        CHECK(contains(problems[0].message, "convert the column to metres"));
        CHECK_MESSAGE(contains(problems[1].message, "[inputs.site_units] tx_power_dbm = \"W\""), problems[1].message);
    }
    SUBCASE("a power in W that has no dBm") {
        std::string rows = kAtollRows;
        rows.replace(rows.find(";40;"), 4, ";0;");
        const auto problems = problems_of(dir.write("zero.csv", kAtollHeader + rows));
        REQUIRE(problems.size() == 1);
        CHECK(problems[0].where == "row 1 (line 2), field tx_power_dbm (column \"Max Power (W)\")");
        CHECK(contains(problems[0].message, "value 0 W has no equivalent in dBm"));
    }
    SUBCASE("an out-of-range power in W shows its dBm") {
        std::string rows = kAtollRows;
        rows.replace(rows.find(";40;"), 4, ";20000;");
        const auto problems = problems_of(dir.write("big.csv", kAtollHeader + rows));
        REQUIRE(problems.size() == 1);
        CHECK_MESSAGE(contains(problems[0].message, "value 20000 W (73.0103 dBm) is out of range"), problems[0].message);
    }
}

TEST_CASE("rs_power_dbm: the power per resource element, used as given") {
    TempDir dir;
    const std::string header = kCanonicalHeader.substr(0, kCanonicalHeader.size() - 1) + ",rs_power_dbm\n";
    SUBCASE("given on one cell, absent on another") {
        const SiteTable t = read_site_table(
            dir.write("rs.csv", header + "VT-1,VT-1-1,Viettel,105.595,21.305,30,0,2,4,LTE,B3,1815,20,46,a,18.2\n"
                                         "VT-1,VT-1-2,Viettel,105.595,21.305,30,0,2,4,LTE,B3,1815,20,46,a,\n"));
        REQUIRE(t.cells.size() == 2);
        CHECK(t.cells[0].rs_power_dbm == 18.2);
        CHECK(phusong::sites::reference_signal_power_dbm(t.cells[0], 30) == 18.2);
        CHECK_FALSE(t.cells[1].rs_power_dbm.has_value());
        // 46 dBm over 100 resource blocks × 12 sub-carriers (TS 36.101 Table 5.6-1).
        CHECK(phusong::sites::reference_signal_power_dbm(t.cells[1], 30) ==
              doctest::Approx(46.0 - 10.0 * std::log10(1200.0)));
    }
    SUBCASE("a table with rs_power_dbm and no tx_power_dbm column, RS power in W") {
        std::string text = "site_id,cell_id,operator,lon,lat,height_agl_m,azimuth_deg,mech_tilt_deg,"
                           "elec_tilt_deg,tech,band,freq_mhz,bandwidth_mhz,RS Power (W),antenna\n"
                           "VT-1,VT-1-1,Viettel,105.595,21.305,30,0,2,4,NR,n78,3500,100,0.1,a\n";
        const SiteTable t = read_site_table(dir.write("rs_only.csv", text));
        REQUIRE(t.cells.size() == 1);
        CHECK_FALSE(t.cells[0].tx_power_dbm.has_value());
        CHECK(*t.cells[0].rs_power_dbm == doctest::Approx(20.0));
        // A cell without either power is a problem named at tx_power_dbm.
        text += "VT-1,VT-1-2,Viettel,105.595,21.305,30,0,2,4,NR,n78,3500,100,,a\n";
        const auto problems = problems_of(dir.write("rs_missing.csv", text));
        REQUIRE(problems.size() == 1);
        CHECK(problems[0].where == "row 2 (line 3), field tx_power_dbm");
    }
    SUBCASE("only for LTE and NR cells") {
        const auto problems = problems_of(
            dir.write("rs_gsm.csv", header + "VT-1,VT-1-1,Viettel,105.595,21.305,30,0,2,4,GSM,GSM900,940,0.2,43,a,20\n"));
        REQUIRE(problems.size() == 1);
        CHECK(problems[0].where == "row 1 (line 2), field rs_power_dbm");
        CHECK(contains(problems[0].message, "LTE or NR"));
    }
}

TEST_CASE("the aliases: one column each, and every column in the scenario's [inputs.site_columns]") {
    std::set<std::string> seen;
    std::set<std::string> columns;
    for (auto c : phusong::sites::required_columns()) columns.insert(std::string(c));
    for (auto c : phusong::sites::optional_columns()) columns.insert(std::string(c));
    for (const auto& c : columns) seen.insert(normalise_header(c));
    std::set<std::string> with_aliases;
    for (const auto& a : phusong::sites::column_aliases()) {
        with_aliases.insert(std::string(a.column));
        for (auto alias : a.aliases) {
            CAPTURE(alias);
            CHECK(seen.insert(normalise_header(alias)).second);  // no alias names two columns
        }
    }
    CHECK(with_aliases == columns);
    std::set<std::string> keys;
    for (const auto& t : phusong::options::scenario_tables()) {
        if (t.path != "inputs.site_columns") continue;
        for (const auto& o : t.options) keys.insert(o.key.substr(t.path.size() + 1));
    }
    CHECK(keys == columns);
    CHECK(normalise_header("Mechanical Downtilt (\xC2\xB0)") == "mechanicaldowntilt");
    CHECK(normalise_header(" Max Power [dBm] ") == "maxpower");
}

TEST_CASE("docs/inputs.md lists every alias and every band as the reader has them") {
    const std::string doc = phusong::test::slurp(fs::path(PHUSONG_DOCS_DIR) / "inputs.md");
    for (const auto& a : phusong::sites::column_aliases()) {
        CAPTURE(a.column);
        const std::string head = "| `" + std::string(a.column) + "` | ";
        const auto at = doc.find(head, doc.find("### Column names"));
        REQUIRE(at != std::string::npos);
        std::string row = doc.substr(at + head.size(), doc.find('\n', at) - at - head.size());
        // Items separated by commas; notes in brackets (`referenceSignalPower`) are not aliases.
        std::set<std::string> listed;
        std::string item;
        int depth = 0;
        for (char ch : row + ",") {
            if (ch == '(') ++depth;
            if (ch == ')') --depth;
            if (depth == 0 && (ch == ',' || ch == '|')) {
                if (!normalise_header(item).empty()) listed.insert(normalise_header(item));
                item.clear();
            } else if (depth == 0 && ch != ')') {
                item += ch;
            }
        }
        std::set<std::string> actual;
        for (auto alias : a.aliases) actual.insert(normalise_header(alias));
        CHECK(listed == actual);
    }
    for (const auto& b : phusong::sites::bands()) {
        char cell[96];
        std::snprintf(cell, sizeof cell, "`%.*s` | %g–%g |", static_cast<int>(b.name.size()), b.name.data(),
                      b.dl_min_mhz, b.dl_max_mhz);
        CHECK_MESSAGE(contains(doc, cell), cell);
    }
}
