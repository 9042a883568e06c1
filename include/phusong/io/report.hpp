#pragma once
/// The HTML report, one self-contained file per language (report.html in English, report.vi.html
/// in Vietnamese; [report] languages): an executive page first (the share of people and of area
/// covered per technology, operator and admin unit, the 5G plan in a paragraph and a table, the
/// caveats that change how the numbers read), then maps of one view each, then the detail tables
/// in an appendix. Maps are palette PNGs drawn from the outputs, with their titles, legends,
/// labels, scale bar and north arrow written as HTML/SVG around and over them (so in any script).
/// No script, no network, no absolute path; A4 print style. Built from what is in the output
/// folder; a stage that did not run is shown as "not run".

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "phusong/core/scenario.hpp"
#include "phusong/io/qgs_project.hpp"

namespace phusong::io {

/// The report's title: the manifest's scenario name, else its scenario file name.
[[nodiscard]] std::string scenario_title(const nlohmann::ordered_json& manifest);

/// A number as a reader of `lang` writes it, rounded to `decimals`: en 1,233.3 and vi 1.233,3
/// (Vietnamese: TCVN/Decree 30/2020 usage, dot for thousands and comma for decimals); a minus
/// sign (U+2212) for negatives, "–" for NaN.
[[nodiscard]] std::string format_number(double value, int decimals, ReportLanguage lang);

/// A share (0…1) as a percentage: 0.98934 → en "98.9%", vi "98,9%".
[[nodiscard]] std::string format_share(double share, int decimals, ReportLanguage lang);

/// "report.html" (en) or "report.vi.html" (vi).
[[nodiscard]] std::string report_file_name(ReportLanguage lang);

/// The languages the manifest's "report" section names (written by `run` from [report]
/// languages); English and Vietnamese when it has none.
[[nodiscard]] std::vector<ReportLanguage> report_languages(const nlohmann::ordered_json& manifest);

class VectorCache;

/// The report page in `lang`, reading the folder's vector files through `vectors` (none: a cache
/// of its own; pages in several languages share one). Deterministic: the same folder gives the
/// same bytes (no clock is read; times shown are the manifest's). Throws Error/GdalError if a map
/// cannot be drawn.
[[nodiscard]] std::string report_html(const std::filesystem::path& dir, const nlohmann::ordered_json& manifest,
                                      const OutputCatalogue& catalogue, ReportLanguage lang,
                                      VectorCache* vectors = nullptr);

/// A file written by write_presentation, for the manifest's "outputs".
struct PresentationFile {
    std::string path;         ///< relative to the output folder
    std::string description;
};

/// Writes the report of each language (temporary file + rename). Returns the files written.
std::vector<PresentationFile> write_reports(const std::filesystem::path& dir, const nlohmann::ordered_json& manifest,
                                            const OutputCatalogue& catalogue);

/// Everything a person opens: the AOI outline (aoi.geojson + aoi.qml, when the folder has none),
/// coverage.qgs and the reports, each written through a temporary file and a rename so that the
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
