#include "phusong/io/vector_writer.hpp"

#include <fmt/format.h>
#include <cpl_conv.h>
#include <ogrsf_frmts.h>

#include <cmath>
#include <filesystem>
#include <sstream>

#include "phusong/core/error.hpp"
#include "phusong/core/output_file.hpp"
#include "phusong/geo/gdal.hpp"
#include "phusong/io/geotiff.hpp"
#include "phusong/io/vector_style.hpp"

namespace phusong::io {
namespace {

double rounded(double v, int decimals) {
    const double f = std::pow(10.0, decimals);
    const double r = std::round(v * f) / f;
    return r == 0.0 ? 0.0 : r;  // no "-0"
}

std::string csv_cell(const Value& v, const Field& f) {
    if (std::holds_alternative<std::int64_t>(v)) return std::to_string(std::get<std::int64_t>(v));
    if (std::holds_alternative<double>(v)) {
        const double d = std::get<double>(v);
        if (!std::isfinite(d)) return "";
        return fmt::format("{:.{}f}", rounded(d, f.decimals), f.decimals);
    }
    if (std::holds_alternative<std::string>(v)) return csv_text(std::get<std::string>(v));
    return "";
}

OGRFieldType ogr_type(FieldType t) {
    switch (t) {
        case FieldType::integer: return OFTInteger64;
        case FieldType::real: return OFTReal;
        case FieldType::text: return OFTString;
    }
    return OFTString;
}

void fill_layer(OGRLayer* layer, const VectorLayer& v, const std::filesystem::path& path, const geo::GdalErrorCapture& cap) {
    const std::string file = path.string();
    for (const Field& f : v.table.fields) {
        OGRFieldDefn def(f.name.c_str(), ogr_type(f.type));
        if (layer->CreateField(&def) != OGRERR_NONE) throw GdalError("cannot create field " + f.name + " in " + file);
    }
    if (v.geometries.size() != v.table.rows.size()) throw InternalError("vector layer: one geometry per row expected");
    for (std::size_t r = 0; r < v.table.rows.size(); ++r) {
        const auto& row = v.table.rows[r];
        if (row.size() != v.table.fields.size()) throw InternalError("vector layer: row of the wrong width");
        OGRFeature feature(layer->GetLayerDefn());
        for (std::size_t i = 0; i < row.size(); ++i) {
            const int idx = static_cast<int>(i);
            const Value& val = row[i];
            if (std::holds_alternative<std::int64_t>(val)) {
                feature.SetField(idx, static_cast<GIntBig>(std::get<std::int64_t>(val)));
            } else if (std::holds_alternative<double>(val) && std::isfinite(std::get<double>(val))) {
                feature.SetField(idx, rounded(std::get<double>(val), v.table.fields[i].decimals));
            } else if (std::holds_alternative<std::string>(val)) {
                feature.SetField(idx, std::get<std::string>(val).c_str());
            } else {
                feature.SetFieldNull(idx);
            }
        }
        if (v.geometries[r]) feature.SetGeometry(v.geometries[r].get());
        if (layer->CreateFeature(&feature) != OGRERR_NONE) throw GdalError(geo::write_failure(path, cap));
    }
}

void close_or_throw(geo::DatasetPtr& ds, const geo::GdalErrorCapture& cap, const std::filesystem::path& path) {
    ds.reset();  // GDAL 3.6 reports close failures only through CPLError
    if (!cap.last_error().empty()) {
        std::error_code ec;
        std::filesystem::remove(path, ec);
        throw GdalError(geo::write_failure(path, cap));
    }
}

}  // namespace

std::string csv_text(const std::string& v) {
    if (v.find_first_of(",\"\n\r") == std::string::npos) return v;
    std::string q = "\"";
    for (char c : v) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
}

void write_csv(const std::filesystem::path& path, const Table& table) {
    std::ostringstream out;
    for (std::size_t i = 0; i < table.fields.size(); ++i) out << (i ? "," : "") << csv_text(table.fields[i].name);
    out << '\n';
    for (const auto& row : table.rows) {
        if (row.size() != table.fields.size()) throw InternalError("write_csv: row of the wrong width");
        for (std::size_t i = 0; i < row.size(); ++i) out << (i ? "," : "") << csv_cell(row[i], table.fields[i]);
        out << '\n';
    }
    write_output_file(path, out.str());
}

void write_geojson(const std::filesystem::path& path, const VectorLayer& v) {
    geo::gdal_init();
    GDALDriver* drv = GetGDALDriverManager()->GetDriverByName("GeoJSON");
    if (drv == nullptr) throw GdalError("GDAL has no GeoJSON driver");
    std::error_code ec;
    std::filesystem::remove(path, ec);
    geo::GdalErrorCapture cap;
    geo::DatasetPtr ds(drv->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    if (!ds) throw GdalError(geo::write_failure(path, cap));
    OGRSpatialReference srs = geo::srs_from_epsg(v.epsg);
    // The metadata rides as a foreign member of the FeatureCollection (RFC 7946 §6.1).
    const std::string native = nlohmann::ordered_json{{"phusong", v.metadata}}.dump();
    const std::string native_opt = "NATIVE_DATA=" + native;
    const char* options[] = {"RFC7946=YES", "COORDINATE_PRECISION=7", "WRITE_NAME=YES", "SIGNIFICANT_FIGURES=15",
                             "NATIVE_MEDIA_TYPE=application/vnd.geo+json", native_opt.c_str(), nullptr};
    OGRLayer* layer = ds->CreateLayer(v.name.c_str(), &srs, wkbUnknown, const_cast<char**>(options));
    if (layer == nullptr) throw GdalError("cannot create a layer in " + path.string() + ": " + cap.last_error());
    fill_layer(layer, v, path, cap);
    close_or_throw(ds, cap, path);
}

void write_geopackage(const std::filesystem::path& path, std::span<const VectorLayer* const> layers) {
    geo::gdal_init();
    GDALDriver* drv = GetGDALDriverManager()->GetDriverByName("GPKG");
    if (drv == nullptr) throw GdalError("GDAL has no GPKG driver");
    // The GPKG driver stamps gpkg_contents.last_change with the clock unless OGR_CURRENT_DATE
    // gives it a date: a fixed one keeps the file the same bytes from run to run (no clock in
    // the outputs).
    const CPLConfigOptionSetter fixed_date("OGR_CURRENT_DATE", "2000-01-01T00:00:00.000Z", false);
    std::error_code ec;
    std::filesystem::remove(path, ec);
    geo::GdalErrorCapture cap;
    geo::DatasetPtr ds(drv->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    if (!ds) throw GdalError(geo::write_failure(path, cap));
    for (const VectorLayer* v : layers) {
        OGRSpatialReference srs = geo::srs_from_epsg(v->epsg);
        OGRLayer* layer = ds->CreateLayer(v->name.c_str(), &srs, wkbUnknown, nullptr);
        if (layer == nullptr) throw GdalError("cannot create layer " + v->name + " in " + path.string());
        layer->SetMetadataItem("PHUSONG", v->metadata.dump().c_str());
        if (layer->StartTransaction() != OGRERR_NONE) throw GdalError("cannot start a transaction in " + path.string());
        fill_layer(layer, *v, path, cap);
        if (layer->CommitTransaction() != OGRERR_NONE) throw GdalError(geo::write_failure(path, cap));
    }
    close_or_throw(ds, cap, path);
}

// --- the analysis stage's outputs ---------------------------------------------------------------

namespace {

using analysis::AnalysisResult;
using analysis::ClassStats;
using analysis::View;
using analysis::ViewKind;
using analysis::kFair;
using analysis::kGood;
using analysis::kNone;

bool has_quality(radio::Technology t) { return t == radio::Technology::lte || t == radio::Technology::nr; }

std::vector<Field> class_fields() {
    return {{"population", FieldType::real, 1},         {"good_population", FieldType::real, 1},
            {"fair_population", FieldType::real, 1},    {"uncovered_population", FieldType::real, 1},
            {"covered_population", FieldType::real, 1}, {"covered_share", FieldType::real, 6},
            {"area_km2", FieldType::real, 4},           {"good_area_km2", FieldType::real, 4},
            {"fair_area_km2", FieldType::real, 4},      {"uncovered_area_km2", FieldType::real, 4},
            {"covered_area_km2", FieldType::real, 4},   {"covered_area_share", FieldType::real, 6}};
}

std::vector<Value> class_values(const ClassStats& s, double pixel_km2) {
    const double pop = s.population[kNone] + s.population[kFair] + s.population[kGood];
    const auto px = static_cast<double>(s.pixels[kNone] + s.pixels[kFair] + s.pixels[kGood]);
    const auto share = [](double a, double b) { return b > 0 ? Value{a / b} : Value{}; };
    return {pop,
            s.population[kGood],
            s.population[kFair],
            s.population[kNone],
            s.covered_population(),
            share(s.covered_population(), pop),
            px * pixel_km2,
            static_cast<double>(s.pixels[kGood]) * pixel_km2,
            static_cast<double>(s.pixels[kFair]) * pixel_km2,
            static_cast<double>(s.pixels[kNone]) * pixel_km2,
            static_cast<double>(s.covered_pixels()) * pixel_km2,
            share(static_cast<double>(s.covered_pixels()), px)};
}

std::vector<Field> view_fields() {
    return {{"view_kind", FieldType::text}, {"view", FieldType::text},       {"operator", FieldType::text},
            {"technology", FieldType::text}, {"signal", FieldType::text},    {"layers", FieldType::integer}};
}

std::vector<Value> view_values(const View& v) {
    return {std::string(analysis::view_kind_name(v.kind)), v.name, v.operator_name,
            std::string(radio::to_string(v.tech)), v.signal, static_cast<std::int64_t>(v.layers.size())};
}

std::vector<Field> threshold_fields() {
    return {{"good_signal_dbm", FieldType::real, 2},      {"fair_signal_dbm", FieldType::real, 2},
            {"good_sinr_db", FieldType::real, 2},         {"fair_sinr_db", FieldType::real, 2},
            {"good_throughput_mbps", FieldType::real, 3}, {"fair_throughput_mbps", FieldType::real, 3}};
}

std::vector<Value> threshold_values(const phusong::AnalysisConfig& c, radio::Technology tech) {
    const ClassThresholds& t = c.thresholds[static_cast<std::size_t>(tech)];
    if (!has_quality(tech)) return {t.good_signal_dbm, t.fair_signal_dbm, Value{}, Value{}, Value{}, Value{}};
    return {t.good_signal_dbm, t.fair_signal_dbm, t.good_sinr_db, t.fair_sinr_db, t.good_throughput_mbps,
            t.fair_throughput_mbps};
}

template <typename T>
void append(std::vector<T>& to, std::vector<T> from) {
    for (auto& x : from) to.push_back(std::move(x));
}

/// The view the admin style colours by: the all-operators union of LTE, else NR, UMTS, GSM.
std::optional<std::size_t> headline_view(const AnalysisResult& r) {
    for (auto tech : {radio::Technology::lte, radio::Technology::nr, radio::Technology::umts, radio::Technology::gsm}) {
        for (std::size_t v = 0; v < r.views.size(); ++v) {
            if (r.views[v].view.kind == ViewKind::technology_union && r.views[v].view.tech == tech) return v;
        }
    }
    return std::nullopt;
}

std::string class_raster_name(const View& v) {
    if (v.kind == ViewKind::technology_union) {
        std::string t(radio::to_string(v.tech));
        for (char& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return "best_of_operators_" + t + "_class.tif";
    }
    return v.slug + "_class.tif";
}

}  // namespace

void write_class_raster(const std::filesystem::path& path, const geo::Grid& grid,
                        std::span<const std::uint8_t> classes, const std::string& view_name,
                        const AnalysisWriteOptions& options) {
    std::map<std::string, std::string> tags = options.tags;
    tags["PHUSONG_VIEW"] = view_name;
    tags["PHUSONG_THRESHOLDS"] = options.thresholds.dump();
    tags["PHUSONG_CLASSES"] = "0=none 1=fair 2=good 255=outside the AOI";
    write_cog(path, grid, classes, analysis::kOutside,
              {"coverage class (0 none, 1 fair, 2 good): " + view_name, "class", true, tags});
    write_class_raster_style(path);
}

std::vector<std::pair<std::string, std::string>> write_analysis_outputs(
    const std::filesystem::path& root, const geo::Grid& grid, const AnalysisResult& r,
    const analysis::Accumulator& acc, const analysis::AdminUnits* admin, const analysis::CensusScaling& census,
    const phusong::AnalysisConfig& config, const AnalysisWriteOptions& options) {
    std::vector<std::pair<std::string, std::string>> written;
    const std::filesystem::path dir = root / "analysis";
    std::filesystem::create_directories(dir);
    const double px_km2 = r.pixel_area_km2;
    nlohmann::ordered_json meta = {{"version", options.tags.count("PHUSONG_VERSION") ? options.tags.at("PHUSONG_VERSION") : ""},
                                   {"config_sha256", options.tags.count("PHUSONG_CONFIG_SHA256")
                                                         ? options.tags.at("PHUSONG_CONFIG_SHA256") : ""},
                                   {"thresholds", options.thresholds}};
    if (census.applied) meta["census_source"] = census.source;

    // Union class rasters.
    for (std::size_t v = 0; v < r.views.size(); ++v) {
        const View& view = r.views[v].view;
        if (view.kind == ViewKind::layer) continue;
        const std::string name = class_raster_name(view);
        write_class_raster(dir / name, grid, acc.union_classes(v), view.name, options);
        written.emplace_back("analysis/" + name, "coverage class of " + view.name + " (0 none, 1 fair, 2 good)");
    }

    // coverage_summary.csv: one row per view over the whole AOI.
    Table summary;
    summary.fields = view_fields();
    append(summary.fields, class_fields());
    append(summary.fields, threshold_fields());
    for (const auto& vr : r.views) {
        std::vector<Value> row = view_values(vr.view);
        append(row, class_values(vr.aoi, px_km2));
        append(row, threshold_values(config, vr.view.tech));
        summary.rows.push_back(std::move(row));
    }
    write_csv(dir / "coverage_summary.csv", summary);
    written.emplace_back("analysis/coverage_summary.csv",
                         "covered/uncovered population and area per class, per layer, operator and technology");

    // sensitivity.csv
    Table sens;
    sens.fields = view_fields();
    append(sens.fields, {{"rsrp_threshold_dbm", FieldType::real, 2},
                         {"covered_population", FieldType::real, 1},
                         {"covered_share", FieldType::real, 6}});
    for (const auto& vr : r.views) {
        for (std::size_t k = 0; k < vr.sensitivity_people.size(); ++k) {
            std::vector<Value> row = view_values(vr.view);
            append(row, {r.sensitivity_dbm[k], vr.sensitivity_people[k],
                         r.aoi_population > 0 ? Value{vr.sensitivity_people[k] / r.aoi_population} : Value{}});
            sens.rows.push_back(std::move(row));
        }
    }
    write_csv(dir / "sensitivity.csv", sens);
    written.emplace_back("analysis/sensitivity.csv", "covered population share per RSRP threshold (signal only)");

    // gaps.geojson
    VectorLayer gaps;
    gaps.name = "gaps";
    gaps.epsg = grid.epsg;
    gaps.metadata = meta;
    gaps.metadata["gap_filters"] = {{"min_area_km2", config.gap_min_area_km2},
                                    {"min_population", config.gap_min_population},
                                    {"simplify_px", config.gap_simplify_px}};
    gaps.table.fields = {{"id", FieldType::text},
                         {"view_kind", FieldType::text},
                         {"layer", FieldType::text},
                         {"operator", FieldType::text},
                         {"technology", FieldType::text},
                         {"area_km2", FieldType::real, 4},
                         {"pixels", FieldType::integer},
                         {"population", FieldType::real, 1},
                         {"admin_name", FieldType::text},
                         {"admin_code", FieldType::text},
                         {"signal", FieldType::text},
                         {"mean_signal_dbm", FieldType::real, 2},
                         {"max_signal_dbm", FieldType::real, 2},
                         {"nearest_site_km", FieldType::real, 3},
                         {"cause", FieldType::text}};
    for (int c = 0; c < analysis::kCauses; ++c) {
        gaps.table.fields.push_back({std::string("population_") + analysis::cause_name(c), FieldType::real, 1});
    }
    for (const auto& g : r.gaps) {
        const View& v = r.views[g.view].view;
        const auto opt = [](const std::optional<double>& x) { return x ? Value{*x} : Value{}; };
        gaps.table.rows.push_back({g.id, std::string(analysis::view_kind_name(v.kind)), v.name, v.operator_name,
                                   std::string(radio::to_string(v.tech)), g.area_km2,
                                   static_cast<std::int64_t>(g.pixels), g.population,
                                   g.unit && admin ? Value{admin->names[*g.unit]} : Value{},
                                   g.unit && admin && !admin->codes[*g.unit].empty() ? Value{admin->codes[*g.unit]} : Value{},
                                   v.signal, opt(g.mean_signal_dbm), opt(g.max_signal_dbm), opt(g.nearest_site_km),
                                   std::string(analysis::cause_name(g.cause))});
        for (const double people : g.cause_population) gaps.table.rows.back().emplace_back(people);
        gaps.geometries.emplace_back(g.geometry ? g.geometry->clone() : nullptr);
    }
    write_geojson(dir / "gaps.geojson", gaps);
    {
        // The style: the union views one by one (the headline view on), the single layers together.
        const auto head = headline_view(r);
        std::vector<GapStyleView> style_views;
        for (std::size_t v = 0; v < r.views.size(); ++v) {
            const View& view = r.views[v].view;
            if (view.kind == ViewKind::layer) continue;
            style_views.push_back({"layer", view.name, view.name + " gaps", head && *head == v});
        }
        style_views.push_back({"view_kind", analysis::view_kind_name(ViewKind::layer), "gaps of each network layer", false});
        write_gap_style(dir / "gaps.geojson", style_views);
    }
    written.emplace_back("analysis/gaps.geojson", "uncovered populated areas, sorted by population (RFC 7946)");
    written.emplace_back("analysis/gaps.qml", "QGIS style of gaps.geojson (a rule per view, graduated by population)");

    VectorLayer units;
    if (admin != nullptr) {
        const auto head = headline_view(r);
        // admin_units.csv/.geojson: one row per unit; union views as columns.
        Table t;
        t.fields = {{"name", FieldType::text},
                    {"code", FieldType::text},
                    {"polygon_area_km2", FieldType::real, 4},
                    {"grid_area_km2", FieldType::real, 4},
                    {"population", FieldType::real, 1},
                    {"census_factor", FieldType::real, 6}};
        std::vector<std::size_t> cols;
        for (std::size_t v = 0; v < r.views.size(); ++v) {
            if (r.views[v].view.kind == ViewKind::layer) continue;
            cols.push_back(v);
            const std::string& s = r.views[v].view.slug;
            append(t.fields, {{s + "_covered_pop", FieldType::real, 1},
                              {s + "_covered_share", FieldType::real, 6},
                              {s + "_good_pop", FieldType::real, 1}});
        }
        const auto unit_cols = [&](const ClassStats& s, double pop) {
            std::vector<Value> out;
            for (std::size_t k = 0; k < 1; ++k) (void)k;
            out.push_back(s.covered_population());
            out.push_back(pop > 0 ? Value{s.covered_population() / pop} : Value{});
            out.push_back(s.population[kGood]);
            return out;
        };
        for (std::size_t u = 0; u < admin->names.size(); ++u) {
            std::vector<Value> row = {admin->names[u], admin->codes[u], admin->polygon_area_km2[u],
                                      static_cast<double>(r.unit_pixels[u]) * px_km2, r.unit_population[u],
                                      census.applied ? Value{census.unit_factor[u]} : Value{1.0}};
            for (std::size_t v : cols) append(row, unit_cols(r.views[v].units[u], r.unit_population[u]));
            t.rows.push_back(std::move(row));
        }
        units.name = "admin_units";
        units.epsg = grid.epsg;
        units.metadata = meta;
        // By absolute path, as the manifest names its inputs: the same file whatever folder the run started in.
        units.metadata["admin_file"] = std::filesystem::absolute(admin->file).lexically_normal().string();
        units.table = t;
        for (const auto& g : admin->geometries) units.geometries.emplace_back(g->clone());
        write_geojson(dir / "admin_units.geojson", units);
        if (head) write_admin_style(dir / "admin_units.geojson", r.views[*head].view.slug + "_covered_share");
        written.emplace_back("analysis/admin_units.geojson", "admin units with their coverage statistics (RFC 7946)");
        written.emplace_back("analysis/admin_units.qml", "QGIS style of admin_units.geojson (graduated by covered share)");

        // The CSV adds the AOI pixels in no unit (when any) and the province (AOI) total.
        if (r.unassigned_pixels > 0) {
            std::vector<Value> row = {std::string("(in no admin unit)"), std::string(), Value{},
                                      static_cast<double>(r.unassigned_pixels) * px_km2, r.unassigned_population,
                                      census.applied && census.rest_factor ? Value{*census.rest_factor} : Value{1.0}};
            for (std::size_t v : cols) {
                ClassStats rest = r.views[v].aoi;
                for (const auto& us : r.views[v].units) {
                    for (int c = 0; c < analysis::kClasses; ++c) {
                        rest.population[c] -= us.population[c];
                        rest.pixels[c] -= us.pixels[c];
                    }
                }
                append(row, unit_cols(rest, r.unassigned_population));
            }
            t.rows.push_back(std::move(row));
        }
        std::vector<Value> total = {std::string("Total (AOI)"), std::string(), Value{},
                                    static_cast<double>(r.aoi_pixels) * px_km2, r.aoi_population, Value{}};
        for (std::size_t v : cols) append(total, unit_cols(r.views[v].aoi, r.aoi_population));
        t.rows.push_back(std::move(total));
        write_csv(dir / "admin_units.csv", t);
        written.emplace_back("analysis/admin_units.csv", "one row per admin unit plus the AOI total (UTF-8)");

        // admin_coverage.csv: long form, every view in every unit, with the thresholds.
        Table lng;
        lng.fields = {{"admin_name", FieldType::text}, {"admin_code", FieldType::text}};
        append(lng.fields, view_fields());
        append(lng.fields, class_fields());
        append(lng.fields, threshold_fields());
        for (std::size_t u = 0; u < admin->names.size(); ++u) {
            for (const auto& vr : r.views) {
                std::vector<Value> row = {admin->names[u], admin->codes[u]};
                append(row, view_values(vr.view));
                append(row, class_values(vr.units[u], px_km2));
                append(row, threshold_values(config, vr.view.tech));
                lng.rows.push_back(std::move(row));
            }
        }
        write_csv(dir / "admin_coverage.csv", lng);
        written.emplace_back("analysis/admin_coverage.csv", "every view in every admin unit, per class");
    }
    // The network: one point per cell at its site with its best-server statistics.
    VectorLayer cells;
    if (!r.cells.empty()) {
        cells.name = "cells";
        cells.epsg = grid.epsg;
        cells.metadata = meta;
        cells.table.fields = {{"index", FieldType::integer},
                              {"cell_id", FieldType::text},
                              {"site_id", FieldType::text},
                              {"operator", FieldType::text},
                              {"layer", FieldType::text},
                              {"technology", FieldType::text},
                              {"band", FieldType::text},
                              {"lon", FieldType::real, 6},
                              {"lat", FieldType::real, 6},
                              {"azimuth_deg", FieldType::real, 1},
                              {"height_agl_m", FieldType::real, 1},
                              {"signal", FieldType::text},
                              {"served_area_km2", FieldType::real, 4},
                              {"people_served", FieldType::real, 1},
                              {"mean_signal_dbm", FieldType::real, 2},
                              {"mean_sinr_db", FieldType::real, 2}};
        const auto opt = [](const std::optional<double>& x) { return x ? Value{*x} : Value{}; };
        for (std::size_t k = 0; k < r.cells.size(); ++k) {
            const analysis::CellInfo& c = r.cell_info[k];
            const analysis::CellStats& st = r.cells[k];
            const View& layer_view = r.views[c.layer].view;  // the layer views come first, in layer order
            cells.table.rows.push_back({static_cast<std::int64_t>(k), c.cell_id, c.site_id, c.operator_name,
                                        layer_view.name, std::string(radio::to_string(c.tech)), c.band, c.lon_deg,
                                        c.lat_deg, c.azimuth_deg, c.height_agl_m, layer_view.signal, st.area_km2,
                                        st.people, opt(st.mean_signal_dbm), opt(st.mean_sinr_db)});
            cells.geometries.push_back(std::make_unique<OGRPoint>(c.x_m, c.y_m));
        }
        write_csv(dir / "cells_stats.csv", cells.table);
        written.emplace_back("analysis/cells_stats.csv",
                             "per cell: best-server area (km²), people served, mean signal and SINR over it");
        write_geojson(dir / "cells.geojson", cells);
        write_cells_style(dir / "cells.geojson");
        written.emplace_back("analysis/cells.geojson", "sites and cells (one point per cell) with their statistics (RFC 7946)");
        written.emplace_back("analysis/cells.qml", "QGIS style of cells.geojson (sectors by azimuth, by technology)");
    }
    if (options.geopackage) {
        std::vector<const VectorLayer*> layers = {&gaps};
        if (admin != nullptr) layers.push_back(&units);
        if (!r.cells.empty()) layers.push_back(&cells);
        write_geopackage(dir / "analysis.gpkg", layers);
        written.emplace_back("analysis/analysis.gpkg", "gaps, admin units and cells in one GeoPackage (grid CRS)");
    }
    return written;
}

}  // namespace phusong::io
