// Site footprints for planning (footprint.hpp): each site's own best signal, through the same
// set-up and evaluator as the prediction, not composed into layers.
#include "phusong/coverage/footprint.hpp"

#include <tbb/enumerable_thread_specific.h>

#include <algorithm>
#include <limits>

#include "compose.hpp"
#include "evaluator.hpp"
#include "phusong/core/interrupt.hpp"
#include "phusong/core/parallel.hpp"
#include "setup.hpp"
#include "zones.hpp"

namespace phusong::coverage {

using namespace detail;

std::vector<Footprint> site_footprints(const PredictionInputs& in, double threshold_dbm) {
    // Footprints are for planning on a demand grid that is itself coarse: no extended zone.
    const Setup setup = make_setup(in, threshold_dbm, false, 1);
    const SweepSettings settings = SweepSettings::of(in.config);
    const Zones zones(in.grid, 1);
    tbb::enumerable_thread_specific<SourceEvaluator> evaluators;
    // Each source's (pixel, signal) pairs, then per site the strongest per pixel.
    std::vector<std::vector<std::pair<std::uint32_t, std::int16_t>>> hits(setup.sources.size());
    parallel_for(std::size_t{0}, setup.sources.size(), [&](std::size_t si) {
        throw_if_interrupted();
        auto& out = hits[si];
        evaluators.local().evaluate(setup.sources[si], setup, in, settings, zones,
                                    [&](const CellPlan& /*cell*/, ZoneTile /*tile*/, std::span<const Hit> hits) {
                                        for (const Hit& h : hits) out.emplace_back(h.index, h.signal_cdbm);
                                    });
    });
    std::vector<Footprint> footprints(in.table.sites.size());
    std::vector<std::vector<std::size_t>> by_site(in.table.sites.size());
    for (std::size_t si = 0; si < setup.sources.size(); ++si) by_site[setup.sources[si].site].push_back(si);
    parallel_for(std::size_t{0}, by_site.size(), [&](std::size_t s) {
        Footprint& f = footprints[s];
        std::size_t count = 0;
        std::uint32_t first = std::numeric_limits<std::uint32_t>::max();
        std::uint32_t last = 0;
        for (std::size_t si : by_site[s]) {
            count += hits[si].size();
            for (const auto& [pixel, q] : hits[si]) {
                first = std::min(first, pixel);
                last = std::max(last, pixel);
            }
        }
        if (count == 0) return;
        // The strongest signal per pixel, in ascending pixel order: the pairs come tile by tile
        // and cell by cell, so through a dense array of maxima over the span of pixel indices
        // they touch (for a site's disc, its rows: a few times the number of pairs).
        std::vector<std::int16_t> best(static_cast<std::size_t>(last - first) + 1, kNone);
        for (std::size_t si : by_site[s]) {
            for (const auto& [pixel, q] : hits[si]) {
                std::int16_t& b = best[pixel - first];
                b = std::max(b, q);
            }
        }
        f.pixels.reserve(count);
        f.signal_dbm.reserve(count);
        for (std::size_t k = 0; k < best.size(); ++k) {
            if (best[k] == kNone) continue;
            f.pixels.push_back(first + static_cast<std::uint32_t>(k));
            f.signal_dbm.push_back(best[k] / 100.0f);
        }
    });
    return footprints;
}

}  // namespace phusong::coverage
