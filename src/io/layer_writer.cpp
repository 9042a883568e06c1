#include "phusong/io/layer_writer.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <sstream>
#include <functional>
#include <vector>

#include "phusong/core/error.hpp"
#include "phusong/core/output_file.hpp"
#include "phusong/core/parallel.hpp"
#include "phusong/io/geotiff.hpp"
#include "phusong/io/qgis_style.hpp"
#include "phusong/io/vector_writer.hpp"

namespace phusong::io {

void write_cells_csv(const std::filesystem::path& path, const sites::SiteTable& table) {
    std::ostringstream out;
    out << "index,cell_id,site_id,operator,layer,tech,band,freq_mhz,lon,lat,azimuth_deg,height_agl_m\n";
    for (std::size_t i = 0; i < table.cells.size(); ++i) {
        const auto& c = table.cells[i];
        out << i << ',' << csv_text(c.cell_id) << ',' << csv_text(c.site_id) << ','
            << csv_text(c.operator_name) << ',' << csv_text(table.layers[c.layer].name) << ','
            << radio::to_string(c.tech) << ',' << csv_text(c.band) << ','
            << fmt::format("{:g},{:.6f},{:.6f},{:g},{:g}", c.freq_mhz, c.lon_deg, c.lat_deg, c.azimuth_deg,
                           c.height_agl_m)
            << '\n';
    }
    write_output_file(path, out.str());
}

nlohmann::ordered_json write_layer(const std::filesystem::path& folder, const std::string& relative_folder,
                                   const geo::Grid& grid, const coverage::LayerResult& r,
                                   const sites::SiteTable& table, const LayerWriteOptions& options) {
    std::filesystem::create_directories(folder);
    std::map<std::string, std::string> t = options.tags;
    t["PHUSONG_LAYER"] = r.name;
    t["PHUSONG_MODEL"] = options.model;
    t["PHUSONG_FLOOR_DBM"] = fmt::format("{:g}", r.floor_dbm);
    const bool lte_nr = !r.sinr_db.empty();
    if (lte_nr) {
        t["PHUSONG_NOISE_DBM"] = fmt::format("{:.2f}", r.noise_dbm);
        t["PHUSONG_LOAD"] = fmt::format("{:g}", options.load);
    }
    std::string sig = r.signal;  // "RSRP" → rsrp.tif, "RSCP" → rscp.tif, "RxLev" → rxlev.tif
    for (char& c : sig) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::vector<std::function<void()>> writes = {
        [&] {
            write_cog(folder / (sig + ".tif"), grid, r.best_dbm,
                      {"best-server " + r.signal + " (" + r.name + ")", "dBm", false, t});
            write_raster_style(folder / (sig + ".tif"), RasterStyle::signal_dbm);
        },
        [&] {
            write_cog(folder / ("second_" + sig + ".tif"), grid, r.second_dbm,
                      {"second-best " + r.signal + " (" + r.name + ")", "dBm", false, t});
            write_raster_style(folder / ("second_" + sig + ".tif"), RasterStyle::signal_dbm);
        },
        [&] {
            write_cog(folder / "server.tif", grid, r.server, -1,
                      {"best-server cell (index in cells.csv)", "cell index", true, t});
            std::vector<std::pair<std::int32_t, std::string>> labels;
            for (std::size_t c : table.layers[r.layer].cells) {
                labels.emplace_back(static_cast<std::int32_t>(c), table.cells[c].cell_id);
            }
            write_server_style(folder / "server.tif", labels);
        },
        [&] {
            write_cog(folder / "overlap_6db.tif", grid, r.n_within_6db, 0,
                      {"cells within 6 dB of the best (4 = four or more)", "cells", true, t});
            write_raster_style(folder / "overlap_6db.tif", RasterStyle::overlap);
        },
    };
    if (lte_nr) {
        writes.emplace_back([&] {
            write_cog(folder / "sinr.tif", grid, r.sinr_db,
                      {fmt::format("SINR at load {:g} ({})", options.load, r.name), "dB", false, t});
            write_raster_style(folder / "sinr.tif", RasterStyle::sinr_db);
        });
        writes.emplace_back([&] {
            write_cog(folder / "throughput.tif", grid, r.throughput_mbps,
                      {"downlink throughput, TR 36.942 A.2 (" + r.name + ")", "Mbit/s", false, t});
            write_raster_style(folder / "throughput.tif", RasterStyle::throughput_mbps);
        });
    }
    parallel_for(std::size_t{0}, writes.size(), [&](std::size_t i) { writes[i](); });

    std::size_t covered = 0;
    for (float v : r.best_dbm) covered += std::isfinite(v) ? 1 : 0;
    const sites::Layer& layer = table.layers[r.layer];
    nlohmann::ordered_json entry = {{"name", r.name},
                                    {"operator", layer.operator_name},
                                    {"technology", std::string(radio::to_string(layer.tech))},
                                    {"band", layer.band},
                                    {"folder", relative_folder},
                                    {"signal", r.signal},   {"model", options.model},
                                    {"floor_dbm", r.floor_dbm}, {"pixels_with_signal", covered}};
    if (lte_nr) entry["noise_dbm"] = r.noise_dbm;
    return entry;
}

}  // namespace phusong::io
