#pragma once
/// Reading polygon layers (AOI, admin units) into memory, in a chosen CRS, repaired if invalid.

#include <ogr_geometry.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "phusong/geo/grid.hpp"

namespace phusong::geo {

struct PolygonFeature {
    long fid = 0;
    std::unique_ptr<OGRGeometry> geometry;        ///< (multi)polygon in the requested CRS
    std::map<std::string, std::string> fields;    ///< attribute values as text (UTF-8)
};

struct PolygonLayer {
    std::string file;
    std::vector<PolygonFeature> features;
    std::vector<std::string> repaired;  ///< "feature 3: ring self-intersection" for each repair
};

/// Reads every (multi)polygon feature of the first layer, transformed to `target`, repairing
/// invalid geometries with GEOS make-valid (each repair is reported in `repaired`). InputError if
/// the layer has no CRS, no polygon, or a geometry that cannot be repaired.
[[nodiscard]] PolygonLayer read_polygons(const std::filesystem::path& path, const std::string& role,
                                         const OGRSpatialReference& target);

/// The union of all features (GEOS cascaded union).
[[nodiscard]] std::unique_ptr<OGRGeometry> union_all(const PolygonLayer& layer);

[[nodiscard]] Bounds envelope(const OGRGeometry& g);

}  // namespace phusong::geo
