// A layer's final maps from its accumulator (compose.hpp).
#include "compose.hpp"

#include <algorithm>
#include <cmath>

#include "phusong/core/parallel.hpp"
#include "phusong/radio/link_budget.hpp"
#include "setup.hpp"

namespace phusong::coverage::detail {

LayerResult compose_layer(LayerAccumulator& acc, std::size_t l, const radio::ModelConfig& model,
                          const PredictionInputs& in) {
    constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
    const PredictionConfig& cfg = in.config;
    const sites::SiteTable& table = in.table;
    const sites::Layer& layer = table.layers[l];
    LayerResult res;
    res.name = layer.name;
    res.layer = l;
    res.tech = layer.tech;
    res.signal = signal_name(layer.tech);
    res.model = model;
    res.floor_dbm = floor_for(layer.tech, cfg);
    const bool lte_nr = layer.tech == radio::Technology::lte || layer.tech == radio::Technology::nr;
    res.noise_dbm = radio::noise_power_dbm(layer.tech, layer.tech == radio::Technology::nr ? cfg.nr_scs_khz : 15,
                                           cfg.noise_figure_db);
    const double noise_mw = std::pow(10.0, res.noise_dbm / 10.0);
    const std::size_t np = in.grid.pixel_count();
    res.best_dbm.assign(np, kNaN);
    res.second_dbm.assign(np, kNaN);
    res.n_within_6db.assign(np, 0);
    res.server = std::move(acc.server);
    if (lte_nr) {
        res.sinr_db.assign(np, kNaN);
        res.throughput_mbps.assign(np, kNaN);
    }
    // Pixel by pixel, each on its own: in parallel, chunk by chunk.
    constexpr std::size_t kChunk = std::size_t{1} << 16;
    parallel_for(std::size_t{0}, (np + kChunk - 1) / kChunk, [&](std::size_t chunk) {
        for (std::size_t i = chunk * kChunk; i < std::min(np, (chunk + 1) * kChunk); ++i) {
            const auto& t = acc.top[i];
            if (t[0] == kNone) continue;
            res.best_dbm[i] = t[0] / 100.0f;
            if (t[1] != kNone) res.second_dbm[i] = t[1] / 100.0f;
            std::uint8_t n6 = 0;
            for (std::int16_t q : t) n6 += static_cast<std::uint8_t>(q != kNone && q >= t[0] - 600);
            res.n_within_6db[i] = n6;
            if (lte_nr) {
                const std::int64_t s = power_units(t[0]);
                const double s_mw = static_cast<double>(s) * 1e-16;
                const double i_mw = static_cast<double>(acc.power_sum[i] - s) * 1e-16 * cfg.load;
                const double sinr = 10.0 * std::log10(s_mw / (i_mw + noise_mw));
                res.sinr_db[i] = static_cast<float>(sinr);
                const double bw = table.cells[static_cast<std::size_t>(res.server[i])].bandwidth_mhz;
                res.throughput_mbps[i] = static_cast<float>(radio::downlink_throughput(sinr, bw).throughput_mbps);
            }
        }
    });
    return res;
}

}  // namespace phusong::coverage::detail
