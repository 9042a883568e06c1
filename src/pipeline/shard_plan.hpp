#pragma once
// The plan of a sharded run (DIR/shards.json, docs/outputs.md#sharded-run), shared by `shard`,
// `run --shard` and `merge`.
//
// The rules (docs/commands/shard.md): one grid, fixed once as a single run fixes it; shards are
// blocks of whole tiles of it, each owning its pixels; a shard reads every site within
// prediction.max_radius_m (+ 2 pixels) of its owned window, and predicts on its halo window (the
// owned window widened by the radius and a margin, its corner on the far-zone block grid), with the
// whole grid's reach bounds, so that its owned pixels are those of a single run.

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "phusong/coverage/predict.hpp"
#include "phusong/geo/grid.hpp"
#include "phusong/pipeline/stages.hpp"
#include "phusong/sites/placement.hpp"

namespace phusong::pipeline::detail {

/// Format tag of shards.json and shard.json.
inline constexpr const char* kShardFormat = "phusong-shards/1";

struct ShardSpec {
    int index = 0;
    geo::Window owned;                 ///< the pixels the shard writes, run's grid
    geo::Window halo;                  ///< the pixels it predicts on, run's grid
    std::vector<std::string> site_ids; ///< the sites it reads, in site table order
};

struct ShardPlan {
    std::filesystem::path scenario;    ///< absolute
    std::string config_sha256;
    nlohmann::ordered_json inputs;     ///< role → sha256 of each input file
    geo::Grid grid;                    ///< the run's grid
    int shard_px = 0;
    int halo_px = 0;
    coverage::ReachBounds reach;       ///< over the whole grid
    bool clutter = false;              ///< grid/clutter_loss.tif is there
    std::vector<sites::SitePlacement> placements;  ///< per SiteTable::sites, on the whole grid
    std::vector<std::string> placement_ids;        ///< their site ids
    std::vector<ShardSpec> shards;
};

/// The sha256 of every input file of the scenario, by role (the manifest's roles).
[[nodiscard]] nlohmann::ordered_json input_checksums(const Scenario& s);

/// DIR/shards.json read and checked: InputError naming the file and key when it is missing,
/// unreadable or not a plan of this engine.
[[nodiscard]] ShardPlan read_shard_plan(const std::filesystem::path& dir);

/// InputError naming DIR/shards.json when the scenario (its canonical config) or an input file
/// differs from the plan's.
void check_same_scenario(const ShardPlan& plan, const Scenario& s, const std::filesystem::path& dir);

[[nodiscard]] nlohmann::ordered_json to_json(const geo::Grid& g);
[[nodiscard]] nlohmann::ordered_json to_json(const geo::Window& w);
[[nodiscard]] geo::Window window_from_json(const nlohmann::json& j);

}  // namespace phusong::pipeline::detail
