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
// When the scenario's default model is ITM (model = "itm", issue #8), both comparisons are of
// ITM's whole loss instead: the loss a pixel gets in the prediction (coverage::ItmRays: the
// nearest ray's terrain up to the nearest sample, the pixel's own ground, the free-space shift to
// its distance) against itm::p2p on the exact straight profile from the site to the point,
// sampled every grid step with the same bilinear DEM as coverage::exact_profile_loss_db, with the
// scenario's ITM parameters and the cell's frequency and height.
//
//   build/release/tools/sweep_accuracy gis_data/vinh_phuc.toml [--sites 20] [--seed 1] [--pixels 400]

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <span>
#include <stdexcept>
#include <vector>

#include "phusong/core/error.hpp"
#include "phusong/core/log.hpp"
#include "phusong/core/scenario.hpp"
#include "phusong/coverage/itm_sweep.hpp"
#include "phusong/coverage/sweep.hpp"
#include "phusong/geo/grid_inputs.hpp"
#include "phusong/radio/itm.hpp"
#include "phusong/radio/pathloss.hpp"
#include "phusong/sites/placement.hpp"
#include "phusong/sites/site_table.hpp"

using namespace phusong;

namespace {

/// ITM's loss on the exact straight profile from the source to (x_m, y_m): n = lround(d/step)
/// intervals (at least 1) of the same bilinear DEM as coverage::exact_profile_loss_db, the site's
/// ground at index 0, `params` as the prediction sets them (the cell's frequency and height).
/// The free-space term at the pixel's distance and ITM's loss come out of p2p as they are.
/// NaN where the DEM has no data or ITM is not defined there (std::domain_error).
radio::itm::Result exact_itm(const coverage::SweepSource& source, double x_m, double y_m, const geo::Grid& grid,
                             std::span<const float> dem_m, double step_m, const radio::itm::Params& params) {
    const double dist = std::hypot(x_m - source.x_m, y_m - source.y_m);
    const int n = std::max(1, static_cast<int>(std::lround(dist / step_m)));
    std::vector<double> h(static_cast<std::size_t>(n) + 1);
    radio::itm::Result nan;
    nan.loss_db = std::numeric_limits<double>::quiet_NaN();
    for (int i = 0; i <= n; ++i) {
        const double t = static_cast<double>(i) / n;
        h[static_cast<std::size_t>(i)] =
            i == 0 ? source.ground_m
                   : geo::sample_bilinear(grid, dem_m, grid.fcol(source.x_m + t * (x_m - source.x_m)),
                                          grid.frow(source.y_m + t * (y_m - source.y_m)));
        if (!std::isfinite(h[static_cast<std::size_t>(i)])) return nan;
    }
    try {
        return radio::itm::p2p(h, dist / n, params);
    } catch (const std::domain_error&) {
        return nan;
    }
}

}  // namespace

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
        const sites::SiteTable table = sites::read_site_table(s.inputs);
        const geo::GridInputs g = geo::build_grid_inputs(s.inputs, s.grid);
        const auto placements = sites::place_sites(table, g.grid, g.dem_m, g.aoi_mask);
        const PredictionConfig& pc = s.prediction;
        const int block = pc.far_block_px;
        coverage::SweepSettings settings = coverage::SweepSettings::of(pc);
        // One sweep for both zones: rays one pixel apart out to near_radius_m and one block apart
        // at the radius, whichever is denser (the extended zone's own rays are that sparse).
        if (block > 1) settings.ray_radius_m = std::max(std::min(radius_m, pc.near_radius_m), radius_m / block);
        const double block_m = block * g.grid.resolution_m;
        std::mt19937_64 rng(seed);
        std::vector<double> abs_delta;
        std::vector<double> abs_delta_shadowed;  // where the exact loss is ≥ 6 dB (ITM: 6 dB over free space)
        std::vector<double> abs_predicted;       // as predicted, every pixel
        std::vector<double> abs_predicted_far;   // as predicted, far-zone pixels
        coverage::RadialSweep sweep;
        const bool itm = pc.model.kind == radio::ModelKind::itm;
        coverage::ItmRays itm_rays;
        std::size_t itm_undefined = 0;  // pixels where ITM failed in the sweep or on the exact profile
        if (itm) fmt::print("model = itm: ITM through ItmRays against itm::p2p on the exact profile\n");
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
            // ITM: the pixels are queued on the sweep's rays and evaluated together, as predict does.
            struct Queued {
                double x, y, ex, ey;
                bool far;
            };
            std::vector<Queued> queued;
            radio::itm::Params itm_params = pc.model.itm;
            itm_params.freq_mhz = cell.freq_mhz;
            itm_params.h_tx_m = cell.height_agl_m;
            itm_params.h_rx_m = pc.receiver_height_m;
            if (itm) itm_rays.reset(sweep);
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
                if (itm) {
                    const int ray = sweep.ray_of(std::atan2(ex - src.x_m, ey - src.y_m));
                    if (!std::isfinite(ground) || !sweep.reaches(ray, ed)) continue;
                    itm_rays.add(static_cast<std::uint32_t>(queued.size()), ray, ed, static_cast<float>(ground));
                    queued.push_back({x, y, ex, ey, far});
                    continue;
                }
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
            if (itm && !queued.empty()) {
                std::vector<float> swept(queued.size());
                itm_rays.evaluate(sweep, std::span(&itm_params, 1), queued.size(), swept);
                for (std::size_t i = 0; i < queued.size(); ++i) {
                    const Queued& q = queued[i];
                    const radio::itm::Result here =
                        exact_itm(src, q.ex, q.ey, g.grid, g.dem_m, sweep.step_m(), itm_params);
                    const double exact =
                        q.far ? exact_itm(src, q.x, q.y, g.grid, g.dem_m, sweep.step_m(), itm_params).loss_db
                              : here.loss_db;
                    if (!std::isfinite(swept[i]) || !std::isfinite(here.loss_db) || !std::isfinite(exact)) {
                        ++itm_undefined;
                        continue;
                    }
                    const double delta = std::abs(swept[i] - here.loss_db);
                    site_delta.push_back(delta);
                    if (here.loss_db - here.free_space_loss_db >= 6.0) abs_delta_shadowed.push_back(delta);
                    abs_predicted.push_back(std::abs(swept[i] - exact));
                    if (q.far) abs_predicted_far.push_back(std::abs(swept[i] - exact));
                }
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
        report(itm ? "sweep, pixels where exact ITM loss >= free space + 6 dB"
                   : "sweep, shadowed pixels (exact loss >= 6 dB)",
               abs_delta_shadowed);
        report("as predicted, all pixels", abs_predicted);
        report("as predicted, far-zone pixels", abs_predicted_far);
        if (itm_undefined > 0) fmt::print("ITM not defined (left out): {} pixels\n", itm_undefined);
    } catch (const Error& e) {
        fmt::print(stderr, "error: {}\n", e.what());
        return static_cast<int>(e.exit_code());
    }
    return 0;
}
