// The outputs of `phusong calibrate`.

#include "phusong/io/calibration_writer.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include <cmath>
#include <map>
#include <regex>
#include <sstream>

#include "phusong/core/error.hpp"
#include "phusong/core/manifest.hpp"
#include "phusong/core/output_file.hpp"
#include "phusong/core/text.hpp"
#include "phusong/geo/gdal.hpp"
#include "phusong/io/chart.hpp"
#include "phusong/io/qgs_project.hpp"

namespace phusong::io {

namespace fs = std::filesystem;

namespace {

using calibration::ErrorStats;
using calibration::Observation;

/// `v` with `places` decimals, as the double nearest to that decimal (which prints shortest).
double decimal(double v, int places) { return std::stod(fmt::format("{:.{}f}", v, places)); }

nlohmann::ordered_json stats_json(const ErrorStats& s) {
    return {{"n", s.n},
            {"points", s.points},
            {"mean_db", decimal(s.mean_db, 3)},
            {"rmse_db", decimal(s.rmse_db, 3)},
            {"std_db", decimal(s.std_db, 3)}};
}

nlohmann::ordered_json term_json(const calibration::Term& t) {
    nlohmann::ordered_json j = {{"value", decimal(t.value, 4)}, {"prior", decimal(t.prior, 4)}, {"fitted", t.fitted}};
    if (t.fitted) j["std_error"] = decimal(t.std_error, 4);
    return j;
}

std::string stats_cells(const ErrorStats& s) {
    return fmt::format("{:.2f},{:.2f},{:.2f}", s.mean_db, s.std_db, s.rmse_db);
}

/// Before/after statistics of a group of observations.
struct Group {
    ErrorStats before, after;
    void add(const calibration::Calibration& r, const Observation& o, std::size_t i) {
        before.add(r.error_before_db[i], o.points);
        after.add(r.error_after_db[i], o.points);
    }
    void finish() {
        before.finish();
        after.finish();
    }
};

struct DistanceBin {
    double lo_km, hi_km;
    std::string label;
};

const std::vector<DistanceBin>& distance_bins() {
    static const std::vector<DistanceBin> bins = {
        {0, 0.5, "0-0.5"}, {0.5, 1, "0.5-1"}, {1, 2, "1-2"},     {2, 3, "2-3"},
        {3, 5, "3-5"},     {5, 10, "5-10"},   {10, 1e9, "OVER 10"},
    };
    return bins;
}

std::size_t bin_of(double distance_m) {
    const auto& bins = distance_bins();
    for (std::size_t b = 0; b < bins.size(); ++b) {
        if (distance_m / 1000.0 < bins[b].hi_km) return b;
    }
    return bins.size() - 1;
}

void write_bytes(const fs::path& path, const std::vector<std::uint8_t>& bytes) {
    write_file_atomically(path, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

/// An axis over [lo, hi] widened to whole ticks.
AxisRange axis(double lo, double hi, double tick) {
    if (!(hi > lo)) hi = lo + tick;
    return {std::floor(lo / tick) * tick, std::ceil(hi / tick) * tick, tick};
}

std::vector<std::uint8_t> scatter_png(const calibration::Observations& obs, const std::vector<double>& error,
                                      const std::string& title) {
    std::vector<double> measured;
    std::vector<double> predicted;
    double lo = 1e9;
    double hi = -1e9;
    for (std::size_t i = 0; i < obs.items.size(); ++i) {
        measured.push_back(obs.items[i].measured_dbm);
        predicted.push_back(obs.items[i].measured_dbm + error[i]);
        lo = std::min(lo, obs.items[i].measured_dbm);
        hi = std::max(hi, obs.items[i].measured_dbm);
    }
    const AxisRange a = axis(lo - 10, hi + 10, 10);
    Chart c(560, 520, title, "MEASURED (DBM)", "PREDICTED (DBM)", a, a);
    c.density(measured, predicted, 4);
    c.line(a.lo, a.lo, a.hi, a.hi, {200, 30, 30});
    c.legend(0, "1:1", {200, 30, 30});
    return c.png();
}

}  // namespace

std::string calibrated_scenario(const CalibrationInputs& in) {
    const Scenario& s = in.scenario;
    toml::table root;
    try {
        root = toml::parse_file(s.file.string());
    } catch (const toml::parse_error& e) {
        throw InputError(s.file.string(), "", "not valid TOML: " + std::string(e.description()));
    }
    const fs::path base = fs::absolute(s.file).parent_path();
    auto absolute = [&](toml::node* n) {
        if (auto* v = n != nullptr ? n->as_string() : nullptr) {
            const fs::path p(v->get());
            *v = (p.is_absolute() ? p : (base / p).lexically_normal()).string();
        }
    };
    if (auto* inputs = root["inputs"].as_table()) {
        for (const char* k : {"dem", "population", "aoi", "sites", "admin", "clutter"}) absolute(inputs->get(k));
    }
    if (auto* antennas = root["antennas"].as_table()) {
        for (auto& [name, a] : *antennas) {
            if (auto* t = a.as_table()) absolute(t->get("msi"));
        }
    }
    if (in.result.fitted) {
        auto& prediction = *root.insert("prediction", toml::table{}).first->second.as_table();
        auto& layers = *prediction.insert("layer", toml::table{}).first->second.as_table();
        for (const calibration::LayerFit& lf : in.result.layers) {
            auto& layer = *layers.insert(in.table.layers[lf.layer].name, toml::table{}).first->second.as_table();
            layer.insert_or_assign("model", "spm");
            toml::table spm;
            for (const calibration::Term& t : lf.terms) spm.insert_or_assign(t.name, decimal(t.value, 3));
            spm.insert_or_assign("k_clutter", 1.0);
            layer.insert_or_assign("spm", std::move(spm));
        }
        if (in.result.antenna_weight) {
            prediction.insert_or_assign("antenna_attenuation_weight", decimal(in.result.antenna_weight->value, 3));
        }
        auto& clutter = *root.insert("clutter", toml::table{}).first->second.as_table();
        for (const calibration::ClutterFit& cf : in.result.clutter) {
            if (!cf.loss.fitted) continue;
            auto& c = *clutter.insert(std::to_string(cf.code), toml::table{}).first->second.as_table();
            if (!c.contains("name")) c.insert("name", cf.name);
            c.insert_or_assign("loss_db", decimal(cf.loss.value, 2));
        }
        auto& analysis = *root.insert("analysis", toml::table{}).first->second.as_table();
        analysis.insert_or_assign("shadowing_sigma_db", decimal(in.result.stats_after.std_db, 2));
    }
    std::ostringstream text;
    text << "# " << (in.result.fitted ? "Calibrated" : "Scored") << " by phusong calibrate " << engine_version()
         << " from " << s.file.filename().string() << " against " << in.measurements.filename().string() << ":\n"
         << fmt::format("# error (predicted - measured) before: mean {:.2f} dB, RMSE {:.2f} dB; after ({}): mean {:.2f} "
                        "dB, RMSE {:.2f} dB, sigma {:.2f} dB.\n",
                        in.result.stats_before.mean_db, in.result.stats_before.rmse_db,
                        in.result.fitted ? fmt::format("{}-fold cross-validated by site", in.result.folds) : "not fitted",
                        in.result.stats_after.mean_db, in.result.stats_after.rmse_db, in.result.stats_after.std_db)
         << "# calibration.json holds the coefficients, their standard errors and the filters.\n\n";
    // toml++ writes each double with every digit that round-trips (45.045000000000002): the
    // shortest form that reads back as the same double (fmt's) is kept instead.
    std::ostringstream body;
    body << root << "\n";
    static const std::regex long_float(R"((-?\d+\.\d{12,}))");
    const std::string b = body.str();
    std::string cleaned;
    auto last = b.cbegin();
    for (std::sregex_iterator it(b.begin(), b.end(), long_float), end; it != end; ++it) {
        cleaned.append(last, b.cbegin() + it->position());
        std::string shortest = fmt::format("{}", std::stod(it->str()));
        if (shortest.find_first_of(".e") == std::string::npos) shortest += ".0";
        cleaned += shortest;
        last = b.cbegin() + it->position() + it->length();
    }
    cleaned.append(last, b.cend());
    text << cleaned;
    return text.str();
}

std::vector<CalibrationFile> write_calibration(const fs::path& dir, const CalibrationInputs& in) {
    const calibration::Calibration& r = in.result;
    const calibration::Observations& obs = in.observations;
    const sites::SiteTable& table = in.table;
    std::vector<CalibrationFile> files;
    auto text_file = [&](const std::string& name, const std::string& text, const std::string& what) {
        write_file_atomically(dir / name, text);
        files.push_back({name, what});
    };

    text_file("calibrated.toml", calibrated_scenario(in),
              in.result.fitted ? "the scenario with the calibrated models: run it with phusong run"
                               : "the scenario as scored (no fit)");

    // Groups: per cell, per distance bin, per clutter class.
    std::map<std::size_t, Group> per_cell;
    std::vector<Group> per_bin(distance_bins().size());
    std::map<int, Group> per_class;
    for (std::size_t i = 0; i < obs.items.size(); ++i) {
        const Observation& o = obs.items[i];
        per_cell[o.cell].add(r, o, i);
        per_bin[bin_of(o.distance_m)].add(r, o, i);
        per_class[o.clutter].add(r, o, i);
    }
    for (auto& [k, g] : per_cell) g.finish();
    for (auto& g : per_bin) g.finish();
    for (auto& [k, g] : per_class) g.finish();
    auto class_name = [&](int code) -> std::string {
        if (code < 0) return "no clutter data";
        const auto it = in.scenario.clutter.find(code);
        return it != in.scenario.clutter.end() ? it->second.name : "class " + std::to_string(code);
    };

    // calibration.json
    nlohmann::ordered_json j;
    j["engine"] = {{"name", "phusong"}, {"version", engine_version()}};
    j["scenario"] = in.scenario.file.filename().string();
    j["measurements"] = in.measurements.filename().string();
    j["fitted"] = r.fitted;
    j["error"] = "predicted - measured, dB";
    j["before"] = stats_json(r.stats_before);
    j["after"] = stats_json(r.stats_after);
    j["after"]["cross_validated"] = r.fitted;
    j["after"]["folds"] = r.folds;
    j["points"] = {{"read", obs.points_read}, {"used", obs.points_used}, {"observations", obs.items.size()}};
    for (const auto& f : obs.filters) j["filters"][f.key] = {{"value", f.value}, {"removed", f.removed}};
    j["filters"]["calibration.bin_to_pixels"] = {{"value", in.scenario.calibration.bin_to_pixels},
                                                 {"pixel_m", obs.grid.resolution_m}};
    for (const calibration::LayerFit& lf : r.layers) {
        auto& c = j["coefficients"][table.layers[lf.layer].name];
        for (const calibration::Term& t : lf.terms) c[t.name] = term_json(t);
    }
    for (const calibration::ClutterFit& cf : r.clutter) {
        j["clutter"][std::to_string(cf.code)] = {{"name", cf.name},
                                                 {"observations", cf.observations},
                                                 {"reference", cf.reference},
                                                 {"loss_db", term_json(cf.loss)}};
    }
    j["antenna_weight"] = r.antenna_weight ? term_json(*r.antenna_weight) : nlohmann::ordered_json();
    for (const calibration::SelectionStep& s : r.selection) {
        j["selection"].push_back({{"term", s.term},
                                  {"cv_rmse_db", decimal(s.cv_rmse_db, 3)},
                                  {"accepted", s.accepted},
                                  {"reason", s.reason}});
    }
    for (const auto& [code, n] : obs.unknown_clutter) j["unknown_clutter_codes"][std::to_string(code)] = n;
    text_file("calibration.json", j.dump(2) + "\n", "before/after error, coefficients with standard errors, filters");

    // Tables.
    std::string csv = "cell_id,site_id,layer,observations,points,before_mean_db,before_std_db,before_rmse_db,"
                      "after_mean_db,after_std_db,after_rmse_db\n";
    for (const auto& [cell, g] : per_cell) {
        const sites::Cell& c = table.cells[cell];
        csv += fmt::format("{},{},{},{},{},{},{}\n", c.cell_id, c.site_id, table.layers[c.layer].name, g.before.n,
                           g.before.points, stats_cells(g.before), stats_cells(g.after));
    }
    text_file("calibration.csv", csv, "error per cell before and after (mean, standard deviation, RMSE), dB");
    csv = "distance_km,observations,points,before_mean_db,before_std_db,before_rmse_db,after_mean_db,after_std_db,"
          "after_rmse_db\n";
    for (std::size_t b = 0; b < per_bin.size(); ++b) {
        if (per_bin[b].before.n == 0) continue;
        csv += fmt::format("{},{},{},{},{}\n", distance_bins()[b].label, per_bin[b].before.n, per_bin[b].before.points,
                           stats_cells(per_bin[b].before), stats_cells(per_bin[b].after));
    }
    text_file("calibration_by_distance.csv", csv, "error per distance bin before and after, dB");
    csv = "clutter_code,clutter_name,observations,points,loss_before_db,loss_after_db,before_mean_db,before_std_db,"
          "before_rmse_db,after_mean_db,after_std_db,after_rmse_db\n";
    for (const auto& [code, g] : per_class) {
        double before_loss = 0;
        double after_loss = 0;
        if (const auto it = r.before.clutter_loss_db.find(code); it != r.before.clutter_loss_db.end()) before_loss = it->second;
        if (const auto it = r.after.clutter_loss_db.find(code); it != r.after.clutter_loss_db.end()) after_loss = it->second;
        std::string name = class_name(code);
        if (name.find_first_of(",\"") != std::string::npos) {
            std::string quoted = "\"";
            for (char ch : name) quoted += ch == '"' ? std::string("\"\"") : std::string(1, ch);
            name = quoted + "\"";
        }
        csv += fmt::format("{},{},{},{},{:.2f},{:.2f},{},{}\n", code, name, g.before.n, g.before.points, before_loss,
                           after_loss, stats_cells(g.before), stats_cells(g.after));
    }
    text_file("calibration_by_clutter.csv", csv, "error per clutter class before and after, and the class losses, dB");

    // The observations, in WGS 84 for any GIS.
    {
        const auto to_ll = geo::make_transform(geo::srs_from_epsg(obs.grid.epsg), geo::srs_wgs84());
        std::string points = "cell_id,lon,lat,distance_m,clutter_code,points,measured_dbm,predicted_before_dbm,"
                             "predicted_after_dbm\n";
        for (std::size_t i = 0; i < obs.items.size(); ++i) {
            const Observation& o = obs.items[i];
            double x = o.x_m;
            double y = o.y_m;
            to_ll->Transform(1, &x, &y);
            points += fmt::format("{},{:.6f},{:.6f},{:.0f},{},{},{:.2f},{:.2f},{:.2f}\n", table.cells[o.cell].cell_id, x, y,
                                  o.distance_m, o.clutter, o.points, o.measured_dbm, o.measured_dbm + r.error_before_db[i],
                                  o.measured_dbm + r.error_after_db[i]);
        }
        text_file("calibration_points.csv", points,
                  "every observation (a cell's mean signal in one pixel): measured and predicted before and after");
    }

    // Plots.
    write_bytes(dir / "calibration_scatter_before.png", scatter_png(obs, r.error_before_db, "BEFORE CALIBRATION"));
    files.push_back({"calibration_scatter_before.png", "predicted against measured before calibration (density)"});
    write_bytes(dir / "calibration_scatter_after.png",
                scatter_png(obs, r.error_after_db, r.fitted ? "AFTER, CROSS-VALIDATED" : "AS SCORED (NO FIT)"));
    files.push_back({"calibration_scatter_after.png", "predicted against measured after calibration (density)"});
    const Rgb grey{150, 150, 150};
    const Rgb blue{31, 119, 180};
    {
        double lo = 0;
        double hi = 0;
        for (const auto& g : per_bin) {
            if (g.before.n == 0) continue;
            for (const ErrorStats* s : {&g.before, &g.after}) {
                lo = std::min(lo, s->mean_db - s->std_db);
                hi = std::max(hi, s->mean_db + s->std_db);
            }
        }
        Chart c(640, 420, "ERROR BY DISTANCE", "DISTANCE FROM THE CELL (KM)", "PREDICTED - MEASURED (DB)",
                {-0.5, static_cast<double>(per_bin.size()) - 0.5, 0.0}, axis(lo - 2, hi + 2, 5));
        c.line(-0.5, 0, static_cast<double>(per_bin.size()) - 0.5, 0, {60, 60, 60});
        for (std::size_t b = 0; b < per_bin.size(); ++b) {
            if (per_bin[b].before.n == 0) continue;
            c.point_with_bar(static_cast<double>(b), per_bin[b].before.mean_db, per_bin[b].before.std_db, grey, -6);
            c.point_with_bar(static_cast<double>(b), per_bin[b].after.mean_db, per_bin[b].after.std_db, blue, 6);
        }
        for (std::size_t b = 0; b < per_bin.size(); ++b) c.x_label_at(static_cast<double>(b), distance_bins()[b].label);
        c.legend(0, "BEFORE: MEAN AND STD", grey);
        c.legend(1, r.fitted ? "AFTER (CROSS-VALIDATED)" : "AS SCORED", blue);
        write_bytes(dir / "calibration_distance.png", c.png());
        files.push_back({"calibration_distance.png", "mean and standard deviation of the error per distance bin"});
    }
    {
        double lo = 0;
        double hi = 0;
        for (const auto& [code, g] : per_class) {
            for (const ErrorStats* s : {&g.before, &g.after}) {
                lo = std::min(lo, s->mean_db - s->std_db);
                hi = std::max(hi, s->mean_db + s->std_db);
            }
        }
        const auto n = static_cast<double>(per_class.size());
        Chart c(std::max(420, 80 + 60 * static_cast<int>(per_class.size())), 420, "ERROR BY CLUTTER CLASS",
                "CLUTTER CLASS CODE", "PREDICTED - MEASURED (DB)", {-0.5, n - 0.5, 0.0}, axis(lo - 2, hi + 2, 5));
        c.line(-0.5, 0, n - 0.5, 0, {60, 60, 60});
        double x = 0;
        for (const auto& [code, g] : per_class) {
            c.point_with_bar(x, g.before.mean_db, g.before.std_db, grey, -6);
            c.point_with_bar(x, g.after.mean_db, g.after.std_db, blue, 6);
            x += 1;
        }
        c.legend(0, "BEFORE", grey);
        c.legend(1, r.fitted ? "AFTER (CROSS-VALIDATED)" : "AS SCORED", blue);
        x = 0;
        for (const auto& [code, g] : per_class) {
            c.x_label_at(x, code < 0 ? "NONE" : std::to_string(code));
            x += 1;
        }
        write_bytes(dir / "calibration_clutter.png", c.png());
        files.push_back({"calibration_clutter.png", "mean and standard deviation of the error per clutter class"});
    }

    // calibration.html: the figures and tables a planner reads, beside the plots.
    std::string h;
    auto row = [&h](const std::vector<std::string>& cells, bool head = false) {
        h += "<tr>";
        for (const auto& c : cells) h += (head ? "<th>" : "<td>") + c + (head ? "</th>" : "</td>");
        h += "</tr>\n";
    };
    auto f2 = [](double v) { return fmt::format("{:.2f}", v); };
    h += "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
         "<title>Calibration: " + xml_escape(in.scenario.name) + "</title><style>"
         "body{font-family:sans-serif;max-width:1100px;margin:1em auto;padding:0 1em;color:#222}"
         "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.25em .6em;"
         "text-align:right}th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}"
         "img{max-width:100%;margin:.5em .5em 0 0;border:1px solid #ddd}"
         "@media print{@page{size:A4;margin:15mm}img{max-width:48%}}</style></head><body>\n";
    h += "<h1>Model calibration: " + xml_escape(in.scenario.name) + "</h1>\n";
    h += "<p>Measurements <code>" + xml_escape(in.measurements.filename().string()) + "</code>: " +
         std::to_string(obs.points_read) + " points read, " + std::to_string(obs.points_used) + " used, in " +
         std::to_string(obs.items.size()) + " observations (" +
         (in.scenario.calibration.bin_to_pixels ? fmt::format("a cell's mean in each {:g} m pixel", obs.grid.resolution_m)
                                                : std::string("one per point")) +
         ") of " + std::to_string(per_cell.size()) + " cells. Error = predicted − measured.</p>\n";
    h += "<table><thead>";
    row({"", "observations", "mean (dB)", "standard deviation (dB)", "RMSE (dB)"}, true);
    h += "</thead><tbody>\n";
    row({"before", std::to_string(r.stats_before.n), f2(r.stats_before.mean_db), f2(r.stats_before.std_db),
         f2(r.stats_before.rmse_db)});
    row({r.fitted ? fmt::format("after ({}-fold cross-validation by site)", r.folds) : "as scored (no fit)",
         std::to_string(r.stats_after.n), f2(r.stats_after.mean_db), f2(r.stats_after.std_db), f2(r.stats_after.rmse_db)});
    h += "</tbody></table>\n";
    h += "<img src=\"calibration_scatter_before.png\" alt=\"predicted against measured, before\">"
         "<img src=\"calibration_scatter_after.png\" alt=\"predicted against measured, after\">\n"
         "<img src=\"calibration_distance.png\" alt=\"error by distance\">"
         "<img src=\"calibration_clutter.png\" alt=\"error by clutter class\">\n";
    if (r.fitted) {
        h += "<h2>Coefficients</h2>\n<table><thead>";
        row({"layer", "term", "before", "after", "standard error", "fitted"}, true);
        h += "</thead><tbody>\n";
        for (const calibration::LayerFit& lf : r.layers) {
            for (const calibration::Term& t : lf.terms) {
                row({xml_escape(table.layers[lf.layer].name), t.name, fmt::format("{:.3f}", t.prior),
                     fmt::format("{:.3f}", t.value), t.fitted ? fmt::format("{:.3f}", t.std_error) : "",
                     t.fitted ? "yes" : "held"});
            }
        }
        if (r.antenna_weight) {
            row({"all", "antenna weight", fmt::format("{:.3f}", r.antenna_weight->prior),
                 fmt::format("{:.3f}", r.antenna_weight->value), fmt::format("{:.3f}", r.antenna_weight->std_error), "yes"});
        }
        h += "</tbody></table>\n<h2>How the terms were chosen</h2>\n<table><thead>";
        row({"term", "cross-validated RMSE with it (dB)", "kept", "why not"}, true);
        h += "</thead><tbody>\n";
        for (const auto& s : r.selection) {
            row({s.term, s.reason.find("no spread") == std::string::npos ? f2(s.cv_rmse_db) : "", s.accepted ? "yes" : "no",
                 xml_escape(s.reason)});
        }
        h += "</tbody></table>\n";
    }
    h += "<h2>By clutter class</h2>\n<table><thead>";
    row({"class", "observations", "loss before (dB)", "loss after (dB)", "mean before", "RMSE before", "mean after",
         "RMSE after"},
        true);
    h += "</thead><tbody>\n";
    for (const auto& [code, g] : per_class) {
        const auto lb = r.before.clutter_loss_db.find(code);
        const auto la = r.after.clutter_loss_db.find(code);
        row({xml_escape((code >= 0 ? std::to_string(code) + " " : "") + class_name(code)), std::to_string(g.before.n),
             f2(lb != r.before.clutter_loss_db.end() ? lb->second : 0.0),
             f2(la != r.after.clutter_loss_db.end() ? la->second : 0.0), f2(g.before.mean_db), f2(g.before.rmse_db),
             f2(g.after.mean_db), f2(g.after.rmse_db)});
    }
    h += "</tbody></table>\n<h2>By distance</h2>\n<table><thead>";
    row({"distance (km)", "observations", "mean before", "RMSE before", "mean after", "RMSE after"}, true);
    h += "</thead><tbody>\n";
    for (std::size_t b = 0; b < per_bin.size(); ++b) {
        if (per_bin[b].before.n == 0) continue;
        row({distance_bins()[b].label, std::to_string(per_bin[b].before.n), f2(per_bin[b].before.mean_db),
             f2(per_bin[b].before.rmse_db), f2(per_bin[b].after.mean_db), f2(per_bin[b].after.rmse_db)});
    }
    h += "</tbody></table>\n<h2>Filters</h2>\n<table><thead>";
    row({"filter", "value", "points removed"}, true);
    h += "</thead><tbody>\n";
    for (const auto& f : obs.filters) row({f.key, xml_escape(f.value), std::to_string(f.removed)});
    h += "</tbody></table>\n<p>Per cell: <a href=\"calibration.csv\">calibration.csv</a>; every observation: "
         "<a href=\"calibration_points.csv\">calibration_points.csv</a>; all figures: "
         "<a href=\"calibration.json\">calibration.json</a>.</p>\n</body></html>\n";
    text_file("calibration.html", h, "the calibration's figures, tables and plots in one page");
    return files;
}

}  // namespace phusong::io
