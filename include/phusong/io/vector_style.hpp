#pragma once
/// QGIS styles (.qml) for the vector outputs and the coverage-class rasters, written beside each
/// file with the same base name so that QGIS applies them when it opens the file.

#include <filesystem>
#include <string>
#include <vector>

namespace phusong::io {

/// Graduated fill of polygons by a numeric attribute: class upper bounds with colours and labels.
struct GraduatedClass {
    double lower;
    double upper;
    std::string colour;  ///< "#rrggbb"
    std::string label;
};

/// Writes `<file without extension>.qml`: polygons filled by `attribute` in the given classes.
void write_graduated_polygon_style(const std::filesystem::path& vector_file, const std::string& attribute,
                                   const std::vector<GraduatedClass>& classes);

/// Gap polygons graduated by population (people).
void write_gap_style(const std::filesystem::path& vector_file);

/// Admin units graduated by the covered share (0–1) of `share_attribute`.
void write_admin_style(const std::filesystem::path& vector_file, const std::string& share_attribute);

/// Coverage classes as a categorised (paletted) raster: none, fair, good.
void write_class_raster_style(const std::filesystem::path& raster);

}  // namespace phusong::io
