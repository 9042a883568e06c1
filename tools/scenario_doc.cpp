// Prints docs/scenario.md, the reference of every scenario key, from the option table
// (src/core/option_table.cpp): `build/default/tools/scenario_doc > docs/scenario.md`.

#include <iostream>

#include "phusong/core/options.hpp"

int main() {
    std::cout << phusong::options::scenario_reference_markdown();
    return std::cout.good() ? 0 : 1;
}
