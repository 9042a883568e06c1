#include "commands.hpp"

#include <array>

namespace phusong::cli {

std::span<const CommandEntry> commands() {
    static const std::array kCommands = {
        CommandEntry{"run", "run the whole scenario: grid, prediction, outputs", &make_run_command},
        CommandEntry{"analyse", "coverage classes, population, gaps and admin tables of a previous run's outputs", &make_analyse_command},
        CommandEntry{"plan", "rank 5G upgrades and new sites on a previous run's outputs, with an optimality bound", &make_plan_command},
        CommandEntry{"calibrate", "score the propagation models against measurements and fit the SPM, cross-validated by site", &make_calibrate_command},
        CommandEntry{"report", "write the QGIS project and the HTML report of an output folder", &make_report_command},
        CommandEntry{"shard", "cut a scenario's grid into shards of whole tiles and write their plan and Slurm scripts", &make_shard_command},
        CommandEntry{"merge", "assemble the finished shards into the folder a single run writes", &make_merge_command},
        CommandEntry{"validate", "check a scenario and its inputs without computing anything", &make_validate_command},
        CommandEntry{"info", "print versions of the engine and its libraries", &make_info_command},
    };
    return kCommands;
}

}  // namespace phusong::cli
