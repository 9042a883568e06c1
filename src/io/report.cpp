#include "phusong/io/report.hpp"

#include <cpl_string.h>
#include <fmt/format.h>
#include <ogrsf_frmts.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>

#include "phusong/core/error.hpp"
#include "phusong/core/text.hpp"
#include "phusong/geo/gdal.hpp"
#include "phusong/io/map_render.hpp"
#include "phusong/io/qgis_style.hpp"

namespace phusong::io {
namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace {

constexpr int kMapLongSidePx = 900;
constexpr std::size_t kMaxTableRows = 200;  ///< longer tables show their first rows and the count

std::string read_bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error("cannot read " + path.string());
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

bool is_file(const fs::path& p) {
    std::error_code ec;
    return fs::is_regular_file(p, ec);
}

/// "1234567" → "1,234,567" (the digits of an integer string; sign kept).
std::string group_digits(const std::string& digits) {
    const std::size_t start = !digits.empty() && (digits[0] == '-' || digits[0] == '+') ? 1 : 0;
    std::string out = digits.substr(0, start);
    const std::size_t n = digits.size() - start;
    for (std::size_t i = 0; i < n; ++i) {
        if (i > 0 && (n - i) % 3 == 0) out += ',';
        out += digits[start + i];
    }
    return out;
}

/// A number as people read it: integers with thousands separators, decimals to a sensible precision.
std::string format_number(double v) {
    if (!std::isfinite(v)) return std::isnan(v) ? "–" : (v > 0 ? "∞" : "−∞");
    if (std::abs(v) < 1e15 && v == std::round(v)) return group_digits(fmt::format("{:.0f}", v));
    if (std::abs(v) >= 100) {
        const std::string s = fmt::format("{:.1f}", v);
        const auto dot = s.find('.');
        return group_digits(s.substr(0, dot)) + s.substr(dot);
    }
    std::string s = fmt::format("{:.4g}", v);
    return s;
}

/// A CSV cell: numbers get thousands separators (not ids or codes), text stays as written.
std::string format_cell(const std::string& value, const std::string& column) {
    static const std::regex integer(R"(-?\d+)");
    static const std::regex decimal(R"((-?\d+)(\.\d+))");
    std::string lower = column;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    const bool identifier = lower == "id" || lower == "index" || lower == "year" || lower == "rank" ||
                            lower.ends_with("_id") || lower.ends_with("code") || lower.ends_with("_index");
    if (identifier) return xml_escape(value);
    std::smatch m;
    if (std::regex_match(value, integer)) return group_digits(value);
    if (std::regex_match(value, m, decimal)) return group_digits(m[1].str()) + m[2].str();
    return xml_escape(value);
}

bool numeric(const std::string& v) {
    static const std::regex number(R"(-?\d+(\.\d+)?([eE][-+]?\d+)?)");
    return std::regex_match(v, number);
}

struct Table {
    std::vector<std::string> columns;
    std::vector<std::vector<std::string>> rows;
    std::size_t total_rows = 0;
};

/// Attribute table of a CSV or vector file's first layer, all values as text (OGR reads the CSV:
/// RFC 4180 quoting, UTF-8).
Table read_table(const fs::path& file, std::size_t max_rows) {
    geo::DatasetPtr ds = geo::open_vector(file, "report table");
    OGRLayer* layer = ds->GetLayer(0);
    Table t;
    OGRFeatureDefn* defn = layer->GetLayerDefn();
    for (int i = 0; i < defn->GetFieldCount(); ++i) t.columns.emplace_back(defn->GetFieldDefn(i)->GetNameRef());
    layer->ResetReading();
    for (auto& feature : *layer) {
        ++t.total_rows;
        if (t.rows.size() >= max_rows) continue;
        std::vector<std::string> row;
        for (int i = 0; i < defn->GetFieldCount(); ++i) {
            row.emplace_back(feature->IsFieldSetAndNotNull(i) ? feature->GetFieldAsString(i) : "");
        }
        t.rows.push_back(std::move(row));
    }
    return t;
}

std::string html_table(const Table& t, const std::string& id) {
    std::string h = "<table" + (id.empty() ? std::string() : " id=\"" + xml_escape(id) + "\"") + ">\n<thead><tr>";
    for (const auto& c : t.columns) h += "<th>" + xml_escape(c) + "</th>";
    h += "</tr></thead>\n<tbody>\n";
    for (const auto& row : t.rows) {
        h += "<tr>";
        for (std::size_t i = 0; i < row.size(); ++i) {
            const std::string& col = i < t.columns.size() ? t.columns[i] : std::string();
            h += numeric(row[i]) ? "<td class=\"n\">" : "<td>";
            h += format_cell(row[i], col) + "</td>";
        }
        h += "</tr>\n";
    }
    h += "</tbody></table>\n";
    if (t.total_rows > t.rows.size()) {
        h += fmt::format("<p class=\"note\">First {} of {} rows; the file has them all.</p>\n",
                         format_number(static_cast<double>(t.rows.size())),
                         format_number(static_cast<double>(t.total_rows)));
    }
    return h;
}

std::string json_scalar(const json& v) {
    if (v.is_number()) return format_number(v.get<double>());
    if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
    if (v.is_string()) return xml_escape(v.get<std::string>());
    if (v.is_null()) return "–";
    return xml_escape(v.dump());
}

/// Rows "key path → value" for the scalars of a JSON section; arrays of objects become tables.
void flatten(const json& v, const std::string& prefix, std::vector<std::pair<std::string, std::string>>& rows,
             std::string& tables) {
    if (v.is_object()) {
        for (const auto& [k, x] : v.items()) flatten(x, prefix.empty() ? k : prefix + " · " + k, rows, tables);
    } else if (v.is_array() && !v.empty() && v.front().is_object()) {
        Table t;
        for (const auto& item : v) {
            for (const auto& [k, x] : item.items()) {
                if (std::find(t.columns.begin(), t.columns.end(), k) == t.columns.end()) t.columns.push_back(k);
            }
        }
        std::string h = "<h4>" + xml_escape(prefix) + "</h4>\n<table>\n<thead><tr>";
        for (const auto& c : t.columns) h += "<th>" + xml_escape(c) + "</th>";
        h += "</tr></thead>\n<tbody>\n";
        for (const auto& item : v) {
            h += "<tr>";
            for (const auto& c : t.columns) {
                const bool has = item.contains(c);
                h += has && item[c].is_number() ? "<td class=\"n\">" : "<td>";
                h += (has ? json_scalar(item[c]) : std::string()) + "</td>";
            }
            h += "</tr>\n";
        }
        tables += h + "</tbody></table>\n";
    } else if (v.is_array()) {
        std::string joined;
        for (const auto& x : v) joined += (joined.empty() ? "" : ", ") + json_scalar(x);
        rows.emplace_back(prefix, joined);
    } else {
        // Codes and ids keep their digits (EPSG:32648, not 32,648).
        const std::string key = prefix.substr(prefix.rfind(' ') == std::string::npos ? 0 : prefix.rfind(' ') + 1);
        const bool identifier = key == "epsg" || key == "id" || key.ends_with("_id") || key.ends_with("code");
        rows.emplace_back(prefix, identifier && v.is_number_integer() ? std::to_string(v.get<std::int64_t>())
                                                                       : json_scalar(v));
    }
}

std::string key_value_table(const json& section, const std::string& id) {
    std::vector<std::pair<std::string, std::string>> rows;
    std::string tables;
    flatten(section, "", rows, tables);
    std::string h;
    if (!rows.empty()) {
        h += "<table class=\"kv\"" + (id.empty() ? std::string() : " id=\"" + id + "\"") + ">\n<tbody>\n";
        for (const auto& [k, v] : rows) {
            std::string lower = k;
            std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
            const bool headline = lower.find("ratio") != std::string::npos || lower.find("optimal") != std::string::npos;
            h += std::string(headline ? "<tr class=\"headline\">" : "<tr>") + "<th>" + xml_escape(k) + "</th><td class=\"n\">" +
                 v + "</td></tr>\n";
        }
        h += "</tbody></table>\n";
    }
    return h + tables;
}

std::string base64(const std::string& bytes) {
    char* b64 = CPLBase64Encode(static_cast<int>(bytes.size()), reinterpret_cast<const GByte*>(bytes.data()));
    std::string out = b64 != nullptr ? b64 : "";
    CPLFree(b64);
    return out;
}

std::string img(const std::string& png, const std::string& alt) {
    return "<img alt=\"" + xml_escape(alt) + "\" src=\"data:image/png;base64," + base64(png) + "\">";
}

std::string css_colour(const Rgba& c) { return fmt::format("#{:02x}{:02x}{:02x}", c[0], c[1], c[2]); }

std::string legend(const RasterColours& colours, std::size_t max_items = 12) {
    std::string h = "<ul class=\"legend\">";
    // Highest values first, as planners read signal bands.
    std::vector<ColourStop> stops(colours.stops.rbegin(), colours.stops.rend());
    if (stops.size() > max_items) stops.resize(max_items);
    for (const auto& s : stops) {
        h += "<li><span class=\"sw\" style=\"background:" + css_colour(s.rgba) + "\"></span>" +
             xml_escape(s.label.empty() ? format_number(s.value) : s.label) + "</li>";
    }
    return h + "</ul>";
}

struct Paths {
    fs::path dir;
    std::optional<fs::path> outline;
    fs::path file(const fs::path& rel) const { return dir / rel; }
};

void draw_outlines(MapCanvas& canvas, const Paths& p) {
    if (is_file(p.file("analysis/admin_units.geojson"))) {
        canvas.draw_polygons(p.file("analysis/admin_units.geojson"), std::nullopt, {90, 90, 90, 255}, 1);
    }
    if (p.outline) canvas.draw_polygons(p.file(*p.outline), std::nullopt, {20, 20, 20, 255}, 2);
}

std::string figure(const std::vector<std::uint8_t>& png, const std::string& title, const std::string& caption,
                   const std::string& legend_html) {
    return "<figure>\n<figcaption><b>" + xml_escape(title) + "</b> " + caption + "</figcaption>\n" + img(std::string(png.begin(), png.end()), title) +
           "\n" + legend_html + "\n</figure>\n";
}

/// The "file" row of a markdown table in a README.md beside an input (or one folder up): the
/// credits of that input, as gis_data/README.md lists them.
std::vector<std::pair<std::string, std::string>> credits_for(const fs::path& input) {
    const auto cells = [](const std::string& line) {
        std::vector<std::string> out;
        std::string cell;
        for (std::size_t i = 1; i < line.size(); ++i) {
            if (line[i] == '|') {
                std::string c;
                for (char ch : cell) {
                    if (ch != '`' && ch != '*') c += ch;
                }
                const auto b = c.find_first_not_of(' ');
                const auto e = c.find_last_not_of(' ');
                out.push_back(b == std::string::npos ? std::string() : c.substr(b, e - b + 1));
                cell.clear();
            } else {
                cell += line[i];
            }
        }
        return out;
    };
    for (const fs::path& readme : {input.parent_path() / "README.md", input.parent_path().parent_path() / "README.md"}) {
        if (!is_file(readme)) continue;
        std::istringstream in(read_bytes(readme));
        std::string line;
        std::vector<std::string> header;
        const std::string needle = "`" + input.filename().string() + "`";
        while (std::getline(in, line)) {
            if (line.empty() || line[0] != '|') {
                header.clear();
                continue;
            }
            if (header.empty()) {
                header = cells(line);
                continue;
            }
            const auto row = cells(line);
            if (line.find(needle) == std::string::npos) continue;
            std::vector<std::pair<std::string, std::string>> out;
            for (std::size_t i = 1; i < row.size() && i < header.size(); ++i) out.emplace_back(header[i], row[i]);
            return out;
        }
    }
    return {};
}

std::string section_not_run(const std::string& what) {
    return "<p class=\"notrun\">" + xml_escape(what) + ": not run.</p>\n";
}

const char* kStyle = R"(
body{font-family:"DejaVu Sans","Noto Sans",Arial,sans-serif;margin:0 auto;max-width:1100px;padding:0 1.2em 3em;color:#222;line-height:1.4}
h1{font-size:1.6em;margin:.8em 0 .2em}h2{border-bottom:2px solid #1a9641;padding-bottom:.2em;margin-top:1.6em}
.meta{color:#555;font-size:.9em}nav a{margin-right:1em}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em}th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}
thead th{background:#eef3ee}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table.kv th{background:#f6f6f6;font-weight:normal}tr.headline th,tr.headline td{font-weight:bold;background:#fff6d5}
figure{margin:1em 0;display:inline-block;vertical-align:top}figure img{max-width:100%;border:1px solid #bbb}
ul.legend{list-style:none;padding:0;margin:.3em 0;font-size:.85em;columns:2}ul.legend li{margin:.1em 0}
.sw{display:inline-block;width:1.1em;height:.9em;border:1px solid #777;margin-right:.4em;vertical-align:middle}
.notrun{color:#8a6d00;background:#fff8e1;padding:.4em .7em;border-left:4px solid #e0b000}
.note{color:#666;font-size:.85em}code{font-size:.9em;word-break:break-all}
)";

}  // namespace

std::string scenario_title(const json& manifest) {
    if (manifest.contains("scenario")) {
        const auto& s = manifest["scenario"];
        if (s.contains("name") && s["name"].is_string() && !s["name"].get<std::string>().empty()) {
            return s["name"].get<std::string>();
        }
        if (s.contains("file") && s["file"].is_string()) return fs::path(s["file"].get<std::string>()).stem().string();
    }
    return "phusong run";
}

std::string report_html(const fs::path& dir, const json& manifest, const OutputCatalogue& cat) {
    const Paths p{dir, cat.outline};
    const std::string title = scenario_title(manifest);
    const auto section = [&](const char* key) -> const json* {
        return manifest.contains(key) ? &manifest[key] : nullptr;
    };
    const json* analysis = section("analysis");
    const json* plan = section("plan");
    const bool analysis_ran = analysis != nullptr || is_file(p.file("analysis/coverage_summary.csv"));
    const bool plan_ran = plan != nullptr || is_file(p.file("plan/candidates.geojson"));

    std::string h = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                    "<title>Coverage report: " + xml_escape(title) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n";
    const std::string version = manifest.contains("engine") ? manifest["engine"].value("version", "") : "";
    const std::string config = manifest.contains("scenario") ? manifest["scenario"].value("config_sha256", "") : "";
    h += "<h1>Coverage report: " + xml_escape(title) + "</h1>\n";
    h += "<p class=\"meta\">phusong " + xml_escape(version) + " · scenario file " +
         xml_escape(manifest.contains("scenario") ? manifest["scenario"].value("file", "") : "") +
         " · config sha256 <code>" + xml_escape(config) + "</code></p>\n";
    h += "<nav><a href=\"#kpis\">Key figures</a><a href=\"#maps\">Maps</a><a href=\"#admin\">Admin units</a>"
         "<a href=\"#plan\">5G plan</a><a href=\"#layers\">Network layers</a><a href=\"#parameters\">Parameters</a>"
         "<a href=\"#sources\">Data sources</a></nav>\n";

    // ---- key figures
    h += "<section id=\"kpis\">\n<h2>Key figures</h2>\n<table id=\"kpi\" class=\"kv\">\n<tbody>\n";
    const auto kpi = [&](const std::string& name, const std::string& value) {
        h += "<tr><th>" + xml_escape(name) + "</th><td class=\"n\">" + value + "</td></tr>\n";
    };
    if (manifest.contains("population")) {
        const auto& pop = manifest["population"];
        if (pop.contains("aoi_area_km2")) kpi("Area of interest (km²)", format_number(std::round(pop["aoi_area_km2"].get<double>() * 10) / 10));
        if (pop.contains("people_in_aoi")) kpi("People in the area (population raster)", format_number(pop["people_in_aoi"].get<double>()));
    }
    if (manifest.contains("counts")) {
        const auto& c = manifest["counts"];
        for (const auto& [key, label] : std::vector<std::pair<std::string, std::string>>{
                 {"sites", "Sites"}, {"cells", "Cells"}, {"layers", "Network layers (operator × technology × band)"},
                 {"operators", "Operators"}, {"sites_outside_aoi", "Sites outside the area (serving it from outside)"}}) {
            if (c.contains(key)) kpi(label, json_scalar(c[key]));
        }
    }
    if (manifest.contains("grid")) {
        const auto& g = manifest["grid"];
        kpi("Analysis grid", fmt::format("EPSG:{}, {} × {} pixels of {} m", g.value("epsg", 0),
                                         format_number(g.value("cols", 0)), format_number(g.value("rows", 0)),
                                         format_number(g.value("resolution_m", 0.0))));
    }
    h += "</tbody></table>\n";
    h += "<h3>Population covered per operator and technology</h3>\n";
    if (is_file(p.file("analysis/coverage_summary.csv"))) {
        h += html_table(read_table(p.file("analysis/coverage_summary.csv"), kMaxTableRows), "kpi-coverage");
    } else {
        h += section_not_run("Coverage analysis");
    }
    h += "<h3>5G plan summary</h3>\n";
    if (plan != nullptr) {
        h += key_value_table(*plan, "kpi-plan");
    } else if (plan_ran) {
        h += "<p>The plan's outputs are in <code>plan/</code>; the manifest has no plan summary.</p>\n";
    } else {
        h += section_not_run("5G planning");
    }
    h += "</section>\n";

    // ---- maps
    h += "<section id=\"maps\">\n<h2>Maps</h2>\n";
    const fs::path frame = is_file(p.file("dem.tif")) ? p.file("dem.tif")
                           : cat.signal                ? p.file(*cat.signal)
                                                       : fs::path();
    if (frame.empty()) {
        h += "<p>No raster to draw a map on.</p>\n";
    } else {
        const auto base = [&]() {
            MapCanvas c(frame, kMapLongSidePx);
            if (is_file(p.file("dem.tif"))) c.draw_hillshade(p.file("dem.tif"));
            return c;
        };
        if (cat.signal) {
            MapCanvas c = base();
            const RasterColours colours = read_raster_colours(style_path(p.file(*cat.signal)));
            c.draw_raster(p.file(*cat.signal), colours, 0.8, false);
            draw_outlines(c, p);
            std::string layer_name = cat.signal->parent_path().filename().string();
            for (const auto& l : manifest.value("layers", json::array())) {
                if (fs::path(l.value("folder", "")) == cat.signal->parent_path()) layer_name = l.value("name", layer_name);
            }
            h += figure(c.png(), "Best-server signal: " + layer_name,
                        "(<code>" + xml_escape(cat.signal->generic_string()) + "</code>, in the bands of its QGIS style)",
                        legend(colours));
        }
        // Coverage classes of the best of all operators, one map per technology.
        for (const auto& l : cat.root.groups) {
            if (l.name != "Analysis") continue;
            for (const auto& layer : l.layers) {
                if (!layer.raster || !is_file(style_path(p.file(layer.relative)))) continue;
                MapCanvas c = base();
                const RasterColours colours = read_raster_colours(style_path(p.file(layer.relative)));
                c.draw_raster(p.file(layer.relative), colours, 0.8, true);
                draw_outlines(c, p);
                h += figure(c.png(), layer.name, "(<code>" + xml_escape(layer.relative.generic_string()) + "</code>)",
                            legend(colours));
            }
        }
        if (is_file(p.file("analysis/gaps.geojson"))) {
            MapCanvas c = base();
            std::string legend_html;
            if (is_file(p.file("population.tif")) && is_file(style_path(p.file("population.tif")))) {
                const RasterColours colours = read_raster_colours(style_path(p.file("population.tif")));
                c.draw_raster(p.file("population.tif"), colours, 0.7, false);
                legend_html = legend(colours);
            }
            c.draw_polygons(p.file("analysis/gaps.geojson"), Rgba{200, 0, 90, 150}, Rgba{120, 0, 50, 255}, 1);
            draw_outlines(c, p);
            h += figure(c.png(), "Coverage gaps",
                        "(<code>analysis/gaps.geojson</code>, magenta, over people per pixel)", legend_html);
        } else {
            h += section_not_run("Coverage gaps (analysis)");
        }
        if (is_file(p.file("plan/candidates.geojson"))) {
            MapCanvas c = base();
            if (is_file(p.file("analysis/gaps.geojson"))) {
                c.draw_polygons(p.file("analysis/gaps.geojson"), Rgba{200, 0, 90, 90}, Rgba{120, 0, 50, 255}, 1);
            }
            draw_outlines(c, p);
            c.draw_points(p.file("plan/candidates.geojson"), Rgba{40, 90, 220, 255}, 4);
            h += figure(c.png(), "5G candidate sites",
                        "(<code>plan/candidates.geojson</code>, blue, over the coverage gaps)", "");
        } else {
            h += section_not_run("5G candidate sites (plan)");
        }
    }
    h += "</section>\n";

    // ---- admin units
    h += "<section id=\"admin\">\n<h2>Admin units</h2>\n";
    if (is_file(p.file("analysis/admin_units.csv"))) {
        h += html_table(read_table(p.file("analysis/admin_units.csv"), kMaxTableRows), "admin-units");
    } else {
        h += section_not_run(analysis_ran ? "Admin-unit table (no admin input)" : "Coverage analysis");
    }
    h += "</section>\n";

    // ---- plan
    h += "<section id=\"plan\">\n<h2>5G plan</h2>\n";
    if (!plan_ran) h += section_not_run("5G planning");
    if (is_file(p.file("plan/coverage_curve.png"))) {
        const std::string png = read_bytes(p.file("plan/coverage_curve.png"));
        if (png.rfind("\x89PNG\r\n\x1a\n", 0) == 0) {
            h += "<figure><figcaption><b>Coverage curve</b> (<code>plan/coverage_curve.png</code>)</figcaption>" +
                 img(png, "coverage curve") + "</figure>\n";
        }
    }
    if (is_file(p.file("plan/candidates.geojson"))) {
        h += "<h3>Candidates</h3>\n" + html_table(read_table(p.file("plan/candidates.geojson"), 50), "candidates");
    }
    h += "</section>\n";

    // ---- other tables of the stages
    std::vector<fs::path> csvs;
    for (const char* sub : {"analysis", "plan"}) {
        std::error_code ec;
        if (!fs::is_directory(p.file(sub), ec)) continue;
        for (const auto& e : fs::directory_iterator(p.file(sub), ec)) {
            const fs::path rel = fs::path(sub) / e.path().filename();
            if (e.path().extension() == ".csv" && rel != "analysis/coverage_summary.csv" &&
                rel != "analysis/admin_units.csv") {
                csvs.push_back(rel);
            }
        }
    }
    std::sort(csvs.begin(), csvs.end());
    if (!csvs.empty()) {
        h += "<section id=\"tables\">\n<h2>Other tables</h2>\n";
        for (const auto& rel : csvs) {
            h += "<details><summary><code>" + xml_escape(rel.generic_string()) + "</code></summary>\n" +
                 html_table(read_table(p.file(rel), kMaxTableRows), "") + "</details>\n";
        }
        h += "</section>\n";
    }

    // ---- network layers
    h += "<section id=\"layers\">\n<h2>Network layers</h2>\n";
    if (manifest.contains("layers") && manifest["layers"].is_array() && !manifest["layers"].empty()) {
        const double px_km2 = manifest.contains("grid")
                                  ? std::pow(manifest["grid"].value("resolution_m", 0.0), 2) / 1e6
                                  : 0.0;
        h += "<table id=\"network-layers\">\n<thead><tr><th>layer</th><th>operator</th><th>technology</th>"
             "<th>band</th><th>signal</th><th>model</th><th>floor (dBm)</th><th>area with signal (km²)</th>"
             "<th>folder</th></tr></thead>\n<tbody>\n";
        for (const auto& l : manifest["layers"]) {
            h += "<tr><td>" + xml_escape(l.value("name", "")) + "</td><td>" + xml_escape(l.value("operator", "")) + "</td><td>" +
                 xml_escape(l.value("technology", "")) + "</td><td>" + xml_escape(l.value("band", "")) + "</td><td>" +
                 xml_escape(l.value("signal", "")) + "</td><td>" + xml_escape(l.value("model", "")) + "</td><td class=\"n\">" +
                 format_number(l.value("floor_dbm", 0.0)) + "</td><td class=\"n\">" +
                 format_number(std::round(l.value("pixels_with_signal", 0.0) * px_km2 * 10) / 10) +
                 "</td><td><code>" + xml_escape(l.value("folder", "")) + "</code></td></tr>\n";
        }
        h += "</tbody></table>\n";
    } else {
        h += section_not_run("Prediction");
    }
    h += "<p>Open <code>coverage.qgs</code> in QGIS for every layer, styled.</p>\n</section>\n";

    // ---- parameters
    h += "<section id=\"parameters\">\n<h2>Run parameters</h2>\n";
    // What the results depend on; not the thread count or timings (manifest.json has them), so
    // that the report, like every other output, is the same bytes whatever the threads.
    json params = json::object();
    for (const char* key : {"engine", "scenario", "grid", "counts", "population", "prediction"}) {
        if (manifest.contains(key)) params[key] = manifest[key];
    }
    const auto drop_timings = [](json& j) {
        if (j.is_object()) j.erase("wall_s");
    };
    if (params.contains("prediction")) drop_timings(params["prediction"]);
    h += key_value_table(params, "parameters-table");
    if (analysis != nullptr) {
        json a = *analysis;
        drop_timings(a);
        h += "<h3>Analysis</h3>\n" + key_value_table(a, "");
    }
    h += "</section>\n";

    // ---- data sources
    h += "<section id=\"sources\">\n<h2>Data sources</h2>\n<table id=\"inputs\">\n<thead><tr><th>role</th>"
         "<th>file</th><th>sha256</th><th>credits</th></tr></thead>\n<tbody>\n";
    for (const auto& i : manifest.value("inputs", json::array())) {
        const fs::path path = i.value("path", "");
        std::string credits;
        for (const auto& [k, v] : credits_for(path)) credits += "<b>" + xml_escape(k) + ":</b> " + xml_escape(v) + "<br>";
        h += "<tr><td>" + xml_escape(i.value("role", "")) + "</td><td><code>" + xml_escape(path.generic_string()) +
             "</code></td><td><code>" + xml_escape(i.value("sha256", "")) + "</code></td><td>" + credits + "</td></tr>\n";
    }
    h += "</tbody></table>\n</section>\n</body>\n</html>\n";
    return h;
}

fs::path write_report(const fs::path& dir, const json& manifest, const OutputCatalogue& catalogue) {
    const fs::path path = dir / "report.html";
    write_file_atomically(path, report_html(dir, manifest, catalogue));
    return path;
}

json read_manifest(const fs::path& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        throw InputError(dir.string(), "", "not a folder: expected the output folder of `phusong run`");
    }
    const fs::path path = dir / "manifest.json";
    if (!fs::is_regular_file(path, ec)) {
        throw InputError(path.string(), "", "missing: expected the output folder of `phusong run`");
    }
    try {
        json m = json::parse(read_bytes(path));
        if (!m.is_object() || !m.contains("grid")) {
            throw InputError(path.string(), "grid", "missing: not the manifest of a completed `phusong run`");
        }
        return m;
    } catch (const json::parse_error& e) {
        throw InputError(path.string(), "", std::string("not valid JSON: ") + e.what());
    }
}

std::vector<PresentationFile> write_presentation(const fs::path& dir, const json& manifest) {
    geo::gdal_init();
    std::vector<PresentationFile> files;
    const bool had_outline = is_file(dir / kOutlineFile);
    if (const auto outline = write_outline(dir, manifest); outline && !had_outline) {
        files.push_back({kOutlineFile, "area of interest outline, RFC 7946 GeoJSON (WGS 84), with its QGIS style"});
        files.push_back({style_path(kOutlineFile).generic_string(), "QGIS style of the area of interest outline"});
    }
    const OutputCatalogue cat = catalogue_outputs(dir, manifest);
    write_project(dir, cat, scenario_title(manifest));
    files.push_back({"coverage.qgs", "QGIS project: every layer in groups, styled, relative paths"});
    write_report(dir, manifest, cat);
    files.push_back({"report.html", "self-contained HTML report: key figures, maps, tables, parameters, sources"});
    return files;
}

std::vector<PresentationFile> write_presentation(const fs::path& dir) {
    return write_presentation(dir, read_manifest(dir));
}

}  // namespace phusong::io
