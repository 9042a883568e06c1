// Reading a measurement table (drive test, scanner or measurement-report export).

#include <ogrsf_frmts.h>

#include <map>

#include "phusong/calibration/calibration.hpp"
#include "phusong/core/interrupt.hpp"
#include "phusong/core/row_reader.hpp"
#include "phusong/geo/gdal.hpp"
#include "phusong/geo/table.hpp"

namespace phusong::calibration {

namespace {

std::string wkt_of(const OGRSpatialReference& srs) {
    char* wkt = nullptr;
    const char* options[] = {"FORMAT=WKT2", nullptr};
    srs.exportToWkt(&wkt, options);
    std::string s = wkt != nullptr ? wkt : "";
    CPLFree(wkt);
    return s;
}

}  // namespace

MeasurementTable read_measurements(const std::filesystem::path& path, std::optional<int> xy_epsg) {
    const std::string file = path.string();
    geo::Table t = geo::open_table(path, "measurement table", "point");
    const bool csv = t.delimited;
    const geo::DatasetPtr& ds = t.ds;
    OGRLayer* layer = ds->GetLayer(0);
    OGRFeatureDefn* defn = layer->GetLayerDefn();
    std::map<std::string, int, std::less<>> index;
    for (int i = 0; i < defn->GetFieldCount(); ++i) index[defn->GetFieldDefn(i)->GetNameRef()] = i;
    const auto has = [&](std::string_view c) { return index.find(c) != index.end(); };

    // Where the points are: CSV lon/lat (WGS 84) or x/y in measurement_epsg; else the geometry.
    bool use_xy = false;
    OGRSpatialReference srs;
    std::vector<std::string> required = {"cell_id", "signal_dbm"};
    if (csv) {
        use_xy = !has("lon") && !has("lat") && has("x") && has("y");
        if (use_xy && !xy_epsg) {
            throw InputError(file, "header",
                             "the points are given as x/y: name their CRS with calibration.measurement_epsg "
                             "(e.g. 32648 for WGS 84 / UTM 48N), or give lon/lat columns in WGS 84");
        }
        if (use_xy) {
            srs = geo::srs_from_epsg(*xy_epsg);
        } else {
            srs = geo::srs_wgs84();
            required.insert(required.end(), {"lon", "lat"});
        }
    } else {
        const OGRSpatialReference* s = layer->GetSpatialRef();
        if (s == nullptr) throw InputError(file, "", "the measurement layer has no CRS: assign one (e.g. ogr2ogr -a_srs)");
        srs = *s;
        srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    }
    std::string missing;
    for (const auto& c : required) {
        if (!has(c)) missing += (missing.empty() ? "" : ", ") + c;
    }
    if (!missing.empty()) {
        std::string found;
        for (const auto& [name, i] : index) found += (found.empty() ? "" : ", ") + name;
        throw InputError(file, "header",
                         "missing column(s) " + missing + " (found: " + found +
                             "); a measurement table needs cell_id, signal_dbm and, in CSV, lon/lat or x/y");
    }

    ProblemList problems;
    if (csv) geo::check_value_counts(path, file, problems);
    MeasurementTable out;
    out.file = file;
    out.crs_wkt = wkt_of(srs);
    std::size_t row = 0;
    layer->ResetReading();
    for (auto& feature : *layer) {
        throw_if_interrupted();
        ++row;
        RowReader r(file, geo::row_where(csv, row), problems, t.separator != ',');
        auto field = [&](std::string_view name) -> std::string {
            auto it = index.find(name);
            if (it == index.end() || !feature->IsFieldSetAndNotNull(it->second)) return {};
            std::string v = feature->GetFieldAsString(it->second);
            while (!v.empty() && (v.back() == ' ' || v.back() == '\r')) v.pop_back();
            return v;
        };
        Measurement m;
        m.row = row;
        m.cell_id = r.text("cell_id", field("cell_id"));
        const auto signal = r.number("signal_dbm", field("signal_dbm"), -200.0, 50.0, "dBm");
        std::optional<double> x;
        std::optional<double> y;
        if (csv && use_xy) {
            x = r.number("x", field("x"), -1e8, 1e8, "(easting, EPSG:" + std::to_string(*xy_epsg) + ")");
            y = r.number("y", field("y"), -1e8, 1e8, "(northing, EPSG:" + std::to_string(*xy_epsg) + ")");
        } else if (csv) {
            x = r.number("lon", field("lon"), -180.0, 180.0, "degrees (WGS 84 longitude)");
            y = r.number("lat", field("lat"), -90.0, 90.0, "degrees (WGS 84 latitude)");
            if (!y && x) {
                const std::string lat = field("lat");
                char* end = nullptr;
                const double v = std::strtod(lat.c_str(), &end);
                if (end != lat.c_str() && std::abs(v) > 90 && std::abs(*x) <= 90) {
                    r.problem("lat", "lat and lon look swapped (lat " + lat + ", lon " + field("lon") + ")");
                }
            }
        } else {
            const OGRGeometry* g = feature->GetGeometryRef();
            if (g == nullptr || wkbFlatten(g->getGeometryType()) != wkbPoint) {
                r.problem("geometry", "expected a point geometry for the measurement's location");
            } else {
                x = g->toPoint()->getX();
                y = g->toPoint()->getY();
            }
        }
        if (has("rx_height_m") && !field("rx_height_m").empty()) {
            m.rx_height_m = r.number("rx_height_m", field("rx_height_m"), 0.5, 100.0, "m above ground");
        }
        if (signal && x && y) {
            m.signal_dbm = *signal;
            m.x = *x;
            m.y = *y;
            out.points.push_back(std::move(m));
        }
    }
    if (row == 0) throw InputError(file, "", "the measurement table has no rows");
    problems.throw_if_any();
    return out;
}

}  // namespace phusong::calibration
