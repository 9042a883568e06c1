// phusong: coverage planning for 4G/5G across a province. Exit codes (docs/reliability.md):
// 0 ok, 1 runtime failure, 2 usage, 3 invalid input, 130 interrupted.

#include <spdlog/spdlog.h>
#include <tbb/global_control.h>
#include <tbb/info.h>

#include <csignal>
#include <cstdio>
#include <exception>
#include <memory>
#include <vector>

#include "commands.hpp"
#include "phusong/core/error.hpp"
#include "phusong/core/interrupt.hpp"
#include "phusong/core/manifest.hpp"

namespace {

constexpr std::size_t kMaxProblemsShown = 50;

/// Prints the error; `scenario` is the scenario file of the command line, if any: a problem found
/// in a scenario key after loading (by a stage that only sees the config struct, e.g. an unknown
/// grid.epsg) names the key but not the file, which is then the scenario.
int report(const phusong::Error& e, const std::string& scenario) {
    if (const auto* input = dynamic_cast<const phusong::InputError*>(&e)) {
        std::vector<phusong::Problem> problems = input->problems();
        for (auto& p : problems) {
            if (p.file.empty() && p.where.rfind("key ", 0) == 0) p.file = scenario;
        }
        if (problems.size() > 1) {
            std::fprintf(stderr, "error: %zu problems in the input:\n", problems.size());
        }
        for (std::size_t i = 0; i < problems.size() && i < kMaxProblemsShown; ++i) {
            std::fprintf(stderr, "%s%s\n", problems.size() > 1 ? "  " : "error: ",
                         problems[i].to_string().c_str());
        }
        if (problems.size() > kMaxProblemsShown) {
            std::fprintf(stderr, "  … and %zu more\n", problems.size() - kMaxProblemsShown);
        }
    } else {
        std::fprintf(stderr, "error: %s\n", e.what());
    }
    return static_cast<int>(e.exit_code());
}

}  // namespace

int main(int argc, char** argv) {
    using namespace phusong;
    CLI::App app{"phusong: 4G/5G coverage planning for a province (radio prediction, best server, "
                 "SINR, coverage gaps, 5G site plans)",
                 "phusong"};
    app.set_version_flag("--version", "phusong " + engine_version());
    app.require_subcommand(1);
    // The global options are accepted after the command too (`phusong run S.toml --threads 4 -q`):
    // a subcommand hands the options it does not know to the main command.
    app.fallthrough();
    cli::GlobalOptions global;
    bool quiet = false;
    bool verbose = false;
    app.add_option("--threads", global.threads, "worker threads (default: all cores)")
        ->check(CLI::Range(1, 1024));
    app.add_flag("-q,--quiet", quiet, "only warnings and errors");
    app.add_flag("-v,--verbose", verbose, "debug messages");

    std::vector<std::unique_ptr<cli::Command>> commands;
    std::vector<CLI::App*> subs;
    for (const auto& entry : cli::commands()) {
        commands.push_back(entry.make());
        CLI::App* sub = app.add_subcommand(entry.name, entry.summary);
        commands.back()->add_options(*sub);
        subs.push_back(sub);
    }

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);  // prints help/version or the usage error
        return code == 0 ? 0 : static_cast<int>(ExitCode::usage);
    }

    init_logging(quiet ? Verbosity::quiet : verbose ? Verbosity::verbose : Verbosity::normal);
    global.verbosity = quiet ? Verbosity::quiet : verbose ? Verbosity::verbose : Verbosity::normal;
    const int threads = global.threads > 0 ? global.threads : tbb::info::default_concurrency();
    tbb::global_control parallelism(tbb::global_control::max_allowed_parallelism,
                                    static_cast<std::size_t>(threads));
    global.threads = threads;
    install_interrupt_handlers();

    std::string scenario;
    for (const CLI::App* sub : subs) {
        if (!sub->parsed()) continue;
        if (const CLI::Option* opt = sub->get_option_no_throw("scenario"); opt != nullptr && opt->count() > 0) {
            scenario = opt->as<std::string>();
        }
    }
    try {
        for (std::size_t i = 0; i < subs.size(); ++i) {
            if (subs[i]->parsed()) return commands[i]->execute(global);
        }
        throw UsageError("no command given; see phusong --help");
    } catch (const Error& e) {
        return report(e, scenario);
    } catch (const std::bad_alloc&) {
        std::fprintf(stderr, "error: out of memory: use a coarser grid.resolution_m or a smaller AOI\n");
        return static_cast<int>(ExitCode::runtime);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: internal: %s\n", e.what());
        return static_cast<int>(ExitCode::runtime);
    }
}
