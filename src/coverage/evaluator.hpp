#pragma once
// The evaluator: a source's signal at every pixel of its zones, cell by cell. It holds the
// per-pixel work of the prediction (the sweep's terrain losses, the empirical and ITM path loss,
// each cell's antenna gain and signal, with their SIMD kernels) behind one call per source, so
// that it is the one part an accelerated backend would replace (DESIGN.md "Area sweep"); the
// composition into layers (compose.hpp) and the scheduling (predict.cpp) stay as they are.

#include <cstdint>
#include <functional>
#include <span>
#include <utility>
#include <vector>

#include "phusong/coverage/itm_sweep.hpp"
#include "phusong/coverage/sweep.hpp"
#include "setup.hpp"
#include "zones.hpp"

namespace phusong::coverage::detail {

/// A signal at or above its cell's floor: the pixel (or block) index in its zone's grid and the
/// signal in centi-dBm (the accumulators' unit, compose.hpp).
struct Hit {
    std::uint32_t index = 0;
    std::int16_t signal_cdbm = 0;
};

/// Empirical loss sampled every step/4 from 0 to the source radius, for linear interpolation per
/// pixel (the largest error, next to the site, is under 0.1 dB beyond 60 m); beyond the last
/// sample, its value. A source's tables all have the same step and length, so a pixel's place in
/// them (point) serves every band.
struct LossTable {
    double inv_step = 0;
    // One value more than the samples, a copy of the last: a point beyond the table reads it
    // with weight 0 (t + 0·0 is t exactly).
    std::vector<float> los;
    std::vector<float> nlos;  // empty unless the model's LOS branch follows the terrain
    struct Point {
        std::size_t i = 0;  ///< the sample below (the last one beyond the table)
        float w = 0;        ///< weight of the sample above (0 beyond the table)
    };
    [[nodiscard]] Point point(double d_m) const noexcept {
        const double x = d_m * inv_step;
        const auto i = static_cast<std::size_t>(x);
        const std::size_t samples = los.size() - 1;
        if (i + 1 >= samples) return {samples - 1, 0.0f};
        return {i, static_cast<float>(x - static_cast<double>(i))};
    }
    [[nodiscard]] float at(Point p, bool terrain_los) const noexcept {
        const std::vector<float>& t = (nlos.empty() || terrain_los) ? los : nlos;
        return t[p.i] + p.w * (t[p.i + 1] - t[p.i]);
    }
};

/// Receives one cell's hits in one tile of one zone.
using ZoneSink = std::function<void(const CellPlan& cell, ZoneTile tile, std::span<const Hit> hits)>;


/// One thread's evaluation of sources: the sweep, the path loss per pixel shared by the
/// source's cells, then each cell's signal. Scratch memory is kept between sources.
class SourceEvaluator {
public:
    /// For every tile of each zone the source reaches and every cell with a signal there, calls
    /// `sink(cell, zone_tile, hits)` with the pixels (or far-zone blocks) of the tile where the
    /// cell's signal is at or above its floor. Returns the number of cell × pixel signal
    /// evaluations.
    std::size_t evaluate(const Source& src, const Setup& setup, const PredictionInputs& in,
                         const SweepSettings& settings, const Zones& zones, const ZoneSink& sink);

private:
    /// Which cells a zone's point is evaluated for: every cell (one zone), the cells its block is
    /// exact for (m_block_exact), or every cell at a block centre of the extended zone, which
    /// decides there whether the block stays exact for the cell (CellPlan::refine_dbm) or is
    /// the extended zone's.
    enum class ZoneTest { none, exact, extended };
    /// The blocks of the extended zone's window (m_blocks), their centres' distance and azimuth,
    /// and for each cell whether its bound at its threshold (CellPlan::exact_m) holds the block,
    /// in the bin of its centre: the exact zone before the extended zone's evaluation refines it.
    /// Within `min_radius_m` of the site a block the bound holds stays exact.
    void prepare_blocks(const Source& src, const Zones& zones, double min_radius_m);
    /// After the extended zone's evaluation (m_block_signal): leaves to the extended zone each
    /// cell's blocks whose signal, and every neighbour's, is below its refine_dbm.
    void refine_blocks(const Source& src);
    /// Hands the sink each cell's blocks of the extended zone with a signal at or above its floor.
    void emit_blocks(const Source& src, const Zones& zones, const ZoneSink& sink);
    /// One zone: every point of `g` (the grid, or the block grid of the extended zone) within
    /// `radius_m` of the source and on `sweep`'s rays (prepared: the zone's points are wanted,
    /// then the rays swept), on ground `ground_of(col, row)`.
    template <typename Ground>
    std::size_t evaluate_zone(const Source& src, const PredictionInputs& in, RadialSweep& sweep, const geo::Grid& g,
                              const Zones& zones, ZoneTest test, double radius_m, Ground&& ground_of,
                              const ZoneSink& sink);

    RadialSweep m_sweep;           ///< the only zone's, or the exact zone's
    RadialSweep m_extended_sweep;  ///< the extended zone's, its rays a block apart at the radius
    ItmRays m_itm;
    std::vector<radio::itm::Params> m_itm_params;  ///< per ITM band of the source
    std::vector<std::size_t> m_itm_slot;          ///< per band: its index in m_itm_params, or npos
    std::vector<float> m_itm_loss;                ///< [ITM band][window pixel], dB
    std::vector<std::size_t> m_empirical;         ///< the bands but ITM's: they add terrain diffraction
    std::vector<LossTable> m_loss_tables;
    std::vector<float> m_diff_factor;
    std::vector<float> m_clutter_factor;  ///< per band: the weight of the clutter loss (SPM: Kclutter)
    // Per pixel of a zone's window (evaluate_zone): distance (m; −1: no prediction), azimuth
    // (0 … 360°), ray, ground (m), depression angle seen from the antenna (degrees), and the
    // path loss of each band but ITM's (which has m_itm_loss), [band][pixel], dB.
    std::vector<double> m_wdist;
    std::vector<float> m_waz;
    std::vector<int> m_wray;
    std::vector<float> m_wground;
    std::vector<float> m_wdep;
    std::vector<float> m_wloss;
    std::vector<std::uint32_t> m_ray_start;  ///< per ray: where its pixels start in the m_by_ray_*
    // The window's pixels ray by ray: distance (m), ground (m), index in the window; a ray's run
    // of the first two is what RadialSweep::ray_losses_db reads.
    std::vector<double> m_by_ray_d;
    std::vector<float> m_by_ray_ground;
    std::vector<std::uint32_t> m_by_ray_w;
    std::vector<float> m_ray_loss;            ///< one ray's ray_losses_db: losses, reached
    std::vector<std::uint8_t> m_ray_reached;
    std::vector<geo::Window> m_cell_windows;  ///< per cell of the source: reach_window
    std::vector<double> m_row_d2;             ///< one window row's row_geometry: squared distance,
    std::vector<double> m_row_az;             ///< azimuth (degrees) and distance of each pixel
    std::vector<double> m_row_d;
    std::vector<Hit> m_hits;                  ///< one cell's hits in one tile, for the sink
    // The blocks of the extended zone's window (prepare_blocks): per block, its centre's distance
    // (m) and azimuth (0 … 360°), whether it is exact for some cell, and [cell][block] whether it
    // is exact for the cell.
    geo::Window m_blocks;
    std::vector<float> m_block_d;
    std::vector<float> m_block_az;
    std::vector<std::uint8_t> m_block_any;
    std::vector<std::uint8_t> m_block_exact;
    std::vector<float> m_block_signal;  ///< [cell][block]: its signal at the centre, dBm; NaN: none
    std::vector<geo::Window> m_block_windows;  ///< per cell: its reach's blocks (of m_blocks), beyond
                                               ///< which it has neither exact block nor signal
    std::vector<std::uint8_t> m_row_exact;           ///< one cell's exact blocks over a window row, per pixel
    std::vector<geo::Window> m_exact_boxes;          ///< per cell: its exact blocks' box, grid pixels
    std::vector<std::pair<int, int>> m_exact_spans;  ///< per row of m_blocks: its exact blocks' columns
    float m_block_near_m = 0;  ///< within it, every block a cell's bound holds is exact for it
    bool m_refines = false;    ///< some cell of the source has a finite refine_dbm
public:
    std::size_t itm_undefined = 0;  ///< pixel × band where ITM failed (PredictionStats)
    std::size_t extended_evaluations = 0;  ///< cell × block evaluations of the extended zone
};

}  // namespace phusong::coverage::detail
