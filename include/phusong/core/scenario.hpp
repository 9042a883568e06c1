#pragma once
/// The scenario file (TOML): what to compute, on which inputs. README "Scenario format" documents
/// every key; each default lives here and only here.

#include <filesystem>
#include <optional>
#include <string>

namespace phusong {

/// Input files. Relative paths in the TOML are resolved against the scenario file's folder.
struct InputsConfig {
    std::filesystem::path dem;         ///< elevation raster, metres above the geoid
    std::filesystem::path population;  ///< people per pixel (a count, not a density)
    std::filesystem::path aoi;         ///< polygon layer; the union of its features is the AOI
    std::filesystem::path sites;       ///< site/cell table: CSV, GeoJSON, GPKG or Shapefile
    std::optional<std::filesystem::path> admin;  ///< admin-unit polygons for tables (optional)
    std::string admin_name_field = "name";       ///< attribute holding the admin unit's name
    std::optional<std::string> admin_code_field; ///< attribute holding its code, if any
};

/// The analysis grid (DESIGN.md "Grid").
struct GridConfig {
    double resolution_m = 30.0;    ///< pixel size, metres
    double margin_m = 2000.0;      ///< added around the AOI's bounding box, metres
    int tile_size_px = 512;        ///< tile edge, pixels
    std::optional<int> epsg;       ///< projected CRS; default: UTM zone of the AOI centroid
};

struct Scenario {
    std::filesystem::path file;  ///< the scenario file itself
    std::string name;            ///< [scenario] name, shown in reports
    InputsConfig inputs;
    GridConfig grid;
    std::string config_hash;     ///< sha256 of the parsed scenario in canonical TOML form
};

/// Parses and validates a scenario file. Reports every problem at once (InputError, exit 3):
/// TOML syntax, unknown keys (with the nearest known key), wrong types, out-of-range values and
/// input files that do not exist.
[[nodiscard]] Scenario load_scenario(const std::filesystem::path& file);

}  // namespace phusong
