#include "phusong/io/plan_writer.hpp"

#include <fmt/format.h>
#include <cpl_conv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <sstream>

#include "phusong/core/error.hpp"
#include "phusong/core/output_file.hpp"
#include "phusong/geo/gdal.hpp"
#include "phusong/io/vector_style.hpp"
#include "phusong/io/vector_writer.hpp"
#include "bitmap_font.hpp"

namespace phusong::io {
namespace {

double round_to(double v, double step) { return std::round(v / step) * step; }

}  // namespace

void write_candidates_geojson(const std::filesystem::path& path, const planning::PlanResult& plan) {
    geo::gdal_init();
    geo::GdalErrorCapture cap;
    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GeoJSON");
    if (driver == nullptr) throw GdalError("GDAL has no GeoJSON driver");
    std::error_code ec;
    std::filesystem::remove(path, ec);
    geo::DatasetPtr ds(driver->Create(path.string().c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    if (!ds) throw GdalError(geo::write_failure(path, cap));
    OGRSpatialReference wgs84 = geo::srs_wgs84();
    char** options = CSLSetNameValue(nullptr, "RFC7946", "YES");
    options = CSLSetNameValue(options, "WRITE_NAME", "NO");
    OGRLayer* layer = ds->CreateLayer("candidates", &wgs84, wkbPoint, options);
    CSLDestroy(options);
    if (layer == nullptr) throw GdalError("cannot create a layer in " + path.string() + ": " + cap.last_error());
    const std::array<std::pair<const char*, OGRFieldType>, 14> fields = {{
        {"rank", OFTInteger}, {"kind", OFTString}, {"site_id", OFTString}, {"operator", OFTString},
        {"lon", OFTReal}, {"lat", OFTReal}, {"admin_unit", OFTString}, {"ground_m", OFTReal},
        {"height_agl_m", OFTReal}, {"marginal_people", OFTReal}, {"covered_share", OFTReal},
        {"cost", OFTReal}, {"cumulative_cost", OFTReal}, {"cumulative_people", OFTReal}}};
    for (const auto& [name, type] : fields) {
        OGRFieldDefn def(name, type);
        if (layer->CreateField(&def) != OGRERR_NONE) throw GdalError("cannot create field " + std::string(name));
    }
    std::vector<int> rank_of(plan.candidates.size(), 0);
    std::vector<std::size_t> order;
    for (std::size_t r = 0; r < plan.ranking.size(); ++r) {
        rank_of[plan.ranking[r].candidate] = static_cast<int>(r + 1);
        order.push_back(plan.ranking[r].candidate);
    }
    for (std::size_t i = 0; i < plan.candidates.size(); ++i) {
        if (rank_of[i] == 0) order.push_back(i);
    }
    for (const std::size_t i : order) {
        const planning::Candidate& c = plan.candidates[i];
        OGRFeature f(layer->GetLayerDefn());
        f.SetField("kind", planning::to_string(c.kind));
        f.SetField("site_id", c.site_id.c_str());
        f.SetField("operator", c.operator_name.c_str());
        f.SetField("lon", round_to(c.lon_deg, 1e-6));
        f.SetField("lat", round_to(c.lat_deg, 1e-6));
        if (!c.admin_unit.empty()) f.SetField("admin_unit", c.admin_unit.c_str());
        f.SetField("ground_m", round_to(c.ground_m, 0.1));
        f.SetField("height_agl_m", c.height_agl_m);
        f.SetField("cost", c.cost);
        if (rank_of[i] > 0) {
            const planning::PlanPick& p = plan.ranking[static_cast<std::size_t>(rank_of[i] - 1)];
            f.SetField("rank", rank_of[i]);
            f.SetField("marginal_people", round_to(p.marginal_people, 0.1));
            f.SetField("cumulative_people", round_to(p.cumulative_people, 0.1));
            f.SetField("covered_share", round_to(p.covered_share, 1e-6));
            f.SetField("cumulative_cost", p.cumulative_cost);
        } else {
            for (const char* name : {"rank", "marginal_people", "cumulative_people", "covered_share", "cumulative_cost"}) {
                f.SetFieldNull(f.GetFieldIndex(name));
            }
        }
        OGRPoint pt(c.lon_deg, c.lat_deg);
        f.SetGeometry(&pt);
        if (layer->CreateFeature(&f) != OGRERR_NONE) {
            throw GdalError(geo::write_failure(path, cap));
        }
    }
    ds.reset();  // closes the file; GDAL 3.6's GDALClose reports failures only via CPLError
    if (!cap.last_error().empty()) throw GdalError(geo::write_failure(path, cap));
}

namespace {

/// The ranked candidates as a table (rank order), for candidates.csv and the KMZ.
Table ranked_table(const planning::PlanResult& plan) {
    Table t;
    t.fields = {{"rank", FieldType::integer},          {"site_id", FieldType::text},
                {"kind", FieldType::text},             {"operator", FieldType::text},
                {"lon", FieldType::real, 6},           {"lat", FieldType::real, 6},
                {"admin_unit", FieldType::text},       {"ground_m", FieldType::real, 1},
                {"height_agl_m", FieldType::real, 1},  {"people_gained", FieldType::real, 1},
                {"cumulative_people", FieldType::real, 1}, {"covered_share", FieldType::real, 6},
                {"cost", FieldType::real, 3},          {"cumulative_cost", FieldType::real, 3},
                {"people_per_cost", FieldType::real, 1}};
    for (std::size_t r = 0; r < plan.ranking.size(); ++r) {
        const planning::PlanPick& p = plan.ranking[r];
        const planning::Candidate& c = plan.candidates[p.candidate];
        t.rows.push_back({static_cast<std::int64_t>(r + 1), c.site_id, std::string(planning::to_string(c.kind)),
                          c.operator_name, c.lon_deg, c.lat_deg, c.admin_unit.empty() ? Value{} : Value{c.admin_unit},
                          c.ground_m, c.height_agl_m, p.marginal_people, p.cumulative_people, p.covered_share, p.cost,
                          p.cumulative_cost, p.cost > 0 ? Value{p.marginal_people / p.cost} : Value{}});
    }
    return t;
}

}  // namespace

void write_candidates_csv(const std::filesystem::path& path, const planning::PlanResult& plan) {
    write_csv(path, ranked_table(plan));
}

void write_candidates_kmz(const std::filesystem::path& path, const planning::PlanResult& plan) {
    // GDAL's LIBKML driver writes the KMZ itself: a placemark per ranked candidate named
    // "#rank site_id", its figures as ExtendedData, coloured by rank band as in candidates.qml
    // (OGR feature style → KML IconStyle/LabelStyle). One KML at the root of the zip (the
    // document Google Earth opens), not a doc.kml linking to layers/candidates.kml.
    geo::gdal_init();
    geo::GdalErrorCapture cap;
    const CPLConfigOptionSetter single_file("LIBKML_USE_DOC.KML", "NO", false);
    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("LIBKML");
    if (driver == nullptr) throw GdalError("GDAL has no LIBKML driver: cannot write " + path.string());
    std::error_code ec;
    std::filesystem::remove(path, ec);
    geo::DatasetPtr ds(driver->Create(path.string().c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    if (!ds) throw GdalError(geo::write_failure(path, cap));
    OGRSpatialReference wgs84 = geo::srs_wgs84();
    const char* const layer_options[] = {"NAME=5G candidates, ranked", nullptr};
    OGRLayer* layer = ds->CreateLayer("candidates", &wgs84, wkbPoint, const_cast<char**>(layer_options));
    if (layer == nullptr) throw GdalError("cannot create a layer in " + path.string() + ": " + cap.last_error());
    const Table t = ranked_table(plan);
    for (const char* name : {"Name", "Description"}) {
        OGRFieldDefn def(name, OFTString);
        if (layer->CreateField(&def) != OGRERR_NONE) throw GdalError("cannot create field " + std::string(name));
    }
    for (const Field& f : t.fields) {
        OGRFieldDefn def(f.name.c_str(), f.type == FieldType::integer ? OFTInteger
                                         : f.type == FieldType::real  ? OFTReal
                                                                      : OFTString);
        if (layer->CreateField(&def) != OGRERR_NONE) throw GdalError("cannot create field " + f.name);
    }
    for (std::size_t r = 0; r < plan.ranking.size(); ++r) {
        const planning::PlanPick& p = plan.ranking[r];
        const planning::Candidate& c = plan.candidates[p.candidate];
        const int rank = static_cast<int>(r + 1);
        OGRFeature f(layer->GetLayerDefn());
        f.SetField("Name", fmt::format("#{} {}", rank, c.site_id).c_str());
        f.SetField("Description", fmt::format("{} {}: {:.0f} people gained ({:.0f} per cost unit), cumulative {:.0f} "
                                              "people, {:.1f}% of the area's people covered, cost {:g}, cumulative {:g}",
                                              c.kind == planning::CandidateKind::upgrade ? "Upgrade of" : "New site",
                                              c.site_id, p.marginal_people,
                                              p.cost > 0 ? p.marginal_people / p.cost : 0.0, p.cumulative_people,
                                              100 * p.covered_share, p.cost, p.cumulative_cost)
                                      .c_str());
        const auto& row = t.rows[r];
        for (std::size_t i = 0; i < row.size(); ++i) {
            const int idx = f.GetFieldIndex(t.fields[i].name.c_str());
            if (std::holds_alternative<std::int64_t>(row[i])) f.SetField(idx, static_cast<int>(std::get<std::int64_t>(row[i])));
            if (std::holds_alternative<double>(row[i])) {
                f.SetField(idx, round_to(std::get<double>(row[i]), std::pow(10.0, -t.fields[i].decimals)));
            }
            if (std::holds_alternative<std::string>(row[i])) f.SetField(idx, std::get<std::string>(row[i]).c_str());
        }
        // The rank bands of candidates.qml; KML colours as OGR style colours (#RRGGBB).
        const char* colour = rank <= kLabelledRanks ? "#A50F15" : rank <= 100 ? "#F16913" : rank <= 300 ? "#FEC44F" : "#FFF7BC";
        // Names shown on the top ranks only (a transparent label hides the others').
        f.SetStyleString(fmt::format("SYMBOL(c:{}FF,s:{});LABEL(c:#FFFFFF{})", colour, rank <= kLabelledRanks ? 1.2 : 0.8,
                                     rank <= kLabelledRanks ? "FF" : "00")
                             .c_str());
        OGRPoint pt(c.lon_deg, c.lat_deg);
        f.SetGeometry(&pt);
        if (layer->CreateFeature(&f) != OGRERR_NONE) {
            throw GdalError(geo::write_failure(path, cap));
        }
    }
    ds.reset();  // writes and zips the KML; GDAL 3.6's GDALClose reports failures only via CPLError
    if (!cap.last_error().empty()) {
        std::filesystem::remove(path, ec);
        throw GdalError(geo::write_failure(path, cap));
    }
}

void write_coverage_curve_csv(const std::filesystem::path& path, const planning::PlanResult& plan) {
    std::ostringstream out;
    out << "rank,site_id,kind,marginal_people,cumulative_people,covered_share,cost,cumulative_cost\n";
    const double existing_share = plan.people_in_aoi > 0 ? plan.people_covered_existing / plan.people_in_aoi : 0.0;
    out << fmt::format("0,,existing,{:.1f},0.0,{:.6f},0,0\n", plan.people_covered_existing, existing_share);
    for (std::size_t r = 0; r < plan.ranking.size(); ++r) {
        const auto& p = plan.ranking[r];
        const auto& c = plan.candidates[p.candidate];
        out << fmt::format("{},{},{},{:.1f},{:.1f},{:.6f},{:g},{:g}\n", r + 1, c.site_id, planning::to_string(c.kind),
                           p.marginal_people, p.cumulative_people, p.covered_share, p.cost, p.cumulative_cost);
    }
    write_output_file(path, out.str());
}

void write_coverage_curve_png(const std::filesystem::path& path, const planning::PlanResult& plan) {
    // Two 480 × 400 panels, white background, grey grid, blue curve, black axes and labels
    // (the 5 × 7 bitmap font: no font library needed).
    constexpr int kPanelW = 480, kPanelH = 400;
    constexpr int kLeft = 52, kRight = 18, kTop = 36, kBottom = 48;
    constexpr int kW = 2 * kPanelW, kH = kPanelH;
    constexpr std::array<std::uint8_t, 3> kBlack{0, 0, 0}, kGrey{215, 215, 215}, kBlue{31, 87, 180};
    std::array<std::vector<std::uint8_t>, 3> rgb;
    for (auto& band : rgb) band.assign(static_cast<std::size_t>(kW) * kH, 255);
    auto put = [&](int x, int y, std::array<std::uint8_t, 3> colour) {
        if (x < 0 || y < 0 || x >= kW || y >= kH) return;
        for (int b = 0; b < 3; ++b) rgb[b][static_cast<std::size_t>(y) * kW + x] = colour[b];
    };
    auto line = [&](double x0, double y0, double x1, double y1, std::array<std::uint8_t, 3> colour) {
        const int steps = static_cast<int>(std::ceil(std::max(std::abs(x1 - x0), std::abs(y1 - y0)))) + 1;
        for (int s = 0; s <= steps; ++s) {
            const double t = static_cast<double>(s) / steps;
            const int x = static_cast<int>(std::lround(x0 + t * (x1 - x0)));
            const int y = static_cast<int>(std::lround(y0 + t * (y1 - y0)));
            put(x, y, colour);
            put(x, y + 1, colour);
        }
    };
    auto text = [&](const std::string& t, double x, double y, int scale, double align) {  // align: 0 left, 0.5 centre, 1 right
        draw_text(t, static_cast<int>(std::lround(x - align * text_width(t, scale))), static_cast<int>(std::lround(y)), scale,
                  [&](int px, int py) { put(px, py, kBlack); });
    };
    // A round tick step (1, 2, 2.5 or 5 × 10^n) giving at most 6 intervals up to `max`.
    auto nice_step = [](double max) {
        const double raw = std::max(max, 1e-9) / 6;
        const double mag = std::pow(10.0, std::floor(std::log10(raw)));
        for (const double f : {1.0, 2.0, 2.5, 5.0}) {
            if (f * mag >= raw) return f * mag;
        }
        return 10 * mag;
    };
    const double existing = plan.people_in_aoi > 0 ? plan.people_covered_existing / plan.people_in_aoi : 0.0;
    const double last_cost = plan.ranking.empty() ? 1.0 : std::max(plan.ranking.back().cumulative_cost, 1e-9);
    const double last_sites = std::max<double>(1.0, static_cast<double>(plan.ranking.size()));
    for (int panel = 0; panel < 2; ++panel) {
        const double x_last = panel == 0 ? last_sites : last_cost;
        const double step = std::max(panel == 0 ? 1.0 : 0.0, nice_step(x_last));
        const double x_max = std::ceil(x_last / step - 1e-9) * step;
        const double left = panel * kPanelW + kLeft;
        const double right = (panel + 1) * kPanelW - kRight;
        const double top = kTop;
        const double bottom = kPanelH - kBottom;
        auto px = [&](double v) { return left + v / x_max * (right - left); };
        auto py = [&](double share) { return bottom - share * (bottom - top); };
        text(panel == 0 ? "Covered share (%) vs number of sites" : "Covered share (%) vs cumulative cost",
             (left + right) / 2, 8, 2, 0.5);
        for (int k = 0; k <= 10; ++k) {  // share: grid every 10 %, labelled every 20 %
            line(left, py(k / 10.0), right, py(k / 10.0), k == 0 ? kBlack : kGrey);
            if (k % 2 == 0) text(fmt::format("{}%", 10 * k), left - 6, py(k / 10.0) - 3, 1, 1.0);
        }
        for (int k = 0; k * step <= x_max + 1e-9; ++k) {  // x: grid and labels at the round steps
            const double v = k * step;
            if (k > 0) line(px(v), top, px(v), bottom, kGrey);
            line(px(v), bottom, px(v), bottom + 4, kBlack);
            text(fmt::format("{:g}", v), px(v), bottom + 8, 1, 0.5);
        }
        line(left, top, left, bottom, kBlack);
        text(panel == 0 ? "number of sites (greedy rank)" : "cumulative cost (cost units)", (left + right) / 2,
             bottom + 22, 2, 0.5);
        double x_prev = px(0), y_prev = py(existing);
        for (std::size_t r = 0; r < plan.ranking.size(); ++r) {
            const auto& p = plan.ranking[r];
            const double x = px(panel == 0 ? static_cast<double>(r + 1) : p.cumulative_cost);
            const double y = py(p.covered_share);
            line(x_prev, y_prev, x, y, kBlue);
            x_prev = x;
            y_prev = y;
        }
    }
    geo::gdal_init();
    geo::GdalErrorCapture cap;
    geo::DatasetPtr mem = geo::create_mem_raster(kW, kH, 3, GDT_Byte);
    for (int b = 0; b < 3; ++b) {
        if (mem->GetRasterBand(b + 1)->RasterIO(GF_Write, 0, 0, kW, kH, rgb[b].data(), kW, kH, GDT_Byte, 0, 0) != CE_None) {
            throw GdalError("cannot fill the coverage curve image: " + cap.last_error());
        }
    }
    GDALDriver* png = GetGDALDriverManager()->GetDriverByName("PNG");
    if (png == nullptr) throw GdalError("GDAL has no PNG driver");
    geo::DatasetPtr out(png->CreateCopy(path.string().c_str(), mem.get(), FALSE, nullptr, nullptr, nullptr));
    const bool created = static_cast<bool>(out);
    out.reset();  // closes the file; failures come through CPLError
    if (!created || !cap.last_error().empty()) throw GdalError(geo::write_failure(path, cap));
    std::error_code ec;
    std::filesystem::remove(path.string() + ".aux.xml", ec);
}

nlohmann::ordered_json plan_manifest_section(const planning::PlanResult& plan, const PlanConfig& config) {
    nlohmann::ordered_json bounds = nlohmann::ordered_json::array();
    for (const auto& b : plan.bounds) {
        const auto people = [](std::optional<double> v) {
            return v ? nlohmann::ordered_json(std::round(*v)) : nlohmann::ordered_json();
        };
        bounds.push_back({{"budget", b.budget},
                          {"greedy_people", std::round(b.greedy_people)},
                          {"best_bound_people", std::round(b.best_bound)},
                          {"bound_source", planning::to_string(b.bound_source)},
                          {"greedy_over_optimal", b.ratio},
                          {"lagrangian_bound_people", std::round(b.lagrangian.bound)},
                          {"lagrangian_trivial_bound_people", std::round(b.lagrangian.trivial_bound)},
                          {"lagrangian_iterations", b.lagrangian.iterations},
                          {"lagrangian_fixed_out", b.lagrangian.fixed_count},
                          {"lagrangian_wall_s", std::round(b.lagrangian.wall_s * 1000) / 1000},
                          {"ilp_status", planning::to_string(b.ilp.status)},
                          {"ilp_people", std::round(b.ilp.objective)},
                          {"ilp_bound_people", people(b.ilp.bound)},
                          {"ilp_gap", b.ilp.bound && *b.ilp.bound > 0
                                          ? nlohmann::ordered_json((*b.ilp.bound - b.ilp.objective) / *b.ilp.bound)
                                          : nlohmann::ordered_json()},
                          {"online_bound_people", people(b.online_bound)},
                          {"ilp_candidate_columns", b.ilp.candidate_columns},
                          {"ilp_rows", b.ilp.rows},
                          {"ilp_columns", b.ilp.columns},
                          {"ilp_demand_groups", b.ilp.demand_groups},
                          {"ilp_spacing_rows", b.ilp.spacing_rows},
                          {"ilp_wall_s", std::round(b.ilp.wall_s * 1000) / 1000}});
    }
    const double existing = plan.people_in_aoi > 0 ? plan.people_covered_existing / plan.people_in_aoi : 0.0;
    return {{"band", config.band},
            {"coverage_threshold_dbm", config.coverage_threshold_dbm},
            {"budget_kind", config.budget_kind == PlanBudgetKind::sites ? "sites" : "cost"},
            {"target_share", config.target_share},
            {"min_spacing_m", config.min_spacing_m},
            {"demand_cell_m", plan.demand_cell_m},
            {"demand_cells", plan.demand_cells},
            {"candidates", plan.candidates.size()},
            {"upgrade_candidates", plan.upgrades},
            {"greenfield_candidates", plan.greenfield},
            {"footprint_cells", plan.footprint_cells},
            {"people_in_aoi", std::round(plan.people_in_aoi)},
            {"people_covered_existing", std::round(plan.people_covered_existing)},
            {"share_covered_existing", existing},
            {"people_coverable_by_candidates", std::round(plan.people_coverable)},
            {"ranked_sites", plan.ranking.size()},
            {"final_share", plan.ranking.empty() ? existing : plan.ranking.back().covered_share},
            {"final_cost", plan.ranking.empty() ? 0.0 : plan.ranking.back().cumulative_cost},
            {"target_reached", plan.target_reached},
            {"greedy_evaluations", plan.greedy_evaluations},
            {"bounds", bounds},
            {"wall_s", {{"candidates", plan.candidates_s}, {"footprints", plan.footprints_s},
                        {"greedy", plan.greedy_s}, {"bounds", plan.bounds_s}}}};
}

std::vector<std::pair<std::string, std::string>> write_plan(const std::filesystem::path& dir,
                                                            const planning::PlanResult& plan, bool geopackage) {
    std::filesystem::create_directories(dir);
    write_candidates_geojson(dir / "candidates.geojson", plan);
    write_candidates_style(dir / "candidates.geojson");
    write_candidates_csv(dir / "candidates.csv", plan);
    write_candidates_kmz(dir / "candidates.kmz", plan);
    write_coverage_curve_csv(dir / "coverage_curve.csv", plan);
    write_coverage_curve_png(dir / "coverage_curve.png", plan);
    std::vector<std::pair<std::string, std::string>> written = {
        {"candidates.geojson", "5G candidates, ranked (RFC 7946)"},
        {"candidates.qml", "QGIS style of the candidates (rank bands, upgrade/greenfield, labels on the top ranks)"},
        {"candidates.csv", "the ranked candidates: position, kind, people gained, cost, people per cost"},
        {"candidates.kmz", "the ranked candidates for Google Earth (KML in a zip)"},
        {"coverage_curve.csv", "covered share versus sites and cost"},
        {"coverage_curve.png", "plot of the coverage curve: share versus sites and versus cost"}};
    if (geopackage) {
        // Every candidate: the ranked ones in rank order with the ranking's figures, then the others.
        VectorLayer layer;
        layer.name = "candidates";
        layer.epsg = 4326;
        layer.metadata = {{"ranked", plan.ranking.size()}, {"candidates", plan.candidates.size()}};
        layer.table = ranked_table(plan);
        std::vector<std::uint8_t> ranked(plan.candidates.size(), 0);
        for (const auto& p : plan.ranking) {
            const planning::Candidate& c = plan.candidates[p.candidate];
            ranked[p.candidate] = 1;
            layer.geometries.push_back(std::make_unique<OGRPoint>(c.lon_deg, c.lat_deg));
        }
        for (std::size_t i = 0; i < plan.candidates.size(); ++i) {
            if (ranked[i] != 0) continue;
            const planning::Candidate& c = plan.candidates[i];
            layer.table.rows.push_back({Value{}, c.site_id, std::string(planning::to_string(c.kind)), c.operator_name,
                                        c.lon_deg, c.lat_deg, c.admin_unit.empty() ? Value{} : Value{c.admin_unit},
                                        c.ground_m, c.height_agl_m, Value{}, Value{}, Value{}, c.cost, Value{}, Value{}});
            layer.geometries.push_back(std::make_unique<OGRPoint>(c.lon_deg, c.lat_deg));
        }
        const std::vector<const VectorLayer*> layers = {&layer};
        write_geopackage(dir / "candidates.gpkg", layers);
        written.emplace_back("candidates.gpkg", "every candidate in a GeoPackage (WGS 84): the ranked ones first");
    }
    return written;
}

}  // namespace phusong::io
