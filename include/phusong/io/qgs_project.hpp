#pragma once
/// The QGIS project of an output folder (coverage.qgs): every raster and vector output in groups,
/// each with the .qml style beside it embedded, relative paths, the grid's CRS, and a few layers
/// visible by default. Built from what is in the folder: manifest.json and the files.

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace phusong::io {

/// One map layer found in an output folder.
struct CatalogueLayer {
    std::string id;                   ///< unique and stable: "phusong_" + the relative path, '/' and '.' as '_'
    std::string name;                 ///< shown in the layer tree, e.g. "RSRP (dBm)"
    std::filesystem::path relative;   ///< file, relative to the output folder ('/' separators)
    bool raster = true;               ///< GeoTIFF (gdal provider) or vector (ogr provider)
    bool visible = false;             ///< checked in the layer tree when the project opens
    std::string kind;                 ///< file stem: "rsrp", "server", "gaps", "aoi", …
};

/// A group of the layer tree: its layers, then its subgroups, top of the drawing order first.
struct CatalogueGroup {
    std::string name;
    std::vector<CatalogueLayer> layers;
    std::vector<CatalogueGroup> groups;
};

/// What an output folder holds, as the project and the report show it.
struct OutputCatalogue {
    /// Root of the layer tree: the AOI outline (when present) on top, then the groups "Plan",
    /// "Network" (the sites and cells), "Analysis", "Coverage layers" (one subgroup per radio
    /// layer: signal, best server, SINR, throughput, coverage class, overlap, second-best) and
    /// "Base" (terrain, population). A stage that did not run leaves its group out. Visible: the
    /// outline, the candidates, the cells and the best-of-operators coverage class (LTE, else
    /// NR, UMTS, GSM); without an analysis, the signal raster and the terrain.
    CatalogueGroup root;
    std::optional<std::filesystem::path> outline;  ///< AOI outline, relative (aoi.geojson)
    /// The signal raster to map (the alphabetically first operator's RSRP layer reaching the most
    /// pixels), relative.
    std::optional<std::filesystem::path> signal;
    int epsg = 0;                                  ///< the grid's CRS (manifest "grid")
};

/// File name of the AOI outline that write_outline() puts in an output folder.
inline constexpr const char* kOutlineFile = "aoi.geojson";

/// Makes sure `dir` holds the AOI outline as RFC 7946 GeoJSON (`aoi.geojson`, WGS 84 lon/lat,
/// 7 decimals, right-hand rings) with its style (`aoi.qml`), converted from the manifest's "aoi"
/// input when the folder has none. The input path is taken as recorded (absolute, or relative to
/// the working directory, as `run` resolved it); a file whose sha256 differs from the manifest's
/// is used with a warning. Returns the relative path, or nullopt (with a warning) when the input
/// cannot be found. Written through a temporary file and a rename.
std::optional<std::filesystem::path> write_outline(const std::filesystem::path& dir,
                                                   const nlohmann::ordered_json& manifest);

/// Lists the map layers of an output folder from its manifest ("layers", "outputs", "grid") and
/// the files under layers/, analysis/ and plan/. InputError if the manifest lacks "grid".
[[nodiscard]] OutputCatalogue catalogue_outputs(const std::filesystem::path& dir,
                                                const nlohmann::ordered_json& manifest);

/// The QGIS 3 project XML for a catalogue: relative data sources (./…), each layer's .qml embedded
/// (QGIS applies a .qml automatically only when a file is opened on its own, not from a project),
/// CRS and extent from the files, project CRS and canvas extent from the grid. Deterministic.
[[nodiscard]] std::string project_xml(const std::filesystem::path& dir, const OutputCatalogue& catalogue,
                                      const std::string& title);

/// Writes `dir/coverage.qgs` (temporary file + rename). Returns its path.
std::filesystem::path write_project(const std::filesystem::path& dir, const OutputCatalogue& catalogue,
                                    const std::string& title);

}  // namespace phusong::io
