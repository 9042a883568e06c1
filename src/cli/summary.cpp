#include "summary.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdio>

namespace phusong::cli {
namespace {

std::string thousands(double v) {
    std::string digits = fmt::format("{:.0f}", v);
    std::string out;
    const std::size_t start = digits.front() == '-' ? 1 : 0;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > start && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

/// "  coverage    LTE 97.1% of people (Viettel 95.0%, VNPT 80.2%)" per technology: the people
/// covered (fair or better) by any operator, then by each.
void print_coverage(const analysis::AnalysisResult& r) {
    for (const auto& all : r.views) {
        if (all.view.kind != analysis::ViewKind::technology_union) continue;
        const auto pct = [&](const analysis::ClassStats& s) {
            return r.aoi_population > 0 ? 100.0 * s.covered_population() / r.aoi_population : 0.0;
        };
        std::string ops;
        for (const auto& v : r.views) {
            if (v.view.kind != analysis::ViewKind::operator_union || v.view.tech != all.view.tech) continue;
            ops += fmt::format("{}{} {:.1f}%", ops.empty() ? "" : ", ", v.view.operator_name, pct(v.aoi));
        }
        std::printf("  coverage    %s %.1f%% of people (%s covered; %s)\n", std::string(radio::to_string(all.view.tech)).c_str(),
                    pct(all.aoi), thousands(all.aoi.covered_population()).c_str(), ops.c_str());
    }
}

/// Gaps are counted per view: the views overlap (a layer, its operator, all operators), so a
/// total over views would count the same hole several times. One line per technology for all
/// operators (count, people and the cause holding most of them), then the file's total.
void print_gaps(const analysis::AnalysisResult& r, const AnalysisConfig& c, double wall_s) {
    std::string per_tech;
    for (std::size_t v = 0; v < r.views.size(); ++v) {
        if (r.views[v].view.kind != analysis::ViewKind::technology_union) continue;
        std::size_t count = 0;
        double people = 0;
        std::array<double, analysis::kCauses> by_cause{};
        for (const auto& g : r.gaps) {
            if (g.view != v) continue;
            ++count;
            people += g.population;
            for (int k = 0; k < analysis::kCauses; ++k) by_cause[k] += g.cause_population[k];
        }
        std::string cause;
        if (count > 0) {
            const auto top = std::max_element(by_cause.begin(), by_cause.end()) - by_cause.begin();
            cause = fmt::format(", mostly {}", analysis::cause_name(static_cast<int>(top)));
        }
        per_tech += fmt::format("{}{} {} ({} people{})", per_tech.empty() ? "" : "; ",
                                radio::to_string(r.views[v].view.tech), count, thousands(people), cause);
    }
    if (!per_tech.empty()) std::printf("  gaps        all operators: %s\n", per_tech.c_str());
    std::printf("  analysis    %zu views, each with its own gaps (%zu polygons in gaps.geojson, overlapping across "
                "views; ≥ %g km2, ≥ %g people), %.1f s\n",
                r.views.size(), r.gaps.size(), c.gap_min_area_km2, c.gap_min_population, wall_s);
}

}  // namespace

void print_run_summary(const pipeline::RunSummary& s) {
    const double rel =
        s.people_in_aoi_source > 0 ? (s.people_in_aoi - s.people_in_aoi_source) / s.people_in_aoi_source : 0.0;
    std::printf("phusong run: %s\n", s.scenario_name.c_str());
    std::printf("  grid        EPSG:%d, %d x %d pixels of %g m, %zu tiles\n", s.grid.epsg, s.grid.cols, s.grid.rows,
                s.grid.resolution_m, s.grid.tiles().size());
    std::printf("  sites       %zu sites, %zu cells, %zu layers, %zu operators\n", s.sites, s.cells, s.layers, s.operators);
    std::printf("  AOI         %.1f km2\n", s.aoi_area_km2);
    std::printf("  population  %s people inside the AOI (source raster, area-weighted: %s; %+.2f%%)\n",
                thousands(s.people_in_aoi).c_str(), thousands(s.people_in_aoi_source).c_str(), rel * 100);
    std::printf("  prediction  %zu sources (site x antenna height), %zu cells, mean radius %.1f km, %.1f s (%.0f sites/s)\n",
                s.prediction.sources, s.prediction.cells, s.prediction.mean_radius_m / 1000.0, s.predict_s,
                static_cast<double>(s.sites) / std::max(s.predict_s, 1e-9));
    print_coverage(s.analysis);
    print_gaps(s.analysis, s.analysis_config, s.analyse_s);
    if (s.plan) {
        const auto& p = *s.plan;
        std::printf("  plan        %zu candidates, %zu sites to %.2f%% covered, cost %g%s\n", p.candidates.size(),
                    p.ranking.size(), 100 * (p.ranking.empty() ? 0.0 : p.ranking.back().covered_share),
                    p.ranking.empty() ? 0.0 : p.ranking.back().cumulative_cost,
                    p.target_reached ? "" : " (target not reached)");
        for (const auto& b : p.bounds) {
            std::printf("  plan bound  %d %s: greedy/optimal %s %.4f (%s)\n", b.budget,
                        s.budget_kind == PlanBudgetKind::sites ? "sites" : "cost units",
                        planning::proven_optimal(b.bound_source) ? "=" : "≥", b.ratio,
                        planning::to_string(b.bound_source));
        }
    }
    std::printf("  outputs     %s\n", s.outputs.c_str());
}

void print_analyse_summary(const pipeline::AnalyseSummary& s) {
    std::printf("phusong analyse: %s\n", s.scenario_name.c_str());
    std::printf("  population  %.0f people inside the AOI%s\n", s.analysis.aoi_population,
                s.census_applied ? fmt::format(" (rescaled to the census: {})", s.census_source).c_str() : "");
    print_coverage(s.analysis);
    print_gaps(s.analysis, s.analysis_config, s.wall_s);
    std::printf("  outputs     %s\n", s.outputs.c_str());
}

void print_plan_summary(const pipeline::PlanSummary& s) {
    const planning::PlanResult& plan = s.plan;
    const double existing = plan.people_in_aoi > 0 ? plan.people_covered_existing / plan.people_in_aoi : 0.0;
    std::printf("phusong plan\n");
    std::printf("  candidates  %zu (%zu upgrades, %zu greenfield), demand grid %g m, %zu cells with people to cover\n",
                plan.candidates.size(), plan.upgrades, plan.greenfield, plan.demand_cell_m, plan.demand_cells);
    std::printf("  existing NR %.0f of %.0f people (%.2f%%)\n", plan.people_covered_existing, plan.people_in_aoi,
                100 * existing);
    if (!plan.ranking.empty()) {
        std::printf("  ranking     %zu sites, cost %g: %.2f%% covered (target %s)\n", plan.ranking.size(),
                    plan.ranking.back().cumulative_cost, 100 * plan.ranking.back().covered_share,
                    plan.target_reached ? "reached" : "not reached");
    }
    for (const auto& b : plan.bounds) {
        const bool proven = planning::proven_optimal(b.bound_source);
        const std::string found = proven ? "" : fmt::format(", best found {:.0f}", b.ilp.objective);
        const std::string ilp = b.ilp.status == planning::IlpStatus::not_needed
                                    ? std::string("ILP not needed (the bound is within ilp_gap)")
                                    : fmt::format("ILP {} on {} candidates ({:.1f} s)", planning::to_string(b.ilp.status),
                                                  b.ilp.candidate_columns, b.ilp.wall_s);
        std::printf("  budget %-4d greedy %.0f%s, %s %.0f (%s): greedy/optimal %s %.4f; Lagrangian %.0f (%zu fixed "
                    "out, %.1f s), %s\n",
                    b.budget, b.greedy_people, found.c_str(), proven ? "optimum" : "bound", b.best_bound,
                    planning::to_string(b.bound_source), proven ? "=" : "≥", b.ratio, b.lagrangian.bound,
                    b.lagrangian.fixed_count, b.lagrangian.wall_s, ilp.c_str());
    }
    if (s.check) {
        const double curve = plan.ranking.empty() ? 0.0 : plan.ranking.back().covered_share;
        std::printf("  check       re-analysis of %zu sites on the %g m grid: %.2f%% covered (curve: %.2f%%), %.1f s\n",
                    s.check->sites, s.grid_resolution_m, 100 * s.check->covered_share, 100 * curve, s.check->wall_s);
    }
    std::printf("  time        %.1f s (candidates %.1f, footprints %.1f, greedy %.2f, bounds %.1f)\n", s.plan_s,
                plan.candidates_s, plan.footprints_s, plan.greedy_s, plan.bounds_s);
    std::printf("  outputs     %s\n", s.outputs.c_str());
}

void print_calibrate_summary(const pipeline::CalibrateSummary& s) {
    std::string layers;
    for (const auto& l : s.layers) layers += (layers.empty() ? "" : ", ") + l;
    std::printf("calibrate: %s\n", layers.c_str());
    std::printf("  measurements %s points read, %s used: %s observations of %zu cells on %zu sites\n",
                thousands(static_cast<double>(s.points_read)).c_str(), thousands(static_cast<double>(s.points_used)).c_str(),
                thousands(static_cast<double>(s.observations)).c_str(), s.cells, s.sites);
    std::printf("  before      mean %+.2f dB, std %.2f dB, RMSE %.2f dB (predicted - measured)\n", s.before.mean_db,
                s.before.std_db, s.before.rmse_db);
    if (s.fitted) {
        std::string terms;
        for (const auto& t : s.fitted_terms) terms += (terms.empty() ? "" : ", ") + t;
        std::printf("  after       mean %+.2f dB, std %.2f dB, RMSE %.2f dB (%d-fold cross-validation by site)\n",
                    s.after.mean_db, s.after.std_db, s.after.rmse_db, s.folds);
        std::printf("  fitted      %s\n", terms.c_str());
    }
    std::printf("  wall        %.1f s\n", s.wall_s);
    std::printf("outputs: %s (calibrated.toml, calibration.html)\n", s.outputs.string().c_str());
}

void print_shard_summary(const pipeline::ShardSummary& s) {
    std::printf("shard: %zu shard%s of %d × %d px (halo %d px) on a %d × %d px grid of %g m, EPSG:%d\n", s.shards,
                s.shards == 1 ? "" : "s", s.shard_px, s.shard_px, s.halo_px, s.grid.cols, s.grid.rows, s.grid.resolution_m, s.grid.epsg);
    std::printf("  sites       at most %zu read by one shard\n", s.max_sites);
    std::printf("  memory      about %.1f GB per shard (the largest halo window; --shard-px sets it)\n",
                static_cast<double>(s.shard_memory_bytes) / 1e9);
    std::printf("  plan        %s\n", (s.outputs / "shards.json").c_str());
    std::printf("run it with Slurm:\n");
    std::printf("  JID=$(sbatch --parsable %s)\n", s.shard_script.c_str());
    std::printf("  sbatch --dependency=afterok:$JID %s\n", s.merge_script.c_str());
}

void print_shard_run_summary(const pipeline::ShardRunSummary& s) {
    std::printf("shard %d of %zu: owned %d × %d px at col %d, row %d; halo %d × %d px; %zu sites\n", s.shard, s.shards,
                s.owned.cols, s.owned.rows, s.owned.col0, s.owned.row0, s.halo.cols, s.halo.rows, s.sites);
    std::printf("  prediction  %zu sources, %s pixel evaluations\n", s.prediction.sources,
                thousands(static_cast<double>(s.prediction.pixel_evaluations)).c_str());
    std::printf("  wall        %.1f s\n", s.wall_s);
    std::printf("  outputs     %s\n", s.outputs.c_str());
}

}  // namespace phusong::cli
