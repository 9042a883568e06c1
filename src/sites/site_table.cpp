#include "phusong/sites/site_table.hpp"

#include <ogrsf_frmts.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <memory>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>

#include "phusong/core/error.hpp"
#include "phusong/core/input_file.hpp"
#include "phusong/core/interrupt.hpp"
#include "phusong/core/row_reader.hpp"
#include "phusong/core/text.hpp"
#include "phusong/core/toml_reader.hpp"
#include "phusong/geo/gdal.hpp"
#include "phusong/geo/table.hpp"

namespace phusong::sites {

namespace {

// Downlink ranges, MHz: E-UTRA 3GPP TS 36.101 Table 5.5-1 (Rel-17 numbering; the supplementary
// downlink bands 29, 32, 67, 69, 75, 76 included); NR TS 38.104 Table 5.2-1 (FR1) and Table 5.2-2
// (FR2), the supplementary uplink bands (n80–n84, n86, n89, n95, n97–n99), which carry no downlink,
// left out; UTRA TS 25.104 Table 5.0 (bands I, II, V, VIII under their common names; the UTRA
// bands share the E-UTRA numbers B1, B2, B3, B4, B5, B8); GSM TS 45.005 §2.
//                     name        DL min   DL max    GSM    UMTS   LTE    NR
constexpr std::array kBands = {
    BandInfo{"GSM850", 869.0, 894.0, true, false, false, false},
    BandInfo{"GSM900", 925.0, 960.0, true, false, false, false},
    BandInfo{"GSM1800", 1805.0, 1880.0, true, false, false, false},
    BandInfo{"GSM1900", 1930.0, 1990.0, true, false, false, false},
    BandInfo{"UMTS850", 869.0, 894.0, false, true, false, false},
    BandInfo{"UMTS900", 925.0, 960.0, false, true, false, false},
    BandInfo{"UMTS1900", 1930.0, 1990.0, false, true, false, false},
    BandInfo{"UMTS2100", 2110.0, 2170.0, false, true, false, false},
    BandInfo{"B1", 2110.0, 2170.0, false, true, true, false},
    BandInfo{"B2", 1930.0, 1990.0, false, true, true, false},
    BandInfo{"B3", 1805.0, 1880.0, false, true, true, false},
    BandInfo{"B4", 2110.0, 2155.0, false, true, true, false},
    BandInfo{"B5", 869.0, 894.0, false, true, true, false},
    BandInfo{"B7", 2620.0, 2690.0, false, false, true, false},
    BandInfo{"B8", 925.0, 960.0, false, true, true, false},
    BandInfo{"B9", 1844.9, 1879.9, false, false, true, false},
    BandInfo{"B10", 2110.0, 2170.0, false, false, true, false},
    BandInfo{"B11", 1475.9, 1495.9, false, false, true, false},
    BandInfo{"B12", 729.0, 746.0, false, false, true, false},
    BandInfo{"B13", 746.0, 756.0, false, false, true, false},
    BandInfo{"B14", 758.0, 768.0, false, false, true, false},
    BandInfo{"B17", 734.0, 746.0, false, false, true, false},
    BandInfo{"B18", 860.0, 875.0, false, false, true, false},
    BandInfo{"B19", 875.0, 890.0, false, false, true, false},
    BandInfo{"B20", 791.0, 821.0, false, false, true, false},
    BandInfo{"B21", 1495.9, 1510.9, false, false, true, false},
    BandInfo{"B22", 3510.0, 3590.0, false, false, true, false},
    BandInfo{"B23", 2180.0, 2200.0, false, false, true, false},
    BandInfo{"B24", 1525.0, 1559.0, false, false, true, false},
    BandInfo{"B25", 1930.0, 1995.0, false, false, true, false},
    BandInfo{"B26", 859.0, 894.0, false, false, true, false},
    BandInfo{"B27", 852.0, 869.0, false, false, true, false},
    BandInfo{"B28", 758.0, 803.0, false, false, true, false},
    BandInfo{"B29", 717.0, 728.0, false, false, true, false},
    BandInfo{"B30", 2350.0, 2360.0, false, false, true, false},
    BandInfo{"B31", 462.5, 467.5, false, false, true, false},
    BandInfo{"B32", 1452.0, 1496.0, false, false, true, false},
    BandInfo{"B33", 1900.0, 1920.0, false, false, true, false},
    BandInfo{"B34", 2010.0, 2025.0, false, false, true, false},
    BandInfo{"B35", 1850.0, 1910.0, false, false, true, false},
    BandInfo{"B36", 1930.0, 1990.0, false, false, true, false},
    BandInfo{"B37", 1910.0, 1930.0, false, false, true, false},
    BandInfo{"B38", 2570.0, 2620.0, false, false, true, false},
    BandInfo{"B39", 1880.0, 1920.0, false, false, true, false},
    BandInfo{"B40", 2300.0, 2400.0, false, false, true, false},
    BandInfo{"B41", 2496.0, 2690.0, false, false, true, false},
    BandInfo{"B42", 3400.0, 3600.0, false, false, true, false},
    BandInfo{"B43", 3600.0, 3800.0, false, false, true, false},
    BandInfo{"B44", 703.0, 803.0, false, false, true, false},
    BandInfo{"B45", 1447.0, 1467.0, false, false, true, false},
    BandInfo{"B46", 5150.0, 5925.0, false, false, true, false},
    BandInfo{"B47", 5855.0, 5925.0, false, false, true, false},
    BandInfo{"B48", 3550.0, 3700.0, false, false, true, false},
    BandInfo{"B49", 3550.0, 3700.0, false, false, true, false},
    BandInfo{"B50", 1432.0, 1517.0, false, false, true, false},
    BandInfo{"B51", 1427.0, 1432.0, false, false, true, false},
    BandInfo{"B52", 3300.0, 3400.0, false, false, true, false},
    BandInfo{"B53", 2483.5, 2495.0, false, false, true, false},
    BandInfo{"B65", 2110.0, 2200.0, false, false, true, false},
    BandInfo{"B66", 2110.0, 2200.0, false, false, true, false},
    BandInfo{"B67", 738.0, 758.0, false, false, true, false},
    BandInfo{"B68", 753.0, 783.0, false, false, true, false},
    BandInfo{"B69", 2570.0, 2620.0, false, false, true, false},
    BandInfo{"B70", 1995.0, 2020.0, false, false, true, false},
    BandInfo{"B71", 617.0, 652.0, false, false, true, false},
    BandInfo{"B72", 461.0, 466.0, false, false, true, false},
    BandInfo{"B73", 460.0, 465.0, false, false, true, false},
    BandInfo{"B74", 1475.0, 1518.0, false, false, true, false},
    BandInfo{"B75", 1432.0, 1517.0, false, false, true, false},
    BandInfo{"B76", 1427.0, 1432.0, false, false, true, false},
    BandInfo{"B85", 728.0, 746.0, false, false, true, false},
    BandInfo{"B87", 420.0, 425.0, false, false, true, false},
    BandInfo{"B88", 422.0, 427.0, false, false, true, false},
    BandInfo{"B103", 757.0, 758.0, false, false, true, false},
    BandInfo{"B106", 935.0, 940.0, false, false, true, false},
    BandInfo{"n1", 2110.0, 2170.0, false, false, false, true},
    BandInfo{"n2", 1930.0, 1990.0, false, false, false, true},
    BandInfo{"n3", 1805.0, 1880.0, false, false, false, true},
    BandInfo{"n5", 869.0, 894.0, false, false, false, true},
    BandInfo{"n7", 2620.0, 2690.0, false, false, false, true},
    BandInfo{"n8", 925.0, 960.0, false, false, false, true},
    BandInfo{"n12", 729.0, 746.0, false, false, false, true},
    BandInfo{"n13", 746.0, 756.0, false, false, false, true},
    BandInfo{"n14", 758.0, 768.0, false, false, false, true},
    BandInfo{"n18", 860.0, 875.0, false, false, false, true},
    BandInfo{"n20", 791.0, 821.0, false, false, false, true},
    BandInfo{"n24", 1525.0, 1559.0, false, false, false, true},
    BandInfo{"n25", 1930.0, 1995.0, false, false, false, true},
    BandInfo{"n26", 859.0, 894.0, false, false, false, true},
    BandInfo{"n28", 758.0, 803.0, false, false, false, true},
    BandInfo{"n29", 717.0, 728.0, false, false, false, true},
    BandInfo{"n30", 2350.0, 2360.0, false, false, false, true},
    BandInfo{"n34", 2010.0, 2025.0, false, false, false, true},
    BandInfo{"n38", 2570.0, 2620.0, false, false, false, true},
    BandInfo{"n39", 1880.0, 1920.0, false, false, false, true},
    BandInfo{"n40", 2300.0, 2400.0, false, false, false, true},
    BandInfo{"n41", 2496.0, 2690.0, false, false, false, true},
    BandInfo{"n46", 5150.0, 5925.0, false, false, false, true},
    BandInfo{"n48", 3550.0, 3700.0, false, false, false, true},
    BandInfo{"n50", 1432.0, 1517.0, false, false, false, true},
    BandInfo{"n51", 1427.0, 1432.0, false, false, false, true},
    BandInfo{"n53", 2483.5, 2495.0, false, false, false, true},
    BandInfo{"n65", 2110.0, 2200.0, false, false, false, true},
    BandInfo{"n66", 2110.0, 2200.0, false, false, false, true},
    BandInfo{"n67", 738.0, 758.0, false, false, false, true},
    BandInfo{"n70", 1995.0, 2020.0, false, false, false, true},
    BandInfo{"n71", 617.0, 652.0, false, false, false, true},
    BandInfo{"n74", 1475.0, 1518.0, false, false, false, true},
    BandInfo{"n75", 1432.0, 1517.0, false, false, false, true},
    BandInfo{"n76", 1427.0, 1432.0, false, false, false, true},
    BandInfo{"n77", 3300.0, 4200.0, false, false, false, true},
    BandInfo{"n78", 3300.0, 3800.0, false, false, false, true},
    BandInfo{"n79", 4400.0, 5000.0, false, false, false, true},
    BandInfo{"n85", 728.0, 746.0, false, false, false, true},
    BandInfo{"n90", 2496.0, 2690.0, false, false, false, true},
    BandInfo{"n91", 1427.0, 1432.0, false, false, false, true},
    BandInfo{"n92", 1432.0, 1517.0, false, false, false, true},
    BandInfo{"n93", 1427.0, 1432.0, false, false, false, true},
    BandInfo{"n94", 1432.0, 1517.0, false, false, false, true},
    BandInfo{"n96", 5925.0, 7125.0, false, false, false, true},
    BandInfo{"n100", 919.4, 925.0, false, false, false, true},
    BandInfo{"n101", 1900.0, 1910.0, false, false, false, true},
    BandInfo{"n102", 5925.0, 6425.0, false, false, false, true},
    BandInfo{"n104", 6425.0, 7125.0, false, false, false, true},
    BandInfo{"n105", 612.0, 652.0, false, false, false, true},
    BandInfo{"n106", 935.0, 940.0, false, false, false, true},
    BandInfo{"n109", 1432.0, 1517.0, false, false, false, true},
    // FR2, TS 38.104 Table 5.2-2.
    BandInfo{"n257", 26500.0, 29500.0, false, false, false, true},
    BandInfo{"n258", 24250.0, 27500.0, false, false, false, true},
    BandInfo{"n259", 39500.0, 43500.0, false, false, false, true},
    BandInfo{"n260", 37000.0, 40000.0, false, false, false, true},
    BandInfo{"n261", 27500.0, 28350.0, false, false, false, true},
    BandInfo{"n262", 47200.0, 48200.0, false, false, false, true},
    BandInfo{"n263", 57000.0, 71000.0, false, false, false, true},
};

bool band_allows(const BandInfo& b, Technology t) {
    switch (t) {
        case Technology::gsm: return b.gsm;
        case Technology::umts: return b.umts;
        case Technology::lte: return b.lte;
        case Technology::nr: return b.nr;
    }
    return false;
}

bool equal_any_case(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

std::string_view trimmed(std::string_view s) noexcept {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

}  // namespace

const BandInfo* find_band(std::string_view name) noexcept {
    const std::string_view key = trimmed(name);
    for (const auto& b : kBands) {
        if (equal_any_case(b.name, key)) return &b;
    }
    return nullptr;
}

std::span<const BandInfo> bands() noexcept { return kBands; }

std::string known_band_names() {
    std::string s;
    std::string_view first_b, last_b, first_n, last_n;
    for (const auto& b : kBands) {
        if (b.name.front() == 'B') {
            if (first_b.empty()) first_b = b.name;
            last_b = b.name;
        } else if (b.name.front() == 'n') {
            if (first_n.empty()) first_n = b.name;
            last_n = b.name;
        } else {
            s += (s.empty() ? "" : ", ") + std::string(b.name);
        }
    }
    return s + ", the E-UTRA bands " + std::string(first_b) + " … " + std::string(last_b) +
           " of TS 36.101 Table 5.5-1 and the NR bands " + std::string(first_n) + " … " + std::string(last_n) +
           " of TS 38.104 Tables 5.2-1/5.2-2 (e.g. B3, n78; the list: docs/inputs.md)";
}

std::optional<Technology> parse_technology(std::string_view text) {
    std::string up;
    for (char c : text) {
        if (std::isalnum(static_cast<unsigned char>(c))) up += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    if (up == "GSM" || up == "2G") return Technology::gsm;
    if (up == "UMTS" || up == "WCDMA" || up == "3G") return Technology::umts;
    if (up == "LTE" || up == "4G" || up == "EUTRA") return Technology::lte;
    if (up == "NR" || up == "5G" || up == "5GNR") return Technology::nr;
    return std::nullopt;
}

const std::vector<std::string_view>& required_columns() {
    static const std::vector<std::string_view> kColumns = {
        "site_id", "cell_id", "operator", "lon", "lat", "height_agl_m", "azimuth_deg",
        "mech_tilt_deg", "elec_tilt_deg", "tech", "band", "freq_mhz", "bandwidth_mhz",
        "tx_power_dbm", "antenna"};
    return kColumns;
}

const std::vector<std::string_view>& optional_columns() {
    static const std::vector<std::string_view> kColumns = {"rs_power_dbm"};
    return kColumns;
}

namespace {

// Headers of common exports: Atoll's transmitter and cell tables ("Site", "Transmitter",
// "Height (m)", "Azimuth (°)", "Mechanical Downtilt (°)", "Additional Electrical Downtilt (°)",
// "Max Power (dBm)"), Planet's sector tables ("Site ID", "Sector ID", "Antenna Height",
// "Mechanical Tilt", "Electrical Tilt", "Tx Power") and the usual short forms; vendors' LTE/NR
// parameter names (referenceSignalPower, ss-PBCH-BlockPower) for the power per resource element.
// Compared after normalise_header; no alias of one column may be another column's name or alias
// (tests/sites checks it).
constexpr std::string_view kSiteId[] = {"site", "site name", "site code", "enodeb",
                                        "enodeb id", "enodeb name", "gnodeb", "gnodeb id", "gnodeb name",
                                        "nodeb", "nodeb name", "bts", "bts name"};
constexpr std::string_view kCellId[] = {"cell", "cell name", "transmitter", "transmitter name",
                                        "tx", "tx id", "tx name", "sector", "sector id", "sector name"};
constexpr std::string_view kOperator[] = {"operator name", "network", "network operator", "mno"};
constexpr std::string_view kLon[] = {"long", "lng", "longitude", "x", "site longitude"};
constexpr std::string_view kLat[] = {"latitude", "y", "site latitude"};
constexpr std::string_view kHeight[] = {"height", "antenna height", "height agl", "agl", "antenna height agl",
                                        "ant height", "height m"};
constexpr std::string_view kAzimuth[] = {"azimuth", "az", "azi", "bearing", "antenna azimuth"};
constexpr std::string_view kMechTilt[] = {"mechanical downtilt", "mechanical tilt", "mech tilt",
                                          "mech downtilt", "mdt", "mtilt", "mechanical downtilt deg"};
constexpr std::string_view kElecTilt[] = {"electrical downtilt", "electrical tilt", "elec tilt",
                                          "elec downtilt", "additional electrical downtilt", "edt", "etilt",
                                          "ret", "electrical downtilt deg"};
constexpr std::string_view kTech[] = {"technology", "rat", "radio access technology", "system"};
constexpr std::string_view kBand[] = {"frequency band", "freq band", "band name", "operating band"};
constexpr std::string_view kFreq[] = {"frequency", "freq", "dl frequency", "downlink frequency",
                                      "carrier frequency", "dl freq", "centre frequency", "center frequency",
                                      "frequency mhz"};
constexpr std::string_view kBandwidth[] = {"bandwidth", "bw", "channel bandwidth", "dl bandwidth",
                                           "channel width", "carrier bandwidth"};
constexpr std::string_view kTxPower[] = {"power", "tx power", "max power", "total power", "transmit power",
                                         "transmitter power", "output power", "pmax", "max tx power",
                                         "power dbm"};
constexpr std::string_view kRsPower[] = {"rs power", "reference signal power", "rs epre",
                                         "reference signal epre", "ss power", "ss pbch power",
                                         "ss pbch block power", "ssb power", "ss epre"};
constexpr std::string_view kAntenna[] = {"antenna model", "antenna type", "antenna name", "antenna pattern",
                                         "pattern"};

constexpr std::array kAliases = {
    ColumnAliases{"site_id", kSiteId},        ColumnAliases{"cell_id", kCellId},
    ColumnAliases{"operator", kOperator},     ColumnAliases{"lon", kLon},
    ColumnAliases{"lat", kLat},               ColumnAliases{"height_agl_m", kHeight},
    ColumnAliases{"azimuth_deg", kAzimuth},   ColumnAliases{"mech_tilt_deg", kMechTilt},
    ColumnAliases{"elec_tilt_deg", kElecTilt}, ColumnAliases{"tech", kTech},
    ColumnAliases{"band", kBand},             ColumnAliases{"freq_mhz", kFreq},
    ColumnAliases{"bandwidth_mhz", kBandwidth}, ColumnAliases{"tx_power_dbm", kTxPower},
    ColumnAliases{"rs_power_dbm", kRsPower},  ColumnAliases{"antenna", kAntenna},
};

/// The text in a header's trailing brackets: "W" for "Power (W)", "" when there is none.
std::string_view bracketed(std::string_view header) {
    header = trimmed(header);
    if (header.empty() || (header.back() != ')' && header.back() != ']')) return {};
    const std::size_t open = header.rfind(header.back() == ')' ? '(' : '[');
    if (open == std::string_view::npos || open == 0) return {};
    return trimmed(header.substr(open + 1, header.size() - open - 2));
}

}  // namespace

std::span<const ColumnAliases> column_aliases() noexcept { return kAliases; }

std::string normalise_header(std::string_view header) {
    header = trimmed(header);
    if (const std::string_view unit = bracketed(header); !unit.empty() || header.ends_with("()")) {
        header = header.substr(0, header.rfind(header.back() == ')' ? '(' : '['));
    }
    std::string out;
    for (char ch : header) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 128 && std::isalnum(c) != 0) out += static_cast<char>(std::tolower(c));
    }
    return out;
}

double reference_signal_power_dbm(const Cell& cell, int nr_scs_khz) {
    if (cell.rs_power_dbm) return *cell.rs_power_dbm;
    if (!cell.tx_power_dbm) {
        throw std::invalid_argument("cell " + cell.cell_id + " has neither tx_power_dbm nor rs_power_dbm");
    }
    return radio::reference_signal_power_dbm(cell.tech, *cell.tx_power_dbm, cell.bandwidth_mhz, nr_scs_khz);
}

namespace {

/// What a column's numbers are measured in, and how they become phusong's unit.
enum class Quantity { none, length_m, angle_deg, frequency_mhz, power_dbm };

/// One column phusong reads: its name, where the scenario may map it, and its quantity.
struct ColumnDef {
    std::string_view name;
    std::optional<std::string> SiteColumns::*mapped;
    Quantity quantity;
};

constexpr std::array kColumnDefs = {
    ColumnDef{"site_id", &SiteColumns::site_id, Quantity::none},
    ColumnDef{"cell_id", &SiteColumns::cell_id, Quantity::none},
    ColumnDef{"operator", &SiteColumns::operator_name, Quantity::none},
    ColumnDef{"lon", &SiteColumns::lon, Quantity::none},
    ColumnDef{"lat", &SiteColumns::lat, Quantity::none},
    ColumnDef{"height_agl_m", &SiteColumns::height_agl_m, Quantity::length_m},
    ColumnDef{"azimuth_deg", &SiteColumns::azimuth_deg, Quantity::angle_deg},
    ColumnDef{"mech_tilt_deg", &SiteColumns::mech_tilt_deg, Quantity::angle_deg},
    ColumnDef{"elec_tilt_deg", &SiteColumns::elec_tilt_deg, Quantity::angle_deg},
    ColumnDef{"tech", &SiteColumns::tech, Quantity::none},
    ColumnDef{"band", &SiteColumns::band, Quantity::none},
    ColumnDef{"freq_mhz", &SiteColumns::freq_mhz, Quantity::frequency_mhz},
    ColumnDef{"bandwidth_mhz", &SiteColumns::bandwidth_mhz, Quantity::frequency_mhz},
    ColumnDef{"tx_power_dbm", &SiteColumns::tx_power_dbm, Quantity::power_dbm},
    ColumnDef{"rs_power_dbm", &SiteColumns::rs_power_dbm, Quantity::power_dbm},
    ColumnDef{"antenna", &SiteColumns::antenna, Quantity::none},
};

/// The unit a column's values are read in: phusong's own (identity) or a power / frequency unit.
struct ValueUnit {
    std::string name;  ///< as the messages write it: "W", "kHz"; empty: phusong's own unit
    std::optional<PowerUnit> power;
    std::optional<FrequencyUnit> frequency;

    /// The value in phusong's unit, or nullopt where it has none (a power of 0 W in dBm).
    [[nodiscard]] std::optional<double> convert(double v) const {
        if (power) {
            switch (*power) {
                case PowerUnit::dbm: return v;
                case PowerUnit::dbw: return v + 30.0;  // 1 W = 30 dBm
                case PowerUnit::w:
                    if (v <= 0) return std::nullopt;
                    return 10.0 * std::log10(v * 1000.0);  // P_dBm = 10 log10(P / 1 mW)
                case PowerUnit::mw:
                    if (v <= 0) return std::nullopt;
                    return 10.0 * std::log10(v);
            }
        }
        if (frequency) {
            switch (*frequency) {
                case FrequencyUnit::mhz: return v;
                case FrequencyUnit::khz: return v / 1000.0;
                case FrequencyUnit::ghz: return v * 1000.0;
            }
        }
        return v;
    }
};

constexpr std::array<std::pair<std::string_view, PowerUnit>, 4> kPowerNames = {
    {{"dBm", PowerUnit::dbm}, {"dBW", PowerUnit::dbw}, {"W", PowerUnit::w}, {"mW", PowerUnit::mw}}};
constexpr std::array<std::pair<std::string_view, FrequencyUnit>, 3> kFrequencyNames = {
    {{"MHz", FrequencyUnit::mhz}, {"kHz", FrequencyUnit::khz}, {"GHz", FrequencyUnit::ghz}}};

ValueUnit power_unit(PowerUnit u) {
    for (const auto& [name, value] : kPowerNames) {
        if (value == u) return {u == PowerUnit::dbm ? "" : std::string(name), u, std::nullopt};
    }
    return {};
}

ValueUnit frequency_unit(FrequencyUnit u) {
    for (const auto& [name, value] : kFrequencyNames) {
        if (value == u) return {u == FrequencyUnit::mhz ? "" : std::string(name), std::nullopt, u};
    }
    return {};
}

/// The unit a header's brackets give for a quantity: nullopt when they name none of its units
/// (the caller reports it), phusong's own when there are no brackets.
std::optional<ValueUnit> unit_of_header(std::string_view header, Quantity q) {
    const std::string_view text = bracketed(header);
    if (text.empty()) return ValueUnit{};
    switch (q) {
        case Quantity::none: return ValueUnit{};
        case Quantity::length_m:
            for (std::string_view m : {"m", "metre", "metres", "meter", "meters", "m agl"}) {
                if (equal_any_case(text, m)) return ValueUnit{};
            }
            return std::nullopt;
        case Quantity::angle_deg:
            // "°" in UTF-8 or Latin-1, "º" (the ordinal sign used for it), or words.
            for (std::string_view d : {"\xC2\xB0", "\xB0", "\xC2\xBA", "deg", "degree", "degrees"}) {
                if (equal_any_case(text, d)) return ValueUnit{};
            }
            return std::nullopt;
        case Quantity::frequency_mhz:
            for (const auto& [name, value] : kFrequencyNames) {
                if (equal_any_case(text, name)) return frequency_unit(value);
            }
            return std::nullopt;
        case Quantity::power_dbm:
            for (const auto& [name, value] : kPowerNames) {
                if (equal_any_case(text, name)) return power_unit(value);
            }
            return std::nullopt;
    }
    return ValueUnit{};
}

/// The unit [inputs.site_units] gives a column, if any.
std::optional<ValueUnit> unit_hint(std::string_view column, const SiteUnits& units) {
    if (column == "tx_power_dbm" && units.tx_power_dbm) return power_unit(*units.tx_power_dbm);
    if (column == "rs_power_dbm" && units.rs_power_dbm) return power_unit(*units.rs_power_dbm);
    if (column == "freq_mhz" && units.freq_mhz) return frequency_unit(*units.freq_mhz);
    if (column == "bandwidth_mhz" && units.bandwidth_mhz) return frequency_unit(*units.bandwidth_mhz);
    return std::nullopt;
}

/// Where a column was found in the file.
struct FoundColumn {
    int field = -1;      ///< OGR field index; -1: not in the file
    std::string header;  ///< its header in the file
    ValueUnit unit;
};

std::string fmt6(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6f", v);
    return buf;
}

/// The file's columns for every column phusong reads, found by the scenario's mapping, by name
/// or by alias (in that order, case-insensitively), with their units. Problems: a mapping naming
/// no column (at its scenario key), two headers matching one column, a unit the brackets give
/// that the column cannot have, and the missing columns with the mapping lines that would name them.
std::map<std::string_view, FoundColumn> find_columns(const std::vector<std::string>& headers, bool csv,
                                                     const std::string& file, const SiteColumns& mapping,
                                                     const SiteUnits& units, ProblemList& problems) {
    std::string listed;
    for (const auto& h : headers) listed += (listed.empty() ? "\"" : ", \"") + h + "\"";
    const auto nearest_header = [&](std::string_view wanted) -> std::optional<std::string> {
        std::set<std::string> known(headers.begin(), headers.end());
        return nearest_key(wanted, known);
    };

    std::map<std::string_view, FoundColumn> found;
    std::vector<std::string_view> missing;
    for (const ColumnDef& def : kColumnDefs) {
        if (!csv && (def.name == "lon" || def.name == "lat")) continue;  // the geometry gives them
        std::vector<int> matches;
        if (const std::optional<std::string>& mapped = mapping.*(def.mapped)) {
            const std::string key = "key inputs.site_columns." + std::string(def.name);
            const std::string_view wanted = trimmed(*mapped);
            for (std::size_t i = 0; i < headers.size(); ++i) {
                if (headers[i] == *mapped) matches = {static_cast<int>(i)};
            }
            if (matches.empty()) {
                for (std::size_t i = 0; i < headers.size(); ++i) {
                    if (equal_any_case(trimmed(headers[i]), wanted)) matches.push_back(static_cast<int>(i));
                }
            }
            if (matches.empty()) {
                std::string message = "\"" + *mapped + "\" is not a column of " + file + "; its columns are " + listed;
                if (const auto near = nearest_header(*mapped)) message += "; did you mean \"" + *near + "\"?";
                problems.add("", key, message);
                continue;
            }
        } else {
            const std::string own = normalise_header(def.name);
            for (std::size_t i = 0; i < headers.size(); ++i) {
                if (normalise_header(headers[i]) == own) matches.push_back(static_cast<int>(i));
            }
            if (matches.empty()) {
                const auto aliases = std::find_if(kAliases.begin(), kAliases.end(),
                                                  [&](const ColumnAliases& a) { return a.column == def.name; });
                for (std::size_t i = 0; i < headers.size(); ++i) {
                    const std::string h = normalise_header(headers[i]);
                    if (std::any_of(aliases->aliases.begin(), aliases->aliases.end(),
                                    [&](std::string_view a) { return normalise_header(a) == h; })) {
                        matches.push_back(static_cast<int>(i));
                    }
                }
            }
        }
        if (matches.empty()) {
            if (std::find(required_columns().begin(), required_columns().end(), def.name) !=
                required_columns().end()) {
                missing.push_back(def.name);
            }
            continue;
        }
        if (matches.size() > 1) {
            std::string which;
            for (int m : matches) which += (which.empty() ? "\"" : " and \"") + headers[static_cast<std::size_t>(m)] + "\"";
            problems.add(file, "header",
                         "columns " + which + " could both be " + std::string(def.name) +
                             ": choose one in the scenario, e.g. [inputs.site_columns] " + std::string(def.name) +
                             " = \"" + headers[static_cast<std::size_t>(matches.front())] + "\"");
            continue;
        }
        FoundColumn col;
        col.field = matches.front();
        col.header = headers[static_cast<std::size_t>(col.field)];
        if (const std::optional<ValueUnit> hint = unit_hint(def.name, units)) {
            col.unit = *hint;
        } else if (const std::optional<ValueUnit> u = unit_of_header(col.header, def.quantity)) {
            col.unit = *u;
        } else {
            const bool hintable = def.quantity == Quantity::power_dbm || def.quantity == Quantity::frequency_mhz;
            problems.add(file, "header",
                         "column \"" + col.header + "\" (" + std::string(def.name) + ") is in \"" +
                             std::string(bracketed(col.header)) + "\", which phusong does not read " +
                             std::string(def.name) + " in: " +
                             (hintable ? "give its unit in the scenario ([inputs.site_units] " + std::string(def.name) +
                                             " = \"" + std::string(def.quantity == Quantity::power_dbm ? "W" : "kHz") +
                                             "\"; docs/inputs.md) or convert the column"
                                       : std::string("convert the column to ") +
                                             (def.quantity == Quantity::length_m ? "metres" : "degrees")));
            continue;
        }
        found.emplace(def.name, std::move(col));
    }

    // tx_power_dbm may be left out where every cell gives its power per resource element.
    if (found.count("rs_power_dbm") > 0) {
        missing.erase(std::remove(missing.begin(), missing.end(), "tx_power_dbm"), missing.end());
    }
    if (!missing.empty()) {
        // Suggest, for each missing column, the unused header nearest its name or an alias.
        std::set<int> used;
        for (const auto& [name, col] : found) used.insert(col.field);
        std::string names;
        std::string lines;
        for (std::string_view m : missing) {
            names += (names.empty() ? "" : ", ") + std::string(m);
            std::set<std::string> targets{normalise_header(m)};
            for (const ColumnAliases& a : kAliases) {
                if (a.column != m) continue;
                for (std::string_view alias : a.aliases) targets.insert(normalise_header(alias));
            }
            std::optional<std::string> best;
            std::size_t best_d = std::numeric_limits<std::size_t>::max();
            for (std::size_t i = 0; i < headers.size(); ++i) {
                if (used.count(static_cast<int>(i)) > 0) continue;
                const std::string h = normalise_header(headers[i]);
                for (const std::string& t : targets) {
                    // A header that starts with the name ("Lon_WGS84") counts as one edit away.
                    const std::size_t d = t.size() >= 3 && h.starts_with(t) ? 1 : edit_distance(h, t);
                    // A typo or a dropped letter ("Azimut"), not another word: one edit per four
                    // letters of the name.
                    if (d < best_d && d <= std::max<std::size_t>(1, t.size() / 4)) {
                        best_d = d;
                        best = headers[i];
                    }
                }
            }
            lines += (lines.empty() ? "" : ", ") + std::string(m) + " = \"" +
                     (best ? *best : std::string("<header in the file>")) + "\"";
        }
        problems.add(file, "header",
                     "missing column(s) " + names + "; the file's columns are " + listed +
                         "; name them in the scenario: [inputs.site_columns] " + lines +
                         " (docs/inputs.md lists the names and aliases read without it)");
    }
    return found;
}

}  // namespace

SiteTable read_site_table(const std::filesystem::path& path, const SiteColumns& columns, const SiteUnits& units) {
    const std::string file = path.string();
    geo::Table t = geo::open_table(path, "site table", "cell");
    const bool csv = t.delimited;
    const geo::DatasetPtr& ds = t.ds;
    OGRLayer* layer = ds->GetLayer(0);
    OGRFeatureDefn* defn = layer->GetLayerDefn();

    // Columns: all required ones must exist (lon/lat only for CSV; other formats use the geometry).
    ProblemList problems;
    std::vector<std::string> headers;
    for (int i = 0; i < defn->GetFieldCount(); ++i) headers.emplace_back(defn->GetFieldDefn(i)->GetNameRef());
    const std::map<std::string_view, FoundColumn> found = find_columns(headers, csv, file, columns, units, problems);
    problems.throw_if_any();

    std::unique_ptr<OGRCoordinateTransformation> to_wgs84;
    if (!csv) {
        const OGRSpatialReference* srs = layer->GetSpatialRef();
        if (srs == nullptr) throw InputError(file, "", "the site layer has no CRS");
        OGRSpatialReference src(*srs);
        src.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        to_wgs84 = geo::make_transform(src, geo::srs_wgs84());
    }

    const char separator = t.separator;
    if (csv) geo::check_value_counts(path, file, problems);

    // Messages name a column as phusong does, and as the file does where that differs.
    const auto label = [&](std::string_view name) -> std::string {
        const auto it = found.find(name);
        if (it == found.end() || it->second.header == name) return std::string(name);
        return std::string(name) + " (column \"" + it->second.header + "\")";
    };
    const auto unit = [&](std::string_view name) -> ValueUnit {
        const auto it = found.find(name);
        return it == found.end() ? ValueUnit{} : it->second.unit;
    };

    SiteTable table;
    table.file = file;
    std::size_t row = 0;
    layer->ResetReading();
    for (auto& feature : *layer) {
        throw_if_interrupted();  // a table of millions of rows ends on Ctrl-C too
        ++row;
        const std::string where = geo::row_where(csv, row);
        RowReader r(file, where, problems, separator != ',');
        auto field = [&](std::string_view name) -> std::string {
            auto it = found.find(name);
            if (it == found.end() || !feature->IsFieldSetAndNotNull(it->second.field)) return {};
            std::string v = feature->GetFieldAsString(it->second.field);
            while (!v.empty() && (v.back() == ' ' || v.back() == '\r')) v.pop_back();
            return v;
        };
        Cell c;
        c.row = row;
        c.site_id = r.text(label("site_id"), field("site_id"));
        c.cell_id = r.text(label("cell_id"), field("cell_id"));
        c.operator_name = r.text(label("operator"), field("operator"));
        std::optional<double> lon;
        std::optional<double> lat;
        if (csv) {
            lon = r.number(label("lon"), field("lon"), -180.0, 180.0, "degrees (WGS 84 longitude)");
            lat = r.number(label("lat"), field("lat"), -90.0, 90.0, "degrees (WGS 84 latitude)");
            if (!lat) {
                double v = 0;
                const std::string s = field("lat");
                const std::string o = field("lon");
                if (std::sscanf(s.c_str(), "%lf", &v) == 1 && std::abs(v) > 90 && std::abs(std::atof(o.c_str())) <= 90) {
                    r.problem(label("lat"), "lat and lon look swapped (lat " + s + ", lon " + o + ")");
                }
            }
        } else {
            const OGRGeometry* g = feature->GetGeometryRef();
            if (g == nullptr || wkbFlatten(g->getGeometryType()) != wkbPoint) {
                r.problem("geometry", "expected a point geometry for the site location");
            } else {
                double x = g->toPoint()->getX();
                double y = g->toPoint()->getY();
                if (!to_wgs84->Transform(1, &x, &y) || std::abs(y) > 90 || std::abs(x) > 180) {
                    r.problem("geometry", "the point cannot be transformed to WGS 84 longitude/latitude");
                } else {
                    lon = x;
                    lat = y;
                }
            }
        }
        auto height = r.number(label("height_agl_m"), field("height_agl_m"), 0.5, 300.0, "m above ground");
        auto az = r.number(label("azimuth_deg"), field("azimuth_deg"), 0.0, 360.0, "degrees clockwise from north", true);
        auto mt = r.number(label("mech_tilt_deg"), field("mech_tilt_deg"), -20.0, 30.0, "degrees (positive = downtilt)");
        auto et = r.number(label("elec_tilt_deg"), field("elec_tilt_deg"), -20.0, 30.0, "degrees (positive = downtilt)");
        auto freq = r.number(label("freq_mhz"), field("freq_mhz"), 30.0, 100000.0, "MHz", false, unit("freq_mhz"));
        auto bw = r.number(label("bandwidth_mhz"), field("bandwidth_mhz"), 0.1, 400.0, "MHz", false, unit("bandwidth_mhz"));
        // Power per resource element: LTE RS EPRE is typically 10–25 dBm (46 dBm over 1200
        // sub-carriers is 15.2 dBm); ±50 dBm bounds any real radio.
        const std::string rs_text = field("rs_power_dbm");
        std::optional<double> rs;
        bool rs_ok = true;
        if (!rs_text.empty()) {
            rs = r.number(label("rs_power_dbm"), rs_text, -50.0, 50.0, "dBm", false, unit("rs_power_dbm"));
            rs_ok = rs.has_value();
        }
        std::optional<double> power;
        bool power_ok = true;
        if (const std::string p = field("tx_power_dbm"); !p.empty() || !rs) {
            if (!p.empty() || rs_ok) {
                power = r.number(label("tx_power_dbm"), p, -10.0, 70.0, "dBm", false, unit("tx_power_dbm"));
                power_ok = power.has_value();
            }
        }
        c.antenna = r.text(label("antenna"), field("antenna"));
        const std::string tech = field("tech");
        const std::optional<Technology> t = parse_technology(tech);
        if (!t) r.problem(label("tech"), "unknown technology \"" + tech + "\": expected GSM, UMTS, LTE or NR (2G, 3G, 4G, 5G)");
        if (rs && t && *t != Technology::lte && *t != Technology::nr) {
            r.problem(label("rs_power_dbm"), "a power per resource element is an LTE or NR quantity; this cell is " +
                                                 std::string(radio::to_string(*t)) +
                                                 ": leave rs_power_dbm empty and give tx_power_dbm");
            rs_ok = false;
        }
        const std::string band_text = field("band");
        const BandInfo* band = find_band(band_text);
        if (!band) {
            r.problem(label("band"), "unknown band \"" + band_text + "\": expected one of " + known_band_names());
        } else if (t && !band_allows(*band, *t)) {
            r.problem(label("band"), "band " + std::string(band->name) + " is not used by " + std::string(radio::to_string(*t)));
        } else if (freq && (*freq < band->dl_min_mhz || *freq > band->dl_max_mhz)) {
            char range[64];
            std::snprintf(range, sizeof range, "%g–%g MHz", band->dl_min_mhz, band->dl_max_mhz);
            r.problem(label("freq_mhz"), "frequency " + field("freq_mhz") + " " +
                                             (unit("freq_mhz").name.empty() ? "MHz" : unit("freq_mhz").name) +
                                             " is outside the downlink of band " + std::string(band->name) + " (" +
                                             range + ")");
        }
        if (!(lon && lat && height && az && mt && et && freq && bw && power_ok && rs_ok && (power || rs) && t &&
              band) ||
            c.site_id.empty() || c.cell_id.empty() || c.operator_name.empty() || c.antenna.empty()) {
            continue;
        }
        c.lon_deg = *lon;
        c.lat_deg = *lat;
        c.height_agl_m = *height;
        c.azimuth_deg = *az;
        c.mech_tilt_deg = *mt;
        c.elec_tilt_deg = *et;
        c.tech = *t;
        c.band = std::string(band->name);
        c.freq_mhz = *freq;
        c.bandwidth_mhz = *bw;
        c.tx_power_dbm = power;
        c.rs_power_dbm = rs;
        table.cells.push_back(std::move(c));
    }
    if (row == 0) throw InputError(file, "", "the site table has no rows");

    // Cross-row checks: unique cell ids; one operator and one location per site.
    std::map<std::string, std::size_t> cell_rows;
    std::map<std::string, std::size_t> site_index;
    // Ids equal but for case, accents or punctuation ("VT-1" and "vt_1") name one thing to a
    // reader, a drive-test export or a spreadsheet lookup: refused like a duplicate.
    std::map<std::string, std::pair<std::string, std::size_t>> cell_slugs;
    std::map<std::string, std::pair<std::string, std::size_t>> site_slugs;
    const auto look_alike = [&](auto& slugs, const std::string& id, std::size_t row, const std::string& where,
                                const std::string& field) {
        const auto [it, fresh] = slugs.try_emplace(slug(id), id, row);
        if (!fresh && it->second.first != id) {
            problems.add(file, where + ", field " + field,
                         field + " \"" + id + "\" differs from \"" + it->second.first + "\" (row " +
                             std::to_string(it->second.second) + ") only in case, accents or punctuation: give them "
                             "clearly distinct ids, or the same id if they are one " +
                             (field == "cell_id" ? "cell" : "site"));
        }
    };
    for (std::size_t i = 0; i < table.cells.size(); ++i) {
        const Cell& c = table.cells[i];
        const std::string where = (csv ? "row " : "feature ") + std::to_string(c.row);
        if (auto [it, fresh] = cell_rows.emplace(c.cell_id, c.row); !fresh) {
            problems.add(file, where + ", field cell_id",
                         "duplicate cell_id \"" + c.cell_id + "\" (also in row " + std::to_string(it->second) + ")");
        } else {
            look_alike(cell_slugs, c.cell_id, c.row, where, "cell_id");
        }
        look_alike(site_slugs, c.site_id, c.row, where, "site_id");
        auto [it, fresh] = site_index.emplace(c.site_id, table.sites.size());
        if (fresh) {
            table.sites.push_back({c.site_id, c.operator_name, c.lon_deg, c.lat_deg, {}});
        }
        Site& s = table.sites[it->second];
        if (s.operator_name != c.operator_name) {
            problems.add(file, where + ", field operator",
                         "site " + c.site_id + " has cells of two operators (" + s.operator_name + ", " +
                             c.operator_name + "): give each operator's site its own site_id");
        }
        if (std::abs(s.lon_deg - c.lon_deg) > 1e-5 || std::abs(s.lat_deg - c.lat_deg) > 1e-5) {
            problems.add(file, where + ", field lon/lat",
                         "site " + c.site_id + " has cells at two locations (" + fmt6(s.lon_deg) + ", " +
                             fmt6(s.lat_deg) + ") and (" + fmt6(c.lon_deg) + ", " + fmt6(c.lat_deg) + ")");
        }
        s.cells.push_back(i);
    }
    problems.throw_if_any();

    std::sort(table.sites.begin(), table.sites.end(),
              [](const Site& a, const Site& b) { return a.site_id < b.site_id; });
    std::map<std::string, std::size_t> layer_index;
    for (const Cell& c : table.cells) {
        layer_index.emplace(c.operator_name + " " + std::string(radio::to_string(c.tech)) + " " + c.band, 0);
    }
    for (auto& [name, idx] : layer_index) {
        idx = table.layers.size();
        table.layers.push_back({name, {}, Technology::lte, {}, {}});
    }
    for (std::size_t i = 0; i < table.cells.size(); ++i) {
        Cell& c = table.cells[i];
        c.layer = layer_index[c.operator_name + " " + std::string(radio::to_string(c.tech)) + " " + c.band];
        Layer& l = table.layers[c.layer];
        l.operator_name = c.operator_name;
        l.tech = c.tech;
        l.band = c.band;
        l.cells.push_back(i);
    }
    // One name, one thing: layers whose names differ only in case or punctuation ("Viettel" and
    // "VIETTEL") would share one output folder, one replacing the other's maps.
    std::map<std::string, std::size_t> by_folder;
    for (std::size_t l = 0; l < table.layers.size(); ++l) {
        const auto [it, fresh] = by_folder.emplace(slug(table.layers[l].name), l);
        if (fresh) continue;
        const Layer& first = table.layers[it->second];
        const Cell& a = table.cells[first.cells.front()];
        const Cell& b = table.cells[table.layers[l].cells.front()];
        const std::string unit = csv ? "row " : "feature ";
        problems.add(file, unit + std::to_string(b.row) + ", field operator",
                     "layer \"" + table.layers[l].name + "\" and layer \"" + first.name + "\" (" + unit +
                         std::to_string(a.row) + ") differ only in case or "
                         "punctuation and would share the output folder layers/" + it->first +
                         ": write each operator and band the same way in every row");
    }
    problems.throw_if_any();
    return table;
}

SiteTable read_site_table(const InputsConfig& inputs) {
    return read_site_table(inputs.sites, inputs.site_columns, inputs.site_units);
}

}  // namespace phusong::sites
