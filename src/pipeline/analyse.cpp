// analyse: the analysis stage alone, on the layers of a previous `phusong run`.
//
// The stamp is checked first (RunFolder::check_stamp): thresholds, census totals and admin units
// may change; anything that would change the predicted layers is refused (exit 3). Outputs are
// staged in a temporary folder inside the run's folder and moved into place at the end (each file
// or folder by one rename, the manifest last): a failed or interrupted analyse leaves the previous
// outputs as they were.

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>

#include "phusong/core/error.hpp"
#include "phusong/core/interrupt.hpp"
#include "phusong/core/manifest.hpp"
#include "phusong/core/parallel.hpp"
#include "phusong/geo/gdal.hpp"
#include "phusong/geo/raster.hpp"
#include "phusong/geo/vector.hpp"
#include "phusong/io/output_dir.hpp"
#include "phusong/io/vector_writer.hpp"
#include "phusong/pipeline/run_folder.hpp"
#include "phusong/pipeline/stages.hpp"

namespace phusong::pipeline {

namespace fs = std::filesystem;

namespace {

/// Reads band 1 of a grid raster written by `run`, checking it lies on `grid`.
std::vector<float> read_grid_raster(const fs::path& path, const geo::Grid& grid, const std::string& manifest_file) {
    if (!fs::exists(path)) {
        throw InputError(manifest_file, "",
                         "missing " + path.string() + ": the output folder is incomplete; re-run `phusong run`");
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

/// A folder removed when it goes out of scope (the staging folder, whatever happens).
struct RemovedAtExit {
    fs::path path;
    ~RemovedAtExit() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

void move_into_place(const fs::path& from, const fs::path& to) {
    std::error_code ec;
    fs::rename(from, to, ec);
    if (ec) throw Error("cannot move " + to.string() + " into place: " + ec.message());
}

}  // namespace

AnalyseSummary analyse(const AnalyseRequest& request) {
    const auto t0 = std::chrono::steady_clock::now();
    RunFolder folder(request.dir);
    folder.require({"scenario", "grid", "layers", "inputs"});
    const fs::path& dir = folder.dir();
    const std::string mf = folder.manifest_file().string();
    const std::vector<RecordedLayer> recorded = folder.layers();
    const Scenario scenario = load_scenario(folder.scenario_file(request.scenario));
    folder.check_stamp(scenario);

    // The grid, the population and the AOI mask exactly as `run` had them.
    const geo::Grid grid = folder.grid();
    std::vector<float> population = read_grid_raster(dir / "population.tif", grid, mf);
    const geo::PolygonLayer aoi_ll = geo::read_polygons(scenario.inputs.aoi, "AOI", geo::srs_wgs84());
    std::unique_ptr<OGRGeometry> aoi = geo::union_all(aoi_ll);
    aoi->transform(geo::make_transform(geo::srs_wgs84(), geo::srs_from_epsg(grid.epsg)).get());
    const std::vector<std::uint8_t> aoi_mask = geo::rasterize_mask(grid, *aoi);

    // Layers: the manifest's, which must be the site table's.
    const sites::SiteTable table = sites::read_site_table(scenario.inputs);
    std::vector<analysis::LayerInfo> layers = analysis::layer_infos(table);
    if (recorded.size() != layers.size()) {
        throw InputError(mf, "key layers", fmt::format("{} layers listed, the site table has {}: re-run `phusong run`",
                                                       recorded.size(), layers.size()));
    }
    for (std::size_t i = 0; i < layers.size(); ++i) {
        if (recorded[i].name != layers[i].name) {
            throw InputError(mf, fmt::format("key layers[{}]", i),
                             "layer \"" + recorded[i].name + "\" is not the site table's \"" + layers[i].name +
                                 "\": re-run `phusong run`");
        }
        if (!recorded[i].signal.empty()) layers[i].signal = recorded[i].signal;
    }

    analysis::Prepared prep = analysis::prepare(scenario, grid, std::move(population), aoi_mask);
    const analysis::AdminUnits* admin = prep.admin ? &*prep.admin : nullptr;
    analysis::Accumulator accumulator(
        {grid, prep.population, aoi_mask, admin, layers, analysis::site_points(table, grid), scenario.analysis,
         analysis::cell_infos(table, grid)});

    // Stage everything beside the outputs, then move it into place.
    io::remove_stale_temporaries(dir, ".analysis");
    const RemovedAtExit stage{dir / (".analysis.tmp-" + std::to_string(getpid()))};
    std::error_code ec;
    fs::remove_all(stage.path, ec);
    fs::create_directories(stage.path);
    const std::map<std::string, std::string> tags = {{"PHUSONG_VERSION", engine_version()},
                                                     {"PHUSONG_CONFIG_SHA256", scenario.config_hash}};
    const io::AnalysisWriteOptions options{tags, analysis::thresholds_json(scenario.analysis),
                                           scenario.analysis.geopackage};
    std::vector<std::string> relative(layers.size());
    parallel_for(std::size_t{0}, layers.size(), [&](std::size_t i) {
        throw_if_interrupted();
        const analysis::LayerInfo& l = layers[i];
        std::string sig = l.signal;
        for (char& c : sig) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        const fs::path& from = recorded[i].folder;
        const std::vector<float> best = read_grid_raster(from / (sig + ".tif"), grid, mf);
        std::vector<float> sinr;
        std::vector<float> tput;
        if (l.tech == radio::Technology::lte || l.tech == radio::Technology::nr) {
            sinr = read_grid_raster(from / "sinr.tif", grid, mf);
            tput = read_grid_raster(from / "throughput.tif", grid, mf);
        }
        // Cell indices (−1 … cells − 1) are exact in float32 (below 2^24).
        const std::vector<float> server_f = read_grid_raster(from / "server.tif", grid, mf);
        const std::vector<std::int32_t> server(server_f.begin(), server_f.end());
        const auto classes = accumulator.add_layer(i, {best, sinr, tput, server});
        relative[i] = fs::relative(from, dir).string();
        fs::create_directories(stage.path / relative[i]);
        io::write_class_raster(stage.path / relative[i] / "coverage_class.tif", grid, classes, l.name, options);
    });
    AnalyseSummary summary;
    summary.analysis = accumulator.finish();
    const auto written = io::write_analysis_outputs(stage.path, grid, summary.analysis, accumulator, admin, prep.census,
                                                    scenario.analysis, options);
    summary.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    // The manifest: the analysis section, its outputs (replacing a previous analysis'), the stage.
    folder.section("analysis") = analysis::manifest_section(summary.analysis, scenario.analysis, prep.census, admin);
    std::vector<std::pair<std::string, std::string>> outputs;
    for (std::size_t i = 0; i < layers.size(); ++i) {
        outputs.emplace_back(relative[i] + "/coverage_class.tif",
                             "coverage class of " + layers[i].name + " (0 none, 1 fair, 2 good)");
    }
    outputs.insert(outputs.end(), written.begin(), written.end());
    folder.replace_outputs(
        [](const std::string& p) { return p.rfind("analysis/", 0) == 0 || p.find("/coverage_class.") != std::string::npos; },
        outputs);
    folder.add_stage("analyse", summary.wall_s);
    folder.save_to(stage.path / "manifest.json");
    throw_if_interrupted();

    // Commit: every file by one rename; the analysis folder swapped with its predecessor.
    for (const std::string& rel : relative) {
        for (const char* f : {"coverage_class.tif", "coverage_class.qml"}) {
            move_into_place(stage.path / rel / f, dir / rel / f);
        }
    }
    const fs::path old = dir / (".analysis.old-" + std::to_string(getpid()));
    if (fs::exists(dir / "analysis")) {
        fs::rename(dir / "analysis", old, ec);
        if (ec) throw Error("cannot move the previous analysis aside: " + ec.message());
    }
    fs::rename(stage.path / "analysis", dir / "analysis", ec);
    if (ec) {
        std::error_code ec2;
        if (fs::exists(old)) fs::rename(old, dir / "analysis", ec2);
        throw Error("cannot move the analysis into " + dir.string() + ": " + ec.message());
    }
    fs::remove_all(old, ec);
    move_into_place(stage.path / "manifest.json", folder.manifest_file());

    summary.scenario_name = scenario.name;
    summary.analysis_config = scenario.analysis;
    summary.census_applied = prep.census.applied;
    summary.census_source = prep.census.source;
    summary.outputs = dir / "analysis";
    return summary;
}

}  // namespace phusong::pipeline
