// merge: the shards of a sharded run assembled into exactly the folder a single `run` writes
// (docs/commands/merge.md).
//
// Each layer's rasters are mosaicked from the shards' owned windows through a GDAL VRT (the windows
// tile the grid without overlap, on the same pixel lattice, so the mosaic holds the shards' values
// unchanged) and handed to the stages `run` runs after its prediction (run_stages): the same COG
// writer builds the overviews from the whole mosaic, and the analysis (classes, population sums,
// admin tables, sensitivity, gaps labelled on the whole grid), the 5G plan (ranked once over the
// whole grid), the project and the report are computed once, here, from the mosaic, as `run`
// computes them: the outputs are the single run's.

#include <fmt/format.h>
#include <gdal_utils.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include "phusong/core/error.hpp"
#include "phusong/core/input_file.hpp"
#include "phusong/geo/gdal.hpp"
#include "phusong/io/output_dir.hpp"
#include "phusong/pipeline/stages.hpp"
#include "destination.hpp"
#include "run_stages.hpp"
#include "shard_plan.hpp"

namespace phusong::pipeline {

namespace fs = std::filesystem;

namespace {

template <typename T>
constexpr GDALDataType gdal_type() {
    if constexpr (std::is_same_v<T, float>) return GDT_Float32;
    if constexpr (std::is_same_v<T, std::int32_t>) return GDT_Int32;
    return GDT_Byte;
}

/// The shards' rasters `name` of a layer folder, mosaicked through a VRT and read on the grid.
template <typename T>
std::vector<T> mosaic(const fs::path& dir, std::size_t shards, const std::string& folder, const std::string& name,
                      const geo::Grid& grid) {
    std::vector<std::string> files;
    for (std::size_t k = 0; k < shards; ++k) files.push_back((dir / "shards" / std::to_string(k) / folder / name).string());
    std::vector<const char*> names;
    for (const auto& f : files) {
        if (!fs::is_regular_file(f)) {
            throw InputError(f, "", "missing from its shard: run that shard again (`phusong run --shard`)");
        }
        names.push_back(f.c_str());
    }
    geo::GdalErrorCapture cap;
    int usage_error = 0;
    geo::DatasetPtr vrt(GDALDataset::FromHandle(
        GDALBuildVRT("", static_cast<int>(names.size()), nullptr, names.data(), nullptr, &usage_error)));
    if (!vrt) throw GdalError("cannot mosaic " + folder + "/" + name + " of the shards: " + cap.last_error());
    double gt[6];
    vrt->GetGeoTransform(gt);
    const auto want = grid.geotransform();
    bool same = vrt->GetRasterXSize() == grid.cols && vrt->GetRasterYSize() == grid.rows;
    for (int i = 0; i < 6; ++i) same = same && gt[i] == want[static_cast<std::size_t>(i)];
    if (!same) {
        throw InputError(files.front(), "", "the shards' " + name + " do not cover the run's grid: run the shards again");
    }
    std::vector<T> v(grid.pixel_count());
    if (vrt->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, grid.cols, grid.rows, v.data(), grid.cols, grid.rows,
                                        gdal_type<T>(), 0, 0) != CE_None) {
        throw GdalError("cannot read the mosaic of " + folder + "/" + name + ": " + cap.last_error());
    }
    return v;
}

/// Each shard's shard.json, checked against the plan: every problem (unfinished shard, other
/// scenario or inputs) named at once.
std::vector<nlohmann::json> finished_shards(const detail::ShardPlan& plan, const fs::path& dir) {
    ProblemList problems;
    std::vector<nlohmann::json> markers(plan.shards.size());
    for (const detail::ShardSpec& spec : plan.shards) {
        const fs::path folder = dir / "shards" / std::to_string(spec.index);
        const fs::path file = folder / "shard.json";
        if (!fs::is_regular_file(file)) {
            problems.add(folder.string(), "",
                         fmt::format("shard {} is not finished (no shard.json): run `phusong run {} --shard {} --out {}`"
                                     " (with Slurm: resubmit array task {})",
                                     spec.index, plan.scenario.string(), spec.index, dir.string(), spec.index));
            continue;
        }
        try {
            nlohmann::json j = nlohmann::json::parse(read_input_file(file, 64u << 20, "shard manifest"));
            if (j.value("format", std::string()) != detail::kShardFormat || j.value("shard", -1) != spec.index) {
                problems.add(file.string(), "key shard", fmt::format("not the manifest of shard {}", spec.index));
            } else if (j.value("config_sha256", std::string()) != plan.config_sha256) {
                problems.add(file.string(), "key config_sha256",
                             fmt::format("shard {} was made from another scenario (sha256 {} , the plan's {}): run "
                                         "it again with the plan's scenario",
                                         spec.index, j.value("config_sha256", std::string()), plan.config_sha256));
            } else if (j.at("inputs") != nlohmann::json(plan.inputs)) {
                problems.add(file.string(), "key inputs",
                             fmt::format("shard {} was made from other input files than the plan's: run it again",
                                         spec.index));
            } else if (detail::window_from_json(j.at("owned")) != spec.owned) {
                problems.add(file.string(), "key owned",
                             fmt::format("shard {} owns another window than the plan says: run it again", spec.index));
            }
            markers[static_cast<std::size_t>(spec.index)] = std::move(j);
        } catch (const nlohmann::json::exception& e) {
            problems.add(file.string(), "", std::string("not a readable shard manifest (") + e.what() +
                                                "): run the shard again");
        }
    }
    problems.throw_if_any();
    return markers;
}

}  // namespace

RunSummary merge(const MergeRequest& request) {
    Manifest manifest;
    StageTimer validate_timer(manifest, "validate");
    const detail::ShardPlan plan = detail::read_shard_plan(request.dir);
    const Prepared prepared = prepare(plan.scenario);
    detail::check_same_scenario(plan, prepared.scenario, request.dir);
    const std::vector<nlohmann::json> markers = finished_shards(plan, request.dir);
    const sites::SiteTable& table = prepared.table;
    const nlohmann::json& layers = markers.front().at("layers");
    if (layers.size() != table.layers.size()) {
        throw InputError((request.dir / "shards" / "0" / "shard.json").string(), "key layers",
                         fmt::format("{} layers, the site table has {}: run the shards again", layers.size(),
                                     table.layers.size()));
    }
    const fs::path dest = request.out.empty() ? request.dir / "merged" : request.out;
    check_destination(dest, request.overwrite, prepared.scenario);
    // The pixel limit only: the merge predicts nothing (run_memory_bytes bounds a prediction).
    check_grid(prepared, false);
    io::OutputDir out(dest, request.overwrite);
    validate_timer.stop();

    // The manifest's record of the prediction: sources and radii from each shard's own sites (as
    // a single run counts them); evaluations summed over the shards (a halo site is swept by every
    // shard that reads it, so they add up to more than a single run's).
    coverage::PredictionStats stats;
    stats.cells = table.cells.size();
    double radius_sum = 0;
    nlohmann::ordered_json per_shard = nlohmann::ordered_json::array();
    for (const nlohmann::json& m : markers) {
        const auto& own = m.at("own_sites");
        const auto& p = m.at("prediction");
        stats.sources += own.at("sources").get<std::size_t>();
        radius_sum += own.at("radius_sum_m").get<double>();
        stats.max_radius_m = std::max(stats.max_radius_m, own.at("max_radius_m").get<double>());
        stats.pixel_evaluations += p.at("pixel_evaluations").get<std::size_t>();
        stats.extended_evaluations += p.value("extended_zone_evaluations", std::size_t{0});
        stats.model_warnings = std::max(stats.model_warnings, p.at("cells_outside_model_validity").get<std::size_t>());
        per_shard.push_back({{"index", m.at("shard")},
                             {"owned", m.at("owned")},
                             {"halo", m.at("halo")},
                             {"sites", m.at("sites")},
                             {"pixel_evaluations", p.at("pixel_evaluations")},
                             {"wall_s", m.at("wall_s")}});
    }
    stats.mean_radius_m = radius_sum / static_cast<double>(std::max<std::size_t>(1, stats.sources));

    const LayerSource from_shards = [&](const geo::GridInputs& g, std::span<const sites::SitePlacement>,
                                        const std::function<void(coverage::LayerResult&&)>& on_layer) {
        const auto same = [](const geo::Grid& a, const geo::Grid& b) {
            return a.epsg == b.epsg && a.origin_x_m == b.origin_x_m && a.origin_y_m == b.origin_y_m &&
                   a.resolution_m == b.resolution_m && a.cols == b.cols && a.rows == b.rows &&
                   a.tile_size_px == b.tile_size_px;
        };
        if (!same(g.grid, plan.grid)) {
            throw InputError((request.dir / "shards.json").string(), "key grid",
                             "the scenario's grid is not the plan's: make the plan again (`phusong shard --overwrite`)");
        }
        for (std::size_t l = 0; l < table.layers.size(); ++l) {
            const nlohmann::json& meta = layers[l];
            const sites::Layer& layer = table.layers[l];
            if (meta.at("name").get<std::string>() != layer.name) {
                throw InputError((request.dir / "shards" / "0" / "shard.json").string(), fmt::format("key layers[{}]", l),
                                 "layer \"" + meta.at("name").get<std::string>() + "\" is not the site table's \"" +
                                     layer.name + "\": run the shards again");
            }
            const std::string folder = meta.at("folder").get<std::string>();
            const std::size_t k = plan.shards.size();
            coverage::LayerResult r;
            r.name = layer.name;
            r.layer = l;
            r.tech = layer.tech;
            r.signal = meta.at("signal").get<std::string>();
            r.model.kind = radio::model_kind_from_string(meta.at("model").get<std::string>()).value_or(r.model.kind);
            r.floor_dbm = meta.at("floor_dbm").get<double>();
            r.noise_dbm = meta.at("noise_dbm").get<double>();
            r.best_dbm = mosaic<float>(request.dir, k, folder, "best.tif", g.grid);
            r.second_dbm = mosaic<float>(request.dir, k, folder, "second.tif", g.grid);
            r.server = mosaic<std::int32_t>(request.dir, k, folder, "server.tif", g.grid);
            r.n_within_6db = mosaic<std::uint8_t>(request.dir, k, folder, "overlap_6db.tif", g.grid);
            if (meta.at("lte_nr").get<bool>()) {
                r.sinr_db = mosaic<float>(request.dir, k, folder, "sinr.tif", g.grid);
                r.throughput_mbps = mosaic<float>(request.dir, k, folder, "throughput.tif", g.grid);
            }
            on_layer(std::move(r));
        }
        return stats;
    };
    const nlohmann::ordered_json shards_section = {{"dir", fs::absolute(request.dir).lexically_normal().string()},
                                                   {"count", plan.shards.size()},
                                                   {"shard_px", plan.shard_px},
                                                   {"halo_px", plan.halo_px},
                                                   {"shards", per_shard}};
    spdlog::info("merging {} shards of {} into {}", plan.shards.size(), request.dir.string(), dest.string());
    return run_stages(prepared, out, manifest, {from_shards, request.threads, shards_section});
}

}  // namespace phusong::pipeline
