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

/// 5G candidates (plan/candidates.geojson): rule-based by `rank` band (1–10, 11–50, 51–200,
/// beyond; unranked small and grey) and `kind` (upgrade: circle, new: triangle), top ranks drawn
/// on top, ranked points labelled with their rank.
void write_candidates_style(const std::filesystem::path& vector_file);

/// Coverage classes as a categorised (paletted) raster: none, fair, good.
void write_class_raster_style(const std::filesystem::path& raster);

}  // namespace phusong::io
