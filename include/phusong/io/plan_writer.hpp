#pragma once
/// Outputs of the planning stage (README "Outputs"): candidates.geojson (RFC 7946, WGS 84),
/// coverage_curve.csv, coverage_curve.png, and the manifest's "plan" section.

#include <filesystem>
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
/// cumulative cost (right panel); grid lines every 10 % of share and every tenth of the axes.
void write_coverage_curve_png(const std::filesystem::path& path, const planning::PlanResult& plan);

/// The manifest's "plan" section: settings that matter, counts, timings, ranking summary, and
/// per ILP budget the greedy value, CBC status, optimum or bound, gap and ratio.
[[nodiscard]] nlohmann::ordered_json plan_manifest_section(const planning::PlanResult& plan,
                                                           const PlanConfig& config);

/// All three files into `dir` (created if needed).
void write_plan(const std::filesystem::path& dir, const planning::PlanResult& plan);

}  // namespace phusong::io
