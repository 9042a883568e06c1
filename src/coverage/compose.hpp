#pragma once
// Composition of cells' signals into a layer's maps: the deterministic accumulator every
// evaluated signal is merged into, and the layer's final maps (best, second, server, overlap,
// SINR, throughput) from it.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <mutex>
#include <vector>

#include "phusong/coverage/predict.hpp"

namespace phusong::coverage::detail {

// ---------------------------------------------------------------------------------------------
// Deterministic accumulation. Signals are kept in centi-dB (int16: 0.01 dB steps, ±327 dBm) and
// powers as integers of 1e-16 mW, so that max, top-4 and sums give the same bits in any order,
// whatever the thread count. 1e-16 mW is −160 dBm, 20 dB under the lowest floor.
constexpr int kQMin = -16000;  // −160 dBm
constexpr int kQMax = 2000;    // +20 dBm: no received signal comes near it
constexpr std::int16_t kNone = std::numeric_limits<std::int16_t>::min();

/// 10^(q/1000 + 16) for q from kQMin to kQMax: a centi-dBm signal's power in 1e-16 mW.
inline const std::vector<std::int64_t>& power_table() {
    static const std::vector<std::int64_t> table = [] {
        std::vector<std::int64_t> t(kQMax - kQMin + 1);
        for (int q = kQMin; q <= kQMax; ++q) {
            t[q - kQMin] = std::llround(std::pow(10.0, q / 1000.0 + 16.0));
        }
        return t;
    }();
    return table;
}

inline std::int64_t power_units(int q) {
    return power_table()[static_cast<std::size_t>(std::clamp(q, kQMin, kQMax) - kQMin)];
}

/// One layer's composition so far, on a grid (the analysis grid, or the far zone's block grid).
struct LayerAccumulator {
    std::vector<std::array<std::int16_t, 4>> top;  // four best signals, centi-dBm, descending
    std::vector<std::int32_t> server;
    std::vector<std::int64_t> power_sum;          // Σ signal power, 1e-16 mW
    std::vector<std::mutex> tile_locks;

    LayerAccumulator(std::size_t pixels, std::size_t tiles)
        : top(pixels, {kNone, kNone, kNone, kNone}),
          server(pixels, -1),
          power_sum(pixels, 0),
          tile_locks(tiles) {}

    void merge(std::size_t i, std::int16_t q, std::int32_t cell) {
        if (q > top[i][0] || (q == top[i][0] && cell < server[i])) server[i] = cell;
        insert(top[i], q);
        power_sum[i] += power_units(q);
    }

    /// Adds the far zone's signals (`far`, one entry per pixel of `blocks`, the grid of
    /// `block` × `block` pixel blocks of `grid`) to every pixel of its block: the same result as
    /// merging them pixel by pixel.
    void absorb_blocks(const LayerAccumulator& far, const geo::Grid& grid, const geo::Grid& blocks, int block) {
        for (int row = 0; row < grid.rows; ++row) {
            for (int col = 0; col < grid.cols; ++col) {
                const std::size_t j = blocks.index(col / block, row / block);
                const auto& ft = far.top[j];
                if (ft[0] == kNone) continue;
                const std::size_t i = grid.index(col, row);
                if (ft[0] > top[i][0] || (ft[0] == top[i][0] && far.server[j] < server[i])) server[i] = far.server[j];
                for (const std::int16_t q : ft) {
                    if (q != kNone) insert(top[i], q);
                }
                power_sum[i] += far.power_sum[j];
            }
        }
    }

private:
    static void insert(std::array<std::int16_t, 4>& t, std::int16_t q) {
        if (q <= t[3]) return;
        int j = 3;
        while (j > 0 && q > t[j - 1]) {
            t[j] = t[j - 1];
            --j;
        }
        t[j] = q;
    }
};

/// The layer's final maps from its accumulator `acc` (the far zone's blocks already absorbed):
/// best and second signal, server, cells within 6 dB and, for LTE/NR, SINR at the configured
/// load and throughput. `acc` is left emptied (its server map moved out).
[[nodiscard]] LayerResult compose_layer(LayerAccumulator& acc, std::size_t layer, const radio::ModelConfig& model,
                                        const PredictionInputs& in);

}  // namespace phusong::coverage::detail
