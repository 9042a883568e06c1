// The prediction's scheduling (predict.hpp): sources in operator order on every thread, each
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

    // Operator by operator: an operator's sources only feed its own layers, so only the operators
    // under way hold accumulators. Every thread takes the next source in that order, whatever
    // operator it belongs to; the thread that finishes an operator's last source composes its
    // layers while the others go on with the next operator's sources.
    struct OperatorWork {
        std::string name;
        std::vector<std::size_t> layers;
        std::vector<const Source*> sources;
        std::once_flag started;
        std::map<std::size_t, std::unique_ptr<LayerAccumulator>> acc;
        std::map<std::size_t, std::unique_ptr<LayerAccumulator>> far_acc;  // far-zone blocks
        std::unique_ptr<Progress> progress;
        std::atomic<std::size_t> remaining{0};
        std::vector<LayerResult> composed;
        bool ready = false;  // composed, under emit_lock
    };
    std::vector<std::unique_ptr<OperatorWork>> ops;
    for (std::size_t l = 0; l < table.layers.size(); ++l) {
        const auto it = std::find_if(ops.begin(), ops.end(),
                                     [&](const auto& o) { return o->name == table.layers[l].operator_name; });
        OperatorWork& op = it != ops.end() ? **it : *ops.emplace_back(std::make_unique<OperatorWork>());
        op.name = table.layers[l].operator_name;
        op.layers.push_back(l);
    }
    std::vector<std::pair<OperatorWork*, const Source*>> order;
    for (auto& op : ops) {
        for (const auto& s : setup.sources) {
            if (s.operator_name == op->name) op->sources.push_back(&s);
        }
        op->remaining = op->sources.size();
        for (const Source* s : op->sources) order.emplace_back(op.get(), s);
    }
    const auto start = [&](OperatorWork& op) {
        std::call_once(op.started, [&] {
            for (const std::size_t l : op.layers) {
                op.acc[l] = std::make_unique<LayerAccumulator>(grid.pixel_count(), zones.fine_tiles.size());
                if (zones.has_far()) {
                    op.far_acc[l] = std::make_unique<LayerAccumulator>(zones.coarse.pixel_count(), zones.coarse_tiles.size());
                }
            }
            op.progress = std::make_unique<Progress>("predict " + op.name, op.sources.size());
        });
    };
    // Hands the composed operators on in their order, each as soon as those before it are.
    std::mutex emit_lock;
    std::size_t next_emit = 0;
    const auto finish = [&](OperatorWork& op) {
        op.progress->finish();
        for (const std::size_t l : op.layers) {
            auto& a = op.acc.at(l);
            if (zones.has_far()) {
                a->absorb_blocks(*op.far_acc.at(l), grid, zones.coarse, zones.block);
                op.far_acc.at(l).reset();
            }
            op.composed.push_back(compose_layer(*a, l, setup.models[setup.layer_model[l]], in));
            a.reset();
        }
        const std::lock_guard lock(emit_lock);
        op.ready = true;
        for (; next_emit < ops.size() && ops[next_emit]->ready; ++next_emit) {
            for (LayerResult& r : ops[next_emit]->composed) on_layer(std::move(r));
            ops[next_emit]->composed.clear();
        }
    };
    for (auto& op : ops) {
        if (op->sources.empty()) {  // layers without a source: composed empty, in their turn
            start(*op);
            finish(*op);
        }
    }
    parallel_for_in_order(std::size_t{0}, order.size(), [&](std::size_t i) {
        throw_if_interrupted();
        OperatorWork& op = *order[i].first;
        start(op);
        evaluations += evaluators.local().evaluate(
            *order[i].second, setup, in, settings, zones,
            [&](const CellPlan& cell, ZoneTile zt, std::span<const Hit> hits) {
                LayerAccumulator& a = zt.far ? *op.far_acc.at(cell.layer) : *op.acc.at(cell.layer);
                const auto cell_index = static_cast<std::int32_t>(cell.cell);
                std::lock_guard lock(a.tile_locks[zt.tile]);
                for (const Hit& h : hits) a.merge(h.index, h.signal_cdbm, cell_index);
            });
        op.progress->advance();
        if (--op.remaining == 0) finish(op);
    });
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
