// The QGIS project and the HTML report (issue #6 items 4–5), on a real `phusong run` of the tiny
// fixture, with and without the analysis and plan stages' outputs; `phusong report` exit codes.

#include <doctest/doctest.h>
#include <cpl_minixml.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "../test_util.hpp"
#include "phusong/core/error.hpp"
#include "phusong/geo/gdal.hpp"
#include "phusong/io/qgis_style.hpp"
#include "phusong/io/qgs_project.hpp"
#include "phusong/io/report.hpp"

namespace fs = std::filesystem;
using phusong::test::TempDir;
using phusong::test::slurp;

namespace {

int run_cli(const std::string& args, const fs::path& log) {
    const std::string cmd = std::string("'") + PHUSONG_EXE + "' -q " + args + " > '" + log.string() + "' 2>&1";
    const int status = std::system(cmd.c_str());
    return WEXITSTATUS(status);
}

/// A fresh `phusong run` of the tiny fixture (absolute paths, so the manifest's inputs resolve
/// from anywhere).
fs::path tiny_run(const TempDir& tmp) {
    const fs::path out = tmp.path() / "out";
    const fs::path scenario = fs::absolute(phusong::test::test_data_dir() / "tiny" / "tiny.toml");
    REQUIRE(run_cli("run '" + scenario.string() + "' --out '" + out.string() + "'", tmp.path() / "run.log") == 0);
    return out;
}

struct XmlFree {
    void operator()(CPLXMLNode* n) const noexcept { CPLDestroyXMLNode(n); }
};
using Xml = std::unique_ptr<CPLXMLNode, XmlFree>;

/// The top-level element `name` of a parsed document (CPLParseXMLString returns the DOCTYPE or
/// <?xml?> node first, with the root element as its sibling).
CPLXMLNode* top_element(CPLXMLNode* n, const char* name) {
    for (; n != nullptr; n = n->psNext) {
        if (n->eType == CXT_Element && std::string(n->pszValue) == name) return n;
    }
    return nullptr;
}

void walk(const CPLXMLNode* n, const std::string& name, std::vector<const CPLXMLNode*>& out) {
    for (; n != nullptr; n = n->psNext) {
        if (n->eType != CXT_Element) continue;
        if (name == n->pszValue) out.push_back(n);
        walk(n->psChild, name, out);
    }
}

std::vector<const CPLXMLNode*> all(const CPLXMLNode* root, const std::string& name) {
    std::vector<const CPLXMLNode*> out;
    walk(root, name, out);
    return out;
}

std::set<std::string> map_files(const fs::path& dir) {
    std::set<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        const auto ext = e.path().extension();
        if (ext == ".tif" || ext == ".geojson") out.insert("./" + fs::relative(e.path(), dir).generic_string());
    }
    return out;
}

/// The renderer type of a .qml (raster or vector).
std::string qml_renderer(const fs::path& qml) {
    Xml doc(CPLParseXMLString(slurp(qml).c_str()));
    REQUIRE(doc);
    CPLXMLNode* qgis = top_element(doc.get(), "qgis");
    REQUIRE(qgis != nullptr);
    if (const CPLXMLNode* r = CPLSearchXMLNode(qgis, "rasterrenderer")) return CPLGetXMLValue(r, "type", "");
    if (const CPLXMLNode* r = CPLSearchXMLNode(qgis, "renderer-v2")) return CPLGetXMLValue(r, "type", "");
    return "";
}

/// Decodes every inlined PNG of the report and returns their sizes (GDAL's PNG driver reads them).
std::vector<std::pair<int, int>> inlined_pngs(const std::string& html) {
    std::vector<std::pair<int, int>> sizes;
    const std::string key = "src=\"data:image/png;base64,";
    for (std::size_t at = html.find(key); at != std::string::npos; at = html.find(key, at + 1)) {
        const std::size_t start = at + key.size();
        std::string b64 = html.substr(start, html.find('"', start) - start);
        const int n = CPLBase64DecodeInPlace(reinterpret_cast<GByte*>(b64.data()));
        const std::string name = "/vsimem/report_png_" + std::to_string(sizes.size()) + ".png";
        VSIFCloseL(VSIFileFromMemBuffer(name.c_str(), reinterpret_cast<GByte*>(b64.data()), n, FALSE));
        GDALDatasetUniquePtr ds(GDALDataset::Open(name.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
        if (ds && std::string(ds->GetDriver()->GetDescription()) == "PNG") {
            sizes.emplace_back(ds->GetRasterXSize(), ds->GetRasterYSize());
        } else {
            sizes.emplace_back(0, 0);
        }
        ds.reset();
        VSIUnlink(name.c_str());
    }
    return sizes;
}

/// Stage outputs as the analysis and plan stages write them, in the tiny fixture's area.
void add_stage_outputs(const fs::path& out) {
    fs::create_directories(out / "analysis");
    fs::create_directories(out / "plan");
    std::ofstream(out / "analysis/coverage_summary.csv")
        << "operator,technology,people_covered,share\nViettel,LTE,70123,0.9935\nMobiFone,GSM,65001,0.921\n";
    std::ofstream(out / "analysis/admin_units.csv")
        << "level2_id,name,people,people_covered_lte\n243,\"Thành phố Vĩnh Yên\",123456,120000\n";
    std::ofstream(out / "analysis/gaps.geojson")
        << R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{"people":1234},)"
           R"("geometry":{"type":"Polygon","coordinates":[[[105.58,21.29],[105.6,21.29],[105.6,21.31],[105.58,21.31],[105.58,21.29]]]}}]})";
    std::ofstream(out / "plan/candidates.geojson")
        << R"({"type":"FeatureCollection","features":[)"
           R"({"type":"Feature","properties":{"rank":1,"kind":"upgrade"},"geometry":{"type":"Point","coordinates":[105.59,21.30]}},)"
           R"({"type":"Feature","properties":{"rank":2,"kind":"greenfield"},"geometry":{"type":"Point","coordinates":[105.61,21.32]}}]})";
    auto manifest = nlohmann::ordered_json::parse(slurp(out / "manifest.json"));
    manifest["plan"] = {{"selected_sites", 2}, {"greedy_over_ilp_ratio", 0.987}};
    std::ofstream(out / "manifest.json") << manifest.dump(2);
}

}  // namespace

TEST_CASE("project: every output layer, relative paths, embedded styles, the planner's view visible") {
    phusong::geo::gdal_init();
    TempDir tmp;
    const fs::path out = tiny_run(tmp);
    const auto files = phusong::io::write_presentation(out);
    CHECK(files.size() == 2);  // coverage.qgs, report.html (run wrote aoi.geojson and aoi.qml already)
    REQUIRE(fs::exists(out / "coverage.qgs"));
    REQUIRE(fs::exists(out / "report.html"));

    Xml doc(CPLParseXMLString(slurp(out / "coverage.qgs").c_str()));
    REQUIRE(doc);
    const CPLXMLNode* root = top_element(doc.get(), "qgis");
    REQUIRE(root != nullptr);
    CHECK(std::string(CPLGetXMLValue(root, "properties.Paths.Absolute", "")) == "false");
    CHECK(std::string(CPLGetXMLValue(root, "projectCrs.spatialrefsys.authid", "")) == "EPSG:32648");

    // Every raster and the outline, each once, with a data source relative to the project.
    std::set<std::string> sources;
    for (const CPLXMLNode* m : all(root, "maplayer")) {
        const std::string src = CPLGetXMLValue(m, "datasource", "");
        CHECK(sources.insert(src).second);
        REQUIRE(src.rfind("./", 0) == 0);
        const fs::path file = out / src.substr(2);
        CHECK(fs::exists(file));
        // The style beside the file is embedded with the same renderer.
        const std::string type = CPLGetXMLValue(m, "type", "");
        const std::string embedded = type == "raster" ? CPLGetXMLValue(m, "pipe.rasterrenderer.type", "")
                                                      : CPLGetXMLValue(m, "renderer-v2.type", "");
        CHECK_MESSAGE(embedded == qml_renderer(phusong::io::style_path(file)), src);
        const std::string crs = CPLGetXMLValue(m, "srs.spatialrefsys.authid", "");
        CHECK_MESSAGE(crs == (type == "raster" ? "EPSG:32648" : "EPSG:4326"), src);
    }
    CHECK(sources == map_files(out));
    CHECK(sources.count("./aoi.geojson") == 1);
    CHECK(sources.count("./layers/viettel_lte_b3/server.tif") == 1);

    // Layer tree: outline first; groups; the visible layers are the outline, the sites and cells
    // and the best-of-operators LTE coverage class (issue #25).
    const CPLXMLNode* tree = CPLGetXMLNode(root, "layer-tree-group");
    REQUIRE(tree != nullptr);
    std::vector<std::string> groups;
    for (const CPLXMLNode* g : all(tree->psChild, "layer-tree-group")) groups.emplace_back(CPLGetXMLValue(g, "name", ""));
    CHECK(groups == std::vector<std::string>{"Network", "Analysis", "Coverage layers", "MobiFone GSM GSM900",
                                             "Viettel LTE B3", "Base"});
    std::vector<std::string> visible;
    for (const CPLXMLNode* l : all(tree, "layer-tree-layer")) {
        if (std::string(CPLGetXMLValue(l, "checked", "")) == "Qt::Checked") visible.emplace_back(CPLGetXMLValue(l, "source", ""));
    }
    CHECK(visible == std::vector<std::string>{"./aoi.geojson", "./analysis/cells.geojson",
                                              "./analysis/best_of_operators_lte_class.tif"});
    CHECK(std::string(CPLGetXMLValue(all(tree, "layer-tree-layer").front(), "id", "")) == "phusong_aoi_geojson");

    // The outline: RFC 7946 (WGS 84), at most 7 decimals.
    const std::string aoi = slurp(out / "aoi.geojson");
    CHECK_FALSE(std::regex_search(aoi, std::regex(R"(\d\.\d{8,})")));
    GDALDatasetUniquePtr v(GDALDataset::Open((out / "aoi.geojson").c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    REQUIRE(v);
    CHECK(v->GetLayer(0)->GetFeatureCount() == 1);
    CHECK(std::string(v->GetLayer(0)->GetSpatialRef()->GetAuthorityCode(nullptr)) == "4326");
}

TEST_CASE("report: self-contained, KPI table, maps as valid PNGs, 'not run' for missing stages, same bytes twice") {
    phusong::geo::gdal_init();
    TempDir tmp;
    const fs::path out = tiny_run(tmp);
    phusong::io::write_presentation(out);
    const std::string html = slurp(out / "report.html");
    CHECK(html.find("<table id=\"kpi\"") != std::string::npos);
    CHECK(html.find("People in the area") != std::string::npos);
    CHECK(html.find("70,579") != std::string::npos);  // people in the AOI, with a thousands separator
    CHECK(html.find("Coverage analysis: not run.") == std::string::npos);  // run includes the analysis
    CHECK(html.find("5G planning: not run.") != std::string::npos);
    CHECK(html.find("Viettel LTE B3") != std::string::npos);
    // Nothing fetched from anywhere: no script, no external source or stylesheet.
    CHECK(html.find("<script") == std::string::npos);
    CHECK_FALSE(std::regex_search(html, std::regex(R"((src|href)\s*=\s*"(https?:)?//)")));
    const auto pngs = inlined_pngs(html);
    // The signal map, four coverage-class maps (two operators, two best-of-operators views) and the
    // gaps; no candidates (planning not run).
    REQUIRE(pngs.size() == 6);
    CHECK(std::max(pngs[0].first, pngs[0].second) == 900);  // the long side
    CHECK(std::min(pngs[0].first, pngs[0].second) > 800);
    // Deterministic: the same folder gives the same bytes.
    const std::string project = slurp(out / "coverage.qgs");
    phusong::io::write_presentation(out);
    CHECK(slurp(out / "report.html") == html);
    CHECK(slurp(out / "coverage.qgs") == project);
}

TEST_CASE("report and project with the analysis and plan stages' outputs") {
    phusong::geo::gdal_init();
    TempDir tmp;
    const fs::path out = tiny_run(tmp);
    add_stage_outputs(out);
    phusong::io::write_presentation(out);
    const std::string html = slurp(out / "report.html");
    CHECK(html.find("<table id=\"kpi-coverage\"") != std::string::npos);
    CHECK(html.find("70,123") != std::string::npos);
    CHECK(html.find("Thành phố Vĩnh Yên") != std::string::npos);  // UTF-8 intact
    CHECK(html.find("123,456") != std::string::npos);
    CHECK(html.find(">243<") != std::string::npos);  // ids keep their digits
    CHECK(html.find("<tr class=\"headline\"><th>greedy_over_ilp_ratio</th><td class=\"n\">0.987</td>") !=
          std::string::npos);
    CHECK(html.find("not run") == std::string::npos);
    CHECK(inlined_pngs(html).size() == 7);  // signal, four class maps, gaps, candidates

    Xml doc(CPLParseXMLString(slurp(out / "coverage.qgs").c_str()));
    REQUIRE(doc);
    std::vector<std::string> groups;
    for (const CPLXMLNode* g : all(CPLGetXMLNode(top_element(doc.get(), "qgis"), "layer-tree-group")->psChild, "layer-tree-group")) {
        groups.emplace_back(CPLGetXMLValue(g, "name", ""));
    }
    CHECK(groups.at(0) == "Plan");
    CHECK(groups.at(1) == "Network");
    CHECK(groups.at(2) == "Analysis");
    std::map<std::string, std::string> geometry;
    for (const CPLXMLNode* m : all(top_element(doc.get(), "qgis"), "maplayer")) geometry[CPLGetXMLValue(m, "datasource", "")] = CPLGetXMLValue(m, "geometry", "");
    CHECK(geometry["./plan/candidates.geojson"] == "Point");
    CHECK(geometry["./analysis/gaps.geojson"] == "Polygon");
}

TEST_CASE("phusong report: writes the files and lists them in the manifest; bad folders exit 3") {
    phusong::geo::gdal_init();
    TempDir tmp;
    const fs::path out = tiny_run(tmp);
    CHECK(run_cli("report '" + out.string() + "'", tmp.path() / "report.log") == 0);
    CHECK(fs::exists(out / "coverage.qgs"));
    CHECK(fs::exists(out / "report.html"));
    const auto manifest = nlohmann::ordered_json::parse(slurp(out / "manifest.json"));
    std::set<std::string> listed;
    for (const auto& o : manifest["outputs"]) listed.insert(o["path"].get<std::string>());
    CHECK(listed.count("coverage.qgs") == 1);
    CHECK(listed.count("report.html") == 1);
    CHECK(listed.count("aoi.geojson") == 1);
    // Running it again lists nothing twice.
    CHECK(run_cli("report '" + out.string() + "'", tmp.path() / "report2.log") == 0);
    CHECK(nlohmann::ordered_json::parse(slurp(out / "manifest.json"))["outputs"].size() == manifest["outputs"].size());

    CHECK(run_cli("report '" + (tmp.path() / "missing").string() + "'", tmp.path() / "e1.log") == 3);
    CHECK(slurp(tmp.path() / "e1.log").find("not a folder") != std::string::npos);
    const fs::path empty = tmp.path() / "empty";
    fs::create_directories(empty);
    CHECK(run_cli("report '" + empty.string() + "'", tmp.path() / "e2.log") == 3);
    CHECK(slurp(tmp.path() / "e2.log").find("manifest.json") != std::string::npos);
    const fs::path broken = tmp.path() / "broken";
    fs::create_directories(broken);
    std::ofstream(broken / "manifest.json") << "{ not json";
    CHECK(run_cli("report '" + broken.string() + "'", tmp.path() / "e3.log") == 3);
    CHECK(fs::directory_iterator(broken) != fs::directory_iterator());
    CHECK_FALSE(fs::exists(broken / "report.html"));  // nothing written into a folder it cannot read
    CHECK_FALSE(fs::exists(broken / "coverage.qgs"));
}
