#include "phusong/io/vector_style.hpp"

#include <fmt/format.h>

#include <fstream>
#include <limits>

#include "phusong/core/error.hpp"
#include "phusong/core/text.hpp"

namespace phusong::io {
namespace {

/// "#rrggbb" → "r,g,b,255" as QGIS symbol properties want it.
std::string rgba(const std::string& hex) {
    const auto v = std::stoul(hex.substr(1), nullptr, 16);
    return fmt::format("{},{},{},255", (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);
}

void write_text(const std::filesystem::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) throw Error("cannot write " + path.string());
}

std::filesystem::path qml_of(const std::filesystem::path& file) {
    std::filesystem::path p = file;
    return p.replace_extension(".qml");
}

constexpr const char* kHeader =
    "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
    "<qgis version=\"3.22.0\" styleCategories=\"Symbology\">\n";

}  // namespace

void write_graduated_polygon_style(const std::filesystem::path& vector_file, const std::string& attribute,
                                   const std::vector<GraduatedClass>& classes) {
    std::string ranges;
    std::string symbols;
    for (std::size_t i = 0; i < classes.size(); ++i) {
        const GraduatedClass& c = classes[i];
        ranges += fmt::format("      <range lower=\"{}\" upper=\"{}\" symbol=\"{}\" label=\"{}\" render=\"true\"/>\n",
                              c.lower, c.upper, i, xml_escape(c.label));
        symbols += fmt::format(
            "      <symbol type=\"fill\" name=\"{}\" alpha=\"0.8\" clip_to_extent=\"1\" force_rhr=\"0\">\n"
            "        <layer class=\"SimpleFill\" enabled=\"1\" locked=\"0\" pass=\"0\">\n"
            "          <prop k=\"color\" v=\"{}\"/>\n"
            "          <prop k=\"outline_color\" v=\"60,60,60,255\"/>\n"
            "          <prop k=\"outline_width\" v=\"0.26\"/>\n"
            "          <prop k=\"outline_width_unit\" v=\"MM\"/>\n"
            "          <prop k=\"style\" v=\"solid\"/>\n"
            "        </layer>\n      </symbol>\n",
            i, rgba(c.colour));
    }
    write_text(qml_of(vector_file),
               std::string(kHeader) +
                   fmt::format("  <renderer-v2 type=\"graduatedSymbol\" attr=\"{}\" graduatedMethod=\"GraduatedColor\" "
                               "symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n    <ranges>\n",
                               xml_escape(attribute)) +
                   ranges + "    </ranges>\n    <symbols>\n" + symbols +
                   "    </symbols>\n  </renderer-v2>\n  <blendMode>0</blendMode>\n</qgis>\n");
}

void write_gap_style(const std::filesystem::path& vector_file) {
    // People in the gap: the operators' question is "which holes have the most people".
    write_graduated_polygon_style(vector_file, "population",
                                  {{0, 500, "#fee5d9", "< 500 people"},
                                   {500, 2000, "#fcae91", "500 to 2,000"},
                                   {2000, 5000, "#fb6a4a", "2,000 to 5,000"},
                                   {5000, 20000, "#de2d26", "5,000 to 20,000"},
                                   {20000, 1e12, "#a50f15", ">= 20,000 people"}});
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
    };
    // Rank bands: the first sites to build stand out (dark red), then orange, yellow, pale.
    const Band bands[] = {{"\"rank\" <= 10", "rank 1–10", "#a50f15", 4.2},
                          {"\"rank\" > 10 AND \"rank\" <= 50", "rank 11–50", "#f16913", 3.6},
                          {"\"rank\" > 50 AND \"rank\" <= 200", "rank 51–200", "#fec44f", 3.0},
                          {"\"rank\" > 200", "rank > 200", "#fff7bc", 2.6}};
    const struct {
        const char* value;
        const char* label;
        const char* shape;
    } kinds[] = {{"upgrade", "upgrade of an existing site", "circle"}, {"new", "new (greenfield) site", "triangle"}};
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
            rules += fmt::format("    <rule key=\"r{}\" symbol=\"{}\" filter=\"{}\" label=\"{}\"/>\n", index, index,
                                 xml_escape(std::string(b.filter) + " AND \"kind\" = '" + k.value + "'"),
                                 xml_escape(std::string(b.label) + ", " + k.label));
            symbol(index, k.shape, b.colour, b.size_mm);
            ++index;
        }
    }
    rules += fmt::format("    <rule key=\"r{}\" symbol=\"{}\" filter=\"{}\" label=\"not chosen\"/>\n", index, index,
                         xml_escape("\"rank\" IS NULL"));
    symbol(index, "circle", "#bdbdbd", 1.4);
    write_text(
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
            "  <labeling type=\"simple\">\n"
            "    <settings calloutType=\"simple\">\n"
            "      <text-style fieldName=\"rank\" isExpression=\"0\" fontFamily=\"Sans Serif\" fontSize=\"8\" "
            "fontSizeUnit=\"Point\" fontWeight=\"75\" textColor=\"20,20,20,255\" textOpacity=\"1\">\n"
            "        <text-buffer bufferDraw=\"1\" bufferSize=\"0.8\" bufferSizeUnits=\"MM\" "
            "bufferColor=\"255,255,255,255\" bufferOpacity=\"0.85\"/>\n"
            "      </text-style>\n"
            "      <placement placement=\"0\" dist=\"1\" distUnits=\"MM\" priority=\"5\"/>\n"
            "      <rendering obstacle=\"1\" scaleVisibility=\"0\" displayAll=\"0\" "
            "zIndex=\"0\" upsidedownLabels=\"0\"/>\n"
            "    </settings>\n  </labeling>\n"
            "  <blendMode>0</blendMode>\n</qgis>\n");
}

void write_class_raster_style(const std::filesystem::path& raster) {
    write_text(qml_of(raster),
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
