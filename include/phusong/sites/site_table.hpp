#pragma once
/// The site/cell table (docs/inputs.md): one row per cell (sector-carrier). A site is a
/// location and tower; a layer is what a phone sees as one network: operator + technology + band.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "phusong/core/scenario.hpp"
#include "phusong/radio/link_budget.hpp"

namespace phusong::sites {

using radio::Technology;

/// A 3GPP/GSM band name with its downlink range (3GPP TS 36.101 Table 5.5-1, TS 38.104
/// Tables 5.2-1 and 5.2-2, TS 25.104 Table 5.0, TS 45.005 §2) and the technologies that may use it.
struct BandInfo {
    std::string_view name;
    double dl_min_mhz;
    double dl_max_mhz;
    bool gsm, umts, lte, nr;
};
/// The band of that name, matched case-insensitively ("b3", "N78"); its `name` is the canonical
/// spelling ("B3", "n78"). nullptr when there is none.
[[nodiscard]] const BandInfo* find_band(std::string_view name) noexcept;
/// Every band, in table order (GSM, UMTS, E-UTRA by number, NR by number).
[[nodiscard]] std::span<const BandInfo> bands() noexcept;
/// The known names in short, for messages: the GSM and UMTS names, then the E-UTRA and NR ranges.
[[nodiscard]] std::string known_band_names();
/// The technology of a `tech` value, case-insensitive: GSM (2G), UMTS (3G, WCDMA), LTE (4G),
/// NR (5G).
[[nodiscard]] std::optional<Technology> parse_technology(std::string_view text);

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
    /// Total transmit power at the antenna port, dBm; may be absent on an LTE/NR cell that gives
    /// rs_power_dbm.
    std::optional<double> tx_power_dbm;
    /// Power per resource element at the port, dBm: LTE reference-signal EPRE
    /// (referenceSignalPower, TS 36.213 §5.2), NR SS/PBCH block EPRE (ss-PBCH-BlockPower, TS 38.213
    /// §7). Given: used as it is instead of the conversion from tx_power_dbm.
    std::optional<double> rs_power_dbm;
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

/// The columns every site table must have, in the order docs/inputs.md gives them
/// (tx_power_dbm may be left out when rs_power_dbm is there).
[[nodiscard]] const std::vector<std::string_view>& required_columns();
/// The columns a site table may have: rs_power_dbm.
[[nodiscard]] const std::vector<std::string_view>& optional_columns();

/// Headers that name a column without the scenario saying so: common export headers (Atoll,
/// Planet, generic), compared after normalisation (normalise_header).
struct ColumnAliases {
    std::string_view column;                   ///< phusong's name, e.g. "azimuth_deg"
    std::span<const std::string_view> aliases;  ///< e.g. "Azimuth", "Bearing"
};
[[nodiscard]] std::span<const ColumnAliases> column_aliases() noexcept;

/// A header as it is compared: a trailing unit in brackets dropped ("Height (m)" → "Height"),
/// then ASCII letters and digits only, lower-cased ("Mechanical Downtilt" → "mechanicaldowntilt").
[[nodiscard]] std::string normalise_header(std::string_view header);

/// The power per resource element a cell radiates, dBm: rs_power_dbm when the table gives it,
/// else radio::reference_signal_power_dbm of the total power (throws std::invalid_argument for
/// a bandwidth without a resource-block count).
[[nodiscard]] double reference_signal_power_dbm(const Cell& cell, int nr_scs_khz);

/// Reads and validates a site table: CSV, semicolon- or tab-separated text (.csv, .tsv, .txt;
/// columns lon, lat) or any OGR point layer (GeoJSON, GeoPackage, Shapefile: the point geometry
/// gives the location). Columns are found by phusong's names, the built-in aliases or `columns`
/// (the scenario's [inputs.site_columns]), case-insensitively; `units` converts columns given in
/// other units. Every problem is reported at once with row, field, value and the expected range
/// (InputError); a mapping naming no column is reported at its scenario key.
[[nodiscard]] SiteTable read_site_table(const std::filesystem::path& path, const SiteColumns& columns = {},
                                        const SiteUnits& units = {});
/// The scenario's site table (inputs.sites) with its [inputs.site_columns] and [inputs.site_units].
[[nodiscard]] SiteTable read_site_table(const InputsConfig& inputs);

}  // namespace phusong::sites
