#pragma once
/// Footprints for planning: each site's own best signal over a grid, with the same sweep, models,
/// antennas and link budget as the prediction (predict.hpp), but not composed into layers.

#include <cstdint>
#include <vector>

#include "phusong/coverage/predict.hpp"

namespace phusong::coverage {

/// The pixels where one site's best cell reaches `threshold_dbm`, ascending pixel index
/// (Grid::index), with that best signal in dBm.
struct Footprint {
    std::vector<std::uint32_t> pixels;
    std::vector<float> signal_dbm;
};

/// One footprint per site of `in.table` (same order as SiteTable::sites): for every pixel of
/// `in.grid`, the strongest of the site's cells, kept where it is ≥ threshold_dbm. That is the
/// site's own prediction with the calculation floor raised to the threshold (the floor bounds the
/// reach, hence the sweep's rays). The grid may be coarser than the prediction's (the DEM given on
/// it). Deterministic whatever the thread count.
[[nodiscard]] std::vector<Footprint> site_footprints(const PredictionInputs& in, double threshold_dbm);

}  // namespace phusong::coverage
