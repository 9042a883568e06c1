// The module graph (docs/architecture.md): each module includes only the modules below it in
//   radio < core < geo < sites < coverage < analysis < planning < calibration < io < pipeline < cli,
// the command line reaches the engine only through the pipeline facades (and core), and the compute
// kernels (radio, coverage) and core use no GDAL, OGR, GEOS or PROJ type. Read from the sources'
// #include lines and the modules' CMake dependencies, so a new include that breaks the layering
// fails here, naming the file and the line.

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kOrder = {"radio",    "core",     "geo",         "sites", "coverage", "analysis",
                                         "planning", "calibration", "io", "pipeline", "cli"};

int rank(const std::string& module) {
    const auto it = std::find(kOrder.begin(), kOrder.end(), module);
    return it == kOrder.end() ? -1 : static_cast<int>(it - kOrder.begin());
}

struct Include {
    fs::path file;
    int line = 0;
    std::string target;  ///< "phusong/geo/grid.hpp", "gdal_priv.h", …
};

std::vector<Include> includes_of(const std::string& module) {
    const fs::path root = PHUSONG_SOURCE_DIR;
    std::vector<Include> out;
    static const std::regex include_re(R"(^\s*#\s*include\s*[<"]([^">]+)[">])");
    for (const fs::path& dir : {root / "src" / module, root / "include" / "phusong" / module}) {
        if (!fs::exists(dir)) continue;
        for (const auto& e : fs::recursive_directory_iterator(dir)) {
            const std::string ext = e.path().extension().string();
            if (ext != ".cpp" && ext != ".hpp" && ext != ".h") continue;
            std::ifstream in(e.path());
            std::string text;
            int n = 0;
            for (std::smatch m; std::getline(in, text);) {
                ++n;
                if (std::regex_search(text, m, include_re)) out.push_back({e.path(), n, m[1]});
            }
        }
    }
    return out;
}

bool is_gis_library(const std::string& header) {
    for (const char* prefix : {"gdal", "ogr", "cpl_", "geos", "proj"}) {
        if (header.rfind(prefix, 0) == 0) return true;
    }
    return false;
}

}  // namespace

TEST_CASE("each module includes only the modules below it") {
    for (const std::string& module : kOrder) {
        for (const Include& inc : includes_of(module)) {
            if (inc.target.rfind("phusong/", 0) != 0) continue;
            const std::string used = inc.target.substr(8, inc.target.find('/', 8) - 8);
            if (used == module) continue;
            INFO(inc.file.string(), ":", inc.line, " includes ", inc.target);
            CHECK_MESSAGE(rank(used) >= 0, "no such module: ", used);
            CHECK_MESSAGE(rank(used) < rank(module), module, " may not depend on ", used);
            if (module == "cli") CHECK_MESSAGE((used == "pipeline" || used == "core"), "the command line calls the pipeline facades");
        }
    }
}

TEST_CASE("the compute kernels and core use no GIS library") {
    for (const std::string module : {"radio", "core", "coverage"}) {
        for (const Include& inc : includes_of(module)) {
            INFO(inc.file.string(), ":", inc.line, " includes ", inc.target);
            CHECK_FALSE(is_gis_library(inc.target));
        }
    }
}

TEST_CASE("each module's CMake dependencies are modules below it") {
    const std::regex dep_re(R"(phusong::([a-z]+))");
    for (const std::string& module : kOrder) {
        const fs::path file = fs::path(PHUSONG_SOURCE_DIR) / "src" / module / "CMakeLists.txt";
        REQUIRE(fs::exists(file));
        std::ifstream in(file);
        const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
        for (auto it = std::sregex_iterator(text.begin(), text.end(), dep_re); it != std::sregex_iterator(); ++it) {
            const std::string used = (*it)[1];
            if (used == module) continue;
            INFO(file.string(), " links phusong::", used);
            CHECK(rank(used) >= 0);
            CHECK(rank(used) < rank(module));
        }
    }
}
