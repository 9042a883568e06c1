// What a radio planner works with (issue #25), on a real `phusong run` of the tiny fixture with
// the 5G plan on: the per-cell statistics (cells_stats.csv, cells.geojson) recomputed here from
// the layer rasters, the ranked candidates as CSV and KMZ, the GeoPackages, and the QGIS project
// opening on the planner's view.

#include <doctest/doctest.h>
#include <cpl_minixml.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "../test_util.hpp"
#include "phusong/geo/gdal.hpp"

namespace fs = std::filesystem;
using phusong::test::TempDir;
using phusong::test::run_cli;
using phusong::test::slurp;

namespace {

/// The tiny fixture with [plan] on (a 1 km greenfield lattice, two ILP budgets), run once for
/// every test case of this file.
const fs::path& planned_run() {
    static TempDir tmp;
    static const fs::path out = [] {
        const fs::path fixture = tmp.path() / "tiny";
        fs::create_directories(fixture);
        for (const auto& e : fs::directory_iterator(phusong::test::test_data_dir() / "tiny")) {
            fs::copy_file(e.path(), fixture / e.path().filename());
        }
        std::ofstream(fixture / "tiny.toml", std::ios::app)
            << "\n[prediction.band.n78]\nmodel = \"tr38901_uma\"\n\n"
               "[antennas.nr_mmimo_64t64r]\ngain_dbi = 24\nh_beamwidth_deg = 65\nv_beamwidth_deg = 6\n"
               "front_to_back_db = 25\nside_lobe_db = 20\n\n"
               "[plan]\nenabled = true\ngreenfield_spacing_m = 1000\nilp_budgets = [2, 4]\n";
        const fs::path o = tmp.path() / "out";
        const int code = run_cli("run '" + (fixture / "tiny.toml").string() + "' --out '" + o.string() + "'",
                                 tmp.path() / "run.log");
        if (code != 0) FAIL("phusong run failed: " << slurp(tmp.path() / "run.log"));
        return o;
    }();
    return out;
}

/// A CSV file as rows of fields (no quoted commas in the files read here), header first.
std::vector<std::vector<std::string>> read_csv(const fs::path& path) {
    std::vector<std::vector<std::string>> rows;
    std::istringstream in(slurp(path));
    std::string line;
    while (std::getline(in, line)) {
        std::vector<std::string> row;
        std::string field;
        std::istringstream l(line);
        while (std::getline(l, field, ',')) row.push_back(field);
        if (!line.empty() && line.back() == ',') row.emplace_back();
        rows.push_back(std::move(row));
    }
    return rows;
}

/// Column name → index of a header row.
std::map<std::string, std::size_t> columns(const std::vector<std::string>& header) {
    std::map<std::string, std::size_t> c;
    for (std::size_t i = 0; i < header.size(); ++i) c[header[i]] = i;
    return c;
}

std::vector<double> read_band(const fs::path& path) {
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
    REQUIRE(ds);
    const int w = ds->GetRasterXSize();
    const int h = ds->GetRasterYSize();
    std::vector<double> v(static_cast<std::size_t>(w) * h);
    REQUIRE(ds->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, w, h, v.data(), w, h, GDT_Float64, 0, 0) == CE_None);
    return v;
}

GDALDatasetUniquePtr open_vector(const std::string& path) {
    return GDALDatasetUniquePtr(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
}

}  // namespace

TEST_CASE("cells_stats.csv: every cell's best-server area, people and means, as the layer rasters give them") {
    phusong::geo::gdal_init();
    const fs::path& out = planned_run();
    const auto rows = read_csv(out / "analysis" / "cells_stats.csv");
    REQUIRE(rows.size() > 1);
    const auto col = columns(rows[0]);
    for (const char* name : {"index", "cell_id", "site_id", "operator", "layer", "technology", "band", "lon", "lat",
                             "azimuth_deg", "height_agl_m", "signal", "served_area_km2", "people_served",
                             "mean_signal_dbm", "mean_sinr_db"}) {
        CHECK_MESSAGE(col.count(name) == 1, name);
    }
    const auto cells = read_csv(out / "cells.csv");
    REQUIRE(rows.size() == cells.size());  // one row per cell, in cells.csv order
    for (std::size_t r = 1; r < rows.size(); ++r) {
        CHECK(rows[r][col.at("index")] == cells[r][0]);
        CHECK(rows[r][col.at("cell_id")] == cells[r][1]);
    }

    // Recomputed from the rasters: per layer, each cell's pixels inside the AOI (coverage class
    // ≠ 255) where server.tif names it; people from population.tif; mean of rsrp/rxlev and sinr.
    const std::vector<double> population = read_band(out / "population.tif");
    struct Expected {
        std::uint64_t pixels = 0;
        double people = 0, signal = 0, sinr = 0;
        std::uint64_t sinr_pixels = 0;
    };
    std::map<std::string, Expected> expected;  // by cells.csv index
    std::size_t layers_seen = 0;
    for (const auto& folder : fs::directory_iterator(out / "layers")) {
        const fs::path dir = folder.path();
        const fs::path signal = fs::exists(dir / "rsrp.tif") ? dir / "rsrp.tif" : dir / "rxlev.tif";
        const auto server = read_band(dir / "server.tif");
        const auto classes = read_band(dir / "coverage_class.tif");
        const auto best = read_band(signal);
        const bool has_sinr = fs::exists(dir / "sinr.tif");
        const auto sinr = has_sinr ? read_band(dir / "sinr.tif") : std::vector<double>();
        for (std::size_t i = 0; i < server.size(); ++i) {
            if (server[i] < 0 || classes[i] == 255) continue;
            Expected& e = expected[std::to_string(static_cast<int>(server[i]))];
            e.pixels += 1;
            if (std::isfinite(population[i])) e.people += population[i];
            e.signal += best[i];
            if (has_sinr && std::isfinite(sinr[i])) {
                e.sinr += sinr[i];
                e.sinr_pixels += 1;
            }
        }
        ++layers_seen;
    }
    CHECK(layers_seen == 2);
    const double px_km2 = 60.0 * 60.0 / 1e6;  // the fixture's 60 m grid
    double served_people = 0;
    std::size_t serving = 0;
    for (std::size_t r = 1; r < rows.size(); ++r) {
        const auto& row = rows[r];
        const Expected e = expected.count(row[col.at("index")]) ? expected.at(row[col.at("index")]) : Expected{};
        CAPTURE(row[col.at("cell_id")]);
        // The CSV rounds areas to 4 decimals, people to 1, dBm and dB to 2.
        CHECK(std::abs(std::stod(row[col.at("served_area_km2")]) - e.pixels * px_km2) <= 5.1e-5);
        CHECK(std::abs(std::stod(row[col.at("people_served")]) - e.people) <= 0.051);
        served_people += std::stod(row[col.at("people_served")]);
        if (e.pixels == 0) {
            CHECK(row[col.at("mean_signal_dbm")].empty());
            continue;
        }
        ++serving;
        CHECK(std::abs(std::stod(row[col.at("mean_signal_dbm")]) - e.signal / e.pixels) <= 0.0051);
        if (row[col.at("technology")] == "LTE") {
            REQUIRE(e.sinr_pixels > 0);
            CHECK(std::abs(std::stod(row[col.at("mean_sinr_db")]) - e.sinr / e.sinr_pixels) <= 0.0051);
            CHECK(row[col.at("signal")] == "RSRP");
        } else {
            CHECK(row[col.at("mean_sinr_db")].empty());  // GSM: no SINR map
            CHECK(row[col.at("signal")] == "RxLev");
        }
    }
    CHECK(serving > 0);
    CHECK(served_people > 0);

    // The same attributes on the site/cell layer (points at the cells' positions, WGS 84) and in
    // the GeoPackage, beside the gaps.
    auto geojson = open_vector((out / "analysis" / "cells.geojson").string());
    REQUIRE(geojson);
    OGRLayer* layer = geojson->GetLayer(0);
    CHECK(layer->GetFeatureCount() == static_cast<GIntBig>(rows.size() - 1));
    CHECK(layer->GetLayerDefn()->GetFieldIndex("people_served") >= 0);
    CHECK(layer->GetLayerDefn()->GetFieldIndex("azimuth_deg") >= 0);
    CHECK(wkbFlatten(layer->GetGeomType()) == wkbPoint);
    for (auto& f : *layer) {
        const auto* p = f->GetGeometryRef()->toPoint();
        CHECK(p->getX() == doctest::Approx(f->GetFieldAsDouble("lon")).epsilon(1e-6));
        CHECK(p->getY() == doctest::Approx(f->GetFieldAsDouble("lat")).epsilon(1e-6));
    }
    CHECK(fs::exists(out / "analysis" / "cells.qml"));
    auto gpkg = open_vector((out / "analysis" / "analysis.gpkg").string());
    REQUIRE(gpkg);
    std::set<std::string> names;
    for (int i = 0; i < gpkg->GetLayerCount(); ++i) names.insert(gpkg->GetLayer(i)->GetName());
    CHECK(names == std::set<std::string>{"cells", "gaps"});
    CHECK(gpkg->GetLayerByName("cells")->GetFeatureCount() == static_cast<GIntBig>(rows.size() - 1));
}

TEST_CASE("candidates.csv and candidates.kmz: the ranking with people per cost, readable by GDAL") {
    phusong::geo::gdal_init();
    const fs::path& out = planned_run();
    const auto rows = read_csv(out / "plan" / "candidates.csv");
    const auto curve = read_csv(out / "plan" / "coverage_curve.csv");
    REQUIRE(rows.size() == curve.size() - 1);  // the curve has the existing layer as rank 0
    REQUIRE(rows.size() > 2);
    const auto col = columns(rows[0]);
    for (const char* name : {"rank", "site_id", "kind", "operator", "lon", "lat", "people_gained", "cumulative_people",
                             "covered_share", "cost", "cumulative_cost", "people_per_cost"}) {
        CHECK_MESSAGE(col.count(name) == 1, name);
    }
    double cumulative_people = 0;
    double cumulative_cost = 0;
    double last_ratio = std::numeric_limits<double>::infinity();
    for (std::size_t r = 1; r < rows.size(); ++r) {
        const auto& row = rows[r];
        CAPTURE(r);
        CHECK(row[col.at("rank")] == std::to_string(r));
        CHECK(row[col.at("site_id")] == curve[r + 1][1]);
        const std::string kind = row[col.at("kind")];
        CHECK((kind == "upgrade" || kind == "greenfield"));
        const double gained = std::stod(row[col.at("people_gained")]);
        const double cost = std::stod(row[col.at("cost")]);
        CHECK(cost == (kind == "upgrade" ? 1.0 : 2.5));  // the default upgrade_cost and greenfield_cost
        cumulative_people += gained;
        cumulative_cost += cost;
        CHECK(std::stod(row[col.at("cumulative_people")]) == doctest::Approx(cumulative_people).epsilon(1e-3));
        CHECK(std::stod(row[col.at("cumulative_cost")]) == doctest::Approx(cumulative_cost));
        const double ratio = std::stod(row[col.at("people_per_cost")]);
        CHECK(ratio == doctest::Approx(gained / cost).epsilon(1e-3));
        // The default budget counts cost: the greedy takes the most people per cost unit first.
        CHECK(ratio <= last_ratio + 0.1);
        last_ratio = ratio;
        const double lon = std::stod(row[col.at("lon")]);
        const double lat = std::stod(row[col.at("lat")]);
        CHECK((lon > 105.4 && lon < 105.8 && lat > 21.1 && lat < 21.5));  // around Vĩnh Yên
    }

    // The KMZ: a zip holding one KML, which GDAL's KML driver (not the LIBKML that wrote it)
    // parses: one placemark per ranked candidate in rank order.
    const fs::path kmz = out / "plan" / "candidates.kmz";
    REQUIRE(fs::exists(kmz));
    CHECK(slurp(kmz).substr(0, 2) == "PK");
    char** listing = VSIReadDir(("/vsizip/" + kmz.string()).c_str());
    std::set<std::string> inside;
    for (char** p = listing; p != nullptr && *p != nullptr; ++p) inside.insert(*p);
    CSLDestroy(listing);
    CHECK(inside == std::set<std::string>{"candidates.kml"});
    const char* const kml_only[] = {"KML", nullptr};
    GDALDatasetUniquePtr kml(GDALDataset::Open(("/vsizip/" + kmz.string() + "/candidates.kml").c_str(),
                                               GDAL_OF_VECTOR | GDAL_OF_READONLY, kml_only));
    REQUIRE(kml);
    OGRLayer* layer = kml->GetLayer(0);
    REQUIRE(layer != nullptr);
    CHECK(layer->GetFeatureCount() == static_cast<GIntBig>(rows.size() - 1));
    std::size_t r = 1;
    for (auto& f : *layer) {
        CHECK(std::string(f->GetFieldAsString("Name")) == "#" + std::to_string(r) + " " + rows[r][col.at("site_id")]);
        const auto* p = f->GetGeometryRef()->toPoint();
        CHECK(p->getX() == doctest::Approx(std::stod(rows[r][col.at("lon")])).epsilon(1e-6));
        CHECK(p->getY() == doctest::Approx(std::stod(rows[r][col.at("lat")])).epsilon(1e-6));
        ++r;
    }
    // Its ExtendedData (read by LIBKML, which GDAL picks for a .kmz): the CSV's figures, rounded
    // alike (0.1 person).
    auto libkml = open_vector(kmz.string());
    REQUIRE(libkml);
    CHECK(std::string(libkml->GetDriver()->GetDescription()) == "LIBKML");
    r = 1;
    for (auto& f : *libkml->GetLayer(0)) {
        CHECK(f->GetFieldAsInteger("rank") == static_cast<int>(r));
        CHECK(std::string(f->GetFieldAsString("kind")) == rows[r][col.at("kind")]);
        CHECK(f->GetFieldAsDouble("people_gained") == std::stod(rows[r][col.at("people_gained")]));
        CHECK(f->GetFieldAsDouble("people_per_cost") == std::stod(rows[r][col.at("people_per_cost")]));
        ++r;
    }
    CHECK(r == rows.size());
    // And the GeoPackage of every candidate, ranked first.
    auto gpkg = open_vector((out / "plan" / "candidates.gpkg").string());
    REQUIRE(gpkg);
    auto geojson = open_vector((out / "plan" / "candidates.geojson").string());
    REQUIRE(geojson);
    CHECK(gpkg->GetLayer(0)->GetFeatureCount() == geojson->GetLayer(0)->GetFeatureCount());
    auto first = std::unique_ptr<OGRFeature>(gpkg->GetLayer(0)->GetNextFeature());
    REQUIRE(first);
    CHECK(first->GetFieldAsInteger("rank") == 1);
    CHECK(std::string(first->GetFieldAsString("site_id")) == rows[1][col.at("site_id")]);
}

TEST_CASE("the QGIS project opens on the planner's view: candidates, cells, best-of-operators LTE class") {
    phusong::geo::gdal_init();
    const fs::path& out = planned_run();
    const std::string qgs = slurp(out / "coverage.qgs");
    std::unique_ptr<CPLXMLNode, decltype(&CPLDestroyXMLNode)> doc(CPLParseXMLString(qgs.c_str()), &CPLDestroyXMLNode);
    REQUIRE(doc);
    const CPLXMLNode* root = doc.get();
    while (root != nullptr && !(root->eType == CXT_Element && std::string(root->pszValue) == "qgis")) root = root->psNext;
    REQUIRE(root != nullptr);
    std::vector<std::string> visible;
    std::vector<std::string> groups;
    std::function<void(const CPLXMLNode*)> walk = [&](const CPLXMLNode* n) {
        for (; n != nullptr; n = n->psNext) {
            if (n->eType != CXT_Element) continue;
            const std::string name = n->pszValue;
            if (name == "layer-tree-layer" && std::string(CPLGetXMLValue(n, "checked", "")) == "Qt::Checked") {
                visible.emplace_back(CPLGetXMLValue(n, "source", ""));
            }
            if (name == "layer-tree-group" && CPLGetXMLValue(n, "name", nullptr) != nullptr) {
                groups.emplace_back(CPLGetXMLValue(n, "name", ""));
            }
            if (name == "layer-tree-group") walk(n->psChild);
        }
    };
    walk(CPLGetXMLNode(root, "layer-tree-group"));
    CHECK(visible == std::vector<std::string>{"./aoi.geojson", "./plan/candidates.geojson", "./analysis/cells.geojson",
                                              "./analysis/best_of_operators_lte_class.tif"});
    REQUIRE(groups.size() >= 3);
    CHECK(groups[0] == "Plan");
    CHECK(groups[1] == "Network");
    CHECK(groups[2] == "Analysis");

    // The candidates' labels: one rule, on the top 20 ranks; the unranked candidates' rule off.
    const std::string qml = slurp(out / "plan" / "candidates.qml");
    CHECK(qml.find("<labeling type=\"rule-based\">") != std::string::npos);
    CHECK(qml.find("filter=\"&quot;rank&quot; &lt;= 20\"") != std::string::npos);
    CHECK(qml.find("label=\"not chosen\" checkstate=\"0\"") != std::string::npos);
    // The cells: sectors turned by azimuth; the gaps: a rule per view, the all-operators LTE one on.
    const std::string cells_qml = slurp(out / "analysis" / "cells.qml");
    CHECK(cells_qml.find("&quot;azimuth_deg&quot; + 45") != std::string::npos);
    const std::string gaps_qml = slurp(out / "analysis" / "gaps.qml");
    CHECK(gaps_qml.find("label=\"LTE (all operators) gaps\">") != std::string::npos);
    CHECK(gaps_qml.find("label=\"GSM (all operators) gaps\" checkstate=\"0\">") != std::string::npos);
}
