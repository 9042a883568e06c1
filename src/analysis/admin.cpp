// Admin units onto the grid (GDAL rasterisation) and census rescaling of the population.

#include <fmt/format.h>
#include <gdal_alg.h>

#include <cmath>

#include "phusong/analysis/analysis.hpp"
#include "phusong/core/error.hpp"
#include "phusong/geo/gdal.hpp"
#include "phusong/geo/vector.hpp"

namespace phusong::analysis {

AdminUnits load_admin_units(const std::filesystem::path& path, const std::string& name_field,
                            const std::optional<std::string>& code_field, const geo::Grid& grid,
                            std::span<const std::uint8_t> aoi_mask) {
    const OGRSpatialReference srs = geo::srs_from_epsg(grid.epsg);
    geo::PolygonLayer layer = geo::read_polygons(path, "admin", srs);
    AdminUnits out;
    out.file = path.string();
    out.repaired = layer.repaired;
    ProblemList problems;
    for (auto& f : layer.features) {
        const std::string where = "feature " + std::to_string(f.fid);
        auto field_list = [&] {
            std::string list;
            for (const auto& [k, v] : f.fields) list += (list.empty() ? "" : ", ") + k;
            return list;
        };
        const auto name = f.fields.find(name_field);
        if (name == f.fields.end() || name->second.empty()) {
            problems.add(out.file, where + ", field " + name_field,
                         "no admin unit name: set inputs.admin_name_field to one of the layer's fields (" +
                             field_list() + ")");
            continue;
        }
        std::string code;
        if (code_field) {
            const auto c = f.fields.find(*code_field);
            if (c == f.fields.end() || c->second.empty()) {
                problems.add(out.file, where + ", field " + *code_field,
                             "no admin unit code: set inputs.admin_code_field to one of the layer's fields (" +
                                 field_list() + "), or remove it");
                continue;
            }
            code = c->second;
        }
        out.names.push_back(name->second);
        out.codes.push_back(code);
        out.polygon_area_km2.push_back(OGR_G_Area(OGRGeometry::ToHandle(f.geometry.get())) / 1e6);
        out.geometries.push_back(std::move(f.geometry));
    }
    problems.throw_if_any();

    // Burn unit index + 1 into an Int32 raster on the grid (pixel-centre rule: every pixel gets at
    // most one unit, so the units' sums add up to the AOI's minus the slivers in no unit).
    geo::DatasetPtr ds = geo::create_mem_raster(grid.cols, grid.rows, 1, GDT_Int32);
    auto gt = grid.geotransform();
    ds->SetGeoTransform(gt.data());
    ds->SetSpatialRef(&srs);
    std::vector<OGRGeometryH> geoms;
    std::vector<double> burn;
    for (std::size_t u = 0; u < out.geometries.size(); ++u) {
        geoms.push_back(OGRGeometry::ToHandle(out.geometries[u].get()));
        burn.push_back(static_cast<double>(u + 1));
    }
    int band = 1;
    geo::GdalErrorCapture cap;
    if (GDALRasterizeGeometries(GDALDataset::ToHandle(ds.get()), 1, &band, static_cast<int>(geoms.size()),
                                geoms.data(), nullptr, nullptr, burn.data(), nullptr, nullptr,
                                nullptr) != CE_None) {
        throw GdalError("cannot rasterise the admin units of " + out.file + ": " + cap.last_error());
    }
    out.unit_of_pixel.assign(grid.pixel_count(), 0);
    if (ds->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, grid.cols, grid.rows, out.unit_of_pixel.data(), grid.cols,
                                       grid.rows, GDT_Int32, 0, 0) != CE_None) {
        throw GdalError("cannot read the rasterised admin units");
    }
    for (std::size_t i = 0; i < out.unit_of_pixel.size(); ++i) {
        out.unit_of_pixel[i] = aoi_mask[i] != 0 ? out.unit_of_pixel[i] - 1 : -1;
    }
    return out;
}

CensusScaling apply_census(const CensusConfig& census, std::vector<float>& population,
                           std::span<const std::uint8_t> aoi_mask, const AdminUnits* admin,
                           const std::string& scenario_file) {
    CensusScaling s;
    const std::size_t n_units = admin != nullptr ? admin->names.size() : 0;
    s.unit_factor.assign(n_units, 1.0);
    s.unit_before.assign(n_units, 0.0);
    double rest_before = 0;
    for (std::size_t i = 0; i < population.size(); ++i) {
        if (aoi_mask[i] == 0 || !std::isfinite(population[i])) continue;
        s.aoi_before += population[i];
        const int u = admin != nullptr ? admin->unit_of_pixel[i] : -1;
        if (u >= 0) s.unit_before[static_cast<std::size_t>(u)] += population[i];
    }
    s.aoi_after = s.aoi_before;
    if (!census.any()) return s;
    s.applied = true;
    s.source = census.source;

    // Which unit each census key names: its code when the layer has a code field, else its name.
    std::vector<bool> listed(n_units, false);
    double listed_total = 0;
    ProblemList problems;
    for (const auto& [key, total] : census.unit_totals) {
        const std::string where = "key analysis.census.units.\"" + key + "\"";
        if (admin == nullptr) {
            problems.add(scenario_file, where, "per-unit census totals need an admin layer: set inputs.admin");
            continue;
        }
        std::optional<std::size_t> found;
        for (std::size_t u = 0; u < n_units; ++u) {
            const std::string& id = admin->codes[u].empty() ? admin->names[u] : admin->codes[u];
            if (id == key) found = u;
        }
        if (!found) {
            std::string known;
            for (std::size_t u = 0; u < n_units; ++u) {
                known += (known.empty() ? "" : ", ") + (admin->codes[u].empty() ? admin->names[u] : admin->codes[u]);
            }
            problems.add(scenario_file, where, "no admin unit with this " +
                                                   std::string(n_units > 0 && !admin->codes[0].empty() ? "code" : "name") +
                                                   " in " + admin->file + " (units: " + known + ")");
            continue;
        }
        if (!(s.unit_before[*found] > 0)) {
            problems.add(scenario_file, where, "the population raster has nobody in this unit: nothing to rescale");
            continue;
        }
        listed[*found] = true;
        listed_total += total;
        s.unit_factor[*found] = total / s.unit_before[*found];
    }
    for (std::size_t u = 0; u < n_units; ++u) {
        if (!listed[u]) rest_before += s.unit_before[u];
    }
    // AOI pixels in no admin unit belong to the "rest" too.
    double unassigned = s.aoi_before;
    for (double v : s.unit_before) unassigned -= v;
    rest_before += std::max(0.0, unassigned);
    if (census.aoi_total) {
        if (!(rest_before > 0)) {
            if (std::abs(*census.aoi_total - listed_total) > 0.5) {
                problems.add(scenario_file, "key analysis.census.aoi_total",
                             "every populated pixel is in a listed unit, so aoi_total must equal their sum (" +
                                 fmt::format("{:g}", listed_total) + ")");
            }
        } else {
            s.rest_factor = (*census.aoi_total - listed_total) / rest_before;
            for (std::size_t u = 0; u < n_units; ++u) {
                if (!listed[u]) s.unit_factor[u] = *s.rest_factor;
            }
        }
    }
    problems.throw_if_any();

    s.aoi_after = 0;
    for (std::size_t i = 0; i < population.size(); ++i) {
        if (aoi_mask[i] == 0 || !std::isfinite(population[i])) continue;
        const int u = admin != nullptr ? admin->unit_of_pixel[i] : -1;
        const double f = u >= 0 ? s.unit_factor[static_cast<std::size_t>(u)] : s.rest_factor.value_or(1.0);
        population[i] = static_cast<float>(population[i] * f);
        s.aoi_after += population[i];
    }
    return s;
}

}  // namespace phusong::analysis
