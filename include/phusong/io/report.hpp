#pragma once
/// report.html: one self-contained page (maps inlined as PNG, no script, no network) with the run's
/// key figures, tables, maps drawn from the outputs, parameters and data sources. Built from what
/// is in the output folder; a stage that did not run is shown as "not run".

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "phusong/io/qgs_project.hpp"

namespace phusong::io {

/// The report's title: the manifest's scenario name, else its scenario file name.
[[nodiscard]] std::string scenario_title(const nlohmann::ordered_json& manifest);

/// The report page. Deterministic: the same folder gives the same bytes (no clock is read; times
/// shown are the manifest's). Throws Error/GdalError if a map cannot be drawn.
[[nodiscard]] std::string report_html(const std::filesystem::path& dir, const nlohmann::ordered_json& manifest,
                                      const OutputCatalogue& catalogue);

/// Writes `dir/report.html` (temporary file + rename). Returns its path.
std::filesystem::path write_report(const std::filesystem::path& dir, const nlohmann::ordered_json& manifest,
                                   const OutputCatalogue& catalogue);

/// A file written by write_presentation, for the manifest's "outputs".
struct PresentationFile {
    std::string path;         ///< relative to the output folder
    std::string description;
};

/// Everything a person opens: the AOI outline (aoi.geojson + aoi.qml, when the folder has none),
/// coverage.qgs and report.html, each written through a temporary file and a rename so that the
/// folder is never left half-written. `manifest` is the folder's manifest (possibly not yet
/// written to disk, as inside `run`).
std::vector<PresentationFile> write_presentation(const std::filesystem::path& dir,
                                                 const nlohmann::ordered_json& manifest);

/// The same, reading `dir/manifest.json`. InputError (exit 3) if `dir` is not a folder or its
/// manifest is missing or not JSON.
std::vector<PresentationFile> write_presentation(const std::filesystem::path& dir);

/// Reads and parses `dir/manifest.json`; InputError naming the problem otherwise.
[[nodiscard]] nlohmann::ordered_json read_manifest(const std::filesystem::path& dir);

}  // namespace phusong::io
