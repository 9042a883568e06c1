#include "commands.hpp"

#include <array>

namespace phusong::cli {

std::span<const CommandEntry> commands() {
    static const std::array kCommands = {
        CommandEntry{"run", "run the whole scenario: grid, prediction, outputs", &make_run_command},
        CommandEntry{"validate", "check a scenario and its inputs without computing anything", &make_validate_command},
        CommandEntry{"info", "print versions of the engine and its libraries", &make_info_command},
    };
    return kCommands;
}

}  // namespace phusong::cli
