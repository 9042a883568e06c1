#pragma once
/// Cloud-Optimised GeoTIFF writer (GDAL COG driver): 512 px tiles, DEFLATE with predictor (full
/// image and overviews), internal overviews (average for physical values, mode for classes and
/// ids), nodata, CRS, band description and unit, metadata tags. Physical values only.

#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>

#include "phusong/geo/grid.hpp"

namespace phusong::io {

struct RasterMeta {
    std::string description;   ///< band description, e.g. "best-server RSRP"
    std::string unit;          ///< band unit: "dBm", "dB", "Mbit/s", "people", "m"
    bool categorical = false;  ///< classes or ids: overviews by mode (most frequent value), not average
    std::map<std::string, std::string> tags;  ///< dataset metadata (engine version, config hash…);
                                              ///< PHUSONG_OVERVIEW_RESAMPLING is added
};

/// Overviews stop once the larger side of the coarsest one is at most this many pixels.
inline constexpr int kOverviewMinSizePx = 128;

/// Number of internal overview levels (halvings) written for a cols × rows raster: the largest
/// side is halved until it is ≤ kOverviewMinSizePx (1738 px → 4 levels, 145 px → 1, 100 px → 0).
[[nodiscard]] int overview_levels(int cols, int rows) noexcept;

/// Writes float values (NaN = nodata) on the grid as a COG. Throws GdalError on failure; a
/// partially written file is removed.
void write_cog(const std::filesystem::path& path, const geo::Grid& grid,
               std::span<const float> values, const RasterMeta& meta);

/// Writes integer values (`nodata` marks no value) on the grid as a COG.
void write_cog(const std::filesystem::path& path, const geo::Grid& grid,
               std::span<const std::int32_t> values, std::int32_t nodata, const RasterMeta& meta);

/// Writes byte values (`nodata` marks no value) on the grid as a COG.
void write_cog(const std::filesystem::path& path, const geo::Grid& grid,
               std::span<const std::uint8_t> values, std::uint8_t nodata, const RasterMeta& meta);

/// Writes values on the grid as a plain tiled GeoTIFF (DEFLATE, no overviews, no statistics):
/// the intermediate rasters of a sharded run, read back value for value. `nodata` marks no value
/// (NaN for floats). Throws GdalError on failure; a partially written file is removed.
void write_plain_tiff(const std::filesystem::path& path, const geo::Grid& grid, std::span<const float> values);
void write_plain_tiff(const std::filesystem::path& path, const geo::Grid& grid, std::span<const std::int32_t> values,
                      std::int32_t nodata);
void write_plain_tiff(const std::filesystem::path& path, const geo::Grid& grid, std::span<const std::uint8_t> values,
                      std::uint8_t nodata);

}  // namespace phusong::io
