#include "phusong/io/vector_style.hpp"

#include <fmt/format.h>

#include <limits>

#include "phusong/core/error.hpp"
#include "phusong/core/output_file.hpp"
#include "phusong/core/text.hpp"

namespace phusong::io {
namespace {

/// "#rrggbb" → "r,g,b,255" as QGIS symbol properties want it.
std::string rgba(const std::string& hex) {
    const auto v = std::stoul(hex.substr(1), nullptr, 16);
    return fmt::format("{},{},{},255", (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);
}

std::filesystem::path qml_of(const std::filesystem::path& file) {
    std::filesystem::path p = file;
    return p.replace_extension(".qml");
}

constexpr const char* kHeader =
    "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
    "<qgis version=\"3.22.0\" styleCategories=\"Symbology\">\n";

/// A semi-transparent fill with a grey outline: every graduated and rule-based polygon class.
std::string fill_symbol(std::size_t index, const std::string& colour) {
    return fmt::format(
        "      <symbol type=\"fill\" name=\"{}\" alpha=\"0.8\" clip_to_extent=\"1\" force_rhr=\"0\">\n"
        "        <layer class=\"SimpleFill\" enabled=\"1\" locked=\"0\" pass=\"0\">\n"
        "          <prop k=\"color\" v=\"{}\"/>\n"
        "          <prop k=\"outline_color\" v=\"60,60,60,255\"/>\n"
        "          <prop k=\"outline_width\" v=\"0.26\"/>\n"
        "          <prop k=\"outline_width_unit\" v=\"MM\"/>\n"
        "          <prop k=\"style\" v=\"solid\"/>\n"
        "        </layer>\n      </symbol>\n",
        index, rgba(colour));
}

}  // namespace

void write_graduated_polygon_style(const std::filesystem::path& vector_file, const std::string& attribute,
                                   const std::vector<GraduatedClass>& classes) {
    std::string ranges;
    std::string symbols;
    for (std::size_t i = 0; i < classes.size(); ++i) {
        const GraduatedClass& c = classes[i];
        ranges += fmt::format("      <range lower=\"{}\" upper=\"{}\" symbol=\"{}\" label=\"{}\" render=\"true\"/>\n",
                              c.lower, c.upper, i, xml_escape(c.label));
        symbols += fill_symbol(i, c.colour);
    }
    write_output_file(qml_of(vector_file),
               std::string(kHeader) +
                   fmt::format("  <renderer-v2 type=\"graduatedSymbol\" attr=\"{}\" graduatedMethod=\"GraduatedColor\" "
                               "symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n    <ranges>\n",
                               xml_escape(attribute)) +
                   ranges + "    </ranges>\n    <symbols>\n" + symbols +
                   "    </symbols>\n  </renderer-v2>\n  <blendMode>0</blendMode>\n</qgis>\n");
}

namespace {

/// People in the gap: the operators' question is "which holes have the most people".
const std::vector<GraduatedClass>& gap_classes() {
    static const std::vector<GraduatedClass> classes = {{0, 500, "#fee5d9", "< 500 people"},
                                                         {500, 2000, "#fcae91", "500 to 2,000"},
                                                         {2000, 5000, "#fb6a4a", "2,000 to 5,000"},
                                                         {5000, 20000, "#de2d26", "5,000 to 20,000"},
                                                         {20000, 1e12, "#a50f15", ">= 20,000 people"}};
    return classes;
}


/// A QGIS expression string literal.
std::string quoted(const std::string& text) {
    std::string q = "'";
    for (const char c : text) q += c == '\'' ? std::string("''") : std::string(1, c);
    return q + "'";
}

}  // namespace

void write_gap_style(const std::filesystem::path& vector_file, const std::vector<GapStyleView>& views) {
    // gaps.geojson holds every view's gaps, one on top of the other: a rule per view (on the
    // `layer` field) that QGIS's layer panel switches on and off, each graduated by population;
    // only the views marked `shown` are on when the layer opens.
    std::string rules;
    std::string symbols;
    std::size_t index = 0;
    for (std::size_t v = 0; v < views.size(); ++v) {
        const GapStyleView& view = views[v];
        rules += fmt::format("      <rule key=\"v{}\" filter=\"{}\" label=\"{}\"{}>\n", v,
                             xml_escape("\"" + view.field + "\" = " + quoted(view.value)), xml_escape(view.label),
                             view.shown ? "" : " checkstate=\"0\"");
        for (const GraduatedClass& c : gap_classes()) {
            rules += fmt::format("        <rule key=\"v{}c{}\" symbol=\"{}\" filter=\"{}\" label=\"{}\"/>\n", v, index, index,
                                 xml_escape(fmt::format("\"population\" >= {} AND \"population\" < {}", c.lower, c.upper)),
                                 xml_escape(c.label));
            symbols += fill_symbol(index, c.colour);
            ++index;
        }
        rules += "      </rule>\n";
    }
    write_output_file(qml_of(vector_file),
               std::string(kHeader) +
                   "  <renderer-v2 type=\"RuleRenderer\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n"
                   "    <rules key=\"root\">\n" +
                   rules + "    </rules>\n    <symbols>\n" + symbols +
                   "    </symbols>\n  </renderer-v2>\n  <blendMode>0</blendMode>\n</qgis>\n");
}

void write_admin_style(const std::filesystem::path& vector_file, const std::string& share_attribute) {
    write_graduated_polygon_style(vector_file, share_attribute,
                                  {{0, 0.5, "#d7191c", "< 50% covered"},
                                   {0.5, 0.8, "#fdae61", "50 to 80%"},
                                   {0.8, 0.95, "#ffffbf", "80 to 95%"},
                                   {0.95, 0.99, "#a6d96a", "95 to 99%"},
                                   {0.99, 1.0000001, "#1a9641", ">= 99% covered"}});
}

void write_candidates_style(const std::filesystem::path& vector_file) {
    struct Band {
        const char* filter;  // on "rank"
        const char* label;
        const char* colour;
        double size_mm;
        bool shown;
    };
    // Rank bands: the first sites to build stand out (dark red, labelled), then orange, yellow,
    // pale. Only the first 100 are on when the layer opens (a province-wide plan ranks hundreds);
    // the later ranks and the candidates not chosen stay in the layer, their rules off, switched
    // on in QGIS's layer panel when wanted.
    const Band bands[] = {{"\"rank\" <= 20", "rank 1–20", "#a50f15", 4.2, true},
                          {"\"rank\" > 20 AND \"rank\" <= 100", "rank 21–100", "#f16913", 3.4, true},
                          {"\"rank\" > 100 AND \"rank\" <= 300", "rank 101–300", "#fec44f", 2.8, false},
                          {"\"rank\" > 300", "rank > 300", "#fff7bc", 2.4, false}};
    const struct {
        const char* value;
        const char* label;
        const char* shape;
    } kinds[] = {{"upgrade", "upgrade of an existing site", "circle"},
                 {"greenfield", "new (greenfield) site", "triangle"}};
    std::string rules;
    std::string symbols;
    auto symbol = [&](int index, const std::string& shape, const std::string& colour, double size_mm) {
        symbols += fmt::format(
            "      <symbol type=\"marker\" name=\"{}\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">\n"
            "        <layer class=\"SimpleMarker\" enabled=\"1\" locked=\"0\" pass=\"0\">\n"
            "          <prop k=\"name\" v=\"{}\"/>\n"
            "          <prop k=\"color\" v=\"{}\"/>\n"
            "          <prop k=\"outline_color\" v=\"35,35,35,255\"/>\n"
            "          <prop k=\"outline_width\" v=\"0.3\"/>\n"
            "          <prop k=\"outline_width_unit\" v=\"MM\"/>\n"
            "          <prop k=\"size\" v=\"{}\"/>\n"
            "          <prop k=\"size_unit\" v=\"MM\"/>\n"
            "        </layer>\n      </symbol>\n",
            index, shape, rgba(colour), size_mm);
    };
    int index = 0;
    for (const auto& k : kinds) {
        for (const Band& b : bands) {
            rules += fmt::format("    <rule key=\"r{}\" symbol=\"{}\" filter=\"{}\" label=\"{}\"{}/>\n", index, index,
                                 xml_escape(std::string(b.filter) + " AND \"kind\" = '" + k.value + "'"),
                                 xml_escape(std::string(b.label) + ", " + k.label), b.shown ? "" : " checkstate=\"0\"");
            symbol(index, k.shape, b.colour, b.size_mm);
            ++index;
        }
    }
    rules += fmt::format("    <rule key=\"r{}\" symbol=\"{}\" filter=\"{}\" label=\"not chosen\" checkstate=\"0\"/>\n",
                         index, index, xml_escape("\"rank\" IS NULL"));
    symbol(index, "circle", "#bdbdbd", 1.4);
    write_output_file(
        qml_of(vector_file),
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        "<qgis version=\"3.22.0\" styleCategories=\"Symbology|Labeling\" labelsEnabled=\"1\">\n"
        "  <renderer-v2 type=\"RuleRenderer\" symbollevels=\"0\" enableorderby=\"1\" forceraster=\"0\">\n"
        "    <rules key=\"root\">\n" +
            rules +
            "    </rules>\n    <symbols>\n" + symbols +
            "    </symbols>\n"
            // Unranked first, then from the last rank to the first: rank 1 ends on top.
            "    <orderby>\n      <orderByClause asc=\"0\" nullsFirst=\"1\">\"rank\"</orderByClause>\n    </orderby>\n"
            "  </renderer-v2>\n"
            // Labels on the top ranks only: hundreds of rank numbers would hide the map.
            "  <labeling type=\"rule-based\">\n"
            "    <rules key=\"labels\">\n"
            "      <rule key=\"top\" filter=\"" + xml_escape(fmt::format("\"rank\" <= {}", kLabelledRanks)) +
            "\" description=\"" + fmt::format("rank 1–{}", kLabelledRanks) + "\">\n"
            "        <settings calloutType=\"simple\">\n"
            "          <text-style fieldName=\"rank\" isExpression=\"0\" fontFamily=\"Sans Serif\" fontSize=\"8\" "
            "fontSizeUnit=\"Point\" fontWeight=\"75\" textColor=\"20,20,20,255\" textOpacity=\"1\">\n"
            "            <text-buffer bufferDraw=\"1\" bufferSize=\"0.8\" bufferSizeUnits=\"MM\" "
            "bufferColor=\"255,255,255,255\" bufferOpacity=\"0.85\"/>\n"
            "          </text-style>\n"
            "          <placement placement=\"0\" dist=\"1\" distUnits=\"MM\" priority=\"5\"/>\n"
            "          <rendering obstacle=\"1\" scaleVisibility=\"0\" displayAll=\"1\" "
            "zIndex=\"0\" upsidedownLabels=\"0\"/>\n"
            "        </settings>\n      </rule>\n    </rules>\n  </labeling>\n"
            "  <blendMode>0</blendMode>\n</qgis>\n");
}

void write_cells_style(const std::filesystem::path& vector_file) {
    // A sector per cell: QGIS's quarter-circle marker (a 90° wedge, which at angle 0 spans
    // 270°–360°, so rotated by azimuth + 45° it is centred on the boresight), sized in metres on
    // the ground so that sites read as points at province scale and as sectors when zoomed in.
    // One colour per technology; the longer-range technologies get the longer wedges and are drawn
    // first, so that a site's layers at the same azimuth show as nested wedges.
    const struct {
        const char* tech;
        const char* colour;
        double radius_m;
    } techs[] = {{"GSM", "#969696", 240}, {"UMTS", "#41ab5d", 200}, {"LTE", "#2171b5", 160}, {"NR", "#88419d", 120}};
    std::string rules;
    std::string symbols;
    int index = 0;
    for (const auto& t : techs) {
        rules += fmt::format("    <rule key=\"t{}\" symbol=\"{}\" filter=\"{}\" label=\"{} cell\"/>\n", index, index,
                             xml_escape(std::string("\"technology\" = '") + t.tech + "'"), t.tech);
        symbols += fmt::format(
            "      <symbol type=\"marker\" name=\"{}\" alpha=\"0.85\" clip_to_extent=\"1\" force_rhr=\"0\">\n"
            "        <layer class=\"SimpleMarker\" enabled=\"1\" locked=\"0\" pass=\"{}\">\n"
            "          <prop k=\"name\" v=\"quarter_circle\"/>\n"
            "          <prop k=\"color\" v=\"{}\"/>\n"
            "          <prop k=\"outline_color\" v=\"35,35,35,255\"/>\n"
            "          <prop k=\"outline_width\" v=\"0.15\"/>\n"
            "          <prop k=\"outline_width_unit\" v=\"MM\"/>\n"
            "          <prop k=\"size\" v=\"{}\"/>\n"
            "          <prop k=\"size_unit\" v=\"RenderMetersInMapUnits\"/>\n"
            "          <prop k=\"horizontal_anchor_point\" v=\"1\"/>\n"
            "          <prop k=\"vertical_anchor_point\" v=\"1\"/>\n"
            "          <data_defined_properties>\n"
            "            <Option type=\"Map\">\n"
            "              <Option type=\"QString\" name=\"name\" value=\"\"/>\n"
            "              <Option type=\"Map\" name=\"properties\">\n"
            "                <Option type=\"Map\" name=\"angle\">\n"
            "                  <Option type=\"bool\" name=\"active\" value=\"true\"/>\n"
            "                  <Option type=\"QString\" name=\"expression\" value=\"{}\"/>\n"
            "                  <Option type=\"int\" name=\"type\" value=\"3\"/>\n"
            "                </Option>\n"
            "              </Option>\n"
            "              <Option type=\"QString\" name=\"type\" value=\"collection\"/>\n"
            "            </Option>\n"
            "          </data_defined_properties>\n"
            "        </layer>\n      </symbol>\n",
            index, index, rgba(t.colour), 2 * t.radius_m, xml_escape("\"azimuth_deg\" + 45"));
        ++index;
    }
    write_output_file(qml_of(vector_file),
               "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
               "<qgis version=\"3.22.0\" styleCategories=\"Symbology\">\n"
               "  <renderer-v2 type=\"RuleRenderer\" symbollevels=\"1\" enableorderby=\"0\" forceraster=\"0\">\n"
               "    <rules key=\"root\">\n" +
                   rules + "    </rules>\n    <symbols>\n" + symbols +
                   "    </symbols>\n  </renderer-v2>\n  <blendMode>0</blendMode>\n</qgis>\n");
}

void write_class_raster_style(const std::filesystem::path& raster) {
    write_output_file(qml_of(raster),
               std::string(kHeader) +
                   "  <pipe>\n"
                   "    <rasterrenderer type=\"paletted\" band=\"1\" opacity=\"1\" alphaBand=\"-1\" nodataColor=\"\">\n"
                   "      <colorPalette>\n"
                   "        <paletteEntry value=\"0\" color=\"#d7191c\" alpha=\"255\" label=\"none (uncovered)\"/>\n"
                   "        <paletteEntry value=\"1\" color=\"#fdae61\" alpha=\"255\" label=\"fair\"/>\n"
                   "        <paletteEntry value=\"2\" color=\"#1a9641\" alpha=\"255\" label=\"good\"/>\n"
                   "      </colorPalette>\n    </rasterrenderer>\n"
                   "    <brightnesscontrast brightness=\"0\" contrast=\"0\" gamma=\"1\"/>\n"
                   "    <huesaturation saturation=\"0\" grayscaleMode=\"0\" colorizeOn=\"0\"/>\n"
                   "    <rasterresampler maxOversampling=\"2\"/>\n  </pipe>\n  <blendMode>0</blendMode>\n</qgis>\n");
}

}  // namespace phusong::io
