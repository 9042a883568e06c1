// Issue #27: a run cut into shards, each shard run on its own, merged, gives the single run's
// outputs: every raster, table, gap polygon and the plan byte for byte (the manifest and
// plan/plan.json compared without their wall times, and the manifest without the records of the
// shards themselves).

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "runner.hpp"

namespace phusong::catalogue {
namespace {

/// Wall times (keys ending in "wall_s") removed at any depth: they differ from run to run.
nlohmann::json without_wall_times(nlohmann::json j) {
    if (j.is_object()) {
        for (auto it = j.begin(); it != j.end();) {
            if (it.key().size() >= 6 && it.key().compare(it.key().size() - 6, 6, "wall_s") == 0) {
                it = j.erase(it);
            } else {
                *it = without_wall_times(*it);
                ++it;
            }
        }
    } else if (j.is_array()) {
        for (auto& e : j) e = without_wall_times(e);
    }
    return j;
}

/// The manifest without what a merge records differently: stage timings, the shards, the
/// prediction's evaluation counts (halo sites are swept by each shard that reads them).
nlohmann::json comparable_manifest(const std::string& text) {
    nlohmann::json m = without_wall_times(nlohmann::json::parse(text));
    m.erase("stages");
    m.erase("shards");
    m["prediction"].erase("pixel_evaluations");
    m["prediction"].erase("extended_zone_evaluations");
    m["prediction"].erase("cells_outside_model_validity");
    return m;
}

}  // namespace

TEST_CASE("catalogue:shard: the tiny fixture in 9 shards, each run in turn and merged, is the single run byte for byte") {
    Fixture fx;
    // 30 m, 64 px tiles (276 × 289 px), cut into 128 px shards (2 × 2 tiles each, 3 × 3 shards);
    // a 2 km radius, so that halos are windows of the grid and shards read only the sites near
    // them; two admin units whose border crosses shards; the 5G plan.
    replace_in_file(fx.scenario, "resolution_m = 60", "resolution_m = 30");
    replace_in_file(fx.scenario, "[grid]", "[prediction]\nmax_radius_m = 2000\n\n[grid]");
    replace_in_file(fx.scenario, "aoi = \"aoi.geojson\"", "aoi = \"aoi.geojson\"\nadmin = \"admin.geojson\"");
    spit(fx.root / "admin.geojson",
         R"({"type":"FeatureCollection","features":[)"
         R"({"type":"Feature","properties":{"name":"West"},"geometry":{"type":"Polygon","coordinates":)"
         R"([[[105.57,21.28],[105.605,21.28],[105.595,21.34],[105.57,21.34],[105.57,21.28]]]}},)"
         R"({"type":"Feature","properties":{"name":"East"},"geometry":{"type":"Polygon","coordinates":)"
         R"([[[105.605,21.28],[105.63,21.28],[105.63,21.34],[105.595,21.34],[105.605,21.28]]]}}]})");
    spit(fx.scenario, slurp(fx.scenario) +
                          "\n[prediction.band.n78]\nmodel = \"tr38901_uma\"\n\n"
                          "[antennas.nr_mmimo_64t64r]\ngain_dbi = 24\nh_beamwidth_deg = 65\nv_beamwidth_deg = 6\n"
                          "front_to_back_db = 25\nside_lobe_db = 20\n\n"
                          "[plan]\nenabled = true\ngreenfield_spacing_m = 1000\nilp_budgets = [1, 2]\n");
    const Result single = run_phusong(fx, "run {scenario} --out {runs}/single");
    REQUIRE_MESSAGE(single.code == 0, single.err);

    const Result plan = run_phusong(fx, "shard {scenario} --out {runs}/sharded --shard-px 128");
    REQUIRE_MESSAGE(plan.code == 0, plan.err);
    const fs::path dir = fx.runs / "sharded";
    const nlohmann::json shards = nlohmann::json::parse(slurp(dir / "shards.json"));
    const std::size_t n = shards.at("shards").size();
    CHECK(n == 9);
    CHECK(contains(plan.out, "sbatch --dependency=afterok:$JID " + (dir / "slurm" / "merge.sbatch").string()));
    CHECK(contains(slurp(dir / "slurm" / "shard.sbatch"), "#SBATCH --array=0-" + std::to_string(n - 1) + "\n"));
    CHECK(contains(slurp(dir / "slurm" / "shard.sbatch"), "--shard \"$SLURM_ARRAY_TASK_ID\" --out '" + dir.string() + "'"));
    // Some shard must read fewer sites than the table has, or the halo rule is not exercised.
    std::size_t fewest = 1000;
    for (const auto& s : shards.at("shards")) fewest = std::min(fewest, s.at("sites").size());
    CHECK(fewest < shards.at("placements").size());

    for (std::size_t k = 0; k < n; ++k) {
        const Result r = run_phusong(fx, "run {scenario} --shard " + std::to_string(k) + " --out {runs}/sharded");
        REQUIRE_MESSAGE(r.code == 0, r.err);
        CHECK(fs::exists(dir / "shards" / std::to_string(k) / "shard.json"));
    }
    // A shard run again (a requeued task) changes nothing.
    const auto shard0 = snapshot(dir / "shards" / "0");
    const Result again = run_phusong(fx, "run {scenario} --shard 0 --out {runs}/sharded");
    REQUIRE_MESSAGE(again.code == 0, again.err);
    const auto shard0_again = snapshot(dir / "shards" / "0");
    CHECK(shard0_again.size() == shard0.size());
    for (const auto& [file, bytes] : shard0) {
        if (file != "shard.json") CHECK_MESSAGE(shard0_again.at(file) == bytes, file);
    }
    CHECK(entries(dir / "shards").size() == n);  // no temporary folder left

    const Result merged = run_phusong(fx, "merge {runs}/sharded");
    REQUIRE_MESSAGE(merged.code == 0, merged.err);
    const auto ref = snapshot(fx.runs / "single");
    const auto got = snapshot(dir / "merged");
    std::size_t rasters = 0;
    for (const auto& [file, bytes] : ref) rasters += file.size() > 4 && file.substr(file.size() - 4) == ".tif";
    CHECK(rasters >= 10);
    for (const char* f : {"analysis/admin_units.csv", "analysis/coverage_summary.csv", "analysis/sensitivity.csv",
                          "analysis/gaps.geojson", "plan/candidates.geojson", "plan/coverage_curve.csv"}) {
        CHECK_MESSAGE(ref.count(f) == 1, f, " is not among the single run's outputs");
    }
    CHECK(got.size() == ref.size());
    for (const auto& [file, bytes] : ref) {
        CAPTURE(file);
        REQUIRE(got.count(file) == 1);
        if (file == "manifest.json") {
            CHECK(comparable_manifest(got.at(file)) == comparable_manifest(bytes));
        } else if (file == "plan/plan.json") {
            CHECK(without_wall_times(nlohmann::json::parse(got.at(file))) == without_wall_times(nlohmann::json::parse(bytes)));
        } else {
            CHECK_MESSAGE(got.at(file) == bytes, "the merge differs from the single run");
        }
    }
    const nlohmann::json m = nlohmann::json::parse(got.at("manifest.json"));
    CHECK(m.at("shards").at("count") == n);
}

}  // namespace phusong::catalogue
