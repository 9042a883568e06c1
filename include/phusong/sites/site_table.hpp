#pragma once
/// The site/cell table (docs/inputs.md): one row per cell (sector-carrier). A site is a
/// location and tower; a layer is what a phone sees as one network: operator + technology + band.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "phusong/radio/link_budget.hpp"

namespace phusong::sites {

using radio::Technology;

/// A 3GPP/GSM band name with its downlink range (3GPP TS 36.101 Table 5.5-1, TS 38.104
/// Table 5.2-1, TS 45.005 §2) and the technologies that may use it.
struct BandInfo {
    std::string_view name;
    double dl_min_mhz;
    double dl_max_mhz;
    bool gsm, umts, lte, nr;
};
[[nodiscard]] const BandInfo* find_band(std::string_view name) noexcept;
[[nodiscard]] std::string known_band_names();

struct Cell {
    std::string site_id;
    std::string cell_id;
    std::string operator_name;
    double lon_deg = 0;          ///< WGS 84 longitude
    double lat_deg = 0;          ///< WGS 84 latitude
    double height_agl_m = 0;     ///< antenna height above ground, m
    double azimuth_deg = 0;      ///< boresight, clockwise from true north, [0, 360)
    double mech_tilt_deg = 0;    ///< mechanical downtilt, degrees (positive = down)
    double elec_tilt_deg = 0;    ///< electrical downtilt, degrees (positive = down)
    Technology tech = Technology::lte;
    std::string band;            ///< e.g. "B3", "n78", "GSM900"
    double freq_mhz = 0;         ///< downlink carrier centre, MHz
    double bandwidth_mhz = 0;    ///< channel bandwidth, MHz
    double tx_power_dbm = 0;     ///< total transmit power at the antenna port, dBm
    std::string antenna;         ///< antenna pattern name (scenario's antenna catalogue)
    std::size_t row = 0;         ///< 1-based data row (or feature index) in the source file
    std::size_t layer = 0;       ///< index into SiteTable::layers
};

struct Site {
    std::string site_id;
    std::string operator_name;
    double lon_deg = 0;
    double lat_deg = 0;
    std::vector<std::size_t> cells;  ///< indices into SiteTable::cells
};

struct Layer {
    std::string name;  ///< "Viettel LTE B3"
    std::string operator_name;
    Technology tech = Technology::lte;
    std::string band;
    std::vector<std::size_t> cells;
};

struct SiteTable {
    std::string file;
    std::vector<Cell> cells;  ///< in file order
    std::vector<Site> sites;  ///< sorted by site_id
    std::vector<Layer> layers;  ///< sorted by name
};

/// The columns every site table must have, in the order docs/inputs.md gives them.
[[nodiscard]] const std::vector<std::string_view>& required_columns();

/// Reads and validates a site table: CSV (columns lon, lat) or any OGR point layer (GeoJSON,
/// GeoPackage, Shapefile: the point geometry gives the location). Every problem is reported at
/// once with row, field, value and the expected range (InputError).
[[nodiscard]] SiteTable read_site_table(const std::filesystem::path& path);

}  // namespace phusong::sites
