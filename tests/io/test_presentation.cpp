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
using phusong::test::run_cli;
using phusong::test::slurp;

namespace {

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

/// Admin and plan outputs as the analysis and plan stages write them, in the tiny fixture's area
/// (the tiny scenario has no admin layer and no plan).
void add_stage_outputs(const fs::path& out) {
    fs::create_directories(out / "plan");
    std::ofstream(out / "analysis/admin_coverage.csv")
        << "admin_name,admin_code,view_kind,view,operator,technology,population,covered_population,covered_share,"
           "covered_area_share\n"
           "\"Thành phố Vĩnh Yên\",243,all_operators,LTE (all operators),,LTE,123456,120000,0.972,0.95\n"
           "\"Thành phố Vĩnh Yên\",243,all_operators,GSM (all operators),,GSM,123456,123000,0.9963,0.99\n";
    std::ofstream(out / "plan/candidates.geojson")
        << R"({"type":"FeatureCollection","features":[)"
           R"({"type":"Feature","properties":{"rank":1,"kind":"upgrade"},"geometry":{"type":"Point","coordinates":[105.59,21.30]}},)"
           R"({"type":"Feature","properties":{"rank":2,"kind":"new"},"geometry":{"type":"Point","coordinates":[105.61,21.32]}},)"
           R"({"type":"Feature","properties":{"rank":null,"kind":"new"},"geometry":{"type":"Point","coordinates":[105.60,21.31]}}]})";
    std::ofstream(out / "plan/coverage_curve.csv")
        << "rank,site_id,kind,marginal_people,cumulative_people,covered_share,cost,cumulative_cost\n"
           "0,,existing,1000,0,0.014,0,0\n1,VT-1,upgrade,40000,40000,0.58,1,1\n2,NEW-1,new,20000,60000,0.864,2.5,3.5\n";
    auto manifest = nlohmann::ordered_json::parse(slurp(out / "manifest.json"));
    manifest["plan"] = {{"band", "n78"}, {"budget_kind", "sites"}, {"target_share", 0.85}, {"candidates", 3},
                        {"people_covered_existing", 1000.0}, {"share_covered_existing", 0.014}, {"final_share", 0.864},
                        {"final_cost", 3.5}, {"target_reached", true},
                        {"bounds", {{{"budget", 1}, {"greedy_people", 40000.0}, {"best_bound_people", 40527.0},
                                     {"bound_source", "lagrangian"}, {"greedy_over_optimal", 0.987},
                                     {"lagrangian_trivial_bound_people", 50000.0}}}}};
    std::ofstream(out / "manifest.json") << manifest.dump(2);
}

/// The first `n` digits after "covered_share" of the all-operators row of `tech` in coverage_summary.csv.
double all_operators_share(const fs::path& out, const std::string& tech) {
    GDALDatasetUniquePtr ds(GDALDataset::Open((out / "analysis/coverage_summary.csv").c_str(), GDAL_OF_VECTOR));
    REQUIRE(ds);
    for (auto& f : *ds->GetLayer(0)) {
        if (std::string(f->GetFieldAsString("view_kind")) == "all_operators" &&
            std::string(f->GetFieldAsString("technology")) == tech) {
            return f->GetFieldAsDouble("covered_share");
        }
    }
    FAIL("no all-operators row for " << tech);
    return 0;
}

/// Where `needle` starts in `html`, npos when absent.
std::size_t at(const std::string& html, const std::string& needle) { return html.find(needle); }

std::size_t count(const std::string& html, const std::string& needle) {
    std::size_t n = 0;
    for (std::size_t p = html.find(needle); p != std::string::npos; p = html.find(needle, p + 1)) ++n;
    return n;
}

}  // namespace

TEST_CASE("project: every output layer, relative paths, embedded styles, the planner's view visible") {
    phusong::geo::gdal_init();
    TempDir tmp;
    const fs::path out = tiny_run(tmp);
    const auto files = phusong::io::write_presentation(out);
    CHECK(files.size() == 3);  // coverage.qgs, report.html, report.vi.html (run wrote aoi.geojson and aoi.qml already)
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

TEST_CASE("numbers as readers write them: en 1,233.3, vi 1.233,3 (issue #25)") {
    using phusong::ReportLanguage;
    using phusong::io::format_number;
    using phusong::io::format_share;
    CHECK(format_number(1233.27, 1, ReportLanguage::en) == "1,233.3");
    CHECK(format_number(1233.27, 1, ReportLanguage::vi) == "1.233,3");
    CHECK(format_number(887636.6, 0, ReportLanguage::en) == "887,637");  // whole people
    CHECK(format_number(887636.4, 0, ReportLanguage::vi) == "887.636");
    CHECK(format_number(1234567, 0, ReportLanguage::vi) == "1.234.567");
    CHECK(format_number(999, 0, ReportLanguage::en) == "999");
    CHECK(format_number(-115, 0, ReportLanguage::en) == "−115");
    CHECK(format_number(-0.04, 1, ReportLanguage::en) == "0.0");  // no minus zero
    CHECK(format_number(std::nan(""), 1, ReportLanguage::vi) == "–");
    CHECK(format_share(0.98934, 1, ReportLanguage::en) == "98.9%");
    CHECK(format_share(0.98934, 1, ReportLanguage::vi) == "98,9%");
    CHECK(format_share(1.0, 0, ReportLanguage::vi) == "100%");
}

TEST_CASE("report: English and Vietnamese files, summary first, one view per map, no absolute path, same bytes twice") {
    phusong::geo::gdal_init();
    TempDir tmp;
    const fs::path out = tiny_run(tmp);
    phusong::io::write_presentation(out);
    const std::string en = slurp(out / "report.html");
    const std::string vi = slurp(out / "report.vi.html");
    CHECK(at(en, "<html lang=\"en\">") != std::string::npos);
    CHECK(at(vi, "<html lang=\"vi\">") != std::string::npos);
    CHECK(at(en, "href=\"report.vi.html\"") != std::string::npos);  // each links the other
    CHECK(at(vi, "href=\"report.html\"") != std::string::npos);
    for (const std::string* html : {&en, &vi}) {
        // The executive page comes first: headline figures, then maps, then the appendix.
        const std::size_t summary = at(*html, "<section id=\"summary\">");
        REQUIRE(summary != std::string::npos);
        CHECK(at(*html, "<div class=\"cards\" id=\"headline\">") > summary);
        CHECK(at(*html, "<div class=\"cards\" id=\"headline\">") < at(*html, "<section id=\"maps\">"));
        CHECK(at(*html, "<section id=\"maps\">") < at(*html, "<section id=\"appendix\">"));
        CHECK(at(*html, "id=\"caveats\"") < at(*html, "<section id=\"maps\">"));
        // Nothing fetched from anywhere, and nothing of the machine it ran on.
        CHECK(html->find("<script") == std::string::npos);
        CHECK_FALSE(std::regex_search(*html, std::regex(R"((src|href)\s*=\s*"(https?:|file:)?//)")));
        CHECK(html->find(tmp.path().string()) == std::string::npos);
        CHECK(html->find(fs::absolute(phusong::test::test_data_dir()).string()) == std::string::npos);
        // No manifest keys or CSV column names shown as headings.
        CHECK(html->find("covered_share") == std::string::npos);
        CHECK(html->find("view_kind") == std::string::npos);
        // One view per map: each figure names its view, none twice; the tiny fixture has one
        // operator per technology, so one map per technology (GSM, LTE) for all operators.
        CHECK(count(*html, "<figure class=\"map\"") == 2);
        CHECK(count(*html, "data-view=\"LTE (all operators)\"") == 1);
        CHECK(count(*html, "data-view=\"GSM (all operators)\"") == 1);
        CHECK(count(*html, "<svg class=\"overlay\"") == 2);  // labels, scale bar, north arrow over each
        const auto pngs = inlined_pngs(*html);
        REQUIRE(pngs.size() == 2);
        CHECK(std::max(pngs[0].first, pngs[0].second) == 900);  // the long side
    }
    // The headline share of 4G, in each language's number format.
    const double lte = all_operators_share(out, "LTE");
    CHECK(en.find(phusong::io::format_share(lte, 1, phusong::ReportLanguage::en)) < at(en, "<section id=\"maps\">"));
    CHECK(vi.find(phusong::io::format_share(lte, 1, phusong::ReportLanguage::vi)) < at(vi, "<section id=\"maps\">"));
    CHECK(at(en, "5G plan: not run.") != std::string::npos);
    CHECK(at(vi, "Kế hoạch 5G: chưa chạy.") != std::string::npos);
    CHECK(at(vi, "Vùng phủ theo nhà mạng") != std::string::npos);
    // Deterministic: the same folder gives the same bytes.
    const std::string project = slurp(out / "coverage.qgs");
    phusong::io::write_presentation(out);
    CHECK(slurp(out / "report.html") == en);
    CHECK(slurp(out / "report.vi.html") == vi);
    CHECK(slurp(out / "coverage.qgs") == project);
}

TEST_CASE("report with admin units and a plan: place names as in the inputs, the plan in words, ranked sites only") {
    phusong::geo::gdal_init();
    TempDir tmp;
    const fs::path out = tiny_run(tmp);
    add_stage_outputs(out);
    phusong::io::write_presentation(out);
    const std::string en = slurp(out / "report.html");
    const std::string vi = slurp(out / "report.vi.html");
    for (const std::string* html : {&en, &vi}) {
        CHECK(html->find("Thành phố Vĩnh Yên") != std::string::npos);  // UTF-8 intact
        CHECK(html->find("<table id=\"coverage-units\"") < html->find("<section id=\"maps\">"));
        CHECK(html->find("<table id=\"plan-summary\"") < html->find("<section id=\"maps\">"));
        CHECK(html->find("not run") == std::string::npos);
        CHECK(html->find("chưa chạy") == std::string::npos);
        CHECK(html->find("lagrangian_trivial_bound_people") == std::string::npos);
        CHECK(html->find("greedy_over_optimal") == std::string::npos);
        // The plan map: the two ranked candidates, not the unranked one.
        const std::size_t plan_map = html->find("<figure class=\"map\" id=\"map-plan\"");
        REQUIRE(plan_map != std::string::npos);
        const std::string figure = html->substr(plan_map, html->find("</figure>", plan_map) - plan_map);
        CHECK(count(figure, "<circle") == 2);
    }
    CHECK(en.find("123,456") != std::string::npos);  // people, whole, grouped
    CHECK(vi.find("123.456") != std::string::npos);
    CHECK(en.find("97.2%") != std::string::npos);
    CHECK(vi.find("97,2%") != std::string::npos);
    CHECK(en.find("≥ 98.7% of the best possible (bound)") != std::string::npos);
    CHECK(vi.find("≥ 98,7% so với mức tốt nhất có thể (cận trên)") != std::string::npos);
    CHECK(en.find("1 upgrades of existing sites and 1 new sites") != std::string::npos);

    // A budget in cost units is matched to the ranking's prefix that it pays for, when that prefix
    // is greedy's set at the budget; another prefix is "not measured".
    auto manifest = nlohmann::ordered_json::parse(slurp(out / "manifest.json"));
    manifest["plan"]["budget_kind"] = "cost";
    manifest["plan"]["bounds"][0]["budget"] = 3;  // pays for rank 1 (cost 1), not rank 2 (3.5)
    std::ofstream(out / "manifest.json") << manifest.dump(2);
    phusong::io::write_presentation(out);
    const auto plan_table = [&] {
        const std::string html = slurp(out / "report.html");
        const std::size_t from = html.find("<table id=\"plan-summary\"");
        return html.substr(from, html.find("</table>", from) - from);
    };
    std::string cost = plan_table();
    CHECK(count(cost, "≥ 98.7% of the best possible (bound)") == 1);
    CHECK(count(cost, "not measured") == 1);  // rank 2, the last
    manifest["plan"]["bounds"][0]["greedy_people"] = 45000.0;  // greedy took another set within 3 units
    std::ofstream(out / "manifest.json") << manifest.dump(2);
    phusong::io::write_presentation(out);
    cost = plan_table();
    CHECK(cost.find("98.7%") == std::string::npos);
    CHECK(count(cost, "not measured") == 2);

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

TEST_CASE("[report] languages = [\"vi\"] writes the Vietnamese file only") {
    phusong::geo::gdal_init();
    TempDir tmp;
    const fs::path out = tiny_run(tmp);
    auto manifest = nlohmann::ordered_json::parse(slurp(out / "manifest.json"));
    CHECK(manifest["report"]["languages"] == nlohmann::ordered_json::array({"en", "vi"}));  // run's default, recorded
    manifest["report"]["languages"] = {"vi"};
    fs::remove(out / "report.html");
    const auto files = phusong::io::write_presentation(out, manifest);
    CHECK(fs::exists(out / "report.vi.html"));
    CHECK_FALSE(fs::exists(out / "report.html"));
    CHECK(std::none_of(files.begin(), files.end(), [](const auto& f) { return f.path == "report.html"; }));
    CHECK(slurp(out / "report.vi.html").find("href=\"report.html\"") == std::string::npos);  // no link to a file not written
}

TEST_CASE("phusong report: writes the files and lists them in the manifest; bad folders exit 3") {
    phusong::geo::gdal_init();
    TempDir tmp;
    const fs::path out = tiny_run(tmp);
    CHECK(run_cli("report '" + out.string() + "'", tmp.path() / "report.log") == 0);
    CHECK(fs::exists(out / "coverage.qgs"));
    CHECK(fs::exists(out / "report.html"));
    CHECK(fs::exists(out / "report.vi.html"));
    const auto manifest = nlohmann::ordered_json::parse(slurp(out / "manifest.json"));
    std::set<std::string> listed;
    for (const auto& o : manifest["outputs"]) listed.insert(o["path"].get<std::string>());
    CHECK(listed.count("coverage.qgs") == 1);
    CHECK(listed.count("report.html") == 1);
    CHECK(listed.count("report.vi.html") == 1);
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
