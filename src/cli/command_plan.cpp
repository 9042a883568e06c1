// `phusong plan OUT_DIR [--scenario FILE] [--check]`: the 5G planning stage alone, on the outputs
// of a previous `phusong run` whose manifest stamp (prediction settings, input checksums, grid) matches.
// Writes OUT_DIR/plan/ atomically and adds the "plan" section to OUT_DIR/manifest.json.

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <fstream>

#include "commands.hpp"
#include "phusong/core/analysis_config.hpp"
#include "phusong/core/error.hpp"
#include "phusong/core/hash.hpp"
#include "phusong/core/interrupt.hpp"
#include "phusong/core/manifest.hpp"
#include "phusong/core/scenario.hpp"
#include "phusong/geo/gdal.hpp"
#include "phusong/geo/grid_inputs.hpp"
#include "phusong/io/output_dir.hpp"
#include "phusong/io/plan_writer.hpp"
#include "phusong/planning/plan.hpp"
#include "phusong/sites/placement.hpp"
#include "phusong/sites/site_table.hpp"

namespace phusong::cli {
namespace {

nlohmann::ordered_json read_manifest(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        throw InputError(file.string(), "", "no manifest.json: give the output folder of a `phusong run`");
    }
    try {
        return nlohmann::ordered_json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw InputError(file.string(), "", std::string("not valid JSON: ") + e.what());
    }
}

// The scenario the manifest names (file name only) beside one of its inputs' ancestors.
std::filesystem::path find_scenario(const nlohmann::ordered_json& m, const std::filesystem::path& manifest_file) {
    const std::string name = m.value("/scenario/file"_json_pointer, std::string());
    if (name.empty()) throw InputError(manifest_file.string(), "scenario.file", "the manifest names no scenario");
    for (const auto& input : m.value("inputs", nlohmann::ordered_json::array())) {
        std::filesystem::path dir = std::filesystem::path(input.value("path", std::string())).parent_path();
        for (; !dir.empty(); dir = dir.parent_path()) {
            if (std::filesystem::exists(dir / name)) return dir / name;
            if (dir == dir.parent_path()) break;
        }
    }
    throw UsageError("cannot find the scenario " + name + " named by " + manifest_file.string() +
                     ": give it with --scenario");
}

// The stamp: same prediction settings (the prediction stamp: the scenario hashed without
// [analysis], [plan] and inputs.admin*, so the plan's own settings may change; for manifests
// older than it, the whole config hash), same input files (sha256), same grid.
void check_stamp(const nlohmann::ordered_json& m, const std::filesystem::path& manifest_file, const Scenario& s,
                 const geo::Grid& grid) {
    ProblemList problems;
    const std::string file = manifest_file.string();
    const auto stamp = m.value("scenario", nlohmann::ordered_json::object());
    if (stamp.contains("prediction_config_sha256")) {
        const std::string hash = stamp.value("prediction_config_sha256", std::string());
        const std::string now = prediction_config_hash(s.file);
        if (hash != now) {
            problems.add(file, "scenario.prediction_config_sha256",
                         fmt::format("the outputs were predicted with other settings ({}…) than {} ({}…; only [plan], "
                                     "[analysis] and inputs.admin* may change): rerun `phusong run` with this scenario",
                                     hash.substr(0, 12), s.file.string(), now.substr(0, 12)));
        }
    } else if (const std::string hash = stamp.value("config_sha256", std::string()); hash != s.config_hash) {
        problems.add(file, "scenario.config_sha256",
                     fmt::format("the outputs were made with another configuration ({}…) than {} ({}…), and this older "
                                 "manifest has no prediction stamp: rerun `phusong run` with this scenario",
                                 hash.substr(0, 12), s.file.string(), s.config_hash.substr(0, 12)));
    }
    for (const auto& input : m.value("inputs", nlohmann::ordered_json::array())) {
        const std::filesystem::path p = input.value("path", std::string());
        const std::string sha = input.value("sha256", std::string());
        std::error_code ec;
        if (!std::filesystem::exists(p, ec) || sha256_file_hex(p) != sha) {
            problems.add(file, "inputs." + input.value("role", std::string("?")),
                         p.string() + " changed or is missing since the run: rerun `phusong run`");
        }
    }
    const auto& g = m.value("grid", nlohmann::ordered_json::object());
    if (g.value("epsg", 0) != grid.epsg || g.value("cols", 0) != grid.cols || g.value("rows", 0) != grid.rows ||
        g.value("resolution_m", 0.0) != grid.resolution_m || g.value("origin_x_m", 0.0) != grid.origin_x_m ||
        g.value("origin_y_m", 0.0) != grid.origin_y_m) {
        problems.add(file, "grid", "the grid of the outputs differs from the scenario's: rerun `phusong run`");
    }
    problems.throw_if_any();
}

class PlanCommand final : public Command {
public:
    void add_options(CLI::App& app) override {
        app.add_option("dir", m_dir, "output folder of a previous run")->required();
        app.add_option("--scenario", m_scenario, "scenario file (default: the one the manifest names, found beside its inputs)");
        app.add_flag("--check", m_check,
                     "re-analyse: predict the existing NR cells plus the chosen sites on the full grid and compare "
                     "the covered share with the curve's last point (slow: a prediction of every chosen site)");
    }

    int execute(const GlobalOptions& /*global*/) override {
        const std::filesystem::path dir(m_dir);
        const std::filesystem::path manifest_file = dir / "manifest.json";
        nlohmann::ordered_json manifest = read_manifest(manifest_file);
        const std::filesystem::path scenario_file =
            m_scenario.empty() ? find_scenario(manifest, manifest_file) : std::filesystem::path(m_scenario);
        const Scenario scenario = load_scenario(scenario_file);
        const sites::SiteTable table = sites::read_site_table(scenario.inputs.sites);
        io::OutputDir out(dir / "plan", true);

        Manifest stages;  // collects this command's stage times
        StageTimer grid_timer(stages, "plan_inputs");
        const geo::GridInputs g = geo::build_grid_inputs(scenario.inputs, scenario.grid);
        check_stamp(manifest, manifest_file, scenario, g.grid);
        const auto placements = sites::place_sites(table, g.grid, g.dem_m, g.aoi_mask);
        std::optional<geo::PolygonLayer> admin;
        if (scenario.inputs.admin) {
            admin = geo::read_polygons(*scenario.inputs.admin, "admin", geo::srs_from_epsg(g.grid.epsg));
        }
        grid_timer.stop();

        StageTimer plan_timer(stages, "plan");
        const planning::PlanInputs pin{scenario, g, table, placements, admin ? &*admin : nullptr};
        const planning::PlanResult plan = planning::run_plan(pin);
        const double plan_s = plan_timer.stop();
        nlohmann::ordered_json section = io::plan_manifest_section(plan, scenario.plan);
        if (m_check) {
            const planning::PlanCheck check = planning::reanalyse_plan(pin, plan);
            const double curve = plan.ranking.empty() ? 0.0 : plan.ranking.back().covered_share;
            section["check"] = {{"sites", check.sites},
                                {"reanalysed_share", check.covered_share},
                                {"curve_share", curve},
                                {"difference", check.covered_share - curve},
                                {"wall_s", check.wall_s}};
            std::printf("  check       re-analysis of %zu sites on the %g m grid: %.2f%% covered (curve: %.2f%%), %.1f s\n",
                        check.sites, g.grid.resolution_m, 100 * check.covered_share, 100 * curve, check.wall_s);
        }

        out.open();
        const auto written = io::write_plan(out.file(""), plan);
        {
            std::ofstream f(out.file("plan.json"), std::ios::binary | std::ios::trunc);
            f << section.dump(2) << '\n';
            f.close();
            if (!f) throw Error("cannot write plan.json");
        }
        throw_if_interrupted();
        out.commit();

        // The run's manifest gains the plan section, replaced atomically.
        manifest["plan"] = section;
        for (const auto& st : stages.json()["stages"]) manifest["stages"].push_back(st);
        for (const auto& [name, what] : written) {
            const std::string path = "plan/" + name;
            bool listed = false;
            for (const auto& o : manifest["outputs"]) listed = listed || o.value("path", std::string()) == path;
            if (!listed) manifest["outputs"].push_back({{"path", path}, {"description", what}});
        }
        const std::filesystem::path tmp = dir / "manifest.json.tmp";
        {
            std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
            f << manifest.dump(2) << '\n';
            f.close();
            if (!f) throw Error("cannot write " + tmp.string());
        }
        std::filesystem::rename(tmp, manifest_file);

        print_summary(plan, plan_s, dir / "plan");
        return 0;
    }

    static void print_summary(const planning::PlanResult& plan, double plan_s, const std::filesystem::path& where) {
        const double existing = plan.people_in_aoi > 0 ? plan.people_covered_existing / plan.people_in_aoi : 0.0;
        std::printf("phusong plan\n");
        std::printf("  candidates  %zu (%zu upgrades, %zu greenfield), demand grid %g m, %zu cells with people to cover\n",
                    plan.candidates.size(), plan.upgrades, plan.greenfield, plan.demand_cell_m, plan.demand_cells);
        std::printf("  existing NR %.0f of %.0f people (%.2f%%)\n", plan.people_covered_existing, plan.people_in_aoi,
                    100 * existing);
        if (!plan.ranking.empty()) {
            std::printf("  ranking     %zu sites, cost %g: %.2f%% covered (target %s)\n", plan.ranking.size(),
                        plan.ranking.back().cumulative_cost, 100 * plan.ranking.back().covered_share,
                        plan.target_reached ? "reached" : "not reached");
        }
        for (const auto& b : plan.bounds) {
            const bool proven = b.bound_source == planning::BoundSource::ilp_optimal;
            const std::string found = proven ? "" : fmt::format(", best found {:.0f}", b.ilp.objective);
            std::printf("  budget %-4d greedy %.0f%s, %s %.0f (%s): greedy/optimal %s %.4f; Lagrangian %.0f (%zu fixed "
                        "out, %.1f s), ILP %s on %zu candidates (%.1f s)\n",
                        b.budget, b.greedy_people, found.c_str(), proven ? "optimum" : "bound", b.best_bound,
                        planning::to_string(b.bound_source), proven ? "=" : "≥", b.ratio, b.lagrangian.bound,
                        b.lagrangian.fixed_count, b.lagrangian.wall_s, planning::to_string(b.ilp.status).c_str(),
                        b.ilp.candidate_columns, b.ilp.wall_s);
        }
        std::printf("  time        %.1f s (candidates %.1f, footprints %.1f, greedy %.2f, bounds %.1f)\n", plan_s,
                    plan.candidates_s, plan.footprints_s, plan.greedy_s, plan.bounds_s);
        std::printf("  outputs     %s\n", where.c_str());
    }

private:
    std::string m_dir;
    std::string m_scenario;
    bool m_check = false;
};

}  // namespace

std::unique_ptr<Command> make_plan_command() { return std::make_unique<PlanCommand>(); }

}  // namespace phusong::cli
