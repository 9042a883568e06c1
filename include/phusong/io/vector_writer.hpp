#pragma once
/// Vector and table outputs: GeoJSON (RFC 7946: WGS 84 lon/lat, right-hand rings, ≤ 7 decimals),
/// GeoPackage (every layer in one file) and CSV (UTF-8, RFC 4180 quoting), through OGR. Generic:
/// the analysis writes its admin tables and gaps with it, the planning stage its candidates.
/// The analysis stage's outputs (tables, gaps, class rasters with their styles) are at the end.

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "phusong/analysis/analysis.hpp"
#include "phusong/geo/grid.hpp"

class OGRGeometry;

namespace phusong::io {

enum class FieldType { integer, real, text };

struct Field {
    std::string name;
    FieldType type = FieldType::text;
    int decimals = 6;  ///< reals: digits after the decimal point in CSV and GeoJSON
};

/// A cell: nothing (empty CSV cell / JSON null), an integer, a real or UTF-8 text.
using Value = std::variant<std::monostate, std::int64_t, double, std::string>;

struct Table {
    std::vector<Field> fields;
    std::vector<std::vector<Value>> rows;  ///< each row has one value per field
};

/// A layer of features: attributes and one geometry per row, in the CRS `epsg`.
struct VectorLayer {
    std::string name;   ///< layer name (GeoPackage table, GeoJSON "name")
    Table table;
    std::vector<std::unique_ptr<OGRGeometry>> geometries;  ///< per row; (multi)polygons or points
    int epsg = 4326;    ///< CRS of the geometries
    nlohmann::ordered_json metadata;  ///< GeoJSON: a foreign member "phusong"; GPKG: layer metadata
};

/// A CSV field: quoted, with its quotes doubled, when it holds a comma, a quote or a line break
/// (RFC 4180 §2, rules 6 and 7).
[[nodiscard]] std::string csv_text(const std::string& v);

/// Writes a CSV file. Throws Error if it cannot be written completely.
void write_csv(const std::filesystem::path& path, const Table& table);

/// Writes an RFC 7946 GeoJSON FeatureCollection (reprojected to WGS 84 by OGR, 7 decimals,
/// right-hand rings). Throws GdalError on failure (a partial file is removed).
void write_geojson(const std::filesystem::path& path, const VectorLayer& layer);

/// Writes every layer into one GeoPackage (in their own CRS). Throws GdalError on failure.
void write_geopackage(const std::filesystem::path& path, std::span<const VectorLayer* const> layers);

// --- the analysis stage's outputs (docs/outputs.md) -----------------------------------

/// Metadata stamped on every analysis output (engine version, config hash, thresholds).
struct AnalysisWriteOptions {
    std::map<std::string, std::string> tags;  ///< raster tags (PHUSONG_VERSION, PHUSONG_CONFIG_SHA256)
    nlohmann::ordered_json thresholds;        ///< analysis::thresholds_json(config)
    bool geopackage = false;                  ///< also analysis/analysis.gpkg (AnalysisConfig::geopackage)
};

/// Writes a class raster (byte: 0 none, 1 fair, 2 good, 255 outside the AOI) as a COG with its
/// categorised .qml style; the thresholds go into its metadata (PHUSONG_THRESHOLDS).
void write_class_raster(const std::filesystem::path& path, const geo::Grid& grid,
                        std::span<const std::uint8_t> classes, const std::string& view_name,
                        const AnalysisWriteOptions& options);

/// Writes analysis/coverage_summary.csv, sensitivity.csv, gaps.geojson and, with admin units,
/// admin_units.csv, admin_units.geojson and admin_coverage.csv (plus analysis.gpkg if asked), with
/// the .qml styles of the vector layers, under `root` (the output folder). The union views' class
/// rasters go to analysis/<view slug>_class.tif. Returns (relative path, description) of every
/// file written, for the manifest.
std::vector<std::pair<std::string, std::string>> write_analysis_outputs(
    const std::filesystem::path& root, const geo::Grid& grid, const analysis::AnalysisResult& result,
    const analysis::Accumulator& accumulator, const analysis::AdminUnits* admin,
    const analysis::CensusScaling& census, const phusong::AnalysisConfig& config,
    const AnalysisWriteOptions& options);

}  // namespace phusong::io
