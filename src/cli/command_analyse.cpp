// `phusong analyse OUTPUT_DIR [--scenario SCENARIO.toml]`: the analysis stage alone, on the layers
// of a previous `phusong run`.
//
// The manifest stamp is checked first (README "phusong analyse"): manifest.json must exist and
// list the layers; the scenario (given, or the one the manifest records) must have the same
// dem/population/aoi/sites files (sha256) and the same prediction settings (the prediction stamp:
// the scenario hashed without [analysis], [plan] and inputs.admin*; for manifests older than the
// stamp, the whole config hash). So thresholds, census totals and admin units may change; anything
// that would change the predicted layers is refused (exit 3).
//
// Outputs are staged in a temporary folder inside OUTPUT_DIR and moved into place at the end
// (each file or folder by one rename): a failed or interrupted analyse leaves the previous
// outputs as they were.

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "commands.hpp"
#include "phusong/analysis/analysis.hpp"
#include "phusong/core/error.hpp"
#include "phusong/core/hash.hpp"
#include "phusong/core/interrupt.hpp"
#include "phusong/core/manifest.hpp"
#include "phusong/core/parallel.hpp"
#include "phusong/core/scenario.hpp"
#include "phusong/geo/gdal.hpp"
#include "phusong/geo/raster.hpp"
#include "phusong/geo/vector.hpp"
#include "phusong/io/vector_writer.hpp"
#include "phusong/sites/site_table.hpp"

namespace phusong::cli {

std::vector<std::string> coverage_summary_lines(const analysis::AnalysisResult& r);  // command_run.cpp

namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

/// Reads band 1 of a grid raster written by `run`, checking it lies on `grid`.
std::vector<float> read_grid_raster(const fs::path& path, const geo::Grid& grid, const std::string& manifest_file) {
    if (!fs::exists(path)) {
        throw InputError(manifest_file, "", "missing " + path.string() +
                                                ": the output folder is incomplete; re-run `phusong run`");
    }
    geo::DatasetPtr ds = geo::open_raster(path, "layer");
    double gt[6];
    ds->GetGeoTransform(gt);
    const auto want = grid.geotransform();
    bool same = ds->GetRasterXSize() == grid.cols && ds->GetRasterYSize() == grid.rows;
    for (int i = 0; i < 6; ++i) same = same && std::abs(gt[i] - want[static_cast<std::size_t>(i)]) < 1e-6;
    if (!same) {
        throw InputError(path.string(), "geotransform",
                         "the raster is not on the grid the manifest records: re-run `phusong run`");
    }
    std::vector<float> v(grid.pixel_count());
    if (ds->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, grid.cols, grid.rows, v.data(), grid.cols, grid.rows,
                                       GDT_Float32, 0, 0) != CE_None) {
        throw InputError(path.string(), "", "cannot read the raster");
    }
    return v;
}

json read_manifest(const fs::path& file) {
    if (!fs::exists(file)) {
        throw InputError(file.string(), "", "no manifest.json: the folder is not the output of `phusong run`");
    }
    std::ifstream in(file, std::ios::binary);
    try {
        return json::parse(in);
    } catch (const std::exception& e) {
        throw InputError(file.string(), "", std::string("not valid JSON: ") + e.what() + "; re-run `phusong run`");
    }
}

class AnalyseCommand final : public Command {
public:
    void add_options(CLI::App& app) override {
        app.add_option("dir", m_dir, "output folder of a previous run")->required();
        app.add_option("-s,--scenario", m_scenario,
                       "scenario file (default: the one the manifest records); only [analysis] and the admin inputs may differ");
    }

    int execute(const GlobalOptions& /*global*/) override {
        const fs::path dir = fs::absolute(m_dir).lexically_normal();
        const fs::path manifest_file = dir / "manifest.json";
        const std::string mf = manifest_file.string();
        const auto t0 = std::chrono::steady_clock::now();
        json manifest = read_manifest(manifest_file);

        // The stamp: layers listed, grid recorded, scenario found and matching.
        ProblemList problems;
        for (const char* key : {"scenario", "grid", "layers", "inputs"}) {
            if (!manifest.contains(key)) problems.add(mf, std::string("key ") + key, "missing: re-run `phusong run`");
        }
        if (manifest.contains("layers") && (!manifest["layers"].is_array() || manifest["layers"].empty())) {
            problems.add(mf, "key layers", "no layer listed: nothing to analyse; re-run `phusong run`");
        }
        problems.throw_if_any();
        fs::path scenario_file = m_scenario;
        if (scenario_file.empty()) {
            if (!manifest["scenario"].contains("path")) {
                throw InputError(mf, "key scenario.path",
                                 "the manifest does not record where its scenario is: pass --scenario SCENARIO.toml");
            }
            scenario_file = manifest["scenario"]["path"].get<std::string>();
        }
        const Scenario scenario = load_scenario(scenario_file);
        const std::map<std::string, fs::path> prediction_inputs = {{"dem", scenario.inputs.dem},
                                                                   {"population", scenario.inputs.population},
                                                                   {"aoi", scenario.inputs.aoi},
                                                                   {"sites", scenario.inputs.sites}};
        for (const auto& e : manifest["inputs"]) {
            const std::string role = e.value("role", "");
            const auto it = prediction_inputs.find(role);
            if (it == prediction_inputs.end()) continue;
            if (sha256_file_hex(it->second) != e.value("sha256", "")) {
                problems.add(mf, "input " + role,
                             "the scenario's " + role + " (" + it->second.string() +
                                 ") is not the file these layers were predicted from: re-run `phusong run`, or pass the "
                                 "scenario they were made with");
            }
        }
        const json& stamp = manifest["scenario"];
        if (stamp.contains("prediction_config_sha256")) {
            if (stamp["prediction_config_sha256"] != prediction_config_hash(scenario.file)) {
                problems.add(mf, "key scenario.prediction_config_sha256",
                             "the scenario's prediction settings differ from the ones these layers were predicted "
                             "with (only [analysis] and inputs.admin* may change): re-run `phusong run`");
            }
        } else if (stamp.value("config_sha256", "") != scenario.config_hash) {
            problems.add(mf, "key scenario.config_sha256",
                         "the scenario differs from the one these layers were made with, and this older manifest has "
                         "no prediction stamp to tell whether only [analysis] changed: re-run `phusong run`");
        }
        problems.throw_if_any();

        // The grid, the population and the AOI mask exactly as `run` had them.
        const json& gj = manifest["grid"];
        geo::Grid grid;
        try {
            grid.epsg = gj.at("epsg").get<int>();
            grid.cols = gj.at("cols").get<int>();
            grid.rows = gj.at("rows").get<int>();
            grid.resolution_m = gj.at("resolution_m").get<double>();
            grid.origin_x_m = gj.at("origin_x_m").get<double>();
            grid.origin_y_m = gj.at("origin_y_m").get<double>();
            grid.tile_size_px = gj.at("tile_size_px").get<int>();
        } catch (const std::exception& e) {
            throw InputError(mf, "key grid", std::string("incomplete grid record (") + e.what() + "): re-run `phusong run`");
        }
        std::vector<float> population = read_grid_raster(dir / "population.tif", grid, mf);
        const geo::PolygonLayer aoi_ll = geo::read_polygons(scenario.inputs.aoi, "AOI", geo::srs_wgs84());
        std::unique_ptr<OGRGeometry> aoi = geo::union_all(aoi_ll);
        aoi->transform(geo::make_transform(geo::srs_wgs84(), geo::srs_from_epsg(grid.epsg)).get());
        const std::vector<std::uint8_t> aoi_mask = geo::rasterize_mask(grid, *aoi);

        // Layers: the manifest's, which must be the site table's.
        const sites::SiteTable table = sites::read_site_table(scenario.inputs.sites);
        std::vector<analysis::LayerInfo> layers = analysis::layer_infos(table);
        std::vector<fs::path> folders;
        const json& ml = manifest["layers"];
        if (ml.size() != layers.size()) {
            throw InputError(mf, "key layers", fmt::format("{} layers listed, the site table has {}: re-run `phusong run`",
                                                           ml.size(), layers.size()));
        }
        for (std::size_t i = 0; i < layers.size(); ++i) {
            if (ml[i].value("name", "") != layers[i].name || !ml[i].contains("folder")) {
                throw InputError(mf, fmt::format("key layers[{}]", i),
                                 "layer \"" + ml[i].value("name", "") + "\" is not the site table's \"" + layers[i].name +
                                     "\": re-run `phusong run`");
            }
            layers[i].signal = ml[i].value("signal", layers[i].signal);
            folders.push_back(dir / ml[i]["folder"].get<std::string>());
        }

        analysis::Prepared prep = analysis::prepare(scenario, grid, std::move(population), aoi_mask);
        const analysis::AdminUnits* admin = prep.admin ? &*prep.admin : nullptr;
        analysis::Accumulator accumulator(
            {grid, prep.population, aoi_mask, admin, layers, analysis::site_points(table, grid), scenario.analysis});

        // Stage everything beside the outputs, then move it into place.
        const fs::path stage = dir / (".analysis.tmp-" + std::to_string(getpid()));
        struct Cleanup {
            fs::path p;
            ~Cleanup() {
                std::error_code ec;
                fs::remove_all(p, ec);
            }
        } cleanup{stage};
        std::error_code ec;
        fs::remove_all(stage, ec);
        fs::create_directories(stage);
        std::map<std::string, std::string> tags = {{"PHUSONG_VERSION", engine_version()},
                                                   {"PHUSONG_CONFIG_SHA256", scenario.config_hash}};
        const io::AnalysisWriteOptions options{tags, analysis::thresholds_json(scenario.analysis), scenario.analysis.geopackage};
        std::vector<std::pair<std::string, std::string>> written;
        std::mutex written_mutex;
        parallel_for(std::size_t{0}, layers.size(), [&](std::size_t i) {
            throw_if_interrupted();
            const analysis::LayerInfo& l = layers[i];
            std::string sig = l.signal;
            for (char& c : sig) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            const std::vector<float> best = read_grid_raster(folders[i] / (sig + ".tif"), grid, mf);
            std::vector<float> sinr;
            std::vector<float> tput;
            if (l.tech == radio::Technology::lte || l.tech == radio::Technology::nr) {
                sinr = read_grid_raster(folders[i] / "sinr.tif", grid, mf);
                tput = read_grid_raster(folders[i] / "throughput.tif", grid, mf);
            }
            const auto classes = accumulator.add_layer(i, {best, sinr, tput});
            const std::string rel = fs::relative(folders[i], dir).string();
            fs::create_directories(stage / rel);
            io::write_class_raster(stage / rel / "coverage_class.tif", grid, classes, l.name, options);
        });
        const analysis::AnalysisResult result = accumulator.finish();
        for (auto& w : io::write_analysis_outputs(stage, grid, result, accumulator, admin, prep.census,
                                                  scenario.analysis, options)) {
            written.push_back(std::move(w));
        }
        const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

        // The manifest: the analysis section, its outputs (replacing a previous analysis'), the stage.
        manifest["analysis"] = analysis::manifest_section(result, scenario.analysis, prep.census, admin);
        json outputs = json::array();
        for (const auto& o : manifest.value("outputs", json::array())) {
            const std::string p = o.value("path", "");
            if (p.rfind("analysis/", 0) == 0 || p.find("/coverage_class.") != std::string::npos) continue;
            outputs.push_back(o);
        }
        for (std::size_t i = 0; i < layers.size(); ++i) {
            outputs.push_back({{"path", fs::relative(folders[i], dir).string() + "/coverage_class.tif"},
                               {"description", "coverage class of " + layers[i].name + " (0 none, 1 fair, 2 good)"}});
        }
        for (const auto& [p, d] : written) outputs.push_back({{"path", p}, {"description", d}});
        manifest["outputs"] = outputs;
        if (!manifest.contains("stages")) manifest["stages"] = json::array();
        manifest["stages"].push_back({{"name", "analyse"}, {"wall_s", std::round(wall_s * 1000.0) / 1000.0}});
        {
            std::ofstream out(stage / "manifest.json", std::ios::binary | std::ios::trunc);
            out << manifest.dump(2) << '\n';
            out.close();
            if (!out) throw Error("cannot write " + (stage / "manifest.json").string());
        }
        throw_if_interrupted();

        // Commit: every file by one rename; the analysis folder swapped with its predecessor.
        for (std::size_t i = 0; i < layers.size(); ++i) {
            const std::string rel = fs::relative(folders[i], dir).string();
            for (const char* f : {"coverage_class.tif", "coverage_class.qml"}) {
                fs::rename(stage / rel / f, dir / rel / f, ec);
                if (ec) throw Error("cannot move " + (dir / rel / f).string() + " into place: " + ec.message());
            }
        }
        const fs::path old = dir / (".analysis.old-" + std::to_string(getpid()));
        if (fs::exists(dir / "analysis")) {
            fs::rename(dir / "analysis", old, ec);
            if (ec) throw Error("cannot move the previous analysis aside: " + ec.message());
        }
        fs::rename(stage / "analysis", dir / "analysis", ec);
        if (ec) {
            std::error_code ec2;
            if (fs::exists(old)) fs::rename(old, dir / "analysis", ec2);
            throw Error("cannot move the analysis into " + dir.string() + ": " + ec.message());
        }
        fs::remove_all(old, ec);
        fs::rename(stage / "manifest.json", manifest_file, ec);
        if (ec) throw Error("cannot update " + mf + ": " + ec.message());

        std::printf("phusong analyse: %s\n", scenario.name.c_str());
        std::printf("  population  %.0f people inside the AOI%s\n", result.aoi_population,
                    prep.census.applied ? fmt::format(" (rescaled to the census: {})", prep.census.source).c_str() : "");
        for (const auto& line : coverage_summary_lines(result)) std::printf("%s\n", line.c_str());
        std::printf("  analysis    %zu gaps (≥ %g km2, ≥ %g people), %.1f s\n", result.gaps.size(),
                    scenario.analysis.gap_min_area_km2, scenario.analysis.gap_min_population, wall_s);
        std::printf("  outputs     %s\n", (dir / "analysis").c_str());
        return 0;
    }

private:
    std::string m_dir;
    std::string m_scenario;
};

}  // namespace

std::unique_ptr<Command> make_analyse_command() { return std::make_unique<AnalyseCommand>(); }

}  // namespace phusong::cli
