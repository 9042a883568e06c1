// Sweep accuracy report (issue #3): picks N random sites of a scenario (seeded), predicts their
// terrain diffraction loss with the radial sweep and with an exact per-pixel profile (the
// whole-profile functions of radio/diffraction.hpp on the straight line to the pixel centre), and
// prints the median and 95th percentile of |Δ| over random pixels within each site's radius.
//
// Two comparisons:
//  - "sweep": the sweep at the point the prediction evaluates (the pixel in the main zone, its
//    block's centre in the far zone) against the exact profile to that same point: the error of
//    the sweep alone. The empirical part is the same in both and cancels.
//  - "as predicted": the path loss a pixel gets in the prediction (empirical model + sweep at the
//    evaluated point) against empirical model + exact profile at the pixel itself: the sweep's
//    error plus the far zone's (one value per block, prediction.far_block_px beyond
//    prediction.near_radius_m). The empirical model is the scenario's default one.
//
//   build/release/tools/sweep_accuracy gis_data/vinh_phuc.toml [--sites 20] [--seed 1] [--pixels 400]

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "phusong/core/error.hpp"
#include "phusong/core/log.hpp"
#include "phusong/core/scenario.hpp"
#include "phusong/coverage/sweep.hpp"
#include "phusong/geo/grid_inputs.hpp"
#include "phusong/radio/pathloss.hpp"
#include "phusong/sites/placement.hpp"
#include "phusong/sites/site_table.hpp"

using namespace phusong;

int main(int argc, char** argv) {
    CLI::App app{"radial sweep vs exact per-pixel profile: |Δ path loss| statistics"};
    std::string scenario_file;
    int n_sites = 20;
    unsigned seed = 1;
    int pixels_per_site = 400;
    double radius_m = 10000;
    app.add_option("scenario", scenario_file)->required();
    app.add_option("--sites", n_sites, "random sites");
    app.add_option("--seed", seed, "random seed");
    app.add_option("--pixels", pixels_per_site, "random pixels per site within the radius");
    app.add_option("--radius", radius_m, "radius, m");
    CLI11_PARSE(app, argc, argv);
    init_logging(Verbosity::quiet);
    try {
        const Scenario s = load_scenario(scenario_file);
        const sites::SiteTable table = sites::read_site_table(s.inputs.sites);
        const geo::GridInputs g = geo::build_grid_inputs(s.inputs, s.grid);
        const auto placements = sites::place_sites(table, g.grid, g.dem_m, g.aoi_mask);
        const PredictionConfig& pc = s.prediction;
        const int block = pc.far_block_px;
        const coverage::SweepSettings settings{pc.receiver_height_m, pc.k_factor, pc.diffraction,
                                               pc.ray_spacing_px, block > 1 ? pc.near_radius_m : 1e300, block};
        const double block_m = block * g.grid.resolution_m;
        std::mt19937_64 rng(seed);
        std::vector<double> abs_delta;
        std::vector<double> abs_delta_shadowed;  // where the exact loss is ≥ 6 dB
        std::vector<double> abs_predicted;       // as predicted, every pixel
        std::vector<double> abs_predicted_far;   // as predicted, far-zone pixels
        coverage::RadialSweep sweep;
        std::uniform_int_distribution<std::size_t> pick(0, table.sites.size() - 1);
        std::uniform_real_distribution<double> unit(0.0, 1.0);
        fmt::print("{:>10} {:>9} {:>7} {:>10} {:>10} {:>10}\n", "site", "freq_MHz", "pixels",
                   "median|Δ|", "p95|Δ|", "max|Δ|");
        for (int n = 0; n < n_sites; ++n) {
            const std::size_t si = pick(rng);
            const auto& site = table.sites[si];
            const auto& cell = table.cells[site.cells.front()];
            coverage::SweepSource src;
            src.x_m = placements[si].x_m;
            src.y_m = placements[si].y_m;
            src.ground_m = placements[si].ground_m;
            src.height_agl_m = cell.height_agl_m;
            src.radius_m = radius_m;
            src.freqs_mhz = {cell.freq_mhz};
            sweep.run(src, g.grid, g.dem_m, settings);
            std::vector<double> site_delta;
            for (int p = 0; p < pixels_per_site; ++p) {
                // Uniform over the disc: the area weighting of a real coverage map.
                const double r = radius_m * std::sqrt(unit(rng));
                const double a = 2.0 * M_PI * unit(rng);
                const auto px = g.grid.pixel_of(src.x_m + r * std::sin(a), src.y_m + r * std::cos(a));
                if (!px) continue;
                const double x = g.grid.col_center_x((*px)[0]);
                const double y = g.grid.row_center_y((*px)[1]);
                const double dx = x - src.x_m;
                const double dy = y - src.y_m;
                const double d = std::hypot(dx, dy);
                if (d > radius_m || d < 1.0) continue;
                // The point the prediction evaluates for this pixel (predict.cpp, Zones).
                double ex = x;
                double ey = y;
                double ground = g.dem_m[g.grid.index((*px)[0], (*px)[1])];
                bool far = false;
                if (block > 1) {
                    const double bx = g.grid.origin_x_m + ((*px)[0] / block + 0.5) * block_m;
                    const double by = g.grid.origin_y_m - ((*px)[1] / block + 0.5) * block_m;
                    if (std::hypot(bx - src.x_m, by - src.y_m) > pc.near_radius_m) {
                        far = true;
                        ex = bx;
                        ey = by;
                        ground = geo::sample_bilinear(g.grid, g.dem_m, std::min(g.grid.fcol(bx), g.grid.cols - 0.5),
                                                      std::min(g.grid.frow(by), g.grid.rows - 0.5));
                    }
                }
                const double ed = std::hypot(ex - src.x_m, ey - src.y_m);
                float swept_f[coverage::RadialSweep::kMaxFrequencies];
                if (!std::isfinite(ground) ||
                    !sweep.losses_db(sweep.ray_of(std::atan2(ex - src.x_m, ey - src.y_m)), ed, ground, swept_f)) {
                    continue;
                }
                const double swept = swept_f[0];
                const double exact_here = coverage::exact_profile_loss_db(src, ex, ey, cell.freq_mhz, g.grid, g.dem_m,
                                                                          settings, sweep.step_m());
                const double exact = far ? coverage::exact_profile_loss_db(src, x, y, cell.freq_mhz, g.grid, g.dem_m,
                                                                           settings, sweep.step_m())
                                         : exact_here;
                if (!std::isfinite(swept) || !std::isfinite(exact) || !std::isfinite(exact_here)) continue;
                site_delta.push_back(std::abs(swept - exact_here));
                if (exact_here >= 6.0) abs_delta_shadowed.push_back(std::abs(swept - exact_here));
                auto empirical = [&](double dist) {
                    return radio::path_loss_db(pc.model, {std::max(dist, 1.0), cell.freq_mhz, cell.height_agl_m,
                                                          pc.receiver_height_m, 0.0, 0.0, true});
                };
                const double predicted = std::abs(empirical(ed) + swept - (empirical(d) + exact));
                abs_predicted.push_back(predicted);
                if (far) abs_predicted_far.push_back(predicted);
            }
            if (site_delta.empty()) continue;
            std::vector<double> sorted = site_delta;
            std::sort(sorted.begin(), sorted.end());
            fmt::print("{:>10} {:>9.1f} {:>7} {:>10.3f} {:>10.3f} {:>10.3f}\n", site.site_id, cell.freq_mhz,
                       sorted.size(), sorted[sorted.size() / 2], sorted[sorted.size() * 95 / 100], sorted.back());
            abs_delta.insert(abs_delta.end(), site_delta.begin(), site_delta.end());
        }
        auto report = [](const char* label, std::vector<double> v) {
            if (v.empty()) return;
            std::sort(v.begin(), v.end());
            fmt::print("{}: {} pixels, median |Δ| = {:.3f} dB, 95th percentile |Δ| = {:.3f} dB, max {:.2f} dB\n",
                       label, v.size(), v[v.size() / 2], v[v.size() * 95 / 100], v.back());
        };
        report("sweep, all pixels", abs_delta);
        report("sweep, shadowed pixels (exact loss >= 6 dB)", abs_delta_shadowed);
        report("as predicted, all pixels", abs_predicted);
        report("as predicted, far-zone pixels", abs_predicted_far);
    } catch (const Error& e) {
        fmt::print(stderr, "error: {}\n", e.what());
        return static_cast<int>(e.exit_code());
    }
    return 0;
}
