// `phusong info`: versions of the engine and the libraries it was built with.

#include <gdal.h>
#include <geos_c.h>
#include <proj.h>
#include <tbb/version.h>

#include <cstdio>

#include "commands.hpp"
#include "phusong/core/manifest.hpp"

namespace phusong::cli {
namespace {

class InfoCommand final : public Command {
public:
    void add_options(CLI::App& /*app*/) override {}

    int execute(const GlobalOptions& global) override {
        std::printf("phusong %s\n", engine_version().c_str());
        std::printf("  GDAL    %s\n", GDALVersionInfo("RELEASE_NAME"));
        std::printf("  GEOS    %s\n", GEOSversion());
        std::printf("  PROJ    %s\n", proj_info().version);
        std::printf("  oneTBB  %s\n", TBB_runtime_version());
        std::printf("  threads %d\n", global.threads);
        return 0;
    }
};

}  // namespace

std::unique_ptr<Command> make_info_command() { return std::make_unique<InfoCommand>(); }

}  // namespace phusong::cli
