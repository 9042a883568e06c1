// The prediction alone (issue #3): times coverage::predict on a scenario, with no output written,
// and fingerprints what it computed, so that a change to the sweep can be shown to give the same
// maps (same fingerprint) or measured against a previous run (--save / --compare).
//
//   build/release/tools/predict_bench SCENARIO.toml [--threads N] [--save DIR] [--compare DIR]
//
// Prints the prediction's wall time, sources per second, the cell × pixel evaluations, and one
// SHA-256 over every layer's best, second, server, overlap and SINR arrays. --save writes each
// layer's best signal as raw float32 (DIR/<layer index>.f32); --compare reads them back and prints,
// over the pixels with a signal in both runs, the median, 95th percentile and largest |Δ| of the
// best signal (dB), and how many pixels have a signal in one run only.

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <tbb/global_control.h>
#include <tbb/info.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "phusong/core/error.hpp"
#include "phusong/core/hash.hpp"
#include "phusong/core/log.hpp"
#include "phusong/core/scenario.hpp"
#include "phusong/coverage/predict.hpp"
#include "phusong/geo/grid_inputs.hpp"
#include "phusong/sites/placement.hpp"
#include "phusong/sites/site_table.hpp"

using namespace phusong;

namespace {

template <typename T>
std::string_view bytes_of(const std::vector<T>& v) {
    return {reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T)};
}

double quantile(std::vector<double>& v, double q) {
    if (v.empty()) return std::nan("");
    const auto k = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
    return v[k];
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"time coverage::predict alone and fingerprint its maps"};
    std::string scenario_file;
    int threads = 0;
    std::string save_dir;
    std::string compare_dir;
    app.add_option("scenario", scenario_file)->required();
    app.add_option("--threads", threads, "worker threads (default: all cores)");
    app.add_option("--save", save_dir, "write each layer's best signal (float32) into this folder");
    app.add_option("--compare", compare_dir, "compare the best signals with those saved in this folder");
    CLI11_PARSE(app, argc, argv);
    init_logging(Verbosity::quiet);
    try {
        const int n = threads > 0 ? threads : tbb::info::default_concurrency();
        tbb::global_control parallelism(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(n));
        const Scenario s = load_scenario(scenario_file);
        const sites::SiteTable table = sites::read_site_table(s.inputs);
        const geo::GridInputs g = geo::build_grid_inputs(s.inputs, s.grid);
        const auto placements = sites::place_sites(table, g.grid, g.dem_m, g.aoi_mask);
        const coverage::AntennaCatalogue antennas = coverage::load_antennas(s.antennas, table, s.file);
        const coverage::PredictionInputs in{g.grid,   g.dem_m, table, placements, s.prediction,
                                            antennas, {},    coverage::zone_thresholds_dbm(s.analysis, s.plan)};
        if (!save_dir.empty()) std::filesystem::create_directories(save_dir);

        std::string fingerprint;
        std::vector<double> abs_delta;
        std::size_t one_only = 0;
        const auto t0 = std::chrono::steady_clock::now();
        const coverage::PredictionStats stats = coverage::predict(in, [&](coverage::LayerResult&& r) {
            fingerprint = sha256_hex(fingerprint + sha256_hex(bytes_of(r.best_dbm)) + sha256_hex(bytes_of(r.second_dbm)) +
                                     sha256_hex(bytes_of(r.server)) + sha256_hex(bytes_of(r.n_within_6db)) +
                                     sha256_hex(bytes_of(r.sinr_db)));
            const std::string file = fmt::format("{}.f32", r.layer);
            if (!save_dir.empty()) {
                std::ofstream(std::filesystem::path(save_dir) / file, std::ios::binary)
                    .write(bytes_of(r.best_dbm).data(), static_cast<std::streamsize>(bytes_of(r.best_dbm).size()));
            }
            if (!compare_dir.empty()) {
                std::vector<float> ref(r.best_dbm.size());
                std::ifstream saved(std::filesystem::path(compare_dir) / file, std::ios::binary);
                saved.read(reinterpret_cast<char*>(ref.data()), static_cast<std::streamsize>(ref.size() * sizeof(float)));
                if (!saved || saved.peek() != std::ifstream::traits_type::eof()) {
                    throw Error("--compare " + compare_dir + ": " + file + " is missing or not a layer of this grid (" +
                                std::to_string(ref.size()) + " float32 values expected); save it with --save from the "
                                "same scenario");
                }
                for (std::size_t i = 0; i < ref.size(); ++i) {
                    const bool a = std::isfinite(ref[i]);
                    const bool b = std::isfinite(r.best_dbm[i]);
                    if (a && b) abs_delta.push_back(std::abs(static_cast<double>(r.best_dbm[i]) - ref[i]));
                    one_only += a != b ? 1 : 0;
                }
            }
        });
        const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        fmt::print("prediction: {} sources, {} cells, {:.2f} s wall on {} threads ({:.1f} sources/s, {:.1f} ms per "
                   "source-thread), {} cell x pixel evaluations\n",
                   stats.sources, stats.cells, wall_s, n, static_cast<double>(stats.sources) / wall_s,
                   1000.0 * wall_s * n / static_cast<double>(stats.sources), stats.pixel_evaluations);
        fmt::print("fingerprint: {}\n", fingerprint);
        if (!compare_dir.empty()) {
            const std::size_t both = abs_delta.size();
            const double median = quantile(abs_delta, 0.5);
            const double p95 = quantile(abs_delta, 0.95);
            const double worst = abs_delta.empty() ? std::nan("") : *std::max_element(abs_delta.begin(), abs_delta.end());
            fmt::print("best signal against {}: {} pixels in both, median |d| {:.3f} dB, p95 {:.3f} dB, max {:.2f} dB; "
                       "{} pixels with a signal in one run only\n",
                       compare_dir, both, median, p95, worst, one_only);
        }
    } catch (const Error& e) {
        fmt::print(stderr, "predict_bench: {}\n", e.what());
        return 1;
    }
    return 0;
}
