#pragma once
/// Outputs of the planning stage (docs/outputs.md): candidates.geojson (RFC 7946, WGS 84),
/// coverage_curve.csv, coverage_curve.png, and the manifest's "plan" section.

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

/// candidates.geojson with its QGIS style (candidates.qml), coverage_curve.csv and
/// coverage_curve.png into `dir` (created if needed). Returns (file name in `dir`, description) of
/// every file written, for the manifest.
std::vector<std::pair<std::string, std::string>> write_plan(const std::filesystem::path& dir,
                                                            const planning::PlanResult& plan);

}  // namespace phusong::io
