// ITM in the area sweep against SPLAT! -olditm (issue #8): for each site of a list, our ITM
// path-loss map (the prediction's own code: site_footprints with one isotropic cell, so that
// path loss = transmit power − signal) is timed on one thread and compared point by point with
// the path loss SPLAT! wrote for the same site (its -ano file: one row per point of its radials).
// All the sites are also predicted at once on every thread (sites in parallel), timed again.
// With --splat-exe, SPLAT! itself is run and timed on every site, on the same CPU, between two
// timed passes of ours (one thread, then all sites at once): a drift of the machine's speed
// cancels in the means; then at a radius of 0.1 km, which times what a SPLAT! process costs
// besides its prediction (reading the terrain, writing its map).
//
// ITM's inputs are SPLAT's (the .lrp that tools/benchmark.sh --itm writes): continental
// temperate climate, N_0 = 301, ε = 15, σ = 0.005 S/m, vertical polarisation, 50 % time and
// situation; SPLAT's point_to_point_ITM uses mdvar 12 (mobile, no location variability), as
// docs/splat_recipe.md §5 cross-checked against NTIA ITM.
//
//   build/release/tools/itm_vs_splat gis_data/vinh_phuc.toml SITES.txt ANO_DIR --radius-km 10
//       [--splat-exe splat-hd] [--cpu 0] [--splat-dem DEM_1s.tif]
//
// SITES.txt: one site per line, "id lat lon height_agl_m freq_mhz"; ANO_DIR/<id>.ano: SPLAT's
// -ano output for that site ("lat, lon_west, azimuth, elevation, loss[ *]").
//
// With --splat-dem (the 1" tile SPLAT! read, as a GeoTIFF in EPSG:4326), the obstructed points
// are explained: on a sample of them, our itm::p2p on a profile built the way SPLAT!'s PlotLRPath
// builds it (the nearest 1" pixel's whole-metre height every ~1", and its point y given the loss
// of the profile ending at sample y − 1: `elev[0] = y − 1`), then without that off-by-one, then
// on a bilinear profile, each against SPLAT!'s value.

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <tbb/info.h>
#include <tbb/task_arena.h>

#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <fstream>
#include <numbers>
#include <numeric>
#include <memory>
#include <random>
#include <sstream>
#include <vector>

#include "phusong/core/error.hpp"
#include "phusong/core/log.hpp"
#include "phusong/core/scenario.hpp"
#include "phusong/coverage/footprint.hpp"
#include "phusong/coverage/predict.hpp"
#include "phusong/geo/grid_inputs.hpp"
#include "phusong/radio/pathloss.hpp"
#include "phusong/sites/placement.hpp"
#include "phusong/sites/site_table.hpp"

using namespace phusong;

namespace {

struct SiteLine {
    std::string id;
    double lat = 0, lon = 0, height_m = 0, freq_mhz = 0;
};

/// A point SPLAT! marked obstructed, kept to explain the offset (--splat-dem).
struct Obstructed {
    std::size_t site;
    double lat, lon, splat_db;
};

/// The 1" DEM SPLAT! read: nearest pixel (as SPLAT!'s GetElevation, whole metres as in its .sdf)
/// and bilinear.
class ArcSecondDem {
public:
    explicit ArcSecondDem(const std::string& path) {
        GDALAllRegister();
        std::unique_ptr<GDALDataset> ds(static_cast<GDALDataset*>(GDALOpen(path.c_str(), GA_ReadOnly)));
        if (!ds) throw InputError(path, "", "cannot open the 1\" DEM given to --splat-dem");
        m_cols = ds->GetRasterXSize();
        m_rows = ds->GetRasterYSize();
        ds->GetGeoTransform(m_gt.data());
        m_z.resize(static_cast<std::size_t>(m_cols) * static_cast<std::size_t>(m_rows));
        if (ds->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, m_cols, m_rows, m_z.data(), m_cols, m_rows, GDT_Float32, 0,
                                           0) != CE_None) {
            throw InputError(path, "", "cannot read the 1\" DEM");
        }
    }
    [[nodiscard]] double nearest(double lat, double lon) const {
        return std::round(at(static_cast<int>(std::lround(fcol(lon))), static_cast<int>(std::lround(frow(lat)))));
    }
    [[nodiscard]] double bilinear(double lat, double lon) const {
        const double fc = fcol(lon);
        const double fr = frow(lat);
        const auto c = static_cast<int>(std::floor(fc));
        const auto r = static_cast<int>(std::floor(fr));
        const double u = fc - c;
        const double v = fr - r;
        return (1 - u) * (1 - v) * at(c, r) + u * (1 - v) * at(c + 1, r) + (1 - u) * v * at(c, r + 1) + u * v * at(c + 1, r + 1);
    }

private:
    [[nodiscard]] double fcol(double lon) const { return (lon - m_gt[0]) / m_gt[1] - 0.5; }
    [[nodiscard]] double frow(double lat) const { return (lat - m_gt[3]) / m_gt[5] - 0.5; }
    [[nodiscard]] double at(int c, int r) const {
        c = std::clamp(c, 0, m_cols - 1);
        r = std::clamp(r, 0, m_rows - 1);
        return m_z[static_cast<std::size_t>(r) * static_cast<std::size_t>(m_cols) + static_cast<std::size_t>(c)];
    }
    int m_cols = 0;
    int m_rows = 0;
    std::array<double, 6> m_gt{};
    std::vector<float> m_z;
};

struct Stats {
    std::vector<double> delta;
    void add(double d) { delta.push_back(d); }
    [[nodiscard]] std::string text() {
        if (delta.empty()) return "no points";
        const std::size_t n = delta.size();
        std::sort(delta.begin(), delta.end());
        const double median = delta[n / 2];
        double sum = 0;
        std::vector<double> abs_delta;
        for (double d : delta) {
            abs_delta.push_back(std::abs(d));
            sum += d;
        }
        std::sort(abs_delta.begin(), abs_delta.end());
        return fmt::format("{} points, median |Δ| {:.2f} dB, 95th percentile |Δ| {:.2f} dB, Δ (ours − SPLAT!) median {:+.2f} dB, mean {:+.2f} dB",
                           n, abs_delta[n / 2], abs_delta[n * 95 / 100], median, sum / static_cast<double>(n));
    }
};

/// The index y of the point (lat, lon) on SPLAT!'s path from the site: ReadPath samples its path
/// every total_distance / path_length, path_length = √(Δlat² + Δlon²) in 1" samples (longitude
/// not scaled by cos(lat)), so the point y samples out is √(Δlat² + Δlon²) arc-seconds away.
double splat_samples(const SiteLine& site, double lat, double lon) {
    return std::hypot((lat - site.lat) * 3600.0, (lon - site.lon) * 3600.0);
}

/// Pins the calling thread to `cpu` (none when negative); false if the CPU cannot be used.
bool pin_to_cpu(int cpu) {
    if (cpu < 0) return true;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    return sched_setaffinity(0, sizeof one, &one) == 0;
}

/// Runs `exe` with `args` in `dir`, its output discarded, and returns its wall time, s; throws
/// if it cannot be started or does not exit with 0. The child keeps this thread's CPU affinity.
double run_timed(const std::string& exe, const std::vector<std::string>& args, const std::string& dir) {
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(exe.c_str()));
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    const auto t0 = std::chrono::steady_clock::now();
    const pid_t pid = fork();
    if (pid < 0) throw Error("cannot start " + exe);
    if (pid == 0) {  // the child: only async-signal-safe calls until exec
        const int null = open("/dev/null", O_WRONLY);
        if (null >= 0) {
            dup2(null, 1);
            dup2(null, 2);
        }
        if (chdir(dir.c_str()) != 0) _exit(126);
        execvp(exe.c_str(), argv.data());
        _exit(127);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        throw Error(exe + " failed in " + dir + " (exit status " + std::to_string(WEXITSTATUS(status)) + ")");
    }
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"ITM area prediction against SPLAT! -olditm: agreement and time per site"};
    std::string scenario_file;
    std::string sites_file;
    std::string ano_dir;
    double radius_km = 10;
    double splat_seconds = 0;
    double splat_fixed_seconds = 0;  // SPLAT! at 0.1 km: its cost per process without the prediction
    std::string dump_file;
    std::string splat_dem;
    int cpu = -1;
    app.add_option("scenario", scenario_file)->required();
    app.add_option("sites", sites_file, "id lat lon height_agl_m freq_mhz per line")->required();
    app.add_option("ano_dir", ano_dir, "SPLAT! -ano files, <id>.ano")->required();
    app.add_option("--radius-km", radius_km, "calculation radius, km");
    app.add_option("--splat-seconds", splat_seconds, "SPLAT!'s wall time for all the sites, for the ratio");
    std::string splat_exe;
    app.add_option("--splat-exe", splat_exe,
                   "run this SPLAT! (splat-hd) on every site, in ano_dir (its .qth, .lrp and terrain), on the "
                   "same CPU, between two timed passes of ours, and time it: a drift of the machine's speed over "
                   "those minutes cancels in the means; replaces --splat-seconds");
    app.add_option("--splat-dem", splat_dem, "the 1\" GeoTIFF SPLAT!'s terrain came from: explain the obstructed points");
    app.add_option("--dump", dump_file, "CSV of every compared point: site, lat, lon, distance_m, azimuth_deg, ours_db, splat_db, splat_obstructed");
    app.add_option("--cpu", cpu,
                   "run the one-thread timing on this CPU (the one SPLAT! was pinned to: a virtual machine's "
                   "cores can run at different speeds)");
    CLI11_PARSE(app, argc, argv);
    init_logging(Verbosity::quiet);
    // The one-thread arena runs on this (the calling) thread: pin it for the per-site timing, and
    // give the all-threads run every CPU back.
    const int threads = tbb::info::default_concurrency();  // before the pinning below: TBB reads the mask
    cpu_set_t all_cpus;
    CPU_ZERO(&all_cpus);
    sched_getaffinity(0, sizeof all_cpus, &all_cpus);
    if (!pin_to_cpu(cpu)) {
        fmt::print(stderr, "error: --cpu {}: cannot run on that CPU\n", cpu);
        return 2;
    }
    tbb::task_arena one_thread(1);
    try {
        Scenario s = load_scenario(scenario_file);
        const geo::GridInputs g = geo::build_grid_inputs(s.inputs, s.grid);
        PredictionConfig pc = s.prediction;
        pc.model = radio::ModelConfig{};
        pc.model.kind = radio::ModelKind::itm;
        pc.model.itm.climate = radio::itm::Climate::continental_temperate;
        pc.model.itm.n0 = 301;
        pc.model.itm.epsilon = 15;
        pc.model.itm.sigma_s_per_m = 0.005;
        pc.model.itm.pol = radio::itm::Polarisation::vertical;
        pc.model.itm.mdvar = radio::itm::Mdvar::from_code(12);
        radio::itm::set_confidence_reliability(pc.model.itm, 50, 50);
        pc.band_models.clear();
        pc.layer_models.clear();
        pc.max_radius_m = radius_km * 1000;
        pc.rxlev_floor_dbm = -200;
        pc.feeder_loss_db = 0;
        pc.far_block_px = 1;
        constexpr double kPower_dbm = 40;  // GSM: the signal is the carrier's power

        coverage::AntennaCatalogue antennas;
        antennas["isotropic"] = std::make_shared<const radio::AntennaPattern>(
            radio::AntennaPattern::omni({0.0, 180.0, 0.0}));
        OGRSpatialReference wgs84;
        OGRSpatialReference grid_srs;
        wgs84.importFromEPSG(4326);
        wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        grid_srs.importFromEPSG(g.grid.epsg);
        grid_srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        const std::unique_ptr<OGRCoordinateTransformation> to_grid(OGRCreateCoordinateTransformation(&wgs84, &grid_srs));

        // One isotropic GSM cell per site (a carrier at kPower_dbm), in one layer.
        auto splat_table = [&](std::span<const SiteLine> lines) {
            sites::SiteTable table;
            table.file = sites_file;
            table.layers.push_back({"SPLAT GSM", "SPLAT", radio::Technology::gsm, "GSM900", {}});
            for (const SiteLine& l : lines) {
                const std::size_t index = table.cells.size();
                sites::Cell c;
                c.site_id = l.id;
                c.cell_id = l.id + "-1";
                c.operator_name = "SPLAT";
                c.lon_deg = l.lon;
                c.lat_deg = l.lat;
                c.height_agl_m = l.height_m;
                c.tech = radio::Technology::gsm;
                c.band = "GSM900";
                c.freq_mhz = l.freq_mhz;
                c.bandwidth_mhz = 0.2;
                c.tx_power_dbm = kPower_dbm;
                c.antenna = "isotropic";
                c.row = static_cast<int>(index) + 1;
                table.cells.push_back(c);
                table.layers[0].cells.push_back(index);
                table.sites.push_back({l.id, "SPLAT", l.lon, l.lat, {index}});
            }
            return table;
        };

        std::vector<SiteLine> list;
        {
            std::ifstream in(sites_file);
            SiteLine l;
            while (in >> l.id >> l.lat >> l.lon >> l.height_m >> l.freq_mhz) list.push_back(l);
        }
        if (list.empty()) throw InputError(sites_file, "", "no sites: expected lines \"id lat lon height_agl_m freq_mhz\"");
        Stats all;
        Stats beyond_1km;
        Stats los_1km;
        Stats blocked_1km;
        Stats receiver_all;  // our map at the receiver of SPLAT!'s computation: sample y − 1
        Stats receiver_los_1km;
        Stats receiver_blocked_1km;
        std::vector<Obstructed> obstructed;  // a uniform sample (reservoir), for --splat-dem
        constexpr std::size_t kExplained = 3000;
        std::size_t obstructed_seen = 0;
        std::mt19937_64 rng(1);
        std::ofstream dump;
        if (!dump_file.empty()) {
            dump.open(dump_file);
            dump << "site,lat,lon,distance_m,azimuth_deg,ours_db,splat_db,splat_obstructed\n";
        }
        // Ours per site on one thread (each timed pass's sum) and all the sites in one prediction
        // on every thread (sites run in parallel; each run's time).
        std::vector<double> ours_pass_s;
        std::vector<double> threaded_run_s;
        const sites::SiteTable all_table = splat_table(list);
        const auto all_placements = sites::place_sites(all_table, g.grid, g.dem_m, g.aoi_mask);
        const coverage::PredictionInputs all_in{g.grid, g.dem_m, all_table, all_placements, pc, antennas};
        tbb::task_arena every_thread(threads);
        auto run_threaded = [&] {
            sched_setaffinity(0, sizeof all_cpus, &all_cpus);
            const auto t0 = std::chrono::steady_clock::now();
            every_thread.execute([&] { (void)coverage::site_footprints(all_in, -200.0); });
            threaded_run_s.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
            (void)pin_to_cpu(cpu);  // it ran on this CPU before
        };
        // One site on one thread: its footprint and the time it took.
        auto one_site = [&](const SiteLine& l, double& seconds) {
            const sites::SiteTable table = splat_table(std::span(&l, 1));
            const auto placements = sites::place_sites(table, g.grid, g.dem_m, g.aoi_mask);
            const coverage::PredictionInputs in{g.grid, g.dem_m, table, placements, pc, antennas};
            const auto t0 = std::chrono::steady_clock::now();
            std::vector<coverage::Footprint> fp;
            one_thread.execute([&] { fp = coverage::site_footprints(in, -200.0); });
            seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            return std::move(fp[0]);
        };
        // Our loss map's value at (lon, lat), from the grid pixel holding it (NaN off the grid or
        // where nothing was predicted); (x, y): the point in the grid's CRS.
        auto ours_at = [&](const std::vector<float>& loss, double lon, double lat, double& x, double& y) {
            x = lon;
            y = lat;
            if (!to_grid->Transform(1, &x, &y)) return std::numeric_limits<float>::quiet_NaN();
            const auto col = static_cast<int>(std::floor(g.grid.fcol(x)));
            const auto row = static_cast<int>(std::floor(g.grid.frow(y)));
            if (col < 0 || row < 0 || col >= g.grid.cols || row >= g.grid.rows) return std::numeric_limits<float>::quiet_NaN();
            return loss[g.grid.index(col, row)];
        };
        ours_pass_s.push_back(0.0);
        for (std::size_t si = 0; si < list.size(); ++si) {
            const SiteLine& l = list[si];
            double dt = 0;
            const coverage::Footprint fp = one_site(l, dt);
            ours_pass_s.back() += dt;
            std::vector<float> loss(g.grid.pixel_count(), std::numeric_limits<float>::quiet_NaN());
            for (std::size_t i = 0; i < fp.pixels.size(); ++i) {
                loss[fp.pixels[i]] = static_cast<float>(kPower_dbm - fp.signal_dbm[i]);
            }

            std::ifstream ano(ano_dir + "/" + l.id + ".ano");
            if (!ano) throw InputError(ano_dir + "/" + l.id + ".ano", "", "cannot read SPLAT's -ano output for this site");
            Stats site;
            std::string line;
            while (std::getline(ano, line)) {
                if (line.find(';') != std::string::npos) continue;  // the two header lines
                std::replace(line.begin(), line.end(), ',', ' ');
                std::istringstream fields(line);
                double lat = 0, lon_west = 0, az = 0, elev = 0, splat_db = 0;
                if (!(fields >> lat >> lon_west >> az >> elev >> splat_db)) continue;
                const double lon = 360.0 - lon_west;  // SPLAT writes degrees west
                double x = 0;
                double y = 0;
                const float ours = ours_at(loss, lon, lat, x, y);
                if (!std::isfinite(ours)) continue;
                const double delta = ours - splat_db;
                const double d = std::hypot(x - all_placements[si].x_m, y - all_placements[si].y_m);
                all.add(delta);
                site.add(delta);
                const bool blocked = line.find('*') != std::string::npos;
                if (d >= 1000) {
                    beyond_1km.add(delta);
                    (blocked ? blocked_1km : los_1km).add(delta);
                }
                // The receiver SPLAT! computed this point's loss for: its path's sample y − 1.
                const double y_samples = splat_samples(l, lat, lon);
                const double t = 1.0 - 1.0 / y_samples;
                double rx = 0;
                double ry = 0;
                const float at_rx = y_samples >= 2 ? ours_at(loss, l.lon + t * (lon - l.lon), l.lat + t * (lat - l.lat), rx, ry)
                                                   : std::numeric_limits<float>::quiet_NaN();
                if (std::isfinite(at_rx)) {
                    receiver_all.add(at_rx - splat_db);
                    if (d >= 1000) (blocked ? receiver_blocked_1km : receiver_los_1km).add(at_rx - splat_db);
                }
                if (blocked && d >= 1000) {
                    const Obstructed o{si, lat, 360.0 - lon_west, splat_db};
                    if (obstructed.size() < kExplained) {
                        obstructed.push_back(o);
                    } else if (const std::size_t j = rng() % (obstructed_seen + 1); j < kExplained) {
                        obstructed[j] = o;
                    }
                    ++obstructed_seen;
                }
                if (dump.is_open()) {
                    dump << fmt::format("{},{:.7f},{:.7f},{:.0f},{:.2f},{:.2f},{:.2f},{}\n", l.id, lat, 360.0 - lon_west, d, az, ours, splat_db,
                                        blocked ? 1 : 0);
                }
            }
            fmt::print("{} ({:.0f} MHz, {:.0f} m): ours {:.2f} s; {}\n", l.id, l.freq_mhz, l.height_m, dt, site.text());
        }
        run_threaded();
        if (!splat_exe.empty()) {
            // SPLAT! site by site on the same CPU (its terrain, .qth and .lrp in ano_dir; no output
            // files but its map), between two timings of ours: a drift of the machine's speed
            // over these minutes (±10 % on the development machine) cancels in the means.
            splat_seconds = 0;
            auto splat_run = [&](const SiteLine& l, const std::string& radius) {
                return run_timed(splat_exe, {"-t", l.id + ".qth", "-L", "1.5", "-metric", "-R", radius, "-olditm",
                                             "-N", "-o", l.id + ".ppm"},
                                 ano_dir);
            };
            for (const SiteLine& l : list) splat_seconds += splat_run(l, fmt::format("{}", radius_km));
            // What a SPLAT! process costs besides the prediction (reading the 1" terrain, writing
            // its map of the whole region): the same sites at a radius of 0.1 km.
            for (const SiteLine& l : list) splat_fixed_seconds += splat_run(l, "0.1");
            ours_pass_s.push_back(0.0);
            for (const SiteLine& l : list) {
                double dt = 0;
                (void)one_site(l, dt);
                ours_pass_s.back() += dt;
            }
            run_threaded();
        }
        fmt::print("all sites, all points: {}\n", all.text());
        fmt::print("all sites, points from 1 km (ITM's range): {}\n", beyond_1km.text());
        fmt::print("  of which SPLAT!'s line of sight: {}\n", los_1km.text());
        fmt::print("  of which SPLAT!'s obstructed points: {}\n", blocked_1km.text());
        fmt::print("our map at the receiver SPLAT! computed each point for (its path's sample y − 1), all points: {}\n",
                   receiver_all.text());
        fmt::print("  SPLAT!'s line of sight from 1 km: {}\n", receiver_los_1km.text());
        fmt::print("  SPLAT!'s obstructed points from 1 km: {}\n", receiver_blocked_1km.text());
        if (!splat_dem.empty()) {
            // SPLAT!'s path: points every 1" sample (splat_samples) on the straight line in
            // latitude/longitude (within 10 km the great circle is that line to < 1 m).
            const ArcSecondDem dem(splat_dem);
            Stats splat_like;
            Stats no_off_by_one;
            Stats bilinear;
            for (const Obstructed& o : obstructed) {
                const SiteLine& l = list[o.site];
                const double dy = (o.lat - l.lat) * 110574.0;
                const double dx = (o.lon - l.lon) * 111320.0 * std::cos(l.lat * std::numbers::pi / 180.0);
                const double dist = std::hypot(dx, dy);
                const int n = std::max(2, static_cast<int>(std::lround(splat_samples(l, o.lat, o.lon))));
                std::vector<double> near(static_cast<std::size_t>(n) + 1);
                std::vector<double> smooth(near.size());
                for (int i = 0; i <= n; ++i) {
                    const double t = static_cast<double>(i) / n;
                    near[static_cast<std::size_t>(i)] = dem.nearest(l.lat + t * (o.lat - l.lat), l.lon + t * (o.lon - l.lon));
                    smooth[static_cast<std::size_t>(i)] = dem.bilinear(l.lat + t * (o.lat - l.lat), l.lon + t * (o.lon - l.lon));
                }
                radio::itm::Params p = pc.model.itm;
                p.freq_mhz = l.freq_mhz;
                p.h_tx_m = l.height_m;
                p.h_rx_m = pc.receiver_height_m;
                const double step = dist / n;
                splat_like.add(radio::itm::p2p(std::span(near.data(), near.size() - 1), step, p).loss_db - o.splat_db);
                no_off_by_one.add(radio::itm::p2p(near, step, p).loss_db - o.splat_db);
                bilinear.add(radio::itm::p2p(smooth, step, p).loss_db - o.splat_db);
            }
            fmt::print("SPLAT!'s obstructed points from 1 km, our itm::p2p on SPLAT!-like profiles, against SPLAT!:\n");
            fmt::print("  nearest 1\" pixel, whole metres, to sample y − 1 (SPLAT!'s PlotLRPath): {}\n", splat_like.text());
            fmt::print("  the same to the point itself (no off-by-one): {}\n", no_off_by_one.text());
            fmt::print("  bilinear terrain to the point itself: {}\n", bilinear.text());
        }
        const double n = static_cast<double>(list.size());
        auto print_time = [&](std::string_view how, double seconds) {
            fmt::print("time per site, {}: ours {:.3f} s", how, seconds / n);
            if (splat_seconds > 0) {
                fmt::print(", SPLAT! {:.3f} s, ratio {:.1f}x", splat_seconds / n, splat_seconds / seconds);
            }
            fmt::print("\n");
        };
        auto mean = [](const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / v.size(); };
        auto runs = [](const std::vector<double>& v, double per) {
            std::string text;
            for (double x : v) text += fmt::format("{}{:.3f}", text.empty() ? "" : ", ", x / per);
            return text;
        };
        print_time(fmt::format("one thread (mean of {} passes: {} s)", ours_pass_s.size(), runs(ours_pass_s, n)),
                   mean(ours_pass_s));
        if (splat_fixed_seconds > 0) {
            const double splat_predict = splat_seconds - splat_fixed_seconds;
            fmt::print("SPLAT!'s process without the prediction (the same sites at 0.1 km): {:.3f} s/site; its "
                       "prediction alone {:.3f} s/site, {:.1f}x ours on one thread\n",
                       splat_fixed_seconds / n, splat_predict / n, splat_predict / mean(ours_pass_s));
        }
        print_time(fmt::format("all sites at once on {} threads (mean of {} runs: {} s)", threads,
                               threaded_run_s.size(), runs(threaded_run_s, n)),
                   mean(threaded_run_s));
    } catch (const Error& e) {
        fmt::print(stderr, "error: {}\n", e.what());
        return static_cast<int>(e.exit_code());
    }
    return 0;
}
