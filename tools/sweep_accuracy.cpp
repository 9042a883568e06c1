// Sweep accuracy report (issue #3): picks N random sites of a scenario (seeded), predicts their
// terrain diffraction loss with the radial sweep and with an exact per-pixel profile (the
// whole-profile functions of radio/diffraction.hpp on the straight line to the pixel centre), and
// prints the median and 95th percentile of |Δ| over every pixel within each site's radius.
// The empirical part of the path loss is evaluated at the exact pixel distance in both, so |Δ| is
// the error of the total path loss.
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
        const coverage::SweepSettings settings{s.prediction.receiver_height_m, s.prediction.k_factor,
                                               s.prediction.diffraction, s.prediction.ray_spacing_px};
        std::mt19937_64 rng(seed);
        std::vector<double> abs_delta;
        std::vector<double> abs_delta_shadowed;  // where the exact loss is ≥ 6 dB
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
                float swept_f[coverage::RadialSweep::kMaxFrequencies];
                const double ground = g.dem_m[g.grid.index((*px)[0], (*px)[1])];
                if (!sweep.losses_db(sweep.ray_of(std::atan2(dx, dy)), d, ground, swept_f)) continue;
                const double swept = swept_f[0];
                const double exact = coverage::exact_profile_loss_db(src, x, y, cell.freq_mhz, g.grid, g.dem_m,
                                                                     settings, sweep.step_m());
                if (!std::isfinite(swept) || !std::isfinite(exact)) continue;
                site_delta.push_back(std::abs(swept - exact));
                if (exact >= 6.0) abs_delta_shadowed.push_back(std::abs(swept - exact));
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
        report("all pixels", abs_delta);
        report("shadowed pixels (exact loss >= 6 dB)", abs_delta_shadowed);
    } catch (const Error& e) {
        fmt::print(stderr, "error: {}\n", e.what());
        return static_cast<int>(e.exit_code());
    }
    return 0;
}
