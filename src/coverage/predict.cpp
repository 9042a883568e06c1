// The prediction's scheduling (predict.hpp): sources operator by operator on every thread, each
// evaluated (evaluator.hpp) and merged into its layers' accumulators, then each layer composed
// (compose.hpp) and handed on as soon as its operator is done.
#include "phusong/coverage/predict.hpp"

#include <spdlog/spdlog.h>
#include <tbb/enumerable_thread_specific.h>

#include <algorithm>
#include <atomic>
#include <limits>
#include <map>
#include <memory>
#include <mutex>

#include "compose.hpp"
#include "evaluator.hpp"
#include "phusong/core/interrupt.hpp"
#include "phusong/core/log.hpp"
#include "phusong/core/parallel.hpp"
#include "setup.hpp"
#include "zones.hpp"

namespace phusong::coverage {

using namespace detail;

PredictionStats predict(const PredictionInputs& in, const std::function<void(LayerResult&&)>& on_layer) {
    const geo::Grid& grid = in.grid;
    const PredictionConfig& cfg = in.config;
    const sites::SiteTable& table = in.table;
    // The extended zone's block; 1: none.
    const int block = cfg.zones == ZoneMode::exact ? 1 : cfg.far_block_px;
    const Setup setup = make_setup(in, -std::numeric_limits<double>::infinity(), true, block);
    PredictionStats stats;
    stats.sources = setup.sources.size();
    stats.cells = table.cells.size();
    stats.model_warnings = setup.model_warnings;
    for (const auto& src : setup.sources) {
        stats.max_radius_m = std::max(stats.max_radius_m, src.sweep.radius_m);
        stats.mean_radius_m += src.sweep.radius_m;
    }
    stats.mean_radius_m /= static_cast<double>(std::max<std::size_t>(1, setup.sources.size()));
    stats.site_sources.assign(table.sites.size(), 0);
    stats.site_radius_sum_m.assign(table.sites.size(), 0.0);
    stats.site_radius_max_m.assign(table.sites.size(), 0.0);
    for (const auto& src : setup.sources) {
        ++stats.site_sources[src.site];
        stats.site_radius_sum_m[src.site] += src.sweep.radius_m;
        stats.site_radius_max_m[src.site] = std::max(stats.site_radius_max_m[src.site], src.sweep.radius_m);
    }

    const SweepSettings settings = SweepSettings::of(cfg);
    const Zones zones(grid, block);
    std::atomic<std::size_t> evaluations{0};
    tbb::enumerable_thread_specific<SourceEvaluator> evaluators;

    // Operator by operator: an operator's sources only feed its own layers.
    std::vector<std::string> operators;
    for (const auto& l : table.layers) {
        if (std::find(operators.begin(), operators.end(), l.operator_name) == operators.end()) {
            operators.push_back(l.operator_name);
        }
    }
    for (const std::string& op : operators) {
        std::map<std::size_t, std::unique_ptr<LayerAccumulator>> acc;
        std::map<std::size_t, std::unique_ptr<LayerAccumulator>> far_acc;  // far-zone blocks
        for (std::size_t l = 0; l < table.layers.size(); ++l) {
            if (table.layers[l].operator_name == op) {
                acc[l] = std::make_unique<LayerAccumulator>(grid.pixel_count(), zones.fine_tiles.size());
                if (zones.has_far()) {
                    far_acc[l] = std::make_unique<LayerAccumulator>(zones.coarse.pixel_count(),
                                                                    zones.coarse_tiles.size());
                }
            }
        }
        std::vector<const Source*> mine;
        for (const auto& s : setup.sources) {
            if (s.operator_name == op) mine.push_back(&s);
        }
        Progress progress("predict " + op, mine.size());
        parallel_for(std::size_t{0}, mine.size(), [&](std::size_t si) {
            throw_if_interrupted();
            evaluations += evaluators.local().evaluate(
                *mine[si], setup, in, settings, zones,
                [&](const CellPlan& cell, ZoneTile zt, std::span<const Hit> hits) {
                    LayerAccumulator& a = zt.far ? *far_acc.at(cell.layer) : *acc.at(cell.layer);
                    const auto cell_index = static_cast<std::int32_t>(cell.cell);
                    std::lock_guard lock(a.tile_locks[zt.tile]);
                    for (const Hit& h : hits) a.merge(h.index, h.signal_cdbm, cell_index);
                });
            progress.advance();
        });
        progress.finish();

        // Final maps of the operator's layers.
        for (auto& entry : acc) {
            const auto l = entry.first;
            auto& a = entry.second;
            if (zones.has_far()) {
                a->absorb_blocks(*far_acc.at(l), grid, zones.coarse, zones.block);
                far_acc.at(l).reset();
            }
            LayerResult res = compose_layer(*a, l, setup.models[setup.layer_model[l]], in);
            a.reset();
            on_layer(std::move(res));
        }
    }
    stats.pixel_evaluations = evaluations.load();
    for (const SourceEvaluator& e : evaluators) stats.extended_evaluations += e.extended_evaluations;
    for (const SourceEvaluator& e : evaluators) stats.itm_undefined += e.itm_undefined;
    if (stats.itm_undefined > 0) {
        spdlog::warn("ITM is not defined at {} pixel × band pairs, which get no signal: the surface "
                     "refractivity N_s = N_0·exp(−h/9460) of a path is outside 150–400 N-units (a high n0 "
                     "over ground below sea level) or the ground constants do not suit the frequency",
                     stats.itm_undefined);
    }
    return stats;
}

}  // namespace phusong::coverage
