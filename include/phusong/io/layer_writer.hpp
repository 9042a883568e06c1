#pragma once
/// Writes one predicted layer as COG rasters in its own folder.

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "phusong/coverage/predict.hpp"
#include "phusong/geo/grid.hpp"
#include "phusong/sites/site_table.hpp"

namespace phusong::io {

/// cells.csv, the lookup table of the best-server rasters (their values are `index`, the cell's
/// position in the site table): index, cell_id, site_id, operator, layer, tech, band, freq_mhz,
/// lon, lat, azimuth_deg, height_agl_m. UTF-8, RFC 4180 quoting. Throws Error if not written.
void write_cells_csv(const std::filesystem::path& path, const sites::SiteTable& table);

struct LayerWriteOptions {
    std::map<std::string, std::string> tags;  ///< dataset metadata stamped on every raster
    std::string model;                        ///< propagation model name, for the metadata
    double load = 0;                          ///< interference load used for SINR
};

/// Writes `<folder>/{rsrp|rscp|rxlev}.tif`, `second_*.tif`, `server.tif`, `overlap_6db.tif` and,
/// for LTE/NR, `sinr.tif` and `throughput.tif` (the files in parallel), each with its QGIS style
/// (.qml; the server style labels the layer's cells of `table`). Returns the layer's manifest
/// entry. Safe to call concurrently for different layers.
nlohmann::ordered_json write_layer(const std::filesystem::path& folder, const std::string& relative_folder,
                                   const geo::Grid& grid, const coverage::LayerResult& layer,
                                   const sites::SiteTable& table, const LayerWriteOptions& options);

}  // namespace phusong::io
