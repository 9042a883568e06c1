// shard and run --shard: the plan of a sharded run and one shard of it (docs/commands/shard.md).
//
// Why a shard's owned pixels are bit for bit those of a single run (each point checked by the
// tiny-fixture test that compares a sharded and a single run file by file):
//   - the grid is the run's (fixed once by `shard`, from the same AOI and keys), a shard works on
//     a window of it whose corner is a whole number of pixels from the run's origin, so pixel
//     centres are the same values, and a multiple of prediction.far_block_px, so far-zone blocks
//     are the run's blocks;
//   - the DEM and clutter are the run's grid rasters, put on the grid once by `shard` and read by
//     window (no resampling of a window, whose edges GDAL would interpolate differently);
//   - sites are placed once on the whole grid (ground height, AOI flag) and every cell keeps its
//     index in the site table, so ties between equal signals go to the same cell;
//   - a cell's reach (which sets the rays its source sweeps) is bounded by the lowest ground and
//     the clutter range of the whole grid (coverage::ReachBounds), not of the window;
//   - every site whose reach can touch an owned pixel is read: the reach is at most
//     prediction.max_radius_m (scale_out §5.2, the halo rule), and the halo holds the rays from
//     such a site across the owned window to the end of its reach;
//   - signals are composed as integers (0.01 dB steps, powers in 1e-16 mW), so the order in which
//     cells are added does not matter.

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <map>

#include "phusong/core/error.hpp"
#include "phusong/core/hash.hpp"
#include "phusong/core/input_file.hpp"
#include "phusong/core/interrupt.hpp"
#include "phusong/core/manifest.hpp"
#include "phusong/core/output_file.hpp"
#include "phusong/core/text.hpp"
#include "phusong/geo/gdal.hpp"
#include "phusong/geo/grid_inputs.hpp"
#include "phusong/io/geotiff.hpp"
#include "phusong/io/output_dir.hpp"
#include "phusong/io/qgs_project.hpp"
#include "phusong/pipeline/stages.hpp"
#include "phusong/sites/placement.hpp"
#include "destination.hpp"
#include "shard_plan.hpp"

namespace phusong::pipeline {

namespace fs = std::filesystem;

namespace detail {

nlohmann::ordered_json input_checksums(const Scenario& s) {
    nlohmann::ordered_json j;
    auto add = [&](const char* role, const fs::path& p) { j[role] = sha256_file_hex(p); };
    add("dem", s.inputs.dem);
    add("population", s.inputs.population);
    add("aoi", s.inputs.aoi);
    add("sites", s.inputs.sites);
    if (s.inputs.admin) add("admin", *s.inputs.admin);
    if (s.inputs.clutter) add("clutter", *s.inputs.clutter);
    for (const auto& [name, spec] : s.antennas) {
        if (spec.msi_file) j["antenna " + name] = sha256_file_hex(*spec.msi_file);
    }
    return j;
}

nlohmann::ordered_json to_json(const geo::Grid& g) {
    return {{"epsg", g.epsg},         {"origin_x_m", g.origin_x_m}, {"origin_y_m", g.origin_y_m},
            {"resolution_m", g.resolution_m}, {"cols", g.cols},     {"rows", g.rows},
            {"tile_size_px", g.tile_size_px}, {"crs_wkt", g.crs_wkt}};
}

nlohmann::ordered_json to_json(const geo::Window& w) {
    return {{"col0", w.col0}, {"row0", w.row0}, {"cols", w.cols}, {"rows", w.rows}};
}

geo::Window window_from_json(const nlohmann::json& j) {
    return {j.at("col0").get<int>(), j.at("row0").get<int>(), j.at("cols").get<int>(), j.at("rows").get<int>()};
}

ShardPlan read_shard_plan(const fs::path& dir) {
    const fs::path file = dir / "shards.json";
    if (!fs::is_regular_file(file)) {
        throw InputError(file.string(), "",
                         "no shard plan here: make one with `phusong shard SCENARIO.toml --out " + dir.string() + "`");
    }
    constexpr std::uintmax_t kMaxPlanBytes = 1u << 30;
    ShardPlan p;
    try {
        const nlohmann::json j = nlohmann::json::parse(read_input_file(file, kMaxPlanBytes, "shard plan"));
        if (j.value("format", std::string()) != kShardFormat) {
            throw InputError(file.string(), "key format",
                             std::string("not a shard plan of this engine (expected \"") + kShardFormat +
                                 "\"): make it again with `phusong shard`");
        }
        p.scenario = j.at("scenario").at("path").get<std::string>();
        p.config_sha256 = j.at("scenario").at("config_sha256").get<std::string>();
        p.inputs = j.at("inputs");
        const auto& g = j.at("grid");
        p.grid.epsg = g.at("epsg").get<int>();
        p.grid.origin_x_m = g.at("origin_x_m").get<double>();
        p.grid.origin_y_m = g.at("origin_y_m").get<double>();
        p.grid.resolution_m = g.at("resolution_m").get<double>();
        p.grid.cols = g.at("cols").get<int>();
        p.grid.rows = g.at("rows").get<int>();
        p.grid.tile_size_px = g.at("tile_size_px").get<int>();
        p.grid.crs_wkt = g.at("crs_wkt").get<std::string>();
        p.shard_px = j.at("shard_px").get<int>();
        p.halo_px = j.at("halo_px").get<int>();
        const auto& rb = j.at("reach_bounds");
        p.reach.lowest_ground_m = rb.at("lowest_ground_m").is_null() ? std::numeric_limits<float>::infinity()
                                                                     : rb.at("lowest_ground_m").get<float>();
        p.reach.clutter_min_db = rb.at("clutter_min_db").get<float>();
        p.reach.clutter_max_db = rb.at("clutter_max_db").get<float>();
        p.clutter = j.at("clutter").get<bool>();
        for (const auto& s : j.at("placements")) {
            p.placement_ids.push_back(s.at("site_id").get<std::string>());
            p.placements.push_back({s.at("x_m").get<double>(), s.at("y_m").get<double>(),
                                    s.at("ground_m").get<double>(), s.at("in_aoi").get<bool>()});
        }
        for (const auto& s : j.at("shards")) {
            ShardSpec spec;
            spec.index = s.at("index").get<int>();
            spec.owned = window_from_json(s.at("owned"));
            spec.halo = window_from_json(s.at("halo"));
            spec.site_ids = s.at("sites").get<std::vector<std::string>>();
            if (spec.index != static_cast<int>(p.shards.size())) {
                throw InputError(file.string(), fmt::format("key shards[{}].index", p.shards.size()),
                                 "shards are not numbered 0, 1, …: make the plan again with `phusong shard`");
            }
            p.shards.push_back(std::move(spec));
        }
    } catch (const nlohmann::json::exception& e) {
        throw InputError(file.string(), "", std::string("not a readable shard plan (") + e.what() +
                                                "): make it again with `phusong shard`");
    }
    return p;
}

void check_same_scenario(const ShardPlan& plan, const Scenario& s, const fs::path& dir) {
    const std::string file = (dir / "shards.json").string();
    if (s.config_hash != plan.config_sha256) {
        throw InputError(file, "key scenario.config_sha256",
                         "the plan was made from another version of the scenario (" + plan.scenario.string() +
                             "): its settings changed since; make the plan again (`phusong shard --overwrite`) "
                             "or restore the scenario");
    }
    const nlohmann::ordered_json now = input_checksums(s);
    for (const auto& [role, sha] : plan.inputs.items()) {
        if (!now.contains(role) || now[role] != sha) {
            throw InputError(file, "key inputs." + role,
                             "the " + role + " input changed since the plan was made: make the plan again "
                                             "(`phusong shard --overwrite`) or restore the file");
        }
    }
    for (const auto& [role, sha] : now.items()) {
        if (!plan.inputs.contains(role)) {
            throw InputError(file, "key inputs." + role,
                             "the scenario names a " + role + " input the plan was made without: make the plan again");
        }
    }
}

}  // namespace detail

namespace {

/// Pixels of halo beyond the radius: the rays near an owned pixel, their last samples and the
/// bilinear neighbours of those (reach_window's own margin is one pixel).
constexpr int kHaloMarginPx = 4;

/// Squared distance from (x, y) to a rectangle, m².
double distance2_to(const geo::Bounds& b, double x, double y) {
    const double dx = std::max({b.min_x - x, 0.0, x - b.max_x});
    const double dy = std::max({b.min_y - y, 0.0, y - b.max_y});
    return dx * dx + dy * dy;
}

int floor_to(int v, int step) { return v >= 0 ? v / step * step : -((-v + step - 1) / step) * step; }

void write_text(const fs::path& path, const std::string& text, bool executable) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    out.close();
    if (!out) throw Error("cannot write " + path.string());
    if (executable) ::chmod(path.c_str(), 0755);
}

/// Single-quoted for bash.
std::string quoted(const fs::path& p) {
    std::string q = "'";
    for (char c : p.string()) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

}  // namespace

ShardSummary shard(const ShardRequest& request) {
    Manifest manifest;
    StageTimer validate_timer(manifest, "validate");
    const Prepared prepared = prepare(request.scenario);
    const Scenario& scenario = prepared.scenario;
    if (request.shard_px <= 0 || request.shard_px % scenario.grid.tile_size_px != 0) {
        throw UsageError(fmt::format("--shard-px {}: a shard is a block of whole tiles, so its edge must be a "
                                     "positive multiple of grid.tile_size_px = {} (e.g. {})",
                                     request.shard_px, scenario.grid.tile_size_px, 4 * scenario.grid.tile_size_px));
    }
    check_destination(request.out, request.overwrite, scenario);
    check_grid(prepared, false);  // each shard holds its halo window only
    io::OutputDir out(request.out, request.overwrite);
    const fs::path dir = fs::absolute(request.out).lexically_normal();
    const fs::path exe = request.executable.empty() ? fs::read_symlink("/proc/self/exe") : fs::absolute(request.executable);
    validate_timer.stop();

    // The grid, its DEM and clutter, and the sites on it: as `run` makes them.
    StageTimer grid_timer(manifest, "grid");
    const geo::GridInputs g = geo::build_grid_inputs(scenario.inputs, scenario.grid, scenario.clutter);
    const std::vector<sites::SitePlacement> placements = sites::place_sites(prepared.table, g.grid, g.dem_m, g.aoi_mask);
    const coverage::ReachBounds reach = coverage::reach_bounds_of(g.dem_m, g.clutter_loss_db);
    grid_timer.stop();

    // Shards: blocks of shard_px × shard_px pixels, row-major; halos widened to the far-zone
    // block grid.
    const geo::Grid& grid = g.grid;
    const double radius_m = scenario.prediction.max_radius_m;
    const int block = std::max(1, scenario.prediction.far_block_px);
    int halo_px = static_cast<int>(std::ceil(radius_m / grid.resolution_m)) + kHaloMarginPx;
    halo_px = (halo_px + block - 1) / block * block;
    const double select_m = radius_m + 2.0 * grid.resolution_m;
    nlohmann::ordered_json shards = nlohmann::ordered_json::array();
    std::size_t max_sites = 0;
    std::size_t max_halo_px = 0;
    int index = 0;
    for (int r0 = 0; r0 < grid.rows; r0 += request.shard_px) {
        for (int c0 = 0; c0 < grid.cols; c0 += request.shard_px) {
            const geo::Window owned{c0, r0, std::min(request.shard_px, grid.cols - c0),
                                    std::min(request.shard_px, grid.rows - r0)};
            const int hc0 = std::max(0, floor_to(c0 - halo_px, block));
            const int hr0 = std::max(0, floor_to(r0 - halo_px, block));
            const geo::Window halo{hc0, hr0, std::min(grid.cols, owned.col_end() + halo_px) - hc0,
                                   std::min(grid.rows, owned.row_end() + halo_px) - hr0};
            const geo::Bounds ob = grid.window(owned).bounds();
            std::vector<std::string> ids;
            for (std::size_t s = 0; s < placements.size(); ++s) {
                if (distance2_to(ob, placements[s].x_m, placements[s].y_m) <= select_m * select_m) {
                    ids.push_back(prepared.table.sites[s].site_id);
                }
            }
            max_sites = std::max(max_sites, ids.size());
            max_halo_px = std::max(max_halo_px, halo.size());
            shards.push_back({{"index", index++},
                              {"owned", detail::to_json(owned)},
                              {"halo", detail::to_json(halo)},
                              {"sites", ids}});
        }
    }
    const auto count = static_cast<std::size_t>(index);

    nlohmann::ordered_json placed = nlohmann::ordered_json::array();
    for (std::size_t s = 0; s < placements.size(); ++s) {
        placed.push_back({{"site_id", prepared.table.sites[s].site_id},
                          {"x_m", placements[s].x_m},
                          {"y_m", placements[s].y_m},
                          {"ground_m", placements[s].ground_m},
                          {"in_aoi", placements[s].in_aoi}});
    }
    nlohmann::ordered_json plan;
    plan["format"] = detail::kShardFormat;
    plan["scenario"] = {{"path", fs::absolute(scenario.file).lexically_normal().string()},
                        {"config_sha256", scenario.config_hash}};
    plan["inputs"] = detail::input_checksums(scenario);
    plan["grid"] = detail::to_json(grid);
    plan["shard_px"] = request.shard_px;
    plan["halo_px"] = halo_px;
    plan["halo_rule"] = {{"max_radius_m", radius_m}, {"site_selection_m", select_m}, {"far_block_px", block}};
    plan["reach_bounds"] = {{"lowest_ground_m", std::isfinite(reach.lowest_ground_m)
                                                    ? nlohmann::ordered_json(reach.lowest_ground_m)
                                                    : nlohmann::ordered_json()},
                            {"clutter_min_db", reach.clutter_min_db},
                            {"clutter_max_db", reach.clutter_max_db}};
    plan["clutter"] = !g.clutter_loss_db.empty();
    plan["placements"] = std::move(placed);
    plan["shards"] = std::move(shards);

    out.open();
    StageTimer write_timer(manifest, "write");
    fs::create_directories(out.file("grid"));
    io::write_plain_tiff(out.file("grid/dem.tif"), grid, g.dem_m);
    if (!g.clutter_loss_db.empty()) io::write_plain_tiff(out.file("grid/clutter_loss.tif"), grid, g.clutter_loss_db);
    fs::create_directories(out.file("shards"));
    write_file_atomically(out.file("shards.json"), plan.dump(1) + "\n");

    // Slurm: one array task per shard, then the merge once every task has succeeded.
    fs::create_directories(out.file("slurm"));
    const fs::path scenario_abs = fs::absolute(scenario.file).lexically_normal();
    const std::string shard_script = fmt::format(
        "#!/bin/bash\n"
        "# One task per shard of {dir}: `phusong run --shard K` (docs/commands/shard.md). A task that\n"
        "# runs twice (requeued) writes the same shard again, atomically.\n"
        "#SBATCH --job-name=phusong-shard\n"
        "#SBATCH --array=0-{last}\n"
        "#SBATCH --requeue\n"
        "#SBATCH --output={dir}/slurm/shard_%A_%a.out\n"
        "set -euo pipefail\n"
        "exec {exe} run {scenario} --shard \"$SLURM_ARRAY_TASK_ID\" --out {dir}\n",
        fmt::arg("dir", quoted(dir)), fmt::arg("last", count - 1), fmt::arg("exe", quoted(exe)),
        fmt::arg("scenario", quoted(scenario_abs)));
    const std::string merge_script = fmt::format(
        "#!/bin/bash\n"
        "# The merge of {dir} into {dir}/merged, the folder a single `phusong run` writes.\n"
        "#SBATCH --job-name=phusong-merge\n"
        "#SBATCH --output={dir}/slurm/merge_%j.out\n"
        "set -euo pipefail\n"
        "exec {exe} merge {dir} --overwrite\n",
        fmt::arg("dir", quoted(dir)), fmt::arg("exe", quoted(exe)));
    write_text(out.file("slurm/shard.sbatch"), shard_script, true);
    write_text(out.file("slurm/merge.sbatch"), merge_script, true);
    write_timer.stop();

    // The folder is phusong's (check_destination lets --overwrite replace it).
    manifest.set_config(scenario.file, scenario.config_hash);
    manifest.section("grid") = detail::to_json(grid);
    manifest.section("shards") = {
        {"count", count},
        {"shard_px", request.shard_px},
        {"halo_px", halo_px},
        {"memory_bytes_per_shard", run_memory_bytes(max_halo_px, layers_per_operator(prepared.table))}};
    manifest.add_output("shards.json", "the shard plan: grid, each shard's owned and halo windows and sites");
    manifest.add_output("grid/dem.tif", "terrain height on the run's grid, read by window by each shard");
    if (!g.clutter_loss_db.empty()) manifest.add_output("grid/clutter_loss.tif", "clutter loss on the run's grid, dB");
    manifest.add_output("slurm/shard.sbatch", "Slurm job array: one task per shard");
    manifest.add_output("slurm/merge.sbatch", "Slurm job: the merge");
    manifest.write(out.file("manifest.json"));
    throw_if_interrupted();
    out.commit();

    ShardSummary summary;
    summary.grid = grid;
    summary.shards = count;
    summary.shard_px = request.shard_px;
    summary.halo_px = halo_px;
    summary.max_sites = max_sites;
    summary.shard_memory_bytes = run_memory_bytes(max_halo_px, layers_per_operator(prepared.table));
    summary.outputs = out.destination();
    summary.shard_script = dir / "slurm" / "shard.sbatch";
    summary.merge_script = dir / "slurm" / "merge.sbatch";
    return summary;
}

namespace {

/// A window of a grid raster `shard` wrote, as floats (NaN: nodata).
std::vector<float> read_window(const fs::path& path, const geo::Window& w) {
    geo::DatasetPtr ds = geo::open_raster(path, "grid raster");
    std::vector<float> v(w.size());
    if (ds->GetRasterBand(1)->RasterIO(GF_Read, w.col0, w.row0, w.cols, w.rows, v.data(), w.cols, w.rows, GDT_Float32,
                                       0, 0) != CE_None) {
        throw InputError(path.string(), "", "cannot read the window of the shard: make the plan again");
    }
    return v;
}

/// The owned window's part of a halo-grid raster.
template <typename T>
std::vector<T> crop(const std::vector<T>& halo_values, const geo::Window& halo, const geo::Window& owned) {
    std::vector<T> out(owned.size());
    for (int r = 0; r < owned.rows; ++r) {
        const auto src = static_cast<std::size_t>(owned.row0 - halo.row0 + r) * static_cast<std::size_t>(halo.cols) +
                         static_cast<std::size_t>(owned.col0 - halo.col0);
        std::copy_n(halo_values.begin() + static_cast<std::ptrdiff_t>(src), owned.cols,
                    out.begin() + static_cast<std::ptrdiff_t>(r) * owned.cols);
    }
    return out;
}

}  // namespace

ShardRunSummary run_shard(const ShardRunRequest& request) {
    const auto t0 = std::chrono::steady_clock::now();
    const detail::ShardPlan plan = detail::read_shard_plan(request.dir);
    const std::string plan_file = (request.dir / "shards.json").string();
    if (request.shard < 0 || static_cast<std::size_t>(request.shard) >= plan.shards.size()) {
        throw InputError(plan_file, fmt::format("shard {}", request.shard),
                         fmt::format("no such shard: the plan has {} shards, 0 to {}", plan.shards.size(),
                                     plan.shards.size() - 1));
    }
    const Prepared prepared = prepare(request.scenario);
    detail::check_same_scenario(plan, prepared.scenario, request.dir);
    const sites::SiteTable& table = prepared.table;
    if (plan.placement_ids.size() != table.sites.size()) {
        throw InternalError("shards.json places another number of sites than the site table has");
    }
    const detail::ShardSpec& spec = plan.shards[static_cast<std::size_t>(request.shard)];
    const fs::path dest = request.dir / "shards" / std::to_string(request.shard);
    io::OutputDir out(dest, true);

    // The shard's sites (site table order, so cells keep their global indices) and their
    // placements on the whole grid.
    sites::SiteTable mine = table;
    mine.sites.clear();
    std::vector<sites::SitePlacement> placements;
    {
        std::map<std::string, std::size_t> by_id;
        for (std::size_t s = 0; s < table.sites.size(); ++s) by_id[table.sites[s].site_id] = s;
        for (const std::string& id : spec.site_ids) {
            const auto it = by_id.find(id);
            if (it == by_id.end()) {
                throw InputError(plan_file, fmt::format("shards[{}].sites", spec.index),
                                 "site " + id + " is not in the site table: make the plan again");
            }
            mine.sites.push_back(table.sites[it->second]);
            placements.push_back(plan.placements[it->second]);
        }
    }
    const geo::Grid halo_grid = plan.grid.window(spec.halo);
    spdlog::info("shard {} of {}: owned {} × {} px at col {}, row {}; halo {} × {} px; {} sites", spec.index,
                 plan.shards.size(), spec.owned.cols, spec.owned.rows, spec.owned.col0, spec.owned.row0,
                 spec.halo.cols, spec.halo.rows, mine.sites.size());
    const std::vector<float> dem = read_window(request.dir / "grid" / "dem.tif", spec.halo);
    const std::vector<float> clutter =
        plan.clutter ? read_window(request.dir / "grid" / "clutter_loss.tif", spec.halo) : std::vector<float>{};

    out.open();
    const geo::Grid owned_grid = plan.grid.window(spec.owned);
    nlohmann::ordered_json layers = nlohmann::ordered_json::array();
    coverage::PredictionInputs pin{halo_grid, dem, mine, placements, prepared.scenario.prediction, prepared.antennas,
                                   clutter};
    pin.reach_bounds = plan.reach;
    pin.zone_thresholds_dbm = coverage::zone_thresholds_dbm(prepared.scenario.analysis, prepared.scenario.plan);
    const coverage::PredictionStats stats = coverage::predict(pin, [&](coverage::LayerResult&& r) {
        const std::string folder = "layers/" + slug(r.name);
        fs::create_directories(out.file(folder));
        const fs::path f = out.file(folder);
        io::write_plain_tiff(f / "best.tif", owned_grid, crop(r.best_dbm, spec.halo, spec.owned));
        io::write_plain_tiff(f / "second.tif", owned_grid, crop(r.second_dbm, spec.halo, spec.owned));
        io::write_plain_tiff(f / "server.tif", owned_grid, crop(r.server, spec.halo, spec.owned), -1);
        io::write_plain_tiff(f / "overlap_6db.tif", owned_grid, crop(r.n_within_6db, spec.halo, spec.owned), 0);
        if (!r.sinr_db.empty()) {
            io::write_plain_tiff(f / "sinr.tif", owned_grid, crop(r.sinr_db, spec.halo, spec.owned));
            io::write_plain_tiff(f / "throughput.tif", owned_grid, crop(r.throughput_mbps, spec.halo, spec.owned));
        }
        layers.push_back({{"name", r.name},
                          {"layer", r.layer},
                          {"folder", folder},
                          {"signal", r.signal},
                          {"model", std::string(radio::to_string(r.model.kind))},
                          {"floor_dbm", r.floor_dbm},
                          {"noise_dbm", r.noise_dbm},
                          {"lte_nr", !r.sinr_db.empty()}});
    });

    ShardRunSummary summary;
    summary.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    // Written last: a shard folder without it (none, since the folder is renamed into place
    // complete) is never taken for a finished shard.
    nlohmann::ordered_json marker;
    marker["format"] = detail::kShardFormat;
    marker["engine"] = {{"name", "phusong"}, {"version", engine_version()}};
    marker["shard"] = spec.index;
    marker["config_sha256"] = plan.config_sha256;
    marker["inputs"] = plan.inputs;
    marker["owned"] = detail::to_json(spec.owned);
    marker["halo"] = detail::to_json(spec.halo);
    marker["sites"] = mine.sites.size();
    marker["layers"] = layers;
    // The shard's own sites (those on its owned pixels: each site is on one shard's), for the
    // merge's record of the prediction.
    std::size_t own_sources = 0;
    double own_radius_sum = 0;
    double own_radius_max = 0;
    for (std::size_t s = 0; s < mine.sites.size(); ++s) {
        const auto px = plan.grid.pixel_of(placements[s].x_m, placements[s].y_m);
        if (!px || !spec.owned.contains((*px)[0], (*px)[1])) continue;
        own_sources += stats.site_sources[s];
        own_radius_sum += stats.site_radius_sum_m[s];
        own_radius_max = std::max(own_radius_max, stats.site_radius_max_m[s]);
    }
    marker["own_sites"] = {{"sources", own_sources}, {"radius_sum_m", own_radius_sum}, {"max_radius_m", own_radius_max}};
    marker["prediction"] = {{"sources", stats.sources},
                            {"pixel_evaluations", stats.pixel_evaluations},
                            {"extended_zone_evaluations", stats.extended_evaluations},
                            {"max_radius_m", stats.max_radius_m},
                            {"mean_radius_m", stats.mean_radius_m},
                            {"cells_outside_model_validity", stats.model_warnings}};
    marker["threads"] = request.threads;
    marker["wall_s"] = std::round(summary.wall_s * 1000.0) / 1000.0;
    write_file_atomically(out.file("shard.json"), marker.dump(1) + "\n");
    throw_if_interrupted();
    out.commit();

    summary.shard = spec.index;
    summary.shards = plan.shards.size();
    summary.owned = spec.owned;
    summary.halo = spec.halo;
    summary.sites = mine.sites.size();
    summary.prediction = stats;
    summary.outputs = out.destination();
    return summary;
}

}  // namespace phusong::pipeline
