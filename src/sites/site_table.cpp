#include "phusong/sites/site_table.hpp"

#include <cpl_csv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <memory>
#include <map>

#include "phusong/core/error.hpp"
#include "phusong/core/input_file.hpp"
#include "phusong/core/interrupt.hpp"
#include "phusong/core/text.hpp"
#include "phusong/geo/gdal.hpp"

namespace phusong::sites {

namespace {

// Downlink ranges: 3GPP TS 36.101 Table 5.5-1 (E-UTRA), TS 38.104 Table 5.2-1 (NR),
// TS 25.104 Table 5.0 (UTRA), TS 45.005 §2 (GSM).
//                     name        DL min   DL max    GSM    UMTS   LTE    NR
constexpr std::array kBands = {
    BandInfo{"GSM900", 925.0, 960.0, true, false, false, false},
    BandInfo{"GSM1800", 1805.0, 1880.0, true, false, false, false},
    BandInfo{"UMTS2100", 2110.0, 2170.0, false, true, false, false},
    BandInfo{"UMTS900", 925.0, 960.0, false, true, false, false},
    BandInfo{"B1", 2110.0, 2170.0, false, true, true, false},
    BandInfo{"B3", 1805.0, 1880.0, false, false, true, false},
    BandInfo{"B7", 2620.0, 2690.0, false, false, true, false},
    BandInfo{"B8", 925.0, 960.0, false, true, true, false},
    BandInfo{"B28", 758.0, 803.0, false, false, true, false},
    BandInfo{"B38", 2570.0, 2620.0, false, false, true, false},
    BandInfo{"B40", 2300.0, 2400.0, false, false, true, false},
    BandInfo{"B41", 2496.0, 2690.0, false, false, true, false},
    BandInfo{"n1", 2110.0, 2170.0, false, false, false, true},
    BandInfo{"n3", 1805.0, 1880.0, false, false, false, true},
    BandInfo{"n8", 925.0, 960.0, false, false, false, true},
    BandInfo{"n28", 758.0, 803.0, false, false, false, true},
    BandInfo{"n40", 2300.0, 2400.0, false, false, false, true},
    BandInfo{"n41", 2496.0, 2690.0, false, false, false, true},
    BandInfo{"n77", 3300.0, 4200.0, false, false, false, true},
    BandInfo{"n78", 3300.0, 3800.0, false, false, false, true},
    BandInfo{"n79", 4400.0, 5000.0, false, false, false, true},
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

}  // namespace

const BandInfo* find_band(std::string_view name) noexcept {
    for (const auto& b : kBands) {
        if (b.name == name) return &b;
    }
    return nullptr;
}

std::string known_band_names() {
    std::string s;
    for (const auto& b : kBands) s += (s.empty() ? "" : ", ") + std::string(b.name);
    return s;
}

const std::vector<std::string_view>& required_columns() {
    static const std::vector<std::string_view> kColumns = {
        "site_id", "cell_id", "operator", "lon", "lat", "height_agl_m", "azimuth_deg",
        "mech_tilt_deg", "elec_tilt_deg", "tech", "band", "freq_mhz", "bandwidth_mhz",
        "tx_power_dbm", "antenna"};
    return kColumns;
}

namespace {

/// Validates one row's fields, collecting problems with row, field, value and expected range.
class RowReader {
public:
    RowReader(std::string file, std::string where, ProblemList& problems)
        : m_file(std::move(file)), m_where(std::move(where)), m_problems(&problems) {}

    void problem(std::string_view field, std::string message) {
        m_problems->add(m_file, m_where + ", field " + std::string(field), std::move(message));
    }

    /// A non-empty text field.
    std::string text(std::string_view field, const std::string& value) {
        if (value.empty()) problem(field, "missing value");
        return value;
    }

    /// A finite number in [lo, hi] (hi exclusive when `hi_open`), with its unit for the message.
    std::optional<double> number(std::string_view field, const std::string& value, double lo,
                                 double hi, std::string_view unit, bool hi_open = false) {
        if (value.empty()) {
            problem(field, "missing value: expected a number in " + range(lo, hi, unit, hi_open));
            return std::nullopt;
        }
        double v = 0;
        const char* begin = value.data();
        const char* end = begin + value.size();
        while (begin < end && *begin == ' ') ++begin;
        while (end > begin && end[-1] == ' ') --end;
        if (begin < end && *begin == '+') ++begin;
        auto [ptr, ec] = std::from_chars(begin, end, v);
        if (ec != std::errc() || ptr != end) {
            problem(field, "\"" + value + "\" is not a number: expected " + range(lo, hi, unit, hi_open));
            return std::nullopt;
        }
        if (!std::isfinite(v)) {
            problem(field, "\"" + value + "\" is not a finite number: expected " + range(lo, hi, unit, hi_open));
            return std::nullopt;
        }
        if (v < lo || v > hi || (hi_open && v == hi)) {
            problem(field, "value " + value + " is out of range: expected " + range(lo, hi, unit, hi_open));
            return std::nullopt;
        }
        return v;
    }

private:
    static std::string fmt_num(double v) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%g", v);
        return buf;
    }
    static std::string range(double lo, double hi, std::string_view unit, bool hi_open) {
        return fmt_num(lo) + " ≤ value " + (hi_open ? "< " : "≤ ") + fmt_num(hi) + " " + std::string(unit);
    }

    std::string m_file;
    std::string m_where;
    ProblemList* m_problems;
};

bool is_csv(const std::filesystem::path& p) {
    std::string ext = p.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    return ext == ".csv";
}

/// Where a row is, as every message names it: "row 17 (line 18)" in a CSV (one header line),
/// "feature 17" in other formats.
std::string row_where(bool csv, std::size_t row) {
    return csv ? "row " + std::to_string(row) + " (line " + std::to_string(row + 1) + ")"
               : "feature " + std::to_string(row);
}

/// A CSV row with more values than the header has columns: OGR silently drops the extra values,
/// which usually means an unquoted separator inside a value shifted the columns after it.
void check_csv_value_counts(const std::filesystem::path& path, const std::string& file,
                            ProblemList& problems) {
    std::unique_ptr<VSILFILE, int (*)(VSILFILE*)> fp(VSIFOpenL(path.c_str(), "rb"), &VSIFCloseL);
    if (!fp) return;
    const char* first = CPLReadLineL(fp.get());
    if (first == nullptr) return;
    const char separator = CSVDetectSeperator(first);
    VSIRewindL(fp.get());
    const auto count = [&]() -> std::optional<int> {
        char** values = CSVReadParseLine2L(fp.get(), separator);
        if (values == nullptr) return std::nullopt;
        const int n = CSLCount(values);
        CSLDestroy(values);
        return n;
    };
    const std::optional<int> columns = count();
    if (!columns) return;
    std::size_t row = 0;
    while (const std::optional<int> n = count()) {
        throw_if_interrupted();
        if (*n == 0) continue;  // blank line: OGR skips it too
        ++row;
        if (*n > *columns) {
            problems.add(file, row_where(true, row),
                         std::to_string(*n) + " values for " + std::to_string(*columns) +
                             " columns: quote values that contain the separator (\"" +
                             std::string(1, separator) + "\")");
        }
    }
}

std::string fmt6(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6f", v);
    return buf;
}

}  // namespace

SiteTable read_site_table(const std::filesystem::path& path) {
    const std::string file = path.string();
    const bool csv = is_csv(path);
    std::error_code ec;
    require_not_special(path);  // GDAL would block on a FIFO and read /dev/zero for ever
    if (std::filesystem::is_regular_file(path, ec)) {
        if (std::ifstream probe(path, std::ios::binary); !probe) {
            throw InputError(file, "", std::string("cannot read the site table: ") + std::strerror(errno));
        }
        if (std::filesystem::file_size(path, ec) == 0) {
            throw InputError(file, "", "the site table is empty (0 bytes): expected a header row and one row per cell");
        }
    }
    geo::gdal_init();
    geo::DatasetPtr ds;
    {
        geo::GdalErrorCapture cap;
        const char* csv_options[] = {"AUTODETECT_TYPE=NO", "KEEP_GEOM_COLUMNS=YES", nullptr};
        ds.reset(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr,
                                   csv ? csv_options : nullptr, nullptr));
        if (!ds || ds->GetLayerCount() < 1) {
            throw InputError(file, "", "cannot read the site table: " +
                                           (cap.last_error().empty() ? std::string("format not recognised (use CSV, GeoJSON, GeoPackage or Shapefile)")
                                                                     : cap.last_error()));
        }
    }
    geo::require_single_layer(*ds, file, "site table");
    OGRLayer* layer = ds->GetLayer(0);
    OGRFeatureDefn* defn = layer->GetLayerDefn();

    // Columns: all required ones must exist (lon/lat only for CSV; other formats use the geometry).
    ProblemList problems;
    std::map<std::string, int, std::less<>> index;
    for (int i = 0; i < defn->GetFieldCount(); ++i) index[defn->GetFieldDefn(i)->GetNameRef()] = i;
    std::string missing;
    for (auto col : required_columns()) {
        if (!csv && (col == "lon" || col == "lat")) continue;
        if (index.find(col) == index.end()) missing += (missing.empty() ? "" : ", ") + std::string(col);
    }
    if (!missing.empty()) {
        std::string all;
        for (auto c : required_columns()) all += (all.empty() ? "" : ",") + std::string(c);
        throw InputError(file, "header", "missing column(s) " + missing + "; the site table needs: " + all);
    }

    std::unique_ptr<OGRCoordinateTransformation> to_wgs84;
    if (!csv) {
        const OGRSpatialReference* srs = layer->GetSpatialRef();
        if (srs == nullptr) throw InputError(file, "", "the site layer has no CRS");
        OGRSpatialReference src(*srs);
        src.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        to_wgs84 = geo::make_transform(src, geo::srs_wgs84());
    }

    if (csv) check_csv_value_counts(path, file, problems);

    SiteTable table;
    table.file = file;
    std::size_t row = 0;
    layer->ResetReading();
    for (auto& feature : *layer) {
        throw_if_interrupted();  // a table of millions of rows ends on Ctrl-C too
        ++row;
        const std::string where = row_where(csv, row);
        RowReader r(file, where, problems);
        auto field = [&](std::string_view name) -> std::string {
            auto it = index.find(name);
            if (it == index.end() || !feature->IsFieldSetAndNotNull(it->second)) return {};
            std::string v = feature->GetFieldAsString(it->second);
            while (!v.empty() && (v.back() == ' ' || v.back() == '\r')) v.pop_back();
            return v;
        };
        Cell c;
        c.row = row;
        c.site_id = r.text("site_id", field("site_id"));
        c.cell_id = r.text("cell_id", field("cell_id"));
        c.operator_name = r.text("operator", field("operator"));
        std::optional<double> lon;
        std::optional<double> lat;
        if (csv) {
            lon = r.number("lon", field("lon"), -180.0, 180.0, "degrees (WGS 84 longitude)");
            lat = r.number("lat", field("lat"), -90.0, 90.0, "degrees (WGS 84 latitude)");
            if (!lat) {
                double v = 0;
                const std::string s = field("lat");
                const std::string o = field("lon");
                if (std::sscanf(s.c_str(), "%lf", &v) == 1 && std::abs(v) > 90 && std::abs(std::atof(o.c_str())) <= 90) {
                    r.problem("lat", "lat and lon look swapped (lat " + s + ", lon " + o + ")");
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
        auto height = r.number("height_agl_m", field("height_agl_m"), 0.5, 300.0, "m above ground");
        auto az = r.number("azimuth_deg", field("azimuth_deg"), 0.0, 360.0, "degrees clockwise from north", true);
        auto mt = r.number("mech_tilt_deg", field("mech_tilt_deg"), -20.0, 30.0, "degrees (positive = downtilt)");
        auto et = r.number("elec_tilt_deg", field("elec_tilt_deg"), -20.0, 30.0, "degrees (positive = downtilt)");
        auto freq = r.number("freq_mhz", field("freq_mhz"), 30.0, 100000.0, "MHz");
        auto bw = r.number("bandwidth_mhz", field("bandwidth_mhz"), 0.1, 400.0, "MHz");
        auto power = r.number("tx_power_dbm", field("tx_power_dbm"), -10.0, 70.0, "dBm");
        c.antenna = r.text("antenna", field("antenna"));
        const std::string tech = field("tech");
        // Exact upper-case names only, as documented (radio's parser is case-insensitive).
        const bool tech_known = tech == "GSM" || tech == "UMTS" || tech == "LTE" || tech == "NR";
        const Technology tech_value = tech_known ? *radio::technology_from_string(tech) : Technology::lte;
        const Technology* t = tech_known ? &tech_value : nullptr;
        if (!t) r.problem("tech", "unknown technology \"" + tech + "\": expected GSM, UMTS, LTE or NR");
        c.band = field("band");
        const BandInfo* band = find_band(c.band);
        if (!band) {
            r.problem("band", "unknown band \"" + c.band + "\": expected one of " + known_band_names());
        } else if (t && !band_allows(*band, *t)) {
            r.problem("band", "band " + c.band + " is not used by " + tech);
        } else if (freq && (*freq < band->dl_min_mhz || *freq > band->dl_max_mhz)) {
            r.problem("freq_mhz", "frequency " + field("freq_mhz") + " MHz is outside the downlink of band " +
                                      c.band + " (" + std::to_string(static_cast<int>(band->dl_min_mhz)) + "–" +
                                      std::to_string(static_cast<int>(band->dl_max_mhz)) + " MHz)");
        }
        if (!(lon && lat && height && az && mt && et && freq && bw && power && t && band) ||
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
        c.freq_mhz = *freq;
        c.bandwidth_mhz = *bw;
        c.tx_power_dbm = *power;
        table.cells.push_back(std::move(c));
    }
    if (row == 0) throw InputError(file, "", "the site table has no rows");

    // Cross-row checks: unique cell ids; one operator and one location per site.
    std::map<std::string, std::size_t> cell_rows;
    std::map<std::string, std::size_t> site_index;
    for (std::size_t i = 0; i < table.cells.size(); ++i) {
        const Cell& c = table.cells[i];
        const std::string where = (csv ? "row " : "feature ") + std::to_string(c.row);
        if (auto [it, fresh] = cell_rows.emplace(c.cell_id, c.row); !fresh) {
            problems.add(file, where + ", field cell_id",
                         "duplicate cell_id \"" + c.cell_id + "\" (also in row " + std::to_string(it->second) + ")");
        }
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

}  // namespace phusong::sites
