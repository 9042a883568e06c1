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

/// A group of the gaps of one view (or kind of view) in the gap style: features whose `field`
/// equals `value`.
struct GapStyleView {
    std::string field;   ///< "layer" (the view's name) or "view_kind"
    std::string value;
    std::string label;   ///< shown in QGIS's layer panel
    bool shown = false;  ///< on when the layer opens
};

/// Gap polygons: one rule per view group (switched on and off in QGIS's layer panel, only the
/// `shown` ones on), each graduated by population (people).
void write_gap_style(const std::filesystem::path& vector_file, const std::vector<GapStyleView>& views);

/// Admin units graduated by the covered share (0–1) of `share_attribute`.
void write_admin_style(const std::filesystem::path& vector_file, const std::string& share_attribute);

/// Ranks up to this one are labelled on the candidates' map.
inline constexpr int kLabelledRanks = 20;

/// 5G candidates (plan/candidates.geojson): rule-based by `rank` band (1–20, 21–100 on; 101–300,
/// beyond and the unranked off) and `kind` (upgrade: circle, greenfield: triangle), top ranks
/// drawn on top, ranks 1 to kLabelledRanks labelled with their rank.
void write_candidates_style(const std::filesystem::path& vector_file);

/// Cells (analysis/cells.geojson, one point per cell): a 90° sector centred on `azimuth_deg`,
/// sized in metres on the ground, coloured by `technology` (GSM, UMTS, LTE, NR).
void write_cells_style(const std::filesystem::path& vector_file);

/// Coverage classes as a categorised (paletted) raster: none, fair, good.
void write_class_raster_style(const std::filesystem::path& raster);

}  // namespace phusong::io
