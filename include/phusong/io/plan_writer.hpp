#pragma once
/// Outputs of the planning stage (docs/outputs.md): candidates.geojson (RFC 7946, WGS 84),
/// candidates.csv, candidates.kmz, candidates.gpkg, coverage_curve.csv, coverage_curve.png, and
/// the manifest's "plan" section.

#include <filesystem>
#include <string>
#include <utility>
#include <vector>
#include <nlohmann/json.hpp>

#include "phusong/core/plan_config.hpp"
#include "phusong/planning/plan.hpp"

namespace phusong::io {

/// Every candidate as a GeoJSON point (GDAL's GeoJSON driver, RFC7946=YES): the ranked ones first
/// in rank order, then the others (rank and ranking fields null). GdalError on failure.
void write_candidates_geojson(const std::filesystem::path& path, const planning::PlanResult& plan);

/// The ranked candidates as CSV (UTF-8), in rank order: rank, site_id, kind (upgrade/greenfield),
/// operator, lon, lat (WGS 84), admin_unit, ground_m, height_agl_m, people_gained,
/// cumulative_people, covered_share, cost, cumulative_cost, people_per_cost.
void write_candidates_csv(const std::filesystem::path& path, const planning::PlanResult& plan);

/// The ranked candidates as a KMZ for Google Earth (GDAL's LIBKML driver: candidates.kml in a
/// zip): one placemark per candidate named "#rank site_id", with a description and the columns
/// of candidates.csv as ExtendedData, coloured by rank band, names shown on the top ranks.
/// GdalError on failure.
void write_candidates_kmz(const std::filesystem::path& path, const planning::PlanResult& plan);

/// The ranking as CSV: rank 0 is the existing NR layer, then one row per pick with marginal and
/// cumulative people, covered share and cost.
void write_coverage_curve_csv(const std::filesystem::path& path, const planning::PlanResult& plan);

/// A PNG plot (GDAL's PNG driver): covered share versus number of sites (left panel) and versus
/// cumulative cost (right panel), from the existing NR layer's share at 0; titles, axis titles,
/// share grid every 10 % (labelled every 20 %), x grid and labels at round steps.
void write_coverage_curve_png(const std::filesystem::path& path, const planning::PlanResult& plan);

/// The manifest's "plan" section: settings that matter, counts, timings, ranking summary, and
/// per ILP budget the greedy value, CBC status, optimum or bound, gap and ratio.
[[nodiscard]] nlohmann::ordered_json plan_manifest_section(const planning::PlanResult& plan,
                                                           const PlanConfig& config);

/// candidates.geojson with its QGIS style (candidates.qml), candidates.csv, candidates.kmz,
/// coverage_curve.csv, coverage_curve.png and, with `geopackage`, candidates.gpkg into `dir`
/// (created if needed). Returns (file name in `dir`, description) of every file written, for the
/// manifest.
std::vector<std::pair<std::string, std::string>> write_plan(const std::filesystem::path& dir,
                                                            const planning::PlanResult& plan, bool geopackage);

}  // namespace phusong::io
