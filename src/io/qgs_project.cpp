#include "phusong/io/qgs_project.hpp"

#include <cpl_minixml.h>
#include <fmt/format.h>
#include <gdal_utils.h>
#include <ogrsf_frmts.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "phusong/core/error.hpp"
#include "phusong/core/hash.hpp"
#include "phusong/core/output_file.hpp"
#include "phusong/geo/gdal.hpp"
#include "phusong/io/qgis_style.hpp"
#include "xml.hpp"

namespace phusong::io {
namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace {

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error("cannot read " + path.string());
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string generic(const fs::path& p) { return p.generic_string(); }

std::string layer_id(const fs::path& relative) {
    // Prefixed: QGIS 3.22 replaced the id "dem_tif" by a random one on reading (and so lost the
    // layer tree's link to it); the prefixed ids are kept as written (tools/qgis_check.py checks).
    std::string id = "phusong_" + generic(relative);
    for (char& c : id) {
        if (c == '/' || c == '.' || c == ' ') c = '_';
    }
    return id;
}

// ---- catalogue -------------------------------------------------------------------------------

/// Order of a radio layer's rasters in its group (top first) and their names in the tree.
std::pair<int, std::string> raster_rank(const std::string& stem, const std::string& signal) {
    if (stem == "rsrp" || stem == "rscp" || stem == "rxlev") return {0, signal + " (dBm)"};
    if (stem == "server") return {1, "best server"};
    if (stem == "sinr") return {2, "SINR (dB)"};
    if (stem == "throughput") return {3, "throughput (Mbit/s)"};
    if (stem == "coverage_class") return {4, "coverage class"};
    if (stem == "overlap_6db") return {5, "cells within 6 dB of the best"};
    if (stem.rfind("second_", 0) == 0) return {6, "second-best " + signal + " (dBm)"};
    std::string name = stem;
    std::replace(name.begin(), name.end(), '_', ' ');
    return {7, name};
}

std::string display_name(const std::string& stem) {
    static const std::map<std::string, std::string> known = {
        {"dem", "terrain height (m)"},      {"population", "population (people per pixel)"},
        {"gaps", "coverage gaps"},          {"admin_units", "admin units (covered share)"},
        {"candidates", "5G candidate sites"}, {"aoi", "area of interest (outline)"},
        {"cells", "sites and cells (sectors)"}};
    if (const auto it = known.find(stem); it != known.end()) return it->second;
    std::string name = stem;
    std::replace(name.begin(), name.end(), '_', ' ');
    return name;
}

bool is_map_file(const fs::path& p) {
    const std::string ext = p.extension().string();
    return ext == ".tif" || ext == ".geojson";
}

CatalogueLayer make_layer(const fs::path& relative, std::string name) {
    CatalogueLayer l;
    l.relative = relative;
    l.id = layer_id(relative);
    l.name = std::move(name);
    l.raster = relative.extension() == ".tif";
    l.kind = relative.stem().string();
    return l;
}

/// The map files of a subfolder (sorted), vectors first.
std::vector<fs::path> map_files_in(const fs::path& dir, const fs::path& sub) {
    std::vector<fs::path> out;
    std::error_code ec;
    if (!fs::is_directory(dir / sub, ec)) return out;
    for (const auto& e : fs::directory_iterator(dir / sub, ec)) {
        if (e.is_regular_file() && is_map_file(e.path())) out.push_back(sub / e.path().filename());
    }
    std::sort(out.begin(), out.end(), [](const fs::path& a, const fs::path& b) {
        const bool va = a.extension() == ".geojson";
        const bool vb = b.extension() == ".geojson";
        return va != vb ? va : a < b;
    });
    return out;
}


}  // namespace

std::optional<fs::path> write_outline(const fs::path& dir, const json& manifest) {
    const fs::path target = dir / kOutlineFile;
    std::error_code ec;
    if (fs::is_regular_file(target, ec)) {
        if (!fs::exists(style_path(target), ec)) {
            const fs::path temp = dir / (".aoi.tmp-" + std::to_string(getpid()) + ".geojson");
            write_outline_style(temp);
            fs::rename(style_path(temp), style_path(target));
        }
        return fs::path(kOutlineFile);
    }
    const json* input = nullptr;
    if (manifest.contains("inputs")) {
        for (const auto& i : manifest["inputs"]) {
            if (i.value("role", "") == "aoi") input = &i;
        }
    }
    if (input == nullptr) {
        spdlog::warn("{}: the manifest names no AOI input; the project and report have no outline",
                     (dir / "manifest.json").string());
        return std::nullopt;
    }
    const fs::path source = input->value("path", "");
    if (!fs::is_regular_file(source, ec)) {
        spdlog::warn("AOI input {} not found from {} (paths in the manifest are relative to where `run` "
                     "was started); the project and report have no outline",
                     source.string(), fs::current_path().string());
        return std::nullopt;
    }
    if (sha256_file_hex(source) != input->value("sha256", "")) {
        spdlog::warn("AOI input {} has changed since the run (sha256 differs from the manifest); its outline "
                     "is drawn as it is now", source.string());
    }
    geo::DatasetPtr src = geo::open_vector(source, "aoi");
    const fs::path temp = dir / (".aoi.tmp-" + std::to_string(getpid()) + ".geojson");
    // RFC 7946: WGS 84 lon/lat, counter-clockwise outer rings, at most 7 decimals (~1 cm).
    const char* args[] = {"-f", "GeoJSON", "-lco", "RFC7946=YES", "-lco", "COORDINATE_PRECISION=7",
                          "-nln", "aoi", nullptr};
    GDALVectorTranslateOptions* options = GDALVectorTranslateOptionsNew(const_cast<char**>(args), nullptr);
    GDALDatasetH src_handle = GDALDataset::ToHandle(src.get());
    geo::GdalErrorCapture cap;
    int usage_error = 0;
    GDALDatasetH out = GDALVectorTranslate(temp.c_str(), nullptr, 1, &src_handle, options, &usage_error);
    GDALVectorTranslateOptionsFree(options);
    if (out != nullptr) GDALClose(out);  // GDAL 3.6's GDALClose reports failures only via CPLError
    const bool ok = out != nullptr && cap.last_error().empty();
    if (!ok) {
        fs::remove(temp, ec);
        throw GdalError(geo::write_failure(target, cap));
    }
    write_outline_style(temp);
    fs::rename(style_path(temp), style_path(target), ec);
    if (!ec) fs::rename(temp, target, ec);
    if (ec) {
        std::error_code ignored;
        fs::remove(temp, ignored);
        fs::remove(style_path(temp), ignored);
        throw Error("cannot move the AOI outline into " + target.string() + ": " + ec.message());
    }
    return fs::path(kOutlineFile);
}

OutputCatalogue catalogue_outputs(const fs::path& dir, const json& manifest) {
    OutputCatalogue cat;
    if (!manifest.contains("grid") || !manifest["grid"].contains("epsg")) {
        throw InputError((dir / "manifest.json").string(), "grid.epsg", "missing: not the manifest of a `phusong run`");
    }
    cat.epsg = manifest["grid"]["epsg"].get<int>();
    std::set<std::string> taken;
    const auto exists = [&](const fs::path& rel) {
        std::error_code ec;
        return fs::is_regular_file(dir / rel, ec);
    };
    const auto take = [&](const fs::path& rel) { return taken.insert(generic(rel)).second; };

    std::error_code ec;
    if (exists(kOutlineFile)) {
        cat.outline = fs::path(kOutlineFile);
        take(kOutlineFile);
        CatalogueLayer l = make_layer(kOutlineFile, display_name("aoi"));
        l.visible = true;
        cat.root.layers.push_back(std::move(l));
    }

    // The radio layers in manifest order; the signal shown: the first operator's (alphabetical)
    // RSRP layer reaching the most pixels.
    const json layers = manifest.contains("layers") ? manifest["layers"] : json::array();
    std::optional<std::size_t> shown;
    {
        std::string first_operator;
        for (const auto& l : layers) {
            if (l.value("signal", "") != "RSRP") continue;
            const std::string op = l.value("operator", l.value("name", ""));
            if (first_operator.empty() || op < first_operator) first_operator = op;
        }
        std::int64_t best = -1;
        for (std::size_t i = 0; i < layers.size(); ++i) {
            const auto& l = layers[i];
            if (l.value("signal", "") != "RSRP" || l.value("operator", l.value("name", "")) != first_operator) continue;
            const std::int64_t px = l.value("pixels_with_signal", std::int64_t{0});
            if (px > best) {
                best = px;
                shown = i;
            }
        }
    }
    CatalogueGroup radio{"Coverage layers", {}, {}};
    for (std::size_t i = 0; i < layers.size(); ++i) {
        const auto& l = layers[i];
        const fs::path folder = l.value("folder", "");
        const std::string signal = l.value("signal", "signal");
        CatalogueGroup g{l.value("name", generic(folder)), {}, {}};
        std::vector<std::pair<int, CatalogueLayer>> ranked;
        for (const fs::path& rel : map_files_in(dir, folder)) {
            if (!take(rel)) continue;
            auto [rank, name] = raster_rank(rel.stem().string(), signal);
            CatalogueLayer layer = make_layer(rel, name);
            if (shown && *shown == i && rank == 0) cat.signal = rel;
            ranked.emplace_back(rank, std::move(layer));
        }
        std::stable_sort(ranked.begin(), ranked.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        for (auto& [rank, layer] : ranked) g.layers.push_back(std::move(layer));
        if (!g.layers.empty()) radio.groups.push_back(std::move(g));
    }

    // What a planner looks at first: the ranked candidates and the sites and cells over the
    // coverage class of every operator together (LTE, else the first technology there is).
    // Everything else is in the project, switched off.
    std::optional<fs::path> headline;
    for (const char* tech : {"lte", "nr", "umts", "gsm"}) {
        const fs::path rel = fs::path("analysis") / (std::string("best_of_operators_") + tech + "_class.tif");
        if (exists(rel)) {
            headline = rel;
            break;
        }
    }
    CatalogueGroup plan{"Plan", {}, {}};
    for (const fs::path& rel : map_files_in(dir, "plan")) {
        if (!take(rel)) continue;
        CatalogueLayer layer = make_layer(rel, display_name(rel.stem().string()));
        layer.visible = rel.stem() == "candidates";  // the candidate sites are the point of the plan
        plan.layers.push_back(std::move(layer));
    }
    CatalogueGroup network{"Network", {}, {}};
    if (const fs::path cells = fs::path("analysis") / "cells.geojson"; exists(cells) && take(cells)) {
        CatalogueLayer layer = make_layer(cells, display_name("cells"));
        layer.visible = true;
        network.layers.push_back(std::move(layer));
    }
    CatalogueGroup analysis{"Analysis", {}, {}};
    for (const fs::path& rel : map_files_in(dir, "analysis")) {
        if (!take(rel)) continue;
        CatalogueLayer layer = make_layer(rel, display_name(rel.stem().string()));
        layer.visible = headline && rel == *headline;
        analysis.layers.push_back(std::move(layer));
    }
    // The headline raster first in its group: drawn above the other class rasters.
    std::stable_partition(analysis.layers.begin(), analysis.layers.end(),
                          [](const CatalogueLayer& l) { return !l.raster || l.visible; });
    CatalogueGroup base{"Base", {}, {}};
    for (const char* name : {"dem.tif", "population.tif"}) {
        if (exists(name) && take(name)) {
            CatalogueLayer layer = make_layer(name, display_name(fs::path(name).stem().string()));
            // Without an analysis (an incomplete folder), the signal over the terrain instead.
            layer.visible = !headline && std::string(name) == "dem.tif";
            base.layers.push_back(std::move(layer));
        }
    }
    // Anything else the manifest lists as a map file (a stage's extra output).
    CatalogueGroup other{"Other outputs", {}, {}};
    if (manifest.contains("outputs")) {
        std::vector<fs::path> rest;
        for (const auto& o : manifest["outputs"]) {
            const fs::path rel = o.value("path", "");
            if (is_map_file(rel) && exists(rel) && take(rel)) rest.push_back(rel);
        }
        std::sort(rest.begin(), rest.end());
        for (const auto& rel : rest) other.layers.push_back(make_layer(rel, display_name(rel.stem().string())));
    }
    if (!headline) {
        for (auto& g : radio.groups) {
            for (auto& l : g.layers) l.visible = cat.signal && l.relative == *cat.signal;
        }
    }
    for (CatalogueGroup* g : {&plan, &network, &analysis, &other, &radio, &base}) {
        if (!g->layers.empty() || !g->groups.empty()) cat.root.groups.push_back(std::move(*g));
    }
    return cat;
}

// ---- project XML -----------------------------------------------------------------------------

namespace {

CPLXMLNode* element(CPLXMLNode* parent, const char* name, const std::string& text = {}) {
    return text.empty() ? CPLCreateXMLNode(parent, CXT_Element, name)
                        : CPLCreateXMLElementAndValue(parent, name, text.c_str());
}

void attribute(CPLXMLNode* node, const char* name, const std::string& value) {
    CPLAddXMLAttributeAndValue(node, name, value.c_str());
}

std::string number(double v) { return fmt::format("{:.17g}", v); }

struct LayerInfo {
    OGRSpatialReference srs;
    std::array<double, 4> extent{};  // xmin, ymin, xmax, ymax in the layer's CRS
    std::string geometry;            // vectors: Point, Line, Polygon
};

LayerInfo read_info(const fs::path& file, bool raster) {
    LayerInfo info;
    if (raster) {
        geo::DatasetPtr ds = geo::open_raster(file, "project layer");
        std::array<double, 6> gt{};
        ds->GetGeoTransform(gt.data());
        info.srs = *ds->GetSpatialRef();
        info.extent = {gt[0], gt[3] + gt[5] * ds->GetRasterYSize(), gt[0] + gt[1] * ds->GetRasterXSize(), gt[3]};
        return info;
    }
    geo::DatasetPtr ds = geo::open_vector(file, "project layer");
    OGRLayer* layer = ds->GetLayer(0);
    info.srs = layer->GetSpatialRef() != nullptr ? *layer->GetSpatialRef() : geo::srs_wgs84();
    OGREnvelope env;
    if (layer->GetExtent(&env, TRUE) == OGRERR_NONE) info.extent = {env.MinX, env.MinY, env.MaxX, env.MaxY};
    switch (wkbFlatten(layer->GetGeomType())) {
        case wkbPoint:
        case wkbMultiPoint: info.geometry = "Point"; break;
        case wkbLineString:
        case wkbMultiLineString: info.geometry = "Line"; break;
        case wkbPolygon:
        case wkbMultiPolygon: info.geometry = "Polygon"; break;
        default: info.geometry = "Unknown"; break;
    }
    return info;
}

/// <spatialrefsys> as QGIS 3 writes it; QGIS reads the WKT (and the authid as a cross-check).
void spatialrefsys(CPLXMLNode* parent, const OGRSpatialReference& srs) {
    CPLXMLNode* s = element(parent, "spatialrefsys");
    attribute(s, "nativeFormat", "Wkt");
    char* wkt = nullptr;
    const char* wkt_options[] = {"FORMAT=WKT2_2019", nullptr};
    srs.exportToWkt(&wkt, wkt_options);
    element(s, "wkt", wkt != nullptr ? wkt : "");
    CPLFree(wkt);
    char* proj4 = nullptr;
    srs.exportToProj4(&proj4);
    element(s, "proj4", proj4 != nullptr ? proj4 : "");
    CPLFree(proj4);
    const char* auth = srs.GetAuthorityName(nullptr);
    const char* code = srs.GetAuthorityCode(nullptr);
    if (auth != nullptr && code != nullptr) {
        element(s, "srid", code);
        element(s, "authid", std::string(auth) + ":" + code);
    }
    element(s, "description", srs.GetName() != nullptr ? srs.GetName() : "");
    element(s, "geographicflag", srs.IsGeographic() ? "true" : "false");
}

void extent(CPLXMLNode* parent, const char* name, const std::array<double, 4>& e) {
    CPLXMLNode* x = element(parent, name);
    element(x, "xmin", number(e[0]));
    element(x, "ymin", number(e[1]));
    element(x, "xmax", number(e[2]));
    element(x, "ymax", number(e[3]));
}

/// Copies the children of the .qml's <qgis> element (the renderer, pipe, labels…) into the map
/// layer element: what QGIS does when it loads a style onto a layer.
void embed_style(CPLXMLNode* maplayer, const fs::path& qml) {
    std::error_code ec;
    if (!fs::is_regular_file(qml, ec)) return;
    XmlPtr doc(CPLParseXMLString(read_text(qml).c_str()));
    const CPLXMLNode* root = doc ? top_element(doc.get(), "qgis") : nullptr;
    if (root == nullptr) throw InputError(qml.string(), "", "not a QGIS style: no <qgis> element");
    for (CPLXMLNode* child = root->psChild; child != nullptr; child = child->psNext) {
        if (child->eType != CXT_Element) continue;
        CPLXMLNode* next = child->psNext;
        child->psNext = nullptr;  // CPLCloneXMLTree copies the following siblings too
        CPLAddXMLChild(maplayer, CPLCloneXMLTree(child));
        child->psNext = next;
    }
}

void tree_layer(CPLXMLNode* parent, const CatalogueLayer& l) {
    CPLXMLNode* n = element(parent, "layer-tree-layer");
    attribute(n, "id", l.id);
    attribute(n, "name", l.name);
    attribute(n, "source", "./" + generic(l.relative));
    attribute(n, "providerKey", l.raster ? "gdal" : "ogr");
    attribute(n, "checked", l.visible ? "Qt::Checked" : "Qt::Unchecked");
    attribute(n, "expanded", "0");
    element(n, "customproperties");
}

bool any_visible(const CatalogueGroup& g) {
    return std::any_of(g.layers.begin(), g.layers.end(), [](const auto& l) { return l.visible; }) ||
           std::any_of(g.groups.begin(), g.groups.end(), [](const auto& s) { return any_visible(s); });
}

void tree_group(CPLXMLNode* parent, const CatalogueGroup& g, bool is_root) {
    CPLXMLNode* n = element(parent, "layer-tree-group");
    if (!is_root) {
        attribute(n, "name", g.name);
        attribute(n, "checked", any_visible(g) ? "Qt::Checked" : "Qt::Unchecked");
        attribute(n, "expanded", any_visible(g) ? "1" : "0");
    }
    element(n, "customproperties");
    for (const auto& l : g.layers) tree_layer(n, l);
    for (const auto& s : g.groups) tree_group(n, s, false);
}

void collect(const CatalogueGroup& g, std::vector<const CatalogueLayer*>& out) {
    for (const auto& l : g.layers) out.push_back(&l);
    for (const auto& s : g.groups) collect(s, out);
}

}  // namespace

std::string project_xml(const fs::path& dir, const OutputCatalogue& cat, const std::string& title) {
    std::vector<const CatalogueLayer*> layers;
    collect(cat.root, layers);

    XmlPtr doc(CPLCreateXMLNode(nullptr, CXT_Element, "qgis"));
    CPLXMLNode* root = doc.get();
    attribute(root, "projectname", title);
    attribute(root, "version", "3.22.0-Białowieża");
    element(root, "homePath");
    attribute(CPLGetXMLNode(root, "homePath"), "path", "");
    element(root, "title", title);
    const OGRSpatialReference grid_srs = geo::srs_from_epsg(cat.epsg);
    spatialrefsys(element(root, "projectCrs"), grid_srs);

    tree_group(root, cat.root, true);

    // Canvas: the extent of the grid (the first raster's extent; all share the grid).
    std::array<double, 4> canvas{};
    bool have_canvas = false;
    std::map<std::string, LayerInfo> infos;
    for (const CatalogueLayer* l : layers) {
        LayerInfo info = read_info(dir / l->relative, l->raster);
        if (l->raster && !have_canvas) {
            canvas = info.extent;
            have_canvas = true;
        }
        infos.emplace(l->id, std::move(info));
    }
    CPLXMLNode* mc = element(root, "mapcanvas");
    attribute(mc, "name", "theMapCanvas");
    attribute(mc, "annotationsVisible", "1");
    element(mc, "units", "meters");
    if (have_canvas) extent(mc, "extent", canvas);
    element(mc, "rotation", "0");
    spatialrefsys(element(mc, "destinationsrs"), grid_srs);
    element(mc, "rendermaptile", "0");

    CPLXMLNode* order = element(root, "layerorder");
    for (const CatalogueLayer* l : layers) attribute(element(order, "layer"), "id", l->id);

    CPLXMLNode* project_layers = element(root, "projectlayers");
    for (const CatalogueLayer* l : layers) {
        const LayerInfo& info = infos.at(l->id);
        CPLXMLNode* m = element(project_layers, "maplayer");
        attribute(m, "type", l->raster ? "raster" : "vector");
        if (!l->raster) attribute(m, "geometry", info.geometry);
        attribute(m, "autoRefreshEnabled", "0");
        attribute(m, "refreshOnNotifyEnabled", "0");
        attribute(m, "hasScaleBasedVisibilityFlag", "0");
        extent(m, "extent", info.extent);
        element(m, "id", l->id);
        element(m, "datasource", "./" + generic(l->relative));
        element(m, "layername", l->name);
        spatialrefsys(element(m, "srs"), info.srs);
        CPLXMLNode* provider = element(m, "provider", l->raster ? "gdal" : "ogr");
        if (!l->raster) attribute(provider, "encoding", "UTF-8");
        embed_style(m, style_path(dir / l->relative));
    }

    CPLXMLNode* props = element(root, "properties");
    // QGIS 3.22 reads <projectCrs> only when this is set.
    attribute(element(element(props, "SpatialRefSys"), "ProjectionsEnabled", "1"), "type", "int");
    CPLXMLNode* paths = element(element(props, "Paths"), "Absolute", "false");
    attribute(paths, "type", "bool");

    char* text = CPLSerializeXMLTree(doc.get());
    std::string out = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n";
    out += text != nullptr ? text : "";
    CPLFree(text);
    return out;
}

fs::path write_project(const fs::path& dir, const OutputCatalogue& catalogue, const std::string& title) {
    const fs::path path = dir / "coverage.qgs";
    write_file_atomically(path, project_xml(dir, catalogue, title));
    return path;
}

}  // namespace phusong::io
