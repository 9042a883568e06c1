#include "runner.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <gdal_priv.h>
#include <gdal_utils.h>
#include <ogr_spatialref.h>
#include <grp.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <thread>

#include "phusong/geo/gdal.hpp"

namespace phusong::catalogue {

Fixture::Fixture() {
    root = dir.path() / "tiny";
    fs::create_directories(root);
    for (const auto& e : fs::directory_iterator(test::test_data_dir() / "tiny")) {
        fs::copy_file(e.path(), root / e.path().filename());
    }
    scenario = root / "tiny.toml";
    sites = root / "sites.csv";
    dem = root / "dem.tif";
    population = root / "population.tif";
    aoi = root / "aoi.geojson";
    runs = dir.path() / "runs";
    out = runs / "out";
    fs::create_directories(runs);
    // Readable and searchable by everyone: some cases run as an unprivileged user.
    for (const fs::path& p : {dir.path(), root}) {
        fs::permissions(p, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                               fs::perms::others_read | fs::perms::others_exec);
    }
    fs::permissions(runs, fs::perms::all);  // writable by that user too
}

std::string Fixture::expand(std::string text) const {
    const std::pair<const char*, fs::path> names[] = {
        {"{scenario}", scenario}, {"{sites}", sites}, {"{dem}", dem}, {"{population}", population},
        {"{aoi}", aoi},           {"{root}", root},   {"{runs}", runs}, {"{out}", out}};
    for (const auto& [key, value] : names) {
        for (auto pos = text.find(key); pos != std::string::npos; pos = text.find(key)) {
            text.replace(pos, std::string(key).size(), value.string());
        }
    }
    return text;
}

void spit(const fs::path& p, const std::string& text) {
    std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
}

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

void replace_in_file(const fs::path& p, const std::string& from, const std::string& to) {
    std::string text = slurp(p);
    const auto pos = text.find(from);
    REQUIRE_MESSAGE(pos != std::string::npos, "\"", from, "\" not in ", p.string());
    text.replace(pos, from.size(), to);
    spit(p, text);
}

std::vector<std::string> csv_lines(const fs::path& p) {
    std::vector<std::string> lines;
    std::istringstream in(slurp(p));
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

namespace {

std::vector<std::string> split(const std::string& args) {
    std::vector<std::string> out;
    std::istringstream in(args);
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

/// In the child: drop to `nobody` (only when root), so chmod 000 and read-only folders bite.
void drop_privileges() {
    if (geteuid() != 0) return;
    const passwd* pw = getpwnam("nobody");
    const uid_t uid = pw != nullptr ? pw->pw_uid : 65534;
    const gid_t gid = pw != nullptr ? pw->pw_gid : 65534;
    if (setgroups(0, nullptr) != 0 || setgid(gid) != 0 || setuid(uid) != 0) _exit(126);
}

/// Whether `nobody` may access `path` with `mode` (access(2) in a child that dropped to that user).
bool nobody_can(const fs::path& path, int mode) {
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        drop_privileges();
        _exit(access(path.c_str(), mode) == 0 ? 0 : 1);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/// The executable an unprivileged child runs. A clone in a folder `nobody` cannot enter (root's
/// home, mode 700) hides the built binary from that user, so it is copied once into a
/// world-readable temporary folder, removed when the test program ends.
const std::string& unprivileged_exe() {
    struct Copy {
        std::string exe = PHUSONG_EXE;
        fs::path dir;
        Copy() {
            if (geteuid() != 0 || nobody_can(exe, X_OK)) return;
            dir = fs::temp_directory_path() / ("phusong-exe-" + std::to_string(getpid()));
            fs::create_directories(dir);
            fs::permissions(dir, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                     fs::perms::others_read | fs::perms::others_exec);
            const fs::path copy = dir / "phusong";
            fs::copy_file(exe, copy, fs::copy_options::overwrite_existing);
            exe = copy.string();
        }
        ~Copy() {
            std::error_code ec;
            if (!dir.empty()) fs::remove_all(dir, ec);
        }
    };
    static const Copy copy;
    return copy.exe;
}

}  // namespace

std::optional<std::string> unprivileged_unavailable() {
    if (geteuid() != 0) return std::nullopt;
    const fs::path tmp = fs::temp_directory_path();
    if (!nobody_can(tmp, X_OK | W_OK)) {
        return "user nobody cannot write to the temporary folder " + tmp.string() +
               " (set TMPDIR to a folder it can use, e.g. /tmp)";
    }
    if (!nobody_can(unprivileged_exe(), X_OK)) return "user nobody cannot run " + unprivileged_exe();
    return std::nullopt;
}

std::pair<int, int> wait_child(pid_t pid, int timeout_s) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
    int status = 0;
    for (;;) {
        const pid_t got = waitpid(pid, &status, WNOHANG);
        if (got == pid) break;
        if (got < 0) return {-1, 0};
        if (std::chrono::steady_clock::now() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            FAIL("phusong did not finish within ", timeout_s, " s");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (WIFEXITED(status)) return {WEXITSTATUS(status), 0};
    return {-1, WIFSIGNALED(status) ? WTERMSIG(status) : 0};
}

namespace {

pid_t spawn(const std::vector<std::string>& argv, const fs::path& out_file, const fs::path& err_file,
            bool unprivileged) {
    std::vector<char*> cargv;
    std::string exe = unprivileged && geteuid() == 0 ? unprivileged_exe() : std::string(PHUSONG_EXE);
    cargv.push_back(exe.data());
    std::vector<std::string> copy = argv;
    for (auto& a : copy) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        const int out = open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int err = open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (out < 0 || err < 0) _exit(125);
        dup2(out, STDOUT_FILENO);
        dup2(err, STDERR_FILENO);
        if (unprivileged) drop_privileges();
        execv(exe.c_str(), cargv.data());
        _exit(127);
    }
    return pid;
}

}  // namespace

pid_t spawn_phusong(const std::vector<std::string>& argv, const fs::path& stderr_file) {
    return spawn(argv, stderr_file.parent_path() / (stderr_file.filename().string() + ".stdout"),
                 stderr_file, false);
}

Result run_phusong(const std::vector<std::string>& argv, const fs::path& logs,
                   const RunOptions& options) {
    static int n = 0;
    ++n;
    const fs::path out = logs / ("stdout-" + std::to_string(n) + ".txt");
    const fs::path err = logs / ("stderr-" + std::to_string(n) + ".txt");
    const pid_t pid = spawn(argv, out, err, options.unprivileged);
    Result r;
    std::tie(r.code, r.signal) = wait_child(pid, options.timeout_s);
    r.out = slurp(out);
    r.err = slurp(err);
    fs::remove(out);
    fs::remove(err);
    return r;
}

Result run_phusong(const Fixture& fx, const std::string& args, const RunOptions& options) {
    // Logs go beside the fixture, never into runs/ (which must stay empty after a failure).
    return run_phusong(split(fx.expand(args)), fx.dir.path(), options);
}

RasterData read_raster(const fs::path& path) {
    geo::gdal_init();
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
    REQUIRE(ds);
    RasterData r;
    r.cols = ds->GetRasterXSize();
    r.rows = ds->GetRasterYSize();
    std::vector<double> gt(6);
    if (ds->GetGeoTransform(gt.data()) == CE_None) r.geotransform = gt;
    if (const OGRSpatialReference* srs = ds->GetSpatialRef()) {
        char* wkt = nullptr;
        srs->exportToWkt(&wkt);
        r.crs_wkt = wkt;
        CPLFree(wkt);
    }
    GDALRasterBand* b = ds->GetRasterBand(1);
    int has = 0;
    const double nd = b->GetNoDataValue(&has);
    if (has != 0) r.nodata = nd;
    r.values.resize(static_cast<std::size_t>(r.cols) * r.rows);
    const CPLErr read = b->RasterIO(GF_Read, 0, 0, r.cols, r.rows, r.values.data(), r.cols, r.rows, GDT_Float32, 0, 0);
    REQUIRE(read == CE_None);
    return r;
}

void write_raster(const fs::path& path, const RasterData& r) {
    geo::gdal_init();
    GDALDriver* gtiff = GetGDALDriverManager()->GetDriverByName("GTiff");
    REQUIRE(gtiff != nullptr);
    fs::remove(path);
    GDALDatasetUniquePtr ds(gtiff->Create(path.c_str(), r.cols, r.rows, 1, GDT_Float32, nullptr));
    REQUIRE(ds);
    if (r.geotransform) {
        std::vector<double> gt = *r.geotransform;
        REQUIRE(ds->SetGeoTransform(gt.data()) == CE_None);
    }
    if (!r.crs_wkt.empty()) {
        const CPLErr set = ds->SetProjection(r.crs_wkt.c_str());
        REQUIRE(set == CE_None);
    }
    GDALRasterBand* b = ds->GetRasterBand(1);
    if (r.nodata) b->SetNoDataValue(*r.nodata);
    std::vector<float> v = r.values;
    const CPLErr wrote = b->RasterIO(GF_Write, 0, 0, r.cols, r.rows, v.data(), r.cols, r.rows, GDT_Float32, 0, 0);
    REQUIRE(wrote == CE_None);
    ds.reset();  // closes and flushes
}

void warp_raster(const fs::path& src, const fs::path& dst, int epsg) {
    geo::gdal_init();
    GDALDatasetUniquePtr in(GDALDataset::Open(src.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
    REQUIRE(in);
    std::vector<std::string> args = {"-t_srs", "EPSG:" + std::to_string(epsg), "-r", "near", "-of", "GTiff", "-q"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::unique_ptr<GDALWarpAppOptions, decltype(&GDALWarpAppOptionsFree)> opts(
        GDALWarpAppOptionsNew(argv.data(), nullptr), &GDALWarpAppOptionsFree);
    GDALDatasetH srcs[] = {GDALDataset::ToHandle(in.get())};
    int usage = 0;
    fs::remove(dst);
    GDALDatasetH out = GDALWarp(dst.c_str(), nullptr, 1, srcs, opts.get(), &usage);
    REQUIRE(out != nullptr);
    GDALClose(out);
}

}  // namespace phusong::catalogue
