// Synthetic measurements with a known truth (docs/models/calibration.md "Synthetic truth").

#include "phusong/calibration/calibration.hpp"
#include "phusong/calibration/random.hpp"

namespace phusong::calibration {

MeasurementTable synthesize(const Scenario& scenario, const sites::SiteTable& table,
                            const coverage::AntennaCatalogue& antennas, const MeasurementTable& positions,
                            const ModelSet& truth, double sigma_db, std::uint64_t seed) {
    // Every position becomes one observation: no filter, no binning.
    Scenario s = scenario;
    s.calibration.min_distance_m = 0;
    s.calibration.max_distance_m = 1e9;
    s.calibration.min_signal_dbm = -1e9;
    s.calibration.max_signal_dbm = 1e9;
    s.calibration.min_points_per_cell = 1;
    s.calibration.bin_to_pixels = false;
    const Observations obs = observe(s, table, antennas, positions);
    MeasurementTable out;
    out.file = "synthetic";
    out.crs_wkt = obs.grid.crs_wkt;
    // Shadowing is drawn once per cell and grid pixel: it is correlated over tens of metres
    // (3GPP TR 38.901 Table 7.5-6: shadow-fading correlation distances of 37–120 m), so the
    // points of one pixel share it, and a binned observation keeps the whole σ.
    std::size_t row = 0;
    for (const Observation& o : obs.items) {
        const auto px = obs.grid.pixel_of(o.x_m, o.y_m);
        const std::uint64_t pixel = px ? obs.grid.index((*px)[0], (*px)[1]) : 0;
        SplitMix64 rng(seed ^ (o.cell * 0x9E3779B97F4A7C15ULL) ^ (pixel * 0xD1B54A32D192ED03ULL));
        Measurement m;
        m.row = ++row;
        m.cell_id = table.cells[o.cell].cell_id;
        m.x = o.x_m;
        m.y = o.y_m;
        m.signal_dbm = predicted_dbm(truth, table, o) + sigma_db * rng.normal();
        m.rx_height_m = o.h_rx_m;
        out.points.push_back(m);
    }
    return out;
}

}  // namespace phusong::calibration
