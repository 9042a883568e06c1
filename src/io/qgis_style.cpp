#include "phusong/io/qgis_style.hpp"

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <limits>

#include "phusong/core/error.hpp"
#include "phusong/core/output_file.hpp"
#include "phusong/core/text.hpp"

namespace phusong::io {
namespace {

struct Item {
    double upper;        // QGIS DISCRETE: a value takes the first item whose value is ≥ it
    const char* colour;
    const char* label;
};

std::string header() {
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
           "<qgis version=\"3.22.0\" styleCategories=\"Symbology\">\n  <pipe>\n";
}

std::string footer() {
    return "    <brightnesscontrast brightness=\"0\" contrast=\"0\" gamma=\"1\"/>\n"
           "    <huesaturation saturation=\"0\" grayscaleMode=\"0\" colorizeOn=\"0\"/>\n"
           "    <rasterresampler maxOversampling=\"2\"/>\n  </pipe>\n  <blendMode>0</blendMode>\n</qgis>\n";
}

/// A pseudocolour renderer; `discrete` gives classes (upper bounds inclusive), else a ramp.
std::string pseudocolour(const std::vector<Item>& items, bool discrete, double min, double max) {
    std::string x = fmt::format(
        "    <rasterrenderer type=\"singlebandpseudocolor\" band=\"1\" opacity=\"1\" alphaBand=\"-1\" "
        "classificationMin=\"{}\" classificationMax=\"{}\" nodataColor=\"\">\n"
        "      <rastershader>\n        <colorrampshader colorRampType=\"{}\" classificationMode=\"{}\" clip=\"0\">\n",
        min, max, discrete ? "DISCRETE" : "INTERPOLATED", discrete ? 3 : 1);
    for (const Item& it : items) {
        x += fmt::format("          <item alpha=\"255\" value=\"{}\" color=\"{}\" label=\"{}\"/>\n",
                         std::isinf(it.upper) ? std::string("inf") : fmt::format("{}", it.upper), it.colour,
                         xml_escape(it.label));
    }
    return x + "        </colorrampshader>\n      </rastershader>\n    </rasterrenderer>\n";
}

constexpr double kInf = std::numeric_limits<double>::infinity();

}  // namespace

std::filesystem::path style_path(const std::filesystem::path& raster) {
    std::filesystem::path p = raster;
    return p.replace_extension(".qml");
}

void write_raster_style(const std::filesystem::path& raster, RasterStyle style) {
    std::string body;
    // Class bounds sit 0.005 under the round numbers: values are stored in 0.01 dB steps, so
    // −80.00 dBm falls in "≥ −80", as planners read the bands.
    switch (style) {
        case RasterStyle::signal_dbm:
            body = pseudocolour({{-120.005, "#7b3294", "< -120 dBm"},
                                 {-110.005, "#d7191c", "-120 to -110 dBm"},
                                 {-100.005, "#fdae61", "-110 to -100 dBm"},
                                 {-90.005, "#ffffbf", "-100 to -90 dBm"},
                                 {-80.005, "#a6d96a", "-90 to -80 dBm"},
                                 {kInf, "#1a9641", ">= -80 dBm"}},
                                true, -140, -40);
            break;
        case RasterStyle::sinr_db:
            body = pseudocolour({{-5.005, "#d7191c", "< -5 dB"},
                                 {-0.005, "#fdae61", "-5 to 0 dB"},
                                 {4.995, "#ffffbf", "0 to 5 dB"},
                                 {9.995, "#a6d96a", "5 to 10 dB"},
                                 {19.995, "#66bd63", "10 to 20 dB"},
                                 {kInf, "#1a9641", ">= 20 dB"}},
                                true, -10, 30);
            break;
        case RasterStyle::throughput_mbps:
            body = pseudocolour({{0, "#440154", "0 Mbit/s"},
                                 {10, "#3b528b", "10"},
                                 {30, "#21918c", "30"},
                                 {60, "#5ec962", "60"},
                                 {100, "#fde725", "100 Mbit/s"}},
                                false, 0, 100);
            break;
        case RasterStyle::overlap:
            body = pseudocolour({{1, "#f0f0f0", "1 cell"},
                                 {2, "#fdae61", "2 cells within 6 dB"},
                                 {3, "#f46d43", "3 cells within 6 dB"},
                                 {kInf, "#a50026", "4 or more cells within 6 dB"}},
                                true, 1, 4);
            break;
        case RasterStyle::terrain_m:
            // Neutral greys and browns, so that signal colours drawn over it stay readable.
            body = pseudocolour({{0, "#f7f4ef", "0 m"},
                                 {100, "#e0d8cc", "100 m"},
                                 {300, "#c2b5a3", "300 m"},
                                 {700, "#9c8b77", "700 m"},
                                 {1200, "#6e604f", "1200 m"},
                                 {1600, "#4a4036", "1600 m"}},
                                false, 0, 1600);
            break;
        case RasterStyle::people:
            body = pseudocolour({{0.5, "#fff7ec", "< 0.5 people/pixel"},
                                 {2, "#fdd49e", "0.5 to 2"},
                                 {5, "#fc8d59", "2 to 5"},
                                 {20, "#d7301f", "5 to 20"},
                                 {kInf, "#7f0000", ">= 20 people/pixel"}},
                                true, 0, 40);
            break;
    }
    write_output_file(style_path(raster), header() + body + footer());
}

void write_server_style(const std::filesystem::path& raster,
                        const std::vector<std::pair<std::int32_t, std::string>>& cells) {
    // A fixed, well-spread palette (golden-angle hues) so neighbouring ids differ visibly.
    std::string body =
        "    <rasterrenderer type=\"paletted\" band=\"1\" opacity=\"1\" alphaBand=\"-1\" nodataColor=\"\">\n"
        "      <colorPalette>\n";
    for (const auto& [value, label] : cells) {
        const double h = std::fmod(value * 137.508, 360.0) / 60.0;
        const double s = 0.65;
        const double v = value % 2 == 0 ? 0.92 : 0.75;
        const double c = v * s;
        const double xx = c * (1 - std::abs(std::fmod(h, 2.0) - 1));
        const std::array<std::array<double, 3>, 6> rgb = {{{c, xx, 0}, {xx, c, 0}, {0, c, xx}, {0, xx, c}, {xx, 0, c}, {c, 0, xx}}};
        const auto& q = rgb[static_cast<std::size_t>(h) % 6];
        const auto to8 = [&](double ch) { return static_cast<int>((ch + v - c) * 255.0 + 0.5); };
        body += fmt::format("        <paletteEntry value=\"{}\" color=\"#{:02x}{:02x}{:02x}\" alpha=\"255\" label=\"{}\"/>\n",
                            value, to8(q[0]), to8(q[1]), to8(q[2]), xml_escape(label));
    }
    body += "      </colorPalette>\n    </rasterrenderer>\n";
    write_output_file(style_path(raster), header() + body + footer());
}

void write_outline_style(const std::filesystem::path& vector) {
    // A QGIS 3 vector style: single symbol, simple fill with no brush (layerGeometryType 2 =
    // polygon). <prop> elements are read by every QGIS 3 release.
    const std::string text =
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        "<qgis version=\"3.22.0\" styleCategories=\"Symbology\">\n"
        "  <renderer-v2 type=\"singleSymbol\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n"
        "    <symbols>\n"
        "      <symbol type=\"fill\" name=\"0\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">\n"
        "        <layer class=\"SimpleFill\" enabled=\"1\" pass=\"0\" locked=\"0\">\n"
        "          <prop k=\"color\" v=\"0,0,0,0\"/>\n"
        "          <prop k=\"style\" v=\"no\"/>\n"
        "          <prop k=\"outline_color\" v=\"35,35,35,255\"/>\n"
        "          <prop k=\"outline_style\" v=\"solid\"/>\n"
        "          <prop k=\"outline_width\" v=\"0.6\"/>\n"
        "          <prop k=\"outline_width_unit\" v=\"MM\"/>\n"
        "          <prop k=\"joinstyle\" v=\"round\"/>\n"
        "        </layer>\n"
        "      </symbol>\n"
        "    </symbols>\n"
        "    <rotation/>\n"
        "    <sizescale/>\n"
        "  </renderer-v2>\n"
        "  <blendMode>0</blendMode>\n"
        "  <featureBlendMode>0</featureBlendMode>\n"
        "  <layerGeometryType>2</layerGeometryType>\n"
        "</qgis>\n";
    write_output_file(style_path(vector), text);
}

}  // namespace phusong::io
