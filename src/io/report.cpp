// The HTML report (report.html, report.vi.html): an executive page, maps of one view each, an
// appendix of detail tables; every text in English and Vietnamese side by side (Text::operator()).

#include "phusong/io/report.hpp"

#include <cpl_conv.h>
#include <cpl_string.h>
#include <fmt/format.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "phusong/core/error.hpp"
#include "phusong/core/output_file.hpp"
#include "phusong/core/text.hpp"
#include "phusong/geo/gdal.hpp"
#include "phusong/io/map_render.hpp"
#include "phusong/io/qgis_style.hpp"

namespace phusong::io {
namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace {

constexpr int kMapLongSidePx = 900;
/// Ranked candidates drawn on the plan map when the manifest has no optimality budgets (otherwise
/// the largest budget); the rest are in plan/candidates.geojson and the QGIS project.
constexpr int kMapCandidates = 50;
constexpr std::size_t kGapRows = 20;        ///< largest gaps listed in the appendix
constexpr std::size_t kRankedRows = 50;     ///< ranked sites listed in the appendix

std::string read_bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error("cannot read " + path.filename().string());
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

bool is_file(const fs::path& p) {
    std::error_code ec;
    return fs::is_regular_file(p, ec);
}

/// Every text of the page in both languages, chosen once per report.
struct Text {
    ReportLanguage lang;
    [[nodiscard]] std::string operator()(std::string_view en, std::string_view vi) const {
        return std::string(lang == ReportLanguage::vi ? vi : en);
    }
    [[nodiscard]] std::string num(double v, int decimals = 0) const { return format_number(v, decimals, lang); }
    [[nodiscard]] std::string pct(double share, int decimals = 1) const { return format_share(share, decimals, lang); }
    /// "4G" for LTE: what a reader calls the technology.
    [[nodiscard]] static std::string generation(const std::string& tech) {
        if (tech == "GSM") return "2G";
        if (tech == "UMTS") return "3G";
        if (tech == "LTE") return "4G";
        if (tech == "NR") return "5G";
        return tech;
    }
    /// "4G (LTE)".
    [[nodiscard]] static std::string tech_name(const std::string& tech) {
        const std::string g = generation(tech);
        return g == tech ? tech : g + " (" + tech + ")";
    }
    [[nodiscard]] std::string all_operators() const { return (*this)("All operators", "Tất cả nhà mạng"); }
    [[nodiscard]] std::string cause(const std::string& code) const {
        if (code == "no_server") return (*this)("no server", "không có trạm phục vụ");
        if (code == "weak_signal") return (*this)("weak signal", "tín hiệu yếu");
        if (code == "low_sinr") return (*this)("interference (low SINR)", "nhiễu cao (SINR thấp)");
        if (code == "low_throughput") return (*this)("throughput below the threshold", "tốc độ dưới ngưỡng");
        return code;
    }
    /// A view's name in words ("LTE (all operators)" → "4G (LTE), all operators").
    [[nodiscard]] std::string view(const std::string& kind, const std::string& name, const std::string& op,
                                   const std::string& tech) const {
        if (kind == "all_operators") return tech_name(tech) + ", " + (*this)("all operators", "tất cả nhà mạng");
        if (kind == "operator") return op + " " + tech_name(tech);
        return name;
    }
};

const std::vector<std::string> kTechs = {"GSM", "UMTS", "LTE", "NR"};
const std::vector<std::string> kCauses = {"no_server", "weak_signal", "low_sinr", "low_throughput"};

// ---- tables read from the outputs ----------------------------------------------------------------

/// Attribute table of a CSV or vector file's first layer, all values as text (OGR reads the CSV:
/// RFC 4180 quoting, UTF-8).
struct Rows {
    std::vector<std::string> columns;
    std::vector<std::vector<std::string>> rows;
    [[nodiscard]] std::optional<std::size_t> column(const std::string& name) const {
        const auto it = std::find(columns.begin(), columns.end(), name);
        return it == columns.end() ? std::nullopt : std::optional<std::size_t>(it - columns.begin());
    }
    [[nodiscard]] std::string text(std::size_t row, const std::string& name) const {
        const auto c = column(name);
        return c && *c < rows[row].size() ? rows[row][*c] : std::string();
    }
    /// NaN when empty or missing.
    [[nodiscard]] double num(std::size_t row, const std::string& name) const {
        const std::string t = text(row, name);
        return t.empty() ? std::nan("") : CPLAtof(t.c_str());
    }
};

Rows read_rows(const fs::path& file, VectorCache& vectors) {
    OGRLayer* layer = &vectors.layer(file);
    Rows t;
    OGRFeatureDefn* defn = layer->GetLayerDefn();
    for (int i = 0; i < defn->GetFieldCount(); ++i) t.columns.emplace_back(defn->GetFieldDefn(i)->GetNameRef());
    layer->ResetReading();
    for (auto& feature : *layer) {
        std::vector<std::string> row;
        for (int i = 0; i < defn->GetFieldCount(); ++i) {
            row.emplace_back(feature->IsFieldSetAndNotNull(i) ? feature->GetFieldAsString(i) : "");
        }
        t.rows.push_back(std::move(row));
    }
    return t;
}

std::optional<Rows> read_rows_if(const fs::path& file, VectorCache& vectors) {
    if (!is_file(file)) return std::nullopt;
    return read_rows(file, vectors);
}

// ---- HTML pieces -------------------------------------------------------------------------------

/// A table whose cells are already HTML. Each cell carries its column's name (data-label), so that
/// on a narrow screen the CSS shows every row as a block of "name: value" lines.
struct HtmlTable {
    std::string id;
    std::vector<std::string> head;     ///< text
    std::vector<bool> numeric;         ///< right-aligned columns
    std::vector<std::vector<std::string>> rows;
    std::vector<bool> total_row;       ///< rows shown in bold (totals), by row
    std::string css_class;
    [[nodiscard]] std::string html() const {
        std::string h = "<table" + (id.empty() ? std::string() : " id=\"" + id + "\"") +
                        " class=\"data" + (css_class.empty() ? "" : " " + css_class) + "\">\n<thead><tr>";
        for (const auto& c : head) h += "<th scope=\"col\">" + xml_escape(c) + "</th>";
        h += "</tr></thead>\n<tbody>\n";
        for (std::size_t r = 0; r < rows.size(); ++r) {
            h += r < total_row.size() && total_row[r] ? "<tr class=\"total\">" : "<tr>";
            for (std::size_t i = 0; i < rows[r].size(); ++i) {
                const bool n = i < numeric.size() && numeric[i];
                h += std::string("<td") + (n ? " class=\"n\"" : "") + " data-label=\"" +
                     xml_escape(i < head.size() ? head[i] : "") + "\">" + rows[r][i] + "</td>";
            }
            h += "</tr>\n";
        }
        return h + "</tbody></table>\n";
    }
};

std::string base64(const std::vector<std::uint8_t>& bytes) {
    char* b64 = CPLBase64Encode(static_cast<int>(bytes.size()), bytes.data());
    std::string out = b64 != nullptr ? b64 : "";
    CPLFree(b64);
    return out;
}

std::string css_colour(const Rgba& c) { return fmt::format("#{:02x}{:02x}{:02x}", c[0], c[1], c[2]); }

std::string not_run(const std::string& what, const Text& t) {
    return "<p class=\"notrun\">" + xml_escape(what) + ": " + t("not run.", "chưa chạy.") + "</p>\n";
}

/// The "file" row of a markdown table in a README.md beside an input (or one folder up): the
/// credits and caveats of that input, as gis_data/README.md lists them.
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

/// An input's role in words.
std::string role_name(const std::string& role, const Text& t) {
    if (role == "dem") return t("Terrain", "Địa hình");
    if (role == "population") return t("Population", "Dân số");
    if (role == "aoi") return t("Area boundary", "Ranh giới khu vực");
    if (role == "admin") return t("Administrative units", "Đơn vị hành chính");
    if (role == "sites") return t("Base stations", "Trạm gốc");
    return role;
}

// ---- what the page is built from ---------------------------------------------------------------

/// One union view's figures (coverage_summary.csv).
struct ViewFigures {
    std::string kind;  ///< "all_operators", "operator", "layer"
    std::string name, op, tech;
    double people = 0, covered = 0, share = 0, area_share = 0, good = 0, covered_area_km2 = 0;
};

/// A view's gaps (gaps.geojson).
struct GapFigures {
    std::size_t count = 0;
    double people = 0, area_km2 = 0;
    std::map<std::string, double> people_by_cause;
    [[nodiscard]] std::string main_cause() const {
        std::string best;
        double most = -1;
        for (const auto& c : kCauses) {
            const auto it = people_by_cause.find(c);
            if (it != people_by_cause.end() && it->second > most) {
                most = it->second;
                best = c;
            }
        }
        return best;
    }
};

struct Inputs {
    fs::path dir;
    const json& manifest;
    const OutputCatalogue& cat;
    VectorCache& vectors;
    std::vector<ViewFigures> views;          ///< union and layer views, file order
    std::map<std::string, GapFigures> gaps;  ///< by view name
    std::optional<Rows> gap_rows;
    std::optional<Rows> admin_rows;          ///< admin_coverage.csv
    std::optional<Rows> curve;               ///< plan/coverage_curve.csv
    [[nodiscard]] fs::path file(const fs::path& rel) const { return dir / rel; }
    [[nodiscard]] const ViewFigures* view(const std::string& kind, const std::string& tech,
                                          const std::string& op = {}) const {
        for (const auto& v : views) {
            if (v.kind == kind && v.tech == tech && (op.empty() || v.op == op)) return &v;
        }
        return nullptr;
    }
    [[nodiscard]] std::vector<std::string> techs() const {
        std::vector<std::string> out;
        for (const auto& t : kTechs) {
            if (view("all_operators", t) != nullptr) out.push_back(t);
        }
        return out;
    }
    [[nodiscard]] std::vector<std::string> operators() const {
        std::vector<std::string> out;
        for (const auto& v : views) {
            if (v.kind == "operator" && std::find(out.begin(), out.end(), v.op) == out.end()) out.push_back(v.op);
        }
        return out;
    }
};

Inputs gather(const fs::path& dir, const json& manifest, const OutputCatalogue& cat, VectorCache& vectors) {
    Inputs in{dir, manifest, cat, vectors, {}, {}, {}, {}, {}};
    if (auto s = read_rows_if(in.file("analysis/coverage_summary.csv"), vectors)) {
        for (std::size_t r = 0; r < s->rows.size(); ++r) {
            ViewFigures v;
            v.kind = s->text(r, "view_kind");
            v.name = s->text(r, "view");
            v.op = s->text(r, "operator");
            v.tech = s->text(r, "technology");
            v.people = s->num(r, "population");
            v.covered = s->num(r, "covered_population");
            v.share = s->num(r, "covered_share");
            v.area_share = s->num(r, "covered_area_share");
            v.good = s->num(r, "good_population");
            v.covered_area_km2 = s->num(r, "covered_area_km2");
            if (!v.name.empty() && std::isfinite(v.share)) in.views.push_back(std::move(v));
        }
    }
    in.gap_rows = read_rows_if(in.file("analysis/gaps.geojson"), vectors);
    if (in.gap_rows) {
        const Rows& g = *in.gap_rows;
        for (std::size_t r = 0; r < g.rows.size(); ++r) {
            GapFigures& f = in.gaps[g.text(r, "layer")];
            f.count += 1;
            const double people = g.num(r, "population");
            f.people += std::isfinite(people) ? people : 0.0;
            const double area = g.num(r, "area_km2");
            f.area_km2 += std::isfinite(area) ? area : 0.0;
            for (const auto& c : kCauses) {
                const double p = g.num(r, "population_" + c);
                if (std::isfinite(p)) f.people_by_cause[c] += p;
            }
        }
    }
    in.admin_rows = read_rows_if(in.file("analysis/admin_coverage.csv"), vectors);
    in.curve = read_rows_if(in.file("plan/coverage_curve.csv"), vectors);
    return in;
}

// ---- maps --------------------------------------------------------------------------------------

/// "1, 2, 5 × 10^k" metres not longer than `max_m`.
double nice_length_m(double max_m) {
    const double p = std::pow(10.0, std::floor(std::log10(max_m)));
    for (const double f : {5.0, 2.0, 1.0}) {
        if (f * p <= max_m) return f * p;
    }
    return p;
}

std::string svg_text(double x, double y, const std::string& text, const std::string& cls) {
    return fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"{}\">{}</text>", x, y, cls, xml_escape(text));
}

/// Scale bar (bottom left) and north arrow (top right) in the canvas's pixel coordinates; the
/// canvas is north-up in a projected CRS (metres), so one pixel is geotransform[1] metres.
std::string svg_furniture(const MapCanvas& c, const Text& t) {
    std::string s;
    OGRSpatialReference srs;
    if (srs.importFromWkt(c.crs_wkt().c_str()) == OGRERR_NONE && srs.IsProjected()) {
        const double m_per_px = c.geotransform()[1] * srs.GetLinearUnits();
        const double length_m = nice_length_m(c.width() * m_per_px / 5);
        const double px = length_m / m_per_px;
        const double x0 = 24;
        const double y0 = c.height() - 28.0;
        const std::string label = length_m >= 1000 ? t.num(length_m / 1000, 0) + " km" : t.num(length_m, 0) + " m";
        s += fmt::format("<g class=\"scale\"><rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"8\" class=\"bar\"/>"
                         "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"8\" class=\"half\"/>",
                         x0, y0, px, x0, y0, px / 2);
        s += svg_text(x0, y0 - 6, "0", "lbl") + svg_text(x0 + px, y0 - 6, label, "lbl end") + "</g>";
    }
    const double ax = c.width() - 40.0;
    s += fmt::format("<g class=\"north\"><path d=\"M{0:.1f},16 L{1:.1f},56 L{0:.1f},46 L{2:.1f},56 Z\"/>", ax, ax + 13,
                     ax - 13);
    s += svg_text(ax, 78, t("N", "B"), "lbl mid") + "</g>";
    return s;
}

struct MapSpec {
    std::string id;
    std::string title;         ///< in words
    std::string subtitle;      ///< HTML
    std::string view;          ///< the one view shown (data-view; its gaps)
    fs::path class_raster;     ///< relative; empty: none
    int candidates = 0;        ///< ranked candidates to draw (0: none)
};

std::string map_figure(const Inputs& in, const MapSpec& m, const Text& t) {
    const fs::path frame = !m.class_raster.empty() && is_file(in.file(m.class_raster)) ? in.file(m.class_raster)
                                                                                         : in.file("dem.tif");
    if (!is_file(frame)) return "";
    MapCanvas c(frame, kMapLongSidePx, &in.vectors);
    std::string legend;
    const auto swatch = [](const std::string& style, const std::string& label) {
        return "<li><span class=\"sw\" style=\"" + style + "\"></span>" + xml_escape(label) + "</li>";
    };
    if (!m.class_raster.empty() && is_file(in.file(m.class_raster)) && is_file(style_path(in.file(m.class_raster)))) {
        const RasterColours colours = read_raster_colours(style_path(in.file(m.class_raster)));
        c.draw_raster(in.file(m.class_raster), colours, 0.85, true);
        for (auto it = colours.stops.rbegin(); it != colours.stops.rend(); ++it) {
            const int v = static_cast<int>(std::lround(it->value));
            const std::string label = v == 2   ? t("good coverage", "phủ sóng tốt")
                                      : v == 1 ? t("fair coverage", "phủ sóng trung bình")
                                      : v == 0 ? t("not covered", "không được phủ sóng")
                                               : it->label;
            legend += swatch("background:" + css_colour(it->rgba), label);
        }
    }
    const fs::path units = "analysis/admin_units.geojson";
    if (is_file(in.file(units))) {
        c.draw_polygons(in.file(units), std::nullopt, {70, 70, 70, 255}, 1);
        legend += swatch("border:1px solid #464646;background:none", t("administrative unit", "đơn vị hành chính"));
    }
    if (in.cat.outline) c.draw_polygons(in.file(*in.cat.outline), std::nullopt, {20, 20, 20, 255}, 2);
    std::size_t gap_count = 0;
    if (in.gap_rows && !m.view.empty()) {
        const auto it = in.gaps.find(m.view);
        gap_count = it == in.gaps.end() ? 0 : it->second.count;
        if (gap_count > 0) {
            std::string quoted;
            for (char ch : m.view) quoted += ch == '\'' ? std::string("''") : std::string(1, ch);
            c.draw_polygons(in.file("analysis/gaps.geojson"), std::nullopt, {110, 0, 120, 255}, 3,
                            "layer = '" + quoted + "'");
        }
        legend += swatch("border:3px solid #6e0078;background:none",
                         t("coverage gap (people without coverage in this view)", "vùng lõm sóng (dân cư không được phủ sóng)"));
    }
    std::string overlay;
    if (m.candidates > 0 && is_file(in.file("plan/candidates.geojson"))) {
        auto sites = c.locate(in.file("plan/candidates.geojson"), "rank",
                              fmt::format("rank IS NOT NULL AND rank <= {}", m.candidates));
        // Highest rank drawn last, on top.
        std::sort(sites.begin(), sites.end(),
                  [](const MapLabel& a, const MapLabel& b) { return CPLAtof(a.text.c_str()) > CPLAtof(b.text.c_str()); });
        for (const auto& s : sites) {
            const bool top10 = CPLAtof(s.text.c_str()) <= 10;
            overlay += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"{}\" class=\"site\"/>", s.x_px, s.y_px,
                                   top10 ? 11 : 6);
            if (top10) overlay += svg_text(s.x_px, s.y_px + 5, s.text, "rank");
        }
        legend += swatch("background:#1f5fd6;border-radius:50%",
                         fmt::format("{} {}", t("5G site of the plan, numbered by rank (first 10); first",
                                                "trạm 5G của kế hoạch, đánh số theo thứ hạng (10 trạm đầu); tổng"),
                                     m.candidates) +
                             t(" ranked shown", " trạm đầu được vẽ"));
    }
    if (is_file(in.file(units))) {
        for (const auto& l : c.locate(in.file(units), "name")) overlay += svg_text(l.x_px, l.y_px, l.text, "place");
    }
    std::string h = fmt::format("<figure class=\"map\" id=\"{}\" data-view=\"{}\" data-gaps=\"{}\" data-candidates=\"{}\">\n",
                                m.id, xml_escape(m.view), gap_count, m.candidates);
    h += "<figcaption><span class=\"maptitle\">" + xml_escape(m.title) + "</span><br><span class=\"sub\">" +
         m.subtitle + "</span></figcaption>\n";
    h += fmt::format("<div class=\"mapbox\"><img alt=\"{}\" width=\"{}\" height=\"{}\" src=\"data:image/png;base64,{}\">",
                     xml_escape(m.title), c.width(), c.height(), base64(c.png()));
    h += fmt::format("<svg class=\"overlay\" viewBox=\"0 0 {} {}\" aria-hidden=\"true\">", c.width(), c.height()) +
         overlay + svg_furniture(c, t) + "</svg></div>\n";
    h += "<ul class=\"legend\">" + legend + "</ul>\n</figure>\n";
    return h;
}

fs::path class_raster_of(const std::string& kind, const std::string& op, const std::string& tech) {
    std::string lower = tech;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return std::tolower(ch); });
    // The names write_analysis_outputs gives the union views' class rasters.
    if (kind == "all_operators") return fs::path("analysis") / ("best_of_operators_" + lower + "_class.tif");
    return fs::path("analysis") / (slug(op + " " + tech) + "_class.tif");
}

std::string gaps_sentence(const Inputs& in, const std::string& view, const Text& t) {
    const auto it = in.gaps.find(view);
    if (!in.gap_rows) return "";
    if (it == in.gaps.end() || it->second.count == 0) return t("no coverage gap", "không có vùng lõm sóng");
    const GapFigures& g = it->second;
    return fmt::format("{} {} {} {} {}", t.num(static_cast<double>(g.count)),
                       t(g.count == 1 ? "coverage gap with" : "coverage gaps with", "vùng lõm sóng với"), t.num(g.people),
                       t("people", "người"),
                       "(" + t("mostly: ", "nguyên nhân chính: ") + t.cause(g.main_cause()) + ")");
}

// ---- the plan ------------------------------------------------------------------------------------

struct Milestone {
    std::size_t row;  ///< in coverage_curve.csv
    std::optional<std::size_t> bound;  ///< index into manifest plan.bounds
};

std::vector<Milestone> milestones(const Rows& curve, const json& plan) {
    // The budgets whose optimality was measured, the ranks where the share first reaches half and
    // nine tenths of the final one's, and the last rank.
    std::vector<Milestone> out;
    std::map<long, std::size_t> by_rank;
    for (std::size_t r = 0; r < curve.rows.size(); ++r) {
        const double rank = curve.num(r, "rank");
        if (std::isfinite(rank) && rank >= 1) by_rank[std::lround(rank)] = r;
    }
    if (by_rank.empty()) return out;
    std::map<long, std::optional<std::size_t>> chosen;
    const auto bounds = plan.value("bounds", json::array());
    const bool in_cost = plan.value("budget_kind", std::string("sites")) == "cost";
    for (std::size_t b = 0; b < bounds.size(); ++b) {
        const double budget = bounds[b].value("budget", 0.0);
        // A budget in sites is a rank. One in cost units is the longest prefix of the ranking that
        // it pays for, when that prefix is the set whose optimality was measured: the greedy within
        // a cost budget skips a pick that no longer fits and may take a cheaper one after it.
        std::optional<long> rank;
        for (const auto& [k, r] : by_rank) {
            if (in_cost ? curve.num(r, "cumulative_cost") <= budget + 1e-9 : k == std::lround(budget)) rank = k;
        }
        if (rank && in_cost &&
            std::abs(curve.num(by_rank[*rank], "cumulative_people") - bounds[b].value("greedy_people", -1e18)) > 1.0) {
            rank.reset();
        }
        if (rank) chosen[*rank] = b;
    }
    const double final_share = curve.num(by_rank.rbegin()->second, "covered_share");
    for (const double f : {0.5, 0.9}) {
        for (const auto& [rank, r] : by_rank) {
            if (curve.num(r, "covered_share") >= f * final_share) {
                chosen.try_emplace(rank);
                break;
            }
        }
    }
    chosen.try_emplace(by_rank.rbegin()->first);
    for (const auto& [rank, b] : chosen) out.push_back({by_rank[rank], b});
    return out;
}

std::string optimality_cell(const json& b, const Text& t) {
    const double ratio = b.value("greedy_over_optimal", std::nan(""));
    if (!std::isfinite(ratio)) return "–";
    const std::string source = b.value("bound_source", std::string());
    const bool proven = source == "ilp_optimal" || source == "lagrangian_optimal";
    return (proven ? "" : "≥ ") + t.pct(ratio, 1) + " " +
           (proven ? t("of the optimum (proven)", "so với tối ưu (đã chứng minh)")
                   : t("of the best possible (bound)", "so với mức tốt nhất có thể (cận trên)"));
}

std::string plan_summary(const Inputs& in, const Text& t) {
    const json* plan = in.manifest.contains("plan") ? &in.manifest["plan"] : nullptr;
    if (plan == nullptr || !in.curve) return not_run(t("5G plan", "Kế hoạch 5G"), t);
    const Rows& curve = *in.curve;
    std::size_t upgrades = 0;
    std::size_t fresh = 0;
    for (std::size_t r = 0; r < curve.rows.size(); ++r) {
        const std::string kind = curve.text(r, "kind");
        if (kind == "upgrade") ++upgrades;
        if (kind == "new" || kind == "greenfield") ++fresh;
    }
    const double existing = plan->value("share_covered_existing", 0.0);
    const double final_share = plan->value("final_share", 0.0);
    const std::string band = plan->value("band", std::string());
    std::string h = "<p>";
    h += fmt::format(fmt::runtime(t("5G today reaches {} of the people ({} people). The plan ranks {} of {} candidate "
                                    "sites for band {}: {} upgrades of existing sites and {} new sites. Built in that "
                                    "order, they bring 5G to {} of the people (target {}) for {} cost units; the first "
                                    "sites reach the most people per cost unit.",
                                    "Hiện nay 5G phủ sóng {} dân số ({} người). Kế hoạch xếp hạng {} trong số {} vị "
                                    "trí ứng viên cho băng tần {}: nâng cấp {} trạm hiện có và xây {} trạm mới. Triển "
                                    "khai theo thứ tự này, 5G sẽ phủ sóng {} dân số (mục tiêu {}) với {} đơn vị chi "
                                    "phí; các trạm đầu tiên phủ sóng được nhiều người nhất trên mỗi đơn vị chi phí.")),
                       t.pct(existing), t.num(plan->value("people_covered_existing", 0.0)),
                       t.num(static_cast<double>(upgrades + fresh)), t.num(plan->value("candidates", 0.0)),
                       xml_escape(band), t.num(static_cast<double>(upgrades)), t.num(static_cast<double>(fresh)),
                       t.pct(final_share), t.pct(plan->value("target_share", 0.0), 0),
                       t.num(plan->value("final_cost", 0.0), 1));
    if (plan->contains("coverage_threshold_dbm")) {
        h += " " + fmt::format(fmt::runtime(t("The plan counts a person as reached where band {} gives RSRP ≥ {} dBm on its "
                                              "{} m demand grid, so its starting point differs from the 5G share above, "
                                              "which follows the coverage classes.",
                                              "Kế hoạch coi một người là có 5G khi băng tần {} cho RSRP ≥ {} dBm trên lưới "
                                              "nhu cầu {} m, nên điểm xuất phát khác với tỷ lệ 5G ở trên, vốn dựa trên "
                                              "các mức phủ sóng.")),
                               xml_escape(band), t.num(plan->value("coverage_threshold_dbm", 0.0)),
                               t.num(plan->value("demand_cell_m", 0.0)));
    }
    if (!plan->value("target_reached", true)) {
        h += " <b>" + t("The target is not reached with the candidates available.",
                        "Với các vị trí ứng viên hiện có, chưa đạt được mục tiêu.") + "</b>";
    }
    h += "</p>\n";
    HtmlTable table;
    table.id = "plan-summary";
    table.head = {t("Sites built", "Số trạm"), t("People with 5G", "Dân số có 5G"), t("Share of people", "Tỷ lệ dân số"),
                  t("Cost (units)", "Chi phí (đơn vị)"), t("New people per cost unit", "Số người mới trên một đơn vị chi phí"),
                  t("Ranking against the optimum", "So với phương án tối ưu")};
    table.numeric = {true, true, true, true, true, false};
    const double people_existing = plan->value("people_covered_existing", 0.0);
    const json bounds = plan->value("bounds", json::array());
    for (const Milestone& m : milestones(curve, *plan)) {
        const double cum_people = curve.num(m.row, "cumulative_people");
        const double cost = curve.num(m.row, "cumulative_cost");
        table.rows.push_back({t.num(curve.num(m.row, "rank")), t.num(people_existing + cum_people),
                              t.pct(curve.num(m.row, "covered_share")), t.num(cost, 1),
                              cost > 0 ? t.num(cum_people / cost) : "–",
                              m.bound ? optimality_cell(bounds[*m.bound], t) : t("not measured", "không đo")});
    }
    h += table.html();
    return h;
}

// ---- the executive page ----------------------------------------------------------------------

std::string coverage_cards(const Inputs& in, const Text& t) {
    std::string h = "<div class=\"cards\" id=\"headline\">\n";
    for (const auto& tech : in.techs()) {
        const ViewFigures& v = *in.view("all_operators", tech);
        h += fmt::format("<div class=\"card\" data-tech=\"{}\"><div class=\"gen\">{}</div><div class=\"big\">{}</div>"
                         "<div class=\"what\">{}</div><div class=\"small\">{} {} · {} {}</div></div>\n",
                         tech, Text::tech_name(tech), t.pct(v.share),
                         t("of the people covered", "dân số được phủ sóng"), t.num(v.covered), t("people", "người"),
                         t.pct(v.area_share), t("of the area", "diện tích"));
    }
    return h + "</div>\n";
}

std::string coverage_by_operator(const Inputs& in, const Text& t) {
    HtmlTable table;
    table.id = "coverage-operators";
    table.css_class = "matrix";
    table.head = {t("Operator", "Nhà mạng")};
    const auto techs = in.techs();
    for (const auto& tech : techs) table.head.push_back(Text::tech_name(tech));
    table.numeric.assign(table.head.size(), true);
    table.numeric[0] = false;
    const auto cell = [&](const ViewFigures* v) -> std::string {
        if (v == nullptr) return "<span class=\"none\">" + t("no network", "không có mạng") + "</span>";
        return "<b>" + t.pct(v->share) + "</b><br><small>" + t.num(v->covered) + " " + t("people", "người") +
               "<br>" + t.pct(v->area_share) + " " + t("of the area", "diện tích") + "</small>";
    };
    std::vector<std::string> row{"<b>" + xml_escape(t.all_operators()) + "</b>"};
    for (const auto& tech : techs) row.push_back(cell(in.view("all_operators", tech)));
    table.rows.push_back(row);
    table.total_row.push_back(true);
    for (const auto& op : in.operators()) {
        row = {xml_escape(op)};
        for (const auto& tech : techs) row.push_back(cell(in.view("operator", tech, op)));
        table.rows.push_back(row);
        table.total_row.push_back(false);
    }
    return table.html();
}

std::string coverage_by_unit(const Inputs& in, const Text& t) {
    if (!in.admin_rows) return "";
    const Rows& a = *in.admin_rows;
    const auto techs = in.techs();
    // Units in file order; their people and the all-operators share per technology.
    std::vector<std::string> units;
    std::map<std::string, std::map<std::string, std::pair<double, double>>> share;  // unit → tech → (people, area)
    std::map<std::string, double> people;
    for (std::size_t r = 0; r < a.rows.size(); ++r) {
        if (a.text(r, "view_kind") != "all_operators") continue;
        const std::string u = a.text(r, "admin_name");
        if (std::find(units.begin(), units.end(), u) == units.end()) units.push_back(u);
        share[u][a.text(r, "technology")] = {a.num(r, "covered_share"), a.num(r, "covered_area_share")};
        people[u] = a.num(r, "population");
    }
    if (units.empty()) return "";
    HtmlTable table;
    table.id = "coverage-units";
    table.head = {t("Administrative unit", "Đơn vị hành chính"), t("People", "Dân số")};
    for (const auto& tech : techs) table.head.push_back(Text::tech_name(tech));
    table.numeric.assign(table.head.size(), true);
    table.numeric[0] = false;
    for (const auto& u : units) {
        std::vector<std::string> row{xml_escape(u), t.num(people[u])};
        for (const auto& tech : techs) {
            const auto it = share[u].find(tech);
            row.push_back(it == share[u].end() ? "–"
                                               : t.pct(it->second.first) + "<br><small>" + t.pct(it->second.second) +
                                                     " " + t("of the area", "diện tích") + "</small>");
        }
        table.rows.push_back(row);
    }
    std::vector<std::string> total{"<b>" + t("Whole area", "Toàn khu vực") + "</b>",
                                   t.num(in.view("all_operators", techs.front())->people)};
    for (const auto& tech : techs) {
        const ViewFigures& v = *in.view("all_operators", tech);
        total.push_back("<b>" + t.pct(v.share) + "</b><br><small>" + t.pct(v.area_share) + " " +
                        t("of the area", "diện tích") + "</small>");
    }
    table.rows.push_back(total);
    table.total_row.assign(table.rows.size(), false);
    table.total_row.back() = true;
    return table.html();
}

std::string thresholds_sentence(const json& analysis, const std::string& tech, const Text& t) {
    if (!analysis.contains("thresholds") || !analysis["thresholds"].contains(tech)) return "";
    const json& th = analysis["thresholds"][tech];
    std::string s = Text::generation(tech) + ": " + t("signal", "tín hiệu") + " ≥ " +
                    t.num(th.value("fair_signal_dbm", 0.0)) + " dBm";
    if (th.contains("fair_sinr_db")) s += ", SINR ≥ " + t.num(th.value("fair_sinr_db", 0.0)) + " dB";
    if (th.contains("fair_throughput_mbps")) {
        s += ", " + t("throughput", "tốc độ") + " ≥ " + t.num(th.value("fair_throughput_mbps", 0.0), 0) + " Mbit/s";
    }
    return s;
}

/// Which location probability the signal thresholds hold at (analysis.location_probability of the
/// manifest): the median, or p with σ and the margin added to every signal threshold.
std::string location_sentence(const json& analysis, const Text& t) {
    const json lp = analysis.value("location_probability", json::object());
    const double p = lp.value("probability", 0.5);
    const double sigma = lp.value("shadowing_sigma_db", 8.0);
    if (p == 0.5) {
        return t("The predicted signal is a median: half the places of a pixel receive more, half less "
                 "(location probability 50 %; [analysis] location_probability raises it).",
                 "Tín hiệu dự báo là giá trị trung vị: một nửa số vị trí trong ô nhận mạnh hơn, một nửa yếu hơn "
                 "(xác suất vị trí 50 %; khóa [analysis] location_probability để nâng lên).");
    }
    return fmt::format(fmt::runtime(t("Covered at a location probability of {} %: with shadowing of σ = {} dB, the "
                                      "signal thresholds above include a margin of {} dB over the median.",
                                      "Phủ sóng với xác suất vị trí {} %: với độ lệch chuẩn che khuất σ = {} dB, các "
                                      "ngưỡng tín hiệu trên đã cộng thêm {} dB so với giá trị trung vị.")),
                       t.num(100 * p, 0), t.num(sigma, 1), t.num(lp.value("signal_margin_db", 0.0), 1));
}

std::string caveats(const Inputs& in, const Text& t) {
    std::string h = "<ul id=\"caveats\" class=\"caveats\">\n";
    const json& m = in.manifest;
    // A synthetic input is the first thing a reader must know.
    for (const auto& i : m.value("inputs", json::array())) {
        for (const auto& [k, v] : credits_for(i.value("path", std::string()))) {
            if (k == "what" && v.find("SYNTHETIC") != std::string::npos) {
                h += "<li class=\"strong\"><b>" + xml_escape(role_name(i.value("role", std::string()), t)) + "</b>: " +
                     t("the table is synthetic (generated), not the operators’ real sites: the figures show the "
                       "method, not the real networks.",
                       "bảng trạm là dữ liệu tổng hợp (tự sinh), không phải trạm thật của các nhà mạng: các số liệu "
                       "minh họa phương pháp, không phản ánh mạng thực tế.") +
                     "</li>\n";
            }
        }
    }
    if (m.contains("analysis")) {
        const json& a = m["analysis"];
        std::string th;
        for (const auto& tech : in.techs()) {
            const std::string s = thresholds_sentence(a, tech, t);
            if (!s.empty()) th += (th.empty() ? "" : "; ") + s;
        }
        h += "<li><b>" + t("Covered", "Được phủ sóng") + "</b> " +
             t("means at least “fair” service at street level (outdoors, 1.5 m): ",
               "nghĩa là dịch vụ ít nhất ở mức “trung bình” ngoài trời (độ cao 1,5 m): ") +
             xml_escape(th) + ". " +
             t("A place with a strong signal can still be a gap when the throughput, which depends on the layer’s "
               "bandwidth and the load, stays below the threshold: each gap names its cause.",
               "Một nơi có tín hiệu mạnh vẫn có thể là vùng lõm sóng khi tốc độ (phụ thuộc băng thông của lớp mạng và "
               "mức tải) thấp hơn ngưỡng: mỗi vùng lõm sóng ghi rõ nguyên nhân.") +
             " " + location_sentence(a, t) + "</li>\n";
        if (a.contains("census")) {
            const json& c = a["census"];
            h += "<li><b>" + t("People", "Dân số") + "</b> " +
                 fmt::format(fmt::runtime(t("are the population raster rescaled to {}: {} people before, {} after.",
                                            "lấy từ bản đồ dân số, hiệu chỉnh theo {}: {} người trước, {} người sau.")),
                             xml_escape(c.value("source", std::string())), t.num(c.value("population_before", 0.0)),
                             t.num(c.value("population_after", 0.0))) +
                 "</li>\n";
        } else if (m.contains("population")) {
            h += "<li><b>" + t("People", "Dân số") + "</b> " +
                 fmt::format(fmt::runtime(t("are counted from the population raster: {} people in the area, not "
                                            "rescaled to census totals (scenario key [analysis.census]).",
                                            "được đếm từ bản đồ dân số: {} người trong khu vực, chưa hiệu chỉnh "
                                            "theo số liệu điều tra dân số (khóa [analysis.census] của kịch bản).")),
                             t.num(m["population"].value("people_in_aoi", 0.0))) +
                 "</li>\n";
        }
        h += "<li><b>" + t("Gaps", "Vùng lõm sóng") + "</b> " +
             t("are counted per view (one technology, one operator or all of them): the views overlap, so their "
               "gaps are never added up.",
               "được đếm riêng cho từng góc nhìn (một công nghệ, một nhà mạng hoặc tất cả nhà mạng): các góc nhìn "
               "chồng lên nhau nên không cộng dồn số vùng lõm sóng.") +
             "</li>\n";
    }
    // What the inputs' own description says about them (a README table beside the inputs).
    for (const auto& i : m.value("inputs", json::array())) {
        for (const auto& [k, v] : credits_for(i.value("path", std::string()))) {
            if (k != "caveats" || v.empty()) continue;
            h += "<li><b>" + xml_escape(role_name(i.value("role", std::string()), t)) + "</b> (" +
                 xml_escape(fs::path(i.value("path", std::string())).filename().string()) + "): " +
                 (t.lang == ReportLanguage::vi ? "<i>(nguyên văn tiếng Anh trong mô tả dữ liệu)</i> " : "") +
                 xml_escape(v) + "</li>\n";
        }
    }
    return h + "</ul>\n";
}

// ---- the appendix ------------------------------------------------------------------------------

std::string appendix_views(const Inputs& in, const Text& t) {
    HtmlTable table;
    table.id = "table-views";
    table.head = {t("View", "Góc nhìn"), t("People covered", "Dân số được phủ sóng"), t("Share of people", "Tỷ lệ dân số"),
                  t("People with good coverage", "Dân số phủ sóng tốt"), t("Area covered (km²)", "Diện tích được phủ sóng (km²)"),
                  t("Share of area", "Tỷ lệ diện tích")};
    table.numeric = {false, true, true, true, true, true};
    for (const char* kind : {"all_operators", "operator", "layer"}) {
        for (const auto& v : in.views) {
            if (v.kind != kind) continue;
            table.rows.push_back({xml_escape(t.view(v.kind, v.name, v.op, v.tech)), t.num(v.covered), t.pct(v.share),
                                  t.num(v.good), t.num(v.covered_area_km2, 1), t.pct(v.area_share)});
            table.total_row.push_back(v.kind == "all_operators");
        }
    }
    return table.html();
}

std::string appendix_units(const Inputs& in, const Text& t) {
    if (!in.admin_rows) return "";
    const Rows& a = *in.admin_rows;
    HtmlTable table;
    table.id = "table-units";
    table.head = {t("Administrative unit", "Đơn vị hành chính"), t("View", "Góc nhìn"), t("People", "Dân số"),
                  t("People covered", "Dân số được phủ sóng"), t("Share of people", "Tỷ lệ dân số"),
                  t("Share of area", "Tỷ lệ diện tích")};
    table.numeric = {false, false, true, true, true, true};
    for (std::size_t r = 0; r < a.rows.size(); ++r) {
        const std::string kind = a.text(r, "view_kind");
        if (kind == "layer") continue;
        table.rows.push_back({xml_escape(a.text(r, "admin_name")),
                              xml_escape(t.view(kind, a.text(r, "view"), a.text(r, "operator"), a.text(r, "technology"))),
                              t.num(a.num(r, "population")), t.num(a.num(r, "covered_population")),
                              t.pct(a.num(r, "covered_share")), t.pct(a.num(r, "covered_area_share"))});
        table.total_row.push_back(kind == "all_operators");
    }
    return table.html();
}

std::string appendix_gaps(const Inputs& in, const Text& t) {
    if (!in.gap_rows) return not_run(t("Coverage gaps", "Vùng lõm sóng"), t);
    std::string h;
    HtmlTable per_view;
    per_view.id = "table-gaps-per-view";
    per_view.head = {t("View", "Góc nhìn"), t("Gaps", "Số vùng"), t("People", "Dân số"), t("Area (km²)", "Diện tích (km²)")};
    for (const auto& c : kCauses) per_view.head.push_back(t("People: ", "Dân số: ") + t.cause(c));
    per_view.numeric.assign(per_view.head.size(), true);
    per_view.numeric[0] = false;
    for (const char* kind : {"all_operators", "operator", "layer"}) {
        for (const auto& v : in.views) {
            if (v.kind != kind) continue;
            const auto it = in.gaps.find(v.name);
            const GapFigures g = it == in.gaps.end() ? GapFigures{} : it->second;
            std::vector<std::string> row{xml_escape(t.view(v.kind, v.name, v.op, v.tech)),
                                         t.num(static_cast<double>(g.count)), t.num(g.people), t.num(g.area_km2, 1)};
            for (const auto& c : kCauses) {
                const auto p = g.people_by_cause.find(c);
                row.push_back(t.num(p == g.people_by_cause.end() ? 0.0 : p->second));
            }
            per_view.rows.push_back(row);
            per_view.total_row.push_back(v.kind == "all_operators");
        }
    }
    h += "<h3>" + t("A3. Coverage gaps per view, people by cause", "A3. Vùng lõm sóng theo góc nhìn, dân số theo nguyên nhân") +
         "</h3>\n" + per_view.html();

    const Rows& g = *in.gap_rows;
    HtmlTable largest;
    largest.id = "table-gaps";
    largest.head = {t("Gap", "Vùng"), t("View", "Góc nhìn"), t("Administrative unit", "Đơn vị hành chính"),
                    t("People", "Dân số"), t("Area (km²)", "Diện tích (km²)"), t("Main cause", "Nguyên nhân chính"),
                    t("Mean signal (dBm)", "Tín hiệu trung bình (dBm)"), t("Nearest site (km)", "Trạm gần nhất (km)")};
    largest.numeric = {false, false, false, true, true, false, true, true};
    for (std::size_t r = 0; r < g.rows.size() && largest.rows.size() < kGapRows; ++r) {
        if (g.text(r, "view_kind") != "all_operators") continue;
        largest.rows.push_back({xml_escape(g.text(r, "id")),
                                xml_escape(t.view("all_operators", g.text(r, "layer"), "", g.text(r, "technology"))),
                                xml_escape(g.text(r, "admin_name")), t.num(g.num(r, "population")),
                                t.num(g.num(r, "area_km2"), 2), xml_escape(t.cause(g.text(r, "cause"))),
                                t.num(g.num(r, "mean_signal_dbm"), 1), t.num(g.num(r, "nearest_site_km"), 1)});
    }
    h += "<h3>" + t("A4. Largest gaps of all operators together", "A4. Các vùng lõm sóng lớn nhất (tất cả nhà mạng)") +
         "</h3>\n" + largest.html();
    return h;
}

std::string appendix_plan(const Inputs& in, const Text& t) {
    const json* plan = in.manifest.contains("plan") ? &in.manifest["plan"] : nullptr;
    if (plan == nullptr || !in.curve) return not_run(t("5G plan", "Kế hoạch 5G"), t);
    std::string h;
    const Rows& c = *in.curve;
    HtmlTable ranked;
    ranked.id = "table-ranked";
    ranked.head = {t("Rank", "Hạng"), t("Site", "Trạm"), t("Kind", "Loại"), t("New people", "Số người mới"),
                   t("Share of people after it", "Tỷ lệ dân số sau trạm này"), t("Cost", "Chi phí"),
                   t("Cumulative cost", "Chi phí lũy kế")};
    ranked.numeric = {true, false, false, true, true, true, true};
    for (std::size_t r = 0; r < c.rows.size() && ranked.rows.size() < kRankedRows; ++r) {
        if (!(c.num(r, "rank") >= 1)) continue;
        const std::string kind = c.text(r, "kind");
        ranked.rows.push_back({c.text(r, "rank"), xml_escape(c.text(r, "site_id")),
                               kind == "upgrade" ? t("upgrade", "nâng cấp") : t("new site", "trạm mới"),
                               t.num(c.num(r, "marginal_people")), t.pct(c.num(r, "covered_share"), 2),
                               t.num(c.num(r, "cost"), 1), t.num(c.num(r, "cumulative_cost"), 1)});
    }
    h += "<h3>" + fmt::format(fmt::runtime(t("A5. The first {} ranked sites", "A5. {} trạm xếp hạng đầu")), ranked.rows.size()) +
         "</h3>\n" + ranked.html() + "<p class=\"note\">" +
         t("Every ranked site and every candidate: plan/coverage_curve.csv, plan/candidates.geojson and the QGIS project.",
           "Toàn bộ trạm đã xếp hạng và mọi vị trí ứng viên: plan/coverage_curve.csv, plan/candidates.geojson và dự án QGIS.") +
         "</p>\n";
    const json bounds = plan->value("bounds", json::array());
    if (!bounds.empty()) {
        HtmlTable b;
        b.id = "table-bounds";
        b.head = {plan->value("budget_kind", std::string("sites")) == "sites" ? t("Budget (sites)", "Ngân sách (trạm)")
                                                                             : t("Budget (cost units)", "Ngân sách (đơn vị chi phí)"),
                  t("People reached by the ranking", "Dân số theo thứ hạng"),
                  t("Best possible (people)", "Tốt nhất có thể (người)"), t("Ranking ÷ best", "Thứ hạng ÷ tốt nhất"),
                  t("How the best is known", "Cách xác định mức tốt nhất")};
        b.numeric = {true, true, true, true, false};
        for (const auto& x : bounds) {
            const std::string source = x.value("bound_source", std::string());
            b.rows.push_back({t.num(x.value("budget", 0.0)), t.num(x.value("greedy_people", 0.0)),
                              t.num(x.value("best_bound_people", 0.0)), optimality_cell(x, t),
                              source == "ilp_optimal" ? t("integer program solved to optimality", "bài toán quy hoạch nguyên giải tối ưu")
                              : source == "lagrangian_optimal"
                                  ? t("Lagrangian upper bound reached by a solution", "cận trên Lagrange đạt được bởi một phương án")
                              : source == "lagrangian" ? t("Lagrangian upper bound", "cận trên Lagrange")
                                                       : xml_escape(source)});
        }
        h += "<h3>" + t("A6. How close the ranking is to the optimum", "A6. Thứ hạng so với phương án tối ưu") +
             "</h3>\n" + b.html();
    }
    return h;
}

std::string appendix_thresholds(const Inputs& in, const Text& t) {
    if (!in.manifest.contains("analysis") || !in.manifest["analysis"].contains("thresholds")) return "";
    const json& th = in.manifest["analysis"]["thresholds"];
    HtmlTable table;
    table.id = "table-thresholds";
    table.head = {t("Technology", "Công nghệ"), t("Good: signal (dBm)", "Tốt: tín hiệu (dBm)"),
                  t("Fair: signal (dBm)", "Trung bình: tín hiệu (dBm)"), t("Good: SINR (dB)", "Tốt: SINR (dB)"),
                  t("Fair: SINR (dB)", "Trung bình: SINR (dB)"), t("Good: throughput (Mbit/s)", "Tốt: tốc độ (Mbit/s)"),
                  t("Fair: throughput (Mbit/s)", "Trung bình: tốc độ (Mbit/s)")};
    table.numeric = {false, true, true, true, true, true, true};
    for (const auto& [tech, x] : th.items()) {
        const auto v = [&](const char* k) { return x.contains(k) ? t.num(x[k].get<double>()) : std::string("–"); };
        table.rows.push_back({Text::tech_name(tech), v("good_signal_dbm"), v("fair_signal_dbm"), v("good_sinr_db"),
                              v("fair_sinr_db"), v("good_throughput_mbps"), v("fair_throughput_mbps")});
    }
    return table.html();
}

std::string appendix_layers(const Inputs& in, const Text& t) {
    const json& m = in.manifest;
    if (!m.contains("layers") || !m["layers"].is_array() || m["layers"].empty()) return not_run(t("Prediction", "Dự báo"), t);
    const double px_km2 = m.contains("grid") ? std::pow(m["grid"].value("resolution_m", 0.0), 2) / 1e6 : 0.0;
    HtmlTable table;
    table.id = "network-layers";
    table.head = {t("Layer", "Lớp mạng"), t("Operator", "Nhà mạng"), t("Technology", "Công nghệ"), t("Band", "Băng tần"),
                  t("Propagation model", "Mô hình truyền sóng"), t("Area with signal (km²)", "Diện tích có tín hiệu (km²)")};
    table.numeric = {false, false, false, false, false, true};
    for (const auto& l : m["layers"]) {
        table.rows.push_back({xml_escape(l.value("name", "")), xml_escape(l.value("operator", "")),
                              xml_escape(Text::tech_name(l.value("technology", ""))), xml_escape(l.value("band", "")),
                              xml_escape(l.value("model", "")), t.num(l.value("pixels_with_signal", 0.0) * px_km2, 1)});
    }
    return table.html();
}

std::string appendix_run(const Inputs& in, const Text& t) {
    const json& m = in.manifest;
    HtmlTable table;
    table.id = "table-run";
    table.head = {t("Item", "Mục"), t("Value", "Giá trị")};
    table.numeric = {false, false};
    const auto row = [&](const std::string& k, const std::string& v) { table.rows.push_back({xml_escape(k), v}); };
    if (m.contains("engine")) row(t("Software", "Phần mềm"), "phusong " + xml_escape(m["engine"].value("version", "")));
    if (m.contains("scenario")) {
        const json& s = m["scenario"];
        // The file's name only: the folder it was run from is the machine's, not the reader's.
        row(t("Scenario file", "Tệp kịch bản"), "<code>" + xml_escape(fs::path(s.value("file", "")).filename().string()) + "</code>");
        row(t("Scenario fingerprint (sha256)", "Mã kiểm tra kịch bản (sha256)"),
            "<code class=\"hash\">" + xml_escape(s.value("config_sha256", "")) + "</code>");
    }
    if (m.contains("grid")) {
        const json& g = m["grid"];
        row(t("Analysis grid", "Lưới phân tích"),
            fmt::format("EPSG:{}, {} × {} {} {} m", g.value("epsg", 0), t.num(g.value("cols", 0.0)), t.num(g.value("rows", 0.0)),
                        t("pixels of", "điểm ảnh"), t.num(g.value("resolution_m", 0.0))));
    }
    if (m.contains("population") && m["population"].contains("aoi_area_km2")) {
        row(t("Area", "Diện tích"), t.num(m["population"].value("aoi_area_km2", 0.0), 1) + " km²");
    }
    if (m.contains("counts")) {
        const json& c = m["counts"];
        row(t("Sites, cells, layers, operators", "Trạm, cell, lớp mạng, nhà mạng"),
            fmt::format("{}, {}, {}, {}", t.num(c.value("sites", 0.0)), t.num(c.value("cells", 0.0)),
                        t.num(c.value("layers", 0.0)), t.num(c.value("operators", 0.0))));
    }
    if (m.contains("prediction")) {
        const json& p = m["prediction"];
        row(t("Prediction: mean cell radius", "Dự báo: bán kính cell trung bình"),
            t.num(p.value("mean_radius_m", 0.0) / 1000, 1) + " km");
    }
    return table.html();
}

std::string appendix_sources(const Inputs& in, const Text& t) {
    HtmlTable table;
    table.id = "inputs";
    table.head = {t("Input", "Dữ liệu"), t("File", "Tệp"), t("Source and licence", "Nguồn và giấy phép"),
                  t("sha256 (first 16)", "sha256 (16 ký tự đầu)")};
    table.numeric = {false, false, false, false};
    for (const auto& i : in.manifest.value("inputs", json::array())) {
        const fs::path path = i.value("path", "");
        std::string credits;
        for (const auto& [k, v] : credits_for(path)) {
            if (k == "caveats" || k == "file") continue;
            credits += "<b>" + xml_escape(k) + ":</b> " + xml_escape(v) + "<br>";
        }
        table.rows.push_back({xml_escape(role_name(i.value("role", ""), t)),
                              "<code>" + xml_escape(path.filename().string()) + "</code>", credits,
                              "<code>" + xml_escape(i.value("sha256", "").substr(0, 16)) + "</code>"});
    }
    return table.html();
}

const char* kStyle = R"(
:root{--green:#1a9641;--ink:#1d1d1d}
*{box-sizing:border-box}
body{font-family:"Noto Sans","DejaVu Sans",Arial,sans-serif;margin:0 auto;max-width:1100px;padding:0 1.2em 3em;color:var(--ink);line-height:1.45}
h1{font-size:1.7em;margin:.7em 0 .1em}h2{border-bottom:2px solid var(--green);padding-bottom:.2em;margin-top:1.6em}
h3{margin:1.3em 0 .4em}
.meta{color:#555;font-size:.9em;margin:.2em 0 .8em}nav{font-size:.9em}nav a{margin-right:1em;white-space:nowrap}
.cards{display:flex;flex-wrap:wrap;gap:.8em;margin:.8em 0}
.card{flex:1 1 12em;border:1px solid #cfd8cf;border-left:6px solid var(--green);padding:.5em .8em;background:#f7faf7}
.card .gen{font-weight:bold}.card .big{font-size:2.2em;font-weight:bold;line-height:1.1}.card .what{font-size:.9em}
.card .small{font-size:.8em;color:#444}
table{border-collapse:collapse;margin:.5em 0 1em;font-size:.88em;max-width:100%}
th,td{border:1px solid #c8c8c8;padding:.25em .5em;text-align:left;vertical-align:top;overflow-wrap:anywhere}
thead th{background:#e8f1e8}td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.total td{background:#f3f7f3;font-weight:bold}small{font-weight:normal;color:#444}
table.matrix td{min-width:6.5em}.none{color:#888}
code{font-size:.92em}code.hash{overflow-wrap:anywhere}
ul.caveats li{margin:.25em 0}ul.caveats li.strong{color:#8a2b00}
figure.map{margin:1.2em 0;break-inside:avoid;page-break-inside:avoid}
figure.map figcaption{margin-bottom:.3em}.maptitle{font-size:1.15em;font-weight:bold}.sub{font-size:.9em;color:#333}
.mapbox{position:relative;max-width:900px}.mapbox img{display:block;width:100%;height:auto;border:1px solid #999}
.mapbox svg{position:absolute;left:0;top:0;width:100%;height:100%}
svg text{font-family:"Noto Sans","DejaVu Sans",Arial,sans-serif;paint-order:stroke;stroke:#fff;stroke-width:4px;stroke-linejoin:round}
svg text.place{font-size:17px;font-weight:bold;fill:#222;text-anchor:middle}
svg text.lbl{font-size:15px;fill:#111}svg text.end,svg text.mid{text-anchor:middle}
svg text.rank{font-size:12px;font-weight:bold;fill:#fff;stroke:none;text-anchor:middle}
svg .bar{fill:#fff;stroke:#111;stroke-width:1.5}svg .half{fill:#111}svg .north path{fill:#111;stroke:#fff;stroke-width:1.5}
svg circle.site{fill:#1f5fd6;stroke:#fff;stroke-width:2}
ul.legend{list-style:none;padding:0;margin:.4em 0;font-size:.85em;display:flex;flex-wrap:wrap;gap:.2em 1.2em}
.sw{display:inline-block;width:1.1em;height:.9em;border:1px solid #777;margin-right:.4em;vertical-align:middle}
.notrun{color:#8a6d00;background:#fff8e1;padding:.4em .7em;border-left:4px solid #e0b000}
.note{color:#555;font-size:.85em}.lang{float:right;font-size:.9em;margin-top:1.2em}
@media (max-width:640px){
 body{padding:0 .6em 2em}h1{font-size:1.35em}.card .big{font-size:1.8em}
 table.data,table.data tbody,table.data tr,table.data td{display:block;width:100%}
 table.data thead{display:none}table.data tr{border:1px solid #c8c8c8;margin:0 0 .6em}
 table.data td{border:none;border-bottom:1px solid #eee;text-align:right}
 table.data td::before{content:attr(data-label);float:left;font-weight:bold;text-align:left;padding-right:.6em;max-width:55%}
 table.data td:first-child{text-align:left;background:#e8f1e8}table.data td:first-child::before{content:none}
 svg text.place{font-size:24px}
}
@page{size:A4;margin:14mm 12mm}
@media print{
 body{max-width:none;padding:0;font-size:9.5pt}nav,.lang{display:none}
 h2{break-before:page;page-break-before:always}#summary h2{break-before:auto;page-break-before:auto}
 table{font-size:8pt;width:100%}thead{display:table-header-group}tr{break-inside:avoid;page-break-inside:avoid}
 .mapbox{max-width:100%}figure.map{margin:.6em 0}.card{border-left-width:4px}
}
)";

}  // namespace

std::string format_number(double v, int decimals, ReportLanguage lang) {
    if (!std::isfinite(v)) return std::isnan(v) ? "–" : (v > 0 ? "∞" : "−∞");
    decimals = std::clamp(decimals, 0, 9);
    std::string s = fmt::format("{:.{}f}", std::abs(v), decimals);
    const bool negative = v < 0 && s.find_first_not_of("0.") != std::string::npos;  // no "−0"
    const auto dot = s.find('.');
    const std::string whole = s.substr(0, dot);
    const std::string frac = dot == std::string::npos ? "" : s.substr(dot + 1);
    const char group = lang == ReportLanguage::vi ? '.' : ',';
    const char decimal = lang == ReportLanguage::vi ? ',' : '.';
    std::string out = negative ? "−" : "";
    for (std::size_t i = 0; i < whole.size(); ++i) {
        if (i > 0 && (whole.size() - i) % 3 == 0) out += group;
        out += whole[i];
    }
    if (!frac.empty()) out += decimal + frac;
    return out;
}

std::string format_share(double share, int decimals, ReportLanguage lang) {
    if (!std::isfinite(share)) return "–";
    return format_number(share * 100.0, decimals, lang) + "%";
}

std::string report_file_name(ReportLanguage lang) { return lang == ReportLanguage::vi ? "report.vi.html" : "report.html"; }

std::vector<ReportLanguage> report_languages(const json& manifest) {
    std::vector<ReportLanguage> out;
    if (manifest.contains("report") && manifest["report"].contains("languages")) {
        for (const auto& l : manifest["report"]["languages"]) {
            if (!l.is_string()) continue;
            const ReportLanguage lang = l.get<std::string>() == "vi" ? ReportLanguage::vi : ReportLanguage::en;
            if (std::find(out.begin(), out.end(), lang) == out.end()) out.push_back(lang);
        }
    }
    if (out.empty()) out = ReportConfig{}.languages;
    return out;
}

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

std::string report_html(const fs::path& dir, const json& manifest, const OutputCatalogue& cat, ReportLanguage lang,
                        VectorCache* vectors) {
    const Text t{lang};
    VectorCache own;
    const Inputs in = gather(dir, manifest, cat, vectors != nullptr ? *vectors : own);
    const std::string title = scenario_title(manifest);
    const std::vector<ReportLanguage> langs = report_languages(manifest);

    std::string h = std::string("<!DOCTYPE html>\n<html lang=\"") + (lang == ReportLanguage::vi ? "vi" : "en") +
                    "\">\n<head>\n<meta charset=\"utf-8\">\n"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
                    xml_escape(t("Mobile coverage: ", "Vùng phủ sóng di động: ") + title) + "</title>\n<style>" + kStyle +
                    "</style>\n</head>\n<body>\n";
    // The other language's file, when it is written too (a relative link: the files sit together).
    for (const ReportLanguage other : langs) {
        if (other == lang) continue;
        h += "<a class=\"lang\" hreflang=\"" + std::string(other == ReportLanguage::vi ? "vi" : "en") + "\" href=\"" +
             report_file_name(other) + "\">" + (other == ReportLanguage::vi ? "Tiếng Việt" : "English") + "</a>\n";
    }
    h += "<h1>" + xml_escape(t("Mobile coverage: ", "Vùng phủ sóng di động: ") + title) + "</h1>\n";
    h += "<p class=\"meta\">" +
         t("Share of people and of area where the 2G, 3G, 4G and 5G networks give at least fair service, by operator "
           "and administrative unit; the 5G plan. Computed by phusong ",
           "Tỷ lệ dân số và diện tích được các mạng 2G, 3G, 4G và 5G phục vụ ít nhất ở mức trung bình, theo nhà mạng "
           "và đơn vị hành chính; kế hoạch 5G. Tính bằng phusong ") +
         xml_escape(manifest.contains("engine") ? manifest["engine"].value("version", "") : "") + ".</p>\n";
    h += "<nav><a href=\"#summary\">" + t("Summary", "Tóm tắt") + "</a><a href=\"#maps\">" + t("Maps", "Bản đồ") +
         "</a><a href=\"#appendix\">" + t("Appendix: tables", "Phụ lục: bảng số liệu") + "</a></nav>\n";

    // ---- executive page
    h += "<section id=\"summary\">\n<h2>" + t("Summary", "Tóm tắt") + "</h2>\n";
    if (in.techs().empty()) {
        h += not_run(t("Coverage analysis", "Phân tích vùng phủ"), t);
    } else {
        h += coverage_cards(in, t);
        h += "<h3>" + t("Coverage by operator", "Vùng phủ theo nhà mạng") + "</h3>\n<p class=\"note\">" +
             t("Share of the people covered (bold), people covered and share of the area.",
               "Tỷ lệ dân số được phủ sóng (in đậm), số người được phủ sóng và tỷ lệ diện tích.") +
             "</p>\n" + coverage_by_operator(in, t);
        const std::string units = coverage_by_unit(in, t);
        if (!units.empty()) {
            h += "<h3>" + t("Coverage by administrative unit, all operators", "Vùng phủ theo đơn vị hành chính, tất cả nhà mạng") +
                 "</h3>\n" + units;
        }
    }
    h += "<h3>" + t("5G plan", "Kế hoạch 5G") + "</h3>\n" + plan_summary(in, t);
    h += "<h3>" + t("Read the numbers with these caveats", "Lưu ý khi đọc số liệu") + "</h3>\n" + caveats(in, t);
    h += "</section>\n";

    // ---- maps: one view each
    h += "<section id=\"maps\">\n<h2>" + t("Maps", "Bản đồ") + "</h2>\n";
    std::vector<MapSpec> maps;
    for (const auto& tech : in.techs()) {
        const ViewFigures& v = *in.view("all_operators", tech);
        maps.push_back({"map-" + slug(v.name), Text::tech_name(tech) + " " + t("coverage, all operators", "– vùng phủ, tất cả nhà mạng"),
                        xml_escape(t.pct(v.share) + " " + t("of the people covered", "dân số được phủ sóng") + "; " +
                                   gaps_sentence(in, v.name, t)),
                        v.name, class_raster_of("all_operators", "", tech), 0});
    }
    // Per operator: the newest technology that several operators run (4G in most networks).
    std::string per_op_tech;
    for (const auto& tech : in.techs()) {
        std::size_t n = 0;
        for (const auto& v : in.views) n += v.kind == "operator" && v.tech == tech ? 1 : 0;
        if (n > 1) per_op_tech = tech;
    }
    for (const auto& v : in.views) {
        if (v.kind != "operator" || v.tech != per_op_tech) continue;
        maps.push_back({"map-" + slug(v.name), v.op + " " + Text::tech_name(v.tech),
                        xml_escape(t.pct(v.share) + " " + t("of the people covered", "dân số được phủ sóng") + "; " +
                                   gaps_sentence(in, v.name, t)),
                        v.name, class_raster_of("operator", v.op, v.tech), 0});
    }
    if (manifest.contains("plan") && is_file(in.file("plan/candidates.geojson"))) {
        int n = kMapCandidates;
        for (const auto& b : manifest["plan"].value("bounds", json::array())) n = std::max(n, b.value("budget", 0));
        const ViewFigures* nr = in.view("all_operators", "NR");
        MapSpec m{"map-plan",
                  fmt::format(fmt::runtime(t("5G today and the first {} sites of the plan", "5G hiện nay và {} trạm đầu của kế hoạch")), n),
                  xml_escape(t("Coverage classes of 5G today, all operators; the plan’s sites in the order of their rank.",
                               "Vùng phủ 5G hiện nay của tất cả nhà mạng; các trạm của kế hoạch theo thứ hạng.")),
                  nr != nullptr ? nr->name : std::string(), nr != nullptr ? class_raster_of("all_operators", "", "NR") : fs::path(), n};
        maps.push_back(m);
    }
    if (maps.empty()) h += not_run(t("Coverage analysis", "Phân tích vùng phủ"), t);
    for (const auto& m : maps) h += map_figure(in, m, t);
    h += "<p class=\"note\">" +
         t("Each map shows one view and only that view’s gaps. Every layer, gap and candidate is in the QGIS project "
           "coverage.qgs beside this file.",
           "Mỗi bản đồ chỉ thể hiện một góc nhìn và các vùng lõm sóng của góc nhìn đó. Mọi lớp dữ liệu, vùng lõm sóng "
           "và vị trí ứng viên có trong dự án QGIS coverage.qgs cùng thư mục.") +
         "</p>\n</section>\n";

    // ---- appendix
    h += "<section id=\"appendix\">\n<h2>" + t("Appendix: detail tables", "Phụ lục: bảng số liệu chi tiết") + "</h2>\n";
    if (!in.views.empty()) {
        h += "<h3>" + t("A1. Coverage per view", "A1. Vùng phủ theo góc nhìn") + "</h3>\n" + appendix_views(in, t);
    }
    const std::string units = appendix_units(in, t);
    if (!units.empty()) {
        h += "<h3>" + t("A2. Coverage per administrative unit and operator", "A2. Vùng phủ theo đơn vị hành chính và nhà mạng") +
             "</h3>\n" + units;
    }
    h += appendix_gaps(in, t);
    h += appendix_plan(in, t);
    const std::string thresholds = appendix_thresholds(in, t);
    if (!thresholds.empty()) {
        h += "<h3>" + t("A7. Coverage thresholds", "A7. Ngưỡng phủ sóng") + "</h3>\n" + thresholds;
    }
    h += "<h3>" + t("A8. Network layers", "A8. Các lớp mạng") + "</h3>\n" + appendix_layers(in, t);
    h += "<h3>" + t("A9. The run", "A9. Thông tin lần chạy") + "</h3>\n" + appendix_run(in, t);
    h += "<h3>" + t("A10. Data sources", "A10. Nguồn dữ liệu") + "</h3>\n" + appendix_sources(in, t);
    h += "</section>\n</body>\n</html>\n";
    return h;
}

std::vector<PresentationFile> write_reports(const fs::path& dir, const json& manifest, const OutputCatalogue& catalogue) {
    std::vector<PresentationFile> files;
    VectorCache vectors;
    for (const ReportLanguage lang : report_languages(manifest)) {
        const std::string name = report_file_name(lang);
        write_file_atomically(dir / name, report_html(dir, manifest, catalogue, lang, &vectors));
        files.push_back({name, lang == ReportLanguage::vi
                                   ? "self-contained HTML report in Vietnamese: summary, maps, appendix tables"
                                   : "self-contained HTML report in English: summary, maps, appendix tables"});
    }
    return files;
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
    for (auto& f : write_reports(dir, manifest, cat)) files.push_back(std::move(f));
    return files;
}

std::vector<PresentationFile> write_presentation(const fs::path& dir) {
    return write_presentation(dir, read_manifest(dir));
}

}  // namespace phusong::io
