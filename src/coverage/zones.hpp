#pragma once
// Where a source's signal is evaluated: the main zone on the grid's pixels, the extended zone on
// blocks of pixels (PredictionConfig::far_block_px), and each cell's part of the grid.

#include <cmath>
#include <limits>
#include <vector>

#include "phusong/geo/grid.hpp"
#include "setup.hpp"

namespace phusong::coverage::detail {


/// Where a source's signal is evaluated: the grid's pixels in each cell's exact zone
/// (CellPlan::exact_m), and beyond it blocks of `block` × `block` pixels, aligned on the grid.
struct Zones {
    geo::Grid coarse;                       ///< one pixel per block, same origin
    std::vector<geo::Window> fine_tiles;
    std::vector<geo::Window> coarse_tiles;
    int block = 1;

    Zones(const geo::Grid& grid, int block_px) : block(block_px) {
        fine_tiles = grid.tiles();
        if (block > 1) {
            coarse = grid;
            coarse.resolution_m = grid.resolution_m * block;
            coarse.cols = (grid.cols + block - 1) / block;  // partial blocks at the right and bottom
            coarse.rows = (grid.rows + block - 1) / block;
            coarse.tile_size_px = std::max(1, grid.tile_size_px / block);
            coarse_tiles = coarse.tiles();
        }
    }
    [[nodiscard]] bool has_far() const noexcept { return block > 1; }
};

/// The part of the grid a sink receives signals for: a tile of the grid (indices Grid::index),
/// or a tile of the far zone's block grid (indices Zones::coarse.index).
struct ZoneTile {
    bool far = false;
    std::size_t tile = 0;
};


/// The pixels of `g` whose centres can lie within a cell's reach (CellPlan::radius_m, per 5° of
/// azimuth offset), with a pixel's margin: the bounding box of the reach's sectors, each the box of
/// its arc's ends, of the compass points within it and of the site. The cell loop needs no pixel
/// outside it (the sweep's pixels are shared by every cell of a source, most reach far in one
/// direction only).
[[nodiscard]] geo::Window reach_window(const CellPlan& cell, const Source& src, const geo::Grid& g);

}  // namespace phusong::coverage::detail
