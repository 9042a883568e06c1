#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "phusong/planning/plan.hpp"

using namespace phusong;
using namespace phusong::planning;

namespace {

// 12 × 12 pixels of 30 m, origin (300240, 2400120) in UTM 48N; AOI = all but the last column.
geo::GridInputs small_inputs() {
    geo::GridInputs in;
    in.grid.epsg = 32648;
    in.grid.origin_x_m = 300240;
    in.grid.origin_y_m = 2400120;
    in.grid.resolution_m = 30;
    in.grid.cols = 12;
    in.grid.rows = 12;
    const std::size_t n = in.grid.pixel_count();
    in.dem_m.assign(n, 10.0f);
    in.population.assign(n, 1.0f);
    in.aoi_mask.assign(n, 1);
    for (int r = 0; r < 12; ++r) in.aoi_mask[in.grid.index(11, r)] = 0;
    return in;
}

}  // namespace

TEST_CASE("the demand grid sums the AOI's people and averages the terrain") {
    geo::GridInputs in = small_inputs();
    in.population[in.grid.index(0, 0)] = std::numeric_limits<float>::quiet_NaN();  // nodata: not 0 people, not counted
    in.dem_m[in.grid.index(1, 0)] = 40.0f;
    const DemandGrid d = make_demand_grid(in, 100);  // rounds to 3 pixels = 90 m
    CHECK(d.factor == 3);
    CHECK(d.grid.resolution_m == 90);
    CHECK(d.grid.cols == 4);
    CHECK(d.grid.rows == 4);
    CHECK(d.people[d.grid.index(0, 0)] == 8);   // 9 pixels, one nodata
    CHECK(d.people[d.grid.index(3, 0)] == 6);   // the last column is outside the AOI
    CHECK(d.dem_m[d.grid.index(0, 0)] == doctest::Approx((8 * 10.0 + 40.0) / 9));
    double total = 0;
    for (double p : d.people) total += p;
    CHECK(total == 12 * 11 - 1);
    CHECK(d.uncovered == d.people);

    DemandGrid covered = d;
    coverage::Footprint f;
    f.pixels = {0, 5};
    f.signal_dbm = {-90, -100};
    mark_covered(covered, std::span<const coverage::Footprint>(&f, 1));
    CHECK(covered.uncovered[0] == 0);
    CHECK(covered.uncovered[5] == 0);
    CHECK(covered.uncovered[1] == d.people[1]);
}

TEST_CASE("greenfield: one per populated lattice square, on its highest pixel clear of existing sites") {
    geo::GridInputs in = small_inputs();
    // Spacing 180 m = 6 pixels; the grid edges x 300240, 300600 and y 2399760, 2400120 are multiples
    // of 180, so the squares are the four 6 × 6 quadrants.
    in.dem_m[in.grid.index(2, 2)] = 50.0f;   // top-left: highest pixel...
    in.dem_m[in.grid.index(4, 4)] = 45.0f;   // ...second highest
    in.dem_m[in.grid.index(11, 11)] = 99.0f; // bottom-right: outside the AOI, never chosen
    for (int r = 0; r < 6; ++r) {
        for (int c = 6; c < 12; ++c) in.population[in.grid.index(c, r)] = 0.0f;  // top-right: empty
    }
    const DemandGrid d = make_demand_grid(in, 30);
    PlanConfig cfg;
    cfg.greenfield_spacing_m = 180;
    cfg.greenfield_min_distance_m = 60;
    cfg.greenfield_min_people = 1;
    // An existing site 30 m from the highest pixel's centre: it is excluded, the 45 m one wins.
    sites::SitePlacement existing;
    existing.x_m = in.grid.col_center_x(2) + 30;
    existing.y_m = in.grid.row_center_y(2);
    const auto gf = greenfield_candidates(in, d, std::span(&existing, 1), cfg);
    REQUIRE(gf.size() == 3);  // top-left, bottom-left, bottom-right (top-right has nobody)
    CHECK(gf[0].x_m == in.grid.col_center_x(4));
    CHECK(gf[0].y_m == in.grid.row_center_y(4));
    CHECK(gf[0].ground_m == 45.0);
    CHECK(gf[0].site_id == "NEW-0001");
    CHECK(gf[0].kind == CandidateKind::greenfield);
    CHECK(gf[0].height_agl_m == cfg.greenfield_height_m);
    CHECK(gf[0].cost == cfg.greenfield_cost);
    CHECK(gf[1].y_m < in.grid.row_center_y(5));
    CHECK(gf[2].x_m < in.grid.col_center_x(11));  // the AOI ends before the last column
    // Too few uncovered people: no candidate.
    cfg.greenfield_min_people = 1000;
    CHECK(greenfield_candidates(in, d, std::span(&existing, 1), cfg).empty());
}

TEST_CASE("upgrades take the tower height; the candidate table gives each candidate its NR sectors") {
    sites::SiteTable t;
    for (int s = 0; s < 2; ++s) {
        sites::Site site;
        site.site_id = s == 0 ? "A" : "B";
        site.operator_name = s == 0 ? "Viettel" : "MobiFone";
        for (int k = 0; k < 2; ++k) {
            sites::Cell c;
            c.site_id = site.site_id;
            c.height_agl_m = 20 + 5 * k + s;
            c.tech = k == 0 ? radio::Technology::lte : radio::Technology::nr;
            c.band = k == 0 ? "B3" : "n41";
            c.layer = static_cast<std::size_t>(k);
            site.cells.push_back(t.cells.size());
            t.cells.push_back(c);
        }
        t.sites.push_back(site);
    }
    t.layers.resize(2);
    t.layers[0].name = "X LTE B3";
    t.layers[1].name = "X NR n41";
    const std::vector<sites::SitePlacement> pl = {{1000, 2000, 5, true}, {3000, 4000, 6, false}};
    PlanConfig cfg;
    auto up = upgrade_candidates(t, pl, cfg);
    REQUIRE(up.size() == 2);
    CHECK(up[0].height_agl_m == 25);
    CHECK(up[1].height_agl_m == 26);
    CHECK(up[1].site_id == "B");
    CHECK(up[1].cost == cfg.upgrade_cost);
    cfg.upgrade_operator = "MobiFone";
    CHECK(upgrade_candidates(t, pl, cfg).size() == 1);

    cfg.sectors = 3;
    cfg.first_azimuth_deg = 30;
    const CandidateTable ct = candidate_table(up, cfg);
    REQUIRE(ct.table.sites.size() == 2);
    CHECK(ct.table.sites[0].site_id < ct.table.sites[1].site_id);
    CHECK(ct.table.cells.size() == 6);
    CHECK(ct.table.cells[1].azimuth_deg == doctest::Approx(150));
    CHECK(ct.table.cells[2].azimuth_deg == doctest::Approx(270));
    CHECK(ct.table.cells[4].height_agl_m == 26);
    CHECK(ct.table.layers.size() == 1);
    CHECK(ct.table.layers[0].cells.size() == 6);
    CHECK(ct.placements[1].x_m == 3000);

    const CandidateTable nr = existing_nr_table(t, pl);
    CHECK(nr.table.cells.size() == 2);
    CHECK(nr.table.layers.size() == 1);
    CHECK(nr.table.layers[0].name == "X NR n41");
    CHECK(nr.table.cells[1].layer == 0);
    CHECK(nr.placements[1].y_m == 4000);
}
