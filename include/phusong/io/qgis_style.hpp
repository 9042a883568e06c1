#pragma once
/// QGIS layer styles (.qml) written beside each raster with the same base name, so that QGIS
/// applies them when the raster is opened. The rasters keep physical values; only the style
/// carries colours.

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace phusong::io {

enum class RasterStyle {
    signal_dbm,       ///< RSRP/RSCP/RxLev in the usual bands: ≥ −80, −90, −100, −110, −120, < −120 dBm
    sinr_db,          ///< SINR bands: < −5, −5…0, 0…5, 5…10, 10…20, ≥ 20 dB
    throughput_mbps,  ///< graduated ramp 0…100 Mbit/s
    overlap,          ///< cells within 6 dB of the best: 1, 2, 3, 4+
    terrain_m,        ///< elevation ramp
    people,           ///< people per pixel, graduated
};

/// Writes `<raster without .tif>.qml` for one of the built-in styles.
void write_raster_style(const std::filesystem::path& raster, RasterStyle style);

/// Writes the best-server style: one colour per cell value with the cell id as label.
void write_server_style(const std::filesystem::path& raster,
                        const std::vector<std::pair<std::int32_t, std::string>>& cells);

/// Writes the style of an area-of-interest outline beside a polygon vector file: no fill, a dark
/// 0.6 mm outline.
void write_outline_style(const std::filesystem::path& vector);

/// The .qml path QGIS looks for beside a raster.
[[nodiscard]] std::filesystem::path style_path(const std::filesystem::path& raster);

}  // namespace phusong::io
